/* rules/loader_items.c: YAML value decoding and the list and macro item readers (definitions, appends, overrides). */
#include "rules/loader_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct yaml_node *ld_map_get(const struct yaml_node *map, const char *key)
{
	if (!map || map->kind != YAML_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YAML_SCALAR && !strcmp(map->kids[i]->text, key))
			return map->kids[i + 1];
	return NULL;
}

int ld_is_null(const struct yaml_node *n)
{
	if (!n)
		return 1;
	if (n->kind != YAML_SCALAR || !n->plain)
		return 0;
	return !strcmp(n->text, "") || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
	       !strcmp(n->text, "Null") || !strcmp(n->text, "NULL");
}

static const struct yaml_node *get_val(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
				       const struct ld_ctx *ctx, struct ld_ctx *valctx, int *rc)
{
	const struct yaml_node *val = ld_map_get(item, key);
	*rc = 0;
	if (!val) {
		if (!optional) {
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, ctx, "Item has no mapping for key '%s'", key);
			*rc = -1;
		}
		return NULL;
	}
	*valctx = *ctx;
	ld_ctx_push(valctx, "value for", key, ld_node_pos(r->f, val));
	return val;
}

static const struct yaml_node *get_scalar(struct ld_reader *r, const struct yaml_node *item, const char *key,
					  int optional, const struct ld_ctx *ctx, int *rc)
{
	struct ld_ctx valctx;
	const struct yaml_node *val = get_val(r, item, key, optional, ctx, &valctx, rc);
	if (!val)
		return NULL;
	if (ld_is_null(val)) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, ctx, "Mapping for key '%s' is empty", key);
	} else if (val->kind != YAML_SCALAR) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &valctx, "Value is not a scalar value");
	} else if (val->len == 0) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &valctx, "Value must be non-empty");
	} else {
		return val;
	}
	*rc = -1;
	return NULL;
}

int ld_decode_str(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, char **out)
{
	int rc;
	const struct yaml_node *val = get_scalar(r, item, key, optional, ctx, &rc);
	if (val) {
		free(*out);
		*out = ld_strdup(val->text);
	}
	return rc;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
	static const char *const f[] = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (!strcmp(s, t[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, f[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

int ld_decode_bool(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		   const struct ld_ctx *ctx, int *out)
{
	int rc;
	const struct yaml_node *val = get_scalar(r, item, key, optional, ctx, &rc);
	if (val && parse_bool(val->text, out) < 0) {
		struct ld_ctx valctx = *ctx;
		ld_ctx_push(&valctx, "value for", key, ld_node_pos(r->f, val));
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &valctx, "Can't decode YAML scalar value");
		return -1;
	}
	return rc;
}

int ld_decode_u64(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, uint64_t *out)
{
	int rc;
	const struct yaml_node *val = get_scalar(r, item, key, optional, ctx, &rc);
	if (!val)
		return rc;
	const char *t = val->text;
	char *end = NULL;
	errno = 0;
	unsigned long long v = t && *t >= '0' && *t <= '9' ? strtoull(t, &end, 10) : 0;
	if (!end || *end || errno) {
		struct ld_ctx valctx = *ctx;
		ld_ctx_push(&valctx, "value for", key, ld_node_pos(r->f, val));
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &valctx, "Can't decode YAML scalar value");
		return -1;
	}
	*out = v;
	return rc;
}

int ld_decode_seq(struct ld_reader *r, const struct yaml_node *item, const char *key, int optional,
		  const struct ld_ctx *ctx, char ***out, size_t *n)
{
	struct ld_ctx valctx;
	int rc;
	const struct yaml_node *val = get_val(r, item, key, optional, ctx, &valctx, &rc);
	*out = NULL;
	*n = 0;
	if (!val)
		return rc;
	if (val->kind != YAML_SEQ) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &valctx, "Value is not a sequence");
		return -1;
	}
	char **v = ld_xrealloc(NULL, (val->n ? val->n : 1) * sizeof(*v));
	for (size_t i = 0; i < val->n; i++) {
		if (val->kids[i]->kind != YAML_SCALAR) {
			struct ld_ctx ictx = valctx;
			ld_ctx_push(&ictx, "list item", "", ld_node_pos(r->f, val->kids[i]));
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &ictx, "sequence value is not scalar");
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -1;
		}
		v[i] = ld_strdup(val->kids[i]->text);
	}
	*out = v;
	*n = val->n;
	return 0;
}

