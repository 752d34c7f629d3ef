/* replay/summary/summary.h: per-process, file, connection, syscall, user, container and exec summaries of a replay (saker-replay summary), like sysdig's chisels. */
#ifndef SAKER_REPLAY_SUMMARY_SUMMARY_H
#define SAKER_REPLAY_SUMMARY_SUMMARY_H

/*
 * replay/summary/ owns `saker-replay summary`'s model: rows keyed by what
 * the summary is by (a process, a file, a connection...), each with event,
 * error and byte counts, time spent in syscalls (when the capture has enter
 * events) and first/last times, collected through the engine's observer
 * hook, and their text table and JSON. It may call replay/engine/ and
 * everything the engine may call.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct engine;
struct engine_observer;
struct rule_filter;
struct summary;

enum summary_by {
	SUMMARY_PROCS = 0, SUMMARY_FILES, SUMMARY_CONNECTIONS, SUMMARY_SYSCALLS, SUMMARY_USERS,
	SUMMARY_CONTAINERS, SUMMARY_EXECS, SUMMARY_BY__COUNT
};

enum summary_sort {
	SUMMARY_SORT_DEFAULT = 0, SUMMARY_SORT_EVENTS, SUMMARY_SORT_BYTES, SUMMARY_SORT_READ, SUMMARY_SORT_WRITE,
	SUMMARY_SORT_ERRORS, SUMMARY_SORT_TIME, SUMMARY_SORT_DURATION, SUMMARY_SORT_NAME, SUMMARY_SORT_FIRST,
	SUMMARY_SORT__COUNT
};

/* "procs" -> SUMMARY_PROCS...; -1 if unknown. */
int summary_by_parse(const char *s);
const char *summary_by_name(int by);
int summary_sort_parse(const char *s);
const char *summary_sort_name(int sort);
/* The order a sort asks for: DEFAULT resolved for the summary's kind. */
int summary_sort_key(const struct summary *s, int sort);

/* What every row counts. */
struct summary_stats {
	uint64_t events;      /* exit and one-shot events (an enter/exit pair counts once) */
	uint64_t errors;      /* exits with a negative result */
	uint64_t bytes_in;    /* bytes read or received (successful I/O results) */
	uint64_t bytes_out;   /* bytes written or sent */
	uint64_t time_ns;     /* time inside syscalls: exit - enter (captures with enter events) */
	uint64_t opens;       /* successful open/openat/creat... (files), execs (users) */
	uint64_t first_ts, last_ts;
};

struct summary_row {
	struct summary_stats s;
	char *name;           /* what the row is: process name, path, tuple, syscall, user, container id, cmdline */
	size_t name_len;
	char *detail;         /* procs: cmdline; connections: l4 protocol; containers: name; execs: exe path */
	char *detail2;        /* connections: process; containers: image; execs: parent name */
	char user[32];        /* procs, execs */
	char container[16];   /* procs, execs: container id, "" = host */
	int64_t pid;          /* procs, execs, connections (the process of the socket) */
	uint64_t start_ts;    /* procs: the process's start (its key with pid); execs: exec time */
	uint32_t uid;         /* users, procs, execs */
	uint16_t kind;        /* syscalls: event kind */
};

struct summary_opts {
	int by;                           /* enum summary_by */
	const struct rule_filter *filter; /* the trailing FILTER, or NULL */
	uint64_t from_ns, to_ns;          /* event time window; to_ns 0 = open */
};

struct summary *summary_new(const struct summary_opts *o);
void summary_free(struct summary *s);
/* The engine hook feeding s (engine_opts.observer); valid while s lives. */
const struct engine_observer *summary_observer(struct summary *s);
/* One event, after the state update (engine hook). */
void summary_event(struct summary *s, struct engine *e);

/* The rows sorted (sort: enum summary_sort; DEFAULT picks the kind's usual
 * order: bytes for files and connections, time for execs, events otherwise),
 * the first top of them (0 = all) in *rows; returns how many. The array is
 * owned by s and valid until the next call. */
size_t summary_rows(struct summary *s, int sort, size_t top, const struct summary_row ***rows);
/* Totals over every row (and the rows count) of what was summarised. */
void summary_totals(const struct summary *s, struct summary_stats *t, size_t *nrows);
/* 1 when the capture had enter events (time_ns is meaningful). */
int summary_has_time(const struct summary *s);
/* Rows that did not fit the memory bound and were folded into "(other)". */
uint64_t summary_folded(const struct summary *s);
int summary_by(const struct summary *s);

/* Renderings (text.c, json.c). 0, or -1 on a write error. */
int summary_write_text(struct summary *s, int sort, size_t top, FILE *f);
int summary_write_json(struct summary *s, int sort, size_t top, FILE *f);

#endif
