/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the MessagePack serializer: conformance files, value mapping and
 * exact encodings, bad input (lengths, nesting, UTF-8, keys, ext), raw
 * payload passthrough and transcoding from JSON. */

#include <math.h>
#include <string.h>

#include <msgpack.h>

#include <wamp/wamp.h>

#include "serializer-test-util.h"
#include "wamp-msgpack-serializer.h"
#include "wamp-msgpack-reader.h"
#include "wamp-json-serializer.h"

static WampSerializer *serializer;

/* The data files, kept alive for the test cases that take them as data. */
static GPtrArray *data_paths;

/* Valid files that a sender wrote in forms our writer does not choose
 * (wider headers, float32, duplicate keys): they re-serialize to an equal
 * message but not to the same bytes. Every other y_ file, written by
 * python3-msgpack, must come back byte for byte. */
static const char *const non_canonical_files[] = {
  "y_float32.msgpack",
  "y_integers_in_wide_forms.msgpack",
  "y_strings_in_wide_forms.msgpack",
  "y_binary_in_wide_forms.msgpack",
  "y_containers_in_wide_forms.msgpack",
  "y_duplicate_key_last_wins.msgpack",
  "y_type_as_uint8.msgpack",
};

#define MP(s) ((const guint8 *) (s)), (sizeof (s) - 1)
/* A string literal and its length, NULs included, for tables. */
#define S(s) (s), (sizeof (s) - 1)

static GBytes *
bytes_from_mem (const guint8 *data,
                gsize         len)
{
  return g_bytes_new (data, len);
}

static WampValue *
decode (const guint8 *data,
        gsize         len)
{
  g_autoptr(GError) error = NULL;
  WampValue *value;

  value = wamp_serializer_decode_value (serializer, data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  return value;
}

static GBytes *
encode (WampValue *value)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes;

  bytes = wamp_serializer_encode_value (serializer, value, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

static void
assert_bytes_mem (GBytes       *bytes,
                  const guint8 *expected,
                  gsize         expected_len)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_assert_cmpmem (data, len, expected, expected_len);
}

static void
assert_decode_fails (const guint8 *data,
                     gsize         len,
                     const char   *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) v = NULL;

  v = wamp_serializer_decode_value (serializer, data, len, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (v);
  if (reason != NULL && strstr (error->message, reason) == NULL)
    g_error ("reason \"%s\" lacks \"%s\"", error->message, reason);
}

/* Equal values, or (for NaN, which never equals itself) values that encode
 * to the same bytes. */
static gboolean
values_same (const WampValue *a,
             const WampValue *b)
{
  g_autoptr(GBytes) ea = NULL;
  g_autoptr(GBytes) eb = NULL;

  if (wamp_value_equal (a, b))
    return TRUE;
  ea = encode ((WampValue *) a);
  eb = encode ((WampValue *) b);
  return g_bytes_equal (ea, eb);
}

static void
assert_messages_equal (WampMessage *a,
                       WampMessage *b)
{
  serializer_test_assert_messages_equal (a, b, values_same);
}

static WampMessage *
deserialize_mem (const guint8  *data,
                 gsize          len,
                 GError       **error)
{
  g_autoptr(GBytes) frame = bytes_from_mem (data, len);

  return wamp_serializer_deserialize (serializer, frame, error);
}

static gboolean
is_canonical_file (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  for (gsize i = 0; i < G_N_ELEMENTS (non_canonical_files); i++)
    if (g_str_equal (base, non_canonical_files[i]))
      return FALSE;
  return TRUE;
}

/* y_*.msgpack: deserializes; serializing gives a frame that deserializes to
 * an equal message (byte for byte the same for python3-msgpack's canonical
 * output), once with the raw payload and once through the writer; and every
 * proper prefix of the frame is refused. */
static void
test_valid_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = serializer_test_read_file (path);
  gsize len;
  const guint8 *contents = g_bytes_get_data (frame, &len);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampMessage) reread = NULL;

  message = wamp_serializer_deserialize (serializer, frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  serializer_test_assert_lent_same (serializer, frame, message);

  again = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  if (is_canonical_file (path))
    g_assert_true (g_bytes_equal (frame, again));
  reread = wamp_serializer_deserialize (serializer, again, &error);
  g_assert_no_error (error);
  assert_messages_equal (message, reread);

  if (wamp_message_get_payload (message) != NULL)
    {
      g_autoptr(WampMessage) decoded = serializer_test_with_decoded_payload (message);
      g_autoptr(WampMessage) reread2 = NULL;
      g_autoptr(GBytes) written = NULL;

      written = wamp_serializer_serialize (serializer, decoded, &error);
      g_assert_no_error (error);
      if (is_canonical_file (path))
        g_assert_true (g_bytes_equal (frame, written));
      reread2 = wamp_serializer_deserialize (serializer, written, &error);
      g_assert_no_error (error);
      assert_messages_equal (message, reread2);
    }

  /* Truncation at every byte: never a crash, always a protocol violation.
   * Prefixes are exact-size copies, so ASan sees any read past the end;
   * in the middle of a large file, slices (a copy each would cost seconds). */
  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr(GBytes) prefix = NULL;
      g_autoptr(WampMessage) m = NULL;
      g_autoptr(GError) cut_error = NULL;

      if (cut < 4096 || len - cut < 4096)
        prefix = g_bytes_new_take (g_memdup2 (contents, cut), cut);
      else
        prefix = g_bytes_new_from_bytes (frame, 0, cut);
      m = wamp_serializer_deserialize (serializer, prefix, &cut_error);
      g_assert_error (cut_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (m);
    }
}

/* n_*.msgpack: refused as a protocol violation. */
static void
test_invalid_file (gconstpointer data)
{
  serializer_test_assert_invalid_file (serializer, data);
}

static void
add_data_file_tests (void)
{
  serializer_test_add_data_files ("msgpack", MSGPACK_TEST_DATA_DIR "/messages", ".msgpack",
                                  test_valid_file, test_invalid_file,
                                  data_paths, NULL, 50, 90);
}

static void
test_serializer_identity (void)
{
  g_assert_cmpstr (wamp_serializer_get_name (serializer), ==, "msgpack");
  g_assert_cmpstr (wamp_serializer_get_subprotocol (serializer), ==, "wamp.2.msgpack");
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (serializer), ==, 2);
  g_assert_true (wamp_serializer_is_binary (serializer));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

