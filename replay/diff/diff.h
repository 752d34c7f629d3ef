/* replay/diff/diff.h: saker-replay diff (two rule sets on one engine pass, the alerts only one side raised) and rule coverage. */
#ifndef SAKER_REPLAY_DIFF_DIFF_H
#define SAKER_REPLAY_DIFF_DIFF_H

/*
 * replay/diff/ owns `saker-replay diff`: every capture is decoded once and
 * each of its events, after the engine's state update, is evaluated by an
 * old and a new rule set; the alerts only one side raised and the per-rule
 * counts are reported as text, JSON or Markdown. It also owns rule coverage
 * (docs/coverage.md), the counters the rules/ probes fill rendered as text
 * and JSON, for `diff --coverage` and `test --coverage`. It may call
 * replay/engine/, replay/extract/, replay/config/, sources/, fields/,
 * rules/, formats/ and json/; not replay/regress/ or the command itself.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct engine;
struct rule_set;
struct rule_coverage;
struct rule_format;

/* An alert one side raised and the other did not, on the same event. */
struct diff_alert {
	int added;            /* 1: only the new rules raised it; 0: only the old ones */
	char *rule;
	char *priority;
	uint64_t ts;          /* event time, ns since the epoch */
	char *process;        /* proc.name of the event, "<NA>" for events without one */
	char *output;         /* the rule's output, as the side that raised it renders it */
	const char *capture;  /* path, owned by the caller */
};

/* One rule name's alert count on each side (rules of both sets, by name). */
struct diff_rule_count {
	char *rule;
	uint64_t old_count, new_count;
	int in_old, in_new;   /* the rule is loaded (and enabled) on that side */
};

struct diff_result {
	struct diff_alert *alerts;   /* in capture order, then event order */
	size_t nalerts, cap;
	size_t added, removed;
	struct diff_rule_count *rules; /* after diff_result_finish: rules that fired on either side, by name */
	size_t nrules;
	uint64_t events, evaluated;  /* events read, events that reached the rules */
	const char *const *captures;
	size_t ncaptures;
	uint64_t *old_by_rule, *new_by_rule; /* per index of each set, summed over the captures */
};

/* The collector one engine pass hands its events to (an engine_observer):
 * both sets evaluated on each event that reaches the rules. */
struct diff_pass {
	const struct rule_set *old_rs, *new_rs;
	struct diff_result *res;
	const char *capture;
	struct rule_format *proc_fmt;    /* "%proc.name" */
	size_t *old_hits, *new_hits;     /* rule indices matched by the current event */
	size_t n_old_hits, n_new_hits;
	char *line;                      /* rendering buffer */
	size_t line_cap;
	struct rule_coverage *cov;       /* coverage of the new set, or NULL */
	int failed;                      /* out of memory while recording */
};

/* 0, or -1 when out of memory. res must outlive the pass. */
int diff_result_init(struct diff_result *res, const struct rule_set *old_rs, const struct rule_set *new_rs);
void diff_result_free(struct diff_result *res);
/* Builds the per-rule counts from the per-index ones. 0 or -1 (ENOMEM). */
int diff_result_finish(struct diff_result *res, const struct rule_set *old_rs, const struct rule_set *new_rs);
/* Whether the two sides differ (an alert only one side raised). */
static inline int diff_result_differs(const struct diff_result *res)
{
	return res->nalerts != 0;
}

int diff_pass_init(struct diff_pass *p, const struct rule_set *old_rs, const struct rule_set *new_rs,
		   struct diff_result *res);
void diff_pass_fini(struct diff_pass *p);
/* engine_observer.event for a pass (ctx = struct diff_pass). */
void diff_pass_event(void *ctx, struct engine *e);
void diff_pass_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len);

/* replay/diff/render.c */
void diff_render_text(FILE *f, const struct diff_result *res);
void diff_render_json(FILE *f, const struct diff_result *res);
void diff_render_markdown(FILE *f, const struct diff_result *res);

/* replay/diff/coverage.c: coverage summed by rule, macro and list name over
 * rule sets (the cases of saker-replay test, or diff's new rules), and its
 * report (docs/coverage.md). Not thread-safe: callers serialise adds. */
struct diff_coverage;
struct diff_coverage *diff_coverage_new(void);
void diff_coverage_free(struct diff_coverage *s);
/* Adds c's counts. 0, or -1 when out of memory (the write then fails). */
int diff_coverage_add(struct diff_coverage *s, const struct rule_coverage *c);
/* Writes the report to path ("-": stdout): the JSON schema when json, else
 * text. events/ncaptures: what the corpus was. 0, or -1 after printing why. */
int diff_coverage_write(const char *path, const struct diff_coverage *s, int json, uint64_t events,
			size_t ncaptures);
/* Whether path asks for JSON (ends in .json). */
int diff_coverage_is_json(const char *path);

/* replay/diff/command.c: `saker-replay diff ...` (argv[0] = "diff"). Returns the exit status. */
int diff_main(int argc, char **argv);

#endif
