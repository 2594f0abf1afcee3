/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampInputCursor: the cursor a serializer's reader walks untrusted bytes
 * with, recording the first failure and where it happened, plus the strict
 * UTF-8 checks every format needs. Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

/**
 * WampInputCursor:
 * @start: the first byte of the input.
 * @p: the next byte to read; never beyond @end.
 * @end: one past the last byte.
 * @max_depth: how deeply values may nest, for the reader's recursion.
 * @reason: (nullable): the first failure recorded, a static string.
 * @error_offset: where @reason happened, in bytes from @start.
 * @format: the format's name for error messages ("JSON", "CBOR", ...).
 *
 * Lives on the reader's stack. Since: ABI 1.1
 */
typedef struct {
  const guint8 *start;
  const guint8 *p;
  const guint8 *end;
  guint max_depth;
  const char *reason;
  gsize error_offset;
  const char *format;
  /*< private >*/
  gpointer padding[2];
} WampInputCursor;

/* @format: (transfer none): a static string; @data: (nullable) when @len is 0.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_input_cursor_init (WampInputCursor *cursor,
                             const char      *format,
                             const guint8    *data,
                             gsize            len,
                             guint            max_depth);

/* Records a failure at the cursor, unless one is recorded already (an outer
 * level must not mask the precise reason). @reason: (transfer none): static.
 * Returns: FALSE, always. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_input_cursor_fail (WampInputCursor *cursor,
                                 const char      *reason);

/* Moves the cursor to @at, then wamp_input_cursor_fail().
 * Returns: FALSE, always. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_input_cursor_fail_at (WampInputCursor *cursor,
                                    const guint8    *at,
                                    const char      *reason);

/* Sets @error (domain WAMP_ERROR, @code) to "invalid <format> at byte <n>:
 * <reason>" from the recorded failure. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_input_cursor_set_error (const WampInputCursor  *cursor,
                                  gint                    code,
                                  GError                **error);

/* The bytes left after the cursor. Since: ABI 1.1 */
static inline gsize
wamp_input_cursor_remaining (const WampInputCursor *cursor)
{
  return (gsize) (cursor->end - cursor->p);
}

/* The length (2 to 4) of the strict UTF-8 sequence at @p (a byte >= 0x80,
 * @p < @end), or 0: overlong forms, surrogates and code points above
 * U+10FFFF are refused. Inline: readers call it per non-ASCII character.
 * Since: ABI 1.1 */
static inline guint
wamp_utf8_sequence_length (const guint8 *p,
                           const guint8 *end)
{
  guint8 c = p[0];
  gsize avail = (gsize) (end - p);

  if (c < 0xc2)
    return 0;
  if (c < 0xe0)
    return (avail >= 2 && (p[1] & 0xc0) == 0x80) ? 2 : 0;
  if (c < 0xf0)
    {
      if (avail < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))
        return 0;
      return 3;
    }
  if (c < 0xf5)
    {
      if (avail < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
          (p[3] & 0xc0) != 0x80)
        return 0;
      if ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))
        return 0;
      return 4;
    }
  return 0;
}

/* Whether [@s, @end) is strict UTF-8. U+0000 is a character like any other
 * (g_utf8_validate_len() stops at it). Returns: (transfer none) (nullable):
 * the first byte that does not start a valid sequence, or NULL.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
const guint8 *wamp_utf8_find_invalid (const guint8 *s,
                                      const guint8 *end);

G_END_DECLS
