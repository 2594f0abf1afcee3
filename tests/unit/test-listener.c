/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampListener and WampSocketIo: TCP over IPv4/IPv6/both, Unix
 * sockets (stale, in use, mode), config errors with JSON paths, TLS with a
 * PKI made at test time (client certificates required, verified, shown in
 * the transport details), handshake timeout, socket activation. */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <wamp/wamp.h>

#include "wamp-test-pki.h"
#include "wamp-test-scratch.h"

/* The PKI of tests/tls/make-test-pki.sh, made once per run. */
static char *pki_dir;

static char *
pki_file (const char *name)
{
  return g_build_filename (pki_dir, name, NULL);
}

static void
make_pki (void)
{
  pki_dir = wamp_test_pki_create ();
}

static void
remove_pki (void)
{
  wamp_test_pki_remove (pki_dir);
  g_free (pki_dir);
}

/* Fixture: a reactor on a private context, a listener, accepted connections. */

typedef struct
{
  GMainContext *context;
  WampReactor *reactor;
  WampListener *listener;
  GPtrArray *accepted_sockets; /* of GSocket */
  GPtrArray *accepted_streams; /* of GIOStream */
  char *tmpdir;
} Fixture;

static void
on_accept (WampListener *listener,
           GSocket      *socket,
           GIOStream    *stream,
           gpointer      user_data)
{
  Fixture *f = user_data;

  g_ptr_array_add (f->accepted_sockets, g_object_ref (socket));
  g_ptr_array_add (f->accepted_streams, g_object_ref (stream));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->reactor = wamp_reactor_new (NULL);
  f->listener = wamp_listener_new (f->reactor, "test");
  f->accepted_sockets = g_ptr_array_new_with_free_func (g_object_unref);
  f->accepted_streams = g_ptr_array_new_with_free_func (g_object_unref);
  wamp_listener_set_accept_func (f->listener, on_accept, f, NULL);
  f->tmpdir = wamp_test_scratch_new ("wampd-test-listener-XXXXXX");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->listener);
  g_clear_pointer (&f->accepted_streams, g_ptr_array_unref);
  g_clear_pointer (&f->accepted_sockets, g_ptr_array_unref);
  /* Let cancelled TLS handshakes report back before the context goes. */
  for (int i = 0; i < 50; i++)
    g_main_context_iteration (f->context, FALSE);
  g_clear_object (&f->reactor);
  wamp_test_scratch_remove (f->tmpdir);
  g_free (f->tmpdir);
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
  wamp_listener_clear_activated_sockets ();
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @done (nullable: just for @ms) returns TRUE or @ms passed. */
static void
iterate_until (Fixture   *f,
               gboolean (*done) (Fixture *f, gpointer data),
               gpointer   data,
               guint      ms)
{
  gboolean expired = FALSE;
  GSource *guard = g_timeout_source_new (ms);

  g_source_set_callback (guard, deadline_cb, &expired, NULL);
  g_source_attach (guard, f->context);
  while (!expired && (done == NULL || !done (f, data)))
    g_main_context_iteration (f->context, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
}

static gboolean
n_accepted_reached (Fixture  *f,
                    gpointer  data)
{
  return f->accepted_sockets->len >= GPOINTER_TO_UINT (data);
}

static void
configure_json (Fixture    *f,
                const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) endpoint = wamp_config_parse (json, -1, &error);

  g_assert_no_error (error);
  wamp_listener_configure (f->listener, endpoint, "$.transports[0].endpoint", &error);
  g_assert_no_error (error);
}

/* Substitutes {PKI} in @template by the PKI directory. */
static char *
with_pki (const char *template)
{
  g_autoptr(GString) s = g_string_new (template);

  g_string_replace (s, "{PKI}", pki_dir, 0);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* A blocking client connection to @url's host and port (the kernel
 * completes the TCP handshake from the backlog, so this never waits for us). */
static int
connect_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  struct sockaddr_storage ss;
  int fd;

  g_assert_nonnull (uri);
  inet = g_inet_address_new_from_string (g_uri_get_host (uri));
  g_assert_nonnull (inet);
  addr = g_inet_socket_address_new (inet, g_uri_get_port (uri));
  g_assert_true (g_socket_address_to_native (addr, &ss, sizeof ss, NULL));
  fd = socket (ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &ss, g_socket_address_get_native_size (addr)), ==, 0);
  return fd;
}

static int
connect_unix (const char *path)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sun, sizeof sun), ==, 0);
  return fd;
}

/* TCP */

static void
assert_url_accepts (Fixture    *f,
                    const char *url)
{
  guint before = f->accepted_sockets->len;
  int fd = connect_url (url);
  GSocket *socket;
  GError *error = NULL;

  iterate_until (f, n_accepted_reached, GUINT_TO_POINTER (before + 1), 2000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, before + 1);
  socket = f->accepted_sockets->pdata[before];
  g_assert_true (G_IS_SOCKET_CONNECTION (f->accepted_streams->pdata[before]));
  g_assert_true (fcntl (g_socket_get_fd (socket), F_GETFL) & O_NONBLOCK);
  {
    int nodelay = 0;

    g_assert_true (g_socket_get_option (socket, IPPROTO_TCP, TCP_NODELAY, &nodelay, &error));
    g_assert_no_error (error);
    g_assert_cmpint (nodelay, !=, 0);
  }
  close (fd);
}

