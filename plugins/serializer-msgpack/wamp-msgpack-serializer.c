/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "msgpack" WampSerializer: one bounded, validating pass per frame that
 * builds the envelope and keeps Arguments/ArgumentsKw as raw spans of the
 * frame; msgpack-c's packer writes. */

#include "wamp-msgpack-serializer.h"
#include "wamp-msgpack-reader.h"
#include "wamp-msgpack-writer.h"

/* More non-payload elements than any WAMP message has (ERROR has 5). */
#define MAX_FIELDS 8

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

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampMsgpackWriter, wamp_msgpack_writer_clear)

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

static void
clear_fields (WampValue **fields,
              gsize       n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    g_clear_pointer (&fields[i], wamp_value_unref);
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
  wamp_msgpack_reader_set_error (reader, WAMP_ERROR_PROTOCOL_VIOLATION, error);
  return NULL;
}

/* Reads the message type (element 0) into @field and looks up where its
 * payload starts. */
static gboolean
read_type (WampMsgpackReader  *reader,
           WampValue         **field,
           gint               *payload_index,
           GError            **error)
{
  gint64 code;

  if (!wamp_msgpack_reader_read_value (reader, 1, field))
    {
      reader_violation (reader, error);
      return FALSE;
    }
  if (wamp_value_get_value_type (*field) != WAMP_VALUE_INT)
    {
      violation ("message type must be an integer", error);
      return FALSE;
    }
  code = wamp_value_get_int (*field);
  if (code < 1 || code > WAMP_MESSAGE_TYPE_MAX ||
      wamp_message_type_to_string ((WampMessageType) code) == NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                   "unknown message type %" G_GINT64_FORMAT, code);
      return FALSE;
    }
  *payload_index = wamp_message_type_payload_index ((WampMessageType) code);
  return TRUE;
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

static WampMessage *
wamp_msgpack_serializer_deserialize (WampSerializer  *serializer,
                                     GBytes          *frame,
                                     GError         **error)
{
  WampMsgpackSerializer *self = WAMP_MSGPACK_SERIALIZER (serializer);
  WampMsgpackReader reader;
  WampValue *fields[MAX_FIELDS] = { NULL, };
  gsize n_fields = 0;
  guint32 n_elements;
  gint payload_index = -1;
  gsize args_offset = 0, args_len = 0, kwargs_offset = 0, kwargs_len = 0;
  g_autoptr(WampPayload) payload = NULL;
  const guint8 *data;
  gsize len;
  WampMessage *message;

  data = g_bytes_get_data (frame, &len);
  wamp_msgpack_reader_init (&reader, data, len, self->max_depth);

  if (len == 0)
    return violation ("empty frame", error);
  if (!is_array_byte (*reader.p))
    return violation ("a message must be a MessagePack array", error);
  if (!wamp_msgpack_reader_read_array_header (&reader, &n_elements))
    return reader_violation (&reader, error);
  if (n_elements == 0)
    return violation ("empty message array", error);

  for (guint32 i = 0; i < n_elements; i++)
    {
      if (i == 0)
        {
          gboolean ok = read_type (&reader, &fields[0], &payload_index, error);

          n_fields = fields[0] != NULL ? 1 : 0;
          if (!ok)
            {
              clear_fields (fields, n_fields);
              return NULL;
            }
        }
      else if (payload_index < 0 || i < (guint32) payload_index)
        {
          if (n_fields == MAX_FIELDS)
            {
              clear_fields (fields, n_fields);
              return violation ("too many message elements", error);
            }
          if (!wamp_msgpack_reader_read_value (&reader, 1, &fields[n_fields]))
            {
              clear_fields (fields, n_fields);
              return reader_violation (&reader, error);
            }
          n_fields++;
        }
      else if (i == (guint32) payload_index || i == (guint32) payload_index + 1)
        {
          gboolean is_args = i == (guint32) payload_index;
          const guint8 *start = reader.p;

          /* The header byte tells the kind; the value is validated right
           * after, so an array header really opens one complete list. */
          if (start >= reader.end ||
              !(is_args ? is_array_byte (*start) : is_map_byte (*start)))
            {
              clear_fields (fields, n_fields);
              if (!wamp_msgpack_reader_read_value (&reader, 1, NULL))
                return reader_violation (&reader, error);
              return violation (is_args ? "Arguments must be a list"
                                        : "ArgumentsKw must be a dict", error);
            }
          if (!wamp_msgpack_reader_read_value (&reader, 1, NULL))
            {
              clear_fields (fields, n_fields);
              return reader_violation (&reader, error);
            }
          if (is_args)
            {
              args_offset = (gsize) (start - reader.start);
              args_len = (gsize) (reader.p - start);
            }
          else
            {
              kwargs_offset = (gsize) (start - reader.start);
              kwargs_len = (gsize) (reader.p - start);
            }
        }
      else
        {
          clear_fields (fields, n_fields);
          return violation ("too many message elements", error);
        }
    }

  if (reader.p != reader.end)
    {
      clear_fields (fields, n_fields);
      wamp_msgpack_reader_fail (&reader, "trailing bytes after the message");
      return reader_violation (&reader, error);
    }

  if (args_len > 0)
    payload = wamp_payload_new_raw (serializer, frame, args_offset, args_len,
                                    kwargs_offset, kwargs_len);
  message = wamp_message_new_from_fields (fields, n_fields, payload, error);
  clear_fields (fields, n_fields);
  return message;
}

