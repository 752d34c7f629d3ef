/* rules/eval.c: evaluates compiled conditions for the current event (no allocation, missing value = false). */
#include <string.h>

#include "rules/cond_int.h"
#include "rules/group_int.h"

/* Ancestor walks stop here even if a provider never reports the end. */
#define COND_MAX_ANCESTORS 4096

static int64_t as_i64(const struct rule_value *v)
{
	return v->type == RF_DOUBLE ? (int64_t)v->v.d : v->v.i;
}

static uint64_t as_u64(const struct rule_value *v)
{
	return v->type == RF_DOUBLE ? (uint64_t)v->v.d : v->v.u;
}

static double as_d(const struct rule_value *v)
{
	switch (v->type) {
	case RF_DOUBLE: return v->v.d;
	case RF_INT64: case RF_INT32: case RF_INT16: return (double)v->v.i;
	default: return (double)v->v.u;
	}
}

size_t cc_set_key(int cls, const struct rule_value *v, uint8_t key[24], const char **ptr)
{
	*ptr = (const char *)key;
	switch (cls) {
	case CLS_STRING:
		*ptr = v->v.s ? v->v.s : "";
		return rule_value_str_len(v);
	case CLS_BYTES:
		*ptr = v->v.s ? v->v.s : "";
		return v->v.s ? v->len : 0;
	case CLS_SIGNED: {
		int64_t i = as_i64(v);
		memcpy(key, &i, 8);
		return 8;
	}
	case CLS_UNSIGNED: {
		uint64_t u = as_u64(v);
		memcpy(key, &u, 8);
		return 8;
	}
	case CLS_DOUBLE: {
		double d = as_d(v);
		memcpy(key, &d, 8);
		return 8;
	}
	case CLS_BOOL:
		key[0] = v->v.i != 0;
		return 1;
	case CLS_IP:
		memset(key, 0, 17);
		key[0] = v->ipv6 != 0;
		memcpy(key + 1, v->v.ip, v->ipv6 ? 16 : 4);
		return 17;
	}
	return 0;
}

static int ord(int c)
{
	return c < 0 ? -1 : c > 0;
}

static int cmp_order(int op, int c)
{
	switch (op) {
	case OP_EQ: case OP_IN: case OP_INTERSECTS: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	}
	return 0;
}

void cc_check_set_fast(struct cc_check *c)
{
	c->fast = CCF_NONE;
	c->fast_mask = 0;
	if (c->any_ancestor || c->per_element || c->rhs || c->mod || c->lhs.ntr || c->op == OP_EXISTS ||
	    (c->lhs.def->flags & (RFF_LIST | RFF_EITHER)))
		return;
	if (c->cls == CLS_STRING && c->k.v.s && (c->op == OP_EQ || c->op == OP_NE)) {
		c->fast = c->op == OP_EQ ? CCF_STR_EQ : CCF_STR_NE;
		return;
	}
	c->fast = CCF_VALUE;
	int ordered = c->op == OP_EQ || c->op == OP_NE || c->op == OP_LT || c->op == OP_LE || c->op == OP_GT ||
		      c->op == OP_GE;
	if (!ordered || c->k.type == RF_DOUBLE || c->lhs.type == RF_DOUBLE)
		return;
	if (c->cls == CLS_SIGNED)
		c->fast = CCF_SIGNED;
	else if (c->cls == CLS_UNSIGNED)
		c->fast = CCF_UNSIGNED;
	else if (c->cls == CLS_BOOL && (c->op == OP_EQ || c->op == OP_NE))
		c->fast = CCF_BOOL;
	else
		return;
	/* cmp_scalar's answers for LHS <, =, > RHS, as bits 0, 1, 2 */
	for (int o = -1; o <= 1; o++)
		c->fast_mask |= (uint8_t)(cmp_order(c->op, o) << (o + 1));
}

static int fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Offset of byte b in h[from, end), or end. */
static size_t next_byte(const char *h, size_t from, size_t end, int b)
{
	const char *q = memchr(h + from, b, end - from);
	return q ? (size_t)(q - h) : end;
}

/* Candidates for the first byte by memchr, once per case (the two ASCII
 * cases of a letter are the only bytes that fold to it): proc.env and
 * proc.args are kilobytes long, and a folded compare at every offset cost
 * more than the rest of an execve's rules. */
