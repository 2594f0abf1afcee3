/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pubsub-fanout: one publisher, S subscribers of one topic. Events carry
 * [t_ns, filler]: the publish time on our monotonic clock (publisher and
 * subscribers live in this process) and --payload bytes of ASCII.
 *
 * Flow control: events go out in windows of W, W chosen so a window is
 * about FANOUT_WINDOW_DELIVERIES deliveries; window k+2 is published only
 * once every subscriber has received all of window k. So at most 2W events
 * are queued for any subscriber, no outgoing queue in the router overflows,
 * and any event missing at the end was lost, not dropped by design. */
#include "bench-fleet.h"
#include "bench-loop.h"
#include "bench-payload.h"
#include "bench-window.h"

#include <unistd.h>

#define JOIN_TIMEOUT_S 60.0
#define LEAVE_TIMEOUT_S 30.0
#define SUBSCRIBE_TIMEOUT_S 30.0
#define FANOUT_WINDOW_DELIVERIES 1000
/* Windows in flight, and the ring of per-window completion counts (a
 * subscriber is never more than WINDOWS_IN_FLIGHT windows ahead). */
#define WINDOWS_IN_FLIGHT 2
#define WINDOW_RING 4

typedef struct _Fanout Fanout;

typedef struct {
  Fanout *fanout;
  guint64 received;
  gint64 last_t_ns;
} Subscriber;

struct _Fanout
{
  const BenchOptions *opts;
  char *topic;
  guint n_subscribers;
  guint window; /* W: events per window */
  WampValue *filler;

  BenchFleet *publisher;
  BenchFleet *subscribers;
  Subscriber *subs;

  /* Subscribing */
  guint subscribe_started;
  guint subscribe_in_flight;
  guint subscribed;

  gboolean running;
  gboolean recording;
  gboolean stopped;
  guint64 published;         /* events */
  guint64 windows_published;
  guint64 windows_complete;  /* delivered to every subscriber */
  guint window_done[WINDOW_RING]; /* subscribers done with window k, at k % WINDOW_RING */
  guint64 deliveries;
  guint64 errors;
  BenchHistogram *latency;
};

static void
fanout_clear (gpointer data)
{
  Fanout *fanout = data;

  g_clear_pointer (&fanout->subscribers, bench_fleet_free);
  g_clear_pointer (&fanout->publisher, bench_fleet_free);
  g_free (fanout->subs);
  g_clear_pointer (&fanout->filler, wamp_value_unref);
  g_clear_pointer (&fanout->latency, bench_histogram_free);
  g_free (fanout->topic);
}

static Fanout *
fanout_ref (Fanout *fanout)
{
  return g_rc_box_acquire (fanout);
}

static void
fanout_unref (Fanout *fanout)
{
  g_rc_box_release_full (fanout, fanout_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fanout, fanout_unref)

/* Publishing */

static void
publish_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fanout *fanout = user_data;
  g_autoptr(GError) error = NULL;

  wamp_client_publish_finish (WAMP_CLIENT (source), result, &error);
  if (error != NULL && !fanout->stopped)
    bench_count_error (&fanout->errors, "publish %s: %s", fanout->topic, error->message);
  fanout_unref (fanout);
}

static void
publish_one (Fanout *fanout)
{
  g_autoptr(WampValue) args = wamp_value_new_list (2);
  g_autoptr(WampPayload) payload = NULL;

  wamp_value_list_append (args, wamp_value_new_int (bench_now_ns ()));
  wamp_value_list_append (args, wamp_value_ref (fanout->filler));
  payload = wamp_payload_new (args, NULL);
  fanout->published++;
  wamp_client_publish_async (bench_fleet_get_client (fanout->publisher, 0), fanout->topic, NULL,
                             payload, NULL, publish_cb, fanout_ref (fanout));
}

/* Publishes windows while fewer than WINDOWS_IN_FLIGHT are incomplete. */
static void
pump (Fanout *fanout)
{
  while (fanout->running && fanout->windows_published < fanout->windows_complete + WINDOWS_IN_FLIGHT)
    {
      fanout->window_done[fanout->windows_published % WINDOW_RING] = 0;
      for (guint i = 0; i < fanout->window; i++)
        publish_one (fanout);
      fanout->windows_published++;
    }
}

/* Receiving */

/* TRUE when @payload is [int t_ns, string of @filler_len]; sets @t_ns. */
static gboolean
parse_event_payload (WampPayload *payload, gsize filler_len, gint64 *t_ns)
{
  WampValue *args = NULL;
  WampValue *t_value, *filler;
  gsize len = 0;

  if (payload == NULL || !wamp_payload_get_values (payload, &args, NULL, NULL) ||
      args == NULL || wamp_value_list_length (args) != 2)
    return FALSE;
  t_value = wamp_value_list_get (args, 0);
  filler = wamp_value_list_get (args, 1);
  if (wamp_value_get_value_type (t_value) != WAMP_VALUE_INT ||
      wamp_value_get_value_type (filler) != WAMP_VALUE_STRING)
    return FALSE;
  wamp_value_get_string (filler, &len);
  *t_ns = wamp_value_get_int (t_value);
  return len == filler_len;
}