/* max-depth: a GObject property, default 32, at least 1, notified on change. */
static void
test_max_depth_property (void)
{
  g_autoptr(WampMsgpackSerializer) s = wamp_msgpack_serializer_new ();
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (s), "max-depth");
  GParamSpecUInt *uspec;
  guint depth = 0;
  guint notified = 0;

  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_UINT (pspec));
  uspec = G_PARAM_SPEC_UINT (pspec);
  g_assert_cmpuint (uspec->minimum, ==, 1);
  g_assert_cmpuint (uspec->default_value, ==, 32);

  g_object_get (s, "max-depth", &depth, NULL);
  g_assert_cmpuint (depth, ==, 32);
  g_assert_cmpuint (wamp_msgpack_serializer_get_max_depth (s), ==, 32);

  g_signal_connect (s, "notify::max-depth", G_CALLBACK (count_notify), &notified);
  g_object_set (s, "max-depth", 5, NULL);
  g_assert_cmpuint (wamp_msgpack_serializer_get_max_depth (s), ==, 5);
  g_assert_cmpuint (notified, ==, 1);
  wamp_msgpack_serializer_set_max_depth (s, 5);
  g_assert_cmpuint (notified, ==, 1);
  wamp_msgpack_serializer_set_max_depth (s, 7);
  g_object_get (s, "max-depth", &depth, NULL);
  g_assert_cmpuint (depth, ==, 7);
  g_assert_cmpuint (notified, ==, 2);
}

/* Integers are written in their smallest form, as msgpack-c and
 * python3-msgpack do, and read back to the same normalised WampValue. */
static void
test_integers_smallest_form (void)
{
  struct {
    gint64 value;
    const char *bytes;
    gsize len;
  } ints[] = {
    { 0, S ("\x00") },
    { 1, S ("\x01") },
    { 127, S ("\x7f") },
    { 128, S ("\xcc\x80") },
    { 255, S ("\xcc\xff") },
    { 256, S ("\xcd\x01\x00") },
    { 65535, S ("\xcd\xff\xff") },
    { 65536, S ("\xce\x00\x01\x00\x00") },
    { G_MAXUINT32, S ("\xce\xff\xff\xff\xff") },
    { G_GINT64_CONSTANT (4294967296), S ("\xcf\x00\x00\x00\x01\x00\x00\x00\x00") },
    { G_GINT64_CONSTANT (9007199254740992), S ("\xcf\x00\x20\x00\x00\x00\x00\x00\x00") },
    { G_MAXINT64, S ("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff") },
    { -1, S ("\xff") },
    { -32, S ("\xe0") },
    { -33, S ("\xd0\xdf") },
    { -128, S ("\xd0\x80") },
    { -129, S ("\xd1\xff\x7f") },
    { -32768, S ("\xd1\x80\x00") },
    { -32769, S ("\xd2\xff\xff\x7f\xff") },
    { G_MININT32, S ("\xd2\x80\x00\x00\x00") },
    { (gint64) G_MININT32 - 1, S ("\xd3\xff\xff\xff\xff\x7f\xff\xff\xff") },
    { G_MININT64, S ("\xd3\x80\x00\x00\x00\x00\x00\x00\x00") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_int (ints[i].value);
      g_autoptr(GBytes) bytes = encode (v);
      g_autoptr(WampValue) back = decode ((const guint8 *) ints[i].bytes, ints[i].len);

      assert_bytes_mem (bytes, (const guint8 *) ints[i].bytes, ints[i].len);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_INT);
      g_assert_cmpint (wamp_value_get_int (back), ==, ints[i].value);
    }

  /* Above G_MAXINT64 only uint64 can carry it: UINT, and back as 0xcf. */
  {
    g_autoptr(WampValue) max = wamp_value_new_uint (G_MAXUINT64);
    g_autoptr(WampValue) above = wamp_value_new_uint ((guint64) G_MAXINT64 + 1);
    g_autoptr(GBytes) b1 = encode (max);
    g_autoptr(GBytes) b2 = encode (above);
    g_autoptr(WampValue) back1 = decode (MP ("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"));
    g_autoptr(WampValue) back2 = decode (MP ("\xcf\x80\x00\x00\x00\x00\x00\x00\x00"));

    assert_bytes_mem (b1, MP ("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"));
    assert_bytes_mem (b2, MP ("\xcf\x80\x00\x00\x00\x00\x00\x00\x00"));
    g_assert_cmpint (wamp_value_get_value_type (back1), ==, WAMP_VALUE_UINT);
    g_assert_cmpuint (wamp_value_get_uint (back1), ==, G_MAXUINT64);
    g_assert_cmpint (wamp_value_get_value_type (back2), ==, WAMP_VALUE_UINT);
    g_assert_cmpuint (wamp_value_get_uint (back2), ==, (guint64) G_MAXINT64 + 1);
  }

  /* Wider forms than needed read as the same normalised INT. */
  {
    const char *wide[][2] = {
      { "\xcc\x05", "\x02" }, { "\xcd\x00\x05", "\x03" }, { "\xce\x00\x00\x00\x05", "\x05" },
      { "\xcf\x00\x00\x00\x00\x00\x00\x00\x05", "\x09" }, { "\xd0\x05", "\x02" },
      { "\xd3\x00\x00\x00\x00\x00\x00\x00\x05", "\x09" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (wide); i++)
      {
        g_autoptr(WampValue) v = decode ((const guint8 *) wide[i][0], (guint8) wide[i][1][0]);

        g_assert_cmpint (wamp_value_get_value_type (v), ==, WAMP_VALUE_INT);
        g_assert_cmpint (wamp_value_get_int (v), ==, 5);
      }
  }
}

/* Doubles are always float64: -0.0 keeps its sign, whole numbers stay
 * doubles, and NaN and the infinities travel (MessagePack can carry them). */
static void
test_doubles_always_float64 (void)
{
  const gdouble values[] = {
    0.0, -0.0, 1.0, -1.0, 0.1, 2.5, 1e308, 4.9e-324, 9007199254740992.0, 1e21,
    INFINITY, -INFINITY,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_double (values[i]);
      g_autoptr(GBytes) bytes = encode (v);
      g_autoptr(WampValue) back = NULL;
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);
      guint64 bits;
      guint8 expected[9] = { 0xcb, };

      memcpy (&bits, &values[i], 8);
      for (guint b = 0; b < 8; b++)
        expected[1 + b] = (guint8) (bits >> (56 - 8 * b));
      g_assert_cmpmem (data, len, expected, sizeof expected);

      back = decode (data, len);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_DOUBLE);
      g_assert_true (wamp_value_equal (v, back));
      g_assert_true (signbit (wamp_value_get_double (back)) == signbit (values[i]));
    }

  {
    g_autoptr(WampValue) one = wamp_value_new_double (1.0);
    g_autoptr(WampValue) nan_value = wamp_value_new_double (NAN);
    g_autoptr(GBytes) b1 = encode (one);
    g_autoptr(GBytes) b2 = encode (nan_value);
    g_autoptr(WampValue) back = NULL;
    gsize len;
    const guint8 *data = g_bytes_get_data (b2, &len);

    assert_bytes_mem (b1, MP ("\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"));
    back = decode (data, len);
    g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_DOUBLE);
    g_assert_true (isnan (wamp_value_get_double (back)));
  }

  /* NaN and infinities as another sender writes them. */
  {
    g_autoptr(WampValue) nan_value = decode (MP ("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00"));
    g_autoptr(WampValue) inf = decode (MP ("\xcb\x7f\xf0\x00\x00\x00\x00\x00\x00"));
    g_autoptr(WampValue) ninf = decode (MP ("\xcb\xff\xf0\x00\x00\x00\x00\x00\x00"));

    g_assert_true (isnan (wamp_value_get_double (nan_value)));
    g_assert_true (isinf (wamp_value_get_double (inf)) && wamp_value_get_double (inf) > 0);
    g_assert_true (isinf (wamp_value_get_double (ninf)) && wamp_value_get_double (ninf) < 0);
  }
}

