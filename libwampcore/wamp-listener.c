/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampListener: binds TCP or Unix sockets (or takes activated ones), accepts
 * on the reactor, runs the TLS server handshake, and hands each connection
 * to its transport. */

/* accept4() */
#define _GNU_SOURCE

#include "config.h"

#include <wamp/wamp.h>

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_BACKLOG 4096
#define MAX_ACCEPTS_PER_WAKE 64
/* Out of fds: stop accepting for a moment instead of spinning on a
 * listening socket that stays readable. */
#define ACCEPT_BACKOFF_MS 100

typedef struct _ListenSocket ListenSocket;
typedef struct _Handshake Handshake;

struct _WampListener
{
  GObject parent_instance;

  WampReactor *reactor;
  char *transport_name;

  /* Configuration */
  WampListenerEndpointType type;
  char *host;
  guint16 port;
  char *unix_path;
  int unix_mode; /* -1: leave as created */
  int backlog;
  GTlsCertificate *certificate; /* NULL: plain */
  GTlsDatabase *ca_database;    /* NULL: client certificates not asked for */
  gboolean require_client_certificate;
  guint handshake_timeout_ms;

  WampListenerAcceptFunc accept_func;
  gpointer accept_data;
  GDestroyNotify accept_destroy;

  /* Running */
  gboolean started;
  guint generation; /* bumped by stop: callbacks that outlive a stop see it */
  GPtrArray *sockets; /* of ListenSocket */
  GHashTable *handshakes; /* set of Handshake in progress */
  /* The Unix socket file we created, to unlink on stop unless replaced. */
  gboolean unlink_on_stop;
  dev_t unix_dev;
  ino_t unix_ino;
};

G_DEFINE_FINAL_TYPE (WampListener, wamp_listener, G_TYPE_OBJECT)

/* Socket activation: transport name → GPtrArray of ActivatedSocket. */

typedef struct
{
  GSocket *socket;
  WampListener *user; /* not referenced: the listener gives it back on stop */
} ActivatedSocket;

static GHashTable *activated_sockets;

static void
activated_socket_free (ActivatedSocket *a)
{
  g_object_unref (a->socket);
  g_free (a);
}

void
wamp_listener_add_activated_socket (const char *transport_name,
                                    GSocket    *socket)
{
  GPtrArray *list;
  ActivatedSocket *a;

  g_return_if_fail (transport_name != NULL);
  g_return_if_fail (G_IS_SOCKET (socket));

  if (activated_sockets == NULL)
    activated_sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) g_ptr_array_unref);
  list = g_hash_table_lookup (activated_sockets, transport_name);
  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) activated_socket_free);
      g_hash_table_insert (activated_sockets, g_strdup (transport_name), list);
    }
  a = g_new0 (ActivatedSocket, 1);
  a->socket = g_object_ref (socket);
  g_ptr_array_add (list, a);
}

GStrv
wamp_listener_get_unused_activated_names (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GHashTableIter iter;
  gpointer key, value;

  if (activated_sockets != NULL)
    {
      g_hash_table_iter_init (&iter, activated_sockets);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          GPtrArray *list = value;

          for (guint i = 0; i < list->len; i++)
            if (((ActivatedSocket *) list->pdata[i])->user == NULL)
              {
                g_strv_builder_add (builder, key);
                break;
              }
        }
    }
  return g_strv_builder_end (builder);
}

void
wamp_listener_clear_activated_sockets (void)
{
  GHashTableIter iter;
  gpointer value;

  if (activated_sockets == NULL)
    return;
  g_hash_table_iter_init (&iter, activated_sockets);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;

      for (guint i = list->len; i > 0; i--)
        if (((ActivatedSocket *) list->pdata[i - 1])->user == NULL)
          g_ptr_array_remove_index (list, i - 1);
      if (list->len == 0)
        g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_size (activated_sockets) == 0)
    g_clear_pointer (&activated_sockets, g_hash_table_unref);
}

/* Marks the free activated sockets of our name as ours. Returns:
 * (transfer container): them, possibly empty. */
static GPtrArray *
claim_activated_sockets (WampListener *self)
{
  GPtrArray *claimed = g_ptr_array_new ();
  GPtrArray *list = activated_sockets != NULL
                    ? g_hash_table_lookup (activated_sockets, self->transport_name) : NULL;

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      ActivatedSocket *a = list->pdata[i];

      if (a->user == NULL)
        {
          a->user = self;
          g_ptr_array_add (claimed, a->socket);
        }
    }
  return claimed;
}

