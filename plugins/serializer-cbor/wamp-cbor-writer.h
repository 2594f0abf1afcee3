/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCborWriter: the growable output buffer and value writer of the CBOR serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/**
 * WampCborWriter:
 *
 * A WampOutputBuffer: a plain growable byte buffer that becomes the frame's
 * GBytes without a copy. Lives on the caller's stack.
 */
typedef WampOutputBuffer WampCborWriter;

/* The head of a definite-length array of @count items, shortest form. */
/* An integer in its shortest head (major type 0 or 1). */
void wamp_cbor_writer_write_int (WampCborWriter *writer,
                                 gint64          v);

void wamp_cbor_writer_write_array_head (WampCborWriter *writer,
                                        gsize           count);

/* Writes @value: integers in their shortest form, doubles always as
 * float64 (so -0.0, NaN payloads and whole-number doubles come back as
 * they were), text strings with their exact length (NUL included), byte
 * strings, definite lengths only. Fails with WAMP_ERROR_INVALID_ARGUMENT
 * only for a value nested deeper than any reader accepts. */
gboolean wamp_cbor_writer_write_value (WampCborWriter  *writer,
                                       const WampValue *value,
                                       GError         **error);

G_END_DECLS
