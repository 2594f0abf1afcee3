/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON writer: RFC 8259 strings, exact integers, shortest round-trip
 * doubles, the WAMP binary convention. */

#include "wamp-json-writer.h"
#include "wamp-json-base64.h"

#include <math.h>

/* Values nest this deep at most when written: a guard against unbounded
 * recursion on a value built by code, far above what any reader accepts. */
#define WRITER_MAX_DEPTH 1000

/* Bytes a string must escape: controls, '"' and '\\'. */
static const guint8 needs_escape[256] = {
  [0x00 ... 0x1f] = 1,
  ['"'] = 1,
  ['\\'] = 1,
};

static const char hex_digits[] = "0123456789abcdef";

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)
#define HAS_ZERO_BYTE(w) (((w) - ONES) & ~(w) & HIGHS)
#define HAS_BYTE_BELOW(w, n) (((w) - ONES * (n)) & ~(w) & HIGHS)

/* Skips bytes that need no escape eight at a time. */
static inline const guint8 *
skip_unescaped_words (const guint8 *s,
                      const guint8 *end)
{
  while (end - s >= 8)
    {
      guint64 w;

      memcpy (&w, s, 8);
      if (HAS_BYTE_BELOW (w, 0x20) || HAS_ZERO_BYTE (w ^ (ONES * '"')) ||
          HAS_ZERO_BYTE (w ^ (ONES * '\\')))
        break;
      s += 8;
    }
  return s;
}

static void
write_string (WampJsonWriter *writer,
              const guint8   *s,
              gsize           len)
{
  const guint8 *end = s + len;

  /* The common case (nothing to escape) needs exactly this much room. */
  wamp_output_buffer_reserve (writer, len + 2);
  writer->data[writer->len++] = '"';
  while (s < end)
    {
      const guint8 *run = s;
      guint8 c;

      s = skip_unescaped_words (s, end);
      while (s < end && !needs_escape[*s])
        s++;
      wamp_output_buffer_append (writer, run, (gsize) (s - run));
      if (s >= end)
        break;

      c = *s++;
      wamp_output_buffer_reserve (writer, 6 + (gsize) (end - s) + 1);
      writer->data[writer->len++] = '\\';
      switch (c)
        {
        case '"': writer->data[writer->len++] = '"'; break;
        case '\\': writer->data[writer->len++] = '\\'; break;
        case '\b': writer->data[writer->len++] = 'b'; break;
        case '\f': writer->data[writer->len++] = 'f'; break;
        case '\n': writer->data[writer->len++] = 'n'; break;
        case '\r': writer->data[writer->len++] = 'r'; break;
        case '\t': writer->data[writer->len++] = 't'; break;
        default:
          writer->data[writer->len++] = 'u';
          writer->data[writer->len++] = '0';
          writer->data[writer->len++] = '0';
          writer->data[writer->len++] = (guint8) hex_digits[c >> 4];
          writer->data[writer->len++] = (guint8) hex_digits[c & 0xf];
          break;
        }
    }
  wamp_output_buffer_put (writer, '"');
}

/* "00" to "99": the digits are made two per division. */
static const char digit_pairs[201] =
  "0001020304050607080910111213141516171819"
  "2021222324252627282930313233343536373839"
  "4041424344454647484950515253545556575859"
  "6061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

static const guint64 powers_of_ten[20] = {
  G_GUINT64_CONSTANT (1), G_GUINT64_CONSTANT (10), G_GUINT64_CONSTANT (100),
  G_GUINT64_CONSTANT (1000), G_GUINT64_CONSTANT (10000), G_GUINT64_CONSTANT (100000),
  G_GUINT64_CONSTANT (1000000), G_GUINT64_CONSTANT (10000000),
  G_GUINT64_CONSTANT (100000000), G_GUINT64_CONSTANT (1000000000),
  G_GUINT64_CONSTANT (10000000000), G_GUINT64_CONSTANT (100000000000),
  G_GUINT64_CONSTANT (1000000000000), G_GUINT64_CONSTANT (10000000000000),
  G_GUINT64_CONSTANT (100000000000000), G_GUINT64_CONSTANT (1000000000000000),
  G_GUINT64_CONSTANT (10000000000000000), G_GUINT64_CONSTANT (100000000000000000),
  G_GUINT64_CONSTANT (1000000000000000000), G_GUINT64_CONSTANT (10000000000000000000),
};

