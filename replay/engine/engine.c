/* replay/engine/engine.c: the per-event replay loop and Falco-compatible alert output. */
#include "replay/engine/engine.h"
#include "replay/outputs/outputs.h"
#include "json/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_CAP (64 * 1024)

static void on_match(void *ctx, const struct rule_match *m);

static void set_quiet(struct engine *e)
{
	int any = !e->o.print && !e->o.observer && !e->o.filter;
	for (uint16_t t = 0; t < SK_EV__COUNT; t++)
		e->quiet[t] = any && !(e->o.rules && rule_set_wants(e->o.rules, t));
}

int engine_init(struct engine *e, const struct engine_opts *o)
{
	memset(e, 0, sizeof(*e));
	e->o = *o;
	e->st = state_new();
	if (!e->st || state_updater_init(&e->u, e->st) < 0)
		return -1;
	extract_ctx_init(&e->fc, &e->u);
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
	/* Falco's hostname is the machine's own; a capture's recorded host
	 * replaces it when seeded (engine_seed). Audit logs record none. */
	if (o->hostname)
		snprintf(e->hostname, sizeof(e->hostname), "%s", o->hostname);
	else if (gethostname(e->hostname, sizeof(e->hostname) - 1) < 0)
		e->hostname[0] = '\0';
	e->fc.hostname = e->hostname;
	set_quiet(e);
	/* NULL leaves proc.name to the rules (it only spares them work), and
	 * the opens no worker prepared */
	e->pname = engine_pname_new(o->rules, 0);
	e->prep_own = engine_prep_own_new(o->prep);
	return 0;
}

void engine_fini(struct engine *e)
{
	state_update_flush(&e->u);
	engine_pname_free(e->pname);
	engine_prep_own_free(e->prep_own);
	extract_ctx_fini(&e->fc);
	state_updater_fini(&e->u);
	state_free(e->st);
	free(e->line);
	free(e->fields);
	free(e->stats.by_rule);
	memset(e, 0, sizeof(*e));
}

int engine_reload(struct engine *e, const struct engine_opts *o)
{
	uint64_t *by_rule = NULL;
	if (o->rules) {
		size_t n = rule_set_count(o->rules);
		by_rule = calloc(n + 1, sizeof(uint64_t));
		if (!by_rule)
			return -1;
		/* a few hundred rules, once per reload: the quadratic match is fine */
		for (size_t i = 0; e->o.rules && e->stats.by_rule && i < n; i++) {
			const char *name = rule_set_rule(o->rules, i)->name;
			for (size_t j = 0; j < rule_set_count(e->o.rules); j++)
				if (!strcmp(rule_set_rule(e->o.rules, j)->name, name)) {
					by_rule[i] = e->stats.by_rule[j];
					break;
				}
		}
	}
	free(e->stats.by_rule);
	e->stats.by_rule = by_rule;
	e->o = *o;
	e->fc.legacy_enter = o->legacy_enter_events;
	set_quiet(e);
	engine_pname_free(e->pname);
	e->pname = engine_pname_new(o->rules, 0);
	engine_prep_own_free(e->prep_own);
	e->prep_own = engine_prep_own_new(o->prep);
	return 0;
}

void engine_seed(struct engine *e, const struct sk_meta *m)
{
	state_updater_seed(&e->u, m);
	/* The host name of the recorded machine, unless overridden. */
	if (!e->o.hostname && m->have_host && m->host.hostname && m->host.hostname[0])
		snprintf(e->hostname, sizeof(e->hostname), "%s", m->host.hostname);
	uint64_t drops = 0;
	for (size_t i = 0; i < m->n_drops; i++)
		drops += m->drops[i].ring_full + m->drops[i].copy_fail;
	if (drops > e->stats.drops)
		e->stats.drops = drops;
}

void engine_seed_new(struct engine *e, const struct sk_meta *m, struct engine_meta_seen *seen)
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
	engine_seed(e, &v);
}

/* One-shot events without an exit counterpart reach the rules as '>' events
 * in modern Falco (rules.md §7). */
static int is_one_shot(uint16_t type)
{
	const struct sk_event_info *info = sk_event_info(type);
	return info && (info->flags & SK_EF_META) && !(info->flags & SK_EF_UNUSED);
}

