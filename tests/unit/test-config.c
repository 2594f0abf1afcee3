/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the config model: JSON to WampValue, parse errors with line and
 * column, JSON paths, and every typed lookup's messages. */

#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <wamp/wamp.h>

static WampValue *
parse_ok (const char *json)
{
  g_autoptr(GError) error = NULL;
  WampValue *value = wamp_config_parse (json, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (value);
  return value;
}

static void
test_parse_types_are_exact (void)
{
  g_autoptr(WampValue) root = parse_ok ("{\"i\": 9007199254740993, \"n\": -5, \"d\": 1.5,"
                                        " \"t\": true, \"f\": false, \"z\": null,"
                                        " \"s\": \"h\\u00e9\", \"l\": [1, \"a\"], \"o\": {}}");

  g_assert_cmpint (wamp_value_get_value_type (root), ==, WAMP_VALUE_DICT);
  /* 2^53 + 1 would be rounded by a double. */
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (root, "i")), ==, G_GINT64_CONSTANT (9007199254740993));
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (root, "n")), ==, -5);
  g_assert_cmpfloat (wamp_value_get_double (wamp_value_dict_lookup (root, "d")), ==, 1.5);
  g_assert_true (wamp_value_get_bool (wamp_value_dict_lookup (root, "t")));
  g_assert_false (wamp_value_get_bool (wamp_value_dict_lookup (root, "f")));
  g_assert_cmpint (wamp_value_get_value_type (wamp_value_dict_lookup (root, "z")), ==, WAMP_VALUE_NULL);
  g_assert_cmpstr (wamp_value_get_string (wamp_value_dict_lookup (root, "s"), NULL), ==, "hé");
  g_assert_cmpuint (wamp_value_list_length (wamp_value_dict_lookup (root, "l")), ==, 2);
  g_assert_cmpstr (wamp_value_get_string (wamp_value_list_get (wamp_value_dict_lookup (root, "l"), 1), NULL), ==, "a");
  g_assert_cmpint (wamp_value_get_value_type (wamp_value_dict_lookup (root, "o")), ==, WAMP_VALUE_DICT);
}

static void
test_parse_object_keeps_member_order (void)
{
  g_autoptr(WampValue) root = parse_ok ("{\"zeta\": 1, \"alpha\": 2, \"mid\": 3}");

  g_assert_cmpuint (wamp_value_dict_size (root), ==, 3);
  g_assert_cmpstr (wamp_value_dict_get_key (root, 0, NULL), ==, "zeta");
  g_assert_cmpstr (wamp_value_dict_get_key (root, 1, NULL), ==, "alpha");
  g_assert_cmpstr (wamp_value_dict_get_key (root, 2, NULL), ==, "mid");
}

static void
test_parse_error_names_line_and_column (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = wamp_config_parse ("{\n  \"a\": 1,\n  \"b\": x\n}", -1, &error);

  g_assert_null (value);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "3:"));
  g_assert_null (strstr (error->message, "<data>"));
}

static void
test_parse_error_trailing_comma (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = wamp_config_parse ("{\"a\": [1, 2,]}", -1, &error);

  g_assert_null (value);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, "1:"));
}

static void
test_parse_empty_document_is_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = wamp_config_parse ("  \n", -1, &error);

  g_assert_null (value);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "empty"));
}

static void
test_load_file_error_names_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WampValue) value = NULL;
  int fd = g_file_open_tmp ("wampd-config-XXXXXX.json", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, "{\n\"a\": }\n", -1, &error));

  value = wamp_config_load_file (path, &error);
  g_assert_null (value);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE);
  {
    g_autofree char *prefix = g_strconcat (path, ":2:", NULL);

    g_assert_true (g_str_has_prefix (error->message, prefix));
  }
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, "{\"a\": [true]}", -1, &error));
  value = wamp_config_load_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
  g_unlink (path);
}

static void
test_load_file_missing_is_parse_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) value = wamp_config_load_file ("/nonexistent/wampd.json", &error);

  g_assert_null (value);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, "/nonexistent/wampd.json"));
}

