/* tests/helpers/skr_synth.h: writes tiny synthetic .skr captures (processes opening files) for tests. */
#ifndef SAKER_TESTS_HELPERS_SKR_SYNTH_H
#define SAKER_TESTS_HELPERS_SKR_SYNTH_H

#include <stddef.h>
#include <stdint.h>

/* One successful openat by an already running process. */
struct skr_synth_open {
	uint64_t ts;          /* ns since the epoch */
	int64_t tid;          /* also the pid; the process is seeded with comm */
	const char *comm;
	int64_t fd;
	const char *path;
};

/* Writes path (overwritten) with one process record per distinct tid and one
 * openat exit event per entry. 0, or -1 with a message in err. */
int skr_synth_opens(const char *path, const struct skr_synth_open *opens, size_t n, char *err, size_t errlen);

#endif
