/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampEnvelopeBuilder: the format-independent half of a serializer's
 * deserialize pass. The serializer reads the frame's elements in its own
 * format; the builder says what each element is, keeps the decoded fields,
 * checks the type code and records Arguments/ArgumentsKw as raw spans of the
 * frame (DESIGN.md, rule 1). Since: ABI 1.1 */
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

/* More non-payload elements than any WAMP message has (ERROR has 5). */
#define WAMP_ENVELOPE_MAX_FIELDS 8

/**
 * WampEnvelopeElement:
 * @WAMP_ENVELOPE_ELEMENT_FIELD: decode it into a WampValue and hand it to
 *   wamp_envelope_builder_add_field().
 * @WAMP_ENVELOPE_ELEMENT_ARGUMENTS: validate it as one complete list without
 *   decoding it and hand its span to wamp_envelope_builder_set_span().
 * @WAMP_ENVELOPE_ELEMENT_ARGUMENTS_KW: likewise, one complete dict.
 *
 * What the next element of a frame is. Since: ABI 1.1
 */
typedef enum {
  WAMP_ENVELOPE_ELEMENT_FIELD,
  WAMP_ENVELOPE_ELEMENT_ARGUMENTS,
  WAMP_ENVELOPE_ELEMENT_ARGUMENTS_KW,
} WampEnvelopeElement;

/**
 * WampEnvelopeBuilder:
 *
 * Lives on the deserializer's stack: wamp_envelope_builder_init(), one
 * wamp_envelope_builder_next() per element, then
 * wamp_envelope_builder_finish(); wamp_envelope_builder_clear() (or
 * g_auto()) on every path. The members are private. Since: ABI 1.1
 */
typedef struct {
  /*< private >*/
  WampValue *fields[WAMP_ENVELOPE_MAX_FIELDS];
  gsize n_fields;
  gsize n_elements;
  gint payload_index;
  gsize span_offsets[2];
  gsize span_lens[2];
  gpointer padding[4];
} WampEnvelopeBuilder;

/* Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_envelope_builder_init (WampEnvelopeBuilder *builder);

/* Drops the fields kept so far; the builder may be initialized again.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_envelope_builder_clear (WampEnvelopeBuilder *builder);

/* What the next element is: @element (out). FALSE with @error
 * (WAMP_ERROR_PROTOCOL_VIOLATION "too many message elements") when the
 * message has no room for another one. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_envelope_builder_next (WampEnvelopeBuilder  *builder,
                                     WampEnvelopeElement  *element,
                                     GError              **error);

/* Keeps @value (transfer full) as the next field; the first one is the type
 * code: a non-integer or unknown code gives FALSE and @error
 * (WAMP_ERROR_PROTOCOL_VIOLATION). Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_envelope_builder_add_field (WampEnvelopeBuilder  *builder,
                                          WampValue            *value,
                                          GError              **error);

/* Records the span of the element wamp_envelope_builder_next() announced as
 * Arguments or ArgumentsKw; the serializer has validated it as one complete
 * list or dict. Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
void wamp_envelope_builder_set_span (WampEnvelopeBuilder *builder,
                                     gsize                offset,
                                     gsize                len);

/* Builds the message (wamp_message_new_from_fields()) with a raw payload of
 * @serializer over @frame when Arguments were present; the builder keeps its
 * fields until cleared. @serializer, @frame: (transfer none).
 * Returns: (transfer full) (nullable): NULL with @error on an invalid message.
 * Since: ABI 1.1 */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_envelope_builder_finish (WampEnvelopeBuilder  *builder,
                                           WampSerializer       *serializer,
                                           GBytes               *frame,
                                           GError              **error);

/* wamp_envelope_builder_finish() for a deserializer that read @data, @len
 * bytes: the frame itself (@frame, nullable, holding the same bytes) when
 * it has one, else bytes only lent to it, of which the payload copies its
 * spans. @serializer, @frame, @data: (transfer none).
 * Returns: (transfer full) (nullable). Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_envelope_builder_finish_data (WampEnvelopeBuilder  *builder,
                                                WampSerializer       *serializer,
                                                GBytes               *frame,
                                                const guint8         *data,
                                                gsize                 len,
                                                GError              **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (WampEnvelopeBuilder, wamp_envelope_builder_clear)

G_END_DECLS
