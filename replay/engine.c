/* replay/engine.c: the per-event replay loop and Falco-compatible alert output. */
#include "replay/engine.h"
#include "replay/outputs.h"
#include "replay/report.h"
#include "rules/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_CAP (64 * 1024)

static void on_match(void *ctx, const struct rule_match *m);

int sk_engine_init(struct sk_engine *e, const struct sk_engine_opts *o)
{
	memset(e, 0, sizeof(*e));
	e->o = *o;
	e->st = sk_state_new();
	if (!e->st || sk_updater_init(&e->u, e->st) < 0)
		return -1;
	sk_fctx_init(&e->fc, &e->u);
	e->fc.legacy_enter = o->legacy_enter_events;
	e->line_cap = LINE_CAP;
	e->fields_cap = LINE_CAP;
	e->line = malloc(e->line_cap);
	e->fields = malloc(e->fields_cap);
	if (!e->line || !e->fields)
		return -1;
	if (o->rules) {
		e->stats.by_rule = calloc(rule_set_count(o->rules) + 1, sizeof(uint64_t));
		if (!e->stats.by_rule)
			return -1;
	}
	if (o->hostname)
		snprintf(e->hostname, sizeof(e->hostname), "%s", o->hostname);
	e->fc.hostname = e->hostname;
	return 0;
}

void sk_engine_fini(struct sk_engine *e)
{
	sk_update_flush(&e->u);
	sk_fctx_fini(&e->fc);
	sk_updater_fini(&e->u);
	sk_state_free(e->st);
	free(e->line);
	free(e->fields);
	free(e->stats.by_rule);
	memset(e, 0, sizeof(*e));
}

void sk_engine_seed(struct sk_engine *e, const struct sk_meta *m)
{
	sk_updater_seed(&e->u, m);
	/* The host name of the recorded machine, unless overridden. */
	if (!e->o.hostname && m->have_host && m->host.hostname && m->host.hostname[0])
		snprintf(e->hostname, sizeof(e->hostname), "%s", m->host.hostname);
	uint64_t drops = 0;
	for (size_t i = 0; i < m->n_drops; i++)
		drops += m->drops[i].ring_full + m->drops[i].copy_fail;
	if (drops > e->stats.drops)
		e->stats.drops = drops;
}

void sk_engine_seed_new(struct sk_engine *e, const struct sk_meta *m, struct sk_meta_seen *seen)
{
	struct sk_meta v = *m; /* a read-only view of the new tails */
#define TAIL(arr, n, k)                                    \
	do {                                               \
		size_t from = seen->k <= m->n ? seen->k : m->n; \
		v.arr = m->arr ? m->arr + from : NULL;     \
		v.n = m->n - from;                         \
		seen->k = m->n;                            \
	} while (0)
	TAIL(ifaces, n_ifaces, ifaces);
	TAIL(users, n_users, users);
	TAIL(groups, n_groups, groups);
	TAIL(procs, n_procs, procs);
	TAIL(fds, n_fds, fds);
	TAIL(containers, n_containers, containers);
#undef TAIL
	sk_engine_seed(e, &v);
}

/* One-shot events without an exit counterpart reach the rules as '>' events
 * in modern Falco (rules.md §7). */
static int is_one_shot(uint16_t type)
{
	const struct sk_event_info *info = sk_event_info(type);
	return info && (info->flags & SK_EF_META) && !(info->flags & SK_EF_UNUSED);
}

void sk_engine_process(struct sk_engine *e, const struct sk_event *ev)
{
	e->stats.events++;
	e->ev = ev;
	sk_update_apply(&e->u, ev);
	sk_fctx_set_event(&e->fc, ev);
	if (e->o.report)
		sk_report_event(e->o.report, e);
	int visible = sk_event_is_exit(ev->type) || is_one_shot(ev->type) || e->o.legacy_enter_events;
	if (visible && !(ev->flags & SK_EVF_STATE_ONLY)) {
		if (e->o.print) {
			if (!e->o.filter || rule_filter_eval(e->o.filter, ev->type, sk_extract, &e->fc)) {
				size_t n = rule_format_render(e->o.print, sk_extract, &e->fc, e->line, e->line_cap - 1);
				e->line[n++] = '\n';
				fwrite(e->line, 1, n, e->o.out);
				if (e->o.unbuffered)
					fflush(e->o.out);
			}
		}
		if (e->o.rules && rule_set_wants(e->o.rules, ev->type)) {
			e->stats.evaluated++;
			rule_set_eval(e->o.rules, ev->type, sk_extract, &e->fc, on_match, e);
		}
	}
	sk_fctx_done_event(&e->fc);
}

static size_t time_prefix(const struct sk_engine *e, uint64_t ts, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	size_t n;
	if (e->o.time_iso8601) {
		gmtime_r(&sec, &tm);
		n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
		n += (size_t)snprintf(buf + n, cap - n, ".%09" PRIu64 "+0000", (uint64_t)(ts % 1000000000ull));
	} else {
		localtime_r(&sec, &tm);
		n = strftime(buf, cap, "%H:%M:%S", &tm);
		n += (size_t)snprintf(buf + n, cap - n, ".%09" PRIu64, (uint64_t)(ts % 1000000000ull));
	}
	return n;
}

