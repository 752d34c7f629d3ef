/* formats/skr/skr.h: the .skr capture writer and reader (format: docs/skr-format.md). */
#ifndef SAKER_FORMATS_SKR_SKR_H
#define SAKER_FORMATS_SKR_SKR_H

/*
 * formats/skr/ owns the .skr file format (docs/skr-format.md): the writer
 * and the reader with its footer index. It may call formats/ (the event
 * model) and json/, yaml/; nothing above.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"
#include "formats/packet.h"

/* Error codes returned besides -errno from the system. */
#define SKR_ECORRUPT (-EBADMSG)          /* malformed input; message names the byte offset */
#define SKR_ETRUNCATED (-ENODATA)        /* input ends inside a frame */
#define SKR_EVERSION (-EPROTONOSUPPORT)  /* newer major version */

/* ---- writer ---- */

/* Where a writer without a file puts its output: called once per frame
 * (header, metadata, batch header, event data) with the frame's bytes.
 * 0 or -errno (the writer then fails). */
typedef int (*skr_sink_fn)(void *ctx, const uint8_t *p, size_t n);

struct skr_writer_opts {
	int level;                  /* zstd level; 0 = 3 */
	uint32_t frame_events;      /* flush a chunk at this many events; 0 = 65536 */
	uint32_t frame_bytes;       /* ... or this many raw bytes; 0 = 2 MiB (max 64 MiB) */
	uint64_t flush_interval_ns; /* ... or when its first event is this old; 0 = 1 s */
	int force;                  /* overwrite an existing file (else O_EXCL) */
	const struct sk_meta_host *host; /* host info for the header; may be NULL */
	int independent;            /* no chunk uses an earlier one as its zstd dictionary
				     * (sink writers never do: their chunks are copied one by one) */
	skr_sink_fn sink;           /* skr_writer_open_sink: the frames' destination */
	void *sink_ctx;
};

/* A writer is used by one thread at a time; it compresses a chunk inline
 * in append/flush/tick, so a caller that must never stall (the ring
 * consumer) hands events to a thread that owns the writer. */
struct skr_writer;

/* Opens path ("-" = stdout) for writing: created with O_CREAT|O_EXCL|O_NOFOLLOW
 * and mode 0600 (O_TRUNC instead of O_EXCL with opts->force). NULL on error,
 * with a one-line message in err. opts may be NULL. */
struct skr_writer *skr_writer_open_path(const char *path, const struct skr_writer_opts *opts,
					char *err, size_t errlen);
/* Writes to fd (not closed by skr_writer_close); name is used in messages. */
struct skr_writer *skr_writer_open_fd(int fd, const char *name, const struct skr_writer_opts *opts,
				      char *err, size_t errlen);

/* A writer whose frames go to opts->sink instead of a file (the flight
 * recorder's ring keeps them in memory). */
struct skr_writer *skr_writer_open_sink(const char *name, const struct skr_writer_opts *opts, char *err,
					size_t errlen);
/* Copies whole frames made by another writer (metadata frames and event
 * chunks, as its sink received them; header and footer frames are skipped)
 * and indexes them. Event numbers stay those of the chunks. 0 or -errno. */
int skr_writer_copy_frames(struct skr_writer *w, const uint8_t *p, size_t n);
/* Buffers one event (its parameter bytes are copied). 0 or -errno. */
int skr_writer_append(struct skr_writer *w, const struct sk_event *ev);
/* Writes n metadata records of kind (items: an array of the matching meta.h
 * struct; n ignored for HOST/END). Pending events are flushed first so
 * readers see the records before any later event. */
int skr_writer_put_meta(struct skr_writer *w, uint32_t kind, const void *items, size_t n);
/* Writes every non-empty table of m (host included, END excluded). */
int skr_writer_put_meta_all(struct skr_writer *w, const struct sk_meta *m);
/* Compresses and writes the pending events as one chunk. */
int skr_writer_flush(struct skr_writer *w);
/* Flushes if the oldest pending event was appended flush_interval ago: call
 * it periodically when events may stop arriving. */
int skr_writer_tick(struct skr_writer *w);
/* Flushes, writes the END record (unless one was put) and the footer index,
 * frees w. Returns 0 or the first error seen, with its message in err (may
 * be NULL). */
int skr_writer_close(struct skr_writer *w, char *err, size_t errlen);
/* Frees w without writing anything more (as if the writer had been killed). */
void skr_writer_abandon(struct skr_writer *w);

const char *skr_writer_error(const struct skr_writer *w);
uint64_t skr_writer_bytes(const struct skr_writer *w);   /* written so far */
uint64_t skr_writer_events(const struct skr_writer *w);  /* appended so far */

/* Writes frame (len bytes), a complete saker frame built elsewhere (a
 * packet frame from skr_packet_encoder_finish), as is. 0 or -errno. */
int skr_writer_put_frame(struct skr_writer *w, const uint8_t *frame, size_t len);

/* ---- packet frames (docs/skr-format.md section 12) ---- */

/* Builds packet frames away from the writer (the capture thread owns one
 * and hands finished frames to the writer's thread). */
