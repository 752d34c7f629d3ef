/* tests/test_state_sockaddr.c: the text forms of addresses and tuples (replay/state/sockaddr.c), which name socket fds, against inet_ntop and snprintf on random and edge addresses, ports and buffer sizes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay/state/ppm.h"
#include "replay/state/sockaddr.h"

/* The forms as the C library writes them (what sysdig prints). */
static size_t ref_ip(const uint8_t *ip, int v6, char *buf, size_t cap)
{
	if (!inet_ntop(v6 ? AF_INET6 : AF_INET, ip, buf, (socklen_t)cap)) {
		if (cap)
			buf[0] = '\0';
		return 0;
	}
	return strlen(buf);
}

static size_t ref_cut(int n, size_t cap)
{
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

static size_t ref_tuple(const struct state_tuple *t, char *buf, size_t cap)
{
	char s[64], d[64];
	ref_ip(t->sip, t->v6, s, sizeof(s));
	ref_ip(t->dip, t->v6, d, sizeof(d));
	return ref_cut(snprintf(buf, cap, "%s:%u->%s:%u", s, t->sport, d, t->dport), cap);
}

static size_t ref_addr(const struct state_tuple *t, char *buf, size_t cap)
{
	char s[64];
	ref_ip(t->sip, t->v6, s, sizeof(s));
	return ref_cut(snprintf(buf, cap, "%s:%u", s, t->sport), cap);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Bytes that exercise every digit count (0, 9, 10, 99, 100, 255) and
 * IPv6 zero runs (the :: compression) and IPv4-mapped forms. */
static void random_tuple(struct state_tuple *t)
{
	static const uint8_t edge[] = {0, 1, 9, 10, 99, 100, 127, 192, 255};
	memset(t, 0, sizeof(*t));
	t->v6 = next_rand() % 3 == 0;
	t->family = t->v6 ? PPM_AF_INET6 : PPM_AF_INET;
	for (int k = 0; k < 2; k++) {
		uint8_t *ip = k ? t->dip : t->sip;
		int n = t->v6 ? 16 : 4;
		for (int i = 0; i < n; i++)
			ip[i] = next_rand() % 2 ? edge[next_rand() % sizeof(edge)] : (uint8_t)next_rand();
		if (t->v6 && next_rand() % 2) /* a run of zeros, or an IPv4-mapped address */
			memset(ip + next_rand() % 8, 0, 8);
		if (t->v6 && next_rand() % 4 == 0) {
			memset(ip, 0, 10);
			ip[10] = ip[11] = 0xff;
		}
	}
	static const uint16_t ports[] = {0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535};
	t->sport = next_rand() % 2 ? ports[next_rand() % 11] : (uint16_t)next_rand();
	t->dport = next_rand() % 2 ? ports[next_rand() % 11] : (uint16_t)next_rand();
}

static void test_forms_match_the_library(void **state)
{
	(void)state;
	/* capacities from one byte to more than enough: the cut is snprintf's */
	static const size_t caps[] = {1, 2, 7, 8, 15, 16, 17, 20, 30, 46, 47, 60, 100, 160};
	for (int round = 0; round < 20000; round++) {
		struct state_tuple t;
		random_tuple(&t);
		size_t cap = caps[round % (sizeof(caps) / sizeof(caps[0]))];
		char got[200], want[200];
		memset(got, 'x', sizeof(got));
		memset(want, 'x', sizeof(want));
		size_t gn = state_tuple_to_text(&t, got, cap), wn = ref_tuple(&t, want, cap);
		assert_int_equal(gn, wn);
		assert_string_equal(got, want);
		assert_memory_equal(got + wn + 1, want + wn + 1, 10); /* nothing written beyond */
		gn = state_addr_to_text(&t, got, cap);
		wn = ref_addr(&t, want, cap);
		assert_int_equal(gn, wn);
		assert_string_equal(got, want);
		gn = state_ip_to_text(t.dip, t.v6, got, cap);
		wn = ref_ip(t.dip, t.v6, want, cap);
		assert_int_equal(gn, wn);
		assert_string_equal(got, want);
		/* no room at all: nothing written, length 0 */
		char none = 'x';
		assert_int_equal(state_tuple_to_text(&t, &none, 0), 0);
		assert_int_equal(state_addr_to_text(&t, &none, 0), 0);
		assert_int_equal(none, 'x');
	}
}

static void test_known_forms(void **state)
{
	(void)state;
	struct state_tuple t;
	memset(&t, 0, sizeof(t));
	t.family = PPM_AF_INET;
	memcpy(t.sip, (uint8_t[]){10, 0, 2, 15}, 4);
	memcpy(t.dip, (uint8_t[]){255, 255, 255, 0}, 4);
	t.sport = 0;
	t.dport = 65535;
	char buf[160];
	assert_int_equal(state_tuple_to_text(&t, buf, sizeof(buf)), strlen("10.0.2.15:0->255.255.255.0:65535"));
	assert_string_equal(buf, "10.0.2.15:0->255.255.255.0:65535");
	assert_int_equal(state_addr_to_text(&t, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "10.0.2.15:0");
	t.v6 = 1;
	t.family = PPM_AF_INET6;
	memset(t.sip, 0, 16);
	t.sip[15] = 1;
	memset(t.dip, 0, 16);
	t.dip[10] = t.dip[11] = 0xff;
	memcpy(t.dip + 12, (uint8_t[]){1, 2, 3, 4}, 4);
	t.sport = 443;
	t.dport = 8080;
	state_tuple_to_text(&t, buf, sizeof(buf));
	assert_string_equal(buf, "::1:443->::ffff:1.2.3.4:8080");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_forms),
		cmocka_unit_test(test_forms_match_the_library),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
