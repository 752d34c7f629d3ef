/* rules/program.c: per-event-type flat programs: layout of the folded conditions, shared subtrees once per type, and their evaluation. */
#include "rules/program_int.h"

#include <stdlib.h>

#include "rules/group_int.h"

struct builder {
	struct rule_program *p;
	uint32_t *local;   /* global memo slot -> per-type slot (1-based) */
	uint32_t *body;    /* global memo slot -> op laid out for it in this type */
	uint32_t *stamp;   /* global memo slot -> type + 1 for which local/body hold */
	uint32_t cur;      /* type + 1 */
	uint32_t nlocal;
	int use_groups;
	int oom;
	size_t maxgroups, maxwords;
};

static uint32_t push(struct builder *b)
{
	struct rule_program *p = b->p;
	if (p->nops == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct rp_op *v = cap <= UINT32_MAX ? realloc(p->ops, cap * sizeof(*v)) : NULL;
		if (!v) {
			b->oom = 1;
			return UINT32_MAX;
		}
		p->ops = v;
		p->cap = cap;
	}
	memset(&p->ops[p->nops], 0, sizeof(p->ops[0]));
	return (uint32_t)p->nops++;
}

static void emit(struct builder *b, const struct cc_node *n)
{
	uint32_t i = b->oom ? UINT32_MAX : push(b);
	if (i == UINT32_MAX)
		return;
	struct rp_op *o = &b->p->ops[i];
	o->end = i + 1;
	/* the tree walk asks a group before the memo: so does the program */
	if (n->grp && b->use_groups) {
		o->kind = RP_GROUP;
		o->slot = n->grp - 1;
		o->arg = n->gbit;
		return;
	}
	if (n->memo) {
		uint32_t g = n->memo - 1;
		if (b->stamp[g] != b->cur) {
			b->stamp[g] = b->cur;
			b->local[g] = ++b->nlocal;
			b->body[g] = UINT32_MAX;
		}
		o->slot = b->local[g];
		if (b->body[g] != UINT32_MAX) {
			o->kind = RP_REF;
			o->arg = b->body[g];
			return;
		}
		b->body[g] = i;
	}
	switch (n->kind) {
	case CC_AND:
	case CC_OR:
	case CC_NOT:
		o->kind = n->kind == CC_AND ? RP_AND : n->kind == CC_OR ? RP_OR : RP_NOT;
		for (uint32_t k = 0; k < n->nkids; k++)
			emit(b, n->kids[k]);
		/* emit may have moved the array */
		b->p->ops[i].end = (uint32_t)b->p->nops;
		return;
	case CC_CHECK:
		o->kind = RP_CHECK;
		o->u.chk = n->chk;
		return;
	case CC_EVTTYPE:
		o->kind = RP_EVTTYPE;
		o->negate = n->negate;
		o->nbits = n->nbits;
		o->u.bitmap = n->bitmap;
		return;
	default:
		o->kind = RP_FALSE;
	}
}

/* The leftmost conjunct of the root at op i (through nested ANDs) when
 * it answers without evaluation most of the time: a group bit or a memo
 * slot. The root evaluates it first anyway, so asking it first changes
 * nothing. */
static struct rp_guard guard_of(const struct rule_program *p, uint32_t i)
{
	struct rp_guard g = {0};
	for (;;) {
		const struct rp_op *o = &p->ops[i];
		if (o->kind == RP_GROUP)
			return (struct rp_guard){.kind = RP_GROUP, .slot = o->slot, .op = o->arg};
		if (o->slot)
			return (struct rp_guard){.kind = RP_REF, .slot = o->slot, .op = o->kind == RP_REF ? o->arg : i};
		if (o->kind != RP_AND || o->end == i + 1)
			return g;
		i++;
	}
}

/* The root AND's conjuncts after the first that are memoised or grouped. */
static int known_of(struct rule_program *p, uint32_t i, struct rp_guard *g)
{
	const struct rp_op *o = &p->ops[i];
	g->x0 = (uint32_t)p->nknown;
	if (o->kind != RP_AND || o->slot || o->end == i + 1)
		return 0;
	for (uint32_t j = p->ops[i + 1].end; j < o->end && g->nknown < RP_MAX_KNOWN; j = p->ops[j].end) {
		const struct rp_op *q = &p->ops[j];
		struct rp_known x;
		if (q->kind == RP_GROUP)
			x = (struct rp_known){q->slot, q->arg};
		else if (q->slot)
			x = (struct rp_known){q->slot, UINT32_MAX};
		else
			continue;
		if (p->nknown == p->capknown) {
			size_t cap = p->capknown ? p->capknown * 2 : 256;
			struct rp_known *v = realloc(p->known, cap * sizeof(*v));
			if (!v)
				return -1;
			p->known = v;
			p->capknown = cap;
		}
		p->known[p->nknown++] = x;
		g->nknown++;
	}
	return 0;
}