/* float32 reads as the exactly equal double (and is written back as float64). */
static void
test_float32_decodes_to_double (void)
{
  g_autoptr(WampValue) half = decode (MP ("\xca\x3f\xc0\x00\x00"));
  g_autoptr(WampValue) neg_zero = decode (MP ("\xca\x80\x00\x00\x00"));
  g_autoptr(WampValue) tenth = decode (MP ("\xca\x3d\xcc\xcc\xcd"));
  g_autoptr(WampValue) nan_value = decode (MP ("\xca\x7f\xc0\x00\x00"));
  g_autoptr(WampValue) inf = decode (MP ("\xca\x7f\x80\x00\x00"));
  g_autoptr(GBytes) written = encode (half);

  g_assert_cmpint (wamp_value_get_value_type (half), ==, WAMP_VALUE_DOUBLE);
  g_assert_cmpfloat (wamp_value_get_double (half), ==, 1.5);
  g_assert_true (signbit (wamp_value_get_double (neg_zero)));
  g_assert_cmpfloat (wamp_value_get_double (tenth), ==, (gdouble) 0.1f);
  g_assert_true (isnan (wamp_value_get_double (nan_value)));
  g_assert_true (isinf (wamp_value_get_double (inf)));
  assert_bytes_mem (written, MP ("\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"));
}

/* Strings are str with their exact length: any Unicode, NUL anywhere
 * (leading too: unlike JSON, MessagePack has a separate bin type). */
static void
test_strings_round_trip (void)
{
  struct {
    const char *data;
    gsize len;
    const char *bytes;
    gsize bytes_len;
  } cases[] = {
    { S (""), S ("\xa0") },
    { S ("a\0b"), S ("\xa3" "a\0b") },
    { S ("\0abc"), S ("\xa4\0abc") },
    { S ("\0"), S ("\xa1\0") },
    { S ("abc\0"), S ("\xa4" "abc\0") },
    { S ("\xc3\xa9t\xc3\xa9"), S ("\xa5\xc3\xa9t\xc3\xa9") },
    { S ("\xf0\x9f\x98\x80"), S ("\xa4\xf0\x9f\x98\x80") },
    { S ("\xf4\x8f\xbf\xbf"), S ("\xa4\xf4\x8f\xbf\xbf") },
    { S ("\xef\xbf\xbf"), S ("\xa3\xef\xbf\xbf") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_string_len (cases[i].data, cases[i].len);
      g_autoptr(GBytes) bytes = encode (v);
      g_autoptr(WampValue) back = decode ((const guint8 *) cases[i].bytes, cases[i].bytes_len);
      gsize len;
      const char *s;

      assert_bytes_mem (bytes, (const guint8 *) cases[i].bytes, cases[i].bytes_len);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_STRING);
      s = wamp_value_get_string (back, &len);
      g_assert_cmpmem (s, len, cases[i].data, cases[i].len);
    }

  /* Header forms by length: fixstr < 32, str8 < 256, str16 < 65536, str32. */
  {
    const gsize lengths[] = { 31, 32, 255, 256, 65535, 65536 };
    const guint8 headers[] = { 0xbf, 0xd9, 0xd9, 0xda, 0xda, 0xdb };

    for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
      {
        g_autofree char *s = g_malloc (lengths[i]);
        g_autoptr(WampValue) v = NULL;
        g_autoptr(GBytes) bytes = NULL;
        g_autoptr(WampValue) back = NULL;
        gsize len;
        const guint8 *data;

        memset (s, 'x', lengths[i]);
        s[lengths[i] / 2] = '\0';
        v = wamp_value_new_string_len (s, lengths[i]);
        bytes = encode (v);
        data = g_bytes_get_data (bytes, &len);
        g_assert_cmphex (data[0], ==, headers[i]);
        back = decode (data, len);
        g_assert_true (wamp_value_equal (v, back));
      }
  }
}

static void
test_strings_bad_utf8_refused (void)
{
  const char *bad[] = {
    "\xa1\xff", "\xa1\x80", "\xa2\xc0\x80", "\xa2\xc1\xbf", "\xa3\xe0\x9f\xbf", "\xa3\xed\xa0\x80",
    "\xa3\xed\xbf\xbf", "\xa4\xf4\x90\x80\x80", "\xa5\xf8\x88\x80\x80\x80", "\xa2\xe2\x82",
    "\xa1\xc3", "\xa2\xc3\x28", "\xa4\xf0\x9f\x98\x28",
    "\xa9" "abcdefgh\xff", "\xd9\x0a" "abcdefghi\x80",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_decode_fails ((const guint8 *) bad[i], strlen (bad[i]), "invalid UTF-8");
}

/* Bytes are bin (never str): any content, every header size. */
static void
test_bytes_round_trip (void)
{
  const gsize lengths[] = { 0, 1, 255, 256, 65535, 65536 };
  const guint8 headers[] = { 0xc4, 0xc4, 0xc4, 0xc5, 0xc5, 0xc6 };

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    {
      g_autofree guint8 *data = g_malloc (lengths[i] + 1);
      g_autoptr(WampValue) v = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(WampValue) back = NULL;
      const guint8 *encoded, *decoded;
      gsize len, decoded_len;

      for (gsize b = 0; b < lengths[i]; b++)
        data[b] = (guint8) (b * 7 + 0x80);
      v = wamp_value_new_bytes (data, lengths[i]);
      bytes = encode (v);
      encoded = g_bytes_get_data (bytes, &len);
      g_assert_cmphex (encoded[0], ==, headers[i]);
      back = decode (encoded, len);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_BYTES);
      decoded = wamp_value_get_bytes (back, &decoded_len);
      g_assert_cmpmem (decoded, decoded_len, data, lengths[i]);
    }

  {
    g_autoptr(WampValue) v = wamp_value_new_bytes ((const guint8 *) "\x00\x01\xff", 3);
    g_autoptr(GBytes) bytes = encode (v);

    assert_bytes_mem (bytes, MP ("\xc4\x03\x00\x01\xff"));
  }
}

static void
test_null_and_bools (void)
{
  g_autoptr(WampValue) n = wamp_value_new_null ();
  g_autoptr(WampValue) t = wamp_value_new_bool (TRUE);
  g_autoptr(WampValue) f = wamp_value_new_bool (FALSE);
  g_autoptr(GBytes) bn = encode (n);
  g_autoptr(GBytes) bt = encode (t);
  g_autoptr(GBytes) bf = encode (f);
  g_autoptr(WampValue) dn = decode (MP ("\xc0"));
  g_autoptr(WampValue) dt = decode (MP ("\xc3"));
  g_autoptr(WampValue) df = decode (MP ("\xc2"));

  assert_bytes_mem (bn, MP ("\xc0"));
  assert_bytes_mem (bt, MP ("\xc3"));
  assert_bytes_mem (bf, MP ("\xc2"));
  g_assert_cmpint (wamp_value_get_value_type (dn), ==, WAMP_VALUE_NULL);
  g_assert_true (wamp_value_get_bool (dt));
  g_assert_false (wamp_value_get_bool (df));
}

