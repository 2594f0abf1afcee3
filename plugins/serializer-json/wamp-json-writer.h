/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampJsonWriter: the growable output buffer and value writer of the JSON serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/**
 * WampJsonWriter:
 *
 * A WampOutputBuffer: a plain growable byte buffer (no GString: the fast paths append with
 * memcpy after one capacity check). Lives on the caller's stack.
 */
typedef WampOutputBuffer WampJsonWriter;

/* Element @index of an array, an integer: its decimal digits, after a ','
 * unless it is the first. A WampEnvelopeFieldFuncs' write_int. */
void wamp_json_writer_write_element_int (gpointer writer,
                                         gsize    index,
                                         gint64   value);

/* Writes @value. Fails with WAMP_ERROR_INVALID_ARGUMENT for what JSON cannot
 * carry: NaN and infinities, and a string beginning with U+0000 (the binary
 * convention would read it back as bytes). The writer then holds a partial
 * document the caller discards. */
gboolean wamp_json_writer_write_value (WampJsonWriter  *writer,
                                       const WampValue *value,
                                       GError         **error);

G_END_DECLS
