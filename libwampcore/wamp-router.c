/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRouter: builds realms, transports and authenticators from the config,
 * accepts connections into sessions, and shuts everything down in order. */
#include "config.h"

#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <glib/gi18n-lib.h>

#include <wamp/wamp.h>
#include "wamp-realm-private.h"
#include "wamp-router-private.h"
#include "wamp-session-private.h"
#include "wamp-transport-private.h"
#include "wamp-value-private.h"

/* How long shutdown waits for clients to answer GOODBYE before it closes
 * what is left. */
#define SHUTDOWN_GRACE_MS 2000

/* Message types are small integers (YIELD = 70 is the largest the spec
 * defines); anything above is counted as "other". */
#define N_COUNTED_TYPES 71

typedef struct {
  guint64 messages_in[N_COUNTED_TYPES + 1];
  guint64 messages_out[N_COUNTED_TYPES + 1];
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 protocol_violations;
  guint64 send_failures;
} RouterStats;

enum {
  SIGNAL_SESSION_JOINED,
  SIGNAL_SESSION_LEFT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  char *name;
  WampValue *config;          /* its config block, to tell what a reload changes */
  WampTransport *transport;
  GHashTable *authenticators; /* authmethod -> WampAuthenticator */
} RouterTransport;

typedef enum {
  ADMIN_DBUS_NONE,
  ADMIN_DBUS_SESSION,
  ADMIN_DBUS_SYSTEM,
} AdminDbus;

/* Seconds from the transport handshake (or the end of a session) to WELCOME:
 * long enough for a slow authenticator, short enough that connections that
 * never say HELLO cannot pile up. */
#define DEFAULT_JOIN_TIMEOUT 30
#define MAX_JOIN_TIMEOUT 3600
/* How long after a session ended the router returns freed memory to the system. */
#define TRIM_DELAY_MS 1000

struct _WampRouter
{
  GObject parent_instance;

  WampReactor *reactor;
  gboolean configured;
  gboolean started;
  AdminDbus admin_dbus;
  guint join_timeout_ms;        /* limits.join_timeout */

  GPtrArray *realms;          /* WampRealm, config order */
  GHashTable *realms_by_name; /* name -> WampRealm (unowned) */
  GPtrArray *transports;      /* RouterTransport */

  GHashTable *sessions;       /* WampSession set (owned): every accepted connection */
  GHashTable *session_ids;    /* guint64 * set: IDs reserved by sessions */
  guint64 id_counter;
  guint n_established;        /* sessions joined to a realm */
  RouterStats stats;

  GTask *shutdown_task;
  WampReactorTimer *shutdown_timer;

  /* Immutable values equal across sessions, shared: WampValue -> itself. */
  GHashTable *interned;
  /* Gives memory of ended sessions back to the system, a second after. */
  WampReactorTimer *trim_timer;
};

G_DEFINE_FINAL_TYPE (WampRouter, wamp_router, G_TYPE_OBJECT)

static void
router_transport_free (gpointer data)
{
  RouterTransport *rt = data;

  wamp_transport_set_accept_func (rt->transport, NULL, NULL);
  g_free (rt->name);
  g_clear_pointer (&rt->config, wamp_value_unref);
  g_clear_object (&rt->transport);
  g_clear_pointer (&rt->authenticators, g_hash_table_unref);
  g_free (rt);
}

static void finish_shutdown (WampRouter *self);

static void
wamp_router_dispose (GObject *object)
{
  WampRouter *self = WAMP_ROUTER (object);

  if (self->shutdown_timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, self->shutdown_timer);
      self->shutdown_timer = NULL;
    }
  if (self->trim_timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, self->trim_timer);
      self->trim_timer = NULL;
    }
  if (self->transports != NULL)
    {
      for (guint i = 0; self->started && i < self->transports->len; i++)
        wamp_transport_stop (((RouterTransport *) g_ptr_array_index (self->transports, i))->transport);
      self->started = FALSE;
    }
  /* Sessions leave their realms while the realms and roles still exist. */
  if (self->sessions != NULL)
    {
      g_autoptr (GHashTable) sessions = g_steal_pointer (&self->sessions);
      GHashTableIter iter;
      gpointer session;

      g_hash_table_iter_init (&iter, sessions);
      while (g_hash_table_iter_next (&iter, &session, NULL))
        wamp_session_detach (session);
    }
  if (self->shutdown_task != NULL)
    finish_shutdown (self);
  for (guint i = 0; self->realms != NULL && i < self->realms->len; i++)
    wamp_realm_shutdown (g_ptr_array_index (self->realms, i));
  g_clear_pointer (&self->realms_by_name, g_hash_table_unref);
  g_clear_pointer (&self->realms, g_ptr_array_unref);
  g_clear_pointer (&self->transports, g_ptr_array_unref);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (wamp_router_parent_class)->dispose (object);
}

static void
wamp_router_finalize (GObject *object)
{
  WampRouter *self = WAMP_ROUTER (object);

  g_clear_pointer (&self->session_ids, g_hash_table_unref);
  g_clear_pointer (&self->interned, g_hash_table_unref);
  G_OBJECT_CLASS (wamp_router_parent_class)->finalize (object);
}

static void
wamp_router_class_init (WampRouterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_router_dispose;
  object_class->finalize = wamp_router_finalize;

  /* Since: ABI 1.1 (see wamp-router.h). */
  signals[SIGNAL_SESSION_JOINED] =
    g_signal_new ("session-joined", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, WAMP_TYPE_SESSION);
  signals[SIGNAL_SESSION_LEFT] =
    g_signal_new ("session-left", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, WAMP_TYPE_SESSION);
}

