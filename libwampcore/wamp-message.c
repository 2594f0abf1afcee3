/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampMessage: one validated WAMP message (fields as WampValues, the payload
 * kept raw) with its per-serializer encoding cache. */

#include "config.h"

#include <string.h>

#include <wamp/wamp-error.h>
#include <wamp/wamp-message.h>
#include <wamp/wamp-serializer.h>

#include "wamp-message-private.h"
#include "wamp-payload-private.h"
#include "wamp-serializer-private.h"
#include "wamp-spare-list.h"
#include "wamp-value-private.h"

#define ID_MAX G_GUINT64_CONSTANT (9007199254740992) /* 2^53, as WAMP_ID_MAX */

typedef enum {
  KIND_TYPE,          /* element 0 */
  KIND_ID,            /* integer in [0, 2^53] */
  KIND_DICT,
  KIND_URI,           /* a string without NUL; syntax is the realm's business */
  KIND_URI_OR_NULL,
  KIND_STRING,
  KIND_REQUEST_TYPE,  /* ERROR's REQUEST.Type */
} FieldKind;

/* Where each field lives, by wire position; -1 when the type lacks it. */
typedef struct
{
  const char *name;
  guint8 n_min;           /* fields before the payload, including element 0 */
  guint8 n_max;
  gint8 payload_index;    /* -1: no payload */
  guint8 kinds[WAMP_MESSAGE_MAX_FIELDS];
  const char *names[WAMP_MESSAGE_MAX_FIELDS];
  gint8 request, session, subscription, publication, registration, uri, details;
} MessageSpec;

/* Wire positions of: Request, Session, Subscription, Publication,
 * Registration, the URI/string field, Details/Options/Extra. */
#define POS(req, ses, sub, pub, reg, uri, det) req, ses, sub, pub, reg, uri, det

