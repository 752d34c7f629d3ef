/* formats/skr/ring.c: the flight recorder's ring: recent events as compressed .skr chunks in memory, bounded by time and bytes, and the window files cut from it. */
#include "formats/skr/skr.h"
#include "formats/skr/wire.h"

#include <stdio.h>
#include <sys/stat.h>

/*
 * The ring is a sequence of segments. A segment starts with a keyframe (the
 * metadata frames of a state snapshot taken just before its first event)
 * and goes on with event chunks exactly as a .skr writer made them. Only
 * whole segments are evicted, oldest first, so every segment still held
 * can start a self-contained file: header, keyframe, chunks.
 */

struct ring_chunk {
	uint8_t *bytes;
	size_t len;
	uint64_t min_ts, max_ts; /* keyframe: both the snapshot time */
	uint32_t nevents;
	int keyframe;
};

struct skr_window {
	struct skr_writer *w;
	char path[512];
	uint64_t from_ts, to_ts, max_bytes;
	uint64_t first_num;          /* of its first chunk (0 until one) */
	struct sk_meta *alerts;
	int capped;
	skr_window_fn done;
	void *ctx;
};

#define RING_MAX_WINDOWS 64

struct skr_ring {
	struct skr_ring_opts o;
	struct skr_writer *w;        /* compresses into the sink below */
	struct ring_chunk *c;        /* circular: c[(head + i) % cap] */
	size_t head, n, cap;
	size_t seg_start;            /* index (from head) of the newest keyframe */
	uint64_t seg_bytes;          /* bytes of the newest segment */
	uint64_t bytes, peak, events, chunks, keyframes, keyframe_bytes, evicted_segments;
	uint64_t last_keyframe_ts, last_ts;
	/* sink state: the frame set being assembled */
	struct skr_buf pend;
	size_t pend_need;            /* bytes of the chunk still to come */
	int in_keyframe;
	struct skr_window *win[RING_MAX_WINDOWS];
	size_t nwin;
	char err[256];
};

static struct ring_chunk *at(struct skr_ring *r, size_t i)
{
	return &r->c[(r->head + i) % r->cap];
}

static void evict_segment(struct skr_ring *r)
{
	/* the oldest segment ends where the next keyframe starts */
	size_t k = 1;
	while (k < r->n && !at(r, k)->keyframe)
		k++;
	for (size_t i = 0; i < k; i++) {
		struct ring_chunk *c = at(r, 0);
		r->bytes -= c->len;
		free(c->bytes);
		c->bytes = NULL;
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
	r->seg_start -= k;
	r->evicted_segments++;
}

/* Keeps the time window (the second segment alone still covers it) and,
 * before len more bytes come in, the byte budget. */
static void evict(struct skr_ring *r, size_t len)
{
	while (r->seg_start > 0) {
		size_t k = 1;
		while (!at(r, k)->keyframe)
			k++;
		int over_bytes = r->bytes + len > r->o.max_bytes;
		int over_time = r->last_ts >= at(r, k)->min_ts && r->last_ts - at(r, k)->min_ts >= r->o.max_ns;
		if (!over_bytes && !over_time)
			return;
		evict_segment(r);
	}
}

static int push(struct skr_ring *r, struct ring_chunk *c)
{
	evict(r, c->len);
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct ring_chunk *nc = malloc(cap * sizeof(*nc));
		if (!nc)
			return -ENOMEM;
		for (size_t i = 0; i < r->n; i++)
			nc[i] = *at(r, i);
		free(r->c);
		r->c = nc;
		r->cap = cap;
		r->head = 0;
	}
	*at(r, r->n) = *c;
	if (c->keyframe) {
		r->seg_start = r->n;
		r->seg_bytes = 0;
	}
	r->seg_bytes += c->len;
	r->n++;
	r->bytes += c->len;
	if (r->bytes > r->peak)
		r->peak = r->bytes;
	return 0;
}

static void window_finish(struct skr_ring *r, size_t i);

/* A new event chunk reaches the open windows: copied, or it closes them. */
static void feed_windows(struct skr_ring *r, const struct ring_chunk *c)
{
	for (size_t i = 0; i < r->nwin;) {
		struct skr_window *w = r->win[i];
		if (c->min_ts > w->to_ts) {
			window_finish(r, i);
			continue;
		}
		if (w->max_bytes && skr_writer_bytes(w->w) + c->len > w->max_bytes) {
			w->capped = 1;
			window_finish(r, i);
			continue;
		}
		if (skr_writer_copy_frames(w->w, c->bytes, c->len) < 0 || c->max_ts >= w->to_ts) {
			window_finish(r, i);
			continue;
		}
		i++;
	}
}

