/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration tests of the broker role: raw JSON peers on a loopback router. */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-test-harness.h"


/* Two realms; realm1 has a full "anonymous" role (disclosure allowed under
 * com.open.) and a "limited" role only allowed under com.allowed.; realm3
 * discloses by permission alone. Transport "lo" gives authrole anonymous,
 * "limited" gives authrole limited. */
#define ALLOW_ALL "\"allow\": {\"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true}"
#define ANONYMOUS_ROLE \
  "{ \"name\": \"anonymous\", \"permissions\": [" \
  "  { \"uri\": \"\", \"match\": \"prefix\", " ALLOW_ALL "," \
  "    \"disclose\": {\"caller\": false, \"publisher\": false} }," \
  "  { \"uri\": \"com.open.\", \"match\": \"prefix\", " ALLOW_ALL "," \
  "    \"disclose\": {\"caller\": true, \"publisher\": true} } ] }"
#define LIMITED_ROLE \
  "{ \"name\": \"limited\", \"permissions\": [" \
  "  { \"uri\": \"com.allowed.\", \"match\": \"prefix\", " ALLOW_ALL " } ] }"

static const char config[] =
  "{ \"version\": 1,"
  "  \"realms\": ["
  "    { \"name\": \"realm1\", \"roles\": [" ANONYMOUS_ROLE ", " LIMITED_ROLE "] },"
  "    { \"name\": \"realm2\", \"roles\": [" ANONYMOUS_ROLE "] },"
  "    { \"name\": \"realm3\", \"roles\": [" ANONYMOUS_ROLE "],"
  "      \"options\": { \"disclose_by_permission_only\": true } } ],"
  "  \"transports\": ["
  "    { \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } },"
  "    { \"name\": \"limited\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"anonymous\": { \"role\": \"limited\" } } } ] }";

typedef struct {
  WampTestRouter *router;
  WampTestPeer *a, *b, *c;
  guint64 a_id, b_id, c_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->router = wamp_test_router_new (config);
  f->a = wamp_test_peer_new (f->router, "lo");
  f->b = wamp_test_peer_new (f->router, "lo");
  f->c = wamp_test_peer_new (f->router, "lo");
  f->a_id = wamp_test_peer_join (f->a, "realm1", NULL);
  f->b_id = wamp_test_peer_join (f->b, "realm1", NULL);
  f->c_id = wamp_test_peer_join (f->c, "realm1", NULL);
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
  g_clear_pointer (&f->router, wamp_test_router_free);
}

static void
test_subscribe_same_topic_twice_returns_same_id (Fixture *f, gconstpointer data)
{
  guint64 first = wamp_test_peer_subscribe (f->a, 1, "com.example.topic");
  guint64 again = wamp_test_peer_subscribe (f->a, 2, "com.example.topic");
  guint64 other = wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  guint64 elsewhere = wamp_test_peer_subscribe (f->b, 2, "com.example.other");

  g_assert_cmpuint (first, ==, again);
  /* One subscription per topic: all subscribers share its ID (one EVENT). */
  g_assert_cmpuint (first, ==, other);
  g_assert_cmpuint (first, !=, elsewhere);
}

static void
test_publish_reaches_subscribers_but_not_publisher (Fixture *f, gconstpointer data)
{
  guint64 sub = wamp_test_peer_subscribe (f->a, 1, "com.example.topic");
  g_autofree char *event = NULL;

  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_json (f->a, "[16, 2, {}, \"com.example.topic\", [\"hello\"]]");

  event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [\"hello\"]]", sub);
  wamp_test_peer_assert_frame (f->b, event);
  wamp_test_peer_assert_silence (f->a);
  wamp_test_peer_assert_silence (f->c);
}

static void
test_publish_exclude_me_false_delivers_to_publisher (Fixture *f, gconstpointer data)
{
  guint64 sub = wamp_test_peer_subscribe (f->a, 1, "com.example.topic");
  g_autofree char *event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [1]]", sub);

  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_json (f->a, "[16, 2, {\"exclude_me\": false}, \"com.example.topic\", [1]]");
  wamp_test_peer_assert_frame (f->a, event);
  wamp_test_peer_assert_frame (f->b, event);
}

