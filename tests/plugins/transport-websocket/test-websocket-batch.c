/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of batched WebSocket framing: splitting without copies, bounds
 * checks on length prefixes, and the framing of a batch of one. */

#include <string.h>

#include "wamp-websocket-batch.h"

/* TRUE when @part's bytes lie inside @whole's (a slice, not a copy). */
static gboolean
is_slice_of (GBytes *part, GBytes *whole)
{
  gsize part_len, whole_len;
  const guint8 *p = g_bytes_get_data (part, &part_len);
  const guint8 *w = g_bytes_get_data (whole, &whole_len);

  return p >= w && p + part_len <= w + whole_len;
}

static void
assert_frame (GPtrArray *frames, guint i, const char *expected, gsize len)
{
  GBytes *frame = g_ptr_array_index (frames, i);

  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame), expected, len);
}

static void
test_json_split_accepts_both_separators (void)
{
  static const char text[] = "[1,\"a\",{}]\x1e[2]\x18[3,\"\\u001e\"]\x18";
  g_autoptr(GBytes) message = g_bytes_new_static (text, sizeof text - 1);
  const char *reason = NULL;
  g_autoptr(GPtrArray) frames = wamp_websocket_batch_split (message, FALSE, &reason);

  g_assert_nonnull (frames);
  g_assert_null (reason);
  g_assert_cmpuint (frames->len, ==, 3);
  assert_frame (frames, 0, "[1,\"a\",{}]", 10);
  assert_frame (frames, 1, "[2]", 3);
  /* An escaped separator inside a string is text, not a separator. */
  assert_frame (frames, 2, "[3,\"\\u001e\"]", 12);
  for (guint i = 0; i < frames->len; i++)
    g_assert_true (is_slice_of (g_ptr_array_index (frames, i), message));
}

typedef struct {
  const char *name;
  gboolean binary;
  const char *data;
  gsize len;
  const char *reason;
} BadBatch;

static const BadBatch bad_batches[] = {
  { "json/empty-batch", FALSE, "", 0, "empty batch" },
  { "json/not-terminated", FALSE, "[1]", 3, "not terminated" },
  { "json/bytes-after-last-separator", FALSE, "[1]\x18[2]", 7, "not terminated" },
  { "json/empty-message", FALSE, "[1]\x18\x1e", 5, "empty message" },
  { "json/only-a-separator", FALSE, "\x18", 1, "empty message" },
  { "binary/empty-batch", TRUE, "", 0, "empty batch" },
  { "binary/truncated-prefix", TRUE, "\0\0\0", 3, "truncated length prefix" },
  { "binary/prefix-after-message-truncated", TRUE, "\0\0\0\1x\0\0", 7, "truncated length prefix" },
  { "binary/length-beyond-message", TRUE, "\0\0\0\5abcd", 8, "beyond the message" },
  { "binary/absurd-length", TRUE, "\xff\xff\xff\xff" "abcd", 8, "beyond the message" },
  { "binary/zero-length", TRUE, "\0\0\0\0", 4, "empty message" },
};

static void
test_bad_batch_is_refused (gconstpointer data)
{
  const BadBatch *c = data;
  g_autoptr(GBytes) message = g_bytes_new_static (c->data, c->len);
  const char *reason = NULL;
  g_autoptr(GPtrArray) frames = wamp_websocket_batch_split (message, c->binary, &reason);

  g_assert_null (frames);
  g_assert_nonnull (reason);
  g_assert_nonnull (strstr (reason, c->reason));
}

static void
test_binary_split_by_length_prefix (void)
{
  static const guint8 data[] = { 0, 0, 0, 2, 0x92, 0x01, 0, 0, 0, 3, 0x18, 0x1e, 0x00 };
  g_autoptr(GBytes) message = g_bytes_new_static (data, sizeof data);
  g_autoptr(GPtrArray) frames = wamp_websocket_batch_split (message, TRUE, NULL);

  g_assert_nonnull (frames);
  g_assert_cmpuint (frames->len, ==, 2);
  assert_frame (frames, 0, "\x92\x01", 2);
  /* Separator bytes mean nothing in a binary batch. */
  assert_frame (frames, 1, "\x18\x1e\x00", 3);
  g_assert_true (is_slice_of (g_ptr_array_index (frames, 0), message));
  g_assert_true (is_slice_of (g_ptr_array_index (frames, 1), message));
}

static void
test_framing_of_a_batch_of_one (void)
{
  guint8 prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN], suffix[1];
  gsize prefix_len, suffix_len;

  g_assert_true (wamp_websocket_batch_framing (FALSE, 10, prefix, &prefix_len, suffix, &suffix_len));
  g_assert_cmpuint (prefix_len, ==, 0);
  g_assert_cmpuint (suffix_len, ==, 1);
  g_assert_cmphex (suffix[0], ==, 0x18);

  g_assert_true (wamp_websocket_batch_framing (TRUE, 0x01020304, prefix, &prefix_len, suffix, &suffix_len));
  g_assert_cmpuint (prefix_len, ==, 4);
  g_assert_cmpuint (suffix_len, ==, 0);
  g_assert_cmpmem (prefix, 4, "\x01\x02\x03\x04", 4);

#if GLIB_SIZEOF_SIZE_T > 4
  g_assert_false (wamp_websocket_batch_framing (TRUE, (gsize) G_MAXUINT32 + 1, prefix, &prefix_len,
                                                suffix, &suffix_len));
#endif
}

static void
test_framing_round_trips_through_split (void)
{
  static const char *const messages[] = { "[1,\"x\"]", "[36,1,2,{},[\"\\u0000AQID\"]]" };

  for (int binary = 0; binary <= 1; binary++)
    {
      g_autoptr(GByteArray) batch = g_byte_array_new ();
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GPtrArray) frames = NULL;

      for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
        {
          guint8 prefix[WAMP_WEBSOCKET_BATCH_PREFIX_LEN], suffix[1];
          gsize prefix_len, suffix_len, len = strlen (messages[i]);

          g_assert_true (wamp_websocket_batch_framing (binary, len, prefix, &prefix_len,
                                                       suffix, &suffix_len));
          g_byte_array_append (batch, prefix, (guint) prefix_len);
          g_byte_array_append (batch, (const guint8 *) messages[i], (guint) len);
          g_byte_array_append (batch, suffix, (guint) suffix_len);
        }
      bytes = g_byte_array_free_to_bytes (g_steal_pointer (&batch));
      frames = wamp_websocket_batch_split (bytes, binary, NULL);
      g_assert_nonnull (frames);
      g_assert_cmpuint (frames->len, ==, G_N_ELEMENTS (messages));
      for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
        assert_frame (frames, i, messages[i], strlen (messages[i]));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Batched WebSocket framing (wamp.2.*.batched): split and frame");

  g_test_add_func ("/websocket/batch/json-split-accepts-0x18-and-0x1e-without-copying",
                   test_json_split_accepts_both_separators);
  g_test_add_func ("/websocket/batch/binary-split-by-length-prefix-without-copying",
                   test_binary_split_by_length_prefix);
  g_test_add_func ("/websocket/batch/framing-json-0x18-binary-big-endian-prefix",
                   test_framing_of_a_batch_of_one);
  g_test_add_func ("/websocket/batch/framing-round-trips-through-split",
                   test_framing_round_trips_through_split);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_batches); i++)
    {
      g_autofree char *path = g_strdup_printf ("/websocket/batch/bad/%s-is-refused", bad_batches[i].name);

      g_test_add_data_func (path, &bad_batches[i], test_bad_batch_is_refused);
    }
  return g_test_run ();
}
