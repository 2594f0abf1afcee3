/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RPC scenarios: rpc-latency (1 caller, one call at a time),
 * rpc-throughput (N callers x K outstanding) and payload-sweep (the same
 * over payload sizes). The callee yields the INVOCATION's payload back as it
 * came, raw bytes never decoded; each RESULT must carry Arguments of exactly
 * the length sent. */
#include "scenario-rpc.h"

#include <unistd.h>

#include "bench-fleet.h"
#include "bench-loop.h"
#include "bench-payload.h"
#include "bench-window.h"

#define JOIN_TIMEOUT_S 30.0
#define LEAVE_TIMEOUT_S 10.0
#define REGISTER_TIMEOUT_S 10.0

/* One outstanding call, reissued as soon as it completes. */
typedef struct {
  BenchRpc *rpc;
  WampClient *caller;
  gint64 t_start_ns;
} CallSlot;

struct _BenchRpc
{
  const BenchOptions *opts;
  guint n_callers;
  guint outstanding;
  WampSerializer *serializer;
  char *procedure;

  BenchFleet *callee;
  BenchFleet *callers;
  CallSlot *slots; /* n_callers * outstanding */

  WampPayload *payload; /* what the current run sends */
  gboolean running;     /* completed calls are reissued */
  gboolean recording;   /* inside the window: latencies count */
  gboolean stopped;     /* sessions are going away: failures are expected */
  gboolean broken;      /* calls were lost: the pipeline state is unknown */
  guint in_flight;
  guint64 ops;
  guint64 errors;
  guint64 errors_reported; /* those already in a result */
  BenchHistogram *latency;

  /* Registration */
  gboolean registered;
  gboolean register_done;
};

static BenchRpc *
rpc_ref (BenchRpc *rpc)
{
  return g_rc_box_acquire (rpc);
}

static void
rpc_clear (gpointer data)
{
  BenchRpc *rpc = data;

  g_clear_pointer (&rpc->callers, bench_fleet_free);
  g_clear_pointer (&rpc->callee, bench_fleet_free);
  g_free (rpc->slots);
  g_clear_pointer (&rpc->payload, wamp_payload_unref);
  g_clear_pointer (&rpc->latency, bench_histogram_free);
  g_free (rpc->procedure);
}

static void
rpc_unref (BenchRpc *rpc)
{
  g_rc_box_release_full (rpc, rpc_clear);
}

BenchRpc *
bench_rpc_new (const BenchOptions *opts, guint callers, guint outstanding)
{
  BenchRpc *rpc = g_rc_box_new0 (BenchRpc);

  rpc->opts = opts;
  rpc->n_callers = MAX (callers, 1);
  rpc->outstanding = MAX (outstanding, 1);
  rpc->serializer = wamp_serializer_lookup (opts->serializer);
  /* Our own URI: a callee left behind by an earlier run cannot clash. */
  rpc->procedure = g_strdup_printf ("bench.echo.p%d", (int) getpid ());
  rpc->callee = bench_fleet_new (opts);
  rpc->callers = bench_fleet_new (opts);
  rpc->latency = bench_histogram_new ();
  return rpc;
}

void
bench_rpc_free (BenchRpc *rpc)
{
  if (rpc != NULL)
    rpc_unref (rpc);
}

/* The callee: the payload goes back as the raw bytes it arrived as. */
static void
invocation_cb (WampClient *client, WampMessage *message, gpointer user_data)
{
  if (wamp_message_get_message_type (message) != WAMP_MESSAGE_INVOCATION)
    return;
  wamp_client_yield (client, wamp_message_get_request_id (message), NULL,
                     wamp_message_get_payload (message));
}

static void
register_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BenchRpc *rpc = user_data;
  g_autoptr(GError) error = NULL;

  rpc->registered = wamp_client_register_finish (WAMP_CLIENT (source), result, &error) != 0;
  if (!rpc->registered)
    bench_count_error (&rpc->errors, "register %s: %s", rpc->procedure, error->message);
  rpc->register_done = TRUE;
  rpc_unref (rpc);
}

static gboolean
register_done (gpointer data)
{
  return ((BenchRpc *) data)->register_done;
}

gboolean
bench_rpc_start (BenchRpc *rpc)
{
  if (!bench_fleet_join (rpc->callee, 1, JOIN_TIMEOUT_S) ||
      !bench_fleet_join (rpc->callers, rpc->n_callers, JOIN_TIMEOUT_S))
    return FALSE;

  wamp_client_register_async (bench_fleet_get_client (rpc->callee, 0), rpc->procedure, NULL,
                              invocation_cb, NULL, NULL, NULL, register_cb, rpc_ref (rpc));
  if (!bench_loop_wait (register_done, rpc, REGISTER_TIMEOUT_S))
    bench_count_error (&rpc->errors, "register %s: no answer in %.0f s", rpc->procedure, REGISTER_TIMEOUT_S);
  if (!rpc->registered)
    return FALSE;

  rpc->slots = g_new0 (CallSlot, rpc->n_callers * rpc->outstanding);
  for (guint i = 0; i < rpc->n_callers * rpc->outstanding; i++)
    {
      rpc->slots[i].rpc = rpc;
      rpc->slots[i].caller = bench_fleet_get_client (rpc->callers, i / rpc->outstanding);
    }
  return TRUE;
}

static void issue_call (CallSlot *slot);

