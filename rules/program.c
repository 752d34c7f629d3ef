/* rules/program.c: per-event-type programs: the folded conditions compiled to jump code, shared subtrees once per type as memoised bodies, each rule's necessary conditions, the rule index by group bits, and their evaluation. */
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

/* A test or an end: a new op going to t when true, f when false. */
static uint32_t op_new(struct builder *b, uint8_t kind, uint32_t t, uint32_t f)
{
	uint32_t i = b->oom ? UINT32_MAX : push(b);
	if (i == UINT32_MAX)
		return RP_OP_REJECT;
	struct rp_op *o = &b->p->ops[i];
	o->kind = kind;
	o->t = t;
	o->f = f;
	return i;
}

static uint32_t compile(struct builder *b, const struct cc_node *n, uint32_t t, uint32_t f);

/* n without its memo: operators become successors. Built back to front, so
 * that every test knows the ops that follow it. */
static uint32_t compile_plain(struct builder *b, const struct cc_node *n, uint32_t t, uint32_t f)
{
	uint32_t e, i;
	switch (n->kind) {
	case CC_AND:
		e = t; /* an AND of nothing is true */
		for (uint32_t k = n->nkids; k-- > 0;)
			e = compile(b, n->kids[k], e, f);
		return e;
	case CC_OR:
		e = f; /* an OR of nothing is false */
		for (uint32_t k = n->nkids; k-- > 0;)
			e = compile(b, n->kids[k], t, e);
		return e;
	case CC_NOT:
		return n->nkids ? compile(b, n->kids[0], f, t) : f;
	case CC_CHECK:
		i = op_new(b, RP_CHECK, t, f);
		if (!b->oom)
			b->p->ops[i].u.chk = n->chk;
		return i;
	case CC_EVTTYPE:
		i = op_new(b, RP_EVTTYPE, t, f);
		if (!b->oom) {
			b->p->ops[i].negate = n->negate;
			b->p->ops[i].nbits = n->nbits;
			b->p->ops[i].u.bitmap = n->bitmap;
		}
		return i;
	default:
		return f; /* a node kind the walk does not know: false, as in eval_node */
	}
}

/* Memo slot g's per-type slot, and its body laid out on first use. */
static uint32_t memo_body(struct builder *b, const struct cc_node *n, uint32_t g)
{
	if (b->stamp[g] != b->cur) {
		b->stamp[g] = b->cur;
		b->local[g] = ++b->nlocal;
		b->body[g] = UINT32_MAX;
	}
	if (b->body[g] == UINT32_MAX) {
		uint32_t slot = b->local[g];
		uint32_t rt = op_new(b, RP_RET, 0, 0), rf = op_new(b, RP_RET, 0, 0);
		if (!b->oom) {
			b->p->ops[rt].slot = b->p->ops[rf].slot = slot;
			b->p->ops[rt].arg = 1;
		}
		/* set before the body: a subtree never contains itself */
		b->body[g] = compile_plain(b, n, rt, rf);
	}
	return b->body[g];
}

static uint32_t compile(struct builder *b, const struct cc_node *n, uint32_t t, uint32_t f)
{
	/* the tree walk asks a group before the memo: so does the program */
	if (n->grp && b->use_groups) {
		uint32_t i = op_new(b, RP_GROUP, t, f);
		if (!b->oom) {
			b->p->ops[i].slot = n->grp - 1;
			b->p->ops[i].arg = n->gbit;
		}
		return i;
	}
	if (!n->memo)
		return compile_plain(b, n, t, f);
	uint32_t g = n->memo - 1, body = memo_body(b, n, g), i;
	if (n->kind == CC_CHECK) {
		/* tested in place: the byte, else the check (the body serves guards) */
		i = op_new(b, RP_CHECK, t, f);
		if (!b->oom) {
			b->p->ops[i].u.chk = n->chk;
			b->p->ops[i].slot = b->local[g];
		}
		return i;
	}
	i = op_new(b, RP_MEMO, t, f);
	if (!b->oom) {
		b->p->ops[i].slot = b->local[g];
		b->p->ops[i].arg = body;
	}
	return i;
}

/* The leftmost conjunct of root n (through nested ANDs) when it answers
 * without evaluation most of the time: a group bit or a memo slot. The
 * root evaluates it first anyway, so asking it first changes nothing. */
