/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampClient against an in-process WampRouter over WebSocket + JSON (and the
 * same again over RawSocket): join, pub/sub, RPC, errors, cancellation, leave
 * and router shutdown. */
#include <wamp/wamp.h>

#include <string.h>

#include "wamp-test-async.h"

/* Every wait is bounded: a test that hangs fails instead. */
#define WAIT_SECONDS 10

static const char router_config[] =
  "{"
  "  \"version\": 1,"
  "  \"realms\": [ { \"name\": \"realm1\","
  "    \"roles\": [ { \"name\": \"anonymous\","
  "      \"permissions\": [ { \"uri\": \"\", \"match\": \"prefix\","
  "        \"allow\": { \"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true },"
  "        \"disclose\": { \"caller\": false, \"publisher\": false } } ] } ] } ],"
  "  \"transports\": [ { \"name\": \"ws\", \"type\": \"websocket\","
  "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },"
  "    \"path\": \"/ws\","
  "    \"serializers\": [\"json\"],"
  "    \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } },"
  "    { \"name\": \"rs\", \"type\": \"rawsocket\","
  "    \"endpoint\": { \"type\": \"tcp\", \"host\": \"127.0.0.1\", \"port\": 0 },"
  "    \"serializers\": [\"json\"],"
  "    \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } } ],"
  "  \"admin\": { \"dbus\": \"none\" }"
  "}";

typedef struct {
  WampReactor *reactor;
  WampRouter *router;
  char *url;
  WampClient *c1;
  WampClient *c2;
  char *left_reason; /* of c1 */
  guint n_left;      /* "left" emissions of c1 */
} Fixture;

/* Main-loop helpers */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

#define WAIT_FOR(cond)                                                        \
  G_STMT_START {                                                              \
    guint wait_source_ = g_timeout_add (50, wake_cb, NULL);                   \
    gint64 wait_deadline_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < wait_deadline_)               \
      g_main_context_iteration (NULL, TRUE);                                  \
    g_source_remove (wait_source_);                                           \
    if (!(cond))                                                              \
      g_test_message ("timed out after %d s waiting for: %s", WAIT_SECONDS, #cond); \
    g_assert_true (cond);                                                     \
  } G_STMT_END

/* Runs the loop for @ms so messages that should NOT arrive get a chance to. */
static void
run_for (guint ms)
{
  gint64 deadline = g_get_monotonic_time () + ms * 1000;
  guint source = g_timeout_add (10, wake_cb, NULL);

  while (g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (source);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  return wamp_test_wait_result (result, WAIT_SECONDS * 1000);
}

/* Values */

/* A WampValue from JSON text, through the config parser; @json is wrapped in
 * an object so lists and scalars work too. */
static WampValue *
value_from_json (const char *json)
{
  g_autofree char *doc = g_strdup_printf ("{\"v\": %s}", json);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) root = wamp_config_parse (doc, -1, &error);

  g_assert_no_error (error);
  g_assert_nonnull (root);
  return wamp_value_ref (wamp_value_dict_lookup (root, "v"));
}

static WampPayload *
payload_from_json (const char *args, const char *kwargs)
{
  g_autoptr(WampValue) a = args != NULL ? value_from_json (args) : NULL;
  g_autoptr(WampValue) k = kwargs != NULL ? value_from_json (kwargs) : NULL;

  return wamp_payload_new (a, k);
}

static void
assert_payload (WampMessage *message, const char *args, const char *kwargs)
{
  g_autoptr(GError) error = NULL;
  WampPayload *payload = wamp_message_get_payload (message);
  WampValue *got_args = NULL;
  WampValue *got_kwargs = NULL;

  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_values (payload, &got_args, &got_kwargs, &error));
  g_assert_no_error (error);
  if (args != NULL)
    {
      g_autoptr(WampValue) want = value_from_json (args);
      g_autofree char *got = got_args != NULL ? wamp_value_to_debug_string (got_args) : g_strdup ("(absent)");

      g_test_message ("args: %s, expected %s", got, args);
      g_assert_nonnull (got_args);
      g_assert_true (wamp_value_equal (got_args, want));
    }
  if (kwargs != NULL)
    {
      g_autoptr(WampValue) want = value_from_json (kwargs);
      g_autofree char *got = got_kwargs != NULL ? wamp_value_to_debug_string (got_kwargs) : g_strdup ("(absent)");

      g_test_message ("kwargs: %s, expected %s", got, kwargs);
      g_assert_nonnull (got_kwargs);
      g_assert_true (wamp_value_equal (got_kwargs, want));
    }
}

/* Synchronous wrappers */

static void
join (Fixture *f, WampClient *client, const char *realm, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  wamp_client_join_async (client, f->url, "json", realm, NULL, NULL, wamp_test_store_result, &result);
  wamp_client_join_finish (client, wait_result (&result), error);
}