void rule_program_free(struct rule_program *p)
{
	if (!p)
		return;
	free(p->ops);
	free(p->entry);
	free(p->guard);
	free(p->known);
	free(p->nslots);
	free(p->memo);
	if (p->groups)
		for (uint16_t t = 0; t < p->ntypes; t++)
			rule_groups_free(p->groups[t]);
	free(p->groups);
	free(p->gm.ggen);
	free(p->gm.gwords);
	free(p);
}

static void untag(struct cc_node *n)
{
	n->grp = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		untag(n->kids[i]);
}

/* Groups type t's checks (tagging them) before its rules are laid out. */
static void group_type(struct builder *b, const struct cc_node *const *roots, uint32_t lo, uint32_t hi, uint16_t t)
{
	struct rule_program *p = b->p;
	/* rule_groups_build tags the nodes: they are the rule set's, lent for
	 * the layout and untagged after it */
	struct rule_groups *gs = rule_groups_build_shared((struct cc_node *const *)roots + lo, hi - lo, p->groups, t);
	p->groups[t] = gs;
	if (!gs)
		return;
	size_t ng = rule_groups_count(gs), nw = rule_groups_words(gs);
	if (ng > b->maxgroups)
		b->maxgroups = ng;
	if (nw > b->maxwords)
		b->maxwords = nw;
}

struct rule_program *rule_program_build(const struct cc_node *const *roots, const uint32_t *off, uint16_t ntypes,
					size_t nglobal, int use_groups)
{
	size_t nent = off[ntypes];
	struct rule_program *p = calloc(1, sizeof(*p));
	struct builder b = {.p = p, .use_groups = use_groups};
	if (!p)
		return NULL;
	p->ntypes = ntypes;
	if (use_groups && !(p->groups = calloc(ntypes ? ntypes : 1, sizeof(*p->groups))))
		b.oom = 1;
	p->entry = calloc(nent ? nent : 1, sizeof(*p->entry));
	p->guard = calloc(nent ? nent : 1, sizeof(*p->guard));
	p->nslots = calloc(ntypes ? ntypes : 1, sizeof(*p->nslots));
	b.local = calloc(nglobal ? nglobal : 1, sizeof(*b.local));
	b.body = calloc(nglobal ? nglobal : 1, sizeof(*b.body));
	b.stamp = calloc(nglobal ? nglobal : 1, sizeof(*b.stamp));
	if (!p->entry || !p->guard || !p->nslots || !b.local || !b.body || !b.stamp)
		b.oom = 1;
	for (uint16_t t = 0; t < ntypes && !b.oom; t++) {
		b.cur = (uint32_t)t + 1;
		b.nlocal = 0;
		if (use_groups)
			group_type(&b, roots, off[t], off[t + 1], t);
		for (uint32_t k = off[t]; k < off[t + 1] && !b.oom; k++) {
			p->entry[k] = (uint32_t)p->nops;
			emit(&b, roots[k]);
			if (!b.oom) {
				p->guard[k] = guard_of(p, p->entry[k]);
				if (known_of(p, p->entry[k], &p->guard[k]) < 0)
					b.oom = 1;
			}
		}
		if (use_groups && p->groups[t])
			for (uint32_t k = off[t]; k < off[t + 1]; k++)
				untag((struct cc_node *)roots[k]);
		p->nslots[t] = b.nlocal;
		if (b.nlocal > p->maxslots)
			p->maxslots = b.nlocal;
	}
	free(b.local);
	free(b.body);
	free(b.stamp);
	if (!b.oom && !(p->memo = calloc(p->maxslots ? p->maxslots : 1, 1)))
		b.oom = 1;
	if (!b.oom && (!(p->gm.ggen = calloc(b.maxgroups ? b.maxgroups : 1, sizeof(*p->gm.ggen))) ||
		       !(p->gm.gwords = calloc(b.maxwords ? b.maxwords : 1, sizeof(*p->gm.gwords)))))
		b.oom = 1;
	if (b.oom) {
		rule_program_free(p);
		return NULL;
	}
	return p;
}

/* ---- per event ----------------------------------------------------------- */

struct rp_ctx {
	const struct rp_op *ops;
	uint8_t *memo;
	struct cond_memo *gm;
	rule_extract_fn ex;
	void *ectx;
	uint16_t t;
};