static struct rp_guard guard_of(struct builder *b, const struct cc_node *n)
{
	for (;;) {
		if (n->grp && b->use_groups)
			return (struct rp_guard){.kind = RP_GROUP, .slot = n->grp - 1, .op = n->gbit};
		if (n->memo) {
			uint32_t g = n->memo - 1;
			return (struct rp_guard){.kind = RP_MEMO, .slot = b->local[g], .op = b->body[g]};
		}
		if (n->kind != CC_AND || n->nkids == 0)
			return (struct rp_guard){0};
		n = n->kids[0];
	}
}

static size_t clause_of(struct builder *b, const struct cc_node *n, struct rp_known *out, size_t cap);

/* The clause of AND/OR n from its kids (an OR: one clause per alternative
 * joined; an AND: its first conjunct that has one). */
static size_t clause_of_kids(struct builder *b, const struct cc_node *n, struct rp_known *out, size_t cap)
{
	size_t k = 0;
	if (n->kind == CC_OR) {
		for (uint32_t j = 0; j < n->nkids; j++) {
			size_t m = clause_of(b, n->kids[j], out + k, cap - k);
			if (m == 0)
				return 0;
			k += m;
		}
		return k;
	}
	if (n->kind == CC_AND)
		for (uint32_t j = 0; j < n->nkids; j++)
			if ((k = clause_of(b, n->kids[j], out, cap)) > 0)
				return k;
	return 0;
}

/* A clause that holds whenever n does, into out[0 .. cap): n's group bit;
 * for a memoised subtree, its kids' clause when that is of group bits
 * only (decided once the groups are filled, where the memo byte waits for
 * a rule to evaluate the subtree), else its memo slot; otherwise its
 * kids' clause. Returns its terms, 0 if none fits. */
static size_t clause_of(struct builder *b, const struct cc_node *n, struct rp_known *out, size_t cap)
{
	if (cap == 0)
		return 0;
	if (n->grp && b->use_groups) {
		out[0] = (struct rp_known){0, 0, n->grp - 1, n->gbit};
		return 1;
	}
	size_t k = clause_of_kids(b, n, out, cap);
	if (!n->memo)
		return k;
	for (size_t i = 0; i < k; i++)
		if (out[i].memo) {
			k = 0;
			break;
		}
	if (k)
		return k;
	if (b->stamp[n->memo - 1] != b->cur)
		return 0;
	out[0] = (struct rp_known){0, 1, b->local[n->memo - 1], 0};
	return 1;
}

static int known_push(struct rule_program *p, const struct rp_known *x)
{
	if (p->nknown == p->capknown) {
		size_t cap = p->capknown ? p->capknown * 2 : 256;
		struct rp_known *v = realloc(p->known, cap * sizeof(*v));
		if (!v)
			return -1;
		p->known = v;
		p->capknown = cap;
	}
	p->known[p->nknown++] = *x;
	return 0;
}

/* Appends root conjunct q's term to g's known list: in pass 0 if it is a
 * lone memo slot, in pass 1 as a clause otherwise. */
static int known_add(struct builder *b, const struct cc_node *q, uint32_t pass, struct rp_guard *g)
{
	struct rp_known c[RP_MAX_KNOWN];
	size_t n = clause_of(b, q, c, RP_MAX_KNOWN - g->nknown);
	if (n == 0 || (n == 1 && c[0].memo) != (pass == 0))
		return 0;
	c[0].n = (uint8_t)n;
	for (size_t i = 0; i < n; i++)
		if (known_push(b->p, &c[i]) < 0)
			return -1;
	g->nknown = (uint8_t)(g->nknown + n);
	g->nmemo = (uint8_t)(g->nmemo + (pass == 0));
	return 0;
}

/* Adds the conjuncts of AND n (through nested ANDs that are neither
 * memoised nor grouped: a rule's exceptions wrap its condition in one) to
 * g's known list, in pass 0 or 1; *skip leaves out the leftmost, the
 * guard. */
