/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transport-universal plugin: registers the "universal" transport extension. */

#include <wamp/wamp.h>

#include "wamp-universal-transport.h"

static gboolean
transport_universal_register (WampPluginContext  *context,
                              GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            WAMP_TYPE_UNIVERSAL_TRANSPORT, "universal", error);
}

WAMP_PLUGIN_DEFINE ("transport-universal", WAMP_VERSION, "LGPL-2.1-or-later",
                    "One port for WebSocket and RawSocket: the first octet picks the protocol",
                    transport_universal_register)
