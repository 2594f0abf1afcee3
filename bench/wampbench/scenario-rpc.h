/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchRpc: N callers keeping K calls each outstanding on one callee that
 * returns the payload unchanged; the RPC scenarios and idle-sessions use it. */
#pragma once

#include "bench-result.h"

G_BEGIN_DECLS

typedef struct _BenchRpc BenchRpc;

BenchRpc *bench_rpc_new (const BenchOptions *opts, guint callers, guint outstanding);
void bench_rpc_free (BenchRpc *rpc);

/* Joins the callee and the callers and registers the procedure (bounded).
 * Returns: FALSE when that failed (counted in the errors). */
gboolean bench_rpc_start (BenchRpc *rpc);

/* One measurement with Arguments [string of @payload bytes]: warm-up, the
 * window, then waiting (bounded) for the calls still out. Fills @result's
 * ops, seconds, CPU, latency, payload, callers, outstanding, and the errors
 * and lost calls of this run. */
void bench_rpc_run (BenchRpc *rpc, gsize payload, BenchResult *result);

/* Every session leaves (bounded). Returns: the errors not yet in a result
 * (joining, registering, leaving, sessions that ended by themselves). */
guint64 bench_rpc_stop (BenchRpc *rpc);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchRpc, bench_rpc_free)

G_END_DECLS
