/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampSocketIo: non-blocking reads and vectored writes of one connection,
 * straight on the fd or through a GTlsConnection, for the reactor. */

/* IOV_MAX */
#define _GNU_SOURCE

#include "config.h"

#include <wamp/wamp.h>

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

/* With TLS, small frames are gathered into one record instead of one record
 * (and one syscall) per vector; 16 KiB is TLS's maximum record payload. */
#define TLS_COALESCE_BYTES 16384
/* How long a TLS close may wait to send close_notify. */
#define TLS_CLOSE_TIMEOUT_MS 2000

/* GOutputVector is laid out as struct iovec, which lets sendmsg() take the
 * caller's vectors as they are (GLib's g_socket_send_message() relies on it too). */
G_STATIC_ASSERT (sizeof (GOutputVector) == sizeof (struct iovec));
G_STATIC_ASSERT (G_STRUCT_OFFSET (GOutputVector, buffer) == G_STRUCT_OFFSET (struct iovec, iov_base));
G_STATIC_ASSERT (G_STRUCT_OFFSET (GOutputVector, size) == G_STRUCT_OFFSET (struct iovec, iov_len));

struct _WampSocketIo
{
  GObject parent_instance;

  GSocket *socket;
  int fd;
  /* Kept alive only: it may own the socket (a GSocketConnection). */
  GIOStream *stream;
  /* Non-NULL when bytes travel through TLS: the same object as @stream. */
  GTlsConnection *tls;
  GPollableInputStream *tls_in;
  GPollableOutputStream *tls_out;
  guint8 *coalesce; /* TLS_COALESCE_BYTES, allocated on first use */
  char *peer;
};

G_DEFINE_FINAL_TYPE (WampSocketIo, wamp_socket_io, G_TYPE_OBJECT)

static char *
format_peer (GSocket *socket)
{
  g_autoptr(GSocketAddress) addr = g_socket_get_remote_address (socket, NULL);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    {
      GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
      guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
      g_autofree char *host = g_inet_address_to_string (inet);

      if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
        return g_strdup_printf ("tcp6:[%s]:%u", host, port);
      return g_strdup_printf ("tcp4:%s:%u", host, port);
    }
  if (G_IS_UNIX_SOCKET_ADDRESS (addr))
    {
      const char *path = g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (addr));
      g_autoptr(GSocketAddress) local = NULL;

      /* Clients rarely bind a name: then say which socket they came in on. */
      if (path == NULL || path[0] == '\0')
        {
          local = g_socket_get_local_address (socket, NULL);
          if (G_IS_UNIX_SOCKET_ADDRESS (local))
            path = g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (local));
        }
      return g_strdup_printf ("unix:%s", path != NULL ? path : "");
    }
  return g_strdup ("unknown");
}

WampSocketIo *
wamp_socket_io_new (GSocket   *socket,
                    GIOStream *tls)
{
  WampSocketIo *self;

  g_return_val_if_fail (G_IS_SOCKET (socket), NULL);
  g_return_val_if_fail (tls == NULL || G_IS_IO_STREAM (tls), NULL);

  self = g_object_new (WAMP_TYPE_SOCKET_IO, NULL);
  self->socket = g_object_ref (socket);
  self->fd = g_socket_get_fd (socket);
  g_socket_set_blocking (socket, FALSE);
  if (tls != NULL)
    {
      self->stream = g_object_ref (tls);
      if (G_IS_TLS_CONNECTION (tls))
        {
          self->tls = G_TLS_CONNECTION (tls);
          self->tls_in = G_POLLABLE_INPUT_STREAM (g_io_stream_get_input_stream (tls));
          self->tls_out = G_POLLABLE_OUTPUT_STREAM (g_io_stream_get_output_stream (tls));
        }
    }
  self->peer = format_peer (socket);
  return self;
}

int
wamp_socket_io_get_fd (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), -1);
  return self->fd;
}

GSocket *
wamp_socket_io_get_socket (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), NULL);
  return self->socket;
}

gboolean
wamp_socket_io_is_tls (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), FALSE);
  return self->tls != NULL;
}

