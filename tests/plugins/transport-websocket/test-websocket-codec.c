/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the RFC 6455 codec alone: parsing any split, masking, limits, errors, control frames. */

#include "wamp-websocket-codec.h"

#include <string.h>

typedef struct
{
  GPtrArray *messages; /* GBytes */
  GPtrArray *kinds;    /* GINT_TO_POINTER (binary) */
  GPtrArray *pings;    /* GBytes */
  guint pongs;
  guint closes;
  guint16 close_code;
  char *close_reason;
  gboolean stop_after_message;
  guint n_lent; /* messages that came through @message_data */
} Recorder;

static gboolean
rec_message (gpointer user_data, gboolean binary, GBytes *payload)
{
  Recorder *r = user_data;

  g_ptr_array_add (r->messages, g_bytes_ref (payload));
  g_ptr_array_add (r->kinds, GINT_TO_POINTER (binary));
  return !r->stop_after_message;
}

static gboolean
rec_ping (gpointer user_data, const guint8 *data, gsize len)
{
  Recorder *r = user_data;

  g_ptr_array_add (r->pings, g_bytes_new (data, len));
  return TRUE;
}

static gboolean
rec_pong (gpointer user_data, const guint8 *data, gsize len)
{
  ((Recorder *) user_data)->pongs++;
  return TRUE;
}

static gboolean
rec_close (gpointer user_data, guint16 code, const char *reason)
{
  Recorder *r = user_data;

  r->closes++;
  r->close_code = code;
  g_free (r->close_reason);
  r->close_reason = g_strdup (reason);
  return TRUE;
}

static const WampWebsocketCodecFuncs rec_funcs = {
  rec_message, rec_ping, rec_pong, rec_close,
};

static gboolean
rec_message_data (gpointer user_data, gboolean binary, const guint8 *data, gsize len)
{
  Recorder *r = user_data;

  r->n_lent++;
  g_ptr_array_add (r->messages, g_bytes_new (data, len));
  g_ptr_array_add (r->kinds, GINT_TO_POINTER (binary));
  return !r->stop_after_message;
}

static const WampWebsocketCodecFuncs rec_data_funcs = {
  rec_message, rec_ping, rec_pong, rec_close, rec_message_data,
};

static void
recorder_init (Recorder *r)
{
  memset (r, 0, sizeof *r);
  r->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  r->kinds = g_ptr_array_new ();
  r->pings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
recorder_clear (Recorder *r)
{
  g_ptr_array_unref (r->messages);
  g_ptr_array_unref (r->kinds);
  g_ptr_array_unref (r->pings);
  g_free (r->close_reason);
}

/* A hand-made frame, for flags the encoder never produces. */
static GByteArray *
make_frame (gboolean fin, guint8 rsv, guint8 opcode, gboolean masked,
            const void *payload, gsize len)
{
  GByteArray *f = g_byte_array_new ();
  guint8 h[14];
  gsize n = 2;
  static const guint8 key[4] = { 0x37, 0xfa, 0x21, 0x3d };

  h[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  if (len < 126)
    h[1] = (guint8) len;
  else if (len <= 0xFFFF)
    {
      h[1] = 126;
      h[2] = (guint8) (len >> 8);
      h[3] = (guint8) len;
      n = 4;
    }
  else
    {
      h[1] = 127;
      for (guint i = 0; i < 8; i++)
        h[2 + i] = (guint8) ((guint64) len >> (56 - 8 * i));
      n = 10;
    }
  if (masked)
    {
      h[1] |= 0x80;
      memcpy (h + n, key, 4);
      n += 4;
    }
  g_byte_array_append (f, h, (guint) n);
  g_byte_array_append (f, payload, (guint) len);
  if (masked)
    wamp_websocket_mask (f->data + n, len, key, 0);
  return f;
}

static void
append_frame (GByteArray *stream, gboolean fin, guint8 opcode, const char *text)
{
  g_autoptr(GByteArray) f = make_frame (fin, 0, opcode, TRUE, text, strlen (text));

  g_byte_array_append (stream, f->data, f->len);
}

static WampWebsocketCodec *
server_codec (Recorder *r)
{
  return wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 1024 * 1024, &rec_funcs, r);
}

static void
assert_message (Recorder *r, guint index, const char *expected)
{
  gsize len;
  const char *data;

  g_assert_cmpuint (r->messages->len, >, index);
  data = g_bytes_get_data (r->messages->pdata[index], &len);
  g_assert_cmpmem (data, len, expected, strlen (expected));
}

/* Masking */

static void
test_mask_wordwise_matches_bytewise (void)
{
  static const guint8 key[4] = { 0x01, 0x80, 0xfe, 0x5a };
  guint8 data[67], expected[67];

  for (gsize offset = 0; offset < 8; offset++)
    for (gsize start = 0; start < 8; start++)
      {
        gsize len = sizeof data - start;

        for (gsize i = 0; i < sizeof data; i++)
          data[i] = expected[i] = (guint8) (i * 7 + 3);
        for (gsize i = 0; i < len; i++)
          expected[start + i] ^= key[(offset + i) & 3];
        /* Unaligned start, every key rotation. */
        wamp_websocket_mask (data + start, len, key, offset);
        g_assert_cmpmem (data, sizeof data, expected, sizeof expected);
      }
}

static void
test_mask_round_trip (void)
{
  static const guint8 key[4] = { 0xde, 0xad, 0xbe, 0xef };
  guint8 data[1000], orig[1000];

  for (gsize i = 0; i < sizeof data; i++)
    data[i] = orig[i] = (guint8) g_random_int ();
  wamp_websocket_mask (data, sizeof data, key, 0);
  g_assert_true (memcmp (data, orig, sizeof data) != 0);
  /* In two uneven pieces, carrying the offset. */
  wamp_websocket_mask (data, 333, key, 0);
  wamp_websocket_mask (data + 333, sizeof data - 333, key, 333);
  g_assert_cmpmem (data, sizeof data, orig, sizeof orig);
}

/* Parsing */

static void
test_parse_masked_text_from_client (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();

  recorder_init (&r);
  c = server_codec (&r);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "[1,\"realm1\",{}]");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "second");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  g_assert_cmpuint (r.messages->len, ==, 2);
  assert_message (&r, 0, "[1,\"realm1\",{}]");
  assert_message (&r, 1, "second");
  g_assert_false (GPOINTER_TO_INT (r.kinds->pdata[0]));
  g_assert_cmpuint (wamp_websocket_codec_get_pending (c), ==, 0);
  recorder_clear (&r);
}

