/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the RawSocket codec alone: every handshake outcome and error
 * code, each length exponent, framing under any split of the stream, limits. */

#include "wamp-rawsocket-codec.h"

#include <string.h>

/* Records what the decoder reports, as text: "M:<payload>", "P:<ping>", "O:<pong>". */
typedef struct
{
  GPtrArray *events; /* char* */
  gboolean stop_after_message;
  guint n_lent; /* messages that came through @message_data */
} Recorder;

static char *
describe (char kind, const guint8 *data, gsize len)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%c%" G_GSIZE_FORMAT ":", kind, len);
  for (gsize i = 0; i < len && i < 32; i++)
    g_string_append_c (s, g_ascii_isprint (data[i]) ? (char) data[i] : '.');
  return g_string_free (s, FALSE);
}

static gboolean
rec_message (gpointer user_data, GBytes *payload)
{
  Recorder *r = user_data;
  gsize len;
  const guint8 *data = g_bytes_get_data (payload, &len);

  g_ptr_array_add (r->events, describe ('M', data, len));
  return !r->stop_after_message;
}

static gboolean
rec_ping (gpointer user_data, const guint8 *data, gsize len)
{
  g_ptr_array_add (((Recorder *) user_data)->events, describe ('P', data, len));
  return TRUE;
}

static gboolean
rec_pong (gpointer user_data, const guint8 *data, gsize len)
{
  g_ptr_array_add (((Recorder *) user_data)->events, describe ('O', data, len));
  return TRUE;
}

static const WampRawsocketDecoderFuncs rec_funcs = { rec_message, rec_ping, rec_pong };

static gboolean
rec_message_data (gpointer user_data, const guint8 *data, gsize len)
{
  Recorder *r = user_data;

  r->n_lent++;
  g_ptr_array_add (r->events, describe ('M', data, len));
  return !r->stop_after_message;
}

static const WampRawsocketDecoderFuncs rec_data_funcs = {
  rec_message, rec_ping, rec_pong, rec_message_data,
};

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof *r);
  r->events = g_ptr_array_new_with_free_func (g_free);
}

static void
recorder_clear (Recorder *r)
{
  g_ptr_array_unref (r->events);
}

static void
append_frame (GByteArray *stream, WampRawsocketFrameType type, const char *payload, gsize len)
{
  guint8 header[4];

  wamp_rawsocket_encode_frame_header (header, type, len);
  g_byte_array_append (stream, header, 4);
  if (len > 0)
    g_byte_array_append (stream, (const guint8 *) payload, (guint) len);
}

/* Lengths and exponents */

static void
test_length_exponents (void)
{
  for (guint e = 0; e <= WAMP_RAWSOCKET_MAX_LENGTH_EXPONENT; e++)
    {
      gsize len = wamp_rawsocket_length_from_exponent (e);

      g_assert_cmpuint (len, ==, (gsize) 1 << (9 + e));
      /* Exactly a power of two maps back to its exponent; one less rounds down. */
      g_assert_cmpuint (wamp_rawsocket_exponent_for_size (len), ==, e);
      if (e > 0)
        g_assert_cmpuint (wamp_rawsocket_exponent_for_size (len - 1), ==, e - 1);
      g_assert_cmpuint (wamp_rawsocket_exponent_for_size (len + 1), ==, e);
    }
  g_assert_cmpuint (wamp_rawsocket_length_from_exponent (0), ==, 512);
  g_assert_cmpuint (wamp_rawsocket_length_from_exponent (15), ==, 16 * 1024 * 1024);
  /* Clamped at both ends. */
  g_assert_cmpuint (wamp_rawsocket_exponent_for_size (0), ==, 0);
  g_assert_cmpuint (wamp_rawsocket_exponent_for_size (100), ==, 0);
  g_assert_cmpuint (wamp_rawsocket_exponent_for_size (G_MAXSIZE), ==, 15);
  g_assert_cmpuint (wamp_rawsocket_exponent_for_size ((gsize) 1 << 30), ==, 15);
}

/* Client hello, as the router parses it */

