/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampbench: the load generator of wampd's benchmark — options, plugin
 * loading and dispatch to one scenario. Everything runs on one thread: a
 * WampReactor on the default main context and WampClients on it. */
#include "bench-loop.h"
#include "bench-scenario.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#ifndef WAMPBENCH_PLUGIN_DIR
#error "WAMPBENCH_PLUGIN_DIR: the build tree's plugins folder"
#endif

/* How long connections closing at exit get to finish their handshakes. */
#define EXIT_GRACE_S 5.0

#define DEFAULT_PAYLOADS "64,1024,16384,262144,1048576"

typedef struct {
  const char *name;
  gboolean (*run) (const BenchOptions *opts);
  const char *default_label;
} Scenario;

static const Scenario scenarios[] = {
  { "rpc-latency", bench_scenario_rpc_latency, "wampd" },
  { "rpc-throughput", bench_scenario_rpc_throughput, "wampd" },
  { "pubsub-fanout", bench_scenario_pubsub_fanout, "wampd" },
  { "idle-sessions", bench_scenario_idle_sessions, "wampd" },
  { "payload-sweep", bench_scenario_payload_sweep, "wampd" },
  { "echo-latency", bench_scenario_echo_latency, "echo" },
  { "echo-throughput", bench_scenario_echo_throughput, "echo" },
};

/* Many sessions need many fds: the soft limit goes up to the hard one, as
 * wampd does for itself. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_warning ("cannot raise RLIMIT_NOFILE: %s", g_strerror (errno));
}

/* ws | rs | rs-unix, the transport column of the results. */
static char *
transport_for_url (const char *url)
{
  if (g_str_has_prefix (url, "ws://") || g_str_has_prefix (url, "wss://"))
    return g_strdup ("ws");
  if (g_str_has_prefix (url, "rawsocket+unix://"))
    return g_strdup ("rs-unix");
  if (g_str_has_prefix (url, "rawsocket"))
    return g_strdup ("rs");
  return NULL;
}

static GArray *
parse_payloads (const char *text, GError **error)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);
  g_autoptr(GArray) payloads = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (guint i = 0; items[i] != NULL; i++)
    {
      guint64 value;
      gsize size;

      if (!g_ascii_string_to_unsigned (g_strstrip (items[i]), 10, 0, 16 * 1024 * 1024, &value, error))
        return NULL;
      size = (gsize) value;
      g_array_append_val (payloads, size);
    }
  if (payloads->len == 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--payloads lists no size");
      return NULL;
    }
  return g_steal_pointer (&payloads);
}

static gboolean
load_plugins (WampPluginLoader *loader, const char *plugin_dir)
{
  g_autoptr(GError) error = NULL;

  /* The build tree's plugins match this build's static core; an installed
   * set might not. */
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  if (plugin_dir != NULL)
    wamp_plugin_loader_add_directory (loader, plugin_dir);
  else if (g_getenv ("WAMPD_PLUGIN_PATH") == NULL)
    wamp_plugin_loader_add_directory (loader, WAMPBENCH_PLUGIN_DIR);
  if (!wamp_plugin_loader_load_all (loader, &error))
    {
      g_printerr ("wampbench: loading plugins: %s\n", error->message);
      return FALSE;
    }
  for (guint i = 0; i < wamp_plugin_loader_get_n_records (loader); i++)
    {
      const WampPluginRecord *record = wamp_plugin_loader_get_record (loader, i);
      const GError *refused = wamp_plugin_record_get_error (record);

      if (refused != NULL)
        g_printerr ("wampbench: plugin %s refused: %s\n", wamp_plugin_record_get_path (record),
                    refused->message);
    }
  return TRUE;
}

static gboolean
reactor_idle (gpointer data)
{
  WampReactor *reactor = data;

  return wamp_reactor_get_n_watches (reactor) == 0 && wamp_reactor_get_n_timers (reactor) == 0;
}

