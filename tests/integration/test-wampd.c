/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the wampd executable itself: its command line, the config check,
 * the ready file, and an orderly exit on signals; every run is a child
 * process with bounded waits. */

#include <signal.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include <wamp/wamp.h>

#include "wamp-test-harness.h"
#include "wamp-test-scratch.h"
#include "wamp-test-subprocess.h"

/* Generous: sanitizer builds on a shared machine start slowly. */
#define WAMPD_TIMEOUT_SECONDS 30

static char *
wampd_path (void)
{
  const char *env;
  char *path;

  env = g_getenv ("WAMPD_BIN");
  if (env != NULL)
    return g_strdup (env);
  env = g_getenv ("WAMPD_BUILD_ROOT");
  if (env != NULL)
    return g_build_filename (env, "daemon", "wampd", NULL);
  /* meson sets G_TEST_BUILDDIR to <build>/tests. */
  path = g_test_build_filename (G_TEST_BUILT, "..", "daemon", "wampd", NULL);
  if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    return path;
  g_free (path);
  return g_test_build_filename (G_TEST_BUILT, "..", "..", "daemon", "wampd", NULL);
}

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* Untranslated messages, whatever the developer's locale. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  /* Which messages show must depend on --verbose alone. */
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  return launcher;
}

static GPtrArray *
wampd_argv (const char *first_arg, va_list ap)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, wampd_path ());
  for (const char *arg = first_arg; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static gboolean
flag_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs wampd with the NULL-terminated arguments until it exits; returns its
 * exit status, fills @out and @err (transfer full). */
static int
run_wampd (char **out, char **err, const char *first_arg, ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *what = NULL;
  va_list ap;

  va_start (ap, first_arg);
  argv = wampd_argv (first_arg, ap);
  va_end (ap);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  what = g_strdup_printf ("wampd %s", (const char *) argv->pdata[1]);
  return wamp_test_subprocess_communicate (proc, what, WAMPD_TIMEOUT_SECONDS * 1000, out, err);
}

/* A scratch folder for config, ready and log files. */
typedef struct {
  char *dir;
} Scratch;

static void
scratch_setup (Scratch *s, gconstpointer data)
{
  s->dir = wamp_test_scratch_new ("test-wampd-XXXXXX");
}

static void
scratch_teardown (Scratch *s, gconstpointer data)
{
  wamp_test_scratch_remove (s->dir);
  g_free (s->dir);
}

static char *
scratch_write (Scratch *s, const char *name, const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (s->dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* A valid configuration with one WebSocket transport on @port. */
static char *
config_with_port (guint port)
{
  return g_strdup_printf (
    "{ \"version\": 1,\n"
    "  \"realms\": [ { \"name\": \"realm1\", \"roles\": [ { \"name\": \"anonymous\",\n"
    "      \"permissions\": [ { \"uri\": \"\", \"match\": \"prefix\",\n"
    "        \"allow\": { \"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true } } ] } ] } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "      \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": %u },\n"
    "      \"path\": \"/ws\", \"serializers\": [\"json\"],\n"
    "      \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } } ] }\n",
    port);
}

static void
test_version_prints_package_version (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_wampd (&out, &err, "--version", NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "wampd " WAMP_VERSION));
  g_assert_cmpstr (err, ==, "");
}

static void
test_unexpected_argument_is_usage_error (void)
{
  g_autofree char *err = NULL;
  int status = run_wampd (NULL, &err, "--no-such-option", NULL);

  g_assert_cmpint (status, ==, 2);
  g_assert_nonnull (strstr (err, "--no-such-option"));
}

#define DEFAULT_SERIALIZERS "[\"json\", \"msgpack\", \"cbor\"]"

static void
test_print_default_config_equals_shipped_file (void)
{
  g_autofree char *out = NULL;
  g_autofree char *shipped = NULL;
  g_autofree char *shipped_path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) config = NULL;
  WampValue *transports, *transport, *serializers, *realms;
  int status = run_wampd (&out, NULL, "--print-default-config", NULL);

  g_assert_cmpint (status, ==, 0);

  shipped_path = g_test_build_filename (G_TEST_DIST, "..", "data", "wampd.json", NULL);
  g_file_get_contents (shipped_path, &shipped, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (out, ==, shipped);

  config = wamp_config_parse (out, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (config);
  realms = wamp_value_dict_lookup (config, "realms");
  g_assert_nonnull (realms);
  g_assert_cmpuint (wamp_value_list_length (realms), ==, 1);
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_value_list_get (realms, 0), "name"), ==, "realm1");
  /* WebSocket on 8080 and RawSocket on 8081, offering the same serializers. */
  transports = wamp_value_dict_lookup (config, "transports");
  g_assert_nonnull (transports);
  g_assert_cmpuint (wamp_value_list_length (transports), ==, 2);
  transport = wamp_value_list_get (transports, 0);
  g_assert_cmpstr (wamp_value_dict_get_string (transport, "type"), ==, "websocket");
  serializers = wamp_value_dict_lookup (transport, "serializers");
  g_assert_nonnull (serializers);
  {
    /* Every serializer plugin wampd ships, on every transport. */
    g_autoptr(WampValue) expected = wamp_config_parse (DEFAULT_SERIALIZERS, -1, &error);

    g_assert_no_error (error);
    g_assert_true (wamp_value_equal (serializers, expected));
  }
  transport = wamp_value_list_get (transports, 1);
  g_assert_cmpstr (wamp_value_dict_get_string (transport, "type"), ==, "rawsocket");
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_value_dict_lookup (transport, "endpoint"), "host"),
                   ==, "127.0.0.1");
  g_assert_cmpuint (wamp_value_dict_get_unsigned (wamp_value_dict_lookup (transport, "endpoint"), "port", 0),
                    ==, 8081);
  g_assert_true (wamp_value_equal (wamp_value_dict_lookup (transport, "serializers"), serializers));
}

