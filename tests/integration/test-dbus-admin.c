/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The D-Bus admin interface end to end: a private bus (GTestDBus), the real
 * wampd spawned on it with --session-bus, real WAMP clients (WampClient over
 * WebSocket) and both the generated proxy and the wampctl executable as
 * admin clients. Every wait is bounded; children are ended by their PID. */

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include <wamp/wamp.h>

#include "wamp-test-async.h"
#include "wamp-test-scratch.h"
#include "wamp-test-subprocess.h"
#include "wampd-admin-error.h"
#include "wampd-router1-generated.h"

/* Generous: sanitizer builds on a shared machine start slowly. */
#define TIMEOUT_MS 30000

#define ALLOW_ALL "\"allow\": {\"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true}"
#define REALM(name) \
  "{ \"name\": \"" name "\", \"roles\": [ { \"name\": \"anonymous\", \"permissions\": [" \
  "  { \"uri\": \"\", \"match\": \"prefix\", " ALLOW_ALL " } ] } ] }"

static const char config_json[] =
  "{ \"version\": 1,\n"
  "  \"realms\": [ " REALM ("realm1") ", " REALM ("realm2") " ],\n"
  "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
  "      \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },\n"
  "      \"path\": \"/ws\", \"serializers\": [\"json\"] } ] }\n";

/* ---- paths and processes ---------------------------------------------------- */

static char *
built_program (const char *name)
{
  /* meson sets G_TEST_BUILDDIR to <build>/tests. */
  return g_test_build_filename (G_TEST_BUILT, "..", "daemon", name, NULL);
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags, const char *language)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  if (language != NULL)
    {
      g_autofree char *localedir = g_test_build_filename (G_TEST_BUILT, "..", "po", NULL);

      g_subprocess_launcher_setenv (launcher, "LANGUAGE", language, TRUE);
      g_subprocess_launcher_setenv (launcher, "WAMPD_LOCALEDIR", localedir, TRUE);
    }
  else
    g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  return launcher;
}

static gboolean
flag_true (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
iterate_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, flag_true, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* Iterates until @cond or the timeout; returns @cond's last value. */
static gboolean
iterate_until (gboolean (*cond) (gpointer), gpointer data, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, flag_true, &timed_out);

  while (!cond (data) && !timed_out)
    {
      /* Conditions on files need a wake-up now and then. */
      gboolean tick = FALSE;
      guint tick_id = g_timeout_add (20, flag_true, &tick);

      g_main_context_iteration (NULL, TRUE);
      if (!tick)
        g_source_remove (tick_id);
    }
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

/* Runs wampctl with @args (NULL-terminated) while the main context keeps
 * the WAMP clients alive; returns its exit status, output in @out/@err. */
static int
run_wampctl_full (const char *language, char **out, char **err, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("wampctl %s", args[0]);

  g_ptr_array_add (argv, built_program ("wampctl"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, language);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return wamp_test_subprocess_communicate (proc, what, TIMEOUT_MS, out, err);
}

#define run_wampctl(out, err, ...) \
  run_wampctl_full (NULL, out, err, (const char *const[]) { "--session", __VA_ARGS__, NULL })

/* ---- fixture ------------------------------------------------------------------- */

typedef struct {
  GTestDBus *bus;
  char *dir;
  char *config_path;
  char *ready_path;
  GSubprocess *wampd;
  char *url;
  GDBusConnection *connection;
  WampdRouter1 *proxy;
  WampReactor *reactor;
  GPtrArray *clients;        /* WampClient */
} Fixture;

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* Starts wampd on the private bus; returns once its ready file exists (the
 * bus name is owned by then). */
static void
start_wampd (Fixture *f)
{
  g_autoptr (GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_NONE, NULL);
  g_autofree char *wampd = built_program ("wampd");
  g_autofree char *log_path = g_build_filename (f->dir, "wampd.log", NULL);
  g_autofree char *ready = NULL;
  g_autoptr (GError) error = NULL;
  const char *space;

  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  f->wampd = g_subprocess_launcher_spawn (launcher, &error, wampd, "--config", f->config_path,
                                          "--session-bus", "--ready-file", f->ready_path, "--verbose", NULL);
  g_assert_no_error (error);
  if (!iterate_until (file_exists, f->ready_path, TIMEOUT_MS))
    {
      g_autofree char *log = NULL;

      g_file_get_contents (log_path, &log, NULL, NULL);
      g_error ("wampd wrote no ready file; log:\n%s", log);
    }
  g_file_get_contents (f->ready_path, &ready, NULL, &error);
  g_assert_no_error (error);
  space = strchr (ready, ' ');
  g_assert_nonnull (space);
  f->url = g_strndup (space + 1, strcspn (space + 1, "\n"));
}

static void
fixture_setup_bus (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = wamp_test_scratch_new ("test-dbus-admin-XXXXXX");
  f->config_path = g_build_filename (f->dir, "wampd.json", NULL);
  f->ready_path = g_build_filename (f->dir, "ready", NULL);
  g_file_set_contents (f->config_path, config_json, -1, &error);
  g_assert_no_error (error);

  /* Sets DBUS_SESSION_BUS_ADDRESS for us and the children. */
  f->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (f->bus);
  f->connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (f->bus),
                                                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                          | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                          NULL, NULL, &error);
  g_assert_no_error (error);
  f->reactor = wamp_reactor_new (NULL);
  f->clients = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture_setup_bus (f, data);
  start_wampd (f);
  f->proxy = wampd_router1_proxy_new_sync (f->connection, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START,
                                           WAMPD_ADMIN_DBUS_NAME, WAMPD_ADMIN_DBUS_PATH, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  for (guint i = 0; f->clients != NULL && i < f->clients->len; i++)
    wamp_client_disconnect (g_ptr_array_index (f->clients, i));
  g_clear_pointer (&f->clients, g_ptr_array_unref);
  if (f->wampd != NULL)
    {
      g_autoptr (GError) error = NULL;

      /* Our own child, by its PID. */
      g_subprocess_send_signal (f->wampd, SIGTERM);
      g_subprocess_wait (f->wampd, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (f->wampd));
      g_assert_cmpint (g_subprocess_get_exit_status (f->wampd), ==, 0);
      g_clear_object (&f->wampd);
    }
  iterate_for (20);
  g_clear_object (&f->proxy);
  if (f->connection != NULL)
    g_dbus_connection_close_sync (f->connection, NULL, NULL);
  g_clear_object (&f->connection);
  g_clear_object (&f->reactor);
  if (f->bus != NULL)
    g_test_dbus_down (f->bus);
  g_clear_object (&f->bus);
  if (f->dir != NULL)
    wamp_test_scratch_remove (f->dir);
  g_free (f->dir);
  g_free (f->config_path);
  g_free (f->ready_path);
  g_free (f->url);
}

/* ---- WAMP clients --------------------------------------------------------------- */

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  return wamp_test_wait_result (result, TIMEOUT_MS);
}

typedef struct {
  char *reason;
} LeftLog;

static void
on_left (WampClient *client, const char *reason, gpointer user_data)
{
  LeftLog *log = user_data;

  g_free (log->reason);
  log->reason = g_strdup (reason);
}

static gboolean
has_left (gpointer data)
{
  return ((LeftLog *) data)->reason != NULL;
}

static WampClient *
join (Fixture *f, const char *realm, LeftLog *left)
{
  WampClient *client = wamp_client_new (f->reactor);
  g_autoptr (GError) error = NULL;
  GAsyncResult *w = NULL;

  if (left != NULL)
    g_signal_connect (client, "left", G_CALLBACK (on_left), left);
  wamp_client_join_async (client, f->url, "json", realm, NULL, NULL, wamp_test_store_result, &w);
  g_assert_true (wamp_client_join_finish (client, wait_result (&w), &error));
  g_assert_no_error (error);
  g_object_unref (w);
  g_ptr_array_add (f->clients, client);
  return client;
}

static void
noop_event (WampClient *client, WampMessage *event, gpointer user_data)
{
}

static void
noop_invocation (WampClient *client, WampMessage *invocation, gpointer user_data)
{
}

/* ---- D-Bus helpers ------------------------------------------------------------- */

static void
assert_remote_error (GError *error, const char *name)
{
  g_autofree char *remote = NULL;

  g_assert_nonnull (error);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, name);
}

