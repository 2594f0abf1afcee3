/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketConnection: runs the RawSocket handshake, then moves frames
 * between a socket and the core on the reactor: reads into the decoder,
 * writev() of a bounded queue whose frames keep the shared GBytes and carry
 * their 4-octet prefix beside it. */

#include "wamp-rawsocket-connection.h"
#include "wamp-connection-private.h"

#include <string.h>


/* Reads per wake-up before yielding to other connections (level-triggered:
 * what is left is reported again). */
#define MAX_READS_PER_WAKE 16

#define OVERFLOW_REASON "outgoing queue overflow"

typedef enum {
  STATE_NEW,
  STATE_HANDSHAKE,
  STATE_OPEN,
  STATE_CLOSED,
} State;

struct _WampRawsocketConnection
{
  GObject parent_instance;

  /* Set by the core (WAMP_CONNECTION_SINK_SLOT): frames go straight to it. */
  WampConnectionSink *sink;

  WampReactor *reactor;
  WampSocketIo *io;
  WampReactorWatch *watch;
  WampRawsocketRole role;
  GPtrArray *serializers;
  WampSerializer *serializer; /* negotiated */
  WampRawsocketOptions options;
  guint *open_count;
  gboolean counted;

  State state;
  guint8 handshake[WAMP_RAWSOCKET_HEADER_SIZE];
  guint handshake_len;
  GError *handshake_error;
  WampRawsocketReadyFunc ready;
  gpointer ready_data;
  gboolean paused; /* client: open but not reading until resumed */

  WampRawsocketDecoder *decoder;
  gsize peer_max;

  /* Frames are a header and the shared payload; a handshake is the header alone. */
  WampFrameQueue *out;
  gboolean overflow_logged;
  WampReactorFlush flush_pending;

  /* Close requested (or the handshake refused): no more sends, input
   * ignored, finished once the queue is written. */
  gboolean closing;
  WampCloseCode close_code;
  char *close_reason;

  GBytes *initial;
  /* These five hold a reference to the connection each. */
  WampReactorTimer *read_timer;
  WampReactorTimer *start_timer;
  WampReactorTimer *fail_timer;
  WampReactorTimer *close_defer;
  WampReactorTimer *resume_timer;

  WampReactorTimer *handshake_timer;
  WampReactorTimer *close_timer;
  WampKeepalive *keepalive;
};

static void wamp_rawsocket_connection_iface_init (WampConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampRawsocketConnection, wamp_rawsocket_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_CONNECTION,
                                                      wamp_rawsocket_connection_iface_init))

void
wamp_rawsocket_options_init (WampRawsocketOptions *options)
{
  g_return_if_fail (options != NULL);

  options->max_message_size = WAMP_RAWSOCKET_DEFAULT_MAX_MESSAGE_SIZE;
  options->max_queue_bytes = WAMP_RAWSOCKET_DEFAULT_MAX_QUEUE_BYTES;
  options->queue_overflow = WAMP_QUEUE_OVERFLOW_DISCONNECT;
  options->handshake_timeout_ms = WAMP_RAWSOCKET_DEFAULT_HANDSHAKE_TIMEOUT_MS;
  options->ping_interval_ms = 0;
  options->ping_timeout_ms = WAMP_RAWSOCKET_DEFAULT_PING_TIMEOUT_MS;
  options->close_timeout_ms = WAMP_RAWSOCKET_DEFAULT_CLOSE_TIMEOUT_MS;
  options->max_connections = 0;
}

static void
clear_timer (WampRawsocketConnection  *self,
             WampReactorTimer        **timer)
{
  if (*timer != NULL)
    {
      wamp_reactor_cancel_timer (self->reactor, *timer);
      *timer = NULL;
    }
}

/* For the timers that hold a reference. */
static void
clear_ref_timer (WampRawsocketConnection  *self,
                 WampReactorTimer        **timer)
{
  if (*timer != NULL)
    {
      clear_timer (self, timer);
      g_object_unref (self);
    }
}

static void
set_close_cause (WampRawsocketConnection *self,
                 WampCloseCode            code,
                 const char              *reason)
{
  self->close_code = code;
  g_free (self->close_reason);
  self->close_reason = g_strdup (reason);
}

static void
remove_watch (WampRawsocketConnection *self)
{
  if (self->watch != NULL)
    {
      wamp_reactor_remove_fd (self->reactor, self->watch);
      self->watch = NULL;
    }
}

static void
clear_queue (WampRawsocketConnection *self)
{
  wamp_frame_queue_clear (self->out);
}

/* Ends the connection: no more I/O; the owner hears of it exactly once
 * (ready with an error during the handshake, wamp_connection_closed after). */
