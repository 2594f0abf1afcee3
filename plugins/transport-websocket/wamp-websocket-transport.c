/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketTransport: libsoup serves HTTP and the upgrade on the
 * connections a WampListener accepts (plain or TLS); each upgraded connection
 * is stolen from libsoup and its frames run on the reactor through
 * WampSocketIo (DESIGN.md rule 7). */

#include "wamp-websocket-transport.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "wamp-prefix-input-stream.h"
#include "wamp-websocket-client.h"
#include "wamp-websocket-connection.h"
#include "wamp-websocket-batch.h"

#define DRAIN_CHUNK 16384

struct _WampWebsocketTransport
{
  GObject parent_instance;

  WampReactor *reactor;
  GPtrArray *serializers; /* of WampSerializer, preference order */
  char *path;
  WampWebsocketOptions options;
  guint handshake_timeout_ms;
  gboolean configured;
  gboolean started;

  WampListener *listener;
  SoupServer *server;
  /* Connections libsoup is serving, by the remote address object we handed
   * it (libsoup keeps that very object) → their Accepted: with
   * soup_server_accept_iostream() libsoup has no socket to give back, and
   * frames over TLS must go through our GTlsConnection, not its wrapper. */
  GHashTable *accepted;
  /* HTTP requests in progress → their handshake timer. */
  GHashTable *pending;

  /* Client connections (wss://). */
  GTlsDatabase *client_tls_database;
  GTlsCertificate *client_tls_certificate;
};

static void wamp_websocket_transport_iface_init (WampTransportInterface *iface);

typedef struct
{
  GSocket *socket;
  GIOStream *tls; /* NULL on plain TCP */
  gboolean upgraded; /* stolen from libsoup: ours now */
} Accepted;

static void
accepted_free (Accepted *a)
{
  g_object_unref (a->socket);
  g_clear_object (&a->tls);
  g_free (a);
}

G_DEFINE_FINAL_TYPE_WITH_CODE (WampWebsocketTransport, wamp_websocket_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_TRANSPORT,
                                                      wamp_websocket_transport_iface_init))

/* Handshake timeouts: one reactor timer per HTTP request libsoup is reading. */

typedef struct
{
  WampWebsocketTransport *self;
  SoupServerMessage *msg; /* weak: removed on finish, abort or finalize */
  WampReactorTimer *timer;
  gboolean msg_gone;
} PendingRequest;

static void msg_gone_cb (gpointer data, GObject *where);

static void
pending_request_free (PendingRequest *p)
{
  if (p->timer != NULL)
    wamp_reactor_cancel_timer (p->self->reactor, p->timer);
  if (!p->msg_gone)
    g_object_weak_unref (G_OBJECT (p->msg), msg_gone_cb, p);
  g_free (p);
}

static void
msg_gone_cb (gpointer  data,
             GObject  *where)
{
  PendingRequest *p = data;

  p->msg_gone = TRUE;
  g_hash_table_remove (p->self->pending, where);
}

/* Returns: (transfer none) (nullable): what we accepted under @msg. */
static Accepted *
message_accepted (WampWebsocketTransport *self,
                  SoupServerMessage      *msg)
{
  GSocketAddress *remote = soup_server_message_get_remote_address (msg);

  return remote != NULL ? g_hash_table_lookup (self->accepted, remote) : NULL;
}

/* Returns: (transfer none) (nullable): the socket under @msg. */
static GSocket *
message_socket (WampWebsocketTransport *self,
                SoupServerMessage      *msg)
{
  Accepted *a = message_accepted (self, msg);

  return a != NULL ? a->socket : soup_server_message_get_socket (msg);
}