static void
wamp_router_init (WampRouter *self)
{
  self->join_timeout_ms = DEFAULT_JOIN_TIMEOUT * 1000;
  self->realms = g_ptr_array_new_with_free_func (g_object_unref);
  self->realms_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->transports = g_ptr_array_new_with_free_func (router_transport_free);
  self->sessions = g_hash_table_new_full (g_direct_hash, g_direct_equal, g_object_unref, NULL);
  self->session_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->interned = g_hash_table_new_full ((GHashFunc) wamp_value_hash, (GEqualFunc) wamp_value_equal,
                                          (GDestroyNotify) wamp_value_unref, NULL);
}

WampRouter *
wamp_router_new (WampReactor *reactor)
{
  WampRouter *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);

  self = g_object_new (WAMP_TYPE_ROUTER, NULL);
  self->reactor = g_object_ref (reactor);
  return self;
}

/* ---- configuration ------------------------------------------------------ */

static char *
list_extensions (const char *extension_point)
{
  g_auto (GStrv) names = wamp_extension_list (extension_point);

  if (names == NULL || names[0] == NULL)
    return g_strdup (_("none"));
  return g_strjoinv (", ", names);
}

static gboolean
check_non_empty_list (WampValue *list, const char *parent_path, const char *key, GError **error)
{
  if (wamp_value_list_length (list) == 0)
    {
      g_autofree char *path = wamp_config_path_key (parent_path, key);

      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s: must be a non-empty list"), path);
      return FALSE;
    }
  return TRUE;
}

/* The role instances serving realm @config: every loaded role extension, or
 * those its `router_roles` names. */
static GPtrArray *
make_realm_roles (WampValue *config, const char *path, GError **error)
{
  g_autoptr (GPtrArray) roles = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *list_path = wamp_config_path_key (path, "router_roles");
  g_auto (GStrv) names = NULL;
  WampValue *list = NULL;

  if (wamp_value_get_value_type (config) != WAMP_VALUE_DICT)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s: must be an object"), path);
      return NULL;
    }
  if (!wamp_config_get_list (config, path, "router_roles", FALSE, &list, error))
    return NULL;

  if (list == NULL)
    names = wamp_extension_list (WAMP_ROLE_EXTENSION_POINT);
  else
    {
      g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
      g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

      for (gsize i = 0; i < wamp_value_list_length (list); i++)
        {
          WampValue *item = wamp_value_list_get (list, i);
          g_autofree char *item_path = wamp_config_path_index (list_path, i);
          const char *name;

          if (!wamp_value_is_plain_string (item))
            {
              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                           _("%s: must be a string"), item_path);
              return NULL;
            }
          name = wamp_value_get_string (item, NULL);
          if (wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, name) == G_TYPE_INVALID)
            {
              g_autofree char *available = list_extensions (WAMP_ROLE_EXTENSION_POINT);

              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                           _("%s: no router role \"%s\" is loaded (available: %s)"),
                           item_path, name, available);
              return NULL;
            }
          if (!g_hash_table_add (seen, (gpointer) name))
            {
              g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                           _("%s: router role \"%s\" is listed twice"), item_path, name);
              return NULL;
            }
          g_strv_builder_add (builder, name);
        }
      names = g_strv_builder_end (builder);
    }

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      WampRole *role = wamp_role_new (names[i]);

      if (role == NULL)
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s: router role \"%s\" cannot be instantiated"), path, names[i]);
          return NULL;
        }
      g_ptr_array_add (roles, role);
    }
  return g_steal_pointer (&roles);
}

static gboolean
configure_realms (WampRouter *self, WampValue *config, GPtrArray *realms, GError **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  WampValue *list = NULL;

  if (!wamp_config_get_list (config, "$", "realms", TRUE, &list, error)
      || !check_non_empty_list (list, "$", "realms", error))
    return FALSE;

  for (gsize i = 0; i < wamp_value_list_length (list); i++)
    {
      WampValue *block = wamp_value_list_get (list, i);
      g_autofree char *path = wamp_config_path_index ("$.realms", i);
      g_autoptr (GPtrArray) roles = make_realm_roles (block, path, error);
      WampRealm *realm;

      if (roles == NULL)
        return FALSE;
      realm = wamp_realm_new (self, block, path, roles, error);
      if (realm == NULL)
        return FALSE;
      g_ptr_array_add (realms, realm);
      if (!g_hash_table_add (names, (gpointer) wamp_realm_get_name (realm)))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       _("%s.name: realm \"%s\" is defined twice"), path, wamp_realm_get_name (realm));
          return FALSE;
        }
    }
  return TRUE;
}

