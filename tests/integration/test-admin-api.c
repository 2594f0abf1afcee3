/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The core's administration API (ABI 1.1): session queries, kill, the
 * session-joined/session-left signals, role route listings and statistics,
 * against raw JSON peers on a loopback router. */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-test-harness.h"

#define ALLOW_ALL "\"allow\": {\"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true}"
#define ANONYMOUS_ROLE \
  "{ \"name\": \"anonymous\", \"permissions\": [" \
  "  { \"uri\": \"\", \"match\": \"prefix\", " ALLOW_ALL " } ] }"

static const char config[] =
  "{ \"version\": 1,"
  "  \"realms\": ["
  "    { \"name\": \"realm1\", \"roles\": [" ANONYMOUS_ROLE "] },"
  "    { \"name\": \"realm2\", \"roles\": [" ANONYMOUS_ROLE "] } ],"
  "  \"transports\": ["
  "    { \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } } ],"
  "  \"admin\": { \"dbus\": \"session\" } }";

/* Small unsigned values are stored as int (wamp_value_new_uint). */
static guint64
id_of (WampValue *value)
{
  guint64 id = 0;

  g_assert_true (wamp_value_get_id (value, &id));
  return id;
}

typedef struct {
  WampTestRouter *test_router;
  WampRouter *router;
  WampTestPeer *a, *b, *c;
  guint64 a_id, b_id, c_id;
  char *a_authid;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->test_router = wamp_test_router_new (config);
  f->router = wamp_test_router_get_router (f->test_router);
  f->a = wamp_test_peer_new (f->test_router, "lo");
  f->b = wamp_test_peer_new (f->test_router, "lo");
  f->c = wamp_test_peer_new (f->test_router, "lo");
  f->a_id = wamp_test_peer_join (f->a, "realm1", NULL);
  f->a_authid = g_strdup (wamp_value_dict_get_string (wamp_test_peer_get_welcome_details (f->a), "authid"));
  g_assert_nonnull (f->a_authid);
  f->b_id = wamp_test_peer_join (f->b, "realm1", NULL);
  f->c_id = wamp_test_peer_join (f->c, "realm2", NULL);
  g_assert_cmpuint (f->a_id, !=, 0);
  g_assert_cmpuint (f->b_id, !=, 0);
  g_assert_cmpuint (f->c_id, !=, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->a, wamp_test_peer_free);
  g_clear_pointer (&f->b, wamp_test_peer_free);
  g_clear_pointer (&f->c, wamp_test_peer_free);
  g_clear_pointer (&f->test_router, wamp_test_router_free);
  g_free (f->a_authid);
}

static void
test_lookup_finds_sessions_of_every_realm (Fixture *f, gconstpointer data)
{
  WampSession *a = wamp_router_lookup_session (f->router, f->a_id);
  WampSession *c = wamp_router_lookup_session (f->router, f->c_id);

  g_assert_nonnull (a);
  g_assert_nonnull (c);
  g_assert_cmpuint (wamp_session_get_id (a), ==, f->a_id);
  g_assert_cmpstr (wamp_realm_get_name (wamp_session_get_realm (c)), ==, "realm2");
  g_assert_null (wamp_router_lookup_session (f->router, 1));
  g_assert_cmpuint (wamp_router_get_n_sessions (f->router), ==, 3);
  g_assert_cmpstr (wamp_router_get_admin_dbus (f->router), ==, "session");
}

