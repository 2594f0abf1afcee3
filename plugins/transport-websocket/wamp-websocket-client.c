/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the websocket transport: GIO connects (and for wss://
 * runs the TLS handshake), then our own HTTP/1.1 upgrade runs on the reactor
 * through WampSocketIo and hands over to a WampWebsocketConnection in the
 * client role. */

#include "wamp-websocket-client.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "wamp-websocket-batch.h"
#include "wamp-websocket-connection.h"

#define WEBSOCKET_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define HANDSHAKE_TIMEOUT_MS 10000
#define MAX_RESPONSE_HEADER (64 * 1024)

typedef struct
{
  WampClientConnectParams params;
  char *host_header;
  char *resource;
  char *key;

  GSocketConnection *connection;
  GSocket *socket;
  /* wss:// */
  gboolean tls;
  GSocketConnectable *server_identity;
  GIOStream *tls_connection;
  GCancellable *tls_cancellable;
  WampSocketIo *io;
  GString *request;
  gsize request_sent;
  GByteArray *response;

  WampReactorWatch *watch;
  WampReactorTimer *timer;
  WampReactorTimer *cancel_defer;
  GCancellable *cancellable;
  gulong cancel_id;
  gboolean done;

  GBytes *leftover;
} Handshake;

static void
handshake_free (Handshake *hs)
{
  g_free (hs->host_header);
  g_free (hs->resource);
  g_free (hs->key);
  g_clear_object (&hs->connection);
  g_clear_object (&hs->server_identity);
  g_clear_object (&hs->tls_connection);
  g_clear_object (&hs->tls_cancellable);
  g_clear_object (&hs->io);
  if (hs->request != NULL)
    g_string_free (hs->request, TRUE);
  g_clear_pointer (&hs->response, g_byte_array_unref);
  g_clear_object (&hs->cancellable);
  g_clear_pointer (&hs->leftover, g_bytes_unref);
  wamp_client_connect_params_clear (&hs->params);
  g_free (hs);
}

char *
wamp_websocket_compute_accept (const char *key)
{
  g_autoptr(GChecksum) sha1 = g_checksum_new (G_CHECKSUM_SHA1);
  guint8 digest[20];
  gsize len = sizeof digest;

  g_return_val_if_fail (key != NULL, NULL);

  g_checksum_update (sha1, (const guchar *) key, -1);
  g_checksum_update (sha1, (const guchar *) WEBSOCKET_GUID, -1);
  g_checksum_get_digest (sha1, digest, &len);
  return g_base64_encode (digest, len);
}

/* Ends the reactor phase: no more callbacks for this handshake. Drops the
 * reference the reactor phase held on @task. */
static void
handshake_cleanup (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);

  if (hs->done)
    return;
  hs->done = TRUE;
  if (hs->watch != NULL)
    wamp_reactor_remove_fd (hs->params.reactor, hs->watch);
  hs->watch = NULL;
  if (hs->timer != NULL)
    wamp_reactor_cancel_timer (hs->params.reactor, hs->timer);
  hs->timer = NULL;
  if (hs->cancel_defer != NULL)
    wamp_reactor_cancel_timer (hs->params.reactor, hs->cancel_defer);
  hs->cancel_defer = NULL;
  if (hs->cancel_id != 0)
    g_cancellable_disconnect (hs->cancellable, hs->cancel_id);
  hs->cancel_id = 0;
  /* A TLS handshake in flight ends (its callback sees done). */
  if (hs->tls_cancellable != NULL)
    g_cancellable_cancel (hs->tls_cancellable);
}

static void
handshake_fail (GTask  *task,
                GError *error)
{
  Handshake *hs = g_task_get_task_data (task);

  if (hs->done)
    {
      g_error_free (error);
      return;
    }
  handshake_cleanup (task);
  if (hs->connection != NULL)
    g_io_stream_close (G_IO_STREAM (hs->connection), NULL, NULL);
  g_task_return_error (task, error);
  g_object_unref (task);
}

/* The serializer whose subprotocol, or its ".batched" variant (@batched
 * set then), the server chose. */
