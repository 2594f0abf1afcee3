/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration tests of the dealer role: raw JSON peers on a loopback router. */
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-test-harness.h"


/* Two realms; realm1 has a full "anonymous" role (disclosure allowed under
 * com.open.) and a "limited" role only allowed under com.allowed.. Transport
 * "lo" gives authrole anonymous, "limited" gives authrole limited. */
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
  "    { \"name\": \"realm2\", \"roles\": [" ANONYMOUS_ROLE "] } ],"
  "  \"transports\": ["
  "    { \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"anonymous\": { \"role\": \"anonymous\" } } },"
  "    { \"name\": \"limited\", \"type\": \"loopback\", \"serializers\": [\"json\"],"
  "      \"auth\": { \"anonymous\": { \"role\": \"limited\" } } } ] }";

/* HELLO roles of a client whose callee side announces canceling and
 * progressive results. */
#define CANCELING_ROLES \
  "{\"caller\": {\"features\": {\"call_canceling\": true, \"progressive_call_results\": true}}," \
  " \"callee\": {\"features\": {\"call_canceling\": true, \"progressive_call_results\": true}}}"

typedef struct {
  WampTestRouter *router;
  WampTestPeer *caller;
  WampTestPeer *callee;     /* announces call_canceling and progressive results */
  WampTestPeer *plain;      /* announces no features */
  guint64 caller_id;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->router = wamp_test_router_new (config);
  f->caller = wamp_test_peer_new (f->router, "lo");
  f->callee = wamp_test_peer_new (f->router, "lo");
  f->plain = wamp_test_peer_new (f->router, "lo");
  f->caller_id = wamp_test_peer_join (f->caller, "realm1", CANCELING_ROLES);
  g_assert_cmpuint (f->caller_id, !=, 0);
  g_assert_cmpuint (wamp_test_peer_join (f->callee, "realm1", CANCELING_ROLES), !=, 0);
  g_assert_cmpuint (wamp_test_peer_join (f->plain, "realm1", NULL), !=, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->caller, wamp_test_peer_free);
  g_clear_pointer (&f->callee, wamp_test_peer_free);
  g_clear_pointer (&f->plain, wamp_test_peer_free);
  g_clear_pointer (&f->router, wamp_test_router_free);
}

/* Sends CALL @call_id to com.example.proc (registered by the fixture's
 * callee) and returns the INVOCATION's request ID. */
static guint64
call_pending (Fixture *f, guint64 call_id)
{
  wamp_test_peer_send_printf (f->caller, "[48, %" G_GUINT64_FORMAT ", {}, \"com.example.proc\"]",
                              call_id);
  return wamp_test_peer_assert_id (f->callee, "[68, \"$any\", \"$any\", {}]", 1);
}

static void
test_call_round_trip_passes_payload_byte_for_byte (Fixture *f, gconstpointer data)
{
  /* Spellings a re-encoder would normalise: exponent, escapes, spacing. */
  static const char args[] = "[1.50e3, \"caf\\u00e9\", {\"k\" :  [null,true]}]";
  static const char kwargs[] = "{\"z\": -0.0, \"a\": 18446744073709551615}";
  static const char result_args[] = "[ 2E+2 , \"\\/x\"]";
  guint64 reg = wamp_test_peer_register (f->callee, 1, "com.example.proc");
  g_autofree char *invocation = NULL;
  g_autofree char *result = NULL;
  g_autoptr(WampValue) parsed = NULL;
  guint64 inv_id = 0, reg_id = 0;

  wamp_test_peer_send_printf (f->caller, "[48, 7, {}, \"com.example.proc\", %s, %s]", args, kwargs);
  invocation = wamp_test_peer_expect (f->callee, 2000);
  g_assert_nonnull (invocation);
  g_assert_nonnull (strstr (invocation, args));
  g_assert_nonnull (strstr (invocation, kwargs));
  g_assert_true (wamp_test_frame_matches (invocation, "[68, \"$any\", \"$any\", {}, \"$any\", \"$any\"]"));
  parsed = wamp_test_parse (invocation);
  g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (parsed, 1), &inv_id));
  g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (parsed, 2), &reg_id));
  g_assert_cmpuint (reg_id, ==, reg);

  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, %s]", inv_id, result_args);
  result = wamp_test_peer_expect (f->caller, 2000);
  g_assert_nonnull (result);
  g_assert_nonnull (strstr (result, result_args));
  g_assert_true (wamp_test_frame_matches (result, "[50, 7, {}, \"$any\"]"));
}

