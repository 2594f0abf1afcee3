/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRole: the interface router roles implement and its NULL-checking wrappers. */

#include "config.h"

#include <gio/gio.h>

#include <wamp/wamp.h>

#include "wamp-iface-private.h"

G_DEFINE_INTERFACE (WampRole, wamp_role, G_TYPE_OBJECT)

static WampPointerTable role_ifaces;

static void
wamp_role_default_init (WampRoleInterface *iface)
{
}

const char *
wamp_role_get_name (WampRole *self)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_name != NULL ? iface->get_name (self) : NULL;
}

const WampMessageType *
wamp_role_get_message_types (WampRole *self, gsize *n_types)
{
  WampRoleInterface *iface;
  gsize n = 0;
  const WampMessageType *types = NULL;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, NULL);

  if (iface->get_message_types != NULL)
    types = iface->get_message_types (self, &n);
  if (types == NULL)
    n = 0;
  if (n_types != NULL)
    *n_types = n;
  return types;
}

gboolean
wamp_role_attach (WampRole *self, WampRealm *realm, WampValue *options, GError **error)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (realm != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (iface->attach == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Role does not implement attach");
      return FALSE;
    }
  return iface->attach (self, realm, options, error);
}

WampValue *
wamp_role_get_features (WampRole *self)
{
  WampRoleInterface *iface;
  WampValue *features = NULL;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, NULL);

  if (iface->get_features != NULL)
    features = iface->get_features (self);
  return features != NULL ? features : wamp_value_new_dict (0);
}

void
wamp_role_handle_message (WampRole *self, WampSession *session, WampMessage *message)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_if_fail (iface != NULL);
  g_return_if_fail (session != NULL);
  g_return_if_fail (message != NULL);

  if (iface->handle_message != NULL)
    iface->handle_message (self, session, message);
}

void
wamp_role_session_joined (WampRole *self, WampSession *session)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_if_fail (iface != NULL);
  g_return_if_fail (session != NULL);

  if (iface->session_joined != NULL)
    iface->session_joined (self, session);
}

void
wamp_role_session_leaving (WampRole *self, WampSession *session)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_if_fail (iface != NULL);
  g_return_if_fail (session != NULL);

  if (iface->session_leaving != NULL)
    iface->session_leaving (self, session);
}

void
wamp_role_detach (WampRole *self)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_if_fail (iface != NULL);

  if (iface->detach != NULL)
    iface->detach (self);
}

gboolean
wamp_role_options_changed (WampRole *self, WampValue *options)
{
  WampRoleInterface *iface;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (iface->options_changed == NULL)
    return FALSE;
  iface->options_changed (self, options);
  return TRUE;
}

WampRole *
wamp_role_new (const char *name)
{
  GType type;

  g_return_val_if_fail (name != NULL, NULL);

  type = wamp_extension_lookup (WAMP_ROLE_EXTENSION_POINT, name);
  if (type == G_TYPE_INVALID)
    return NULL;
  return g_object_new (type, NULL);
}

WampValue *
wamp_role_list_routes (WampRole *self)
{
  WampRoleInterface *iface;
  WampValue *routes = NULL;

  iface = wamp_iface_peek (&role_ifaces, self, WAMP_TYPE_ROLE);
  g_return_val_if_fail (iface != NULL, NULL);

  /* NULL for plugins built before ABI 1.1. */
  if (iface->list_routes != NULL)
    routes = iface->list_routes (self);
  return routes != NULL ? routes : wamp_value_new_list (0);
}
