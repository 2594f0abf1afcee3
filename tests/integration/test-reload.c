/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wamp_router_reload(): a new config applied to a running router over the
 * loopback transport, with the broker and dealer plugins, while raw peers
 * stay connected. */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-test-harness.h"

#define ALLOW_ALL "\"allow\": {\"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true}"
#define ALLOW_SUBSCRIBE_ONLY "\"allow\": {\"subscribe\": true}"
#define REALM(name, allow, options) \
  "{ \"name\": \"" name "\", \"options\": {" options "}, \"roles\": [" \
  "  { \"name\": \"anonymous\", \"permissions\": [ { \"uri\": \"\", \"match\": \"prefix\", " allow " } ] }," \
  "  { \"name\": \"limited\", \"permissions\": [ { \"uri\": \"com.allowed.\", \"match\": \"prefix\", " \
  ALLOW_ALL " } ] } ] }"
#define LO(name, role, extra) \
  "{ \"name\": \"" name "\", \"type\": \"loopback\", \"serializers\": [\"json\"]" extra "," \
  "  \"auth\": { \"anonymous\": { \"role\": \"" role "\" } } }"
#define CONFIG(realms, transports) \
  "{ \"version\": 1, \"realms\": [" realms "], \"transports\": [" transports "] }"

static const char base_config[] =
  CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, ""),
          LO ("lo", "anonymous", ""));

/* ---- an authenticator that keeps a session authenticating ------------------
 * "testchallenge" sends CHALLENGE and accepts any AUTHENTICATE as authrole
 * anonymous: between the two the session is authenticating into its realm. */

#define TEST_TYPE_AUTHENTICATOR (test_authenticator_get_type ())
G_DECLARE_FINAL_TYPE (TestAuthenticator, test_authenticator, TEST, AUTHENTICATOR, GObject)

struct _TestAuthenticator
{
  GObject parent_instance;
};

static void test_authenticator_iface_init (WampAuthenticatorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestAuthenticator, test_authenticator, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_AUTHENTICATOR, test_authenticator_iface_init))

static void
test_authenticator_class_init (TestAuthenticatorClass *klass)
{
}

static void
test_authenticator_init (TestAuthenticator *self)
{
}

static gboolean
test_authenticator_configure (WampAuthenticator *authenticator, WampValue *config,
                              const char *config_path, GError **error)
{
  static const char *const known[] = { NULL };

  return wamp_config_check_keys (config, config_path, known, error);
}

static void
test_authenticator_challenge_async (WampAuthenticator *authenticator, WampAuthRequest *request,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (authenticator, cancellable, callback, user_data);
  g_autoptr (WampValue) extra = wamp_value_new_dict (0);

  wamp_auth_request_set_challenge (request, extra);
  g_task_return_boolean (task, TRUE);
}

static void
test_authenticator_authenticate_async (WampAuthenticator *authenticator, WampAuthRequest *request,
                                       const char *signature, WampValue *extra,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (authenticator, cancellable, callback, user_data);

  wamp_auth_request_accept (request, "alice", "anonymous", "test", NULL);
  g_task_return_boolean (task, TRUE);
}

static gboolean
test_authenticator_finish (WampAuthenticator *authenticator, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
test_authenticator_iface_init (WampAuthenticatorInterface *iface)
{
  iface->configure = test_authenticator_configure;
  iface->challenge_async = test_authenticator_challenge_async;
  iface->challenge_finish = test_authenticator_finish;
  iface->authenticate_async = test_authenticator_authenticate_async;
  iface->authenticate_finish = test_authenticator_finish;
}

static gboolean
test_auth_register (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_AUTHENTICATOR_EXTENSION_POINT,
                                            TEST_TYPE_AUTHENTICATOR, "testchallenge", error);
}

static const WampPluginInfo test_auth_plugin = {
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-reload-auth", "0", "LGPL-2.1-or-later",
  "A challenging authenticator for the reload tests", test_auth_register, { NULL, }
};

