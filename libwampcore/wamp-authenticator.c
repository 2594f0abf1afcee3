/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAuthenticator: the interface authmethods implement and its NULL-checking wrappers. */

#include "config.h"

#include <wamp/wamp.h>

G_DEFINE_INTERFACE (WampAuthenticator, wamp_authenticator, G_TYPE_OBJECT)

static void
wamp_authenticator_default_init (WampAuthenticatorInterface *iface)
{
}

gboolean
wamp_authenticator_configure (WampAuthenticator *self, WampValue *config,
                              const char *config_path, GError **error)
{
  WampAuthenticatorInterface *iface;

  g_return_val_if_fail (WAMP_IS_AUTHENTICATOR (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (config_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = WAMP_AUTHENTICATOR_GET_IFACE (self);
  /* An authenticator with nothing to configure need not implement it; any
   * key in its block is then one it does not know. */
  if (iface->configure == NULL)
    {
      static const char *const no_keys[] = { NULL };

      return wamp_config_check_keys (config, config_path, no_keys, error);
    }
  return iface->configure (self, config, config_path, error);
}

void
wamp_authenticator_challenge_async (WampAuthenticator *self, WampAuthRequest *request,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  WampAuthenticatorInterface *iface;

  g_return_if_fail (WAMP_IS_AUTHENTICATOR (self));
  g_return_if_fail (WAMP_IS_AUTH_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = WAMP_AUTHENTICATOR_GET_IFACE (self);
  if (iface->challenge_async == NULL || iface->challenge_finish == NULL)
    {
      g_task_report_new_error (self, callback, user_data, wamp_authenticator_challenge_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Authenticator does not implement the challenge step");
      return;
    }
  iface->challenge_async (self, request, cancellable, callback, user_data);
}

gboolean
wamp_authenticator_challenge_finish (WampAuthenticator *self, GAsyncResult *result, GError **error)
{
  WampAuthenticatorInterface *iface;

  g_return_val_if_fail (WAMP_IS_AUTHENTICATOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, wamp_authenticator_challenge_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = WAMP_AUTHENTICATOR_GET_IFACE (self);
  if (iface->challenge_finish == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Authenticator does not implement the challenge step");
      return FALSE;
    }
  return iface->challenge_finish (self, result, error);
}

void
wamp_authenticator_authenticate_async (WampAuthenticator *self, WampAuthRequest *request,
                                       const char *signature, WampValue *extra,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  WampAuthenticatorInterface *iface;

  g_return_if_fail (WAMP_IS_AUTHENTICATOR (self));
  g_return_if_fail (WAMP_IS_AUTH_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = WAMP_AUTHENTICATOR_GET_IFACE (self);
  if (iface->authenticate_async == NULL || iface->authenticate_finish == NULL)
    {
      g_task_report_new_error (self, callback, user_data, wamp_authenticator_authenticate_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               "Authenticator does not implement the authenticate step");
      return;
    }
  iface->authenticate_async (self, request, signature, extra, cancellable, callback, user_data);
}

gboolean
wamp_authenticator_authenticate_finish (WampAuthenticator *self, GAsyncResult *result, GError **error)
{
  WampAuthenticatorInterface *iface;

  g_return_val_if_fail (WAMP_IS_AUTHENTICATOR (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, wamp_authenticator_authenticate_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  iface = WAMP_AUTHENTICATOR_GET_IFACE (self);
  if (iface->authenticate_finish == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Authenticator does not implement the authenticate step");
      return FALSE;
    }
  return iface->authenticate_finish (self, result, error);
}

WampAuthenticator *
wamp_authenticator_new (const char *authmethod)
{
  GType type;

  g_return_val_if_fail (authmethod != NULL, NULL);

  type = wamp_extension_lookup (WAMP_AUTHENTICATOR_EXTENSION_POINT, authmethod);
  if (type == G_TYPE_INVALID)
    return NULL;
  return g_object_new (type, NULL);
}
