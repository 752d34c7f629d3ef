/* replay/engine/engine.h: the replay loop: events -> state -> fields -> rules -> alerts. */
#ifndef SAKER_REPLAY_ENGINE_ENGINE_H
#define SAKER_REPLAY_ENGINE_ENGINE_H

/*
 * replay/engine/ owns the per-event loop: state update, rule evaluation,
 * Falco's alert text and JSON, --print, statistics, and the options it
 * takes from the configuration (setup.c). Collectors above it (the report)
 * hook in through engine_observer. It may call replay/extract/, replay/state/,
 * replay/outputs/, replay/config/, fields/, rules/, formats/, json/.
 */

#include <stdio.h>

#include "formats/meta.h"
#include "formats/skr/skr.h"
#include "replay/extract/extract.h"
#include "rules/rules.h"

struct output_set;
struct engine;
struct engine_prep;
struct engine_pname;

/* Hooks for collectors above the engine (the incident report): the engine
 * calls them without knowing what collects. */
struct engine_observer {
	void *ctx;
	/* Every event, after the state update. */
	void (*event)(void *ctx, struct engine *e);
	/* Every alert: text is the rendered text line, without newline. */
	void (*alert)(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len);
};

struct engine_opts {
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
	/* --disable-source / --enable-source: events of these sources update
	 * the state but reach neither the rules nor --print */
	int skip_syscall, skip_k8s_audit;
	int unbuffered;
	const char *hostname;              /* overrides the capture's (FALCO_HOSTNAME/SAKER_HOSTNAME) */
	const struct rule_format *print;   /* --print FORMAT, or NULL: every delivered event
					    * (enter events too when the source delivers them) */
	int print_internal;                /* --print-internal: also internal events (procinfo), sysdig -D */
	const struct rule_filter *filter;  /* trailing filter for --print / -w, or NULL */
	struct output_set *outputs;        /* alert channels; NULL: alerts go to out */
	const struct engine_observer *observer; /* --report collector, or NULL */
	const struct engine_prep *prep;    /* answers prepared ahead (engine_process_prepared), or NULL */
};

struct engine_stats {
	uint64_t events;        /* events read */
	uint64_t evaluated;     /* events that reached the rules */
	uint64_t alerts;
	uint64_t by_priority[8];
	uint64_t *by_rule;      /* rule_set_count() entries */
	uint64_t drops;         /* reported by the capture */
};

struct engine {
	struct engine_opts o;
	struct state *st;
	struct state_updater u;
	struct extract_ctx fc;
	struct engine_stats stats;
	char hostname[256];
	char *line;              /* alert/print line buffer */
	size_t line_cap;
	char *fields;            /* output_fields JSON buffer */
	size_t fields_cap;
	const struct sk_event *ev;
	int seen_non_container;  /* a capture's leading container events are metadata (sysdig) */
	const uint64_t *prep;    /* the event's prepared words (engine_process_prepared)... */
	uint32_t nprep;          /* ...and how many */
	/* Per event type: nothing but the state update happens (no rule wants
	 * the type, nothing prints or observes events). */
	uint8_t quiet[SK_EV__COUNT];
	struct engine_pname *pname; /* proc.name answers by thread name, or NULL */
	void *prep_own;          /* engine_prep_own_new's, or NULL */
	uint64_t prep_words[SKR_PREP_MAX]; /* engine_prep_resolved's */
};

int engine_init(struct engine *e, const struct engine_opts *o);
void engine_fini(struct engine *e);
/* Seed state from capture metadata (call before the first event and again
 * whenever the source reports new metadata). */
void engine_seed(struct engine *e, const struct sk_meta *m);
/* Metadata entries a source already seeded (engine_seed_new). */
struct engine_meta_seen {
	size_t ifaces, users, groups, procs, fds, containers;
};
/* Seeds only the entries of m added since the last call (new .scap section,
 * container records read mid-stream): re-seeding whole tables each time
 * would make multi-section captures quadratic. seen starts zeroed. */
void engine_seed_new(struct engine *e, const struct sk_meta *m, struct engine_meta_seen *seen);
/* A reload (SIGHUP): new options (rules, outputs, JSON keys) for the
 * events to come; the state (threads, fds, containers) and the totals stay.
 * Per-rule counts follow the rules by name; counts of rules that are gone
 * stay in stats.alerts and by_priority. 0, or -1 (out of memory: nothing
 * changed). */
int engine_reload(struct engine *e, const struct engine_opts *o);
/* Process one event (update state, evaluate, print). */
void engine_process(struct engine *e, const struct sk_event *ev);

