/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Router configuration and the session state machine, end to end over the
 * loopback transport, with a small test role standing in for broker/dealer. */
#include <string.h>

#include "wamp-test-harness.h"

/* ---- a router role for these tests ------------------------------------------
 * "testrole" claims every client-to-router routing message. SUBSCRIBE and
 * REGISTER get SUBSCRIBED/REGISTERED, PUBLISH to "test.abort" aborts the
 * publisher from inside handle_message, other requests get ERROR
 * "test.error.handled", and ERROR/YIELD are counted. */

#define TEST_TYPE_ROLE (test_role_get_type ())
G_DECLARE_FINAL_TYPE (TestRole, test_role, TEST, ROLE, GObject)

struct _TestRole
{
  GObject parent_instance;
  WampRealm *realm;
};

static guint n_joined, n_leaving, n_handled, n_detached;

static void test_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRole, test_role, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, test_role_iface_init))

static void
test_role_class_init (TestRoleClass *klass)
{
}

static void
test_role_init (TestRole *self)
{
}

static const char *
test_role_get_name (WampRole *role)
{
  return "testrole";
}

static const WampMessageType test_role_types[] = {
  WAMP_MESSAGE_ERROR, WAMP_MESSAGE_PUBLISH, WAMP_MESSAGE_SUBSCRIBE, WAMP_MESSAGE_UNSUBSCRIBE,
  WAMP_MESSAGE_CALL, WAMP_MESSAGE_CANCEL, WAMP_MESSAGE_REGISTER, WAMP_MESSAGE_UNREGISTER,
  WAMP_MESSAGE_YIELD,
};

static const WampMessageType *
test_role_get_message_types (WampRole *role, gsize *n_types)
{
  *n_types = G_N_ELEMENTS (test_role_types);
  return test_role_types;
}

static gboolean
test_role_attach (WampRole *role, WampRealm *realm, WampValue *options, GError **error)
{
  TEST_ROLE (role)->realm = realm;
  return TRUE;
}

static WampValue *
test_role_get_features (WampRole *role)
{
  WampValue *features = wamp_value_new_dict (1);

  wamp_value_dict_insert (features, "test_feature", wamp_value_new_bool (TRUE));
  return features;
}

static void
test_role_handle_message (WampRole *role, WampSession *session, WampMessage *message)
{
  TestRole *self = TEST_ROLE (role);
  WampMessageType type = wamp_message_get_message_type (message);
  guint64 request_id = wamp_message_get_request_id (message);
  g_autoptr (WampMessage) reply = NULL;

  n_handled++;
  g_assert_true (wamp_session_get_realm (session) == self->realm);
  switch (type)
    {
    case WAMP_MESSAGE_SUBSCRIBE:
      reply = wamp_message_new_subscribed (request_id, wamp_realm_next_id (self->realm));
      break;
    case WAMP_MESSAGE_REGISTER:
      reply = wamp_message_new_registered (request_id, wamp_realm_next_id (self->realm));
      break;
    case WAMP_MESSAGE_PUBLISH:
      if (g_strcmp0 (wamp_message_get_uri (message), "test.abort") == 0)
        {
          wamp_session_abort (session, "test.error.aborted", "aborted by the test role");
          /* The session is still usable as an object after abort. */
          g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_CLOSED);
          return;
        }
      wamp_session_send_error (session, type, request_id, "test.error.handled", NULL);
      return;
    case WAMP_MESSAGE_ERROR:
    case WAMP_MESSAGE_YIELD:
      return;
    default:
      wamp_session_send_error (session, type, request_id, "test.error.handled", NULL);
      return;
    }
  g_assert_true (wamp_session_send (session, reply, NULL));
}

static void
test_role_session_joined (WampRole *role, WampSession *session)
{
  TestRole *self = TEST_ROLE (role);

  n_joined++;
  g_assert_true (wamp_realm_lookup_session (self->realm, wamp_session_get_id (session)) == session);
}

static void
test_role_session_leaving (WampRole *role, WampSession *session)
{
  TestRole *self = TEST_ROLE (role);
  g_autoptr (GError) error = NULL;
  g_autoptr (WampMessage) event = wamp_message_new_event (1, 2, NULL, NULL);

  n_leaving++;
  /* Still known by ID while leaving, but no longer reachable. */
  g_assert_cmpuint (wamp_session_get_id (session), !=, 0);
  g_assert_true (wamp_realm_lookup_session (self->realm, wamp_session_get_id (session)) == session);
  g_assert_false (wamp_session_send (session, event, &error));
}

static void
test_role_detach (WampRole *role)
{
  n_detached++;
  TEST_ROLE (role)->realm = NULL;
}

static void
test_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = test_role_get_name;
  iface->get_message_types = test_role_get_message_types;
  iface->attach = test_role_attach;
  iface->get_features = test_role_get_features;
  iface->handle_message = test_role_handle_message;
  iface->session_joined = test_role_session_joined;
  iface->session_leaving = test_role_session_leaving;
  iface->detach = test_role_detach;
}

/* "testrole-twin" claims SUBSCRIBE too: a realm cannot have both. */

#define TEST_TYPE_TWIN_ROLE (test_twin_role_get_type ())
G_DECLARE_FINAL_TYPE (TestTwinRole, test_twin_role, TEST, TWIN_ROLE, GObject)

struct _TestTwinRole
{
  GObject parent_instance;
};

static void test_twin_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTwinRole, test_twin_role, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, test_twin_role_iface_init))

static void
test_twin_role_class_init (TestTwinRoleClass *klass)
{
}

static void
test_twin_role_init (TestTwinRole *self)
{
}

static const char *
test_twin_role_get_name (WampRole *role)
{
  return "twin";
}

static const WampMessageType *
test_twin_role_get_message_types (WampRole *role, gsize *n_types)
{
  static const WampMessageType types[] = { WAMP_MESSAGE_SUBSCRIBE };

  *n_types = G_N_ELEMENTS (types);
  return types;
}

static gboolean
test_twin_role_attach (WampRole *role, WampRealm *realm, WampValue *options, GError **error)
{
  return TRUE;
}

static WampValue *
test_twin_role_get_features (WampRole *role)
{
  return wamp_value_new_dict (0);
}

static void
test_twin_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = test_twin_role_get_name;
  iface->get_message_types = test_twin_role_get_message_types;
  iface->attach = test_twin_role_attach;
  iface->get_features = test_twin_role_get_features;
}

static gboolean
test_role_register (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT, TEST_TYPE_ROLE,
                                            "testrole", error)
         && wamp_plugin_context_add_extension (context, WAMP_ROLE_EXTENSION_POINT, TEST_TYPE_TWIN_ROLE,
                                               "testrole-twin", error);
}

static const WampPluginInfo test_role_plugin = {
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-role", "0", "LGPL-2.1-or-later",
  "A router role for the router/session tests", test_role_register, { NULL, }
};

/* ---- an authenticator that challenges -----------------------------------------
 * "testchallenge" sends CHALLENGE {"nonce": "n1"}; AUTHENTICATE "letmein"
 * is accepted as authid "alice", authrole "anonymous" with authextra
 * {"x": 1}; "slow" answers the same after 100 ms; "custom" fails with
 * the URI "test.error.custom"; anything else fails with
 * wamp.error.authentication_failed. HELLO.Details.authid "eve" fails the
 * challenge step (no_such_principal). */

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
  g_autoptr (WampValue) extra = NULL;

  if (g_strcmp0 (wamp_auth_request_get_requested_authid (request), "eve") == 0)
    {
      g_task_return_new_error (task, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PRINCIPAL, "no principal eve");
      return;
    }
  extra = wamp_value_new_dict (1);
  wamp_value_dict_insert (extra, "nonce", wamp_value_new_string ("n1"));
  wamp_auth_request_set_challenge (request, extra);
  g_task_return_boolean (task, TRUE);
}

