/* replay/run.c: replaying captures: open sources, merge them in time order, drive the engine, report. */
#include "replay/replay.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "replay/outputs/log.h"
#include "replay/outputs/outputs.h"
#include "replay/progress_int.h"
#include "replay/state/flowcount.h"
#include "replay/packets/packets.h"
#include "replay/report/report.h"
#include "sources/source.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct input {
	struct source *src;
	const struct sk_meta *meta; /* src's, for its life */
	const char *path;
	struct sk_event_run run;   /* the source's events not taken yet */
	const struct sk_event *ev; /* the next event, where the source keeps it */
	const uint64_t *prep; /* what the decode workers prepared for ev (engine_prep)... */
	uint32_t nprep;       /* ...how many words */
	int have;            /* ev holds the next event of this source */
	uint64_t meta_seen;  /* the metadata's changes already seeded */
	struct engine_meta_seen seen;
};

static volatile sig_atomic_t stop_requested;

/* Packets of the inputs: counted per flow for fd.bytes.* / fd.packets.*
 * (so far: as the sources read them) and handed to --pcap-out. */
struct run_packets {
	struct state_flowcounts *counts;
	struct packets *out;
};

static void run_packet(void *ctx, const struct sk_packet *pk)
{
	struct run_packets *rp = ctx;
	struct sk_flow f;
	if (rp->counts && sk_packet_flow(pk->linktype, pk->data, pk->caplen, &f) == 0)
		state_flowcounts_add(rp->counts, f.l4proto, f.src, f.sport, f.dst, f.dport, f.payload);
	if (rp->out)
		packets_sink(rp->out, pk);
}

void replay_print_warning(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "saker-replay: %s\n", msg);
}

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the next event of in; returns 1, 0 at the end, -1 on error (message printed). */
static int input_advance(struct input *in)
{
	int rc = 1;
	while (!sk_event_run_next(&in->run, &in->ev, &in->prep, &in->nprep)) {
		rc = source_next_run(in->src, &in->run);
		if (rc != 1)
			break;
	}
	if (rc < 0) {
		fprintf(stderr, "saker-replay: %s\n", source_error(in->src));
		in->have = 0;
		return -1;
	}
	in->have = rc > 0;
	return rc > 0;
}

/* The trailing filter words joined with spaces (malloc'd), or NULL. */
static char *replay_filter_text(const struct replay_opts *o)
{
	size_t n = 1;
	for (size_t i = 0; i < o->nfilter_args; i++)
		n += strlen(o->filter_args[i]) + 1;
	char *s = malloc(n);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < o->nfilter_args; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, o->filter_args[i]);
	}
	return s;
}

struct rule_filter *replay_filter_compile(const struct replay_opts *o)
{
	char *cond = replay_filter_text(o);
	struct rule_diag_list diags = { 0 };
	struct rule_filter *f = cond ? rule_filter_compile(field_registry(), cond, &diags) : NULL;
	if (!f)
		fprintf(stderr, "saker-replay: filter '%s': %s\n", cond ? cond : "",
			diags.n ? diags.v[0].message : "invalid");
	for (size_t i = 0; i < diags.n; i++)
		free(diags.v[i].message);
	free(diags.v);
	free(cond);
	return f;
}

void replay_engine_opts(const struct replay_opts *o, struct engine_opts *eo)
{
	engine_opts_from_config(o->config.cfg, eo);
	eo->legacy_enter_events = o->legacy_enter_events;
	eo->print_internal = o->print_internal;
	/* Falco's --enable-source / --disable-source */
	for (size_t i = 0; i < o->ndisable_source; i++) {
		eo->skip_syscall |= !strcmp(o->disable_source[i], "syscall");
		eo->skip_k8s_audit |= !strcmp(o->disable_source[i], "k8s_audit");
	}
	if (o->nenable_source) {
		eo->skip_syscall = eo->skip_k8s_audit = 1;
		for (size_t i = 0; i < o->nenable_source; i++) {
			eo->skip_syscall &= strcmp(o->enable_source[i], "syscall") != 0;
			eo->skip_k8s_audit &= strcmp(o->enable_source[i], "k8s_audit") != 0;
		}
	}
	if (o->unbuffered)
		eo->unbuffered = 1;
}

