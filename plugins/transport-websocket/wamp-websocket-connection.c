/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketConnection: moves WebSocket frames between a socket (plain or
 * TLS, through WampSocketIo) and the core on the reactor: reads into the
 * codec, vectored writes of a bounded queue. */

#include "wamp-websocket-connection.h"
#include "wamp-connection-private.h"
#include "wamp-websocket-batch.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

/* Reads per wake-up before yielding to other connections (level-triggered:
 * what is left is reported again). */
#define MAX_READS_PER_WAKE 16

/* One WebSocket frame on the queue: the header (for a batched binary
 * subprotocol followed by the message's length prefix) as the prefix, the
 * serialized message shared with every other receiver (serialize once: it
 * is never copied to add the batch framing), and for batched JSON the
 * separator as the suffix. */
G_STATIC_ASSERT (WAMP_WEBSOCKET_MAX_HEADER + WAMP_WEBSOCKET_BATCH_PREFIX_LEN <=
                 WAMP_FRAME_QUEUE_MAX_PREFIX);

typedef enum {
  STATE_NEW,
  STATE_OPEN,
  STATE_CLOSED,
} State;

struct _WampWebsocketConnection
{
  GObject parent_instance;

  /* Set by the core (WAMP_CONNECTION_SINK_SLOT): frames go straight to it. */
  WampConnectionSink *sink;

  WampReactor *reactor;
  GIOStream *stream;
  WampSocketIo *io;
  int fd;
  WampReactorWatch *watch;
  /* TLS: reads cut short by MAX_READS_PER_WAKE continue from here, since
   * records buffered in the TLS layer never wake the fd again. */
  WampReactorTimer *read_more_timer;
  WampWebsocketCodec *codec;
  WampWebsocketRole role;
  WampSerializer *serializer;
  gboolean batched; /* the subprotocol is the serializer's ".batched" variant */
  WampWebsocketOptions options;
  WampValue *http_headers;

  State state;
  WampFrameQueue *out;
  /* The operator hears of an overflow once per connection, not per frame. */
  gboolean overflow_logged;
  WampReactorFlush flush_pending;

  gboolean close_sent;
  gboolean close_received;
  /* Shut down once the queue is written (the close frame is last in it). */
  gboolean finish_after_flush;
  guint16 close_code;
  char *close_reason;

  GBytes *initial;
  WampReactorTimer *start_timer;
  WampReactorTimer *fail_timer;
  WampReactorTimer *close_timer;
  WampKeepalive *keepalive;
};

static void wamp_websocket_connection_iface_init (WampConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampWebsocketConnection, wamp_websocket_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_CONNECTION,
                                                      wamp_websocket_connection_iface_init))

void
wamp_websocket_options_init (WampWebsocketOptions *options)
{
  g_return_if_fail (options != NULL);

  options->max_message_size = WAMP_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE;
  options->max_queue_bytes = WAMP_WEBSOCKET_DEFAULT_MAX_QUEUE_BYTES;
  options->queue_overflow = WAMP_QUEUE_OVERFLOW_DISCONNECT;
  options->ping_interval_ms = 0;
  options->ping_timeout_ms = 10000;
  options->close_timeout_ms = WAMP_WEBSOCKET_DEFAULT_CLOSE_TIMEOUT_MS;
}

static void
clear_timer (WampWebsocketConnection *self, WampReactorTimer **timer)
{
  if (*timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, *timer);
      *timer = NULL;
    }
}

/* Ends the connection: no more I/O, closed reported exactly once. */
static void
finish (WampWebsocketConnection *self,
        guint16                  code,
        const char              *reason)
{
  g_autoptr(WampWebsocketConnection) keep = NULL;

  if (self->state == STATE_CLOSED)
    return;
  keep = g_object_ref (self);
  self->state = STATE_CLOSED;

  /* These two held a reference each; keep still does. */
  if (self->start_timer != NULL)
    {
      clear_timer (self, &self->start_timer);
      g_object_unref (self);
    }
  if (self->fail_timer != NULL)
    {
      clear_timer (self, &self->fail_timer);
      g_object_unref (self);
    }
  clear_timer (self, &self->close_timer);
  wamp_keepalive_stop (self->keepalive);
  clear_timer (self, &self->read_more_timer);
  if (self->watch != NULL)
    {
      wamp_reactor_remove_fd (self->reactor, self->watch);
      self->watch = NULL;
    }
  wamp_frame_queue_clear (self->out);
  g_clear_pointer (&self->initial, g_bytes_unref);
  /* Shuts down before closing, so a peer sharing the fd (a dup in libsoup's
   * stream) cannot keep the connection alive. */
  wamp_socket_io_shutdown (self->io);
  self->fd = -1;

  g_debug ("%s: closed (%u %s)", wamp_socket_io_get_peer (self->io), code,
           reason != NULL ? reason : "");
  wamp_connection_closed (WAMP_CONNECTION (self), (WampCloseCode) code, reason);
}

