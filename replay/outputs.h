/* replay/outputs.h: alert channels (stdout, file, program, syslog, http) configured from falco.yaml keys. */
#ifndef SAKER_REPLAY_OUTPUTS_H
#define SAKER_REPLAY_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sk_config;
struct sk_outputs;

/* One alert as the engine rendered it. line is the text line (§4.3) or the
 * JSON object (§4.4), without the trailing newline. */
struct sk_alert {
	uint64_t ts;          /* event time, ns since the epoch */
	int priority;         /* RULE_PRIO_*, equal to the syslog level */
	int json;             /* line is JSON */
	const char *line;
	size_t len;
};

/* Opens every enabled output. stdout_f receives stdout_output. Returns NULL
 * after printing an error (a file that cannot be opened, a bad URL). */
struct sk_outputs *sk_outputs_open(const struct sk_config *cfg, FILE *stdout_f, int unbuffered);
/* Sends one alert to every output, subject to outputs.rate / max_burst. An
 * output that fails is reported once on stderr and, after repeated failures,
 * disabled; replay goes on. */
void sk_outputs_emit(struct sk_outputs *o, const struct sk_alert *a);
void sk_outputs_flush(struct sk_outputs *o);
/* Alerts the rate limiter dropped. */
uint64_t sk_outputs_throttled(const struct sk_outputs *o);
void sk_outputs_close(struct sk_outputs *o);

/* ---- internal: one channel ------------------------------------------- */

struct sk_output {
	const char *name;      /* "file", "program", ... for messages */
	/* Returns 0, or -1 with a one-line reason in err. */
	int (*write)(struct sk_output *out, const struct sk_alert *a, char *err, size_t errcap);
	void (*flush)(struct sk_output *out);
	void (*close)(struct sk_output *out);
	unsigned failures;     /* consecutive */
	int reported;          /* an error was printed */
	int disabled;
};

struct sk_output *sk_output_stdout_new(FILE *f, int unbuffered);
struct sk_output *sk_output_file_new(const char *path, int keep_alive, int unbuffered, char *err, size_t errcap);
struct sk_output *sk_output_program_new(const char *cmd, int keep_alive, char *err, size_t errcap);
struct sk_output *sk_output_syslog_new(const char *socket_path, char *err, size_t errcap);
struct sk_output *sk_output_http_new(const char *url, const char *user_agent, int timeout_ms, char *err,
				     size_t errcap);

/* Writes all of buf to fd, waiting at most timeout_ms overall. 0 or -1 (errno set). */
int sk_write_all_timeout(int fd, const char *buf, size_t len, int timeout_ms);

#endif
