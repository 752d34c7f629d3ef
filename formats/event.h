/* formats/event.h: the in-memory event model every source yields and every consumer reads. */
#ifndef SAKER_FORMATS_EVENT_H
#define SAKER_FORMATS_EVENT_H

/*
 * formats/ owns the event model every layer shares: events and their
 * parameter table (event.h), capture metadata (meta.h), flag and errno names
 * (flags.h), syscall ids and what state tracking needs (syscalls.h). The
 * on-disk formats are its subdirectories formats/skr/ and formats/scap/. It
 * calls nothing of saker (json/ and yaml/ are below it but unused).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * An event is a small fixed header plus up to SK_MAX_PARAMS parameters. A
 * parameter is a (pointer, length) pair into the buffer the event was decoded
 * from: decoding copies nothing. The layout of each event type (parameter
 * names, types and print formats) lives in one table, sk_event_table[], so a
 * capture only stores bytes.
 *
 * Parameter value encodings (all little-endian, the same as .scap so import
 * and export are byte copies):
 *   - fixed-size integers: their natural width (see sk_ptype_size());
 *   - CHARBUF/FSPATH/FSRELPATH: the bytes *including* a terminating NUL;
 *   - BYTEBUF: raw bytes (argv/env/cgroups are NUL-separated lists);
 *   - SOCKADDR/SOCKTUPLE: 1-byte family, then the addresses (docs/skr-format.md);
 *   - length 0: the parameter is absent (not collected, or an old layout).
 * Parameters are only ever appended to a type's layout, never reordered, so an
 * event with fewer parameters than the table lists has the trailing ones absent.
 */

#define SK_MAX_PARAMS 32

/* Parameter types. The numbering is saker's own and stable (it is not stored
 * per parameter; it only names table entries). */
enum sk_ptype {
	SK_PT_NONE = 0,
	SK_PT_INT8, SK_PT_INT16, SK_PT_INT32, SK_PT_INT64,
	SK_PT_UINT8, SK_PT_UINT16, SK_PT_UINT32, SK_PT_UINT64,
	SK_PT_CHARBUF,    /* NUL-terminated string */
	SK_PT_BYTEBUF,    /* raw bytes */
	SK_PT_ERRNO,      /* int64, negative = -errno */
	SK_PT_SOCKADDR,
	SK_PT_SOCKTUPLE,
	SK_PT_FD,         /* int64 */
	SK_PT_PID,        /* int64 */
	SK_PT_FDLIST,     /* u16 count, then count x (i64 fd, u16 flags) */
	SK_PT_FSPATH,     /* NUL-terminated path, absolute or relative to cwd */
	SK_PT_SYSCALLID,  /* u16 saker syscall id (formats/syscalls.h) */
	SK_PT_SIGTYPE,    /* u8 signal number */
	SK_PT_RELTIME,    /* u64 ns */
	SK_PT_ABSTIME,    /* u64 ns since epoch */
	SK_PT_PORT,       /* u16 */
	SK_PT_BOOL,       /* u32 0/1 */
	SK_PT_IPV4ADDR,   /* 4 bytes network order */
	SK_PT_IPV6ADDR,   /* 16 bytes */
	SK_PT_DYN,        /* u8 sub-type index, then the value */
	SK_PT_FLAGS8, SK_PT_FLAGS16, SK_PT_FLAGS32,
	SK_PT_ENUMFLAGS8, SK_PT_ENUMFLAGS16, SK_PT_ENUMFLAGS32,
	SK_PT_UID, SK_PT_GID, /* u32, 0xffffffff = none */
	SK_PT_MODE,       /* u32 permission bits (Linux values) */
	SK_PT_SIGSET,     /* u32 */
	SK_PT_FSRELPATH,  /* NUL-terminated path relative to the param named by dirfd */
	SK_PT_FD32, SK_PT_PID32,
	SK_PT_CHARBUFARRAY, /* NUL-separated strings */
	SK_PT__COUNT
};

