/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the websocket transport over 127.0.0.1: config, handshake, frames both ways, limits, close. */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>

#include "wamp-connection-private.h"
#include "wamp-test-pki.h"
#include "transport-test-util.h"
#include "wamp-transport-private.h"
#include "wamp-websocket-client.h"
#include "wamp-websocket-codec.h"
#include "wamp-websocket-transport.h"

/* Fixture: a listener on 127.0.0.1:0. */

typedef struct
{
  WampReactor *reactor;
  WampSerializer *json;
  WampSerializer *fakebin; /* (nullable): only for the batched binary tests */
  GPtrArray *serializers;
  WampTransport *transport;
  guint16 port;
  char *url;
  TestPeer server; /* the last accepted connection */
  guint accepted;
  TestPeer client;
} Fixture;

static void
accept_cb (WampTransport *transport, WampConnection *connection, gpointer user_data)
{
  Fixture *f = user_data;

  f->accepted++;
  if (f->server.conn != NULL)
    {
      wamp_connection_set_sink (f->server.conn, NULL, NULL);
      g_clear_object (&f->server.conn);
    }
  test_peer_attach (&f->server, connection);
}

static WampValue *
parse_config (const char *json)
{
  g_autoptr(GError) error = NULL;
  WampValue *v = wamp_config_parse (json, -1, &error);

  g_assert_no_error (error);
  return v;
}

static gboolean
start_listener (Fixture *f, const char *options_json, GError **error)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"name\": \"ws\", \"type\": \"websocket\","
    "  \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },"
    "  \"serializers\": [\"json\"] %s%s }",
    options_json != NULL ? ", \"options\": " : "", options_json != NULL ? options_json : "");
  g_autoptr(WampValue) config = parse_config (json);
  g_auto(GStrv) urls = NULL;

  if (!wamp_transport_configure (f->transport, f->reactor, config, "$.transports[0]",
                                 f->serializers, error) ||
      !wamp_transport_start (f->transport, error))
    return FALSE;
  urls = wamp_transport_get_urls (f->transport);
  g_assert_nonnull (urls);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "ws://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (urls[0], "/ws"));
  f->port = (guint16) g_ascii_strtoull (urls[0] + strlen ("ws://127.0.0.1:"), NULL, 10);
  g_assert_cmpuint (f->port, >, 0);
  f->url = g_strdup (urls[0]);
  return TRUE;
}

static void
fixture_setup_full (Fixture *f, const char *options, gboolean with_binary)
{
  g_autoptr(GError) error = NULL;

  f->reactor = wamp_reactor_new (NULL);
  f->json = test_fake_serializer_new ("json", 1, FALSE);
  f->serializers = g_ptr_array_new ();
  g_ptr_array_add (f->serializers, f->json);
  if (with_binary)
    {
      f->fakebin = test_fake_serializer_new ("fakebin", 1, TRUE);
      g_ptr_array_add (f->serializers, f->fakebin);
    }
  f->transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  wamp_transport_set_accept_func (f->transport, accept_cb, f);
  test_peer_init (&f->server);
  test_peer_init (&f->client);
  g_assert_true (start_listener (f, options, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  fixture_setup_full (f, data, FALSE);
}

/* With a second, binary serializer ("wamp.2.fakebin"). */
static void
fixture_setup_binary (Fixture *f, gconstpointer data)
{
  fixture_setup_full (f, data, TRUE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_peer_clear (&f->client, FALSE);
  test_peer_clear (&f->server, FALSE);
  wamp_transport_stop (f->transport);
  g_clear_object (&f->transport);
  g_ptr_array_unref (f->serializers);
  g_clear_object (&f->json);
  g_clear_object (&f->fakebin);
  g_free (f->url);
  /* Let libsoup and the reactor settle what the test left. */
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_object (&f->reactor);
}

/* Connects a client with connect_async and the TLS settings @database,
 * @certificate (nullable: the system's CAs, none); attaches its sink at once.
 * Returns: (transfer none) (nullable). */
static WampConnection *
connect_tls_client (Fixture         *f,
                    const char      *url,
                    GTlsDatabase    *database,
                    GTlsCertificate *certificate,
                    GError         **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampTransport) client_transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  WampConnection *conn;

  wamp_transport_set_client_tls (client_transport, database, certificate);
  wamp_transport_connect_async (client_transport, f->reactor, url, f->serializers, NULL,
                                test_store_result_cb, &result);
  g_assert_true (test_wait_for (test_cond_nonnull, &result, 10000));
  conn = wamp_transport_connect_finish (client_transport, result, error);
  if (conn != NULL)
    {
      test_peer_attach (&f->client, conn);
      g_object_unref (conn);
    }
  return conn;
}

/* connect_tls_client() without TLS settings. */
static WampConnection *
connect_client (Fixture *f, const char *url, GError **error)
{
  return connect_tls_client (f, url, NULL, NULL, error);
}

static void
connect_pair (Fixture *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (connect_client (f, f->url, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_nonnull (f->server.conn);
}

static GBytes *
text_of_size (gsize len)
{
  char *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (char) ('a' + i % 26);
  return g_bytes_new_take (data, len);
}

/* Raw sockets, for what a well-behaved client never sends. */

static GSocket *
raw_connect (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, f->port);
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_connect (s, addr, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (s, FALSE);
  return s;
}

static void
raw_send (GSocket *s, const void *data, gsize len)
{
  g_autoptr(GError) error = NULL;

  /* Small requests fit the socket buffer in one go. */
  g_assert_cmpint (g_socket_send (s, data, len, NULL, &error), ==, (gssize) len);
  g_assert_no_error (error);
}

/* Reads until @needle appears, EOF, or 5 s; the main loop keeps running. */
static GByteArray *
raw_read_until (GSocket *s, const char *needle, gboolean *eof)
{
  GByteArray *buf = g_byte_array_new ();
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  *eof = FALSE;
  while (g_get_monotonic_time () < deadline)
    {
      guint8 tmp[4096];
      g_autoptr(GError) error = NULL;
      gssize n;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      n = g_socket_receive (s, (char *) tmp, sizeof tmp, NULL, &error);
      if (n > 0)
        {
          g_byte_array_append (buf, tmp, (guint) n);
          if (needle != NULL && g_strstr_len ((const char *) buf->data, buf->len, needle) != NULL)
            break;
          continue;
        }
      if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          *eof = TRUE;
          break;
        }
      g_usleep (1000);
    }
  return buf;
}

static gboolean
unused_message (gpointer user_data, gboolean binary, GBytes *payload)
{
  return TRUE;
}

static gboolean
unused_control (gpointer user_data, const guint8 *data, gsize len)
{
  return TRUE;
}

static gboolean
unused_close (gpointer user_data, guint16 code, const char *reason)
{
  return TRUE;
}

static const WampWebsocketCodecFuncs unused_codec_funcs = {
  unused_message, unused_control, unused_control, unused_close,
};

static char *
handshake_request (const char *path, const char *protocols)
{
  return g_strdup_printf ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n%s%s%s\r\n",
                          path, protocols != NULL ? "Sec-WebSocket-Protocol: " : "",
                          protocols != NULL ? protocols : "", protocols != NULL ? "\r\n" : "");
}

/* Reads until @buf holds at least @len bytes, EOF, or 5 s. */
static void
raw_read_at_least (GSocket *s, GByteArray *buf, gsize len)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (buf->len < len && g_get_monotonic_time () < deadline)
    {
      guint8 tmp[4096];
      g_autoptr(GError) error = NULL;
      gssize n;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      n = g_socket_receive (s, (char *) tmp, sizeof tmp, NULL, &error);
      if (n > 0)
        g_byte_array_append (buf, tmp, (guint) n);
      else if (n == 0 || !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        break;
      else
        g_usleep (1000);
    }
}

/* Completes a raw handshake offering @protocols; returns what followed
 * the 101 response's headers, and checks it chose @expected. */
static GByteArray *
raw_handshake (Fixture *f, GSocket *s, const char *protocols, const char *expected)
{
  g_autofree char *req = handshake_request ("/ws", protocols);
  g_autofree char *line = g_strdup_printf ("Sec-WebSocket-Protocol: %s\r\n", expected);
  g_autoptr(GByteArray) resp = NULL;
  GByteArray *rest = g_byte_array_new ();
  const char *end;
  gboolean eof;

  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_false (eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  g_assert_nonnull (g_strstr_len ((const char *) resp->data, resp->len, line));
  end = g_strstr_len ((const char *) resp->data, resp->len, "\r\n\r\n") + 4;
  g_byte_array_append (rest, (const guint8 *) end, (guint) (resp->len - (end - (const char *) resp->data)));
  g_assert_true (test_wait_count (&f->accepted, 1));
  return rest;
}

/* Sends one masked client frame. */
static void
raw_send_frame (GSocket *s, guint8 opcode, const void *data, gsize len)
{
  g_autoptr(WampWebsocketCodec) codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE,
                                                                  1 << 20, &unused_codec_funcs, NULL);
  g_autoptr(GBytes) frame = wamp_websocket_codec_encode_frame (codec, opcode, data, len);

  raw_send (s, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
}

static const char *
transport_protocol (WampConnection *conn)
{
  g_autoptr(WampValue) details = wamp_connection_get_transport_details (conn);
  static char protocol[64];

  g_strlcpy (protocol, wamp_value_dict_get_string (details, "protocol"), sizeof protocol);
  return protocol;
}

/* Tests */

/* Configures a fresh transport with @json, which must fail.
 * Returns: (transfer full): the error. */
static GError *
configure_error (const char *json)
{
  g_autoptr(WampSerializer) serializer = test_fake_serializer_new ("json", 1, FALSE);
  g_autoptr(GPtrArray) serializers = g_ptr_array_new ();
  g_autoptr(WampReactor) reactor = wamp_reactor_new (NULL);
  g_autoptr(WampTransport) t = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  g_autoptr(WampValue) config = parse_config (json);
  GError *error = NULL;

  g_ptr_array_add (serializers, serializer);
  g_assert_false (wamp_transport_configure (t, reactor, config, "$.transports[0]", serializers,
                                            &error));
  g_assert_nonnull (error);
  return error;
}

static void
test_configure_rejects_unknown_keys (void)
{
  static const char *const configs[] = {
    "{ \"endpoint\": { \"type\": \"tcp\", \"port\": 0 }, \"colour\": 1 }",
    "{ \"endpoint\": { \"type\": \"tcp\", \"port\": 0, \"tls\": { \"ciphers\": 1 } } }",
    "{ \"endpoint\": { \"type\": \"tcp\", \"port\": 0 }, \"options\": { \"max_size\": 1 } }",
  };
  static const char *const paths[] = {
    "$.transports[0].colour", "$.transports[0].endpoint.tls.ciphers",
    "$.transports[0].options.max_size",
  };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(GError) error = configure_error (configs[i]);

      g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNKNOWN_KEY);
      g_assert_nonnull (strstr (error->message, paths[i]));
    }
}

static void
test_configure_requires_port_and_checks_range (void)
{
  static const char *const configs[] = {
    "{ \"endpoint\": { \"type\": \"tcp\" } }",
    "{ \"endpoint\": { \"type\": \"tcp\", \"port\": 70000 } }",
    "{ \"endpoint\": { \"type\": \"udp\", \"port\": 1 } }",
    "{ \"endpoint\": { \"port\": 1 }, \"path\": \"ws\" }",
  };
  static const int codes[] = {
    WAMP_CONFIG_ERROR_MISSING, WAMP_CONFIG_ERROR_INVALID, WAMP_CONFIG_ERROR_INVALID,
    WAMP_CONFIG_ERROR_INVALID,
  };

  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    {
      g_autoptr(GError) error = configure_error (configs[i]);

      g_assert_error (error, WAMP_CONFIG_ERROR, codes[i]);
    }
}

static void
test_frames_both_ways (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) hello = g_bytes_new_static ("[1,\"realm1\",{}]", 15);
  g_autoptr(GBytes) big = text_of_size (1024 * 1024);
  g_autoptr(GBytes) back = g_bytes_new_static ("[2,1,{}]", 8);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) details = NULL;
  const char *peer;

  connect_pair (f);

  g_assert_true (wamp_connection_send (f->client.conn, hello, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[0], hello));

  g_assert_true (wamp_connection_send (f->server.conn, back, &error));
  g_assert_true (wamp_connection_send (f->server.conn, big, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->client.frames->len, 2));
  g_assert_true (g_bytes_equal (f->client.frames->pdata[0], back));
  g_assert_true (g_bytes_equal (f->client.frames->pdata[1], big));

  g_assert_true (wamp_connection_send (f->client.conn, big, &error));
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[1], big));
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), ==, 0);

  /* What the core learns about the connection. */
  peer = wamp_connection_get_peer (f->server.conn);
  g_assert_true (g_str_has_prefix (peer, "tcp4:127.0.0.1:"));
  g_assert_true (wamp_connection_get_serializer (f->server.conn) == f->json);
  details = wamp_connection_get_transport_details (f->server.conn);
  g_assert_cmpstr (wamp_value_dict_get_string (details, "type"), ==, "websocket");
  g_assert_cmpstr (wamp_value_dict_get_string (details, "protocol"), ==, "wamp.2.json");
  g_assert_cmpstr (wamp_value_dict_get_string (details, "peer"), ==, peer);
  g_assert_nonnull (wamp_value_dict_lookup (details, "http_headers_received"));
  g_assert_nonnull (wamp_value_dict_get_string (wamp_value_dict_lookup (details, "http_headers_received"),
                                                "user-agent"));
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_cmpuint (f->client.closed, ==, 0);
}

