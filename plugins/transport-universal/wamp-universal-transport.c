/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampUniversalTransport: listens once, looks at each connection's first
 * octet — 0x7F is RawSocket's magic, an HTTP method's first letter means
 * WebSocket — and hands the connection to a "rawsocket" or "websocket"
 * transport it created and configured, which then own it; the router sees
 * the connections on this transport (wamp_transport_set_owner). */

#include "wamp-universal-transport.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/socket.h>

#define RAWSOCKET_MAGIC 0x7F
#define DEFAULT_HANDSHAKE_TIMEOUT_S 10

typedef struct _Sniff Sniff;

struct _WampUniversalTransport
{
  GObject parent_instance;

  WampReactor *reactor;
  WampListener *listener;
  WampTransport *websocket;
  WampTransport *rawsocket;
  guint handshake_timeout_ms;
  /* Connections whose first octet has not arrived yet (owned). */
  GHashTable *sniffs;
};

static void wamp_universal_transport_iface_init (WampTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampUniversalTransport, wamp_universal_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_TRANSPORT,
                                                      wamp_universal_transport_iface_init))

/* Sniffing the first octet */

struct _Sniff
{
  WampUniversalTransport *self;
  GSocket *socket;
  GIOStream *stream; /* a GTlsConnection on a TLS endpoint */
  WampReactorWatch *watch;
  WampReactorTimer *timer;
};

static void
sniff_free (Sniff *sn)
{
  if (sn->watch != NULL)
    wamp_reactor_remove_fd (sn->self->reactor, sn->watch);
  if (sn->timer != NULL)
    wamp_reactor_cancel_timer (sn->self->reactor, sn->timer);
  g_object_unref (sn->socket);
  g_object_unref (sn->stream);
  g_free (sn);
}

/* Closes a connection nobody takes. */
static void
sniff_drop (Sniff      *sn,
            const char *why)
{
  g_debug ("dropping a connection: %s", why);
  g_socket_shutdown (sn->socket, TRUE, TRUE, NULL);
  g_hash_table_remove (sn->self->sniffs, sn);
}

static void
sniff_dispatch (Sniff  *sn,
                guint8  octet,
                GBytes *initial)
{
  WampUniversalTransport *self = sn->self;
  g_autoptr(GError) error = NULL;
  WampTransport *target;

  if (octet == RAWSOCKET_MAGIC)
    target = self->rawsocket;
  else if (octet >= 'A' && octet <= 'Z') /* an HTTP method: GET for the upgrade */
    target = self->websocket;
  else
    {
      g_autofree char *why = g_strdup_printf ("first octet 0x%02x is neither RawSocket nor HTTP",
                                              octet);
      sniff_drop (sn, why);
      return;
    }

  /* From here the connection is the target's. */
  g_hash_table_steal (self->sniffs, sn);
  if (!wamp_transport_adopt (target, sn->stream, sn->socket, initial, &error))
    {
      g_debug ("dropping a connection the %s transport refused: %s",
               target == self->rawsocket ? "rawsocket" : "websocket", error->message);
      g_socket_shutdown (sn->socket, TRUE, TRUE, NULL);
    }
  sniff_free (sn);
}

/* Returns TRUE when @sn was decided (dispatched or dropped: freed). */
static gboolean
sniff_try (Sniff *sn)
{
  g_autoptr(GError) error = NULL;
  guint8 octet;
  gssize n;

  if (G_IS_TLS_CONNECTION (sn->stream))
    {
      /* Nothing can be peeked under TLS: what is read is handed over. And
       * all of what is there: the rest of the record sits decrypted in the
       * TLS layer, where no fd wake-up would tell the new owner about it.
       * Bounded by what this process and the socket buffer already hold. */
      GPollableInputStream *in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (sn->stream));
      g_autoptr(GByteArray) initial = g_byte_array_new ();

      for (;;)
        {
          guint8 chunk[4096];

          g_clear_error (&error);
          n = g_pollable_input_stream_read_nonblocking (in, chunk, sizeof chunk, NULL, &error);
          if (n <= 0)
            break;
          g_byte_array_append (initial, chunk, (guint) n);
        }
      if (initial->len > 0 && (n > 0 || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)))
        {
          g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&initial));

          sniff_dispatch (sn, *(const guint8 *) g_bytes_get_data (bytes, NULL), bytes);
          return TRUE;
        }
      if (initial->len > 0)
        n = 0; /* the data came with EOF or an error: nobody to answer */
    }
  else
    {
      /* Peeked, so nothing is consumed: the target reads the stream from
       * its first byte. */
      n = recv (g_socket_get_fd (sn->socket), &octet, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n == 1)
        {
          sniff_dispatch (sn, octet, NULL);
          return TRUE;
        }
      if (n < 0)
        {
          int errsv = errno;

          g_set_error_literal (&error, G_IO_ERROR, g_io_error_from_errno (errsv),
                               g_strerror (errsv));
        }
    }

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return FALSE;
  sniff_drop (sn, n == 0 ? "closed before its first octet" : error->message);
  return TRUE;
}

