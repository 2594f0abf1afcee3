/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampRawsocketConnection: one RawSocket connection, handshake and frames, on the reactor. */
#pragma once

#include <wamp/wamp.h>

#include "wamp-rawsocket-codec.h"

G_BEGIN_DECLS

typedef enum {
  WAMP_RAWSOCKET_ROLE_SERVER,
  WAMP_RAWSOCKET_ROLE_CLIENT,
} WampRawsocketRole;

typedef struct {
  /* The largest frame we accept; the handshake announces it rounded down to
   * a power of two between 512 B and 16 MiB, and that is what is enforced. */
  gsize max_message_size;
  gsize max_queue_bytes;
  WampQueueOverflow queue_overflow;
  guint handshake_timeout_ms; /* the 4-octet handshake must complete in time */
  guint ping_interval_ms;     /* 0: no keepalive pings */
  guint ping_timeout_ms;
  guint close_timeout_ms;     /* how long a close waits for the queue to drain */
  guint max_connections;      /* server role, 0: unlimited */
} WampRawsocketOptions;

#define WAMP_RAWSOCKET_DEFAULT_MAX_MESSAGE_SIZE WAMP_RAWSOCKET_MAX_MESSAGE_SIZE
#define WAMP_RAWSOCKET_DEFAULT_MAX_QUEUE_BYTES (16 * 1024 * 1024)
#define WAMP_RAWSOCKET_DEFAULT_HANDSHAKE_TIMEOUT_MS 10000
#define WAMP_RAWSOCKET_DEFAULT_PING_TIMEOUT_MS 10000
#define WAMP_RAWSOCKET_DEFAULT_CLOSE_TIMEOUT_MS 5000

/* Fills @options with the defaults. */
void wamp_rawsocket_options_init (WampRawsocketOptions *options);

#define WAMP_TYPE_RAWSOCKET_CONNECTION (wamp_rawsocket_connection_get_type ())
G_DECLARE_FINAL_TYPE (WampRawsocketConnection, wamp_rawsocket_connection, WAMP,
                      RAWSOCKET_CONNECTION, GObject)

/* Called once per connection when its handshake ended: @error NULL when it
 * is open (server: hand it to the core now; client: call
 * wamp_rawsocket_connection_resume() once the sink is attached), else why it
 * failed (the connection is closed by then). @error: (transfer none). */
typedef void (*WampRawsocketReadyFunc) (WampRawsocketConnection *connection,
                                        const GError            *error,
                                        gpointer                 user_data);

/**
 * wamp_rawsocket_connection_new:
 * @reactor: (transfer none): referenced.
 * @socket: (transfer none): referenced; its fd is read and written.
 * @stream: (transfer none) (nullable): kept alive (it may own @socket).
 * @serializers: (transfer none) (element-type WampSerializer): server: the
 *   ones offered (the client's choice must be among them); client: the one
 *   to request first.
 * @open_count: (nullable): a g_rc_box'ed counter of the transport's open
 *   connections, shared by all of them (max_connections); referenced.
 *
 * Nothing happens until wamp_rawsocket_connection_start().
 * Returns: (transfer full).
 */
WampRawsocketConnection *wamp_rawsocket_connection_new (WampReactor                *reactor,
                                                        GSocket                    *socket,
                                                        GIOStream                  *stream,
                                                        WampRawsocketRole           role,
                                                        GPtrArray                  *serializers,
                                                        const WampRawsocketOptions *options,
                                                        guint                      *open_count);

/* Puts the fd on the reactor (from the reactor, not from this call), feeds
 * @initial (nullable: bytes already read from the socket, e.g. by a
 * universal port) and runs the handshake: a client sends its request, a
 * server waits for one. @ready is called exactly once, unless the
 * connection is disposed first. */
void wamp_rawsocket_connection_start (WampRawsocketConnection *self, GBytes *initial,
                                      WampRawsocketReadyFunc ready, gpointer user_data);

/* Client role: a connection is paused after its handshake so that nothing
 * is reported before its owner attached a sink; this starts reading. */
void wamp_rawsocket_connection_resume (WampRawsocketConnection *self);

/* Ends the connection now without calling its ready func (its owner is
 * going away). */
void wamp_rawsocket_connection_abort (WampRawsocketConnection *self);

/* The largest payload the peer accepts (what its handshake announced). */
gsize wamp_rawsocket_connection_get_peer_max_message_size (WampRawsocketConnection *self);

G_END_DECLS
