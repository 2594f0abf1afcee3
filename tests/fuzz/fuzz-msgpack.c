/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the MessagePack serializer: any frame, any value. */

#include <stdlib.h>

#include <wamp/wamp.h>

#include "fuzz-serializer.h"
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

/* What a frame that deserialized must allow: its payload decodes (the reader
 * validated it all), it serializes, what it serializes to reads back as the
 * same message, and the writer path (decoded payload) agrees. */
static void
check_message (WampSerializer *serializer,
               WampMessage    *message)
{
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) out_again = NULL;
  g_autoptr(WampMessage) reread = fuzz_round_trip (serializer, message, &out);

  fuzz_check_same_message (serializer, message, reread, values_same);

  /* Our own output is canonical: writing it again changes nothing. */
  out_again = wamp_serializer_serialize (serializer, reread, NULL);
  if (out_again == NULL || !g_bytes_equal (out, out_again))
    abort ();

  if (wamp_message_get_payload (message) != NULL)
    {
      /* The transcoding path: decoded values through the writer. */
      g_autoptr(WampMessage) transcoded = fuzz_with_decoded_payload (message);
      g_autoptr(WampMessage) reread2 = fuzz_round_trip (serializer, transcoded, NULL);

      fuzz_check_same_message (serializer, message, reread2, values_same);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static WampSerializer *serializer;

  if (serializer == NULL)
    serializer = WAMP_SERIALIZER (wamp_msgpack_serializer_new ());
  fuzz_serializer_input (serializer, data, size, check_message, values_same);
  return 0;
}