static GBytes *
wamp_msgpack_serializer_serialize (WampSerializer  *serializer,
                                   WampMessage     *message,
                                   GError         **error)
{
  g_auto(WampMsgpackWriter) writer = { NULL, };
  WampPayload *payload = wamp_message_get_payload (message);
  gsize n_fields = wamp_message_get_n_fields (message);
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;
  WampValue *args_value = NULL, *kwargs_value = NULL;
  gboolean raw = FALSE;
  gboolean decoded = FALSE;
  gsize n_elements = n_fields;

  if (payload != NULL)
    raw = wamp_payload_get_raw (payload, serializer, &args, &args_len, &kwargs, &kwargs_len);

  /* A MessagePack array states its length first: settle what the payload
   * adds before writing anything. */
  if (raw)
    {
      if (args != NULL || kwargs != NULL)
        n_elements++;
      if (kwargs != NULL)
        n_elements++;
    }
  else if (payload != NULL &&
           (wamp_payload_has_args (payload) || wamp_payload_has_kwargs (payload)))
    {
      if (!wamp_payload_get_values (payload, &args_value, &kwargs_value, error))
        return NULL;
      decoded = TRUE;
      n_elements += kwargs_value != NULL ? 2 : 1;
    }

  wamp_msgpack_writer_init (&writer, 64 + args_len + kwargs_len);
  wamp_msgpack_writer_write_array_header (&writer, n_elements);
  for (gsize i = 0; i < n_fields; i++)
    if (!wamp_msgpack_writer_write_value (&writer, wamp_message_get_field (message, i), error))
      return NULL;

  if (raw)
    {
      /* Rule 1: the sender's bytes go out as they came, never decoded. */
      if (args != NULL)
        wamp_msgpack_writer_append (&writer, args, args_len);
      else if (kwargs != NULL)
        wamp_msgpack_writer_write_array_header (&writer, 0);
      if (kwargs != NULL)
        wamp_msgpack_writer_append (&writer, kwargs, kwargs_len);
    }
  else if (decoded)
    {
      if (args_value != NULL)
        {
          if (!wamp_msgpack_writer_write_value (&writer, args_value, error))
            return NULL;
        }
      else
        {
          wamp_msgpack_writer_write_array_header (&writer, 0);
        }
      if (kwargs_value != NULL &&
          !wamp_msgpack_writer_write_value (&writer, kwargs_value, error))
        return NULL;
    }

  return wamp_msgpack_writer_steal_bytes (&writer);
}

static GBytes *
wamp_msgpack_serializer_encode_value (WampSerializer  *serializer,
                                      WampValue       *value,
                                      GError         **error)
{
  g_auto(WampMsgpackWriter) writer = { NULL, };

  wamp_msgpack_writer_init (&writer, 64);
  if (!wamp_msgpack_writer_write_value (&writer, value, error))
    return NULL;
  return wamp_msgpack_writer_steal_bytes (&writer);
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
  iface->serialize = wamp_msgpack_serializer_serialize;
  iface->encode_value = wamp_msgpack_serializer_encode_value;
  iface->decode_value = wamp_msgpack_serializer_decode_value;
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