static void
finish (WampRawsocketConnection *self,
        WampCloseCode            code,
        const char              *reason)
{
  g_autoptr(WampRawsocketConnection) keep = NULL;
  gboolean in_handshake;
  WampRawsocketReadyFunc ready;

  if (self->state == STATE_CLOSED)
    return;
  keep = g_object_ref (self);
  in_handshake = self->state != STATE_OPEN;
  self->state = STATE_CLOSED;

  clear_ref_timer (self, &self->read_timer);
  clear_ref_timer (self, &self->start_timer);
  clear_ref_timer (self, &self->fail_timer);
  clear_ref_timer (self, &self->close_defer);
  clear_ref_timer (self, &self->resume_timer);
  clear_timer (self, &self->handshake_timer);
  clear_timer (self, &self->close_timer);
  wamp_keepalive_stop (self->keepalive);
  remove_watch (self);
  clear_queue (self);
  g_clear_pointer (&self->initial, g_bytes_unref);
  wamp_socket_io_shutdown (self->io);
  if (self->counted)
    {
      self->counted = FALSE;
      (*self->open_count)--;
    }

  g_debug ("%s: closed (%d %s)", wamp_socket_io_get_peer (self->io), (int) code,
           reason != NULL ? reason : "");
  ready = self->ready;
  self->ready = NULL;
  if (in_handshake)
    {
      g_autoptr(GError) error = NULL;

      if (self->handshake_error != NULL)
        error = g_steal_pointer (&self->handshake_error);
      else
        error = g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                             "RawSocket handshake failed: %s", reason != NULL ? reason : "closed");
      if (ready != NULL)
        ready (self, error, self->ready_data);
    }
  wamp_connection_closed (WAMP_CONNECTION (self), code, reason);
}

static void
fail_cb (WampReactor *reactor,
         gpointer     user_data)
{
  /* Takes over the reference fail_soon() took. */
  g_autoptr(WampRawsocketConnection) self = user_data;

  self->fail_timer = NULL;
  finish (self, self->close_code, self->close_reason);
}

/* A write failed or the queue overflowed, possibly inside the owner's send():
 * stop all I/O now but report from the reactor, not from the owner's call. */
static void
fail_soon (WampRawsocketConnection *self,
           WampCloseCode            code,
           const char              *reason)
{
  if (self->state == STATE_CLOSED || self->fail_timer != NULL)
    return;
  self->closing = TRUE;
  set_close_cause (self, code, reason);
  remove_watch (self);
  clear_queue (self);
  self->fail_timer = wamp_reactor_defer (self->reactor, fail_cb, g_object_ref (self));
}

/* Writing */

static void
update_interest (WampRawsocketConnection *self)
{
  WampReactorEvents ev = 0;

  if (self->watch == NULL)
    return;
  if (!self->paused)
    ev |= WAMP_REACTOR_READ;
  if (!wamp_frame_queue_is_empty (self->out))
    ev |= WAMP_REACTOR_WRITE;
  wamp_reactor_modify_fd (self->reactor, self->watch, ev);
}

/* Writes as much of the queue as the socket takes; once closing and empty,
 * finishes. Returns FALSE when the connection ended or is ending. */
static gboolean
flush (WampRawsocketConnection *self)
{
  g_autoptr(GError) error = NULL;

  if (self->state == STATE_CLOSED || self->state == STATE_NEW || self->fail_timer != NULL)
    return FALSE;
  if (!wamp_frame_queue_write (self->out, self->io, &error))
    {
      fail_soon (self, WAMP_CLOSE_ABNORMAL, error->message);
      return FALSE;
    }

  if (wamp_frame_queue_is_empty (self->out) && self->closing)
    {
      finish (self, self->close_code, self->close_reason);
      return FALSE;
    }
  update_interest (self);
  return TRUE;
}

static void
enqueue (WampRawsocketConnection *self,
         WampRawsocketFrameType   type,
         GBytes                  *payload)
{
  guint8 header[WAMP_RAWSOCKET_HEADER_SIZE];

  wamp_rawsocket_encode_frame_header (header, type, g_bytes_get_size (payload));
  wamp_frame_queue_push (self->out, header, sizeof header, payload, NULL, 0);
}

static void
enqueue_handshake (WampRawsocketConnection *self,
                   const guint8             octets[4])
{
  wamp_frame_queue_push (self->out, octets, WAMP_RAWSOCKET_HEADER_SIZE, NULL, NULL, 0);
}

static void
flush_object (GObject *object)
{
  flush ((WampRawsocketConnection *) object);
}

/* Writes at the end of the reactor's turn, so every frame queued in it goes
 * out with one writev; outside a turn, at once. */
static void
flush_soon (WampRawsocketConnection *self)
{
  wamp_reactor_flush_soon (self->reactor, &self->flush_pending, G_OBJECT (self), flush_object);
}