static void
test_publish_acknowledge_returns_published_with_event_publication_id (Fixture *f,
                                                                     gconstpointer data)
{
  guint64 published, delivered;

  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_json (f->a, "[16, 7, {\"acknowledge\": true}, \"com.example.topic\"]");
  published = wamp_test_peer_assert_id (f->a, "[17, 7, \"$any\"]", 2);
  delivered = wamp_test_peer_assert_id (f->b, "[36, \"$any\", \"$any\", {}]", 2);
  g_assert_cmpuint (published, ==, delivered);

  /* Without subscribers too, and without acknowledge nothing comes back. */
  wamp_test_peer_send_json (f->a, "[16, 8, {\"acknowledge\": true}, \"com.example.nobody\"]");
  wamp_test_peer_assert_frame (f->a, "[17, 8, \"$any\"]");
  wamp_test_peer_send_json (f->a, "[16, 9, {}, \"com.example.nobody\"]");
  wamp_test_peer_assert_silence (f->a);
}

static void
test_publish_payload_passes_through_byte_for_byte (Fixture *f, gconstpointer data)
{
  /* Spellings a re-encoder would normalise: exponent, escapes, spacing. */
  static const char args[] = "[1.50e3, \"caf\\u00e9\", {\"k\" :  [null,true]}]";
  static const char kwargs[] = "{\"z\": -0.0, \"a\": 18446744073709551615}";
  g_autofree char *frame = NULL;

  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_printf (f->a, "[16, 2, {}, \"com.example.topic\", %s, %s]", args, kwargs);
  frame = wamp_test_peer_expect (f->b, 2000);
  g_assert_nonnull (frame);
  g_assert_nonnull (strstr (frame, args));
  g_assert_nonnull (strstr (frame, kwargs));
}

static void
test_publish_disclose_me_allowed_adds_publisher (Fixture *f, gconstpointer data)
{
  g_autofree char *event = NULL;

  wamp_test_peer_subscribe (f->b, 1, "com.open.topic");
  wamp_test_peer_send_json (f->a, "[16, 2, {\"disclose_me\": true}, \"com.open.topic\"]");
  event = g_strdup_printf ("[36, \"$any\", \"$any\", {\"publisher\": %" G_GUINT64_FORMAT ","
                           " \"publisher_authid\": \"$any\", \"publisher_authrole\": \"anonymous\"}]",
                           f->a_id);
  wamp_test_peer_assert_frame (f->b, event);

  /* Allowed but not asked for: not disclosed. */
  wamp_test_peer_send_json (f->a, "[16, 3, {}, \"com.open.topic\"]");
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}]");
}

static void
test_publish_disclose_me_denied_is_error (Fixture *f, gconstpointer data)
{
  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_json (f->a, "[16, 2, {\"disclose_me\": true, \"acknowledge\": true},"
                                  " \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 2, {}, \"wamp.error.option_disallowed.disclose_me\", \"$any\"]");
  wamp_test_peer_assert_silence (f->b);
}

static void
test_publish_disclose_by_permission_only (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) pub = wamp_test_peer_new (f->router, "lo");
  g_autoptr(WampTestPeer) sub = wamp_test_peer_new (f->router, "lo");
  guint64 pub_id = wamp_test_peer_join (pub, "realm3", NULL);
  g_autofree char *event = NULL;

  wamp_test_peer_join (sub, "realm3", NULL);
  wamp_test_peer_subscribe (sub, 1, "com.open.topic");
  wamp_test_peer_subscribe (sub, 2, "com.example.topic");

  /* The permission alone decides: disclosed without asking... */
  wamp_test_peer_send_json (pub, "[16, 1, {}, \"com.open.topic\"]");
  event = g_strdup_printf ("[36, \"$any\", \"$any\", {\"publisher\": %" G_GUINT64_FORMAT ","
                           " \"publisher_authid\": \"$any\", \"publisher_authrole\": \"anonymous\"}]",
                           pub_id);
  wamp_test_peer_assert_frame (sub, event);
  /* ...and asking where it is not permitted is no error, just no disclosure. */
  wamp_test_peer_send_json (pub, "[16, 2, {\"disclose_me\": true, \"acknowledge\": true},"
                                 " \"com.example.topic\"]");
  wamp_test_peer_assert_frame (pub, "[17, 2, \"$any\"]");
  wamp_test_peer_assert_frame (sub, "[36, \"$any\", \"$any\", {}]");
}

