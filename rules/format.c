/* rules/format.c: output formats: %field tokens (longest match, widths, transformers), text rendering and output_fields JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"
#include "json/json.h"

struct fmt_tok {
	char *lit;            /* literal text before the field */
	size_t litlen;
	int has_field;
	int width;            /* 0 = natural */
	int own_value;        /* unindexed ancestor field: print the process's own value */
	int in_json;          /* plain field (no transformer) */
	struct cc_operand op;
};

struct rule_format {
	struct fmt_tok *toks;
	size_t n;
	size_t *json;         /* indexes of tokens sorted by key, duplicates removed */
	size_t njson;
	int partial;          /* the text began with '*' */
};

static int is_fchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static struct cond_node *fmt_parse_operand(const struct rule_field_registry *reg, const char *s, size_t *used,
					   int depth);

/* The longest prefix of s that names a field (plus a directly following [arg]). */
static struct cond_node *fmt_parse_field(const struct rule_field_registry *reg, const char *s, size_t *used)
{
	size_t run = 0;
	while (is_fchar(s[run]))
		run++;
	for (size_t l = run; l > 0; l--) {
		if (s[l - 1] == '.')
			continue;
		struct cond_node *n = cond_node_new(CN_FIELD, 0);
		if (!n)
			return NULL;
		n->str = strndup(s, l);
		size_t end = l;
		if (l == run && s[l] == '[') {
			const char *close = strchr(s + l + 1, ']');
			if (close && close > s + l + 1) {
				n->arg = strndup(s + l + 1, (size_t)(close - s - l - 1));
				end = (size_t)(close - s) + 1;
			}
		}
		struct cc_operand op;
		int unknown = 0;
		struct cond_error err;
		if (n->str && cc_operand_resolve(&op, reg, n->str, n->arg, 0, &unknown, &err) == 0) {
			cc_operand_fini(&op);
			*used = end;
			return n;
		}
		cond_free(n);
		if (!unknown)
			return NULL;
	}
	return NULL;
}

static struct cond_node *fmt_parse_operand(const struct rule_field_registry *reg, const char *s, size_t *used,
					   int depth)
{
	size_t i = 0;
	while ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))
		i++;
	int tr = s[i] == '(' ? cond_transformer_lookup(s, i) : 0;
	if (!tr || depth > COND_MAX_TRANSFORMS)
		return fmt_parse_field(reg, s, used);
	size_t inner;
	struct cond_node *kid = fmt_parse_operand(reg, s + i + 1, &inner, depth + 1);
	if (!kid || s[i + 1 + inner] != ')') {
		cond_free(kid);
		return NULL;
	}
	struct cond_node *t = cond_node_new(CN_TRANSFORM, 0);
	if (!t || !(t->str = strndup(s, i)) || cond_node_add_kid(t, kid) < 0) {
		cond_free(t);
		cond_free(kid);
		return NULL;
	}
	*used = i + 2 + inner;
	return t;
}

static int fmt_push(struct rule_format *f, const char *lit, size_t litlen)
{
	/* Doubling: the capacity is the next power of two of n. */
	if ((f->n & (f->n - 1)) == 0) {
		struct fmt_tok *nt = realloc(f->toks, (f->n ? 2 * f->n : 1) * sizeof(*nt));
		if (!nt)
			return -1;
		f->toks = nt;
	}
	struct fmt_tok *t = &f->toks[f->n++];
	memset(t, 0, sizeof(*t));
	t->lit = strndup(lit, litlen);
	t->litlen = litlen;
	return t->lit ? 0 : -1;
}

static int fmt_index_json(struct rule_format *f)
{
	f->json = calloc(f->n ? f->n : 1, sizeof(*f->json));
	if (!f->json)
		return -1;
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->toks[i].has_field && f->toks[i].in_json)
			f->json[k++] = i;
	/* insertion sort: formats have a handful of tokens */
	for (size_t i = 1; i < k; i++) {
		size_t x = f->json[i], j = i;
		while (j > 0 && strcmp(f->toks[f->json[j - 1]].op.ref.text, f->toks[x].op.ref.text) > 0) {
			f->json[j] = f->json[j - 1];
			j--;
		}
		f->json[j] = x;
	}
	size_t u = 0;
	for (size_t i = 0; i < k; i++)
		if (u == 0 || strcmp(f->toks[f->json[u - 1]].op.ref.text, f->toks[f->json[i]].op.ref.text) != 0)
			f->json[u++] = f->json[i];
	f->njson = u;
	return 0;
}

