/* probe/probe.h: the probe module's public API: load the saker eBPF probe, select syscalls, drain decoded events. */
#ifndef SAKER_PROBE_PROBE_H
#define SAKER_PROBE_PROBE_H

/*
 * Module probe/ (prefix sk_probe_ here, skp_ inside) owns the kernel side
 * (probe/bpf/: a sys_exit dispatcher tail-calling one program per syscall
 * family, the exec/fork/exit tracepoint programs), the record layout
 * (saker_event.h), the loader and the decoder that turns records into
 * event-table exit layouts (struct sk_event). It may call formats/ (event
 * table, flag names) and libbpf; nothing above it (record/, replay/).
 * Used by saker-record and saker-replay --live.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/event.h"

struct sk_probe;

struct sk_probe_opts {
	uint32_t ring_bytes;    /* ring buffer size, power of two (0: 8 MiB) */
	uint32_t snaplen;       /* I/O data bytes copied (0: 80) */
	uint32_t argmax;        /* argv/env bytes copied (0: 4096) */
	uint32_t wakeup_bytes;  /* wake the consumer once this much is queued (0: ring/8) */
	const uint32_t *pids;   /* if npids: only these processes and their later children */
	size_t npids;
	const char *comm;       /* if set: only threads with this comm (15 chars max) */
	int no_execveat_mark;   /* do not attach the execveat entry mark (saves ~10-16 ns on every syscall;
				 * a successful execveat not relative to a descriptor then reads as execve) */
};

struct sk_probe_stats {
	uint64_t events;     /* records committed to the ring */
	uint64_t ring_full;  /* records lost: ring full */
	uint64_t copy_fail;  /* memory copies that faulted */
	uint64_t trunc;      /* data dropped: record size limit */
	uint64_t decode_err; /* records user space could not decode */
};

/* Called for every decoded event; a non-zero return stops sk_probe_poll. */
typedef int (*sk_probe_cb)(const struct sk_event *ev, void *ctx);

/* Opens and loads the probe (not attached yet). On failure returns -errno and
 * writes a one-line reason into err (not root, no BTF, verifier message). */
int sk_probe_open(struct sk_probe **out, const struct sk_probe_opts *opts, char *err, size_t errlen);

/* Selects the syscalls to capture by name ("open", "execve", ...) or all
 * supported ones with names == NULL. Unknown names are an error (-ENOENT)
 * naming the first one in err. Process lifecycle (clone family, execve,
 * procexit) is always captured: the replayer's thread table needs it. */
int sk_probe_set_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen);
/* Enables more syscalls by name without clearing the current set. */
int sk_probe_add_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen);
/* Same from a set of saker event type ids (SK_EV_*): each id's syscall. */
int sk_probe_set_event_types(struct sk_probe *p, const uint16_t *types, size_t n);
/* Excludes a process (tgid) from capture. */
int sk_probe_exclude_pid(struct sk_probe *p, uint32_t pid);

int sk_probe_attach(struct sk_probe *p, char *err, size_t errlen);

/* Waits up to timeout_ms for records, then consumes everything queued,
 * calling cb once per event. Returns the number of events delivered, or a
 * negative errno (-EINTR when interrupted), or cb's non-zero return as
 * -ECANCELED. */
int sk_probe_poll(struct sk_probe *p, int timeout_ms, sk_probe_cb cb, void *ctx);

/* Pull interface (for sk_source users such as saker-replay --live): waits
 * up to timeout_ms for one event. Returns 1 with *ev filled (its parameters
 * stay valid until the next call), 0 on timeout, or a negative errno
 * (-EINTR when interrupted). Do not mix with sk_probe_poll on one handle. */
int sk_probe_next(struct sk_probe *p, int timeout_ms, struct sk_event *ev);

/* Sums the per-CPU counters. */
int sk_probe_stats(struct sk_probe *p, struct sk_probe_stats *out);

/* Per-CPU view of the same counters (cpu < sk_probe_ncpus()). */
int sk_probe_stats_cpu(struct sk_probe *p, uint32_t cpu, struct sk_probe_stats *out);
int sk_probe_ncpus(void);

/* What loading cost (CLOCK_MONOTONIC ns): skeleton open (BTF parse of the
 * object), object load (vmlinux BTF, CO-RE, verification of every
 * program), map set-up, attach. */
struct sk_probe_times {
	uint64_t open_ns, load_ns, setup_ns, attach_ns;
};
void sk_probe_get_times(const struct sk_probe *p, struct sk_probe_times *out);

/* One loaded BPF program. */
struct sk_probe_prog {
	char name[48];
	uint32_t verified_insns; /* bpf_prog_info.verified_insns (0: kernel older than 5.16) */
	uint32_t xlated_bytes;   /* translated (post-verifier) size */
	uint32_t jited_bytes;
	uint64_t load_ns;        /* its verification and JIT (see probe_info.c) */
	int attached;            /* 1: attached to a tracepoint; 0: reached by tail call */
};
/* Fills up to max programs, largest verified instruction count first;
 * returns how many. */
int sk_probe_programs(const struct sk_probe *p, struct sk_probe_prog *out, size_t max);
/* Prints the load times and the program table (who: the line prefix). */
void sk_probe_report(const struct sk_probe *p, FILE *f, const char *who);
/* What attach left out (one line), or NULL. */
const char *sk_probe_note(const struct sk_probe *p);

/* Names of every syscall the probe supports, NULL-terminated. */
const char *const *sk_probe_syscall_names(void);

void sk_probe_close(struct sk_probe *p);

#endif