static void
test_publish_eligible_and_exclude_lists (Fixture *f, gconstpointer data)
{
  wamp_test_peer_subscribe (f->a, 1, "com.example.topic");
  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_subscribe (f->c, 1, "com.example.topic");

  /* eligible: only b (and not the publisher, even if listed). */
  wamp_test_peer_send_printf (f->a, "[16, 2, {\"eligible\": [%" G_GUINT64_FORMAT ", %"
                              G_GUINT64_FORMAT "]}, \"com.example.topic\", [\"e\"]]",
                              f->b_id, f->a_id);
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}, [\"e\"]]");
  wamp_test_peer_assert_silence (f->c);
  wamp_test_peer_assert_silence (f->a);

  /* exclude: everyone but c, publisher included by exclude_me false. */
  wamp_test_peer_send_printf (f->a, "[16, 3, {\"exclude\": [%" G_GUINT64_FORMAT "],"
                              " \"exclude_me\": false}, \"com.example.topic\", [\"x\"]]", f->c_id);
  wamp_test_peer_assert_frame (f->a, "[36, \"$any\", \"$any\", {}, [\"x\"]]");
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}, [\"x\"]]");
  wamp_test_peer_assert_silence (f->c);

  /* Both: eligible b and c, c excluded. */
  wamp_test_peer_send_printf (f->a, "[16, 4, {\"eligible\": [%" G_GUINT64_FORMAT ", %"
                              G_GUINT64_FORMAT "], \"exclude\": [%" G_GUINT64_FORMAT "]},"
                              " \"com.example.topic\", [\"ex\"]]", f->b_id, f->c_id, f->c_id);
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}, [\"ex\"]]");
  wamp_test_peer_assert_silence (f->c);
  wamp_test_peer_assert_silence (f->a);
}

static void
test_publish_authrole_lists (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) limited = wamp_test_peer_new (f->router, "limited");

  wamp_test_peer_join (limited, "realm1", NULL);
  wamp_test_peer_subscribe (limited, 1, "com.allowed.topic");
  wamp_test_peer_subscribe (f->b, 1, "com.allowed.topic");

  wamp_test_peer_send_json (f->a, "[16, 2, {\"exclude_authrole\": [\"limited\"]},"
                                  " \"com.allowed.topic\", [1]]");
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}, [1]]");
  wamp_test_peer_assert_silence (limited);

  wamp_test_peer_send_json (f->a, "[16, 3, {\"eligible_authrole\": [\"limited\"]},"
                                  " \"com.allowed.topic\", [2]]");
  wamp_test_peer_assert_frame (limited, "[36, \"$any\", \"$any\", {}, [2]]");
  wamp_test_peer_assert_silence (f->b);
}

static void
test_publish_malformed_list_option_is_invalid_argument (Fixture *f, gconstpointer data)
{
  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  wamp_test_peer_send_json (f->a, "[16, 2, {\"acknowledge\": true, \"exclude\": \"nobody\"},"
                                  " \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 2, {}, \"wamp.error.invalid_argument\", \"$any\"]");
  wamp_test_peer_assert_silence (f->b);
}