static void
test_session_info_has_every_field (Fixture *f, gconstpointer data)
{
  WampSession *a = wamp_router_lookup_session (f->router, f->a_id);
  g_autoptr (WampValue) info = wamp_session_get_info (a);
  const char *authid = f->a_authid;
  gint64 now = g_get_real_time ();
  WampValue *roles;

  g_assert_nonnull (info);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (info, "session", 0), ==, f->a_id);
  g_assert_cmpstr (wamp_value_dict_get_string (info, "realm"), ==, "realm1");
  g_assert_cmpstr (wamp_value_dict_get_string (info, "authid"), ==, authid);
  g_assert_cmpstr (wamp_value_dict_get_string (info, "authrole"), ==, "anonymous");
  g_assert_cmpstr (wamp_value_dict_get_string (info, "authmethod"), ==, "anonymous");
  g_assert_cmpstr (wamp_value_dict_get_string (info, "authprovider"), ==, "static");
  g_assert_cmpstr (wamp_value_dict_get_string (info, "transport"), ==, "lo");
  g_assert_cmpstr (wamp_value_dict_get_string (info, "serializer"), ==, "json");
  g_assert_nonnull (wamp_value_dict_lookup (info, "peer"));
  g_assert_cmpint (wamp_value_get_value_type (wamp_value_dict_lookup (info, "transport_details")), ==,
                   WAMP_VALUE_DICT);
  roles = wamp_value_dict_lookup (info, "roles");
  g_assert_nonnull (roles);
  g_assert_nonnull (wamp_value_dict_lookup (roles, "subscriber"));
  g_assert_nonnull (wamp_value_dict_lookup (roles, "callee"));
  /* Joined within the last minute, and the getter agrees. */
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (info, "joined")), >, now - 60 * G_USEC_PER_SEC);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (info, "joined")), <=, now);
  g_assert_cmpint (wamp_session_get_join_time (a), ==,
                   wamp_value_get_int (wamp_value_dict_lookup (info, "joined")));
}

typedef struct {
  guint64 joined_id;
  guint64 left_id;
  char *left_realm;
  char *left_authid;
  guint n_joined;
  guint n_left;
} SignalLog;

static void
on_session_joined (WampRouter *router, WampSession *session, gpointer user_data)
{
  SignalLog *log = user_data;

  log->n_joined++;
  log->joined_id = wamp_session_get_id (session);
}

static void
on_session_left (WampRouter *router, WampSession *session, gpointer user_data)
{
  SignalLog *log = user_data;
  g_autoptr (WampValue) info = wamp_session_get_info (session);

  log->n_left++;
  log->left_id = wamp_session_get_id (session);
  g_free (log->left_realm);
  log->left_realm = g_strdup (wamp_realm_get_name (wamp_session_get_realm (session)));
  g_free (log->left_authid);
  log->left_authid = info != NULL ? g_strdup (wamp_value_dict_get_string (info, "authid")) : NULL;
}

static void
test_signals_report_join_and_leave_with_the_session_details (Fixture *f, gconstpointer data)
{
  SignalLog log = { 0, };
  g_autoptr (WampTestPeer) d = NULL;
  g_autofree char *authid = NULL;
  guint64 d_id;
  gulong joined_handler = g_signal_connect (f->router, "session-joined", G_CALLBACK (on_session_joined), &log);
  gulong left_handler = g_signal_connect (f->router, "session-left", G_CALLBACK (on_session_left), &log);

  d = wamp_test_peer_new (f->test_router, "lo");
  d_id = wamp_test_peer_join (d, "realm2", NULL);
  authid = g_strdup (wamp_value_dict_get_string (wamp_test_peer_get_welcome_details (d), "authid"));
  g_assert_cmpuint (log.n_joined, ==, 1);
  g_assert_cmpuint (log.joined_id, ==, d_id);
  g_assert_cmpuint (wamp_router_get_n_sessions (f->router), ==, 4);

  /* The client leaves with GOODBYE: the handler still sees who it was. */
  wamp_test_peer_send_json (d, "[6, {}, \"wamp.close.close_realm\"]");
  wamp_test_peer_assert_frame (d, "[6, {}, \"wamp.close.goodbye_and_out\"]");
  g_assert_cmpuint (log.n_left, ==, 1);
  g_assert_cmpuint (log.left_id, ==, d_id);
  g_assert_cmpstr (log.left_realm, ==, "realm2");
  g_assert_cmpstr (log.left_authid, ==, authid);
  g_assert_cmpuint (wamp_router_get_n_sessions (f->router), ==, 3);

  /* A lost connection is a leave too. */
  wamp_test_peer_close (f->b);
  wamp_test_iterate_for (20);
  g_assert_cmpuint (log.n_left, ==, 2);
  g_assert_cmpuint (log.left_id, ==, f->b_id);
  g_assert_cmpuint (wamp_router_get_n_sessions (f->router), ==, 2);
  g_assert_cmpuint (log.n_joined, ==, 1);

  g_signal_handler_disconnect (f->router, joined_handler);
  g_signal_handler_disconnect (f->router, left_handler);
  g_free (log.left_realm);
  g_free (log.left_authid);
}