/* Would @len more bytes break the bound? A frame on an empty queue always
 * fits: it is already in memory (one GBytes shared by every receiver) and
 * only referenced here; refusing it would make a message larger than
 * max_queue_bytes undeliverable to anyone. */
static gboolean
would_overflow (WampRawsocketConnection *self,
                gsize                    len)
{
  return wamp_frame_queue_would_overflow (self->out, WAMP_RAWSOCKET_HEADER_SIZE + len,
                                          self->options.max_queue_bytes);
}

/* Decoder callbacks */

static gboolean
decoder_message (gpointer  user_data,
                 GBytes   *payload)
{
  WampRawsocketConnection *self = user_data;

  /* Once closing, the session said its last word. */
  if (self->state != STATE_OPEN || self->closing)
    return FALSE;
  wamp_connection_frame_received (WAMP_CONNECTION (self), payload);
  return self->state == STATE_OPEN && !self->closing;
}

static gboolean
decoder_message_data (gpointer      user_data,
                      const guint8 *data,
                      gsize         len)
{
  WampRawsocketConnection *self = user_data;

  if (self->state != STATE_OPEN || self->closing)
    return FALSE;
  wamp_connection_sink_deliver_data (self->sink, WAMP_CONNECTION (self), data, len);
  return self->state == STATE_OPEN && !self->closing;
}

static gboolean
decoder_ping (gpointer      user_data,
              const guint8 *data,
              gsize         len)
{
  WampRawsocketConnection *self = user_data;
  g_autoptr(GBytes) payload = NULL;

  if (self->state != STATE_OPEN || self->closing)
    return FALSE;
  /* The PONG echoes the PING, so it can be as large as the PING, which our
   * limit bounds; it still must fit what the peer accepts. */
  if (len > self->peer_max)
    {
      finish (self, WAMP_CLOSE_PROTOCOL_ERROR, "PING larger than the peer accepts in its PONG");
      return FALSE;
    }
  /* A peer that pings without reading cannot grow our queue. */
  if (would_overflow (self, len))
    {
      g_message ("%s: PONG does not fit in max_queue_bytes: disconnecting",
                 wamp_socket_io_get_peer (self->io));
      finish (self, WAMP_CLOSE_POLICY_VIOLATION, OVERFLOW_REASON);
      return FALSE;
    }
  payload = g_bytes_new (data, len);
  enqueue (self, WAMP_RAWSOCKET_FRAME_PONG, payload);
  return flush (self) && self->state == STATE_OPEN;
}

static gboolean
decoder_pong (gpointer      user_data,
              const guint8 *data,
              gsize         len)
{
  WampRawsocketConnection *self = user_data;

  /* Any PONG proves the peer alive. */
  wamp_keepalive_pong_received (self->keepalive);
  return TRUE;
}

static const WampRawsocketDecoderFuncs decoder_funcs = {
  decoder_message,
  decoder_ping,
  decoder_pong,
  decoder_message_data,
};

static void
handle_decoder_result (WampRawsocketConnection    *self,
                       WampRawsocketDecoderResult  res,
                       WampCloseCode               code,
                       const char                 *reason)
{
  if (res != WAMP_RAWSOCKET_DECODER_FAILED || self->state != STATE_OPEN)
    return;
  /* The spec's "fail the connection": RawSocket has no close frame to send. */
  g_debug ("%s: %s", wamp_socket_io_get_peer (self->io), reason);
  finish (self, code, reason);
}

static void
feed_decoder (WampRawsocketConnection *self,
              const guint8            *data,
              gsize                    len)
{
  WampCloseCode code = 0;
  const char *reason = NULL;
  WampRawsocketDecoderResult res;

  if (len == 0 || self->state != STATE_OPEN || self->closing)
    return;
  res = wamp_rawsocket_decoder_feed (self->decoder, data, len, &code, &reason);
  handle_decoder_result (self, res, code, reason);
}

/* Pings */

static gboolean
keepalive_send_ping (const guint8 *data,
                     gsize         len,
                     gpointer      user_data)
{
  g_autoptr(WampRawsocketConnection) self = g_object_ref (user_data);
  g_autoptr(GBytes) payload = NULL;

  if (self->state != STATE_OPEN || self->closing)
    return FALSE;
  payload = g_bytes_new (data, len);
  enqueue (self, WAMP_RAWSOCKET_FRAME_PING, payload);
  flush (self);
  return self->state == STATE_OPEN;
}

static void
keepalive_timed_out (gpointer user_data)
{
  g_autoptr(WampRawsocketConnection) self = g_object_ref (user_data);

  finish (self, WAMP_CLOSE_ABNORMAL, "ping timeout");
}

static const WampKeepaliveFuncs keepalive_funcs = {
  keepalive_send_ping,
  keepalive_timed_out,
};

