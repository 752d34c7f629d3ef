/* rules/loader_rules.c: the rule item reader: definitions, enable toggles, legacy append and override append/replace. */
#include "rules/loader_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum {
	K_CONDITION, K_OUTPUT, K_DESC, K_PRIORITY, K_TAGS, K_EXCEPTIONS, K_ENABLED, K_WARN_EVTTYPES,
	K_SKIP_UNKNOWN, K_CAPTURE, K_CAPTURE_DURATION,
};
static const char *const rule_keys[] = {"condition", "output", "desc", "priority", "tags", "exceptions",
					"enabled", "warn_evttypes", "skip-if-unknown-filter", "capture",
					"capture_duration", NULL};
#define APPENDABLE ((1u << K_CONDITION) | (1u << K_OUTPUT) | (1u << K_DESC) | (1u << K_TAGS) | (1u << K_EXCEPTIONS))
#define REPLACEABLE 0x7ffu

static const char *const known_rule_keys[] = {"rule", "condition", "output", "desc", "priority", "source",
					      "enabled", "tags", "exceptions", "warn_evttypes",
					      "skip-if-unknown-filter", "capture", "capture_duration", "append",
					      "override", NULL};

void ld_rule_free(struct ld_rule *r)
{
	free(r->name);
	free(r->cond);
	free(r->output);
	free(r->desc);
	free(r->source);
	for (size_t i = 0; i < r->ntags; i++)
		free(r->tags[i]);
	free(r->tags);
	for (size_t i = 0; i < r->nexc; i++)
		ld_exception_free(&r->exc[i]);
	free(r->exc);
	memset(r, 0, sizeof(*r));
}

static char *trim_dup(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return ld_strndup(s, n);
}

static int read_priority(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx, int *prio)
{
	char *p = NULL;
	if (ld_decode_str(r, item, "priority", 0, ctx, &p) < 0)
		return -1;
	*prio = rule_priority_parse(p);
	free(p);
	if (*prio < 0) {
		struct ld_ctx pctx = *ctx;
		ld_ctx_push(&pctx, "rule priority", "", ld_node_pos(r->f, ld_map_get(item, "priority")));
		ld_diag(r->l, LOAD_ERR_YAML_VALIDATE, &pctx, "Invalid priority");
		return -1;
	}
	return 0;
}

static int read_tags(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx, char ***tags,
		     size_t *ntags)
{
	char **t = NULL;
	size_t n = 0;
	if (ld_decode_seq(r, item, "tags", 1, ctx, &t, &n) < 0)
		return -1;
	ld_tags_add(tags, ntags, t, n);
	for (size_t i = 0; i < n; i++)
		free(t[i]);
	free(t);
	return 0;
}

/* Appends exceptions (rules.md 3.7): values of an existing name are added; new names need fields. */
static int append_exceptions(struct rule_loader *l, struct ld_rule *dst, struct ld_exception *exc, size_t n,
			     const struct ld_ctx *ctx)
{
	for (size_t i = 0; i < n; i++) {
		struct ld_exception *e = &exc[i], *old = NULL;
		struct ld_ctx ectx = *ctx;
		ld_ctx_push(&ectx, "exception", e->name, e->pos);
		for (size_t j = 0; j < dst->nexc && !old; j++)
			if (!strcmp(dst->exc[j].name, e->name))
				old = &dst->exc[j];
		if (old) {
			if (e->has_fields) {
				ld_diag(l, LOAD_ERR_VALIDATE, &ectx,
					"Can not append exception fields to existing exception, only values");
				return -1;
			}
			if (e->has_comps) {
				ld_diag(l, LOAD_ERR_VALIDATE, &ectx,
					"Can not append exception comps to existing exception, only values");
				return -1;
			}
			if (e->nvalues) { /* an append with no values (LOAD_APPEND_NO_VALUES) adds nothing */
				old->values = ld_xrealloc(old->values,
							  (old->nvalues + e->nvalues) * sizeof(*old->values));
				memcpy(old->values + old->nvalues, e->values, e->nvalues * sizeof(*e->values));
				old->nvalues += e->nvalues;
			}
			free(e->values);
			e->values = NULL;
			e->nvalues = 0;
			ld_exception_free(e);
			continue;
		}
		if (!e->has_fields) {
			ld_diag(l, LOAD_ERR_VALIDATE, &ectx, "Rule exception must have fields property with a list of fields");
			return -1;
		}
		if (!e->nvalues) {
			ld_diag(l, LOAD_ERR_VALIDATE, &ectx, "Rule exception must have values property with a list of values");
			return -1;
		}
		dst->exc = ld_xrealloc(dst->exc, (dst->nexc + 1) * sizeof(*dst->exc));
		dst->exc[dst->nexc++] = *e;
		memset(e, 0, sizeof(*e));
	}
	return 0;
}

