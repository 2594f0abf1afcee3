/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WampReactor: one GSource holding an epoll fd and a timer min-heap, so the
 * cost of a main-loop turn does not grow with the number of connections. */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <wamp/wamp.h>

/* Events harvested per epoll_wait(); more stay pending (level-triggered) and
 * make the epoll fd readable again for the next turn. */
#define MAX_EVENTS_PER_DISPATCH 256

#define TIMER_NOT_IN_HEAP G_MAXUINT

struct _WampReactorWatch
{
  int fd;
  WampReactorEvents events;
  WampReactorFdFunc func;
  gpointer user_data;
  gboolean dead;
  /* The reactor's list of live watches, so finalize frees forgotten ones. */
  WampReactorWatch *prev, *next;
};

struct _WampReactorTimer
{
  gint64 deadline; /* monotonic µs */
  guint64 seq;     /* FIFO among equal deadlines */
  guint heap_index;
  WampReactorTimerFunc func;
  gpointer user_data;
};

typedef struct
{
  GSource source;
  WampReactor *reactor; /* not referenced: the reactor owns the source */
} WampReactorSource;

struct _WampReactor
{
  GObject parent_instance;

  GMainContext *context;
  GSource *source;
  int epfd;

  guint n_watches;
  WampReactorWatch *watches;
  /* Watches removed while events of a batch may still point at them: freed
   * once the batch is done. */
  GPtrArray *dead_watches;
  gboolean dispatching;

  GPtrArray *heap; /* of WampReactorTimer*, min-heap on (deadline, seq) */
  guint64 next_seq;

  GPtrArray *flushes; /* of WampReactorFlush*, run at the end of a dispatch */
};

G_DEFINE_FINAL_TYPE (WampReactor, wamp_reactor, G_TYPE_OBJECT)

/* Timer heap */

static inline gboolean
timer_before (const WampReactorTimer *a, const WampReactorTimer *b)
{
  if (a->deadline != b->deadline)
    return a->deadline < b->deadline;
  return a->seq < b->seq;
}

static inline void
heap_set (GPtrArray *heap, guint i, WampReactorTimer *t)
{
  heap->pdata[i] = t;
  t->heap_index = i;
}

static void
heap_sift_up (GPtrArray *heap, guint i)
{
  WampReactorTimer *t = heap->pdata[i];

  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      WampReactorTimer *p = heap->pdata[parent];

      if (!timer_before (t, p))
        break;
      heap_set (heap, i, p);
      i = parent;
    }
  heap_set (heap, i, t);
}

static void
heap_sift_down (GPtrArray *heap, guint i)
{
  WampReactorTimer *t = heap->pdata[i];
  guint n = heap->len;

  for (;;)
    {
      guint l = 2 * i + 1;
      guint r = l + 1;
      guint m = l;

      if (l >= n)
        break;
      if (r < n && timer_before (heap->pdata[r], heap->pdata[l]))
        m = r;
      if (!timer_before (heap->pdata[m], t))
        break;
      heap_set (heap, i, heap->pdata[m]);
      i = m;
    }
  heap_set (heap, i, t);
}

static void
heap_push (GPtrArray *heap, WampReactorTimer *t)
{
  g_ptr_array_add (heap, t);
  t->heap_index = heap->len - 1;
  heap_sift_up (heap, heap->len - 1);
}

static void
heap_remove (GPtrArray *heap, WampReactorTimer *t)
{
  guint i = t->heap_index;
  WampReactorTimer *last;

  g_assert (i < heap->len && heap->pdata[i] == t);
  last = g_ptr_array_steal_index_fast (heap, heap->len - 1);
  t->heap_index = TIMER_NOT_IN_HEAP;
  if (last == t)
    return;
  heap_set (heap, i, last);
  if (i > 0 && timer_before (last, heap->pdata[(i - 1) / 2]))
    heap_sift_up (heap, i);
  else
    heap_sift_down (heap, i);
}

