/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampFrameQueue: a transport connection's bounded outgoing queue. Each
 * frame is a short prefix (the transport's header), the serialized message
 * — shared with every other receiver (referenced, never copied), or encoded
 * straight into the queue's own buffer (since ABI 1.3) — and a short suffix; the queue writes them with vectored, non-blocking writes through
 * WampSocketIo and keeps partial writes. Policies (overflow, close, when to
 * watch for WAMP_REACTOR_WRITE) stay with the transport.
 * Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-output-buffer.h>
#include <wamp/wamp-serializer.h>
#include <wamp/wamp-socket-io.h>

G_BEGIN_DECLS

/* The longest prefix and suffix a frame may have. Since: ABI 1.1 */
#define WAMP_FRAME_QUEUE_MAX_PREFIX 24
#define WAMP_FRAME_QUEUE_MAX_SUFFIX 8

typedef struct _WampFrameQueue WampFrameQueue;

/* Returns: (transfer full): an empty queue. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
WampFrameQueue *wamp_frame_queue_new (void);

/* Frees @self and every frame still in it. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_free (WampFrameQueue *self);

/**
 * wamp_frame_queue_push:
 * @prefix: (array length=prefix_len) (nullable): copied; at most
 *   WAMP_FRAME_QUEUE_MAX_PREFIX bytes
 * @payload: (transfer none) (nullable): referenced, never copied
 * @suffix: (array length=suffix_len) (nullable): copied; at most
 *   WAMP_FRAME_QUEUE_MAX_SUFFIX bytes
 *
 * Appends one frame: @prefix, then @payload, then @suffix.
 * Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_push (WampFrameQueue *self,
                            const guint8   *prefix,
                            gsize           prefix_len,
                            GBytes         *payload,
                            const guint8   *suffix,
                            gsize           suffix_len);

/* Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_frame_queue_is_empty (const WampFrameQueue *self);

/* The bytes queued and not yet written. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gsize wamp_frame_queue_get_bytes (const WampFrameQueue *self);

/* Would @len more bytes take the queue beyond @max_bytes? Never on an empty
 * queue: the frame is already in memory (one GBytes shared by every
 * receiver) and only referenced here; refusing it would make a message
 * larger than @max_bytes undeliverable to anyone. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_frame_queue_would_overflow (const WampFrameQueue *self,
                                          gsize                 len,
                                          gsize                 max_bytes);

/* Drops every frame. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_clear (WampFrameQueue *self);

/* Drops every frame the peer has not received any byte of; a frame written
 * in part stays, it must be completed before another frame can follow.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_drop_unstarted (WampFrameQueue *self);

/**
 * wamp_frame_queue_write:
 * @io: (transfer none): the connection's socket
 * @error: set when the connection failed
 *
 * Writes as much of the queue as @io takes without blocking and retires
 * what was written.
 *
 * Returns: TRUE when the queue is empty or the socket would block (watch
 * for WAMP_REACTOR_WRITE while the queue is not empty); FALSE with @error
 * when the write failed. Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_frame_queue_write (WampFrameQueue *self,
                                 WampSocketIo   *io,
                                 GError        **error);

/**
 * wamp_frame_queue_get_inline_buffer:
 *
 * The queue's own buffer, for a frame body encoded straight into the queue
 * (no allocation per frame): note its length, append the body, then
 * wamp_frame_queue_push_inline() with that start, or
 * wamp_frame_queue_discard_inline() to drop what was appended. Append only;
 * the bytes before the start belong to queued frames. The buffer is freed
 * once the queue is empty.
 *
 * Returns: (transfer none): valid until the next call on @self.
 * Since: ABI 1.3
 */
WAMP_AVAILABLE_IN_ALL
WampOutputBuffer *wamp_frame_queue_get_inline_buffer (WampFrameQueue *self);

/**
 * wamp_frame_queue_push_inline:
 * @body_start: the inline buffer's length before the body was appended
 *
 * Appends one frame: @prefix, the inline buffer's bytes from @body_start to
 * its end, then @suffix (both copied, bounded as in wamp_frame_queue_push()).
 * Since: ABI 1.3
 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_push_inline (WampFrameQueue *self,
                                   const guint8   *prefix,
                                   gsize           prefix_len,
                                   gsize           body_start,
                                   const guint8   *suffix,
                                   gsize           suffix_len);

/* Drops the inline buffer's bytes from @body_start on (a body that is not
 * sent after all). Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
void wamp_frame_queue_discard_inline (WampFrameQueue *self,
                                      gsize           body_start);

/**
 * wamp_frame_queue_serialize_inline:
 * @serializer: (transfer none): the connection's
 * @message: (transfer none)
 * @body_start: (out): where the body starts in the inline buffer
 * @body_len: (out): its length
 *
 * Appends @message's frame, encoded by @serializer
 * (wamp_serializer_serialize_into()), to the inline buffer: a transport's
 * @send_message then checks @body_len, frames it with
 * wamp_frame_queue_push_inline() or drops it with
 * wamp_frame_queue_discard_inline().
 *
 * Returns: FALSE with the serializer's error, nothing appended.
 * Since: ABI 1.3
 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_frame_queue_serialize_inline (WampFrameQueue *self,
                                            WampSerializer *serializer,
                                            WampMessage    *message,
                                            gsize          *body_start,
                                            gsize          *body_len,
                                            GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampFrameQueue, wamp_frame_queue_free)

G_END_DECLS
