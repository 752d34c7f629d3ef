/* tests/test_skr_pipe.c: the .skr reader's decode pipeline gives exactly what sequential decoding gives: events, metadata and packets in order, errors, seeking, pipes, 2.2 key-chunk dictionaries across workers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats/skr/skr.h"
#include "tests/helpers/test_files.h"


/* The whole file; the test fails when it cannot be read. */
static uint8_t *slurp_file(const char *path, size_t *len)
{
	uint8_t *p = test_load_inflated(path, len);
	assert_non_null(p);
	return p;
}
static char tmpdir[] = "/tmp/saker-test-skr-pipe.XXXXXX";
static char capture[300];      /* the synthetic capture every test reads */
static uint8_t *cap_bytes;
static size_t cap_len;
/* The same events in tiny chunks (as a quiet recorder flushes them), so that
 * key chunks come often and most chunks need one a worker may not hold. */
static char keyed[300], keyed_indep[300];
static uint8_t *keyed_bytes;
static size_t keyed_len;
#define KEYED_FRAME_EVENTS 7

#define NEVENTS 6000
#define FRAME_EVENTS 50
#define TS0 1700000000000000000ull

/* Event i of the capture: types, tids and parameters that vary. */
static void make_event(uint64_t i, struct sk_event *ev, uint8_t *bytes)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)(1 + (i * 7) % (SK_EV__COUNT - 1));
	ev->tid = (int64_t)(1000 + (i * 13) % 50);
	ev->ts = TS0 + i * 1000;
	ev->cpu = (uint16_t)(i % 4);
	ev->nparams = (uint32_t)(i % 5);
	size_t off = 0;
	for (uint32_t k = 0; k < ev->nparams; k++) {
		/* some values longer than the fixed-size limit, some repeated */
		uint32_t len = (uint32_t)((i + k) % 3 == 0 ? 0 : (i % 7 == 0 ? 90 : (i * 31 + k * 17) % 60));
		for (uint32_t b = 0; b < len; b++)
			bytes[off + b] = (uint8_t)((i % 7 == 0 ? k : i + k) + b);
		ev->params[k].val = bytes + off;
		ev->params[k].len = len;
		off += len;
	}
}

