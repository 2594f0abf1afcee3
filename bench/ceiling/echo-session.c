/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EchoSession: one echo connection's protocol — detects WebSocket or
 * RawSocket from the first byte, answers the handshake and echoes every
 * frame — on byte buffers, so the epoll and the GIO server share it. */

/* memmem() */
#define _GNU_SOURCE

#include "echo-session.h"

#include <glib.h>
#include <string.h>

#define RAWSOCKET_MAGIC 0x7F
#define RAWSOCKET_HEADER 4
#define RAWSOCKET_REGULAR 0
#define RAWSOCKET_PING 1
#define RAWSOCKET_PONG 2
/* Handshake reply errors (RawSocket spec). */
#define RAWSOCKET_ERROR_SERIALIZER 1
#define RAWSOCKET_ERROR_RESERVED_BITS 3

#define WS_OP_CONTINUATION 0x0
#define WS_OP_BINARY 0x2
#define WS_OP_CLOSE 0x8
#define WS_OP_PING 0x9
#define WS_OP_PONG 0xA
#define WS_MAX_CONTROL 125
#define WS_MAX_SERVER_HEADER 10
#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* An idle input buffer up to this size stays, so a stream of frames a
 * little over 64 KiB does not free and re-make it for every frame. */
#define KEEP_INPUT (4 * ECHO_READ_CHUNK)

static const char bad_request[] =
  "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

void
echo_session_init (EchoSession *self)
{
  memset (self, 0, sizeof *self);
  self->state = ECHO_STATE_DETECT;
}

void
echo_session_clear (EchoSession *self)
{
  echo_buffer_clear (&self->input);
}

/* Where the next read goes, and how much it may bring: up to a chunk
 * together with what is pending (so small frames never grow the buffer),
 * or the whole rest of a big frame in one go. */
uint8_t *
echo_session_read_space (EchoSession *self,
                         size_t      *len)
{
  size_t pending = echo_buffer_pending (&self->input);
  size_t room = pending < ECHO_READ_CHUNK ? ECHO_READ_CHUNK - pending : 0;
  uint8_t *p;

  if (room < self->need)
    room = self->need;
  if (room == 0) /* not reached: what is pending is one incomplete frame */
    room = ECHO_READ_CHUNK;
  p = echo_buffer_reserve (&self->input, room);

  *len = p != NULL ? room : 0;
  return p;
}

static gboolean
append (EchoBuffer *output,
        const void *data,
        size_t      len)
{
  uint8_t *p = echo_buffer_append (output, len);

  if (p == NULL)
    return FALSE;
  memcpy (p, data, len);
  return TRUE;
}

/* Closes after sending @reply (may be NULL); input is ignored from now on. */
static EchoSessionResult
close_with (EchoSession *self,
            EchoBuffer  *output,
            const void  *reply,
            size_t       len)
{
  self->state = ECHO_STATE_CLOSED;
  if (reply != NULL && !append (output, reply, len))
    return ECHO_SESSION_FAIL;
  return ECHO_SESSION_CLOSE;
}

/* WebSocket upgrade (once per connection: GLib is fine here) */

/* The first token of a comma-separated header value, or NULL. */
static char *
first_token (const char *value)
{
  const char *comma = strchr (value, ',');
  char *token = comma != NULL ? g_strndup (value, (gsize) (comma - value)) : g_strdup (value);

  g_strstrip (token);
  if (*token == '\0')
    g_clear_pointer (&token, g_free);
  return token;
}