static GByteArray *
mixed_stream (void)
{
  GByteArray *s = g_byte_array_new ();
  g_autofree char *medium = g_strnfill (300, 'm');   /* 16-bit length */
  g_autofree char *large = g_strnfill (70000, 'L');  /* 64-bit length */

  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "a");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, medium);
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_TEXT, "frag-");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_PING, "p1");
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_CONTINUATION, "men");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_PONG, "");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_CONTINUATION, "ted");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, large);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "");
  return s;
}

static void
check_mixed_stream (Recorder *r)
{
  g_autofree char *medium = g_strnfill (300, 'm');
  g_autofree char *large = g_strnfill (70000, 'L');

  g_assert_cmpuint (r->messages->len, ==, 5);
  assert_message (r, 0, "a");
  assert_message (r, 1, medium);
  assert_message (r, 2, "frag-mented");
  assert_message (r, 3, large);
  assert_message (r, 4, "");
  g_assert_cmpuint (r->pings->len, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (r->pings->pdata[0], NULL),
                   g_bytes_get_size (r->pings->pdata[0]), "p1", 2);
  g_assert_cmpuint (r->pongs, ==, 1);
  g_assert_cmpuint (r->closes, ==, 0);
}

/* With @message_data, whole messages in the read buffer are lent; fragmented
 * ones and those of a read chunk or more still come as a GBytes. */
static void
test_parse_lends_whole_messages (void)
{
  g_autoptr(GByteArray) s = mixed_stream ();

  for (gsize step = 1; step <= s->len; step = step * 5 + 2)
    {
      Recorder r;
      g_autoptr(WampWebsocketCodec) c = NULL;

      recorder_init (&r);
      c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 1024 * 1024,
                                    &rec_data_funcs, &r);
      for (gsize off = 0; off < s->len; off += step)
        g_assert_cmpint (wamp_websocket_codec_feed (c, s->data + off, MIN (step, s->len - off),
                                                    NULL, NULL), ==, WAMP_WEBSOCKET_CODEC_OK);
      check_mixed_stream (&r);
      g_assert_cmpuint (r.n_lent, ==, 3);
      recorder_clear (&r);
    }
}

