/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the JSON serializer: conformance files, value round trips, raw
 * payload passthrough and what JSON cannot represent. */

#include <math.h>
#include <string.h>

#include <wamp/wamp.h>

#include "serializer-test-util.h"
#include "wamp-json-serializer.h"
#include "wamp-json-reader.h"
#include "wamp-json-writer.h"

static WampSerializer *serializer;

/* The data files, kept alive for the test cases that take them as data. */
static GPtrArray *data_paths;

static GBytes *
bytes_from_string (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data, len);
}

static WampValue *
decode (const char *json)
{
  g_autoptr(GError) error = NULL;
  WampValue *value;

  value = wamp_serializer_decode_value (serializer, (const guint8 *) json, strlen (json), &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  return value;
}

static char *
encode (WampValue *value)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  bytes = wamp_serializer_encode_value (serializer, value, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes_to_string (bytes);
}

static void
assert_messages_equal (WampMessage *a,
                       WampMessage *b)
{
  serializer_test_assert_messages_equal (a, b, wamp_value_equal);
}

static WampMessage *
deserialize_string (const char  *json,
                    GError     **error)
{
  g_autoptr(GBytes) frame = bytes_from_string (json);

  return wamp_serializer_deserialize (serializer, frame, error);
}

/* y_*.json: deserializes, and serializing gives a frame that deserializes to
 * an equal message, once with the raw payload and once transcoded. */
static void
test_valid_file (gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) frame = serializer_test_read_file (data);
  g_autoptr(GBytes) again = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampMessage) reread = NULL;

  message = wamp_serializer_deserialize (serializer, frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  serializer_test_assert_lent_same (serializer, frame, message);

  again = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  reread = wamp_serializer_deserialize (serializer, again, &error);
  g_assert_no_error (error);
  assert_messages_equal (message, reread);

  /* The same message with its payload decoded goes through the writer. */
  if (wamp_message_get_payload (message) != NULL)
    {
      g_autoptr(WampMessage) transcoded = serializer_test_with_decoded_payload (message);
      g_autoptr(WampMessage) reread2 = NULL;
      g_autoptr(GBytes) written = NULL;

      written = wamp_serializer_serialize (serializer, transcoded, &error);
      g_assert_no_error (error);
      reread2 = wamp_serializer_deserialize (serializer, written, &error);
      g_assert_no_error (error);
      assert_messages_equal (message, reread2);
    }
}

/* n_*.json: refused as a protocol violation. */
static void
test_invalid_file (gconstpointer data)
{
  serializer_test_assert_invalid_file (serializer, data);
}

static void
add_data_file_tests (void)
{
  serializer_test_add_data_files ("json", JSON_TEST_DATA_DIR "/messages", ".json",
                                  test_valid_file, test_invalid_file,
                                  data_paths, NULL, 20, 20);
}

static void
test_serializer_identity (void)
{
  g_assert_cmpstr (wamp_serializer_get_name (serializer), ==, "json");
  g_assert_cmpstr (wamp_serializer_get_subprotocol (serializer), ==, "wamp.2.json");
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (serializer), ==, 1);
  g_assert_false (wamp_serializer_is_binary (serializer));
}

/* Integer literals stay exact and keep their kind; only a fraction or an
 * exponent makes a double. */