static void
fail_cb (WampReactor *reactor,
         gpointer     user_data)
{
  /* Takes over the reference fail_soon() took. */
  g_autoptr(WampWebsocketConnection) self = user_data;

  self->fail_timer = NULL;
  finish (self, self->close_code, self->close_reason);
}

/* A write failed, possibly inside the owner's send() or close(): stop all
 * I/O now but report closed from the reactor, not from the owner's call. */
static void
fail_soon (WampWebsocketConnection *self,
           guint16                  code,
           const char              *reason)
{
  if (self->state == STATE_CLOSED || self->fail_timer != NULL)
    return;
  self->close_sent = TRUE; /* refuses further sends */
  self->finish_after_flush = FALSE;
  self->close_code = code;
  g_free (self->close_reason);
  self->close_reason = g_strdup (reason);
  if (self->watch != NULL)
    {
      wamp_reactor_remove_fd (self->reactor, self->watch);
      self->watch = NULL;
    }
  wamp_frame_queue_clear (self->out);
  self->fail_timer = wamp_reactor_defer (self->reactor, fail_cb, g_object_ref (self));
}

/* Writing */

static void
update_interest (WampWebsocketConnection *self)
{
  WampReactorEvents ev = WAMP_REACTOR_READ;

  if (self->watch == NULL)
    return;
  if (!wamp_frame_queue_is_empty (self->out))
    ev |= WAMP_REACTOR_WRITE;
  wamp_reactor_modify_fd (self->reactor, self->watch, ev);
}

/* Writes as much of the queue as the socket takes. Returns FALSE when the
 * connection was finished by an error. */
static gboolean
flush (WampWebsocketConnection *self)
{
  g_autoptr(GError) error = NULL;

  if (self->state != STATE_OPEN || self->fail_timer != NULL)
    return FALSE;
  if (!wamp_frame_queue_write (self->out, self->io, &error))
    {
      fail_soon (self, WAMP_CLOSE_ABNORMAL, error->message);
      return FALSE;
    }

  if (wamp_frame_queue_is_empty (self->out) && self->finish_after_flush)
    {
      finish (self, self->close_code, self->close_reason);
      return FALSE;
    }
  update_interest (self);
  return TRUE;
}

static void
flush_object (GObject *object)
{
  flush ((WampWebsocketConnection *) object);
}

/* Writes at the end of the reactor's turn, so every frame queued in it goes
 * out with one writev; outside a turn, at once. */
static void
flush_soon (WampWebsocketConnection *self)
{
  wamp_reactor_flush_soon (self->reactor, &self->flush_pending, G_OBJECT (self), flush_object);
}

/* Queues the WAMP message the inline buffer holds from @start on (encoded
 * there by wamp_websocket_connection_send_message()), framed as
 * enqueue_message() frames a GBytes; a client masks it in place. */
static void
enqueue_message_inline (WampWebsocketConnection *self,
                        gsize                    start)
{
  WampOutputBuffer *body = wamp_frame_queue_get_inline_buffer (self->out);
  gboolean binary = wamp_serializer_is_binary (self->serializer);
  guint8 opcode = binary ? WAMP_WEBSOCKET_OP_BINARY : WAMP_WEBSOCKET_OP_TEXT;
  guint8 prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN], suffix[1];
  gsize len = body->len - start;
  gsize prefix_len = 0, suffix_len = 0;
  guint8 header[WAMP_WEBSOCKET_MAX_HEADER + WAMP_WEBSOCKET_BATCH_PREFIX_LEN];
  gsize header_len;
  guint8 key[4];

  if (self->batched)
    wamp_websocket_batch_framing (binary, len, prefix, &prefix_len, suffix, &suffix_len);
  header_len = wamp_websocket_codec_write_header (self->codec, opcode, prefix_len + len + suffix_len,
                                                  header, key);
  if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT)
    {
      wamp_websocket_mask (prefix, prefix_len, key, 0);
      wamp_websocket_mask (body->data + start, len, key, prefix_len);
      wamp_websocket_mask (suffix, suffix_len, key, prefix_len + len);
    }
  memcpy (header + header_len, prefix, prefix_len);
  wamp_frame_queue_push_inline (self->out, header, header_len + prefix_len, start, suffix, suffix_len);
}

/* Queues one frame; @payload is referenced (server) or masked into a copy
 * (client). */
