/* replay/report/report.h: the incident report: per-process facts gathered during replay, written as HTML or JSON. */
#ifndef SAKER_REPLAY_REPORT_REPORT_H
#define SAKER_REPLAY_REPORT_REPORT_H

/*
 * replay/report/ owns the incident report: the model collected through the
 * engine's observer hooks and its HTML and JSON renderings. It may call
 * replay/engine/ and everything the engine may call.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct engine;
struct engine_observer;
struct sk_meta;
struct rule_set;
struct report;

enum report_kind { REPORT_HTML = 1, REPORT_JSON = 2 };

/* The kind a report path asks for (by its .html/.htm/.json suffix), or 0. */
int report_kind(const char *path);

/* What a report collects beyond the defaults. */
struct report_opts {
	uint32_t lead_n;      /* events of an alert's lead-up (its process and parent); 0 = none */
	uint64_t gap_ns;      /* an incident ends after this long without an alert of its lineage */
};
#define REPORT_LEAD_DEFAULT 10
#define REPORT_LEAD_MAX 100
#define REPORT_GAP_DEFAULT_NS (600ull * 1000000000ull)

/* o NULL: the defaults. */
struct report *report_new(const struct rule_set *rs, const struct report_opts *o);
void report_free(struct report *r);
/* Notes a capture (path, format) and its metadata: host, kernel, drops.
 * Call again when the source reports new metadata. */
void report_source(struct report *r, const char *path, const struct sk_meta *m);
/* The engine hooks that feed r (engine_opts.observer); valid while r lives. */
const struct engine_observer *report_observer(struct report *r);
/* Per event, after the state update (engine hook). */
void report_event(struct report *r, struct engine *e);
/* Per alert (engine hook): text is the rendered text line, no newline. */
void report_alert(struct report *r, struct engine *e, size_t rule_index, const char *text, size_t len);
/* Writes the report to path (kind from its suffix). 0, or -1 after printing an error. */
int report_write(struct report *r, const struct engine *e, const char *path);

/* ---- the collected model (read by json.c / html.c) ---- */

enum report_act { REPORT_ACT_EXEC = 1, REPORT_ACT_WRITE, REPORT_ACT_CONNECT, REPORT_ACT_ACCEPT };

#define REPORT_LEAD_DETAIL 80

/* One event of a lead-up: what a process did before an alert. */
struct report_lead {
	uint64_t ts;
	int64_t tid;
	int64_t res;
	int64_t proc;         /* the record of the process that did it */
	uint16_t type;        /* event type (formats/event.h) */
	uint8_t has_res;
	const char *name;     /* evt.type (the syscall's name for generic events), static */
	char detail[REPORT_LEAD_DETAIL]; /* fd name, path or command line, cut */
};

struct report_fact {
	uint64_t ts;
	uint8_t kind;        /* enum report_act */
	char *text;          /* cmdline, path or connection tuple */
};

struct report_proc {
	int64_t pid, ppid;
	uint64_t start_ts, exit_ts;   /* 0 = unknown / still running */
	int64_t parent;               /* index of the parent's record, -1 if unknown */
	uint32_t uid;
	char name[32];
	char user[32];
	char container_id[16];
	char container_name[64];
	char *exe, *cmdline;
	struct report_fact *facts;
	size_t nfacts, capfacts;
	size_t dropped_facts;         /* beyond the per-process bound */
	size_t nalerts;
	int64_t next_same_pid;        /* internal: older record with this pid */
	uint8_t included;             /* internal, while writing */
	/* internal: the last lead_n events of the process (a ring), for lead-ups */
	struct report_lead *ring;
	uint32_t ring_len, ring_next;
	uint8_t no_ring;              /* beyond the lead-up memory bound */
};

struct report_alert {
	uint64_t ts;
	int priority;
	size_t rule_index;
	int64_t proc;                 /* record index, -1 if none */
	char *text;
	struct report_lead *lead;     /* the lead-up, oldest first */
	uint32_t nlead;
	int64_t incident;             /* index in report_model.incidents */
};

/* Alerts of one lineage (processes under a common ancestor below the
 * top two levels of the tree) close together in time. */
struct report_incident {
	uint64_t first_ts, last_ts;
	int priority;                 /* the most severe */
	size_t nalerts, nrules;
	size_t *rules;                /* the distinct rule indexes, nrules of them */
	int64_t root;                 /* record of the lineage's common ancestor, -1 for alerts without process */
	int64_t first_alert;
};

/* One line of the ATT&CK summary: a tactic and a technique of the rules
 * that fired (their mitre_* and T1234 tags). */
struct report_mitre {
	const char *tactic_id, *tactic;       /* "TA0002", "Execution"; "-" when no tactic tag */
	const char *technique;                /* "T1059.004", or "-" */
	const char *technique_name;           /* "" when unknown */
	size_t alerts, rules;
};

struct report_source {
	char *path;
	char *hostname, *kernel;
	uint64_t capture_start;
	uint64_t drops, events_seen;
};

struct report_model {
	const struct rule_set *rs;
	struct report_proc *procs;
	size_t nprocs, capprocs;
	size_t untracked_procs;       /* beyond the bound */
	struct report_alert *alerts;
	size_t nalerts, capalerts;
	size_t dropped_alerts;
	struct report_source *sources;
	size_t nsources;
	uint64_t first_ts, last_ts, events;
	struct report_incident *incidents;  /* report_select fills them */
	size_t nincidents;
	uint32_t lead_n;
	uint64_t gap_ns;
	size_t procs_without_lead;          /* no ring: beyond the lead-up memory bound */
};

const struct report_model *report_model(const struct report *r);
/* Marks the records worth showing: alerting processes, their ancestors and
 * their descendants; groups the alerts into incidents. Returns how many
 * records are shown. */
size_t report_select(struct report *r);
/* replay/report/incidents.c: fills m->incidents and each alert's incident. -1 when out of memory. */
int report_group_incidents(struct report_model *m);
void report_free_incidents(struct report_model *m);
/* replay/report/mitre.c: the ATT&CK summary of the alerts, most alerts
 * first (malloc'd, *n rows), or NULL. */
struct report_mitre *report_mitre_table(const struct report_model *m, size_t *n);
/* The ATT&CK tactic of a mitre_* tag ("mitre_execution" -> TA0002, Execution), or NULL. */
const char *report_mitre_tactic(const char *tag, const char **id);
/* 1 when tag is a technique id (T1234 or T1234.001). */
int report_mitre_is_technique(const char *tag);

int report_write_json(const struct report_model *m, const struct engine *e, FILE *f);
int report_write_html(const struct report_model *m, const struct engine *e, FILE *f);

/* Formats ns since the epoch as ISO 8601 UTC with nanoseconds. */
void report_time(uint64_t ts, char *buf, size_t cap);

#endif
