/* replay/state/threads.c: the thread table: a pool of thread entries and a tid hash, plus ancestor walks. */
#include "replay/state/state.h"
#include "replay/state/state_int.h"

#include <stdlib.h>
#include <string.h>

#define POOL_CHUNK 1024u
#define NO_SLOT UINT32_MAX
/* Entries start on a cache line: the lookup, the process data and the name
 * (the head of struct state_thread) then cost one line, not two. */
#define LINE 64u
#define ENTRY_STRIDE ((sizeof(struct state_thread) + LINE - 1) / LINE * LINE)

static struct state_thread *slot_ptr(const struct state *st, uint32_t slot)
{
	return (struct state_thread *)((char *)st->chunks[slot / POOL_CHUNK] + (slot % POOL_CHUNK) * ENTRY_STRIDE);
}

static uint32_t tid_hash(const struct state *st, int64_t tid)
{
	uint64_t h = (uint64_t)tid * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32) & (st->nbuckets - 1);
}

struct state_thread *state_thread_get(struct state *st, int64_t tid)
{
	struct state_thread **r = &st->recent[(uint64_t)tid & (STATE_RECENT - 1)];
	if (*r && (*r)->tid == tid)
		return *r;
	for (uint32_t s = st->buckets[tid_hash(st, tid)]; s != NO_SLOT;) {
		struct state_thread *t = slot_ptr(st, s);
		if (t->tid == tid) {
			*r = t;
			return t;
		}
		s = t->hash_next;
	}
	return NULL;
}

static int rehash(struct state *st, uint32_t nb)
{
	uint32_t *b = malloc((size_t)nb * sizeof(*b));
	if (!b)
		return -1;
	for (uint32_t i = 0; i < nb; i++)
		b[i] = NO_SLOT;
	free(st->buckets);
	st->buckets = b;
	st->nbuckets = nb;
	for (uint32_t s = 0; s < st->nslots; s++) {
		struct state_thread *t = slot_ptr(st, s);
		if (t->tid == STATE_TID_FREE)
			continue;
		uint32_t h = tid_hash(st, t->tid);
		t->hash_next = b[h];
		b[h] = s;
	}
	return 0;
}

static uint32_t slot_alloc(struct state *st)
{
	if (st->free_head != NO_SLOT) {
		uint32_t s = st->free_head;
		st->free_head = slot_ptr(st, s)->hash_next;
		return s;
	}
	if (st->nslots % POOL_CHUNK == 0) {
		uint32_t c = st->nslots / POOL_CHUNK;
		if (c == st->nchunks_cap) {
			uint32_t ncap = st->nchunks_cap ? st->nchunks_cap * 2 : 16;
			struct state_thread **n = realloc(st->chunks, ncap * sizeof(*n));
			if (!n)
				return NO_SLOT;
			st->chunks = n;
			st->nchunks_cap = ncap;
		}
		st->chunks[c] = aligned_alloc(LINE, POOL_CHUNK * ENTRY_STRIDE);
		if (!st->chunks[c])
			return NO_SLOT;
		memset(st->chunks[c], 0, POOL_CHUNK * ENTRY_STRIDE);
		for (uint32_t i = 0; i < POOL_CHUNK; i++)
			slot_ptr(st, c * POOL_CHUNK + i)->tid = STATE_TID_FREE;
	}
	return st->nslots++;
}

void state_thread_release(struct state_thread *t)
{
	state_str_unref(t->exe);
	state_str_unref(t->exepath);
	state_str_unref(t->args);
	state_str_unref(t->env);
	state_str_unref(t->cgroups);
	state_str_unref(t->root);
	state_proc_unref(t->proc);
}

void state_thread_init(struct state_thread *t, int64_t tid)
{
	uint32_t slot = t->slot, next = t->hash_next;
	memset(t, 0, sizeof(*t));
	t->slot = slot;
	t->hash_next = next;
	t->tid = tid;
	t->pid = tid;
	t->ptid = -1;
	t->sid = -1;
	t->vpgid = -1;
	t->pgid = -1;
	t->vtid = -1;
	t->vpid = -1;
	t->uid = UINT32_MAX;
	t->gid = UINT32_MAX;
	t->loginuid = UINT32_MAX;
	t->fdlimit = -1;
}

