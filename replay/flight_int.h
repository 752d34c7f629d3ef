/* replay/flight_int.h: the flight recorder of --live (private to replay/): capture configuration, the ring, alert windows. */
#ifndef SAKER_REPLAY_FLIGHT_INT_H
#define SAKER_REPLAY_FLIGHT_INT_H

#include <stdint.h>
#include <stdio.h>

#include "formats/event.h"
#include "formats/meta.h"
#include "replay/replay.h"

struct engine;
struct engine_opts;
struct rule_set;
struct flight;

/* From the configuration's capture section (docs/flight-recorder.md).
 * 0 with *out NULL when capture.enabled is false; 0 with the recorder;
 * -1 after printing a bad key's line. snapshot: the host at start (users,
 * groups, interfaces, containers of every keyframe). */
int flight_open(struct flight **out, const struct replay_config *c, const struct rule_set *rs,
		const struct sk_meta *snapshot);
/* Chains the recorder's alert hook in front of eo's observer. */
void flight_attach(struct flight *f, struct engine_opts *eo, struct engine *e);
/* Every event, before the engine sees it. Allocates nothing per event. */
void flight_event(struct flight *f, const struct sk_event *ev);
/* Periodically: closes chunks and finished windows (now: ns since the epoch). */
void flight_tick(struct flight *f, uint64_t now);
/* One line: ring memory, files written, drops (-v, and at the end). */
void flight_report(const struct flight *f, FILE *out);
/* Closes the open window and frees everything. */
void flight_close(struct flight *f);

/* capture.format: scap: a thread that converts each closed window X.skr
 * to X.scap (then removes X.skr), so detection never waits for it. */
struct flight_scap;
int flight_scap_start(struct flight_scap **out);
/* Queues a closed window; -EBUSY when the queue is full (the .skr stays). */
int flight_scap_push(struct flight_scap *s, const char *skr, uint64_t events, size_t nalerts);
/* Converts what is queued, joins the thread, gives the final counts and
 * frees it. */
void flight_scap_stop(struct flight_scap *s, uint64_t *converted, uint64_t *failed, uint64_t *bytes);

#endif
