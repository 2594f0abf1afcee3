/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The benchmark's clock and bounded waits on the default main context. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*BenchDoneFunc) (gpointer data);

/* CLOCK_MONOTONIC in nanoseconds: latencies are tens of microseconds, finer
 * than g_get_monotonic_time() reads. */
gint64 bench_now_ns (void);

/* Runs the default main context until @done (called after every iteration)
 * says so or @timeout_s passed. Returns: TRUE when @done said so. */
gboolean bench_loop_wait (BenchDoneFunc done, gpointer data, double timeout_s);

/* Runs the default main context for @seconds. */
void bench_loop_run_for (double seconds);

G_END_DECLS
