/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampMsgpackReader: the bounded, validating MessagePack reader of the msgpack serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* The nesting limit of a frame, counting the message's own array (DESIGN.md,
 * "Serializers and bad input"). */
#define WAMP_MSGPACK_DEFAULT_MAX_DEPTH 32

/**
 * WampMsgpackReader:
 *
 * A cursor over untrusted bytes. Our own reader instead of msgpack-c's
 * unpacker, which allocates from the lengths a frame claims: here every
 * claimed length or count is checked against the bytes actually left before
 * anything is read or allocated, recursion never goes beyond @max_depth,
 * str must be strict UTF-8 (NUL allowed), map keys must be str, and ext types
 * (timestamps included) are refused. On failure @reason (a static string)
 * and @error_offset say what went wrong and where.
 */
typedef WampInputCursor WampMsgpackReader;

/* Reads the header of an array at the cursor and moves past it. @count gets
 * the element count, which is checked against the bytes left (each element
 * takes at least one). FALSE when the cursor is not at an array. */
gboolean wamp_msgpack_reader_read_array_header (WampMsgpackReader *reader,
                                                guint32           *count);

/* Validates one value at the cursor and moves past it.
 * @depth: how many containers enclose the value. With @out NULL nothing is
 * allocated; else @out gets the value, (transfer full). */
gboolean wamp_msgpack_reader_read_value (WampMsgpackReader  *reader,
                                         guint               depth,
                                         WampValue         **out);

/* Decodes exactly one complete value with nesting at most @max_depth;
 * bytes after it are an error. Errors are WAMP_ERROR @code.
 * Returns: (transfer full) (nullable). */
WampValue *wamp_msgpack_decode_value (const guint8 *data,
                                      gsize         len,
                                      guint         max_depth,
                                      gint          code,
                                      GError      **error);

G_END_DECLS