/* Handshake */

static void
handshake_timeout_cb (WampReactor *reactor,
                      gpointer     user_data)
{
  g_autoptr(WampRawsocketConnection) self = g_object_ref (user_data);

  self->handshake_timer = NULL;
  g_debug ("%s: handshake timeout", wamp_socket_io_get_peer (self->io));
  g_clear_error (&self->handshake_error);
  self->handshake_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                               "RawSocket handshake timed out");
  finish (self, WAMP_CLOSE_POLICY_VIOLATION, "handshake timeout");
}

/* Server: answers with error @code, closes once it is written. */
static void
refuse (WampRawsocketConnection     *self,
        WampRawsocketHandshakeError  code)
{
  guint8 reply[WAMP_RAWSOCKET_HEADER_SIZE];
  const char *why = wamp_rawsocket_handshake_error_to_string (code);

  g_debug ("%s: refusing the handshake: %s", wamp_socket_io_get_peer (self->io), why);
  wamp_rawsocket_encode_handshake_error (reply, code);
  enqueue_handshake (self, reply);
  self->closing = TRUE;
  g_clear_error (&self->handshake_error);
  self->handshake_error = g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                       "RawSocket handshake refused: %s", why);
  set_close_cause (self, code == WAMP_RAWSOCKET_ERROR_MAX_CONNECTIONS ? WAMP_CLOSE_GOING_AWAY
                                                                       : WAMP_CLOSE_PROTOCOL_ERROR,
                   why);
  flush (self);
}

static WampSerializer *
find_serializer (WampRawsocketConnection *self,
                 guint8                   id)
{
  for (guint i = 0; i < self->serializers->len; i++)
    if (wamp_serializer_get_rawsocket_id (self->serializers->pdata[i]) == id)
      return self->serializers->pdata[i];
  return NULL;
}

static void
open_connection (WampRawsocketConnection *self,
                 guint                    peer_exponent)
{
  WampRawsocketReadyFunc ready = self->ready;

  self->peer_max = wamp_rawsocket_length_from_exponent (peer_exponent);
  self->decoder = wamp_rawsocket_decoder_new (
    wamp_rawsocket_length_from_exponent (wamp_rawsocket_exponent_for_size (self->options.max_message_size)),
    &decoder_funcs, self);
  self->state = STATE_OPEN;
  clear_timer (self, &self->handshake_timer);
  wamp_keepalive_start (self->keepalive, self->options.ping_interval_ms,
                        self->options.ping_timeout_ms);
  g_debug ("%s: RawSocket open (%s, peer accepts %" G_GSIZE_FORMAT " bytes)",
           wamp_socket_io_get_peer (self->io), wamp_serializer_get_name (self->serializer),
           self->peer_max);
  self->ready = NULL;
  if (ready != NULL)
    ready (self, NULL, self->ready_data);
}

static void
server_handshake (WampRawsocketConnection *self)
{
  guint exponent = 0;
  guint8 serializer_id = 0;
  guint8 reply[WAMP_RAWSOCKET_HEADER_SIZE];

  switch (wamp_rawsocket_parse_hello (self->handshake, &exponent, &serializer_id))
    {
    case WAMP_RAWSOCKET_HELLO_BAD_MAGIC:
      /* Not RawSocket: the spec says fail, with no reply. */
      finish (self, WAMP_CLOSE_PROTOCOL_ERROR, "not a RawSocket handshake");
      return;
    case WAMP_RAWSOCKET_HELLO_RESERVED_BITS:
      refuse (self, WAMP_RAWSOCKET_ERROR_RESERVED_BITS);
      return;
    case WAMP_RAWSOCKET_HELLO_ILLEGAL_SERIALIZER:
      refuse (self, WAMP_RAWSOCKET_ERROR_SERIALIZER_UNSUPPORTED);
      return;
    case WAMP_RAWSOCKET_HELLO_VALID:
    default:
      break;
    }

  self->serializer = find_serializer (self, serializer_id);
  if (self->serializer == NULL)
    {
      refuse (self, WAMP_RAWSOCKET_ERROR_SERIALIZER_UNSUPPORTED);
      return;
    }
  g_object_ref (self->serializer);
  if (self->options.max_connections > 0 && self->open_count != NULL &&
      *self->open_count >= self->options.max_connections)
    {
      refuse (self, WAMP_RAWSOCKET_ERROR_MAX_CONNECTIONS);
      return;
    }
  if (self->open_count != NULL)
    {
      self->counted = TRUE;
      (*self->open_count)++;
    }

  wamp_rawsocket_encode_handshake (reply,
                                   wamp_rawsocket_exponent_for_size (self->options.max_message_size),
                                   serializer_id);
  enqueue_handshake (self, reply);
  if (!flush (self))
    return;
  open_connection (self, exponent);
}

