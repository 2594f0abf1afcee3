/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketCodec: parses and builds the RawSocket handshake and frames
 * from byte buffers, so the connection only moves bytes and the wire format
 * is testable (and fuzzable) without sockets. */

#include "wamp-rawsocket-codec.h"

gsize
wamp_rawsocket_length_from_exponent (guint exponent)
{
  g_return_val_if_fail (exponent <= WAMP_RAWSOCKET_MAX_LENGTH_EXPONENT, 0);

  return (gsize) 1 << (9 + exponent);
}

guint
wamp_rawsocket_exponent_for_size (gsize max_size)
{
  guint exponent = 0;

  while (exponent < WAMP_RAWSOCKET_MAX_LENGTH_EXPONENT &&
         wamp_rawsocket_length_from_exponent (exponent + 1) <= max_size)
    exponent++;
  return exponent;
}

const char *
wamp_rawsocket_handshake_error_to_string (WampRawsocketHandshakeError code)
{
  switch (code)
    {
    case WAMP_RAWSOCKET_ERROR_NONE:
      return "no error";
    case WAMP_RAWSOCKET_ERROR_SERIALIZER_UNSUPPORTED:
      return "serializer unsupported";
    case WAMP_RAWSOCKET_ERROR_MAX_LENGTH_UNACCEPTABLE:
      return "maximum message length unacceptable";
    case WAMP_RAWSOCKET_ERROR_RESERVED_BITS:
      return "use of reserved bits (unsupported feature)";
    case WAMP_RAWSOCKET_ERROR_MAX_CONNECTIONS:
      return "maximum connection count reached";
    default:
      return "unknown error";
    }
}

void
wamp_rawsocket_encode_handshake (guint8 out[4],
                                 guint  length_exponent,
                                 guint8 serializer_id)
{
  g_return_if_fail (length_exponent <= WAMP_RAWSOCKET_MAX_LENGTH_EXPONENT);
  g_return_if_fail (serializer_id >= 1 && serializer_id <= 15);

  out[0] = WAMP_RAWSOCKET_MAGIC;
  out[1] = (guint8) ((length_exponent << 4) | serializer_id);
  out[2] = 0;
  out[3] = 0;
}

void
wamp_rawsocket_encode_handshake_error (guint8                      out[4],
                                       WampRawsocketHandshakeError code)
{
  g_return_if_fail (code >= 1 && code <= 15);

  out[0] = WAMP_RAWSOCKET_MAGIC;
  out[1] = (guint8) (code << 4);
  out[2] = 0;
  out[3] = 0;
}

WampRawsocketHelloResult
wamp_rawsocket_parse_hello (const guint8  hello[4],
                            guint        *length_exponent,
                            guint8       *serializer_id)
{
  if (hello[0] != WAMP_RAWSOCKET_MAGIC)
    return WAMP_RAWSOCKET_HELLO_BAD_MAGIC;
  if (hello[2] != 0 || hello[3] != 0)
    return WAMP_RAWSOCKET_HELLO_RESERVED_BITS;
  if ((hello[1] & 0x0F) == 0)
    return WAMP_RAWSOCKET_HELLO_ILLEGAL_SERIALIZER;
  if (length_exponent != NULL)
    *length_exponent = hello[1] >> 4;
  if (serializer_id != NULL)
    *serializer_id = hello[1] & 0x0F;
  return WAMP_RAWSOCKET_HELLO_VALID;
}

WampRawsocketReplyResult
wamp_rawsocket_parse_reply (const guint8                 reply[4],
                            guint8                       expected_serializer_id,
                            guint                       *length_exponent,
                            WampRawsocketHandshakeError *error_code)
{
  if (reply[0] != WAMP_RAWSOCKET_MAGIC || reply[2] != 0 || reply[3] != 0)
    return WAMP_RAWSOCKET_REPLY_INVALID;
  if ((reply[1] & 0x0F) == 0)
    {
      /* Error 0 "must not be used": a router sending it is broken. */
      if ((reply[1] >> 4) == WAMP_RAWSOCKET_ERROR_NONE)
        return WAMP_RAWSOCKET_REPLY_INVALID;
      if (error_code != NULL)
        *error_code = (WampRawsocketHandshakeError) (reply[1] >> 4);
      return WAMP_RAWSOCKET_REPLY_REFUSED;
    }
  if ((reply[1] & 0x0F) != expected_serializer_id)
    return WAMP_RAWSOCKET_REPLY_INVALID;
  if (length_exponent != NULL)
    *length_exponent = reply[1] >> 4;
  return WAMP_RAWSOCKET_REPLY_ACCEPTED;
}