static gboolean
test_authenticator_finish (WampAuthenticator *authenticator, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
accept_later_cb (gpointer data)
{
  GTask *task = data;

  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
accept_request (WampAuthRequest *request)
{
  g_autoptr (WampValue) authextra = wamp_value_new_dict (1);

  wamp_value_dict_insert (authextra, "x", wamp_value_new_int (1));
  wamp_auth_request_accept (request, "alice", "anonymous", "testprovider", authextra);
}

static void
test_authenticator_authenticate_async (WampAuthenticator *authenticator, WampAuthRequest *request,
                                       const char *signature, WampValue *extra,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (authenticator, cancellable, callback, user_data);

  if (g_strcmp0 (signature, "letmein") == 0)
    {
      accept_request (request);
      g_task_return_boolean (task, TRUE);
    }
  else if (g_strcmp0 (signature, "slow") == 0)
    {
      accept_request (request);
      g_timeout_add_full (G_PRIORITY_DEFAULT, 100, accept_later_cb, g_steal_pointer (&task), g_object_unref);
    }
  else if (g_strcmp0 (signature, "custom") == 0)
    g_task_return_error (task, wamp_error_new_from_uri ("test.error.custom", "custom refusal"));
  else
    g_task_return_new_error (task, WAMP_ERROR, WAMP_ERROR_AUTHENTICATION_FAILED, "wrong signature");
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
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-auth", "0", "LGPL-2.1-or-later",
  "A challenging authenticator for the router/session tests", test_auth_register, { NULL, }
};

/* ---- configs ---------------------------------------------------------------- */

#define ANON_ROLE \
  "{ \"name\": \"anonymous\", \"permissions\": [{ \"uri\": \"\", \"match\": \"prefix\"," \
  "  \"allow\": { \"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true } }] }"

#define LOOPBACK "{ \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"] }"

static const char *default_config =
  "{ \"version\": 1,"
  "  \"realms\": ["
  "    { \"name\": \"realm1\", \"router_roles\": [\"testrole\"], \"roles\": [" ANON_ROLE "] },"
  "    { \"name\": \"realm2\", \"router_roles\": [\"testrole\"], \"roles\": [" ANON_ROLE "] },"
  "    { \"name\": \"strict\", \"router_roles\": [\"testrole\"], \"roles\": [" ANON_ROLE "],"
  "      \"options\": { \"strict_request_ids\": true } },"
  "    { \"name\": \"noroles\", \"router_roles\": [], \"roles\": [" ANON_ROLE "] },"
  "    { \"name\": \"noanonymous\", \"router_roles\": [\"testrole\"], \"roles\": [] }"
  "  ],"
  "  \"transports\": [" LOOPBACK ","
  "    { \"name\": \"cr\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"testchallenge\": {}, \"anonymous\": { \"role\": \"anonymous\" } } } ] }";

static WampTestRouter *
default_router (void)
{
  return wamp_test_router_new (default_config);
}

/* The router still welcomes a well-behaved client. */
static void
assert_router_serves (WampTestRouter *router)
{
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new_joined (router, "lo", "realm1");

  g_assert_false (wamp_test_peer_is_closed (peer));
}

static void
expect_violation (WampTestPeer *peer)
{
  wamp_test_peer_expect_abort (peer, "wamp.error.protocol_violation");
}

/* ---- config validation ----------------------------------------------------- */

typedef struct {
  const char *test_name;
  const char *config;
  WampConfigErrorCode code;
  const char *path;
} ConfigCase;

#define REALM_OK "{ \"name\": \"realm1\", \"router_roles\": [\"testrole\"], \"roles\": [" ANON_ROLE "] }"
#define REALM_WITH(extra) \
  "{ \"version\": 1, \"realms\": [{ \"name\": \"realm1\", \"router_roles\": [\"testrole\"], " extra " }]," \
  " \"transports\": [" LOOPBACK "] }"
#define TRANSPORT_WITH(extra) \
  "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [{ \"name\": \"lo\", " extra " }] }"
#define PERMISSION_WITH(perm) \
  REALM_WITH ("\"roles\": [{ \"name\": \"r\", \"permissions\": [" perm "] }]")

static const ConfigCase config_cases[] = {
  { "version-missing", "{ \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_MISSING, "$.version" },
  { "version-2", "{ \"version\": 2, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.version" },
  { "unknown-top-level-key",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "], \"bogus\": 1 }",
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.bogus" },
  { "not-an-object", "[1, 2]", WAMP_CONFIG_ERROR_INVALID, "$" },
  { "realms-missing", "{ \"version\": 1, \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_MISSING, "$.realms" },
  { "realms-empty", "{ \"version\": 1, \"realms\": [], \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.realms" },
  { "transports-empty", "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [] }",
    WAMP_CONFIG_ERROR_INVALID, "$.transports" },
  { "transports-not-a-list", "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": {} }",
    WAMP_CONFIG_ERROR_INVALID, "$.transports" },
  { "realm-name-invalid-uri", REALM_WITH ("\"name\": \"a..b\""), WAMP_CONFIG_ERROR_INVALID, "$.realms[0].name" },
  { "realm-unknown-key", REALM_WITH ("\"colour\": \"blue\""), WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].colour" },
  { "realm-duplicate",
    "{ \"version\": 1, \"realms\": [" REALM_OK ", " REALM_OK "], \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.realms[1].name" },
  { "realm-router-role-unknown",
    "{ \"version\": 1, \"realms\": [{ \"name\": \"r\", \"router_roles\": [\"testrole\", \"nosuchrole\"] }],"
    " \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_UNSUPPORTED, "$.realms[0].router_roles[1]" },
  { "realm-router-roles-claim-one-type-twice",
    "{ \"version\": 1, \"realms\": [{ \"name\": \"r\", \"router_roles\": [\"testrole\", \"testrole-twin\"] }],"
    " \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0]" },
  { "realm-router-roles-listed-twice",
    "{ \"version\": 1, \"realms\": [{ \"name\": \"r\", \"router_roles\": [\"testrole\", \"testrole\"] }],"
    " \"transports\": [" LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].router_roles[1]" },
  { "realm-option-unknown", REALM_WITH ("\"options\": { \"speed\": 11 }"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].options.speed" },
  { "realm-option-uri-check-invalid", REALM_WITH ("\"options\": { \"uri_check\": \"lax\" }"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].options.uri_check" },
  { "realm-option-strict-ids-not-bool", REALM_WITH ("\"options\": { \"strict_request_ids\": \"yes\" }"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].options.strict_request_ids" },
  { "role-without-name", REALM_WITH ("\"roles\": [{ \"permissions\": [] }]"),
    WAMP_CONFIG_ERROR_MISSING, "$.realms[0].roles[0].name" },
  { "role-duplicate", REALM_WITH ("\"roles\": [{ \"name\": \"a\" }, { \"name\": \"a\" }]"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].roles[1].name" },
  { "role-unknown-key", REALM_WITH ("\"roles\": [{ \"name\": \"a\", \"admin\": true }]"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].roles[0].admin" },
  { "permission-unknown-key", PERMISSION_WITH ("{ \"uri\": \"a.b\", \"deny\": {} }"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].roles[0].permissions[0].deny" },
  { "permission-without-uri", PERMISSION_WITH ("{ \"match\": \"prefix\" }"),
    WAMP_CONFIG_ERROR_MISSING, "$.realms[0].roles[0].permissions[0].uri" },
  { "permission-match-invalid", PERMISSION_WITH ("{ \"uri\": \"a.b\", \"match\": \"regex\" }"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].roles[0].permissions[0].match" },
  { "permission-exact-uri-invalid", PERMISSION_WITH ("{ \"uri\": \"a..b\" }"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].roles[0].permissions[0].uri" },
  { "permission-allow-not-bool", PERMISSION_WITH ("{ \"uri\": \"a.b\", \"allow\": { \"call\": 1 } }"),
    WAMP_CONFIG_ERROR_INVALID, "$.realms[0].roles[0].permissions[0].allow.call" },
  { "permission-allow-unknown-action", PERMISSION_WITH ("{ \"uri\": \"a.b\", \"allow\": { \"fly\": true } }"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].roles[0].permissions[0].allow.fly" },
  { "permission-disclose-unknown", PERMISSION_WITH ("{ \"uri\": \"a.b\", \"disclose\": { \"callee\": true } }"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.realms[0].roles[0].permissions[0].disclose.callee" },
  { "transport-without-name",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [{ \"type\": \"loopback\" }] }",
    WAMP_CONFIG_ERROR_MISSING, "$.transports[0].name" },
  { "transport-duplicate-name",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK ", " LOOPBACK "] }",
    WAMP_CONFIG_ERROR_INVALID, "$.transports[1].name" },
  { "transport-type-unknown", TRANSPORT_WITH ("\"type\": \"carrier-pigeon\""),
    WAMP_CONFIG_ERROR_UNSUPPORTED, "$.transports[0].type" },
  { "transport-serializer-unknown", TRANSPORT_WITH ("\"type\": \"loopback\", \"serializers\": [\"json\", \"xml\"]"),
    WAMP_CONFIG_ERROR_UNSUPPORTED, "$.transports[0].serializers[1]" },
  { "transport-serializers-empty", TRANSPORT_WITH ("\"type\": \"loopback\", \"serializers\": []"),
    WAMP_CONFIG_ERROR_INVALID, "$.transports[0].serializers" },
  { "transport-auth-method-unknown",
    TRANSPORT_WITH ("\"type\": \"loopback\", \"auth\": { \"telepathy\": {} }"),
    WAMP_CONFIG_ERROR_UNSUPPORTED, "$.transports[0].auth.telepathy" },
  { "transport-auth-not-a-dict", TRANSPORT_WITH ("\"type\": \"loopback\", \"auth\": [\"anonymous\"]"),
    WAMP_CONFIG_ERROR_INVALID, "$.transports[0].auth" },
  { "transport-own-key-unknown", TRANSPORT_WITH ("\"type\": \"loopback\", \"mtu\": 1500"),
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.transports[0].mtu" },
  { "admin-dbus-invalid",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "], \"admin\": { \"dbus\": \"both\" } }",
    WAMP_CONFIG_ERROR_INVALID, "$.admin.dbus" },
  { "admin-unknown-key",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "], \"admin\": { \"http\": 1 } }",
    WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.admin.http" },
  { "limits-join-timeout-zero",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "], \"limits\": { \"join_timeout\": 0 } }",
    WAMP_CONFIG_ERROR_INVALID, "$.limits.join_timeout" },
  { "limits-join-timeout-not-a-number",
    "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "], \"limits\": { \"join_timeout\": \"1s\" } }",
    WAMP_CONFIG_ERROR_INVALID, "$.limits.join_timeout" },
};

static void
test_config_error (gconstpointer data)
{
  const ConfigCase *c = data;
  g_autoptr (GError) error = NULL;
  WampTestRouter *router = wamp_test_router_try_new (c->config, &error);

  g_assert_null (router);
  g_assert_error (error, WAMP_CONFIG_ERROR, (gint) c->code);
  g_test_message ("%s", error->message);
  if (strstr (error->message, c->path) == NULL)
    {
      g_test_message ("error \"%s\" does not name %s", error->message, c->path);
      g_test_fail ();
    }
}

static void
test_config_type_error_lists_available (void)
{
  g_autoptr (GError) error = NULL;
  WampTestRouter *router = wamp_test_router_try_new (TRANSPORT_WITH ("\"type\": \"carrier-pigeon\""), &error);

  g_assert_null (router);
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "loopback"));
}

static void
test_config_valid_defaults (void)
{
  /* No serializers (all loaded), no auth (anonymous), admin given. */
  g_autoptr (WampTestRouter) router = wamp_test_router_new (
    "{ \"version\": 1, \"realms\": [" REALM_OK "],"
    "  \"transports\": [{ \"name\": \"lo\", \"type\": \"loopback\" }],"
    "  \"admin\": { \"dbus\": \"none\" } }");
  g_auto (GStrv) listeners = wamp_router_get_listeners (wamp_test_router_get_router (router));
  g_autoptr (GPtrArray) realms = wamp_router_list_realms (wamp_test_router_get_router (router));
  g_autofree char *serializers = NULL;

  g_assert_cmpuint (g_strv_length (listeners), ==, 1);
  g_assert_cmpstr (listeners[0], ==, "lo loopback://lo");
  g_assert_cmpuint (realms->len, ==, 1);
  g_assert_nonnull (wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1"));
  g_assert_null (wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm2"));
  /* Every loaded serializer, the shipped ones in the default config's order. */
  serializers = wamp_test_loopback_get_serializer_names (
    wamp_router_get_reactor (wamp_test_router_get_router (router)), "lo");
  g_assert_true (g_str_has_prefix (serializers, "json,msgpack,cbor"));
  assert_router_serves (router);
}

static void
test_start_failure_rolls_back (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WampValue) config = wamp_test_parse (
    "{ \"version\": 1, \"realms\": [" REALM_OK "],"
    "  \"transports\": [" LOOPBACK ","
    "    { \"name\": \"bad\", \"type\": \"loopback\", \"options\": { \"fail_start\": true } } ] }");
  g_autoptr (WampReactor) reactor = wamp_reactor_new (NULL);
  g_autoptr (WampRouter) router = wamp_router_new (reactor);
  g_auto (GStrv) listeners = NULL;

  g_assert_true (wamp_router_configure (router, config, &error));
  g_assert_no_error (error);
  g_assert_false (wamp_router_start (router, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_nonnull (strstr (error->message, "bad"));
  /* The transport started before the failing one is stopped again. */
  g_assert_false (wamp_test_loopback_is_listening (reactor, "lo"));
  g_assert_false (wamp_test_loopback_is_listening (reactor, "bad"));
  listeners = wamp_router_get_listeners (router);
  g_assert_cmpuint (g_strv_length (listeners), ==, 0);
}

static void
test_config_realm_permissions (void)
{
  g_autoptr (WampTestRouter) router = wamp_test_router_new (
    "{ \"version\": 1, \"realms\": [{ \"name\": \"realm1\", \"router_roles\": [\"testrole\"],"
    "  \"options\": { \"uri_check\": \"strict\" },"
    "  \"roles\": [ { \"name\": \"anonymous\", \"permissions\": ["
    "    { \"uri\": \"org.\", \"match\": \"prefix\", \"allow\": { \"subscribe\": true } },"
    "    { \"uri\": \"com.example.\", \"match\": \"prefix\", \"allow\": { \"publish\": true },"
    "      \"disclose\": { \"publisher\": true } },"
    "    { \"uri\": \"com.example.secret\", \"allow\": { \"call\": true }, \"disclose\": { \"caller\": true } },"
    "    { \"uri\": \"com..proc\", \"match\": \"wildcard\", \"allow\": { \"register\": true } } ] } ] }],"
    "  \"transports\": [" LOOPBACK "] }");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  guint64 id = wamp_test_peer_join (peer, "realm1", NULL);
  WampSession *session = wamp_realm_lookup_session (realm, id);

  g_assert_nonnull (session);
  g_assert_cmpstr (wamp_session_get_authrole (session), ==, "anonymous");
  g_assert_true (wamp_realm_has_authrole (realm, "anonymous"));
  g_assert_false (wamp_realm_has_authrole (realm, "admin"));
  g_assert_cmpint (wamp_realm_get_uri_check (realm), ==, WAMP_URI_CHECK_STRICT);
  g_assert_false (wamp_realm_check_uri (realm, "com.Example", WAMP_URI_FLAGS_NONE));
  g_assert_true (wamp_realm_check_uri (realm, "com.example", WAMP_URI_FLAGS_NONE));

  /* The longest prefix wins: "com.example." allows publish but not subscribe. */
  g_assert_true (wamp_realm_authorize (realm, session, WAMP_ACTION_SUBSCRIBE, "org.other"));
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_PUBLISH, "org.other"));
  g_assert_true (wamp_realm_authorize (realm, session, WAMP_ACTION_PUBLISH, "com.example.topic"));
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_SUBSCRIBE, "com.example.topic"));
  g_assert_true (wamp_realm_get_disclose (realm, session, WAMP_ACTION_PUBLISH, "com.example.topic"));
  g_assert_false (wamp_realm_get_disclose (realm, session, WAMP_ACTION_PUBLISH, "org.other"));
  /* Exact beats prefix. */
  g_assert_true (wamp_realm_authorize (realm, session, WAMP_ACTION_CALL, "com.example.secret"));
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_PUBLISH, "com.example.secret"));
  g_assert_true (wamp_realm_get_disclose (realm, session, WAMP_ACTION_CALL, "com.example.secret"));
  /* Wildcard (tried after exact and prefix): an empty component matches one
   * component, not more. */
  g_assert_true (wamp_realm_authorize (realm, session, WAMP_ACTION_REGISTER, "com.foo.proc"));
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_REGISTER, "com.foo.bar.proc"));
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_REGISTER, "com.example.topic"));
  /* No permission at all. */
  g_assert_false (wamp_realm_authorize (realm, session, WAMP_ACTION_SUBSCRIBE, "net.other"));
  g_assert_false (wamp_realm_get_disclose (realm, session, WAMP_ACTION_CALL, "net.other"));
}

/* ---- HELLO / WELCOME ---------------------------------------------------------- */

static void
test_welcome_details (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autoptr (WampValue) welcome = NULL;
  WampRealm *realm;
  WampSession *session;
  guint64 id = 0;

  wamp_test_peer_send_json (peer, "[1, \"realm1\", {\"roles\": {\"subscriber\": {\"features\": "
                                  "{\"pattern_based_subscription\": true}}}, \"agent\": \"test\"}]");
  welcome = wamp_test_peer_expect_match (peer,
    "[2, \"$any\", {\"realm\": \"realm1\", \"authid\": \"$any\", \"authrole\": \"anonymous\","
    " \"authmethod\": \"anonymous\", \"authprovider\": \"$any\","
    " \"roles\": {\"testrole\": {\"features\": {\"test_feature\": true}}}}]");
  g_assert_nonnull (welcome);
  g_assert_true (wamp_value_get_id (wamp_value_list_get (welcome, 1), &id));
  g_assert_cmpuint (id, >=, 1);
  g_assert_cmpuint (id, <=, WAMP_ID_MAX);

  realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 1);
  session = wamp_realm_lookup_session (realm, id);
  g_assert_nonnull (session);
  g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_ESTABLISHED);
  g_assert_cmpuint (wamp_session_get_id (session), ==, id);
  g_assert_true (wamp_session_get_realm (session) == realm);
  g_assert_cmpstr (wamp_session_get_authmethod (session), ==, "anonymous");
  g_assert_cmpstr (wamp_session_get_authrole (session), ==, "anonymous");
  g_assert_nonnull (wamp_session_get_authid (session));
  g_assert_true (wamp_session_has_feature (session, "subscriber", "pattern_based_subscription"));
  g_assert_false (wamp_session_has_feature (session, "subscriber", "publisher_exclusion"));
  g_assert_false (wamp_session_has_feature (session, "caller", "pattern_based_subscription"));
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_session_get_hello_details (session), "agent"), ==, "test");
  g_assert_cmpuint (wamp_session_next_request_id (session), ==, 1);
  g_assert_cmpuint (wamp_session_next_request_id (session), ==, 2);
}

static WampValue *
hello_roles_of (WampTestRouter *router, guint64 id)
{
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  WampSession *session = wamp_realm_lookup_session (realm, id);

  g_assert_nonnull (session);
  return wamp_value_dict_lookup (wamp_session_get_hello_details (session), "roles");
}

/* Idle sessions are small: equal HELLO.Details.roles are one shared value,
 * and what one session announced stays its own. */
static void
test_equal_hello_roles_are_shared (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) a = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) b = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) c = wamp_test_peer_new (router, "lo");
  guint64 id_a = wamp_test_peer_join (a, "realm1", NULL);
  guint64 id_b = wamp_test_peer_join (b, "realm1", NULL);
  g_autoptr (WampTestPeer) d = NULL;
  guint64 id_c = 0;
  g_autoptr (WampValue) welcome = NULL;

  wamp_test_peer_send_json (c, "[1, \"realm1\", {\"roles\": {\"subscriber\": {\"features\": "
                               "{\"pattern_based_subscription\": true}}}}]");
  welcome = wamp_test_peer_expect_match (c, "[2, \"$any\", \"$any\"]");
  g_assert_nonnull (welcome);
  g_assert_true (wamp_value_get_id (wamp_value_list_get (welcome, 1), &id_c));

  g_assert_true (hello_roles_of (router, id_a) == hello_roles_of (router, id_b));
  g_assert_false (hello_roles_of (router, id_a) == hello_roles_of (router, id_c));
  g_assert_nonnull (wamp_value_dict_lookup (hello_roles_of (router, id_c), "subscriber"));

  /* The last of the sharers leaving frees it; a newcomer starts afresh. */
  g_clear_pointer (&a, wamp_test_peer_free);
  g_clear_pointer (&b, wamp_test_peer_free);
  d = wamp_test_peer_new (router, "lo");
  g_assert_cmpuint (wamp_test_peer_join (d, "realm1", NULL), !=, 0);
}

static void
test_session_ids_differ (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) a = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) b = wamp_test_peer_new (router, "lo");
  guint64 id_a = wamp_test_peer_join (a, "realm1", NULL);
  guint64 id_b = wamp_test_peer_join (b, "realm1", NULL);

  g_assert_cmpuint (id_a, !=, 0);
  g_assert_cmpuint (id_b, !=, 0);
  g_assert_cmpuint (id_a, !=, id_b);
}

static void
test_hello_unknown_realm (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  wamp_test_peer_send_json (peer, "[1, \"realm.nonexistent\", {\"roles\": {\"caller\": {}}}]");
  wamp_test_peer_expect_abort (peer, "wamp.error.no_such_realm");
  assert_router_serves (router);
}

static void
test_hello_invalid_realm_uri (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) peer2 = wamp_test_peer_new (router, "lo");

  wamp_test_peer_send_json (peer, "[1, \"realm..one\", {\"roles\": {\"caller\": {}}}]");
  wamp_test_peer_expect_abort (peer, "wamp.error.invalid_uri");
  wamp_test_peer_send_json (peer2, "[1, \"realm one\", {\"roles\": {\"caller\": {}}}]");
  wamp_test_peer_expect_abort (peer2, "wamp.error.invalid_uri");
  assert_router_serves (router);
}

