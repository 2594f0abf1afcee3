/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchHistogram: every sample is kept (a window holds at most a few million,
 * 8 bytes each) and sorted once, so percentiles are exact, not bucketed. */
#include "bench-histogram.h"

#include <math.h>

struct _BenchHistogram
{
  GArray *samples; /* (element-type gint64) nanoseconds */
  gboolean sorted;
};

BenchHistogram *
bench_histogram_new (void)
{
  BenchHistogram *hist = g_new0 (BenchHistogram, 1);

  hist->samples = g_array_sized_new (FALSE, FALSE, sizeof (gint64), 65536);
  return hist;
}

void
bench_histogram_free (BenchHistogram *hist)
{
  if (hist == NULL)
    return;
  g_array_unref (hist->samples);
  g_free (hist);
}

void
bench_histogram_clear (BenchHistogram *hist)
{
  g_array_set_size (hist->samples, 0);
  hist->sorted = TRUE;
}

void
bench_histogram_add (BenchHistogram *hist, gint64 ns)
{
  g_array_append_val (hist->samples, ns);
  hist->sorted = FALSE;
}

guint
bench_histogram_get_count (BenchHistogram *hist)
{
  return hist->samples->len;
}

static gint
compare_ns (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

double
bench_histogram_percentile_us (BenchHistogram *hist, double p)
{
  guint n = hist->samples->len;
  guint rank;

  if (n == 0)
    return NAN;
  if (!hist->sorted)
    {
      g_array_sort (hist->samples, compare_ns);
      hist->sorted = TRUE;
    }
  rank = (guint) ceil (p / 100.0 * n);
  rank = CLAMP (rank, 1, n);
  return g_array_index (hist->samples, gint64, rank - 1) / 1000.0;
}
