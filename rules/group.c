/* rules/group.c: field groups: which checks join one, the value map and automaton built from their constants, the per-event fill. */
#include "rules/group_int.h"

#include <stdlib.h>
#include <string.h>

#include "rules/acmatch.h"
#include "rules/strset.h"

/* The constants of one operator (contains, startswith or endswith) in one
 * automaton; a hit on pattern k sets bits[off[k] .. off[k + 1]). */
struct grp_auto {
	struct acm *ac;
	uint32_t *off;
	uint32_t *bits;
};

enum { GA_CONTAINS, GA_STARTSWITH, GA_ENDSWITH, GA_N };

struct grp_pm {
	uint32_t bit;
	const struct pmatch_trie *trie;
};

/* A glob pattern (the member's constant, owned by its check) and the
 * length of its literal start, compared before the pattern is walked. */
struct grp_glob {
	uint32_t bit;
	const char *pat;
	size_t plen, lit;
};

/* The bytes before a glob's first special character. */
static size_t glob_literal_start(const struct cc_check *c)
{
	const char *k = c->k.v.s ? c->k.v.s : "";
	size_t kl = rule_value_str_len(&c->k), i = 0;
	while (i < kl && k[i] != '*' && k[i] != '?' && k[i] != '[' && k[i] != '\\')
		i++;
	return i;
}

struct rule_group {
	const struct cc_operand *lhs; /* the first member's: all members read the same field */
	uint32_t word0, nwords;       /* result bits: gwords[word0 .. word0 + nwords) */
	struct strset *exact;         /* value -> key number for ex_off */
	uint32_t *ex_off;             /* key number -> range of ex_bits */
	uint32_t *ex_bits;
	uint32_t *always;             /* empty constants: true whenever the field has a value */
	size_t nalways;
	struct grp_auto au[GA_N];
	struct grp_pm *pm;
	size_t npm;
	struct grp_glob *gl;
	size_t ngl;
};

/* One entry per collected check, in sorted order: what decides the layout
 * (its field, its structural hash) and the tags it received. Two builds
 * whose entries agree produce the same groups, so the later one reuses the
 * earlier's (rule_groups_build_shared). */
struct grp_sig {
	uint64_t h1, h2;
	uint32_t field;
	uint32_t grp, gbit;
};

struct rule_groups {
	struct rule_group *g;
	/* Per group: its value cache (rules/group_cache.c), made on the group's
	 * first fill when it has automata or tries to save; NULL before. Like
	 * the memo, mutable: a rule set is evaluated by one thread at a time. */
	struct grp_cache **cache;
	size_t n;
	size_t nwords;
	size_t refs;                 /* owners: one per event type sharing it */
	struct grp_sig *sig;
	size_t nsig;
	uint64_t sighash;
};

static int eligible(const struct cc_check *c)
{
	if (c->cls != CLS_STRING || c->lhs.ntr || c->lhs.is_list || c->any_ancestor || c->per_element || c->rhs ||
	    c->mod)
		return 0;
	if (c->lhs.def->flags & (RFF_LIST | RFF_EITHER))
		return 0;
	switch (c->op) {
	case OP_EQ:
		return 1;
	case OP_IN:
		return c->set != NULL;
	case OP_PMATCH:
		return c->trie != NULL;
	case OP_GLOB:
		/* Only a glob with a literal start, such as the "/proc/" of the
		 * environ files' pattern: that start turns most values away at
		 * one compare. A glob that starts with a wildcard is walked in
		 * full on every value, dearer than leaving it behind the checks
		 * its rule tests first. */
		return glob_literal_start(c) > 0;
	case OP_CONTAINS:
	case OP_STARTSWITH:
	case OP_ENDSWITH:
		return 1;
	}
	return 0;
}

static int same_field(const struct cc_operand *a, const struct cc_operand *b)
{
	if (a->def != b->def || a->ref.has_arg != b->ref.has_arg || a->ref.arg_index != b->ref.arg_index ||
	    a->ref.arg_param != b->ref.arg_param)
		return 0;
	if (!a->ref.arg || !b->ref.arg)
		return a->ref.arg == b->ref.arg;
	return strcmp(a->ref.arg, b->ref.arg) == 0;
}

