/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPayload: a message's Arguments and ArgumentsKw, kept as the sender's
 * encoded bytes until someone needs the values (DESIGN.md, rule 1). */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-value.h>

G_BEGIN_DECLS

typedef struct _WampSerializer WampSerializer;

/**
 * WampPayload:
 *
 * Immutable and refcounted. Either decoded (values given at construction) or
 * raw: spans of an encoded frame plus the serializer that wrote them, decoded
 * lazily, at most once, on the first wamp_payload_get_values() call.
 * Arguments absent and ArgumentsKw absent are distinct from empty ones: an
 * encoder writes Arguments as an empty list only when ArgumentsKw is present.
 */
typedef struct _WampPayload WampPayload;

#define WAMP_TYPE_PAYLOAD (wamp_payload_get_type ())
WAMP_AVAILABLE_IN_ALL
GType wamp_payload_get_type (void) G_GNUC_CONST;

/* @args: (nullable) (transfer none): a list; @kwargs: (nullable) (transfer none): a dict.
 * Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampPayload *wamp_payload_new (WampValue *args, WampValue *kwargs);

/* @serializer: (transfer none): referenced; wrote the spans.
 * @frame: (transfer none): referenced; the spans point into it.
 * A span of length 0 means that element is absent. The caller (a serializer)
 * has checked that the args span is one complete list and the kwargs span one
 * complete dict of its format. Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampPayload *wamp_payload_new_raw (WampSerializer *serializer,
                                   GBytes         *frame,
                                   gsize           args_offset,
                                   gsize           args_len,
                                   gsize           kwargs_offset,
                                   gsize           kwargs_len);

WAMP_AVAILABLE_IN_ALL
WampPayload *wamp_payload_ref (WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
void wamp_payload_unref (WampPayload *payload);

WAMP_AVAILABLE_IN_ALL
gboolean wamp_payload_has_args (const WampPayload *payload);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_payload_has_kwargs (const WampPayload *payload);

/* Returns: (transfer none) (nullable): the serializer of a raw payload, NULL
 * for a decoded one. */
WAMP_AVAILABLE_IN_ALL
WampSerializer *wamp_payload_get_serializer (const WampPayload *payload);

/* The raw spans when @payload is raw and was written by @serializer: TRUE and
 * (transfer none) pointers into the frame (NULL/0 for an absent element).
 * FALSE when the payload is decoded or from another serializer. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_payload_get_raw (const WampPayload *payload,
                               WampSerializer    *serializer,
                               const guint8     **args,
                               gsize             *args_len,
                               const guint8     **kwargs,
                               gsize             *kwargs_len);

/* Decodes (once; the result is cached) and returns the values:
 * @args, @kwargs: (out) (optional) (transfer none) (nullable) — NULL when absent.
 * FALSE with @error (WAMP_ERROR_INVALID_ARGUMENT) when the bytes do not decode. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_payload_get_values (WampPayload *payload,
                                  WampValue  **args,
                                  WampValue  **kwargs,
                                  GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampPayload, wamp_payload_unref)

G_END_DECLS