static void
test_unsubscribe_stops_events (Fixture *f, gconstpointer data)
{
  guint64 sub = wamp_test_peer_subscribe (f->b, 1, "com.example.topic");

  wamp_test_peer_subscribe (f->c, 1, "com.example.topic");
  wamp_test_peer_send_printf (f->b, "[34, 2, %" G_GUINT64_FORMAT "]", sub);
  wamp_test_peer_assert_frame (f->b, "[35, 2]");

  wamp_test_peer_send_json (f->a, "[16, 1, {}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->c, "[36, \"$any\", \"$any\", {}]");
  wamp_test_peer_assert_silence (f->b);

  /* A second UNSUBSCRIBE of the same ID: no longer held. */
  wamp_test_peer_send_printf (f->b, "[34, 3, %" G_GUINT64_FORMAT "]", sub);
  wamp_test_peer_assert_frame (f->b, "[8, 34, 3, {}, \"wamp.error.no_such_subscription\"]");
}

static void
test_unsubscribe_unknown_id_is_no_such_subscription (Fixture *f, gconstpointer data)
{
  guint64 sub = wamp_test_peer_subscribe (f->b, 1, "com.example.topic");

  wamp_test_peer_send_json (f->a, "[34, 1, 424242]");
  wamp_test_peer_assert_frame (f->a, "[8, 34, 1, {}, \"wamp.error.no_such_subscription\"]");
  /* An ID that exists but that this session does not hold. */
  wamp_test_peer_send_printf (f->a, "[34, 2, %" G_GUINT64_FORMAT "]", sub);
  wamp_test_peer_assert_frame (f->a, "[8, 34, 2, {}, \"wamp.error.no_such_subscription\"]");
}

static void
test_subscribe_invalid_uri (Fixture *f, gconstpointer data)
{
  wamp_test_peer_send_json (f->a, "[32, 1, {}, \"com..topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 32, 1, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_send_json (f->a, "[32, 2, {}, \"com.my topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 32, 2, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_send_json (f->a, "[16, 3, {\"acknowledge\": true}, \"com..topic\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 3, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  /* Meta topics may be subscribed to, but only the router publishes there. */
  wamp_test_peer_subscribe (f->b, 1, "wamp.session.on_join");
  wamp_test_peer_send_json (f->a, "[16, 4, {\"acknowledge\": true}, \"wamp.session.on_join\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 16, 4, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_assert_silence (f->b);
}

static void
test_subscribe_non_exact_match_is_invalid_argument (Fixture *f, gconstpointer data)
{
  wamp_test_peer_send_json (f->a, "[32, 1, {\"match\": \"prefix\"}, \"com.example\"]");
  wamp_test_peer_assert_frame (f->a, "[8, 32, 1, {}, \"wamp.error.invalid_argument\", \"$any\"]");
  wamp_test_peer_send_json (f->a, "[32, 2, {\"match\": \"exact\"}, \"com.example\"]");
  wamp_test_peer_assert_frame (f->a, "[33, 2, \"$any\"]");
}

static void
test_not_authorized (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) limited = wamp_test_peer_new (f->router, "limited");

  wamp_test_peer_join (limited, "realm1", NULL);
  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");

  wamp_test_peer_send_json (limited, "[32, 1, {}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (limited, "[8, 32, 1, {}, \"wamp.error.not_authorized\", \"$any\"]");
  wamp_test_peer_send_json (limited, "[16, 2, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (limited, "[8, 16, 2, {}, \"wamp.error.not_authorized\", \"$any\"]");
  wamp_test_peer_assert_silence (f->b);

  /* Its own prefix works. */
  wamp_test_peer_subscribe (limited, 3, "com.allowed.topic");
}

static void
test_realms_are_isolated (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) other = wamp_test_peer_new (f->router, "lo");

  wamp_test_peer_join (other, "realm2", NULL);
  wamp_test_peer_subscribe (other, 1, "com.example.topic");
  wamp_test_peer_subscribe (f->b, 1, "com.example.topic");

  wamp_test_peer_send_json (f->a, "[16, 1, {}, \"com.example.topic\", [\"realm1\"]]");
  wamp_test_peer_assert_frame (f->b, "[36, \"$any\", \"$any\", {}, [\"realm1\"]]");
  wamp_test_peer_assert_silence (other);

  wamp_test_peer_send_json (other, "[16, 2, {\"exclude_me\": false}, \"com.example.topic\","
                                   " [\"realm2\"]]");
  wamp_test_peer_assert_frame (other, "[36, \"$any\", \"$any\", {}, [\"realm2\"]]");
  wamp_test_peer_assert_silence (f->b);
}

static void
test_leaving_subscriber_is_dropped (Fixture *f, gconstpointer data)
{
  guint64 sub = wamp_test_peer_subscribe (f->b, 1, "com.example.topic");
  guint64 resub;

  wamp_test_peer_close (f->b);
  g_clear_pointer (&f->b, wamp_test_peer_free);
  wamp_test_iterate_for (20);

  wamp_test_peer_send_json (f->a, "[16, 1, {\"acknowledge\": true}, \"com.example.topic\"]");
  wamp_test_peer_assert_frame (f->a, "[17, 1, \"$any\"]");

  /* The subscription died with its last subscriber: a new one gets a new ID. */
  resub = wamp_test_peer_subscribe (f->c, 1, "com.example.topic");
  g_assert_cmpuint (resub, !=, sub);
}

static void
test_welcome_announces_broker_features (Fixture *f, gconstpointer data)
{
  WampValue *details = wamp_test_peer_get_welcome_details (f->a);
  g_autoptr(WampValue) pattern = wamp_test_parse (
    "{\"publisher_exclusion\": true, \"publisher_identification\": true,"
    " \"subscriber_blackwhite_listing\": true}");
  WampValue *roles, *broker, *features;

  g_assert_nonnull (details);
  roles = wamp_value_dict_lookup (details, "roles");
  g_assert_nonnull (roles);
  broker = wamp_value_dict_lookup (roles, "broker");
  g_assert_nonnull (broker);
  features = wamp_value_dict_lookup (broker, "features");
  g_assert_nonnull (features);
  g_assert_true (wamp_value_equal (features, pattern));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The broker role over a loopback router: subscriptions, events, options");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/broker/subscribe/same-topic-twice-returns-same-id",
       test_subscribe_same_topic_twice_returns_same_id);
  ADD ("/broker/uri/invalid-or-reserved-is-invalid-uri", test_subscribe_invalid_uri);
  ADD ("/broker/subscribe/non-exact-match-is-invalid-argument",
       test_subscribe_non_exact_match_is_invalid_argument);
  ADD ("/broker/authorization/role-without-permission-is-not-authorized", test_not_authorized);
  ADD ("/broker/publish/reaches-subscribers-but-not-publisher",
       test_publish_reaches_subscribers_but_not_publisher);
  ADD ("/broker/publish/exclude-me-false-delivers-to-publisher",
       test_publish_exclude_me_false_delivers_to_publisher);
  ADD ("/broker/publish/acknowledge-returns-published-with-event-publication-id",
       test_publish_acknowledge_returns_published_with_event_publication_id);
  ADD ("/broker/publish/payload-passes-through-byte-for-byte",
       test_publish_payload_passes_through_byte_for_byte);
  ADD ("/broker/publish/disclose-me-allowed-adds-publisher",
       test_publish_disclose_me_allowed_adds_publisher);
  ADD ("/broker/publish/disclose-me-denied-is-option-disallowed",
       test_publish_disclose_me_denied_is_error);
  ADD ("/broker/publish/disclose-by-permission-only-realm-option",
       test_publish_disclose_by_permission_only);
  ADD ("/broker/publish/eligible-and-exclude-session-lists",
       test_publish_eligible_and_exclude_lists);
  ADD ("/broker/publish/eligible-and-exclude-authrole-lists", test_publish_authrole_lists);
  ADD ("/broker/publish/malformed-list-option-is-invalid-argument",
       test_publish_malformed_list_option_is_invalid_argument);
  ADD ("/broker/unsubscribe/stops-events", test_unsubscribe_stops_events);
  ADD ("/broker/unsubscribe/unknown-id-is-no-such-subscription",
       test_unsubscribe_unknown_id_is_no_such_subscription);
  ADD ("/broker/leaving/subscriber-is-dropped", test_leaving_subscriber_is_dropped);
  ADD ("/broker/realms/events-do-not-cross-realms", test_realms_are_isolated);
  ADD ("/broker/welcome/announces-features", test_welcome_announces_broker_features);

  return g_test_run ();
}
