/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampBroker: routes PUBLISH to the subscribers of a topic (exact match). */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-broker.h"

/* The URIs come from libwampcore's one table (wamp-error.h). */
#define ERROR_INVALID_URI wamp_error_code_to_uri (WAMP_ERROR_INVALID_URI)
#define ERROR_INVALID_ARGUMENT wamp_error_code_to_uri (WAMP_ERROR_INVALID_ARGUMENT)
#define ERROR_NOT_AUTHORIZED wamp_error_code_to_uri (WAMP_ERROR_NOT_AUTHORIZED)
#define ERROR_NO_SUCH_SUBSCRIPTION wamp_error_code_to_uri (WAMP_ERROR_NO_SUCH_SUBSCRIPTION)
#define ERROR_DISCLOSE_ME wamp_error_code_to_uri (WAMP_ERROR_OPTION_DISALLOWED_DISCLOSE_ME)

/* One topic's subscription, shared by all its subscribers so that one EVENT
 * (one encoding per serializer) serves them all. */
typedef struct {
  guint64 id;
  char *topic;
  GHashTable *subscribers; /* WampSession* set, not owned */
  gint64 created;          /* g_get_real_time(), for the admin API */
  /* The realm's checks of a PUBLISH here (topic valid and not reserved,
   * publishing allowed, disclosure) for the last publisher's authrole. */
  WampRealmCheckMemo checked;
} Subscription;

struct _WampBroker
{
  GObject parent_instance;

  WampRealm *realm;          /* not owned: the realm owns us */
  gboolean disclose_by_permission_only;

  GHashTable *by_topic;      /* topic (owned by the subscription) -> Subscription* */
  GHashTable *by_id;         /* &Subscription.id -> Subscription* (owns) */
  GHashTable *by_session;    /* WampSession* -> GHashTable set of Subscription* */
  guint n_left;              /* sessions that left so far: a send may make one leave */
};

static void wamp_broker_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampBroker, wamp_broker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, wamp_broker_role_iface_init))

static const WampMessageType broker_message_types[] = {
  WAMP_MESSAGE_PUBLISH,
  WAMP_MESSAGE_SUBSCRIBE,
  WAMP_MESSAGE_UNSUBSCRIBE,
};

static void
subscription_free (Subscription *sub)
{
  g_hash_table_unref (sub->subscribers);
  g_free (sub->topic);
  g_free (sub);
}

static void
wamp_broker_clear (WampBroker *self)
{
  self->n_left++;
  g_hash_table_remove_all (self->by_session);
  g_hash_table_remove_all (self->by_topic);
  g_hash_table_remove_all (self->by_id);
}

/* Drops @session from @sub, and @sub itself once nobody holds it. */
static void
wamp_broker_drop_subscriber (WampBroker   *self,
                             Subscription *sub,
                             WampSession  *session)
{
  g_hash_table_remove (sub->subscribers, session);
  if (g_hash_table_size (sub->subscribers) == 0)
    {
      g_hash_table_remove (self->by_topic, sub->topic);
      g_hash_table_remove (self->by_id, &sub->id);
    }
}

/* An option that must be absent or a list whose items are all IDs (@ids) or
 * all plain strings; FALSE when it is malformed. */
static gboolean
get_list_option (WampValue   *options,
                 const char  *key,
                 gboolean     ids,
                 WampValue  **out)
{
  WampValue *list = wamp_value_dict_lookup (options, key);
  gsize i, n;

  *out = NULL;
  if (list == NULL)
    return TRUE;
  if (wamp_value_get_value_type (list) != WAMP_VALUE_LIST)
    return FALSE;
  n = wamp_value_list_length (list);
  for (i = 0; i < n; i++)
    {
      WampValue *item = wamp_value_list_get (list, i);
      guint64 id;

      if (ids ? !wamp_value_get_id (item, &id) : !wamp_value_is_plain_string (item))
        return FALSE;
    }
  *out = list;
  return TRUE;
}

/* Set of the realm's sessions named by an ID list; IDs of no session of this
 * realm simply match nobody. */
static GHashTable *
session_set_from_ids (WampRealm *realm,
                      WampValue *list)
{
  GHashTable *set;
  gsize i, n;

  if (list == NULL)
    return NULL;
  set = g_hash_table_new (g_direct_hash, g_direct_equal);
  n = wamp_value_list_length (list);
  for (i = 0; i < n; i++)
    {
      guint64 id = 0;
      WampSession *s;

      wamp_value_get_id (wamp_value_list_get (list, i), &id);
      s = wamp_realm_lookup_session (realm, id);
      if (s != NULL)
        g_hash_table_add (set, s);
    }
  return set;
}

