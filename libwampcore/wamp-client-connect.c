/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClientConnectParams: the client transports' shared connect plumbing. */

#include "config.h"

#include <wamp/wamp-client-connect.h>

gboolean
wamp_client_connect_params_init (WampClientConnectParams  *params,
                                 WampReactor              *reactor,
                                 GPtrArray                *serializers,
                                 GTlsDatabase             *tls_database,
                                 GTlsCertificate          *tls_certificate,
                                 GError                  **error)
{
  g_return_val_if_fail (params != NULL, FALSE);
  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), FALSE);
  g_return_val_if_fail (serializers != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (serializers->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "no serializer to offer");
      return FALSE;
    }

  params->reactor = g_object_ref (reactor);
  params->serializers = g_ptr_array_new_full (serializers->len, g_object_unref);
  for (guint i = 0; i < serializers->len; i++)
    g_ptr_array_add (params->serializers, g_object_ref (serializers->pdata[i]));
  params->tls_database = tls_database != NULL ? g_object_ref (tls_database) : NULL;
  params->tls_certificate = tls_certificate != NULL ? g_object_ref (tls_certificate) : NULL;
  return TRUE;
}

void
wamp_client_connect_params_clear (WampClientConnectParams *params)
{
  g_return_if_fail (params != NULL);

  g_clear_object (&params->reactor);
  g_clear_pointer (&params->serializers, g_ptr_array_unref);
  g_clear_object (&params->tls_database);
  g_clear_object (&params->tls_certificate);
}

GIOStream *
wamp_client_connect_params_new_tls (const WampClientConnectParams  *params,
                                    GIOStream                      *base,
                                    GSocketConnectable             *server_identity,
                                    GError                        **error)
{
  GIOStream *tls;

  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (G_IS_SOCKET_CONNECTABLE (server_identity), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tls = g_tls_client_connection_new (base, server_identity, error);
  if (tls == NULL)
    return NULL;
  if (params->tls_database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), params->tls_database);
  if (params->tls_certificate != NULL)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), params->tls_certificate);
  return tls;
}

GSocketClient *
wamp_client_socket_client_new (guint timeout_s)
{
  GSocketClient *client = g_socket_client_new ();

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, timeout_s);
  return client;
}
