/* rules/strset.c: hash set of byte strings and the pmatch path-component trie, both built at load time. */
#include "rules/strset.h"

#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

struct sslot {
	uint64_t hash;       /* 0 = empty */
	char *key;
	size_t len;
	uint32_t val;
};

struct strset {
	struct sslot *slots;
	size_t cap;          /* power of two */
	size_t n;
};

/* 8 bytes per step: the hot path hashes every string tested with `in`. */
uint64_t rule_str_hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (len * 0xC2B2AE3D27D4EB4Full);
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xFF51AFD7ED558CCDull;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	/* The last 0 to 7 bytes in fixed-size loads (a memcpy of a variable
	 * length is a library call, dearer than the loop on a short path), and
	 * the final round even with none left: one round less on keys of 8 or
	 * 16 bytes put whole sets of generated names into the same probe runs.
	 * A hash only has to agree with itself. */
	uint64_t w = 0;
	if (len >= 4) {
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + len - 4, 4);
		w = a | (uint64_t)b << 32;
	} else if (len) {
		w = p[0] | (uint64_t)p[len / 2] << 8 | (uint64_t)p[len - 1] << 16;
	}
	h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 29;
	return h ? h : 1;
}

struct strset *strset_new(size_t expected)
{
	struct strset *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	size_t cap = 16;
	while (cap < expected * 2)
		cap <<= 1;
	s->slots = calloc(cap, sizeof(*s->slots));
	if (!s->slots) {
		free(s);
		return NULL;
	}
	s->cap = cap;
	return s;
}

static struct sslot *strset_find(const struct strset *s, const void *key, size_t len, uint64_t h)
{
	size_t mask = s->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct sslot *sl = &s->slots[i];
		if (!sl->hash)
			return sl;
		if (sl->hash == h && sl->len == len && memcmp(sl->key, key, len) == 0)
			return sl;
	}
}

static int strset_grow(struct strset *s)
{
	struct sslot *old = s->slots;
	size_t oldcap = s->cap;
	s->slots = calloc(oldcap * 2, sizeof(*s->slots));
	if (!s->slots) {
		s->slots = old;
		return -1;
	}
	s->cap = oldcap * 2;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].hash)
			*strset_find(s, old[i].key, old[i].len, old[i].hash) = old[i];
	free(old);
	return 0;
}

static int strset_put(struct strset *s, const void *key, size_t len, uint32_t val, uint32_t *existing)
{
	if ((s->n + 1) * 2 > s->cap && strset_grow(s) < 0)
		return -1;
	uint64_t h = rule_str_hash(key, len);
	struct sslot *sl = strset_find(s, key, len, h);
	if (sl->hash) {
		if (existing)
			*existing = sl->val;
		return 1;
	}
	sl->key = malloc(len ? len : 1);
	if (!sl->key)
		return -1;
	memcpy(sl->key, key, len);
	sl->len = len;
	sl->hash = h;
	sl->val = val;
	s->n++;
	return 0;
}

int strset_add(struct strset *s, const void *key, size_t len)
{
	return strset_put(s, key, len, 0, NULL) < 0 ? -1 : 0;
}

static const struct sslot *strset_get(const struct strset *s, const void *key, size_t len)
{
	const struct sslot *sl = strset_find(s, key, len, rule_str_hash(key, len));
	return sl->hash ? sl : NULL;
}

int strset_has(const struct strset *s, const void *key, size_t len)
{
	return strset_get(s, key, len) != NULL;
}

int strset_put_val(struct strset *s, const void *key, size_t len, uint32_t val, uint32_t *existing)
{
	return strset_put(s, key, len, val, existing);
}

int strset_get_val(const struct strset *s, const void *key, size_t len, uint32_t *val)
{
	const struct sslot *sl = strset_get(s, key, len);
	if (!sl)
		return 0;
	*val = sl->val;
	return 1;
}

int strset_each(const struct strset *s, int (*fn)(void *ctx, const char *key, size_t len), void *ctx)
{
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].hash) {
			int r = fn(ctx, s->slots[i].key, s->slots[i].len);
			if (r)
				return r;
		}
	return 0;
}

size_t strset_count(const struct strset *s)
{
	return s->n;
}

void strset_free(struct strset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].hash)
			free(s->slots[i].key);
	free(s->slots);
	free(s);
}

/* ---- pmatch trie -------------------------------------------------------- */

struct pglob {
	char *pat;
	size_t len;
	uint32_t child;
};

struct pnode {
	uint8_t terminal;
	struct pglob *globs;
	size_t nglobs;
};

/* Plain edges live in one hash keyed by (parent id, component). */
struct pmatch_trie {
	struct pnode *nodes;
	size_t n, cap;
	struct strset *edges;
};

