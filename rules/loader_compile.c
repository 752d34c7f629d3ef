/* rules/loader_compile.c: the compile pipeline (rules.md 3.8): lists, macros with visibility and loops, rules, unused warnings. */
#include "rules/cond.h"
#include "rules/loader_int.h"

#include <stdlib.h>
#include <string.h>

#define MAX_COND_DEPTH 1000

struct cmacro {
	struct cond_node *ast;
	struct cond_node *expanded;
	int state; /* 0 new, 1 expanding, 2 done, 3 failed */
	int used;
};

struct comp {
	struct rule_loader *l;
	struct ld_lists_x lx;
	struct cmacro *cm;
};

struct names {
	char **v;
	size_t n;
};

static void collect_name(void *ctx, const char *name)
{
	struct names *ns = ctx;
	ns->v = ld_xrealloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	ns->v[ns->n++] = ld_strdup(name);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static void item_ctx(struct ld_ctx *c, const char *type, const char *name, struct ld_pos pos)
{
	c->n = 0;
	struct ld_pos fp = {pos.file, 1, 1};
	ld_ctx_push(c, "rules content", "", fp);
	ld_ctx_push(c, type, name, pos);
}

/* Position of a condition error: the condition's start, moved by the parser
 * offset when the condition is a single line written as is and the error lies
 * in the part written there (not in text appended later, elsewhere). */
static struct ld_pos cond_err_pos(struct ld_pos p, const char *written, size_t len0, const char *parsed, int offset)
{
	if (offset >= 0 && p.line > 0 && !strchr(written, '\n') && !strcmp(written, parsed) &&
	    (size_t)offset <= len0)
		p.col += offset;
	return p;
}

static const struct cond_node *resolve_expanded(void *ctx, const char *name, struct cond_error *err)
{
	struct comp *c = ctx;
	struct ld_macro *m = ld_find_macro(c->l, name);
	if (!m || !c->cm[m - c->l->macros].expanded) {
		err->offset = -1;
		snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", name);
		return NULL;
	}
	return c->cm[m - c->l->macros].expanded;
}

static int expand_macro(struct comp *c, size_t i)
{
	struct rule_loader *l = c->l;
	struct cmacro *cm = &c->cm[i];
	if (cm->state == 2)
		return 0;
	if (cm->state == 3 || !cm->ast)
		return -1;
	struct ld_ctx ctx;
	item_ctx(&ctx, "macro", l->macros[i].name, l->macros[i].pos);
	if (cm->state == 1) {
		ld_diag(l, LOAD_ERR_VALIDATE, &ctx, "reference loop in macro '%s'", l->macros[i].name);
		cm->state = 3;
		return -1;
	}
	cm->state = 1;
	struct names ns = {0};
	cond_for_each_macro(cm->ast, collect_name, &ns);
	int rc = 0;
	for (size_t k = 0; k < ns.n && rc == 0; k++) {
		struct ld_macro *m = ld_find_macro(l, ns.v[k]);
		if (!m || m->first_seq > l->macros[i].vis_seq) {
			ld_diag(l, LOAD_ERR_VALIDATE, &ctx, "Undefined macro '%s' used in filter.", ns.v[k]);
			rc = -1;
			break;
		}
		c->cm[m - l->macros].used = 1;
		rc = expand_macro(c, (size_t)(m - l->macros));
	}
	names_free(&ns);
	if (rc == 0) {
		struct cond_error err = {0};
		cm->expanded = cond_expand_macros(cm->ast, resolve_expanded, c, &err);
		if (!cm->expanded) {
			ld_diag(l, LOAD_ERR_VALIDATE, &ctx, "%s", err.msg);
			rc = -1;
		}
	}
	cm->state = rc == 0 ? 2 : 3;
	return rc;
}

static int parse_macros(struct comp *c)
{
	struct rule_loader *l = c->l;
	for (size_t i = 0; i < l->nmacros; i++) {
		struct ld_macro *m = &l->macros[i];
		char *text = ld_lists_substitute(l, &c->lx, m->cond);
		struct cond_error err = {0};
		c->cm[i].ast = cond_parse(text, MAX_COND_DEPTH, &err);
		if (!c->cm[i].ast) {
			struct ld_ctx ctx;
			item_ctx(&ctx, "macro", m->name, m->pos);
			ld_ctx_push(&ctx, "condition expression", "",
				    cond_err_pos(m->cond_pos, m->cond, m->cond_len0, text, err.offset));
			ld_diag(l, LOAD_ERR_COMPILE_CONDITION, &ctx, "%s", err.msg);
			free(text);
			return -1;
		}
		free(text);
	}
	for (size_t i = 0; i < l->nmacros; i++)
		if (expand_macro(c, i) < 0)
			return -1;
	return 0;
}

/* %container.info (rules.md 4.6): replaced like Falco <= 0.40, or removed with a warning. */
static char *fix_container_info(struct rule_loader *l, const char *out, const struct ld_ctx *ctx)
{
	const char *tok = "%container.info";
	if (!strstr(out, tok))
		return ld_strdup(out);
	struct ld_buf b = {0};
	const char *p = out, *q;
	while ((q = strstr(p, tok))) {
		ld_buf_add(&b, p, (size_t)(q - p));
		if (l->opts.legacy_container_info)
			ld_buf_adds(&b, "container_id=%container.id container_name=%container.name");
		p = q + strlen(tok);
	}
	ld_buf_adds(&b, p);
	if (!l->opts.legacy_container_info) {
		ld_diag(l, LOAD_DEPRECATED_ITEM, ctx,
			"%%container.info is deprecated and not supported anymore, and it will be removed from the "
			"output");
		/* collapse the blanks left behind */
		char *w = b.s;
		size_t j = 0;
		for (size_t i = 0; i < b.len; i++)
			if (!(b.s[i] == ' ' && (j == 0 || w[j - 1] == ' ')))
				w[j++] = b.s[i];
		while (j && w[j - 1] == ' ')
			j--;
		w[j] = 0;
	}
	return b.s ? b.s : ld_strdup("");
}

static int compile_rule(struct comp *c, size_t i, struct rule_set *rs)
{
	struct rule_loader *l = c->l;
	struct ld_rule *r = &l->rules[i];
	struct ld_ctx rctx;
	item_ctx(&rctx, "rule", r->name, r->pos);
	const struct rule_source *src = ld_source(l, r->source);
	if (!src || !src->registry) {
		ld_diag(l, LOAD_UNKNOWN_SOURCE, &rctx, "Unknown source %s, skipping", r->source);
		rs_set_rule(rs, i, r, NULL, NULL, r->output, NULL, 0);
		return 0;
	}
	const struct rule_field_registry *reg = src->registry;
	int rc = -1;
	struct ld_buf cond = {0};
	char *text = NULL, *output = NULL;
	struct cond_node *ast = NULL, *expanded = NULL;
	struct cond_compiled *cc = NULL;
	struct rule_format *fmt = NULL;
	uint8_t *map = NULL;
	struct names ns = {0};
	ld_buf_adds(&cond, r->cond);
	if (ld_exceptions_apply(l, r, reg, &rctx, &cond) < 0)
		goto out;

	output = fix_container_info(l, r->output, &rctx);
	if (src->extra_output && *src->extra_output)
		ld_str_append(&output, " ", src->extra_output);
	char ferr[512] = "";
	fmt = rule_format_compile(reg, output, ferr, sizeof(ferr));
	if (!fmt) {
		if (r->skip_unknown) {
			ld_diag(l, LOAD_UNKNOWN_FILTER, &rctx, "%s", ferr);
			rs_set_rule(rs, i, r, NULL, NULL, output, NULL, 0);
			rc = 0;
			goto out;
		}
		struct ld_ctx octx = rctx;
		ld_ctx_push(&octx, "rule output", "", r->out_pos);
		ld_diag(l, LOAD_ERR_COMPILE_OUTPUT, &octx, "%s", ferr);
		goto out;
	}

	text = ld_lists_substitute(l, &c->lx, cond.s);
	struct cond_error err = {0};
	ast = cond_parse(text, MAX_COND_DEPTH, &err);
	if (!ast) {
		struct ld_ctx cctx = rctx;
		ld_ctx_push(&cctx, "condition expression", "",
			    cond_err_pos(r->cond_pos, r->cond, r->cond_len0, text, err.offset));
		ld_diag(l, LOAD_ERR_COMPILE_CONDITION, &cctx, "%s", err.msg);
		goto out;
	}
	cond_for_each_macro(ast, collect_name, &ns);
	for (size_t k = 0; k < ns.n; k++) {
		struct ld_macro *m = ld_find_macro(l, ns.v[k]);
		if (!m) {
			ld_diag(l, LOAD_ERR_VALIDATE, &rctx, "Undefined macro '%s' used in filter.", ns.v[k]);
			goto out;
		}
		c->cm[m - l->macros].used = 1;
		if (expand_macro(c, (size_t)(m - l->macros)) < 0)
			goto out;
	}
	expanded = cond_expand_macros(ast, resolve_expanded, c, &err);
	if (!expanded) {
		ld_diag(l, LOAD_ERR_VALIDATE, &rctx, "%s", err.msg);
		goto out;
	}
	struct cond_warnings warn = {0};
	int unknown = 0;
	cc = cond_compile_legacy(expanded, reg, l->opts.legacy_list_operators, &warn, &unknown, &err);
	if (!cc) {
		if (unknown && r->skip_unknown) {
			ld_diag(l, LOAD_UNKNOWN_FILTER, &rctx, "%s", err.msg);
			rs_set_rule(rs, i, r, NULL, fmt, output, NULL, 0);
			fmt = NULL;
			rc = 0;
			goto out;
		}
		struct ld_ctx cctx = rctx;
		ld_ctx_push(&cctx, "condition expression", "", r->cond_pos);
		ld_diag(l, LOAD_ERR_COMPILE_CONDITION, &cctx, "%s", err.msg);
		goto out;
	}
	for (int w = 0; w < warn.n && w < COND_MAX_WARNINGS; w++)
		ld_diag(l, warn.code[w], &rctx, "%s", warn.msg[w]);
	map = calloc(reg->n_evttypes ? reg->n_evttypes : 1, 1);
	size_t ntypes = cond_evttypes(expanded, reg, map);
	if (reg->has_evttype) {
		/* only the source's own events: a syscall rule without evt.type never
		 * sees audit events, and an audit rule only sees those */
		ntypes = 0;
		for (uint16_t t = 0; t < reg->n_evttypes; t++) {
			map[t] = map[t] && reg->has_evttype(t);
			ntypes += map[t];
		}
	}
	if (r->warn_evttypes && ntypes > 100)
		ld_diag(l, LOAD_NO_EVTTYPE, &rctx,
			"Rule matches too many evt.type values. This has a significant performance penalty.");
	rs_set_rule(rs, i, r, cc, fmt, output, map, 1);
	cc = NULL;
	fmt = NULL;
	rc = 0;
out:
	names_free(&ns);
	free(map);
	if (cc)
		cond_compiled_free(cc);
	if (fmt)
		rule_format_free(fmt);
	cond_free(expanded);
	cond_free(ast);
	free(text);
	free(output);
	free(cond.s);
	return rc;
}

static int compile_all(struct comp *c, struct rule_set *rs)
{
	struct rule_loader *l = c->l;
	if (parse_macros(c) < 0)
		return -1;
	for (size_t i = 0; i < l->nrules; i++)
		if (compile_rule(c, i, rs) < 0)
			return -1;
	for (size_t i = 0; i < l->nmacros; i++) {
		if (!c->cm[i].used) {
			struct ld_ctx ctx;
			item_ctx(&ctx, "macro", l->macros[i].name, l->macros[i].pos);
			ld_diag(l, LOAD_UNUSED_MACRO, &ctx, "Macro not referred to by any other rule/macro");
		}
	}
	for (size_t i = 0; i < l->nlists; i++) {
		if (!c->lx.used[i]) {
			struct ld_ctx ctx;
			item_ctx(&ctx, "list", l->lists[i].name, l->lists[i].pos);
			ld_diag(l, LOAD_UNUSED_LIST, &ctx, "List not referred to by any other rule/macro");
		}
	}
	return 0;
}

int ld_compile(struct rule_loader *l, int emit, struct rule_set **out)
{
	struct comp c = {0};
	c.l = l;
	struct rule_diag_list saved = l->diags;
	if (!emit)
		memset(&l->diags, 0, sizeof(l->diags));
	ld_lists_expand(l, &c.lx);
	c.cm = calloc(l->nmacros ? l->nmacros : 1, sizeof(*c.cm));
	const struct rule_field_registry *reg0 = l->opts.registry ? l->opts.registry :
						  l->opts.nsources ? l->opts.sources[0].registry : NULL;
	uint16_t ntypes = reg0 ? reg0->n_evttypes : 0;
	struct rule_set *rs = rs_new(l->nrules, ntypes);
	int rc = compile_all(&c, rs);
	for (size_t i = 0; i < l->nmacros; i++) {
		cond_free(c.cm[i].ast);
		cond_free(c.cm[i].expanded);
	}
	free(c.cm);
	ld_lists_x_free(l, &c.lx);
	if (!emit) {
		/* a silent rebuild keeps only errors (warnings were reported at load) */
		struct rule_diag_list scratch = l->diags;
		l->diags = saved;
		for (size_t i = 0; i < scratch.n; i++) {
			if (rule_diag_is_error(scratch.v[i].code)) {
				if (l->diags.n == l->diags.cap) {
					l->diags.cap = l->diags.cap ? 2 * l->diags.cap : 8;
					l->diags.v = ld_xrealloc(l->diags.v, l->diags.cap * sizeof(*l->diags.v));
				}
				l->diags.v[l->diags.n++] = scratch.v[i];
				memset(&scratch.v[i], 0, sizeof(scratch.v[i]));
			}
		}
		rule_diag_list_free(&scratch);
	}
	if (rc < 0 || !out) {
		rule_set_free(rs);
		return rc;
	}
	rs_finish(rs, l, l->nmacros, l->nlists);
	*out = rs;
	return 0;
}