/* How a numeric parameter prints in evt.args / evt.arg (sysdig conventions). */
enum sk_pfmt {
	SK_PF_NA = 0,   /* natural: decimal for numbers, text for strings */
	SK_PF_DEC,
	SK_PF_HEX,
	SK_PF_OCT,
	SK_PF_ID,       /* pid/tid: decimal followed by (comm) when known */
};

enum sk_dir { SK_DIR_ENTER = 0, SK_DIR_EXIT = 1 };

/* Event categories (evt.category). */
enum sk_category {
	SK_CAT_UNKNOWN = 0, SK_CAT_OTHER, SK_CAT_FILE, SK_CAT_NET, SK_CAT_IPC,
	SK_CAT_MEMORY, SK_CAT_PROCESS, SK_CAT_SLEEP, SK_CAT_SYSTEM, SK_CAT_SIGNAL,
	SK_CAT_USER, SK_CAT_TIME, SK_CAT_WAIT, SK_CAT_SCHEDULER, SK_CAT_INTERNAL,
	SK_CAT__COUNT
};

/* Event flags (what the event does to fd state, whether it is a syscall...). */
enum sk_event_flag {
	SK_EF_NONE = 0,
	SK_EF_CREATES_FD = 1u << 0,
	SK_EF_DESTROYS_FD = 1u << 1,
	SK_EF_USES_FD = 1u << 2,
	SK_EF_READS_FROM_FD = 1u << 3,
	SK_EF_WRITES_TO_FD = 1u << 4,
	SK_EF_MODIFIES_STATE = 1u << 5,
	SK_EF_WAITS = 1u << 6,
	SK_EF_META = 1u << 7,       /* not a syscall: procexit, container, ... */
	SK_EF_UNUSED = 1u << 8,     /* direction that does not exist for this kind */
	SK_EF_OLD_VERSION = 1u << 9,
	SK_EF_LARGE_PAYLOAD = 1u << 10, /* .scap uses u32 parameter lengths */
};

/* A name for a flag bit set or an enum value (evt.arg rendering). The last
 * entry has name NULL. */
struct sk_name_value {
	const char *name;
	uint64_t value;
};

struct sk_param_info {
	const char *name;
	uint8_t type;   /* enum sk_ptype */
	uint8_t fmt;    /* enum sk_pfmt */
	int8_t dirfd;   /* FSRELPATH: index of the dirfd param in this event, else -1 */
	const struct sk_name_value *names; /* flags/enum names, or NULL */
};

struct sk_event_info {
	const char *name;      /* "open", "procexit", ... */
	uint8_t dir;           /* enum sk_dir */
	uint8_t category;      /* enum sk_category */
	uint16_t flags;        /* enum sk_event_flag */
	uint16_t scap_code;    /* event code in .scap files (0 = none) */
	uint8_t nparams;
	const struct sk_param_info *params;
};

/*
 * Event kinds. Each kind has an enter id (2k) and an exit id (2k+1); kinds
 * that are not syscalls (procexit, container, ...) use only the enter id, as
 * .scap does. The numbering is saker's own and stored in .skr files: append
 * new kinds at the end, never reorder.
 */
