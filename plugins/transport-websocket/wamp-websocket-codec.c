/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketCodec: parses and builds RFC 6455 frames from byte buffers, so
 * the connection only moves bytes and the framing is testable without sockets. */

#include "wamp-websocket-codec.h"

#include <string.h>

#define MAX_CONTROL_PAYLOAD 125
#define MAX_CLOSE_REASON 123

struct _WampWebsocketCodec
{
  WampWebsocketRole role;
  gboolean binary;
  gsize max_message_size;
  const WampWebsocketCodecFuncs *funcs;
  gpointer user_data;

  WampReadBuffer input;
  /* A fragmented message being reassembled. */
  GByteArray *fragments;
  gboolean fragments_binary;

  gboolean done; /* failed, stopped or close received: input is ignored */
};

WampWebsocketCodec *
wamp_websocket_codec_new (WampWebsocketRole              role,
                          gboolean                       binary,
                          gsize                          max_message_size,
                          const WampWebsocketCodecFuncs *funcs,
                          gpointer                       user_data)
{
  WampWebsocketCodec *self;

  g_return_val_if_fail (funcs != NULL, NULL);
  g_return_val_if_fail (funcs->message != NULL && funcs->ping != NULL && funcs->close != NULL, NULL);

  self = g_new0 (WampWebsocketCodec, 1);
  self->role = role;
  self->binary = binary;
  self->max_message_size = max_message_size;
  self->funcs = funcs;
  self->user_data = user_data;
  wamp_read_buffer_init (&self->input, WAMP_WEBSOCKET_READ_CHUNK,
                         (gsize) MIN (max_message_size, G_MAXSIZE / 4)
                         + WAMP_WEBSOCKET_MAX_HEADER + WAMP_WEBSOCKET_READ_CHUNK);
  return self;
}

void
wamp_websocket_codec_free (WampWebsocketCodec *self)
{
  if (self == NULL)
    return;
  wamp_read_buffer_clear (&self->input);
  if (self->fragments != NULL)
    g_byte_array_unref (self->fragments);
  g_free (self);
}

void
wamp_websocket_mask (guint8       *data,
                     gsize         len,
                     const guint8  key[4],
                     gsize         offset)
{
  guint8 k[8];
  guint64 k64;
  gsize i = 0;

  /* The 4-byte key repeats, so an 8-byte pattern rotated by @offset masks a
   * word at a time; memcpy keeps unaligned access legal and compiles to
   * plain loads and stores. */
  for (guint j = 0; j < 8; j++)
    k[j] = key[(offset + j) & 3];
  memcpy (&k64, k, sizeof k64);

  for (; i + 8 <= len; i += 8)
    {
      guint64 w;

      memcpy (&w, data + i, sizeof w);
      w ^= k64;
      memcpy (data + i, &w, sizeof w);
    }
  for (; i < len; i++)
    data[i] ^= k[i & 7];
}

