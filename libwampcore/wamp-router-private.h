/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sessions need from their router: authenticators, session IDs, bookkeeping. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Returns: (transfer none) (nullable): the authenticator @transport
 * configured for @authmethod. */
WampAuthenticator *wamp_router_get_authenticator (WampRouter    *self,
                                                  WampTransport *transport,
                                                  const char    *authmethod);

/* Returns: a global-scope session ID not in use by any other session of
 * this router; it stays reserved until wamp_router_release_session_id(). */
guint64 wamp_router_reserve_session_id (WampRouter *self);
void wamp_router_release_session_id (WampRouter *self, guint64 session_id);

/* @session's connection is gone: the router drops its reference. */
void wamp_router_session_disconnected (WampRouter *self, WampSession *session);

G_END_DECLS
