/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampPayload: decoded and raw forms, lazy decoding and its checks. */

#include <string.h>

#include <wamp/wamp.h>

#include "wamp-payload-private.h"

/* A fake serializer whose "format" is one letter per value:
 *   'L' + digits  a list of that many ints (0, 1, ...)
 *   'D'           a dict {"k": 1}
 *   'I'           the int 7
 *   anything else does not decode. */
#define FAKE_TYPE_SERIALIZER (fake_serializer_get_type ())
G_DECLARE_FINAL_TYPE (FakeSerializer, fake_serializer, FAKE, SERIALIZER, GObject)

struct _FakeSerializer
{
  GObject parent_instance;
  guint n_decodes;
};

static WampValue *
fake_decode_value (WampSerializer *self,
                   const guint8   *data,
                   gsize           len,
                   GError        **error)
{
  g_autofree char *text = g_strndup ((const char *) data, len);

  FAKE_SERIALIZER (self)->n_decodes++;
  if (text[0] == 'L')
    {
      WampValue *list = wamp_value_new_list (0);
      guint64 n = g_ascii_strtoull (text + 1, NULL, 10);

      for (guint64 i = 0; i < n; i++)
        wamp_value_list_append (list, wamp_value_new_int ((gint64) i));
      return list;
    }
  if (text[0] == 'D')
    {
      WampValue *dict = wamp_value_new_dict (0);

      wamp_value_dict_insert (dict, "k", wamp_value_new_int (1));
      return dict;
    }
  if (text[0] == 'I')
    return wamp_value_new_int (7);
  g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION, "bad byte '%c'", text[0]);
  return NULL;
}

static void
fake_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->decode_value = fake_decode_value;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (FakeSerializer, fake_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER, fake_serializer_iface_init))

static void
fake_serializer_class_init (FakeSerializerClass *klass)
{
}

static void
fake_serializer_init (FakeSerializer *self)
{
}

/* Until libwampcore's wamp-serializer.c lands on main, this test brings the
 * two pieces of it that payloads use. Weak, so the real ones win when linked. */
static void
test_decoded (void)
{
  g_autoptr(WampValue) args = wamp_value_new_list (0);
  g_autoptr(WampValue) kwargs = wamp_value_new_dict (0);
  g_autoptr(WampPayload) payload = wamp_payload_new (args, kwargs);
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  WampValue *a = NULL, *k = NULL;
  const guint8 *raw = NULL;

  g_assert_true (wamp_payload_has_args (payload));
  g_assert_true (wamp_payload_has_kwargs (payload));
  g_assert_null (wamp_payload_get_serializer (payload));
  g_assert_false (wamp_payload_get_raw (payload, WAMP_SERIALIZER (fake), &raw, NULL, NULL, NULL));
  g_assert_true (wamp_payload_get_values (payload, &a, &k, NULL));
  g_assert_true (a == args);
  g_assert_true (k == kwargs);
}

static void
test_absent_is_not_empty (void)
{
  g_autoptr(WampValue) kwargs = wamp_value_new_dict (0);
  g_autoptr(WampPayload) only_kw = wamp_payload_new (NULL, kwargs);
  g_autoptr(WampPayload) none = wamp_payload_new (NULL, NULL);
  WampValue *a = (WampValue *) 0x1, *k = NULL;

  g_assert_false (wamp_payload_has_args (only_kw));
  g_assert_true (wamp_payload_has_kwargs (only_kw));
  g_assert_true (wamp_payload_get_values (only_kw, &a, &k, NULL));
  g_assert_null (a);
  g_assert_true (k == kwargs);
  g_assert_false (wamp_payload_has_args (none));
  g_assert_false (wamp_payload_has_kwargs (none));
  g_assert_true (wamp_payload_get_values (none, NULL, NULL, NULL));
}

