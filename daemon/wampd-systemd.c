/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampd's systemd glue: sd_notify (READY, STATUS, RELOADING, STOPPING,
 * WATCHDOG) and socket activation, through libsystemd when wampd is built
 * with it (meson option "systemd"), no-ops otherwise. */
#include "config.h"

#include <inttypes.h>
#include <unistd.h>

#include <gio/gio.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "wampd-systemd.h"

/* STATUS= is sent at most this often; it is a human-readable line in
 * `systemctl status`, not a metric. */
#define STATUS_MIN_INTERVAL_US G_USEC_PER_SEC

struct _WampdSystemd
{
  WampRouter *router;    /* weak: NULL once finalized */
  gulong joined_handler;
  gulong left_handler;
  gboolean notify;       /* NOTIFY_SOCKET is set: somebody listens */
  gboolean ready;
  guint watchdog_id;
  guint status_poll_id;
  guint status_timeout_id;
  gint64 status_sent_us;
  guint sent_realms;
  guint sent_sessions;
};

#ifdef HAVE_LIBSYSTEMD
static void
notify (WampdSystemd *self, const char *state)
{
  int r;

  if (!self->notify)
    return;
  r = sd_notify (0, state);
  if (r < 0)
    g_debug ("sd_notify: %s", g_strerror (-r));
}
#else
static void
notify (WampdSystemd *self, const char *state)
{
}
#endif

static void
count_sessions (WampdSystemd *self, guint *n_realms, guint *n_sessions)
{
  g_autoptr (GPtrArray) realms = NULL;

  *n_realms = 0;
  *n_sessions = 0;
  if (self->router == NULL)
    return;
  realms = wamp_router_list_realms (self->router);
  *n_realms = realms->len;
  for (guint i = 0; i < realms->len; i++)
    *n_sessions += wamp_realm_get_n_sessions (g_ptr_array_index (realms, i));
}

/* Returns: (transfer full) (nullable): "STATUS=…" with the current counts,
 * NULL when @only_if_changed and they are what was sent last. */
static char *
take_status (WampdSystemd *self, gboolean only_if_changed)
{
  guint n_realms, n_sessions;

  count_sessions (self, &n_realms, &n_sessions);
  if (only_if_changed && n_realms == self->sent_realms && n_sessions == self->sent_sessions)
    return NULL;
  self->sent_realms = n_realms;
  self->sent_sessions = n_sessions;
  self->status_sent_us = g_get_monotonic_time ();
  return g_strdup_printf ("STATUS=Serving %u realm(s), %u session(s)", n_realms, n_sessions);
}

/* READY=1 and the status in one message, so systemd shows both at once. */
static void
send_ready (WampdSystemd *self)
{
  g_autofree char *status = take_status (self, FALSE);
  g_autofree char *state = g_strconcat ("READY=1\n", status, NULL);

  notify (self, state);
}

static gboolean
status_timeout_cb (gpointer user_data)
{
  WampdSystemd *self = user_data;
  g_autofree char *status = NULL;

  self->status_timeout_id = 0;
  status = take_status (self, TRUE);
  if (status != NULL)
    notify (self, status);
  return G_SOURCE_REMOVE;
}

void
wampd_systemd_status_changed (WampdSystemd *self)
{
  gint64 due_us;

  if (!self->notify || !self->ready || self->status_timeout_id != 0)
    return;
  due_us = self->status_sent_us + STATUS_MIN_INTERVAL_US - g_get_monotonic_time ();
  self->status_timeout_id = g_timeout_add (due_us > 0 ? (guint) (due_us / 1000) + 1 : 0,
                                           status_timeout_cb, self);
}

/* Without the router's join/leave signals (libwampcore before they were
 * added), the counts are compared once a second instead: a walk over the
 * realms, not the sessions. */
static gboolean
status_poll_cb (gpointer user_data)
{
  wampd_systemd_status_changed (user_data);
  return G_SOURCE_CONTINUE;
}

static void
session_joined_or_left_cb (WampRouter *router, WampSession *session, gpointer user_data)
{
  wampd_systemd_status_changed (user_data);
}

/* Looked up at run time, so this file builds against a core with or
 * without them. */
static gboolean
connect_session_signals (WampdSystemd *self)
{
  if (g_signal_lookup ("session-joined", WAMP_TYPE_ROUTER) == 0
      || g_signal_lookup ("session-left", WAMP_TYPE_ROUTER) == 0)
    return FALSE;
  self->joined_handler = g_signal_connect (self->router, "session-joined",
                                           G_CALLBACK (session_joined_or_left_cb), self);
  self->left_handler = g_signal_connect (self->router, "session-left",
                                         G_CALLBACK (session_joined_or_left_cb), self);
  return TRUE;
}

#ifdef HAVE_LIBSYSTEMD
/* A main-loop timer on purpose: a ping proves the main loop still turns,
 * which is what the router's liveness depends on. */