static void
test_lent_invalid_utf8_is_1007 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  guint16 code = 0;

  recorder_init (&r);
  c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 1024 * 1024,
                                &rec_data_funcs, &r);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "ok\xff");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1007);
  g_assert_cmpuint (r.messages->len, ==, 0);
  recorder_clear (&r);
}

static void
test_parse_byte_by_byte (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = mixed_stream ();

  recorder_init (&r);
  c = server_codec (&r);
  for (guint i = 0; i < s->len; i++)
    g_assert_cmpint (wamp_websocket_codec_feed (c, s->data + i, 1, NULL, NULL), ==,
                     WAMP_WEBSOCKET_CODEC_OK);
  check_mixed_stream (&r);
  recorder_clear (&r);
}

static void
test_parse_every_two_way_split (void)
{
  g_autoptr(GByteArray) s = g_byte_array_new ();
  g_autofree char *medium = g_strnfill (200, 'x');

  /* A short stream so every split point is cheap to try. */
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "one");
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_TEXT, "t");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_PING, "");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_CONTINUATION, "wo");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, medium);

  for (guint split = 0; split <= s->len; split++)
    {
      Recorder r;
      g_autoptr(WampWebsocketCodec) c = NULL;

      recorder_init (&r);
      c = server_codec (&r);
      g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, split, NULL, NULL), ==,
                       WAMP_WEBSOCKET_CODEC_OK);
      g_assert_cmpint (wamp_websocket_codec_feed (c, s->data + split, s->len - split, NULL, NULL),
                       ==, WAMP_WEBSOCKET_CODEC_OK);
      g_assert_cmpuint (r.messages->len, ==, 3);
      assert_message (&r, 0, "one");
      assert_message (&r, 1, "two");
      assert_message (&r, 2, medium);
      g_assert_cmpuint (r.pings->len, ==, 1);
      recorder_clear (&r);
    }
}

static void
test_parse_via_read_buffer_in_random_chunks (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = mixed_stream ();
  GRand *rand = g_rand_new_with_seed (7);
  gsize pos = 0;

  recorder_init (&r);
  c = server_codec (&r);
  /* The zero-copy path the connection uses: recv() into the read buffer. */
  while (pos < s->len)
    {
      gsize room, n;
      guint8 *buf = wamp_websocket_codec_get_read_buffer (c, &room);

      g_assert_cmpuint (room, >=, WAMP_WEBSOCKET_READ_CHUNK);
      n = MIN (MIN (room, s->len - pos), (gsize) g_rand_int_range (rand, 1, 5000));
      memcpy (buf, s->data + pos, n);
      pos += n;
      g_assert_cmpint (wamp_websocket_codec_commit (c, n, NULL, NULL), ==, WAMP_WEBSOCKET_CODEC_OK);
    }
  check_mixed_stream (&r);
  g_rand_free (rand);
  recorder_clear (&r);
}

