/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of RawSocket connections over socketpairs on the reactor (handshake
 * outcomes, frames, pings, limits, queue, close) and of the transport over
 * 127.0.0.1 and a Unix socket (config, URLs, client, adopt, max_connections). */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wamp-connection-private.h"
#include "wamp-transport-private.h"
#include "wamp-rawsocket-codec.h"
#include "wamp-rawsocket-connection.h"
#include "wamp-rawsocket-transport.h"
#include "wamp-test-pki.h"
#include "transport-test-util.h"

/* Fixture */

typedef struct
{
  WampReactor *reactor;
  GPtrArray *serializers; /* json (id 1) only, unless a test adds */
  guint *open_count;

  /* A connection over a socketpair: ours, and the raw fd the test speaks on. */
  WampRawsocketConnection *conn;
  int raw_fd;
  guint ready;
  GError *ready_error;
  TestPeer server;

  /* The transport tests. */
  WampTransport *transport;
  guint accepted;
  char *tmpdir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->reactor = wamp_reactor_new (NULL);
  f->serializers = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (f->serializers, test_fake_serializer_new ("json", 1, FALSE));
  f->open_count = g_rc_box_new0 (guint);
  f->raw_fd = -1;
  test_peer_init (&f->server);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_peer_clear (&f->server, TRUE);
  if (f->conn != NULL)
    {
      wamp_rawsocket_connection_abort (f->conn);
      g_clear_object (&f->conn);
    }
  if (f->raw_fd >= 0)
    close (f->raw_fd);
  g_clear_error (&f->ready_error);
  if (f->transport != NULL)
    {
      wamp_transport_stop (f->transport);
      g_clear_object (&f->transport);
    }
  for (int i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  if (f->tmpdir != NULL)
    {
      g_rmdir (f->tmpdir);
      g_free (f->tmpdir);
    }
  g_ptr_array_unref (f->serializers);
  g_rc_box_release (f->open_count);
  g_clear_object (&f->reactor);
}

/* The raw side: non-blocking, so the reactor runs while the test waits. */

typedef struct
{
  int fd;
  GByteArray *buf;
  gsize want;
  gboolean eof;
} RawRead;

static gboolean
cond_raw_read (gpointer data)
{
  RawRead *r = data;

  while (r->buf->len < r->want && !r->eof)
    {
      guint8 tmp[65536];
      ssize_t n = recv (r->fd, tmp, MIN (sizeof tmp, r->want - r->buf->len), MSG_DONTWAIT);

      if (n > 0)
        g_byte_array_append (r->buf, tmp, (guint) n);
      else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        r->eof = TRUE;
      else
        break;
    }
  return r->buf->len >= r->want || r->eof;
}

/* Reads exactly @len bytes (fewer at EOF). Returns: (transfer full). */
static GByteArray *
raw_read (Fixture *f, gsize len)
{
  RawRead r = { f->raw_fd, g_byte_array_new (), len, FALSE };

  test_wait_for (cond_raw_read, &r, 5000);
  return r.buf;
}

/* Waits for EOF; returns what came before it (or G_MAXSIZE bytes on timeout). */
static gboolean
raw_wait_eof (Fixture *f, guint timeout_ms, gsize *extra)
{
  RawRead r = { f->raw_fd, g_byte_array_new (), G_MAXSIZE, FALSE };

  test_wait_for (cond_raw_read, &r, timeout_ms);
  if (extra != NULL)
    *extra = r.buf->len;
  g_byte_array_unref (r.buf);
  return r.eof;
}

static void
raw_write (Fixture *f, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = send (f->raw_fd, p, len, MSG_NOSIGNAL);

      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        {
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      g_assert_cmpint (n, >, 0);
      p += n;
      len -= (gsize) n;
    }
}

static void
raw_write_frame (Fixture *f, WampRawsocketFrameType type, const void *payload, gsize len)
{
  guint8 header[4];

  wamp_rawsocket_encode_frame_header (header, type, len);
  raw_write (f, header, 4);
  if (len > 0)
    raw_write (f, payload, len);
}

/* Reads one frame from the raw side: its type, its payload. */
static GBytes *
raw_read_frame (Fixture *f, guint *type)
{
  g_autoptr(GByteArray) header = raw_read (f, 4);
  GByteArray *payload;
  gsize len;

  g_assert_cmpuint (header->len, ==, 4);
  g_assert_cmphex (header->data[0] & 0xF0, ==, 0);
  *type = header->data[0] & 0x07;
  len = ((gsize) header->data[1] << 16) | ((gsize) header->data[2] << 8) | header->data[3];
  payload = raw_read (f, len);
  g_assert_cmpuint (payload->len, ==, len);
  return g_byte_array_free_to_bytes (payload);
}

/* A connection over a socketpair */

static void
ready_cb (WampRawsocketConnection *conn, const GError *error, gpointer user_data)
{
  Fixture *f = user_data;

  f->ready++;
  if (error != NULL)
    f->ready_error = g_error_copy (error);
  else if (wamp_rawsocket_connection_get_peer_max_message_size (conn) > 0)
    test_peer_attach (&f->server, WAMP_CONNECTION (conn));
}

static void
make_connection (Fixture *f, WampRawsocketRole role, const WampRawsocketOptions *options,
                 GBytes *initial)
{
  int sv[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  WampRawsocketOptions defaults;

  if (options == NULL)
    {
      wamp_rawsocket_options_init (&defaults);
      options = &defaults;
    }
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], &error);
  g_assert_no_error (error);
  f->raw_fd = sv[1];
  f->conn = wamp_rawsocket_connection_new (f->reactor, socket, NULL, role, f->serializers,
                                           options, f->open_count);
  wamp_rawsocket_connection_start (f->conn, initial, ready_cb, f);
}

