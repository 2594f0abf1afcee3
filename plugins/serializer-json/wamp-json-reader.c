/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The validating RFC 8259 reader: strict UTF-8, exact integers, strings with
 * NUL, the WAMP binary convention, bounded nesting. */

#include "wamp-json-reader.h"
#include "wamp-json-base64.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Each reading function below is instantiated twice, inlined into
 * read_value() (which builds the value) and into skip_value() (which only
 * validates, for the raw payload): with @out a constant NULL the compiler
 * drops every allocation branch of the skipping copy. */
#define TEMPLATE static inline __attribute__ ((always_inline))

static gboolean read_value (WampJsonReader  *reader,
                            guint            depth,
                            WampValue      **out);
static gboolean skip_value (WampJsonReader *reader,
                            guint           depth);

/* The recursion of the two instances. */
#define READ_NESTED(reader, depth, out, item) \
  ((out) != NULL ? read_value ((reader), (depth), (item)) : skip_value ((reader), (depth)))

/* Bytes a string may contain as they are: printable ASCII but '"' and '\\'.
 * Everything else (escapes, controls, non-ASCII) leaves the fast loop. */
static const guint8 string_plain[256] = {
  [0x20 ... 0x21] = 1,
  [0x23 ... 0x5b] = 1,
  [0x5d ... 0x7f] = 1,
};

#define ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define HIGHS G_GUINT64_CONSTANT (0x8080808080808080)

/* Whether any byte of @w is zero / below @n (n <= 128): exact for presence. */
#define HAS_ZERO_BYTE(w) (((w) - ONES) & ~(w) & HIGHS)
#define HAS_BYTE_BELOW(w, n) (((w) - ONES * (n)) & ~(w) & HIGHS)

/* Skips plain string bytes 32 (SSE2, every x86-64) or eight at a time and
 * returns the first byte that is not plain, or where fewer than eight bytes
 * remain: long strings are the bulk of most payloads, and testing a block
 * of bytes costs about what testing one does. */
static inline const guint8 *
skip_plain_words (const guint8 *p,
                  const guint8 *end)
{
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8 ('"');
  const __m128i backslash = _mm_set1_epi8 ('\\');
  /* Signed: bytes >= 0x80 are negative, so one compare finds them and the
   * controls below 0x20 alike. */
  const __m128i below_space = _mm_set1_epi8 (0x20);

#define SPECIAL_BYTES(v) \
  _mm_movemask_epi8 (_mm_or_si128 (_mm_or_si128 (_mm_cmpeq_epi8 ((v), quote), _mm_cmpeq_epi8 ((v), backslash)), \
                                   _mm_cmplt_epi8 ((v), below_space)))

  while (end - p >= 32)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) p);
      __m128i b = _mm_loadu_si128 ((const __m128i *) (p + 16));
      guint mask = (guint) SPECIAL_BYTES (a) | ((guint) SPECIAL_BYTES (b) << 16);

      if (mask != 0)
        return p + __builtin_ctz (mask);
      p += 32;
    }
  if (end - p >= 16)
    {
      __m128i a = _mm_loadu_si128 ((const __m128i *) p);
      guint mask = (guint) SPECIAL_BYTES (a);

      if (mask != 0)
        return p + __builtin_ctz (mask);
      p += 16;
    }
#undef SPECIAL_BYTES
#endif
  while (end - p >= 8)
    {
      guint64 w, hit;

      memcpy (&w, p, 8);
      /* Exact in its lowest set bit: a false hit only follows a true one. */
      hit = (w & HIGHS) | HAS_BYTE_BELOW (w, 0x20) |
            HAS_ZERO_BYTE (w ^ (ONES * '"')) | HAS_ZERO_BYTE (w ^ (ONES * '\\'));
      if (hit != 0)
        return p + (__builtin_ctzll (hit) >> 3);
      p += 8;
    }
  return p;
}