static int icontains(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return 1;
	if (hl < nl)
		return 0;
	int lo = fold((unsigned char)n[0]), up = lo >= 'a' && lo <= 'z' ? lo - 32 : lo;
	size_t end = hl - nl + 1;
	size_t ol = next_byte(h, 0, end, lo), ou = up == lo ? end : next_byte(h, 0, end, up);
	for (;;) {
		size_t c = ol < ou ? ol : ou, j = 1;
		if (c == end)
			return 0;
		while (j < nl && fold((unsigned char)h[c + j]) == fold((unsigned char)n[j]))
			j++;
		if (j == nl)
			return 1;
		if (c == ol)
			ol = next_byte(h, c + 1, end, lo);
		else
			ou = next_byte(h, c + 1, end, up);
	}
}

/* Subjects are mostly short paths and names: glibc's memmem prepares a
 * 256-byte shift table on every call, which costs more than the search.
 * First byte by memchr, then memcmp; memmem for long subjects. */
static int has_bytes(const char *h, size_t hl, const char *n, size_t nl)
{
	if (nl == 0)
		return 1;
	if (hl < nl)
		return 0;
	if (hl > 256)
		return memmem(h, hl, n, nl) != NULL;
	const char *p = h, *last = h + (hl - nl);
	while (p <= last) {
		p = memchr(p, n[0], (size_t)(last - p) + 1);
		if (!p)
			return 0;
		if (memcmp(p + 1, n + 1, nl - 1) == 0)
			return 1;
		p++;
	}
	return 0;
}

static int cmp_bytes(int op, const char *a, size_t al, const char *b, size_t bl)
{
	switch (op) {
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return has_bytes(a, al, b, bl);
	case OP_ICONTAINS:
		return icontains(a, al, b, bl);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return al >= bl && memcmp(a, b, bl) == 0;
	case OP_ENDSWITH:
		return al >= bl && memcmp(a + al - bl, b, bl) == 0;
	case OP_GLOB:
		return cond_glob_match(b, bl, a, al, 0);
	case OP_IGLOB:
		return cond_glob_match(b, bl, a, al, 1);
	case OP_EQ:
		return al == bl && memcmp(a, b, al) == 0;
	case OP_NE:
		return al != bl || memcmp(a, b, al) != 0;
	default: {
		int c = memcmp(a, b, al < bl ? al : bl);
		if (c == 0)
			c = al < bl ? -1 : al > bl;
		return cmp_order(op, ord(c));
	}
	}
}

static int ip_equal(const struct rule_value *a, const struct rule_value *b)
{
	if ((a->ipv6 != 0) != (b->ipv6 != 0))
		return 0;
	return memcmp(a->v.ip, b->v.ip, a->ipv6 ? 16 : 4) == 0;
}

/* One scalar comparison of l against r (a constant or the other field). */
static int cmp_scalar(const struct cc_check *c, int op, const struct rule_value *l, const struct rule_value *r)
{
	switch (c->cls) {
	case CLS_STRING:
		return cmp_bytes(op, l->v.s ? l->v.s : "", rule_value_str_len(l), r->v.s ? r->v.s : "", rule_value_str_len(r));
	case CLS_BYTES:
		return cmp_bytes(op, l->v.s ? l->v.s : "", l->v.s ? l->len : 0, r->v.s ? r->v.s : "",
				 r->v.s ? r->len : 0);
	case CLS_SIGNED:
	case CLS_UNSIGNED:
	case CLS_DOUBLE: {
		int rd = r->type == RF_DOUBLE, ld = l->type == RF_DOUBLE;
		if (c->cls == CLS_DOUBLE || rd || ld) {
			double a = as_d(l), b = as_d(r);
			return cmp_order(op, a < b ? -1 : a > b);
		}
		if (c->cls == CLS_SIGNED) {
			int64_t a = as_i64(l), b = as_i64(r);
			return cmp_order(op, a < b ? -1 : a > b);
		}
		uint64_t a = as_u64(l), b = as_u64(r);
		return cmp_order(op, a < b ? -1 : a > b);
	}
	case CLS_BOOL:
		return cmp_order(op, (l->v.i != 0) != (r->v.i != 0));
	case CLS_IP:
		return cmp_order(op, !ip_equal(l, r));
	case CLS_IPNET:
		return cmp_order(op, !cond_cidr_match(&c->net, l));
	}
	return 0;
}

