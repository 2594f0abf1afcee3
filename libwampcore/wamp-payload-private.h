/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core-internal helpers of WampPayload. */
#pragma once

#include <wamp/wamp-payload.h>

G_BEGIN_DECLS

/* Here rather than in wamp-payload.c so the envelope writer and the
 * connection's send path read it inline (every message out). */
struct _WampPayload
{
  gatomicrefcount ref_count;
  gboolean decoded;           /* args/kwargs below are valid */
  gboolean has_args;
  gboolean has_kwargs;
  gboolean spare_sized;       /* a block of SPARE_BLOCK bytes: can be kept as a spare */
  WampValue *args;            /* (nullable) (owned) */
  WampValue *kwargs;          /* (nullable) (owned) */

  /* Raw form; serializer is NULL for a payload built from values. The
   * spans are in @frame, or in bytes of our own right after the struct
   * (@frame NULL) when the frame was only lent to the deserializer. */
  WampSerializer *serializer; /* (nullable) (owned) */
  GBytes *frame;              /* (nullable) (owned) */
  const guint8 *data;         /* where the span offsets count from */
  gsize args_offset;
  gsize args_len;
  gsize kwargs_offset;
  gsize kwargs_len;
};

/* wamp_payload_get_raw() without the call and checks: @payload and
 * @serializer are valid. */
static inline gboolean
wamp_payload_get_raw_inline (const WampPayload  *payload,
                             WampSerializer     *serializer,
                             const guint8      **args,
                             gsize              *args_len,
                             const guint8      **kwargs,
                             gsize              *kwargs_len)
{
  if (payload->serializer == NULL || payload->serializer != serializer)
    return FALSE;
  *args = payload->args_len > 0 ? payload->data + payload->args_offset : NULL;
  *args_len = payload->args_len;
  *kwargs = payload->kwargs_len > 0 ? payload->data + payload->kwargs_offset : NULL;
  *kwargs_len = payload->kwargs_len;
  return TRUE;
}

/* Whether @payload carries Arguments or ArgumentsKw at all. */
static inline gboolean
wamp_payload_has_any_inline (const WampPayload *payload)
{
  return payload->has_args || payload->has_kwargs;
}

/* Appends a rendering of @payload for logs: the values when they are decoded
 * already, else the serializer and span sizes (it never decodes). */
void wamp_payload_append_debug (const WampPayload *payload, GString *out);

/* wamp_payload_new_raw() without its checks, for the envelope builder whose
 * spans come from reading @frame itself (hot path: every message in). */
WampPayload *wamp_payload_new_span (WampSerializer *serializer,
                                    GBytes         *frame,
                                    gsize           args_offset,
                                    gsize           args_len,
                                    gsize           kwargs_offset,
                                    gsize           kwargs_len);

/* wamp_payload_new_span() for a frame the deserializer only borrows: the
 * spans of @data are copied into the payload's own block (one allocation). */
WampPayload *wamp_payload_new_span_copy (WampSerializer *serializer,
                                         const guint8   *data,
                                         gsize           args_offset,
                                         gsize           args_len,
                                         gsize           kwargs_offset,
                                         gsize           kwargs_len);

/* The bytes of @payload's raw spans (0 for a payload of values): what
 * re-encoding it with its own serializer copies. */
static inline gsize
wamp_payload_get_raw_size (const WampPayload *payload)
{
  return payload->serializer != NULL ? payload->args_len + payload->kwargs_len : 0;
}

G_END_DECLS
