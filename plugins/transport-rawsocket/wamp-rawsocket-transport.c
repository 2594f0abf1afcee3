/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketTransport: a WampListener accepts (TCP, Unix, TLS), each
 * connection runs the RawSocket handshake on the reactor and is handed to
 * the core once open; also adopts connections a universal port sniffed. */

#include "wamp-rawsocket-transport.h"

#include <glib/gi18n-lib.h>

#include "wamp-rawsocket-client.h"
#include "wamp-rawsocket-connection.h"

struct _WampRawsocketTransport
{
  GObject parent_instance;

  WampReactor *reactor;
  GPtrArray *serializers; /* of WampSerializer, as offered */
  WampRawsocketOptions options;
  WampListener *listener;
  gboolean configured;
  GTlsDatabase *client_tls_database;       /* nullable */
  GTlsCertificate *client_tls_certificate; /* nullable */

  /* Connections in their handshake (strong references): the transport
   * is told when each ends; on dispose they are dropped. */
  GHashTable *handshaking;
  /* Open connections, shared with each (max_connections): g_rc_box. */
  guint *open_count;
};

static void wamp_rawsocket_transport_iface_init (WampTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampRawsocketTransport, wamp_rawsocket_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_TRANSPORT,
                                                      wamp_rawsocket_transport_iface_init))

guint
wamp_rawsocket_transport_get_n_open (WampRawsocketTransport *self)
{
  g_return_val_if_fail (WAMP_IS_RAWSOCKET_TRANSPORT (self), 0);

  return *self->open_count;
}

/* Handshakes */

static void
ready_cb (WampRawsocketConnection *conn,
          const GError            *error,
          gpointer                 user_data)
{
  WampRawsocketTransport *self = user_data;
  g_autoptr(WampRawsocketConnection) keep G_GNUC_UNUSED = g_object_ref (conn);

  g_hash_table_remove (self->handshaking, conn);
  if (error != NULL)
    {
      g_debug ("%s: %s", wamp_connection_get_peer (WAMP_CONNECTION (conn)), error->message);
      return;
    }
  wamp_transport_connection_accepted (WAMP_TRANSPORT (self), WAMP_CONNECTION (conn));
}

static void
serve (WampRawsocketTransport *self,
       GSocket                *socket,
       GIOStream              *stream,
       GBytes                 *initial)
{
  WampRawsocketConnection *conn;

  conn = wamp_rawsocket_connection_new (self->reactor, socket, stream, WAMP_RAWSOCKET_ROLE_SERVER,
                                        self->serializers, &self->options, self->open_count);
  g_hash_table_add (self->handshaking, conn);
  wamp_rawsocket_connection_start (conn, initial, ready_cb, self);
}

static void
accept_cb (WampListener *listener,
           GSocket      *socket,
           GIOStream    *stream,
           gpointer      user_data)
{
  serve (user_data, socket, stream, NULL);
}

/* Config */

static gboolean
wamp_rawsocket_transport_configure (WampTransport  *transport,
                                    WampReactor    *reactor,
                                    WampValue      *config,
                                    const char     *config_path,
                                    GPtrArray      *serializers,
                                    GError        **error)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);
  static const char *const keys[] = { "name", "type", "serializers", "auth",
                                      "endpoint", "options", NULL };
  static const char *const option_keys[] = { "max_message_size", "max_queue_bytes",
                                             "queue_overflow", "handshake_timeout",
                                             "ping_interval", "ping_timeout",
                                             "max_connections", NULL };
  g_autofree char *endpoint_path = wamp_config_path_key (config_path, "endpoint");
  g_autofree char *options_path = wamp_config_path_key (config_path, "options");
  g_autoptr(WampListener) listener = NULL;
  WampValue *endpoint = NULL;
  WampValue *options = NULL;
  WampRawsocketOptions opts;
  const char *name = NULL;
  guint64 v;
  g_autoptr(GPtrArray) offered = NULL;

  if (!wamp_config_check_keys (config, config_path, keys, error) ||
      !wamp_config_get_string (config, config_path, "name", FALSE, "rawsocket", &name, error) ||
      !wamp_config_get_dict (config, config_path, "endpoint", TRUE, &endpoint, error))
    return FALSE;

  /* A serializer without a RawSocket id cannot be asked for: it is left
   * out; with none left the transport would refuse every client. */
  offered = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < serializers->len; i++)
    {
      guint8 id = wamp_serializer_get_rawsocket_id (serializers->pdata[i]);

      if (id >= 1 && id <= 15)
        g_ptr_array_add (offered, g_object_ref (serializers->pdata[i]));
      else
        g_debug ("%s: serializer %s has no RawSocket id; not offered", config_path,
                 wamp_serializer_get_name (serializers->pdata[i]));
    }
  if (offered->len == 0)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   /* TRANSLATORS: a JSON path */
                   _("%s.serializers: none of them can be used over RawSocket"), config_path);
      return FALSE;
    }

  wamp_rawsocket_options_init (&opts);
  if (!wamp_config_get_dict (config, config_path, "options", FALSE, &options, error))
    return FALSE;
  if (options != NULL)
    {
      if (!wamp_config_check_keys (options, options_path, option_keys, error))
        return FALSE;
      /* Announced as a power of two between 512 B and 16 MiB, rounded down. */
      if (!wamp_config_get_uint (options, options_path, "max_message_size", FALSE,
                                 WAMP_RAWSOCKET_DEFAULT_MAX_MESSAGE_SIZE, WAMP_RAWSOCKET_MIN_MESSAGE_SIZE,
                                 G_MAXUINT32, &v, error))
        return FALSE;
      opts.max_message_size = MIN (v, WAMP_RAWSOCKET_MAX_MESSAGE_SIZE);
      if (!wamp_config_get_connection_options (options, options_path,
                                               WAMP_RAWSOCKET_DEFAULT_MAX_QUEUE_BYTES,
                                               &opts.max_queue_bytes, &opts.queue_overflow,
                                               &opts.handshake_timeout_ms, &opts.ping_interval_ms,
                                               &opts.ping_timeout_ms, error))
        return FALSE;
      if (!wamp_config_get_uint (options, options_path, "max_connections", FALSE, 0, 0,
                                 G_MAXUINT32, &v, error))
        return FALSE;
      opts.max_connections = (guint) v;
    }

  listener = wamp_listener_new (reactor, name);
  if (!wamp_listener_configure (listener, endpoint, endpoint_path, error))
    return FALSE;
  wamp_listener_set_handshake_timeout (listener, opts.handshake_timeout_ms);
  wamp_listener_set_accept_func (listener, accept_cb, self, NULL);

  if (self->listener != NULL)
    {
      wamp_listener_stop (self->listener);
      wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
    }
  g_set_object (&self->listener, listener);
  g_set_object (&self->reactor, reactor);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  self->serializers = g_steal_pointer (&offered);
  self->options = opts;
  self->configured = TRUE;
  return TRUE;
}