static void
test_containers_round_trip (void)
{
  struct {
    const char *bytes;
    gsize len;
  } cases[] = {
    { S ("\x90") },
    { S ("\x80") },
    { S ("\x91\x90") },
    { S ("\x91\x80") },
    { S ("\x81\xa1" "a\x90") },
    { S ("\x93\x90\x80\x91\x91\x80") },
    { S ("\x83\xa1z\x01\xa1" "a\x02\xa1m\x93\xc0\xc3\xc2") },
    { S ("\x82\xa0\xc0\xa4k\0ey\x01") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = decode ((const guint8 *) cases[i].bytes, cases[i].len);
      g_autoptr(GBytes) bytes = encode (v);

      assert_bytes_mem (bytes, (const guint8 *) cases[i].bytes, cases[i].len);
    }

  /* Insertion order is kept; a key with NUL survives. */
  {
    g_autoptr(WampValue) v = decode (MP ("\x83\xa1z\x01\xa1" "a\x02\xa1m\x03"));
    g_autoptr(WampValue) k = decode (MP ("\x81\xa4k\0ey\x01"));
    gsize key_len;
    const char *key;

    g_assert_cmpstr (wamp_value_dict_get_key (v, 0, NULL), ==, "z");
    g_assert_cmpstr (wamp_value_dict_get_key (v, 2, NULL), ==, "m");
    key = wamp_value_dict_get_key (k, 0, &key_len);
    g_assert_cmpmem (key, key_len, "k\0ey", 4);
  }

  /* Header forms by count: fix < 16, 16-bit < 65536, 32-bit above. */
  {
    const gsize counts[] = { 15, 16, 65535, 65536 };
    const guint8 list_headers[] = { 0x9f, 0xdc, 0xdc, 0xdd };
    const guint8 dict_headers[] = { 0x8f, 0xde, 0xde, 0xdf };

    for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
      {
        g_autoptr(WampValue) list = wamp_value_new_list (counts[i]);
        g_autoptr(WampValue) dict = wamp_value_new_dict (counts[i]);
        g_autoptr(GBytes) lb = NULL, db = NULL;
        g_autoptr(WampValue) lback = NULL, dback = NULL;
        const guint8 *data;
        gsize len;

        for (gsize n = 0; n < counts[i]; n++)
          {
            char key[24];

            g_snprintf (key, sizeof key, "%" G_GSIZE_FORMAT, n);
            wamp_value_list_append (list, wamp_value_new_null ());
            wamp_value_dict_insert (dict, key, wamp_value_new_int ((gint64) n));
          }
        lb = encode (list);
        db = encode (dict);
        data = g_bytes_get_data (lb, &len);
        g_assert_cmphex (data[0], ==, list_headers[i]);
        lback = decode (data, len);
        g_assert_true (wamp_value_equal (list, lback));
        data = g_bytes_get_data (db, &len);
        g_assert_cmphex (data[0], ==, dict_headers[i]);
        dback = decode (data, len);
        g_assert_true (wamp_value_equal (dict, dback));
      }
  }
}

/* Duplicate keys: the later value wins in the first one's place, as the
 * JSON reader does. */
static void
test_duplicate_keys_last_wins (void)
{
  g_autoptr(WampValue) v = decode (MP ("\x83\xa1" "a\x01\xa1" "b\x02\xa1" "a\x03"));

  g_assert_cmpuint (wamp_value_dict_size (v), ==, 2);
  g_assert_cmpstr (wamp_value_dict_get_key (v, 0, NULL), ==, "a");
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_get_value (v, 0)), ==, 3);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (v, "b")), ==, 2);
}

