/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPrefixInputStream: replays bytes already read from a stream before its own. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WAMP_TYPE_PREFIX_INPUT_STREAM (wamp_prefix_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (WampPrefixInputStream, wamp_prefix_input_stream, WAMP, PREFIX_INPUT_STREAM,
                      GInputStream)

/* @base: (transfer none): referenced, closed with this stream.
 * @prefix: (transfer none) (nullable): read first.
 * Pollable when @base is. Returns: (transfer full). */
GInputStream *wamp_prefix_input_stream_new (GInputStream *base, GBytes *prefix);

G_END_DECLS
