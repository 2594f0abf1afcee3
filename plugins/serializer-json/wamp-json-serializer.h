/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampJsonSerializer: the "json" serializer (wamp.2.json, RawSocket id 1). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_JSON_SERIALIZER (wamp_json_serializer_get_type ())
G_DECLARE_FINAL_TYPE (WampJsonSerializer, wamp_json_serializer, WAMP, JSON_SERIALIZER, GObject)

/* Returns: (transfer full). */
WampJsonSerializer *wamp_json_serializer_new (void);

/* The nesting limit of frames and values (default WAMP_JSON_DEFAULT_MAX_DEPTH,
 * counting the message's own array); for a configuration option. */
void wamp_json_serializer_set_max_depth (WampJsonSerializer *self,
                                         guint               max_depth);
guint wamp_json_serializer_get_max_depth (WampJsonSerializer *self);

G_END_DECLS