static void
handshake_timeout_cb (WampReactor *reactor,
                      gpointer     user_data)
{
  PendingRequest *p = user_data;
  WampWebsocketTransport *self = p->self;
  GSocket *socket = message_socket (self, p->msg);

  p->timer = NULL;
  g_debug ("handshake timeout");
  /* libsoup sees EOF/error on its next read and drops the connection. */
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  g_hash_table_remove (self->pending, p->msg);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  WampWebsocketTransport *self = user_data;
  PendingRequest *p = g_new0 (PendingRequest, 1);

  p->self = self;
  p->msg = msg;
  p->timer = wamp_reactor_add_timer (self->reactor, self->handshake_timeout_ms,
                                     handshake_timeout_cb, p);
  g_object_weak_ref (G_OBJECT (msg), msg_gone_cb, p);
  g_hash_table_replace (self->pending, msg, p);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  WampWebsocketTransport *self = user_data;

  g_hash_table_remove (self->pending, msg);
}

/* The upgrade */

typedef struct
{
  WampWebsocketTransport *self; /* referenced */
  WampSerializer *serializer;   /* referenced */
  gboolean batched;             /* its ".batched" subprotocol was chosen */
  WampValue *headers;           /* owned */
} Upgrade;

static void
upgrade_free (gpointer data,
              GClosure *closure)
{
  Upgrade *u = data;

  g_clear_object (&u->self);
  g_clear_object (&u->serializer);
  g_clear_pointer (&u->headers, wamp_value_unref);
  g_free (u);
}

/* Bytes the client sent right after its handshake may already sit in
 * libsoup's buffered stream: they belong to the first frames. */
static GBytes *
drain_stream (GIOStream *stream)
{
  GInputStream *in = g_io_stream_get_input_stream (stream);
  g_autoptr(GByteArray) buf = g_byte_array_new ();

  if (!G_IS_POLLABLE_INPUT_STREAM (in))
    return NULL;
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      guint old = buf->len;
      gssize n;

      g_byte_array_set_size (buf, old + DRAIN_CHUNK);
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (in),
                                                    buf->data + old, DRAIN_CHUNK, NULL, &error);
      g_byte_array_set_size (buf, old + (n > 0 ? (guint) n : 0));
      if (n <= 0)
        break;
    }
  if (buf->len == 0)
    return NULL;
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

static void
wrote_informational_cb (SoupServerMessage *msg,
                        gpointer           user_data)
{
  Upgrade *u = user_data;
  WampWebsocketTransport *self = u->self;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GBytes) initial = NULL;
  g_autoptr(WampSocketIo) io = NULL;
  g_autoptr(WampWebsocketConnection) conn = NULL;
  Accepted *accepted;

  if (soup_server_message_get_status (msg) != SOUP_STATUS_SWITCHING_PROTOCOLS)
    return;
  g_hash_table_remove (self->pending, msg);

  /* The socket first: stealing detaches the message from its connection. */
  accepted = message_accepted (self, msg);
  socket = accepted != NULL ? accepted->socket : soup_server_message_get_socket (msg);
  if (socket == NULL)
    {
      g_warning ("upgraded connection without a socket");
      return;
    }
  g_object_ref (socket);
  if (accepted != NULL && accepted->tls != NULL)
    tls = g_object_ref (accepted->tls);
  if (accepted != NULL)
    accepted->upgraded = TRUE;
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    return;
  /* Over TLS, libsoup's wrapper drains our GTlsConnection too. */
  initial = drain_stream (stream);

  io = wamp_socket_io_new (socket, tls);
  conn = wamp_websocket_connection_new (self->reactor, stream, io, WAMP_WEBSOCKET_ROLE_SERVER,
                                        u->serializer, &self->options, u->headers);
  wamp_websocket_connection_set_batched (conn, u->batched);
  g_debug ("%s: WebSocket open (%s%s)", wamp_connection_get_peer (WAMP_CONNECTION (conn)),
           wamp_serializer_get_subprotocol (u->serializer),
           u->batched ? WAMP_WEBSOCKET_BATCHED_SUFFIX : "");
  wamp_transport_connection_accepted (WAMP_TRANSPORT (self), WAMP_CONNECTION (conn));
  wamp_websocket_connection_start (conn, initial);
}