static int known_walk(struct builder *b, const struct cc_node *n, uint32_t pass, struct rp_guard *g, int *skip)
{
	for (uint32_t j = 0; j < n->nkids && g->nknown < RP_MAX_KNOWN; j++) {
		const struct cc_node *q = n->kids[j];
		if (q->kind == CC_AND && !q->memo && !(q->grp && b->use_groups)) {
			if (known_walk(b, q, pass, g, skip) < 0)
				return -1;
		} else if (*skip) {
			*skip = 0;
		} else if (known_add(b, q, pass, g) < 0) {
			return -1;
		}
	}
	return 0;
}

/* The rule's necessary conditions besides its guard (its root's
 * conjuncts, or an OR root as one clause): lone memo slots first, then clauses, so that each of the
 * entry loop's two scans tests one kind (its branches stay predictable). */
static int known_of(struct builder *b, const struct cc_node *n, struct rp_guard *g)
{
	g->x0 = (uint32_t)b->p->nknown;
	if (n->memo || (n->grp && b->use_groups) || n->nkids == 0)
		return 0;
	if (n->kind == CC_OR) /* the root is its own clause */
		return known_add(b, n, 1, g);
	if (n->kind != CC_AND)
		return 0;
	for (uint32_t pass = 0; pass < 2; pass++) {
		int skip = g->kind != RP_REJECT;
		if (known_walk(b, n, pass, g, &skip) < 0)
			return -1;
	}
	return 0;
}

static void index_free(struct rp_index *x)
{
	if (!x)
		return;
	free(x->groups);
	free(x->relevant);
	free(x->rwords);
	free(x->bit_off);
	free(x->ent);
	free(x->free);
	free(x);
}

/* Whether all of clause q's n terms are group bits of groups marked in
 * ok (any group when ok is NULL). */
static int clause_indexable(const struct rp_known *q, size_t n, const uint8_t *ok)
{
	for (size_t i = 0; i < n; i++)
		if (q[i].memo || (ok && !ok[q[i].slot]))
			return 0;
	return 1;
}

/* Entry k's index clause (rp_index), its first clause (its guard when a
 * group bit, then its known clauses) of group bits of groups in ok: its n
 * terms at *out, n = 0 if none. */
static size_t index_clause(const struct rule_program *p, uint32_t k, const uint8_t *ok, struct rp_known *one,
			   const struct rp_known **out)
{
	const struct rp_guard *g = &p->guard[k];
	if (g->kind == RP_GROUP) {
		*one = (struct rp_known){1, 0, g->slot, g->op};
		if (clause_indexable(one, 1, ok)) {
			*out = one;
			return 1;
		}
	}
	if (!g->nknown)
		return 0;
	const struct rp_known *q = p->known + g->x0 + g->nmemo, *qe = p->known + g->x0 + g->nknown;
	for (; q < qe; q += q->n)
		if (clause_indexable(q, q->n, ok)) {
			*out = q;
			return q->n;
		}
	return 0;
}

/* The groups the index may fill up front: those that the clauses of at
 * least a fifth of the type's n entries read, which most events of the type
 * fill anyway (fd.name on opens), and any group a clause reads that is one
 * hash lookup (no automaton, trie or glob: proc.name = tar on opens), which
 * costs less than the guard it spares (open_read, four checks). A scanned
 * group few rules read (proc.env on execve) is left to them: filling it on
 * every event cost more than the rules it spared (RP_INDEX_MIN). NULL when
 * out of memory. */
static uint8_t *index_groups(const struct rule_program *p, const struct rule_groups *gs, uint32_t lo, uint32_t n,
			     size_t ng)
{
	uint32_t *cnt = calloc(ng ? ng : 1, sizeof(*cnt)), *seen = calloc(ng ? ng : 1, sizeof(*seen));
	uint8_t *ok = calloc(ng ? ng : 1, 1);
	if (!cnt || !seen || !ok) {
		free(cnt);
		free(seen);
		free(ok);
		return NULL;
	}
	struct rp_known one;
	const struct rp_known *q;
	for (uint32_t i = 0; i < n; i++) {
		size_t m = index_clause(p, lo + i, NULL, &one, &q);
		for (size_t j = 0; j < m; j++)
			if (seen[q[j].slot] != i + 1) {
				seen[q[j].slot] = i + 1;
				cnt[q[j].slot]++;
			}
	}
	for (size_t g = 0; g < ng; g++)
		ok[g] = (size_t)cnt[g] * 5 >= n || (cnt[g] && !rule_group_scans(gs, (uint32_t)g));
	free(cnt);
	free(seen);
	return ok;
}