/* Many small frames, with metadata and packet frames between them. */
static void write_capture(const char *path, uint32_t frame_events, int independent)
{
	char err[512];
	struct skr_writer_opts o = { .frame_events = frame_events, .force = 1, .independent = independent };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	struct skr_packet_encoder *pe = skr_packet_encoder_new(3);
	assert_non_null(pe);
	uint8_t bytes[512], pkt[64];
	struct sk_event ev;
	for (uint64_t i = 0; i < NEVENTS; i++) {
		if (i % 700 == 350) {
			struct sk_meta_drops d = { .ts = TS0 + i * 1000, .ring_full = i };
			assert_int_equal(skr_writer_put_meta(w, SK_META_DROPS, &d, 1), 0);
		}
		if (i % 900 == 450) {
			for (int k = 0; k < 3; k++) {
				memset(pkt, (int)(i + (uint64_t)k), sizeof(pkt));
				struct sk_packet p = { .ts = TS0 + i * 1000 + (uint64_t)k, .caplen = sizeof(pkt),
						       .origlen = sizeof(pkt), .data = pkt };
				assert_int_equal(skr_packet_encoder_add(pe, &p), 0);
			}
			const uint8_t *frame;
			size_t len;
			assert_int_equal(skr_packet_encoder_finish(pe, &frame, &len), 0);
			assert_int_equal(skr_writer_flush(w), 0);
			assert_int_equal(skr_writer_put_frame(w, frame, len), 0);
		}
		make_event(i, &ev, bytes);
		assert_int_equal(skr_writer_append(w, &ev), 0);
	}
	skr_packet_encoder_free(pe);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(capture, sizeof(capture), "%s/capture.skr", tmpdir);
	write_capture(capture, FRAME_EVENTS, 0);
	cap_bytes = slurp_file(capture, &cap_len);
	snprintf(keyed, sizeof(keyed), "%s/keyed.skr", tmpdir);
	write_capture(keyed, KEYED_FRAME_EVENTS, 0);
	keyed_bytes = slurp_file(keyed, &keyed_len);
	snprintf(keyed_indep, sizeof(keyed_indep), "%s/keyed-indep.skr", tmpdir);
	write_capture(keyed_indep, KEYED_FRAME_EVENTS, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(cap_bytes);
	free(keyed_bytes);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Everything a consumer of the reader can see, folded into a hash in the
 * order it saw it, and the end state. */
struct transcript {
	int runs;               /* read with skr_reader_next_run, not skr_reader_next */
	uint64_t prepared;      /* events that came with prepared words (not compared) */
	uint64_t hash, events, packets;
	int rc, complete;
	uint64_t offset;
	size_t drops;
	char err[700];
};

static void mix(struct transcript *t, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		t->hash = (t->hash ^ b[i]) * 1099511628211ull;
}

static void on_packet(void *ctx, const struct sk_packet *p)
{
	struct transcript *t = ctx;
	t->packets++;
	mix(t, &p->ts, sizeof(p->ts));
	mix(t, p->data, p->caplen);
}

/* A decode worker's work on an event: a few words made of it, for some
 * events (what the reader gives back with each must be these). */
static uint32_t prep_words(void *w, const struct sk_event *ev, uint64_t *out)
{
	(void)w;
	uint32_t n = (uint32_t)(ev->num % 3);
	for (uint32_t i = 0; i < n; i++)
		out[i] = ev->num * 7 + ev->ts + i;
	return n;
}

static void *prep_new(void *ctx)
{
	return ctx;
}

static void check_words(struct transcript *t, const struct sk_event *ev, const uint64_t *words, uint32_t nw)
{
	if (!nw)
		return;
	t->prepared++;
	assert_int_equal(nw, ev->num % 3);
	for (uint32_t i = 0; i < nw; i++)
		assert_true(words[i] == ev->num * 7 + ev->ts + i);
}

/* Reads r to its end (or max events) into t. */
static void read_all(struct skr_reader *r, struct transcript *t, uint64_t max)
{
	struct sk_event copy;
	struct sk_event_run run = {0};
	int rc = 0;
	for (;;) {
		if (t->events >= max)
			break;
		const struct sk_event *e = &copy;
		const uint64_t *words = NULL;
		uint32_t nw = 0;
		if (t->runs) {
			if (!sk_event_run_next(&run, &e, &words, &nw)) {
				if ((rc = skr_reader_next_run(r, &run)) != 1)
					break;
				assert_true(run.n >= 1);
				continue;
			}
		} else {
			if ((rc = skr_reader_next(r, &copy)) != 1)
				break;
			nw = skr_reader_prep(r, &words);
		}
		check_words(t, e, words, nw);
		t->events++;
		uint64_t head[4] = { e->num, e->ts, (uint64_t)e->tid, e->type };
		mix(t, head, sizeof(head));
		for (uint32_t k = 0; k < e->nparams; k++) {
			mix(t, &e->params[k].len, sizeof(e->params[k].len));
			mix(t, e->params[k].val, e->params[k].len);
		}
		/* where metadata and packets arrive between events */
		size_t nd = skr_reader_meta(r)->n_drops;
		mix(t, &nd, sizeof(nd));
		mix(t, &t->packets, sizeof(t->packets));
	}
	t->rc = rc;
	t->complete = skr_reader_complete(r);
	t->offset = skr_reader_offset(r);
	t->drops = skr_reader_meta(r)->n_drops;
	snprintf(t->err, sizeof(t->err), "%s", rc < 0 ? skr_reader_error(r) : "");
}

/* Read by run (1) or by event (0) whatever the thread count; -1: by run
 * with an odd count, by event with an even one (open_with). */
static int force_runs = -1;

/* Opens fd (or path when fd < 0) with threads decode workers. NULL with the
 * open error in t->err. */
static struct skr_reader *open_with(const char *path, int fd, unsigned threads, struct transcript *t)
{
	memset(t, 0, sizeof(*t));
	t->hash = 1469598103934665603ull;
	char err[512];
	struct skr_reader *r = fd >= 0 ? skr_reader_open_fd(fd, "input.skr", NULL, 0, err, sizeof(err))
				       : skr_reader_open_path(path, err, sizeof(err));
	if (!r) {
		t->rc = -1000;
		snprintf(t->err, sizeof(t->err), "%s", err);
		return NULL;
	}
	skr_reader_set_packet_sink(r, on_packet, t);
	/* workers that walk the events, that do not, that decide by how far
	 * ahead they are: every path, whatever the timing; and each read both
	 * ways, by event and by run */
	static const enum skr_walk_ahead walk[] = {SKR_WALK_AUTO, SKR_WALK_ALWAYS, SKR_WALK_NEVER};
	skr_reader_set_walk_ahead(r, walk[threads % 3]);
	static int prep_ctx;
	static const struct skr_prepare prep = {prep_new, NULL, prep_words, &prep_ctx, NULL};
	skr_reader_set_prepare(r, &prep);
	t->runs = force_runs >= 0 ? force_runs : (int)(threads % 2);
	assert_int_equal(skr_reader_set_decode_threads(r, threads), 0);
	return r;
}

static void transcribe(const char *path, unsigned threads, struct transcript *t)
{
	struct skr_reader *r = open_with(path, -1, threads, t);
	if (!r)
		return;
	read_all(r, t, UINT64_MAX);
	skr_reader_close(r);
}

/* The length of err that must match: all of it, or up to zstd's reason.
 * zstd picks its sequence-decoding loop by whether the dictionary is still
 * warm in that context from the chunk before, so for the same damaged bytes
 * it may name a different reason in a worker (whose earlier chunks depend on
 * scheduling) than in the sequential reader; the frame, offset, events and
 * status are what must agree. */
static size_t err_compared_len(const char *err)
{
	const char *z = strstr(err, ": zstd: ");
	return z ? (size_t)(z - err) + 8 : strlen(err) + 1;
}

static void assert_same(const struct transcript *a, const struct transcript *b, const char *what)
{
	size_t elen = err_compared_len(a->err);
	if (a->hash != b->hash || a->events != b->events || a->packets != b->packets || a->rc != b->rc ||
	    a->complete != b->complete || a->offset != b->offset || a->drops != b->drops ||
	    elen != err_compared_len(b->err) || memcmp(a->err, b->err, elen))
		fail_msg("%s: sequential and pipelined reads differ: events %llu/%llu packets %llu/%llu rc %d/%d "
			 "complete %d/%d offset %llu/%llu drops %zu/%zu err '%s' / '%s'",
			 what, (unsigned long long)a->events, (unsigned long long)b->events,
			 (unsigned long long)a->packets, (unsigned long long)b->packets, a->rc, b->rc, a->complete,
			 b->complete, (unsigned long long)a->offset, (unsigned long long)b->offset, a->drops, b->drops,
			 a->err, b->err);
}

/* Sequential against threads from 1 to max by step, and against
 * sequential by run (chunks walked on this thread). */
static void compare_threads(const char *path, const char *what, unsigned step, unsigned max)
{
	struct transcript seq, par;
	transcribe(path, 0, &seq);
	force_runs = 1;
	transcribe(path, 0, &par);
	force_runs = -1;
	assert_same(&seq, &par, what);
	for (unsigned threads = 1; threads <= max; threads += step) {
		transcribe(path, threads, &par);
		assert_same(&seq, &par, what);
	}
}

static void compare_file(const char *path, const char *what)
{
	compare_threads(path, what, 2, 3);
}

static void test_whole_capture(void **state)
{
	(void)state;
	struct transcript t;
	transcribe(capture, 0, &t);
	/* the capture is what it should be, so equality below means something */
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.events, NEVENTS);
	assert_int_equal(t.packets, 3 * ((NEVENTS - 450 + 899) / 900));
	assert_int_equal(t.drops, (NEVENTS - 350 + 699) / 700);
	assert_true(t.complete);
	assert_true(cap_len > (size_t)NEVENTS / FRAME_EVENTS * 8);
	compare_file(capture, "whole");
	for (unsigned threads = 1; threads <= SKR_DECODE_THREADS_MAX; threads++) {
		struct transcript par;
		transcribe(capture, threads, &par);
		assert_same(&t, &par, "whole, every thread count");
		/* workers that always walk: the words came with the events */
		if (threads % 3 == 1)
			assert_true(par.prepared > NEVENTS / 2);
	}
}

/* Cut at spread-out offsets (frame boundaries among them, by chance and by
 * the END record's offset), the same errors and the same events before them. */
static void test_truncated(void **state)
{
	(void)state;
	char path[320], what[64];
	snprintf(path, sizeof(path), "%s/cut.skr", tmpdir);
	size_t step = cap_len / 180 + 1;
	for (size_t cut = 1; cut < cap_len; cut += step) {
		assert_int_equal(test_write_file(path, cap_bytes, cut), 0);
		snprintf(what, sizeof(what), "cut at %zu", cut);
		compare_file(path, what);
	}
}

/* One damaged byte at a time: CRC mismatches, zstd errors, bad frame
 * headers; the error comes after the same events, with the same message. */
static void test_corrupt(void **state)
{
	(void)state;
	char path[320], what[64];
	snprintf(path, sizeof(path), "%s/bad.skr", tmpdir);
	uint8_t *b = malloc(cap_len);
	assert_non_null(b);
	uint64_t x = 88172645463325252ull;
	int errors = 0;
	for (int k = 0; k < 160; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t pos = 64 + (size_t)(x % (cap_len - 64));
		memcpy(b, cap_bytes, cap_len);
		b[pos] ^= (uint8_t)(1 + x % 255);
		assert_int_equal(test_write_file(path, b, cap_len), 0);
		snprintf(what, sizeof(what), "byte %zu damaged", pos);
		struct transcript seq;
		transcribe(path, 0, &seq);
		errors += seq.rc < 0;
		compare_file(path, what);
	}
	free(b);
	assert_true(errors > 100); /* the damage was seen, mostly */
}

/* Seeking before reading, and in the middle of a read with the workers
 * running ahead, lands on the same events. */
static void test_seek(void **state)
{
	(void)state;
	static const uint64_t targets[] = { 0, 1, 777, 2500, 5999, 6000, 100000 };
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		for (uint64_t first = 0; first <= 1000; first += 1000) {
			struct transcript seq, par;
			struct transcript *ts[2] = { &seq, &par };
			for (unsigned threads = 0; threads < 2; threads++) {
				/* by event against by run: one worker, or sequential */
				force_runs = (int)threads;
				struct skr_reader *r = open_with(capture, -1, first ? threads : 0, ts[threads]);
				assert_non_null(r);
				read_all(r, ts[threads], first); /* with threads: the workers are ahead */
				assert_int_equal(skr_reader_seek_time(r, TS0 + targets[i] * 1000), 0);
				read_all(r, ts[threads], UINT64_MAX);
				skr_reader_close(r);
			}
			force_runs = -1;
			char what[64];
			snprintf(what, sizeof(what), "seek to event %llu after %llu", (unsigned long long)targets[i],
				 (unsigned long long)first);
			assert_same(&seq, &par, what);
			assert_int_equal(seq.rc, 0);
		}
	}
}

