/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampIdTable: pending calls by WAMP ID (and the dealer's sessions by
 * address), a hash table that never rehashes under steady insert/remove
 * churn. */
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
/* Returns: (transfer none) (nullable): the value of @id. */
gpointer wamp_id_table_lookup (const WampIdTable *table, guint64 id);
/* Adds @id, which must not be in @table yet, with @value (not NULL). */
void wamp_id_table_insert (WampIdTable *table, guint64 id, gpointer value);
/* Returns: whether @id was in @table. */
gboolean wamp_id_table_remove (WampIdTable *table, guint64 id);
guint wamp_id_table_size (const WampIdTable *table);
/* Returns: (transfer container): a snapshot of the values, for callers that
 * remove entries while they go through them. */
GPtrArray *wamp_id_table_values (const WampIdTable *table);

G_END_DECLS
