/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "cbor" WampSerializer: one bounded validating pass per frame that
 * builds the envelope and keeps Arguments/ArgumentsKw as raw spans of the
 * frame. Our own reader and writer: libcbor never sees untrusted bytes. */

#include "wamp-cbor-serializer.h"
#include "wamp-cbor-reader.h"
#include "wamp-cbor-writer.h"

/* The major type of a CBOR array, for the envelope's head. */
#define CBOR_MAJOR_ARRAY 4

/* An empty array: Arguments when only ArgumentsKw is present. */
static const guint8 empty_array[] = { 0x80 };

struct _WampCborSerializer
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

static void wamp_cbor_serializer_iface_init (WampSerializerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampCborSerializer, wamp_cbor_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER,
                                                      wamp_cbor_serializer_iface_init))

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampCborWriter, wamp_output_buffer_clear)

static const char *
wamp_cbor_serializer_get_name (WampSerializer *serializer)
{
  return "cbor";
}

static const char *
wamp_cbor_serializer_get_subprotocol (WampSerializer *serializer)
{
  return "wamp.2.cbor";
}

static guint8
wamp_cbor_serializer_get_rawsocket_id (WampSerializer *serializer)
{
  return 3;
}

static gboolean
wamp_cbor_serializer_is_binary (WampSerializer *serializer)
{
  return TRUE;
}

static WampMessage *
violation (const char  *reason,
           GError     **error)
{
  g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION, "%s", reason);
  return NULL;
}

static WampMessage *
cbor_violation (const WampCborReader  *reader,
                GError               **error)
{
  wamp_input_cursor_set_error (reader, WAMP_ERROR_PROTOCOL_VIOLATION, error);
  return NULL;
}

/* A field at the cursor: the common kinds (small ints, IDs, {}, URIs) taken
 * here when valid, anything else or anything wrong left to the reader,
 * which says what is wrong. */
static inline gboolean
read_field (WampCborReader  *reader,
            WampValue      **field)
{
  const guint8 *p = reader->p;
  gsize left = wamp_input_cursor_remaining (reader);

  /* 0x00-0x17: the integer itself; 0x18: one byte follows; 0xa0: {}. */
  if (left >= 1 && p[0] < 0x18)
    {
      reader->p += 1;
      *field = wamp_value_new_int (p[0]);
      return TRUE;
    }
  if (left >= 2 && p[0] == 0x18 && p[1] < 0x80)
    {
      reader->p += 2;
      *field = wamp_value_new_int (p[1]);
      return TRUE;
    }
  if (left >= 1 && p[0] == 0xa0)
    {
      reader->p += 1;
      *field = wamp_value_get_empty_dict ();
      return TRUE;
    }
  /* 0x19-0x1b: an integer in 2, 4 or 8 bytes (IDs). */
  if (left >= 1 && p[0] >= 0x19 && p[0] <= 0x1b && left > (1u << (p[0] - 0x18)))
    {
      guint n = 1u << (p[0] - 0x18);
      guint64 v = 0;

      for (guint i = 1; i <= n; i++)
        v = (v << 8) | p[i];
      reader->p += 1 + n;
      *field = v <= (guint64) G_MAXINT64 ? wamp_value_new_int ((gint64) v) : wamp_value_new_uint (v);
      return TRUE;
    }
  /* 0x60-0x78: a text string of up to 255 bytes (URIs), when valid. */
  if (left >= 2 && p[0] >= 0x60 && p[0] <= 0x78)
    {
      const guint8 *s = p + (p[0] == 0x78 ? 2 : 1);
      gsize len = p[0] == 0x78 ? p[1] : (gsize) (p[0] - 0x60);

      if (len <= (gsize) (reader->end - s) && wamp_utf8_find_invalid (s, s + len) == NULL)
        {
          reader->p = s + len;
          *field = wamp_value_new_string_len ((const char *) s, len);
          return TRUE;
        }
    }
  return wamp_cbor_reader_read_value (reader, 1, field, NULL);
}

