/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketConnection: one WebSocket connection in its frame phase, on the reactor. */
#pragma once

#include <wamp/wamp.h>

#include "wamp-websocket-codec.h"

G_BEGIN_DECLS

/* What happens to a connection whose outgoing queue would exceed
 * max_queue_bytes (DESIGN.md rule 4). */
typedef struct {
  gsize max_message_size;
  gsize max_queue_bytes;
  WampQueueOverflow queue_overflow; /* disconnect: close with 1008 "outgoing queue overflow" */
  guint ping_interval_ms; /* 0: no pings */
  guint ping_timeout_ms;
  guint close_timeout_ms; /* how long our close waits for the peer's */
} WampWebsocketOptions;

#define WAMP_WEBSOCKET_DEFAULT_MAX_MESSAGE_SIZE (16 * 1024 * 1024)
#define WAMP_WEBSOCKET_DEFAULT_MAX_QUEUE_BYTES (16 * 1024 * 1024)
#define WAMP_WEBSOCKET_DEFAULT_CLOSE_TIMEOUT_MS 5000

/* Fills @options with the defaults. */
void wamp_websocket_options_init (WampWebsocketOptions *options);

#define WAMP_TYPE_WEBSOCKET_CONNECTION (wamp_websocket_connection_get_type ())
G_DECLARE_FINAL_TYPE (WampWebsocketConnection, wamp_websocket_connection, WAMP,
                      WEBSOCKET_CONNECTION, GObject)

/**
 * wamp_websocket_connection_new:
 * @reactor: (transfer none): referenced.
 * @stream: (transfer none) (nullable): kept alive (it owns the socket's fd
 *   in some GIO wrappers) but never read or written.
 * @io: (transfer none): referenced; all bytes go through it (plain or TLS).
 * @serializer: (transfer none): the negotiated one.
 * @http_headers: (transfer none) (nullable): a dict of request headers.
 *
 * Nothing is read until wamp_websocket_connection_start().
 * Returns: (transfer full).
 */
WampWebsocketConnection *wamp_websocket_connection_new (WampReactor                *reactor,
                                                        GIOStream                  *stream,
                                                        WampSocketIo               *io,
                                                        WampWebsocketRole           role,
                                                        WampSerializer             *serializer,
                                                        const WampWebsocketOptions *options,
                                                        WampValue                  *http_headers);

/* Before the start: the subprotocol is the serializer's ".batched" variant,
 * so each received message is split into WAMP frames (0x18/0x1e-terminated
 * JSON, or 4-byte length-prefixed binary) and each sent one is a batch of
 * one (JSON followed by 0x18, binary prefixed with its length). */
void wamp_websocket_connection_set_batched (WampWebsocketConnection *self, gboolean batched);
gboolean wamp_websocket_connection_get_batched (WampWebsocketConnection *self);

/* Feeds @initial (bytes that arrived with the handshake; nullable) and puts
 * the fd on the reactor. Frames in @initial are reported only from the
 * reactor, once the owner had the chance to attach its sink. */
void wamp_websocket_connection_start (WampWebsocketConnection *self, GBytes *initial);

G_END_DECLS
