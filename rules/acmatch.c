/* rules/acmatch.c: Aho-Corasick automaton: pattern trie, failure links folded into a byte-class transition table, per-state output lists. */
#include "rules/acmatch.h"

#include <stdlib.h>
#include <string.h>

/* A table entry is the target's row (state * ncls), with this bit set when
 * the target has outputs: one load per byte, and a branch only on hits. */
#define ACM_OUT 0x80000000u

struct acm_pat {
	char *s;
	size_t len;
	uint32_t id;
};

struct acm {
	enum acm_mode mode;
	struct acm_pat *pats;
	size_t npats, cap;
	/* built */
	uint8_t cls[256];      /* byte -> class, 0 = used by no pattern */
	uint32_t ncls;         /* columns of delta (class 0 included) */
	uint32_t nstates;
	uint32_t *delta;       /* nstates * ncls entries (see ACM_OUT); anchored modes: 0 = no pattern continues */
	uint32_t *out_off;     /* nstates + 1 offsets into out_ids */
	uint32_t *out_ids;     /* pattern ids, per state, its own and its failure chain's */
};

struct acm *acm_new(enum acm_mode mode)
{
	struct acm *a = calloc(1, sizeof(struct acm));
	if (a)
		a->mode = mode;
	return a;
}

int acm_add(struct acm *a, const char *pat, size_t len, uint32_t id)
{
	if (len == 0 || a->delta)
		return -1;
	if (a->npats == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		struct acm_pat *np = realloc(a->pats, nc * sizeof(*np));
		if (!np)
			return -1;
		a->pats = np;
		a->cap = nc;
	}
	char *copy = malloc(len);
	if (!copy)
		return -1;
	for (size_t i = 0; i < len; i++)
		copy[i] = a->mode == ACM_SUFFIX ? pat[len - 1 - i] : pat[i];
	a->pats[a->npats++] = (struct acm_pat){copy, len, id};
	return 0;
}

struct out_list {
	uint32_t *v;
	size_t n, cap;
};

static int out_push(struct out_list *l, uint32_t x)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		uint32_t *nv = realloc(l->v, nc * sizeof(*nv));
		if (!nv)
			return -1;
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = x;
	return 0;
}

/* Byte classes; -1 when more than 255 distinct bytes would need one. */
static int assign_classes(struct acm *a, size_t *total)
{
	memset(a->cls, 0, sizeof(a->cls));
	a->ncls = 1;
	*total = 1;
	for (size_t p = 0; p < a->npats; p++) {
		*total += a->pats[p].len;
		for (size_t i = 0; i < a->pats[p].len; i++) {
			uint8_t b = (uint8_t)a->pats[p].s[i];
			if (a->cls[b])
				continue;
			if (a->ncls == 256)
				return -1; /* the caller then tests these checks one by one */
			a->cls[b] = (uint8_t)a->ncls++;
		}
	}
	return 0;
}