static gint64
vardict_int (GVariant *dict, const char *key)
{
  gint64 value = -1;

  g_assert_true (g_variant_lookup (dict, key, "x", &value));
  return value;
}

static const char *
vardict_str (GVariant *dict, const char *key)
{
  const char *value = NULL;

  g_assert_true (g_variant_lookup (dict, key, "&s", &value));
  return value;
}

/* The "session" IDs of an aa{sv}, in order. */
static GArray *
session_ids (GVariant *sessions)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));

  for (gsize i = 0; i < g_variant_n_children (sessions); i++)
    {
      g_autoptr (GVariant) s = g_variant_get_child_value (sessions, i);
      guint64 id = (guint64) vardict_int (s, "session");

      g_array_append_val (ids, id);
    }
  return ids;
}

/* ---- tests: D-Bus API -------------------------------------------------------------- */

static void
test_properties_and_realms (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) realms = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = g_get_real_time ();

  g_assert_cmpstr (wampd_router1_get_version (f->proxy), ==, WAMPD_VERSION);
  g_assert_cmpuint (wampd_router1_get_start_time (f->proxy), >, (guint64) (now - 120 * G_USEC_PER_SEC));
  g_assert_cmpuint (wampd_router1_get_start_time (f->proxy), <=, (guint64) now);

  join (f, "realm2", NULL);
  g_assert_true (wampd_router1_call_list_realms_sync (f->proxy, &realms, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (realms), ==, 2);
  {
    g_autoptr (GVariant) r1 = g_variant_get_child_value (realms, 0);
    g_autoptr (GVariant) r2 = g_variant_get_child_value (realms, 1);
    g_autofree const char **roles = NULL;

    g_assert_cmpstr (vardict_str (r1, "name"), ==, "realm1");
    g_assert_cmpint (vardict_int (r1, "sessions"), ==, 0);
    g_assert_cmpstr (vardict_str (r2, "name"), ==, "realm2");
    g_assert_cmpint (vardict_int (r2, "sessions"), ==, 1);
    g_assert_true (g_variant_lookup (r1, "router_roles", "^a&s", &roles));
    g_assert_true (g_strv_contains (roles, "broker"));
    g_assert_true (g_strv_contains (roles, "dealer"));
  }
}

