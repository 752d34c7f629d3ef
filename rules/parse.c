/* rules/parse.c: recursive-descent parser of conditions (rules.md 1.3) into the AST, with Falco's error wording. */
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"
#include "rules/lex.h"

#define TRANSFORMER_LIST "'val', 'tolower', 'toupper', 'b64', 'basename', 'len'"
#define OPERATOR_LIST                                                                                  \
	"'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', "  \
	"'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'"

static const struct { const char *lit; uint8_t op; } num_ops[] = {
	{"<=", OP_LE}, {"<", OP_LT}, {">=", OP_GE}, {">", OP_GT},
};
/* Word operators carry their mandatory trailing blank, as upstream does. */
static const struct { const char *lit; uint8_t op; } str_ops[] = {
	{"==", OP_EQ}, {"=", OP_EQ}, {"!=", OP_NE}, {"glob ", OP_GLOB}, {"iglob ", OP_IGLOB},
	{"contains ", OP_CONTAINS}, {"icontains ", OP_ICONTAINS}, {"bcontains ", OP_BCONTAINS},
	{"startswith ", OP_STARTSWITH}, {"bstartswith ", OP_BSTARTSWITH}, {"endswith ", OP_ENDSWITH},
	{"regex ", OP_REGEX},
};
static const struct { const char *lit; uint8_t op; } list_ops[] = {
	{"intersects", OP_INTERSECTS}, {"in", OP_IN}, {"pmatch", OP_PMATCH},
};
static const char *const transformers[] = {"tolower(", "toupper(", "b64(", "basename(", "len("};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct cond_node *cond_node_new(int kind, int pos)
{
	struct cond_node *n = calloc(1, sizeof(*n));
	if (n) {
		n->kind = (uint8_t)kind;
		n->pos = pos;
	}
	return n;
}

/* Arrays grown one item at a time double when full: their capacity is the
 * next power of two, so n alone says when (a 100k-item list or a 50k-term
 * "or" would otherwise be copied on every push: quadratic). */
static int needs_growth(size_t n)
{
	return (n & (n - 1)) == 0;
}

int cond_node_add_kid(struct cond_node *n, struct cond_node *kid)
{
	if (needs_growth(n->nkids)) {
		struct cond_node **k = realloc(n->kids, (n->nkids ? 2 * n->nkids : 1) * sizeof(*k));
		if (!k)
			return -1;
		n->kids = k;
	}
	n->kids[n->nkids++] = kid;
	return 0;
}

void cond_free(struct cond_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		cond_free(n->kids[i]);
	for (size_t i = 0; i < n->nitems; i++)
		free(n->items[i]);
	free(n->items);
	free(n->itemlens);
	free(n->kids);
	free(n->str);
	free(n->arg);
	free(n);
}

/* Depth guard: every production counts, as upstream's. */
static int enter(struct lexer *lx)
{
	if (lx->failed)
		return 0;
	if (++lx->depth >= lx->max_depth) {
		lex_fail(lx, "exceeded max depth limit of %d", lx->max_depth);
		return 0;
	}
	return 1;
}

static struct cond_node *leave(struct lexer *lx, struct cond_node *n)
{
	lx->depth--;
	if (lx->failed && n) {
		cond_free(n);
		return NULL;
	}
	return n;
}

static struct cond_node *mk(struct lexer *lx, int kind, int pos, const char *str, size_t len)
{
	struct cond_node *n = cond_node_new(kind, pos);
	if (!n) {
		lex_fail(lx, "out of memory");
		return NULL;
	}
	if (str) {
		n->str = malloc(len + 1);
		if (!n->str) {
			free(n);
			lex_fail(lx, "out of memory");
			return NULL;
		}
		memcpy(n->str, str, len);
		n->str[len] = 0;
		n->len = len;
	}
	return n;
}

/* Attaches kid to n; frees both on failure. */
static struct cond_node *attach(struct lexer *lx, struct cond_node *n, struct cond_node *kid)
{
	if (!n || !kid || cond_node_add_kid(n, kid) < 0) {
		if (n && kid)
			lex_fail(lx, "out of memory");
		cond_free(n);
		cond_free(kid);
		return NULL;
	}
	return n;
}

static struct cond_node *parse_or(struct lexer *lx);

static struct cond_node *parse_embedded(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	struct cond_node *c = parse_or(lx);
	if (c) {
		lex_blank(lx);
		if (!lex_str(lx, ")"))
			lex_fail(lx, "expected a ')' token");
	}
	return leave(lx, c);
}