static void
test_kill_session_sends_goodbye_with_reason_and_message (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (wamp_router_kill_session (f->router, f->a_id, "com.example.maintenance",
                                           "Back in five minutes.", &error));
  g_assert_no_error (error);
  wamp_test_peer_assert_frame (f->a, "[6, {\"message\": \"Back in five minutes.\"}, \"com.example.maintenance\"]");
  g_assert_null (wamp_router_lookup_session (f->router, f->a_id));
  /* The client answers; the router closes the connection. */
  wamp_test_peer_send_json (f->a, "[6, {}, \"wamp.close.goodbye_and_out\"]");
  g_assert_true (wamp_test_peer_wait_closed (f->a, 2000));

  /* The others stay, and still route. */
  g_assert_nonnull (wamp_router_lookup_session (f->router, f->b_id));
  wamp_test_peer_assert_silence (f->b);
  wamp_test_peer_send_json (f->b, "[32, 1, {}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->b, "[33, 1, \"$any\"]");
  g_assert_cmpuint (wamp_router_get_n_sessions (f->router), ==, 2);
}

static void
test_kill_session_defaults_to_killed_without_message (Fixture *f, gconstpointer data)
{
  g_assert_true (wamp_router_kill_session (f->router, f->c_id, NULL, NULL, NULL));
  wamp_test_peer_assert_frame (f->c, "[6, {}, \"wamp.close.killed\"]");
}

static void
test_kill_session_refuses_unknown_ids_and_bad_reasons (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (wamp_router_kill_session (f->router, 42, NULL, NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_SESSION);
  g_clear_error (&error);

  g_assert_false (wamp_router_kill_session (f->router, f->a_id, "not a uri!", NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_URI);
  /* Nothing was sent to the session named. */
  wamp_test_peer_assert_silence (f->a);
  g_assert_nonnull (wamp_router_lookup_session (f->router, f->a_id));
}

static void
test_kill_by_authid_ends_only_matching_sessions_of_the_realm (Fixture *f, gconstpointer data)
{
  WampRealm *realm1 = wamp_router_lookup_realm (f->router, "realm1");
  WampRealm *realm2 = wamp_router_lookup_realm (f->router, "realm2");
  const char *a_authid = f->a_authid;

  /* The authid of a lives in realm1 only. */
  g_assert_cmpuint (wamp_realm_kill_sessions_by_authid (realm2, a_authid, NULL, NULL), ==, 0);
  g_assert_cmpuint (wamp_realm_kill_sessions_by_authid (realm1, "nobody", NULL, NULL), ==, 0);
  wamp_test_peer_assert_silence (f->a);

  g_assert_cmpuint (wamp_realm_kill_sessions_by_authid (realm1, a_authid, "com.example.bye", "Go."), ==, 1);
  wamp_test_peer_assert_frame (f->a, "[6, {\"message\": \"Go.\"}, \"com.example.bye\"]");
  wamp_test_peer_assert_silence (f->b);
  wamp_test_peer_assert_silence (f->c);
  g_assert_cmpuint (wamp_realm_get_n_sessions (realm1), ==, 1);
}

static void
test_broker_lists_subscriptions_with_their_sessions (Fixture *f, gconstpointer data)
{
  WampRole *broker = wamp_realm_get_role (wamp_router_lookup_realm (f->router, "realm1"), "broker");
  g_autoptr (WampValue) empty = wamp_role_list_routes (broker);
  g_autoptr (WampValue) routes = NULL;
  guint64 sub_id;
  WampValue *entry, *sessions;

  g_assert_cmpuint (wamp_value_list_length (empty), ==, 0);
  wamp_test_peer_send_json (f->a, "[32, 1, {}, \"com.example.topic\"]");
  sub_id = wamp_test_peer_assert_id (f->a, "[33, 1, \"$any\"]", 2);
  wamp_test_peer_send_json (f->b, "[32, 1, {}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->b, "[33, 1, \"$any\"]");

  routes = wamp_role_list_routes (broker);
  g_assert_cmpuint (wamp_value_list_length (routes), ==, 1);
  entry = wamp_value_list_get (routes, 0);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (entry, "id", 0), ==, sub_id);
  g_assert_cmpstr (wamp_value_dict_get_string (entry, "uri"), ==, "com.example.topic");
  g_assert_cmpstr (wamp_value_dict_get_string (entry, "match"), ==, "exact");
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (entry, "created")), >, 0);
  sessions = wamp_value_dict_lookup (entry, "sessions");
  g_assert_cmpuint (wamp_value_list_length (sessions), ==, 2);
  g_assert_cmpuint (MIN (id_of (wamp_value_list_get (sessions, 0)),
                         id_of (wamp_value_list_get (sessions, 1))), ==, MIN (f->a_id, f->b_id));
  g_assert_cmpuint (MAX (id_of (wamp_value_list_get (sessions, 0)),
                         id_of (wamp_value_list_get (sessions, 1))), ==, MAX (f->a_id, f->b_id));
}

static void
test_dealer_lists_registrations_with_policy_and_callee (Fixture *f, gconstpointer data)
{
  WampRealm *realm1 = wamp_router_lookup_realm (f->router, "realm1");
  WampRole *dealer = wamp_realm_get_role (realm1, "dealer");
  g_autoptr (WampValue) routes = NULL;
  g_autoptr (WampValue) after = NULL;
  g_autoptr (WampValue) other_realm = NULL;
  guint64 reg_id;
  WampValue *entry, *sessions;

  wamp_test_peer_send_json (f->a, "[64, 1, {\"invoke\": \"roundrobin\"}, \"com.example.add\"]");
  reg_id = wamp_test_peer_assert_id (f->a, "[65, 1, \"$any\"]", 2);

  routes = wamp_role_list_routes (dealer);
  g_assert_cmpuint (wamp_value_list_length (routes), ==, 1);
  entry = wamp_value_list_get (routes, 0);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (entry, "id", 0), ==, reg_id);
  g_assert_cmpstr (wamp_value_dict_get_string (entry, "uri"), ==, "com.example.add");
  g_assert_cmpstr (wamp_value_dict_get_string (entry, "invoke"), ==, "roundrobin");
  g_assert_cmpstr (wamp_value_dict_get_string (entry, "match"), ==, "exact");
  sessions = wamp_value_dict_lookup (entry, "sessions");
  g_assert_cmpuint (wamp_value_list_length (sessions), ==, 1);
  g_assert_cmpuint (id_of (wamp_value_list_get (sessions, 0)), ==, f->a_id);

  /* Another realm's dealer knows nothing of it. */
  other_realm = wamp_role_list_routes (wamp_realm_get_role (wamp_router_lookup_realm (f->router, "realm2"), "dealer"));
  g_assert_cmpuint (wamp_value_list_length (other_realm), ==, 0);

  /* The callee leaves: the registration goes. */
  wamp_test_peer_close (f->a);
  wamp_test_iterate_for (20);
  after = wamp_role_list_routes (dealer);
  g_assert_cmpuint (wamp_value_list_length (after), ==, 0);
}