/* Set of strings borrowed from @list (which outlives the set). */
static GHashTable *
string_set_from_list (WampValue *list)
{
  GHashTable *set;
  gsize i, n;

  if (list == NULL)
    return NULL;
  set = g_hash_table_new (g_str_hash, g_str_equal);
  n = wamp_value_list_length (list);
  for (i = 0; i < n; i++)
    g_hash_table_add (set, (gpointer) wamp_value_get_string (wamp_value_list_get (list, i), NULL));
  return set;
}

/* The black/white lists of one publication (subscriber_blackwhite_listing). */
typedef struct {
  GHashTable *eligible;          /* WampSession* */
  GHashTable *exclude;           /* WampSession* */
  GHashTable *eligible_authid;   /* const char* */
  GHashTable *exclude_authid;
  GHashTable *eligible_authrole;
  GHashTable *exclude_authrole;
} ReceiverFilter;

static void
receiver_filter_clear (ReceiverFilter *f)
{
  g_clear_pointer (&f->eligible, g_hash_table_unref);
  g_clear_pointer (&f->exclude, g_hash_table_unref);
  g_clear_pointer (&f->eligible_authid, g_hash_table_unref);
  g_clear_pointer (&f->exclude_authid, g_hash_table_unref);
  g_clear_pointer (&f->eligible_authrole, g_hash_table_unref);
  g_clear_pointer (&f->exclude_authrole, g_hash_table_unref);
}

/* FALSE (and *bad_key set) when an option has the wrong shape. */
static gboolean
receiver_filter_init (ReceiverFilter  *f,
                      WampRealm       *realm,
                      WampValue       *options,
                      const char     **bad_key)
{
  static const char *const keys[] = {
    "eligible", "exclude", "eligible_authid", "exclude_authid",
    "eligible_authrole", "exclude_authrole",
  };
  WampValue *lists[G_N_ELEMENTS (keys)];
  gsize i;

  memset (f, 0, sizeof *f);
  for (i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (!get_list_option (options, keys[i], i < 2, &lists[i]))
        {
          *bad_key = keys[i];
          return FALSE;
        }
    }
  f->eligible = session_set_from_ids (realm, lists[0]);
  f->exclude = session_set_from_ids (realm, lists[1]);
  f->eligible_authid = string_set_from_list (lists[2]);
  f->exclude_authid = string_set_from_list (lists[3]);
  f->eligible_authrole = string_set_from_list (lists[4]);
  f->exclude_authrole = string_set_from_list (lists[5]);
  return TRUE;
}

static gboolean
string_in_set (GHashTable *set,
               const char *s)
{
  return s != NULL && g_hash_table_contains (set, s);
}

static gboolean
receiver_filter_accepts (const ReceiverFilter *f,
                         WampSession          *s)
{
  if (f->eligible != NULL && !g_hash_table_contains (f->eligible, s))
    return FALSE;
  if (f->exclude != NULL && g_hash_table_contains (f->exclude, s))
    return FALSE;
  if (f->eligible_authid != NULL && !string_in_set (f->eligible_authid, wamp_session_get_authid (s)))
    return FALSE;
  if (f->exclude_authid != NULL && string_in_set (f->exclude_authid, wamp_session_get_authid (s)))
    return FALSE;
  if (f->eligible_authrole != NULL
      && !string_in_set (f->eligible_authrole, wamp_session_get_authrole (s)))
    return FALSE;
  if (f->exclude_authrole != NULL
      && string_in_set (f->exclude_authrole, wamp_session_get_authrole (s)))
    return FALSE;
  return TRUE;
}

/* Publications are unacknowledged unless asked: errors then go nowhere. */
static void
publish_error (WampSession *session,
               guint64      request_id,
               gboolean     acknowledge,
               const char  *uri,
               const char  *text)
{
  if (acknowledge)
    wamp_session_send_error (session, WAMP_MESSAGE_PUBLISH, request_id, uri, text);
  else
    g_debug ("publication %" G_GUINT64_FORMAT " refused (%s): %s", request_id, uri, text);
}

/* Whether @session may publish to @topic, and whether the permission
 * discloses the publisher: the realm's answers, in the order of the errors
 * (invalid or reserved URI, then not authorized), sending the error. @sub
 * (nullable) remembers a success for the publisher's authrole until the
 * realm's settings change, so the next PUBLISH there costs no lookups. */
