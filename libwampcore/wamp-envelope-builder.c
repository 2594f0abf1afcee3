/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampEnvelopeBuilder: what every deserializer does around its format's
 * reader — which element is which, the type code check, the payload spans
 * and building the message. */

#include "config.h"

#include <wamp/wamp-envelope-builder.h>
#include <wamp/wamp-error.h>

#include <string.h>

#include "wamp-message-private.h"
#include "wamp-payload-private.h"
#include "wamp-value-private.h"

enum {
  SPAN_ARGUMENTS,
  SPAN_ARGUMENTS_KW,
};

void
wamp_envelope_builder_init (WampEnvelopeBuilder *builder)
{
  g_return_if_fail (builder != NULL);

  /* Not a memset of the whole struct (every message in): fields[] are read
   * only below n_fields. */
  builder->n_fields = 0;
  builder->n_elements = 0;
  builder->payload_index = -1;
  for (guint i = SPAN_ARGUMENTS; i <= SPAN_ARGUMENTS_KW; i++)
    {
      builder->span_offsets[i] = 0;
      builder->span_lens[i] = 0;
    }
}

void
wamp_envelope_builder_clear (WampEnvelopeBuilder *builder)
{
  g_return_if_fail (builder != NULL);

  for (gsize i = 0; i < builder->n_fields; i++)
    g_clear_pointer (&builder->fields[i], wamp_value_unref);
  builder->n_fields = 0;
}

gboolean
wamp_envelope_builder_next (WampEnvelopeBuilder  *builder,
                            WampEnvelopeElement  *element,
                            GError              **error)
{
  gsize index;

  g_return_val_if_fail (builder != NULL && element != NULL, FALSE);

  index = builder->n_elements;
  /* Every element of every message in: the common case first. Until the
   * type code is known payload_index is -1, which as a gsize is above any
   * index: a field. */
  if (G_LIKELY (index < (gsize) (gssize) builder->payload_index || index == 0))
    {
      /* The type code (index 0) always has room. */
      if (builder->n_fields == WAMP_ENVELOPE_MAX_FIELDS)
        goto too_many;
      *element = WAMP_ENVELOPE_ELEMENT_FIELD;
    }
  else if (index == (gsize) builder->payload_index)
    {
      *element = WAMP_ENVELOPE_ELEMENT_ARGUMENTS;
    }
  else if (index == (gsize) builder->payload_index + 1)
    {
      *element = WAMP_ENVELOPE_ELEMENT_ARGUMENTS_KW;
    }
  else
    {
      goto too_many;
    }
  builder->n_elements++;
  return TRUE;

too_many:
  g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                       "too many message elements");
  return FALSE;
}

gboolean
wamp_envelope_builder_add_field (WampEnvelopeBuilder  *builder,
                                 WampValue            *value,
                                 GError              **error)
{
  gint64 code;

  g_return_val_if_fail (builder != NULL && value != NULL, FALSE);
  g_return_val_if_fail (builder->n_fields < WAMP_ENVELOPE_MAX_FIELDS, FALSE);

  /* Owned from here on, whatever the outcome. */
  builder->fields[builder->n_fields++] = value;
  if (G_LIKELY (builder->n_fields > 1))
    return TRUE;

  if (wamp_value_type_inline (value) != WAMP_VALUE_INT)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                           "message type must be an integer");
      return FALSE;
    }
  code = wamp_value_get_int_inline (value);
  if (!wamp_message_type_lookup (code, &builder->payload_index))
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_PROTOCOL_VIOLATION,
                   "unknown message type %" G_GINT64_FORMAT, code);
      return FALSE;
    }
  return TRUE;
}

void
wamp_envelope_builder_set_span (WampEnvelopeBuilder *builder,
                                gsize                offset,
                                gsize                len)
{
  gsize index;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (builder->payload_index >= 0 && builder->n_elements > 0);

  index = builder->n_elements - 1;
  g_return_if_fail (index == (gsize) builder->payload_index ||
                    index == (gsize) builder->payload_index + 1);

  if (index == (gsize) builder->payload_index)
    {
      builder->span_offsets[SPAN_ARGUMENTS] = offset;
      builder->span_lens[SPAN_ARGUMENTS] = len;
    }
  else
    {
      builder->span_offsets[SPAN_ARGUMENTS_KW] = offset;
      builder->span_lens[SPAN_ARGUMENTS_KW] = len;
    }
}

/* The message, with a payload over @frame when there is one, else over a
 * copy of its spans of @data (the frame lent to the deserializer). */
static WampMessage *
finish (WampEnvelopeBuilder  *builder,
        WampSerializer       *serializer,
        GBytes               *frame,
        const guint8         *data,
        gsize                 frame_len,
        GError              **error)
{
  g_autoptr(WampPayload) payload = NULL;
  WampMessage *message;

  /* The checks of wamp_payload_new_raw() but its GType check of
   * @serializer, which the core's wrapper made (hot path). */
  for (guint i = SPAN_ARGUMENTS; i <= SPAN_ARGUMENTS_KW; i++)
    g_return_val_if_fail (builder->span_offsets[i] <= frame_len &&
                          builder->span_lens[i] <= frame_len - builder->span_offsets[i], NULL);

  /* ArgumentsKw never comes without Arguments, so the args span decides. */
  if (builder->span_lens[SPAN_ARGUMENTS] > 0 && frame != NULL)
    payload = wamp_payload_new_span (serializer, frame,
                                     builder->span_offsets[SPAN_ARGUMENTS],
                                     builder->span_lens[SPAN_ARGUMENTS],
                                     builder->span_offsets[SPAN_ARGUMENTS_KW],
                                     builder->span_lens[SPAN_ARGUMENTS_KW]);
  else if (builder->span_lens[SPAN_ARGUMENTS] > 0)
    payload = wamp_payload_new_span_copy (serializer, data,
                                          builder->span_offsets[SPAN_ARGUMENTS],
                                          builder->span_lens[SPAN_ARGUMENTS],
                                          builder->span_offsets[SPAN_ARGUMENTS_KW],
                                          builder->span_lens[SPAN_ARGUMENTS_KW]);
  /* The fields and payload pass to the message rather than being
   * referenced by it and released here. */
  message = wamp_message_new_take_fields (builder->fields, builder->n_fields, payload, error);
  if (message != NULL)
    {
      builder->n_fields = 0;
      payload = NULL;
    }
  return message;
}

WampMessage *
wamp_envelope_builder_finish (WampEnvelopeBuilder  *builder,
                              WampSerializer       *serializer,
                              GBytes               *frame,
                              GError              **error)
{
  g_return_val_if_fail (builder != NULL, NULL);
  g_return_val_if_fail (serializer != NULL, NULL);
  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return finish (builder, serializer, frame, NULL, g_bytes_get_size (frame), error);
}

WampMessage *
wamp_envelope_builder_finish_data (WampEnvelopeBuilder  *builder,
                                   WampSerializer       *serializer,
                                   GBytes               *frame,
                                   const guint8         *data,
                                   gsize                 len,
                                   GError              **error)
{
  g_return_val_if_fail (builder != NULL, NULL);
  g_return_val_if_fail (serializer != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return finish (builder, serializer, frame, data, len, error);
}
