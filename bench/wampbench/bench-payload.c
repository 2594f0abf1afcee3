/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scenarios' payloads: built and encoded once per size, checked by the
 * length of the raw Arguments span on receipt (the callee returns the bytes
 * unchanged, so an intact round trip has exactly the length sent). */
#include "bench-payload.h"

#include <string.h>

char *
bench_payload_filler (gsize size)
{
  char *filler = g_malloc (size + 1);

  for (gsize i = 0; i < size; i++)
    filler[i] = 'a' + (char) (i % 26);
  filler[size] = '\0';
  return filler;
}

WampPayload *
bench_payload_new_call_args (WampSerializer *serializer, gsize size)
{
  g_autofree char *filler = bench_payload_filler (size);
  g_autoptr(WampValue) args = wamp_value_new_list (1);
  g_autoptr(GBytes) encoded = NULL;
  g_autoptr(GError) error = NULL;

  wamp_value_list_append (args, wamp_value_new_string_len (filler, size));
  encoded = wamp_serializer_encode_value (serializer, args, &error);
  if (encoded == NULL)
    {
      /* Cannot happen for an ASCII string; fall back to a decoded payload. */
      g_warning ("encoding a %" G_GSIZE_FORMAT "-byte payload: %s", size, error->message);
      return wamp_payload_new (args, NULL);
    }
  return wamp_payload_new_raw (serializer, encoded, 0, g_bytes_get_size (encoded), 0, 0);
}

/* Arguments and ArgumentsKw as values; the slow path for a payload that is
 * not raw in @serializer. */
static gboolean
values_equal (WampPayload *payload, WampPayload *sent)
{
  WampValue *args = NULL, *kwargs = NULL;
  WampValue *sent_args = NULL, *sent_kwargs = NULL;

  if (!wamp_payload_get_values (payload, &args, &kwargs, NULL) ||
      !wamp_payload_get_values (sent, &sent_args, &sent_kwargs, NULL))
    return FALSE;
  return kwargs == NULL && args != NULL && sent_args != NULL && wamp_value_equal (args, sent_args);
}

gboolean
bench_payload_check_call_args (WampPayload *payload, WampSerializer *serializer, WampPayload *sent)
{
  const guint8 *args, *kwargs, *sent_args, *sent_kwargs;
  gsize args_len, kwargs_len, sent_args_len, sent_kwargs_len;

  if (payload == NULL)
    return FALSE;
  if (wamp_payload_get_raw (payload, serializer, &args, &args_len, &kwargs, &kwargs_len) &&
      wamp_payload_get_raw (sent, serializer, &sent_args, &sent_args_len, &sent_kwargs, &sent_kwargs_len))
    return kwargs_len == 0 && args_len == sent_args_len;
  return values_equal (payload, sent);
}
