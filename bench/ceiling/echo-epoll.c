/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampbench-echo-epoll: the transport ceiling — a single-threaded echo
 * server for WAMP's WebSocket and RawSocket frames on raw level-triggered
 * epoll, the least CPU a transport can spend per frame. */

/* accept4() */
#define _GNU_SOURCE

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "echo-common.h"
#include "echo-session.h"

#define MAX_EVENTS 256
/* Accepts per wake-up, so a connection storm cannot starve the others. */
#define MAX_ACCEPTS 256
/* A peer that does not read stops being read from above this. */
#define OUTPUT_HIGH_WATER (1024 * 1024)
#define KEEP_OUTPUT (4 * ECHO_READ_CHUNK)

/* What an epoll event's data.ptr points at: each struct starts with one. */
typedef enum
{
  HANDLE_SIGNAL,
  HANDLE_LISTENER,
  HANDLE_CONNECTION,
} HandleKind;

typedef struct
{
  HandleKind kind;
  int fd;
} Handle;

typedef struct
{
  Handle handle;
  gboolean tcp;
} Listener;

typedef struct Connection Connection;
struct Connection
{
  Handle handle;
  uint32_t events; /* what epoll watches */
  gboolean closing; /* send what is pending, then close */
  EchoSession session;
  EchoBuffer output;
  Connection *prev, *next;
};

typedef struct
{
  int epoll_fd;
  Handle signal;
  Listener tcp;
  Listener unix_listener;
  char *unix_path; /* to unlink at exit: ours */
  Connection *connections;
  gboolean accept_failed; /* reported once, not on every wake-up */
} Server;

static gboolean
watch (Server   *server,
       Handle   *handle,
       uint32_t  events,
       GError  **error)
{
  struct epoll_event ev = { .events = events, .data.ptr = handle };

  if (epoll_ctl (server->epoll_fd, EPOLL_CTL_ADD, handle->fd, &ev) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "epoll_ctl: %s",
                   g_strerror (errsv));
      return FALSE;
    }
  return TRUE;
}

/* Connections */

static void
connection_close (Server     *server,
                  Connection *c)
{
  /* close() also drops the fd from the epoll set. */
  close (c->handle.fd);
  if (c->prev != NULL)
    c->prev->next = c->next;
  else
    server->connections = c->next;
  if (c->next != NULL)
    c->next->prev = c->prev;
  echo_session_clear (&c->session);
  echo_buffer_clear (&c->output);
  free (c);
}

/* One write of everything pending; FALSE when the connection is broken. */
static gboolean
connection_flush (Connection *c)
{
  ssize_t n = write (c->handle.fd, echo_buffer_peek (&c->output), echo_buffer_pending (&c->output));

  if (n < 0)
    return errno == EAGAIN || errno == EINTR;
  echo_buffer_consume (&c->output, (size_t) n);
  echo_buffer_trim (&c->output, KEEP_OUTPUT);
  return TRUE;
}

static void
connection_event (Server     *server,
                  Connection *c,
                  uint32_t    events)
{
  size_t pending;
  uint32_t want = 0;

  /* One read: a short one means the socket is drained, and level
   * triggering wakes us again when it is not. */
  if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (c->events & EPOLLIN))
    {
      size_t room;
      uint8_t *space = echo_session_read_space (&c->session, &room);
      ssize_t n;

      if (space == NULL)
        {
          connection_close (server, c);
          return;
        }
      n = read (c->handle.fd, space, room);
      if (n > 0)
        {
          EchoSessionResult res = echo_session_commit (&c->session, (size_t) n, &c->output);

          if (res == ECHO_SESSION_FAIL)
            {
              connection_close (server, c);
              return;
            }
          if (res == ECHO_SESSION_CLOSE)
            c->closing = TRUE;
        }
      else if (n == 0)
        c->closing = TRUE;
      else if (errno != EAGAIN && errno != EINTR)
        {
          connection_close (server, c);
          return;
        }
    }

  if (echo_buffer_pending (&c->output) > 0 && !connection_flush (c))
    {
      connection_close (server, c);
      return;
    }
  pending = echo_buffer_pending (&c->output);
  if (c->closing && pending == 0)
    {
      connection_close (server, c);
      return;
    }

  if (!c->closing && pending < OUTPUT_HIGH_WATER)
    want |= EPOLLIN;
  if (pending > 0)
    want |= EPOLLOUT;
  if (want != c->events)
    {
      struct epoll_event ev = { .events = want, .data.ptr = c };

      if (epoll_ctl (server->epoll_fd, EPOLL_CTL_MOD, c->handle.fd, &ev) < 0)
        {
          connection_close (server, c);
          return;
        }
      c->events = want;
    }
}

static void
accept_connections (Server   *server,
                    Listener *listener)
{
  for (guint i = 0; i < MAX_ACCEPTS; i++)
    {
      int fd = accept4 (listener->handle.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
      int one = 1;
      Connection *c;

      if (fd < 0)
        {
          if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED && !server->accept_failed)
            {
              g_printerr ("accept: %s\n", g_strerror (errno));
              server->accept_failed = TRUE;
            }
          return;
        }
      if (listener->tcp)
        setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      c = calloc (1, sizeof *c);
      if (c == NULL)
        {
          close (fd);
          return;
        }
      c->handle.kind = HANDLE_CONNECTION;
      c->handle.fd = fd;
      c->events = EPOLLIN;
      echo_session_init (&c->session);
      if (!watch (server, &c->handle, c->events, NULL))
        {
          close (fd);
          free (c);
          continue;
        }
      c->next = server->connections;
      if (c->next != NULL)
        c->next->prev = c;
      server->connections = c;
    }
}