/* ---- a router role without options_changed ----------------------------------
 * "optionless" routes nothing and cannot take new realm options live, as a
 * role plugin built before ABI 1.1. Loaded in this process, it serves every
 * realm that has no router_roles. */

#define TEST_TYPE_OPTIONLESS_ROLE (test_optionless_role_get_type ())
G_DECLARE_FINAL_TYPE (TestOptionlessRole, test_optionless_role, TEST, OPTIONLESS_ROLE, GObject)

struct _TestOptionlessRole
{
  GObject parent_instance;
};

static void test_optionless_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestOptionlessRole, test_optionless_role, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, test_optionless_role_iface_init))

static void
test_optionless_role_class_init (TestOptionlessRoleClass *klass)
{
}

static void
test_optionless_role_init (TestOptionlessRole *self)
{
}

static const char *
test_optionless_role_get_name (WampRole *role)
{
  return "optionless";
}

static gboolean
test_optionless_role_attach (WampRole *role, WampRealm *realm, WampValue *options, GError **error)
{
  return TRUE;
}

static void
test_optionless_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = test_optionless_role_get_name;
  iface->attach = test_optionless_role_attach;
}

static gboolean
test_role_register (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT,
                                            TEST_TYPE_OPTIONLESS_ROLE, "optionless", error);
}

static const WampPluginInfo test_role_plugin = {
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-reload-role", "0", "LGPL-2.1-or-later",
  "A router role without options_changed for the reload tests", test_role_register, { NULL, }
};

/* ---- fixture ---------------------------------------------------------------- */

typedef struct {
  WampTestRouter *router;
  WampTestPeer *a;    /* joined realm1 */
  WampTestPeer *b;    /* joined realm2 */
  guint64 a_id, b_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->router = wamp_test_router_new (base_config);
  f->a = wamp_test_peer_new (f->router, "lo");
  f->b = wamp_test_peer_new (f->router, "lo");
  f->a_id = wamp_test_peer_join (f->a, "realm1", NULL);
  f->b_id = wamp_test_peer_join (f->b, "realm2", NULL);
  g_assert_cmpuint (f->a_id, !=, 0);
  g_assert_cmpuint (f->b_id, !=, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->a, wamp_test_peer_free);
  g_clear_pointer (&f->b, wamp_test_peer_free);
  g_clear_pointer (&f->router, wamp_test_router_free);
}

/* Reloads @json and asserts success. Returns: (transfer full): restart_needed. */
static GStrv
reload_ok (Fixture *f, const char *json)
{
  g_autoptr (WampValue) config = wamp_test_parse (json);
  g_autoptr (GError) error = NULL;
  GStrv restart_needed = NULL;

  g_assert_true (wamp_router_reload (wamp_test_router_get_router (f->router), config,
                                     &restart_needed, &error));
  g_assert_no_error (error);
  g_assert_nonnull (restart_needed);
  return restart_needed;
}

/* @subscriber (subscribed to com.example.topic) receives what @publisher
 * publishes there: the session is alive and routed. */
static void
assert_event_flows (WampTestPeer *publisher, WampTestPeer *subscriber, guint64 request_id)
{
  g_autofree char *published = g_strdup_printf ("[17, %" G_GUINT64_FORMAT ", \"$any\"]", request_id);

  wamp_test_peer_send_printf (publisher, "[16, %" G_GUINT64_FORMAT ", {\"acknowledge\": true},"
                                         " \"com.example.topic\", [%" G_GUINT64_FORMAT "]]",
                              request_id, request_id);
  wamp_test_peer_assert_frame (publisher, published);
  wamp_test_peer_assert_frame (subscriber, "[36, \"$any\", \"$any\", {}, \"$any\"]");
}

