/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchWindow: CPU per operation is the server's CPU seconds over the window
 * divided by the operations completed in it. Traffic keeps flowing across the
 * window's edges (the pipeline stays full), so both readings see a server in
 * its steady state. */
#include "bench-window.h"

#include <math.h>

#include "bench-loop.h"
#include "bench-proc.h"

void
bench_window_begin (BenchWindow *window, int pid, guint64 ops)
{
  window->pid = pid;
  window->cpu_ok = bench_proc_read_cpu_seconds (pid, &window->cpu0);
  window->ops0 = ops;
  window->t0_ns = bench_now_ns ();
}

void
bench_window_end (BenchWindow *window, guint64 ops, BenchResult *result)
{
  gint64 t1_ns = bench_now_ns ();
  double cpu1;

  result->ops = ops - window->ops0;
  result->seconds = (t1_ns - window->t0_ns) / 1e9;
  if (window->cpu_ok && bench_proc_read_cpu_seconds (window->pid, &cpu1))
    result->server_cpu_s = cpu1 - window->cpu0;
  else
    result->server_cpu_s = NAN;
}

void
bench_window_measure (const BenchOptions *opts, const guint64 *ops, gboolean *recording,
                      BenchResult *result)
{
  BenchWindow window;

  if (opts->warmup > 0)
    bench_loop_run_for (opts->warmup);
  *recording = TRUE;
  bench_window_begin (&window, opts->server_pid, *ops);
  bench_loop_run_for (opts->duration);
  bench_window_end (&window, *ops, result);
  *recording = FALSE;
}
