/* replay/regress/command.c: `saker-replay test`: options, parallel case execution, per-case lines and the summary. */
#include "replay/regress/regress.h"
#include "replay/diff/diff.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <time.h>

#define MAX_JOBS 64

struct run {
	const struct regress_suite *s;
	const struct regress_cache *cache;
	struct regress_result *res;
	unsigned char *selected, *done;
	size_t next, next_print;
	int verbose;
	struct regress_coverage *cov;   /* --coverage, or NULL */
	pthread_mutex_t lock;
};

static void print_result(const struct regress_case *tc, const struct regress_result *r, int verbose)
{
	if (r->status == REGRESS_PASS) {
		printf("ok   %s\n", tc->name);
	} else if (r->status == REGRESS_SKIP) {
		printf("skip %s: %s\n", tc->name, r->first);
	} else {
		printf("FAIL %s: %s\n", tc->name, r->first);
		if (verbose && r->details && strchr(r->details, '\n')) {
			for (const char *p = r->details; *p;) {
				const char *nl = strchr(p, '\n');
				size_t n = nl ? (size_t)(nl - p) : strlen(p);
				printf("     %.*s\n", (int)n, p);
				p += n + (nl ? 1 : 0);
			}
		}
	}
}

static void *worker(void *arg)
{
	struct run *w = arg;
	/* this thread's loaded rule sets (NULL when out of memory: every case loads its own) */
	struct regress_rules_cache *rc = regress_rules_cache_new();
	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->next < w->s->n && !w->selected[w->next])
			w->next++;
		size_t i = w->next++;
		pthread_mutex_unlock(&w->lock);
		if (i >= w->s->n) {
			regress_rules_cache_free(rc);
			return NULL;
		}
		regress_case_run_cached(&w->s->cases[i], w->cache, rc, &w->res[i], w->cov);
		/* Lines come out in spec order whatever order cases finish in. */
		pthread_mutex_lock(&w->lock);
		w->done[i] = 1;
		while (w->next_print < w->s->n && (!w->selected[w->next_print] || w->done[w->next_print])) {
			if (w->selected[w->next_print])
				print_result(&w->s->cases[w->next_print], &w->res[w->next_print], w->verbose);
			w->next_print++;
		}
		fflush(stdout);
		pthread_mutex_unlock(&w->lock);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: saker-replay test [-j N] [--junit FILE] [--coverage FILE] [-k SUBSTR] [-v] SPEC.yaml|DIR...\n"
		   "Runs rule regression test specs (docs/test-spec.md): one line per case, then\n"
		   "'N passed, M failed'. A DIR stands for its *.yaml files. Exit status 0 when\n"
		   "every case passes, 1 on a failure, 2 on an unreadable spec.\n\n"
		   "  -j N          run N cases in parallel (default 1)\n"
		   "  --junit FILE  also write a JUnit XML report\n"
		   "  -k SUBSTR     run only cases whose name contains SUBSTR (repeatable)\n"
		   "  --coverage FILE  also write the rule coverage of every case, summed by rule\n"
		   "                name (docs/coverage.md): text, or JSON when FILE ends in .json\n"
		   "  -v            print every difference of a failing case\n\n"
		   "Example:\n"
		   "  saker-replay test -j 2 --junit report.xml samples/\n"
		   "  saker-replay test -v -k open_from_cat tests/specs/peer_pass.yaml\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int selected_case(const struct regress_case *tc, char **keys, size_t nkeys)
{
	if (!nkeys)
		return 1;
	for (size_t k = 0; k < nkeys; k++)
		if (strstr(tc->name, keys[k]))
			return 1;
	return 0;
}

static int spec_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
				       (n > 4 && !strcmp(d->d_name + n - 4, ".yml")));
}

/* A spec file, or a directory: its *.yaml / *.yml files in name order. */
static int load_spec_arg(struct regress_suite *s, const char *arg)
{
	char err[1024];
	struct stat st;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		struct dirent **names;
		int n = scandir(arg, &names, spec_name, alphasort);
		if (n < 0) {
			fprintf(stderr, "saker-replay test: %s: %s\n", arg, strerror(errno));
			return 2;
		}
		int status = n == 0 ? 2 : 0;
		if (n == 0)
			fprintf(stderr, "saker-replay test: %s: no *.yaml spec files\n", arg);
		for (int i = 0; i < n; i++) {
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", arg, names[i]->d_name);
			if (!status && regress_suite_load(s, path, err, sizeof(err)) < 0) {
				fprintf(stderr, "saker-replay test: %s\n", err);
				status = 2;
			}
			free(names[i]);
		}
		free(names);
		return status;
	}
	if (regress_suite_load(s, arg, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-replay test: %s\n", err);
		return 2;
	}
	return 0;
}

