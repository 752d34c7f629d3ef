/* replay/flight.c: the flight recorder of --live: falco.yaml's capture section, the ring of recent events, one file per burst of alerts. */
#include "replay/flight_int.h"
#include "replay/engine/engine.h"
#include "replay/state/state.h"
#include "formats/skr/skr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct flight {
	struct skr_ring *ring;
	struct sk_meta *kf;            /* keyframe under construction (reused) */
	const struct sk_meta *base;    /* host, users, groups, interfaces, containers */
	const struct rule_set *rs;
	struct engine *e;
	int all_rules;                 /* capture.mode: all_rules */
	char prefix[256];
	uint64_t pre_ns, default_ns, max_file_bytes;
	uint32_t max_files_per_min;
	struct skr_window *cur;        /* the open window: later alerts extend it */
	uint64_t minute_start;
	uint32_t files_this_minute;
	uint64_t files, drops, errors, cap_trips, bytes_written;
	struct engine_observer obs;
	const struct engine_observer *next;
	struct flight_scap *scap;      /* capture.format: scap */
};

static int get_u64(const struct replay_config *c, const char *key, uint64_t dflt, uint64_t *out)
{
	const char *v = replay_config_get(c, key);
	*out = dflt;
	if (!v)
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(v, &end, 10);
	if (errno || end == v || *end || *v == '-') {
		fprintf(stderr, "saker-replay: configuration: %s: '%s' is not a non-negative integer\n", key, v);
		return -1;
	}
	*out = n;
	return 0;
}

int flight_open(struct flight **out, const struct replay_config *c, const struct rule_set *rs,
		const struct sk_meta *snapshot)
{
	*out = NULL;
	if (!replay_config_bool(c, "capture.enabled", 0))
		return 0;
	uint64_t dur_ms, pre_ms, max_mb, ring_s, ring_mb, per_min;
	const char *mode = replay_config_get(c, "capture.mode");
	const char *format = replay_config_get(c, "capture.format");
	if (get_u64(c, "capture.default_duration", 5000, &dur_ms) || get_u64(c, "capture.pre_duration", 10000, &pre_ms) ||
	    get_u64(c, "capture.max_file_size_mb", 0, &max_mb) || get_u64(c, "capture.ring_duration", 60, &ring_s) ||
	    get_u64(c, "capture.ring_size_mb", 256, &ring_mb) ||
	    get_u64(c, "capture.max_files_per_minute", 10, &per_min))
		return -1;
	if (mode && strcmp(mode, "rules") && strcmp(mode, "all_rules")) {
		fprintf(stderr, "saker-replay: configuration: capture.mode: '%s' is neither rules nor all_rules\n", mode);
		return -1;
	}
	if (format && strcmp(format, "skr") && strcmp(format, "scap")) {
		fprintf(stderr, "saker-replay: configuration: capture.format: '%s' is neither skr nor scap\n", format);
		return -1;
	}
	if (ring_s * 1000 < pre_ms || !ring_mb) {
		fprintf(stderr, "saker-replay: configuration: capture.ring_duration (%" PRIu64 " s) must cover "
				"capture.pre_duration (%" PRIu64 " ms) and capture.ring_size_mb must not be 0\n",
			ring_s, pre_ms);
		return -1;
	}
	struct flight *f = calloc(1, sizeof(*f));
	if (!f || !(f->kf = sk_meta_new())) {
		free(f);
		fprintf(stderr, "saker-replay: capture: out of memory\n");
		return -1;
	}
	const char *prefix = replay_config_get(c, "capture.path_prefix");
	snprintf(f->prefix, sizeof(f->prefix), "%s", prefix ? prefix : "/tmp/falco");
	f->all_rules = mode && !strcmp(mode, "all_rules");
	f->pre_ns = pre_ms * 1000000ull;
	f->default_ns = dur_ms * 1000000ull;
	f->max_file_bytes = max_mb << 20;
	f->max_files_per_min = (uint32_t)per_min;
	f->base = snapshot;
	f->rs = rs;
	struct skr_ring_opts ro = { 0 };
	ro.max_ns = ring_s * 1000000000ull;
	ro.max_bytes = ring_mb << 20;
	/* segments a fraction of the lead-up, so a window starts close to it */
	ro.keyframe_ns = f->pre_ns / 2 < 5000000000ull && f->pre_ns >= 200000000ull ? f->pre_ns / 2 : 5000000000ull;
	char err[512];
	f->ring = skr_ring_new(&ro, err, sizeof(err));
	if (!f->ring) {
		fprintf(stderr, "saker-replay: capture: %s\n", err);
		sk_meta_free(f->kf);
		free(f);
		return -1;
	}
	if (format && !strcmp(format, "scap") && flight_scap_start(&f->scap) < 0) {
		fprintf(stderr, "saker-replay: capture: cannot start the .scap converter thread\n");
		skr_ring_free(f->ring);
		sk_meta_free(f->kf);
		free(f);
		return -1;
	}
	*out = f;
	return 0;
}

