/* tests/helpers/event_builder.c: builds sk_event values by parameter name for unit tests. */
#include "tests/helpers/event_builder.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void evb_start(struct evb *b, uint16_t type, uint64_t ts, int64_t tid)
{
	memset(b, 0, sizeof(*b));
	b->ev.type = type;
	b->ev.ts = ts;
	b->ev.tid = tid;
	b->ev.num = 1;
}

static int index_of(struct evb *b, const char *name)
{
	int i = sk_event_param_index(b->ev.type, name);
	if (i < 0) {
		fprintf(stderr, "event_builder: %s has no param %s\n", sk_event_name(b->ev.type), name);
		abort();
	}
	return i;
}

static void put(struct evb *b, int i, const void *p, size_t n)
{
	if (b->len + n > sizeof(b->buf))
		abort();
	memcpy(b->buf + b->len, p, n);
	b->off[i] = (uint32_t)b->len;
	b->plen[i] = (uint32_t)n;
	b->set[i] = 1;
	b->len += n;
}

void evb_int(struct evb *b, const char *name, int64_t v)
{
	int i = index_of(b, name);
	uint32_t size = sk_ptype_size(sk_event_info(b->ev.type)->params[i].type);
	uint8_t le[8];
	for (int k = 0; k < 8; k++)
		le[k] = (uint8_t)((uint64_t)v >> (8 * k));
	put(b, i, le, size ? size : 8);
}

void evb_str(struct evb *b, const char *name, const char *s)
{
	put(b, index_of(b, name), s, strlen(s) + 1);
}

void evb_bytes(struct evb *b, const char *name, const void *p, size_t n)
{
	put(b, index_of(b, name), p, n);
}

void evb_tuple4(struct evb *b, const char *name, const char *sip, uint16_t sport, const char *dip, uint16_t dport)
{
	uint8_t t[13];
	t[0] = 2;
	inet_pton(AF_INET, sip, t + 1);
	t[5] = (uint8_t)sport;
	t[6] = (uint8_t)(sport >> 8);
	inet_pton(AF_INET, dip, t + 7);
	t[11] = (uint8_t)dport;
	t[12] = (uint8_t)(dport >> 8);
	put(b, index_of(b, name), t, sizeof(t));
}

void evb_addr4(struct evb *b, const char *name, const char *ip, uint16_t port)
{
	uint8_t t[7];
	t[0] = 2;
	inet_pton(AF_INET, ip, t + 1);
	t[5] = (uint8_t)port;
	t[6] = (uint8_t)(port >> 8);
	put(b, index_of(b, name), t, sizeof(t));
}

void evb_tuple_unix(struct evb *b, const char *name, uint64_t src, uint64_t dst, const char *path)
{
	uint8_t t[1 + 16 + 128];
	size_t pl = strlen(path) + 1;
	if (pl > 128)
		pl = 128;
	t[0] = 1;
	for (int i = 0; i < 8; i++) {
		t[1 + i] = (uint8_t)(src >> (8 * i));
		t[9 + i] = (uint8_t)(dst >> (8 * i));
	}
	memcpy(t + 17, path, pl);
	t[16 + pl] = '\0';
	put(b, index_of(b, name), t, 17 + pl);
}

void evb_addr_unix(struct evb *b, const char *name, const char *path)
{
	uint8_t t[1 + 128];
	size_t pl = strlen(path) + 1;
	if (pl > 128)
		pl = 128;
	t[0] = 1;
	memcpy(t + 1, path, pl);
	t[pl] = '\0';
	put(b, index_of(b, name), t, 1 + pl);
}

const struct sk_event *evb_done(struct evb *b)
{
	const struct sk_event_info *info = sk_event_info(b->ev.type);
	b->ev.nparams = info->nparams;
	for (uint32_t i = 0; i < info->nparams; i++) {
		b->ev.params[i].val = b->set[i] ? b->buf + b->off[i] : NULL;
		b->ev.params[i].len = b->set[i] ? b->plen[i] : 0;
	}
	return &b->ev;
}