static void
test_tcp4_port0_url_and_accept (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;

  configure_json (f, "{\"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0}");
  g_assert_cmpint (wamp_listener_get_endpoint_type (f->listener), ==, WAMP_LISTENER_ENDPOINT_TCP);
  g_assert_false (wamp_listener_is_tls (f->listener));
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_assert_cmpuint (g_strv_length (urls), ==, 0);
  g_clear_pointer (&urls, g_strfreev);

  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "ws://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (urls[0], "/ws"));
  g_assert_false (g_str_has_prefix (urls[0], "ws://127.0.0.1:0/"));
  assert_url_accepts (f, urls[0]);
}

static void
test_tcp6 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;

  configure_json (f, "{\"type\": \"tcp\", \"host\": \"::1\", \"port\": 0}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  urls = wamp_listener_get_urls (f->listener, "rawsocket+tcp", "rawsocket+tls", NULL);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "rawsocket+tcp://[::1]:"));
  assert_url_accepts (f, urls[0]);
}

/* "localhost": one socket per family, both on the port the first bind got. */
static void
test_localhost_binds_both_families_on_one_port (Fixture       *f,
                                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  g_autofree char *port4 = NULL;

  configure_json (f, "{\"type\": \"tcp\", \"host\": \"localhost\", \"port\": 0, \"backlog\": 16}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_assert_cmpuint (g_strv_length (urls), ==, 2);
  g_assert_true (g_str_has_prefix (urls[0], "ws://127.0.0.1:"));
  g_assert_true (g_str_has_prefix (urls[1], "ws://[::1]:"));
  port4 = g_strdup (strrchr (urls[0], ':'));
  g_assert_cmpstr (strrchr (urls[1], ':'), ==, port4);
  assert_url_accepts (f, urls[0]);
  assert_url_accepts (f, urls[1]);
}

/* A port somebody holds: the error names the address and the port. */
static void
test_tcp_port_in_use_names_address (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  g_autoptr(WampListener) second = wamp_listener_new (f->reactor, "second");
  g_autoptr(WampValue) endpoint = NULL;
  g_autofree char *json = NULL;

  configure_json (f, "{\"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  json = g_strdup_printf ("{\"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": %s}",
                          strrchr (urls[0], ':') + 1);
  endpoint = wamp_config_parse (json, -1, &error);
  g_assert_true (wamp_listener_configure (second, endpoint, "$.e", &error));
  g_assert_false (wamp_listener_start (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, strrchr (urls[0], ':') + 1));
}

/* Stop closes the listening sockets; start again binds anew. */
static void
test_stop_closes_and_restart_binds (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  g_auto(GStrv) after = NULL;
  g_autoptr(GUri) uri = NULL;
  struct sockaddr_in sin = { .sin_family = AF_INET };
  int fd;

  configure_json (f, "{\"type\": \"tcp\", \"port\": 0}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_true (wamp_listener_start (f->listener, &error)); /* idempotent */
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  wamp_listener_stop (f->listener);
  after = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  g_assert_cmpuint (g_strv_length (after), ==, 0);

  uri = g_uri_parse (urls[0], G_URI_FLAGS_NONE, NULL);
  sin.sin_port = htons (g_uri_get_port (uri));
  sin.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &sin, sizeof sin), ==, -1);
  g_assert_cmpint (errno, ==, ECONNREFUSED);
  close (fd);

  g_assert_true (wamp_listener_start (f->listener, &error));
  g_clear_pointer (&after, g_strfreev);
  after = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  assert_url_accepts (f, after[0]);
}

/* The listener's warnings, counted (they are fatal in tests otherwise). */
static guint pausing_warnings;

static GLogWriterOutput
counting_log_writer (GLogLevelFlags   log_level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gpointer         user_data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0 &&
        (log_level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_WARNING &&
        strstr (fields[i].value, "pausing") != NULL)
      pausing_warnings++;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Out of fds: accept fails with EMFILE, the listener pauses instead of
 * spinning on a socket that stays readable, and resumes by itself. */
static void
test_emfile_pauses_then_resumes (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  struct rlimit saved, tight;
  int clients[3];
  int next_fd;

  configure_json (f, "{\"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    clients[i] = connect_url (urls[0]);

  /* No fd number is left for accept4(). */
  next_fd = dup (0);
  g_assert_cmpint (next_fd, >=, 0);
  close (next_fd);
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  tight = saved;
  tight.rlim_cur = (rlim_t) next_fd;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &tight), ==, 0);
  pausing_warnings = 0;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  iterate_until (f, NULL, NULL, 300);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 0);
  /* One warning per 100 ms pause, not one per wake-up of a spinning loop. */
  g_assert_cmpuint (pausing_warnings, >=, 1);
  g_assert_cmpuint (pausing_warnings, <=, 4);

  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  pausing_warnings = 0;
  iterate_until (f, n_accepted_reached, GUINT_TO_POINTER (G_N_ELEMENTS (clients)), 3000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, G_N_ELEMENTS (clients));
  g_assert_cmpuint (pausing_warnings, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    close (clients[i]);
}

/* Unix */