static void
test_raw_spans_and_lazy_decode (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(FakeSerializer) other = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  static const char frame_text[] = "[48,1,{},\"p\",L3,D]";
  g_autoptr(GBytes) frame = g_bytes_new_static (frame_text, sizeof frame_text - 1);
  gsize args_off = strchr (frame_text, 'L') - frame_text;
  gsize kw_off = strchr (frame_text, 'D') - frame_text;
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame,
                                                         args_off, 2, kw_off, 1);
  const guint8 *args_raw = NULL, *kw_raw = NULL;
  gsize args_len = 0, kw_len = 0;
  WampValue *args = NULL, *kwargs = NULL, *args2 = NULL;

  g_assert_true (wamp_payload_has_args (payload));
  g_assert_true (wamp_payload_has_kwargs (payload));
  g_assert_true (wamp_payload_get_serializer (payload) == WAMP_SERIALIZER (fake));
  g_assert_true (wamp_payload_get_raw (payload, WAMP_SERIALIZER (fake), &args_raw, &args_len, &kw_raw, &kw_len));
  g_assert_cmpmem (args_raw, args_len, "L3", 2);
  g_assert_cmpmem (kw_raw, kw_len, "D", 1);
  g_assert_false (wamp_payload_get_raw (payload, WAMP_SERIALIZER (other), NULL, NULL, NULL, NULL));

  /* Nothing is decoded until asked, then exactly once. */
  g_assert_cmpuint (fake->n_decodes, ==, 0);
  g_assert_true (wamp_payload_get_values (payload, &args, &kwargs, NULL));
  g_assert_cmpuint (fake->n_decodes, ==, 2);
  g_assert_cmpuint (wamp_value_list_length (args), ==, 3);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (kwargs, "k")), ==, 1);
  g_assert_true (wamp_payload_get_values (payload, &args2, NULL, NULL));
  g_assert_true (args2 == args);
  g_assert_cmpuint (fake->n_decodes, ==, 2);

  /* Still raw for passthrough after decoding. */
  g_assert_true (wamp_payload_get_raw (payload, WAMP_SERIALIZER (fake), &args_raw, &args_len, NULL, NULL));
  g_assert_cmpuint (args_len, ==, 2);
}

static void
test_raw_absent_elements (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("L1", 2);
  g_autoptr(WampPayload) payload = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 0, 2, 0, 0);
  const guint8 *kw_raw = (const guint8 *) "x";
  gsize kw_len = 99;
  WampValue *args = NULL, *kwargs = (WampValue *) 0x1;

  g_assert_true (wamp_payload_has_args (payload));
  g_assert_false (wamp_payload_has_kwargs (payload));
  g_assert_true (wamp_payload_get_raw (payload, WAMP_SERIALIZER (fake), NULL, NULL, &kw_raw, &kw_len));
  g_assert_null (kw_raw);
  g_assert_cmpuint (kw_len, ==, 0);
  g_assert_true (wamp_payload_get_values (payload, &args, &kwargs, NULL));
  g_assert_cmpuint (wamp_value_list_length (args), ==, 1);
  g_assert_null (kwargs);
  g_assert_cmpuint (fake->n_decodes, ==, 1);
}

typedef struct
{
  const char *frame;
  gsize args_len;
  gsize kwargs_len; /* kwargs span follows the args span */
} BadPayloadCase;

static void
test_raw_bad_values (void)
{
  static const BadPayloadCase cases[] = {
    { "XD", 1, 1 },  /* args do not decode */
    { "L1X", 2, 1 }, /* kwargs do not decode */
    { "DD", 1, 1 },  /* args is a dict */
    { "IL1", 1, 0 }, /* args is an int */
    { "L1L1", 2, 2 },/* kwargs is a list */
    { "L1I", 2, 1 }, /* kwargs is an int */
  };
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) frame = g_bytes_new_static (cases[i].frame, strlen (cases[i].frame));
      g_autoptr(WampPayload) payload = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame,
                                                             0, cases[i].args_len,
                                                             cases[i].args_len, cases[i].kwargs_len);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) error2 = NULL;
      WampValue *args = NULL;

      g_test_message ("case %s", cases[i].frame);
      g_assert_false (wamp_payload_get_values (payload, &args, NULL, &error));
      g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
      g_assert_null (args);
      /* Failure is stable. */
      g_assert_false (wamp_payload_get_values (payload, NULL, NULL, &error2));
      g_assert_error (error2, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
    }
}

