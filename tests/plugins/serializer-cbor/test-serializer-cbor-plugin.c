/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The serializer-cbor shared module as wampd loads it: it registers "cbor",
 * and the shared instance takes its nesting limit as the "max-depth"
 * property (how the configuration sets it). A separate program from the
 * codec tests, which link the types statically. */

#include <wamp/wamp.h>

static void
test_plugin_registers_cbor (void)
{
  const char *plugin_dir = g_getenv ("WAMPD_PLUGIN_PATH");
  g_autofree char *path = NULL;
  g_autoptr(WampPluginLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) deep = NULL;
  g_autoptr(GBytes) ok = NULL;
  g_autoptr(WampMessage) message = NULL;
  WampSerializer *found;
  guint max_depth = 0;

  g_assert_nonnull (plugin_dir);
  path = g_build_filename (plugin_dir, "serializer-cbor", "serializer-cbor.so", NULL);
  wamp_extension_points_ensure ();
  loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  g_assert_true (wamp_plugin_loader_load_file (loader, path, &error));
  g_assert_no_error (error);

  found = wamp_serializer_lookup ("cbor");
  g_assert_nonnull (found);
  g_assert_cmpstr (wamp_serializer_get_name (found), ==, "cbor");
  g_assert_cmpstr (wamp_serializer_get_subprotocol (found), ==, "wamp.2.cbor");
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (found), ==, 3);
  g_assert_true (wamp_serializer_is_binary (found));

  g_object_get (found, "max-depth", &max_depth, NULL);
  g_assert_cmpuint (max_depth, ==, 32);

  /* [17, 1, 2] passes at depth 1; [16, 1, {}, "t", []] needs 2. */
  g_object_set (found, "max-depth", 1, NULL);
  ok = g_bytes_new_static ("\x83\x11\x01\x02", 4);
  deep = g_bytes_new_static ("\x85\x10\x01\xa0\x61t\x80", 7);
  message = wamp_serializer_deserialize (found, ok, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_clear_pointer (&message, wamp_message_unref);
  message = wamp_serializer_deserialize (found, deep, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_null (message);
  g_object_set (found, "max-depth", 32, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The serializer-cbor plugin module registers its serializer.");

  g_test_add_func ("/cbor/plugin/registers-cbor-with-max-depth-property", test_plugin_registers_cbor);
  return g_test_run ();
}
