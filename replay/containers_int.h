/* replay/containers_int.h: --live's container metadata lookup (replay/containers.c); private to replay/. */
#ifndef SAKER_REPLAY_CONTAINERS_INT_H
#define SAKER_REPLAY_CONTAINERS_INT_H

#include "replay/replay.h"
#include "replay/engine/engine.h"
#include "record/record.h"

struct replay_ctr;

/* Starts the lookup with the configuration's container_engines keys (NULL
 * when every engine is disabled or the thread cannot start: a message says
 * so, detection goes on without metadata). */
struct replay_ctr *replay_ctr_open(const struct replay_opts *o);
/* After each event: asks for the metadata of the event thread's container
 * the first time it is seen. Never waits. */
void replay_ctr_event(struct replay_ctr *c, struct engine *e);
/* Applies the records that arrived to the engine and writes them to out
 * (-w, may be NULL). 0, or -errno from writing. */
int replay_ctr_poll(struct replay_ctr *c, struct engine *e, struct rec_out *out);
void replay_ctr_close(struct replay_ctr *c);

#endif