/* Client hello for the JSON fake with a 2^(9+@exponent) limit. */
static void
send_hello (Fixture *f, guint exponent, guint8 id)
{
  guint8 hello[4];

  wamp_rawsocket_encode_handshake (hello, exponent, id);
  raw_write (f, hello, 4);
}

static void
open_server (Fixture *f, const WampRawsocketOptions *options, guint client_exponent)
{
  g_autoptr(GByteArray) reply = NULL;

  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, options, NULL);
  send_hello (f, client_exponent, 1);
  reply = raw_read (f, 4);
  g_assert_cmpuint (reply->len, ==, 4);
  g_assert_cmphex (reply->data[0], ==, 0x7F);
  g_assert_cmphex (reply->data[1] & 0x0F, ==, 1);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_no_error (f->ready_error);
  g_assert_nonnull (f->server.conn);
}

static void
test_handshake_then_frames (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) reply = NULL;
  g_autoptr(GBytes) out = g_bytes_new_static ("[2,1,{}]", 8);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(WampValue) details = NULL;
  WampRawsocketOptions options;
  guint type;

  wamp_rawsocket_options_init (&options);
  options.max_message_size = 100000; /* announced as 2^16 */
  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, &options, NULL);
  send_hello (f, 3, 1);
  reply = raw_read (f, 4);
  /* Exponent 7 (65536 ≤ 100000 < 131072), serializer 1. */
  g_assert_cmpmem (reply->data, reply->len, "\x7F\x71\x00\x00", 4);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_no_error (f->ready_error);
  g_assert_cmpuint (*f->open_count, ==, 1);
  g_assert_cmpuint (wamp_rawsocket_connection_get_peer_max_message_size (f->conn), ==, 4096);
  g_assert_cmpstr (wamp_serializer_get_name (wamp_connection_get_serializer (WAMP_CONNECTION (f->conn))),
                   ==, "json");
  details = wamp_connection_get_transport_details (WAMP_CONNECTION (f->conn));
  g_assert_cmpstr (wamp_value_get_string (wamp_value_dict_lookup (details, "type"), NULL), ==,
                   "rawsocket");
  g_assert_cmpstr (wamp_value_get_string (wamp_value_dict_lookup (details, "protocol"), NULL), ==,
                   "wamp.2.json");

  /* TestPeer to us. */
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_REGULAR, "[1,\"realm1\",{}]", 15);
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL),
                   g_bytes_get_size (f->server.frames->pdata[0]), "[1,\"realm1\",{}]", 15);
  /* Us to the peer. */
  g_assert_true (wamp_connection_send (WAMP_CONNECTION (f->conn), out, NULL));
  got = raw_read_frame (f, &type);
  g_assert_cmpuint (type, ==, WAMP_RAWSOCKET_FRAME_REGULAR);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "[2,1,{}]", 8);
}

/* The handshake refusals: exact reply octets, then the connection ends. */
static void
assert_refused (Fixture *f, const guint8 hello[4], const char *expected_reply, gsize reply_len)
{
  g_autoptr(GByteArray) reply = NULL;
  gsize extra = 0;

  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, NULL, NULL);
  raw_write (f, hello, 4);
  reply = raw_read (f, 4);
  g_assert_cmpmem (reply->data, reply->len, expected_reply, reply_len);
  g_assert_true (raw_wait_eof (f, 5000, &extra));
  g_assert_cmpuint (extra, ==, 0);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_nonnull (f->ready_error);
  /* Never handed to the core. */
  g_assert_null (f->server.conn);
}

static void
test_refused_serializer_unsupported (Fixture *f, gconstpointer data)
{
  const guint8 hello[4] = { 0x7F, 0xF2, 0, 0 }; /* MessagePack: not offered */

  assert_refused (f, hello, "\x7F\x10\x00\x00", 4);
  g_assert_nonnull (strstr (f->ready_error->message, "serializer unsupported"));
}

static void
test_refused_serializer_zero (Fixture *f, gconstpointer data)
{
  const guint8 hello[4] = { 0x7F, 0xF0, 0, 0 };

  assert_refused (f, hello, "\x7F\x10\x00\x00", 4);
}

