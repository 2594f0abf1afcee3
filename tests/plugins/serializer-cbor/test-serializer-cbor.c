/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the CBOR serializer: conformance files, truncation everywhere,
 * exact encodings, the value mapping, raw payload passthrough and bounds. */

#include <math.h>
#include <string.h>

#include <cbor.h>
#include <wamp/wamp.h>

/* Under ASan (how CI runs the tests) the allocator says how much is live,
 * which proves that absurd claimed lengths allocate nothing. */
#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ALLOCATED_BYTES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ALLOCATED_BYTES 1
#endif
#endif
#ifdef HAVE_ALLOCATED_BYTES
/* From <sanitizer/allocator_interface.h>, which gcc does not install. */
size_t __sanitizer_get_current_allocated_bytes (void);
#endif

#include "serializer-test-util.h"
#include "wamp-cbor-serializer.h"
#include "wamp-cbor-reader.h"

static WampSerializer *serializer;

/* The data files, kept alive for the test cases that take them as data. */
static GPtrArray *data_paths;
static GPtrArray *valid_paths;

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize n = strlen (hex) / 2;
  guint8 *data = g_malloc (MAX (n, 1));

  g_assert_cmpuint (strlen (hex) % 2, ==, 0);
  for (gsize i = 0; i < n; i++)
    {
      gint hi = g_ascii_xdigit_value (hex[2 * i]);
      gint lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      data[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (data, n);
}

static char *
bytes_to_hex (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  GString *s = g_string_sized_new (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (s, "%02x", data[i]);
  return g_string_free (s, FALSE);
}

static WampValue *
decode_hex (const char *hex)
{
  g_autoptr(GBytes) bytes = bytes_from_hex (hex);
  g_autoptr(GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  WampValue *value;

  value = wamp_serializer_decode_value (serializer, data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  return value;
}

static void
assert_decode_hex_fails (const char *hex)
{
  g_autoptr(GBytes) bytes = bytes_from_hex (hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  value = wamp_serializer_decode_value (serializer, data, len, &error);
  if (value != NULL)
    g_error ("%s decoded but must not", hex);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
}

static char *
encode_hex (WampValue *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = wamp_serializer_encode_value (serializer, value, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes_to_hex (bytes);
}

static void
assert_messages_equal (WampMessage *a,
                       WampMessage *b)
{
  serializer_test_assert_messages_equal (a, b, serializer_test_values_identical);
}

static WampMessage *
deserialize_hex (const char  *hex,
                 GError     **error)
{
  g_autoptr(GBytes) frame = bytes_from_hex (hex);

  return wamp_serializer_deserialize (serializer, frame, error);
}

static void
assert_raw_spans_equal (WampMessage *a,
                        WampMessage *b)
{
  WampPayload *pa = wamp_message_get_payload (a);
  WampPayload *pb = wamp_message_get_payload (b);
  const guint8 *aa, *ak, *ba, *bk;
  gsize aa_len, ak_len, ba_len, bk_len;

  g_assert_true ((pa == NULL) == (pb == NULL));
  if (pa == NULL)
    return;
  g_assert_true (wamp_payload_get_raw (pa, serializer, &aa, &aa_len, &ak, &ak_len));
  g_assert_true (wamp_payload_get_raw (pb, serializer, &ba, &ba_len, &bk, &bk_len));
  g_assert_cmpmem (aa, aa_len, ba, ba_len);
  g_assert_cmpmem (ak, ak_len, bk, bk_len);
}

/* y_*.cbor: deserializes; serializing gives a frame that deserializes to an
 * identical message whose payload bytes are the original ones (passthrough),
 * and serializing that again gives the same bytes. The payload decoded and
 * written through the writer also reads back identical. */
static void
test_valid_file (gconstpointer data)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = serializer_test_read_file (path);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) again2 = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampMessage) reread = NULL;
  g_autoptr(WampMessage) reread2 = NULL;

  message = wamp_serializer_deserialize (serializer, frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  serializer_test_assert_lent_same (serializer, frame, message);

  again = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  reread = wamp_serializer_deserialize (serializer, again, &error);
  g_assert_no_error (error);
  assert_messages_equal (message, reread);
  assert_raw_spans_equal (message, reread);

  again2 = wamp_serializer_serialize (serializer, reread, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (again, again2));
  reread2 = wamp_serializer_deserialize (serializer, again2, &error);
  g_assert_no_error (error);

  if (wamp_message_get_payload (message) != NULL)
    {
      g_autoptr(WampMessage) transcoded = serializer_test_with_decoded_payload (message);
      g_autoptr(WampMessage) reread3 = NULL;
      g_autoptr(GBytes) written = NULL;

      written = wamp_serializer_serialize (serializer, transcoded, &error);
      g_assert_no_error (error);
      reread3 = wamp_serializer_deserialize (serializer, written, &error);
      g_assert_no_error (error);
      assert_messages_equal (message, reread3);
    }
}

/* n_*.cbor: refused as a protocol violation. */
static void
test_invalid_file (gconstpointer data)
{
  serializer_test_assert_invalid_file (serializer, data);
}

/* Every proper prefix of every valid frame is a protocol violation, read
 * from an exactly sized copy so that ASan sees any read past the end. */
static void
test_truncated_at_every_byte (void)
{
  guint n_checked = 0;

  g_assert_cmpuint (valid_paths->len, >=, 40);
  for (guint i = 0; i < valid_paths->len; i++)
    {
      g_autoptr(GBytes) frame = serializer_test_read_file (valid_paths->pdata[i]);
      gsize len;
      const guint8 *data = g_bytes_get_data (frame, &len);

      for (gsize cut = 0; cut < len; cut++)
        {
          g_autoptr(GBytes) prefix = g_bytes_new_take (g_memdup2 (data, cut), cut);
          g_autoptr(GError) error = NULL;
          g_autoptr(WampMessage) m = wamp_serializer_deserialize (serializer, prefix, &error);
          g_autoptr(WampValue) v = NULL;
          g_autoptr(GError) value_error = NULL;

          if (m != NULL)
            g_error ("%s cut at %" G_GSIZE_FORMAT " deserialized", (char *) valid_paths->pdata[i], cut);
          g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
          v = wamp_serializer_decode_value (serializer, g_bytes_get_data (prefix, NULL), cut, &value_error);
          g_assert_null (v);
          g_assert_error (value_error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
          n_checked++;
        }
    }
  g_test_message ("%u prefixes refused", n_checked);
}

static void
add_data_file_tests (void)
{
  serializer_test_add_data_files ("cbor", CBOR_TEST_DATA_DIR "/messages", ".cbor",
                                  test_valid_file, test_invalid_file,
                                  data_paths, valid_paths, 40, 80);
}

static void
test_serializer_identity (void)
{
  g_assert_cmpstr (wamp_serializer_get_name (serializer), ==, "cbor");
  g_assert_cmpstr (wamp_serializer_get_subprotocol (serializer), ==, "wamp.2.cbor");
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (serializer), ==, 3);
  g_assert_true (wamp_serializer_is_binary (serializer));
}

/* The max-depth property: default 32, readable and writable as a property,
 * and it bounds frames and values alike. */
static void
test_max_depth_property (void)
{
  g_autoptr(WampCborSerializer) strict = wamp_cbor_serializer_new ();
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (strict), "max-depth");
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampValue) value = NULL;
  /* [16, 1, {}, "t", [[1]]] and one level deeper. */
  g_autoptr(GBytes) ok = bytes_from_hex ("851001a06174818101");
  g_autoptr(GBytes) deep = bytes_from_hex ("851001a0617481818101");
  guint depth = 0;

  g_assert_nonnull (pspec);
  g_assert_true (G_IS_PARAM_SPEC_UINT (pspec));
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->minimum, ==, 1);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->default_value, ==, 32);
  g_object_get (strict, "max-depth", &depth, NULL);
  g_assert_cmpuint (depth, ==, 32);

  g_object_set (strict, "max-depth", 3, NULL);
  g_assert_cmpuint (wamp_cbor_serializer_get_max_depth (strict), ==, 3);

  /* Out of range (0, or above what the reader may recurse): refused, the
   * limit stays. */
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*max-depth*");
  g_object_set (strict, "max-depth", 0, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING, "*max-depth*");
  g_object_set (strict, "max-depth", WAMP_CBOR_MAX_MAX_DEPTH + 1, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("wamp-cbor", G_LOG_LEVEL_CRITICAL, "*max_depth >= 1*");
  wamp_cbor_serializer_set_max_depth (strict, 0);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (wamp_cbor_serializer_get_max_depth (strict), ==, 3);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), ok, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_clear_pointer (&message, wamp_message_unref);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), deep, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_nonnull (strstr (error->message, "nesting too deep"));
  g_assert_null (message);
  g_clear_error (&error);

  /* A value alone may nest max-depth deep: [[[1]]] passes, [[[[1]]]] not. */
  value = wamp_serializer_decode_value (WAMP_SERIALIZER (strict), (const guint8 *) "\x81\x81\x81\x01", 4, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_clear_pointer (&value, wamp_value_unref);
  value = wamp_serializer_decode_value (WAMP_SERIALIZER (strict), (const guint8 *) "\x81\x81\x81\x81\x01", 5, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (value);
  g_clear_error (&error);

  /* Depth 1: only a message without containers inside. */
  wamp_cbor_serializer_set_max_depth (strict, 1);
  g_object_get (strict, "max-depth", &depth, NULL);
  g_assert_cmpuint (depth, ==, 1);
  message = deserialize_hex ("831101" "02", &error);
  g_assert_no_error (error);
  g_clear_pointer (&message, wamp_message_unref);
  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), ok, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
}