static WampSerializer *
find_serializer (Handshake  *hs,
                 const char *protocol,
                 gboolean   *batched)
{
  for (guint i = 0; i < hs->params.serializers->len; i++)
    {
      const char *proto = wamp_serializer_get_subprotocol (hs->params.serializers->pdata[i]);
      gsize len = proto != NULL ? strlen (proto) : 0;

      if (proto == NULL || strncmp (protocol, proto, len) != 0)
        continue;
      if (protocol[len] == '\0')
        {
          *batched = FALSE;
          return hs->params.serializers->pdata[i];
        }
      if (strcmp (protocol + len, WAMP_WEBSOCKET_BATCHED_SUFFIX) == 0)
        {
          *batched = TRUE;
          return hs->params.serializers->pdata[i];
        }
    }
  return NULL;
}

/* @header_len: the response header up to and including the blank line. */
static void
handshake_complete (GTask *task,
                    gsize  header_len)
{
  Handshake *hs = g_task_get_task_data (task);
  g_autoptr(SoupMessageHeaders) headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autofree char *reason_phrase = NULL;
  g_autofree char *expected_accept = NULL;
  guint status = 0;
  const char *accept, *protocol;
  WampSerializer *serializer;
  gboolean batched = FALSE;
  WampWebsocketOptions options;
  WampWebsocketConnection *conn;
  g_autoptr(WampSocketIo) io = NULL;

  if (!soup_headers_parse_response ((const char *) hs->response->data, (int) header_len, headers,
                                    NULL, &status, &reason_phrase))
    {
      handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                 "malformed HTTP response to the WebSocket upgrade"));
      return;
    }
  if (status != SOUP_STATUS_SWITCHING_PROTOCOLS)
    {
      handshake_fail (task, g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                         "WebSocket upgrade refused: %u %s", status,
                                         reason_phrase != NULL ? reason_phrase : ""));
      return;
    }
  if (!soup_message_headers_header_equals (headers, "Upgrade", "websocket") ||
      !soup_message_headers_header_contains (headers, "Connection", "upgrade"))
    {
      handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                 "server did not upgrade to WebSocket"));
      return;
    }
  accept = soup_message_headers_get_one (headers, "Sec-WebSocket-Accept");
  expected_accept = wamp_websocket_compute_accept (hs->key);
  if (accept == NULL || strcmp (accept, expected_accept) != 0)
    {
      handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                 "wrong Sec-WebSocket-Accept"));
      return;
    }
  if (soup_message_headers_get_one (headers, "Sec-WebSocket-Extensions") != NULL)
    {
      handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                 "server chose an extension we did not offer"));
      return;
    }
  protocol = soup_message_headers_get_one (headers, "Sec-WebSocket-Protocol");
  serializer = protocol != NULL ? find_serializer (hs, protocol, &batched) : NULL;
  if (serializer == NULL)
    {
      handshake_fail (task, g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                         "server chose subprotocol \"%s\", not one we offered",
                                         protocol != NULL ? protocol : "(none)"));
      return;
    }

  /* Frames the server sent right behind its response. */
  if (hs->response->len > header_len)
    hs->leftover = g_bytes_new (hs->response->data + header_len, hs->response->len - header_len);

  handshake_cleanup (task);
  wamp_websocket_options_init (&options);
  io = g_object_ref (hs->io);
  conn = wamp_websocket_connection_new (hs->params.reactor, G_IO_STREAM (hs->connection), io,
                                        WAMP_WEBSOCKET_ROLE_CLIENT, serializer, &options, NULL);
  wamp_websocket_connection_set_batched (conn, batched);
  g_task_return_pointer (task, conn, g_object_unref);
  g_object_unref (task);
}

static gssize
find_header_end (const guint8 *data,
                 gsize         len,
                 gsize         from)
{
  for (gsize i = from; i + 4 <= len; i++)
    if (memcmp (data + i, "\r\n\r\n", 4) == 0)
      return (gssize) (i + 4);
  return -1;
}