static void
test_refused_reserved_bits (Fixture *f, gconstpointer data)
{
  const guint8 hello[4] = { 0x7F, 0xF1, 0x00, 0x80 };

  assert_refused (f, hello, "\x7F\x30\x00\x00", 4);
  g_assert_nonnull (strstr (f->ready_error->message, "reserved bits"));
}

static void
test_refused_max_connections (Fixture *f, gconstpointer data)
{
  const guint8 hello[4] = { 0x7F, 0xF1, 0, 0 };
  g_autoptr(GByteArray) reply = NULL;
  WampRawsocketOptions options;

  wamp_rawsocket_options_init (&options);
  options.max_connections = 2;
  *f->open_count = 2; /* two others are open */
  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, &options, NULL);
  raw_write (f, hello, 4);
  reply = raw_read (f, 4);
  g_assert_cmpmem (reply->data, reply->len, "\x7F\x40\x00\x00", 4);
  g_assert_true (raw_wait_eof (f, 5000, NULL));
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_nonnull (strstr (f->ready_error->message, "maximum connection count"));
  g_assert_cmpuint (*f->open_count, ==, 2);
}

static void
test_wrong_magic_closes_silently (Fixture *f, gconstpointer data)
{
  gsize extra = 99;

  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, NULL, NULL);
  raw_write (f, "GET / HTTP/1.1\r\n", 16);
  /* No reply at all: the spec says fail the connection. */
  g_assert_true (raw_wait_eof (f, 5000, &extra));
  g_assert_cmpuint (extra, ==, 0);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_nonnull (f->ready_error);
}

static void
test_handshake_timeout (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;
  gint64 start;

  wamp_rawsocket_options_init (&options);
  options.handshake_timeout_ms = 200;
  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, &options, NULL);
  start = g_get_monotonic_time ();
  /* A slow loris: two octets of four, then nothing. */
  raw_write (f, "\x7F\xF1", 2);
  g_assert_true (raw_wait_eof (f, 5000, NULL));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * 1000);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_error (f->ready_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_ping_answered (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) pong = NULL;
  guint type;

  open_server (f, NULL, 15);
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_PING, "\x00\x01payload\xff", 10);
  pong = raw_read_frame (f, &type);
  g_assert_cmpuint (type, ==, WAMP_RAWSOCKET_FRAME_PONG);
  g_assert_cmpmem (g_bytes_get_data (pong, NULL), g_bytes_get_size (pong), "\x00\x01payload\xff", 10);
  /* An empty PING gets an empty PONG; a PONG we never asked for is fine. */
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_PONG, "x", 1);
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_PING, NULL, 0);
  g_clear_pointer (&pong, g_bytes_unref);
  pong = raw_read_frame (f, &type);
  g_assert_cmpuint (type, ==, WAMP_RAWSOCKET_FRAME_PONG);
  g_assert_cmpuint (g_bytes_get_size (pong), ==, 0);
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_cmpuint (f->server.frames->len, ==, 0);
}

static void
test_keepalive_drops_silent_peer (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;
  g_autoptr(GBytes) ping = NULL;
  guint type;

  wamp_rawsocket_options_init (&options);
  options.ping_interval_ms = 50;
  options.ping_timeout_ms = 150;
  open_server (f, &options, 15);
  ping = raw_read_frame (f, &type);
  g_assert_cmpuint (type, ==, WAMP_RAWSOCKET_FRAME_PING);
  /* Never answered. */
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpstr (f->server.close_reason, ==, "ping timeout");
  g_assert_true (raw_wait_eof (f, 5000, NULL));
  g_assert_cmpuint (*f->open_count, ==, 0);
}

static void
test_keepalive_kept_by_pongs (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;
  gint64 end;
  guint pings = 0;

  wamp_rawsocket_options_init (&options);
  options.ping_interval_ms = 50;
  options.ping_timeout_ms = 150;
  open_server (f, &options, 15);
  end = g_get_monotonic_time () + 500 * 1000;
  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GBytes) ping = NULL;
      guint type;

      ping = raw_read_frame (f, &type);
      g_assert_cmpuint (type, ==, WAMP_RAWSOCKET_FRAME_PING);
      raw_write_frame (f, WAMP_RAWSOCKET_FRAME_PONG, g_bytes_get_data (ping, NULL),
                       g_bytes_get_size (ping));
      pings++;
    }
  g_assert_cmpuint (pings, >=, 3);
  g_assert_cmpuint (f->server.closed, ==, 0);
}

static void
test_send_beyond_peer_maximum (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) too_big = g_bytes_new_take (g_strnfill (513, 'b'), 513);
  g_autoptr(GBytes) fits = g_bytes_new_take (g_strnfill (512, 'a'), 512);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  guint type;

  open_server (f, NULL, 0); /* the peer accepts 512 octets */
  g_assert_false (wamp_connection_send (WAMP_CONNECTION (f->conn), too_big, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED);
  /* That message only: the connection carries on. */
  g_assert_true (wamp_connection_send (WAMP_CONNECTION (f->conn), fits, NULL));
  got = raw_read_frame (f, &type);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 512);
  test_spin (20);
  g_assert_cmpuint (f->server.closed, ==, 0);
}