static inline gint
hex_value (guint8 c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c |= 0x20;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* Reads the four hex digits at @p (the caller checked they are present). */
static inline gboolean
read_hex4 (const guint8 *p,
           guint        *out)
{
  guint v = 0;

  for (guint i = 0; i < 4; i++)
    {
      gint h = hex_value (p[i]);
      if (h < 0)
        return FALSE;
      v = (v << 4) | (guint) h;
    }
  *out = v;
  return TRUE;
}

/* Validates the string whose opening quote is at the cursor and moves past
 * the closing quote. @content/@content_end: the bytes between the quotes;
 * @escaped: whether they hold any backslash escape. */
static gboolean
scan_string (WampJsonReader  *reader,
             const guint8   **content,
             const guint8   **content_end,
             gboolean        *escaped)
{
  const guint8 *p = reader->p + 1;
  const guint8 *end = reader->end;
  gboolean esc = FALSE;

  for (;;)
    {
      guint8 c;

      p = skip_plain_words (p, end);
      while (p < end && string_plain[*p])
        p++;
      if (p >= end)
        return wamp_input_cursor_fail_at (reader, p, "unterminated string");

      c = *p;
      if (c == '"')
        break;
      if (c == '\\')
        {
          esc = TRUE;
          if (end - p < 2)
            return wamp_input_cursor_fail_at (reader, p, "unterminated string");
          switch (p[1])
            {
            case '"': case '\\': case '/': case 'b':
            case 'f': case 'n': case 'r': case 't':
              p += 2;
              break;
            case 'u':
              {
                guint cp, lo;

                if (end - p < 6 || !read_hex4 (p + 2, &cp))
                  return wamp_input_cursor_fail_at (reader, p, "invalid \\u escape");
                if (cp >= 0xdc00 && cp <= 0xdfff)
                  return wamp_input_cursor_fail_at (reader, p, "lone surrogate escape");
                if (cp >= 0xd800 && cp <= 0xdbff)
                  {
                    if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
                        !read_hex4 (p + 8, &lo) || lo < 0xdc00 || lo > 0xdfff)
                      return wamp_input_cursor_fail_at (reader, p, "lone surrogate escape");
                    p += 12;
                  }
                else
                  {
                    p += 6;
                  }
              }
              break;
            default:
              return wamp_input_cursor_fail_at (reader, p, "invalid escape");
            }
        }
      else if (c < 0x20)
        {
          return wamp_input_cursor_fail_at (reader, p, "control character in string");
        }
      else
        {
          guint n = wamp_utf8_sequence_length (p, end);
          if (n == 0)
            return wamp_input_cursor_fail_at (reader, p, "invalid UTF-8");
          p += n;
        }
    }

  *content = reader->p + 1;
  *content_end = p;
  *escaped = esc;
  reader->p = p + 1;
  return TRUE;
}

static inline guint8 *
put_utf8 (guint8  *out,
          guint32  cp)
{
  if (cp < 0x80)
    {
      *out++ = (guint8) cp;
    }
  else if (cp < 0x800)
    {
      *out++ = (guint8) (0xc0 | (cp >> 6));
      *out++ = (guint8) (0x80 | (cp & 0x3f));
    }
  else if (cp < 0x10000)
    {
      *out++ = (guint8) (0xe0 | (cp >> 12));
      *out++ = (guint8) (0x80 | ((cp >> 6) & 0x3f));
      *out++ = (guint8) (0x80 | (cp & 0x3f));
    }
  else
    {
      *out++ = (guint8) (0xf0 | (cp >> 18));
      *out++ = (guint8) (0x80 | ((cp >> 12) & 0x3f));
      *out++ = (guint8) (0x80 | ((cp >> 6) & 0x3f));
      *out++ = (guint8) (0x80 | (cp & 0x3f));
    }
  return out;
}

/* Unescapes string content scan_string() validated into @out, which has room
 * for (@end - @s) bytes: no escape decodes longer than it is written.
 * Returns the decoded length. */
