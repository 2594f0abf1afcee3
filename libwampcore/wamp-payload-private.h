/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core-internal helpers of WampPayload. */
#pragma once

#include <wamp/wamp-payload.h>

G_BEGIN_DECLS

/* Appends a rendering of @payload for logs: the values when they are decoded
 * already, else the serializer and span sizes (it never decodes). */
void wamp_payload_append_debug (const WampPayload *payload, GString *out);

/* wamp_payload_new_raw() without its checks, for the envelope builder whose
 * spans come from reading @frame itself (hot path: every message in). */
WampPayload *wamp_payload_new_span (WampSerializer *serializer,
                                    GBytes         *frame,
                                    gsize           args_offset,
                                    gsize           args_len,
                                    gsize           kwargs_offset,
                                    gsize           kwargs_len);

/* wamp_payload_new_span() for a frame the deserializer only borrows: the
 * spans of @data are copied into the payload's own block (one allocation). */
WampPayload *wamp_payload_new_span_copy (WampSerializer *serializer,
                                         const guint8   *data,
                                         gsize           args_offset,
                                         gsize           args_len,
                                         gsize           kwargs_offset,
                                         gsize           kwargs_len);

/* The bytes of @payload's raw spans (0 for a payload of values): what
 * re-encoding it with its own serializer copies. */
gsize wamp_payload_get_raw_size (const WampPayload *payload);

G_END_DECLS