static void
test_numbers_exact (void)
{
  struct {
    const char *json;
    WampValueType type;
    const char *written;
  } cases[] = {
    { "0", WAMP_VALUE_INT, "0" },
    { "-0", WAMP_VALUE_INT, "0" },
    { "1", WAMP_VALUE_INT, "1" },
    { "1.0", WAMP_VALUE_DOUBLE, "1.0" },
    { "1e0", WAMP_VALUE_DOUBLE, "1.0" },
    { "-0.0", WAMP_VALUE_DOUBLE, "-0.0" },
    { "2.50", WAMP_VALUE_DOUBLE, "2.5" },
    { "1E2", WAMP_VALUE_DOUBLE, "100.0" },
    { "9223372036854775807", WAMP_VALUE_INT, "9223372036854775807" },
    { "-9223372036854775808", WAMP_VALUE_INT, "-9223372036854775808" },
    { "9223372036854775808", WAMP_VALUE_UINT, "9223372036854775808" },
    { "18446744073709551615", WAMP_VALUE_UINT, "18446744073709551615" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = decode (cases[i].json);
      g_autofree char *written = NULL;

      g_assert_cmpint (wamp_value_get_value_type (v), ==, cases[i].type);
      written = encode (v);
      g_assert_cmpstr (written, ==, cases[i].written);
    }

  {
    g_autoptr(WampValue) v = decode ("-9223372036854775808");
    g_autoptr(WampValue) u = decode ("18446744073709551615");
    g_autoptr(WampValue) big = decode ("9007199254740993");
    g_autoptr(WampValue) neg_zero = decode ("-0.0");

    g_assert_cmpint (wamp_value_get_int (v), ==, G_MININT64);
    g_assert_cmpuint (wamp_value_get_uint (u), ==, G_MAXUINT64);
    g_assert_cmpint (wamp_value_get_int (big), ==, G_GINT64_CONSTANT (9007199254740993));
    g_assert_true (signbit (wamp_value_get_double (neg_zero)));
  }
}

static void
test_numbers_out_of_range_refused (void)
{
  const char *bad[] = {
    "18446744073709551616", "-9223372036854775809", "1e400", "-1e309",
    "99999999999999999999999", "NaN", "Infinity", "-Infinity", "01", "-",
    "1.", ".1", "1e", "1e+", "+1", "0x1",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampValue) v = NULL;

      v = wamp_serializer_decode_value (serializer, (const guint8 *) bad[i], strlen (bad[i]), &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (v);
    }
}

/* Doubles are written in their shortest round-trip form, whole numbers with
 * ".0" so they read back as doubles. */
static void
test_doubles_shortest_round_trip (void)
{
  const gdouble values[] = {
    0.1, 1.0, -0.0, 1e308, 2.2250738585072014e-308, 4.9e-324, 1.7976931348623157e308,
    9007199254740992.0, 123456789.125, 1.0 / 3.0, -2.5, 1e21, 1e-7,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_double (values[i]);
      g_autofree char *json = encode (v);
      g_autoptr(WampValue) back = decode (json);

      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_DOUBLE);
      g_assert_true (wamp_value_equal (v, back));
      g_assert_true (signbit (wamp_value_get_double (back)) == signbit (values[i]));
    }

  {
    g_autoptr(WampValue) one = wamp_value_new_double (1.0);
    g_autoptr(WampValue) tenth = wamp_value_new_double (0.1);
    g_autoptr(WampValue) neg_zero = wamp_value_new_double (-0.0);
    g_autofree char *s1 = encode (one);
    g_autofree char *s2 = encode (tenth);
    g_autofree char *s3 = encode (neg_zero);

    g_assert_cmpstr (s1, ==, "1.0");
    g_assert_cmpstr (s2, ==, "0.1");
    g_assert_cmpstr (s3, ==, "-0.0");
  }
}

static void
test_doubles_nan_and_infinity_not_representable (void)
{
  const gdouble values[] = { NAN, INFINITY, -INFINITY };

  for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(WampValue) list = wamp_value_new_list (1);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) bytes = NULL;

      wamp_value_list_append (list, wamp_value_new_double (values[i]));
      bytes = wamp_serializer_encode_value (serializer, list, &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (bytes);
    }
}

static void
test_integers_round_trip (void)
{
  const gint64 ints[] = { G_MININT64, G_MININT64 + 1, -1, 0, 1, G_GINT64_CONSTANT (9007199254740992), G_MAXINT64 };

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_int (ints[i]);
      g_autofree char *json = encode (v);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, ints[i]);
      g_autoptr(WampValue) back = decode (json);

      g_assert_cmpstr (json, ==, expected);
      g_assert_true (wamp_value_equal (v, back));
    }

  {
    g_autoptr(WampValue) v = wamp_value_new_uint (G_MAXUINT64);
    g_autofree char *json = encode (v);
    g_autoptr(WampValue) back = decode (json);

    g_assert_cmpstr (json, ==, "18446744073709551615");
    g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_UINT);
    g_assert_true (wamp_value_equal (v, back));
  }
}