static void window_done(void *ctx, const struct skr_window_done *d)
{
	struct flight *f = ctx;
	if (f->cur && !strcmp(skr_window_path(f->cur), d->path))
		f->cur = NULL;
	if (d->error) {
		f->errors++;
		fprintf(stderr, "saker-replay: capture: %s; detection goes on\n", d->err);
		return;
	}
	f->files++;
	f->bytes_written += d->bytes;
	/* a queued window: the converter says when its .scap is written */
	int queued = f->scap && flight_scap_push(f->scap, d->path, d->events, d->nalerts) == 0;
	if (!queued)
		fprintf(stderr, "saker-replay: capture: wrote %s (%" PRIu64 " events, %" PRIu64 " bytes, %zu alert%s)%s\n",
			d->path, d->events, d->bytes, d->nalerts, d->nalerts == 1 ? "" : "s",
			f->scap ? "; too many windows waiting for .scap conversion: kept as .skr" : "");
	if (d->capped) {
		/* Falco's own words for it, as an internal Info alert */
		f->cap_trips++;
		FILE *o = f->e ? f->e->o.out : stdout;
		fprintf(o, "Info Falco internal: capture size limit reached (file=%s max_file_size_mb=%" PRIu64
			   " written_bytes=%" PRIu64 ")\n",
			d->path, f->max_file_bytes >> 20, d->bytes);
	}
}

/* <prefix>_<rule>_<UTC time>.skr, the rule name reduced to [A-Za-z0-9_-]. */
static void window_path(const struct flight *f, const char *rule, uint64_t ts, char *out, size_t n)
{
	char name[64];
	size_t k = 0;
	for (const char *p = rule; *p && k < sizeof(name) - 1; p++)
		name[k++] = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
				    *p == '-' || *p == '_' ? *p : '_';
	name[k] = '\0';
	time_t s = (time_t)(ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&s, &tm);
	char when[32];
	strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, n, "%s_%s_%s.%09" PRIu64 "Z.skr", f->prefix, name, when, (uint64_t)(ts % 1000000000ull));
}

static void on_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	struct flight *f = ctx;
	if (f->next && f->next->alert)
		f->next->alert(f->next->ctx, e, rule_index, text, len);
	const struct rule_info *ri = rule_set_rule(f->rs, rule_index);
	if (!ri || !e->ev || (!f->all_rules && !ri->capture))
		return;
	uint64_t ts = e->ev->ts;
	uint64_t dur = ri->capture_duration_ms ? ri->capture_duration_ms * 1000000ull : f->default_ns;
	char *line = strndup(text, len);
	struct sk_meta_alert a = { ts, e->ev->num, (uint32_t)ri->priority, ri->name, line ? line : "" };
	if (f->cur && ts - f->pre_ns <= skr_window_to(f->cur)) {
		/* a burst: the open file grows instead of a new one */
		skr_window_extend(f->cur, ts + dur);
		skr_window_add_alert(f->cur, &a);
		free(line);
		return;
	}
	if (ts - f->minute_start >= 60000000000ull) {
		if (f->drops && f->files_this_minute >= f->max_files_per_min)
			fprintf(stderr, "saker-replay: capture: %" PRIu64 " alert windows dropped so far "
					"(capture.max_files_per_minute %u)\n", f->drops, f->max_files_per_min);
		f->minute_start = ts;
		f->files_this_minute = 0;
	}
	if (f->max_files_per_min && f->files_this_minute >= f->max_files_per_min) {
		if (!f->drops++)
			fprintf(stderr, "saker-replay: capture: more than %u files this minute: windows dropped "
					"(counted) until the next one\n", f->max_files_per_min);
		free(line);
		return;
	}
	char path[512], err[600];
	window_path(f, ri->name, ts, path, sizeof(path));
	struct skr_window_opts wo = { 0 };
	wo.path = path;
	wo.from_ts = ts > f->pre_ns ? ts - f->pre_ns : 0;
	wo.to_ts = ts + dur;
	wo.max_bytes = f->max_file_bytes;
	wo.host = f->base ? &f->base->host : NULL;
	wo.done = window_done;
	wo.ctx = f;
	f->files_this_minute++;
	/* the triggering event is pending in the ring: out with it first */
	skr_ring_flush(f->ring);
	struct skr_window *w;
	if (skr_ring_window_open(f->ring, &wo, &w, err, sizeof(err)) < 0) {
		f->errors++;
		fprintf(stderr, "saker-replay: capture: %s; detection goes on\n", err);
	} else if (w) {
		skr_window_add_alert(w, &a);
		f->cur = w;
	}
	free(line);
}