static void
test_realm_added_is_joinable_and_sessions_stay (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;
  g_autoptr (WampTestPeer) c = wamp_test_peer_new (f->router, "lo");
  g_autoptr (WampTestPeer) d = NULL;

  wamp_test_peer_join (c, "realm1", NULL);
  wamp_test_peer_subscribe (f->a, 1, "com.example.topic");

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, "")
                                         "," REALM ("realm3", ALLOW_ALL, ""),
                                         LO ("lo", "anonymous", "")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);

  /* Nobody was told anything, and realm1 still routes between its sessions. */
  wamp_test_peer_assert_silence (f->a);
  wamp_test_peer_assert_silence (f->b);
  assert_event_flows (c, f->a, 1);

  d = wamp_test_peer_new_joined (f->router, "lo", "realm3");
  g_assert_nonnull (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm3"));
}

static void
test_realm_removed_sends_goodbye_close_realm (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;
  g_autoptr (WampTestPeer) again = NULL;
  g_autoptr (WampTestPeer) c = wamp_test_peer_new (f->router, "lo");

  wamp_test_peer_join (c, "realm1", NULL);
  wamp_test_peer_subscribe (f->a, 1, "com.example.topic");

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);

  wamp_test_peer_assert_frame (f->b, "[6, \"$any\", \"wamp.close.close_realm\"]");
  wamp_test_peer_send_json (f->b, "[6, {}, \"wamp.close.goodbye_and_out\"]");
  g_assert_true (wamp_test_peer_wait_closed (f->b, 2000));
  g_assert_null (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm2"));

  /* realm1 goes on as before. */
  wamp_test_peer_assert_silence (f->a);
  assert_event_flows (c, f->a, 1);

  /* And nobody gets into realm2 any more. */
  again = wamp_test_peer_new (f->router, "lo");
  wamp_test_peer_send_json (again, "[1, \"realm2\", {\"roles\": {\"subscriber\": {}}}]");
  wamp_test_peer_expect_abort (again, "wamp.error.no_such_realm");
}

static void
test_realm_removed_closes_silent_peer_after_goodbye_timeout (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, ""),
                                                        LO ("lo", "anonymous", "")));

  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);
  wamp_test_peer_assert_frame (f->b, "[6, \"$any\", \"wamp.close.close_realm\"]");
  /* b never answers: the router closes the connection all the same. */
  g_assert_true (wamp_test_peer_wait_closed (f->b, 15000));
  g_assert_false (wamp_test_peer_is_closed (f->a));
}

#define LO_CHALLENGE \
  "{ \"name\": \"challenge\", \"type\": \"loopback\", \"serializers\": [\"json\"]," \
  "  \"auth\": { \"testchallenge\": {} } }"

static void
test_realm_removed_aborts_authenticating_sessions (gconstpointer data)
{
  g_autoptr (WampTestRouter) router = wamp_test_router_new (
    CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, ""), LO_CHALLENGE));
  g_autoptr (WampTestPeer) into_removed = wamp_test_peer_new (router, "challenge");
  g_autoptr (WampTestPeer) into_kept = wamp_test_peer_new (router, "challenge");
  g_autoptr (WampValue) config = wamp_test_parse (CONFIG (REALM ("realm1", ALLOW_ALL, ""), LO_CHALLENGE));
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) restart_needed = NULL;

  wamp_test_peer_send_json (into_removed, "[1, \"realm2\", {\"roles\": {\"subscriber\": {}},"
                                          " \"authmethods\": [\"testchallenge\"]}]");
  wamp_test_peer_assert_frame (into_removed, "[4, \"testchallenge\", {}]");
  wamp_test_peer_send_json (into_kept, "[1, \"realm1\", {\"roles\": {\"subscriber\": {}},"
                                       " \"authmethods\": [\"testchallenge\"]}]");
  wamp_test_peer_assert_frame (into_kept, "[4, \"testchallenge\", {}]");

  g_assert_true (wamp_router_reload (wamp_test_router_get_router (router), config, &restart_needed, &error));
  g_assert_no_error (error);

  /* Half way into a realm that is gone: refused and disconnected, never
   * welcomed. */
  wamp_test_peer_expect_abort (into_removed, "wamp.close.close_realm");
  g_assert_true (wamp_test_peer_is_closed (into_removed));
  wamp_test_peer_send_json (into_removed, "[5, \"sig\", {}]");
  wamp_test_peer_assert_silence (into_removed);
  /* Into a realm that stays: the authentication goes on. */
  wamp_test_peer_assert_silence (into_kept);
  wamp_test_peer_send_json (into_kept, "[5, \"sig\", {}]");
  wamp_test_peer_assert_frame (into_kept, "[2, \"$any\", {\"realm\": \"realm1\", \"authid\": \"alice\","
                                          " \"authrole\": \"anonymous\", \"authmethod\": \"testchallenge\","
                                          " \"authprovider\": \"test\", \"roles\": \"$any\"}]");
}

