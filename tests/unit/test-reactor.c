/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampReactor: fd readiness, removal during dispatch, timers, defer, scale. */

#include "config.h"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <wamp/wamp.h>

typedef struct
{
  GMainContext *context;
  WampReactor *reactor;
  int sp[2][2]; /* two socketpairs */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->reactor = wamp_reactor_new (NULL);
  g_assert_nonnull (f->reactor);
  for (int i = 0; i < 2; i++)
    g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, f->sp[i]), ==, 0);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->reactor);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
      if (f->sp[i][j] >= 0)
        close (f->sp[i][j]);
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until *@counter reaches @target or 2 s passed (bounded). */
static void
iterate_until (Fixture *f, const guint *counter, guint target)
{
  gboolean expired = FALSE;
  GSource *guard = g_timeout_source_new (2000);

  g_source_set_callback (guard, deadline_cb, &expired, NULL);
  g_source_attach (guard, f->context);
  while (*counter < target && !expired)
    g_main_context_iteration (f->context, TRUE);
  g_source_destroy (guard);
  g_source_unref (guard);
}

/* A bounded number of non-blocking iterations (a level-triggered ready fd
 * would keep an unbounded loop busy forever). */
static void
iterate_idle (Fixture *f)
{
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (f->context, FALSE);
}

static void
write_byte (int fd)
{
  g_assert_cmpint (write (fd, "x", 1), ==, 1);
}

typedef struct
{
  guint calls;
  WampReactorEvents last_events;
  int last_fd;
  WampReactorWatch *remove_self;
  WampReactorWatch **remove_other;
  Fixture *f;
} FdRecord;

static void
record_fd_cb (WampReactor *reactor, WampReactorWatch *watch, int fd,
              WampReactorEvents events, gpointer user_data)
{
  FdRecord *r = user_data;

  r->calls++;
  r->last_events = events;
  r->last_fd = fd;
  if (r->remove_self == watch)
    {
      wamp_reactor_remove_fd (reactor, watch);
      r->remove_self = NULL;
    }
  if (r->remove_other != NULL && *r->remove_other != NULL)
    {
      wamp_reactor_remove_fd (reactor, *r->remove_other);
      *r->remove_other = NULL;
    }
}

static void
test_fd_read_readiness (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  WampReactorWatch *w;
  char buf[8];

  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r);
  g_assert_nonnull (w);
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 1);

  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 0);

  write_byte (f->sp[0][1]);
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpint (r.last_fd, ==, f->sp[0][0]);
  g_assert_true (r.last_events & WAMP_REACTOR_READ);
  g_assert_false (r.last_events & WAMP_REACTOR_WRITE);

  /* Level-triggered: still readable, reported again. */
  iterate_until (f, &r.calls, 2);
  g_assert_cmpuint (r.calls, ==, 2);

  /* Drained: quiet. */
  g_assert_cmpint (read (f->sp[0][0], buf, sizeof buf), ==, 1);
  r.calls = 0;
  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 0);

  wamp_reactor_remove_fd (f->reactor, w);
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 0);
}

static void
test_fd_modify_switches_interest (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  WampReactorWatch *w;

  /* An idle socket is writable at once. */
  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_WRITE, record_fd_cb, &r);
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.last_events & WAMP_REACTOR_WRITE);

  /* Read interest only, nothing to read: silence. */
  wamp_reactor_modify_fd (f->reactor, w, WAMP_REACTOR_READ);
  r.calls = 0;
  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 0);

  write_byte (f->sp[0][1]);
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.last_events & WAMP_REACTOR_READ);
  g_assert_false (r.last_events & WAMP_REACTOR_WRITE);

  /* No interest at all: silence even though readable and writable. */
  wamp_reactor_modify_fd (f->reactor, w, 0);
  r.calls = 0;
  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 0);

  wamp_reactor_remove_fd (f->reactor, w);
}

static void
test_fd_hangup_reported (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  WampReactorWatch *w;

  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r);
  close (f->sp[0][1]);
  f->sp[0][1] = -1;
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.last_events & WAMP_REACTOR_HANGUP);
  wamp_reactor_remove_fd (f->reactor, w);
}