static void free_exc_array(struct ld_exception *exc, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ld_exception_free(&exc[i]);
	free(exc);
}

static int no_rule(struct rule_loader *l, const struct ld_ctx *ctx, const char *what)
{
	ld_diag(l, LOAD_ERR_VALIDATE, ctx, "Rule uses '%s' but no rule by that name already exists", what);
	return -1;
}

/* override: {key: append|replace} on an existing rule. */
static int read_overrides_apply(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx,
				const char *name, unsigned app, unsigned rep)
{
	struct rule_loader *l = r->l;
	unsigned expected = 0;
	for (int k = 0; rule_keys[k]; k++)
		if (ld_map_get(item, rule_keys[k]))
			expected |= 1u << k;
	for (int pass = 0; pass < 2; pass++) {
		unsigned set = pass == 0 ? app : rep;
		if (!set)
			continue;
		for (int k = 0; rule_keys[k]; k++) {
			if ((set & (1u << k)) && !(expected & (1u << k))) {
				ld_diag(l, LOAD_ERR_YAML_VALIDATE, ctx,
					"An %s override for '%s' was specified but '%s' is not defined",
					pass == 0 ? "append" : "replace", rule_keys[k], rule_keys[k]);
				return -1;
			}
		}
		expected &= ~set;
		struct ld_rule *dst = ld_find_rule(l, name);
		if (!dst)
			return no_rule(l, ctx, pass == 0 ? "append' or 'override.<key>: append"
							 : "override.<key>: replace");
		char *s = NULL;
		if (set & (1u << K_CONDITION)) {
			if (ld_decode_str(r, item, "condition", 0, ctx, &s) < 0)
				return -1;
			if (pass == 0) {
				ld_str_append(&dst->cond, " ", s);
				free(s);
			} else {
				free(dst->cond);
				dst->cond = s;
				dst->cond_pos = ld_node_pos(r->f, ld_map_get(item, "condition"));
				dst->cond_len0 = strlen(dst->cond);
			}
			s = NULL;
		}
		if (set & (1u << K_OUTPUT)) {
			if (ld_decode_str(r, item, "output", 0, ctx, &s) < 0)
				return -1;
			char *t = trim_dup(s);
			free(s);
			s = NULL; /* ld_decode_str frees *out before storing: never leave it dangling */
			if (pass == 0) {
				ld_str_append(&dst->output, " ", t);
				free(t);
			} else {
				free(dst->output);
				dst->output = t;
				dst->out_pos = ld_node_pos(r->f, ld_map_get(item, "output"));
			}
		}
		if (set & (1u << K_DESC)) {
			if (ld_decode_str(r, item, "desc", 0, ctx, &s) < 0)
				return -1;
			if (pass == 0) {
				ld_str_append(&dst->desc, " ", s);
				free(s);
			} else {
				free(dst->desc);
				dst->desc = s;
			}
			s = NULL;
		}
		if (set & (1u << K_TAGS)) {
			if (pass == 1) {
				for (size_t i = 0; i < dst->ntags; i++)
					free(dst->tags[i]);
				dst->ntags = 0;
			}
			if (read_tags(r, item, ctx, &dst->tags, &dst->ntags) < 0)
				return -1;
		}
		if (set & (1u << K_EXCEPTIONS)) {
			struct ld_exception *exc = NULL;
			size_t n = 0;
			if (ld_read_exceptions(r, item, ctx, 1, &exc, &n) < 0)
				return -1;
			if (pass == 1) {
				free_exc_array(dst->exc, dst->nexc);
				dst->exc = NULL;
				dst->nexc = 0;
			}
			int rc = append_exceptions(l, dst, exc, n, ctx);
			free_exc_array(exc, n);
			if (rc < 0)
				return -1;
		}
		if ((set & (1u << K_PRIORITY)) && read_priority(r, item, ctx, &dst->priority) < 0)
			return -1;
		if ((set & (1u << K_ENABLED)) && ld_decode_bool(r, item, "enabled", 0, ctx, &dst->enabled) < 0)
			return -1;
		if ((set & (1u << K_WARN_EVTTYPES)) &&
		    ld_decode_bool(r, item, "warn_evttypes", 0, ctx, &dst->warn_evttypes) < 0)
			return -1;
		if ((set & (1u << K_SKIP_UNKNOWN)) &&
		    ld_decode_bool(r, item, "skip-if-unknown-filter", 0, ctx, &dst->skip_unknown) < 0)
			return -1;
		if ((set & (1u << K_CAPTURE)) && ld_decode_bool(r, item, "capture", 0, ctx, &dst->capture) < 0)
			return -1;
		if ((set & (1u << K_CAPTURE_DURATION)) &&
		    ld_decode_u64(r, item, "capture_duration", 0, ctx, &dst->capture_duration_ms) < 0)
			return -1;
	}
	for (int k = 0; rule_keys[k]; k++) {
		if (expected & (1u << k)) {
			struct ld_ctx kctx = *ctx;
			ld_ctx_push(&kctx, "override", rule_keys[k], ld_node_pos(r->f, ld_map_get(item, rule_keys[k])));
			ld_diag(l, LOAD_ERR_YAML_VALIDATE, &kctx,
				"Unexpected key '%s': no corresponding entry under 'override' is defined.", rule_keys[k]);
			return -1;
		}
	}
	return 0;
}

