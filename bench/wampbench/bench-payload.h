/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The payloads the scenarios send: Arguments = one ASCII string of the
 * requested size, so every serializer carries the same bytes. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Returns: (transfer full): @size ASCII letters (NUL-terminated). */
char *bench_payload_filler (gsize size);

/* Arguments [filler of @size], encoded once by @serializer and kept raw, so a
 * CALL carrying it copies the bytes instead of encoding them per call.
 * Returns: (transfer full). */
WampPayload *bench_payload_new_call_args (WampSerializer *serializer, gsize size);

/* TRUE when @payload (as received, nullable) carries Arguments [string of
 * @size] and no ArgumentsKw. Checks the raw span's length without decoding
 * when @payload is a raw payload of @serializer. */
gboolean bench_payload_check_call_args (WampPayload *payload, WampSerializer *serializer,
                                        WampPayload *sent);

G_END_DECLS
