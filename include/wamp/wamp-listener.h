/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampListener: the listening half every transport shares — TCP (IPv4, IPv6,
 * both) or Unix sockets, optional TLS, accepting on the reactor — built from a
 * transport's "endpoint" config block. Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-reactor.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

#define WAMP_TYPE_LISTENER (wamp_listener_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampListener, wamp_listener, WAMP, LISTENER, GObject)

/* Since: ABI 1.1 */
typedef enum {
  WAMP_LISTENER_ENDPOINT_NONE, /* not configured yet */
  WAMP_LISTENER_ENDPOINT_TCP,
  WAMP_LISTENER_ENDPOINT_UNIX,
} WampListenerEndpointType;

/* Default for wamp_listener_set_handshake_timeout(). Since: ABI 1.1 */
#define WAMP_LISTENER_DEFAULT_HANDSHAKE_TIMEOUT_MS 10000

/**
 * WampListenerAcceptFunc:
 * @listener: the listener
 * @socket: (transfer none): the accepted socket (its fd is O_NONBLOCK, as
 *   GSocket keeps every fd; TCP_NODELAY set on TCP); keep a reference to
 *   watch its fd on the reactor
 * @stream: (transfer none): a GTlsServerConnection whose handshake completed
 *   (client certificate verified when the endpoint asks for one) on a TLS
 *   endpoint, else the plain GSocketConnection over @socket. Keep a
 *   reference: dropping the last one closes the connection.
 * @user_data: as given to wamp_listener_set_accept_func()
 *
 * One connection, ready for the transport's own handshake. Since: ABI 1.1
 */
typedef void (*WampListenerAcceptFunc) (WampListener *listener,
                                        GSocket      *socket,
                                        GIOStream    *stream,
                                        gpointer      user_data);

/* @transport_name: the transport's config "name"; it selects the activated
 * sockets (wamp_listener_add_activated_socket()) and appears in log lines.
 * Returns: (transfer full). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
WampListener *wamp_listener_new (WampReactor *reactor, const char *transport_name);

/**
 * wamp_listener_configure:
 * @endpoint: (transfer none): the endpoint dict:
 *   `{ "type": "tcp", "host": "127.0.0.1", "port": 8080, "backlog": 4096?,
 *      "tls": { "certificate": PATH, "key": PATH, "ca_certificates": PATH?,
 *               "require_client_certificate": false? }? }`
 *   (host: an address, "::" / "0.0.0.0", "localhost" or a name — names
 *   resolve to all their addresses; default "127.0.0.1"; port 0 binds a free
 *   port that every address then shares) or
 *   `{ "type": "unix", "path": "/run/wampd/wampd.sock", "mode": "0660"?,
 *      "backlog": N? }`.
 * @endpoint_path: its JSON path ("$.transports[0].endpoint") for errors
 *
 * Checks the block (unknown keys are refused) and loads the TLS certificate,
 * key and CA now, so a missing, unreadable or invalid file or a key that
 * does not match the certificate is a WAMP_CONFIG_ERROR naming the JSON path
 * and the reason. With "ca_certificates", client certificates are verified
 * against that CA: required with "require_client_certificate", otherwise
 * requested and verified when given. Nothing listens yet.
 * Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_listener_configure (WampListener *self, WampValue *endpoint,
                                  const char *endpoint_path, GError **error);

/* @func: (nullable): called for each accepted connection (after the TLS
 * handshake on a TLS endpoint). @destroy: (nullable) frees @user_data when
 * replaced or when @self is finalized. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_listener_set_accept_func (WampListener *self, WampListenerAcceptFunc func,
                                    gpointer user_data, GDestroyNotify destroy);

/* A peer that has not completed the TLS handshake after @timeout_ms is
 * dropped (give it the transport's handshake timeout). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_listener_set_handshake_timeout (WampListener *self, guint timeout_ms);

/* Binds and listens on every address (or takes over the activated sockets
 * registered for the transport name, binding nothing), then accepts on the
 * reactor. A Unix path that exists: a stale socket (nobody accepts) is
 * replaced, a live one is an error "in use", anything else is an error.
 * Errors name the address. Idempotent. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_listener_start (WampListener *self, GError **error);

/* Stops accepting and closes the listening sockets (a Unix socket file we
 * created is unlinked; activated sockets go back to the table, unclosed).
 * TLS handshakes in progress are dropped; accepted connections stay.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_listener_stop (WampListener *self);

/**
 * wamp_listener_get_urls:
 * @scheme: the scheme of a plain TCP endpoint ("ws", "rawsocket+tcp")
 * @tls_scheme: the scheme of a TLS TCP endpoint ("wss", "rawsocket+tls")
 * @path_suffix: (nullable): appended to TCP URLs ("/ws")
 *
 * After wamp_listener_start(), one URL per listening socket in the
 * ready-file form of DESIGN.md: `ws://127.0.0.1:8080/ws`, `ws://[::1]:8080/ws`,
 * `wss://…`. A Unix endpoint gives `BASE+unix:///path/of.sock`, where BASE
 * is @scheme without a trailing "+tcp" (`rawsocket+unix:///run/wampd.sock`).
 * Returns: (transfer full): empty before start. Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
GStrv wamp_listener_get_urls (WampListener *self, const char *scheme, const char *tls_scheme,
                              const char *path_suffix);

/* Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_listener_is_tls (WampListener *self);
/* Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
WampListenerEndpointType wamp_listener_get_endpoint_type (WampListener *self);
/* Returns: (transfer none): as given to wamp_listener_new(). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
const char *wamp_listener_get_transport_name (WampListener *self);

/* Socket activation (process-wide, main thread only). */

/* Registers @socket (transfer none: referenced), already bound and
 * listening (e.g. from sd_listen_fds_with_names()), for the transport named
 * @transport_name: a listener of that name that starts afterwards accepts on
 * it (and on every other socket registered for the name) instead of binding.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_listener_add_activated_socket (const char *transport_name, GSocket *socket);

/* Returns: (transfer full): the transport names, each once, that have
 * activated sockets no running listener uses (wampd warns about them).
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
GStrv wamp_listener_get_unused_activated_names (void);

/* Forgets every registered activated socket not in use (tests, shutdown).
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_listener_clear_activated_sockets (void);

G_END_DECLS