static gboolean
wamp_broker_check_publish (WampBroker   *self,
                           WampSession  *session,
                           guint64       request_id,
                           gboolean      acknowledge,
                           const char   *topic,
                           Subscription *sub,
                           gboolean     *disclose_permitted)
{
  if (sub != NULL &&
      wamp_realm_check_memo_holds (self->realm, &sub->checked, session, disclose_permitted))
    return TRUE;

  if (!wamp_realm_check_uri (self->realm, topic, WAMP_URI_FLAGS_NONE))
    {
      g_autofree char *text = g_strdup_printf ("publish with invalid topic URI '%s'", topic);
      publish_error (session, request_id, acknowledge, ERROR_INVALID_URI, text);
      return FALSE;
    }
  if (wamp_uri_is_reserved (topic))
    {
      g_autofree char *text = g_strdup_printf ("publish to reserved topic URI '%s'", topic);
      publish_error (session, request_id, acknowledge, ERROR_INVALID_URI, text);
      return FALSE;
    }
  if (!wamp_realm_authorize (self->realm, session, WAMP_ACTION_PUBLISH, topic))
    {
      g_autofree char *text = g_strdup_printf ("session is not authorized to publish to topic '%s'",
                                               topic);
      publish_error (session, request_id, acknowledge, ERROR_NOT_AUTHORIZED, text);
      return FALSE;
    }
  *disclose_permitted = wamp_realm_get_disclose (self->realm, session, WAMP_ACTION_PUBLISH, topic);
  if (sub != NULL)
    wamp_realm_check_memo_store (self->realm, &sub->checked, session, *disclose_permitted);
  return TRUE;
}

/* Whether @s, a subscriber when the publication began, is still here: a
 * send may make a session leave (a failing transport) and free it. Until
 * anyone left (@n_left unchanged) all are; afterwards those the broker
 * still knows. */
static gboolean
receiver_still_here (WampBroker  *self,
                     WampSession *s,
                     guint        n_left)
{
  return self->n_left == n_left || g_hash_table_contains (self->by_session, s);
}

