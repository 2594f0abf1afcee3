/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSerializer: the pluggable message encoding (extension point "wamp-serializer"). */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-message.h>
#include <wamp/wamp-output-buffer.h>

G_BEGIN_DECLS

#define WAMP_SERIALIZER_EXTENSION_POINT "wamp-serializer"

#define WAMP_TYPE_SERIALIZER (wamp_serializer_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WampSerializer, wamp_serializer, WAMP, SERIALIZER, GObject)

/**
 * WampSerializerInterface:
 * @get_name: the extension name ("json").
 * @get_subprotocol: the WebSocket subprotocol ("wamp.2.json").
 * @get_rawsocket_id: the RawSocket serializer id (1 JSON, 2 MessagePack, 3 CBOR).
 * @is_binary: FALSE for text (WebSocket text frames), TRUE for binary.
 * @deserialize: one frame to one message. Never trusts a claimed length: a
 *   bounded structural scan runs before any allocation. Keeps the payload as
 *   raw spans of @frame (wamp_payload_new_raw()). Errors are
 *   WAMP_ERROR_PROTOCOL_VIOLATION with a short reason.
 * @serialize: one message to one frame. A raw payload of this serializer is
 *   copied as is; any other payload is decoded and re-encoded. A value this
 *   format cannot carry gives WAMP_ERROR_INVALID_ARGUMENT.
 * @encode_value: one value, for transcoding payloads.
 * @decode_value: one complete value (a span a deserializer produced).
 * @serialize_into: as @serialize, but appends the frame to @out (which may
 *   already hold other bytes) instead of allocating one: a message sent to
 *   one receiver goes straight into its transport's queue. On failure @out
 *   may hold a partial frame after its original length; the caller discards
 *   it. A plugin that implements it sets @serialize to
 *   wamp_serializer_default_serialize(). Since: ABI 1.3
 * @deserialize_data: @deserialize of bytes lent for the call only: what the
 *   message keeps (the payload spans) is copied
 *   (wamp_envelope_builder_finish_data()). Since: ABI 1.3
 *
 * One instance per extension serves everyone (serializers are stateless).
 * Vfuncs appended later are NULL for older plugins; the wrappers check.
 */
struct _WampSerializerInterface
{
  GTypeInterface g_iface;

  const char *(*get_name) (WampSerializer *self);
  const char *(*get_subprotocol) (WampSerializer *self);
  guint8 (*get_rawsocket_id) (WampSerializer *self);
  gboolean (*is_binary) (WampSerializer *self);
  WampMessage *(*deserialize) (WampSerializer *self, GBytes *frame, GError **error);
  GBytes *(*serialize) (WampSerializer *self, WampMessage *message, GError **error);
  GBytes *(*encode_value) (WampSerializer *self, WampValue *value, GError **error);
  WampValue *(*decode_value) (WampSerializer *self, const guint8 *data, gsize len, GError **error);
  gboolean (*serialize_into) (WampSerializer *self, WampMessage *message, WampOutputBuffer *out, GError **error);
  WampMessage *(*deserialize_data) (WampSerializer *self, const guint8 *data, gsize len,
                                    GError **error);
};

WAMP_AVAILABLE_IN_ALL
const char *wamp_serializer_get_name (WampSerializer *self);
WAMP_AVAILABLE_IN_ALL
const char *wamp_serializer_get_subprotocol (WampSerializer *self);
WAMP_AVAILABLE_IN_ALL
guint8 wamp_serializer_get_rawsocket_id (WampSerializer *self);
WAMP_AVAILABLE_IN_ALL
gboolean wamp_serializer_is_binary (WampSerializer *self);
/* @frame: (transfer none). Returns: (transfer full) (nullable). */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_serializer_deserialize (WampSerializer *self, GBytes *frame, GError **error);
/* Serialize once (rule 2): returns the message's cached encoding for @self
 * when there is one, else serializes and caches. Returns: (transfer full) (nullable). */
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_serializer_serialize (WampSerializer *self, WampMessage *message, GError **error);
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_serializer_encode_value (WampSerializer *self, WampValue *value, GError **error);
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_serializer_decode_value (WampSerializer *self, const guint8 *data, gsize len, GError **error);

/* Appends @message's frame to @out: the cached encoding (rule 2) when the
 * message has one for @self, else a fresh one, not cached (for a message
 * with one receiver). On failure @out is as it was. Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_serializer_serialize_into (WampSerializer   *self,
                                         WampMessage      *message,
                                         WampOutputBuffer *out,
                                         GError          **error);

/* The @serialize of a plugin that implements @serialize_into: the frame
 * encoded into a buffer of its own, not cached (a plugin sets
 * iface->serialize to it). Returns: (transfer full) (nullable).
 * Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
GBytes *wamp_serializer_default_serialize (WampSerializer *self, WampMessage *message, GError **error);

/* The shared instance of the serializer extension @name, created on first
 * use. Returns: (transfer none) (nullable): NULL when no plugin provides it. */
WAMP_AVAILABLE_IN_ALL
WampSerializer *wamp_serializer_lookup (const char *name);

/* wamp_serializer_deserialize() of @len bytes at @data, valid during the
 * call only (a transport's read buffer): the message copies what it keeps.
 * Falls back to @deserialize of a copy for a plugin without
 * @deserialize_data. Returns: (transfer full) (nullable). Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
WampMessage *wamp_serializer_deserialize_data (WampSerializer  *self,
                                               const guint8    *data,
                                               gsize            len,
                                               GError         **error);

G_END_DECLS
