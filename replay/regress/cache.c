/* replay/regress/cache.c: captures decoded once per test run and replayed from memory into many engines. */
#include "replay/regress/regress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sources/source.h"
#include "replay/engine/engine.h"

/*
 * A capture is decoded once into a compact in-memory form: each event is a
 * header, its parameter lengths and its parameter bytes, in arena chunks. The
 * metadata is snapshotted whenever it grows while reading (container records
 * in the middle of a .scap, .skr metadata frames), together with the number
 * of events after which replay.c would have seeded it, so a cached replay
 * feeds the engine exactly what a replay from the file does.
 */

struct tc_rec {
	uint64_t ts;
	int64_t tid;
	uint64_t num;
	uint16_t type, cpu;
	uint32_t flags;
	uint32_t nparams;
	uint32_t len[];   /* nparams lengths, then the bytes */
};

struct tc_chunk {
	struct tc_chunk *next;
	size_t used, cap;
	_Alignas(8) uint8_t data[];
};

struct tc_seed {
	size_t at;        /* seed after this many events were processed */
	struct sk_meta *m;
};

struct tc_capture {
	char *path;
	int legacy;
	char *error;      /* decode error (the capture is unusable), or NULL */
	char *warnings;   /* problems the reader reported (skipped audit lines), one per line, or NULL */
	size_t warnings_len;
	const struct tc_rec **ev;
	size_t nev, cap;
	struct tc_seed *seeds;
	size_t nseeds;
	struct tc_chunk *chunks;
};

struct regress_cache {
	struct tc_capture *caps;
	size_t n;
	size_t next;            /* work queue for regress_cache_fill */
	pthread_mutex_t lock;
};

#define CHUNK_MIN (1u << 20)

static void *arena_alloc(struct tc_capture *c, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	struct tc_chunk *k = c->chunks;
	if (!k || k->cap - k->used < n) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
		k = malloc(sizeof(*k) + cap);
		if (!k)
			return NULL;
		k->next = c->chunks;
		k->used = 0;
		k->cap = cap;
		c->chunks = k;
	}
	void *p = k->data + k->used;
	k->used += n;
	return p;
}

static int add_seed(struct tc_capture *c, size_t at, const struct sk_meta *m)
{
	struct tc_seed *v = realloc(c->seeds, (c->nseeds + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->seeds = v;
	struct sk_meta *copy = sk_meta_new();
	if (!copy || sk_meta_merge(copy, m) < 0) {
		sk_meta_free(copy);
		return -1;
	}
	v[c->nseeds].at = at;
	v[c->nseeds].m = copy;
	c->nseeds++;
	return 0;
}

static int add_event(struct tc_capture *c, const struct sk_event *ev)
{
	size_t bytes = 0;
	for (uint32_t i = 0; i < ev->nparams; i++)
		bytes += ev->params[i].len;
	struct tc_rec *r = arena_alloc(c, sizeof(*r) + ev->nparams * sizeof(uint32_t) + bytes);
	if (!r)
		return -1;
	r->ts = ev->ts;
	r->tid = ev->tid;
	r->num = ev->num;
	r->type = ev->type;
	r->cpu = ev->cpu;
	r->flags = ev->flags;
	r->nparams = ev->nparams;
	uint8_t *data = (uint8_t *)&r->len[ev->nparams];
	for (uint32_t i = 0; i < ev->nparams; i++) {
		r->len[i] = ev->params[i].len;
		if (ev->params[i].len)
			memcpy(data, ev->params[i].val, ev->params[i].len);
		data += ev->params[i].len;
	}
	if (c->nev == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4096;
		const struct tc_rec **v = realloc(c->ev, cap * sizeof(*v));
		if (!v)
			return -1;
		c->ev = v;
		c->cap = cap;
	}
	c->ev[c->nev++] = r;
	return 0;
}

static void collect_warning(void *ctx, const char *msg)
{
	struct tc_capture *c = ctx;
	size_t n = strlen(msg);
	char *w = realloc(c->warnings, c->warnings_len + n + 2);
	if (!w)
		return;
	memcpy(w + c->warnings_len, msg, n);
	w[c->warnings_len + n] = '\n';
	w[c->warnings_len + n + 1] = '\0';
	c->warnings = w;
	c->warnings_len += n + 1;
}

static void capture_decode(struct tc_capture *c)
{
	char err[512];
	struct source_opts so = { .deliver_enter = c->legacy, .warn = collect_warning, .warn_ctx = c };
	struct source *src = source_open_opts(c->path, &so, err, sizeof(err));
	if (!src) {
		c->error = strdup(err);
		return;
	}
	const struct sk_meta *m = source_meta(src);
	uint64_t seen = m->changes;
	int oom = add_seed(c, 0, m) < 0;
	struct sk_event ev;
	int rc;
	while (!oom && (rc = source_next(src, &ev)) > 0) {
		oom = add_event(c, &ev) < 0;
		if (!oom && m->changes != seen) {
			seen = m->changes;
			oom = add_seed(c, c->nev, m) < 0;
		}
	}
	if (oom)
		c->error = strdup("out of memory decoding the capture");
	else if (rc < 0)
		c->error = strdup(source_error(src));
	source_close(src);
}

struct regress_cache *regress_cache_new(void)
{
	struct regress_cache *c = calloc(1, sizeof(*c));
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

static int cache_add(struct regress_cache *c, const char *path, int legacy)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->caps[i].legacy == legacy && !strcmp(c->caps[i].path, path))
			return 0;
	struct tc_capture *v = realloc(c->caps, (c->n + 1) * sizeof(*v));
	if (!v)
		return -1;
	c->caps = v;
	memset(&v[c->n], 0, sizeof(v[c->n]));
	v[c->n].path = strdup(path);
	v[c->n].legacy = legacy;
	c->n++;
	return 0;
}

static void *fill_worker(void *arg)
{
	struct regress_cache *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->lock);
		size_t i = c->next++;
		pthread_mutex_unlock(&c->lock);
		if (i >= c->n)
			return NULL;
		capture_decode(&c->caps[i]);
	}
}

