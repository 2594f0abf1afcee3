/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAnonymousAuthenticator: accepts every HELLO at once with the role its
 * config names (Crossbar's static anonymous authentication). */

#include <glib/gi18n-lib.h>

#include "wamp-anonymous-authenticator.h"

struct _WampAnonymousAuthenticator
{
  GObject parent_instance;

  char *role;
};

static void wamp_anonymous_authenticator_iface_init (WampAuthenticatorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampAnonymousAuthenticator, wamp_anonymous_authenticator, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_AUTHENTICATOR,
                                                      wamp_anonymous_authenticator_iface_init))

/* RFC 4648 base32: no 0/1/8/9 to confuse with O/I/B/g in logs. */
static const char base32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Returns: (transfer full): "anonymous-" and 8 base32 characters (40 random
 * bits). An authid is a name, not a secret: collisions only make two
 * anonymous sessions share a label, so GLib's PRNG is enough. */
static char *
make_authid (void)
{
  char suffix[9];

  for (gsize i = 0; i < 8; i++)
    suffix[i] = base32_alphabet[g_random_int_range (0, 32)];
  suffix[8] = '\0';
  return g_strconcat (WAMP_ANONYMOUS_AUTHID_PREFIX, suffix, NULL);
}

static gboolean
wamp_anonymous_authenticator_configure (WampAuthenticator *authenticator,
                                        WampValue         *config,
                                        const char        *config_path,
                                        GError           **error)
{
  WampAnonymousAuthenticator *self = WAMP_ANONYMOUS_AUTHENTICATOR (authenticator);
  /* "type" only for configs copied from Crossbar, where it says static or dynamic. */
  static const char *const known_keys[] = { "role", "type", NULL };
  static const char *const types[] = { "static", NULL };
  const char *role = NULL;
  const char *type = NULL;

  if (!wamp_config_check_keys (config, config_path, known_keys, error)
      || !wamp_config_get_enum (config, config_path, "type", FALSE, "static", types, &type, error)
      || !wamp_config_get_string (config, config_path, "role", TRUE, NULL, &role, error))
    return FALSE;

  if (*role == '\0')
    {
      g_autofree char *role_path = wamp_config_path_key (config_path, "role");

      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID,
                   _("%s: must not be empty"), role_path);
      return FALSE;
    }

  g_free (self->role);
  self->role = g_strdup (role);
  return TRUE;
}

static void
wamp_anonymous_authenticator_challenge_async (WampAuthenticator   *authenticator,
                                              WampAuthRequest     *request,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  WampAnonymousAuthenticator *self = WAMP_ANONYMOUS_AUTHENTICATOR (authenticator);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  const char *requested = wamp_auth_request_get_requested_authid (request);
  g_autofree char *authid = NULL;

  g_task_set_source_tag (task, wamp_anonymous_authenticator_challenge_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  authid = requested != NULL && *requested != '\0' ? g_strdup (requested) : make_authid ();
  wamp_auth_request_accept (request, authid, self->role, "static", NULL);
  g_debug ("Session %" G_GUINT64_FORMAT " on %s: anonymous as %s, role %s",
           wamp_auth_request_get_session_id (request), wamp_auth_request_get_realm (request),
           authid, self->role);
  g_task_return_boolean (task, TRUE);
}

static gboolean
wamp_anonymous_authenticator_challenge_finish (WampAuthenticator *authenticator,
                                               GAsyncResult      *result,
                                               GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, authenticator), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
wamp_anonymous_authenticator_authenticate_async (WampAuthenticator   *authenticator,
                                                 WampAuthRequest     *request,
                                                 const char          *signature,
                                                 WampValue           *extra,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  /* The challenge step always accepts, so there is never an AUTHENTICATE to check. */
  g_task_report_new_error (authenticator, callback, user_data,
                           wamp_anonymous_authenticator_authenticate_async,
                           G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "anonymous authentication has no authenticate step");
}

static gboolean
wamp_anonymous_authenticator_authenticate_finish (WampAuthenticator *authenticator,
                                                  GAsyncResult      *result,
                                                  GError           **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
wamp_anonymous_authenticator_iface_init (WampAuthenticatorInterface *iface)
{
  iface->configure = wamp_anonymous_authenticator_configure;
  iface->challenge_async = wamp_anonymous_authenticator_challenge_async;
  iface->challenge_finish = wamp_anonymous_authenticator_challenge_finish;
  iface->authenticate_async = wamp_anonymous_authenticator_authenticate_async;
  iface->authenticate_finish = wamp_anonymous_authenticator_authenticate_finish;
}

static void
wamp_anonymous_authenticator_finalize (GObject *object)
{
  WampAnonymousAuthenticator *self = WAMP_ANONYMOUS_AUTHENTICATOR (object);

  g_free (self->role);

  G_OBJECT_CLASS (wamp_anonymous_authenticator_parent_class)->finalize (object);
}

static void
wamp_anonymous_authenticator_class_init (WampAnonymousAuthenticatorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_anonymous_authenticator_finalize;
}

static void
wamp_anonymous_authenticator_init (WampAnonymousAuthenticator *self)
{
  /* Crossbar's default role for anonymous access, until configure says otherwise. */
  self->role = g_strdup ("anonymous");
}
