/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampValue: normalisation, equality, lists, dicts, debug strings. */

#include <math.h>
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-value-private.h"

static void
test_scalars (void)
{
  g_autoptr(WampValue) n = wamp_value_new_null ();
  g_autoptr(WampValue) t = wamp_value_new_bool (42);
  g_autoptr(WampValue) f = wamp_value_new_bool (FALSE);
  g_autoptr(WampValue) i = wamp_value_new_int (-5);
  g_autoptr(WampValue) d = wamp_value_new_double (2.5);

  g_assert_cmpint (wamp_value_get_value_type (n), ==, WAMP_VALUE_NULL);
  g_assert_cmpint (wamp_value_get_value_type (t), ==, WAMP_VALUE_BOOL);
  g_assert_true (wamp_value_get_bool (t));
  g_assert_false (wamp_value_get_bool (f));
  g_assert_cmpint (wamp_value_get_int (i), ==, -5);
  g_assert_cmpfloat (wamp_value_get_double (d), ==, 2.5);
  g_assert_cmpstr (wamp_value_type_to_string (WAMP_VALUE_DICT), ==, "dict");
  g_assert_cmpstr (wamp_value_type_to_string (WAMP_VALUE_UINT), ==, "uint");
}

static void
test_uint_normalised_to_int (void)
{
  g_autoptr(WampValue) small = wamp_value_new_uint (7);
  g_autoptr(WampValue) seven = wamp_value_new_int (7);
  g_autoptr(WampValue) edge = wamp_value_new_uint ((guint64) G_MAXINT64);
  g_autoptr(WampValue) big = wamp_value_new_uint ((guint64) G_MAXINT64 + 1);
  g_autoptr(WampValue) max = wamp_value_new_uint (G_MAXUINT64);
  guint64 u = 0;

  g_assert_cmpint (wamp_value_get_value_type (small), ==, WAMP_VALUE_INT);
  g_assert_cmpint (wamp_value_get_int (small), ==, 7);
  g_assert_true (wamp_value_equal (small, seven));
  g_assert_cmpint (wamp_value_get_value_type (edge), ==, WAMP_VALUE_INT);
  g_assert_cmpint (wamp_value_get_int (edge), ==, G_MAXINT64);
  g_assert_cmpint (wamp_value_get_value_type (big), ==, WAMP_VALUE_UINT);
  g_assert_cmpuint (wamp_value_get_uint (big), ==, (guint64) G_MAXINT64 + 1);
  g_assert_cmpuint (wamp_value_get_uint (max), ==, G_MAXUINT64);
  g_assert_true (wamp_value_get_unsigned (max, &u));
  g_assert_cmpuint (u, ==, G_MAXUINT64);
  g_assert_true (wamp_value_get_unsigned (small, &u));
  g_assert_cmpuint (u, ==, 7);
  g_assert_false (wamp_value_equal (big, max));
}

static void
test_get_unsigned_rejects_negative_and_others (void)
{
  g_autoptr(WampValue) neg = wamp_value_new_int (-1);
  g_autoptr(WampValue) d = wamp_value_new_double (3.0);
  g_autoptr(WampValue) s = wamp_value_new_string ("3");
  guint64 u = 99;

  g_assert_false (wamp_value_get_unsigned (neg, &u));
  g_assert_false (wamp_value_get_unsigned (d, &u));
  g_assert_false (wamp_value_get_unsigned (s, &u));
  g_assert_cmpuint (u, ==, 99);
}

static void
test_get_id_range (void)
{
  static const struct { gint64 v; gboolean ok; } ints[] = {
    { 0, TRUE },
    { 1, TRUE },
    { G_GINT64_CONSTANT (9007199254740992), TRUE },      /* 2^53 */
    { G_GINT64_CONSTANT (9007199254740993), FALSE },     /* 2^53 + 1 */
    { -1, FALSE },
    { G_MININT64, FALSE },
    { G_MAXINT64, FALSE },
  };
  g_autoptr(WampValue) d = wamp_value_new_double (5.0);
  g_autoptr(WampValue) u = wamp_value_new_uint (G_MAXUINT64);
  g_autoptr(WampValue) s = wamp_value_new_string ("5");
  guint64 id;

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      g_autoptr(WampValue) v = wamp_value_new_int (ints[i].v);

      id = G_MAXUINT64;
      g_assert_cmpint (wamp_value_get_id (v, &id), ==, ints[i].ok);
      if (ints[i].ok)
        g_assert_cmpuint (id, ==, (guint64) ints[i].v);
    }
  g_assert_false (wamp_value_get_id (d, &id));
  g_assert_false (wamp_value_get_id (u, &id));
  g_assert_false (wamp_value_get_id (s, &id));
}