void regress_cache_fill(struct regress_cache *c, const struct regress_suite *s, int jobs)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct regress_case *tc = &s->cases[i];
		if (tc->skip)
			continue;
		for (size_t k = 0; k < tc->captures.n; k++)
			cache_add(c, tc->captures.v[k], tc->legacy_enter_events);
	}
	c->next = 0;
	if (jobs < 1)
		jobs = 1;
	if ((size_t)jobs > c->n)
		jobs = (int)c->n;
	pthread_t th[64];
	int started = 0;
	for (int j = 1; j < jobs && j < 64; j++)
		if (pthread_create(&th[started], NULL, fill_worker, c) == 0)
			started++;
	fill_worker(c);
	for (int j = 0; j < started; j++)
		pthread_join(th[j], NULL);
}

void regress_cache_free(struct regress_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		struct tc_capture *t = &c->caps[i];
		free(t->path);
		free(t->error);
		free(t->warnings);
		free(t->ev);
		for (size_t k = 0; k < t->nseeds; k++)
			sk_meta_free(t->seeds[k].m);
		free(t->seeds);
		while (t->chunks) {
			struct tc_chunk *k = t->chunks->next;
			free(t->chunks);
			t->chunks = k;
		}
	}
	free(c->caps);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

size_t regress_cache_count(const struct regress_cache *c)
{
	return c->n;
}

static const struct tc_capture *cache_find(const struct regress_cache *c, const char *path, int legacy)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->caps[i].legacy == legacy && !strcmp(c->caps[i].path, path))
			return &c->caps[i];
	return NULL;
}

static void rec_to_event(const struct tc_rec *r, struct sk_event *ev)
{
	ev->ts = r->ts;
	ev->tid = r->tid;
	ev->num = r->num;
	ev->type = r->type;
	ev->cpu = r->cpu;
	ev->flags = r->flags;
	ev->nparams = r->nparams;
	const uint8_t *data = (const uint8_t *)&r->len[r->nparams];
	for (uint32_t i = 0; i < r->nparams; i++) {
		ev->params[i].val = data;
		ev->params[i].len = r->len[i];
		data += r->len[i];
	}
}

struct cursor {
	const struct tc_capture *cap;
	size_t pos, seed;
};

/* Replays the cached captures merged in time order (earlier capture first on
 * ties, as replay_run does). Returns 0, or -1 with err naming the capture. */
int regress_cache_replay(const struct regress_cache *c, const struct regress_case *tc, struct engine *e, char *err,
			 size_t errlen)
{
	struct cursor cur[16];
	size_t n = tc->captures.n;
	if (n > 16) {
		snprintf(err, errlen, "at most 16 captures per case");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		cur[i].cap = cache_find(c, tc->captures.v[i], tc->legacy_enter_events);
		cur[i].pos = 0;
		cur[i].seed = 0;
		if (!cur[i].cap) {
			snprintf(err, errlen, "%s: not decoded", tc->captures.v[i]);
			return -1;
		}
		if (cur[i].cap->error) {
			snprintf(err, errlen, "%s", cur[i].cap->error);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct cursor *k = &cur[i];
		while (k->seed < k->cap->nseeds && k->cap->seeds[k->seed].at == 0)
			engine_seed(e, k->cap->seeds[k->seed++].m);
	}
	struct sk_event ev;
	for (;;) {
		struct cursor *best = NULL;
		for (size_t i = 0; i < n; i++)
			if (cur[i].pos < cur[i].cap->nev &&
			    (!best || cur[i].cap->ev[cur[i].pos]->ts < best->cap->ev[best->pos]->ts))
				best = &cur[i];
		if (!best)
			break;
		rec_to_event(best->cap->ev[best->pos++], &ev);
		engine_process(e, &ev);
		while (best->seed < best->cap->nseeds && best->cap->seeds[best->seed].at == best->pos)
			engine_seed(e, best->cap->seeds[best->seed++].m);
	}
	return 0;
}

void regress_cache_warnings(const struct regress_cache *c, const struct regress_case *tc, FILE *out)
{
	for (size_t i = 0; i < tc->captures.n; i++) {
		const struct tc_capture *cap = cache_find(c, tc->captures.v[i], tc->legacy_enter_events);
		if (cap && cap->warnings)
			fputs(cap->warnings, out);
	}
}
