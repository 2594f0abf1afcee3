/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPointerTable: inserting and walking (lookups are inline). */

#include "config.h"

#include "wamp-pointer-table.h"

gpointer
wamp_pointer_table_insert (WampPointerTable *table,
                           gconstpointer     key,
                           gpointer          value)
{
  WampPointerTableEntry *entry = g_new (WampPointerTableEntry, 1);

  entry->key = key;
  entry->value = value;
  for (guint i = 0; i < WAMP_POINTER_TABLE_SLOTS; i++)
    {
      WampPointerTableEntry *expected = NULL;

      if (__atomic_compare_exchange_n (&table->slots[i], &expected, entry, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return value;
      if (expected->key == key)
        {
          g_free (entry);
          return expected->value;
        }
    }
  g_free (entry);
  return NULL;
}

void
wamp_pointer_table_foreach_value (WampPointerTable *table,
                                  GFunc             func,
                                  gpointer          user_data)
{
  for (guint i = 0; i < WAMP_POINTER_TABLE_SLOTS; i++)
    {
      WampPointerTableEntry *entry = __atomic_load_n (&table->slots[i], __ATOMIC_ACQUIRE);

      if (entry == NULL)
        break;
      func (entry->value, user_data);
    }
}
