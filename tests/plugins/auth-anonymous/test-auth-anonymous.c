/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of the anonymous authenticator: its config block, the immediate
 * accept with the HELLO's or a made-up authid, and the missing second step. */

#include <string.h>

#include "wamp-anonymous-authenticator.h"

typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
on_timeout (gpointer user_data)
{
  g_assert_not_reached ();
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until the callback ran, failing after 5 s.
 * Returns: (transfer full). */
static GAsyncResult *
wait_for_result (Wait *wait)
{
  guint timeout = g_timeout_add_seconds (5, on_timeout, NULL);

  g_main_loop_run (wait->loop);
  g_source_remove (timeout);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  return g_steal_pointer (&wait->result);
}

static WampValue *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  WampValue *value = wamp_config_parse (json, -1, &error);

  g_assert_no_error (error);
  return value;
}

static WampAuthenticator *
make_configured (const char *role)
{
  g_autofree char *json = g_strdup_printf ("{\"role\": \"%s\"}", role);
  g_autoptr(WampValue) config = parse (json);
  g_autoptr(GError) error = NULL;
  WampAuthenticator *authenticator = g_object_new (WAMP_TYPE_ANONYMOUS_AUTHENTICATOR, NULL);

  g_assert_true (wamp_authenticator_configure (authenticator, config, "$.transports[0].auth.anonymous", &error));
  g_assert_no_error (error);
  return authenticator;
}

static WampAuthRequest *
make_request (const char *requested_authid)
{
  g_autoptr(WampValue) hello = wamp_value_new_dict (1);
  g_autoptr(WampValue) transport = wamp_value_new_dict (0);

  if (requested_authid != NULL)
    wamp_value_dict_insert (hello, "authid", wamp_value_new_string (requested_authid));
  return wamp_auth_request_new (1, "realm1", "anonymous", hello, transport, NULL);
}

static gboolean
run_challenge (WampAuthenticator *authenticator, WampAuthRequest *request,
               GCancellable *cancellable, GError **error)
{
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;

  wamp_authenticator_challenge_async (authenticator, request, cancellable, on_done, &wait);
  result = wait_for_result (&wait);
  return wamp_authenticator_challenge_finish (authenticator, result, error);
}