static void
echo_accept_cb (WampTransport *transport, WampConnection *connection, gpointer user_data)
{
  GPtrArray *servers = user_data;
  TestPeer *p = g_new0 (TestPeer, 1);

  test_peer_init (p);
  test_peer_attach (p, connection);
  g_ptr_array_add (servers, p);
}

static void
peer_free (TestPeer *p)
{
  test_peer_clear (p, FALSE);
  g_free (p);
}

static void
client_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GPtrArray *results = user_data;

  g_ptr_array_add (results, g_object_ref (result));
}

static gboolean
cond_all_results (gpointer data)
{
  return ((GPtrArray *) data)->len == 20;
}

static gboolean
cond_all_frames (gpointer data)
{
  GPtrArray *servers = data;
  guint n = 0;

  for (guint i = 0; i < servers->len; i++)
    n += ((TestPeer *) servers->pdata[i])->frames->len;
  return n == 20;
}

static void
test_twenty_clients_at_once (Fixture *f, gconstpointer data)
{
  enum { N = 20 };
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_free);
  g_autoptr(WampTransport) client_transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);

  wamp_transport_set_accept_func (f->transport, echo_accept_cb, servers);
  for (guint i = 0; i < N; i++)
    wamp_transport_connect_async (client_transport, f->reactor, f->url, f->serializers, NULL,
                                  client_done_cb, results);
  g_assert_true (test_wait_for (cond_all_results, results, 10000));
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampConnection) conn = wamp_transport_connect_finish (client_transport,
                                                                      results->pdata[i], &error);
      g_autofree char *text = g_strdup_printf ("[%u]", i);
      g_autoptr(GBytes) msg = g_bytes_new (text, strlen (text));
      TestPeer *p = g_new0 (TestPeer, 1);

      g_assert_no_error (error);
      test_peer_init (p);
      test_peer_attach (p, conn);
      g_ptr_array_add (clients, p);
      g_assert_true (wamp_connection_send (conn, msg, &error));
    }
  g_assert_true (test_wait_for (cond_all_frames, servers, 10000));
  g_assert_cmpuint (servers->len, ==, N);
  for (guint i = 0; i < N; i++)
    {
      TestPeer *p = servers->pdata[i];

      g_assert_cmpuint (p->frames->len, ==, 1);
      g_assert_cmpuint (p->closed, ==, 0);
    }
  /* Everyone leaves; every server side hears it once. */
  for (guint i = 0; i < N; i++)
    wamp_connection_close (((TestPeer *) clients->pdata[i])->conn, WAMP_CLOSE_NORMAL, NULL);
  for (guint i = 0; i < N; i++)
    g_assert_true (test_wait_count (&((TestPeer *) servers->pdata[i])->closed, 1));
  wamp_transport_set_accept_func (f->transport, accept_cb, f);
}

static void
test_send_before_start_is_delivered (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) first = g_bytes_new_static ("[0]", 3);
  g_autoptr(GError) error = NULL;

  connect_pair (f);
  /* The server side is accepted but may not have started yet: queued. */
  g_assert_true (wamp_connection_send (f->server.conn, first, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->client.frames->len, 1));
  g_assert_true (g_bytes_equal (f->client.frames->pdata[0], first));
}

static void
test_handshake_without_subprotocol_gets_400 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", NULL);
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;

  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_cmpuint (resp->len, >, 12);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 400", 12);
  g_assert_cmpuint (f->accepted, ==, 0);
}