int replay_sinks_open(const struct replay_opts *o, const struct rule_set *rs, struct engine_opts *eo,
		      struct replay_sinks *k)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	if (o->print_format) {
		k->print = rule_format_compile(field_registry(), o->print_format, err, sizeof(err));
		if (!k->print) {
			fprintf(stderr, "saker-replay: --print: %s\n", err);
			return 1;
		}
		eo->print = k->print;
	}
	if (o->nfilter_args) {
		k->filter = replay_filter_compile(o);
		if (!k->filter)
			return 1;
		eo->filter = k->filter;
	}
	/* alerts go through the configured outputs; --print keeps stdout */
	if (rs && !o->print_format) {
		k->outs = output_set_open(o->config.cfg, stdout, eo->unbuffered);
		if (!k->outs)
			return 1;
		eo->outputs = k->outs;
	}
	if (o->observer)
		eo->observer = o->observer;
	if (rs && o->report) {
		struct report_opts ro = { .lead_n = o->report_lead_set ? o->report_lead : REPORT_LEAD_DEFAULT,
					  .gap_ns = o->report_gap_ns };
		k->report = report_new(rs, &ro);
		if (!k->report) {
			fprintf(stderr, "saker-replay: out of memory\n");
			return 2;
		}
		eo->observer = report_observer(k->report);
	}
	if (o->pcap_out) {
		struct packets_opts po = { .out_path = o->pcap_out, .force = o->force, .cond = k->filter,
					   .alerts = o->pcap_out_alerts };
		k->packets = packets_new(&po, err, sizeof(err));
		if (!k->packets) {
			fprintf(stderr, "saker-replay: %s\n", err);
			return 1;
		}
		eo->observer = packets_observer(k->packets, eo->observer);
	}
	return 0;
}

int replay_sinks_finish(const struct replay_opts *o, const struct rule_set *rs, struct replay_sinks *k,
			struct engine *e)
{
	int status = 0;
	if (k->outs) {
		output_set_drain(k->outs);
		output_set_flush(k->outs);
	}
	fflush(stdout);
	struct output_logger lg;
	output_logger_from_config(&lg, o->config.cfg);
	if (k->report && report_write(k->report, e, o->report) < 0)
		status = 1;
	else if (k->report)
		output_log(&lg, OUTPUT_LOG_INFO, "saker-replay: incident report written to %s", o->report);
	if (k->outs && output_set_throttled(k->outs))
		output_log(&lg, OUTPUT_LOG_WARNING,
			   "saker-replay: outputs.rate: %" PRIu64 " alerts were not sent (rate limit)",
		       output_set_throttled(k->outs));
	if (k->packets) {
		struct packets_result pr;
		char err[512];
		if (packets_finish(k->packets, &pr, err, sizeof(err)) < 0) {
			fprintf(stderr, "saker-replay: %s\n", err);
			status = 1;
		} else {
			fprintf(stderr, "saker-replay: --pcap-out: %" PRIu64 " of %" PRIu64 " packets written to %s "
				"(%" PRIu64 " joined to a process, %" PRIu64 " flow owners)\n",
				pr.written, pr.packets, o->pcap_out, pr.owned, pr.flows);
		}
	}
	if (rs && !o->quiet_summary && !o->print_format) {
		engine_print_summary(e, stdout);
		replay_print_suppressed(k->outs, stdout);
	}
	if (o->verbose || o->live || e->stats.drops)
		engine_print_stats(e, stderr);
	return status;
}

void replay_sinks_close(struct replay_sinks *k)
{
	output_set_close(k->outs);
	report_free(k->report);
	packets_free(k->packets);
	rule_format_free(k->print);
	rule_filter_free(k->filter);
	memset(k, 0, sizeof(*k));
}

