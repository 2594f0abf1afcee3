/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Batched WebSocket framing: splitting a received batch without copying,
 * and the prefix/separator of a batch of one when writing. */

#include "wamp-websocket-batch.h"

#include <string.h>

static GPtrArray *
split_text (GBytes *message, const guint8 *data, gsize len, const char **reason)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize start = 0;

  /* JSON never holds a raw control character (strings escape them), so a
   * separator byte cannot occur inside a message. */
  for (gsize i = 0; i < len; i++)
    {
      if (data[i] != WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR
          && data[i] != WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR_ALT)
        continue;
      if (i == start)
        {
          *reason = "empty message in a batch";
          return NULL;
        }
      g_ptr_array_add (frames, g_bytes_new_from_bytes (message, start, i - start));
      start = i + 1;
    }
  if (start != len)
    {
      *reason = "batched message not terminated by a separator";
      return NULL;
    }
  return g_steal_pointer (&frames);
}

static GPtrArray *
split_binary (GBytes *message, const guint8 *data, gsize len, const char **reason)
{
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize pos = 0;

  while (pos < len)
    {
      guint32 frame_len;

      if (len - pos < WAMP_WEBSOCKET_BATCH_PREFIX_LEN)
        {
          *reason = "truncated length prefix in a batch";
          return NULL;
        }
      frame_len = ((guint32) data[pos] << 24) | ((guint32) data[pos + 1] << 16)
                  | ((guint32) data[pos + 2] << 8) | (guint32) data[pos + 3];
      pos += WAMP_WEBSOCKET_BATCH_PREFIX_LEN;
      if (frame_len == 0)
        {
          *reason = "empty message in a batch";
          return NULL;
        }
      if (frame_len > len - pos)
        {
          *reason = "batch length prefix beyond the message";
          return NULL;
        }
      g_ptr_array_add (frames, g_bytes_new_from_bytes (message, pos, frame_len));
      pos += frame_len;
    }
  return g_steal_pointer (&frames);
}

GPtrArray *
wamp_websocket_batch_split (GBytes      *message,
                            gboolean     binary,
                            const char **reason)
{
  const guint8 *data;
  gsize len;
  const char *dummy;

  g_return_val_if_fail (message != NULL, NULL);

  if (reason == NULL)
    reason = &dummy;
  data = g_bytes_get_data (message, &len);
  /* The spec: a batch of zero messages fails the transport. */
  if (len == 0)
    {
      *reason = "empty batch";
      return NULL;
    }
  return binary ? split_binary (message, data, len, reason)
                : split_text (message, data, len, reason);
}

gboolean
wamp_websocket_batch_framing (gboolean  binary,
                              gsize     frame_len,
                              guint8    prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN],
                              gsize    *prefix_len,
                              guint8    suffix[1],
                              gsize    *suffix_len)
{
  *prefix_len = 0;
  *suffix_len = 0;
  if (!binary)
    {
      suffix[0] = WAMP_WEBSOCKET_BATCH_JSON_SEPARATOR;
      *suffix_len = 1;
      return TRUE;
    }
  if (frame_len > G_MAXUINT32)
    return FALSE;
  prefix[0] = (guint8) (frame_len >> 24);
  prefix[1] = (guint8) (frame_len >> 16);
  prefix[2] = (guint8) (frame_len >> 8);
  prefix[3] = (guint8) frame_len;
  *prefix_len = WAMP_WEBSOCKET_BATCH_PREFIX_LEN;
  return TRUE;
}
