/* probe/decode.h: turns probe ring records into struct sk_event (internal to probe/). */
#ifndef SAKER_PROBE_DECODE_H
#define SAKER_PROBE_DECODE_H

#include <linux/types.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "probe/saker_event.h"

/* One supported syscall: native number, name, exit event type, what the probe copies. */
struct skp_syscall {
	uint16_t nr;
	const char *name;
	uint16_t type;          /* SK_EV_*_X */
	struct skp_spec spec;
};

extern const struct skp_syscall skp_syscalls[];
extern const size_t skp_nsyscalls;
const struct skp_syscall *skp_syscall_by_nr(uint32_t nr);
const struct skp_syscall *skp_syscall_by_name(const char *name);

struct skp_decoder {
	uint64_t boot_to_epoch;  /* add to CLOCK_BOOTTIME ns to get epoch ns */
	uint64_t num;            /* events decoded (evt.num) */
	uint8_t buf[65536 + 8192]; /* parameter bytes of the current event */
};

/* Initialises the clock offset. */
void skp_decoder_init(struct skp_decoder *d);
/* Decodes rec (len bytes) into ev whose params point into d->buf.
 * Returns 0, or -EINVAL for a malformed record, or 1 to skip it. */
int skp_decode(struct skp_decoder *d, const void *rec, size_t len, struct sk_event *ev);

/* Flag translations (Linux -> PPM). */
uint32_t skp_open_flags_to_ppm(uint64_t flags, uint32_t fmode);
uint32_t skp_clone_flags_to_ppm(uint64_t flags);
uint16_t skp_ptrace_req_to_ppm(uint64_t req);

#endif