static void
test_incoming_beyond_limit (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;

  wamp_rawsocket_options_init (&options);
  options.max_message_size = 1024;
  open_server (f, &options, 15);
  raw_write (f, "\x00\x00\x04\x01", 4); /* claims 1025 */
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_TOO_BIG);
  g_assert_true (raw_wait_eof (f, 5000, NULL));
  g_assert_cmpuint (f->server.frames->len, ==, 0);
}

static void
test_garbage_after_handshake (Fixture *f, gconstpointer data)
{
  open_server (f, NULL, 15);
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_REGULAR, "[6,{},\"a\"]", 10);
  raw_write (f, "\x05\x00\x00\x01x", 5); /* reserved frame type */
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_PROTOCOL_ERROR);
  g_assert_cmpuint (f->server.frames->len, ==, 1);
  g_assert_true (raw_wait_eof (f, 5000, NULL));
}

static void
test_trickled_byte_by_byte (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) stream = g_byte_array_new ();
  guint8 header[4];
  g_autoptr(GByteArray) reply = NULL;

  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, NULL, NULL);
  wamp_rawsocket_encode_handshake (header, 15, 1);
  g_byte_array_append (stream, header, 4);
  wamp_rawsocket_encode_frame_header (header, WAMP_RAWSOCKET_FRAME_REGULAR, 5);
  g_byte_array_append (stream, header, 4);
  g_byte_array_append (stream, (const guint8 *) "first", 5);
  wamp_rawsocket_encode_frame_header (header, WAMP_RAWSOCKET_FRAME_REGULAR, 6);
  g_byte_array_append (stream, header, 4);
  g_byte_array_append (stream, (const guint8 *) "second", 6);
  for (guint i = 0; i < stream->len; i++)
    {
      raw_write (f, stream->data + i, 1);
      test_spin (2);
    }
  reply = raw_read (f, 4);
  g_assert_cmpmem (reply->data, reply->len, "\x7F\xF1\x00\x00", 4);
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL), 5, "first", 5);
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[1], NULL), 6, "second", 6);
}

static void
test_initial_bytes (Fixture *f, gconstpointer data)
{
  /* What a universal port read before handing over: the handshake and a frame. */
  g_autoptr(GBytes) initial = g_bytes_new_static ("\x7F\xF1\x00\x00\x00\x00\x00\x03" "abc", 11);
  g_autoptr(GByteArray) reply = NULL;

  make_connection (f, WAMP_RAWSOCKET_ROLE_SERVER, NULL, initial);
  reply = raw_read (f, 4);
  g_assert_cmpmem (reply->data, reply->len, "\x7F\xF1\x00\x00", 4);
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL), 3, "abc", 3);
}

static void
fill_until_refused (Fixture *f, GError **error)
{
  g_autoptr(GBytes) chunk = g_bytes_new_take (g_malloc0 (60000), 60000);

  for (guint i = 0; i < 10000; i++)
    if (!wamp_connection_send (WAMP_CONNECTION (f->conn), chunk, error))
      return;
  g_assert_not_reached ();
}

static void
test_queue_overflow_drop (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;
  g_autoptr(GError) error = NULL;

  wamp_rawsocket_options_init (&options);
  options.max_queue_bytes = 256 * 1024;
  options.queue_overflow = WAMP_QUEUE_OVERFLOW_DROP;
  open_server (f, &options, 15);
  /* The peer reads nothing. */
  fill_until_refused (f, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_cmpuint (wamp_connection_get_queued_bytes (WAMP_CONNECTION (f->conn)), <=, 256 * 1024);
  test_spin (50);
  g_assert_cmpuint (f->server.closed, ==, 0);
}

static void
test_queue_overflow_disconnect (Fixture *f, gconstpointer data)
{
  WampRawsocketOptions options;
  g_autoptr(GError) error = NULL;

  wamp_rawsocket_options_init (&options);
  options.max_queue_bytes = 256 * 1024;
  open_server (f, &options, 15);
  fill_until_refused (f, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  /* Reported from the reactor, not from inside send(). */
  g_assert_cmpuint (f->server.closed, ==, 0);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_POLICY_VIOLATION);
  g_assert_cmpstr (f->server.close_reason, ==, "outgoing queue overflow");
}

static void
test_close_flushes_then_eof (Fixture *f, gconstpointer data)
{
  g_autoptr(GBytes) big = g_bytes_new_take (g_strnfill (300000, 'q'), 300000);
  g_autoptr(GBytes) got = NULL;
  guint type;
  gsize extra = 0;

  open_server (f, NULL, 15);
  g_assert_true (wamp_connection_send (WAMP_CONNECTION (f->conn), big, NULL));
  wamp_connection_close (WAMP_CONNECTION (f->conn), WAMP_CLOSE_NORMAL, "bye");
  /* Closing: no more sends, and the close is not reported from inside close(). */
  g_assert_false (wamp_connection_send (WAMP_CONNECTION (f->conn), big, NULL));
  g_assert_cmpuint (f->server.closed, ==, 0);
  got = raw_read_frame (f, &type);
  g_assert_cmpuint (g_bytes_get_size (got), ==, 300000);
  g_assert_true (raw_wait_eof (f, 5000, &extra));
  g_assert_cmpuint (extra, ==, 0);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_NORMAL);
  g_assert_cmpstr (f->server.close_reason, ==, "bye");
  test_spin (20);
  g_assert_cmpuint (f->server.closed, ==, 1);
  g_assert_cmpuint (*f->open_count, ==, 0);
}

