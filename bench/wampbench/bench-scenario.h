/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every scenario gets from the command line, and the scenarios' entry points. */
#pragma once

#include <wamp/wamp.h>

G_BEGIN_DECLS

/* Joins and leaves in flight at a time, and the router's answer time we
 * accept for one of them, however many sessions a scenario opens. */
#define BENCH_MAX_IN_FLIGHT 200
/* How long in-flight work may take to finish after a window: a stuck run
 * ends with its calls and events counted as lost, it never hangs. */
#define BENCH_DRAIN_TIMEOUT_S 10.0
/* rpc-throughput's shape, and its echo's (the ceiling sees the same traffic),
 * unless --callers/--outstanding say otherwise. */
#define BENCH_THROUGHPUT_CALLERS 4
#define BENCH_THROUGHPUT_OUTSTANDING 8
/* An option's value, or @fallback when it was not given (0). */
#define BENCH_OPTION_OR(value, fallback) ((value) > 0 ? (value) : (fallback))

typedef struct {
  const char *scenario;
  char *url;
  char *serializer;
  char *transport;   /* ws | rs | rs-unix, from the URL */
  int server_pid;    /* 0: no CPU or RSS figures */
  double duration;   /* seconds of each measured window */
  double warmup;     /* seconds before it */
  guint callers;     /* 0: the scenario's default */
  guint outstanding; /* 0: the scenario's default */
  guint subscribers;
  gsize payload;
  GArray *payloads;  /* (element-type gsize) payload-sweep, echo-throughput */
  guint sessions;
  char *realm;
  char *label;       /* the target: wampd, epoll, gio */

  WampReactor *reactor;
} BenchOptions;

/* Each runs one scenario, prints its results and returns TRUE when it
 * completed with no error and nothing lost. */
gboolean bench_scenario_rpc_latency (const BenchOptions *opts);
gboolean bench_scenario_rpc_throughput (const BenchOptions *opts);
gboolean bench_scenario_payload_sweep (const BenchOptions *opts);
gboolean bench_scenario_pubsub_fanout (const BenchOptions *opts);
gboolean bench_scenario_idle_sessions (const BenchOptions *opts);
gboolean bench_scenario_echo_latency (const BenchOptions *opts);
gboolean bench_scenario_echo_throughput (const BenchOptions *opts);

G_END_DECLS
