/* tests/test_skr_coding.c: .skr 2.2 coded chunks (columns, timestamps, key-chunk dictionaries) keep every event and parameter of peer, sample and generated captures, under every writer setting, read straight or after a seek. */
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

#include "formats/skr/skr.h"
#include "formats/skr/wire.h"
#include "tests/helpers/event_assert.h"
#include "sources/source.h"
#include "replay/replay.h"
#include "replay/convert.h"

#define PEERS "../shared/peers/scap"
#define SAMPLE "samples/captures/attack.skr" /* a 2.0 file: the older decode path */

static const char *const peers[] = {
	"cat_write.scap", "connect_localhost.scap", "empty.scap", "open-multiple-files.scap",
	"ping_sendto.scap", "privileged.scap", "run_as_user_0_container.scap", "syscall.scap",
	"write_tmp_test.scap",
};
#define NPEERS (sizeof(peers) / sizeof(peers[0]))

/* Writer settings every capture goes through: the default, tiny chunks (so
 * nearly every chunk uses a key chunk), independent chunks, other levels,
 * chunks cut by size. */
static const struct skr_writer_opts variants[] = {
	{ .force = 1 },
	{ .force = 1, .frame_events = 7 },
	{ .force = 1, .frame_events = 50, .independent = 1 },
	{ .force = 1, .frame_events = 300, .level = 1 },
	{ .force = 1, .frame_events = 1000, .level = 9 },
	{ .force = 1, .frame_bytes = 4096 },
};
#define NVARIANTS (sizeof(variants) / sizeof(variants[0]))

static char tmpdir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/saker_test_skr_coding_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tmp_path(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmpdir, name);
	return buf;
}

/* Events kept in memory with their parameter bytes (the sources' own point
 * into buffers that the next event reuses). */
struct events {
	struct sk_event *ev;
	size_t n, cap;
};

static void events_add(struct events *e, const struct sk_event *ev)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->ev = realloc(e->ev, e->cap * sizeof(*e->ev));
		assert_non_null(e->ev);
	}
	struct sk_event *c = &e->ev[e->n++];
	*c = *ev;
	for (uint32_t i = 0; i < ev->nparams; i++) {
		uint8_t *p = malloc(ev->params[i].len + 1);
		assert_non_null(p);
		if (ev->params[i].len)
			memcpy(p, ev->params[i].val, ev->params[i].len);
		c->params[i].val = p;
	}
}

static void events_free(struct events *e)
{
	for (size_t k = 0; k < e->n; k++)
		for (uint32_t i = 0; i < e->ev[k].nparams; i++)
			free((void *)e->ev[k].params[i].val);
	free(e->ev);
	memset(e, 0, sizeof(*e));
}

static void load_events(const char *path, struct events *e)
{
	char err[512];
	struct source_opts so = { .deliver_enter = 1 }; /* .scap: enter events too, as the converter keeps them */
	struct source *s = source_open_opts(path, &so, err, sizeof(err));
	if (!s)
		fprintf(stderr, "%s\n", err);
	assert_non_null(s);
	struct sk_event ev;
	int rc;
	while ((rc = source_next(s, &ev)) == 1)
		events_add(e, &ev);
	assert_int_equal(rc, 0);
	source_close(s);
}

static void write_events(const char *path, const struct events *e, const struct skr_writer_opts *o)
{
	char err[512];
	struct skr_writer *w = skr_writer_open_path(path, o, err, sizeof(err));
	if (!w)
		fprintf(stderr, "%s\n", err);
	assert_non_null(w);
	for (size_t k = 0; k < e->n; k++)
		assert_int_equal(skr_writer_append(w, &e->ev[k]), 0);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
}

/* Reads path and checks it holds exactly e's events, numbered from 1. */
static void assert_file_holds(const char *path, const struct events *e)
{
	char err[512];
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	if (!r)
		fprintf(stderr, "%s\n", err);
	assert_non_null(r);
	struct sk_event ev;
	size_t k = 0;
	int rc;
	while ((rc = skr_reader_next(r, &ev)) == 1) {
		assert_true(k < e->n);
		test_assert_event_equal(&ev, &e->ev[k]);
		assert_int_equal(ev.num, k + 1);
		k++;
	}
	if (rc != 0)
		fprintf(stderr, "%s\n", skr_reader_error(r));
	assert_int_equal(rc, 0);
	assert_int_equal(k, e->n);
	skr_reader_close(r);
}

/* Seeks to the time of event k (events in time order) and checks that what
 * follows is e's events from the first one at or after that time. The chunk
 * sought to usually needs its key chunk, which the reader has not seen. */
