/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bounded RFC 8949 reader: each claimed length checked against the bytes
 * present before anything is allocated, strict UTF-8, text-only map keys,
 * exact integers, bounded nesting.
 *
 * What a WampValue can hold is read; everything else is refused:
 * - unsigned integers: INT up to G_MAXINT64, UINT above; negative integers
 *   down to G_MININT64, below that refused;
 * - tag 2/3 bignums whose byte string (leading zeros ignored) fits those
 *   ranges are integers; tag 55799 (self-describe) is skipped before any
 *   item but a map key or a bignum's byte string; every other tag is
 *   refused;
 * - half, single and double floats are doubles (exactly, NaN and
 *   infinities included);
 * - false/true/null; undefined is null; other simple values are refused;
 * - text strings must be strict UTF-8 (NUL allowed); byte strings are bytes;
 * - map keys must be text strings (WampValue dicts have string keys); a
 *   repeated key takes the last value;
 * - indefinite lengths are accepted for strings, arrays and maps: they are
 *   bounded like the rest (each chunk or item takes bytes of the frame, and
 *   the break must come before the frame ends); each text chunk must be
 *   valid UTF-8 on its own, as RFC 8949 requires;
 * - reserved additional information (28-30), a break outside an
 *   indefinite-length item and indefinite lengths on integers or tags are
 *   not well-formed. Longer-than-needed heads are well-formed and read. */

#include "wamp-cbor-reader.h"

#include <math.h>
#include <string.h>

/* A list never reserves more than this up front, whatever its head claims:
 * a claim is bounded by the frame, but nested claims would multiply it. */
#define MAX_LIST_RESERVE 256

#define BREAK_BYTE 0xff

enum {
  MAJOR_UNSIGNED = 0,
  MAJOR_NEGATIVE = 1,
  MAJOR_BYTES = 2,
  MAJOR_TEXT = 3,
  MAJOR_ARRAY = 4,
  MAJOR_MAP = 5,
  MAJOR_TAG = 6,
  MAJOR_SIMPLE = 7,
};

enum {
  SIMPLE_FALSE = 20,
  SIMPLE_TRUE = 21,
  SIMPLE_NULL = 22,
  SIMPLE_UNDEFINED = 23,
  SIMPLE_ONE_BYTE = 24,
  SIMPLE_HALF = 25,
  SIMPLE_SINGLE = 26,
  SIMPLE_DOUBLE = 27,
  AI_INDEFINITE = 31,
};

enum {
  TAG_POSITIVE_BIGNUM = 2,
  TAG_NEGATIVE_BIGNUM = 3,
};

/* Each reading function below is instantiated twice, inlined into
 * read_value() (which builds the value) and into skip_value() (which only
 * validates, for the raw payload): with @out a constant NULL the compiler
 * drops every allocation branch of the skipping copy. */
#define TEMPLATE static inline __attribute__ ((always_inline))

static gboolean read_value (WampCborReader  *reader,
                            guint            depth,
                            WampValue      **out,
                            WampValueType   *type);
static gboolean skip_value (WampCborReader  *reader,
                            guint            depth,
                            WampValueType   *type);

/* The recursion of the two instances. */
#define READ_NESTED(reader, depth, out, item) \
  ((out) != NULL ? read_value ((reader), (depth), (item), NULL) \
                 : skip_value ((reader), (depth), NULL))

/* The initial byte and argument of one data item. */
typedef struct {
  guint major;
  guint ai;
  guint64 arg;
  gboolean indefinite;
} Head;

/* Reads the initial byte and the argument that follows it. Reserved
 * additional information (28-30) and an indefinite length on a major type
 * that has none are not well-formed. */