static void
event_collect (WampClient *client, WampMessage *event, gpointer user_data)
{
  g_ptr_array_add (user_data, wamp_message_ref (event));
}

static guint64
subscribe (WampClient *client, const char *topic, GPtrArray *events, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  wamp_client_subscribe_async (client, topic, NULL, event_collect, g_ptr_array_ref (events),
                               (GDestroyNotify) g_ptr_array_unref, NULL, wamp_test_store_result, &result);
  return wamp_client_subscribe_finish (client, wait_result (&result), error);
}

static guint64
publish (WampClient *client, const char *topic, const char *options, WampPayload *payload,
         GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampValue) opts = options != NULL ? value_from_json (options) : NULL;

  wamp_client_publish_async (client, topic, opts, payload, NULL, wamp_test_store_result, &result);
  return wamp_client_publish_finish (client, wait_result (&result), error);
}

static guint64
register_procedure (WampClient *client, const char *procedure, WampInvocationFunc func,
                    gpointer data, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  wamp_client_register_async (client, procedure, NULL, func, data, NULL, NULL, wamp_test_store_result, &result);
  return wamp_client_register_finish (client, wait_result (&result), error);
}

static WampMessage *
call (WampClient *client, const char *procedure, WampPayload *payload,
      WampMessage **error_message, GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  wamp_client_call_async (client, procedure, NULL, payload, NULL, wamp_test_store_result, &result);
  return wamp_client_call_finish (client, wait_result (&result), error_message, error);
}

/* Fixture */

static void
on_left (WampClient *client, const char *reason, gpointer user_data)
{
  Fixture *f = user_data;

  f->n_left++;
  g_free (f->left_reason);
  f->left_reason = g_strdup (reason);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) config = NULL;
  g_auto(GStrv) listeners = NULL;
  const char *space;
  gboolean ok;

  f->reactor = wamp_reactor_new (NULL);
  f->router = wamp_router_new (f->reactor);
  config = wamp_config_parse (router_config, -1, &error);
  g_assert_no_error (error);
  ok = wamp_router_configure (f->router, config, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  ok = wamp_router_start (f->router, &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  listeners = wamp_router_get_listeners (f->router);
  g_assert_nonnull (listeners);
  /* "NAME URL": the transport the test runs on is @data. */
  for (guint i = 0; listeners[i] != NULL && f->url == NULL; i++)
    {
      space = strchr (listeners[i], ' ');
      g_assert_nonnull (space);
      if (strncmp (listeners[i], data, (gsize) (space - listeners[i])) == 0)
        f->url = g_strdup (space + 1);
    }
  g_assert_nonnull (f->url);
  g_assert_true (g_str_has_prefix (f->url, g_str_equal (data, "rs") ? "rawsocket+tcp://127.0.0.1:"
                                                                     : "ws://127.0.0.1:"));

  f->c1 = wamp_client_new (f->reactor);
  f->c2 = wamp_client_new (f->reactor);
  g_signal_connect (f->c1, "left", G_CALLBACK (on_left), f);
  join (f, f->c1, "realm1", &error);
  g_assert_no_error (error);
  join (f, f->c2, "realm1", &error);
  g_assert_no_error (error);
}

static void
router_shut_down (Fixture *f)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  gboolean ok;

  wamp_router_shutdown_async (f->router, NULL, wamp_test_store_result, &result);
  ok = wamp_router_shutdown_finish (f->router, wait_result (&result), &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->c1 != NULL)
    wamp_client_disconnect (f->c1);
  if (f->c2 != NULL)
    wamp_client_disconnect (f->c2);
  g_clear_object (&f->c1);
  g_clear_object (&f->c2);
  if (f->router != NULL)
    router_shut_down (f);
  g_clear_object (&f->router);
  /* Lets closing connections report their end and deferred frees run. */
  run_for (50);
  g_clear_object (&f->reactor);
  g_free (f->url);
  g_free (f->left_reason);
}

/* Join */

static void
test_join_gives_distinct_sessions_and_router_roles (Fixture *f, gconstpointer data)
{
  WampValue *details;
  WampValue *roles;

  g_assert_true (wamp_client_is_joined (f->c1));
  g_assert_true (wamp_client_is_joined (f->c2));
  g_assert_cmpuint (wamp_client_get_session_id (f->c1), !=, 0);
  g_assert_cmpuint (wamp_client_get_session_id (f->c2), !=, 0);
  g_assert_cmpuint (wamp_client_get_session_id (f->c1), !=, wamp_client_get_session_id (f->c2));

  details = wamp_client_get_welcome_details (f->c1);
  g_assert_nonnull (details);
  roles = wamp_value_dict_lookup (details, "roles");
  g_assert_nonnull (roles);
  g_assert_nonnull (wamp_value_dict_lookup (roles, "broker"));
  g_assert_nonnull (wamp_value_dict_lookup (roles, "dealer"));
}