static struct cond_node *parse_nary(struct lexer *lx, int kind);

static struct cond_node *parse_and(struct lexer *lx)
{
	return parse_nary(lx, CN_AND);
}

static struct cond_node *parse_not(struct lexer *lx);

/* or_expr / and_expr: n-ary; the keyword must be followed by a blank or '('. */
static struct cond_node *parse_nary(struct lexer *lx, int kind)
{
	if (!enter(lx))
		return NULL;
	const char *kw = kind == CN_OR ? "or" : "and";
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *first = kind == CN_OR ? parse_and(lx) : parse_not(lx);
	if (!first)
		return leave(lx, NULL);
	struct cond_node *n = NULL;
	lex_blank(lx);
	while (!lx->failed && lex_str(lx, kw)) {
		struct cond_node *child = NULL;
		if (!lex_blank(lx)) {
			if (lex_str(lx, "("))
				child = parse_embedded(lx);
			else
				lex_fail(lx, "expected blank or '(' after '%s'", kw);
		} else {
			child = kind == CN_OR ? parse_and(lx) : parse_not(lx);
		}
		if (!child)
			break;
		if (!n) {
			n = attach(lx, mk(lx, kind, pos, NULL, 0), first);
			first = NULL;
			if (!n) {
				cond_free(child);
				break;
			}
		}
		if (!attach(lx, n, child)) {
			n = NULL;
			break;
		}
		lex_blank(lx);
	}
	if (lx->failed) {
		cond_free(n);
		cond_free(first);
		return leave(lx, NULL);
	}
	return leave(lx, n ? n : first);
}

static struct cond_node *parse_check(struct lexer *lx);

static struct cond_node *parse_not(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	int neg = 0;
	while (lex_not_blank(lx))
		neg = !neg;
	struct cond_node *c;
	if (lex_str(lx, "not(")) {
		neg = !neg;
		c = parse_embedded(lx);
	} else {
		c = parse_check(lx);
	}
	if (c && neg)
		c = attach(lx, mk(lx, CN_NOT, pos, NULL, 0), c);
	return leave(lx, c);
}

static struct cond_node *parse_field_rest(struct lexer *lx, int pos)
{
	if (!enter(lx))
		return NULL;
	struct cond_node *f = mk(lx, CN_FIELD, pos, lx->last, lx->lastlen);
	if (f && lex_str(lx, "[")) {
		int q = lex_quoted(lx);
		if (q == 0 && !lex_field_arg_bare(lx))
			lex_fail(lx, "expected a valid field argument: a quoted string or a bare string");
		if (!lx->failed) {
			f->arg = strdup(lx->last);
			if (!f->arg)
				lex_fail(lx, "out of memory");
			else if (!lex_str(lx, "]"))
				lex_fail(lx, "expected a ']' token");
		}
	}
	return leave(lx, f);
}

static int lex_transformer(struct lexer *lx)
{
	for (size_t i = 0; i < ARRAY_LEN(transformers); i++)
		if (lex_str(lx, transformers[i]))
			return 1;
	return 0;
}

/* After "name(": a nested transformer or a field, then ')'. */
static struct cond_node *parse_transformer_rest(struct lexer *lx, int pos)
{
	if (!enter(lx))
		return NULL;
	struct cond_node *t = mk(lx, CN_TRANSFORM, pos, lx->last, lx->lastlen - 1);
	lex_blank(lx);
	int apos = (int)lx->pos;
	struct cond_node *child = NULL;
	if (t && lex_transformer(lx)) {
		lex_blank(lx);
		child = parse_transformer_rest(lx, apos);
	}
	if (t && !child && !lx->failed && lex_field_name(lx))
		child = parse_field_rest(lx, apos);
	if (t && !child && !lx->failed)
		lex_fail(lx, "expected a field or a nested valid transformer: " TRANSFORMER_LIST);
	t = attach(lx, t, child);
	if (t) {
		lex_blank(lx);
		if (!lex_str(lx, ")"))
			lex_fail(lx, "expected a ')' token closing the transformer");
	}
	return leave(lx, t);
}