static void
test_frame_outlives_caller (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(WampPayload) payload = NULL;
  WampValue *args = NULL;

  {
    g_autoptr(GBytes) frame = g_bytes_new_take (g_strdup ("__L2__"), 6);
    payload = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 2, 2, 0, 0);
  }
  g_assert_true (wamp_payload_get_values (payload, &args, NULL, NULL));
  g_assert_cmpuint (wamp_value_list_length (args), ==, 2);
}

/* A serializer of one's own (not from wamp_serializer_lookup()) lives as
 * long as a payload that uses it. */
static void
test_serializer_outlives_caller (void)
{
  g_autoptr(GBytes) frame = g_bytes_new_take (g_strdup ("__L2__"), 6);
  g_autoptr(WampPayload) payload = NULL;
  WampValue *args = NULL;
  FakeSerializer *fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);

  g_object_add_weak_pointer (G_OBJECT (fake), (gpointer *) &fake);
  payload = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 2, 2, 0, 0);
  g_object_unref (fake);
  g_assert_nonnull (fake);
  g_assert_true (wamp_payload_get_values (payload, &args, NULL, NULL));
  g_clear_pointer (&payload, wamp_payload_unref);
  g_assert_null (fake);
}

static void
test_refcount_and_boxed (void)
{
  g_autoptr(WampPayload) payload = wamp_payload_new (NULL, NULL);
  WampPayload *copy;

  g_assert_true (wamp_payload_ref (payload) == payload);
  wamp_payload_unref (payload);
  copy = g_boxed_copy (WAMP_TYPE_PAYLOAD, payload);
  g_assert_true (copy == payload);
  g_boxed_free (WAMP_TYPE_PAYLOAD, copy);
}

/* Payloads copied from a lent frame: small ones in a block kept for reuse
 * on release, large ones in a block of their size; a reused block starts
 * clean (not decoded, its own spans and serializer). */
static void
test_span_copy_small_and_large (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(FakeSerializer) other = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  static const char small_text[] = "xxL2yyD";
  GString *large = g_string_new ("L1");
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;
  WampValue *a = NULL;
  guint decodes;

  while (large->len < 1000)
    g_string_append_c (large, ' ');

  for (guint round = 0; round < 3; round++)
    {
      WampPayload *p = wamp_payload_new_span_copy (WAMP_SERIALIZER (round == 1 ? other : fake),
                                                   (const guint8 *) small_text, 2, 2, 6, 1);

      g_assert_true (wamp_payload_get_raw (p, WAMP_SERIALIZER (round == 1 ? other : fake),
                                           &args, &args_len, &kwargs, &kwargs_len));
      g_assert_cmpmem (args, args_len, "L2", 2);
      g_assert_cmpmem (kwargs, kwargs_len, "D", 1);
      /* Not decoded yet, whatever the block held before. */
      decodes = fake->n_decodes + other->n_decodes;
      g_assert_true (wamp_payload_get_values (p, &a, NULL, NULL));
      g_assert_cmpuint (fake->n_decodes + other->n_decodes, ==, decodes + 2);
      g_assert_cmpuint (wamp_value_list_length (a), ==, 2);
      wamp_payload_unref (p);

      /* Larger than a spare block: a block of its own, then freed. */
      p = wamp_payload_new_span_copy (WAMP_SERIALIZER (fake), (const guint8 *) large->str,
                                      0, large->len, 0, 0);
      g_assert_true (wamp_payload_get_raw (p, WAMP_SERIALIZER (fake), &args, &args_len, &kwargs, &kwargs_len));
      g_assert_cmpmem (args, args_len, large->str, large->len);
      g_assert_null (kwargs);
      g_assert_false (wamp_payload_has_kwargs (p));
      wamp_payload_unref (p);
    }
  g_string_free (large, TRUE);
}