static void
test_batched_json_both_ways (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.json.batched", "wamp.2.json.batched");
  static const char batch[] = "[1,\"a\",{}]\x1e[2,\"b\"]\x18";
  g_autoptr(GBytes) reply = g_bytes_new_static ("[3]", 3);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (transport_protocol (f->server.conn), ==, "wamp.2.json.batched");
  /* Two messages in one WebSocket message, with either separator. */
  raw_send_frame (s, WAMP_WEBSOCKET_OP_TEXT, batch, sizeof batch - 1);
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"a\",{}]", 10);
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[1], NULL),
                   g_bytes_get_size (f->server.frames->pdata[1]), "[2,\"b\"]", 7);

  /* What we send is a batch of one, terminated by 0x18. */
  g_assert_true (wamp_connection_send (f->server.conn, reply, &error));
  g_assert_no_error (error);
  raw_read_at_least (s, in, 6);
  g_assert_cmpmem (in->data, in->len, "\x81\x04[3]\x18", 6);
}

static void
test_batched_binary_both_ways (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.fakebin.batched", "wamp.2.fakebin.batched");
  static const guint8 batch[] = { 0, 0, 0, 2, 'x', 'y', 0, 0, 0, 1, 'z' };
  g_autoptr(GBytes) reply = g_bytes_new_static ("abc", 3);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (transport_protocol (f->server.conn), ==, "wamp.2.fakebin.batched");
  raw_send_frame (s, WAMP_WEBSOCKET_OP_BINARY, batch, sizeof batch);
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "xy", 2);
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[1], NULL),
                   g_bytes_get_size (f->server.frames->pdata[1]), "z", 1);

  /* Sent twice: the shared frame is not modified by the prefix. */
  g_assert_true (wamp_connection_send (f->server.conn, reply, &error));
  g_assert_true (wamp_connection_send (f->server.conn, reply, &error));
  g_assert_no_error (error);
  raw_read_at_least (s, in, 18);
  g_assert_cmpmem (in->data, in->len, "\x82\x07\0\0\0\x03" "abc" "\x82\x07\0\0\0\x03" "abc", 18);
  g_assert_cmpmem (g_bytes_get_data (reply, NULL), 3, "abc", 3);
}

/* A batch larger than the socket takes at once is written in parts; the
 * separator after the shared payload still comes out once, last. */
static void
test_batched_large_message_written_in_parts (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.json.batched", "wamp.2.json.batched");
  gsize len = 16 * 1024 * 1024;
  g_autoptr(GBytes) big = text_of_size (len);
  g_autoptr(GError) error = NULL;
  guint64 claimed = 0;

  g_assert_true (wamp_connection_send (f->server.conn, big, &error));
  g_assert_no_error (error);
  /* Partly written at once; the rest waits for the socket. */
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), >, 0);
  raw_read_at_least (s, in, 10 + len + 1);
  g_assert_cmpuint (in->len, ==, 10 + len + 1);
  g_assert_cmphex (in->data[0], ==, 0x81);
  g_assert_cmphex (in->data[1], ==, 127);
  for (guint i = 0; i < 8; i++)
    claimed = (claimed << 8) | in->data[2 + i];
  g_assert_cmpuint (claimed, ==, len + 1);
  g_assert_cmpmem (in->data + 10, len, g_bytes_get_data (big, NULL), len);
  g_assert_cmphex (in->data[10 + len], ==, 0x18);
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), ==, 0);
}

static void
test_batched_length_beyond_message_gets_1007 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.fakebin.batched", "wamp.2.fakebin.batched");
  static const guint8 batch[] = { 0, 0, 0, 1, 'x', 0xff, 0xff, 0xff, 0xff, 'y' };

  raw_send_frame (s, WAMP_WEBSOCKET_OP_BINARY, batch, sizeof batch);
  raw_read_at_least (s, in, 4);
  /* Nothing of a bad batch is delivered, and the close says 1007. */
  g_assert_cmpuint (in->len, >=, 4);
  g_assert_cmphex (in->data[0], ==, 0x88);
  g_assert_cmpuint ((in->data[2] << 8) | in->data[3], ==, WAMP_CLOSE_INVALID_DATA);
  g_assert_cmpuint (f->server.frames->len, ==, 0);
}

static void
test_batched_json_unterminated_gets_1007 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.json.batched", "wamp.2.json.batched");

  raw_send_frame (s, WAMP_WEBSOCKET_OP_TEXT, "[1]", 3);
  raw_read_at_least (s, in, 4);
  g_assert_cmpuint (in->len, >=, 4);
  g_assert_cmphex (in->data[0], ==, 0x88);
  g_assert_cmpuint ((in->data[2] << 8) | in->data[3], ==, WAMP_CLOSE_INVALID_DATA);
  g_assert_cmpuint (f->server.frames->len, ==, 0);
}

static void
test_batched_plain_wins_for_one_serializer (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.json.batched, wamp.2.json", "wamp.2.json");
  g_autoptr(GBytes) reply = g_bytes_new_static ("[3]", 3);

  g_assert_cmpstr (transport_protocol (f->server.conn), ==, "wamp.2.json");
  g_assert_true (wamp_connection_send (f->server.conn, reply, NULL));
  raw_read_at_least (s, in, 5);
  /* Not batched: no separator. */
  g_assert_cmpmem (in->data, in->len, "\x81\x03[3]", 5);
}

static void
test_batched_other_serializer_order_decides (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  /* Our order is json then fakebin: json's batched variant beats fakebin. */
  g_autoptr(GByteArray) in = raw_handshake (f, s, "wamp.2.fakebin, wamp.2.json.batched",
                                            "wamp.2.json.batched");

  g_assert_cmpstr (transport_protocol (f->server.conn), ==, "wamp.2.json.batched");
  g_assert_cmpuint (in->len, ==, 0);
}

static void
test_handshake_with_unknown_subprotocol_gets_400 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.cbor, chat");
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;

  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_cmpuint (resp->len, >, 12);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 400", 12);
  g_assert_cmpuint (f->accepted, ==, 0);
}

static void
test_plain_http_gets_404_or_426 (Fixture *f, gconstpointer data)
{
  static const char *const reqs[] = {
    "GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
    "POST /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\nhi",
  };
  static const char *const status[] = { "HTTP/1.1 404", "HTTP/1.1 426", "HTTP/1.1 426" };

  for (guint i = 0; i < G_N_ELEMENTS (reqs); i++)
    {
      g_autoptr(GSocket) s = raw_connect (f);
      g_autoptr(GByteArray) resp = NULL;
      gboolean eof;

      raw_send (s, reqs[i], strlen (reqs[i]));
      resp = raw_read_until (s, "\r\n\r\n", &eof);
      g_assert_cmpuint (resp->len, >, 12);
      g_assert_cmpmem (resp->data, 12, status[i], 12);
    }
  g_assert_cmpuint (f->accepted, ==, 0);
}

static void
test_frames_right_behind_handshake_are_not_lost (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(WampWebsocketCodec) client_codec = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) ping = NULL;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;
  const guint8 *pong;

  /* Used for encoding only. */
  client_codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                           &unused_codec_funcs, NULL);
  frame = wamp_websocket_codec_encode_frame (client_codec, WAMP_WEBSOCKET_OP_TEXT,
                                             (const guint8 *) "[1,\"r\",{}]", 10);
  ping = wamp_websocket_codec_encode_frame (client_codec, WAMP_WEBSOCKET_OP_PING,
                                            (const guint8 *) "pp", 2);
  /* Handshake and first frames in one segment: libsoup buffers them. */
  g_byte_array_append (all, (const guint8 *) req, (guint) strlen (req));
  g_byte_array_append (all, g_bytes_get_data (frame, NULL), (guint) g_bytes_get_size (frame));
  g_byte_array_append (all, g_bytes_get_data (ping, NULL), (guint) g_bytes_get_size (ping));
  raw_send (s, all->data, all->len);

  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"r\",{}]", 10);

  /* The 101 and then the pong for the ping. */
  resp = raw_read_until (s, "pp", &eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  g_assert_nonnull (g_strstr_len ((const char *) resp->data, resp->len,
                                  "Sec-WebSocket-Protocol: wamp.2.json"));
  g_assert_cmpuint (resp->len, >=, 4);
  pong = resp->data + resp->len - 4;
  g_assert_cmphex (pong[0], ==, 0x8A);
  g_assert_cmphex (pong[1], ==, 2);
}