static void
enqueue (WampWebsocketConnection *self,
         guint8                   opcode,
         GBytes                  *payload)
{
  guint8 header[WAMP_WEBSOCKET_MAX_HEADER];
  guint8 key[4];
  gsize len = g_bytes_get_size (payload);
  gsize header_len;

  header_len = wamp_websocket_codec_write_header (self->codec, opcode, len, header, key);
  if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT && len > 0)
    {
      guint8 *copy = g_memdup2 (g_bytes_get_data (payload, NULL), len);
      g_autoptr(GBytes) masked = NULL;

      wamp_websocket_mask (copy, len, key, 0);
      masked = g_bytes_new_take (copy, len);
      wamp_frame_queue_push (self->out, header, header_len, masked, NULL, 0);
    }
  else
    wamp_frame_queue_push (self->out, header, header_len, payload, NULL, 0);
}

/* Queues one WAMP message; on a batched subprotocol as a batch of one, the
 * length prefix or separator added around @payload (referenced, never
 * copied on the server side). */
static void
enqueue_message (WampWebsocketConnection *self,
                 GBytes                  *payload)
{
  gboolean binary = wamp_serializer_is_binary (self->serializer);
  guint8 opcode = binary ? WAMP_WEBSOCKET_OP_BINARY : WAMP_WEBSOCKET_OP_TEXT;
  guint8 prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN], suffix[1];
  gsize len = g_bytes_get_size (payload);
  gsize prefix_len = 0, suffix_len = 0, total;
  guint8 header[WAMP_WEBSOCKET_MAX_HEADER + WAMP_WEBSOCKET_BATCH_PREFIX_LEN];
  gsize header_len;
  guint8 key[4];

  if (!self->batched)
    {
      enqueue (self, opcode, payload);
      return;
    }
  /* The caller checked that the length fits (wamp_websocket_connection_send). */
  wamp_websocket_batch_framing (binary, len, prefix, &prefix_len, suffix, &suffix_len);
  total = prefix_len + len + suffix_len;

  header_len = wamp_websocket_codec_write_header (self->codec, opcode, total, header, key);
  if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT)
    {
      /* A client masks into a copy anyway: one buffer for all of it. */
      guint8 *copy = g_malloc (total);
      g_autoptr(GBytes) masked = NULL;

      memcpy (copy, prefix, prefix_len);
      memcpy (copy + prefix_len, g_bytes_get_data (payload, NULL), len);
      memcpy (copy + prefix_len + len, suffix, suffix_len);
      wamp_websocket_mask (copy, total, key, 0);
      masked = g_bytes_new_take (copy, total);
      wamp_frame_queue_push (self->out, header, header_len, masked, NULL, 0);
    }
  else
    {
      memcpy (header + header_len, prefix, prefix_len);
      wamp_frame_queue_push (self->out, header, header_len + prefix_len, payload,
                             suffix, suffix_len);
    }
}

static void
enqueue_control (WampWebsocketConnection *self,
                 guint8                   opcode,
                 const guint8            *data,
                 gsize                    len)
{
  g_autoptr(GBytes) payload = g_bytes_new (data, len);

  enqueue (self, opcode, payload);
}

static void
close_timeout_cb (WampReactor *reactor,
                  gpointer     user_data)
{
  WampWebsocketConnection *self = user_data;

  self->close_timer = NULL;
  finish (self, self->close_code, self->close_reason);
}

/* Sends a close frame (after what is queued) and remembers what to report:
 * @report_code/@report_reason are what wamp_connection_closed() will say. */
static void
send_close_full (WampWebsocketConnection *self,
                 guint16                  code,
                 const char              *reason,
                 guint16                  report_code,
                 const char              *report_reason,
                 gboolean                 finish_when_written)
{
  guint8 payload[2 + 123];
  gsize len = 0;

  self->close_sent = TRUE;
  self->close_code = report_code;
  g_free (self->close_reason);
  self->close_reason = g_strdup (report_reason);
  self->finish_after_flush = finish_when_written;

  if (code != WAMP_WEBSOCKET_CLOSE_NO_STATUS)
    {
      gsize rlen = reason != NULL ? strlen (reason) : 0;
      const char *end;

      payload[0] = (guint8) (code >> 8);
      payload[1] = (guint8) code;
      if (rlen > 123)
        rlen = 123;
      if (rlen > 0 && !g_utf8_validate_len (reason, rlen, &end))
        rlen = (gsize) (end - reason);
      if (rlen > 0)
        memcpy (payload + 2, reason, rlen);
      len = 2 + rlen;
    }
  enqueue_control (self, WAMP_WEBSOCKET_OP_CLOSE, payload, len);

  /* Bounded: a peer that never reads nor answers does not keep us. */
  wamp_keepalive_stop (self->keepalive);
  if (self->close_timer == NULL)
    self->close_timer = wamp_reactor_add_timer (self->reactor, self->options.close_timeout_ms,
                                                close_timeout_cb, self);
  if (self->state == STATE_OPEN)
    flush (self);
}

