/* formats/scap/scap.h: legacy .scap capture reader and sysdig-0.29-compatible writer. */
#ifndef SAKER_FORMATS_SCAP_SCAP_H
#define SAKER_FORMATS_SCAP_SCAP_H

/*
 * formats/scap/ owns the legacy .scap format (scap.md): the reader of every
 * block version, plain or gzip, and a writer sysdig 0.29 reads. It may call
 * formats/ (the event model) and json/, yaml/; nothing above.
 */

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/* ---- reader ---- */

struct scap_reader;

struct scap_read_opts {
	/* Deliver syscall enter events too (--legacy-enter-events). Exits are
	 * merged with their enter either way. */
	int deliver_enter;
};

struct scap_stats {
	uint64_t blocks;          /* every block walked */
	uint64_t event_blocks;    /* event blocks seen, numbered or not */
	uint64_t numbered;        /* events that consumed an evt.num */
	uint64_t skipped_unknown; /* codes beyond libs' table: no number */
	uint64_t delivered;
	uint32_t sections;
	uint32_t pl_threads, fdl_blocks, ul_users, ul_groups, il_ifaces;
	uint64_t first_ts, last_ts;  /* over numbered events with ts != 0 */
};

/* Opens a .scap file (plain or gzip). On error returns a negative errno and
 * writes a one-line message naming the file and byte offset into err. */
int scap_open(const char *path, const struct scap_read_opts *opts,
	      struct scap_reader **out, char *err, size_t errlen);
/* Same over a memory image (copied); name is used in messages. */
int scap_open_mem(const void *data, size_t len, const char *name,
		  const struct scap_read_opts *opts, struct scap_reader **out,
		  char *err, size_t errlen);
/* Next event: 1 and *ev filled (parameters valid until the next call),
 * 0 at the clean end, or a negative errno with scap_error() set (e.g.
 * "F: truncated at byte N" after every complete event was returned). */
int scap_next(struct scap_reader *r, struct sk_event *ev);
const char *scap_error(const struct scap_reader *r);
/* Metadata of every section read so far (machine, interfaces, users,
 * process and fd snapshots; container JSON events are added as read). */
const struct sk_meta *scap_meta(const struct scap_reader *r);
const struct scap_stats *scap_get_stats(const struct scap_reader *r);
void scap_close(struct scap_reader *r);

/* ".scap" magic test on the first bytes of a file (gzip or SHB). */
int scap_probe(const uint8_t *head, size_t len);

/* ---- writer ---- */

struct scap_writer;

struct scap_write_opts {
	/* Write an enter event before every syscall exit (sysdig 0.29 reads
	 * fds and exec filenames from enters), except the child's return from
	 * a clone (scap_exit_gets_enter). Off when the source already delivers
	 * its enter events. */
	int synth_enter;
};

struct scap_write_stats {
	uint64_t events;   /* event blocks written (synthesised enters included) */
	uint64_t skipped;  /* events 0.29 cannot express */
};

int scap_writer_open(const char *path, const struct sk_meta *meta,
		     const struct scap_write_opts *opts, struct scap_writer **out,
		     char *err, size_t errlen);
/* The same on an open descriptor, which the writer then owns (closed by
 * scap_writer_close, and on failure here). name is used in messages. */
int scap_writer_open_fd(int fd, const char *name, const struct sk_meta *meta,
			const struct scap_write_opts *opts, struct scap_writer **out, char *err,
			size_t errlen);
int scap_writer_write(struct scap_writer *w, const struct sk_event *ev);
/* Whether synth_enter writes an enter before the exit ev: every exit but
 * the child's return (res 0) from clone, clone3, fork and vfork, which the
 * child never entered. */
int scap_exit_gets_enter(const struct sk_event *ev);
const struct scap_write_stats *scap_writer_stats(const struct scap_writer *w);
/* Flushes and closes; returns 0 or a negative errno. Frees w either way. */
int scap_writer_close(struct scap_writer *w);

#endif