struct skr_packet_encoder;
struct skr_packet_encoder *skr_packet_encoder_new(int level);
void skr_packet_encoder_free(struct skr_packet_encoder *e);
/* Copies p into the pending frame. 0, -EINVAL (origlen < caplen) or -ENOMEM. */
int skr_packet_encoder_add(struct skr_packet_encoder *e, const struct sk_packet *p);
uint32_t skr_packet_encoder_count(const struct skr_packet_encoder *e);
size_t skr_packet_encoder_bytes(const struct skr_packet_encoder *e); /* raw, pending */
/* The pending packets as one complete saker frame in *frame, *len (valid
 * until the next call; *len 0 when nothing is pending), then empties the
 * encoder. 0 or -errno. */
int skr_packet_encoder_finish(struct skr_packet_encoder *e, const uint8_t **frame, size_t *len);

/* ---- the flight recorder's ring (ring.c, docs/flight-recorder.md) ---- */

/* Recent events kept in memory as compressed chunks, in segments that each
 * start with a state snapshot (a keyframe); whole segments are evicted,
 * oldest first, to stay within max_ns of history and max_bytes. */
struct skr_ring_opts {
	uint64_t max_ns;      /* history kept; 0 = 60 s */
	uint64_t max_bytes;   /* compressed bytes held; 0 = 256 MiB */
	uint64_t keyframe_ns; /* a new segment (snapshot) this often; 0 = 5 s */
	uint64_t flush_ns;    /* a chunk is closed when its first event is this old; 0 = 1 s */
	int level;            /* zstd level; 0 = 3 */
};

struct skr_ring_stats {
	uint64_t bytes, peak_bytes, max_bytes, max_ns;
	uint64_t events, chunks, keyframes, keyframe_bytes, evicted_segments;
	uint64_t held_chunks, windows_open;
	uint64_t oldest_ts, newest_ts;
};

struct skr_ring;
struct skr_window;

struct skr_ring *skr_ring_new(const struct skr_ring_opts *o, char *err, size_t errlen);
/* Frees the ring, closing the open windows first. */
void skr_ring_free(struct skr_ring *r);
/* 1 when the next event (at ts) should be preceded by skr_ring_keyframe. */
int skr_ring_wants_keyframe(const struct skr_ring *r, uint64_t ts);
/* Starts a segment with snapshot, the state just before the next event. */
int skr_ring_keyframe(struct skr_ring *r, const struct sk_meta *snapshot, uint64_t ts);
/* Buffers one event; its number is its position in the ring's stream
 * (from 1). Allocates nothing per event. 0 or -errno. */
int skr_ring_append(struct skr_ring *r, const struct sk_event *ev);
/* Closes the pending chunk (the open windows get it). */
int skr_ring_flush(struct skr_ring *r);
/* Call periodically: closes a chunk that waited flush_ns, and windows
 * whose end (to_ts) passed more than flush_ns before now_ts. */
int skr_ring_tick(struct skr_ring *r, uint64_t now_ts);
void skr_ring_stats(const struct skr_ring *r, struct skr_ring_stats *s);

/* What a window file became, for its done callback. */
struct skr_window_done {
	const char *path;
	uint64_t from_ts, to_ts, bytes, events;
	size_t nalerts;
	int capped;           /* stopped at max_bytes */
	int error;            /* 0 or -errno, with err */
	const char *err;
};
typedef void (*skr_window_fn)(void *ctx, const struct skr_window_done *d);

struct skr_window_opts {
	const char *path;     /* created 0600, O_EXCL, O_NOFOLLOW */
	uint64_t from_ts, to_ts;
	uint64_t max_bytes;   /* 0 = no cap */
	const struct sk_meta_host *host;
	skr_window_fn done;   /* called once when the file is closed */
	void *ctx;
};

/* Writes a file from the newest keyframe at or before from_ts (else the
 * oldest held) and keeps adding the ring's chunks until one goes past
 * to_ts. *out is the open window, or NULL when it is already done (its
 * callback ran). 0, or -errno with a message when the file cannot be
 * created. The callback may run inside any later ring call. */
int skr_ring_window_open(struct skr_ring *r, const struct skr_window_opts *o, struct skr_window **out, char *err,
			 size_t errlen);
void skr_window_extend(struct skr_window *w, uint64_t to_ts);
uint64_t skr_window_to(const struct skr_window *w);
const char *skr_window_path(const struct skr_window *w);
/* Recorded as an ALERT metadata record when the file is closed. */
int skr_window_add_alert(struct skr_window *w, const struct sk_meta_alert *a);
/* Flushes and closes every open window (end of a run). */
void skr_ring_close_windows(struct skr_ring *r);

/* ---- reader ---- */

struct skr_reader;

/* Opens path ("-" = stdin). NULL on error with a message in err (not a .skr
 * file, newer major version, unreadable header). */
struct skr_reader *skr_reader_open_path(const char *path, char *err, size_t errlen);
/* Reads from fd (not closed by skr_reader_close). prefix/prefix_len: bytes
 * already consumed from fd by a caller that sniffed the magic (may be 0). */
