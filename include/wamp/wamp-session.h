/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSession: the router side of one client's session on one connection —
 * the spec's state machine from HELLO to GOODBYE/ABORT. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-connection.h>
#include <wamp/wamp-role.h>
#include <wamp/wamp-transport.h>

G_BEGIN_DECLS

typedef struct _WampRouter WampRouter;

#define WAMP_TYPE_SESSION (wamp_session_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampSession, wamp_session, WAMP, SESSION, GObject)

/**
 * WampSessionState:
 * @WAMP_SESSION_STATE_CLOSED: no session (before HELLO, after GOODBYE or
 *   ABORT); a new HELLO may open one on the same connection.
 * @WAMP_SESSION_STATE_AUTHENTICATING: HELLO received, the authenticator runs
 *   or a CHALLENGE waits for AUTHENTICATE.
 * @WAMP_SESSION_STATE_ESTABLISHED: WELCOME sent.
 * @WAMP_SESSION_STATE_SHUTTING_DOWN: the router sent GOODBYE and waits for
 *   the client's; anything else received is ignored.
 * @WAMP_SESSION_STATE_DISCONNECTED: the connection is gone.
 */
typedef enum {
  WAMP_SESSION_STATE_CLOSED,
  WAMP_SESSION_STATE_AUTHENTICATING,
  WAMP_SESSION_STATE_ESTABLISHED,
  WAMP_SESSION_STATE_SHUTTING_DOWN,
  WAMP_SESSION_STATE_DISCONNECTED,
} WampSessionState;

/* Made by the router for each accepted connection. Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampSession *wamp_session_new (WampRouter *router, WampTransport *transport, WampConnection *connection);

WAMP_AVAILABLE_IN_ALL
WampSessionState wamp_session_get_state (WampSession *self);
/* The WAMP session ID (global scope); 0 while not established. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_session_get_id (WampSession *self);
/* All (transfer none) (nullable): NULL while not established. */
WAMP_AVAILABLE_IN_ALL
WampRealm *wamp_session_get_realm (WampSession *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_session_get_authid (WampSession *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_session_get_authrole (WampSession *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_session_get_authmethod (WampSession *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_session_get_authprovider (WampSession *self);
/* The HELLO.Details the session was opened with. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_session_get_hello_details (WampSession *self);
/* (transfer none): never NULL. */
WAMP_AVAILABLE_IN_ALL
WampConnection *wamp_session_get_connection (WampSession *self);

/* TRUE when HELLO.Details.roles.<@role>.features.<@feature> is true. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_session_has_feature (WampSession *self, const char *role, const char *feature);

/* Router-to-client request IDs (session scope: 1, 2, 3 … per session). */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_session_next_request_id (WampSession *self);

/* Sends @message (serialized once per serializer, rule 2). FALSE when it
 * could not be: the session is not established, the value cannot be
 * represented in the session's serializer (WAMP_ERROR_INVALID_ARGUMENT), or
 * the transport refused it (its queue bound). The caller decides what that
 * means for the message (e.g. an ERROR to a caller); nothing is logged here. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_session_send (WampSession *self, WampMessage *message, GError **error);

/* Sends ERROR [ERROR, @request_type, @request_id, {}, @error_uri] with
 * Arguments [@text] when @text is not NULL. */
WAMP_AVAILABLE_IN_ALL
void wamp_session_send_error (WampSession     *self,
                              WampMessageType  request_type,
                              guint64          request_id,
                              const char      *error_uri,
                              const char      *text);

/* Protocol violation after WELCOME (or any fatal condition): sends ABORT
 * @reason with Details.message @text, leaves the realm (roles see
 * session_leaving) and closes the connection. Safe to call from a role's
 * handle_message. */
WAMP_AVAILABLE_IN_ALL
void wamp_session_abort (WampSession *self, const char *reason, const char *text);

/* Router-initiated close: sends GOODBYE @reason (e.g.
 * "wamp.close.system_shutdown"), leaves the realm and, once the client
 * answered (or after a timeout), closes the connection when
 * @close_connection. */
WAMP_AVAILABLE_IN_ALL
void wamp_session_goodbye (WampSession *self, const char *reason, const char *text, gboolean close_connection);

/* When the session was welcomed, in microseconds since the Unix epoch
 * (g_get_real_time()); 0 while not established. Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
gint64 wamp_session_get_join_time (WampSession *self);

/* What the admin API shows of an established session, a dict: "session"
 * (uint), "realm", "authid", "authrole", "authmethod", "authprovider",
 * "peer", "transport" (the transport's config name), "transport_details"
 * (dict), "serializer", "roles" (HELLO.Details.roles), "joined" (int,
 * microseconds since the Unix epoch). Not on the hot path.
 * Returns: (transfer full) (nullable): NULL while not established.
 * Since: ABI 1.1. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_session_get_info (WampSession *self);

G_END_DECLS
