/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClient: a client session (caller, callee, publisher, subscriber) on the
 * reactor, for the C tests, the benchmark tool and router-to-router links. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-message.h>
#include <wamp/wamp-reactor.h>

G_BEGIN_DECLS

#define WAMP_TYPE_CLIENT (wamp_client_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampClient, wamp_client, WAMP, CLIENT, GObject)

/* @message: (transfer none): the EVENT. */
typedef void (*WampEventFunc) (WampClient *client, WampMessage *event, gpointer user_data);
/* @message: (transfer none): the INVOCATION; answer it, now or later, with
 * wamp_client_yield() or wamp_client_yield_error() using its request ID. An
 * INTERRUPT for it arrives through the same function (message type INTERRUPT). */
typedef void (*WampInvocationFunc) (WampClient *client, WampMessage *invocation, gpointer user_data);

/* Returns: (transfer full). Signals: "left" (const char *reason) once the
 * session ended for any reason other than wamp_client_leave_async(). */
WAMP_AVAILABLE_IN_ALL
WampClient *wamp_client_new (WampReactor *reactor);

/* Connects to @url (ws://host:port/path; the transport is chosen by the
 * scheme) with serializer @serializer ("json"), sends HELLO for @realm with
 * @details (transfer none, nullable: the client's roles are added when
 * absent) and completes once WELCOME arrived. An ABORT fails with the ABORT's
 * reason (see wamp_error_get_uri()). */
WAMP_AVAILABLE_IN_ALL
void wamp_client_join_async (WampClient *self, const char *url, const char *serializer,
                             const char *realm, WampValue *details, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_join_finish (WampClient *self, GAsyncResult *result, GError **error);

WAMP_AVAILABLE_IN_ALL
guint64 wamp_client_get_session_id (WampClient *self);
/* Returns: (transfer none) (nullable): WELCOME.Details. */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_client_get_welcome_details (WampClient *self);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_is_joined (WampClient *self);

/* Sends GOODBYE @reason (NULL: wamp.close.close_realm) and completes on the
 * router's GOODBYE; the connection is closed afterwards. */
WAMP_AVAILABLE_IN_ALL
void wamp_client_leave_async (WampClient *self, const char *reason, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_leave_finish (WampClient *self, GAsyncResult *result, GError **error);
/* Drops the connection without GOODBYE. */
WAMP_AVAILABLE_IN_ALL
void wamp_client_disconnect (WampClient *self);

/* Pub/Sub. @options: (transfer none) (nullable). @func is called for each
 * EVENT until unsubscribed; @destroy frees @func_data then. */
WAMP_AVAILABLE_IN_ALL
void wamp_client_subscribe_async (WampClient *self, const char *topic, WampValue *options,
                                  WampEventFunc func, gpointer func_data, GDestroyNotify destroy,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Returns: the subscription ID, 0 with @error (the router's ERROR as a
 * WAMP_ERROR, see wamp_error_get_uri()). */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_client_subscribe_finish (WampClient *self, GAsyncResult *result, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_client_unsubscribe_async (WampClient *self, guint64 subscription_id,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_unsubscribe_finish (WampClient *self, GAsyncResult *result, GError **error);

/* Publishes; when @options has acknowledge=true the task completes on
 * PUBLISHED/ERROR, else right after sending. @payload: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
void wamp_client_publish_async (WampClient *self, const char *topic, WampValue *options,
                                WampPayload *payload, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
/* Returns: the publication ID when acknowledged, else 0; 0 with @error on ERROR. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_client_publish_finish (WampClient *self, GAsyncResult *result, GError **error);

/* RPC. */
WAMP_AVAILABLE_IN_ALL
void wamp_client_register_async (WampClient *self, const char *procedure, WampValue *options,
                                 WampInvocationFunc func, gpointer func_data, GDestroyNotify destroy,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/* Returns: the registration ID, 0 with @error. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_client_register_finish (WampClient *self, GAsyncResult *result, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_client_unregister_async (WampClient *self, guint64 registration_id,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_unregister_finish (WampClient *self, GAsyncResult *result, GError **error);

/* Answers INVOCATION @request_id. @options, @details, @payload: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
void wamp_client_yield (WampClient *self, guint64 request_id, WampValue *options, WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
void wamp_client_yield_error (WampClient *self, guint64 request_id, const char *error_uri,
                              WampValue *details, WampPayload *payload);

/* Calls @procedure. Cancelling @cancellable sends CANCEL with
 * options.cancel_mode (default "kill"); the call then completes as the router
 * answers (ERROR wamp.error.canceled). */
WAMP_AVAILABLE_IN_ALL
void wamp_client_call_async (WampClient *self, const char *procedure, WampValue *options,
                             WampPayload *payload, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
/* Returns: (transfer full) (nullable): the RESULT. On ERROR: NULL, @error set
 * from its URI, and @error_message (optional, transfer full) the ERROR itself. */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_client_call_finish (WampClient *self, GAsyncResult *result,
                                      WampMessage **error_message, GError **error);

/* For tests of the router's error handling: sends @message as is (it must be
 * well formed for the serializer). */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_client_send_message (WampClient *self, WampMessage *message, GError **error);
/* The next client-to-router request ID, as the client would use it. */
WAMP_AVAILABLE_IN_ALL
guint64 wamp_client_next_request_id (WampClient *self);

/* TLS for the wss:// and rawsocket+tls:// URLs of later joins: @database
 * (nullable): the CAs the router's certificate must chain to, NULL for the
 * system's (tests pass their own CA); @certificate (nullable): a client
 * certificate with its private key, for routers that ask for one. Both are
 * referenced (transfer none). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_client_set_tls (WampClient *self, GTlsDatabase *database, GTlsCertificate *certificate);

G_END_DECLS