static int sink(void *ctx, const uint8_t *p, size_t n)
{
	struct skr_ring *r = ctx;
	if (n < 16 || skr_get_u32(p) != SKR_SKIPPABLE_MAGIC) {
		/* the event data of the chunk whose batch header came last */
		if (!r->pend_need || n != r->pend_need)
			return -EPROTO;
	} else {
		uint32_t tag = skr_get_u32(p + 8);
		if (tag == SKR_TAG_HEADER)
			return 0;
		if (tag == SKR_TAG_META && !r->in_keyframe)
			return 0; /* only keyframes carry metadata */
		if (tag == SKR_TAG_BATCH) {
			r->pend.len = 0;
			r->pend_need = skr_get_u32(p + 16 + 8);
		}
	}
	if (skr_buf_put(&r->pend, p, n))
		return -ENOMEM;
	if (r->in_keyframe || skr_get_u32(p) == SKR_SKIPPABLE_MAGIC)
		return 0;
	/* a whole chunk: batch header + zstd frame */
	const uint8_t *body = r->pend.p + 16;
	struct ring_chunk c = { 0 };
	c.len = r->pend.len;
	c.nevents = skr_get_u32(body);
	c.min_ts = skr_get_u64(body + 32);
	c.max_ts = skr_get_u64(body + 40);
	c.bytes = malloc(c.len);
	if (!c.bytes)
		return -ENOMEM;
	memcpy(c.bytes, r->pend.p, c.len);
	r->pend.len = 0;
	r->pend_need = 0;
	int rc = push(r, &c);
	if (rc) {
		free(c.bytes);
		return rc;
	}
	r->chunks++;
	feed_windows(r, &c);
	return 0;
}

struct skr_ring *skr_ring_new(const struct skr_ring_opts *o, char *err, size_t errlen)
{
	struct skr_ring *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "flight recorder: out of memory");
		return NULL;
	}
	r->o = *o;
	if (!r->o.max_ns)
		r->o.max_ns = 60ull * 1000000000ull;
	if (!r->o.max_bytes)
		r->o.max_bytes = 256ull << 20;
	if (!r->o.keyframe_ns)
		r->o.keyframe_ns = 5ull * 1000000000ull;
	if (!r->o.flush_ns)
		r->o.flush_ns = 1000000000ull;
	struct skr_writer_opts wo = { 0 };
	wo.level = o->level;
	/* chunks small against the budget, so segments can be cut finely */
	uint64_t fb = r->o.max_bytes / 16;
	wo.frame_bytes = fb < (2u << 20) ? (uint32_t)(fb < 4096 ? 4096 : fb) : (2u << 20);
	wo.flush_interval_ns = r->o.flush_ns;
	wo.sink = sink;
	wo.sink_ctx = r;
	r->w = skr_writer_open_sink("flight recorder ring", &wo, err, errlen);
	if (!r->w) {
		free(r);
		return NULL;
	}
	return r;
}

int skr_ring_wants_keyframe(const struct skr_ring *r, uint64_t ts)
{
	if (!r->n)
		return 1;
	/* a segment over a quarter of the budget is cut so eviction can keep
	 * the ring under it */
	return ts - r->last_keyframe_ts >= r->o.keyframe_ns || r->seg_bytes > r->o.max_bytes / 4;
}

int skr_ring_keyframe(struct skr_ring *r, const struct sk_meta *snapshot, uint64_t ts)
{
	int rc = skr_writer_flush(r->w);
	if (rc)
		return rc;
	r->in_keyframe = 1;
	r->pend.len = 0;
	rc = skr_writer_put_meta_all(r->w, snapshot);
	r->in_keyframe = 0;
	if (rc)
		return rc;
	struct ring_chunk c = { 0 };
	c.keyframe = 1;
	c.min_ts = c.max_ts = ts;
	c.len = r->pend.len;
	c.bytes = malloc(c.len ? c.len : 1);
	if (!c.bytes)
		return -ENOMEM;
	if (c.len) /* pend.p is NULL until the first byte arrives */
		memcpy(c.bytes, r->pend.p, c.len);
	r->pend.len = 0;
	if ((rc = push(r, &c))) {
		free(c.bytes);
		return rc;
	}
	r->keyframes++;
	r->keyframe_bytes += c.len;
	r->last_keyframe_ts = ts;
	return 0;
}

int skr_ring_append(struct skr_ring *r, const struct sk_event *ev)
{
	r->events++;
	r->last_ts = ev->ts;
	return skr_writer_append(r->w, ev);
}

int skr_ring_flush(struct skr_ring *r)
{
	return skr_writer_flush(r->w);
}

int skr_ring_tick(struct skr_ring *r, uint64_t now_ts)
{
	int rc = skr_writer_tick(r->w);
	/* a quiet host: a window whose end has passed closes without waiting
	 * for the next chunk once the pending events are out */
	int expired = 0;
	for (size_t i = 0; i < r->nwin; i++)
		expired |= now_ts > r->win[i]->to_ts + r->o.flush_ns;
	if (!expired)
		return rc;
	skr_writer_flush(r->w);
	for (size_t i = 0; i < r->nwin;) {
		if (now_ts > r->win[i]->to_ts + r->o.flush_ns)
			window_finish(r, i);
		else
			i++;
	}
	return rc;
}