static void
test_invocation_ids_are_session_scope_sequential (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  g_assert_cmpuint (call_pending (f, 1), ==, 1);
  g_assert_cmpuint (call_pending (f, 2), ==, 2);
  g_assert_cmpuint (call_pending (f, 3), ==, 3);
}

static void
test_callee_error_passes_through (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 5);
  wamp_test_peer_send_printf (f->callee, "[8, 68, %" G_GUINT64_FORMAT ", {\"x\": 1},"
                              " \"com.example.error.oops\", [\"why\"], {\"code\": 42}]", inv);
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 5, {\"x\": 1}, \"com.example.error.oops\", [\"why\"], {\"code\": 42}]");
}

static void
test_call_unknown_procedure_is_no_such_procedure (Fixture *f, gconstpointer data)
{
  wamp_test_peer_send_json (f->caller, "[48, 1, {}, \"com.example.nobody\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 1, {}, \"wamp.error.no_such_procedure\", \"$any\"]");
}

static void
test_register_twice_is_procedure_already_exists (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  wamp_test_peer_send_json (f->plain, "[64, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->plain, "[8, 64, 1, {}, \"wamp.error.procedure_already_exists\", \"$any\"]");
  wamp_test_peer_send_json (f->callee, "[64, 2, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->callee, "[8, 64, 2, {}, \"wamp.error.procedure_already_exists\", \"$any\"]");
}

static void
test_register_checks_uri_match_and_authorization (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) limited = wamp_test_peer_new (f->router, "limited");

  wamp_test_peer_send_json (f->callee, "[64, 1, {}, \"com..proc\"]");
  wamp_test_peer_assert_frame (f->callee, "[8, 64, 1, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_send_json (f->callee, "[64, 2, {}, \"wamp.session.get\"]");
  wamp_test_peer_assert_frame (f->callee, "[8, 64, 2, {}, \"wamp.error.invalid_uri\", \"$any\"]");
  wamp_test_peer_send_json (f->callee, "[64, 3, {\"match\": \"wildcard\"}, \"com..proc\"]");
  wamp_test_peer_assert_frame (f->callee, "[8, 64, 3, {}, \"wamp.error.invalid_argument\", \"$any\"]");

  wamp_test_peer_join (limited, "realm1", NULL);
  wamp_test_peer_send_json (limited, "[64, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (limited, "[8, 64, 1, {}, \"wamp.error.not_authorized\", \"$any\"]");
  wamp_test_peer_register (limited, 2, "com.allowed.proc");
  wamp_test_peer_send_json (limited, "[48, 3, {}, \"com.example.other\"]");
  wamp_test_peer_assert_frame (limited, "[8, 48, 3, {}, \"wamp.error.not_authorized\", \"$any\"]");
}

static void
test_unregister (Fixture *f, gconstpointer data)
{
  guint64 reg = wamp_test_peer_register (f->callee, 1, "com.example.proc");

  wamp_test_peer_send_json (f->callee, "[66, 2, 987654]");
  wamp_test_peer_assert_frame (f->callee, "[8, 66, 2, {}, \"wamp.error.no_such_registration\"]");
  /* Someone else's registration. */
  wamp_test_peer_send_printf (f->plain, "[66, 1, %" G_GUINT64_FORMAT "]", reg);
  wamp_test_peer_assert_frame (f->plain, "[8, 66, 1, {}, \"wamp.error.no_such_registration\"]");

  wamp_test_peer_send_printf (f->callee, "[66, 3, %" G_GUINT64_FORMAT "]", reg);
  wamp_test_peer_assert_frame (f->callee, "[67, 3]");
  wamp_test_peer_send_json (f->caller, "[48, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 1, {}, \"wamp.error.no_such_procedure\", \"$any\"]");
  wamp_test_peer_send_printf (f->callee, "[66, 4, %" G_GUINT64_FORMAT "]", reg);
  wamp_test_peer_assert_frame (f->callee, "[8, 66, 4, {}, \"wamp.error.no_such_registration\"]");
}

static void
test_cancel_skip (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"skip\"}]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
  wamp_test_peer_assert_silence (f->callee);

  /* The callee's late answer is discarded. */
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [1]]", inv);
  wamp_test_peer_assert_silence (f->caller);
  g_assert_false (wamp_test_peer_is_closed (f->callee));
}

static void
test_cancel_kill_waits_for_callee (Fixture *f, gconstpointer data)
{
  g_autofree char *interrupt = NULL;
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"kill\"}]");
  interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"kill\"}]", inv);
  wamp_test_peer_assert_frame (f->callee, interrupt);
  wamp_test_peer_assert_silence (f->caller);

  wamp_test_peer_send_printf (f->callee, "[8, 68, %" G_GUINT64_FORMAT ", {},"
                              " \"wamp.error.canceled\"]", inv);
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
}