/* Answers a complete request of @len bytes (through its blank line). */
static EchoSessionResult
handle_request (EchoSession *self,
                const char  *data,
                size_t       len,
                EchoBuffer  *output)
{
  g_autofree char *text = g_strndup (data, len);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_autofree char *key = NULL;
  g_autofree char *protocol = NULL;
  g_autofree char *accept = NULL;
  g_autoptr(GChecksum) sha1 = NULL;
  g_autoptr(GString) reply = NULL;
  gboolean upgrade = FALSE;
  guint8 digest[20];
  gsize digest_len = sizeof digest;

  if (!g_str_has_prefix (lines[0], "GET ") || !g_str_has_suffix (lines[0], " HTTP/1.1"))
    return close_with (self, output, bad_request, sizeof bad_request - 1);
  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      char *colon = strchr (lines[i], ':');
      char *name, *value;

      if (colon == NULL)
        return close_with (self, output, bad_request, sizeof bad_request - 1);
      *colon = '\0';
      name = g_strstrip (lines[i]);
      value = g_strstrip (colon + 1);
      if (g_ascii_strcasecmp (name, "Sec-WebSocket-Key") == 0 && key == NULL)
        key = g_strdup (value);
      else if (g_ascii_strcasecmp (name, "Sec-WebSocket-Protocol") == 0 && protocol == NULL)
        protocol = first_token (value);
      else if (g_ascii_strcasecmp (name, "Upgrade") == 0)
        {
          g_autofree char *lower = g_ascii_strdown (value, -1);

          upgrade = strstr (lower, "websocket") != NULL;
        }
    }
  if (!upgrade || key == NULL || *key == '\0')
    return close_with (self, output, bad_request, sizeof bad_request - 1);

  sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WS_GUID, -1);
  g_checksum_get_digest (sha1, digest, &digest_len);
  accept = g_base64_encode (digest, digest_len);

  reply = g_string_new ("HTTP/1.1 101 Switching Protocols\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\n");
  g_string_append_printf (reply, "Sec-WebSocket-Accept: %s\r\n", accept);
  if (protocol != NULL)
    g_string_append_printf (reply, "Sec-WebSocket-Protocol: %s\r\n", protocol);
  g_string_append (reply, "\r\n");
  if (!append (output, reply->str, reply->len))
    return ECHO_SESSION_FAIL;
  self->state = ECHO_STATE_WEBSOCKET;
  return ECHO_SESSION_OK;
}

static EchoSessionResult
parse_http (EchoSession *self,
            EchoBuffer  *output)
{
  const char *p = (const char *) echo_buffer_peek (&self->input);
  size_t avail = echo_buffer_pending (&self->input);
  size_t scan = avail < ECHO_MAX_REQUEST ? avail : ECHO_MAX_REQUEST;
  const char *end;
  EchoSessionResult res;

  /* Anything but a GET fails at its fourth byte, not after 8 KiB. */
  if (memcmp (p, "GET ", avail < 4 ? avail : 4) != 0)
    return close_with (self, output, bad_request, sizeof bad_request - 1);
  end = memmem (p, scan, "\r\n\r\n", 4);
  if (end == NULL)
    return avail >= ECHO_MAX_REQUEST ? ECHO_SESSION_FAIL : ECHO_SESSION_OK;

  res = handle_request (self, p, (size_t) (end + 4 - p), output);
  /* What follows the request is frames. */
  if (res == ECHO_SESSION_OK)
    echo_buffer_consume (&self->input, (size_t) (end + 4 - p));
  return res;
}

/* WebSocket frames */

/* Copies a masked payload unmasked, eight bytes at a time: every frame's
 * key starts at its first payload byte, so the 4-byte key doubled is the
 * word mask (the same byte pattern on any endianness). */
static void
unmask_copy (uint8_t       *dst,
             const uint8_t *src,
             size_t         len,
             const uint8_t  key[4])
{
  uint32_t k32;
  uint64_t k64;
  size_t i = 0;

  memcpy (&k32, key, sizeof k32);
  k64 = ((uint64_t) k32 << 32) | k32;
  for (; i + 8 <= len; i += 8)
    {
      uint64_t w;

      memcpy (&w, src + i, sizeof w);
      w ^= k64;
      memcpy (dst + i, &w, sizeof w);
    }
  for (; i < len; i++)
    dst[i] = src[i] ^ key[i & 3];
}

/* Appends an unmasked server frame: @b0 (FIN and opcode) as received, the
 * shortest length form, the payload unmasked. */