static void
sniff_readable_cb (WampReactor       *reactor,
                   WampReactorWatch  *watch,
                   int                fd,
                   WampReactorEvents  events,
                   gpointer           user_data)
{
  sniff_try (user_data);
}

static void
sniff_timeout_cb (WampReactor *reactor,
                  gpointer     user_data)
{
  Sniff *sn = user_data;

  sn->timer = NULL;
  sniff_drop (sn, "no first octet in time");
}

static void
accept_cb (WampListener *listener,
           GSocket      *socket,
           GIOStream    *stream,
           gpointer      user_data)
{
  WampUniversalTransport *self = user_data;
  Sniff *sn = g_new0 (Sniff, 1);

  sn->self = self;
  sn->socket = g_object_ref (socket);
  sn->stream = g_object_ref (stream);
  g_hash_table_add (self->sniffs, sn);
  /* The octet may be here already (with TLS, decrypted along with the
   * handshake, where no fd wake-up would announce it). */
  if (sniff_try (sn))
    return;
  sn->watch = wamp_reactor_add_fd (self->reactor, g_socket_get_fd (socket), WAMP_REACTOR_READ,
                                   sniff_readable_cb, sn);
  sn->timer = wamp_reactor_add_timer (self->reactor, self->handshake_timeout_ms,
                                      sniff_timeout_cb, sn);
}

/* Config */

/* A "websocket"/"rawsocket" transport configured from our endpoint and the
 * sub-block @key (whose keys are @known_keys). Returns: (transfer full). */
static WampTransport *
create_delegate (WampUniversalTransport  *self,
                 const char              *type,
                 WampReactor             *reactor,
                 WampValue               *config,
                 const char              *config_path,
                 const char              *name,
                 WampValue               *endpoint,
                 const char *const       *known_keys,
                 GPtrArray               *serializers,
                 GError                 **error)
{
  g_autofree char *block_path = wamp_config_path_key (config_path, type);
  g_autoptr(WampTransport) transport = NULL;
  g_autoptr(WampValue) delegate_config = wamp_value_new_dict (6);
  WampValue *block = NULL;

  if (!wamp_config_get_dict (config, config_path, type, FALSE, &block, error))
    return NULL;
  if (block != NULL && !wamp_config_check_keys (block, block_path, known_keys, error))
    return NULL;

  transport = wamp_transport_new (type);
  if (transport == NULL)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED,
                   /* TRANSLATORS: a JSON path and a transport name */
                   _("%s: the universal transport needs the \"%s\" transport, which no plugin provides"),
                   config_path, type);
      return NULL;
    }

  wamp_value_dict_insert (delegate_config, "name", wamp_value_new_string (name));
  wamp_value_dict_insert (delegate_config, "type", wamp_value_new_string (type));
  wamp_value_dict_insert (delegate_config, "endpoint", wamp_value_ref (endpoint));
  for (gsize i = 0; block != NULL && i < wamp_value_dict_size (block); i++)
    {
      gsize key_len;
      const char *key = wamp_value_dict_get_key (block, i, &key_len);

      wamp_value_dict_insert_len (delegate_config, key, key_len,
                                  wamp_value_ref (wamp_value_dict_get_value (block, i)));
    }
  /* Errors in the sub-block name its path ("$.transports[0].websocket.options.x"). */
  if (!wamp_transport_configure (transport, reactor, delegate_config, block_path, serializers,
                                 error))
    return NULL;
  wamp_transport_set_owner (transport, WAMP_TRANSPORT (self));
  return g_steal_pointer (&transport);
}

