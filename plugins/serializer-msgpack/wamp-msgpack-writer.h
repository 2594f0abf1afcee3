/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampMsgpackWriter: the output buffer and value writer of the msgpack serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/**
 * WampMsgpackWriter:
 *
 * A WampOutputBuffer: a plain growable byte buffer. Lives on the caller's
 * stack, or is a transport queue's buffer the frame is appended to.
 */
typedef WampOutputBuffer WampMsgpackWriter;

/* Appends bytes that already are MessagePack (a raw payload span). */
static inline void
wamp_msgpack_writer_append (WampMsgpackWriter *writer,
                            const void        *data,
                            gsize              len)
{
  wamp_output_buffer_append (writer, data, len);
}

void wamp_msgpack_writer_write_array_header (WampMsgpackWriter *writer,
                                             gsize              count);

/* An integer, in its shortest form. */
void wamp_msgpack_writer_write_int (WampMsgpackWriter *writer,
                                    gint64             value);

/* Writes @value: integers in their smallest form, doubles always as float64
 * (so -0.0 and whole-number doubles stay doubles; NaN and infinities travel),
 * strings as str with their exact length (NUL included), bytes as bin.
 * Fails with WAMP_ERROR_INVALID_ARGUMENT only for what the format cannot
 * carry: a string, bytes, list or dict longer than 2^32-1, or a value nested
 * absurdly deep. The writer then holds a partial document the caller discards. */
gboolean wamp_msgpack_writer_write_value (WampMsgpackWriter *writer,
                                          const WampValue   *value,
                                          GError           **error);

G_END_DECLS