static gboolean
append_ws_frame (EchoBuffer    *output,
                 uint8_t        b0,
                 const uint8_t *payload,
                 size_t         len,
                 const uint8_t  key[4])
{
  size_t hlen = len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
  uint8_t *p = echo_buffer_append (output, hlen + len);

  if (p == NULL)
    return FALSE;
  p[0] = b0;
  if (hlen == 2)
    p[1] = (uint8_t) len;
  else if (hlen == 4)
    {
      p[1] = 126;
      p[2] = (uint8_t) (len >> 8);
      p[3] = (uint8_t) len;
    }
  else
    {
      p[1] = 127;
      for (unsigned i = 0; i < 8; i++)
        p[2 + i] = (uint8_t) ((uint64_t) len >> (56 - 8 * i));
    }
  unmask_copy (p + hlen, payload, len, key);
  return TRUE;
}

static EchoSessionResult
parse_websocket (EchoSession *self,
                 EchoBuffer  *output)
{
  for (;;)
    {
      const uint8_t *p = echo_buffer_peek (&self->input);
      size_t avail = echo_buffer_pending (&self->input);
      uint8_t opcode, len7;
      size_t hdr;
      uint64_t len;

      if (avail < 2)
        {
          self->need = 2 - avail;
          return ECHO_SESSION_OK;
        }
      opcode = p[0] & 0x0F;
      len7 = p[1] & 0x7F;
      /* Reserved bits (no extension was agreed), unmasked client frames,
       * unknown opcodes, fragmented or long control frames. */
      if ((p[0] & 0x70) != 0 || (p[1] & 0x80) == 0)
        return ECHO_SESSION_FAIL;
      if (opcode >= WS_OP_CLOSE)
        {
          if (opcode > WS_OP_PONG || (p[0] & 0x80) == 0 || len7 > WS_MAX_CONTROL)
            return ECHO_SESSION_FAIL;
        }
      else if (opcode > WS_OP_BINARY)
        return ECHO_SESSION_FAIL;

      hdr = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
      if (avail < hdr)
        {
          self->need = hdr - avail;
          return ECHO_SESSION_OK;
        }
      if (len7 == 126)
        len = ((uint64_t) p[2] << 8) | p[3];
      else if (len7 == 127)
        {
          len = 0;
          for (unsigned i = 0; i < 8; i++)
            len = (len << 8) | p[2 + i];
        }
      else
        len = len7;
      if (len > ECHO_MAX_PAYLOAD)
        return ECHO_SESSION_FAIL;
      if (avail - hdr < len)
        {
          self->need = hdr + (size_t) len - avail;
          return ECHO_SESSION_OK;
        }

      switch (opcode)
        {
        case WS_OP_PONG:
          break;
        case WS_OP_PING:
          if (!append_ws_frame (output, 0x80 | WS_OP_PONG, p + hdr, (size_t) len, p + hdr - 4))
            return ECHO_SESSION_FAIL;
          break;
        case WS_OP_CLOSE:
          /* The close handshake: our close frame is the peer's, echoed. */
          if (!append_ws_frame (output, p[0], p + hdr, (size_t) len, p + hdr - 4))
            return ECHO_SESSION_FAIL;
          return close_with (self, output, NULL, 0);
        default:
          /* Data frames and continuations alike: fragments are echoed one
           * by one with their FIN and opcode. */
          if (!append_ws_frame (output, p[0], p + hdr, (size_t) len, p + hdr - 4))
            return ECHO_SESSION_FAIL;
          break;
        }
      echo_buffer_consume (&self->input, hdr + (size_t) len);
    }
}

/* RawSocket */

