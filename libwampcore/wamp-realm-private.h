/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What sessions and the router need from a realm beyond the public API. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Returns: (transfer none) (nullable): the role that claimed @type. */
WampRole *wamp_realm_get_role_for_type (WampRealm *self, WampMessageType type);

/* The `strict_request_ids` option. */
gboolean wamp_realm_get_strict_request_ids (WampRealm *self);

/* Returns: (transfer full): WELCOME.Details.roles, {<role>: {features: ...}}. */
WampValue *wamp_realm_build_welcome_roles (WampRealm *self);

/* @session (established, with its ID) joins: indexed by ID, then every
 * role's session_joined. */
void wamp_realm_add_session (WampRealm *self, WampSession *session);
/* Every role's session_leaving, then @session is dropped from the index.
 * No-op when @session is not in the realm. */
void wamp_realm_remove_session (WampRealm *self, WampSession *session);

/* Detaches the roles (after every session left); the realm serves no one afterwards. */
void wamp_realm_shutdown (WampRealm *self);

/* TRUE when @self and @other are served by the same router roles (by name,
 * in any order): what a reload cannot change on a live realm. */
gboolean wamp_realm_has_same_router_roles (WampRealm *self, WampRealm *other);

/* A reload: @self takes the authroles, permissions and options of
 * @candidate (a realm built from the new config block, not yet serving; it
 * is left without them). When the options changed, each role hears of it
 * (wamp_role_options_changed); the names of the roles that cannot apply new
 * options live are added to @roles_not_updated (element-type utf8, owned). */
void wamp_realm_take_settings (WampRealm *self, WampRealm *candidate, GPtrArray *roles_not_updated);

G_END_DECLS
