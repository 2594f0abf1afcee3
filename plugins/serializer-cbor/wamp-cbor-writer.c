/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CBOR writer: each head in the shortest integer form (as libcbor's
 * encoders wrote them), doubles as float64 bit for bit, stored straight into
 * our own buffer; string and byte contents are copied with memcpy. */

#include "wamp-cbor-writer.h"
#include "wamp-cbor-reader.h"

#include <string.h>

/* The longest head: an initial byte and an 8-byte argument. */
#define MAX_HEAD 9

/* Values nest this deep at most when written: a guard against unbounded
 * recursion on a value built by code, as high as any reader may accept. */
#define WRITER_MAX_DEPTH WAMP_CBOR_MAX_MAX_DEPTH

enum {
  MAJOR_UNSIGNED = 0 << 5,
  MAJOR_NEGATIVE = 1 << 5,
  MAJOR_BYTES = 2 << 5,
  MAJOR_TEXT = 3 << 5,
  MAJOR_ARRAY = 4 << 5,
  MAJOR_MAP = 5 << 5,
  FLOAT64 = 0xfb,
};

/* @initial then @width big-endian bytes of @arg, on room reserved once. */
static inline void
put_head_bytes (WampCborWriter *writer,
                guint8          initial,
                guint64         arg,
                guint           width)
{
  guint8 *p;

  wamp_output_buffer_reserve (writer, MAX_HEAD);
  p = writer->data + writer->len;
  p[0] = initial;
  for (guint i = 0; i < width; i++)
    p[1 + i] = (guint8) (arg >> (8 * (width - 1 - i)));
  writer->len += 1 + width;
}

/* A head of @major with @arg in the shortest form (RFC 8949 4.2.1). */
static inline void
write_head (WampCborWriter *writer,
            guint8          major,
            guint64         arg)
{
  if (arg < 24)
    put_head_bytes (writer, major | (guint8) arg, 0, 0);
  else if (arg <= G_MAXUINT8)
    put_head_bytes (writer, major | 24, arg, 1);
  else if (arg <= G_MAXUINT16)
    put_head_bytes (writer, major | 25, arg, 2);
  else if (arg <= G_MAXUINT32)
    put_head_bytes (writer, major | 26, arg, 4);
  else
    put_head_bytes (writer, major | 27, arg, 8);
}

void
wamp_cbor_writer_write_array_head (WampCborWriter *writer,
                                   gsize           count)
{
  write_head (writer, MAJOR_ARRAY, count);
}

void
wamp_cbor_writer_write_int (WampCborWriter *writer,
                            gint64          v)
{
  if (v < 0)
    /* Major type 1 carries -1 - v, which never overflows for G_MININT64. */
    write_head (writer, MAJOR_NEGATIVE, (guint64) (-(v + 1)));
  else
    write_head (writer, MAJOR_UNSIGNED, (guint64) v);
}

static void
write_double (WampCborWriter *writer,
              gdouble         d)
{
  guint64 bits;

  memcpy (&bits, &d, sizeof bits);
  put_head_bytes (writer, FLOAT64, bits, 8);
}

static void
write_simple (WampCborWriter *writer,
              guint8          byte)
{
  wamp_output_buffer_reserve (writer, 1);
  writer->data[writer->len++] = byte;
}

static void
write_text (WampCborWriter *writer,
            const char     *s,
            gsize           len)
{
  write_head (writer, MAJOR_TEXT, len);
  wamp_output_buffer_append (writer, s, len);
}

static gboolean
write_value (WampCborWriter  *writer,
             const WampValue *value,
             guint            depth,
             GError         **error)
{
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_NULL:
      write_simple (writer, 0xf6);
      return TRUE;
    case WAMP_VALUE_BOOL:
      write_simple (writer, wamp_value_get_bool (value) ? 0xf5 : 0xf4);
      return TRUE;
    case WAMP_VALUE_INT:
      wamp_cbor_writer_write_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_UINT:
      write_head (writer, MAJOR_UNSIGNED, wamp_value_get_uint (value));
      return TRUE;
    case WAMP_VALUE_DOUBLE:
      write_double (writer, wamp_value_get_double (value));
      return TRUE;
    case WAMP_VALUE_STRING:
      {
        gsize len;
        const char *s = wamp_value_get_string (value, &len);

        write_text (writer, s, len);
        return TRUE;
      }
    case WAMP_VALUE_BYTES:
      {
        gsize len;
        const guint8 *data = wamp_value_get_bytes (value, &len);

        write_head (writer, MAJOR_BYTES, len);
        wamp_output_buffer_append (writer, data, len);
        return TRUE;
      }
    case WAMP_VALUE_LIST:
      {
        gsize n = wamp_value_list_length (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        write_head (writer, MAJOR_ARRAY, n);
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
        write_head (writer, MAJOR_MAP, n);
        for (gsize i = 0; i < n; i++)
          {
            gsize key_len;
            const char *key = wamp_value_dict_get_key (value, i, &key_len);

            write_text (writer, key, key_len);
            if (!write_value (writer, wamp_value_dict_get_value (value, i), depth + 1, error))
              return FALSE;
          }
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }

  g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                       "value nested too deep to write");
  return FALSE;
}

gboolean
wamp_cbor_writer_write_value (WampCborWriter  *writer,
                              const WampValue *value,
                              GError         **error)
{
  /* Most values written are a message's fields: integers, and empty dicts
   * for Options and Details. Written here they skip write_value's frame
   * (it saves and restores registers for its recursion). */
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_INT:
      wamp_cbor_writer_write_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_DICT:
      if (wamp_value_dict_size (value) == 0)
        {
          write_simple (writer, MAJOR_MAP | 0);
          return TRUE;
        }
      break;
    default:
      break;
    }
  return write_value (writer, value, 0, error);
}