static void
handshake_fd_cb (WampReactor       *reactor,
                 WampReactorWatch  *watch,
                 int                fd,
                 WampReactorEvents  events,
                 gpointer           user_data)
{
  GTask *task = user_data;
  Handshake *hs = g_task_get_task_data (task);

  if ((events & WAMP_REACTOR_WRITE) && hs->request_sent < hs->request->len)
    {
      g_autoptr(GError) error = NULL;
      GOutputVector v = { hs->request->str + hs->request_sent,
                          hs->request->len - hs->request_sent };
      gssize n = wamp_socket_io_writev (hs->io, &v, 1, &error);

      if (n < 0 && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          handshake_fail (task, g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                             "sending the upgrade request: %s", error->message));
          return;
        }
      if (n > 0)
        hs->request_sent += (gsize) n;
      if (hs->request_sent == hs->request->len)
        wamp_reactor_modify_fd (reactor, watch, WAMP_REACTOR_READ);
    }

  /* Until WOULD_BLOCK: with TLS, the response may sit decrypted already.
   * Completing or failing frees @hs: return at once. */
  while (events & (WAMP_REACTOR_READ | WAMP_REACTOR_HANGUP))
    {
      g_autoptr(GError) error = NULL;
      guint old = hs->response->len;
      gssize n;
      gssize end;

      g_byte_array_set_size (hs->response, old + 4096);
      n = wamp_socket_io_read (hs->io, hs->response->data + old, 4096, &error);
      g_byte_array_set_size (hs->response, old + (n > 0 ? (guint) n : 0));
      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return;
      if (n <= 0)
        {
          handshake_fail (task, g_error_new (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                             "connection closed during the WebSocket upgrade%s%s",
                                             n < 0 ? ": " : "", n < 0 ? error->message : ""));
          return;
        }
      end = find_header_end (hs->response->data, hs->response->len, old >= 3 ? old - 3 : 0);
      if (end > 0)
        {
          handshake_complete (task, (gsize) end);
          return;
        }
      if (hs->response->len > MAX_RESPONSE_HEADER)
        {
          handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                                     "HTTP response header too long"));
          return;
        }
    }
}

static void
handshake_timeout_cb (WampReactor *reactor,
                      gpointer     user_data)
{
  GTask *task = user_data;
  Handshake *hs = g_task_get_task_data (task);

  hs->timer = NULL;
  handshake_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                             "WebSocket upgrade timed out"));
}

static void
cancel_now_cb (WampReactor *reactor,
               gpointer     user_data)
{
  GTask *task = user_data;
  Handshake *hs = g_task_get_task_data (task);

  hs->cancel_defer = NULL;
  handshake_fail (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                             "WebSocket connect cancelled"));
}

/* Runs inside g_cancellable_cancel(): disconnecting from here would
 * deadlock, so the failure happens on the reactor. */
static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  GTask *task = user_data;
  Handshake *hs = g_task_get_task_data (task);

  if (!hs->done && hs->cancel_defer == NULL)
    hs->cancel_defer = wamp_reactor_defer (hs->params.reactor, cancel_now_cb, task);
}

static void start_upgrade (GTask *task);
static void start_tls (GTask *task);

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  Handshake *hs = g_task_get_task_data (task);
  GError *error = NULL;

  hs->connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (hs->connection == NULL)
    {
      hs->done = TRUE;
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  hs->socket = g_socket_connection_get_socket (hs->connection);
  g_socket_set_option (hs->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* Bounds the TLS handshake and the upgrade together. */
  hs->timer = wamp_reactor_add_timer (hs->params.reactor, HANDSHAKE_TIMEOUT_MS, handshake_timeout_cb, task);
  if (hs->cancellable != NULL)
    hs->cancel_id = g_cancellable_connect (hs->cancellable, G_CALLBACK (cancelled_cb), task, NULL);
  if (hs->tls)
    start_tls (task);
  else
    start_upgrade (task);
}

/* Sends the upgrade request and reads the response on the reactor. */
static void
start_upgrade (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);
  GString *req;

  g_socket_set_blocking (hs->socket, FALSE);
  hs->io = wamp_socket_io_new (hs->socket, hs->tls_connection);
  req = g_string_new (NULL);
  g_string_append_printf (req, "GET %s HTTP/1.1\r\n", hs->resource);
  g_string_append_printf (req, "Host: %s\r\n", hs->host_header);
  g_string_append (req, "Upgrade: websocket\r\nConnection: Upgrade\r\n");
  g_string_append_printf (req, "Sec-WebSocket-Key: %s\r\n", hs->key);
  g_string_append (req, "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ");
  for (guint i = 0; i < hs->params.serializers->len; i++)
    g_string_append_printf (req, "%s%s", i > 0 ? ", " : "",
                            wamp_serializer_get_subprotocol (hs->params.serializers->pdata[i]));
  /* The batched variants too, after every plain one: a server that prefers
   * batching may pick one, and the connection then speaks it. */
  for (guint i = 0; i < hs->params.serializers->len; i++)
    g_string_append_printf (req, ", %s" WAMP_WEBSOCKET_BATCHED_SUFFIX,
                            wamp_serializer_get_subprotocol (hs->params.serializers->pdata[i]));
  g_string_append_printf (req, "\r\nUser-Agent: wampd/%s\r\n\r\n", WAMP_VERSION);
  hs->request = req;

  hs->watch = wamp_reactor_add_fd (hs->params.reactor, g_socket_get_fd (hs->socket),
                                   WAMP_REACTOR_READ | WAMP_REACTOR_WRITE, handshake_fd_cb, task);
  if (hs->watch == NULL)
    handshake_fail (task, g_error_new_literal (WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                                               "cannot watch the socket"));
}

