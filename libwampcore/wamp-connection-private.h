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
