/* replay/state.h: the replayer's view of the recorded host: threads, processes, fd tables, users. */
#ifndef SAKER_REPLAY_STATE_H
#define SAKER_REPLAY_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/*
 * State follows libsinsp's model (docs fields.md §9.3-§9.4) because the field
 * values Falco users tune rules against come out of it:
 *  - one entry per thread, keyed by host tid; threads of a process share the
 *    main thread's process data (fd table, cwd, env, exe...) through `proc`;
 *  - the event is applied to the state *before* rules see it, and deletions
 *    (close, procexit) are deferred until the next event arrives.
 * Memory: thread entries come from a pool and fd names from per-entry buffers
 * that only grow, so steady-state replay allocates nothing per event; only
 * process creation/exec allocate (refcounted strings shared across fork).
 */

/* A refcounted immutable byte string (exe, args, env, cgroups...): shared
 * between parent and child after fork, replaced on exec. */
struct sk_str {
	uint32_t refs;
	uint32_t len;      /* bytes, excluding the trailing NUL */
	char data[];       /* always NUL-terminated */
};

struct sk_str *sk_str_new(const char *p, size_t len);
static inline struct sk_str *sk_str_ref(struct sk_str *s) { if (s) s->refs++; return s; }
void sk_str_unref(struct sk_str *s);
static inline const char *sk_str_c(const struct sk_str *s) { return s ? s->data : ""; }
static inline uint32_t sk_str_len(const struct sk_str *s) { return s ? s->len : 0; }

/* fd kinds are enum sk_fd_type of formats/meta.h (shared with the snapshots). */
const char *sk_fd_type_name(uint8_t t);  /* "file", "ipv4", "<NA>" ... */
char sk_fd_type_char(uint8_t t);         /* 'f', '4', 'o' ... */

enum sk_l4proto { SK_L4_UNKNOWN = 0, SK_L4_NA = 1, SK_L4_TCP = 2, SK_L4_UDP = 3, SK_L4_ICMP = 4, SK_L4_RAW = 5 };
enum sk_fd_role { SK_ROLE_NONE = 0, SK_ROLE_CLIENT, SK_ROLE_SERVER };

enum sk_fd_state_flag {
	SK_FDF_CONNECTED = 1u << 0,
	SK_FDF_CLOEXEC = 1u << 1,
	SK_FDF_NAME_CHANGED = 1u << 2, /* set while the event that changed it is evaluated */
};

struct sk_fd {
	int64_t num;         /* fd number; -1 = free slot */
	uint8_t type;        /* enum sk_fd_type */
	uint8_t l4proto;     /* enum sk_l4proto */
	uint8_t role;        /* enum sk_fd_role */
	uint8_t v6;          /* addresses are IPv6 */
	uint32_t state;      /* enum sk_fd_state_flag */
	uint32_t open_flags; /* PPM O_* */
	uint32_t dev;
	uint64_t ino;
	uint8_t sip[16], dip[16];   /* client -> server for connected sockets */
	uint16_t sport, dport;
	uint64_t unix_src, unix_dst;
	int64_t pidfd_pid;
	char *name;          /* NUL-terminated, never NULL once used */
	uint32_t name_len, name_cap;
	char *nameraw;
	uint32_t nameraw_len, nameraw_cap;
};

/* fd table of a process (shared by its threads; copied on fork). */
struct sk_fdtable {
	uint32_t refs;
	uint32_t cap;        /* slots in fds[] */
	uint32_t count;      /* open entries */
	struct sk_fd *fds;   /* indexed by fd number for 0 <= fd < cap */
};

/* Process-level data, owned by the main thread and shared by the others. */
struct sk_proc {
	uint32_t refs;
	struct sk_fdtable *fdt;
	struct sk_str *cwd;   /* always ends in '/' */
};

enum sk_thread_flag {
	SK_TH_PLACEHOLDER = 1u << 0,  /* unknown tid: made up so fields resolve to <NA> */
	SK_TH_DEAD = 1u << 1,
	SK_TH_REAPER = 1u << 2,       /* child subreaper or pid-ns init */
	SK_TH_FROM_CHILD = 1u << 3,   /* created by the child's own clone exit */
};

