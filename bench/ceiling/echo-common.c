/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the two echo servers share besides the protocol: the command line,
 * the listen addresses, the ready file and the descriptor limit. */

#include "echo-common.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/resource.h>
#include <sys/stat.h>

gboolean
echo_options_parse (EchoOptions  *options,
                    const char   *summary,
                    int          *argc,
                    char       ***argv,
                    GError      **error)
{
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING, &options->host,
      "TCP address to listen on (an IP literal; default 127.0.0.1)", "ADDR" },
    { "port", 0, 0, G_OPTION_ARG_INT, &options->port,
      "TCP port (default 0: a free one)", "PORT" },
    { "unix", 0, 0, G_OPTION_ARG_FILENAME, &options->unix_path,
      "also listen on this Unix socket", "PATH" },
    { "ready-file", 0, 0, G_OPTION_ARG_FILENAME, &options->ready_file,
      "once listening, write \"NAME URL\" lines here", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, summary);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (options->host == NULL)
    options->host = g_strdup ("127.0.0.1");
  if (options->port < 0 || options->port > 65535)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--port: %d is not a port", options->port);
      return FALSE;
    }
  return TRUE;
}

void
echo_options_clear (EchoOptions *options)
{
  g_clear_pointer (&options->host, g_free);
  g_clear_pointer (&options->unix_path, g_free);
  g_clear_pointer (&options->ready_file, g_free);
}

GSocketAddress *
echo_options_get_tcp_address (const EchoOptions  *options,
                              GError            **error)
{
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (options->host);

  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--host: %s is not an IP address", options->host);
      return NULL;
    }
  return g_inet_socket_address_new (addr, (guint16) options->port);
}

/* A socket left behind by an earlier run would make bind() fail. */
gboolean
echo_remove_stale_socket (const char  *path,
                          GError     **error)
{
  GStatBuf st;

  if (g_lstat (path, &st) < 0)
    return TRUE;
  if (!S_ISSOCK (st.st_mode) || g_unlink (path) < 0)
    {
      int errsv = S_ISSOCK (st.st_mode) ? errno : EEXIST;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "cannot use %s: %s", path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* wampd's format, written whole and renamed, so a reader never sees half. */
gboolean
echo_write_ready_file (const EchoOptions  *options,
                       guint16             port,
                       GError            **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *tmp = NULL;
  g_autofree char *host = strchr (options->host, ':') != NULL
                          ? g_strdup_printf ("[%s]", options->host) : g_strdup (options->host);

  if (options->ready_file == NULL)
    return TRUE;
  g_string_append_printf (text, "ws ws://%s:%u/ws\n", host, port);
  g_string_append_printf (text, "rs rawsocket+tcp://%s:%u\n", host, port);
  if (options->unix_path != NULL)
    {
      g_autofree char *path = g_canonicalize_filename (options->unix_path, NULL);

      g_string_append_printf (text, "rs-unix rawsocket+unix://%s\n", path);
    }
  tmp = g_strconcat (options->ready_file, ".tmp", NULL);
  if (!g_file_set_contents (tmp, text->str, (gssize) text->len, error))
    return FALSE;
  if (g_rename (tmp, options->ready_file) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   "cannot rename %s: %s", tmp, g_strerror (errsv));
      g_unlink (tmp);
      return FALSE;
    }
  return TRUE;
}

/* Benchmarks open thousands of connections. */
void
echo_raise_fd_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
    }
}
