/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded MessagePack reader: every claimed length checked against the
 * bytes present, bounded nesting, strict UTF-8, string keys, no ext types. */

#include "wamp-msgpack-reader.h"

#include <string.h>

/* Each reading function below is instantiated twice, inlined into
 * read_value() (which builds the value) and into skip_value() (which only
 * validates, for the raw payload): with @out a constant NULL the compiler
 * drops every allocation branch of the skipping copy. */
#define TEMPLATE static inline __attribute__ ((always_inline))

static gboolean read_value (WampMsgpackReader  *reader,
                            guint               depth,
                            WampValue         **out);
static gboolean skip_value (WampMsgpackReader *reader,
                            guint              depth);

/* The recursion of the two instances. */
#define READ_NESTED(reader, depth, out, item) \
  ((out) != NULL ? read_value ((reader), (depth), (item)) : skip_value ((reader), (depth)))

/* Big-endian loads from a position the caller checked. */
static inline guint16
load16 (const guint8 *p)
{
  return (guint16) ((p[0] << 8) | p[1]);
}

static inline guint32
load32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static inline guint64
load64 (const guint8 *p)
{
  return ((guint64) load32 (p) << 32) | load32 (p + 4);
}

/* Reads a big-endian length of @width bytes after the type byte at the
 * cursor; the cursor ends on the first content byte. */
static gboolean
read_length (WampMsgpackReader *reader,
             guint              width,
             guint32           *len)
{
  const guint8 *p = reader->p + 1;

  if ((gsize) (reader->end - p) < width)
    return wamp_input_cursor_fail_at (reader, reader->end, "truncated");
  switch (width)
    {
    case 1: *len = p[0]; break;
    case 2: *len = load16 (p); break;
    default: *len = load32 (p); break;
    }
  reader->p = p + width;
  return TRUE;
}

/* The str or bin of @len bytes at the cursor: claimed length checked first. */
TEMPLATE gboolean
read_raw (WampMsgpackReader  *reader,
          const guint8       *header,
          guint32             len,
          gboolean            is_str,
          WampValue         **out)
{
  const guint8 *s = reader->p;

  if (len > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, header, is_str ? "str length exceeds the bytes left"
                                           : "bin length exceeds the bytes left");
  if (is_str)
    {
      const guint8 *bad = wamp_utf8_find_invalid (s, s + len);
      if (bad != NULL)
        return wamp_input_cursor_fail_at (reader, bad, "invalid UTF-8 in str");
      if (out != NULL)
        *out = wamp_value_new_string_len ((const char *) s, len);
    }
  else if (out != NULL)
    {
      *out = wamp_value_new_bytes (s, len);
    }
  reader->p = s + len;
  return TRUE;
}

/* Reads a fixed-size scalar of @width content bytes after the type byte. */
static inline const guint8 *
take (WampMsgpackReader *reader,
      gsize              width)
{
  const guint8 *p = reader->p + 1;

  if ((gsize) (reader->end - p) < width)
    {
      wamp_input_cursor_fail_at (reader, reader->p, "truncated");
      return NULL;
    }
  reader->p = p + width;
  return p;
}

/* The encoded sizes of float 32, float 64, uint 8 to 64 and int 8 to 64. */
static const guint8 fixed_size[] = { 5, 9, 2, 3, 5, 9, 2, 3, 5, 9 };

/* Skips one valid scalar of the common kinds (ints, floats, nil, bools,
 * str up to str8) at the cursor without a call: the bulk of most payloads.
 * FALSE, the cursor unmoved, for anything else or anything wrong: the full
 * reader then takes the value and says what is wrong. */
static inline gboolean
skip_flat (WampMsgpackReader *reader)
{
  const guint8 *p = reader->p;
  gsize left = wamp_input_cursor_remaining (reader);
  gsize len;
  guint8 c;

  if (left == 0)
    return FALSE;
  c = *p;
  if (c <= 0x7f || c >= 0xe0 || c == 0xc0 || c == 0xc2 || c == 0xc3)
    len = 1;
  else if (c >= 0xca && c <= 0xd3)
    len = fixed_size[c - 0xca];
  else if (c >= 0xa0 && c <= 0xbf)
    len = 1 + (c & 0x1f);
  else if (c == 0xd9 && left >= 2)
    len = 2 + p[1];
  else
    return FALSE;
  if (len > left)
    return FALSE;
  if ((c >= 0xa0 && c <= 0xbf) || c == 0xd9)
    {
      const guint8 *s = p + (c == 0xd9 ? 2 : 1);
      if (wamp_utf8_find_invalid (s, p + len) != NULL)
        return FALSE;
    }
  reader->p = p + len;
  return TRUE;
}

/* The validating instance of read_list(), a function of its own so that the
 * payload's skip enters it directly. */
static gboolean
skip_list (WampMsgpackReader *reader,
           const guint8      *header,
           guint32            count,
           guint              depth)
{
  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, header, "nesting too deep");
  /* Every element takes at least one byte: a larger count is a lie. */
  if (count > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, header, "array count exceeds the bytes left");
  for (guint32 i = 0; i < count; i++)
    if (!skip_flat (reader) && !skip_value (reader, depth + 1))
      return FALSE;
  return TRUE;
}

