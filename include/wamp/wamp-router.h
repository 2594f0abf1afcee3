/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRouter: owns the realms, the listening transports and the sessions on them. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-reactor.h>
#include <wamp/wamp-realm.h>

G_BEGIN_DECLS

#define WAMP_TYPE_ROUTER (wamp_router_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampRouter, wamp_router, WAMP, ROUTER, GObject)

/* Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampRouter *wamp_router_new (WampReactor *reactor);

/* Validates the whole config (a dict, the schema of DESIGN.md) against the
 * loaded extensions and builds realms, transports and authenticators; nothing
 * listens yet. Errors are WAMP_CONFIG_ERROR naming the JSON path. Call once. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_router_configure (WampRouter *self, WampValue *config, GError **error);

/* Starts every transport. On error, the ones started are stopped again. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_router_start (WampRouter *self, GError **error);

/* Returns: (transfer full): after start, one "NAME URL" line per bound
 * address, the --ready-file format. */
WAMP_AVAILABLE_IN_ALL
GStrv wamp_router_get_listeners (WampRouter *self);

/* Stops listening, sends GOODBYE wamp.close.system_shutdown to every
 * session, and completes once they answered or closed, or after a bounded
 * grace time; then every connection is closed. */
WAMP_AVAILABLE_IN_ALL
void wamp_router_shutdown_async (WampRouter *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_router_shutdown_finish (WampRouter *self, GAsyncResult *result, GError **error);

/* (transfer none) */
WAMP_AVAILABLE_IN_ALL
WampReactor *wamp_router_get_reactor (WampRouter *self);
/* Returns: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
WampRealm *wamp_router_lookup_realm (WampRouter *self, const char *name);
/* Returns: (transfer container) (element-type WampRealm). */
WAMP_AVAILABLE_IN_ALL
GPtrArray *wamp_router_list_realms (WampRouter *self);
/* A router-scope ID. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_router_next_id (WampRouter *self);

/* Applies a new configuration to a configured (and usually running) router
 * without dropping established sessions. The whole of @config is validated
 * first, as wamp_router_configure() does; on error (WAMP_CONFIG_ERROR naming
 * the JSON path, the error of a new transport that cannot start, or
 * G_IO_ERROR_BUSY during shutdown) nothing has changed. What changes live:
 *  - realms added (joinable at once) and removed (their sessions get
 *    GOODBYE wamp.close.close_realm, then their connections are closed;
 *    sessions still authenticating into them get ABORT with that reason);
 *  - a realm's roles and permissions (the next authorization decision of
 *    every session, established ones included, uses them) and its options
 *    (roles implementing WampRoleInterface.options_changed re-read them);
 *  - a transport's `auth` (methods, principals): for new authentications;
 *  - transports added: started at once (when the router is started).
 * What needs a restart is kept as it was and described in @restart_needed
 * (one English line each): a transport's endpoint, type, path,
 * serializers or options changed, a transport removed (it keeps
 * listening), a realm's router_roles changed, realm options a role cannot
 * apply live, admin.dbus changed. Plugins are not reloaded.
 * @restart_needed: (out) (optional) (transfer full): set on success (an
 * empty list when everything was applied), NULL on error.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_router_reload (WampRouter *self, WampValue *config, GStrv *restart_needed, GError **error);

/* ---- Administration (Since: ABI 1.1) -------------------------------------
 *
 * Signals, emitted on the main loop (not the hot path: once per join/leave):
 *
 *   "session-joined" (WampRouter *router, WampSession *session): @session
 *     was welcomed into its realm; its ID, realm and auth fields are set.
 *   "session-left" (WampRouter *router, WampSession *session): @session
 *     left its realm (GOODBYE, ABORT, killed, lost connection, router going
 *     away). During emission it still reports its ID, realm and auth fields
 *     (wamp_session_get_info() works); afterwards they are gone.
 *
 * Handlers must not end other sessions synchronously. */

/* Returns: (transfer none) (nullable): the established session @session_id,
 * in any realm. Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
WampSession *wamp_router_lookup_session (WampRouter *self, guint64 session_id);

/* Established sessions over every realm. Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
guint wamp_router_get_n_sessions (WampRouter *self);

/* Ends session @session_id with GOODBYE @reason (NULL:
 * "wamp.close.killed") and Details.message @message (nullable); the
 * connection is closed once the client answered (or after a timeout).
 * FALSE with WAMP_ERROR_NO_SUCH_SESSION when no established session has that
 * ID, WAMP_ERROR_INVALID_URI when @reason is not a valid URI.
 * Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_router_kill_session (WampRouter *self, guint64 session_id, const char *reason,
                                   const char *message, GError **error);

/* Counters since the router was created, a dict: "sessions" (established
 * now), "connections" (open now), "messages_in" and "messages_out" (dicts
 * from message type name, "PUBLISH", to count; types never seen are
 * absent), "bytes_in", "bytes_out" (WAMP frames as the serializer sees
 * them), "protocol_violations" (sessions aborted for a protocol violation,
 * including undecodable frames), "send_failures" (messages a transport
 * refused, e.g. its queue bound). The counters themselves are plain integer
 * increments on the hot path; this snapshot allocates.
 * Returns: (transfer full). Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_router_get_stats (WampRouter *self);

/* The config's `admin.dbus` ("none", "session" or "system"; "none" before
 * configure). Returns: (transfer none). Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
const char *wamp_router_get_admin_dbus (WampRouter *self);

G_END_DECLS
