/* rules/coverage.c: rule coverage: probes compiled from the loader's items (condition without exceptions, each exception value, each macro negated, each list emptied or without one item) and their counts per event. */
#include "rules/cond.h"
#include "rules/cond_int.h"
#include "rules/loader_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define COV_MAX_DEPTH 1000
#define ITEM_UNTRIED 0
#define ITEM_COMPILED 1
#define ITEM_FAILED 2

/* A list one rule uses (in its text or its macros'). */
struct cov_list_use {
	size_t list;                    /* index into the loader's lists */
	struct cond_compiled *emptied;  /* the rule with the list empty; NULL: not compilable */
	struct cond_compiled **item_cc; /* the rule without item k, compiled on first need */
	uint8_t *item_state;
};

struct cov_rule {
	const struct cond_compiled *full; /* the rule set's own condition */
	const uint8_t *typemap;
	const struct rule_field_registry *reg;
	char *text;                     /* the condition with its exceptions, lists not substituted */
	struct cond_compiled *base;     /* the condition without exceptions (NULL when none) */
	struct cond_compiled **exc_cc;  /* per exception value */
	size_t *macros;                 /* macros the rule uses, directly or through others */
	struct cond_compiled **macro_cc;/* the rule with that macro negated */
	size_t nmacros;
	struct cov_list_use *lists;
	size_t nlists;
};

struct rule_coverage {
	struct rule_loader *l;
	struct ld_lists_x lx;
	uint16_t ntypes;
	struct cond_node **macro_ast;   /* each macro's text, lists substituted, parsed */
	struct cov_rule *cr;
	struct rule_coverage_rule *rules;
	struct rule_coverage_item *macros, *lists;
	size_t nrules, nmacros, nlists;
};

/* ---- compiling variants -------------------------------------------------- */

struct variant {
	struct rule_coverage *c;
	struct ld_lists_x *lx;
	size_t flip;                /* the macro to negate, or SIZE_MAX */
	struct cond_node **asts;    /* per macro, parsed on first reference */
};

static const struct cond_node *resolve(void *ctx, const char *name, struct cond_error *err)
{
	struct variant *v = ctx;
	struct rule_loader *l = v->c->l;
	struct ld_macro *m = ld_find_macro(l, name);
	if (!m) {
		snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", name);
		return NULL;
	}
	size_t i = (size_t)(m - l->macros);
	/* the unchanged lists: the parse every variant shares */
	if (i != v->flip && v->lx == &v->c->lx)
		return v->c->macro_ast[i];
	if (!v->asts[i]) {
		char *text = ld_lists_substitute(l, v->lx, m->cond);
		if (i == v->flip) {
			char *neg = ld_sprintf("not (%s)", text);
			free(text);
			text = neg;
		}
		v->asts[i] = cond_parse(text, COV_MAX_DEPTH, err);
		free(text);
	}
	return v->asts[i];
}

/* The rule text compiled with lists lx and macro flip negated; NULL if it
 * does not compile (an emptied list can leave "in ()" behind). */
static struct cond_compiled *compile_variant(struct rule_coverage *c, const struct cov_rule *r, const char *text,
					     struct ld_lists_x *lx, size_t flip)
{
	struct rule_loader *l = c->l;
	char *sub = ld_lists_substitute(l, lx, text);
	struct cond_error err = {0};
	struct cond_node *ast = cond_parse(sub, COV_MAX_DEPTH, &err);
	free(sub);
	if (!ast)
		return NULL;
	struct variant v = {c, lx, flip, calloc(l->nmacros ? l->nmacros : 1, sizeof(struct cond_node *))};
	struct cond_node *exp = v.asts ? cond_expand_macros(ast, resolve, &v, &err) : NULL;
	struct cond_compiled *cc = NULL;
	if (exp) {
		struct cond_warnings warn = {0};
		int unknown = 0;
		cc = cond_compile_legacy(exp, r->reg, l->opts.legacy_list_operators, &warn, &unknown, &err);
	}
	for (size_t i = 0; v.asts && i < l->nmacros; i++)
		cond_free(v.asts[i]);
	free(v.asts);
	cond_free(exp);
	cond_free(ast);
	return cc;
}

/* Lists as lx, with list li emptied (skip == SIZE_MAX) or without item
 * skip. Item strings are borrowed; lx_variant_free frees the rest. */
