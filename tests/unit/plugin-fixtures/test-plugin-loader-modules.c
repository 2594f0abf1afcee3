/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampPluginLoader on real modules: the fixture plugins built next
 * to this test, each refused for its own reason but the good one. */

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include <wamp/wamp.h>

#define FIXTURE(name) FIXTURES_DIR G_DIR_SEPARATOR_S name "." G_MODULE_SUFFIX

static guint refusals_logged;

/* Refusals are g_warning()s for the operator; here they are expected, so
 * count them instead of letting the test framework abort. (The structured
 * log API does not consult g_test_log_set_fatal_handler().) */
static GLogWriterOutput
writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (strcmp (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (strcmp (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if ((log_level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "wampcore") == 0
      && message != NULL && g_str_has_prefix (message, "Plugin refused: "))
    {
      refusals_logged++;
      if (g_test_verbose ())
        g_test_message ("%s", message);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static const WampPluginRecord *
find_record (WampPluginLoader *loader, const char *path)
{
  for (guint i = 0; i < wamp_plugin_loader_get_n_records (loader); i++)
    {
      const WampPluginRecord *record = wamp_plugin_loader_get_record (loader, i);

      if (g_strcmp0 (wamp_plugin_record_get_path (record), path) == 0)
        return record;
    }
  g_error ("no record for %s", path);
}

static void
assert_refused (WampPluginLoader *loader, const char *path, gint code, const char *name)
{
  const WampPluginRecord *record = find_record (loader, path);
  const GError *error = wamp_plugin_record_get_error (record);

  g_assert_nonnull (error);
  if (!g_error_matches (error, WAMP_PLUGIN_ERROR, code))
    g_error ("%s: expected code %d, got %s %d: %s", path, code,
             g_quark_to_string (error->domain), error->code, error->message);
  g_assert_cmpstr (wamp_plugin_record_get_name (record), ==, name);
  /* The message says which file. */
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (wamp_plugin_record_get_extensions (record)[0]);
}

static void
test_load_all_fixtures (void)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *env = g_strdup_printf ("/nonexistent/wampd-plugins%s%s",
                                          G_SEARCHPATH_SEPARATOR_S, FIXTURES_DIR);
  const WampPluginRecord *good;
  const char *const *extensions;
  GType type;
  g_autoptr(WampTransport) transport = NULL;

  /* Through the environment, as integration tests do; a missing folder
   * there is skipped. */
  g_setenv ("WAMPD_PLUGIN_PATH", env, TRUE);
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  g_assert_true (wamp_plugin_loader_load_all (loader, &error));
  g_assert_no_error (error);

  /* Name order: the good one comes first, so it owns its name and extension. */
  g_assert_cmpuint (wamp_plugin_loader_get_n_records (loader), ==, 8);
  good = wamp_plugin_loader_get_record (loader, 0);
  g_assert_cmpstr (wamp_plugin_record_get_path (good), ==, FIXTURE ("fixture-00-good"));
  g_assert_null (wamp_plugin_record_get_error (good));
  g_assert_cmpstr (wamp_plugin_record_get_name (good), ==, "fixture-good");
  g_assert_cmpstr (wamp_plugin_record_get_version (good), ==, "1.2.3");
  g_assert_cmpstr (wamp_plugin_record_get_license (good), ==, "LGPL-2.1-or-later");
  g_assert_cmpstr (wamp_plugin_record_get_description (good), ==, "Loads fine");
  extensions = wamp_plugin_record_get_extensions (good);
  g_assert_cmpstr (extensions[0], ==, "wamp-transport:fixture-transport");
  g_assert_null (extensions[1]);

  assert_refused (loader, FIXTURE ("fixture-10-abi-major"), WAMP_PLUGIN_ERROR_ABI, NULL);
  assert_refused (loader, FIXTURE ("fixture-11-abi-minor"), WAMP_PLUGIN_ERROR_ABI, NULL);
  assert_refused (loader, FIXTURE ("fixture-20-duplicate-name"), WAMP_PLUGIN_ERROR_DUPLICATE, "fixture-good");
  assert_refused (loader, FIXTURE ("fixture-21-duplicate-extension"), WAMP_PLUGIN_ERROR_DUPLICATE,
                  "fixture-duplicate-extension");
  assert_refused (loader, FIXTURE ("fixture-30-bad-type"), WAMP_PLUGIN_ERROR_TYPE, "fixture-bad-type");
  assert_refused (loader, FIXTURE ("fixture-40-no-entry"), WAMP_PLUGIN_ERROR_NO_ENTRY, NULL);
  assert_refused (loader, FIXTURE ("fixture-50-not-a-module"), WAMP_PLUGIN_ERROR_OPEN, NULL);
  g_assert_cmpuint (refusals_logged, ==, 7);

  /* The good extension is there, the refused ones are not. */
  type = wamp_extension_lookup (WAMP_TRANSPORT_EXTENSION_POINT, "fixture-transport");
  g_assert_cmpstr (g_type_name (type), ==, "FixtureGoodTransport");
  g_assert_cmpint (wamp_extension_lookup (WAMP_TRANSPORT_EXTENSION_POINT, "fixture-bad-type"), ==, G_TYPE_INVALID);
  transport = wamp_transport_new ("fixture-transport");
  g_assert_true (WAMP_IS_TRANSPORT (transport));
  g_assert_true (G_TYPE_CHECK_INSTANCE_TYPE (transport, type));
  g_assert_null (wamp_transport_new ("fixture-bad-type"));
  {
    g_auto(GStrv) names = wamp_extension_list (WAMP_TRANSPORT_EXTENSION_POINT);

    g_assert_true (g_strv_contains ((const char *const *) names, "fixture-transport"));
    g_assert_false (g_strv_contains ((const char *const *) names, "fixture-bad-type"));
  }

  g_unsetenv ("WAMPD_PLUGIN_PATH");
}

/* Runs after test_load_all_fixtures: the process already holds the modules. */
static void
test_second_loader_gets_same_outcome_quietly (void)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();
  g_autoptr(GError) error = NULL;
  guint logged_before = refusals_logged;

  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  wamp_plugin_loader_add_directory (loader, FIXTURES_DIR);
  g_assert_true (wamp_plugin_loader_load_all (loader, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (wamp_plugin_loader_get_n_records (loader), ==, 8);
  g_assert_null (wamp_plugin_record_get_error (find_record (loader, FIXTURE ("fixture-00-good"))));
  g_assert_cmpstr (wamp_plugin_record_get_extensions (find_record (loader, FIXTURE ("fixture-00-good")))[0],
                   ==, "wamp-transport:fixture-transport");
  assert_refused (loader, FIXTURE ("fixture-30-bad-type"), WAMP_PLUGIN_ERROR_TYPE, "fixture-bad-type");
  /* Not refused again: the first loader's outcome is replayed, not redone. */
  g_assert_cmpuint (refusals_logged, ==, logged_before);
}

static void
test_load_file_reports_error (void)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (wamp_plugin_loader_load_file (loader, FIXTURE ("fixture-40-no-entry"), &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_NO_ENTRY);
  g_clear_error (&error);

  g_assert_true (wamp_plugin_loader_load_file (loader, FIXTURE ("fixture-00-good"), &error));
  g_assert_no_error (error);

  /* Each file once per loader, whatever the spelling of its path. */
  g_assert_true (wamp_plugin_loader_load_file (loader, FIXTURES_DIR "/./fixture-00-good." G_MODULE_SUFFIX, &error));
  g_assert_cmpuint (wamp_plugin_loader_get_n_records (loader), ==, 2);
}

static void
test_missing_file_is_open_error (void)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (wamp_plugin_loader_load_file (loader, FIXTURES_DIR "/no-such-plugin." G_MODULE_SUFFIX, &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN);
  g_assert_cmpuint (wamp_plugin_loader_get_n_records (loader), ==, 1);
}

static void
test_added_missing_directory_fails (void)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();
  g_autoptr(GError) error = NULL;

  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  wamp_plugin_loader_add_directory (loader, "/nonexistent/wampd-plugins");
  g_assert_false (wamp_plugin_loader_load_all (loader, &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, "/nonexistent/wampd-plugins"));
}

/* Only root checks owners and modes; as anyone else this proves nothing. */
static void
test_root_refuses_unsafe_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *writable = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(WampPluginLoader) loader = NULL;

  if (geteuid () != 0)
    {
      g_test_skip ("needs root: the loader checks permissions only as root");
      return;
    }

  dir = g_dir_make_tmp ("wampd-plugin-perms-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (FIXTURE ("fixture-00-good"), &contents, &length, &error));
  writable = g_build_filename (dir, "writable." G_MODULE_SUFFIX, NULL);
  foreign = g_build_filename (dir, "foreign." G_MODULE_SUFFIX, NULL);
  g_assert_true (g_file_set_contents (writable, contents, length, &error));
  g_assert_true (g_file_set_contents (foreign, contents, length, &error));
  g_assert_cmpint (g_chmod (writable, 0775), ==, 0);
  g_assert_cmpint (g_chmod (foreign, 0755), ==, 0);
  g_assert_cmpint (chown (foreign, 65534, 65534), ==, 0);

  loader = wamp_plugin_loader_new ();
  g_assert_false (wamp_plugin_loader_load_file (loader, writable, &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS);
  g_clear_error (&error);
  g_assert_false (wamp_plugin_loader_load_file (loader, foreign, &error));
  g_assert_error (error, WAMP_PLUGIN_ERROR, WAMP_PLUGIN_ERROR_PERMISSIONS);
  g_assert_null (wamp_plugin_record_get_name (wamp_plugin_loader_get_record (loader, 1)));

  g_unlink (writable);
  g_unlink (foreign);
  g_rmdir (dir);
}

static void
test_default_dir_is_installed_folder (void)
{
  const char *dir = wamp_plugin_loader_get_default_dir ();

  g_assert_nonnull (dir);
  g_assert_true (g_path_is_absolute (dir));
  g_assert_true (g_str_has_suffix (dir, "wampd" G_DIR_SEPARATOR_S "plugins"));
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/plugin-loader/modules/load-all-refuses-each-bad-fixture-with-its-code", test_load_all_fixtures);
  g_test_add_func ("/plugin-loader/modules/second-loader-gets-same-outcome-quietly",
                   test_second_loader_gets_same_outcome_quietly);
  g_test_add_func ("/plugin-loader/modules/load-file-reports-error-and-dedups-paths", test_load_file_reports_error);
  g_test_add_func ("/plugin-loader/modules/missing-file-is-open-error", test_missing_file_is_open_error);
  g_test_add_func ("/plugin-loader/directories/added-missing-folder-fails", test_added_missing_directory_fails);
  g_test_add_func ("/plugin-loader/permissions/root-refuses-group-writable-or-foreign-file",
                   test_root_refuses_unsafe_file);
  g_test_add_func ("/plugin-loader/directories/default-is-installed-folder", test_default_dir_is_installed_folder);

  return g_test_run ();
}
