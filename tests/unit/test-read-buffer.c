/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampReadBuffer: room offered per read, compaction of the pending
 * bytes, growth by doubling up to the limit (and past it only as needed),
 * filling from a caller's bytes, release when idle. */

#include "config.h"

#include <string.h>

#include <wamp/wamp.h>

#define CHUNK 16

/* Receives @len bytes of @c as if read() had put them there. */
static void
receive (WampReadBuffer *buffer, guint8 c, gsize len)
{
  gsize room;
  guint8 *dst = wamp_read_buffer_get_space (buffer, &room);

  g_assert_cmpuint (room, >=, len);
  memset (dst, c, len);
  buffer->end += len;
}

static void
test_empty (void)
{
  WampReadBuffer buffer;
  gsize room = 0;
  guint8 *dst;

  wamp_read_buffer_init (&buffer, CHUNK, 1024);
  g_assert_null (buffer.data);
  g_assert_cmpuint (buffer.alloc, ==, 0);
  g_assert_cmpuint (wamp_read_buffer_get_pending (&buffer), ==, 0);

  /* The first read gets exactly one chunk of room. */
  dst = wamp_read_buffer_get_space (&buffer, &room);
  g_assert_nonnull (dst);
  g_assert_cmpuint (room, ==, CHUNK);
  g_assert_cmpuint (buffer.alloc, ==, CHUNK);

  wamp_read_buffer_clear (&buffer);
  g_assert_null (buffer.data);
  g_assert_cmpuint (buffer.alloc, ==, 0);
  g_assert_cmpuint (buffer.chunk, ==, CHUNK);
}

static void
test_compact (void)
{
  WampReadBuffer buffer;
  gsize room;

  wamp_read_buffer_init (&buffer, CHUNK, 1024);
  receive (&buffer, 'a', 4);
  receive (&buffer, 'b', 20);
  g_assert_cmpuint (wamp_read_buffer_get_pending (&buffer), ==, 24);
  g_assert_cmpuint (buffer.alloc, ==, 2 * CHUNK);

  /* A parser consumed 10 bytes: a chunk no longer fits after the other 14,
   * so they move to the front rather than the buffer growing. */
  buffer.start += 10;
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), 14, "bbbbbbbbbbbbbb", 14);
  wamp_read_buffer_get_space (&buffer, &room);
  g_assert_cmpuint (buffer.start, ==, 0);
  g_assert_cmpuint (buffer.end, ==, 14);
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), 14, "bbbbbbbbbbbbbb", 14);
  g_assert_cmpuint (buffer.alloc, ==, 2 * CHUNK);
  g_assert_cmpuint (room, ==, 2 * CHUNK - 14);

  /* Everything consumed: the next read starts at the front again, in the
   * same allocation. */
  buffer.start = buffer.end;
  wamp_read_buffer_get_space (&buffer, &room);
  g_assert_cmpuint (buffer.start, ==, 0);
  g_assert_cmpuint (buffer.end, ==, 0);
  g_assert_cmpuint (room, ==, 2 * CHUNK);

  wamp_read_buffer_clear (&buffer);
}

static void
test_growth_limit (void)
{
  WampReadBuffer buffer;
  gsize room;

  /* Doubling stops at the limit (48 rather than 64, then 64 rather than
   * 96): a need beyond it is met exactly. */
  wamp_read_buffer_init (&buffer, CHUNK, 40);
  receive (&buffer, 'x', CHUNK);
  receive (&buffer, 'x', CHUNK);
  g_assert_cmpuint (buffer.alloc, ==, 2 * CHUNK);
  wamp_read_buffer_get_space (&buffer, &room);
  g_assert_cmpuint (buffer.alloc, ==, 3 * CHUNK);
  g_assert_cmpuint (room, ==, CHUNK);
  buffer.end += room;
  wamp_read_buffer_get_space (&buffer, &room);
  g_assert_cmpuint (buffer.alloc, ==, 4 * CHUNK);
  g_assert_cmpuint (room, ==, CHUNK);
  g_assert_cmpuint (wamp_read_buffer_get_pending (&buffer), ==, 3 * CHUNK);

  wamp_read_buffer_clear (&buffer);
}

static void
test_fill (void)
{
  WampReadBuffer buffer;
  const char *text = "0123456789abcdefghijklmnopqrstuvwxyz";
  const guint8 *data = (const guint8 *) text;
  gsize len = strlen (text);
  gsize n;

  wamp_read_buffer_init (&buffer, CHUNK, 1024);

  /* One fill copies at most what one read is offered, and commits nothing. */
  n = wamp_read_buffer_fill (&buffer, &data, &len);
  g_assert_cmpuint (n, ==, CHUNK);
  g_assert_cmpuint (len, ==, strlen (text) - CHUNK);
  g_assert_true (data == (const guint8 *) text + CHUNK);
  g_assert_cmpuint (wamp_read_buffer_get_pending (&buffer), ==, 0);
  buffer.end += n;

  while (len > 0)
    buffer.end += wamp_read_buffer_fill (&buffer, &data, &len);
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), wamp_read_buffer_get_pending (&buffer),
                   text, strlen (text));

  /* Nothing left to copy. */
  g_assert_cmpuint (wamp_read_buffer_fill (&buffer, &data, &len), ==, 0);

  wamp_read_buffer_clear (&buffer);
}

