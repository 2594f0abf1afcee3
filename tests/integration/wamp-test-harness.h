/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The in-process test harness of the integration tests: a router on a
 * "loopback" transport and raw peers that speak JSON frames to it. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/*
 * Usage:
 *
 *   g_autoptr (WampTestRouter) router = wamp_test_router_new (
 *     "{ \"version\": 1,"
 *     "  \"realms\": [{ \"name\": \"realm1\", \"roles\": [...] }],"
 *     "  \"transports\": [{ \"name\": \"lo\", \"type\": \"loopback\","
 *     "                     \"serializers\": [\"json\"] }] }");
 *   g_autoptr (WampTestPeer) peer = wamp_test_peer_new (router, "lo");
 *   guint64 id = wamp_test_peer_join (peer, "realm1", NULL);
 *   wamp_test_peer_send_json (peer, "[32, 1, {}, \"com.example.topic\"]");
 *   wamp_test_peer_expect_match (peer, "[33, 1, \"$any\"]");
 *
 * The loopback transport (extension "loopback" of plugin "test-loopback",
 * registered statically) accepts only the keys name, type, serializers, auth
 * and options ({"fail_start": true} makes its start fail, for rollback tests;
 * {"max_frame_size": N} makes its connections refuse frames above N bytes with
 * WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED, as a RawSocket peer's announced maximum
 * does). Its connections hand the router's frames to the peer's inbox instead
 * of a socket; the peer's frames go to the router
 * synchronously, as they are (so tests may send malformed input). When the
 * router closes a connection, the close is reported back to it on the next
 * main-loop iteration, as a real transport would.
 *
 * Everything runs on the thread-default main context; every wait iterates it
 * with a bound (timeout_ms) and fails the test (g_test_fail + message) rather
 * than hanging.
 *
 * Peers on a binary serializer (msgpack, cbor) are written and read in JSON
 * text too: each frame is translated through a WampMessage both ways (a
 * frame that does not parse goes as it is).
 *
 * Frame patterns: JSON text parsed with wamp_config_parse(); the string
 * "$any" matches any value (a dict key whose pattern is "$any" must still be
 * present); everything else must be equal (wamp_value_equal(); dicts: same keys).
 */

#define WAMP_TEST_ANY "$any"

typedef struct _WampTestRouter WampTestRouter;
typedef struct _WampTestPeer WampTestPeer;

/* Loads the plugins once per process ($WAMPD_PLUGIN_PATH, no default dir)
 * and registers the loopback transport. Called by every constructor below. */
void wamp_test_plugins_ensure (void);
/* Registers a plugin linked into the test program (e.g. a test role), after
 * wamp_test_plugins_ensure(); a refusal fails the test. */
void wamp_test_plugins_add_static (const WampPluginInfo *info);

/* TRUE while the loopback transport @name of the router on @reactor listens
 * (started and not stopped). */
gboolean wamp_test_loopback_is_listening (WampReactor *reactor, const char *name);

/* The serializers the router gave the loopback transport @name, by extension
 * name in its order of preference, comma-separated. Returns: (transfer full). */
char *wamp_test_loopback_get_serializer_names (WampReactor *reactor, const char *name);

/* Builds a reactor and a router from @config_json, configures and starts
 * it. A config or start error fails the test (g_assert_no_error).
 * Returns: (transfer full). */
WampTestRouter *wamp_test_router_new (const char *config_json);
/* As above, but returns NULL with @error set on a parse, config or start error. */
WampTestRouter *wamp_test_router_try_new (const char *config_json, GError **error);
/* Drops the router, which closes every connection still open (peers then
 * report closed); peers may be freed before or after. */
void wamp_test_router_free (WampTestRouter *router);
/* (transfer none) */
WampRouter *wamp_test_router_get_router (WampTestRouter *router);
WampReactor *wamp_test_router_get_reactor (WampTestRouter *router);
/* Runs wamp_router_shutdown_async() and iterates until it completed
 * (at most @timeout_ms; a timeout fails the test). */
void wamp_test_router_shutdown (WampTestRouter *router, int timeout_ms);

/* A raw client on the loopback transport named @transport_name (its config
 * "name") of @router; the router has accepted it on return.
 * Returns: (transfer full). */
WampTestPeer *wamp_test_peer_new (WampTestRouter *router, const char *transport_name);
/* Drops the connection if still open (as a client vanishing) and frees. */
void wamp_test_peer_free (WampTestPeer *peer);

/* Sends @json to the router as one text frame, byte for byte. Nothing
 * happens when the connection is already closed. */
void wamp_test_peer_send_json (WampTestPeer *peer, const char *json);
/* Returns: (transfer full): @json as the frame the peer's serializer sends
 * (the text itself for a text serializer), so a test can build a frame
 * before it starts counting (translating costs serializer work). */
