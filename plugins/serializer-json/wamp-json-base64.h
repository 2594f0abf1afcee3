/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict base64 (standard alphabet) for the JSON binary convention. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An upper bound of the decoded size of @len base64 characters. */
static inline gsize
wamp_json_base64_decoded_max (gsize len)
{
  return len / 4 * 3 + 3;
}

/* The exact encoded size (with padding) of @len bytes. */
static inline gsize
wamp_json_base64_encoded_len (gsize len)
{
  return (len + 2) / 3 * 4;
}

/* Decodes @len characters of standard base64, padding optional. @out
 * (nullable: validate only) has room for wamp_json_base64_decoded_max().
 * Returns FALSE for a character outside the alphabet, misplaced or wrong
 * padding, or a length no encoder produces. */
gboolean wamp_json_base64_decode (const guint8 *in,
                                  gsize         len,
                                  guint8       *out,
                                  gsize        *out_len);

/* Encodes @len bytes with padding into @out, which has room for
 * wamp_json_base64_encoded_len(). Returns the characters written. */
gsize wamp_json_base64_encode (const guint8 *in,
                               gsize         len,
                               guint8       *out);

G_END_DECLS
