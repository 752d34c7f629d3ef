/* replay/packets/flows.c: the flow owner table: which thread used a 5-tuple (or a bound port) from when. */
#include "replay/packets/packets_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int endpoint_cmp(const uint8_t *x, uint16_t px, const uint8_t *y, uint16_t py)
{
	int c = memcmp(x, y, 16);
	return c ? c : (int)px - (int)py;
}

void flow_key_make(struct flow_key *k, uint8_t proto, uint8_t family, const uint8_t *x, uint16_t px,
		   const uint8_t *y, uint16_t py)
{
	memset(k, 0, sizeof(*k));
	k->proto = proto;
	k->family = family;
	size_t alen = family == 10 ? 16 : 4;
	uint8_t xa[16] = { 0 }, ya[16] = { 0 };
	memcpy(xa, x, alen);
	if (y)
		memcpy(ya, y, alen);
	if (y && endpoint_cmp(xa, px, ya, py) > 0) {
		memcpy(k->a, ya, 16);
		k->pa = py;
		memcpy(k->b, xa, 16);
		k->pb = px;
	} else {
		memcpy(k->a, xa, 16);
		k->pa = px;
		memcpy(k->b, ya, 16);
		k->pb = y ? py : 0;
	}
}

static uint64_t key_hash(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h;
}

static uint32_t find_slot(const struct flow_table *t, const struct flow_key *k)
{
	uint32_t mask = t->slots - 1;
	for (uint32_t i = (uint32_t)key_hash(k) & mask;; i = (i + 1) & mask)
		if (!t->heads[i] || !memcmp(&t->keys[i], k, sizeof(*k)))
			return i;
}

uint32_t flow_table_head(const struct flow_table *t, const struct flow_key *k)
{
	return t->slots ? t->heads[find_slot(t, k)] : 0;
}

static int grow_slots(struct flow_table *t)
{
	uint32_t nslots = t->slots ? t->slots * 2 : 1024;
	struct flow_key *keys = calloc(nslots, sizeof(*keys));
	uint32_t *heads = calloc(nslots, sizeof(*heads));
	if (!keys || !heads) {
		free(keys);
		free(heads);
		return -ENOMEM;
	}
	struct flow_table nt = *t;
	nt.keys = keys;
	nt.heads = heads;
	nt.slots = nslots;
	for (uint32_t i = 0; i < t->slots; i++)
		if (t->heads[i]) {
			uint32_t s = find_slot(&nt, &t->keys[i]);
			keys[s] = t->keys[i];
			heads[s] = t->heads[i];
		}
	free(t->keys);
	free(t->heads);
	t->keys = keys;
	t->heads = heads;
	t->slots = nslots;
	return 0;
}

int flow_table_note(struct flow_table *t, const struct flow_key *k, const struct flow_owner *o)
{
	if ((t->used + 1) * 2 > t->slots && grow_slots(t))
		return -ENOMEM;
	uint32_t s = find_slot(t, k);
	uint32_t head = t->heads[s];
	for (uint32_t i = head; i; i = t->owners[i - 1].prev) {
		struct flow_owner *h = &t->owners[i - 1];
		if (h->lport != o->lport || memcmp(h->local, o->local, 16))
			continue;
		if (h->tid != o->tid)
			break;
		if (o->first_ts > h->last_ts)
			h->last_ts = o->first_ts;
		h->matched |= o->matched;
		return 0;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 256;
		void *p = realloc(t->owners, cap * sizeof(*t->owners));
		if (!p)
			return -ENOMEM;
		t->owners = p;
		t->cap = cap;
	}
	struct flow_owner *n = &t->owners[t->n++];
	*n = *o;
	n->last_ts = o->first_ts;
	n->prev = head;
	if (!head) {
		t->keys[s] = *k;
		t->used++;
	}
	t->heads[s] = t->n;
	return 0;
}

const struct flow_owner *flow_table_owner_at(const struct flow_table *t, const struct flow_key *k,
					     const uint8_t *addr, uint16_t port, uint64_t ts)
{
	const struct flow_owner *first = NULL;
	for (uint32_t i = flow_table_head(t, k); i; i = t->owners[i - 1].prev) {
		const struct flow_owner *o = &t->owners[i - 1];
		if (o->lport != port || memcmp(o->local, addr, 16))
			continue;
		if (o->first_ts <= ts)
			return o;
		first = o;
	}
	return first;
}

void flow_table_free(struct flow_table *t)
{
	free(t->owners);
	free(t->keys);
	free(t->heads);
	memset(t, 0, sizeof(*t));
}