static void
test_fd_remove_own_watch_in_callback (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  WampReactorWatch *w;

  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r);
  r.remove_self = w;
  write_byte (f->sp[0][1]);
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_null (r.remove_self);
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 0);

  /* Still readable, but removed: never called again. */
  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 1);
}

static void
test_fd_remove_other_watch_in_same_batch (Fixture *f, gconstpointer data)
{
  FdRecord r0 = { 0, }, r1 = { 0, };
  WampReactorWatch *w0, *w1;

  w0 = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r0);
  w1 = wamp_reactor_add_fd (f->reactor, f->sp[1][0], WAMP_REACTOR_READ, record_fd_cb, &r1);
  /* Whichever runs first removes the other; both are ready in one batch. */
  r0.remove_other = &w1;
  r1.remove_other = &w0;
  write_byte (f->sp[0][1]);
  write_byte (f->sp[1][1]);
  /* Make sure both are ready before the first dispatch. */
  g_usleep (1000);

  {
    guint total = 0;
    gboolean expired = FALSE;
    GSource *guard = g_timeout_source_new (2000);

    g_source_set_callback (guard, deadline_cb, &expired, NULL);
    g_source_attach (guard, f->context);
    while (r0.calls + r1.calls == 0 && !expired)
      g_main_context_iteration (f->context, TRUE);
    g_source_destroy (guard);
    g_source_unref (guard);
    total = r0.calls + r1.calls;
    g_assert_cmpuint (total, ==, 1);
  }
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 1);

  /* The survivor keeps being reported, the removed one never. */
  iterate_idle (f);
  if (r0.calls >= 1 && w0 != NULL)
    {
      g_assert_null (w1);
      g_assert_cmpuint (r1.calls, ==, 0);
      g_assert_cmpuint (r0.calls, >, 1);
      wamp_reactor_remove_fd (f->reactor, w0);
    }
  else
    {
      g_assert_null (w0);
      g_assert_nonnull (w1);
      g_assert_cmpuint (r0.calls, ==, 0);
      g_assert_cmpuint (r1.calls, >, 1);
      wamp_reactor_remove_fd (f->reactor, w1);
    }
}

static void
test_fd_remove_then_readd_same_fd_in_callback (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  WampReactorWatch *w;

  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r);
  r.remove_self = w;
  write_byte (f->sp[0][1]);
  iterate_until (f, &r.calls, 1);
  g_assert_cmpuint (r.calls, ==, 1);

  /* The fd can be watched again once removed. */
  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &r);
  g_assert_nonnull (w);
  iterate_until (f, &r.calls, 2);
  g_assert_cmpuint (r.calls, ==, 2);
  wamp_reactor_remove_fd (f->reactor, w);
}

/* Timers */

typedef struct
{
  GString *log;
  guint fired;
  WampReactorTimer *cancel_other;
  WampReactor *reactor;
} TimerLog;

typedef struct
{
  TimerLog *log;
  char name;
  WampReactorTimer **cancel;
  gboolean defer_again;
} TimerItem;

static void
timer_item_cb (WampReactor *reactor, gpointer user_data)
{
  TimerItem *item = user_data;

  g_string_append_c (item->log->log, item->name);
  item->log->fired++;
  if (item->cancel != NULL && *item->cancel != NULL)
    {
      wamp_reactor_cancel_timer (reactor, *item->cancel);
      *item->cancel = NULL;
    }
}

static void
test_timer_fires_in_deadline_order (Fixture *f, gconstpointer data)
{
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' }, b = { &log, 'b' }, c = { &log, 'c' };
  TimerItem d = { &log, 'd' }, e = { &log, 'e' };

  wamp_reactor_add_timer (f->reactor, 30, timer_item_cb, &c);
  wamp_reactor_add_timer (f->reactor, 10, timer_item_cb, &a);
  wamp_reactor_add_timer (f->reactor, 20, timer_item_cb, &b);
  /* Equal deadlines keep insertion order; zero-delay ones come first. */
  wamp_reactor_add_timer (f->reactor, 0, timer_item_cb, &d);
  wamp_reactor_add_timer (f->reactor, 0, timer_item_cb, &e);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 5);

  iterate_until (f, &log.fired, 5);
  g_assert_cmpstr (log.log->str, ==, "deabc");
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  g_string_free (log.log, TRUE);
}

