/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MessagePack writer: msgpack-c's packer (smallest integer forms, str8,
 * bin) over a buffer we own. */

#include "wamp-msgpack-writer.h"

#include <string.h>

/* Values nest this deep at most when written: a guard against unbounded
 * recursion on a value built by code, far above what any reader accepts. */
#define WRITER_MAX_DEPTH 1000

/* The packer's sink. */
static int
packer_write (void       *data,
              const char *buf,
              size_t      len)
{
  wamp_msgpack_writer_append (data, buf, len);
  return 0;
}

void
wamp_msgpack_writer_init (WampMsgpackWriter *writer,
                          gsize              reserve)
{
  wamp_output_buffer_init (&writer->buffer, reserve);
  msgpack_packer_init (&writer->packer, writer, packer_write);
}

void
wamp_msgpack_writer_clear (WampMsgpackWriter *writer)
{
  wamp_output_buffer_clear (&writer->buffer);
}

GBytes *
wamp_msgpack_writer_steal_bytes (WampMsgpackWriter *writer)
{
  return wamp_output_buffer_steal_bytes (&writer->buffer);
}

void
wamp_msgpack_writer_write_array_header (WampMsgpackWriter *writer,
                                        gsize              count)
{
  msgpack_pack_array (&writer->packer, count);
}

static gboolean
too_long (const char  *what,
          gsize        len,
          GError     **error)
{
  g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
               "%s of %" G_GSIZE_FORMAT " elements cannot be represented in MessagePack",
               what, len);
  return FALSE;
}

static gboolean
write_value (WampMsgpackWriter *writer,
             const WampValue   *value,
             guint              depth,
             GError           **error)
{
  msgpack_packer *pk = &writer->packer;

  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_NULL:
      msgpack_pack_nil (pk);
      return TRUE;
    case WAMP_VALUE_BOOL:
      if (wamp_value_get_bool (value))
        msgpack_pack_true (pk);
      else
        msgpack_pack_false (pk);
      return TRUE;
    case WAMP_VALUE_INT:
      msgpack_pack_int64 (pk, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_UINT:
      msgpack_pack_uint64 (pk, wamp_value_get_uint (value));
      return TRUE;
    case WAMP_VALUE_DOUBLE:
      msgpack_pack_double (pk, wamp_value_get_double (value));
      return TRUE;
    case WAMP_VALUE_STRING:
      {
        gsize len;
        const char *s = wamp_value_get_string (value, &len);

        if (len > G_MAXUINT32)
          return too_long ("a string", len, error);
        msgpack_pack_str (pk, len);
        wamp_msgpack_writer_append (writer, s, len);
        return TRUE;
      }
    case WAMP_VALUE_BYTES:
      {
        gsize len;
        const guint8 *data = wamp_value_get_bytes (value, &len);

        if (len > G_MAXUINT32)
          return too_long ("a byte string", len, error);
        msgpack_pack_bin (pk, len);
        wamp_msgpack_writer_append (writer, data, len);
        return TRUE;
      }
    case WAMP_VALUE_LIST:
      {
        gsize n = wamp_value_list_length (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        if (n > G_MAXUINT32)
          return too_long ("a list", n, error);
        msgpack_pack_array (pk, n);
        for (gsize i = 0; i < n; i++)
          if (!write_value (writer, wamp_value_list_get (value, i), depth + 1, error))
            return FALSE;
        return TRUE;
      }
    case WAMP_VALUE_DICT:
      {
        gsize n = wamp_value_dict_size (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        if (n > G_MAXUINT32)
          return too_long ("a dict", n, error);
        msgpack_pack_map (pk, n);
        for (gsize i = 0; i < n; i++)
          {
            gsize key_len;
            const char *key = wamp_value_dict_get_key (value, i, &key_len);

            if (key_len > G_MAXUINT32)
              return too_long ("a key", key_len, error);
            msgpack_pack_str (pk, key_len);
            wamp_msgpack_writer_append (writer, key, key_len);
            if (!write_value (writer, wamp_value_dict_get_value (value, i), depth + 1, error))
              return FALSE;
          }
        return TRUE;
      }
    default:
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                   "unknown value type %d", (int) wamp_value_get_value_type (value));
      return FALSE;
    }

  g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
               "value nested deeper than %d", WRITER_MAX_DEPTH);
  return FALSE;
}

gboolean
wamp_msgpack_writer_write_value (WampMsgpackWriter *writer,
                                 const WampValue   *value,
                                 GError           **error)
{
  return write_value (writer, value, 0, error);
}