#define SK_EVENT_KINDS(X) \
	X(GENERIC) X(OPEN) X(CLOSE) X(READ) X(WRITE) X(SOCKET) X(BIND) X(CONNECT) \
	X(LISTEN) X(ACCEPT) X(SEND) X(SENDTO) X(RECV) X(RECVFROM) X(SHUTDOWN) \
	X(GETSOCKNAME) X(GETPEERNAME) X(SOCKETPAIR) X(SETSOCKOPT) X(GETSOCKOPT) \
	X(SENDMSG) X(SENDMMSG) X(RECVMSG) X(RECVMMSG) X(ACCEPT4) X(CREAT) X(PIPE) \
	X(PIPE2) X(EVENTFD) X(EVENTFD2) X(FUTEX) X(STAT) X(LSTAT) X(FSTAT) X(STAT64) \
	X(LSTAT64) X(FSTAT64) X(EPOLLWAIT) X(POLL) X(PPOLL) X(SELECT) X(PSELECT6) \
	X(LSEEK) X(LLSEEK) X(IOCTL) X(GETCWD) X(CHDIR) X(FCHDIR) X(MKDIR) X(MKDIRAT) \
	X(RMDIR) X(OPENAT) X(OPENAT2) X(LINK) X(LINKAT) X(UNLINK) X(UNLINKAT) \
	X(PREAD) X(PWRITE) X(READV) X(WRITEV) X(PREADV) X(PWRITEV) X(DUP) X(DUP2) \
	X(DUP3) X(SIGNALFD) X(SIGNALFD4) X(KILL) X(TKILL) X(TGKILL) X(NANOSLEEP) \
	X(TIMERFD_CREATE) X(INOTIFY_INIT) X(INOTIFY_INIT1) X(GETRLIMIT) X(SETRLIMIT) \
	X(PRLIMIT) X(FCNTL) X(BRK) X(MMAP) X(MMAP2) X(MUNMAP) X(MPROTECT) X(SPLICE) \
	X(PTRACE) X(RENAME) X(RENAMEAT) X(RENAMEAT2) X(SYMLINK) \
	X(SYMLINKAT) X(FORK) X(VFORK) X(CLONE) X(CLONE3) X(EXECVE) X(EXECVEAT) \
	X(PROCEXIT) X(SENDFILE) X(QUOTACTL) X(SETRESUID) X(SETRESGID) X(SETREUID) \
	X(SETREGID) X(SETUID) X(SETGID) X(GETUID) X(GETEUID) X(GETGID) X(GETEGID) \
	X(GETRESUID) X(GETRESGID) X(SETSID) X(SETPGID) X(CHROOT) X(MOUNT) X(UMOUNT) \
	X(UMOUNT2) X(ACCESS) X(FACCESSAT) X(FACCESSAT2) X(CHMOD) X(FCHMOD) X(FCHMODAT) \
	X(CHOWN) X(LCHOWN) X(FCHOWN) X(FCHOWNAT) X(UNSHARE) X(SETNS) X(CAPSET) \
	X(PRCTL) X(USERFAULTFD) X(MEMFD_CREATE) X(PIDFD_OPEN) X(PIDFD_GETFD) X(BPF) \
	X(INIT_MODULE) X(FINIT_MODULE) X(DELETE_MODULE) X(SECCOMP) X(EPOLL_CREATE) \
	X(EPOLL_CREATE1) X(IO_URING_SETUP) X(IO_URING_ENTER) X(IO_URING_REGISTER) \
	X(OPEN_BY_HANDLE_AT) X(CLOSE_RANGE) X(FLOCK) X(MLOCK) X(MUNLOCK) X(MLOCKALL) \
	X(MUNLOCKALL) X(MLOCK2) X(SEMOP) X(SEMGET) X(SEMCTL) X(GETDENTS) X(GETDENTS64) \
	X(COPY_FILE_RANGE) X(MKNOD) X(MKNODAT) X(READLINK) X(READLINKAT) \
	X(SWITCH) X(PROCINFO) X(SIGNALDELIVER) X(CONTAINER) X(DROP) \
	X(NOTIFICATION) X(INFRA) X(CPU_HOTPLUG) X(PAGE_FAULT) X(PLUGINEVENT) \
	X(ASYNCEVENT) X(USERADDED) X(USERDELETED) X(GROUPADDED) X(GROUPDELETED) \
	X(SCAP_UNKNOWN)

#define SK_EVENT_KIND_ENUM(k) SK_EK_##k,
enum sk_event_kind { SK_EVENT_KINDS(SK_EVENT_KIND_ENUM) SK_EK__COUNT };
#undef SK_EVENT_KIND_ENUM

/* Event type ids: SK_EV_<KIND>_E / SK_EV_<KIND>_X. */
#define SK_EVENT_ID_ENUM(k) SK_EV_##k##_E = 2 * SK_EK_##k, SK_EV_##k##_X = 2 * SK_EK_##k + 1,
enum sk_event_type { SK_EVENT_KINDS(SK_EVENT_ID_ENUM) SK_EV__COUNT = 2 * SK_EK__COUNT };
#undef SK_EVENT_ID_ENUM

