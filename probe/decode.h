/* probe/decode.h: turns probe ring records into struct sk_event; the syscall tables (internal to probe/ and its tests). */
#ifndef SAKER_PROBE_DECODE_H
#define SAKER_PROBE_DECODE_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "probe/saker_event.h"

/* One supported syscall: x86_64 number, name, exit event type, the BPF
 * program (probe/bpf/) that records it. */
struct skp_syscall {
	uint16_t nr;
	const char *name;
	uint16_t type;          /* SK_EV_*_X */
	const char *prog;
};

extern const struct skp_syscall skp_syscalls[];
extern const size_t skp_nsyscalls;
const struct skp_syscall *skp_syscall_by_nr(uint32_t nr);
const struct skp_syscall *skp_syscall_by_name(const char *name);

/* An i386 syscall number (or socketcall call number) and the x86_64
 * syscall it is recorded as. */
struct skp_ia32 {
	uint32_t nr;
	const char *name;
};

extern const struct skp_ia32 skp_ia32_syscalls[];
extern const size_t skp_ia32_nsyscalls;
extern const struct skp_ia32 skp_socketcalls[];
extern const size_t skp_nsocketcalls;

struct skp_decoder {
	uint64_t boot_to_epoch;  /* add to CLOCK_BOOTTIME ns to get epoch ns */
	uint64_t num;            /* events decoded (evt.num) */
	uint16_t type_by_nr[SKP_MAX_SYSCALLS]; /* exit event type per x86_64 number (0: none) */
	uint8_t buf[65536 + 8192]; /* parameter bytes of the current event */
};

/* Initialises the clock offset and the per-number type index. */
void skp_decoder_init(struct skp_decoder *d);
/* Decodes rec (len bytes) into ev whose params point into d->buf.
 * Returns 0, or -EINVAL for a malformed record, or 1 to skip it. */
int skp_decode(struct skp_decoder *d, const void *rec, size_t len, struct sk_event *ev);

/* Flag translations (Linux -> PPM). */
uint32_t skp_open_flags_to_ppm(uint64_t flags, uint32_t fmode);
uint32_t skp_clone_flags_to_ppm(uint64_t flags);
uint32_t skp_socket_flags_to_ppm(uint64_t flags);
uint16_t skp_ptrace_req_to_ppm(uint64_t req);

#endif