static void
client_handshake (WampRawsocketConnection *self)
{
  guint exponent = 0;
  WampRawsocketHandshakeError code = WAMP_RAWSOCKET_ERROR_NONE;
  guint8 id = wamp_serializer_get_rawsocket_id (self->serializer);

  switch (wamp_rawsocket_parse_reply (self->handshake, id, &exponent, &code))
    {
    case WAMP_RAWSOCKET_REPLY_ACCEPTED:
      /* Nothing is read until the owner attached its sink. */
      self->paused = TRUE;
      update_interest (self);
      open_connection (self, exponent);
      return;
    case WAMP_RAWSOCKET_REPLY_REFUSED:
      g_clear_error (&self->handshake_error);
      self->handshake_error = g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                           "the router refused the RawSocket handshake: %s (%u)",
                                           wamp_rawsocket_handshake_error_to_string (code), code);
      finish (self, WAMP_CLOSE_PROTOCOL_ERROR, "handshake refused");
      return;
    case WAMP_RAWSOCKET_REPLY_INVALID:
    default:
      g_clear_error (&self->handshake_error);
      self->handshake_error = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                   "invalid RawSocket handshake reply");
      finish (self, WAMP_CLOSE_PROTOCOL_ERROR, "invalid handshake reply");
      return;
    }
}

/* Takes handshake octets from @data; returns how many it used. */
static gsize
take_handshake (WampRawsocketConnection *self,
                const guint8            *data,
                gsize                    len)
{
  gsize n = MIN (len, WAMP_RAWSOCKET_HEADER_SIZE - self->handshake_len);

  memcpy (self->handshake + self->handshake_len, data, n);
  self->handshake_len += (guint) n;
  if (self->handshake_len == WAMP_RAWSOCKET_HEADER_SIZE)
    {
      if (self->role == WAMP_RAWSOCKET_ROLE_SERVER)
        server_handshake (self);
      else
        client_handshake (self);
    }
  return n;
}

/* Reading */

static void read_more_cb (WampReactor *reactor, gpointer user_data);

static void
read_some (WampRawsocketConnection *self)
{
  for (guint i = 0; i < MAX_READS_PER_WAKE && self->state != STATE_CLOSED; i++)
    {
      g_autoptr(GError) error = NULL;
      guint8 small[4096];
      guint8 *buf;
      gsize room;
      gssize n;

      if (self->paused)
        return;
      if (self->state == STATE_HANDSHAKE && !self->closing)
        {
          /* Only the handshake's own octets: what follows is frames. */
          buf = self->handshake + self->handshake_len;
          room = WAMP_RAWSOCKET_HEADER_SIZE - self->handshake_len;
        }
      else if (self->state == STATE_OPEN && !self->closing)
        buf = wamp_rawsocket_decoder_get_read_buffer (self->decoder, &room);
      else
        {
          /* Closing: nothing more is parsed; drain so EOF is seen. */
          buf = small;
          room = sizeof small;
        }

      n = wamp_socket_io_read (self->io, buf, room, &error);
      if (n < 0)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            finish (self, self->closing ? self->close_code : WAMP_CLOSE_ABNORMAL,
                    self->closing ? self->close_reason : error->message);
          return;
        }
      if (n == 0)
        {
          finish (self, self->closing ? self->close_code : WAMP_CLOSE_ABNORMAL,
                  self->closing ? self->close_reason : "connection lost");
          return;
        }

      if (buf == small)
        continue;
      if (self->state == STATE_HANDSHAKE)
        {
          self->handshake_len += (guint) n;
          if (self->handshake_len == WAMP_RAWSOCKET_HEADER_SIZE)
            {
              if (self->role == WAMP_RAWSOCKET_ROLE_SERVER)
                server_handshake (self);
              else
                client_handshake (self);
            }
          continue;
        }
      else
        {
          WampCloseCode code = 0;
          const char *reason = NULL;
          WampRawsocketDecoderResult res;

          res = wamp_rawsocket_decoder_commit (self->decoder, (gsize) n, &code, &reason);
          handle_decoder_result (self, res, code, reason);
          if (res != WAMP_RAWSOCKET_DECODER_OK)
            return;
          /* A short read drains a plain socket; TLS may hold decrypted
           * records the fd will not wake us for. */
          if ((gsize) n < room && !wamp_socket_io_is_tls (self->io))
            return;
        }
    }
  /* Yielded for fairness: TLS must be read on until it would block. */
  if (self->state != STATE_CLOSED && !self->paused && wamp_socket_io_is_tls (self->io) &&
      self->read_timer == NULL)
    self->read_timer = wamp_reactor_defer (self->reactor, read_more_cb, g_object_ref (self));
}

