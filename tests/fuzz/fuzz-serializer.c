/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fuzz targets' shared input driver and round-trip checks. */

#include "fuzz-serializer.h"

#include <stdlib.h>
#include <string.h>

void
fuzz_check_same_message (WampSerializer *serializer,
                         WampMessage    *a,
                         WampMessage    *b,
                         FuzzValuesSame  same)
{
  gsize n = wamp_message_get_n_fields (a);
  WampPayload *pa = wamp_message_get_payload (a);
  WampPayload *pb = wamp_message_get_payload (b);

  if (wamp_message_get_message_type (a) != wamp_message_get_message_type (b) ||
      n != wamp_message_get_n_fields (b) || (pa == NULL) != (pb == NULL))
    abort ();
  for (gsize i = 0; i < n; i++)
    if (!same (serializer, wamp_message_get_field (a, i), wamp_message_get_field (b, i)))
      abort ();
  if (pa != NULL)
    {
      WampValue *aa = NULL, *ak = NULL, *ba = NULL, *bk = NULL;

      if (!wamp_payload_get_values (pa, &aa, &ak, NULL) ||
          !wamp_payload_get_values (pb, &ba, &bk, NULL) ||
          !same (serializer, aa, ba) || !same (serializer, ak, bk))
        abort ();
    }
}

WampMessage *
fuzz_round_trip (WampSerializer  *serializer,
                 WampMessage     *message,
                 GBytes         **out)
{
  g_autoptr(GBytes) frame = wamp_serializer_serialize (serializer, message, NULL);
  WampMessage *reread;

  if (frame == NULL)
    abort ();
  reread = wamp_serializer_deserialize (serializer, frame, NULL);
  if (reread == NULL)
    abort ();
  if (out != NULL)
    *out = g_steal_pointer (&frame);
  return reread;
}

WampMessage *
fuzz_with_decoded_payload (WampMessage *message)
{
  WampValue *args = NULL, *kwargs = NULL;
  g_autoptr(WampPayload) decoded = NULL;
  WampValue *fields[8];
  gsize n = wamp_message_get_n_fields (message);
  WampMessage *transcoded;

  if (!wamp_payload_get_values (wamp_message_get_payload (message), &args, &kwargs, NULL))
    abort ();
  if (n > G_N_ELEMENTS (fields))
    abort ();
  for (gsize i = 0; i < n; i++)
    fields[i] = wamp_message_get_field (message, i);
  decoded = wamp_payload_new (args, kwargs);
  transcoded = wamp_message_new_from_fields (fields, n, decoded, NULL);
  if (transcoded == NULL)
    abort ();
  return transcoded;
}

void
fuzz_serializer_input (WampSerializer   *serializer,
                       const guint8     *data,
                       size_t            size,
                       FuzzCheckMessage  check,
                       FuzzValuesSame    same)
{
  g_autoptr(GBytes) frame = NULL;
  g_autoptr(WampMessage) message = NULL;
  g_autoptr(WampValue) value = NULL;
  g_autoptr(GError) error = NULL;

  frame = g_bytes_new (data, size);
  message = wamp_serializer_deserialize (serializer, frame, &error);
  if (message != NULL)
    check (serializer, message);
  else if (error == NULL || !g_error_matches (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION))
    abort ();

  /* The same bytes lent (a transport's read buffer): the same verdict. */
  {
    g_autoptr(GError) lent_error = NULL;
    g_autoptr(WampMessage) lent = wamp_serializer_deserialize_data (serializer, data, size,
                                                                    &lent_error);

    if ((lent == NULL) != (message == NULL))
      abort ();
    if (lent != NULL)
      check (serializer, lent);
    else if (lent_error == NULL || strcmp (lent_error->message, error->message) != 0)
      abort ();
  }
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
      if (back == NULL || !same (serializer, value, back))
        abort ();
    }
}
