/* replay/outputs/aggregate.c: outputs.aggregate: per rule (and output text) windows that forward the first alert and then one "N more in the last M s" line. */
#include "replay/outputs/outputs.h"
#include "replay/config/config.h"
#include "json/json.h"
#include "rules/rules.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Open windows at once; past it an alert is forwarded as is (never lost). */
#define AGG_SLOTS 4096
#define AGG_RULE_MAX 128

struct agg_slot {
	uint64_t hash;
	uint64_t start_ts, last_ts;
	uint64_t folded;
	int priority;
	int used;
	int tomb;                   /* a closed window: probing goes on past it */
	char rule[AGG_RULE_MAX];
};

struct output_aggregator {
	uint64_t window_ns;
	int by_rule;                /* by: rule (else rule and output text) */
	uint64_t last_sweep;
	size_t used, tombs;
	uint64_t folded, lines;
	struct agg_slot slots[AGG_SLOTS];
	char line[1024];
	char json[2048];
};

struct output_aggregator *output_aggregator_new(const struct config *cfg, int *bad)
{
	*bad = 0;
	const char *w = config_str(cfg, "outputs.aggregate.window");
	if (!w || !*w)
		return NULL;
	uint64_t ns = 0;
	char *end = NULL;
	double secs = strtod(w, &end);
	if (end && end != w && !*end && secs >= 0)
		ns = (uint64_t)(secs * 1e9);   /* a plain number: seconds */
	else if (config_parse_duration(w, &ns) < 0) {
		fprintf(stderr, "saker-replay: outputs.aggregate.window '%s': expected seconds or a duration (10s, 1m)\n", w);
		*bad = 1;
		return NULL;
	}
	const char *by = config_str(cfg, "outputs.aggregate.by");
	if (by && strcmp(by, "rule") && strcmp(by, "output")) {
		fprintf(stderr, "saker-replay: outputs.aggregate.by '%s': expected 'rule' or 'output'\n", by);
		*bad = 1;
		return NULL;
	}
	if (!ns)
		return NULL;
	struct output_aggregator *g = calloc(1, sizeof(*g));
	if (!g) {
		fprintf(stderr, "saker-replay: out of memory\n");
		*bad = 1;
		return NULL;
	}
	g->window_ns = ns;
	g->by_rule = by && !strcmp(by, "rule");
	return g;
}

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

/* The "N more" line of a window, in the layout of the alerts (text or JSON). */
static void close_window(struct output_aggregator *g, struct agg_slot *sl, int json,
			 void (*send)(void *ctx, const struct output_alert *a), void *ctx)
{
	if (sl->folded) {
		time_t s = (time_t)(sl->last_ts / 1000000000ull);
		struct tm tm;
		gmtime_r(&s, &tm);
		const char *pn = rule_priority_name(sl->priority);
		int n = snprintf(g->line, sizeof(g->line),
				 "%02d:%02d:%02d.%09" PRIu64 ": %s %s: %" PRIu64 " more in the last %g s (outputs.aggregate)",
				 tm.tm_hour, tm.tm_min, tm.tm_sec, (uint64_t)(sl->last_ts % 1000000000ull), pn ? pn : "Warning",
				 sl->rule, sl->folded, (double)g->window_ns / 1e9);
		struct output_alert a = { .ts = sl->last_ts, .priority = sl->priority, .line = g->line,
					  .len = n > 0 && (size_t)n < sizeof(g->line) ? (size_t)n : strlen(g->line) };
		if (json) {
			struct json_buf o;
			json_buf_init(&o, g->json, sizeof(g->json));
			json_buf_puts(&o, "{\"output\":");
			json_buf_string(&o, g->line, a.len);
			char tail[256];
			snprintf(tail, sizeof(tail),
				 ",\"output_fields\":{\"saker.aggregated\":%" PRIu64 ",\"saker.window_s\":%g},\"priority\":",
				 sl->folded, (double)g->window_ns / 1e9);
			json_buf_puts(&o, tail);
			json_buf_string(&o, pn ? pn : "Warning", strlen(pn ? pn : "Warning"));
			json_buf_puts(&o, ",\"rule\":");
			json_buf_string(&o, sl->rule, strlen(sl->rule));
			snprintf(tail, sizeof(tail), ",\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z\"}",
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
				 (uint64_t)(sl->last_ts % 1000000000ull));
			json_buf_puts(&o, tail);
			a.json = 1;
			a.line = o.buf;
			a.len = o.len;
		}
		g->lines++;
		send(ctx, &a);
	}
	sl->used = 0;
	sl->tomb = 1;
	g->tombs++;
	g->used--;
	if (!g->used && g->tombs > AGG_SLOTS / 4) {
		for (size_t i = 0; i < AGG_SLOTS; i++)
			g->slots[i].tomb = 0;
		g->tombs = 0;
	}
}

