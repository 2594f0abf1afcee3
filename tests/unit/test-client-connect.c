/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampClientConnectParams and wamp_client_socket_client_new(): the
 * arguments a client transport keeps, the TLS connection it makes from them,
 * the socket client it connects with. */

#include "config.h"

#include <sys/socket.h>
#include <unistd.h>

#include <wamp/wamp.h>

#include "wamp-test-pki.h"

/* Any GObject serves as an element: the params only reference them. */
static GPtrArray *
new_serializers (guint n)
{
  GPtrArray *serializers = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (serializers, g_object_new (G_TYPE_OBJECT, NULL));
  return serializers;
}

static void
test_no_serializer (void)
{
  g_autoptr(WampReactor) reactor = wamp_reactor_new (NULL);
  g_autoptr(GPtrArray) serializers = new_serializers (0);
  g_autoptr(GError) error = NULL;
  WampClientConnectParams params = { 0 };

  g_assert_false (wamp_client_connect_params_init (&params, reactor, serializers, NULL, NULL,
                                                   &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "no serializer to offer");
  g_assert_null (params.reactor);
  g_assert_null (params.serializers);
  g_assert_null (params.tls_database);
  g_assert_null (params.tls_certificate);
}

static void
test_keeps_copy (void)
{
  g_autoptr(WampReactor) reactor = wamp_reactor_new (NULL);
  g_autoptr(GPtrArray) serializers = new_serializers (2);
  g_autoptr(GError) error = NULL;
  g_autofree char *pki = wamp_test_pki_create ();
  g_autofree char *ca = wamp_test_pki_file (pki, "ca.pem");
  g_autofree char *cert = wamp_test_pki_file (pki, "client.pem");
  g_autofree char *key = wamp_test_pki_file (pki, "client.key");
  g_autoptr(GTlsDatabase) database = g_tls_file_database_new (ca, &error);
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("localhost", 443);
  GObject *first = g_object_ref (serializers->pdata[0]);
  WampClientConnectParams params = { 0 };
  int sv[2];
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) stream = NULL;

  g_assert_no_error (error);
  certificate = g_tls_certificate_new_from_files (cert, key, &error);
  g_assert_no_error (error);

  g_assert_true (wamp_client_connect_params_init (&params, reactor, serializers, database,
                                                  certificate, &error));
  g_assert_no_error (error);
  g_assert_true (params.reactor == reactor);
  g_assert_true (params.tls_database == database);
  g_assert_true (params.tls_certificate == certificate);

  /* A copy: the caller's array may change or go; the elements stay. */
  g_assert_true (params.serializers != serializers);
  g_assert_cmpuint (params.serializers->len, ==, 2);
  g_assert_true (params.serializers->pdata[0] == first);
  g_ptr_array_set_size (serializers, 0);
  g_assert_cmpuint (params.serializers->len, ==, 2);
  g_assert_cmpuint (first->ref_count, ==, 2);

  /* The TLS connection carries the database and the certificate. */
  g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  socket = g_socket_new_from_fd (sv[0], &error);
  g_assert_no_error (error);
  stream = g_socket_connection_factory_create_connection (socket);
  tls = wamp_client_connect_params_new_tls (&params, G_IO_STREAM (stream), identity, &error);
  g_assert_no_error (error);
  g_assert_true (G_IS_TLS_CLIENT_CONNECTION (tls));
  g_assert_true (g_tls_connection_get_database (G_TLS_CONNECTION (tls)) == database);
  g_assert_true (g_tls_connection_get_certificate (G_TLS_CONNECTION (tls)) == certificate);
  g_assert_true (g_tls_client_connection_get_server_identity (G_TLS_CLIENT_CONNECTION (tls))
                 == identity);
  g_clear_object (&tls);
  g_io_stream_close (G_IO_STREAM (stream), NULL, NULL);
  close (sv[1]);

  wamp_client_connect_params_clear (&params);
  g_assert_null (params.reactor);
  g_assert_null (params.serializers);
  g_assert_null (params.tls_database);
  g_assert_null (params.tls_certificate);
  g_assert_cmpuint (first->ref_count, ==, 1);
  g_object_unref (first);
  wamp_test_pki_remove (pki);
}

static void
test_socket_client (void)
{
  g_autoptr(GSocketClient) client = wamp_client_socket_client_new (7);

  g_assert_false (g_socket_client_get_enable_proxy (client));
  g_assert_cmpuint (g_socket_client_get_timeout (client), ==, 7);
  g_assert_false (g_socket_client_get_tls (client));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/client-connect/no-serializer", test_no_serializer);
  g_test_add_func ("/client-connect/keeps-copy", test_keeps_copy);
  g_test_add_func ("/client-connect/socket-client", test_socket_client);

  return g_test_run ();
}