/* Warn about keys an item kind does not know (Falco 0.44+). */
static void warn_unknown_keys(struct ld_reader *r, const struct yaml_node *item, const char *const *known,
			      const struct ld_ctx *ctx)
{
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct yaml_node *k = item->kids[i];
		int ok = 0;
		for (size_t j = 0; known[j] && !ok; j++)
			ok = k->kind == YAML_SCALAR && !strcmp(k->text, known[j]);
		if (!ok) {
			struct ld_ctx kctx = *ctx;
			ld_ctx_push(&kctx, "key", k->kind == YAML_SCALAR ? k->text : "", ld_node_pos(r->f, k));
			ld_diag(r->l, LOAD_UNKNOWN_KEY, &kctx, "Unknown key '%s'", k->kind == YAML_SCALAR ? k->text : "?");
		}
	}
}

/* Reads `override:` into two bit masks over keys[]. */
int ld_read_overrides(struct ld_reader *r, const struct yaml_node *item, const char *const *keys, unsigned appendable,
		      unsigned replaceable, const struct ld_ctx *ctx, unsigned *app, unsigned *rep)
{
	*app = *rep = 0;
	const struct yaml_node *ov = ld_map_get(item, "override");
	if (!ov)
		return 0;
	struct ld_ctx octx = *ctx;
	ld_ctx_push(&octx, "override", "", ld_node_pos(r->f, ov));
	if (ov->kind != YAML_MAP) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &octx, "Value of override must be a mapping");
		return -1;
	}
	for (size_t i = 0; i + 1 < ov->n; i += 2) {
		const struct yaml_node *k = ov->kids[i], *v = ov->kids[i + 1];
		const char *key = k->kind == YAML_SCALAR ? k->text : "";
		const char *op = v->kind == YAML_SCALAR ? v->text : "";
		int idx = -1;
		for (int j = 0; keys[j]; j++)
			if (!strcmp(keys[j], key))
				idx = j;
		unsigned bit = idx >= 0 ? 1u << idx : 0;
		struct ld_ctx kctx = octx;
		ld_ctx_push(&kctx, "override", key, ld_node_pos(r->f, k));
		if (!strcmp(op, "append")) {
			if (!(appendable & bit)) {
				ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &kctx,
					"Key '%s' cannot be appended to, use 'replace' instead", key);
				return -1;
			}
			*app |= bit;
		} else if (!strcmp(op, "replace")) {
			if (!(replaceable & bit)) {
				ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &kctx, "Key '%s' cannot be replaced", key);
				return -1;
			}
			*rep |= bit;
		} else {
			ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &kctx,
				"Invalid override operation for key '%s': '%s'. Allowed values are: %s%s", key, op,
				(appendable & bit) ? "append " : "", (replaceable & bit) ? "replace " : "");
			return -1;
		}
	}
	return 0;
}

#define WARNING_APPEND                                                                                      \
	"The 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' " \
	"instead."
#define ERROR_OVERRIDE_APPEND                                                                               \
	"Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. "           \
	"'condition: append') under 'override' instead."

static int is_identifier(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

static int is_barestr(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (strchr("()\"'=, \t\r\n\v\f", *s))
			return 0;
	return 1;
}

struct ld_list *ld_find_list(struct rule_loader *l, const char *name)
{
	for (size_t i = 0; i < l->nlists; i++)
		if (!strcmp(l->lists[i].name, name))
			return &l->lists[i];
	return NULL;
}

struct ld_macro *ld_find_macro(struct rule_loader *l, const char *name)
{
	for (size_t i = 0; i < l->nmacros; i++)
		if (!strcmp(l->macros[i].name, name))
			return &l->macros[i];
	return NULL;
}

struct ld_rule *ld_find_rule(struct rule_loader *l, const char *name)
{
	for (size_t i = 0; i < l->nrules; i++)
		if (!strcmp(l->rules[i].name, name))
			return &l->rules[i];
	return NULL;
}

/* Reads name + append flag + overrides common to lists and macros. Returns
 * 1 for append, 0 for a (re)definition, -1 on error. */
static int read_named_header(struct ld_reader *r, const struct yaml_node *item, const char *kind, const char *valkey,
			     const struct ld_ctx *parent, struct ld_ctx *ctx, char **name)
{
	struct ld_ctx tmp = *parent;
	ld_ctx_push(&tmp, kind, "", ld_node_pos(r->f, item));
	if (ld_decode_str(r, item, kind, 0, &tmp, name) < 0)
		return -1;
	*ctx = *parent;
	ld_ctx_push(ctx, kind, *name, ld_node_pos(r->f, item));
	int append = 0;
	if (ld_decode_bool(r, item, "append", 1, ctx, &append) < 0)
		return -1;
	if (append)
		ld_diag(r->l, LOAD_DEPRECATED_ITEM, ctx, WARNING_APPEND);
	const char *keys[] = {valkey, NULL};
	unsigned app, rep;
	if (ld_read_overrides(r, item, keys, 1, 1, ctx, &app, &rep) < 0)
		return -1;
	if (append && (app || rep)) {
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, ctx, ERROR_OVERRIDE_APPEND);
		return -1;
	}
	const char *known[] = {kind, valkey, "append", "override", NULL};
	warn_unknown_keys(r, item, known, ctx);
	return append || app;
}