int regress_main(int argc, char **argv)
{
	int jobs = 1, verbose = 0, status = 0;
	const char *junit = NULL, *coverage = NULL;
	struct regress_coverage cov = { 0 };
	char **keys = calloc((size_t)argc + 1, sizeof(*keys));
	char **specs = calloc((size_t)argc + 1, sizeof(*specs));
	size_t nkeys = 0, nspecs = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if ((!strcmp(a, "-j") || !strcmp(a, "--junit") || !strcmp(a, "-k") || !strcmp(a, "--coverage")) &&
		    i + 1 >= argc) {
			fprintf(stderr, "saker-replay test: option %s needs a value\n", a);
			status = 2;
		} else if (!strcmp(a, "-j")) {
			char *end;
			long n = strtol(argv[++i], &end, 10);
			if (*end || n < 1 || n > MAX_JOBS) {
				fprintf(stderr, "saker-replay test: -j expects 1..%d, got '%s'\n", MAX_JOBS, argv[i]);
				status = 2;
			}
			jobs = (int)n;
		} else if (!strncmp(a, "-j", 2) && a[2]) {
			jobs = atoi(a + 2);
			if (jobs < 1 || jobs > MAX_JOBS) {
				fprintf(stderr, "saker-replay test: -j expects 1..%d, got '%s'\n", MAX_JOBS, a + 2);
				status = 2;
			}
		} else if (!strcmp(a, "--junit")) {
			junit = argv[++i];
		} else if (!strcmp(a, "--coverage")) {
			coverage = argv[++i];
		} else if (!strcmp(a, "-k")) {
			keys[nkeys++] = argv[++i];
		} else if (!strcmp(a, "-v")) {
			verbose = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			free(keys);
			free(specs);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "saker-replay test: unknown option '%s'\n", a);
			status = 2;
		} else {
			specs[nspecs++] = argv[i];
		}
		if (status)
			break;
	}
	if (!status && !nspecs) {
		usage(stderr);
		status = 2;
	}
	struct regress_suite s = { 0 };
	for (size_t i = 0; !status && i < nspecs; i++)
		status = load_spec_arg(&s, specs[i]);
	if (status) {
		regress_suite_free(&s);
		free(keys);
		free(specs);
		return status;
	}
	double t0 = now_s();
	struct run w = { .s = &s, .verbose = verbose };
	w.res = calloc(s.n + 1, sizeof(*w.res));
	w.selected = calloc(s.n + 1, 1);
	w.done = calloc(s.n + 1, 1);
	struct regress_cache *cache = regress_cache_new();
	if (!w.res || !w.selected || !w.done || !cache) {
		fprintf(stderr, "saker-replay test: out of memory\n");
		status = 2;
		goto out;
	}
	for (size_t i = 0; i < s.n; i++)
		w.selected[i] = (unsigned char)selected_case(&s.cases[i], keys, nkeys);
	regress_cache_fill(cache, &s, jobs);
	w.cache = cache;
	if (coverage) {
		cov.sum = diff_coverage_new();
		if (!cov.sum) {
			fprintf(stderr, "saker-replay test: out of memory\n");
			status = 2;
			goto out;
		}
		pthread_mutex_init(&cov.lock, NULL);
		w.cov = &cov;
	}
	pthread_mutex_init(&w.lock, NULL);
	pthread_t th[MAX_JOBS];
	int started = 0;
	for (int j = 1; j < jobs; j++)
		if (pthread_create(&th[started], NULL, worker, &w) == 0)
			started++;
	worker(&w);
	for (int j = 0; j < started; j++)
		pthread_join(th[j], NULL);
	pthread_mutex_destroy(&w.lock);
	size_t passed = 0, failed = 0, skipped = 0;
	for (size_t i = 0; i < s.n; i++) {
		if (!w.selected[i])
			continue;
		passed += w.res[i].status == REGRESS_PASS;
		failed += w.res[i].status == REGRESS_FAIL;
		skipped += w.res[i].status == REGRESS_SKIP;
	}
	if (skipped)
		printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
	else
		printf("%zu passed, %zu failed\n", passed, failed);
	fflush(stdout);
	status = failed ? 1 : 0;
	if (coverage && diff_coverage_write(coverage, cov.sum, diff_coverage_is_json(coverage), cov.events,
					    regress_cache_count(cache)) < 0)
		status = 2;
	if (junit) {
		/* JUnit lists only the cases that ran under -k. */
		struct regress_suite sel = { 0 };
		struct regress_result *sr = calloc(s.n + 1, sizeof(*sr));
		sel.cases = calloc(s.n + 1, sizeof(*sel.cases));
		if (sr && sel.cases) {
			for (size_t i = 0; i < s.n; i++)
				if (w.selected[i]) {
					sel.cases[sel.n] = s.cases[i];
					sr[sel.n++] = w.res[i];
				}
			int rc = regress_junit_write(junit, &sel, sr, now_s() - t0);
			if (rc < 0) {
				fprintf(stderr, "saker-replay test: %s: %s\n", junit, strerror(-rc));
				status = 2;
			}
		}
		free(sel.cases);
		free(sr);
	}
out:
	if (cov.sum)
		pthread_mutex_destroy(&cov.lock);
	diff_coverage_free(cov.sum);
	for (size_t i = 0; w.res && i < s.n; i++)
		regress_result_free(&w.res[i]);
	free(w.res);
	free(w.selected);
	free(w.done);
	regress_cache_free(cache);
	regress_suite_free(&s);
	free(keys);
	free(specs);
	return status;
}
