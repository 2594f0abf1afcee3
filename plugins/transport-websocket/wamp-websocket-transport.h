/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketTransport: the "websocket" transport extension (listener and client). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_WEBSOCKET_TRANSPORT (wamp_websocket_transport_get_type ())
G_DECLARE_FINAL_TYPE (WampWebsocketTransport, wamp_websocket_transport, WAMP,
                      WEBSOCKET_TRANSPORT, GObject)

G_END_DECLS
