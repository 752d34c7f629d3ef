/* replay/run.c: replaying captures: open sources, merge them in time order, drive the engine, report. */
#include "replay/cli.h"
#include "replay/engine.h"
#include "replay/fields.h"
#include "replay/log.h"
#include "replay/outputs.h"
#include "replay/progress.h"
#include "replay/report.h"
#include "formats/source.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct input {
	struct sk_source *src;
	const char *path;
	struct sk_event ev;
	int have;            /* ev holds the next event of this source */
	size_t meta_seen;    /* metadata entries already seeded */
	struct sk_meta_seen seen;
};

static volatile sig_atomic_t stop_requested;

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

/* Counts metadata entries so new ones (a .scap section, container records
 * read mid-stream) are noticed and seeded. */
static size_t meta_size(const struct sk_meta *m)
{
	return m->n_procs + m->n_fds + m->n_users + m->n_groups + m->n_ifaces + m->n_containers + m->n_drops +
	       (size_t)m->have_host;
}

/* Reads the next event of in; returns 1, 0 at the end, -1 on error (message printed). */
static int input_advance(struct input *in)
{
	int rc = sk_source_next(in->src, &in->ev);
	if (rc < 0) {
		fprintf(stderr, "saker-replay: %s\n", sk_source_error(in->src));
		in->have = 0;
		return -1;
	}
	in->have = rc > 0;
	return rc > 0;
}

/* The trailing filter words joined with spaces (malloc'd), or NULL. */
static char *replay_filter_text(const struct cli_opts *o)
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

struct rule_filter *replay_filter_compile(const struct cli_opts *o)
{
	char *cond = replay_filter_text(o);
	struct rule_diag_list diags = { 0 };
	struct rule_filter *f = cond ? rule_filter_compile(replay_field_registry(), cond, &diags) : NULL;
	if (!f)
		fprintf(stderr, "saker-replay: filter '%s': %s\n", cond ? cond : "",
			diags.n ? diags.v[0].message : "invalid");
	for (size_t i = 0; i < diags.n; i++)
		free(diags.v[i].message);
	free(diags.v);
	free(cond);
	return f;
}

void replay_engine_opts(const struct cli_opts *o, struct sk_engine_opts *eo)
{
	memset(eo, 0, sizeof(*eo));
	eo->out = stdout;
	eo->json_output = cli_config_bool(&o->config, "json_output", 0);
	const char *layout = cli_config_get(&o->config, "json_output_layout");
	eo->json_legacy_layout = layout && !strcmp(layout, "legacy");
	eo->json_include_output = cli_config_bool(&o->config, "json_include_output_property", 1);
	eo->json_include_tags = cli_config_bool(&o->config, "json_include_tags_property", 1);
	eo->json_include_output_fields = cli_config_bool(&o->config, "json_include_output_fields_property", 1);
	eo->json_include_message = cli_config_bool(&o->config, "json_include_message_property", 0);
	eo->time_iso8601 = cli_config_bool(&o->config, "time_format_iso_8601", 0);
	eo->legacy_enter_events = o->legacy_enter_events;
	eo->unbuffered = o->unbuffered || !cli_config_bool(&o->config, "buffered_outputs", 1);
	/* Falco's JSON hostname: FALCO_HOSTNAME wins; saker also honours
	 * SAKER_HOSTNAME; otherwise the recorded host's name. */
	const char *h = getenv("SAKER_HOSTNAME");
	if (!h || !*h)
		h = getenv("FALCO_HOSTNAME");
	eo->hostname = h && *h ? h : NULL;
}

int replay_sinks_open(const struct cli_opts *o, const struct rule_set *rs, struct sk_engine_opts *eo,
		      struct replay_sinks *k)
{
	char err[512];
	memset(k, 0, sizeof(*k));
	if (o->print_format) {
		k->print = rule_format_compile(replay_field_registry(), o->print_format, err, sizeof(err));
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
		k->outs = sk_outputs_open(o->config.cfg, stdout, eo->unbuffered);
		if (!k->outs)
			return 1;
		eo->outputs = k->outs;
	}
	if (rs && o->report) {
		k->report = sk_report_new(rs);
		if (!k->report) {
			fprintf(stderr, "saker-replay: out of memory\n");
			return 2;
		}
		eo->report = k->report;
	}
	return 0;
}