void
wamp_rawsocket_encode_frame_header (guint8                 out[4],
                                    WampRawsocketFrameType type,
                                    gsize                  len)
{
  g_return_if_fail (len <= WAMP_RAWSOCKET_MAX_MESSAGE_SIZE);
  g_return_if_fail ((guint) type <= WAMP_RAWSOCKET_FRAME_PONG);

  /* 2^24 is the 25th bit (X, 0x08 of the first octet) over zero L bits. */
  out[0] = (guint8) (type | (len == WAMP_RAWSOCKET_MAX_MESSAGE_SIZE ? 0x08 : 0));
  out[1] = (guint8) (len >> 16);
  out[2] = (guint8) (len >> 8);
  out[3] = (guint8) len;
}

/* Stream decoder */

struct _WampRawsocketDecoder
{
  gsize max_length;
  const WampRawsocketDecoderFuncs *funcs;
  gpointer user_data;

  WampReadBuffer input;

  gboolean done; /* failed or stopped: input is ignored */
};

WampRawsocketDecoder *
wamp_rawsocket_decoder_new (gsize                            max_length,
                            const WampRawsocketDecoderFuncs *funcs,
                            gpointer                         user_data)
{
  WampRawsocketDecoder *self;

  g_return_val_if_fail (funcs != NULL, NULL);
  g_return_val_if_fail (funcs->message != NULL && funcs->ping != NULL, NULL);

  self = g_new0 (WampRawsocketDecoder, 1);
  self->max_length = MIN (max_length, (gsize) WAMP_RAWSOCKET_MAX_MESSAGE_SIZE);
  self->funcs = funcs;
  self->user_data = user_data;
  wamp_read_buffer_init (&self->input, WAMP_RAWSOCKET_READ_CHUNK,
                         self->max_length + WAMP_RAWSOCKET_HEADER_SIZE + WAMP_RAWSOCKET_READ_CHUNK);
  return self;
}

void
wamp_rawsocket_decoder_free (WampRawsocketDecoder *self)
{
  if (self == NULL)
    return;
  wamp_read_buffer_clear (&self->input);
  g_free (self);
}

guint8 *
wamp_rawsocket_decoder_get_read_buffer (WampRawsocketDecoder *self,
                                        gsize                *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  return wamp_read_buffer_get_shared_space (&self->input, len);
}

gsize
wamp_rawsocket_decoder_get_pending (WampRawsocketDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return wamp_read_buffer_get_pending (&self->input);
}

gsize
wamp_rawsocket_decoder_get_buffer_size (WampRawsocketDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->input.alloc;
}

static WampRawsocketDecoderResult
fail (WampRawsocketDecoder  *self,
      WampCloseCode          close_code,
      const char            *why,
      WampCloseCode         *code,
      const char           **reason)
{
  self->done = TRUE;
  if (code != NULL)
    *code = close_code;
  if (reason != NULL)
    *reason = why;
  return WAMP_RAWSOCKET_DECODER_FAILED;
}