static gsize
unescape (const guint8 *s,
          const guint8 *end,
          guint8       *out)
{
  guint8 *o = out;

  while (s < end)
    {
      const guint8 *run = s;

      while (s < end && *s != '\\')
        s++;
      memcpy (o, run, (gsize) (s - run));
      o += s - run;
      if (s >= end)
        break;

      switch (s[1])
        {
        case 'b': *o++ = '\b'; s += 2; break;
        case 'f': *o++ = '\f'; s += 2; break;
        case 'n': *o++ = '\n'; s += 2; break;
        case 'r': *o++ = '\r'; s += 2; break;
        case 't': *o++ = '\t'; s += 2; break;
        case 'u':
          {
            guint hi = 0, lo = 0;

            read_hex4 (s + 2, &hi);
            s += 6;
            if (hi >= 0xd800 && hi <= 0xdbff)
              {
                read_hex4 (s + 2, &lo);
                s += 6;
                hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
              }
            o = put_utf8 (o, hi);
          }
          break;
        default: /* '"', '\\', '/' */
          *o++ = s[1];
          s += 2;
          break;
        }
    }
  return (gsize) (o - out);
}

/* Whether validated string content is the binary convention's marker: its
 * first character is U+0000, which JSON can only write as an escape. */
static inline gboolean
is_binary_marker (const guint8 *s,
                  const guint8 *end)
{
  return end - s >= 6 && memcmp (s, "\\u0000", 6) == 0;
}

/* Decodes string content into a buffer owned by the caller: @stack when it
 * is large enough, else a new allocation stored in @heap. */
static const guint8 *
string_bytes (const guint8  *s,
              const guint8  *end,
              gboolean       escaped,
              guint8        *stack,
              gsize          stack_size,
              guint8       **heap,
              gsize         *len)
{
  guint8 *buf;

  if (!escaped)
    {
      *len = (gsize) (end - s);
      return s;
    }
  buf = (gsize) (end - s) <= stack_size ? stack : (*heap = g_malloc ((gsize) (end - s)));
  *len = unescape (s, end, buf);
  return buf;
}

/* A string value at the cursor: plain, or bytes under the binary convention
 * (U+0000 then base64). */
TEMPLATE gboolean
read_string (WampJsonReader  *reader,
             WampValue      **out)
{
  const guint8 *s, *e, *data;
  gboolean escaped;
  guint8 stack[256];
  g_autofree guint8 *heap = NULL;
  gsize len;

  if (!scan_string (reader, &s, &e, &escaped))
    return FALSE;

  if (escaped && is_binary_marker (s, e))
    {
      g_autofree guint8 *decoded = NULL;
      gsize decoded_len;

      data = string_bytes (s, e, escaped, stack, sizeof stack, &heap, &len);
      if (out != NULL)
        decoded = g_malloc (wamp_json_base64_decoded_max (len - 1) + 1);
      if (!wamp_json_base64_decode (data + 1, len - 1, decoded, &decoded_len))
        return wamp_input_cursor_fail_at (reader, s - 1, "invalid base64 in binary string");
      if (out != NULL)
        *out = wamp_value_new_bytes (decoded, decoded_len);
      return TRUE;
    }

  if (out != NULL)
    {
      data = string_bytes (s, e, escaped, stack, sizeof stack, &heap, &len);
      *out = wamp_value_new_string_len ((const char *) data, len);
    }
  return TRUE;
}

static inline gboolean
is_digit (guint8 c)
{
  return c >= '0' && c <= '9';
}

/* Parses the double of validated number text [@s, @e), refusing overflow. */
static gboolean
parse_double (const guint8 *s,
              const guint8 *e,
              gdouble      *out)
{
  char stack[64];
  g_autofree char *heap = NULL;
  gsize len = (gsize) (e - s);
  char *buf;
  gdouble d;

  if (len < sizeof stack)
    {
      memcpy (stack, s, len);
      stack[len] = '\0';
      buf = stack;
    }
  else
    {
      buf = heap = g_strndup ((const char *) s, len);
    }
  d = g_ascii_strtod (buf, NULL);
  if (!isfinite (d))
    return FALSE;
  *out = d;
  return TRUE;
}

/* A number at the cursor. Integer literals are exact (int64, or uint64 above
 * G_MAXINT64) or an error; only a fraction or exponent makes a double. */
