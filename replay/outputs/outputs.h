/* replay/outputs/outputs.h: alert channels (stdout, file, program, syslog, http) configured from falco.yaml keys. */
#ifndef SAKER_REPLAY_OUTPUTS_OUTPUTS_H
#define SAKER_REPLAY_OUTPUTS_OUTPUTS_H

/*
 * replay/outputs/ owns where alerts go: stdout, file, program, syslog and
 * http channels behind one interface, the rate limiter, failure handling
 * (this header), and saker-replay's own log messages (log.h). It may call
 * replay/config/.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct output_set;

/* One alert as the engine rendered it. line is the text line (§4.3) or the
 * JSON object (§4.4), without the trailing newline. */
struct output_alert {
	uint64_t ts;          /* event time, ns since the epoch */
	int priority;         /* RULE_PRIO_*, equal to the syslog level */
	int json;             /* line is JSON */
	const char *line;
	size_t len;
	/* outputs.aggregate: the rule and its rendered output text (without
	 * time and priority); NULL rule: not aggregated */
	const char *rule;
	const char *msg;
	size_t msg_len;
	int internal;         /* saker's own (metrics snapshot): neither aggregated nor rate limited */
};

/* Opens every enabled output. stdout_f receives stdout_output. Returns NULL
 * after printing an error (a file that cannot be opened, a bad URL). */
struct output_set *output_set_open(const struct config *cfg, FILE *stdout_f, int unbuffered);
/* Sends one alert to every output, subject to outputs.rate / max_burst. An
 * output that fails is reported once on stderr and, after repeated failures,
 * disabled; replay goes on. */
void output_set_emit(struct output_set *o, const struct output_alert *a);
void output_set_flush(struct output_set *o);
/* Alerts the rate limiter dropped. */
uint64_t output_set_throttled(const struct output_set *o);
/* What the set did not send as is: every suppressed alert is counted. */
struct output_set_stats {
	uint64_t throttled;        /* outputs.rate: dropped */
	uint64_t aggregated;       /* outputs.aggregate: folded into a "N more" line */
	uint64_t aggregate_lines;  /* "N more" lines sent */
};
void output_set_stats(const struct output_set *o, struct output_set_stats *st);
/* Live detection: windows of outputs.aggregate that ended by now_ns (wall
 * clock) send their "N more" line. Replays need not call it: the windows
 * close on event time, and all at output_set_close / output_set_drain. */
void output_set_tick(struct output_set *o, uint64_t now_ns);
/* Sends the "N more" line of every open window (end of a run, reload). */
void output_set_drain(struct output_set *o);
/* A reload: the counts of the set being replaced go on in its successor. */
void output_set_carry(struct output_set *to, const struct output_set *from);
void output_set_close(struct output_set *o);

/* ---- internal: one channel ------------------------------------------- */

struct output {
	const char *name;      /* "file", "program", ... for messages */
	/* Returns 0, or -1 with a one-line reason in err. */
	int (*write)(struct output *out, const struct output_alert *a, char *err, size_t errcap);
	void (*flush)(struct output *out);
	void (*close)(struct output *out);
	unsigned failures;     /* consecutive */
	int reported;          /* an error was printed */
	int disabled;
};

struct output *output_stdout_new(FILE *f, int unbuffered);
struct output *output_file_new(const char *path, int keep_alive, int unbuffered, char *err, size_t errcap);
struct output *output_program_new(const char *cmd, int keep_alive, char *err, size_t errcap);
struct output *output_syslog_new(const char *socket_path, char *err, size_t errcap);
struct output *output_http_new(const char *url, const char *user_agent, int timeout_ms, char *err,
			       size_t errcap);

/* outputs.aggregate (aggregate.c): one window per rule (by: rule) or per
 * rule and output text (by: output, the default). */
struct output_aggregator;
/* NULL when outputs.aggregate.window is unset or 0; *bad set after printing
 * an error for a bad value. */
struct output_aggregator *output_aggregator_new(const struct config *cfg, int *bad);
/* 1: send a (the first of its window), 0: folded in. A window of a's key
 * that has ended sends its "N more" line through send first. */
int output_aggregator_admit(struct output_aggregator *g, const struct output_alert *a, int json,
			    void (*send)(void *ctx, const struct output_alert *a), void *ctx);
/* Windows that ended before now_ns (now_ns = UINT64_MAX: all) hand their
 * "N more in the last M s" line to send(ctx, line). */
void output_aggregator_expire(struct output_aggregator *g, uint64_t now_ns, int json,
			      void (*send)(void *ctx, const struct output_alert *a), void *ctx);
uint64_t output_aggregator_folded(const struct output_aggregator *g);
uint64_t output_aggregator_lines(const struct output_aggregator *g);
void output_aggregator_free(struct output_aggregator *g);

/* Writes all of buf to fd, waiting at most timeout_ms overall. 0 or -1 (errno set). */
int output_write_all_timeout(int fd, const char *buf, size_t len, int timeout_ms);

#endif
