/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampMessage: one WAMP message, validated, with its encodings cached. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-value.h>
#include <wamp/wamp-payload.h>

G_BEGIN_DECLS

typedef enum {
  WAMP_MESSAGE_HELLO = 1,
  WAMP_MESSAGE_WELCOME = 2,
  WAMP_MESSAGE_ABORT = 3,
  WAMP_MESSAGE_CHALLENGE = 4,
  WAMP_MESSAGE_AUTHENTICATE = 5,
  WAMP_MESSAGE_GOODBYE = 6,
  WAMP_MESSAGE_ERROR = 8,
  WAMP_MESSAGE_PUBLISH = 16,
  WAMP_MESSAGE_PUBLISHED = 17,
  WAMP_MESSAGE_SUBSCRIBE = 32,
  WAMP_MESSAGE_SUBSCRIBED = 33,
  WAMP_MESSAGE_UNSUBSCRIBE = 34,
  WAMP_MESSAGE_UNSUBSCRIBED = 35,
  WAMP_MESSAGE_EVENT = 36,
  WAMP_MESSAGE_CALL = 48,
  WAMP_MESSAGE_CANCEL = 49,
  WAMP_MESSAGE_RESULT = 50,
  WAMP_MESSAGE_REGISTER = 64,
  WAMP_MESSAGE_REGISTERED = 65,
  WAMP_MESSAGE_UNREGISTER = 66,
  WAMP_MESSAGE_UNREGISTERED = 67,
  WAMP_MESSAGE_INVOCATION = 68,
  WAMP_MESSAGE_INTERRUPT = 69,
  WAMP_MESSAGE_YIELD = 70,
} WampMessageType;

/* The largest message type code; tables indexed by type use this + 1. */
#define WAMP_MESSAGE_TYPE_MAX 70

/* Returns: (transfer none) (nullable): "HELLO", ... or NULL for an unknown code. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_message_type_to_string (WampMessageType type);

/* Returns: the position of Arguments in a message of @type (ABORT 3, ERROR 5,
 * PUBLISH 4, EVENT 4, CALL 4, RESULT 3, INVOCATION 4, YIELD 3; ArgumentsKw
 * follows it), or -1 when the type carries no payload or is unknown. A
 * deserializer decodes the elements before it into WampValues and keeps the
 * rest raw. */
WAMP_AVAILABLE_IN_ALL
gint wamp_message_type_payload_index (WampMessageType type);

/**
 * WampMessage:
 *
 * Refcounted and immutable once built, except for its encoding cache. Its
 * non-payload elements are WampValues ("fields", element 0 being the type
 * code) that serializers walk with wamp_message_get_n_fields() and
 * wamp_message_get_field(); typed accessors serve everyone else. Accessors
 * for a field the message type does not have are programming errors.
 */
typedef struct _WampMessage WampMessage;

#define WAMP_TYPE_MESSAGE (wamp_message_get_type ())
WAMP_AVAILABLE_IN_ALL
GType wamp_message_get_type (void) G_GNUC_CONST;