static void
test_strings_with_nul (void)
{
  g_autoptr(WampValue) plain = wamp_value_new_string ("com.example");
  g_autoptr(WampValue) withnul = wamp_value_new_string_len ("a\0b", 3);
  g_autoptr(WampValue) empty = wamp_value_new_string ("");
  g_autoptr(WampValue) a = wamp_value_new_string_len ("a", 1);
  const char *s;
  gsize len = 0;

  s = wamp_value_get_string (withnul, &len);
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpmem (s, 4, "a\0b\0", 4);
  g_assert_true (wamp_value_is_plain_string (plain));
  g_assert_false (wamp_value_is_plain_string (withnul));
  g_assert_true (wamp_value_is_plain_string (empty));
  g_assert_cmpstr (wamp_value_get_string (empty, &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  g_assert_false (wamp_value_equal (withnul, a));
  g_assert_cmpstr (wamp_value_get_string (plain, NULL), ==, "com.example");
}

static void
test_bytes (void)
{
  static const guint8 data[] = { 0x00, 0x01, 0xff };
  g_autoptr(GBytes) gb = g_bytes_new (data, sizeof data);
  g_autoptr(WampValue) copied = wamp_value_new_bytes (data, sizeof data);
  g_autoptr(WampValue) referenced = wamp_value_new_bytes_from_gbytes (gb);
  g_autoptr(WampValue) empty = wamp_value_new_bytes (NULL, 0);
  g_autoptr(WampValue) str = wamp_value_new_string_len ((const char *) data, sizeof data);
  g_autofree char *dbg = NULL;
  gsize len = 0;

  g_assert_cmpmem (wamp_value_get_bytes (copied, &len), len, data, sizeof data);
  g_assert_true (wamp_value_get_bytes (referenced, &len) == g_bytes_get_data (gb, NULL));
  g_assert_cmpuint (len, ==, 3);
  g_assert_true (wamp_value_equal (copied, referenced));
  g_assert_false (wamp_value_equal (copied, str));
  wamp_value_get_bytes (empty, &len);
  g_assert_cmpuint (len, ==, 0);
  dbg = wamp_value_to_debug_string (copied);
  g_assert_cmpstr (dbg, ==, "<bytes:0001ff>");
}

static void
test_double_equality (void)
{
  g_autoptr(WampValue) zero = wamp_value_new_double (0.0);
  g_autoptr(WampValue) zero2 = wamp_value_new_double (0.0);
  g_autoptr(WampValue) negzero = wamp_value_new_double (-0.0);
  g_autoptr(WampValue) nan1 = wamp_value_new_double (NAN);
  g_autoptr(WampValue) one = wamp_value_new_double (1.0);
  g_autoptr(WampValue) int_one = wamp_value_new_int (1);

  g_assert_true (wamp_value_equal (zero, zero2));
  g_assert_false (wamp_value_equal (zero, negzero));
  g_assert_false (wamp_value_equal (nan1, nan1));
  g_assert_false (wamp_value_equal (one, int_one));
}

static void
test_list (void)
{
  g_autoptr(WampValue) list = wamp_value_new_list (0);
  g_autoptr(WampValue) other = wamp_value_new_list (3);
  g_autofree char *dbg = NULL;

  for (int i = 0; i < 100; i++)
    wamp_value_list_append (list, wamp_value_new_int (i));
  g_assert_cmpuint (wamp_value_list_length (list), ==, 100);
  for (int i = 0; i < 100; i++)
    g_assert_cmpint (wamp_value_get_int (wamp_value_list_get (list, i)), ==, i);

  wamp_value_list_append (other, wamp_value_new_int (1));
  wamp_value_list_append (other, wamp_value_new_string ("x\"y"));
  wamp_value_list_append (other, wamp_value_new_null ());
  dbg = wamp_value_to_debug_string (other);
  g_assert_cmpstr (dbg, ==, "[1, \"x\\\"y\", null]");
  g_assert_false (wamp_value_equal (list, other));
}

static void
test_list_append_on_shared_is_refused (void)
{
  if (g_test_subprocess ())
    {
      WampValue *list = wamp_value_new_list (0);

      wamp_value_ref (list);
      wamp_value_list_append (list, wamp_value_new_null ());
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*ref_count*");
}

static void
test_dict_order_and_replacement (void)
{
  g_autoptr(WampValue) dict = wamp_value_new_dict (0);
  gsize key_len = 0;

  wamp_value_dict_insert (dict, "b", wamp_value_new_int (1));
  wamp_value_dict_insert (dict, "a", wamp_value_new_int (2));
  wamp_value_dict_insert (dict, "c", wamp_value_new_int (3));
  wamp_value_dict_insert (dict, "a", wamp_value_new_string ("two"));

  g_assert_cmpuint (wamp_value_dict_size (dict), ==, 3);
  g_assert_cmpstr (wamp_value_dict_get_key (dict, 0, NULL), ==, "b");
  g_assert_cmpstr (wamp_value_dict_get_key (dict, 1, &key_len), ==, "a");
  g_assert_cmpuint (key_len, ==, 1);
  g_assert_cmpstr (wamp_value_dict_get_key (dict, 2, NULL), ==, "c");
  g_assert_cmpstr (wamp_value_get_string (wamp_value_dict_get_value (dict, 1), NULL), ==, "two");
  g_assert_cmpstr (wamp_value_get_string (wamp_value_dict_lookup (dict, "a"), NULL), ==, "two");
  g_assert_null (wamp_value_dict_lookup (dict, "d"));
  g_assert_null (wamp_value_dict_lookup (dict, ""));
}

static void
test_dict_keys_with_nul (void)
{
  g_autoptr(WampValue) dict = wamp_value_new_dict (2);
  gsize len = 0;

  wamp_value_dict_insert_len (dict, "k\0x", 3, wamp_value_new_int (1));
  wamp_value_dict_insert (dict, "k", wamp_value_new_int (2));
  g_assert_cmpuint (wamp_value_dict_size (dict), ==, 2);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup_len (dict, "k\0x", 3)), ==, 1);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (dict, "k")), ==, 2);
  g_assert_cmpmem (wamp_value_dict_get_key (dict, 0, &len), 4, "k\0x\0", 4);
  g_assert_cmpuint (len, ==, 3);
}