static void
test_sessions_list_and_get (Fixture *f, gconstpointer data)
{
  WampClient *a = join (f, "realm1", NULL);
  WampClient *b = join (f, "realm1", NULL);
  WampClient *c = join (f, "realm2", NULL);
  g_autoptr (GVariant) of_realm1 = NULL;
  g_autoptr (GVariant) all = NULL;
  g_autoptr (GVariant) one = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (wampd_router1_call_list_sessions_sync (f->proxy, "realm1", &of_realm1, NULL, &error));
  g_assert_no_error (error);
  ids = session_ids (of_realm1);
  /* Sorted by join time. */
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpuint (g_array_index (ids, guint64, 0), ==, wamp_client_get_session_id (a));
  g_assert_cmpuint (g_array_index (ids, guint64, 1), ==, wamp_client_get_session_id (b));

  g_assert_true (wampd_router1_call_list_sessions_sync (f->proxy, "", &all, NULL, &error));
  g_assert_cmpuint (g_variant_n_children (all), ==, 3);

  g_assert_true (wampd_router1_call_get_session_sync (f->proxy, wamp_client_get_session_id (c), &one, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vardict_int (one, "session"), ==, (gint64) wamp_client_get_session_id (c));
  g_assert_cmpstr (vardict_str (one, "realm"), ==, "realm2");
  g_assert_cmpstr (vardict_str (one, "authrole"), ==, "anonymous");
  g_assert_cmpstr (vardict_str (one, "authmethod"), ==, "anonymous");
  g_assert_cmpstr (vardict_str (one, "authid"), ==,
                   wamp_value_dict_get_string (wamp_client_get_welcome_details (c), "authid"));
  g_assert_cmpstr (vardict_str (one, "transport"), ==, "ws");
  g_assert_cmpstr (vardict_str (one, "serializer"), ==, "json");
  g_assert_true (g_str_has_prefix (vardict_str (one, "peer"), "tcp4:127.0.0.1:"));
  g_assert_cmpint (vardict_int (one, "joined"), >, 0);

  /* Errors carry the registered names. */
  g_assert_false (wampd_router1_call_get_session_sync (f->proxy, 12345, NULL, NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.NoSuchSession");
  g_assert_true (g_error_matches (error, WAMPD_ADMIN_ERROR, WAMPD_ADMIN_ERROR_NO_SUCH_SESSION));
  g_clear_error (&error);
  g_assert_false (wampd_router1_call_list_sessions_sync (f->proxy, "nope", NULL, NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.NoSuchRealm");
}

/* HELLO.Details.roles is the client's to fill: nulls, bytes, a NUL inside a
 * string, 2^64-1, doubles and mixed lists must survive the WampValue ->
 * GVariant edge (not crash wampd, not break the reply). */
static void
test_odd_hello_details_survive_the_variant_edge (Fixture *f, gconstpointer data)
{
  g_autoptr (WampValue) details = wamp_value_new_dict (1);
  WampValue *roles = wamp_value_new_dict (2);
  WampValue *features = wamp_value_new_dict (8);
  WampValue *subscriber = wamp_value_new_dict (1);
  WampValue *mixed = wamp_value_new_list (3);
  g_autoptr (GVariant) one = NULL;
  g_autoptr (GVariant) all = NULL;
  g_autoptr (GVariant) got_roles = NULL;
  g_autoptr (GVariant) got_subscriber = NULL;
  g_autoptr (GVariant) got_features = NULL;
  g_autoptr (GVariant) got_mixed = NULL;
  g_autoptr (GError) error = NULL;
  WampClient *client;
  guint64 big = 0;
  gdouble ratio = 0;
  gboolean flag = FALSE;
  const guint8 raw[] = { 0, 1, 2, 255 };

  wamp_value_list_append (mixed, wamp_value_new_int (1));
  wamp_value_list_append (mixed, wamp_value_new_string ("two"));
  wamp_value_list_append (mixed, wamp_value_new_null ());
  wamp_value_dict_insert (features, "nothing", wamp_value_new_null ());
  wamp_value_dict_insert (features, "blob", wamp_value_new_bytes (raw, sizeof raw));
  wamp_value_dict_insert (features, "with_nul", wamp_value_new_string_len ("a\0b", 3));
  wamp_value_dict_insert (features, "big", wamp_value_new_uint (G_MAXUINT64));
  wamp_value_dict_insert (features, "ratio", wamp_value_new_double (0.5));
  wamp_value_dict_insert (features, "flag", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (features, "mixed", mixed);
  /* Nested 24 deep: D-Bus allows 64 container levels in all. */
  {
    WampValue *deep = wamp_value_new_dict (1);

    wamp_value_dict_insert (deep, "bottom", wamp_value_new_int (1));
    for (guint i = 0; i < 24; i++)
      {
        WampValue *outer = wamp_value_new_dict (1);

        wamp_value_dict_insert (outer, "down", deep);
        deep = outer;
      }
    wamp_value_dict_insert (features, "deep", deep);
  }
  wamp_value_dict_insert (subscriber, "features", features);
  wamp_value_dict_insert (roles, "subscriber", subscriber);
  wamp_value_dict_insert (details, "roles", roles);

  client = wamp_client_new (f->reactor);
  g_ptr_array_add (f->clients, client);
  {
    GAsyncResult *w = NULL;

    wamp_client_join_async (client, f->url, "json", "realm1", details, NULL, wamp_test_store_result, &w);
    g_assert_true (wamp_client_join_finish (client, wait_result (&w), &error));
    g_assert_no_error (error);
    g_object_unref (w);
  }

  wampd_router1_call_get_session_sync (f->proxy, wamp_client_get_session_id (client), &one, NULL, &error);
  g_assert_no_error (error);
  got_roles = g_variant_lookup_value (one, "roles", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (got_roles);
  got_subscriber = g_variant_lookup_value (got_roles, "subscriber", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (got_subscriber);
  got_features = g_variant_lookup_value (got_subscriber, "features", G_VARIANT_TYPE_VARDICT);
  g_assert_nonnull (got_features);
  /* A null has no GVariant: the key is left out. */
  g_assert_false (g_variant_lookup (got_features, "nothing", "*", NULL));
  {
    g_autoptr (GVariant) blob = g_variant_lookup_value (got_features, "blob", G_VARIANT_TYPE_BYTESTRING);
    g_autoptr (GVariant) with_nul = g_variant_lookup_value (got_features, "with_nul", G_VARIANT_TYPE_BYTESTRING);
    gsize n = 0;
    const guint8 *bytes;

    g_assert_nonnull (blob);
    bytes = g_variant_get_fixed_array (blob, &n, 1);
    g_assert_cmpmem (bytes, n, raw, sizeof raw);
    /* GVariant strings cannot hold NUL: such a string travels as bytes. */
    g_assert_nonnull (with_nul);
    bytes = g_variant_get_fixed_array (with_nul, &n, 1);
    g_assert_cmpmem (bytes, n, "a\0b", 3);
  }
  g_assert_true (g_variant_lookup (got_features, "big", "t", &big));
  g_assert_cmpuint (big, ==, G_MAXUINT64);
  g_assert_true (g_variant_lookup (got_features, "ratio", "d", &ratio));
  g_assert_cmpfloat (ratio, ==, 0.5);
  g_assert_true (g_variant_lookup (got_features, "flag", "b", &flag));
  g_assert_true (flag);
  got_mixed = g_variant_lookup_value (got_features, "mixed", G_VARIANT_TYPE ("av"));
  g_assert_nonnull (got_mixed);
  g_assert_cmpuint (g_variant_n_children (got_mixed), ==, 3);
  {
    g_autoptr (GVariant) first = g_variant_get_child_value (got_mixed, 0);
    g_autoptr (GVariant) third = g_variant_get_child_value (got_mixed, 2);
    g_autoptr (GVariant) first_inner = g_variant_get_variant (first);
    g_autoptr (GVariant) third_inner = g_variant_get_variant (third);

    g_assert_cmpint (g_variant_get_int64 (first_inner), ==, 1);
    /* The null keeps its place as an empty av. */
    g_assert_true (g_variant_is_of_type (third_inner, G_VARIANT_TYPE ("av")));
    g_assert_cmpuint (g_variant_n_children (third_inner), ==, 0);
  }

  /* The listing of every session still works, and so does wampctl --json. */
  g_assert_true (wampd_router1_call_list_sessions_sync (f->proxy, "", &all, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (all), ==, 1);
  {
    char *out, *err;

    g_assert_cmpint (run_wampctl (&out, &err, "--json", "sessions"), ==, 0);
    g_assert_nonnull (strstr (out, "\"big\" : 18446744073709551615"));
    g_free (out); g_free (err);
  }
}

static void
test_kill_session_ends_one_client_others_stay (Fixture *f, gconstpointer data)
{
  LeftLog a_left = { NULL }, b_left = { NULL };
  WampClient *a = join (f, "realm1", &a_left);
  WampClient *b = join (f, "realm1", &b_left);
  g_autoptr (GVariant) sessions = NULL;
  g_autoptr (GArray) ids = NULL;
  g_autoptr (GError) error = NULL;
  guint killed = 0;

  g_assert_true (wampd_router1_call_kill_session_sync (f->proxy, wamp_client_get_session_id (a),
                                                       "com.example.maintenance", "Back soon.", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (iterate_until (has_left, &a_left, TIMEOUT_MS));
  g_assert_cmpstr (a_left.reason, ==, "com.example.maintenance");
  g_assert_false (wamp_client_is_joined (a));
  g_assert_true (wamp_client_is_joined (b));
  g_assert_null (b_left.reason);

  g_assert_true (wampd_router1_call_list_sessions_sync (f->proxy, "realm1", &sessions, NULL, &error));
  ids = session_ids (sessions);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpuint (g_array_index (ids, guint64, 0), ==, wamp_client_get_session_id (b));

  /* Unknown IDs and bad reasons are refused with their names. */
  g_assert_false (wampd_router1_call_kill_session_sync (f->proxy, 777, "", "", NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.NoSuchSession");
  g_clear_error (&error);
  g_assert_false (wampd_router1_call_kill_session_sync (f->proxy, wamp_client_get_session_id (b),
                                                        "not a uri", "", NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.InvalidArgument");
  g_clear_error (&error);
  g_assert_true (wamp_client_is_joined (b));

  /* By authid: the default reason. */
  g_assert_false (wampd_router1_call_kill_sessions_by_authid_sync (f->proxy, "nope", "x", "", "", NULL, NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.NoSuchRealm");
  g_clear_error (&error);
  g_assert_true (wampd_router1_call_kill_sessions_by_authid_sync (
    f->proxy, "realm1", wamp_value_dict_get_string (wamp_client_get_welcome_details (b), "authid"), "", "",
    &killed, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (killed, ==, 1);
  g_assert_true (iterate_until (has_left, &b_left, TIMEOUT_MS));
  g_assert_cmpstr (b_left.reason, ==, "wamp.close.killed");
  g_signal_handlers_disconnect_by_data (a, &a_left);
  g_signal_handlers_disconnect_by_data (b, &b_left);
  g_free (a_left.reason);
  g_free (b_left.reason);
}

typedef struct {
  GPtrArray *joined;   /* GVariant a{sv} */
  GPtrArray *left;
} SignalLog;

static void
on_dbus_joined (WampdRouter1 *proxy, GVariant *session, gpointer user_data)
{
  g_ptr_array_add (((SignalLog *) user_data)->joined, g_variant_ref (session));
}

static void
on_dbus_left (WampdRouter1 *proxy, GVariant *session, gpointer user_data)
{
  g_ptr_array_add (((SignalLog *) user_data)->left, g_variant_ref (session));
}

static gboolean
has_joined_signal (gpointer data)
{
  return ((SignalLog *) data)->joined->len > 0;
}

static gboolean
has_left_signal (gpointer data)
{
  return ((SignalLog *) data)->left->len > 0;
}

static void
test_signals_on_join_and_leave (Fixture *f, gconstpointer data)
{
  SignalLog log = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref),
                    g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref) };
  WampClient *a;
  guint64 id;
  GAsyncResult *w = NULL;

  g_signal_connect (f->proxy, "session-joined", G_CALLBACK (on_dbus_joined), &log);
  g_signal_connect (f->proxy, "session-left", G_CALLBACK (on_dbus_left), &log);
  a = join (f, "realm2", NULL);
  id = wamp_client_get_session_id (a);
  g_assert_true (iterate_until (has_joined_signal, &log, TIMEOUT_MS));
  g_assert_cmpint (vardict_int (g_ptr_array_index (log.joined, 0), "session"), ==, (gint64) id);
  g_assert_cmpstr (vardict_str (g_ptr_array_index (log.joined, 0), "realm"), ==, "realm2");
  g_assert_cmpuint (log.left->len, ==, 0);

  wamp_client_leave_async (a, NULL, NULL, wamp_test_store_result, &w);
  g_assert_true (wamp_client_leave_finish (a, wait_result (&w), NULL));
  g_object_unref (w);
  g_assert_true (iterate_until (has_left_signal, &log, TIMEOUT_MS));
  g_assert_cmpint (vardict_int (g_ptr_array_index (log.left, 0), "session"), ==, (gint64) id);
  g_assert_cmpstr (vardict_str (g_ptr_array_index (log.left, 0), "realm"), ==, "realm2");
  g_assert_cmpuint (log.joined->len, ==, 1);

  g_signal_handlers_disconnect_by_data (f->proxy, &log);
  g_ptr_array_unref (log.joined);
  g_ptr_array_unref (log.left);
}

static void
register_and_subscribe (WampClient *client, guint64 *registration, guint64 *subscription)
{
  g_autoptr (GError) error = NULL;
  GAsyncResult *w = NULL;

  wamp_client_register_async (client, "com.example.add", NULL, noop_invocation, NULL, NULL, NULL,
                              wamp_test_store_result, &w);
  *registration = wamp_client_register_finish (client, wait_result (&w), &error);
  g_assert_no_error (error);
  g_clear_object (&w);
  wamp_client_subscribe_async (client, "com.example.topic", NULL, noop_event, NULL, NULL, NULL,
                               wamp_test_store_result, &w);
  *subscription = wamp_client_subscribe_finish (client, wait_result (&w), &error);
  g_assert_no_error (error);
  g_clear_object (&w);
}

static void
test_registrations_and_subscriptions (Fixture *f, gconstpointer data)
{
  WampClient *a = join (f, "realm1", NULL);
  g_autoptr (GVariant) regs = NULL;
  g_autoptr (GVariant) subs = NULL;
  g_autoptr (GVariant) other = NULL;
  g_autoptr (GError) error = NULL;
  guint64 registration, subscription;

  register_and_subscribe (a, &registration, &subscription);

  g_assert_true (wampd_router1_call_list_registrations_sync (f->proxy, "realm1", &regs, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (regs), ==, 1);
  {
    g_autoptr (GVariant) reg = g_variant_get_child_value (regs, 0);
    g_autoptr (GVariant) callees = g_variant_lookup_value (reg, "sessions", G_VARIANT_TYPE ("ax"));
    g_autoptr (GVariant) callee = NULL;

    g_assert_cmpint (vardict_int (reg, "id"), ==, (gint64) registration);
    g_assert_cmpstr (vardict_str (reg, "uri"), ==, "com.example.add");
    g_assert_cmpstr (vardict_str (reg, "invoke"), ==, "single");
    g_assert_cmpstr (vardict_str (reg, "match"), ==, "exact");
    g_assert_nonnull (callees);
    g_assert_cmpuint (g_variant_n_children (callees), ==, 1);
    callee = g_variant_get_child_value (callees, 0);
    g_assert_cmpint (g_variant_get_int64 (callee), ==, (gint64) wamp_client_get_session_id (a));
  }
  g_assert_true (wampd_router1_call_list_subscriptions_sync (f->proxy, "realm1", &subs, NULL, &error));
  g_assert_cmpuint (g_variant_n_children (subs), ==, 1);
  {
    g_autoptr (GVariant) sub = g_variant_get_child_value (subs, 0);

    g_assert_cmpint (vardict_int (sub, "id"), ==, (gint64) subscription);
    g_assert_cmpstr (vardict_str (sub, "uri"), ==, "com.example.topic");
  }
  g_assert_true (wampd_router1_call_list_subscriptions_sync (f->proxy, "realm2", &other, NULL, &error));
  g_assert_cmpuint (g_variant_n_children (other), ==, 0);
  g_assert_false (wampd_router1_call_list_registrations_sync (f->proxy, "nope", NULL, NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.NoSuchRealm");
}

static gint64
message_count (GVariant *stats, const char *direction, const char *type)
{
  g_autoptr (GVariant) counts = g_variant_lookup_value (stats, direction, G_VARIANT_TYPE_VARDICT);
  gint64 n = 0;

  g_assert_nonnull (counts);
  g_variant_lookup (counts, type, "x", &n);
  return n;
}

static void
test_stats_move (Fixture *f, gconstpointer data)
{
  WampClient *a = join (f, "realm1", NULL);
  g_autoptr (GVariant) before = NULL;
  g_autoptr (GVariant) after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WampValue) options = wamp_value_new_dict (1);
  GAsyncResult *w = NULL;

  g_assert_true (wampd_router1_call_get_stats_sync (f->proxy, &before, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (vardict_int (before, "sessions"), ==, 1);
  g_assert_cmpint (vardict_int (before, "realms"), ==, 2);
  g_assert_cmpint (message_count (before, "messages_in", "HELLO"), ==, 1);
  g_assert_cmpint (message_count (before, "messages_in", "PUBLISH"), ==, 0);

  wamp_value_dict_insert (options, "acknowledge", wamp_value_new_bool (TRUE));
  wamp_client_publish_async (a, "com.example.topic", options, NULL, NULL, wamp_test_store_result, &w);
  wamp_client_publish_finish (a, wait_result (&w), &error);
  g_assert_no_error (error);
  g_clear_object (&w);

  g_assert_true (wampd_router1_call_get_stats_sync (f->proxy, &after, NULL, &error));
  g_assert_cmpint (message_count (after, "messages_in", "PUBLISH"), ==, 1);
  g_assert_cmpint (message_count (after, "messages_out", "PUBLISHED"), ==, 1);
  g_assert_cmpint (vardict_int (after, "bytes_in"), >, vardict_int (before, "bytes_in"));
  g_assert_cmpint (vardict_int (after, "bytes_out"), >, vardict_int (before, "bytes_out"));
  g_assert_cmpint (vardict_int (after, "protocol_violations"), ==, 0);
}

static void
test_plugins_listed (Fixture *f, gconstpointer data)
{
  g_autoptr (GVariant) plugins = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_assert_true (wampd_router1_call_list_plugins_sync (f->proxy, &plugins, NULL, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < g_variant_n_children (plugins); i++)
    {
      g_autoptr (GVariant) p = g_variant_get_child_value (plugins, i);
      gboolean loaded = FALSE;
      const char *name = NULL;

      g_assert_true (g_variant_lookup (p, "loaded", "b", &loaded));
      if (g_variant_lookup (p, "name", "&s", &name) && loaded)
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_add (names, NULL);
  for (const char *const *want = (const char *const[]) { "role-broker", "role-dealer", "serializer-json",
                                                         "transport-websocket", "auth-anonymous", NULL };
       *want != NULL; want++)
    g_assert_true (g_strv_contains ((const char *const *) names->pdata, *want));
}

static const char config_with_realm3_json[] =
  "{ \"version\": 1,\n"
  "  \"realms\": [ " REALM ("realm1") ", " REALM ("realm2") ", " REALM ("realm3") " ],\n"
  "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
  "      \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },\n"
  "      \"path\": \"/ws\", \"serializers\": [\"json\"] } ] }\n";

static gboolean
join_fails (Fixture *f, const char *realm, GError **error)
{
  g_autoptr (WampClient) client = wamp_client_new (f->reactor);
  GAsyncResult *w = NULL;
  gboolean ok;

  wamp_client_join_async (client, f->url, "json", realm, NULL, NULL, wamp_test_store_result, &w);
  ok = wamp_client_join_finish (client, wait_result (&w), error);
  g_object_unref (w);
  wamp_client_disconnect (client);
  return !ok;
}

static void
test_reload_applies_a_new_realm_and_refuses_a_broken_file (Fixture *f, gconstpointer data)
{
  LeftLog left = { NULL };
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) restart_needed = NULL;
  g_autoptr (GVariant) realms = NULL;
  WampClient *before;

  before = join (f, "realm1", &left);
  g_assert_true (join_fails (f, "realm3", &error));
  g_assert_true (g_error_matches (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_REALM));
  g_clear_error (&error);

  /* A realm added: joinable at once, nothing needs a restart, nobody dropped. */
  g_file_set_contents (f->config_path, config_with_realm3_json, -1, &error);
  g_assert_no_error (error);
  g_assert_true (wampd_router1_call_reload_sync (f->proxy, &restart_needed, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (restart_needed);
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);
  join (f, "realm3", NULL);
  g_assert_true (wampd_router1_call_list_realms_sync (f->proxy, &realms, NULL, &error));
  g_assert_cmpuint (g_variant_n_children (realms), ==, 3);
  iterate_for (50);
  g_assert_true (wamp_client_is_joined (before));
  g_assert_null (left.reason);

  /* A broken file: refused with the reason, the running configuration stays. */
  g_file_set_contents (f->config_path, "{ \"version\": 1, \"realms\": [", -1, &error);
  g_assert_no_error (error);
  g_assert_false (wampd_router1_call_reload_sync (f->proxy, NULL, NULL, &error));
  assert_remote_error (error, "org.wampd.Router1.Error.ReloadFailed");
  g_clear_error (&error);
  join (f, "realm3", NULL);
  g_assert_true (wamp_client_is_joined (before));
  g_signal_handlers_disconnect_by_data (before, &left);
}

static void
test_second_wampd_cannot_own_the_name (Fixture *f, gconstpointer data)
{
  g_autoptr (GSubprocessLauncher) launcher =
    new_launcher (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
  g_autofree char *wampd = built_program ("wampd");
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;

  second = g_subprocess_launcher_spawn (launcher, &error, wampd, "--config", f->config_path, "--session-bus", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (wamp_test_subprocess_communicate (second, "the second wampd", TIMEOUT_MS, NULL, &err),
                   ==, 1);
  g_assert_nonnull (strstr (err, "org.wampd.Router"));
  /* The first one still answers. */
  g_assert_true (wampd_router1_call_get_stats_sync (f->proxy, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- tests: wampctl ----------------------------------------------------------------- */

static gboolean
has_line_with (const char *text, const char *first, const char *second)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    if (strstr (*l, first) != NULL && (second == NULL || strstr (*l, second) != NULL))
      return TRUE;
  return FALSE;
}

static void
test_wampctl_status_realms_sessions (Fixture *f, gconstpointer data)
{
  WampClient *a = join (f, "realm1", NULL);
  WampClient *b = join (f, "realm1", NULL);
  g_autofree char *a_id = g_strdup_printf ("%" G_GUINT64_FORMAT, wamp_client_get_session_id (a));
  g_autofree char *b_id = g_strdup_printf ("%" G_GUINT64_FORMAT, wamp_client_get_session_id (b));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  char *out, *err;
  JsonArray *array;

  g_assert_cmpint (run_wampctl (&out, &err, "status"), ==, 0);
  g_assert_nonnull (strstr (out, "wampd " WAMPD_VERSION " is running on the session bus."));
  g_assert_true (has_line_with (out, "Sessions:", "2"));
  g_assert_true (has_line_with (out, "Realms:", "2"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "realms"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "NAME    SESSIONS  ROUTER ROLES\n"));
  g_assert_true (has_line_with (out, "realm1  2         ", "broker"));
  g_assert_true (has_line_with (out, "realm2  0         ", "dealer"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "sessions", "realm1"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ID"));
  g_assert_true (has_line_with (out, a_id, "realm1"));
  g_assert_true (has_line_with (out, b_id, "ws/json"));
  /* Columns line up: the REALM column starts at the same offset everywhere. */
  {
    g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
    const char *heading_realm = strstr (lines[0], "REALM");

    g_assert_nonnull (heading_realm);
    g_assert_cmpint (strstr (lines[1], "realm1") - lines[1], ==, heading_realm - lines[0]);
    g_assert_cmpint (strstr (lines[2], "realm1") - lines[2], ==, heading_realm - lines[0]);
  }
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "--json", "sessions", "realm1"), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  array = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (array), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0), "session"), ==,
                   (gint64) wamp_client_get_session_id (a));
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1), "transport"), ==, "ws");
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "session", b_id), ==, 0);
  g_assert_true (has_line_with (out, "Session:", b_id));
  g_assert_true (has_line_with (out, "Realm:", "realm1"));
  g_assert_true (has_line_with (out, "Authrole:", "anonymous"));
  g_assert_true (has_line_with (out, "Serializer:", "json"));
  g_free (out); g_free (err);
}

/* The anonymous authenticator grants the authid a client asks for: an
 * escape sequence or a newline in it must not reach the admin's terminal. */
static void
test_wampctl_escapes_control_characters (Fixture *f, gconstpointer data)
{
  g_autoptr (WampValue) details = wamp_value_new_dict (1);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  WampClient *client = wamp_client_new (f->reactor);
  g_autofree char *id = NULL;
  GAsyncResult *w = NULL;
  char *out, *err;

  g_ptr_array_add (f->clients, client);
  wamp_value_dict_insert (details, "authid", wamp_value_new_string ("evil\x1b[2J\nnext\xc2\x9bline"));
  wamp_client_join_async (client, f->url, "json", "realm1", details, NULL, wamp_test_store_result, &w);
  g_assert_true (wamp_client_join_finish (client, wait_result (&w), &error));
  g_assert_no_error (error);
  g_object_unref (w);
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_client_get_welcome_details (client), "authid"), ==,
                   "evil\x1b[2J\nnext\xc2\x9bline");
  id = g_strdup_printf ("%" G_GUINT64_FORMAT, wamp_client_get_session_id (client));

  g_assert_cmpint (run_wampctl (&out, &err, "sessions"), ==, 0);
  g_assert_null (strchr (out, '\x1b'));
  g_assert_null (strstr (out, "\xc2\x9b"));
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  /* The heading and one row: the newline did not split it. */
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_nonnull (strstr (lines[1], "evil\\x1b[2J\\x0anext\\u009bline"));
  g_assert_nonnull (strstr (lines[1], id));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "session", id), ==, 0);
  g_assert_null (strchr (out, '\x1b'));
  g_assert_true (has_line_with (out, "Authid:", "evil\\x1b[2J\\x0anext"));
  g_free (out); g_free (err);
}

static WampClient *
join_as (Fixture *f, const char *realm, const char *authid)
{
  g_autoptr (WampValue) details = wamp_value_new_dict (1);
  g_autoptr (GError) error = NULL;
  WampClient *client = wamp_client_new (f->reactor);
  GAsyncResult *w = NULL;

  g_ptr_array_add (f->clients, client);
  wamp_value_dict_insert (details, "authid", wamp_value_new_string (authid));
  wamp_client_join_async (client, f->url, "json", realm, details, NULL, wamp_test_store_result, &w);
  g_assert_true (wamp_client_join_finish (client, wait_result (&w), &error));
  g_assert_no_error (error);
  g_object_unref (w);
  return client;
}

/* Terminal columns of @line up to the byte offset @end: wide characters
 * take two, as on a terminal. */
static glong
columns_before (const char *line, const char *end)
{
  glong columns = 0;

  for (const char *p = line; p < end; p = g_utf8_next_char (p))
    columns += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return columns;
}

/* Umlauts (two bytes, one column) and CJK (three bytes, two columns) in a
 * column: the next column still starts at the same terminal column. */
static void
test_wampctl_table_aligns_by_display_width (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) lines = NULL;
  char *out, *err;

  join_as (f, "realm1", "Jürgen");
  join_as (f, "realm1", "山田太郎");
  join_as (f, "realm1", "plain");
  g_assert_cmpint (run_wampctl (&out, &err, "sessions", "realm1"), ==, 0);
  lines = g_strsplit (g_strchomp (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 1; i < 4; i++)
    {
      const char *role = strstr (lines[i], "anonymous");

      g_assert_nonnull (role);
      g_assert_cmpint (columns_before (lines[i], role), ==,
                       columns_before (lines[0], strstr (lines[0], "AUTHROLE")));
    }
  g_free (out); g_free (err);
}

static void
test_wampctl_kill_and_errors (Fixture *f, gconstpointer data)
{
  LeftLog a_left = { NULL };
  WampClient *a = join (f, "realm1", &a_left);
  WampClient *b = join (f, "realm1", NULL);
  g_autofree char *a_id = g_strdup_printf ("%" G_GUINT64_FORMAT, wamp_client_get_session_id (a));
  char *out, *err;

  g_assert_cmpint (run_wampctl (&out, &err, "kill", a_id, "--reason", "com.example.bye", "--message", "Tschüss"), ==, 0);
  g_assert_nonnull (strstr (out, a_id));
  g_free (out); g_free (err);
  g_assert_true (iterate_until (has_left, &a_left, TIMEOUT_MS));
  g_assert_cmpstr (a_left.reason, ==, "com.example.bye");
  g_assert_true (wamp_client_is_joined (b));

  /* wampd refuses: exit 1 with its reason. */
  g_assert_cmpint (run_wampctl (&out, &err, "kill", "4242"), ==, 1);
  g_assert_nonnull (strstr (err, "No such session"));
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "sessions", "nope"), ==, 1);
  g_assert_nonnull (strstr (err, "No such realm"));
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "session", a_id), ==, 1);
  g_free (out); g_free (err);

  /* Usage errors: exit 2. */
  g_assert_cmpint (run_wampctl (&out, &err, "frobnicate"), ==, 2);
  g_assert_nonnull (strstr (err, "unknown command"));
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "session"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "session", "abc"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "kill", "1", "--bogus"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "kill", "--help"), ==, 0);
  g_assert_nonnull (strstr (out, "--reason=URI"));
  g_assert_nonnull (strstr (out, "--authid=AUTHID"));
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "kill"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "kill", "--authid", "x"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "kill", "5", "--authid", "x", "--realm", "realm1"), ==, 2);
  g_free (out); g_free (err);

  /* By authid: every session of it in that realm, no other. */
  {
    LeftLog op1_left = { NULL }, op2_left = { NULL };
    WampClient *op1 = join_as (f, "realm1", "operator-7");
    WampClient *op2 = join_as (f, "realm1", "operator-7");
    WampClient *other_realm = join_as (f, "realm2", "operator-7");

    g_signal_connect (op1, "left", G_CALLBACK (on_left), &op1_left);
    g_signal_connect (op2, "left", G_CALLBACK (on_left), &op2_left);
    g_assert_cmpint (run_wampctl (&out, &err, "kill", "--authid", "operator-7", "--realm", "realm1",
                                  "--reason", "com.example.rotate"), ==, 0);
    g_assert_nonnull (strstr (out, "2 sessions of authid operator-7 were told to leave (com.example.rotate)."));
    g_free (out); g_free (err);
    g_assert_true (iterate_until (has_left, &op1_left, TIMEOUT_MS));
    g_assert_true (iterate_until (has_left, &op2_left, TIMEOUT_MS));
    g_assert_cmpstr (op1_left.reason, ==, "com.example.rotate");
    g_assert_true (wamp_client_is_joined (other_realm));
    g_assert_true (wamp_client_is_joined (b));
    g_signal_handlers_disconnect_by_data (op1, &op1_left);
    g_signal_handlers_disconnect_by_data (op2, &op2_left);
    g_free (op1_left.reason);
    g_free (op2_left.reason);

    g_assert_cmpint (run_wampctl (&out, &err, "--json", "kill", "--authid", "nobody", "--realm", "realm1"), ==, 0);
    g_assert_nonnull (strstr (out, "\"killed_count\" : 0"));
    g_free (out); g_free (err);
    g_assert_cmpint (run_wampctl (&out, &err, "kill", "--authid", "x", "--realm", "nope"), ==, 1);
    g_assert_nonnull (strstr (err, "No such realm"));
    g_free (out); g_free (err);
  }
  g_signal_handlers_disconnect_by_data (a, &a_left);
  g_free (a_left.reason);
}

static void
test_wampctl_routes_stats_plugins_reload (Fixture *f, gconstpointer data)
{
  WampClient *a = join (f, "realm1", NULL);
  g_autofree char *a_id = g_strdup_printf ("%" G_GUINT64_FORMAT, wamp_client_get_session_id (a));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  guint64 registration, subscription;
  g_autofree char *reg_id = NULL;
  char *out, *err;

  register_and_subscribe (a, &registration, &subscription);
  reg_id = g_strdup_printf ("%" G_GUINT64_FORMAT, registration);

  g_assert_cmpint (run_wampctl (&out, &err, "registrations", "realm1"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "ID"));
  g_assert_true (has_line_with (out, "com.example.add", a_id));
  g_assert_true (has_line_with (out, reg_id, "single"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "subscriptions", "realm1"), ==, 0);
  g_assert_true (has_line_with (out, "com.example.topic", a_id));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "--json", "subscriptions", "realm2"), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "[]");
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "registrations"), ==, 2);
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "stats"), ==, 0);
  g_assert_true (has_line_with (out, "Sessions:", "1"));
  g_assert_true (has_line_with (out, "REGISTER ", "1"));
  g_assert_true (has_line_with (out, "SUBSCRIBED ", "1"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "stats", "--json"), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (
                     json_node_get_object (json_parser_get_root (parser)), "messages_in"), "HELLO"), ==, 1);
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "plugins"), ==, 0);
  g_assert_true (has_line_with (out, "role-dealer", "loaded"));
  g_assert_true (has_line_with (out, "transport-websocket", "wamp-transport:websocket"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl (&out, &err, "reload"), ==, 0);
  g_assert_nonnull (strstr (out, "Configuration reloaded."));
  g_assert_null (strstr (out, "restart"));
  g_free (out); g_free (err);
  {
    /* A transport's path cannot change live: wampctl lists it. */
    g_autofree char *moved = g_strdup (config_json);
    char *path = strstr (moved, "\"/ws\"");

    g_assert_nonnull (path);
    memcpy (path, "\"/xx\"", 5);
    g_file_set_contents (f->config_path, moved, -1, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpint (run_wampctl (&out, &err, "reload"), ==, 0);
  g_assert_nonnull (strstr (out, "Configuration reloaded."));
  g_assert_nonnull (strstr (out, "These changes take effect after a restart:"));
  g_assert_nonnull (strstr (out, "ws"));
  g_free (out); g_free (err);
  g_file_set_contents (f->config_path, "{ \"version\": 2 }", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_wampctl (&out, &err, "reload"), ==, 1);
  g_assert_nonnull (strstr (err, "the running one stays"));
  g_assert_nonnull (strstr (err, "$.version"));
  g_free (out); g_free (err);
}

/* No wampd on the bus: exit 3 and a message that says so, in English and,
 * with the build tree's catalog, in German. */
static void
test_wampctl_not_running (Fixture *f, gconstpointer data)
{
  char *out, *err;

  g_assert_cmpint (run_wampctl (&out, &err, "status"), ==, 3);
  g_assert_nonnull (strstr (err, "wampd is not running"));
  g_assert_cmpstr (out, ==, "");
  g_free (out); g_free (err);

  /* A wrong command line is that, whether wampd runs or not. */
  g_assert_cmpint (run_wampctl (&out, &err, "kill"), ==, 2);
  g_free (out); g_free (err);
  g_assert_cmpint (run_wampctl (&out, &err, "session", "abc"), ==, 2);
  g_assert_nonnull (strstr (err, "is not a session ID"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl_full ("de", &out, &err, (const char *const[]) { "--session", "status", NULL }), ==, 3);
  g_assert_nonnull (strstr (err, "wampd läuft nicht"));
  g_free (out); g_free (err);

  g_assert_cmpint (run_wampctl_full ("de", &out, &err, (const char *const[]) { "--help", NULL }), ==, 0);
  g_assert_nonnull (strstr (out, "Befehle:"));
  g_free (out); g_free (err);

  /* No bus at all. */
  g_assert_cmpint (run_wampctl_full (NULL, &out, &err,
                                     (const char *const[]) { "--address", "unix:path=/nonexistent/bus", "status", NULL }),
                   ==, 3);
  g_assert_nonnull (strstr (err, "cannot connect"));
  g_free (out); g_free (err);
}

/* A dbus-daemon of our own with the policy @policy_xml (busconfig
 * elements), listening in a folder anyone may enter, and wampd on it. */
typedef struct {
  char *dir;
  char *conf_path;
  char *config_path;
  char *ready_path;
  char *address;
  GSubprocess *bus;
  GSubprocess *wampd;
  gboolean wampd_exited;     /* set when wampd's asynchronous wait completes */
} PolicyBus;

static void
policy_bus_start (PolicyBus *p, const char *policy_xml)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) bus_out = NULL;
  g_autofree char *conf = NULL;

  p->dir = wamp_test_scratch_new ("test-dbus-admin-XXXXXX");
  /* Other users (the nobody of the policy test) must reach the socket. */
  g_assert_cmpint (g_chmod (p->dir, 0755), ==, 0);
  p->conf_path = g_build_filename (p->dir, "bus.conf", NULL);
  p->config_path = g_build_filename (p->dir, "wampd.json", NULL);
  p->ready_path = g_build_filename (p->dir, "ready", NULL);
  conf = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig><type>session</type><listen>unix:dir=%s</listen><auth>EXTERNAL</auth>\n"
    "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>\n"
    "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/></policy>\n"
    "%s</busconfig>\n", p->dir, policy_xml);
  g_file_set_contents (p->conf_path, conf, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (p->config_path, config_json, -1, &error);
  g_assert_no_error (error);

  p->bus = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--config-file", p->conf_path,
                                        "--nofork", "--print-address", NULL);
  g_assert_no_error (error);
  bus_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (p->bus));
  p->address = g_data_input_stream_read_line (bus_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p->address);
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