/*
 * replay/engine/prepare.c: rule work on an event done ahead by the .skr
 * decode workers (docs/performance.md): for an open that succeeds on an
 * absolute path in normal form, the answers of the groups of fd.name,
 * fd.directory and fd.filename checks that the open types' rules share. engine_prep_new:
 * NULL when rs has none to prepare (or out of memory); its hook goes to
 * source_opts.prepare, the engine_opts.prep is the same object, and the
 * words source_next_run() gives for each event go with it to
 * engine_process_prepared. Alerts are the same with or without.
 */
struct engine_prep *engine_prep_new(const struct rule_set *rs);
/* replay/engine/procname.c: the answer of the proc.name group that the
 * rules of an indexed event type read first, kept by the thread's comm
 * bytes (which alone make proc.name) and given to the rules
 * (rule_set_eval_given). engine_pname_new: NULL when no type has such a
 * group (or out of memory). engine_pname_given: 1 with *given set, or 0
 * (no thread, no such group: the rules fill it themselves). The engine
 * makes its own from its rules; slots (a power of two, 0: 256) is the
 * number of names kept. */
struct engine_pname *engine_pname_new(const struct rule_set *rs, uint32_t slots);
void engine_pname_free(struct engine_pname *p);
size_t engine_pname_given(struct engine_pname *p, struct engine *e, const struct sk_event *ev,
			  struct rule_given *given);
void engine_prep_free(struct engine_prep *p);
const struct skr_prepare *engine_prep_hook(const struct engine_prep *p);
/* The answers in words (n of them) that hold for ev, the event e has just
 * updated the state with, as rule_set_eval_given takes them: how many. */
size_t engine_prep_given(const struct engine_prep *p, const struct engine *e, const struct sk_event *ev,
			 const uint64_t *words, uint32_t n, struct rule_given given[3]);
/* The answers of an open the workers did not prepare (a relative path, a
 * chunk walked on the caller's thread, a .scap), worked out on the caller's
 * thread from the name the state gave the new fd, with the memo and value
 * caches of w (engine_prep_own_new: NULL when p is or out of memory):
 * how many given, in words; 0 when the open made no file entry or its
 * name is not prepared (not absolute, printable, normal). */
void *engine_prep_own_new(const struct engine_prep *p);
void engine_prep_own_free(void *w);
size_t engine_prep_resolved(const struct engine_prep *p, void *w, const struct engine *e, const struct sk_event *ev,
			    uint64_t words[SKR_PREP_MAX], struct rule_given given[3]);
/* 1 + the length of ev's open path in normal form, as the words say (the
 * state's hint_path_len); 0 when they do not. */
size_t engine_prep_path_len(const struct engine_prep *p, const struct sk_event *ev, const uint64_t *words, uint32_t n);
/* The worker's test of an open's path p of n bytes (p[n] is its NUL), in
 * one pass: n when it is absolute, in normal form and printable (what
 * state_path_normal_len(p, 0) and extract_printable_prefix find), with
 * *dir the length of its directory part; SIZE_MAX when it is not. */
size_t engine_prep_path_scan(const char *p, size_t n, size_t *dir);
/* engine_process with the words prepared for ev (n = 0: none). */
void engine_process_prepared(struct engine *e, const struct sk_event *ev, const uint64_t *words, uint32_t n);
/* Whether ev (the event being processed) is one rules see: its source is
 * enabled and it is an exit or one-shot event (enter events with
 * legacy_enter_events). For observers that evaluate rule sets of their own
 * (saker-replay diff), with the same answer engine_process uses. */
int engine_event_reaches_rules(const struct engine *e, const struct sk_event *ev);
/* replay/engine/setup.c: options from the configuration (NULL = defaults). */
struct config;
struct rule_load_opts;
/* Rule loader options (in lo): every field, the event sources with their
 * output suffixes (syscall rules: append_format, then Falco's
 * suggested_output fields; k8s_audit rules: append_format), the plugins
 * saker stands in for, priority and rule_matching. lo points into the
 * struct, which must live until rule_loader_new has copied it. */
struct engine_rules_setup {
	struct rule_load_opts lo;
	struct rule_source sources[4];
	char extra[1024];
};
/* 0, or -1 after printing an error. */
int engine_rule_opts(const struct config *cfg, const char *append_format, struct engine_rules_setup *su);
/* Engine options from the JSON, time-format and buffering keys and the
 * FALCO_HOSTNAME/SAKER_HOSTNAME environment; out = stdout, rules = NULL. */
void engine_opts_from_config(const struct config *cfg, struct engine_opts *eo);

/* Falco's end-of-run summary (stdout). */
void engine_print_summary(const struct engine *e, FILE *f);
/* saker's statistics (stderr): events read/evaluated, alerts, drops. */
void engine_print_stats(const struct engine *e, FILE *f);

#endif