/* Integers: shortest heads, int64/uint64 extremes exact and typed as
 * WampValue normalises them. */
static void
test_integers_exact (void)
{
  struct {
    gint64 v;
    const char *hex;
  } ints[] = {
    { 0, "00" }, { 1, "01" }, { 23, "17" }, { 24, "1818" }, { 255, "18ff" },
    { 256, "190100" }, { 65535, "19ffff" }, { 65536, "1a00010000" },
    { G_GINT64_CONSTANT (4294967295), "1affffffff" },
    { G_GINT64_CONSTANT (4294967296), "1b0000000100000000" },
    { G_GINT64_CONSTANT (9007199254740992), "1b0020000000000000" },
    { G_MAXINT64, "1b7fffffffffffffff" },
    { -1, "20" }, { -24, "37" }, { -25, "3818" }, { -256, "38ff" }, { -257, "390100" },
    { G_GINT64_CONSTANT (-4294967296), "3affffffff" },
    { G_GINT64_CONSTANT (-4294967297), "3b0000000100000000" },
    { G_MININT64 + 1, "3b7ffffffffffffffe" },
    { G_MININT64, "3b7fffffffffffffff" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_int (ints[i].v);
      g_autofree char *hex = encode_hex (v);
      g_autoptr(WampValue) back = decode_hex (hex);

      g_assert_cmpstr (hex, ==, ints[i].hex);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_INT);
      g_assert_cmpint (wamp_value_get_int (back), ==, ints[i].v);
    }

  {
    g_autoptr(WampValue) max = wamp_value_new_uint (G_MAXUINT64);
    g_autoptr(WampValue) above = wamp_value_new_uint ((guint64) G_MAXINT64 + 1);
    g_autofree char *hex_max = encode_hex (max);
    g_autofree char *hex_above = encode_hex (above);
    g_autoptr(WampValue) back_max = decode_hex (hex_max);
    g_autoptr(WampValue) back_above = decode_hex (hex_above);
    g_autoptr(WampValue) small = decode_hex ("1b0000000000000005");

    g_assert_cmpstr (hex_max, ==, "1bffffffffffffffff");
    g_assert_cmpstr (hex_above, ==, "1b8000000000000000");
    g_assert_cmpint (wamp_value_get_value_type (back_max), ==, WAMP_VALUE_UINT);
    g_assert_cmpuint (wamp_value_get_uint (back_max), ==, G_MAXUINT64);
    g_assert_cmpint (wamp_value_get_value_type (back_above), ==, WAMP_VALUE_UINT);
    g_assert_cmpuint (wamp_value_get_uint (back_above), ==, (guint64) G_MAXINT64 + 1);
    /* A long head on a small number is a plain int. */
    g_assert_cmpint (wamp_value_get_value_type (small), ==, WAMP_VALUE_INT);
    g_assert_cmpint (wamp_value_get_int (small), ==, 5);
  }

  /* Below INT64_MIN has no WampValue. */
  assert_decode_hex_fails ("3b8000000000000000");
  assert_decode_hex_fails ("3bffffffffffffffff");
}

