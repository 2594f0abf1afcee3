/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketTransport: the "rawsocket" transport extension (listener and client). */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_RAWSOCKET_TRANSPORT (wamp_rawsocket_transport_get_type ())
G_DECLARE_FINAL_TYPE (WampRawsocketTransport, wamp_rawsocket_transport, WAMP,
                      RAWSOCKET_TRANSPORT, GObject)

/* Connections that completed the handshake and are still open (tests). */
guint wamp_rawsocket_transport_get_n_open (WampRawsocketTransport *self);

G_END_DECLS