static gpointer
churn_thread (gpointer data)
{
  FakeSerializer *fake = data;
  static const char text[] = "L1D";
  g_autoptr(GBytes) frame = g_bytes_new_static (text, sizeof text - 1);
  WampPayload *held[100];

  /* More at once than the thread keeps as spares: the rest are freed. */
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    held[i] = i % 2 ? wamp_payload_new_span_copy (WAMP_SERIALIZER (fake), (const guint8 *) text, 0, 2, 2, 1)
                    : wamp_payload_new_span (WAMP_SERIALIZER (fake), frame, 0, 2, 2, 1);
  for (guint i = 0; i < G_N_ELEMENTS (held); i++)
    wamp_payload_unref (held[i]);
  return NULL;
}

/* A thread's spare blocks are freed when it ends (LSan sees a leak if not). */
static void
test_spares_freed_at_thread_exit (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);

  for (guint i = 0; i < 2; i++)
    g_thread_join (g_thread_new ("churn", churn_thread, fake));
}

/* The envelope writer's inline reads agree with the public getters. */
static void
test_inline_agrees_with_getters (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(FakeSerializer) other = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("xL1D", 4);
  g_autoptr(WampPayload) both = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 1, 2, 3, 1);
  g_autoptr(WampPayload) args_only = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 1, 2, 0, 0);
  g_autoptr(WampValue) list = wamp_value_new_list (0);
  g_autoptr(WampPayload) values = wamp_payload_new (list, NULL);
  WampPayload *payloads[] = { both, args_only, values };

  for (gsize i = 0; i < G_N_ELEMENTS (payloads); i++)
    for (guint s = 0; s < 2; s++)
      {
        WampSerializer *serializer = WAMP_SERIALIZER (s == 0 ? fake : other);
        const guint8 *args = NULL, *kwargs = NULL, *inline_args = NULL, *inline_kwargs = NULL;
        gsize args_len = 0, kwargs_len = 0, inline_args_len = 0, inline_kwargs_len = 0;
        gboolean raw = wamp_payload_get_raw (payloads[i], serializer, &args, &args_len,
                                             &kwargs, &kwargs_len);

        g_assert_cmpint (wamp_payload_get_raw_inline (payloads[i], serializer, &inline_args,
                                                      &inline_args_len, &inline_kwargs,
                                                      &inline_kwargs_len), ==, raw);
        g_assert_true (inline_args == args && inline_kwargs == kwargs);
        g_assert_cmpuint (inline_args_len, ==, args_len);
        g_assert_cmpuint (inline_kwargs_len, ==, kwargs_len);
        g_assert_cmpint (wamp_payload_has_any_inline (payloads[i]), ==,
                         wamp_payload_has_args (payloads[i]) || wamp_payload_has_kwargs (payloads[i]));
      }
  g_assert_cmpuint (wamp_payload_get_raw_size (both), ==, 3);
  g_assert_cmpuint (wamp_payload_get_raw_size (args_only), ==, 2);
  g_assert_cmpuint (wamp_payload_get_raw_size (values), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_summary ("WampPayload: raw passthrough and lazy decoding");

  g_test_add_func ("/payload/decoded/values-and-no-raw", test_decoded);
  g_test_add_func ("/payload/decoded/absent-is-not-empty", test_absent_is_not_empty);
  g_test_add_func ("/payload/raw/spans-and-decode-once", test_raw_spans_and_lazy_decode);
  g_test_add_func ("/payload/raw/zero-length-span-is-absent", test_raw_absent_elements);
  g_test_add_func ("/payload/raw/undecodable-or-wrong-type-is-invalid-argument", test_raw_bad_values);
  g_test_add_func ("/payload/raw/keeps-frame-alive", test_frame_outlives_caller);
  g_test_add_func ("/payload/raw/keeps-own-serializer-alive", test_serializer_outlives_caller);
  g_test_add_func ("/payload/boxed/copy-is-ref", test_refcount_and_boxed);
  g_test_add_func ("/payload/span-copy/small-reused-large-own-block", test_span_copy_small_and_large);
  g_test_add_func ("/payload/spares/freed-at-thread-exit", test_spares_freed_at_thread_exit);
  g_test_add_func ("/payload/raw/inline-agrees-with-getters", test_inline_agrees_with_getters);

  return g_test_run ();
}
