/* rules/loader_exceptions.c: rule exceptions: reading, validation and their textual compilation into the condition. */
#include "rules/loader_int.h"

#include <stdlib.h>
#include <string.h>

void ld_exc_entry_free(struct ld_exc_entry *e)
{
	free(e->item);
	for (size_t i = 0; i < e->n; i++)
		ld_exc_entry_free(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

void ld_exception_free(struct ld_exception *e)
{
	free(e->name);
	ld_exc_entry_free(&e->fields);
	ld_exc_entry_free(&e->comps);
	for (size_t i = 0; i < e->nvalues; i++)
		ld_exc_entry_free(&e->values[i]);
	free(e->values);
	memset(e, 0, sizeof(*e));
}

/* Decodes a scalar or (nested) sequence. key NULL = the node itself. Returns 1
 * if present, 0 if absent and optional, -1 on error. */
static int decode_entry(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
			const struct ld_ctx *ctx, struct ld_exc_entry *out)
{
	const struct yaml_node *val = key ? ld_map_get(item, key) : item;
	memset(out, 0, sizeof(*out));
	if (!val) {
		if (optional)
			return 0;
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, ctx, "Item has no mapping for key '%s'", key ? key : "");
		return -1;
	}
	struct ld_ctx vctx = *ctx;
	ld_ctx_push(&vctx, "value for", key ? key : "", ld_node_pos(r->f, val));
	if (val->kind == YAML_SCALAR) {
		if (val->len == 0 || ld_is_null(val)) {
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &vctx, "Value must be non-empty");
			return -1;
		}
		out->item = ld_strdup(val->text);
	} else if (val->kind == YAML_SEQ) {
		out->is_list = 1;
		out->v = ld_xrealloc(NULL, (val->n ? val->n : 1) * sizeof(*out->v));
		for (size_t i = 0; i < val->n; i++) {
			struct ld_ctx lctx = vctx;
			ld_ctx_push(&lctx, "exception", "", ld_node_pos(r->f, val->kids[i]));
			if (decode_entry(r, val->kids[i], NULL, 0, &lctx, &out->v[i]) < 0) {
				out->n = i;
				ld_exc_entry_free(out);
				return -1;
			}
			out->n = i + 1;
		}
	} else {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &vctx, "Value is not a scalar or a sequence");
		return -1;
	}
	return 1;
}

static int read_one(struct ld_reader *r, const struct yaml_node *ex, const struct ld_ctx *exes_ctx,
		    const struct ld_ctx *ctx, int append, struct ld_exception *e)
{
	struct ld_ctx tmp = *exes_ctx;
	ld_ctx_push(&tmp, "exception", "", ld_node_pos(r->f, ex));
	if (ex->kind != YAML_MAP) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &tmp, "Rule exception must be a mapping");
		return -1;
	}
	if (ld_decode_str(r, ex, "name", 0, &tmp, &e->name) < 0)
		return -1;
	e->pos = ld_node_pos(r->f, ex);
	struct ld_ctx ectx = *ctx;
	ld_ctx_push(&ectx, "exception", e->name, e->pos);
	int rc = decode_entry(r, ex, "fields", append, &ectx, &e->fields);
	if (rc < 0)
		return -1;
	e->has_fields = rc;
	if ((rc = decode_entry(r, ex, "comps", 1, &ectx, &e->comps)) < 0)
		return -1;
	e->has_comps = rc;
	const struct yaml_node *vals = ld_map_get(ex, "values");
	if (vals && !ld_is_null(vals)) {
		struct ld_ctx vctx = ectx;
		ld_ctx_push(&vctx, "exception values", "", ld_node_pos(r->f, vals));
		if (vals->kind != YAML_SEQ) {
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &vctx, "Rule exception values must be a sequence");
			return -1;
		}
		e->values = ld_xrealloc(NULL, (vals->n ? vals->n : 1) * sizeof(*e->values));
		for (size_t i = 0; i < vals->n; i++) {
			struct ld_ctx v1 = vctx;
			ld_ctx_push(&v1, "exception value", "", ld_node_pos(r->f, vals->kids[i]));
			if (decode_entry(r, vals->kids[i], NULL, 0, &v1, &e->values[i]) < 0)
				return -1;
			e->nvalues = i + 1;
		}
	} else if (append) {
		ld_diag(r->l, LOAD_APPEND_NO_VALUES, &ectx, "Overriding/appending exception with no values");
	}
	return 0;
}

