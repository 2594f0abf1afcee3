/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchWindow: one measured window — wall time, operations done and the
 * server's CPU time, read right before and right after. */
#pragma once

#include "bench-result.h"

G_BEGIN_DECLS

typedef struct {
  int pid;
  gint64 t0_ns;
  guint64 ops0;
  double cpu0;
  gboolean cpu_ok;
} BenchWindow;

void bench_window_begin (BenchWindow *window, int pid, guint64 ops);
/* Fills @result's ops, seconds and server_cpu_s. */
void bench_window_end (BenchWindow *window, guint64 ops, BenchResult *result);

/* Runs the traffic for opts->warmup, then a window of opts->duration with
 * *@recording TRUE (latency samples count only inside it); @ops is the
 * scenario's counter of completed operations. */
void bench_window_measure (const BenchOptions *opts, const guint64 *ops, gboolean *recording,
                           BenchResult *result);

G_END_DECLS
