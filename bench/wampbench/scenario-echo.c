/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* echo-latency and echo-throughput: the ceiling. The same transport code the
 * callers use opens N connections to an echo server; each keeps K frames in
 * flight, every frame being the serialized CALL a caller would send for that
 * payload, and every echo must come back byte for byte. Frames are read
 * through the core's private connection sink: there is no WAMP session. */
#include "wamp-connection-private.h"

#include "bench-loop.h"
#include "bench-payload.h"
#include "bench-window.h"

#include <string.h>

#define CONNECT_TIMEOUT_S 15.0
#define CLOSE_TIMEOUT_S 6.0

typedef struct _Echo Echo;

typedef struct {
  Echo *echo;
  WampConnection *connection; /* NULL until connected */
  gint64 *sent_ns;            /* FIFO ring of K send times: echoes come back in order */
  guint head;
  guint count;
  gboolean closed;
} EchoConn;

struct _Echo
{
  const BenchOptions *opts;
  WampSerializer *serializer;
  WampTransport *transport;
  GCancellable *cancellable;
  guint n_conns;
  guint outstanding;
  EchoConn *conns;
  guint connecting;
  guint connected;
  guint n_closed;

  GBytes *frame; /* what every connection sends in this run */
  gboolean running;
  gboolean recording;
  gboolean stopped;
  gboolean broken; /* echoes were lost: the pipeline state is unknown */
  guint64 in_flight;
  guint64 ops;
  guint64 errors;
  guint64 lost;
  guint64 errors_reported; /* errors and lost already in a result */
  guint64 lost_reported;
  BenchHistogram *latency;
};

static void
echo_clear (gpointer data)
{
  Echo *echo = data;

  for (guint i = 0; i < echo->n_conns; i++)
    {
      if (echo->conns[i].connection != NULL)
        {
          wamp_connection_set_sink (echo->conns[i].connection, NULL, NULL);
          g_object_unref (echo->conns[i].connection);
        }
      g_free (echo->conns[i].sent_ns);
    }
  g_free (echo->conns);
  g_clear_object (&echo->transport);
  g_clear_object (&echo->cancellable);
  g_clear_pointer (&echo->frame, g_bytes_unref);
  g_clear_pointer (&echo->latency, bench_histogram_free);
}

static Echo *
echo_ref (Echo *echo)
{
  return g_rc_box_acquire (echo);
}

static void
echo_unref (Echo *echo)
{
  g_rc_box_release_full (echo, echo_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Echo, echo_unref)

static void
send_frame (EchoConn *conn)
{
  Echo *echo = conn->echo;
  g_autoptr(GError) error = NULL;

  if (!wamp_connection_send (conn->connection, echo->frame, &error))
    {
      bench_count_error (&echo->errors, "sending to %s: %s", echo->opts->url, error->message);
      return;
    }
  conn->sent_ns[(conn->head + conn->count) % echo->outstanding] = bench_now_ns ();
  conn->count++;
  echo->in_flight++;
}

static void
echo_frame_received (gpointer owner, WampConnection *connection, GBytes *frame)
{
  EchoConn *conn = owner;
  Echo *echo = conn->echo;
  gint64 now = bench_now_ns ();
  gint64 sent;

  if (conn->count == 0)
    {
      bench_count_error (&echo->errors, "a frame from %s nobody sent", echo->opts->url);
      return;
    }
  sent = conn->sent_ns[conn->head];
  conn->head = (conn->head + 1) % echo->outstanding;
  conn->count--;
  echo->in_flight--;

  if (!g_bytes_equal (frame, echo->frame))
    {
      bench_count_error (&echo->errors, "the echo from %s differs from the frame sent (%" G_GSIZE_FORMAT
                         " bytes back, %" G_GSIZE_FORMAT " sent)", echo->opts->url,
                         g_bytes_get_size (frame), g_bytes_get_size (echo->frame));
      return;
    }
  echo->ops++;
  if (echo->recording)
    bench_histogram_add (echo->latency, now - sent);
  if (echo->running)
    send_frame (conn);
}

static void
echo_closed (gpointer owner, WampConnection *connection, WampCloseCode code, const char *reason)
{
  EchoConn *conn = owner;
  Echo *echo = conn->echo;

  conn->closed = TRUE;
  echo->n_closed++;
  /* Whatever was in flight on it will never come back. */
  echo->lost += conn->count;
  echo->in_flight -= conn->count;
  conn->count = 0;
  if (!echo->stopped)
    bench_count_error (&echo->errors, "%s closed the connection (%d%s%s)", echo->opts->url, code,
                       reason != NULL ? ": " : "", reason != NULL ? reason : "");
}

static const WampConnectionSinkFuncs echo_sink_funcs = {
  echo_frame_received,
  echo_closed,
};

static void
connect_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  EchoConn *conn = user_data;
  Echo *echo = conn->echo;
  g_autoptr(GError) error = NULL;

  echo->connecting--;
  conn->connection = wamp_transport_connect_finish (WAMP_TRANSPORT (source), result, &error);
  if (conn->connection == NULL)
    bench_count_error (&echo->errors, "connecting to %s: %s", echo->opts->url, error->message);
  else
    {
      echo->connected++;
      wamp_connection_set_sink (conn->connection, &echo_sink_funcs, conn);
    }
  echo_unref (echo);
}

