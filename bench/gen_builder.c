/* bench/gen_builder.c: the synthetic generator's xorshift random numbers and its event builder (parameters by name, indexes cached). */
#include "bench/gen_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t bench_rng_next(struct bench_rng *r)
{
	uint64_t x = r->s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	r->s = x;
	return x;
}

uint32_t bench_rng_below(struct bench_rng *r, uint32_t n)
{
	return n ? (uint32_t)(bench_rng_next(r) % n) : 0;
}

static int param_index(struct bench_evb *b, uint16_t type, const char *name)
{
	size_t h = (((uintptr_t)name >> 3) * 31u + type) & (BENCH_EVB_CACHE - 1);
	for (;;) {
		struct bench_evb_pcache *e = &b->pcache[h];
		if (!e->name) {
			e->type = type;
			e->name = name;
			e->idx = sk_event_param_index(type, name);
			if (e->idx < 0) {
				fprintf(stderr, "bench_gen_capture: %s has no parameter %s\n", sk_event_name(type), name);
				exit(2);
			}
			return e->idx;
		}
		if (e->type == type && e->name == name)
			return e->idx;
		h = (h + 1) & (BENCH_EVB_CACHE - 1);
	}
}

void bench_evb_start(struct bench_evb *b, uint16_t type, uint64_t ts, int64_t tid, uint16_t cpu)
{
	memset(&b->ev, 0, sizeof(b->ev));
	b->ev.type = type;
	b->ev.ts = ts;
	b->ev.tid = tid;
	b->ev.cpu = cpu;
	b->ev.nparams = sk_event_info(type)->nparams;
	b->len = 0;
}

void bench_evb_raw(struct bench_evb *b, const char *name, const void *p, size_t n)
{
	int i = param_index(b, b->ev.type, name);
	if (b->len + n > sizeof(b->buf))
		n = sizeof(b->buf) - b->len;
	memcpy(b->buf + b->len, p, n);
	b->ev.params[i].val = b->buf + b->len;
	b->ev.params[i].len = (uint32_t)n;
	b->len += n;
}

void bench_evb_int(struct bench_evb *b, const char *name, int64_t v)
{
	int i = param_index(b, b->ev.type, name);
	uint32_t sz = sk_ptype_size(sk_event_info(b->ev.type)->params[i].type);
	uint8_t le[8];
	for (int k = 0; k < 8; k++)
		le[k] = (uint8_t)((uint64_t)v >> (8 * k));
	bench_evb_raw(b, name, le, sz ? sz : 8);
}

void bench_evb_str(struct bench_evb *b, const char *name, const char *s)
{
	bench_evb_raw(b, name, s, strlen(s) + 1);
}

void bench_evb_tuple4(struct bench_evb *b, const char *name, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport)
{
	uint8_t t[13];
	t[0] = 2;
	memcpy(t + 1, &sip, 4);
	t[5] = (uint8_t)sport;
	t[6] = (uint8_t)(sport >> 8);
	memcpy(t + 7, &dip, 4);
	t[11] = (uint8_t)dport;
	t[12] = (uint8_t)(dport >> 8);
	bench_evb_raw(b, name, t, sizeof(t));
}

void bench_evb_addr4(struct bench_evb *b, const char *name, uint32_t ip, uint16_t port)
{
	uint8_t t[7];
	t[0] = 2;
	memcpy(t + 1, &ip, 4);
	t[5] = (uint8_t)port;
	t[6] = (uint8_t)(port >> 8);
	bench_evb_raw(b, name, t, sizeof(t));
}

uint32_t bench_ip4(int a, int b, int c, int d)
{
	uint8_t x[4] = { (uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d };
	uint32_t v;
	memcpy(&v, x, 4);
	return v;
}
