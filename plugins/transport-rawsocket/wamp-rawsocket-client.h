/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the rawsocket transport: connect, then the RawSocket handshake on the reactor. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* @url: rawsocket+tcp://HOST:PORT (also plain rawsocket://),
 * rawsocket+tls://HOST:PORT or rawsocket+unix:///PATH. The first of
 * @serializers is requested. @tls_database (nullable: the system's) and
 * @tls_certificate (nullable) serve rawsocket+tls://. */
void wamp_rawsocket_client_connect_async (WampTransport       *source,
                                          WampReactor         *reactor,
                                          const char          *url,
                                          GPtrArray           *serializers,
                                          GTlsDatabase        *tls_database,
                                          GTlsCertificate     *tls_certificate,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Returns: (transfer full) (nullable): an open connection, reading once returned. */
WampConnection *wamp_rawsocket_client_connect_finish (WampTransport  *source,
                                                      GAsyncResult   *result,
                                                      GError        **error);

G_END_DECLS