static void
release_activated_socket (WampListener *self,
                          GSocket      *socket)
{
  GPtrArray *list = activated_sockets != NULL
                    ? g_hash_table_lookup (activated_sockets, self->transport_name) : NULL;

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      ActivatedSocket *a = list->pdata[i];

      if (a->socket == socket && a->user == self)
        a->user = NULL;
    }
}

/* Listening sockets */

struct _ListenSocket
{
  WampListener *self;
  GSocket *socket;
  gboolean activated; /* not ours to close */
  WampReactorWatch *watch;
  WampReactorTimer *backoff;
};

static void
listen_socket_free (ListenSocket *l)
{
  if (l->watch != NULL)
    wamp_reactor_remove_fd (l->self->reactor, l->watch);
  if (l->backoff != NULL)
    wamp_reactor_cancel_timer (l->self->reactor, l->backoff);
  if (l->activated)
    release_activated_socket (l->self, l->socket);
  else
    g_socket_close (l->socket, NULL);
  g_object_unref (l->socket);
  g_free (l);
}

/* TLS handshakes. GIO runs each one as a transient async operation on the
 * main context (glib-networking does the work in a thread), not on the
 * reactor: it lasts a few round trips, and the reactor timer below bounds
 * it, so an idle or slow peer costs no main-loop source for long. */

struct _Handshake
{
  WampListener *self; /* NULL once the listener stopped */
  GSocket *socket;
  GTlsConnection *tls;
  GCancellable *cancellable;
  WampReactorTimer *timer;
  char *transport_name; /* for the log, while @self may be gone */
};

static void
handshake_free (Handshake *h)
{
  g_free (h->transport_name);
  g_object_unref (h->socket);
  /* The connection lives on with its new owner. */
  g_signal_handlers_disconnect_by_data (h->tls, h);
  g_object_unref (h->tls);
  g_object_unref (h->cancellable);
  g_free (h);
}

/* The handshake ends without the listener: drop the peer. Its callback
 * still runs (cancelled) and frees @h. */
static void
handshake_abandon (Handshake *h)
{
  if (h->timer != NULL)
    wamp_reactor_cancel_timer (h->self->reactor, h->timer);
  h->timer = NULL;
  h->self = NULL;
  g_cancellable_cancel (h->cancellable);
  g_socket_shutdown (h->socket, TRUE, TRUE, NULL);
}

static void
handshake_timeout_cb (WampReactor *reactor,
                      gpointer     user_data)
{
  Handshake *h = user_data;
  WampListener *self = h->self;

  h->timer = NULL;
  g_debug ("%s: TLS handshake timed out", self->transport_name);
  g_hash_table_remove (self->handshakes, h);
  handshake_abandon (h);
}

static void
handshake_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Handshake *h = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampListener) self = h->self != NULL ? g_object_ref (h->self) : NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (self == NULL)
    {
      handshake_free (h);
      return;
    }
  if (h->timer != NULL)
    wamp_reactor_cancel_timer (self->reactor, h->timer);
  h->timer = NULL;
  g_hash_table_remove (self->handshakes, h);

  if (!ok)
    g_debug ("%s: TLS handshake failed: %s", self->transport_name, error->message);
  else if (self->accept_func != NULL)
    self->accept_func (self, h->socket, G_IO_STREAM (h->tls), self->accept_data);
  if (!ok || self->accept_func == NULL)
    g_socket_shutdown (h->socket, TRUE, TRUE, NULL);
  handshake_free (h);
}

/* On a server, glib-networking asks about every client certificate, even
 * one that verified against our CA: accept exactly those, and log why
 * another is refused. @user_data is the Handshake, which lives until the
 * handshake has ended (the listener may not). */
static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Handshake *h = user_data;
  g_autofree char *subject = NULL;

  if (errors == 0)
    return TRUE;
  subject = g_tls_certificate_get_subject_name (certificate);
  g_debug ("%s: refusing client certificate %s (GTlsCertificateFlags 0x%x)",
           h->transport_name, subject != NULL ? subject : "(no subject)", errors);
  return FALSE;
}

