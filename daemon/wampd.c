/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampd: the WAMP router daemon — command line, plugin loading, configuration,
 * start-up, the ready file, reload on SIGHUP and an orderly shutdown on
 * SIGINT/SIGTERM. */

#include "config.h"

#include <errno.h>
#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <gio/gio.h>

#include <wamp/wamp.h>

#include "wampd-admin.h"
#include "wampd-systemd.h"

#define WAMPD_DEFAULT_CONFIG_RESOURCE "/org/wampd/Router/wampd.json"

/* Exit statuses: 0 success, 1 any failure of configuration or start-up, 2 a
 * command-line error, as GLib programs usually do. */
#define WAMPD_EXIT_FAILURE 1
#define WAMPD_EXIT_USAGE 2

typedef struct {
  char *config_file;
  gboolean check_config;
  gboolean print_default_config;
  char **plugin_dirs;
  gboolean list_plugins;
  char *ready_file;
  gboolean version;
  gboolean verbose;
  gboolean system_bus;
  gboolean session_bus;
  gboolean no_dbus;
} WampdOptions;

typedef struct {
  const WampdOptions *options;
  GMainLoop *loop;
  WampRouter *router;
  WampdAdmin *admin;
  GStrv listeners;
  gboolean shutting_down;
  int exit_status;
  WampdSystemd *systemd;
  const char *config_file; /* NULL: the built-in default */
} WampdState;

/* A main-loop source ID removed when it goes out of scope. */
typedef guint WampdSourceId;

static void
wampd_source_id_clear (WampdSourceId *id)
{
  g_clear_handle_id (id, g_source_remove);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampdSourceId, wampd_source_id_clear)

static gboolean verbose_logging = FALSE;