static int in_set(const struct cc_check *c, const struct rule_value *v)
{
	if (c->cls == CLS_IPNET) {
		for (size_t i = 0; i < c->nnets; i++)
			if (cond_cidr_match(&c->nets[i], v))
				return 1;
		return 0;
	}
	uint8_t key[24];
	const char *ptr;
	size_t kl = cc_set_key(c->cls, v, key, &ptr);
	return strset_has(c->set, ptr, kl);
}

static int eval_modifier(const struct cc_check *c, const struct rule_value *l)
{
	size_t hits = 0;
	for (size_t i = 0; i < c->nitems; i++) {
		int m = cmp_scalar(c, c->op, l, &c->items[i]);
		hits += (size_t)m;
		if (c->mod == MOD_ANYOF && m)
			return 1;
		if (c->mod == MOD_ALLOF && !m)
			return 0;
		if (c->mod == MOD_ONEOF && hits > 1)
			return 0;
	}
	return c->mod == MOD_ALLOF ? 1 : hits == 1 && c->mod == MOD_ONEOF;
}

/* The check of one scalar LHS value against the RHS. */
static int check_value(const struct cc_check *c, const struct rule_value *lv, rule_extract_fn ex, void *ectx)
{
	if (c->rhs) {
		struct rule_value rv;
		const struct rule_value *rl;
		if (cc_operand_get(c->rhs, &c->rhs->ref, ex, ectx, &rv, &rl) <= 0)
			return 0;
		return cmp_scalar(c, c->op, lv, &rv);
	}
	if (c->mod)
		return eval_modifier(c, lv);
	switch (c->op) {
	case OP_IN:
	case OP_INTERSECTS:
		return in_set(c, lv);
	case OP_PMATCH:
		return pmatch_trie_match(c->trie, lv->v.s ? lv->v.s : "", rule_value_str_len(lv));
	case OP_REGEX: {
		regmatch_t m[1];
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)rule_value_str_len(lv);
		return regexec(&c->re, lv->v.s ? lv->v.s : "", 1, m, REG_STARTEND) == 0;
	}
	default:
		return cmp_scalar(c, c->op, lv, &c->k);
	}
}

/* -1: the LHS has no value; 0/1: the check's result. */
static int check_once(const struct cc_check *c, const struct rule_field_ref *ref, rule_extract_fn ex, void *ectx)
{
	struct rule_value lv;
	const struct rule_value *list;
	int n = cc_operand_get(&c->lhs, ref, ex, ectx, &lv, &list);
	if (n <= 0)
		return -1;
	if (c->op == OP_EXISTS)
		return 1;
	if (list && ((c->lhs.def->flags & RFF_EITHER) || c->per_element)) {
		int any = 0, all = 1;
		for (int i = 0; i < n; i++) {
			int r = check_value(c, &list[i], ex, ectx);
			any |= r;
			all &= r;
		}
		return c->op == OP_NE ? all : any;
	}
	if (list) {
		for (int i = 0; i < n; i++) {
			int in = in_set(c, &list[i]);
			if (c->op == OP_IN && !in)
				return 0;
			if (c->op == OP_INTERSECTS && in)
				return 1;
		}
		return c->op == OP_IN;
	}
	return check_value(c, &lv, ex, ectx);
}