/* Tags 2/3 that fit 64 bits become integers; self-describe is ignored;
 * everything else is refused. */
static void
test_tags (void)
{
  g_autoptr(WampValue) umax = decode_hex ("c248ffffffffffffffff");
  g_autoptr(WampValue) imin = decode_hex ("c3487fffffffffffffff");
  g_autoptr(WampValue) zeros = decode_hex ("c24a00000000000000000001");
  g_autoptr(WampValue) empty = decode_hex ("c240");
  g_autoptr(WampValue) minus_one = decode_hex ("c340");
  g_autoptr(WampValue) chunked = decode_hex ("c25f41014100ff");
  g_autoptr(WampValue) described = decode_hex ("d9d9f7d9d9f78102");

  g_assert_cmpint (wamp_value_get_value_type (umax), ==, WAMP_VALUE_UINT);
  g_assert_cmpuint (wamp_value_get_uint (umax), ==, G_MAXUINT64);
  g_assert_cmpint (wamp_value_get_int (imin), ==, G_MININT64);
  g_assert_cmpint (wamp_value_get_int (zeros), ==, 1);
  g_assert_cmpint (wamp_value_get_int (empty), ==, 0);
  g_assert_cmpint (wamp_value_get_int (minus_one), ==, -1);
  g_assert_cmpint (wamp_value_get_int (chunked), ==, 256);
  g_assert_cmpuint (wamp_value_list_length (described), ==, 1);
  g_assert_cmpint (wamp_value_get_int (wamp_value_list_get (described, 0)), ==, 2);

  assert_decode_hex_fails ("c249010000000000000000");   /* 2^64 */
  assert_decode_hex_fails ("c3488000000000000000");     /* -1 - 2^63 */
  assert_decode_hex_fails ("c201");                     /* not a byte string */
  assert_decode_hex_fails ("c074323031332d30332d3231"); /* date/time string */
  assert_decode_hex_fails ("c11a514b67b0");             /* epoch */
  assert_decode_hex_fails ("d82068687474703a2f2f78");   /* URI */
  assert_decode_hex_fails ("d9d9f7");                   /* a tag of nothing */
}

/* Doubles are always written as float64: -0.0, whole numbers and NaN
 * payloads come back bit for bit. Half and single floats read as doubles. */
static void
test_floats (void)
{
  struct {
    guint64 bits;
    const char *hex;
  } doubles[] = {
    { G_GUINT64_CONSTANT (0x3ff0000000000000), "fb3ff0000000000000" },  /* 1.0 */
    { G_GUINT64_CONSTANT (0x8000000000000000), "fb8000000000000000" },  /* -0.0 */
    { G_GUINT64_CONSTANT (0x0000000000000000), "fb0000000000000000" },  /* 0.0 */
    { G_GUINT64_CONSTANT (0x3fb999999999999a), "fb3fb999999999999a" },  /* 0.1 */
    { G_GUINT64_CONSTANT (0x4340000000000000), "fb4340000000000000" },  /* 2^53 */
    { G_GUINT64_CONSTANT (0x7ff0000000000000), "fb7ff0000000000000" },  /* inf */
    { G_GUINT64_CONSTANT (0xfff0000000000000), "fbfff0000000000000" },  /* -inf */
    { G_GUINT64_CONSTANT (0x7ff8000000000000), "fb7ff8000000000000" },  /* NaN */
    { G_GUINT64_CONSTANT (0x7ff8000000000123), "fb7ff8000000000123" },  /* NaN payload */
    { G_GUINT64_CONSTANT (0x0000000000000001), "fb0000000000000001" },  /* min subnormal */
  };
  struct {
    const char *hex;
    gdouble value;
  } narrow[] = {
    { "f93c00", 1.0 }, { "f90000", 0.0 }, { "f9c000", -2.0 }, { "f97bff", 65504.0 },
    { "f90001", 5.9604644775390625e-08 }, { "f90400", 6.103515625e-05 },
    { "f93555", 0.333251953125 }, { "f97c00", INFINITY }, { "f9fc00", -INFINITY },
    { "fa3fc00000", 1.5 }, { "fa7f7fffff", 3.4028234663852886e+38 },
    { "fa00000001", 1.401298464324817e-45 }, { "fa7f800000", INFINITY },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      gdouble d;
      g_autoptr(WampValue) v = NULL;
      g_autofree char *hex = NULL;
      g_autoptr(WampValue) back = NULL;
      gdouble back_d;

      memcpy (&d, &doubles[i].bits, sizeof d);
      v = wamp_value_new_double (d);
      hex = encode_hex (v);
      g_assert_cmpstr (hex, ==, doubles[i].hex);
      back = decode_hex (hex);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_DOUBLE);
      back_d = wamp_value_get_double (back);
      g_assert_cmpmem (&back_d, sizeof back_d, &d, sizeof d);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (narrow); i++)
    {
      g_autoptr(WampValue) v = decode_hex (narrow[i].hex);

      g_assert_cmpint (wamp_value_get_value_type (v), ==, WAMP_VALUE_DOUBLE);
      g_assert_cmpfloat (wamp_value_get_double (v), ==, narrow[i].value);
    }

  {
    g_autoptr(WampValue) neg_zero = decode_hex ("f98000");
    g_autoptr(WampValue) half_nan = decode_hex ("f97e00");
    g_autoptr(WampValue) single_nan = decode_hex ("fa7fc00000");
    g_autoptr(WampValue) one = decode_hex ("f93c00");
    g_autofree char *one_hex = encode_hex (one);

    g_assert_true (signbit (wamp_value_get_double (neg_zero)));
    g_assert_cmpfloat (wamp_value_get_double (neg_zero), ==, 0.0);
    g_assert_true (isnan (wamp_value_get_double (half_nan)));
    g_assert_true (isnan (wamp_value_get_double (single_nan)));
    /* A half 1.0 goes out as a float64 1.0, never as the integer 1. */
    g_assert_cmpstr (one_hex, ==, "fb3ff0000000000000");
  }
}

