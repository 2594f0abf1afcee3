/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vtable lookup of the core's per-message interface wrappers. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The classes an interface has seen and their vtables: the wrappers run
 * several times per message, and a slot read is far cheaper than
 * g_type_interface_peek() walking the class's interfaces. Only classes of
 * static types, which are never finalized, are remembered (a class of a
 * type plugin could be unloaded and its address reused); they are a
 * handful, so a small table scanned without a lock does (entries are
 * published with a CAS and never released). A zeroed static is empty. */
#define WAMP_IFACE_CACHE_SLOTS 8

typedef struct {
  gpointer klass;
  gpointer iface;
} WampIfaceCacheEntry;

typedef struct {
  WampIfaceCacheEntry *slots[WAMP_IFACE_CACHE_SLOTS];
} WampIfaceCache;

/* The lookup for a class not in @cache yet; remembers it when it may. */
gpointer wamp_iface_cache_fill (WampIfaceCache *cache,
                                gpointer        klass,
                                GType           iface_type);

/* The @iface_type vtable of @instance, or NULL when @instance is NULL or does
 * not implement it: the type check and the vtable fetch in one. */
static inline gpointer
wamp_iface_peek (WampIfaceCache *cache,
                 gconstpointer   instance,
                 GType           iface_type)
{
  gpointer klass;

  if (instance == NULL || (klass = ((const GTypeInstance *) instance)->g_class) == NULL)
    return NULL;
  for (guint i = 0; i < WAMP_IFACE_CACHE_SLOTS; i++)
    {
      WampIfaceCacheEntry *entry = __atomic_load_n (&cache->slots[i], __ATOMIC_ACQUIRE);

      if (entry == NULL)
        break;
      if (entry->klass == klass)
        return entry->iface;
    }
  return wamp_iface_cache_fill (cache, klass, iface_type);
}

G_END_DECLS