/* Reads the capture through a pipe with threads workers into t. */
static void read_piped(const uint8_t *bytes, size_t len, unsigned threads, struct transcript *t)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		size_t done = 0;
		while (done < len) {
			ssize_t k = write(p[1], bytes + done, len - done);
			if (k <= 0)
				_exit(1);
			done += (size_t)k;
		}
		_exit(0);
	}
	close(p[1]);
	struct skr_reader *r = open_with(NULL, p[0], threads, t);
	assert_non_null(r);
	read_all(r, t, UINT64_MAX);
	skr_reader_close(r);
	close(p[0]);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
}

/* A pipe (no seeking, short reads) is read as a file is. */
static void test_pipe(void **state)
{
	(void)state;
	struct transcript t[2];
	for (unsigned threads = 0; threads < 2; threads++)
		read_piped(cap_bytes, cap_len, threads, &t[threads]);
	assert_int_equal(t[0].events, NEVENTS);
	assert_same(&t[0], &t[1], "pipe");
}

static void test_set_threads(void **state)
{
	(void)state;
	struct transcript t;
	struct skr_reader *r = open_with(capture, -1, 1, &t);
	assert_non_null(r);
	assert_int_equal(skr_reader_set_decode_threads(r, SKR_DECODE_THREADS_MAX + 1), -EINVAL);
	read_all(r, &t, 200); /* past the first chunk: the workers run */
	assert_int_equal(skr_reader_set_decode_threads(r, 2), -EBUSY);
	assert_int_equal(skr_reader_seek_time(r, TS0), 0);
	assert_int_equal(skr_reader_set_decode_threads(r, 0), 0); /* stopped by the seek */
	read_all(r, &t, UINT64_MAX);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.events, 200 + NEVENTS);
	skr_reader_close(r);
}