static int lx_variant(const struct rule_coverage *c, size_t li, size_t skip, struct ld_lists_x *out)
{
	size_t n = c->l->nlists;
	out->items = malloc((n ? n : 1) * sizeof(*out->items));
	out->n = malloc((n ? n : 1) * sizeof(*out->n));
	out->used = calloc(n ? n : 1, 1);
	char **kept = malloc((c->lx.n[li] + 1) * sizeof(*kept));
	if (!out->items || !out->n || !out->used || !kept) {
		free(out->items);
		free(out->n);
		free(out->used);
		free(kept);
		return -1;
	}
	memcpy(out->items, c->lx.items, n * sizeof(*out->items));
	memcpy(out->n, c->lx.n, n * sizeof(*out->n));
	size_t k = 0;
	for (size_t j = 0; skip != SIZE_MAX && j < c->lx.n[li]; j++)
		if (j != skip)
			kept[k++] = c->lx.items[li][j];
	out->items[li] = kept;
	out->n[li] = k;
	return 0;
}

static void lx_variant_free(struct ld_lists_x *x, size_t li)
{
	free(x->items[li]);
	free(x->items);
	free(x->n);
	free(x->used);
}

static struct cond_compiled *compile_without(struct rule_coverage *c, const struct cov_rule *r, size_t li,
					     size_t skip)
{
	struct ld_lists_x x;
	if (lx_variant(c, li, skip, &x) < 0)
		return NULL;
	struct cond_compiled *cc = compile_variant(c, r, r->text, &x, SIZE_MAX);
	lx_variant_free(&x, li);
	return cc;
}

/* ---- what a rule uses ---------------------------------------------------- */

struct macro_walk {
	struct rule_coverage *c;
	uint8_t *seen;
};

static void visit_macro(void *ctx, const char *name)
{
	struct macro_walk *w = ctx;
	struct ld_macro *m = ld_find_macro(w->c->l, name);
	if (!m)
		return;
	size_t i = (size_t)(m - w->c->l->macros);
	if (w->seen[i])
		return;
	w->seen[i] = 1;
	if (w->c->macro_ast[i])
		cond_for_each_macro(w->c->macro_ast[i], visit_macro, w);
}

static void exception_label(struct ld_buf *b, const struct ld_exc_entry *v)
{
	if (!v->is_list) {
		ld_buf_adds(b, v->item ? v->item : "");
		return;
	}
	ld_buf_addc(b, '[');
	for (size_t i = 0; i < v->n; i++) {
		if (i)
			ld_buf_adds(b, ", ");
		exception_label(b, &v->v[i]);
	}
	ld_buf_addc(b, ']');
}