static void
test_join_unknown_realm_fails_with_no_such_realm (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) client = wamp_client_new (f->reactor);
  g_autoptr(GError) error = NULL;

  join (f, client, "com.example.nosuchrealm", &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_REALM);
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "wamp.error.no_such_realm");
  g_assert_false (wamp_client_is_joined (client));
  g_assert_cmpuint (wamp_client_get_session_id (client), ==, 0);
}

static void
test_join_twice_is_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  join (f, f->c1, "realm1", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PENDING);
  g_assert_true (wamp_client_is_joined (f->c1));
}

/* Pub/Sub */

static void
test_pubsub_acknowledged_publish_reaches_subscriber (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(WampPayload) payload = payload_from_json ("[1, \"two\"]", "{\"k\": true}");
  g_autoptr(GError) error = NULL;
  guint64 sub_id;
  guint64 pub_id;
  WampMessage *event;

  sub_id = subscribe (f->c1, "com.example.topic", events, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sub_id, !=, 0);

  pub_id = publish (f->c2, "com.example.topic", "{\"acknowledge\": true}", payload, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pub_id, !=, 0);

  WAIT_FOR (events->len == 1);
  event = g_ptr_array_index (events, 0);
  g_assert_cmpint (wamp_message_get_message_type (event), ==, WAMP_MESSAGE_EVENT);
  g_assert_cmpuint (wamp_message_get_subscription_id (event), ==, sub_id);
  g_assert_cmpuint (wamp_message_get_publication_id (event), ==, pub_id);
  assert_payload (event, "[1, \"two\"]", "{\"k\": true}");
}

