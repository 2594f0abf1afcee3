/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "json" WampSerializer: one validating pass per frame that builds the
 * envelope and keeps Arguments/ArgumentsKw as raw spans of the frame. */

#include "wamp-json-serializer.h"
#include "wamp-json-reader.h"
#include "wamp-json-writer.h"

struct _WampJsonSerializer
{
  GObject parent_instance;

  guint max_depth;
};

enum {
  PROP_0,
  PROP_MAX_DEPTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void wamp_json_serializer_iface_init (WampSerializerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampJsonSerializer, wamp_json_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER,
                                                      wamp_json_serializer_iface_init))

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampJsonWriter, wamp_output_buffer_clear)

static const char *
wamp_json_serializer_get_name (WampSerializer *serializer)
{
  return "json";
}

static const char *
wamp_json_serializer_get_subprotocol (WampSerializer *serializer)
{
  return "wamp.2.json";
}

static guint8
wamp_json_serializer_get_rawsocket_id (WampSerializer *serializer)
{
  return 1;
}

static gboolean
wamp_json_serializer_is_binary (WampSerializer *serializer)
{
  return FALSE;
}

static WampMessage *
violation (const char  *reason,
           GError     **error)
{
  g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION, "%s", reason);
  return NULL;
}

static WampMessage *
json_violation (const WampJsonReader  *reader,
                GError               **error)
{
  wamp_input_cursor_set_error (reader, WAMP_ERROR_PROTOCOL_VIOLATION, error);
  return NULL;
}

static inline gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}

#define DIGIT_ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGH_NIBBLES G_GUINT64_CONSTANT (0xf0f0f0f0f0f0f0f0)

/* The bytes of @w (eight bytes of input, the first lowest) that are not
 * ASCII digits, nonzero: '0'..'9' are the bytes whose high nibble is 3 before
 * and after adding 6. Exact in its lowest nonzero byte (a carry out of a
 * byte >= 0xfa only reaches later ones). */
static inline guint64
non_digits (guint64 w)
{
  return ((w & HIGH_NIBBLES) ^ (DIGIT_ONES * 0x30)) |
         (((w + DIGIT_ONES * 6) & HIGH_NIBBLES) ^ (DIGIT_ONES * 0x30));
}

/* The value of the first @n (1 to 8) bytes of @w, all digits: four
 * multiplications for the eight (SWAR), not one per digit. */
static inline guint64
digits_value (guint64 w,
              guint   n)
{
  /* No borrow crosses into the digits: they are the low bytes. Shifting
   * them up drops what follows and makes the low bytes leading zeros. */
  w = (w - DIGIT_ONES * '0') << (8 * (8 - n));
  w = (w * 10 + (w >> 8)) & G_GUINT64_CONSTANT (0x00ff00ff00ff00ff);
  w = (w * 100 + (w >> 16)) & G_GUINT64_CONSTANT (0x0000ffff0000ffff);
  return (w * 10000 + (w >> 32)) & G_GUINT64_CONSTANT (0xffffffff);
}

static const guint32 small_powers_of_ten[8] = {
  1, 10, 100, 1000, 10000, 100000, 1000000, 10000000
};

/* An integer of 1 to 15 digits, no leading zero, at @p with 16 bytes
 * readable: its value and the byte after it in @end_out. FALSE for anything
 * else (left to the slower paths). */
static inline gboolean
read_short_integer (const guint8  *p,
                    guint64       *value,
                    const guint8 **end_out)
{
  guint64 w, bad, v;
  guint n;

  memcpy (&w, p, 8);
  bad = non_digits (w);
  if (bad != 0)
    {
      n = (guint) __builtin_ctzll (bad) >> 3;
      if (n == 0)
        return FALSE;
      v = digits_value (w, n);
    }
  else
    {
      guint n2;

      v = digits_value (w, 8);
      memcpy (&w, p + 8, 8);
      bad = non_digits (w);
      if (bad == 0)
        return FALSE;
      n2 = (guint) __builtin_ctzll (bad) >> 3;
      if (n2 > 0)
        v = v * small_powers_of_ten[n2] + digits_value (w, n2);
      n = 8 + n2;
    }
  *value = v;
  *end_out = p + n;
  return TRUE;
}

