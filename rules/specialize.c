/* rules/specialize.c: per-event-type copies of compiled conditions with their evt.type tests folded away. */
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

/*
 * Rules are evaluated only for the event types they are indexed under, yet
 * most of their macros still test evt.type (open_write, spawned_process,
 * inbound_outbound...): on an openat exit every one of those tests is
 * already decided. Folding them per type leaves only the checks that depend
 * on the event, and drops a rule from a type when it cannot match it.
 *
 * A copy is made only along a path that changes; unchanged subtrees are
 * shared with the original, which stays the owner of checks and bitmaps. A
 * copy keeps its source's memo slot: for an event of type t the folded
 * subtree has the value of the original, whichever rule it came from.
 */

static struct cc_node *pool_node(struct cc_spec_pool *p, uint8_t kind, uint32_t memo, uint32_t nkids)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 256;
		struct cc_node **v = realloc(p->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	struct cc_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	if (nkids && !(n->kids = calloc(nkids, sizeof(*n->kids)))) {
		free(n);
		return NULL;
	}
	n->kind = kind;
	n->memo = memo;
	n->nkids = nkids;
	p->v[p->n++] = n;
	return n;
}

struct cc_node *cc_spec_true(struct cc_spec_pool *p)
{
	return pool_node(p, CC_AND, 0, 0);
}

void cc_spec_pool_free(struct cc_spec_pool *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i]->kids);
		free(p->v[i]);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* AND/OR: kids that are the operator's identity are dropped; an absorbing
 * kid decides the node. */
static int fold_junction(struct cc_node *n, uint16_t t, struct cc_spec_pool *p, struct cc_node **out)
{
	int absorbing = n->kind == CC_OR; /* OR: a true kid decides; AND: a false one */
	struct cc_node *stack_kids[64];
	struct cc_node **kids = n->nkids <= 64 ? stack_kids : malloc(n->nkids * sizeof(*kids));
	if (!kids) {
		*out = n;
		return -1;
	}
	uint32_t nk = 0;
	int changed = 0, r = -1;
	for (uint32_t i = 0; i < n->nkids; i++) {
		struct cc_node *k;
		int c = cc_specialize(n->kids[i], t, p, &k);
		if (c == absorbing) {
			r = absorbing;
			goto done;
		}
		if (c >= 0) {
			changed = 1;
			continue;
		}
		changed |= k != n->kids[i];
		kids[nk++] = k;
	}
	if (nk == 0) {
		r = !absorbing; /* every kid was the identity */
		goto done;
	}
	if (!changed) {
		*out = n;
		goto done;
	}
	if (nk == 1 && !n->memo) {
		*out = kids[0];
		goto done;
	}
	struct cc_node *c = pool_node(p, n->kind, n->memo, nk);
	if (!c) {
		*out = n;
		goto done;
	}
	memcpy(c->kids, kids, nk * sizeof(*kids));
	*out = c;
done:
	if (kids != stack_kids)
		free(kids);
	return r;
}

int cc_specialize(struct cc_node *n, uint16_t t, struct cc_spec_pool *p, struct cc_node **out)
{
	*out = n;
	switch (n->kind) {
	case CC_EVTTYPE: {
		int in = t < n->nbits && n->bitmap[t];
		return n->negate ? !in : in;
	}
	case CC_CHECK:
		return -1;
	case CC_NOT: {
		struct cc_node *k;
		int c = cc_specialize(n->kids[0], t, p, &k);
		if (c >= 0)
			return !c;
		if (k == n->kids[0])
			return -1;
		struct cc_node *x = pool_node(p, CC_NOT, n->memo, 1);
		if (x) {
			x->kids[0] = k;
			*out = x;
		}
		return -1;
	}
	case CC_AND:
	case CC_OR:
		return fold_junction(n, t, p, out);
	}
	return -1;
}
