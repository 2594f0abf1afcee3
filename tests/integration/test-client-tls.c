/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClient over wss:// against an in-process WampRouter with a TLS
 * WebSocket transport (a PKI made at test time) next to a plain one:
 * wamp_client_set_tls() trusts the test CA and presents a client
 * certificate; calls and events cross between wss:// and ws://. */
#include <wamp/wamp.h>

#include <string.h>

#include "wamp-test-async.h"
#include "wamp-test-pki.h"

/* Every wait is bounded: a test that hangs fails instead. */
#define WAIT_SECONDS 10

static const char router_config_template[] =
  "{"
  "  \"version\": 1,"
  "  \"realms\": [ { \"name\": \"realm1\","
  "    \"roles\": [ { \"name\": \"anonymous\","
  "      \"permissions\": [ { \"uri\": \"\", \"match\": \"prefix\","
  "        \"allow\": { \"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true } } ] } ] } ],"
  "  \"transports\": ["
  "    { \"name\": \"ws\", \"type\": \"websocket\","
  "      \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },"
  "      \"serializers\": [\"json\"], \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } },"
  "    { \"name\": \"wss\", \"type\": \"websocket\","
  "      \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0,"
  "        \"tls\": { \"certificate\": \"%1$s/server.pem\", \"key\": \"%1$s/server.key\","
  "                 \"ca_certificates\": \"%1$s/ca.pem\", \"require_client_certificate\": true } },"
  "      \"serializers\": [\"json\"], \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } } ],"
  "  \"admin\": { \"dbus\": \"none\" }"
  "}";

typedef struct {
  char *pki;
  WampReactor *reactor;
  WampRouter *router;
  char *ws_url;
  char *wss_url;
  GTlsDatabase *ca;
  GTlsCertificate *client_certificate;
} Fixture;

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  return wamp_test_wait_result (result, WAIT_SECONDS * 1000);
}