static void
send_close (WampWebsocketConnection *self,
            guint16                  code,
            const char              *reason,
            gboolean                 finish_when_written)
{
  send_close_full (self, code, reason, code, reason, finish_when_written);
}

/* Codec callbacks */

static gboolean
codec_message (gpointer  user_data,
               gboolean  binary,
               GBytes   *payload)
{
  WampWebsocketConnection *self = user_data;

  /* Once we started closing, the session said its last word. */
  if (self->state != STATE_OPEN || self->close_sent)
    return self->state == STATE_OPEN;
  if (self->batched)
    {
      const char *reason = NULL;
      g_autoptr(GPtrArray) frames = wamp_websocket_batch_split (payload, binary, &reason);

      if (frames == NULL)
        {
          g_debug ("%s: bad batch: %s", wamp_socket_io_get_peer (self->io), reason);
          send_close (self, WAMP_CLOSE_INVALID_DATA, reason, TRUE);
          return self->state == STATE_OPEN;
        }
      /* A frame may make the session close the connection: the rest of the
       * batch is then not delivered. */
      for (guint i = 0; i < frames->len && self->state == STATE_OPEN && !self->close_sent; i++)
        wamp_connection_frame_received (WAMP_CONNECTION (self), g_ptr_array_index (frames, i));
      return self->state == STATE_OPEN;
    }
  wamp_connection_frame_received (WAMP_CONNECTION (self), payload);
  return self->state == STATE_OPEN;
}

static gboolean
codec_message_data (gpointer      user_data,
                    gboolean      binary,
                    const guint8 *data,
                    gsize         len)
{
  WampWebsocketConnection *self = user_data;

  /* A batch is split into slices of one GBytes (rare: a copy is fine). */
  if (self->batched)
    {
      g_autoptr(GBytes) payload = g_bytes_new (data, len);

      return codec_message (self, binary, payload);
    }
  if (self->state != STATE_OPEN || self->close_sent)
    return self->state == STATE_OPEN;
  wamp_connection_sink_deliver_data (self->sink, WAMP_CONNECTION (self), data, len);
  return self->state == STATE_OPEN;
}

static gboolean
codec_ping (gpointer      user_data,
            const guint8 *data,
            gsize         len)
{
  WampWebsocketConnection *self = user_data;

  /* A peer that pings without reading gets no more pongs than the queue
   * bound allows (RFC 6455 lets us skip all but the last anyway). */
  if (!self->close_sent && wamp_frame_queue_get_bytes (self->out) < self->options.max_queue_bytes)
    {
      enqueue_control (self, WAMP_WEBSOCKET_OP_PONG, data, len);
      update_interest (self);
    }
  return TRUE;
}

static gboolean
codec_pong (gpointer      user_data,
            const guint8 *data,
            gsize         len)
{
  WampWebsocketConnection *self = user_data;

  wamp_keepalive_pong_received (self->keepalive);
  return TRUE;
}

static gboolean
codec_close (gpointer    user_data,
             guint16     code,
             const char *reason)
{
  WampWebsocketConnection *self = user_data;

  self->close_received = TRUE;
  if (self->close_sent)
    {
      /* The answer to our close: the handshake is complete. */
      finish (self, self->close_code, self->close_reason);
      return FALSE;
    }
  /* Answer with 1000 whatever the peer said, as Autobahn/Crossbar do by
   * default (clients such as AutobahnJS call only 1000 a clean close), and
   * shut down once written. The core hears the peer's code; a close without
   * one counts as normal. */
  send_close_full (self, WAMP_CLOSE_NORMAL, NULL,
                   code == WAMP_WEBSOCKET_CLOSE_NO_STATUS ? WAMP_CLOSE_NORMAL : code, reason, TRUE);
  return FALSE;
}

static const WampWebsocketCodecFuncs codec_funcs = {
  codec_message,
  codec_ping,
  codec_pong,
  codec_close,
  codec_message_data,
};

/* Handles the codec's verdict after parsing. */
static void
handle_codec_result (WampWebsocketConnection  *self,
                     WampWebsocketCodecResult  res,
                     guint16                   code,
                     const char               *reason)
{
  if (res != WAMP_WEBSOCKET_CODEC_FAILED || self->state != STATE_OPEN)
    return;
  g_debug ("%s: protocol error %u (%s)", wamp_socket_io_get_peer (self->io), code, reason);
  if (!self->close_sent)
    send_close (self, code, reason, TRUE);
  else
    /* Garbage instead of the answer to our close: no use waiting. */
    finish (self, self->close_code, self->close_reason);
}

