/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampConnection: one established transport connection, as transports
 * implement it. Frames travel to the core through the functions at the end of
 * this file; no signals, no callback structs on the hot path. */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <gio/gio.h>
#include <wamp/wamp-export.h>
#include <wamp/wamp-serializer.h>

G_BEGIN_DECLS

#define WAMP_TYPE_CONNECTION (wamp_connection_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (WampConnection, wamp_connection, WAMP, CONNECTION, GObject)

/* Close codes: WebSocket's (RFC 6455) serve as the common vocabulary; other
 * transports map them onto what they have. */
typedef enum {
  WAMP_CLOSE_NORMAL = 1000,
  WAMP_CLOSE_GOING_AWAY = 1001,
  WAMP_CLOSE_PROTOCOL_ERROR = 1002,
  WAMP_CLOSE_INVALID_DATA = 1007,
  WAMP_CLOSE_POLICY_VIOLATION = 1008,
  WAMP_CLOSE_TOO_BIG = 1009,
  WAMP_CLOSE_INTERNAL_ERROR = 1011,
  WAMP_CLOSE_ABNORMAL = 1006, /* reported only: closed without a close handshake */
} WampCloseCode;

/**
 * WampConnectionInterface:
 * @send: queues one encoded frame (@frame is referenced, not copied) and
 *   writes what it can without blocking (writev of queued frames). FALSE with
 *   WAMP_ERROR_TRANSPORT when closed or when the queue would exceed its bound,
 *   WAMP_ERROR_PAYLOAD_SIZE_EXCEEDED when larger than the peer accepts.
 * @close: flushes the queue (bounded by a timeout), runs the transport's close
 *   handshake, then reports wamp_connection_closed(). Idempotent.
 * @get_peer: "tcp4:127.0.0.1:40000", "tcp6:[::1]:40000", "unix:/path".
 * @get_serializer: the serializer negotiated in the transport handshake.
 * @get_transport_details: a dict for authenticators and the admin API
 *   ("type", "peer", "protocol", "http_headers_received", ...).
 * @get_peer_certificate: the verified TLS client certificate, if any.
 * @get_queued_bytes: bytes accepted by @send but not yet written.
 * @send_message: encodes @message with the connection's serializer straight
 *   into the outgoing queue (wamp_serializer_serialize_into() into
 *   wamp_frame_queue_get_inline_buffer(): no frame allocated) and sends it
 *   as @send would, with @send's errors and the serializer's; @frame_len:
 *   the encoded size. Optional: without it the core serializes into a frame
 *   of its own and calls @send. The core calls it for messages with one
 *   receiver; an EVENT, encoded once for all its subscribers (rule 2), and
 *   a message with 64 KiB of payload or more, encoded into a buffer of its
 *   own that the queue references, go through @send. Since: ABI 1.3
 */
struct _WampConnectionInterface
{
  GTypeInterface g_iface;

  gboolean (*send) (WampConnection *self, GBytes *frame, GError **error);
  void (*close) (WampConnection *self, WampCloseCode code, const char *reason);
  const char *(*get_peer) (WampConnection *self);
  WampSerializer *(*get_serializer) (WampConnection *self);
  WampValue *(*get_transport_details) (WampConnection *self);
  GTlsCertificate *(*get_peer_certificate) (WampConnection *self);
  gsize (*get_queued_bytes) (WampConnection *self);
  gboolean (*send_message) (WampConnection *self, WampMessage *message, gsize *frame_len, GError **error);
};

WAMP_AVAILABLE_IN_ALL
gboolean wamp_connection_send (WampConnection *self, GBytes *frame, GError **error);
/* @reason: (nullable). */
WAMP_AVAILABLE_IN_ALL
void wamp_connection_close (WampConnection *self, WampCloseCode code, const char *reason);
/* Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
const char *wamp_connection_get_peer (WampConnection *self);
/* Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampSerializer *wamp_connection_get_serializer (WampConnection *self);
/* Returns: (transfer full): a dict (empty when the transport says nothing). */
WAMP_AVAILABLE_IN_ALL
WampValue *wamp_connection_get_transport_details (WampConnection *self);
/* Returns: (transfer none) (nullable). */
WAMP_AVAILABLE_IN_ALL
GTlsCertificate *wamp_connection_get_peer_certificate (WampConnection *self);
WAMP_AVAILABLE_IN_ALL
gsize wamp_connection_get_queued_bytes (WampConnection *self);

/* Serializes @message with the connection's serializer and sends it: an
 * EVENT through the cache (rule 2) and @send, anything else through
 * @send_message when the transport has it. Returns: FALSE with the
 * serializer's or the transport's error. */
WAMP_AVAILABLE_IN_ALL
gboolean wamp_connection_send_message (WampConnection *self, WampMessage *message, GError **error);

/* Called by transports. */

/* One complete WAMP frame (a whole WebSocket message, one RawSocket message)
 * arrived. @frame: (transfer none): the core references it when it keeps it
 * (raw payloads point into it). May re-enter the transport (send, close). */
WAMP_AVAILABLE_IN_ALL
void wamp_connection_frame_received (WampConnection *self, GBytes *frame);

/* The connection is closed (by the peer, an error or @close); called exactly
 * once, after which the transport sends nothing and reports no more frames.
 * @reason: (nullable). */
WAMP_AVAILABLE_IN_ALL
void wamp_connection_closed (WampConnection *self, WampCloseCode code, const char *reason);

/* wamp_connection_frame_received() of @len bytes at @data that are valid
 * during the call only (the transport's read buffer): the core copies what
 * it keeps, so no GBytes is made for a frame. Since: ABI 1.3 */
WAMP_AVAILABLE_IN_ALL
void wamp_connection_frame_received_data (WampConnection *self, const guint8 *data, gsize len);

G_END_DECLS