/* Type t's index when enough of its entries have an index clause: NULL
 * when not (or out of memory: the type is then tried entry by entry). */
static struct rp_index *index_build(const struct rule_program *p, const uint32_t *off, uint16_t t)
{
	const struct rule_groups *gs = p->groups ? p->groups[t] : NULL;
	uint32_t lo = off[t], n = off[t + 1] - off[t], with = 0;
	struct rp_known one;
	const struct rp_known *q;
	if (!gs || n < RP_INDEX_MIN)
		return NULL;
	size_t nw = rule_groups_words(gs), ng = rule_groups_count(gs), nbits = nw * 64, total = 0;
	uint8_t *ok = index_groups(p, gs, lo, n, ng);
	if (!ok)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		with += index_clause(p, lo + i, ok, &one, &q) > 0;
	struct rp_index *x = NULL;
	if (with < RP_INDEX_MIN)
		goto fail;
	if (!(x = calloc(1, sizeof(*x))) || !(x->relevant = calloc(nw ? nw : 1, sizeof(*x->relevant))) ||
	    !(x->bit_off = calloc(nbits + 1, sizeof(*x->bit_off))) ||
	    !(x->free = calloc((n + 63) / 64, sizeof(*x->free))) || !(x->groups = calloc(ng ? ng : 1, sizeof(*x->groups))))
		goto fail;
	x->base = lo;
	x->nent = n;
	/* counts per bit, then offsets (bit_off[b + 1] is bit b's count) */
	for (uint32_t i = 0; i < n; i++) {
		size_t m = index_clause(p, lo + i, ok, &one, &q);
		if (m == 0)
			x->free[i / 64] |= (uint64_t)1 << (i % 64);
		for (size_t j = 0; j < m; j++) {
			x->bit_off[q[j].bit + 1]++;
			x->relevant[q[j].bit / 64] |= (uint64_t)1 << (q[j].bit % 64);
			ok[q[j].slot] = 2; /* read by an index clause: filled up front */
			total++;
		}
	}
	if (!(x->rwords = malloc((nw ? nw : 1) * sizeof(*x->rwords))))
		goto fail;
	for (uint32_t w = 0; w < nw; w++)
		if (x->relevant[w])
			x->rwords[x->nrwords++] = w;
	for (size_t b = 0; b < nbits; b++)
		x->bit_off[b + 1] += x->bit_off[b];
	if (!(x->ent = malloc((total ? total : 1) * sizeof(*x->ent))))
		goto fail;
	for (uint32_t i = 0; i < n; i++) {
		size_t m = index_clause(p, lo + i, ok, &one, &q);
		for (size_t j = 0; j < m; j++)
			x->ent[x->bit_off[q[j].bit]++] = i;
	}
	/* the fill moved each start to the next bit's: shift back */
	for (size_t b = nbits; b > 0; b--)
		x->bit_off[b] = x->bit_off[b - 1];
	x->bit_off[0] = 0;
	/* the groups to fill: those some index clause reads */
	for (uint32_t g = 0; g < ng; g++)
		if (ok[g] == 2)
			x->groups[x->ngroups++] = g;
	free(ok);
	return x;
fail:
	free(ok);
	index_free(x);
	return NULL;
}