TEMPLATE gboolean
read_list (WampMsgpackReader  *reader,
           const guint8       *header,
           guint32             count,
           guint               depth,
           WampValue         **out)
{
  g_autoptr(WampValue) list = NULL;

  if (out == NULL)
    return skip_list (reader, header, count, depth);
  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, header, "nesting too deep");
  /* Every element takes at least one byte: a larger count is a lie. */
  if (count > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, header, "array count exceeds the bytes left");
  list = wamp_value_new_list (count);

  for (guint32 i = 0; i < count; i++)
    {
      WampValue *item = NULL;

      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      if (list != NULL)
        wamp_value_list_append (list, item);
    }

  if (out != NULL)
    *out = g_steal_pointer (&list);
  return TRUE;
}

/* A map key: str only (WampValue dicts have string keys). */
static gboolean
read_key (WampMsgpackReader  *reader,
          const guint8      **key,
          guint32            *key_len)
{
  const guint8 *header = reader->p;
  guint8 c;
  guint32 len = 0;

  if (reader->p >= reader->end)
    return wamp_input_cursor_fail_at (reader, reader->end, "truncated");
  c = *reader->p;
  if (c >= 0xa0 && c <= 0xbf)
    {
      len = c & 0x1f;
      reader->p++;
    }
  else if (c == 0xd9 || c == 0xda || c == 0xdb)
    {
      if (!read_length (reader, c == 0xd9 ? 1 : c == 0xda ? 2 : 4, &len))
        return FALSE;
    }
  else
    {
      return wamp_input_cursor_fail (reader, "map key must be a str");
    }

  if (len > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, header, "str length exceeds the bytes left");
  {
    const guint8 *bad = wamp_utf8_find_invalid (reader->p, reader->p + len);
    if (bad != NULL)
      return wamp_input_cursor_fail_at (reader, bad, "invalid UTF-8 in str");
  }
  *key = reader->p;
  *key_len = len;
  reader->p += len;
  return TRUE;
}

TEMPLATE gboolean
read_dict (WampMsgpackReader  *reader,
           const guint8       *header,
           guint32             count,
           guint               depth,
           WampValue         **out)
{
  g_autoptr(WampValue) dict = NULL;

  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, header, "nesting too deep");
  /* Every pair takes at least two bytes. */
  if (count > wamp_input_cursor_remaining (reader) / 2)
    return wamp_input_cursor_fail_at (reader, header, "map count exceeds the bytes left");
  if (out != NULL)
    dict = wamp_value_new_dict (count);

  for (guint32 i = 0; i < count; i++)
    {
      const guint8 *key = NULL;
      guint32 key_len = 0;
      WampValue *item = NULL;

      if (!read_key (reader, &key, &key_len))
        return FALSE;
      if (out == NULL && skip_flat (reader))
        continue;
      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      /* A duplicate key replaces the earlier value in its place, as the
       * JSON reader does. */
      if (dict != NULL)
        wamp_value_dict_insert_len (dict, (const char *) key, key_len, item);
    }

  if (out != NULL)
    *out = g_steal_pointer (&dict);
  return TRUE;
}

gboolean
wamp_msgpack_reader_read_array_header (WampMsgpackReader *reader,
                                       guint32           *count)
{
  const guint8 *header = reader->p;
  guint8 c;

  if (header >= reader->end)
    return wamp_input_cursor_fail_at (reader, reader->end, "truncated");
  c = *header;
  if (c >= 0x90 && c <= 0x9f)
    {
      *count = c & 0x0f;
      reader->p++;
    }
  else if (c == 0xdc || c == 0xdd)
    {
      if (!read_length (reader, c == 0xdc ? 2 : 4, count))
        return FALSE;
    }
  else
    {
      return wamp_input_cursor_fail (reader, "not an array");
    }
  /* Every element takes at least one byte: a larger count is a lie. */
  if (*count > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, header, "array count exceeds the bytes left");
  return TRUE;
}

static inline void
set_int (WampValue **out,
         gint64      v)
{
  if (out != NULL)
    *out = wamp_value_new_int (v);
}

static inline void
set_double (WampValue **out,
            gdouble     d)
{
  if (out != NULL)
    *out = wamp_value_new_double (d);
}

