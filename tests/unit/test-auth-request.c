/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampAuthRequest: what it reads from HELLO.Details, the challenge
 * and accept decisions, and the authenticator's per-request state. */

#include <wamp/wamp.h>

static WampValue *
make_hello_details (const char *authid, const char *authrole, gboolean with_extra)
{
  WampValue *details = wamp_value_new_dict (4);

  if (authid != NULL)
    wamp_value_dict_insert (details, "authid", wamp_value_new_string (authid));
  if (authrole != NULL)
    wamp_value_dict_insert (details, "authrole", wamp_value_new_string (authrole));
  if (with_extra)
    {
      WampValue *extra = wamp_value_new_dict (1);

      wamp_value_dict_insert (extra, "pubkey", wamp_value_new_string ("abc"));
      wamp_value_dict_insert (details, "authextra", extra);
    }
  return details;
}

static WampAuthRequest *
make_request (WampValue *hello_details)
{
  g_autoptr(WampValue) transport = wamp_value_new_dict (1);

  wamp_value_dict_insert (transport, "type", wamp_value_new_string ("websocket"));
  return wamp_auth_request_new (42, "realm1", "ticket", hello_details, transport, NULL);
}

static void
test_reads_hello (void)
{
  g_autoptr(WampValue) hello = make_hello_details ("joe", "frontend", TRUE);
  g_autoptr(WampAuthRequest) request = make_request (hello);
  WampValue *transport;

  g_assert_cmpuint (wamp_auth_request_get_session_id (request), ==, 42);
  g_assert_cmpstr (wamp_auth_request_get_realm (request), ==, "realm1");
  g_assert_cmpstr (wamp_auth_request_get_authmethod (request), ==, "ticket");
  g_assert_cmpstr (wamp_auth_request_get_requested_authid (request), ==, "joe");
  g_assert_cmpstr (wamp_auth_request_get_requested_authrole (request), ==, "frontend");
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_auth_request_get_requested_authextra (request), "pubkey"), ==, "abc");
  g_assert_true (wamp_auth_request_get_hello_details (request) == hello);
  transport = wamp_auth_request_get_transport_details (request);
  g_assert_cmpstr (wamp_value_dict_get_string (transport, "type"), ==, "websocket");
  g_assert_null (wamp_auth_request_get_peer_certificate (request));
}

static void
test_wrong_typed_hello_fields_are_absent (void)
{
  g_autoptr(WampValue) hello = wamp_value_new_dict (3);
  g_autoptr(WampAuthRequest) request = NULL;

  wamp_value_dict_insert (hello, "authid", wamp_value_new_int (7));
  wamp_value_dict_insert (hello, "authrole", wamp_value_new_string_len ("a\0b", 3));
  wamp_value_dict_insert (hello, "authextra", wamp_value_new_list (0));
  request = make_request (hello);

  g_assert_null (wamp_auth_request_get_requested_authid (request));
  g_assert_null (wamp_auth_request_get_requested_authrole (request));
  g_assert_null (wamp_auth_request_get_requested_authextra (request));
}

static void
test_not_decided_at_start (void)
{
  g_autoptr(WampValue) hello = make_hello_details (NULL, NULL, FALSE);
  g_autoptr(WampAuthRequest) request = make_request (hello);

  g_assert_false (wamp_auth_request_is_accepted (request));
  g_assert_null (wamp_auth_request_get_challenge (request));
  g_assert_null (wamp_auth_request_get_authid (request));
  g_assert_null (wamp_auth_request_get_authrole (request));
  g_assert_null (wamp_auth_request_get_authprovider (request));
  g_assert_null (wamp_auth_request_get_authextra (request));
  g_assert_null (wamp_auth_request_get_requested_authid (request));
}