static void
test_strings (void)
{
  struct {
    const char *data;
    gsize len;
    const char *hex;
  } cases[] = {
    { "", 0, "60" },
    { "a", 1, "6161" },
    { "a\0b", 3, "63610062" },
    { "\0abc", 4, "6400616263" },
    { "\0", 1, "6100" },
    { "\xc3\xa9t\xc3\xa9", 5, "65c3a974c3a9" },
    { "\xf0\x9f\x98\x80", 4, "64f09f9880" },
    { "\xf4\x8f\xbf\xbf", 4, "64f48fbfbf" },
    { "\xef\xbf\xbf", 3, "63efbfbf" },
    { "abcdefghijklmnopqrstuvwx", 24, "7818" "6162636465666768696a6b6c6d6e6f707172737475767778" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_string_len (cases[i].data, cases[i].len);
      g_autofree char *hex = encode_hex (v);
      g_autoptr(WampValue) back = decode_hex (hex);
      gsize len;
      const char *s;

      g_assert_cmpstr (hex, ==, cases[i].hex);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_STRING);
      s = wamp_value_get_string (back, &len);
      g_assert_cmpmem (s, len, cases[i].data, cases[i].len);
    }

  /* Indefinite text: chunks joined; each chunk is valid UTF-8 on its own. */
  {
    g_autoptr(WampValue) joined = decode_hex ("7f626162" "60" "63e282ac" "ff");
    g_autoptr(WampValue) empty = decode_hex ("7fff");
    gsize len;
    const char *s = wamp_value_get_string (joined, &len);

    g_assert_cmpmem (s, len, "ab\xe2\x82\xac", 5);
    g_assert_cmpstr (wamp_value_get_string (empty, NULL), ==, "");
  }

  /* Invalid UTF-8 is refused wherever it appears. */
  {
    const char *bad[] = {
      "61ff", "6180", "62c080", "63e080af", "63eda080", "64f4908080", "65f888808080",
      "62e282", "7f62e2826181ff", "a161c301", "8161c3", "7f61ff",
    };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      assert_decode_hex_fails (bad[i]);
  }
}

static void
test_bytes (void)
{
  struct {
    const guint8 *data;
    gsize len;
    const char *hex;
  } cases[] = {
    { (const guint8 *) "", 0, "40" },
    { (const guint8 *) "\x00", 1, "4100" },
    { (const guint8 *) "\x00\x01\xff", 3, "430001ff" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_bytes (cases[i].data, cases[i].len);
      g_autofree char *hex = encode_hex (v);
      g_autoptr(WampValue) back = decode_hex (hex);
      gsize len;
      const guint8 *data;

      g_assert_cmpstr (hex, ==, cases[i].hex);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_BYTES);
      data = wamp_value_get_bytes (back, &len);
      g_assert_cmpmem (data, len, cases[i].data, cases[i].len);
    }

  {
    g_autoptr(WampValue) chunked = decode_hex ("5f4201024103ff");
    gsize len;
    const guint8 *data = wamp_value_get_bytes (chunked, &len);

    g_assert_cmpmem (data, len, "\x01\x02\x03", 3);
  }
}

static void
test_simple_values (void)
{
  g_autoptr(WampValue) t = decode_hex ("f5");
  g_autoptr(WampValue) f = decode_hex ("f4");
  g_autoptr(WampValue) null = decode_hex ("f6");
  g_autoptr(WampValue) undefined = decode_hex ("f7");
  g_autofree char *t_hex = encode_hex (t);
  g_autofree char *f_hex = encode_hex (f);
  g_autofree char *null_hex = encode_hex (null);
  g_autofree char *undefined_hex = encode_hex (undefined);

  g_assert_true (wamp_value_get_bool (t));
  g_assert_false (wamp_value_get_bool (f));
  g_assert_cmpint (wamp_value_get_value_type (null), ==, WAMP_VALUE_NULL);
  g_assert_cmpint (wamp_value_get_value_type (undefined), ==, WAMP_VALUE_NULL);
  g_assert_cmpstr (t_hex, ==, "f5");
  g_assert_cmpstr (f_hex, ==, "f4");
  g_assert_cmpstr (null_hex, ==, "f6");
  g_assert_cmpstr (undefined_hex, ==, "f6");

  assert_decode_hex_fails ("e0");
  assert_decode_hex_fails ("f3");
  assert_decode_hex_fails ("f820");
  assert_decode_hex_fails ("f8ff");
  assert_decode_hex_fails ("f814");
  assert_decode_hex_fails ("fc");
  assert_decode_hex_fails ("ff");
}

