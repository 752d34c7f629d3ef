/* formats/source.h: one event-source interface over every capture format (and live sources). */
#ifndef SAKER_FORMATS_SOURCE_H
#define SAKER_FORMATS_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/*
 * A source yields events (formats/event.h) and the capture metadata
 * (formats/meta.h), whatever it reads: a .skr file, a .scap file, or a live
 * ring buffer. Consumers only see struct sk_source.
 *
 * Adding a file format: implement struct sk_source_format (probe + open +
 * ops) and list it in the formats[] table of formats/source.c.
 */

/* What an opened format implementation provides; impl is its handle. */
struct sk_source_ops {
	/* 1 = an event in *ev (valid until the next call), 0 = end, <0 = error. */
	int (*next)(void *impl, struct sk_event *ev);
	/* Metadata seen so far (never NULL). */
	const struct sk_meta *(*meta)(void *impl);
	/* Optional (NULL: not supported): position on the first events at or
	 * after ts. */
	int (*seek_time)(void *impl, uint64_t ts);
	/* One-line message naming the file and position of the last error. */
	const char *(*error)(void *impl);
	/* Frees impl; must not close the fd it was opened on. */
	void (*close)(void *impl);
};

/* Options every format may honour. */
struct sk_source_opts {
	int deliver_enter;  /* .scap: deliver enter events too (--legacy-enter-events) */
};

struct sk_source_format {
	const char *name;   /* "skr", "scap" */
	size_t probe_len;   /* bytes probe() needs (at most SK_SOURCE_PROBE_MAX) */
	/* 1 when head (len bytes, fewer than probe_len only for short inputs)
	 * starts a file of this format. */
	int (*probe)(const uint8_t *head, size_t len);
	/* Opens fd. head/len are the bytes already consumed from fd while
	 * sniffing: fd is positioned right after them (pipes cannot go back; on
	 * a regular file a format may lseek to 0 and re-read them). Returns the
	 * handle, or NULL with a one-line message in err. */
	void *(*open)(int fd, const char *name, const uint8_t *head, size_t len,
		      const struct sk_source_opts *opts, char *err, size_t errlen);
	const struct sk_source_ops *ops;
};

#define SK_SOURCE_PROBE_MAX 64

struct sk_source;

/* Opens path ("-" = stdin), picking the format by its first bytes. NULL on
 * error with a one-line message naming the file in err. */
struct sk_source *sk_source_open(const char *path, char *err, size_t errlen);
/* The same with options (NULL = defaults). */
struct sk_source *sk_source_open_opts(const char *path, const struct sk_source_opts *opts, char *err,
				      size_t errlen);
/* Wraps an already opened implementation (e.g. the live probe consumer);
 * sk_source_close() calls ops->close(impl). NULL when out of memory. */
struct sk_source *sk_source_wrap(const struct sk_source_ops *ops, void *impl, const char *format);

int sk_source_next(struct sk_source *s, struct sk_event *ev);
const struct sk_meta *sk_source_meta(struct sk_source *s);
/* -ENOTSUP when the source cannot seek. */
int sk_source_seek_time(struct sk_source *s, uint64_t ts);
const char *sk_source_error(struct sk_source *s);
/* "skr", "scap", "live", ... */
const char *sk_source_format_name(const struct sk_source *s);
void sk_source_close(struct sk_source *s);

/* The .skr format entry (formats/source_skr.c). */
extern const struct sk_source_format sk_source_format_skr;
/* The .scap format entry, plain or gzip (formats/source_scap.c). */
extern const struct sk_source_format sk_source_format_scap;

#endif
