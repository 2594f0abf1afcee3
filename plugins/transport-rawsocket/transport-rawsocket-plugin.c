/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transport-rawsocket plugin: registers the "rawsocket" transport extension. */

#include <wamp/wamp.h>

#include "wamp-rawsocket-transport.h"

static gboolean
transport_rawsocket_register (WampPluginContext  *context,
                              GError            **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_TRANSPORT_EXTENSION_POINT,
                                            WAMP_TYPE_RAWSOCKET_TRANSPORT, "rawsocket", error);
}

WAMP_PLUGIN_DEFINE ("transport-rawsocket", WAMP_VERSION, "LGPL-2.1-or-later",
                    "WAMP over RawSocket (TCP, Unix sockets, TLS): handshake and frames on the reactor",
                    transport_rawsocket_register)
