/* rules/value.c: conversion of condition constants (integers, IPs, CIDRs, hex, ports) and value-to-text rendering. */
#include "json/json.h"
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

/* Decimal only, optionally signed: upstream rejects hex and fractions here
 * although the grammar lexes them. Values above INT64_MAX keep their bits. */
int cond_parse_decimal(const char *s, int64_t *out)
{
	const char *p = s;
	int neg = 0;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -1;
	uint64_t v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		uint64_t nv = v * 10 + (uint64_t)(*p - '0');
		if (nv / 10 != v && v != 0)
			return -1;
		v = nv;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* IPv4 if the text has a dot, else IPv6 (upstream's rule). */
int cond_parse_ip(const char *s, uint8_t ip[16], uint8_t *ipv6)
{
	memset(ip, 0, 16);
	if (strchr(s, '.')) {
		*ipv6 = 0;
		return inet_pton(AF_INET, s, ip) == 1 ? 0 : -1;
	}
	*ipv6 = 1;
	return inet_pton(AF_INET6, s, ip) == 1 ? 0 : -1;
}

int cond_parse_cidr(const char *s, struct cc_cidr *out)
{
	const char *slash = strchr(s, '/');
	char addr[64];
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return -1;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = 0;
	int64_t pfx;
	if (cond_parse_ip(addr, out->ip, &out->ipv6) < 0 || cond_parse_decimal(slash + 1, &pfx) < 0 || pfx < 0 ||
	    pfx > (out->ipv6 ? 128 : 32) || slash[1] == '+' || slash[1] == '-')
		return -1;
	out->prefix = (uint8_t)pfx;
	return 0;
}

int cond_cidr_match(const struct cc_cidr *net, const struct rule_value *v)
{
	if (v->type != RF_IPADDR && v->type != RF_IPNET)
		return 0;
	if ((v->ipv6 != 0) != (net->ipv6 != 0))
		return 0;
	unsigned full = net->prefix / 8, rem = net->prefix % 8;
	if (memcmp(v->v.ip, net->ip, full) != 0)
		return 0;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((v->v.ip[full] & mask) != (net->ip[full] & mask))
			return 0;
	}
	return 1;
}

int cond_parse_hex(const char *s, size_t len, uint8_t **out, size_t *outlen)
{
	if (len % 2)
		return -1;
	uint8_t *b = malloc(len / 2 + 1);
	if (!b)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int hi = json_hex_digit(s[i]), lo = json_hex_digit(s[i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return -1;
		}
		b[i / 2] = (uint8_t)(hi * 16 + lo);
	}
	*out = b;
	*outlen = len / 2;
	return 0;
}

/* Service names come from /etc/services (via the resolver library, at load time). */
int cond_port_lookup(const char *name, uint16_t *port)
{
	struct servent *se = getservbyname(name, NULL);
	if (!se) {
		endservent();
		return -1;
	}
	*port = ntohs((uint16_t)se->s_port);
	endservent();
	return 0;
}

static size_t put_text(char *buf, size_t cap, const char *s, size_t len)
{
	if (cap) {
		size_t n = len < cap - 1 ? len : cap - 1;
		memcpy(buf, s, n);
		buf[n] = 0;
	}
	return len;
}

/* Returns the full length (like snprintf) even when truncated. */
size_t rule_value_to_text(const struct rule_value *v, char *buf, size_t cap)
{
	char tmp[64];
	int n;
	switch (v->type) {
	case RF_STRING:
	case RF_PATH:
	case RF_EVTTYPE: {
		const char *nul = v->v.s ? memchr(v->v.s, 0, v->len) : NULL;
		return put_text(buf, cap, v->v.s ? v->v.s : "", nul ? (size_t)(nul - v->v.s) : (v->v.s ? v->len : 0));
	}
	case RF_BYTEBUF:
		return put_text(buf, cap, v->v.s ? v->v.s : "", v->v.s ? v->len : 0);
	case RF_INT64: case RF_INT32: case RF_INT16:
		n = snprintf(tmp, sizeof(tmp), "%" PRId64, v->v.i);
		break;
	case RF_UINT64: case RF_UINT32: case RF_UINT16: case RF_PORT: case RF_RELTIME: case RF_ABSTIME:
		n = snprintf(tmp, sizeof(tmp), "%" PRIu64, v->v.u);
		break;
	case RF_BOOL:
		n = snprintf(tmp, sizeof(tmp), "%s", v->v.i ? "true" : "false");
		break;
	case RF_DOUBLE:
		n = snprintf(tmp, sizeof(tmp), "%.1f", v->v.d);
		break;
	case RF_IPADDR:
	case RF_IPNET:
		if (!inet_ntop(v->ipv6 ? AF_INET6 : AF_INET, v->v.ip, tmp, sizeof(tmp)))
			tmp[0] = 0;
		n = (int)strlen(tmp);
		break;
	default:
		n = 0;
		tmp[0] = 0;
	}
	return put_text(buf, cap, tmp, n < 0 ? 0 : (size_t)n);
}
