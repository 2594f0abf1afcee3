/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampFrameQueue: byte accounting, the overflow bound, vectored
 * writes of prefix + shared payload + suffix over a socketpair, partial
 * writes, dropping what was not started, write errors, bodies encoded into
 * the queue's inline buffer. */

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

/* Appends @len pattern bytes to the queue's inline buffer as one frame's
 * body and queues it with @prefix; appends the same frame to @expected. */
static void
push_inline_pattern (WampFrameQueue *q,
                     GByteArray     *expected,
                     const guint8   *prefix,
                     gsize           prefix_len,
                     gsize           len,
                     guint8          seed)
{
  WampOutputBuffer *body = wamp_frame_queue_get_inline_buffer (q);
  gsize start = body->len;
  g_autoptr(GBytes) pattern = pattern_bytes (len, seed);

  wamp_output_buffer_append (body, g_bytes_get_data (pattern, NULL), len);
  wamp_frame_queue_push_inline (q, prefix, prefix_len, start, NULL, 0);
  g_byte_array_append (expected, prefix, prefix_len);
  g_byte_array_append (expected, g_bytes_get_data (pattern, NULL), len);
}

/* Inline bodies and shared payloads interleave in order; a discarded body
 * leaves no trace; once the queue is empty its inline buffer is the next
 * queue's. */
static void
test_inline_mixed (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(WampFrameQueue) other = wamp_frame_queue_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GBytes) shared = pattern_bytes (300, 5);
  const guint8 *memory;
  g_autoptr(GBytes) received = NULL;
  g_autoptr(GError) error = NULL;
  const guint8 prefix[3] = { 7, 8, 9 };
  const guint8 suffix[1] = { 0x1e };
  WampOutputBuffer *body;
  gsize start;
  Pair p;

  pair_open (&p, 0);
  push_inline_pattern (q, expected, prefix, sizeof prefix, 40, 1);
  wamp_frame_queue_push (q, prefix, sizeof prefix, shared, suffix, sizeof suffix);
  g_byte_array_append (expected, prefix, sizeof prefix);
  g_byte_array_append (expected, g_bytes_get_data (shared, NULL), 300);
  g_byte_array_append (expected, suffix, sizeof suffix);

  /* A body that is not sent after all. */
  body = wamp_frame_queue_get_inline_buffer (q);
  start = body->len;
  wamp_output_buffer_append (body, "discarded", 9);
  wamp_frame_queue_discard_inline (q, start);
  g_assert_cmpuint (wamp_frame_queue_get_inline_buffer (q)->len, ==, start);

  push_inline_pattern (q, expected, prefix, 0, 1000, 2);
  /* An empty body: the prefix alone. */
  push_inline_pattern (q, expected, prefix, sizeof prefix, 0, 3);
  g_assert_cmpuint (wamp_frame_queue_get_bytes (q), ==, expected->len);

  body = wamp_frame_queue_get_inline_buffer (q);
  memory = body->data;
  g_assert_true (wamp_frame_queue_write (q, p.io, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_frame_queue_is_empty (q));
  /* An empty queue holds no buffer (the struct is the queue's own: @body
   * still points at it); its memory waits as the thread's spare... */
  g_assert_null (body->data);
  received = read_exactly (p.peer, expected->len);
  g_assert_cmpmem (g_bytes_get_data (received, NULL), expected->len, expected->data, expected->len);

  /* ...for the next queue that needs one. */
  body = wamp_frame_queue_get_inline_buffer (other);
  g_assert_true (body->data == memory);
  g_assert_cmpuint (body->len, ==, 0);

  /* Discarding on an empty queue gives back what the body had taken. */
  wamp_output_buffer_append (body, "x", 1);
  wamp_frame_queue_discard_inline (other, 0);
  g_assert_null (body->data);
  pair_close (&p);
}

/* A queue that never empties (a reader slower than the writer) drops the
 * written bodies from its inline buffer rather than growing it; the peer
 * receives every frame intact. */
