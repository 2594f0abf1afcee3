/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampIdTable, the dealer's ID -> pointer table: it agrees with a
 * GHashTable through growth, churn and shrinking; take returns the value. */

#include "wamp-id-table.h"

static void
assert_agrees (const WampIdTable *table,
               GHashTable        *reference,
               guint64            max_id)
{
  g_assert_cmpuint (wamp_id_table_size (table), ==, g_hash_table_size (reference));
  for (guint64 id = 0; id <= max_id; id++)
    g_assert_true (wamp_id_table_lookup (table, id)
                   == g_hash_table_lookup (reference, &id));
}

static void
test_agrees_with_hash_table (void)
{
  g_autoptr(GHashTable) reference = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  WampIdTable table = { 0 };
  const guint64 max_id = 2000;

  g_assert_null (wamp_id_table_lookup (&table, 1));
  g_assert_false (wamp_id_table_remove (&table, 1));
  g_assert_null (wamp_id_table_take (&table, 1));

  for (guint round = 0; round < 20000; round++)
    {
      guint64 id = g_rand_int_range (rand, 1, (gint32) max_id + 1);
      gpointer value = GSIZE_TO_POINTER ((gsize) id * 16 + 8);
      gpointer old = g_hash_table_lookup (reference, &id);

      if (old == NULL)
        {
          wamp_id_table_insert (&table, id, value);
          g_hash_table_insert (reference, g_memdup2 (&id, sizeof id), value);
        }
      else if (round % 2 == 0)
        {
          g_assert_true (wamp_id_table_take (&table, id) == old);
          g_hash_table_remove (reference, &id);
        }
      else
        {
          g_assert_true (wamp_id_table_remove (&table, id));
          g_hash_table_remove (reference, &id);
        }
      if (round % 1000 == 0)
        assert_agrees (&table, reference, max_id);
    }
  assert_agrees (&table, reference, max_id);
  wamp_id_table_clear (&table);
  g_assert_cmpuint (wamp_id_table_size (&table), ==, 0);
  g_assert_null (wamp_id_table_lookup (&table, 1));
}

/* Sequential IDs as a session issues them: grows from empty, shrinks once
 * mostly empty, and every ID stays reachable. */
static void
test_grows_and_shrinks (void)
{
  WampIdTable table = { 0 };
  g_autoptr(GPtrArray) values = NULL;

  for (guint64 id = 1; id <= 5000; id++)
    wamp_id_table_insert (&table, id, GSIZE_TO_POINTER ((gsize) id));
  g_assert_cmpuint (wamp_id_table_size (&table), ==, 5000);
  for (guint64 id = 1; id <= 4990; id++)
    g_assert_true (wamp_id_table_take (&table, id) == GSIZE_TO_POINTER ((gsize) id));
  g_assert_cmpuint (table.mask + 1, <=, 128);
  for (guint64 id = 4991; id <= 5000; id++)
    g_assert_true (wamp_id_table_lookup (&table, id) == GSIZE_TO_POINTER ((gsize) id));
  g_assert_null (wamp_id_table_take (&table, 1));
  values = wamp_id_table_values (&table);
  g_assert_cmpuint (values->len, ==, 10);
  wamp_id_table_clear (&table);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/id-table/agrees-with-hash-table", test_agrees_with_hash_table);
  g_test_add_func ("/id-table/grows-and-shrinks", test_grows_and_shrinks);
  return g_test_run ();
}