static void
test_cancel_kill_result_may_still_win (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"kill\"}]");
  wamp_test_peer_assert_frame (f->callee, "[69, \"$any\", {\"mode\": \"kill\"}]");
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [\"done\"]]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {}, [\"done\"]]");
}

static void
test_cancel_killnowait (Fixture *f, gconstpointer data)
{
  g_autofree char *interrupt = NULL;
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"killnowait\"}]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
  interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"killnowait\"}]", inv);
  wamp_test_peer_assert_frame (f->callee, interrupt);

  wamp_test_peer_send_printf (f->callee, "[8, 68, %" G_GUINT64_FORMAT ", {},"
                              " \"wamp.error.canceled\"]", inv);
  wamp_test_peer_assert_silence (f->caller);

  /* Without a mode, killnowait. */
  inv = call_pending (f, 4);
  wamp_test_peer_send_json (f->caller, "[49, 4, {}]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 4, {}, \"wamp.error.canceled\"]");
  g_free (interrupt);
  interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"killnowait\"}]", inv);
  wamp_test_peer_assert_frame (f->callee, interrupt);
}

static void
test_cancel_without_callee_support_is_skip (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->plain, 1, "com.example.plain");
  wamp_test_peer_send_json (f->caller, "[48, 3, {}, \"com.example.plain\"]");
  wamp_test_peer_assert_frame (f->plain, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"kill\"}]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
  wamp_test_peer_assert_silence (f->plain);
}

static void
test_cancel_unknown_call_is_ignored (Fixture *f, gconstpointer data)
{
  wamp_test_peer_send_json (f->caller, "[49, 99, {\"mode\": \"skip\"}]");
  wamp_test_peer_assert_silence (f->caller);
  g_assert_false (wamp_test_peer_is_closed (f->caller));
}

static void
test_cancel_bad_mode_is_protocol_violation (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"later\"}]");
  wamp_test_peer_expect_abort (f->caller, "wamp.error.protocol_violation");
  /* The caller is gone: its call is dropped and the callee interrupted. */
  wamp_test_peer_assert_frame (f->callee, "[69, \"$any\", {\"mode\": \"killnowait\"}]");
}

static void
test_caller_leaving_interrupts_canceling_callee (Fixture *f, gconstpointer data)
{
  g_autofree char *interrupt = NULL;
  guint64 inv, plain_inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  wamp_test_peer_register (f->plain, 1, "com.example.plain");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[48, 4, {}, \"com.example.plain\"]");
  plain_inv = wamp_test_peer_assert_id (f->plain, "[68, \"$any\", \"$any\", {}]", 1);

  wamp_test_peer_send_json (f->caller, "[6, {}, \"wamp.close.close_realm\"]");
  wamp_test_peer_assert_frame (f->caller, "[6, {}, \"wamp.close.goodbye_and_out\"]");

  interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"killnowait\"}]", inv);
  wamp_test_peer_assert_frame (f->callee, interrupt);
  /* A callee without call_canceling is not told; its answer is discarded. */
  wamp_test_peer_assert_silence (f->plain);
  wamp_test_peer_send_printf (f->plain, "[70, %" G_GUINT64_FORMAT ", {}]", plain_inv);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}]", inv);
  wamp_test_iterate_for (20);
  g_assert_false (wamp_test_peer_is_closed (f->plain));
  g_assert_false (wamp_test_peer_is_closed (f->callee));
}