static gssize
closed_error (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED, "connection already shut down");
  return -1;
}

gssize
wamp_socket_io_read (WampSocketIo  *self,
                     void          *buffer,
                     gsize          len,
                     GError       **error)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), -1);
  g_return_val_if_fail (buffer != NULL || len == 0, -1);

  if (self->fd < 0)
    return closed_error (error);

  if (self->tls != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gssize n = g_pollable_input_stream_read_nonblocking (self->tls_in, buffer, len, NULL,
                                                           &local_error);

      /* A peer that just closes the TCP connection without close_notify:
       * the framing above knows whether a message was cut, so it is EOF. */
      if (n < 0 && g_error_matches (local_error, G_TLS_ERROR, G_TLS_ERROR_EOF))
        return 0;
      if (n < 0)
        g_propagate_error (error, g_steal_pointer (&local_error));
      return n;
    }

  for (;;)
    {
      ssize_t n = recv (self->fd, buffer, len, 0);
      int errsv = errno;

      if (n >= 0)
        return n;
      if (errsv == EINTR)
        continue;
      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
      return -1;
    }
}

static gssize
tls_writev (WampSocketIo          *self,
            const GOutputVector   *vectors,
            gsize                  n_vectors,
            GError               **error)
{
  const void *data = vectors[0].buffer;
  gsize len = vectors[0].size;
  gssize n;

  /* Gather small vectors into one record. After a WOULD_BLOCK, GnuTLS keeps
   * the record it built and reports it written on the next call: that is
   * right because callers retry with the same leading bytes, never fewer. */
  if (n_vectors > 1 && len < TLS_COALESCE_BYTES)
    {
      if (self->coalesce == NULL)
        self->coalesce = g_malloc (TLS_COALESCE_BYTES);
      len = 0;
      for (gsize i = 0; i < n_vectors && len < TLS_COALESCE_BYTES; i++)
        {
          gsize take = MIN (vectors[i].size, TLS_COALESCE_BYTES - len);

          memcpy (self->coalesce + len, vectors[i].buffer, take);
          len += take;
        }
      data = self->coalesce;
    }

  n = g_pollable_output_stream_write_nonblocking (self->tls_out, data, len, NULL, error);
  return n;
}

gssize
wamp_socket_io_writev (WampSocketIo         *self,
                       const GOutputVector  *vectors,
                       gsize                 n_vectors,
                       GError              **error)
{
  struct msghdr msg = { 0, };

  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), -1);
  g_return_val_if_fail (vectors != NULL || n_vectors == 0, -1);

  if (self->fd < 0)
    return closed_error (error);
  if (n_vectors == 0)
    return 0;
  if (self->tls != NULL)
    return tls_writev (self, vectors, n_vectors, error);

  msg.msg_iov = (struct iovec *) vectors;
  msg.msg_iovlen = MIN (n_vectors, (gsize) IOV_MAX);
  for (;;)
    {
      ssize_t n = sendmsg (self->fd, &msg, MSG_NOSIGNAL);
      int errsv = errno;

      if (n >= 0)
        return n;
      if (errsv == EINTR)
        continue;
      g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
      return -1;
    }
}

/* TLS close: close_notify tells the peer the stream was not truncated. GIO
 * sends it only from a close that may wait for the peer, so it runs as a
 * transient async close (glib-networking does it in a thread), bounded by
 * a timer; the socket is shut down and closed when it ends either way. */

typedef struct
{
  GSocket *socket;
  GCancellable *cancellable;
  GSource *timeout;
} TlsClose;

static void
tls_close_finish (TlsClose *c)
{
  g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
  g_socket_close (c->socket, NULL);
}