static void
test_broken_config_changes_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (WampValue) config = wamp_test_parse (
    CONFIG (REALM ("realm1", ALLOW_SUBSCRIBE_ONLY, "") "," REALM ("realm3", ALLOW_ALL, "")
            ",{ \"name\": \"realm4\", \"roles\": [{ \"name\": \"x\", \"permissions\": [{ \"uri\": \"a\","
            "   \"match\": \"sometimes\" }] }] }",
            LO ("lo", "limited", "") "," LO ("lo2", "anonymous", "")));
  g_autoptr (GError) error = NULL;
  g_autoptr (WampTestPeer) c = wamp_test_peer_new (f->router, "lo");
  g_autoptr (WampTestPeer) d = wamp_test_peer_new (f->router, "lo");
  GStrv restart_needed = NULL;
  WampValue *welcome;

  wamp_test_peer_join (c, "realm1", NULL);
  wamp_test_peer_subscribe (f->a, 1, "com.example.topic");

  g_assert_false (wamp_router_reload (wamp_test_router_get_router (f->router), config,
                                      &restart_needed, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  /* The error names the JSON path of the offending value. */
  g_assert_nonnull (strstr (error->message, "$.realms[2].roles[0].permissions[0].match"));
  g_assert_null (restart_needed);

  /* Nothing of the valid parts was applied either: realm2 is still there,
   * realm3 is not, publishing is still allowed, lo still gives anonymous,
   * lo2 does not listen. */
  wamp_test_peer_assert_silence (f->b);
  g_assert_nonnull (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm2"));
  g_assert_null (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm3"));
  g_assert_false (wamp_test_loopback_is_listening (wamp_test_router_get_reactor (f->router), "lo2"));
  assert_event_flows (c, f->a, 1);
  g_assert_cmpuint (wamp_test_peer_join (d, "realm1", NULL), !=, 0);
  welcome = wamp_test_peer_get_welcome_details (d);
  g_assert_cmpstr (wamp_value_dict_get_string (welcome, "authrole"), ==, "anonymous");
}

static void
test_permissions_apply_to_established_sessions (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;

  wamp_test_peer_send_json (f->a, "[16, 1, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[17, 1, \"$any\"]");

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_SUBSCRIBE_ONLY, "") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);

  /* The same session, its next decision: denied now. */
  wamp_test_peer_send_json (f->a, "[16, 2, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 2, {}, \"wamp.error.not_authorized\", \"$any\"]");
  wamp_test_peer_subscribe (f->a, 3, "com.example.topic");
  /* Other realms keep theirs. */
  wamp_test_peer_send_json (f->b, "[16, 4, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->b, "[17, 4, \"$any\"]");
}

/* @caller's CALL @call_id of com.Example.proc reaches @callee, whose YIELD
 * comes back as RESULT. */
static void
assert_call_flows (WampTestPeer *caller, WampTestPeer *callee, guint64 call_id)
{
  g_autofree char *result = g_strdup_printf ("[50, %" G_GUINT64_FORMAT ", {}, [1]]", call_id);
  guint64 inv;

  wamp_test_peer_send_printf (caller, "[48, %" G_GUINT64_FORMAT ", {}, \"com.Example.proc\"]", call_id);
  inv = wamp_test_peer_assert_id (callee, "[68, \"$any\", \"$any\", {}]", 1);
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, [1]]", inv);
  wamp_test_peer_assert_frame (caller, result);
}

static void
test_call_checks_follow_reload (Fixture *f, gconstpointer data)
{
  g_autoptr (WampTestPeer) callee = wamp_test_peer_new_joined (f->router, "lo", "realm1");
  g_auto (GStrv) restart_needed = NULL;

  wamp_test_peer_register (callee, 1, "com.Example.proc");
  /* Twice: the dealer remembers the realm's answers after the first. */
  assert_call_flows (f->a, callee, 1);
  assert_call_flows (f->a, callee, 2);

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_SUBSCRIBE_ONLY, "") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  wamp_test_peer_send_json (f->a, "[48, 3, {}, \"com.Example.proc\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 48, 3, {}, \"wamp.error.not_authorized\", \"$any\"]");
  g_clear_pointer (&restart_needed, g_strfreev);

  /* Strict URIs: the registered procedure's URI is invalid now. */
  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "\"uri_check\": \"strict\"") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  wamp_test_peer_send_json (f->a, "[48, 4, {}, \"com.Example.proc\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 48, 4, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  g_clear_pointer (&restart_needed, g_strfreev);

  restart_needed = reload_ok (f, base_config);
  assert_call_flows (f->a, callee, 5);
}

