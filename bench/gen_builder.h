/* bench/gen_builder.h: random numbers and an event builder for the synthetic capture generator (bench_gen_capture). */
#ifndef SAKER_BENCH_GEN_BUILDER_H
#define SAKER_BENCH_GEN_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"

/* xorshift64: everything derives from one seed, so the same arguments
 * always give the same bytes. */
struct bench_rng {
	uint64_t s;
};

uint64_t bench_rng_next(struct bench_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t bench_rng_below(struct bench_rng *r, uint32_t n);

#define BENCH_EVB_CACHE 4096

/* Parameter index of (type, literal name pointer), looked up once. */
struct bench_evb_pcache {
	uint16_t type;
	const char *name;
	int idx;
};

/* One event being built: parameters point into buf. */
struct bench_evb {
	struct sk_event ev;
	uint8_t buf[16384];
	size_t len;
	struct bench_evb_pcache pcache[BENCH_EVB_CACHE];
};

/* Starts an event of type (every parameter absent). */
void bench_evb_start(struct bench_evb *b, uint16_t type, uint64_t ts, int64_t tid, uint16_t cpu);
/* Parameters by name (a name the type lacks exits with status 2: a bug of the generator). */
void bench_evb_raw(struct bench_evb *b, const char *name, const void *p, size_t n);
void bench_evb_int(struct bench_evb *b, const char *name, int64_t v);
void bench_evb_str(struct bench_evb *b, const char *name, const char *s);
/* IPv4 SOCKTUPLE / SOCKADDR; addresses in network order (bench_ip4). */
void bench_evb_tuple4(struct bench_evb *b, const char *name, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport);
void bench_evb_addr4(struct bench_evb *b, const char *name, uint32_t ip, uint16_t port);
uint32_t bench_ip4(int a, int b, int c, int d);

#endif
