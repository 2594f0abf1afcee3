/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampFrameQueue: byte accounting, the overflow bound, vectored
 * writes of prefix + shared payload + suffix over a socketpair, partial
 * writes, dropping what was not started, write errors. */

#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wamp/wamp.h>

typedef struct
{
  WampSocketIo *io; /* our end */
  int peer;         /* the raw fd the test reads */
} Pair;

static void
pair_open (Pair *p, int sndbuf)
{
  int sv[2];
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  if (sndbuf > 0)
    g_assert_cmpint (setsockopt (sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), ==, 0);
  socket = g_socket_new_from_fd (sv[0], &error);
  g_assert_no_error (error);
  p->io = wamp_socket_io_new (socket, NULL);
  p->peer = sv[1];
}

static void
pair_close (Pair *p)
{
  wamp_socket_io_shutdown (p->io);
  g_clear_object (&p->io);
  if (p->peer >= 0)
    close (p->peer);
  p->peer = -1;
}

/* Reads exactly @len bytes from the peer (blocking; the writer is done). */
static GBytes *
read_exactly (int fd, gsize len)
{
  guint8 *buf = g_malloc (len);
  gsize got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, buf + got, len - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
    }
  return g_bytes_new_take (buf, len);
}

static GBytes *
pattern_bytes (gsize len, guint8 seed)
{
  guint8 *buf = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    buf[i] = (guint8) (seed + i * 7);
  return g_bytes_new_take (buf, len);
}

static void
test_accounting (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GBytes) payload = g_bytes_new_static ("hello", 5);
  const guint8 prefix[4] = { 1, 2, 3, 4 };
  const guint8 suffix[1] = { 0x1e };

  g_assert_true (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 0);

  wamp_frame_queue_push (q, prefix, sizeof prefix, payload, suffix, sizeof suffix);
  g_assert_false (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 10);

  /* A header alone (a handshake) and a frame without prefix. */
  wamp_frame_queue_push (q, prefix, sizeof prefix, NULL, NULL, 0);
  wamp_frame_queue_push (q, NULL, 0, payload, NULL, 0);
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 19);

  /* Nobody started any of them: all go. */
  wamp_frame_queue_drop_unstarted (q);
  g_assert_true (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 0);

  wamp_frame_queue_push (q, prefix, sizeof prefix, payload, NULL, 0);
  wamp_frame_queue_clear (q);
  g_assert_true (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 0);
}

static void
test_would_overflow (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GBytes) payload = pattern_bytes (60, 0);

  /* An empty queue takes any frame, even one larger than the bound. */
  g_assert_false (wamp_frame_queue_would_overflow (q, 1000, 100));
  g_assert_false (wamp_frame_queue_would_overflow (q, G_MAXSIZE, 100));

  wamp_frame_queue_push (q, NULL, 0, payload, NULL, 0);
  g_assert_false (wamp_frame_queue_would_overflow (q, 40, 100)); /* exactly the bound */
  g_assert_true (wamp_frame_queue_would_overflow (q, 41, 100));
  /* No wrap-around for huge lengths. */
  g_assert_true (wamp_frame_queue_would_overflow (q, G_MAXSIZE, 100));
  g_assert_true (wamp_frame_queue_would_overflow (q, G_MAXSIZE - 10, G_MAXSIZE - 5));
}

/* Frames come out in order, each as prefix, payload, suffix; the payload is
 * shared, not copied (its GBytes is only referenced while queued). */
static void
test_write_order (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = g_bytes_new_static ("[1,\"x\"]", 7);
  g_autoptr(GBytes) got = NULL;
  const guint8 header[2] = { 0x81, 7 };
  const guint8 sep[1] = { 0x1e };
  GByteArray *want = g_byte_array_new ();
  Pair p;

  pair_open (&p, 0);
  for (guint i = 0; i < 100; i++)
    {
      wamp_frame_queue_push (q, header, sizeof header, payload, sep, sizeof sep);
      g_byte_array_append (want, header, sizeof header);
      g_byte_array_append (want, g_bytes_get_data (payload, NULL), 7);
      g_byte_array_append (want, sep, 1);
    }
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, want->len);

  g_assert_true (wamp_frame_queue_write (q, p.io, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 0);

  got = read_exactly (p.peer, want->len);
  g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got), want->data, want->len);
  g_byte_array_unref (want);
  pair_close (&p);
}

/* A frame larger than the socket takes is written in parts: the queue keeps
 * the rest; dropping what was not started keeps that frame and drops the
 * next; the peer then receives exactly the first frame, whole. */
static void
test_partial_write (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) big = pattern_bytes (4 * 1024 * 1024, 3);
  g_autoptr(GBytes) other = pattern_bytes (1000, 9);
  const guint8 prefix[4] = { 0, 0x40, 0, 0 };
  const guint8 suffix[2] = { 0xaa, 0xbb };
  gsize total = sizeof prefix + g_bytes_get_size (big) + sizeof suffix;
  g_autofree guint8 *received = g_malloc (total);
  gsize got = 0;
  Pair p;

  pair_open (&p, 4096);
  wamp_frame_queue_push (q, prefix, sizeof prefix, big, suffix, sizeof suffix);
  wamp_frame_queue_push (q, prefix, sizeof prefix, other, NULL, 0);

  g_assert_true (wamp_frame_queue_write (q, p.io, &error));
  g_assert_no_error (error);
  g_assert_false (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), >, 1004);
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), <, total + 1004);

  wamp_frame_queue_drop_unstarted (q);
  g_assert_false (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), <, total);

  /* Alternate reading and writing until the queue is empty (bounded). */
  for (guint round = 0; round < 100000 && !wamp_frame_queue_is_empty (q); round++)
    {
      ssize_t n = read (p.peer, received + got, total - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
      g_assert_true (wamp_frame_queue_write (q, p.io, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (wamp_frame_queue_get_bytes (q) + got, <=, total);
    }
  g_assert_true (wamp_frame_queue_is_empty (q));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 0);
  while (got < total)
    {
      ssize_t n = read (p.peer, received + got, total - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
    }

  g_assert_cmpmem (received, sizeof prefix, prefix, sizeof prefix);
  g_assert_cmpmem (received + sizeof prefix, g_bytes_get_size (big),
                   g_bytes_get_data (big, NULL), g_bytes_get_size (big));
  g_assert_cmpmem (received + total - sizeof suffix, sizeof suffix, suffix, sizeof suffix);
  /* Nothing of the dropped frame followed. */
  wamp_socket_io_shutdown (p.io);
  {
    guint8 extra;

    g_assert_cmpint (read (p.peer, &extra, 1), ==, 0);
  }
  pair_close (&p);
}

/* A failed write reports the error and leaves the queue to its owner. */
static void
test_write_error (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) payload = pattern_bytes (100, 1);
  Pair p;

  pair_open (&p, 0);
  close (p.peer);
  p.peer = -1;
  wamp_frame_queue_push (q, NULL, 0, payload, NULL, 0);
  g_assert_false (wamp_frame_queue_write (q, p.io, &error));
  g_assert_nonnull (error);
  g_assert_false (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK));
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, 100);
  pair_close (&p);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/frame-queue/accounting", test_accounting);
  g_test_add_func ("/frame-queue/would-overflow", test_would_overflow);
  g_test_add_func ("/frame-queue/write-order", test_write_order);
  g_test_add_func ("/frame-queue/partial-write", test_partial_write);
  g_test_add_func ("/frame-queue/write-error", test_write_error);

  return g_test_run ();
}