/* ---- collection ---------------------------------------------------------- */

#define COLLECTING UINT32_MAX

struct cand {
	struct cc_node *node;
	uint32_t field;              /* index into the field representatives */
	uint32_t bit;                /* member number within its field, then absolute bit */
};

struct collect {
	struct cand *v;
	size_t n, cap;
	const struct cc_operand **field;  /* one representative per distinct field */
	size_t nfield, capfield;
	int oom;
};

static uint32_t field_of(struct collect *cl, const struct cc_operand *op)
{
	for (size_t i = 0; i < cl->nfield; i++)
		if (same_field(cl->field[i], op))
			return (uint32_t)i;
	if (cl->nfield == cl->capfield) {
		size_t nc = cl->capfield ? cl->capfield * 2 : 16;
		const struct cc_operand **nf = realloc(cl->field, nc * sizeof(*nf));
		if (!nf) {
			cl->oom = 1;
			return UINT32_MAX;
		}
		cl->field = nf;
		cl->capfield = nc;
	}
	cl->field[cl->nfield] = op;
	return (uint32_t)cl->nfield++;
}

static void collect(struct collect *cl, struct cc_node *n)
{
	if (cl->oom)
		return;
	if (n->kind == CC_CHECK) {
		if (n->grp || !eligible(n->chk))
			return;
		uint32_t f = field_of(cl, &n->chk->lhs);
		if (f == UINT32_MAX)
			return;
		if (cl->n == cl->cap) {
			size_t nc = cl->cap ? cl->cap * 2 : 256;
			struct cand *nv = realloc(cl->v, nc * sizeof(*nv));
			if (!nv) {
				cl->oom = 1;
				return;
			}
			cl->v = nv;
			cl->cap = nc;
		}
		n->grp = COLLECTING;
		cl->v[cl->n++] = (struct cand){n, f, 0};
		return;
	}
	for (uint32_t i = 0; i < n->nkids; i++)
		collect(cl, n->kids[i]);
}

/* ---- one group's structures --------------------------------------------- */

struct pair {
	const char *key;
	size_t len;
	uint32_t bit;
	uint32_t id;                 /* key number */
};

struct pairs {
	struct pair *v;
	size_t n, cap;
};

static int pair_push(struct pairs *p, const char *key, size_t len, uint32_t bit)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct pair *nv = realloc(p->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = (struct pair){key, len, bit, 0};
	return 0;
}

struct set_items {
	struct pairs *p;
	uint32_t bit;
};

static int add_set_item(void *ctx, const char *key, size_t len)
{
	struct set_items *si = ctx;
	return pair_push(si->p, key, len, si->bit) < 0 ? -1 : 0;
}

/* Numbers the distinct keys of p (->id) in a new map; returns the count or -1. */
static long number_keys(struct pairs *p, struct strset **map)
{
	*map = strset_new(p->n);
	if (!*map)
		return -1;
	uint32_t next = 0;
	for (size_t i = 0; i < p->n; i++) {
		uint32_t have;
		int r = strset_put_val(*map, p->v[i].key, p->v[i].len, next, &have);
		if (r < 0)
			return -1;
		p->v[i].id = r == 1 ? have : next++;
	}
	return (long)next;
}

