/* tests/test_flight_ring.c: the flight recorder's ring: memory stays under its byte bound, history under its time bound, windows cut from it read back with the lead-up, caps and unwritable paths. */
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

static char tmpdir[] = "/tmp/saker-test-flight.XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A synthetic busy host: varied tids and payloads so chunks do not shrink
 * to nothing under zstd. */
static void make_event(struct sk_event *ev, uint64_t i, uint64_t ts, uint8_t *buf)
{
	memset(ev, 0, sizeof(*ev));
	ev->ts = ts;
	ev->tid = 1000 + (int64_t)(i % 97);
	ev->type = (uint16_t)(2 + i % 40);
	uint64_t x = i * 0x9E3779B97F4A7C15ull;
	for (int k = 0; k < 64; k++) {
		x ^= x >> 13;
		x *= 0xff51afd7ed558ccdull;
		buf[k] = (uint8_t)x;
	}
	ev->nparams = 2;
	ev->params[0].val = buf;
	ev->params[0].len = 8;
	ev->params[1].val = buf + 8;
	ev->params[1].len = 56;
}

static void test_bytes_bound(void **state)
{
	(void)state;
	char err[256];
	struct skr_ring_opts o = { .max_ns = 3600ull * 1000000000ull, .max_bytes = 4u << 20,
				   .keyframe_ns = 1000000000ull, .flush_ns = 1 };
	struct skr_ring *r = skr_ring_new(&o, err, sizeof(err));
	assert_non_null(r);
	struct sk_meta *kf = sk_meta_new();
	struct sk_meta_proc p = { .tid = 1, .pid = 1, .comm = "init" };
	sk_meta_add_proc(kf, &p);
	uint8_t buf[64];
	struct sk_event ev;
	uint64_t t0 = 1700000000000000000ull;
	/* 2M events, 1 us apart: far more than 4 MiB compressed */
	for (uint64_t i = 0; i < 2000000; i++) {
		make_event(&ev, i, t0 + i * 1000, buf);
		if (skr_ring_wants_keyframe(r, ev.ts))
			assert_int_equal(skr_ring_keyframe(r, kf, ev.ts), 0);
		assert_int_equal(skr_ring_append(r, &ev), 0);
	}
	skr_ring_flush(r);
	struct skr_ring_stats s;
	skr_ring_stats(r, &s);
	assert_true(s.events == 2000000);
	assert_true(s.evicted_segments > 0);
	assert_true(s.peak_bytes <= o.max_bytes);
	assert_true(s.bytes > o.max_bytes / 4); /* it does keep history */
	skr_ring_free(r);
	sk_meta_free(kf);
}

static void test_time_bound(void **state)
{
	(void)state;
	char err[256];
	struct skr_ring_opts o = { .max_ns = 10ull * 1000000000ull, .max_bytes = 256u << 20,
				   .keyframe_ns = 2ull * 1000000000ull };
	struct skr_ring *r = skr_ring_new(&o, err, sizeof(err));
	assert_non_null(r);
	struct sk_meta *kf = sk_meta_new();
	uint8_t buf[64];
	struct sk_event ev;
	uint64_t t0 = 1700000000000000000ull;
	/* 100 s of events, 1 ms apart */
	for (uint64_t i = 0; i < 100000; i++) {
		make_event(&ev, i, t0 + i * 1000000ull, buf);
		if (skr_ring_wants_keyframe(r, ev.ts))
			skr_ring_keyframe(r, kf, ev.ts);
		skr_ring_append(r, &ev);
		if (i % 1000 == 0)
			skr_ring_flush(r);
	}
	struct skr_ring_stats s;
	skr_ring_stats(r, &s);
	uint64_t span = s.newest_ts - s.oldest_ts;
	assert_true(span >= o.max_ns);
	assert_true(span <= o.max_ns + 2 * o.keyframe_ns + 2000000000ull);
	skr_ring_free(r);
	sk_meta_free(kf);
}

struct done_log {
	int calls, capped, error;
	uint64_t events;
	char path[512];
};

static void on_done(void *ctx, const struct skr_window_done *d)
{
	struct done_log *l = ctx;
	l->calls++;
	l->capped = d->capped;
	l->error = d->error;
	l->events = d->events;
	snprintf(l->path, sizeof(l->path), "%s", d->path);
}

