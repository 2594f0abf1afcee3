/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampTransport: a listener built from one config block, and the client side
 * of the same transport (extension point "wamp-transport"). */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-connection.h>
#include <wamp/wamp-reactor.h>

G_BEGIN_DECLS

#define WAMP_TRANSPORT_EXTENSION_POINT "wamp-transport"

#define WAMP_TYPE_TRANSPORT (wamp_transport_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WampTransport, wamp_transport, WAMP, TRANSPORT, GObject)

/**
 * WampTransportInterface:
 * @configure: reads its config block @config (a dict) for a listener. The core
 *   has checked the keys "name", "type", "serializers" and "auth"; the
 *   transport checks every other key (unknown ones are an error) and reports
 *   problems as WAMP_CONFIG_ERROR naming the JSON path (@config_path is the
 *   block's, e.g. "$.transports[0]"). @serializers: (element-type WampSerializer)
 *   the serializers to offer, in preference order. Nothing listens yet.
 * @start: binds and listens. Errors name the address.
 * @stop: stops listening; established connections stay.
 * @get_urls: after @start, one URL per bound address in the ready-file form
 *   of DESIGN.md (`ws://127.0.0.1:8080/ws`).
 * @adopt: takes over an already-accepted connection (e.g. from a universal
 *   port) with @initial_bytes already read from it. @socket is the stream's
 *   socket, for the reactor.
 * @connect_async: opens a client connection to @url, offering @serializers
 *   (element-type WampSerializer) in preference order.
 *
 * @set_client_tls: (Since: ABI 1.1; NULL in older plugins) the TLS settings
 *   of client connections opened afterwards, see wamp_transport_set_client_tls().
 *
 * A listener reports each connection that completed its transport handshake
 * with wamp_transport_connection_accepted().
 */
struct _WampTransportInterface
{
  GTypeInterface g_iface;

  gboolean (*configure) (WampTransport *self,
                         WampReactor   *reactor,
                         WampValue     *config,
                         const char    *config_path,
                         GPtrArray     *serializers,
                         GError       **error);
  gboolean (*start) (WampTransport *self, GError **error);
  void (*stop) (WampTransport *self);
  GStrv (*get_urls) (WampTransport *self);
  gboolean (*adopt) (WampTransport *self,
                     GIOStream     *stream,
                     GSocket       *socket,
                     GBytes        *initial_bytes,
                     GError       **error);
  void (*connect_async) (WampTransport       *self,
                         WampReactor         *reactor,
                         const char          *url,
                         GPtrArray           *serializers,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data);
  WampConnection *(*connect_finish) (WampTransport *self, GAsyncResult *result, GError **error);
  void (*set_client_tls) (WampTransport   *self,
                          GTlsDatabase    *database,
                          GTlsCertificate *certificate);
};

WAMP_AVAILABLE_IN_ALL
gboolean wamp_transport_configure (WampTransport *self, WampReactor *reactor, WampValue *config,
                                   const char *config_path, GPtrArray *serializers, GError **error);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_transport_start (WampTransport *self, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_transport_stop (WampTransport *self);
/* Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
GStrv wamp_transport_get_urls (WampTransport *self);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_transport_adopt (WampTransport *self, GIOStream *stream, GSocket *socket,
                               GBytes *initial_bytes, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_transport_connect_async (WampTransport *self, WampReactor *reactor, const char *url,
                                   GPtrArray *serializers, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full) (nullable). */
WAMP_AVAILABLE_IN_ALL
WampConnection *wamp_transport_connect_finish (WampTransport *self, GAsyncResult *result, GError **error);

/* Called by a listening transport: @connection (transfer none; the core takes
 * its own reference) is ready for WAMP. */
WAMP_AVAILABLE_IN_ALL
void wamp_transport_connection_accepted (WampTransport *self, WampConnection *connection);

/* Makes the connections @self accepts count as accepted by @owner (nullable:
 * undo): a transport that hands connections to others it created — a
 * universal port passing them to its WebSocket and RawSocket transports with
 * adopt() — calls this on each, so the router sees them on @owner, with
 * @owner's authentication. @owner is not referenced and must outlive @self. */
WAMP_AVAILABLE_IN_ALL
void wamp_transport_set_owner (WampTransport *self, WampTransport *owner);

/* Returns: (transfer full) (nullable): a new instance of the transport
 * extension @name, NULL when no plugin provides it. */
WAMP_AVAILABLE_IN_ALL
WampTransport *wamp_transport_new (const char *name);

/* TLS of the client connections @self opens from now on (wss://,
 * rawsocket+tls://): @database (nullable): the CAs a server certificate must
 * chain to, NULL for the system's; @certificate (nullable): a certificate
 * with its private key to present to servers that ask for one. Both are
 * referenced. A transport without client TLS ignores the call.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_transport_set_client_tls (WampTransport *self, GTlsDatabase *database,
                                    GTlsCertificate *certificate);

G_END_DECLS
