/* replay/state/sockaddr.h: decoding and printing SOCKADDR / SOCKTUPLE parameters. */
#ifndef SAKER_REPLAY_STATE_SOCKADDR_H
#define SAKER_REPLAY_STATE_SOCKADDR_H

#include <stddef.h>
#include <stdint.h>

struct state_tuple {
	uint8_t family;     /* PPM_AF_* */
	uint8_t v6;         /* addresses are 16 bytes */
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	uint64_t usrc, udst; /* unix socket pointers */
	const char *path;   /* unix path (points into the event), "" if none */
};

/* Decode a SOCKTUPLE (is_tuple=1) or SOCKADDR (0; only s* is filled).
 * IPv4-mapped IPv6 addresses are turned into IPv4 as libs does. Returns 0, or
 * -1 if the bytes do not form a valid value. */
int state_tuple_decode(const uint8_t *p, uint32_t len, int is_tuple, struct state_tuple *out);

/* "1.2.3.4" / inet_ntop form. */
size_t state_ip_to_text(const uint8_t *ip, int v6, char *buf, size_t cap);
/* "sip:sport->dip:dport", or "src->dst path" for unix (hex pointers). */
size_t state_tuple_to_text(const struct state_tuple *t, char *buf, size_t cap);
/* "ip:port" or the unix path. */
size_t state_addr_to_text(const struct state_tuple *t, char *buf, size_t cap);

#endif