int acm_build(struct acm *a)
{
	size_t total;
	if (assign_classes(a, &total) < 0)
		return -1;
	uint32_t nc = a->ncls;
	if (total * nc >= ACM_OUT)
		return -1;
	uint32_t *delta = calloc(total * nc, sizeof(*delta));   /* state numbers until the end */
	uint32_t *fail = calloc(total, sizeof(*fail));
	uint32_t *first = malloc(total * sizeof(*first));       /* head of a state's own pattern chain */
	uint32_t *next = malloc((a->npats ? a->npats : 1) * sizeof(*next));
	uint32_t *order = malloc((total + 1) * sizeof(*order)); /* breadth-first, root first */
	uint32_t *start = calloc(total, sizeof(*start)), *cnt = calloc(total, sizeof(*cnt));
	uint32_t *off = calloc(total + 1, sizeof(*off));
	struct out_list ids = {0};
	uint32_t *oid = NULL;
	int rc = -1;
	if (!delta || !fail || !first || !next || !order || !start || !cnt || !off)
		goto done;
	memset(first, 0xff, total * sizeof(*first));
	uint32_t n = 1;
	for (size_t p = 0; p < a->npats; p++) {
		uint32_t st = 0;
		for (size_t i = 0; i < a->pats[p].len; i++) {
			uint32_t c = a->cls[(uint8_t)a->pats[p].s[i]];
			if (!delta[st * nc + c])
				delta[st * nc + c] = n++;
			st = delta[st * nc + c];
		}
		next[p] = first[st];
		first[st] = (uint32_t)p;
	}
	size_t qh = 1, qt = 1;
	order[0] = 0;
	for (uint32_t c = 0; c < nc; c++)
		if (delta[c])
			order[qt++] = delta[c];
	while (qh < qt) {
		uint32_t st = order[qh++];
		for (uint32_t c = 0; c < nc; c++) {
			uint32_t child = delta[st * nc + c];
			if (child) {
				fail[child] = delta[fail[st] * nc + c];
				order[qt++] = child;
			} else if (a->mode == ACM_SUBSTRING) {
				delta[st * nc + c] = delta[fail[st] * nc + c];
			}
		}
	}
	/* outputs: own patterns, then (substring mode) the failure target's,
	 * final already since it comes earlier breadth-first */
	for (size_t q = 0; q < qt; q++) {
		uint32_t st = order[q];
		start[st] = (uint32_t)ids.n;
		for (uint32_t p = first[st]; p != UINT32_MAX; p = next[p])
			if (out_push(&ids, a->pats[p].id) < 0)
				goto done;
		if (st && a->mode == ACM_SUBSTRING)
			for (uint32_t k = 0; k < cnt[fail[st]]; k++)
				if (out_push(&ids, ids.v[start[fail[st]] + k]) < 0)
					goto done;
		cnt[st] = (uint32_t)ids.n - start[st];
	}
	oid = malloc((ids.n ? ids.n : 1) * sizeof(*oid));
	if (!oid)
		goto done;
	for (uint32_t st = 0; st < n; st++) {
		off[st + 1] = off[st] + cnt[st];
		memcpy(oid + off[st], ids.v + start[st], cnt[st] * sizeof(*oid));
	}
	/* state numbers -> rows with the output bit */
	for (size_t i = 0; i < (size_t)n * nc; i++) {
		uint32_t t = delta[i];
		delta[i] = t * nc | (cnt[t] ? ACM_OUT : 0);
	}
	a->delta = delta;
	a->nstates = n;
	a->out_off = off;
	a->out_ids = oid;
	delta = NULL;
	off = NULL;
	oid = NULL;
	rc = 0;
done:
	free(delta);
	free(fail);
	free(first);
	free(next);
	free(order);
	free(start);
	free(cnt);
	free(off);
	free(oid);
	free(ids.v);
	return rc;
}

static void report(const struct acm *a, uint32_t row, size_t end, acm_hit_fn hit, void *ctx)
{
	uint32_t st = row / a->ncls;
	for (uint32_t k = a->out_off[st]; k < a->out_off[st + 1]; k++)
		hit(ctx, a->out_ids[k], end);
}

void acm_scan(const struct acm *a, const char *s, size_t len, acm_hit_fn hit, void *ctx)
{
	const uint32_t *delta = a->delta;
	const uint8_t *cls = a->cls;
	const uint8_t *u = (const uint8_t *)s;
	uint32_t row = 0;
	switch (a->mode) {
	case ACM_SUBSTRING:
		for (size_t i = 0; i < len; i++) {
			uint32_t e = delta[row + cls[u[i]]];
			row = e & ~ACM_OUT;
			if (e & ACM_OUT)
				report(a, row, i + 1, hit, ctx);
		}
		break;
	case ACM_PREFIX:
		for (size_t i = 0; i < len; i++) {
			uint32_t e = delta[row + cls[u[i]]];
			if (!e)
				break;
			row = e & ~ACM_OUT;
			if (e & ACM_OUT)
				report(a, row, i + 1, hit, ctx);
		}
		break;
	case ACM_SUFFIX:
		for (size_t i = len; i > 0; i--) {
			uint32_t e = delta[row + cls[u[i - 1]]];
			if (!e)
				break;
			row = e & ~ACM_OUT;
			if (e & ACM_OUT)
				report(a, row, len, hit, ctx);
		}
		break;
	}
}

size_t acm_size(const struct acm *a)
{
	if (!a->delta)
		return 0;
	return ((size_t)a->nstates * a->ncls + a->nstates + 1 + a->out_off[a->nstates]) * sizeof(uint32_t);
}

void acm_free(struct acm *a)
{
	if (!a)
		return;
	for (size_t p = 0; p < a->npats; p++)
		free(a->pats[p].s);
	free(a->pats);
	free(a->delta);
	free(a->out_off);
	free(a->out_ids);
	free(a);
}