static void
test_non_string_keys_refused (void)
{
  struct {
    const char *bytes;
    gsize len;
  } bad[] = {
    { S ("\x81\x01\xc0") }, { S ("\x81\xc0\xc0") }, { S ("\x81\xc3\xc0") },
    { S ("\x81\xc4\x01" "a\xc0") }, { S ("\x81\x90\xc0") }, { S ("\x81\x80\xc0") },
    { S ("\x81\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00\xc0") }, { S ("\x81\xd4\x01\x00\xc0") },
    { S ("\x91\x81\xff\xc0") }, { S ("\x82\xa1k\x01\x02\x03") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_decode_fails ((const guint8 *) bad[i].bytes, bad[i].len, "map key must be a str");
}

static void
test_ext_and_reserved_refused (void)
{
  struct {
    const char *bytes;
    gsize len;
    const char *reason;
  } cases[] = {
    { S ("\xd4\x01\x00"), "ext types" },
    { S ("\xd5\x01\x00\x00"), "ext types" },
    { S ("\xd6\xff\x00\x00\x00\x00"), "ext types" },
    { S ("\xd7\xff\x00\x00\x00\x00\x00\x00\x00\x00"), "ext types" },
    { S ("\xd8\x01" "0123456789abcdef"), "ext types" },
    { S ("\xc7\x00\x01"), "ext types" },
    { S ("\xc8\x00\x00\x01"), "ext types" },
    { S ("\xc9\x00\x00\x00\x00\x01"), "ext types" },
    { S ("\x91\xc7\x0c\xff" "000000000000"), "ext types" },
    { S ("\xc1"), "reserved" },
    { S ("\x92\x01\xc1"), "reserved" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_decode_fails ((const guint8 *) cases[i].bytes, cases[i].len, cases[i].reason);
}

/* A 10-byte input claiming 2^32-1 elements or bytes fails at once, on the
 * length check, before anything is read or allocated. */
static void
test_absurd_claimed_lengths_fail_fast (void)
{
  struct {
    const char *bytes;
    const char *reason;
  } cases[] = {
    { "\xdd\xff\xff\xff\xff\x01\x02\x03\x04\x05", "array count exceeds" },
    { "\xdf\xff\xff\xff\xff\xa1" "a\x01\x02\x03", "map count exceeds" },
    { "\xdb\xff\xff\xff\xff" "abcde", "str length exceeds" },
    { "\xc6\xff\xff\xff\xff" "abcde", "bin length exceeds" },
    { "\xdc\xff\xff\x01\x02\x03\x04\x05\x06\x07", "array count exceeds" },
    { "\xde\xff\xff\x01\x02\x03\x04\x05\x06\x07", "map count exceeds" },
    { "\xda\xff\xff" "abcdefg", "str length exceeds" },
    { "\xc5\xff\xff" "abcdefg", "bin length exceeds" },
    { "\x91\xdd\xff\xff\xff\xff\x01\x02\x03\x04", "array count exceeds" },
    { "\x9f\x01\x02\x03\x04\x05\x06\x07\x08\x09", "array count exceeds" },
    { "\x8f\xa1" "a\x01\xa1" "b\x02\x03\x04\x05", "map count exceeds" },
    { "\xbf" "abcdefghi", "str length exceeds" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 start = g_get_monotonic_time ();

      assert_decode_fails ((const guint8 *) cases[i].bytes, 10, cases[i].reason);
      /* Microseconds, not the seconds an allocation of gigabytes takes. */
      g_assert_cmpint (g_get_monotonic_time () - start, <, 100 * 1000);
    }

  /* The same lies in whole frames (the message array's own count too). */
  {
    const char *frames[] = {
      "\xdd\xff\xff\xff\xff\x10\x01\x80\xa1t",
      "\x95\x10\x01\x80\xa1t\xdd\xff\xff\xff\xff",
      "\x93\x01\xa1r\xdf\xff\xff\xff\xff\x00",
      "\x93\x01\xdb\xff\xff\xff\xff\x00\x00\x00",
      "\x95\x10\x01\x80\xa1t\x91\xc6\xff\xff",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(WampMessage) m = deserialize_mem ((const guint8 *) frames[i], 10, &error);

        g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
        g_assert_null (m);
        g_assert_true (strstr (error->message, "exceeds") != NULL ||
                       strstr (error->message, "truncated") != NULL);
      }
  }
}

static void
test_decode_value_needs_exactly_one_value (void)
{
  struct {
    const char *bytes;
    gsize len;
  } bad[] = {
    { S ("") }, { S ("\x01\x02") }, { S ("\x90\x90") }, { S ("\x80\xc0") }, { S ("\xa1" "ab") },
    { S ("\x92\x01") }, { S ("\x00\x00") },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_decode_fails ((const guint8 *) bad[i].bytes, bad[i].len, NULL);

  assert_decode_fails (MP ("\x01\x02"), "trailing bytes");
  assert_decode_fails (MP ("\x92\x01"), "array count exceeds");
  assert_decode_fails (MP ("\x92\x01\xcd\x01"), "truncated");
}

static GByteArray *
nested_lists (guint depth)
{
  GByteArray *b = g_byte_array_new ();
  guint8 open = 0x91, empty = 0x90;

  for (guint i = 0; i + 1 < depth; i++)
    g_byte_array_append (b, &open, 1);
  g_byte_array_append (b, &empty, 1);
  return b;
}

static void
test_nesting_limit (void)
{
  g_autoptr(GByteArray) ok = nested_lists (WAMP_MSGPACK_DEFAULT_MAX_DEPTH);
  g_autoptr(GByteArray) deep = nested_lists (WAMP_MSGPACK_DEFAULT_MAX_DEPTH + 1);
  g_autoptr(GByteArray) very_deep = nested_lists (100000);
  g_autoptr(WampValue) v = decode (ok->data, ok->len);

  g_assert_cmpuint (wamp_value_list_length (v), ==, 1);
  assert_decode_fails (deep->data, deep->len, "nesting too deep");
  assert_decode_fails (very_deep->data, very_deep->len, "nesting too deep");
}

/* The max-depth property applies to frames and to values. */
static void
test_nesting_limit_configurable (void)
{
  g_autoptr(WampMsgpackSerializer) strict = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampValue) value = NULL;
  /* [16, 1, {}, "t", [[1]]]: depth 3; then [[[1]]] in args: depth 4. */
  const guint8 ok[] = { 0x95, 0x10, 0x01, 0x80, 0xa1, 't', 0x91, 0x91, 0x01 };
  const guint8 deep[] = { 0x95, 0x10, 0x01, 0x80, 0xa1, 't', 0x91, 0x91, 0x91, 0x01 };
  const guint8 deep_details[] = { 0x94, 0x10, 0x01, 0x81, 0xa1, 'a', 0x81, 0xa1, 'b', 0x80, 0xa1, 't' };
  g_autoptr(GBytes) ok_frame = g_bytes_new (ok, sizeof ok);
  g_autoptr(GBytes) deep_frame = g_bytes_new (deep, sizeof deep);
  g_autoptr(GBytes) deep_details_frame = g_bytes_new (deep_details, sizeof deep_details);

  strict = g_object_new (WAMP_TYPE_MSGPACK_SERIALIZER, "max-depth", 3, NULL);
  g_assert_cmpuint (wamp_msgpack_serializer_get_max_depth (strict), ==, 3);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), ok_frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_clear_pointer (&message, wamp_message_unref);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), deep_frame, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
  g_clear_error (&error);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), deep_details_frame, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
  g_clear_error (&error);

  value = wamp_serializer_decode_value (WAMP_SERIALIZER (strict), MP ("\x91\x91\x90"), &error);
  g_assert_no_error (error);
  g_clear_pointer (&value, wamp_value_unref);
  value = wamp_serializer_decode_value (WAMP_SERIALIZER (strict), MP ("\x91\x91\x91\x90"), &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (value);
  g_clear_error (&error);

  /* max-depth 1: only scalars inside the message array. */
  g_object_set (strict, "max-depth", 1, NULL);
  {
    g_autoptr(GBytes) flat = g_bytes_new ("\x93\x11\x01\x02", 4);
    g_autoptr(WampMessage) m = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), flat, &error);

    g_assert_no_error (error);
    g_assert_nonnull (m);
  }
  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), ok_frame, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
}