static void
wamp_broker_handle_publish (WampBroker  *self,
                            WampSession *session,
                            WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  const char *topic = wamp_message_get_uri (message);
  WampValue *options = wamp_message_get_details (message);
  /* Most publications come without options: no lookups then. */
  gboolean has_options = wamp_value_dict_size (options) > 0;
  gboolean acknowledge = has_options && wamp_value_dict_get_bool (options, "acknowledge", FALSE);
  gboolean exclude_me = !has_options || wamp_value_dict_get_bool (options, "exclude_me", TRUE);
  gboolean disclose_me = has_options && wamp_value_dict_get_bool (options, "disclose_me", FALSE);
  gboolean disclose_permitted, disclose;
  const char *bad_key = NULL;
  ReceiverFilter filter;
  Subscription *sub;
  guint64 publication_id;

  sub = g_hash_table_lookup (self->by_topic, topic);
  if (!wamp_broker_check_publish (self, session, request_id, acknowledge, topic, sub,
                                  &disclose_permitted))
    return;

  if (self->disclose_by_permission_only)
    disclose = disclose_permitted;
  else if (disclose_me && !disclose_permitted)
    {
      publish_error (session, request_id, acknowledge, ERROR_DISCLOSE_ME,
                     "publisher disclosure is not allowed for this topic");
      return;
    }
  else
    disclose = disclose_me;

  if (!has_options)
    memset (&filter, 0, sizeof filter);
  else if (!receiver_filter_init (&filter, self->realm, options, &bad_key))
    {
      g_autofree char *text = g_strdup_printf ("option '%s' must be a list of %s", bad_key,
                                               g_str_has_suffix (bad_key, "_authid")
                                               || g_str_has_suffix (bad_key, "_authrole")
                                               ? "strings" : "session IDs");
      receiver_filter_clear (&filter);
      publish_error (session, request_id, acknowledge, ERROR_INVALID_ARGUMENT, text);
      return;
    }

  publication_id = wamp_id_new_global ();
  if (sub != NULL)
    {
      g_autoptr(WampValue) details = NULL;
      g_autoptr(WampMessage) event = NULL;
      g_autofree WampSession **receivers = NULL;
      g_autofree char *undeliverable_reason = NULL;
      guint n_receivers = 0, n_undeliverable = 0;
      guint n_left = self->n_left;
      GHashTableIter iter;
      gpointer key;
      guint i;

      /* Without disclosure, NULL: the message's shared empty dict. */
      if (disclose)
        {
          const char *authid = wamp_session_get_authid (session);
          const char *authrole = wamp_session_get_authrole (session);

          details = wamp_value_new_dict (3);
          wamp_value_dict_insert (details, "publisher",
                                  wamp_value_new_uint (wamp_session_get_id (session)));
          if (authid != NULL)
            wamp_value_dict_insert (details, "publisher_authid", wamp_value_new_string (authid));
          if (authrole != NULL)
            wamp_value_dict_insert (details, "publisher_authrole", wamp_value_new_string (authrole));
        }
      event = wamp_message_new_event (sub->id, publication_id, details,
                                      wamp_message_get_payload (message));

      /* A snapshot: a send may make a subscriber leave (queue-bound policy),
       * which edits the subscriber set under our feet. Without references
       * (receiver_still_here): @sub and the set may be gone by then. */
      receivers = g_new (WampSession *, g_hash_table_size (sub->subscribers));
      g_hash_table_iter_init (&iter, sub->subscribers);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        {
          WampSession *s = key;

          if (s == session && exclude_me)
            continue;
          if (!receiver_filter_accepts (&filter, s))
            continue;
          receivers[n_receivers++] = s;
        }

      for (i = 0; i < n_receivers; i++)
        {
          g_autoptr(GError) error = NULL;
          WampSession *s = receivers[i];

          if (!receiver_still_here (self, s, n_left))
            continue;
          if (wamp_session_send (s, event, &error))
            continue;
          g_debug ("event %" G_GUINT64_FORMAT " not delivered to session %" G_GUINT64_FORMAT
                   ": %s", publication_id,
                   receiver_still_here (self, s, n_left) ? wamp_session_get_id (s) : 0,
                   error ? error->message : "?");
          /* The event's content, not the subscriber, is at fault: a value
           * its serializer cannot represent, or a frame above what its
           * transport accepts. Others still get the event. */
          if (wamp_error_get_undeliverable_uri (error) != NULL)
            {
              if (n_undeliverable++ == 0)
                undeliverable_reason = g_strdup (error->message);
            }
        }
      /* One line per event, not per subscriber: a fan-out to thousands
       * must not flood the journal. */
      if (n_undeliverable > 0)
        g_message ("event %" G_GUINT64_FORMAT " on %s not delivered to %u of %u subscriber(s): %s",
                   publication_id, topic, n_undeliverable, n_receivers, undeliverable_reason);
    }
  receiver_filter_clear (&filter);

  if (acknowledge)
    {
      g_autoptr(WampMessage) published = wamp_message_new_published (request_id, publication_id);
      g_autoptr(GError) error = NULL;

      if (!wamp_session_send (session, published, &error))
        g_debug ("PUBLISHED not sent: %s", error ? error->message : "?");
    }
}

static void
wamp_broker_handle_subscribe (WampBroker  *self,
                              WampSession *session,
                              WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  const char *topic = wamp_message_get_uri (message);
  WampValue *options = wamp_message_get_details (message);
  WampValue *match = wamp_value_dict_lookup (options, "match");
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  GHashTable *own;
  Subscription *sub;

  if (match != NULL
      && (wamp_value_get_value_type (match) != WAMP_VALUE_STRING
          || g_strcmp0 (wamp_value_get_string (match, NULL), "exact") != 0))
    {
      wamp_session_send_error (session, WAMP_MESSAGE_SUBSCRIBE, request_id, ERROR_INVALID_ARGUMENT,
                               "unsupported match policy: only \"exact\" is supported");
      return;
    }
  if (!wamp_realm_check_uri (self->realm, topic, WAMP_URI_FLAGS_NONE))
    {
      g_autofree char *text = g_strdup_printf ("subscribe for invalid topic URI '%s'", topic);
      wamp_session_send_error (session, WAMP_MESSAGE_SUBSCRIBE, request_id, ERROR_INVALID_URI, text);
      return;
    }
  if (!wamp_realm_authorize (self->realm, session, WAMP_ACTION_SUBSCRIBE, topic))
    {
      g_autofree char *text = g_strdup_printf ("session is not authorized to subscribe to topic '%s'",
                                               topic);
      wamp_session_send_error (session, WAMP_MESSAGE_SUBSCRIBE, request_id, ERROR_NOT_AUTHORIZED,
                               text);
      return;
    }

  sub = g_hash_table_lookup (self->by_topic, topic);
  if (sub == NULL)
    {
      sub = g_new0 (Subscription, 1);
      sub->id = wamp_realm_next_id (self->realm);
      sub->topic = g_strdup (topic);
      sub->created = g_get_real_time ();
      sub->subscribers = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_hash_table_insert (self->by_topic, sub->topic, sub);
      g_hash_table_insert (self->by_id, &sub->id, sub);
    }
  g_hash_table_add (sub->subscribers, session);

  own = g_hash_table_lookup (self->by_session, session);
  if (own == NULL)
    {
      own = g_hash_table_new (g_direct_hash, g_direct_equal);
      g_hash_table_insert (self->by_session, session, own);
    }
  g_hash_table_add (own, sub);

  reply = wamp_message_new_subscribed (request_id, sub->id);
  if (!wamp_session_send (session, reply, &error))
    g_debug ("SUBSCRIBED not sent: %s", error ? error->message : "?");
}

