/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration tests of serializers in routing: payload passthrough and
 * serialize-once proven by the core's counters, values a receiver's format
 * cannot carry, frames above a receiver's limit, and the nesting limit. */
#include <math.h>
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-counters-private.h"
#include "wamp-test-harness.h"

/* ---- "tjson": a second serializer for cross-serializer routing ------------
 *
 * JSON text on the wire with two tags, so that it carries what JSON cannot
 * (as MessagePack and CBOR do): the string "$nan" is a NaN double and a
 * string "$nul:REST" is a string U+0000 REST. Frames are deserialized by the
 * "json" plugin and re-labelled, so the payload stays raw (spans of the
 * frame) under this serializer; any payload is written from its values. */

#define TEST_TYPE_TAGGED_SERIALIZER (test_tagged_serializer_get_type ())
G_DECLARE_FINAL_TYPE (TestTaggedSerializer, test_tagged_serializer, TEST, TAGGED_SERIALIZER, GObject)

struct _TestTaggedSerializer
{
  GObject parent_instance;
};

static void test_tagged_serializer_iface_init (WampSerializerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestTaggedSerializer, test_tagged_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER,
                                                      test_tagged_serializer_iface_init))

#define NUL_TAG "$nul:"

static WampSerializer *
json_serializer (void)
{
  WampSerializer *json = wamp_serializer_lookup ("json");

  g_assert_nonnull (json);
  return json;
}

typedef WampValue *(*LeafMap) (WampValue *leaf);

/* Returns: (transfer full): @value with every scalar passed through @map. */
static WampValue *
map_value (WampValue *value, LeafMap map)
{
  WampValue *out;

  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_LIST:
      out = wamp_value_new_list (wamp_value_list_length (value));
      for (gsize i = 0; i < wamp_value_list_length (value); i++)
        wamp_value_list_append (out, map_value (wamp_value_list_get (value, i), map));
      return out;
    case WAMP_VALUE_DICT:
      out = wamp_value_new_dict (wamp_value_dict_size (value));
      for (gsize i = 0; i < wamp_value_dict_size (value); i++)
        {
          gsize key_len;
          const char *key = wamp_value_dict_get_key (value, i, &key_len);

          wamp_value_dict_insert_len (out, key, key_len,
                                      map_value (wamp_value_dict_get_value (value, i), map));
        }
      return out;
    default:
      return map (value);
    }
}

static WampValue *
untag_leaf (WampValue *leaf)
{
  gsize len;
  const char *s;

  if (wamp_value_get_value_type (leaf) != WAMP_VALUE_STRING)
    return wamp_value_ref (leaf);
  s = wamp_value_get_string (leaf, &len);
  if (g_strcmp0 (s, "$nan") == 0)
    return wamp_value_new_double (NAN);
  if (len >= strlen (NUL_TAG) && memcmp (s, NUL_TAG, strlen (NUL_TAG)) == 0)
    {
      g_autofree char *untagged = g_malloc (len - strlen (NUL_TAG) + 1);

      untagged[0] = '\0';
      memcpy (untagged + 1, s + strlen (NUL_TAG), len - strlen (NUL_TAG));
      return wamp_value_new_string_len (untagged, len - strlen (NUL_TAG) + 1);
    }
  return wamp_value_ref (leaf);
}

static WampValue *
tag_leaf (WampValue *leaf)
{
  gsize len;
  const char *s;

  if (wamp_value_get_value_type (leaf) == WAMP_VALUE_DOUBLE && isnan (wamp_value_get_double (leaf)))
    return wamp_value_new_string ("$nan");
  if (wamp_value_get_value_type (leaf) != WAMP_VALUE_STRING)
    return wamp_value_ref (leaf);
  s = wamp_value_get_string (leaf, &len);
  if (len > 0 && s[0] == '\0')
    {
      g_autoptr(GString) tagged = g_string_new (NUL_TAG);

      g_string_append_len (tagged, s + 1, (gssize) len - 1);
      return wamp_value_new_string_len (tagged->str, tagged->len);
    }
  return wamp_value_ref (leaf);
}

static const char *
tagged_get_name (WampSerializer *serializer)
{
  return "tjson";
}

static const char *
tagged_get_subprotocol (WampSerializer *serializer)
{
  return "wamp.2.tjson";
}

static gboolean
tagged_is_binary (WampSerializer *serializer)
{
  return FALSE;
}

/* Returns: (transfer full): @message's envelope with @payload. */
static WampMessage *
with_payload (WampMessage *message, WampPayload *payload, GError **error)
{
  gsize n_fields = wamp_message_get_n_fields (message);
  g_autofree WampValue **fields = g_new (WampValue *, n_fields);

  for (gsize i = 0; i < n_fields; i++)
    fields[i] = wamp_message_get_field (message, i);
  return wamp_message_new_from_fields (fields, n_fields, payload, error);
}

static WampMessage *
tagged_deserialize (WampSerializer *serializer, GBytes *frame, GError **error)
{
  WampSerializer *json = json_serializer ();
  g_autoptr(WampMessage) message = WAMP_SERIALIZER_GET_IFACE (json)->deserialize (json, frame, error);
  const guint8 *data = g_bytes_get_data (frame, NULL);
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;
  g_autoptr(WampPayload) payload = NULL;

  if (message == NULL)
    return NULL;
  if (wamp_message_get_payload (message) == NULL)
    return g_steal_pointer (&message);

  g_assert_true (wamp_payload_get_raw (wamp_message_get_payload (message), json,
                                       &args, &args_len, &kwargs, &kwargs_len));
  payload = wamp_payload_new_raw (serializer, frame,
                                  args != NULL ? (gsize) (args - data) : 0, args_len,
                                  kwargs != NULL ? (gsize) (kwargs - data) : 0, kwargs_len);
  return with_payload (message, payload, error);
}