/* Whether the event's source is enabled and the event is more than state. */
static int event_enabled(const struct engine *e, const struct sk_event *ev)
{
	/* events of plugins saker does not know belong to no source of its rules */
	int enabled = ev->type == SK_EV_PLUGINEVENT_E ? sk_event_source(ev) && !e->o.skip_k8s_audit
						      : !e->o.skip_syscall;
	return enabled && !(ev->flags & SK_EVF_STATE_ONLY);
}

/* modern Falco: only exits and one-shot events reach the rules */
static int event_visible(const struct engine *e, const struct sk_event *ev)
{
	return sk_event_is_exit(ev->type) || is_one_shot(ev->type) || e->o.legacy_enter_events;
}

int engine_event_reaches_rules(const struct engine *e, const struct sk_event *ev)
{
	return event_enabled(e, ev) && event_visible(e, ev);
}

/* --print shows what sysdig -p shows: every event the source delivers, enter
 * events included, except internal ones (procinfo...) unless asked for (sysdig
 * -D), and never the container events at the head of a capture, which libs
 * consume as metadata while opening it. */
static int print_shown(struct engine *e, const struct sk_event *ev)
{
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info)
		return 1;
	if (sk_event_kind(ev->type) == SK_EK_CONTAINER) {
		if (!e->seen_non_container)
			return 0;
	} else {
		e->seen_non_container = 1;
	}
	return info->category != SK_CAT_INTERNAL || e->o.print_internal;
}

void engine_process(struct engine *e, const struct sk_event *ev)
{
	e->stats.events++;
	e->ev = ev;
	e->u.hint_path_len = e->nprep ? engine_prep_path_len(e->o.prep, ev, e->prep, e->nprep) : 0;
	int quiet = ev->type < SK_EV__COUNT && e->quiet[ev->type];
	e->u.quiet = quiet;
	state_update_apply(&e->u, ev);
	e->u.hint_path_len = 0;
	e->u.quiet = 0;
	extract_ctx_set_event(&e->fc, ev);
	if (quiet) {
		extract_ctx_done_event(&e->fc);
		return;
	}
	if (e->o.observer)
		e->o.observer->event(e->o.observer->ctx, e);
	if (event_enabled(e, ev)) {
		if (e->o.print && print_shown(e, ev) &&
		    (!e->o.filter || rule_filter_eval(e->o.filter, ev->type, extract_field, &e->fc))) {
			size_t missing;
			size_t n = rule_format_render_counted(e->o.print, extract_field, &e->fc, e->line,
							      e->line_cap - 1, &missing);
			/* like sysdig -p: a value missing hides the line unless FORMAT starts with '*' */
			if (!missing || rule_format_partial(e->o.print)) {
				e->line[n++] = '\n';
				fwrite(e->line, 1, n, e->o.out);
				if (e->o.unbuffered)
					fflush(e->o.out);
			}
		}
		if (event_visible(e, ev) && e->o.rules && rule_set_wants(e->o.rules, ev->type)) {
			e->stats.evaluated++;
			struct rule_given given[4];
			size_t ng = e->nprep ? engine_prep_given(e->o.prep, e, ev, e->prep, e->nprep, given) : 0;
			if (!ng && e->prep_own)
				ng = engine_prep_resolved(e->o.prep, e->prep_own, e, ev, e->prep_words, given);
			ng += engine_pname_given(e->pname, e, ev, given + ng);
			rule_set_eval_given(e->o.rules, ev->type, given, ng, extract_field, &e->fc, on_match, e);
		}
	}
	extract_ctx_done_event(&e->fc);
}

void engine_process_prepared(struct engine *e, const struct sk_event *ev, const uint64_t *words, uint32_t n)
{
	e->prep = words;
	e->nprep = n;
	engine_process(e, ev);
	e->nprep = 0;
}

static size_t time_prefix(const struct engine *e, uint64_t ts, char *buf, size_t cap)
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

/* Hands one rendered alert line (no newline) to the outputs, or to out;
 * msg is the rule's output text (outputs.aggregate keys on it). */
static void emit_line(struct engine *e, const struct rule_info *r, const char *line, size_t len, int json,
		      const char *msg, size_t msg_len)
{
	if (e->o.outputs) {
		struct output_alert a = {.ts = e->ev->ts, .priority = r->priority, .json = json, .line = line,
			.len = len, .rule = r->name, .msg = msg, .msg_len = msg_len};
		output_set_emit(e->o.outputs, &a);
		return;
	}
	fwrite(line, 1, len, e->o.out);
	fputc('\n', e->o.out);
}

