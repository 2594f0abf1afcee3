/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampReadBuffer: the transports' codecs' growable input buffer. */

#include "config.h"

#include <string.h>

#include <wamp/wamp-read-buffer.h>

/* The thread's shared read buffer (see wamp_read_buffer_get_shared_space()):
 * kept for the thread's life, lent to one buffer at a time. */
#define SCRATCH_SIZE (64 * 1024)

/* Frames from this size up are handed over rather than copied. */
#define TAKE_MIN (64 * 1024)

static __thread guint8 *scratch;
static __thread WampReadBuffer *scratch_borrower;

static gboolean
is_borrowing (const WampReadBuffer *buffer)
{
  return buffer->data != NULL && buffer->data == scratch;
}

/* Hands the scratch back; pending bytes move to memory of the buffer's own. */
static void
stop_borrowing (WampReadBuffer *buffer)
{
  gsize pending = buffer->end - buffer->start;

  if (pending > 0)
    {
      buffer->alloc = pending + buffer->chunk;
      buffer->data = g_malloc (buffer->alloc);
      memcpy (buffer->data, scratch + buffer->start, pending);
    }
  else
    {
      buffer->data = NULL;
      buffer->alloc = 0;
    }
  buffer->start = 0;
  buffer->end = pending;
  scratch_borrower = NULL;
}

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

  if (is_borrowing (buffer))
    {
      scratch_borrower = NULL;
      buffer->data = NULL;
    }
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

  /* A frame larger than the scratch goes on in memory of its own. */
  if (is_borrowing (buffer) && buffer->alloc - buffer->start < need)
    stop_borrowing (buffer);

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

guint8 *
wamp_read_buffer_get_shared_space (WampReadBuffer *buffer,
                                   gsize          *room)
{
  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (room != NULL, NULL);

  if (buffer->data == NULL && buffer->chunk <= SCRATCH_SIZE)
    {
      if (scratch == NULL)
        scratch = g_malloc (SCRATCH_SIZE);
      if (scratch_borrower != NULL)
        stop_borrowing (scratch_borrower);
      scratch_borrower = buffer;
      buffer->data = scratch;
      buffer->alloc = SCRATCH_SIZE;
      buffer->start = buffer->end = 0;
    }
  return wamp_read_buffer_get_space (buffer, room);
}

GBytes *
wamp_read_buffer_take_frame (WampReadBuffer *buffer,
                             const guint8   *frame,
                             gsize           len)
{
  g_autoptr(GBytes) whole = NULL;
  gsize pending;
  guint8 *rest = NULL;

  g_return_val_if_fail (buffer != NULL, NULL);
  g_return_val_if_fail (frame != NULL || len == 0, NULL);

  /* Small frames, and frames in the shared buffer, are copied; a large one
   * in memory of the buffer's own is handed over: no copy of its bytes. */
  if (len < TAKE_MIN || is_borrowing (buffer) || buffer->data == NULL ||
      frame < buffer->data || frame + len > buffer->data + buffer->start)
    return g_bytes_new (frame, len);

  pending = buffer->end - buffer->start;
  if (pending > 0)
    {
      rest = g_malloc (pending + buffer->chunk);
      memcpy (rest, buffer->data + buffer->start, pending);
    }
  whole = g_bytes_new_take (buffer->data, buffer->alloc);
  buffer->data = rest;
  buffer->alloc = rest != NULL ? pending + buffer->chunk : 0;
  buffer->start = 0;
  buffer->end = pending;
  return g_bytes_new_from_bytes (whole, frame - (const guint8 *) g_bytes_get_data (whole, NULL), len);
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
  else if (is_borrowing (buffer))
    stop_borrowing (buffer);
}