static void
test_verbose_shows_info_messages (void)
{
  g_autofree char *quiet_err = NULL;
  g_autofree char *verbose_err = NULL;

  g_assert_cmpint (run_wampd (NULL, &quiet_err, "--check-config", NULL), ==, 0);
  g_assert_null (strstr (quiet_err, "-INFO"));
  g_assert_cmpint (run_wampd (NULL, &verbose_err, "--check-config", "--verbose", NULL), ==, 0);
  /* Loading the plugins is logged at info level. */
  g_assert_nonnull (strstr (verbose_err, "-INFO"));
}

static void
test_check_config_default_is_ok (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_wampd (&out, &err, "--check-config", NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "configuration OK\n");
}

static void
test_check_config_valid_file_is_ok (Scratch *s, gconstpointer data)
{
  g_autofree char *text = config_with_port (0);
  g_autofree char *path = scratch_write (s, "ok.json", text);
  g_autofree char *out = NULL;
  int status = run_wampd (&out, NULL, "--config", path, "--check-config", NULL);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (out, ==, "configuration OK\n");
}

typedef struct {
  const char *name;
  const char *config;
  /* What stderr must contain: the JSON path of the offending value. */
  const char *expected;
} BadConfig;

static const BadConfig bad_configs[] = {
  { "port-out-of-range",
    "{ \"version\": 1, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 70000 } } ] }\n",
    "$.transports[0].endpoint.port" },
  { "port-not-an-integer",
    "{ \"version\": 1, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": \"8080\" } } ] }\n",
    "$.transports[0].endpoint.port" },
  { "unknown-top-level-key",
    "{ \"version\": 1, \"colour\": \"blue\", \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.colour" },
  { "unknown-transport-key",
    "{ \"version\": 1, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\", \"pathh\": \"/ws\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.transports[0].pathh" },
  { "unknown-transport-type",
    "{ \"version\": 1, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"carrier-pigeon\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.transports[0].type" },
  { "unknown-serializer",
    "{ \"version\": 1, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\", \"serializers\": [\"json\", \"yaml\"],\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.transports[0].serializers" },
  { "missing-realms",
    "{ \"version\": 1,\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.realms" },
  { "wrong-version",
    "{ \"version\": 2, \"realms\": [ { \"name\": \"realm1\" } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.version" },
  { "realm-name-not-a-string",
    "{ \"version\": 1, \"realms\": [ { \"name\": 42 } ],\n"
    "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\",\n"
    "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 } } ] }\n",
    "$.realms[0].name" },
};

static void
test_check_config_bad_names_json_path (Scratch *s, gconstpointer data)
{
  const BadConfig *bad = data;
  g_autofree char *path = scratch_write (s, "bad.json", bad->config);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_wampd (&out, &err, "--config", path, "--check-config", NULL);

  g_assert_cmpint (status, ==, 1);
  g_assert_cmpstr (out, ==, "");
  if (strstr (err, bad->expected) == NULL)
    g_error ("stderr does not name %s: %s", bad->expected, err);
}

static void
test_check_config_not_json_names_line_and_column (Scratch *s, gconstpointer data)
{
  g_autofree char *path = scratch_write (s, "garbage.json", "{ \"version\": 1,\n  oops }\n");
  g_autofree char *err = NULL;
  g_autoptr(GRegex) line_col = NULL;
  int status = run_wampd (NULL, &err, "--config", path, "--check-config", NULL);

  g_assert_cmpint (status, ==, 1);
  /* "FILE:LINE:COLUMN: ..." (json-glib places the error near, not exactly
   * at, the offending token, so the numbers themselves are not checked). */
  line_col = g_regex_new ("garbage\\.json:[0-9]+:[0-9]+: ", 0, 0, NULL);
  if (!g_regex_match (line_col, err, 0, NULL))
    g_error ("stderr names no line and column: %s", err);
  g_assert_nonnull (strstr (err, "garbage.json"));
}

static void
test_check_config_missing_file_fails (Scratch *s, gconstpointer data)
{
  g_autofree char *path = g_build_filename (s->dir, "does-not-exist.json", NULL);
  g_autofree char *err = NULL;
  int status = run_wampd (NULL, &err, "--config", path, "--check-config", NULL);

  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "does-not-exist.json"));
}