/* Hands one rendered alert line (no newline) to the outputs, or to out. */
static void emit_line(struct sk_engine *e, const struct rule_info *r, const char *line, size_t len, int json)
{
	if (e->o.outputs) {
		struct sk_alert a = {.ts = e->ev->ts, .priority = r->priority, .json = json, .line = line, .len = len};
		sk_outputs_emit(e->o.outputs, &a);
		return;
	}
	fwrite(line, 1, len, e->o.out);
	fputc('\n', e->o.out);
}

static void emit_json(struct sk_engine *e, const struct rule_info *r, size_t rule_index, size_t text_len,
		      size_t msg_off)
{
	const struct sk_event *ev = e->ev;
	struct obuf o;
	char *jbuf = e->fields;
	/* output_fields first, into the tail half of the buffer */
	size_t half = e->fields_cap / 2;
	char *of = jbuf + half;
	char key_json[32];
	snprintf(key_json, sizeof(key_json), "%" PRIu64, ev->ts);
	if (e->o.json_include_output_fields)
		rule_format_render_json_fields_with(rule_set_output(e->o.rules, rule_index), sk_extract, &e->fc,
						    e->o.time_iso8601 ? "evt.time.iso8601" : "evt.time", key_json, of,
						    half);
	obuf_init(&o, jbuf, half);
	obuf_puts(&o, "{\"hostname\":");
	obuf_json_string(&o, e->hostname, strlen(e->hostname));
	if (e->o.json_include_message) {
		obuf_puts(&o, ",\"message\":");
		obuf_json_string(&o, e->line + msg_off, text_len - msg_off);
	}
	if (e->o.json_include_output) {
		obuf_puts(&o, ",\"output\":");
		obuf_json_string(&o, e->line, text_len);
	}
	if (e->o.json_include_output_fields && !e->o.json_legacy_layout) {
		obuf_puts(&o, ",\"output_fields\":");
		obuf_puts(&o, of);
	}
	obuf_puts(&o, ",\"priority\":");
	const char *pn = rule_priority_name(r->priority);
	obuf_json_string(&o, pn, strlen(pn));
	obuf_puts(&o, ",\"rule\":");
	obuf_json_string(&o, r->name, strlen(r->name));
	obuf_puts(&o, ",\"source\":");
	obuf_json_string(&o, r->source ? r->source : "syscall", strlen(r->source ? r->source : "syscall"));
	if (e->o.json_include_tags) {
		obuf_puts(&o, ",\"tags\":[");
		for (size_t i = 0; i < r->ntags; i++) {
			if (i)
				obuf_puts(&o, ",");
			obuf_json_string(&o, r->tags[i], strlen(r->tags[i]));
		}
		obuf_puts(&o, "]");
	}
	char tbuf[64];
	time_t sec = (time_t)(ev->ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t tn = strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + tn, sizeof(tbuf) - tn, ".%09" PRIu64 "Z", (uint64_t)(ev->ts % 1000000000ull));
	obuf_puts(&o, ",\"time\":");
	obuf_json_string(&o, tbuf, strlen(tbuf));
	if (e->o.json_include_output_fields && e->o.json_legacy_layout) {
		obuf_puts(&o, ", \"output_fields\": ");
		obuf_puts(&o, of);
	}
	obuf_puts(&o, "}");
	emit_line(e, r, o.buf, o.len, 1);
}

static void on_match(void *ctx, const struct rule_match *m)
{
	struct sk_engine *e = ctx;
	const struct rule_info *r = m->rule;
	e->stats.alerts++;
	if (r->priority >= 0 && r->priority < 8)
		e->stats.by_priority[r->priority]++;
	if (e->stats.by_rule)
		e->stats.by_rule[m->rule_index]++;
	size_t n = time_prefix(e, e->ev->ts, e->line, 64);
	n += (size_t)snprintf(e->line + n, e->line_cap - n, ": %s ", rule_priority_name(r->priority));
	size_t msg_off = n;
	n += rule_format_render(rule_set_output(e->o.rules, m->rule_index), sk_extract, &e->fc, e->line + n,
				e->line_cap - n - 2);
	if (e->o.json_output)
		emit_json(e, r, m->rule_index, n, msg_off);
	else
		emit_line(e, r, e->line, n, 0);
	if (e->o.report)
		sk_report_alert(e->o.report, e, m->rule_index, e->line, n);
	if (e->o.unbuffered && !e->o.outputs)
		fflush(e->o.out);
}

void sk_engine_print_summary(const struct sk_engine *e, FILE *f)
{
	fprintf(f, "Events detected: %" PRIu64 "\n", e->stats.alerts);
	fprintf(f, "Rule counts by severity:\n");
	for (int p = 0; p < 8; p++)
		if (e->stats.by_priority[p])
			fprintf(f, "   %s: %" PRIu64 "\n", rule_priority_summary_name(p), e->stats.by_priority[p]);
	fprintf(f, "Triggered rules by rule name:\n");
	if (!e->o.rules)
		return;
	for (size_t i = 0; i < rule_set_count(e->o.rules); i++)
		if (e->stats.by_rule[i])
			fprintf(f, "   %s: %" PRIu64 "\n", rule_set_rule(e->o.rules, i)->name, e->stats.by_rule[i]);
}

void sk_engine_print_stats(const struct sk_engine *e, FILE *f)
{
	fprintf(f, "saker-replay: %" PRIu64 " events read, %" PRIu64 " evaluated, %" PRIu64 " alerts, %" PRIu64
		   " drops\n",
		e->stats.events, e->stats.evaluated, e->stats.alerts, e->stats.drops);
}