static GBytes *
tagged_serialize (WampSerializer *serializer, WampMessage *message, GError **error)
{
  WampSerializer *json = json_serializer ();
  WampPayload *payload = wamp_message_get_payload (message);
  g_autoptr(WampMessage) tagged = NULL;

  if (payload != NULL)
    {
      WampValue *args = NULL, *kwargs = NULL;
      g_autoptr(WampValue) tagged_args = NULL;
      g_autoptr(WampValue) tagged_kwargs = NULL;
      g_autoptr(WampPayload) tagged_payload = NULL;

      if (!wamp_payload_get_values (payload, &args, &kwargs, error))
        return NULL;
      tagged_args = args != NULL ? map_value (args, tag_leaf) : NULL;
      tagged_kwargs = kwargs != NULL ? map_value (kwargs, tag_leaf) : NULL;
      tagged_payload = wamp_payload_new (tagged_args, tagged_kwargs);
      tagged = with_payload (message, tagged_payload, error);
    }
  else
    {
      tagged = wamp_message_ref (message);
    }
  if (tagged == NULL)
    return NULL;
  /* The vfunc, not the caching wrapper: the counters see one serialization
   * of this serializer, none of "json". */
  return WAMP_SERIALIZER_GET_IFACE (json)->serialize (json, tagged, error);
}

static GBytes *
tagged_encode_value (WampSerializer *serializer, WampValue *value, GError **error)
{
  WampSerializer *json = json_serializer ();
  g_autoptr(WampValue) tagged = map_value (value, tag_leaf);

  return WAMP_SERIALIZER_GET_IFACE (json)->encode_value (json, tagged, error);
}

static WampValue *
tagged_decode_value (WampSerializer *serializer, const guint8 *data, gsize len, GError **error)
{
  WampSerializer *json = json_serializer ();
  g_autoptr(WampValue) value = WAMP_SERIALIZER_GET_IFACE (json)->decode_value (json, data, len, error);

  return value != NULL ? map_value (value, untag_leaf) : NULL;
}

static void
test_tagged_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->get_name = tagged_get_name;
  iface->get_subprotocol = tagged_get_subprotocol;
  iface->is_binary = tagged_is_binary;
  iface->deserialize = tagged_deserialize;
  iface->serialize = tagged_serialize;
  iface->encode_value = tagged_encode_value;
  iface->decode_value = tagged_decode_value;
}

static void
test_tagged_serializer_class_init (TestTaggedSerializerClass *klass)
{
}

static void
test_tagged_serializer_init (TestTaggedSerializer *self)
{
}

static gboolean
tagged_register (WampPluginContext *context, GError **error)
{
  return wamp_plugin_context_add_extension (context, WAMP_SERIALIZER_EXTENSION_POINT,
                                            TEST_TYPE_TAGGED_SERIALIZER, "tjson", error);
}

static const WampPluginInfo tagged_plugin = {
  WAMP_ABI_MAJOR, WAMP_ABI_MINOR, "test-serializer-tjson", "0", "LGPL-2.1-or-later",
  "JSON with NaN and leading-NUL tags, for the serialization tests", tagged_register, { NULL, }
};

/* ---- routers and peers -------------------------------------------------- */

/* "lo": JSON; "lt": tjson; "small": JSON, frames above 1000 bytes refused. */
#define ALLOW_ALL "\"allow\": {\"call\": true, \"register\": true, \"publish\": true, \"subscribe\": true}"
#define AUTH "\"auth\": { \"anonymous\": { \"role\": \"anonymous\" } }"
#define REALMS \
  "  \"realms\": [ { \"name\": \"realm1\", \"roles\": [ { \"name\": \"anonymous\"," \
  "    \"permissions\": [ { \"uri\": \"\", \"match\": \"prefix\", " ALLOW_ALL " } ] } ] } ],"
#define TRANSPORTS \
  "  \"transports\": [" \
  "    { \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"], " AUTH " }," \
  "    { \"name\": \"lt\", \"type\": \"loopback\", \"serializers\": [\"tjson\"], " AUTH " }," \
  "    { \"name\": \"small\", \"type\": \"loopback\", \"serializers\": [\"json\"], " AUTH "," \
  "      \"options\": { \"max_frame_size\": 1000 } } ]"

static const char config[] = "{ \"version\": 1," REALMS TRANSPORTS "}";

typedef struct {
  WampTestRouter *router;
  GPtrArray *peers; /* WampTestPeer */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->router = wamp_test_router_new (config);
  f->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_test_peer_free);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->peers, g_ptr_array_unref);
  g_clear_pointer (&f->router, wamp_test_router_free);
}

/* Returns: (transfer none): a joined peer on @transport, freed with @f. */
static WampTestPeer *
join (Fixture *f, const char *transport)
{
  WampTestPeer *peer = wamp_test_peer_new_joined (f->router, transport, "realm1");

  g_ptr_array_add (f->peers, peer);
  return peer;
}

static WampSerializer *
tagged_serializer (void)
{
  WampSerializer *tjson = wamp_serializer_lookup ("tjson");

  g_assert_nonnull (tjson);
  return tjson;
}

