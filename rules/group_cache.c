/* rules/group_cache.c: a field group's results kept by value, so a path or name seen before is not scanned again. */
#include "rules/group_int.h"

#include <stdlib.h>
#include <string.h>

#include "rules/strset.h"

/*
 * Direct mapped: a value's hash picks one slot, a newer value evicts the
 * older. Captures repeat a small set of values (the headers a compiler
 * opens, the libraries every exec maps), which stay; a value seen once
 * costs a hash and a copy. Keys are kept whole and compared, so a hash
 * collision only costs a miss. The slot answered last is compared first,
 * without hashing: a process's events come in runs (a compiler opening
 * header after header), so proc.name is mostly the one before. A cache of
 * one slot is that check alone, for groups whose own answer is already a
 * hash lookup. Allocated on a group's first fill, never per event.
 */

/* Out of memory: a cache with no slot, which misses every time. */
static struct grp_cache empty_cache;

struct grp_cache *grp_cache_new(uint32_t nwords, uint32_t nslots)
{
	struct grp_cache *c = calloc(1, sizeof(*c));
	if (!c)
		return &empty_cache;
	c->keys = calloc(nslots, sizeof(*c->keys));
	c->words = calloc((size_t)nslots * nwords, sizeof(*c->words));
	if (!c->keys || !c->words) {
		grp_cache_free(c);
		return &empty_cache;
	}
	c->nwords = nwords;
	c->nslots = nslots;
	return c;
}

void grp_cache_free(struct grp_cache *c)
{
	if (!c || c == &empty_cache)
		return;
	free(c->keys);
	free(c->words);
	free(c);
}

int grp_cache_get(struct grp_cache *c, const char *s, size_t len, uint64_t *words, struct grp_cache_pos *pos)
{
	pos->slot = UINT32_MAX;
	if (!c->nslots || len > GRP_CACHE_KEY_MAX)
		return 0;
	const struct grp_cache_key *k;
	uint64_t h = 0;
	uint32_t i = 0;
	if (c->nslots > 1) {
		h = rule_str_hash(s, len); /* cheaper than one automaton pass */
		i = (uint32_t)(h >> 32) & (c->nslots - 1);
	}
	k = &c->keys[i];
	pos->slot = i;
	pos->hash = h;
	/* slot c->last holds another value: grp_cache_last missed */
	if (i == c->last || k->hash != h || k->len != len + 1 || memcmp(k->key, s, len))
		return 0;
	grp_cache_words(c, i, words);
	c->last = i;
	return 1;
}

void grp_cache_put(struct grp_cache *c, const struct grp_cache_pos *pos, const char *s, size_t len,
		   const uint64_t *words)
{
	uint32_t slot = pos->slot;
	if (slot >= c->nslots || len > GRP_CACHE_KEY_MAX)
		return;
	struct grp_cache_key *k = &c->keys[slot];
	k->hash = pos->hash;
	k->len = (uint32_t)len + 1;
	memcpy(k->key, s, len);
	memcpy(c->words + (size_t)slot * c->nwords, words, c->nwords * sizeof(*words));
	c->last = slot;
}
