/* replay/state_int.h: internals of struct sk_state shared by the state modules (not a public header). */
#ifndef SAKER_REPLAY_STATE_INT_H
#define SAKER_REPLAY_STATE_INT_H

#include "replay/state.h"

#define SK_TID_FREE INT64_MIN

struct sk_state {
	/* thread pool: fixed-size chunks so entry pointers stay valid */
	struct sk_thread **chunks;
	uint32_t nchunks_cap;
	uint32_t nslots;
	uint32_t free_head;
	uint32_t *buckets;
	uint32_t nbuckets;
	size_t nthreads;
	struct sk_thread *last;      /* one-entry lookup cache: events come in runs per tid */

	struct sk_user *users;
	size_t nusers, users_cap;
	struct sk_group *groups;
	size_t ngroups, groups_cap;
	struct sk_iface *ifaces;
	size_t nifaces, ifaces_cap;
};

struct sk_proc *sk_proc_new(void);
void sk_proc_unref(struct sk_proc *p);
static inline struct sk_proc *sk_proc_ref(struct sk_proc *p) { if (p) p->refs++; return p; }
void sk_thread_init(struct sk_thread *t, int64_t tid);
void sk_state_users_free(struct sk_state *st);

#endif
