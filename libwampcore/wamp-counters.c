/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCounters: relaxed atomic counts of serializer work (see the header). */

#include "config.h"

#include "wamp-counters-private.h"
#include "wamp-pointer-table.h"

/* Serializers are a handful of process-lifetime singletons: each one's
 * count lives in a small lock-free table keyed by it. Serializers beyond
 * the table are still counted in the totals: counters.serializations holds
 * their runs only, the table's are added when read. */
static WampCounters counters;
static WampPointerTable serializer_counts; /* serializer → guint64 (never freed) */

static inline void
count (guint64 *counter)
{
  __atomic_fetch_add (counter, 1, __ATOMIC_RELAXED);
}

static inline guint64
read_counter (const guint64 *counter)
{
  return __atomic_load_n (counter, __ATOMIC_RELAXED);
}

void
wamp_counters_count_payload_decode (void)
{
  count (&counters.payload_decodes);
}

void
wamp_counters_count_value_decode (void)
{
  count (&counters.value_decodes);
}

void
wamp_counters_count_value_encode (void)
{
  count (&counters.value_encodes);
}

/* Returns: (nullable): @serializer's count; with @claim, made if missing. */
static guint64 *
count_for (WampSerializer *serializer, gboolean claim)
{
  guint64 *count = wamp_pointer_table_lookup (&serializer_counts, serializer);

  if (count == NULL && claim)
    {
      guint64 *fresh = g_new0 (guint64, 1);

      count = wamp_pointer_table_insert (&serializer_counts, serializer, fresh);
      if (count != fresh)
        g_free (fresh);
    }
  return count;
}

/* A success is one add, to @serializer's count: the total is summed when
 * read (few readers, a serialization per message). */
void
wamp_counters_count_serialization (WampSerializer *serializer, gboolean ok)
{
  guint64 *per_serializer = count_for (serializer, TRUE);

  count (per_serializer != NULL ? per_serializer : &counters.serializations);
  if (G_UNLIKELY (!ok))
    count (&counters.serialization_failures);
}

static void
add_count (gpointer count, gpointer user_data)
{
  *(guint64 *) user_data += read_counter (count);
}

void
wamp_counters_get (WampCounters *out)
{
  g_return_if_fail (out != NULL);

  out->payload_decodes = read_counter (&counters.payload_decodes);
  out->value_decodes = read_counter (&counters.value_decodes);
  out->value_encodes = read_counter (&counters.value_encodes);
  out->serializations = read_counter (&counters.serializations);
  wamp_pointer_table_foreach_value (&serializer_counts, add_count, &out->serializations);
  out->serialization_failures = read_counter (&counters.serialization_failures);
}

guint64
wamp_counters_get_serializations (WampSerializer *serializer)
{
  guint64 *per_serializer;

  g_return_val_if_fail (serializer != NULL, 0);

  per_serializer = count_for (serializer, FALSE);
  return per_serializer != NULL ? read_counter (per_serializer) : 0;
}

static void
reset_count (gpointer count, gpointer user_data)
{
  __atomic_store_n ((guint64 *) count, 0, __ATOMIC_RELAXED);
}

void
wamp_counters_reset (void)
{
  __atomic_store_n (&counters.payload_decodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.value_decodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.value_encodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.serializations, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.serialization_failures, 0, __ATOMIC_RELAXED);
  /* Serializers keep their entry: entries are never released. */
  wamp_pointer_table_foreach_value (&serializer_counts, reset_count, NULL);
}