static gboolean
wamp_universal_transport_configure (WampTransport  *transport,
                                    WampReactor    *reactor,
                                    WampValue      *config,
                                    const char     *config_path,
                                    GPtrArray      *serializers,
                                    GError        **error)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (transport);
  static const char *const keys[] = { "name", "type", "serializers", "auth", "endpoint",
                                      "websocket", "rawsocket", "options", NULL };
  static const char *const option_keys[] = { "handshake_timeout", NULL };
  static const char *const websocket_keys[] = { "path", "options", NULL };
  static const char *const rawsocket_keys[] = { "options", NULL };
  g_autofree char *endpoint_path = wamp_config_path_key (config_path, "endpoint");
  g_autofree char *options_path = wamp_config_path_key (config_path, "options");
  g_autoptr(WampListener) listener = NULL;
  g_autoptr(WampTransport) websocket = NULL;
  g_autoptr(WampTransport) rawsocket = NULL;
  WampValue *endpoint = NULL;
  WampValue *options = NULL;
  const char *name;
  guint64 timeout_s = DEFAULT_HANDSHAKE_TIMEOUT_S;

  if (!wamp_config_check_keys (config, config_path, keys, error) ||
      !wamp_config_get_string (config, config_path, "name", FALSE, "universal", &name, error) ||
      !wamp_config_get_dict (config, config_path, "endpoint", TRUE, &endpoint, error) ||
      !wamp_config_get_dict (config, config_path, "options", FALSE, &options, error))
    return FALSE;
  if (options != NULL &&
      (!wamp_config_check_keys (options, options_path, option_keys, error) ||
       !wamp_config_get_uint (options, options_path, "handshake_timeout", FALSE,
                              DEFAULT_HANDSHAKE_TIMEOUT_S, 1, 3600, &timeout_s, error)))
    return FALSE;

  listener = wamp_listener_new (reactor, name);
  if (!wamp_listener_configure (listener, endpoint, endpoint_path, error))
    return FALSE;
  websocket = create_delegate (self, "websocket", reactor, config, config_path, name, endpoint,
                               websocket_keys, serializers, error);
  if (websocket == NULL)
    return FALSE;
  rawsocket = create_delegate (self, "rawsocket", reactor, config, config_path, name, endpoint,
                               rawsocket_keys, serializers, error);
  if (rawsocket == NULL)
    return FALSE;

  wamp_transport_stop (transport);
  self->handshake_timeout_ms = (guint) timeout_s * 1000;
  wamp_listener_set_handshake_timeout (listener, self->handshake_timeout_ms);
  wamp_listener_set_accept_func (listener, accept_cb, self, NULL);
  if (self->listener != NULL)
    wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
  g_set_object (&self->listener, listener);
  g_set_object (&self->websocket, websocket);
  g_set_object (&self->rawsocket, rawsocket);
  g_set_object (&self->reactor, reactor);
  return TRUE;
}

static gboolean
wamp_universal_transport_start (WampTransport  *transport,
                                GError        **error)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (transport);

  if (self->listener == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "universal transport started before configure");
      return FALSE;
    }
  /* The delegates never listen: they only adopt what we hand them. */
  return wamp_listener_start (self->listener, error);
}

static void
wamp_universal_transport_stop (WampTransport *transport)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (transport);

  if (self->listener != NULL)
    wamp_listener_stop (self->listener);
  g_hash_table_remove_all (self->sniffs);
}

static GStrv
wamp_universal_transport_get_urls (WampTransport *transport)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (transport);

  if (self->listener == NULL)
    return g_new0 (char *, 1);
  return wamp_listener_get_urls (self->listener, "universal+tcp", "universal+tls", NULL);
}

/* Connections reach a universal port through its own listener only. */
static gboolean
wamp_universal_transport_adopt (WampTransport  *transport,
                                GIOStream      *stream,
                                GSocket        *socket,
                                GBytes         *initial_bytes,
                                GError        **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "the universal transport does not adopt connections");
  return FALSE;
}

static void
wamp_universal_transport_connect_async (WampTransport       *transport,
                                        WampReactor         *reactor,
                                        const char          *url,
                                        GPtrArray           *serializers,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_task_report_new_error (transport, callback, user_data, wamp_universal_transport_connect_async,
                           G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "universal is a listening transport: connect with ws:// or rawsocket+tcp://");
}

static WampConnection *
wamp_universal_transport_connect_finish (WampTransport  *transport,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wamp_universal_transport_iface_init (WampTransportInterface *iface)
{
  iface->configure = wamp_universal_transport_configure;
  iface->start = wamp_universal_transport_start;
  iface->stop = wamp_universal_transport_stop;
  iface->get_urls = wamp_universal_transport_get_urls;
  iface->adopt = wamp_universal_transport_adopt;
  iface->connect_async = wamp_universal_transport_connect_async;
  iface->connect_finish = wamp_universal_transport_connect_finish;
}

/* GObject */

static void
wamp_universal_transport_dispose (GObject *object)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (object);

  wamp_universal_transport_stop (WAMP_TRANSPORT (self));
  if (self->listener != NULL)
    wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
  g_clear_object (&self->listener);
  /* The delegates' owner pointer is not a reference: undo it first. */
  if (self->websocket != NULL)
    wamp_transport_set_owner (self->websocket, NULL);
  if (self->rawsocket != NULL)
    wamp_transport_set_owner (self->rawsocket, NULL);
  g_clear_object (&self->websocket);
  g_clear_object (&self->rawsocket);
  G_OBJECT_CLASS (wamp_universal_transport_parent_class)->dispose (object);
}

static void
wamp_universal_transport_finalize (GObject *object)
{
  WampUniversalTransport *self = WAMP_UNIVERSAL_TRANSPORT (object);

  g_clear_pointer (&self->sniffs, g_hash_table_unref);
  g_clear_object (&self->reactor);
  G_OBJECT_CLASS (wamp_universal_transport_parent_class)->finalize (object);
}

static void
wamp_universal_transport_class_init (WampUniversalTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_universal_transport_dispose;
  object_class->finalize = wamp_universal_transport_finalize;
}

static void
wamp_universal_transport_init (WampUniversalTransport *self)
{
  self->sniffs = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) sniff_free);
  self->handshake_timeout_ms = DEFAULT_HANDSHAKE_TIMEOUT_S * 1000;
}
