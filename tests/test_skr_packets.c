/* tests/test_skr_packets.c: .skr packet frames: round trip, interface metadata, old readers skip them, a cut stream reads up to the cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats/packet.h"
#include "formats/skr/skr.h"

#define NPKT 300
#define PER_FRAME 100

static char path[64];

static void make_packet(uint32_t i, struct sk_packet *p, uint8_t *buf)
{
	p->ts = 1700000000000000000ull + i * 1000ull + (i % 3) * 7;
	p->iface = i % 2;
	p->caplen = 20 + i % 50;
	p->origlen = p->caplen + (i % 4 == 0 ? 1000 : 0);
	for (uint32_t k = 0; k < p->caplen; k++)
		buf[k] = (uint8_t)(i * 7 + k);
	p->data = buf;
}

/* Events 1..nev interleaved with NPKT packets in NPKT/PER_FRAME frames. */
static void write_capture(int close_it)
{
	char err[256];
	struct skr_writer_opts wo = { .force = 1, .frame_events = 10 };
	struct skr_writer *w = skr_writer_open_path(path, &wo, err, sizeof(err));
	assert_non_null(w);
	struct sk_meta_capif ifs[2] = { { "veth0", 1, 262144, "" }, { "lo", 1, 96, "tcp port 80" } };
	assert_int_equal(skr_writer_put_meta(w, SK_META_CAPIF, ifs, 2), 0);
	struct skr_packet_encoder *e = skr_packet_encoder_new(3);
	assert_non_null(e);
	uint8_t buf[128];
	for (uint32_t i = 0; i < NPKT; i++) {
		struct sk_packet p;
		make_packet(i, &p, buf);
		assert_int_equal(skr_packet_encoder_add(e, &p), 0);
		struct sk_event ev = { .type = 1, .tid = 42, .ts = p.ts, .nparams = 0 };
		assert_int_equal(skr_writer_append(w, &ev), 0);
		if (skr_packet_encoder_count(e) == PER_FRAME) {
			const uint8_t *f;
			size_t len;
			assert_int_equal(skr_packet_encoder_finish(e, &f, &len), 0);
			assert_true(len > 0);
			assert_int_equal(skr_writer_put_frame(w, f, len), 0);
		}
	}
	skr_packet_encoder_free(e);
	if (close_it)
		assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	else
		skr_writer_abandon(w);
}

struct seen {
	uint32_t n;
	int mismatch;
};

static void sink(void *ctx, const struct sk_packet *p)
{
	struct seen *s = ctx;
	uint8_t buf[128];
	struct sk_packet want;
	make_packet(s->n, &want, buf);
	if (p->ts != want.ts || p->iface != want.iface || p->caplen != want.caplen ||
	    p->origlen != want.origlen || memcmp(p->data, buf, p->caplen) != 0)
		s->mismatch = 1;
	s->n++;
}

static uint64_t read_all(struct seen *s, int *rc_out, uint64_t *nev)
{
	char err[256];
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	if (s)
		skr_reader_set_packet_sink(r, sink, s);
	struct sk_event ev;
	int rc;
	*nev = 0;
	while ((rc = skr_reader_next(r, &ev)) > 0)
		(*nev)++;
	*rc_out = rc;
	const struct sk_meta *m = skr_reader_meta(r);
	uint64_t ncapif = m->n_capifs;
	if (ncapif == 2) {
		assert_string_equal(m->capifs[0].name, "veth0");
		assert_int_equal(m->capifs[1].snaplen, 96);
		assert_string_equal(m->capifs[1].filter, "tcp port 80");
	}
	uint64_t np = skr_reader_packets(r);
	skr_reader_close(r);
	assert_int_equal(np, s ? s->n : 0);
	return ncapif;
}

