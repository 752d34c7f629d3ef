/* replay/live.c: live detection: the probe's events go straight into the engine (optionally recorded with -w), merged in time order with the audit webhook's. */
#include "replay/replay.h"
#include "replay/flight_int.h"
#include "replay/engine/engine.h"
#include "probe/probe.h"
#include "record/record.h"
#include "host/snapshot.h"
#include "replay/outputs/outputs.h"
#include "replay/report/report.h"
#include "sources/k8saudit.h"
#include "replay/service/service.h"
#include "replay/containers_int.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LIVE_VERSION "saker-replay --live 0.1"

static volatile sig_atomic_t live_stop, live_reload;

static void on_live_signal(int sig)
{
	if (sig == SIGHUP)
		live_reload = 1;
	else
		live_stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct live {
	struct engine *e;
	struct rec_out *out;     /* -w: events are also recorded */
	struct flight *flight;   /* capture.enabled: the ring and alert windows */
	const struct sk_meta *snapshot;
	int write_error;
	/* --k8s-audit-listen: the next audit event, held until the probe's
	 * stream reaches its time (or it has waited AUDIT_HOLD_NS) */
	struct source *ka;
	struct sk_event ka_ev;
	int ka_have;
	uint64_t ka_since;
	struct replay_ctr *ctr;  /* container metadata lookup (replay/containers.c) */
	struct rec_pcap *pcap;   /* --interface: packets into the -w file */
	int pcap_error;
};

/* An audit event waits at most this long for older syscall events (the
 * API server's clock may run ahead of this host's). */
#define AUDIT_HOLD_NS 2000000000ull

static void process(struct live *l, const struct sk_event *ev)
{
	/* Live events have no file numbering: count them from 1, as .skr does. */
	struct sk_event copy = *ev;
	copy.num = l->e->stats.events + 1;
	if (l->flight)
		flight_event(l->flight, &copy);
	engine_process(l->e, &copy);
	replay_ctr_event(l->ctr, l->e);
	if (l->out && !l->write_error && rec_out_event(l->out, ev) < 0) {
		fprintf(stderr, "saker-replay: -w: %s; recording stopped, detection goes on\n", rec_out_error(l->out));
		l->write_error = 1;
	}
}

/* The audit events queued so far with a time up to ts (all when ts is
 * UINT64_MAX): the merge of the two streams in time order. */
static void audit_until(struct live *l, uint64_t ts)
{
	while (l->ka) {
		if (!l->ka_have) {
			if (source_next_timeout(l->ka, &l->ka_ev, 0) != 1)
				return;
			l->ka_have = 1;
			l->ka_since = mono_ns();
		}
		if (l->ka_ev.ts > ts && mono_ns() - l->ka_since < AUDIT_HOLD_NS)
			return;
		process(l, &l->ka_ev);
		l->ka_have = 0;
	}
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int on_event(const struct sk_event *ev, void *ctx)
{
	struct live *l = ctx;
	/* only a held audit event costs the syscall path anything; the queue
	 * itself is looked at once per poll round */
	if (l->ka_have && l->ka_ev.ts <= ev->ts)
		audit_until(l, ev->ts);
	process(l, ev);
	return 0;
}

/* The counters of the metrics besides the engine's (probe, -w, reloads, webhook). */
static void live_service_tick(struct service *svc, const struct engine *e, struct sk_probe *probe, struct live *l,
			      struct source_k8saudit_listener *listener, const struct replay_reload *rl,
			      struct output_set *outs)
{
	struct service_counters c = { 0 };
	struct sk_probe_stats ps;
	if (sk_probe_stats(probe, &ps) == 0) {
		c.have_probe = 1;
		c.n_evts = ps.events;
		c.n_drops_buffer = ps.ring_full;
		c.probe_copy_fail = ps.copy_fail;
		c.probe_trunc = ps.trunc;
		c.probe_decode_err = ps.decode_err;
	}
	if (l->out) {
		c.have_capture = 1;
		c.capture_bytes = rec_out_bytes(l->out);
		c.capture_files = rec_out_files(l->out);
	}
	if (listener) {
		struct source_k8saudit_listen_stats ks;
		source_k8saudit_listener_stats(listener, &ks);
		c.have_k8s_audit = 1;
		c.k8s_audit_events = ks.events;
		c.k8s_audit_refused = ks.refused;
	}
	c.reloads = rl->reloads;
	c.reload_failures = rl->failures;
	service_tick(svc, e, &c, outs);
}

static int meta_first(void *ctx, struct sk_meta *m, int first)
{
	struct live *l = ctx;
	(void)first;
	int rc = sk_meta_merge(m, l->snapshot);
	return rc ? rc : rec_pcap_meta(l->pcap, m);
}

/* --interface: the capture thread's finished packet frames, written
 * between two batches of events; a failure stops the packets only. */
static void live_pcap_drain(struct live *l)
{
	if (!l->pcap || l->pcap_error || l->write_error)
		return;
	if (rec_pcap_drain(l->pcap, l->out) < 0) {
		const char *why = rec_out_error(l->out)[0] ? rec_out_error(l->out) : rec_pcap_error(l->pcap);
		fprintf(stderr, "saker-replay: --interface: %s; packets stopped, detection goes on\n", why);
		l->pcap_error = 1;
	}
}

int replay_live(const struct replay_opts *o, const struct rule_set *rs)
{
	struct engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	char err[1024];
	struct sk_probe *probe = NULL;
	struct sk_meta *snap = NULL;
	struct engine e;
	int engine_ok = 0;
	struct live l = { 0 };
	struct replay_sinks k;
	struct source_k8saudit_listener *listener = NULL;
	struct replay_reload rl = { 0 };
	struct service *svc = NULL;

	struct rec_privs_user pu = { 0 };
	if (o->user && rec_privs_lookup_user(o->user, &pu, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: %s\n", err);
		return 2;
	}
	int status = replay_sinks_open(o, rs, &eo, &k);
	if (status)
		goto out;
	struct sk_probe_opts po = { 0 };
	po.no_execveat_mark = o->no_execveat_mark;
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
	struct host_opts ho = { .snaplen = 80, .argv_limit = 4096, .version = LIVE_VERSION };
	if (!snap || host_snapshot_all(snap, &ho, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --live: snapshot: %s\n", snap ? err : "out of memory");
		status = 1;
		goto out;
	}
	if (flight_open(&l.flight, &o->config, rs, snap) < 0) {
		status = 1;
		goto out;
	}
	if (l.flight)
		flight_attach(l.flight, &eo, &e);
	if (engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay: out of memory\n");
		status = 1;
		goto out;
	}
	engine_ok = 1;
	engine_seed(&e, snap);
	if (k.report)
		report_source(k.report, "live", snap);
	if (o->k8s_audit_listen) {
		l.ka = replay_listener_open(o, &listener);
		if (!l.ka) {
			status = 1;
			goto out;
		}
	}
	l.e = &e;
	l.snapshot = snap;
	if (o->nifaces) {
		/* needs CAP_NET_RAW: before privileges go; its interfaces are
		 * metadata of the -w file, so before that opens */
		if (o->nifaces > REC_PCAP_MAX_IFACES) {
			fprintf(stderr, "saker-replay: too many --interface options (max %d)\n", REC_PCAP_MAX_IFACES);
			status = 1;
			goto out;
		}
		struct rec_pcap_opts pco = { .ifaces = o->ifaces, .n_ifaces = o->nifaces,
					     .snaplen = o->pcap_snaplen, .filter = o->pcap_filter };
		l.pcap = rec_pcap_open(&pco, err, sizeof(err));
		if (!l.pcap) {
			fprintf(stderr, "saker-replay: %s\n", err);
			status = 1;
			goto out;
		}
	}
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
	sigaction(SIGHUP, &sa, NULL);
	/* after the drop: capabilities are per thread, and the lookup's is one */
	l.ctr = replay_ctr_open(o);
	if (o->verbose)
		sk_probe_report(probe, stderr, "saker-replay");
	/* webserver and metrics (Falco's keys), once the probe is attached */
	int no_service = 0;
	struct service_versions sv = { .saker = SAKER_VERSION, .engine_semver = SAKER_ENGINE_VERSION };
	svc = service_start(o->config.cfg, &sv, &no_service, err, sizeof(err));
	if (!svc && !no_service) {
		fprintf(stderr, "saker-replay: %s\n", err);
		status = 1;
		goto out;
	}
	if (svc && service_address(svc)[0])
		fprintf(stderr, "saker-replay: webserver on %s\n", service_address(svc));
	/* the ready signal: a script or unit may wait for this line */
	if (l.flight && o->verbose)
		flight_report(l.flight, stderr);
	fprintf(stderr, "saker-replay: --live: detecting (probe attached, snapshot: %zu threads, %zu fds)%s%s\n",
		snap->n_procs, snap->n_fds, o->write_path ? "; recording to " : "", o->write_path ? o->write_path : "");
	/* systemd's Type=notify: ready once the probe is attached */
	if (service_sd_notify("READY=1") < 0)
		fprintf(stderr, "saker-replay: sd_notify: %s\n", strerror(errno));
	if (l.pcap && rec_pcap_start(l.pcap) < 0) {
		fprintf(stderr, "saker-replay: --interface: cannot start the capture thread\n");
		status = 1;
		goto out;
	}
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
		audit_until(&l, real_ns());
		if (replay_ctr_poll(l.ctr, &e, l.write_error ? NULL : l.out) < 0) {
			fprintf(stderr, "saker-replay: -w: %s; recording stopped, detection goes on\n", rec_out_error(l.out));
			l.write_error = 1;
		}
		live_pcap_drain(&l);
		if (l.out && !l.write_error)
			rec_out_tick(l.out);
		if (l.flight)
			flight_tick(l.flight, real_ns());
		if (k.outs) {
			output_set_tick(k.outs, real_ns());
			output_set_flush(k.outs);
		}
		if (service_due(svc))
			live_service_tick(svc, &e, probe, &l, listener, &rl, k.outs);
		fflush(stdout);
		if (limit && mono_ns() - t0 >= limit)
			break;
		if (live_reload) {
			/* between two events: the ring keeps what arrives meanwhile */
			live_reload = 0;
			service_sd_notify("RELOADING=1");
			replay_reload(o, &rl, &e, &k);
			service_sd_notify("READY=1");
		}
	}
	service_sd_notify("STOPPING=1");
	sk_probe_poll(probe, 0, on_event, &l);
	audit_until(&l, UINT64_MAX);
	if (l.pcap) {
		/* the capture thread's last frames, then what it counted */
		rec_pcap_stop(l.pcap);
		live_pcap_drain(&l);
		struct rec_pcap_stats pst;
		rec_pcap_stats(l.pcap, &pst);
		fprintf(stderr, "saker-replay: %" PRIu64 " packets on %zu interface%s, %" PRIu64
				" dropped (kernel %" PRIu64 ", writer behind %" PRIu64 ")\n",
			pst.packets, o->nifaces, o->nifaces == 1 ? "" : "s", pst.kernel_dropped + pst.dropped,
			pst.kernel_dropped, pst.dropped);
	}
	if (listener)
		replay_listener_report(listener);
	struct sk_probe_stats ps;
	if (sk_probe_stats(probe, &ps) == 0)
		e.stats.drops = ps.ring_full;
	if (l.flight) {
		if (o->verbose)
			flight_report(l.flight, stderr);
		flight_close(l.flight); /* the open window is closed with what came so far */
		l.flight = NULL;
	}
	if (replay_sinks_finish(o, replay_reload_rules(&rl, rs), &k, &e) && !status)
		status = 1;
out:
	replay_ctr_close(l.ctr);
	if (l.out && rec_out_close(l.out, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: -w: %s\n", err);
		status = 1;
	}
	flight_close(l.flight);
	if (l.pcap) {
		rec_pcap_stop(l.pcap); /* after an early exit it may still run */
		rec_pcap_free(l.pcap);
	}
	source_close(l.ka);
	if (engine_ok)
		engine_fini(&e);
	replay_sinks_close(&k);
	service_stop(svc);
	replay_reload_free(&rl);
	sk_meta_free(snap);
	sk_probe_close(probe);
	return status;
}