static void
test_pubsub_unacknowledged_publish_completes_at_once_and_delivers (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(WampPayload) payload = payload_from_json ("[\"hello\"]", NULL);
  g_autoptr(GError) error = NULL;

  subscribe (f->c1, "com.example.topic", events, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (publish (f->c2, "com.example.topic", NULL, payload, &error), ==, 0);
  g_assert_no_error (error);
  WAIT_FOR (events->len == 1);
  assert_payload (g_ptr_array_index (events, 0), "[\"hello\"]", NULL);
}

static void
test_pubsub_publisher_is_excluded_unless_exclude_me_false (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(WampPayload) first = payload_from_json ("[\"excluded\"]", NULL);
  g_autoptr(WampPayload) second = payload_from_json ("[\"included\"]", NULL);
  g_autoptr(GError) error = NULL;

  subscribe (f->c1, "com.example.topic", events, &error);
  g_assert_no_error (error);

  publish (f->c1, "com.example.topic", "{\"acknowledge\": true}", first, &error);
  g_assert_no_error (error);
  publish (f->c1, "com.example.topic", "{\"acknowledge\": true, \"exclude_me\": false}", second, &error);
  g_assert_no_error (error);

  /* Events travel in order on one connection: the first would come first. */
  WAIT_FOR (events->len >= 1);
  run_for (50);
  g_assert_cmpuint (events->len, ==, 1);
  assert_payload (g_ptr_array_index (events, 0), "[\"included\"]", NULL);
}

static void
test_pubsub_same_topic_twice_shares_id_and_unsubscribes_on_last (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events_a = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(GPtrArray) events_b = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  guint64 id_a;
  guint64 id_b;

  id_a = subscribe (f->c1, "com.example.topic", events_a, &error);
  g_assert_no_error (error);
  id_b = subscribe (f->c1, "com.example.topic", events_b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (id_a, ==, id_b);

  publish (f->c2, "com.example.topic", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (events_a->len == 1 && events_b->len == 1);

  /* The first unsubscribe drops one handler only. */
  wamp_client_unsubscribe_async (f->c1, id_a, NULL, wamp_test_store_result, &result);
  g_assert_true (wamp_client_unsubscribe_finish (f->c1, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  publish (f->c2, "com.example.topic", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (events_a->len + events_b->len == 3);

  /* The last one unsubscribes at the router: nothing arrives any more. */
  wamp_client_unsubscribe_async (f->c1, id_a, NULL, wamp_test_store_result, &result);
  g_assert_true (wamp_client_unsubscribe_finish (f->c1, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  publish (f->c2, "com.example.topic", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  run_for (50);
  g_assert_cmpuint (events_a->len + events_b->len, ==, 3);

  /* And the ID is gone. */
  wamp_client_unsubscribe_async (f->c1, id_a, NULL, wamp_test_store_result, &result);
  g_assert_false (wamp_client_unsubscribe_finish (f->c1, wait_result (&result), &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_SUBSCRIPTION);
}

static void
count_destroy (gpointer data)
{
  (*(guint *) data)++;
}

static void
event_ignore (WampClient *client, WampMessage *event, gpointer user_data)
{
  g_assert_not_reached ();
}

static void
test_pubsub_cancelled_subscribe_fails_and_later_subscribe_works (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) result2 = NULL;
  g_autoptr(GError) error = NULL;
  guint destroyed = 0;
  guint64 sub_id;

  wamp_client_subscribe_async (f->c1, "com.example.topic", NULL, event_ignore, &destroyed, count_destroy,
                               cancellable, wamp_test_store_result, &result);
  g_cancellable_cancel (cancellable);
  /* Sent before the cancelled one's SUBSCRIBED is back: the router answers
   * both with the same ID, and the client must not undo the subscription
   * this one shares. */
  wamp_client_subscribe_async (f->c1, "com.example.topic", NULL, event_collect, g_ptr_array_ref (events),
                               (GDestroyNotify) g_ptr_array_unref, NULL, wamp_test_store_result, &result2);

  g_assert_cmpuint (wamp_client_subscribe_finish (f->c1, wait_result (&result), &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (destroyed, ==, 1);
  sub_id = wamp_client_subscribe_finish (f->c1, wait_result (&result2), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sub_id, !=, 0);

  run_for (50);
  publish (f->c2, "com.example.topic", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (events->len == 1);
  run_for (20);
  g_assert_cmpuint (events->len, ==, 1);
}

/* RPC */

static void
invocation_add (WampClient *client, WampMessage *invocation, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WampValue) result_args = wamp_value_new_list (1);
  g_autoptr(WampPayload) result = NULL;
  WampValue *args = NULL;
  WampValue *kwargs = NULL;
  gint64 sum = 0;

  g_assert_cmpint (wamp_message_get_message_type (invocation), ==, WAMP_MESSAGE_INVOCATION);
  g_assert_true (wamp_payload_get_values (wamp_message_get_payload (invocation), &args, &kwargs, &error));
  g_assert_no_error (error);
  for (gsize i = 0; args != NULL && i < wamp_value_list_length (args); i++)
    sum += wamp_value_get_int (wamp_value_list_get (args, i));
  wamp_value_list_append (result_args, wamp_value_new_int (sum));
  result = wamp_payload_new (result_args, kwargs);
  wamp_client_yield (client, wamp_message_get_request_id (invocation), NULL, result);
}

static void
test_rpc_call_returns_callee_result_with_args_and_kwargs (Fixture *f, gconstpointer data)
{
  g_autoptr(WampPayload) payload = payload_from_json ("[2, 3, 37]", "{\"unit\": \"apples\"}");
  g_autoptr(WampMessage) result = NULL;
  g_autoptr(WampMessage) error_message = NULL;
  g_autoptr(GError) error = NULL;
  guint64 reg_id;

  reg_id = register_procedure (f->c2, "com.example.add", invocation_add, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reg_id, !=, 0);

  result = call (f->c1, "com.example.add", payload, &error_message, &error);
  g_assert_no_error (error);
  g_assert_null (error_message);
  g_assert_nonnull (result);
  g_assert_cmpint (wamp_message_get_message_type (result), ==, WAMP_MESSAGE_RESULT);
  assert_payload (result, "[42]", "{\"unit\": \"apples\"}");
}

static void
invocation_fail (WampClient *client, WampMessage *invocation, gpointer user_data)
{
  g_autoptr(WampPayload) payload = payload_from_json ("[\"it went wrong\", 7]", "{\"code\": 7}");

  wamp_client_yield_error (client, wamp_message_get_request_id (invocation), "com.example.error.oops",
                           NULL, payload);
}

static void
test_rpc_callee_error_reaches_caller_with_uri_and_args (Fixture *f, gconstpointer data)
{
  g_autoptr(WampMessage) result = NULL;
  g_autoptr(WampMessage) error_message = NULL;
  g_autoptr(GError) error = NULL;

  register_procedure (f->c2, "com.example.fail", invocation_fail, NULL, &error);
  g_assert_no_error (error);

  result = call (f->c1, "com.example.fail", NULL, &error_message, &error);
  g_assert_null (result);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_APPLICATION);
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "com.example.error.oops");
  g_assert_cmpstr (error->message, ==, "it went wrong");
  g_assert_nonnull (error_message);
  g_assert_cmpint (wamp_message_get_message_type (error_message), ==, WAMP_MESSAGE_ERROR);
  g_assert_cmpint (wamp_message_get_request_type (error_message), ==, WAMP_MESSAGE_CALL);
  g_assert_cmpstr (wamp_message_get_uri (error_message), ==, "com.example.error.oops");
  assert_payload (error_message, "[\"it went wrong\", 7]", "{\"code\": 7}");
}

static void
test_rpc_unknown_procedure_is_no_such_procedure (Fixture *f, gconstpointer data)
{
  g_autoptr(WampMessage) result = NULL;
  g_autoptr(WampMessage) error_message = NULL;
  g_autoptr(GError) error = NULL;

  result = call (f->c1, "com.example.nobody", NULL, &error_message, &error);
  g_assert_null (result);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PROCEDURE);
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "wamp.error.no_such_procedure");
  g_assert_nonnull (error_message);
}

static void
test_rpc_unregister_makes_procedure_unknown (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint64 reg_id;

  reg_id = register_procedure (f->c2, "com.example.add", invocation_add, NULL, &error);
  g_assert_no_error (error);
  wamp_client_unregister_async (f->c2, reg_id, NULL, wamp_test_store_result, &result);
  g_assert_true (wamp_client_unregister_finish (f->c2, wait_result (&result), &error));
  g_assert_no_error (error);

  reply = call (f->c1, "com.example.add", NULL, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PROCEDURE);
}

typedef struct {
  guint64 request_id;
  WampMessage *interrupt;
} SlowCallee;

static void
invocation_slow (WampClient *client, WampMessage *message, gpointer user_data)
{
  SlowCallee *callee = user_data;

  if (wamp_message_get_message_type (message) == WAMP_MESSAGE_INVOCATION)
    {
      callee->request_id = wamp_message_get_request_id (message);
      return;
    }
  /* The INTERRUPT: answer as a cooperative callee does. */
  g_assert_cmpint (wamp_message_get_message_type (message), ==, WAMP_MESSAGE_INTERRUPT);
  g_assert_cmpuint (wamp_message_get_request_id (message), ==, callee->request_id);
  callee->interrupt = wamp_message_ref (message);
  wamp_client_yield_error (client, callee->request_id, "wamp.error.canceled", NULL, NULL);
}

/* c2 registers com.example.slow, answered by @callee (never on its own);
 * c1 calls it with @options and @cancellable (both nullable), the result
 * going to @result. Returns once the INVOCATION reached @callee. */
static void
start_slow_call (Fixture *f, SlowCallee *callee, WampValue *options, GCancellable *cancellable,
                 GAsyncResult **result)
{
  g_autoptr(GError) error = NULL;

  register_procedure (f->c2, "com.example.slow", invocation_slow, callee, &error);
  g_assert_no_error (error);
  wamp_client_call_async (f->c1, "com.example.slow", options, NULL, cancellable, wamp_test_store_result, result);
  WAIT_FOR (callee->request_id != 0);
}

static void
test_rpc_cancel_kill_interrupts_callee_and_fails_canceled (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  SlowCallee callee = { 0 };

  start_slow_call (f, &callee, NULL, cancellable, &result);
  g_cancellable_cancel (cancellable);

  reply = wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_CANCELED);
  g_assert_cmpstr (wamp_error_get_uri (error), ==, "wamp.error.canceled");
  g_assert_nonnull (callee.interrupt);
  g_assert_cmpstr (wamp_value_dict_get_string (wamp_message_get_details (callee.interrupt), "mode"), ==, "kill");
  g_clear_pointer (&callee.interrupt, wamp_message_unref);
}

static void
invocation_progressive (WampClient *client, WampMessage *invocation, gpointer user_data)
{
  g_autoptr(WampValue) progress = value_from_json ("{\"progress\": true}");
  g_autoptr(WampPayload) partial = payload_from_json ("[\"partial\"]", NULL);
  g_autoptr(WampPayload) final = payload_from_json ("[\"final\"]", NULL);
  guint64 id = wamp_message_get_request_id (invocation);

  g_assert_true (wamp_value_dict_get_bool (wamp_message_get_details (invocation), "receive_progress", FALSE));
  wamp_client_yield (client, id, progress, partial);
  wamp_client_yield (client, id, NULL, final);
}

static void
test_rpc_progressive_results_complete_on_final_result (Fixture *f, gconstpointer data)
{
  g_autoptr(WampValue) options = value_from_json ("{\"receive_progress\": true}");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  register_procedure (f->c2, "com.example.progress", invocation_progressive, NULL, &error);
  g_assert_no_error (error);

  wamp_client_call_async (f->c1, "com.example.progress", options, NULL, NULL, wamp_test_store_result, &result);
  reply = wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_false (wamp_value_dict_get_bool (wamp_message_get_details (reply), "progress", FALSE));
  assert_payload (reply, "[\"final\"]", NULL);
}

static void
invocation_unexpected (WampClient *client, WampMessage *invocation, gpointer user_data)
{
  g_assert_not_reached ();
}

static void
test_rpc_cancelled_register_is_undone_at_router (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  guint destroyed = 0;

  wamp_client_register_async (f->c2, "com.example.cancelled", NULL, invocation_unexpected, &destroyed,
                              count_destroy, cancellable, wamp_test_store_result, &result);
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (wamp_client_register_finish (f->c2, wait_result (&result), &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (destroyed, ==, 1);

  /* The late REGISTERED is answered with UNREGISTER. */
  run_for (100);
  reply = call (f->c1, "com.example.cancelled", NULL, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PROCEDURE);
}

/* Pub/Sub, continued: re-entrancy */

typedef struct {
  WampClient *client;
  guint64 sub_id;
  guint n_events;
  GAsyncResult *unsubscribe_result;
} SelfUnsubscriber;

static void
event_unsubscribe_self (WampClient *client, WampMessage *event, gpointer user_data)
{
  SelfUnsubscriber *s = user_data;

  s->n_events++;
  wamp_client_unsubscribe_async (client, s->sub_id, NULL, wamp_test_store_result, &s->unsubscribe_result);
}

static void
test_pubsub_handler_may_unsubscribe_itself (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SelfUnsubscriber s = { 0 };

  wamp_client_subscribe_async (f->c1, "com.example.once", NULL, event_unsubscribe_self, &s, NULL,
                               NULL, wamp_test_store_result, &result);
  s.sub_id = wamp_client_subscribe_finish (f->c1, wait_result (&result), &error);
  g_assert_no_error (error);

  publish (f->c2, "com.example.once", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  publish (f->c2, "com.example.once", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  wait_result (&s.unsubscribe_result);
  g_assert_true (wamp_client_unsubscribe_finish (f->c1, s.unsubscribe_result, &error));
  g_assert_no_error (error);
  g_clear_object (&s.unsubscribe_result);
  run_for (50);
  g_assert_cmpuint (s.n_events, ==, 1);
}

/* Raw messages */

static void
test_raw_reply_to_foreign_request_id_is_ignored (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_message_unref);
  g_autoptr(WampMessage) subscribe_msg = NULL;
  g_autoptr(GError) error = NULL;
  guint64 raw_id;
  guint64 sub_id;

  /* A SUBSCRIBE the client does not know of: its SUBSCRIBED and the EVENT
   * are dropped, and the session goes on. */
  raw_id = wamp_client_next_request_id (f->c1);
  g_assert_cmpuint (raw_id, !=, 0);
  subscribe_msg = wamp_message_new_subscribe (raw_id, NULL, "com.example.raw");
  g_assert_true (wamp_client_send_message (f->c1, subscribe_msg, &error));
  g_assert_no_error (error);
  publish (f->c2, "com.example.raw", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  run_for (50);
  g_assert_true (wamp_client_is_joined (f->c1));

  /* Request IDs the client draws itself do not collide with @raw_id: the
   * subscription (the same at the router) now gets the events. */
  sub_id = subscribe (f->c1, "com.example.raw", events, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sub_id, !=, 0);
  g_assert_cmpuint (wamp_client_next_request_id (f->c1), >, raw_id + 1);
  publish (f->c2, "com.example.raw", "{\"acknowledge\": true}", NULL, &error);
  g_assert_no_error (error);
  WAIT_FOR (events->len == 1);
}

static void
test_raw_router_only_message_gets_abort_and_left (Fixture *f, gconstpointer data)
{
  g_autoptr(WampMessage) welcome = wamp_message_new_welcome (1, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SlowCallee callee = { 0 };

  start_slow_call (f, &callee, NULL, NULL, &result);

  /* WELCOME is the router's to send: the router ABORTs the session. */
  g_assert_true (wamp_client_send_message (f->c1, welcome, &error));
  g_assert_no_error (error);
  WAIT_FOR (f->n_left == 1);
  g_assert_cmpstr (f->left_reason, ==, "wamp.error.protocol_violation");
  g_assert_false (wamp_client_is_joined (f->c1));

  /* The pending call failed with the ABORT's reason. */
  g_assert_null (wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  run_for (20);
  g_clear_pointer (&callee.interrupt, wamp_message_unref);
}

static void
test_rpc_cancel_skip_fails_at_once_without_interrupt (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WampValue) options = value_from_json ("{\"cancel_mode\": \"skip\"}");
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;
  SlowCallee callee = { 0 };

  start_slow_call (f, &callee, options, cancellable, &result);
  /* cancel_mode is the client's, not a CALL option. */
  g_assert_true (wamp_client_is_joined (f->c1));
  g_cancellable_cancel (cancellable);

  reply = wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_CANCELED);
  run_for (50);
  g_assert_null (callee.interrupt);
  /* The callee's late answer is dropped by the router. */
  wamp_client_yield (f->c2, callee.request_id, NULL, NULL);
  run_for (20);
  g_assert_true (wamp_client_is_joined (f->c1));
  g_assert_true (wamp_client_is_joined (f->c2));
}

/* Leaving */

static void
test_join_cancelled_then_joins_again (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) client = wamp_client_new (f->reactor);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  wamp_client_join_async (client, f->url, "json", "realm1", NULL, cancellable, wamp_test_store_result, &result);
  g_cancellable_cancel (cancellable);
  g_assert_false (wamp_client_join_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (wamp_client_is_joined (client));

  /* The abandoned connection attempt does not disturb the next one. */
  join (f, client, "realm1", &error);
  g_assert_no_error (error);
  g_assert_true (wamp_client_is_joined (client));
  run_for (50);
  g_assert_true (wamp_client_is_joined (client));
}

static void
test_join_refused_connection_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) client = wamp_client_new (f->reactor);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* A port that was free a moment ago and has no listener. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", 0));
  g_assert_true (g_socket_bind (socket, G_SOCKET_ADDRESS (address), FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("ws://127.0.0.1:%u/ws", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  wamp_client_join_async (client, url, "json", "realm1", NULL, NULL, wamp_test_store_result, &result);
  g_assert_false (wamp_client_join_finish (client, wait_result (&result), &error));
  g_assert_nonnull (error);
  g_test_message ("refused: %s", error->message);
  g_assert_false (wamp_client_is_joined (client));
}

static void
test_join_unknown_scheme_or_serializer_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(WampClient) client = wamp_client_new (f->reactor);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  wamp_client_join_async (client, "http://127.0.0.1:1/", "json", "realm1", NULL, NULL, wamp_test_store_result, &result);
  g_assert_false (wamp_client_join_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_clear_object (&result);

  wamp_client_join_async (client, f->url, "no-such-serializer", "realm1", NULL, NULL, wamp_test_store_result, &result);
  g_assert_false (wamp_client_join_finish (client, wait_result (&result), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
}

static void
test_dispose_fails_pending_call_with_closed (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SlowCallee callee = { 0 };

  start_slow_call (f, &callee, NULL, NULL, &result);

  /* A pending task holds the client, so only an explicit dispose gets here
   * with one; it completes, once, with G_IO_ERROR_CLOSED. */
  g_object_run_dispose (G_OBJECT (f->c1));
  g_assert_null (wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_false (wamp_client_is_joined (f->c1));
  run_for (50);
  g_clear_pointer (&callee.interrupt, wamp_message_unref);
}

static void
test_unref_closes_session_at_router (Fixture *f, gconstpointer data)
{
  g_autoptr(WampMessage) reply = NULL;
  g_autoptr(GError) error = NULL;

  register_procedure (f->c2, "com.example.add", invocation_add, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&f->c2);

  /* The router learns from the closed connection and drops the registration. */
  run_for (100);
  reply = call (f->c1, "com.example.add", NULL, NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_NO_SUCH_PROCEDURE);
}

static void
test_leave_completes_on_goodbye_without_left_signal (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) call_result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 old_session = wamp_client_get_session_id (f->c1);

  wamp_client_leave_async (f->c1, NULL, NULL, wamp_test_store_result, &result);
  g_assert_true (wamp_client_leave_finish (f->c1, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_false (wamp_client_is_joined (f->c1));
  g_assert_cmpuint (wamp_client_get_session_id (f->c1), ==, 0);
  run_for (20);
  g_assert_cmpuint (f->n_left, ==, 0);

  /* Requests now fail at once... */
  wamp_client_call_async (f->c1, "com.example.add", NULL, NULL, NULL, wamp_test_store_result, &call_result);
  g_assert_null (wamp_client_call_finish (f->c1, wait_result (&call_result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);

  /* ...and the client can join again, as a new session. */
  join (f, f->c1, "realm1", &error);
  g_assert_no_error (error);
  g_assert_true (wamp_client_is_joined (f->c1));
  g_assert_cmpuint (wamp_client_get_session_id (f->c1), !=, 0);
  g_assert_cmpuint (wamp_client_get_session_id (f->c1), !=, old_session);
}

static void
test_router_shutdown_emits_left_with_system_shutdown (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  router_shut_down (f);
  WAIT_FOR (f->n_left == 1);
  g_assert_cmpstr (f->left_reason, ==, "wamp.close.system_shutdown");
  g_assert_false (wamp_client_is_joined (f->c1));
  g_assert_false (wamp_client_is_joined (f->c2));

  wamp_client_publish_async (f->c1, "com.example.topic", NULL, NULL, NULL, wamp_test_store_result, &result);
  wamp_client_publish_finish (f->c1, wait_result (&result), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_object (&f->router);
}

static void
test_disconnect_fails_pending_call_with_closed (Fixture *f, gconstpointer data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  SlowCallee callee = { 0 };

  start_slow_call (f, &callee, NULL, NULL, &result);

  wamp_client_disconnect (f->c1);
  g_assert_null (wamp_client_call_finish (f->c1, wait_result (&result), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_false (wamp_client_is_joined (f->c1));
  g_assert_cmpuint (f->n_left, ==, 1);
  g_assert_cmpstr (f->left_reason, ==, "wamp.close.transport_lost");
  /* The router may have told the callee (killnowait). */
  g_clear_pointer (&callee.interrupt, wamp_message_unref);
}

int
main (int argc, char **argv)
{
  g_autoptr(WampPluginLoader) loader = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampClient against an in-process router over WebSocket and RawSocket, JSON.");

  /* Plugins once per process: their types stay registered. */
  loader = wamp_plugin_loader_new ();
  wamp_plugin_loader_set_use_default_dir (loader, FALSE);
  if (!wamp_plugin_loader_load_all (loader, &error))
    g_printerr ("# loading plugins: %s\n", error->message);

/* Each test once over WebSocket, once over RawSocket. */
#define ADD(path, func)                                                                    \
  G_STMT_START {                                                                           \
    g_test_add (path, Fixture, "ws", fixture_set_up, func, fixture_tear_down);            \
    g_test_add ("/rawsocket" path, Fixture, "rs", fixture_set_up, func, fixture_tear_down); \
  } G_STMT_END
  ADD ("/client/join/gives-distinct-sessions-and-router-roles", test_join_gives_distinct_sessions_and_router_roles);
  ADD ("/client/join/unknown-realm-fails-with-no-such-realm", test_join_unknown_realm_fails_with_no_such_realm);
  ADD ("/client/join/twice-is-refused", test_join_twice_is_refused);
  ADD ("/client/pubsub/acknowledged-publish-reaches-subscriber", test_pubsub_acknowledged_publish_reaches_subscriber);
  ADD ("/client/pubsub/unacknowledged-publish-completes-at-once-and-delivers",
       test_pubsub_unacknowledged_publish_completes_at_once_and_delivers);
  ADD ("/client/pubsub/publisher-is-excluded-unless-exclude-me-false",
       test_pubsub_publisher_is_excluded_unless_exclude_me_false);
  ADD ("/client/pubsub/same-topic-twice-shares-id-and-unsubscribes-on-last",
       test_pubsub_same_topic_twice_shares_id_and_unsubscribes_on_last);
  ADD ("/client/pubsub/cancelled-subscribe-fails-and-later-subscribe-works",
       test_pubsub_cancelled_subscribe_fails_and_later_subscribe_works);
  ADD ("/client/rpc/call-returns-callee-result-with-args-and-kwargs",
       test_rpc_call_returns_callee_result_with_args_and_kwargs);
  ADD ("/client/rpc/callee-error-reaches-caller-with-uri-and-args", test_rpc_callee_error_reaches_caller_with_uri_and_args);
  ADD ("/client/rpc/unknown-procedure-is-no-such-procedure", test_rpc_unknown_procedure_is_no_such_procedure);
  ADD ("/client/rpc/unregister-makes-procedure-unknown", test_rpc_unregister_makes_procedure_unknown);
  ADD ("/client/rpc/cancel-kill-interrupts-callee-and-fails-canceled",
       test_rpc_cancel_kill_interrupts_callee_and_fails_canceled);
  ADD ("/client/leave/completes-on-goodbye-without-left-signal", test_leave_completes_on_goodbye_without_left_signal);
  ADD ("/client/leave/router-shutdown-emits-left-with-system-shutdown",
       test_router_shutdown_emits_left_with_system_shutdown);
  ADD ("/client/leave/disconnect-fails-pending-call-with-closed-and-emits-left", test_disconnect_fails_pending_call_with_closed);
  ADD ("/client/pubsub/handler-may-unsubscribe-itself", test_pubsub_handler_may_unsubscribe_itself);
  ADD ("/client/rpc/progressive-results-complete-on-final-result",
       test_rpc_progressive_results_complete_on_final_result);
  ADD ("/client/rpc/cancelled-register-is-undone-at-router", test_rpc_cancelled_register_is_undone_at_router);
  ADD ("/client/raw/reply-to-foreign-request-id-is-ignored", test_raw_reply_to_foreign_request_id_is_ignored);
  ADD ("/client/raw/router-only-message-gets-abort-and-left", test_raw_router_only_message_gets_abort_and_left);
  ADD ("/client/leave/unref-closes-session-at-router", test_unref_closes_session_at_router);
  ADD ("/client/rpc/cancel-skip-fails-at-once-without-interrupt", test_rpc_cancel_skip_fails_at_once_without_interrupt);
  ADD ("/client/join/cancelled-then-joins-again", test_join_cancelled_then_joins_again);
  ADD ("/client/join/refused-connection-fails", test_join_refused_connection_fails);
  ADD ("/client/join/unknown-scheme-or-serializer-fails", test_join_unknown_scheme_or_serializer_fails);
  ADD ("/client/leave/dispose-fails-pending-call-with-closed", test_dispose_fails_pending_call_with_closed);
#undef ADD

  return g_test_run ();
}