/* Validates arity and element types against the spec and builds a message.
 * @fields: (array length=n_fields) (transfer none): every element before the
 * payload, fields[0] being the type code; @payload: (nullable) (transfer none).
 * A payload on a type without one, a non-dict Options/Details, a non-string
 * URI, an ID outside [0, 2^53], an unknown type or a wrong count give NULL and
 * WAMP_ERROR_PROTOCOL_VIOLATION with a message naming the element. URI syntax
 * is NOT checked here (that is a realm's uri_check). Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_from_fields (WampValue *const *fields,
                                           gsize             n_fields,
                                           WampPayload      *payload,
                                           GError          **error);

/* Typed constructors. Dict arguments are (transfer none) (nullable: NULL means
 * an empty dict); strings are copied; @payload is (transfer none) (nullable).
 * All return (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_hello (const char *realm, WampValue *details);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_welcome (guint64 session_id, WampValue *details);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_abort (WampValue *details, const char *reason, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_challenge (const char *authmethod, WampValue *extra);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_authenticate (const char *signature, WampValue *extra);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_goodbye (WampValue *details, const char *reason);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_error (WampMessageType request_type, guint64 request_id,
                                     WampValue *details, const char *error_uri,
                                     WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_publish (guint64 request_id, WampValue *options,
                                       const char *topic, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_published (guint64 request_id, guint64 publication_id);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_subscribe (guint64 request_id, WampValue *options, const char *topic);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_subscribed (guint64 request_id, guint64 subscription_id);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_unsubscribe (guint64 request_id, guint64 subscription_id);
/* @details: NULL gives the Basic Profile's two-element form. */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_unsubscribed (guint64 request_id, WampValue *details);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_event (guint64 subscription_id, guint64 publication_id,
                                     WampValue *details, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_call (guint64 request_id, WampValue *options,
                                    const char *procedure, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_cancel (guint64 request_id, WampValue *options);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_result (guint64 request_id, WampValue *details, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_register (guint64 request_id, WampValue *options, const char *procedure);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_registered (guint64 request_id, guint64 registration_id);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_unregister (guint64 request_id, guint64 registration_id);
/* @details: NULL gives the Basic Profile's two-element form. */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_unregistered (guint64 request_id, WampValue *details);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_invocation (guint64 request_id, guint64 registration_id,
                                          WampValue *details, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_interrupt (guint64 request_id, WampValue *options);
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_new_yield (guint64 request_id, WampValue *options, WampPayload *payload);

WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_message_ref (WampMessage *message);
WAMP_AVAILABLE_IN_ALL
void wamp_message_unref (WampMessage *message);

WAMP_AVAILABLE_IN_ALL
WampMessageType wamp_message_get_message_type (const WampMessage *message);

/* Serializers: the non-payload elements in wire order (field 0: the type code
 * as an INT value). Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
gsize wamp_message_get_n_fields (const WampMessage *message);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_message_get_field (const WampMessage *message, gsize index);

/* Request|id of every type that has one (ERROR: REQUEST.Request). */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_message_get_request_id (const WampMessage *message);
/* ERROR: REQUEST.Type. */
WAMP_AVAILABLE_IN_ALL
WampMessageType wamp_message_get_request_type (const WampMessage *message);
/* WELCOME: Session. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_message_get_session_id (const WampMessage *message);
/* SUBSCRIBED, UNSUBSCRIBE, EVENT: Subscription. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_message_get_subscription_id (const WampMessage *message);
/* PUBLISHED, EVENT: Publication. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_message_get_publication_id (const WampMessage *message);
/* REGISTERED, UNREGISTER, INVOCATION: Registration. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_message_get_registration_id (const WampMessage *message);
/* HELLO: Realm (nullable: dynamic realm assignment); ABORT, GOODBYE: Reason;
 * ERROR: Error; PUBLISH, SUBSCRIBE: Topic; CALL, REGISTER: Procedure;
 * CHALLENGE: AuthMethod; AUTHENTICATE: Signature. Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_message_get_uri (const WampMessage *message);
/* The Details, Options or Extra dict; never NULL for types that have one
 * (an empty dict then), NULL for the others. Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_message_get_details (const WampMessage *message);
/* Returns: (transfer none) (nullable): NULL when the message has no payload. */
WAMP_AVAILABLE_IN_ALL
WampPayload *wamp_message_get_payload (const WampMessage *message);

/* The encoding cache used by wamp_serializer_serialize(): at most one GBytes
 * per serializer. Returns: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_message_get_cached_encoding (const WampMessage *message, WampSerializer *serializer);
/* @encoding: (transfer none): referenced. */
WAMP_AVAILABLE_IN_ALL
void wamp_message_set_cached_encoding (WampMessage *message, WampSerializer *serializer, GBytes *encoding);

/* Returns: (transfer full): e.g. `[PUBLISH, 7, {}, "com.example.topic", <payload>]` for logs. */
WAMP_AVAILABLE_IN_ALL
char *wamp_message_to_debug_string (const WampMessage *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampMessage, wamp_message_unref)

G_END_DECLS
