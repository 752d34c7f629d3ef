/* rules/compile.c: compiles an expanded AST against a field registry: type/operator checks, constant conversion, sets, warnings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

struct cctx {
	const struct rule_field_registry *reg;
	struct cond_warnings *warn;
	int *unknown;
	struct cond_error *err;
	int legacy_list_ops;
};

static int fail(struct cctx *cx, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct cctx *cx, int pos, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cx->err->msg, sizeof(cx->err->msg), fmt, ap);
	va_end(ap);
	cx->err->offset = pos;
	return -1;
}

static void warn(struct cctx *cx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(struct cctx *cx, int code, const char *fmt, ...)
{
	struct cond_warnings *w = cx->warn;
	if (!w || w->n >= COND_MAX_WARNINGS)
		return;
	for (int i = 0; i < w->n; i++)
		if (w->code[i] == code)
			return;  /* one of each kind per condition is enough */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n], sizeof(w->msg[0]), fmt, ap);
	va_end(ap);
	w->code[w->n++] = code;
}

static const char *type_name(int t)
{
	static const char *const names[] = {
		"", "string", "path", "int64", "int32", "int16", "uint64", "uint32", "uint16", "port",
		"reltime", "abstime", "bool", "double", "ipaddr", "ipnet", "bytebuf", "string",
	};
	return t > 0 && (size_t)t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static int op_allowed(int cls, int is_list, int op)
{
	if (op == OP_EXISTS)
		return 1;
	if (is_list)
		return op == OP_IN || op == OP_INTERSECTS;
	switch (cls) {
	case CLS_STRING:
		return op != OP_BCONTAINS && op != OP_BSTARTSWITH;
	case CLS_BYTES:
		return op == OP_EQ || op == OP_NE || op == OP_CONTAINS || op == OP_BCONTAINS || op == OP_STARTSWITH ||
		       op == OP_BSTARTSWITH || op == OP_ENDSWITH || op == OP_IN || op == OP_INTERSECTS;
	case CLS_SIGNED: case CLS_UNSIGNED: case CLS_DOUBLE:
		return op == OP_EQ || op == OP_NE || op == OP_LT || op == OP_LE || op == OP_GT || op == OP_GE ||
		       op == OP_IN || op == OP_INTERSECTS;
	default: /* bool, ip, ipnet */
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS;
	}
}

/* A constant that is itself a valid field name (or a transformer call) is
 * almost always a mistake: the user meant val(). */
static void check_field_like(struct cctx *cx, const char *s)
{
	size_t i = 0;
	while (s[i] && s[i] != '(' && s[i] != '[')
		i++;
	if (s[i] == '(' && cond_transformer_lookup(s, i)) {
		warn(cx, LOAD_COMPILE_CONDITION, "string '%s' may be a valid field transformer wrongly interpreted as a string value", s);
		return;
	}
	if (!strchr(s, '.') || strlen(s) > 256)
		return;
	char name[260];
	snprintf(name, sizeof(name), "%.*s", (int)i, s);
	for (size_t k = 0; k < cx->reg->ndefs; k++) {
		const struct rule_field_def *d = &cx->reg->defs[k];
		if (!rule_registry_has(cx->reg, d))
			continue;
		size_t l = strlen(d->name);
		if (strcmp(d->name, name) == 0 ||
		    ((d->flags & RFF_ARG_DOTTED) && strncmp(d->name, name, l) == 0 && name[l] == '.')) {
			warn(cx, LOAD_COMPILE_CONDITION, "string '%s' may be a valid field wrongly interpreted as a string value", s);
			return;
		}
	}
}

/* Converts one constant to the LHS type (rules.md 2.4). */
static int conv_const(struct cctx *cx, const struct cc_check *c, int pos, const char *s, size_t len,
		      struct rule_value *out, struct cc_cidr *net)
{
	memset(out, 0, sizeof(*out));
	int t = c->lhs.type;
	out->type = (uint8_t)t;
	int64_t n;
	switch (c->cls) {
	case CLS_STRING: {
		const char *nul = memchr(s, 0, len);
		if (nul)
			len = (size_t)(nul - s);  /* strings compare up to the first NUL */
		char *d = malloc(len + 1);
		if (!d)
			return fail(cx, pos, "out of memory");
		memcpy(d, s, len);
		d[len] = 0;
		out->v.s = d;
		out->len = (uint32_t)len;
		out->nul_free = 1; /* cut at the first NUL above */
		return 0;
	}
	case CLS_BYTES:
		if (c->op == OP_BCONTAINS || c->op == OP_BSTARTSWITH) {
			uint8_t *b;
			size_t bl;
			if (cond_parse_hex(s, len, &b, &bl) < 0)
				return fail(cx, pos, "%s: '%s' is not a valid hex string (even length, no 0x)",
					    cond_op_name(c->op), s);
			out->v.s = (const char *)b;
			out->len = (uint32_t)bl;
		} else {
			char *d = malloc(len + 1);
			if (!d)
				return fail(cx, pos, "out of memory");
			memcpy(d, s, len);
			out->v.s = d;
			out->len = (uint32_t)len;
		}
		return 0;
	case CLS_SIGNED:
	case CLS_UNSIGNED:
	case CLS_DOUBLE:
		if (cond_parse_decimal(s, &n) < 0) {
			uint16_t port;
			if (t == RF_PORT && cond_port_lookup(s, &port) == 0)
				n = port;
			else
				return fail(cx, pos, "'%s' is not a valid number", s);
		}
		switch (t) {
		case RF_INT32: out->v.i = (int32_t)n; break;
		case RF_INT16: out->v.i = (int16_t)n; break;
		case RF_UINT32: out->v.u = (uint32_t)n; break;
		case RF_UINT16: case RF_PORT: out->v.u = (uint16_t)n; break;
		case RF_DOUBLE: out->v.d = (double)n; break;
		default: out->v.i = n; break;
		}
		return 0;
	case CLS_BOOL:
		if (strcmp(s, "true") == 0)
			out->v.i = 1;
		else if (strcmp(s, "false") == 0)
			out->v.i = 0;
		else
			return fail(cx, pos, "'%s' is not a valid boolean value: expected true or false", s);
		return 0;
	case CLS_IP:
		if (cond_parse_ip(s, out->v.ip, &out->ipv6) < 0)
			return fail(cx, pos, "'%s' is not a valid IP address", s);
		return 0;
	case CLS_IPNET:
		if (cond_parse_cidr(s, net) < 0)
			return fail(cx, pos, "'%s' is not a valid IP network (expected address/prefix)", s);
		return 0;
	}
	return fail(cx, pos, "unsupported field type");
}


static int build_list(struct cctx *cx, struct cc_check *c, int pos, char **items, size_t *lens, size_t n)
{
	if (c->op == OP_PMATCH) {
		c->trie = pmatch_trie_new();
		if (!c->trie)
			return fail(cx, pos, "out of memory");
		for (size_t i = 0; i < n; i++)
			if (pmatch_trie_add(c->trie, items[i], lens[i]) < 0)
				return fail(cx, pos, "out of memory");
		return 0;
	}
	if (c->mod) {
		c->items = calloc(n ? n : 1, sizeof(*c->items));
		if (!c->items)
			return fail(cx, pos, "out of memory");
		for (size_t i = 0; i < n; i++) {
			if (conv_const(cx, c, pos, items[i], lens[i], &c->items[i], &c->net) < 0)
				return -1;
			c->nitems = i + 1;
		}
		return 0;
	}
	if (c->cls == CLS_IPNET) {
		c->nets = calloc(n ? n : 1, sizeof(*c->nets));
		if (!c->nets)
			return fail(cx, pos, "out of memory");
		for (size_t i = 0; i < n; i++) {
			struct rule_value v;
			if (conv_const(cx, c, pos, items[i], lens[i], &v, &c->nets[i]) < 0)
				return -1;
			c->nnets = i + 1;
		}
		return 0;
	}
	c->set = strset_new(n);
	if (!c->set)
		return fail(cx, pos, "out of memory");
	for (size_t i = 0; i < n; i++) {
		struct rule_value v;
		struct cc_cidr dummy;
		if (conv_const(cx, c, pos, items[i], lens[i], &v, &dummy) < 0)
			return -1;
		uint8_t key[24];
		const char *ptr;
		size_t kl = cc_set_key(c->cls, &v, key, &ptr);
		int r = strset_add(c->set, ptr, kl);
		if (c->cls == CLS_STRING || c->cls == CLS_BYTES)
			free((char *)v.v.s);
		if (r < 0)
			return fail(cx, pos, "out of memory");
	}
	return 0;
}

static void check_free(struct cc_check *c)
{
	if (!c)
		return;
	int str = c->cls == CLS_STRING || c->cls == CLS_BYTES;
	if (str)
		free((char *)c->k.v.s);
	for (size_t i = 0; str && i < c->nitems; i++)
		free((char *)c->items[i].v.s);
	free(c->items);
	cc_operand_fini(&c->lhs);
	if (c->rhs) {
		cc_operand_fini(c->rhs);
		free(c->rhs);
	}
	strset_free(c->set);
	free(c->nets);
	pmatch_trie_free(c->trie);
	if (c->has_re)
		regfree(&c->re);
	free(c);
}

void cc_node_free(struct cc_node *n)
{
	if (!n)
		return;
	for (uint32_t i = 0; i < n->nkids; i++)
		cc_node_free(n->kids[i]);
	free(n->kids);
	check_free(n->chk);
	free(n->bitmap);
	free(n);
}

static int is_evttype_field(const struct cc_operand *op)
{
	return op->def->type == RF_EVTTYPE && op->ntr == 0;
}

/* Validates evt.type names; fills bitmap when given. */
static int evttype_names(struct cctx *cx, int pos, char **items, size_t *lens, size_t n, uint8_t *bitmap)
{
	if (!cx->reg->evttype_lookup)
		return 0;
	for (size_t i = 0; i < n; i++) {
		uint16_t ids[256];
		size_t k = strlen(items[i]) == lens[i] ? cx->reg->evttype_lookup(items[i], ids, 256) : 0;
		if (k == 0) {
			if (cx->unknown)
				*cx->unknown = 1;
			return fail(cx, pos, "unknown event type %s", items[i]);
		}
		for (size_t j = 0; bitmap && j < k && j < 256; j++)
			if (ids[j] < cx->reg->n_evttypes)
				bitmap[ids[j]] = 1;
	}
	return 0;
}

static int compile_regex(struct cctx *cx, struct cc_check *c, int pos, const char *pat)
{
	/* Decision: POSIX <regex.h> ERE rather than PCRE2: upstream uses RE2 in POSIX
	 * (egrep) syntax, which ERE matches, and it adds no dependency. Anchored at
	 * both ends by wrapping; evaluation uses REG_STARTEND so no copy is made. */
	size_t l = strlen(pat);
	char *full = malloc(l + 5);
	if (!full)
		return fail(cx, pos, "out of memory");
	snprintf(full, l + 5, "^(%s)$", pat);
	int r = regcomp(&c->re, full, REG_EXTENDED | REG_NOSUB);
	free(full);
	if (r != 0) {
		char msg[128];
		regerror(r, &c->re, msg, sizeof(msg));
		return fail(cx, pos, "invalid regex '%s': %s", pat, msg);
	}
	c->has_re = 1;
	return 0;
}

static struct cc_node *node_new(struct cctx *cx, int kind, int pos)
{
	struct cc_node *n = calloc(1, sizeof(*n));
	if (!n)
		fail(cx, pos, "out of memory");
	else
		n->kind = (uint8_t)kind;
	return n;
}

/* evt.type = / != / in with constants: a bitmap test of the evttype argument. */
static struct cc_node *compile_evttype(struct cctx *cx, const struct cond_node *a, int op, char **items,
				       size_t *lens, size_t n)
{
	struct cc_node *nd = node_new(cx, CC_EVTTYPE, a->pos);
	if (!nd)
		return NULL;
	nd->nbits = cx->reg->n_evttypes;
	nd->bitmap = calloc(nd->nbits ? nd->nbits : 1, 1);
	nd->negate = op == OP_NE;
	if (!nd->bitmap) {
		fail(cx, a->pos, "out of memory");
		cc_node_free(nd);
		return NULL;
	}
	if (evttype_names(cx, a->kids[1]->pos, items, lens, n, nd->bitmap) < 0) {
		cc_node_free(nd);
		return NULL;
	}
	return nd;
}

/* Whether some name is a syscall that only the generic event carries. */
static int any_generic(const struct rule_field_registry *reg, char **items, size_t n)
{
	for (size_t i = 0; reg->evttype_generic && i < n; i++)
		if (reg->evttype_generic(items[i]))
			return 1;
	return 0;
}

static struct cc_node *compile_check(struct cctx *cx, const struct cond_node *a)
{
	struct cc_check *c = calloc(1, sizeof(*c));
	if (!c) {
		fail(cx, a->pos, "out of memory");
		return NULL;
	}
	c->op = a->op;
	c->mod = a->mod;
	if (cc_operand_from_node(&c->lhs, a->kids[0], cx->reg, cx->unknown, cx->err) < 0) {
		free(c);
		return NULL;
	}
	const struct rule_field_def *def = c->lhs.def;
	c->cls = (uint8_t)cc_class_of(c->lhs.type);
	c->any_ancestor = (def->flags & RFF_ANY_ANCESTOR) && !c->lhs.ref.has_arg;
	if (def->flags & RFF_DEPRECATED)
		warn(cx, LOAD_DEPRECATED_ITEM, "field '%s' is deprecated", c->lhs.ref.text);
	if (!op_allowed(c->cls, c->lhs.is_list, c->op)) {
		if (!(cx->legacy_list_ops && c->lhs.is_list && op_allowed(c->cls, 0, c->op))) {
			fail(cx, a->pos, "operator '%s' not supported by field '%s' of type %s%s", cond_op_name(c->op),
			     c->lhs.ref.text, type_name(c->lhs.type), c->lhs.is_list ? " (list)" : "");
			goto err;
		}
		warn(cx, LOAD_COMPILE_CONDITION,
		     "operator '%s' on list field '%s' (legacy_list_operators): true when an element matches; "
		     "Falco 0.38+ refuses it", cond_op_name(c->op), c->lhs.ref.text);
		c->per_element = 1;
	}
	struct cc_node *nd = NULL;
	if (a->kind == CN_UNARY)
		goto done;
	const struct cond_node *r = a->kids[1];
	if (r->kind == CN_TRANSFORM) {
		if (c->mod || c->op == OP_PMATCH || c->op == OP_REGEX || c->cls == CLS_IPNET) {
			fail(cx, r->pos, "operator '%s' does not support field-to-field comparison", cond_op_name(c->op));
			goto err;
		}
		c->rhs = calloc(1, sizeof(*c->rhs));
		if (!c->rhs) {
			fail(cx, r->pos, "out of memory");
			goto err;
		}
		if (cc_operand_from_node(c->rhs, r, cx->reg, cx->unknown, cx->err) < 0) {
			free(c->rhs);
			c->rhs = NULL;
			goto err;
		}
		int rcls = cc_class_of(c->rhs->type);
		int num = c->cls == CLS_SIGNED || c->cls == CLS_UNSIGNED || c->cls == CLS_DOUBLE;
		int rnum = rcls == CLS_SIGNED || rcls == CLS_UNSIGNED || rcls == CLS_DOUBLE;
		if ((c->lhs.def->flags | c->rhs->def->flags) & RFF_NO_RHS) {
			fail(cx, r->pos, "field '%s' cannot be used in a field-to-field comparison",
			     (c->rhs->def->flags & RFF_NO_RHS) ? c->rhs->ref.text : c->lhs.ref.text);
			goto err;
		}
		if ((rcls != c->cls && !(num && rnum)) || c->rhs->is_list != c->lhs.is_list || c->lhs.is_list) {
			fail(cx, r->pos, "field '%s' of type %s cannot be compared with field '%s' of type %s",
			     c->lhs.ref.text, type_name(c->lhs.type), c->rhs->ref.text, type_name(c->rhs->type));
			goto err;
		}
		goto done;
	}
	/* constants: a single value, or a list (an identifier counts as a one-item list) */
	char *one[1];
	size_t onelen[1];
	char **items = r->items;
	size_t *lens = r->itemlens;
	size_t n = r->nitems;
	if (r->kind == CN_VALUE) {
		one[0] = r->str;
		onelen[0] = r->len;
		items = one;
		lens = onelen;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		check_field_like(cx, items[i]);
		if ((strncmp(def->name, "ka.", 3) == 0 || strncmp(def->name, "jevt.", 5) == 0) &&
		    strcmp(items[i], "<NA>") == 0)
			warn(cx, LOAD_UNSAFE_NA_CHECK, "field '%s' compared with \"<NA>\": a missing value never equals it",
			     c->lhs.ref.text);
	}
	if (is_evttype_field(&c->lhs) && !c->mod &&
	    (c->op == OP_EQ || c->op == OP_NE || c->op == OP_IN || c->op == OP_INTERSECTS)) {
		if (strcmp(def->name, "evt.type") == 0 && cx->reg->evttype_lookup && !any_generic(cx->reg, items, n)) {
			nd = compile_evttype(cx, a, c->op, items, lens, n);
			check_free(c);
			return nd;
		}
		if (evttype_names(cx, r->pos, items, lens, n, NULL) < 0)
			goto err;
	}
	int listy = c->op == OP_IN || c->op == OP_INTERSECTS || c->op == OP_PMATCH || c->mod;
	if (listy) {
		if (build_list(cx, c, r->pos, items, lens, n) < 0)
			goto err;
	} else if (c->op == OP_REGEX) {
		if (compile_regex(cx, c, r->pos, items[0]) < 0)
			goto err;
	} else if (conv_const(cx, c, r->pos, items[0], lens[0], &c->k, &c->net) < 0) {
		goto err;
	}
done:
	cc_check_set_fast(c);
	nd = node_new(cx, CC_CHECK, a->pos);
	if (!nd)
		goto err;
	nd->chk = c;
	return nd;
err:
	check_free(c);
	return NULL;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
	return h * 0xFF51AFD7ED558CCDull;
}

static uint64_t mix_bytes(uint64_t h, const char *p, size_t n)
{
	h = mix(h, n);
	for (size_t i = 0; i < n; i++)
		h = mix(h, (uint8_t)p[i]);
	return h;
}

/* Structural hash of an AST subtree (all of it: a check's field, operator,
 * constants and list items). */
static uint64_t ast_hash(const struct cond_node *a, uint64_t seed)
{
	uint64_t h = mix(seed, ((uint64_t)a->kind << 16) | ((uint64_t)a->op << 8) | a->mod);
	if (a->str)
		h = mix_bytes(h, a->str, a->len ? a->len : strlen(a->str));
	if (a->arg)
		h = mix_bytes(h ^ 0xA5, a->arg, strlen(a->arg));
	for (size_t i = 0; i < a->nitems; i++)
		h = mix_bytes(h ^ 0x5A, a->items[i], a->itemlens[i]);
	for (size_t i = 0; i < a->nkids; i++)
		h = mix(h, ast_hash(a->kids[i], seed));
	return h;
}

static struct cc_node *compile_node_inner(struct cctx *cx, const struct cond_node *a);

static struct cc_node *compile_node(struct cctx *cx, const struct cond_node *a)
{
	struct cc_node *n = compile_node_inner(cx, a);
	if (n && (n->kind == CC_AND || n->kind == CC_OR || n->kind == CC_NOT)) {
		n->h1 = mix((uint64_t)n->kind, 0x1234567ull);
		n->h2 = mix((uint64_t)n->kind, 0x7654321ull);
		for (uint32_t i = 0; i < n->nkids; i++) {
			n->h1 = mix(n->h1, n->kids[i]->h1);
			n->h2 = mix(n->h2, n->kids[i]->h2);
		}
	} else if (n) {
		n->h1 = ast_hash(a, 0x1234567ull);
		n->h2 = ast_hash(a, 0x7654321ull);
	}
	return n;
}

static struct cc_node *compile_node_inner(struct cctx *cx, const struct cond_node *a)
{
	switch (a->kind) {
	case CN_AND:
	case CN_OR:
	case CN_NOT: {
		struct cc_node *n = node_new(cx, a->kind == CN_AND ? CC_AND : a->kind == CN_OR ? CC_OR : CC_NOT, a->pos);
		if (!n)
			return NULL;
		n->kids = calloc(a->nkids, sizeof(*n->kids));
		if (!n->kids) {
			fail(cx, a->pos, "out of memory");
			free(n);
			return NULL;
		}
		for (size_t i = 0; i < a->nkids; i++) {
			n->kids[i] = compile_node(cx, a->kids[i]);
			if (!n->kids[i]) {
				cc_node_free(n);
				return NULL;
			}
			n->nkids = (uint32_t)i + 1;
		}
		return n;
	}
	case CN_MACRO:
		fail(cx, a->pos, "Undefined macro '%s' used in filter.", a->str);
		return NULL;
	case CN_UNARY:
	case CN_BINARY:
		return compile_check(cx, a);
	default:
		fail(cx, a->pos, "unexpected expression");
		return NULL;
	}
}

struct cond_compiled *cond_compile(const struct cond_node *n, const struct rule_field_registry *reg,
				   struct cond_warnings *warnings, int *unknown_field, struct cond_error *err)
{
	return cond_compile_legacy(n, reg, 0, warnings, unknown_field, err);
}

struct cond_compiled *cond_compile_legacy(const struct cond_node *n, const struct rule_field_registry *reg,
					  int legacy_list_ops, struct cond_warnings *warnings, int *unknown_field,
					  struct cond_error *err)
{
	struct cond_error local;
	struct cctx cx = {reg, warnings, unknown_field, err ? err : &local, legacy_list_ops};
	cx.err->offset = -1;
	cx.err->msg[0] = 0;
	if (unknown_field)
		*unknown_field = 0;
	if (warnings)
		warnings->n = 0;
	struct cond_compiled *c = calloc(1, sizeof(*c));
	if (!c) {
		fail(&cx, -1, "out of memory");
		return NULL;
	}
	c->root = compile_node(&cx, n);
	if (!c->root) {
		free(c);
		return NULL;
	}
	return c;
}

void cond_compiled_free(struct cond_compiled *c)
{
	if (!c)
		return;
	cc_node_free(c->root);
	free(c);
}