/* Reading */

static void read_more_cb (WampReactor *reactor, gpointer user_data);

/* Reads what is there (WampSocketIo's rule: until WOULD_BLOCK, which on a
 * plain socket a short read already proves). */
static void
read_some (WampWebsocketConnection *self)
{
  gboolean tls = wamp_socket_io_is_tls (self->io);

  for (guint i = 0; i < MAX_READS_PER_WAKE; i++)
    {
      g_autoptr(GError) error = NULL;
      gsize room;
      guint8 *buf;
      gssize n;
      WampWebsocketCodecResult res;
      guint16 code = 0;
      const char *reason = NULL;

      if (self->state != STATE_OPEN)
        return;
      if (self->close_received)
        {
          /* Nothing more will be parsed; drain so EOF is seen. */
          guint8 sink[4096];

          n = wamp_socket_io_read (self->io, sink, sizeof sink, &error);
          if (n == 0 || (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
            finish (self, self->close_code, self->close_reason);
          if (n <= 0)
            return;
          continue;
        }

      buf = wamp_websocket_codec_get_read_buffer (self->codec, &room);
      n = wamp_socket_io_read (self->io, buf, room, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            finish (self, WAMP_CLOSE_ABNORMAL, error->message);
          return;
        }
      if (n == 0)
        {
          if (self->close_sent)
            finish (self, self->close_code, self->close_reason);
          else
            finish (self, WAMP_CLOSE_ABNORMAL, "connection lost");
          return;
        }

      res = wamp_websocket_codec_commit (self->codec, (gsize) n, &code, &reason);
      handle_codec_result (self, res, code, reason);
      if (res != WAMP_WEBSOCKET_CODEC_OK || (!tls && (gsize) n < room))
        return;
    }
  /* Yielding to other connections: a plain fd stays readable (level
   * triggered), TLS may hold the rest in its buffers. */
  if (tls && self->state == STATE_OPEN && self->read_more_timer == NULL)
    self->read_more_timer = wamp_reactor_defer (self->reactor, read_more_cb, self);
}

static void
read_more_cb (WampReactor *reactor,
              gpointer     user_data)
{
  g_autoptr(WampWebsocketConnection) self = g_object_ref (user_data);

  self->read_more_timer = NULL;
  read_some (self);
}

static void
fd_event_cb (WampReactor       *reactor,
             WampReactorWatch  *watch,
             int                fd,
             WampReactorEvents  events,
             gpointer           user_data)
{
  /* frame_received may drop the core's reference. */
  g_autoptr(WampWebsocketConnection) self = g_object_ref (user_data);

  if (events & WAMP_REACTOR_WRITE)
    {
      if (!flush (self))
        return;
    }
  if (events & (WAMP_REACTOR_READ | WAMP_REACTOR_HANGUP))
    read_some (self);
}

/* Pings */

static gboolean
keepalive_send_ping (const guint8 *payload,
                     gsize         len,
                     gpointer      user_data)
{
  g_autoptr(WampWebsocketConnection) self = g_object_ref (user_data);

  if (self->state != STATE_OPEN || self->close_sent)
    return FALSE;
  enqueue_control (self, WAMP_WEBSOCKET_OP_PING, payload, len);
  flush (self);
  return self->state == STATE_OPEN;
}

static void
keepalive_timed_out (gpointer user_data)
{
  g_autoptr(WampWebsocketConnection) self = g_object_ref (user_data);

  finish (self, WAMP_CLOSE_ABNORMAL, "ping timeout");
}

static const WampKeepaliveFuncs keepalive_funcs = {
  keepalive_send_ping,
  keepalive_timed_out,
};

/* Start */

static void
start_cb (WampReactor *reactor,
          gpointer     user_data)
{
  /* Takes over the reference wamp_websocket_connection_start() took. */
  g_autoptr(WampWebsocketConnection) self = user_data;
  g_autoptr(GBytes) initial = g_steal_pointer (&self->initial);

  self->start_timer = NULL;
  if (self->state != STATE_NEW)
    return;
  self->state = STATE_OPEN;

  self->watch = wamp_reactor_add_fd (self->reactor, self->fd, WAMP_REACTOR_READ, fd_event_cb, self);
  if (self->watch == NULL)
    {
      finish (self, WAMP_CLOSE_INTERNAL_ERROR, "cannot watch the socket");
      return;
    }
  wamp_keepalive_start (self->keepalive, self->options.ping_interval_ms,
                        self->options.ping_timeout_ms);
  if (initial != NULL && g_bytes_get_size (initial) > 0)
    {
      guint16 code = 0;
      const char *reason = NULL;
      WampWebsocketCodecResult res;

      res = wamp_websocket_codec_feed (self->codec, g_bytes_get_data (initial, NULL),
                                       g_bytes_get_size (initial), &code, &reason);
      handle_codec_result (self, res, code, reason);
    }
  /* Frames queued before the start (a send right after accept). */
  if (self->state == STATE_OPEN && !wamp_frame_queue_is_empty (self->out))
    flush (self);
  /* Records the TLS layer decrypted during the upgrade never wake the fd. */
  if (self->state == STATE_OPEN && wamp_socket_io_is_tls (self->io))
    read_some (self);
}

void
wamp_websocket_connection_start (WampWebsocketConnection *self,
                                 GBytes                  *initial)
{
  g_return_if_fail (WAMP_IS_WEBSOCKET_CONNECTION (self));
  g_return_if_fail (self->start_timer == NULL);

  /* Closed before it started (e.g. nobody took the connection). */
  if (self->state != STATE_NEW)
    return;
  if (initial != NULL)
    self->initial = g_bytes_ref (initial);
  self->start_timer = wamp_reactor_defer (self->reactor, start_cb, g_object_ref (self));
}

/* Overflow */

#define OVERFLOW_REASON "outgoing queue overflow"

/* The disconnect policy: a peer that does not read gets a close frame on a
 * best-effort basis and is then dropped without waiting for its answer (it
 * would have to read everything queued first). Like fail_soon(), called
 * inside the owner's send(): closed is reported from the reactor. */
static void
disconnect_on_overflow (WampWebsocketConnection *self)
{
  /* What the peer has not started to receive is dropped; a frame it got
   * part of must be completed before the close frame can follow it. */
  wamp_frame_queue_drop_unstarted (self->out);
  send_close_full (self, WAMP_CLOSE_POLICY_VIOLATION, OVERFLOW_REASON,
                   WAMP_CLOSE_POLICY_VIOLATION, OVERFLOW_REASON, FALSE);
  if (self->state == STATE_CLOSED)
    return;
  /* Even when that write failed (fail_soon() already deferred the end),
   * the cause the core hears is the overflow. */
  self->close_code = WAMP_CLOSE_POLICY_VIOLATION;
  g_free (self->close_reason);
  self->close_reason = g_strdup (OVERFLOW_REASON);
  if (self->fail_timer != NULL)
    return;
  clear_timer (self, &self->close_timer);
  if (self->watch != NULL)
    {
      wamp_reactor_remove_fd (self->reactor, self->watch);
      self->watch = NULL;
    }
  self->fail_timer = wamp_reactor_defer (self->reactor, fail_cb, g_object_ref (self));
}

/* A frame of @len bytes does not fit: applies the configured policy. */
static void
handle_overflow (WampWebsocketConnection *self,
                 gsize                    len)
{
  gboolean drop = self->options.queue_overflow == WAMP_QUEUE_OVERFLOW_DROP;

  if (!self->overflow_logged)
    {
      self->overflow_logged = TRUE;
      g_message ("%s: outgoing queue overflow: %" G_GSIZE_FORMAT " bytes queued, a frame of %"
                 G_GSIZE_FORMAT " bytes does not fit in max_queue_bytes %" G_GSIZE_FORMAT "; %s",
                 wamp_socket_io_get_peer (self->io), wamp_frame_queue_get_bytes (self->out), len,
                 self->options.max_queue_bytes,
                 drop ? "dropping what does not fit" : "disconnecting");
    }
  if (!drop)
    disconnect_on_overflow (self);
}

/* WampConnection */

static gboolean
check_open (WampWebsocketConnection  *self,
            GError                  **error)
{
  if (self->state == STATE_CLOSED || self->close_sent)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT, "connection is closed");
      return FALSE;
    }
  return TRUE;
}

