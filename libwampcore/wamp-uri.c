/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* URI validation: the spec's loose and strict regular expressions
 * (building_blocks.md), evaluated in one pass without a regex engine. */

#include "config.h"

#include <string.h>

#include <wamp/wamp-uri.h>

/* Python's `\s` on str, which the spec's regexes use, is Unicode whitespace:
 * ASCII \t \n \v \f \r, space, the separators U+001C..U+001F, and U+0085,
 * U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000.
 * Returns: the byte length of the whitespace sequence at @p, or 0. */
static gsize
whitespace_len (const guchar *p,
                const guchar *end)
{
  gsize avail = (gsize) (end - p);

  if ((p[0] >= 0x09 && p[0] <= 0x0d) || p[0] == ' ' || (p[0] >= 0x1c && p[0] <= 0x1f))
    return 1;
  if (p[0] == 0xc2 && avail >= 2 && (p[1] == 0x85 || p[1] == 0xa0))
    return 2;
  if (avail < 3)
    return 0;
  if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
    return 3;
  if (p[0] == 0xe2 && p[1] == 0x80 &&
      ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
    return 3;
  if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
    return 3;
  if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
    return 3;
  return 0;
}

/* The four regexes reduce to: split on '.'; every component is made of
 * allowed characters; components may be empty only with ALLOW_EMPTY (which
 * also accepts the empty string, as `^(([^\s\.#]+\.)|\.)*([^\s\.#]+)?$`
 * does). One deliberate departure: Python's `$` also matches before a final
 * "\n", which would make "a.b\n" valid; here it is not. The caller has
 * validated the UTF-8 (strings reach us as WampValues). */
gboolean
wamp_uri_is_valid (const char   *uri,
                   gsize         len,
                   WampUriCheck  check,
                   WampUriFlags  flags)
{
  const guchar *p = (const guchar *) uri;
  const guchar *end;
  gboolean allow_empty = (flags & WAMP_URI_FLAGS_ALLOW_EMPTY) != 0;
  gsize component_len = 0;

  g_return_val_if_fail (uri != NULL || len == 0, FALSE);
  g_return_val_if_fail (check == WAMP_URI_CHECK_LOOSE || check == WAMP_URI_CHECK_STRICT, FALSE);

  if (len == 0)
    return allow_empty;

  end = p + len;
  while (p < end)
    {
      guchar c = *p;

      if (c == '.')
        {
          if (component_len == 0 && !allow_empty)
            return FALSE;
          component_len = 0;
          p++;
          continue;
        }

      if (check == WAMP_URI_CHECK_STRICT)
        {
          if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return FALSE;
          p++;
        }
      else
        {
          if (c == '#' || c == '\0' || whitespace_len (p, end) > 0)
            return FALSE;
          p++;
        }
      component_len++;
    }

  return component_len > 0 || allow_empty;
}

gboolean
wamp_uri_is_reserved (const char *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return strncmp (uri, "wamp", 4) == 0 && (uri[4] == '.' || uri[4] == '\0');
}
