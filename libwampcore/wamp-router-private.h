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

/* Returns: (transfer none) (nullable): the config name of @transport. */
const char *wamp_router_get_transport_name (WampRouter *self, WampTransport *transport);

/* Called by sessions around the realm's own bookkeeping: they emit
 * "session-joined" / "session-left" and keep the session count. */
void wamp_router_session_joined (WampRouter *self, WampSession *session);
void wamp_router_session_left (WampRouter *self, WampSession *session);

/* Statistics: plain increments, called once per frame. */
void wamp_router_count_in (WampRouter *self, gsize n_bytes);
void wamp_router_count_message_in (WampRouter *self, WampMessageType type);
void wamp_router_count_out (WampRouter *self, WampMessageType type, gsize n_bytes);
void wamp_router_count_protocol_violation (WampRouter *self);
void wamp_router_count_send_failure (WampRouter *self);

/* Returns: (transfer full): @value, or an equal value already interned — so
 * the HELLO.Details.roles of 10k clients of one library are one value.
 * Interned values are immutable; release each with wamp_router_unintern(). */
WampValue *wamp_router_intern (WampRouter *self, WampValue *value);
/* @value: (transfer full): a value from wamp_router_intern(). */
void wamp_router_unintern (WampRouter *self, WampValue *value);

/* How long a connection may stay without a joined session (limits.join_timeout). */
guint wamp_router_get_join_timeout_ms (WampRouter *self);

G_END_DECLS
