/* replay/diff/pass.c: one engine pass, two rule sets: each event that reaches the rules is evaluated by both, and the alerts only one raised are recorded. */
#include "replay/diff/diff.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"

#include <stdlib.h>
#include <string.h>

#define DIFF_LINE_CAP (64 * 1024)

static void diff_alert_free(struct diff_alert *a)
{
	free(a->rule);
	free(a->priority);
	free(a->process);
	free(a->output);
}

int diff_result_init(struct diff_result *res, const struct rule_set *old_rs, const struct rule_set *new_rs)
{
	memset(res, 0, sizeof(*res));
	res->old_by_rule = calloc(rule_set_count(old_rs) + 1, sizeof(uint64_t));
	res->new_by_rule = calloc(rule_set_count(new_rs) + 1, sizeof(uint64_t));
	if (!res->old_by_rule || !res->new_by_rule) {
		diff_result_free(res);
		return -1;
	}
	return 0;
}

void diff_result_free(struct diff_result *res)
{
	for (size_t i = 0; i < res->nalerts; i++)
		diff_alert_free(&res->alerts[i]);
	free(res->alerts);
	for (size_t i = 0; i < res->nrules; i++)
		free(res->rules[i].rule);
	free(res->rules);
	free(res->old_by_rule);
	free(res->new_by_rule);
	memset(res, 0, sizeof(*res));
}

static struct diff_rule_count *count_of(struct diff_result *res, const char *name)
{
	for (size_t i = 0; i < res->nrules; i++)
		if (!strcmp(res->rules[i].rule, name))
			return &res->rules[i];
	struct diff_rule_count *v = realloc(res->rules, (res->nrules + 1) * sizeof(*v));
	if (!v)
		return NULL;
	res->rules = v;
	struct diff_rule_count *c = &v[res->nrules];
	memset(c, 0, sizeof(*c));
	c->rule = strdup(name);
	if (!c->rule)
		return NULL;
	res->nrules++;
	return c;
}

static int add_counts(struct diff_result *res, const struct rule_set *rs, const uint64_t *by_rule, int is_new)
{
	for (size_t i = 0; i < rule_set_count(rs); i++) {
		const struct rule_info *ri = rule_set_rule(rs, i);
		/* an enabled rule that never fired on either side is no news */
		if (!by_rule[i])
			continue;
		struct diff_rule_count *c = count_of(res, ri->name);
		if (!c)
			return -1;
		if (is_new) {
			c->new_count += by_rule[i];
			c->in_new = 1;
		} else {
			c->old_count += by_rule[i];
			c->in_old = 1;
		}
	}
	return 0;
}

static int find_enabled(const struct rule_set *rs, const char *name)
{
	for (size_t i = 0; i < rule_set_count(rs); i++) {
		const struct rule_info *ri = rule_set_rule(rs, i);
		if (ri->enabled && !strcmp(ri->name, name))
			return 1;
	}
	return 0;
}

int diff_result_finish(struct diff_result *res, const struct rule_set *old_rs, const struct rule_set *new_rs)
{
	if (add_counts(res, old_rs, res->old_by_rule, 0) < 0 || add_counts(res, new_rs, res->new_by_rule, 1) < 0)
		return -1;
	for (size_t i = 0; i < res->nrules; i++) {
		res->rules[i].in_old = find_enabled(old_rs, res->rules[i].rule);
		res->rules[i].in_new = find_enabled(new_rs, res->rules[i].rule);
	}
	return 0;
}

int diff_pass_init(struct diff_pass *p, const struct rule_set *old_rs, const struct rule_set *new_rs,
		   struct diff_result *res)
{
	char err[256];
	memset(p, 0, sizeof(*p));
	p->old_rs = old_rs;
	p->new_rs = new_rs;
	p->res = res;
	p->proc_fmt = rule_format_compile(field_registry(), "%proc.name", err, sizeof(err));
	p->old_hits = calloc(rule_set_count(old_rs) + 1, sizeof(size_t));
	p->new_hits = calloc(rule_set_count(new_rs) + 1, sizeof(size_t));
	p->line_cap = DIFF_LINE_CAP;
	p->line = malloc(p->line_cap);
	if (!p->proc_fmt || !p->old_hits || !p->new_hits || !p->line) {
		diff_pass_fini(p);
		return -1;
	}
	return 0;
}