static void
test_hello_every_exponent_and_serializer (void)
{
  for (guint e = 0; e <= 15; e++)
    for (guint8 id = 1; id <= 15; id++)
      {
        guint8 hello[4];
        guint got_e = 99;
        guint8 got_id = 99;

        wamp_rawsocket_encode_handshake (hello, e, id);
        g_assert_cmphex (hello[0], ==, 0x7F);
        g_assert_cmphex (hello[1], ==, (e << 4) | id);
        g_assert_cmphex (hello[2], ==, 0);
        g_assert_cmphex (hello[3], ==, 0);
        g_assert_cmpint (wamp_rawsocket_parse_hello (hello, &got_e, &got_id), ==,
                         WAMP_RAWSOCKET_HELLO_VALID);
        g_assert_cmpuint (got_e, ==, e);
        g_assert_cmpuint (got_id, ==, id);
      }
}

static void
test_hello_spec_example (void)
{
  /* The spec's table: 0x21 is JSON with 2^11 octets, 0xF2 MessagePack with 16M. */
  const guint8 json[4] = { 0x7F, 0x21, 0, 0 };
  const guint8 msgpack[4] = { 0x7F, 0xF2, 0, 0 };
  guint e;
  guint8 id;

  g_assert_cmpint (wamp_rawsocket_parse_hello (json, &e, &id), ==, WAMP_RAWSOCKET_HELLO_VALID);
  g_assert_cmpuint (id, ==, 1);
  g_assert_cmpuint (wamp_rawsocket_length_from_exponent (e), ==, 2048);
  g_assert_cmpint (wamp_rawsocket_parse_hello (msgpack, &e, &id), ==, WAMP_RAWSOCKET_HELLO_VALID);
  g_assert_cmpuint (id, ==, 2);
  g_assert_cmpuint (wamp_rawsocket_length_from_exponent (e), ==, 16 * 1024 * 1024);
}

static void
test_hello_bad_magic (void)
{
  /* Any first octet but 0x7F; "GET " is what an HTTP client sends. */
  const guint8 firsts[] = { 0x00, 0x7E, 0x80, 0xFF, 'G', 0x16 };

  for (guint i = 0; i < G_N_ELEMENTS (firsts); i++)
    {
      guint8 hello[4] = { firsts[i], 0xF1, 0, 0 };

      g_assert_cmpint (wamp_rawsocket_parse_hello (hello, NULL, NULL), ==,
                       WAMP_RAWSOCKET_HELLO_BAD_MAGIC);
    }
}

static void
test_hello_reserved_bits (void)
{
  /* Each of the 16 reserved bits alone. */
  for (guint bit = 0; bit < 16; bit++)
    {
      guint8 hello[4] = { 0x7F, 0xF1, 0, 0 };

      hello[2 + bit / 8] = (guint8) (1u << (bit % 8));
      g_assert_cmpint (wamp_rawsocket_parse_hello (hello, NULL, NULL), ==,
                       WAMP_RAWSOCKET_HELLO_RESERVED_BITS);
    }
}

static void
test_hello_illegal_serializer (void)
{
  for (guint e = 0; e <= 15; e++)
    {
      guint8 hello[4] = { 0x7F, (guint8) (e << 4), 0, 0 };

      g_assert_cmpint (wamp_rawsocket_parse_hello (hello, NULL, NULL), ==,
                       WAMP_RAWSOCKET_HELLO_ILLEGAL_SERIALIZER);
    }
}

/* Router replies */

