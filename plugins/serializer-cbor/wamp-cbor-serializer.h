/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampCborSerializer: the "cbor" serializer (wamp.2.cbor, RawSocket id 3). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_CBOR_SERIALIZER (wamp_cbor_serializer_get_type ())
G_DECLARE_FINAL_TYPE (WampCborSerializer, wamp_cbor_serializer, WAMP, CBOR_SERIALIZER, GObject)

/* Returns: (transfer full). */
WampCborSerializer *wamp_cbor_serializer_new (void);

/* The "max-depth" property: the nesting limit of frames and values (default
 * WAMP_CBOR_DEFAULT_MAX_DEPTH, counting the message's own array; 1 to
 * WAMP_CBOR_MAX_MAX_DEPTH). */
void wamp_cbor_serializer_set_max_depth (WampCborSerializer *self,
                                         guint               max_depth);
guint wamp_cbor_serializer_get_max_depth (WampCborSerializer *self);

G_END_DECLS
