/* bench/bench_replay.c: in-process replay rate (events/s) of a capture through the engine, rule loading excluded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "formats/source.h"
#include "replay/cli.h"
#include "replay/engine.h"
#include "replay/fields.h"
#include "rules/rules.h"
#include "bench/bench_util.h"

/*
 * Prints one line per run and a summary line the bench scripts parse:
 *   replay LABEL: events N alerts A runs K best R1 median R2 ev/s load S s maxrss KB
 * Each run opens the capture afresh (decompression and decode are part of
 * the replay) and times from the first event read to the last processed.
 * --decode-only times the source alone, to tell decode cost from the rest.
 */

/* The trivial rule: one field test on every event (no evt.type, so it is
 * evaluated for all of them), the same check as the sysdig reference filter. */
static const char trivial_rules[] =
	"- rule: Trivial benchmark rule\n"
	"  desc: one field comparison on every event\n"
	"  condition: proc.name = nonexistent_benchmark_proc\n"
	"  output: never fires (proc=%proc.name)\n"
	"  priority: WARNING\n";

static size_t meta_size(const struct sk_meta *m)
{
	return m->n_procs + m->n_fds + m->n_users + m->n_groups + m->n_ifaces + m->n_containers + m->n_drops +
	       (size_t)m->have_host;
}

/* One pass over path; returns seconds or -1. */
static double run_once(const char *path, const struct rule_set *rs, int decode_only, FILE *devnull,
		       unsigned long long *events, unsigned long long *alerts)
{
	char err[512];
	struct sk_source *src = sk_source_open(path, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "bench_replay: %s\n", err);
		return -1;
	}
	struct sk_event ev;
	struct sk_engine e;
	struct sk_engine_opts eo;
	struct cli_opts co;
	memset(&co, 0, sizeof(co));
	replay_engine_opts(&co, &eo);
	eo.rules = rs;
	eo.out = devnull;
	if (!decode_only && sk_engine_init(&e, &eo) < 0) {
		fprintf(stderr, "bench_replay: out of memory\n");
		sk_source_close(src);
		return -1;
	}
	unsigned long long n = 0;
	size_t seen = 0;
	int rc;
	double t0 = bench_now();
	if (!decode_only) {
		sk_engine_seed(&e, sk_source_meta(src));
		seen = meta_size(sk_source_meta(src));
	}
	while ((rc = sk_source_next(src, &ev)) == 1) {
		n++;
		if (decode_only)
			continue;
		sk_engine_process(&e, &ev);
		const struct sk_meta *m = sk_source_meta(src);
		if (meta_size(m) != seen) {
			sk_engine_seed(&e, m);
			seen = meta_size(m);
		}
	}
	double dt = bench_now() - t0;
	if (rc < 0)
		fprintf(stderr, "bench_replay: %s\n", sk_source_error(src));
	*events = n;
	*alerts = decode_only ? 0 : e.stats.alerts;
	if (!decode_only)
		sk_engine_fini(&e);
	sk_source_close(src);
	return rc < 0 ? -1 : dt;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_replay [-n RUNS] [-l LABEL] [-r RULES]... [--trivial] [--decode-only] CAPTURE\n");
}

int main(int argc, char **argv)
{
	const char *rules[8];
	size_t nrules = 0;
	int runs = 3, trivial = 0, decode_only = 0;
	const char *label = "run", *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-l") && i + 1 < argc)
			label = argv[++i];
		else if (!strcmp(argv[i], "-r") && i + 1 < argc && nrules < 8)
			rules[nrules++] = argv[++i];
		else if (!strcmp(argv[i], "--trivial"))
			trivial = 1;
		else if (!strcmp(argv[i], "--decode-only"))
			decode_only = 1;
		else if (argv[i][0] != '-' && !path)
			path = argv[i];
		else {
			usage();
			return 2;
		}
	}
	if (!path || runs < 1 || runs > 100) {
		usage();
		return 2;
	}

	struct rule_loader *l = NULL;
	struct rule_set *rs = NULL;
	double load_s = 0;
	if (!decode_only) {
		struct cli_opts co;
		struct rule_load_opts lo;
		char extra[1024];
		memset(&co, 0, sizeof(co));
		double t0 = bench_now();
		if (cli_load_opts(&co, &lo, extra, sizeof(extra)) < 0)
			return 1;
		l = rule_loader_new(&lo);
		int bad = !l;
		for (size_t i = 0; i < nrules && !bad; i++)
			bad = rule_loader_add_path(l, rules[i]) < 0;
		if (!bad && trivial)
			bad = rule_loader_add_text(l, "trivial.yaml", trivial_rules, sizeof(trivial_rules) - 1) < 0;
		rs = bad ? NULL : rule_loader_build(l);
		if (!rs) {
			const struct rule_diag_list *dl = l ? rule_loader_diags(l) : NULL;
			for (size_t k = 0; dl && k < dl->n; k++)
				if (rule_diag_is_error(dl->v[k].code))
					rule_diag_print(stderr, &dl->v[k]);
			fprintf(stderr, "bench_replay: rules failed to load\n");
			rule_loader_free(l);
			return 1;
		}
		load_s = bench_now() - t0;
	}

	FILE *devnull = fopen("/dev/null", "w");
	double *secs = calloc((size_t)runs, sizeof(double));
	unsigned long long events = 0, alerts = 0;
	int status = devnull && secs ? 0 : 1;
	for (int i = 0; i < runs && !status; i++) {
		secs[i] = run_once(path, rs, decode_only, devnull, &events, &alerts);
		if (secs[i] < 0)
			status = 1;
		else
			printf("replay %s: run %d: %llu events in %.3f s, %.0f ev/s\n", label, i + 1, events, secs[i],
			       (double)events / secs[i]);
	}
	if (!status) {
		qsort(secs, (size_t)runs, sizeof(double), bench_cmp_double);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		printf("replay %s: events %llu alerts %llu runs %d best %.0f median %.0f ev/s load %.3f s maxrss %ld KB\n",
		       label, events, alerts, runs, (double)events / secs[0], (double)events / secs[runs / 2], load_s,
		       ru.ru_maxrss);
	}
	free(secs);
	if (devnull)
		fclose(devnull);
	rule_set_free(rs);
	rule_loader_free(l);
	return status;
}
