/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPayload: Arguments/ArgumentsKw either as values or as the sender's
 * encoded bytes, decoded lazily (DESIGN.md, rule 1: payload passthrough). */

#include "config.h"

#include <string.h>

#include <wamp/wamp-error.h>
#include <wamp/wamp-serializer.h>

#include "wamp-counters-private.h"
#include "wamp-payload-private.h"
#include "wamp-serializer-private.h"
#include "wamp-spare-list.h"
#include "wamp-value-private.h"

G_DEFINE_BOXED_TYPE (WampPayload, wamp_payload, wamp_payload_ref, wamp_payload_unref)

/* A payload copied from a lent frame (every CALL and YIELD over RawSocket)
 * whose spans fit SPARE_DATA bytes gets a block of SPARE_BLOCK bytes, kept
 * on release for the thread's next one (WampSpareList), and so does one over
 * a frame of its own (WebSocket): one malloc and free fewer per message. */
#define SPARE_DATA 192
#define SPARE_BLOCK (sizeof (WampPayload) + SPARE_DATA)
#define SPARE_PAYLOADS 32

static __thread WampSpareList spares __attribute__ ((tls_model ("initial-exec")));
static GPrivate spares_key = G_PRIVATE_INIT (wamp_spare_list_clear);

static gpointer
spare_block_take (void)
{
  return wamp_spare_list_take (&spares, SPARE_BLOCK);
}

static void
spare_block_give (gpointer block)
{
  wamp_spare_list_give (&spares, &spares_key, block, SPARE_BLOCK, SPARE_PAYLOADS);
}

/* Returns: (transfer full). */
WampPayload *
wamp_payload_new (WampValue *args,
                  WampValue *kwargs)
{
  WampPayload *self;

  g_return_val_if_fail (args == NULL || wamp_value_get_value_type (args) == WAMP_VALUE_LIST, NULL);
  g_return_val_if_fail (kwargs == NULL || wamp_value_get_value_type (kwargs) == WAMP_VALUE_DICT, NULL);

  self = g_new0 (WampPayload, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->decoded = TRUE;
  self->has_args = args != NULL;
  self->has_kwargs = kwargs != NULL;
  self->args = args != NULL ? wamp_value_ref (args) : NULL;
  self->kwargs = kwargs != NULL ? wamp_value_ref (kwargs) : NULL;
  return self;
}

/* @serializer: (transfer none). @frame: (transfer none). Returns: (transfer full). */
WampPayload *
wamp_payload_new_raw (WampSerializer *serializer,
                      GBytes         *frame,
                      gsize           args_offset,
                      gsize           args_len,
                      gsize           kwargs_offset,
                      gsize           kwargs_len)
{
  gsize frame_len;

  g_return_val_if_fail (G_IS_OBJECT (serializer), NULL);
  g_return_val_if_fail (frame != NULL, NULL);

  frame_len = g_bytes_get_size (frame);
  g_return_val_if_fail (args_offset <= frame_len && args_len <= frame_len - args_offset, NULL);
  g_return_val_if_fail (kwargs_offset <= frame_len && kwargs_len <= frame_len - kwargs_offset, NULL);

  return wamp_payload_new_span (serializer, frame, args_offset, args_len,
                                kwargs_offset, kwargs_len);
}

/* @serializer: (transfer none). @frame: (transfer none). Returns: (transfer full). */
WampPayload *
wamp_payload_new_span (WampSerializer *serializer,
                       GBytes         *frame,
                       gsize           args_offset,
                       gsize           args_len,
                       gsize           kwargs_offset,
                       gsize           kwargs_len)
{
  /* A spare block too: the struct fits (every message in over WebSocket). */
  WampPayload *self = spare_block_take ();

  *self = (WampPayload) { 0 };
  self->ref_count = 1; /* g_atomic_ref_count_init() without the call */
  self->spare_sized = TRUE;
  self->serializer = wamp_serializer_hold (serializer);
  self->frame = g_bytes_ref (frame);
  self->data = g_bytes_get_data (frame, NULL);
  self->args_offset = args_offset;
  self->args_len = args_len;
  self->kwargs_offset = kwargs_offset;
  self->kwargs_len = kwargs_len;
  self->has_args = args_len > 0;
  self->has_kwargs = kwargs_len > 0;
  return self;
}

/* @serializer: (transfer none). @data: (transfer none): only read here.
 * Returns: (transfer full). */
WampPayload *
wamp_payload_new_span_copy (WampSerializer *serializer,
                            const guint8   *data,
                            gsize           args_offset,
                            gsize           args_len,
                            gsize           kwargs_offset,
                            gsize           kwargs_len)
{
  /* One block: the struct, then Arguments, then ArgumentsKw. */
  gboolean spare_sized = args_len + kwargs_len <= SPARE_DATA;
  WampPayload *self = spare_sized ? spare_block_take ()
                                  : g_malloc (sizeof (WampPayload) + args_len + kwargs_len);
  guint8 *bytes = (guint8 *) (self + 1);

  *self = (WampPayload) { 0 };
  self->ref_count = 1; /* g_atomic_ref_count_init() without the call */
  self->spare_sized = spare_sized;
  self->serializer = wamp_serializer_hold (serializer);
  if (args_len > 0)
    memcpy (bytes, data + args_offset, args_len);
  if (kwargs_len > 0)
    memcpy (bytes + args_len, data + kwargs_offset, kwargs_len);
  self->data = bytes;
  self->args_len = args_len;
  self->kwargs_offset = args_len;
  self->kwargs_len = kwargs_len;
  self->has_args = args_len > 0;
  self->has_kwargs = kwargs_len > 0;
  return self;
}

/* Returns: (transfer full). */
WampPayload *
wamp_payload_ref (WampPayload *payload)
{
  g_return_val_if_fail (payload != NULL, NULL);

  g_atomic_int_inc (&payload->ref_count); /* g_atomic_ref_count_inc() without the call */
  return payload;
}

void
wamp_payload_unref (WampPayload *payload)
{
  g_return_if_fail (payload != NULL);

  /* The sole owner (count 1) needs no atomic operation: no other thread
   * holds a reference to change it meanwhile. */
  if (g_atomic_int_get (&payload->ref_count) != 1 &&
      !g_atomic_ref_count_dec (&payload->ref_count))
    return;
  g_clear_pointer (&payload->args, wamp_value_unref);
  g_clear_pointer (&payload->kwargs, wamp_value_unref);
  wamp_serializer_release (g_steal_pointer (&payload->serializer));
  g_clear_pointer (&payload->frame, g_bytes_unref);
  if (payload->spare_sized)
    spare_block_give (payload);
  else
    g_free (payload);
}

gboolean
wamp_payload_has_args (const WampPayload *payload)
{
  g_return_val_if_fail (payload != NULL, FALSE);

  return payload->has_args;
}

gboolean
wamp_payload_has_kwargs (const WampPayload *payload)
{
  g_return_val_if_fail (payload != NULL, FALSE);

  return payload->has_kwargs;
}

/* Returns: (transfer none) (nullable). */
WampSerializer *
wamp_payload_get_serializer (const WampPayload *payload)
{
  g_return_val_if_fail (payload != NULL, NULL);

  return payload->serializer;
}

gboolean
wamp_payload_get_raw (const WampPayload *payload,
                      WampSerializer    *serializer,
                      const guint8     **args,
                      gsize             *args_len,
                      const guint8     **kwargs,
                      gsize             *kwargs_len)
{
  const guint8 *a, *k;
  gsize a_len, k_len;

  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (serializer != NULL, FALSE);

  if (!wamp_payload_get_raw_inline (payload, serializer, &a, &a_len, &k, &k_len))
    return FALSE;
  if (args != NULL)
    *args = a;
  if (args_len != NULL)
    *args_len = a_len;
  if (kwargs != NULL)
    *kwargs = k;
  if (kwargs_len != NULL)
    *kwargs_len = k_len;
  return TRUE;
}

/* Returns: (transfer full) (nullable): the decoded span, NULL with @error
 * when it does not decode to a value of @expected. */
static WampValue *
decode_span (WampPayload   *payload,
             gsize          offset,
             gsize          len,
             WampValueType  expected,
             const char    *what,
             GError       **error)
{
  const guint8 *data = payload->data;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(WampValue) value = NULL;

  value = wamp_serializer_decode_value (payload->serializer, data + offset, len, &local_error);
  if (value == NULL)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                   "%s do not decode: %s", what,
                   local_error != NULL ? local_error->message : "unknown error");
      return NULL;
    }
  if (wamp_value_get_value_type (value) != expected)
    {
      g_set_error (error, WAMP_ERROR, WAMP_ERROR_INVALID_ARGUMENT,
                   "%s must be a %s, not a %s", what,
                   wamp_value_type_to_string (expected),
                   wamp_value_type_to_string (wamp_value_get_value_type (value)));
      return NULL;
    }
  return g_steal_pointer (&value);
}