static void
test_callee_leaving_cancels_pending_calls (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  call_pending (f, 3);
  call_pending (f, 4);

  wamp_test_peer_close (f->callee);
  wamp_test_iterate_for (20);
  {
    g_autoptr(WampValue) first = wamp_test_peer_expect_match (f->caller,
                                                              "[8, 48, \"$any\", {}, \"wamp.error.canceled\"]");
    g_autoptr(WampValue) second = wamp_test_peer_expect_match (f->caller,
                                                               "[8, 48, \"$any\", {}, \"wamp.error.canceled\"]");
    guint64 a = 0, b = 0;

    g_assert_nonnull (first);
    g_assert_nonnull (second);
    wamp_value_get_unsigned (wamp_value_list_get (first, 2), &a);
    wamp_value_get_unsigned (wamp_value_list_get (second, 2), &b);
    g_assert_cmpuint (a + b, ==, 7);
    g_assert_cmpuint (a * b, ==, 12);
  }
  /* Its registration went with it. */
  wamp_test_peer_send_json (f->caller, "[48, 5, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 5, {}, \"wamp.error.no_such_procedure\", \"$any\"]");
}

static void
test_late_yield_is_discarded_silently (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [1]]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {}, [1]]");

  /* Answered twice: the second is no longer pending. */
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [2]]", inv);
  wamp_test_peer_send_printf (f->callee, "[8, 68, %" G_GUINT64_FORMAT ", {}, \"com.x.error\"]", inv);
  wamp_test_peer_assert_silence (f->caller);
  wamp_test_peer_assert_silence (f->callee);
  g_assert_false (wamp_test_peer_is_closed (f->callee));
}

static void
test_never_issued_yield_id_aborts (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}]", inv + 1);
  wamp_test_peer_expect_abort (f->callee, "wamp.error.protocol_violation");
  /* The callee left: its pending call is canceled. */
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
}

static void
test_never_issued_error_id_aborts (Fixture *f, gconstpointer data)
{
  wamp_test_peer_send_json (f->plain, "[8, 68, 1, {}, \"com.example.error\"]");
  wamp_test_peer_expect_abort (f->plain, "wamp.error.protocol_violation");
}

static void
test_duplicate_pending_call_id_aborts (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  inv = call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[48, 3, {}, \"com.example.proc\"]");
  wamp_test_peer_expect_abort (f->caller, "wamp.error.protocol_violation");
  wamp_test_peer_assert_frame (f->callee, "[69, \"$any\", {\"mode\": \"killnowait\"}]");

  /* Once answered, an ID may be reused. */
  {
    g_autoptr(WampTestPeer) again = wamp_test_peer_new (f->router, "lo");

    wamp_test_peer_join (again, "realm1", NULL);
    wamp_test_peer_send_json (again, "[48, 1, {}, \"com.example.proc\"]");
    inv = wamp_test_peer_assert_id (f->callee, "[68, \"$any\", \"$any\", {}]", 1);
    wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}]", inv);
    wamp_test_peer_assert_frame (again, "[50, 1, {}]");
    wamp_test_peer_send_json (again, "[48, 1, {}, \"com.example.proc\"]");
    wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  }
}

static void
test_caller_disclosure (Fixture *f, gconstpointer data)
{
  g_autofree char *pattern = NULL;

  wamp_test_peer_register (f->callee, 1, "com.open.proc");
  wamp_test_peer_register (f->callee, 2, "com.example.proc");

  wamp_test_peer_send_json (f->caller, "[48, 1, {\"disclose_me\": true}, \"com.open.proc\"]");
  pattern = g_strdup_printf ("[68, \"$any\", \"$any\", {\"caller\": %" G_GUINT64_FORMAT ","
                             " \"caller_authid\": \"$any\", \"caller_authrole\": \"anonymous\"}]",
                             f->caller_id);
  wamp_test_peer_assert_frame (f->callee, pattern);

  wamp_test_peer_send_json (f->caller, "[48, 2, {\"disclose_me\": true}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 2, {}, \"wamp.error.option_disallowed.disclose_me\", \"$any\"]");
  wamp_test_peer_assert_silence (f->callee);
}