/* Whether a message of @len bytes may be queued now; sets @error (and
 * applies the overflow policy) when not. */
static gboolean
check_sendable (WampWebsocketConnection  *self,
                gsize                     len,
                GError                  **error)
{
  if (!check_open (self, error))
    return FALSE;
  /* A message larger than the bound still goes out on an empty queue: it is
   * already in memory (one GBytes shared by every receiver, serialize once,
   * or encoded into the queue) and only referenced here, so queueing it costs
   * no more than the message itself, which max_message_size bounds; refusing
   * it would make it undeliverable to anyone whenever max_queue_bytes < the
   * message size. (A client masks into a copy, but only of its own, bounded,
   * messages.) */
  if (wamp_frame_queue_would_overflow (self->out, len, self->options.max_queue_bytes))
    {
      gsize queued = wamp_frame_queue_get_bytes (self->out);
      g_autoptr(WampWebsocketConnection) keep G_GNUC_UNUSED = g_object_ref (self);

      handle_overflow (self, len);
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                   "outgoing queue full (%" G_GSIZE_FORMAT " bytes)", queued);
      return FALSE;
    }

  /* A binary batch element's length must fit its 32-bit prefix. */
  if (self->batched && wamp_serializer_is_binary (self->serializer) && len > G_MAXUINT32)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED,
                   "a message of %" G_GSIZE_FORMAT " bytes does not fit a batch", len);
      return FALSE;
    }
  return TRUE;
}