/* A field at the cursor: the common ones (integers, {}; plain strings in
 * the reader's entry) taken here, others decoded (and anything unusual, such
 * as a leading zero or a fraction, left to the reader to judge). */
static inline gboolean
read_field (WampJsonReader  *reader,
            WampValue      **field)
{
  const guint8 *p = reader->p;
  const guint8 *end = reader->end;

  if (end - p >= 16 && p[0] >= '1' && p[0] <= '9')
    {
      const guint8 *q;
      guint64 v;

      /* 16 bytes follow any field but one near the frame's end, which
       * the loop below reads. */
      if (read_short_integer (p, &v, &q) && *q != '.' && *q != 'e' && *q != 'E')
        {
          reader->p = q;
          *field = wamp_value_new_int ((gint64) v);
          return TRUE;
        }
    }
  if (p < end && is_digit (p[0]))
    {
      const guint8 *q = p + 1;
      gint64 v = p[0] - '0';

      /* Up to 18 digits (IDs have at most 16) fit int64 as they are. */
      if (v != 0)
        while (q < end && q - p < 18 && is_digit (*q))
          v = v * 10 + (*q++ - '0');
      if (q < end && !is_digit (*q) && *q != '.' && *q != 'e' && *q != 'E')
        {
          reader->p = q;
          *field = wamp_value_new_int (v);
          return TRUE;
        }
    }
  else if (end - p >= 2 && p[0] == '{' && p[1] == '}')
    {
      reader->p = p + 2;
      *field = wamp_value_get_empty_dict ();
      return TRUE;
    }
  return wamp_json_reader_read_value (reader, 1, field);
}

/* One element of the message array, as @builder says it is. */
static gboolean
read_element (WampJsonReader       *reader,
              WampEnvelopeBuilder  *builder,
              GError              **error)
{
  WampEnvelopeElement element;
  WampValue *field = NULL;
  const guint8 *start = reader->p;
  gboolean is_args;

  if (!wamp_envelope_builder_next (builder, &element, error))
    return FALSE;
  if (element == WAMP_ENVELOPE_ELEMENT_FIELD)
    {
      if (!read_field (reader, &field))
        {
          json_violation (reader, error);
          return FALSE;
        }
      return wamp_envelope_builder_add_field (builder, field, error);
    }

  /* The element's first byte tells its kind: the value is validated right
   * after, so a '[' really opens one complete list. The payload stays raw
   * (rule 1). */
  is_args = element == WAMP_ENVELOPE_ELEMENT_ARGUMENTS;
  if (start >= reader->end || *start != (is_args ? '[' : '{'))
    {
      if (start < reader->end && !wamp_json_reader_skip_value (reader, 1))
        json_violation (reader, error);
      else
        violation (is_args ? "Arguments must be a list" : "ArgumentsKw must be a dict", error);
      return FALSE;
    }
  if (!wamp_json_reader_skip_value (reader, 1))
    {
      json_violation (reader, error);
      return FALSE;
    }
  wamp_envelope_builder_set_span (builder, (gsize) (start - reader->start),
                                  (gsize) (reader->p - start));
  return TRUE;
}

/* One deserializer for a frame of its own (@frame) and for bytes lent for
 * the call only (@frame NULL): the builder copies the payload spans then. */