struct rule_format *rule_format_compile(const struct rule_field_registry *reg, const char *fmt, char *err,
					size_t errlen)
{
	struct rule_format *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const char *p = fmt;
	/* "allow partial values": always on for rule outputs (Falco adds it);
	 * sysdig -p skips an event with a value missing unless it is given */
	if (*p == '*') {
		f->partial = 1;
		p++;
	}
	const char *lit = p;
	while (*p) {
		if (*p != '%') {
			p++;
			continue;
		}
		const char *tok = p++;
		int width = 0;
		while (*p >= '0' && *p <= '9' && width < 100000)
			width = width * 10 + (*p++ - '0');
		size_t used = 0;
		struct cond_node *n = fmt_parse_operand(reg, p, &used, 0);
		if (!n) {
			size_t l = 0;
			while (tok[l] && tok[l] != ' ' && l < 64)
				l++;
			snprintf(err, errlen, "unknown filter: invalid formatting token %.*s", (int)l, tok);
			rule_format_free(f);
			return NULL;
		}
		if (fmt_push(f, lit, (size_t)(tok - lit)) < 0) {
			cond_free(n);
			goto oom;
		}
		struct fmt_tok *t = &f->toks[f->n - 1];
		struct cond_error cerr;
		int unknown = 0;
		if (cc_operand_from_node(&t->op, n, reg, &unknown, &cerr) < 0) {
			snprintf(err, errlen, "%s", cerr.msg);
			cond_free(n);
			rule_format_free(f);
			return NULL;
		}
		t->has_field = 1;
		t->width = width;
		t->in_json = n->kind == CN_FIELD;
		t->own_value = (t->op.def->flags & RFF_ANY_ANCESTOR) && !t->op.ref.has_arg;
		cond_free(n);
		if ((t->op.def->flags & RFF_FILTER_ONLY) && !t->own_value) {
			snprintf(err, errlen, "field '%s' can only be used in conditions, not in outputs", t->op.ref.text);
			rule_format_free(f);
			return NULL;
		}
		p += used;
		lit = p;
	}
	if (fmt_push(f, lit, (size_t)(p - lit)) < 0 || fmt_index_json(f) < 0)
		goto oom;
	return f;
oom:
	snprintf(err, errlen, "out of memory");
	rule_format_free(f);
	return NULL;
}

void rule_format_free(struct rule_format *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->toks[i].lit);
		if (f->toks[i].has_field)
			cc_operand_fini(&f->toks[i].op);
	}
	free(f->toks);
	free(f->json);
	free(f);
}

/* Extracts a token's value; *list is set for list fields. Returns the count (0 = missing). */
static int tok_get(const struct fmt_tok *t, rule_extract_fn ex, void *ectx, struct rule_value *v,
		   const struct rule_value **list)
{
	struct rule_field_ref ref = t->op.ref;
	if (t->own_value) {
		ref.has_arg = 1;
		ref.arg_index = 0;
	}
	return cc_operand_get(&t->op, &ref, ex, ectx, v, list);
}

static void put_value_text(struct json_buf *o, const struct rule_value *v)
{
	char small[128];
	size_t full = rule_value_to_text(v, small, sizeof(small));
	if (full < sizeof(small)) {
		json_buf_put(o, small, full);
		return;
	}
	/* long strings: write straight from the value */
	if (v->type == RF_BYTEBUF)
		json_buf_put(o, v->v.s, v->len);
	else
		json_buf_put(o, v->v.s, full);
}

/* Returns 1 when the token had no value. */
static int render_token(struct json_buf *o, const struct fmt_tok *t, rule_extract_fn ex, void *ectx)
{
	struct rule_value v;
	const struct rule_value *list;
	int n = tok_get(t, ex, ectx, &v, &list);
	size_t start = o->len;
	if (n <= 0) {
		json_buf_puts(o, "<NA>");
	} else if (list) {
		json_buf_puts(o, "(");
		for (int i = 0; i < n; i++) {
			if (i)
				json_buf_puts(o, ",");
			put_value_text(o, &list[i]);
		}
		json_buf_puts(o, ")");
	} else {
		put_value_text(o, &v);
	}
	if (t->width) {
		size_t w = (size_t)t->width, got = o->len - start;
		if (got > w) {
			o->len = start + w;
			o->buf[o->len] = 0;
		} else {
			for (; got < w; got++)
				json_buf_put(o, " ", 1);
		}
	}
	return n <= 0;
}

