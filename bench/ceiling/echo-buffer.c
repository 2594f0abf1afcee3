/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EchoBuffer: the echo servers' growable byte buffer (plain libc: it is on
 * the per-frame path). */

#include "echo-buffer.h"

#include <stdlib.h>
#include <string.h>

/* Makes @room bytes free behind the pending ones and returns where they
 * start, or NULL when memory runs out. Moves the pending bytes to the front
 * before growing, and grows at least by doubling, so appending many small
 * echoes stays linear. */
uint8_t *
echo_buffer_reserve (EchoBuffer *buffer,
                     size_t      room)
{
  size_t pending = buffer->end - buffer->start;

  if (pending == 0)
    buffer->start = buffer->end = 0;
  if (buffer->alloc - buffer->end >= room)
    return buffer->data + buffer->end;

  if (buffer->start > 0)
    {
      memmove (buffer->data, buffer->data + buffer->start, pending);
      buffer->start = 0;
      buffer->end = pending;
    }
  if (buffer->alloc - buffer->end < room)
    {
      size_t want = pending + room;
      size_t alloc = buffer->alloc * 2 > want ? buffer->alloc * 2 : want;
      uint8_t *data = realloc (buffer->data, alloc);

      if (data == NULL)
        return NULL;
      buffer->data = data;
      buffer->alloc = alloc;
    }
  return buffer->data + buffer->end;
}

/* Reserves @len bytes and counts them as pending: the caller fills them. */
uint8_t *
echo_buffer_append (EchoBuffer *buffer,
                    size_t      len)
{
  uint8_t *p = echo_buffer_reserve (buffer, len);

  if (p != NULL)
    buffer->end += len;
  return p;
}

void
echo_buffer_consume (EchoBuffer *buffer,
                     size_t      len)
{
  buffer->start += len;
  if (buffer->start == buffer->end)
    buffer->start = buffer->end = 0;
}

/* An empty buffer larger than @keep is given back, so one big frame does
 * not pin its memory for the connection's lifetime. */
void
echo_buffer_trim (EchoBuffer *buffer,
                  size_t      keep)
{
  if (buffer->start == buffer->end && buffer->alloc > keep)
    echo_buffer_clear (buffer);
}

void
echo_buffer_clear (EchoBuffer *buffer)
{
  free (buffer->data);
  buffer->data = NULL;
  buffer->start = buffer->end = buffer->alloc = 0;
}