static WampMessage *
deserialize_frame (WampSerializer  *serializer,
                   GBytes          *frame,
                   const guint8    *data,
                   gsize            len,
                   GError         **error)
{
  /* A plain cast: the core's wrapper checked the instance (hot path). */
  WampJsonSerializer *self = (WampJsonSerializer *) serializer;
  WampJsonReader reader;
  g_auto(WampEnvelopeBuilder) builder;

  wamp_envelope_builder_init (&builder);
  wamp_input_cursor_init (&reader, "JSON", data, len, self->max_depth);

  wamp_json_reader_skip_ws (&reader);
  if (reader.p >= reader.end)
    return violation ("empty frame", error);
  if (*reader.p != '[')
    return violation ("a message must be a JSON array", error);
  if (self->max_depth < 1)
    return violation ("message nested too deep", error);
  reader.p++;
  wamp_json_reader_skip_ws (&reader);
  if (reader.p < reader.end && *reader.p == ']')
    return violation ("empty message array", error);

  /* Whitespace before each element is skipped after the '[' or ','. */
  for (;;)
    {
      if (!read_element (&reader, &builder, error))
        return NULL;

      wamp_json_reader_skip_ws (&reader);
      if (reader.p >= reader.end)
        {
          wamp_input_cursor_fail (&reader, "unterminated message array");
          return json_violation (&reader, error);
        }
      if (*reader.p == ']')
        {
          reader.p++;
          break;
        }
      if (*reader.p != ',')
        {
          wamp_input_cursor_fail (&reader, "expected ',' or ']'");
          return json_violation (&reader, error);
        }
      reader.p++;
      wamp_json_reader_skip_ws (&reader);
      if (reader.p < reader.end && *reader.p == ']')
        {
          wamp_input_cursor_fail (&reader, "trailing comma");
          return json_violation (&reader, error);
        }
    }

  wamp_json_reader_skip_ws (&reader);
  if (reader.p != reader.end)
    {
      wamp_input_cursor_fail (&reader, "trailing bytes after the message");
      return json_violation (&reader, error);
    }
  return wamp_envelope_builder_finish_data (&builder, serializer, frame, data, len, error);
}

static WampMessage *
wamp_json_serializer_deserialize (WampSerializer  *serializer,
                                  GBytes          *frame,
                                  GError         **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  return deserialize_frame (serializer, frame, data, len, error);
}

static WampMessage *
wamp_json_serializer_deserialize_data (WampSerializer  *serializer,
                                       const guint8    *data,
                                       gsize            len,
                                       GError         **error)
{
  return deserialize_frame (serializer, NULL, data, len, error);
}

static void
envelope_begin (gpointer writer,
                gsize    n_elements,
                gsize    raw_len)
{
  wamp_output_buffer_reserve (writer, 128 + raw_len);
  wamp_output_buffer_put (writer, '[');
}

static gboolean
envelope_write_value (gpointer    writer,
                      gsize       index,
                      WampValue  *value,
                      GError    **error)
{
  if (index > 0)
    wamp_output_buffer_put (writer, ',');
  return wamp_json_writer_write_value (writer, value, error);
}

static void envelope_write_raw (gpointer      writer,
                                gsize         index,
                                const guint8 *data,
                                gsize         len);

/* The room for envelope_write_raw(), made out of its line: without a call
 * of its own but the final memcpy the usual path saves no registers. */
static __attribute__ ((noinline)) void
envelope_write_raw_grown (gpointer      writer,
                          gsize         index,
                          const guint8 *data,
                          gsize         len)
{
  wamp_output_buffer_grow (writer, len + 1);
  envelope_write_raw (writer, index, data, len);
}

static void
envelope_write_raw (gpointer      writer,
                    gsize         index,
                    const guint8 *data,
                    gsize         len)
{
  WampOutputBuffer *out = writer;
  guint8 *p;

  if (G_UNLIKELY (out->alloc - out->len < len + 1))
    {
      envelope_write_raw_grown (writer, index, data, len);
      return;
    }
  /* The ',' stored always, kept when it is due. */
  p = out->data + out->len;
  *p = ',';
  p += index > 0;
  out->len = (gsize) (p + len - out->data);
  /* Most are "{}" (Options, Details): copied without a memcpy call. */
  if (len == 2)
    memcpy (p, data, 2);
  else if (len > 0)
    memcpy (p, data, len);
}

static void
envelope_end (gpointer writer)
{
  wamp_output_buffer_put (writer, ']');
}

static const guint8 empty_array[] = { '[', ']' };
static const guint8 empty_object[] = { '{', '}' };