/* Meta events have only the enter id; these aliases read better. */
#define SK_EV_PROCEXIT SK_EV_PROCEXIT_E
#define SK_EV_CONTAINER SK_EV_CONTAINER_E

static inline int sk_event_is_exit(uint16_t type) { return type & 1; }
static inline uint16_t sk_event_kind(uint16_t type) { return type >> 1; }

/* The table: one entry per event type id. */
extern const struct sk_event_info sk_event_table[SK_EV__COUNT];

/* Dump flags carried per event (from .scap EVF blocks). */
#define SK_EVF_STATE_ONLY 1u

/* One parameter of a decoded event: points into the decode buffer. */
struct sk_param {
	const uint8_t *val;
	uint32_t len;
};

/* A decoded event. Sources fill one in place; nothing is allocated. */
struct sk_event {
	uint64_t ts;       /* ns since the epoch (CLOCK_REALTIME based) */
	int64_t tid;       /* host thread id; -1 for some meta events */
	uint64_t num;      /* evt.num as assigned by the source */
	uint16_t type;     /* enum sk_event_type */
	uint16_t cpu;
	uint32_t flags;    /* SK_EVF_* */
	uint32_t nparams;
	struct sk_param params[SK_MAX_PARAMS];
};

/*
 * A run of events a source hands out without copying them (a .skr chunk
 * its decode workers walked ahead): n events laid out back to back, each
 * a struct sk_event cut after its nparams parameters and followed by 8
 * bytes per parameter the source may use, the next sk_event_rec_size()
 * bytes on. The parameters past nparams are not the event's: nothing may
 * read them. With each event go the words the source's workers prepared
 * for it (skr_prepare): nprep[i] of them, one event's after the other's
 * in prep. sk_event_run_next takes the next event, inline: the replay
 * loop's per-event step.
 */
struct sk_event_run {
	const uint8_t *rec;      /* the next event's record */
	uint32_t n;              /* events left */
	const uint16_t *nprep;   /* per event: words prepared */
	const uint64_t *prep;    /* the next event's words */
};

static inline size_t sk_event_rec_size(uint32_t nparams)
{
	return offsetof(struct sk_event, params) + (size_t)nparams * (sizeof(struct sk_param) + sizeof(uint64_t));
}

/* The next event of run (1), with its words (how many in *nwords, at
 * *words; NULL, 0 when none); 0 when the run is over. */
static inline int sk_event_run_next(struct sk_event_run *run, const struct sk_event **ev, const uint64_t **words,
				    uint32_t *nwords)
{
	if (!run->n)
		return 0;
	const struct sk_event *e = (const struct sk_event *)(const void *)run->rec;
	/* a source's worker wrote the run on another core: ask for its lines
	 * some events ahead (too few instructions per event for the hardware
	 * prefetcher to run ahead) */
	__builtin_prefetch(run->rec + 2048);
	uint32_t nw = *run->nprep++;
	*ev = e;
	*nwords = nw;
	*words = NULL;
	if (nw) {
		*words = run->prep;
		run->prep += nw;
	}
	if (--run->n)
		run->rec += sk_event_rec_size(e->nparams);
	return 1;
}

/* Plugin events (pluginevent: plugin_id, event_data) carry the events of
 * other sources, as in Falco's captures. The ids are those of Falco's plugin
 * registry; saker gives a meaning to k8saudit's (Kubernetes audit events:
 * event_data is one audit event as compact JSON). */
#define SK_PLUGIN_ID_K8SAUDIT 1u
#define SK_PLUGINEVENT_ID 0     /* parameter indexes of pluginevent */
#define SK_PLUGINEVENT_DATA 1

/* The plugin id of a plugin event, 0 for every other event. */
uint32_t sk_event_plugin_id(const struct sk_event *ev);
/* The event source an event belongs to, as rules name it: "syscall" (system
 * calls and the meta events of the same stream), "k8s_audit", or NULL for
 * the events of plugins saker does not know. */
