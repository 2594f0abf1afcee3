/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the RawSocket codec: the handshake parsers on any four
 * octets, and the stream decoder on any bytes under any split, checked
 * against one whole-stream decode and against re-encoding what it reported. */

#include <stdlib.h>
#include <string.h>

#include "wamp-rawsocket-codec.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Input layout:
 *   byte 0: bits 0-3 our length exponent (the decoder's limit), bit 4 the
 *           zero-copy get_read_buffer()/commit() path instead of feed(),
 *           bits 5-6 the largest chunk;
 *   bytes 1-2: seed of the chunk sizes;
 *   bytes 3-6: a handshake, parsed as a client hello and as a reply;
 *   the rest: the byte stream after the handshake. */
#define PREFIX 7

static const gsize max_chunks[4] = { 1, 7, 300, G_MAXSIZE };

typedef struct
{
  GPtrArray *events; /* GBytes: the type octet, then the payload */
  gboolean stop_at_pong;
} Record;

static void
record (Record *r, guint8 type, const guint8 *data, gsize len)
{
  guint8 *copy = g_malloc (len + 1);

  copy[0] = type;
  if (len > 0)
    memcpy (copy + 1, data, len);
  g_ptr_array_add (r->events, g_bytes_new_take (copy, len + 1));
}

static gboolean
on_message (gpointer user_data, GBytes *payload)
{
  record (user_data, WAMP_RAWSOCKET_FRAME_REGULAR, g_bytes_get_data (payload, NULL),
          g_bytes_get_size (payload));
  return TRUE;
}

static gboolean
on_ping (gpointer user_data, const guint8 *data, gsize len)
{
  record (user_data, WAMP_RAWSOCKET_FRAME_PING, data, len);
  return TRUE;
}

static gboolean
on_pong (gpointer user_data, const guint8 *data, gsize len)
{
  Record *r = user_data;

  record (r, WAMP_RAWSOCKET_FRAME_PONG, data, len);
  /* Exercises the owner stopping the decoder mid-stream. */
  return !r->stop_at_pong;
}

static const WampRawsocketDecoderFuncs funcs = { on_message, on_ping, on_pong };

static void
check_handshake (const guint8 hs[4])
{
  guint exponent = 99;
  guint8 id = 0;
  guint8 again[4];
  WampRawsocketHandshakeError code = WAMP_RAWSOCKET_ERROR_NONE;

  switch (wamp_rawsocket_parse_hello (hs, &exponent, &id))
    {
    case WAMP_RAWSOCKET_HELLO_VALID:
      g_assert_true (exponent <= 15 && id >= 1 && id <= 15);
      wamp_rawsocket_encode_handshake (again, exponent, id);
      g_assert_true (memcmp (again, hs, 4) == 0);
      break;
    case WAMP_RAWSOCKET_HELLO_BAD_MAGIC:
      g_assert_true (hs[0] != WAMP_RAWSOCKET_MAGIC);
      break;
    case WAMP_RAWSOCKET_HELLO_RESERVED_BITS:
      g_assert_true (hs[2] != 0 || hs[3] != 0);
      break;
    case WAMP_RAWSOCKET_HELLO_ILLEGAL_SERIALIZER:
      g_assert_true ((hs[1] & 0x0F) == 0);
      break;
    default:
      g_assert_not_reached ();
    }

  switch (wamp_rawsocket_parse_reply (hs, hs[1] & 0x0F, &exponent, &code))
    {
    case WAMP_RAWSOCKET_REPLY_ACCEPTED:
      wamp_rawsocket_encode_handshake (again, exponent, hs[1] & 0x0F);
      g_assert_true (memcmp (again, hs, 4) == 0);
      break;
    case WAMP_RAWSOCKET_REPLY_REFUSED:
      g_assert_true (code >= 1 && code <= 15);
      wamp_rawsocket_encode_handshake_error (again, code);
      g_assert_true (memcmp (again, hs, 4) == 0);
      g_assert_nonnull (wamp_rawsocket_handshake_error_to_string (code));
      break;
    case WAMP_RAWSOCKET_REPLY_INVALID:
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Decodes @stream in chunks; returns the final result. */
static WampRawsocketDecoderResult
decode (const guint8 *stream, gsize len, gsize max_length, gboolean zero_copy, gsize max_chunk,
        guint32 seed, Record *r)
{
  g_autoptr(WampRawsocketDecoder) d = wamp_rawsocket_decoder_new (max_length, &funcs, r);
  WampRawsocketDecoderResult res = WAMP_RAWSOCKET_DECODER_OK;
  WampCloseCode code = 0;
  const char *reason = NULL;
  gsize off = 0;

  while (off < len && res == WAMP_RAWSOCKET_DECODER_OK)
    {
      gsize n;

      seed = seed * 1103515245u + 12345u;
      n = MIN (len - off, max_chunk == G_MAXSIZE ? len - off : 1 + (seed >> 8) % max_chunk);
      if (zero_copy)
        {
          gsize room;
          guint8 *buf = wamp_rawsocket_decoder_get_read_buffer (d, &room);

          g_assert_true (room >= WAMP_RAWSOCKET_READ_CHUNK);
          n = MIN (n, room);
          memcpy (buf, stream + off, n);
          res = wamp_rawsocket_decoder_commit (d, n, &code, &reason);
        }
      else
        res = wamp_rawsocket_decoder_feed (d, stream + off, n, &code, &reason);
      off += n;
      if (res == WAMP_RAWSOCKET_DECODER_FAILED)
        {
          g_assert_nonnull (reason);
          g_assert_true (code == WAMP_CLOSE_PROTOCOL_ERROR || code == WAMP_CLOSE_TOO_BIG);
        }
      /* What waits is less than one frame the limit allows. */
      if (res == WAMP_RAWSOCKET_DECODER_OK)
        g_assert_cmpuint (wamp_rawsocket_decoder_get_pending (d), <, WAMP_RAWSOCKET_HEADER_SIZE + max_length);
    }
  return res;
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  Record chunked = { NULL, FALSE };
  Record whole = { NULL, FALSE };
  Record again = { NULL, FALSE };
  WampRawsocketDecoderResult res_chunked, res_whole;
  gsize max_length;
  guint32 seed;
  g_autoptr(GByteArray) reencoded = g_byte_array_new ();

  if (size < PREFIX)
    return 0;
  check_handshake (data + 3);

  max_length = wamp_rawsocket_length_from_exponent (data[0] & 0x0F);
  seed = (guint32) data[1] << 8 | data[2];
  chunked.events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  whole.events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  again.events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  chunked.stop_at_pong = whole.stop_at_pong = (data[0] & 0x80) != 0;

  res_chunked = decode (data + PREFIX, size - PREFIX, max_length, (data[0] & 0x10) != 0,
                        max_chunks[(data[0] >> 5) & 3], seed, &chunked);
  res_whole = decode (data + PREFIX, size - PREFIX, max_length, FALSE, G_MAXSIZE, 0, &whole);

  /* Any split: the same events and the same verdict. */
  g_assert_cmpint (res_chunked, ==, res_whole);
  g_assert_cmpuint (chunked.events->len, ==, whole.events->len);
  for (guint i = 0; i < chunked.events->len; i++)
    g_assert_true (g_bytes_equal (chunked.events->pdata[i], whole.events->pdata[i]));

  /* What was reported, written back with our encoder, decodes the same. */
  for (guint i = 0; i < whole.events->len; i++)
    {
      gsize len;
      const guint8 *ev = g_bytes_get_data (whole.events->pdata[i], &len);
      guint8 header[4];

      g_assert_true (len - 1 <= max_length);
      wamp_rawsocket_encode_frame_header (header, ev[0], len - 1);
      g_byte_array_append (reencoded, header, 4);
      g_byte_array_append (reencoded, ev + 1, (guint) (len - 1));
    }
  g_assert_cmpint (decode (reencoded->data, reencoded->len, max_length, TRUE, 300, seed, &again), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  g_assert_cmpuint (again.events->len, ==, whole.events->len);
  for (guint i = 0; i < again.events->len; i++)
    g_assert_true (g_bytes_equal (again.events->pdata[i], whole.events->pdata[i]));

  g_ptr_array_unref (chunked.events);
  g_ptr_array_unref (whole.events);
  g_ptr_array_unref (again.events);
  return 0;
}