static void
test_strings_round_trip (void)
{
  struct {
    const char *data;
    gsize len;
    const char *json;
  } cases[] = {
    { "", 0, "\"\"" },
    { "a\0b", 3, "\"a\\u0000b\"" },
    { "\"\\/", 3, "\"\\\"\\\\/\"" },
    { "\b\f\n\r\t\x01\x1f\x7f", 8, "\"\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\"" },
    { "\xc3\xa9t\xc3\xa9", 5, "\"\xc3\xa9t\xc3\xa9\"" },
    { "\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"" },
    { "\xe2\x80\xa8", 3, "\"\xe2\x80\xa8\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_string_len (cases[i].data, cases[i].len);
      g_autofree char *json = encode (v);
      g_autoptr(WampValue) back = decode (json);
      gsize len;
      const char *s;

      g_assert_cmpstr (json, ==, cases[i].json);
      s = wamp_value_get_string (back, &len);
      g_assert_cmpmem (s, len, cases[i].data, cases[i].len);
    }
}

/* Escapes decode to UTF-8, surrogate pairs to one non-BMP character. */
static void
test_strings_escapes_decoded (void)
{
  g_autoptr(WampValue) pair = decode ("\"\\ud83d\\ude00\"");
  g_autoptr(WampValue) upper = decode ("\"\\u00E9\\u20AC\\/\"");
  gsize len;
  const char *s;

  s = wamp_value_get_string (pair, &len);
  g_assert_cmpmem (s, len, "\xf0\x9f\x98\x80", 4);
  s = wamp_value_get_string (upper, &len);
  g_assert_cmpmem (s, len, "\xc3\xa9\xe2\x82\xac/", 6);
}

static void
test_strings_bad_input_refused (void)
{
  const char *bad[] = {
    "\"\\ud800\"", "\"\\udfff\"", "\"\\ud800\\ud800\"", "\"\\ud800x\"", "\"\\u12\"",
    "\"\\q\"", "\"\xff\"", "\"\xc0\x80\"", "\"\xe0\x9f\xbf\"", "\"\xed\xbf\xbf\"",
    "\"\xf4\x90\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "\"\x80\"", "\"abc", "\"\t\"",
    "\"\\", "\"\\u", "'a'",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampValue) v = NULL;

      v = wamp_serializer_decode_value (serializer, (const guint8 *) bad[i], strlen (bad[i]), &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (v);
    }
}

/* The binary convention both ways: "\u0000" then base64 with padding. */
static void
test_bytes_round_trip (void)
{
  struct {
    const guint8 *data;
    gsize len;
    const char *json;
  } cases[] = {
    { (const guint8 *) "", 0, "\"\\u0000\"" },
    { (const guint8 *) "\x01", 1, "\"\\u0000AQ==\"" },
    { (const guint8 *) "\x01\x02", 2, "\"\\u0000AQI=\"" },
    { (const guint8 *) "\x01\x02\x03", 3, "\"\\u0000AQID\"" },
    { (const guint8 *) "\x00\xff\xfe\x80", 4, "\"\\u0000AP/+gA==\"" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_bytes (cases[i].data, cases[i].len);
      g_autofree char *json = encode (v);
      g_autoptr(WampValue) back = decode (json);
      const guint8 *data;
      gsize len;

      g_assert_cmpstr (json, ==, cases[i].json);
      g_assert_cmpint (wamp_value_get_value_type (back), ==, WAMP_VALUE_BYTES);
      data = wamp_value_get_bytes (back, &len);
      g_assert_cmpmem (data, len, cases[i].data, cases[i].len);
    }

  /* Padding is optional on input. */
  {
    g_autoptr(WampValue) unpadded = decode ("\"\\u0000AQ\"");
    const guint8 *data;
    gsize len;

    data = wamp_value_get_bytes (unpadded, &len);
    g_assert_cmpmem (data, len, "\x01", 1);
  }
}

static void
test_bytes_bad_base64_refused (void)
{
  const char *bad[] = {
    "\"\\u0000A\"", "\"\\u0000AQ=\"", "\"\\u0000A===\"", "\"\\u0000A=AA\"",
    "\"\\u0000AQ-_\"", "\"\\u0000AQ ID\"", "\"\\u0000=\"", "\"\\u0000\\u0000\"",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampValue) v = NULL;

      v = wamp_serializer_decode_value (serializer, (const guint8 *) bad[i], strlen (bad[i]), &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (v);
    }
}

/* DESIGN.md: a string beginning with U+0000 cannot travel in JSON. */
static void
test_string_starting_with_nul_not_representable (void)
{
  g_autoptr(WampValue) s = wamp_value_new_string_len ("\0abc", 4);
  g_autoptr(WampValue) args = wamp_value_new_list (1);
  g_autoptr(WampPayload) payload = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GError) error = NULL;

  bytes = wamp_serializer_encode_value (serializer, s, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (bytes);
  g_clear_error (&error);

  wamp_value_list_append (args, wamp_value_ref (s));
  payload = wamp_payload_new (args, NULL);
  message = wamp_message_new_publish (1, NULL, "com.example.topic", payload);
  frame = wamp_serializer_serialize (serializer, message, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (frame);
}

static void
test_containers_round_trip (void)
{
  const char *texts[] = {
    "[]", "{}", "[[]]", "[{}]", "{\"a\":[]}", "{\"a\":{}}", "[[],{},[[{}]]]",
    "{\"k\\u0000ey\":1,\"\":null,\"b\":[true,false]}", "[1,\"two\",3.5,null,{\"x\":[1]}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(WampValue) v = decode (texts[i]);
      g_autofree char *json = encode (v);
      g_autoptr(WampValue) back = decode (json);

      g_assert_cmpstr (json, ==, texts[i]);
      g_assert_true (wamp_value_equal (v, back));
    }

  /* Insertion order is kept. */
  {
    g_autoptr(WampValue) v = decode ("{\"z\":1,\"a\":2,\"m\":3}");

    g_assert_cmpstr (wamp_value_dict_get_key (v, 0, NULL), ==, "z");
    g_assert_cmpstr (wamp_value_dict_get_key (v, 2, NULL), ==, "m");
  }
}

static void
test_decode_value_needs_exactly_one_value (void)
{
  const char *bad[] = { "", "  ", "1 2", "[] []", "{}x", "[1],", "tru", "nul", "[1", "{\"a\"}" };
  const char *good[] = { " 1 ", "\n[]\t", "\"x\"\r\n", "null" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampValue) v = NULL;

      v = wamp_serializer_decode_value (serializer, (const guint8 *) bad[i], strlen (bad[i]), &error);
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (v);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(WampValue) v = decode (good[i]);
      g_assert_nonnull (v);
    }
}

static char *
nested_lists (guint depth)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
test_nesting_limit (void)
{
  g_autofree char *ok = nested_lists (WAMP_JSON_DEFAULT_MAX_DEPTH);
  g_autofree char *deep = nested_lists (WAMP_JSON_DEFAULT_MAX_DEPTH + 1);
  g_autofree char *very_deep = nested_lists (100000);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) v = NULL;

  v = decode (ok);
  g_clear_pointer (&v, wamp_value_unref);

  v = wamp_serializer_decode_value (serializer, (const guint8 *) deep, strlen (deep), &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (v);
  g_clear_error (&error);

  v = wamp_serializer_decode_value (serializer, (const guint8 *) very_deep, strlen (very_deep), &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (v);
}

/* A lower limit set through the function parameter applies to frames too. */
static void
test_nesting_limit_overridable (void)
{
  g_autoptr(WampJsonSerializer) strict = wamp_json_serializer_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(GBytes) ok = bytes_from_string ("[16, 1, {}, \"t\", [[1]]]");
  g_autoptr(GBytes) deep = bytes_from_string ("[16, 1, {}, \"t\", [[[1]]]]");

  wamp_json_serializer_set_max_depth (strict, 3);
  g_assert_cmpuint (wamp_json_serializer_get_max_depth (strict), ==, 3);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), ok, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_clear_pointer (&message, wamp_message_unref);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (strict), deep, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
}

static void
count_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

/* The "max-depth" property every serializer has (the router sets it from
 * limits.max_nesting_depth): default 32, minimum 1, notifies on change, and
 * decode_value obeys it too (a lone value has no message array around it). */
static void
test_max_depth_property (void)
{
  g_autoptr(WampJsonSerializer) json = wamp_json_serializer_new ();
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (json), "max-depth");
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = NULL;
  g_autoptr(GBytes) deep = bytes_from_string ("[16, 1, {}, \"t\", [[[1]]]]");
  g_autoptr(WampMessage) message = NULL;
  guint depth = 0, notified = 0;

  g_assert_nonnull (pspec);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->minimum, ==, 1);
  g_assert_cmpuint (G_PARAM_SPEC_UINT (pspec)->default_value, ==, 32);
  g_object_get (json, "max-depth", &depth, NULL);
  g_assert_cmpuint (depth, ==, 32);

  g_signal_connect (json, "notify::max-depth", G_CALLBACK (count_notify), &notified);
  g_object_set (json, "max-depth", 3, NULL);
  g_object_set (json, "max-depth", 3, NULL);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpuint (wamp_json_serializer_get_max_depth (json), ==, 3);

  message = wamp_serializer_deserialize (WAMP_SERIALIZER (json), deep, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
  g_clear_error (&error);

  value = wamp_serializer_decode_value (WAMP_SERIALIZER (json), (const guint8 *) "[[[[1]]]]", 9, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_null (value);
  g_clear_error (&error);
  value = wamp_serializer_decode_value (WAMP_SERIALIZER (json), (const guint8 *) "[[[1]]]", 7, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
}

/* Rule 1: a raw payload goes out byte for byte (whitespace, key order and
 * number spelling kept) and is decoded only when someone asks. */
static void
test_raw_payload_copied_verbatim (void)
{
  const char *args = "[ 1 ,\n 2.50 , \"\\u0041\" ]";
  const char *kwargs = "{\"z\" : 1,  \"a\":{ } }";
  g_autofree char *text = g_strdup_printf ("[36, 5, 6, {}, %s, %s]", args, kwargs);
  g_autofree char *expected = g_strdup_printf ("[36,5,6,{},%s,%s]", args, kwargs);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = deserialize_string (text, &error);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *out_text = NULL;
  WampPayload *payload;
  const guint8 *a, *k;
  gsize a_len, k_len;
  WampValue *args_value = NULL, *kwargs_value = NULL;

  g_assert_no_error (error);
  payload = wamp_message_get_payload (message);
  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_serializer (payload) == serializer);
  g_assert_true (wamp_payload_get_raw (payload, serializer, &a, &a_len, &k, &k_len));
  g_assert_cmpmem (a, a_len, args, strlen (args));
  g_assert_cmpmem (k, k_len, kwargs, strlen (kwargs));

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  out_text = bytes_to_string (out);
  g_assert_cmpstr (out_text, ==, expected);

  g_assert_true (wamp_payload_get_values (payload, &args_value, &kwargs_value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_value_list_length (args_value), ==, 3);
  g_assert_cmpstr (wamp_value_get_string (wamp_value_list_get (args_value, 2), NULL), ==, "A");
  g_assert_cmpstr (wamp_value_dict_get_key (kwargs_value, 0, NULL), ==, "z");
}

/* Proof that serializing never decodes a raw payload: spans that would not
 * decode are still copied, and only wamp_payload_get_values() fails. */
static void
test_raw_payload_not_decoded_when_forwarded (void)
{
  const char *text = "[\"not\" json at all}{";
  g_autoptr(GBytes) frame = bytes_from_string (text);
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (serializer, frame, 0, 6, 7, 4);
  g_autoptr(WampMessage) message = wamp_message_new_event (1, 2, NULL, payload);
  g_autoptr(GBytes) out = NULL;
  g_autofree char *out_text = NULL;
  g_autoptr(GError) error = NULL;

  out = wamp_serializer_serialize (serializer, message, &error);
  g_assert_no_error (error);
  out_text = bytes_to_string (out);
  g_assert_cmpstr (out_text, ==, "[36,1,2,{},[\"not\",json]");

  g_assert_false (wamp_payload_get_values (payload, NULL, NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
}

/* Decoded payloads go through the writer; Arguments is [] when only
 * ArgumentsKw exists, and absent when neither does. */
static void
test_decoded_payload_written (void)
{
  g_autoptr(WampValue) kwargs = decode ("{\"b\":[1,2],\"a\":\"x\"}");
  g_autoptr(WampValue) args = decode ("[\"hello\",1.5]");
  g_autoptr(WampPayload) only_kwargs = wamp_payload_new (NULL, kwargs);
  g_autoptr(WampPayload) only_args = wamp_payload_new (args, NULL);
  g_autoptr(WampMessage) m1 = wamp_message_new_result (7, NULL, only_kwargs);
  g_autoptr(WampMessage) m2 = wamp_message_new_call (8, NULL, "com.example.f", only_args);
  g_autoptr(WampMessage) m3 = wamp_message_new_call (9, NULL, "com.example.g", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL, b3 = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL;

  b1 = wamp_serializer_serialize (serializer, m1, &error);
  g_assert_no_error (error);
  b2 = wamp_serializer_serialize (serializer, m2, &error);
  g_assert_no_error (error);
  b3 = wamp_serializer_serialize (serializer, m3, &error);
  g_assert_no_error (error);
  s1 = bytes_to_string (b1);
  s2 = bytes_to_string (b2);
  s3 = bytes_to_string (b3);
  g_assert_cmpstr (s1, ==, "[50,7,{},[],{\"b\":[1,2],\"a\":\"x\"}]");
  g_assert_cmpstr (s2, ==, "[48,8,{},\"com.example.f\",[\"hello\",1.5]]");
  g_assert_cmpstr (s3, ==, "[48,9,{},\"com.example.g\"]");
}

/* Messages built by code serialize to what Crossbar and AutobahnPython expect. */
static void
test_message_written_compactly (void)
{
  g_autoptr(WampValue) details = decode ("{\"roles\":{\"broker\":{}}}");
  g_autoptr(WampMessage) welcome = wamp_message_new_welcome (G_GUINT64_CONSTANT (9007199254740992), details);
  g_autoptr(WampMessage) goodbye = wamp_message_new_goodbye (NULL, "wamp.close.goodbye_and_out");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) b1 = NULL, b2 = NULL;
  g_autofree char *s1 = NULL, *s2 = NULL;

  b1 = wamp_serializer_serialize (serializer, welcome, &error);
  g_assert_no_error (error);
  b2 = wamp_serializer_serialize (serializer, goodbye, &error);
  g_assert_no_error (error);
  s1 = bytes_to_string (b1);
  s2 = bytes_to_string (b2);
  g_assert_cmpstr (s1, ==, "[2,9007199254740992,{\"roles\":{\"broker\":{}}}]");
  g_assert_cmpstr (s2, ==, "[6,{},\"wamp.close.goodbye_and_out\"]");
}

/* Errors from deserialize say what went wrong. */
/* The fast paths (integer and plain-string fields, the payload's strings
 * and numbers) take every kind they cover exactly as the full reader does,
 * and leave anything else or wrong to it: the same reason at the same byte. */
static void
test_fast_paths_agree (void)
{
  static const char call[] =
    "[48, 9007199254740991, {}, \"a.b\", [0, -1, 1.5, 1e3, 12345678901234567890,"
    " -9223372036854775808, \"ab\", \"\\u00e9\", \"\xc3\xa9\", \"\", null, true, false,"
    " [1, [2]], {\"k\": \"v\"}, \"\\u0000AQ==\"]]";
  static const struct {
    const char *json;
    const char *message;
  } bad[] = {
    { "[48,1,{},\"t\",[1,\"a\x01\"]]", "invalid JSON at byte 18: control character in string" },
    { "[48,1,{},\"t\",[\"\\u0000!!!!\"]]", "invalid JSON at byte 14: invalid base64 in binary string" },
    { "[48,1,{},\"t\",[18446744073709551616]]", "invalid JSON at byte 14: integer out of range" },
    { "[48,18446744073709551616,{},\"t\",[]]", "invalid JSON at byte 4: integer out of range" },
    { "[48,1,{},\"t\",[1,]]", "invalid JSON at byte 16: trailing comma" },
    { "[48,1,{},\"t\",[1 2]]", "invalid JSON at byte 16: expected ',' or ']'" },
    { "[48,1,{},\"t\",[01]]", "invalid JSON at byte 14: leading zero in number" },
    { "[48,1,{},\"t\xff\",[]]", "invalid JSON at byte 11: invalid UTF-8" },
    { "[48,1,{},\"t\",[\"ab", "invalid JSON at byte 17: unterminated string" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) m = deserialize_string (call, &error);
  g_autoptr(WampMessage) escaped = NULL;
  const char *expected_args = strstr (call, ", [0") + 2;
  const guint8 *args, *kwargs;
  gsize args_len, kwargs_len;

  g_assert_no_error (error);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, G_GUINT64_CONSTANT (9007199254740991));
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "a.b");
  g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (m), serializer,
                                       &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, expected_args, strlen (expected_args) - 1);
  g_assert_cmpuint (kwargs_len, ==, 0);

  escaped = deserialize_string ("[48, 7, {}, \"t\\u00e9\\/\", []]", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_message_get_request_id (escaped), ==, 7);
  g_assert_cmpstr (wamp_message_get_uri (escaped), ==, "t\xc3\xa9/");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) bad_error = NULL;
      g_autoptr(WampMessage) bad_m = deserialize_string (bad[i].json, &bad_error);

      g_assert_null (bad_m);
      g_assert_error (bad_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_cmpstr (bad_error->message, ==, bad[i].message);
    }
}

/* Deserializes @json and serializes the message back; NULL and @error set
 * when it is refused. */
static char *
round_trip_frame (const char  *json,
                  GError     **error)
{
  g_autoptr(WampMessage) m = NULL;
  g_autoptr(GBytes) out = NULL;

  m = deserialize_string (json, error);
  if (m == NULL)
    return NULL;
  out = wamp_serializer_serialize (serializer, m, error);
  g_assert_nonnull (out);
  return bytes_to_string (out);
}

/* Integer fields read in blocks of eight digits (when 16 bytes follow) agree
 * with the digit loop (fewer bytes left): the same value or the same error,
 * whatever the length and whatever follows; written back digit for digit. */
static void
test_integer_fields_every_length (void)
{
  static const char *const odd[] = {
    "0", "00", "01", "-3", "1.5", "1e3", "12E", "1x", "12345678901234567",
    "123456789012345678901", "9007199254740993", "7 ", "7\t", "1234567890123456",
  };
  g_autoptr(GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);
  guint64 power = 1;

  for (guint n = 1; n <= 16; n++)
    {
      guint64 max = MIN (power * 10 - 1, G_GUINT64_CONSTANT (9007199254740992));

      g_ptr_array_add (tokens, g_strdup_printf ("%" G_GUINT64_FORMAT, power));
      g_ptr_array_add (tokens, g_strdup_printf ("%" G_GUINT64_FORMAT, max));
      g_ptr_array_add (tokens, g_strndup ("9876543210123456", n));
      power *= 10;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (odd); i++)
    g_ptr_array_add (tokens, g_strdup (odd[i]));

  for (guint i = 0; i < tokens->len; i++)
    for (guint where = 0; where < 2; where++)
      {
        const char *t = tokens->pdata[i];
        g_autofree char *frame = where == 0 ? g_strdup_printf ("[17,%s,5]", t)
                                            : g_strdup_printf ("[17,5,%s]", t);
        g_autofree char *padded = g_strdup_printf ("%s%24s", frame, "");
        g_autoptr(GError) error = NULL;
        g_autoptr(GError) padded_error = NULL;
        g_autofree char *back = round_trip_frame (frame, &error);
        g_autofree char *padded_back = round_trip_frame (padded, &padded_error);

        if (back == NULL)
          {
            g_assert_nonnull (error);
            g_assert_null (padded_back);
            g_assert_nonnull (padded_error);
            g_assert_cmpstr (error->message, ==, padded_error->message);
            continue;
          }
        g_assert_no_error (padded_error);
        g_assert_cmpstr (back, ==, padded_back);
        if (t[0] != '0' || t[1] == '\0')
          {
            if (t[strlen (t) - 1] == ' ' || t[strlen (t) - 1] == '\t')
              continue;
            g_assert_cmpstr (back, ==, frame);
          }
      }
}

/* Integers of every length written as printf writes them: 0, the powers of
 * ten and their neighbours, the bounds. */
static void
test_integers_every_length_written (void)
{
  guint64 power = 1;

  for (guint n = 0; n <= 19; n++)
    {
      const guint64 values[] = { power - 1, power, power + 1, power * 2 - 1 };

      for (gsize i = 0; i < G_N_ELEMENTS (values); i++)
        {
          g_autoptr(WampValue) u = wamp_value_new_uint (values[i]);
          g_autofree char *json = encode (u);
          g_autofree char *expected = g_strdup_printf ("%" G_GUINT64_FORMAT, values[i]);

          g_assert_cmpstr (json, ==, expected);
          if (values[i] <= (guint64) G_MAXINT64)
            {
              g_autoptr(WampValue) neg = wamp_value_new_int (-(gint64) values[i]);
              g_autofree char *neg_json = encode (neg);
              g_autofree char *neg_expected = g_strdup_printf ("%" G_GINT64_FORMAT, -(gint64) values[i]);

              g_assert_cmpstr (neg_json, ==, neg_expected);
            }
        }
      if (n < 19)
        power *= 10;
    }
}

/* A message's integer element written whatever room the buffer has left:
 * grown when fewer than 22 bytes remain, never written past its end. */
static void
test_element_int_at_every_fill (void)
{
  const gint64 values[] = { 0, 7, 48, G_GINT64_CONSTANT (9007199254740992), -1, G_MININT64 };

  for (gsize v = 0; v < G_N_ELEMENTS (values); v++)
    for (gsize index = 0; index < 2; index++)
      for (gsize left = 0; left <= 30; left++)
        {
          g_auto(WampOutputBuffer) out = { NULL, 0, 0 };
          g_autofree char *expected = NULL;
          gsize fill;

          wamp_output_buffer_init (&out, 64);
          fill = out.alloc - left;
          memset (out.data, 'x', fill);
          out.len = fill;
          wamp_json_writer_write_element_int (&out, index, values[v]);
          expected = g_strdup_printf ("%s%" G_GINT64_FORMAT, index > 0 ? "," : "", values[v]);
          g_assert_cmpuint (out.len, <=, out.alloc);
          g_assert_cmpmem (out.data + fill, out.len - fill, expected, strlen (expected));
        }
}

/* Raw Arguments and ArgumentsKw after a Details dict longer than the room
 * the envelope reserves: the buffer grows for them, the bytes unchanged. */
static void
test_raw_payload_after_long_details (void)
{
  for (gsize n = 100; n <= 400; n += 50)
    {
      g_autofree char *filler = g_strnfill (n, 'z');
      g_autofree char *frame = g_strdup_printf ("[36,1,2,{\"k\":\"%s\"},[\"%s\"],{\"a\":\"%s\"}]",
                                                filler, filler, filler);
      g_autoptr(GError) error = NULL;
      g_autofree char *back = round_trip_frame (frame, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (back, ==, frame);
    }
}

/* Strings with an escape, a control, a multi-byte or an invalid byte at
 * every position of every length up to 70: the block scan stops exactly
 * there, in a decoded value and in a skipped payload alike. */
static void
test_strings_special_byte_everywhere (void)
{
  static const struct {
    const char *bytes;
    const char *decoded;
    const char *reason;
  } specials[] = {
    { "\\n", "\n", NULL },
    { "\\\"", "\"", NULL },
    { "\xc3\xa9", "\xc3\xa9", NULL },
    { "\x01", NULL, "control character in string" },
    { "\xff", NULL, "invalid UTF-8" },
  };

  for (gsize len = 0; len <= 70; len++)
    for (gsize pos = 0; pos <= len; pos++)
      for (gsize k = 0; k < G_N_ELEMENTS (specials); k++)
        {
          g_autofree char *before = g_strnfill (pos, 'a');
          g_autofree char *after = g_strnfill (len - pos, 'b');
          g_autofree char *json = g_strdup_printf ("[\"%s%s%s\"]", before, specials[k].bytes, after);
          g_autofree char *frame = g_strdup_printf ("[48,1,{},\"t\",%s]", json);
          g_autoptr(GError) error = NULL;
          g_autoptr(GError) frame_error = NULL;
          g_autoptr(WampValue) value = NULL;
          g_autoptr(WampMessage) m = NULL;

          value = wamp_serializer_decode_value (serializer, (const guint8 *) json, strlen (json), &error);
          m = deserialize_string (frame, &frame_error);
          if (specials[k].reason == NULL)
            {
              g_autofree char *expected = g_strconcat (before, specials[k].decoded, after, NULL);
              gsize got_len;
              const char *got;

              g_assert_no_error (error);
              g_assert_no_error (frame_error);
              g_assert_nonnull (m);
              got = wamp_value_get_string (wamp_value_list_get (value, 0), &got_len);
              g_assert_cmpmem (got, got_len, expected, strlen (expected));
            }
          else
            {
              g_autofree char *at = g_strdup_printf ("invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
                                                     15 + pos, specials[k].reason);

              g_assert_null (value);
              g_assert_nonnull (error);
              g_assert_nonnull (strstr (error->message, specials[k].reason));
              g_assert_null (m);
              g_assert_error (frame_error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
              g_assert_cmpstr (frame_error->message, ==, at);
            }
        }
}

/* Whitespace of every kind around every token of a frame. */
static void
test_whitespace_everywhere (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) m = deserialize_string (" \t\r\n[ 48 ,\n12\t,\r{ } , \"a.b\" ,"
                                                 " [ 1 , \"x\" ,\t[ ] ] , { \"k\" : 2 } ]\n ", &error);
  const guint8 *args, *kwargs;
  gsize args_len, kwargs_len;

  g_assert_no_error (error);
  g_assert_cmpuint (wamp_message_get_request_id (m), ==, 12);
  g_assert_cmpstr (wamp_message_get_uri (m), ==, "a.b");
  g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (m), serializer,
                                       &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, "[ 1 , \"x\" ,\t[ ] ]", 17);
  g_assert_cmpmem (kwargs, kwargs_len, "{ \"k\" : 2 }", 11);
}

static void
test_violation_reasons (void)
{
  struct {
    const char *json;
    const char *reason;
  } cases[] = {
    { "[1, \"realm1\", {}] x", "trailing bytes" },
    { "[\"16\"]", "message type must be an integer" },
    { "[99]", "unknown message type 99" },
    { "[16, 1, {}, \"t\", {}]", "Arguments must be a list" },
    { "[16, 1, {}, \"t\", [], []]", "ArgumentsKw must be a dict" },
    { "[16, 1, {}, \"t\", [\"\\ud800\"]]", "lone surrogate" },
    { "[16, 1, {}, \"t\", [01]]", "leading zero" },
    { "[17, 1, 2,]", "trailing comma" },
    { "{}", "must be a JSON array" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampMessage) m = deserialize_string (cases[i].json, &error);

      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
      g_assert_null (m);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("%s: reason \"%s\" lacks \"%s\"", cases[i].json, error->message, cases[i].reason);
    }
}

/* A frame that is not a prefix-terminated buffer: the reader never reads past
 * the GBytes, whatever follows it in memory. */
static void
test_frame_not_nul_terminated (void)
{
  const char *text = "[17, 1, 23]";
  gsize cuts[] = { 3, 6, 9, 10 };

  for (gsize i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *copy = g_memdup2 (text, cuts[i]);
      g_autoptr(GBytes) frame = g_bytes_new_take (g_steal_pointer (&copy), cuts[i]);
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
  g_test_summary ("The JSON serializer: RFC 8259 reader and writer, WAMP messages, raw payloads.");

  serializer = WAMP_SERIALIZER (wamp_json_serializer_new ());
  data_paths = g_ptr_array_new_with_free_func (g_free);

  g_test_add_func ("/json/message/fast-paths-agree-with-the-reader", test_fast_paths_agree);
  g_test_add_func ("/json/serializer/identity", test_serializer_identity);
  g_test_add_func ("/json/serializer/serialize-into", test_serialize_into);
  g_test_add_func ("/json/value/numbers/integers-exact-doubles-only-with-fraction-or-exponent", test_numbers_exact);
  g_test_add_func ("/json/value/numbers/out-of-range-and-malformed-refused", test_numbers_out_of_range_refused);
  g_test_add_func ("/json/value/numbers/doubles-shortest-round-trip", test_doubles_shortest_round_trip);
  g_test_add_func ("/json/value/numbers/nan-and-infinity-not-representable", test_doubles_nan_and_infinity_not_representable);
  g_test_add_func ("/json/value/numbers/int64-and-uint64-bounds-round-trip", test_integers_round_trip);
  g_test_add_func ("/json/value/strings/nul-controls-and-non-bmp-round-trip", test_strings_round_trip);
  g_test_add_func ("/json/value/strings/escapes-and-surrogate-pairs-decoded", test_strings_escapes_decoded);
  g_test_add_func ("/json/value/strings/bad-utf8-and-lone-surrogates-refused", test_strings_bad_input_refused);
  g_test_add_func ("/json/value/bytes/binary-convention-round-trip", test_bytes_round_trip);
  g_test_add_func ("/json/value/bytes/bad-base64-refused", test_bytes_bad_base64_refused);
  g_test_add_func ("/json/value/strings/leading-nul-is-invalid-argument-on-write", test_string_starting_with_nul_not_representable);
  g_test_add_func ("/json/value/containers/nested-empty-and-key-order-round-trip", test_containers_round_trip);
  g_test_add_func ("/json/value/decode-needs-exactly-one-value", test_decode_value_needs_exactly_one_value);
  g_test_add_func ("/json/value/nesting/limit-32-refuses-33", test_nesting_limit);
  g_test_add_func ("/json/message/nesting-limit-overridable", test_nesting_limit_overridable);
  g_test_add_func ("/json/serializer/max-depth-property", test_max_depth_property);
  g_test_add_func ("/json/message/raw-payload-copied-byte-for-byte", test_raw_payload_copied_verbatim);
  g_test_add_func ("/json/message/raw-payload-not-decoded-when-forwarded", test_raw_payload_not_decoded_when_forwarded);
  g_test_add_func ("/json/message/decoded-payload-written-with-empty-args-for-kwargs", test_decoded_payload_written);
  g_test_add_func ("/json/message/written-compactly", test_message_written_compactly);
  g_test_add_func ("/json/message/violations-name-the-reason", test_violation_reasons);
  g_test_add_func ("/json/message/integer-fields-every-length", test_integer_fields_every_length);
  g_test_add_func ("/json/value/numbers/integers-every-length-written", test_integers_every_length_written);
  g_test_add_func ("/json/message/integer-element-at-every-fill", test_element_int_at_every_fill);
  g_test_add_func ("/json/message/raw-payload-after-long-details", test_raw_payload_after_long_details);
  g_test_add_func ("/json/value/strings/special-byte-at-every-position", test_strings_special_byte_everywhere);
  g_test_add_func ("/json/message/whitespace-everywhere", test_whitespace_everywhere);
  g_test_add_func ("/json/message/truncated-frame-never-read-past", test_frame_not_nul_terminated);
  add_data_file_tests ();

  ret = g_test_run ();

  g_ptr_array_unref (data_paths);
  g_object_unref (serializer);
  return ret;
}
