/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the CBOR serializer: any frame, any value. Whatever
 * the reader accepts must write, read back identical (doubles bit for bit),
 * and keep its raw payload bytes through a round trip. */

#include <stdlib.h>
#include <string.h>

#include <wamp/wamp.h>

#include "wamp-cbor-serializer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* wamp_value_equal() with doubles compared by their bits (NaN included). */
static gboolean
identical (const WampValue *a,
           const WampValue *b)
{
  WampValueType type;

  if (a == NULL || b == NULL)
    return a == b;
  type = wamp_value_get_value_type (a);
  if (type != wamp_value_get_value_type (b))
    return FALSE;
  switch (type)
    {
    case WAMP_VALUE_DOUBLE:
      {
        gdouble da = wamp_value_get_double (a), db = wamp_value_get_double (b);

        return memcmp (&da, &db, sizeof da) == 0;
      }
    case WAMP_VALUE_LIST:
      if (wamp_value_list_length (a) != wamp_value_list_length (b))
        return FALSE;
      for (gsize i = 0; i < wamp_value_list_length (a); i++)
        if (!identical (wamp_value_list_get (a, i), wamp_value_list_get (b, i)))
          return FALSE;
      return TRUE;
    case WAMP_VALUE_DICT:
      if (wamp_value_dict_size (a) != wamp_value_dict_size (b))
        return FALSE;
      for (gsize i = 0; i < wamp_value_dict_size (a); i++)
        {
          gsize la, lb;
          const char *ka = wamp_value_dict_get_key (a, i, &la);
          const char *kb = wamp_value_dict_get_key (b, i, &lb);

          if (la != lb || memcmp (ka, kb, la) != 0 ||
              !identical (wamp_value_dict_get_value (a, i), wamp_value_dict_get_value (b, i)))
            return FALSE;
        }
      return TRUE;
    default:
      return wamp_value_equal (a, b);
    }
}

static void
check_same_message (WampMessage *a,
                    WampMessage *b)
{
  gsize n = wamp_message_get_n_fields (a);
  WampPayload *pa = wamp_message_get_payload (a);
  WampPayload *pb = wamp_message_get_payload (b);

  if (wamp_message_get_message_type (a) != wamp_message_get_message_type (b) ||
      n != wamp_message_get_n_fields (b) || (pa == NULL) != (pb == NULL))
    abort ();
  for (gsize i = 0; i < n; i++)
    if (!identical (wamp_message_get_field (a, i), wamp_message_get_field (b, i)))
      abort ();
  if (pa != NULL)
    {
      WampValue *aa = NULL, *ak = NULL, *ba = NULL, *bk = NULL;

      if (!wamp_payload_get_values (pa, &aa, &ak, NULL) ||
          !wamp_payload_get_values (pb, &ba, &bk, NULL) ||
          !identical (aa, ba) || !identical (ak, bk))
        abort ();
    }
}

/* What a frame that deserialized must allow: it serializes, reads back
 * identical with the same raw payload bytes, and its payload decodes and
 * transcodes through the writer. */
static void
check_message (WampSerializer *serializer,
               WampMessage    *message)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(WampMessage) reread = NULL;
  WampPayload *payload = wamp_message_get_payload (message);

  out = wamp_serializer_serialize (serializer, message, NULL);
  if (out == NULL)
    abort ();
  reread = wamp_serializer_deserialize (serializer, out, NULL);
  if (reread == NULL)
    abort ();
  check_same_message (message, reread);

  if (payload != NULL)
    {
      const guint8 *a1, *k1, *a2, *k2;
      gsize a1_len, k1_len, a2_len, k2_len;
      g_autoptr(WampPayload) decoded = NULL;
      g_autoptr(WampMessage) transcoded = NULL;
      g_autoptr(GBytes) written = NULL;
      g_autoptr(WampMessage) reread2 = NULL;
      WampValue *args = NULL, *kwargs = NULL;
      WampValue *fields[8];
      gsize n = wamp_message_get_n_fields (message);

      /* Passthrough: the payload bytes went out as they came. */
      if (!wamp_payload_get_raw (payload, serializer, &a1, &a1_len, &k1, &k1_len) ||
          !wamp_payload_get_raw (wamp_message_get_payload (reread), serializer,
                                 &a2, &a2_len, &k2, &k2_len) ||
          a1_len != a2_len || k1_len != k2_len ||
          memcmp (a1, a2, a1_len) != 0 || (k1_len > 0 && memcmp (k1, k2, k1_len) != 0))
        abort ();

      if (!wamp_payload_get_values (payload, &args, &kwargs, NULL))
        abort ();
      if (n > G_N_ELEMENTS (fields))
        abort ();
      for (gsize i = 0; i < n; i++)
        fields[i] = wamp_message_get_field (message, i);
      decoded = wamp_payload_new (args, kwargs);
      transcoded = wamp_message_new_from_fields (fields, n, decoded, NULL);
      if (transcoded == NULL)
        abort ();
      written = wamp_serializer_serialize (serializer, transcoded, NULL);
      if (written == NULL)
        abort ();
      reread2 = wamp_serializer_deserialize (serializer, written, NULL);
      if (reread2 == NULL)
        abort ();
      check_same_message (message, reread2);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static WampSerializer *serializer;
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampValue) value = NULL;
  g_autoptr(GError) error = NULL;

  if (serializer == NULL)
    serializer = WAMP_SERIALIZER (wamp_cbor_serializer_new ());

  frame = g_bytes_new (data, size);
  message = wamp_serializer_deserialize (serializer, frame, &error);
  if (message != NULL)
    check_message (serializer, message);
  else if (error == NULL || error->domain != WAMP_ERROR ||
           error->code != WAMP_ERROR_PROTOCOL_VIOLATION)
    abort ();
  g_clear_error (&error);

  /* The single-value reader, and the writer on whatever it accepted. */
  value = wamp_serializer_decode_value (serializer, data, size, &error);
  if (value != NULL)
    {
      g_autoptr(GBytes) encoded = wamp_serializer_encode_value (serializer, value, NULL);
      g_autoptr(WampValue) back = NULL;
      gsize len;
      const guint8 *bytes;

      if (encoded == NULL)
        abort ();
      bytes = g_bytes_get_data (encoded, &len);
      back = wamp_serializer_decode_value (serializer, bytes, len, NULL);
      if (back == NULL || !identical (value, back))
        abort ();
    }
  return 0;
}
