/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClientConnectParams: what a transport's client connect keeps of its
 * caller's arguments (reactor, serializers to offer, TLS material), and the
 * GIO pieces every client transport opens its socket with. Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-reactor.h>

G_BEGIN_DECLS

/**
 * WampClientConnectParams:
 * @reactor: the reactor the connection runs on.
 * @serializers: (element-type WampSerializer): the serializers to offer, in
 *   order of preference (a copy of the caller's array).
 * @tls_database: (nullable): the trust anchors for a TLS URL; %NULL: the
 *   system's.
 * @tls_certificate: (nullable): the client certificate for a TLS URL.
 *
 * Lives in the connect operation's task data; all zeros is a cleared value.
 * Since: ABI 1.1
 */
typedef struct {
  WampReactor *reactor;
  GPtrArray *serializers;
  GTlsDatabase *tls_database;
  GTlsCertificate *tls_certificate;
} WampClientConnectParams;

/**
 * wamp_client_connect_params_init:
 * @params: all zeros
 * @reactor: (transfer none):
 * @serializers: (element-type WampSerializer) (transfer none): at least one
 * @tls_database: (nullable) (transfer none):
 * @tls_certificate: (nullable) (transfer none):
 * @error: G_IO_ERROR_INVALID_ARGUMENT when @serializers is empty
 *
 * Keeps references to the arguments. On failure @params stays all zeros.
 * Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_connect_params_init (WampClientConnectParams  *params,
                                          WampReactor              *reactor,
                                          GPtrArray                *serializers,
                                          GTlsDatabase             *tls_database,
                                          GTlsCertificate          *tls_certificate,
                                          GError                  **error);

/* Drops the references; @params is all zeros afterwards. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_client_connect_params_clear (WampClientConnectParams *params);

/**
 * wamp_client_connect_params_new_tls:
 * @params: initialized
 * @base: (transfer none): the connected stream
 * @server_identity: (transfer none): what the server's certificate must name
 * @error: where a failure to create the TLS connection goes
 *
 * Returns: (transfer full) (nullable): a TLS client connection over @base
 * with @params' database and certificate, not handshaken yet.
 * Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
GIOStream *wamp_client_connect_params_new_tls (const WampClientConnectParams  *params,
                                               GIOStream                      *base,
                                               GSocketConnectable             *server_identity,
                                               GError                        **error);

/**
 * wamp_client_socket_client_new:
 * @timeout_s: the connect timeout in seconds
 *
 * Returns: (transfer full): a GSocketClient that connects directly (no
 * proxy: a router link goes where its URL says). Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
GSocketClient *wamp_client_socket_client_new (guint timeout_s);

G_END_DECLS