static void
test_reply_error_codes (void)
{
  static const struct { WampRawsocketHandshakeError code; guint8 octet; const char *text; } cases[] = {
    { WAMP_RAWSOCKET_ERROR_SERIALIZER_UNSUPPORTED, 0x10, "serializer unsupported" },
    { WAMP_RAWSOCKET_ERROR_MAX_LENGTH_UNACCEPTABLE, 0x20, "maximum message length unacceptable" },
    { WAMP_RAWSOCKET_ERROR_RESERVED_BITS, 0x30, "use of reserved bits (unsupported feature)" },
    { WAMP_RAWSOCKET_ERROR_MAX_CONNECTIONS, 0x40, "maximum connection count reached" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 reply[4];
      WampRawsocketHandshakeError got = WAMP_RAWSOCKET_ERROR_NONE;

      wamp_rawsocket_encode_handshake_error (reply, cases[i].code);
      g_assert_cmphex (reply[0], ==, 0x7F);
      g_assert_cmphex (reply[1], ==, cases[i].octet);
      g_assert_cmphex (reply[2], ==, 0);
      g_assert_cmphex (reply[3], ==, 0);
      g_assert_cmpint (wamp_rawsocket_parse_reply (reply, 1, NULL, &got), ==,
                       WAMP_RAWSOCKET_REPLY_REFUSED);
      g_assert_cmpint (got, ==, cases[i].code);
      g_assert_cmpstr (wamp_rawsocket_handshake_error_to_string (cases[i].code), ==, cases[i].text);
    }
  /* Codes 5..15 are reserved for the future: still a refusal a client understands. */
  for (guint code = 5; code <= 15; code++)
    {
      guint8 reply[4];
      WampRawsocketHandshakeError got = WAMP_RAWSOCKET_ERROR_NONE;

      wamp_rawsocket_encode_handshake_error (reply, code);
      g_assert_cmpint (wamp_rawsocket_parse_reply (reply, 3, NULL, &got), ==,
                       WAMP_RAWSOCKET_REPLY_REFUSED);
      g_assert_cmpuint (got, ==, code);
    }
}

static void
test_reply_accepted_and_invalid (void)
{
  guint8 reply[4];
  guint e = 99;
  const guint8 error_zero[4] = { 0x7F, 0x00, 0, 0 };
  const guint8 bad_magic[4] = { 0x7E, 0x31, 0, 0 };
  const guint8 reserved[4] = { 0x7F, 0x31, 0, 1 };

  for (guint exp = 0; exp <= 15; exp++)
    {
      wamp_rawsocket_encode_handshake (reply, exp, 3);
      g_assert_cmpint (wamp_rawsocket_parse_reply (reply, 3, &e, NULL), ==,
                       WAMP_RAWSOCKET_REPLY_ACCEPTED);
      g_assert_cmpuint (e, ==, exp);
      /* The router must echo the serializer asked for. */
      g_assert_cmpint (wamp_rawsocket_parse_reply (reply, 1, &e, NULL), ==,
                       WAMP_RAWSOCKET_REPLY_INVALID);
    }
  /* Error 0 "must not be used". */
  g_assert_cmpint (wamp_rawsocket_parse_reply (error_zero, 1, NULL, NULL), ==,
                   WAMP_RAWSOCKET_REPLY_INVALID);
  g_assert_cmpint (wamp_rawsocket_parse_reply (bad_magic, 1, NULL, NULL), ==,
                   WAMP_RAWSOCKET_REPLY_INVALID);
  g_assert_cmpint (wamp_rawsocket_parse_reply (reserved, 1, NULL, NULL), ==,
                   WAMP_RAWSOCKET_REPLY_INVALID);
}

/* Frame prefixes */

static void
test_frame_header (void)
{
  guint8 h[4];

  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_REGULAR, 0);
  g_assert_cmpmem (h, 4, "\x00\x00\x00\x00", 4);
  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_REGULAR, 0x123456);
  g_assert_cmpmem (h, 4, "\x00\x12\x34\x56", 4);
  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_PING, 5);
  g_assert_cmpmem (h, 4, "\x01\x00\x00\x05", 4);
  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_PONG, 5);
  g_assert_cmpmem (h, 4, "\x02\x00\x00\x05", 4);
  /* The spec's two examples: 16M-1 in 24 bits, 16M as the X bit alone. */
  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_REGULAR, 16 * 1024 * 1024 - 1);
  g_assert_cmpmem (h, 4, "\x00\xFF\xFF\xFF", 4);
  wamp_rawsocket_encode_frame_header (h, WAMP_RAWSOCKET_FRAME_REGULAR, 16 * 1024 * 1024);
  g_assert_cmpmem (h, 4, "\x08\x00\x00\x00", 4);
}

/* The decoder */

static GByteArray *
multi_frame_stream (void)
{
  GByteArray *s = g_byte_array_new ();
  g_autofree char *big = g_strnfill (300, 'x');

  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, "[1,\"realm1\",{}]", 15);
  append_frame (s, WAMP_RAWSOCKET_FRAME_PING, "ping", 4);
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, "", 0);
  append_frame (s, WAMP_RAWSOCKET_FRAME_PONG, "", 0);
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, big, 300);
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, "[6,{},\"x\"]", 10);
  return s;
}

