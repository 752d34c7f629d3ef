/* replay/outputs.c: the set of enabled alert channels, the rate limiter, failure reporting. */
#include "replay/outputs.h"
#include "replay/config.h"
#include "replay/log.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* An output is given up after this many failures in a row, so a dead
 * collector costs at most a few timeouts, not one per alert. */
#define MAX_CONSECUTIVE_FAILURES 3

struct sk_outputs {
	struct sk_output *v[8];
	size_t n;
	/* outputs.rate / max_burst: a token bucket on event time, so a replay
	 * gives the same result however fast it runs */
	double rate, max_burst, tokens;
	uint64_t last_ts;
	uint64_t throttled;
	struct sk_logger log;    /* output failures are saker's own messages */
};

int sk_write_all_timeout(int fd, const char *buf, size_t len, int timeout_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= timeout_ms) {
			errno = ETIMEDOUT;
			return -1;
		}
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		poll(&p, 1, (int)(timeout_ms - spent));
	}
	return 0;
}

static int add(struct sk_outputs *o, struct sk_output *out, const char *what, const char *err)
{
	if (!out) {
		fprintf(stderr, "saker-replay: %s: %s\n", what, err);
		return -1;
	}
	o->v[o->n++] = out;
	return 0;
}

struct sk_outputs *sk_outputs_open(const struct sk_config *cfg, FILE *stdout_f, int unbuffered)
{
	struct sk_outputs *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	char err[512] = "";
	int rc = 0;
	/* A pipe or a socket closed by the other end must fail a write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (sk_config_bool(cfg, "stdout_output.enabled", 1))
		rc |= add(o, sk_output_stdout_new(stdout_f, unbuffered), "stdout_output", "out of memory");
	if (rc == 0 && sk_config_bool(cfg, "file_output.enabled", 0)) {
		const char *fn = sk_config_str(cfg, "file_output.filename");
		if (!fn || !*fn) {
			snprintf(err, sizeof(err), "file_output.enabled is true but file_output.filename is not set");
			rc = add(o, NULL, "file_output", err);
		} else {
			rc = add(o, sk_output_file_new(fn, sk_config_bool(cfg, "file_output.keep_alive", 0), unbuffered,
						       err, sizeof(err)),
				 "file_output", err);
		}
	}
	if (rc == 0 && sk_config_bool(cfg, "program_output.enabled", 0)) {
		const char *p = sk_config_str(cfg, "program_output.program");
		if (!p || !*p) {
			snprintf(err, sizeof(err), "program_output.enabled is true but program_output.program is not set");
			rc = add(o, NULL, "program_output", err);
		} else {
			rc = add(o, sk_output_program_new(p, sk_config_bool(cfg, "program_output.keep_alive", 0), err,
							  sizeof(err)),
				 "program_output", err);
		}
	}
	if (rc == 0 && sk_config_bool(cfg, "syslog_output.enabled", 0))
		rc = add(o, sk_output_syslog_new(sk_config_str(cfg, "syslog_output.socket"), err, sizeof(err)),
			 "syslog_output", err);
	if (rc == 0 && sk_config_bool(cfg, "http_output.enabled", 0)) {
		const char *url = sk_config_str(cfg, "http_output.url");
		const char *ua = sk_config_str(cfg, "http_output.user_agent");
		int tmo = (int)sk_config_num(cfg, "http_output.timeout_ms", 2000);
		rc = add(o, sk_output_http_new(url ? url : "", ua ? ua : "saker/0.1", tmo > 0 ? tmo : 2000, err,
					       sizeof(err)),
			 "http_output", err);
	}
	sk_logger_from_config(&o->log, cfg);
	o->rate = sk_config_num(cfg, "outputs.rate", 0);
	o->max_burst = sk_config_num(cfg, "outputs.max_burst", 1000);
	o->tokens = o->max_burst;
	if (rc) {
		sk_outputs_close(o);
		return NULL;
	}
	return o;
}

static int rate_allows(struct sk_outputs *o, uint64_t ts)
{
	if (o->rate <= 0)
		return 1;
	if (o->last_ts && ts > o->last_ts) {
		o->tokens += (double)(ts - o->last_ts) / 1e9 * o->rate;
		if (o->tokens > o->max_burst)
			o->tokens = o->max_burst;
	}
	if (ts > o->last_ts)
		o->last_ts = ts;
	if (o->tokens < 1) {
		o->throttled++;
		return 0;
	}
	o->tokens -= 1;
	return 1;
}

void sk_outputs_emit(struct sk_outputs *o, const struct sk_alert *a)
{
	if (!rate_allows(o, a->ts))
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct sk_output *out = o->v[i];
		if (out->disabled)
			continue;
		char err[256] = "";
		if (out->write(out, a, err, sizeof(err)) == 0) {
			out->failures = 0;
			continue;
		}
		/* always on stderr, whatever log_stderr says: lost alerts must be visible */
		if (!out->reported) {
			fprintf(stderr, "saker-replay: %s output: %s\n", out->name, err);
			if (o->log.to_syslog)
				sk_log(&(struct sk_logger){.level = SK_LOG_ERR, .to_syslog = 1}, SK_LOG_ERR,
				       "saker-replay: %s output: %s", out->name, err);
		}
		out->reported = 1;
		if (++out->failures >= MAX_CONSECUTIVE_FAILURES) {
			fprintf(stderr, "saker-replay: %s output: %u failures in a row, disabled\n", out->name,
				out->failures);
			out->disabled = 1;
		}
	}
}

void sk_outputs_flush(struct sk_outputs *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i]->flush)
			o->v[i]->flush(o->v[i]);
}

uint64_t sk_outputs_throttled(const struct sk_outputs *o)
{
	return o->throttled;
}

void sk_outputs_close(struct sk_outputs *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++)
		o->v[i]->close(o->v[i]);
	free(o);
}