static void
test_release_if_idle (void)
{
  WampReadBuffer buffer;

  wamp_read_buffer_init (&buffer, CHUNK, 1024);
  receive (&buffer, 'p', 8);

  /* Bytes pending: the buffer stays. */
  buffer.start += 4;
  wamp_read_buffer_release_if_idle (&buffer);
  g_assert_nonnull (buffer.data);
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), 4, "pppp", 4);

  /* All parsed: it is freed, and a later read allocates again. */
  buffer.start = buffer.end;
  wamp_read_buffer_release_if_idle (&buffer);
  g_assert_null (buffer.data);
  g_assert_cmpuint (buffer.alloc, ==, 0);
  g_assert_cmpuint (buffer.start, ==, 0);
  g_assert_cmpuint (buffer.end, ==, 0);
  receive (&buffer, 'q', 2);
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), 2, "qq", 2);

  wamp_read_buffer_clear (&buffer);
}

/* Idle buffers borrow one shared buffer: no allocation per read; a buffer
 * left holding part of a frame keeps those bytes in memory of its own. */
static void
test_shared_space (void)
{
  WampReadBuffer a, b;
  gsize room = 0;
  guint8 *dst, *shared;

  wamp_read_buffer_init (&a, CHUNK, 1024);
  wamp_read_buffer_init (&b, CHUNK, 1024);

  shared = wamp_read_buffer_get_shared_space (&a, &room);
  g_assert_cmpuint (room, >=, CHUNK);
  memcpy (shared, "abcdef", 6);
  a.end += 6;
  a.start += 6;
  /* All parsed: handed back, nothing of a's own. */
  wamp_read_buffer_release_if_idle (&a);
  g_assert_null (a.data);

  /* The next idle buffer gets the same bytes to read into. */
  dst = wamp_read_buffer_get_shared_space (&b, &room);
  g_assert_true (dst == shared);
  memcpy (dst, "0123456789", 10);
  b.end += 10;
  b.start += 4;
  /* Six bytes of a frame pending: they move out of the shared buffer. */
  wamp_read_buffer_release_if_idle (&b);
  g_assert_nonnull (b.data);
  g_assert_false (b.data == shared);
  g_assert_cmpmem (wamp_read_buffer_peek (&b), 6, "456789", 6);

  /* A buffer still reading into it when another borrows keeps its bytes. */
  dst = wamp_read_buffer_get_shared_space (&a, &room);
  g_assert_true (dst == shared);
  memcpy (dst, "xyz", 3);
  a.end += 3;
  wamp_read_buffer_clear (&b);
  dst = wamp_read_buffer_get_shared_space (&b, &room);
  g_assert_true (dst == shared);
  g_assert_false (a.data == shared);
  g_assert_cmpmem (wamp_read_buffer_peek (&a), 3, "xyz", 3);

  /* More than the shared buffer holds: on in memory of its own. */
  b.end += room;
  dst = wamp_read_buffer_get_shared_space (&b, &room);
  g_assert_false (b.data == shared);
  g_assert_cmpuint (room, >=, CHUNK);

  wamp_read_buffer_clear (&a);
  wamp_read_buffer_clear (&b);
}

/* A parsed frame for the core to keep: small ones are copied, a large one
 * in the buffer's own memory is handed over, the bytes after it kept. */
static void
test_take_frame (void)
{
  WampReadBuffer buffer;
  const gsize big = 100 * 1024;
  g_autoptr(GBytes) small = NULL;
  g_autoptr(GBytes) large = NULL;
  const guint8 *frame;
  gsize len;

  wamp_read_buffer_init (&buffer, CHUNK, 1024 * 1024);
  receive (&buffer, 's', 8);
  buffer.start += 8;
  small = wamp_read_buffer_take_frame (&buffer, buffer.data, 8);
  g_assert_cmpmem (g_bytes_get_data (small, NULL), g_bytes_get_size (small), "ssssssss", 8);
  g_assert_false (g_bytes_get_data (small, NULL) == buffer.data);

  wamp_read_buffer_clear (&buffer);
  for (gsize left = big; left > 0;)
    {
      gsize room, n;
      guint8 *dst = wamp_read_buffer_get_space (&buffer, &room);

      n = MIN (room, left);
      memset (dst, 'L', n);
      buffer.end += n;
      left -= n;
    }
  receive (&buffer, 'n', 3);
  frame = buffer.data;
  buffer.start += big;
  large = wamp_read_buffer_take_frame (&buffer, frame, big);
  g_assert_true (g_bytes_get_data (large, &len) == frame);
  g_assert_cmpuint (len, ==, big);
  g_assert_cmpint (((const guint8 *) g_bytes_get_data (large, NULL))[big - 1], ==, 'L');
  /* What followed the frame is still pending, in memory of its own. */
  g_assert_cmpuint (wamp_read_buffer_get_pending (&buffer), ==, 3);
  g_assert_cmpmem (wamp_read_buffer_peek (&buffer), 3, "nnn", 3);

  wamp_read_buffer_clear (&buffer);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/read-buffer/empty", test_empty);
  g_test_add_func ("/read-buffer/compact", test_compact);
  g_test_add_func ("/read-buffer/growth-limit", test_growth_limit);
  g_test_add_func ("/read-buffer/fill", test_fill);
  g_test_add_func ("/read-buffer/release-if-idle", test_release_if_idle);
  g_test_add_func ("/read-buffer/shared-space", test_shared_space);
  g_test_add_func ("/read-buffer/take-frame", test_take_frame);

  return g_test_run ();
}