gboolean
wamp_websocket_close_code_is_valid (guint code)
{
  if (code >= 3000 && code <= 4999)
    return TRUE;
  switch (code)
    {
    case 1000: case 1001: case 1002: case 1003:
    case 1007: case 1008: case 1009: case 1010: case 1011:
    case 1012: case 1013: case 1014:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Input buffer */

guint8 *
wamp_websocket_codec_get_read_buffer (WampWebsocketCodec *self,
                                      gsize              *len)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (len != NULL, NULL);

  return wamp_read_buffer_get_shared_space (&self->input, len);
}

gsize
wamp_websocket_codec_get_pending (WampWebsocketCodec *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return wamp_read_buffer_get_pending (&self->input);
}

gsize
wamp_websocket_codec_get_buffer_size (WampWebsocketCodec *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->input.alloc;
}

/* RFC 6455 text is UTF-8, where U+0000 is valid (g_utf8_validate() refuses
 * it); the core's check also runs through ASCII many bytes at a time. */
static gboolean
utf8_validate_with_nul (const char *data,
                        gsize       len)
{
  return wamp_utf8_find_invalid ((const guint8 *) data, (const guint8 *) data + len) == NULL;
}

/* Parser */

static WampWebsocketCodecResult
fail (WampWebsocketCodec *self,
      guint16             code,
      const char         *why,
      guint16            *close_code,
      const char        **reason)
{
  self->done = TRUE;
  if (close_code != NULL)
    *close_code = code;
  if (reason != NULL)
    *reason = why;
  return WAMP_WEBSOCKET_CODEC_FAILED;
}

static WampWebsocketCodecResult
stop (WampWebsocketCodec *self)
{
  self->done = TRUE;
  return WAMP_WEBSOCKET_CODEC_STOPPED;
}

/* @payload: (nullable): the message as a GBytes of its own, else @data is
 * lent for the call only. */
static WampWebsocketCodecResult
deliver_message (WampWebsocketCodec *self,
                 gboolean            binary,
                 GBytes             *payload,
                 const guint8       *data,
                 gsize               len,
                 guint16            *close_code,
                 const char        **reason)
{
  gboolean go_on;

  if (!binary && !utf8_validate_with_nul ((const char *) data, len))
    return fail (self, WAMP_CLOSE_INVALID_DATA, "text message is not valid UTF-8",
                 close_code, reason);
  if (payload != NULL)
    go_on = self->funcs->message (self->user_data, binary, payload);
  else
    go_on = self->funcs->message_data (self->user_data, binary, data, len);
  if (!go_on)
    return stop (self);
  return WAMP_WEBSOCKET_CODEC_OK;
}

static WampWebsocketCodecResult
handle_close (WampWebsocketCodec *self,
              const guint8       *payload,
              gsize               len,
              guint16            *close_code,
              const char        **reason)
{
  guint16 code = WAMP_WEBSOCKET_CLOSE_NO_STATUS;
  g_autofree char *text = NULL;

  if (len == 1)
    return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "close frame of one byte", close_code, reason);
  if (len >= 2)
    {
      code = (guint16) ((payload[0] << 8) | payload[1]);
      if (!wamp_websocket_close_code_is_valid (code))
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "invalid close code", close_code, reason);
      if (!utf8_validate_with_nul ((const char *) payload + 2, len - 2))
        return fail (self, WAMP_CLOSE_INVALID_DATA, "close reason is not valid UTF-8",
                     close_code, reason);
      text = g_strndup ((const char *) payload + 2, len - 2);
    }
  /* Nothing after a close frame counts. */
  self->done = TRUE;
  self->funcs->close (self->user_data, code, text != NULL ? text : "");
  return WAMP_WEBSOCKET_CODEC_STOPPED;
}

