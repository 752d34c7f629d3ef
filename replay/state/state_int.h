/* replay/state/state_int.h: internals of struct state shared by the state modules (not a public header). */
#ifndef SAKER_REPLAY_STATE_STATE_INT_H
#define SAKER_REPLAY_STATE_STATE_INT_H

#include "replay/state/state.h"

#define STATE_TID_FREE INT64_MIN
#define STATE_RECENT 64u

struct state {
	/* thread pool: fixed-size chunks so entry pointers stay valid; entries
	 * are a cache-line multiple apart (threads.c slot_ptr(), not [] indexing) */
	struct state_thread **chunks;
	uint32_t nchunks_cap;
	uint32_t nslots;
	uint32_t free_head;
	uint32_t *buckets;
	uint32_t nbuckets;
	size_t nthreads;
	/* Lookup cache by the tid's low bits: the threads of a busy host
	 * interleave, so a one-entry cache missed 9 lookups in 10 on the
	 * synthetic capture. An entry may point at a removed thread (pool
	 * entries stay, their tid STATE_TID_FREE) or at a reused one: the tid
	 * compare decides. */
	struct state_thread *recent[STATE_RECENT];

	struct state_user *users;
	size_t nusers, users_cap;
	struct state_group *groups;
	size_t ngroups, groups_cap;
	struct state_iface *ifaces;
	size_t nifaces, ifaces_cap;
};

struct state_proc *state_proc_new(void);
void state_proc_unref(struct state_proc *p);
static inline struct state_proc *state_proc_ref(struct state_proc *p) { if (p) p->refs++; return p; }
void state_thread_init(struct state_thread *t, int64_t tid);
/* Drops what t holds (strings, process data). */
void state_thread_release(struct state_thread *t);
void state_users_free(struct state *st);

#endif
