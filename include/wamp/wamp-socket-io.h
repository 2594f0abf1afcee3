/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSocketIo: the byte I/O of one connection on the reactor, on a plain
 * socket or through TLS, so transports frame bytes without caring which.
 * Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

#define WAMP_TYPE_SOCKET_IO (wamp_socket_io_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampSocketIo, wamp_socket_io, WAMP, SOCKET_IO, GObject)

/**
 * wamp_socket_io_new:
 * @socket: (transfer none): referenced; made non-blocking. Watch
 *   wamp_socket_io_get_fd() on the reactor.
 * @tls: (transfer none) (nullable): referenced; a GTlsConnection over
 *   @socket whose handshake completed: bytes then go through it. NULL: plain
 *   recv()/sendmsg() on the fd. Any other GIOStream is only kept alive (it
 *   may own @socket, e.g. the GSocketConnection a listener hands out).
 *
 * Reading rule: on every reactor wake, call wamp_socket_io_read() until it
 * fails with G_IO_ERROR_WOULD_BLOCK. With TLS this is required, not an
 * optimisation: decrypted records may sit buffered inside the TLS layer and
 * the fd will not wake again for them. (On a plain socket a short read means
 * the socket is drained, see wamp_socket_io_is_tls().) A reader that stops
 * early for fairness must continue on its own, e.g. with wamp_reactor_defer().
 * Writing: when wamp_socket_io_writev() would block, watch the fd for
 * WAMP_REACTOR_WRITE and call it again.
 *
 * Returns: (transfer full). Since: ABI 1.1
 */
WAMP_AVAILABLE_IN_ALL
WampSocketIo *wamp_socket_io_new (GSocket *socket, GIOStream *tls);

/* -1 after wamp_socket_io_shutdown(). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
int wamp_socket_io_get_fd (WampSocketIo *self);
/* Returns: (transfer none). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
GSocket *wamp_socket_io_get_socket (WampSocketIo *self);
/* TRUE when bytes go through TLS (a short read then proves nothing).
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_socket_io_is_tls (WampSocketIo *self);

/* Reads up to @len bytes into @buffer. Returns: the number read, 0 at EOF
 * (TLS: also on an unclean close by the peer), -1 with
 * G_IO_ERROR_WOULD_BLOCK when nothing is available now, -1 with another
 * error when the connection failed. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gssize wamp_socket_io_read (WampSocketIo *self, void *buffer, gsize len, GError **error);

/* Writes what it can of @vectors (@n_vectors of them) without blocking:
 * sendmsg() with MSG_NOSIGNAL on a plain socket; with TLS, small vectors
 * gathered into one record and g_pollable_output_stream_write_nonblocking().
 * Returns: bytes written (may be fewer than given), -1 with
 * G_IO_ERROR_WOULD_BLOCK when none could be, -1 with another error when the
 * connection failed. With TLS, a call that would block may already hold one
 * record of the data, which the next call reports written: call again with
 * the same leading bytes (the head of an outgoing queue), never others.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gssize wamp_socket_io_writev (WampSocketIo *self, const GOutputVector *vectors, gsize n_vectors,
                              GError **error);

/* Ends all I/O: shuts the socket down in both directions (a dup of the fd
 * held elsewhere cannot keep the peer connected) and closes it. With TLS,
 * a close_notify is sent first without blocking the caller (a transient
 * async close on the thread-default main context, cut after 2 s), and the
 * socket is shut down when that ends. Remove the reactor watch first: from
 * this call on, wamp_socket_io_get_fd() is -1 and I/O fails with
 * G_IO_ERROR_CLOSED. Idempotent. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_socket_io_shutdown (WampSocketIo *self);

/* "tcp4:127.0.0.1:40000", "tcp6:[::1]:40000", "unix:/path" (the socket's
 * path for an unnamed Unix peer), "unknown".
 * Returns: (transfer none). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
const char *wamp_socket_io_get_peer (WampSocketIo *self);

/* Returns: (transfer none) (nullable): the client certificate the peer
 * presented over TLS (verified when the listener has a CA; see
 * wamp_socket_io_get_peer_certificate_errors()). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
GTlsCertificate *wamp_socket_io_get_peer_certificate (WampSocketIo *self);
/* 0 when verified (or when there is none). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
GTlsCertificateFlags wamp_socket_io_get_peer_certificate_errors (WampSocketIo *self);

/* Adds to @details (a dict, transfer none) what authenticators may use:
 * "tls" (bool) and, with a client certificate, "tls_client_certificate":
 * { "subject": "CN=…,O=…", "issuer": "…", "fingerprint_sha256": "hex",
 *   "verified": bool }. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_socket_io_add_transport_details (WampSocketIo *self, WampValue *details);

G_END_DECLS