struct state_thread *state_thread_add(struct state *st, int64_t tid)
{
	struct state_thread *old = state_thread_get(st, tid);
	if (old) {
		/* A stale entry for a reused tid: start it over. */
		state_thread_release(old);
		state_thread_init(old, tid);
		return old;
	}
	if (st->nthreads + 1 > st->nbuckets && rehash(st, st->nbuckets * 2) < 0)
		return NULL;
	uint32_t s = slot_alloc(st);
	if (s == NO_SLOT)
		return NULL;
	struct state_thread *t = slot_ptr(st, s);
	t->slot = s;
	state_thread_init(t, tid);
	uint32_t h = tid_hash(st, tid);
	t->hash_next = st->buckets[h];
	st->buckets[h] = s;
	st->nthreads++;
	return t;
}

void state_thread_remove(struct state *st, int64_t tid)
{
	uint32_t *link = &st->buckets[tid_hash(st, tid)];
	while (*link != NO_SLOT) {
		struct state_thread *t = slot_ptr(st, *link);
		if (t->tid == tid) {
			uint32_t s = *link;
			*link = t->hash_next;
			state_thread_release(t);
			t->tid = STATE_TID_FREE;
			t->proc = NULL;
			t->hash_next = st->free_head;
			st->free_head = s;
			st->nthreads--;
			return;
		}
		link = &t->hash_next;
	}
}

struct state_thread *state_thread_or_placeholder(struct state *st, int64_t tid)
{
	struct state_thread *t = state_thread_get(st, tid);
	if (t)
		return t;
	t = state_thread_add(st, tid);
	if (!t)
		return NULL;
	/* libs: an unknown thread gets pid -1 and the literal "<NA>" names, so
	 * `proc.name exists` is true for it (rules.md §2.1). */
	t->tflags |= STATE_TH_PLACEHOLDER;
	t->pid = -1;
	t->ptid = -1;
	strcpy(t->comm, "<NA>");
	t->exe = state_str_new("<NA>", 4);
	t->exepath = state_str_new("", 0);
	t->proc = state_proc_new();
	return t;
}

struct state_thread *state_ancestor(struct state *st, struct state_thread *t, unsigned n)
{
	t = state_main_thread(st, t);
	for (unsigned i = 0; t && i < n; i++) {
		if (t->ptid <= 0 || t->ptid == t->tid)
			return NULL;
		struct state_thread *p = state_thread_get(st, t->ptid);
		if (!p)
			return NULL;
		p = state_main_thread(st, p);
		if (p == t)
			return NULL;
		t = p;
	}
	return t;
}

size_t state_thread_count(const struct state *st)
{
	return st->nthreads;
}

struct state_thread *state_thread_next(struct state *st, uint32_t *cursor)
{
	while (*cursor < st->nslots) {
		struct state_thread *t = slot_ptr(st, (*cursor)++);
		if (t->tid != STATE_TID_FREE)
			return t;
	}
	return NULL;
}

struct state_proc *state_proc_new(void)
{
	struct state_proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 1;
	p->fdt = state_fdtable_clone(NULL);
	p->cwd = state_str_new("/", 1);
	return p;
}

void state_proc_unref(struct state_proc *p)
{
	if (!p || --p->refs)
		return;
	state_fdtable_unref(p->fdt);
	state_str_unref(p->cwd);
	free(p);
}

struct state *state_new(void)
{
	struct state *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->free_head = NO_SLOT;
	if (rehash(st, 1024) < 0) {
		free(st);
		return NULL;
	}
	return st;
}

void state_free(struct state *st)
{
	if (!st)
		return;
	for (uint32_t s = 0; s < st->nslots; s++) {
		struct state_thread *t = slot_ptr(st, s);
		if (t->tid != STATE_TID_FREE)
			state_thread_release(t);
	}
	for (uint32_t c = 0; c * POOL_CHUNK < st->nslots; c++)
		free(st->chunks[c]);
	free(st->chunks);
	free(st->buckets);
	state_users_free(st);
	free(st);
}
