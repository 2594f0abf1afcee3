/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the JSON serializer: any frame, any value. */

#include <stdlib.h>

#include <wamp/wamp.h>

#include "fuzz-serializer.h"
#include "wamp-json-serializer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static gboolean
values_equal (WampSerializer *serializer,
              WampValue      *a,
              WampValue      *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return wamp_value_equal (a, b);
}

/* What a frame that deserialized must allow: its payload decodes (the reader
 * validated it all), it serializes, and what it serializes to reads back. */
static void
check_message (WampSerializer *serializer,
               WampMessage    *message)
{
  wamp_message_unref (fuzz_round_trip (serializer, message, NULL));

  if (wamp_message_get_payload (message) != NULL)
    {
      /* The transcoding path: decoded values through the writer. */
      g_autoptr(WampMessage) transcoded = fuzz_with_decoded_payload (message);
      g_autoptr(GBytes) written = wamp_serializer_serialize (serializer, transcoded, NULL);

      if (written == NULL)
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static WampSerializer *serializer;

  if (serializer == NULL)
    serializer = WAMP_SERIALIZER (wamp_json_serializer_new ());
  fuzz_serializer_input (serializer, data, size, check_message, values_equal);
  return 0;
}