static void
update_ready_time (WampReactor *self)
{
  if (self->source == NULL)
    return;
  if (self->heap->len == 0)
    g_source_set_ready_time (self->source, -1);
  else
    g_source_set_ready_time (self->source,
                             ((WampReactorTimer *) self->heap->pdata[0])->deadline);
}

/* Dispatch */

static WampReactorEvents
events_from_epoll (guint32 ev)
{
  WampReactorEvents out = 0;

  if (ev & EPOLLIN)
    out |= WAMP_REACTOR_READ;
  if (ev & EPOLLOUT)
    out |= WAMP_REACTOR_WRITE;
  if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    out |= WAMP_REACTOR_HANGUP;
  return out;
}

static guint32
events_to_epoll (WampReactorEvents events)
{
  guint32 ev = EPOLLRDHUP;

  if (events & WAMP_REACTOR_READ)
    ev |= EPOLLIN;
  if (events & WAMP_REACTOR_WRITE)
    ev |= EPOLLOUT;
  return ev;
}

static void
dispatch_fds (WampReactor *self)
{
  struct epoll_event events[MAX_EVENTS_PER_DISPATCH];
  int n;

  do
    n = epoll_wait (self->epfd, events, G_N_ELEMENTS (events), 0);
  while (n < 0 && errno == EINTR);

  for (int i = 0; i < n; i++)
    {
      WampReactorWatch *w = events[i].data.ptr;
      WampReactorEvents ev;

      /* Removed by an earlier callback of this batch. */
      if (w->dead)
        continue;
      /* The interest may have changed since epoll_wait(). */
      ev = events_from_epoll (events[i].events) & (w->events | WAMP_REACTOR_HANGUP);
      if (ev == 0)
        continue;
      w->func (self, w, w->fd, ev, w->user_data);
    }
}

static void
dispatch_timers (WampReactor *self)
{
  gint64 now = g_get_monotonic_time ();
  /* Timers added by the callbacks below (defer included) wait for the next
   * dispatch, so a callback that re-arms itself cannot starve the fds. */
  guint64 seq_limit = self->next_seq;

  while (self->heap->len > 0)
    {
      WampReactorTimer *t = self->heap->pdata[0];

      if (t->deadline > now || t->seq >= seq_limit)
        break;
      heap_remove (self->heap, t);
      t->func (self, t->user_data);
      g_free (t);
    }
}

/* A flush may schedule another (a write that closes); each runs once. */
static void
dispatch_flushes (WampReactor *self)
{
  for (guint i = 0; i < self->flushes->len; i++)
    {
      WampReactorFlush *flush = g_ptr_array_index (self->flushes, i);
      g_autoptr(GObject) object = g_steal_pointer (&flush->object);

      flush->func (object);
    }
  g_ptr_array_set_size (self->flushes, 0);
}