static void
test_unix_mode_url_and_unlink (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->tmpdir, "wampd.sock", NULL);
  g_autofree char *json = g_strdup_printf ("{\"type\": \"unix\", \"path\": \"%s\", \"mode\": \"0600\"}", path);
  g_autofree char *expected = g_strdup_printf ("rawsocket+unix://%s", path);
  g_auto(GStrv) urls = NULL;
  struct stat st;
  int fd;

  configure_json (f, json);
  g_assert_cmpint (wamp_listener_get_endpoint_type (f->listener), ==, WAMP_LISTENER_ENDPOINT_UNIX);
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_true (S_ISSOCK (st.st_mode));
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  urls = wamp_listener_get_urls (f->listener, "rawsocket+tcp", "rawsocket+tls", NULL);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_cmpstr (urls[0], ==, expected);

  fd = connect_unix (path);
  iterate_until (f, n_accepted_reached, GUINT_TO_POINTER (1), 2000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 1);
  g_assert_cmpint (g_socket_get_family (f->accepted_sockets->pdata[0]), ==, G_SOCKET_FAMILY_UNIX);
  close (fd);

  wamp_listener_stop (f->listener);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

/* A socket file left by a crashed process (nobody accepts) is replaced. */
static void
test_unix_stale_socket_replaced (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->tmpdir, "stale.sock", NULL);
  g_autofree char *json = g_strdup_printf ("{\"type\": \"unix\", \"path\": \"%s\"}", path);
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  int stale = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int fd;

  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  g_assert_cmpint (bind (stale, (struct sockaddr *) &sun, sizeof sun), ==, 0);
  close (stale);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  configure_json (f, json);
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  fd = connect_unix (path);
  iterate_until (f, n_accepted_reached, GUINT_TO_POINTER (1), 2000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 1);
  close (fd);
}

/* A live socket is somebody else's: refused with "in use", left alone. */
static void
test_unix_live_socket_in_use (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->tmpdir, "live.sock", NULL);
  g_autofree char *json = g_strdup_printf ("{\"type\": \"unix\", \"path\": \"%s\"}", path);
  g_autoptr(WampListener) second = wamp_listener_new (f->reactor, "second");
  g_autoptr(WampValue) endpoint = wamp_config_parse (json, -1, NULL);

  configure_json (f, json);
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_true (wamp_listener_configure (second, endpoint, "$.e", &error));
  g_assert_false (wamp_listener_start (second, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "in use"));
  g_assert_nonnull (strstr (error->message, path));
  g_clear_object (&second);
  /* The failed one did not take the first one's file away. */
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  close (connect_unix (path));
}

static void
test_unix_path_not_a_socket (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->tmpdir, "regular", NULL);
  g_autofree char *json = g_strdup_printf ("{\"type\": \"unix\", \"path\": \"%s\"}", path);

  g_assert_true (g_file_set_contents (path, "data", -1, NULL));
  configure_json (f, json);
  g_assert_false (wamp_listener_start (f->listener, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "not a socket"));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* Config errors: each names the JSON path and the reason. */

typedef struct
{
  const char *json;
  int code;
  const char *path;   /* expected at the start of the message */
  const char *reason; /* expected inside it */
} ConfigCase;

