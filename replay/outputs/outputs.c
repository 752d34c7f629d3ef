/* replay/outputs/outputs.c: the set of enabled alert channels, the rate limiter, failure reporting. */
#include "replay/outputs/outputs.h"
#include "replay/config/config.h"
#include "replay/outputs/log.h"

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

struct output_set {
	struct output *v[8];
	size_t n;
	/* outputs.rate / max_burst: a token bucket on event time, so a replay
	 * gives the same result however fast it runs */
	double rate, max_burst, tokens;
	uint64_t last_ts;
	uint64_t throttled;
	struct output_aggregator *agg;   /* outputs.aggregate, or NULL */
	int json;                        /* the alerts' layout (the "N more" lines follow it) */
	uint64_t carried_folded, carried_lines;  /* from the sets a reload replaced */
	struct output_logger log;    /* output failures are saker's own messages */
};

int output_write_all_timeout(int fd, const char *buf, size_t len, int timeout_ms)
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

static int add(struct output_set *o, struct output *out, const char *what, const char *err)
{
	if (!out) {
		fprintf(stderr, "saker-replay: %s: %s\n", what, err);
		return -1;
	}
	o->v[o->n++] = out;
	return 0;
}

struct output_set *output_set_open(const struct config *cfg, FILE *stdout_f, int unbuffered)
{
	struct output_set *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	char err[512] = "";
	int rc = 0;
	/* A pipe or a socket closed by the other end must fail a write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (config_bool(cfg, "stdout_output.enabled", 1))
		rc |= add(o, output_stdout_new(stdout_f, unbuffered), "stdout_output", "out of memory");
	if (rc == 0 && config_bool(cfg, "file_output.enabled", 0)) {
		const char *fn = config_str(cfg, "file_output.filename");
		if (!fn || !*fn) {
			snprintf(err, sizeof(err), "file_output.enabled is true but file_output.filename is not set");
			rc = add(o, NULL, "file_output", err);
		} else {
			rc = add(o, output_file_new(fn, config_bool(cfg, "file_output.keep_alive", 0), unbuffered,
						    err, sizeof(err)),
				 "file_output", err);
		}
	}
	if (rc == 0 && config_bool(cfg, "program_output.enabled", 0)) {
		const char *p = config_str(cfg, "program_output.program");
		if (!p || !*p) {
			snprintf(err, sizeof(err), "program_output.enabled is true but program_output.program is not set");
			rc = add(o, NULL, "program_output", err);
		} else {
			rc = add(o, output_program_new(p, config_bool(cfg, "program_output.keep_alive", 0), err,
						       sizeof(err)),
				 "program_output", err);
		}
	}
	if (rc == 0 && config_bool(cfg, "syslog_output.enabled", 0))
		rc = add(o, output_syslog_new(config_str(cfg, "syslog_output.socket"), err, sizeof(err)),
			 "syslog_output", err);
	if (rc == 0 && config_bool(cfg, "http_output.enabled", 0)) {
		const char *url = config_str(cfg, "http_output.url");
		const char *ua = config_str(cfg, "http_output.user_agent");
		int tmo = (int)config_num(cfg, "http_output.timeout_ms", 2000);
		rc = add(o, output_http_new(url ? url : "", ua ? ua : "saker/0.1", tmo > 0 ? tmo : 2000, err,
					    sizeof(err)),
			 "http_output", err);
	}
	output_logger_from_config(&o->log, cfg);
	o->rate = config_num(cfg, "outputs.rate", 0);
	o->max_burst = config_num(cfg, "outputs.max_burst", 1000);
	o->tokens = o->max_burst;
	int bad = 0;
	if (rc == 0)
		o->agg = output_aggregator_new(cfg, &bad);
	if (bad)
		rc = -1;
	if (rc) {
		output_set_close(o);
		return NULL;
	}
	return o;
}

static int rate_allows(struct output_set *o, uint64_t ts)
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

static void send_alert(struct output_set *o, const struct output_alert *a);

static void send_cb(void *ctx, const struct output_alert *a)
{
	send_alert(ctx, a);
}

void output_set_emit(struct output_set *o, const struct output_alert *a)
{
	if (o->agg && !a->internal) {
		o->json = a->json;
		if (!output_aggregator_admit(o->agg, a, a->json, send_cb, o))
			return;
	}
	send_alert(o, a);
}

void output_set_tick(struct output_set *o, uint64_t now_ns)
{
	if (o && o->agg)
		output_aggregator_expire(o->agg, now_ns, o->json, send_cb, o);
}

void output_set_drain(struct output_set *o)
{
	output_set_tick(o, UINT64_MAX);
}

void output_set_stats(const struct output_set *o, struct output_set_stats *st)
{
	st->throttled = o->throttled;
	st->aggregated = o->carried_folded + output_aggregator_folded(o->agg);
	st->aggregate_lines = o->carried_lines + output_aggregator_lines(o->agg);
}

static void send_alert(struct output_set *o, const struct output_alert *a)
{
	if (!a->internal && !rate_allows(o, a->ts))
		return;
	for (size_t i = 0; i < o->n; i++) {
		struct output *out = o->v[i];
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
				output_log(&(struct output_logger){.level = OUTPUT_LOG_ERR, .to_syslog = 1},
					   OUTPUT_LOG_ERR,
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

void output_set_flush(struct output_set *o)
{
	for (size_t i = 0; i < o->n; i++)
		if (o->v[i]->flush)
			o->v[i]->flush(o->v[i]);
}

uint64_t output_set_throttled(const struct output_set *o)
{
	return o->throttled;
}

void output_set_carry(struct output_set *to, const struct output_set *from)
{
	if (!to || !from)
		return;
	struct output_set_stats st;
	output_set_stats(from, &st);
	to->throttled += st.throttled;
	to->carried_folded += st.aggregated;
	to->carried_lines += st.aggregate_lines;
}

void output_set_close(struct output_set *o)
{
	if (!o)
		return;
	output_set_drain(o);
	for (size_t i = 0; i < o->n; i++)
		o->v[i]->close(o->v[i]);
	output_aggregator_free(o->agg);
	free(o);
}