/* One element of the message array, as @builder says it is: a field decoded,
 * or Arguments/ArgumentsKw validated and recorded as a span. */
static gboolean
read_element (WampCborReader       *reader,
              WampEnvelopeBuilder  *builder,
              GError              **error)
{
  WampEnvelopeElement element;
  WampValue *field = NULL;
  const guint8 *start = reader->p;
  WampValueType type;
  gboolean is_args;

  if (!wamp_envelope_builder_next (builder, &element, error))
    return FALSE;
  if (element == WAMP_ENVELOPE_ELEMENT_FIELD)
    {
      if (!read_field (reader, &field))
        {
          cbor_violation (reader, error);
          return FALSE;
        }
      return wamp_envelope_builder_add_field (builder, field, error);
    }

  /* Validated without building anything: the payload stays raw (rule 1). */
  is_args = element == WAMP_ENVELOPE_ELEMENT_ARGUMENTS;
  if (!wamp_cbor_reader_read_value (reader, 1, NULL, &type))
    {
      cbor_violation (reader, error);
      return FALSE;
    }
  if (type != (is_args ? WAMP_VALUE_LIST : WAMP_VALUE_DICT))
    {
      violation (is_args ? "Arguments must be a list" : "ArgumentsKw must be a dict", error);
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
  WampCborSerializer *self = (WampCborSerializer *) serializer;
  WampCborReader reader;
  g_auto(WampEnvelopeBuilder) builder;
  guint64 count;
  gboolean indefinite;

  wamp_envelope_builder_init (&builder);
  if (len == 0)
    return violation ("empty frame", error);
  wamp_input_cursor_init (&reader, "CBOR", data, len, self->max_depth);

  if (!wamp_cbor_reader_read_container_head (&reader, CBOR_MAJOR_ARRAY, &count, &indefinite))
    return cbor_violation (&reader, error);
  if (!indefinite && count == 0)
    return violation ("empty message array", error);

  for (gsize index = 0;; index++)
    {
      if (indefinite)
        {
          gboolean is_break;

          if (!wamp_cbor_reader_at_break (&reader, &is_break))
            return cbor_violation (&reader, error);
          if (is_break)
            {
              if (index == 0)
                return violation ("empty message array", error);
              break;
            }
        }
      else if (index == count)
        {
          break;
        }

      if (!read_element (&reader, &builder, error))
        return NULL;
    }

  if (reader.p != reader.end)
    {
      wamp_input_cursor_fail (&reader, "trailing bytes after the message");
      return cbor_violation (&reader, error);
    }
  return wamp_envelope_builder_finish_data (&builder, serializer, frame, data, len, error);
}

static WampMessage *
wamp_cbor_serializer_deserialize (WampSerializer  *serializer,
                                  GBytes          *frame,
                                  GError         **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  return deserialize_frame (serializer, frame, data, len, error);
}

static WampMessage *
wamp_cbor_serializer_deserialize_data (WampSerializer  *serializer,
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
  wamp_output_buffer_reserve (writer, 64 + raw_len);
  wamp_cbor_writer_write_array_head (writer, n_elements);
}

static gboolean
envelope_write_value (gpointer    writer,
                      gsize       index,
                      WampValue  *value,
                      GError    **error)
{
  return wamp_cbor_writer_write_value (writer, value, error);
}

static void
envelope_write_raw (gpointer      writer,
                    gsize         index,
                    const guint8 *data,
                    gsize         len)
{
  wamp_output_buffer_append (writer, data, len);
}

static void
envelope_write_int (gpointer writer,
                    gsize    index,
                    gint64   value)
{
  wamp_cbor_writer_write_int (writer, value);
}

/* map of 0 entries */
static const guint8 empty_map[] = { 0xa0 };

static const WampEnvelopeFieldFuncs field_funcs = {
  .write_int = envelope_write_int,
  .empty_dict = empty_map,
  .empty_dict_len = sizeof empty_map,
};

static const WampEnvelopeWriterFuncs envelope_funcs = {
  .begin = envelope_begin,
  .write_value = envelope_write_value,
  .write_raw = envelope_write_raw,
  .empty_list = empty_array,
  .empty_list_len = sizeof empty_array,
};

static gboolean
wamp_cbor_serializer_serialize_into (WampSerializer    *serializer,
                                     WampMessage       *message,
                                     WampOutputBuffer  *out,
                                     GError           **error)
{
  return wamp_envelope_write_fields (message, serializer, &envelope_funcs, &field_funcs, out, error);
}

static GBytes *
wamp_cbor_serializer_encode_value (WampSerializer  *serializer,
                                   WampValue       *value,
                                   GError         **error)
{
  g_auto(WampCborWriter) writer = { NULL, 0, 0 };

  wamp_output_buffer_init (&writer, 64);
  if (!wamp_cbor_writer_write_value (&writer, value, error))
    return NULL;
  return wamp_output_buffer_steal_bytes (&writer);
}

static WampValue *
wamp_cbor_serializer_decode_value (WampSerializer  *serializer,
                                   const guint8    *data,
                                   gsize            len,
                                   GError         **error)
{
  WampCborSerializer *self = WAMP_CBOR_SERIALIZER (serializer);

  return wamp_cbor_decode_value (data, len, self->max_depth,
                                 WAMP_ERROR_INVALID_ARGUMENT, error);
}

static void
wamp_cbor_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->get_name = wamp_cbor_serializer_get_name;
  iface->get_subprotocol = wamp_cbor_serializer_get_subprotocol;
  iface->get_rawsocket_id = wamp_cbor_serializer_get_rawsocket_id;
  iface->is_binary = wamp_cbor_serializer_is_binary;
  iface->deserialize = wamp_cbor_serializer_deserialize;
  iface->serialize = wamp_serializer_default_serialize;
  iface->serialize_into = wamp_cbor_serializer_serialize_into;
  iface->encode_value = wamp_cbor_serializer_encode_value;
  iface->decode_value = wamp_cbor_serializer_decode_value;
  iface->deserialize_data = wamp_cbor_serializer_deserialize_data;
}

