/* bench/gen_workload.h: the synthetic build + test + shell + network workload behind bench_gen_capture. */
#ifndef SAKER_BENCH_GEN_WORKLOAD_H
#define SAKER_BENCH_GEN_WORKLOAD_H

#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/* Receives each event; a negative return (after printing why) stops the workload. */
typedef int (*bench_sink_fn)(void *ctx, const struct sk_event *ev);

struct bench_workload;

/* The host at start_ts (ns since the epoch) with its login shell and nginx
 * running; NULL when out of memory. */
struct bench_workload *bench_workload_new(uint64_t seed, uint64_t start_ts, bench_sink_fn sink, void *ctx);
/* Runs one step of one task: one to a few events into the sink. 0, or -1
 * once the sink failed. */
int bench_workload_step(struct bench_workload *wl);
/* Events handed to the sink so far. */
uint64_t bench_workload_emitted(const struct bench_workload *wl);
void bench_workload_free(struct bench_workload *wl);
/* The capture metadata of that host at ts: users, interface, the shell and
 * nginx processes with their fds. NULL when out of memory. */
struct sk_meta *bench_workload_meta(uint64_t ts);

#endif