static void
test_challenge_without_extra_is_empty_dict (void)
{
  g_autoptr(WampValue) hello = make_hello_details (NULL, NULL, FALSE);
  g_autoptr(WampAuthRequest) request = make_request (hello);
  WampValue *challenge;

  wamp_auth_request_set_challenge (request, NULL);
  challenge = wamp_auth_request_get_challenge (request);
  g_assert_nonnull (challenge);
  g_assert_cmpint (wamp_value_get_value_type (challenge), ==, WAMP_VALUE_DICT);
  g_assert_cmpuint (wamp_value_dict_size (challenge), ==, 0);
  g_assert_false (wamp_auth_request_is_accepted (request));
}

static void
test_challenge_keeps_extra (void)
{
  g_autoptr(WampValue) hello = make_hello_details (NULL, NULL, FALSE);
  g_autoptr(WampAuthRequest) request = make_request (hello);
  g_autoptr(WampValue) extra = wamp_value_new_dict (1);

  wamp_value_dict_insert (extra, "challenge", wamp_value_new_string ("nonce"));
  wamp_auth_request_set_challenge (request, extra);
  g_assert_true (wamp_auth_request_get_challenge (request) == extra);
}

static void
test_accept_copies_result (void)
{
  g_autoptr(WampValue) hello = make_hello_details ("joe", NULL, FALSE);
  g_autoptr(WampAuthRequest) request = make_request (hello);
  g_autoptr(WampValue) authextra = wamp_value_new_dict (1);
  g_autofree char *authid = g_strdup ("joe");

  wamp_value_dict_insert (authextra, "x", wamp_value_new_int (1));
  wamp_auth_request_accept (request, authid, "user", "static", authextra);
  /* The strings are copies: the caller's may go away. */
  authid[0] = 'X';

  g_assert_true (wamp_auth_request_is_accepted (request));
  g_assert_cmpstr (wamp_auth_request_get_authid (request), ==, "joe");
  g_assert_cmpstr (wamp_auth_request_get_authrole (request), ==, "user");
  g_assert_cmpstr (wamp_auth_request_get_authprovider (request), ==, "static");
  g_assert_true (wamp_auth_request_get_authextra (request) == authextra);
}

static void
count_destroy (gpointer data)
{
  (*(int *) data)++;
}

static void
test_state_destroyed_on_replace_and_finalize (void)
{
  g_autoptr(WampValue) hello = make_hello_details (NULL, NULL, FALSE);
  WampAuthRequest *request = make_request (hello);
  int first = 0, second = 0;

  wamp_auth_request_set_state (request, &first, count_destroy);
  g_assert_true (wamp_auth_request_get_state (request) == &first);

  wamp_auth_request_set_state (request, &second, count_destroy);
  g_assert_cmpint (first, ==, 1);
  g_assert_cmpint (second, ==, 0);
  g_assert_true (wamp_auth_request_get_state (request) == &second);

  g_object_unref (request);
  g_assert_cmpint (first, ==, 1);
  g_assert_cmpint (second, ==, 1);
}

static void
test_state_without_destroy (void)
{
  g_autoptr(WampValue) hello = make_hello_details (NULL, NULL, FALSE);
  g_autoptr(WampAuthRequest) request = make_request (hello);
  int value = 0;

  wamp_auth_request_set_state (request, &value, NULL);
  g_assert_true (wamp_auth_request_get_state (request) == &value);
  wamp_auth_request_set_state (request, NULL, NULL);
  g_assert_null (wamp_auth_request_get_state (request));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/auth-request/new/reads-hello-details", test_reads_hello);
  g_test_add_func ("/auth-request/new/wrong-typed-hello-fields-are-absent", test_wrong_typed_hello_fields_are_absent);
  g_test_add_func ("/auth-request/new/nothing-decided-yet", test_not_decided_at_start);
  g_test_add_func ("/auth-request/challenge/without-extra-is-empty-dict", test_challenge_without_extra_is_empty_dict);
  g_test_add_func ("/auth-request/challenge/keeps-extra", test_challenge_keeps_extra);
  g_test_add_func ("/auth-request/accept/copies-result", test_accept_copies_result);
  g_test_add_func ("/auth-request/state/destroyed-on-replace-and-finalize", test_state_destroyed_on_replace_and_finalize);
  g_test_add_func ("/auth-request/state/without-destroy", test_state_without_destroy);

  return g_test_run ();
}