void diff_pass_fini(struct diff_pass *p)
{
	rule_format_free(p->proc_fmt);
	free(p->old_hits);
	free(p->new_hits);
	free(p->line);
	memset(p, 0, sizeof(*p));
}

static void on_old(void *ctx, const struct rule_match *m)
{
	struct diff_pass *p = ctx;
	p->old_hits[p->n_old_hits++] = m->rule_index;
}

static void on_new(void *ctx, const struct rule_match *m)
{
	struct diff_pass *p = ctx;
	p->new_hits[p->n_new_hits++] = m->rule_index;
}

/* Whether rule name matched on the other side of this event. */
static int matched_by(const struct rule_set *rs, const size_t *hits, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rule_set_rule(rs, hits[i])->name, name))
			return 1;
	return 0;
}

static char *render(struct diff_pass *p, struct engine *e, const struct rule_format *f)
{
	size_t n = rule_format_render(f, extract_field, &e->fc, p->line, p->line_cap);
	char *s = malloc(n + 1);
	if (s) {
		memcpy(s, p->line, n);
		s[n] = '\0';
	}
	return s;
}

/* Records an alert of rule index i of rs, which only one side raised. */
static void record(struct diff_pass *p, struct engine *e, const struct rule_set *rs, size_t i, int added)
{
	struct diff_result *res = p->res;
	if (res->nalerts == res->cap) {
		size_t cap = res->cap ? 2 * res->cap : 64;
		struct diff_alert *v = realloc(res->alerts, cap * sizeof(*v));
		if (!v) {
			p->failed = 1;
			return;
		}
		res->alerts = v;
		res->cap = cap;
	}
	const struct rule_info *ri = rule_set_rule(rs, i);
	struct diff_alert *a = &res->alerts[res->nalerts];
	memset(a, 0, sizeof(*a));
	a->added = added;
	a->ts = e->ev->ts;
	a->capture = p->capture;
	a->rule = strdup(ri->name);
	a->priority = strdup(rule_priority_name(ri->priority));
	a->process = render(p, e, p->proc_fmt);
	a->output = render(p, e, rule_set_output(rs, i));
	if (!a->rule || !a->priority || !a->process || !a->output) {
		diff_alert_free(a);
		p->failed = 1;
		return;
	}
	res->nalerts++;
	if (added)
		res->added++;
	else
		res->removed++;
}

void diff_pass_event(void *ctx, struct engine *e)
{
	struct diff_pass *p = ctx;
	const struct sk_event *ev = e->ev;
	p->res->events++;
	if (!engine_event_reaches_rules(e, ev))
		return;
	if (p->cov)
		rule_coverage_event(p->cov, ev->type, extract_field, &e->fc);
	int want_old = rule_set_wants(p->old_rs, ev->type);
	int want_new = rule_set_wants(p->new_rs, ev->type);
	if (!want_old && !want_new)
		return;
	p->res->evaluated++;
	p->n_old_hits = p->n_new_hits = 0;
	/* both sets read the same memoised field values of this event */
	if (want_old)
		rule_set_eval(p->old_rs, ev->type, extract_field, &e->fc, on_old, p);
	if (want_new)
		rule_set_eval(p->new_rs, ev->type, extract_field, &e->fc, on_new, p);
	for (size_t k = 0; k < p->n_old_hits; k++) {
		size_t i = p->old_hits[k];
		p->res->old_by_rule[i]++;
		if (!matched_by(p->new_rs, p->new_hits, p->n_new_hits, rule_set_rule(p->old_rs, i)->name))
			record(p, e, p->old_rs, i, 0);
	}
	for (size_t k = 0; k < p->n_new_hits; k++) {
		size_t i = p->new_hits[k];
		p->res->new_by_rule[i]++;
		if (!matched_by(p->old_rs, p->old_hits, p->n_old_hits, rule_set_rule(p->new_rs, i)->name))
			record(p, e, p->new_rs, i, 1);
	}
}

void diff_pass_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	/* the engine evaluates no rules of its own in a diff pass */
	(void)ctx;
	(void)e;
	(void)rule_index;
	(void)text;
	(void)len;
}
