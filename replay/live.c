/* replay/live.c: live detection: the probe's events go straight into the engine (optionally recorded with -w). */
#include "replay/cli.h"
#include "replay/engine.h"
#include "probe/probe.h"
#include "record/output.h"
#include "record/privs.h"
#include "record/snapshot.h"
#include "replay/outputs.h"
#include "replay/report.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIVE_VERSION "saker-replay --live 0.1"

static volatile sig_atomic_t live_stop;

static void on_live_signal(int sig)
{
	(void)sig;
	live_stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct live {
	struct sk_engine *e;
	struct rec_out *out;     /* -w: events are also recorded */
	const struct sk_meta *snapshot;
	int write_error;
};

static int on_event(const struct sk_event *ev, void *ctx)
{
	struct live *l = ctx;
	/* Live events have no file numbering: count them from 1, as .skr does. */
	struct sk_event copy = *ev;
	copy.num = l->e->stats.events + 1;
	sk_engine_process(l->e, &copy);
	if (l->out && !l->write_error && rec_out_event(l->out, ev) < 0) {
		fprintf(stderr, "saker-replay: -w: %s; recording stopped, detection goes on\n", rec_out_error(l->out));
		l->write_error = 1;
	}
	return 0;
}

static int meta_first(void *ctx, struct sk_meta *m, int first)
{
	struct live *l = ctx;
	(void)first;
	return sk_meta_merge(m, l->snapshot);
}

int replay_live(const struct cli_opts *o, const struct rule_set *rs)
{
	struct sk_engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	char err[1024];
	struct sk_probe *probe = NULL;
	struct sk_meta *snap = NULL;
	struct sk_engine e;
	int engine_ok = 0;
	struct live l = { 0 };
	struct replay_sinks k;

	struct rec_privs_user pu = { 0 };
	if (o->user && rec_privs_lookup_user(o->user, &pu, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: %s\n", err);
		return 2;
	}
	int status = replay_sinks_open(o, rs, &eo, &k);
	if (status)
		goto out;
	struct sk_probe_opts po = { 0 };
	if (sk_probe_open(&probe, &po, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --live: %s\n", err);
		status = 1;
		goto out;
	}
	if (sk_probe_set_syscalls(probe, NULL, 0, err, sizeof(err)) < 0 ||
	    sk_probe_exclude_pid(probe, (uint32_t)getpid()) < 0 || sk_probe_attach(probe, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --live: %s\n", err);
		status = 1;
		goto out;
	}
	/* Snapshot after attaching: events of the scan wait in the ring. */
	snap = sk_meta_new();
	struct rec_host_opts ho = { .snaplen = 80, .argv_limit = 4096, .version = LIVE_VERSION };
	if (!snap || rec_snapshot_all(snap, &ho, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --live: snapshot: %s\n", snap ? err : "out of memory");
		status = 1;
		goto out;
	}
	if (sk_engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay: out of memory\n");
		status = 1;
		goto out;
	}
	engine_ok = 1;
	sk_engine_seed(&e, snap);
	if (k.report)
		sk_report_source(k.report, "live", snap);
	l.e = &e;
	l.snapshot = snap;
	if (o->write_path) {
		struct rec_out_opts oo = { 0 };
		oo.path = o->write_path;
		oo.force = o->force;
		oo.host = &snap->host;
		oo.meta = meta_first;
		oo.ctx = &l;
		l.out = rec_out_open(&oo, err, sizeof(err));
		if (!l.out) {
			fprintf(stderr, "saker-replay: -w: %s\n", err);
			status = 1;
			goto out;
		}
	}
	/* Everything privileged is done: the ring and the files are open fds.
	 * Nothing is kept (no rotation here, no later /proc scan). */
	if (rec_privs_drop(0, pu.set ? &pu : NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --live: %s\n", err);
		status = 1;
		goto out;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_live_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uint64_t t0 = mono_ns();
	uint64_t limit = o->max_seconds > 0 ? (uint64_t)(o->max_seconds * 1e9) : 0;
	while (!live_stop) {
		/* 10 ms: the probe batches wake-ups, so the poll timeout bounds alert latency */
		int n = sk_probe_poll(probe, 10, on_event, &l);
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "saker-replay: --live: reading the ring: %s\n", strerror(-n));
			status = 1;
			break;
		}
		if (l.out && !l.write_error)
			rec_out_tick(l.out);
		if (k.outs)
			sk_outputs_flush(k.outs);
		fflush(stdout);
		if (limit && mono_ns() - t0 >= limit)
			break;
	}
	sk_probe_poll(probe, 0, on_event, &l);
	struct sk_probe_stats ps;
	if (sk_probe_stats(probe, &ps) == 0)
		e.stats.drops = ps.ring_full;
	if (replay_sinks_finish(o, rs, &k, &e) && !status)
		status = 1;
out:
	if (l.out && rec_out_close(l.out, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: -w: %s\n", err);
		status = 1;
	}
	if (engine_ok)
		sk_engine_fini(&e);
	replay_sinks_close(&k);
	sk_meta_free(snap);
	sk_probe_close(probe);
	return status;
}