static WampRawsocketDecoderResult
parse (WampRawsocketDecoder  *self,
       WampCloseCode         *code,
       const char           **reason)
{
  while (!self->done && wamp_read_buffer_get_pending (&self->input) >= WAMP_RAWSOCKET_HEADER_SIZE)
    {
      const guint8 *p = wamp_read_buffer_peek (&self->input);
      gsize avail = wamp_read_buffer_get_pending (&self->input);
      guint type = p[0] & 0x07;
      gsize len = ((gsize) p[1] << 16) | ((gsize) p[2] << 8) | p[3];
      const guint8 *payload;
      gboolean go_on = TRUE;

      /* Everything is checked on the prefix alone, before any payload
       * arrives: a bad stream fails at its fourth octet. */
      if ((p[0] & 0xF0) != 0)
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "reserved bits set in a frame prefix",
                     code, reason);
      if (p[0] & 0x08)
        {
          if (len != 0)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "invalid frame length", code, reason);
          len = WAMP_RAWSOCKET_MAX_MESSAGE_SIZE;
        }
      if (type > WAMP_RAWSOCKET_FRAME_PONG)
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "reserved frame type", code, reason);
      if (len > self->max_length)
        return fail (self, WAMP_CLOSE_TOO_BIG, "frame longer than the announced maximum",
                     code, reason);

      if (avail - WAMP_RAWSOCKET_HEADER_SIZE < len)
        break;

      payload = p + WAMP_RAWSOCKET_HEADER_SIZE;
      self->input.start += WAMP_RAWSOCKET_HEADER_SIZE + len;

      switch (type)
        {
        case WAMP_RAWSOCKET_FRAME_REGULAR:
          if (self->funcs->message_data != NULL && len < WAMP_RAWSOCKET_READ_CHUNK)
            {
              /* Lent in place: the core copies what it keeps. */
              go_on = self->funcs->message_data (self->user_data, payload, len);
            }
          else
            {
              /* The core may keep the frame (raw payloads point into it)
               * while the buffer is reused: a copy, or the buffer itself
               * (a large frame in memory of the buffer's own). */
              g_autoptr(GBytes) bytes = wamp_read_buffer_take_frame (&self->input, payload, len);

              go_on = self->funcs->message (self->user_data, bytes);
            }
          break;
        case WAMP_RAWSOCKET_FRAME_PING:
          go_on = self->funcs->ping (self->user_data, payload, len);
          break;
        case WAMP_RAWSOCKET_FRAME_PONG:
          if (self->funcs->pong != NULL)
            go_on = self->funcs->pong (self->user_data, payload, len);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!go_on)
        {
          self->done = TRUE;
          return WAMP_RAWSOCKET_DECODER_STOPPED;
        }
    }

  if (self->done)
    return WAMP_RAWSOCKET_DECODER_STOPPED;

  /* Thousands of idle connections would otherwise pin 64 KiB each. */
  wamp_read_buffer_release_if_idle (&self->input);
  return WAMP_RAWSOCKET_DECODER_OK;
}

WampRawsocketDecoderResult
wamp_rawsocket_decoder_commit (WampRawsocketDecoder  *self,
                               gsize                  len,
                               WampCloseCode         *code,
                               const char           **reason)
{
  g_return_val_if_fail (self != NULL, WAMP_RAWSOCKET_DECODER_STOPPED);
  g_return_val_if_fail (len <= self->input.alloc - self->input.end, WAMP_RAWSOCKET_DECODER_STOPPED);

  if (self->done)
    return WAMP_RAWSOCKET_DECODER_STOPPED;
  self->input.end += len;
  return parse (self, code, reason);
}

WampRawsocketDecoderResult
wamp_rawsocket_decoder_feed (WampRawsocketDecoder  *self,
                             const guint8          *data,
                             gsize                  len,
                             WampCloseCode         *code,
                             const char           **reason)
{
  WampRawsocketDecoderResult res = WAMP_RAWSOCKET_DECODER_OK;

  g_return_val_if_fail (self != NULL, WAMP_RAWSOCKET_DECODER_STOPPED);
  g_return_val_if_fail (data != NULL || len == 0, WAMP_RAWSOCKET_DECODER_STOPPED);

  if (self->done)
    return WAMP_RAWSOCKET_DECODER_STOPPED;
  while (len > 0 && res == WAMP_RAWSOCKET_DECODER_OK)
    {
      gsize n = wamp_read_buffer_fill (&self->input, &data, &len);

      res = wamp_rawsocket_decoder_commit (self, n, code, reason);
    }
  return res;
}