static void
wamp_broker_handle_unsubscribe (WampBroker  *self,
                                WampSession *session,
                                WampMessage *message)
{
  guint64 request_id = wamp_message_get_request_id (message);
  guint64 subscription_id = wamp_message_get_subscription_id (message);
  Subscription *sub = g_hash_table_lookup (self->by_id, &subscription_id);
  GHashTable *own = g_hash_table_lookup (self->by_session, session);
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (sub == NULL || own == NULL || !g_hash_table_contains (own, sub))
    {
      wamp_session_send_error (session, WAMP_MESSAGE_UNSUBSCRIBE, request_id,
                               ERROR_NO_SUCH_SUBSCRIPTION, NULL);
      return;
    }
  g_hash_table_remove (own, sub);
  if (g_hash_table_size (own) == 0)
    g_hash_table_remove (self->by_session, session);
  wamp_broker_drop_subscriber (self, sub, session);

  reply = wamp_message_new_unsubscribed (request_id, NULL);
  if (!wamp_session_send (session, reply, &error))
    g_debug ("UNSUBSCRIBED not sent: %s", error ? error->message : "?");
}

static const char *
wamp_broker_get_name (WampRole *role)
{
  return "broker";
}

static const WampMessageType *
wamp_broker_get_message_types (WampRole *role,
                               gsize    *n_types)
{
  *n_types = G_N_ELEMENTS (broker_message_types);
  return broker_message_types;
}

/* At attach and when a reload turns disclose_by_permission_only on or
 * off; the realm has validated @options. */
static void
wamp_broker_options_changed (WampRole  *role,
                             WampValue *options)
{
  WampBroker *self = WAMP_BROKER (role);

  self->disclose_by_permission_only =
    wamp_value_get_value_type (options) == WAMP_VALUE_DICT
    && wamp_value_dict_get_bool (options, "disclose_by_permission_only", FALSE);
}

static gboolean
wamp_broker_attach (WampRole   *role,
                    WampRealm  *realm,
                    WampValue  *options,
                    GError    **error)
{
  WampBroker *self = WAMP_BROKER (role);

  if (self->realm != NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                   "broker is already attached to realm '%s'", wamp_realm_get_name (self->realm));
      return FALSE;
    }
  self->realm = realm;
  if (options != NULL)
    wamp_broker_options_changed (role, options);
  return TRUE;
}

