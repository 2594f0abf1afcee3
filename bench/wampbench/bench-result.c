/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchResult: the JSON line (snake_case keys, every key always present, null
 * when not applicable, so bench/run reads one schema) and the table row. */
#include "bench-result.h"

#include <math.h>
#include <stdarg.h>

void
bench_result_init (BenchResult *result, const BenchOptions *opts, const char *scenario)
{
  *result = (BenchResult) {
    .scenario = scenario,
    .target = opts->label,
    .transport = opts->transport,
    .serializer = opts->serializer,
    .payload = -1,
    .seconds = NAN,
    .server_cpu_s = NAN,
    .p50_us = NAN, .p90_us = NAN, .p99_us = NAN, .max_us = NAN,
    .rss_baseline_kib = NAN, .rss_open_kib = NAN, .rss_after_close_kib = NAN,
    .p50_idle_us = NAN, .p50_none_us = NAN,
  };
}

void
bench_result_init_unrun (BenchResult *result, const BenchOptions *opts, const char *scenario,
                         gsize payload, guint callers, guint outstanding)
{
  bench_result_init (result, opts, scenario);
  result->payload = (gint64) payload;
  result->callers = callers;
  result->outstanding = outstanding;
}

void
bench_result_set_latency (BenchResult *result, BenchHistogram *hist)
{
  result->p50_us = bench_histogram_percentile_us (hist, 50);
  result->p90_us = bench_histogram_percentile_us (hist, 90);
  result->p99_us = bench_histogram_percentile_us (hist, 99);
  result->max_us = bench_histogram_percentile_us (hist, 100);
}

/* Errors logged per process; the rest are only counted. */
#define MAX_LOGGED_ERRORS 10

void
bench_count_error (guint64 *errors, const char *format, ...)
{
  static guint logged;
  va_list args;

  (*errors)++;
  if (logged >= MAX_LOGGED_ERRORS)
    return;
  logged++;
  va_start (args, format);
  {
    g_autofree char *text = g_strdup_vprintf (format, args);

    g_warning ("%s%s", text, logged == MAX_LOGGED_ERRORS ? " (further errors are only counted)" : "");
  }
  va_end (args);
}

static void
append_key (GString *out, const char *key)
{
  if (out->len > 1)
    g_string_append_c (out, ',');
  g_string_append_printf (out, "\"%s\":", key);
}