/* Every message type, built by code, survives serialize + deserialize. */
static void
test_every_message_type_round_trip (void)
{
  g_autoptr(WampValue) details = wamp_value_new_dict (2);
  g_autoptr(WampValue) args = wamp_value_new_list (3);
  g_autoptr(WampValue) kwargs = wamp_value_new_dict (1);
  g_autoptr(WampPayload) payload = NULL;
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  const guint64 big = G_GUINT64_CONSTANT (9007199254740992);

  wamp_value_dict_insert (details, "roles", wamp_value_new_dict (0));
  wamp_value_dict_insert (details, "x", wamp_value_new_double (-0.0));
  wamp_value_list_append (args, wamp_value_new_string_len ("\0nul", 4));
  wamp_value_list_append (args, wamp_value_new_uint (G_MAXUINT64));
  wamp_value_list_append (args, wamp_value_new_bytes ((const guint8 *) "\x00\xff", 2));
  wamp_value_dict_insert (kwargs, "k", wamp_value_new_int (G_MININT64));
  payload = wamp_payload_new (args, kwargs);

  g_ptr_array_add (messages, wamp_message_new_hello ("realm1", details));
  g_ptr_array_add (messages, wamp_message_new_welcome (big, details));
  g_ptr_array_add (messages, wamp_message_new_abort (details, "wamp.error.no_such_realm", payload));
  g_ptr_array_add (messages, wamp_message_new_challenge ("wampcra", details));
  g_ptr_array_add (messages, wamp_message_new_authenticate ("signature", NULL));
  g_ptr_array_add (messages, wamp_message_new_goodbye (NULL, "wamp.close.goodbye_and_out"));
  g_ptr_array_add (messages, wamp_message_new_error (WAMP_MESSAGE_CALL, big, details, "com.example.error", payload));
  g_ptr_array_add (messages, wamp_message_new_publish (1, details, "com.example.topic", payload));
  g_ptr_array_add (messages, wamp_message_new_published (1, big));
  g_ptr_array_add (messages, wamp_message_new_subscribe (2, NULL, "com.example.topic"));
  g_ptr_array_add (messages, wamp_message_new_subscribed (2, 3));
  g_ptr_array_add (messages, wamp_message_new_unsubscribe (4, 3));
  g_ptr_array_add (messages, wamp_message_new_unsubscribed (4, NULL));
  g_ptr_array_add (messages, wamp_message_new_event (3, big, details, payload));
  g_ptr_array_add (messages, wamp_message_new_call (5, NULL, "com.example.f", payload));
  g_ptr_array_add (messages, wamp_message_new_cancel (5, NULL));
  g_ptr_array_add (messages, wamp_message_new_result (5, NULL, payload));
  g_ptr_array_add (messages, wamp_message_new_register (6, NULL, "com.example.f"));
  g_ptr_array_add (messages, wamp_message_new_registered (6, 7));
  g_ptr_array_add (messages, wamp_message_new_unregister (8, 7));
  g_ptr_array_add (messages, wamp_message_new_unregistered (8, details));
  g_ptr_array_add (messages, wamp_message_new_invocation (9, 7, NULL, payload));
  g_ptr_array_add (messages, wamp_message_new_interrupt (9, NULL));
  g_ptr_array_add (messages, wamp_message_new_yield (9, NULL, payload));

  for (guint i = 0; i < messages->len; i++)
    {
      WampMessage *m = messages->pdata[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = wamp_serializer_serialize (serializer, m, &error);
      g_autoptr(WampMessage) back = NULL;
      g_autoptr(GBytes) again = NULL;

      g_assert_no_error (error);
      back = wamp_serializer_deserialize (serializer, bytes, &error);
      g_assert_no_error (error);
      g_assert_nonnull (back);
      assert_messages_equal (m, back);
      /* And the deserialized one (raw payload) gives the same bytes. */
      again = wamp_serializer_serialize (serializer, back, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (bytes, again));
    }
  g_assert_cmpuint (messages->len, ==, 24);
}

/* Rule 1: a raw payload goes out byte for byte, including forms our writer
 * would never choose (float32, wide integer headers), and is decoded only
 * when someone asks. */
static void
test_raw_payload_copied_verbatim (void)
{
  const guint8 args[] = { 0x93, 0xca, 0x3f, 0xc0, 0x00, 0x00, 0xcf, 0, 0, 0, 0, 0, 0, 0, 5, 0xda, 0x00, 0x01, 'A' };
  const guint8 kwargs[] = { 0xde, 0x00, 0x02, 0xa1, 'z', 0x01, 0xa1, 'a', 0x80 };
  const guint8 head[] = { 0x96, 0x24, 0x05, 0x06, 0x80 };
  g_autoptr(GByteArray) text = g_byte_array_new ();
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GBytes) out = NULL;
  WampPayload *payload;
  const guint8 *a, *k;
  gsize a_len, k_len;
  WampValue *args_value = NULL, *kwargs_value = NULL;

  g_byte_array_append (text, head, sizeof head);
  g_byte_array_append (text, args, sizeof args);
  g_byte_array_append (text, kwargs, sizeof kwargs);
  frame = g_bytes_new (text->data, text->len);

  message = wamp_serializer_deserialize (serializer, frame, &error);
  g_assert_no_error (error);
  payload = wamp_message_get_payload (message);
  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_serializer (payload) == serializer);
  g_assert_true (wamp_payload_get_raw (payload, serializer, &a, &a_len, &k, &k_len));
  g_assert_cmpmem (a, a_len, args, sizeof args);
  g_assert_cmpmem (k, k_len, kwargs, sizeof kwargs);

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (out, frame));

  g_assert_true (wamp_payload_get_values (payload, &args_value, &kwargs_value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_value_list_length (args_value), ==, 3);
  g_assert_cmpfloat (wamp_value_get_double (wamp_value_list_get (args_value, 0)), ==, 1.5);
  g_assert_cmpint (wamp_value_get_int (wamp_value_list_get (args_value, 1)), ==, 5);
  g_assert_cmpstr (wamp_value_get_string (wamp_value_list_get (args_value, 2), NULL), ==, "A");
  g_assert_cmpstr (wamp_value_dict_get_key (kwargs_value, 0, NULL), ==, "z");
}

/* Proof that serializing never decodes a raw payload: spans that would not
 * decode are still copied, and only wamp_payload_get_values() fails. */