static void
call_cb (GObject *source, GAsyncResult *res, gpointer user_data)
{
  CallSlot *slot = user_data;
  BenchRpc *rpc = slot->rpc;
  g_autoptr(GError) error = NULL;
  g_autoptr(WampMessage) result = NULL;
  gint64 now = bench_now_ns ();
  gboolean ok = FALSE;

  rpc->in_flight--;
  result = wamp_client_call_finish (WAMP_CLIENT (source), res, NULL, &error);
  if (result == NULL)
    {
      if (!rpc->stopped)
        bench_count_error (&rpc->errors, "call %s: %s", rpc->procedure, error->message);
    }
  else if (!bench_payload_check_call_args (wamp_message_get_payload (result), rpc->serializer, rpc->payload))
    bench_count_error (&rpc->errors, "call %s: the RESULT's payload differs from the CALL's", rpc->procedure);
  else
    {
      ok = TRUE;
      rpc->ops++;
      if (rpc->recording)
        bench_histogram_add (rpc->latency, now - slot->t_start_ns);
    }

  /* A slot whose call failed stays idle rather than failing in a loop. */
  if (ok && rpc->running)
    issue_call (slot);
  rpc_unref (rpc);
}

static void
issue_call (CallSlot *slot)
{
  BenchRpc *rpc = slot->rpc;

  rpc->in_flight++;
  slot->t_start_ns = bench_now_ns ();
  rpc_ref (rpc);
  wamp_client_call_async (slot->caller, rpc->procedure, NULL, rpc->payload, NULL, call_cb, slot);
}

static gboolean
drained (gpointer data)
{
  return ((BenchRpc *) data)->in_flight == 0;
}

void
bench_rpc_run (BenchRpc *rpc, gsize payload, BenchResult *result)
{
  result->payload = (gint64) payload;
  result->callers = rpc->n_callers;
  result->outstanding = rpc->outstanding;
  if (rpc->slots == NULL || rpc->broken)
    {
      /* Not started, or an earlier run lost calls: nothing to measure. */
      result->errors++;
      return;
    }

  g_clear_pointer (&rpc->payload, wamp_payload_unref);
  rpc->payload = bench_payload_new_call_args (rpc->serializer, payload);
  bench_histogram_clear (rpc->latency);
  rpc->running = TRUE;
  for (guint i = 0; i < rpc->n_callers * rpc->outstanding; i++)
    issue_call (&rpc->slots[i]);

  bench_window_measure (rpc->opts, &rpc->ops, &rpc->recording, result);

  rpc->running = FALSE;
  if (!bench_loop_wait (drained, rpc, BENCH_DRAIN_TIMEOUT_S))
    {
      g_warning ("%u calls got no RESULT within %.0f s", rpc->in_flight, BENCH_DRAIN_TIMEOUT_S);
      result->lost += rpc->in_flight;
      rpc->broken = TRUE;
    }
  bench_result_set_latency (result, rpc->latency);
  result->errors += rpc->errors - rpc->errors_reported;
  rpc->errors_reported = rpc->errors;
}

guint64
bench_rpc_stop (BenchRpc *rpc)
{
  guint64 errors;

  rpc->stopped = TRUE;
  rpc->running = FALSE;
  bench_fleet_leave (rpc->callers, LEAVE_TIMEOUT_S);
  bench_fleet_leave (rpc->callee, LEAVE_TIMEOUT_S);
  errors = rpc->errors - rpc->errors_reported;
  rpc->errors_reported = rpc->errors;
  return errors + bench_fleet_get_errors (rpc->callers) + bench_fleet_get_errors (rpc->callee);
}

/* The scenarios */

/* Runs @rpc over each of @payloads and prints one line each; the errors of
 * joining and leaving go into the last line. */
static gboolean
run_payloads (const BenchOptions *opts, const char *scenario, guint callers, guint outstanding,
              const gsize *payloads, guint n_payloads)
{
  g_autoptr(BenchRpc) rpc = bench_rpc_new (opts, callers, outstanding);
  g_autofree BenchResult *results = g_new0 (BenchResult, n_payloads);
  gboolean started = bench_rpc_start (rpc);
  guint64 session_errors;

  for (guint i = 0; i < n_payloads; i++)
    {
      if (started)
        {
          bench_result_init (&results[i], opts, scenario);
          bench_rpc_run (rpc, payloads[i], &results[i]);
        }
      else
        bench_result_init_unrun (&results[i], opts, scenario, payloads[i],
                                 rpc->n_callers, rpc->outstanding);
    }
  session_errors = bench_rpc_stop (rpc);
  results[n_payloads - 1].errors += session_errors;
  if (!started && session_errors == 0)
    results[n_payloads - 1].errors++;

  return bench_result_emit_all (results, n_payloads);
}

gboolean
bench_scenario_rpc_latency (const BenchOptions *opts)
{
  return run_payloads (opts, "rpc-latency", 1, 1, &opts->payload, 1);
}

gboolean
bench_scenario_rpc_throughput (const BenchOptions *opts)
{
  return run_payloads (opts, "rpc-throughput",
                       BENCH_OPTION_OR (opts->callers, BENCH_THROUGHPUT_CALLERS),
                       BENCH_OPTION_OR (opts->outstanding, BENCH_THROUGHPUT_OUTSTANDING),
                       &opts->payload, 1);
}

gboolean
bench_scenario_payload_sweep (const BenchOptions *opts)
{
  return run_payloads (opts, "payload-sweep", BENCH_OPTION_OR (opts->callers, 1),
                       BENCH_OPTION_OR (opts->outstanding, 2),
                       (const gsize *) (gpointer) opts->payloads->data, opts->payloads->len);
}