static void
test_timer_many_random_deadlines_in_order (Fixture *f, gconstpointer data)
{
  /* Exercises the heap: 200 timers in random order come out sorted. */
  enum { N = 200 };
  TimerLog log = { g_string_new (NULL), 0, };
  guint delays[N];
  TimerItem items[N];
  WampReactorTimer *timers[N];
  GRand *rand = g_rand_new_with_seed (42);
  GString *expected = g_string_new (NULL);

  for (guint i = 0; i < N; i++)
    {
      delays[i] = g_rand_int_range (rand, 0, 40);
      items[i] = (TimerItem) { &log, (char) ('A' + delays[i]) };
      timers[i] = wamp_reactor_add_timer (f->reactor, delays[i], timer_item_cb, &items[i]);
    }
  /* Cancel every third, from the middle of the heap. */
  for (guint i = 0; i < N; i += 3)
    wamp_reactor_cancel_timer (f->reactor, timers[i]);
  for (guint d = 0; d < 40; d++)
    for (guint i = 0; i < N; i++)
      if (i % 3 != 0 && delays[i] == d)
        g_string_append_c (expected, (char) ('A' + d));

  iterate_until (f, &log.fired, expected->len);
  g_assert_cmpstr (log.log->str, ==, expected->str);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  g_string_free (log.log, TRUE);
  g_string_free (expected, TRUE);
  g_rand_free (rand);
}

static void
test_timer_cancel (Fixture *f, gconstpointer data)
{
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' }, b = { &log, 'b' };
  WampReactorTimer *ta;

  ta = wamp_reactor_add_timer (f->reactor, 5, timer_item_cb, &a);
  wamp_reactor_add_timer (f->reactor, 20, timer_item_cb, &b);
  wamp_reactor_cancel_timer (f->reactor, ta);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 1);

  iterate_until (f, &log.fired, 1);
  g_assert_cmpstr (log.log->str, ==, "b");
  g_string_free (log.log, TRUE);
}

static void
test_timer_cancel_from_another_timers_callback (Fixture *f, gconstpointer data)
{
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' }, b = { &log, 'b' }, c = { &log, 'c' };
  WampReactorTimer *tb;

  /* a and b are due in the same dispatch; a cancels b. */
  wamp_reactor_add_timer (f->reactor, 5, timer_item_cb, &a);
  tb = wamp_reactor_add_timer (f->reactor, 5, timer_item_cb, &b);
  wamp_reactor_add_timer (f->reactor, 30, timer_item_cb, &c);
  a.cancel = &tb;
  g_usleep (10000);

  iterate_until (f, &log.fired, 2);
  g_assert_cmpstr (log.log->str, ==, "ac");
  g_assert_null (tb);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  g_string_free (log.log, TRUE);
}

static void
test_defer_runs_on_next_dispatch (Fixture *f, gconstpointer data)
{
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' };

  wamp_reactor_defer (f->reactor, timer_item_cb, &a);
  /* Not inline. */
  g_assert_cmpuint (log.fired, ==, 0);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 1);
  g_assert_true (g_main_context_iteration (f->context, FALSE) || log.fired == 1);
  iterate_until (f, &log.fired, 1);
  g_assert_cmpstr (log.log->str, ==, "a");
  g_string_free (log.log, TRUE);
}

typedef struct
{
  guint calls;
  guint max_calls;
} Redefer;

static void
redefer_cb (WampReactor *reactor, gpointer user_data)
{
  Redefer *r = user_data;

  if (++r->calls < r->max_calls)
    wamp_reactor_defer (reactor, redefer_cb, r);
}

