/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the MessagePack serializer: any frame, any value. */

#include <stdlib.h>

#include <wamp/wamp.h>

#include "wamp-msgpack-serializer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Equal, or (NaN never equals itself) encoded to the same bytes. */
static gboolean
values_same (WampSerializer *serializer,
             WampValue      *a,
             WampValue      *b)
{
  g_autoptr(GBytes) ea = NULL;
  g_autoptr(GBytes) eb = NULL;

  if (a == NULL || b == NULL)
    return a == b;
  if (wamp_value_equal (a, b))
    return TRUE;
  ea = wamp_serializer_encode_value (serializer, a, NULL);
  eb = wamp_serializer_encode_value (serializer, b, NULL);
  return ea != NULL && eb != NULL && g_bytes_equal (ea, eb);
}

static void
check_same_message (WampSerializer *serializer,
                    WampMessage    *a,
                    WampMessage    *b)
{
  WampPayload *pa = wamp_message_get_payload (a);
  WampPayload *pb = wamp_message_get_payload (b);
  gsize n = wamp_message_get_n_fields (a);

  if (wamp_message_get_message_type (a) != wamp_message_get_message_type (b) ||
      n != wamp_message_get_n_fields (b))
    abort ();
  for (gsize i = 0; i < n; i++)
    if (!values_same (serializer, wamp_message_get_field (a, i), wamp_message_get_field (b, i)))
      abort ();
  if ((pa == NULL) != (pb == NULL))
    abort ();
  if (pa != NULL)
    {
      WampValue *aa = NULL, *ak = NULL, *ba = NULL, *bk = NULL;

      if (!wamp_payload_get_values (pa, &aa, &ak, NULL) ||
          !wamp_payload_get_values (pb, &ba, &bk, NULL))
        abort ();
      if (!values_same (serializer, aa, ba) || !values_same (serializer, ak, bk))
        abort ();
    }
}

/* What a frame that deserialized must allow: its payload decodes (the reader
 * validated it all), it serializes, what it serializes to reads back as the
 * same message, and the writer path (decoded payload) agrees. */
static void
check_message (WampSerializer *serializer,
               WampMessage    *message)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) out_again = NULL;
  g_autoptr(WampMessage) reread = NULL;
  WampPayload *payload = wamp_message_get_payload (message);

  out = wamp_serializer_serialize (serializer, message, NULL);
  if (out == NULL)
    abort ();
  reread = wamp_serializer_deserialize (serializer, out, NULL);
  if (reread == NULL)
    abort ();
  check_same_message (serializer, message, reread);

  /* Our own output is canonical: writing it again changes nothing. */
  out_again = wamp_serializer_serialize (serializer, reread, NULL);
  if (out_again == NULL || !g_bytes_equal (out, out_again))
    abort ();

  if (payload != NULL)
    {
      WampValue *args = NULL, *kwargs = NULL;
      g_autoptr(WampPayload) decoded = NULL;
      g_autoptr(WampMessage) transcoded = NULL;
      g_autoptr(WampMessage) reread2 = NULL;
      g_autoptr(GBytes) written = NULL;
      WampValue *fields[8];
      gsize n = wamp_message_get_n_fields (message);

      if (!wamp_payload_get_values (payload, &args, &kwargs, NULL))
        abort ();
      if (n > G_N_ELEMENTS (fields))
        abort ();
      for (gsize i = 0; i < n; i++)
        fields[i] = wamp_message_get_field (message, i);

      /* The transcoding path: decoded values through the writer. */
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
      check_same_message (serializer, message, reread2);
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
    serializer = WAMP_SERIALIZER (wamp_msgpack_serializer_new ());

  frame = g_bytes_new (data, size);
  message = wamp_serializer_deserialize (serializer, frame, &error);
  if (message != NULL)
    check_message (serializer, message);
  else if (error == NULL || !g_error_matches (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION))
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
      if (back == NULL || !values_same (serializer, value, back))
        abort ();
    }
  return 0;
}