static void
collect_header (const char *name,
                const char *value,
                gpointer    user_data)
{
  WampValue *dict = user_data;
  g_autofree char *lower = g_ascii_strdown (name, -1);
  /* Whatever a client sent, the dict carries UTF-8 only. */
  g_autofree char *key = g_utf8_make_valid (lower, -1);
  g_autofree char *text = g_utf8_make_valid (value, -1);

  /* Repeated headers: the first one wins (dict keys are unique). */
  if (wamp_value_dict_lookup (dict, key) == NULL)
    wamp_value_dict_insert (dict, key, wamp_value_new_string (text));
}

/* TRUE when @offer is @proto followed by ".batched". */
static gboolean
is_batched_of (const char *offer,
               const char *proto)
{
  gsize len = strlen (proto);

  return strncmp (offer, proto, len) == 0 && strcmp (offer + len, WAMP_WEBSOCKET_BATCHED_SUFFIX) == 0;
}

/* The client's offers against ours: our serializer order decides, and for
 * one serializer its plain subprotocol wins over the batched one. Every
 * configured serializer is offered in both variants. */
static WampSerializer *
choose_serializer (WampWebsocketTransport *self,
                   SoupMessageHeaders     *headers,
                   gboolean               *batched)
{
  const char *offered = soup_message_headers_get_list (headers, "Sec-WebSocket-Protocol");
  GSList *list;
  WampSerializer *chosen = NULL;

  *batched = FALSE;
  if (offered == NULL)
    return NULL;
  list = soup_header_parse_list (offered);
  for (guint i = 0; i < self->serializers->len && chosen == NULL; i++)
    {
      WampSerializer *s = self->serializers->pdata[i];
      const char *proto = wamp_serializer_get_subprotocol (s);

      if (proto == NULL)
        continue;
      for (GSList *l = list; l != NULL && chosen == NULL; l = l->next)
        if (strcmp (l->data, proto) == 0)
          chosen = s;
      for (GSList *l = list; l != NULL && chosen == NULL; l = l->next)
        if (is_batched_of (l->data, proto))
          {
            chosen = s;
            *batched = TRUE;
          }
    }
  soup_header_free_list (list);
  return chosen;
}

/* @phrase: (nullable): libsoup's own when NULL; it has none for 426. */
static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *phrase,
              const char        *text)
{
  soup_server_message_set_status (msg, status, phrase);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_COPY, text, strlen (text));
}

