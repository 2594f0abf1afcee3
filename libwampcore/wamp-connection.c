/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampConnection: the interface transports implement, its wrappers, and the
 * sink through which frames and the close reach the session that owns it. */

#include "config.h"

#include "wamp-connection-private.h"
#include "wamp-message-private.h"
#include "wamp-payload-private.h"
#include "wamp-iface-private.h"

G_DEFINE_INTERFACE (WampConnection, wamp_connection, G_TYPE_OBJECT)

static WampPointerTable connection_ifaces;

/* The interface of @self, NULL when @self is not a connection; the cache is
 * read before WAMP_TYPE_CONNECTION is needed (its getter's once-check costs
 * a call per message otherwise). */
static inline WampConnectionInterface *
peek_iface (WampConnection *self)
{
  WampConnectionInterface *iface;

  if (G_LIKELY (self != NULL && ((GTypeInstance *) self)->g_class != NULL))
    {
      iface = wamp_pointer_table_lookup (&connection_ifaces, ((GTypeInstance *) self)->g_class);
      if (G_LIKELY (iface != NULL))
        return iface;
    }
  return wamp_iface_peek (&connection_ifaces, self, WAMP_TYPE_CONNECTION);
}

static void
wamp_connection_default_init (WampConnectionInterface *iface)
{
}

/* Attached to the connection object as qdata: one lookup per frame, unless
 * the transport keeps a pointer to it (WAMP_CONNECTION_SINK_SLOT). */
typedef WampConnectionSink ConnectionSink;

static GQuark
sink_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("wamp-connection-sink");
  return quark;
}

static GQuark
slot_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string (WAMP_CONNECTION_SINK_SLOT);
  return quark;
}

static ConnectionSink *
get_sink (WampConnection *self, gboolean create)
{
  GQuark quark = sink_quark ();
  ConnectionSink *sink = g_object_get_qdata (G_OBJECT (self), quark);

  if (sink == NULL && create)
    {
      sink = g_new0 (ConnectionSink, 1);
      g_object_set_qdata_full (G_OBJECT (self), quark, sink, g_free);
    }
  return sink;
}

void
wamp_connection_set_sink (WampConnection                *connection,
                          const WampConnectionSinkFuncs *funcs,
                          gpointer                       owner)
{
  ConnectionSink *sink;
  ConnectionSink **slot;

  g_return_if_fail (wamp_iface_peek (&connection_ifaces, connection, WAMP_TYPE_CONNECTION) != NULL);

  sink = get_sink (connection, TRUE);
  sink->funcs = funcs;
  sink->owner = funcs != NULL ? owner : NULL;

  /* The sink lives as long as the connection: told once is enough. */
  slot = g_object_get_qdata (G_OBJECT (connection), slot_quark ());
  if (slot != NULL)
    *slot = sink;
}

gboolean
wamp_connection_send (WampConnection *self, GBytes *frame, GError **error)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (iface->send == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "Connection does not implement send");
      return FALSE;
    }
  return iface->send (self, frame, error);
}

void
wamp_connection_close (WampConnection *self, WampCloseCode code, const char *reason)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_if_fail (iface != NULL);

  if (iface->close != NULL)
    iface->close (self, code, reason);
}

const char *
wamp_connection_get_peer (WampConnection *self)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_peer != NULL ? iface->get_peer (self) : NULL;
}

WampSerializer *
wamp_connection_get_serializer (WampConnection *self)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_serializer != NULL ? iface->get_serializer (self) : NULL;
}

WampValue *
wamp_connection_get_transport_details (WampConnection *self)
{
  WampConnectionInterface *iface;
  WampValue *details = NULL;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  if (iface->get_transport_details != NULL)
    details = iface->get_transport_details (self);
  return details != NULL ? details : wamp_value_new_dict (0);
}

GTlsCertificate *
wamp_connection_get_peer_certificate (WampConnection *self)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, NULL);

  return iface->get_peer_certificate != NULL ? iface->get_peer_certificate (self) : NULL;
}

gsize
wamp_connection_get_queued_bytes (WampConnection *self)
{
  WampConnectionInterface *iface;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, 0);

  return iface->get_queued_bytes != NULL ? iface->get_queued_bytes (self) : 0;
}

/* Frames from this size up are not encoded into a transport's queue. */
#define LARGE_MESSAGE (64 * 1024)