static void
read_more_cb (WampReactor *reactor,
              gpointer     user_data)
{
  g_autoptr(WampRawsocketConnection) self = user_data;

  self->read_timer = NULL;
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
  g_autoptr(WampRawsocketConnection) self = g_object_ref (user_data);

  if (events & WAMP_REACTOR_WRITE)
    {
      if (!flush (self))
        return;
    }
  if (events & (WAMP_REACTOR_READ | WAMP_REACTOR_HANGUP))
    read_some (self);
}

/* Start */

static void
start_cb (WampReactor *reactor,
          gpointer     user_data)
{
  /* Takes over the reference wamp_rawsocket_connection_start() took. */
  g_autoptr(WampRawsocketConnection) self = user_data;
  g_autoptr(GBytes) initial = g_steal_pointer (&self->initial);

  self->start_timer = NULL;
  if (self->state != STATE_NEW)
    return;
  self->state = STATE_HANDSHAKE;

  self->watch = wamp_reactor_add_fd (self->reactor, wamp_socket_io_get_fd (self->io),
                                     WAMP_REACTOR_READ, fd_event_cb, self);
  if (self->watch == NULL)
    {
      finish (self, WAMP_CLOSE_INTERNAL_ERROR, "cannot watch the socket");
      return;
    }
  self->handshake_timer = wamp_reactor_add_timer (self->reactor, self->options.handshake_timeout_ms,
                                                  handshake_timeout_cb, self);
  if (self->role == WAMP_RAWSOCKET_ROLE_CLIENT)
    {
      guint8 hello[WAMP_RAWSOCKET_HEADER_SIZE];

      wamp_rawsocket_encode_handshake (hello,
                                       wamp_rawsocket_exponent_for_size (self->options.max_message_size),
                                       wamp_serializer_get_rawsocket_id (self->serializer));
      enqueue_handshake (self, hello);
      flush (self);
    }

  if (initial != NULL && self->state == STATE_HANDSHAKE)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (initial, &len);
      gsize used = take_handshake (self, data, len);

      /* Frames right behind the handshake: the core has its sink by now. */
      if (self->state == STATE_OPEN && !self->paused)
        feed_decoder (self, data + used, len - used);
      else if (self->state == STATE_OPEN && used < len)
        self->initial = g_bytes_new (data + used, len - used);
    }
  /* Whoever read before us (a universal port's sniffing, the TLS handshake)
   * may have left decrypted bytes inside the TLS layer: the fd would not
   * wake for them. */
  if (self->state != STATE_CLOSED && !self->paused && wamp_socket_io_is_tls (self->io))
    read_some (self);
}

void
wamp_rawsocket_connection_start (WampRawsocketConnection *self,
                                 GBytes                  *initial,
                                 WampRawsocketReadyFunc   ready,
                                 gpointer                 user_data)
{
  g_return_if_fail (WAMP_IS_RAWSOCKET_CONNECTION (self));
  g_return_if_fail (self->start_timer == NULL);

  if (self->state != STATE_NEW)
    return;
  self->ready = ready;
  self->ready_data = user_data;
  if (initial != NULL && g_bytes_get_size (initial) > 0)
    self->initial = g_bytes_ref (initial);
  self->start_timer = wamp_reactor_defer (self->reactor, start_cb, g_object_ref (self));
}

static void
resume_cb (WampReactor *reactor,
           gpointer     user_data)
{
  g_autoptr(WampRawsocketConnection) self = user_data;
  g_autoptr(GBytes) initial = g_steal_pointer (&self->initial);

  self->resume_timer = NULL;
  if (self->state != STATE_OPEN)
    return;
  self->paused = FALSE;
  update_interest (self);
  if (initial != NULL)
    feed_decoder (self, g_bytes_get_data (initial, NULL), g_bytes_get_size (initial));
  if (self->state == STATE_OPEN)
    read_some (self);
}

void
wamp_rawsocket_connection_resume (WampRawsocketConnection *self)
{
  g_return_if_fail (WAMP_IS_RAWSOCKET_CONNECTION (self));

  if (self->state != STATE_OPEN || !self->paused || self->resume_timer != NULL)
    return;
  /* From the reactor: the owner may be inside its own setup still. */
  self->resume_timer = wamp_reactor_defer (self->reactor, resume_cb, g_object_ref (self));
}

void
wamp_rawsocket_connection_abort (WampRawsocketConnection *self)
{
  g_return_if_fail (WAMP_IS_RAWSOCKET_CONNECTION (self));

  self->ready = NULL;
  finish (self, WAMP_CLOSE_GOING_AWAY, "transport gone");
}

gsize
wamp_rawsocket_connection_get_peer_max_message_size (WampRawsocketConnection *self)
{
  g_return_val_if_fail (WAMP_IS_RAWSOCKET_CONNECTION (self), 0);

  return self->peer_max;
}