/* Containers are written with definite lengths; keys keep their order. */
static void
test_containers (void)
{
  const char *canonical[] = {
    "80", "a0", "8180", "81a0", "a16161" "80", "a16161" "a0", "8380a0818180",
    "a3" "636b0065" "01" "60" "f6" "6162" "82f5f4",
    "85" "01" "6374776f" "fb400c000000000000" "f6" "a1" "6178" "8101",
    "98190102030405060708090a0b0c0d0e0f101112131415161718181818",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (canonical); i++)
    {
      g_autoptr(WampValue) v = decode_hex (canonical[i]);
      g_autofree char *hex = encode_hex (v);

      g_assert_cmpstr (hex, ==, canonical[i]);
    }

  /* Indefinite input is written back definite. */
  {
    g_autoptr(WampValue) list = decode_hex ("9f019f02ffbf6161f6ffff");
    g_autofree char *hex = encode_hex (list);

    g_assert_cmpstr (hex, ==, "83" "01" "8102" "a16161f6");
  }

  /* Insertion order is kept; a repeated key keeps its first place and
   * takes the last value. */
  {
    g_autoptr(WampValue) v = decode_hex ("a3617a0161610261" "7a03");

    g_assert_cmpuint (wamp_value_dict_size (v), ==, 2);
    g_assert_cmpstr (wamp_value_dict_get_key (v, 0, NULL), ==, "z");
    g_assert_cmpstr (wamp_value_dict_get_key (v, 1, NULL), ==, "a");
    g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (v, "z")), ==, 3);
  }

  /* Keys must be text. */
  assert_decode_hex_fails ("a10101");
  assert_decode_hex_fails ("a1416101");
  assert_decode_hex_fails ("a18001");
  assert_decode_hex_fails ("a1d9d9f7616101");
  assert_decode_hex_fails ("bf0101ff");
}

static void
test_decode_value_needs_exactly_one_value (void)
{
  const char *bad[] = {
    "", "0101", "8000", "a0ff", "ff", "9f", "9f01", "bf6161", "bf616101", "7f", "7f6161",
    "1c", "1d", "1e", "1f", "3f", "df01", "19", "1a0000", "1b00000000000000",
    "f9", "fa000000", "fb00000000000000", "62", "4201", "d9d9",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_decode_hex_fails (bad[i]);
}

static char *
nested_lists_hex (guint depth)
{
  GString *s = g_string_new (NULL);

  for (guint i = 1; i < depth; i++)
    g_string_append (s, "81");
  g_string_append (s, "80");
  return g_string_free (s, FALSE);
}

static void
test_nesting_limit (void)
{
  g_autofree char *ok = nested_lists_hex (WAMP_CBOR_DEFAULT_MAX_DEPTH);
  g_autofree char *deep = nested_lists_hex (WAMP_CBOR_DEFAULT_MAX_DEPTH + 1);
  g_autoptr(WampValue) v = decode_hex (ok);
  guint8 *very_deep = g_malloc (100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) none = NULL;

  g_assert_nonnull (v);
  assert_decode_hex_fails (deep);

  /* 100000 nested single-item arrays: refused at the limit, no recursion
   * beyond it. Indefinite ones too. */
  memset (very_deep, 0x81, 100000);
  none = wamp_serializer_decode_value (serializer, very_deep, 100000, &error);
  g_assert_null (none);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "nesting too deep"));
  g_clear_error (&error);
  memset (very_deep, 0x9f, 100000);
  none = wamp_serializer_decode_value (serializer, very_deep, 100000, &error);
  g_assert_null (none);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_free (very_deep);
}

/* A few bytes claiming 2^32 or 2^64 items or bytes fail at once, before any
 * allocation (under ASan an allocation that size would abort the test). */
static void
test_absurd_lengths (void)
{
  const char *values[] = {
    "9affffffff", "9bffffffffffffffff", "baffffffff", "bbffffffffffffffff",
    "5affffffff00", "5bffffffffffffffff00", "7affffffff61", "7bffffffffffffffff",
    "9a7fffffff01", "a2616101", "830102", "5f5bffffffffffffffffff",
    "c25bffffffffffffffff", "a17bffffffffffffffff",
  };
  const char *frames[] = {
    "9affffffff10", "9bffffffffffffffff", "831001bbffffffffffffffff",
    "851001a0617a9bffffffffffffffff", "841001a07bffffffffffffffff",
  };

  gint64 started = g_get_monotonic_time ();

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    assert_decode_hex_fails (values[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) m = deserialize_hex (frames[i], &error);

      g_assert_null (m);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_nonnull (strstr (error->message, "exceeds the frame"));
    }
  /* A loop over claimed items or bytes would take seconds, not this. */
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);

  /* The live heap never grows by more than a few KiB while each fails. */
  {
    const char *lists[] = { "9a7fffffff", "9b7fffffffffffffff00", "81" "9a00ffffff" "01" };

    for (gsize i = 0; i < G_N_ELEMENTS (lists); i++)
      {
        g_autoptr(GBytes) bytes = bytes_from_hex (lists[i]);
        g_autoptr(GError) error = NULL;
        g_autoptr(WampValue) v = NULL;
        gsize len;
        const guint8 *data = g_bytes_get_data (bytes, &len);
#ifdef HAVE_ALLOCATED_BYTES
        gsize before = __sanitizer_get_current_allocated_bytes ();
#endif

        v = wamp_serializer_decode_value (serializer, data, len, &error);
        g_assert_null (v);
        g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
#ifdef HAVE_ALLOCATED_BYTES
        g_assert_cmpuint (__sanitizer_get_current_allocated_bytes (), <, before + 4096);
#endif
      }
  }
}

