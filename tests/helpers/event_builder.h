/* tests/helpers/event_builder.h: builds sk_event values by parameter name for unit tests. */
#ifndef SAKER_TESTS_HELPERS_EVENT_BUILDER_H
#define SAKER_TESTS_HELPERS_EVENT_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"

struct evb {
	struct sk_event ev;
	uint8_t buf[16384];
	size_t len;
	uint32_t off[SK_MAX_PARAMS];
	uint32_t plen[SK_MAX_PARAMS];
	uint8_t set[SK_MAX_PARAMS];
};

/* Starts an event of type (all params absent). */
void evb_start(struct evb *b, uint16_t type, uint64_t ts, int64_t tid);
/* Integer params of any fixed width (written with the table's width). */
void evb_int(struct evb *b, const char *name, int64_t v);
/* NUL-terminated strings (CHARBUF/FSPATH/FSRELPATH). */
void evb_str(struct evb *b, const char *name, const char *s);
/* Raw bytes (BYTEBUF, argv/env lists with embedded NULs). */
void evb_bytes(struct evb *b, const char *name, const void *p, size_t n);
/* IPv4 SOCKTUPLE / SOCKADDR, addresses as "a.b.c.d". */
void evb_tuple4(struct evb *b, const char *name, const char *sip, uint16_t sport, const char *dip, uint16_t dport);
void evb_addr4(struct evb *b, const char *name, const char *ip, uint16_t port);
/* Unix SOCKTUPLE (kernel socket pointers, then the path) / SOCKADDR (path). */
void evb_tuple_unix(struct evb *b, const char *name, uint64_t src, uint64_t dst, const char *path);
void evb_addr_unix(struct evb *b, const char *name, const char *path);
/* Finishes: params point into b->buf; returns &b->ev. */
const struct sk_event *evb_done(struct evb *b);

#endif
