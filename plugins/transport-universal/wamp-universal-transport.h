/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampUniversalTransport: the "universal" transport extension, one TCP (or
 * TLS, or Unix) endpoint serving WebSocket and RawSocket. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

#define WAMP_TYPE_UNIVERSAL_TRANSPORT (wamp_universal_transport_get_type ())
G_DECLARE_FINAL_TYPE (WampUniversalTransport, wamp_universal_transport, WAMP,
                      UNIVERSAL_TRANSPORT, GObject)

G_END_DECLS