/* NULL without an error when neither val() nor a transformer is next. */
static struct cond_node *try_transformer_or_val(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *r = NULL;
	if (lex_str(lx, "val(")) {
		lex_blank(lx);
		r = mk(lx, CN_TRANSFORM, pos, "val", 3);
		int fpos = (int)lx->pos;
		if (r && !lex_field_name(lx)) {
			lex_fail(lx, "expected a field within 'val' transformer");
		} else if (r) {
			r = attach(lx, r, parse_field_rest(lx, fpos));
			if (r) {
				lex_blank(lx);
				if (!lex_str(lx, ")"))
					lex_fail(lx, "expected a ')' token closing the transformer");
			}
		}
	} else if (lex_transformer(lx)) {
		lex_blank(lx);
		r = parse_transformer_rest(lx, pos);
	}
	return leave(lx, r);
}

static struct cond_node *parse_num_value(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *r = try_transformer_or_val(lx);
	if (!r && !lx->failed) {
		if (lex_hex_num(lx) || lex_num(lx))
			r = mk(lx, CN_VALUE, pos, lx->last, lx->lastlen);
		else
			lex_fail(lx, "expected a number value or a field with a valid transformer: " TRANSFORMER_LIST);
	}
	return leave(lx, r);
}

/* A quoted or bare string; with allow_tr, also val()/transformers. */
static struct cond_node *parse_str_value(struct lexer *lx, int allow_tr, int quiet)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *r = allow_tr ? try_transformer_or_val(lx) : NULL;
	if (!r && !lx->failed) {
		int q = lex_quoted(lx);
		if (q > 0 || (q == 0 && lex_bare_str(lx)))
			r = mk(lx, CN_VALUE, pos, lx->last, lx->lastlen);
		else if (q == 0 && !quiet)
			lex_fail(lx, allow_tr ? "expected a string value or a field with a valid transformer: " TRANSFORMER_LIST
					      : "expected a string value");
	}
	return leave(lx, r);
}

static int list_push(struct lexer *lx, struct cond_node *l, const char *s, size_t len)
{
	char **ni = l->items;
	size_t *nl = l->itemlens;
	if (needs_growth(l->nitems)) {
		size_t cap = l->nitems ? 2 * l->nitems : 1;
		if ((ni = realloc(l->items, cap * sizeof(*ni))) != NULL)
			l->items = ni;
		if ((nl = realloc(l->itemlens, cap * sizeof(*nl))) != NULL)
			l->itemlens = nl;
	}
	char *c = malloc(len + 1);
	if (!ni || !nl || !c) {
		free(c);
		return lex_fail(lx, "out of memory");
	}
	memcpy(c, s, len);
	c[len] = 0;
	l->items[l->nitems] = c;
	l->itemlens[l->nitems++] = len;
	return 1;
}

static struct cond_node *parse_list_value(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *r = NULL;
	if (lex_str(lx, "(")) {
		r = mk(lx, CN_LIST, pos, NULL, 0);
		lex_blank(lx);
		struct cond_node *v = r ? parse_str_value(lx, 0, 1) : NULL;
		if (v) {
			list_push(lx, r, v->str, v->len);
			cond_free(v);
			lex_blank(lx);
			while (!lx->failed && lex_str(lx, ",")) {
				v = parse_str_value(lx, 0, 0);
				if (!v)
					break;
				list_push(lx, r, v->str, v->len);
				cond_free(v);
				lex_blank(lx);
			}
		}
		if (!lx->failed && !lex_str(lx, ")"))
			lex_fail(lx, "expected a ')' token");
		return leave(lx, r);
	}
	r = try_transformer_or_val(lx);
	if (!r && !lx->failed) {
		if (lex_identifier(lx))
			r = mk(lx, CN_VALUE, pos, lx->last, lx->lastlen);
		else
			lex_fail(lx, "expected a list, an identifier, or a field with a valid transformer: " TRANSFORMER_LIST);
	}
	return leave(lx, r);
}

/* anyof/allof/oneof must be followed by a blank or '(' (0.44+). */
static int lex_modifier(struct lexer *lx)
{
	static const char *const mods[] = {"anyof", "allof", "oneof"};
	for (size_t i = 0; i < ARRAY_LEN(mods); i++) {
		size_t l = strlen(mods[i]);
		const char *p = lx->s + lx->pos;
		if (lx->n - lx->pos > l && memcmp(p, mods[i], l) == 0 &&
		    (p[l] == '(' || p[l] == ' ' || p[l] == '\t' || p[l] == '\r' || p[l] == '\n' || p[l] == '\b')) {
			lex_str(lx, mods[i]);
			return (int)i + MOD_ANYOF;
		}
	}
	return 0;
}

