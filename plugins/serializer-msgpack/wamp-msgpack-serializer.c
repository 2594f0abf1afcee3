/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "msgpack" WampSerializer: one bounded, validating pass per frame that
 * builds the envelope and keeps Arguments/ArgumentsKw as raw spans of the
 * frame; our own writer encodes. */

#include "wamp-msgpack-serializer.h"
#include "wamp-msgpack-reader.h"
#include "wamp-msgpack-writer.h"

struct _WampMsgpackSerializer
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

static void wamp_msgpack_serializer_iface_init (WampSerializerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampMsgpackSerializer, wamp_msgpack_serializer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WAMP_TYPE_SERIALIZER,
                                                      wamp_msgpack_serializer_iface_init))


static const char *
wamp_msgpack_serializer_get_name (WampSerializer *serializer)
{
  return "msgpack";
}

static const char *
wamp_msgpack_serializer_get_subprotocol (WampSerializer *serializer)
{
  return "wamp.2.msgpack";
}

static guint8
wamp_msgpack_serializer_get_rawsocket_id (WampSerializer *serializer)
{
  return 2;
}

static gboolean
wamp_msgpack_serializer_is_binary (WampSerializer *serializer)
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
reader_violation (const WampMsgpackReader  *reader,
                  GError                  **error)
{
  wamp_input_cursor_set_error (reader, WAMP_ERROR_PROTOCOL_VIOLATION, error);
  return NULL;
}

static inline gboolean
is_array_byte (guint8 c)
{
  return (c >= 0x90 && c <= 0x9f) || c == 0xdc || c == 0xdd;
}

static inline gboolean
is_map_byte (guint8 c)
{
  return (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf;
}


/* A field at the cursor: the common kinds (small ints and IDs, {}, URIs)
 * taken here when valid, anything else or anything wrong left to the
 * reader, which says what is wrong. */
static inline gboolean
read_field (WampMsgpackReader  *reader,
            WampValue         **field)
{
  const guint8 *p = reader->p;
  gsize left = wamp_input_cursor_remaining (reader);
  guint8 c;

  if (left == 0)
    return wamp_msgpack_reader_read_value (reader, 1, field);
  c = p[0];
  if (c <= 0x7f)
    {
      reader->p++;
      *field = wamp_value_new_int (c);
      return TRUE;
    }
  if (c == 0x80)
    {
      reader->p++;
      *field = wamp_value_get_empty_dict ();
      return TRUE;
    }
  if (c >= 0xcc && c <= 0xcf && left > (1u << (c - 0xcc)))
    {
      guint n = 1u << (c - 0xcc);
      guint64 v = 0;

      for (guint i = 1; i <= n; i++)
        v = (v << 8) | p[i];
      reader->p += 1 + n;
      /* Normalised by WampValue: INT up to G_MAXINT64, UINT above. */
      *field = v <= (guint64) G_MAXINT64 ? wamp_value_new_int ((gint64) v) : wamp_value_new_uint (v);
      return TRUE;
    }
  if ((c >= 0xa0 && c <= 0xbf) || (c == 0xd9 && left >= 2))
    {
      const guint8 *s = p + (c == 0xd9 ? 2 : 1);
      gsize len = c == 0xd9 ? p[1] : (c & 0x1fu);

      if (len <= (gsize) (reader->end - s) && wamp_utf8_find_invalid (s, s + len) == NULL)
        {
          reader->p = s + len;
          *field = wamp_value_new_string_len ((const char *) s, len);
          return TRUE;
        }
    }
  return wamp_msgpack_reader_read_value (reader, 1, field);
}

/* One element of the message array, as @builder says it is. */
static gboolean
read_element (WampMsgpackReader    *reader,
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
          reader_violation (reader, error);
          return FALSE;
        }
      return wamp_envelope_builder_add_field (builder, field, error);
    }

  /* The header byte tells the kind; the value is validated right after, so
   * an array header really opens one complete list. The payload stays raw
   * (rule 1). */
  is_args = element == WAMP_ENVELOPE_ELEMENT_ARGUMENTS;
  if (start >= reader->end ||
      !(is_args ? is_array_byte (*start) : is_map_byte (*start)))
    {
      if (!wamp_msgpack_reader_read_value (reader, 1, NULL))
        reader_violation (reader, error);
      else
        violation (is_args ? "Arguments must be a list" : "ArgumentsKw must be a dict", error);
      return FALSE;
    }
  if (!wamp_msgpack_reader_read_value (reader, 1, NULL))
    {
      reader_violation (reader, error);
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
  WampMsgpackSerializer *self = (WampMsgpackSerializer *) serializer;
  WampMsgpackReader reader;
  g_auto(WampEnvelopeBuilder) builder;
  guint32 n_elements;

  wamp_envelope_builder_init (&builder);
  wamp_input_cursor_init (&reader, "MessagePack", data, len, self->max_depth);

  if (len == 0)
    return violation ("empty frame", error);
  if (!is_array_byte (*reader.p))
    return violation ("a message must be a MessagePack array", error);
  if (!wamp_msgpack_reader_read_array_header (&reader, &n_elements))
    return reader_violation (&reader, error);
  if (n_elements == 0)
    return violation ("empty message array", error);

  for (guint32 i = 0; i < n_elements; i++)
    if (!read_element (&reader, &builder, error))
      return NULL;

  if (reader.p != reader.end)
    {
      wamp_input_cursor_fail (&reader, "trailing bytes after the message");
      return reader_violation (&reader, error);
    }
  return wamp_envelope_builder_finish_data (&builder, serializer, frame, data, len, error);
}

