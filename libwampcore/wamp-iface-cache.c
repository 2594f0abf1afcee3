/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampIfaceCache: the slow path of wamp_iface_peek(). */

#include "config.h"

#include "wamp-iface-private.h"

gpointer
wamp_iface_cache_fill (WampIfaceCache *cache,
                       gpointer        klass,
                       GType           iface_type)
{
  gpointer iface = g_type_interface_peek (klass, iface_type);
  WampIfaceCacheEntry *entry;

  if (iface == NULL || g_type_get_plugin (G_TYPE_FROM_CLASS (klass)) != NULL)
    return iface;

  entry = g_new (WampIfaceCacheEntry, 1);
  entry->klass = klass;
  entry->iface = iface;
  for (guint i = 0; i < WAMP_IFACE_CACHE_SLOTS; i++)
    {
      WampIfaceCacheEntry *expected = NULL;

      if (__atomic_compare_exchange_n (&cache->slots[i], &expected, entry, FALSE,
                                       __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return iface;
      /* Another thread remembered this class first. */
      if (expected->klass == klass)
        break;
    }
  /* Remembered already, or the table is full: looked up each time. */
  g_free (entry);
  return iface;
}