static gboolean
tls_close_timeout_cb (gpointer user_data)
{
  TlsClose *c = user_data;

  /* The close cannot complete while the peer reads nothing: cut it. Only
   * shut down here: the fd stays allocated until the close (in its thread)
   * has returned, so its number cannot be reused under it. */
  g_cancellable_cancel (c->cancellable);
  g_socket_shutdown (c->socket, TRUE, TRUE, NULL);
  g_clear_pointer (&c->timeout, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
tls_close_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TlsClose *c = user_data;

  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  if (c->timeout != NULL)
    {
      g_source_destroy (c->timeout);
      g_source_unref (c->timeout);
    }
  tls_close_finish (c);
  g_object_unref (c->socket);
  g_object_unref (c->cancellable);
  g_free (c);
}

void
wamp_socket_io_shutdown (WampSocketIo *self)
{
  TlsClose *c;

  g_return_if_fail (WAMP_IS_SOCKET_IO (self));

  if (self->fd < 0)
    return;
  self->fd = -1;
  if (self->tls == NULL)
    {
      g_socket_shutdown (self->socket, TRUE, TRUE, NULL);
      g_socket_close (self->socket, NULL);
      return;
    }

  c = g_new0 (TlsClose, 1);
  c->socket = g_object_ref (self->socket);
  c->cancellable = g_cancellable_new ();
  c->timeout = g_timeout_source_new (TLS_CLOSE_TIMEOUT_MS);
  g_source_set_callback (c->timeout, tls_close_timeout_cb, c, NULL);
  g_source_attach (c->timeout, g_main_context_get_thread_default ());
  g_io_stream_close_async (G_IO_STREAM (self->tls), G_PRIORITY_DEFAULT, c->cancellable,
                           tls_close_done_cb, c);
}

const char *
wamp_socket_io_get_peer (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), NULL);
  return self->peer;
}

GTlsCertificate *
wamp_socket_io_get_peer_certificate (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), NULL);
  return self->tls != NULL ? g_tls_connection_get_peer_certificate (self->tls) : NULL;
}

GTlsCertificateFlags
wamp_socket_io_get_peer_certificate_errors (WampSocketIo *self)
{
  g_return_val_if_fail (WAMP_IS_SOCKET_IO (self), 0);
  if (self->tls == NULL || g_tls_connection_get_peer_certificate (self->tls) == NULL)
    return 0;
  return g_tls_connection_get_peer_certificate_errors (self->tls);
}

static WampValue *
describe_certificate (GTlsCertificate      *certificate,
                      GTlsCertificateFlags  errors)
{
  WampValue *dict = wamp_value_new_dict (4);
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *subject = g_tls_certificate_get_subject_name (certificate);
  g_autofree char *issuer = g_tls_certificate_get_issuer_name (certificate);

  g_object_get (certificate, "certificate", &der, NULL);
  if (subject != NULL)
    wamp_value_dict_insert (dict, "subject", wamp_value_new_string (subject));
  if (issuer != NULL)
    wamp_value_dict_insert (dict, "issuer", wamp_value_new_string (issuer));
  if (der != NULL)
    {
      g_autofree char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);

      wamp_value_dict_insert (dict, "fingerprint_sha256", wamp_value_new_string (sha256));
    }
  wamp_value_dict_insert (dict, "verified", wamp_value_new_bool (errors == 0));
  return dict;
}

void
wamp_socket_io_add_transport_details (WampSocketIo *self,
                                      WampValue    *details)
{
  GTlsCertificate *certificate;

  g_return_if_fail (WAMP_IS_SOCKET_IO (self));
  g_return_if_fail (details != NULL && wamp_value_get_value_type (details) == WAMP_VALUE_DICT);

  wamp_value_dict_insert (details, "tls", wamp_value_new_bool (self->tls != NULL));
  certificate = wamp_socket_io_get_peer_certificate (self);
  if (certificate != NULL)
    wamp_value_dict_insert (details, "tls_client_certificate",
                            describe_certificate (certificate,
                                                  wamp_socket_io_get_peer_certificate_errors (self)));
}

static void
wamp_socket_io_finalize (GObject *object)
{
  WampSocketIo *self = WAMP_SOCKET_IO (object);

  g_clear_object (&self->stream);
  g_clear_object (&self->socket);
  g_free (self->coalesce);
  g_free (self->peer);

  G_OBJECT_CLASS (wamp_socket_io_parent_class)->finalize (object);
}

static void
wamp_socket_io_class_init (WampSocketIoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wamp_socket_io_finalize;
}

static void
wamp_socket_io_init (WampSocketIo *self)
{
  self->fd = -1;
}
