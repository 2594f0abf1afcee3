/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who receives a listening transport's new connections: the router. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

typedef void (*WampTransportAcceptFunc) (WampTransport  *transport,
                                         WampConnection *connection,
                                         gpointer        user_data);

/* Without an accept func, accepted connections are closed at once. */
void wamp_transport_set_accept_func (WampTransport           *transport,
                                     WampTransportAcceptFunc  func,
                                     gpointer                 user_data);

G_END_DECLS
