/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampKeepalive: a connection's keepalive pings on the reactor. Every
 * ping_interval it asks the transport to send a ping carrying a counter
 * (8 octets, big-endian, from 1); when no pong arrives within ping_timeout
 * of the oldest unanswered ping, it reports a timeout.
 * Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-reactor.h>

G_BEGIN_DECLS

typedef struct _WampKeepalive WampKeepalive;

/**
 * WampKeepaliveFuncs:
 * @send_ping: queue (and write) a ping with @payload. Returns FALSE when the
 *   connection is closing or closed and sent nothing: no further ping is
 *   scheduled and the keepalive is not touched again in this call (its
 *   owner may already be gone). TRUE: sent and still open.
 * @timed_out: no pong in time. Called last: the owner may stop and free the
 *   keepalive in it.
 *
 * Since: ABI 1.1
 */
typedef struct {
  gboolean (*send_ping) (const guint8 *payload, gsize len, gpointer user_data);
  void (*timed_out) (gpointer user_data);
} WampKeepaliveFuncs;

/* @reactor: (transfer none): referenced. @funcs: (transfer none): must
 * outlive the keepalive (a static table).
 * Returns: (transfer full): a stopped keepalive. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
WampKeepalive *wamp_keepalive_new (WampReactor              *reactor,
                                   const WampKeepaliveFuncs *funcs,
                                   gpointer                  user_data);

/* Stops it and frees it. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_keepalive_free (WampKeepalive *self);

/* Schedules the first ping @interval_ms from now; an @interval_ms of 0
 * sends no pings. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_keepalive_start (WampKeepalive *self,
                           guint          interval_ms,
                           guint          timeout_ms);

/* Any pong proves the peer alive: the pending timeout is cancelled.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_keepalive_pong_received (WampKeepalive *self);

/* No more pings, no timeout. Safe to call again. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_keepalive_stop (WampKeepalive *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampKeepalive, wamp_keepalive_free)

G_END_DECLS