static void
test_progressive_results (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  wamp_test_peer_send_json (f->caller, "[48, 3, {\"receive_progress\": true}, \"com.example.proc\"]");
  inv = wamp_test_peer_assert_id (f->callee, "[68, \"$any\", \"$any\", {\"receive_progress\": true}]", 1);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {\"progress\": true}, [1]]",
                              inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {\"progress\": true}, [1]]");
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {\"progress\": true}, [2]]",
                              inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {\"progress\": true}, [2]]");
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [3]]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {}, [3]]");
}

static void
test_call_timeout (Fixture *f, gconstpointer data)
{
  guint64 inv;
  g_autofree char *interrupt = NULL;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  wamp_test_peer_send_json (f->caller, "[48, 3, {\"timeout\": 30}, \"com.example.proc\"]");
  inv = wamp_test_peer_assert_id (f->callee, "[68, \"$any\", \"$any\", {}]", 1);
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.timeout\"]");
  interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"killnowait\","
                               " \"reason\": \"wamp.error.timeout\"}]", inv);
  wamp_test_peer_assert_frame (f->callee, interrupt);
}

static void
test_shared_registration_roundrobin (Fixture *f, gconstpointer data)
{
  guint64 r1, r2;

  wamp_test_peer_send_json (f->callee, "[64, 1, {\"invoke\": \"roundrobin\"}, \"com.example.rr\"]");
  r1 = wamp_test_peer_assert_id (f->callee, "[65, 1, \"$any\"]", 2);
  wamp_test_peer_send_json (f->plain, "[64, 1, {\"invoke\": \"roundrobin\"}, \"com.example.rr\"]");
  r2 = wamp_test_peer_assert_id (f->plain, "[65, 1, \"$any\"]", 2);
  g_assert_cmpuint (r1, ==, r2);
  wamp_test_peer_send_json (f->caller, "[64, 1, {\"invoke\": \"random\"}, \"com.example.rr\"]");
  wamp_test_peer_assert_frame (f->caller,
                               "[8, 64, 1, {}, "
                               "\"wamp.error.procedure_exists_with_different_invocation_policy\", \"$any\"]");

  wamp_test_peer_send_json (f->caller, "[48, 1, {}, \"com.example.rr\"]");
  wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_json (f->caller, "[48, 2, {}, \"com.example.rr\"]");
  wamp_test_peer_assert_frame (f->plain, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_json (f->caller, "[48, 3, {}, \"com.example.rr\"]");
  wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
}

static void
test_realms_are_isolated (Fixture *f, gconstpointer data)
{
  g_autoptr(WampTestPeer) other = wamp_test_peer_new (f->router, "lo");

  wamp_test_peer_join (other, "realm2", NULL);
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  wamp_test_peer_send_json (other, "[48, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (other, "[8, 48, 1, {}, \"wamp.error.no_such_procedure\", \"$any\"]");

  /* The same URI registers independently in realm2. */
  wamp_test_peer_register (other, 2, "com.example.proc");
  wamp_test_peer_send_json (f->caller, "[48, 1, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_assert_silence (other);
}

static void
test_welcome_announces_dealer_features (Fixture *f, gconstpointer data)
{
  WampValue *details = wamp_test_peer_get_welcome_details (f->caller);
  WampValue *roles, *dealer, *features;

  g_assert_nonnull (details);
  roles = wamp_value_dict_lookup (details, "roles");
  g_assert_nonnull (roles);
  dealer = wamp_value_dict_lookup (roles, "dealer");
  g_assert_nonnull (dealer);
  features = wamp_value_dict_lookup (dealer, "features");
  g_assert_nonnull (features);
  g_assert_true (wamp_value_dict_get_bool (features, "call_canceling", FALSE));
  g_assert_true (wamp_value_dict_get_bool (features, "caller_identification", FALSE));
  g_assert_true (wamp_value_dict_get_bool (features, "progressive_call_results", FALSE));
}

static void
test_progress_not_asked_for_is_discarded (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->plain, 1, "com.example.plain");
  /* The plain callee does not announce progressive results: not passed on. */
  wamp_test_peer_send_json (f->caller, "[48, 3, {\"receive_progress\": true}, \"com.example.plain\"]");
  inv = wamp_test_peer_assert_id (f->plain, "[68, \"$any\", \"$any\", {}]", 1);
  wamp_test_peer_send_printf (f->plain, "[70, %" G_GUINT64_FORMAT ", {\"progress\": true}, [1]]",
                              inv);
  wamp_test_peer_assert_silence (f->caller);
  wamp_test_peer_send_printf (f->plain, "[70, %" G_GUINT64_FORMAT ", {}, [2]]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {}, [2]]");
}

static void
test_shared_registration_survives_one_callee_unregistering (Fixture *f, gconstpointer data)
{
  guint64 reg;

  wamp_test_peer_send_json (f->callee, "[64, 1, {\"invoke\": \"first\"}, \"com.example.shared\"]");
  reg = wamp_test_peer_assert_id (f->callee, "[65, 1, \"$any\"]", 2);
  wamp_test_peer_send_json (f->plain, "[64, 1, {\"invoke\": \"first\"}, \"com.example.shared\"]");
  wamp_test_peer_assert_frame (f->plain, "[65, 1, \"$any\"]");

  wamp_test_peer_send_json (f->caller, "[48, 1, {}, \"com.example.shared\"]");
  wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_printf (f->callee, "[66, 2, %" G_GUINT64_FORMAT "]", reg);
  wamp_test_peer_assert_frame (f->callee, "[67, 2]");

  /* The first callee left the registration; the second one serves it now. */
  wamp_test_peer_send_json (f->caller, "[48, 2, {}, \"com.example.shared\"]");
  wamp_test_peer_assert_frame (f->plain, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_assert_silence (f->callee);
}

static void
test_session_calling_itself_then_leaving (Fixture *f, gconstpointer data)
{
  guint64 inv;

  wamp_test_peer_register (f->callee, 1, "com.example.self");
  wamp_test_peer_send_json (f->callee, "[48, 2, {}, \"com.example.self\"]");
  inv = wamp_test_peer_assert_id (f->callee, "[68, \"$any\", \"$any\", {}]", 1);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {\"x\": 1}, [\"me\"]]", inv);
  wamp_test_peer_assert_frame (f->callee, "[50, 2, {}, [\"me\"]]");

  /* Both ends of a pending call leave at once: nothing to tell anyone. */
  wamp_test_peer_send_json (f->callee, "[48, 3, {}, \"com.example.self\"]");
  wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_close (f->callee);
  wamp_test_iterate_for (20);
  wamp_test_peer_assert_silence (f->caller);
  wamp_test_peer_send_json (f->caller, "[48, 4, {}, \"com.example.self\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 4, {}, \"wamp.error.no_such_procedure\", \"$any\"]");
}

static void
test_callee_leaving_during_kill_cancels (Fixture *f, gconstpointer data)
{
  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  call_pending (f, 3);
  wamp_test_peer_send_json (f->caller, "[49, 3, {\"mode\": \"kill\"}]");
  wamp_test_peer_assert_frame (f->callee, "[69, \"$any\", {\"mode\": \"kill\"}]");
  wamp_test_peer_close (f->callee);
  wamp_test_iterate_for (20);
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 3, {}, \"wamp.error.canceled\"]");
}

/* The dealer remembers the registration a caller called last: a procedure
 * unregistered and registered again by someone else is found anew. */
static void
test_caller_follows_re_registration (Fixture *f, gconstpointer data)
{
  guint64 reg = wamp_test_peer_register (f->callee, 1, "com.example.proc");
  guint64 reg2, inv;

  inv = call_pending (f, 1);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 1, {}]");
  /* Another procedure in between, then the first again. */
  wamp_test_peer_send_json (f->caller, "[48, 2, {}, \"com.example.other\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 2, {}, \"wamp.error.no_such_procedure\", \"$any\"]");
  inv = call_pending (f, 3);
  wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}]", inv);
  wamp_test_peer_assert_frame (f->caller, "[50, 3, {}]");

  wamp_test_peer_send_printf (f->callee, "[66, 2, %" G_GUINT64_FORMAT "]", reg);
  wamp_test_peer_assert_frame (f->callee, "[67, 2]");
  wamp_test_peer_send_json (f->caller, "[48, 4, {}, \"com.example.proc\"]");
  wamp_test_peer_assert_frame (f->caller, "[8, 48, 4, {}, \"wamp.error.no_such_procedure\", \"$any\"]");

  reg2 = wamp_test_peer_register (f->plain, 1, "com.example.proc");
  g_assert_cmpuint (reg2, !=, reg);
  wamp_test_peer_send_json (f->caller, "[48, 5, {}, \"com.example.proc\"]");
  g_assert_cmpuint (wamp_test_peer_assert_id (f->plain, "[68, \"$any\", \"$any\", {}]", 2), ==, reg2);
  wamp_test_peer_assert_silence (f->callee);

  /* The callee leaving drops its other registration; the call goes on. */
  wamp_test_peer_register (f->callee, 3, "com.example.other");
  g_clear_pointer (&f->callee, wamp_test_peer_free);
  wamp_test_peer_send_json (f->caller, "[48, 6, {}, \"com.example.proc\"]");
  g_assert_cmpuint (wamp_test_peer_assert_id (f->plain, "[68, \"$any\", \"$any\", {}]", 2), ==, reg2);
}

