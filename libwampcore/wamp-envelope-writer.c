/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wamp_envelope_write(): what every serializer does around its format's
 * writer — the fields, then the payload copied as it came (rule 1) or, from
 * another serializer, decoded and encoded again. */

#include "config.h"

#include <wamp/wamp-envelope-writer.h>

#include "wamp-message-private.h"
#include "wamp-payload-private.h"
#include "wamp-value-private.h"

/* Field @index, @value, through @field_funcs when it is of a common kind:
 * the type read inline, no getter or vtable call to find it out. */
static inline gboolean
write_field (const WampEnvelopeWriterFuncs *funcs,
             const WampEnvelopeFieldFuncs  *field_funcs,
             gpointer                       writer,
             gsize                          index,
             WampValue                     *value,
             GError                       **error)
{
  if (field_funcs != NULL)
    {
      if (wamp_value_is_tagged (value))
        {
          field_funcs->write_int (writer, index, wamp_value_get_int_inline (value));
          return TRUE;
        }
      if (value->type == WAMP_VALUE_DICT &&
          (value->ref_count == WAMP_VALUE_IMMORTAL_REFS || wamp_value_dict_size (value) == 0))
        {
          funcs->write_raw (writer, index, field_funcs->empty_dict, field_funcs->empty_dict_len);
          return TRUE;
        }
    }
  return funcs->write_value (writer, index, value, error);
}

static gboolean
envelope_write (WampMessage                   *message,
                WampSerializer                *serializer,
                const WampEnvelopeWriterFuncs *funcs,
                const WampEnvelopeFieldFuncs  *field_funcs,
                gpointer                       writer,
                GError                       **error)
{
  WampPayload *payload;
  gsize n_fields;
  const guint8 *args = NULL, *kwargs = NULL;
  gsize args_len = 0, kwargs_len = 0;
  WampValue *args_value = NULL, *kwargs_value = NULL;
  gboolean raw = FALSE;
  gboolean has_args = FALSE, has_kwargs = FALSE;
  gsize index;

  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (funcs != NULL, FALSE);
  g_return_val_if_fail (funcs->begin != NULL && funcs->write_value != NULL &&
                        funcs->write_raw != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Read inline (every message out): the message is valid. */
  payload = wamp_message_payload_inline (message);
  n_fields = wamp_message_n_fields_inline (message);
  if (payload != NULL)
    {
      raw = serializer != NULL &&
            wamp_payload_get_raw_inline (payload, serializer, &args, &args_len, &kwargs, &kwargs_len);
      if (raw)
        {
          has_args = args != NULL;
          has_kwargs = kwargs != NULL;
        }
      else if (wamp_payload_has_any_inline (payload))
        {
          /* Another serializer's payload (or decoded values): transcode. */
          if (!wamp_payload_get_values (payload, &args_value, &kwargs_value, error))
            return FALSE;
          has_args = args_value != NULL;
          has_kwargs = kwargs_value != NULL;
        }
    }

  /* Some formats state the array's length first: settle it up front. */
  funcs->begin (writer, n_fields + (has_args || has_kwargs ? 1 : 0) + (has_kwargs ? 1 : 0),
                args_len + kwargs_len);
  for (index = 0; index < n_fields; index++)
    if (!write_field (funcs, field_funcs, writer, index, wamp_message_field_inline (message, index),
                      error))
      return FALSE;

  if (has_args)
    {
      if (raw)
        funcs->write_raw (writer, index, args, args_len);
      else if (!funcs->write_value (writer, index, args_value, error))
        return FALSE;
      index++;
    }
  else if (has_kwargs)
    {
      /* ArgumentsKw needs Arguments before it: an empty list. */
      funcs->write_raw (writer, index, funcs->empty_list, funcs->empty_list_len);
      index++;
    }
  if (has_kwargs)
    {
      if (raw)
        funcs->write_raw (writer, index, kwargs, kwargs_len);
      else if (!funcs->write_value (writer, index, kwargs_value, error))
        return FALSE;
    }

  if (funcs->end != NULL)
    funcs->end (writer);
  return TRUE;
}

gboolean
wamp_envelope_write (WampMessage                   *message,
                     WampSerializer                *serializer,
                     const WampEnvelopeWriterFuncs *funcs,
                     gpointer                       writer,
                     GError                       **error)
{
  return envelope_write (message, serializer, funcs, NULL, writer, error);
}

gboolean
wamp_envelope_write_fields (WampMessage                   *message,
                            WampSerializer                *serializer,
                            const WampEnvelopeWriterFuncs *funcs,
                            const WampEnvelopeFieldFuncs  *field_funcs,
                            gpointer                       writer,
                            GError                       **error)
{
  g_return_val_if_fail (field_funcs != NULL && field_funcs->write_int != NULL &&
                        field_funcs->empty_dict != NULL, FALSE);

  return envelope_write (message, serializer, funcs, field_funcs, writer, error);
}
