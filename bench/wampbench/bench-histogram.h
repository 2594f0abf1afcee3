/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchHistogram: latency samples of one window, and their percentiles. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BenchHistogram BenchHistogram;

BenchHistogram *bench_histogram_new (void);
void bench_histogram_free (BenchHistogram *hist);
void bench_histogram_clear (BenchHistogram *hist);
void bench_histogram_add (BenchHistogram *hist, gint64 ns);
guint bench_histogram_get_count (BenchHistogram *hist);
/* The nearest-rank percentile @p (0 < @p <= 100) in microseconds; NAN when
 * there are no samples. */
double bench_histogram_percentile_us (BenchHistogram *hist, double p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchHistogram, bench_histogram_free)

G_END_DECLS