/* ---- payload passthrough and serialize once ----------------------------- */

static void
test_fanout_same_serializer_decodes_nothing_and_serializes_once (Fixture *f, gconstpointer data)
{
  WampTestPeer *publisher = join (f, "lo");
  g_autofree char *event = NULL;
  WampCounters counters;
  guint64 sub = 0;

  for (guint i = 0; i < 1000; i++)
    sub = wamp_test_peer_subscribe (join (f, "lo"), 1, "com.example.fanout");

  wamp_counters_reset ();
  wamp_test_peer_send_json (publisher, "[16, 7, {}, \"com.example.fanout\", [1, \"two\", 3.5],"
                                       " {\"k\": [true, null]}]");
  wamp_counters_get (&counters);

  event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [1, \"two\", 3.5],"
                           " {\"k\": [true, null]}]", sub);
  for (guint i = 1; i < f->peers->len; i++)
    {
      WampTestPeer *subscriber = g_ptr_array_index (f->peers, i);

      g_assert_cmpuint (wamp_test_peer_get_n_pending (subscriber), ==, 1);
      if (i == 1 || i == f->peers->len - 1)
        wamp_test_peer_assert_frame (subscriber, event);
    }
  g_assert_cmpuint (counters.payload_decodes, ==, 0);
  g_assert_cmpuint (counters.value_decodes, ==, 0);
  g_assert_cmpuint (counters.serializations, ==, 1);
  g_assert_cmpuint (wamp_counters_get_serializations (json_serializer ()), ==, 1);
}

static void
test_fanout_two_serializers_decodes_once_and_serializes_once_each (Fixture *f, gconstpointer data)
{
  WampTestPeer *json_publisher = join (f, "lo");
  WampTestPeer *tagged_publisher = join (f, "lt");
  g_autoptr(GPtrArray) subscribers = g_ptr_array_new ();
  g_autofree char *event = NULL;
  WampCounters counters;
  guint64 sub = 0;

  for (guint i = 0; i < 6; i++)
    {
      WampTestPeer *peer = join (f, i % 2 == 0 ? "lo" : "lt");

      sub = wamp_test_peer_subscribe (peer, 1, "com.example.mixed");
      g_ptr_array_add (subscribers, peer);
    }
  event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [\"a\", 1], {\"b\": 2}]", sub);

  /* JSON's raw payload: decoded once for tjson, passed through for JSON. */
  wamp_counters_reset ();
  wamp_test_peer_send_json (json_publisher, "[16, 1, {}, \"com.example.mixed\", [\"a\", 1], {\"b\": 2}]");
  wamp_counters_get (&counters);
  for (guint i = 0; i < subscribers->len; i++)
    wamp_test_peer_assert_frame (g_ptr_array_index (subscribers, i), event);
  g_assert_cmpuint (counters.payload_decodes, ==, 1);
  g_assert_cmpuint (counters.serializations, ==, 2);
  g_assert_cmpuint (wamp_counters_get_serializations (json_serializer ()), ==, 1);
  g_assert_cmpuint (wamp_counters_get_serializations (tagged_serializer ()), ==, 1);

  /* And the other way round. */
  wamp_counters_reset ();
  wamp_test_peer_send_json (tagged_publisher, "[16, 1, {}, \"com.example.mixed\", [\"a\", 1], {\"b\": 2}]");
  wamp_counters_get (&counters);
  for (guint i = 0; i < subscribers->len; i++)
    wamp_test_peer_assert_frame (g_ptr_array_index (subscribers, i), event);
  g_assert_cmpuint (counters.payload_decodes, ==, 1);
  g_assert_cmpuint (counters.serializations, ==, 2);
  g_assert_cmpuint (wamp_counters_get_serializations (json_serializer ()), ==, 1);
  g_assert_cmpuint (wamp_counters_get_serializations (tagged_serializer ()), ==, 1);
}

static void
test_call_same_serializer_decodes_nothing (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lo");
  WampTestPeer *caller = join (f, "lo");
  g_autofree char *invocation = NULL;
  WampCounters counters;
  guint64 invocation_id;

  wamp_test_peer_register (callee, 1, "com.example.echo");
  wamp_counters_reset ();

  /* Odd spacing and a float written as 2.50: only the sender's own bytes
   * can reach the callee like this. */
  wamp_test_peer_send_json (caller, "[48, 5, {}, \"com.example.echo\", [1,  2.50, \"x\"], {\"k\":1}]");
  invocation = wamp_test_peer_expect (callee, 2000);
  g_assert_nonnull (invocation);
  g_assert_nonnull (strstr (invocation, "[1,  2.50, \"x\"],{\"k\":1}]"));
  g_assert_true (wamp_test_frame_matches (invocation, "[68, \"$any\", \"$any\", {}, [1, 2.5, \"x\"], {\"k\": 1}]"));
  {
    g_autoptr(WampValue) parsed = wamp_test_parse (invocation);

    invocation_id = wamp_value_get_int (wamp_value_list_get (parsed, 1));
  }
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, [ \"done\" ]]", invocation_id);
  wamp_test_peer_assert_frame (caller, "[50, 5, {}, [\"done\"]]");

  wamp_counters_get (&counters);
  g_assert_cmpuint (counters.payload_decodes, ==, 0);
  g_assert_cmpuint (counters.value_decodes, ==, 0);
  g_assert_cmpuint (counters.value_encodes, ==, 0);
  /* INVOCATION and RESULT. */
  g_assert_cmpuint (wamp_counters_get_serializations (json_serializer ()), ==, 2);
}

