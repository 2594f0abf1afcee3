/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the CBOR serializer: any frame, any value. Whatever
 * the reader accepts must write, read back identical (doubles bit for bit),
 * and keep its raw payload bytes through a round trip. */

#include <stdlib.h>
#include <string.h>

#include <wamp/wamp.h>

#include "fuzz-serializer.h"
#include "serializer-test-util.h"
#include "wamp-cbor-serializer.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* wamp_value_equal() with doubles compared by their bits (NaN included). */
static gboolean
values_identical (WampSerializer *serializer,
                  WampValue      *a,
                  WampValue      *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return serializer_test_values_identical (a, b);
}

/* What a frame that deserialized must allow: it serializes, reads back
 * identical with the same raw payload bytes, and its payload decodes and
 * transcodes through the writer. */
static void
check_message (WampSerializer *serializer,
               WampMessage    *message)
{
  g_autoptr(WampMessage) reread = fuzz_round_trip (serializer, message, NULL);
  WampPayload *payload = wamp_message_get_payload (message);

  fuzz_check_same_message (serializer, message, reread, values_identical);

  if (payload != NULL)
    {
      const guint8 *a1, *k1, *a2, *k2;
      gsize a1_len, k1_len, a2_len, k2_len;
      g_autoptr(WampMessage) transcoded = NULL;
      g_autoptr(WampMessage) reread2 = NULL;

      /* Passthrough: the payload bytes went out as they came. */
      if (!wamp_payload_get_raw (payload, serializer, &a1, &a1_len, &k1, &k1_len) ||
          !wamp_payload_get_raw (wamp_message_get_payload (reread), serializer,
                                 &a2, &a2_len, &k2, &k2_len) ||
          a1_len != a2_len || k1_len != k2_len ||
          memcmp (a1, a2, a1_len) != 0 || (k1_len > 0 && memcmp (k1, k2, k1_len) != 0))
        abort ();

      transcoded = fuzz_with_decoded_payload (message);
      reread2 = fuzz_round_trip (serializer, transcoded, NULL);
      fuzz_check_same_message (serializer, message, reread2, values_identical);
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  static WampSerializer *serializer;

  if (serializer == NULL)
    serializer = WAMP_SERIALIZER (wamp_cbor_serializer_new ());
  fuzz_serializer_input (serializer, data, size, check_message, values_identical);
  return 0;
}
