/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the rawsocket transport: GIO connects (TCP or a Unix
 * socket; for rawsocket+tls:// it runs the TLS handshake too), then a
 * WampRawsocketConnection in the client role runs the RawSocket handshake on
 * the reactor. */

#include "wamp-rawsocket-client.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "wamp-rawsocket-connection.h"

#define CONNECT_TIMEOUT_S 10

typedef struct
{
  WampClientConnectParams params;
  WampRawsocketConnection *connection; /* during the handshake */

  /* rawsocket+tls:// */
  gboolean tls;
  GSocketConnectable *server_identity;
  GSocketConnection *tcp;
  GIOStream *tls_connection;
  GCancellable *tls_cancellable;
  WampReactorTimer *tls_timer;
  gboolean tls_timed_out;
} Connect;

static void
connect_free (Connect *c)
{
  if (c->tls_timer != NULL)
    wamp_reactor_cancel_timer (c->params.reactor, c->tls_timer);
  g_clear_object (&c->connection);
  g_clear_object (&c->server_identity);
  g_clear_object (&c->tcp);
  g_clear_object (&c->tls_connection);
  g_clear_object (&c->tls_cancellable);
  wamp_client_connect_params_clear (&c->params);
  g_free (c);
}

static void
ready_cb (WampRawsocketConnection *connection,
          const GError            *error,
          gpointer                 user_data)
{
  /* Takes over the reference connected_cb() gave the handshake. */
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  g_autoptr(WampRawsocketConnection) conn = g_steal_pointer (&c->connection);

  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else if (g_task_return_error_if_cancelled (task))
    wamp_connection_close (WAMP_CONNECTION (conn), WAMP_CLOSE_GOING_AWAY, NULL);
  else
    g_task_return_pointer (task, g_steal_pointer (&conn), g_object_unref);
  g_object_unref (task);
}

/* Hands @socket (through @stream) to a connection in the client role. */
static void
start_rawsocket (GTask     *task,
                 GSocket   *socket,
                 GIOStream *stream)
{
  Connect *c = g_task_get_task_data (task);
  WampRawsocketOptions options;

  wamp_rawsocket_options_init (&options);
  c->connection = wamp_rawsocket_connection_new (c->params.reactor, socket, stream,
                                                 WAMP_RAWSOCKET_ROLE_CLIENT, c->params.serializers,
                                                 &options, NULL);
  /* The connection's handshake timeout bounds the rest; the task stays ours
   * until ready_cb. */
  wamp_rawsocket_connection_start (c->connection, NULL, ready_cb, task);
}

static void
tls_handshake_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;

  if (c->tls_timer != NULL)
    wamp_reactor_cancel_timer (c->params.reactor, c->tls_timer);
  c->tls_timer = NULL;
  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (c->tls_timed_out)
        {
          g_clear_error (&error);
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "TLS handshake timed out");
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  start_rawsocket (task, g_socket_connection_get_socket (c->tcp), c->tls_connection);
}

static void
tls_timeout_cb (WampReactor *reactor,
                gpointer     user_data)
{
  Connect *c = user_data;

  c->tls_timer = NULL;
  c->tls_timed_out = TRUE;
  g_cancellable_cancel (c->tls_cancellable);
}

/* rawsocket+tls://: a transient async GIO operation (a few round trips,
 * bounded by a reactor timer) before the RawSocket handshake. */
static void
start_tls (GTask *task)
{
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;

  c->tls_connection = wamp_client_connect_params_new_tls (&c->params, G_IO_STREAM (c->tcp),
                                                         c->server_identity, &error);
  if (c->tls_connection == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* Our own: the timer must not cancel the caller's. */
  c->tls_cancellable = g_cancellable_new ();
  c->tls_timer = wamp_reactor_add_timer (c->params.reactor, WAMP_RAWSOCKET_DEFAULT_HANDSHAKE_TIMEOUT_MS,
                                         tls_timeout_cb, c);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (c->tls_connection), G_PRIORITY_DEFAULT,
                                    c->tls_cancellable, tls_handshake_done_cb, task);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  GError *error = NULL;

  c->tcp = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (c->tcp == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (c->tls)
    start_tls (task);
  else
    start_rawsocket (task, g_socket_connection_get_socket (c->tcp), G_IO_STREAM (c->tcp));
}

void
wamp_rawsocket_client_connect_async (WampTransport       *source,
                                     WampReactor         *reactor,
                                     const char          *url,
                                     GPtrArray           *serializers,
                                     GTlsDatabase        *tls_database,
                                     GTlsCertificate     *tls_certificate,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;
  Connect *c;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) addr = NULL;
  const char *scheme;
  gboolean tls = FALSE;

  g_return_if_fail (WAMP_IS_REACTOR (reactor));
  g_return_if_fail (url != NULL);
  g_return_if_fail (serializers != NULL);

  task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_source_tag (task, wamp_rawsocket_client_connect_async);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "rawsocket+unix") == 0)
    {
      if (*g_uri_get_path (uri) == '\0')
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                   "no socket path in %s", url);
          g_object_unref (task);
          return;
        }
      addr = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (g_uri_get_path (uri)));
    }
  else if ((g_ascii_strcasecmp (scheme, "rawsocket+tcp") == 0 ||
            g_ascii_strcasecmp (scheme, "rawsocket") == 0 ||
            (tls = g_ascii_strcasecmp (scheme, "rawsocket+tls") == 0)) &&
           g_uri_get_host (uri) != NULL && g_uri_get_port (uri) > 0)
    addr = g_network_address_new (g_uri_get_host (uri), (guint16) g_uri_get_port (uri));
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "not a rawsocket+tcp://HOST:PORT, rawsocket+tls://HOST:PORT or "
                               "rawsocket+unix:///PATH URL: %s", url);
      g_object_unref (task);
      return;
    }
  c = g_new0 (Connect, 1);
  if (!wamp_client_connect_params_init (&c->params, reactor, serializers, tls_database,
                                        tls_certificate, &error))
    {
      connect_free (c);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  c->tls = tls;
  if (tls)
    c->server_identity = g_object_ref (addr);
  g_task_set_task_data (task, c, (GDestroyNotify) connect_free);

  client = wamp_client_socket_client_new (CONNECT_TIMEOUT_S);
  g_socket_client_connect_async (client, addr, cancellable, connected_cb, task);
}

WampConnection *
wamp_rawsocket_client_connect_finish (WampTransport  *source,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  WampRawsocketConnection *conn;

  g_return_val_if_fail (g_task_is_valid (result, source), NULL);

  conn = g_task_propagate_pointer (G_TASK (result), error);
  if (conn == NULL)
    return NULL;
  /* Reading starts only now, so the caller can attach its sink before the
   * first frame is reported. */
  wamp_rawsocket_connection_resume (conn);
  return WAMP_CONNECTION (conn);
}