static void
test_path_building (void)
{
  g_autofree char *key = wamp_config_path_key ("$", "transports");
  g_autofree char *index = wamp_config_path_index (key, 0);
  g_autofree char *nested = wamp_config_path_key (index, "endpoint");
  g_autofree char *dashed = wamp_config_path_key ("$", "max-size_2");
  g_autofree char *odd = wamp_config_path_key ("$.auth", "a.b \"c\"");
  g_autofree char *leading_digit = wamp_config_path_key ("$", "1x");

  g_assert_cmpstr (nested, ==, "$.transports[0].endpoint");
  g_assert_cmpstr (dashed, ==, "$.max-size_2");
  g_assert_cmpstr (odd, ==, "$.auth[\"a.b \\\"c\\\"\"]");
  g_assert_cmpstr (leading_digit, ==, "$[\"1x\"]");
}

static void
test_check_keys_unknown_key (void)
{
  static const char *const known[] = { "host", "port", NULL };
  g_autoptr(WampValue) ok = parse_ok ("{\"host\": \"h\", \"port\": 1}");
  g_autoptr(WampValue) bad = parse_ok ("{\"host\": \"h\", \"prot\": 1}");
  g_autoptr(WampValue) list = parse_ok ("[]");
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_config_check_keys (ok, "$.endpoint", known, &error));
  g_assert_no_error (error);

  g_assert_false (wamp_config_check_keys (bad, "$.endpoint", known, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_cmpstr (error->message, ==, "$.endpoint.prot: unknown key");
  g_clear_error (&error);

  g_assert_false (wamp_config_check_keys (list, "$.endpoint", known, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.endpoint: must be an object");
}

static void
test_get_string (void)
{
  g_autoptr(WampValue) object = parse_ok ("{\"name\": \"ws\", \"n\": 1}");
  g_autoptr(GError) error = NULL;
  const char *out = NULL;

  g_assert_true (wamp_config_get_string (object, "$.t", "name", TRUE, NULL, &out, &error));
  g_assert_cmpstr (out, ==, "ws");

  g_assert_true (wamp_config_get_string (object, "$.t", "path", FALSE, "/ws", &out, &error));
  g_assert_cmpstr (out, ==, "/ws");
  g_assert_true (wamp_config_get_string (object, "$.t", "path", FALSE, NULL, &out, &error));
  g_assert_null (out);
  g_assert_no_error (error);

  g_assert_false (wamp_config_get_string (object, "$.t", "path", TRUE, NULL, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "$.t.path: is required");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_string (object, "$.t", "n", TRUE, NULL, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.t.n: must be a string");
}

static void
test_get_uint_range (void)
{
  g_autoptr(WampValue) object = parse_ok ("{\"port\": 8080, \"big\": 65536, \"neg\": -1,"
                                          " \"dbl\": 80.0, \"str\": \"80\", \"zero\": 0}");
  g_autoptr(GError) error = NULL;
  guint64 out = 0;

  g_assert_true (wamp_config_get_uint (object, "$.e", "port", TRUE, 0, 0, 65535, &out, &error));
  g_assert_cmpuint (out, ==, 8080);
  g_assert_true (wamp_config_get_uint (object, "$.e", "zero", TRUE, 7, 0, 65535, &out, &error));
  g_assert_cmpuint (out, ==, 0);
  g_assert_true (wamp_config_get_uint (object, "$.e", "absent", FALSE, 42, 0, 65535, &out, &error));
  g_assert_cmpuint (out, ==, 42);
  g_assert_no_error (error);

  for (gsize i = 0; i < 4; i++)
    {
      static const char *const bad[] = { "big", "neg", "dbl", "str" };
      g_autofree char *expected = g_strdup_printf ("$.transports[0].endpoint.%s: must be an integer from 0 to 65535", bad[i]);

      g_assert_false (wamp_config_get_uint (object, "$.transports[0].endpoint", bad[i], TRUE, 0, 0, 65535, &out, &error));
      g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, expected);
      g_clear_error (&error);
    }

  g_assert_false (wamp_config_get_uint (object, "$.e", "zero", TRUE, 0, 1, G_MAXUINT64, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.e.zero: must be an integer of at least 1");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_uint (object, "$.e", "absent", TRUE, 0, 0, 10, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "$.e.absent: is required");
}

static void
test_get_bool (void)
{
  g_autoptr(WampValue) object = parse_ok ("{\"yes\": true, \"one\": 1}");
  g_autoptr(GError) error = NULL;
  gboolean out = FALSE;

  g_assert_true (wamp_config_get_bool (object, "$", "yes", TRUE, FALSE, &out, &error));
  g_assert_true (out);
  g_assert_true (wamp_config_get_bool (object, "$", "absent", FALSE, TRUE, &out, &error));
  g_assert_true (out);
  g_assert_no_error (error);

  g_assert_false (wamp_config_get_bool (object, "$", "one", TRUE, FALSE, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.one: must be true or false");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_bool (object, "$", "absent", TRUE, FALSE, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING);
}

static void
test_get_dict_and_list (void)
{
  g_autoptr(WampValue) object = parse_ok ("{\"o\": {\"a\": 1}, \"l\": [1], \"s\": \"x\"}");
  g_autoptr(GError) error = NULL;
  WampValue *out = NULL;

  g_assert_true (wamp_config_get_dict (object, "$", "o", TRUE, &out, &error));
  g_assert_cmpuint (wamp_value_dict_size (out), ==, 1);
  g_assert_true (wamp_config_get_list (object, "$", "l", TRUE, &out, &error));
  g_assert_cmpuint (wamp_value_list_length (out), ==, 1);
  g_assert_true (wamp_config_get_dict (object, "$", "absent", FALSE, &out, &error));
  g_assert_null (out);
  g_assert_true (wamp_config_get_list (object, "$", "absent", FALSE, &out, &error));
  g_assert_null (out);
  g_assert_no_error (error);

  g_assert_false (wamp_config_get_dict (object, "$", "l", TRUE, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.l: must be an object");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_list (object, "$", "s", TRUE, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.s: must be an array");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_list (object, "$", "absent", TRUE, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "$.absent: is required");
}

static void
test_get_enum (void)
{
  static const char *const choices[] = { "none", "session", "system", NULL };
  g_autoptr(WampValue) object = parse_ok ("{\"dbus\": \"session\", \"bad\": \"bus\", \"num\": 2}");
  g_autoptr(GError) error = NULL;
  const char *out = NULL;

  g_assert_true (wamp_config_get_enum (object, "$.admin", "dbus", TRUE, NULL, choices, &out, &error));
  g_assert_cmpstr (out, ==, "session");
  g_assert_true (wamp_config_get_enum (object, "$.admin", "absent", FALSE, "none", choices, &out, &error));
  g_assert_cmpstr (out, ==, "none");
  g_assert_no_error (error);

  g_assert_false (wamp_config_get_enum (object, "$.admin", "bad", TRUE, NULL, choices, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.admin.bad: must be one of \"none\", \"session\", \"system\"");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_enum (object, "$.admin", "num", TRUE, NULL, choices, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.admin.num: must be a string");
  g_clear_error (&error);

  g_assert_false (wamp_config_get_enum (object, "$.admin", "absent", TRUE, NULL, choices, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_MISSING);
}

/* The options every stream transport shares: defaults, seconds to
 * milliseconds, ranges, and the first wrong key in order is the error. */
static void
test_get_connection_options (void)
{
  g_autoptr(WampValue) empty = parse_ok ("{}");
  g_autoptr(WampValue) full = parse_ok ("{\"max_queue_bytes\": 4096, \"queue_overflow\": \"drop\","
                                        " \"handshake_timeout\": 3, \"ping_interval\": 20,"
                                        " \"ping_timeout\": 5}");
  g_autoptr(WampValue) two_bad = parse_ok ("{\"queue_overflow\": \"block\", \"ping_timeout\": 0}");
  g_autoptr(WampValue) late_bad = parse_ok ("{\"ping_interval\": 86401}");
  g_autoptr(WampValue) zero_queue = parse_ok ("{\"max_queue_bytes\": 0}");
  g_autoptr(GError) error = NULL;
  gsize queue_bytes = 1;
  WampQueueOverflow overflow = WAMP_QUEUE_OVERFLOW_DROP;
  guint handshake_ms = 1, interval_ms = 1, timeout_ms = 1;

  g_assert_true (wamp_config_get_connection_options (empty, "$.t.options", 777, &queue_bytes,
                                                     &overflow, &handshake_ms, &interval_ms,
                                                     &timeout_ms, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (queue_bytes, ==, 777);
  g_assert_cmpint (overflow, ==, WAMP_QUEUE_OVERFLOW_DISCONNECT);
  g_assert_cmpuint (handshake_ms, ==, 10000);
  g_assert_cmpuint (interval_ms, ==, 0);
  g_assert_cmpuint (timeout_ms, ==, 10000);

  g_assert_true (wamp_config_get_connection_options (full, "$.t.options", 777, &queue_bytes,
                                                     &overflow, &handshake_ms, &interval_ms,
                                                     &timeout_ms, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (queue_bytes, ==, 4096);
  g_assert_cmpint (overflow, ==, WAMP_QUEUE_OVERFLOW_DROP);
  g_assert_cmpuint (handshake_ms, ==, 3000);
  g_assert_cmpuint (interval_ms, ==, 20000);
  g_assert_cmpuint (timeout_ms, ==, 5000);

  /* queue_overflow comes before ping_timeout; nothing is written on error. */
  g_assert_false (wamp_config_get_connection_options (two_bad, "$.t.options", 777, &queue_bytes,
                                                      &overflow, &handshake_ms, &interval_ms,
                                                      &timeout_ms, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "$.t.options.queue_overflow: must be one of \"disconnect\", \"drop\"");
  g_clear_error (&error);
  g_assert_cmpuint (queue_bytes, ==, 4096);
  g_assert_cmpint (overflow, ==, WAMP_QUEUE_OVERFLOW_DROP);

  g_assert_false (wamp_config_get_connection_options (late_bad, "$.t.options", 777, &queue_bytes,
                                                      &overflow, &handshake_ms, &interval_ms,
                                                      &timeout_ms, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.t.options.ping_interval: must be an integer from 0 to 86400");
  g_clear_error (&error);
  g_assert_cmpuint (interval_ms, ==, 20000);

  g_assert_false (wamp_config_get_connection_options (zero_queue, "$.t.options", 777, &queue_bytes,
                                                      &overflow, &handshake_ms, &interval_ms,
                                                      &timeout_ms, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.t.options.max_queue_bytes: must be an integer of at least 1");
}

static void
test_getter_on_non_object_is_error (void)
{
  g_autoptr(WampValue) list = parse_ok ("[1, 2]");
  g_autoptr(GError) error = NULL;
  const char *out = NULL;

  g_assert_false (wamp_config_get_string (list, "$.transports[0]", "name", TRUE, NULL, &out, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "$.transports[0]: must be an object");
}

static void
test_odd_key_names_in_messages (void)
{
  static const char *const known[] = { NULL };
  g_autoptr(WampValue) object = parse_ok ("{\"a b\": 1}");
  g_autoptr(GError) error = NULL;

  g_assert_false (wamp_config_check_keys (object, "$.x", known, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNKNOWN_KEY);
  g_assert_cmpstr (error->message, ==, "$.x[\"a b\"]: unknown key");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/parse/types-are-exact", test_parse_types_are_exact);
  g_test_add_func ("/config/parse/object-keeps-member-order", test_parse_object_keeps_member_order);
  g_test_add_func ("/config/parse/error-names-line-and-column", test_parse_error_names_line_and_column);
  g_test_add_func ("/config/parse/trailing-comma-is-error", test_parse_error_trailing_comma);
  g_test_add_func ("/config/parse/empty-document-is-error", test_parse_empty_document_is_error);
  g_test_add_func ("/config/load-file/error-names-file-line-column", test_load_file_error_names_file);
  g_test_add_func ("/config/load-file/missing-file-is-parse-error", test_load_file_missing_is_parse_error);
  g_test_add_func ("/config/path/key-index-and-quoting", test_path_building);
  g_test_add_func ("/config/check-keys/unknown-key-named-by-path", test_check_keys_unknown_key);
  g_test_add_func ("/config/check-keys/odd-key-quoted", test_odd_key_names_in_messages);
  g_test_add_func ("/config/get-string/default-missing-and-type", test_get_string);
  g_test_add_func ("/config/get-uint/range-type-and-default", test_get_uint_range);
  g_test_add_func ("/config/get-bool/default-missing-and-type", test_get_bool);
  g_test_add_func ("/config/get-dict-list/default-missing-and-type", test_get_dict_and_list);
  g_test_add_func ("/config/get-enum/choices-listed", test_get_enum);
  g_test_add_func ("/config/get/non-object-is-error", test_getter_on_non_object_is_error);
  g_test_add_func ("/config/get-connection-options/defaults-ranges-order",
                   test_get_connection_options);

  return g_test_run ();
}