static void
test_client_server_round_trip (void)
{
  Recorder rs, rc;
  g_autoptr(WampWebsocketCodec) server = NULL;
  g_autoptr(WampWebsocketCodec) client = NULL;
  g_autofree char *big = g_strnfill (100000, 'b');
  g_autoptr(GBytes) f1 = NULL, f2 = NULL, f3 = NULL, f4 = NULL;
  guint8 header[WAMP_WEBSOCKET_MAX_HEADER];
  guint8 key[4];
  gsize hlen;
  GByteArray *manual;

  recorder_init (&rs);
  recorder_init (&rc);
  server = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 1 << 20, &rec_funcs, &rs);
  client = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, TRUE, 1 << 20, &rec_funcs, &rc);

  /* Client frames are masked (the server role insists), server frames not. */
  f1 = wamp_websocket_codec_encode_frame (client, WAMP_WEBSOCKET_OP_BINARY, (const guint8 *) big, 100000);
  g_assert_true (((const guint8 *) g_bytes_get_data (f1, NULL))[1] & 0x80);
  g_assert_cmpint (wamp_websocket_codec_feed (server, g_bytes_get_data (f1, NULL),
                                              g_bytes_get_size (f1), NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  g_assert_cmpuint (rs.messages->len, ==, 1);
  assert_message (&rs, 0, big);
  g_assert_true (GPOINTER_TO_INT (rs.kinds->pdata[0]));

  f2 = wamp_websocket_codec_encode_frame (server, WAMP_WEBSOCKET_OP_BINARY, (const guint8 *) "hi", 2);
  g_assert_false (((const guint8 *) g_bytes_get_data (f2, NULL))[1] & 0x80);
  g_assert_cmpint (wamp_websocket_codec_feed (client, g_bytes_get_data (f2, NULL),
                                              g_bytes_get_size (f2), NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  assert_message (&rc, 0, "hi");

  /* Header-only building, as the connection's writev does: 64-bit length. */
  hlen = wamp_websocket_codec_write_header (server, WAMP_WEBSOCKET_OP_BINARY, 70000, header, key);
  g_assert_cmpuint (hlen, ==, 10);
  manual = g_byte_array_new ();
  g_byte_array_append (manual, header, (guint) hlen);
  g_byte_array_append (manual, (const guint8 *) big, 70000);
  g_assert_cmpint (wamp_websocket_codec_feed (client, manual->data, manual->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  g_assert_cmpuint (rc.messages->len, ==, 2);
  g_assert_cmpuint (g_bytes_get_size (rc.messages->pdata[1]), ==, 70000);
  g_byte_array_unref (manual);

  /* Two client frames never share a masking key (random keys). */
  f3 = wamp_websocket_codec_encode_frame (client, WAMP_WEBSOCKET_OP_BINARY, (const guint8 *) "x", 1);
  f4 = wamp_websocket_codec_encode_frame (client, WAMP_WEBSOCKET_OP_BINARY, (const guint8 *) "x", 1);
  g_assert_true (memcmp ((const guint8 *) g_bytes_get_data (f3, NULL) + 2,
                         (const guint8 *) g_bytes_get_data (f4, NULL) + 2, 4) != 0);

  recorder_clear (&rs);
  recorder_clear (&rc);
}

/* Errors */

typedef struct
{
  const char *name;
  WampWebsocketRole role;
  gboolean fin;
  guint8 rsv;
  guint8 opcode;
  gboolean masked;
  gsize len;
  guint16 expected_code;
} BadFrame;

static const BadFrame bad_frames[] = {
  { "rsv1-set", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 4, WAMP_WEBSOCKET_OP_TEXT, TRUE, 3, 1002 },
  { "rsv3-set", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 1, WAMP_WEBSOCKET_OP_TEXT, TRUE, 3, 1002 },
  { "opcode-3", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, 0x3, TRUE, 3, 1002 },
  { "opcode-b", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, 0xB, TRUE, 3, 1002 },
  { "unmasked-client-frame", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_TEXT, FALSE, 3, 1002 },
  { "masked-server-frame", WAMP_WEBSOCKET_ROLE_CLIENT, TRUE, 0, WAMP_WEBSOCKET_OP_TEXT, TRUE, 3, 1002 },
  { "fragmented-ping", WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 0, WAMP_WEBSOCKET_OP_PING, TRUE, 3, 1002 },
  { "ping-126-bytes", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_PING, TRUE, 126, 1002 },
  { "continuation-first", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_CONTINUATION, TRUE, 3, 1002 },
  { "binary-on-text-subprotocol", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_BINARY, TRUE, 3, 1003 },
  { "over-max-size", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_TEXT, TRUE, 1025, 1009 },
  { "close-one-byte", WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 0, WAMP_WEBSOCKET_OP_CLOSE, TRUE, 1, 1002 },
};

static void
test_bad_frame (gconstpointer data)
{
  const BadFrame *bf = data;
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autofree char *payload = g_strnfill (bf->len, 'a');
  g_autoptr(GByteArray) f = make_frame (bf->fin, bf->rsv, bf->opcode, bf->masked, payload, bf->len);
  guint16 code = 0;
  const char *reason = NULL;

  recorder_init (&r);
  c = wamp_websocket_codec_new (bf->role, FALSE, 1024, &rec_funcs, &r);
  g_assert_cmpint (wamp_websocket_codec_feed (c, f->data, f->len, &code, &reason), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, bf->expected_code);
  g_assert_nonnull (reason);
  g_assert_cmpuint (r.messages->len, ==, 0);
  /* Nothing more is parsed afterwards. */
  g_assert_cmpint (wamp_websocket_codec_feed (c, f->data, f->len, &code, &reason), ==,
                   WAMP_WEBSOCKET_CODEC_STOPPED);
  recorder_clear (&r);
}

static void
test_too_big_detected_from_header_alone (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  /* Claims 1 TiB; only the header is sent: fails without waiting or allocating. */
  static const guint8 header[] = { 0x81, 0xFF, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4 };
  guint16 code = 0;

  recorder_init (&r);
  c = server_codec (&r);
  g_assert_cmpint (wamp_websocket_codec_feed (c, header, sizeof header, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1009);
  recorder_clear (&r);
}

static void
test_too_big_across_fragments_is_1009 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  g_autofree char *part = g_strnfill (600, 'p');
  guint16 code = 0;

  recorder_init (&r);
  c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 1000, &rec_funcs, &r);
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_TEXT, part);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_CONTINUATION, part);
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1009);
  g_assert_cmpuint (r.messages->len, ==, 0);
  recorder_clear (&r);
}

static void
test_frame_length_high_bit_is_1002 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  static const guint8 header[] = { 0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4 };
  guint16 code = 0;

  recorder_init (&r);
  c = server_codec (&r);
  g_assert_cmpint (wamp_websocket_codec_feed (c, header, sizeof header, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1002);
  recorder_clear (&r);
}

static void
test_invalid_utf8_is_1007 (void)
{
  static const char *const bad[] = { "\xc3\x28", "ok\xff", "\xed\xa0\x80" /* surrogate */ };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Recorder r;
      g_autoptr(WampWebsocketCodec) c = NULL;
      g_autoptr(GByteArray) s = g_byte_array_new ();
      guint16 code = 0;

      recorder_init (&r);
      c = server_codec (&r);
      append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, bad[i]);
      g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, &code, NULL), ==,
                       WAMP_WEBSOCKET_CODEC_FAILED);
      g_assert_cmpuint (code, ==, 1007);
      g_assert_cmpuint (r.messages->len, ==, 0);
      recorder_clear (&r);
    }
}

