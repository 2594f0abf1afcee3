/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the rawsocket transport: connect, then the RawSocket handshake on the reactor. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* @url: rawsocket+tcp://HOST:PORT (also plain rawsocket://) or
 * rawsocket+unix:///PATH. The first of @serializers is requested. */
void wamp_rawsocket_client_connect_async (WampTransport       *source,
                                          WampReactor         *reactor,
                                          const char          *url,
                                          GPtrArray           *serializers,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Returns: (transfer full) (nullable): an open connection, reading once returned. */
WampConnection *wamp_rawsocket_client_connect_finish (WampTransport  *source,
                                                      GAsyncResult   *result,
                                                      GError        **error);

G_END_DECLS
