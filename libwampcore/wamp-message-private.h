/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core-internal parts of WampMessage: its encoding cache, the deserializers'
 * constructor. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

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