static WampWebsocketCodecResult
parse (WampWebsocketCodec *self,
       guint16            *close_code,
       const char        **reason)
{
  while (!self->done)
    {
      const guint8 *p = wamp_read_buffer_peek (&self->input);
      gsize avail = wamp_read_buffer_get_pending (&self->input);
      gboolean fin, masked;
      guint8 opcode, len7;
      gsize hdr;
      guint64 payload_len;
      guint8 *payload;
      WampWebsocketCodecResult res = WAMP_WEBSOCKET_CODEC_OK;

      if (avail < 2)
        break;

      fin = (p[0] & 0x80) != 0;
      opcode = p[0] & 0x0F;
      masked = (p[1] & 0x80) != 0;
      len7 = p[1] & 0x7F;

      /* Checks that need no more than two bytes fail before waiting for
       * the rest of the frame. */
      if (p[0] & 0x70)
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "reserved bits set", close_code, reason);
      switch (opcode)
        {
        case WAMP_WEBSOCKET_OP_CONTINUATION:
          if (self->fragments == NULL)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "continuation without a message",
                         close_code, reason);
          break;
        case WAMP_WEBSOCKET_OP_TEXT:
        case WAMP_WEBSOCKET_OP_BINARY:
          if (self->fragments != NULL)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "new message inside a fragmented one",
                         close_code, reason);
          if ((opcode == WAMP_WEBSOCKET_OP_BINARY) != self->binary)
            return fail (self, WAMP_WEBSOCKET_CLOSE_UNSUPPORTED_DATA,
                         self->binary ? "text message on a binary subprotocol"
                                      : "binary message on a text subprotocol",
                         close_code, reason);
          break;
        case WAMP_WEBSOCKET_OP_CLOSE:
        case WAMP_WEBSOCKET_OP_PING:
        case WAMP_WEBSOCKET_OP_PONG:
          if (!fin)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "fragmented control frame",
                         close_code, reason);
          if (len7 > MAX_CONTROL_PAYLOAD)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "control frame too long",
                         close_code, reason);
          break;
        default:
          return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "unknown opcode", close_code, reason);
        }
      if (self->role == WAMP_WEBSOCKET_ROLE_SERVER && !masked)
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "unmasked client frame", close_code, reason);
      if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT && masked)
        return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "masked server frame", close_code, reason);

      hdr = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (avail < hdr)
        break;

      if (len7 == 126)
        payload_len = ((guint64) p[2] << 8) | p[3];
      else if (len7 == 127)
        {
          payload_len = 0;
          for (guint i = 0; i < 8; i++)
            payload_len = (payload_len << 8) | p[2 + i];
          if (payload_len >> 63)
            return fail (self, WAMP_CLOSE_PROTOCOL_ERROR, "frame length with the high bit set",
                         close_code, reason);
        }
      else
        payload_len = len7;

      if (opcode < WAMP_WEBSOCKET_OP_CLOSE)
        {
          guint64 so_far = self->fragments != NULL ? self->fragments->len : 0;

          if (payload_len > self->max_message_size ||
              so_far + payload_len > self->max_message_size)
            return fail (self, WAMP_CLOSE_TOO_BIG, "message too big", close_code, reason);
        }

      if (avail - hdr < payload_len)
        break;

      /* Unmasked in place: the buffer is the codec's own. */
      payload = self->input.data + self->input.start + hdr;
      if (masked)
        wamp_websocket_mask (payload, (gsize) payload_len, p + hdr - 4, 0);
      self->input.start += hdr + (gsize) payload_len;

      switch (opcode)
        {
        case WAMP_WEBSOCKET_OP_TEXT:
        case WAMP_WEBSOCKET_OP_BINARY:
          if (fin && self->funcs->message_data != NULL && payload_len < WAMP_WEBSOCKET_READ_CHUNK)
            {
              /* Lent in place: the core copies what it keeps. */
              res = deliver_message (self, opcode == WAMP_WEBSOCKET_OP_BINARY, NULL, payload,
                                     (gsize) payload_len, close_code, reason);
            }
          else if (fin)
            {
              /* The core may keep the message (raw payloads point into
               * it): a copy, or the buffer itself for a large one. */
              g_autoptr(GBytes) bytes = wamp_read_buffer_take_frame (&self->input, payload,
                                                                     (gsize) payload_len);

              res = deliver_message (self, opcode == WAMP_WEBSOCKET_OP_BINARY, bytes,
                                     g_bytes_get_data (bytes, NULL), (gsize) payload_len,
                                     close_code, reason);
            }
          else
            {
              self->fragments = g_byte_array_sized_new ((guint) MAX (payload_len, 1024));
              self->fragments_binary = opcode == WAMP_WEBSOCKET_OP_BINARY;
              g_byte_array_append (self->fragments, payload, (guint) payload_len);
            }
          break;

        case WAMP_WEBSOCKET_OP_CONTINUATION:
          g_byte_array_append (self->fragments, payload, (guint) payload_len);
          if (fin)
            {
              g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->fragments));
              gsize len;
              const guint8 *data = g_bytes_get_data (bytes, &len);

              res = deliver_message (self, self->fragments_binary, bytes, data, len,
                                     close_code, reason);
            }
          break;

        case WAMP_WEBSOCKET_OP_PING:
          if (!self->funcs->ping (self->user_data, payload, (gsize) payload_len))
            res = stop (self);
          break;

        case WAMP_WEBSOCKET_OP_PONG:
          if (self->funcs->pong != NULL &&
              !self->funcs->pong (self->user_data, payload, (gsize) payload_len))
            res = stop (self);
          break;

        case WAMP_WEBSOCKET_OP_CLOSE:
          res = handle_close (self, payload, (gsize) payload_len, close_code, reason);
          break;

        default:
          g_assert_not_reached ();
        }

      if (res != WAMP_WEBSOCKET_CODEC_OK)
        return res;
    }

  if (self->done)
    return WAMP_WEBSOCKET_CODEC_STOPPED;

  /* Thousands of idle connections would otherwise pin 64 KiB each. */
  wamp_read_buffer_release_if_idle (&self->input);
  return WAMP_WEBSOCKET_CODEC_OK;
}