static void
test_frame_over_max_gets_close_1009 (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) big = text_of_size (2000);
  g_autoptr(GError) error = NULL;

  connect_pair (f);
  g_assert_true (wamp_connection_send (f->client.conn, big, &error));
  g_assert_true (test_wait_count (&f->client.closed, 1));
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_TOO_BIG);
  g_assert_cmpint (f->client.close_code, ==, WAMP_CLOSE_TOO_BIG);
  g_assert_cmpuint (f->server.frames->len, ==, 0);
  /* Closed means closed. */
  g_assert_false (wamp_connection_send (f->server.conn, big, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
}

static void
test_peer_close_reports_closed_once (Fixture *f, gconstpointer data)
{
  connect_pair (f);
  wamp_connection_close (f->client.conn, WAMP_CLOSE_GOING_AWAY, "bye");
  wamp_connection_close (f->client.conn, WAMP_CLOSE_NORMAL, "again"); /* idempotent */
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_true (test_wait_count (&f->client.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_GOING_AWAY);
  g_assert_cmpstr (f->server.close_reason, ==, "bye");
  g_assert_cmpint (f->client.close_code, ==, WAMP_CLOSE_GOING_AWAY);

  /* Nothing more arrives later. */
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->server.closed, ==, 1);
  g_assert_cmpuint (f->client.closed, ==, 1);
  /* Only the listening socket is left on the reactor. */
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 1);
}

static void
test_server_echo_and_close_from_frame_callback (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) msg = g_bytes_new_static ("[6,{},\"x\"]", 10);
  g_autoptr(GBytes) late = g_bytes_new_static ("[6,{},\"y\"]", 10);
  g_autoptr(GError) error = NULL;

  connect_pair (f);
  f->server.echo_then_close = TRUE;
  g_assert_true (wamp_connection_send (f->client.conn, msg, &error));
  g_assert_true (wamp_connection_send (f->client.conn, late, &error));
  g_assert_true (test_wait_count (&f->client.closed, 1));
  g_assert_true (test_wait_count (&f->server.closed, 1));
  /* The echo went out before the close; the frame after it was dropped. */
  g_assert_cmpuint (f->client.frames->len, ==, 1);
  g_assert_true (g_bytes_equal (f->client.frames->pdata[0], msg));
  g_assert_cmpuint (f->server.frames->len, ==, 1);
  g_assert_cmpint (f->client.close_code, ==, WAMP_CLOSE_NORMAL);
  g_assert_cmpstr (f->client.close_reason, ==, "done");
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_NORMAL);
}

static void
test_abrupt_disconnect_reports_1006 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;

  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_socket_close (s, NULL);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_ABNORMAL);
}

static void
test_write_error_reports_closed_outside_send (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(GBytes) msg = text_of_size (1000);
  g_autoptr(GError) error = NULL;
  struct linger lg = { 1, 0 };
  gboolean eof;

  raw_send (s, req, strlen (req));
  g_byte_array_unref (raw_read_until (s, "\r\n\r\n", &eof));
  g_assert_true (test_wait_count (&f->accepted, 1));
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  /* A reset, and no main-loop turn before the server writes. */
  g_assert_cmpint (setsockopt (g_socket_get_fd (s), SOL_SOCKET, SO_LINGER, &lg, sizeof lg), ==, 0);
  g_socket_close (s, NULL);
  g_usleep (20000);

  wamp_connection_send (f->server.conn, msg, NULL);
  wamp_connection_send (f->server.conn, msg, NULL);
  /* Never re-entered from inside send(). */
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_ABNORMAL);
  g_assert_false (wamp_connection_send (f->server.conn, msg, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
}

static void
test_close_is_answered_with_1000 (Fixture *f, gconstpointer data)
{
  static const guint16 codes[] = { 1001, 0 /* no status */ };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autoptr(GSocket) s = raw_connect (f);
      g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
      g_autoptr(WampWebsocketCodec) client_codec = NULL;
      g_autoptr(GBytes) close = NULL;
      g_autoptr(GByteArray) resp = NULL;
      gboolean eof;
      guint before = f->server.closed;

      client_codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                               &unused_codec_funcs, NULL);
      close = wamp_websocket_codec_encode_close (client_codec,
                                                 codes[i] != 0 ? codes[i] : WAMP_WEBSOCKET_CLOSE_NO_STATUS,
                                                 codes[i] != 0 ? "away" : NULL);
      raw_send (s, req, strlen (req));
      g_byte_array_unref (raw_read_until (s, "\r\n\r\n", &eof));
      raw_send (s, g_bytes_get_data (close, NULL), g_bytes_get_size (close));
      resp = raw_read_until (s, NULL, &eof);
      /* As Crossbar: the answer is 1000, then the server closes TCP. */
      g_assert_true (eof);
      g_assert_cmpuint (resp->len, ==, 4);
      g_assert_cmphex (resp->data[0], ==, 0x88);
      g_assert_cmpuint ((resp->data[2] << 8) | resp->data[3], ==, 1000);
      g_assert_true (test_wait_count (&f->server.closed, before + 1));
      g_assert_cmpint (f->server.close_code, ==, codes[i] != 0 ? codes[i] : WAMP_CLOSE_NORMAL);
    }
}

static void
test_unmasked_client_frame_gets_1002 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  static const guint8 unmasked[] = { 0x81, 0x02, '[', ']' };
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;
  const guint8 *close;

  raw_send (s, req, strlen (req));
  g_byte_array_unref (raw_read_until (s, "\r\n\r\n", &eof));
  raw_send (s, unmasked, sizeof unmasked);
  resp = raw_read_until (s, NULL, &eof);
  g_assert_true (eof);
  g_assert_cmpuint (resp->len, >=, 4);
  close = resp->data;
  g_assert_cmphex (close[0], ==, 0x88);
  g_assert_cmpuint ((close[2] << 8) | close[3], ==, 1002);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_PROTOCOL_ERROR);
}

static void
test_handshake_timeout_drops_silent_client (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;

  /* handshake_timeout is 1 s here; say nothing. */
  resp = raw_read_until (s, NULL, &eof);
  g_assert_true (eof);
  g_assert_cmpuint (f->accepted, ==, 0);
}

/* Slow consumers */

/* Overflow reports the transport logged (at g_message level). */
static guint overflow_log_count;

static GLogWriterOutput
counting_log_writer (GLogLevelFlags   log_level,
                     const GLogField *fields,
                     gsize            n_fields,
                     gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_MASK) == G_LOG_LEVEL_MESSAGE && g_strcmp0 (domain, "wamp-websocket") == 0 &&
      message != NULL && strstr (message, "outgoing queue overflow") != NULL)
    overflow_log_count++;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* What a raw client decoded from the server's bytes. */
typedef struct
{
  guint messages;
  GBytes *last;
  guint closes;
  guint16 close_code;
} Received;

static gboolean
received_message (gpointer user_data, gboolean binary, GBytes *payload)
{
  Received *r = user_data;

  r->messages++;
  g_clear_pointer (&r->last, g_bytes_unref);
  r->last = g_bytes_ref (payload);
  return TRUE;
}

static gboolean
received_close (gpointer user_data, guint16 code, const char *reason)
{
  Received *r = user_data;

  r->closes++;
  r->close_code = code;
  return TRUE;
}

static const WampWebsocketCodecFuncs received_codec_funcs = {
  received_message, unused_control, unused_control, received_close,
};

/* A raw client whose receive buffer is small, so that not reading fills
 * the kernel buffers quickly; completes the handshake. */