static gboolean
connecting_done (gpointer data)
{
  return ((Echo *) data)->connecting == 0;
}

static const char *
transport_name_for_url (const char *url)
{
  if (g_str_has_prefix (url, "ws://") || g_str_has_prefix (url, "wss://"))
    return "websocket";
  if (g_str_has_prefix (url, "rawsocket"))
    return "rawsocket";
  return NULL;
}

static gboolean
echo_start (Echo *echo)
{
  const char *name = transport_name_for_url (echo->opts->url);
  g_autoptr(GPtrArray) serializers = g_ptr_array_new_with_free_func (g_object_unref);

  echo->transport = name != NULL ? wamp_transport_new (name) : NULL;
  if (echo->transport == NULL)
    {
      bench_count_error (&echo->errors, "no transport plugin for %s", echo->opts->url);
      return FALSE;
    }
  g_ptr_array_add (serializers, g_object_ref (echo->serializer));
  echo->cancellable = g_cancellable_new ();
  for (guint i = 0; i < echo->n_conns; i++)
    {
      echo->connecting++;
      /* connect_cb drops the reference: a late answer finds the Echo alive. */
      echo_ref (echo);
      wamp_transport_connect_async (echo->transport, echo->opts->reactor, echo->opts->url, serializers,
                                    echo->cancellable, connect_cb, &echo->conns[i]);
    }
  if (!bench_loop_wait (connecting_done, echo, CONNECT_TIMEOUT_S))
    {
      g_cancellable_cancel (echo->cancellable);
      bench_loop_wait (connecting_done, echo, 3.0);
      bench_count_error (&echo->errors, "connecting to %s timed out", echo->opts->url);
    }
  return echo->connected == echo->n_conns;
}

static gboolean
drained (gpointer data)
{
  return ((Echo *) data)->in_flight == 0;
}

/* The frame of a CALL carrying Arguments [string of @payload bytes]. */
static GBytes *
call_frame (WampSerializer *serializer, gsize payload)
{
  g_autoptr(WampPayload) args = bench_payload_new_call_args (serializer, payload);
  g_autoptr(WampMessage) call = wamp_message_new_call (1, NULL, "bench.echo", args);

  return wamp_serializer_serialize (serializer, call, NULL);
}

/* Moves the errors and losses not yet reported into @result. */
static void
echo_report (Echo *echo, BenchResult *result)
{
  result->errors += echo->errors - echo->errors_reported;
  result->lost += echo->lost - echo->lost_reported;
  echo->errors_reported = echo->errors;
  echo->lost_reported = echo->lost;
}

