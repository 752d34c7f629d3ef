/* bench/bench_replay.c: in-process replay rate (events/s) of a capture through the engine, rule loading excluded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "sources/source.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "rules/rules.h"
#include "bench/bench_util.h"

/*
 * Prints one line per run and a summary line the bench scripts parse:
 *   replay LABEL: events N alerts A runs K best R1 median R2 ev/s load S s maxrss KB
 * Each run opens the capture afresh (decompression and decode are part of
 * the replay) and times from the first event read to the last processed.
 * --decode-only times the source alone, to tell decode cost from the rest.
 * --decode-threads N: .skr frames decoded ahead on N threads (0: on the
 * replay's own thread); without it, the source's automatic choice.
 * --no-prepare: the decode workers do not prepare the open rules' fd.name
 * and fd.directory answers (engine_prep), to measure what that gives.
 */

/* The trivial rule: one field test on every event (no evt.type, so it is
 * evaluated for all of them), the same check as the sysdig reference filter. */
static const char trivial_rules[] =
	"- rule: Trivial benchmark rule\n"
	"  desc: one field comparison on every event\n"
	"  condition: proc.name = nonexistent_benchmark_proc\n"
	"  output: never fires (proc=%proc.name)\n"
	"  priority: WARNING\n";

/* CPU seconds of the calling thread, or of the whole process. */
static double cpu_now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One pass over path; returns seconds or -1; *main_cpu: the CPU seconds of
 * this (the replay's) thread, *all_cpu: of the process (decode workers too). */
static double run_once(const char *path, const struct rule_set *rs, const struct engine_prep *prep, int decode_only,
		       int threads, FILE *devnull, unsigned long long *events, unsigned long long *alerts,
		       double *main_cpu, double *all_cpu)
{
	char err[512];
	struct source_opts so = { .decode_threads_set = threads >= 0, .decode_threads = threads >= 0 ? (unsigned)threads : 0,
				  .prepare = decode_only ? NULL : engine_prep_hook(prep) };
	struct source *src = source_open_opts(path, &so, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "bench_replay: %s\n", err);
		return -1;
	}
	const struct sk_event *ev;
	struct engine e;
	struct engine_opts eo;
	engine_opts_from_config(NULL, &eo);
	eo.rules = rs;
	eo.out = devnull;
	eo.prep = prep;
	if (!decode_only && engine_init(&e, &eo) < 0) {
		fprintf(stderr, "bench_replay: out of memory\n");
		source_close(src);
		return -1;
	}
	unsigned long long n = 0;
	uint64_t seen = 0;
	const struct sk_meta *m = source_meta(src);
	int rc;
	double t0 = bench_now(), c0 = cpu_now(CLOCK_THREAD_CPUTIME_ID), p0 = cpu_now(CLOCK_PROCESS_CPUTIME_ID);
	if (!decode_only) {
		engine_seed(&e, m);
		seen = m->changes;
	}
	const uint64_t *words;
	uint32_t nw;
	struct sk_event_run run = {0};
	for (;;) {
		if (!sk_event_run_next(&run, &ev, &words, &nw)) {
			if ((rc = source_next_run(src, &run)) != 1)
				break;
			continue;
		}
		n++;
		if (decode_only)
			continue;
		engine_process_prepared(&e, ev, words, nw);
		if (m->changes != seen) {
			engine_seed(&e, m);
			seen = m->changes;
		}
	}
	double dt = bench_now() - t0;
	*main_cpu = cpu_now(CLOCK_THREAD_CPUTIME_ID) - c0;
	*all_cpu = cpu_now(CLOCK_PROCESS_CPUTIME_ID) - p0;
	if (rc < 0)
		fprintf(stderr, "bench_replay: %s\n", source_error(src));
	*events = n;
	*alerts = decode_only ? 0 : e.stats.alerts;
	if (!decode_only)
		engine_fini(&e);
	source_close(src);
	return rc < 0 ? -1 : dt;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_replay [-n RUNS] [-l LABEL] [-r RULES]... [--trivial] [--decode-only] [--plain] [--decode-threads N] [--no-prepare] CAPTURE\n");
}

int main(int argc, char **argv)
{
	const char *rules[8];
	size_t nrules = 0;
	int runs = 3, trivial = 0, decode_only = 0, plain = 0, threads = -1, prepare = 1;
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
		else if (!strcmp(argv[i], "--decode-threads") && i + 1 < argc)
			threads = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--plain"))
			plain = 1; /* -o rule_evaluation=plain */
		else if (!strcmp(argv[i], "--no-prepare"))
			prepare = 0;
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
		struct engine_rules_setup su;
		double t0 = bench_now();
		if (engine_rule_opts(NULL, NULL, &su) < 0)
			return 1;
		su.lo.plain_evaluation = plain;
		l = rule_loader_new(&su.lo);
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
	struct engine_prep *prep = prepare ? engine_prep_new(rs) : NULL;

	FILE *devnull = fopen("/dev/null", "w");
	double *secs = calloc((size_t)runs, sizeof(double));
	double *cpus = calloc((size_t)runs, sizeof(double));
	double all_cpu = 0;
	unsigned long long events = 0, alerts = 0;
	int status = devnull && secs && cpus ? 0 : 1;
	for (int i = 0; i < runs && !status; i++) {
		double all;
		secs[i] = run_once(path, rs, prep, decode_only, threads, devnull, &events, &alerts, &cpus[i], &all);
		all_cpu += all;
		if (secs[i] < 0)
			status = 1;
		else
			printf("replay %s: run %d: %llu events in %.3f s, %.0f ev/s\n", label, i + 1, events, secs[i],
			       (double)events / secs[i]);
	}
	if (!status) {
		double main_cpu = 0;
		for (int i = 0; i < runs; i++)
			main_cpu += cpus[i];
		qsort(secs, (size_t)runs, sizeof(double), bench_cmp_double);
		qsort(cpus, (size_t)runs, sizeof(double), bench_cmp_double);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		/* mainrate: events per CPU second of the replay's thread (what the
		 * rate would be with the decode workers on cores of their own);
		 * cpushare: the process's CPU time over the replay thread's */
		printf("replay %s: events %llu alerts %llu runs %d best %.0f median %.0f ev/s load %.3f s maxrss %ld KB "
		       "mainrate %.0f ev/s cpushare %.2f\n",
		       label, events, alerts, runs, (double)events / secs[0], (double)events / secs[runs / 2], load_s,
		       ru.ru_maxrss, (double)events / cpus[0], main_cpu > 0 ? all_cpu / main_cpu : 0);
	}
	free(secs);
	free(cpus);
	if (devnull)
		fclose(devnull);
	engine_prep_free(prep);
	rule_set_free(rs);
	rule_loader_free(l);
	return status;
}