static GSocket *
slow_client_connect (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, f->port);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(GByteArray) resp = NULL;
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  gboolean eof;

  g_assert_no_error (error);
  /* Before connect, so the window is announced small from the start. */
  g_assert_true (g_socket_set_option (s, SOL_SOCKET, SO_RCVBUF, 4096, &error));
  g_assert_true (g_socket_connect (s, addr, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (s, FALSE);
  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  g_assert_true (test_wait_count (&f->accepted, 1));
  /* Let the connection start (a queue flushes only once started). */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (NULL, FALSE);
  return s;
}

/* Sends @chunk until a send fails (the client does not read): the kernel
 * buffers fill, then the queue. Returns: how many sends succeeded. */
static guint
send_until_refused (Fixture *f, GBytes *chunk, GError **error)
{
  guint sent;

  for (sent = 0; sent < 4000; sent++)
    {
      if (!wamp_connection_send (f->server.conn, chunk, error))
        break;
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (sent, <, 4000);
  return sent;
}

/* Reads what is there into @codec without blocking; TRUE on EOF. */
static gboolean
slow_client_read (GSocket *s, WampWebsocketCodec *codec)
{
  for (;;)
    {
      guint8 tmp[16384];
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (s, (char *) tmp, sizeof tmp, NULL, &error);
      guint16 code = 0;
      const char *reason = NULL;

      if (n > 0)
        {
          g_assert_cmpint (wamp_websocket_codec_feed (codec, tmp, (gsize) n, &code, &reason), !=,
                           WAMP_WEBSOCKET_CODEC_FAILED);
          continue;
        }
      if (n == 0)
        return TRUE;
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
      /* A reset counts as the end too. */
      return TRUE;
    }
}

static void
test_overflow_drop_refuses_frame_and_keeps_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = slow_client_connect (f);
  g_autoptr(WampWebsocketCodec) codec = NULL;
  g_autoptr(GBytes) chunk = text_of_size (16 * 1024);
  g_autoptr(GBytes) marker = g_bytes_new_static ("[\"after\"]", 9);
  g_autoptr(GError) error = NULL;
  Received r = { 0, };
  guint sent, logged_before = overflow_log_count;
  gint64 deadline;

  codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                    &received_codec_funcs, &r);
  sent = send_until_refused (f, chunk, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "outgoing queue full"));
  g_clear_error (&error);
  g_assert_cmpuint (sent, >, 0);
  /* The queue (64 KiB here) is full but never beyond its bound. */
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), <=, 64 * 1024);
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), >, 0);

  /* More refusals: still open, and the operator heard of it once. */
  for (int i = 0; i < 5; i++)
    {
      g_assert_false (wamp_connection_send (f->server.conn, chunk, &error));
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
      g_clear_error (&error);
    }
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_cmpuint (overflow_log_count, ==, logged_before + 1);

  /* The peer reads again: the queue drains and sends succeed. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (wamp_connection_get_queued_bytes (f->server.conn) > 0 && g_get_monotonic_time () < deadline)
    {
      g_assert_false (slow_client_read (s, codec));
      g_main_context_iteration (NULL, FALSE);
    }
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), ==, 0);
  g_assert_true (wamp_connection_send (f->server.conn, marker, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_connection_send (f->server.conn, chunk, &error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (r.messages < sent + 2 && g_get_monotonic_time () < deadline)
    {
      g_assert_false (slow_client_read (s, codec));
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  /* Every accepted frame arrived whole, in order; the refused ones never. */
  g_assert_cmpuint (r.messages, ==, sent + 2);
  g_assert_true (g_bytes_equal (r.last, chunk));
  g_assert_cmpuint (r.closes, ==, 0);
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_cmpuint (overflow_log_count, ==, logged_before + 1);
  g_clear_pointer (&r.last, g_bytes_unref);
}

static void
test_overflow_disconnect_closes_with_1008 (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = slow_client_connect (f);
  g_autoptr(WampWebsocketCodec) codec = NULL;
  g_autoptr(GBytes) chunk = text_of_size (16 * 1024);
  g_autoptr(GBytes) small = g_bytes_new_static ("[]", 2);
  g_autoptr(GError) error = NULL;
  Received r = { 0, };
  guint sent, logged_before = overflow_log_count;
  gboolean eof = FALSE;
  gint64 deadline;

  codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                    &received_codec_funcs, &r);
  sent = send_until_refused (f, chunk, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_clear_error (&error);
  /* Never reported from inside send(); nothing more is queued. */
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_false (wamp_connection_send (f->server.conn, small, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_clear_error (&error);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_POLICY_VIOLATION);
  g_assert_cmpstr (f->server.close_reason, ==, "outgoing queue overflow");
  g_assert_cmpuint (wamp_connection_get_queued_bytes (f->server.conn), ==, 0);
  /* Closing again is a no-op; closed is reported exactly once. */
  wamp_connection_close (f->server.conn, WAMP_CLOSE_NORMAL, NULL);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (f->server.closed, ==, 1);
  g_assert_cmpuint (overflow_log_count, ==, logged_before + 1);
  /* Only the listening socket is left on the reactor. */
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 1);

  /* The client reads what had reached its kernel, whole frames only (a
   * frame partly written is completed before the close frame), then EOF. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (!eof && g_get_monotonic_time () < deadline)
    {
      eof = slow_client_read (s, codec);
      g_usleep (1000);
    }
  g_assert_true (eof);
  g_assert_cmpuint (r.messages, <=, sent);
  if (r.closes > 0)
    g_assert_cmpuint (r.close_code, ==, WAMP_CLOSE_POLICY_VIOLATION);
  g_clear_pointer (&r.last, g_bytes_unref);
}

static void
test_configure_queue_overflow_values (void)
{
  static const struct {
    const char *options;
    gboolean ok;
  } cases[] = {
    { "{ \"queue_overflow\": \"drop\" }", TRUE },
    { "{ \"queue_overflow\": \"disconnect\" }", TRUE },
    { "{ \"queue_overflow\": \"block\" }", FALSE },
    { "{ \"queue_overflow\": 1 }", FALSE },
    { "{ \"queue_overflow\": null }", FALSE },
  };
  g_autoptr(WampSerializer) json = test_fake_serializer_new ("json", 1, FALSE);
  g_autoptr(GPtrArray) serializers = g_ptr_array_new ();
  g_autoptr(WampReactor) reactor = wamp_reactor_new (NULL);

  g_ptr_array_add (serializers, json);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WampTransport) t = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
      g_autofree char *json_text = g_strdup_printf (
        "{ \"endpoint\": { \"type\": \"tcp\", \"port\": 0 }, \"options\": %s }", cases[i].options);
      g_autoptr(WampValue) config = parse_config (json_text);
      g_autoptr(GError) error = NULL;
      gboolean ok = wamp_transport_configure (t, reactor, config, "$.transports[3]", serializers,
                                              &error);

      g_test_message ("%s", cases[i].options);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (cases[i].ok)
        g_assert_no_error (error);
      else
        {
          g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "$.transports[3].options.queue_overflow"));
        }
    }
}

static void
test_unanswered_pings_drop_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) s = raw_connect (f);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(GByteArray) resp = NULL;
  gboolean eof;

  raw_send (s, req, strlen (req));
  g_byte_array_unref (raw_read_until (s, "\r\n\r\n", &eof));
  g_assert_true (test_wait_count (&f->accepted, 1));
  /* ping_interval 1 s, ping_timeout 1 s: a ping arrives, we never answer. */
  resp = raw_read_until (s, NULL, &eof);
  g_assert_true (eof);
  g_assert_cmpuint (resp->len, >=, 10);
  g_assert_cmphex (resp->data[0], ==, 0x89);
  g_assert_cmpuint (resp->data[1], ==, 8);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_ABNORMAL);
  g_assert_cmpstr (f->server.close_reason, ==, "ping timeout");
}

static void
test_answered_pings_keep_connection (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) msg = g_bytes_new_static ("[]", 2);
  g_autoptr(GError) error = NULL;
  gint64 until;

  connect_pair (f);
  /* Our client answers pings: after 2.5 s (two pings) it is still open. */
  until = g_get_monotonic_time () + 2500 * 1000;
  while (g_get_monotonic_time () < until && f->server.closed == 0)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_true (wamp_connection_send (f->client.conn, msg, &error));
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
}

static void
test_ipv6_listener_url_and_connect (void)
{
  g_autoptr(WampSerializer) json = test_fake_serializer_new ("json", 1, FALSE);
  g_autoptr(GPtrArray) serializers = g_ptr_array_new ();
  g_autoptr(WampReactor) reactor = wamp_reactor_new (NULL);
  g_autoptr(WampTransport) t = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  g_autoptr(WampTransport) client = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  g_autoptr(WampValue) config = parse_config (
    "{ \"endpoint\": { \"type\": \"tcp\", \"host\": \"::1\", \"port\": 0 }, \"path\": \"/wamp\" }");
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampConnection) conn = NULL;
  g_auto(GStrv) urls = NULL;

  g_ptr_array_add (serializers, json);
  g_assert_true (wamp_transport_configure (t, reactor, config, "$.transports[0]", serializers, &error));
  if (!wamp_transport_start (t, &error))
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  urls = wamp_transport_get_urls (t);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "ws://[::1]:"));
  g_assert_true (g_str_has_suffix (urls[0], "/wamp"));
  g_assert_false (g_str_has_prefix (urls[0], "ws://[::1]:0/"));

  wamp_transport_connect_async (client, reactor, urls[0], serializers, NULL, test_store_result_cb, &result);
  g_assert_true (test_wait_for (test_cond_nonnull, &result, 5000));
  /* No accept func: the listener closes it; the client got its 101 first. */
  conn = wamp_transport_connect_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  g_assert_true (g_str_has_prefix (wamp_connection_get_peer (conn), "tcp6:[::1]:"));
  wamp_connection_close (conn, WAMP_CLOSE_NORMAL, NULL);
  wamp_transport_stop (t);
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
test_adopt_replays_sniffed_bytes (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) other = NULL;   /* a "universal port" of the test's own */
  g_autoptr(GSocket) client = NULL;
  g_autoptr(GSocket) accepted = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(WampWebsocketCodec) client_codec = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GBytes) sniffed = NULL;
  g_autoptr(GBytes) reply = g_bytes_new_static ("[1]", 3);
  g_autoptr(GByteArray) all = g_byte_array_new ();
  g_autoptr(GByteArray) resp = NULL;
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  guint8 head[16];
  gsize got = 0;
  gboolean eof;

  other = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_bind (other, any, TRUE, &error));
  g_assert_true (g_socket_listen (other, &error));
  bound = g_socket_get_local_address (other, &error);
  client = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_true (g_socket_connect (client, bound, NULL, &error));
  accepted = g_socket_accept (other, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (client, FALSE);

  client_codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                           &unused_codec_funcs, NULL);
  frame = wamp_websocket_codec_encode_frame (client_codec, WAMP_WEBSOCKET_OP_TEXT,
                                             (const guint8 *) "[1,\"r\",{}]", 10);
  g_byte_array_append (all, (const guint8 *) req, (guint) strlen (req));
  g_byte_array_append (all, g_bytes_get_data (frame, NULL), (guint) g_bytes_get_size (frame));
  raw_send (client, all->data, all->len);

  /* The sniffer takes the first 16 bytes, then hands over. */
  while (got < sizeof head)
    {
      gssize n = g_socket_receive (accepted, (char *) head + got, sizeof head - got, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
    }
  sniffed = g_bytes_new (head, sizeof head);
  stream = g_socket_connection_factory_create_connection (accepted);
  g_assert_true (wamp_transport_adopt (f->transport, G_IO_STREAM (stream), accepted, sniffed, &error));
  g_assert_no_error (error);

  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"r\",{}]", 10);
  g_assert_true (wamp_connection_send (f->server.conn, reply, &error));
  resp = raw_read_until (client, "[1]", &eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  g_assert_cmpmem (resp->data + resp->len - 5, 5, "\x81\x03[1]", 5);
}