static EchoSessionResult
parse_rawsocket_hello (EchoSession *self,
                       EchoBuffer  *output)
{
  const uint8_t *p = echo_buffer_peek (&self->input);
  uint8_t reply[4] = { RAWSOCKET_MAGIC, 0, 0, 0 };

  if (echo_buffer_pending (&self->input) < 4)
    {
      self->need = 4 - echo_buffer_pending (&self->input);
      return ECHO_SESSION_OK;
    }
  if (p[2] != 0 || p[3] != 0)
    {
      reply[1] = RAWSOCKET_ERROR_RESERVED_BITS << 4;
      return close_with (self, output, reply, sizeof reply);
    }
  if ((p[1] & 0x0F) == 0)
    {
      reply[1] = RAWSOCKET_ERROR_SERIALIZER << 4;
      return close_with (self, output, reply, sizeof reply);
    }
  /* Any serializer: its frames are only echoed. 0xF: 2^24 bytes. */
  reply[1] = (uint8_t) (0xF0 | (p[1] & 0x0F));
  if (!append (output, reply, sizeof reply))
    return ECHO_SESSION_FAIL;
  echo_buffer_consume (&self->input, 4);
  self->state = ECHO_STATE_RAWSOCKET;
  return ECHO_SESSION_OK;
}

static EchoSessionResult
parse_rawsocket (EchoSession *self,
                 EchoBuffer  *output)
{
  for (;;)
    {
      const uint8_t *p = echo_buffer_peek (&self->input);
      size_t avail = echo_buffer_pending (&self->input);
      unsigned type;
      size_t len;
      uint8_t *out;

      if (avail < RAWSOCKET_HEADER)
        {
          self->need = RAWSOCKET_HEADER - avail;
          return ECHO_SESSION_OK;
        }
      type = p[0] & 0x07;
      len = ((size_t) p[1] << 16) | ((size_t) p[2] << 8) | p[3];
      /* Reserved bits and types; the 25th length bit (0x08) only for
       * exactly 2^24 bytes. */
      if ((p[0] & 0xF0) != 0 || type > RAWSOCKET_PONG)
        return ECHO_SESSION_FAIL;
      if (p[0] & 0x08)
        {
          if (len != 0)
            return ECHO_SESSION_FAIL;
          len = ECHO_MAX_PAYLOAD;
        }
      if (avail - RAWSOCKET_HEADER < len)
        {
          self->need = RAWSOCKET_HEADER + len - avail;
          return ECHO_SESSION_OK;
        }

      if (type != RAWSOCKET_PONG)
        {
          /* The frame as it came; a PING comes back as a PONG. */
          out = echo_buffer_append (output, RAWSOCKET_HEADER + len);
          if (out == NULL)
            return ECHO_SESSION_FAIL;
          memcpy (out, p, RAWSOCKET_HEADER + len);
          if (type == RAWSOCKET_PING)
            out[0] = (uint8_t) ((p[0] & ~0x07) | RAWSOCKET_PONG);
        }
      echo_buffer_consume (&self->input, RAWSOCKET_HEADER + len);
    }
}

/* Counts @len bytes just read into the read space as input and echoes
 * every complete frame into @output. */
EchoSessionResult
echo_session_commit (EchoSession *self,
                     size_t       len,
                     EchoBuffer  *output)
{
  EchoSessionResult res = ECHO_SESSION_OK;

  self->input.end += len;
  self->need = 0;
  if (self->state == ECHO_STATE_DETECT && echo_buffer_pending (&self->input) > 0)
    self->state = self->input.data[self->input.start] == RAWSOCKET_MAGIC
                  ? ECHO_STATE_RAWSOCKET_HELLO : ECHO_STATE_HTTP;

  if (self->state == ECHO_STATE_HTTP)
    res = parse_http (self, output);
  else if (self->state == ECHO_STATE_RAWSOCKET_HELLO)
    res = parse_rawsocket_hello (self, output);

  if (res == ECHO_SESSION_OK)
    {
      if (self->state == ECHO_STATE_WEBSOCKET)
        res = parse_websocket (self, output);
      else if (self->state == ECHO_STATE_RAWSOCKET)
        res = parse_rawsocket (self, output);
      else if (self->state == ECHO_STATE_CLOSED)
        res = ECHO_SESSION_CLOSE;
    }

  if (self->state == ECHO_STATE_CLOSED)
    echo_buffer_clear (&self->input);
  else
    echo_buffer_trim (&self->input, KEEP_INPUT);
  return res;
}