/* After a message was queued. */
static void
sent (WampWebsocketConnection *self,
      gboolean                 was_empty)
{
  /* When something waits, the write watch is on already. */
  if (was_empty && self->state == STATE_OPEN)
    flush_soon (self);
}

static gboolean
wamp_websocket_connection_send (WampConnection  *conn,
                                GBytes          *frame,
                                GError         **error)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (conn);
  gboolean was_empty;

  if (!check_sendable (self, g_bytes_get_size (frame), error))
    return FALSE;
  was_empty = wamp_frame_queue_is_empty (self->out);
  enqueue_message (self, frame);
  sent (self, was_empty);
  return TRUE;
}

static gboolean
wamp_websocket_connection_send_message (WampConnection  *conn,
                                        WampMessage     *message,
                                        gsize           *frame_len,
                                        GError         **error)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (conn);
  gboolean was_empty;
  gsize start;

  if (!check_open (self, error) ||
      !wamp_frame_queue_serialize_inline (self->out, self->serializer, message, &start, frame_len, error))
    return FALSE;
  if (!check_sendable (self, *frame_len, error))
    {
      wamp_frame_queue_discard_inline (self->out, start);
      return FALSE;
    }
  was_empty = wamp_frame_queue_is_empty (self->out);
  enqueue_message_inline (self, start);
  sent (self, was_empty);
  return TRUE;
}

static void
wamp_websocket_connection_close (WampConnection *conn,
                                 WampCloseCode   code,
                                 const char     *reason)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (conn);
  g_autoptr(WampWebsocketConnection) keep G_GNUC_UNUSED = g_object_ref (self);

  if (self->state == STATE_CLOSED || self->close_sent)
    return;
  if (!wamp_websocket_close_code_is_valid (code))
    code = WAMP_CLOSE_NORMAL;
  /* Before the start the frame waits in the queue; the close timer bounds
   * a connection that never starts. */
  send_close (self, code, reason, FALSE);
}

static const char *
wamp_websocket_connection_get_peer (WampConnection *conn)
{
  return wamp_socket_io_get_peer (WAMP_WEBSOCKET_CONNECTION (conn)->io);
}

static WampSerializer *
wamp_websocket_connection_get_serializer (WampConnection *conn)
{
  return WAMP_WEBSOCKET_CONNECTION (conn)->serializer;
}

static WampValue *
wamp_websocket_connection_get_transport_details (WampConnection *conn)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (conn);
  WampValue *details = wamp_value_new_dict (4);
  g_autofree char *protocol = g_strconcat (wamp_serializer_get_subprotocol (self->serializer),
                                           self->batched ? WAMP_WEBSOCKET_BATCHED_SUFFIX : "",
                                           NULL);

  wamp_value_dict_insert (details, "type", wamp_value_new_string ("websocket"));
  wamp_value_dict_insert (details, "protocol", wamp_value_new_string (protocol));
  wamp_value_dict_insert (details, "peer", wamp_value_new_string (wamp_socket_io_get_peer (self->io)));
  /* "tls", and the client certificate for authenticators. */
  wamp_socket_io_add_transport_details (self->io, details);
  if (self->http_headers != NULL)
    wamp_value_dict_insert (details, "http_headers_received", wamp_value_ref (self->http_headers));
  return details;
}

static GTlsCertificate *
wamp_websocket_connection_get_peer_certificate (WampConnection *conn)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (conn);

  /* Only a verified one counts. */
  if (wamp_socket_io_get_peer_certificate_errors (self->io) != 0)
    return NULL;
  return wamp_socket_io_get_peer_certificate (self->io);
}

static gsize
wamp_websocket_connection_get_queued_bytes (WampConnection *conn)
{
  return wamp_frame_queue_get_bytes (WAMP_WEBSOCKET_CONNECTION (conn)->out);
}