static void
test_config_errors_name_path_and_reason (void)
{
  const ConfigCase cases[] = {
    { "[]", WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint:", "object" },
    { "{\"type\": \"tcp\", \"port\": 1, \"colour\": 1}", WAMP_CONFIG_ERROR_UNKNOWN_KEY,
      "$.transports[0].endpoint.colour", "" },
    { "{\"type\": \"udp\", \"port\": 1}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.type", "unix" },
    { "{\"type\": \"tcp\"}", WAMP_CONFIG_ERROR_MISSING, "$.transports[0].endpoint.port", "" },
    { "{\"type\": \"tcp\", \"port\": 65536}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.port", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"backlog\": 0}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.backlog", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"host\": \"\"}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.host", "empty" },
    { "{\"type\": \"unix\"}", WAMP_CONFIG_ERROR_MISSING, "$.transports[0].endpoint.path", "" },
    { "{\"type\": \"unix\", \"path\": \"/tmp/x\", \"port\": 1}", WAMP_CONFIG_ERROR_UNKNOWN_KEY,
      "$.transports[0].endpoint.port", "" },
    { "{\"type\": \"unix\", \"path\": \"/tmp/x\", \"mode\": \"rw\"}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.mode", "octal" },
    { "{\"type\": \"unix\", \"path\": \"/tmp/x\", \"mode\": \"0980\"}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.mode", "octal" },
    { "{\"type\": \"unix\", \"path\": \"/tmp/x\", \"mode\": \"01777\"}", WAMP_CONFIG_ERROR_INVALID,
      "$.transports[0].endpoint.mode", "octal" },
    { "{\"type\": \"unix\", \"path\": \"/tmp/x\", \"tls\": {}}", WAMP_CONFIG_ERROR_UNKNOWN_KEY,
      "$.transports[0].endpoint.tls", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"key\": \"{PKI}/server.key\"}}",
      WAMP_CONFIG_ERROR_MISSING, "$.transports[0].endpoint.tls.certificate", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\"}}",
      WAMP_CONFIG_ERROR_MISSING, "$.transports[0].endpoint.tls.key", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/server.key\", \"ciphers\": \"ALL\"}}",
      WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.transports[0].endpoint.tls.ciphers", "" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/missing.pem\", "
      "\"key\": \"{PKI}/server.key\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.certificate", "missing.pem" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/garbage.pem\", "
      "\"key\": \"{PKI}/server.key\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.certificate", "no usable certificate" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/missing.key\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.key", "missing.key" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/garbage.pem\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.key", "garbage.pem" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/other.key\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.key", "does not match" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/server.key\", \"ca_certificates\": \"{PKI}/garbage.pem\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.ca_certificates", "garbage.pem" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/server.key\", \"ca_certificates\": \"{PKI}/nothing.pem\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.ca_certificates", "nothing.pem" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/server.key\", \"require_client_certificate\": true}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.require_client_certificate",
      "ca_certificates" },
    { "{\"type\": \"tcp\", \"port\": 1, \"tls\": {\"certificate\": \"{PKI}/server.pem\", "
      "\"key\": \"{PKI}/server.key\", \"require_client_certificate\": \"yes\"}}",
      WAMP_CONFIG_ERROR_INVALID, "$.transports[0].endpoint.tls.require_client_certificate", "" },
  };
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(WampReactor) reactor = NULL;
  g_autofree char *garbage = pki_file ("garbage.pem");
  g_autofree char *nothing = pki_file ("nothing.pem");

  g_main_context_push_thread_default (context);
  reactor = wamp_reactor_new (NULL);
  g_assert_true (g_file_set_contents (garbage, "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                                      "-----END CERTIFICATE-----\n", -1, NULL));
  g_assert_true (g_file_set_contents (nothing, "just text, no PEM\n", -1, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = with_pki (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(WampValue) endpoint = wamp_config_parse (json, -1, &error);
      g_autoptr(WampListener) listener = wamp_listener_new (reactor, "test");

      g_test_message ("case %" G_GSIZE_FORMAT ": %s", i, json);
      g_assert_no_error (error);
      g_assert_false (wamp_listener_configure (listener, endpoint, "$.transports[0].endpoint",
                                               &error));
      g_assert_error (error, WAMP_CONFIG_ERROR, cases[i].code);
      g_test_message ("  -> %s", error->message);
      g_assert_true (g_str_has_prefix (error->message, cases[i].path));
      g_assert_nonnull (strstr (error->message, cases[i].reason));
      g_assert_cmpint (wamp_listener_get_endpoint_type (listener), ==, WAMP_LISTENER_ENDPOINT_NONE);
    }
  g_unlink (garbage);
  g_unlink (nothing);
  g_clear_object (&reactor);
  g_main_context_pop_thread_default (context);
}

/* TLS: the client side runs in a thread with blocking GIO calls, the
 * listener on the test's main context. */

typedef struct
{
  char *url;
  char *client_cert; /* nullable: no client certificate */
  char *client_key;
  gboolean handshake_ok;
  gboolean echo_ok;  /* wrote "ping", read back what the server sent */
  char *received;
  char *error;
  gint finished; /* atomic */
} TlsClient;

/* For the client threads: a blocking connection to the host and port of
 * @url (with a receive buffer of @receive_buffer bytes unless 0, set before
 * the handshake) wrapped in a TLS client for "localhost" that trusts the test
 * CA only; not handshaken yet. */
static GIOStream *
tls_client_connect (const char  *url,
                    int          receive_buffer,
                    GError     **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  g_autofree char *ca = pki_file ("ca.pem");
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", 0);

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, g_uri_get_host (uri), g_uri_get_port (uri),
                                                NULL, error);
  if (connection == NULL)
    return NULL;
  if (receive_buffer > 0)
    g_socket_set_option (g_socket_connection_get_socket (connection), SOL_SOCKET, SO_RCVBUF,
                         receive_buffer, NULL);
  database = g_tls_file_database_new (ca, error);
  if (database == NULL)
    return NULL;
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, error);
  if (tls == NULL)
    return NULL;
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  return g_steal_pointer (&tls);
}

static gpointer
tls_client_thread (gpointer data)
{
  TlsClient *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  char buffer[256];
  gssize n;
  gsize total = 0;

  tls = tls_client_connect (c->url, 0, &error);
  if (tls == NULL)
    goto failed;
  if (c->client_cert != NULL)
    {
      g_autoptr(GTlsCertificate) cert = g_tls_certificate_new_from_files (c->client_cert,
                                                                          c->client_key, &error);
      if (cert == NULL)
        goto failed;
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
    }
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    goto failed;
  c->handshake_ok = TRUE;
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), "ping", 4, NULL, NULL,
                                  &error))
    goto failed;
  /* The server answers "pong:" + three vectors; read up to EOF. */
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer + total,
                                   sizeof buffer - 1 - total, NULL, &error)) > 0)
    total += n;
  if (n < 0)
    goto failed;
  buffer[total] = '\0';
  c->received = g_strdup (buffer);
  c->echo_ok = TRUE;
  g_atomic_int_set (&c->finished, 1);
  return NULL;

failed:
  c->error = g_strdup (error->message);
  g_atomic_int_set (&c->finished, 1);
  return NULL;
}

typedef struct
{
  TlsClient *client;
  guint n_accepted;
} AcceptOrFinish;

static gboolean
accepted_or_client_finished (Fixture  *f,
                             gpointer  data)
{
  AcceptOrFinish *w = data;

  return f->accepted_sockets->len >= w->n_accepted || g_atomic_int_get (&w->client->finished);
}

/* A client presenting the test PKI's @name.pem and @name.key (NULL: no
 * certificate). */
static TlsClient *
tls_client_new (const char *name)
{
  TlsClient *c = g_new0 (TlsClient, 1);

  if (name != NULL)
    {
      g_autofree char *cert = g_strconcat (name, ".pem", NULL);
      g_autofree char *key = g_strconcat (name, ".key", NULL);

      c->client_cert = pki_file (cert);
      c->client_key = pki_file (key);
    }
  return c;
}

static void
tls_client_free (TlsClient *c)
{
  g_free (c->url);
  g_free (c->client_cert);
  g_free (c->client_key);
  g_free (c->received);
  g_free (c->error);
  g_free (c);
}