static void
echo_run (Echo *echo, const char *scenario, gsize payload, BenchResult *result)
{
  bench_result_init (result, echo->opts, scenario);
  result->payload = (gint64) payload;
  result->callers = echo->n_conns;
  result->outstanding = echo->outstanding;
  if (echo->broken)
    {
      result->errors++;
      return;
    }

  g_clear_pointer (&echo->frame, g_bytes_unref);
  echo->frame = call_frame (echo->serializer, payload);
  bench_histogram_clear (echo->latency);
  echo->running = TRUE;
  for (guint i = 0; i < echo->n_conns; i++)
    for (guint k = 0; k < echo->outstanding && !echo->conns[i].closed; k++)
      send_frame (&echo->conns[i]);

  bench_window_measure (echo->opts, &echo->ops, &echo->recording, result);

  echo->running = FALSE;
  if (!bench_loop_wait (drained, echo, BENCH_DRAIN_TIMEOUT_S))
    {
      g_warning ("%" G_GUINT64_FORMAT " echoes did not come back within %.0f s", echo->in_flight,
                 BENCH_DRAIN_TIMEOUT_S);
      echo->lost += echo->in_flight;
      echo->broken = TRUE;
    }
  bench_result_set_latency (result, echo->latency);
  echo_report (echo, result);
}

static gboolean
all_closed (gpointer data)
{
  Echo *echo = data;

  return echo->n_closed == echo->connected;
}

/* Closes every connection (the transport's close handshake) and waits,
 * bounded, until each reported it closed. */
static void
echo_stop (Echo *echo)
{
  echo->stopped = TRUE;
  for (guint i = 0; i < echo->n_conns; i++)
    if (echo->conns[i].connection != NULL && !echo->conns[i].closed)
      wamp_connection_close (echo->conns[i].connection, WAMP_CLOSE_NORMAL, NULL);
  if (!bench_loop_wait (all_closed, echo, CLOSE_TIMEOUT_S))
    bench_count_error (&echo->errors, "%u connections to %s did not close", echo->connected - echo->n_closed,
                       echo->opts->url);
}

static gboolean
run_echo (const BenchOptions *opts, const char *scenario, guint n_conns, guint outstanding,
          const gsize *payloads, guint n_payloads)
{
  g_autoptr(Echo) echo = g_rc_box_new0 (Echo);
  g_autofree BenchResult *results = g_new0 (BenchResult, n_payloads);
  gboolean started;

  echo->opts = opts;
  echo->serializer = wamp_serializer_lookup (opts->serializer);
  echo->n_conns = n_conns;
  echo->outstanding = outstanding;
  echo->latency = bench_histogram_new ();
  echo->conns = g_new0 (EchoConn, n_conns);
  for (guint i = 0; i < n_conns; i++)
    {
      echo->conns[i].echo = echo;
      echo->conns[i].sent_ns = g_new0 (gint64, outstanding);
    }

  started = echo_start (echo);
  for (guint i = 0; i < n_payloads; i++)
    {
      if (started)
        echo_run (echo, scenario, payloads[i], &results[i]);
      else
        bench_result_init_unrun (&results[i], opts, scenario, payloads[i], n_conns, outstanding);
    }
  echo_stop (echo);
  echo_report (echo, &results[n_payloads - 1]);
  if (!started && results[n_payloads - 1].errors == 0)
    results[n_payloads - 1].errors++;

  return bench_result_emit_all (results, n_payloads);
}

gboolean
bench_scenario_echo_latency (const BenchOptions *opts)
{
  return run_echo (opts, "echo-latency", 1, 1, &opts->payload, 1);
}

gboolean
bench_scenario_echo_throughput (const BenchOptions *opts)
{
  guint callers = BENCH_OPTION_OR (opts->callers, BENCH_THROUGHPUT_CALLERS);
  guint outstanding = BENCH_OPTION_OR (opts->outstanding, BENCH_THROUGHPUT_OUTSTANDING);

  /* --payloads makes it the echo side of payload-sweep. */
  if (opts->payloads != NULL && opts->payloads->len > 0)
    return run_echo (opts, "echo-throughput", callers, outstanding,
                     (const gsize *) (gpointer) opts->payloads->data, opts->payloads->len);
  return run_echo (opts, "echo-throughput", callers, outstanding, &opts->payload, 1);
}
