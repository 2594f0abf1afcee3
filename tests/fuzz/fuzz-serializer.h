/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the JSON, MessagePack and CBOR fuzz targets share: one input through
 * the frame and value readers, and the round-trip checks, which abort() on
 * any broken promise. */
#pragma once

#include <stddef.h>

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Whether two values (either may be NULL) count as the same for a format. */
typedef gboolean (*FuzzValuesSame) (WampSerializer *serializer,
                                    WampValue      *a,
                                    WampValue      *b);

/* What a frame that deserialized must allow, per format. */
typedef void (*FuzzCheckMessage) (WampSerializer *serializer,
                                  WampMessage    *message);

/* Aborts unless @a and @b have the same type, fields and payload values. */
void fuzz_check_same_message (WampSerializer *serializer,
                              WampMessage    *a,
                              WampMessage    *b,
                              FuzzValuesSame  same);

/* Serializes @message and deserializes the result, aborting when either
 * fails. @out: (out) (optional) (transfer full): the frame written.
 * Returns: (transfer full): the message read back. */
WampMessage *fuzz_round_trip (WampSerializer  *serializer,
                              WampMessage     *message,
                              GBytes         **out);

/* Returns: (transfer full): @message (which has a payload) with its payload
 * decoded, so that serializing it goes through the writer. Aborts when the
 * payload does not decode. */
WampMessage *fuzz_with_decoded_payload (WampMessage *message);

/* One fuzz input: as a frame, either a message that passes @check or a
 * protocol violation; as a single value, one that encodes and decodes back
 * the same by @same. */
void fuzz_serializer_input (WampSerializer   *serializer,
                            const guint8     *data,
                            size_t            size,
                            FuzzCheckMessage  check,
                            FuzzValuesSame    same);

G_END_DECLS