static const MessageSpec specs[WAMP_MESSAGE_TYPE_MAX + 1] = {
  [WAMP_MESSAGE_HELLO] = { "HELLO", 3, 3, -1,
    { KIND_TYPE, KIND_URI_OR_NULL, KIND_DICT }, { "Type", "Realm", "Details" },
    POS (-1, -1, -1, -1, -1, 1, 2) },
  [WAMP_MESSAGE_WELCOME] = { "WELCOME", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "Session", "Details" },
    POS (-1, 1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_ABORT] = { "ABORT", 3, 3, 3,
    { KIND_TYPE, KIND_DICT, KIND_URI }, { "Type", "Details", "Reason" },
    POS (-1, -1, -1, -1, -1, 2, 1) },
  [WAMP_MESSAGE_CHALLENGE] = { "CHALLENGE", 3, 3, -1,
    { KIND_TYPE, KIND_STRING, KIND_DICT }, { "Type", "AuthMethod", "Extra" },
    POS (-1, -1, -1, -1, -1, 1, 2) },
  [WAMP_MESSAGE_AUTHENTICATE] = { "AUTHENTICATE", 3, 3, -1,
    { KIND_TYPE, KIND_STRING, KIND_DICT }, { "Type", "Signature", "Extra" },
    POS (-1, -1, -1, -1, -1, 1, 2) },
  [WAMP_MESSAGE_GOODBYE] = { "GOODBYE", 3, 3, -1,
    { KIND_TYPE, KIND_DICT, KIND_URI }, { "Type", "Details", "Reason" },
    POS (-1, -1, -1, -1, -1, 2, 1) },
  [WAMP_MESSAGE_ERROR] = { "ERROR", 5, 5, 5,
    { KIND_TYPE, KIND_REQUEST_TYPE, KIND_ID, KIND_DICT, KIND_URI },
    { "Type", "REQUEST.Type", "REQUEST.Request", "Details", "Error" },
    POS (2, -1, -1, -1, -1, 4, 3) },
  [WAMP_MESSAGE_PUBLISH] = { "PUBLISH", 4, 4, 4,
    { KIND_TYPE, KIND_ID, KIND_DICT, KIND_URI }, { "Type", "Request", "Options", "Topic" },
    POS (1, -1, -1, -1, -1, 3, 2) },
  [WAMP_MESSAGE_PUBLISHED] = { "PUBLISHED", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_ID }, { "Type", "PUBLISH.Request", "Publication" },
    POS (1, -1, -1, 2, -1, -1, -1) },
  [WAMP_MESSAGE_SUBSCRIBE] = { "SUBSCRIBE", 4, 4, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT, KIND_URI }, { "Type", "Request", "Options", "Topic" },
    POS (1, -1, -1, -1, -1, 3, 2) },
  [WAMP_MESSAGE_SUBSCRIBED] = { "SUBSCRIBED", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_ID }, { "Type", "SUBSCRIBE.Request", "Subscription" },
    POS (1, -1, 2, -1, -1, -1, -1) },
  [WAMP_MESSAGE_UNSUBSCRIBE] = { "UNSUBSCRIBE", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_ID }, { "Type", "Request", "SUBSCRIBED.Subscription" },
    POS (1, -1, 2, -1, -1, -1, -1) },
  [WAMP_MESSAGE_UNSUBSCRIBED] = { "UNSUBSCRIBED", 2, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "UNSUBSCRIBE.Request", "Details" },
    POS (1, -1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_EVENT] = { "EVENT", 4, 4, 4,
    { KIND_TYPE, KIND_ID, KIND_ID, KIND_DICT },
    { "Type", "SUBSCRIBED.Subscription", "PUBLISHED.Publication", "Details" },
    POS (-1, -1, 1, 2, -1, -1, 3) },
  [WAMP_MESSAGE_CALL] = { "CALL", 4, 4, 4,
    { KIND_TYPE, KIND_ID, KIND_DICT, KIND_URI }, { "Type", "Request", "Options", "Procedure" },
    POS (1, -1, -1, -1, -1, 3, 2) },
  [WAMP_MESSAGE_CANCEL] = { "CANCEL", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "CALL.Request", "Options" },
    POS (1, -1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_RESULT] = { "RESULT", 3, 3, 3,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "CALL.Request", "Details" },
    POS (1, -1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_REGISTER] = { "REGISTER", 4, 4, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT, KIND_URI }, { "Type", "Request", "Options", "Procedure" },
    POS (1, -1, -1, -1, -1, 3, 2) },
  [WAMP_MESSAGE_REGISTERED] = { "REGISTERED", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_ID }, { "Type", "REGISTER.Request", "Registration" },
    POS (1, -1, -1, -1, 2, -1, -1) },
  [WAMP_MESSAGE_UNREGISTER] = { "UNREGISTER", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_ID }, { "Type", "Request", "REGISTERED.Registration" },
    POS (1, -1, -1, -1, 2, -1, -1) },
  [WAMP_MESSAGE_UNREGISTERED] = { "UNREGISTERED", 2, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "UNREGISTER.Request", "Details" },
    POS (1, -1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_INVOCATION] = { "INVOCATION", 4, 4, 4,
    { KIND_TYPE, KIND_ID, KIND_ID, KIND_DICT },
    { "Type", "Request", "REGISTERED.Registration", "Details" },
    POS (1, -1, -1, -1, 2, -1, 3) },
  [WAMP_MESSAGE_INTERRUPT] = { "INTERRUPT", 3, 3, -1,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "INVOCATION.Request", "Options" },
    POS (1, -1, -1, -1, -1, -1, 2) },
  [WAMP_MESSAGE_YIELD] = { "YIELD", 3, 3, 3,
    { KIND_TYPE, KIND_ID, KIND_DICT }, { "Type", "INVOCATION.Request", "Options" },
    POS (1, -1, -1, -1, -1, -1, 2) },
};

#undef POS

G_DEFINE_BOXED_TYPE (WampMessage, wamp_message, wamp_message_ref, wamp_message_unref)

/* Released structs wait for the next message of their thread (a routed call
 * makes and frees four): one malloc and free fewer per message. */
#define SPARE_MESSAGES 64

static __thread WampSpareList spares __attribute__ ((tls_model ("initial-exec")));
static GPrivate spares_key = G_PRIVATE_INIT (wamp_spare_list_clear);

static WampMessage *
message_alloc (void)
{
  return wamp_spare_list_take (&spares, sizeof (WampMessage));
}

static void
message_free (WampMessage *self)
{
  wamp_spare_list_give (&spares, &spares_key, self, sizeof *self, SPARE_MESSAGES);
}

