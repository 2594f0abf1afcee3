/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client side of the websocket transport: TCP connect and HTTP upgrade. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Connects to @url (ws:// or wss://host:port/path, IPv6 hosts in brackets),
 * offering the subprotocols of @serializers (element-type WampSerializer)
 * in order. The TCP connect and the TLS handshake use GIO; the upgrade and
 * the frames run on @reactor. With wss://, the server certificate must
 * chain to @tls_database (nullable: the system's CAs) and match the URL's
 * host; @tls_certificate (nullable) is presented when the server asks.
 * @source: (transfer none): the transport, the task's source object. */
void wamp_websocket_client_connect_async (WampTransport       *source,
                                          WampReactor         *reactor,
                                          const char          *url,
                                          GPtrArray           *serializers,
                                          GTlsDatabase        *tls_database,
                                          GTlsCertificate     *tls_certificate,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
/* Returns: (transfer full) (nullable): the connection, started: its first
 * frames are reported from the next reactor dispatch on. */
WampConnection *wamp_websocket_client_connect_finish (WampTransport  *source,
                                                      GAsyncResult   *result,
                                                      GError        **error);

/* Returns: (transfer full): base64 (SHA-1 (@key + RFC 6455 GUID)). */
char *wamp_websocket_compute_accept (const char *key);

G_END_DECLS