static void
wamp_cbor_serializer_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  WampCborSerializer *self = WAMP_CBOR_SERIALIZER (object);

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
wamp_cbor_serializer_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  WampCborSerializer *self = WAMP_CBOR_SERIALIZER (object);

  switch (prop_id)
    {
    case PROP_MAX_DEPTH:
      wamp_cbor_serializer_set_max_depth (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wamp_cbor_serializer_class_init (WampCborSerializerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wamp_cbor_serializer_get_property;
  object_class->set_property = wamp_cbor_serializer_set_property;

  /**
   * WampCborSerializer:max-depth:
   *
   * How deep frames and values may nest, counting the message's own array:
   * deeper input is a protocol violation (or an invalid argument for
   * decode_value). Bounds the reader's recursion.
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL,
                       1, WAMP_CBOR_MAX_MAX_DEPTH, WAMP_CBOR_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wamp_cbor_serializer_init (WampCborSerializer *self)
{
  self->max_depth = WAMP_CBOR_DEFAULT_MAX_DEPTH;
}

WampCborSerializer *
wamp_cbor_serializer_new (void)
{
  return g_object_new (WAMP_TYPE_CBOR_SERIALIZER, NULL);
}

void
wamp_cbor_serializer_set_max_depth (WampCborSerializer *self,
                                    guint               max_depth)
{
  g_return_if_fail (WAMP_IS_CBOR_SERIALIZER (self));
  g_return_if_fail (max_depth >= 1 && max_depth <= WAMP_CBOR_MAX_MAX_DEPTH);

  if (self->max_depth == max_depth)
    return;
  self->max_depth = max_depth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DEPTH]);
}

guint
wamp_cbor_serializer_get_max_depth (WampCborSerializer *self)
{
  g_return_val_if_fail (WAMP_IS_CBOR_SERIALIZER (self), 0);

  return self->max_depth;
}
