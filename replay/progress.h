/* replay/progress.h: the stderr progress bar of long replays (events/s, position, ETA). */
#ifndef SAKER_REPLAY_PROGRESS_H
#define SAKER_REPLAY_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct sk_progress {
	FILE *f;
	int enabled;
	double start, last;
	uint64_t total_bytes;     /* sum of the capture file sizes, 0 = unknown */
	int fds[16];              /* the sources' file descriptors, found by path */
	size_t nfds;
	int drawn;
};

/* Enables the bar when force > 0, or when force == 0 and f is a terminal. */
void sk_progress_init(struct sk_progress *p, FILE *f, int force);
/* Registers a capture that was just opened (to learn its size and position). */
void sk_progress_add_file(struct sk_progress *p, const char *path);
/* Call often; redraws at most 10 times per second. */
void sk_progress_update(struct sk_progress *p, uint64_t events);
/* Erases the bar. */
void sk_progress_done(struct sk_progress *p);

#endif
