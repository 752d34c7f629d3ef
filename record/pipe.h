/* record/pipe.h: hands event batches from the ring consumer to a writer thread. */
#ifndef SAKER_RECORD_PIPE_H
#define SAKER_RECORD_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"

/* What the writer thread does with events. Both run on the writer thread;
 * a negative return is kept as the pipe's error and stops the recorder. */
struct rec_pipe_ops {
	int (*event)(void *ctx, const struct sk_event *ev);
	int (*tick)(void *ctx); /* after each batch and when idle (~200 ms) */
};

struct rec_pipe;

struct rec_pipe_stats {
	uint64_t pushed;    /* events accepted */
	uint64_t dropped;   /* events dropped: every batch buffer was full */
	uint64_t batches;   /* batches handed over */
};

/* Starts the writer thread with nbatches buffers of batch_bytes each.
 * NULL on failure (errno set). */
struct rec_pipe *rec_pipe_start(const struct rec_pipe_ops *ops, void *ctx, size_t batch_bytes,
				unsigned nbatches);
/* Copies ev into the current batch: 0, or -ENOBUFS when it had to be
 * dropped (the writer is behind and every buffer is queued), or the
 * writer's error. Never blocks. */
int rec_pipe_push(struct rec_pipe *p, const struct sk_event *ev);
/* Hands the current partial batch to the writer (call about once a second). */
void rec_pipe_flush(struct rec_pipe *p);
/* The writer's first error (negative), or 0. */
int rec_pipe_error(struct rec_pipe *p);
void rec_pipe_stats(struct rec_pipe *p, struct rec_pipe_stats *out);
/* Flushes, lets the writer drain everything, joins it and frees p.
 * Returns the writer's first error or 0. */
int rec_pipe_stop(struct rec_pipe *p, struct rec_pipe_stats *out);

#endif