static GPtrArray *
configure_serializers (WampValue *block, const char *path, GError **error)
{
  g_autoptr (GPtrArray) serializers = g_ptr_array_new ();
  g_autofree char *list_path = wamp_config_path_key (path, "serializers");
  WampValue *list = NULL;

  if (!wamp_config_get_list (block, path, "serializers", FALSE, &list, error))
    return NULL;
  if (list == NULL)
    {
      /* Every loaded serializer: the shipped ones first, in the default
       * config's order (so a WebSocket client offering several gets JSON
       * rather than whichever name sorts first), then the others by name. */
      static const char *const shipped[] = { "json", "msgpack", "cbor" };
      g_auto (GStrv) names = wamp_extension_list (WAMP_SERIALIZER_EXTENSION_POINT);

      for (guint i = 0; i < G_N_ELEMENTS (shipped); i++)
        {
          WampSerializer *serializer = wamp_serializer_lookup (shipped[i]);

          if (serializer != NULL)
            g_ptr_array_add (serializers, serializer);
        }
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        {
          WampSerializer *serializer = wamp_serializer_lookup (names[i]);

          if (serializer != NULL && !g_ptr_array_find (serializers, serializer, NULL))
            g_ptr_array_add (serializers, serializer);
        }
      if (serializers->len == 0)
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s: no serializer plugin is loaded"), list_path);
          return NULL;
        }
      return g_steal_pointer (&serializers);
    }

  if (!check_non_empty_list (list, path, "serializers", error))
    return NULL;
  for (gsize i = 0; i < wamp_value_list_length (list); i++)
    {
      WampValue *item = wamp_value_list_get (list, i);
      g_autofree char *item_path = wamp_config_path_index (list_path, i);
      WampSerializer *serializer;
      const char *name;

      if (!wamp_value_is_plain_string (item))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       _("%s: must be a string"), item_path);
          return NULL;
        }
      name = wamp_value_get_string (item, NULL);
      serializer = wamp_serializer_lookup (name);
      if (serializer == NULL)
        {
          g_autofree char *available = list_extensions (WAMP_SERIALIZER_EXTENSION_POINT);

          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s: no serializer \"%s\" is loaded (available: %s)"),
                       item_path, name, available);
          return NULL;
        }
      if (g_ptr_array_find (serializers, serializer, NULL))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       _("%s: serializer \"%s\" is listed twice"), item_path, name);
          return NULL;
        }
      g_ptr_array_add (serializers, serializer);
    }
  return g_steal_pointer (&serializers);
}

static GHashTable *
configure_auth (WampValue *block, const char *path, GError **error)
{
  g_autoptr (GHashTable) authenticators =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_autofree char *auth_path = wamp_config_path_key (path, "auth");
  g_autoptr (WampValue) default_auth = NULL;
  WampValue *auth = NULL;

  if (!wamp_config_get_dict (block, path, "auth", FALSE, &auth, error))
    return NULL;
  if (auth == NULL)
    {
      WampValue *anonymous = wamp_value_new_dict (1);

      wamp_value_dict_insert (anonymous, "role", wamp_value_new_string ("anonymous"));
      default_auth = wamp_value_new_dict (1);
      wamp_value_dict_insert (default_auth, "anonymous", anonymous);
      auth = default_auth;
    }
  if (wamp_value_dict_size (auth) == 0)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s: must name at least one authentication method"), auth_path);
      return NULL;
    }

  for (gsize i = 0; i < wamp_value_dict_size (auth); i++)
    {
      gsize method_len;
      const char *method = wamp_value_dict_get_key (auth, i, &method_len);
      g_autofree char *method_path = wamp_config_path_key (auth_path, method);
      g_autoptr (WampAuthenticator) authenticator = NULL;
      WampValue *method_block = NULL;

      if (strlen (method) != method_len
          || wamp_extension_lookup (WAMP_AUTHENTICATOR_EXTENSION_POINT, method) == G_TYPE_INVALID)
        {
          g_autofree char *available = list_extensions (WAMP_AUTHENTICATOR_EXTENSION_POINT);

          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s: no authenticator \"%s\" is loaded (available: %s)"),
                       method_path, method, available);
          return NULL;
        }
      if (!wamp_config_get_dict (auth, auth_path, method, TRUE, &method_block, error))
        return NULL;
      authenticator = wamp_authenticator_new (method);
      if (authenticator == NULL)
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s: authenticator \"%s\" cannot be instantiated"), method_path, method);
          return NULL;
        }
      if (!wamp_authenticator_configure (authenticator, method_block, method_path, error))
        return NULL;
      g_hash_table_insert (authenticators, g_strdup (method), g_steal_pointer (&authenticator));
    }
  return g_steal_pointer (&authenticators);
}

static void accept_cb (WampTransport *transport, WampConnection *connection, gpointer user_data);

static gboolean
configure_transports (WampRouter *self, WampValue *config, GPtrArray *transports, GError **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  WampValue *list = NULL;

  if (!wamp_config_get_list (config, "$", "transports", TRUE, &list, error)
      || !check_non_empty_list (list, "$", "transports", error))
    return FALSE;

  for (gsize i = 0; i < wamp_value_list_length (list); i++)
    {
      WampValue *block = wamp_value_list_get (list, i);
      g_autofree char *path = wamp_config_path_index ("$.transports", i);
      g_autoptr (GPtrArray) serializers = NULL;
      g_autoptr (GHashTable) authenticators = NULL;
      g_autoptr (WampTransport) transport = NULL;
      const char *name = NULL;
      const char *type = NULL;
      RouterTransport *rt;

      if (wamp_value_get_value_type (block) != WAMP_VALUE_DICT)
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       _("%s: must be an object"), path);
          return FALSE;
        }
      if (!wamp_config_get_string (block, path, "name", TRUE, NULL, &name, error)
          || !wamp_config_get_string (block, path, "type", TRUE, NULL, &type, error))
        return FALSE;
      if (name[0] == '\0' || !g_hash_table_add (names, (gpointer) name))
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                       name[0] == '\0' ? _("%s.name: must not be empty")
                                       : _("%s.name: transport \"%s\" is defined twice"),
                       path, name);
          return FALSE;
        }
      if (wamp_extension_lookup (WAMP_TRANSPORT_EXTENSION_POINT, type) == G_TYPE_INVALID)
        {
          g_autofree char *available = list_extensions (WAMP_TRANSPORT_EXTENSION_POINT);

          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s.type: no transport \"%s\" is loaded (available: %s)"),
                       path, type, available);
          return FALSE;
        }
      serializers = configure_serializers (block, path, error);
      if (serializers == NULL)
        return FALSE;
      authenticators = configure_auth (block, path, error);
      if (authenticators == NULL)
        return FALSE;
      transport = wamp_transport_new (type);
      if (transport == NULL)
        {
          g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                       _("%s.type: transport \"%s\" cannot be instantiated"), path, type);
          return FALSE;
        }
      if (!wamp_transport_configure (transport, self->reactor, block, path, serializers, error))
        return FALSE;

      rt = g_new0 (RouterTransport, 1);
      rt->name = g_strdup (name);
      rt->config = wamp_value_ref (block);
      rt->transport = g_steal_pointer (&transport);
      rt->authenticators = g_steal_pointer (&authenticators);
      wamp_transport_set_accept_func (rt->transport, accept_cb, self);
      g_ptr_array_add (transports, rt);
    }
  return TRUE;
}