static void
test_hello_null_realm (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autofree char *frame = NULL;

  /* Either the message layer refuses a null realm (protocol violation) or
   * the session does (invalid URI): both abort. */
  wamp_test_peer_send_json (peer, "[1, null, {\"roles\": {\"caller\": {}}}]");
  frame = wamp_test_peer_expect (peer, 2000);
  g_assert_nonnull (frame);
  g_assert_true (wamp_test_frame_matches (frame, "[3, \"$any\", \"wamp.error.invalid_uri\"]")
                 || wamp_test_frame_matches (frame, "[3, \"$any\", \"wamp.error.protocol_violation\"]"));
  g_assert_true (wamp_test_peer_wait_closed (peer, 2000));
  assert_router_serves (router);
}

static void
test_hello_without_roles (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  const char *hellos[] = {
    "[1, \"realm1\", {}]",
    "[1, \"realm1\", {\"roles\": []}]",
    "[1, \"realm1\", {\"roles\": {}}]",
    "[1, \"realm1\", {\"roles\": {\"spectator\": {}}}]",
    "[1, \"realm1\", {\"roles\": {\"caller\": 1}}]",
    /* The realm serves no client role at all. */
    "[1, \"noroles\", {\"roles\": {\"caller\": {}, \"subscriber\": {}}}]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (hellos); i++)
    {
      g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

      g_test_message ("%s", hellos[i]);
      wamp_test_peer_send_json (peer, hellos[i]);
      expect_violation (peer);
    }
  assert_router_serves (router);
}

static void
test_hello_unknown_authmethod (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) peer2 = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) peer3 = wamp_test_peer_new (router, "lo");
  g_autoptr (WampValue) welcome = NULL;

  wamp_test_peer_send_json (peer, "[1, \"realm1\", {\"roles\": {\"caller\": {}}, \"authmethods\": [\"telepathy\"]}]");
  wamp_test_peer_expect_abort (peer, "wamp.error.no_matching_auth_method");
  wamp_test_peer_send_json (peer2, "[1, \"realm1\", {\"roles\": {\"caller\": {}}, \"authmethods\": \"anonymous\"}]");
  expect_violation (peer2);
  /* The first method the transport offers is taken. */
  wamp_test_peer_send_json (peer3, "[1, \"realm1\", {\"roles\": {\"caller\": {}},"
                                   " \"authmethods\": [\"telepathy\", \"anonymous\"]}]");
  welcome = wamp_test_peer_expect_match (peer3, "[2, \"$any\", \"$any\"]");
  g_assert_nonnull (welcome);
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_value_list_get (welcome, 2), "authmethod"), ==, "anonymous");
}