static void
wampd_options_clear (WampdOptions *options)
{
  g_clear_pointer (&options->config_file, g_free);
  g_clear_pointer (&options->plugin_dirs, g_strfreev);
  g_clear_pointer (&options->ready_file, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampdOptions, wampd_options_clear)

/* The default writer drops info messages unless G_MESSAGES_DEBUG names the
 * domain; --verbose must show them for every component without also turning
 * on everyone's debug output, so info bypasses that filter here. */
static GLogWriterOutput
wampd_log_writer (GLogLevelFlags   log_level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  if (verbose_logging && (log_level & G_LOG_LEVEL_INFO) != 0)
    {
      if (g_log_writer_is_journald (STDERR_FILENO) &&
          g_log_writer_journald (log_level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
      return g_log_writer_standard_streams (log_level, fields, n_fields, user_data);
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* Returns: (transfer full): the compiled-in default configuration. */
static GBytes *
wampd_default_config_bytes (GError **error)
{
  return g_resources_lookup_data (WAMPD_DEFAULT_CONFIG_RESOURCE,
                                  G_RESOURCE_LOOKUP_FLAGS_NONE, error);
}

static int
wampd_print_default_config (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = wampd_default_config_bytes (&error);
  g_autofree char *text = NULL;
  gsize size;
  const char *data;

  if (bytes == NULL)
    {
      g_printerr (_("wampd: cannot read the built-in configuration: %s\n"), error->message);
      return WAMPD_EXIT_FAILURE;
    }
  /* g_print needs a NUL-terminated string; the resource is not one. */
  data = g_bytes_get_data (bytes, &size);
  text = g_strndup (data, size);
  g_print ("%s", text);
  return EXIT_SUCCESS;
}

static const char *
or_dash (const char *text)
{
  return text != NULL && *text != '\0' ? text : "-";
}

static int
wampd_list_plugins (WampPluginLoader *loader)
{
  guint n = wamp_plugin_loader_get_n_records (loader);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  /* TRANSLATORS: column headings of `wampd --list-plugins`. */
  const char *headings[] = { N_("NAME"), N_("VERSION"), N_("STATUS"), N_("EXTENSIONS"), N_("PATH") };
  gsize widths[G_N_ELEMENTS (headings)] = { 0, };
  g_autoptr(GString) line = g_string_new (NULL);

  if (n == 0)
    {
      g_print (_("No plugins found.\n"));
      return EXIT_SUCCESS;
    }

  for (gsize c = 0; c < G_N_ELEMENTS (headings); c++)
    widths[c] = g_utf8_strlen (_(headings[c]), -1);

  for (guint i = 0; i < n; i++)
    {
      const WampPluginRecord *record = wamp_plugin_loader_get_record (loader, i);
      const char *const *extensions = wamp_plugin_record_get_extensions (record);
      const GError *error = wamp_plugin_record_get_error (record);
      g_autofree char *joined = NULL;
      char **row = g_new0 (char *, G_N_ELEMENTS (headings) + 2);

      if (extensions != NULL && extensions[0] != NULL)
        joined = g_strjoinv (",", (char **) extensions);
      row[0] = g_strdup (or_dash (wamp_plugin_record_get_name (record)));
      row[1] = g_strdup (or_dash (wamp_plugin_record_get_version (record)));
      /* TRANSLATORS: plugin status in `wampd --list-plugins`. */
      row[2] = g_strdup (error == NULL ? _("loaded") : _("refused"));
      row[3] = g_strdup (or_dash (joined));
      row[4] = g_strdup (or_dash (wamp_plugin_record_get_path (record)));
      /* The reason of a refusal is long and varied: it goes on a line of
       * its own instead of stretching the table. */
      row[5] = error != NULL ? g_strdup (error->message) : NULL;
      for (gsize c = 0; c < G_N_ELEMENTS (headings); c++)
        widths[c] = MAX (widths[c], (gsize) g_utf8_strlen (row[c], -1));
      g_ptr_array_add (rows, row);
    }

  for (gsize c = 0; c < G_N_ELEMENTS (headings); c++)
    {
      const char *text = _(headings[c]);
      g_string_append (line, text);
      if (c + 1 < G_N_ELEMENTS (headings))
        for (gsize pad = g_utf8_strlen (text, -1); pad < widths[c] + 2; pad++)
          g_string_append_c (line, ' ');
    }
  g_print ("%s\n", line->str);

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      g_string_truncate (line, 0);
      for (gsize c = 0; c < G_N_ELEMENTS (headings); c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 < G_N_ELEMENTS (headings))
            for (gsize pad = g_utf8_strlen (row[c], -1); pad < widths[c] + 2; pad++)
              g_string_append_c (line, ' ');
        }
      g_print ("%s\n", line->str);
      if (row[5] != NULL)
        /* TRANSLATORS: the reason a plugin was refused, below its table row. */
        g_print (_("  error: %s\n"), row[5]);
    }
  return EXIT_SUCCESS;
}

/* Loads every plugin from the --plugin-dir folders, $WAMPD_PLUGIN_PATH and
 * the installed folder. A refused plugin is not fatal: the config check
 * reports it if the configuration needs what it would have provided. */
static WampPluginLoader *
wampd_load_plugins (char **plugin_dirs, GError **error)
{
  g_autoptr(WampPluginLoader) loader = wamp_plugin_loader_new ();

  for (char **dir = plugin_dirs; dir != NULL && *dir != NULL; dir++)
    {
      if (!g_file_test (*dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _("plugin folder %s: not a readable folder"), *dir);
          return NULL;
        }
      wamp_plugin_loader_add_directory (loader, *dir);
    }

  /* The loader logs each plugin it loads or refuses. */
  if (!wamp_plugin_loader_load_all (loader, error))
    return NULL;
  return g_steal_pointer (&loader);
}

/* Returns: (transfer full): the parsed configuration, from @path or the
 * built-in default when @path is NULL. */
static WampValue *
wampd_load_config (const char *path, GError **error)
{
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize size;

  if (path != NULL)
    return wamp_config_load_file (path, error);

  bytes = wampd_default_config_bytes (error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  return wamp_config_parse (data, size, error);
}

/* The file descriptor limit is raised to the hard limit so that the number
 * of clients is bounded by the administrator's limit, not the soft default
 * of 1024 (rule 8). */
static void
wampd_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0)
    {
      int saved_errno = errno;
      g_warning ("getrlimit(RLIMIT_NOFILE): %s", g_strerror (saved_errno));
      return;
    }
  if (limit.rlim_cur == limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    {
      int saved_errno = errno;
      g_warning ("setrlimit(RLIMIT_NOFILE): %s", g_strerror (saved_errno));
      return;
    }
  g_info ("file descriptor limit raised to %llu", (unsigned long long) limit.rlim_cur);
}

/* Writes all listeners at once: g_file_set_contents_full() writes a
 * temporary file and renames it, so a reader never sees a partial file. */
static gboolean
wampd_write_ready_file (const char *path, char **listeners, GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (char **l = listeners; l != NULL && *l != NULL; l++)
    g_string_append_printf (text, "%s\n", *l);
  return g_file_set_contents_full (path, text->str, text->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
wampd_shutdown_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WampdState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!wamp_router_shutdown_finish (WAMP_ROUTER (source), result, &error))
    g_message ("shutdown: %s", error->message);
  g_message ("stopped");
  g_main_loop_quit (state->loop);
}

/* Re-reads the configuration given at start (the built-in default when
 * none) and applies it with wamp_router_reload(): a bad one changes nothing.
 * Logs the outcome and what needs a restart. The shape of the D-Bus admin's
 * reload callback; @user_data is the WampdState. */
static gboolean
wampd_reload (gpointer user_data, GStrv *restart_needed, GError **error)
{
  WampdState *state = user_data;
  const char *source = state->config_file != NULL ? state->config_file : "the built-in default configuration";
  g_autoptr (WampValue) config = NULL;
  g_autoptr (GError) local_error = NULL;
  g_auto (GStrv) restart = NULL;
  gboolean ok = FALSE;

  if (restart_needed != NULL)
    *restart_needed = NULL;
  if (state->shutting_down)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "wampd is shutting down");
      return FALSE;
    }

  g_message ("reloading the configuration from %s", source);
  wampd_systemd_notify_reloading (state->systemd);
  config = wampd_load_config (state->config_file, &local_error);
  if (config != NULL)
    ok = wamp_router_reload (state->router, config, &restart, &local_error);
  /* Ready again either way: a rejected config leaves the old one serving. */
  wampd_systemd_notify_reloaded (state->systemd);

  if (!ok)
    {
      g_warning ("reload failed, the running configuration stays: %s", local_error->message);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (char **r = restart; r != NULL && *r != NULL; r++)
    g_warning ("reload: needs a restart to take effect: %s", *r);
  g_message ("configuration reloaded%s", restart != NULL && restart[0] != NULL
             ? " (some changes need a restart)" : "");
  if (restart_needed != NULL)
    *restart_needed = g_steal_pointer (&restart);
  return TRUE;
}

static gboolean
wampd_on_sighup (gpointer user_data)
{
  /* The outcome is logged; SIGHUP has nobody to answer. */
  wampd_reload (user_data, NULL, NULL);
  return G_SOURCE_CONTINUE;
}

static gboolean
wampd_on_signal (gpointer user_data)
{
  WampdState *state = user_data;

  if (state->shutting_down)
    {
      /* A second signal: the operator does not want to wait for the
       * sessions to say goodbye. */
      g_message ("second signal: stopping now");
      g_main_loop_quit (state->loop);
      return G_SOURCE_CONTINUE;
    }
  state->shutting_down = TRUE;
  g_message ("shutting down");
  wampd_systemd_notify_stopping (state->systemd);
  wamp_router_shutdown_async (state->router, NULL, wampd_shutdown_done, state);
  return G_SOURCE_CONTINUE;
}

/* Everything is up (listeners, and the bus name when there is one): tell
 * whoever waits. */
static void
wampd_announce_ready (WampdState *state)
{
  g_autoptr(GError) error = NULL;

  if (state->options->ready_file != NULL &&
      !wampd_write_ready_file (state->options->ready_file, state->listeners, &error))
    {
      g_printerr (_("wampd: cannot write the ready file: %s\n"), error->message);
      /* Nobody is connected yet, but shut down in order all the same. */
      state->exit_status = WAMPD_EXIT_FAILURE;
      state->shutting_down = TRUE;
      wamp_router_shutdown_async (state->router, NULL, wampd_shutdown_done, state);
      return;
    }
  g_message ("wampd %s ready", PACKAGE_VERSION);
  /* The one place readiness is announced: every listener is up and, with
   * the D-Bus admin, the bus name is owned. */
  wampd_systemd_notify_ready (state->systemd);
}

static void
wampd_admin_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WampdState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (wampd_admin_start_finish (WAMPD_ADMIN (source), result, &error))
    {
      if (!state->shutting_down)
        wampd_announce_ready (state);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_printerr (_("wampd: cannot offer the D-Bus admin interface: %s\n"), error->message);
  state->exit_status = WAMPD_EXIT_FAILURE;
  if (!state->shutting_down)
    {
      state->shutting_down = TRUE;
      wamp_router_shutdown_async (state->router, NULL, wampd_shutdown_done, state);
    }
}

/* The bus of the admin interface: the command-line flags, else the config's
 * admin.dbus. FALSE when there is none. */
static gboolean
wampd_admin_bus (const WampdOptions *options, WampRouter *router, GBusType *bus_type)
{
  const char *configured = wamp_router_get_admin_dbus (router);

  if (options->no_dbus)
    return FALSE;
  if (options->system_bus || options->session_bus)
    {
      *bus_type = options->system_bus ? G_BUS_TYPE_SYSTEM : G_BUS_TYPE_SESSION;
      return TRUE;
    }
  if (g_strcmp0 (configured, "system") == 0)
    *bus_type = G_BUS_TYPE_SYSTEM;
  else if (g_strcmp0 (configured, "session") == 0)
    *bus_type = G_BUS_TYPE_SESSION;
  else
    return FALSE;
  return TRUE;
}

static int
wampd_run (const WampdOptions *options, WampPluginLoader *loader)
{
  g_autoptr(GError) error = NULL;
  g_autoptr (WampdSystemd) systemd = NULL;
  g_auto (WampdSourceId) sighup_id = 0;
  g_autoptr(WampValue) config = NULL;
  g_autoptr(WampReactor) reactor = NULL;
  g_autoptr(WampRouter) router = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(GStrv) listeners = NULL;
  g_autoptr(WampdAdmin) admin = NULL;
  WampdState state = { 0, };
  GBusType bus_type = G_BUS_TYPE_NONE;
  guint sigint_id, sigterm_id;
  const char *config_name = options->config_file != NULL
    ? options->config_file
    /* TRANSLATORS: names the configuration in error messages when no --config was given. */
    : _("built-in default configuration");

  config = wampd_load_config (options->config_file, &error);
  if (config == NULL)
    {
      g_printerr (_("wampd: cannot load the configuration: %s\n"), error->message);
      return WAMPD_EXIT_FAILURE;
    }

  reactor = wamp_reactor_new (NULL);
  router = wamp_router_new (reactor);
  if (!wamp_router_configure (router, config, &error))
    {
      /* TRANSLATORS: the first %s names the configuration (a file or the
       * built-in default), the second the error with its JSON path. */
      g_printerr (_("wampd: invalid configuration (%s): %s\n"), config_name, error->message);
      return WAMPD_EXIT_FAILURE;
    }

  if (options->check_config)
    {
      g_print (_("configuration OK\n"));
      return EXIT_SUCCESS;
    }

  wampd_raise_fd_limit ();

  loop = g_main_loop_new (NULL, FALSE);
  state.options = options;
  state.loop = loop;
  state.router = router;
  /* Installed before anything listens, so a signal that arrives during
   * start-up is handled as soon as the loop runs. */
  sigint_id = g_unix_signal_add (SIGINT, wampd_on_signal, &state);
  sigterm_id = g_unix_signal_add (SIGTERM, wampd_on_signal, &state);
  systemd = wampd_systemd_new (router);
  state.systemd = systemd;
  state.config_file = options->config_file;
  sighup_id = g_unix_signal_add (SIGHUP, wampd_on_sighup, &state);

  /* Listeners whose transport name matches a passed socket accept on it
   * instead of binding. */
  wampd_systemd_take_activated_sockets ();

  if (!wamp_router_start (router, &error))
    {
      g_printerr (_("wampd: cannot start: %s\n"), error->message);
      g_source_remove (sigint_id);
      g_source_remove (sigterm_id);
      return WAMPD_EXIT_FAILURE;
    }
  wampd_systemd_warn_unused_sockets (router);

  listeners = wamp_router_get_listeners (router);
  for (char **l = listeners; l != NULL && *l != NULL; l++)
    {
      const char *space = strchr (*l, ' ');

      if (space != NULL)
        g_message ("listening on %s (transport %.*s)", space + 1, (int) (space - *l), *l);
      else
        g_message ("listening on %s", *l);
    }

  state.listeners = listeners;

  /* Ready once the bus name is owned too (the ready file and READY=1 promise
   * that wampctl works). */
  if (wampd_admin_bus (options, router, &bus_type))
    {
      admin = wampd_admin_new (router, loader);
      wampd_admin_set_reload_func (admin, wampd_reload, &state);
      state.admin = admin;
      wampd_admin_start_async (admin, bus_type, NULL, wampd_admin_started, &state);
    }
  else
    wampd_announce_ready (&state);
  g_main_loop_run (loop);

  if (admin != NULL)
    wampd_admin_stop (admin);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  return state.exit_status;
}

/* Memory set-up, before anything allocates much.
 *
 * Two settings are read from the environment before main() runs, so wampd
 * re-executes itself once with them (unless they are set already, or it runs
 * under valgrind, whose /proc/self/exe is valgrind itself):
 * - G_SLICE=always-malloc: GLib before 2.76 serves GObjects and list nodes
 *   from its slice allocator, which keeps every page it ever used, so the
 *   memory of 10k ended sessions would stay (GLib 2.76 uses malloc anyway);
 * - glibc.malloc.tcache_max=256: glibc keeps up to seven freed blocks of
 *   each size up to 1 KiB for reuse, and those scattered blocks pin pages
 *   malloc_trim() cannot return (measured: 13% of wampd's memory after 1000
 *   WebSocket sessions ended). Caching only blocks up to 256 bytes pins few
 *   pages (3-4% after 1000 or 10k sessions) and keeps the cache for what the
 *   message path allocates: messages, payloads, encodings and frames of small
 *   calls are all smaller (caching two blocks of every size instead left 4%
 *   too, but cost 4% more instructions per routed call).
 *
 * glibc serves blocks from 128 KiB up with mmap() and trims the heap's top
 * as soon as 128 KiB are free: every large message would then cost fresh,
 * zeroed pages (a 256 KiB call ran at half the speed). Large blocks come
 * from the heap instead and stay for reuse; the router trims after sessions
 * end (wamp_router_session_disconnected). */
static void
wampd_setup_memory (char *argv[])
{
  const char *preload = g_getenv ("LD_PRELOAD");
  gboolean again = FALSE;

  if (glib_check_version (2, 76, 0) != NULL && g_getenv ("G_SLICE") == NULL)
    {
      g_setenv ("G_SLICE", "always-malloc", TRUE);
      again = TRUE;
    }
#ifdef __GLIBC__
  if (g_getenv ("GLIBC_TUNABLES") == NULL)
    {
      g_setenv ("GLIBC_TUNABLES", "glibc.malloc.tcache_max=256", TRUE);
      again = TRUE;
    }
#endif
  if (again && (preload == NULL || strstr (preload, "vgpreload") == NULL))
    execv ("/proc/self/exe", argv);
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

int
main (int argc, char *argv[])
{
  g_auto(WampdOptions) options = { 0, };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampPluginLoader) loader = NULL;
  const GOptionEntry entries[] = {
    { "config", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options.config_file,
      N_("Read the configuration from FILE instead of the built-in default"), N_("FILE") },
    { "check-config", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.check_config,
      N_("Check the configuration and exit"), NULL },
    { "print-default-config", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE,
      &options.print_default_config, N_("Print the built-in default configuration and exit"), NULL },
    { "plugin-dir", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME_ARRAY, &options.plugin_dirs,
      N_("Also load plugins from DIR (may be repeated)"), N_("DIR") },
    { "list-plugins", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.list_plugins,
      N_("List the plugins found and what they provide, then exit"), NULL },
    { "ready-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options.ready_file,
      N_("Write the bound addresses to FILE once every listener is up"), N_("FILE") },
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.version,
      N_("Print the version and exit"), NULL },
    { "verbose", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.verbose,
      N_("Log informational messages too"), NULL },
    { "system-bus", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.system_bus,
      N_("Offer the admin interface on the system bus (overrides admin.dbus)"), NULL },
    { "session-bus", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.session_bus,
      N_("Offer the admin interface on the session bus (overrides admin.dbus)"), NULL },
    { "no-dbus", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &options.no_dbus,
      N_("Offer no D-Bus admin interface (overrides admin.dbus)"), NULL },
    G_OPTION_ENTRY_NULL
  };

  wampd_setup_memory (argv);

  setlocale (LC_ALL, "");
  /* WAMPD_LOCALEDIR points uninstalled runs (tests) at the build tree's
   * catalogs, <build>/po/<lang>/LC_MESSAGES/wampd.mo. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("WAMPD_LOCALEDIR") != NULL ? g_getenv ("WAMPD_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* A peer that disappears while we write must be an error on that
   * connection (EPIPE), not the end of the router. */
  signal (SIGPIPE, SIG_IGN);

  /* Logs go to stderr (or the journal), so stdout carries only a command's
   * own output, such as --print-default-config. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (wampd_log_writer, NULL, NULL);

  /* TRANSLATORS: the summary after "wampd [OPTION...]" in --help. */
  context = g_option_context_new (_("— a WAMP v2 router"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("wampd: %s\n", error->message);
      g_printerr (_("Run “%s --help” to see the options.\n"), g_get_prgname ());
      return WAMPD_EXIT_USAGE;
    }
  if (argc > 1)
    {
      g_printerr (_("wampd: unexpected argument: %s\n"), argv[1]);
      return WAMPD_EXIT_USAGE;
    }
  if (options.system_bus + options.session_bus + options.no_dbus > 1)
    {
      g_printerr (_("wampd: --system-bus, --session-bus and --no-dbus exclude each other\n"));
      return WAMPD_EXIT_USAGE;
    }
  verbose_logging = options.verbose;

  if (options.version)
    {
      g_print (_("wampd %s (plugin ABI %d.%d)\n"), PACKAGE_VERSION,
               WAMP_ABI_MAJOR, WAMP_ABI_MINOR);
      return EXIT_SUCCESS;
    }
  if (options.print_default_config)
    return wampd_print_default_config ();

  loader = wampd_load_plugins (options.plugin_dirs, &error);
  if (loader == NULL)
    {
      g_printerr (_("wampd: cannot load plugins: %s\n"), error->message);
      return WAMPD_EXIT_FAILURE;
    }
  if (options.list_plugins)
    return wampd_list_plugins (loader);

  return wampd_run (&options, loader);
}