static gboolean
ready_or_exited (gpointer data)
{
  PolicyBus *p = data;

  return p->wampd_exited || g_file_test (p->ready_path, G_FILE_TEST_EXISTS);
}

static gboolean
wampd_exited (gpointer data)
{
  return ((PolicyBus *) data)->wampd_exited;
}

/* Starts wampd on the bus; TRUE once it is ready, FALSE when it exited
 * (its status in @status). */
static gboolean
policy_bus_start_wampd (PolicyBus *p, int *status)
{
  g_autoptr (GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);
  g_autofree char *wampd_path = built_program ("wampd");
  g_autoptr (GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", p->address, TRUE);
  p->wampd = g_subprocess_launcher_spawn (launcher, &error, wampd_path, "--config", p->config_path,
                                          "--session-bus", "--ready-file", p->ready_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (p->wampd, NULL, on_exited, &p->wampd_exited);
  if (!iterate_until (ready_or_exited, p, TIMEOUT_MS))
    g_error ("wampd was neither ready nor gone in time");
  if (!p->wampd_exited)
    return TRUE;
  g_assert_true (g_subprocess_get_if_exited (p->wampd));
  *status = g_subprocess_get_exit_status (p->wampd);
  return FALSE;
}

static void
policy_bus_stop (PolicyBus *p)
{
  /* Our own children, by PID. */
  if (p->wampd != NULL)
    {
      if (!p->wampd_exited)
        g_subprocess_send_signal (p->wampd, SIGTERM);
      if (!iterate_until (wampd_exited, p, TIMEOUT_MS))
        g_error ("wampd did not stop in time");
      g_clear_object (&p->wampd);
    }
  g_subprocess_send_signal (p->bus, SIGTERM);
  g_subprocess_wait (p->bus, NULL, NULL);
  g_clear_object (&p->bus);
  wamp_test_scratch_remove (p->dir);
  g_free (p->dir);
  g_free (p->conf_path);
  g_free (p->config_path);
  g_free (p->ready_path);
  g_free (p->address);
}

/* A bus whose policy denies every call to org.wampd.Router: exit 4. */
static void
test_wampctl_access_denied (void)
{
  PolicyBus p = { NULL };
  char *out, *err;
  int status = -1;

  policy_bus_start (&p, "<policy context=\"default\"><deny send_destination=\"org.wampd.Router\"/></policy>");
  g_assert_true (policy_bus_start_wampd (&p, &status));

  status = run_wampctl_full (NULL, &out, &err, (const char *const[]) { "--address", p.address, "status", NULL });
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (err, "access denied"));
  g_assert_nonnull (strstr (err, "wampd-admin"));
  g_free (out); g_free (err);
  status = run_wampctl_full (NULL, &out, &err, (const char *const[]) { "--address", p.address, "kill", "1", NULL });
  g_assert_cmpint (status, ==, 4);
  g_free (out); g_free (err);
  policy_bus_stop (&p);
}

/* The shipped policy file data/org.wampd.Router.conf on a bus: root may own
 * the name and call; nobody (not in wampd-admin) is denied. As another
 * user, wampd itself is refused the name and exits 1. */
static void
test_shipped_bus_policy (void)
{
  g_autofree char *policy_path = g_build_filename (g_getenv ("WAMPD_SOURCE_ROOT"), "data",
                                                   "org.wampd.Router.conf", NULL);
  g_autofree char *include = g_strdup_printf ("<include>%s</include>", policy_path);
  g_autofree char *wampctl = built_program ("wampctl");
  PolicyBus p = { NULL };
  char *out, *err;
  int status = -1;

  g_assert_true (g_file_test (policy_path, G_FILE_TEST_EXISTS));
  policy_bus_start (&p, include);
  if (getuid () != 0)
    {
      /* Neither root nor the wampd user: the name is not ours to own. */
      g_assert_false (policy_bus_start_wampd (&p, &status));
      g_assert_cmpint (status, ==, 1);
      status = run_wampctl_full (NULL, &out, &err, (const char *const[]) { "--address", p.address, "status", NULL });
      g_assert_cmpint (status, ==, 3);
      g_free (out); g_free (err);
      policy_bus_stop (&p);
      return;
    }

  g_assert_true (policy_bus_start_wampd (&p, &status));
  status = run_wampctl_full (NULL, &out, &err, (const char *const[]) { "--address", p.address, "status", NULL });
  g_assert_cmpint (status, ==, 0);
  g_free (out); g_free (err);

  {
    g_autoptr (GSubprocessLauncher) launcher =
      new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, NULL);
    g_autoptr (GSubprocess) proc = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *denied = NULL;

    /* The same call as user nobody, group nogroup, no supplementary groups. */
    proc = g_subprocess_launcher_spawn (launcher, &error, "setpriv", "--reuid=65534", "--regid=65534",
                                        "--clear-groups", "--", wampctl, "--address", p.address, "status", NULL);
    g_assert_no_error (error);
    g_assert_cmpint (wamp_test_subprocess_communicate (proc, "wampctl status as nobody", TIMEOUT_MS,
                                                       NULL, &denied), ==, 4);
    g_assert_nonnull (strstr (denied, "access denied"));
  }
  policy_bus_stop (&p);
}