/* The keyed capture is what it should be: every event, and markedly smaller
 * than its independent twin (chunks do use key chunks as dictionaries). */
static void test_keyed_whole(void **state)
{
	(void)state;
	struct transcript t;
	transcribe(keyed, 0, &t);
	assert_int_equal(t.rc, 0);
	assert_int_equal(t.events, NEVENTS);
	assert_true(t.complete);
	uint16_t major, minor;
	char err[512];
	struct skr_reader *r = skr_reader_open_path(keyed, err, sizeof(err));
	assert_non_null(r);
	skr_reader_version(r, &major, &minor);
	skr_reader_close(r);
	assert_true(major == 2 && minor >= 2);
	size_t indep_len;
	uint8_t *indep = slurp_file(keyed_indep, &indep_len);
	free(indep);
	if (keyed_len * 10 >= indep_len * 9)
		fail_msg("keyed capture %zu bytes, independent %zu: the chunks use no dictionary", keyed_len,
			 indep_len);
	compare_threads(keyed, "keyed, whole", 1, SKR_DECODE_THREADS_MAX);
	compare_threads(keyed_indep, "keyed-indep, whole", 1, 4);
}

static void test_keyed_truncated(void **state)
{
	(void)state;
	char path[320], what[64];
	snprintf(path, sizeof(path), "%s/keyed-cut.skr", tmpdir);
	size_t step = keyed_len / 50 + 1;
	for (size_t cut = 1; cut < keyed_len; cut += step) {
		assert_int_equal(test_write_file(path, keyed_bytes, cut), 0);
		snprintf(what, sizeof(what), "keyed, cut at %zu", cut);
		compare_threads(path, what, 1, 4);
	}
}