int cc_check_eval(const struct cc_check *c, rule_extract_fn ex, void *ectx)
{
	if (c->fast) {
		struct rule_value lv;
		lv.type = c->lhs.def->type;
		if (ex(ectx, &c->lhs.ref, &lv) <= 0)
			return 0;
		int o;
		switch (c->fast) {
		case CCF_STR_EQ:
		case CCF_STR_NE: {
			size_t len = rule_value_str_len(&lv);
			int eq = len == c->k.len && memcmp(lv.v.s ? lv.v.s : "", c->k.v.s, len) == 0;
			return c->fast == CCF_STR_EQ ? eq : !eq;
		}
		case CCF_SIGNED:
			if (lv.type == RF_DOUBLE)
				break;
			o = (lv.v.i > c->k.v.i) - (lv.v.i < c->k.v.i);
			return (c->fast_mask >> (o + 1)) & 1;
		case CCF_UNSIGNED:
			if (lv.type == RF_DOUBLE)
				break;
			o = (lv.v.u > c->k.v.u) - (lv.v.u < c->k.v.u);
			return (c->fast_mask >> (o + 1)) & 1;
		case CCF_BOOL:
			o = (lv.v.i != 0) != (c->k.v.i != 0);
			return (c->fast_mask >> (o + 1)) & 1;
		}
		return check_value(c, &lv, ex, ectx);
	}
	if (!c->any_ancestor)
		return check_once(c, &c->lhs.ref, ex, ectx) == 1;
	/* proc.aname without an index: some ancestor (1 = parent, ...) matches */
	struct rule_field_ref ref = c->lhs.ref;
	ref.has_arg = 1;
	for (int64_t i = 1; i <= COND_MAX_ANCESTORS; i++) {
		ref.arg_index = i;
		int r = check_once(c, &ref, ex, ectx);
		if (r < 0)
			return 0;
		if (r == 1)
			return 1;
	}
	return 0;
}

/* Macros expand to identical subtrees in many rules (spawned_process,
 * open_read, container...): within one event each is evaluated once. This
 * walk is the hottest loop of a replay: a memoised result is picked up
 * before the call (eval_kid, inlined in the AND/OR loops), and only a miss
 * pays for the recursion. */
static int eval_node(const struct cc_node *n, uint16_t evttype, rule_extract_fn ex, void *ectx,
		     struct cond_memo *memo);

static inline int eval_kid(const struct cc_node *k, uint16_t evttype, rule_extract_fn ex, void *ectx,
			   struct cond_memo *memo)
{
	if (k->grp && memo && memo->groups)
		return rule_group_check(k, ex, ectx, memo);
	if (k->memo && memo) {
		const struct cond_memo_slot *s = &memo->slots[k->memo - 1];
		if (s->gen == memo->gen)
			return s->val;
	} else if (k->kind == CC_CHECK) {
		return cc_check_eval(k->chk, ex, ectx);
	}
	return eval_node(k, evttype, ex, ectx, memo);
}

static int eval_node(const struct cc_node *n, uint16_t evttype, rule_extract_fn ex, void *ectx,
		     struct cond_memo *memo)
{
	struct cond_memo_slot *s = NULL;
	if (n->grp && memo && memo->groups)
		return rule_group_check(n, ex, ectx, memo);
	if (n->memo && memo) {
		s = &memo->slots[n->memo - 1];
		if (s->gen == memo->gen)
			return s->val;
	}
	int r;
	switch (n->kind) {
	case CC_AND:
		r = 1;
		for (uint32_t i = 0; i < n->nkids; i++)
			if (!eval_kid(n->kids[i], evttype, ex, ectx, memo)) {
				r = 0;
				break;
			}
		break;
	case CC_OR:
		r = 0;
		for (uint32_t i = 0; i < n->nkids; i++)
			if (eval_kid(n->kids[i], evttype, ex, ectx, memo)) {
				r = 1;
				break;
			}
		break;
	case CC_NOT:
		r = !eval_kid(n->kids[0], evttype, ex, ectx, memo);
		break;
	case CC_EVTTYPE:
		r = evttype < n->nbits && n->bitmap[evttype];
		r = n->negate ? !r : r;
		break;
	case CC_CHECK:
		r = cc_check_eval(n->chk, ex, ectx);
		break;
	default:
		r = 0;
	}
	if (s) {
		s->gen = memo->gen;
		s->val = (uint8_t)r;
	}
	return r;
}

int cond_eval(const struct cond_compiled *c, uint16_t evttype, rule_extract_fn extract, void *ectx)
{
	return eval_node(c->root, evttype, extract, ectx, NULL);
}

int cond_eval_memo(const struct cond_compiled *c, uint16_t evttype, rule_extract_fn extract, void *ectx,
		   struct cond_memo *memo)
{
	return eval_node(c->root, evttype, extract, ectx, memo);
}

int cc_node_eval_memo(const struct cc_node *n, uint16_t evttype, rule_extract_fn extract, void *ectx,
		      struct cond_memo *memo)
{
	return eval_node(n, evttype, extract, ectx, memo);
}
