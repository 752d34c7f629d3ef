/* rules/evttypes.c: the event types a condition can match (rules.md 3.9): evt.type sets, De Morgan pushdown of not. */
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

static int is_type_check(const struct cond_node *n)
{
	if (n->kind != CN_BINARY || n->mod || n->kids[0]->kind != CN_FIELD || n->kids[0]->arg)
		return 0;
	if (n->op != OP_EQ && n->op != OP_NE && n->op != OP_IN)
		return 0;
	if (n->kids[1]->kind != CN_VALUE && n->kids[1]->kind != CN_LIST)
		return 0;
	const char *f = n->kids[0]->str;
	return strcmp(f, "evt.type") == 0 || strcmp(f, "syscall.type") == 0;
}

/* Fills map (nt bytes) for n, negated when neg. Returns -1 on ENOMEM. */
static int types_of(const struct cond_node *n, int neg, const struct rule_field_registry *reg, uint8_t *map)
{
	size_t nt = reg->n_evttypes;
	if (n->kind == CN_NOT)
		return types_of(n->kids[0], !neg, reg, map);
	if (n->kind == CN_AND || n->kind == CN_OR) {
		/* and intersects, or unions; under not they swap (De Morgan) */
		int inter = (n->kind == CN_AND) != neg;
		uint8_t *tmp = malloc(nt ? nt : 1);
		if (!tmp)
			return -1;
		for (size_t i = 0; i < n->nkids; i++) {
			uint8_t *dst = i == 0 ? map : tmp;
			if (types_of(n->kids[i], neg, reg, dst) < 0) {
				free(tmp);
				return -1;
			}
			if (i == 0)
				continue;
			for (size_t t = 0; t < nt; t++)
				map[t] = inter ? (map[t] & tmp[t]) : (map[t] | tmp[t]);
		}
		free(tmp);
		return 0;
	}
	if (!is_type_check(n) || !reg->evttype_lookup) {
		memset(map, 1, nt);
		return 0;
	}
	memset(map, 0, nt);
	const struct cond_node *r = n->kids[1];
	size_t cnt = r->kind == CN_VALUE ? 1 : r->nitems;
	/* A negated generic-only name excludes some generic events but not the
	 * generic type: every type stays possible. */
	int negated = (n->op == OP_NE) != (neg != 0);
	for (size_t i = 0; negated && reg->evttype_generic && i < cnt; i++)
		if (reg->evttype_generic(r->kind == CN_VALUE ? r->str : r->items[i])) {
			memset(map, 1, nt);
			return 0;
		}
	for (size_t i = 0; i < cnt; i++) {
		const char *name = r->kind == CN_VALUE ? r->str : r->items[i];
		uint16_t ids[256];
		size_t k = reg->evttype_lookup(name, ids, 256);
		for (size_t j = 0; j < k && j < 256; j++)
			if (ids[j] < nt)
				map[ids[j]] = 1;
	}
	if ((n->op == OP_NE) != (neg != 0))
		for (size_t t = 0; t < nt; t++)
			map[t] = !map[t];
	return 0;
}

size_t cond_evttypes(const struct cond_node *n, const struct rule_field_registry *reg, uint8_t *map)
{
	size_t nt = reg->n_evttypes;
	if (types_of(n, 0, reg, map) < 0)
		memset(map, 1, nt);  /* out of memory: fall back to "every type", never to missing alerts */
	size_t count = 0;
	for (size_t t = 0; t < nt; t++)
		count += map[t] != 0;
	return count;
}