int ld_read_exceptions(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx, int append,
		       struct ld_exception **out, size_t *n)
{
	const struct yaml_node *exs = ld_map_get(item, "exceptions");
	*out = NULL;
	*n = 0;
	if (!exs || ld_is_null(exs))
		return 0;
	struct ld_ctx exes_ctx = *ctx;
	ld_ctx_push(&exes_ctx, "exceptions", "", ld_node_pos(r->f, exs));
	if (exs->kind != YAML_SEQ) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &exes_ctx, "Rule exceptions must be a sequence");
		return -1;
	}
	struct ld_exception *v = ld_xrealloc(NULL, (exs->n ? exs->n : 1) * sizeof(*v));
	size_t cnt = 0;
	for (size_t i = 0; i < exs->n; i++) {
		memset(&v[cnt], 0, sizeof(v[cnt]));
		if (read_one(r, exs->kids[i], &exes_ctx, ctx, append, &v[cnt]) < 0) {
			for (size_t j = 0; j <= cnt; j++)
				ld_exception_free(&v[j]);
			free(v);
			return -1;
		}
		for (size_t j = 0; j < cnt; j++) {
			if (!strcmp(v[j].name, v[cnt].name)) {
				struct ld_ctx ectx = *ctx;
				ld_ctx_push(&ectx, "exception", v[cnt].name, v[cnt].pos);
				ld_diag(r->l, LOAD_EXCEPTION_NAME_NOT_UNIQUE, &ectx,
					"Multiple definitions of exception '%s' in the same rule", v[cnt].name);
				break;
			}
		}
		cnt++;
	}
	*out = v;
	*n = cnt;
	return 0;
}

static const char *const known_ops[] = {"=", "==", "!=", "<", "<=", ">", ">=", "contains", "icontains",
					"bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob",
					"pmatch", "in", "intersects", "exists", "regex", NULL};

int ld_op_known(const char *op)
{
	for (size_t i = 0; known_ops[i]; i++)
		if (!strcmp(op, known_ops[i]))
			return 1;
	return 0;
}

static int op_is_list(const char *op)
{
	return !strcmp(op, "in") || !strcmp(op, "intersects") || !strcmp(op, "pmatch");
}

int ld_field_known(const struct rule_field_registry *reg, const char *field)
{
	if (!reg)
		return 0;
	/* a transformer around a field: tolower(proc.name) */
	const char *lp = strchr(field, '(');
	if (lp && field[strlen(field) - 1] == ')' && (!strchr(field, '[') || strchr(field, '[') > lp)) {
		char *inner = ld_strndup(lp + 1, strlen(lp + 1) - 1);
		int ok = ld_field_known(reg, inner);
		free(inner);
		return ok;
	}
	const char *br = strchr(field, '[');
	size_t blen = br ? (size_t)(br - field) : strlen(field);
	if (br && field[strlen(field) - 1] != ']')
		return 0;
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		if (!rule_registry_has(reg, d))
			continue;
		size_t nlen = strlen(d->name);
		if (nlen == blen && !strncmp(d->name, field, blen)) {
			if (br)
				return (d->flags & (RFF_ARG_REQUIRED | RFF_ARG_ALLOWED | RFF_ANY_ANCESTOR)) != 0;
			if (!(d->flags & RFF_ARG_REQUIRED) || (d->flags & RFF_ANY_ANCESTOR))
				return 1;
		}
		if (!br && (d->flags & RFF_ARG_DOTTED) && blen > nlen + 1 && !strncmp(d->name, field, nlen) &&
		    field[nlen] == '.')
			return 1;
	}
	return 0;
}

/* A value as it goes into the condition text (rules.md 3.7). */
static void add_value(struct ld_buf *b, const struct ld_exc_entry *v, int list_op)
{
	if (v->is_list) {
		ld_buf_addc(b, '(');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				ld_buf_adds(b, ", ");
			add_value(b, &v->v[i], 0);
		}
		ld_buf_addc(b, ')');
		return;
	}
	const char *s = v->item ? v->item : "";
	int quote = strchr(s, ' ') && s[0] != '"' && s[0] != '\'';
	int paren = list_op && s[0] != '(';
	if (paren)
		ld_buf_addc(b, '(');
	if (quote)
		ld_buf_addc(b, '"');
	ld_buf_adds(b, s);
	if (quote)
		ld_buf_addc(b, '"');
	if (paren)
		ld_buf_addc(b, ')');
}

static int exc_error(struct rule_loader *l, const struct ld_ctx *ectx, const char *fmt, const char *arg)
{
	ld_diag(l, LOAD_ERR_VALIDATE, ectx, fmt, arg);
	return -1;
}

