/* replay/packets/packets_int.h: the packet collector's parts shared by its files: the pcapng writer and the flow owner table. */
#ifndef SAKER_REPLAY_PACKETS_PACKETS_INT_H
#define SAKER_REPLAY_PACKETS_PACKETS_INT_H

#include <stdint.h>
#include <stdio.h>

#include "replay/packets/packets.h"

/* ---- pcapng.c ---- */

#define PCAPNG_MAX_IFACES 64

struct pcapng_iface {
	uint32_t linktype;
	char name[64];
};

struct pcapng_out {
	FILE *f;
	const char *path;
	int failed;
	struct pcapng_iface ifaces[PCAPNG_MAX_IFACES];
	uint32_t nifaces;
};

/* Creates path (O_EXCL unless force) and writes the section header. */
int pcapng_open(struct pcapng_out *o, const char *path, int force, char *err, size_t errlen);
/* One enhanced packet block, its interface block first when new; comment may be NULL. */
int pcapng_write(struct pcapng_out *o, const struct sk_packet *p, const char *comment);
int pcapng_close(struct pcapng_out *o, char *err, size_t errlen);

/* ---- flows.c: who owned a flow, and since when ---- */

/* A flow endpoint pair in canonical order (the smaller endpoint first), so
 * both directions of a flow share a key; a bound socket's key has only
 * its local endpoint (b zero). */
struct flow_key {
	uint8_t proto;        /* 6 TCP, 17 UDP */
	uint8_t family;       /* 2 or 10 */
	uint16_t pa, pb;
	uint8_t a[16], b[16];
};

struct flow_owner {
	uint64_t first_ts, last_ts;
	int64_t tid, pid;
	char comm[32];
	char container[16];
	uint8_t local[16];    /* the owner's end of the flow (a bound socket: the key's endpoint) */
	uint16_t lport;
	uint8_t matched;      /* CONDITION held on a socket event of this owner */
	uint32_t prev;        /* index + 1 of the key's previous owner, 0 = none */
};

struct flow_table {
	struct flow_owner *owners;
	uint32_t n, cap;
	/* open addressing: key -> index + 1 of its newest owner */
	struct flow_key *keys;
	uint32_t *heads;
	uint32_t slots, used;
};

void flow_key_make(struct flow_key *k, uint8_t proto, uint8_t family, const uint8_t *x, uint16_t px,
		   const uint8_t *y, uint16_t py);
/* The newest owner of k (index + 1), 0 when none. */
uint32_t flow_table_head(const struct flow_table *t, const struct flow_key *k);
/* Records that o (tid, pid, local end...) used k at o->first_ts; merges
 * into the newest owner of the same end when it is the same thread.
 * 0 or -ENOMEM. */
int flow_table_note(struct flow_table *t, const struct flow_key *k, const struct flow_owner *o);
/* The owner of end (addr, port) of flow k at ts: of the owners of that end,
 * the newest that appeared at or before ts, else the first one (a SYN
 * precedes its connect's exit). NULL when none. addr is 16 bytes. */
const struct flow_owner *flow_table_owner_at(const struct flow_table *t, const struct flow_key *k,
					     const uint8_t *addr, uint16_t port, uint64_t ts);
void flow_table_free(struct flow_table *t);

#endif
