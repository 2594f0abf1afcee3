/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core knows of serializers beyond their public API: which
 * instances live as long as the process. */
#pragma once

#include <wamp/wamp.h>

#include "wamp-pointer-table.h"

G_BEGIN_DECLS

/* The instances of wamp_serializer_lookup(), each its own value: read
 * inline below (every payload in holds one). */
G_GNUC_INTERNAL extern WampPointerTable wamp_serializer_shared_instances;

static inline gboolean
wamp_serializer_is_shared (WampSerializer *serializer)
{
  return wamp_pointer_table_lookup (&wamp_serializer_shared_instances, serializer) != NULL;
}

/* Takes a reference to @serializer unless it is one of the instances of
 * wamp_serializer_lookup(), which are never freed: the message path holds
 * one in every payload and every cached encoding, and a GObject reference
 * costs more than the check. Any beyond the table's size are simply
 * reference counted. Returns: @serializer. */
static inline WampSerializer *
wamp_serializer_hold (WampSerializer *serializer)
{
  return wamp_serializer_is_shared (serializer) ? serializer : g_object_ref (serializer);
}

/* Drops what wamp_serializer_hold() took; NULL is ignored. */
static inline void
wamp_serializer_release (WampSerializer *serializer)
{
  if (serializer != NULL && !wamp_serializer_is_shared (serializer))
    g_object_unref (serializer);
}

G_END_DECLS
