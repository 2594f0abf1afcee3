/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampbench-echo-gio: the transport ceiling as a typical GIO server — a
 * GSocketService on a GMainLoop, async stream reads and writes — echoing
 * WAMP's WebSocket and RawSocket frames. */

#include <glib-unix.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

#include "echo-common.h"
#include "echo-session.h"

/* A peer that does not read stops being read from above this. */
#define OUTPUT_HIGH_WATER (1024 * 1024)
#define KEEP_OUTPUT (4 * ECHO_READ_CHUNK)

typedef struct
{
  GMainLoop *loop;
  GSocketService *service;
  GHashTable *connections; /* set of Connection, owned */
  char *unix_path; /* to unlink at exit: ours */
} Server;

typedef struct
{
  Server *server;
  GSocketConnection *connection;
  GInputStream *input;
  GOutputStream *output;
  GCancellable *cancellable;
  EchoSession session;
  /* One write in flight at a time; echoes made meanwhile wait in @queue
   * and go out in the next write (the two buffers swap). */
  EchoBuffer writing;
  EchoBuffer queue;
  gboolean reading;
  gboolean write_pending;
  gboolean closing; /* send what is queued, then close */
  gboolean failed;  /* close as soon as no operation is in flight */
} Connection;

static void
connection_free (Connection *c)
{
  g_io_stream_close (G_IO_STREAM (c->connection), NULL, NULL);
  g_object_unref (c->connection);
  g_object_unref (c->cancellable);
  echo_session_clear (&c->session);
  echo_buffer_clear (&c->writing);
  echo_buffer_clear (&c->queue);
  g_free (c);
}

static void connection_continue (Connection *c);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Connection *c = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  c->reading = FALSE;
  if (n < 0)
    c->failed = TRUE;
  else if (n == 0)
    c->closing = TRUE;
  else
    switch (echo_session_commit (&c->session, (size_t) n, &c->queue))
      {
      case ECHO_SESSION_FAIL:
        c->failed = TRUE;
        break;
      case ECHO_SESSION_CLOSE:
        c->closing = TRUE;
        break;
      default:
        break;
      }
  connection_continue (c);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Connection *c = user_data;

  c->write_pending = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    c->failed = TRUE;
  echo_buffer_consume (&c->writing, echo_buffer_pending (&c->writing));
  echo_buffer_trim (&c->writing, KEEP_OUTPUT);
  connection_continue (c);
}

/* After every completion: starts the next write and read, or ends the
 * connection once nothing is in flight. May free @c. */
static void
connection_continue (Connection *c)
{
  if (!c->failed && !c->write_pending && echo_buffer_pending (&c->queue) > 0)
    {
      EchoBuffer empty = c->writing;

      c->writing = c->queue;
      c->queue = empty;
      c->write_pending = TRUE;
      g_output_stream_write_all_async (c->output, echo_buffer_peek (&c->writing),
                                       echo_buffer_pending (&c->writing), G_PRIORITY_DEFAULT,
                                       c->cancellable, write_cb, c);
    }
  if (!c->failed && !c->closing && !c->reading &&
      echo_buffer_pending (&c->writing) + echo_buffer_pending (&c->queue) < OUTPUT_HIGH_WATER)
    {
      size_t room;
      uint8_t *space = echo_session_read_space (&c->session, &room);

      if (space != NULL)
        {
          c->reading = TRUE;
          g_input_stream_read_async (c->input, space, room, G_PRIORITY_DEFAULT, c->cancellable,
                                     read_cb, c);
        }
      else
        c->failed = TRUE;
    }

  if (c->reading || c->write_pending)
    {
      /* The callbacks come back cancelled and end up here again. */
      if (c->failed)
        g_cancellable_cancel (c->cancellable);
      return;
    }
  if (c->failed || c->closing)
    g_hash_table_remove (c->server->connections, c);
}

static gboolean
incoming_cb (GSocketService    *service,
             GSocketConnection *connection,
             GObject           *source_object,
             gpointer           user_data)
{
  Server *server = user_data;
  GSocket *socket = g_socket_connection_get_socket (connection);
  Connection *c = g_new0 (Connection, 1);

  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  c->server = server;
  c->connection = g_object_ref (connection);
  c->input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  c->output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  c->cancellable = g_cancellable_new ();
  echo_session_init (&c->session);
  g_hash_table_add (server->connections, c);
  connection_continue (c);
  return TRUE;
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
server_start (Server       *server,
              EchoOptions  *options,
              GError      **error)
{
  GSocketListener *listener;
  g_autoptr(GSocketAddress) tcp_address = NULL;
  g_autoptr(GSocketAddress) effective = NULL;

  /* Inactive until every address is added: adding one cancels the accept
   * in flight, and GIO drops a connection that accept had already taken
   * (seen when a client connects before the loop's first turn). */
  server->service = g_object_new (G_TYPE_SOCKET_SERVICE, "active", FALSE, NULL);
  listener = G_SOCKET_LISTENER (server->service);
  g_socket_listener_set_backlog (listener, ECHO_LISTEN_BACKLOG);
  g_signal_connect (server->service, "incoming", G_CALLBACK (incoming_cb), server);

  tcp_address = echo_options_get_tcp_address (options, error);
  if (tcp_address == NULL ||
      !g_socket_listener_add_address (listener, tcp_address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return FALSE;
  if (options->unix_path != NULL)
    {
      g_autoptr(GSocketAddress) unix_address = g_unix_socket_address_new (options->unix_path);

      if (!echo_remove_stale_socket (options->unix_path, error) ||
          !g_socket_listener_add_address (listener, unix_address, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
        return FALSE;
      server->unix_path = g_strdup (options->unix_path);
    }
  g_socket_service_start (server->service);
  return echo_write_ready_file (options,
                                g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)),
                                error);
}

/* Ends every connection and waits for their cancelled operations, so
 * nothing is left for the leak checker. */
static void
server_clear (Server *server)
{
  g_autoptr(GList) connections = NULL;

  if (server->service != NULL)
    {
      g_socket_service_stop (server->service);
      g_socket_listener_close (G_SOCKET_LISTENER (server->service));
    }
  connections = g_hash_table_get_keys (server->connections);
  for (GList *l = connections; l != NULL; l = l->next)
    {
      Connection *c = l->data;

      c->failed = TRUE;
      g_cancellable_cancel (c->cancellable);
    }
  while (g_hash_table_size (server->connections) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&server->service);
  if (server->unix_path != NULL)
    g_unlink (server->unix_path);
  g_clear_pointer (&server->unix_path, g_free);
  /* The service's cancelled accept returns on the main context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&server->connections, g_hash_table_unref);
  g_clear_pointer (&server->loop, g_main_loop_unref);
}

int
main (int   argc,
      char *argv[])
{
  EchoOptions options = { 0 };
  Server server = { 0 };
  g_autoptr(GError) error = NULL;
  guint sigterm_id, sigint_id;
  gboolean ok;

  if (!echo_options_parse (&options, "Echoes WAMP WebSocket and RawSocket frames (GIO).",
                           &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      echo_options_clear (&options);
      return 2;
    }
  echo_raise_fd_limit ();

  server.loop = g_main_loop_new (NULL, FALSE);
  server.connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) connection_free, NULL);
  sigterm_id = g_unix_signal_add (SIGTERM, quit_cb, server.loop);
  sigint_id = g_unix_signal_add (SIGINT, quit_cb, server.loop);

  ok = server_start (&server, &options, &error);
  if (ok)
    g_main_loop_run (server.loop);
  else
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  server_clear (&server);
  echo_options_clear (&options);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
