/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampReadBuffer: the transports' codecs' growable input buffer. */

#include "config.h"

#include <string.h>

#include <wamp/wamp-read-buffer.h>

void
wamp_read_buffer_init (WampReadBuffer *buffer,
                       gsize           chunk,
                       gsize           limit)
{
  g_return_if_fail (buffer != NULL);
  g_return_if_fail (chunk > 0);

  memset (buffer, 0, sizeof *buffer);
  buffer->chunk = chunk;
  buffer->limit = limit;
}

void
wamp_read_buffer_clear (WampReadBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);

  g_clear_pointer (&buffer->data, g_free);
  buffer->alloc = 0;
  buffer->start = buffer->end = 0;
}

guint8 *
wamp_read_buffer_get_space (WampReadBuffer *buffer,
                            gsize          *room)
{
  gsize pending, need;

  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  pending = buffer->end - buffer->start;
  if (pending == 0)
    buffer->start = buffer->end = 0;
  need = pending + buffer->chunk;

  if (buffer->alloc - buffer->start < need)
    {
      if (buffer->start > 0)
        {
          memmove (buffer->data, buffer->data + buffer->start, pending);
          buffer->start = 0;
          buffer->end = pending;
        }
      if (buffer->alloc < need)
        {
          /* Doubling, so a frame that trickles in is not copied on every
           * read, and only as bytes arrive, so a peer that merely claims a
           * large frame reserves nothing for it. */
          buffer->alloc = MAX (need, MIN (buffer->alloc * 2, buffer->limit));
          buffer->data = g_realloc (buffer->data, buffer->alloc);
        }
    }

  *room = buffer->alloc - buffer->end;
  return buffer->data + buffer->end;
}

gsize
wamp_read_buffer_fill (WampReadBuffer  *buffer,
                       const guint8   **data,
                       gsize           *len)
{
  gsize room, n;
  guint8 *dst;

  g_return_val_if_fail (buffer != NULL, 0);
  g_return_val_if_fail (data != NULL && len != NULL, 0);

  dst = wamp_read_buffer_get_space (buffer, &room);
  n = MIN (room, *len);
  if (n > 0)
    memcpy (dst, *data, n);
  *data += n;
  *len -= n;
  return n;
}

void
wamp_read_buffer_release_if_idle (WampReadBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);

  if (buffer->start == buffer->end)
    wamp_read_buffer_clear (buffer);
}