static void
ws_handler (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  WampWebsocketTransport *self = user_data;
  SoupMessageHeaders *req = soup_server_message_get_request_headers (msg);
  WampSerializer *serializer;
  gboolean batched = FALSE;
  g_autofree char *protocol = NULL;
  const char *protocols[2] = { NULL, NULL };
  Upgrade *u;

  /* The handler also sees paths below ours. */
  if (strcmp (path, self->path) != 0)
    {
      respond_text (msg, SOUP_STATUS_NOT_FOUND, NULL, "Not Found\n");
      return;
    }
  if (!soup_message_headers_header_equals (req, "Upgrade", "websocket"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Upgrade", "websocket");
      respond_text (msg, 426, "Upgrade Required", "This is a WAMP WebSocket endpoint.\n");
      return;
    }

  /* libsoup answers 101 with no protocol when none was offered: WAMP needs one. */
  serializer = choose_serializer (self, req, &batched);
  if (serializer == NULL)
    {
      respond_text (msg, SOUP_STATUS_BAD_REQUEST, NULL, "No supported WAMP subprotocol offered.\n");
      return;
    }
  protocol = g_strconcat (wamp_serializer_get_subprotocol (serializer),
                          batched ? WAMP_WEBSOCKET_BATCHED_SUFFIX : "", NULL);
  protocols[0] = protocol;
  if (!soup_websocket_server_process_handshake (msg, NULL, (char **) protocols, NULL, NULL))
    return; /* libsoup set the 400 */

  u = g_new0 (Upgrade, 1);
  u->self = g_object_ref (self);
  u->serializer = g_object_ref (serializer);
  u->batched = batched;
  u->headers = wamp_value_new_dict (8);
  soup_message_headers_foreach (req, collect_header, u->headers);
  g_signal_connect_data (msg, "wrote-informational", G_CALLBACK (wrote_informational_cb), u,
                         upgrade_free, 0);
}

/* Accepting */

static void
accepted_gone_cb (gpointer  data,
                  GObject  *where_the_object_was)
{
  WampWebsocketTransport *self = data;
  Accepted *a = g_hash_table_lookup (self->accepted, where_the_object_was);

  /* libsoup is done with a connection it kept: closing the stream it had
   * does not close the socket under an adopted (wrapped) one. */
  if (a != NULL && !a->upgraded)
    g_socket_shutdown (a->socket, TRUE, TRUE, NULL);
  g_hash_table_remove (self->accepted, where_the_object_was);
}

/* Hands @io, a stream over @socket, to libsoup for its HTTP phase; the
 * socket (and @tls, nullable: the GTlsConnection frames go through) stay
 * findable for the upgrade. */
static gboolean
serve_stream (WampWebsocketTransport  *self,
              GIOStream               *io,
              GSocket                 *socket,
              GIOStream               *tls,
              GError                 **error)
{
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, error);
  g_autoptr(GSocketAddress) remote = NULL;
  Accepted *a;

  if (local == NULL)
    return FALSE;
  remote = g_socket_get_remote_address (socket, error);
  if (remote == NULL)
    return FALSE;
  a = g_new0 (Accepted, 1);
  a->socket = g_object_ref (socket);
  a->tls = tls != NULL ? g_object_ref (tls) : NULL;
  g_hash_table_insert (self->accepted, remote, a);
  g_object_weak_ref (G_OBJECT (remote), accepted_gone_cb, self);
  return soup_server_accept_iostream (self->server, io, local, remote, error);
}

/* One connection the listener accepted (its TLS handshake done). libsoup's
 * own listener (3.2.x) leaks the GSocket of every connection it accepts;
 * here the socket stays ours. */
static void
accept_cb (WampListener *listener,
           GSocket      *socket,
           GIOStream    *stream,
           gpointer      user_data)
{
  WampWebsocketTransport *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Fails when the peer is already gone (reset before we got to it). */
  if (!serve_stream (self, stream, socket, G_IS_TLS_CONNECTION (stream) ? stream : NULL, &error))
    g_debug ("dropping an accepted connection: %s", error->message);
}

/* Config */