static void
test_connect_refused_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* Stop the listener: its port now refuses. */
  wamp_transport_stop (f->transport);
  url = g_strdup_printf ("ws://127.0.0.1:%u/ws", f->port);
  g_assert_null (connect_client (f, url, &error));
  g_assert_nonnull (error);
}

static void
test_connect_to_wrong_path_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("ws://127.0.0.1:%u/nope", f->port);

  g_assert_null (connect_client (f, url, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "404"));
}

/* wss: a TLS client (a thread with blocking GIO) upgrades by hand and sends
 * a frame in the same write as its request; the server's frames go back
 * through TLS; the client certificate shows in the transport details. */

typedef struct
{
  char *pki;
  guint16 port;
  gsize expect_bytes; /* after the response head */
  GByteArray *received;
  char *error;
  gint finished; /* atomic */
} WssClient;

static gpointer
wss_client_thread (gpointer data)
{
  WssClient *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autofree char *ca = wamp_test_pki_file (c->pki, "ca.pem");
  g_autofree char *cert_file = wamp_test_pki_file (c->pki, "client.pem");
  g_autofree char *key_file = wamp_test_pki_file (c->pki, "client.key");
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", c->port);
  g_autoptr(WampWebsocketCodec) codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE,
                                                                  1 << 20, &unused_codec_funcs, NULL);
  g_autoptr(GBytes) frame = wamp_websocket_codec_encode_frame (codec, WAMP_WEBSOCKET_OP_TEXT,
                                                               (const guint8 *) "[1,\"tls\",{}]", 12);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gssize head_end = -1;

  g_socket_client_set_timeout (client, 10);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", c->port, NULL, &error);
  if (connection != NULL)
    database = g_tls_file_database_new (ca, &error);
  if (database != NULL)
    cert = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  if (cert != NULL)
    tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  if (tls != NULL)
    {
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
      g_byte_array_append (out, (const guint8 *) req, (guint) strlen (req));
      g_byte_array_append (out, g_bytes_get_data (frame, NULL), (guint) g_bytes_get_size (frame));
      if (g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error) &&
          g_output_stream_write_all (g_io_stream_get_output_stream (tls), out->data, out->len,
                                     NULL, NULL, &error))
        {
          for (;;)
            {
              guint8 buf[16384];
              gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), buf, sizeof buf,
                                              NULL, &error);

              if (n <= 0)
                break;
              g_byte_array_append (c->received, buf, (guint) n);
              if (head_end < 0)
                {
                  const char *end = g_strstr_len ((const char *) c->received->data,
                                                  c->received->len, "\r\n\r\n");

                  if (end != NULL)
                    head_end = end + 4 - (const char *) c->received->data;
                }
              if (head_end >= 0 && c->received->len - (gsize) head_end >= c->expect_bytes)
                break;
            }
        }
    }
  if (error != NULL)
    c->error = g_strdup (error->message);
  g_atomic_int_set (&c->finished, 1);
  return NULL;
}

static gboolean
cond_wss_finished (gpointer data)
{
  return g_atomic_int_get (&((WssClient *) data)->finished);
}

static void
test_wss_frames_and_client_certificate (void)
{
  Fixture fx = { 0, }, *f = &fx;
  g_autofree char *pki = wamp_test_pki_create ();
  g_autofree char *json = g_strdup_printf (
    "{ \"name\": \"wss\", \"type\": \"websocket\","
    "  \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0,"
    "    \"tls\": { \"certificate\": \"%s/server.pem\", \"key\": \"%s/server.key\","
    "             \"ca_certificates\": \"%s/ca.pem\", \"require_client_certificate\": true } },"
    "  \"serializers\": [\"json\"] }", pki, pki, pki);
  g_autoptr(WampValue) config = parse_config (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = text_of_size (200 * 1024);
  g_autoptr(WampValue) details = NULL;
  g_autoptr(GThread) thread = NULL;
  g_auto(GStrv) urls = NULL;
  WampValue *cert;
  WssClient c = { 0, };
  const guint8 *payload;

  f->reactor = wamp_reactor_new (NULL);
  f->json = test_fake_serializer_new ("json", 1, FALSE);
  f->serializers = g_ptr_array_new ();
  g_ptr_array_add (f->serializers, f->json);
  f->transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  wamp_transport_set_accept_func (f->transport, accept_cb, f);
  test_peer_init (&f->server);
  test_peer_init (&f->client);
  g_assert_true (wamp_transport_configure (f->transport, f->reactor, config, "$.transports[0]",
                                           f->serializers, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_transport_start (f->transport, &error));
  urls = wamp_transport_get_urls (f->transport);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_true (g_str_has_prefix (urls[0], "wss://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (urls[0], "/ws"));

  c.pki = pki;
  c.port = (guint16) g_ascii_strtoull (urls[0] + strlen ("wss://127.0.0.1:"), NULL, 10);
  c.expect_bytes = 10 + g_bytes_get_size (big); /* 64-bit length header */
  c.received = g_byte_array_new ();
  thread = g_thread_new ("wss-client", wss_client_thread, &c);

  /* The frame sent with the request arrives through libsoup's buffer. */
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"tls\",{}]", 12);

  details = wamp_connection_get_transport_details (f->server.conn);
  g_assert_true (wamp_value_dict_get_bool (details, "tls", FALSE));
  cert = wamp_value_dict_lookup (details, "tls_client_certificate");
  g_assert_nonnull (cert);
  g_assert_nonnull (strstr (wamp_value_dict_get_string (cert, "subject"), "CN=wamp-test-client"));
  g_assert_true (wamp_value_dict_get_bool (cert, "verified", FALSE));
  g_assert_cmpuint (strlen (wamp_value_dict_get_string (cert, "fingerprint_sha256")), ==, 64);
  g_assert_nonnull (wamp_connection_get_peer_certificate (f->server.conn));

  /* 200 KiB back: more than one TLS record and than one write. */
  g_assert_true (wamp_connection_send (f->server.conn, big, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_for (cond_wss_finished, &c, 10000));
  g_thread_join (g_steal_pointer (&thread));
  g_assert_cmpstr (c.error, ==, NULL);
  g_assert_cmpuint (c.received->len, >=, c.expect_bytes);
  g_assert_cmpmem (c.received->data, 12, "HTTP/1.1 101", 12);
  payload = c.received->data + c.received->len - g_bytes_get_size (big);
  g_assert_cmphex (payload[-10], ==, 0x81);
  g_assert_cmphex (payload[-9], ==, 127);
  g_assert_cmpmem (payload, g_bytes_get_size (big), g_bytes_get_data (big, NULL),
                   g_bytes_get_size (big));
  /* The client went away without a close frame: seen through TLS. */
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_ABNORMAL);

  g_byte_array_unref (c.received);
  g_free (c.error);
  fixture_teardown (f, NULL);
  wamp_test_pki_remove (pki);
}

/* The transport's own client over wss://, trusting the test CA through
 * wamp_transport_set_client_tls() and presenting a client certificate. */

static void
start_tls_fixture (Fixture    *f,
                   const char *pki)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"name\": \"wss\", \"type\": \"websocket\","
    "  \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0,"
    "    \"tls\": { \"certificate\": \"%s/server.pem\", \"key\": \"%s/server.key\","
    "             \"ca_certificates\": \"%s/ca.pem\", \"require_client_certificate\": true } },"
    "  \"serializers\": [\"json\"] }", pki, pki, pki);
  g_autoptr(WampValue) config = parse_config (json);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;

  f->reactor = wamp_reactor_new (NULL);
  f->json = test_fake_serializer_new ("json", 1, FALSE);
  f->serializers = g_ptr_array_new ();
  g_ptr_array_add (f->serializers, f->json);
  f->transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  wamp_transport_set_accept_func (f->transport, accept_cb, f);
  test_peer_init (&f->server);
  test_peer_init (&f->client);
  g_assert_true (wamp_transport_configure (f->transport, f->reactor, config, "$.transports[0]",
                                           f->serializers, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_transport_start (f->transport, &error));
  urls = wamp_transport_get_urls (f->transport);
  g_assert_true (g_str_has_prefix (urls[0], "wss://127.0.0.1:"));
  /* The server certificate names localhost and 127.0.0.1. */
  f->url = g_strdup (urls[0]);
}

static void
test_wss_client_with_test_ca_and_certificate (void)
{
  Fixture fx = { 0, }, *f = &fx;
  g_autofree char *pki = wamp_test_pki_create ();
  g_autofree char *ca_file = wamp_test_pki_file (pki, "ca.pem");
  g_autofree char *cert_file = wamp_test_pki_file (pki, "client.pem");
  g_autofree char *key_file = wamp_test_pki_file (pki, "client.key");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);
  g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert_file, key_file,
                                                                             &error);
  g_autoptr(GBytes) big = text_of_size (300 * 1024);
  g_autoptr(GBytes) hello = g_bytes_new_static ("[1,\"realm1\",{}]", 15);

  g_assert_no_error (error);
  start_tls_fixture (f, pki);

  /* The system's CAs do not know the test CA. */
  g_assert_null (connect_tls_client (f, f->url, NULL, certificate, &error));
  g_assert_nonnull (error);
  g_test_message ("without the test CA: %s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (f->accepted, ==, 0);

  /* Trusting the test CA and presenting the client certificate. */
  g_assert_nonnull (connect_tls_client (f, f->url, database, certificate, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_nonnull (wamp_connection_get_peer_certificate (f->server.conn));

  g_assert_true (wamp_connection_send (f->client.conn, hello, &error));
  g_assert_true (wamp_connection_send (f->client.conn, big, &error));
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[0], hello));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[1], big));
  g_assert_true (wamp_connection_send (f->server.conn, big, &error));
  g_assert_true (wamp_connection_send (f->server.conn, hello, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->client.frames->len, 2));
  g_assert_true (g_bytes_equal (f->client.frames->pdata[0], big));
  g_assert_true (g_bytes_equal (f->client.frames->pdata[1], hello));

  /* A clean close through TLS both ways. */
  wamp_connection_close (f->client.conn, WAMP_CLOSE_NORMAL, "bye");
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_true (test_wait_count (&f->client.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_NORMAL);

  fixture_teardown (f, NULL);
  wamp_test_pki_remove (pki);
}

