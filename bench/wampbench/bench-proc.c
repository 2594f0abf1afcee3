/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reads the server's CPU time and RSS from /proc. The stat file's utime and
 * stime already sum all threads of the process (living and exited), which is
 * what "router CPU per operation" counts. */
#include "bench-proc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

gboolean
bench_proc_read_cpu_seconds (int pid, double *seconds)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  const char *rest;
  long ticks_per_s = sysconf (_SC_CLK_TCK);

  if (pid <= 0 || ticks_per_s <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  /* The command name (field 2) may hold spaces and parentheses: the fields
   * that follow start after its last ')'. Field 3 is then index 0, so utime
   * (field 14) and stime (field 15) are indices 11 and 12. */
  rest = strrchr (contents, ')');
  if (rest == NULL)
    return FALSE;
  fields = g_strsplit (rest + 2, " ", 16);
  if (g_strv_length (fields) < 14)
    return FALSE;
  *seconds = (double) (g_ascii_strtoull (fields[11], NULL, 10) +
                       g_ascii_strtoull (fields[12], NULL, 10)) / (double) ticks_per_s;
  return TRUE;
}

gboolean
bench_proc_read_rss_kib (int pid, guint64 *kib)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (pid <= 0 || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;
  line = strstr (contents, "\nVmRSS:");
  if (line == NULL)
    return FALSE;
  *kib = g_ascii_strtoull (line + strlen ("\nVmRSS:"), NULL, 10);
  return TRUE;
}