/* Server side of the exchange: WampSocketIo on the reactor reads "ping" and
 * answers with a vectored write, then shuts down. */
typedef struct
{
  WampSocketIo *io;
  WampReactorWatch *watch;
  GString *got;
  gboolean done;
} TlsServer;

static void
tls_server_cb (WampReactor       *reactor,
               WampReactorWatch  *watch,
               int                fd,
               WampReactorEvents  events,
               gpointer           user_data)
{
  TlsServer *s = user_data;
  char buffer[2];
  gssize n;

  /* The rule of WampSocketIo: read until WOULD_BLOCK. Two-byte reads prove
   * that buffered TLS records are still delivered without a new wake. */
  for (;;)
    {
      g_autoptr(GError) error = NULL;

      n = wamp_socket_io_read (s->io, buffer, sizeof buffer, &error);
      if (n > 0)
        {
          g_string_append_len (s->got, buffer, n);
          continue;
        }
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      g_assert_no_error (error);
      break; /* EOF */
    }
  if (s->got->len >= 4 && !s->done)
    {
      const GOutputVector vectors[] = { { "pong", 4 }, { ":", 1 }, { s->got->str, s->got->len } };
      gsize want = 4 + 1 + s->got->len, written = 0;

      while (written < want)
        {
          g_autoptr(GError) error = NULL;
          gssize w = wamp_socket_io_writev (s->io, vectors, G_N_ELEMENTS (vectors), &error);

          /* Small enough to go out at once; a partial write is not expected here. */
          g_assert_no_error (error);
          written += w;
        }
      s->done = TRUE;
      wamp_reactor_remove_fd (reactor, watch);
      s->watch = NULL;
      wamp_socket_io_shutdown (s->io);
    }
}

static gboolean
tls_server_done (Fixture  *f,
                 gpointer  data)
{
  return ((TlsServer *) data)->done;
}

static void
start_tls_listener (Fixture    *f,
                    const char *tls_json)
{
  g_autofree char *template = g_strdup_printf ("{\"type\": \"tcp\", \"host\": \"127.0.0.1\", "
                                               "\"port\": 0, \"tls\": %s}", tls_json);
  g_autofree char *json = with_pki (template);
  g_autoptr(GError) error = NULL;

  configure_json (f, json);
  g_assert_true (wamp_listener_is_tls (f->listener));
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
}

/* Runs one client against the TLS listener; returns the server's I/O object
 * (transfer full) when the listener accepted it, after the exchange. */
static WampSocketIo *
run_tls_client (Fixture   *f,
                TlsClient *c)
{
  g_auto(GStrv) urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_autoptr(GThread) thread = NULL;
  TlsServer server = { 0, };
  guint before = f->accepted_sockets->len;
  WampSocketIo *io = NULL;

  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "wss://127.0.0.1:"));
  c->url = g_strdup (urls[0]);
  AcceptOrFinish wait = { c, before + 1 };

  thread = g_thread_new ("tls-client", tls_client_thread, c);
  iterate_until (f, accepted_or_client_finished, &wait, 5000);
  if (f->accepted_sockets->len > before)
    {
      GIOStream *stream = f->accepted_streams->pdata[before];

      g_assert_true (G_IS_TLS_SERVER_CONNECTION (stream));
      io = wamp_socket_io_new (f->accepted_sockets->pdata[before], stream);
      g_assert_true (wamp_socket_io_is_tls (io));
      g_assert_true (g_str_has_prefix (wamp_socket_io_get_peer (io), "tcp4:127.0.0.1:"));
      server.io = io;
      server.got = g_string_new (NULL);
      server.watch = wamp_reactor_add_fd (f->reactor, wamp_socket_io_get_fd (io),
                                          WAMP_REACTOR_READ, tls_server_cb, &server);
      iterate_until (f, tls_server_done, &server, 5000);
      g_assert_true (server.done);
      g_assert_cmpstr (server.got->str, ==, "ping");
      g_string_free (server.got, TRUE);
    }
  else
    {
      /* Refused: let the listener's failed handshake finish. */
      iterate_until (f, NULL, NULL, 300);
    }
  g_thread_join (g_steal_pointer (&thread));
  return io;
}

static void
test_tls_exchange_through_socket_io (Fixture       *f,
                                     gconstpointer  data)
{
  TlsClient *c = tls_client_new (NULL);
  g_autoptr(WampSocketIo) io = NULL;
  g_autoptr(WampValue) details = wamp_value_new_dict (4);

  start_tls_listener (f, "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\"}");
  io = run_tls_client (f, c);
  g_assert_nonnull (io);
  g_assert_cmpstr (c->error, ==, NULL);
  g_assert_true (c->handshake_ok);
  g_assert_true (c->echo_ok);
  g_assert_cmpstr (c->received, ==, "pong:ping");
  /* No client certificate was asked for. */
  g_assert_null (wamp_socket_io_get_peer_certificate (io));
  wamp_socket_io_add_transport_details (io, details);
  g_assert_true (wamp_value_dict_get_bool (details, "tls", FALSE));
  g_assert_null (wamp_value_dict_lookup (details, "tls_client_certificate"));
  g_assert_cmpint (wamp_socket_io_get_fd (io), ==, -1);
  tls_client_free (c);
}

#define REQUIRE_CLIENT_CERT \
  "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\", " \
  "\"ca_certificates\": \"{PKI}/ca.pem\", \"require_client_certificate\": true}"