static void assert_seek(const char *path, const struct events *e, size_t k)
{
	char err[512];
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	uint64_t t = e->ev[k].ts;
	assert_int_equal(skr_reader_seek_time(r, t), 0);
	size_t j = 0;
	while (j < e->n && e->ev[j].ts < t)
		j++;
	struct sk_event ev;
	int rc;
	while ((rc = skr_reader_next(r, &ev)) == 1) {
		assert_true(j < e->n);
		test_assert_event_equal(&ev, &e->ev[j]);
		assert_int_equal(ev.num, j + 1);
		j++;
	}
	if (rc != 0)
		fprintf(stderr, "%s\n", skr_reader_error(r));
	assert_int_equal(rc, 0);
	assert_int_equal(j, e->n);
	skr_reader_close(r);
}

static int time_ordered(const struct events *e)
{
	for (size_t k = 1; k < e->n; k++)
		if (e->ev[k].ts < e->ev[k - 1].ts)
			return 0;
	return 1;
}

/* Every writer setting: the file reads back event for event, and seeks. */
static void check_variants(const char *name, const struct events *e)
{
	char path[256], file[128];
	for (size_t v = 0; v < NVARIANTS; v++) {
		snprintf(file, sizeof(file), "%s.%zu.skr", name, v);
		tmp_path(path, sizeof(path), file);
		write_events(path, e, &variants[v]);
		assert_file_holds(path, e);
		if (e->n && time_ordered(e)) {
			assert_seek(path, e, e->n / 2);
			assert_seek(path, e, e->n - 1);
		}
	}
}

/* The peers, converted as saker-replay -w does, then re-encoded. */
static void test_peers(void **state)
{
	(void)state;
	if (access(PEERS "/cat_write.scap", R_OK) != 0) {
		printf("SKIPPED: %s not found (shared test data sits beside the repository)\n", PEERS);
		skip();
	}
	for (size_t i = 0; i < NPEERS; i++) {
		char in[256], out[256];
		snprintf(in, sizeof(in), "%s/%s", PEERS, peers[i]);
		tmp_path(out, sizeof(out), "peer.skr");
		struct replay_opts o;
		memset(&o, 0, sizeof(o));
		const char *caps[1] = { in };
		o.captures = caps;
		o.ncaptures = 1;
		o.write_path = out;
		o.force = 1;
		assert_int_equal(replay_convert(&o), 0);
		struct events scap = { 0 }, skr = { 0 };
		load_events(in, &scap);
		load_events(out, &skr);
		assert_int_equal(scap.n, skr.n);
		for (size_t k = 0; k < scap.n; k++)
			test_assert_event_equal(&scap.ev[k], &skr.ev[k]);
		check_variants(peers[i], &skr);
		events_free(&scap);
		events_free(&skr);
	}
}

/* The committed sample (written as 2.0) read by the old path, re-encoded as
 * 2.2; key chunks make small chunks markedly smaller. */