WampWebsocketCodecResult
wamp_websocket_codec_commit (WampWebsocketCodec  *self,
                             gsize                len,
                             guint16             *close_code,
                             const char         **reason)
{
  g_return_val_if_fail (self != NULL, WAMP_WEBSOCKET_CODEC_STOPPED);
  g_return_val_if_fail (len <= self->input.alloc - self->input.end, WAMP_WEBSOCKET_CODEC_STOPPED);

  if (self->done)
    return WAMP_WEBSOCKET_CODEC_STOPPED;
  self->input.end += len;
  return parse (self, close_code, reason);
}

WampWebsocketCodecResult
wamp_websocket_codec_feed (WampWebsocketCodec  *self,
                           const guint8        *data,
                           gsize                len,
                           guint16             *close_code,
                           const char         **reason)
{
  WampWebsocketCodecResult res = WAMP_WEBSOCKET_CODEC_OK;

  g_return_val_if_fail (self != NULL, WAMP_WEBSOCKET_CODEC_STOPPED);
  g_return_val_if_fail (data != NULL || len == 0, WAMP_WEBSOCKET_CODEC_STOPPED);

  while (len > 0 && res == WAMP_WEBSOCKET_CODEC_OK)
    {
      gsize n;

      if (self->done)
        return WAMP_WEBSOCKET_CODEC_STOPPED;
      n = wamp_read_buffer_fill (&self->input, &data, &len);
      res = wamp_websocket_codec_commit (self, n, close_code, reason);
    }
  return res;
}

/* Writer */

gsize
wamp_websocket_codec_write_header (WampWebsocketCodec *self,
                                   guint8              opcode,
                                   guint64             payload_len,
                                   guint8             *header,
                                   guint8              mask_key[4])
{
  gsize n;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (header != NULL, 0);

  header[0] = 0x80 | (opcode & 0x0F);
  if (payload_len < 126)
    {
      header[1] = (guint8) payload_len;
      n = 2;
    }
  else if (payload_len <= 0xFFFF)
    {
      header[1] = 126;
      header[2] = (guint8) (payload_len >> 8);
      header[3] = (guint8) payload_len;
      n = 4;
    }
  else
    {
      header[1] = 127;
      for (guint i = 0; i < 8; i++)
        header[2 + i] = (guint8) (payload_len >> (56 - 8 * i));
      n = 10;
    }

  if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT)
    {
      guint32 r = g_random_int ();

      g_return_val_if_fail (mask_key != NULL, 0);
      memcpy (mask_key, &r, 4);
      header[1] |= 0x80;
      memcpy (header + n, mask_key, 4);
      n += 4;
    }
  return n;
}

GBytes *
wamp_websocket_codec_encode_frame (WampWebsocketCodec *self,
                                   guint8              opcode,
                                   const guint8       *payload,
                                   gsize               len)
{
  guint8 header[WAMP_WEBSOCKET_MAX_HEADER];
  guint8 key[4];
  gsize hlen;
  guint8 *frame;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (payload != NULL || len == 0, NULL);

  hlen = wamp_websocket_codec_write_header (self, opcode, len, header, key);
  frame = g_malloc (hlen + len);
  memcpy (frame, header, hlen);
  if (len > 0)
    memcpy (frame + hlen, payload, len);
  if (self->role == WAMP_WEBSOCKET_ROLE_CLIENT)
    wamp_websocket_mask (frame + hlen, len, key, 0);
  return g_bytes_new_take (frame, hlen + len);
}

GBytes *
wamp_websocket_codec_encode_close (WampWebsocketCodec *self,
                                   guint16             code,
                                   const char         *reason)
{
  guint8 payload[2 + MAX_CLOSE_REASON];
  gsize len = 0;

  g_return_val_if_fail (self != NULL, NULL);

  if (code != WAMP_WEBSOCKET_CLOSE_NO_STATUS)
    {
      payload[0] = (guint8) (code >> 8);
      payload[1] = (guint8) code;
      len = 2;
      if (reason != NULL)
        {
          gsize rlen = strlen (reason);
          const char *end;

          /* Cut on a character boundary: the reason must stay UTF-8. */
          if (rlen > MAX_CLOSE_REASON)
            rlen = MAX_CLOSE_REASON;
          if (!g_utf8_validate_len (reason, rlen, &end))
            rlen = (gsize) (end - reason);
          memcpy (payload + 2, reason, rlen);
          len += rlen;
        }
    }
  return wamp_websocket_codec_encode_frame (self, WAMP_WEBSOCKET_OP_CLOSE, payload, len);
}