/* ---- unrepresentable values --------------------------------------------- */

static void
check_event_skips_json_subscribers (Fixture *f, const char *args, const char *tagged_args)
{
  WampTestPeer *publisher = join (f, "lt");
  WampTestPeer *tagged_subscriber = join (f, "lt");
  WampTestPeer *json_subscribers[3];
  g_autofree char *tagged_event = NULL;
  g_autofree char *later_event = NULL;
  WampCounters counters;
  guint64 sub = 0;

  for (guint i = 0; i < G_N_ELEMENTS (json_subscribers); i++)
    {
      json_subscribers[i] = join (f, "lo");
      wamp_test_peer_subscribe (json_subscribers[i], 1, "com.example.values");
    }
  sub = wamp_test_peer_subscribe (tagged_subscriber, 1, "com.example.values");

  wamp_counters_reset ();
  wamp_test_peer_send_printf (publisher, "[16, 1, {}, \"com.example.values\", %s]", args);
  tagged_event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, %s]", sub, tagged_args);
  wamp_test_peer_assert_frame (tagged_subscriber, tagged_event);
  for (guint i = 0; i < G_N_ELEMENTS (json_subscribers); i++)
    wamp_test_peer_assert_silence (json_subscribers[i]);
  wamp_counters_get (&counters);
  /* JSON is tried once for all three JSON subscribers. */
  g_assert_cmpuint (counters.serialization_failures, ==, 1);
  g_assert_cmpuint (wamp_counters_get_serializations (json_serializer ()), ==, 1);

  /* Nothing is corrupted: the next event reaches everyone. */
  wamp_test_peer_send_json (publisher, "[16, 2, {}, \"com.example.values\", [\"fine\"]]");
  later_event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [\"fine\"]]", sub);
  wamp_test_peer_assert_frame (tagged_subscriber, later_event);
  for (guint i = 0; i < G_N_ELEMENTS (json_subscribers); i++)
    wamp_test_peer_assert_frame (json_subscribers[i], later_event);
}

static void
test_event_with_nan_skips_json_subscribers (Fixture *f, gconstpointer data)
{
  check_event_skips_json_subscribers (f, "[1, {\"deep\": [\"$nan\"]}]", "[1, {\"deep\": [\"$nan\"]}]");
}

static void
test_event_with_leading_nul_skips_json_subscribers (Fixture *f, gconstpointer data)
{
  check_event_skips_json_subscribers (f, "[], {\"s\": \"$nul:abc\"}", "[], {\"s\": \"$nul:abc\"}");
}

static void
test_event_with_inner_nul_reaches_json_subscribers (Fixture *f, gconstpointer data)
{
  WampTestPeer *publisher = join (f, "lt");
  WampTestPeer *json_subscriber = join (f, "lo");
  guint64 sub = wamp_test_peer_subscribe (json_subscriber, 1, "com.example.values");
  g_autofree char *frame = NULL;
  g_autofree char *pattern = NULL;

  /* U+0000 inside a string is fine for JSON; only a leading one is not.
   * (The frame is checked as text: json-glib, which the patterns use, cuts
   * strings at NUL.) */
  wamp_test_peer_send_json (publisher, "[16, 1, {}, \"com.example.values\", [\"a\\u0000b\"]]");
  frame = wamp_test_peer_expect (json_subscriber, 2000);
  g_assert_nonnull (frame);
  pattern = g_strdup_printf ("[36,%" G_GUINT64_FORMAT ",", sub);
  g_assert_true (g_str_has_prefix (frame, pattern));
  g_assert_true (g_str_has_suffix (frame, ",{},[\"a\\u0000b\"]]"));
}

static void
test_invocation_unrepresentable_for_callee_is_invalid_argument (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lo");
  WampTestPeer *caller = join (f, "lt");

  wamp_test_peer_register (callee, 1, "com.example.proc");
  wamp_test_peer_send_json (caller, "[48, 3, {}, \"com.example.proc\", [\"$nan\"]]");
  wamp_test_peer_assert_frame (caller, "[8, 48, 3, {}, \"wamp.error.invalid_argument\", [\"$any\"]]");
  wamp_test_peer_assert_silence (callee);

  /* The callee is still reachable. */
  wamp_test_peer_send_json (caller, "[48, 4, {}, \"com.example.proc\", [1.5]]");
  wamp_test_peer_assert_frame (callee, "[68, \"$any\", \"$any\", {}, [1.5]]");
}

static guint64
expect_invocation (WampTestPeer *callee, const char *pattern)
{
  return wamp_test_peer_assert_id (callee, pattern, 1);
}

static void
test_result_unrepresentable_for_caller_is_error (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lt");
  WampTestPeer *caller = join (f, "lo");
  guint64 id;

  wamp_test_peer_register (callee, 1, "com.example.proc");
  wamp_test_peer_send_json (caller, "[48, 3, {}, \"com.example.proc\", []]");
  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {}, []]");
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, [\"$nan\"]]", id);
  wamp_test_peer_assert_frame (caller, "[8, 48, 3, {}, \"wamp.error.invalid_argument\", [\"$any\"]]");

  /* The session is fine: a representable answer to the next call arrives. */
  wamp_test_peer_send_json (caller, "[48, 4, {}, \"com.example.proc\"]");
  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, [\"ok\"]]", id);
  wamp_test_peer_assert_frame (caller, "[50, 4, {}, [\"ok\"]]");
}

