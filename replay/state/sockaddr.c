/* replay/state/sockaddr.c: SOCKADDR / SOCKTUPLE parameter decoding and text forms. */
#include "replay/state/sockaddr.h"
#include "replay/state/ppm.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An IPv6 tuple whose ends are both IPv4-mapped (or unspecified) is
 * reported as IPv4, as libs does. */
static void maybe_unmap(struct state_tuple *t)
{
	static const uint8_t zero[16];
	int s_ok = memcmp(t->sip, v4mapped_prefix, 12) == 0 || memcmp(t->sip, zero, 16) == 0;
	int d_ok = memcmp(t->dip, v4mapped_prefix, 12) == 0 || memcmp(t->dip, zero, 16) == 0;
	if (!s_ok || !d_ok || (memcmp(t->sip, zero, 16) == 0 && memcmp(t->dip, zero, 16) == 0))
		return;
	uint8_t s[4], d[4];
	memcpy(s, t->sip + 12, 4);
	memcpy(d, t->dip + 12, 4);
	memset(t->sip, 0, 16);
	memset(t->dip, 0, 16);
	memcpy(t->sip, s, 4);
	memcpy(t->dip, d, 4);
	t->v6 = 0;
	t->family = PPM_AF_INET;
}

int state_tuple_decode(const uint8_t *p, uint32_t len, int is_tuple, struct state_tuple *out)
{
	memset(out, 0, sizeof(*out));
	out->path = "";
	if (len < 1)
		return -1;
	out->family = p[0];
	p++;
	len--;
	switch (out->family) {
	case PPM_AF_INET:
		if (len < (is_tuple ? 12u : 6u))
			return -1;
		memcpy(out->sip, p, 4);
		out->sport = rd16(p + 4);
		if (is_tuple) {
			memcpy(out->dip, p + 6, 4);
			out->dport = rd16(p + 10);
		}
		return 0;
	case PPM_AF_INET6:
		if (len < (is_tuple ? 36u : 18u))
			return -1;
		out->v6 = 1;
		memcpy(out->sip, p, 16);
		out->sport = rd16(p + 16);
		if (is_tuple) {
			memcpy(out->dip, p + 18, 16);
			out->dport = rd16(p + 34);
			maybe_unmap(out);
		}
		return 0;
	case PPM_AF_UNIX:
		if (is_tuple) {
			if (len < 16)
				return -1;
			out->usrc = rd64(p);
			out->udst = rd64(p + 8);
			p += 16;
			len -= 16;
		}
		/* The path must be NUL-terminated inside the value. */
		if (len == 0 || memchr(p, '\0', len) == NULL)
			return len == 0 ? 0 : -1;
		out->path = (const char *)p;
		return 0;
	default:
		return 0;
	}
}

/* Decimal v at p; returns the digits written (at most 5 for a port). */
static size_t put_dec(char *p, unsigned v)
{
	char t[10];
	size_t n = 0;
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (size_t i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

/* "a.b.c.d" (what inet_ntop writes for IPv4) at p, at most 15 bytes. */
static size_t put_ip4(char *p, const uint8_t *ip)
{
	size_t n = 0;
	for (int i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += put_dec(p + n, ip[i]);
	}
	return n;
}

/* "IP:port" at p: IPv4 formatted here (sockets name their fd on every
 * connect and accept: snprintf and inet_ntop cost thousands of
 * instructions), IPv6 by inet_ntop. At most 46 + 6 bytes. */
static size_t put_endpoint(char *p, const uint8_t *ip, int v6, uint16_t port)
{
	size_t n;
	if (v6) {
		if (!inet_ntop(AF_INET6, ip, p, 64))
			p[0] = '\0';
		n = strlen(p);
	} else {
		n = put_ip4(p, ip);
	}
	p[n++] = ':';
	return n + put_dec(p + n, port);
}

/* Copies the n bytes of text into buf as snprintf would: cut to cap - 1
 * and NUL-terminated; returns the length kept. */
static size_t put_out(char *buf, size_t cap, const char *text, size_t n)
{
	if (!cap)
		return 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return n;
}

size_t state_ip_to_text(const uint8_t *ip, int v6, char *buf, size_t cap)
{
	if (!v6 && cap >= 16) {
		size_t n = put_ip4(buf, ip);
		buf[n] = '\0';
		return n;
	}
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)cap)) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return strlen(buf);
}

size_t state_tuple_to_text(const struct state_tuple *t, char *buf, size_t cap)
{
	if (t->family == PPM_AF_UNIX) {
		int n = snprintf(buf, cap, "%" PRIx64 "->%" PRIx64 " %s", t->usrc, t->udst, t->path);
		return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
	}
	char text[160];
	size_t n = put_endpoint(text, t->sip, t->v6, t->sport);
	text[n++] = '-';
	text[n++] = '>';
	n += put_endpoint(text + n, t->dip, t->v6, t->dport);
	return put_out(buf, cap, text, n);
}

size_t state_addr_to_text(const struct state_tuple *t, char *buf, size_t cap)
{
	if (t->family == PPM_AF_UNIX) {
		int n = snprintf(buf, cap, "%s", t->path);
		return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
	}
	char text[80];
	return put_out(buf, cap, text, put_endpoint(text, t->sip, t->v6, t->sport));
}