TEMPLATE gboolean
value_at (WampMsgpackReader  *reader,
          guint               depth,
          WampValue         **out)
{
  const guint8 *header = reader->p;
  const guint8 *p;
  guint32 len = 0;
  guint8 c;

  if (header >= reader->end)
    return wamp_input_cursor_fail_at (reader, reader->end, "truncated");
  c = *header;

  /* The one-byte forms: positive and negative fixint, fixmap, fixarray, fixstr. */
  if (c <= 0x7f)
    {
      reader->p++;
      set_int (out, c);
      return TRUE;
    }
  if (c >= 0xe0)
    {
      reader->p++;
      set_int (out, (gint8) c);
      return TRUE;
    }
  if (c <= 0x8f)
    {
      reader->p++;
      return read_dict (reader, header, c & 0x0f, depth, out);
    }
  if (c <= 0x9f)
    {
      reader->p++;
      return read_list (reader, header, c & 0x0f, depth, out);
    }
  if (c <= 0xbf)
    {
      reader->p++;
      return read_raw (reader, header, c & 0x1f, TRUE, out);
    }

  switch (c)
    {
    case 0xc0:
      reader->p++;
      if (out != NULL)
        *out = wamp_value_new_null ();
      return TRUE;
    case 0xc2:
    case 0xc3:
      reader->p++;
      if (out != NULL)
        *out = wamp_value_new_bool (c == 0xc3);
      return TRUE;

    case 0xc4: case 0xc5: case 0xc6:
      if (!read_length (reader, 1u << (c - 0xc4), &len))
        return FALSE;
      return read_raw (reader, header, len, FALSE, out);
    case 0xd9: case 0xda: case 0xdb:
      if (!read_length (reader, 1u << (c - 0xd9), &len))
        return FALSE;
      return read_raw (reader, header, len, TRUE, out);

    case 0xca:
      {
        guint32 bits;
        gfloat f;

        if ((p = take (reader, 4)) == NULL)
          return FALSE;
        bits = load32 (p);
        memcpy (&f, &bits, sizeof f);
        set_double (out, (gdouble) f);
        return TRUE;
      }
    case 0xcb:
      {
        guint64 bits;
        gdouble d;

        if ((p = take (reader, 8)) == NULL)
          return FALSE;
        bits = load64 (p);
        memcpy (&d, &bits, sizeof d);
        set_double (out, d);
        return TRUE;
      }

    case 0xcc:
      if ((p = take (reader, 1)) == NULL)
        return FALSE;
      set_int (out, p[0]);
      return TRUE;
    case 0xcd:
      if ((p = take (reader, 2)) == NULL)
        return FALSE;
      set_int (out, load16 (p));
      return TRUE;
    case 0xce:
      if ((p = take (reader, 4)) == NULL)
        return FALSE;
      set_int (out, load32 (p));
      return TRUE;
    case 0xcf:
      if ((p = take (reader, 8)) == NULL)
        return FALSE;
      /* Normalised by WampValue: INT up to G_MAXINT64, UINT above. */
      if (out != NULL)
        *out = wamp_value_new_uint (load64 (p));
      return TRUE;
    case 0xd0:
      if ((p = take (reader, 1)) == NULL)
        return FALSE;
      set_int (out, (gint8) p[0]);
      return TRUE;
    case 0xd1:
      if ((p = take (reader, 2)) == NULL)
        return FALSE;
      set_int (out, (gint16) load16 (p));
      return TRUE;
    case 0xd2:
      if ((p = take (reader, 4)) == NULL)
        return FALSE;
      set_int (out, (gint32) load32 (p));
      return TRUE;
    case 0xd3:
      if ((p = take (reader, 8)) == NULL)
        return FALSE;
      set_int (out, (gint64) load64 (p));
      return TRUE;

    case 0xdc: case 0xdd:
      if (!read_length (reader, c == 0xdc ? 2 : 4, &len))
        return FALSE;
      return read_list (reader, header, len, depth, out);
    case 0xde: case 0xdf:
      if (!read_length (reader, c == 0xde ? 2 : 4, &len))
        return FALSE;
      return read_dict (reader, header, len, depth, out);

    case 0xc7: case 0xc8: case 0xc9:
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
      return wamp_input_cursor_fail (reader, "ext types are not allowed");
    default: /* 0xc1 */
      return wamp_input_cursor_fail (reader, "reserved type byte 0xc1");
    }
}

static gboolean
read_value (WampMsgpackReader  *reader,
            guint               depth,
            WampValue         **out)
{
  return value_at (reader, depth, out);
}

static gboolean
skip_value (WampMsgpackReader *reader,
            guint              depth)
{
  return value_at (reader, depth, NULL);
}

gboolean
wamp_msgpack_reader_read_value (WampMsgpackReader  *reader,
                                guint               depth,
                                WampValue         **out)
{
  if (out != NULL)
    return read_value (reader, depth, out);
  /* A payload is most often a fixarray: straight into its loop. */
  if (reader->p < reader->end && *reader->p >= 0x90 && *reader->p <= 0x9f)
    {
      const guint8 *header = reader->p++;
      return skip_list (reader, header, *header & 0x0f, depth);
    }
  return skip_value (reader, depth);
}

WampValue *
wamp_msgpack_decode_value (const guint8 *data,
                           gsize         len,
                           guint         max_depth,
                           gint          code,
                           GError      **error)
{
  WampMsgpackReader reader;
  g_autoptr(WampValue) value = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  wamp_input_cursor_init (&reader, "MessagePack", data, len, max_depth);
  if (!read_value (&reader, 0, &value))
    {
      wamp_input_cursor_set_error (&reader, code, error);
      return NULL;
    }
  if (reader.p != reader.end)
    {
      wamp_input_cursor_fail (&reader, "trailing bytes after the value");
      wamp_input_cursor_set_error (&reader, code, error);
      return NULL;
    }
  return g_steal_pointer (&value);
}