/* The number of decimal digits of @v: log10 from the bit length (1233/4096
 * ~ log10 2), corrected by one comparison. @v | 1 makes 0 one digit and
 * changes no other count (the powers above 1 are even). */
static inline guint
decimal_length (guint64 v)
{
  guint64 u = v | 1;
  guint t = ((guint) (64 - __builtin_clzll (u)) * 1233) >> 12;

  return t + 1 - (u < powers_of_ten[t]);
}

/* Writes the digits of @v at @out, which has room for 20 bytes; returns the
 * end. IDs have up to 16 digits: a pair per division halves the work. */
static inline guint8 *
put_decimal (guint8  *out,
             guint64  v)
{
  guint8 *end = out + decimal_length (v);
  guint8 *p = end;

  while (v >= 100)
    {
      guint64 q = v / 100;

      p -= 2;
      memcpy (p, digit_pairs + 2 * (v - q * 100), 2);
      v = q;
    }
  if (v >= 10)
    memcpy (p - 2, digit_pairs + 2 * v, 2);
  else
    p[-1] = (guint8) ('0' + v);
  return end;
}

/* @comma: a ',' first (a field after the first). */
static inline void
write_integer (WampJsonWriter *writer,
               gboolean        comma,
               guint64         magnitude,
               gboolean        negative)
{
  guint8 *p;

  /* ',' + '-' + 20 digits. */
  wamp_output_buffer_reserve (writer, 22);
  p = writer->data + writer->len;
  *p = ',';
  p += comma;
  *p = '-';
  p += negative;
  writer->len = (gsize) (put_decimal (p, magnitude) - writer->data);
}

static inline void
write_unsigned (WampJsonWriter *writer,
                guint64         v,
                gboolean        negative)
{
  write_integer (writer, FALSE, v, negative);
}

static inline void
write_int (WampJsonWriter *writer,
           gint64          v)
{
  if (v < 0)
    write_unsigned (writer, (guint64) (-(v + 1)) + 1, TRUE);
  else
    write_unsigned (writer, (guint64) v, FALSE);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as @d, with ".0"
 * added to whole numbers so they read back as doubles, not integers. */
static gboolean
write_double (WampJsonWriter *writer,
              gdouble         d,
              GError        **error)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  gsize len;

  if (!isfinite (d))
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                           "NaN and infinity cannot be represented in JSON");
      return FALSE;
    }

  g_ascii_formatd (buf, sizeof buf, "%.15g", d);
  if (g_ascii_strtod (buf, NULL) != d)
    {
      g_ascii_formatd (buf, sizeof buf, "%.16g", d);
      if (g_ascii_strtod (buf, NULL) != d)
        g_ascii_formatd (buf, sizeof buf, "%.17g", d);
    }

  len = strlen (buf);
  wamp_output_buffer_append (writer, buf, len);
  if (strpbrk (buf, ".e") == NULL)
    wamp_output_buffer_append (writer, ".0", 2);
  return TRUE;
}

static void
write_bytes (WampJsonWriter *writer,
             const guint8   *data,
             gsize           len)
{
  gsize n = wamp_json_base64_encoded_len (len);

  wamp_output_buffer_reserve (writer, n + 8);
  memcpy (writer->data + writer->len, "\"\\u0000", 7);
  writer->len += 7;
  writer->len += wamp_json_base64_encode (data, len, writer->data + writer->len);
  writer->data[writer->len++] = '"';
}

