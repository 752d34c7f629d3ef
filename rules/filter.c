/* rules/filter.c: standalone filters (a condition without macros or lists), for --print FILTER and conversions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

struct rule_filter {
	struct cond_compiled *c;
};

static void diag_push(struct rule_diag_list *dl, int code, const char *msg)
{
	if (!dl)
		return;
	if (dl->n == dl->cap) {
		size_t nc = dl->cap ? dl->cap * 2 : 4;
		struct rule_diag *nv = realloc(dl->v, nc * sizeof(*nv));
		if (!nv)
			return;
		dl->v = nv;
		dl->cap = nc;
	}
	struct rule_diag *d = &dl->v[dl->n];
	memset(d, 0, sizeof(*d));
	d->code = code;
	d->message = strdup(msg);
	if (!d->message)
		return;
	dl->n++;
}

struct rule_filter *rule_filter_compile(const struct rule_field_registry *reg, const char *condition,
					struct rule_diag_list *diags)
{
	struct cond_error err;
	char msg[700];
	struct cond_node *ast = cond_parse(condition, 1000, &err);
	if (!ast) {
		snprintf(msg, sizeof(msg), "%s (at offset %d)", err.msg, err.offset);
		diag_push(diags, LOAD_ERR_COMPILE_CONDITION, msg);
		return NULL;
	}
	struct cond_warnings w;
	int unknown;
	struct rule_filter *f = calloc(1, sizeof(*f));
	if (f)
		f->c = cond_compile(ast, reg, &w, &unknown, &err);
	cond_free(ast);
	if (!f || !f->c) {
		diag_push(diags, LOAD_ERR_COMPILE_CONDITION, f ? err.msg : "out of memory");
		free(f);
		return NULL;
	}
	for (int i = 0; i < w.n; i++)
		diag_push(diags, w.code[i], w.msg[i]);
	return f;
}

int rule_filter_eval(const struct rule_filter *f, uint16_t evttype, rule_extract_fn extract, void *ectx)
{
	return cond_eval(f->c, evttype, extract, ectx);
}

void rule_filter_free(struct rule_filter *f)
{
	if (!f)
		return;
	cond_compiled_free(f->c);
	free(f);
}
