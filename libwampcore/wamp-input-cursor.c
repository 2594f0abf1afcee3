/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampInputCursor: failure bookkeeping and strict UTF-8 for the
 * serializers' readers. */

#include "config.h"

#include <wamp/wamp-input-cursor.h>
#include <wamp/wamp-error.h>

#include <string.h>

#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

void
wamp_input_cursor_init (WampInputCursor *cursor,
                        const char      *format,
                        const guint8    *data,
                        gsize            len,
                        guint            max_depth)
{
  g_return_if_fail (cursor != NULL);
  g_return_if_fail (data != NULL || len == 0);

  /* An empty GBytes may have no data pointer; NULL + 0 is undefined. */
  if (data == NULL)
    data = (const guint8 *) "";
  memset (cursor, 0, sizeof *cursor);
  cursor->start = data;
  cursor->p = data;
  cursor->end = data + len;
  cursor->max_depth = max_depth;
  cursor->reason = NULL;
  cursor->error_offset = 0;
  cursor->format = format;
}

gboolean
wamp_input_cursor_fail (WampInputCursor *cursor,
                        const char      *reason)
{
  /* Keep the first reason: an outer level must not mask the precise one. */
  if (cursor->reason == NULL)
    {
      cursor->reason = reason;
      cursor->error_offset = (gsize) (cursor->p - cursor->start);
    }
  return FALSE;
}

gboolean
wamp_input_cursor_fail_at (WampInputCursor *cursor,
                           const guint8    *at,
                           const char      *reason)
{
  cursor->p = at;
  return wamp_input_cursor_fail (cursor, reason);
}

void
wamp_input_cursor_set_error (const WampInputCursor  *cursor,
                             gint                    code,
                             GError                **error)
{
  g_set_error (error, WAMP_ERROR, code, "invalid %s at byte %" G_GSIZE_FORMAT ": %s",
               cursor->format != NULL ? cursor->format : "input",
               cursor->error_offset,
               cursor->reason != NULL ? cursor->reason : "malformed");
}

const guint8 *
wamp_utf8_find_invalid (const guint8 *s,
                        const guint8 *end)
{
  while (s < end)
    {
      guint n;

      /* ASCII, the common case: 32 bytes per test (one branch for four
       * words), then eight at a time. */
      while (end - s >= 32)
        {
          guint64 w[4];

          memcpy (w, s, sizeof w);
          if ((w[0] | w[1] | w[2] | w[3]) & HIGHS)
            break;
          s += 32;
        }
      while (end - s >= 8)
        {
          guint64 w;

          memcpy (&w, s, 8);
          if (w & HIGHS)
            break;
          s += 8;
        }
      while (s < end && *s < 0x80)
        s++;
      if (s >= end)
        break;
      n = wamp_utf8_sequence_length (s, end);
      if (n == 0)
        return s;
      s += n;
    }
  return NULL;
}