/* WampConnection */

static gboolean
check_open (WampRawsocketConnection  *self,
            GError                  **error)
{
  if (self->state != STATE_OPEN || self->closing)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT, "connection is closed");
      return FALSE;
    }
  return TRUE;
}

/* Whether a frame of @len bytes may be queued now; sets @error (and fails
 * the connection on overflow, unless the policy drops) when not. */
static gboolean
check_sendable (WampRawsocketConnection  *self,
                gsize                     len,
                GError                  **error)
{
  if (!check_open (self, error))
    return FALSE;
  /* The spec: never send more than the peer announced; the message is not
   * sent, the connection stays. */
  if (len > self->peer_max)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED,
                   "message of %" G_GSIZE_FORMAT " bytes exceeds the %" G_GSIZE_FORMAT
                   " the peer accepts", len, self->peer_max);
      return FALSE;
    }
  if (would_overflow (self, len))
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
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                   "outgoing queue full (%" G_GSIZE_FORMAT " bytes)",
                   wamp_frame_queue_get_bytes (self->out));
      if (!drop)
        fail_soon (self, WAMP_CLOSE_POLICY_VIOLATION, OVERFLOW_REASON);
      return FALSE;
    }
  return TRUE;
}

static gboolean
wamp_rawsocket_connection_send (WampConnection  *conn,
                                GBytes          *frame,
                                GError         **error)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (conn);
  gboolean was_empty;

  if (!check_sendable (self, g_bytes_get_size (frame), error))
    return FALSE;
  was_empty = wamp_frame_queue_is_empty (self->out);
  enqueue (self, WAMP_RAWSOCKET_FRAME_REGULAR, frame);
  /* When something waits, the write watch is on already. */
  if (was_empty)
    flush_soon (self);
  return TRUE;
}

static gboolean
wamp_rawsocket_connection_send_message (WampConnection  *conn,
                                        WampMessage     *message,
                                        gsize           *frame_len,
                                        GError         **error)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (conn);
  guint8 header[WAMP_RAWSOCKET_HEADER_SIZE];
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
  wamp_rawsocket_encode_frame_header (header, WAMP_RAWSOCKET_FRAME_REGULAR, *frame_len);
  wamp_frame_queue_push_inline (self->out, header, sizeof header, start, NULL, 0);
  /* When something waits, the write watch is on already. */
  if (was_empty)
    flush_soon (self);
  return TRUE;
}

static void
close_timeout_cb (WampReactor *reactor,
                  gpointer     user_data)
{
  WampRawsocketConnection *self = user_data;

  self->close_timer = NULL;
  finish (self, self->close_code, self->close_reason);
}

static void
close_now_cb (WampReactor *reactor,
              gpointer     user_data)
{
  g_autoptr(WampRawsocketConnection) self = user_data;

  self->close_defer = NULL;
  /* Finishes once the queue is written. */
  flush (self);
}

static void
wamp_rawsocket_connection_close (WampConnection *conn,
                                 WampCloseCode   code,
                                 const char     *reason)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (conn);

  if (self->state == STATE_CLOSED || self->closing)
    return;
  /* RawSocket has no close frame: the WAMP session already said GOODBYE or
   * ABORT; what is queued goes out, then the socket closes. */
  self->closing = TRUE;
  set_close_cause (self, code, reason);
  wamp_keepalive_stop (self->keepalive);
  self->close_timer = wamp_reactor_add_timer (self->reactor, self->options.close_timeout_ms,
                                              close_timeout_cb, self);
  clear_ref_timer (self, &self->resume_timer); /* a pending resume is moot */
  self->paused = FALSE;
  self->close_defer = wamp_reactor_defer (self->reactor, close_now_cb, g_object_ref (self));
}

static const char *
wamp_rawsocket_connection_get_peer (WampConnection *conn)
{
  return wamp_socket_io_get_peer (WAMP_RAWSOCKET_CONNECTION (conn)->io);
}

static WampSerializer *
wamp_rawsocket_connection_get_serializer (WampConnection *conn)
{
  return WAMP_RAWSOCKET_CONNECTION (conn)->serializer;
}

static WampValue *
wamp_rawsocket_connection_get_transport_details (WampConnection *conn)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (conn);
  WampValue *details = wamp_value_new_dict (4);

  wamp_value_dict_insert (details, "type", wamp_value_new_string ("rawsocket"));
  if (self->serializer != NULL)
    {
      wamp_value_dict_insert (details, "protocol",
                              wamp_value_new_string (wamp_serializer_get_subprotocol (self->serializer)));
      wamp_value_dict_insert (details, "serializer",
                              wamp_value_new_string (wamp_serializer_get_name (self->serializer)));
    }
  wamp_value_dict_insert (details, "peer",
                          wamp_value_new_string (wamp_socket_io_get_peer (self->io)));
  wamp_socket_io_add_transport_details (self->io, details);
  return details;
}