static void
test_publish_checks_follow_reload (Fixture *f, gconstpointer data)
{
  g_autoptr (WampTestPeer) subscriber = wamp_test_peer_new_joined (f->router, "lo", "realm1");
  g_auto (GStrv) restart_needed = NULL;

  wamp_test_peer_subscribe (subscriber, 1, "com.Example.topic");
  /* Twice: the broker remembers the realm's answers after the first. */
  for (guint64 i = 1; i <= 2; i++)
    {
      g_autofree char *published = g_strdup_printf ("[17, %" G_GUINT64_FORMAT ", \"$any\"]", i);

      wamp_test_peer_send_printf (f->a, "[16, %" G_GUINT64_FORMAT ", {\"acknowledge\": true},"
                                        " \"com.Example.topic\", [1]]", i);
      wamp_test_peer_assert_frame (f->a, published);
      wamp_test_peer_assert_frame (subscriber, "[36, \"$any\", \"$any\", {}, [1]]");
    }

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_SUBSCRIBE_ONLY, "") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  wamp_test_peer_send_json (f->a, "[16, 3, {\"acknowledge\": true}, \"com.Example.topic\", [1]]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 3, {}, \"wamp.error.not_authorized\", \"$any\"]");
  g_clear_pointer (&restart_needed, g_strfreev);

  /* Strict URIs: the subscribed topic's URI is invalid now. */
  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "\"uri_check\": \"strict\"") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  wamp_test_peer_send_json (f->a, "[16, 4, {\"acknowledge\": true}, \"com.Example.topic\", [1]]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 4, {}, \"wamp.error.invalid_uri\", \"$any\"]");
}

static void
test_realm_options_change_live (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;

  /* Loose URI check: capitals are fine. Disclosure the permission does not
   * grant is an error while disclose_by_permission_only is off. */
  wamp_test_peer_subscribe (f->a, 1, "com.Example.topic");
  wamp_test_peer_send_json (f->a, "[16, 10, {\"disclose_me\": true, \"acknowledge\": true}, \"com.example.t\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 10, {}, \"wamp.error.option_disallowed.disclose_me\", \"$any\"]");

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "\"uri_check\": \"strict\","
                                                "\"disclose_by_permission_only\": true") ","
                                         REALM ("realm2", ALLOW_ALL, ""), LO ("lo", "anonymous", "")));
  /* Broker and dealer take their options live (proved below); the role
   * that cannot is reported. */
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 1);
  g_assert_cmpstr (restart_needed[0], ==,
                   "realm \"realm1\": options (router role \"optionless\" cannot change them live)");

  wamp_test_peer_send_json (f->a, "[32, 2, {}, \"com.Example.other\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 32, 2, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_subscribe (f->a, 3, "com.example.other");
  /* The broker re-read its options: now the permission alone decides. */
  wamp_test_peer_send_json (f->a, "[16, 11, {\"disclose_me\": true, \"acknowledge\": true}, \"com.example.t\"]");
  wamp_test_peer_assert_frame (f->a, "[17, 11, \"$any\"]");
}