static const MessageSpec *
spec_for (gint64 type)
{
  if (type < 0 || type > WAMP_MESSAGE_TYPE_MAX || specs[type].name == NULL)
    return NULL;
  return &specs[type];
}

/* Returns: (transfer none) (nullable). */
const char *
wamp_message_type_to_string (WampMessageType type)
{
  const MessageSpec *spec = spec_for (type);

  return spec != NULL ? spec->name : NULL;
}

gint
wamp_message_type_payload_index (WampMessageType type)
{
  const MessageSpec *spec = spec_for (type);

  return spec != NULL ? spec->payload_index : -1;
}

gboolean
wamp_message_type_lookup (gint64  code,
                          gint   *payload_index)
{
  const MessageSpec *spec = spec_for (code);

  if (spec == NULL)
    return FALSE;
  *payload_index = spec->payload_index;
  return TRUE;
}

static gboolean
is_error_request_type (gint64 type)
{
  switch (type)
    {
    case WAMP_MESSAGE_SUBSCRIBE:
    case WAMP_MESSAGE_UNSUBSCRIBE:
    case WAMP_MESSAGE_PUBLISH:
    case WAMP_MESSAGE_REGISTER:
    case WAMP_MESSAGE_UNREGISTER:
    case WAMP_MESSAGE_CALL:
    case WAMP_MESSAGE_INVOCATION:
    case WAMP_MESSAGE_CANCEL:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Takes ownership of @fields[0 .. n_fields-1]; nothing is validated. */
static WampMessage *
message_new_take (WampMessageType  type,
                  WampValue      **fields,
                  gsize            n_fields,
                  WampPayload     *payload)
{
  WampMessage *self = message_alloc ();

  /* Only what is read before being written: the cache entries count from
   * n_cache, the fields from n_fields. */
  self->ref_count = 1; /* g_atomic_ref_count_init() without the call */
  self->type = (guint8) type;
  self->n_fields = (guint8) n_fields;
  self->n_cache = 0;
  self->cache_overflow = NULL;
  for (gsize i = 0; i < n_fields; i++)
    self->fields[i] = fields[i];
  self->payload = payload != NULL ? wamp_payload_ref (payload) : NULL;
  return self;
}

/* What @value should have been as element @index of @spec's type, or NULL
 * when it is fine. Inline in check_fields()'s loop; the error is made there. */
static inline const char *
field_problem (const MessageSpec *spec,
               gsize              index,
               const WampValue   *value)
{
  guint64 id;

  switch ((FieldKind) spec->kinds[index])
    {
    case KIND_TYPE:
      return NULL;
    case KIND_ID:
      return wamp_value_get_id_inline (value, &id) ? NULL
                                                   : "an ID (an integer in [0, 2^53])";
    case KIND_DICT:
      return wamp_value_type_inline (value) == WAMP_VALUE_DICT ? NULL : "a dict";
    case KIND_URI:
      return wamp_value_is_plain_string (value) ? NULL : "a string";
    case KIND_URI_OR_NULL:
      return wamp_value_is_plain_string (value) ||
             wamp_value_type_inline (value) == WAMP_VALUE_NULL ? NULL : "a string or null";
    case KIND_STRING:
      return wamp_value_type_inline (value) == WAMP_VALUE_STRING ? NULL : "a string";
    case KIND_REQUEST_TYPE:
      return wamp_value_type_inline (value) == WAMP_VALUE_INT &&
             is_error_request_type (wamp_value_get_int_inline (value))
             ? NULL : "the type of a message answered by ERROR";
    default:
      g_assert_not_reached ();
    }
}

/* The checks of wamp_message_new_from_fields(): the spec of @fields' type,
 * or NULL with @error. */
static const MessageSpec *
check_fields (WampValue *const *fields,
              gsize             n_fields,
              WampPayload      *payload,
              GError          **error)
{
  const MessageSpec *spec;
  gint64 type;

  if (n_fields == 0)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                           "empty message");
      return NULL;
    }
  if (wamp_value_type_inline (fields[0]) != WAMP_VALUE_INT)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                   "element 0 (Type) must be an integer, not a %s",
                   wamp_value_type_to_string (wamp_value_get_value_type (fields[0])));
      return NULL;
    }
  type = wamp_value_get_int_inline (fields[0]);
  spec = spec_for (type);
  if (spec == NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                   "unknown message type %" G_GINT64_FORMAT, type);
      return NULL;
    }

  if (n_fields < spec->n_min || n_fields > spec->n_max)
    {
      if (spec->n_min == spec->n_max)
        g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                     "%s: expected %u elements%s, got %" G_GSIZE_FORMAT,
                     spec->name, spec->n_min,
                     spec->payload_index >= 0 ? " before Arguments" : "", n_fields);
      else
        g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                     "%s: expected %u or %u elements, got %" G_GSIZE_FORMAT,
                     spec->name, spec->n_min, spec->n_max, n_fields);
      return NULL;
    }

  if (payload != NULL && spec->payload_index < 0)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                   "%s: expected %u elements, got Arguments after them",
                   spec->name, spec->n_max);
      return NULL;
    }

  for (gsize i = 1; i < n_fields; i++)
    {
      const char *what = field_problem (spec, i, fields[i]);

      if (G_UNLIKELY (what != NULL))
        {
          g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                       "%s: element %" G_GSIZE_FORMAT " (%s) must be %s",
                       spec->name, i, spec->names[i], what);
          return NULL;
        }
    }
  return spec;
}