static gboolean
configure_admin (WampRouter *self, WampValue *config, AdminDbus *out, GError **error)
{
  static const char *const known[] = { "dbus", NULL };
  static const char *const choices[] = { "none", "session", "system", NULL };
  WampValue *admin = NULL;
  const char *dbus = NULL;

  *out = ADMIN_DBUS_NONE;
  if (!wamp_config_get_dict (config, "$", "admin", FALSE, &admin, error))
    return FALSE;
  if (admin == NULL)
    return TRUE;
  if (!wamp_config_check_keys (admin, "$.admin", known, error)
      || !wamp_config_get_enum (admin, "$.admin", "dbus", FALSE, "none", choices, &dbus, error))
    return FALSE;
  *out = g_str_equal (dbus, "session") ? ADMIN_DBUS_SESSION
       : g_str_equal (dbus, "system") ? ADMIN_DBUS_SYSTEM : ADMIN_DBUS_NONE;
  return TRUE;
}

/* Nesting limit bounds: a message needs at least its array and a dict
 * inside it; the readers recurse per level, so the top is bounded too. */
#define MIN_NESTING_DEPTH 2
#define MAX_NESTING_DEPTH 256
#define DEFAULT_NESTING_DEPTH 32

typedef struct
{
  guint max_nesting_depth;
  guint join_timeout_ms;
} Limits;

static gboolean
configure_limits (WampValue *config, Limits *out, GError **error)
{
  static const char *const known[] = { "max_nesting_depth", "join_timeout", NULL };
  WampValue *limits = NULL;
  guint64 depth = DEFAULT_NESTING_DEPTH;
  guint64 join_timeout = DEFAULT_JOIN_TIMEOUT;

  if (!wamp_config_get_dict (config, "$", "limits", FALSE, &limits, error))
    return FALSE;
  if (limits != NULL
      && (!wamp_config_check_keys (limits, "$.limits", known, error)
          || !wamp_config_get_uint (limits, "$.limits", "max_nesting_depth", FALSE,
                                    DEFAULT_NESTING_DEPTH, MIN_NESTING_DEPTH, MAX_NESTING_DEPTH,
                                    &depth, error)
          || !wamp_config_get_uint (limits, "$.limits", "join_timeout", FALSE,
                                    DEFAULT_JOIN_TIMEOUT, 1, MAX_JOIN_TIMEOUT,
                                    &join_timeout, error)))
    return FALSE;
  out->max_nesting_depth = (guint) depth;
  out->join_timeout_ms = (guint) join_timeout * 1000;
  return TRUE;
}

/* Serializers are process-wide shared instances: each one that has the
 * "max-depth" property (all of ours do; a third party's may not) gets the
 * configured limit. */
static void
apply_nesting_limit (guint max_nesting_depth)
{
  g_auto (GStrv) names = wamp_extension_list (WAMP_SERIALIZER_EXTENSION_POINT);

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      WampSerializer *serializer = wamp_serializer_lookup (names[i]);
      GParamSpec *pspec;

      if (serializer == NULL)
        continue;
      pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (serializer), "max-depth");
      if (pspec == NULL || pspec->value_type != G_TYPE_UINT || !(pspec->flags & G_PARAM_WRITABLE))
        {
          g_debug ("serializer \"%s\" has no max-depth property: its own nesting limit applies",
                   names[i]);
          continue;
        }
      g_object_set (serializer, "max-depth", max_nesting_depth, NULL);
    }
}

gboolean
wamp_router_configure (WampRouter *self, WampValue *config, GError **error)
{
  static const char *const known[] = { "version", "realms", "transports", "admin", "limits", NULL };
  g_autoptr (GPtrArray) realms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) transports = g_ptr_array_new_with_free_func (router_transport_free);
  AdminDbus admin_dbus;
  guint64 version = 0;
  Limits limits;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (!self->configured, FALSE);

  if (!wamp_config_check_keys (config, "$", known, error)
      || !wamp_config_get_uint (config, "$", "version", TRUE, 1, 1, 1, &version, error)
      || !configure_admin (self, config, &admin_dbus, error)
      || !configure_limits (config, &limits, error))
    return FALSE;

  if (!configure_realms (self, config, realms, error))
    {
      for (guint i = 0; i < realms->len; i++)
        wamp_realm_shutdown (g_ptr_array_index (realms, i));
      return FALSE;
    }
  if (!configure_transports (self, config, transports, error))
    {
      for (guint i = 0; i < realms->len; i++)
        wamp_realm_shutdown (g_ptr_array_index (realms, i));
      return FALSE;
    }

  self->configured = TRUE;
  self->admin_dbus = admin_dbus;
  self->join_timeout_ms = limits.join_timeout_ms;
  apply_nesting_limit (limits.max_nesting_depth);
  for (guint i = 0; i < realms->len; i++)
    {
      WampRealm *realm = g_ptr_array_index (realms, i);

      g_ptr_array_add (self->realms, g_object_ref (realm));
      g_hash_table_insert (self->realms_by_name, (gpointer) wamp_realm_get_name (realm), realm);
    }
  g_ptr_array_extend_and_steal (self->transports, g_steal_pointer (&transports));
  return TRUE;
}

/* ---- reload -------------------------------------------------------------- */