static void
test_dict_big_lookup (void)
{
  g_autoptr(WampValue) dict = wamp_value_new_dict (0);
  g_autoptr(WampValue) reversed = wamp_value_new_dict (0);
  const int n = 1000;

  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("key%d", i);
      wamp_value_dict_insert (dict, key, wamp_value_new_int (i));
    }
  /* Replacing keeps size and position even once the index exists. */
  wamp_value_dict_insert (dict, "key500", wamp_value_new_int (-500));
  g_assert_cmpuint (wamp_value_dict_size (dict), ==, n);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("key%d", i);
      WampValue *v = wamp_value_dict_lookup (dict, key);

      g_assert_nonnull (v);
      g_assert_cmpint (wamp_value_get_int (v), ==, i == 500 ? -500 : i);
      g_assert_cmpstr (wamp_value_dict_get_key (dict, i, NULL), ==, key);
    }
  g_assert_null (wamp_value_dict_lookup (dict, "key1000"));
  g_assert_null (wamp_value_dict_lookup (dict, "key"));

  for (int i = n - 1; i >= 0; i--)
    {
      g_autofree char *key = g_strdup_printf ("key%d", i);
      wamp_value_dict_insert (reversed, key, wamp_value_new_int (i == 500 ? -500 : i));
    }
  g_assert_true (wamp_value_equal (dict, reversed));
  wamp_value_dict_insert (reversed, "key0", wamp_value_new_int (1));
  g_assert_false (wamp_value_equal (dict, reversed));
}