static void on_event(void *ctx, struct engine *e)
{
	struct flight *f = ctx;
	if (f->next && f->next->event)
		f->next->event(f->next->ctx, e);
}

void flight_attach(struct flight *f, struct engine_opts *eo, struct engine *e)
{
	f->next = eo->observer;
	f->obs.ctx = f;
	f->obs.event = on_event; /* the engine calls it unconditionally */
	f->obs.alert = on_alert;
	f->e = e;
	eo->observer = &f->obs;
}

static void keyframe(struct flight *f, uint64_t ts)
{
	sk_meta_reset(f->kf);
	const struct sk_meta *b = f->base;
	int rc = 0;
	if (b) {
		if (b->have_host)
			rc = sk_meta_set_host(f->kf, &b->host);
		rc = rc ? rc : sk_meta_add(f->kf, SK_META_IFACE, b->ifaces, b->n_ifaces);
		rc = rc ? rc : sk_meta_add(f->kf, SK_META_USER, b->users, b->n_users);
		rc = rc ? rc : sk_meta_add(f->kf, SK_META_GROUP, b->groups, b->n_groups);
		rc = rc ? rc : sk_meta_add(f->kf, SK_META_CONTAINER, b->containers, b->n_containers);
	}
	if (rc || (f->e && state_export_meta(f->e->st, f->kf)) || skr_ring_keyframe(f->ring, f->kf, ts)) {
		if (!f->errors++)
			fprintf(stderr, "saker-replay: capture: keyframe: out of memory; detection goes on\n");
	}
}

void flight_event(struct flight *f, const struct sk_event *ev)
{
	if (skr_ring_wants_keyframe(f->ring, ev->ts))
		keyframe(f, ev->ts);
	skr_ring_append(f->ring, ev);
}

void flight_tick(struct flight *f, uint64_t now)
{
	skr_ring_tick(f->ring, now);
}

void flight_report(const struct flight *f, FILE *out)
{
	struct skr_ring_stats s;
	skr_ring_stats(f->ring, &s);
	double span = s.newest_ts > s.oldest_ts ? (double)(s.newest_ts - s.oldest_ts) / 1e9 : 0;
	fprintf(out, "saker-replay: capture: ring %.1f MiB (peak %.1f, limit %" PRIu64 " MiB) holding %.1f s of %" PRIu64
		     " s, %" PRIu64 " events, %" PRIu64 " keyframes (%.1f MiB); %" PRIu64 " files (%" PRIu64
		     " bytes), %" PRIu64 " windows dropped, %" PRIu64 " errors\n",
		(double)s.bytes / 1048576.0, (double)s.peak_bytes / 1048576.0, s.max_bytes >> 20, span,
		(uint64_t)(s.max_ns / 1000000000ull), s.events, s.keyframes, (double)s.keyframe_bytes / 1048576.0, f->files,
		f->bytes_written, f->drops, f->errors);
}

void flight_close(struct flight *f)
{
	if (!f)
		return;
	skr_ring_free(f->ring); /* closes the open window: it joins the converter's queue */
	if (f->scap) {
		/* counted once the queue is done, so the line is the final word */
		uint64_t conv, failed, bytes;
		flight_scap_stop(f->scap, &conv, &failed, &bytes);
		fprintf(stderr, "saker-replay: capture: %" PRIu64 " windows converted to .scap (%" PRIu64
				" bytes), %" PRIu64 " kept as .skr\n", conv, bytes, failed);
	}
	sk_meta_free(f->kf);
	free(f);
}