static void
assert_config_error (const char *json, gint code, const char *message)
{
  g_autoptr(WampValue) config = parse (json);
  g_autoptr(WampAuthenticator) authenticator = g_object_new (WAMP_TYPE_ANONYMOUS_AUTHENTICATOR, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_false (wamp_authenticator_configure (authenticator, config, "$.transports[0].auth.anonymous", &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, code);
  g_assert_cmpstr (error->message, ==, message);
}

static void
test_config_errors (void)
{
  assert_config_error ("{}", WAMP_CONFIG_ERROR_MISSING,
                       "$.transports[0].auth.anonymous.role: is required");
  assert_config_error ("{\"role\": 1}", WAMP_CONFIG_ERROR_INVALID,
                       "$.transports[0].auth.anonymous.role: must be a string");
  assert_config_error ("{\"role\": \"\"}", WAMP_CONFIG_ERROR_INVALID,
                       "$.transports[0].auth.anonymous.role: must not be empty");
  assert_config_error ("{\"role\": \"a\", \"principals\": {}}", WAMP_CONFIG_ERROR_UNKNOWN_KEY,
                       "$.transports[0].auth.anonymous.principals: unknown key");
  assert_config_error ("{\"role\": \"a\", \"type\": \"dynamic\"}", WAMP_CONFIG_ERROR_INVALID,
                       "$.transports[0].auth.anonymous.type: must be one of \"static\"");
  assert_config_error ("[]", WAMP_CONFIG_ERROR_INVALID,
                       "$.transports[0].auth.anonymous: must be an object");
}

static void
test_config_crossbar_static_type (void)
{
  g_autoptr(WampValue) config = parse ("{\"type\": \"static\", \"role\": \"public\"}");
  g_autoptr(WampAuthenticator) authenticator = g_object_new (WAMP_TYPE_ANONYMOUS_AUTHENTICATOR, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_authenticator_configure (authenticator, config, "$.a", &error));
  g_assert_no_error (error);
}

static void
test_challenge_accepts_requested_authid (void)
{
  g_autoptr(WampAuthenticator) authenticator = make_configured ("public");
  g_autoptr(WampAuthRequest) request = make_request ("joe");
  g_autoptr(GError) error = NULL;

  g_assert_true (run_challenge (authenticator, request, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (wamp_auth_request_is_accepted (request));
  g_assert_null (wamp_auth_request_get_challenge (request));
  g_assert_cmpstr (wamp_auth_request_get_authid (request), ==, "joe");
  g_assert_cmpstr (wamp_auth_request_get_authrole (request), ==, "public");
  g_assert_cmpstr (wamp_auth_request_get_authprovider (request), ==, "static");
}

static void
assert_made_up_authid (const char *authid)
{
  const char *suffix;

  g_assert_true (g_str_has_prefix (authid, WAMP_ANONYMOUS_AUTHID_PREFIX));
  suffix = authid + strlen (WAMP_ANONYMOUS_AUTHID_PREFIX);
  g_assert_cmpuint (strlen (suffix), ==, 8);
  g_assert_cmpuint (strspn (suffix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), ==, 8);
}

static void
test_challenge_makes_up_authid (void)
{
  g_autoptr(WampAuthenticator) authenticator = make_configured ("anonymous");
  g_autoptr(WampAuthRequest) first = make_request (NULL);
  g_autoptr(WampAuthRequest) second = make_request ("");
  g_autoptr(GError) error = NULL;

  g_assert_true (run_challenge (authenticator, first, NULL, &error));
  g_assert_true (run_challenge (authenticator, second, NULL, &error));
  g_assert_no_error (error);

  assert_made_up_authid (wamp_auth_request_get_authid (first));
  assert_made_up_authid (wamp_auth_request_get_authid (second));
  /* 40 random bits: equal ids would mean the generator is not random. */
  g_assert_cmpstr (wamp_auth_request_get_authid (first), !=, wamp_auth_request_get_authid (second));
  g_assert_cmpstr (wamp_auth_request_get_authrole (first), ==, "anonymous");
}

static void
test_challenge_cancelled (void)
{
  g_autoptr(WampAuthenticator) authenticator = make_configured ("anonymous");
  g_autoptr(WampAuthRequest) request = make_request ("joe");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (run_challenge (authenticator, request, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (wamp_auth_request_is_accepted (request));
}

static void
test_authenticate_not_supported (void)
{
  g_autoptr(WampAuthenticator) authenticator = make_configured ("anonymous");
  g_autoptr(WampAuthRequest) request = make_request (NULL);
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  wamp_authenticator_authenticate_async (authenticator, request, "sig", NULL, NULL, on_done, &wait);
  result = wait_for_result (&wait);
  g_assert_false (wamp_authenticator_authenticate_finish (authenticator, result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_false (wamp_auth_request_is_accepted (request));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth-anonymous/configure/errors-name-path", test_config_errors);
  g_test_add_func ("/auth-anonymous/configure/accepts-crossbar-static-type", test_config_crossbar_static_type);
  g_test_add_func ("/auth-anonymous/challenge/accepts-requested-authid", test_challenge_accepts_requested_authid);
  g_test_add_func ("/auth-anonymous/challenge/makes-up-random-authid", test_challenge_makes_up_authid);
  g_test_add_func ("/auth-anonymous/challenge/cancelled-does-not-accept", test_challenge_cancelled);
  g_test_add_func ("/auth-anonymous/authenticate/not-supported", test_authenticate_not_supported);

  return g_test_run ();
}