static void
test_error_unrepresentable_for_caller_is_invalid_argument (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lt");
  WampTestPeer *caller = join (f, "lo");
  guint64 id;

  wamp_test_peer_register (callee, 1, "com.example.proc");
  wamp_test_peer_send_json (caller, "[48, 3, {}, \"com.example.proc\"]");
  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_printf (callee, "[8, 68, %" G_GUINT64_FORMAT ", {}, \"com.example.oops\","
                              " [\"$nul:x\"]]", id);
  wamp_test_peer_assert_frame (caller, "[8, 48, 3, {}, \"wamp.error.invalid_argument\", [\"$any\"]]");
  wamp_test_peer_assert_silence (caller);
}

#define PROGRESS_ROLES \
  "{\"caller\": {\"features\": {\"call_canceling\": true, \"progressive_call_results\": true}}," \
  " \"callee\": {\"features\": {\"call_canceling\": true, \"progressive_call_results\": true}}}"

static void
test_progressive_result_unrepresentable_ends_the_call (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = wamp_test_peer_new (f->router, "lt");
  WampTestPeer *caller = wamp_test_peer_new (f->router, "lo");
  guint64 id;

  g_ptr_array_add (f->peers, callee);
  g_ptr_array_add (f->peers, caller);
  g_assert_cmpuint (wamp_test_peer_join (callee, "realm1", PROGRESS_ROLES), !=, 0);
  g_assert_cmpuint (wamp_test_peer_join (caller, "realm1", PROGRESS_ROLES), !=, 0);
  wamp_test_peer_register (callee, 1, "com.example.progress");

  wamp_test_peer_send_json (caller, "[48, 3, {\"receive_progress\": true}, \"com.example.progress\"]");
  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {\"receive_progress\": true}]");
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {\"progress\": true}, [1]]", id);
  wamp_test_peer_assert_frame (caller, "[50, 3, {\"progress\": true}, [1]]");

  /* A progressive result the caller cannot receive ends the call: ERROR
   * for the caller, INTERRUPT for the callee, and what it yields later is
   * discarded. */
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {\"progress\": true}, [\"$nan\"]]", id);
  wamp_test_peer_assert_frame (caller, "[8, 48, 3, {}, \"wamp.error.invalid_argument\"]");
  {
    g_autofree char *interrupt = g_strdup_printf ("[69, %" G_GUINT64_FORMAT ", {\"mode\": \"killnowait\"}]", id);

    wamp_test_peer_assert_frame (callee, interrupt);
  }
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, [\"late\"]]", id);
  wamp_test_peer_assert_silence (caller);
  g_assert_false (wamp_test_peer_is_closed (callee));
}

/* ---- frames above the receiver's limit ---------------------------------- */

/* A list holding one string of @n characters, as JSON. */
static char *
big_args (gsize n)
{
  g_autofree char *s = g_strnfill (n, 'x');

  return g_strdup_printf ("[\"%s\"]", s);
}

static void
test_event_above_subscriber_limit_is_not_delivered (Fixture *f, gconstpointer data)
{
  WampTestPeer *publisher = join (f, "lo");
  WampTestPeer *small = join (f, "small");
  WampTestPeer *large = join (f, "lo");
  guint64 sub = wamp_test_peer_subscribe (small, 1, "com.example.size");
  g_autofree char *args = big_args (1200);
  g_autofree char *event = NULL;

  wamp_test_peer_subscribe (large, 1, "com.example.size");
  wamp_test_peer_send_printf (publisher, "[16, 1, {}, \"com.example.size\", %s]", args);
  event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, %s]", sub, args);
  wamp_test_peer_assert_frame (large, event);
  wamp_test_peer_assert_silence (small);
  g_assert_false (wamp_test_peer_is_closed (small));

  wamp_test_peer_send_json (publisher, "[16, 2, {}, \"com.example.size\", [\"small\"]]");
  g_clear_pointer (&event, g_free);
  event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [\"small\"]]", sub);
  wamp_test_peer_assert_frame (small, event);
  wamp_test_peer_assert_frame (large, event);
}

static void
test_invocation_above_callee_limit_is_payload_size_exceeded (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "small");
  WampTestPeer *caller = join (f, "lo");
  g_autofree char *args = big_args (1200);

  wamp_test_peer_register (callee, 1, "com.example.proc");
  wamp_test_peer_send_printf (caller, "[48, 9, {}, \"com.example.proc\", %s]", args);
  wamp_test_peer_assert_frame (caller, "[8, 48, 9, {}, \"wamp.error.payload_size_exceeded\", [\"$any\"]]");
  wamp_test_peer_assert_silence (callee);
}

static void
test_result_above_caller_limit_is_payload_size_exceeded (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lo");
  WampTestPeer *caller = join (f, "small");
  g_autofree char *args = big_args (1200);
  guint64 id;

  wamp_test_peer_register (callee, 1, "com.example.proc");
  wamp_test_peer_send_json (caller, "[48, 9, {}, \"com.example.proc\"]");
  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {}]");
  wamp_test_peer_send_printf (callee, "[70, %" G_GUINT64_FORMAT ", {}, %s]", id, args);
  wamp_test_peer_assert_frame (caller, "[8, 48, 9, {}, \"wamp.error.payload_size_exceeded\", [\"$any\"]]");
  wamp_test_peer_assert_silence (caller);
}