TEMPLATE gboolean
read_number (WampJsonReader  *reader,
             WampValue      **out)
{
  const guint8 *start = reader->p;
  const guint8 *p = start;
  const guint8 *end = reader->end;
  const guint8 *digits;
  gboolean negative = FALSE;
  gboolean is_integer = TRUE;
  gsize n_int_digits;
  gint64 exponent = 0;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  digits = p;
  if (p >= end || !is_digit (*p))
    return wamp_input_cursor_fail_at (reader, start, "invalid number");
  if (*p == '0')
    {
      p++;
      if (p < end && is_digit (*p))
        return wamp_input_cursor_fail_at (reader, start, "leading zero in number");
    }
  else
    {
      while (p < end && is_digit (*p))
        p++;
    }
  n_int_digits = (gsize) (p - digits);

  if (p < end && *p == '.')
    {
      is_integer = FALSE;
      p++;
      if (p >= end || !is_digit (*p))
        return wamp_input_cursor_fail_at (reader, start, "invalid number");
      while (p < end && is_digit (*p))
        p++;
    }
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      gboolean exp_negative = FALSE;

      is_integer = FALSE;
      p++;
      if (p < end && (*p == '+' || *p == '-'))
        {
          exp_negative = *p == '-';
          p++;
        }
      if (p >= end || !is_digit (*p))
        return wamp_input_cursor_fail_at (reader, start, "invalid number");
      while (p < end && is_digit (*p))
        {
          if (exponent < 100000)
            exponent = exponent * 10 + (*p - '0');
          p++;
        }
      if (exp_negative)
        exponent = -exponent;
    }

  if (is_integer)
    {
      guint64 v = 0;

      /* Validation alone needs the value only when it may be out of range. */
      if (out == NULL && n_int_digits < 19)
        {
          reader->p = p;
          return TRUE;
        }
      /* Nineteen digits always fit 64 bits: only more need the check. */
      if (n_int_digits <= 19)
        {
          for (const guint8 *d = digits; d < p; d++)
            v = v * 10 + (guint) (*d - '0');
        }
      else
        {
          for (const guint8 *d = digits; d < p; d++)
            {
              guint digit = (guint) (*d - '0');
              if (v > (G_MAXUINT64 - digit) / 10)
                return wamp_input_cursor_fail_at (reader, start, "integer out of range");
              v = v * 10 + digit;
            }
        }
      if (negative && v > (guint64) G_MAXINT64 + 1)
        return wamp_input_cursor_fail_at (reader, start, "integer out of range");
      if (out != NULL)
        {
          if (negative)
            *out = wamp_value_new_int (v == 0 ? 0 : -(gint64) (v - 1) - 1);
          else
            *out = wamp_value_new_uint (v);
        }
    }
  else
    {
      gdouble d;

      /* Overflow is possible only when the magnitude may exceed 1e300;
       * validation alone skips strtod below that. */
      if (out != NULL || (gint64) n_int_digits + exponent > 300)
        {
          if (!parse_double (start, p, &d))
            return wamp_input_cursor_fail_at (reader, start, "number out of range");
          if (out != NULL)
            *out = wamp_value_new_double (d);
        }
    }

  reader->p = p;
  return TRUE;
}

TEMPLATE gboolean
read_literal (WampJsonReader  *reader,
              WampValue      **out)
{
  const guint8 *p = reader->p;
  gsize avail = (gsize) (reader->end - p);

  if (avail >= 4 && memcmp (p, "true", 4) == 0)
    {
      if (out != NULL)
        *out = wamp_value_new_bool (TRUE);
      reader->p += 4;
      return TRUE;
    }
  if (avail >= 5 && memcmp (p, "false", 5) == 0)
    {
      if (out != NULL)
        *out = wamp_value_new_bool (FALSE);
      reader->p += 5;
      return TRUE;
    }
  if (avail >= 4 && memcmp (p, "null", 4) == 0)
    {
      if (out != NULL)
        *out = wamp_value_new_null ();
      reader->p += 4;
      return TRUE;
    }
  return wamp_input_cursor_fail (reader, "invalid literal");
}

/* Skips the string at the cursor when it is plain printable ASCII (no
 * escape, no control, no multi-byte sequence); FALSE, the cursor unmoved,
 * otherwise, for scan_string() to judge. @content/@content_end as there. */
static inline gboolean
skip_plain_string (WampJsonReader  *reader,
                   const guint8   **content,
                   const guint8   **content_end)
{
  const guint8 *p = skip_plain_words (reader->p + 1, reader->end);

  while (p < reader->end && string_plain[*p])
    p++;
  if (p >= reader->end || *p != '"')
    return FALSE;
  *content = reader->p + 1;
  *content_end = p;
  reader->p = p + 1;
  return TRUE;
}