static gboolean
write_value (WampJsonWriter  *writer,
             const WampValue *value,
             guint            depth,
             GError         **error)
{
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_NULL:
      wamp_output_buffer_append (writer, "null", 4);
      return TRUE;
    case WAMP_VALUE_BOOL:
      if (wamp_value_get_bool (value))
        wamp_output_buffer_append (writer, "true", 4);
      else
        wamp_output_buffer_append (writer, "false", 5);
      return TRUE;
    case WAMP_VALUE_INT:
      write_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_UINT:
      write_unsigned (writer, wamp_value_get_uint (value), FALSE);
      return TRUE;
    case WAMP_VALUE_DOUBLE:
      return write_double (writer, wamp_value_get_double (value), error);
    case WAMP_VALUE_STRING:
      {
        gsize len;
        const char *s = wamp_value_get_string (value, &len);

        if (len > 0 && s[0] == '\0')
          {
            g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                                 "a string beginning with U+0000 cannot be represented in JSON");
            return FALSE;
          }
        write_string (writer, (const guint8 *) s, len);
        return TRUE;
      }
    case WAMP_VALUE_BYTES:
      {
        gsize len;
        const guint8 *data = wamp_value_get_bytes (value, &len);

        write_bytes (writer, data, len);
        return TRUE;
      }
    case WAMP_VALUE_LIST:
      {
        gsize n = wamp_value_list_length (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        wamp_output_buffer_put (writer, '[');
        for (gsize i = 0; i < n; i++)
          {
            if (i > 0)
              wamp_output_buffer_put (writer, ',');
            if (!write_value (writer, wamp_value_list_get (value, i), depth + 1, error))
              return FALSE;
          }
        wamp_output_buffer_put (writer, ']');
        return TRUE;
      }
    case WAMP_VALUE_DICT:
      {
        gsize n = wamp_value_dict_size (value);

        if (depth >= WRITER_MAX_DEPTH)
          break;
        wamp_output_buffer_put (writer, '{');
        for (gsize i = 0; i < n; i++)
          {
            gsize key_len;
            const char *key = wamp_value_dict_get_key (value, i, &key_len);

            if (i > 0)
              wamp_output_buffer_put (writer, ',');
            write_string (writer, (const guint8 *) key, key_len);
            wamp_output_buffer_put (writer, ':');
            if (!write_value (writer, wamp_value_dict_get_value (value, i), depth + 1, error))
              return FALSE;
          }
        wamp_output_buffer_put (writer, '}');
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

/* The room for wamp_json_writer_write_element_int(), made out of its line:
 * without a call of its own the usual path saves no registers. */
static __attribute__ ((noinline)) void
write_element_int_grown (WampJsonWriter *writer,
                         gsize           index,
                         gint64          value)
{
  wamp_output_buffer_grow (writer, 22);
  wamp_json_writer_write_element_int (writer, index, value);
}

void
wamp_json_writer_write_element_int (gpointer writer,
                                    gsize    index,
                                    gint64   value)
{
  WampJsonWriter *out = writer;

  if (G_UNLIKELY (out->alloc - out->len < 22))
    {
      write_element_int_grown (out, index, value);
      return;
    }
  if (value < 0)
    write_integer (out, index > 0, (guint64) (-(value + 1)) + 1, TRUE);
  else
    write_integer (out, index > 0, (guint64) value, FALSE);
}

gboolean
wamp_json_writer_write_value (WampJsonWriter  *writer,
                              const WampValue *value,
                              GError         **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  /* Most values written are a message's fields: integers, and empty dicts
   * for Options and Details. Written here they skip write_value's frame
   * (it saves and restores registers for its recursion). */
  switch (wamp_value_get_value_type (value))
    {
    case WAMP_VALUE_INT:
      write_int (writer, wamp_value_get_int (value));
      return TRUE;
    case WAMP_VALUE_DICT:
      if (wamp_value_dict_size (value) == 0)
        {
          wamp_output_buffer_append (writer, "{}", 2);
          return TRUE;
        }
      break;
    default:
      break;
    }
  return write_value (writer, value, 0, error);
}