static void
test_hello_no_such_role (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  /* The anonymous authenticator gives authrole "anonymous", which this realm lacks. */
  wamp_test_peer_send_json (peer, "[1, \"noanonymous\", {\"roles\": {\"caller\": {}}}]");
  wamp_test_peer_expect_abort (peer, "wamp.error.no_such_role");
  assert_router_serves (router);
}

static void
test_authenticate_without_challenge (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  wamp_test_peer_send_json (peer, "[5, \"secret\", {}]");
  expect_violation (peer);
  assert_router_serves (router);
}

static void
test_abort_before_welcome_is_not_answered (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autofree char *frame = NULL;

  wamp_test_peer_send_json (peer, "[3, {}, \"wamp.close.normal\"]");
  frame = wamp_test_peer_expect (peer, 100);
  g_assert_null (frame);
  g_assert_true (wamp_test_peer_wait_closed (peer, 2000));
  assert_router_serves (router);
}

static void
test_disconnect_during_authentication (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");

  for (int i = 0; i < 3; i++)
    {
      g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

      wamp_test_peer_send_json (peer, "[1, \"realm1\", {\"roles\": {\"caller\": {}}}]");
      /* Gone before the (async) authenticator answers. */
      wamp_test_peer_close (peer);
    }
  wamp_test_iterate_for (50);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
  assert_router_serves (router);
}