static gboolean
skip_list (WampJsonReader *reader,
           guint           depth);

TEMPLATE gboolean
read_list (WampJsonReader  *reader,
           guint            depth,
           WampValue      **out)
{
  g_autoptr(WampValue) list = NULL;

  if (out == NULL)
    return skip_list (reader, depth);
  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail (reader, "nesting too deep");
  if (out != NULL)
    list = wamp_value_new_list (0);

  reader->p++;
  wamp_json_reader_skip_ws (reader);
  if (reader->p < reader->end && *reader->p == ']')
    {
      reader->p++;
      if (out != NULL)
        *out = g_steal_pointer (&list);
      return TRUE;
    }

  for (;;)
    {
      WampValue *item = NULL;

      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      if (list != NULL)
        wamp_value_list_append (list, item);
      wamp_json_reader_skip_ws (reader);
      if (reader->p >= reader->end)
        return wamp_input_cursor_fail (reader, "unterminated list");
      if (*reader->p == ']')
        {
          reader->p++;
          break;
        }
      if (*reader->p != ',')
        return wamp_input_cursor_fail (reader, "expected ',' or ']'");
      reader->p++;
      wamp_json_reader_skip_ws (reader);
      if (reader->p < reader->end && *reader->p == ']')
        return wamp_input_cursor_fail (reader, "trailing comma");
    }

  if (out != NULL)
    *out = g_steal_pointer (&list);
  return TRUE;
}

TEMPLATE gboolean
read_dict (WampJsonReader  *reader,
           guint            depth,
           WampValue      **out)
{
  g_autoptr(WampValue) dict = NULL;

  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail (reader, "nesting too deep");
  if (out != NULL)
    dict = wamp_value_new_dict (0);

  reader->p++;
  wamp_json_reader_skip_ws (reader);
  if (reader->p < reader->end && *reader->p == '}')
    {
      reader->p++;
      if (out != NULL)
        *out = g_steal_pointer (&dict);
      return TRUE;
    }

  for (;;)
    {
      const guint8 *ks, *ke;
      gboolean escaped;
      WampValue *item = NULL;

      if (reader->p >= reader->end)
        return wamp_input_cursor_fail (reader, "unterminated dict");
      if (*reader->p != '"')
        return wamp_input_cursor_fail (reader, "expected a string key");
      if (!scan_string (reader, &ks, &ke, &escaped))
        return FALSE;
      wamp_json_reader_skip_ws (reader);
      if (reader->p >= reader->end || *reader->p != ':')
        return wamp_input_cursor_fail (reader, "expected ':'");
      reader->p++;
      if (!READ_NESTED (reader, depth + 1, out, &item))
        return FALSE;
      if (dict != NULL)
        {
          guint8 stack[128];
          g_autofree guint8 *heap = NULL;
          const guint8 *key;
          gsize key_len;

          key = string_bytes (ks, ke, escaped, stack, sizeof stack, &heap, &key_len);
          wamp_value_dict_insert_len (dict, (const char *) key, key_len, item);
        }
      wamp_json_reader_skip_ws (reader);
      if (reader->p >= reader->end)
        return wamp_input_cursor_fail (reader, "unterminated dict");
      if (*reader->p == '}')
        {
          reader->p++;
          break;
        }
      if (*reader->p != ',')
        return wamp_input_cursor_fail (reader, "expected ',' or '}'");
      reader->p++;
      wamp_json_reader_skip_ws (reader);
      if (reader->p < reader->end && *reader->p == '}')
        return wamp_input_cursor_fail (reader, "trailing comma");
    }

  if (out != NULL)
    *out = g_steal_pointer (&dict);
  return TRUE;
}