static void
test_utf8_split_across_fragments_is_valid (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();

  recorder_init (&r);
  c = server_codec (&r);
  /* "é" = c3 a9, cut between the fragments. */
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_TEXT, "caf\xc3");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_CONTINUATION, "\xa9");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  assert_message (&r, 0, "caf\xc3\xa9");
  recorder_clear (&r);
}

static void
test_new_message_inside_fragmented_is_1002 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  guint16 code = 0;

  recorder_init (&r);
  c = server_codec (&r);
  append_frame (s, FALSE, WAMP_WEBSOCKET_OP_TEXT, "a");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "b");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1002);
  recorder_clear (&r);
}

static void
test_text_on_binary_subprotocol_is_1003 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  guint16 code = 0;

  recorder_init (&r);
  c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 1024, &rec_funcs, &r);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "[]");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, &code, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_FAILED);
  g_assert_cmpuint (code, ==, 1003);
  recorder_clear (&r);
}

/* Close */

static void
feed_close (Recorder *r, const guint8 *payload, gsize len, WampWebsocketCodecResult expected,
            guint16 expected_code)
{
  g_autoptr(WampWebsocketCodec) c = server_codec (r);
  g_autoptr(GByteArray) f = make_frame (TRUE, 0, WAMP_WEBSOCKET_OP_CLOSE, TRUE, payload, len);
  guint16 code = 0;

  g_assert_cmpint (wamp_websocket_codec_feed (c, f->data, f->len, &code, NULL), ==, expected);
  if (expected == WAMP_WEBSOCKET_CODEC_FAILED)
    g_assert_cmpuint (code, ==, expected_code);
}

static void
test_close_code_and_reason_reported (void)
{
  Recorder r;
  static const guint8 payload[] = { 0x03, 0xE8, 'b', 'y', 'e' };

  recorder_init (&r);
  feed_close (&r, payload, sizeof payload, WAMP_WEBSOCKET_CODEC_STOPPED, 0);
  g_assert_cmpuint (r.closes, ==, 1);
  g_assert_cmpuint (r.close_code, ==, 1000);
  g_assert_cmpstr (r.close_reason, ==, "bye");
  recorder_clear (&r);
}

static void
test_close_without_code_reports_1005 (void)
{
  Recorder r;

  recorder_init (&r);
  feed_close (&r, NULL, 0, WAMP_WEBSOCKET_CODEC_STOPPED, 0);
  g_assert_cmpuint (r.closes, ==, 1);
  g_assert_cmpuint (r.close_code, ==, WAMP_WEBSOCKET_CLOSE_NO_STATUS);
  g_assert_cmpstr (r.close_reason, ==, "");
  recorder_clear (&r);
}