static gboolean
watchdog_cb (gpointer user_data)
{
  notify (user_data, "WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}
#endif

WampdSystemd *
wampd_systemd_new (WampRouter *router)
{
  WampdSystemd *self = g_new0 (WampdSystemd, 1);

  self->router = router;
  /* The daemon may drop the router first: its signal handlers go with it. */
  g_object_add_weak_pointer (G_OBJECT (router), (gpointer *) &self->router);
#ifdef HAVE_LIBSYSTEMD
  {
    uint64_t watchdog_usec = 0;

    self->notify = g_getenv ("NOTIFY_SOCKET") != NULL;
    /* sd_watchdog_enabled() checks WATCHDOG_PID against our PID. */
    if (self->notify && sd_watchdog_enabled (0, &watchdog_usec) > 0 && watchdog_usec > 0)
      {
        guint interval_ms = (guint) MAX (watchdog_usec / 2 / 1000, 1);

        g_info ("systemd watchdog: pinging every %u ms", interval_ms);
        self->watchdog_id = g_timeout_add (interval_ms, watchdog_cb, self);
      }
  }
#endif
  return self;
}

void
wampd_systemd_free (WampdSystemd *self)
{
  if (self == NULL)
    return;
  if (self->router != NULL)
    {
      g_clear_signal_handler (&self->joined_handler, self->router);
      g_clear_signal_handler (&self->left_handler, self->router);
      g_object_remove_weak_pointer (G_OBJECT (self->router), (gpointer *) &self->router);
    }
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->status_poll_id, g_source_remove);
  g_clear_handle_id (&self->status_timeout_id, g_source_remove);
  g_free (self);
}

void
wampd_systemd_notify_ready (WampdSystemd *self)
{
  if (!self->notify)
    return;
  send_ready (self);
  self->ready = TRUE;
  if (self->joined_handler != 0 || self->status_poll_id != 0)
    return;
  if (connect_session_signals (self))
    g_debug ("STATUS= follows the router's session-joined/session-left signals");
  else
    {
      g_debug ("STATUS= polls the session counts every second");
      self->status_poll_id = g_timeout_add_seconds (1, status_poll_cb, self);
    }
}

void
wampd_systemd_notify_reloading (WampdSystemd *self)
{
  g_autofree char *state = NULL;

  if (!self->notify)
    return;
  /* GLib's monotonic clock is CLOCK_MONOTONIC, the clock systemd expects. */
  state = g_strdup_printf ("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time ());
  notify (self, state);
}

void
wampd_systemd_notify_reloaded (WampdSystemd *self)
{
  if (!self->notify)
    return;
  send_ready (self);
}

void
wampd_systemd_notify_stopping (WampdSystemd *self)
{
  if (!self->notify)
    return;
  if (self->router != NULL)
    {
      g_clear_signal_handler (&self->joined_handler, self->router);
      g_clear_signal_handler (&self->left_handler, self->router);
    }
  g_clear_handle_id (&self->status_poll_id, g_source_remove);
  g_clear_handle_id (&self->status_timeout_id, g_source_remove);
  self->ready = FALSE;
  notify (self, "STOPPING=1\nSTATUS=Shutting down");
}

/* ---- socket activation ---------------------------------------------------- */

guint
wampd_systemd_take_activated_sockets (void)
{
#ifdef HAVE_LIBSYSTEMD
  g_auto (GStrv) names = NULL;
  int n;

  /* Unsets LISTEN_* so that nothing we might spawn takes them for its own;
   * sd_listen_fds checks that LISTEN_PID is us. */
  n = sd_listen_fds_with_names (1, &names);
  if (n < 0)
    {
      g_warning ("socket activation: %s", g_strerror (-n));
      return 0;
    }
  for (int i = 0; i < n; i++)
    {
      int fd = SD_LISTEN_FDS_START + i;
      const char *name = names != NULL && names[i] != NULL ? names[i] : "unknown";
      g_autoptr (GError) error = NULL;
      g_autoptr (GSocket) socket = NULL;

      if (sd_is_socket (fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
        {
          g_warning ("socket activation: passed file descriptor %d (name \"%s\") is not a listening "
                     "stream socket; closing it", fd, name);
          close (fd);
          continue;
        }
      socket = g_socket_new_from_fd (fd, &error);
      if (socket == NULL)
        {
          g_warning ("socket activation: file descriptor %d (name \"%s\"): %s", fd, name, error->message);
          close (fd);
          continue;
        }
#ifdef HAVE_WAMP_LISTENER
      g_info ("socket activation: file descriptor %d is for transport \"%s\"", fd, name);
      wamp_listener_add_activated_socket (name, socket);
#else
      g_warning ("socket activation: this wampd has no WampListener; ignoring the socket named \"%s\"",
                 name);
#endif
    }
  return (guint) n;
#else
  if (g_getenv ("LISTEN_FDS") != NULL)
    g_warning ("socket activation: wampd was built without libsystemd; ignoring the passed sockets");
  return 0;
#endif
}

void
wampd_systemd_warn_unused_sockets (WampRouter *router)
{
#if defined (HAVE_LIBSYSTEMD) && defined (HAVE_WAMP_LISTENER)
  g_auto (GStrv) unused = wamp_listener_get_unused_activated_names ();
  g_auto (GStrv) listeners = NULL;

  if (unused == NULL || unused[0] == NULL)
    return;
  listeners = wamp_router_get_listeners (router);
  for (guint i = 0; unused[i] != NULL; i++)
    {
      g_autofree char *prefix = g_strconcat (unused[i], " ", NULL);
      gboolean transport_exists = FALSE;

      /* Listener lines are "NAME URL". */
      for (guint j = 0; listeners != NULL && listeners[j] != NULL && !transport_exists; j++)
        transport_exists = g_str_has_prefix (listeners[j], prefix);
      if (transport_exists)
        g_warning ("socket activation: transport \"%s\" does not take passed sockets (its plugin "
                   "binds its own); the socket(s) named \"%s\" are not used", unused[i], unused[i]);
      else
        g_warning ("socket activation: no transport is named \"%s\"; its passed socket(s) are not used "
                   "(FileDescriptorName= must match a transport's \"name\")", unused[i]);
    }
  /* They stay registered: a transport of that name added by a reload
   * takes them then. */
#endif
}
