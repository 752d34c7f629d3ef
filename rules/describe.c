/* rules/describe.c: the description of loaded rules, macros and lists that Falco's -L/-l json_output prints (what each condition names and resolves to). */
#include "rules/cond_int.h"
#include "rules/loader_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COND_DEPTH 1000

/* ---- sorted string sets ---------------------------------------------------- */

static void strs_add(struct rule_strs *s, const char *v)
{
	for (size_t i = 0; i < s->n; i++)
		if (!strcmp(s->v[i], v))
			return;
	ld_strs_push(s, v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strs_sort(struct rule_strs *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp_str);
}

/* ---- what a condition names ---------------------------------------------- */

/* Macros and lists named in a condition as written (Falco's details over
 * the unresolved AST): identifiers that are macros, list items of a
 * check's right side that are lists. */
static void walk_names(const struct rule_loader *l, const struct cond_node *n, int in_rhs, struct rule_strs *macros,
		       struct rule_strs *lists)
{
	if (!n)
		return;
	if (n->kind == CN_MACRO && ld_find_macro((struct rule_loader *)l, n->str))
		strs_add(macros, n->str);
	if (n->kind == CN_LIST && in_rhs)
		for (size_t i = 0; i < n->nitems; i++)
			if (ld_find_list((struct rule_loader *)l, n->items[i]))
				strs_add(lists, n->items[i]);
	for (size_t i = 0; i < n->nkids; i++)
		walk_names(l, n->kids[i], n->kind == CN_BINARY && i == 1, macros, lists);
}

static int is_evttype_field(const struct cond_node *n)
{
	return n && n->kind == CN_FIELD && !n->arg && (!strcmp(n->str, "evt.type") || !strcmp(n->str, "evt.asynctype"));
}

struct resolved {
	struct rule_strs *ops, *fields, *evtnames;
};

/* Fields, operators and evt.type names of a resolved condition (Falco's
 * details over the compiled AST). */
static void walk_resolved(const struct cond_node *n, const struct resolved *r)
{
	if (!n)
		return;
	if (n->kind == CN_FIELD) {
		if (n->arg && *n->arg) {
			char *f = ld_sprintf("%s[%s]", n->str, n->arg);
			strs_add(r->fields, f);
			free(f);
		} else {
			strs_add(r->fields, n->str);
		}
	}
	if (n->kind == CN_UNARY || n->kind == CN_BINARY)
		strs_add(r->ops, cond_op_name(n->op));
	if (n->kind == CN_BINARY && n->nkids == 2 && is_evttype_field(n->kids[0]) && r->evtnames) {
		const struct cond_node *v = n->kids[1];
		if (v->kind == CN_VALUE)
			strs_add(r->evtnames, v->str);
		for (size_t i = 0; v->kind == CN_LIST && i < v->nitems; i++)
			strs_add(r->evtnames, v->items[i]);
	}
	for (size_t i = 0; i < n->nkids; i++)
		walk_resolved(n->kids[i], r);
}

/* ---- printing a resolved condition back ---------------------------------- */

static void put_value(struct ld_buf *b, const char *s, size_t len)
{
	int plain = len > 0;
	for (size_t i = 0; i < len && plain; i++)
		plain = s[i] > ' ' && s[i] != '"' && s[i] != '\'' && s[i] != '(' && s[i] != ')' && s[i] != ',' &&
			s[i] != '\\' && (unsigned char)s[i] < 0x7f;
	if (plain) {
		ld_buf_add(b, s, len);
		return;
	}
	ld_buf_addc(b, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			ld_buf_addc(b, '\\');
		ld_buf_addc(b, s[i]);
	}
	ld_buf_addc(b, '"');
}

static void put_node(struct ld_buf *b, const struct cond_node *n)
{
	switch (n->kind) {
	case CN_AND:
	case CN_OR:
		ld_buf_addc(b, '(');
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				ld_buf_adds(b, n->kind == CN_AND ? " and " : " or ");
			put_node(b, n->kids[i]);
		}
		ld_buf_addc(b, ')');
		break;
	case CN_NOT:
		ld_buf_adds(b, "not ");
		put_node(b, n->kids[0]);
		break;
	case CN_MACRO:
		ld_buf_adds(b, n->str);
		break;
	case CN_UNARY:
		put_node(b, n->kids[0]);
		ld_buf_adds(b, " exists");
		break;
	case CN_BINARY:
		put_node(b, n->kids[0]);
		ld_buf_addc(b, ' ');
		ld_buf_adds(b, cond_op_name(n->op));
		ld_buf_addc(b, ' ');
		put_node(b, n->kids[1]);
		break;
	case CN_FIELD:
		ld_buf_adds(b, n->str);
		if (n->arg) {
			ld_buf_addc(b, '[');
			ld_buf_adds(b, n->arg);
			ld_buf_addc(b, ']');
		}
		break;
	case CN_TRANSFORM:
		ld_buf_adds(b, n->str);
		ld_buf_addc(b, '(');
		for (size_t i = 0; i < n->nkids; i++)
			put_node(b, n->kids[i]);
		ld_buf_addc(b, ')');
		break;
	case CN_VALUE:
		put_value(b, n->str, n->len);
		break;
	case CN_LIST:
		ld_buf_addc(b, '(');
		for (size_t i = 0; i < n->nitems; i++) {
			if (i)
				ld_buf_adds(b, ", ");
			put_value(b, n->items[i], n->itemlens[i]);
		}
		ld_buf_addc(b, ')');
		break;
	}
}