static void
test_close_invalid_code_is_1002 (void)
{
  static const guint codes[] = { 0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535 };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      Recorder r;
      guint8 payload[2] = { (guint8) (codes[i] >> 8), (guint8) codes[i] };

      recorder_init (&r);
      feed_close (&r, payload, 2, WAMP_WEBSOCKET_CODEC_FAILED, 1002);
      g_assert_cmpuint (r.closes, ==, 0);
      recorder_clear (&r);
    }
  g_assert_true (wamp_websocket_close_code_is_valid (1000));
  g_assert_true (wamp_websocket_close_code_is_valid (3000));
  g_assert_true (wamp_websocket_close_code_is_valid (4999));
}

static void
test_close_reason_invalid_utf8_is_1007 (void)
{
  Recorder r;
  static const guint8 payload[] = { 0x03, 0xE8, 0xff, 0xfe };

  recorder_init (&r);
  feed_close (&r, payload, sizeof payload, WAMP_WEBSOCKET_CODEC_FAILED, 1007);
  recorder_clear (&r);
}

static void
test_data_after_close_is_ignored (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();
  static const guint8 payload[] = { 0x03, 0xE8 };
  g_autoptr(GByteArray) close = make_frame (TRUE, 0, WAMP_WEBSOCKET_OP_CLOSE, TRUE, payload, 2);

  recorder_init (&r);
  c = server_codec (&r);
  g_byte_array_append (s, close->data, close->len);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "late");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_STOPPED);
  g_assert_cmpuint (r.closes, ==, 1);
  g_assert_cmpuint (r.messages->len, ==, 0);
  recorder_clear (&r);
}

static void
test_encode_close_cuts_reason_on_utf8_boundary (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) server = NULL;
  g_autoptr(WampWebsocketCodec) client = NULL;
  g_autoptr(GString) reason = g_string_new ("x");
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) empty = NULL;

  /* 1 + 61 × 2 bytes = 123, then one more "é" that must be dropped whole. */
  for (guint i = 0; i < 62; i++)
    g_string_append (reason, "\xc3\xa9");
  recorder_init (&r);
  server = server_codec (&r);
  client = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1024, &rec_funcs, &r);
  frame = wamp_websocket_codec_encode_close (client, 1001, reason->str);
  g_assert_cmpuint (g_bytes_get_size (frame), <=, 2 + 4 + 125);
  g_assert_cmpint (wamp_websocket_codec_feed (server, g_bytes_get_data (frame, NULL),
                                              g_bytes_get_size (frame), NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_STOPPED);
  g_assert_cmpuint (r.close_code, ==, 1001);
  g_assert_cmpuint (strlen (r.close_reason), ==, 123);
  g_assert_true (g_str_has_prefix (reason->str, r.close_reason));

  empty = wamp_websocket_codec_encode_close (server, WAMP_WEBSOCKET_CLOSE_NO_STATUS, "ignored");
  g_assert_cmpuint (g_bytes_get_size (empty), ==, 2);
  recorder_clear (&r);
}

static void
test_callback_false_stops_parsing (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) s = g_byte_array_new ();

  recorder_init (&r);
  r.stop_after_message = TRUE;
  c = server_codec (&r);
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "first");
  append_frame (s, TRUE, WAMP_WEBSOCKET_OP_TEXT, "second");
  g_assert_cmpint (wamp_websocket_codec_feed (c, s->data, s->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_STOPPED);
  g_assert_cmpuint (r.messages->len, ==, 1);
  recorder_clear (&r);
}

