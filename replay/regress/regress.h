/* replay/regress/regress.h: rule regression test specs (docs/test-spec.md): the model, the parser, the runner. */
#ifndef SAKER_REPLAY_REGRESS_REGRESS_H
#define SAKER_REPLAY_REGRESS_REGRESS_H

/*
 * replay/regress/ owns `saker-replay test`: spec files, captures decoded
 * once and replayed from memory, running cases in parallel, JUnit output.
 * It may call replay/diff/ (coverage), replay/engine/, replay/outputs/, replay/config/, sources/,
 * rules/, yaml/, json/ and below; not the saker-replay command itself.
 */

#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>

/* A count expectation: exact, or a [min, max] range. */
struct regress_count {
	int64_t min, max;     /* max < 0: unbounded */
};

struct regress_rule_count {
	char *rule;
	struct regress_count count;
};

/* A load diagnostic the case expects (every set member must match). */
struct regress_diag {
	char *code;           /* "LOAD_ERR_VALIDATE", or NULL */
	char *item_type;      /* matched against the diagnostic's locations */
	char *item_name;
	char *message;        /* exact */
	char *contains;       /* substring */
	char *matches;        /* POSIX extended regex */
};

struct regress_strlist {
	char **v;
	size_t n;
};

/* Lines a file written by the case's outputs must contain, in order. */
struct regress_file_expect {
	char *path;                     /* as the case's options name it */
	struct regress_strlist lines;
};

struct regress_expect {
	int load;                       /* 1 = must load, 0 = must fail, -1 = unset (ok unless errors) */
	struct regress_diag *errors, *warnings;
	size_t nerrors, nwarnings;
	struct regress_strlist loaded_ok;    /* rules files (basename or path) that must load */
	int has_alerts;
	struct regress_count alerts;
	struct regress_rule_count *rules;    /* per-rule counts; 0 = must not fire */
	size_t nrules;
	int has_prio[8];
	struct regress_count prio[8];
	struct regress_strlist contains, not_contains, matches, not_matches;
	struct regress_strlist lines_in_order;
	struct regress_strlist json_keys;    /* every alert line is a JSON object with these keys */
	struct regress_strlist capture_warnings; /* regexes, each matching a problem the capture readers reported */
	struct regress_file_expect *files;   /* output_file_lines_in_order */
	size_t nfiles;
};

struct regress_case {
	char *name;
	char *spec_file;
	int line;                       /* position of the case in its spec file */
	char *skip;                     /* reason: reported as skipped */
	struct regress_strlist rules;        /* resolved paths, in load order */
	struct regress_strlist captures;     /* resolved paths, merged in time order */
	struct regress_strlist options;      /* "key=value" (-o) */
	struct regress_strlist disable_substr, disable_tags, run_tags; /* -D, -T, -t */
	struct regress_strlist enable_rules, disable_rules;            /* name globs (Falco `rules:` config) */
	int legacy_enter_events;
	char *hostname;
	struct regress_expect expect;
};

struct regress_suite {
	struct regress_case *cases;
	size_t n, cap;
};

/* A whole file, NUL-terminated; NULL with errno set (ENOMEM, EIO, open's). */
char *regress_read_file(const char *path, size_t *len);

/* Parses one spec file and appends its cases. Returns 0, or -1 with a one-line
 * message naming the file and position in err. */
int regress_suite_load(struct regress_suite *s, const char *path, char *err, size_t errlen);
void regress_suite_free(struct regress_suite *s);

/* Result of one case. */
enum regress_status { REGRESS_PASS, REGRESS_FAIL, REGRESS_SKIP };

struct regress_result {
	enum regress_status status;
	char *first;      /* first difference (or skip reason) */
	char *details;    /* every difference, one per line */
	char *output;     /* the alert output (for JUnit system-out) */
	double seconds;
};

/* Decoded captures shared by the cases of one run (replay/regress/cache.c). */
struct regress_cache;
struct regress_cache *regress_cache_new(void);
/* Decodes every capture the cases name (once per path and enter-event mode),
 * using up to jobs threads. */
void regress_cache_fill(struct regress_cache *c, const struct regress_suite *s, int jobs);
void regress_cache_free(struct regress_cache *c);
/* Number of distinct decoded captures (each decoded once). */
size_t regress_cache_count(const struct regress_cache *c);

/* Runs one case (thread-safe: every case has its own loader and engine). */
void regress_case_run(const struct regress_case *tc, const struct regress_cache *cache, struct regress_result *r);
/* test --coverage: every case's rule coverage summed (replay/diff/), under lock. */
struct diff_coverage;
struct regress_coverage {
	struct diff_coverage *sum;
	pthread_mutex_t lock;
	uint64_t events;       /* events the cases replayed */
};
/* regress_case_run, adding the case's coverage to cov (NULL: none). */
void regress_case_run_coverage(const struct regress_case *tc, const struct regress_cache *cache,
			       struct regress_result *r, struct regress_coverage *cov);
/* Rule sets that earlier cases of one thread loaded (replay/regress/
 * rules_cache.c), given to later cases that load the same rules files
 * (unchanged on disk) with the same options and selections, instead of
 * loading them again. One per thread. */
struct regress_rules_cache;
struct regress_rules_cache *regress_rules_cache_new(void);
void regress_rules_cache_free(struct regress_rules_cache *c);
/* regress_case_run_coverage, taking the rules from rc when they were
 * loaded before (rc NULL: loads them). */
void regress_case_run_cached(const struct regress_case *tc, const struct regress_cache *cache,
			     struct regress_rules_cache *rc, struct regress_result *r, struct regress_coverage *cov);
void regress_result_free(struct regress_result *r);

/* JUnit XML report of a run. Returns 0 or -errno. */
int regress_junit_write(const char *path, const struct regress_suite *s, const struct regress_result *r,
			double seconds);

/* `saker-replay test [-j N] [--junit FILE] [-v] SPEC.yaml...`: returns the exit status. */
int regress_main(int argc, char **argv);

#endif