static gboolean
join (WampClient *client, const char *url, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  wamp_client_join_async (client, url, "json", "realm1", NULL, NULL, wamp_test_store_result, &result);
  return wamp_client_join_finish (client, wait_result (&result), error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) config = NULL;
  g_autofree char *json = NULL;
  g_autofree char *ca_file = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_auto(GStrv) listeners = NULL;
  gboolean ok;

  f->pki = wamp_test_pki_create ();
  json = g_strdup_printf (router_config_template, f->pki);
  f->reactor = wamp_reactor_new (NULL);
  f->router = wamp_router_new (f->reactor);
  config = wamp_config_parse (json, -1, &error);
  g_assert_no_error (error);
  ok = wamp_router_configure (f->router, config, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  ok = wamp_router_start (f->router, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  /* "NAME URL" lines. */
  listeners = wamp_router_get_listeners (f->router);
  for (guint i = 0; listeners[i] != NULL; i++)
    {
      if (g_str_has_prefix (listeners[i], "ws "))
        f->ws_url = g_strdup (listeners[i] + 3);
      else if (g_str_has_prefix (listeners[i], "wss "))
        f->wss_url = g_strdup (listeners[i] + 4);
    }
  g_assert_nonnull (f->ws_url);
  g_assert_nonnull (f->wss_url);
  g_assert_true (g_str_has_prefix (f->wss_url, "wss://127.0.0.1:"));

  ca_file = wamp_test_pki_file (f->pki, "ca.pem");
  cert_file = wamp_test_pki_file (f->pki, "client.pem");
  key_file = wamp_test_pki_file (f->pki, "client.key");
  f->ca = g_tls_file_database_new (ca_file, &error);
  g_assert_no_error (error);
  f->client_certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  wamp_router_shutdown_async (f->router, NULL, wamp_test_store_result, &result);
  g_assert_true (wamp_router_shutdown_finish (f->router, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&f->router);
  /* Let TLS closes and libsoup settle. */
  for (int i = 0; i < 100; i++)
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&f->reactor);
  g_clear_object (&f->ca);
  g_clear_object (&f->client_certificate);
  g_free (f->ws_url);
  g_free (f->wss_url);
  wamp_test_pki_remove (f->pki);
  g_free (f->pki);
}

static void
double_it (WampClient *client, WampMessage *invocation, gpointer user_data)
{
  WampPayload *payload = wamp_message_get_payload (invocation);
  WampValue *args = NULL;
  g_autoptr(WampValue) result_args = wamp_value_new_list (1);
  g_autoptr(WampPayload) result = NULL;

  g_assert_true (wamp_payload_get_values (payload, &args, NULL, NULL));
  wamp_value_list_append (result_args,
                          wamp_value_new_int (2 * wamp_value_get_int (wamp_value_list_get (args, 0))));
  result = wamp_payload_new (result_args, NULL);
  wamp_client_yield (client, wamp_message_get_request_id (invocation), NULL, result);
}

static gint64
call_double (WampClient *client, gint64 n)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) args = wamp_value_new_list (1);
  g_autoptr(WampPayload) payload = NULL;
  g_autoptr(WampMessage) reply = NULL;
  WampValue *reply_args = NULL;

  wamp_value_list_append (args, wamp_value_new_int (n));
  payload = wamp_payload_new (args, NULL);
  wamp_client_call_async (client, "com.example.double", NULL, payload, NULL, wamp_test_store_result, &result);
  reply = wamp_client_call_finish (client, wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (wamp_payload_get_values (wamp_message_get_payload (reply), &reply_args, NULL, NULL));
  return wamp_value_get_int (wamp_value_list_get (reply_args, 0));
}

static void
test_wss_client_and_ws_client_call_each_other (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) secure = wamp_client_new (f->reactor);
  g_autoptr(WampClient) plain = wamp_client_new (f->reactor);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  wamp_client_set_tls (secure, f->ca, f->client_certificate);
  g_assert_true (join (secure, f->wss_url, &error));
  g_assert_no_error (error);
  g_assert_true (join (plain, f->ws_url, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_client_is_joined (secure));

  wamp_client_register_async (secure, "com.example.double", NULL, double_it, NULL, NULL, NULL,
                              wamp_test_store_result, &result);
  g_assert_cmpuint (wamp_client_register_finish (secure, wait_result (&result), &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (call_double (plain, 21), ==, 42);
  g_assert_cmpint (call_double (secure, 5), ==, 10);
}

/* Without the test CA the router's certificate is not trusted; without a
 * client certificate the router refuses: neither joins. */
static void
test_wss_client_needs_ca_and_certificate (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) no_ca = wamp_client_new (f->reactor);
  g_autoptr(WampClient) no_cert = wamp_client_new (f->reactor);
  g_autoptr(WampClient) both = wamp_client_new (f->reactor);
  g_autoptr(GError) error = NULL;

  wamp_client_set_tls (no_ca, NULL, f->client_certificate);
  g_assert_false (join (no_ca, f->wss_url, &error));
  g_assert_nonnull (error);
  g_test_message ("without the CA: %s", error->message);
  g_clear_error (&error);

  wamp_client_set_tls (no_cert, f->ca, NULL);
  g_assert_false (join (no_cert, f->wss_url, &error));
  g_assert_nonnull (error);
  g_test_message ("without a client certificate: %s", error->message);
  g_clear_error (&error);

  /* The settings are per client, and the listener still serves. */
  wamp_client_set_tls (both, f->ca, f->client_certificate);
  g_assert_true (join (both, f->wss_url, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_autoptr(WampPluginLoader) loader = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampClient over wss:// with wamp_client_set_tls(), next to ws://");

  /* The plugins of the build tree ($WAMPD_PLUGIN_PATH). */
  loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  if (!wamp_plugin_loader_load_all (loader, &error))
    g_printerr ("# loading plugins: %s\n", error->message);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/client/tls/wss-and-ws-clients-call-each-other",
       test_wss_client_and_ws_client_call_each_other);
  ADD ("/client/tls/wss-needs-the-ca-and-a-client-certificate",
       test_wss_client_needs_ca_and_certificate);
#undef ADD

  return g_test_run ();
}