static void
start_handshake (WampListener      *self,
                 GSocket           *socket,
                 GSocketConnection *connection)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GIOStream) tls = NULL;
  Handshake *h;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), self->certificate, &error);
  if (tls == NULL)
    {
      g_warning ("%s: cannot start TLS: %s", self->transport_name, error->message);
      return;
    }
  if (self->ca_database != NULL)
    {
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), self->ca_database);
      g_object_set (tls, "authentication-mode",
                    self->require_client_certificate ? G_TLS_AUTHENTICATION_REQUIRED
                                                     : G_TLS_AUTHENTICATION_REQUESTED,
                    NULL);
    }

  h = g_new0 (Handshake, 1);
  h->self = self;
  h->transport_name = g_strdup (self->transport_name);
  if (self->ca_database != NULL)
    g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), h);
  h->socket = g_object_ref (socket);
  h->tls = G_TLS_CONNECTION (g_steal_pointer (&tls));
  h->cancellable = g_cancellable_new ();
  h->timer = wamp_reactor_add_timer (self->reactor, self->handshake_timeout_ms,
                                     handshake_timeout_cb, h);
  g_hash_table_add (self->handshakes, h);
  g_tls_connection_handshake_async (h->tls, G_PRIORITY_DEFAULT, h->cancellable,
                                    handshake_done_cb, h);
}

/* Accepting */

static void
serve_accepted (WampListener *self,
                int           fd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new_from_fd (fd, &error);
  g_autoptr(GSocketConnection) connection = NULL;

  if (socket == NULL)
    {
      g_debug ("%s: accepted fd %d unusable: %s", self->transport_name, fd, error->message);
      close (fd);
      return;
    }
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  connection = g_socket_connection_factory_create_connection (socket);
  if (self->certificate != NULL)
    start_handshake (self, socket, connection);
  else if (self->accept_func != NULL)
    self->accept_func (self, socket, G_IO_STREAM (connection), self->accept_data);
}

static void listen_cb (WampReactor *reactor, WampReactorWatch *watch, int fd,
                       WampReactorEvents events, gpointer user_data);

static void
backoff_done_cb (WampReactor *reactor,
                 gpointer     user_data)
{
  ListenSocket *l = user_data;

  l->backoff = NULL;
  wamp_reactor_modify_fd (reactor, l->watch, WAMP_REACTOR_READ);
}

static void
listen_cb (WampReactor       *reactor,
           WampReactorWatch  *watch,
           int                fd,
           WampReactorEvents  events,
           gpointer           user_data)
{
  ListenSocket *l = user_data;
  /* The accept function may stop or drop the listener (freeing @l). */
  g_autoptr(WampListener) self = g_object_ref (l->self);
  guint generation = self->generation;

  for (guint i = 0; i < MAX_ACCEPTS_PER_WAKE; i++)
    {
      int cfd = accept4 (fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (cfd >= 0)
        {
          serve_accepted (self, cfd);
          if (self->generation != generation)
            return;
          continue;
        }
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        {
          g_warning ("%s: accept: %s; pausing for %u ms", self->transport_name,
                     g_strerror (errno), ACCEPT_BACKOFF_MS);
          wamp_reactor_modify_fd (reactor, watch, 0);
          l->backoff = wamp_reactor_add_timer (reactor, ACCEPT_BACKOFF_MS, backoff_done_cb, l);
        }
      /* EAGAIN: drained. */
      return;
    }
}

static void
add_listen_socket (WampListener *self,
                   GSocket      *socket,
                   gboolean      activated)
{
  ListenSocket *l = g_new0 (ListenSocket, 1);

  l->self = self;
  l->socket = g_object_ref (socket);
  l->activated = activated;
  g_socket_set_blocking (socket, FALSE);
  l->watch = wamp_reactor_add_fd (self->reactor, g_socket_get_fd (socket), WAMP_REACTOR_READ,
                                  listen_cb, l);
  g_ptr_array_add (self->sockets, l);
}

/* Config */

static gboolean
set_config_error (GError     **error,
                  const char  *path,
                  const char  *key,
                  const char  *message)
{
  g_autofree char *where = wamp_config_path_key (path, key);

  g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID, "%s: %s", where, message);
  return FALSE;
}

/* Parses "0660" (octal digits only, at most 0777). */
static gboolean
parse_mode (const char *text,
            int        *out)
{
  gsize len = strlen (text);
  int mode = 0;

  if (len < 3 || len > 4)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (text[i] < '0' || text[i] > '7')
        return FALSE;
      mode = mode * 8 + (text[i] - '0');
    }
  if (mode > 0777)
    return FALSE;
  *out = mode;
  return TRUE;
}

