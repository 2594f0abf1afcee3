/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BenchFleet: many WampClients joined to one router, opened and closed with a
 * bounded number of joins/leaves in flight and bounded waits. */
#pragma once

#include "bench-scenario.h"

G_BEGIN_DECLS

typedef struct _BenchFleet BenchFleet;

BenchFleet *bench_fleet_new (const BenchOptions *opts);
/* Leaves nothing: clients still joined are dropped (their connections close
 * on the reactor afterwards). */
void bench_fleet_free (BenchFleet *fleet);

/* Joins @n more clients, BENCH_MAX_IN_FLIGHT at a time, within @timeout_s in
 * all; each failure counts as an error. Returns: TRUE when all joined. */
gboolean bench_fleet_join (BenchFleet *fleet, guint n, double timeout_s);
/* The joined clients, in join completion order. */
guint bench_fleet_get_size (BenchFleet *fleet);
WampClient *bench_fleet_get_client (BenchFleet *fleet, guint index);

/* Every client says GOODBYE and waits for the router's (BENCH_MAX_IN_FLIGHT
 * at a time) within @timeout_s; those that did not make it are
 * disconnected and count as errors. The clients are released. */
gboolean bench_fleet_leave (BenchFleet *fleet, double timeout_s);

/* Failed joins and leaves, and sessions that ended without being asked to. */
guint64 bench_fleet_get_errors (BenchFleet *fleet);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchFleet, bench_fleet_free)

G_END_DECLS