static void
test_peer_hangup_reported (Fixture *f, gconstpointer data)
{
  open_server (f, NULL, 15);
  close (f->raw_fd);
  f->raw_fd = -1;
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_cmpint (f->server.close_code, ==, WAMP_CLOSE_ABNORMAL);
  g_assert_cmpuint (*f->open_count, ==, 0);
}

/* The client role against a raw router */

static void
test_client_handshake (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) hello = NULL;
  g_autoptr(GBytes) too_big = g_bytes_new_take (g_strnfill (2049, 'c'), 2049);
  g_autoptr(GBytes) fits = g_bytes_new_static ("[1]", 3);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GError) error = NULL;
  guint type;

  make_connection (f, WAMP_RAWSOCKET_ROLE_CLIENT, NULL, NULL);
  hello = raw_read (f, 4);
  /* 16 MiB by default, JSON. */
  g_assert_cmpmem (hello->data, hello->len, "\x7F\xF1\x00\x00", 4);
  raw_write (f, "\x7F\x21\x00\x00", 4); /* the router accepts 2 KiB */
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_REGULAR, "[2]", 3);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_no_error (f->ready_error);
  /* Paused until resumed, so the owner attaches its sink first. */
  test_spin (20);
  g_assert_cmpuint (f->server.frames->len, ==, 0);
  wamp_rawsocket_connection_resume (f->conn);
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_false (wamp_connection_send (WAMP_CONNECTION (f->conn), too_big, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED);
  g_assert_true (wamp_connection_send (WAMP_CONNECTION (f->conn), fits, NULL));
  got = raw_read_frame (f, &type);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), "[1]", 3);
}

static void
test_client_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) hello = NULL;

  make_connection (f, WAMP_RAWSOCKET_ROLE_CLIENT, NULL, NULL);
  hello = raw_read (f, 4);
  raw_write (f, "\x7F\x40\x00\x00", 4);
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_error (f->ready_error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (f->ready_error->message, "maximum connection count reached"));
}

static void
test_client_wrong_serializer_echo (Fixture *f, gconstpointer data)
{
  g_autoptr(GByteArray) hello = NULL;

  make_connection (f, WAMP_RAWSOCKET_ROLE_CLIENT, NULL, NULL);
  hello = raw_read (f, 4);
  raw_write (f, "\x7F\xF2\x00\x00", 4); /* MessagePack, which we did not ask for */
  g_assert_true (test_wait_count (&f->ready, 1));
  g_assert_nonnull (f->ready_error);
  g_assert_true (raw_wait_eof (f, 5000, NULL));
}

/* The transport */

static void
accept_cb (WampTransport *transport, WampConnection *connection, gpointer user_data)
{
  Fixture *f = user_data;

  f->accepted++;
  test_peer_attach (&f->server, connection);
}

static gboolean
configure_transport (Fixture *f, const char *endpoint_json, const char *options_json,
                     GError **error)
{
  g_autofree char *json = g_strdup_printf (
    "{ \"name\": \"rs\", \"type\": \"rawsocket\", \"endpoint\": %s,"
    "  \"serializers\": [\"json\"] %s%s }",
    endpoint_json, options_json != NULL ? ", \"options\": " : "",
    options_json != NULL ? options_json : "");
  g_autoptr(WampValue) config = wamp_config_parse (json, -1, NULL);

  g_assert_nonnull (config);
  if (f->transport == NULL)
    {
      f->transport = g_object_new (WAMP_TYPE_RAWSOCKET_TRANSPORT, NULL);
      wamp_transport_set_accept_func (f->transport, accept_cb, f);
    }
  return wamp_transport_configure (f->transport, f->reactor, config, "$.transports[1]",
                                   f->serializers, error);
}

/* Configures and starts the transport on @endpoint_json; it must listen on
 * one URL. Returns: (transfer full): that URL. */
static char *
start_transport (Fixture *f, const char *endpoint_json, const char *options_json)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;

  g_assert_true (configure_transport (f, endpoint_json, options_json, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_transport_start (f->transport, &error));
  g_assert_no_error (error);
  urls = wamp_transport_get_urls (f->transport);
  g_assert_cmpuint (g_strv_length (urls), ==, 1);
  return g_strdup (urls[0]);
}

