/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchFleet: opening 10,000 sessions at once would have 10,000 TCP and
 * WebSocket handshakes racing the router's accept queue and our own
 * timeouts; a window of BENCH_MAX_IN_FLIGHT keeps the pipe full without
 * that. Operations hold a reference, so a late callback (after a timeout
 * gave up on it) never finds the fleet freed. */
#include "bench-fleet.h"

#include "bench-loop.h"
#include "bench-result.h"

/* How long cancelled joins and leaves get to report back. */
#define CANCEL_GRACE_S 3.0

struct _BenchFleet
{
  const BenchOptions *opts;
  GPtrArray *clients; /* (element-type WampClient) joined */
  GCancellable *cancellable;
  guint target;      /* joins or leaves to start in this round */
  guint started;
  guint in_flight;
  GPtrArray *leaving; /* (element-type WampClient) the clients of a leave round */
  gboolean is_leaving;
  guint64 errors;
};

static void
on_left (WampClient *client, const char *reason, gpointer user_data)
{
  BenchFleet *fleet = user_data;

  if (!fleet->is_leaving)
    bench_count_error (&fleet->errors, "session %" G_GUINT64_FORMAT " ended: %s",
                       wamp_client_get_session_id (client), reason);
}

static void
release_client (BenchFleet *fleet, WampClient *client)
{
  g_signal_handlers_disconnect_by_data (client, fleet);
  g_object_unref (client);
}

BenchFleet *
bench_fleet_new (const BenchOptions *opts)
{
  BenchFleet *fleet = g_rc_box_new0 (BenchFleet);

  fleet->opts = opts;
  fleet->clients = g_ptr_array_new ();
  return fleet;
}

static void
fleet_clear (gpointer data)
{
  BenchFleet *fleet = data;

  for (guint i = 0; i < fleet->clients->len; i++)
    release_client (fleet, g_ptr_array_index (fleet->clients, i));
  g_ptr_array_unref (fleet->clients);
  g_clear_object (&fleet->cancellable);
  g_clear_pointer (&fleet->leaving, g_ptr_array_unref);
}

static void
fleet_unref (BenchFleet *fleet)
{
  g_rc_box_release_full (fleet, fleet_clear);
}

void
bench_fleet_free (BenchFleet *fleet)
{
  if (fleet != NULL)
    fleet_unref (fleet);
}

guint
bench_fleet_get_size (BenchFleet *fleet)
{
  return fleet->clients->len;
}

WampClient *
bench_fleet_get_client (BenchFleet *fleet, guint index)
{
  return g_ptr_array_index (fleet->clients, index);
}

guint64
bench_fleet_get_errors (BenchFleet *fleet)
{
  return fleet->errors;
}

static gboolean
round_done (gpointer data)
{
  BenchFleet *fleet = data;

  return fleet->started == fleet->target && fleet->in_flight == 0;
}

static gboolean
nothing_in_flight (gpointer data)
{
  BenchFleet *fleet = data;

  return fleet->in_flight == 0;
}

/* Gives up on a round: what has not started never will, what is in flight
 * is cancelled and gets a moment to report. */
static void
abandon_round (BenchFleet *fleet, const char *what)
{
  guint never_started = fleet->target - fleet->started;

  fleet->target = fleet->started;
  g_cancellable_cancel (fleet->cancellable);
  bench_loop_wait (nothing_in_flight, fleet, CANCEL_GRACE_S);
  if (never_started > 0 || fleet->in_flight > 0)
    {
      fleet->errors += never_started + fleet->in_flight;
      g_warning ("%s timed out: %u never started, %u did not finish", what, never_started,
                 fleet->in_flight);
    }
}

/* Joining */

static void join_more (BenchFleet *fleet);

static void
join_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WampClient *client = WAMP_CLIENT (source);
  BenchFleet *fleet = user_data;
  g_autoptr(GError) error = NULL;

  fleet->in_flight--;
  if (wamp_client_join_finish (client, result, &error))
    g_ptr_array_add (fleet->clients, g_object_ref (client));
  else
    bench_count_error (&fleet->errors, "join %s (%s): %s", fleet->opts->url,
                       fleet->opts->serializer, error->message);
  join_more (fleet);
  fleet_unref (fleet);
}

static void
join_more (BenchFleet *fleet)
{
  while (fleet->in_flight < BENCH_MAX_IN_FLIGHT && fleet->started < fleet->target)
    {
      g_autoptr(WampClient) client = wamp_client_new (fleet->opts->reactor);

      g_signal_connect (client, "left", G_CALLBACK (on_left), fleet);
      fleet->started++;
      fleet->in_flight++;
      /* The task keeps the client alive until join_cb. */
      wamp_client_join_async (client, fleet->opts->url, fleet->opts->serializer, fleet->opts->realm,
                              NULL, fleet->cancellable, join_cb, g_rc_box_acquire (fleet));
    }
}

gboolean
bench_fleet_join (BenchFleet *fleet, guint n, double timeout_s)
{
  guint before = fleet->clients->len;

  g_clear_object (&fleet->cancellable);
  fleet->cancellable = g_cancellable_new ();
  fleet->target = n;
  fleet->started = 0;
  join_more (fleet);
  if (!bench_loop_wait (round_done, fleet, timeout_s))
    abandon_round (fleet, "joining");
  return fleet->clients->len - before == n;
}

/* Leaving */

static void leave_more (BenchFleet *fleet);

static void
leave_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  WampClient *client = WAMP_CLIENT (source);
  BenchFleet *fleet = user_data;
  g_autoptr(GError) error = NULL;

  fleet->in_flight--;
  if (!wamp_client_leave_finish (client, result, &error))
    bench_count_error (&fleet->errors, "leave: %s", error->message);
  leave_more (fleet);
  fleet_unref (fleet);
}

static void
leave_more (BenchFleet *fleet)
{
  while (fleet->in_flight < BENCH_MAX_IN_FLIGHT && fleet->started < fleet->target)
    {
      WampClient *client = g_ptr_array_index (fleet->leaving, fleet->started);

      fleet->started++;
      fleet->in_flight++;
      wamp_client_leave_async (client, NULL, fleet->cancellable, leave_cb, g_rc_box_acquire (fleet));
    }
}

gboolean
bench_fleet_leave (BenchFleet *fleet, double timeout_s)
{
  guint64 errors_before = fleet->errors;

  g_clear_object (&fleet->cancellable);
  fleet->cancellable = g_cancellable_new ();
  g_clear_pointer (&fleet->leaving, g_ptr_array_unref);
  fleet->leaving = g_steal_pointer (&fleet->clients);
  fleet->clients = g_ptr_array_new ();
  fleet->is_leaving = TRUE;
  fleet->target = fleet->leaving->len;
  fleet->started = 0;
  leave_more (fleet);
  if (!bench_loop_wait (round_done, fleet, timeout_s))
    abandon_round (fleet, "leaving");

  for (guint i = 0; i < fleet->leaving->len; i++)
    {
      WampClient *client = g_ptr_array_index (fleet->leaving, i);

      /* A no-op for those that left. */
      wamp_client_disconnect (client);
      release_client (fleet, client);
    }
  g_clear_pointer (&fleet->leaving, g_ptr_array_unref);
  fleet->is_leaving = FALSE;
  return fleet->errors == errors_before;
}