typedef struct {
  const char *name;
  const char *frame;
} FrameCase;

/* One frame of every type but HELLO and ABORT, well-formed. */
static const FrameCase before_welcome_frames[] = {
  { "welcome", "[2, 1, {}]" },
  { "challenge", "[4, \"ticket\", {}]" },
  { "authenticate", "[5, \"sig\", {}]" },
  { "goodbye", "[6, {}, \"wamp.close.close_realm\"]" },
  { "error", "[8, 68, 1, {}, \"wamp.error.runtime_error\"]" },
  { "publish", "[16, 1, {}, \"com.example.topic\"]" },
  { "published", "[17, 1, 2]" },
  { "subscribe", "[32, 1, {}, \"com.example.topic\"]" },
  { "subscribed", "[33, 1, 2]" },
  { "unsubscribe", "[34, 1, 2]" },
  { "unsubscribed", "[35, 1]" },
  { "event", "[36, 1, 2, {}]" },
  { "call", "[48, 1, {}, \"com.example.proc\"]" },
  { "cancel", "[49, 1, {}]" },
  { "result", "[50, 1, {}]" },
  { "register", "[64, 1, {}, \"com.example.proc\"]" },
  { "registered", "[65, 1, 2]" },
  { "unregister", "[66, 1, 2]" },
  { "unregistered", "[67, 1]" },
  { "invocation", "[68, 1, 2, {}]" },
  { "interrupt", "[69, 1, {}]" },
  { "yield", "[70, 1, {}]" },
};

static void
test_before_welcome_is_violation (gconstpointer data)
{
  const FrameCase *c = data;
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  wamp_test_peer_send_json (peer, c->frame);
  expect_violation (peer);
  assert_router_serves (router);
}

static const FrameCase after_welcome_frames[] = {
  { "hello", "[1, \"realm1\", {\"roles\": {\"caller\": {}}}]" },
  { "welcome", "[2, 1, {}]" },
  { "challenge", "[4, \"ticket\", {}]" },
  { "authenticate", "[5, \"sig\", {}]" },
  { "error-for-call", "[8, 48, 1, {}, \"wamp.error.runtime_error\"]" },
  { "error-for-subscribe", "[8, 32, 1, {}, \"wamp.error.runtime_error\"]" },
  { "published", "[17, 1, 2]" },
  { "subscribed", "[33, 1, 2]" },
  { "unsubscribed", "[35, 1]" },
  { "event", "[36, 1, 2, {}]" },
  { "result", "[50, 1, {}]" },
  { "registered", "[65, 1, 2]" },
  { "unregistered", "[67, 1]" },
  { "invocation", "[68, 1, 2, {}]" },
  { "interrupt", "[69, 1, {}]" },
  { "unknown-type", "[99, 1, {}]" },
  { "empty-array", "[]" },
  { "not-json", "this is not json" },
  { "not-an-array", "{\"type\": 1}" },
  { "type-not-int", "[\"HELLO\", \"realm1\", {}]" },
};

static void
test_after_welcome_is_violation (gconstpointer data)
{
  const FrameCase *c = data;
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  guint leaving_before = n_leaving;

  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 1);
  wamp_test_peer_send_json (peer, c->frame);
  expect_violation (peer);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
  g_assert_cmpuint (n_leaving, ==, leaving_before + 1);
  /* Nothing after the ABORT. */
  g_assert_cmpuint (wamp_test_peer_get_n_pending (peer), ==, 0);
  assert_router_serves (router);
}

static void
test_garbage_before_welcome (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  const char *frames[] = { "garbage", "[]", "[1]", "[999, 1]", "[1, \"realm1\"]", "[1, \"realm1\", []]", "" };

  for (gsize i = 0; i < G_N_ELEMENTS (frames); i++)
    {
      g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

      g_test_message ("frame: %s", frames[i]);
      wamp_test_peer_send_json (peer, frames[i]);
      expect_violation (peer);
    }
  assert_router_serves (router);
}

static void
test_error_for_invocation_reaches_role (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  guint handled;

  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  handled = n_handled;
  wamp_test_peer_send_json (peer, "[8, 68, 1, {}, \"com.example.error\"]");
  wamp_test_peer_send_json (peer, "[32, 5, {}, \"com.example.topic\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 5, \"$any\"]"));
  g_assert_cmpuint (n_handled, ==, handled + 2);
  g_assert_false (wamp_test_peer_is_closed (peer));
}

static void
test_abort_from_role_handler (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  guint leaving = n_leaving;

  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  wamp_test_peer_send_json (peer, "[16, 1, {}, \"test.abort\"]");
  wamp_test_peer_expect_abort (peer, "test.error.aborted");
  g_assert_cmpuint (n_leaving, ==, leaving + 1);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
  assert_router_serves (router);
}