static void
test_inline_slow_reader (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const guint8 prefix[2] = { 0xfe, 0xed };
  const guint frames = 3000, body_len = 500;
  g_autofree guint8 *received = NULL;
  gsize got = 0, max_inline = 0;
  Pair p;

  pair_open (&p, 4096);
  received = g_malloc ((gsize) frames * (body_len + sizeof prefix));
  for (guint i = 0; i < frames; i++)
    {
      push_inline_pattern (q, expected, prefix, sizeof prefix, body_len, (guint8) i);
      g_assert_true (wamp_frame_queue_write (q, p.io, &error));
      g_assert_no_error (error);
      /* At most twice what is queued (plus the frame being written). */
      g_assert_cmpuint (wamp_frame_queue_get_inline_buffer (q)->len, <=,
                        2 * (wamp_frame_queue_get_bytes (q) + body_len + sizeof prefix));
      max_inline = MAX (max_inline, wamp_frame_queue_get_inline_buffer (q)->len);
      /* The reader takes a little less than is written until the end. */
      if (i % 2 == 0)
        {
          ssize_t n = read (p.peer, received + got, 1000);

          g_assert_cmpint (n, >, 0);
          got += (gsize) n;
        }
    }
  g_assert_false (wamp_frame_queue_is_empty (q));
  /* Bounded by what is queued, not by all that was written. */
  g_assert_cmpuint (max_inline, <, expected->len / 4);
  for (guint round = 0; round < 100000 && !wamp_frame_queue_is_empty (q); round++)
    {
      ssize_t n = read (p.peer, received + got, expected->len - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
      g_assert_true (wamp_frame_queue_write (q, p.io, &error));
      g_assert_no_error (error);
    }
  g_assert_true (wamp_frame_queue_is_empty (q));
  while (got < expected->len)
    {
      ssize_t n = read (p.peer, received + got, expected->len - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
    }
  g_assert_cmpmem (received, got, expected->data, expected->len);
  pair_close (&p);
}

/* Dropping what was not started keeps a partly written inline frame whole
 * and drops the bodies after it from the inline buffer. */
static void
test_inline_drop_unstarted (void)
{
  g_autoptr(WampFrameQueue) q = wamp_frame_queue_new ();
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  g_autoptr(GByteArray) dropped = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  const guint8 prefix[1] = { 0x42 };
  gsize total, got = 0;
  g_autofree guint8 *received = NULL;
  Pair p;

  pair_open (&p, 4096);
  push_inline_pattern (q, expected, prefix, sizeof prefix, 1024 * 1024, 4);
  total = expected->len;
  push_inline_pattern (q, dropped, prefix, sizeof prefix, 100, 5);
  g_assert_true (wamp_frame_queue_write (q, p.io, &error));
  g_assert_no_error (error);
  wamp_frame_queue_drop_unstarted (q);
  g_assert_cmpuint (wamp_frame_queue_get_inline_buffer (q)->len, ==, total - sizeof prefix);

  received = g_malloc (total);
  for (guint round = 0; round < 100000 && !wamp_frame_queue_is_empty (q); round++)
    {
      ssize_t n = read (p.peer, received + got, total - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
      g_assert_true (wamp_frame_queue_write (q, p.io, &error));
      g_assert_no_error (error);
    }
  while (got < total)
    {
      ssize_t n = read (p.peer, received + got, total - got);

      g_assert_cmpint (n, >, 0);
      got += (gsize) n;
    }
  g_assert_cmpmem (received, total, expected->data, expected->len);
  wamp_socket_io_shutdown (p.io);
  {
    guint8 extra;

    g_assert_cmpint (read (p.peer, &extra, 1), ==, 0);
  }
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
  g_test_add_func ("/frame-queue/inline/mixed", test_inline_mixed);
  g_test_add_func ("/frame-queue/inline/slow-reader", test_inline_slow_reader);
  g_test_add_func ("/frame-queue/inline/drop-unstarted", test_inline_drop_unstarted);

  return g_test_run ();
}