/* A readable file, or an error naming the JSON path, the file and why. */
static gboolean
check_readable (const char  *file,
                const char  *path,
                const char  *key,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *message = NULL;

  if (g_file_get_contents (file, &contents, NULL, &local_error))
    return TRUE;
  /* TRANSLATORS: a file name and the system's reason */
  message = g_strdup_printf (_("cannot read \"%s\": %s"), file, local_error->message);
  return set_config_error (error, path, key, message);
}

/* GIO does not say whether a key belongs to its certificate; GnuTLS checks
 * the pair when it is loaded into credentials. */
static gboolean
check_key_matches (const char  *certificate_file,
                   const char  *key_file,
                   const char  *path,
                   GError     **error)
{
  gnutls_certificate_credentials_t credentials;
  g_autofree char *message = NULL;
  int rc;

  if (gnutls_certificate_allocate_credentials (&credentials) < 0)
    return TRUE; /* out of memory: the handshake will say */
  rc = gnutls_certificate_set_x509_key_file2 (credentials, certificate_file, key_file,
                                              GNUTLS_X509_FMT_PEM, NULL, 0);
  gnutls_certificate_free_credentials (credentials);
  if (rc >= 0)
    return TRUE;
  if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
    /* TRANSLATORS: two file names */
    message = g_strdup_printf (_("the key in \"%s\" does not match the certificate in \"%s\""),
                               key_file, certificate_file);
  else
    /* TRANSLATORS: a file name and the TLS library's reason */
    message = g_strdup_printf (_("cannot use \"%s\": %s"), key_file, gnutls_strerror (rc));
  return set_config_error (error, path, "key", message);
}

static gboolean
configure_tls (WampListener  *self,
               WampValue     *tls,
               const char    *tls_path,
               GError       **error)
{
  static const char *const keys[] = { "certificate", "key", "ca_certificates",
                                      "require_client_certificate", NULL };
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GList) ca_list = NULL;
  g_autofree char *message = NULL;
  const char *certificate_file, *key_file, *ca_file;
  gboolean require;

  if (!wamp_config_check_keys (tls, tls_path, keys, error) ||
      !wamp_config_get_string (tls, tls_path, "certificate", TRUE, NULL, &certificate_file, error) ||
      !wamp_config_get_string (tls, tls_path, "key", TRUE, NULL, &key_file, error) ||
      !wamp_config_get_string (tls, tls_path, "ca_certificates", FALSE, NULL, &ca_file, error) ||
      !wamp_config_get_bool (tls, tls_path, "require_client_certificate", FALSE, FALSE,
                             &require, error))
    return FALSE;

  if (g_tls_backend_get_default () == NULL ||
      !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    return set_config_error (error, tls_path, "certificate",
                             _("TLS is not available (is glib-networking installed?)"));

  if (!check_readable (certificate_file, tls_path, "certificate", error))
    return FALSE;
  /* The certificate alone first, so a bad one is reported as such. */
  certificate = g_tls_certificate_new_from_file (certificate_file, &local_error);
  if (certificate == NULL)
    {
      /* TRANSLATORS: a file name and the TLS library's reason */
      message = g_strdup_printf (_("\"%s\" holds no usable certificate: %s"),
                                 certificate_file, local_error->message);
      return set_config_error (error, tls_path, "certificate", message);
    }
  g_clear_object (&certificate);

  if (!check_readable (key_file, tls_path, "key", error))
    return FALSE;
  certificate = g_tls_certificate_new_from_files (certificate_file, key_file, &local_error);
  if (certificate == NULL)
    {
      /* TRANSLATORS: a file name and the TLS library's reason */
      message = g_strdup_printf (_("\"%s\" holds no usable private key: %s"),
                                 key_file, local_error->message);
      return set_config_error (error, tls_path, "key", message);
    }
  if (!check_key_matches (certificate_file, key_file, tls_path, error))
    return FALSE;

  if (ca_file != NULL)
    {
      if (!check_readable (ca_file, tls_path, "ca_certificates", error))
        return FALSE;
      ca_list = g_tls_certificate_list_new_from_file (ca_file, &local_error);
      if (ca_list == NULL)
        {
          /* TRANSLATORS: a file name and the TLS library's reason (may be empty) */
          message = g_strdup_printf (_("\"%s\" holds no usable certificate: %s"), ca_file,
                                     local_error != NULL ? local_error->message
                                                         : _("no PEM certificate found"));
          return set_config_error (error, tls_path, "ca_certificates", message);
        }
      g_list_free_full (g_steal_pointer (&ca_list), g_object_unref);
      database = g_tls_file_database_new (ca_file, &local_error);
      if (database == NULL)
        {
          message = g_strdup_printf (_("\"%s\" holds no usable certificate: %s"), ca_file,
                                     local_error->message);
          return set_config_error (error, tls_path, "ca_certificates", message);
        }
    }
  else if (require)
    return set_config_error (error, tls_path, "require_client_certificate",
                             _("needs \"ca_certificates\" to verify client certificates against"));

  g_set_object (&self->certificate, certificate);
  g_set_object (&self->ca_database, database);
  self->require_client_certificate = require;
  return TRUE;
}