static void
test_list_plugins_shows_shipped_extensions (void)
{
  g_autofree char *out = NULL;
  int status = run_wampd (&out, NULL, "--list-plugins", NULL);
  const char *expected[] = {
    "wamp-serializer:json", "wamp-transport:websocket", "wamp-transport:rawsocket",
    "wamp-authenticator:anonymous",
    "wamp-role:broker", "wamp-role:dealer",
  };

  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_str_has_prefix (out, "NAME"));
  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    if (strstr (out, expected[i]) == NULL)
      g_error ("--list-plugins does not list %s:\n%s", expected[i], out);
}

static void
test_list_plugins_shows_refused_plugin_with_reason (Scratch *s, gconstpointer data)
{
  g_autofree char *bogus G_GNUC_UNUSED = scratch_write (s, "bogus." G_MODULE_SUFFIX, "not a shared object\n");
  g_autofree char *out = NULL;
  int status = run_wampd (&out, NULL, "--plugin-dir", s->dir, "--list-plugins", NULL);

  /* A refused plugin is listed, not fatal. */
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "wamp-serializer:json"));
  if (g_regex_match_simple ("^-\\s+-\\s+refused\\s+-\\s+\\S*bogus\\.[a-z]+\n  error: .+$", out,
                            G_REGEX_MULTILINE, 0) == FALSE)
    g_error ("--list-plugins does not show the refused plugin and why:\n%s", out);
}

static void
test_missing_plugin_dir_fails (Scratch *s, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (s->dir, "no-plugins-here", NULL);
  g_autofree char *err = NULL;
  int status = run_wampd (NULL, &err, "--plugin-dir", dir, "--check-config", NULL);

  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "no-plugins-here"));
}

/* A running wampd. */
typedef struct {
  GSubprocess *proc;
  gboolean exited;
  char *ready_path;
  char *log_path;
} Running;

static void
on_wait (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Running *r = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  r->exited = TRUE;
}

static char *
read_log (Running *r)
{
  char *text = NULL;

  if (!g_file_get_contents (r->log_path, &text, NULL, NULL))
    return g_strdup ("");
  return text;
}

/* Starts wampd on @config_path; returns the ready file's contents once it
 * exists, or NULL when wampd exited first. */