/* ---- the real binary serializers ---------------------------------------- */

/* One loopback transport per serializer plugin: "lo" JSON, "lm" MessagePack,
 * "lc" CBOR. */
#define FORMAT_TRANSPORTS \
  "  \"transports\": [" \
  "    { \"name\": \"lo\", \"type\": \"loopback\", \"serializers\": [\"json\"], " AUTH " }," \
  "    { \"name\": \"lm\", \"type\": \"loopback\", \"serializers\": [\"msgpack\"], " AUTH " }," \
  "    { \"name\": \"lc\", \"type\": \"loopback\", \"serializers\": [\"cbor\"], " AUTH " } ]"

static const char *const format_transports[] = { "lo", "lm", "lc" };
static const char *const format_names[] = { "json", "msgpack", "cbor" };
#define N_FORMATS G_N_ELEMENTS (format_names)

static const char formats_config[] = "{ \"version\": 1," REALMS FORMAT_TRANSPORTS "}";

static void
formats_setup (Fixture *f, gconstpointer data)
{
  f->router = wamp_test_router_new (formats_config);
  f->peers = g_ptr_array_new_with_free_func ((GDestroyNotify) wamp_test_peer_free);
}

static void
check_formats_fanout (Fixture *f, const char *publisher_transport)
{
  WampTestPeer *publisher = join (f, publisher_transport);
  g_autoptr(GPtrArray) subscribers = g_ptr_array_new ();
  g_autoptr(GBytes) frame = NULL;
  g_autofree char *event = NULL;
  WampCounters counters;
  guint64 sub = 0;

  for (guint i = 0; i < 2 * N_FORMATS; i++)
    {
      WampTestPeer *peer = join (f, format_transports[i % N_FORMATS]);

      sub = wamp_test_peer_subscribe (peer, 1, "com.example.formats");
      g_ptr_array_add (subscribers, peer);
    }
  /* Built before counting: a binary peer's frame is translated from JSON. */
  frame = wamp_test_peer_encode_json (publisher, "[16, 1, {}, \"com.example.formats\","
                                                 " [-9223372036854775808,18446744073709551615,-0.5,\"a\\u0000b\","
                                                 "\"\\u0000AQID\",null,[],{}],{\"k\":[true,{\"n\":1.0}]}]");
  wamp_counters_reset ();
  wamp_test_peer_send_frame (publisher, frame);
  wamp_counters_get (&counters);

  /* One decode of the publisher's payload for the other formats, one
   * EVENT serialization per format in use (the publisher's own passes the
   * payload through). */
  g_assert_cmpuint (counters.payload_decodes, ==, 1);
  g_assert_cmpuint (counters.serializations, ==, N_FORMATS);
  g_assert_cmpuint (counters.serialization_failures, ==, 0);
  for (guint i = 0; i < N_FORMATS; i++)
    g_assert_cmpuint (wamp_counters_get_serializations (wamp_serializer_lookup (format_names[i])), ==, 1);

  event = g_strdup_printf ("[36,%" G_GUINT64_FORMAT ",", sub);
  for (guint i = 0; i < subscribers->len; i++)
    {
      g_autofree char *text = wamp_test_peer_expect (g_ptr_array_index (subscribers, i), 2000);

      /* Translated back to JSON by the harness: every value as sent. */
      g_assert_nonnull (text);
      g_assert_true (g_str_has_prefix (text, event));
      g_assert_nonnull (strstr (text, ",{},[-9223372036854775808,18446744073709551615,-0.5,\"a\\u0000b\","
                                      "\"\\u0000AQID\",null,[],{}],{\"k\":[true,{\"n\":1.0}]}]"));
    }
}

static void
test_formats_json_publisher (Fixture *f, gconstpointer data)
{
  check_formats_fanout (f, "lo");
}

static void
test_formats_msgpack_publisher (Fixture *f, gconstpointer data)
{
  check_formats_fanout (f, "lm");
}


static void
test_formats_cbor_publisher (Fixture *f, gconstpointer data)
{
  check_formats_fanout (f, "lc");
}

static void
test_call_msgpack_to_msgpack_decodes_nothing (Fixture *f, gconstpointer data)
{
  WampTestPeer *callee = join (f, "lm");
  WampTestPeer *caller = join (f, "lm");
  g_autoptr(GBytes) call = NULL;
  g_autoptr(GBytes) yield = NULL;
  WampCounters counters;
  guint64 id;

  wamp_test_peer_register (callee, 1, "com.example.echo");
  call = wamp_test_peer_encode_json (caller, "[48, 5, {}, \"com.example.echo\", [1, \"x\"], {\"k\": 1.5}]");
  wamp_counters_reset ();
  wamp_test_peer_send_frame (caller, call);
  wamp_counters_get (&counters);
  g_assert_cmpuint (counters.payload_decodes, ==, 0);
  g_assert_cmpuint (wamp_counters_get_serializations (wamp_serializer_lookup ("msgpack")), ==, 1);

  id = expect_invocation (callee, "[68, \"$any\", \"$any\", {}, [1, \"x\"], {\"k\": 1.5}]");
  {
    g_autofree char *text = g_strdup_printf ("[70, %" G_GUINT64_FORMAT ", {}, [\"done\"]]", id);

    yield = wamp_test_peer_encode_json (callee, text);
  }
  wamp_counters_reset ();
  wamp_test_peer_send_frame (callee, yield);
  wamp_counters_get (&counters);
  g_assert_cmpuint (counters.payload_decodes, ==, 0);
  g_assert_cmpuint (wamp_counters_get_serializations (wamp_serializer_lookup ("msgpack")), ==, 1);
  wamp_test_peer_assert_frame (caller, "[50, 5, {}, [\"done\"]]");
}