gboolean
wamp_listener_configure (WampListener  *self,
                         WampValue     *endpoint,
                         const char    *endpoint_path,
                         GError       **error)
{
  static const char *const types[] = { "tcp", "unix", NULL };
  static const char *const tcp_keys[] = { "type", "host", "port", "backlog", "tls", NULL };
  static const char *const unix_keys[] = { "type", "path", "mode", "backlog", NULL };
  g_autofree char *tls_path = NULL;
  const char *type, *host = NULL, *path = NULL, *mode_text = NULL;
  guint64 port = 0, backlog;
  WampValue *tls = NULL;
  int mode = -1;
  gboolean is_unix;

  g_return_val_if_fail (WAMP_IS_LISTENER (self), FALSE);
  g_return_val_if_fail (endpoint != NULL, FALSE);
  g_return_val_if_fail (endpoint_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->started)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           "a listener cannot be configured while it listens");
      return FALSE;
    }
  if (wamp_value_get_value_type (endpoint) != WAMP_VALUE_DICT)
    {
      g_set_error (error, WAMP_CONFIG_ERROR, WAMP_CONFIG_ERROR_INVALID, _("%s: must be an object"),
                   endpoint_path);
      return FALSE;
    }
  if (!wamp_config_get_enum (endpoint, endpoint_path, "type", FALSE, "tcp", types, &type, error))
    return FALSE;
  is_unix = g_str_equal (type, "unix");

  if (!wamp_config_check_keys (endpoint, endpoint_path, is_unix ? unix_keys : tcp_keys, error) ||
      !wamp_config_get_uint (endpoint, endpoint_path, "backlog", FALSE, DEFAULT_BACKLOG, 1,
                             65535, &backlog, error))
    return FALSE;

  if (is_unix)
    {
      if (!wamp_config_get_string (endpoint, endpoint_path, "path", TRUE, NULL, &path, error) ||
          !wamp_config_get_string (endpoint, endpoint_path, "mode", FALSE, NULL, &mode_text, error))
        return FALSE;
      if (path[0] == '\0' || strlen (path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
        return set_config_error (error, endpoint_path, "path",
                                 _("must be a non-empty path shorter than 108 bytes"));
      if (mode_text != NULL && !parse_mode (mode_text, &mode))
        return set_config_error (error, endpoint_path, "mode",
                                 _("must be an octal file mode such as \"0660\""));
    }
  else
    {
      if (!wamp_config_get_string (endpoint, endpoint_path, "host", FALSE, "127.0.0.1", &host,
                                   error) ||
          !wamp_config_get_uint (endpoint, endpoint_path, "port", TRUE, 0, 0, 65535, &port, error) ||
          !wamp_config_get_dict (endpoint, endpoint_path, "tls", FALSE, &tls, error))
        return FALSE;
      if (host[0] == '\0')
        return set_config_error (error, endpoint_path, "host", _("must not be empty"));
    }

  g_clear_object (&self->certificate);
  g_clear_object (&self->ca_database);
  self->require_client_certificate = FALSE;
  if (tls != NULL)
    {
      tls_path = wamp_config_path_key (endpoint_path, "tls");
      if (!configure_tls (self, tls, tls_path, error))
        return FALSE;
    }

  self->type = is_unix ? WAMP_LISTENER_ENDPOINT_UNIX : WAMP_LISTENER_ENDPOINT_TCP;
  g_free (self->host);
  self->host = g_strdup (host);
  self->port = (guint16) port;
  g_free (self->unix_path);
  self->unix_path = g_strdup (path);
  self->unix_mode = mode;
  self->backlog = (int) backlog;
  return TRUE;
}

/* Binding */

static GList *
resolve_host (const char  *host,
              GError     **error)
{
  GInetAddress *addr = g_inet_address_new_from_string (host);

  if (addr != NULL)
    return g_list_append (NULL, addr);
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return g_list_append (g_list_append (NULL, g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4)),
                          g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6));
  /* Start-up only, before anything is served: a blocking lookup is fine. */
  return g_resolver_lookup_by_name (g_resolver_get_default (), host, NULL, error);
}