size_t rule_format_render_counted(const struct rule_format *f, rule_extract_fn extract, void *ectx, char *buf,
				  size_t cap, size_t *missing)
{
	struct json_buf o;
	size_t nmissing = 0;
	json_buf_init(&o, buf, cap);
	for (size_t i = 0; i < f->n; i++) {
		json_buf_put(&o, f->toks[i].lit, f->toks[i].litlen);
		if (f->toks[i].has_field)
			nmissing += (size_t)render_token(&o, &f->toks[i], extract, ectx);
	}
	if (missing)
		*missing = nmissing;
	return o.len;
}

size_t rule_format_render(const struct rule_format *f, rule_extract_fn extract, void *ectx, char *buf, size_t cap)
{
	return rule_format_render_counted(f, extract, ectx, buf, cap, NULL);
}

size_t rule_format_field_count(const struct rule_format *f)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->toks[i].has_field != 0;
	return n;
}

const char *rule_format_field_name(const struct rule_format *f, size_t i)
{
	for (size_t k = 0; k < f->n; k++)
		if (f->toks[k].has_field && i-- == 0)
			return f->toks[k].op.ref.text;
	return NULL;
}

int rule_format_partial(const struct rule_format *f)
{
	return f->partial;
}

static void put_value_json(struct json_buf *o, const struct rule_value *v)
{
	char small[128];
	switch (v->type) {
	case RF_STRING: case RF_PATH: case RF_EVTTYPE: case RF_BYTEBUF: {
		size_t l = v->v.s ? v->len : 0;
		if (v->type != RF_BYTEBUF && l) {
			const char *nul = memchr(v->v.s, 0, l);
			if (nul)
				l = (size_t)(nul - v->v.s);
		}
		json_buf_string(o, v->v.s ? v->v.s : "", l);
		return;
	}
	case RF_IPADDR: case RF_IPNET: {
		size_t l = rule_value_to_text(v, small, sizeof(small));
		json_buf_string(o, small, l < sizeof(small) ? l : sizeof(small) - 1);
		return;
	}
	default:
		rule_value_to_text(v, small, sizeof(small));
		json_buf_puts(o, small);
	}
}

size_t rule_format_render_json_fields_with(const struct rule_format *f, rule_extract_fn extract, void *ectx,
					   const char *extra_key, const char *extra_json, char *buf, size_t cap)
{
	struct json_buf o;
	json_buf_init(&o, buf, cap);
	json_buf_puts(&o, "{");
	int first = 1, extra_done = extra_key == NULL;
	for (size_t j = 0; j <= f->njson; j++) {
		const struct fmt_tok *t = j < f->njson ? &f->toks[f->json[j]] : NULL;
		int cmp = t && !extra_done ? strcmp(extra_key, t->op.ref.text) : -1;
		if (!extra_done && cmp <= 0) {
			if (!first)
				json_buf_puts(&o, ",");
			json_buf_string(&o, extra_key, strlen(extra_key));
			json_buf_puts(&o, ":");
			json_buf_puts(&o, extra_json);
			first = 0;
			extra_done = 1;
			if (cmp == 0)
				continue;  /* the caller's value wins over a same-named token */
		}
		if (!t)
			break;
		if (!first)
			json_buf_puts(&o, ",");
		first = 0;
		json_buf_string(&o, t->op.ref.text, strlen(t->op.ref.text));
		json_buf_puts(&o, ":");
		struct rule_value v;
		const struct rule_value *list;
		int n = tok_get(t, extract, ectx, &v, &list);
		if (n <= 0) {
			json_buf_puts(&o, "null");
		} else if (list) {
			json_buf_puts(&o, "[");
			for (int i = 0; i < n; i++) {
				if (i)
					json_buf_puts(&o, ",");
				put_value_json(&o, &list[i]);
			}
			json_buf_puts(&o, "]");
		} else {
			put_value_json(&o, &v);
		}
	}
	json_buf_puts(&o, "}");
	return o.len;
}

size_t rule_format_render_json_fields(const struct rule_format *f, rule_extract_fn extract, void *ectx, char *buf,
				      size_t cap)
{
	return rule_format_render_json_fields_with(f, extract, ectx, NULL, NULL, buf, cap);
}