static RouterTransport *
find_transport (GPtrArray *transports, const char *name)
{
  for (guint i = 0; i < transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (transports, i);

      if (g_str_equal (rt->name, name))
        return rt;
    }
  return NULL;
}

/* The keys of two transport blocks whose values differ, "auth" aside (it
 * changes live): a comma-separated list, NULL when there is none. */
static char *
transport_changed_keys (WampValue *old_block, WampValue *new_block)
{
  g_autoptr (GString) keys = g_string_new (NULL);
  WampValue *blocks[2] = { old_block, new_block };

  for (guint b = 0; b < G_N_ELEMENTS (blocks); b++)
    for (gsize i = 0; i < wamp_value_dict_size (blocks[b]); i++)
      {
        gsize len;
        const char *key = wamp_value_dict_get_key (blocks[b], i, &len);
        WampValue *old_value = wamp_value_dict_lookup_len (old_block, key, len);
        WampValue *new_value = wamp_value_dict_lookup_len (new_block, key, len);

        if (g_str_equal (key, "auth"))
          continue;
        /* A key in both blocks is looked at once, from the old one. */
        if (b == 1 && old_value != NULL)
          continue;
        if (old_value != NULL && new_value != NULL && wamp_value_equal (old_value, new_value))
          continue;
        if (keys->len > 0)
          g_string_append (keys, ", ");
        g_string_append_len (keys, key, len);
      }
  return keys->len > 0 ? g_string_free (g_steal_pointer (&keys), FALSE) : NULL;
}

static void
shutdown_realms (GPtrArray *realms)
{
  for (guint i = 0; i < realms->len; i++)
    wamp_realm_shutdown (g_ptr_array_index (realms, i));
}

/* Ends everything of @realm, which a reload removed: sessions still
 * authenticating into it are refused, established ones get GOODBYE
 * wamp.close.close_realm and their connections are closed after the reply
 * (or the GOODBYE timeout). Nobody can join it any more. */
static void
retire_realm (WampRouter *self, WampRealm *realm)
{
  const char *reason = wamp_error_code_to_uri (WAMP_ERROR_CLOSE_REALM);
  g_autoptr (GPtrArray) joining = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) sessions = wamp_realm_list_sessions (realm);
  GHashTableIter iter;
  gpointer session;

  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &session, NULL))
    if (wamp_session_get_joining_realm (session) == realm)
      g_ptr_array_add (joining, g_object_ref (session));
  for (guint i = 0; i < joining->len; i++)
    wamp_session_abort (g_ptr_array_index (joining, i), reason,
                        "The realm was removed from the router's configuration.");

  /* The list holds no references: each GOODBYE removes its session from the realm. */
  g_ptr_array_set_free_func (sessions, g_object_unref);
  for (guint i = 0; i < sessions->len; i++)
    g_object_ref (g_ptr_array_index (sessions, i));
  for (guint i = 0; i < sessions->len; i++)
    wamp_session_goodbye (g_ptr_array_index (sessions, i), reason,
                          "The realm was removed from the router's configuration.", TRUE);
  g_message ("reload: realm %s removed (%u session(s) closed)", wamp_realm_get_name (realm), sessions->len);
  wamp_realm_shutdown (realm);
}

