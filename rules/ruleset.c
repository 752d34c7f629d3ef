/* rules/ruleset.c: the compiled rule set: selection, the event-type index, evaluation order and introspection. */
#include "rules/cond.h"
#include "rules/cond_int.h"
#include "rules/group_int.h"
#include "rules/loader_int.h"
#include "rules/program_int.h"

#include <stdlib.h>
#include <string.h>

struct rs_rule {
	struct rule_info info;
	char **tags;
	struct cond_compiled *cc;
	struct rule_format *fmt;
	uint8_t *typemap;
	int runnable;
	int prio_ok;
};

struct rule_set {
	struct rs_rule *rules;
	size_t n;
	size_t nmacros, nlists;
	uint16_t ntypes;
	int match_all;
	uint32_t *off;  /* ntypes + 1 offsets into idx */
	uint32_t *idx;  /* rule indices, definition order per type */
	const struct cc_node **root; /* per idx entry: the condition folded for that type */
	struct cc_spec_pool spool;   /* owns the folded copies */
	/* Shared-subtree results of the event being evaluated: a cache, so
	 * rule_set_eval stays logically const (one set per thread). */
	struct cond_memo memo;
	size_t nslots;
	struct rule_groups *groups;  /* NULL: plain evaluation (rule_load_opts.plain_evaluation) */
	struct rule_program *prog;   /* the index laid out flat; NULL (out of memory): the tree walk */
};

struct rule_set *rs_new(size_t nrules, uint16_t n_evttypes)
{
	struct rule_set *rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->rules = calloc(nrules ? nrules : 1, sizeof(*rs->rules));
	rs->n = nrules;
	rs->ntypes = n_evttypes;
	return rs;
}

void rs_set_rule(struct rule_set *rs, size_t i, const struct ld_rule *r, struct cond_compiled *cc,
		 struct rule_format *fmt, const char *output, const uint8_t *typemap, int runnable)
{
	struct rs_rule *x = &rs->rules[i];
	x->info.name = ld_strdup(r->name);
	x->info.desc = ld_strdup(r->desc);
	x->info.condition = ld_strdup(r->cond);
	x->info.output = ld_strdup(output ? output : "");
	x->info.source = ld_strdup(r->source);
	x->info.priority = r->priority;
	x->info.enabled = r->enabled;
	x->info.capture = r->capture;
	x->info.capture_duration_ms = r->capture_duration_ms;
	x->info.file = ld_strdup(r->pos.file ? r->pos.file : "");
	x->info.line = r->pos.line;
	x->tags = ld_xrealloc(NULL, (r->ntags ? r->ntags : 1) * sizeof(*x->tags));
	for (size_t k = 0; k < r->ntags; k++)
		x->tags[k] = ld_strdup(r->tags[k]);
	x->info.tags = (const char *const *)x->tags;
	x->info.ntags = r->ntags;
	x->cc = cc;
	x->fmt = fmt;
	if (typemap && rs->ntypes) {
		x->typemap = ld_xrealloc(NULL, rs->ntypes);
		memcpy(x->typemap, typemap, rs->ntypes);
	}
	x->runnable = runnable && cc != NULL;
}

void rule_set_free(struct rule_set *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++) {
		struct rs_rule *x = &rs->rules[i];
		free((char *)x->info.name);
		free((char *)x->info.desc);
		free((char *)x->info.condition);
		free((char *)x->info.output);
		free((char *)x->info.source);
		free((char *)x->info.file);
		for (size_t k = 0; k < x->info.ntags; k++)
			free(x->tags[k]);
		free(x->tags);
		if (x->cc)
			cond_compiled_free(x->cc);
		if (x->fmt)
			rule_format_free(x->fmt);
		free(x->typemap);
	}
	free(rs->rules);
	free(rs->off);
	free(rs->idx);
	free(rs->root);
	cc_spec_pool_free(&rs->spool);
	free(rs->memo.slots);
	free(rs->memo.ggen);
	free(rs->memo.gwords);
	rule_groups_free(rs->groups);
	rule_program_free(rs->prog);
	free(rs);
}

static int has_tag(const struct rs_rule *x, const char *tag)
{
	for (size_t k = 0; k < x->info.ntags; k++)
		if (!strcmp(x->tags[k], tag))
			return 1;
	return 0;
}

