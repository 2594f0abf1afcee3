/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who receives a connection's frames: the router's WampSession or a WampClient. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* @frame_received_data: (nullable): a frame lent for the call only
 * (wamp_connection_frame_received_data()); without it the sink gets a
 * GBytes copy through @frame_received. */
typedef struct {
  void (*frame_received) (gpointer owner, WampConnection *connection, GBytes *frame);
  void (*closed) (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason);
  void (*frame_received_data) (gpointer owner, WampConnection *connection,
                               const guint8 *data, gsize len);
} WampConnectionSinkFuncs;

/* A connection's receiver, made by wamp_connection_set_sink() (or the close)
 * and freed with the connection. */
typedef struct {
  const WampConnectionSinkFuncs *funcs;
  gpointer owner;
  gboolean closed;
} WampConnectionSink;

/* The private contract with the in-tree transports, which saves the qdata
 * lookup per frame: a transport that keeps a WampConnectionSink pointer
 * (NULL at first) attaches its address to the connection as this qdata at
 * init; wamp_connection_set_sink() stores the sink there, and the transport
 * hands its frames to wamp_connection_sink_deliver_data(). */
#define WAMP_CONNECTION_SINK_SLOT "wamp-connection-sink-slot"

/* wamp_connection_frame_received_data() through @sink (nullable: not set
 * yet), which must be @connection's. */
static inline void
wamp_connection_sink_deliver_data (WampConnectionSink *sink,
                                   WampConnection     *connection,
                                   const guint8       *data,
                                   gsize               len)
{
  if (G_LIKELY (sink != NULL && !sink->closed && sink->funcs != NULL
                && sink->funcs->frame_received_data != NULL))
    sink->funcs->frame_received_data (sink->owner, connection, data, len);
  else
    wamp_connection_frame_received_data (connection, data, len);
}

/* @funcs: static; @owner: not referenced. Pass NULL funcs to detach: frames
 * then are dropped (logged at debug level). */
void wamp_connection_set_sink (WampConnection                *connection,
                               const WampConnectionSinkFuncs *funcs,
                               gpointer                       owner);

/* wamp_connection_send_message(), and the size of the frame sent in
 * @frame_len (the router's counters). */
gboolean wamp_connection_send_message_sized (WampConnection *self,
                                             WampMessage    *message,
                                             gsize          *frame_len,
                                             GError        **error);

G_END_DECLS
