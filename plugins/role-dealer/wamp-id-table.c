/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampIdTable: pending calls by WAMP ID, a hash table that never rehashes
 * under steady insert/remove churn. */
#include "wamp-id-table.h"

#define MIN_CAPACITY 8
/* A table this small is kept when it empties: a caller with a window of
 * outstanding calls empties and refills its table all the time. */
#define KEPT_CAPACITY 64

static guint
capacity (const WampIdTable *table)
{
  return table->slots != NULL ? table->mask + 1 : 0;
}

/* The slot of @id, or -1. */
static gint64
find_slot (const WampIdTable *table,
           guint64            id)
{
  guint i;

  if (table->len == 0)
    return -1;
  /* Ends: the load factor stays below 3/4, so there is a free slot. */
  for (i = wamp_id_table_home_slot (table, id); table->slots[i].value != NULL; i = (i + 1) & table->mask)
    if (table->slots[i].id == id)
      return i;
  return -1;
}

static void
place (WampIdTable *table,
       guint64      id,
       gpointer     value)
{
  guint i = wamp_id_table_home_slot (table, id);

  while (table->slots[i].value != NULL)
    i = (i + 1) & table->mask;
  table->slots[i].id = id;
  table->slots[i].value = value;
}

static void
resize (WampIdTable *table,
        guint        new_capacity)
{
  WampIdTableSlot *old = table->slots;
  guint old_capacity = capacity (table);

  table->slots = g_new0 (WampIdTableSlot, new_capacity);
  table->mask = new_capacity - 1;
  for (guint i = 0; i < old_capacity; i++)
    if (old[i].value != NULL)
      place (table, old[i].id, old[i].value);
  g_free (old);
}

void
wamp_id_table_clear (WampIdTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  table->mask = 0;
  table->len = 0;
}

void
wamp_id_table_grow (WampIdTable *table)
{
  if ((table->len + 1) * 4 > capacity (table) * 3)
    resize (table, MAX (capacity (table) * 2, MIN_CAPACITY));
}

gpointer
wamp_id_table_take (WampIdTable *table,
                    guint64      id)
{
  gint64 found = find_slot (table, id);
  gpointer value;
  guint hole, j;

  if (found < 0)
    return NULL;
  value = table->slots[found].value;
  table->len--;

  /* Backward shift: an entry further along the probe run moves into the
   * hole unless its home slot lies cyclically in (hole, j], where a lookup
   * starting there would no longer pass the hole. */
  hole = (guint) found;
  for (j = (hole + 1) & table->mask; table->slots[j].value != NULL; j = (j + 1) & table->mask)
    {
      guint home = wamp_id_table_home_slot (table, table->slots[j].id);
      gboolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);

      if (!stays)
        {
          table->slots[hole] = table->slots[j];
          hole = j;
        }
    }
  table->slots[hole].value = NULL;

  /* Shrinks well below the load it grows at: no resizing back and forth. */
  if (capacity (table) > KEPT_CAPACITY && table->len * 8 < capacity (table))
    resize (table, capacity (table) / 2);
  return value;
}

guint
wamp_id_table_size (const WampIdTable *table)
{
  return table->len;
}

GPtrArray *
wamp_id_table_values (const WampIdTable *table)
{
  GPtrArray *values = g_ptr_array_sized_new (table->len);

  for (guint i = 0; i < capacity (table); i++)
    if (table->slots[i].value != NULL)
      g_ptr_array_add (values, table->slots[i].value);
  return values;
}
