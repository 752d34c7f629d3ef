/* replay/report.h: the incident report: per-process facts gathered during replay, written as HTML or JSON. */
#ifndef SAKER_REPLAY_REPORT_H
#define SAKER_REPLAY_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sk_engine;
struct sk_meta;
struct rule_set;
struct sk_report;

enum sk_report_kind { SK_REPORT_HTML = 1, SK_REPORT_JSON = 2 };

/* The kind a report path asks for (by its .html/.htm/.json suffix), or 0. */
int sk_report_kind(const char *path);

struct sk_report *sk_report_new(const struct rule_set *rs);
void sk_report_free(struct sk_report *r);
/* Notes a capture (path, format) and its metadata: host, kernel, drops.
 * Call again when the source reports new metadata. */
void sk_report_source(struct sk_report *r, const char *path, const struct sk_meta *m);
/* Per event, after the state update (engine hook). */
void sk_report_event(struct sk_report *r, struct sk_engine *e);
/* Per alert (engine hook): text is the rendered text line, no newline. */
void sk_report_alert(struct sk_report *r, struct sk_engine *e, size_t rule_index, const char *text, size_t len);
/* Writes the report to path (kind from its suffix). 0, or -1 after printing an error. */
int sk_report_write(struct sk_report *r, const struct sk_engine *e, const char *path);

/* ---- the collected model (read by report_json.c / report_html.c) ---- */

enum sk_report_act { SK_ACT_EXEC = 1, SK_ACT_WRITE, SK_ACT_CONNECT, SK_ACT_ACCEPT };

struct sk_report_fact {
	uint64_t ts;
	uint8_t kind;        /* enum sk_report_act */
	char *text;          /* cmdline, path or connection tuple */
};

struct sk_report_proc {
	int64_t pid, ppid;
	uint64_t start_ts, exit_ts;   /* 0 = unknown / still running */
	int64_t parent;               /* index of the parent's record, -1 if unknown */
	uint32_t uid;
	char name[32];
	char user[32];
	char container_id[16];
	char container_name[64];
	char *exe, *cmdline;
	struct sk_report_fact *facts;
	size_t nfacts, capfacts;
	size_t dropped_facts;         /* beyond the per-process bound */
	size_t nalerts;
	int64_t next_same_pid;        /* internal: older record with this pid */
	uint8_t included;             /* internal, while writing */
};

struct sk_report_alert {
	uint64_t ts;
	int priority;
	size_t rule_index;
	int64_t proc;                 /* record index, -1 if none */
	char *text;
};

struct sk_report_source {
	char *path;
	char *hostname, *kernel;
	uint64_t capture_start;
	uint64_t drops, events_seen;
};

struct sk_report_model {
	const struct rule_set *rs;
	struct sk_report_proc *procs;
	size_t nprocs, capprocs;
	size_t untracked_procs;       /* beyond the bound */
	struct sk_report_alert *alerts;
	size_t nalerts, capalerts;
	size_t dropped_alerts;
	struct sk_report_source *sources;
	size_t nsources;
	uint64_t first_ts, last_ts, events;
};

const struct sk_report_model *sk_report_model(const struct sk_report *r);
/* Marks the records worth showing: alerting processes, their ancestors and
 * their descendants; returns how many. */
size_t sk_report_select(struct sk_report *r);

int sk_report_write_json(const struct sk_report_model *m, const struct sk_engine *e, FILE *f);
int sk_report_write_html(const struct sk_report_model *m, const struct sk_engine *e, FILE *f);

/* Formats ns since the epoch as ISO 8601 UTC with nanoseconds. */
void sk_report_time(uint64_t ts, char *buf, size_t cap);

#endif