static GSocket *
bind_tcp (WampListener  *self,
          GInetAddress  *inet,
          guint16        port,
          gboolean       v6_only,
          GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (inet, port);

  socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  /* Several addresses of one name: each family gets its own socket, so "::"
   * must not claim the IPv4 port as well. */
  if (v6_only && g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL);
  /* libsoup's and GSocketListener's backlog of 10 makes mass connects crawl. */
  g_socket_set_listen_backlog (socket, self->backlog);
  if (!g_socket_bind (socket, addr, TRUE, error) || !g_socket_listen (socket, error))
    return NULL;
  return g_steal_pointer (&socket);
}

static guint16
socket_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) addr = g_socket_get_local_address (socket, NULL);

  if (!G_IS_INET_SOCKET_ADDRESS (addr))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
}

static gboolean
start_tcp (WampListener  *self,
           GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GList *addrs = resolve_host (self->host, &local_error);
  gboolean is_literal = g_hostname_is_ip_address (self->host);
  guint16 port = self->port;
  g_autofree char *skipped = NULL;

  if (addrs == NULL)
    {
      /* TRANSLATORS: a host name and the resolver's reason */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND, _("cannot resolve %s: %s"),
                   self->host, local_error->message);
      return FALSE;
    }

  /* With port 0 every address shares the port the first bind got. */
  for (GList *l = addrs; l != NULL; l = l->next)
    {
      g_autofree char *where = g_inet_address_to_string (l->data);
      g_autoptr(GSocket) socket = NULL;

      g_clear_error (&local_error);
      socket = bind_tcp (self, l->data, port, addrs->next != NULL, &local_error);
      if (socket == NULL)
        {
          /* A name may resolve to a family this host cannot serve (::1
           * without IPv6): skip that address unless it is all there is. */
          if (!is_literal && self->sockets->len + (l->next != NULL) > 0 &&
              (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED) ||
               local_error->code == G_IO_ERROR_FAILED))
            {
              g_debug ("%s: skipping %s: %s", self->transport_name, where, local_error->message);
              g_free (skipped);
              skipped = g_strdup (local_error->message);
              continue;
            }
          g_set_error (error, local_error->domain, local_error->code,
                       /* TRANSLATORS: an address, a port and the system's reason */
                       _("cannot listen on %s port %u: %s"), where, port, local_error->message);
          g_list_free_full (addrs, g_object_unref);
          return FALSE;
        }
      port = socket_port (socket);
      add_listen_socket (self, socket, FALSE);
      g_debug ("%s: listening on %s port %u", self->transport_name, where, port);
    }
  g_list_free_full (addrs, g_object_unref);
  if (self->sockets->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("cannot listen on %s port %u: %s"),
                   self->host, self->port, skipped != NULL ? skipped : "");
      return FALSE;
    }
  return TRUE;
}