static void
test_dict_index_threshold_boundaries (void)
{
  /* Around the size where the index appears and is regrown. */
  for (int n = 1; n <= 40; n++)
    {
      g_autoptr(WampValue) dict = wamp_value_new_dict (0);

      for (int i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%d", i);
          wamp_value_dict_insert (dict, key, wamp_value_new_int (i));
        }
      g_assert_cmpuint (wamp_value_dict_size (dict), ==, n);
      for (int i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%d", i);
          g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (dict, key)), ==, i);
        }
    }
}

static void
test_dict_typed_getters (void)
{
  g_autoptr(WampValue) dict = wamp_value_new_dict (0);

  wamp_value_dict_insert (dict, "flag", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (dict, "name", wamp_value_new_string ("joe"));
  wamp_value_dict_insert (dict, "n", wamp_value_new_int (12));
  wamp_value_dict_insert (dict, "neg", wamp_value_new_int (-12));

  g_assert_true (wamp_value_dict_get_bool (dict, "flag", FALSE));
  g_assert_true (wamp_value_dict_get_bool (dict, "name", TRUE));
  g_assert_false (wamp_value_dict_get_bool (dict, "missing", FALSE));
  g_assert_cmpstr (wamp_value_dict_get_string (dict, "name"), ==, "joe");
  g_assert_null (wamp_value_dict_get_string (dict, "n"));
  g_assert_null (wamp_value_dict_get_string (dict, "missing"));
  g_assert_cmpuint (wamp_value_dict_get_unsigned (dict, "n", 0), ==, 12);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (dict, "neg", 77), ==, 77);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (dict, "flag", 77), ==, 77);
}

static void
test_nested_equality_and_debug (void)
{
  g_autoptr(WampValue) a = wamp_value_new_dict (0);
  g_autoptr(WampValue) b = wamp_value_new_dict (0);
  WampValue *la = wamp_value_new_list (0);
  WampValue *lb = wamp_value_new_list (0);
  g_autofree char *dbg = NULL;

  wamp_value_list_append (la, wamp_value_new_double (1.0));
  wamp_value_list_append (lb, wamp_value_new_double (1.0));
  wamp_value_dict_insert (a, "x", la);
  wamp_value_dict_insert (a, "y", wamp_value_new_bool (FALSE));
  wamp_value_dict_insert (b, "y", wamp_value_new_bool (FALSE));
  wamp_value_dict_insert (b, "x", lb);
  g_assert_true (wamp_value_equal (a, b));
  dbg = wamp_value_to_debug_string (a);
  g_assert_cmpstr (dbg, ==, "{\"x\": [1.0], \"y\": false}");
}

