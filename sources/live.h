/* sources/live.h: the live probe as an source (for saker-replay --live). */
#ifndef SAKER_SOURCES_LIVE_H
#define SAKER_SOURCES_LIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sources/source.h"
#include "probe/probe.h"

struct source_live_opts {
	struct sk_probe_opts probe;
	const uint16_t *types;        /* event types to capture (NULL: every supported syscall) */
	size_t ntypes;
	volatile sig_atomic_t *stop;  /* next() returns 0 (end) once *stop is set; may be NULL */
};

/* Loads and attaches the probe, takes the /proc snapshot (available through
 * source_meta) and returns a source whose next() blocks until an event
 * arrives. NULL with a one-line reason in err (not root, no BTF, verifier). */
struct source *source_live_open(const struct source_live_opts *o, char *err, size_t errlen);

#endif