/* Counting sort of p by id: off[id]..off[id+1] index the sorted order. */
static int by_id(const struct pairs *p, size_t nids, uint32_t **off_out, uint32_t **order_out)
{
	uint32_t *off = calloc(nids + 1, sizeof(*off));
	uint32_t *order = malloc((p->n ? p->n : 1) * sizeof(*order));
	uint32_t *fill = calloc(nids + 1, sizeof(*fill));
	if (!off || !order || !fill) {
		free(off);
		free(order);
		free(fill);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		off[p->v[i].id + 1]++;
	for (size_t k = 0; k < nids; k++)
		off[k + 1] += off[k];
	for (size_t i = 0; i < p->n; i++)
		order[off[p->v[i].id] + fill[p->v[i].id]++] = (uint32_t)i;
	free(fill);
	*off_out = off;
	*order_out = order;
	return 0;
}

static int build_exact(struct rule_group *g, struct pairs *p)
{
	if (!p->n)
		return 0;
	long nk = number_keys(p, &g->exact);
	uint32_t *order;
	if (nk < 0 || by_id(p, (size_t)nk, &g->ex_off, &order) < 0)
		return -1;
	g->ex_bits = malloc(p->n * sizeof(*g->ex_bits));
	if (!g->ex_bits) {
		free(order);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		g->ex_bits[i] = p->v[order[i]].bit;
	free(order);
	return 0;
}

static int build_auto(struct grp_auto *au, struct pairs *p, enum acm_mode mode)
{
	if (!p->n)
		return 0;
	struct strset *map;
	long np = number_keys(p, &map);
	uint32_t *order = NULL;
	int rc = -1;
	if (np < 0 || by_id(p, (size_t)np, &au->off, &order) < 0)
		goto out;
	au->bits = malloc(p->n * sizeof(*au->bits));
	au->ac = acm_new(mode);
	if (!au->bits || !au->ac)
		goto out;
	for (long k = 0; k < np; k++) {
		const struct pair *first = &p->v[order[au->off[k]]];
		if (acm_add(au->ac, first->key, first->len, (uint32_t)k) < 0)
			goto out;
	}
	for (size_t i = 0; i < p->n; i++)
		au->bits[i] = p->v[order[i]].bit;
	rc = acm_build(au->ac);
out:
	strset_free(map);
	free(order);
	return rc;
}

/* Builds g from its members (cands with the same field, bits assigned). */
static int build_group(struct rule_group *g, struct cand *const *m, size_t nm)
{
	struct pairs exact = {0}, pats[GA_N] = {{0}};
	int rc = -1;
	g->always = malloc(nm * sizeof(*g->always));
	g->pm = malloc(nm * sizeof(*g->pm));
	g->gl = malloc(nm * sizeof(*g->gl));
	if (!g->always || !g->pm || !g->gl)
		goto out;
	for (size_t i = 0; i < nm; i++) {
		const struct cc_check *c = m[i]->node->chk;
		uint32_t bit = m[i]->bit;
		const char *k = c->k.v.s ? c->k.v.s : "";
		size_t kl = rule_value_str_len(&c->k);
		switch (c->op) {
		case OP_EQ:
			if (pair_push(&exact, k, kl, bit) < 0)
				goto out;
			break;
		case OP_IN: {
			struct set_items si = {&exact, bit};
			if (strset_each(c->set, add_set_item, &si))
				goto out;
			break;
		}
		case OP_PMATCH:
			g->pm[g->npm++] = (struct grp_pm){bit, c->trie};
			break;
		case OP_GLOB:
			g->gl[g->ngl++] = (struct grp_glob){bit, k, kl, glob_literal_start(c)};
			break;
		default: {
			int a = c->op == OP_CONTAINS ? GA_CONTAINS : c->op == OP_STARTSWITH ? GA_STARTSWITH : GA_ENDSWITH;
			if (kl == 0)
				g->always[g->nalways++] = bit;
			else if (pair_push(&pats[a], k, kl, bit) < 0)
				goto out;
		}
		}
	}
	if (build_exact(g, &exact) < 0 || build_auto(&g->au[GA_CONTAINS], &pats[GA_CONTAINS], ACM_SUBSTRING) < 0 ||
	    build_auto(&g->au[GA_STARTSWITH], &pats[GA_STARTSWITH], ACM_PREFIX) < 0 ||
	    build_auto(&g->au[GA_ENDSWITH], &pats[GA_ENDSWITH], ACM_SUFFIX) < 0)
		goto out;
	rc = 0;
out:
	free(exact.v);
	for (int a = 0; a < GA_N; a++)
		free(pats[a].v);
	return rc;
}

static void group_fini(struct rule_group *g)
{
	strset_free(g->exact);
	free(g->ex_off);
	free(g->ex_bits);
	free(g->always);
	for (int a = 0; a < GA_N; a++) {
		acm_free(g->au[a].ac);
		free(g->au[a].off);
		free(g->au[a].bits);
	}
	free(g->pm);
	free(g->gl);
}

void rule_groups_free(struct rule_groups *gs)
{
	if (!gs || --gs->refs)
		return;
	for (size_t i = 0; i < gs->n; i++) {
		group_fini(&gs->g[i]);
		if (gs->cache)
			grp_cache_free(gs->cache[i]);
	}
	free(gs->cache);
	free(gs->g);
	free(gs->sig);
	free(gs);
}

/* ---- building all groups ------------------------------------------------- */

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	if (x->node->h1 != y->node->h1)
		return x->node->h1 < y->node->h1 ? -1 : 1;
	if (x->node->h2 != y->node->h2)
		return x->node->h2 < y->node->h2 ? -1 : 1;
	return 0;
}

/* Tags the members of field f (cl->v[lo..hi), sorted by hash) as group gi
 * when there are enough distinct checks; returns the distinct count. */
static size_t number_members(struct cand *v, size_t lo, size_t hi)
{
	size_t distinct = 0;
	for (size_t i = lo; i < hi; i++) {
		int dup = i > lo && v[i].node->h1 == v[i - 1].node->h1 && v[i].node->h2 == v[i - 1].node->h2;
		if (!dup)
			distinct++;
		v[i].bit = (uint32_t)(distinct - 1);
	}
	return distinct;
}

static uint64_t sig_hash(const struct cand *v, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ n;
	for (size_t i = 0; i < n; i++) {
		h = (h ^ v[i].node->h1) * 1099511628211ull;
		h = (h ^ v[i].node->h2 ^ ((uint64_t)v[i].field << 32)) * 1099511628211ull;
	}
	return h;
}

/* An earlier build with the same sorted candidates, or NULL. */
static struct rule_groups *same_layout(struct rule_groups *const *prev, size_t nprev, const struct cand *v,
				       size_t n, uint64_t h)
{
	for (size_t p = 0; p < nprev; p++) {
		struct rule_groups *o = prev[p];
		if (!o || o->sighash != h || o->nsig != n)
			continue;
		size_t i = 0;
		while (i < n && o->sig[i].h1 == v[i].node->h1 && o->sig[i].h2 == v[i].node->h2 &&
		       o->sig[i].field == v[i].field)
			i++;
		if (i == n)
			return o;
	}
	return NULL;
}

struct rule_groups *rule_groups_build(struct cc_node *const *roots, size_t nroots)
{
	return rule_groups_build_shared(roots, nroots, NULL, 0);
}

struct rule_groups *rule_groups_build_shared(struct cc_node *const *roots, size_t nroots,
					     struct rule_groups *const *prev, size_t nprev)
{
	struct collect cl = {0};
	for (size_t i = 0; i < nroots; i++)
		if (roots[i])
			collect(&cl, roots[i]);
	struct rule_groups *gs = calloc(1, sizeof(*gs));
	struct cand **members = malloc((cl.n ? cl.n : 1) * sizeof(*members));
	if (gs)
		gs->refs = 1;
	if (!gs || !members || cl.oom)
		goto fail;
	if (cl.n) /* qsort must not see the NULL of an empty list */
		qsort(cl.v, cl.n, sizeof(*cl.v), cmp_cand);
	uint64_t h = sig_hash(cl.v, cl.n);
	struct rule_groups *o = cl.n ? same_layout(prev, nprev, cl.v, cl.n, h) : NULL;
	if (o) {
		/* equal (field, hash) at each place: the tags are equal too */
		for (size_t i = 0; i < cl.n; i++) {
			cl.v[i].node->grp = o->sig[i].grp;
			cl.v[i].node->gbit = o->sig[i].gbit;
		}
		o->refs++;
		free(cl.v);
		free(cl.field);
		free(members);
		free(gs);
		return o;
	}
	gs->sighash = h;
	gs->g = calloc(cl.nfield ? cl.nfield : 1, sizeof(*gs->g));
	gs->cache = calloc(cl.nfield ? cl.nfield : 1, sizeof(*gs->cache));
	if (!gs->g || !gs->cache)
		goto fail;
	for (size_t lo = 0, hi; lo < cl.n; lo = hi) {
		for (hi = lo; hi < cl.n && cl.v[hi].field == cl.v[lo].field; hi++)
			;
		size_t distinct = number_members(cl.v, lo, hi);
		if (distinct < GROUP_MIN_CHECKS)
			continue;
		struct rule_group *g = &gs->g[gs->n];
		g->lhs = &cl.v[lo].node->chk->lhs;
		g->word0 = (uint32_t)gs->nwords;
		g->nwords = (uint32_t)((distinct + 63) / 64);
		size_t nm = 0;
		for (size_t i = lo; i < hi; i++) {
			cl.v[i].bit += g->word0 * 64;
			if (i == lo || cl.v[i].bit != cl.v[i - 1].bit)
				members[nm++] = &cl.v[i];
		}
		if (build_group(g, members, nm) < 0) {
			/* e.g. constants using every byte value: these checks stay plain */
			group_fini(g);
			memset(g, 0, sizeof(*g));
			continue;
		}
		for (size_t i = lo; i < hi; i++) {
			cl.v[i].node->grp = (uint32_t)gs->n + 1;
			cl.v[i].node->gbit = cl.v[i].bit;
		}
		gs->nwords += g->nwords;
		gs->n++;
	}
	for (size_t i = 0; i < cl.n; i++)
		if (cl.v[i].node->grp == COLLECTING)
			cl.v[i].node->grp = 0;
	if (gs->n && (gs->sig = malloc(cl.n * sizeof(*gs->sig)))) {
		gs->nsig = cl.n;
		for (size_t i = 0; i < cl.n; i++)
			gs->sig[i] = (struct grp_sig){cl.v[i].node->h1, cl.v[i].node->h2, cl.v[i].field,
						      cl.v[i].node->grp, cl.v[i].node->gbit};
	} /* else: not shareable, still usable */
	free(cl.v);
	free(cl.field);
	free(members);
	if (!gs->n) {
		rule_groups_free(gs);
		return NULL;
	}
	return gs;
fail:
	for (size_t i = 0; i < cl.n; i++)
		cl.v[i].node->grp = 0;
	free(cl.v);
	free(cl.field);
	free(members);
	rule_groups_free(gs);
	return NULL;
}

size_t rule_groups_count(const struct rule_groups *gs)
{
	return gs ? gs->n : 0;
}

size_t rule_groups_words(const struct rule_groups *gs)
{
	return gs ? gs->nwords : 0;
}

/* ---- per event ----------------------------------------------------------- */

static inline void set_bit(uint64_t *bits, uint32_t b)
{
	bits[b >> 6] |= (uint64_t)1 << (b & 63);
}

struct scan_ctx {
	const struct grp_auto *au;
	uint64_t *words;
	uint32_t bit0;
};

static void on_hit(void *ctx, uint32_t id, size_t end)
{
	(void)end; /* the automaton's mode already anchors the match */
	struct scan_ctx *sc = ctx;
	for (uint32_t k = sc->au->off[id]; k < sc->au->off[id + 1]; k++)
		set_bit(sc->words, sc->au->bits[k] - sc->bit0);
}

/* Group g's answer for value s into its words (zeroed by the caller):
 * member bits are numbered across all groups, from g->word0 * 64 here. */
static void fill_bits(const struct rule_group *g, const char *s, size_t len, uint64_t *words)
{
	uint32_t bit0 = g->word0 * 64;
	for (size_t i = 0; i < g->nalways; i++)
		set_bit(words, g->always[i] - bit0);
	uint32_t key;
	if (g->exact && strset_get_val(g->exact, s, len, &key))
		for (uint32_t k = g->ex_off[key]; k < g->ex_off[key + 1]; k++)
			set_bit(words, g->ex_bits[k] - bit0);
	for (int a = 0; a < GA_N; a++)
		if (g->au[a].ac) {
			struct scan_ctx sc = {&g->au[a], words, bit0};
			acm_scan(g->au[a].ac, s, len, on_hit, &sc);
		}
	for (size_t i = 0; i < g->npm; i++)
		if (pmatch_trie_match(g->pm[i].trie, s, len))
			set_bit(words, g->pm[i].bit - bit0);
	for (size_t i = 0; i < g->ngl; i++) {
		const struct grp_glob *gl = &g->gl[i];
		if (len >= gl->lit && memcmp(s, gl->pat, gl->lit) == 0 && cond_glob_match(gl->pat, gl->plen, s, len, 0))
			set_bit(words, gl->bit - bit0);
	}
}

/* Worth caching: the value is scanned by automata or walked in tries,
 * which a cached answer replaces by one hash and one compare. A group of
 * exact values alone is already one hash lookup. */
static int scans(const struct rule_group *g)
{
	return g->npm || g->ngl || g->au[GA_CONTAINS].ac || g->au[GA_STARTSWITH].ac || g->au[GA_ENDSWITH].ac;
}

/* Group g's answer for value s into its zeroed words, through the value
 * cache *cachep (made on first use). */
static inline __attribute__((always_inline)) void answer(const struct rule_group *g, const char *s, size_t len,
							 uint64_t *words, struct grp_cache **cachep)
{
	/* The bits are a function of the value alone, and the same paths and
	 * names come back event after event. */
	if (!cachep || len > GRP_CACHE_KEY_MAX) {
		fill_bits(g, s, len, words);
		return;
	}
	struct grp_cache *c = *cachep;
	if (!c)
		c = *cachep = grp_cache_new(g->nwords, scans(g) ? GRP_CACHE_SLOTS : 1);
	struct grp_cache_pos pos;
	if (grp_cache_last(c, s, len, words) || grp_cache_get(c, s, len, words, &pos))
		return;
	fill_bits(g, s, len, words);
	grp_cache_put(c, &pos, s, len, words);
}

int rule_group_scans(const struct rule_groups *gs, uint32_t gi)
{
	return scans(&gs->g[gi]);
}

void rule_group_fill(const struct rule_groups *gs, uint32_t gi, rule_extract_fn ex, void *ectx,
		     struct cond_memo *memo)
{
	const struct rule_group *g = &gs->g[gi];
	uint64_t *words = memo->gwords + g->word0;
	memo->ggen[gi] = memo->gen;
	memset(words, 0, g->nwords * sizeof(*words));
	struct rule_value v;
	const struct rule_value *list;
	if (cc_operand_get(g->lhs, &g->lhs->ref, ex, ectx, &v, &list) <= 0)
		return; /* no value: every check is false, as in the plain walk */
	answer(g, v.v.s ? v.v.s : "", rule_value_str_len(&v), words, &gs->cache[gi]);
}

int rule_group_reads(const struct rule_groups *gs, uint32_t gi, uint16_t field_id)
{
	const struct cc_operand *op = gs->g[gi].lhs;
	return !op->ref.has_arg && op->def->id == field_id;
}

uint32_t rule_group_nwords(const struct rule_groups *gs, uint32_t gi)
{
	return gs->g[gi].nwords;
}

void rule_group_answer(const struct rule_groups *gs, uint32_t gi, const char *s, size_t len, uint64_t *words,
		       struct grp_cache **cachep)
{
	const struct rule_group *g = &gs->g[gi];
	memset(words, 0, g->nwords * sizeof(*words));
	answer(g, s, len, words, cachep);
}

void rule_group_give(struct cond_memo *memo, uint32_t gi, const uint64_t *words)
{
	const struct rule_group *g = &memo->groups->g[gi];
	memo->ggen[gi] = memo->gen;
	memcpy(memo->gwords + g->word0, words, g->nwords * sizeof(*words));
}