/* Equal values hash alike (dict order ignored), so sessions can share them. */
static void
test_hash_agrees_with_equal (void)
{
  g_autoptr(WampValue) a = wamp_value_new_dict (0);
  g_autoptr(WampValue) b = wamp_value_new_dict (0);
  g_autoptr(WampValue) c = wamp_value_new_dict (0);
  WampValue *features = wamp_value_new_dict (0);

  wamp_value_dict_insert (features, "call_canceling", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (a, "features", features);
  wamp_value_dict_insert (a, "n", wamp_value_new_int (7));
  wamp_value_dict_insert (b, "n", wamp_value_new_int (7));
  features = wamp_value_new_dict (0);
  wamp_value_dict_insert (features, "call_canceling", wamp_value_new_bool (TRUE));
  wamp_value_dict_insert (b, "features", features);
  wamp_value_dict_insert (c, "n", wamp_value_new_int (8));

  g_assert_true (wamp_value_equal (a, b));
  g_assert_cmpuint (wamp_value_hash (a), ==, wamp_value_hash (b));
  g_assert_false (wamp_value_equal (a, c));
  g_assert_cmpuint (wamp_value_hash (a), !=, wamp_value_hash (c));
  g_assert_true (wamp_value_has_ref_count (a, 1));
}

/* null, the bools, integers and the empty dict are shared and never freed:
 * no allocation for the fields nearly every message has. */
static void
test_shared_immortal_values (void)
{
  WampValue *a = wamp_value_new_int (48);
  WampValue *b = wamp_value_new_int (48);
  WampValue *big = wamp_value_new_int (G_GINT64_CONSTANT (1) << 61);
  WampValue *big2 = wamp_value_new_int (G_GINT64_CONSTANT (1) << 61);
  WampValue *e = wamp_value_get_empty_dict ();

  g_assert_true (a == b);
  g_assert_true (wamp_value_new_bool (TRUE) == wamp_value_new_bool (TRUE));
  g_assert_true (wamp_value_new_null () == wamp_value_new_null ());
  g_assert_true (wamp_value_new_uint (7) == wamp_value_new_int (7));
  for (int i = 0; i < 3; i++)
    wamp_value_unref (a);
  g_assert_cmpint (wamp_value_get_int (b), ==, 48);
  g_assert_cmpuint (wamp_value_dict_size (e), ==, 0);
  g_assert_true (wamp_value_ref (e) == wamp_value_get_empty_dict ());
  wamp_value_unref (e);
  wamp_value_unref (e);
  g_assert_cmpuint (wamp_value_dict_size (wamp_value_get_empty_dict ()), ==, 0);
  g_assert_true (wamp_value_new_int (256) == wamp_value_new_int (256));
  g_assert_true (wamp_value_new_int (-7) == wamp_value_new_int (-7));
  /* Beyond the tagged range: values of their own (on 64-bit hosts). */
  if (GLIB_SIZEOF_VOID_P == 8)
    g_assert_false (big == big2);
  wamp_value_unref (big);
  wamp_value_unref (big2);
}

#define P61 (G_GINT64_CONSTANT (1) << 61)

/* Whether an integer is a tagged pointer or (beyond +-2^61) allocated, every
 * accessor reads it alike. */
static void
test_int_boundaries (void)
{
  static const gint64 ints[] = {
    0, 1, -1, 255, 256, -256, G_GINT64_CONSTANT (1) << 53, P61 - 1, -P61, P61, -P61 - 1,
    G_MAXINT64, G_MININT64, G_MAXINT32, (gint64) G_MAXINT32 + 1, G_MININT32, (gint64) G_MININT32 - 1,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      gint64 v = ints[i];
      g_autoptr(WampValue) a = wamp_value_new_int (v);
      g_autoptr(WampValue) b = wamp_value_new_int (v);
      g_autoptr(WampValue) next = wamp_value_new_int (v == G_MAXINT64 ? v - 1 : v + 1);
      g_autoptr(WampValue) d = wamp_value_new_double ((gdouble) v);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, v);
      g_autofree char *dbg = wamp_value_to_debug_string (a);
      guint64 u = 0;

      g_assert_cmpint (wamp_value_get_value_type (a), ==, WAMP_VALUE_INT);
      g_assert_cmpint (wamp_value_get_int (a), ==, v);
      g_assert_cmpstr (dbg, ==, expected);
      g_assert_true (wamp_value_equal (a, b));
      g_assert_cmpuint (wamp_value_hash (a), ==, wamp_value_hash (b));
      g_assert_false (wamp_value_equal (a, next));
      g_assert_false (wamp_value_equal (a, d));
      g_assert_cmpint (wamp_value_get_unsigned (a, &u), ==, v >= 0);
      if (v >= 0)
        {
          g_autoptr(WampValue) from_uint = wamp_value_new_uint ((guint64) v);

          g_assert_cmpuint (u, ==, (guint64) v);
          g_assert_true (wamp_value_equal (a, from_uint));
          g_assert_cmpuint (wamp_value_hash (a), ==, wamp_value_hash (from_uint));
        }
      g_assert_cmpint (wamp_value_get_id (a, NULL), ==, v >= 0 && v <= (G_GINT64_CONSTANT (1) << 53));
    }
}

/* The tagged form ends at 2^61 - 1 and -2^61: the numbers on either side
 * of the edge compare and hash by value, inside lists and dicts too. */
