/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CBOR writer: libcbor's encoders write each head (shortest integer
 * form, float64 bit for bit) into our own buffer; string and byte contents
 * are copied with memcpy. */

#include "wamp-cbor-writer.h"
#include "wamp-cbor-reader.h"

#include <cbor.h>

/* The longest head: an initial byte and an 8-byte argument. */
#define MAX_HEAD 9

/* Values nest this deep at most when written: a guard against unbounded
 * recursion on a value built by code, as high as any reader may accept. */
#define WRITER_MAX_DEPTH WAMP_CBOR_MAX_MAX_DEPTH

typedef size_t (*HeadEncoder) (size_t, unsigned char *, size_t);

/* Runs one of libcbor's head encoders on room for the longest head. */
static inline void
write_head (WampCborWriter *writer,
            HeadEncoder     encode,
            gsize           arg)
{
  wamp_output_buffer_reserve (writer, MAX_HEAD);
  writer->len += encode (arg, writer->data + writer->len, MAX_HEAD);
}

void
wamp_cbor_writer_write_array_head (WampCborWriter *writer,
                                   gsize           count)
{
  write_head (writer, cbor_encode_array_start, count);
}

static void
write_int (WampCborWriter *writer,
           gint64          v)
{
  wamp_output_buffer_reserve (writer, MAX_HEAD);
  if (v < 0)
    /* Major type 1 carries -1 - v, which never overflows for G_MININT64. */
    writer->len += cbor_encode_negint ((guint64) (-(v + 1)), writer->data + writer->len, MAX_HEAD);
  else
    writer->len += cbor_encode_uint ((guint64) v, writer->data + writer->len, MAX_HEAD);
}

static void
write_uint (WampCborWriter *writer,
            guint64         v)
{
  wamp_output_buffer_reserve (writer, MAX_HEAD);
  writer->len += cbor_encode_uint (v, writer->data + writer->len, MAX_HEAD);
}

static void
write_double (WampCborWriter *writer,
              gdouble         d)
{
  wamp_output_buffer_reserve (writer, MAX_HEAD);
  writer->len += cbor_encode_double (d, writer->data + writer->len, MAX_HEAD);
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
  write_head (writer, cbor_encode_string_start, len);
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
      write_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_UINT:
      write_uint (writer, wamp_value_get_uint (value));
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

        write_head (writer, cbor_encode_bytestring_start, len);
        wamp_output_buffer_append (writer, data, len);
        return TRUE;
      }
    case WAMP_VALUE_LIST:
      {
        gsize n = wamp_value_list_length (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        write_head (writer, cbor_encode_array_start, n);
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
        write_head (writer, cbor_encode_map_start, n);
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
  return write_value (writer, value, 0, error);
}