/* A client without a certificate cannot get through a listener that
 * requires one. */
static void
test_wss_client_without_certificate_refused (void)
{
  Fixture fx = { 0, }, *f = &fx;
  g_autofree char *pki = wamp_test_pki_create ();
  g_autofree char *ca_file = wamp_test_pki_file (pki, "ca.pem");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca_file, &error);

  g_assert_no_error (error);
  start_tls_fixture (f, pki);
  g_assert_null (connect_tls_client (f, f->url, database, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("without a client certificate: %s", error->message);
  g_assert_cmpuint (f->accepted, ==, 0);

  fixture_teardown (f, NULL);
  wamp_test_pki_remove (pki);
}

/* The WebSocket transport on a Unix socket: same HTTP upgrade, same frames. */
static void
test_unix_endpoint_upgrade_and_frames (void)
{
  Fixture fx = { 0, }, *f = &fx;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("wampd-test-ws-unix-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "ws.sock", NULL);
  g_autofree char *json = g_strdup_printf (
    "{ \"name\": \"wsu\", \"type\": \"websocket\","
    "  \"endpoint\": { \"type\": \"unix\", \"path\": \"%s\", \"mode\": \"0600\" } }", path);
  g_autofree char *expected_url = g_strdup_printf ("ws+unix://%s", path);
  g_autofree char *req = handshake_request ("/ws", "wamp.2.json");
  g_autoptr(WampValue) config = parse_config (json);
  g_autoptr(WampWebsocketCodec) client_codec = NULL;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(GSocket) s = NULL;
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (path);
  g_autoptr(GByteArray) resp = NULL;
  g_auto(GStrv) urls = NULL;
  gboolean eof;

  g_assert_no_error (error);
  f->reactor = wamp_reactor_new (NULL);
  f->json = test_fake_serializer_new ("json", 1, FALSE);
  f->serializers = g_ptr_array_new ();
  g_ptr_array_add (f->serializers, f->json);
  f->transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  wamp_transport_set_accept_func (f->transport, accept_cb, f);
  test_peer_init (&f->server);
  test_peer_init (&f->client);
  g_assert_true (wamp_transport_configure (f->transport, f->reactor, config, "$.transports[0]",
                                           f->serializers, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_transport_start (f->transport, &error));
  g_assert_no_error (error);
  urls = wamp_transport_get_urls (f->transport);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  g_assert_cmpstr (urls[0], ==, expected_url);

  s = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_true (g_socket_connect (s, addr, NULL, &error));
  g_assert_no_error (error);
  g_socket_set_blocking (s, FALSE);
  client_codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_CLIENT, FALSE, 1 << 20,
                                           &unused_codec_funcs, NULL);
  frame = wamp_websocket_codec_encode_frame (client_codec, WAMP_WEBSOCKET_OP_TEXT,
                                             (const guint8 *) "[1,\"u\",{}]", 10);
  raw_send (s, req, strlen (req));
  resp = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_cmpmem (resp->data, 12, "HTTP/1.1 101", 12);
  raw_send (s, g_bytes_get_data (frame, NULL), g_bytes_get_size (frame));
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"u\",{}]", 10);
  g_assert_true (g_str_has_prefix (wamp_connection_get_peer (f->server.conn), "unix:"));

  /* Stopping removes the socket file. */
  wamp_transport_stop (f->transport);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  fixture_teardown (f, NULL);
  g_rmdir (dir);
}

/* A server that picks the batched variant our client offers after the
 * plain ones: the client then writes and reads batches. */
static void
test_client_speaks_batched_when_server_picks_it (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GSocket) s = NULL;
  g_autoptr(WampTransport) client_transport = g_object_new (WAMP_TYPE_WEBSOCKET_TRANSPORT, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampConnection) conn = NULL;
  g_autoptr(GByteArray) req = NULL;
  g_autoptr(GByteArray) in = g_byte_array_new ();
  g_autoptr(WampWebsocketCodec) server_codec = NULL;
  g_autoptr(GBytes) batch = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key = NULL;
  g_autofree char *accept = NULL;
  g_autofree char *response = NULL;
  g_autoptr(GBytes) hello = g_bytes_new_static ("[1]", 3);
  Received r = { 0, };
  const char *k;
  guint16 code = 0;
  const char *reason = NULL;
  gboolean eof;
  gint64 deadline;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (listener, any, TRUE, &error));
  g_assert_true (g_socket_listen (listener, &error));
  g_assert_no_error (error);
  bound = g_socket_get_local_address (listener, &error);
  url = g_strdup_printf ("ws://127.0.0.1:%u/ws",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  wamp_transport_connect_async (client_transport, f->reactor, url, f->serializers, NULL,
                                test_store_result_cb, &result);
  g_socket_set_blocking (listener, FALSE);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (s == NULL && g_get_monotonic_time () < deadline)
    {
      g_autoptr(GError) accept_error = NULL;

      g_main_context_iteration (NULL, FALSE);
      s = g_socket_accept (listener, NULL, &accept_error);
      if (s == NULL)
        g_usleep (1000);
    }
  g_assert_nonnull (s);
  g_socket_set_blocking (s, FALSE);

  /* Plain subprotocols first, then the batched ones. */
  req = raw_read_until (s, "\r\n\r\n", &eof);
  g_assert_nonnull (g_strstr_len ((const char *) req->data, req->len,
                                  "Sec-WebSocket-Protocol: wamp.2.json, wamp.2.json.batched\r\n"));
  k = g_strstr_len ((const char *) req->data, req->len, "Sec-WebSocket-Key: ");
  g_assert_nonnull (k);
  k += strlen ("Sec-WebSocket-Key: ");
  key = g_strndup (k, strcspn (k, "\r"));
  accept = wamp_websocket_compute_accept (key);
  response = g_strdup_printf ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                              "Sec-WebSocket-Protocol: wamp.2.json.batched\r\n\r\n", accept);
  raw_send (s, response, strlen (response));

  g_assert_true (test_wait_for (test_cond_nonnull, &result, 5000));
  conn = wamp_transport_connect_finish (client_transport, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conn);
  test_peer_attach (&f->client, conn);
  g_assert_cmpstr (transport_protocol (conn), ==, "wamp.2.json.batched");

  /* What the client sends is a batch of one, masked. */
  g_assert_true (wamp_connection_send (conn, hello, &error));
  g_assert_no_error (error);
  server_codec = wamp_websocket_codec_new (WAMP_WEBSOCKET_ROLE_SERVER, FALSE, 1 << 20,
                                           &received_codec_funcs, &r);
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (r.messages == 0 && g_get_monotonic_time () < deadline)
    {
      g_byte_array_set_size (in, 0);
      raw_read_at_least (s, in, 1);
      if (in->len > 0)
        g_assert_cmpint (wamp_websocket_codec_feed (server_codec, in->data, in->len, &code, &reason),
                         !=, WAMP_WEBSOCKET_CODEC_FAILED);
    }
  g_assert_cmpuint (r.messages, ==, 1);
  g_assert_cmpmem (g_bytes_get_data (r.last, NULL), g_bytes_get_size (r.last), "[1]\x18", 4);

  /* What the server sends is split into its messages. */
  batch = wamp_websocket_codec_encode_frame (server_codec, WAMP_WEBSOCKET_OP_TEXT,
                                             (const guint8 *) "[2]\x18[3]\x1e", 8);
  raw_send (s, g_bytes_get_data (batch, NULL), g_bytes_get_size (batch));
  g_assert_true (test_wait_count (&f->client.frames->len, 2));
  g_assert_cmpmem (g_bytes_get_data (f->client.frames->pdata[0], NULL),
                   g_bytes_get_size (f->client.frames->pdata[0]), "[2]", 3);
  g_assert_cmpmem (g_bytes_get_data (f->client.frames->pdata[1], NULL),
                   g_bytes_get_size (f->client.frames->pdata[1]), "[3]", 3);
  g_clear_pointer (&r.last, g_bytes_unref);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_log_set_writer_func (counting_log_writer, NULL, NULL);
  g_test_summary ("The websocket transport over 127.0.0.1 with a fake JSON serializer.");

