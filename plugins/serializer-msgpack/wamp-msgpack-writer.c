/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The MessagePack writer: the forms msgpack-c's packer chooses (smallest
 * integer forms, str8, bin), written straight into a buffer we own. */

#include "wamp-msgpack-writer.h"

#include <string.h>

/* Values nest this deep at most when written: a guard against unbounded
 * recursion on a value built by code, far above what any reader accepts. */
#define WRITER_MAX_DEPTH 1000

/* The longest header: a type byte and 8 content bytes. Each header below
 * reserves this once and stores its bytes directly (msgpack-c's packer went
 * through a callback and a memcpy per header). */
#define MAX_HEADER 9

/* Room for one header; returns where it goes. */
static inline guint8 *
header_space (WampMsgpackWriter *writer)
{
  wamp_output_buffer_reserve (writer, MAX_HEADER);
  return writer->data + writer->len;
}

/* @type then @width big-endian bytes of @v. */
static inline void
put_header (WampMsgpackWriter *writer,
            guint8             type,
            guint64            v,
            guint              width)
{
  guint8 *p = header_space (writer);

  p[0] = type;
  for (guint i = 0; i < width; i++)
    p[1 + i] = (guint8) (v >> (8 * (width - 1 - i)));
  writer->len += 1 + width;
}

static inline void
put_byte (WampMsgpackWriter *writer,
          guint8             c)
{
  wamp_output_buffer_put (writer, c);
}

/* A length or count: the fix form below @fix_limit, then 8 (when @type8 is
 * not 0), 16 or 32 bits. @len fits 32 bits (the callers checked). */
static inline void
put_length (WampMsgpackWriter *writer,
            gsize              len,
            guint8             fix,
            gsize              fix_limit,
            guint8             type8,
            guint8             type16)
{
  if (len < fix_limit)
    put_byte (writer, (guint8) (fix | len));
  else if (type8 != 0 && len <= G_MAXUINT8)
    put_header (writer, type8, len, 1);
  else if (len <= G_MAXUINT16)
    put_header (writer, type16, len, 2);
  else
    put_header (writer, type16 + 1, len, 4);
}

static inline void
put_uint (WampMsgpackWriter *writer,
          guint64            v)
{
  if (v < 0x80)
    put_byte (writer, (guint8) v);
  else if (v <= G_MAXUINT8)
    put_header (writer, 0xcc, v, 1);
  else if (v <= G_MAXUINT16)
    put_header (writer, 0xcd, v, 2);
  else if (v <= G_MAXUINT32)
    put_header (writer, 0xce, v, 4);
  else
    put_header (writer, 0xcf, v, 8);
}

static inline void
put_int (WampMsgpackWriter *writer,
         gint64             v)
{
  if (v >= 0)
    put_uint (writer, (guint64) v);
  else if (v >= -32)
    put_byte (writer, (guint8) v);
  else if (v >= G_MININT8)
    put_header (writer, 0xd0, (guint64) v, 1);
  else if (v >= G_MININT16)
    put_header (writer, 0xd1, (guint64) v, 2);
  else if (v >= G_MININT32)
    put_header (writer, 0xd2, (guint64) v, 4);
  else
    put_header (writer, 0xd3, (guint64) v, 8);
}

static inline void
put_double (WampMsgpackWriter *writer,
            gdouble            d)
{
  guint64 bits;

  memcpy (&bits, &d, sizeof bits);
  put_header (writer, 0xcb, bits, 8);
}

void
wamp_msgpack_writer_write_array_header (WampMsgpackWriter *writer,
                                        gsize              count)
{
  put_length (writer, count, 0x90, 16, 0, 0xdc);
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
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_NULL:
      put_byte (writer, 0xc0);
      return TRUE;
    case WAMP_VALUE_BOOL:
      put_byte (writer, wamp_value_get_bool (value) ? 0xc3 : 0xc2);
      return TRUE;
    case WAMP_VALUE_INT:
      put_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_UINT:
      put_uint (writer, wamp_value_get_uint (value));
      return TRUE;
    case WAMP_VALUE_DOUBLE:
      put_double (writer, wamp_value_get_double (value));
      return TRUE;
    case WAMP_VALUE_STRING:
      {
        gsize len;
        const char *s = wamp_value_get_string (value, &len);

        if (len > G_MAXUINT32)
          return too_long ("a string", len, error);
        put_length (writer, len, 0xa0, 32, 0xd9, 0xda);
        wamp_msgpack_writer_append (writer, s, len);
        return TRUE;
      }
    case WAMP_VALUE_BYTES:
      {
        gsize len;
        const guint8 *data = wamp_value_get_bytes (value, &len);

        if (len > G_MAXUINT32)
          return too_long ("a byte string", len, error);
        /* bin has no fix form: a limit of 0 never takes it. */
        put_length (writer, len, 0, 0, 0xc4, 0xc5);
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
        put_length (writer, n, 0x90, 16, 0, 0xdc);
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
        put_length (writer, n, 0x80, 16, 0, 0xde);
        for (gsize i = 0; i < n; i++)
          {
            gsize key_len;
            const char *key = wamp_value_dict_get_key (value, i, &key_len);

            if (key_len > G_MAXUINT32)
              return too_long ("a key", key_len, error);
            put_length (writer, key_len, 0xa0, 32, 0xd9, 0xda);
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

void
wamp_msgpack_writer_write_int (WampMsgpackWriter *writer,
                               gint64             value)
{
  put_int (writer, value);
}

gboolean
wamp_msgpack_writer_write_value (WampMsgpackWriter *writer,
                                 const WampValue   *value,
                                 GError           **error)
{
  /* Most values written are a message's fields: integers, and empty dicts
   * for Options and Details. Written here they skip write_value's frame
   * (it saves and restores registers for its recursion). */
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_INT:
      put_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_DICT:
      if (wamp_value_dict_size (value) == 0)
        {
          put_byte (writer, 0x80);
          return TRUE;
        }
      break;
    default:
      break;
    }
  return write_value (writer, value, 0, error);
}