void skr_ring_stats(const struct skr_ring *r, struct skr_ring_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->bytes = r->bytes;
	s->peak_bytes = r->peak;
	s->max_bytes = r->o.max_bytes;
	s->max_ns = r->o.max_ns;
	s->events = r->events;
	s->chunks = r->chunks;
	s->keyframes = r->keyframes;
	s->keyframe_bytes = r->keyframe_bytes;
	s->evicted_segments = r->evicted_segments;
	s->held_chunks = r->n;
	s->windows_open = r->nwin;
	if (r->n) {
		s->oldest_ts = r->c[r->head].min_ts;
		s->newest_ts = r->last_ts;
	}
}

/* ---- windows ---- */

static void window_finish(struct skr_ring *r, size_t i)
{
	struct skr_window *w = r->win[i];
	r->win[i] = r->win[--r->nwin];
	struct skr_window_done d = { 0 };
	char err[512] = "";
	d.path = w->path;
	d.from_ts = w->from_ts;
	d.to_ts = w->to_ts;
	d.capped = w->capped;
	d.nalerts = w->alerts ? w->alerts->n_alerts : 0;
	d.events = skr_writer_events(w->w);
	int rc = 0;
	if (d.nalerts)
		rc = skr_writer_put_meta(w->w, SK_META_ALERT, w->alerts->alerts, w->alerts->n_alerts);
	if (rc)
		snprintf(err, sizeof(err), "%s", skr_writer_error(w->w));
	d.bytes = skr_writer_bytes(w->w);
	int crc = skr_writer_close(w->w, rc ? NULL : err, sizeof(err));
	d.error = rc ? rc : crc;
	d.err = err;
	struct stat st;
	if (!d.error && stat(w->path, &st) == 0)
		d.bytes = (uint64_t)st.st_size; /* with the END record and footer */
	w->done(w->ctx, &d);
	sk_meta_free(w->alerts);
	free(w);
}

int skr_ring_window_open(struct skr_ring *r, const struct skr_window_opts *o, struct skr_window **out, char *err,
			 size_t errlen)
{
	*out = NULL;
	if (r->nwin == RING_MAX_WINDOWS) {
		snprintf(err, errlen, "%s: too many capture files open", o->path);
		return -EMFILE;
	}
	struct skr_window *w = calloc(1, sizeof(*w));
	if (!w || !(w->alerts = sk_meta_new())) {
		free(w);
		snprintf(err, errlen, "%s: out of memory", o->path);
		return -ENOMEM;
	}
	snprintf(w->path, sizeof(w->path), "%s", o->path);
	w->from_ts = o->from_ts;
	w->to_ts = o->to_ts;
	w->max_bytes = o->max_bytes;
	w->done = o->done;
	w->ctx = o->ctx;
	struct skr_writer_opts wo = { 0 };
	wo.host = o->host;
	wo.level = r->o.level;
	w->w = skr_writer_open_path(o->path, &wo, err, errlen);
	if (!w->w) {
		sk_meta_free(w->alerts);
		free(w);
		return -EIO;
	}
	/* the newest keyframe at or before from_ts (else the oldest held),
	 * then every chunk after it */
	size_t start = r->n;
	for (size_t i = 0; i < r->n; i++)
		if (at(r, i)->keyframe && (start == r->n || at(r, i)->min_ts <= o->from_ts))
			start = i;
	int rc = 0;
	for (size_t i = start; i < r->n && !rc; i++) {
		const struct ring_chunk *c = at(r, i);
		if (w->max_bytes && skr_writer_bytes(w->w) + c->len > w->max_bytes) {
			w->capped = 1;
			break;
		}
		rc = skr_writer_copy_frames(w->w, c->bytes, c->len);
	}
	r->win[r->nwin++] = w;
	if (rc || w->capped)
		window_finish(r, r->nwin - 1); /* done already: its callback saw why */
	else
		*out = w;
	return 0;
}

void skr_window_extend(struct skr_window *w, uint64_t to_ts)
{
	if (to_ts > w->to_ts)
		w->to_ts = to_ts;
}

uint64_t skr_window_to(const struct skr_window *w)
{
	return w->to_ts;
}

const char *skr_window_path(const struct skr_window *w)
{
	return w->path;
}

int skr_window_add_alert(struct skr_window *w, const struct sk_meta_alert *a)
{
	return sk_meta_add_alert(w->alerts, a);
}

void skr_ring_close_windows(struct skr_ring *r)
{
	skr_writer_flush(r->w);
	while (r->nwin)
		window_finish(r, r->nwin - 1);
}

void skr_ring_free(struct skr_ring *r)
{
	if (!r)
		return;
	skr_ring_close_windows(r);
	skr_writer_abandon(r->w);
	for (size_t i = 0; i < r->n; i++)
		free(at(r, i)->bytes);
	free(r->c);
	skr_buf_free(&r->pend);
	free(r);
}
