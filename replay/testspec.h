/* replay/testspec.h: rule regression test specs (docs/test-spec.md): the model, the parser, the runner. */
#ifndef SAKER_REPLAY_TESTSPEC_H
#define SAKER_REPLAY_TESTSPEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A count expectation: exact, or a [min, max] range. */
struct ts_count {
	int64_t min, max;     /* max < 0: unbounded */
};

struct ts_rule_count {
	char *rule;
	struct ts_count count;
};

/* A load diagnostic the case expects (every set member must match). */
struct ts_diag {
	char *code;           /* "LOAD_ERR_VALIDATE", or NULL */
	char *item_type;      /* matched against the diagnostic's locations */
	char *item_name;
	char *message;        /* exact */
	char *contains;       /* substring */
	char *matches;        /* POSIX extended regex */
};

struct ts_strlist {
	char **v;
	size_t n;
};

/* Lines a file written by the case's outputs must contain, in order. */
struct ts_file_expect {
	char *path;                     /* as the case's options name it */
	struct ts_strlist lines;
};

struct ts_expect {
	int load;                       /* 1 = must load, 0 = must fail, -1 = unset (ok unless errors) */
	struct ts_diag *errors, *warnings;
	size_t nerrors, nwarnings;
	struct ts_strlist loaded_ok;    /* rules files (basename or path) that must load */
	int has_alerts;
	struct ts_count alerts;
	struct ts_rule_count *rules;    /* per-rule counts; 0 = must not fire */
	size_t nrules;
	int has_prio[8];
	struct ts_count prio[8];
	struct ts_strlist contains, not_contains, matches, not_matches;
	struct ts_strlist lines_in_order;
	struct ts_strlist json_keys;    /* every alert line is a JSON object with these keys */
	struct ts_file_expect *files;   /* output_file_lines_in_order */
	size_t nfiles;
};

struct ts_case {
	char *name;
	char *spec_file;
	int line;                       /* position of the case in its spec file */
	char *skip;                     /* reason: reported as skipped */
	struct ts_strlist rules;        /* resolved paths, in load order */
	struct ts_strlist captures;     /* resolved paths, merged in time order */
	struct ts_strlist options;      /* "key=value" (-o) */
	struct ts_strlist disable_substr, disable_tags, run_tags; /* -D, -T, -t */
	struct ts_strlist enable_rules, disable_rules;            /* name globs (Falco `rules:` config) */
	int legacy_enter_events;
	char *hostname;
	struct ts_expect expect;
};

struct ts_suite {
	struct ts_case *cases;
	size_t n, cap;
};

/* A whole file, NUL-terminated; NULL with errno set (ENOMEM, EIO, open's). */
char *ts_read_file(const char *path, size_t *len);

/* Parses one spec file and appends its cases. Returns 0, or -1 with a one-line
 * message naming the file and position in err. */
int ts_suite_load(struct ts_suite *s, const char *path, char *err, size_t errlen);
void ts_suite_free(struct ts_suite *s);

/* Result of one case. */
enum ts_status { TS_PASS, TS_FAIL, TS_SKIP };

struct ts_result {
	enum ts_status status;
	char *first;      /* first difference (or skip reason) */
	char *details;    /* every difference, one per line */
	char *output;     /* the alert output (for JUnit system-out) */
	double seconds;
};

/* Decoded captures shared by the cases of one run (replay/testcache.c). */
struct ts_cache;
struct ts_cache *ts_cache_new(void);
/* Decodes every capture the cases name (once per path and enter-event mode),
 * using up to jobs threads. */
void ts_cache_fill(struct ts_cache *c, const struct ts_suite *s, int jobs);
void ts_cache_free(struct ts_cache *c);
/* Number of distinct decoded captures (each decoded once). */
size_t ts_cache_count(const struct ts_cache *c);

/* Runs one case (thread-safe: every case has its own loader and engine). */
void ts_case_run(const struct ts_case *tc, const struct ts_cache *cache, struct ts_result *r);
void ts_result_free(struct ts_result *r);

/* JUnit XML report of a run. Returns 0 or -errno. */
int ts_junit_write(const char *path, const struct ts_suite *s, const struct ts_result *r, double seconds);

/* `saker-replay test [-j N] [--junit FILE] [-v] SPEC.yaml...`: returns the exit status. */
int ts_main(int argc, char **argv);

#endif