void output_aggregator_expire(struct output_aggregator *g, uint64_t now_ns, int json,
			      void (*send)(void *ctx, const struct output_alert *a), void *ctx)
{
	for (size_t i = 0; g->used && i < AGG_SLOTS; i++) {
		struct agg_slot *sl = &g->slots[i];
		if (sl->used && (now_ns == UINT64_MAX || now_ns >= sl->start_ts + g->window_ns))
			close_window(g, sl, json, send, ctx);
	}
}

int output_aggregator_admit(struct output_aggregator *g, const struct output_alert *a, int json,
			    void (*send)(void *ctx, const struct output_alert *a), void *ctx)
{
	if (!a->rule || a->internal)
		return 1;
	/* replays: windows of other keys close as event time passes them */
	if (g->used && a->ts >= g->last_sweep + g->window_ns) {
		output_aggregator_expire(g, a->ts, json, send, ctx);
		g->last_sweep = a->ts;
	}
	uint64_t h = fnv(1469598103934665603ull, a->rule, strlen(a->rule));
	if (!g->by_rule && a->msg)
		h = fnv(h ^ 0xff, a->msg, a->msg_len);
	size_t i = (size_t)(h % AGG_SLOTS);
	for (size_t probe = 0; probe < AGG_SLOTS; probe++, i = (i + 1) % AGG_SLOTS) {
		struct agg_slot *sl = &g->slots[i];
		if (!sl->used) {
			if (sl->tomb)
				continue;
			break;
		}
		if (sl->hash != h || strncmp(sl->rule, a->rule, AGG_RULE_MAX - 1))
			continue;
		if (a->ts < sl->start_ts + g->window_ns) {
			sl->folded++;
			g->folded++;
			if (a->ts > sl->last_ts)
				sl->last_ts = a->ts;
			return 0;
		}
		/* this key's window is over: its line, then a new window below */
		close_window(g, sl, json, send, ctx);
		break;
	}
	if (g->used + g->tombs >= AGG_SLOTS * 3 / 4)
		output_aggregator_expire(g, a->ts, json, send, ctx);
	if (g->used >= AGG_SLOTS / 2)
		return 1;  /* too many open windows: forwarded, not folded */
	i = (size_t)(h % AGG_SLOTS);
	while (g->slots[i].used)
		i = (i + 1) % AGG_SLOTS;
	struct agg_slot *sl = &g->slots[i];
	if (sl->tomb) {
		sl->tomb = 0;
		g->tombs--;
	}
	sl->used = 1;
	sl->hash = h;
	sl->start_ts = sl->last_ts = a->ts;
	sl->folded = 0;
	sl->priority = a->priority;
	snprintf(sl->rule, sizeof(sl->rule), "%s", a->rule);
	g->used++;
	return 1;
}

uint64_t output_aggregator_folded(const struct output_aggregator *g)
{
	return g ? g->folded : 0;
}

uint64_t output_aggregator_lines(const struct output_aggregator *g)
{
	return g ? g->lines : 0;
}

void output_aggregator_free(struct output_aggregator *g)
{
	free(g);
}
