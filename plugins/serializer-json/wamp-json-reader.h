/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampJsonReader: the validating RFC 8259 reader of the JSON serializer. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* The nesting limit of a frame, counting the message's own array (DESIGN.md,
 * "Serializers and bad input"). */
#define WAMP_JSON_DEFAULT_MAX_DEPTH 32

/**
 * WampJsonReader:
 *
 * A cursor over untrusted bytes. Nothing here trusts the input: every read is
 * bounds-checked, recursion never goes beyond @max_depth, and no allocation
 * is larger than the bytes actually present. On failure @reason (a static
 * string) and @error_offset say what went wrong and where.
 */
typedef WampInputCursor WampJsonReader;

static inline void
wamp_json_reader_skip_ws (WampJsonReader *reader)
{
  const guint8 *p = reader->p;
  const guint8 *end = reader->end;

  /* Bytes above ' ' are never whitespace: compact input, the usual kind,
   * costs one test. */
  if (G_LIKELY (p < end && *p > ' '))
    return;
  while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
    p++;
  reader->p = p;
}

/* Validates one value at the cursor (after whitespace) and moves past it.
 * @depth: how many containers enclose the value. With @out NULL nothing is
 * allocated; else @out gets the value, (transfer full). */
gboolean wamp_json_reader_read_value (WampJsonReader *reader,
                                      guint           depth,
                                      WampValue     **out);

/* wamp_json_reader_read_value() with @out NULL, in a function of its own:
 * the payload's skip needs none of the building reader's registers saved. */
gboolean wamp_json_reader_skip_value (WampJsonReader *reader,
                                      guint           depth);

/* Decodes exactly one complete value (whitespace around allowed) with
 * nesting at most @max_depth. Errors are WAMP_ERROR @code.
 * Returns: (transfer full) (nullable). */
WampValue *wamp_json_decode_value (const guint8 *data,
                                   gsize         len,
                                   guint         max_depth,
                                   gint          code,
                                   GError      **error);

G_END_DECLS
