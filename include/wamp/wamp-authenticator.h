/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAuthenticator: one WAMP authmethod (extension point "wamp-authenticator"). */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-auth-request.h>

G_BEGIN_DECLS

#define WAMP_AUTHENTICATOR_EXTENSION_POINT "wamp-authenticator"

#define WAMP_TYPE_AUTHENTICATOR (wamp_authenticator_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WampAuthenticator, wamp_authenticator, WAMP, AUTHENTICATOR, GObject)

/**
 * WampAuthenticatorInterface:
 * @configure: reads the transport's `auth.<method>` block (a dict;
 *   @config_path e.g. "$.transports[0].auth.ticket"). One instance per
 *   transport and method.
 * @challenge_async: the step after HELLO: calls
 *   wamp_auth_request_set_challenge() or wamp_auth_request_accept() on
 *   @request, or fails (WAMP_ERROR, e.g. WAMP_ERROR_NO_SUCH_PRINCIPAL,
 *   WAMP_ERROR_AUTHENTICATION_FAILED): the core answers ABORT with that URI.
 * @authenticate_async: the step after AUTHENTICATE: accepts or fails.
 *   Never called for a request that was accepted in @challenge_async.
 *
 * Both steps are async: they may call WAMP procedures or hash in a thread.
 */
struct _WampAuthenticatorInterface
{
  GTypeInterface g_iface;

  gboolean (*configure) (WampAuthenticator *self, WampValue *config, const char *config_path, GError **error);
  void (*challenge_async) (WampAuthenticator   *self,
                           WampAuthRequest     *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data);
  gboolean (*challenge_finish) (WampAuthenticator *self, GAsyncResult *result, GError **error);
  void (*authenticate_async) (WampAuthenticator   *self,
                              WampAuthRequest     *request,
                              const char          *signature,
                              WampValue           *extra,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
  gboolean (*authenticate_finish) (WampAuthenticator *self, GAsyncResult *result, GError **error);
};

WAMP_AVAILABLE_IN_ALL
gboolean wamp_authenticator_configure (WampAuthenticator *self, WampValue *config,
                                       const char *config_path, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_authenticator_challenge_async (WampAuthenticator *self, WampAuthRequest *request,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_authenticator_challenge_finish (WampAuthenticator *self, GAsyncResult *result, GError **error);
WAMP_AVAILABLE_IN_ALL
void wamp_authenticator_authenticate_async (WampAuthenticator *self, WampAuthRequest *request,
                                            const char *signature, WampValue *extra,
                                            GCancellable *cancellable, GAsyncReadyCallback callback,
                                            gpointer user_data);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_authenticator_authenticate_finish (WampAuthenticator *self, GAsyncResult *result, GError **error);

/* Returns: (transfer full) (nullable): a new instance of the authenticator
 * extension @authmethod, NULL when no plugin provides it. */
WAMP_AVAILABLE_IN_ALL
WampAuthenticator *wamp_authenticator_new (const char *authmethod);

G_END_DECLS