static void test_round_trip(void **state)
{
	(void)state;
	write_capture(1);
	struct seen s = { 0 };
	int rc;
	uint64_t nev;
	assert_int_equal(read_all(&s, &rc, &nev), 2);
	assert_int_equal(rc, 0);
	assert_int_equal(nev, NPKT);
	assert_int_equal(s.n, NPKT);
	assert_false(s.mismatch);
}

/* Without a sink (a reader that predates packets) the events are the same. */
static void test_no_sink_same_events(void **state)
{
	(void)state;
	write_capture(1);
	int rc;
	uint64_t nev;
	read_all(NULL, &rc, &nev);
	assert_int_equal(rc, 0);
	assert_int_equal(nev, NPKT);
}

/* A file cut inside the second packet frame: the first frame's packets are
 * all delivered, then the reader reports the truncation. */
static void test_truncated(void **state)
{
	(void)state;
	write_capture(0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	/* find the second packet frame by scanning for its tag */
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	uint8_t *b = malloc((size_t)st.st_size);
	assert_int_equal(fread(b, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	long cut = -1;
	int seen_frames = 0;
	for (long i = 0; i + 4 <= st.st_size; i++)
		if (!memcmp(b + i, "SKRP", 4) && ++seen_frames == 2) {
			cut = i + 20;
			break;
		}
	free(b);
	assert_true(cut > 0);
	assert_int_equal(truncate(path, cut), 0);
	struct seen s = { 0 };
	int rc;
	uint64_t nev;
	read_all(&s, &rc, &nev);
	assert_int_equal(rc, SKR_ETRUNCATED);
	assert_int_equal(s.n, PER_FRAME);
	assert_false(s.mismatch);
	assert_true(nev >= PER_FRAME - 10);
}

/* A flipped byte inside a packet frame is caught by its CRC. */
static void test_corrupt(void **state)
{
	(void)state;
	write_capture(1);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	uint8_t b[1 << 16];
	size_t n = fread(b, 1, sizeof(b), f);
	uint8_t *t = memmem(b, n, "SKRP", 4);
	assert_non_null(t);
	long off = (long)(t - b) + 40;
	fseek(f, off, SEEK_SET);
	fputc(b[off] ^ 0xff, f);
	fclose(f);
	struct seen s = { 0 };
	int rc;
	uint64_t nev;
	read_all(&s, &rc, &nev);
	assert_int_equal(rc, SKR_ECORRUPT);
}

static void test_flow(void **state)
{
	(void)state;
	/* Ethernet + IPv4 + TCP, 10.0.0.1:40000 -> 10.0.0.2:80, 5 payload bytes */
	uint8_t pkt[14 + 20 + 20 + 5] = { 0 };
	pkt[12] = 0x08;
	uint8_t *ip = pkt + 14;
	ip[0] = 0x45;
	ip[3] = 20 + 20 + 5;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	uint8_t *tcp = ip + 20;
	tcp[0] = 40000 >> 8;
	tcp[1] = 40000 & 0xff;
	tcp[3] = 80;
	tcp[12] = 5 << 4;
	struct sk_flow fl;
	assert_int_equal(sk_packet_flow(SK_LINKTYPE_ETHERNET, pkt, sizeof(pkt), &fl), 0);
	assert_int_equal(fl.family, 2);
	assert_int_equal(fl.l4proto, 6);
	assert_int_equal(fl.sport, 40000);
	assert_int_equal(fl.dport, 80);
	assert_int_equal(fl.payload, 5);
	assert_memory_equal(fl.dst, "\x0a\x00\x00\x02", 4);
	/* cut before the ports */
	assert_int_equal(sk_packet_flow(SK_LINKTYPE_ETHERNET, pkt, 14 + 21, &fl), -1);
	/* ARP */
	pkt[13] = 0x06;
	assert_int_equal(sk_packet_flow(SK_LINKTYPE_ETHERNET, pkt, sizeof(pkt), &fl), -1);
}

int main(void)
{
	snprintf(path, sizeof(path), "/tmp/saker-test-pkt.%d.skr", (int)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_sink_same_events),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_flow),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(path);
	return rc;
}