/* A role as a plugin built against ABI 1.0 has it: no list_routes. */
#define TEST_TYPE_ROUTELESS_ROLE (test_routeless_role_get_type ())
G_DECLARE_FINAL_TYPE (TestRoutelessRole, test_routeless_role, TEST, ROUTELESS_ROLE, GObject)

struct _TestRoutelessRole
{
  GObject parent_instance;
};

static void test_routeless_role_iface_init (WampRoleInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestRoutelessRole, test_routeless_role, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_ROLE, test_routeless_role_iface_init))

static void
test_routeless_role_class_init (TestRoutelessRoleClass *klass)
{
}

static void
test_routeless_role_init (TestRoutelessRole *self)
{
}

static const char *
test_routeless_role_get_name (WampRole *role)
{
  return "routeless";
}

static void
test_routeless_role_iface_init (WampRoleInterface *iface)
{
  iface->get_name = test_routeless_role_get_name;
}

static void
test_role_without_list_routes_lists_nothing (void)
{
  g_autoptr (WampRole) role = g_object_new (TEST_TYPE_ROUTELESS_ROLE, NULL);
  g_autoptr (WampValue) routes = wamp_role_list_routes (role);

  g_assert_nonnull (routes);
  g_assert_cmpint (wamp_value_get_value_type (routes), ==, WAMP_VALUE_LIST);
  g_assert_cmpuint (wamp_value_list_length (routes), ==, 0);
}