/* @args, @kwargs: (out) (optional) (transfer none) (nullable). */
gboolean
wamp_payload_get_values (WampPayload  *payload,
                         WampValue   **args,
                         WampValue   **kwargs,
                         GError      **error)
{
  g_return_val_if_fail (payload != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!payload->decoded)
    {
      g_autoptr(WampValue) decoded_args = NULL;
      g_autoptr(WampValue) decoded_kwargs = NULL;

      wamp_counters_count_payload_decode ();
      if (payload->args_len > 0)
        {
          decoded_args = decode_span (payload, payload->args_offset, payload->args_len,
                                      WAMP_VALUE_LIST, "Arguments", error);
          if (decoded_args == NULL)
            return FALSE;
        }
      if (payload->kwargs_len > 0)
        {
          decoded_kwargs = decode_span (payload, payload->kwargs_offset, payload->kwargs_len,
                                        WAMP_VALUE_DICT, "ArgumentsKw", error);
          if (decoded_kwargs == NULL)
            return FALSE;
        }
      payload->args = g_steal_pointer (&decoded_args);
      payload->kwargs = g_steal_pointer (&decoded_kwargs);
      payload->decoded = TRUE;
    }

  if (args != NULL)
    *args = payload->args;
  if (kwargs != NULL)
    *kwargs = payload->kwargs;
  return TRUE;
}

void
wamp_payload_append_debug (const WampPayload *payload,
                           GString           *out)
{
  g_return_if_fail (payload != NULL);
  g_return_if_fail (out != NULL);

  if (payload->decoded)
    {
      g_autofree char *args = NULL;
      g_autofree char *kwargs = NULL;

      if (payload->args != NULL)
        args = wamp_value_to_debug_string (payload->args);
      else if (payload->kwargs != NULL)
        args = g_strdup ("[]");
      if (payload->kwargs != NULL)
        kwargs = wamp_value_to_debug_string (payload->kwargs);
      if (args != NULL)
        g_string_append (out, args);
      if (kwargs != NULL)
        g_string_append_printf (out, ", %s", kwargs);
      return;
    }

  g_string_append_printf (out, "<raw %s payload:", G_OBJECT_TYPE_NAME (payload->serializer));
  if (payload->args_len > 0)
    g_string_append_printf (out, " args %" G_GSIZE_FORMAT " B", payload->args_len);
  if (payload->kwargs_len > 0)
    g_string_append_printf (out, " kwargs %" G_GSIZE_FORMAT " B", payload->kwargs_len);
  g_string_append_c (out, '>');
}
