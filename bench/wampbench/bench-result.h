/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchResult: one measured figure set, printed as a JSON line on stdout and a
 * readable row on stderr. */
#pragma once

#include "bench-histogram.h"
#include "bench-scenario.h"

G_BEGIN_DECLS

/* Unknown or not applicable: doubles are NAN, counts 0 (printed as null). */
typedef struct {
  const char *scenario;
  const char *target;
  const char *transport;
  const char *serializer;
  gint64 payload;        /* -1: not applicable */
  guint callers;
  guint outstanding;
  guint subscribers;
  guint sessions;
  guint64 ops;
  double seconds;
  double server_cpu_s;
  double p50_us, p90_us, p99_us, max_us;
  double rss_baseline_kib, rss_open_kib, rss_after_close_kib;
  double p50_idle_us, p50_none_us;
  guint64 errors;
  guint64 lost;
} BenchResult;

/* Everything unknown but what @opts says (target, transport, serializer). */
void bench_result_init (BenchResult *result, const BenchOptions *opts, const char *scenario);
/* A window that never ran (its scenario could not start): only its shape. */
void bench_result_init_unrun (BenchResult *result, const BenchOptions *opts, const char *scenario,
                              gsize payload, guint callers, guint outstanding);
/* Takes p50/p90/p99/max from @hist. */
void bench_result_set_latency (BenchResult *result, BenchHistogram *hist);
/* Prints @result: the JSON line on stdout, the row on stderr. */
void bench_result_emit (const BenchResult *result);
/* Emits @n results; TRUE when none had an error or lost a message. */
gboolean bench_result_emit_all (const BenchResult *results, guint n);

/* Adds one to *@errors and logs why (the first few per process only: a
 * broken run must not drown its figures in a million warnings). */
void bench_count_error (guint64 *errors, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
