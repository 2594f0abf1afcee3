/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The benchmark's clock and bounded waits: everything runs on one thread, so
 * waiting means iterating the default main context until something is done. */
#include "bench-loop.h"

#include <time.h>

gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static gboolean
deadline_cb (gpointer data)
{
  gboolean *expired = data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
bench_loop_wait (BenchDoneFunc done, gpointer data, double timeout_s)
{
  gboolean expired = FALSE;
  GSource *deadline;
  gboolean result;

  if (done != NULL && done (data))
    return TRUE;

  /* A timeout source wakes the iteration when nothing else happens. */
  deadline = g_timeout_source_new ((guint) MAX (0.0, timeout_s * 1000.0));
  g_source_set_callback (deadline, deadline_cb, &expired, NULL);
  g_source_set_static_name (deadline, "[wampbench] deadline");
  g_source_attach (deadline, NULL);

  for (;;)
    {
      g_main_context_iteration (NULL, TRUE);
      if (done != NULL && done (data))
        {
          result = TRUE;
          break;
        }
      if (expired)
        {
          result = FALSE;
          break;
        }
    }
  g_source_destroy (deadline);
  g_source_unref (deadline);
  return result;
}

void
bench_loop_run_for (double seconds)
{
  bench_loop_wait (NULL, NULL, seconds);
}