/* @fields: (transfer none). @payload: (transfer none) (nullable).
 * Returns: (transfer full) (nullable). */
WampMessage *
wamp_message_new_from_fields (WampValue *const *fields,
                              gsize             n_fields,
                              WampPayload      *payload,
                              GError          **error)
{
  const MessageSpec *spec;
  WampValue *owned[WAMP_MESSAGE_MAX_FIELDS];

  g_return_val_if_fail (fields != NULL || n_fields == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  for (gsize i = 0; i < n_fields; i++)
    g_return_val_if_fail (fields[i] != NULL, NULL);

  spec = check_fields (fields, n_fields, payload, error);
  if (spec == NULL)
    return NULL;
  for (gsize i = 0; i < n_fields; i++)
    owned[i] = wamp_value_ref (fields[i]);
  return message_new_take ((WampMessageType) (spec - specs), owned, n_fields, payload);
}

/* @fields: (transfer full) on success, else (transfer none); @payload:
 * (transfer full) (nullable) on success, else (transfer none).
 * Returns: (transfer full) (nullable). */
WampMessage *
wamp_message_new_take_fields (WampValue   **fields,
                              gsize         n_fields,
                              WampPayload  *payload,
                              GError      **error)
{
  const MessageSpec *spec = check_fields (fields, n_fields, payload, error);
  WampMessage *self;

  if (spec == NULL)
    return NULL;
  self = message_new_take ((WampMessageType) (spec - specs), fields, n_fields, NULL);
  self->payload = payload;
  return self;
}

/* Typed constructors: the caller is trusted code, so arguments are checked
 * with g_return_val_if_fail and the fields are built without revalidation. */

static WampValue *
dict_or_empty (WampValue *dict)
{
  return wamp_value_ref_inline (dict != NULL ? dict : wamp_value_get_empty_dict ());
}

/* Every message's type code fits a tagged integer: no call. */
#define TYPE_VALUE(type) wamp_value_new_id_inline ((guint64) (type))

#define CHECK_DICT(d, ret) \
  g_return_val_if_fail ((d) == NULL || wamp_value_type_inline (d) == WAMP_VALUE_DICT, ret)
#define CHECK_ID(id, ret) g_return_val_if_fail ((id) <= ID_MAX, ret)

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_hello (const char *realm,
                        WampValue  *details)
{
  WampValue *f[3];

  CHECK_DICT (details, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_HELLO);
  f[1] = realm != NULL ? wamp_value_new_string (realm) : wamp_value_new_null ();
  f[2] = dict_or_empty (details);
  return message_new_take (WAMP_MESSAGE_HELLO, f, 3, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_welcome (guint64    session_id,
                          WampValue *details)
{
  WampValue *f[3];

  CHECK_ID (session_id, NULL);
  CHECK_DICT (details, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_WELCOME);
  f[1] = wamp_value_new_id_inline (session_id);
  f[2] = dict_or_empty (details);
  return message_new_take (WAMP_MESSAGE_WELCOME, f, 3, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_abort (WampValue   *details,
                        const char  *reason,
                        WampPayload *payload)
{
  WampValue *f[3];

  CHECK_DICT (details, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_ABORT);
  f[1] = dict_or_empty (details);
  f[2] = wamp_value_new_string (reason);
  return message_new_take (WAMP_MESSAGE_ABORT, f, 3, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_challenge (const char *authmethod,
                            WampValue  *extra)
{
  WampValue *f[3];

  g_return_val_if_fail (authmethod != NULL, NULL);
  CHECK_DICT (extra, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_CHALLENGE);
  f[1] = wamp_value_new_string (authmethod);
  f[2] = dict_or_empty (extra);
  return message_new_take (WAMP_MESSAGE_CHALLENGE, f, 3, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_authenticate (const char *signature,
                               WampValue  *extra)
{
  WampValue *f[3];

  g_return_val_if_fail (signature != NULL, NULL);
  CHECK_DICT (extra, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_AUTHENTICATE);
  f[1] = wamp_value_new_string (signature);
  f[2] = dict_or_empty (extra);
  return message_new_take (WAMP_MESSAGE_AUTHENTICATE, f, 3, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_goodbye (WampValue  *details,
                          const char *reason)
{
  WampValue *f[3];

  CHECK_DICT (details, NULL);
  g_return_val_if_fail (reason != NULL, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_GOODBYE);
  f[1] = dict_or_empty (details);
  f[2] = wamp_value_new_string (reason);
  return message_new_take (WAMP_MESSAGE_GOODBYE, f, 3, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_error (WampMessageType  request_type,
                        guint64          request_id,
                        WampValue       *details,
                        const char      *error_uri,
                        WampPayload     *payload)
{
  WampValue *f[5];

  g_return_val_if_fail (is_error_request_type (request_type), NULL);
  CHECK_ID (request_id, NULL);
  CHECK_DICT (details, NULL);
  g_return_val_if_fail (error_uri != NULL, NULL);

  f[0] = TYPE_VALUE (WAMP_MESSAGE_ERROR);
  f[1] = wamp_value_new_int (request_type);
  f[2] = wamp_value_new_id_inline (request_id);
  f[3] = dict_or_empty (details);
  f[4] = wamp_value_new_string (error_uri);
  return message_new_take (WAMP_MESSAGE_ERROR, f, 5, payload);
}

/* [Type, Request|id, Dict, Uri] for PUBLISH, SUBSCRIBE, CALL, REGISTER. */
static WampMessage *
new_request_dict_uri (WampMessageType  type,
                      guint64          request_id,
                      WampValue       *dict,
                      const char      *uri,
                      WampPayload     *payload)
{
  WampValue *f[4];

  CHECK_ID (request_id, NULL);
  CHECK_DICT (dict, NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  f[0] = TYPE_VALUE (type);
  f[1] = wamp_value_new_id_inline (request_id);
  f[2] = dict_or_empty (dict);
  f[3] = wamp_value_new_string (uri);
  return message_new_take (type, f, 4, payload);
}

/* [Type, id, id] for PUBLISHED, SUBSCRIBED, UNSUBSCRIBE, REGISTERED, UNREGISTER. */
static WampMessage *
new_id_id (WampMessageType type,
           guint64         a,
           guint64         b)
{
  WampValue *f[3];

  CHECK_ID (a, NULL);
  CHECK_ID (b, NULL);

  f[0] = TYPE_VALUE (type);
  f[1] = wamp_value_new_id_inline (a);
  f[2] = wamp_value_new_id_inline (b);
  return message_new_take (type, f, 3, NULL);
}

/* [Type, id, Dict] for CANCEL, RESULT, INTERRUPT, YIELD; with @optional_dict
 * a NULL dict gives [Type, id] (UNSUBSCRIBED, UNREGISTERED). */
static WampMessage *
new_id_dict (WampMessageType  type,
             guint64          id,
             WampValue       *dict,
             gboolean         optional_dict,
             WampPayload     *payload)
{
  WampValue *f[3];

  CHECK_ID (id, NULL);
  CHECK_DICT (dict, NULL);

  f[0] = TYPE_VALUE (type);
  f[1] = wamp_value_new_id_inline (id);
  if (optional_dict && dict == NULL)
    return message_new_take (type, f, 2, payload);
  f[2] = dict_or_empty (dict);
  return message_new_take (type, f, 3, payload);
}

/* [Type, id, id, Dict] for EVENT and INVOCATION. */
static WampMessage *
new_id_id_dict (WampMessageType  type,
                guint64          a,
                guint64          b,
                WampValue       *dict,
                WampPayload     *payload)
{
  WampValue *f[4];

  CHECK_ID (a, NULL);
  CHECK_ID (b, NULL);
  CHECK_DICT (dict, NULL);

  f[0] = TYPE_VALUE (type);
  f[1] = wamp_value_new_id_inline (a);
  f[2] = wamp_value_new_id_inline (b);
  f[3] = dict_or_empty (dict);
  return message_new_take (type, f, 4, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_publish (guint64      request_id,
                          WampValue   *options,
                          const char  *topic,
                          WampPayload *payload)
{
  return new_request_dict_uri (WAMP_MESSAGE_PUBLISH, request_id, options, topic, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_published (guint64 request_id,
                            guint64 publication_id)
{
  return new_id_id (WAMP_MESSAGE_PUBLISHED, request_id, publication_id);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_subscribe (guint64     request_id,
                            WampValue  *options,
                            const char *topic)
{
  return new_request_dict_uri (WAMP_MESSAGE_SUBSCRIBE, request_id, options, topic, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_subscribed (guint64 request_id,
                             guint64 subscription_id)
{
  return new_id_id (WAMP_MESSAGE_SUBSCRIBED, request_id, subscription_id);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_unsubscribe (guint64 request_id,
                              guint64 subscription_id)
{
  return new_id_id (WAMP_MESSAGE_UNSUBSCRIBE, request_id, subscription_id);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_unsubscribed (guint64    request_id,
                               WampValue *details)
{
  return new_id_dict (WAMP_MESSAGE_UNSUBSCRIBED, request_id, details, TRUE, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_event (guint64      subscription_id,
                        guint64      publication_id,
                        WampValue   *details,
                        WampPayload *payload)
{
  return new_id_id_dict (WAMP_MESSAGE_EVENT, subscription_id, publication_id, details, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_call (guint64      request_id,
                       WampValue   *options,
                       const char  *procedure,
                       WampPayload *payload)
{
  return new_request_dict_uri (WAMP_MESSAGE_CALL, request_id, options, procedure, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_cancel (guint64    request_id,
                         WampValue *options)
{
  return new_id_dict (WAMP_MESSAGE_CANCEL, request_id, options, FALSE, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_result (guint64      request_id,
                         WampValue   *details,
                         WampPayload *payload)
{
  return new_id_dict (WAMP_MESSAGE_RESULT, request_id, details, FALSE, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_register (guint64     request_id,
                           WampValue  *options,
                           const char *procedure)
{
  return new_request_dict_uri (WAMP_MESSAGE_REGISTER, request_id, options, procedure, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_registered (guint64 request_id,
                             guint64 registration_id)
{
  return new_id_id (WAMP_MESSAGE_REGISTERED, request_id, registration_id);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_unregister (guint64 request_id,
                             guint64 registration_id)
{
  return new_id_id (WAMP_MESSAGE_UNREGISTER, request_id, registration_id);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_unregistered (guint64    request_id,
                               WampValue *details)
{
  return new_id_dict (WAMP_MESSAGE_UNREGISTERED, request_id, details, TRUE, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_invocation (guint64      request_id,
                             guint64      registration_id,
                             WampValue   *details,
                             WampPayload *payload)
{
  return new_id_id_dict (WAMP_MESSAGE_INVOCATION, request_id, registration_id, details, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_interrupt (guint64    request_id,
                            WampValue *options)
{
  return new_id_dict (WAMP_MESSAGE_INTERRUPT, request_id, options, FALSE, NULL);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_new_yield (guint64      request_id,
                        WampValue   *options,
                        WampPayload *payload)
{
  return new_id_dict (WAMP_MESSAGE_YIELD, request_id, options, FALSE, payload);
}

/* Returns: (transfer full). */
WampMessage *
wamp_message_ref (WampMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  g_atomic_int_inc (&message->ref_count); /* g_atomic_ref_count_inc() without the call */
  return message;
}

static void
cache_entry_clear (WampMessageCacheEntry *entry)
{
  wamp_serializer_release (g_steal_pointer (&entry->serializer));
  g_clear_pointer (&entry->encoding, g_bytes_unref);
  g_clear_error (&entry->failure);
}

void
wamp_message_unref (WampMessage *message)
{
  g_return_if_fail (message != NULL);

  /* The sole owner (count 1) needs no atomic operation: no other thread
   * holds a reference to change it meanwhile. */
  if (g_atomic_int_get (&message->ref_count) != 1 &&
      !g_atomic_ref_count_dec (&message->ref_count))
    return;

  /* Types and IDs are tagged integers, most dicts the shared empty one:
   * their unref is skipped inline. */
  for (guint i = 0; i < message->n_fields; i++)
    wamp_value_unref_inline (message->fields[i]);
  if (message->payload != NULL)
    wamp_payload_unref (message->payload);
  if (message->n_cache > 0)
    {
      for (guint i = 0; i < message->n_cache; i++)
        cache_entry_clear (i < WAMP_MESSAGE_INLINE_CACHE ? &message->cache[i]
                           : &message->cache_overflow[i - WAMP_MESSAGE_INLINE_CACHE]);
      g_free (message->cache_overflow);
    }
  message_free (message);
}

WampMessageType
wamp_message_get_message_type (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return (WampMessageType) message->type;
}

gsize
wamp_message_get_n_fields (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return message->n_fields;
}

/* Returns: (transfer none). */
WampValue *
wamp_message_get_field (const WampMessage *message,
                        gsize              index)
{
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (index < message->n_fields, NULL);

  return message->fields[index];
}

/* The typed getters: @position is the spec's wire position of the field, -1
 * when the message type has no such field (a programming error). */
static guint64
get_id_at (const WampMessage *message,
           gint               position,
           const char        *what)
{
  guint64 id = 0;

  if (position < 0)
    {
      g_critical ("%s has no %s", specs[message->type].name, what);
      return 0;
    }
  /* An ID field holds an ID: checked when the message was made. */
  if (!wamp_value_get_id_inline (message->fields[position], &id))
    return 0;
  return id;
}

guint64
wamp_message_get_request_id (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return get_id_at (message, specs[message->type].request, "Request");
}

WampMessageType
wamp_message_get_request_type (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);
  g_return_val_if_fail (message->type == WAMP_MESSAGE_ERROR, 0);

  return (WampMessageType) wamp_value_get_int (message->fields[1]);
}

guint64
wamp_message_get_session_id (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return get_id_at (message, specs[message->type].session, "Session");
}

guint64
wamp_message_get_subscription_id (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return get_id_at (message, specs[message->type].subscription, "Subscription");
}

guint64
wamp_message_get_publication_id (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return get_id_at (message, specs[message->type].publication, "Publication");
}

guint64
wamp_message_get_registration_id (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, 0);

  return get_id_at (message, specs[message->type].registration, "Registration");
}

/* Returns: (transfer none) (nullable). */
const char *
wamp_message_get_uri (const WampMessage *message)
{
  gint position;
  WampValue *value;

  g_return_val_if_fail (message != NULL, NULL);
  position = specs[message->type].uri;
  g_return_val_if_fail (position >= 0, NULL);

  value = message->fields[position];
  if (wamp_value_type_inline (value) != WAMP_VALUE_STRING)
    return NULL; /* HELLO without a realm */
  return wamp_value_get_string (value, NULL);
}

/* Returns: (transfer none) (nullable). */
WampValue *
wamp_message_get_details (const WampMessage *message)
{
  gint position;

  g_return_val_if_fail (message != NULL, NULL);

  position = specs[message->type].details;
  if (position < 0)
    return NULL;
  if (position >= message->n_fields)
    return wamp_value_get_empty_dict (); /* two-element UNSUBSCRIBED/UNREGISTERED */
  return message->fields[position];
}

/* Returns: (transfer none) (nullable). */
WampPayload *
wamp_message_get_payload (const WampMessage *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return message->payload;
}

static WampMessageCacheEntry *
cache_entry (const WampMessage *message,
             guint              i)
{
  return i < WAMP_MESSAGE_INLINE_CACHE ? (WampMessageCacheEntry *) &message->cache[i]
                                       : &message->cache_overflow[i - WAMP_MESSAGE_INLINE_CACHE];
}

/* The cache entry of @serializer, or NULL. Serializers are singletons:
 * the pointer is the key. */
static WampMessageCacheEntry *
cache_entry_find (const WampMessage *message,
                  WampSerializer    *serializer)
{
  for (guint i = 0; i < message->n_cache; i++)
    {
      WampMessageCacheEntry *entry = cache_entry (message, i);

      if (entry->serializer == serializer)
        return entry;
    }
  return NULL;
}

/* Returns: (transfer none) (nullable). */
GBytes *
wamp_message_get_cached_encoding (const WampMessage *message,
                                  WampSerializer    *serializer)
{
  WampMessageCacheEntry *entry;

  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (serializer != NULL, NULL);

  entry = cache_entry_find (message, serializer);
  return entry != NULL ? entry->encoding : NULL;
}

/* The entry of @serializer, added when there is none. */
static WampMessageCacheEntry *
cache_entry_ensure (WampMessage    *message,
                    WampSerializer *serializer)
{
  WampMessageCacheEntry *entry = cache_entry_find (message, serializer);

  if (entry != NULL)
    return entry;
  g_return_val_if_fail (message->n_cache < G_MAXUINT8, NULL);

  if (message->n_cache >= WAMP_MESSAGE_INLINE_CACHE)
    message->cache_overflow = g_renew (WampMessageCacheEntry, message->cache_overflow,
                                       message->n_cache + 1 - WAMP_MESSAGE_INLINE_CACHE);
  entry = cache_entry (message, message->n_cache++);
  entry->serializer = wamp_serializer_hold (serializer);
  entry->encoding = NULL;
  entry->failure = NULL;
  return entry;
}

/* @serializer: (transfer none). @encoding: (transfer none). */
void
wamp_message_set_cached_encoding (WampMessage    *message,
                                  WampSerializer *serializer,
                                  GBytes         *encoding)
{
  WampMessageCacheEntry *entry;

  g_return_if_fail (message != NULL);
  g_return_if_fail (G_IS_OBJECT (serializer));
  g_return_if_fail (encoding != NULL);

  entry = cache_entry_ensure (message, serializer);
  if (entry == NULL)
    return;
  g_bytes_ref (encoding);
  g_clear_pointer (&entry->encoding, g_bytes_unref);
  g_clear_error (&entry->failure);
  entry->encoding = encoding;
}

gboolean
wamp_message_lookup_cached (const WampMessage  *message,
                            WampSerializer     *serializer,
                            GBytes            **encoding,
                            const GError      **failure)
{
  WampMessageCacheEntry *entry = cache_entry_find (message, serializer);

  *encoding = entry != NULL ? entry->encoding : NULL;
  *failure = entry != NULL ? entry->failure : NULL;
  return *encoding != NULL || *failure != NULL;
}

void
wamp_message_set_cached_failure (WampMessage    *message,
                                 WampSerializer *serializer,
                                 const GError   *failure)
{
  WampMessageCacheEntry *entry;

  g_return_if_fail (message != NULL);
  g_return_if_fail (G_IS_OBJECT (serializer));
  g_return_if_fail (failure != NULL);

  entry = cache_entry_ensure (message, serializer);
  if (entry == NULL || entry->encoding != NULL)
    return;
  g_clear_error (&entry->failure);
  entry->failure = g_error_copy (failure);
}

/* Returns: (transfer full). */
char *
wamp_message_to_debug_string (const WampMessage *message)
{
  GString *out;

  g_return_val_if_fail (message != NULL, NULL);

  out = g_string_new ("[");
  g_string_append (out, specs[message->type].name);
  for (guint i = 1; i < message->n_fields; i++)
    {
      g_autofree char *field = wamp_value_to_debug_string (message->fields[i]);

      g_string_append (out, ", ");
      g_string_append (out, field);
    }
  if (message->payload != NULL &&
      (wamp_payload_has_args (message->payload) || wamp_payload_has_kwargs (message->payload)))
    {
      g_string_append (out, ", ");
      wamp_payload_append_debug (message->payload, out);
    }
  g_string_append_c (out, ']');
  return g_string_free (out, FALSE);
}
