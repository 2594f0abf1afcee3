/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* idle-sessions: what N joined sessions that do nothing cost the router —
 * resident memory per session, and whether a call between two other
 * sessions gets slower while they are open (DESIGN.md rule 6) — and
 * whether the memory comes back once they are gone. */
#include "bench-fleet.h"
#include "bench-loop.h"
#include "bench-proc.h"
#include "scenario-rpc.h"

#include <math.h>

/* Settling times: the router finishes its handshakes and frees what closed
 * connections held (some of it on deferred reactor callbacks). */
#define SETTLE_BASELINE_S 0.5
#define SETTLE_OPEN_S 1.0
#define SETTLE_CLOSED_S 1.5

static double
read_rss (const BenchOptions *opts)
{
  guint64 kib;

  if (!bench_proc_read_rss_kib (opts->server_pid, &kib))
    return NAN;
  return (double) kib;
}

gboolean
bench_scenario_idle_sessions (const BenchOptions *opts)
{
  g_autoptr(BenchRpc) rpc = bench_rpc_new (opts, 1, 1);
  g_autoptr(BenchFleet) idle = bench_fleet_new (opts);
  BenchResult result, none;
  guint n = BENCH_OPTION_OR (opts->sessions, 1000);
  /* 10,000 WebSocket handshakes take a while on a loaded 2-core machine. */
  double join_timeout = 30.0 + n / 100.0;

  bench_result_init (&result, opts, "idle-sessions");
  bench_result_init (&none, opts, "rpc-latency");
  result.sessions = n;
  result.payload = (gint64) opts->payload;

  if (bench_rpc_start (rpc))
    {
      /* The latency without idle sessions, which also brings the router's
       * caches and buffers to their working size before the baseline. */
      bench_rpc_run (rpc, opts->payload, &none);
      result.p50_none_us = none.p50_us;
      result.errors += none.errors;
      result.lost += none.lost;
      bench_loop_run_for (SETTLE_BASELINE_S);
      result.rss_baseline_kib = read_rss (opts);

      bench_fleet_join (idle, n, join_timeout);
      bench_loop_run_for (SETTLE_OPEN_S);
      result.rss_open_kib = read_rss (opts);
      /* Per session over those that joined (each failed join is an error). */
      if (bench_fleet_get_size (idle) != n)
        g_warning ("only %u of %u idle sessions joined", bench_fleet_get_size (idle), n);

      bench_rpc_run (rpc, opts->payload, &result);
      result.p50_idle_us = result.p50_us;
      result.sessions = bench_fleet_get_size (idle);

      bench_fleet_leave (idle, 30.0 + n / 200.0);
      bench_loop_run_for (SETTLE_CLOSED_S);
      result.rss_after_close_kib = read_rss (opts);
    }
  result.errors += bench_rpc_stop (rpc) + bench_fleet_get_errors (idle);
  if (result.errors == 0 && isnan (result.p50_none_us))
    result.errors++; /* nothing was measured */
  /* bench_rpc_run() set the idle run's callers and outstanding. */
  result.callers = 0;
  result.outstanding = 0;
  bench_result_emit (&result);
  return result.errors == 0 && result.lost == 0;
}