/* Rule 1: a raw payload goes out byte for byte (indefinite lengths, half
 * floats and long heads kept) and is decoded only when someone asks; the
 * envelope is rewritten in shortest form. */
static void
test_raw_payload_copied_verbatim (void)
{
  /* [36, 5, 6, {}, [_ 1, 1.0 (half)], {"z": 1(long head)}], with the
   * message array itself indefinite. */
  const char *args = "9f01f93c00ff";
  const char *kwargs = "a1617a1b0000000000000001";
  g_autofree char *frame = g_strdup_printf ("9f182405" "06" "a0" "%s%s" "ff", args, kwargs);
  g_autofree char *expected = g_strdup_printf ("86182405" "06" "a0" "%s%s", args, kwargs);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = deserialize_hex (frame, &error);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *out_hex = NULL;
  g_autoptr(GBytes) args_bytes = bytes_from_hex (args);
  g_autoptr(GBytes) kwargs_bytes = bytes_from_hex (kwargs);
  WampPayload *payload;
  const guint8 *a, *k;
  gsize a_len, k_len;
  WampValue *args_value = NULL, *kwargs_value = NULL;

  g_assert_no_error (error);
  payload = wamp_message_get_payload (message);
  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_serializer (payload) == serializer);
  g_assert_true (wamp_payload_get_raw (payload, serializer, &a, &a_len, &k, &k_len));
  g_assert_cmpmem (a, a_len, g_bytes_get_data (args_bytes, NULL), g_bytes_get_size (args_bytes));
  g_assert_cmpmem (k, k_len, g_bytes_get_data (kwargs_bytes, NULL), g_bytes_get_size (kwargs_bytes));

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  out_hex = bytes_to_hex (out);
  g_assert_cmpstr (out_hex, ==, expected);

  g_assert_true (wamp_payload_get_values (payload, &args_value, &kwargs_value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_value_list_length (args_value), ==, 2);
  g_assert_cmpfloat (wamp_value_get_double (wamp_value_list_get (args_value, 1)), ==, 1.0);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (kwargs_value, "z")), ==, 1);
}

/* A canonical frame (as AutobahnPython's cbor2 writes them) comes out
 * identical: deserialize then serialize is the identity. */
static void
test_canonical_frame_identical (void)
{
  const char *frames[] = {
    ("86101a0e49c1afa16b61636b6e6f776c65646765f56f636f6d2e6d796170702e746f706963"
     "82fb3ff000000000000063610062a261611bffffffffffffffff616243000102"),
    "8618240102a0813b7fffffffffffffffa0",
    "8418321b0020000000000000a080",
    "83110102",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) message = deserialize_hex (frames[i], &error);
      g_autoptr(GBytes) out = NULL;
      g_autofree char *hex = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (message);
      out = wamp_serializer_serialize (serializer, message, &error);
      g_assert_no_error (error);
      hex = bytes_to_hex (out);
      g_assert_cmpstr (hex, ==, frames[i]);
    }
}

/* Proof that serializing never decodes a raw payload: spans that would not
 * decode are still copied, and only wamp_payload_get_values() fails. */