/* @database, @certificate (nullable): the client's TLS settings.
 * Returns: (transfer full) (nullable). */
static WampConnection *
connect_client_tls (Fixture *f, const char *url, GTlsDatabase *database,
                    GTlsCertificate *certificate, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampTransport) client = g_object_new (WAMP_TYPE_RAWSOCKET_TRANSPORT, NULL);

  wamp_transport_set_client_tls (client, database, certificate);
  wamp_transport_connect_async (client, f->reactor, url, f->serializers, NULL,
                                test_store_result_cb, &result);
  g_assert_true (test_wait_for (test_cond_nonnull, &result, 5000));
  return wamp_transport_connect_finish (client, result, error);
}

/* Returns: (transfer full) (nullable). */
static WampConnection *
connect_client (Fixture *f, const char *url, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampTransport) client = g_object_new (WAMP_TYPE_RAWSOCKET_TRANSPORT, NULL);

  wamp_transport_connect_async (client, f->reactor, url, f->serializers, NULL,
                                test_store_result_cb, &result);
  g_assert_true (test_wait_for (test_cond_nonnull, &result, 5000));
  return wamp_transport_connect_finish (client, result, error);
}

static void
exchange_tls (Fixture *f, const char *url, GTlsDatabase *database, GTlsCertificate *certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampConnection) client_conn = NULL;
  g_autoptr(GBytes) hello = g_bytes_new_static ("[1,\"realm1\",{}]", 15);
  g_autoptr(GBytes) welcome = g_bytes_new_static ("[2,1,{}]", 8);
  g_autoptr(GBytes) big = g_bytes_new_take (g_strnfill (200000, 'b'), 200000);
  TestPeer client;

  test_peer_init (&client);
  client_conn = connect_client_tls (f, url, database, certificate, &error);
  g_assert_no_error (error);
  g_assert_nonnull (client_conn);
  test_peer_attach (&client, client_conn);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_true (wamp_connection_send (client_conn, hello, NULL));
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[0], hello));
  g_assert_true (wamp_connection_send (f->server.conn, welcome, NULL));
  g_assert_true (test_wait_count (&client.frames->len, 1));
  g_assert_true (g_bytes_equal (client.frames->pdata[0], welcome));
  /* Larger than a socket buffer (and many TLS records) both ways. */
  g_assert_true (wamp_connection_send (f->server.conn, big, NULL));
  g_assert_true (wamp_connection_send (client_conn, big, NULL));
  g_assert_true (test_wait_count (&client.frames->len, 2));
  g_assert_true (test_wait_count (&f->server.frames->len, 2));
  g_assert_true (g_bytes_equal (client.frames->pdata[1], big));
  g_assert_true (g_bytes_equal (f->server.frames->pdata[1], big));
  /* The client leaves: the router side hears it. */
  wamp_connection_close (client_conn, WAMP_CLOSE_NORMAL, NULL);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  g_assert_true (test_wait_count (&client.closed, 1));
  test_peer_clear (&client, TRUE);
}

static void
exchange (Fixture *f, const char *url)
{
  exchange_tls (f, url, NULL, NULL);
}

static void
test_transport_tcp (Fixture *f, gconstpointer data)
{
  g_autofree char *url = start_transport (f, "{ \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 }",
                                          NULL);

  g_assert_true (g_str_has_prefix (url, "rawsocket+tcp://127.0.0.1:"));
  g_assert_cmpuint (g_ascii_strtoull (url + strlen ("rawsocket+tcp://127.0.0.1:"), NULL, 10), >, 0);
  exchange (f, url);
}

static void
test_transport_tcp6 (Fixture *f, gconstpointer data)
{
  g_autofree char *url = start_transport (f, "{ \"type\": \"tcp\", \"host\": \"::1\", \"port\": 0 }",
                                          NULL);

  g_assert_true (g_str_has_prefix (url, "rawsocket+tcp://[::1]:"));
  /* The client takes the bracketed form back. */
  exchange (f, url);
  g_assert_true (g_str_has_prefix (wamp_connection_get_peer (f->server.conn), "tcp6:[::1]:"));
}