/* ---- the nesting limit -------------------------------------------------- */

static guint
json_max_depth (void)
{
  guint depth = 0;

  g_object_get (json_serializer (), "max-depth", &depth, NULL);
  return depth;
}

/* Asserts every loaded serializer with a "max-depth" property has @depth;
 * returns how many have it. */
static guint
assert_all_max_depths (guint depth)
{
  g_auto(GStrv) names = wamp_extension_list (WAMP_SERIALIZER_EXTENSION_POINT);
  guint n = 0;

  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      WampSerializer *serializer = wamp_serializer_lookup (names[i]);
      guint value = 0;

      if (g_object_class_find_property (G_OBJECT_GET_CLASS (serializer), "max-depth") == NULL)
        continue;
      g_object_get (serializer, "max-depth", &value, NULL);
      g_test_message ("%s: max-depth %u", names[i], value);
      g_assert_cmpuint (value, ==, depth);
      n++;
    }
  return n;
}

static void
test_limits_max_nesting_depth_applies_to_serializers (void)
{
  g_autoptr(WampTestRouter) router = wamp_test_router_new (
    "{ \"version\": 1, \"limits\": { \"max_nesting_depth\": 4 }," REALMS TRANSPORTS "}");
  g_autoptr(WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autoptr(WampTestPeer) subscriber = wamp_test_peer_new (router, "lo");
  guint64 sub;

  g_assert_cmpuint (json_max_depth (), ==, 4);
  /* Every serializer of ours has the property (the test's "tjson" has not,
   * and is left alone). */
  g_assert_cmpuint (assert_all_max_depths (4), >=, 1);
  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  g_assert_cmpuint (wamp_test_peer_join (subscriber, "realm1", NULL), !=, 0);
  sub = wamp_test_peer_subscribe (subscriber, 1, "com.example.deep");

  /* The message array, Arguments and two lists inside: depth 4 passes. */
  wamp_test_peer_send_json (peer, "[16, 1, {}, \"com.example.deep\", [[[1]]]]");
  {
    g_autofree char *event = g_strdup_printf ("[36, %" G_GUINT64_FORMAT ", \"$any\", {}, [[[1]]]]", sub);

    wamp_test_peer_assert_frame (subscriber, event);
  }
  /* One more level is a protocol violation. */
  wamp_test_peer_send_json (peer, "[16, 2, {}, \"com.example.deep\", [[[[1]]]]]");
  wamp_test_peer_expect_abort (peer, "wamp.error.protocol_violation");
  wamp_test_peer_assert_silence (subscriber);
}

static void
test_limits_default_is_32 (void)
{
  g_autoptr(WampTestRouter) limited G_GNUC_UNUSED = wamp_test_router_new (
    "{ \"version\": 1, \"limits\": { \"max_nesting_depth\": 7 }," REALMS TRANSPORTS "}");
  g_autoptr(WampTestRouter) router = NULL;

  g_assert_cmpuint (json_max_depth (), ==, 7);
  /* A router configured without limits sets the default again. */
  router = wamp_test_router_new (config);
  g_assert_cmpuint (json_max_depth (), ==, 32);
  assert_all_max_depths (32);
}

static void
test_limits_reload_applies_live (void)
{
  g_autoptr(WampTestRouter) router = wamp_test_router_new (config);
  g_autoptr(WampTestPeer) peer = wamp_test_peer_new (router, "lo");
  g_autoptr(WampValue) limited = wamp_test_parse ("{ \"version\": 1, \"limits\": { \"max_nesting_depth\": 5 },"
                                                  REALMS TRANSPORTS "}");
  g_autoptr(WampValue) bad = wamp_test_parse ("{ \"version\": 1, \"limits\": { \"max_nesting_depth\": 0 },"
                                              REALMS TRANSPORTS "}");
  g_auto(GStrv) restart = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (wamp_test_peer_join (peer, "realm1", NULL), !=, 0);
  g_assert_cmpuint (json_max_depth (), ==, 32);

  /* A bad value is refused with its path, and nothing changes. */
  g_assert_false (wamp_router_reload (wamp_test_router_get_router (router), bad, &restart, &error));
  g_assert_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "$.limits.max_nesting_depth:"));
  g_clear_error (&error);
  g_assert_cmpuint (json_max_depth (), ==, 32);

  /* A good one applies at once, without a restart, to the open session too. */
  g_assert_true (wamp_router_reload (wamp_test_router_get_router (router), limited, &restart, &error));
  g_assert_no_error (error);
  g_assert_true (restart == NULL || restart[0] == NULL);
  assert_all_max_depths (5);
  wamp_test_peer_send_json (peer, "[16, 1, {}, \"com.example.deep\", [[[[1]]]]]");
  wamp_test_peer_assert_silence (peer);
  g_assert_false (wamp_test_peer_is_closed (peer));
  wamp_test_peer_send_json (peer, "[16, 2, {}, \"com.example.deep\", [[[[[1]]]]]]");
  wamp_test_peer_expect_abort (peer, "wamp.error.protocol_violation");
}

typedef struct {
  const char *name;
  const char *limits;
  WampConfigErrorCode code;
  const char *path;
} LimitsCase;

