/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampIdTable: pending calls by WAMP ID (and the dealer's sessions by
 * address), a hash table that never rehashes under steady insert/remove
 * churn; lookups and inserts inline. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64 id;
  gpointer value;   /* NULL: the slot is free */
} WampIdTableSlot;

/* guint64 ID -> non-NULL pointer, open addressing with linear probing and
 * backward-shift deletion. It leaves no tombstones, so the churn of calls
 * that come and go never rehashes it (GHashTable's tombstones made every
 * few inserts rehash a table of pending calls); a small table is kept when
 * it empties, a large one shrinks once far emptier than when it grew. All
 * zero is an empty table; it owns no values. */
typedef struct {
  WampIdTableSlot *slots;
  guint mask;       /* capacity - 1, while @slots is not NULL */
  guint len;
} WampIdTable;

/* Frees the slots: @table is empty (and usable) again. */
void wamp_id_table_clear (WampIdTable *table);
/* Returns: (transfer none) (nullable): the value @id had, which is no longer
 * in @table; NULL when @id was not there. */
gpointer wamp_id_table_take (WampIdTable *table, guint64 id);
/* Makes room for one more entry (out of line: rare). */
void wamp_id_table_grow (WampIdTable *table);
guint wamp_id_table_size (const WampIdTable *table);
/* Returns: (transfer container): a snapshot of the values, for callers that
 * remove entries while they go through them. */
GPtrArray *wamp_id_table_values (const WampIdTable *table);

/* Lookups and inserts inline: the dealer does several per routed call. */

static inline guint
wamp_id_table_home_slot (const WampIdTable *table,
                         guint64            id)
{
  /* Fibonacci hashing: sequential IDs spread over the whole table. */
  return (guint) ((id * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 32) & table->mask;
}

/* Returns: (transfer none) (nullable): the value of @id. */
static inline gpointer
wamp_id_table_lookup (const WampIdTable *table,
                      guint64            id)
{
  if (table->len == 0)
    return NULL;
  /* Ends: the load factor stays below 3/4, so there is a free slot. */
  for (guint i = wamp_id_table_home_slot (table, id); table->slots[i].value != NULL;
       i = (i + 1) & table->mask)
    if (table->slots[i].id == id)
      return table->slots[i].value;
  return NULL;
}

/* Adds @id, which must not be in @table yet, with @value (not NULL). */
static inline void
wamp_id_table_insert (WampIdTable *table,
                      guint64      id,
                      gpointer     value)
{
  guint i;

  g_return_if_fail (value != NULL);

  /* At most 3/4 full; the capacity is 0 while @slots is NULL. */
  if (table->slots == NULL || (table->len + 1) * 4 > (table->mask + 1) * 3)
    wamp_id_table_grow (table);
  for (i = wamp_id_table_home_slot (table, id); table->slots[i].value != NULL;
       i = (i + 1) & table->mask)
    ;
  table->slots[i].id = id;
  table->slots[i].value = value;
  table->len++;
}

/* Returns: whether @id was in @table. */
static inline gboolean
wamp_id_table_remove (WampIdTable *table,
                      guint64      id)
{
  return wamp_id_table_take (table, id) != NULL;
}

G_END_DECLS
