/* replay/engine.h: the replay loop: events -> state -> fields -> rules -> alerts. */
#ifndef SAKER_REPLAY_ENGINE_H
#define SAKER_REPLAY_ENGINE_H

#include <stdio.h>

#include "formats/meta.h"
#include "replay/extract.h"
#include "rules/rules.h"

struct sk_outputs;
struct sk_report;

struct sk_engine_opts {
	const struct rule_set *rules;      /* NULL: no rule evaluation (--print only) */
	FILE *out;                         /* alerts and printed events */
	int json_output;
	int json_legacy_layout;            /* output_fields appended Falco <= 0.38 style */
	int json_include_output;           /* default 1 */
	int json_include_tags;             /* default 1 */
	int json_include_output_fields;    /* default 1 */
	int json_include_message;          /* default 0 */
	int time_iso8601;
	int legacy_enter_events;           /* evaluate enter events of .scap input too */
	int unbuffered;
	const char *hostname;              /* overrides the capture's (FALCO_HOSTNAME/SAKER_HOSTNAME) */
	const struct rule_format *print;   /* --print FORMAT, or NULL */
	const struct rule_filter *filter;  /* trailing filter for --print / -w, or NULL */
	struct sk_outputs *outputs;        /* alert channels; NULL: alerts go to out */
	struct sk_report *report;          /* --report collector, or NULL */
};

struct sk_engine_stats {
	uint64_t events;        /* events read */
	uint64_t evaluated;     /* events that reached the rules */
	uint64_t alerts;
	uint64_t by_priority[8];
	uint64_t *by_rule;      /* rule_set_count() entries */
	uint64_t drops;         /* reported by the capture */
};

struct sk_engine {
	struct sk_engine_opts o;
	struct sk_state *st;
	struct sk_updater u;
	struct sk_fctx fc;
	struct sk_engine_stats stats;
	char hostname[256];
	char *line;              /* alert/print line buffer */
	size_t line_cap;
	char *fields;            /* output_fields JSON buffer */
	size_t fields_cap;
	const struct sk_event *ev;
};

int sk_engine_init(struct sk_engine *e, const struct sk_engine_opts *o);
void sk_engine_fini(struct sk_engine *e);
/* Seed state from capture metadata (call before the first event and again
 * whenever the source reports new metadata). */
void sk_engine_seed(struct sk_engine *e, const struct sk_meta *m);
/* Metadata entries a source already seeded (sk_engine_seed_new). */
struct sk_meta_seen {
	size_t ifaces, users, groups, procs, fds, containers;
};
/* Seeds only the entries of m added since the last call (new .scap section,
 * container records read mid-stream): re-seeding whole tables each time
 * would make multi-section captures quadratic. seen starts zeroed. */
void sk_engine_seed_new(struct sk_engine *e, const struct sk_meta *m, struct sk_meta_seen *seen);
/* Process one event (update state, evaluate, print). */
void sk_engine_process(struct sk_engine *e, const struct sk_event *ev);
/* Falco's end-of-run summary (stdout). */
void sk_engine_print_summary(const struct sk_engine *e, FILE *f);
/* saker's statistics (stderr): events read/evaluated, alerts, drops. */
void sk_engine_print_stats(const struct sk_engine *e, FILE *f);

#endif
