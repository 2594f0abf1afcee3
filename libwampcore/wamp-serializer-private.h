/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the core knows of serializers beyond their public API: which
 * instances live as long as the process. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Takes a reference to @serializer unless it is one of the instances of
 * wamp_serializer_lookup(), which are never freed: the message path holds
 * one in every payload and every cached encoding, and a GObject reference
 * costs more than the check. Returns: @serializer. */
WampSerializer *wamp_serializer_hold (WampSerializer *serializer);

/* Drops what wamp_serializer_hold() took; NULL is ignored. */
void wamp_serializer_release (WampSerializer *serializer);

G_END_DECLS