/* An existing socket file nobody accepts on is left over from a crash. */
static gboolean
remove_stale_socket (const char  *path,
                     GError     **error)
{
  struct sockaddr_un sun = { .sun_family = AF_UNIX };
  struct stat st;
  int fd, rc, errsv;

  if (lstat (path, &st) < 0)
    {
      errsv = errno;
      if (errsv == ENOENT)
        return TRUE;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   /* TRANSLATORS: a path and the system's reason */
                   _("cannot use %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  if (!S_ISSOCK (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("cannot use %s: it exists and is not a socket"), path);
      return FALSE;
    }

  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "socket: %s",
                   g_strerror (errsv));
      return FALSE;
    }
  g_strlcpy (sun.sun_path, path, sizeof sun.sun_path);
  rc = connect (fd, (struct sockaddr *) &sun, sizeof sun);
  errsv = errno;
  close (fd);
  /* EAGAIN: somebody listens with a full backlog. */
  if (rc == 0 || errsv == EAGAIN || errsv == EINPROGRESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                   _("cannot use %s: in use by another process"), path);
      return FALSE;
    }
  if (errsv != ECONNREFUSED)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), _("cannot use %s: %s"),
                   path, g_strerror (errsv));
      return FALSE;
    }
  g_debug ("removing stale socket %s", path);
  if (g_unlink (path) < 0 && errno != ENOENT)
    {
      errsv = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("cannot remove the stale socket %s: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_unix (WampListener  *self,
            GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new (self->unix_path);
  g_autoptr(GError) local_error = NULL;
  struct stat st;

  if (!remove_stale_socket (self->unix_path, error))
    return FALSE;
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                         error);
  if (socket == NULL)
    return FALSE;
  g_socket_set_listen_backlog (socket, self->backlog);
  if (!g_socket_bind (socket, addr, FALSE, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   /* TRANSLATORS: a path and the system's reason */
                   _("cannot listen on %s: %s"), self->unix_path, local_error->message);
      return FALSE;
    }
  /* Before listen(): nobody can connect while the mode is still the umask's. */
  if (self->unix_mode >= 0 && g_chmod (self->unix_path, (mode_t) self->unix_mode) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("cannot set the mode of %s: %s"), self->unix_path, g_strerror (errsv));
      g_unlink (self->unix_path);
      return FALSE;
    }
  if (!g_socket_listen (socket, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, _("cannot listen on %s: %s"),
                   self->unix_path, local_error->message);
      g_unlink (self->unix_path);
      return FALSE;
    }
  if (stat (self->unix_path, &st) == 0)
    {
      self->unlink_on_stop = TRUE;
      self->unix_dev = st.st_dev;
      self->unix_ino = st.st_ino;
    }
  add_listen_socket (self, socket, FALSE);
  g_debug ("%s: listening on %s", self->transport_name, self->unix_path);
  return TRUE;
}

gboolean
wamp_listener_start (WampListener  *self,
                     GError       **error)
{
  g_autoptr(GPtrArray) activated = NULL;
  gboolean ok;

  g_return_val_if_fail (WAMP_IS_LISTENER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->type == WAMP_LISTENER_ENDPOINT_NONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           "listener started before configure");
      return FALSE;
    }
  if (self->started)
    return TRUE;

  activated = claim_activated_sockets (self);
  if (activated->len > 0)
    {
      for (guint i = 0; i < activated->len; i++)
        add_listen_socket (self, activated->pdata[i], TRUE);
      g_debug ("%s: accepting on %u activated socket(s)", self->transport_name, activated->len);
      self->started = TRUE;
      return TRUE;
    }

  ok = self->type == WAMP_LISTENER_ENDPOINT_UNIX ? start_unix (self, error)
                                                 : start_tcp (self, error);
  if (!ok)
    {
      g_ptr_array_set_size (self->sockets, 0);
      return FALSE;
    }
  self->started = TRUE;
  return TRUE;
}

void
wamp_listener_stop (WampListener *self)
{
  GHashTableIter iter;
  gpointer h;
  struct stat st;

  g_return_if_fail (WAMP_IS_LISTENER (self));

  self->generation++;
  g_hash_table_iter_init (&iter, self->handshakes);
  while (g_hash_table_iter_next (&iter, &h, NULL))
    {
      g_hash_table_iter_steal (&iter);
      handshake_abandon (h);
    }
  g_ptr_array_set_size (self->sockets, 0);
  /* Only the file we created: a newer listener may have replaced it. */
  if (self->unlink_on_stop && stat (self->unix_path, &st) == 0 &&
      st.st_dev == self->unix_dev && st.st_ino == self->unix_ino)
    g_unlink (self->unix_path);
  self->unlink_on_stop = FALSE;
  self->started = FALSE;
}

void
wamp_listener_set_accept_func (WampListener           *self,
                               WampListenerAcceptFunc  func,
                               gpointer                user_data,
                               GDestroyNotify          destroy)
{
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (WAMP_IS_LISTENER (self));

  old_destroy = self->accept_destroy;
  old_data = self->accept_data;
  self->accept_func = func;
  self->accept_data = user_data;
  self->accept_destroy = destroy;
  if (old_destroy != NULL)
    old_destroy (old_data);
}

void
wamp_listener_set_handshake_timeout (WampListener *self,
                                     guint         timeout_ms)
{
  g_return_if_fail (WAMP_IS_LISTENER (self));
  g_return_if_fail (timeout_ms > 0);
  self->handshake_timeout_ms = timeout_ms;
}

