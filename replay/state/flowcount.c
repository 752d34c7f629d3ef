/* replay/state/flowcount.c: packets and bytes per flow and direction so far (fd.bytes.in/out, fd.packets.in/out). */
#include "replay/state/flowcount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A flow's two ends in canonical order (smaller end first); ab counts
 * packets from a to b, ba the other way. */
struct flowcount_entry {
	uint8_t used, proto;
	uint16_t pa, pb;
	uint8_t a[16], b[16];
	uint64_t bytes_ab, bytes_ba, pkts_ab, pkts_ba;
};

struct state_flowcounts {
	struct flowcount_entry *slots;
	uint32_t nslots, used;
};

struct state_flowcounts *state_flowcounts_new(void)
{
	return calloc(1, sizeof(struct state_flowcounts));
}

void state_flowcounts_free(struct state_flowcounts *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

static int end_cmp(const uint8_t *x, uint16_t px, const uint8_t *y, uint16_t py)
{
	int c = memcmp(x, y, 16);
	return c ? c : (int)px - (int)py;
}

static uint32_t hash_key(uint8_t proto, const uint8_t *a, uint16_t pa, const uint8_t *b, uint16_t pb)
{
	uint64_t h = 1469598103934665603ull ^ proto;
	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 1099511628211ull;
	for (int i = 0; i < 16; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	h = (h ^ pa) * 1099511628211ull;
	h = (h ^ pb) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32));
}

static struct flowcount_entry *find(const struct state_flowcounts *t, uint8_t proto, const uint8_t *a, uint16_t pa,
				    const uint8_t *b, uint16_t pb)
{
	if (!t->nslots)
		return NULL;
	uint32_t mask = t->nslots - 1;
	for (uint32_t i = hash_key(proto, a, pa, b, pb) & mask;; i = (i + 1) & mask) {
		struct flowcount_entry *e = &t->slots[i];
		if (!e->used || (e->proto == proto && e->pa == pa && e->pb == pb && !memcmp(e->a, a, 16) &&
				 !memcmp(e->b, b, 16)))
			return e;
	}
}

static int grow(struct state_flowcounts *t)
{
	struct state_flowcounts n = { calloc(t->nslots ? t->nslots * 2 : 1024, sizeof(struct flowcount_entry)),
				      t->nslots ? t->nslots * 2 : 1024, t->used };
	if (!n.slots)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->nslots; i++) {
		const struct flowcount_entry *e = &t->slots[i];
		if (e->used)
			*find(&n, e->proto, e->a, e->pa, e->b, e->pb) = *e;
	}
	free(t->slots);
	*t = n;
	return 0;
}

int state_flowcounts_add(struct state_flowcounts *t, uint8_t proto, const uint8_t *src, uint16_t sport,
			 const uint8_t *dst, uint16_t dport, uint32_t bytes)
{
	if ((t->used + 1) * 2 > t->nslots && grow(t))
		return -ENOMEM;
	int fwd = end_cmp(src, sport, dst, dport) <= 0;
	const uint8_t *a = fwd ? src : dst, *b = fwd ? dst : src;
	uint16_t pa = fwd ? sport : dport, pb = fwd ? dport : sport;
	struct flowcount_entry *e = find(t, proto, a, pa, b, pb);
	if (!e->used) {
		e->used = 1;
		e->proto = proto;
		memcpy(e->a, a, 16);
		memcpy(e->b, b, 16);
		e->pa = pa;
		e->pb = pb;
		t->used++;
	}
	if (fwd) {
		e->bytes_ab += bytes;
		e->pkts_ab++;
	} else {
		e->bytes_ba += bytes;
		e->pkts_ba++;
	}
	return 0;
}

int state_flowcounts_get(const struct state_flowcounts *t, uint8_t proto, const uint8_t *local, uint16_t lport,
			 const uint8_t *remote, uint16_t rport, struct state_flowcount *out)
{
	memset(out, 0, sizeof(*out));
	if (!t)
		return 0;
	int fwd = end_cmp(local, lport, remote, rport) <= 0;
	const struct flowcount_entry *e = fwd ? find(t, proto, local, lport, remote, rport)
					      : find(t, proto, remote, rport, local, lport);
	if (!e || !e->used)
		return 0;
	out->bytes_out = fwd ? e->bytes_ab : e->bytes_ba;
	out->pkts_out = fwd ? e->pkts_ab : e->pkts_ba;
	out->bytes_in = fwd ? e->bytes_ba : e->bytes_ab;
	out->pkts_in = fwd ? e->pkts_ba : e->pkts_ab;
	return 1;
}
