/* formats/meta.h: the capture metadata model (host, interfaces, users, process and fd snapshots, containers, drops). */
#ifndef SAKER_FORMATS_META_H
#define SAKER_FORMATS_META_H

#include <stddef.h>
#include <stdint.h>

/*
 * Everything a capture carries besides events. One struct sk_meta holds the
 * tables; every string in it is owned by the struct's arena, so a table entry
 * can be handed around by value and the whole thing is released by
 * sk_meta_free(). The sk_meta_add_* helpers deep-copy the strings of the entry
 * they are given, so callers may pass pointers to their own scratch buffers.
 *
 * Strings are NUL-terminated; NULL means "absent" and is treated as "".
 * NUL-separated lists (args, env, cgroups) carry an explicit length that
 * counts every byte, including the NUL after the last item.
 */

/* Metadata kinds; the numbering is stored in .skr files: append only. */
enum sk_meta_kind {
	SK_META_HOST = 1,
	SK_META_IFACE = 2,
	SK_META_USER = 3,
	SK_META_GROUP = 4,
	SK_META_PROC = 5,
	SK_META_FD = 6,
	SK_META_CONTAINER = 7,
	SK_META_DROPS = 8,
	SK_META_END = 9,
	SK_META_CAPIF = 10,
	SK_META_ALERT = 11,
	SK_META__COUNT
};

const char *sk_meta_kind_name(uint32_t kind);

struct sk_meta_host {
	const char *hostname;
	const char *kernel_release;   /* uname -r */
	const char *tz_name;          /* e.g. "Europe/Paris" or "UTC" */
	const char *recorder_version; /* e.g. "saker-record 0.1" */
	uint64_t boot_ts;             /* boot time, ns since the epoch */
	uint64_t start_ts;            /* capture start, ns since the epoch */
	uint64_t memory_bytes;
	uint32_t num_cpus;
	int32_t tz_offset_s;          /* UTC offset at record time, seconds east */
	/* Clock offsets at record time, so kernel timestamps (CLOCK_MONOTONIC
	 * or CLOCK_BOOTTIME based) can be turned into epoch times. */
	int64_t realtime_minus_monotonic_ns;
	int64_t realtime_minus_boottime_ns;
	uint32_t snaplen;             /* I/O buffer capture limit, bytes */
	uint32_t argv_limit;          /* argv/env capture limit, bytes */
};

struct sk_meta_iface {
	const char *name;
	uint8_t family;      /* 2 = AF_INET, 10 = AF_INET6 */
	uint8_t addr[16];    /* network order; IPv4 uses the first 4 bytes */
	uint8_t netmask[16];
	uint8_t bcast[16];
	uint64_t linkspeed;
};

/* A user; container_id "" (or NULL) is the host. */
struct sk_meta_user {
	uint32_t uid, gid;
	const char *name, *home, *shell;
	const char *container_id;
};

struct sk_meta_group {
	uint32_t gid;
	const char *name;
	const char *container_id;
};

/* Executable flags (PPM_EXE_* values, as in execve's exit "flags"). */
enum sk_exe_flag {
	SK_EXE_WRITABLE = 1u << 0,
	SK_EXE_UPPER_LAYER = 1u << 1,
	SK_EXE_FROM_MEMFD = 1u << 2,
	SK_EXE_LOWER_LAYER = 1u << 3,
};

/* One thread of the start-up snapshot (fields.md 9.5; superset of .scap PL v9). */
struct sk_meta_proc {
	int64_t tid, pid, ptid, sid, vpgid, pgid, vtid, vpid;
	const char *comm;
	const char *exe;        /* argv[0] */
	const char *exepath;    /* resolved binary */
	const char *cwd;
	const char *root;
	const char *args;       /* argv[1..], NUL-separated */
	uint32_t args_len;
	const char *env;        /* NUL-separated */
	uint32_t env_len;
	const char *cgroups;    /* "subsys=/path" items, NUL-separated */
	uint32_t cgroups_len;
	int64_t fdlimit;        /* -1 when unknown */
	uint32_t flags;         /* PPM_CL_* clone flags (scap.md 13.3) */
	uint32_t uid, gid;      /* euid, egid */
	uint32_t loginuid;      /* 0xffffffff when unset */
	uint32_t tty;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	uint64_t clone_ts;            /* ns since the epoch */
	uint64_t pidns_init_start_ts; /* ns since the epoch */
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
	uint32_t exe_flags;           /* enum sk_exe_flag */
};

/* fd kinds; values follow .scap's fd_type where it has one (scap.md 10),
 * except that both .scap file types map to SK_FDT_FILE. */
enum sk_fd_type {
	SK_FDT_UNKNOWN = 0,
	SK_FDT_FILE = 1,
	SK_FDT_DIRECTORY = 2,
	SK_FDT_IPV4 = 3,
	SK_FDT_IPV6 = 4,
	SK_FDT_IPV4_SERVER = 5,
	SK_FDT_IPV6_SERVER = 6,
	SK_FDT_PIPE = 7,
	SK_FDT_UNIX = 8,
	SK_FDT_EVENT = 9,
	SK_FDT_UNSUPPORTED = 10,
	SK_FDT_SIGNALFD = 11,
	SK_FDT_EVENTPOLL = 12,
	SK_FDT_INOTIFY = 13,
	SK_FDT_TIMERFD = 14,
	SK_FDT_NETLINK = 15,
	SK_FDT_BPF = 17,
	SK_FDT_USERFAULTFD = 18,
	SK_FDT_IO_URING = 19,
	SK_FDT_MEMFD = 20,
	SK_FDT_PIDFD = 21,
	SK_FDT__MAX = 21
};