/* "rawsocket+tcp" → "rawsocket", "ws" → "ws". */
static char *
scheme_base (const char *scheme)
{
  if (g_str_has_suffix (scheme, "+tcp"))
    return g_strndup (scheme, strlen (scheme) - strlen ("+tcp"));
  return g_strdup (scheme);
}

GStrv
wamp_listener_get_urls (WampListener *self,
                        const char   *scheme,
                        const char   *tls_scheme,
                        const char   *path_suffix)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (WAMP_IS_LISTENER (self), NULL);
  g_return_val_if_fail (scheme != NULL, NULL);
  g_return_val_if_fail (tls_scheme != NULL, NULL);

  if (path_suffix == NULL)
    path_suffix = "";
  for (guint i = 0; i < self->sockets->len; i++)
    {
      ListenSocket *l = self->sockets->pdata[i];
      g_autoptr(GSocketAddress) addr = g_socket_get_local_address (l->socket, NULL);
      const char *use_scheme = self->certificate != NULL ? tls_scheme : scheme;
      g_autofree char *url = NULL;

      if (G_IS_INET_SOCKET_ADDRESS (addr))
        {
          GInetAddress *inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
          guint port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
          g_autofree char *host = g_inet_address_to_string (inet);

          if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
            url = g_strdup_printf ("%s://[%s]:%u%s", use_scheme, host, port, path_suffix);
          else
            url = g_strdup_printf ("%s://%s:%u%s", use_scheme, host, port, path_suffix);
        }
      else if (G_IS_UNIX_SOCKET_ADDRESS (addr))
        {
          g_autofree char *base = scheme_base (scheme);

          url = g_strdup_printf ("%s+unix://%s", base,
                                 g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (addr)));
        }
      if (url != NULL)
        g_strv_builder_add (builder, url);
    }
  return g_strv_builder_end (builder);
}

gboolean
wamp_listener_is_tls (WampListener *self)
{
  g_return_val_if_fail (WAMP_IS_LISTENER (self), FALSE);
  return self->certificate != NULL;
}

WampListenerEndpointType
wamp_listener_get_endpoint_type (WampListener *self)
{
  g_return_val_if_fail (WAMP_IS_LISTENER (self), WAMP_LISTENER_ENDPOINT_NONE);
  return self->type;
}

const char *
wamp_listener_get_transport_name (WampListener *self)
{
  g_return_val_if_fail (WAMP_IS_LISTENER (self), NULL);
  return self->transport_name;
}

WampListener *
wamp_listener_new (WampReactor *reactor,
                   const char  *transport_name)
{
  WampListener *self;

  g_return_val_if_fail (WAMP_IS_REACTOR (reactor), NULL);
  g_return_val_if_fail (transport_name != NULL, NULL);

  self = g_object_new (WAMP_TYPE_LISTENER, NULL);
  self->reactor = g_object_ref (reactor);
  self->transport_name = g_strdup (transport_name);
  return self;
}

/* GObject */

static void
wamp_listener_dispose (GObject *object)
{
  WampListener *self = WAMP_LISTENER (object);

  wamp_listener_stop (self);
  wamp_listener_set_accept_func (self, NULL, NULL, NULL);
  G_OBJECT_CLASS (wamp_listener_parent_class)->dispose (object);
}

static void
wamp_listener_finalize (GObject *object)
{
  WampListener *self = WAMP_LISTENER (object);

  g_clear_pointer (&self->sockets, g_ptr_array_unref);
  g_clear_pointer (&self->handshakes, g_hash_table_unref);
  g_clear_object (&self->certificate);
  g_clear_object (&self->ca_database);
  g_clear_object (&self->reactor);
  g_free (self->transport_name);
  g_free (self->host);
  g_free (self->unix_path);

  G_OBJECT_CLASS (wamp_listener_parent_class)->finalize (object);
}

static void
wamp_listener_class_init (WampListenerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = wamp_listener_dispose;
  object_class->finalize = wamp_listener_finalize;
}

static void
wamp_listener_init (WampListener *self)
{
  self->sockets = g_ptr_array_new_with_free_func ((GDestroyNotify) listen_socket_free);
  self->handshakes = g_hash_table_new (NULL, NULL);
  self->unix_mode = -1;
  self->backlog = DEFAULT_BACKLOG;
  self->handshake_timeout_ms = WAMP_LISTENER_DEFAULT_HANDSHAKE_TIMEOUT_MS;
}