static gboolean
wamp_websocket_transport_configure (WampTransport  *transport,
                                    WampReactor    *reactor,
                                    WampValue      *config,
                                    const char     *config_path,
                                    GPtrArray      *serializers,
                                    GError        **error)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);
  static const char *const keys[] = { "name", "type", "serializers", "auth",
                                      "endpoint", "path", "options", NULL };
  static const char *const option_keys[] = { "max_message_size", "max_queue_bytes",
                                             "handshake_timeout", "ping_interval",
                                             "ping_timeout", "queue_overflow", NULL };
  g_autofree char *endpoint_path = wamp_config_path_key (config_path, "endpoint");
  g_autofree char *options_path = wamp_config_path_key (config_path, "options");
  WampValue *endpoint = NULL;
  WampValue *options = NULL;
  g_autoptr(WampListener) listener = NULL;
  const char *name, *path;
  guint64 v;

  if (!wamp_config_check_keys (config, config_path, keys, error))
    return FALSE;

  if (!wamp_config_get_string (config, config_path, "name", FALSE, "websocket", &name, error) ||
      !wamp_config_get_dict (config, config_path, "endpoint", TRUE, &endpoint, error))
    return FALSE;
  listener = wamp_listener_new (reactor, name);
  if (!wamp_listener_configure (listener, endpoint, endpoint_path, error))
    return FALSE;

  if (!wamp_config_get_string (config, config_path, "path", FALSE, "/ws", &path, error))
    return FALSE;
  if (path[0] != '/')
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s.path: must begin with \"/\""), config_path);
      return FALSE;
    }

  wamp_websocket_options_init (&self->options);
  self->handshake_timeout_ms = 10000;
  if (!wamp_config_get_dict (config, config_path, "options", FALSE, &options, error))
    return FALSE;
  if (options != NULL)
    {
      if (!wamp_config_check_keys (options, options_path, option_keys, error))
        return FALSE;
      /* GByteArray reassembly caps a message below 4 GiB. */
      if (!wamp_config_get_uint (options, options_path, "max_message_size", FALSE,
                                 WAMP_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE, 1, G_MAXINT32, &v, error))
        return FALSE;
      self->options.max_message_size = v;
      if (!wamp_config_get_connection_options (options, options_path,
                                               WAMP_WEBSOCKET_DEFAULT_MAX_QUEUE_BYTES,
                                               &self->options.max_queue_bytes,
                                               &self->options.queue_overflow,
                                               &self->handshake_timeout_ms,
                                               &self->options.ping_interval_ms,
                                               &self->options.ping_timeout_ms, error))
        return FALSE;
    }

  g_set_object (&self->reactor, reactor);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  self->serializers = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < serializers->len; i++)
    g_ptr_array_add (self->serializers, g_object_ref (serializers->pdata[i]));
  wamp_listener_set_handshake_timeout (listener, self->handshake_timeout_ms);
  wamp_listener_set_accept_func (listener, accept_cb, self, NULL);
  if (self->listener != NULL)
    {
      wamp_listener_stop (self->listener);
      wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
    }
  g_set_object (&self->listener, listener);
  g_free (self->path);
  self->path = g_strdup (path);
  self->configured = TRUE;
  return TRUE;
}

/* Listening */

/* The HTTP server, for connections we accept and for adopted ones (a
 * universal port only configures us, it never starts our listener). */
static void
ensure_server (WampWebsocketTransport *self)
{
  if (self->server != NULL)
    return;
  self->server = soup_server_new ("server-header", "wampd", NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_done_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_done_cb), self);
  soup_server_add_handler (self->server, self->path, ws_handler, self, NULL);
}

static gboolean
wamp_websocket_transport_start (WampTransport  *transport,
                                GError        **error)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);

  if (!self->configured)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "websocket transport started before configure");
      return FALSE;
    }
  if (self->started)
    return TRUE;

  ensure_server (self);
  self->started = TRUE;
  if (!wamp_listener_start (self->listener, error))
    {
      wamp_transport_stop (transport);
      return FALSE;
    }
  return TRUE;
}

static void
wamp_websocket_transport_stop (WampTransport *transport)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);

  self->started = FALSE;
  if (self->listener != NULL)
    wamp_listener_stop (self->listener);
  if (self->server != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->server, self);
      soup_server_disconnect (self->server);
      g_clear_object (&self->server);
    }
  g_hash_table_remove_all (self->pending);
}

static GStrv
wamp_websocket_transport_get_urls (WampTransport *transport)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);

  if (self->listener == NULL)
    return g_new0 (char *, 1);
  return wamp_listener_get_urls (self->listener, "ws", "wss", self->path);
}