static void
test_int_equal_across_forms (void)
{
  static const gint64 edges[] = { P61 - 1, P61, -P61, -P61 - 1 };

  for (gsize i = 0; i < G_N_ELEMENTS (edges); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (edges); j++)
      {
        g_autoptr(WampValue) a = wamp_value_new_list (1);
        g_autoptr(WampValue) b = wamp_value_new_list (1);
        g_autoptr(WampValue) da = wamp_value_new_dict (1);
        g_autoptr(WampValue) db = wamp_value_new_dict (1);

        wamp_value_list_append (a, wamp_value_new_int (edges[i]));
        wamp_value_list_append (b, wamp_value_new_int (edges[j]));
        wamp_value_dict_insert (da, "n", wamp_value_new_int (edges[i]));
        wamp_value_dict_insert (db, "n", wamp_value_new_int (edges[j]));
        g_assert_cmpint (wamp_value_equal (a, b), ==, i == j);
        g_assert_cmpint (wamp_value_equal (da, db), ==, i == j);
        if (i == j)
          {
            g_assert_cmpuint (wamp_value_hash (a), ==, wamp_value_hash (b));
            g_assert_cmpuint (wamp_value_hash (da), ==, wamp_value_hash (db));
          }
        g_assert_cmpuint (wamp_value_dict_get_unsigned (da, "n", 9), ==, edges[i] >= 0 ? (guint64) edges[i] : 9);
        g_assert_false (wamp_value_dict_get_bool (da, "n", FALSE));
        g_assert_null (wamp_value_dict_get_string (da, "n"));
        g_assert_cmpint (wamp_value_get_int (wamp_value_list_get (a, 0)), ==, edges[i]);
      }
}

/* A tagged integer is immortal: references cost nothing and never free it,
 * and it never reports itself as unshared (the router's intern table). */
static void
test_int_tagged_ref_unref (void)
{
  WampValue *v = wamp_value_new_int (G_GINT64_CONSTANT (1) << 53);

  for (int i = 0; i < 3; i++)
    g_assert_true (wamp_value_ref (v) == v);
  for (int i = 0; i < 5; i++)
    wamp_value_unref (v);
  g_assert_cmpint (wamp_value_get_int (v), ==, G_GINT64_CONSTANT (1) << 53);
  g_assert_false (wamp_value_has_ref_count (v, 1));
  g_assert_false (wamp_value_has_ref_count (v, 2));
  g_assert_false (wamp_value_has_ref_count (wamp_value_new_int (-1), 1));
}

static void
test_debug_scalars (void)
{
  g_autoptr(WampValue) big = wamp_value_new_uint (G_MAXUINT64);
  g_autoptr(WampValue) neg = wamp_value_new_int (-3);
  g_autoptr(WampValue) ctl = wamp_value_new_string_len ("\n\0", 2);
  g_autoptr(WampValue) half = wamp_value_new_double (0.5);
  g_autofree char *s1 = wamp_value_to_debug_string (big);
  g_autofree char *s2 = wamp_value_to_debug_string (neg);
  g_autofree char *s3 = wamp_value_to_debug_string (ctl);
  g_autofree char *s4 = wamp_value_to_debug_string (half);
  g_autoptr(WampValue) tenth = wamp_value_new_double (0.1);
  g_autoptr(WampValue) third = wamp_value_new_double (1.0 / 3.0);
  g_autoptr(WampValue) whole = wamp_value_new_double (-2.0);
  g_autoptr(WampValue) inf = wamp_value_new_double (INFINITY);
  g_autofree char *s5 = wamp_value_to_debug_string (tenth);
  g_autofree char *s6 = wamp_value_to_debug_string (third);
  g_autofree char *s7 = wamp_value_to_debug_string (whole);
  g_autofree char *s8 = wamp_value_to_debug_string (inf);

  g_assert_cmpstr (s1, ==, "18446744073709551615");
  g_assert_cmpstr (s2, ==, "-3");
  g_assert_cmpstr (s3, ==, "\"\\n\\u0000\"");
  g_assert_cmpstr (s4, ==, "0.5");
  g_assert_cmpstr (s5, ==, "0.1");
  g_assert_cmpfloat (g_ascii_strtod (s6, NULL), ==, 1.0 / 3.0);
  g_assert_cmpstr (s7, ==, "-2.0");
  g_assert_cmpstr (s8, ==, "Infinity");
}

static void
test_huge_reserve_is_only_a_hint (void)
{
  /* A peer-claimed count must not turn into an allocation. */
  g_autoptr(WampValue) list = wamp_value_new_list (G_MAXSIZE / 2);
  g_autoptr(WampValue) dict = wamp_value_new_dict (G_MAXSIZE / 2);

  wamp_value_list_append (list, wamp_value_new_null ());
  wamp_value_dict_insert (dict, "k", wamp_value_new_null ());
  g_assert_cmpuint (wamp_value_list_length (list), ==, 1);
  g_assert_cmpuint (wamp_value_dict_size (dict), ==, 1);
}