static void test_window_lead_up(void **state)
{
	(void)state;
	char err[512], path[512];
	snprintf(path, sizeof(path), "%s/w.skr", tmpdir);
	struct skr_ring_opts o = { .max_ns = 60ull * 1000000000ull, .keyframe_ns = 1000000000ull };
	struct skr_ring *r = skr_ring_new(&o, err, sizeof(err));
	struct sk_meta *kf = sk_meta_new();
	struct sk_meta_proc p = { .tid = 42, .pid = 42, .comm = "marker" };
	sk_meta_add_proc(kf, &p);
	uint8_t buf[64];
	struct sk_event ev;
	uint64_t t0 = 1700000000000000000ull, ms = 1000000ull;
	struct done_log log = { 0 };
	struct skr_window *w = NULL;
	/* 20 s of events every 10 ms; the alert at 12 s with 3 s before and 2 s after */
	for (uint64_t i = 0; i < 2000; i++) {
		make_event(&ev, i, t0 + i * 10 * ms, buf);
		if (skr_ring_wants_keyframe(r, ev.ts))
			skr_ring_keyframe(r, kf, ev.ts);
		skr_ring_append(r, &ev);
		if (i % 10 == 0)
			skr_ring_flush(r);
		if (i == 1200) {
			skr_ring_flush(r);
			struct skr_window_opts wo = { .path = path, .from_ts = ev.ts - 3000 * ms, .to_ts = ev.ts + 2000 * ms,
						      .done = on_done, .ctx = &log };
			assert_int_equal(skr_ring_window_open(r, &wo, &w, err, sizeof(err)), 0);
			assert_non_null(w);
			struct sk_meta_alert a = { ev.ts, ev.num, 4, "Test rule", "alert text" };
			skr_window_add_alert(w, &a);
		}
	}
	skr_ring_free(r);
	sk_meta_free(kf);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.error, 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct skr_reader *rd = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(rd);
	uint64_t first = 0, last = 0, n = 0, first_num = 0;
	while (skr_reader_next(rd, &ev) == 1) {
		if (!n++) {
			first = ev.ts;
			first_num = ev.num;
		}
		last = ev.ts;
	}
	const struct sk_meta *m = skr_reader_meta(rd);
	assert_true(m->n_procs >= 1);
	assert_string_equal(m->procs[0].comm, "marker");
	assert_int_equal(m->n_alerts, 1);
	assert_string_equal(m->alerts[0].rule, "Test rule");
	uint64_t alert_ts = t0 + 1200 * 10 * ms;
	assert_true(first <= alert_ts - 3000 * ms);       /* the lead-up */
	assert_true(first >= alert_ts - 5000 * ms);       /* from the keyframe before it */
	assert_true(last >= alert_ts + 2000 * ms);         /* the follow-up */
	assert_true(last <= alert_ts + 3000 * ms);
	assert_int_equal(first_num, (first - t0) / (10 * ms) + 1); /* the live numbering */
	skr_reader_close(rd);
	/* O_EXCL: the same name again is one clear error */
	r = skr_ring_new(&o, err, sizeof(err));
	struct skr_window_opts wo = { .path = path, .to_ts = 1, .done = on_done, .ctx = &log };
	assert_true(skr_ring_window_open(r, &wo, &w, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot create"));
	skr_ring_free(r);
}

static void test_unwritable_and_cap(void **state)
{
	(void)state;
	char err[512], path[512];
	struct skr_ring_opts o = { .keyframe_ns = 1000000000ull };
	struct skr_ring *r = skr_ring_new(&o, err, sizeof(err));
	struct sk_meta *kf = sk_meta_new();
	uint8_t buf[64];
	struct sk_event ev;
	uint64_t t0 = 1700000000000000000ull;
	for (uint64_t i = 0; i < 200000; i++) {
		make_event(&ev, i, t0 + i * 10000ull, buf);
		if (skr_ring_wants_keyframe(r, ev.ts))
			skr_ring_keyframe(r, kf, ev.ts);
		skr_ring_append(r, &ev);
	}
	skr_ring_flush(r);
	struct done_log log = { 0 };
	struct skr_window *w = NULL;
	struct skr_window_opts wo = { .path = "/nonexistent-dir/x.skr", .from_ts = t0, .to_ts = ev.ts,
				      .done = on_done, .ctx = &log };
	assert_true(skr_ring_window_open(r, &wo, &w, err, sizeof(err)) < 0);
	assert_null(strchr(err, '\n'));
	assert_non_null(strstr(err, "/nonexistent-dir/x.skr"));
	/* the ring goes on */
	make_event(&ev, 1, ev.ts + 1, buf);
	assert_int_equal(skr_ring_append(r, &ev), 0);
	snprintf(path, sizeof(path), "%s/capped.skr", tmpdir);
	wo.path = path;
	wo.max_bytes = 64 * 1024;
	wo.to_ts = ev.ts + 1000000000ull;
	assert_int_equal(skr_ring_window_open(r, &wo, &w, err, sizeof(err)), 0);
	skr_ring_free(r);
	sk_meta_free(kf);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.capped, 1);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size <= 64 * 1024 + 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_bound),
		cmocka_unit_test(test_time_bound),
		cmocka_unit_test(test_window_lead_up),
		cmocka_unit_test(test_unwritable_and_cap),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