static WampValue *
wamp_broker_get_features (WampRole *role)
{
  WampValue *features = wamp_value_new_dict (3);

  wamp_value_dict_insert (features, "publisher_exclusion", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (features, "publisher_identification", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (features, "subscriber_blackwhite_listing", wamp_value_new_bool (TRUE));
  return features;
}

static void
wamp_broker_handle_message (WampRole    *role,
                            WampSession *session,
                            WampMessage *message)
{
  WampBroker *self = WAMP_BROKER (role);

  g_return_if_fail (self->realm != NULL);

  switch (wamp_message_get_message_type (message))
    {
    case WAMP_MESSAGE_PUBLISH:
      wamp_broker_handle_publish (self, session, message);
      break;
    case WAMP_MESSAGE_SUBSCRIBE:
      wamp_broker_handle_subscribe (self, session, message);
      break;
    case WAMP_MESSAGE_UNSUBSCRIBE:
      wamp_broker_handle_unsubscribe (self, session, message);
      break;
    default:
      g_warning ("broker got a %s message it never claimed",
                 wamp_message_type_to_string (wamp_message_get_message_type (message)));
      break;
    }
}

static void
wamp_broker_session_joined (WampRole    *role,
                            WampSession *session)
{
  /* Per-session state is made on the first SUBSCRIBE: most sessions never
   * subscribe. */
}

static void
wamp_broker_session_leaving (WampRole    *role,
                             WampSession *session)
{
  WampBroker *self = WAMP_BROKER (role);
  gpointer own_ptr = NULL;
  g_autoptr(GHashTable) own = NULL;
  GHashTableIter iter;
  gpointer key;

  self->n_left++;
  if (!g_hash_table_steal_extended (self->by_session, session, NULL, &own_ptr))
    return;
  own = own_ptr;
  g_hash_table_iter_init (&iter, own);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    wamp_broker_drop_subscriber (self, key, session);
}

static gint
compare_subscription_ids (gconstpointer a, gconstpointer b)
{
  const Subscription *sa = *(const Subscription *const *) a;
  const Subscription *sb = *(const Subscription *const *) b;

  return sa->id < sb->id ? -1 : sa->id > sb->id;
}

static gint
compare_ids (gconstpointer a, gconstpointer b)
{
  guint64 ia = *(const guint64 *) a;
  guint64 ib = *(const guint64 *) b;

  return ia < ib ? -1 : ia > ib;
}

/* The admin API's view, sorted by ID (not the hot path). */
static WampValue *
wamp_broker_list_routes (WampRole *role)
{
  WampBroker *self = WAMP_BROKER (role);
  g_autoptr(GPtrArray) subs = g_ptr_array_new ();
  WampValue *list;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (subs, value);
  g_ptr_array_sort (subs, compare_subscription_ids);

  list = wamp_value_new_list (subs->len);
  for (guint i = 0; i < subs->len; i++)
    {
      Subscription *sub = g_ptr_array_index (subs, i);
      g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (guint64),
                                                 g_hash_table_size (sub->subscribers));
      WampValue *sessions;
      WampValue *entry;
      gpointer session;

      g_hash_table_iter_init (&iter, sub->subscribers);
      while (g_hash_table_iter_next (&iter, &session, NULL))
        {
          guint64 id = wamp_session_get_id (session);

          g_array_append_val (ids, id);
        }
      g_array_sort (ids, compare_ids);
      sessions = wamp_value_new_list (ids->len);
      for (guint j = 0; j < ids->len; j++)
        wamp_value_list_append (sessions, wamp_value_new_uint (g_array_index (ids, guint64, j)));

      entry = wamp_value_new_dict (5);
      wamp_value_dict_insert (entry, "id", wamp_value_new_uint (sub->id));
      wamp_value_dict_insert (entry, "uri", wamp_value_new_string (sub->topic));
      wamp_value_dict_insert (entry, "match", wamp_value_new_string ("exact"));
      wamp_value_dict_insert (entry, "created", wamp_value_new_int (sub->created));
      wamp_value_dict_insert (entry, "sessions", sessions);
      wamp_value_list_append (list, entry);
    }
  return list;
}

static void
wamp_broker_detach (WampRole *role)
{
  WampBroker *self = WAMP_BROKER (role);

  wamp_broker_clear (self);
  self->realm = NULL;
}

static void
wamp_broker_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = wamp_broker_get_name;
  iface->get_message_types = wamp_broker_get_message_types;
  iface->attach = wamp_broker_attach;
  iface->get_features = wamp_broker_get_features;
  iface->handle_message = wamp_broker_handle_message;
  iface->session_joined = wamp_broker_session_joined;
  iface->session_leaving = wamp_broker_session_leaving;
  iface->detach = wamp_broker_detach;
  iface->options_changed = wamp_broker_options_changed;
  iface->list_routes = wamp_broker_list_routes;
}

static void
wamp_broker_finalize (GObject *object)
{
  WampBroker *self = WAMP_BROKER (object);

  wamp_broker_clear (self);
  g_hash_table_unref (self->by_session);
  g_hash_table_unref (self->by_topic);
  g_hash_table_unref (self->by_id);

  G_OBJECT_CLASS (wamp_broker_parent_class)->finalize (object);
}

static void
wamp_broker_class_init (WampBrokerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_broker_finalize;
}

static void
wamp_broker_init (WampBroker *self)
{
  self->by_topic = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                       (GDestroyNotify) subscription_free);
  self->by_session = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            (GDestroyNotify) g_hash_table_unref);
}

WampBroker *
wamp_broker_new (void)
{
  return g_object_new (WAMP_TYPE_BROKER, NULL);
}
