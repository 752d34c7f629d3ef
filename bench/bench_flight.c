/* bench/bench_flight.c: the flight recorder's ring on the synthetic workload at a busy host's rate: bytes held per minute, time from an alert to its closed file, what a burst of alerts writes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/gen_workload.h"
#include "formats/skr/skr.h"

static uint64_t mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

struct run {
	struct skr_ring *ring;
	struct skr_writer *ref;  /* the same events into a plain .skr: the reference size */
	struct sk_meta *kf;
	uint64_t t0, gap, n;
	uint64_t alert_at, alert_ts, burst;   /* event index of the alert, its time, alerts in the burst */
	uint64_t open_ns, done_mono, last_in_window_mono;
	uint64_t window_to;
	const char *path;
	struct skr_window *w;
	uint64_t file_bytes, file_events;
	size_t nalerts;
};

static void done(void *ctx, const struct skr_window_done *d)
{
	struct run *r = ctx;
	r->done_mono = mono();
	r->file_bytes = d->bytes;
	r->file_events = d->events;
	r->nalerts = d->nalerts;
	r->w = NULL;
}

static int sink(void *ctx, const struct sk_event *ev0)
{
	struct run *r = ctx;
	struct sk_event ev = *ev0;
	ev.ts = r->t0 + r->n * r->gap; /* the busy host's rate */
	if (skr_ring_wants_keyframe(r->ring, ev.ts))
		skr_ring_keyframe(r->ring, r->kf, ev.ts);
	skr_ring_append(r->ring, &ev);
	if (r->ref && ev.ts - r->t0 < 60000000000ull)
		skr_writer_append(r->ref, &ev);
	if (r->n == r->alert_at) {
		uint64_t t = mono();
		skr_ring_flush(r->ring);
		struct skr_window_opts wo = { .path = r->path, .from_ts = ev.ts - 10000000000ull,
					      .to_ts = ev.ts + 5000000000ull, .done = done, .ctx = r };
		char err[512];
		if (skr_ring_window_open(r->ring, &wo, &r->w, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_flight: %s\n", err);
			return -1;
		}
		r->open_ns = mono() - t;
		r->window_to = wo.to_ts;
		r->alert_ts = ev.ts;
	}
	/* the rest of the burst: one alert every ms, each extending the file
	 * (what the flight recorder does with overlapping windows) */
	if (r->w && r->n > r->alert_at && r->n - r->alert_at <= r->burst * (1000000 / r->gap) &&
	    (r->n - r->alert_at) % (1000000 / r->gap) == 0) {
		skr_window_extend(r->w, ev.ts + 5000000000ull);
		r->window_to = ev.ts + 5000000000ull;
		struct sk_meta_alert a = { ev.ts, r->n + 1, 4, "Burst rule", "a burst alert" };
		skr_window_add_alert(r->w, &a);
	}
	if (r->w && ev.ts <= r->window_to)
		r->last_in_window_mono = mono();
	r->n++;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: bench_flight EVENTS_PER_SEC BURST_ALERTS DIR\n");
		return 2;
	}
	uint64_t rate = strtoull(argv[1], NULL, 10), burst = strtoull(argv[2], NULL, 10);
	char path[512], refpath[512], err[512];
	snprintf(path, sizeof(path), "%s/window.skr", argv[3]);
	snprintf(refpath, sizeof(refpath), "%s/minute.skr", argv[3]);
	unlink(path);
	unlink(refpath);
	struct run r = { 0 };
	r.t0 = 1700000000000000000ull;
	r.gap = 1000000000ull / rate;
	r.burst = burst;
	r.path = path;
	r.alert_at = 70 * rate; /* after the ring is full: 70 s in */
	struct skr_ring_opts o = { 0 };
	r.ring = skr_ring_new(&o, err, sizeof(err));
	r.ref = skr_writer_open_path(refpath, NULL, err, sizeof(err));
	r.kf = bench_workload_meta(r.t0);
	if (!r.ring || !r.ref || !r.kf) {
		fprintf(stderr, "bench_flight: %s\n", err);
		return 1;
	}
	struct bench_workload *wl = bench_workload_new(1, r.t0, sink, &r);
	uint64_t total = 80 * rate, t = mono();
	while (r.n < total)
		if (bench_workload_step(wl) < 0)
			return 1;
	double secs = (double)(mono() - t) / 1e9;
	skr_ring_flush(r.ring);
	struct skr_ring_stats s;
	skr_ring_stats(r.ring, &s);
	skr_writer_close(r.ref, NULL, 0);
	struct stat st;
	stat(refpath, &st);
	double span = (double)(s.newest_ts - s.oldest_ts) / 1e9;
	skr_ring_free(r.ring);
	printf("rate=%" PRIu64 " ring_bytes=%" PRIu64 " ring_span_s=%.1f ring_bytes_per_min=%.0f peak=%" PRIu64
	       " keyframe_bytes=%" PRIu64 " keyframes=%" PRIu64 " minute_file_bytes=%lld ingest_ev_per_s=%.0f"
	       " open_ms=%.2f close_ms=%.2f window_bytes=%" PRIu64 " window_events=%" PRIu64 " alerts=%zu\n",
	       rate, s.bytes, span, (double)s.bytes * 60.0 / span, s.peak_bytes, s.keyframe_bytes, s.keyframes,
	       (long long)st.st_size, (double)total / secs, (double)r.open_ns / 1e6,
	       r.done_mono > r.last_in_window_mono ? (double)(r.done_mono - r.last_in_window_mono) / 1e6 : 0.0,
	       r.file_bytes, r.file_events, r.nalerts);
	bench_workload_free(wl);
	sk_meta_free(r.kf);
	return 0;
}
