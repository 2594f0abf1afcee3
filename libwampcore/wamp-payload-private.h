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

G_END_DECLS