int ld_read_list(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	struct rule_loader *l = r->l;
	struct ld_ctx ctx;
	char *name = NULL, **items = NULL;
	size_t n = 0;
	int append = read_named_header(r, item, "list", "items", parent, &ctx, &name);
	if (append < 0 || ld_decode_seq(r, item, "items", 0, &ctx, &items, &n) < 0) {
		free(name);
		return -1;
	}
	if (!is_barestr(name))
		ld_diag(l, LOAD_INVALID_LIST_NAME, &ctx,
			"List has an invalid name. List names should match a regular expression: "
			"([^()\"'[:space:]=,]+)");
	struct ld_list *li = ld_find_list(l, name);
	if (append && !li) {
		ld_diag(l, LOAD_ERR_VALIDATE, &ctx,
			"List uses 'append' or 'override.items: append' but no list by that name already exists");
		for (size_t i = 0; i < n; i++)
			free(items[i]);
		free(items);
		free(name);
		return -1;
	}
	if (!li) {
		if (l->nlists == l->caplists) {
			l->caplists = l->caplists ? 2 * l->caplists : 64;
			l->lists = ld_xrealloc(l->lists, l->caplists * sizeof(*l->lists));
		}
		li = &l->lists[l->nlists++];
		memset(li, 0, sizeof(*li));
		li->name = name;
		li->first_seq = ++l->seq;
	} else {
		free(name);
		if (!append) {
			for (size_t i = 0; i < li->n; i++)
				free(li->items[i]);
			li->n = 0;
		}
	}
	li->pos = ctx.loc[ctx.n - 1].pos;
	li->vis_seq = ++l->seq;
	if (li->n + n > li->cap) {
		li->cap = li->n + n + 8;
		li->items = ld_xrealloc(li->items, li->cap * sizeof(*li->items));
	}
	for (size_t i = 0; i < n; i++)
		li->items[li->n++] = items[i];
	free(items);
	return 0;
}

int ld_read_macro(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	struct rule_loader *l = r->l;
	struct ld_ctx ctx;
	char *name = NULL, *cond = NULL;
	int append = read_named_header(r, item, "macro", "condition", parent, &ctx, &name);
	if (append < 0 || ld_decode_str(r, item, "condition", 0, &ctx, &cond) < 0) {
		free(name);
		return -1;
	}
	if (!is_identifier(name))
		ld_diag(l, LOAD_INVALID_MACRO_NAME, &ctx,
			"Macro has an invalid name. Macro names should match a regular expression: "
			"([a-zA-Z]+[a-zA-Z0-9_]*)");
	struct ld_macro *m = ld_find_macro(l, name);
	if (append && !m) {
		ld_diag(l, LOAD_ERR_VALIDATE, &ctx,
			"Macro uses 'append' or 'override.condition: append' but no macro by that name already "
			"exists");
		free(name);
		free(cond);
		return -1;
	}
	if (!m) {
		if (l->nmacros == l->capmacros) {
			l->capmacros = l->capmacros ? 2 * l->capmacros : 64;
			l->macros = ld_xrealloc(l->macros, l->capmacros * sizeof(*l->macros));
		}
		m = &l->macros[l->nmacros++];
		memset(m, 0, sizeof(*m));
		m->name = name;
		m->first_seq = ++l->seq;
	} else {
		free(name);
	}
	if (append) {
		ld_str_append(&m->cond, " ", cond);
		free(cond);
	} else {
		free(m->cond);
		m->cond = cond;
		m->cond_pos = ld_node_pos(r->f, ld_map_get(item, "condition"));
		m->cond_len0 = strlen(m->cond);
	}
	m->pos = ctx.loc[ctx.n - 1].pos;
	m->vis_seq = ++l->seq;
	return 0;
}

static int tag_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends, sorts and drops duplicates in one pass: inserting one tag at a
 * time was quadratic (a rule with 100k tags took 40 s). */
void ld_tags_add(char ***tags, size_t *n, char *const *add, size_t nadd)
{
	if (!nadd)
		return;
	*tags = ld_xrealloc(*tags, (*n + nadd) * sizeof(**tags));
	for (size_t i = 0; i < nadd; i++)
		(*tags)[*n + i] = ld_strdup(add[i]);
	size_t total = *n + nadd, out = 0;
	qsort(*tags, total, sizeof(**tags), tag_cmp);
	for (size_t i = 0; i < total; i++) {
		if (out && !strcmp((*tags)[out - 1], (*tags)[i]))
			free((*tags)[i]);
		else
			(*tags)[out++] = (*tags)[i];
	}
	*n = out;
}
