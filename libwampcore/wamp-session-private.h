/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the router needs from its sessions beyond the public API. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Returns: (transfer none): the transport that accepted the session's connection. */
WampTransport *wamp_session_get_transport (WampSession *self);

/* The router goes away: leaves the realm without messages, detaches from the
 * connection and closes it. The session is inert afterwards. */
void wamp_session_detach (WampSession *self);

/* Returns: (transfer none) (nullable): the realm named in HELLO while the
 * session is being authenticated, NULL in any other state. */
WampRealm *wamp_session_get_joining_realm (WampSession *self);

G_END_DECLS
