/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What /proc says about the server process: CPU time and resident memory. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* utime + stime of every thread of @pid (/proc/PID/stat), in seconds.
 * FALSE when it cannot be read (the process is gone). */
gboolean bench_proc_read_cpu_seconds (int pid, double *seconds);

/* VmRSS of @pid (/proc/PID/status) in KiB. */
gboolean bench_proc_read_rss_kib (int pid, guint64 *kib);

G_END_DECLS