static char *node_text(const struct cond_node *n)
{
	struct ld_buf b = {0};
	if (n)
		put_node(&b, n);
	return b.s ? b.s : ld_strdup("");
}

/* ---- resolution, as the compile pipeline does it ------------------------- */

struct desc {
	struct rule_loader *l;
	struct ld_lists_x lx;
	struct cond_node **macro_ast;   /* lists substituted, macros not expanded */
	uint8_t *macro_used, *list_used;
	const char *(*evttype_name)(uint16_t);
};

static const struct cond_node *resolve_macro(void *ctx, const char *name, struct cond_error *err)
{
	struct desc *d = ctx;
	struct ld_macro *m = ld_find_macro(d->l, name);
	if (!m || !d->macro_ast[m - d->l->macros]) {
		err->offset = -1;
		snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", name);
		return NULL;
	}
	return d->macro_ast[m - d->l->macros];
}

/* text with lists substituted, parsed, macros expanded; NULL if it does not. */
static struct cond_node *resolve_text(struct desc *d, const char *text)
{
	char *sub = ld_lists_substitute(d->l, &d->lx, text);
	struct cond_error err = {0};
	struct cond_node *ast = cond_parse(sub, MAX_COND_DEPTH, &err);
	free(sub);
	struct cond_node *exp = ast ? cond_expand_macros(ast, resolve_macro, d, &err) : NULL;
	cond_free(ast);
	return exp;
}

static void raw_names(struct desc *d, const char *text, struct rule_strs *macros, struct rule_strs *lists)
{
	struct cond_error err = {0};
	struct cond_node *raw = cond_parse(text, MAX_COND_DEPTH, &err);
	if (!raw) {
		/* parses only with its lists substituted: the macros still show */
		char *sub = ld_lists_substitute(d->l, &d->lx, text);
		raw = cond_parse(sub, MAX_COND_DEPTH, &err);
		free(sub);
	}
	walk_names(d->l, raw, 0, macros, lists);
	cond_free(raw);
	strs_sort(macros);
	strs_sort(lists);
	for (size_t i = 0; i < macros->n; i++)
		d->macro_used[ld_find_macro(d->l, macros->v[i]) - d->l->macros] = 1;
}

/* Event names as Falco prints them: the names of the event types the
 * condition can match plus, for syscall conditions, the generic syscalls it
 * names and Falco's async event, which every syscall rule sees; other
 * sources' rules see the plugin and async events. */
static void events_of(struct desc *d, const struct cond_node *exp, const struct rule_source *src,
		      const struct rule_strs *evtnames, struct rule_strs *out)
{
	const struct rule_field_registry *reg = src ? src->registry : NULL;
	if (src && strcmp(src->name, "syscall")) {
		strs_add(out, "asyncevent");
		strs_add(out, "pluginevent");
		return;
	}
	if (!reg || !exp || !d->evttype_name)
		return;
	uint8_t *map = calloc(reg->n_evttypes ? reg->n_evttypes : 1, 1);
	if (!map)
		return;
	cond_evttypes(exp, reg, map);
	for (uint16_t t = 0; t < reg->n_evttypes; t++) {
		if (!map[t] || (reg->has_evttype && !reg->has_evttype(t)))
			continue;
		const char *name = d->evttype_name(t);
		if (name && *name)
			strs_add(out, name);
	}
	free(map);
	for (size_t i = 0; reg->evttype_generic && i < evtnames->n; i++)
		if (reg->evttype_generic(evtnames->v[i]))
			strs_add(out, evtnames->v[i]);
	strs_add(out, "asyncevent");
	strs_sort(out);
}

