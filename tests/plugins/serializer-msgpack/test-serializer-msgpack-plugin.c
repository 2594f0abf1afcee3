/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The built serializer-msgpack.so loads through the plugin loader and serves
 * the "msgpack" extension (this program does not link the plugin's types). */

#include <wamp/wamp.h>

static void
test_plugin_registers_msgpack (void)
{
  g_autoptr(WampPluginLoader) loader = NULL;
  g_autoptr(GError) error = NULL;
  WampSerializer *serializer;
  const WampPluginRecord *record = NULL;
  const char *const *extensions;
  guint max_depth = 0;

  wamp_extension_points_ensure ();
  loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  /* $WAMPD_PLUGIN_PATH: the build tree's plugins. */
  g_assert_true (wamp_plugin_loader_load_all (loader, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < wamp_plugin_loader_get_n_records (loader); i++)
    if (g_strcmp0 (wamp_plugin_record_get_name (wamp_plugin_loader_get_record (loader, i)),
                   "serializer-msgpack") == 0)
      record = wamp_plugin_loader_get_record (loader, i);
  g_assert_nonnull (record);
  g_assert_null (wamp_plugin_record_get_error (record));
  g_assert_cmpstr (wamp_plugin_record_get_license (record), ==, "LGPL-2.1-or-later");
  extensions = wamp_plugin_record_get_extensions (record);
  g_assert_nonnull (extensions);
  g_assert_true (g_strv_contains (extensions, "wamp-serializer:msgpack"));

  serializer = wamp_serializer_lookup ("msgpack");
  g_assert_nonnull (serializer);
  g_assert_cmpstr (wamp_serializer_get_subprotocol (serializer), ==, "wamp.2.msgpack");
  g_assert_cmpuint (wamp_serializer_get_rawsocket_id (serializer), ==, 2);
  g_assert_true (wamp_serializer_is_binary (serializer));
  g_object_get (serializer, "max-depth", &max_depth, NULL);
  g_assert_cmpuint (max_depth, ==, 32);

  /* And it works: [17, 1, 2] in and out. */
  {
    g_autoptr(GBytes) frame = g_bytes_new_static ("\x93\x11\x01\x02", 4);
    g_autoptr(WampMessage) message = wamp_serializer_deserialize (serializer, frame, &error);
    g_autoptr(GBytes) out = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (wamp_message_get_message_type (message), ==, WAMP_MESSAGE_PUBLISHED);
    out = wamp_serializer_serialize (serializer, message, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (out, frame));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The serializer-msgpack plugin file registers the msgpack serializer.");

  g_test_add_func ("/msgpack/plugin/loads-and-registers-msgpack", test_plugin_registers_msgpack);
  return g_test_run ();
}
