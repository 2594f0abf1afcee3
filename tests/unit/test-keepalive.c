/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests of WampKeepalive: ping payloads count up, pongs keep the peer
 * alive, a missing pong times out once, a refused ping ends the pings,
 * stop and an interval of 0 send nothing. */

#include "config.h"

#include <wamp/wamp.h>

typedef struct
{
  GMainContext *context;
  WampReactor *reactor;
  WampKeepalive *keepalive;
  GPtrArray *pings;     /* of GBytes, the payloads sent */
  guint timeouts;
  gboolean answer;      /* pong every ping at once */
  gboolean refuse;      /* send_ping says the connection is closing */
} Fixture;

static gboolean
send_ping (const guint8 *payload, gsize len, gpointer user_data)
{
  Fixture *f = user_data;

  if (f->refuse)
    return FALSE;
  g_ptr_array_add (f->pings, g_bytes_new (payload, len));
  /* An answer cannot come inside the send: the pong arrives later. */
  return TRUE;
}

static void
timed_out (gpointer user_data)
{
  Fixture *f = user_data;

  f->timeouts++;
  /* What a connection does: it ends, and with it the keepalive. */
  wamp_keepalive_stop (f->keepalive);
}

static const WampKeepaliveFuncs funcs = { send_ping, timed_out };

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->context = g_main_context_new ();
  g_main_context_push_thread_default (f->context);
  f->reactor = wamp_reactor_new (NULL);
  f->keepalive = wamp_keepalive_new (f->reactor, &funcs, f);
  f->pings = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_pointer (&f->keepalive, wamp_keepalive_free);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  g_clear_object (&f->reactor);
  g_ptr_array_unref (f->pings);
  g_main_context_pop_thread_default (f->context);
  g_main_context_unref (f->context);
}

static gboolean
deadline_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the loop for @ms; answers each new ping with a pong when asked. */
static void
run_for (Fixture *f, guint ms)
{
  gboolean expired = FALSE;
  GSource *guard = g_timeout_source_new (ms);
  guint answered = f->pings->len;

  g_source_set_callback (guard, deadline_cb, &expired, NULL);
  g_source_attach (guard, f->context);
  while (!expired)
    {
      g_main_context_iteration (f->context, TRUE);
      if (f->answer && f->pings->len > answered)
        {
          answered = f->pings->len;
          wamp_keepalive_pong_received (f->keepalive);
        }
    }
  g_source_destroy (guard);
  g_source_unref (guard);
}

static void
test_counter_payloads_and_pongs (Fixture *f, gconstpointer data)
{
  f->answer = TRUE;
  wamp_keepalive_start (f->keepalive, 20, 50);
  run_for (f, 300);

  /* Answered: pings keep coming, no timeout although 300 ms > 50 ms. */
  g_assert_cmpuint (f->timeouts, ==, 0);
  g_assert_cmpuint (f->pings->len, >=, 3);
  for (guint i = 0; i < f->pings->len; i++)
    {
      const guint8 want[8] = { 0, 0, 0, 0, 0, 0, 0, (guint8) (i + 1) };
      gsize len;
      const guint8 *got = g_bytes_get_data (f->pings->pdata[i], &len);

      g_assert_cmpmem (got, len, want, sizeof want);
    }
}

static void
test_unanswered_times_out_once (Fixture *f, gconstpointer data)
{
  gint64 started = g_get_monotonic_time ();
  guint sent_at_timeout;

  wamp_keepalive_start (f->keepalive, 20, 60);
  while (f->timeouts == 0 && g_get_monotonic_time () - started < 2 * G_USEC_PER_SEC)
    g_main_context_iteration (f->context, TRUE);
  g_assert_cmpuint (f->timeouts, ==, 1);
  /* The timeout runs from the first unanswered ping (20 + 60 ms), not the last. */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 80 * 1000);
  g_assert_cmpuint (f->pings->len, >=, 2);
  sent_at_timeout = f->pings->len;

  run_for (f, 100);
  g_assert_cmpuint (f->timeouts, ==, 1);
  g_assert_cmpuint (f->pings->len, ==, sent_at_timeout);
}

static void
test_refused_ping_ends_pings (Fixture *f, gconstpointer data)
{
  f->refuse = TRUE;
  wamp_keepalive_start (f->keepalive, 20, 40);
  run_for (f, 150);
  g_assert_cmpuint (f->pings->len, ==, 0);
  /* No ping went out, so nothing can time out. */
  g_assert_cmpuint (f->timeouts, ==, 0);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
}

static void
test_stop_and_zero_interval (Fixture *f, gconstpointer data)
{
  wamp_keepalive_start (f->keepalive, 0, 40);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  run_for (f, 60);
  g_assert_cmpuint (f->pings->len, ==, 0);

  wamp_keepalive_start (f->keepalive, 20, 40);
  for (gint64 end = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
       f->pings->len == 0 && g_get_monotonic_time () < end;)
    g_main_context_iteration (f->context, TRUE);
  g_assert_cmpuint (f->pings->len, ==, 1);
  wamp_keepalive_stop (f->keepalive);
  wamp_keepalive_stop (f->keepalive);
  g_assert_cmpuint (wamp_reactor_get_n_timers (f->reactor), ==, 0);
  run_for (f, 100);
  g_assert_cmpuint (f->pings->len, ==, 1);
  g_assert_cmpuint (f->timeouts, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/keepalive/counter-payloads-and-pongs", test_counter_payloads_and_pongs);
  ADD ("/keepalive/unanswered-times-out-once", test_unanswered_times_out_once);
  ADD ("/keepalive/refused-ping-ends-pings", test_refused_ping_ends_pings);
  ADD ("/keepalive/stop-and-zero-interval", test_stop_and_zero_interval);
#undef ADD

  return g_test_run ();
}