static gboolean
wamp_websocket_transport_adopt (WampTransport  *transport,
                                GIOStream      *stream,
                                GSocket        *socket,
                                GBytes         *initial_bytes,
                                GError        **error)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GIOStream) io = NULL;

  /* Configured is enough: a universal port never starts our listener. */
  if (!self->configured)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "websocket transport not configured");
      return FALSE;
    }
  ensure_server (self);
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  /* Nothing sniffed (peeked): libsoup takes the stream as it is. */
  if (initial_bytes == NULL || g_bytes_get_size (initial_bytes) == 0)
    return serve_stream (self, stream, socket, G_IS_TLS_CONNECTION (stream) ? stream : NULL, error);

  /* libsoup reads the request from the start: replay what was sniffed. */
  in = wamp_prefix_input_stream_new (g_io_stream_get_input_stream (stream), initial_bytes);
  io = g_simple_io_stream_new (in, g_io_stream_get_output_stream (stream));
  /* The original stream may close its socket when finalized. */
  g_object_set_data_full (G_OBJECT (io), "wamp-adopted-stream", g_object_ref (stream),
                          g_object_unref);
  /* Over TLS (a TLS universal port), frames go through @stream itself. */
  return serve_stream (self, io, socket, G_IS_TLS_CONNECTION (stream) ? stream : NULL, error);
}

static void
wamp_websocket_transport_connect_async (WampTransport       *transport,
                                        WampReactor         *reactor,
                                        const char          *url,
                                        GPtrArray           *serializers,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);

  wamp_websocket_client_connect_async (transport, reactor, url, serializers,
                                       self->client_tls_database, self->client_tls_certificate,
                                       cancellable, callback, user_data);
}

static WampConnection *
wamp_websocket_transport_connect_finish (WampTransport  *transport,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  return wamp_websocket_client_connect_finish (transport, result, error);
}

static void
wamp_websocket_transport_set_client_tls (WampTransport   *transport,
                                         GTlsDatabase    *database,
                                         GTlsCertificate *certificate)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (transport);

  g_set_object (&self->client_tls_database, database);
  g_set_object (&self->client_tls_certificate, certificate);
}

static void
wamp_websocket_transport_iface_init (WampTransportInterface *iface)
{
  iface->configure = wamp_websocket_transport_configure;
  iface->start = wamp_websocket_transport_start;
  iface->stop = wamp_websocket_transport_stop;
  iface->get_urls = wamp_websocket_transport_get_urls;
  iface->adopt = wamp_websocket_transport_adopt;
  iface->connect_async = wamp_websocket_transport_connect_async;
  iface->connect_finish = wamp_websocket_transport_connect_finish;
  iface->set_client_tls = wamp_websocket_transport_set_client_tls;
}

/* GObject */

static void
wamp_websocket_transport_dispose (GObject *object)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (object);

  GHashTableIter iter;
  gpointer remote;

  wamp_websocket_transport_stop (WAMP_TRANSPORT (self));
  if (self->listener != NULL)
    wamp_listener_set_accept_func (self->listener, NULL, NULL, NULL);
  /* Connections libsoup still serves outlive us: forget them. */
  g_hash_table_iter_init (&iter, self->accepted);
  while (g_hash_table_iter_next (&iter, &remote, NULL))
    {
      g_object_weak_unref (remote, accepted_gone_cb, self);
      g_hash_table_iter_remove (&iter);
    }
  G_OBJECT_CLASS (wamp_websocket_transport_parent_class)->dispose (object);
}

static void
wamp_websocket_transport_finalize (GObject *object)
{
  WampWebsocketTransport *self = WAMP_WEBSOCKET_TRANSPORT (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_object (&self->listener);
  g_clear_pointer (&self->accepted, g_hash_table_unref);
  g_clear_pointer (&self->serializers, g_ptr_array_unref);
  g_clear_object (&self->reactor);
  g_clear_object (&self->client_tls_database);
  g_clear_object (&self->client_tls_certificate);
  g_free (self->path);

  G_OBJECT_CLASS (wamp_websocket_transport_parent_class)->finalize (object);
}

static void
wamp_websocket_transport_class_init (WampWebsocketTransportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_websocket_transport_dispose;
  object_class->finalize = wamp_websocket_transport_finalize;
}

static void
wamp_websocket_transport_init (WampWebsocketTransport *self)
{
  self->accepted = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) accepted_free);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_request_free);
  wamp_websocket_options_init (&self->options);
  self->handshake_timeout_ms = 10000;
}
