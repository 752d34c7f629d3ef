/* replay/state/flowcount.h: packets and bytes per flow and direction, from the capture's packets (fd.bytes.*, fd.packets.*). */
#ifndef SAKER_REPLAY_STATE_FLOWCOUNT_H
#define SAKER_REPLAY_STATE_FLOWCOUNT_H

#include <stdint.h>

/* Addresses are 16 bytes, network order (IPv4 in the first 4, the rest
 * zero); ports host order; proto 6 (TCP) or 17 (UDP). */
struct state_flowcounts;

struct state_flowcount {
	uint64_t bytes_in, bytes_out, pkts_in, pkts_out;
};

struct state_flowcounts *state_flowcounts_new(void);
void state_flowcounts_free(struct state_flowcounts *t);
/* One packet of bytes transport payload bytes from src to dst. 0 or -ENOMEM. */
int state_flowcounts_add(struct state_flowcounts *t, uint8_t proto, const uint8_t *src, uint16_t sport,
			 const uint8_t *dst, uint16_t dport, uint32_t bytes);
/* The counts of the flow seen from its local end: 1, or 0 (zeros) when no
 * packet of it was seen. t may be NULL. */
int state_flowcounts_get(const struct state_flowcounts *t, uint8_t proto, const uint8_t *local, uint16_t lport,
			 const uint8_t *remote, uint16_t rport, struct state_flowcount *out);

#endif
