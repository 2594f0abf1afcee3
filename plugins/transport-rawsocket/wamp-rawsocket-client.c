/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the rawsocket transport: GIO connects (TCP or a Unix
 * socket), then a WampRawsocketConnection in the client role runs the
 * handshake on the reactor. */

#include "wamp-rawsocket-client.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>

#include "wamp-rawsocket-connection.h"

#define CONNECT_TIMEOUT_S 10

typedef struct
{
  WampReactor *reactor;
  GPtrArray *serializers;
  WampRawsocketConnection *connection; /* during the handshake */
} Connect;

static void
connect_free (Connect *c)
{
  g_clear_object (&c->reactor);
  g_clear_pointer (&c->serializers, g_ptr_array_unref);
  g_clear_object (&c->connection);
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

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Connect *c = g_task_get_task_data (task);
  g_autoptr(GSocketConnection) stream = NULL;
  GError *error = NULL;
  WampRawsocketOptions options;

  stream = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (stream == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  wamp_rawsocket_options_init (&options);
  c->connection = wamp_rawsocket_connection_new (c->reactor, g_socket_connection_get_socket (stream),
                                                 G_IO_STREAM (stream), WAMP_RAWSOCKET_ROLE_CLIENT,
                                                 c->serializers, &options, NULL);
  /* The connection's handshake timeout bounds the rest; task stays ours
   * until ready_cb. */
  wamp_rawsocket_connection_start (c->connection, NULL, ready_cb, task);
}

void
wamp_rawsocket_client_connect_async (WampTransport       *source,
                                     WampReactor         *reactor,
                                     const char          *url,
                                     GPtrArray           *serializers,
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
            g_ascii_strcasecmp (scheme, "rawsocket") == 0) &&
           g_uri_get_host (uri) != NULL && g_uri_get_port (uri) > 0)
    addr = g_network_address_new (g_uri_get_host (uri), (guint16) g_uri_get_port (uri));
  else if (g_ascii_strcasecmp (scheme, "rawsocket+tls") == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "RawSocket over TLS is not supported by the client yet: %s", url);
      g_object_unref (task);
      return;
    }
  else
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "not a rawsocket+tcp://HOST:PORT or rawsocket+unix:///PATH URL: %s",
                               url);
      g_object_unref (task);
      return;
    }
  if (serializers->len == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "no serializer to offer");
      g_object_unref (task);
      return;
    }

  c = g_new0 (Connect, 1);
  c->reactor = g_object_ref (reactor);
  c->serializers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < serializers->len; i++)
    g_ptr_array_add (c->serializers, g_object_ref (serializers->pdata[i]));
  g_task_set_task_data (task, c, (GDestroyNotify) connect_free);

  client = g_socket_client_new ();
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, CONNECT_TIMEOUT_S);
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