int replay_sinks_finish(const struct cli_opts *o, const struct rule_set *rs, struct replay_sinks *k,
			struct sk_engine *e)
{
	int status = 0;
	if (k->outs)
		sk_outputs_flush(k->outs);
	fflush(stdout);
	struct sk_logger lg;
	sk_logger_from_config(&lg, o->config.cfg);
	if (k->report && sk_report_write(k->report, e, o->report) < 0)
		status = 1;
	else if (k->report)
		sk_log(&lg, SK_LOG_INFO, "saker-replay: incident report written to %s", o->report);
	if (k->outs && sk_outputs_throttled(k->outs))
		sk_log(&lg, SK_LOG_WARNING, "saker-replay: outputs.rate: %" PRIu64 " alerts were not sent (rate limit)",
		       sk_outputs_throttled(k->outs));
	if (rs && !o->quiet_summary && !o->print_format)
		sk_engine_print_summary(e, stdout);
	if (o->verbose || o->live || e->stats.drops)
		sk_engine_print_stats(e, stderr);
	return status;
}

void replay_sinks_close(struct replay_sinks *k)
{
	sk_outputs_close(k->outs);
	sk_report_free(k->report);
	rule_format_free(k->print);
	rule_filter_free(k->filter);
	memset(k, 0, sizeof(*k));
}

int replay_run(const struct cli_opts *o, const struct rule_set *rs)
{
	struct sk_engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	char err[512];
	struct input *in = calloc(o->ncaptures, sizeof(*in));
	struct sk_engine e;
	int engine_ok = 0;
	struct replay_sinks k;
	struct sk_progress prog;
	sk_progress_init(&prog, stderr, o->progress);
	if (!in) {
		fprintf(stderr, "saker-replay: out of memory\n");
		return 2;
	}
	int status = replay_sinks_open(o, rs, &eo, &k);
	if (status)
		goto out;
	for (size_t i = 0; i < o->ncaptures; i++) {
		in[i].path = o->captures[i];
		struct sk_source_opts so = { .deliver_enter = o->legacy_enter_events };
		in[i].src = sk_source_open_opts(o->captures[i], &so, err, sizeof(err));
		if (!in[i].src) {
			fprintf(stderr, "saker-replay: %s\n", err);
			status = 2;
			goto out;
		}
		sk_progress_add_file(&prog, o->captures[i]);
		if (o->legacy_enter_events && strcmp(sk_source_format_name(in[i].src), "scap") != 0)
			fprintf(stderr, "saker-replay: --legacy-enter-events: %s has no enter events; nothing changes\n",
				o->captures[i]);
	}
	if (sk_engine_init(&e, &eo) < 0) {
		fprintf(stderr, "saker-replay: out of memory\n");
		status = 2;
		goto out;
	}
	engine_ok = 1;
	for (size_t i = 0; i < o->ncaptures; i++) {
		const struct sk_meta *m = sk_source_meta(in[i].src);
		sk_engine_seed_new(&e, m, &in[i].seen);
		if (k.report)
			sk_report_source(k.report, in[i].path, m);
		in[i].meta_seen = meta_size(m);
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
			if (in[i].have && (!best || in[i].ev.ts < best->ev.ts))
				best = &in[i];
		if (!best)
			break;
		sk_engine_process(&e, &best->ev);
		const struct sk_meta *m = sk_source_meta(best->src);
		if (meta_size(m) != best->meta_seen) {
			sk_engine_seed_new(&e, m, &best->seen);
			if (k.report)
				sk_report_source(k.report, best->path, m);
			best->meta_seen = meta_size(m);
		}
		if (input_advance(best) < 0)
			status = 2;
		if ((++n & 0xfff) == 0) {
			sk_progress_update(&prog, n);
			if (deadline && now_s() > deadline)
				break;
		}
	}
	sk_progress_done(&prog);
	for (size_t i = 0; k.report && i < o->ncaptures; i++)
		sk_report_source(k.report, in[i].path, sk_source_meta(in[i].src));
	if (replay_sinks_finish(o, rs, &k, &e) && !status)
		status = 1;
out:
	if (engine_ok)
		sk_engine_fini(&e);
	replay_sinks_close(&k);
	for (size_t i = 0; i < o->ncaptures; i++)
		if (in[i].src)
			sk_source_close(in[i].src);
	free(in);
	fflush(stdout);
	return status;
}