#define ADD(path, options, func) \
  g_test_add (path, Fixture, options, fixture_setup, func, fixture_teardown)

  g_test_add ("/websocket/transport/batched/json-0x1e-and-0x18-read-0x18-written", Fixture, NULL,
              fixture_setup, test_batched_json_both_ways, fixture_teardown);
  g_test_add ("/websocket/transport/batched/binary-length-prefixed-both-ways", Fixture, NULL,
              fixture_setup_binary, test_batched_binary_both_ways, fixture_teardown);
  g_test_add ("/websocket/transport/batched/large-message-written-in-parts-separator-last", Fixture, NULL,
              fixture_setup, test_batched_large_message_written_in_parts, fixture_teardown);
  g_test_add ("/websocket/transport/batched/length-beyond-message-gets-1007", Fixture, NULL,
              fixture_setup_binary, test_batched_length_beyond_message_gets_1007, fixture_teardown);
  g_test_add ("/websocket/transport/batched/json-unterminated-gets-1007", Fixture, NULL,
              fixture_setup, test_batched_json_unterminated_gets_1007, fixture_teardown);
  g_test_add ("/websocket/transport/batched/plain-wins-over-batched-of-same-serializer", Fixture, NULL,
              fixture_setup, test_batched_plain_wins_for_one_serializer, fixture_teardown);
  g_test_add ("/websocket/transport/batched/client-offers-batched-and-speaks-it-when-chosen", Fixture, NULL,
              fixture_setup, test_client_speaks_batched_when_server_picks_it, fixture_teardown);
  g_test_add ("/websocket/transport/batched/serializer-order-decides-before-variant", Fixture, NULL,
              fixture_setup_binary, test_batched_other_serializer_order_decides, fixture_teardown);
  g_test_add_func ("/websocket/transport/configure/unknown-keys-are-refused-with-their-path",
                   test_configure_rejects_unknown_keys);
  g_test_add_func ("/websocket/transport/configure/port-required-and-values-checked",
                   test_configure_requires_port_and_checks_range);
  ADD ("/websocket/transport/frames/text-both-ways-including-1-MiB", NULL, test_frames_both_ways);
  ADD ("/websocket/transport/frames/twenty-clients-at-once", NULL, test_twenty_clients_at_once);
  ADD ("/websocket/transport/frames/send-right-after-accept-is-delivered", NULL,
       test_send_before_start_is_delivered);
  ADD ("/websocket/transport/frames/bytes-right-behind-handshake-are-not-lost", NULL,
       test_frames_right_behind_handshake_are_not_lost);
  ADD ("/websocket/transport/handshake/without-subprotocol-gets-400", NULL,
       test_handshake_without_subprotocol_gets_400);
  ADD ("/websocket/transport/handshake/unknown-subprotocol-gets-400", NULL,
       test_handshake_with_unknown_subprotocol_gets_400);
  ADD ("/websocket/transport/handshake/plain-http-gets-404-or-426", NULL,
       test_plain_http_gets_404_or_426);
  ADD ("/websocket/transport/handshake/timeout-drops-silent-client", "{ \"handshake_timeout\": 1 }",
       test_handshake_timeout_drops_silent_client);
  ADD ("/websocket/transport/limits/frame-over-max-gets-close-1009", "{ \"max_message_size\": 1000 }",
       test_frame_over_max_gets_close_1009);
  g_test_add_func ("/websocket/transport/configure/queue-overflow-is-disconnect-or-drop",
                   test_configure_queue_overflow_values);
  ADD ("/websocket/transport/limits/overflow-drop-refuses-frame-keeps-connection-then-recovers",
       "{ \"max_queue_bytes\": 65536, \"queue_overflow\": \"drop\" }",
       test_overflow_drop_refuses_frame_and_keeps_connection);
  ADD ("/websocket/transport/limits/overflow-disconnect-reports-1008-once-outside-send",
       "{ \"max_queue_bytes\": 65536 }", test_overflow_disconnect_closes_with_1008);
  ADD ("/websocket/transport/close/peer-close-reports-closed-once", NULL,
       test_peer_close_reports_closed_once);
  ADD ("/websocket/transport/close/echo-and-close-from-frame-callback", NULL,
       test_server_echo_and_close_from_frame_callback);
  ADD ("/websocket/transport/close/abrupt-disconnect-reports-1006", NULL,
       test_abrupt_disconnect_reports_1006);
  ADD ("/websocket/transport/close/write-error-reports-closed-outside-send", NULL,
       test_write_error_reports_closed_outside_send);
  ADD ("/websocket/transport/close/peer-close-is-answered-with-1000", NULL,
       test_close_is_answered_with_1000);
  ADD ("/websocket/transport/close/unmasked-client-frame-gets-1002", NULL,
       test_unmasked_client_frame_gets_1002);
  ADD ("/websocket/transport/ping/unanswered-pings-drop-connection",
       "{ \"ping_interval\": 1, \"ping_timeout\": 1 }", test_unanswered_pings_drop_connection);
  ADD ("/websocket/transport/ping/answered-pings-keep-connection",
       "{ \"ping_interval\": 1, \"ping_timeout\": 1 }", test_answered_pings_keep_connection);
  g_test_add_func ("/websocket/transport/ipv6/url-in-brackets-and-client-connects",
                   test_ipv6_listener_url_and_connect);
  ADD ("/websocket/transport/adopt/replays-sniffed-bytes-into-the-handshake", NULL,
       test_adopt_replays_sniffed_bytes);
  ADD ("/websocket/transport/client/connect-refused-fails", NULL, test_connect_refused_fails);
  g_test_add_func ("/websocket/transport/unix/upgrade-and-frames-on-a-unix-socket",
                   test_unix_endpoint_upgrade_and_frames);
  g_test_add_func ("/websocket/transport/tls/wss-frames-and-client-certificate-in-details",
                   test_wss_frames_and_client_certificate);
  g_test_add_func ("/websocket/transport/tls/client-trusts-test-ca-and-presents-certificate",
                   test_wss_client_with_test_ca_and_certificate);
  g_test_add_func ("/websocket/transport/tls/client-without-certificate-refused",
                   test_wss_client_without_certificate_refused);
  ADD ("/websocket/transport/client/wrong-path-fails-with-404", NULL, test_connect_to_wrong_path_fails);

  return g_test_run ();
}
