/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampMsgpackSerializer: the "msgpack" serializer (wamp.2.msgpack, RawSocket id 2). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_MSGPACK_SERIALIZER (wamp_msgpack_serializer_get_type ())
G_DECLARE_FINAL_TYPE (WampMsgpackSerializer, wamp_msgpack_serializer, WAMP, MSGPACK_SERIALIZER, GObject)

/* Returns: (transfer full). */
WampMsgpackSerializer *wamp_msgpack_serializer_new (void);

/* The "max-depth" property: the nesting limit of frames and values (default
 * WAMP_MSGPACK_DEFAULT_MAX_DEPTH, counting the message's own array; at least 1). */
void wamp_msgpack_serializer_set_max_depth (WampMsgpackSerializer *self,
                                            guint                  max_depth);
guint wamp_msgpack_serializer_get_max_depth (WampMsgpackSerializer *self);

G_END_DECLS