static void
test_tls_client_certificate_required_refuses_none (Fixture       *f,
                                                   gconstpointer  data)
{
  TlsClient *c = tls_client_new (NULL);
  g_autoptr(WampSocketIo) io = NULL;

  start_tls_listener (f, REQUIRE_CLIENT_CERT);
  io = run_tls_client (f, c);
  g_assert_null (io);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 0);
  /* TLS 1.3 lets the client finish its handshake first; it fails then at
   * the first read at the latest. */
  g_assert_false (c->echo_ok);
  g_assert_nonnull (c->error);
  tls_client_free (c);
}

static void
test_tls_client_certificate_from_other_ca_refused (Fixture       *f,
                                                   gconstpointer  data)
{
  TlsClient *c = tls_client_new ("stranger");
  g_autoptr(WampSocketIo) io = NULL;

  start_tls_listener (f, REQUIRE_CLIENT_CERT);
  io = run_tls_client (f, c);
  g_assert_null (io);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 0);
  g_assert_false (c->echo_ok);
  tls_client_free (c);
}

static void
assert_client_certificate_details (WampSocketIo *io)
{
  g_autoptr(WampValue) details = wamp_value_new_dict (4);
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *sha256 = NULL;
  WampValue *cert;
  const char *subject;

  g_assert_nonnull (wamp_socket_io_get_peer_certificate (io));
  g_assert_cmpint (wamp_socket_io_get_peer_certificate_errors (io), ==, 0);
  wamp_socket_io_add_transport_details (io, details);
  g_assert_true (wamp_value_dict_get_bool (details, "tls", FALSE));
  cert = wamp_value_dict_lookup (details, "tls_client_certificate");
  g_assert_nonnull (cert);
  subject = wamp_value_dict_get_string (cert, "subject");
  g_assert_nonnull (subject);
  g_assert_nonnull (strstr (subject, "CN=wamp-test-client"));
  g_assert_nonnull (strstr (wamp_value_dict_get_string (cert, "issuer"), "CN=wampd test CA"));
  g_assert_true (wamp_value_dict_get_bool (cert, "verified", FALSE));
  g_object_get (wamp_socket_io_get_peer_certificate (io), "certificate", &der, NULL);
  sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  g_assert_cmpstr (wamp_value_dict_get_string (cert, "fingerprint_sha256"), ==, sha256);
}

static void
test_tls_client_certificate_required_accepts_valid (Fixture       *f,
                                                    gconstpointer  data)
{
  TlsClient *c = tls_client_new ("client");
  g_autoptr(WampSocketIo) io = NULL;

  start_tls_listener (f, REQUIRE_CLIENT_CERT);
  io = run_tls_client (f, c);
  g_assert_nonnull (io);
  g_assert_cmpstr (c->error, ==, NULL);
  g_assert_cmpstr (c->received, ==, "pong:ping");
  assert_client_certificate_details (io);
  tls_client_free (c);
}

/* With a CA but not required: a client without a certificate is served,
 * one with a valid certificate is verified. */
static void
test_tls_client_certificate_optional (Fixture       *f,
                                      gconstpointer  data)
{
  TlsClient *without = tls_client_new (NULL);
  TlsClient *with = tls_client_new ("client");
  g_autoptr(WampSocketIo) io1 = NULL;
  g_autoptr(WampSocketIo) io2 = NULL;

  start_tls_listener (f, "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\", "
                         "\"ca_certificates\": \"{PKI}/ca.pem\"}");
  io1 = run_tls_client (f, without);
  g_assert_nonnull (io1);
  g_assert_cmpstr (without->received, ==, "pong:ping");
  g_assert_null (wamp_socket_io_get_peer_certificate (io1));

  io2 = run_tls_client (f, with);
  g_assert_nonnull (io2);
  g_assert_cmpstr (with->received, ==, "pong:ping");
  assert_client_certificate_details (io2);
  tls_client_free (without);
  tls_client_free (with);
}

/* A peer that connects and never speaks TLS is dropped after the timeout. */
static void
test_tls_handshake_timeout_drops_silent_peer (Fixture       *f,
                                              gconstpointer  data)
{
  g_auto(GStrv) urls = NULL;
  gint64 started;
  char byte;
  gssize n = -1;
  int fd;

  start_tls_listener (f, "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\"}");
  wamp_listener_set_handshake_timeout (f->listener, 200);
  urls = wamp_listener_get_urls (f->listener, "rawsocket+tcp", "rawsocket+tls", NULL);
  g_assert_true (g_str_has_prefix (urls[0], "rawsocket+tls://127.0.0.1:"));
  fd = connect_url (urls[0]);
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  started = g_get_monotonic_time ();
  /* Bounded: 5 s at most. */
  while (g_get_monotonic_time () - started < 5 * G_USEC_PER_SEC)
    {
      g_main_context_iteration (f->context, FALSE);
      n = recv (fd, &byte, 1, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN))
        break;
      g_usleep (10000);
    }
  g_assert_true (n == 0 || (n < 0 && errno == ECONNRESET));
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 150 * 1000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 0);
  close (fd);
}

