/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the error domains and the code <-> URI table. */

#include <gio/gio.h>
#include <wamp/wamp.h>

static void
test_table_round_trip (void)
{
  for (int code = 0; code <= WAMP_ERROR_APPLICATION; code++)
    {
      const char *uri = wamp_error_code_to_uri ((WampErrorCode) code);

      if (code == WAMP_ERROR_TRANSPORT || code == WAMP_ERROR_APPLICATION)
        {
          g_assert_null (uri);
          continue;
        }
      g_assert_nonnull (uri);
      g_assert_true (g_str_has_prefix (uri, "wamp.error.") || g_str_has_prefix (uri, "wamp.close."));
      g_assert_cmpint (wamp_error_code_from_uri (uri), ==, code);
    }
}

static void
test_known_uris (void)
{
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_PROTOCOL_VIOLATION), ==, "wamp.error.protocol_violation");
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_CANCELED), ==, "wamp.error.canceled");
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_NO_MATCHING_AUTH_METHOD), ==, "wamp.error.no_matching_auth_method");
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_OPTION_DISALLOWED_DISCLOSE_ME), ==, "wamp.error.option_disallowed.disclose_me");
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_GOODBYE_AND_OUT), ==, "wamp.close.goodbye_and_out");
  g_assert_cmpstr (wamp_error_code_to_uri (WAMP_ERROR_KILLED), ==, "wamp.close.killed");
  g_assert_null (wamp_error_code_to_uri ((WampErrorCode) 1000));
}

static void
test_unknown_uri_is_application (void)
{
  g_assert_cmpint (wamp_error_code_from_uri ("com.example.oops"), ==, WAMP_ERROR_APPLICATION);
  g_assert_cmpint (wamp_error_code_from_uri ("wamp.error.no_such_thing"), ==, WAMP_ERROR_APPLICATION);
  g_assert_cmpint (wamp_error_code_from_uri (""), ==, WAMP_ERROR_APPLICATION);
}

static void
test_new_from_uri_keeps_application_uri (void)
{
  g_autoptr(GError) error = wamp_error_new_from_uri ("com.example.error.out_of_stock", "none left");
  g_autoptr(GError) copy = NULL;

  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_APPLICATION);
  g_assert_cmpstr (error->message, ==, "none left");
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "com.example.error.out_of_stock");

  copy = g_error_copy (error);
  g_assert_error (copy, WAMP_ERROR, WAMP_ERROR_APPLICATION);
  g_assert_cmpstr (wamp_error_get_uri (copy), ==, "com.example.error.out_of_stock");
}

static void
test_new_from_uri_maps_known_code (void)
{
  g_autoptr(GError) error = wamp_error_new_from_uri ("wamp.error.no_such_procedure", NULL);

  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PROCEDURE);
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "wamp.error.no_such_procedure");
  g_assert_cmpstr (error->message, ==, "wamp.error.no_such_procedure");
}

static void
test_get_uri_of_plain_errors (void)
{
  g_autoptr(GError) wamp = g_error_new (WAMP_ERROR, WAMP_ERROR_NOT_AUTHORIZED, "no %s", "way");
  g_autoptr(GError) transport = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT, "closed");
  g_autoptr(GError) application = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_APPLICATION, "app");
  g_autoptr(GError) io = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "io");
  g_autoptr(GError) config = g_error_new_literal (WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID, "x");

  g_assert_cmpstr (wamp_error_get_uri (wamp), ==, "wamp.error.not_authorized");
  g_assert_cmpstr (wamp->message, ==, "no way");
  g_assert_cmpstr (wamp_error_get_uri (transport), ==, "wamp.error.runtime_error");
  g_assert_cmpstr (wamp_error_get_uri (application), ==, "wamp.error.runtime_error");
  g_assert_cmpstr (wamp_error_get_uri (io), ==, "wamp.error.runtime_error");
  g_assert_cmpstr (wamp_error_get_uri (config), ==, "wamp.error.runtime_error");
}

static void
test_quarks_distinct (void)
{
  g_assert_cmpuint (WAMP_ERROR, !=, 0);
  g_assert_cmpuint (WAMP_CONFIG_ERROR, !=, 0);
  g_assert_cmpuint (WAMP_PLUGIN_ERROR, !=, 0);
  g_assert_cmpuint (WAMP_ERROR, !=, WAMP_CONFIG_ERROR);
  g_assert_cmpuint (WAMP_ERROR, !=, WAMP_PLUGIN_ERROR);
  g_assert_cmpuint (WAMP_CONFIG_ERROR, !=, WAMP_PLUGIN_ERROR);
}

static void
test_undeliverable_uri (void)
{
  g_autoptr (GError) unrepresentable = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT, "NaN");
  g_autoptr (GError) too_big = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED, "big");
  g_autoptr (GError) gone = g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT, "closed");
  g_autoptr (GError) other = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "io");

  g_assert_cmpstr (wamp_error_get_undeliverable_uri (unrepresentable), ==, "wamp.error.invalid_argument");
  g_assert_cmpstr (wamp_error_get_undeliverable_uri (too_big), ==, "wamp.error.payload_size_exceeded");
  g_assert_null (wamp_error_get_undeliverable_uri (gone));
  g_assert_null (wamp_error_get_undeliverable_uri (other));
  g_assert_null (wamp_error_get_undeliverable_uri (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WAMP error domains and the code/URI table");

  g_test_add_func ("/error/table/every-code-round-trips", test_table_round_trip);
  g_test_add_func ("/error/table/known-uris", test_known_uris);
  g_test_add_func ("/error/table/unknown-uri-is-application", test_unknown_uri_is_application);
  g_test_add_func ("/error/extended/new-from-uri-keeps-application-uri", test_new_from_uri_keeps_application_uri);
  g_test_add_func ("/error/extended/new-from-uri-maps-known-code", test_new_from_uri_maps_known_code);
  g_test_add_func ("/error/get-uri/plain-errors-fall-back", test_get_uri_of_plain_errors);
  g_test_add_func ("/error/quarks/distinct", test_quarks_distinct);
  g_test_add_func ("/error/undeliverable-uri/content-faults-only", test_undeliverable_uri);

  return g_test_run ();
}