static void
test_raw_payload_not_decoded_when_forwarded (void)
{
  /* Args span: an array claiming 3 items of which one is there; kwargs span:
   * the reserved byte 0xc1 and an ext. */
  const guint8 junk[] = { 0x93, 0x01, 0xc1, 0xd4, 0x01, 0x00 };
  g_autoptr(GBytes) frame = g_bytes_new (junk, sizeof junk);
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (serializer, frame, 0, 2, 2, 4);
  g_autoptr(WampMessage) message = wamp_message_new_event (1, 2, NULL, payload);
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 expected[] = { 0x96, 0x24, 0x01, 0x02, 0x80, 0x93, 0x01, 0xc1, 0xd4, 0x01, 0x00 };

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  assert_bytes_mem (out, expected, sizeof expected);

  g_assert_false (wamp_payload_get_values (payload, NULL, NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
}

/* Decoded payloads go through the writer; Arguments is [] when only
 * ArgumentsKw exists, and absent when neither does. */
static void
test_decoded_payload_written (void)
{
  g_autoptr(WampValue) kwargs = decode (MP ("\x82\xa1" "b\x92\x01\x02\xa1" "a\xa1x"));
  g_autoptr(WampValue) args = decode (MP ("\x92\xa5hello\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"));
  g_autoptr(WampPayload) only_kwargs = wamp_payload_new (NULL, kwargs);
  g_autoptr(WampPayload) only_args = wamp_payload_new (args, NULL);
  g_autoptr(WampMessage) m1 = wamp_message_new_result (7, NULL, only_kwargs);
  g_autoptr(WampMessage) m2 = wamp_message_new_call (8, NULL, "f", only_args);
  g_autoptr(WampMessage) m3 = wamp_message_new_call (9, NULL, "g", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL, b3 = NULL;

  b1 = wamp_serializer_serialize (serializer, m1, &error);
  g_assert_no_error (error);
  b2 = wamp_serializer_serialize (serializer, m2, &error);
  g_assert_no_error (error);
  b3 = wamp_serializer_serialize (serializer, m3, &error);
  g_assert_no_error (error);
  assert_bytes_mem (b1, MP ("\x95\x32\x07\x80\x90\x82\xa1" "b\x92\x01\x02\xa1" "a\xa1x"));
  assert_bytes_mem (b2, MP ("\x95\x30\x08\x80\xa1" "f\x92\xa5hello\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"));
  assert_bytes_mem (b3, MP ("\x94\x30\x09\x80\xa1g"));
}

/* A raw payload of this serializer with only ArgumentsKw present (a
 * hand-built one: our reader always sees Arguments first) gets [] written. */
static void
test_raw_kwargs_only_gets_empty_args (void)
{
  const guint8 kw[] = { 0x81, 0xa1, 'k', 0x01 };
  g_autoptr(GBytes) frame = g_bytes_new (kw, sizeof kw);
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (serializer, frame, 0, 0, 0, sizeof kw);
  g_autoptr(WampMessage) message = wamp_message_new_result (3, NULL, payload);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = wamp_serializer_serialize (serializer, message, &error);

  g_assert_no_error (error);
  assert_bytes_mem (out, MP ("\x95\x32\x03\x80\x90\x81\xa1k\x01"));
}

/* A payload written by another serializer (JSON here) is decoded and
 * re-encoded: JSON's binary convention becomes bin, 1.0 stays a double. */
static void
test_json_payload_transcoded (void)
{
  g_autoptr(WampJsonSerializer) json = wamp_json_serializer_new ();
  const char *text = "[36, 5, 6, {}, [1.0, \"\\u0000AQID\", \"a\\u0000b\", 18446744073709551615], {\"k\": null}]";
  g_autoptr(GBytes) frame = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(WampMessage) back = NULL;

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (json), frame, &error);
  g_assert_no_error (error);
  g_assert_true (wamp_payload_get_serializer (wamp_message_get_payload (message)) ==
                 WAMP_SERIALIZER (json));

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  assert_bytes_mem (out, MP ("\x96\x24\x05\x06\x80\x94\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00"
                             "\xc4\x03\x01\x02\x03\xa3" "a\0b\xcf\xff\xff\xff\xff\xff\xff\xff\xff"
                             "\x81\xa1k\xc0"));
  back = wamp_serializer_deserialize (serializer, out, &error);
  g_assert_no_error (error);
  assert_messages_equal (message, back);
}

/* Errors from deserialize say what went wrong. */
static void
test_violation_reasons (void)
{
  struct {
    const char *bytes;
    gsize len;
    const char *reason;
  } cases[] = {
    { S ("\x93\x11\x01\x02\x00"), "trailing bytes" },
    { S ("\x91\xa2" "16"), "message type must be an integer" },
    { S ("\x91\x63"), "unknown message type 99" },
    { S ("\x95\x10\x01\x80\xa1t\x80"), "Arguments must be a list" },
    { S ("\x96\x10\x01\x80\xa1t\x90\x90"), "ArgumentsKw must be a dict" },
    { S ("\x95\x10\x01\x80\xa1t\x91\xa1\xff"), "invalid UTF-8" },
    { S ("\x93\x01\xa1r\x81\x01\x80"), "map key must be a str" },
    { S ("\x95\x10\x01\x80\xa1t\x91\xd6\xff\x00\x00\x00\x00"), "ext types" },
    { S ("\x81\xa1t\x01"), "must be a MessagePack array" },
    { S ("\x90"), "empty message array" },
    { S (""), "empty frame" },
    { S ("\x95\x10\x01\x80\xa1t\x91\xc1"), "reserved" },
    { S ("\x93\x11\x01\xcd\x01"), "truncated" },
    { S ("\x93\x11\x01"), "array count exceeds" },
    { S ("\x95\x10\x01\x80\xa1t\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91"
      "\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x91\x90"), "nesting too deep" },
    { S ("\x94\x11\x01\x02\x03"), "PUBLISHED" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) m = deserialize_mem ((const guint8 *) cases[i].bytes, cases[i].len, &error);

      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (m);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": reason \"%s\" lacks \"%s\"", i, error->message, cases[i].reason);
    }
}

/* The fast paths (fields, the payload's flat scalars) take every kind they
 * cover exactly as the full reader does, and leave anything wrong to it:
 * the same reason at the same byte. */
static void
test_fast_paths_agree (void)
{
  static const guint8 call[] =
    "\x95\x30\xcf\x00\x00\x00\x00\x00\x01\x00\x00\x80\xd9\x03" "a.b"
    "\xdc\x00\x14"
    "\x00\xff\xc0\xc3\xc2"
    "\xca\x3f\xc0\x00\x00" "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"
    "\xcc\xff" "\xcd\x01\x00" "\xce\x00\x01\x00\x00" "\xcf\x00\x00\x00\x01\x00\x00\x00\x00"
    "\xd0\x80" "\xd1\x80\x00" "\xd2\x80\x00\x00\x00" "\xd3\x80\x00\x00\x00\x00\x00\x00\x00"
    "\xa0" "\xa2\xc3\xa9" "\xd9\x03xyz" "\x91\x91\x01" "\x81\xa1k\xa1v";
  struct {
    const char *bytes;
    gsize len;
    const char *message;
  } bad[] = {
    { S ("\x95\x30\x01\x80\xa1t\x92\x01\xa2\xc3\x28"),
      "invalid MessagePack at byte 9: invalid UTF-8 in str" },
    { S ("\x95\x30\x01\x80\xa1t\x92\x01\xd9\x05" "ab"),
      "invalid MessagePack at byte 8: str length exceeds the bytes left" },
    { S ("\x95\x30\x01\x80\xa1t\x91\xcb\x00\x00\x00"),
      "invalid MessagePack at byte 7: truncated" },
    { S ("\x96\x30\x01\x80\xa1t\x90\x81\xa1k\xa1\xff"),
      "invalid MessagePack at byte 11: invalid UTF-8 in str" },
    { S ("\x95\x30\x01\x80\xd9\x02\xe2\x82\x90"),
      "invalid MessagePack at byte 6: invalid UTF-8 in str" },
    { S ("\x93\x11\xce\x00\x01"),
      "invalid MessagePack at byte 2: truncated" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) m = deserialize_mem (call, sizeof call - 1, &error);
  const guint8 *args, *kwargs;
  gsize args_len, kwargs_len;

  g_assert_no_error (error);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, G_GUINT64_CONSTANT (1) << 16);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "a.b");
  g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (m), serializer,
                                       &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, call + 17, sizeof call - 1 - 17);
  g_assert_cmpuint (kwargs_len, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(WampMessage) bad_m = deserialize_mem ((const guint8 *) bad[i].bytes, bad[i].len, &bad_error);

      g_assert_null (bad_m);
      g_assert_error (bad_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_cmpstr (bad_error->message, ==, bad[i].message);
    }
}

/* The reader never reads past the GBytes, whatever follows it in memory. */
static void
test_frame_not_read_past (void)
{
  const guint8 text[] = { 0x93, 0x11, 0xcd, 0x01, 0x00, 0xa3, 'a', 'b', 'c' };

  for (gsize cut = 1; cut < sizeof text; cut++)
    {
      g_autofree guint8 *copy = g_memdup2 (text, cut);
      g_autoptr(GBytes) frame = g_bytes_new_take (g_steal_pointer (&copy), cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) m = wamp_serializer_deserialize (serializer, frame, &error);

      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (m);
    }

  /* An empty GBytes without any data pointer. */
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(WampMessage) m = wamp_serializer_deserialize (serializer, empty, &error);
    g_autoptr(WampValue) v = NULL;

    g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
    g_assert_null (m);
    g_clear_error (&error);
    v = wamp_serializer_decode_value (serializer, NULL, 0, &error);
    g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
    g_assert_null (v);
  }
}

