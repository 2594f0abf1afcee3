/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the RFC 6455 codec: any bytes, any split, both roles, and the writer checked against the parser. */

#include <stdlib.h>
#include <string.h>

#include "wamp-websocket-codec.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Input layout:
 *   byte 0: bit 0 role (0 server: masked client frames, 1 client: unmasked
 *           server frames), bit 1 binary subprotocol, bits 2-4 the max
 *           message size, bits 5-6 the largest chunk, bit 7 feed() or the
 *           zero-copy get_read_buffer()/commit() path;
 *   bytes 1-2: seed of the chunk sizes;
 *   the rest: the byte stream from the peer. */
#define PREFIX 3

static const gsize max_sizes[8] = {
  0, 64, 125, 126, 1024, 65535, 65536, 1024 * 1024,
};
static const gsize max_chunks[4] = { 1, 16, 300, G_MAXSIZE };

typedef struct
{
  WampWebsocketCodec *codec;    /* the codec under test, role R */
  WampWebsocketCodec *peer;     /* role R': parses what @codec writes (pongs, close) */
  WampWebsocketCodec *reparser; /* role R: parses what @peer writes (echoed messages) */
  gboolean binary;
  gsize max_message_size;

  /* What @peer or @reparser must report next, set just before feeding them. */
  guint8 expect_opcode;
  const guint8 *expect_data;
  gsize expect_len;
  guint16 expect_code;
  const char *expect_reason;
  guint seen;

  /* The peer's close, echoed back as RFC 6455 5.5.1 asks. */
  guint16 close_code;
  char close_reason[124];
} Fuzz;

/* Feeds a frame we encoded to a codec that must take it whole: one event,
 * nothing left over, split in two to cross a partial read as well. */
static void
feed_own_frame (WampWebsocketCodec *codec,
                GBytes             *frame,
                gsize               split,
                Fuzz               *f,
                WampWebsocketCodecResult want)
{
  gsize len;
  const guint8 *bytes = g_bytes_get_data (frame, &len);
  WampWebsocketCodecResult res;
  guint16 code = 0;
  const char *reason = NULL;

  split = len > 0 ? split % len : 0;
  f->seen = 0;
  res = wamp_websocket_codec_feed (codec, bytes, split, &code, &reason);
  if (res != WAMP_WEBSOCKET_CODEC_OK || f->seen != 0)
    abort ();
  res = wamp_websocket_codec_feed (codec, bytes + split, len - split, &code, &reason);
  if (res != want || f->seen != 1)
    abort ();
  if (want == WAMP_WEBSOCKET_CODEC_OK && wamp_websocket_codec_get_pending (codec) != 0)
    abort ();
}

static gboolean
same_payload (Fuzz         *f,
              const guint8 *data,
              gsize         len)
{
  return len == f->expect_len && (len == 0 || memcmp (data, f->expect_data, len) == 0);
}

/* The codec under test. */

static gboolean
on_message (gpointer  user_data,
            gboolean  binary,
            GBytes   *payload)
{
  Fuzz *f = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);
  g_autoptr(GBytes) frame = NULL;

  if (binary != f->binary || len > f->max_message_size)
    abort ();
  if (!binary)
    {
      /* RFC 6455 text is UTF-8 in which U+0000 is valid (g_utf8_validate
       * refuses it): check a copy with each NUL made a space. */
      g_autofree char *copy = g_memdup2 (data, len);

      for (gsize i = 0; i < len; i++)
        if (copy[i] == '\0')
          copy[i] = ' ';
      if (!g_utf8_validate_len (copy, len, NULL))
        abort ();
    }

  /* Round trip: the other role writes it, a fresh parse of our role reads
   * back the same opcode and payload. */
  f->expect_opcode = binary ? WAMP_WEBSOCKET_OP_BINARY : WAMP_WEBSOCKET_OP_TEXT;
  f->expect_data = data;
  f->expect_len = len;
  frame = wamp_websocket_codec_encode_frame (f->peer, f->expect_opcode, data, len);
  if (frame == NULL)
    abort ();
  feed_own_frame (f->reparser, frame, len / 2 + 1, f, WAMP_WEBSOCKET_CODEC_OK);
  return TRUE;
}

static gboolean
on_ping (gpointer      user_data,
         const guint8 *data,
         gsize         len)
{
  Fuzz *f = user_data;
  g_autoptr(GBytes) pong = NULL;

  if (len > 125)
    abort ();
  /* The owner's duty: answer with a pong carrying the same data. */
  f->expect_opcode = WAMP_WEBSOCKET_OP_PONG;
  f->expect_data = data;
  f->expect_len = len;
  pong = wamp_websocket_codec_encode_frame (f->codec, WAMP_WEBSOCKET_OP_PONG, data, len);
  if (pong == NULL)
    abort ();
  feed_own_frame (f->peer, pong, len, f, WAMP_WEBSOCKET_CODEC_OK);
  return TRUE;
}

static gboolean
on_pong (gpointer      user_data,
         const guint8 *data,
         gsize         len)
{
  if (len > 125)
    abort ();
  return TRUE;
}

static gboolean
on_close (gpointer    user_data,
          guint16     code,
          const char *reason)
{
  Fuzz *f = user_data;

  if (reason == NULL || strlen (reason) > 123 || !g_utf8_validate (reason, -1, NULL))
    abort ();
  if (code != WAMP_WEBSOCKET_CLOSE_NO_STATUS && !wamp_websocket_close_code_is_valid (code))
    abort ();
  if (code == WAMP_WEBSOCKET_CLOSE_NO_STATUS && reason[0] != '\0')
    abort ();
  f->close_code = code;
  g_strlcpy (f->close_reason, reason, sizeof f->close_reason);
  return TRUE;
}

