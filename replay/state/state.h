/* replay/state/state.h: the replayer's view of the recorded host: threads, processes, fd tables, users. */
#ifndef SAKER_REPLAY_STATE_STATE_H
#define SAKER_REPLAY_STATE_STATE_H

/*
 * replay/state/ owns the recorded host as replay rebuilds it: threads,
 * processes, fd tables, users, containers (this header), the updaters that
 * apply each event (update.h, params.h), and the path, socket address and
 * PPM value helpers extraction shares (paths.h, sockaddr.h, ppm.h). It may
 * call formats/ and json/.
 */

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
struct state_str {
	uint32_t refs;
	uint32_t len;      /* bytes, excluding the trailing NUL */
	char data[];       /* always NUL-terminated */
};

struct state_str *state_str_new(const char *p, size_t len);
static inline struct state_str *state_str_ref(struct state_str *s) { if (s) s->refs++; return s; }
void state_str_unref(struct state_str *s);
static inline const char *state_str_c(const struct state_str *s) { return s ? s->data : ""; }
static inline uint32_t state_str_len(const struct state_str *s) { return s ? s->len : 0; }

/* fd kinds are enum sk_fd_type of formats/meta.h (shared with the snapshots). */
const char *state_fd_type_name(uint8_t t);  /* "file", "ipv4", "<NA>" ... */
char state_fd_type_char(uint8_t t);         /* 'f', '4', 'o' ... */

enum state_l4proto { STATE_L4_UNKNOWN = 0, STATE_L4_NA = 1, STATE_L4_TCP = 2, STATE_L4_UDP = 3, STATE_L4_ICMP = 4,
	STATE_L4_RAW = 5 };
enum state_fd_role { STATE_ROLE_NONE = 0, STATE_ROLE_CLIENT, STATE_ROLE_SERVER };

enum state_fd_flag {
	STATE_FDF_CONNECTED = 1u << 0,
	STATE_FDF_CLOEXEC = 1u << 1,
	STATE_FDF_NAME_CHANGED = 1u << 2, /* set while the event that changed it is evaluated */
	STATE_FDF_RAW_IS_NAME = 1u << 3,  /* nameraw is name (an open's path in normal form): not copied */
};

/* The fields every fd event reads come first: an entry is two cache lines
 * (fd tables are line aligned), the second for sockets and pidfds. */
struct state_fd {
	int64_t num;         /* fd number; -1 = free slot */
	uint8_t type;        /* enum sk_fd_type */
	uint8_t l4proto;     /* enum state_l4proto */
	uint8_t role;        /* enum state_fd_role */
	uint8_t v6;          /* addresses are IPv6 */
	uint32_t state;      /* enum state_fd_flag */
	char *name;          /* NUL-terminated, never NULL once used */
	uint32_t name_len, name_cap;
	char *nameraw;
	uint32_t nameraw_len, nameraw_cap;
	uint32_t open_flags; /* PPM O_* */
	uint32_t dev;
	uint64_t ino;
	uint8_t sip[16], dip[16];   /* client -> server for connected sockets */
	uint16_t sport, dport;
	uint64_t unix_src, unix_dst;
	int64_t pidfd_pid;
};

/* fd table of a process (shared by its threads; copied on fork). */
struct state_fdtable {
	uint32_t refs;
	uint32_t cap;        /* slots in fds[] */
	uint32_t count;      /* open entries */
	struct state_fd *fds;   /* indexed by fd number for 0 <= fd < cap */
};

/* Process-level data, owned by the main thread and shared by the others. */
struct state_proc {
	uint32_t refs;
	struct state_fdtable *fdt;
	struct state_str *cwd;   /* always ends in '/' */
};

enum state_thread_flag {
	STATE_TH_PLACEHOLDER = 1u << 0,  /* unknown tid: made up so fields resolve to <NA> */
	STATE_TH_DEAD = 1u << 1,
	STATE_TH_REAPER = 1u << 2,       /* child subreaper or pid-ns init */
	STATE_TH_FROM_CHILD = 1u << 3,   /* created by the child's own clone exit */
};

/* What the lookup and most events read comes first (the pool keeps each
 * entry cache-line aligned): the tid, the hash chain, the process data and
 * the name. */
