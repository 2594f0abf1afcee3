/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WAMP ID generation: global range and counter wrapping. */

#include <wamp/wamp.h>

static void
test_global_range (void)
{
  guint64 min = G_MAXUINT64, max = 0, or_bits = 0;
  const int n = 20000;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree guint64 *ids = g_new (guint64, n);

  for (int i = 0; i < n; i++)
    {
      ids[i] = wamp_id_new_global ();
      g_assert_cmpuint (ids[i], >=, 1);
      g_assert_cmpuint (ids[i], <=, WAMP_ID_MAX);
      min = MIN (min, ids[i]);
      max = MAX (max, ids[i]);
      or_bits |= ids[i] - 1;
      g_hash_table_add (seen, &ids[i]);
    }
  /* Uniform over 2^53: all 53 bits get used, the spread covers the range,
   * and collisions among 20000 draws are (practically) impossible. */
  g_assert_cmpuint (or_bits, ==, WAMP_ID_MAX - 1);
  g_assert_cmpuint (min, <, WAMP_ID_MAX / 100);
  g_assert_cmpuint (max, >, WAMP_ID_MAX - WAMP_ID_MAX / 100);
  g_assert_cmpuint (g_hash_table_size (seen), ==, n);
}

static void
test_global_halves_balanced (void)
{
  const int n = 20000;
  int upper = 0;

  for (int i = 0; i < n; i++)
    if (wamp_id_new_global () > WAMP_ID_MAX / 2)
      upper++;
  /* Binomial(20000, 0.5): sd ~ 71; 10 sd either side. */
  g_assert_cmpint (upper, >, n / 2 - 710);
  g_assert_cmpint (upper, <, n / 2 + 710);
}

static void
test_next_starts_at_one (void)
{
  guint64 counter = 0;

  g_assert_cmpuint (wamp_id_next (&counter), ==, 1);
  g_assert_cmpuint (wamp_id_next (&counter), ==, 2);
  g_assert_cmpuint (wamp_id_next (&counter), ==, 3);
  g_assert_cmpuint (counter, ==, 3);
}

static void
test_next_wraps_after_max (void)
{
  guint64 counter = WAMP_ID_MAX - 2;

  g_assert_cmpuint (wamp_id_next (&counter), ==, WAMP_ID_MAX - 1);
  g_assert_cmpuint (wamp_id_next (&counter), ==, WAMP_ID_MAX);
  g_assert_cmpuint (wamp_id_next (&counter), ==, 1);
  g_assert_cmpuint (wamp_id_next (&counter), ==, 2);

  /* A counter corrupted beyond the range still yields a valid ID. */
  counter = G_MAXUINT64;
  g_assert_cmpuint (wamp_id_next (&counter), ==, 1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WAMP IDs: global scope and router/session counters");

  g_test_add_func ("/id/global/in-1-to-2^53-using-all-bits", test_global_range);
  g_test_add_func ("/id/global/halves-balanced", test_global_halves_balanced);
  g_test_add_func ("/id/next/starts-at-one", test_next_starts_at_one);
  g_test_add_func ("/id/next/wraps-from-2^53-to-1", test_next_wraps_after_max);

  return g_test_run ();
}