static void
test_abort_after_welcome_leaves_silently (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  guint leaving = n_leaving;

  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  wamp_test_peer_send_json (peer, "[3, {\"message\": \"bye\"}, \"wamp.close.normal\"]");
  g_assert_true (wamp_test_peer_wait_closed (peer, 2000));
  g_assert_cmpuint (wamp_test_peer_get_n_pending (peer), ==, 0);
  g_assert_cmpuint (n_leaving, ==, leaving + 1);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
}

/* ---- join timeout ----------------------------------------------------------------- */

#define JOIN_TIMEOUT_CONFIG \
  "{ \"version\": 1, \"realms\": [" REALM_OK "], \"transports\": [" LOOPBACK "]," \
  "  \"limits\": { \"join_timeout\": 1 } }"

static void
test_join_timeout_drops_silent_connection (void)
{
  g_autoptr (WampTestRouter) router = wamp_test_router_new (JOIN_TIMEOUT_CONFIG);
  g_autoptr (WampTestPeer) silent = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) member = wamp_test_peer_new (router, "lo");

  g_assert_cmpuint (wamp_test_peer_join (member, "realm1", NULL), !=, 0);
  /* Not before the timeout, then with a policy-violation close. */
  wamp_test_iterate_for (600);
  g_assert_false (wamp_test_peer_is_closed (silent));
  g_assert_true (wamp_test_peer_wait_closed (silent, 2000));
  g_assert_cmpint (wamp_test_peer_get_close_code (silent), ==, WAMP_CLOSE_POLICY_VIOLATION);
  /* A joined session is not affected. */
  wamp_test_iterate_for (600);
  g_assert_false (wamp_test_peer_is_closed (member));
}

static void
test_join_timeout_restarts_after_goodbye (void)
{
  g_autoptr (WampTestRouter) router = wamp_test_router_new (JOIN_TIMEOUT_CONFIG);
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  /* Joined past the timeout, then idle without a session after GOODBYE. */
  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  wamp_test_iterate_for (1300);
  g_assert_false (wamp_test_peer_is_closed (peer));
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.close_realm\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[6, {}, \"wamp.close.goodbye_and_out\"]"));
  g_assert_true (wamp_test_peer_wait_closed (peer, 2500));
  g_assert_cmpint (wamp_test_peer_get_close_code (peer), ==, WAMP_CLOSE_POLICY_VIOLATION);
}

/* ---- GOODBYE ---------------------------------------------------------------------- */

static void
test_goodbye_from_client_and_rejoin (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm1 = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  WampRealm *realm2 = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm2");
  guint leaving = n_leaving;
  guint64 first, second;

  first = wamp_test_peer_join (peer, "realm1", NULL);
  g_assert_cmpuint (first, !=, 0);
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.close_realm\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[6, {}, \"wamp.close.goodbye_and_out\"]"));
  g_assert_cmpuint (n_leaving, ==, leaving + 1);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm1), ==, 0);
  g_assert_false (wamp_test_peer_is_closed (peer));

  /* Same connection, new session, another realm. */
  second = wamp_test_peer_join (peer, "realm2", NULL);
  g_assert_cmpuint (second, !=, 0);
  g_assert_cmpuint (second, !=, first);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm2), ==, 1);
  g_assert_null (wamp_realm_lookup_session (realm1, second));

  /* A second GOODBYE right after is a new close, also answered. */
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.close_realm\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[6, {}, \"wamp.close.goodbye_and_out\"]"));
  /* And GOODBYE before any session is a violation. */
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.close_realm\"]");
  expect_violation (peer);
}

static void
test_goodbye_from_router_keeping_connection (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  guint64 id = wamp_test_peer_join (peer, "realm1", NULL);
  g_autoptr (WampSession) session = g_object_ref (wamp_realm_lookup_session (realm, id));

  wamp_session_goodbye (session, "wamp.close.close_realm", "realm closing", FALSE);
  g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_SHUTTING_DOWN);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
  g_assert_true (wamp_test_peer_expect_frame (peer, "[6, {\"message\": \"realm closing\"}, \"wamp.close.close_realm\"]"));
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.goodbye_and_out\"]");
  wamp_test_iterate_for (10);
  g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_CLOSED);
  g_assert_false (wamp_test_peer_is_closed (peer));
  /* The reply was not answered, and the connection takes a new HELLO. */
  g_assert_cmpuint (wamp_test_peer_get_n_pending (peer), ==, 0);
  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_ESTABLISHED);
}

static void
test_abort_from_outside (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  guint64 id = wamp_test_peer_join (peer, "realm1", NULL);
  g_autoptr (WampSession) session = g_object_ref (wamp_realm_lookup_session (realm, id));

  wamp_session_abort (session, "wamp.close.killed", "killed by the operator");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[3, {\"message\": \"killed by the operator\"}, \"wamp.close.killed\"]"));
  g_assert_true (wamp_test_peer_wait_closed (peer, 1000));
  wamp_test_iterate_for (10);
  g_assert_cmpint (wamp_session_get_state (session), ==, WAMP_SESSION_STATE_DISCONNECTED);
  g_assert_cmpuint (wamp_session_get_id (session), ==, 0);
  g_assert_null (wamp_session_get_realm (session));
  /* Safe to repeat on a dead session. */
  wamp_session_abort (session, "wamp.close.killed", NULL);
  wamp_session_goodbye (session, "wamp.close.killed", NULL, TRUE);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
}

static void
test_goodbye_from_router_on_shutdown (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) polite = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) idle = wamp_test_peer_new (router, "lo");
  g_autoptr (WampValue) goodbye = NULL;
  gint64 start;

  g_assert_cmpuint (wamp_test_peer_join (polite, "realm1", NULL), !=, 0);

  start = g_get_monotonic_time ();
  wamp_router_shutdown_async (wamp_test_router_get_router (router), NULL, NULL, NULL);
  goodbye = wamp_test_peer_expect_match (polite, "[6, \"$any\", \"wamp.close.system_shutdown\"]");
  g_assert_nonnull (goodbye);
  /* The connection without a session is simply closed. */
  g_assert_true (wamp_test_peer_wait_closed (idle, 1000));
  /* Messages other than GOODBYE are ignored now. */
  wamp_test_peer_send_json (polite, "[32, 1, {}, \"com.example.topic\"]");
  g_assert_null (wamp_test_peer_expect (polite, 50));
  g_assert_false (wamp_test_peer_is_closed (polite));
  wamp_test_peer_send_json (polite, "[6, {}, \"wamp.close.goodbye_and_out\"]");
  g_assert_true (wamp_test_peer_wait_closed (polite, 1000));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1900 * 1000);
  g_assert_cmpuint (wamp_test_peer_get_n_pending (polite), ==, 0);
}

static void
test_shutdown_closes_silent_clients_after_grace (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) silent = wamp_test_peer_new (router, "lo");
  gint64 start;

  g_assert_cmpuint (wamp_test_peer_join (silent, "realm1", NULL), !=, 0);
  start = g_get_monotonic_time ();
  wamp_test_router_shutdown (router, 5000);
  g_assert_true (wamp_test_peer_expect_frame (silent, "[6, \"$any\", \"wamp.close.system_shutdown\"]"));
  g_assert_true (wamp_test_peer_wait_closed (silent, 1000));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 1900 * 1000);
}

static void
test_shutdown_without_sessions_completes (void)
{
  g_autoptr (WampTestRouter) router = default_router ();

  wamp_test_router_shutdown (router, 500);
}

/* ---- request IDs -------------------------------------------------------------------- */

static void
test_strict_request_ids (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new_joined (router, "lo", "strict");

  wamp_test_peer_send_json (peer, "[32, 1, {}, \"com.example.a\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 1, \"$any\"]"));
  wamp_test_peer_send_json (peer, "[64, 2, {}, \"com.example.b\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[65, 2, \"$any\"]"));
  /* A progressive call invocation repeats its CALL's ID. */
  wamp_test_peer_send_json (peer, "[48, 3, {\"progress\": true}, \"com.example.c\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[8, 48, 3, {}, \"test.error.handled\"]"));
  wamp_test_peer_send_json (peer, "[48, 3, {}, \"com.example.c\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[8, 48, 3, {}, \"test.error.handled\"]"));
  wamp_test_peer_send_json (peer, "[32, 4, {}, \"com.example.d\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 4, \"$any\"]"));
  /* A gap is a violation. */
  wamp_test_peer_send_json (peer, "[32, 6, {}, \"com.example.e\"]");
  expect_violation (peer);
  assert_router_serves (router);
}

