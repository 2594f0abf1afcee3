/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCborReader: the bounded, validating RFC 8949 reader of the CBOR serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* The nesting limit of a frame, counting the message's own array (DESIGN.md,
 * "Serializers and bad input"). */
#define WAMP_CBOR_DEFAULT_MAX_DEPTH 32

/* The highest max-depth accepted: the reader recurses once per level, and
 * the writer refuses anything deeper anyway. */
#define WAMP_CBOR_MAX_MAX_DEPTH 1000

/* The self-describe tag (RFC 8949 3.4.6), accepted and ignored. */
#define WAMP_CBOR_TAG_SELF_DESCRIBE 55799

/**
 * WampCborReader:
 *
 * A cursor over untrusted bytes; libcbor never sees them (it allocates from
 * claimed lengths). Every claimed length or count is checked against the
 * bytes that remain before anything is allocated, recursion never goes
 * beyond @max_depth, text strings are strict UTF-8 and map keys text. On
 * failure @reason (a static string) and @error_offset say what went wrong
 * and where.
 */
typedef WampInputCursor WampCborReader;

/* Skips any self-describe tags at the cursor, then reads the head of a data
 * item whose major type must be @major (4 array, 5 map): @count gets its
 * item count (already checked against the bytes left), or @indefinite is
 * set and the items run until a break (wamp_cbor_reader_at_break()). */
gboolean wamp_cbor_reader_read_container_head (WampCborReader *reader,
                                               guint           major,
                                               guint64        *count,
                                               gboolean       *indefinite);

/* For an indefinite container: whether the cursor is at its break, which it
 * then consumes. FALSE with a recorded failure when the input ended. */
gboolean wamp_cbor_reader_at_break (WampCborReader *reader,
                                    gboolean       *is_break);

/* Validates one data item at the cursor and moves past it. @depth: how many
 * containers enclose it. With @out NULL nothing is allocated; else @out gets
 * the value, (transfer full). @type (optional) gets the kind of value it is. */
gboolean wamp_cbor_reader_read_value (WampCborReader  *reader,
                                      guint            depth,
                                      WampValue      **out,
                                      WampValueType   *type);

/* Decodes exactly one complete data item with nesting at most @max_depth.
 * Errors are WAMP_ERROR @code. Returns: (transfer full) (nullable). */
WampValue *wamp_cbor_decode_value (const guint8 *data,
                                   gsize         len,
                                   guint         max_depth,
                                   gint          code,
                                   GError      **error);

G_END_DECLS