/* Setup and teardown */

static gboolean
listen_on (Server          *server,
           Listener        *listener,
           GSocketAddress  *address,
           GError         **error)
{
  struct sockaddr_storage native;
  gssize len = g_socket_address_get_native_size (address);
  int one = 1;
  int fd;

  if (!g_socket_address_to_native (address, &native, sizeof native, error))
    return FALSE;
  fd = socket (native.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  listener->handle.kind = HANDLE_LISTENER;
  listener->handle.fd = fd;
  listener->tcp = native.ss_family != AF_UNIX;
  if (fd < 0 ||
      (listener->tcp && setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) ||
      bind (fd, (struct sockaddr *) &native, (socklen_t) len) < 0 ||
      listen (fd, ECHO_LISTEN_BACKLOG) < 0)
    {
      int errsv = errno;
      g_autofree char *name = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address));

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "cannot listen on %s: %s",
                   name, g_strerror (errsv));
      return FALSE;
    }
  return watch (server, &listener->handle, EPOLLIN, error);
}

static guint16
bound_port (int fd)
{
  struct sockaddr_storage addr;
  socklen_t len = sizeof addr;

  if (getsockname (fd, (struct sockaddr *) &addr, &len) < 0)
    return 0;
  if (addr.ss_family == AF_INET6)
    return ntohs (((struct sockaddr_in6 *) &addr)->sin6_port);
  return ntohs (((struct sockaddr_in *) &addr)->sin_port);
}

static gboolean
server_start (Server       *server,
              EchoOptions  *options,
              GError      **error)
{
  g_autoptr(GSocketAddress) tcp_address = NULL;
  sigset_t mask;

  /* SIGTERM and SIGINT arrive as readable data on the epoll set. */
  sigemptyset (&mask);
  sigaddset (&mask, SIGTERM);
  sigaddset (&mask, SIGINT);
  sigprocmask (SIG_BLOCK, &mask, NULL);
  server->signal.kind = HANDLE_SIGNAL;
  server->signal.fd = signalfd (-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  server->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (server->signal.fd < 0 || server->epoll_fd < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "epoll/signalfd: %s",
                   g_strerror (errsv));
      return FALSE;
    }
  if (!watch (server, &server->signal, EPOLLIN, error))
    return FALSE;

  tcp_address = echo_options_get_tcp_address (options, error);
  if (tcp_address == NULL || !listen_on (server, &server->tcp, tcp_address, error))
    return FALSE;
  if (options->unix_path != NULL)
    {
      g_autoptr(GSocketAddress) unix_address = g_unix_socket_address_new (options->unix_path);

      if (!echo_remove_stale_socket (options->unix_path, error) ||
          !listen_on (server, &server->unix_listener, unix_address, error))
        return FALSE;
      server->unix_path = g_strdup (options->unix_path);
    }
  return echo_write_ready_file (options, bound_port (server->tcp.handle.fd), error);
}

static void
server_run (Server *server)
{
  struct epoll_event events[MAX_EVENTS];

  for (;;)
    {
      int n = epoll_wait (server->epoll_fd, events, MAX_EVENTS, -1);

      if (n < 0 && errno != EINTR)
        {
          g_printerr ("epoll_wait: %s\n", g_strerror (errno));
          return;
        }
      /* Each connection is in the set once, so closing it while handling
       * its event cannot leave a stale pointer in this batch. */
      for (int i = 0; i < n; i++)
        {
          Handle *handle = events[i].data.ptr;

          switch (handle->kind)
            {
            case HANDLE_SIGNAL:
              return;
            case HANDLE_LISTENER:
              accept_connections (server, (Listener *) handle);
              break;
            case HANDLE_CONNECTION:
              connection_event (server, (Connection *) handle, events[i].events);
              break;
            default:
              g_assert_not_reached ();
            }
        }
    }
}

static void
server_clear (Server *server)
{
  while (server->connections != NULL)
    connection_close (server, server->connections);
  if (server->tcp.handle.fd >= 0)
    close (server->tcp.handle.fd);
  if (server->unix_listener.handle.fd >= 0)
    close (server->unix_listener.handle.fd);
  if (server->unix_path != NULL)
    g_unlink (server->unix_path);
  g_clear_pointer (&server->unix_path, g_free);
  if (server->signal.fd >= 0)
    close (server->signal.fd);
  if (server->epoll_fd >= 0)
    close (server->epoll_fd);
}

int
main (int   argc,
      char *argv[])
{
  EchoOptions options = { 0 };
  Server server = {
    .epoll_fd = -1,
    .signal.fd = -1,
    .tcp.handle.fd = -1,
    .unix_listener.handle.fd = -1,
  };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!echo_options_parse (&options, "Echoes WAMP WebSocket and RawSocket frames (epoll).",
                           &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      echo_options_clear (&options);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  echo_raise_fd_limit ();

  ok = server_start (&server, &options, &error);
  if (ok)
    server_run (&server);
  else
    g_printerr ("%s: %s\n", g_get_prgname (), error->message);
  server_clear (&server);
  echo_options_clear (&options);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
