/* replay/progress_int.h: the stderr progress bar of long replays (events/s, position, ETA). */
#ifndef SAKER_REPLAY_PROGRESS_INT_H
#define SAKER_REPLAY_PROGRESS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct replay_progress {
	FILE *f;
	int enabled;
	double start, last;
	uint64_t total_bytes;     /* sum of the capture file sizes, 0 = unknown */
	int fds[16];              /* the sources' file descriptors, found by path */
	size_t nfds;
	int drawn;
};

/* Enables the bar when force > 0, or when force == 0 and f is a terminal. */
void replay_progress_init(struct replay_progress *p, FILE *f, int force);
/* Registers a capture that was just opened (to learn its size and position). */
void replay_progress_add_file(struct replay_progress *p, const char *path);
/* Call often; redraws at most 10 times per second. */
void replay_progress_update(struct replay_progress *p, uint64_t events);
/* Erases the bar. */
void replay_progress_done(struct replay_progress *p);

#endif