static inline gboolean
read_head (WampCborReader *reader,
           Head           *head)
{
  const guint8 *at = reader->p;
  const guint8 *p = at;
  guint8 initial;

  /* Set on every path, so that no caller sees it uninitialized. */
  memset (head, 0, sizeof *head);
  if (p >= reader->end)
    return wamp_input_cursor_fail (reader, "unexpected end of input");
  initial = *p++;
  head->major = initial >> 5;
  head->ai = initial & 0x1f;

  if (head->ai < 24)
    {
      head->arg = head->ai;
    }
  else if (head->ai < 28)
    {
      gsize n = (gsize) 1 << (head->ai - 24);

      if ((gsize) (reader->end - p) < n)
        return wamp_input_cursor_fail_at (reader, at, "truncated data item head");
      for (gsize i = 0; i < n; i++)
        head->arg = (head->arg << 8) | *p++;
    }
  else if (head->ai < AI_INDEFINITE)
    {
      return wamp_input_cursor_fail_at (reader, at, "reserved additional information");
    }
  else
    {
      if (head->major == MAJOR_UNSIGNED || head->major == MAJOR_NEGATIVE ||
          head->major == MAJOR_TAG)
        return wamp_input_cursor_fail_at (reader, at, "indefinite length on a type without length");
      head->indefinite = TRUE;
    }
  reader->p = p;
  return TRUE;
}

/* One definite-length string's bytes at the cursor (its head already read). */
static inline gboolean
take_string_bytes (WampCborReader  *reader,
                   const guint8    *at,
                   const Head      *head,
                   const guint8   **data,
                   gsize           *len)
{
  const guint8 *s = reader->p;
  const guint8 *bad;

  if (head->arg > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, at, "string length exceeds the frame");
  if (head->major == MAJOR_TEXT &&
      (bad = wamp_utf8_find_invalid (s, s + head->arg)) != NULL)
    return wamp_input_cursor_fail_at (reader, bad, "invalid UTF-8 in text string");
  reader->p = s + head->arg;
  *data = s;
  *len = (gsize) head->arg;
  return TRUE;
}

/* Validates the byte or text string whose head (at @at) was read. A
 * definite-length string's @data points into the frame; an indefinite one's
 * chunks (each a definite string of the same type, each valid UTF-8 on its
 * own for text) are concatenated into @heap when @want is set. Total size is
 * bounded by the frame. */
TEMPLATE gboolean
read_string (WampCborReader  *reader,
             const guint8    *at,
             const Head      *head,
             gboolean         want,
             const guint8   **data,
             gsize           *len,
             GByteArray     **heap)
{
  if (!head->indefinite)
    return take_string_bytes (reader, at, head, data, len);

  if (want)
    *heap = g_byte_array_new ();
  for (;;)
    {
      const guint8 *chunk_at = reader->p;
      const guint8 *chunk = NULL;
      gsize chunk_len = 0;
      Head chunk_head;

      if (reader->p >= reader->end)
        return wamp_input_cursor_fail_at (reader, at, "unterminated indefinite-length string");
      if (*reader->p == BREAK_BYTE)
        {
          reader->p++;
          break;
        }
      if (!read_head (reader, &chunk_head))
        return FALSE;
      if (chunk_head.major != head->major || chunk_head.indefinite)
        return wamp_input_cursor_fail_at (reader, chunk_at,
                                          "invalid chunk in indefinite-length string");
      if (!take_string_bytes (reader, chunk_at, &chunk_head, &chunk, &chunk_len))
        return FALSE;
      /* GByteArray counts in guint: only a frame above 4 GiB gets here. */
      if (want && chunk_len > G_MAXUINT - (*heap)->len)
        return wamp_input_cursor_fail_at (reader, chunk_at, "indefinite-length string too long");
      if (want)
        g_byte_array_append (*heap, chunk, (guint) chunk_len);
    }
  if (want)
    {
      /* An empty GByteArray may have no data pointer. */
      *data = (*heap)->len > 0 ? (*heap)->data : (const guint8 *) "";
      *len = (*heap)->len;
    }
  return TRUE;
}