static WampMessage *
wamp_msgpack_serializer_deserialize (WampSerializer  *serializer,
                                     GBytes          *frame,
                                     GError         **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (frame, &len);

  return deserialize_frame (serializer, frame, data, len, error);
}

static WampMessage *
wamp_msgpack_serializer_deserialize_data (WampSerializer  *serializer,
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
  wamp_msgpack_writer_write_array_header (writer, n_elements);
}

static gboolean
envelope_write_value (gpointer    writer,
                      gsize       index,
                      WampValue  *value,
                      GError    **error)
{
  return wamp_msgpack_writer_write_value (writer, value, error);
}

static void
envelope_write_raw (gpointer      writer,
                    gsize         index,
                    const guint8 *data,
                    gsize         len)
{
  wamp_msgpack_writer_append (writer, data, len);
}

static void
envelope_write_int (gpointer writer,
                    gsize    index,
                    gint64   value)
{
  wamp_msgpack_writer_write_int (writer, value);
}

/* fixarray of 0 elements */
static const guint8 empty_array[] = { 0x90 };
/* fixmap of 0 entries */
static const guint8 empty_map[] = { 0x80 };

static const WampEnvelopeWriterFuncs envelope_funcs = {
  .begin = envelope_begin,
  .write_value = envelope_write_value,
  .write_raw = envelope_write_raw,
  .empty_list = empty_array,
  .empty_list_len = sizeof empty_array,
};

static const WampEnvelopeFieldFuncs field_funcs = {
  .write_int = envelope_write_int,
  .empty_dict = empty_map,
  .empty_dict_len = sizeof empty_map,
};

static gboolean
wamp_msgpack_serializer_serialize_into (WampSerializer    *serializer,
                                        WampMessage       *message,
                                        WampOutputBuffer  *out,
                                        GError           **error)
{
  return wamp_envelope_write_fields (message, serializer, &envelope_funcs, &field_funcs, out, error);
}

static GBytes *
wamp_msgpack_serializer_encode_value (WampSerializer  *serializer,
                                      WampValue       *value,
                                      GError         **error)
{
  g_auto(WampOutputBuffer) writer = { NULL, 0, 0 };

  wamp_output_buffer_init (&writer, 64);
  if (!wamp_msgpack_writer_write_value (&writer, value, error))
    return NULL;
  return wamp_output_buffer_steal_bytes (&writer);
}

static WampValue *
wamp_msgpack_serializer_decode_value (WampSerializer  *serializer,
                                      const guint8    *data,
                                      gsize            len,
                                      GError         **error)
{
  WampMsgpackSerializer *self = WAMP_MSGPACK_SERIALIZER (serializer);

  return wamp_msgpack_decode_value (data, len, self->max_depth,
                                    WAMP_ERROR_INVALID_ARGUMENT, error);
}

static void
wamp_msgpack_serializer_iface_init (WampSerializerInterface *iface)
{
  iface->get_name = wamp_msgpack_serializer_get_name;
  iface->get_subprotocol = wamp_msgpack_serializer_get_subprotocol;
  iface->get_rawsocket_id = wamp_msgpack_serializer_get_rawsocket_id;
  iface->is_binary = wamp_msgpack_serializer_is_binary;
  iface->deserialize = wamp_msgpack_serializer_deserialize;
  iface->serialize = wamp_serializer_default_serialize;
  iface->serialize_into = wamp_msgpack_serializer_serialize_into;
  iface->encode_value = wamp_msgpack_serializer_encode_value;
  iface->decode_value = wamp_msgpack_serializer_decode_value;
  iface->deserialize_data = wamp_msgpack_serializer_deserialize_data;
}

static void
wamp_msgpack_serializer_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  WampMsgpackSerializer *self = WAMP_MSGPACK_SERIALIZER (object);

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
wamp_msgpack_serializer_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  WampMsgpackSerializer *self = WAMP_MSGPACK_SERIALIZER (object);

  switch (prop_id)
    {
    case PROP_MAX_DEPTH:
      wamp_msgpack_serializer_set_max_depth (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
wamp_msgpack_serializer_class_init (WampMsgpackSerializerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = wamp_msgpack_serializer_get_property;
  object_class->set_property = wamp_msgpack_serializer_set_property;

  /**
   * WampMsgpackSerializer:max-depth:
   *
   * How deeply frames and values may nest, counting the message's own array;
   * deeper input is a protocol violation.
   */
  properties[PROP_MAX_DEPTH] =
    g_param_spec_uint ("max-depth", NULL, NULL,
                       1, G_MAXUINT, WAMP_MSGPACK_DEFAULT_MAX_DEPTH,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
wamp_msgpack_serializer_init (WampMsgpackSerializer *self)
{
  self->max_depth = WAMP_MSGPACK_DEFAULT_MAX_DEPTH;
}

WampMsgpackSerializer *
wamp_msgpack_serializer_new (void)
{
  return g_object_new (WAMP_TYPE_MSGPACK_SERIALIZER, NULL);
}

void
wamp_msgpack_serializer_set_max_depth (WampMsgpackSerializer *self,
                                       guint                  max_depth)
{
  g_return_if_fail (WAMP_IS_MSGPACK_SERIALIZER (self));
  g_return_if_fail (max_depth >= 1);

  if (self->max_depth == max_depth)
    return;
  self->max_depth = max_depth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_DEPTH]);
}

guint
wamp_msgpack_serializer_get_max_depth (WampMsgpackSerializer *self)
{
  g_return_val_if_fail (WAMP_IS_MSGPACK_SERIALIZER (self), 0);

  return self->max_depth;
}
