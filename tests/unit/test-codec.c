/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of what the serializers share in the core: WampEnvelopeBuilder,
 * wamp_envelope_write(), WampInputCursor with the strict UTF-8 checks, and
 * WampOutputBuffer. */

#include <string.h>

#include <wamp/wamp.h>

/* The frame "[36,5,6,{},L3,D]" of the fake format: EVENT with both
 * payload elements, read the way a deserializer reads it. */
static const char event_text[] = "[36,5,6,{},L3,D]";

/* A fake serializer whose values are one letter each: 'L' + digits is a
 * list of that many ints, 'D' the dict {"k": 1}; nothing else decodes. */
#define FAKE_TYPE_SERIALIZER (fake_serializer_get_type ())
G_DECLARE_FINAL_TYPE (FakeSerializer, fake_serializer, FAKE, SERIALIZER, GObject)

struct _FakeSerializer
{
  GObject parent_instance;
};

static WampValue *
fake_decode_value (WampSerializer *self,
                   const guint8   *data,
                   gsize           len,
                   GError        **error)
{
  g_autofree char *text = g_strndup ((const char *) data, len);

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
  g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT, "bad byte '%c'", text[0]);
  return NULL;
}

static WampMessage *build_event (WampSerializer *serializer, GBytes *frame);

/* Only the one frame of the tests; no deserialize_data (an ABI 1.2 plugin). */
static WampMessage *
fake_deserialize (WampSerializer  *self,
                  GBytes          *frame,
                  GError         **error)
{
  g_assert_cmpmem (g_bytes_get_data (frame, NULL), g_bytes_get_size (frame),
                   event_text, sizeof event_text - 1);
  return build_event (self, frame);
}

static void
fake_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->decode_value = fake_decode_value;
  iface->deserialize = fake_deserialize;
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

/* ---- WampEnvelopeBuilder --------------------------------------------- */

static WampEnvelopeElement
next_element (WampEnvelopeBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  WampEnvelopeElement element = (WampEnvelopeElement) -1;

  g_assert_true (wamp_envelope_builder_next (builder, &element, &error));
  g_assert_no_error (error);
  return element;
}

static void
add_field (WampEnvelopeBuilder *builder,
           WampValue           *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (next_element (builder), ==, WAMP_ENVELOPE_ELEMENT_FIELD);
  g_assert_true (wamp_envelope_builder_add_field (builder, value, &error));
  g_assert_no_error (error);
}

