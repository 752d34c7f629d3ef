/* probe/probe.h: loader API for the saker eBPF probe (used by saker-record and saker-replay --live). */
#ifndef SAKER_PROBE_PROBE_H
#define SAKER_PROBE_PROBE_H

#include <stddef.h>
#include <stdint.h>

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

/* Names of every syscall the probe supports, NULL-terminated. */
const char *const *sk_probe_syscall_names(void);

void sk_probe_close(struct sk_probe *p);

#endif
