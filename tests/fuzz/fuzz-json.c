/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the JSON serializer: any frame, any value. */

#include <stdlib.h>

#include <wamp/wamp.h>

#include "wamp-json-serializer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* What a frame that deserialized must allow: its payload decodes (the reader
 * validated it all), it serializes, and what it serializes to reads back. */
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

  if (payload != NULL)
    {
      WampValue *args = NULL, *kwargs = NULL;
      g_autoptr(WampPayload) decoded = NULL;
      g_autoptr(WampMessage) transcoded = NULL;
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
    serializer = WAMP_SERIALIZER (wamp_json_serializer_new ());

  frame = g_bytes_new (data, size);
  message = wamp_serializer_deserialize (serializer, frame, &error);
  if (message != NULL)
    check_message (serializer, message);
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
      if (back == NULL || !wamp_value_equal (value, back))
        abort ();
    }
  return 0;
}