struct skr_reader *skr_reader_open_fd(int fd, const char *name, const uint8_t *prefix,
				      size_t prefix_len, char *err, size_t errlen);

/* Next event into *ev: 1, 0 at the end, or <0 (SKR_E* / -errno) with a
 * message from skr_reader_error(). ev's parameters point into the reader's
 * buffer and stay valid until the next call. Errors are sticky. */
int skr_reader_next(struct skr_reader *r, struct sk_event *ev);
/* Most decode worker threads a reader takes. */
#define SKR_DECODE_THREADS_MAX 8
/* Decodes frames ahead on n worker threads: they read the input,
 * decompress the event chunks and set up their columns while the caller's
 * thread takes the events (and metadata, packets, errors) out of
 * skr_reader_next exactly as without them, in order. At most a few frames
 * are held decoded ahead (the caller's, one per worker, one ready). 0 (the
 * default): every frame is decoded inside skr_reader_next. Call it before
 * the first skr_reader_next or right after a seek: 0, -EBUSY when the
 * workers already run, -EINVAL (n too large) or -ENOMEM. On a pipe,
 * skr_reader_close waits for the read a worker may be blocked in. */
int skr_reader_set_decode_threads(struct skr_reader *r, unsigned n);
/* Whether decode workers also walk a chunk's events, leaving the caller's
 * thread a copy per event. AUTO (the default): chunk by chunk, when the
 * caller did not wait for its last chunk (it is the slower side: state and
 * rules), not when it did (decoding only, converting: the worker is), so
 * the work settles where it balances the threads; ALWAYS, NEVER: for tests
 * and measurements. Events and errors are the same either way. */
enum skr_walk_ahead { SKR_WALK_AUTO, SKR_WALK_ALWAYS, SKR_WALK_NEVER };
void skr_reader_set_walk_ahead(struct skr_reader *r, enum skr_walk_ahead mode);
/* Work of the caller's done ahead on the decode workers, event by event
 * as they walk a chunk: event() runs on a worker thread with that worker's
 * own state (from worker_new(ctx) as the worker starts, released with
 * worker_free when it stops; NULL: nothing for that worker) and writes up
 * to SKR_PREP_MAX 64-bit words about ev, returning how many. The caller's
 * thread reads them with skr_reader_prep() once skr_reader_next() returned
 * the event: none for the events no worker walked (no pipe, walking left
 * to the caller). Set before the first skr_reader_next. */
#define SKR_PREP_MAX 16
struct skr_prepare {
	void *(*worker_new)(void *ctx);
	void (*worker_free)(void *w);
	uint32_t (*event)(void *w, const struct sk_event *ev, uint64_t *out);
	void *ctx;
	/* types[t] != 0: event() is called for events of type t (SK_EV__COUNT
	 * entries); NULL: for every event. Spares a call per event of the
	 * types it has nothing for. */
	const uint8_t *types;
};
void skr_reader_set_prepare(struct skr_reader *r, const struct skr_prepare *p);
/* The words prepared for the event skr_reader_next() returned last: how
 * many, at *words (valid as its parameters are). */
uint32_t skr_reader_prep(const struct skr_reader *r, const uint64_t **words);
/* The next events without copying them (the replay loop's): the rest of
 * the chunk a worker walked, or one event taken apart here, as a run
 * (formats/event.h) with the words prepared for each. Valid until the next
 * call, a seek or the close. 1 (run->n >= 1), 0 at the end, <0: error (as
 * skr_reader_next; run->n is then 0). skr_reader_prep says nothing of the
 * run's events. */
int skr_reader_next_run(struct skr_reader *r, struct sk_event_run *run);
/* Packet frames met from now on are decoded and each packet handed to fn
 * (NULL: they are skipped unread, as a reader that predates them does). */
void skr_reader_set_packet_sink(struct skr_reader *r, sk_packet_sink_fn fn, void *ctx);
/* Packets decoded so far. */
uint64_t skr_reader_packets(const struct skr_reader *r);
/* Metadata seen so far (everything before the first event after open). */
const struct sk_meta *skr_reader_meta(const struct skr_reader *r);
/* Positions the reader on the first chunk whose events may have ts >= ts
 * (docs/skr-format.md section 9); earlier events of that chunk are skipped.
 * Needs a seekable input (-ESPIPE otherwise). */
int skr_reader_seek_time(struct skr_reader *r, uint64_t ts);
/* 1 when the END record was seen (the writer closed the capture cleanly). */
int skr_reader_complete(const struct skr_reader *r);
/* Bytes of the input consumed so far (at the end: where the input ended). */
uint64_t skr_reader_offset(const struct skr_reader *r);
/* 1 when a footer index was found at open. */
int skr_reader_has_index(const struct skr_reader *r);
const char *skr_reader_error(const struct skr_reader *r);
void skr_reader_version(const struct skr_reader *r, uint16_t *major, uint16_t *minor);
void skr_reader_close(struct skr_reader *r);

/* 1 when the first bytes (at least 12) are a .skr header. */
int skr_probe(const uint8_t *head, size_t len);

#endif