static int64_t pmatch_node_new(struct pmatch_trie *t)
{
	if (t->n == t->cap) {
		size_t nc = t->cap ? t->cap * 2 : 16;
		struct pnode *nn = realloc(t->nodes, nc * sizeof(*nn));
		if (!nn)
			return -1;
		t->nodes = nn;
		t->cap = nc;
	}
	memset(&t->nodes[t->n], 0, sizeof(t->nodes[0]));
	return (int64_t)t->n++;
}

struct pmatch_trie *pmatch_trie_new(void)
{
	struct pmatch_trie *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->edges = strset_new(64);
	if (!t->edges || pmatch_node_new(t) < 0) {
		pmatch_trie_free(t);
		return NULL;
	}
	return t;
}

/* Next non-empty component at or after *pos; returns its length (0 = none). */
static size_t pmatch_next(const char *p, size_t len, size_t *pos, const char **comp)
{
	size_t i = *pos;
	while (i < len && p[i] == '/')
		i++;
	size_t start = i;
	while (i < len && p[i] != '/')
		i++;
	*pos = i;
	*comp = p + start;
	return i - start;
}

#define PMATCH_KEY_MAX 4096

static size_t pmatch_key(char *key, uint32_t parent, const char *comp, size_t clen)
{
	if (clen > PMATCH_KEY_MAX - 4)
		clen = PMATCH_KEY_MAX - 4;
	memcpy(key, &parent, 4);
	memcpy(key + 4, comp, clen);
	return clen + 4;
}

int pmatch_trie_add(struct pmatch_trie *t, const char *path, size_t len)
{
	char key[PMATCH_KEY_MAX];
	uint32_t cur = 0;
	size_t pos = 0;
	const char *comp;
	size_t clen;
	while ((clen = pmatch_next(path, len, &pos, &comp)) > 0) {
		int is_glob = memchr(comp, '*', clen) || memchr(comp, '?', clen) || memchr(comp, '[', clen);
		if (is_glob) {
			struct pnode *nd = &t->nodes[cur];
			size_t i;
			for (i = 0; i < nd->nglobs; i++)
				if (nd->globs[i].len == clen && memcmp(nd->globs[i].pat, comp, clen) == 0)
					break;
			if (i < nd->nglobs) {
				cur = nd->globs[i].child;
				continue;
			}
			int64_t child = pmatch_node_new(t);
			if (child < 0)
				return -1;
			nd = &t->nodes[cur];
			struct pglob *ng = realloc(nd->globs, (nd->nglobs + 1) * sizeof(*ng));
			if (!ng)
				return -1;
			nd->globs = ng;
			ng[nd->nglobs].pat = strndup(comp, clen);
			if (!ng[nd->nglobs].pat)
				return -1;
			ng[nd->nglobs].len = clen;
			ng[nd->nglobs].child = (uint32_t)child;
			nd->nglobs++;
			cur = (uint32_t)child;
			continue;
		}
		size_t klen = pmatch_key(key, cur, comp, clen);
		const struct sslot *sl = strset_get(t->edges, key, klen);
		if (sl) {
			cur = sl->val;
			continue;
		}
		int64_t child = pmatch_node_new(t);
		if (child < 0 || strset_put(t->edges, key, klen, (uint32_t)child, NULL) < 0)
			return -1;
		cur = (uint32_t)child;
	}
	t->nodes[cur].terminal = 1;
	return 0;
}

static int pmatch_walk(const struct pmatch_trie *t, uint32_t node, const char *path, size_t len, size_t pos)
{
	char key[PMATCH_KEY_MAX];
	const struct pnode *nd = &t->nodes[node];
	if (nd->terminal)
		return 1;
	const char *comp;
	size_t clen = pmatch_next(path, len, &pos, &comp);
	if (clen == 0)
		return 0;
	size_t klen = pmatch_key(key, node, comp, clen);
	const struct sslot *sl = strset_get(t->edges, key, klen);
	if (sl && pmatch_walk(t, sl->val, path, len, pos))
		return 1;
	for (size_t i = 0; i < nd->nglobs; i++)
		if (cond_glob_match(nd->globs[i].pat, nd->globs[i].len, comp, clen, 0) &&
		    pmatch_walk(t, nd->globs[i].child, path, len, pos))
			return 1;
	return 0;
}

int pmatch_trie_match(const struct pmatch_trie *t, const char *path, size_t len)
{
	return pmatch_walk(t, 0, path, len, 0);
}

void pmatch_trie_free(struct pmatch_trie *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->nodes[i].nglobs; j++)
			free(t->nodes[i].globs[j].pat);
		free(t->nodes[i].globs);
	}
	free(t->nodes);
	strset_free(t->edges);
	free(t);
}