static int run(const struct rp_ctx *c, uint32_t i);

static inline int group_bit(const struct rp_ctx *c, const struct rp_op *o)
{
	struct cond_memo *gm = c->gm;
	if (gm->ggen[o->slot] != gm->gen)
		rule_group_fill(gm->groups, o->slot, c->ex, c->ectx, gm);
	return (int)((gm->gwords[o->arg >> 6] >> (o->arg & 63)) & 1);
}

/* The answers that need no recursion are taken here, inlined in the AND/OR
 * loops: group bits, any memo already known this event (most macros'
 * conditions are asked by several rules), checks; only an operator or a
 * memo miss pays for the call. */
static inline int kid(const struct rp_ctx *c, uint32_t i)
{
	const struct rp_op *o = &c->ops[i];
	if (o->kind == RP_GROUP)
		return group_bit(c, o);
	if (o->slot) {
		uint8_t v = c->memo[o->slot - 1];
		if (v)
			return v - 1;
		if (o->kind == RP_REF)
			return run(c, o->arg);
	}
	if (o->kind == RP_CHECK) {
		int r = cc_check_eval(o->u.chk, c->ex, c->ectx);
		if (o->slot)
			c->memo[o->slot - 1] = (uint8_t)(r + 1);
		return r;
	}
	return run(c, i);
}

static int run(const struct rp_ctx *c, uint32_t i)
{
	const struct rp_op *o = &c->ops[i];
	if (o->kind == RP_GROUP)
		return group_bit(c, o);
	if (o->slot) {
		uint8_t v = c->memo[o->slot - 1];
		if (v)
			return v - 1;
		if (o->kind == RP_REF)
			return run(c, o->arg);
	}
	int r;
	switch (o->kind) {
	case RP_AND:
		r = 1;
		for (uint32_t j = i + 1; j < o->end; j = c->ops[j].end)
			if (!kid(c, j)) {
				r = 0;
				break;
			}
		break;
	case RP_OR:
		r = 0;
		for (uint32_t j = i + 1; j < o->end; j = c->ops[j].end)
			if (kid(c, j)) {
				r = 1;
				break;
			}
		break;
	case RP_NOT:
		r = o->end > i + 1 && !kid(c, i + 1);
		break;
	case RP_CHECK:
		r = cc_check_eval(o->u.chk, c->ex, c->ectx);
		break;
	case RP_EVTTYPE:
		r = c->t < o->nbits && o->u.bitmap[c->t];
		r = o->negate ? !r : r;
		break;
	default:
		r = 0;
	}
	if (o->slot)
		c->memo[o->slot - 1] = (uint8_t)(r + 1);
	return r;
}

/* The rule's guard, then its root. Inlined into the entry loop by force:
 * most entries end at their guard, and as a call (gcc kept it one) the
 * register saves cost as much as the guard (cachegrind: 530 instructions
 * less per openat with the upstream rules). */
static inline __attribute__((always_inline)) int eval_entry(const struct rp_ctx *c, const struct rule_program *p, uint32_t k)
{
	const struct rp_guard *g = &p->guard[k];
	if (g->kind == RP_GROUP) {
		struct rp_op o = {.slot = g->slot, .arg = g->op};
		if (!group_bit(c, &o))
			return 0;
	} else if (g->kind == RP_REF) {
		uint8_t v = c->memo[g->slot - 1];
		if (v == 1 || (!v && !run(c, g->op)))
			return 0;
	}
	const struct cond_memo *gm = c->gm;
	for (uint32_t x = g->x0; x < g->x0 + g->nknown; x++) {
		const struct rp_known *q = &p->known[x];
		if (q->bit == UINT32_MAX ? c->memo[q->slot - 1] == 1
					 : gm->ggen[q->slot] == gm->gen && !((gm->gwords[q->bit >> 6] >> (q->bit & 63)) & 1))
			return 0;
	}
	return run(c, p->entry[k]);
}

int rule_program_eval(struct rule_program *p, uint32_t k, uint16_t evttype, rule_extract_fn ex, void *ectx)
{
	struct rp_ctx c = {p->ops, p->memo, &p->gm, ex, ectx, evttype};
	return eval_entry(&c, p, k);
}

uint32_t rule_program_next(struct rule_program *p, uint32_t k, uint32_t end, uint16_t evttype, rule_extract_fn ex,
			   void *ectx)
{
	struct rp_ctx c = {p->ops, p->memo, &p->gm, ex, ectx, evttype};
	for (; k < end; k++)
		if (eval_entry(&c, p, k))
			return k;
	return end;
}