static struct cond_node *parse_condition(struct lexer *lx, struct cond_node *left, int pos)
{
	if (!enter(lx)) {
		cond_free(left);
		return NULL;
	}
	lex_blank(lx);
	struct cond_node *n = NULL;
	if (lex_str(lx, "exists")) {
		n = mk(lx, CN_UNARY, pos, NULL, 0);
		if (n)
			n->op = OP_EXISTS;
		return leave(lx, attach(lx, n, left));
	}
	uint8_t op = 0;
	struct cond_node *right = NULL;
	int mod = 0;
	for (size_t i = 0; !op && i < ARRAY_LEN(num_ops); i++)
		if (lex_str(lx, num_ops[i].lit))
			op = num_ops[i].op;
	if (op) {
		lex_blank(lx);
		right = parse_num_value(lx);
	}
	for (size_t i = 0; !op && i < ARRAY_LEN(str_ops); i++)
		if (lex_str(lx, str_ops[i].lit))
			op = str_ops[i].op;
	if (op && !right && !lx->failed) {
		lex_blank(lx);
		mod = lex_modifier(lx);
		right = mod ? parse_list_value(lx) : parse_str_value(lx, 1, 0);
	}
	for (size_t i = 0; !op && i < ARRAY_LEN(list_ops); i++)
		if (lex_str(lx, list_ops[i].lit)) {
			op = list_ops[i].op;
			right = parse_list_value(lx);
		}
	if (!op)
		lex_fail(lx, "expected a valid check operator: one of " OPERATOR_LIST);
	if (!right) {
		cond_free(left);
		return leave(lx, NULL);
	}
	n = mk(lx, CN_BINARY, pos, NULL, 0);
	if (n) {
		n->op = op;
		n->mod = (uint8_t)mod;
	}
	n = attach(lx, n, left);
	if (!n) {
		cond_free(right);
		return leave(lx, NULL);
	}
	return leave(lx, attach(lx, n, right));
}

static struct cond_node *parse_check(struct lexer *lx)
{
	if (!enter(lx))
		return NULL;
	lex_blank(lx);
	int pos = (int)lx->pos;
	struct cond_node *r = NULL;
	if (lex_str(lx, "(")) {
		r = parse_embedded(lx);
	} else if (lex_field_name(lx)) {
		struct cond_node *f = parse_field_rest(lx, pos);
		if (f)
			r = parse_condition(lx, f, pos);
	} else if (lex_transformer(lx)) {
		lex_blank(lx);
		struct cond_node *t = parse_transformer_rest(lx, pos);
		if (t)
			r = parse_condition(lx, t, pos);
	} else if (lex_identifier(lx)) {
		r = mk(lx, CN_MACRO, pos, lx->last, lx->lastlen);
	} else {
		lex_fail(lx, "expected a '(' token, a field check, or an identifier");
	}
	return leave(lx, r);
}

static struct cond_node *parse_or(struct lexer *lx)
{
	return parse_nary(lx, CN_OR);
}

struct cond_node *cond_parse(const char *text, int max_depth, struct cond_error *err)
{
	struct lexer lx;
	lex_init(&lx, text ? text : "", max_depth > 0 ? max_depth : 1000, err);
	if (lx.n == 0) {
		lex_fail(&lx, "filter input string is empty");
		return NULL;
	}
	struct cond_node *n = parse_or(&lx);
	if (n && lx.pos != lx.n) {
		/* the last token may hold a NUL (\x00): print up to it */
		lex_fail(&lx, "unexpected token after '%s', expecting 'or', 'and'", lx.last ? lx.last : "");
		cond_free(n);
		n = NULL;
	}
	if (!n && !lx.failed)
		lex_fail(&lx, "out of memory");
	lex_fini(&lx);
	return n;
}

const char *cond_op_name(int op)
{
	static const char *const names[] = {
		[OP_EXISTS] = "exists", [OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<", [OP_LE] = "<=",
		[OP_GT] = ">", [OP_GE] = ">=", [OP_CONTAINS] = "contains", [OP_ICONTAINS] = "icontains",
		[OP_BCONTAINS] = "bcontains", [OP_STARTSWITH] = "startswith", [OP_BSTARTSWITH] = "bstartswith",
		[OP_ENDSWITH] = "endswith", [OP_GLOB] = "glob", [OP_IGLOB] = "iglob", [OP_REGEX] = "regex",
		[OP_IN] = "in", [OP_INTERSECTS] = "intersects", [OP_PMATCH] = "pmatch",
	};
	return op > 0 && (size_t)op < ARRAY_LEN(names) ? names[op] : "?";
}