static const char *const multi_frame_events[] = {
  "M15:[1,\"realm1\",{}]", "P4:ping", "M0:", "O0:",
  "M300:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "M10:[6,{},\"x\"]",
};

static void
assert_multi_frame_events (Recorder *r)
{
  g_assert_cmpuint (r->events->len, ==, G_N_ELEMENTS (multi_frame_events));
  for (guint i = 0; i < r->events->len; i++)
    g_assert_cmpstr (r->events->pdata[i], ==, multi_frame_events[i]);
}

static void
test_decoder_whole_stream (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;

  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, s->len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  assert_multi_frame_events (&r);
  g_assert_cmpuint (wamp_rawsocket_decoder_get_pending (d), ==, 0);
  /* Idle: the read buffer is released. */
  g_assert_cmpuint (wamp_rawsocket_decoder_get_buffer_size (d), ==, 0);
  recorder_clear (&r);
}

static void
test_decoder_byte_by_byte (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;

  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
  for (guint i = 0; i < s->len; i++)
    {
      g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data + i, 1, NULL, NULL), ==,
                       WAMP_RAWSOCKET_DECODER_OK);
    }
  assert_multi_frame_events (&r);
  recorder_clear (&r);
}

static void
test_decoder_every_split (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();

  for (guint cut = 0; cut <= s->len; cut++)
    {
      Recorder r;
      g_autoptr(WampRawsocketDecoder) d = NULL;

      recorder_init (&r);
      d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
      g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, cut, NULL, NULL), ==,
                       WAMP_RAWSOCKET_DECODER_OK);
      g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data + cut, s->len - cut, NULL, NULL), ==,
                       WAMP_RAWSOCKET_DECODER_OK);
      assert_multi_frame_events (&r);
      recorder_clear (&r);
    }
}

/* The zero-copy path: recv() into the buffer the decoder hands out, in
 * reads of every size. */
static void
test_decoder_read_buffer (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();

  for (gsize chunk = 1; chunk <= 64; chunk *= 3)
    {
      Recorder r;
      g_autoptr(WampRawsocketDecoder) d = NULL;
      gsize off = 0;

      recorder_init (&r);
      d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
      while (off < s->len)
        {
          gsize room;
          guint8 *buf = wamp_rawsocket_decoder_get_read_buffer (d, &room);
          gsize n = MIN (MIN (room, chunk), s->len - off);

          g_assert_cmpuint (room, >=, WAMP_RAWSOCKET_READ_CHUNK);
          memcpy (buf, s->data + off, n);
          off += n;
          g_assert_cmpint (wamp_rawsocket_decoder_commit (d, n, NULL, NULL), ==,
                           WAMP_RAWSOCKET_DECODER_OK);
        }
      assert_multi_frame_events (&r);
      recorder_clear (&r);
    }
}

/* With @message_data, every frame in the read buffer is lent, whichever
 * way the stream arrives; the events are the same. */
static void
test_decoder_lends_frames (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();

  for (gsize chunk = 1; chunk <= s->len; chunk *= 7)
    {
      Recorder r;
      g_autoptr(WampRawsocketDecoder) d = NULL;
      gsize off = 0;

      recorder_init (&r);
      d = wamp_rawsocket_decoder_new (1024, &rec_data_funcs, &r);
      while (off < s->len)
        {
          gsize room;
          guint8 *buf = wamp_rawsocket_decoder_get_read_buffer (d, &room);
          gsize n = MIN (MIN (room, chunk), s->len - off);

          memcpy (buf, s->data + off, n);
          off += n;
          g_assert_cmpint (wamp_rawsocket_decoder_commit (d, n, NULL, NULL), ==,
                           WAMP_RAWSOCKET_DECODER_OK);
        }
      assert_multi_frame_events (&r);
      g_assert_cmpuint (r.n_lent, ==, 4);
      recorder_clear (&r);
    }
}

/* A frame of a read chunk or more is still handed over as a GBytes (no copy
 * when it is in memory of the buffer's own). */
