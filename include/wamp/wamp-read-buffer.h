/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampReadBuffer: the growable input buffer a transport's codec receives
 * bytes into (straight from read(), or copied by a feed) and parses frames
 * from. Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

/**
 * WampReadBuffer:
 * @data: (nullable): the bytes; @alloc of them allocated.
 * @alloc: the capacity.
 * @start: the first received byte not yet parsed.
 * @end: the end of the received bytes: [@start, @end) is pending.
 * @chunk: the room offered for each read.
 * @limit: the capacity doubling stops at (a frame's largest size plus
 *   its header and one @chunk); a larger need is still met exactly.
 *
 * Lives inside its codec; set up with wamp_read_buffer_init(). Since: ABI 1.1
 */
typedef struct {
  guint8 *data;
  gsize alloc;
  gsize start;
  gsize end;
  gsize chunk;
  gsize limit;
} WampReadBuffer;

/* Sets up an empty buffer that allocates nothing yet. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_read_buffer_init (WampReadBuffer *buffer,
                            gsize           chunk,
                            gsize           limit);

/* Frees the bytes; @chunk and @limit stay. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_read_buffer_clear (WampReadBuffer *buffer);

/* Returns: (transfer none): where at least @chunk more bytes may be
 * received; @room is set to how many fit. Moves the pending bytes to the
 * front or grows the buffer (doubling, up to @limit) when needed.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
guint8 *wamp_read_buffer_get_space (WampReadBuffer *buffer,
                                    gsize          *room);

/* As wamp_read_buffer_get_space(), but an idle buffer (nothing pending, no
 * bytes of its own) borrows the thread's shared 64 KiB buffer instead of
 * allocating: a read then costs no allocation. The borrowed bytes are the
 * buffer's until wamp_read_buffer_release_if_idle() or _clear() hands them
 * back (pending bytes then move to memory of its own), or until another
 * buffer borrows — which moves them likewise, so keep no pointer into the
 * buffer across a return to the reactor. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
guint8 *wamp_read_buffer_get_shared_space (WampReadBuffer *buffer,
                                           gsize          *room);

/* Returns: (transfer full): the @len bytes at @frame — a frame the codec
 * has just parsed, inside the bytes already consumed (before @start) — for
 * the core to keep. A large frame in memory of the buffer's own is handed
 * over without a copy (the buffer then starts afresh, pending bytes moved);
 * any other is copied. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_read_buffer_take_frame (WampReadBuffer *buffer,
                                     const guint8   *frame,
                                     gsize           len);

/* Copies as much of *@data as one wamp_read_buffer_get_space() offers and
 * advances *@data and *@len past it, without committing it.
 * Returns: how many bytes were copied. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gsize wamp_read_buffer_fill (WampReadBuffer  *buffer,
                             const guint8   **data,
                             gsize           *len);

/* Frees the bytes if nothing is pending: an idle connection keeps no read
 * buffer. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_read_buffer_release_if_idle (WampReadBuffer *buffer);

/* How many received bytes are not parsed yet. Since: ABI 1.1 */
static inline gsize
wamp_read_buffer_get_pending (const WampReadBuffer *buffer)
{
  return buffer->end - buffer->start;
}

/* Returns: (transfer none): the first pending byte. Since: ABI 1.1 */
static inline const guint8 *
wamp_read_buffer_peek (const WampReadBuffer *buffer)
{
  return buffer->data + buffer->start;
}

G_END_DECLS