static void
append_string (GString *out, const char *key, const char *value)
{
  append_key (out, key);
  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (out, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_double (GString *out, const char *key, double value, int decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *format = g_strdup_printf ("%%.%df", decimals);

  append_key (out, key);
  if (isnan (value) || isinf (value))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

static void
append_count (GString *out, const char *key, guint64 value, gboolean known)
{
  append_key (out, key);
  if (known)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
  else
    g_string_append (out, "null");
}

static double
ratio (double a, double b)
{
  return b > 0 ? a / b : NAN;
}

/* "12.3" or "-" for the table. */
static char *
cell (double value, int decimals)
{
  if (isnan (value) || isinf (value))
    return g_strdup ("-");
  return g_strdup_printf ("%.*f", decimals, value);
}

void
bench_result_emit (const BenchResult *r)
{
  g_autoptr(GString) json = g_string_new ("{");
  double ops_per_s = ratio ((double) r->ops, r->seconds);
  double cpu_us_per_op = r->ops > 0 ? r->server_cpu_s * 1e6 / (double) r->ops : NAN;
  double mb_per_s = r->payload >= 0 ? ops_per_s * (double) r->payload / 1e6 : NAN;
  double rss_per_session = r->sessions > 0 ? (r->rss_open_kib - r->rss_baseline_kib) / r->sessions : NAN;
  g_autofree char *c_ops = cell (ops_per_s, 0);
  g_autofree char *c_cpu = cell (cpu_us_per_op, 2);
  g_autofree char *c_p50 = cell (r->p50_us, 1);
  g_autofree char *c_p99 = cell (r->p99_us, 1);
  g_autofree char *c_max = cell (r->max_us, 1);
  g_autofree char *c_mbs = cell (mb_per_s, 1);
  g_autoptr(GString) extra = g_string_new (NULL);

  append_string (json, "scenario", r->scenario);
  append_string (json, "target", r->target);
  append_string (json, "transport", r->transport);
  append_string (json, "serializer", r->serializer);
  append_count (json, "payload", (guint64) r->payload, r->payload >= 0);
  append_count (json, "callers", r->callers, r->callers > 0);
  append_count (json, "outstanding", r->outstanding, r->outstanding > 0);
  append_count (json, "ops", r->ops, TRUE);
  append_double (json, "seconds", r->seconds, 4);
  append_double (json, "ops_per_s", ops_per_s, 1);
  append_double (json, "mb_per_s", mb_per_s, 3);
  append_double (json, "server_cpu_s", r->server_cpu_s, 3);
  append_double (json, "cpu_us_per_op", cpu_us_per_op, 3);
  append_double (json, "p50_us", r->p50_us, 1);
  append_double (json, "p90_us", r->p90_us, 1);
  append_double (json, "p99_us", r->p99_us, 1);
  append_double (json, "max_us", r->max_us, 1);
  append_count (json, "subscribers", r->subscribers, r->subscribers > 0);
  append_count (json, "sessions", r->sessions, r->sessions > 0);
  append_double (json, "rss_baseline_kib", r->rss_baseline_kib, 0);
  append_double (json, "rss_open_kib", r->rss_open_kib, 0);
  append_double (json, "rss_per_session_kib", rss_per_session, 2);
  append_double (json, "rss_after_close_kib", r->rss_after_close_kib, 0);
  append_double (json, "p50_idle_us", r->p50_idle_us, 1);
  append_double (json, "p50_none_us", r->p50_none_us, 1);
  append_count (json, "errors", r->errors, TRUE);
  append_count (json, "lost", r->lost, TRUE);
  g_string_append_c (json, '}');
  g_print ("%s\n", json->str);

  if (r->payload >= 0)
    g_string_append_printf (extra, " payload %" G_GINT64_FORMAT " B (%s MB/s)", r->payload, c_mbs);
  if (r->callers > 0)
    g_string_append_printf (extra, " %ux%u", r->callers, r->outstanding);
  if (r->subscribers > 0)
    g_string_append_printf (extra, " subscribers %u", r->subscribers);
  if (r->sessions > 0)
    {
      g_autofree char *c_per = cell (rss_per_session, 2);
      g_autofree char *c_idle = cell (r->p50_idle_us, 1);
      g_autofree char *c_none = cell (r->p50_none_us, 1);
      g_autofree char *c_base = cell (r->rss_baseline_kib, 0);
      g_autofree char *c_after = cell (r->rss_after_close_kib, 0);

      g_string_append_printf (extra, " sessions %u: %s KiB/session (baseline %s KiB, after close %s KiB),"
                              " p50 %s us idle vs %s us none",
                              r->sessions, c_per, c_base, c_after, c_idle, c_none);
    }
  g_printerr ("%-15s %-6s %-7s %-7s %10s op/s %8s us/op  p50 %7s p99 %7s max %8s us  errors %" G_GUINT64_FORMAT
              " lost %" G_GUINT64_FORMAT "%s\n",
              r->scenario, r->target != NULL ? r->target : "-", r->transport, r->serializer,
              c_ops, c_cpu, c_p50, c_p99, c_max, r->errors, r->lost, extra->str);
}

gboolean
bench_result_emit_all (const BenchResult *results,
                       guint              n)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < n; i++)
    {
      bench_result_emit (&results[i]);
      ok = ok && results[i].errors == 0 && results[i].lost == 0;
    }
  return ok;
}