/* Stop drops handshakes in progress (and the listener can go away). */
static void
test_tls_stop_abandons_handshakes (Fixture       *f,
                                   gconstpointer  data)
{
  g_auto(GStrv) urls = NULL;
  char byte;
  gssize n = -1;
  int fd;

  start_tls_listener (f, "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\"}");
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  fd = connect_url (urls[0]);
  /* Let the listener accept and start its handshake. */
  iterate_until (f, NULL, NULL, 200);
  g_clear_object (&f->listener);
  iterate_until (f, NULL, NULL, 200);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  {
    struct timeval tv = { .tv_sec = 5 };

    setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  n = recv (fd, &byte, 1, 0);
  g_assert_true (n == 0 || (n < 0 && errno == ECONNRESET));
  close (fd);
}

/* A TLS close toward a peer that reads nothing cannot send close_notify: it
 * is cut after its timeout, and the peer then sees the end of the stream. */

typedef struct
{
  char *url;
  gint handshake_done; /* atomic */
  gint start_reading;  /* atomic */
  gsize received;
  gboolean ended;
} StalledClient;

static gpointer
stalled_client_thread (gpointer data)
{
  StalledClient *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  gint64 deadline;

  /* A small receive buffer fills quickly. */
  tls = tls_client_connect (c->url, 4096, &error);
  g_assert_no_error (error);
  g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error);
  g_assert_no_error (error);
  g_atomic_int_set (&c->handshake_done, 1);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (!g_atomic_int_get (&c->start_reading) && g_get_monotonic_time () < deadline)
    g_usleep (10000);
  for (;;)
    {
      char buffer[65536];
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer, sizeof buffer,
                                      NULL, NULL);

      if (n <= 0)
        break;
      c->received += n;
    }
  c->ended = TRUE;
  return NULL;
}

static gboolean
stalled_handshake_done (Fixture  *f,
                        gpointer  data)
{
  return f->accepted_sockets->len > 0 && g_atomic_int_get (&((StalledClient *) data)->handshake_done);
}

static void
test_tls_close_to_stalled_peer_is_cut (Fixture       *f,
                                       gconstpointer  data)
{
  g_auto(GStrv) urls = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autoptr(WampSocketIo) io = NULL;
  g_autofree guint8 *chunk = g_malloc0 (65536);
  StalledClient c = { 0, };
  gsize written = 0;

  start_tls_listener (f, "{\"certificate\": \"{PKI}/server.pem\", \"key\": \"{PKI}/server.key\"}");
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", NULL);
  c.url = urls[0];
  thread = g_thread_new ("stalled-client", stalled_client_thread, &c);
  iterate_until (f, stalled_handshake_done, &c, 5000);
  g_assert_cmpuint (f->accepted_sockets->len, ==, 1);
  io = wamp_socket_io_new (f->accepted_sockets->pdata[0], f->accepted_streams->pdata[0]);
  g_socket_set_option (f->accepted_sockets->pdata[0], SOL_SOCKET, SO_SNDBUF, 4096, NULL);

  /* Fill every buffer on the way: the peer reads nothing. */
  for (int i = 0; i < 10000; i++)
    {
      g_autoptr(GError) error = NULL;
      GOutputVector v = { chunk, 65536 };
      gssize n = wamp_socket_io_writev (io, &v, 1, &error);

      if (n < 0)
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
          break;
        }
      written += n;
    }
  g_assert_cmpuint (written, >, 0);
  wamp_socket_io_shutdown (io);
  g_assert_cmpint (wamp_socket_io_get_fd (io), ==, -1);
  /* The close waits 2 s for the peer, then gives up. */
  iterate_until (f, NULL, NULL, 2500);
  g_atomic_int_set (&c.start_reading, 1);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_true (c.ended);
  g_assert_cmpuint (c.received, >, 0);
  /* TLS may have taken one record of the write that would block (GnuTLS
   * sends it with the next call or the close). */
  g_assert_cmpuint (c.received, <=, written + 65536);
}

/* Socket activation */