int
main (int argc, char **argv)
{
  g_autofree char *url = NULL;
  g_autofree char *serializer = NULL;
  g_autofree char *realm = NULL;
  g_autofree char *label = NULL;
  g_autofree char *payloads = NULL;
  g_autofree char *plugin_dir = NULL;
  g_autofree char *transport = NULL;
  gint server_pid = 0;
  double duration = 2.0;
  double warmup = 0.3;
  gint callers = 0, outstanding = 0, subscribers = 0, sessions = 0;
  gint64 payload = 64;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "Router or echo server URL (ws://, rawsocket+tcp://, rawsocket+unix://)", "URL" },
    { "serializer", 0, 0, G_OPTION_ARG_STRING, &serializer, "json, msgpack or cbor (default json)", "NAME" },
    { "server-pid", 0, 0, G_OPTION_ARG_INT, &server_pid, "The server process, for its CPU time and RSS", "PID" },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, "Seconds of each measured window (default 2)", "SECONDS" },
    { "warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "Seconds of traffic before each window (default 0.3)", "SECONDS" },
    { "callers", 0, 0, G_OPTION_ARG_INT, &callers, "Callers (echo: connections)", "N" },
    { "outstanding", 0, 0, G_OPTION_ARG_INT, &outstanding, "Calls (echo: frames) each keeps in flight", "K" },
    { "subscribers", 0, 0, G_OPTION_ARG_INT, &subscribers, "pubsub-fanout: subscribers (default 100)", "S" },
    { "payload", 0, 0, G_OPTION_ARG_INT64, &payload, "Payload string bytes (default 64)", "BYTES" },
    { "payloads", 0, 0, G_OPTION_ARG_STRING, &payloads, "payload-sweep, echo-throughput: sizes (default " DEFAULT_PAYLOADS ")", "LIST" },
    { "sessions", 0, 0, G_OPTION_ARG_INT, &sessions, "idle-sessions: sessions to open (default 1000)", "N" },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &realm, "Realm (default realm1)", "URI" },
    { "label", 0, 0, G_OPTION_ARG_STRING, &label, "The target in the results (wampd, epoll, gio)", "TEXT" },
    { "plugin-dir", 0, 0, G_OPTION_ARG_FILENAME, &plugin_dir, "Load the plugins from DIR", "DIR" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("SCENARIO — wampd's load generator");
  g_autoptr(GError) error = NULL;
  g_autoptr(WampPluginLoader) loader = NULL;
  g_autoptr(GArray) payload_list = NULL;
  const Scenario *scenario = NULL;
  BenchOptions opts = { 0 };
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context, "Scenarios: rpc-latency, rpc-throughput, pubsub-fanout, idle-sessions,\n"
                                "payload-sweep, echo-latency, echo-throughput. One JSON line per result on\n"
                                "stdout, a readable row on stderr; exit status 0 when nothing failed or got lost.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wampbench: %s\n", error->message);
      return 2;
    }
  if (argc != 2)
    {
      g_printerr ("wampbench: give one scenario (see --help)\n");
      return 2;
    }
  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    if (strcmp (argv[1], scenarios[i].name) == 0)
      scenario = &scenarios[i];
  if (scenario == NULL)
    {
      g_printerr ("wampbench: unknown scenario %s (see --help)\n", argv[1]);
      return 2;
    }
  if (url == NULL)
    url = g_strdup ("ws://127.0.0.1:8080/ws");
  transport = transport_for_url (url);
  if (transport == NULL)
    {
      g_printerr ("wampbench: unsupported URL %s\n", url);
      return 2;
    }
  if (payloads == NULL && strcmp (scenario->name, "payload-sweep") == 0)
    payloads = g_strdup (DEFAULT_PAYLOADS);
  if (payloads != NULL && (payload_list = parse_payloads (payloads, &error)) == NULL)
    {
      g_printerr ("wampbench: --payloads: %s\n", error->message);
      return 2;
    }
  if (duration <= 0 || warmup < 0 || callers < 0 || outstanding < 0 || subscribers < 0 || sessions < 0 ||
      payload < 0 || payload > 16 * 1024 * 1024 || server_pid < 0)
    {
      g_printerr ("wampbench: a negative or out-of-range number (see --help)\n");
      return 2;
    }

  raise_fd_limit ();
  loader = wamp_plugin_loader_new ();
  if (!load_plugins (loader, plugin_dir))
    return 1;
  if (serializer == NULL)
    serializer = g_strdup ("json");
  if (wamp_serializer_lookup (serializer) == NULL)
    {
      g_printerr ("wampbench: no plugin provides the serializer %s\n", serializer);
      return 2;
    }

  opts.scenario = scenario->name;
  opts.url = url;
  opts.serializer = serializer;
  opts.transport = transport;
  opts.server_pid = server_pid;
  opts.duration = duration;
  opts.warmup = warmup;
  opts.callers = (guint) callers;
  opts.outstanding = (guint) outstanding;
  opts.subscribers = (guint) subscribers;
  opts.payload = (gsize) payload;
  opts.payloads = payload_list;
  opts.sessions = (guint) sessions;
  opts.realm = realm != NULL ? realm : (char *) "realm1";
  opts.label = label != NULL ? label : (char *) scenario->default_label;
  opts.reactor = wamp_reactor_new (NULL);

  ok = scenario->run (&opts);

  /* Connections that were closing finish their handshakes (and free what
   * they hold) before the reactor goes. */
  if (!bench_loop_wait (reactor_idle, opts.reactor, EXIT_GRACE_S))
    g_debug ("%u fds, %u timers still on the reactor at exit", wamp_reactor_get_n_watches (opts.reactor),
             wamp_reactor_get_n_timers (opts.reactor));
  g_object_unref (opts.reactor);
  return ok ? 0 : 1;
}