static const LimitsCase limits_cases[] = {
  { "depth-1", "{ \"max_nesting_depth\": 1 }", WAMP_CONFIG_ERROR_INVALID, "$.limits.max_nesting_depth" },
  { "depth-257", "{ \"max_nesting_depth\": 257 }", WAMP_CONFIG_ERROR_INVALID, "$.limits.max_nesting_depth" },
  { "depth-negative", "{ \"max_nesting_depth\": -3 }", WAMP_CONFIG_ERROR_INVALID, "$.limits.max_nesting_depth" },
  { "depth-string", "{ \"max_nesting_depth\": \"32\" }", WAMP_CONFIG_ERROR_INVALID, "$.limits.max_nesting_depth" },
  { "unknown-key", "{ \"max_depth\": 32 }", WAMP_CONFIG_ERROR_UNKNOWN_KEY, "$.limits.max_depth" },
  { "not-an-object", "[32]", WAMP_CONFIG_ERROR_INVALID, "$.limits" },
};

static void
test_limits_bad_value_is_refused (gconstpointer data)
{
  const LimitsCase *c = data;
  g_autofree char *json = g_strdup_printf ("{ \"version\": 1, \"limits\": %s," REALMS TRANSPORTS "}",
                                           c->limits);
  g_autoptr(GError) error = NULL;
  WampTestRouter *router = wamp_test_router_try_new (json, &error);

  g_assert_null (router);
  g_assert_error (error, WAMP_CONFIG_ERROR, (gint) c->code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, c->path));
  g_assert_true (error->message[strlen (c->path)] == ':');
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("Serializers in routing: passthrough and serialize-once by count, values or "
                  "frames a receiver cannot take, the nesting limit");

  wamp_test_plugins_ensure ();
  wamp_test_plugins_add_static (&tagged_plugin);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/serialization/passthrough/1000-subscribers-one-serializer-0-decodes-1-serialization",
       test_fanout_same_serializer_decodes_nothing_and_serializes_once);
  ADD ("/serialization/passthrough/two-serializers-1-decode-1-serialization-each",
       test_fanout_two_serializers_decodes_once_and_serializes_once_each);
  ADD ("/serialization/passthrough/call-same-serializer-0-decodes-payload-byte-for-byte",
       test_call_same_serializer_decodes_nothing);
  ADD ("/serialization/unrepresentable/event-nan-skips-json-subscribers-only",
       test_event_with_nan_skips_json_subscribers);
  ADD ("/serialization/unrepresentable/event-leading-nul-skips-json-subscribers-only",
       test_event_with_leading_nul_skips_json_subscribers);
  ADD ("/serialization/unrepresentable/event-inner-nul-reaches-json-subscriber",
       test_event_with_inner_nul_reaches_json_subscribers);
  ADD ("/serialization/unrepresentable/invocation-to-json-callee-is-invalid-argument",
       test_invocation_unrepresentable_for_callee_is_invalid_argument);
  ADD ("/serialization/unrepresentable/result-to-json-caller-is-invalid-argument",
       test_result_unrepresentable_for_caller_is_error);
  ADD ("/serialization/unrepresentable/error-to-json-caller-is-invalid-argument",
       test_error_unrepresentable_for_caller_is_invalid_argument);
  ADD ("/serialization/unrepresentable/progressive-result-ends-call-with-interrupt",
       test_progressive_result_unrepresentable_ends_the_call);
  ADD ("/serialization/payload-size/event-above-subscriber-limit-not-delivered",
       test_event_above_subscriber_limit_is_not_delivered);
  ADD ("/serialization/payload-size/invocation-above-callee-limit-is-payload-size-exceeded",
       test_invocation_above_callee_limit_is_payload_size_exceeded);
  ADD ("/serialization/payload-size/result-above-caller-limit-is-payload-size-exceeded",
       test_result_above_caller_limit_is_payload_size_exceeded);
  g_test_add ("/serialization/passthrough/formats-json-publisher-1-decode-1-serialization-each",
              Fixture, NULL, formats_setup, test_formats_json_publisher, fixture_teardown);
  g_test_add ("/serialization/passthrough/formats-msgpack-publisher-1-decode-1-serialization-each",
              Fixture, NULL, formats_setup, test_formats_msgpack_publisher, fixture_teardown);
  g_test_add ("/serialization/passthrough/formats-cbor-publisher-1-decode-1-serialization-each",
              Fixture, NULL, formats_setup, test_formats_cbor_publisher, fixture_teardown);
  g_test_add ("/serialization/passthrough/call-msgpack-to-msgpack-0-decodes",
              Fixture, NULL, formats_setup, test_call_msgpack_to_msgpack_decodes_nothing, fixture_teardown);
  g_test_add_func ("/serialization/limits/max-nesting-depth-applies-to-serializers",
                   test_limits_max_nesting_depth_applies_to_serializers);
  g_test_add_func ("/serialization/limits/default-is-32-again-without-limits",
                   test_limits_default_is_32);
  g_test_add_func ("/serialization/limits/reload-applies-live-and-refuses-bad-values",
                   test_limits_reload_applies_live);
  for (gsize i = 0; i < G_N_ELEMENTS (limits_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/serialization/limits/%s-is-refused-naming-its-path",
                                               limits_cases[i].name);

      g_test_add_data_func (path, &limits_cases[i], test_limits_bad_value_is_refused);
    }

  return g_test_run ();
}
