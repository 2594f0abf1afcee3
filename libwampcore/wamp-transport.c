/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampTransport: the interface listeners implement, its wrappers, and the
 * hand-over of accepted connections to the router. */

#include "config.h"

#include "wamp-transport-private.h"

G_DEFINE_INTERFACE (WampTransport, wamp_transport, G_TYPE_OBJECT)

static void
wamp_transport_default_init (WampTransportInterface *iface)
{
}

typedef struct {
  WampTransportAcceptFunc func;
  gpointer user_data;
} AcceptHandler;

static GQuark
accept_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wamp-transport-accept");
  return quark;
}

static GQuark
owner_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wamp-transport-owner");
  return quark;
}

void
wamp_transport_set_owner (WampTransport *self,
                          WampTransport *owner)
{
  WampTransport *o;

  g_return_if_fail (WAMP_IS_TRANSPORT (self));
  g_return_if_fail (owner == NULL || WAMP_IS_TRANSPORT (owner));
  /* A cycle would make connection_accepted loop forever. */
  for (o = owner; o != NULL; o = g_object_get_qdata (G_OBJECT (o), owner_quark ()))
    g_return_if_fail (o != self);

  g_object_set_qdata (G_OBJECT (self), owner_quark (), owner);
}

void
wamp_transport_set_accept_func (WampTransport           *transport,
                                WampTransportAcceptFunc  func,
                                gpointer                 user_data)
{
  AcceptHandler *handler = NULL;

  g_return_if_fail (WAMP_IS_TRANSPORT (transport));

  if (func != NULL)
    {
      handler = g_new0 (AcceptHandler, 1);
      handler->func = func;
      handler->user_data = user_data;
    }
  g_object_set_qdata_full (G_OBJECT (transport), accept_quark (), handler, g_free);
}

static gboolean
not_supported (GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "Transport does not implement %s", what);
  return FALSE;
}

gboolean
wamp_transport_configure (WampTransport *self, WampReactor *reactor, WampValue *config,
                          const char *config_path, GPtrArray *serializers, GError **error)
{
  WampTransportInterface *iface;

  g_return_val_if_fail (WAMP_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (config_path != NULL, FALSE);
  g_return_val_if_fail (serializers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->configure == NULL)
    return not_supported (error, "configure");
  return iface->configure (self, reactor, config, config_path, serializers, error);
}

gboolean
wamp_transport_start (WampTransport *self, GError **error)
{
  WampTransportInterface *iface;

  g_return_val_if_fail (WAMP_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->start == NULL)
    return not_supported (error, "start");
  return iface->start (self, error);
}

void
wamp_transport_stop (WampTransport *self)
{
  WampTransportInterface *iface;

  g_return_if_fail (WAMP_IS_TRANSPORT (self));

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->stop != NULL)
    iface->stop (self);
}

GStrv
wamp_transport_get_urls (WampTransport *self)
{
  WampTransportInterface *iface;
  GStrv urls = NULL;

  g_return_val_if_fail (WAMP_IS_TRANSPORT (self), NULL);

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->get_urls != NULL)
    urls = iface->get_urls (self);
  return urls != NULL ? urls : g_new0 (char *, 1);
}

gboolean
wamp_transport_adopt (WampTransport *self, GIOStream *stream, GSocket *socket,
                      GBytes *initial_bytes, GError **error)
{
  WampTransportInterface *iface;

  g_return_val_if_fail (WAMP_IS_TRANSPORT (self), FALSE);
  g_return_val_if_fail (G_IS_IO_STREAM (stream), FALSE);
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->adopt == NULL)
    return not_supported (error, "adopt");
  return iface->adopt (self, stream, socket, initial_bytes, error);
}

void
wamp_transport_connect_async (WampTransport *self, WampReactor *reactor, const char *url,
                              GPtrArray *serializers, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  WampTransportInterface *iface;

  g_return_if_fail (WAMP_IS_TRANSPORT (self));
  g_return_if_fail (url != NULL);
  g_return_if_fail (serializers != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->connect_async == NULL || iface->connect_finish == NULL)
    {
      g_task_report_new_error (self, callback, user_data, wamp_transport_connect_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Transport does not implement connect");
      return;
    }
  iface->connect_async (self, reactor, url, serializers, cancellable, callback, user_data);
}

WampConnection *
wamp_transport_connect_finish (WampTransport *self, GAsyncResult *result, GError **error)
{
  WampTransportInterface *iface;

  g_return_val_if_fail (WAMP_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_async_result_is_tagged (result, wamp_transport_connect_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  if (iface->connect_finish == NULL)
    {
      not_supported (error, "connect");
      return NULL;
    }
  return iface->connect_finish (self, result, error);
}

void
wamp_transport_connection_accepted (WampTransport *self, WampConnection *connection)
{
  AcceptHandler *handler;
  WampTransport *owner;

  g_return_if_fail (WAMP_IS_TRANSPORT (self));
  g_return_if_fail (WAMP_IS_CONNECTION (connection));

  handler = g_object_get_qdata (G_OBJECT (self), accept_quark ());
  while (handler == NULL && (owner = g_object_get_qdata (G_OBJECT (self), owner_quark ())) != NULL)
    {
      self = owner;
      handler = g_object_get_qdata (G_OBJECT (self), accept_quark ());
    }
  if (handler == NULL)
    {
      g_debug ("No receiver for new connections: closing %s",
               wamp_connection_get_peer (connection) != NULL ? wamp_connection_get_peer (connection) : "connection");
      wamp_connection_close (connection, WAMP_CLOSE_GOING_AWAY, NULL);
      return;
    }

  handler->func (self, connection, handler->user_data);
}

WampTransport *
wamp_transport_new (const char *name)
{
  GType type;

  g_return_val_if_fail (name != NULL, NULL);

  type = wamp_extension_lookup (WAMP_TRANSPORT_EXTENSION_POINT, name);
  if (type == G_TYPE_INVALID)
    return NULL;
  return g_object_new (type, NULL);
}

void
wamp_transport_set_client_tls (WampTransport   *self,
                               GTlsDatabase    *database,
                               GTlsCertificate *certificate)
{
  WampTransportInterface *iface;

  g_return_if_fail (WAMP_IS_TRANSPORT (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));
  g_return_if_fail (certificate == NULL || G_IS_TLS_CERTIFICATE (certificate));

  iface = WAMP_TRANSPORT_GET_IFACE (self);
  /* Plugins built for ABI 1.0 have no such vfunc. */
  if (iface->set_client_tls != NULL)
    iface->set_client_tls (self, database, certificate);
}