void rule_program_free(struct rule_program *p)
{
	if (!p)
		return;
	free(p->ops);
	free(p->entry);
	free(p->type_op0);
	free(p->guard);
	free(p->known);
	if (p->index)
		for (uint16_t t = 0; t < p->ntypes; t++)
			index_free(p->index[t]);
	free(p->index);
	free(p->cand);
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
	size_t maxent = 0;
	if (!p)
		return NULL;
	p->ntypes = ntypes;
	if (use_groups && (!(p->groups = calloc(ntypes ? ntypes : 1, sizeof(*p->groups))) ||
			   !(p->index = calloc(ntypes ? ntypes : 1, sizeof(*p->index)))))
		b.oom = 1;
	p->entry = calloc(nent ? nent : 1, sizeof(*p->entry));
	p->type_op0 = calloc((size_t)ntypes + 1, sizeof(*p->type_op0));
	p->guard = calloc(nent ? nent : 1, sizeof(*p->guard));
	p->nslots = calloc(ntypes ? ntypes : 1, sizeof(*p->nslots));
	b.local = calloc(nglobal ? nglobal : 1, sizeof(*b.local));
	b.body = calloc(nglobal ? nglobal : 1, sizeof(*b.body));
	b.stamp = calloc(nglobal ? nglobal : 1, sizeof(*b.stamp));
	if (!p->entry || !p->type_op0 || !p->guard || !p->nslots || !b.local || !b.body || !b.stamp)
		b.oom = 1;
	/* the two ends every rule goes to */
	op_new(&b, RP_REJECT, RP_OP_REJECT, RP_OP_REJECT);
	op_new(&b, RP_ACCEPT, RP_OP_ACCEPT, RP_OP_ACCEPT);
	for (uint16_t t = 0; t < ntypes && !b.oom; t++) {
		b.cur = (uint32_t)t + 1;
		b.nlocal = 0;
		p->type_op0[t] = (uint32_t)p->nops;
		if (use_groups)
			group_type(&b, roots, off[t], off[t + 1], t);
		for (uint32_t k = off[t]; k < off[t + 1] && !b.oom; k++) {
			p->entry[k] = compile(&b, roots[k], RP_OP_ACCEPT, RP_OP_REJECT);
			if (!b.oom) {
				p->guard[k] = guard_of(&b, roots[k]);
				if (known_of(&b, roots[k], &p->guard[k]) < 0)
					b.oom = 1;
			}
		}
		if (!b.oom && p->index && (p->index[t] = index_build(p, off, t)) != NULL &&
		    off[t + 1] - off[t] > maxent)
			maxent = off[t + 1] - off[t];
		if (use_groups && p->groups[t])
			for (uint32_t k = off[t]; k < off[t + 1]; k++)
				untag((struct cc_node *)roots[k]);
		p->nslots[t] = b.nlocal;
		if (b.nlocal > p->maxslots)
			p->maxslots = b.nlocal;
	}
	if (!b.oom)
		p->type_op0[ntypes] = (uint32_t)p->nops;
	if (!b.oom && !(p->cand = calloc((maxent + 63) / 64 + 1, sizeof(*p->cand))))
		b.oom = 1;
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

/* Runs from op i to a rule's end (its result) or a body's RET (which
 * stores the body's result in its memo byte). The kinds are tested in
 * turn, most frequent first, rather than by a switch: the one indirect
 * jump of a switch missed its target on most ops (the kinds alternate
 * along a rule), where each test here follows the rule's own pattern. A
 * successor that is a rule's end returns at once. */
static int run(const struct rp_ctx *c, uint32_t i)
{
	const struct rp_op *ops = c->ops;
	for (;;) {
		const struct rp_op *o = &ops[i];
		uint8_t kind = o->kind;
		int r;
		if (kind == RP_MEMO) {
			uint8_t v = c->memo[o->slot - 1];
			r = v ? v - 1 : run(c, o->arg);
		} else if (kind == RP_GROUP) {
			r = rule_group_bit(c->gm, o->slot, o->arg, c->ex, c->ectx);
		} else if (kind == RP_CHECK) {
			if (o->slot) {
				uint8_t v = c->memo[o->slot - 1];
				if (v) {
					r = v - 1;
				} else {
					r = cc_check_eval(o->u.chk, c->ex, c->ectx);
					c->memo[o->slot - 1] = (uint8_t)(r + 1);
				}
			} else {
				r = cc_check_eval(o->u.chk, c->ex, c->ectx);
			}
		} else if (kind == RP_RET) {
			c->memo[o->slot - 1] = (uint8_t)(o->arg + 1);
			return (int)o->arg;
		} else if (kind == RP_EVTTYPE) {
			r = c->t < o->nbits && o->u.bitmap[c->t];
			r = o->negate ? !r : r;
		} else {
			return kind == RP_ACCEPT;
		}
		i = r ? o->t : o->f;
		if (i <= RP_OP_ACCEPT)
			return (int)i;
	}
}

static inline int known_false_term(const struct rp_ctx *c, const struct rp_known *q)
{
	if (q->memo)
		return c->memo[q->slot - 1] == 1;
	return !rule_group_bit(c->gm, q->slot, q->bit, c->ex, c->ectx);
}

/* Whether one of guard g's rule's known conditions is false (g->nknown > 0:
 * p->known may be NULL otherwise). */
static inline int known_false(const struct rp_ctx *c, const struct rule_program *p, const struct rp_guard *g)
{
	const struct rp_known *q = p->known + g->x0, *qm = q + g->nmemo, *qe = q + g->nknown;
	for (; q < qm; q++)
		if (c->memo[q->slot - 1] == 1)
			return 1;
	while (q < qe) {
		const struct rp_known *ce = q + q->n;
		while (q < ce && known_false_term(c, q))
			q++;
		if (q == ce)
			return 1;
		q = ce;
	}
	return 0;
}

/* The rule's guard, its known conditions, then its root. Inlined into the entry loop by force:
 * most entries end at their guard, and as a call (gcc kept it one) the
 * register saves cost as much as the guard. */
static inline __attribute__((always_inline)) int eval_entry(const struct rp_ctx *c, const struct rule_program *p,
							    uint32_t k)
{
	const struct rp_guard *g = &p->guard[k];
	if (g->kind == RP_GROUP) {
		if (!rule_group_bit(c->gm, g->slot, g->op, c->ex, c->ectx))
			return 0;
	} else if (g->kind == RP_MEMO) {
		uint8_t v = c->memo[g->slot - 1];
		if (v == 1 || (!v && !run(c, g->op)))
			return 0;
	}
	if (g->nknown && known_false(c, p, g))
		return 0;
	return run(c, p->entry[k]);
}

int rule_program_eval(struct rule_program *p, uint32_t k, uint16_t evttype, rule_extract_fn ex, void *ectx)
{
	struct rp_ctx c = {p->ops, p->memo, &p->gm, ex, ectx, evttype};
	return eval_entry(&c, p, k);
}

int rule_program_ahead_group(const struct rule_program *p, uint16_t t, uint16_t field_id, uint32_t *group,
			     uint32_t *nwords)
{
	const struct rp_index *x = p->index && t < p->ntypes ? p->index[t] : NULL;
	for (uint32_t i = 0; x && i < x->ngroups; i++)
		if (rule_group_reads(p->groups[t], x->groups[i], field_id)) {
			*group = x->groups[i];
			*nwords = rule_group_nwords(p->groups[t], x->groups[i]);
			return 0;
		}
	return -1;
}

/* The indexed type's entries to try this event, as a bitmap in p->cand. */
static void index_candidates(const struct rp_ctx *c, struct rule_program *p, const struct rp_index *x)
{
	struct cond_memo *gm = c->gm;
	for (uint32_t i = 0; i < x->ngroups; i++)
		rule_group_ensure(gm, x->groups[i], c->ex, c->ectx);
	uint64_t *cand = p->cand;
	for (uint32_t i = 0; i < (x->nent + 63) / 64; i++)
		cand[i] = x->free[i];
	for (uint32_t r = 0; r < x->nrwords; r++) {
		uint32_t w = x->rwords[r];
		for (uint64_t m = gm->gwords[w] & x->relevant[w]; m; m &= m - 1) {
			uint32_t b = w * 64 + (uint32_t)__builtin_ctzll(m);
			for (uint32_t j = x->bit_off[b]; j < x->bit_off[b + 1]; j++)
				cand[x->ent[j] / 64] |= (uint64_t)1 << (x->ent[j] % 64);
		}
	}
	p->cand_ok = 1;
}

uint32_t rule_program_next(struct rule_program *p, uint32_t k, uint32_t end, uint16_t evttype, rule_extract_fn ex,
			   void *ectx)
{
	struct rp_ctx c = {p->ops, p->memo, &p->gm, ex, ectx, evttype};
	const struct rp_index *x = p->index ? p->index[evttype] : NULL;
	if (!x) {
		for (; k < end; k++)
			if (eval_entry(&c, p, k))
				return k;
		return end;
	}
	if (!p->cand_ok)
		index_candidates(&c, p, x);
	for (uint32_t i = k - x->base, e = end - x->base; i < e; i++) {
		uint64_t w = p->cand[i / 64] >> (i % 64);
		if (!w) {
			i |= 63; /* on to the next word */
			continue;
		}
		i += (uint32_t)__builtin_ctzll(w);
		if (i < e && eval_entry(&c, p, x->base + i))
			return x->base + i;
	}
	return end;
}