static void
test_boxed_type (void)
{
  g_autoptr(WampValue) v = wamp_value_new_int (1);
  WampValue *copy;

  g_assert_true (G_TYPE_IS_BOXED (WAMP_TYPE_VALUE));
  copy = g_boxed_copy (WAMP_TYPE_VALUE, v);
  g_assert_true (copy == v);
  g_boxed_free (WAMP_TYPE_VALUE, copy);

  /* The same through a GValue, for a tagged and an allocated integer. */
  for (gint64 n = 5; n != 0; n = n == 5 ? G_MAXINT64 : 0)
    {
      g_autoptr(WampValue) num = wamp_value_new_int (n);
      g_auto(GValue) gv = G_VALUE_INIT;
      g_autoptr(WampValue) dup = NULL;

      g_value_init (&gv, WAMP_TYPE_VALUE);
      g_value_set_boxed (&gv, num);
      dup = g_value_dup_boxed (&gv);
      g_assert_true (dup == num);
      g_assert_cmpint (wamp_value_get_int (g_value_get_boxed (&gv)), ==, n);
    }
}

static void
test_wrong_getter_is_critical (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(WampValue) v = wamp_value_new_string ("x");
      g_assert_cmpint (wamp_value_get_int (v), ==, 0);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*");
}

/* A tagged integer passed where a string or container is expected is a
 * critical, not a read through the tagged pointer. */
static void
test_tagged_int_as_other_type_is_critical (void)
{
  WampValue *v = wamp_value_new_int (3);

#define EXPECT_CRITICAL() \
  g_test_expect_message ("wampcore", G_LOG_LEVEL_CRITICAL, "*assertion*failed*")
  EXPECT_CRITICAL ();
  g_assert_null (wamp_value_get_string (v, NULL));
  EXPECT_CRITICAL ();
  g_assert_cmpuint (wamp_value_list_length (v), ==, 0);
  EXPECT_CRITICAL ();
  g_assert_null (wamp_value_dict_lookup (v, "k"));
  EXPECT_CRITICAL ();
  wamp_value_list_append (v, wamp_value_new_null ());
  EXPECT_CRITICAL ();
  wamp_value_dict_insert (v, "k", wamp_value_new_null ());
  EXPECT_CRITICAL ();
  g_assert_cmpfloat (wamp_value_get_double (v), ==, 0.0);
#undef EXPECT_CRITICAL
  g_test_assert_expected_messages ();
  g_assert_false (wamp_value_is_plain_string (v));
}

static gpointer
string_churn_thread (gpointer data)
{
  WampValue *held[100];

  /* Lengths on both sides of the reused block's size, more at once than
   * the thread keeps as spares; each reads back as written. */
  for (guint round = 0; round < 2; round++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (held); i++)
        {
          g_autofree char *text = g_strnfill (i, (char) ('a' + i % 26));

          held[i] = wamp_value_new_string_len (text, i);
        }
      for (guint i = 0; i < G_N_ELEMENTS (held); i++)
        {
          gsize len = 0;
          const char *str = wamp_value_get_string (held[i], &len);

          g_assert_cmpuint (len, ==, i);
          g_assert_cmpuint (strlen (str), ==, i);
          if (i > 0)
            g_assert_cmpint (str[i - 1], ==, 'a' + i % 26);
          wamp_value_unref (held[i]);
        }
    }
  return NULL;
}

/* Short strings' blocks are reused within a thread and freed when it ends
 * (LSan sees a leak if not). */
static void
test_string_spares (void)
{
  for (guint i = 0; i < 2; i++)
    g_thread_join (g_thread_new ("strings", string_churn_thread, NULL));
  string_churn_thread (NULL);
}