/* An independent decoder agrees with the writer: msgpack-c unpacks what we
 * wrote back to the same objects. */
static void
test_msgpack_c_reads_our_output (void)
{
  g_autoptr(WampValue) list = wamp_value_new_list (7);
  g_autoptr(WampValue) dict = wamp_value_new_dict (1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  msgpack_unpacked unpacked;
  msgpack_object_array *a;
  gsize len, offset = 0;
  const char *data;

  wamp_value_list_append (list, wamp_value_new_int (G_MININT64));
  wamp_value_list_append (list, wamp_value_new_uint (G_MAXUINT64));
  wamp_value_list_append (list, wamp_value_new_double (-0.0));
  wamp_value_list_append (list, wamp_value_new_string_len ("\0a\0", 3));
  wamp_value_list_append (list, wamp_value_new_bytes ((const guint8 *) "\xff\x00", 2));
  wamp_value_dict_insert (dict, "k", wamp_value_new_list (0));
  wamp_value_list_append (list, wamp_value_ref (dict));
  wamp_value_list_append (list, wamp_value_new_int (300));

  bytes = wamp_serializer_encode_value (serializer, list, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  msgpack_unpacked_init (&unpacked);
  g_assert_cmpint (msgpack_unpack_next (&unpacked, data, len, &offset), ==, MSGPACK_UNPACK_SUCCESS);
  g_assert_cmpuint (offset, ==, len);

  g_assert_cmpint (unpacked.data.type, ==, MSGPACK_OBJECT_ARRAY);
  a = &unpacked.data.via.array;
  g_assert_cmpuint (a->size, ==, 7);
  g_assert_cmpint (a->ptr[0].type, ==, MSGPACK_OBJECT_NEGATIVE_INTEGER);
  g_assert_cmpint (a->ptr[0].via.i64, ==, G_MININT64);
  g_assert_cmpint (a->ptr[1].type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  g_assert_cmpuint (a->ptr[1].via.u64, ==, G_MAXUINT64);
  g_assert_cmpint (a->ptr[2].type, ==, MSGPACK_OBJECT_FLOAT64);
  g_assert_true (signbit (a->ptr[2].via.f64));
  g_assert_cmpint (a->ptr[3].type, ==, MSGPACK_OBJECT_STR);
  g_assert_cmpmem (a->ptr[3].via.str.ptr, a->ptr[3].via.str.size, "\0a\0", 3);
  g_assert_cmpint (a->ptr[4].type, ==, MSGPACK_OBJECT_BIN);
  g_assert_cmpmem (a->ptr[4].via.bin.ptr, a->ptr[4].via.bin.size, "\xff\x00", 2);
  g_assert_cmpint (a->ptr[5].type, ==, MSGPACK_OBJECT_MAP);
  g_assert_cmpuint (a->ptr[5].via.map.size, ==, 1);
  g_assert_cmpint (a->ptr[5].via.map.ptr[0].val.type, ==, MSGPACK_OBJECT_ARRAY);
  g_assert_cmpint (a->ptr[6].type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
  g_assert_cmpuint (a->ptr[6].via.u64, ==, 300);
  msgpack_unpacked_destroy (&unpacked);
}

/* The frame appended to a buffer (a transport queue's), cached or not;
 * nothing appended when the writer fails. */
static void
test_serialize_into (void)
{
  serializer_test_serialize_into (serializer, 1100);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The MessagePack serializer: bounded reader, writer checked by msgpack-c, WAMP messages, raw payloads.");

  serializer = WAMP_SERIALIZER (wamp_msgpack_serializer_new ());
  data_paths = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/msgpack/message/fast-paths-agree-with-the-reader", test_fast_paths_agree);
  g_test_add_func ("/msgpack/serializer/identity", test_serializer_identity);
  g_test_add_func ("/msgpack/serializer/serialize-into", test_serialize_into);
  g_test_add_func ("/msgpack/serializer/max-depth-property-default-32-minimum-1", test_max_depth_property);
  g_test_add_func ("/msgpack/value/integers/smallest-form-and-normalised-on-read", test_integers_smallest_form);
  g_test_add_func ("/msgpack/value/doubles/always-float64-keeps-negative-zero-nan-infinity", test_doubles_always_float64);
  g_test_add_func ("/msgpack/value/doubles/float32-reads-as-equal-double", test_float32_decodes_to_double);
  g_test_add_func ("/msgpack/value/strings/any-unicode-and-nul-anywhere-round-trip", test_strings_round_trip);
  g_test_add_func ("/msgpack/value/strings/invalid-utf8-refused", test_strings_bad_utf8_refused);
  g_test_add_func ("/msgpack/value/bytes/bin-every-header-size-round-trip", test_bytes_round_trip);
  g_test_add_func ("/msgpack/value/null-and-bools", test_null_and_bools);
  g_test_add_func ("/msgpack/value/containers/nested-empty-wide-and-key-order-round-trip", test_containers_round_trip);
  g_test_add_func ("/msgpack/value/dicts/duplicate-key-last-value-wins-first-place", test_duplicate_keys_last_wins);
  g_test_add_func ("/msgpack/value/dicts/non-string-keys-refused", test_non_string_keys_refused);
  g_test_add_func ("/msgpack/value/ext-and-reserved-byte-refused", test_ext_and_reserved_refused);
  g_test_add_func ("/msgpack/value/absurd-claimed-lengths-fail-fast", test_absurd_claimed_lengths_fail_fast);
  g_test_add_func ("/msgpack/value/decode-needs-exactly-one-value", test_decode_value_needs_exactly_one_value);
  g_test_add_func ("/msgpack/value/nesting/limit-32-refuses-33", test_nesting_limit);
  g_test_add_func ("/msgpack/message/nesting-limit-follows-max-depth-property", test_nesting_limit_configurable);
  g_test_add_func ("/msgpack/message/every-type-round-trips", test_every_message_type_round_trip);
  g_test_add_func ("/msgpack/message/raw-payload-copied-byte-for-byte", test_raw_payload_copied_verbatim);
  g_test_add_func ("/msgpack/message/raw-payload-not-decoded-when-forwarded", test_raw_payload_not_decoded_when_forwarded);
  g_test_add_func ("/msgpack/message/decoded-payload-written-with-empty-args-for-kwargs", test_decoded_payload_written);
  g_test_add_func ("/msgpack/message/raw-kwargs-only-gets-empty-args", test_raw_kwargs_only_gets_empty_args);
  g_test_add_func ("/msgpack/message/json-payload-transcoded", test_json_payload_transcoded);
  g_test_add_func ("/msgpack/message/violations-name-the-reason", test_violation_reasons);
  g_test_add_func ("/msgpack/message/truncated-frame-never-read-past", test_frame_not_read_past);
  g_test_add_func ("/msgpack/value/msgpack-c-reads-our-output", test_msgpack_c_reads_our_output);
  add_data_file_tests ();

  ret = g_test_run ();

  g_ptr_array_unref (data_paths);
  g_object_unref (serializer);
  return ret;
}