static int read_legacy_append(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx,
			      const char *name)
{
	struct rule_loader *l = r->l;
	char *cond = NULL;
	struct ld_exception *exc = NULL;
	size_t n = 0;
	int has_exc = ld_map_get(item, "exceptions") != NULL;
	if (ld_map_get(item, "condition") && ld_decode_str(r, item, "condition", 0, ctx, &cond) < 0)
		return -1;
	if (has_exc && ld_read_exceptions(r, item, ctx, 1, &exc, &n) < 0) {
		free(cond);
		return -1;
	}
	int rc = 0;
	struct ld_rule *dst = ld_find_rule(l, name);
	if (!cond && !has_exc) {
		ld_diag(l, LOAD_ERR_VALIDATE, ctx, "Appended rule must have exceptions or condition property");
		rc = -1;
	} else if (!dst) {
		rc = no_rule(l, ctx, "append' or 'override.<key>: append");
	} else {
		if (cond)
			ld_str_append(&dst->cond, " ", cond);
		rc = append_exceptions(l, dst, exc, n, ctx);
	}
	free(cond);
	free_exc_array(exc, n);
	return rc;
}

static int read_definition(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *ctx, char *name)
{
	struct rule_loader *l = r->l;
	struct ld_rule v = {0};
	v.name = name;
	v.enabled = 1;
	v.warn_evttypes = 1;
	v.pos = ctx->loc[ctx->n - 1].pos;
	char *out = NULL;
	if (ld_decode_str(r, item, "condition", 0, ctx, &v.cond) < 0 ||
	    ld_decode_str(r, item, "output", 0, ctx, &out) < 0 ||
	    ld_decode_str(r, item, "desc", 0, ctx, &v.desc) < 0 || read_priority(r, item, ctx, &v.priority) < 0)
		goto fail;
	v.cond_pos = ld_node_pos(r->f, ld_map_get(item, "condition"));
	v.cond_len0 = strlen(v.cond);
	v.out_pos = ld_node_pos(r->f, ld_map_get(item, "output"));
	v.output = trim_dup(out);
	free(out);
	out = NULL;
	v.source = ld_strdup("syscall");
	if (ld_decode_str(r, item, "source", 1, ctx, &v.source) < 0 ||
	    ld_decode_bool(r, item, "enabled", 1, ctx, &v.enabled) < 0 ||
	    ld_decode_bool(r, item, "warn_evttypes", 1, ctx, &v.warn_evttypes) < 0 ||
	    ld_decode_bool(r, item, "skip-if-unknown-filter", 1, ctx, &v.skip_unknown) < 0 ||
	    ld_decode_bool(r, item, "capture", 1, ctx, &v.capture) < 0 ||
	    ld_decode_u64(r, item, "capture_duration", 1, ctx, &v.capture_duration_ms) < 0 ||
	    read_tags(r, item, ctx, &v.tags, &v.ntags) < 0 ||
	    ld_read_exceptions(r, item, ctx, 0, &v.exc, &v.nexc) < 0)
		goto fail;
	struct ld_rule *old = ld_find_rule(l, name);
	if (old) {
		if (strcmp(old->source, v.source)) {
			ld_diag(l, LOAD_ERR_VALIDATE, ctx, "Rule has been re-defined with a different source");
			goto fail;
		}
		ld_rule_free(old);
		*old = v;
		return 0;
	}
	if (l->nrules == l->caprules) {
		l->caprules = l->caprules ? 2 * l->caprules : 64;
		l->rules = ld_xrealloc(l->rules, l->caprules * sizeof(*l->rules));
	}
	l->rules[l->nrules++] = v;
	return 0;
fail:
	free(out);
	ld_rule_free(&v);
	return -1;
}