static void
test_decoder_large_frame_is_not_lent (void)
{
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  g_autofree char *big = g_strnfill (WAMP_RAWSOCKET_READ_CHUNK, 'y');

  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, big, WAMP_RAWSOCKET_READ_CHUNK);
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, "[2]", 3);
  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (2 * WAMP_RAWSOCKET_READ_CHUNK, &rec_data_funcs, &r);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, s->len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  g_assert_cmpuint (r.events->len, ==, 2);
  g_assert_true (g_str_has_prefix (r.events->pdata[0], "M65536:yyy"));
  g_assert_cmpstr (r.events->pdata[1], ==, "M3:[2]");
  g_assert_cmpuint (r.n_lent, ==, 1);
  recorder_clear (&r);
}

static void
assert_fails_at_prefix (const guint8 prefix[4], gsize max, WampCloseCode expected_code)
{
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  WampCloseCode code = 0;
  const char *reason = NULL;

  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (max, &rec_funcs, &r);
  /* A good frame first: it is delivered, the bad prefix then fails. */
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, "ok", 2);
  g_byte_array_append (s, prefix, 4);
  /* Only the prefix, byte by byte: the verdict comes at its fourth octet,
   * without waiting for a payload. */
  for (guint i = 0; i < s->len - 1; i++)
    g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data + i, 1, &code, &reason), ==,
                     WAMP_RAWSOCKET_DECODER_OK);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data + s->len - 1, 1, &code, &reason), ==,
                   WAMP_RAWSOCKET_DECODER_FAILED);
  g_assert_cmpint (code, ==, expected_code);
  g_assert_nonnull (reason);
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_cmpstr (r.events->pdata[0], ==, "M2:ok");
  /* Nothing counts afterwards. */
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, (const guint8 *) "\0\0\0\0", 4, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_STOPPED);
  g_assert_cmpuint (r.events->len, ==, 1);
  recorder_clear (&r);
}

static void
test_decoder_bad_type_bits (void)
{
  for (guint8 type = 3; type <= 7; type++)
    {
      const guint8 prefix[4] = { type, 0, 0, 1 };

      assert_fails_at_prefix (prefix, 1024, WAMP_CLOSE_PROTOCOL_ERROR);
    }
}

static void
test_decoder_reserved_bits (void)
{
  for (guint bit = 4; bit < 8; bit++)
    {
      const guint8 prefix[4] = { (guint8) (1u << bit), 0, 0, 1 };

      assert_fails_at_prefix (prefix, 1024, WAMP_CLOSE_PROTOCOL_ERROR);
    }
  /* The 25th length bit over non-zero length bits is no valid length. */
  {
    const guint8 prefix[4] = { 0x08, 0, 0, 1 };

    assert_fails_at_prefix (prefix, WAMP_RAWSOCKET_MAX_MESSAGE_SIZE, WAMP_CLOSE_PROTOCOL_ERROR);
  }
}

static void
test_decoder_length_beyond_limit (void)
{
  const guint8 just_over[4] = { 0, 0, 0x04, 0x01 };   /* 1025 > 1024 */
  const guint8 ping_over[4] = { 1, 0, 0x04, 0x01 };   /* PINGs are bounded too */
  const guint8 max_claim[4] = { 0, 0xFF, 0xFF, 0xFF };
  const guint8 x_bit[4] = { 0x08, 0, 0, 0 };          /* 16M */

  assert_fails_at_prefix (just_over, 1024, WAMP_CLOSE_TOO_BIG);
  assert_fails_at_prefix (ping_over, 1024, WAMP_CLOSE_TOO_BIG);
  assert_fails_at_prefix (max_claim, 1024, WAMP_CLOSE_TOO_BIG);
  assert_fails_at_prefix (x_bit, 16 * 1024 * 1024 - 1, WAMP_CLOSE_TOO_BIG);
}

static void
test_decoder_length_at_limit (void)
{
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  g_autofree char *payload = g_strnfill (1024, 'a');

  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
  append_frame (s, WAMP_RAWSOCKET_FRAME_REGULAR, payload, 1024);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, s->len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_true (g_str_has_prefix (r.events->pdata[0], "M1024:aaaa"));
  recorder_clear (&r);
}

