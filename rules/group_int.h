/* rules/group_int.h: field groups: the string checks many rules make on one field, answered together per event. */
#ifndef SAKER_RULES_GROUP_INT_H
#define SAKER_RULES_GROUP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/cond_int.h"

/*
 * For a field that enabled rules test with string operators in at least
 * GROUP_MIN_CHECKS distinct checks (fd.name, proc.name, proc.pname,
 * fd.directory...), one group holds all of those checks: a hash map from
 * value to the `=`/`in` checks it satisfies, one Aho-Corasick automaton for
 * every contains/startswith/endswith constant, and the pmatch tries. On the
 * first use of one of its checks in an event, the group reads the field once
 * and sets the result bit of every member; the rule walk (rules/eval.c) reads
 * bits instead of comparing, so which rules run, in which order, and how they
 * short-circuit are unchanged.
 */
#define GROUP_MIN_CHECKS 4

struct rule_groups;

/* Tags the eligible CC_CHECK nodes of the given condition roots (cc_node.grp,
 * gbit) and builds one group per field. NULL when no field qualifies or out
 * of memory (nodes are then left untagged: plain evaluation stays correct). */
struct rule_groups *rule_groups_build(struct cc_node *const *roots, size_t nroots);
/* Like rule_groups_build, but when one of prev[0 .. nprev) (NULLs allowed)
 * was built from the same checks, that one is returned with one more owner
 * and the nodes are tagged as it tagged its own: event types with the same
 * rules (open, openat, openat2...) share one set of maps and automata.
 * Each result is released with rule_groups_free. */
struct rule_groups *rule_groups_build_shared(struct cc_node *const *roots, size_t nroots,
					     struct rule_groups *const *prev, size_t nprev);
void rule_groups_free(struct rule_groups *gs); /* drops one owner */
size_t rule_groups_count(const struct rule_groups *gs);
/* Words of result bits and number of groups, to size cond_memo.gwords/ggen. */
size_t rule_groups_words(const struct rule_groups *gs);

/* Reads group g's field for the current event and sets its result bits in
 * memo->gwords; marks it done for memo->gen. */
void rule_group_fill(const struct rule_groups *gs, uint32_t g, rule_extract_fn ex, void *ectx,
		     struct cond_memo *memo);

/* Groups answered away from the evaluating thread (rule_set_group_answer,
 * rule_set_eval_given). Whether group gi reads field field_id (bare: no
 * argument); its result words. */
int rule_group_reads(const struct rule_groups *gs, uint32_t gi, uint16_t field_id);
uint32_t rule_group_nwords(const struct rule_groups *gs, uint32_t gi);
/* Whether group gi scans its value (automata, tries, globs) rather than
 * looking it up once. */
int rule_group_scans(const struct rule_groups *gs, uint32_t gi);
struct grp_cache;
/* Group gi's answer for value s into words (nwords of them), through the
 * caller's value cache *cachep (made on first use; the caller frees it
 * with grp_cache_free; cachep NULL: none). Reads only what the build made: another thread may
 * evaluate the same rules meanwhile. */
void rule_group_answer(const struct rule_groups *gs, uint32_t gi, const char *s, size_t len, uint64_t *words,
		       struct grp_cache **cachep);
/* Group gi of memo->groups filled for the current event with words. */
void rule_group_give(struct cond_memo *memo, uint32_t gi, const uint64_t *words);

/* A group's answers by value (rules/group_cache.c): a direct-mapped table
 * of nslots (a power of two) values of at most GRP_CACHE_KEY_MAX bytes and
 * their nwords result words, which first checks the value answered last.
 * grp_cache_new never fails: out of memory, it returns a cache that holds
 * nothing. grp_cache_get, called once grp_cache_last missed, copies the
 * words of s when present (1); else 0, and *pos says where grp_cache_put
 * stores them. */
#define GRP_CACHE_KEY_MAX 116
#define GRP_CACHE_SLOTS 1024
struct grp_cache_key {
	uint64_t hash;
	uint32_t len;      /* value length + 1; 0: empty slot */
	char key[GRP_CACHE_KEY_MAX];
};
struct grp_cache {
	uint32_t nwords, nslots;
	uint32_t last;     /* the slot answered last (its len is 0 while empty) */
	struct grp_cache_key *keys;
	uint64_t *words;   /* nslots * nwords */
};
struct grp_cache_pos {
	uint32_t slot;
	uint64_t hash;
};

/* Slot's words into words (a few: a loop, no memcpy call). */
static inline void grp_cache_words(const struct grp_cache *c, uint32_t slot, uint64_t *words)
{
	const uint64_t *w = c->words + (size_t)slot * c->nwords;
	for (uint32_t i = 0; i < c->nwords; i++)
		words[i] = w[i];
}

/* The value answered last again: its words into words (1), without
 * hashing; inline, as most fills of a process's run of events end here. */
static inline int grp_cache_last(const struct grp_cache *c, const char *s, size_t len, uint64_t *words)
{
	if (!c->nslots)
		return 0;
	const struct grp_cache_key *k = &c->keys[c->last];
	if (k->len != len + 1 || memcmp(k->key, s, len) != 0)
		return 0;
	grp_cache_words(c, c->last, words);
	return 1;
}
struct grp_cache *grp_cache_new(uint32_t nwords, uint32_t nslots);
void grp_cache_free(struct grp_cache *c);
int grp_cache_get(struct grp_cache *c, const char *s, size_t len, uint64_t *words, struct grp_cache_pos *pos);
void grp_cache_put(struct grp_cache *c, const struct grp_cache_pos *pos, const char *s, size_t len,
		   const uint64_t *words);

/* Result bit `bit` of the groups filled this event (its group's ggen is
 * the memo's gen). */
static inline int rule_group_bit_of(const struct cond_memo *memo, uint32_t bit)
{
	return (int)((memo->gwords[bit >> 6] >> (bit & 63)) & 1);
}

/* Group g filled for the current event (on its first use). */
static inline void rule_group_ensure(struct cond_memo *memo, uint32_t g, rule_extract_fn ex, void *ectx)
{
	if (memo->ggen[g] != memo->gen)
		rule_group_fill(memo->groups, g, ex, ectx, memo);
}

/* Result bit `bit` of group g for the current event, the group filled on
 * its first use. */
static inline int rule_group_bit(struct cond_memo *memo, uint32_t g, uint32_t bit, rule_extract_fn ex, void *ectx)
{
	rule_group_ensure(memo, g, ex, ectx);
	return rule_group_bit_of(memo, bit);
}

/* Result of a grouped check (n->grp != 0) for the current event. */
static inline int rule_group_check(const struct cc_node *n, rule_extract_fn ex, void *ectx, struct cond_memo *memo)
{
	return rule_group_bit(memo, n->grp - 1, n->gbit, ex, ectx);
}

#endif