static void
test_defer_from_callback_waits_for_next_dispatch (Fixture *f, gconstpointer data)
{
  Redefer r = { 0, 3 };
  FdRecord fr = { 0, };
  WampReactorWatch *w;

  /* An fd stays ready meanwhile: a re-deferring callback must not starve it. */
  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_WRITE, record_fd_cb, &fr);
  wamp_reactor_defer (f->reactor, redefer_cb, &r);
  g_main_context_iteration (f->context, TRUE);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpuint (fr.calls, ==, 1);
  g_main_context_iteration (f->context, TRUE);
  g_assert_cmpuint (r.calls, ==, 2);
  g_assert_cmpuint (fr.calls, ==, 2);
  iterate_until (f, &r.calls, 3);
  g_assert_cmpuint (r.calls, ==, 3);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  wamp_reactor_remove_fd (f->reactor, w);
}

/* A flush asked for from fd callbacks runs once, after every callback of
 * the turn; asked for outside a turn, at once. */
typedef struct
{
  GObject *object;
  WampReactorFlush pending;
  guint flushes;
  guint fd_calls_at_flush;
  FdRecord *fds;
} FlushRecord;

static FlushRecord *flush_record;

static void
flush_record_cb (GObject *object)
{
  g_assert_true (object == flush_record->object);
  flush_record->flushes++;
  flush_record->fd_calls_at_flush = flush_record->fds->calls;
}

static void
flush_from_fd_cb (WampReactor *reactor, WampReactorWatch *watch, int fd,
                  WampReactorEvents events, gpointer user_data)
{
  record_fd_cb (reactor, watch, fd, events, flush_record->fds);
  wamp_reactor_flush_soon (reactor, &flush_record->pending, flush_record->object, flush_record_cb);
  wamp_reactor_remove_fd (reactor, watch);
}

static void
test_flush_soon_runs_once_after_the_turn (Fixture *f, gconstpointer data)
{
  FdRecord fr = { 0, };
  FlushRecord r = { g_object_new (G_TYPE_OBJECT, NULL), { 0, }, 0, 0, &fr };

  flush_record = &r;
  wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_WRITE, flush_from_fd_cb, NULL);
  wamp_reactor_add_fd (f->reactor, f->sp[1][0], WAMP_REACTOR_WRITE, flush_from_fd_cb, NULL);
  iterate_until (f, &r.flushes, 1);
  iterate_idle (f);
  g_assert_cmpuint (fr.calls, ==, 2);
  g_assert_cmpuint (r.flushes, ==, 1);
  g_assert_cmpuint (r.fd_calls_at_flush, ==, 2);
  /* The reference it held while pending is given back. */
  g_assert_null (r.pending.object);

  wamp_reactor_flush_soon (f->reactor, &r.pending, r.object, flush_record_cb);
  g_assert_cmpuint (r.flushes, ==, 2);
  g_object_unref (r.object);
  flush_record = NULL;
}

static void
test_cancel_defer_before_it_runs (Fixture *f, gconstpointer data)
{
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' }, b = { &log, 'b' };
  WampReactorTimer *t;

  t = wamp_reactor_defer (f->reactor, timer_item_cb, &a);
  wamp_reactor_cancel_timer (f->reactor, t);
  wamp_reactor_add_timer (f->reactor, 10, timer_item_cb, &b);
  iterate_until (f, &log.fired, 1);
  g_assert_cmpstr (log.log->str, ==, "b");
  g_string_free (log.log, TRUE);
}