gboolean
wamp_router_reload (WampRouter *self, WampValue *config, GStrv *restart_needed, GError **error)
{
  static const char *const known[] = { "version", "realms", "transports", "admin", "limits", NULL };
  g_autoptr (GPtrArray) candidates = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) new_transports = g_ptr_array_new_with_free_func (router_transport_free);
  g_autoptr (GPtrArray) added_transports = g_ptr_array_new ();
  g_autoptr (GPtrArray) realms = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) retired = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) restart = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) new_names = g_hash_table_new (g_str_hash, g_str_equal);
  AdminDbus admin_dbus;
  guint64 version = 0;
  Limits limits;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->configured, FALSE);

  if (restart_needed != NULL)
    *restart_needed = NULL;
  if (self->shutdown_task != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "the router is shutting down");
      return FALSE;
    }

  /* 1. Validate everything, changing nothing: the realms are built as
   * candidates and the transports configured, but nothing listens. */
  if (!wamp_config_check_keys (config, "$", known, error)
      || !wamp_config_get_uint (config, "$", "version", TRUE, 1, 1, 1, &version, error)
      || !configure_admin (self, config, &admin_dbus, error)
      || !configure_limits (config, &limits, error))
    return FALSE;
  if (!configure_realms (self, config, candidates, error))
    {
      shutdown_realms (candidates);
      return FALSE;
    }
  if (!configure_transports (self, config, new_transports, error))
    {
      shutdown_realms (candidates);
      return FALSE;
    }

  /* 2. Start the new transports: the one step that can still fail (a port
   * in use), so it comes before any change that could not be undone. */
  for (guint i = 0; i < new_transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (new_transports, i);

      if (find_transport (self->transports, rt->name) != NULL)
        continue;
      if (self->started && !wamp_transport_start (rt->transport, error))
        {
          g_prefix_error (error, "%s: ", rt->name);
          for (guint j = 0; j < added_transports->len; j++)
            wamp_transport_stop (((RouterTransport *) g_ptr_array_index (added_transports, j))->transport);
          shutdown_realms (candidates);
          return FALSE;
        }
      g_ptr_array_add (added_transports, rt);
    }

  /* 3. Commit. Transports: new ones join, existing ones take their new
   * authentication (sessions that are authenticating keep the authenticator
   * they started with), what cannot change while listening is reported. */
  for (guint i = 0; i < new_transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (new_transports, i);
      RouterTransport *old = find_transport (self->transports, rt->name);
      g_autofree char *changed = NULL;

      g_hash_table_add (new_names, rt->name);
      if (old == NULL)
        continue;
      changed = transport_changed_keys (old->config, rt->config);
      if (changed != NULL)
        g_ptr_array_add (restart, g_strdup_printf ("transport \"%s\": %s changed", rt->name, changed));
      else
        {
          /* The block minus auth is the same: keep the new one so that a
           * later reload compares against what the file now says. */
          g_clear_pointer (&old->config, wamp_value_unref);
          old->config = wamp_value_ref (rt->config);
        }
      g_clear_pointer (&old->authenticators, g_hash_table_unref);
      old->authenticators = g_steal_pointer (&rt->authenticators);
    }
  for (guint i = 0; i < self->transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (self->transports, i);

      if (!g_hash_table_contains (new_names, rt->name))
        g_ptr_array_add (restart, g_strdup_printf ("transport \"%s\": removed from the configuration, "
                                                   "still listening until a restart", rt->name));
    }
  for (guint i = 0; i < new_transports->len;)
    {
      RouterTransport *rt = g_ptr_array_index (new_transports, i);

      if (!g_ptr_array_find (added_transports, rt, NULL))
        {
          i++;
          continue;
        }
      g_message ("reload: transport %s added", rt->name);
      g_ptr_array_add (self->transports, g_ptr_array_steal_index (new_transports, i));
    }

  /* Realms, in the new config order: existing ones take the new settings
   * (their sessions and role state stay), new ones are joinable at once,
   * removed ones are retired. */
  for (guint i = 0; i < candidates->len; i++)
    {
      WampRealm *candidate = g_ptr_array_index (candidates, i);
      const char *name = wamp_realm_get_name (candidate);
      WampRealm *existing = g_hash_table_lookup (self->realms_by_name, name);
      g_autoptr (GPtrArray) not_updated = NULL;

      if (existing == NULL)
        {
          g_message ("reload: realm %s added", name);
          g_ptr_array_add (realms, g_object_ref (candidate));
          continue;
        }
      if (!wamp_realm_has_same_router_roles (existing, candidate))
        g_ptr_array_add (restart, g_strdup_printf ("realm \"%s\": router_roles changed", name));
      not_updated = g_ptr_array_new_with_free_func (g_free);
      wamp_realm_take_settings (existing, candidate, not_updated);
      for (guint j = 0; j < not_updated->len; j++)
        g_ptr_array_add (restart, g_strdup_printf ("realm \"%s\": options (router role \"%s\" cannot "
                                                   "change them live)",
                                                   name, (char *) g_ptr_array_index (not_updated, j)));
      wamp_realm_shutdown (candidate);
      g_ptr_array_add (realms, g_object_ref (existing));
    }
  for (guint i = 0; i < self->realms->len; i++)
    {
      WampRealm *realm = g_ptr_array_index (self->realms, i);

      if (!g_ptr_array_find (realms, realm, NULL))
        g_ptr_array_add (retired, g_object_ref (realm));
    }
  g_ptr_array_set_size (self->realms, 0);
  g_hash_table_remove_all (self->realms_by_name);
  for (guint i = 0; i < realms->len; i++)
    {
      WampRealm *realm = g_ptr_array_index (realms, i);

      g_ptr_array_add (self->realms, g_object_ref (realm));
      g_hash_table_insert (self->realms_by_name, (gpointer) wamp_realm_get_name (realm), realm);
    }
  /* After the table changed, so a client told to go cannot come back in. */
  for (guint i = 0; i < retired->len; i++)
    retire_realm (self, g_ptr_array_index (retired, i));

  if (admin_dbus != self->admin_dbus)
    g_ptr_array_add (restart, g_strdup ("admin.dbus changed"));
  /* Takes effect live: serializers read the limit per frame; the join
   * timeout applies to connections accepted from now on. */
  apply_nesting_limit (limits.max_nesting_depth);
  self->join_timeout_ms = limits.join_timeout_ms;

  if (restart_needed != NULL)
    {
      g_ptr_array_add (restart, NULL);
      *restart_needed = (GStrv) g_ptr_array_free (g_steal_pointer (&restart), FALSE);
    }
  return TRUE;
}

/* ---- running ------------------------------------------------------------- */

static void
accept_cb (WampTransport *transport, WampConnection *connection, gpointer user_data)
{
  WampRouter *self = user_data;

  if (!self->started)
    {
      wamp_connection_close (connection, WAMP_CLOSE_GOING_AWAY, "not accepting connections");
      return;
    }
  g_hash_table_add (self->sessions, wamp_session_new (self, transport, connection));
}

gboolean
wamp_router_start (WampRouter *self, GError **error)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_return_val_if_fail (self->configured, FALSE);

  if (self->started)
    return TRUE;
  self->started = TRUE;
  for (guint i = 0; i < self->transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (self->transports, i);

      if (!wamp_transport_start (rt->transport, error))
        {
          g_prefix_error (error, "%s: ", rt->name);
          while (i-- > 0)
            wamp_transport_stop (((RouterTransport *) g_ptr_array_index (self->transports, i))->transport);
          self->started = FALSE;
          return FALSE;
        }
    }
  return TRUE;
}

GStrv
wamp_router_get_listeners (WampRouter *self)
{
  g_autoptr (GStrvBuilder) builder = NULL;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);

  builder = g_strv_builder_new ();
  for (guint i = 0; self->started && i < self->transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (self->transports, i);
      g_auto (GStrv) urls = wamp_transport_get_urls (rt->transport);

      for (guint j = 0; urls != NULL && urls[j] != NULL; j++)
        {
          g_autofree char *line = g_strdup_printf ("%s %s", rt->name, urls[j]);

          g_strv_builder_add (builder, line);
        }
    }
  return g_strv_builder_end (builder);
}

