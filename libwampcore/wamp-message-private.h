/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core-internal parts of WampMessage: its struct and inline accessors, its
 * encoding cache, the deserializers' constructor. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* ERROR has the most elements before its payload: [8, Type, Request, Details, Error]. */
#define WAMP_MESSAGE_MAX_FIELDS 5

/* json, msgpack and cbor fit inline; a fourth serializer spills to the heap. */
#define WAMP_MESSAGE_INLINE_CACHE 3

/* Here rather than in wamp-message.c so the core's per-message code (the
 * envelope writer, the serializer and connection wrappers) reads it inline
 * instead of through the public getters' calls and checks. */
typedef struct
{
  WampSerializer *serializer; /* (owned) */
  GBytes *encoding;           /* (owned) (nullable): NULL when @failure is set */
  GError *failure;            /* (owned) (nullable): why @serializer could not encode it */
} WampMessageCacheEntry;

struct _WampMessage
{
  gatomicrefcount ref_count;
  guint8 type;
  guint8 n_fields;
  guint8 n_cache;
  WampValue *fields[WAMP_MESSAGE_MAX_FIELDS]; /* (owned) */
  WampPayload *payload;                       /* (nullable) (owned) */
  WampMessageCacheEntry cache[WAMP_MESSAGE_INLINE_CACHE];
  WampMessageCacheEntry *cache_overflow;      /* (nullable): entries beyond the inline ones */
};

/* wamp_message_get_n_fields(), _get_field(), _get_payload() and
 * _get_message_type() without the call and checks: @message is valid. */
static inline gsize
wamp_message_n_fields_inline (const WampMessage *message)
{
  return message->n_fields;
}

static inline WampValue *
wamp_message_field_inline (const WampMessage *message,
                           gsize              index)
{
  return message->fields[index];
}

static inline WampPayload *
wamp_message_payload_inline (const WampMessage *message)
{
  return message->payload;
}

static inline WampMessageType
wamp_message_type_inline (const WampMessage *message)
{
  return (WampMessageType) message->type;
}

/* Whether any serializer encoded (or failed on) @message before: most
 * messages go to one receiver and never have. */
static inline gboolean
wamp_message_has_cached (const WampMessage *message)
{
  return message->n_cache > 0;
}

/* What @serializer made of @message before, in one lookup: its encoding, or
 * the error it failed with. A serializer that could not encode @message (a
 * value its format cannot carry) fails the same way for every receiver: the
 * first error is kept so a fan-out to N receivers on that serializer tries
 * once, not N times. @encoding, @failure: (out) (transfer none) (nullable).
 * Returns: TRUE when there is either. */
gboolean wamp_message_lookup_cached (const WampMessage  *message,
                                     WampSerializer     *serializer,
                                     GBytes            **encoding,
                                     const GError      **failure);
/* @failure: (transfer none): copied. Ignored when an encoding is cached. */
void wamp_message_set_cached_failure (WampMessage    *message,
                                      WampSerializer *serializer,
                                      const GError   *failure);

/* Whether @code is a message type (1 .. WAMP_MESSAGE_TYPE_MAX, defined);
 * then its wamp_message_type_payload_index() in @payload_index: both in one
 * lookup for the envelope builder (every message in). */
gboolean wamp_message_type_lookup (gint64  code,
                                   gint   *payload_index);

/* wamp_message_new_from_fields() for a deserializer's own fields: on
 * success the message takes @fields and @payload over instead of taking
 * references (one atomic increment and decrement fewer per field, per
 * message). On failure (NULL with @error) both stay the caller's. */
WampMessage *wamp_message_new_take_fields (WampValue   **fields,
                                           gsize         n_fields,
                                           WampPayload  *payload,
                                           GError      **error);

G_END_DECLS