static void
test_transport_unix (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *expected = NULL;

  f->tmpdir = g_dir_make_tmp ("wampd-rawsocket-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->tmpdir, "wampd.sock", NULL);
  endpoint = g_strdup_printf ("{ \"type\": \"unix\", \"path\": \"%s\" }", path);
  url = start_transport (f, endpoint, NULL);
  expected = g_strdup_printf ("rawsocket+unix://%s", path);
  g_assert_cmpstr (url, ==, expected);
  exchange (f, url);
  g_assert_true (g_str_has_prefix (wamp_connection_get_peer (f->server.conn), "unix:"));
  wamp_transport_stop (f->transport);
  /* The listener removes the socket file it created. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
test_transport_tls (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *pki = wamp_test_pki_create ();
  g_autofree char *ca = wamp_test_pki_file (pki, "ca.pem");
  g_autofree char *server_pem = wamp_test_pki_file (pki, "server.pem");
  g_autofree char *server_key = wamp_test_pki_file (pki, "server.key");
  g_autofree char *client_pem = wamp_test_pki_file (pki, "client.pem");
  g_autofree char *client_key = wamp_test_pki_file (pki, "client.key");
  g_autofree char *endpoint = g_strdup_printf (
    "{ \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0, \"tls\": {"
    " \"certificate\": \"%s\", \"key\": \"%s\", \"ca_certificates\": \"%s\" } }",
    server_pem, server_key, ca);
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(WampConnection) refused = NULL;
  g_autoptr(WampValue) details = NULL;
  GTlsCertificate *seen;
  gsize accepted_before;

  url = start_transport (f, endpoint, NULL);
  g_assert_true (g_str_has_prefix (url, "rawsocket+tls://127.0.0.1:"));

  /* Without the test CA the router's certificate is not trusted. */
  refused = connect_client_tls (f, url, NULL, NULL, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_test_message ("untrusted: %s", error->message);
  g_clear_error (&error);
  accepted_before = f->accepted;
  g_assert_cmpuint (accepted_before, ==, 0);

  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  certificate = g_tls_certificate_new_from_files (client_pem, client_key, &error);
  g_assert_no_error (error);
  exchange_tls (f, url, database, certificate);
  /* The router side sees the client's certificate. */
  seen = wamp_connection_get_peer_certificate (f->server.conn);
  g_assert_nonnull (seen);
  g_assert_true (g_tls_certificate_is_same (seen, certificate));
  details = wamp_connection_get_transport_details (f->server.conn);
  g_assert_true (wamp_value_get_bool (wamp_value_dict_lookup (details, "tls")));
  g_assert_nonnull (wamp_value_dict_lookup (details, "tls_client_certificate"));

  wamp_test_pki_remove (pki);
}

static void
test_transport_config_errors (Fixture *f, gconstpointer data)
{
  static const struct { const char *options; const char *needle; } cases[] = {
    { "{ \"bogus\": 1 }", "$.transports[1].options" },
    { "{ \"max_message_size\": 100 }", "max_message_size" },
    { "{ \"queue_overflow\": \"explode\" }", "queue_overflow" },
    { "{ \"handshake_timeout\": 0 }", "handshake_timeout" },
    { "{ \"max_connections\": -1 }", "max_connections" },
  };
  const char *endpoint = "{ \"type\": \"tcp\", \"port\": 0 }";

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (configure_transport (f, endpoint, cases[i].options, &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == WAMP_CONFIG_ERROR);
      g_test_message ("%s → %s", cases[i].options, error->message);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
  {
    g_autoptr(GError) error = NULL;

    /* An unknown top-level key; the endpoint is the listener's to check. */
    g_assert_false (configure_transport (f, "{ \"type\": \"tcp\", \"port\": 0, \"color\": 1 }",
                                         NULL, &error));
    g_assert_nonnull (error);
    g_assert_nonnull (strstr (error->message, "$.transports[1].endpoint"));
  }
  {
    g_autoptr(GError) error = NULL;

    /* Only serializers without a RawSocket id: no client could ever ask. */
    g_ptr_array_set_size (f->serializers, 0);
    g_ptr_array_add (f->serializers, test_fake_serializer_new ("fakebin", 0, TRUE));
    g_assert_false (configure_transport (f, endpoint, NULL, &error));
    g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "$.transports[1].serializers"));
    /* Next to one with an id, it is left out. */
    g_ptr_array_add (f->serializers, test_fake_serializer_new ("json", 1, FALSE));
    g_clear_error (&error);
    g_assert_true (configure_transport (f, endpoint, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_transport_adopt_without_start (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;
  g_autoptr(GBytes) initial = g_bytes_new_static ("\x7F", 1); /* the sniffed octet */
  g_autoptr(GByteArray) reply = NULL;
  int sv[2];

  g_assert_true (configure_transport (f, "{ \"type\": \"tcp\", \"port\": 0 }", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], &error);
  g_assert_no_error (error);
  f->raw_fd = sv[1];
  stream = g_socket_connection_factory_create_connection (socket);
  g_assert_true (wamp_transport_adopt (f->transport, G_IO_STREAM (stream), socket, initial, &error));
  g_assert_no_error (error);
  /* The rest of the handshake and a frame. */
  raw_write (f, "\xF1\x00\x00", 3);
  raw_write_frame (f, WAMP_RAWSOCKET_FRAME_REGULAR, "[1]", 3);
  reply = raw_read (f, 4);
  g_assert_cmpmem (reply->data, reply->len, "\x7F\xF1\x00\x00", 4);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_true (test_wait_count (&f->server.frames->len, 1));
  g_assert_cmpmem (g_bytes_get_data (f->server.frames->pdata[0], NULL), 3, "[1]", 3);
}

static void
test_transport_max_connections (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) urls = NULL;
  g_autoptr(WampConnection) first = NULL;
  g_autoptr(WampConnection) third = NULL;

  g_assert_true (configure_transport (f, "{ \"type\": \"tcp\", \"port\": 0 }",
                                      "{ \"max_connections\": 1 }", &error));
  g_assert_true (wamp_transport_start (f->transport, &error));
  g_assert_no_error (error);
  urls = wamp_transport_get_urls (f->transport);
  first = connect_client (f, urls[0], &error);
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->accepted, 1));
  g_assert_cmpuint (wamp_rawsocket_transport_get_n_open (WAMP_RAWSOCKET_TRANSPORT (f->transport)), ==, 1);

  /* Over the limit: handshake error 4. */
  g_assert_null (connect_client (f, urls[0], &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT);
  g_assert_nonnull (strstr (error->message, "maximum connection count reached"));
  g_clear_error (&error);

  /* Room again once the first leaves. */
  wamp_connection_close (first, WAMP_CLOSE_NORMAL, NULL);
  g_assert_true (test_wait_count (&f->server.closed, 1));
  third = connect_client (f, urls[0], &error);
  g_assert_no_error (error);
  g_assert_true (test_wait_count (&f->accepted, 2));
  wamp_connection_close (third, WAMP_CLOSE_NORMAL, NULL);
}

static void
test_transport_client_bad_urls (Fixture *f, gconstpointer data)
{
  const char *urls[] = { "rawsocket+tcp://127.0.0.1", "ws://127.0.0.1:1/ws", "rawsocket+unix://",
                         "rawsocket+tcp://127.0.0.1:1" /* nobody listens on port 1 */ };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(WampConnection) conn = connect_client (f, urls[i], &error);

      g_assert_null (conn);
      g_assert_nonnull (error);
    }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("RawSocket connections on the reactor and the rawsocket transport");

  ADD ("/rawsocket/connection/handshake-then-frames-both-ways", test_handshake_then_frames);
  ADD ("/rawsocket/connection/refused/serializer-unsupported", test_refused_serializer_unsupported);
  ADD ("/rawsocket/connection/refused/serializer-zero", test_refused_serializer_zero);
  ADD ("/rawsocket/connection/refused/reserved-bits", test_refused_reserved_bits);
  ADD ("/rawsocket/connection/refused/max-connections", test_refused_max_connections);
  ADD ("/rawsocket/connection/wrong-magic-closes-without-reply", test_wrong_magic_closes_silently);
  ADD ("/rawsocket/connection/slow-loris-dropped-after-handshake-timeout", test_handshake_timeout);
  ADD ("/rawsocket/connection/ping-answered-with-same-payload", test_ping_answered);
  ADD ("/rawsocket/connection/keepalive-drops-silent-peer", test_keepalive_drops_silent_peer);
  ADD ("/rawsocket/connection/keepalive-kept-by-pongs", test_keepalive_kept_by_pongs);
  ADD ("/rawsocket/connection/send-beyond-peer-maximum-fails-that-message",
       test_send_beyond_peer_maximum);
  ADD ("/rawsocket/connection/incoming-beyond-limit-fails-connection", test_incoming_beyond_limit);
  ADD ("/rawsocket/connection/garbage-after-handshake-fails-connection", test_garbage_after_handshake);
  ADD ("/rawsocket/connection/trickled-byte-by-byte", test_trickled_byte_by_byte);
  ADD ("/rawsocket/connection/initial-bytes-are-the-stream-start", test_initial_bytes);
  ADD ("/rawsocket/connection/queue-overflow/drop", test_queue_overflow_drop);
  ADD ("/rawsocket/connection/queue-overflow/disconnect", test_queue_overflow_disconnect);
  ADD ("/rawsocket/connection/close-flushes-then-eof", test_close_flushes_then_eof);
  ADD ("/rawsocket/connection/peer-hangup-reported", test_peer_hangup_reported);
  ADD ("/rawsocket/client/handshake-limits-and-pause", test_client_handshake);
  ADD ("/rawsocket/client/refused-with-reason", test_client_refused);
  ADD ("/rawsocket/client/wrong-serializer-in-reply", test_client_wrong_serializer_echo);
  ADD ("/rawsocket/transport/tcp-url-and-exchange", test_transport_tcp);
  ADD ("/rawsocket/transport/tcp6-url-and-exchange", test_transport_tcp6);
  ADD ("/rawsocket/transport/unix-url-and-exchange", test_transport_unix);
  ADD ("/rawsocket/transport/tls-url-client-certificate-and-exchange", test_transport_tls);
  ADD ("/rawsocket/transport/config-errors-name-the-path", test_transport_config_errors);
  ADD ("/rawsocket/transport/adopt-without-start", test_transport_adopt_without_start);
  ADD ("/rawsocket/transport/max-connections", test_transport_max_connections);
  ADD ("/rawsocket/transport/client-bad-urls", test_transport_client_bad_urls);

  return g_test_run ();
}
