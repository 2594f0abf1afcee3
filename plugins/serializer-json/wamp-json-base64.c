/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict base64 for the JSON binary convention: g_base64_decode() skips
 * invalid characters silently, and bad input must be an error here. */

#include "wamp-json-base64.h"

static const char alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* 0 for characters outside the alphabet, else value + 1. */
static const guint8 decode_table[256] = {
  ['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6, ['G'] = 7,
  ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13,
  ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19,
  ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25,
  ['Z'] = 26,
  ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
  ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38,
  ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44,
  ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50,
  ['y'] = 51, ['z'] = 52,
  ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58,
  ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62,
  ['+'] = 63, ['/'] = 64,
};

gboolean
wamp_json_base64_decode (const guint8 *in,
                         gsize         len,
                         guint8       *out,
                         gsize        *out_len)
{
  gsize padding = 0;
  gsize i, n = 0;
  guint32 acc = 0;
  guint bits = 0;

  while (len > 0 && padding < 2 && in[len - 1] == '=')
    {
      len--;
      padding++;
    }
  if (len % 4 == 1 || (padding > 0 && (len + padding) % 4 != 0))
    return FALSE;

  for (i = 0; i < len; i++)
    {
      guint8 v = decode_table[in[i]];

      if (v == 0)
        return FALSE;
      acc = (acc << 6) | (guint32) (v - 1);
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          if (out != NULL)
            out[n] = (guint8) (acc >> bits);
          n++;
        }
    }

  if (out_len != NULL)
    *out_len = n;
  return TRUE;
}

gsize
wamp_json_base64_encode (const guint8 *in,
                         gsize         len,
                         guint8       *out)
{
  guint8 *o = out;
  gsize i = 0;

  for (; i + 3 <= len; i += 3)
    {
      guint32 v = ((guint32) in[i] << 16) | ((guint32) in[i + 1] << 8) | in[i + 2];
      *o++ = (guint8) alphabet[v >> 18];
      *o++ = (guint8) alphabet[(v >> 12) & 0x3f];
      *o++ = (guint8) alphabet[(v >> 6) & 0x3f];
      *o++ = (guint8) alphabet[v & 0x3f];
    }
  if (len - i == 1)
    {
      guint32 v = (guint32) in[i] << 16;
      *o++ = (guint8) alphabet[v >> 18];
      *o++ = (guint8) alphabet[(v >> 12) & 0x3f];
      *o++ = '=';
      *o++ = '=';
    }
  else if (len - i == 2)
    {
      guint32 v = ((guint32) in[i] << 16) | ((guint32) in[i + 1] << 8);
      *o++ = (guint8) alphabet[v >> 18];
      *o++ = (guint8) alphabet[(v >> 12) & 0x3f];
      *o++ = (guint8) alphabet[(v >> 6) & 0x3f];
      *o++ = '=';
    }
  return (gsize) (o - out);
}
