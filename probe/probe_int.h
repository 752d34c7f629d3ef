/* probe/probe_int.h: the loader's handle, shared by the loader files of probe/ (internal). */
#ifndef SAKER_PROBE_PROBE_INT_H
#define SAKER_PROBE_PROBE_INT_H

#include <stdint.h>

#include "probe/decode.h"
#include "probe/probe.h"
#include "saker.skel.h"

struct sk_probe {
	struct saker_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link *execveat_link; /* the execveat entry mark (NULL: not attached) */
	long execveat_event;            /* its trace event id (-errno: none, 0: not wanted) */
	sk_probe_cb cb;
	void *cb_ctx;
	int stop;
	int one;        /* sk_probe_next: stop after one event */
	int got;
	uint64_t decode_err;
	struct sk_probe_times times;
	uint64_t load_start_boot_ns; /* CLOCK_BOOTTIME when the object load began */
	char note[512];              /* what was left out at attach time, for -v */
	struct sk_event ev;
	struct skp_decoder dec;
};

uint64_t skp_mono_ns(void);

/* probe_select.c: fills the ia32 translation map (after load). */
int skp_fill_ia32_map(struct sk_probe *p);

/* tracefs.c: the id of trace event CATEGORY:NAME, also when tracefs is
 * not mounted (-errno when there is none); attaching prog to it (a perf
 * event): NULL with a reason in err. */
long skp_trace_event_id(const char *category, const char *name);
struct bpf_link *skp_attach_trace_event(struct bpf_program *prog, long id, char *err, size_t errlen);

#endif
