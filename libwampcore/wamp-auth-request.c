/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampAuthRequest: what an authenticator learns of a HELLO and what it
 * decides (challenge or accept), carried between the two async steps. */

#include "config.h"

#include <wamp/wamp.h>

struct _WampAuthRequest
{
  GObject parent_instance;

  guint64 session_id;
  char *realm;
  char *authmethod;
  WampValue *hello_details;
  WampValue *transport_details;
  GTlsCertificate *peer_certificate;

  WampValue *challenge;

  gboolean accepted;
  char *authid;
  char *authrole;
  char *authprovider;
  WampValue *authextra;

  gpointer state;
  GDestroyNotify state_destroy;
};

G_DEFINE_FINAL_TYPE (WampAuthRequest, wamp_auth_request, G_TYPE_OBJECT)

static void
clear_state (WampAuthRequest *self)
{
  gpointer state = g_steal_pointer (&self->state);
  GDestroyNotify destroy = g_steal_pointer (&self->state_destroy);

  if (destroy != NULL && state != NULL)
    destroy (state);
}

static void
wamp_auth_request_finalize (GObject *object)
{
  WampAuthRequest *self = WAMP_AUTH_REQUEST (object);

  clear_state (self);
  g_free (self->realm);
  g_free (self->authmethod);
  g_clear_pointer (&self->hello_details, wamp_value_unref);
  g_clear_pointer (&self->transport_details, wamp_value_unref);
  g_clear_object (&self->peer_certificate);
  g_clear_pointer (&self->challenge, wamp_value_unref);
  g_free (self->authid);
  g_free (self->authrole);
  g_free (self->authprovider);
  g_clear_pointer (&self->authextra, wamp_value_unref);

  G_OBJECT_CLASS (wamp_auth_request_parent_class)->finalize (object);
}

static void
wamp_auth_request_class_init (WampAuthRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_auth_request_finalize;
}

static void
wamp_auth_request_init (WampAuthRequest *self)
{
}

WampAuthRequest *
wamp_auth_request_new (guint64          session_id,
                       const char      *realm,
                       const char      *authmethod,
                       WampValue       *hello_details,
                       WampValue       *transport_details,
                       GTlsCertificate *peer_certificate)
{
  WampAuthRequest *self;

  g_return_val_if_fail (realm != NULL, NULL);
  g_return_val_if_fail (authmethod != NULL, NULL);
  g_return_val_if_fail (hello_details != NULL, NULL);
  g_return_val_if_fail (transport_details != NULL, NULL);
  g_return_val_if_fail (peer_certificate == NULL || G_IS_TLS_CERTIFICATE (peer_certificate), NULL);

  self = g_object_new (WAMP_TYPE_AUTH_REQUEST, NULL);
  self->session_id = session_id;
  self->realm = g_strdup (realm);
  self->authmethod = g_strdup (authmethod);
  self->hello_details = wamp_value_ref (hello_details);
  self->transport_details = wamp_value_ref (transport_details);
  if (peer_certificate != NULL)
    self->peer_certificate = g_object_ref (peer_certificate);
  return self;
}

guint64
wamp_auth_request_get_session_id (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), 0);
  return self->session_id;
}

const char *
wamp_auth_request_get_realm (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->realm;
}

const char *
wamp_auth_request_get_authmethod (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->authmethod;
}

/* HELLO.Details values of the wrong type count as absent: they come from the network. */
static const char *
hello_string (WampAuthRequest *self, const char *key)
{
  WampValue *value;

  if (wamp_value_get_value_type (self->hello_details) != WAMP_VALUE_DICT)
    return NULL;
  value = wamp_value_dict_lookup (self->hello_details, key);
  if (value == NULL || !wamp_value_is_plain_string (value))
    return NULL;
  return wamp_value_get_string (value, NULL);
}

const char *
wamp_auth_request_get_requested_authid (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return hello_string (self, "authid");
}

const char *
wamp_auth_request_get_requested_authrole (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return hello_string (self, "authrole");
}

WampValue *
wamp_auth_request_get_requested_authextra (WampAuthRequest *self)
{
  WampValue *value;

  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);

  if (wamp_value_get_value_type (self->hello_details) != WAMP_VALUE_DICT)
    return NULL;
  value = wamp_value_dict_lookup (self->hello_details, "authextra");
  if (value == NULL || wamp_value_get_value_type (value) != WAMP_VALUE_DICT)
    return NULL;
  return value;
}

WampValue *
wamp_auth_request_get_hello_details (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->hello_details;
}

WampValue *
wamp_auth_request_get_transport_details (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->transport_details;
}

GTlsCertificate *
wamp_auth_request_get_peer_certificate (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->peer_certificate;
}

void
wamp_auth_request_set_challenge (WampAuthRequest *self, WampValue *extra)
{
  g_return_if_fail (WAMP_IS_AUTH_REQUEST (self));
  g_return_if_fail (extra == NULL || wamp_value_get_value_type (extra) == WAMP_VALUE_DICT);
  g_return_if_fail (!self->accepted);

  g_clear_pointer (&self->challenge, wamp_value_unref);
  /* CHALLENGE.Extra is a dict on the wire even when the method has nothing to say. */
  self->challenge = extra != NULL ? wamp_value_ref (extra) : wamp_value_new_dict (0);
}

void
wamp_auth_request_accept (WampAuthRequest *self,
                          const char      *authid,
                          const char      *authrole,
                          const char      *authprovider,
                          WampValue       *authextra)
{
  g_return_if_fail (WAMP_IS_AUTH_REQUEST (self));
  g_return_if_fail (authid != NULL);
  g_return_if_fail (authrole != NULL);
  g_return_if_fail (authprovider != NULL);
  g_return_if_fail (authextra == NULL || wamp_value_get_value_type (authextra) == WAMP_VALUE_DICT);

  g_free (self->authid);
  self->authid = g_strdup (authid);
  g_free (self->authrole);
  self->authrole = g_strdup (authrole);
  g_free (self->authprovider);
  self->authprovider = g_strdup (authprovider);
  g_clear_pointer (&self->authextra, wamp_value_unref);
  if (authextra != NULL)
    self->authextra = wamp_value_ref (authextra);
  self->accepted = TRUE;
}

gboolean
wamp_auth_request_is_accepted (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), FALSE);
  return self->accepted;
}

WampValue *
wamp_auth_request_get_challenge (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->challenge;
}

const char *
wamp_auth_request_get_authid (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->authid;
}

const char *
wamp_auth_request_get_authrole (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->authrole;
}

const char *
wamp_auth_request_get_authprovider (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->authprovider;
}

WampValue *
wamp_auth_request_get_authextra (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->authextra;
}

void
wamp_auth_request_set_state (WampAuthRequest *self, gpointer state, GDestroyNotify destroy)
{
  g_return_if_fail (WAMP_IS_AUTH_REQUEST (self));

  clear_state (self);
  self->state = state;
  self->state_destroy = destroy;
}

gpointer
wamp_auth_request_get_state (WampAuthRequest *self)
{
  g_return_val_if_fail (WAMP_IS_AUTH_REQUEST (self), NULL);
  return self->state;
}