/* A bignum (tag 2 or 3 with a byte string) that fits 64 bits becomes an
 * integer; anything larger has no WampValue. */
static gboolean
read_bignum (WampCborReader  *reader,
             const guint8    *at,
             gboolean         negative,
             WampValue      **out,
             WampValueType   *type)
{
  g_autoptr(GByteArray) heap = NULL;
  const guint8 *content_at = reader->p;
  const guint8 *data = NULL;
  gsize len = 0;
  guint64 n = 0;
  Head head;

  if (!read_head (reader, &head))
    return FALSE;
  if (head.major != MAJOR_BYTES)
    return wamp_input_cursor_fail_at (reader, content_at, "bignum tag without a byte string");
  if (!read_string (reader, content_at, &head, TRUE, &data, &len, &heap))
    return FALSE;
  while (len > 0 && *data == 0)
    {
      data++;
      len--;
    }
  if (len > 8)
    return wamp_input_cursor_fail_at (reader, at, "bignum out of the 64-bit range");
  for (gsize i = 0; i < len; i++)
    n = (n << 8) | data[i];

  if (negative)
    {
      if (n > (guint64) G_MAXINT64)
        return wamp_input_cursor_fail_at (reader, at, "negative bignum below the int64 range");
      if (type != NULL)
        *type = WAMP_VALUE_INT;
      if (out != NULL)
        *out = wamp_value_new_int (-1 - (gint64) n);
    }
  else
    {
      if (type != NULL)
        *type = n > (guint64) G_MAXINT64 ? WAMP_VALUE_UINT : WAMP_VALUE_INT;
      if (out != NULL)
        *out = wamp_value_new_uint (n);
    }
  return TRUE;
}

gboolean
wamp_cbor_reader_at_break (WampCborReader *reader,
                           gboolean       *is_break)
{
  if (reader->p >= reader->end)
    return wamp_input_cursor_fail (reader, "unterminated indefinite-length container");
  *is_break = *reader->p == BREAK_BYTE;
  if (*is_break)
    reader->p++;
  return TRUE;
}

/* Whether a container has another item: counts down a definite length, or
 * looks for the break of an indefinite one. */
static gboolean
next_item (WampCborReader *reader,
           gboolean        indefinite,
           guint64        *left,
           gboolean       *more)
{
  gboolean is_break = FALSE;

  if (!indefinite)
    {
      *more = *left > 0;
      if (*more)
        (*left)--;
      return TRUE;
    }
  if (!wamp_cbor_reader_at_break (reader, &is_break))
    return FALSE;
  *more = !is_break;
  return TRUE;
}

/* Skips one valid data item of the common kinds (integers in up to four
 * bytes, definite strings of up to 255 bytes, false/true/null/undefined,
 * floats) at the cursor without a call: the bulk of most payloads. FALSE,
 * the cursor unmoved, for anything else or anything wrong: the full reader
 * then takes the item and says what is wrong. */
static inline gboolean
skip_flat (WampCborReader *reader)
{
  const guint8 *p = reader->p;
  gsize left = wamp_input_cursor_remaining (reader);
  gsize len;
  guint8 initial, ai;

  if (left == 0)
    return FALSE;
  initial = *p;
  ai = initial & 0x1f;
  switch (initial >> 5)
    {
    case MAJOR_UNSIGNED:
    case MAJOR_NEGATIVE:
      if (ai < 24)
        len = 1;
      else if (ai <= 26)
        len = 1 + ((gsize) 1 << (ai - 24));
      else
        return FALSE;
      break;
    case MAJOR_BYTES:
    case MAJOR_TEXT:
      if (ai < 24)
        len = 1 + ai;
      else if (ai == 24 && left >= 2)
        len = 2 + p[1];
      else
        return FALSE;
      break;
    case MAJOR_SIMPLE:
      if (ai >= SIMPLE_FALSE && ai <= SIMPLE_UNDEFINED)
        len = 1;
      else if (ai >= SIMPLE_HALF && ai <= SIMPLE_DOUBLE)
        len = 1 + ((gsize) 1 << (ai - 24));
      else
        return FALSE;
      break;
    default:
      return FALSE;
    }
  if (len > left)
    return FALSE;
  if ((initial >> 5) == MAJOR_TEXT &&
      wamp_utf8_find_invalid (p + (ai == 24 ? 2 : 1), p + len) != NULL)
    return FALSE;
  reader->p = p + len;
  return TRUE;
}

