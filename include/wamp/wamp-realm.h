/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRealm: a routing and administrative domain — its sessions, its role
 * instances, its authroles and their permissions, its options. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-role.h>
#include <wamp/wamp-session.h>
#include <wamp/wamp-uri.h>

G_BEGIN_DECLS

#define WAMP_TYPE_REALM (wamp_realm_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampRealm, wamp_realm, WAMP, REALM, GObject)

typedef enum {
  WAMP_ACTION_CALL,
  WAMP_ACTION_REGISTER,
  WAMP_ACTION_PUBLISH,
  WAMP_ACTION_SUBSCRIBE,
} WampAction;

/* Builds a realm from its config block (`$.realms[i]`, a dict; @config_path
 * names it in errors) and attaches one instance of each role extension in
 * @roles (element-type WampRole, transfer none). Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampRealm *wamp_realm_new (WampRouter *router, WampValue *config, const char *config_path,
                           GPtrArray *roles, GError **error);

/* (transfer none) */
WAMP_AVAILABLE_IN_ALL
const char *wamp_realm_get_name (WampRealm *self);
WAMP_AVAILABLE_IN_ALL
WampRouter *wamp_realm_get_router (WampRealm *self);
/* The realm's `options` dict (empty when none). (transfer none) */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_realm_get_options (WampRealm *self);

/* Returns: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
WampRole *wamp_realm_get_role (WampRealm *self, const char *name);
/* Returns: (transfer none) (nullable): an established session of this realm. */
WAMP_AVAILABLE_IN_ALL
WampSession *wamp_realm_lookup_session (WampRealm *self, guint64 session_id);
WAMP_AVAILABLE_IN_ALL
guint wamp_realm_get_n_sessions (WampRealm *self);
/* Returns: (transfer container) (element-type WampSession): a snapshot. */
WAMP_AVAILABLE_IN_ALL
GPtrArray *wamp_realm_list_sessions (WampRealm *self);

/* The realm's `uri_check` option applied to @uri. */
WAMP_AVAILABLE_IN_ALL
WampUriCheck wamp_realm_get_uri_check (WampRealm *self);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_realm_check_uri (WampRealm *self, const char *uri, WampUriFlags flags);

/* TRUE when @authrole names one of the realm's roles. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_realm_has_authrole (WampRealm *self, const char *authrole);
/* Static authorization: TRUE when @session's authrole has a permission whose
 * URI matches @uri (exact beats prefix; longest prefix wins) and allows @action. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_realm_authorize (WampRealm *self, WampSession *session, WampAction action, const char *uri);
/* TRUE when the matching permission of @session's authrole discloses the
 * caller (@action CALL) or publisher (@action PUBLISH) on @uri. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_realm_get_disclose (WampRealm *self, WampSession *session, WampAction action, const char *uri);

/* A number that changes whenever the realm's authroles, permissions or
 * options change (a reload); never 0. What wamp_realm_check_uri,
 * wamp_realm_authorize and wamp_realm_get_disclose answered stays true until
 * it changes, so a role may remember their answers along with it.
 * Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_realm_get_settings_serial (WampRealm *self);

/* What a role remembers of the realm's checks on one URI (a registration's,
 * a subscription's) for the last authrole that passed them, and whether its
 * permission discloses the caller/publisher. Zero-initialise it; it holds
 * nothing to free. Since: ABI 1.2 */
typedef struct {
  /*< private >*/
  guint64 serial;
  const char *authrole; /* interned */
  gboolean disclose;
} WampRealmCheckMemo;

/* TRUE, with the remembered disclosure in @disclose, when @memo holds a pass
 * for @session's authrole under the realm's current settings: the checks
 * need not run again. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_realm_check_memo_holds (WampRealm                *self,
                                      const WampRealmCheckMemo *memo,
                                      WampSession              *session,
                                      gboolean                 *disclose);
/* Remembers in @memo that @session's authrole passed the checks, with
 * @disclose. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
void wamp_realm_check_memo_store (WampRealm          *self,
                                  WampRealmCheckMemo *memo,
                                  WampSession        *session,
                                  gboolean            disclose);

/* A router-scope ID (subscriptions, registrations). */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_realm_next_id (WampRealm *self);

/* Ends every established session of the realm whose authid is @authid with
 * GOODBYE @reason (NULL: "wamp.close.killed") and Details.message @message
 * (nullable), then closes their connections once they answered (or after a
 * timeout). Returns: how many sessions were told to leave.
 * Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
guint wamp_realm_kill_sessions_by_authid (WampRealm *self, const char *authid,
                                          const char *reason, const char *message);

G_END_DECLS