static void
test_strict_request_ids_restart_per_session (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new_joined (router, "lo", "strict");

  wamp_test_peer_send_json (peer, "[32, 1, {}, \"com.example.a\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 1, \"$any\"]"));
  wamp_test_peer_send_json (peer, "[6, {}, \"wamp.close.close_realm\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[6, {}, \"wamp.close.goodbye_and_out\"]"));
  g_assert_cmpuint (wamp_test_peer_join (peer, "strict", NULL), !=, 0);
  wamp_test_peer_send_json (peer, "[32, 1, {}, \"com.example.a\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 1, \"$any\"]"));
}

static void
test_default_accepts_random_request_ids (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new_joined (router, "lo", "realm1");

  wamp_test_peer_send_json (peer, "[32, 7777, {}, \"com.example.a\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 7777, \"$any\"]"));
  wamp_test_peer_send_json (peer, "[32, 12, {}, \"com.example.b\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[33, 12, \"$any\"]"));
  wamp_test_peer_send_json (peer, "[64, 9007199254740992, {}, \"com.example.c\"]");
  g_assert_true (wamp_test_peer_expect_frame (peer, "[65, 9007199254740992, \"$any\"]"));
}

/* ---- realms ---------------------------------------------------------------------------- */

static void
test_realms_are_isolated (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) a = wamp_test_peer_new (router, "lo");
  g_autoptr (WampTestPeer) b = wamp_test_peer_new (router, "lo");
  WampRouter *r = wamp_test_router_get_router (router);
  WampRealm *realm1 = wamp_router_lookup_realm (r, "realm1");
  WampRealm *realm2 = wamp_router_lookup_realm (r, "realm2");
  g_autoptr (GPtrArray) list1 = NULL;
  g_autoptr (GPtrArray) list2 = NULL;
  guint64 id_a = wamp_test_peer_join (a, "realm1", NULL);
  guint64 id_b = wamp_test_peer_join (b, "realm2", NULL);

  g_assert_cmpuint (id_a, !=, 0);
  g_assert_cmpuint (id_b, !=, 0);
  g_assert_nonnull (wamp_realm_lookup_session (realm1, id_a));
  g_assert_null (wamp_realm_lookup_session (realm1, id_b));
  g_assert_nonnull (wamp_realm_lookup_session (realm2, id_b));
  g_assert_null (wamp_realm_lookup_session (realm2, id_a));
  list1 = wamp_realm_list_sessions (realm1);
  list2 = wamp_realm_list_sessions (realm2);
  g_assert_cmpuint (list1->len, ==, 1);
  g_assert_cmpuint (list2->len, ==, 1);
  g_assert_cmpuint (wamp_session_get_id (g_ptr_array_index (list1, 0)), ==, id_a);
  g_assert_true (wamp_realm_get_router (realm1) == r);
  g_assert_cmpstr (wamp_realm_get_name (realm2), ==, "realm2");
  g_assert_nonnull (wamp_realm_get_role (realm1, "testrole"));
  g_assert_null (wamp_realm_get_role (realm1, "broker"));
  g_assert_true (wamp_realm_get_role (realm1, "testrole") != wamp_realm_get_role (realm2, "testrole"));

  /* One leaving does not touch the other realm. */
  wamp_test_peer_close (a);
  wamp_test_iterate_for (10);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm1), ==, 0);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm2), ==, 1);
  wamp_test_peer_send_json (b, "[32, 1, {}, \"com.example.a\"]");
  g_assert_true (wamp_test_peer_expect_frame (b, "[33, 1, \"$any\"]"));
}

static void
test_roles_see_join_leave_and_detach (void)
{
  guint joined = n_joined, leaving = n_leaving, detached = n_detached;
  WampTestRouter *router = default_router ();
  WampTestPeer *peer = wamp_test_peer_new_joined (router, "lo", "realm1");

  g_assert_cmpuint (n_joined, ==, joined + 1);
  wamp_test_peer_free (peer);
  g_assert_cmpuint (n_leaving, ==, leaving + 1);
  wamp_test_router_free (router);
  /* One test role per realm that lists it. */
  g_assert_cmpuint (n_detached, ==, detached + 4);
}

static void
test_router_freed_with_sessions (void)
{
  guint leaving = n_leaving;
  WampTestRouter *router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new_joined (router, "lo", "realm1");

  wamp_test_router_free (router);
  g_assert_cmpuint (n_leaving, ==, leaving + 1);
  g_assert_true (wamp_test_peer_is_closed (peer));
}

/* ---- CHALLENGE / AUTHENTICATE ---------------------------------------------------- */

#define HELLO_CHALLENGE "[1, \"realm1\", {\"roles\": {\"caller\": {}}, \"authmethods\": [\"testchallenge\"]}]"

static void
test_challenge_then_welcome (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "cr");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");
  g_autoptr (WampValue) welcome = NULL;
  guint64 id = 0;
  WampSession *session;

  wamp_test_peer_send_json (peer, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (peer, "[4, \"testchallenge\", {\"nonce\": \"n1\"}]"));
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);
  wamp_test_peer_send_json (peer, "[5, \"letmein\", {}]");
  welcome = wamp_test_peer_expect_match (peer,
    "[2, \"$any\", {\"realm\": \"realm1\", \"authid\": \"alice\", \"authrole\": \"anonymous\","
    " \"authmethod\": \"testchallenge\", \"authprovider\": \"testprovider\", \"authextra\": {\"x\": 1},"
    " \"roles\": \"$any\"}]");
  g_assert_nonnull (welcome);
  g_assert_true (wamp_value_get_id (wamp_value_list_get (welcome, 1), &id));
  session = wamp_realm_lookup_session (realm, id);
  g_assert_nonnull (session);
  g_assert_cmpstr (wamp_session_get_authid (session), ==, "alice");
  g_assert_cmpstr (wamp_session_get_authprovider (session), ==, "testprovider");
  /* A second AUTHENTICATE, now established, is a violation. */
  wamp_test_peer_send_json (peer, "[5, \"letmein\", {}]");
  expect_violation (peer);
}