#define N_CALLERS 12
#define CALLS_EACH 25

/* More sessions than the dealer's tables start with, and more calls in
 * flight than it keeps spare records for; twice, so the second round
 * reuses what the first left. Every answer reaches its own caller. */
static void
test_many_callers_many_pending_calls (Fixture *f, gconstpointer data)
{
  WampTestPeer *callers[N_CALLERS];
  guint round, i, n;

  wamp_test_peer_register (f->callee, 1, "com.example.proc");
  for (i = 0; i < N_CALLERS; i++)
    callers[i] = wamp_test_peer_new_joined (f->router, "lo", "realm1");

  for (round = 0; round < 2; round++)
    {
      for (i = 0; i < N_CALLERS; i++)
        for (n = 1; n <= CALLS_EACH; n++)
          wamp_test_peer_send_printf (callers[i], "[48, %u, {}, \"com.example.proc\", [%u, %u]]",
                                      n, i, n);
      for (n = 0; n < N_CALLERS * CALLS_EACH; n++)
        {
          g_autoptr(WampValue) inv = wamp_test_peer_expect_match (f->callee,
                                                                  "[68, \"$any\", \"$any\", {}, \"$any\"]");
          WampValue *args;
          guint64 inv_id = 0, who = 0, call = 0;

          g_assert_nonnull (inv);
          args = wamp_value_list_get (inv, 4);
          g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (inv, 1), &inv_id));
          g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (args, 0), &who));
          g_assert_true (wamp_value_get_unsigned (wamp_value_list_get (args, 1), &call));
          /* The answer echoes the arguments: it proves which call it ends. */
          wamp_test_peer_send_printf (f->callee, "[70, %" G_GUINT64_FORMAT ", {}, [%" G_GUINT64_FORMAT
                                      ", %" G_GUINT64_FORMAT "]]", inv_id, who, call);
        }
      for (i = 0; i < N_CALLERS; i++)
        for (n = 1; n <= CALLS_EACH; n++)
          {
            g_autofree char *expected = g_strdup_printf ("[50, %u, {}, [%u, %u]]", n, i, n);

            wamp_test_peer_assert_frame (callers[i], expected);
          }
    }

  /* Callers leaving with calls pending: the canceling callee is told. */
  for (i = 0; i < N_CALLERS; i++)
    wamp_test_peer_send_printf (callers[i], "[48, 99, {}, \"com.example.proc\"]");
  for (i = 0; i < N_CALLERS; i++)
    wamp_test_peer_assert_frame (f->callee, "[68, \"$any\", \"$any\", {}]");
  for (i = 0; i < N_CALLERS; i++)
    {
      wamp_test_peer_free (callers[i]);
      wamp_test_peer_assert_frame (f->callee, "[69, \"$any\", {\"mode\": \"killnowait\"}]");
    }
  call_pending (f, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("The dealer role over a loopback router: registrations, calls, canceling");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/dealer/call/round-trip-passes-payload-byte-for-byte",
       test_call_round_trip_passes_payload_byte_for_byte);
  ADD ("/dealer/call/invocation-ids-are-session-scope-sequential",
       test_invocation_ids_are_session_scope_sequential);
  ADD ("/dealer/call/callee-error-passes-through", test_callee_error_passes_through);
  ADD ("/dealer/call/unknown-procedure-is-no-such-procedure",
       test_call_unknown_procedure_is_no_such_procedure);
  ADD ("/dealer/call/duplicate-pending-request-id-aborts", test_duplicate_pending_call_id_aborts);
  ADD ("/dealer/call/disclose-me-allowed-or-option-disallowed", test_caller_disclosure);
  ADD ("/dealer/call/progressive-results-keep-call-pending", test_progressive_results);
  ADD ("/dealer/call/timeout-errors-caller-and-interrupts-callee", test_call_timeout);
  ADD ("/dealer/call/progress-not-asked-for-is-discarded", test_progress_not_asked_for_is_discarded);
  ADD ("/dealer/call/session-calling-itself-then-leaving", test_session_calling_itself_then_leaving);
  ADD ("/dealer/call/caller-follows-re-registration", test_caller_follows_re_registration);
  ADD ("/dealer/call/many-callers-many-pending-calls", test_many_callers_many_pending_calls);
  ADD ("/dealer/register/twice-is-procedure-already-exists",
       test_register_twice_is_procedure_already_exists);
  ADD ("/dealer/register/checks-uri-match-and-authorization",
       test_register_checks_uri_match_and_authorization);
  ADD ("/dealer/register/shared-roundrobin-alternates-callees",
       test_shared_registration_roundrobin);
  ADD ("/dealer/register/shared-survives-one-callee-unregistering",
       test_shared_registration_survives_one_callee_unregistering);
  ADD ("/dealer/unregister/removes-and-unknown-is-no-such-registration", test_unregister);
  ADD ("/dealer/cancel/skip-errors-now-and-discards-answer", test_cancel_skip);
  ADD ("/dealer/cancel/kill-waits-for-callee-error", test_cancel_kill_waits_for_callee);
  ADD ("/dealer/cancel/kill-result-may-still-win", test_cancel_kill_result_may_still_win);
  ADD ("/dealer/cancel/killnowait-is-default-and-errors-now", test_cancel_killnowait);
  ADD ("/dealer/cancel/without-callee-support-behaves-as-skip",
       test_cancel_without_callee_support_is_skip);
  ADD ("/dealer/cancel/unknown-call-is-ignored", test_cancel_unknown_call_is_ignored);
  ADD ("/dealer/cancel/bad-mode-is-protocol-violation", test_cancel_bad_mode_is_protocol_violation);
  ADD ("/dealer/leaving/caller-interrupts-canceling-callee",
       test_caller_leaving_interrupts_canceling_callee);
  ADD ("/dealer/leaving/callee-cancels-pending-calls", test_callee_leaving_cancels_pending_calls);
  ADD ("/dealer/leaving/callee-gone-during-kill-cancels", test_callee_leaving_during_kill_cancels);
  ADD ("/dealer/yield/late-answer-is-discarded-silently", test_late_yield_is_discarded_silently);
  ADD ("/dealer/yield/never-issued-id-aborts", test_never_issued_yield_id_aborts);
  ADD ("/dealer/error/never-issued-id-aborts", test_never_issued_error_id_aborts);
  ADD ("/dealer/realms/procedures-do-not-cross-realms", test_realms_are_isolated);
  ADD ("/dealer/welcome/announces-features", test_welcome_announces_dealer_features);

  return g_test_run ();
}
