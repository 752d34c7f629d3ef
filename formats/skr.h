/* formats/skr.h: the .skr capture writer and reader (format: docs/skr-format.md). */
#ifndef SAKER_FORMATS_SKR_H
#define SAKER_FORMATS_SKR_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/* Error codes returned besides -errno from the system. */
#define SKR_ECORRUPT (-EBADMSG)          /* malformed input; message names the byte offset */
#define SKR_ETRUNCATED (-ENODATA)        /* input ends inside a frame */
#define SKR_EVERSION (-EPROTONOSUPPORT)  /* newer major version */

/* ---- writer ---- */

struct skr_writer_opts {
	int level;                  /* zstd level; 0 = 3 */
	uint32_t frame_events;      /* flush a chunk at this many events; 0 = 65536 */
	uint32_t frame_bytes;       /* ... or this many raw bytes; 0 = 2 MiB (max 64 MiB) */
	uint64_t flush_interval_ns; /* ... or when its first event is this old; 0 = 1 s */
	int force;                  /* overwrite an existing file (else O_EXCL) */
	const struct sk_meta_host *host; /* host info for the header; may be NULL */
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
