/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCounters: relaxed atomic counts of serializer work (see the header). */

#include "config.h"

#include "wamp-counters-private.h"

/* Serializers are a handful of process-lifetime singletons: a small table
 * keyed by pointer, scanned without a lock (slots are claimed with a CAS and
 * never released), is cheaper than a hash table. Serializers beyond it are
 * still counted in the totals. */
#define MAX_SERIALIZER_SLOTS 16

typedef struct {
  gpointer serializer;
  guint64 serializations;
} SerializerSlot;

static WampCounters counters;
static SerializerSlot slots[MAX_SERIALIZER_SLOTS];

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

static SerializerSlot *
slot_for (WampSerializer *serializer, gboolean claim)
{
  for (guint i = 0; i < MAX_SERIALIZER_SLOTS; i++)
    {
      gpointer current = __atomic_load_n (&slots[i].serializer, __ATOMIC_ACQUIRE);

      if (current == serializer)
        return &slots[i];
      if (current == NULL)
        {
          gpointer expected = NULL;

          if (!claim)
            return NULL;
          if (__atomic_compare_exchange_n (&slots[i].serializer, &expected, serializer, FALSE,
                                           __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
              || expected == serializer)
            return &slots[i];
        }
    }
  return NULL;
}

void
wamp_counters_count_serialization (WampSerializer *serializer, gboolean ok)
{
  SerializerSlot *slot = slot_for (serializer, TRUE);

  count (&counters.serializations);
  if (!ok)
    count (&counters.serialization_failures);
  if (slot != NULL)
    count (&slot->serializations);
}

void
wamp_counters_get (WampCounters *out)
{
  g_return_if_fail (out != NULL);

  out->payload_decodes = read_counter (&counters.payload_decodes);
  out->value_decodes = read_counter (&counters.value_decodes);
  out->value_encodes = read_counter (&counters.value_encodes);
  out->serializations = read_counter (&counters.serializations);
  out->serialization_failures = read_counter (&counters.serialization_failures);
}

guint64
wamp_counters_get_serializations (WampSerializer *serializer)
{
  SerializerSlot *slot;

  g_return_val_if_fail (serializer != NULL, 0);

  slot = slot_for (serializer, FALSE);
  return slot != NULL ? read_counter (&slot->serializations) : 0;
}

void
wamp_counters_reset (void)
{
  __atomic_store_n (&counters.payload_decodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.value_decodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.value_encodes, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.serializations, 0, __ATOMIC_RELAXED);
  __atomic_store_n (&counters.serialization_failures, 0, __ATOMIC_RELAXED);
  /* Slots keep their serializer: they are never released. */
  for (guint i = 0; i < MAX_SERIALIZER_SLOTS; i++)
    __atomic_store_n (&slots[i].serializations, 0, __ATOMIC_RELAXED);
}