static void test_sample(void **state)
{
	(void)state;
	struct events e = { 0 };
	load_events(SAMPLE, &e);
	assert_true(e.n > 1000);
	check_variants("sample", &e);
	char dep[256], ind[256];
	struct skr_writer_opts o_dep = { .force = 1, .frame_events = 500 };
	struct skr_writer_opts o_ind = { .force = 1, .frame_events = 500, .independent = 1 };
	write_events(tmp_path(dep, sizeof(dep), "dep.skr"), &e, &o_dep);
	write_events(tmp_path(ind, sizeof(ind), "ind.skr"), &e, &o_ind);
	struct stat sd, si;
	assert_int_equal(stat(dep, &sd), 0);
	assert_int_equal(stat(ind, &si), 0);
	assert_true(sd.st_size * 10 < si.st_size * 9);
	events_free(&e);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A value of len bytes in one of the regimes the column coding treats
 * differently: counters (deltas), constants, noise, extremes that wrap. */
static void gen_value(uint8_t *p, uint32_t len, uint64_t k, unsigned regime, uint64_t *s)
{
	uint64_t v;
	switch (regime) {
	case 0: v = k * 3; break;                                   /* counter */
	case 1: v = 0x1234; break;                                  /* constant */
	case 2: v = (k & 1) ? ~(uint64_t)0 : 0; break;              /* wraps both ways */
	case 3: v = (uint64_t)1 << (rnd(s) % 64); break;            /* sign bits */
	default: v = rnd(s); break;                                 /* noise */
	}
	for (uint32_t b = 0; b < len; b++)
		p[b] = b < 8 ? (uint8_t)(v >> (8 * b)) : (uint8_t)rnd(s);
}

/* Events that no recorder makes: random types and parameter lengths (many
 * shapes, more than a chunk holds), timestamps going back and leaping, every
 * column regime, big values that repeat and that do not. */
static void generate(struct events *e, size_t n, uint64_t seed, int ordered)
{
	static const uint32_t lens[] = { 0, 1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 40, 300 };
	uint64_t s = seed, ts = ordered ? 1000 : ~(uint64_t)0 - 5000;
	static uint8_t bytes[SK_MAX_PARAMS][300];
	for (size_t k = 0; k < n; k++) {
		struct sk_event ev;
		memset(&ev, 0, sizeof(ev));
		uint64_t r = rnd(&s);
		if (ordered)
			ts += r % 100000;
		else
			ts += (r % 7 == 0) ? (uint64_t)1 << (r % 63) : (uint64_t)(int64_t)((int64_t)(r % 20001) - 10000);
		ev.ts = ts;
		ev.tid = (r >> 8) % 5 == 0 ? -(int64_t)(r % 1000) : (int64_t)(r % 50);
		ev.cpu = (uint16_t)((r >> 20) % 4 == 0 ? 0xffff : (r >> 24) % 8);
		ev.flags = (uint32_t)((r >> 30) % 3 == 0 ? 0xffffffffu : 0);
		ev.type = (uint16_t)(k % 97 == 0 ? 0xffff : (r >> 33) % 40);
		ev.nparams = (uint32_t)(rnd(&s) % (SK_MAX_PARAMS + 1));
		for (uint32_t i = 0; i < ev.nparams; i++) {
			uint64_t q = rnd(&s);
			/* types keep their lengths mostly, as real events do */
			uint32_t len = q % 5 == 0 ? lens[q % (sizeof(lens) / sizeof(lens[0]))]
						  : lens[(ev.type + i) % (sizeof(lens) / sizeof(lens[0]))];
			unsigned regime = (unsigned)((ev.type + i) % 5);
			if (len > 16 && q % 3 == 0) {
				memset(bytes[i], (int)(q % 4), len); /* a repeated big value */
			} else {
				gen_value(bytes[i], len, k, regime, &s);
			}
			ev.params[i] = (struct sk_param){ bytes[i], len };
		}
		events_add(e, &ev);
	}
}

static void test_generated(void **state)
{
	(void)state;
	for (int ordered = 0; ordered < 2; ordered++) {
		struct events e = { 0 };
		generate(&e, 20000, 0x9e3779b97f4a7c15ull + (uint64_t)ordered, ordered);
		check_variants(ordered ? "gen_ordered" : "gen", &e);
		events_free(&e);
	}
}

/* A file of one event, and of one chunk per event with every chunk a key
 * or a user of one. */
static void test_tiny(void **state)
{
	(void)state;
	struct events e = { 0 };
	generate(&e, 1, 7, 1);
	check_variants("one", &e);
	events_free(&e);
	generate(&e, 40, 8, 1);
	char path[256];
	struct skr_writer_opts o = { .force = 1, .frame_events = 1 };
	write_events(tmp_path(path, sizeof(path), "each.skr"), &e, &o);
	assert_file_holds(path, &e);
	for (size_t k = 0; k < e.n; k += 7)
		assert_seek(path, &e, k);
	events_free(&e);
}

/* skr_planar_join in blocks of 8 against the byte-by-byte join, for every
 * width and for column sizes around the block edges; nothing past the
 * column is written. */
static void test_planar_join(void **state)
{
	(void)state;
	uint64_t seed = 0x243f6a8885a308d3ull;
	for (unsigned w = 1; w <= 16; w++)
		for (size_t n = 0; n <= 70; n++) {
			uint8_t in[16 * 70], out[16 * 70 + 32], want[16 * 70 + 32];
			for (size_t i = 0; i < n * w; i++) {
				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				in[i] = (uint8_t)(seed >> 56);
			}
			memset(out, 0xa5, sizeof(out));
			memset(want, 0xa5, sizeof(want));
			for (unsigned j = 0; j < w; j++)
				for (size_t i = 0; i < n; i++)
					want[i * w + j] = in[j * n + i];
			skr_planar_join(out, in, n, w);
			assert_memory_equal(out, want, sizeof(out));
		}
}

/* Varints of every length (the 1-, 2- and 3-byte shortcuts and the loop)
 * read back, with the stream ending right after them or later; cut short
 * by one byte, or 11 bytes long, they are refused. */
static void test_varint(void **state)
{
	(void)state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int round = 0; round < 200000; round++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		unsigned bits = (unsigned)(seed >> 58); /* 0 .. 63 significant bits */
		uint64_t v = (seed ^ (seed << 17)) >> (63 - bits);
		uint8_t buf[16];
		size_t n = skr_put_varint(buf, v);
		size_t extra = (size_t)(round % 4); /* bytes after it in the stream */
		memset(buf + n, 0x81, extra);
		const uint8_t *p = buf;
		uint64_t got = ~v;
		assert_int_equal(skr_get_varint(&p, buf + n + extra, &got), 0);
		assert_true(got == v);
		assert_ptr_equal(p, buf + n);
		p = buf;
		assert_int_equal(skr_get_varint(&p, buf + n - 1, &got), -1);
	}
	uint8_t eleven[11];
	memset(eleven, 0x80, 10);
	eleven[10] = 0;
	const uint8_t *p = eleven;
	uint64_t got;
	assert_int_equal(skr_get_varint(&p, eleven + 11, &got), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_varint),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_planar_join),
	};
	return cmocka_run_group_tests_name("skr_coding", tests, setup, teardown);
}