static void emit_json(struct engine *e, const struct rule_info *r, size_t rule_index, size_t text_len,
		      size_t msg_off)
{
	const struct sk_event *ev = e->ev;
	struct json_buf o;
	char *jbuf = e->fields;
	/* output_fields first, into the tail half of the buffer */
	size_t half = e->fields_cap / 2;
	char *of = jbuf + half;
	char key_json[32];
	snprintf(key_json, sizeof(key_json), "%" PRIu64, ev->ts);
	if (e->o.json_include_output_fields)
		rule_format_render_json_fields_with(rule_set_output(e->o.rules, rule_index), extract_field, &e->fc,
						    e->o.time_iso8601 ? "evt.time.iso8601" : "evt.time", key_json, of,
						    half);
	json_buf_init(&o, jbuf, half);
	json_buf_puts(&o, "{\"hostname\":");
	json_buf_string(&o, e->hostname, strlen(e->hostname));
	if (e->o.json_include_message) {
		json_buf_puts(&o, ",\"message\":");
		json_buf_string(&o, e->line + msg_off, text_len - msg_off);
	}
	if (e->o.json_include_output) {
		json_buf_puts(&o, ",\"output\":");
		json_buf_string(&o, e->line, text_len);
	}
	if (e->o.json_include_output_fields && !e->o.json_legacy_layout) {
		json_buf_puts(&o, ",\"output_fields\":");
		json_buf_puts(&o, of);
	}
	json_buf_puts(&o, ",\"priority\":");
	const char *pn = rule_priority_name(r->priority);
	json_buf_string(&o, pn, strlen(pn));
	json_buf_puts(&o, ",\"rule\":");
	json_buf_string(&o, r->name, strlen(r->name));
	json_buf_puts(&o, ",\"source\":");
	json_buf_string(&o, r->source ? r->source : "syscall", strlen(r->source ? r->source : "syscall"));
	if (e->o.json_include_tags) {
		json_buf_puts(&o, ",\"tags\":[");
		for (size_t i = 0; i < r->ntags; i++) {
			if (i)
				json_buf_puts(&o, ",");
			json_buf_string(&o, r->tags[i], strlen(r->tags[i]));
		}
		json_buf_puts(&o, "]");
	}
	char tbuf[64];
	time_t sec = (time_t)(ev->ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t tn = strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + tn, sizeof(tbuf) - tn, ".%09" PRIu64 "Z", (uint64_t)(ev->ts % 1000000000ull));
	json_buf_puts(&o, ",\"time\":");
	json_buf_string(&o, tbuf, strlen(tbuf));
	if (e->o.json_include_output_fields && e->o.json_legacy_layout) {
		json_buf_puts(&o, ", \"output_fields\": ");
		json_buf_puts(&o, of);
	}
	json_buf_puts(&o, "}");
	emit_line(e, r, o.buf, o.len, 1, e->line + msg_off, text_len - msg_off);
}

static void on_match(void *ctx, const struct rule_match *m)
{
	struct engine *e = ctx;
	const struct rule_info *r = m->rule;
	e->stats.alerts++;
	if (r->priority >= 0 && r->priority < 8)
		e->stats.by_priority[r->priority]++;
	if (e->stats.by_rule)
		e->stats.by_rule[m->rule_index]++;
	size_t n = time_prefix(e, e->ev->ts, e->line, 64);
	n += (size_t)snprintf(e->line + n, e->line_cap - n, ": %s ", rule_priority_name(r->priority));
	size_t msg_off = n;
	n += rule_format_render(rule_set_output(e->o.rules, m->rule_index), extract_field, &e->fc, e->line + n,
				e->line_cap - n - 2);
	if (e->o.json_output)
		emit_json(e, r, m->rule_index, n, msg_off);
	else
		emit_line(e, r, e->line, n, 0, e->line + msg_off, n - msg_off);
	if (e->o.observer)
		e->o.observer->alert(e->o.observer->ctx, e, m->rule_index, e->line, n);
	if (e->o.unbuffered && !e->o.outputs)
		fflush(e->o.out);
}

void engine_print_summary(const struct engine *e, FILE *f)
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

void engine_print_stats(const struct engine *e, FILE *f)
{
	fprintf(f, "saker-replay: %" PRIu64 " events read, %" PRIu64 " evaluated, %" PRIu64 " alerts, %" PRIu64
		   " drops\n",
		e->stats.events, e->stats.evaluated, e->stats.alerts, e->stats.drops);
}