int
main (int argc, char **argv)
{
  g_autoptr (WampPluginLoader) loader = NULL;
  g_autoptr (GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The D-Bus admin interface of a real wampd on a private bus, with WAMP clients and wampctl.");
  /* The clients need the WebSocket transport and JSON serializer. */
  loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  g_assert_true (wamp_plugin_loader_load_all (loader, &error));
  g_assert_no_error (error);
  (void) WAMPD_ADMIN_ERROR;

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/dbus-admin/properties-and-list-realms", test_properties_and_realms);
  ADD ("/dbus-admin/sessions/list-and-get-with-error-names", test_sessions_list_and_get);
  ADD ("/dbus-admin/sessions/odd-hello-details-survive-the-variant-edge",
       test_odd_hello_details_survive_the_variant_edge);
  ADD ("/dbus-admin/kill/client-receives-goodbye-reason-others-stay", test_kill_session_ends_one_client_others_stay);
  ADD ("/dbus-admin/signals/session-joined-and-left", test_signals_on_join_and_leave);
  ADD ("/dbus-admin/routes/registrations-and-subscriptions", test_registrations_and_subscriptions);
  ADD ("/dbus-admin/stats/counts-move", test_stats_move);
  ADD ("/dbus-admin/plugins/lists-the-loaded-plugins", test_plugins_listed);
  ADD ("/dbus-admin/reload/applies-a-new-realm-and-refuses-a-broken-file",
       test_reload_applies_a_new_realm_and_refuses_a_broken_file);
  ADD ("/dbus-admin/name/second-wampd-exits-1", test_second_wampd_cannot_own_the_name);
  ADD ("/wampctl/status-realms-sessions-tables-and-json", test_wampctl_status_realms_sessions);
  ADD ("/wampctl/kill-and-exit-codes", test_wampctl_kill_and_errors);
  ADD ("/wampctl/escapes-control-characters-from-clients", test_wampctl_escapes_control_characters);
  ADD ("/wampctl/table-aligns-by-display-width", test_wampctl_table_aligns_by_display_width);
  ADD ("/wampctl/routes-stats-plugins-reload", test_wampctl_routes_stats_plugins_reload);
#undef ADD
  g_test_add ("/wampctl/not-running-exit-3-english-and-german", Fixture, NULL, fixture_setup_bus,
              test_wampctl_not_running, fixture_teardown);
  g_test_add_func ("/wampctl/access-denied-exit-4", test_wampctl_access_denied);
  g_test_add_func ("/dbus-admin/policy/shipped-file-lets-root-call-and-denies-others", test_shipped_bus_policy);

  return g_test_run ();
}