static void
finish_shutdown (WampRouter *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->shutdown_task);

  if (self->shutdown_timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, self->shutdown_timer);
      self->shutdown_timer = NULL;
    }
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
shutdown_grace_expired_cb (WampReactor *reactor, gpointer user_data)
{
  WampRouter *self = user_data;
  g_autoptr (GPtrArray) rest = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer session;

  self->shutdown_timer = NULL;
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &session, NULL))
    g_ptr_array_add (rest, g_object_ref (session));
  g_info ("shutdown: closing %u connection(s) that did not answer GOODBYE", rest->len);
  for (guint i = 0; i < rest->len; i++)
    wamp_connection_close (wamp_session_get_connection (g_ptr_array_index (rest, i)),
                           WAMP_CLOSE_GOING_AWAY, "router shutdown");
  finish_shutdown (self);
}

void
wamp_router_shutdown_async (WampRouter *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GPtrArray) sessions = NULL;
  GHashTableIter iter;
  gpointer session;

  g_return_if_fail (WAMP_IS_ROUTER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, wamp_router_shutdown_async);
  if (self->shutdown_task != NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING, "shutdown already in progress");
      return;
    }

  for (guint i = 0; self->started && i < self->transports->len; i++)
    wamp_transport_stop (((RouterTransport *) g_ptr_array_index (self->transports, i))->transport);
  self->started = FALSE;

  /* A snapshot: sessions may disconnect (and leave the table) while we go. */
  sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->sessions);
  while (g_hash_table_iter_next (&iter, &session, NULL))
    g_ptr_array_add (sessions, g_object_ref (session));

  self->shutdown_task = g_steal_pointer (&task);
  for (guint i = 0; i < sessions->len; i++)
    {
      WampSession *s = g_ptr_array_index (sessions, i);

      if (wamp_session_get_state (s) == WAMP_SESSION_STATE_ESTABLISHED)
        wamp_session_goodbye (s, wamp_error_code_to_uri (WAMP_ERROR_SYSTEM_SHUTDOWN),
                              "The router is shutting down.", TRUE);
      else if (wamp_session_get_state (s) != WAMP_SESSION_STATE_SHUTTING_DOWN)
        wamp_connection_close (wamp_session_get_connection (s), WAMP_CLOSE_GOING_AWAY, "router shutdown");
    }

  if (self->shutdown_task == NULL)
    return;
  if (g_hash_table_size (self->sessions) == 0)
    finish_shutdown (self);
  else
    self->shutdown_timer = wamp_reactor_add_timer (self->reactor, SHUTDOWN_GRACE_MS,
                                                   shutdown_grace_expired_cb, self);
}

gboolean
wamp_router_shutdown_finish (WampRouter *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

WampReactor *
wamp_router_get_reactor (WampRouter *self)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);
  return self->reactor;
}

WampRealm *
wamp_router_lookup_realm (WampRouter *self, const char *name)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);
  if (name == NULL || self->realms_by_name == NULL)
    return NULL;
  return g_hash_table_lookup (self->realms_by_name, name);
}

GPtrArray *
wamp_router_list_realms (WampRouter *self)
{
  GPtrArray *list;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);

  list = g_ptr_array_new ();
  for (guint i = 0; self->realms != NULL && i < self->realms->len; i++)
    g_ptr_array_add (list, g_ptr_array_index (self->realms, i));
  return list;
}

guint64
wamp_router_next_id (WampRouter *self)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), 0);
  return wamp_id_next (&self->id_counter);
}

/* ---- administration ------------------------------------------------------- */

WampSession *
wamp_router_lookup_session (WampRouter *self, guint64 session_id)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);

  /* Realms are few; each looks the ID up in its own table. */
  for (guint i = 0; self->realms != NULL && i < self->realms->len; i++)
    {
      WampSession *session = wamp_realm_lookup_session (g_ptr_array_index (self->realms, i), session_id);

      if (session != NULL)
        return session;
    }
  return NULL;
}

guint
wamp_router_get_n_sessions (WampRouter *self)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), 0);
  return self->n_established;
}

gboolean
wamp_router_kill_session (WampRouter *self, guint64 session_id, const char *reason,
                          const char *message, GError **error)
{
  WampSession *session;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reason == NULL)
    reason = wamp_error_code_to_uri (WAMP_ERROR_KILLED);
  if (!wamp_uri_is_valid (reason, strlen (reason), WAMP_URI_CHECK_LOOSE, WAMP_URI_FLAGS_NONE))
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_URI, "\"%s\" is not a valid URI", reason);
      return FALSE;
    }
  session = wamp_router_lookup_session (self, session_id);
  if (session == NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_SESSION,
                   "no session %" G_GUINT64_FORMAT, session_id);
      return FALSE;
    }
  g_info ("killing session %" G_GUINT64_FORMAT " (%s)", session_id, reason);
  wamp_session_goodbye (session, reason, message, TRUE);
  return TRUE;
}

static WampValue *
message_counts (const guint64 *counts)
{
  WampValue *dict = wamp_value_new_dict (8);

  for (guint type = 0; type < N_COUNTED_TYPES; type++)
    {
      const char *name = wamp_message_type_to_string (type);

      if (counts[type] != 0 && name != NULL)
        wamp_value_dict_insert (dict, name, wamp_value_new_uint (counts[type]));
    }
  if (counts[N_COUNTED_TYPES] != 0)
    wamp_value_dict_insert (dict, "other", wamp_value_new_uint (counts[N_COUNTED_TYPES]));
  return dict;
}