static guint64
stats_count (WampValue *stats, const char *direction, const char *type)
{
  WampValue *counts = wamp_value_dict_lookup (stats, direction);

  g_assert_nonnull (counts);
  return wamp_value_dict_get_unsigned (counts, type, 0);
}

static void
test_stats_count_messages_bytes_and_violations (Fixture *f, gconstpointer data)
{
  g_autoptr (WampValue) before = wamp_router_get_stats (f->router);
  g_autoptr (WampValue) after = NULL;
  const char *publish = "[16, 5, {\"acknowledge\": true}, \"com.example.topic\", [1, 2, 3]]";

  /* Three HELLOs and three WELCOMEs so far. */
  g_assert_cmpuint (stats_count (before, "messages_in", "HELLO"), ==, 3);
  g_assert_cmpuint (stats_count (before, "messages_out", "WELCOME"), ==, 3);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (before, "sessions", 0), ==, 3);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (before, "connections", 0), ==, 3);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (before, "protocol_violations", 1), ==, 0);

  wamp_test_peer_send_json (f->a, publish);
  wamp_test_peer_assert_frame (f->a, "[17, 5, \"$any\"]");
  wamp_test_peer_send_json (f->c, "[\"not a message\"]");
  wamp_test_peer_expect_abort (f->c, "wamp.error.protocol_violation");

  after = wamp_router_get_stats (f->router);
  g_assert_cmpuint (stats_count (after, "messages_in", "PUBLISH"), ==, 1);
  g_assert_cmpuint (stats_count (after, "messages_out", "PUBLISHED"), ==, 1);
  g_assert_cmpuint (stats_count (after, "messages_out", "ABORT"), ==, 1);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (after, "bytes_in", 0), >=,
                    wamp_value_dict_get_unsigned (before, "bytes_in", 0) + strlen (publish)
                    + strlen ("[\"not a message\"]"));
  g_assert_cmpuint (wamp_value_dict_get_unsigned (after, "bytes_out", 0), >,
                    wamp_value_dict_get_unsigned (before, "bytes_out", 0));
  g_assert_cmpuint (wamp_value_dict_get_unsigned (after, "protocol_violations", 0), ==, 1);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (after, "sessions", 0), ==, 2);
  g_assert_cmpuint (wamp_value_dict_get_unsigned (after, "send_failures", 1), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  wamp_test_plugins_ensure ();

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/admin-api/lookup/finds-sessions-of-every-realm", test_lookup_finds_sessions_of_every_realm);
  ADD ("/admin-api/session-info/has-every-field", test_session_info_has_every_field);
  ADD ("/admin-api/signals/report-join-and-leave-with-session-details",
       test_signals_report_join_and_leave_with_the_session_details);
  ADD ("/admin-api/kill/sends-goodbye-with-reason-and-message",
       test_kill_session_sends_goodbye_with_reason_and_message);
  ADD ("/admin-api/kill/defaults-to-wamp-close-killed", test_kill_session_defaults_to_killed_without_message);
  ADD ("/admin-api/kill/refuses-unknown-ids-and-bad-reasons", test_kill_session_refuses_unknown_ids_and_bad_reasons);
  ADD ("/admin-api/kill-by-authid/ends-only-matching-sessions-of-the-realm",
       test_kill_by_authid_ends_only_matching_sessions_of_the_realm);
  ADD ("/admin-api/routes/broker-lists-subscriptions-with-sessions",
       test_broker_lists_subscriptions_with_their_sessions);
  ADD ("/admin-api/routes/dealer-lists-registrations-with-policy-and-callee",
       test_dealer_lists_registrations_with_policy_and_callee);
  ADD ("/admin-api/stats/count-messages-bytes-and-violations", test_stats_count_messages_bytes_and_violations);
#undef ADD
  g_test_add_func ("/admin-api/routes/role-without-list-routes-lists-nothing",
                   test_role_without_list_routes_lists_nothing);

  return g_test_run ();
}