static void apply_selection(struct rule_set *rs, const struct rule_loader *l)
{
	int only_seen = 0;
	for (size_t s = 0; s < l->nsel; s++) {
		const struct ld_select *sel = &l->sel[s];
		if (sel->kind == LD_SEL_ENABLE_ONLY_TAG && !only_seen) {
			only_seen = 1;
			for (size_t i = 0; i < rs->n; i++)
				rs->rules[i].info.enabled = 0;
		}
		for (size_t i = 0; i < rs->n; i++) {
			struct rs_rule *x = &rs->rules[i];
			int match = 0;
			switch (sel->kind) {
			case LD_SEL_DISABLE_SUBSTR:
				match = strstr(x->info.name, sel->pattern) != NULL;
				break;
			case LD_SEL_DISABLE_TAG:
			case LD_SEL_ENABLE_ONLY_TAG:
				match = has_tag(x, sel->tag);
				break;
			case LD_SEL_GLOB:
				match = (!sel->pattern || ld_glob_match(sel->pattern, x->info.name)) &&
					(!sel->tag || has_tag(x, sel->tag));
				break;
			}
			if (match)
				x->info.enabled = sel->enable;
		}
	}
}

/* Subtree census: open addressing on the two structural hashes. */
struct census {
	struct census_ent { uint64_t h1, h2; uint32_t count, slot; } *v;
	size_t cap, n;
};

static struct census_ent *census_find(struct census *c, uint64_t h1, uint64_t h2)
{
	for (size_t i = h1 & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		struct census_ent *e = &c->v[i];
		if (!e->count || (e->h1 == h1 && e->h2 == h2))
			return e;
	}
}

static int census_grow(struct census *c)
{
	struct census old = *c;
	c->cap = old.cap ? old.cap * 2 : 1024;
	c->v = calloc(c->cap, sizeof(*c->v));
	if (!c->v) {
		*c = old;
		return -1;
	}
	c->n = 0;
	for (size_t i = 0; i < old.cap; i++)
		if (old.v[i].count) {
			*census_find(c, old.v[i].h1, old.v[i].h2) = old.v[i];
			c->n++;
		}
	free(old.v);
	return 0;
}

static void census_walk(struct census *c, struct cc_node *n, int assign, uint32_t *nslots)
{
	if (n->kind == CC_EVTTYPE)
		return; /* a byte test: cheaper than the memo */
	if ((c->n + 1) * 2 > c->cap && !assign && census_grow(c) < 0)
		return;
	struct census_ent *e = census_find(c, n->h1, n->h2);
	if (!assign) {
		if (!e->count) {
			e->h1 = n->h1;
			e->h2 = n->h2;
			c->n++;
		}
		e->count++;
	} else if (e->count > 1) {
		if (!e->slot)
			e->slot = ++*nslots;
		n->memo = e->slot;
	}
	for (uint32_t i = 0; i < n->nkids; i++)
		census_walk(c, n->kids[i], assign, nslots);
}

static void memo_clear(struct cc_node *n)
{
	n->memo = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		memo_clear(n->kids[i]);
}

static void groups_clear(struct cc_node *n)
{
	n->grp = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		groups_clear(n->kids[i]);
}

/* Gives every subtree that occurs more than once among the enabled rules a
 * memo slot, so its result is computed once per event. */
static void assign_memo_slots(struct rule_set *rs)
{
	struct census c = { 0 };
	uint32_t nslots = 0;
	if (census_grow(&c) < 0)
		return;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].info.enabled && rs->rules[i].cc)
				census_walk(&c, rs->rules[i].cc->root, pass, &nslots);
	free(c.v);
	rs->memo.slots = nslots ? calloc(nslots, sizeof(*rs->memo.slots)) : NULL;
	rs->nslots = rs->memo.slots ? nslots : 0;
	if (nslots && !rs->memo.slots)
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].cc)
				memo_clear(rs->rules[i].cc->root);
}

/* Field groups over the enabled rules' conditions: the string checks many
 * rules make on one field become bits filled once per event. */