int replay_run(const struct replay_opts *o, const struct rule_set *rs)
{
	struct engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	char err[512];
	struct input *in = calloc(o->ncaptures, sizeof(*in));
	struct engine e;
	int engine_ok = 0;
	struct replay_sinks k;
	struct replay_progress prog;
	struct run_packets rp = { state_flowcounts_new(), NULL };
	/* rule work the decode workers can do ahead (NULL: none); it outlives
	 * the sources, whose workers use it */
	struct engine_prep *prep = engine_prep_new(rs);
	eo.prep = prep;
	replay_progress_init(&prog, stderr, o->progress);
	if (!in) {
		fprintf(stderr, "saker-replay: out of memory\n");
		engine_prep_free(prep);
		return 2;
	}
	int status = replay_sinks_open(o, rs, &eo, &k);
	if (status)
		goto out;
	rp.out = k.packets;
	for (size_t i = 0; i < o->ncaptures; i++) {
		in[i].path = o->captures[i];
		/* --print shows enter events as sysdig -p does; the rules see them
		 * only with --legacy-enter-events (the engine decides) */
		struct source_opts so = { .deliver_enter = o->legacy_enter_events || o->print_format || o->deliver_enter,
					  .warn = replay_print_warning,
					  .packet = run_packet, .packet_ctx = &rp,
					  .decode_threads_set = o->decode_threads_set,
					  .decode_threads = o->decode_threads,
					  .prepare = engine_prep_hook(prep) };
		in[i].src = source_open_opts(o->captures[i], &so, err, sizeof(err));
		if (!in[i].src) {
			fprintf(stderr, "saker-replay: %s\n", err);
			status = 2;
			goto out;
		}
		replay_progress_add_file(&prog, o->captures[i]);
		if (o->legacy_enter_events && strcmp(source_format_name(in[i].src), "scap") != 0)
			fprintf(stderr, "saker-replay: --legacy-enter-events: %s has no enter events; nothing changes\n",
				o->captures[i]);
	}
	if (engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay: out of memory\n");
		status = 2;
		goto out;
	}
	engine_ok = 1;
	e.u.flowcounts = rp.counts;
	for (size_t i = 0; i < o->ncaptures; i++) {
		const struct sk_meta *m = in[i].meta = source_meta(in[i].src);
		engine_seed_new(&e, m, &in[i].seen);
		if (k.report)
			report_source(k.report, in[i].path, m);
		in[i].meta_seen = m->changes;
		if (input_advance(&in[i]) < 0)
			status = 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	double deadline = o->max_seconds > 0 ? now_s() + o->max_seconds : 0;
	uint64_t n = 0;
	while (!stop_requested) {
		struct input *best = NULL;
		for (size_t i = 0; i < o->ncaptures; i++)
			if (in[i].have && (!best || in[i].ev->ts < best->ev->ts))
				best = &in[i];
		if (!best)
			break;
		/* metadata read with this event precedes it in the capture
		 * (a container record that arrived while recording) */
		const struct sk_meta *m = best->meta;
		if (m->changes != best->meta_seen) {
			engine_seed_new(&e, m, &best->seen);
			if (k.report)
				report_source(k.report, best->path, m);
			best->meta_seen = m->changes;
		}
		engine_process_prepared(&e, best->ev, best->prep, best->nprep);
		if (input_advance(best) < 0)
			status = 2;
		if ((++n & 0xfff) == 0) {
			replay_progress_update(&prog, n);
			if (deadline && now_s() > deadline)
				break;
		}
	}
	replay_progress_done(&prog);
	for (size_t i = 0; k.report && i < o->ncaptures; i++)
		report_source(k.report, in[i].path, source_meta(in[i].src));
	if (replay_sinks_finish(o, rs, &k, &e) && !status)
		status = 1;
out:
	if (engine_ok)
		engine_fini(&e);
	replay_sinks_close(&k);
	for (size_t i = 0; i < o->ncaptures; i++)
		if (in[i].src)
			source_close(in[i].src);
	free(in);
	engine_prep_free(prep);
	state_flowcounts_free(rp.counts);
	fflush(stdout);
	return status;
}