static void exception_details(const struct ld_rule *r, struct rule_describe_rule *o)
{
	for (size_t i = 0; i < r->nexc; i++) {
		const struct ld_exception *e = &r->exc[i];
		strs_add(&o->exception_names, e->name);
		if (!e->has_fields)
			continue;
		if (!e->fields.is_list) {
			strs_add(&o->exception_fields, e->fields.item);
			/* a single field is compared with "in" unless told */
			strs_add(&o->exception_operators, e->has_comps && e->comps.item ? e->comps.item : "in");
			continue;
		}
		for (size_t k = 0; k < e->fields.n; k++) {
			if (e->fields.v[k].item)
				strs_add(&o->exception_fields, e->fields.v[k].item);
			/* fields without comps are compared with "=" */
			const char *c = !e->has_comps ? "=" : k < e->comps.n ? e->comps.v[k].item : NULL;
			if (c)
				strs_add(&o->exception_operators, c);
		}
	}
	strs_sort(&o->exception_names);
	strs_sort(&o->exception_fields);
	strs_sort(&o->exception_operators);
}

static void describe_rule(struct desc *d, const struct rule_set *rs, size_t i, struct rule_describe_rule *o)
{
	struct rule_loader *l = d->l;
	const struct ld_rule *r = &l->rules[i];
	const struct rule_source *src = ld_source(l, r->source);
	const struct rule_info *ri = rule_set_rule(rs, i);
	o->index = i;
	o->condition = r->cond;
	o->output = r->output;
	o->enabled = r->enabled;
	o->output_compiled = ri->output;
	raw_names(d, r->cond, &o->macros, &o->lists);
	/* the condition as compiled: with its exceptions, lists and macros;
	 * a silent pass: its diagnostics were reported when loading */
	struct ld_buf cond = {0};
	ld_buf_adds(&cond, r->cond);
	struct rule_diag_list saved = l->diags;
	memset(&l->diags, 0, sizeof(l->diags));
	struct ld_ctx ctx = {0};
	int exc_ok = ld_exceptions_apply(l, r, src->registry, &ctx, &cond) == 0;
	rule_diag_list_free(&l->diags);
	l->diags = saved;
	struct cond_node *exp = exc_ok ? resolve_text(d, cond.s) : NULL;
	free(cond.s);
	struct rule_strs evtnames = {0};
	struct resolved rv = {&o->condition_operators, &o->condition_fields, &evtnames};
	walk_resolved(exp, &rv);
	strs_sort(&o->condition_operators);
	strs_sort(&o->condition_fields);
	o->condition_compiled = node_text(exp);
	events_of(d, exp, src, &evtnames, &o->events);
	ld_strs_free(&evtnames);
	cond_free(exp);
	exception_details(r, o);
	const struct rule_format *fmt = rule_set_output(rs, i);
	for (size_t k = 0; fmt && k < rule_format_field_count(fmt); k++)
		strs_add(&o->output_fields, rule_format_field_name(fmt, k));
}

static void describe_macro(struct desc *d, size_t i, struct rule_describe_macro *o)
{
	const struct ld_macro *m = &d->l->macros[i];
	o->name = m->name;
	o->condition = m->cond;
	raw_names(d, m->cond, &o->macros, &o->lists);
	struct cond_error err = {0};
	struct cond_node *exp = d->macro_ast[i] ? cond_expand_macros(d->macro_ast[i], resolve_macro, d, &err) : NULL;
	struct rule_strs evtnames = {0};
	struct resolved rv = {&o->condition_operators, &o->condition_fields, &evtnames};
	walk_resolved(exp, &rv);
	strs_sort(&o->condition_operators);
	strs_sort(&o->condition_fields);
	o->condition_compiled = node_text(exp);
	/* macros have no source: Falco reads them as syscall conditions */
	events_of(d, exp, ld_source(d->l, "syscall"), &evtnames, &o->events);
	ld_strs_free(&evtnames);
	cond_free(exp);
}