int ld_exception_clause(struct rule_loader *l, const struct rule_field_registry *reg, const struct ld_exception *e,
			const struct ld_ctx *ectx, struct ld_buf *clause)
{
	if (!e->has_fields)
		return exc_error(l, ectx, "%s", "Rule exception must have fields property with a list of fields");
	if (!e->fields.is_list) {
		const char *comp = e->comps.item ? e->comps.item : "in";
		if (e->has_comps && e->comps.is_list)
			return exc_error(l, ectx, "%s", "Rule exception comps must be a single value when fields is a single value");
		if (!ld_field_known(reg, e->fields.item))
			return exc_error(l, ectx, "'%s' is not a supported filter field", e->fields.item);
		if (!ld_op_known(comp))
			return exc_error(l, ectx, "'%s' is not a supported comparison operator", comp);
		if (!op_is_list(comp))
			return exc_error(l, ectx, "%s",
					 "When fields is a single value, comps must be one of (in, pmatch, intersects)");
		if (!e->nvalues)
			return 0;
		ld_buf_addc(clause, '(');
		ld_buf_adds(clause, e->fields.item);
		ld_buf_addc(clause, ' ');
		ld_buf_adds(clause, comp);
		ld_buf_adds(clause, " (");
		size_t k = 0;
		for (size_t i = 0; i < e->nvalues; i++) {
			const struct ld_exc_entry *v = &e->values[i];
			size_t cnt = v->is_list ? v->n : 1;
			for (size_t j = 0; j < cnt; j++, k++) {
				if (k)
					ld_buf_adds(clause, ", ");
				add_value(clause, v->is_list ? &v->v[j] : v, 0);
			}
		}
		ld_buf_adds(clause, "))");
		return 0;
	}
	size_t nf = e->fields.n;
	if (e->has_comps && (!e->comps.is_list || e->comps.n != nf))
		return exc_error(l, ectx, "%s", "Fields and comps lists must have equal length");
	for (size_t i = 0; i < nf; i++) {
		const char *f = e->fields.v[i].item ? e->fields.v[i].item : "";
		if (!ld_field_known(reg, f))
			return exc_error(l, ectx, "'%s' is not a supported filter field", f);
		const char *c = e->has_comps ? (e->comps.v[i].item ? e->comps.v[i].item : "") : "=";
		if (!ld_op_known(c))
			return exc_error(l, ectx, "'%s' is not a supported comparison operator", c);
	}
	for (size_t i = 0; i < e->nvalues; i++)
		if (!e->values[i].is_list || e->values[i].n != nf)
			return exc_error(l, ectx, "%s", "Fields and values lists must have equal length");
	if (!e->nvalues)
		return 0;
	ld_buf_addc(clause, '(');
	for (size_t i = 0; i < e->nvalues; i++) {
		if (i)
			ld_buf_adds(clause, " or ");
		ld_buf_addc(clause, '(');
		for (size_t j = 0; j < nf; j++) {
			const char *c = e->has_comps ? e->comps.v[j].item : "=";
			if (j)
				ld_buf_adds(clause, " and ");
			ld_buf_adds(clause, e->fields.v[j].item);
			ld_buf_addc(clause, ' ');
			ld_buf_adds(clause, c);
			ld_buf_addc(clause, ' ');
			add_value(clause, &e->values[i].v[j], op_is_list(c));
		}
		ld_buf_addc(clause, ')');
	}
	ld_buf_addc(clause, ')');
	return 0;
}

int ld_exceptions_apply(struct rule_loader *l, const struct ld_rule *r, const struct rule_field_registry *reg,
			const struct ld_ctx *rctx, struct ld_buf *cond)
{
	if (!r->nexc)
		return 0;
	struct ld_buf out = {0};
	ld_buf_addc(&out, '(');
	ld_buf_adds(&out, cond->s ? cond->s : "");
	ld_buf_addc(&out, ')');
	for (size_t i = 0; i < r->nexc; i++) {
		struct ld_ctx ectx = *rctx;
		ld_ctx_push(&ectx, "exception", r->exc[i].name, r->exc[i].pos);
		struct ld_buf clause = {0};
		if (ld_exception_clause(l, reg, &r->exc[i], &ectx, &clause) < 0) {
			free(clause.s);
			free(out.s);
			return -1;
		}
		if (clause.len) {
			ld_buf_adds(&out, " and not ");
			ld_buf_adds(&out, clause.s);
		}
		free(clause.s);
	}
	free(cond->s);
	*cond = out;
	return 0;
}