static void
test_transport_auth_changes_for_new_sessions (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;
  g_autoptr (WampTestPeer) c = NULL;
  WampValue *welcome;

  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, ""),
                                         LO ("lo", "limited", "")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);

  c = wamp_test_peer_new_joined (f->router, "lo", "realm1");
  welcome = wamp_test_peer_get_welcome_details (c);
  g_assert_cmpstr (wamp_value_dict_get_string (welcome, "authrole"), ==, "limited");
  wamp_test_peer_send_json (c, "[16, 1, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (c, "[8, 16, 1, {}, \"wamp.error.not_authorized\", \"$any\"]");

  /* The established session keeps the authrole it was welcomed with. */
  wamp_test_peer_send_json (f->a, "[16, 2, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[17, 2, \"$any\"]");
}

static void
test_transport_added_is_started (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;
  g_auto (GStrv) listeners = NULL;
  g_autoptr (WampTestPeer) c = NULL;

  g_assert_false (wamp_test_loopback_is_listening (wamp_test_router_get_reactor (f->router), "lo2"));
  restart_needed = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, ""),
                                         LO ("lo", "anonymous", "") "," LO ("lo2", "limited", "")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);
  g_assert_true (wamp_test_loopback_is_listening (wamp_test_router_get_reactor (f->router), "lo2"));
  listeners = wamp_router_get_listeners (wamp_test_router_get_router (f->router));
  g_assert_true (g_strv_contains ((const char *const *) listeners, "lo2 loopback://lo2"));

  c = wamp_test_peer_new_joined (f->router, "lo2", "realm1");
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_test_peer_get_welcome_details (c), "authrole"),
                   ==, "limited");
}

static void
test_transport_start_failure_changes_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (WampValue) config = wamp_test_parse (
    CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm3", ALLOW_ALL, ""),
            LO ("lo", "anonymous", "") "," LO ("lo2", "anonymous", "")
            ",{ \"name\": \"bad\", \"type\": \"loopback\", \"options\": { \"fail_start\": true } }"));
  g_autoptr (GError) error = NULL;
  GStrv restart_needed = NULL;

  g_assert_false (wamp_router_reload (wamp_test_router_get_router (f->router), config,
                                      &restart_needed, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "bad"));
  g_assert_null (restart_needed);
  /* lo2, started before bad failed, is stopped again; realm2 stays. */
  g_assert_false (wamp_test_loopback_is_listening (wamp_test_router_get_reactor (f->router), "lo2"));
  g_assert_nonnull (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm2"));
  g_assert_null (wamp_router_lookup_realm (wamp_test_router_get_router (f->router), "realm3"));
  wamp_test_peer_assert_silence (f->b);
}