/* Listening */

static gboolean
wamp_rawsocket_transport_start (WampTransport  *transport,
                                GError        **error)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  if (!self->configured)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "rawsocket transport started before configure");
      return FALSE;
    }
  return wamp_listener_start (self->listener, error);
}

static void
wamp_rawsocket_transport_stop (WampTransport *transport)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  if (self->listener != NULL)
    wamp_listener_stop (self->listener);
}

static GStrv
wamp_rawsocket_transport_get_urls (WampTransport *transport)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  if (self->listener == NULL)
    return g_new0 (char *, 1);
  return wamp_listener_get_urls (self->listener, "rawsocket+tcp", "rawsocket+tls", NULL);
}

static gboolean
wamp_rawsocket_transport_adopt (WampTransport  *transport,
                                GIOStream      *stream,
                                GSocket        *socket,
                                GBytes         *initial_bytes,
                                GError        **error)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  /* Configured is enough: a universal port never starts our listener. */
  if (!self->configured)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "rawsocket transport not configured");
      return FALSE;
    }
  serve (self, socket, stream, initial_bytes);
  return TRUE;
}

static void
wamp_rawsocket_transport_connect_async (WampTransport       *transport,
                                        WampReactor         *reactor,
                                        const char          *url,
                                        GPtrArray           *serializers,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  wamp_rawsocket_client_connect_async (transport, reactor, url, serializers,
                                       self->client_tls_database, self->client_tls_certificate,
                                       cancellable, callback, user_data);
}

static WampConnection *
wamp_rawsocket_transport_connect_finish (WampTransport  *transport,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  return wamp_rawsocket_client_connect_finish (transport, result, error);
}

static void
wamp_rawsocket_transport_set_client_tls (WampTransport   *transport,
                                         GTlsDatabase    *database,
                                         GTlsCertificate *certificate)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (transport);

  g_set_object (&self->client_tls_database, database);
  g_set_object (&self->client_tls_certificate, certificate);
}

static void
wamp_rawsocket_transport_iface_init (WampTransportInterface *iface)
{
  iface->configure = wamp_rawsocket_transport_configure;
  iface->start = wamp_rawsocket_transport_start;
  iface->stop = wamp_rawsocket_transport_stop;
  iface->get_urls = wamp_rawsocket_transport_get_urls;
  iface->adopt = wamp_rawsocket_transport_adopt;
  iface->connect_async = wamp_rawsocket_transport_connect_async;
  iface->connect_finish = wamp_rawsocket_transport_connect_finish;
  iface->set_client_tls = wamp_rawsocket_transport_set_client_tls;
}

/* GObject */

static void
wamp_rawsocket_transport_dispose (GObject *object)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (object);

  if (self->listener != NULL)
    {
      wamp_listener_stop (self->listener);
      wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
      g_clear_object (&self->listener);
    }
  /* Handshakes in progress end with us: nobody would take them. */
  if (self->handshaking != NULL)
    {
      GHashTableIter iter;
      gpointer conn;

      g_hash_table_iter_init (&iter, self->handshaking);
      while (g_hash_table_iter_next (&iter, &conn, NULL))
        {
          g_hash_table_iter_steal (&iter);
          wamp_rawsocket_connection_abort (conn);
          g_object_unref (conn);
        }
    }
  G_OBJECT_CLASS (wamp_rawsocket_transport_parent_class)->dispose (object);
}

static void
wamp_rawsocket_transport_finalize (GObject *object)
{
  WampRawsocketTransport *self = WAMP_RAWSOCKET_TRANSPORT (object);

  g_clear_pointer (&self->handshaking, g_hash_table_unref);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  g_clear_pointer (&self->open_count, g_rc_box_release);
  g_clear_object (&self->reactor);
  g_clear_object (&self->client_tls_database);
  g_clear_object (&self->client_tls_certificate);

  G_OBJECT_CLASS (wamp_rawsocket_transport_parent_class)->finalize (object);
}

static void
wamp_rawsocket_transport_class_init (WampRawsocketTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_rawsocket_transport_dispose;
  object_class->finalize = wamp_rawsocket_transport_finalize;
}

static void
wamp_rawsocket_transport_init (WampRawsocketTransport *self)
{
  self->handshaking = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->open_count = g_rc_box_new0 (guint);
  wamp_rawsocket_options_init (&self->options);
}