/* The validating instance of read_array(), a function of its own so that
 * the payload's skip enters it directly. */
static gboolean
skip_array (WampCborReader *reader,
            const guint8   *at,
            const Head     *head,
            guint           depth)
{
  guint64 left = head->arg;

  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, at, "nesting too deep");
  /* Every item takes at least one byte. */
  if (!head->indefinite && head->arg > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, at, "array length exceeds the frame");

  if (!head->indefinite)
    {
      for (; left > 0; left--)
        if (!skip_flat (reader) && !skip_value (reader, depth + 1, NULL))
          return FALSE;
      return TRUE;
    }
  for (;;)
    {
      gboolean more;

      if (!next_item (reader, TRUE, &left, &more))
        return FALSE;
      if (!more)
        return TRUE;
      if (!skip_flat (reader) && !skip_value (reader, depth + 1, NULL))
        return FALSE;
    }
}

TEMPLATE gboolean
read_array (WampCborReader  *reader,
            const guint8    *at,
            const Head      *head,
            guint            depth,
            WampValue      **out)
{
  g_autoptr(WampValue) list = NULL;
  guint64 left = head->arg;

  if (out == NULL)
    return skip_array (reader, at, head, depth);
  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, at, "nesting too deep");
  /* Every item takes at least one byte. */
  if (!head->indefinite && head->arg > wamp_input_cursor_remaining (reader))
    return wamp_input_cursor_fail_at (reader, at, "array length exceeds the frame");
  list = wamp_value_new_list (head->indefinite ? 0 : (gsize) MIN (head->arg, MAX_LIST_RESERVE));

  for (;;)
    {
      WampValue *item = NULL;
      gboolean more;

      if (!next_item (reader, head->indefinite, &left, &more))
        return FALSE;
      if (!more)
        break;
      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      if (list != NULL)
        wamp_value_list_append (list, item);
    }

  if (out != NULL)
    *out = g_steal_pointer (&list);
  return TRUE;
}

TEMPLATE gboolean
read_map (WampCborReader  *reader,
          const guint8    *at,
          const Head      *head,
          guint            depth,
          WampValue      **out)
{
  g_autoptr(WampValue) dict = NULL;
  guint64 left = head->arg;

  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail_at (reader, at, "nesting too deep");
  /* Every entry takes at least two bytes. */
  if (!head->indefinite && head->arg > wamp_input_cursor_remaining (reader) / 2)
    return wamp_input_cursor_fail_at (reader, at, "map length exceeds the frame");
  if (out != NULL)
    dict = wamp_value_new_dict (0);

  for (;;)
    {
      g_autoptr(GByteArray) heap = NULL;
      const guint8 *key_at = reader->p;
      const guint8 *key = NULL;
      gsize key_len = 0;
      WampValue *item = NULL;
      Head key_head;
      gboolean more;

      if (!next_item (reader, head->indefinite, &left, &more))
        return FALSE;
      if (!more)
        break;

      /* WampValue dicts (and WAMP's Options/Details) have string keys. */
      if (!read_head (reader, &key_head))
        return FALSE;
      if (key_head.major != MAJOR_TEXT)
        return wamp_input_cursor_fail_at (reader, key_at, "map key is not a text string");
      if (!read_string (reader, key_at, &key_head, out != NULL, &key, &key_len, &heap))
        return FALSE;

      if (out == NULL && skip_flat (reader))
        continue;
      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      if (dict != NULL)
        wamp_value_dict_insert_len (dict, (const char *) key, key_len, item);
    }

  if (out != NULL)
    *out = g_steal_pointer (&dict);
  return TRUE;
}