WampValue *
wamp_router_get_stats (WampRouter *self)
{
  WampValue *stats;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);

  stats = wamp_value_new_dict (8);
  wamp_value_dict_insert (stats, "sessions", wamp_value_new_uint (self->n_established));
  wamp_value_dict_insert (stats, "connections",
                          wamp_value_new_uint (self->sessions != NULL ? g_hash_table_size (self->sessions) : 0));
  wamp_value_dict_insert (stats, "messages_in", message_counts (self->stats.messages_in));
  wamp_value_dict_insert (stats, "messages_out", message_counts (self->stats.messages_out));
  wamp_value_dict_insert (stats, "bytes_in", wamp_value_new_uint (self->stats.bytes_in));
  wamp_value_dict_insert (stats, "bytes_out", wamp_value_new_uint (self->stats.bytes_out));
  wamp_value_dict_insert (stats, "protocol_violations", wamp_value_new_uint (self->stats.protocol_violations));
  wamp_value_dict_insert (stats, "send_failures", wamp_value_new_uint (self->stats.send_failures));
  return stats;
}

const char *
wamp_router_get_admin_dbus (WampRouter *self)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);

  switch (self->admin_dbus)
    {
    case ADMIN_DBUS_SESSION:
      return "session";
    case ADMIN_DBUS_SYSTEM:
      return "system";
    case ADMIN_DBUS_NONE:
    default:
      return "none";
    }
}

/* ---- private ------------------------------------------------------------- */

const char *
wamp_router_get_transport_name (WampRouter *self, WampTransport *transport)
{
  for (guint i = 0; self->transports != NULL && i < self->transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (self->transports, i);

      if (rt->transport == transport)
        return rt->name;
    }
  return NULL;
}

void
wamp_router_session_joined (WampRouter *self, WampSession *session)
{
  self->n_established++;
  g_signal_emit (self, signals[SIGNAL_SESSION_JOINED], 0, session);
}

void
wamp_router_session_left (WampRouter *self, WampSession *session)
{
  if (self->n_established > 0)
    self->n_established--;
  g_signal_emit (self, signals[SIGNAL_SESSION_LEFT], 0, session);
}

void
wamp_router_count_in (WampRouter *self, gsize n_bytes)
{
  self->stats.bytes_in += n_bytes;
}

void
wamp_router_count_message_in (WampRouter *self, WampMessageType type)
{
  self->stats.messages_in[MIN ((guint) type, N_COUNTED_TYPES)]++;
}

void
wamp_router_count_out (WampRouter *self, WampMessageType type, gsize n_bytes)
{
  self->stats.messages_out[MIN ((guint) type, N_COUNTED_TYPES)]++;
  self->stats.bytes_out += n_bytes;
}

void
wamp_router_count_protocol_violation (WampRouter *self)
{
  self->stats.protocol_violations++;
}

void
wamp_router_count_send_failure (WampRouter *self)
{
  self->stats.send_failures++;
}

WampAuthenticator *
wamp_router_get_authenticator (WampRouter *self, WampTransport *transport, const char *authmethod)
{
  for (guint i = 0; self->transports != NULL && i < self->transports->len; i++)
    {
      RouterTransport *rt = g_ptr_array_index (self->transports, i);

      if (rt->transport == transport)
        return g_hash_table_lookup (rt->authenticators, authmethod);
    }
  return NULL;
}

guint64
wamp_router_reserve_session_id (WampRouter *self)
{
  guint64 id;

  do
    id = wamp_id_new_global ();
  while (g_hash_table_contains (self->session_ids, &id));
  g_hash_table_add (self->session_ids, g_memdup2 (&id, sizeof id));
  return id;
}

void
wamp_router_release_session_id (WampRouter *self, guint64 session_id)
{
  if (self->session_ids != NULL)
    g_hash_table_remove (self->session_ids, &session_id);
}

static void
trim_cb (WampReactor *reactor, gpointer user_data)
{
  WampRouter *self = user_data;

  self->trim_timer = NULL;
#ifdef __GLIBC__
  /* free() returns only the top of the heap; the pages of 10k ended
   * sessions sit below long-lived allocations. */
  malloc_trim (0);
#endif
}

void
wamp_router_session_disconnected (WampRouter *self, WampSession *session)
{
  if (self->sessions == NULL)
    return;
  g_hash_table_remove (self->sessions, session);
  if (self->trim_timer == NULL && self->reactor != NULL)
    self->trim_timer = wamp_reactor_add_timer (self->reactor, TRIM_DELAY_MS, trim_cb, self);
  if (self->shutdown_task != NULL && g_hash_table_size (self->sessions) == 0)
    finish_shutdown (self);
}

WampValue *
wamp_router_intern (WampRouter *self, WampValue *value)
{
  WampValue *shared;

  g_return_val_if_fail (WAMP_IS_ROUTER (self), NULL);
  g_return_val_if_fail (value != NULL, NULL);

  shared = g_hash_table_lookup (self->interned, value);
  if (shared != NULL)
    return wamp_value_ref (shared);
  /* A NaN inside equals nothing, not even itself: it could never be found
   * to be released. */
  if (!wamp_value_equal (value, value))
    return wamp_value_ref (value);
  g_hash_table_add (self->interned, wamp_value_ref (value));
  return wamp_value_ref (value);
}

void
wamp_router_unintern (WampRouter *self, WampValue *value)
{
  g_return_if_fail (WAMP_IS_ROUTER (self));
  g_return_if_fail (value != NULL);

  /* The table's reference and @value's: the last user leaves. */
  if (wamp_value_has_ref_count (value, 2) && g_hash_table_lookup (self->interned, value) == value)
    g_hash_table_remove (self->interned, value);
  wamp_value_unref (value);
}

guint
wamp_router_get_join_timeout_ms (WampRouter *self)
{
  g_return_val_if_fail (WAMP_IS_ROUTER (self), DEFAULT_JOIN_TIMEOUT * 1000);
  return self->join_timeout_ms;
}