static const WampWebsocketCodecFuncs codec_funcs = {
  on_message, on_ping, on_pong, on_close,
};

/* The checking codecs: each event must be the one expected. */

static gboolean
check_message (gpointer  user_data,
               gboolean  binary,
               GBytes   *payload)
{
  Fuzz *f = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);

  f->seen++;
  if (f->expect_opcode != (binary ? WAMP_WEBSOCKET_OP_BINARY : WAMP_WEBSOCKET_OP_TEXT) ||
      !same_payload (f, data, len))
    abort ();
  return TRUE;
}

static gboolean
check_ping (gpointer      user_data,
            const guint8 *data,
            gsize         len)
{
  abort ();
  return FALSE;
}

static gboolean
check_pong (gpointer      user_data,
            const guint8 *data,
            gsize         len)
{
  Fuzz *f = user_data;

  f->seen++;
  if (f->expect_opcode != WAMP_WEBSOCKET_OP_PONG || !same_payload (f, data, len))
    abort ();
  return TRUE;
}

static gboolean
check_close (gpointer    user_data,
             guint16     code,
             const char *reason)
{
  Fuzz *f = user_data;

  f->seen++;
  if (f->expect_opcode != WAMP_WEBSOCKET_OP_CLOSE || code != f->expect_code ||
      strcmp (reason, f->expect_reason) != 0)
    abort ();
  return TRUE;
}

static const WampWebsocketCodecFuncs check_funcs = {
  check_message, check_ping, check_pong, check_close,
};

/* Our side of the closing handshake: send @code/@reason and check the peer
 * reads exactly that. */
static void
send_close (Fuzz       *f,
            guint16     code,
            const char *reason)
{
  g_autoptr(GBytes) frame = wamp_websocket_codec_encode_close (f->codec, code, reason);

  if (frame == NULL)
    abort ();
  f->expect_opcode = WAMP_WEBSOCKET_OP_CLOSE;
  f->expect_code = code;
  f->expect_reason = code == WAMP_WEBSOCKET_CLOSE_NO_STATUS ? "" : reason;
  feed_own_frame (f->peer, frame, code, f, WAMP_WEBSOCKET_CODEC_STOPPED);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  Fuzz f = { 0 };
  WampWebsocketRole role, peer_role;
  gsize max_chunk;
  gboolean zero_copy;
  guint32 rng;
  WampWebsocketCodecResult res = WAMP_WEBSOCKET_CODEC_OK;
  guint16 close_code = 0;
  const char *reason = NULL;

  if (size < PREFIX)
    return 0;

  role = (data[0] & 1) ? WAMP_WEBSOCKET_ROLE_CLIENT : WAMP_WEBSOCKET_ROLE_SERVER;
  peer_role = role == WAMP_WEBSOCKET_ROLE_SERVER ? WAMP_WEBSOCKET_ROLE_CLIENT
                                                 : WAMP_WEBSOCKET_ROLE_SERVER;
  f.binary = (data[0] >> 1) & 1;
  f.max_message_size = max_sizes[(data[0] >> 2) & 7];
  max_chunk = max_chunks[(data[0] >> 5) & 3];
  zero_copy = (data[0] >> 7) & 1;
  /* xorshift32 needs a non-zero state. */
  rng = ((guint32) data[1] << 8 | data[2]) * 2654435761u + 1;
  data += PREFIX;
  size -= PREFIX;

  f.codec = wamp_websocket_codec_new (role, f.binary, f.max_message_size, &codec_funcs, &f);
  f.peer = wamp_websocket_codec_new (peer_role, f.binary, f.max_message_size, &check_funcs, &f);
  f.reparser = wamp_websocket_codec_new (role, f.binary, f.max_message_size, &check_funcs, &f);

  while (size > 0 && res == WAMP_WEBSOCKET_CODEC_OK)
    {
      gsize n;

      rng ^= rng << 13;
      rng ^= rng >> 17;
      rng ^= rng << 5;
      n = max_chunk == G_MAXSIZE ? size : 1 + rng % max_chunk;
      n = MIN (n, size);

      if (zero_copy)
        {
          gsize room;
          guint8 *dst = wamp_websocket_codec_get_read_buffer (f.codec, &room);

          if (dst == NULL || room < 1)
            abort ();
          n = MIN (n, room);
          memcpy (dst, data, n);
          res = wamp_websocket_codec_commit (f.codec, n, &close_code, &reason);
        }
      else
        res = wamp_websocket_codec_feed (f.codec, data, n, &close_code, &reason);
      data += n;
      size -= n;
    }

  switch (res)
    {
    case WAMP_WEBSOCKET_CODEC_OK:
      /* Input ran out, maybe inside a frame: nothing to check. */
      break;
    case WAMP_WEBSOCKET_CODEC_STOPPED:
      /* Only a close frame stops it (our callbacks never refuse): echo it. */
      if (f.close_code == 0)
        abort ();
      send_close (&f, f.close_code, f.close_reason);
      break;
    case WAMP_WEBSOCKET_CODEC_FAILED:
      if (reason == NULL || !wamp_websocket_close_code_is_valid (close_code))
        abort ();
      send_close (&f, close_code, reason);
      break;
    default:
      abort ();
    }
  /* Once stopped or failed, nothing more is parsed. */
  if (res != WAMP_WEBSOCKET_CODEC_OK &&
      wamp_websocket_codec_feed (f.codec, (const guint8 *) "\x89\x00", 2, NULL, NULL)
      != WAMP_WEBSOCKET_CODEC_STOPPED)
    abort ();

  wamp_websocket_codec_free (f.codec);
  wamp_websocket_codec_free (f.peer);
  wamp_websocket_codec_free (f.reparser);
  return 0;
}