static void
test_random_input_never_crashes (void)
{
  GRand *rand = g_rand_new_with_seed (1234);

  /* Mostly garbage, sometimes a valid-looking header: every outcome must be
   * OK, STOPPED or FAILED with a sendable code, never a crash or a huge
   * allocation (max 4 KiB here). */
  for (guint round = 0; round < 3000; round++)
    {
      Recorder r;
      g_autoptr(WampWebsocketCodec) c = NULL;
      guint8 data[600];
      gsize len = (gsize) g_rand_int_range (rand, 1, sizeof data);
      WampWebsocketRole role = g_rand_boolean (rand) ? WAMP_WEBSOCKET_ROLE_SERVER
                                                     : WAMP_WEBSOCKET_ROLE_CLIENT;
      gsize pos = 0;

      for (gsize i = 0; i < len; i++)
        data[i] = (guint8) g_rand_int (rand);
      if (g_rand_boolean (rand))
        {
          /* A plausible first byte: FIN + a known opcode, mask bit per role. */
          static const guint8 ops[] = { 0x0, 0x1, 0x2, 0x8, 0x9, 0xA };

          data[0] = 0x80 | ops[g_rand_int_range (rand, 0, G_N_ELEMENTS (ops))];
          data[1] = (data[1] & 0x7F) | (role == WAMP_WEBSOCKET_ROLE_SERVER ? 0x80 : 0);
        }
      recorder_init (&r);
      c = wamp_websocket_codec_new (role, g_rand_boolean (rand), 4096, &rec_funcs, &r);
      while (pos < len)
        {
          gsize n = MIN (len - pos, (gsize) g_rand_int_range (rand, 1, 64));
          guint16 code = 0;
          WampWebsocketCodecResult res = wamp_websocket_codec_feed (c, data + pos, n, &code, NULL);

          pos += n;
          if (res == WAMP_WEBSOCKET_CODEC_FAILED)
            g_assert_true (wamp_websocket_close_code_is_valid (code));
          if (res != WAMP_WEBSOCKET_CODEC_OK)
            break;
        }
      g_assert_cmpuint (wamp_websocket_codec_get_pending (c), <=, 4096 + 14);
      recorder_clear (&r);
    }
  g_rand_free (rand);
}

static void
test_text_with_nul_is_valid_utf8 (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) f = make_frame (TRUE, 0, WAMP_WEBSOCKET_OP_TEXT, TRUE, "a\0\xc3\xa9", 4);
  gsize len;
  const guint8 *data;

  recorder_init (&r);
  c = server_codec (&r);
  g_assert_cmpint (wamp_websocket_codec_feed (c, f->data, f->len, NULL, NULL), ==,
                   WAMP_WEBSOCKET_CODEC_OK);
  g_assert_cmpuint (r.messages->len, ==, 1);
  data = g_bytes_get_data (r.messages->pdata[0], &len);
  g_assert_cmpmem (data, len, "a\0\xc3\xa9", 4);
  recorder_clear (&r);
}

/* Reads the whole of @s into @c through the read buffer, @piece bytes at a
 * time, returning how often the buffer changed size. */
static guint
read_in_pieces (WampWebsocketCodec *c, const GByteArray *s, gsize piece)
{
  gsize last_size = wamp_websocket_codec_get_buffer_size (c);
  guint grows = 0;

  for (gsize off = 0; off < s->len; off += piece)
    {
      gsize room, n = MIN (piece, s->len - off);
      guint8 *dst = wamp_websocket_codec_get_read_buffer (c, &room);

      g_assert_cmpuint (room, >=, n);
      memcpy (dst, s->data + off, n);
      g_assert_cmpint (wamp_websocket_codec_commit (c, n, NULL, NULL), ==, WAMP_WEBSOCKET_CODEC_OK);
      if (wamp_websocket_codec_get_buffer_size (c) != last_size)
        {
          grows++;
          last_size = wamp_websocket_codec_get_buffer_size (c);
        }
    }
  return grows;
}

static void
test_trickled_frame_grows_buffer_geometrically (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autofree char *big = g_strnfill (2 * 1024 * 1024, 'x');
  g_autoptr(GByteArray) f = make_frame (TRUE, 0, WAMP_WEBSOCKET_OP_TEXT, TRUE, big, strlen (big));
  guint grows;

  recorder_init (&r);
  c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 4 * 1024 * 1024, &rec_funcs, &r);
  grows = read_in_pieces (c, f, 1000);
  g_assert_cmpuint (r.messages->len, ==, 1);
  /* 64 KiB doubled up to 2 MiB: a handful of reallocations, not one per read. */
  g_assert_cmpuint (grows, <=, 8);
  g_assert_cmpuint (wamp_websocket_codec_get_buffer_size (c), <=, 8 * 1024 * 1024);
  recorder_clear (&r);
}