struct sk_thread {
	int64_t tid, pid, ptid;
	int64_t sid, vpgid, pgid;
	int64_t vtid, vpid;
	uint32_t uid, gid, loginuid;
	uint32_t clone_flags;        /* PPM_CL_* */
	uint32_t tflags;             /* enum sk_thread_flag */
	uint32_t tty;
	uint32_t exe_flags;          /* PPM_EXE_* */
	uint32_t vmsize, vmrss, vmswap;
	uint64_t pfmajor, pfminor;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint64_t clone_ts, pidns_init_start_ts;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
	int64_t fdlimit;
	char comm[32];
	char container_id[16];       /* "" = host */
	struct sk_str *exe, *exepath, *args, *env, *cgroups, *root;
	struct sk_proc *proc;        /* shared with the thread group */
	uint32_t hash_next;          /* internal: bucket chain */
	uint32_t slot;               /* internal: pool index */
};

struct sk_user { uint32_t uid, gid; char *name, *home, *shell; char container[16]; };
struct sk_group { uint32_t gid; char *name; char container[16]; };

struct sk_iface { uint8_t v6; uint8_t addr[16], mask[16]; char name[32]; };

struct sk_state;

struct sk_state *sk_state_new(void);
void sk_state_free(struct sk_state *st);

/* Thread table. */
struct sk_thread *sk_state_thread(struct sk_state *st, int64_t tid);
/* The thread, or a placeholder made on the spot (libs behaviour for unknown tids). */
struct sk_thread *sk_state_thread_or_placeholder(struct sk_state *st, int64_t tid);
struct sk_thread *sk_state_thread_add(struct sk_state *st, int64_t tid);
void sk_state_thread_remove(struct sk_state *st, int64_t tid);
/* The thread group leader (main thread) of t, or t itself. */
struct sk_thread *sk_state_main_thread(struct sk_state *st, struct sk_thread *t);
/* Ancestor n of t (0 = t's main thread, 1 = parent...), or NULL. */
struct sk_thread *sk_state_ancestor(struct sk_state *st, struct sk_thread *t, unsigned n);
size_t sk_state_thread_count(const struct sk_state *st);
/* Iterate: returns the next live thread after *cursor (start with 0), NULL at end. */
struct sk_thread *sk_state_thread_next(struct sk_state *st, uint32_t *cursor);

/* fd tables. */
struct sk_fd *sk_fdtable_get(struct sk_fdtable *t, int64_t fd);
struct sk_fd *sk_fdtable_put(struct sk_fdtable *t, int64_t fd); /* fresh entry, replacing any */
void sk_fdtable_del(struct sk_fdtable *t, int64_t fd);
struct sk_fdtable *sk_fdtable_clone(const struct sk_fdtable *t);
void sk_fdtable_free(struct sk_fdtable *t);
static inline struct sk_fdtable *sk_fdtable_ref(struct sk_fdtable *t) { if (t) t->refs++; return t; }
void sk_fdtable_unref(struct sk_fdtable *t);
void sk_fd_set_name(struct sk_fd *f, const char *s, size_t len);
void sk_fd_set_nameraw(struct sk_fd *f, const char *s, size_t len);
void sk_fd_copy(struct sk_fd *dst, const struct sk_fd *src);

/* Users, groups, interfaces, host. */
void sk_state_add_user(struct sk_state *st, uint32_t uid, uint32_t gid, const char *name,
		       const char *home, const char *shell, const char *container);
void sk_state_add_group(struct sk_state *st, uint32_t gid, const char *name, const char *container);
const struct sk_user *sk_state_user(const struct sk_state *st, uint32_t uid, const char *container);
const struct sk_group *sk_state_group(const struct sk_state *st, uint32_t gid, const char *container);
void sk_state_add_iface(struct sk_state *st, const struct sk_iface *ifc);
int sk_state_ip_is_local(const struct sk_state *st, const uint8_t *ip, int v6);

#endif
