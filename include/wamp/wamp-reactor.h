/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampReactor: all connection I/O and per-connection timers on one GSource, so
 * an event-loop turn costs the same with 10 or 10,000 connections (rule 6). */
#pragma once

#if !defined (__WAMP_H_INSIDE__) && !defined (WAMP_COMPILATION)
#error "Only <wamp/wamp.h> can be included directly."
#endif

#include <glib-object.h>
#include <wamp/wamp-export.h>

G_BEGIN_DECLS

#define WAMP_TYPE_REACTOR (wamp_reactor_get_type ())
WAMP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (WampReactor, wamp_reactor, WAMP, REACTOR, GObject)

typedef enum {
  WAMP_REACTOR_READ = 1 << 0,
  WAMP_REACTOR_WRITE = 1 << 1,
  /* Reported, never requested: the peer hung up or the fd has an error. */
  WAMP_REACTOR_HANGUP = 1 << 2,
} WampReactorEvents;

/* Opaque handles, owned by the reactor: valid until removed/cancelled (for a
 * timer: until it has fired). */
typedef struct _WampReactorWatch WampReactorWatch;
typedef struct _WampReactorTimer WampReactorTimer;

typedef void (*WampReactorFdFunc) (WampReactor       *reactor,
                                   WampReactorWatch  *watch,
                                   int                fd,
                                   WampReactorEvents  events,
                                   gpointer           user_data);
typedef void (*WampReactorTimerFunc) (WampReactor *reactor, gpointer user_data);

/* @context: (nullable): the thread-default main context when NULL.
 * Attaches one GSource (epoll fd + timer deadline) to it. Returns: (transfer full). */
WAMP_AVAILABLE_IN_ALL
WampReactor *wamp_reactor_new (GMainContext *context);

/* Watches @fd (level-triggered) for @events. The fd stays the caller's: remove
 * the watch before closing it. Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampReactorWatch *wamp_reactor_add_fd (WampReactor       *reactor,
                                       int                fd,
                                       WampReactorEvents  events,
                                       WampReactorFdFunc  func,
                                       gpointer           user_data);
WAMP_AVAILABLE_IN_ALL
void wamp_reactor_modify_fd (WampReactor *reactor, WampReactorWatch *watch, WampReactorEvents events);
/* Safe from any callback, including the watch's own; no callback for @watch
 * runs afterwards. */
WAMP_AVAILABLE_IN_ALL
void wamp_reactor_remove_fd (WampReactor *reactor, WampReactorWatch *watch);

/* One-shot timer, @timeout_ms from now (monotonic). Returns: (transfer none). */
WAMP_AVAILABLE_IN_ALL
WampReactorTimer *wamp_reactor_add_timer (WampReactor          *reactor,
                                          guint                 timeout_ms,
                                          WampReactorTimerFunc  func,
                                          gpointer              user_data);
/* Safe from any callback; must not be called for a timer that already fired. */
WAMP_AVAILABLE_IN_ALL
void wamp_reactor_cancel_timer (WampReactor *reactor, WampReactorTimer *timer);

/* Runs @func once, on the next reactor dispatch (used to finish work outside a
 * caller's stack, e.g. closing a connection from inside its own read callback).
 * Returns: (transfer none): cancel with wamp_reactor_cancel_timer(). */
WAMP_AVAILABLE_IN_ALL
WampReactorTimer *wamp_reactor_defer (WampReactor *reactor, WampReactorTimerFunc func, gpointer user_data);

/* Number of fds watched and timers pending (for tests and statistics). */
WAMP_AVAILABLE_IN_ALL
guint wamp_reactor_get_n_watches (WampReactor *reactor);
WAMP_AVAILABLE_IN_ALL
guint wamp_reactor_get_n_timers (WampReactor *reactor);

typedef void (*WampReactorFlushFunc) (GObject *object);

/* A pending flush, embedded (zero-initialised) in the object it flushes.
 * Since: ABI 1.2 */
typedef struct {
  /*< private >*/
  GObject *object; /* referenced while pending */
  WampReactorFlushFunc func;
} WampReactorFlush;

/* Calls @func (@object) once at the end of the reactor's current dispatch,
 * after every ready fd and due timer of this turn was handled: a connection
 * that queues several frames in one turn so writes them with one writev.
 * While pending, @flush holds a reference to @object and further calls do
 * nothing; outside a dispatch @func runs at once. Since: ABI 1.2 */
WAMP_AVAILABLE_IN_ALL
void wamp_reactor_flush_soon (WampReactor          *reactor,
                              WampReactorFlush     *flush,
                              GObject              *object,
                              WampReactorFlushFunc  func);

G_END_DECLS
