/* replay/listen.c: --k8s-audit-listen: detection on the events a Kubernetes API server posts to the audit webhook, and the helpers --live shares. */
#include "replay/replay.h"
#include "host/snapshot.h"
#include "record/record.h"
#include "replay/engine/engine.h"
#include "replay/outputs/outputs.h"
#include "replay/report/report.h"
#include "sources/k8saudit.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t listen_stop;

static void on_listen_signal(int sig)
{
	(void)sig;
	listen_stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct source *replay_listener_open(const struct replay_opts *o, struct source_k8saudit_listener **out)
{
	char err[512];
	struct source_k8saudit_listen_opts lo;
	memset(&lo, 0, sizeof(lo));
	if (source_k8saudit_parse_listen(o->k8s_audit_listen, &lo, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay: --k8s-audit-listen %s\n", err);
		return NULL;
	}
	lo.cert = o->k8s_audit_cert;
	lo.max_event = o->k8s_audit_max_event;
	lo.max_batch = o->k8s_audit_max_batch;
	lo.warn = replay_print_warning;
	struct source_k8saudit_listener *l = source_k8saudit_listen(&lo, err, sizeof(err));
	if (!l) {
		fprintf(stderr, "saker-replay: %s\n", err);
		return NULL;
	}
	struct source *s = source_k8saudit_listener_source(l);
	if (!s) {
		fprintf(stderr, "saker-replay: out of memory\n");
		return NULL;
	}
	int v6 = strchr(lo.host, ':') != NULL;
	fprintf(stderr, "saker-replay: k8s audit webhook listening on %s://%s%s%s:%u%s\n", lo.tls ? "https" : "http",
		v6 ? "[" : "", lo.host, v6 ? "]" : "", source_k8saudit_listener_port(l), lo.path);
	*out = l;
	return s;
}

void replay_listener_report(struct source_k8saudit_listener *l)
{
	struct source_k8saudit_listen_stats st;
	source_k8saudit_listener_stats(l, &st);
	fprintf(stderr,
		"saker-replay: k8s audit webhook: %" PRIu64 " connections, %" PRIu64 " requests, %" PRIu64
		" accepted, %" PRIu64 " refused (400: %" PRIu64 ", 404: %" PRIu64 ", 405: %" PRIu64 ", 413: %" PRIu64
		", 503: %" PRIu64 ", other: %" PRIu64 "), %" PRIu64 " events, %" PRIu64 " skipped, %" PRIu64
		" TLS handshakes failed\n",
		st.connections, st.requests, st.accepted, st.refused, st.by_status[0], st.by_status[1], st.by_status[2],
		st.by_status[3], st.by_status[4], st.by_status[5], st.events, st.events_skipped, st.tls_failures);
}

/* -w: the webhook's events recorded in a .skr, with this host's record. */
static struct rec_out *record_open(const struct replay_opts *o, struct sk_meta **host)
{
	char err[512];
	struct host_opts ho = { .snaplen = 80, .argv_limit = 4096, .version = "saker-replay --k8s-audit-listen" };
	*host = sk_meta_new();
	if (!*host || host_snapshot_host(*host, &ho) < 0) {
		fprintf(stderr, "saker-replay: -w: cannot read the host record\n");
		return NULL;
	}
	struct rec_out_opts oo = { .path = o->write_path, .force = o->force, .host = &(*host)->host };
	struct rec_out *out = rec_out_open(&oo, err, sizeof(err));
	if (!out)
		fprintf(stderr, "saker-replay: -w: %s\n", err);
	return out;
}

int replay_listen(const struct replay_opts *o, const struct rule_set *rs)
{
	struct engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	struct replay_sinks k;
	struct engine e;
	int engine_ok = 0;
	struct source_k8saudit_listener *l = NULL;
	struct source *src = NULL;
	struct rec_out *rec = NULL;
	struct sk_meta *host = NULL;
	int rec_error = 0;
	int status = replay_sinks_open(o, rs, &eo, &k);
	if (status)
		goto out;
	if (o->write_path && !(rec = record_open(o, &host))) {
		status = 1;
		goto out;
	}
	if (engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay: out of memory\n");
		status = 1;
		goto out;
	}
	engine_ok = 1;
	src = replay_listener_open(o, &l);
	if (!src) {
		status = 1;
		goto out;
	}
	if (k.report)
		report_source(k.report, "k8s audit webhook", source_meta(src));
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_listen_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	uint64_t t0 = mono_ns();
	uint64_t limit = o->max_seconds > 0 ? (uint64_t)(o->max_seconds * 1e9) : 0;
	while (!listen_stop && !(limit && mono_ns() - t0 >= limit)) {
		struct sk_event ev;
		int rc = source_next_timeout(src, &ev, 100);
		if (rc == 1) {
			engine_process(&e, &ev);
			if (rec && !rec_error && rec_out_event(rec, &ev) < 0) {
				fprintf(stderr, "saker-replay: -w: %s; recording stopped, detection goes on\n",
					rec_out_error(rec));
				rec_error = 1;
			}
			continue;
		}
		if (rc == -EAGAIN) {
			/* a quiet moment: what was alerted reaches its readers */
			if (k.outs)
				output_set_flush(k.outs);
			fflush(stdout);
			if (rec && !rec_error)
				rec_out_tick(rec);
			continue;
		}
		if (rc < 0)
			status = 2;
		break;
	}
	/* events already answered with 200 are evaluated before leaving */
	struct sk_event ev;
	while (status == 0 && source_next_timeout(src, &ev, 0) == 1) {
		engine_process(&e, &ev);
		if (rec && !rec_error && rec_out_event(rec, &ev) < 0)
			rec_error = 1;
	}
	replay_listener_report(l);
	if (replay_sinks_finish(o, rs, &k, &e) && !status)
		status = 1;
out:
	if (rec) {
		char err[512];
		if (rec_out_close(rec, err, sizeof(err)) < 0) {
			fprintf(stderr, "saker-replay: -w: %s\n", err);
			status = status ? status : 1;
		}
	}
	sk_meta_free(host);
	source_close(src);
	if (engine_ok)
		engine_fini(&e);
	replay_sinks_close(&k);
	return status;
}