static void
test_scale_idle_fds_do_not_block_active_one (Fixture *f, gconstpointer data)
{
  enum { N_IDLE = 2000 };
  int idle_fds[N_IDLE];
  WampReactorWatch *idle_watches[N_IDLE];
  FdRecord idle = { 0, }, active = { 0, };
  WampReactorWatch *w;
  struct rlimit rl;
  char buf[64];

  /* 2000 eventfds plus the test's own: raise the soft limit when needed. */
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &rl), ==, 0);
  if (rl.rlim_cur < N_IDLE + 64)
    {
      if (rl.rlim_max < N_IDLE + 64)
        {
          g_test_skip ("RLIMIT_NOFILE hard limit too low");
          return;
        }
      rl.rlim_cur = rl.rlim_max;
      g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &rl), ==, 0);
    }

  for (guint i = 0; i < N_IDLE; i++)
    {
      idle_fds[i] = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
      g_assert_cmpint (idle_fds[i], >=, 0);
      idle_watches[i] = wamp_reactor_add_fd (f->reactor, idle_fds[i], WAMP_REACTOR_READ,
                                             record_fd_cb, &idle);
      g_assert_nonnull (idle_watches[i]);
    }
  w = wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_READ, record_fd_cb, &active);
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, N_IDLE + 1);

  /* 100 round trips on the active pair; the idle ones never fire. */
  for (guint i = 0; i < 100; i++)
    {
      write_byte (f->sp[0][1]);
      iterate_until (f, &active.calls, i + 1);
      g_assert_cmpuint (active.calls, ==, i + 1);
      g_assert_cmpint (read (f->sp[0][0], buf, sizeof buf), ==, 1);
    }
  g_assert_cmpuint (idle.calls, ==, 0);

  wamp_reactor_remove_fd (f->reactor, w);
  for (guint i = 0; i < N_IDLE; i++)
    {
      wamp_reactor_remove_fd (f->reactor, idle_watches[i]);
      close (idle_fds[i]);
    }
  g_assert_cmpuint (wamp_reactor_get_n_watches (f->reactor), ==, 0);
}

static void
test_unref_with_live_watches_and_timers (Fixture *f, gconstpointer data)
{
  FdRecord r = { 0, };
  TimerLog log = { g_string_new (NULL), 0, };
  TimerItem a = { &log, 'a' };

  /* Finalizing releases everything without calling anyone. */
  wamp_reactor_add_fd (f->reactor, f->sp[0][0], WAMP_REACTOR_WRITE, record_fd_cb, &r);
  wamp_reactor_add_timer (f->reactor, 1000, timer_item_cb, &a);
  g_clear_object (&f->reactor);
  iterate_idle (f);
  g_assert_cmpuint (r.calls, ==, 0);
  g_assert_cmpuint (log.fired, ==, 0);
  g_string_free (log.log, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/reactor/fd/read-readiness-is-level-triggered", test_fd_read_readiness);
  ADD ("/reactor/fd/modify-switches-interest", test_fd_modify_switches_interest);
  ADD ("/reactor/fd/peer-close-reports-hangup", test_fd_hangup_reported);
  ADD ("/reactor/fd/remove-own-watch-in-callback-stops-events", test_fd_remove_own_watch_in_callback);
  ADD ("/reactor/fd/remove-other-watch-drops-its-pending-batch-event",
       test_fd_remove_other_watch_in_same_batch);
  ADD ("/reactor/fd/same-fd-can-be-watched-again-after-removal",
       test_fd_remove_then_readd_same_fd_in_callback);
  ADD ("/reactor/timer/fires-in-deadline-then-insertion-order", test_timer_fires_in_deadline_order);
  ADD ("/reactor/timer/heap-keeps-order-with-cancels", test_timer_many_random_deadlines_in_order);
  ADD ("/reactor/timer/cancel-prevents-firing", test_timer_cancel);
  ADD ("/reactor/timer/cancel-from-another-timers-callback",
       test_timer_cancel_from_another_timers_callback);
  ADD ("/reactor/defer/runs-on-next-dispatch-not-inline", test_defer_runs_on_next_dispatch);
  ADD ("/reactor/defer/from-callback-waits-for-next-dispatch",
       test_defer_from_callback_waits_for_next_dispatch);
  ADD ("/reactor/defer/cancel-before-it-runs", test_cancel_defer_before_it_runs);
  ADD ("/reactor/flush/runs-once-after-the-turn", test_flush_soon_runs_once_after_the_turn);
  ADD ("/reactor/scale/2000-idle-fds-do-not-block-active-one",
       test_scale_idle_fds_do_not_block_active_one);
  ADD ("/reactor/lifecycle/unref-with-live-watches-and-timers",
       test_unref_with_live_watches_and_timers);

  return g_test_run ();
}