static void
test_changes_needing_restart_are_reported (Fixture *f, gconstpointer data)
{
  g_auto (GStrv) restart_needed = NULL;
  g_auto (GStrv) again = NULL;
  g_autoptr (WampTestPeer) c = NULL;

  /* lo's options change (not live), lo3 comes instead of nothing, realm1
   * is served by the broker alone. */
  restart_needed = reload_ok (f, CONFIG ("{ \"name\": \"realm1\", \"router_roles\": [\"broker\"],"
                                         "  \"roles\": [{ \"name\": \"anonymous\", \"permissions\": ["
                                         "    { \"uri\": \"\", \"match\": \"prefix\", " ALLOW_ALL " } ] }] },"
                                         REALM ("realm2", ALLOW_ALL, ""),
                                         LO ("lo", "anonymous", ", \"options\": { \"fail_start\": false }")));
  g_assert_cmpuint (g_strv_length (restart_needed), ==, 2);
  g_assert_cmpstr (restart_needed[0], ==, "transport \"lo\": options changed");
  g_assert_cmpstr (restart_needed[1], ==, "realm \"realm1\": router_roles changed");

  /* What needed a restart is as it was: the dealer still serves realm1. */
  wamp_test_peer_send_json (f->a, "[64, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->a, "[65, 1, \"$any\"]");
  g_assert_true (wamp_test_loopback_is_listening (wamp_test_router_get_reactor (f->router), "lo"));

  /* A transport that is no longer configured keeps listening, reported. */
  again = reload_ok (f, CONFIG (REALM ("realm1", ALLOW_ALL, "") "," REALM ("realm2", ALLOW_ALL, ""),
                                LO ("lo2", "anonymous", "")));
  g_assert_cmpuint (g_strv_length (again), ==, 1);
  g_assert_nonnull (strstr (again[0], "transport \"lo\": removed"));
  c = wamp_test_peer_new_joined (f->router, "lo", "realm1");
}

static void
test_reload_twice_keeps_state (Fixture *f, gconstpointer data)
{
  g_autoptr (WampTestPeer) c = wamp_test_peer_new (f->router, "lo");

  wamp_test_peer_join (c, "realm1", NULL);
  wamp_test_peer_subscribe (f->a, 1, "com.example.topic");
  for (guint i = 0; i < 3; i++)
    {
      g_auto (GStrv) restart_needed = reload_ok (f, base_config);

      g_assert_cmpuint (g_strv_length (restart_needed), ==, 0);
    }
  /* Subscriptions live in the broker instance, which a reload keeps. */
  assert_event_flows (c, f->a, 2);
  wamp_test_peer_assert_silence (f->b);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("wamp_router_reload(): live changes, rejected configs, what needs a restart");
  wamp_test_plugins_ensure ();
  wamp_test_plugins_add_static (&test_auth_plugin);
  wamp_test_plugins_add_static (&test_role_plugin);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/reload/realm/added-is-joinable-and-sessions-stay", test_realm_added_is_joinable_and_sessions_stay);
  ADD ("/reload/realm/removed-sends-goodbye-close-realm", test_realm_removed_sends_goodbye_close_realm);
  ADD ("/reload/realm/removed-closes-silent-peer-after-goodbye-timeout",
       test_realm_removed_closes_silent_peer_after_goodbye_timeout);
  g_test_add_data_func ("/reload/realm/removed-aborts-sessions-still-authenticating", NULL,
                        test_realm_removed_aborts_authenticating_sessions);
  ADD ("/reload/realm/permissions-apply-to-established-sessions", test_permissions_apply_to_established_sessions);
  ADD ("/reload/realm/options-change-live", test_realm_options_change_live);
  ADD ("/reload/realm/call-checks-follow-reload", test_call_checks_follow_reload);
  ADD ("/reload/realm/publish-checks-follow-reload", test_publish_checks_follow_reload);
  ADD ("/reload/broken-config-changes-nothing", test_broken_config_changes_nothing);
  ADD ("/reload/transport/auth-changes-for-new-sessions", test_transport_auth_changes_for_new_sessions);
  ADD ("/reload/transport/added-is-started", test_transport_added_is_started);
  ADD ("/reload/transport/start-failure-changes-nothing", test_transport_start_failure_changes_nothing);
  ADD ("/reload/changes-needing-restart-are-reported", test_changes_needing_restart_are_reported);
  ADD ("/reload/repeated-reload-keeps-subscriptions", test_reload_twice_keeps_state);
#undef ADD
  return g_test_run ();
}
