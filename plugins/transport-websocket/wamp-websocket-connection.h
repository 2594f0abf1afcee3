/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampWebsocketConnection: one WebSocket connection in its frame phase, on the reactor. */
#pragma once

#include <wamp/wamp.h>

#include "wamp-websocket-codec.h"

G_BEGIN_DECLS

/* What happens to a connection whose outgoing queue would exceed
 * max_queue_bytes (DESIGN.md rule 4). */
typedef enum {
  WAMP_WEBSOCKET_OVERFLOW_DISCONNECT, /* close with 1008 "outgoing queue overflow" */
  WAMP_WEBSOCKET_OVERFLOW_DROP,       /* refuse the frame, keep the connection */
} WampWebsocketOverflow;

typedef struct {
  gsize max_message_size;
  gsize max_queue_bytes;
  WampWebsocketOverflow queue_overflow;
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

/* Feeds @initial (bytes that arrived with the handshake; nullable) and puts
 * the fd on the reactor. Frames in @initial are reported only from the
 * reactor, once the owner had the chance to attach its sink. */
void wamp_websocket_connection_start (WampWebsocketConnection *self, GBytes *initial);

G_END_DECLS
