/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampOutputBuffer: the growable byte buffer a serializer's writer encodes
 * a frame into, handed over as GBytes without a copy. Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <string.h>
#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

/**
 * WampOutputBuffer:
 * @data: (nullable): the bytes; @alloc of them allocated.
 * @len: how many are written.
 * @alloc: the capacity.
 *
 * A plain growable buffer (no GString: the fast paths append with memcpy
 * after one capacity check). Lives on the caller's stack; all zeros is a
 * cleared buffer. Since: ABI 1.1
 */
typedef struct {
  guint8 *data;
  gsize len;
  gsize alloc;
} WampOutputBuffer;

/* Allocates room for @reserve bytes (at least 64). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_output_buffer_init (WampOutputBuffer *buffer,
                              gsize             reserve);

/* Frees the bytes; the buffer is all zeros afterwards. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_output_buffer_clear (WampOutputBuffer *buffer);

/* Returns: (transfer full): the bytes written; the buffer is cleared
 * afterwards. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_output_buffer_steal_bytes (WampOutputBuffer *buffer);

/* Makes room for @needed more bytes: on an empty buffer exactly that many (at
 * least 64), else doubling the capacity. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_output_buffer_grow (WampOutputBuffer *buffer,
                              gsize             needed);

/* Makes sure @n more bytes fit. Since: ABI 1.1 */
static inline void
wamp_output_buffer_reserve (WampOutputBuffer *buffer,
                            gsize             n)
{
  if (G_UNLIKELY (buffer->alloc - buffer->len < n))
    wamp_output_buffer_grow (buffer, n);
}

/* @data: (array length=len) (nullable) when @len is 0. Since: ABI 1.1 */
static inline void
wamp_output_buffer_append (WampOutputBuffer *buffer,
                           const void       *data,
                           gsize             len)
{
  wamp_output_buffer_reserve (buffer, len);
  if (len > 0)
    memcpy (buffer->data + buffer->len, data, len);
  buffer->len += len;
}

/* Since: ABI 1.1 */
static inline void
wamp_output_buffer_put (WampOutputBuffer *buffer,
                        guint8            c)
{
  wamp_output_buffer_reserve (buffer, 1);
  buffer->data[buffer->len++] = c;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampOutputBuffer, wamp_output_buffer_clear)

G_END_DECLS
