/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPointerTable: a small append-only map from pointers to pointers for
 * the core's process-long facts about a handful of objects (serializer
 * instances, classes), read on the message path without a lock. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Keys are a handful (serializers, their classes): a scan of this many
 * slots beats hashing. Entries are published with a CAS and never released;
 * a zeroed static is an empty table. */
#define WAMP_POINTER_TABLE_SLOTS 16

typedef struct {
  gconstpointer key;
  gpointer value;
} WampPointerTableEntry;

typedef struct {
  WampPointerTableEntry *slots[WAMP_POINTER_TABLE_SLOTS];
} WampPointerTable;

/* Returns: (nullable): the value of @key, NULL when it has none. */
static inline gpointer
wamp_pointer_table_lookup (WampPointerTable *table,
                           gconstpointer     key)
{
  for (guint i = 0; i < WAMP_POINTER_TABLE_SLOTS; i++)
    {
      WampPointerTableEntry *entry = __atomic_load_n (&table->slots[i], __ATOMIC_ACQUIRE);

      if (entry == NULL)
        break;
      if (entry->key == key)
        return entry->value;
    }
  return NULL;
}

/* Gives @key the value @value unless it has one. Returns: (nullable): the
 * value @key has now (another thread's may have come first), NULL when the
 * table is full. */
gpointer wamp_pointer_table_insert (WampPointerTable *table,
                                    gconstpointer     key,
                                    gpointer          value);

/* Calls @func (value, @user_data) for every entry. */
void wamp_pointer_table_foreach_value (WampPointerTable *table,
                                       GFunc             func,
                                       gpointer          user_data);

G_END_DECLS