/* RFC 8949 appendix D: half precision to double, exactly. */
static gdouble
half_to_double (guint16 half)
{
  guint exponent = (half >> 10) & 0x1f;
  guint mantissa = half & 0x3ff;
  gdouble v;

  if (exponent == 0)
    v = ldexp (mantissa, -24);
  else if (exponent != 31)
    v = ldexp (mantissa + 1024, (int) exponent - 25);
  else
    v = mantissa == 0 ? INFINITY : NAN;
  return (half & 0x8000) ? -v : v;
}

static gboolean
read_simple (WampCborReader  *reader,
             const guint8    *at,
             const Head      *head,
             WampValue      **out,
             WampValueType   *type)
{
  WampValueType kind;
  gdouble d = 0;

  switch (head->ai)
    {
    case SIMPLE_FALSE:
    case SIMPLE_TRUE:
      kind = WAMP_VALUE_BOOL;
      if (out != NULL)
        *out = wamp_value_new_bool (head->ai == SIMPLE_TRUE);
      break;
    case SIMPLE_NULL:
    case SIMPLE_UNDEFINED:
      kind = WAMP_VALUE_NULL;
      if (out != NULL)
        *out = wamp_value_new_null ();
      break;
    case SIMPLE_HALF:
      kind = WAMP_VALUE_DOUBLE;
      d = half_to_double ((guint16) head->arg);
      break;
    case SIMPLE_SINGLE:
      {
        guint32 bits = (guint32) head->arg;
        gfloat f;

        memcpy (&f, &bits, sizeof f);
        kind = WAMP_VALUE_DOUBLE;
        d = f;
      }
      break;
    case SIMPLE_DOUBLE:
      memcpy (&d, &head->arg, sizeof d);
      kind = WAMP_VALUE_DOUBLE;
      break;
    case SIMPLE_ONE_BYTE:
      if (head->arg < 32)
        return wamp_input_cursor_fail_at (reader, at, "simple value in two bytes below 32");
      return wamp_input_cursor_fail_at (reader, at, "unsupported simple value");
    case AI_INDEFINITE:
      return wamp_input_cursor_fail_at (reader, at, "break outside an indefinite-length item");
    default:
      return wamp_input_cursor_fail_at (reader, at, "unsupported simple value");
    }

  if (kind == WAMP_VALUE_DOUBLE && out != NULL)
    *out = wamp_value_new_double (d);
  if (type != NULL)
    *type = kind;
  return TRUE;
}