/* One fd of a process in the start-up snapshot. */
struct sk_meta_fd {
	int64_t pid;          /* owning process (thread group leader tid) */
	int64_t fd;
	uint64_t ino;
	uint8_t type;         /* enum sk_fd_type */
	uint8_t l4proto;      /* 0 unknown, 1 n/a, 2 tcp, 3 udp, 4 icmp, 5 raw */
	uint32_t open_flags;  /* PPM_O_* (scap.md 13.1) */
	uint32_t dev;
	int32_t mnt_id;
	const char *name;
	/* Sockets: network-order addresses (IPv4 in the first 4 bytes), host
	 * order ports. Server sockets use sip/sport only. */
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	uint64_t unix_source, unix_dest; /* kernel socket pointers */
};

/* Container runtime metadata: the raw {"container": {...}} JSON (fields.md 7.3). */
struct sk_meta_container {
	const char *id;       /* 12-character short id; "" when learned from a container event in the stream */
	const char *json;
	uint64_t ts;          /* when it was recorded, ns since the epoch */
};

/* Per-CPU drop counters at time ts (cumulative since the capture began). */
struct sk_meta_drops {
	uint64_t ts;
	uint32_t cpu;
	uint64_t events;      /* events seen by the probe */
	uint64_t ring_full;   /* dropped because the ring buffer was full */
	uint64_t copy_fail;   /* dropped because a kernel copy failed */
};

/* End of capture (written once by a writer that closes cleanly). */
struct sk_meta_end {
	uint64_t ts;
	uint64_t nevents;
	uint64_t ndrops;
};

/* An interface the recorder captured packets on (saker-record -i): the
 * packet stream's interface numbers index these records in file order. */
struct sk_meta_capif {
	const char *name;
	uint32_t linktype;    /* pcap LINKTYPE_* of its packets */
	uint32_t snaplen;     /* bytes kept per packet */
	const char *filter;   /* --pcap-filter expression, "" for none */
};

/* An alert saved with the events around it (the flight recorder,
 * docs/flight-recorder.md): which rule fired on which event of the file. */
struct sk_meta_alert {
	uint64_t ts;          /* the triggering event's time, ns since the epoch */
	uint64_t evt_num;     /* its number in the file (evt.num) */
	uint32_t priority;    /* rule priority (0 emergency .. 7 debug) */
	const char *rule;
	const char *output;   /* the alert text as it was printed */
};

struct sk_meta_arena_chunk;

struct sk_meta {
	int have_host;
	struct sk_meta_host host;
	struct sk_meta_iface *ifaces;
	size_t n_ifaces, cap_ifaces;
	struct sk_meta_user *users;
	size_t n_users, cap_users;
	struct sk_meta_group *groups;
	size_t n_groups, cap_groups;
	struct sk_meta_proc *procs;
	size_t n_procs, cap_procs;
	struct sk_meta_fd *fds;
	size_t n_fds, cap_fds;
	struct sk_meta_container *containers;
	size_t n_containers, cap_containers;
	struct sk_meta_drops *drops;
	size_t n_drops, cap_drops;
	struct sk_meta_capif *capifs;
	size_t n_capifs, cap_capifs;
	struct sk_meta_alert *alerts;
	size_t n_alerts, cap_alerts;
	int have_end;
	struct sk_meta_end end;
	struct sk_meta_arena_chunk *arena; /* owns every string above */
	uint64_t changes;  /* bumped by every change: a reader's test for anything new */
};

/* An empty model, or NULL when out of memory. */
struct sk_meta *sk_meta_new(void);
void sk_meta_free(struct sk_meta *m);
/* Empties every table, keeping the allocations for reuse. */
void sk_meta_reset(struct sk_meta *m);

/* Each copies *item (and its strings); 0 or -ENOMEM. */
int sk_meta_set_host(struct sk_meta *m, const struct sk_meta_host *item);
int sk_meta_add_iface(struct sk_meta *m, const struct sk_meta_iface *item);
int sk_meta_add_user(struct sk_meta *m, const struct sk_meta_user *item);
int sk_meta_add_group(struct sk_meta *m, const struct sk_meta_group *item);
int sk_meta_add_proc(struct sk_meta *m, const struct sk_meta_proc *item);
int sk_meta_add_fd(struct sk_meta *m, const struct sk_meta_fd *item);
int sk_meta_add_container(struct sk_meta *m, const struct sk_meta_container *item);
int sk_meta_add_drops(struct sk_meta *m, const struct sk_meta_drops *item);
int sk_meta_set_end(struct sk_meta *m, const struct sk_meta_end *item);
int sk_meta_add_capif(struct sk_meta *m, const struct sk_meta_capif *item);
int sk_meta_add_alert(struct sk_meta *m, const struct sk_meta_alert *item);

/* Adds item (an array of n entries of the struct matching kind: n is
 * ignored for HOST and END). 0, -ENOMEM or -EINVAL for an unknown kind. */
int sk_meta_add(struct sk_meta *m, uint32_t kind, const void *items, size_t n);

/* Appends one entry of kind without copying its strings: they must already
 * live in m's arena (sk_meta_strndup). Decoders use it to copy once. */
int sk_meta_append_owned(struct sk_meta *m, uint32_t kind, const void *item);

/* Copies every table of src into dst (appending). */
int sk_meta_merge(struct sk_meta *dst, const struct sk_meta *src);

/* Copies len bytes into the arena (adding a NUL after them); NULL on ENOMEM. */
char *sk_meta_strndup(struct sk_meta *m, const char *s, size_t len);

#endif