static void
test_activated_socket_used_instead_of_binding (Fixture       *f,
                                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *expected = NULL;
  g_auto(GStrv) urls = NULL;
  g_auto(GStrv) unused = NULL;
  g_autoptr(WampListener) other = wamp_listener_new (f->reactor, "other");

  g_assert_true (g_socket_bind (socket, any_port, TRUE, &error));
  g_assert_true (g_socket_listen (socket, &error));
  bound = g_socket_get_local_address (socket, &error);
  expected = g_strdup_printf ("ws://127.0.0.1:%u/ws",
                              g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  wamp_listener_add_activated_socket ("test", socket);
  unused = wamp_listener_get_unused_activated_names ();
  g_assert_cmpuint (g_strv_length (unused), ==, 1);
  g_assert_cmpstr (unused[0], ==, "test");
  g_clear_pointer (&unused, g_strfreev);

  /* The config names another port: the activated socket wins. */
  configure_json (f, "{\"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 1}");
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_assert_no_error (error);
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_cmpstr (urls[0], ==, expected);
  unused = wamp_listener_get_unused_activated_names ();
  g_assert_cmpuint (g_strv_length (unused), ==, 0);
  g_clear_pointer (&unused, g_strfreev);
  assert_url_accepts (f, urls[0]);

  /* Stopping gives it back, still open and listening. */
  wamp_listener_stop (f->listener);
  g_assert_false (g_socket_is_closed (socket));
  unused = wamp_listener_get_unused_activated_names ();
  g_assert_cmpuint (g_strv_length (unused), ==, 1);
  g_clear_pointer (&unused, g_strfreev);
  g_assert_true (wamp_listener_start (f->listener, &error));
  g_clear_pointer (&urls, g_strfreev);
  urls = wamp_listener_get_urls (f->listener, "ws", "wss", "/ws");
  g_assert_cmpstr (urls[0], ==, expected);
  assert_url_accepts (f, urls[0]);

  wamp_listener_stop (f->listener);
  wamp_listener_clear_activated_sockets ();
  unused = wamp_listener_get_unused_activated_names ();
  g_assert_cmpuint (g_strv_length (unused), ==, 0);
  (void) other;
}

/* WampSocketIo on a plain socket */

static void
test_socket_io_plain (void)
{
  int sp[2];
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;
  g_autoptr(WampSocketIo) io = NULL;
  g_autoptr(WampValue) details = wamp_value_new_dict (2);
  g_autoptr(GError) error = NULL;
  const GOutputVector vectors[] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
  char buffer[16];
  gssize n;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), ==, 0);
  a = g_socket_new_from_fd (sp[0], &error);
  b = g_socket_new_from_fd (sp[1], &error);
  io = wamp_socket_io_new (a, NULL);
  g_assert_false (wamp_socket_io_is_tls (io));
  g_assert_cmpint (wamp_socket_io_get_fd (io), ==, sp[0]);
  g_assert_true (wamp_socket_io_get_socket (io) == a);
  g_assert_true (g_str_has_prefix (wamp_socket_io_get_peer (io), "unix:"));
  g_assert_null (wamp_socket_io_get_peer_certificate (io));

  /* Nothing there yet: WOULD_BLOCK, not 0. */
  n = wamp_socket_io_read (io, buffer, sizeof buffer, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
  g_clear_error (&error);

  n = wamp_socket_io_writev (io, vectors, G_N_ELEMENTS (vectors), &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 8);
  n = g_socket_receive (b, buffer, sizeof buffer, NULL, &error);
  g_assert_cmpint (n, ==, 8);
  g_assert_cmpmem (buffer, 8, "abcdefgh", 8);

  g_assert_cmpint (g_socket_send (b, "xyz", 3, NULL, &error), ==, 3);
  n = wamp_socket_io_read (io, buffer, sizeof buffer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 3);
  g_assert_cmpmem (buffer, 3, "xyz", 3);

  /* EOF is 0. */
  g_socket_shutdown (b, FALSE, TRUE, &error);
  n = wamp_socket_io_read (io, buffer, sizeof buffer, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);

  /* Writing to a peer that is gone is an error, never SIGPIPE. */
  g_socket_close (b, NULL);
  for (int i = 0; i < 2 && n >= 0; i++)
    n = wamp_socket_io_writev (io, vectors, 1, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);

  wamp_socket_io_add_transport_details (io, details);
  g_assert_false (wamp_value_dict_get_bool (details, "tls", TRUE));

  wamp_socket_io_shutdown (io);
  wamp_socket_io_shutdown (io); /* idempotent */
  g_assert_cmpint (wamp_socket_io_get_fd (io), ==, -1);
  g_assert_true (g_socket_is_closed (a));
  n = wamp_socket_io_read (io, buffer, sizeof buffer, &error);
  g_assert_cmpint (n, ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
}

int
main (int    argc,
      char **argv)
{
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (counting_log_writer, NULL, NULL);
  g_test_summary ("WampListener and WampSocketIo: TCP, Unix, TLS, activation");
  make_pki ();

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/listener/tcp4/port-0-url-and-accept", test_tcp4_port0_url_and_accept);
  ADD ("/listener/tcp6/url-in-brackets-and-accept", test_tcp6);
  ADD ("/listener/tcp/localhost-binds-both-families-on-one-port",
       test_localhost_binds_both_families_on_one_port);
  ADD ("/listener/tcp/port-in-use-error-names-address", test_tcp_port_in_use_names_address);
  ADD ("/listener/tcp/stop-closes-and-restart-binds", test_stop_closes_and_restart_binds);
  ADD ("/listener/tcp/out-of-fds-pauses-then-resumes", test_emfile_pauses_then_resumes);
  ADD ("/listener/unix/mode-url-and-unlink-on-stop", test_unix_mode_url_and_unlink);
  ADD ("/listener/unix/stale-socket-replaced", test_unix_stale_socket_replaced);
  ADD ("/listener/unix/live-socket-in-use", test_unix_live_socket_in_use);
  ADD ("/listener/unix/path-not-a-socket", test_unix_path_not_a_socket);
  g_test_add_func ("/listener/config/errors-name-path-and-reason",
                   test_config_errors_name_path_and_reason);
  ADD ("/listener/tls/exchange-through-socket-io", test_tls_exchange_through_socket_io);
  ADD ("/listener/tls/client-certificate-required-refuses-none",
       test_tls_client_certificate_required_refuses_none);
  ADD ("/listener/tls/client-certificate-from-other-ca-refused",
       test_tls_client_certificate_from_other_ca_refused);
  ADD ("/listener/tls/client-certificate-required-accepts-valid",
       test_tls_client_certificate_required_accepts_valid);
  ADD ("/listener/tls/client-certificate-optional", test_tls_client_certificate_optional);
  ADD ("/listener/tls/handshake-timeout-drops-silent-peer",
       test_tls_handshake_timeout_drops_silent_peer);
  ADD ("/listener/tls/stop-abandons-handshakes", test_tls_stop_abandons_handshakes);
  ADD ("/listener/tls/close-to-stalled-peer-is-cut", test_tls_close_to_stalled_peer_is_cut);
  ADD ("/listener/activation/socket-used-instead-of-binding",
       test_activated_socket_used_instead_of_binding);
  g_test_add_func ("/socket-io/plain/read-writev-eof-shutdown", test_socket_io_plain);
#undef ADD

  rc = g_test_run ();
  remove_pki ();
  return rc;
}