static void describe_list(struct desc *d, size_t i, struct rule_describe_list *o)
{
	const struct ld_list *li = &d->l->lists[i];
	o->name = li->name;
	o->used = d->list_used[i];
	for (size_t j = 0; j < li->n; j++) {
		int is_ref = 0;
		/* the references ld_lists_expand resolves: lists defined before */
		for (size_t k = 0; k < d->l->nlists && !is_ref; k++)
			is_ref = !strcmp(d->l->lists[k].name, li->items[j]) && d->l->lists[k].first_seq < li->vis_seq;
		strs_add(is_ref ? &o->lists : &o->items, li->items[j]);
	}
	strs_sort(&o->lists);
	for (size_t j = 0; j < d->lx.n[i]; j++)
		ld_strs_push(&o->items_compiled, d->lx.items[i][j]);
}

struct rule_description *rule_describe(struct rule_loader *l, const struct rule_set *rs,
				       const char *(*evttype_name)(uint16_t type))
{
	struct rule_description *out = calloc(1, sizeof(*out));
	struct desc d = {l, {0}, NULL, NULL, NULL, evttype_name};
	if (!out)
		return NULL;
	size_t nm = l->nmacros, nl = l->nlists;
	d.macro_ast = calloc(nm + 1, sizeof(*d.macro_ast));
	d.macro_used = calloc(nm + 1, 1);
	d.list_used = calloc(nl + 1, 1);
	out->rules = calloc(l->nrules + 1, sizeof(*out->rules));
	out->macros = calloc(nm + 1, sizeof(*out->macros));
	out->lists = calloc(nl + 1, sizeof(*out->lists));
	if (!d.macro_ast || !d.macro_used || !d.list_used || !out->rules || !out->macros || !out->lists) {
		free(d.macro_ast);
		free(d.macro_used);
		free(d.list_used);
		rule_description_free(out);
		return NULL;
	}
	out->required_engine_version = l->engine_version ? l->engine_version : "0.0.0";
	out->plugin_reqs = l->plugin_reqs;
	out->nplugin_reqs = l->nplugin_reqs;
	ld_lists_expand(l, &d.lx);
	for (size_t m = 0; m < nm; m++) {
		char *sub = ld_lists_substitute(l, &d.lx, l->macros[m].cond);
		struct cond_error err = {0};
		d.macro_ast[m] = cond_parse(sub, MAX_COND_DEPTH, &err);
		free(sub);
	}
	/* rules of an unknown source were skipped, Falco leaves them out */
	for (size_t i = 0; i < l->nrules && i < rule_set_count(rs); i++) {
		const struct rule_source *src = ld_source(l, l->rules[i].source);
		if (src && src->registry)
			describe_rule(&d, rs, i, &out->rules[out->nrules++]);
	}
	out->nmacros = nm;
	for (size_t m = 0; m < nm; m++)
		describe_macro(&d, m, &out->macros[m]);
	/* used: named by a compiled rule or by another macro */
	for (size_t m = 0; m < nm; m++)
		out->macros[m].used = d.macro_used[m];
	/* used lists: those the expansion of lists and the substitutions into
	 * macros and compiled rules above marked, as compiling does */
	memcpy(d.list_used, d.lx.used, nl);
	out->nlists = nl;
	for (size_t i = 0; i < nl; i++)
		describe_list(&d, i, &out->lists[i]);
	for (size_t m = 0; m < nm; m++)
		cond_free(d.macro_ast[m]);
	free(d.macro_ast);
	free(d.macro_used);
	free(d.list_used);
	ld_lists_x_free(l, &d.lx);
	return out;
}

void rule_description_free(struct rule_description *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nrules; i++) {
		struct rule_describe_rule *r = &d->rules[i];
		free(r->condition_compiled);
		struct rule_strs *all[] = {&r->macros, &r->lists, &r->condition_operators, &r->condition_fields,
					   &r->exception_fields, &r->exception_names, &r->exception_operators,
					   &r->events, &r->output_fields};
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			ld_strs_free(all[k]);
	}
	for (size_t i = 0; i < d->nmacros; i++) {
		struct rule_describe_macro *m = &d->macros[i];
		free(m->condition_compiled);
		struct rule_strs *all[] = {&m->macros, &m->lists, &m->condition_operators, &m->condition_fields,
					   &m->events};
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			ld_strs_free(all[k]);
	}
	for (size_t i = 0; i < d->nlists; i++) {
		ld_strs_free(&d->lists[i].items);
		ld_strs_free(&d->lists[i].lists);
		ld_strs_free(&d->lists[i].items_compiled);
	}
	free(d->rules);
	free(d->macros);
	free(d->lists);
	free(d);
}