static void build_groups(struct rule_set *rs)
{
	struct cc_node **roots = calloc(rs->n ? rs->n : 1, sizeof(*roots));
	if (!roots)
		return;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i].info.enabled && rs->rules[i].cc)
			roots[i] = rs->rules[i].cc->root;
	struct rule_groups *gs = rule_groups_build(roots, rs->n);
	free(roots);
	if (!gs)
		return;
	rs->memo.ggen = calloc(rule_groups_count(gs), sizeof(*rs->memo.ggen));
	rs->memo.gwords = calloc(rule_groups_words(gs), sizeof(*rs->memo.gwords));
	if (!rs->memo.ggen || !rs->memo.gwords) {
		/* the tagged nodes are then evaluated plainly (memo.groups NULL) */
		free(rs->memo.ggen);
		free(rs->memo.gwords);
		rs->memo.ggen = NULL;
		rs->memo.gwords = NULL;
		rule_groups_free(gs);
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].cc)
				groups_clear(rs->rules[i].cc->root);
		return;
	}
	rs->groups = gs;
	rs->memo.groups = gs;
}

/* Per event type, the enabled rules indexed under it, each with its
 * condition folded for that type; a rule that folds to false is left out. */
static void build_index(struct rule_set *rs)
{
	size_t total = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++)
		for (size_t i = 0; i < rs->n; i++)
			if (rs->rules[i].info.enabled && rs->rules[i].typemap && rs->rules[i].typemap[t])
				total++;
	rs->off = calloc((size_t)rs->ntypes + 1, sizeof(*rs->off));
	rs->idx = calloc(total ? total : 1, sizeof(*rs->idx));
	rs->root = calloc(total ? total : 1, sizeof(*rs->root));
	if (!rs->off || !rs->idx || !rs->root) {
		/* an empty index: nothing is evaluated, never a wrong match */
		free(rs->off);
		rs->off = calloc((size_t)rs->ntypes + 1, sizeof(*rs->off));
		rs->ntypes = rs->off ? rs->ntypes : 0;
		return;
	}
	struct cc_node *always = NULL;
	size_t k = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++) {
		rs->off[t] = (uint32_t)k;
		for (size_t i = 0; i < rs->n; i++) {
			struct rs_rule *x = &rs->rules[i];
			if (!x->info.enabled || !x->typemap || !x->typemap[t])
				continue;
			struct cc_node *r;
			int c = cc_specialize(x->cc->root, t, &rs->spool, &r);
			if (c == 0)
				continue;
			if (c == 1) {
				if (!always)
					always = cc_spec_true(&rs->spool);
				r = always ? always : x->cc->root;
			}
			rs->idx[k] = (uint32_t)i;
			rs->root[k++] = r;
		}
	}
	rs->off[rs->ntypes] = (uint32_t)k;
}

void rs_finish(struct rule_set *rs, struct rule_loader *l, size_t nmacros, size_t nlists)
{
	rs->nmacros = nmacros;
	rs->nlists = nlists;
	rs->match_all = l->opts.rule_matching_all;
	for (size_t i = 0; i < rs->n; i++)
		rs->rules[i].prio_ok = rs->rules[i].info.priority <= l->opts.min_priority;
	apply_selection(rs, l);
	for (size_t i = 0; i < rs->n; i++)
		if (!rs->rules[i].prio_ok || !rs->rules[i].runnable)
			rs->rules[i].info.enabled = 0;
	assign_memo_slots(rs);
	build_index(rs);
	/* plain: the tree walk without groups, the reference the differential
	 * tests compare with. Grouped: the flat program with per-type groups,
	 * or, when it cannot be built, the tree walk with groups of all rules. */
	if (l->opts.plain_evaluation)
		return;
	if (rs->off)
		rs->prog = rule_program_build(rs->root, rs->off, rs->ntypes, rs->nslots, 1);
	if (!rs->prog)
		build_groups(rs);
}

const struct cond_compiled *rs_rule_cond(const struct rule_set *rs, size_t i)
{
	return i < rs->n && rs->rules[i].info.enabled ? rs->rules[i].cc : NULL;
}

const uint8_t *rs_rule_typemap(const struct rule_set *rs, size_t i)
{
	return i < rs->n && rs->rules[i].info.enabled ? rs->rules[i].typemap : NULL;
}

uint16_t rs_ntypes(const struct rule_set *rs)
{
	return rs->ntypes;
}

size_t rule_set_count(const struct rule_set *rs)
{
	return rs->n;
}

const struct rule_info *rule_set_rule(const struct rule_set *rs, size_t i)
{
	return i < rs->n ? &rs->rules[i].info : NULL;
}

size_t rule_set_macro_count(const struct rule_set *rs)
{
	return rs->nmacros;
}