TEMPLATE gboolean
value_at (WampJsonReader  *reader,
          guint            depth,
          WampValue      **out)
{
  wamp_json_reader_skip_ws (reader);
  if (reader->p >= reader->end)
    return wamp_input_cursor_fail (reader, "unexpected end of input");

  switch (*reader->p)
    {
    case '[':
      return read_list (reader, depth, out);
    case '{':
      return read_dict (reader, depth, out);
    case '"':
      return read_string (reader, out);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return read_number (reader, out);
    case 't':
    case 'f':
    case 'n':
      return read_literal (reader, out);
    default:
      return wamp_input_cursor_fail (reader, "unexpected character");
    }
}

static gboolean
read_value (WampJsonReader  *reader,
            guint            depth,
            WampValue      **out)
{
  return value_at (reader, depth, out);
}

/* Skips one element of a list being validated: strings and numbers, the
 * bulk of most payloads, without the general reader's call. */
static inline gboolean
skip_element (WampJsonReader *reader,
              guint           depth)
{
  const guint8 *s, *e;

  if (reader->p < reader->end)
    {
      guint8 c = *reader->p;

      /* Not a plain one: maybe escaped, maybe binary (its base64 checked). */
      if (c == '"' && skip_plain_string (reader, &s, &e))
        return TRUE;
      if (c == '-' || is_digit (c))
        return read_number (reader, NULL);
    }
  return skip_value (reader, depth);
}

/* The validating instance of read_list(), a function of its own so that the
 * payload's skip enters it directly. */
static gboolean
skip_list (WampJsonReader *reader,
           guint           depth)
{
  if (depth >= reader->max_depth)
    return wamp_input_cursor_fail (reader, "nesting too deep");

  reader->p++;
  wamp_json_reader_skip_ws (reader);
  if (reader->p < reader->end && *reader->p == ']')
    {
      reader->p++;
      return TRUE;
    }

  /* Whitespace before each element is skipped after the '[' or ','. */
  for (;;)
    {
      if (!skip_element (reader, depth + 1))
        return FALSE;
      wamp_json_reader_skip_ws (reader);
      if (reader->p >= reader->end)
        return wamp_input_cursor_fail (reader, "unterminated list");
      if (*reader->p == ']')
        {
          reader->p++;
          return TRUE;
        }
      if (*reader->p != ',')
        return wamp_input_cursor_fail (reader, "expected ',' or ']'");
      reader->p++;
      wamp_json_reader_skip_ws (reader);
      if (reader->p < reader->end && *reader->p == ']')
        return wamp_input_cursor_fail (reader, "trailing comma");
    }
}

static gboolean
skip_value (WampJsonReader *reader,
            guint           depth)
{
  return value_at (reader, depth, NULL);
}

gboolean
wamp_json_reader_skip_value (WampJsonReader *reader,
                             guint           depth)
{
  wamp_json_reader_skip_ws (reader);
  /* A payload is a list or a dict: a list goes straight into its loop. */
  if (reader->p < reader->end && *reader->p == '[')
    return skip_list (reader, depth);
  return skip_value (reader, depth);
}

gboolean
wamp_json_reader_read_value (WampJsonReader  *reader,
                             guint            depth,
                             WampValue      **out)
{
  if (out == NULL)
    return wamp_json_reader_skip_value (reader, depth);
  wamp_json_reader_skip_ws (reader);
  /* A plain string (a URI, most often) without the general reader's call. */
  if (reader->p < reader->end && *reader->p == '"')
    {
      const guint8 *s, *e;

      if (skip_plain_string (reader, &s, &e))
        {
          *out = wamp_value_new_string_len ((const char *) s, (gsize) (e - s));
          return TRUE;
        }
    }
  return read_value (reader, depth, out);
}

WampValue *
wamp_json_decode_value (const guint8 *data,
                        gsize         len,
                        guint         max_depth,
                        gint          code,
                        GError      **error)
{
  WampJsonReader reader;
  g_autoptr(WampValue) value = NULL;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  wamp_input_cursor_init (&reader, "JSON", data, len, max_depth);
  if (!read_value (&reader, 0, &value))
    {
      wamp_input_cursor_set_error (&reader, code, error);
      return NULL;
    }
  wamp_json_reader_skip_ws (&reader);
  if (reader.p != reader.end)
    {
      wamp_input_cursor_fail (&reader, "trailing bytes after the value");
      wamp_input_cursor_set_error (&reader, code, error);
      return NULL;
    }
  return g_steal_pointer (&value);
}
