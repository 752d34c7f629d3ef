/* probe/saker_event.h: the kernel<->user record layout shared by the BPF programs (probe/bpf/) and the decoder. */
#ifndef SAKER_PROBE_SAKER_EVENT_H
#define SAKER_PROBE_SAKER_EVENT_H

/*
 * The probe emits one record per syscall exit (plus exec, fork and exit
 * tracepoint records). A record is a fixed header followed by nchunks chunks,
 * each a 4-byte chunk header and len bytes padded to 4. The header carries
 * the x86_64 syscall number (an ia32 call's translated), return value and
 * the six arguments of the call (zero for a successful exec); chunks carry what had to be copied from memory (user strings,
 * socket addresses, data, kernel-derived socket tuples, process info). The
 * loader turns a record into the exact exit layout of the event table, and
 * translates Linux flag values to PPM values there.
 *
 * Included by BPF code (with vmlinux.h) and by C code (with linux/types.h).
 */

#define SKP_NARGS 6
#define SKP_MAX_SYSCALLS 512     /* slots of the sys_exit dispatch (x86_64 numbers) */
#define SKP_SCRATCH_HALF 32768   /* a record never exceeds this */
#define SKP_MAX_CHUNK 16384      /* largest single copy (snaplen is clamped to it) */
#define SKP_PATH_DEPTH 32        /* dentry components walked for kernel paths */
#define SKP_CGROUP_MAX 4096      /* bytes of cgroup names and paths per record */

enum skp_rec_kind {
	SKP_REC_SYSCALL = 1, /* a syscall exit */
	SKP_REC_EXEC = 2,    /* successful execve/execveat (sched_process_exec) */
	SKP_REC_FORK = 3,    /* child side of a clone/fork/vfork/clone3 */
	SKP_REC_EXIT = 4,    /* sched_process_exit, every thread */
};

struct skp_hdr {
	__u64 ts;        /* CLOCK_BOOTTIME ns */
	__u32 tid;       /* host tid the record is about */
	__u32 pid;       /* host tgid */
	__u16 kind;      /* enum skp_rec_kind */
	__u16 nr;        /* native syscall number (SYSCALL, FORK: the clone variant) */
	__u32 len;       /* whole record in bytes */
	__u16 cpu;
	__u16 nchunks;
	__u32 pad;
	__s64 ret;       /* syscall return value; EXIT: exit_code; FORK: 0 */
	__u64 args[SKP_NARGS]; /* EXIT: group exit code, parent tid, reaper tid (0/-1: none/unknown) */
};

struct skp_chunk {
	__u8 id;         /* enum skp_chunk_id */
	__u8 flags;      /* SKP_CF_* */
	__u16 len;       /* payload bytes (without padding) */
};

#define SKP_CF_TRUNC 1u   /* the copy was cut at the configured limit */
#define SKP_CF_FAULT 2u   /* the copy faulted: payload is empty */

enum skp_chunk_id {
	/* SKP_C_ARG0 + i: memory pointed to by argument i, as its spec kind says */
	SKP_C_ARG0 = 0,
	SKP_C_TUPLE = 8,     /* kernel socket tuple of the event's fd (event-table encoding) */
	SKP_C_FILE = 9,      /* struct skp_file of the event's fd */
	SKP_C_PROC = 10,     /* struct skp_proc */
	SKP_C_ARGS = 11,     /* raw argv area: NUL-separated */
	SKP_C_ENV = 12,      /* raw env area: NUL-separated */
	SKP_C_CWD = 13,      /* path components leaf first, NUL-separated */
	SKP_C_EXEPATH = 14,  /* same, for the exe file */
	SKP_C_CGROUP = 15,   /* per controller: name, path components leaf first, "" */
	SKP_C_FILENAME = 16, /* exec filename as passed (kernel copy) */
	SKP_C_DATA = 17,     /* I/O data behind an iovec or msghdr */
	SKP_C_SADDR = 18,    /* user sockaddr behind a msghdr */
	SKP_C_MSGCTL = 19,   /* recvmsg control data */
	SKP_C_PEER = 20,     /* socketpair: struct { u64 source, peer } */
	SKP_C_QUEUE = 21,    /* accept: listening socket's { u32 queue length, u32 limit } */
};

struct skp_file {
	__u64 ino;
	__u32 dev;       /* new_encode_dev(sb->s_dev), as upstream */
	__u32 fmode;     /* file->f_mode */
	__u32 fflags;    /* file->f_flags */
	__u32 pad;
};

struct skp_proc {
	__u64 pgft_maj, pgft_min;
	__u64 cap_inh, cap_prm, cap_eff;
	__u64 exe_ino, exe_ctime, exe_mtime;   /* ns since epoch */
	__u64 fdlimit;
	__u64 clone_flags;                      /* Linux CLONE_* of the call (clone family) */
	__u64 pidns_init_start;                 /* boot ns of the pid ns init task */
	__u32 tid, pid, ptid;
	__u32 vtid, vpid, pgid, vpgid, sid;
	__u32 uid, gid, loginuid, tty;
	__u32 vm_size, vm_rss, vm_swap;         /* kB */
	__u32 exe_flags;                        /* PPM_EXE_* bits the kernel can tell */
	__u32 pidns_level;                      /* 0 = init pid namespace */
	char comm[16];
};

/* Per-CPU counters (array index). */
enum skp_counter {
	SKP_CNT_EVENTS = 0,   /* records committed to the ring */
	SKP_CNT_RING_FULL,    /* records lost because the ring was full */
	SKP_CNT_COPY_FAIL,    /* memory copies that faulted (record kept, field empty) */
	SKP_CNT_TRUNC,        /* chunks dropped because the record was full */
	SKP_CNT__COUNT
};

#endif