/* The private inline fast paths agree with the public functions. */
static void
test_inline_fast_paths (void)
{
  static const guint64 ids[] = { 0, 1, 1000, G_GUINT64_CONSTANT (9007199254740992) };
  g_autoptr(WampValue) str = wamp_value_new_string ("x");
  g_autoptr(WampValue) big = wamp_value_new_uint (G_MAXUINT64);
  WampValue *empty = wamp_value_get_empty_dict ();
  guint64 out = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(WampValue) a = wamp_value_new_id_inline (ids[i]);
      g_autoptr(WampValue) b = wamp_value_new_uint (ids[i]);

      g_assert_true (wamp_value_equal (a, b));
      g_assert_cmpint (wamp_value_type_inline (a), ==, WAMP_VALUE_INT);
      g_assert_true (wamp_value_get_id_inline (a, &out));
      g_assert_cmpuint (out, ==, ids[i]);
      g_assert_cmpint (wamp_value_get_int_inline (a), ==, (gint64) ids[i]);
    }
  g_assert_false (wamp_value_get_id_inline (big, &out));
  g_assert_cmpint (wamp_value_type_inline (str), ==, WAMP_VALUE_STRING);
  g_assert_false (wamp_value_is_static (str));
  g_assert_true (wamp_value_is_static (empty));
  g_assert_true (wamp_value_ref_inline (empty) == empty);
  wamp_value_unref_inline (empty);
  g_assert_true (wamp_value_ref_inline (str) == str);
  g_assert_true (wamp_value_has_ref_count (str, 2));
  wamp_value_unref_inline (str);
  g_assert_true (wamp_value_has_ref_count (str, 1));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampValue: the serializer-neutral value");

  g_test_add_func ("/value/scalar/constructors-and-getters", test_scalars);
  g_test_add_func ("/value/int/uint-fitting-int64-is-normalised-to-int", test_uint_normalised_to_int);
  g_test_add_func ("/value/int/get-unsigned-rejects-negative-and-non-integers", test_get_unsigned_rejects_negative_and_others);
  g_test_add_func ("/value/int/get-id-accepts-only-0-to-2^53", test_get_id_range);
  g_test_add_func ("/value/string/length-and-embedded-nul", test_strings_with_nul);
  g_test_add_func ("/value/bytes/copied-and-referenced-compare-equal", test_bytes);
  g_test_add_func ("/value/double/negative-zero-and-nan-are-not-equal", test_double_equality);
  g_test_add_func ("/value/list/append-get-debug", test_list);
  g_test_add_func ("/value/list/append-on-shared-list-is-refused", test_list_append_on_shared_is_refused);
  g_test_add_func ("/value/dict/insertion-order-and-in-place-replacement", test_dict_order_and_replacement);
  g_test_add_func ("/value/dict/keys-with-nul", test_dict_keys_with_nul);
  g_test_add_func ("/value/dict/big-dict-lookup-and-order-free-equality", test_dict_big_lookup);
  g_test_add_func ("/value/dict/index-threshold-boundaries", test_dict_index_threshold_boundaries);
  g_test_add_func ("/value/dict/typed-getters-fall-back-to-default", test_dict_typed_getters);
  g_test_add_func ("/value/equal/nested-ignores-dict-order", test_nested_equality_and_debug);
  g_test_add_func ("/value/debug/scalars", test_debug_scalars);
  g_test_add_func ("/value/hash/agrees-with-equal", test_hash_agrees_with_equal);
  g_test_add_func ("/value/shared/immortal", test_shared_immortal_values);
  g_test_add_func ("/value/container/huge-reserve-is-only-a-hint", test_huge_reserve_is_only_a_hint);
  g_test_add_func ("/value/boxed/copy-is-ref", test_boxed_type);
  g_test_add_func ("/value/getter/wrong-type-is-critical", test_wrong_getter_is_critical);
  g_test_add_func ("/value/int/tagged-and-allocated-boundaries-read-alike", test_int_boundaries);
  g_test_add_func ("/value/int/equal-and-hash-across-the-tagged-edge", test_int_equal_across_forms);
  g_test_add_func ("/value/int/tagged-ref-unref-are-no-ops", test_int_tagged_ref_unref);
  g_test_add_func ("/value/getter/tagged-int-as-other-type-is-critical", test_tagged_int_as_other_type_is_critical);
  g_test_add_func ("/value/string/short-blocks-reused-and-freed-at-thread-exit", test_string_spares);
  g_test_add_func ("/value/private/inline-fast-paths-agree", test_inline_fast_paths);

  return g_test_run ();
}
