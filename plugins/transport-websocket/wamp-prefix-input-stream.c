/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampPrefixInputStream: lets libsoup read an HTTP request whose first bytes
 * another transport (a universal port sniffing the protocol) already took. */

#include "wamp-prefix-input-stream.h"

#include <string.h>

struct _WampPrefixInputStream
{
  GInputStream parent_instance;

  GInputStream *base;
  GBytes *prefix;
  gsize offset;
};

static void wamp_prefix_input_stream_pollable_init (GPollableInputStreamInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WampPrefixInputStream, wamp_prefix_input_stream, G_TYPE_INPUT_STREAM,
                               G_IMPLEMENT_INTERFACE (G_TYPE_POLLABLE_INPUT_STREAM,
                                                      wamp_prefix_input_stream_pollable_init))

static gsize
prefix_left (WampPrefixInputStream *self)
{
  return self->prefix != NULL ? g_bytes_get_size (self->prefix) - self->offset : 0;
}

/* Copies up to @count prefix bytes; drops the prefix once consumed. */
static gssize
take_prefix (WampPrefixInputStream *self,
             void                  *buffer,
             gsize                  count)
{
  gsize n = MIN (count, prefix_left (self));

  memcpy (buffer, (const guint8 *) g_bytes_get_data (self->prefix, NULL) + self->offset, n);
  self->offset += n;
  if (prefix_left (self) == 0)
    g_clear_pointer (&self->prefix, g_bytes_unref);
  return (gssize) n;
}

static gssize
wamp_prefix_input_stream_read (GInputStream  *stream,
                               void          *buffer,
                               gsize          count,
                               GCancellable  *cancellable,
                               GError       **error)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);

  if (prefix_left (self) > 0)
    return take_prefix (self, buffer, count);
  return g_input_stream_read (self->base, buffer, count, cancellable, error);
}

static gboolean
wamp_prefix_input_stream_close (GInputStream  *stream,
                                GCancellable  *cancellable,
                                GError       **error)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);

  return g_input_stream_close (self->base, cancellable, error);
}

static gboolean
wamp_prefix_input_stream_can_poll (GPollableInputStream *stream)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);

  return G_IS_POLLABLE_INPUT_STREAM (self->base) &&
         g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (self->base));
}

static gboolean
wamp_prefix_input_stream_is_readable (GPollableInputStream *stream)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);

  return prefix_left (self) > 0 ||
         g_pollable_input_stream_is_readable (G_POLLABLE_INPUT_STREAM (self->base));
}

static GSource *
wamp_prefix_input_stream_create_source (GPollableInputStream *stream,
                                        GCancellable         *cancellable)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);
  g_autoptr(GSource) base_source = NULL;
  GSource *source;

  if (prefix_left (self) > 0)
    {
      /* Readable now: a source that is ready at once. */
      source = g_pollable_source_new (G_OBJECT (stream));
      g_source_set_ready_time (source, 0);
      return source;
    }
  base_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (self->base), NULL);
  g_source_set_dummy_callback (base_source);
  return g_pollable_source_new_full (stream, base_source, cancellable);
}

static gssize
wamp_prefix_input_stream_read_nonblocking (GPollableInputStream  *stream,
                                           void                  *buffer,
                                           gsize                  count,
                                           GError               **error)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (stream);

  if (prefix_left (self) > 0)
    return take_prefix (self, buffer, count);
  return g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->base), buffer,
                                                   count, NULL, error);
}

static void
wamp_prefix_input_stream_pollable_init (GPollableInputStreamInterface *iface)
{
  iface->can_poll = wamp_prefix_input_stream_can_poll;
  iface->is_readable = wamp_prefix_input_stream_is_readable;
  iface->create_source = wamp_prefix_input_stream_create_source;
  iface->read_nonblocking = wamp_prefix_input_stream_read_nonblocking;
}

static void
wamp_prefix_input_stream_finalize (GObject *object)
{
  WampPrefixInputStream *self = WAMP_PREFIX_INPUT_STREAM (object);

  g_clear_object (&self->base);
  g_clear_pointer (&self->prefix, g_bytes_unref);

  G_OBJECT_CLASS (wamp_prefix_input_stream_parent_class)->finalize (object);
}

static void
wamp_prefix_input_stream_class_init (WampPrefixInputStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *input_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = wamp_prefix_input_stream_finalize;
  input_class->read_fn = wamp_prefix_input_stream_read;
  input_class->close_fn = wamp_prefix_input_stream_close;
}

static void
wamp_prefix_input_stream_init (WampPrefixInputStream *self)
{
}

GInputStream *
wamp_prefix_input_stream_new (GInputStream *base,
                              GBytes       *prefix)
{
  WampPrefixInputStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (WAMP_TYPE_PREFIX_INPUT_STREAM, NULL);
  self->base = g_object_ref (base);
  if (prefix != NULL && g_bytes_get_size (prefix) > 0)
    self->prefix = g_bytes_ref (prefix);
  return G_INPUT_STREAM (self);
}
