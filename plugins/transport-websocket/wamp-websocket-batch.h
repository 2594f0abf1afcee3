/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WAMP-over-Batched-WebSocket framing (spec: advanced/transport_batched_websocket.md). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A batched subprotocol is the serializer's with this suffix. */
#define WAMP_WEBSOCKET_BATCHED_SUFFIX ".batched"

/* The JSON record separator we write after each message. The spec's text
 * says `\30`, an octal escape: 0x18, which AutobahnPython (and so Crossbar)
 * writes and is the only one it reads; the spec's 0x1e ("record separator")
 * is accepted when reading too. */
#define WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR 0x18
#define WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR_ALT 0x1e

/* Binary batches prefix each message with its length, 4 bytes big-endian. */
#define WAMP_WEBSOCKET_BATCH_PREFIX_LEN 4

/* Splits one WebSocket message of a batched subprotocol into its WAMP
 * frames. Each is a g_bytes_new_from_bytes() slice of @message (no copy: raw
 * payload spans stay valid). Text: every frame ends with 0x18 or 0x1e.
 * Binary: every frame is a 4-byte big-endian length and that many bytes. An
 * empty batch, an empty frame, bytes after the last separator, or a length
 * beyond the message give NULL and @reason (a static string).
 * Returns: (transfer full) (nullable): GBytes, in order. */
GPtrArray *wamp_websocket_batch_split (GBytes      *message,
                                       gboolean     binary,
                                       const char **reason);

/* The bytes that frame @frame_len bytes as a batch of one: @prefix gets the
 * binary length prefix, @suffix the JSON separator; the lengths are
 * returned in @prefix_len/@suffix_len. FALSE when @frame_len does not fit in
 * the 32-bit prefix. */
gboolean wamp_websocket_batch_framing (gboolean  binary,
                                       gsize     frame_len,
                                       guint8    prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN],
                                       gsize    *prefix_len,
                                       guint8    suffix[1],
                                       gsize    *suffix_len);

G_END_DECLS