struct state_thread {
	int64_t tid;
	uint32_t hash_next;          /* internal: bucket chain */
	uint32_t slot;               /* internal: pool index */
	struct state_proc *proc;     /* shared with the thread group */
	char comm[32];
	int64_t pid, ptid;
	int64_t sid, vpgid, pgid;
	int64_t vtid, vpid;
	uint32_t uid, gid, loginuid;
	uint32_t clone_flags;        /* PPM_CL_* */
	uint32_t tflags;             /* enum state_thread_flag */
	uint32_t tty;
	uint32_t exe_flags;          /* PPM_EXE_* */
	uint32_t vmsize, vmrss, vmswap;
	uint64_t pfmajor, pfminor;
	uint64_t cap_inh, cap_prm, cap_eff;
	uint64_t clone_ts, pidns_init_start_ts;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
	int64_t fdlimit;
	char container_id[16];       /* "" = host */
	struct state_str *exe, *exepath, *args, *env, *cgroups, *root;
};

struct state_user { uint32_t uid, gid; char *name, *home, *shell; char container[16]; };
struct state_group { uint32_t gid; char *name; char container[16]; };

struct state_iface { uint8_t v6; uint8_t addr[16], mask[16]; char name[32]; };

struct state;

struct state *state_new(void);
void state_free(struct state *st);

/* Thread table. */
struct state_thread *state_thread_get(struct state *st, int64_t tid);
/* The thread, or a placeholder made on the spot (libs behaviour for unknown tids). */
struct state_thread *state_thread_or_placeholder(struct state *st, int64_t tid);
struct state_thread *state_thread_add(struct state *st, int64_t tid);
void state_thread_remove(struct state *st, int64_t tid);
/* The thread group leader (main thread) of t, or t itself. */
static inline struct state_thread *state_main_thread(struct state *st, struct state_thread *t)
{
	/* inline: every proc.* field asks, and most threads are their own */
	if (!t || t->pid == t->tid || t->pid < 0)
		return t;
	struct state_thread *m = state_thread_get(st, t->pid);
	return m ? m : t;
}
/* Ancestor n of t (0 = t's main thread, 1 = parent...), or NULL. */
struct state_thread *state_ancestor(struct state *st, struct state_thread *t, unsigned n);
size_t state_thread_count(const struct state *st);
/* Iterate: returns the next live thread after *cursor (start with 0), NULL at end. */
struct state_thread *state_thread_next(struct state *st, uint32_t *cursor);

/* fd tables. */
/* The open entry of fd, or NULL (inline: several lookups per event). */
static inline struct state_fd *state_fdtable_get(struct state_fdtable *t, int64_t fd)
{
	if (!t || fd < 0 || (uint64_t)fd >= t->cap)
		return NULL;
	struct state_fd *f = &t->fds[fd];
	return f->num == fd ? f : NULL;
}
struct state_fd *state_fdtable_put(struct state_fdtable *t, int64_t fd); /* fresh entry, replacing any */
void state_fdtable_del(struct state_fdtable *t, int64_t fd);
struct state_fdtable *state_fdtable_clone(const struct state_fdtable *t);
void state_fdtable_free(struct state_fdtable *t);
static inline struct state_fdtable *state_fdtable_ref(struct state_fdtable *t) { if (t) t->refs++; return t; }
void state_fdtable_unref(struct state_fdtable *t);
void state_fd_set_name(struct state_fd *f, const char *s, size_t len);
void state_fd_set_nameraw(struct state_fd *f, const char *s, size_t len);
/* Sets name and nameraw to the same s (one copy; state_fd_nameraw reads it). */
void state_fd_set_name_and_raw(struct state_fd *f, const char *s, size_t len);
/* nameraw, or name when they are one (STATE_FDF_RAW_IS_NAME). */
static inline const char *state_fd_nameraw(const struct state_fd *f, uint32_t *len)
{
	if (f->state & STATE_FDF_RAW_IS_NAME) {
		*len = f->name_len;
		return f->name ? f->name : "";
	}
	*len = f->nameraw_len;
	return f->nameraw ? f->nameraw : "";
}
void state_fd_copy(struct state_fd *dst, const struct state_fd *src);

/* Users, groups, interfaces, host. */
void state_add_user(struct state *st, uint32_t uid, uint32_t gid, const char *name,
		    const char *home, const char *shell, const char *container);
void state_add_group(struct state *st, uint32_t gid, const char *name, const char *container);
const struct state_user *state_user_get(const struct state *st, uint32_t uid, const char *container);
const struct state_group *state_group_get(const struct state *st, uint32_t gid, const char *container);
void state_add_iface(struct state *st, const struct state_iface *ifc);
int state_ip_is_local(const struct state *st, const uint8_t *ip, int v6);

/* replay/state/export.c: appends the live threads and their processes' fds
 * to m as snapshot records (the flight recorder's keyframes); strings are
 * copied into m. 0, or -1 when out of memory. */
int state_export_meta(struct state *st, struct sk_meta *m);

#endif