/* Probes of rule i. 0, or -1 when out of memory. */
static int setup_rule(struct rule_coverage *c, const struct rule_set *rs, size_t i)
{
	struct rule_loader *l = c->l;
	const struct ld_rule *lr = &l->rules[i];
	struct cov_rule *r = &c->cr[i];
	struct rule_coverage_rule *out = &c->rules[i];
	out->name = rule_set_rule(rs, i)->name;
	r->full = rs_rule_cond(rs, i);
	r->typemap = rs_rule_typemap(rs, i);
	const struct rule_source *src = ld_source(l, lr->source);
	r->reg = src ? src->registry : NULL;
	out->enabled = r->full && r->typemap && r->reg;
	if (!out->enabled) {
		r->full = NULL;
		return 0;
	}
	struct ld_buf cond = {0};
	ld_buf_adds(&cond, lr->cond);
	struct ld_ctx ctx = {0};
	if (ld_exceptions_apply(l, lr, r->reg, &ctx, &cond) < 0) {
		free(cond.s);
		r->full = NULL;
		out->enabled = 0;
		return 0;
	}
	r->text = cond.s ? cond.s : ld_strdup("");
	/* exceptions: the condition alone, then each value alone */
	size_t nexc = 0;
	for (size_t e = 0; e < lr->nexc; e++)
		nexc += lr->exc[e].nvalues;
	if (nexc) {
		r->base = compile_variant(c, r, lr->cond, &c->lx, SIZE_MAX);
		out->exc = calloc(nexc, sizeof(*out->exc));
		r->exc_cc = calloc(nexc, sizeof(*r->exc_cc));
		if (!out->exc || !r->exc_cc)
			return -1;
		for (size_t e = 0, k = 0; e < lr->nexc; e++) {
			for (size_t v = 0; v < lr->exc[e].nvalues; v++, k++) {
				struct ld_exception one = lr->exc[e];
				one.values = &lr->exc[e].values[v];
				one.nvalues = 1;
				struct ld_buf clause = {0}, label = {0};
				if (ld_exception_clause(l, r->reg, &one, &ctx, &clause) == 0 && clause.s)
					r->exc_cc[k] = compile_variant(c, r, clause.s, &c->lx, SIZE_MAX);
				exception_label(&label, &lr->exc[e].values[v]);
				out->exc[k].exception = lr->exc[e].name;
				out->exc[k].values = label.s ? label.s : ld_strdup("");
				free(clause.s);
			}
		}
		out->nexc = nexc;
	}
	/* macros, through the ones they use */
	struct macro_walk w = {c, calloc(l->nmacros ? l->nmacros : 1, 1)};
	if (!w.seen)
		return -1;
	char *sub = ld_lists_substitute(l, &c->lx, r->text);
	struct cond_error err = {0};
	struct cond_node *ast = cond_parse(sub, COV_MAX_DEPTH, &err);
	if (ast)
		cond_for_each_macro(ast, visit_macro, &w);
	cond_free(ast);
	free(sub);
	for (size_t m = 0; m < l->nmacros; m++)
		r->nmacros += w.seen[m];
	r->macros = calloc(r->nmacros + 1, sizeof(*r->macros));
	r->macro_cc = calloc(r->nmacros + 1, sizeof(*r->macro_cc));
	if (!r->macros || !r->macro_cc) {
		free(w.seen);
		return -1;
	}
	for (size_t m = 0, k = 0; m < l->nmacros; m++) {
		if (!w.seen[m])
			continue;
		r->macros[k] = m;
		r->macro_cc[k++] = compile_variant(c, r, r->text, &c->lx, m);
		c->macros[m].used = 1;
	}
	/* lists: those substituted into the rule's text or its macros' */
	struct ld_lists_x probe = c->lx;
	probe.used = calloc(l->nlists ? l->nlists : 1, 1);
	if (!probe.used) {
		free(w.seen);
		return -1;
	}
	free(ld_lists_substitute(l, &probe, r->text));
	for (size_t m = 0; m < l->nmacros; m++)
		if (w.seen[m])
			free(ld_lists_substitute(l, &probe, l->macros[m].cond));
	free(w.seen);
	for (size_t li = 0; li < l->nlists; li++)
		r->nlists += probe.used[li];
	r->lists = calloc(r->nlists + 1, sizeof(*r->lists));
	if (!r->lists) {
		free(probe.used);
		return -1;
	}
	for (size_t li = 0, k = 0; li < l->nlists; li++) {
		if (!probe.used[li])
			continue;
		struct cov_list_use *u = &r->lists[k++];
		u->list = li;
		u->emptied = compile_without(c, r, li, SIZE_MAX);
		u->item_cc = calloc(c->lx.n[li] + 1, sizeof(*u->item_cc));
		u->item_state = calloc(c->lx.n[li] + 1, 1);
		c->lists[li].used = 1;
		if (!u->item_cc || !u->item_state) {
			free(probe.used);
			return -1;
		}
	}
	free(probe.used);
	return 0;
}

struct rule_coverage *rule_coverage_new(struct rule_loader *l, const struct rule_set *rs)
{
	struct rule_coverage *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->l = l;
	c->ntypes = rs_ntypes(rs);
	c->nrules = rule_set_count(rs) < l->nrules ? rule_set_count(rs) : l->nrules;
	c->nmacros = l->nmacros;
	c->nlists = l->nlists;
	ld_lists_expand(l, &c->lx);
	c->macro_ast = calloc(c->nmacros + 1, sizeof(*c->macro_ast));
	c->cr = calloc(c->nrules + 1, sizeof(*c->cr));
	c->rules = calloc(c->nrules + 1, sizeof(*c->rules));
	c->macros = calloc(c->nmacros + 1, sizeof(*c->macros));
	c->lists = calloc(c->nlists + 1, sizeof(*c->lists));
	if (!c->macro_ast || !c->cr || !c->rules || !c->macros || !c->lists)
		goto fail;
	for (size_t m = 0; m < c->nmacros; m++) {
		c->macros[m].name = l->macros[m].name;
		char *text = ld_lists_substitute(l, &c->lx, l->macros[m].cond);
		struct cond_error err = {0};
		c->macro_ast[m] = cond_parse(text, COV_MAX_DEPTH, &err);
		free(text);
	}
	for (size_t li = 0; li < c->nlists; li++) {
		struct rule_coverage_item *it = &c->lists[li];
		it->name = l->lists[li].name;
		it->nitems = c->lx.n[li];
		it->items = calloc(it->nitems + 1, sizeof(*it->items));
		if (!it->items)
			goto fail;
		for (size_t k = 0; k < it->nitems; k++)
			it->items[k].item = c->lx.items[li][k];
	}
	for (size_t i = 0; i < c->nrules; i++)
		if (setup_rule(c, rs, i) < 0)
			goto fail;
	return c;
fail:
	rule_coverage_free(c);
	return NULL;
}