static gboolean
reactor_source_dispatch (GSource     *source,
                         GSourceFunc  callback,
                         gpointer     user_data)
{
  WampReactor *self = ((WampReactorSource *) source)->reactor;

  /* The source may recurse (see wamp_reactor_new); a nested main loop run
   * from a reactor callback must not re-enter the batch. */
  if (self == NULL || self->dispatching)
    return G_SOURCE_CONTINUE;

  /* A callback may drop the last outside reference. */
  g_object_ref (self);
  self->dispatching = TRUE;

  dispatch_fds (self);
  dispatch_timers (self);
  dispatch_flushes (self);

  self->dispatching = FALSE;
  g_ptr_array_set_size (self->dead_watches, 0);
  update_ready_time (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs reactor_source_funcs = {
  .dispatch = reactor_source_dispatch,
};

/* GObject */

static void
wamp_reactor_finalize (GObject *object)
{
  WampReactor *self = WAMP_REACTOR (object);

  if (self->source != NULL)
    {
      ((WampReactorSource *) self->source)->reactor = NULL;
      g_source_destroy (self->source);
      g_clear_pointer (&self->source, g_source_unref);
    }
  /* Closing the epoll fd drops the registrations of watches never removed. */
  while (self->watches != NULL)
    {
      WampReactorWatch *w = self->watches;

      self->watches = w->next;
      g_free (w);
    }
  if (self->epfd >= 0)
    close (self->epfd);
  g_clear_pointer (&self->dead_watches, g_ptr_array_unref);
  g_clear_pointer (&self->heap, g_ptr_array_unref);
  g_clear_pointer (&self->flushes, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (wamp_reactor_parent_class)->finalize (object);
}

static void
wamp_reactor_class_init (WampReactorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = wamp_reactor_finalize;
}

static void
wamp_reactor_init (WampReactor *self)
{
  self->epfd = -1;
  self->dead_watches = g_ptr_array_new_with_free_func (g_free);
  self->heap = g_ptr_array_new_with_free_func (g_free);
  self->flushes = g_ptr_array_new ();
}

/* Public API */

/**
 * wamp_reactor_new:
 * @context: (nullable): the thread-default main context when NULL.
 *
 * Returns: (transfer full): a reactor whose GSource is attached to @context.
 */
WampReactor *
wamp_reactor_new (GMainContext *context)
{
  g_autoptr(WampReactor) self = g_object_new (WAMP_TYPE_REACTOR, NULL);
  WampReactorSource *rs;

  self->epfd = epoll_create1 (EPOLL_CLOEXEC);
  if (self->epfd < 0)
    {
      /* Only fd exhaustion gets here; nothing could run without it. */
      g_critical ("epoll_create1: %s", g_strerror (errno));
      return NULL;
    }

  if (context == NULL)
    context = g_main_context_get_thread_default ();
  if (context == NULL)
    context = g_main_context_default ();
  self->context = g_main_context_ref (context);

  self->source = g_source_new (&reactor_source_funcs, sizeof (WampReactorSource));
  rs = (WampReactorSource *) self->source;
  rs->reactor = self;
  g_source_set_name (self->source, "WampReactor");
  /* GLib blocks a source that may not recurse while it dispatches, removing
   * and re-adding its fd: two wakeup-eventfd writes and a read per turn, which
   * cost more than the turn's own I/O. Re-entry is refused in dispatch. */
  g_source_set_can_recurse (self->source, TRUE);
  g_source_add_unix_fd (self->source, self->epfd, G_IO_IN);
  g_source_attach (self->source, self->context);

  return g_steal_pointer (&self);
}

/**
 * wamp_reactor_add_fd:
 *
 * Returns: (transfer none) (nullable): the watch, NULL when epoll refuses the
 *   fd (already watched, not pollable).
 */
WampReactorWatch *
wamp_reactor_add_fd (WampReactor       *self,
                     int                fd,
                     WampReactorEvents  events,
                     WampReactorFdFunc  func,
                     gpointer           user_data)
{
  WampReactorWatch *w;
  struct epoll_event ev = { 0, };

  g_return_val_if_fail (WAMP_IS_REACTOR (self), NULL);
  g_return_val_if_fail (fd >= 0, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  w = g_new0 (WampReactorWatch, 1);
  w->fd = fd;
  w->events = events & (WAMP_REACTOR_READ | WAMP_REACTOR_WRITE);
  w->func = func;
  w->user_data = user_data;

  ev.events = events_to_epoll (w->events);
  ev.data.ptr = w;
  if (epoll_ctl (self->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
    {
      g_warning ("epoll_ctl(ADD, %d): %s", fd, g_strerror (errno));
      g_free (w);
      return NULL;
    }
  self->n_watches++;
  w->next = self->watches;
  if (w->next != NULL)
    w->next->prev = w;
  self->watches = w;
  return w;
}

void
wamp_reactor_modify_fd (WampReactor       *self,
                        WampReactorWatch  *watch,
                        WampReactorEvents  events)
{
  struct epoll_event ev = { 0, };

  g_return_if_fail (WAMP_IS_REACTOR (self));
  g_return_if_fail (watch != NULL && !watch->dead);

  events &= WAMP_REACTOR_READ | WAMP_REACTOR_WRITE;
  if (events == watch->events)
    return;
  watch->events = events;
  ev.events = events_to_epoll (events);
  ev.data.ptr = watch;
  if (epoll_ctl (self->epfd, EPOLL_CTL_MOD, watch->fd, &ev) < 0)
    g_warning ("epoll_ctl(MOD, %d): %s", watch->fd, g_strerror (errno));
}

void
wamp_reactor_remove_fd (WampReactor      *self,
                        WampReactorWatch *watch)
{
  g_return_if_fail (WAMP_IS_REACTOR (self));
  g_return_if_fail (watch != NULL && !watch->dead);

  /* ENOENT/EBADF when the owner already closed the fd: the registration is
   * gone with it, nothing to undo. */
  epoll_ctl (self->epfd, EPOLL_CTL_DEL, watch->fd, NULL);
  watch->dead = TRUE;
  self->n_watches--;
  if (watch->prev != NULL)
    watch->prev->next = watch->next;
  else
    self->watches = watch->next;
  if (watch->next != NULL)
    watch->next->prev = watch->prev;
  if (self->dispatching)
    g_ptr_array_add (self->dead_watches, watch);
  else
    g_free (watch);
}

/**
 * wamp_reactor_add_timer:
 *
 * Returns: (transfer none): valid until it fired or was cancelled.
 */
WampReactorTimer *
wamp_reactor_add_timer (WampReactor          *self,
                        guint                 timeout_ms,
                        WampReactorTimerFunc  func,
                        gpointer              user_data)
{
  WampReactorTimer *t;

  g_return_val_if_fail (WAMP_IS_REACTOR (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  t = g_new0 (WampReactorTimer, 1);
  t->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  t->seq = self->next_seq++;
  t->func = func;
  t->user_data = user_data;
  heap_push (self->heap, t);

  if (!self->dispatching && t->heap_index == 0)
    update_ready_time (self);
  return t;
}

void
wamp_reactor_cancel_timer (WampReactor      *self,
                           WampReactorTimer *timer)
{
  gboolean was_first;

  g_return_if_fail (WAMP_IS_REACTOR (self));
  g_return_if_fail (timer != NULL);
  g_return_if_fail (timer->heap_index < self->heap->len &&
                    self->heap->pdata[timer->heap_index] == timer);

  was_first = timer->heap_index == 0;
  heap_remove (self->heap, timer);
  g_free (timer);
  if (!self->dispatching && was_first)
    update_ready_time (self);
}

/**
 * wamp_reactor_defer:
 *
 * Returns: (transfer none): cancel with wamp_reactor_cancel_timer().
 */
WampReactorTimer *
wamp_reactor_defer (WampReactor          *self,
                    WampReactorTimerFunc  func,
                    gpointer              user_data)
{
  g_return_val_if_fail (WAMP_IS_REACTOR (self), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  return wamp_reactor_add_timer (self, 0, func, user_data);
}

void
wamp_reactor_flush_soon (WampReactor          *self,
                         WampReactorFlush     *flush,
                         GObject              *object,
                         WampReactorFlushFunc  func)
{
  g_return_if_fail (WAMP_IS_REACTOR (self));
  g_return_if_fail (flush != NULL);
  g_return_if_fail (G_IS_OBJECT (object));
  g_return_if_fail (func != NULL);

  if (flush->object != NULL)
    return;
  if (self->dispatching)
    {
      flush->object = g_object_ref (object);
      flush->func = func;
      g_ptr_array_add (self->flushes, flush);
    }
  else
    {
      g_autoptr(GObject) keep = g_object_ref (object);

      func (keep);
    }
}

guint
wamp_reactor_get_n_watches (WampReactor *self)
{
  g_return_val_if_fail (WAMP_IS_REACTOR (self), 0);

  return self->n_watches;
}

guint
wamp_reactor_get_n_timers (WampReactor *self)
{
  g_return_val_if_fail (WAMP_IS_REACTOR (self), 0);

  return self->heap->len;
}