static char *
running_start (Running *r, Scratch *s, const char *config_path)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autofree char *bin = wampd_path ();
  g_autoptr(GError) error = NULL;
  gboolean timed_out = FALSE;
  guint timeout_id;
  char *ready = NULL;

  r->ready_path = g_build_filename (s->dir, "ready", NULL);
  r->log_path = g_build_filename (s->dir, "wampd.log", NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, r->log_path);
  r->proc = g_subprocess_launcher_spawn (launcher, &error, bin, "--config", config_path,
                                         "--ready-file", r->ready_path, "--verbose", NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (r->proc, NULL, on_wait, r);

  timeout_id = g_timeout_add_seconds (WAMPD_TIMEOUT_SECONDS, flag_timeout, &timed_out);
  while (!timed_out && !r->exited)
    {
      if (g_file_get_contents (r->ready_path, &ready, NULL, NULL))
        break;
      wamp_test_iterate_for (50);
    }
  if (!timed_out)
    g_source_remove (timeout_id);
  else
    {
      g_autofree char *log = read_log (r);
      g_subprocess_force_exit (r->proc);
      g_error ("wampd wrote no ready file within %d s; log:\n%s", WAMPD_TIMEOUT_SECONDS, log);
    }
  return ready;
}

/* Sends @signum to our child and waits (bounded) for it to exit. */
static void
running_stop (Running *r, int signum, int expected_status)
{
  gboolean timed_out = FALSE;
  guint timeout_id;
  g_autofree char *log = NULL;

  if (!r->exited)
    g_subprocess_send_signal (r->proc, signum);
  timeout_id = g_timeout_add_seconds (WAMPD_TIMEOUT_SECONDS, flag_timeout, &timed_out);
  while (!timed_out && !r->exited)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  log = read_log (r);
  g_test_message ("wampd log:\n%s", log);
  if (timed_out)
    {
      g_subprocess_force_exit (r->proc);
      g_error ("wampd did not exit within %d s of signal %d; log:\n%s",
               WAMPD_TIMEOUT_SECONDS, signum, log);
    }
  g_assert_true (g_subprocess_get_if_exited (r->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (r->proc), ==, expected_status);
}

static void
running_clear (Running *r)
{
  if (r->proc != NULL && !r->exited)
    g_subprocess_force_exit (r->proc);
  g_clear_object (&r->proc);
  g_clear_pointer (&r->ready_path, g_free);
  g_clear_pointer (&r->log_path, g_free);
}

/* Parses "ws ws://127.0.0.1:PORT/ws\n"; returns PORT. */
static guint
ready_file_port (const char *ready)
{
  g_autoptr(GRegex) regex = g_regex_new ("^ws ws://127\\.0\\.0\\.1:([0-9]+)/ws\n$", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *port = NULL;
  guint64 value;

  if (!g_regex_match (regex, ready, 0, &match))
    g_error ("unexpected ready file: \"%s\"", ready);
  port = g_match_info_fetch (match, 1);
  g_assert_true (g_ascii_string_to_unsigned (port, 10, 1, 65535, &value, NULL));
  return (guint) value;
}

/* Proves that something speaks WebSocket on @port: a WAMP subprotocol
 * upgrade is answered 101. Blocking I/O with a socket timeout keeps it
 * bounded. */
static void
assert_websocket_upgrade (guint port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autofree char *request = g_strdup_printf (
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n", port);
  char buffer[1024];
  gssize n;

  g_assert_no_error (error);
  g_socket_set_timeout (sock, WAMPD_TIMEOUT_SECONDS);
  g_socket_connect (sock, address, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_socket_send (sock, request, strlen (request), NULL, &error), ==, strlen (request));
  g_assert_no_error (error);
  n = g_socket_receive (sock, buffer, sizeof buffer - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, >, 0);
  buffer[n] = '\0';
  if (!g_str_has_prefix (buffer, "HTTP/1.1 101"))
    g_error ("WebSocket upgrade refused: %s", buffer);
  g_assert_nonnull (g_strstr_len (buffer, n, "wamp.2.json"));
  g_socket_close (sock, NULL);
}

static void
test_run_writes_ready_file_and_exits_0_on_signal (Scratch *s, gconstpointer data)
{
  int signum = GPOINTER_TO_INT (data);
  g_autofree char *text = config_with_port (0);
  g_autofree char *config_path = scratch_write (s, "run.json", text);
  g_autofree char *ready = NULL;
  g_autofree char *log = NULL;
  Running r = { 0, };
  guint port;

  ready = running_start (&r, s, config_path);
  if (ready == NULL)
    {
      log = read_log (&r);
      g_error ("wampd exited before it was ready; log:\n%s", log);
    }
  port = ready_file_port (ready);
  g_assert_cmpuint (port, !=, 0);
  assert_websocket_upgrade (port);

  log = read_log (&r);
  if (strstr (log, "listening on ws://127.0.0.1:") == NULL)
    g_error ("wampd did not log its listener:\n%s", log);

  running_stop (&r, signum, 0);
  running_clear (&r);
}

static void
test_run_port_in_use_exits_1 (Scratch *s, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *text = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *ready_path = g_build_filename (s->dir, "ready", NULL);
  g_autofree char *err = NULL;
  guint port;
  int status;

  g_assert_no_error (error);
  g_socket_bind (sock, any_port, FALSE, &error);
  g_assert_no_error (error);
  g_socket_listen (sock, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  text = config_with_port (port);
  config_path = scratch_write (s, "busy.json", text);
  status = run_wampd (NULL, &err, "--config", config_path, "--ready-file", ready_path, NULL);

  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "wampd: cannot start"));
  g_assert_false (g_file_test (ready_path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The wampd executable: command line, config check, ready file, signals.");

  g_test_add_func ("/wampd/cli/version-prints-package-version",
                   test_version_prints_package_version);
  g_test_add_func ("/wampd/cli/unknown-option-exits-2",
                   test_unexpected_argument_is_usage_error);
  g_test_add_func ("/wampd/cli/print-default-config-equals-shipped-file",
                   test_print_default_config_equals_shipped_file);
  g_test_add_func ("/wampd/cli/list-plugins-shows-shipped-extensions",
                   test_list_plugins_shows_shipped_extensions);
  g_test_add ("/wampd/cli/list-plugins-shows-refused-plugin-with-reason", Scratch, NULL,
              scratch_setup, test_list_plugins_shows_refused_plugin_with_reason, scratch_teardown);
  g_test_add ("/wampd/cli/missing-plugin-dir-exits-1", Scratch, NULL,
              scratch_setup, test_missing_plugin_dir_fails, scratch_teardown);

  g_test_add_func ("/wampd/cli/verbose-shows-info-messages", test_verbose_shows_info_messages);
  g_test_add_func ("/wampd/check-config/default-is-ok", test_check_config_default_is_ok);
  g_test_add ("/wampd/check-config/valid-file-is-ok", Scratch, NULL,
              scratch_setup, test_check_config_valid_file_is_ok, scratch_teardown);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_configs); i++)
    {
      g_autofree char *name = g_strdup_printf ("/wampd/check-config/%s-names-json-path",
                                               bad_configs[i].name);
      g_test_add (name, Scratch, &bad_configs[i],
                  scratch_setup, test_check_config_bad_names_json_path, scratch_teardown);
    }
  g_test_add ("/wampd/check-config/not-json-names-line-and-column", Scratch, NULL,
              scratch_setup, test_check_config_not_json_names_line_and_column, scratch_teardown);
  g_test_add ("/wampd/check-config/missing-file-exits-1", Scratch, NULL,
              scratch_setup, test_check_config_missing_file_fails, scratch_teardown);

  g_test_add ("/wampd/run/ready-file-then-sigterm-exits-0", Scratch, GINT_TO_POINTER (SIGTERM),
              scratch_setup, test_run_writes_ready_file_and_exits_0_on_signal, scratch_teardown);
  g_test_add ("/wampd/run/ready-file-then-sigint-exits-0", Scratch, GINT_TO_POINTER (SIGINT),
              scratch_setup, test_run_writes_ready_file_and_exits_0_on_signal, scratch_teardown);
  g_test_add ("/wampd/run/port-in-use-exits-1-without-ready-file", Scratch, NULL,
              scratch_setup, test_run_port_in_use_exits_1, scratch_teardown);

  return g_test_run ();
}