static void
assert_no_next_element (WampEnvelopeBuilder *builder)
{
  g_autoptr(GError) error = NULL;
  WampEnvelopeElement element;

  g_assert_false (wamp_envelope_builder_next (builder, &element, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_cmpstr (error->message, ==, "too many message elements");
}


/* @frame: (nullable): else the frame's bytes are only lent, in @lent. */
static WampMessage *
build_event_full (WampSerializer *serializer,
                  GBytes         *frame,
                  const guint8   *lent)
{
  g_auto(WampEnvelopeBuilder) builder;
  g_autoptr(GError) error = NULL;
  WampMessage *message;

  wamp_envelope_builder_init (&builder);
  add_field (&builder, wamp_value_new_int (WAMP_MESSAGE_EVENT));
  add_field (&builder, wamp_value_new_int (5));
  add_field (&builder, wamp_value_new_int (6));
  add_field (&builder, wamp_value_new_dict (0));
  g_assert_cmpint (next_element (&builder), ==, WAMP_ENVELOPE_ELEMENT_ARGUMENTS);
  wamp_envelope_builder_set_span (&builder, strchr (event_text, 'L') - event_text, 2);
  g_assert_cmpint (next_element (&builder), ==, WAMP_ENVELOPE_ELEMENT_ARGUMENTS_KW);
  wamp_envelope_builder_set_span (&builder, strchr (event_text, 'D') - event_text, 1);
  assert_no_next_element (&builder);

  if (frame != NULL)
    message = wamp_envelope_builder_finish (&builder, serializer, frame, &error);
  else
    message = wamp_envelope_builder_finish_data (&builder, serializer, NULL, lent,
                                                 sizeof event_text - 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static WampMessage *
build_event (WampSerializer *serializer,
             GBytes         *frame)
{
  return build_event_full (serializer, frame, NULL);
}

static void
test_builder_event_keeps_payload_raw (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event (WAMP_SERIALIZER (fake), frame);
  WampPayload *payload = wamp_message_get_payload (message);
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;

  g_assert_cmpint (wamp_message_get_message_type (message), ==, WAMP_MESSAGE_EVENT);
  g_assert_cmpuint (wamp_message_get_n_fields (message), ==, 4);
  g_assert_cmpint (wamp_value_get_int (wamp_message_get_field (message, 1)), ==, 5);
  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_get_raw (payload, WAMP_SERIALIZER (fake),
                                       &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, "L3", 2);
  g_assert_cmpmem (kwargs, kwargs_len, "D", 1);
}

/* The raw spans and decoding of @message's payload, built from event_text. */
static void
assert_event_payload (WampMessage    *message,
                      WampSerializer *serializer)
{
  WampPayload *payload = wamp_message_get_payload (message);
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;
  WampValue *args_value = NULL, *kwargs_value = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (payload);
  g_assert_true (wamp_payload_has_args (payload));
  g_assert_true (wamp_payload_has_kwargs (payload));
  g_assert_true (wamp_payload_get_raw (payload, serializer, &args, &args_len, &kwargs, &kwargs_len));
  g_assert_cmpmem (args, args_len, "L3", 2);
  g_assert_cmpmem (kwargs, kwargs_len, "D", 1);
  g_assert_true (wamp_payload_get_values (payload, &args_value, &kwargs_value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (wamp_value_list_length (args_value), ==, 3);
  g_assert_cmpint (wamp_value_get_int (wamp_value_dict_lookup (kwargs_value, "k")), ==, 1);
}

static void
test_builder_lent_frame_payload_copies_spans (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  guint8 *lent = g_memdup2 (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event_full (WAMP_SERIALIZER (fake), NULL, lent);

  /* The lent bytes are gone once the deserializer returns (ASan checks). */
  memset (lent, 'x', sizeof event_text - 1);
  g_free (lent);
  g_assert_cmpint (wamp_message_get_message_type (message), ==, WAMP_MESSAGE_EVENT);
  g_assert_cmpint (wamp_value_get_int (wamp_message_get_field (message, 2)), ==, 6);
  assert_event_payload (message, WAMP_SERIALIZER (fake));
}

static void
test_deserialize_data_falls_back_to_a_copy (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  guint8 *lent = g_memdup2 (event_text, sizeof event_text - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;

  message = wamp_serializer_deserialize_data (WAMP_SERIALIZER (fake), lent,
                                              sizeof event_text - 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  memset (lent, 'x', sizeof event_text - 1);
  g_free (lent);
  assert_event_payload (message, WAMP_SERIALIZER (fake));
}

static void
test_builder_without_arguments_has_no_payload (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("x", 1);
  g_auto(WampEnvelopeBuilder) builder;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;

  wamp_envelope_builder_init (&builder);
  add_field (&builder, wamp_value_new_int (WAMP_MESSAGE_PUBLISH));
  add_field (&builder, wamp_value_new_int (1));
  add_field (&builder, wamp_value_new_dict (0));
  add_field (&builder, wamp_value_new_string ("a.b"));
  message = wamp_envelope_builder_finish (&builder, WAMP_SERIALIZER (fake), frame, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  g_assert_cmpint (wamp_message_get_message_type (message), ==, WAMP_MESSAGE_PUBLISH);
  g_assert_null (wamp_message_get_payload (message));
}

static void
assert_type_refused (WampValue  *type,
                     const char *reason)
{
  g_auto(WampEnvelopeBuilder) builder;
  g_autoptr(GError) error = NULL;

  wamp_envelope_builder_init (&builder);
  g_assert_cmpint (next_element (&builder), ==, WAMP_ENVELOPE_ELEMENT_FIELD);
  /* Taken even when refused: the builder frees it. */
  g_assert_false (wamp_envelope_builder_add_field (&builder, type, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_cmpstr (error->message, ==, reason);
}

static void
test_builder_type_must_be_known_integer (void)
{
  assert_type_refused (wamp_value_new_string ("1"), "message type must be an integer");
  assert_type_refused (wamp_value_new_double (1.0), "message type must be an integer");
  assert_type_refused (wamp_value_new_int (0), "unknown message type 0");
  assert_type_refused (wamp_value_new_int (99), "unknown message type 99");
  assert_type_refused (wamp_value_new_int (-1), "unknown message type -1");
}

/* A type without a payload takes fields until there is no room; the
 * message's own arity check then speaks. */
static void
test_builder_bounds_fields (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("x", 1);
  g_auto(WampEnvelopeBuilder) builder;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) message = NULL;

  wamp_envelope_builder_init (&builder);
  add_field (&builder, wamp_value_new_int (WAMP_MESSAGE_HELLO));
  for (guint i = 1; i < WAMP_ENVELOPE_MAX_FIELDS; i++)
    add_field (&builder, wamp_value_new_int (i));
  assert_no_next_element (&builder);
  message = wamp_envelope_builder_finish (&builder, WAMP_SERIALIZER (fake), frame, &error);
  g_assert_null (message);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
}

/* ---- wamp_envelope_write() -------------------------------------------- */

/* A writer that records what it is asked to do: "<n>[" at the start, "vI"
 * for a value at index I, the raw bytes as they are, "," between elements
 * and "]" at the end. */
typedef struct {
  GString *out;
  gsize fail_at;   /* the index whose value fails, or G_MAXSIZE */
} RecordingWriter;

static void
recording_begin (gpointer writer,
                 gsize    n_elements,
                 gsize    raw_len)
{
  RecordingWriter *self = writer;

  g_string_append_printf (self->out, "%" G_GSIZE_FORMAT "/%" G_GSIZE_FORMAT "[",
                          n_elements, raw_len);
}

static gboolean
recording_write_value (gpointer    writer,
                       gsize       index,
                       WampValue  *value,
                       GError    **error)
{
  RecordingWriter *self = writer;
  g_autofree char *text = wamp_value_to_debug_string (value);

  if (index == self->fail_at)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT, "cannot write %s", text);
      return FALSE;
    }
  g_string_append_printf (self->out, "%sv%" G_GSIZE_FORMAT, index > 0 ? "," : "", index);
  if (wamp_value_get_value_type (value) == WAMP_VALUE_LIST ||
      wamp_value_get_value_type (value) == WAMP_VALUE_DICT)
    g_string_append_printf (self->out, "=%s", text);
  return TRUE;
}

static void
recording_write_raw (gpointer      writer,
                     gsize         index,
                     const guint8 *data,
                     gsize         len)
{
  RecordingWriter *self = writer;

  if (index > 0)
    g_string_append_c (self->out, ',');
  g_string_append_len (self->out, (const char *) data, len);
}

static void
recording_end (gpointer writer)
{
  RecordingWriter *self = writer;

  g_string_append_c (self->out, ']');
}

static const WampEnvelopeWriterFuncs recording_funcs = {
  .begin = recording_begin,
  .write_value = recording_write_value,
  .write_raw = recording_write_raw,
  .end = recording_end,
  .empty_list = (const guint8 *) "E",
  .empty_list_len = 1,
};

static char *
write_recorded (WampMessage    *message,
                WampSerializer *serializer)
{
  RecordingWriter writer = { g_string_new (NULL), G_MAXSIZE };
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_envelope_write (message, serializer, &recording_funcs, &writer, &error));
  g_assert_no_error (error);
  return g_string_free (writer.out, FALSE);
}

static WampMessage *
event_with_payload (WampPayload *payload)
{
  g_autoptr(WampValue) type = wamp_value_new_int (WAMP_MESSAGE_EVENT);
  g_autoptr(WampValue) subscription = wamp_value_new_int (5);
  g_autoptr(WampValue) publication = wamp_value_new_int (6);
  g_autoptr(WampValue) details = wamp_value_new_dict (0);
  WampValue *fields[] = { type, subscription, publication, details };
  g_autoptr(GError) error = NULL;
  WampMessage *message;

  message = wamp_message_new_from_fields (fields, G_N_ELEMENTS (fields), payload, &error);
  g_assert_no_error (error);
  return message;
}

/* Rule 1: this serializer's own payload bytes are copied, never decoded. */
static void
test_write_copies_own_raw_payload (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event (WAMP_SERIALIZER (fake), frame);
  g_autofree char *written = write_recorded (message, WAMP_SERIALIZER (fake));

  g_assert_cmpstr (written, ==, "6/3[v0,v1,v2,v3={},L3,D]");
}

/* ArgumentsKw alone still needs Arguments before it: the format's empty list. */
static void
test_write_kwargs_only_gets_empty_list (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static ("D", 1);
  g_autoptr(WampPayload) raw = wamp_payload_new_raw (WAMP_SERIALIZER (fake), frame, 0, 0, 0, 1);
  g_autoptr(WampMessage) raw_message = event_with_payload (raw);
  g_autoptr(WampValue) kwargs = wamp_value_new_dict (0);
  g_autoptr(WampPayload) decoded = wamp_payload_new (NULL, kwargs);
  g_autoptr(WampMessage) decoded_message = event_with_payload (decoded);
  g_autofree char *raw_written = write_recorded (raw_message, WAMP_SERIALIZER (fake));
  g_autofree char *decoded_written = write_recorded (decoded_message, WAMP_SERIALIZER (fake));

  g_assert_cmpstr (raw_written, ==, "6/1[v0,v1,v2,v3={},E,D]");
  g_assert_cmpstr (decoded_written, ==, "6/0[v0,v1,v2,v3={},E,v5={}]");
}

/* Decoded values, and another serializer's bytes, go through the writer. */
static void
test_write_transcodes_foreign_payload (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(FakeSerializer) other = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event (WAMP_SERIALIZER (other), frame);
  g_autofree char *written = write_recorded (message, WAMP_SERIALIZER (fake));
  g_autoptr(WampMessage) plain = event_with_payload (NULL);
  g_autofree char *plain_written = write_recorded (plain, WAMP_SERIALIZER (fake));

  g_assert_cmpstr (written, ==, "6/0[v0,v1,v2,v3={},v4=[0, 1, 2],v5={\"k\": 1}]");
  g_assert_cmpstr (plain_written, ==, "4/0[v0,v1,v2,v3={}]");
}

static void
test_write_failure_stops (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(FakeSerializer) other = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event (WAMP_SERIALIZER (other), frame);
  g_autoptr(GBytes) bad_frame = g_bytes_new_static ("X", 1);
  g_autoptr(WampPayload) undecodable = wamp_payload_new_raw (WAMP_SERIALIZER (other), bad_frame,
                                                             0, 1, 0, 0);
  g_autoptr(WampMessage) bad = event_with_payload (undecodable);
  RecordingWriter writer = { g_string_new (NULL), 2 };
  g_autoptr(GError) error = NULL;

  /* A value the format cannot write: no more elements, no end. */
  g_assert_false (wamp_envelope_write (message, WAMP_SERIALIZER (fake), &recording_funcs,
                                       &writer, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (writer.out->str, ==, "6/0[v0,v1");
  g_clear_error (&error);

  /* A foreign payload that does not decode: nothing is written. */
  g_string_truncate (writer.out, 0);
  writer.fail_at = G_MAXSIZE;
  g_assert_false (wamp_envelope_write (bad, WAMP_SERIALIZER (fake), &recording_funcs,
                                       &writer, &error));
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpstr (writer.out->str, ==, "");
  g_string_free (writer.out, TRUE);
}

/* wamp_envelope_write_fields(): integers through write_int ("iI=N"), empty
 * dicts as the format's bytes ("O"), everything else as before. */
static void
recording_write_int (gpointer writer,
                     gsize    index,
                     gint64   value)
{
  RecordingWriter *self = writer;

  g_string_append_printf (self->out, "%si%" G_GSIZE_FORMAT "=%" G_GINT64_FORMAT,
                          index > 0 ? "," : "", index, value);
}

static const WampEnvelopeFieldFuncs recording_field_funcs = {
  .write_int = recording_write_int,
  .empty_dict = (const guint8 *) "O",
  .empty_dict_len = 1,
};

static void
test_write_fields_common_kinds (void)
{
  g_autoptr(FakeSerializer) fake = g_object_new (FAKE_TYPE_SERIALIZER, NULL);
  g_autoptr(GBytes) frame = g_bytes_new_static (event_text, sizeof event_text - 1);
  g_autoptr(WampMessage) message = build_event (WAMP_SERIALIZER (fake), frame);
  g_autoptr(WampValue) type = wamp_value_new_int (WAMP_MESSAGE_ERROR);
  g_autoptr(WampValue) request_type = wamp_value_new_int (WAMP_MESSAGE_CALL);
  g_autoptr(WampValue) request = wamp_value_new_int (7);
  g_autoptr(WampValue) details = wamp_value_new_dict (1);
  g_autoptr(WampValue) uri = wamp_value_new_string ("wamp.error.x");
  WampValue *fields[] = { type, request_type, request, details, uri };
  g_autoptr(WampMessage) error_message = NULL;
  RecordingWriter writer = { g_string_new (NULL), G_MAXSIZE };
  g_autoptr(GError) error = NULL;

  g_assert_true (wamp_envelope_write_fields (message, WAMP_SERIALIZER (fake), &recording_funcs,
                                             &recording_field_funcs, &writer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (writer.out->str, ==, "6/3[i0=36,i1=5,i2=6,O,L3,D]");

  /* A dict with an entry and a string: the writer's write_value. */
  wamp_value_dict_insert (details, "k", wamp_value_new_int (1));
  error_message = wamp_message_new_from_fields (fields, G_N_ELEMENTS (fields), NULL, &error);
  g_assert_no_error (error);
  g_string_truncate (writer.out, 0);
  g_assert_true (wamp_envelope_write_fields (error_message, WAMP_SERIALIZER (fake), &recording_funcs,
                                             &recording_field_funcs, &writer, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (writer.out->str, ==, "5/0[i0=8,i1=48,i2=7,v3={\"k\": 1},v4]");
  g_string_free (writer.out, TRUE);
}

/* ---- WampInputCursor and strict UTF-8 -------------------------------- */

static void
test_cursor_keeps_first_failure (void)
{
  static const guint8 data[] = "abcdef";
  WampInputCursor cursor;
  g_autoptr(GError) error = NULL;

  wamp_input_cursor_init (&cursor, "TEST", data, 6, 7);
  g_assert_true (cursor.start == data && cursor.p == data && cursor.end == data + 6);
  g_assert_cmpuint (cursor.max_depth, ==, 7);
  g_assert_cmpuint (wamp_input_cursor_remaining (&cursor), ==, 6);

  cursor.p += 2;
  g_assert_cmpuint (wamp_input_cursor_remaining (&cursor), ==, 4);
  g_assert_false (wamp_input_cursor_fail_at (&cursor, data + 3, "inner reason"));
  g_assert_true (cursor.p == data + 3);
  cursor.p = data + 5;
  g_assert_false (wamp_input_cursor_fail (&cursor, "outer reason"));
  g_assert_cmpstr (cursor.reason, ==, "inner reason");
  g_assert_cmpuint (cursor.error_offset, ==, 3);

  wamp_input_cursor_set_error (&cursor, WAMP_ERROR_PROTOCOL_VIOLATION, &error);
  g_assert_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION);
  g_assert_cmpstr (error->message, ==, "invalid TEST at byte 3: inner reason");
}

static void
test_cursor_empty_input (void)
{
  WampInputCursor cursor;
  g_autoptr(GError) error = NULL;

  /* An empty GBytes may have no data pointer. */
  wamp_input_cursor_init (&cursor, "TEST", NULL, 0, 1);
  g_assert_nonnull (cursor.p);
  g_assert_cmpuint (wamp_input_cursor_remaining (&cursor), ==, 0);
  wamp_input_cursor_set_error (&cursor, WAMP_ERROR_INVALID_ARGUMENT, &error);
  g_assert_cmpstr (error->message, ==, "invalid TEST at byte 0: malformed");
}

static void
test_utf8_strict (void)
{
  static const struct {
    const char *bytes;
    gsize len;
    gssize bad_at;   /* -1: valid */
  } cases[] = {
    { "", 0, -1 },
    { "plain ascii, longer than one word", 33, -1 },
    { "nul\0inside", 10, -1 },
    { "\xc3\xa9t\xc3\xa9", 5, -1 },                     /* U+00E9 */
    { "\xe2\x82\xac", 3, -1 },                          /* U+20AC */
    { "\xf0\x9f\x98\x80", 4, -1 },                      /* U+1F600 */
    { "\xf4\x8f\xbf\xbf", 4, -1 },                      /* U+10FFFF */
    { "\xc0\x80", 2, 0 },                               /* overlong NUL */
    { "\xe0\x80\xaf", 3, 0 },                           /* overlong '/' */
    { "ab\xed\xa0\x80", 5, 2 },                         /* surrogate */
    { "\xf4\x90\x80\x80", 4, 0 },                       /* above U+10FFFF */
    { "\xf5\x80\x80\x80", 4, 0 },
    { "x\xe2\x82", 3, 1 },                              /* truncated */
    { "\x80", 1, 0 },                                   /* lone continuation */
    { "0123456789abcdef\xff", 17, 16 },                 /* after whole words */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const guint8 *s = (const guint8 *) cases[i].bytes;
      const guint8 *bad = wamp_utf8_find_invalid (s, s + cases[i].len);

      if (cases[i].bad_at < 0)
        g_assert_null (bad);
      else
        g_assert_true (bad == s + cases[i].bad_at);
    }
  g_assert_cmpuint (wamp_utf8_sequence_length ((const guint8 *) "\xc3\xa9", (const guint8 *) "\xc3\xa9" + 2), ==, 2);
  g_assert_cmpuint (wamp_utf8_sequence_length ((const guint8 *) "\xc3\xa9", (const guint8 *) "\xc3\xa9" + 1), ==, 0);
}

/* ---- WampOutputBuffer ------------------------------------------------- */

static void
test_output_buffer (void)
{
  g_auto(WampOutputBuffer) buffer = { NULL, 0, 0 };
  WampOutputBuffer zeroed = { NULL, 0, 0 };
  g_autoptr(GBytes) bytes = NULL;
  g_autofree guint8 *expected = g_malloc (1001);

  wamp_output_buffer_init (&buffer, 1);
  g_assert_cmpuint (buffer.alloc, >=, 64);
  g_assert_cmpuint (buffer.len, ==, 0);

  /* Grows as needed, keeping what was written. */
  for (guint i = 0; i < 1000; i++)
    {
      expected[i] = (guint8) i;
      wamp_output_buffer_put (&buffer, (guint8) i);
    }
  wamp_output_buffer_append (&buffer, NULL, 0);
  wamp_output_buffer_append (&buffer, "!", 1);
  expected[1000] = '!';
  g_assert_cmpuint (buffer.len, ==, 1001);
  g_assert_cmpuint (buffer.alloc, >=, 1001);

  bytes = wamp_output_buffer_steal_bytes (&buffer);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, 1001);
  g_assert_null (buffer.data);
  g_assert_cmpuint (buffer.len, ==, 0);
  g_assert_cmpuint (buffer.alloc, ==, 0);

  /* All zeros is a cleared buffer: clearing it again is harmless. */
  wamp_output_buffer_clear (&zeroed);
  g_assert_null (zeroed.data);
  g_assert_cmpuint (zeroed.alloc, ==, 0);

  /* Usable again after stealing. */
  wamp_output_buffer_init (&buffer, 200);
  g_assert_cmpuint (buffer.alloc, >=, 200);
  wamp_output_buffer_append (&buffer, "abc", 3);
  g_assert_cmpmem (buffer.data, buffer.len, "abc", 3);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/codec/envelope-builder/event-keeps-payload-raw", test_builder_event_keeps_payload_raw);
  g_test_add_func ("/codec/envelope-builder/lent-frame-payload-copies-spans", test_builder_lent_frame_payload_copies_spans);
  g_test_add_func ("/codec/envelope-builder/without-arguments-no-payload", test_builder_without_arguments_has_no_payload);
  g_test_add_func ("/codec/deserialize-data/plugin-without-it-gets-a-copy", test_deserialize_data_falls_back_to_a_copy);
  g_test_add_func ("/codec/envelope-builder/type-must-be-known-integer", test_builder_type_must_be_known_integer);
  g_test_add_func ("/codec/envelope-builder/bounds-fields", test_builder_bounds_fields);
  g_test_add_func ("/codec/envelope-write/copies-own-raw-payload", test_write_copies_own_raw_payload);
  g_test_add_func ("/codec/envelope-write/kwargs-only-gets-empty-list", test_write_kwargs_only_gets_empty_list);
  g_test_add_func ("/codec/envelope-write/transcodes-foreign-payload", test_write_transcodes_foreign_payload);
  g_test_add_func ("/codec/envelope-write/failure-stops", test_write_failure_stops);
  g_test_add_func ("/codec/envelope-write/fields-common-kinds", test_write_fields_common_kinds);
  g_test_add_func ("/codec/input-cursor/keeps-first-failure", test_cursor_keeps_first_failure);
  g_test_add_func ("/codec/input-cursor/empty-input", test_cursor_empty_input);
  g_test_add_func ("/codec/utf8/strict", test_utf8_strict);
  g_test_add_func ("/codec/output-buffer/grows-and-steals", test_output_buffer);

  return g_test_run ();
}