GBytes *wamp_test_peer_encode_json (WampTestPeer *peer, const char *json);
/* Sends @frame (transfer none) to the router as it is. */
void wamp_test_peer_send_frame (WampTestPeer *peer, GBytes *frame);
/* printf-style convenience for wamp_test_peer_send_json(). */
void wamp_test_peer_send_printf (WampTestPeer *peer, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Returns: (transfer full) (nullable): the next frame the router sent to
 * @peer, as text, iterating the main context for at most @timeout_ms; NULL
 * when none arrived (no test failure: use it to prove silence). */
char *wamp_test_peer_expect (WampTestPeer *peer, int timeout_ms);
/* Number of frames received and not yet taken. */
guint wamp_test_peer_get_n_pending (WampTestPeer *peer);

/* Takes the next frame (default timeout 2 s) and asserts it matches
 * @pattern (see "Frame patterns"); fails the test with both texts otherwise.
 * Returns: (transfer full) (nullable): the frame parsed, for further checks;
 * NULL after a failure. */
WampValue *wamp_test_peer_expect_match (WampTestPeer *peer, const char *pattern);

/* As wamp_test_peer_expect_match(), for tests that need only the verdict:
 * TRUE when the next frame matched (else the test is marked failed). */
gboolean wamp_test_peer_expect_frame (WampTestPeer *peer, const char *pattern);

/* Asserts the next frame is [ABORT, Details, @reason] (Details may hold
 * anything) and that the router then closes the connection. */
/* Asserting forms for tests: the next frame matches @pattern; the same,
 * returning element @index as an ID; no frame arrives within 50 ms. */
void wamp_test_peer_assert_frame (WampTestPeer *peer, const char *pattern);
guint64 wamp_test_peer_assert_id (WampTestPeer *peer, const char *pattern, gsize index);
void wamp_test_peer_assert_silence (WampTestPeer *peer);

void wamp_test_peer_expect_abort (WampTestPeer *peer, const char *reason);

/* TRUE once the connection is closed (by the router or by the peer). */
gboolean wamp_test_peer_is_closed (WampTestPeer *peer);
/* Iterates until the router closed the connection, at most @timeout_ms. */
gboolean wamp_test_peer_wait_closed (WampTestPeer *peer, int timeout_ms);
/* The close code and reason the router gave (0/NULL while open or when the
 * peer closed). Reason: (transfer none) (nullable). */
int wamp_test_peer_get_close_code (WampTestPeer *peer);
const char *wamp_test_peer_get_close_reason (WampTestPeer *peer);
/* Drops the connection from the client side (no GOODBYE). */
void wamp_test_peer_close (WampTestPeer *peer);

/* Sends HELLO for @realm with Details {"roles": @roles_json} (NULL: all four
 * client roles with empty features) and asserts a WELCOME comes back.
 * Returns: the session ID (0 after a failure). */
guint64 wamp_test_peer_join (WampTestPeer *peer, const char *realm, const char *roles_json);
/* Returns: (transfer none) (nullable): the last WELCOME.Details seen by
 * wamp_test_peer_join(). */
WampValue *wamp_test_peer_get_welcome_details (WampTestPeer *peer);
/* A peer on the loopback transport @transport_name joined to @realm with
 * the default roles; a failed join fails the test. Returns: (transfer full). */
WampTestPeer *wamp_test_peer_new_joined (WampTestRouter *router, const char *transport_name,
                                         const char *realm);
/* SUBSCRIBE to @topic (request @request_id, no options); asserts SUBSCRIBED.
 * Returns: the subscription ID. */
guint64 wamp_test_peer_subscribe (WampTestPeer *peer, guint64 request_id, const char *topic);
/* REGISTER @procedure (request @request_id, no options); asserts REGISTERED.
 * Returns: the registration ID. */
guint64 wamp_test_peer_register (WampTestPeer *peer, guint64 request_id, const char *procedure);

/* Parses @json (wamp_config_parse); a parse error fails the test.
 * Returns: (transfer full) (nullable). */
WampValue *wamp_test_parse (const char *json);
/* TRUE when @value matches @pattern ("$any" wildcards; see above). */
gboolean wamp_test_value_matches (WampValue *pattern, WampValue *value);
/* TRUE when the frame text @frame matches the pattern text @pattern. */
gboolean wamp_test_frame_matches (const char *frame, const char *pattern);

/* Iterates the main context until @cond (@data) is TRUE or @timeout_ms
 * passed. Returns: the last value of @cond. */
gboolean wamp_test_iterate_until (gboolean (*cond) (gpointer data), gpointer data, int timeout_ms);
/* Iterates the main context for @ms milliseconds. */
void wamp_test_iterate_for (int ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampTestRouter, wamp_test_router_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampTestPeer, wamp_test_peer_free)

G_END_DECLS