static void
test_raw_payload_not_decoded_when_forwarded (void)
{
  /* Spans: "\x9b\xff" (an array claiming 2^64 items, cut) and "\xff". */
  g_autoptr(GBytes) frame = bytes_from_hex ("9bffff");
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (serializer, frame, 0, 2, 2, 1);
  g_autoptr(WampMessage) message = wamp_message_new_event (1, 2, NULL, payload);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *hex = NULL;
  g_autoptr(GError) error = NULL;

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  hex = bytes_to_hex (out);
  g_assert_cmpstr (hex, ==, "86182401" "02" "a0" "9bff" "ff");

  g_assert_false (wamp_payload_get_values (payload, NULL, NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
}

/* A payload another serializer wrote (here another instance, which
 * wamp_payload_get_raw() does not match) is decoded and re-encoded. */
static void
test_foreign_payload_transcoded (void)
{
  g_autoptr(WampCborSerializer) other = wamp_cbor_serializer_new ();
  g_autoptr(GBytes) frame = bytes_from_hex ("9f01f93c00ff" "bf6161f7ff");
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (WAMP_SERIALIZER (other), frame, 0, 6, 6, 5);
  g_autoptr(WampMessage) message = wamp_message_new_result (7, NULL, payload);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *hex = NULL;
  g_autoptr(GError) error = NULL;

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  hex = bytes_to_hex (out);
  g_assert_cmpstr (hex, ==, "85" "1832" "07" "a0" "8201fb3ff0000000000000" "a16161f6");
}

/* Decoded payloads go through the writer; Arguments is [] when only
 * ArgumentsKw exists, and absent when neither does. */
static void
test_decoded_payload_written (void)
{
  g_autoptr(WampValue) kwargs = decode_hex ("a2616282010261616178");
  g_autoptr(WampValue) args = decode_hex ("82" "6568656c6c6f" "fb3ff8000000000000");
  g_autoptr(WampPayload) only_kwargs = wamp_payload_new (NULL, kwargs);
  g_autoptr(WampPayload) only_args = wamp_payload_new (args, NULL);
  g_autoptr(WampMessage) m1 = wamp_message_new_result (7, NULL, only_kwargs);
  g_autoptr(WampMessage) m2 = wamp_message_new_call (8, NULL, "f", only_args);
  g_autoptr(WampMessage) m3 = wamp_message_new_call (9, NULL, "g", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL, b3 = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;

  b1 = wamp_serializer_serialize (serializer, m1, &error);
  g_assert_no_error (error);
  b2 = wamp_serializer_serialize (serializer, m2, &error);
  g_assert_no_error (error);
  b3 = wamp_serializer_serialize (serializer, m3, &error);
  g_assert_no_error (error);
  s1 = bytes_to_hex (b1);
  s2 = bytes_to_hex (b2);
  s3 = bytes_to_hex (b3);
  g_assert_cmpstr (s1, ==, "85183207a080a2616282010261616178");
  g_assert_cmpstr (s2, ==, "85183008a06166" "82" "6568656c6c6f" "fb3ff8000000000000");
  g_assert_cmpstr (s3, ==, "84183009a06167");
}

/* Messages built by code serialize compactly. */
static void
test_message_written_compactly (void)
{
  g_autoptr(WampValue) details = decode_hex ("a165726f6c6573a16662726f6b6572a0");
  g_autoptr(WampMessage) welcome = wamp_message_new_welcome (G_GUINT64_CONSTANT (9007199254740992), details);
  g_autoptr(WampMessage) goodbye = wamp_message_new_goodbye (NULL, "wamp.close.goodbye_and_out");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL;

  b1 = wamp_serializer_serialize (serializer, welcome, &error);
  g_assert_no_error (error);
  b2 = wamp_serializer_serialize (serializer, goodbye, &error);
  g_assert_no_error (error);
  s1 = bytes_to_hex (b1);
  s2 = bytes_to_hex (b2);
  g_assert_cmpstr (s1, ==, "83021b0020000000000000a165726f6c6573a16662726f6b6572a0");
  g_assert_cmpstr (s2, ==, "8306a0781a" "77616d702e636c6f73652e676f6f646279655f616e645f6f7574");
}

/* An independent decoder agrees with the writer: libcbor reads what we
 * wrote (trusted bytes) back to the same items. */
static void
test_libcbor_reads_our_output (void)
{
  g_autoptr(WampValue) list = wamp_value_new_list (6);
  g_autoptr(WampValue) dict = wamp_value_new_dict (1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  struct cbor_load_result result;
  cbor_item_t *item;
  cbor_item_t **items;
  gsize len;
  const guint8 *data;

  wamp_value_list_append (list, wamp_value_new_int (G_MININT64));
  wamp_value_list_append (list, wamp_value_new_uint (G_MAXUINT64));
  wamp_value_list_append (list, wamp_value_new_double (-0.0));
  wamp_value_list_append (list, wamp_value_new_string_len ("\0a\0", 3));
  wamp_value_list_append (list, wamp_value_new_bytes ((const guint8 *) "\xff\x00", 2));
  wamp_value_dict_insert (dict, "k", wamp_value_new_list (0));
  wamp_value_list_append (list, wamp_value_ref (dict));

  bytes = wamp_serializer_encode_value (serializer, list, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (bytes, &len);
  item = cbor_load (data, len, &result);
  g_assert_nonnull (item);
  g_assert_cmpint (result.error.code, ==, CBOR_ERR_NONE);
  g_assert_cmpuint (result.read, ==, len);

  g_assert_true (cbor_isa_array (item) && cbor_array_is_definite (item));
  g_assert_cmpuint (cbor_array_size (item), ==, 6);
  items = cbor_array_handle (item);
  g_assert_true (cbor_isa_negint (items[0]));
  g_assert_cmpuint (cbor_get_int (items[0]), ==, (guint64) G_MAXINT64);
  g_assert_true (cbor_isa_uint (items[1]));
  g_assert_cmpuint (cbor_get_int (items[1]), ==, G_MAXUINT64);
  g_assert_true (cbor_isa_float_ctrl (items[2]));
  g_assert_cmpint (cbor_float_get_width (items[2]), ==, CBOR_FLOAT_64);
  g_assert_true (signbit (cbor_float_get_float8 (items[2])));
  g_assert_true (cbor_isa_string (items[3]) && cbor_string_is_definite (items[3]));
  g_assert_cmpmem (cbor_string_handle (items[3]), cbor_string_length (items[3]), "\0a\0", 3);
  g_assert_true (cbor_isa_bytestring (items[4]));
  g_assert_cmpmem (cbor_bytestring_handle (items[4]), cbor_bytestring_length (items[4]), "\xff\x00", 2);
  g_assert_true (cbor_isa_map (items[5]) && cbor_map_size (items[5]) == 1);
  g_assert_true (cbor_isa_array (cbor_map_handle (items[5])[0].value));
  cbor_decref (&item);
}

/* Errors from deserialize say what went wrong. */
/* The fast paths (integer and text fields, the payload's flat items) take
 * every kind they cover exactly as the full reader does, and leave anything
 * else or wrong to it: the same reason at the same byte. */
static void
test_fast_paths_agree (void)
{
  /* [48, 65536 (in 8 bytes), {}, "a.b", [every flat kind, nested,
   * indefinite]] */
  static const char args_hex[] =
    "981c" "00" "20" "17" "18ff" "190100" "1a00010000" "1b0000000100000000"
    "38ff" "390100" "3a00010000" "3b0000000100000000"
    "40" "420102" "58020102" "60" "62c3a9" "780378797a"
    "f4" "f5" "f6" "f7" "f93c00" "fa3fc00000" "fb3ff8000000000000"
    "818101" "a1616b6176" "9f01ff" "5f4101ff";
  static const struct {
    const char *hex;
    const char *message;
  } bad[] = {
    { "85183001a06174" "82" "0162c328", "invalid CBOR at byte 10: invalid UTF-8 in text string" },
    { "85183001a06174" "82" "0178056162", "invalid CBOR at byte 9: string length exceeds the frame" },
    { "85183001a06174" "81" "fb000000", "invalid CBOR at byte 8: truncated data item head" },
    { "85183001a06174" "81" "f820", "invalid CBOR at byte 8: unsupported simple value" },
    { "85183001a06174" "81" "3bffffffffffffffff", "invalid CBOR at byte 8: negative integer below the int64 range" },
    { "85183001a06174" "81" "1c", "invalid CBOR at byte 8: reserved additional information" },
    { "85183001a06174" "81" "ff", "invalid CBOR at byte 8: break outside an indefinite-length item" },
    { "85183001a07802e282", "invalid CBOR at byte 7: invalid UTF-8 in text string" },
    { "83111a0001", "invalid CBOR at byte 2: truncated data item head" },
    { "86183001a0617480a1616b61ff", "invalid CBOR at byte 12: invalid UTF-8 in text string" },
  };
  g_autofree char *call_hex = g_strconcat ("8518301b0000000000010000a063612e62", args_hex, NULL);
  g_autoptr(GBytes) expected_args = bytes_from_hex (args_hex);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) m = deserialize_hex (call_hex, &error);
  const guint8 *args, *kwargs;
  gsize args_len, kwargs_len;

  g_assert_no_error (error);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, G_GUINT64_CONSTANT (1) << 16);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "a.b");
  g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (m), serializer,
                                       &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, g_bytes_get_data (expected_args, NULL), g_bytes_get_size (expected_args));
  g_assert_cmpuint (kwargs_len, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(WampMessage) bad_m = deserialize_hex (bad[i].hex, &bad_error);

      g_assert_null (bad_m);
      g_assert_error (bad_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_cmpstr (bad_error->message, ==, bad[i].message);
    }
}

static void
test_violation_reasons (void)
{
  struct {
    const char *hex;
    const char *reason;
  } cases[] = {
    { "8311010200", "trailing bytes" },
    { "816231360a", "message type must be an integer" },
    { "811863", "unknown message type 99" },
    { "851001a06174a0", "Arguments must be a list" },
    { "861001a061748080", "ArgumentsKw must be a dict" },
    { "851001a0617481" "61ff", "invalid UTF-8" },
    { "841820" "01" "a10101" "6174", "map key is not a text string" },
    { "851001a0617481c001", "unsupported tag" },
    { "851001a0617481e0", "unsupported simple value" },
    { "851001a06174813b8000000000000000", "below the int64 range" },
    { "a0", "expected an array" },
    { "80", "empty message array" },
    { "", "empty frame" },
    { "8311011c", "reserved additional information" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) m = deserialize_hex (cases[i].hex, &error);

      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (m);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("%s: reason \"%s\" lacks \"%s\"", cases[i].hex, error->message, cases[i].reason);
    }

  /* An empty GBytes without any data pointer. */
  {
    g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(WampMessage) m = wamp_serializer_deserialize (serializer, empty, &error);

    g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
    g_assert_null (m);
  }
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
  g_test_summary ("The CBOR serializer: bounded reader, writer, WAMP messages, raw payloads.");

  serializer = WAMP_SERIALIZER (wamp_cbor_serializer_new ());
  data_paths = g_ptr_array_new_with_free_func (g_free);
  valid_paths = g_ptr_array_new ();

  g_test_add_func ("/cbor/message/fast-paths-agree-with-the-reader", test_fast_paths_agree);
  g_test_add_func ("/cbor/serializer/identity", test_serializer_identity);
  g_test_add_func ("/cbor/serializer/serialize-into", test_serialize_into);
  g_test_add_func ("/cbor/serializer/max-depth-property-bounds-frames-and-values", test_max_depth_property);
  g_test_add_func ("/cbor/value/integers/shortest-heads-and-64-bit-extremes-exact", test_integers_exact);
  g_test_add_func ("/cbor/value/tags/bignums-in-range-self-describe-ignored-others-refused", test_tags);
  g_test_add_func ("/cbor/value/floats/float64-bit-exact-half-and-single-read", test_floats);
  g_test_add_func ("/cbor/value/strings/nul-anywhere-unicode-strict-utf8", test_strings);
  g_test_add_func ("/cbor/value/bytes/byte-strings-round-trip", test_bytes);
  g_test_add_func ("/cbor/value/simple/bools-null-undefined-others-refused", test_simple_values);
  g_test_add_func ("/cbor/value/containers/definite-on-write-order-kept-text-keys-only", test_containers);
  g_test_add_func ("/cbor/value/decode-needs-exactly-one-value", test_decode_value_needs_exactly_one_value);
  g_test_add_func ("/cbor/value/nesting/limit-32-refuses-33", test_nesting_limit);
  g_test_add_func ("/cbor/value/absurd-claimed-lengths-fail-without-allocating", test_absurd_lengths);
  g_test_add_func ("/cbor/value/libcbor-reads-our-output", test_libcbor_reads_our_output);
  g_test_add_func ("/cbor/message/raw-payload-copied-byte-for-byte", test_raw_payload_copied_verbatim);
  g_test_add_func ("/cbor/message/canonical-frame-serializes-identically", test_canonical_frame_identical);
  g_test_add_func ("/cbor/message/raw-payload-not-decoded-when-forwarded", test_raw_payload_not_decoded_when_forwarded);
  g_test_add_func ("/cbor/message/foreign-payload-transcoded", test_foreign_payload_transcoded);
  g_test_add_func ("/cbor/message/decoded-payload-written-with-empty-args-for-kwargs", test_decoded_payload_written);
  g_test_add_func ("/cbor/message/written-compactly", test_message_written_compactly);
  g_test_add_func ("/cbor/message/violations-name-the-reason", test_violation_reasons);
  add_data_file_tests ();
  g_test_add_func ("/cbor/conformance/truncated-at-every-byte", test_truncated_at_every_byte);

  ret = g_test_run ();

  g_ptr_array_unref (valid_paths);
  g_ptr_array_unref (data_paths);
  g_object_unref (serializer);
  return ret;
}