static void
test_decoder_sixteen_mib (void)
{
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;
  gsize len = WAMP_RAWSOCKET_MAX_MESSAGE_SIZE;
  g_autofree guint8 *payload = g_malloc (len);
  const guint8 prefix[4] = { 0x08, 0, 0, 0 };

  memset (payload, 'z', len);
  recorder_init (&r);
  d = wamp_rawsocket_decoder_new (len, &rec_funcs, &r);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, prefix, 4, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  /* A claimed 16 MiB reserves nothing until it arrives. */
  g_assert_cmpuint (wamp_rawsocket_decoder_get_buffer_size (d), <=, 2 * WAMP_RAWSOCKET_READ_CHUNK);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, payload, len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_OK);
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_true (g_str_has_prefix (r.events->pdata[0], "M16777216:zzz"));
  recorder_clear (&r);
}

static void
test_decoder_stop (void)
{
  g_autoptr(GByteArray) s = multi_frame_stream ();
  Recorder r;
  g_autoptr(WampRawsocketDecoder) d = NULL;

  recorder_init (&r);
  r.stop_after_message = TRUE;
  d = wamp_rawsocket_decoder_new (1024, &rec_funcs, &r);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, s->len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_STOPPED);
  /* The owner stopped at the first message: nothing after it is reported. */
  g_assert_cmpuint (r.events->len, ==, 1);
  g_assert_cmpint (wamp_rawsocket_decoder_feed (d, s->data, s->len, NULL, NULL), ==,
                   WAMP_RAWSOCKET_DECODER_STOPPED);
  g_assert_cmpuint (r.events->len, ==, 1);
  recorder_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The RawSocket handshake and framing codec, without sockets");

  g_test_add_func ("/rawsocket/codec/length/each-exponent-and-clamping", test_length_exponents);
  g_test_add_func ("/rawsocket/codec/hello/every-exponent-and-serializer-round-trips",
                   test_hello_every_exponent_and_serializer);
  g_test_add_func ("/rawsocket/codec/hello/spec-examples", test_hello_spec_example);
  g_test_add_func ("/rawsocket/codec/hello/wrong-magic-is-not-rawsocket", test_hello_bad_magic);
  g_test_add_func ("/rawsocket/codec/hello/each-reserved-bit-is-refused", test_hello_reserved_bits);
  g_test_add_func ("/rawsocket/codec/hello/serializer-zero-is-illegal", test_hello_illegal_serializer);
  g_test_add_func ("/rawsocket/codec/reply/every-error-code", test_reply_error_codes);
  g_test_add_func ("/rawsocket/codec/reply/accepted-and-invalid", test_reply_accepted_and_invalid);
  g_test_add_func ("/rawsocket/codec/frame/prefixes", test_frame_header);
  g_test_add_func ("/rawsocket/codec/decoder/whole-stream", test_decoder_whole_stream);
  g_test_add_func ("/rawsocket/codec/decoder/byte-by-byte", test_decoder_byte_by_byte);
  g_test_add_func ("/rawsocket/codec/decoder/every-two-way-split", test_decoder_every_split);
  g_test_add_func ("/rawsocket/codec/decoder/read-buffer-in-any-chunk", test_decoder_read_buffer);
  g_test_add_func ("/rawsocket/codec/decoder/lends-frames-in-the-read-buffer", test_decoder_lends_frames);
  g_test_add_func ("/rawsocket/codec/decoder/large-frame-is-handed-over", test_decoder_large_frame_is_not_lent);
  g_test_add_func ("/rawsocket/codec/decoder/bad-type-bits-fail", test_decoder_bad_type_bits);
  g_test_add_func ("/rawsocket/codec/decoder/reserved-bits-fail", test_decoder_reserved_bits);
  g_test_add_func ("/rawsocket/codec/decoder/length-beyond-limit-fails-at-prefix",
                   test_decoder_length_beyond_limit);
  g_test_add_func ("/rawsocket/codec/decoder/length-at-limit-passes", test_decoder_length_at_limit);
  g_test_add_func ("/rawsocket/codec/decoder/sixteen-mib-frame", test_decoder_sixteen_mib);
  g_test_add_func ("/rawsocket/codec/decoder/stop-discards-the-rest", test_decoder_stop);

  return g_test_run ();
}