static void
event_cb (WampClient *client, WampMessage *event, gpointer user_data)
{
  Subscriber *sub = user_data;
  Fanout *fanout = sub->fanout;
  gint64 now = bench_now_ns ();
  gint64 t_ns;

  if (!parse_event_payload (wamp_message_get_payload (event), fanout->opts->payload, &t_ns))
    {
      bench_count_error (&fanout->errors, "EVENT with a payload we did not publish");
      return;
    }
  /* One publisher's events reach a subscriber in order: an old timestamp is
   * a duplicate (or reordering), a receiver beyond what was published too. */
  if (t_ns <= sub->last_t_ns || sub->received >= fanout->published)
    {
      bench_count_error (&fanout->errors, "EVENT delivered twice or out of order");
      return;
    }
  sub->last_t_ns = t_ns;
  sub->received++;
  fanout->deliveries++;
  if (fanout->recording)
    bench_histogram_add (fanout->latency, now - t_ns);

  if (sub->received % fanout->window == 0)
    {
      guint64 k = sub->received / fanout->window - 1;

      fanout->window_done[k % WINDOW_RING]++;
      /* Windows complete in order: a subscriber gets window k before k+1. */
      while (fanout->windows_complete < fanout->windows_published &&
             fanout->window_done[fanout->windows_complete % WINDOW_RING] == fanout->n_subscribers)
        fanout->windows_complete++;
      pump (fanout);
    }
}

static void
subscribe_more (Fanout *fanout);

static void
subscribe_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fanout *fanout = user_data;
  g_autoptr(GError) error = NULL;

  fanout->subscribe_in_flight--;
  if (wamp_client_subscribe_finish (WAMP_CLIENT (source), result, &error) != 0)
    fanout->subscribed++;
  else
    bench_count_error (&fanout->errors, "subscribe %s: %s", fanout->topic, error->message);
  subscribe_more (fanout);
  fanout_unref (fanout);
}

static void
subscribe_more (Fanout *fanout)
{
  while (fanout->subscribe_in_flight < BENCH_MAX_IN_FLIGHT && fanout->subscribe_started < fanout->n_subscribers)
    {
      Subscriber *sub = &fanout->subs[fanout->subscribe_started];

      fanout->subscribe_started++;
      fanout->subscribe_in_flight++;
      wamp_client_subscribe_async (bench_fleet_get_client (fanout->subscribers, (guint) (sub - fanout->subs)),
                                   fanout->topic, NULL, event_cb, sub, NULL, NULL, subscribe_cb,
                                   fanout_ref (fanout));
    }
}

static gboolean
subscribing_done (gpointer data)
{
  Fanout *fanout = data;

  return fanout->subscribe_started == fanout->n_subscribers && fanout->subscribe_in_flight == 0;
}

static gboolean
all_delivered (gpointer data)
{
  Fanout *fanout = data;

  return fanout->deliveries == fanout->published * fanout->n_subscribers;
}

static gboolean
start (Fanout *fanout)
{
  if (!bench_fleet_join (fanout->subscribers, fanout->n_subscribers, JOIN_TIMEOUT_S) ||
      !bench_fleet_join (fanout->publisher, 1, JOIN_TIMEOUT_S))
    return FALSE;
  fanout->subs = g_new0 (Subscriber, fanout->n_subscribers);
  for (guint i = 0; i < fanout->n_subscribers; i++)
    fanout->subs[i].fanout = fanout;
  subscribe_more (fanout);
  if (!bench_loop_wait (subscribing_done, fanout, SUBSCRIBE_TIMEOUT_S))
    {
      bench_count_error (&fanout->errors, "subscribing timed out");
      return FALSE;
    }
  return fanout->subscribed == fanout->n_subscribers;
}

gboolean
bench_scenario_pubsub_fanout (const BenchOptions *opts)
{
  g_autoptr(Fanout) fanout = g_rc_box_new0 (Fanout);
  g_autofree char *filler = bench_payload_filler (opts->payload);
  BenchResult result;

  fanout->opts = opts;
  fanout->n_subscribers = BENCH_OPTION_OR (opts->subscribers, 100);
  fanout->window = MAX (1, (FANOUT_WINDOW_DELIVERIES + fanout->n_subscribers - 1) / fanout->n_subscribers);
  fanout->topic = g_strdup_printf ("bench.topic.p%d", (int) getpid ());
  fanout->filler = wamp_value_new_string_len (filler, opts->payload);
  fanout->publisher = bench_fleet_new (opts);
  fanout->subscribers = bench_fleet_new (opts);
  fanout->latency = bench_histogram_new ();

  bench_result_init (&result, opts, "pubsub-fanout");
  result.payload = (gint64) opts->payload;
  result.subscribers = fanout->n_subscribers;

  if (start (fanout))
    {
      fanout->running = TRUE;
      pump (fanout);
      bench_window_measure (opts, &fanout->deliveries, &fanout->recording, &result);
      fanout->running = FALSE;
      if (!bench_loop_wait (all_delivered, fanout, BENCH_DRAIN_TIMEOUT_S))
        {
          result.lost = fanout->published * fanout->n_subscribers - fanout->deliveries;
          g_warning ("%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " deliveries missing after %.0f s",
                     result.lost, fanout->published * fanout->n_subscribers, BENCH_DRAIN_TIMEOUT_S);
        }
      bench_result_set_latency (&result, fanout->latency);
    }
  else if (fanout->errors == 0)
    fanout->errors++;

  fanout->stopped = TRUE;
  bench_fleet_leave (fanout->publisher, LEAVE_TIMEOUT_S);
  bench_fleet_leave (fanout->subscribers, LEAVE_TIMEOUT_S);
  result.errors += fanout->errors + bench_fleet_get_errors (fanout->publisher) +
                   bench_fleet_get_errors (fanout->subscribers);
  bench_result_emit (&result);
  return result.errors == 0 && result.lost == 0;
}