TEMPLATE gboolean
value_at (WampCborReader  *reader,
          guint            depth,
          WampValue      **out,
          WampValueType   *type)
{
  const guint8 *at;
  Head head;

  /* Tags are a loop, not recursion: each takes at least one byte. */
  for (;;)
    {
      at = reader->p;
      if (!read_head (reader, &head))
        return FALSE;
      if (head.major != MAJOR_TAG)
        break;
      if (head.arg == WAMP_CBOR_TAG_SELF_DESCRIBE)
        continue;
      if (head.arg == TAG_POSITIVE_BIGNUM || head.arg == TAG_NEGATIVE_BIGNUM)
        return read_bignum (reader, at, head.arg == TAG_NEGATIVE_BIGNUM, out, type);
      return wamp_input_cursor_fail_at (reader, at, "unsupported tag");
    }

  switch (head.major)
    {
    case MAJOR_UNSIGNED:
      if (type != NULL)
        *type = head.arg > (guint64) G_MAXINT64 ? WAMP_VALUE_UINT : WAMP_VALUE_INT;
      if (out != NULL)
        *out = wamp_value_new_uint (head.arg);
      return TRUE;

    case MAJOR_NEGATIVE:
      if (head.arg > (guint64) G_MAXINT64)
        return wamp_input_cursor_fail_at (reader, at, "negative integer below the int64 range");
      if (type != NULL)
        *type = WAMP_VALUE_INT;
      if (out != NULL)
        *out = wamp_value_new_int (-1 - (gint64) head.arg);
      return TRUE;

    case MAJOR_BYTES:
    case MAJOR_TEXT:
      {
        g_autoptr(GByteArray) heap = NULL;
        const guint8 *data = NULL;
        gsize len = 0;

        if (!read_string (reader, at, &head, out != NULL, &data, &len, &heap))
          return FALSE;
        if (type != NULL)
          *type = head.major == MAJOR_TEXT ? WAMP_VALUE_STRING : WAMP_VALUE_BYTES;
        if (out != NULL)
          *out = head.major == MAJOR_TEXT ? wamp_value_new_string_len ((const char *) data, len)
                                          : wamp_value_new_bytes (data, len);
        return TRUE;
      }

    case MAJOR_ARRAY:
      if (type != NULL)
        *type = WAMP_VALUE_LIST;
      return read_array (reader, at, &head, depth, out);

    case MAJOR_MAP:
      if (type != NULL)
        *type = WAMP_VALUE_DICT;
      return read_map (reader, at, &head, depth, out);

    default:
      return read_simple (reader, at, &head, out, type);
    }
}

static gboolean
read_value (WampCborReader  *reader,
            guint            depth,
            WampValue      **out,
            WampValueType   *type)
{
  return value_at (reader, depth, out, type);
}

static gboolean
skip_value (WampCborReader  *reader,
            guint            depth,
            WampValueType   *type)
{
  return value_at (reader, depth, NULL, type);
}

gboolean
wamp_cbor_reader_read_value (WampCborReader  *reader,
                             guint            depth,
                             WampValue      **out,
                             WampValueType   *type)
{
  /* A payload is most often a small definite array: straight into its loop. */
  if (out == NULL && reader->p < reader->end && *reader->p >= 0x80 && *reader->p <= 0x97)
    {
      const guint8 *at = reader->p++;
      Head head = { MAJOR_ARRAY, *at & 0x1f, *at & 0x1f, FALSE };

      if (type != NULL)
        *type = WAMP_VALUE_LIST;
      return skip_array (reader, at, &head, depth);
    }
  return out != NULL ? read_value (reader, depth, out, type) : skip_value (reader, depth, type);
}

gboolean
wamp_cbor_reader_read_container_head (WampCborReader *reader,
                                      guint           major,
                                      guint64        *count,
                                      gboolean       *indefinite)
{
  const guint8 *at;
  Head head;

  for (;;)
    {
      at = reader->p;
      if (!read_head (reader, &head))
        return FALSE;
      if (head.major != MAJOR_TAG || head.arg != WAMP_CBOR_TAG_SELF_DESCRIBE)
        break;
    }
  if (head.major != major)
    return wamp_input_cursor_fail_at (reader, at,
                                      major == MAJOR_ARRAY ? "expected an array" : "expected a map");
  if (!head.indefinite &&
      head.arg > wamp_input_cursor_remaining (reader) / (major == MAJOR_MAP ? 2 : 1))
    return wamp_input_cursor_fail_at (reader, at, "container length exceeds the frame");
  *count = head.arg;
  *indefinite = head.indefinite;
  return TRUE;
}

WampValue *
wamp_cbor_decode_value (const guint8 *data,
                        gsize         len,
                        guint         max_depth,
                        gint          code,
                        GError      **error)
{
  WampCborReader reader;
  g_autoptr(WampValue) value = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  wamp_input_cursor_init (&reader, "CBOR", data, len, max_depth);
  if (!read_value (&reader, 0, &value, NULL))
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
