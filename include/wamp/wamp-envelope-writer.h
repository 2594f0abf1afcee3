/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampEnvelopeWriterFuncs: the format-independent half of a serializer's
 * serialize pass. wamp_envelope_write() walks a message's fields and its
 * payload (the raw bytes when this serializer wrote them, DESIGN.md rule 1,
 * else the decoded values) and calls the format's writer for each element.
 * Since: ABI 1.1 */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-message.h>
#include <wamp/wamp-payload.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

/**
 * WampEnvelopeWriterFuncs:
 * @begin: opens the message array of @n_elements elements; @raw_len is how
 *   many raw payload bytes will be copied in (a capacity hint).
 * @write_value: encodes element @index.
 * @write_raw: copies element @index, already encoded in this format.
 * @end: (nullable): closes the message array.
 * @empty_list: the format's empty list, written as Arguments when only
 *   ArgumentsKw is present.
 * @empty_list_len: its length.
 *
 * Every callback gets the serializer's writer as @writer. Since: ABI 1.1
 */
typedef struct {
  void     (*begin)       (gpointer      writer,
                           gsize         n_elements,
                           gsize         raw_len);
  gboolean (*write_value) (gpointer      writer,
                           gsize         index,
                           WampValue    *value,
                           GError      **error);
  void     (*write_raw)   (gpointer      writer,
                           gsize         index,
                           const guint8 *data,
                           gsize         len);
  void     (*end)         (gpointer      writer);
  const guint8 *empty_list;
  gsize empty_list_len;
} WampEnvelopeWriterFuncs;

/* Writes @message as @serializer through @funcs into @writer. FALSE with
 * @error when a value cannot be written in the format or a foreign payload
 * does not decode; @writer then holds a partial message.
 * @serializer, @message: (transfer none). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_envelope_write (WampMessage                   *message,
                              WampSerializer                *serializer,
                              const WampEnvelopeWriterFuncs *funcs,
                              gpointer                       writer,
                              GError                       **error);

/**
 * WampEnvelopeFieldFuncs:
 * @write_int: encodes element @index, an integer (an ID or a type code:
 *   most of a message's fields).
 * @empty_dict: the format's empty dict (most Options and Details), written
 *   through the #WampEnvelopeWriterFuncs' @write_raw.
 * @empty_dict_len: its length.
 *
 * The common field kinds written without a per-field value inspection.
 * Since: ABI 1.3
 */
typedef struct {
  void (*write_int) (gpointer writer,
                     gsize    index,
                     gint64   value);
  const guint8 *empty_dict;
  gsize empty_dict_len;
} WampEnvelopeFieldFuncs;

/* wamp_envelope_write() with integer and empty-dict fields written through
 * @field_funcs; the same bytes, fewer calls per field.
 * @serializer, @message: (transfer none). Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_envelope_write_fields (WampMessage                   *message,
                                     WampSerializer                *serializer,
                                     const WampEnvelopeWriterFuncs *funcs,
                                     const WampEnvelopeFieldFuncs  *field_funcs,
                                     gpointer                       writer,
                                     GError                       **error);

G_END_DECLS