const char *sk_event_source(const struct sk_event *ev);

/* Lookup helpers (formats/event_table.c). Inline: the state, the fields
 * and the engine look the type up on every event. */
static inline const struct sk_event_info *sk_event_info(uint16_t type)
{
	return type < SK_EV__COUNT ? &sk_event_table[type] : NULL;
}
const char *sk_event_name(uint16_t type);
/* Index of the parameter called name in type's layout, or -1. */
int sk_event_param_index(uint16_t type, const char *name);
/* Every event type id whose name is name (enter and exit, old versions), into
 * out (up to cap). Returns how many; 0 if the name is unknown. */
size_t sk_event_types_by_name(const char *name, uint16_t *out, size_t cap);
/* Wire size of a fixed-size parameter type, 0 for variable-size ones. */
uint32_t sk_ptype_size(uint8_t type);
const char *sk_ptype_name(uint8_t type);
const char *sk_category_name(uint8_t category);

/* Wire form of each parameter type for the typed readers below: the low
 * bits hold the size of a fixed-size integer (1, 2, 4 or 8; 0 for every
 * other type, IPv6 addresses included) and SK_PW_SIGNED marks the types
 * that widen with their sign. */
#define SK_PW_SIZE 0x0fu
#define SK_PW_SIGNED 0x80u
extern const uint8_t sk_ptype_wire[SK_PT__COUNT];

/* A fixed-size value of len 1, 2, 4 or 8 bytes, zero-extended (the
 * little-endian wire format, as the host). */
static inline uint64_t sk_wire_load(const uint8_t *p, uint32_t len)
{
	switch (len) {
	case 8: { uint64_t x; memcpy(&x, p, 8); return x; }
	case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
	case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
	default: return p[0];
	}
}

/* v, read in wire form w, widened with its sign when the type has one. */
static inline int64_t sk_wire_signed(uint64_t v, unsigned w)
{
	unsigned size = w & SK_PW_SIZE;
	if ((w & SK_PW_SIGNED) && size < 8 && (v >> (8 * size - 1)) & 1)
		v |= ~(uint64_t)0 << (8 * size);
	return (int64_t)v;
}

/* Reads fixed-size parameter i into *out (zero-extended) and its wire form
 * into *wire. Params past the table's layout (never produced by saker's own
 * sources) are accepted by their length alone, as unsigned. Inline: the
 * state and the fields read several integers of every event. */
static inline int sk_param_fixed(const struct sk_event *ev, uint32_t i, uint64_t *out, unsigned *wire)
{
	if (i >= ev->nparams || i >= SK_MAX_PARAMS || ev->params[i].len == 0 || !ev->params[i].val)
		return -ENOENT;
	uint32_t len = ev->params[i].len;
	unsigned w;
	if (ev->type < SK_EV__COUNT && i < sk_event_table[ev->type].nparams) {
		w = sk_ptype_wire[sk_event_table[ev->type].params[i].type];
		if ((w & SK_PW_SIZE) != len)
			return -EINVAL;
	} else {
		if (len != 1 && len != 2 && len != 4 && len != 8)
			return -EINVAL;
		w = len;
	}
	*out = sk_wire_load(ev->params[i].val, len);
	*wire = w;
	return 0;
}

/* Typed parameter access. Each returns 0 on success and -ENOENT if the
 * parameter is absent or -EINVAL if its length does not match the type. */
static inline int sk_param_u64(const struct sk_event *ev, uint32_t i, uint64_t *out)
{
	unsigned w;
	return sk_param_fixed(ev, i, out, &w);
}

static inline int sk_param_s64(const struct sk_event *ev, uint32_t i, int64_t *out)
{
	uint64_t v;
	unsigned w;
	int rc = sk_param_fixed(ev, i, &v, &w);
	if (rc)
		return rc;
	*out = sk_wire_signed(v, w);
	return 0;
}
/* NUL-terminated string params: *out points into the buffer. */
int sk_param_str(const struct sk_event *ev, uint32_t i, const char **out);

#endif