static const WampEnvelopeWriterFuncs envelope_funcs = {
  .begin = envelope_begin,
  .write_value = envelope_write_value,
  .write_raw = envelope_write_raw,
  .end = envelope_end,
  .empty_list = empty_array,
  .empty_list_len = sizeof empty_array,
};

static const WampEnvelopeFieldFuncs field_funcs = {
  .write_int = wamp_json_writer_write_element_int,
  .empty_dict = empty_object,
  .empty_dict_len = sizeof empty_object,
};

static gboolean
wamp_json_serializer_serialize_into (WampSerializer    *serializer,
                                     WampMessage       *message,
                                     WampOutputBuffer  *out,
                                     GError           **error)
{
  return wamp_envelope_write_fields (message, serializer, &envelope_funcs, &field_funcs, out, error);
}

static GBytes *
wamp_json_serializer_encode_value (WampSerializer  *serializer,
                                   WampValue       *value,
                                   GError         **error)
{
  g_auto(WampJsonWriter) writer = { NULL, 0, 0 };

  wamp_output_buffer_init (&writer, 64);
  if (!wamp_json_writer_write_value (&writer, value, error))
    return NULL;
  return wamp_output_buffer_steal_bytes (&writer);
}

static WampValue *
wamp_json_serializer_decode_value (WampSerializer  *serializer,
                                   const guint8    *data,
                                   gsize            len,
                                   GError         **error)
{
  WampJsonSerializer *self = WAMP_JSON_SERIALIZER (serializer);

  return wamp_json_decode_value (data, len, self->max_depth,
                                 WAMP_ERROR_INVALID_ARGUMENT, error);
}

static void
wamp_json_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->get_name = wamp_json_serializer_get_name;
  iface->get_subprotocol = wamp_json_serializer_get_subprotocol;
  iface->get_rawsocket_id = wamp_json_serializer_get_rawsocket_id;
  iface->is_binary = wamp_json_serializer_is_binary;
  iface->deserialize = wamp_json_serializer_deserialize;
  iface->serialize = wamp_serializer_default_serialize;
  iface->serialize_into = wamp_json_serializer_serialize_into;
  iface->encode_value = wamp_json_serializer_encode_value;
  iface->decode_value = wamp_json_serializer_decode_value;
  iface->deserialize_data = wamp_json_serializer_deserialize_data;
}

static void
wamp_json_serializer_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WampJsonSerializer *self = WAMP_JSON_SERIALIZER (object);

  switch (prop_id)
    {
    case PROP_MAX_DEPTH:
      g_value_set_uint (value, self->max_depth);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wamp_json_serializer_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WampJsonSerializer *self = WAMP_JSON_SERIALIZER (object);

  switch (prop_id)
    {
    case PROP_MAX_DEPTH:
      wamp_json_serializer_set_max_depth (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wamp_json_serializer_class_init (WampJsonSerializerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wamp_json_serializer_get_property;
  object_class->set_property = wamp_json_serializer_set_property;

  /**
   * WampJsonSerializer:max-depth:
   *
   * The nesting limit of frames and values, counting the message's own
   * array; deeper input is a protocol violation. The same property exists on
   * every serializer, so the router sets it from `limits.max_nesting_depth`
   * without knowing which serializer it talks to.
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL,
                       1, G_MAXUINT, WAMP_JSON_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wamp_json_serializer_init (WampJsonSerializer *self)
{
  self->max_depth = WAMP_JSON_DEFAULT_MAX_DEPTH;
}

WampJsonSerializer *
wamp_json_serializer_new (void)
{
  return g_object_new (WAMP_TYPE_JSON_SERIALIZER, NULL);
}

void
wamp_json_serializer_set_max_depth (WampJsonSerializer *self,
                                    guint               max_depth)
{
  g_return_if_fail (WAMP_IS_JSON_SERIALIZER (self));
  g_return_if_fail (max_depth >= 1);

  if (self->max_depth == max_depth)
    return;
  self->max_depth = max_depth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DEPTH]);
}

guint
wamp_json_serializer_get_max_depth (WampJsonSerializer *self)
{
  g_return_val_if_fail (WAMP_IS_JSON_SERIALIZER (self), 0);

  return self->max_depth;
}