static void
tls_handshake_done_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data; /* the reference start_tls() took */
  Handshake *hs = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      if (hs->done)
        g_error_free (error);
      else
        handshake_fail (task, error);
      return;
    }
  if (!hs->done)
    start_upgrade (task);
}

/* wss://: the TLS handshake, a transient async GIO operation (a few round
 * trips, bounded by the handshake timer), before the upgrade. */
static void
start_tls (GTask *task)
{
  Handshake *hs = g_task_get_task_data (task);
  GError *error = NULL;

  hs->tls_connection = wamp_client_connect_params_new_tls (&hs->params,
                                                          G_IO_STREAM (hs->connection),
                                                          hs->server_identity, &error);
  if (hs->tls_connection == NULL)
    {
      handshake_fail (task, error);
      return;
    }
  hs->tls_cancellable = g_cancellable_new ();
  g_tls_connection_handshake_async (G_TLS_CONNECTION (hs->tls_connection), G_PRIORITY_DEFAULT,
                                    hs->tls_cancellable, tls_handshake_done_cb,
                                    g_object_ref (task));
}

void
wamp_websocket_client_connect_async (WampTransport       *source,
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
  Handshake *hs;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) addr = NULL;
  const char *host, *query;
  gint port;
  guint8 raw_key[16];
  gboolean tls;

  g_return_if_fail (WAMP_IS_REACTOR (reactor));
  g_return_if_fail (url != NULL);
  g_return_if_fail (serializers != NULL);

  task = g_task_new (source, cancellable, callback, user_data);
  g_task_set_source_tag (task, wamp_websocket_client_connect_async);

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, &error);
  if (uri == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  tls = g_ascii_strcasecmp (g_uri_get_scheme (uri), "wss") == 0;
  if ((!tls && g_ascii_strcasecmp (g_uri_get_scheme (uri), "ws") != 0) ||
      g_uri_get_host (uri) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "not a ws:// or wss:// URL: %s", url);
      g_object_unref (task);
      return;
    }
  hs = g_new0 (Handshake, 1);
  if (!wamp_client_connect_params_init (&hs->params, reactor, serializers, tls_database,
                                        tls_certificate, &error))
    {
      handshake_free (hs);
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }
  host = g_uri_get_host (uri);
  port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : tls ? 443 : 80;
  hs->tls = tls;
  hs->server_identity = g_network_address_new (host, (guint16) port);
  hs->host_header = strchr (host, ':') != NULL ? g_strdup_printf ("[%s]:%d", host, port)
                                               : g_strdup_printf ("%s:%d", host, port);
  query = g_uri_get_query (uri);
  hs->resource = g_strdup_printf ("%s%s%s", *g_uri_get_path (uri) ? g_uri_get_path (uri) : "/",
                                  query != NULL ? "?" : "", query != NULL ? query : "");
  for (guint i = 0; i < sizeof raw_key; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (raw_key + i, &r, 4);
    }
  hs->key = g_base64_encode (raw_key, sizeof raw_key);
  hs->response = g_byte_array_new ();
  hs->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, hs, (GDestroyNotify) handshake_free);

  client = wamp_client_socket_client_new (HANDSHAKE_TIMEOUT_MS / 1000);
  addr = g_network_address_new (host, (guint16) port);
  g_socket_client_connect_async (client, addr, cancellable, connected_cb, task);
}

WampConnection *
wamp_websocket_client_connect_finish (WampTransport  *source,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  Handshake *hs;
  WampWebsocketConnection *conn;

  g_return_val_if_fail (g_task_is_valid (result, source), NULL);

  hs = g_task_get_task_data (G_TASK (result));
  conn = g_task_propagate_pointer (G_TASK (result), error);
  if (conn == NULL)
    return NULL;
  /* Started only now, so the caller can attach its sink before the first
   * frame is reported. */
  wamp_websocket_connection_start (conn, hs->leftover);
  g_clear_pointer (&hs->leftover, g_bytes_unref);
  return WAMP_CONNECTION (conn);
}
