/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampOutputBuffer: the serializers' growable output buffer. */

#include "config.h"

#include <wamp/wamp-output-buffer.h>

void
wamp_output_buffer_init (WampOutputBuffer *buffer,
                         gsize             reserve)
{
  g_return_if_fail (buffer != NULL);

  buffer->alloc = MAX (reserve, 64);
  buffer->data = g_malloc (buffer->alloc);
  buffer->len = 0;
}

void
wamp_output_buffer_clear (WampOutputBuffer *buffer)
{
  g_return_if_fail (buffer != NULL);

  g_clear_pointer (&buffer->data, g_free);
  buffer->len = 0;
  buffer->alloc = 0;
}

GBytes *
wamp_output_buffer_steal_bytes (WampOutputBuffer *buffer)
{
  gsize len;
  guint8 *data;

  g_return_val_if_fail (buffer != NULL, NULL);

  len = buffer->len;
  data = g_steal_pointer (&buffer->data);
  buffer->len = 0;
  buffer->alloc = 0;
  return g_bytes_new_take (data, len);
}

void
wamp_output_buffer_grow (WampOutputBuffer *buffer,
                         gsize             needed)
{
  gsize alloc;

  /* The first allocation is what is asked for (a frame whose size the
   * writer knows up front is not rounded up); later ones double. */
  if (buffer->alloc == 0)
    alloc = MAX (buffer->len + needed, 64);
  else
    for (alloc = buffer->alloc; alloc - buffer->len < needed;)
      alloc *= 2;
  buffer->data = g_realloc (buffer->data, alloc);
  buffer->alloc = alloc;
}