void rule_coverage_free(struct rule_coverage *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->cr && i < c->nrules; i++) {
		struct cov_rule *r = &c->cr[i];
		free(r->text);
		if (r->base)
			cond_compiled_free(r->base);
		for (size_t k = 0; c->rules && k < c->rules[i].nexc; k++) {
			if (r->exc_cc && r->exc_cc[k])
				cond_compiled_free(r->exc_cc[k]);
			free(c->rules[i].exc[k].values);
		}
		free(r->exc_cc);
		if (c->rules)
			free(c->rules[i].exc);
		for (size_t k = 0; k < r->nmacros; k++)
			if (r->macro_cc[k])
				cond_compiled_free(r->macro_cc[k]);
		free(r->macros);
		free(r->macro_cc);
		for (size_t k = 0; r->lists && k < r->nlists; k++) {
			struct cov_list_use *u = &r->lists[k];
			if (u->emptied)
				cond_compiled_free(u->emptied);
			for (size_t j = 0; u->item_cc && j < c->lx.n[u->list]; j++)
				if (u->item_cc[j])
					cond_compiled_free(u->item_cc[j]);
			free(u->item_cc);
			free(u->item_state);
		}
		free(r->lists);
	}
	for (size_t m = 0; c->macro_ast && m < c->nmacros; m++)
		cond_free(c->macro_ast[m]);
	for (size_t li = 0; c->lists && li < c->nlists; li++)
		free(c->lists[li].items);
	if (c->lx.items)
		ld_lists_x_free(c->l, &c->lx);
	free(c->macro_ast);
	free(c->cr);
	free(c->rules);
	free(c->macros);
	free(c->lists);
	free(c);
}

/* ---- per event ----------------------------------------------------------- */

static void list_event(struct rule_coverage *c, const struct cov_rule *r, struct cov_list_use *u, int full,
		       uint16_t evttype, rule_extract_fn ex, void *ectx)
{
	struct rule_coverage_item *it = &c->lists[u->list];
	if (u->emptied) {
		if (cond_eval(u->emptied, evttype, ex, ectx) == full)
			return; /* no item of it can matter on this event */
		it->made_difference++;
	}
	int any = 0;
	for (size_t k = 0; k < it->nitems; k++) {
		if (u->item_state[k] == ITEM_UNTRIED) {
			/* compiled once, on the first event its list matters to */
			u->item_cc[k] = compile_without(c, r, u->list, k);
			u->item_state[k] = u->item_cc[k] ? ITEM_COMPILED : ITEM_FAILED;
		}
		if (u->item_cc[k] && cond_eval(u->item_cc[k], evttype, ex, ectx) != full) {
			it->items[k].made_difference++;
			any = 1;
		}
	}
	if (!u->emptied && any)
		it->made_difference++;
}

void rule_coverage_event(struct rule_coverage *c, uint16_t evttype, rule_extract_fn ex, void *ectx)
{
	if (evttype >= c->ntypes)
		return;
	for (size_t i = 0; i < c->nrules; i++) {
		struct cov_rule *r = &c->cr[i];
		if (!r->full || !r->typemap[evttype])
			continue;
		struct rule_coverage_rule *out = &c->rules[i];
		out->reached++;
		int full = cond_eval(r->full, evttype, ex, ectx);
		out->passed += (uint64_t)full;
		int base = r->base ? cond_eval(r->base, evttype, ex, ectx) : full;
		out->base_passed += (uint64_t)base;
		if (base && !full)
			for (size_t k = 0; k < out->nexc; k++)
				if (r->exc_cc[k] && cond_eval(r->exc_cc[k], evttype, ex, ectx))
					out->exc[k].suppressed++;
		for (size_t k = 0; k < r->nmacros; k++)
			if (r->macro_cc[k] && cond_eval(r->macro_cc[k], evttype, ex, ectx) != full)
				c->macros[r->macros[k]].made_difference++;
		for (size_t k = 0; k < r->nlists; k++)
			list_event(c, r, &r->lists[k], full, evttype, ex, ectx);
	}
}

void rule_coverage_get(const struct rule_coverage *c, struct rule_coverage_view *v)
{
	v->rules = c->rules;
	v->nrules = c->nrules;
	v->macros = c->macros;
	v->nmacros = c->nmacros;
	v->lists = c->lists;
	v->nlists = c->nlists;
}