size_t rule_set_list_count(const struct rule_set *rs)
{
	return rs->nlists;
}

const struct rule_format *rule_set_output(const struct rule_set *rs, size_t i)
{
	return i < rs->n ? rs->rules[i].fmt : NULL;
}

static void report(const struct rule_set *rs, uint32_t k, rule_match_fn on_match, void *mctx)
{
	if (on_match) {
		uint32_t i = rs->idx[k];
		struct rule_match m = {i, &rs->rules[i].info};
		on_match(mctx, &m);
	}
}

size_t rule_set_eval(const struct rule_set *rs, uint16_t evttype, rule_extract_fn extract, void *ectx,
		     rule_match_fn on_match, void *mctx)
{
	return rule_set_eval_given(rs, evttype, NULL, 0, extract, ectx, on_match, mctx);
}

size_t rule_set_eval_given(const struct rule_set *rs, uint16_t evttype, const struct rule_given *given,
			   size_t ngiven, rule_extract_fn extract, void *ectx, rule_match_fn on_match, void *mctx)
{
	if (evttype >= rs->ntypes)
		return 0;
	size_t matches = 0;
	uint32_t end = rs->off[evttype + 1];
	if (rs->prog) {
		rule_program_begin(rs->prog, evttype);
		for (size_t i = 0; i < ngiven; i++)
			rule_group_give(&rs->prog->gm, given[i].group, given[i].words);
		for (uint32_t k = rs->off[evttype]; k < end; k++) {
			k = rule_program_next(rs->prog, k, end, evttype, extract, ectx);
			if (k == end)
				break;
			matches++;
			report(rs, k, on_match, mctx);
			if (!rs->match_all)
				break;
		}
		return matches;
	}
	struct cond_memo *memo = rs->nslots || rs->groups ? (struct cond_memo *)&rs->memo : NULL;
	if (memo)
		memo->gen++;
	for (uint32_t k = rs->off[evttype]; k < end; k++) {
		if (!cc_node_eval_memo(rs->root[k], evttype, extract, ectx, memo))
			continue;
		matches++;
		report(rs, k, on_match, mctx);
		if (!rs->match_all)
			break;
	}
	return matches;
}

/* One thread's group caches, by group (a type's groups may be shared by
 * several types: one cache each). Grown when a group is first answered. */
struct rule_group_cache {
	struct rgc_entry {
		const struct rule_groups *gs;
		uint32_t group;
		struct grp_cache *cache;
	} *v;
	size_t n, cap;
};

struct rule_group_cache *rule_group_cache_new(void)
{
	return calloc(1, sizeof(struct rule_group_cache));
}

void rule_group_cache_free(struct rule_group_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		grp_cache_free(c->v[i].cache);
	free(c->v);
	free(c);
}

/* c's cache slot for group g of gs, NULL when it cannot grow. */
static struct grp_cache **group_cache_slot(struct rule_group_cache *c, const struct rule_groups *gs, uint32_t g)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].gs == gs && c->v[i].group == g)
			return &c->v[i].cache;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct rgc_entry *v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n] = (struct rgc_entry){gs, g, NULL};
	return &c->v[c->n++].cache;
}

int rule_set_ahead_group(const struct rule_set *rs, uint16_t t, uint16_t field_id, uint32_t *group, uint32_t *nwords)
{
	return rs->prog ? rule_program_ahead_group(rs->prog, t, field_id, group, nwords) : -1;
}

void rule_set_group_answer(const struct rule_set *rs, uint16_t t, uint32_t group, const char *s, size_t len,
			   uint64_t *words, struct rule_group_cache *c)
{
	const struct rule_groups *gs = rs->prog->groups[t];
	rule_group_answer(gs, group, s, len, words, c ? group_cache_slot(c, gs, group) : NULL);
}

int rule_set_wants(const struct rule_set *rs, uint16_t evttype)
{
	return evttype < rs->ntypes && rs->off[evttype] != rs->off[evttype + 1];
}

size_t rule_set_evttypes(const struct rule_set *rs, uint16_t *out, size_t cap)
{
	size_t n = 0;
	for (uint16_t t = 0; t < rs->ntypes; t++) {
		if (!rule_set_wants(rs, t))
			continue;
		if (n < cap)
			out[n] = t;
		n++;
	}
	return n;
}