static gboolean
is_large (WampMessage *message)
{
  WampPayload *payload = wamp_message_payload_inline (message);

  return payload != NULL && wamp_payload_get_raw_size (payload) >= LARGE_MESSAGE;
}

gboolean
wamp_connection_send_message_sized (WampConnection *self,
                                    WampMessage    *message,
                                    gsize          *frame_len,
                                    GError        **error)
{
  WampConnectionInterface *iface;
  WampSerializer *serializer;
  g_autoptr(GBytes) frame = NULL;

  iface = peek_iface (self);
  g_return_val_if_fail (iface != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (frame_len != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* Through the interface already found: not wamp_connection_get_serializer(). */
  serializer = iface->get_serializer != NULL ? iface->get_serializer (self) : NULL;
  if (serializer == NULL)
    {
      g_set_error_literal (error, WAMP_ERROR, WAMP_ERROR_TRANSPORT,
                           "Connection has no serializer");
      return FALSE;
    }
  /* One receiver: encoded straight into the transport's queue. An EVENT
   * goes to every subscriber: encoded once and shared (rule 2). A large
   * message gets a buffer of its own, exactly its size, that the queue
   * references: copying it into the queue's buffer would cost more than
   * the allocation saved. */
  if (iface->send_message != NULL && wamp_message_type_inline (message) != WAMP_MESSAGE_EVENT &&
      !is_large (message))
    return iface->send_message (self, message, frame_len, error);

  frame = wamp_serializer_serialize (serializer, message, error);
  if (frame == NULL)
    return FALSE;
  *frame_len = g_bytes_get_size (frame);
  return wamp_connection_send (self, frame, error);
}

gboolean
wamp_connection_send_message (WampConnection *self, WampMessage *message, GError **error)
{
  gsize frame_len;

  return wamp_connection_send_message_sized (self, message, &frame_len, error);
}

static const char *
peer_for_log (WampConnection *self)
{
  const char *peer = wamp_connection_get_peer (self);

  return peer != NULL ? peer : "(unknown peer)";
}

void
wamp_connection_frame_received (WampConnection *self, GBytes *frame)
{
  ConnectionSink *sink;

  g_return_if_fail (peek_iface (self) != NULL);
  g_return_if_fail (frame != NULL);

  sink = get_sink (self, FALSE);
  if (sink == NULL || sink->funcs == NULL || sink->funcs->frame_received == NULL || sink->closed)
    {
      g_debug ("Dropping a frame of %" G_GSIZE_FORMAT " bytes from %s: no receiver",
               g_bytes_get_size (frame), peer_for_log (self));
      return;
    }

  sink->funcs->frame_received (sink->owner, self, frame);
}

void
wamp_connection_frame_received_data (WampConnection *self, const guint8 *data, gsize len)
{
  ConnectionSink *sink;
  g_autoptr(GBytes) frame = NULL;

  g_return_if_fail (peek_iface (self) != NULL);
  g_return_if_fail (data != NULL || len == 0);

  sink = get_sink (self, FALSE);
  if (sink == NULL || sink->funcs == NULL || sink->funcs->frame_received == NULL || sink->closed)
    {
      g_debug ("Dropping a frame of %" G_GSIZE_FORMAT " bytes from %s: no receiver",
               len, peer_for_log (self));
      return;
    }

  if (sink->funcs->frame_received_data != NULL)
    {
      sink->funcs->frame_received_data (sink->owner, self, data, len);
      return;
    }
  frame = g_bytes_new (data, len);
  sink->funcs->frame_received (sink->owner, self, frame);
}

void
wamp_connection_closed (WampConnection *self, WampCloseCode code, const char *reason)
{
  ConnectionSink *sink;
  const WampConnectionSinkFuncs *funcs;

  g_return_if_fail (peek_iface (self) != NULL);

  /* Marked even without a receiver: a close is reported once, whoever
   * receives it, and no frame is delivered after it. */
  sink = get_sink (self, TRUE);
  if (sink->closed)
    return;
  sink->closed = TRUE;

  funcs = sink->funcs;
  if (funcs == NULL || funcs->closed == NULL)
    {
      g_debug ("Connection %s closed (%d) with no receiver",
               peer_for_log (self), (int) code);
      return;
    }

  /* The receiver may drop the last reference to the connection. */
  g_object_ref (self);
  funcs->closed (sink->owner, self, code, reason);
  g_object_unref (self);
}