int ld_read_rule(struct ld_reader *r, const struct yaml_node *item, const struct ld_ctx *parent)
{
	struct rule_loader *l = r->l;
	struct ld_ctx tmp = *parent, ctx = *parent;
	char *name = NULL;
	ld_ctx_push(&tmp, "rule", "", ld_node_pos(r->f, item));
	if (ld_decode_str(r, item, "rule", 0, &tmp, &name) < 0)
		return -1;
	ld_ctx_push(&ctx, "rule", name, ld_node_pos(r->f, item));
	int rc = -1, append = 0;
	unsigned app = 0, rep = 0;
	if (ld_decode_bool(r, item, "append", 1, &ctx, &append) < 0)
		goto out;
	if (append)
		ld_diag(l, LOAD_DEPRECATED_ITEM, &ctx,
			"The 'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under "
			"'override' instead.");
	if (ld_read_overrides(r, item, rule_keys, APPENDABLE, REPLACEABLE, &ctx, &app, &rep) < 0)
		goto out;
	if (append && (app || rep)) {
		ld_diag(l, LOAD_ERR_YAML_VALIDATE, &ctx,
			"Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. "
			"'condition: append') under 'override' instead.");
		goto out;
	}
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct yaml_node *k = item->kids[i];
		int ok = 0;
		for (size_t j = 0; known_rule_keys[j] && !ok; j++)
			ok = k->kind == YAML_SCALAR && !strcmp(k->text, known_rule_keys[j]);
		if (!ok) {
			struct ld_ctx kctx = ctx;
			ld_ctx_push(&kctx, "key", k->kind == YAML_SCALAR ? k->text : "", ld_node_pos(r->f, k));
			ld_diag(l, LOAD_UNKNOWN_KEY, &kctx, "Unknown key '%s'", k->kind == YAML_SCALAR ? k->text : "?");
		}
	}
	if (app || rep) {
		rc = read_overrides_apply(r, item, &ctx, name, app, rep);
	} else if (append) {
		rc = read_legacy_append(r, item, &ctx, name);
	} else if (!ld_map_get(item, "condition") && !ld_map_get(item, "output") && !ld_map_get(item, "desc") &&
		   !ld_map_get(item, "priority")) {
		int en = 1;
		if (ld_decode_bool(r, item, "enabled", 0, &ctx, &en) < 0)
			goto out;
		ld_diag(l, LOAD_DEPRECATED_ITEM, &ctx,
			"The standalone 'enabled' key usage is deprecated. The correct approach requires also a "
			"'replace' entry under the 'override' key (i.e. 'enabled: replace').");
		struct ld_rule *dst = ld_find_rule(l, name);
		if (!dst) {
			ld_diag(l, LOAD_ERR_VALIDATE, &ctx, "Rule has 'enabled' key but no rule by that name already exists");
			goto out;
		}
		dst->enabled = en;
		rc = 0;
	} else {
		rc = read_definition(r, item, &ctx, name);
		name = NULL; /* owned by the rule (or freed) */
	}
out:
	free(name);
	return rc;
}
