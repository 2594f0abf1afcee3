/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRole: a router role in WAMP's sense — broker, dealer, later meta or
 * cluster roles (extension point "wamp-role"). Not an authrole. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-message.h>

G_BEGIN_DECLS

#define WAMP_ROLE_EXTENSION_POINT "wamp-role"

typedef struct _WampRealm WampRealm;
typedef struct _WampSession WampSession;

#define WAMP_TYPE_ROLE (wamp_role_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WampRole, wamp_role, WAMP, ROLE, GObject)

/**
 * WampRoleInterface:
 * @get_name: the key in WELCOME.Details.roles ("broker", "dealer").
 * @get_message_types: the message types this role handles, for a session of
 *   the realm that is established (a type claimed by two roles of one realm
 *   is a configuration error).
 * @attach: binds this instance to @realm (one instance per realm; the realm
 *   owns it and outlives it: keep a plain pointer). @options is the realm's
 *   `options` dict, for role settings.
 * @get_features: (transfer full): the dict for
 *   WELCOME.Details.roles.<name>.features.
 * @handle_message: one message of a claimed type from an established session.
 * @session_joined: @session was welcomed into the realm.
 * @session_leaving: @session leaves the realm (GOODBYE, ABORT, lost
 *   connection, realm removed): drop everything it owns. It can no longer
 *   receive messages; other sessions can.
 * @detach: the realm is going away (after every session_leaving).
 * @options_changed: the realm's `options` dict was replaced by a config
 *   reload (wamp_router_reload()); re-read the role settings from @options,
 *   which has already been validated by a fresh instance's @attach. NULL in
 *   roles that cannot change settings live: the reload then reports that the
 *   realm's options need a restart. Since: ABI 1.1
 * @list_routes: (nullable): what the role routes to, for the admin API: a
 *   list of dicts, one per subscription (broker) or registration (dealer),
 *   each with at least "id" (uint), "uri", "match" ("exact", "prefix",
 *   "wildcard"), "created" (int, microseconds since the Unix epoch) and
 *   "sessions" (list of session IDs); a dealer adds "invoke" (the invocation
 *   policy). Not on the hot path. Since: ABI 1.1.
 */
struct _WampRoleInterface
{
  GTypeInterface g_iface;

  const char *(*get_name) (WampRole *self);
  const WampMessageType *(*get_message_types) (WampRole *self, gsize *n_types);
  gboolean (*attach) (WampRole *self, WampRealm *realm, WampValue *options, GError **error);
  WampValue *(*get_features) (WampRole *self);
  void (*handle_message) (WampRole *self, WampSession *session, WampMessage *message);
  void (*session_joined) (WampRole *self, WampSession *session);
  void (*session_leaving) (WampRole *self, WampSession *session);
  void (*detach) (WampRole *self);
  /* Since: ABI 1.1 */
  void (*options_changed) (WampRole *self, WampValue *options);
  WampValue *(*list_routes) (WampRole *self);
};

WAMP_AVAILABLE_IN_ALL
const char *wamp_role_get_name (WampRole *self);
WAMP_AVAILABLE_IN_ALL
const WampMessageType *wamp_role_get_message_types (WampRole *self, gsize *n_types);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_role_attach (WampRole *self, WampRealm *realm, WampValue *options, GError **error);
/* Returns: (transfer full): a dict (empty when the role has no features). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_role_get_features (WampRole *self);
WAMP_AVAILABLE_IN_ALL
void wamp_role_handle_message (WampRole *self, WampSession *session, WampMessage *message);
WAMP_AVAILABLE_IN_ALL
void wamp_role_session_joined (WampRole *self, WampSession *session);
WAMP_AVAILABLE_IN_ALL
void wamp_role_session_leaving (WampRole *self, WampSession *session);
WAMP_AVAILABLE_IN_ALL
void wamp_role_detach (WampRole *self);

/* Returns: (transfer full) (nullable): a new instance of the role extension
 * @name, NULL when no plugin provides it. */
WAMP_AVAILABLE_IN_ALL
WampRole *wamp_role_new (const char *name);

/* Hands @options (transfer none), the realm's new `options` dict, to a
 * role after a reload. Returns: FALSE when the role does not implement
 * @options_changed (an older plugin): its settings stay as they were.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_role_options_changed (WampRole *self, WampValue *options);

/* The role's subscriptions or registrations, see @list_routes.
 * Returns: (transfer full): a list (empty when the role routes nothing or
 * is a plugin built before ABI 1.1). Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_role_list_routes (WampRole *self);

G_END_DECLS