static void
test_claimed_length_reserves_nothing (void)
{
  Recorder r;
  g_autoptr(WampWebsocketCodec) c = NULL;
  g_autoptr(GByteArray) f = make_frame (TRUE, 0, WAMP_WEBSOCKET_OP_BINARY, TRUE, "0123456789", 10);

  /* Rewrite the header to claim 15 MiB (under the 16 MiB limit) and send only 10 bytes. */
  g_autoptr(GByteArray) claim = g_byte_array_new ();
  guint8 h[14] = { 0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0xF0, 0, 0, 0x37, 0xfa, 0x21, 0x3d };

  recorder_init (&r);
  c = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, TRUE, 16 * 1024 * 1024, &rec_funcs, &r);
  g_byte_array_append (claim, h, sizeof h);
  g_byte_array_append (claim, f->data + 6, 10);
  read_in_pieces (c, claim, claim->len);
  g_assert_cmpuint (r.messages->len, ==, 0);
  g_assert_cmpuint (wamp_websocket_codec_get_buffer_size (c), <=, 256 * 1024);
  recorder_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/websocket/codec/mask/word-wise-equals-byte-wise-at-any-offset",
                   test_mask_wordwise_matches_bytewise);
  g_test_add_func ("/websocket/codec/mask/round-trip-in-pieces", test_mask_round_trip);
  g_test_add_func ("/websocket/codec/parse/masked-text-from-client", test_parse_masked_text_from_client);
  g_test_add_func ("/websocket/codec/parse/byte-by-byte-feeding", test_parse_byte_by_byte);
  g_test_add_func ("/websocket/codec/parse/whole-messages-are-lent", test_parse_lends_whole_messages);
  g_test_add_func ("/websocket/codec/error/lent-invalid-utf8-text-is-1007", test_lent_invalid_utf8_is_1007);
  g_test_add_func ("/websocket/codec/parse/every-two-way-split", test_parse_every_two_way_split);
  g_test_add_func ("/websocket/codec/parse/read-buffer-in-random-chunks",
                   test_parse_via_read_buffer_in_random_chunks);
  g_test_add_func ("/websocket/codec/parse/utf8-split-across-fragments-is-valid",
                   test_utf8_split_across_fragments_is_valid);
  g_test_add_func ("/websocket/codec/round-trip/client-masks-server-does-not",
                   test_client_server_round_trip);
  for (guint i = 0; i < G_N_ELEMENTS (bad_frames); i++)
    {
      g_autofree char *path = g_strdup_printf ("/websocket/codec/error/%s-is-%u", bad_frames[i].name,
                                               bad_frames[i].expected_code);

      g_test_add_data_func (path, &bad_frames[i], test_bad_frame);
    }
  g_test_add_func ("/websocket/codec/error/too-big-detected-from-header-alone-is-1009",
                   test_too_big_detected_from_header_alone);
  g_test_add_func ("/websocket/codec/error/too-big-across-fragments-is-1009",
                   test_too_big_across_fragments_is_1009);
  g_test_add_func ("/websocket/codec/error/length-high-bit-is-1002", test_frame_length_high_bit_is_1002);
  g_test_add_func ("/websocket/codec/error/invalid-utf8-text-is-1007", test_invalid_utf8_is_1007);
  g_test_add_func ("/websocket/codec/parse/text-with-nul-is-valid-utf8", test_text_with_nul_is_valid_utf8);
  g_test_add_func ("/websocket/codec/buffer/trickled-frame-grows-geometrically",
                   test_trickled_frame_grows_buffer_geometrically);
  g_test_add_func ("/websocket/codec/buffer/claimed-length-reserves-nothing",
                   test_claimed_length_reserves_nothing);
  g_test_add_func ("/websocket/codec/error/new-message-inside-fragmented-is-1002",
                   test_new_message_inside_fragmented_is_1002);
  g_test_add_func ("/websocket/codec/error/text-on-binary-subprotocol-is-1003",
                   test_text_on_binary_subprotocol_is_1003);
  g_test_add_func ("/websocket/codec/close/code-and-reason-reported", test_close_code_and_reason_reported);
  g_test_add_func ("/websocket/codec/close/without-code-reports-1005", test_close_without_code_reports_1005);
  g_test_add_func ("/websocket/codec/close/invalid-code-is-1002", test_close_invalid_code_is_1002);
  g_test_add_func ("/websocket/codec/close/reason-invalid-utf8-is-1007", test_close_reason_invalid_utf8_is_1007);
  g_test_add_func ("/websocket/codec/close/data-after-close-is-ignored", test_data_after_close_is_ignored);
  g_test_add_func ("/websocket/codec/close/encode-cuts-reason-on-utf8-boundary",
                   test_encode_close_cuts_reason_on_utf8_boundary);
  g_test_add_func ("/websocket/codec/callback-false-stops-parsing", test_callback_false_stops_parsing);
  g_test_add_func ("/websocket/codec/robustness/random-input-never-crashes",
                   test_random_input_never_crashes);

  return g_test_run ();
}