/* Damage in a key chunk fails the chunks that use it, in order. */
static void test_keyed_corrupt(void **state)
{
	(void)state;
	char path[320], what[64];
	snprintf(path, sizeof(path), "%s/keyed-bad.skr", tmpdir);
	uint8_t *b = malloc(keyed_len);
	assert_non_null(b);
	uint64_t x = 2463534242ull;
	for (int k = 0; k < 40; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t pos = 64 + (size_t)(x % (keyed_len - 64));
		memcpy(b, keyed_bytes, keyed_len);
		b[pos] ^= (uint8_t)(1 + x % 255);
		assert_int_equal(test_write_file(path, b, keyed_len), 0);
		snprintf(what, sizeof(what), "keyed, byte %zu damaged", pos);
		compare_threads(path, what, 1, 4);
	}
	free(b);
}

/* Seeks with 1 to 4 workers running ahead, forward then back: the chunk
 * sought to needs a key chunk that no worker, or a stale one, holds. */
static void test_keyed_seek(void **state)
{
	(void)state;
	static const uint64_t targets[][2] = {
		{ 0, 0 }, { 1000, 10 }, { 3333, 700 }, { 5990, 420 }, { 2222, 4444 }, { 100000, 77 },
	};
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		for (uint64_t first = 0; first <= 500; first += 500) {
			struct transcript seq, par;
			for (unsigned threads = 0; threads <= 4; threads++) {
				struct transcript *t = threads ? &par : &seq;
				struct skr_reader *r = open_with(keyed, -1, threads, t);
				assert_non_null(r);
				read_all(r, t, first);
				assert_int_equal(skr_reader_seek_time(r, TS0 + targets[i][0] * 1000), 0);
				read_all(r, t, t->events + 300);
				assert_int_equal(skr_reader_seek_time(r, TS0 + targets[i][1] * 1000), 0);
				read_all(r, t, UINT64_MAX);
				skr_reader_close(r);
				if (!threads) {
					assert_int_equal(seq.rc, 0);
					continue;
				}
				char what[96];
				snprintf(what, sizeof(what), "keyed, seek to %llu then %llu after %llu, %u threads",
					 (unsigned long long)targets[i][0], (unsigned long long)targets[i][1],
					 (unsigned long long)first, threads);
				assert_same(&seq, &par, what);
			}
		}
	}
}

/* Through a pipe no key chunk can be read again: with several workers, each
 * one's chunks get the key chunks the others decoded. */
static void test_keyed_pipe(void **state)
{
	(void)state;
	struct transcript seq, par;
	read_piped(keyed_bytes, keyed_len, 0, &seq);
	assert_int_equal(seq.rc, 0);
	assert_int_equal(seq.events, NEVENTS);
	for (unsigned threads = 1; threads <= 4; threads++) {
		read_piped(keyed_bytes, keyed_len, threads, &par);
		assert_same(&seq, &par, "keyed, pipe");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_capture),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_set_threads),
		cmocka_unit_test(test_keyed_whole),
		cmocka_unit_test(test_keyed_truncated),
		cmocka_unit_test(test_keyed_corrupt),
		cmocka_unit_test(test_keyed_seek),
		cmocka_unit_test(test_keyed_pipe),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
