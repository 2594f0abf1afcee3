/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wampd's systemd glue: readiness, status, reload and stop notifications,
 * the watchdog, and socket activation. Every call is a no-op when wampd was
 * built without libsystemd or runs outside systemd. */
#pragma once

#include <glib.h>
#include <wamp/wamp.h>

G_BEGIN_DECLS

typedef struct _WampdSystemd WampdSystemd;

/* Returns: (transfer full): the notifier for @router (transfer none; it
 * must outlive the notifier). Starts the watchdog pings when systemd asked
 * for them (WATCHDOG_USEC for this PID). */
WampdSystemd *wampd_systemd_new (WampRouter *router);
void wampd_systemd_free (WampdSystemd *self);

/* Sends READY=1 with the first STATUS= and from then on keeps STATUS=
 * (realm and session counts) current. Call once every listener is up. */
void wampd_systemd_notify_ready (WampdSystemd *self);
/* RELOADING=1 with MONOTONIC_USEC=now, before a reload. */
void wampd_systemd_notify_reloading (WampdSystemd *self);
/* READY=1 and STATUS= after a reload, whatever its outcome. */
void wampd_systemd_notify_reloaded (WampdSystemd *self);
/* STOPPING=1, when the orderly shutdown begins. */
void wampd_systemd_notify_stopping (WampdSystemd *self);
/* The session or realm counts may have changed: STATUS= is refreshed, at
 * most once per second. */
void wampd_systemd_status_changed (WampdSystemd *self);

/* Socket activation: takes the sockets systemd passed (LISTEN_FDS, checked
 * against LISTEN_PID, named by LISTEN_FDNAMES / FileDescriptorName=) and
 * hands each to the listener of the transport with that name, which then
 * accepts on it instead of binding. Call before the router starts. Returns
 * how many sockets were passed. */
guint wampd_systemd_take_activated_sockets (void);
/* After @router started: warns about passed sockets that no transport
 * took, naming them. */
void wampd_systemd_warn_unused_sockets (WampRouter *router);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WampdSystemd, wampd_systemd_free)

G_END_DECLS