static void
test_challenge_wrong_signature (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "cr");
  g_autoptr (WampTestPeer) peer2 = wamp_test_peer_new (router, "cr");
  g_autoptr (WampTestPeer) peer3 = wamp_test_peer_new (router, "cr");

  wamp_test_peer_send_json (peer, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (peer, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (peer, "[5, \"guess\", {}]");
  wamp_test_peer_expect_abort (peer, "wamp.error.authentication_failed");

  /* An authenticator's own URI reaches the client as is. */
  wamp_test_peer_send_json (peer2, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (peer2, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (peer2, "[5, \"custom\", {}]");
  g_assert_true (wamp_test_peer_expect_frame (peer2, "[3, {\"message\": \"custom refusal\"}, \"test.error.custom\"]"));

  /* A failing challenge step aborts with its error. */
  wamp_test_peer_send_json (peer3, "[1, \"realm1\", {\"roles\": {\"caller\": {}}, \"authid\": \"eve\","
                                   " \"authmethods\": [\"testchallenge\"]}]");
  wamp_test_peer_expect_abort (peer3, "wamp.error.no_such_principal");
  assert_router_serves (router);
}

static void
test_challenge_out_of_order (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) hello_again = wamp_test_peer_new (router, "cr");
  g_autoptr (WampTestPeer) publish = wamp_test_peer_new (router, "cr");
  g_autoptr (WampTestPeer) aborting = wamp_test_peer_new (router, "cr");

  wamp_test_peer_send_json (hello_again, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (hello_again, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (hello_again, HELLO_CHALLENGE);
  expect_violation (hello_again);

  wamp_test_peer_send_json (publish, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (publish, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (publish, "[16, 1, {}, \"com.example.topic\"]");
  expect_violation (publish);

  /* ABORT instead of AUTHENTICATE: closed, not answered. */
  wamp_test_peer_send_json (aborting, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (aborting, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (aborting, "[3, {}, \"wamp.close.normal\"]");
  g_assert_true (wamp_test_peer_wait_closed (aborting, 1000));
  g_assert_cmpuint (wamp_test_peer_get_n_pending (aborting), ==, 0);
  assert_router_serves (router);
}

static void
test_disconnect_during_authenticate (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "cr");
  g_autoptr (WampTestPeer) other = wamp_test_peer_new (router, "cr");
  WampRealm *realm = wamp_router_lookup_realm (wamp_test_router_get_router (router), "realm1");

  wamp_test_peer_send_json (peer, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (peer, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (peer, "[5, \"slow\", {}]");
  wamp_test_peer_close (peer);
  /* The slow authenticator completes after the connection is gone. */
  wamp_test_iterate_for (200);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 0);

  /* A slow one that stays connected is welcomed. */
  wamp_test_peer_send_json (other, HELLO_CHALLENGE);
  g_assert_true (wamp_test_peer_expect_frame (other, "[4, \"testchallenge\", \"$any\"]"));
  wamp_test_peer_send_json (other, "[5, \"slow\", {}]");
  g_assert_null (wamp_test_peer_expect (other, 20));
  g_assert_true (wamp_test_peer_expect_frame (other, "[2, \"$any\", \"$any\"]"));
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm), ==, 1);
}

static void
test_authmethod_not_offered_on_transport (void)
{
  g_autoptr (WampTestRouter) router = default_router ();
  g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");

  /* "testchallenge" exists, but transport "lo" does not offer it. */
  wamp_test_peer_send_json (peer, HELLO_CHALLENGE);
  wamp_test_peer_expect_abort (peer, "wamp.error.no_matching_auth_method");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampRouter configuration and the WampSession state machine over a loopback transport");

  wamp_test_plugins_ensure ();
  wamp_test_plugins_add_static (&test_role_plugin);
  wamp_test_plugins_add_static (&test_auth_plugin);

  for (gsize i = 0; i < G_N_ELEMENTS (config_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/router/config/%s-is-refused-naming-its-path",
                                               config_cases[i].test_name);

      g_test_add_data_func (path, &config_cases[i], test_config_error);
    }
  g_test_add_func ("/router/config/unknown-transport-type-lists-available", test_config_type_error_lists_available);
  g_test_add_func ("/router/config/defaults-give-all-serializers-and-anonymous", test_config_valid_defaults);
  g_test_add_func ("/router/join-timeout/drops-silent-connection", test_join_timeout_drops_silent_connection);
  g_test_add_func ("/router/join-timeout/restarts-after-goodbye", test_join_timeout_restarts_after_goodbye);
  g_test_add_func ("/router/start/failure-stops-started-transports", test_start_failure_rolls_back);
  g_test_add_func ("/router/realm/permissions-exact-beats-longest-prefix-beats-wildcard", test_config_realm_permissions);

  g_test_add_func ("/router/session/welcome-details-name-realm-auth-and-roles", test_welcome_details);
  g_test_add_func ("/router/session/equal-hello-roles-are-shared", test_equal_hello_roles_are_shared);
  g_test_add_func ("/router/session/session-ids-are-distinct", test_session_ids_differ);
  g_test_add_func ("/router/session/hello-unknown-realm-is-no-such-realm", test_hello_unknown_realm);
  g_test_add_func ("/router/session/hello-invalid-realm-uri-is-invalid-uri", test_hello_invalid_realm_uri);
  g_test_add_func ("/router/session/hello-null-realm-is-aborted", test_hello_null_realm);
  g_test_add_func ("/router/session/hello-without-served-roles-is-violation", test_hello_without_roles);
  g_test_add_func ("/router/session/hello-unknown-authmethod-is-no-matching-auth-method", test_hello_unknown_authmethod);
  g_test_add_func ("/router/session/hello-authrole-missing-in-realm-is-no-such-role", test_hello_no_such_role);
  g_test_add_func ("/router/session/authenticate-without-challenge-is-violation", test_authenticate_without_challenge);
  g_test_add_func ("/router/session/abort-before-welcome-is-not-answered", test_abort_before_welcome_is_not_answered);
  g_test_add_func ("/router/session/disconnect-during-authentication-is-harmless", test_disconnect_during_authentication);
  g_test_add_func ("/router/session/garbage-before-welcome-is-violation", test_garbage_before_welcome);

  g_test_add_func ("/router/auth/challenge-then-authenticate-gives-welcome", test_challenge_then_welcome);
  g_test_add_func ("/router/auth/failed-authentication-aborts-with-its-uri", test_challenge_wrong_signature);
  g_test_add_func ("/router/auth/out-of-order-while-challenged-is-violation", test_challenge_out_of_order);
  g_test_add_func ("/router/auth/disconnect-during-authenticate-is-harmless", test_disconnect_during_authenticate);
  g_test_add_func ("/router/auth/authmethod-not-offered-on-transport-is-refused", test_authmethod_not_offered_on_transport);

  for (gsize i = 0; i < G_N_ELEMENTS (before_welcome_frames); i++)
    {
      g_autofree char *path = g_strdup_printf ("/router/session/before-welcome/%s-is-violation",
                                               before_welcome_frames[i].name);

      g_test_add_data_func (path, &before_welcome_frames[i], test_before_welcome_is_violation);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (after_welcome_frames); i++)
    {
      g_autofree char *path = g_strdup_printf ("/router/session/after-welcome/%s-is-violation",
                                               after_welcome_frames[i].name);

      g_test_add_data_func (path, &after_welcome_frames[i], test_after_welcome_is_violation);
    }
  g_test_add_func ("/router/session/after-welcome/error-for-invocation-reaches-role", test_error_for_invocation_reaches_role);
  g_test_add_func ("/router/session/abort-from-role-handler-is-safe", test_abort_from_role_handler);
  g_test_add_func ("/router/session/abort-after-welcome-leaves-silently", test_abort_after_welcome_leaves_silently);

  g_test_add_func ("/router/session/goodbye-from-client-is-answered-and-hello-may-follow", test_goodbye_from_client_and_rejoin);
  g_test_add_func ("/router/session/goodbye-from-router-without-close-allows-new-hello", test_goodbye_from_router_keeping_connection);
  g_test_add_func ("/router/session/abort-from-outside-closes-the-session", test_abort_from_outside);
  g_test_add_func ("/router/shutdown/sends-system-shutdown-goodbye-and-waits-for-reply", test_goodbye_from_router_on_shutdown);
  g_test_add_func ("/router/shutdown/closes-silent-clients-after-grace", test_shutdown_closes_silent_clients_after_grace);
  g_test_add_func ("/router/shutdown/without-sessions-completes", test_shutdown_without_sessions_completes);

  g_test_add_func ("/router/session/strict-request-ids-non-sequential-is-violation", test_strict_request_ids);
  g_test_add_func ("/router/session/strict-request-ids-restart-per-session", test_strict_request_ids_restart_per_session);
  g_test_add_func ("/router/session/default-accepts-random-request-ids", test_default_accepts_random_request_ids);

  g_test_add_func ("/router/realm/sessions-of-two-realms-are-isolated", test_realms_are_isolated);
  g_test_add_func ("/router/realm/roles-see-join-leave-and-detach", test_roles_see_join_leave_and_detach);
  g_test_add_func ("/router/lifecycle/router-freed-with-sessions-closes-them", test_router_freed_with_sessions);

  return g_test_run ();
}
