/* replay/run.c: replaying captures: open sources, merge them in time order, drive the engine, report. */
#include "replay/cli.h"
#include "replay/engine.h"
#include "replay/fields.h"
#include "formats/source.h"

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

static char *join_args(const struct cli_opts *o)
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

int replay_run(const struct cli_opts *o, const struct rule_set *rs)
{
	struct sk_engine_opts eo;
	replay_engine_opts(o, &eo);
	eo.rules = rs;
	int status = 0;
	char err[512];
	struct rule_format *print = NULL;
	struct rule_filter *filter = NULL;
	struct input *in = calloc(o->ncaptures, sizeof(*in));
	struct sk_engine e;
	int engine_ok = 0;
	if (!in) {
		fprintf(stderr, "saker-replay: out of memory\n");
		return 2;
	}
	if (o->print_format) {
		print = rule_format_compile(replay_field_registry(), o->print_format, err, sizeof(err));
		if (!print) {
			fprintf(stderr, "saker-replay: --print: %s\n", err);
			status = 1;
			goto out;
		}
		eo.print = print;
	}
	if (o->nfilter_args) {
		char *cond = join_args(o);
		struct rule_diag_list diags = { 0 };
		filter = cond ? rule_filter_compile(replay_field_registry(), cond, &diags) : NULL;
		if (!filter) {
			fprintf(stderr, "saker-replay: filter '%s': %s\n", cond ? cond : "",
				diags.n ? diags.v[0].message : "invalid");
			status = 1;
		}
		for (size_t i = 0; i < diags.n; i++)
			free(diags.v[i].message);
		free(diags.v);
		free(cond);
		if (status)
			goto out;
		eo.filter = filter;
	}
	for (size_t i = 0; i < o->ncaptures; i++) {
		in[i].path = o->captures[i];
		struct sk_source_opts so = { .deliver_enter = o->legacy_enter_events };
		in[i].src = sk_source_open_opts(o->captures[i], &so, err, sizeof(err));
		if (!in[i].src) {
			fprintf(stderr, "saker-replay: %s\n", err);
			status = 2;
			goto out;
		}
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
		sk_engine_seed(&e, m);
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
			sk_engine_seed(&e, m);
			best->meta_seen = meta_size(m);
		}
		if (input_advance(best) < 0)
			status = 2;
		if (deadline && (++n & 0xffff) == 0 && now_s() > deadline)
			break;
	}
	fflush(stdout);
	if (rs && !o->quiet_summary && !o->print_format)
		sk_engine_print_summary(&e, stdout);
	if (o->verbose || e.stats.drops)
		sk_engine_print_stats(&e, stderr);
out:
	if (engine_ok)
		sk_engine_fini(&e);
	for (size_t i = 0; i < o->ncaptures; i++)
		if (in[i].src)
			sk_source_close(in[i].src);
	free(in);
	rule_format_free(print);
	rule_filter_free(filter);
	fflush(stdout);
	return status;
}
