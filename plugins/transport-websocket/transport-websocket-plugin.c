/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transport-websocket plugin: registers the "websocket" transport extension. */

#include <wamp/wamp.h>

#include "wamp-websocket-transport.h"

static gboolean
transport_websocket_register (WampPluginContext  *context,
                              GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            WAMP_TYPE_WEBSOCKET_TRANSPORT, "websocket", error);
}

WAMP_PLUGIN_DEFINE ("transport-websocket", WAMP_VERSION, "LGPL-2.1-or-later",
                    "WAMP over WebSocket (RFC 6455): libsoup handshake, frames on the reactor",
                    transport_websocket_register)
