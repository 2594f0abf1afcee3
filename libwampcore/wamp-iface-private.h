/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vtable lookup of the core's per-message interface wrappers. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The @iface_type vtable of @instance, or NULL when @instance is NULL or does
 * not implement it. One type lookup checks and finds it where
 * WAMP_IS_FOO (self) then WAMP_FOO_GET_IFACE (self) costs two, and a
 * wrapper on the message path runs several times per message. */
static inline gpointer
wamp_iface_peek (gconstpointer instance,
                 GType         iface_type)
{
  if (instance == NULL)
    return NULL;
  return g_type_interface_peek (((const GTypeInstance *) instance)->g_class, iface_type);
}

G_END_DECLS
