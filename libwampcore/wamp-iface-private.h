/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vtable lookup of the core's per-message interface wrappers. */
#pragma once

#include <glib-object.h>

#include "wamp-pointer-table.h"

G_BEGIN_DECLS

/* The @iface_type vtable of @instance, or NULL when @instance is NULL or does
 * not implement it: the type check and the vtable fetch in one. @cache (one
 * per interface) remembers the vtables of the classes it has seen: the
 * wrappers run several times per message, and a slot read is far cheaper
 * than g_type_interface_peek() walking the class's interfaces. Only classes
 * of static types, never finalized, are remembered (a type plugin's class
 * could be unloaded and its address reused). */
static inline gpointer
wamp_iface_peek (WampPointerTable *cache,
                 gconstpointer     instance,
                 GType             iface_type)
{
  gpointer klass, iface;

  if (instance == NULL || (klass = ((const GTypeInstance *) instance)->g_class) == NULL)
    return NULL;
  iface = wamp_pointer_table_lookup (cache, klass);
  if (iface != NULL)
    return iface;
  iface = g_type_interface_peek (klass, iface_type);
  if (iface != NULL && g_type_get_plugin (G_TYPE_FROM_CLASS (klass)) == NULL)
    wamp_pointer_table_insert (cache, klass, iface);
  return iface;
}

G_END_DECLS