static GTlsCertificate *
wamp_rawsocket_connection_get_peer_certificate (WampConnection *conn)
{
  return wamp_socket_io_get_peer_certificate (WAMP_RAWSOCKET_CONNECTION (conn)->io);
}

static gsize
wamp_rawsocket_connection_get_queued_bytes (WampConnection *conn)
{
  return wamp_frame_queue_get_bytes (WAMP_RAWSOCKET_CONNECTION (conn)->out);
}

static void
wamp_rawsocket_connection_iface_init (WampConnectionInterface *iface)
{
  iface->send = wamp_rawsocket_connection_send;
  iface->send_message = wamp_rawsocket_connection_send_message;
  iface->close = wamp_rawsocket_connection_close;
  iface->get_peer = wamp_rawsocket_connection_get_peer;
  iface->get_serializer = wamp_rawsocket_connection_get_serializer;
  iface->get_transport_details = wamp_rawsocket_connection_get_transport_details;
  iface->get_peer_certificate = wamp_rawsocket_connection_get_peer_certificate;
  iface->get_queued_bytes = wamp_rawsocket_connection_get_queued_bytes;
}

/* GObject */

static void
wamp_rawsocket_connection_dispose (GObject *object)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (object);

  /* Dropped while open: release the fd and the reactor's pointers to us.
   * Owners hold a reference until they heard the end, so this is teardown;
   * nobody is told. */
  if (self->state != STATE_CLOSED)
    {
      self->state = STATE_CLOSED;
      self->ready = NULL;
      clear_timer (self, &self->handshake_timer);
      clear_timer (self, &self->close_timer);
      if (self->keepalive != NULL)
        wamp_keepalive_stop (self->keepalive);
      remove_watch (self);
      if (self->io != NULL)
        wamp_socket_io_shutdown (self->io);
      if (self->counted)
        {
          self->counted = FALSE;
          (*self->open_count)--;
        }
    }
  clear_queue (self);
  g_clear_pointer (&self->initial, g_bytes_unref);

  G_OBJECT_CLASS (wamp_rawsocket_connection_parent_class)->dispose (object);
}

static void
wamp_rawsocket_connection_finalize (GObject *object)
{
  WampRawsocketConnection *self = WAMP_RAWSOCKET_CONNECTION (object);

  g_clear_pointer (&self->keepalive, wamp_keepalive_free);
  g_clear_pointer (&self->decoder, wamp_rawsocket_decoder_free);
  g_clear_object (&self->io);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  g_clear_object (&self->serializer);
  g_clear_object (&self->reactor);
  g_clear_pointer (&self->open_count, g_rc_box_release);
  g_clear_error (&self->handshake_error);
  g_free (self->close_reason);
  wamp_frame_queue_free (self->out);

  G_OBJECT_CLASS (wamp_rawsocket_connection_parent_class)->finalize (object);
}

static void
wamp_rawsocket_connection_class_init (WampRawsocketConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_rawsocket_connection_dispose;
  object_class->finalize = wamp_rawsocket_connection_finalize;
}

static void
wamp_rawsocket_connection_init (WampRawsocketConnection *self)
{
  self->out = wamp_frame_queue_new ();
  g_object_set_qdata (G_OBJECT (self), g_quark_from_static_string (WAMP_CONNECTION_SINK_SLOT),
                      &self->sink);
}

WampRawsocketConnection *
wamp_rawsocket_connection_new (WampReactor                *reactor,
                               GSocket                    *socket,
                               GIOStream                  *stream,
                               WampRawsocketRole           role,
                               GPtrArray                  *serializers,
                               const WampRawsocketOptions *options,
                               guint                      *open_count)
{
  WampRawsocketConnection *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (stream == NULL || G_IS_IO_STREAM (stream), NULL);
  g_return_val_if_fail (serializers != NULL && serializers->len > 0, NULL);
  g_return_val_if_fail (options != NULL, NULL);

  self = g_object_new (WAMP_TYPE_RAWSOCKET_CONNECTION, NULL);
  self->reactor = g_object_ref (reactor);
  self->keepalive = wamp_keepalive_new (reactor, &keepalive_funcs, self);
  self->io = wamp_socket_io_new (socket, stream);
  self->role = role;
  self->serializers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < serializers->len; i++)
    g_ptr_array_add (self->serializers, g_object_ref (serializers->pdata[i]));
  if (role == WAMP_RAWSOCKET_ROLE_CLIENT)
    self->serializer = g_object_ref (serializers->pdata[0]);
  self->options = *options;
  self->open_count = open_count != NULL ? g_rc_box_acquire (open_count) : NULL;
  return self;
}