static void
wamp_websocket_connection_iface_init (WampConnectionInterface *iface)
{
  iface->send = wamp_websocket_connection_send;
  iface->send_message = wamp_websocket_connection_send_message;
  iface->close = wamp_websocket_connection_close;
  iface->get_peer = wamp_websocket_connection_get_peer;
  iface->get_serializer = wamp_websocket_connection_get_serializer;
  iface->get_transport_details = wamp_websocket_connection_get_transport_details;
  iface->get_peer_certificate = wamp_websocket_connection_get_peer_certificate;
  iface->get_queued_bytes = wamp_websocket_connection_get_queued_bytes;
}

/* GObject */

static void
wamp_websocket_connection_dispose (GObject *object)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (object);

  /* Dropped while open: release the fd and the reactor's pointers to us.
   * The core holds a reference until it saw closed, so this is teardown. */
  if (self->state != STATE_CLOSED)
    {
      self->state = STATE_CLOSED;
      clear_timer (self, &self->close_timer);
      if (self->keepalive != NULL)
        wamp_keepalive_stop (self->keepalive);
      clear_timer (self, &self->read_more_timer);
      if (self->watch != NULL)
        {
          wamp_reactor_remove_fd (self->reactor, self->watch);
          self->watch = NULL;
        }
      if (self->io != NULL)
        wamp_socket_io_shutdown (self->io);
    }
  wamp_frame_queue_clear (self->out);
  g_clear_pointer (&self->initial, g_bytes_unref);

  G_OBJECT_CLASS (wamp_websocket_connection_parent_class)->dispose (object);
}

static void
wamp_websocket_connection_finalize (GObject *object)
{
  WampWebsocketConnection *self = WAMP_WEBSOCKET_CONNECTION (object);

  g_clear_pointer (&self->keepalive, wamp_keepalive_free);
  g_clear_pointer (&self->codec, wamp_websocket_codec_free);
  g_clear_object (&self->io);
  g_clear_object (&self->stream);
  g_clear_object (&self->serializer);
  g_clear_object (&self->reactor);
  g_clear_pointer (&self->http_headers, wamp_value_unref);
  g_free (self->close_reason);
  wamp_frame_queue_free (self->out);

  G_OBJECT_CLASS (wamp_websocket_connection_parent_class)->finalize (object);
}

static void
wamp_websocket_connection_class_init (WampWebsocketConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_websocket_connection_dispose;
  object_class->finalize = wamp_websocket_connection_finalize;
}

static void
wamp_websocket_connection_init (WampWebsocketConnection *self)
{
  self->out = wamp_frame_queue_new ();
  self->fd = -1;
  g_object_set_qdata (G_OBJECT (self), g_quark_from_static_string (WAMP_CONNECTION_SINK_SLOT),
                      &self->sink);
}

void
wamp_websocket_connection_set_batched (WampWebsocketConnection *self,
                                       gboolean                 batched)
{
  g_return_if_fail (WAMP_IS_WEBSOCKET_CONNECTION (self));
  g_return_if_fail (self->state == STATE_NEW);

  self->batched = batched;
}

gboolean
wamp_websocket_connection_get_batched (WampWebsocketConnection *self)
{
  g_return_val_if_fail (WAMP_IS_WEBSOCKET_CONNECTION (self), FALSE);

  return self->batched;
}

WampWebsocketConnection *
wamp_websocket_connection_new (WampReactor                *reactor,
                               GIOStream                  *stream,
                               WampSocketIo               *io,
                               WampWebsocketRole           role,
                               WampSerializer             *serializer,
                               const WampWebsocketOptions *options,
                               WampValue                  *http_headers)
{
  WampWebsocketConnection *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (stream == NULL || G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (io), NULL);
  g_return_val_if_fail (WAMP_IS_SERIALIZER (serializer), NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (WAMP_TYPE_WEBSOCKET_CONNECTION, NULL);
  self->reactor = g_object_ref (reactor);
  self->keepalive = wamp_keepalive_new (reactor, &keepalive_funcs, self);
  self->stream = stream != NULL ? g_object_ref (stream) : NULL;
  self->io = g_object_ref (io);
  self->fd = wamp_socket_io_get_fd (io);
  self->role = role;
  self->serializer = g_object_ref (serializer);
  self->options = *options;
  self->http_headers = http_headers != NULL ? wamp_value_ref (http_headers) : NULL;
  self->codec = wamp_websocket_codec_new (role, wamp_serializer_is_binary (serializer),
                                          options->max_message_size, &codec_funcs, self);

  if (g_socket_get_family (wamp_socket_io_get_socket (io)) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (wamp_socket_io_get_socket (io), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  return self;
}
