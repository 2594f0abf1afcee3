/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for batched WebSocket framing: any message, either kind;
 * what the splitter accepts must be exactly the message cut into slices. */

#include <string.h>

#include "wamp-websocket-batch.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
is_separator (guint8 c)
{
  return c == WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR || c == WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR_ALT;
}

/* Input layout: byte 0 bit 0 picks binary (length-prefixed) framing; the
 * rest is one WebSocket message. */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  const char *reason = NULL;
  const guint8 *base;
  gboolean binary;
  gsize len, pos = 0;

  if (size < 1)
    return 0;
  binary = data[0] & 1;
  message = g_bytes_new (data + 1, size - 1);
  base = g_bytes_get_data (message, &len);

  frames = wamp_websocket_batch_split (message, binary, &reason);
  if (frames == NULL)
    {
      g_assert_nonnull (reason);
      return 0;
    }

  /* Accepted: the frames, with their framing, are the message, in order,
   * each a non-empty slice of it. */
  g_assert_cmpuint (frames->len, >, 0);
  for (guint i = 0; i < frames->len; i++)
    {
      gsize frame_len;
      const guint8 *frame = g_bytes_get_data (g_ptr_array_index (frames, i), &frame_len);

      g_assert_cmpuint (frame_len, >, 0);
      if (binary)
        {
          guint8 prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN], suffix[1];
          gsize prefix_len, suffix_len;

          g_assert_true (wamp_websocket_batch_framing (TRUE, frame_len, prefix, &prefix_len,
                                                       suffix, &suffix_len));
          g_assert_cmpuint (pos + prefix_len + frame_len, <=, len);
          g_assert_cmpmem (base + pos, prefix_len, prefix, prefix_len);
          pos += prefix_len;
          g_assert_true (frame == base + pos);
          pos += frame_len;
        }
      else
        {
          g_assert_true (frame == base + pos);
          for (gsize j = 0; j < frame_len; j++)
            g_assert_false (is_separator (frame[j]));
          pos += frame_len;
          g_assert_cmpuint (pos, <, len);
          g_assert_true (is_separator (base[pos]));
          pos++;
        }
    }
  g_assert_cmpuint (pos, ==, len);
  return 0;
}
