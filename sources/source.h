/* sources/source.h: one event-source interface over every capture format (and live sources). */
#ifndef SAKER_SOURCES_SOURCE_H
#define SAKER_SOURCES_SOURCE_H

/*
 * sources/ owns where events come from: one interface (this header) and one
 * file per source: .skr (skr.c), .scap (scap.c), the live probe (live.c),
 * Kubernetes audit logs (k8saudit_file.c) and the audit webhook
 * (k8saudit_listen.c, k8saudit.h). A new source (pcap) is one more file
 * here and, for a file format, one line in source.c's table. It may call
 * formats/ and its subdirectories, probe/, host/, json/.
 */

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"
#include "formats/packet.h"
#include "formats/skr/skr.h"

/*
 * A source yields events (formats/event.h) and the capture metadata
 * (formats/meta.h), whatever it reads: a .skr file, a .scap file, or a live
 * ring buffer. Consumers only see struct source.
 *
 * Adding a file format: implement struct source_format (probe + open +
 * ops) and list it in the formats[] table of sources/source.c.
 */

/* What an opened format implementation provides; impl is its handle. */
struct source_ops {
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
	/* Optional (live sources): next, waiting at most timeout_ms for an
	 * event; -EAGAIN when none came. */
	int (*next_timeout)(void *impl, struct sk_event *ev, int timeout_ms);
	/* Optional: the next events as a run, without copying them, with the
	 * words prepared for each (source_opts.prepare); run->n >= 1 when it
	 * returns 1. Without it a source prepares nothing. */
	int (*next_run)(void *impl, struct sk_event_run *run);
};

/* Options every format may honour. */
struct source_opts {
	int deliver_enter;  /* .scap: deliver enter events too (--legacy-enter-events) */
	/* Problems that do not stop the input (a line of an audit log that is
	 * not audit data: skipped and counted), one line each naming the file
	 * and the line; NULL: printed on stderr. */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	size_t k8saudit_max_event; /* audit events larger than this are skipped (0: 262144, maxEventSize) */
	/* Captured packets (a .skr's packet frames, a .pcap/.pcapng file): each
	 * goes to packet(packet_ctx, ...) as the source reads it; NULL: skipped. */
	sk_packet_sink_fn packet;
	void *packet_ctx;
	/* .skr: worker threads decoding frames ahead of the events
	 * (skr_reader_set_decode_threads; saker-replay --decode-threads N) when
	 * decode_threads_set; else automatic: one when the process may run on
	 * 2 CPUs or more and the input is a regular file of at least
	 * SOURCE_DECODE_AUTO_MIN bytes (a thread does not pay for a few
	 * frames), none otherwise. */
	int decode_threads_set;
	unsigned decode_threads;
	/* .skr: work on each event done by the decode workers as they take a
	 * chunk apart (skr_reader_set_prepare), read back with
	 * source_next_run(); NULL: none. */
	const struct skr_prepare *prepare;
};

#define SOURCE_DECODE_AUTO_MIN (1u << 20)

struct source_format {
	const char *name;   /* "skr", "scap" */
	size_t probe_len;   /* bytes probe() needs (at most SOURCE_PROBE_MAX) */
	/* 1 when head (len bytes, fewer than probe_len only for short inputs)
	 * starts a file of this format. */
	int (*probe)(const uint8_t *head, size_t len);
	/* Opens fd. head/len are the bytes already consumed from fd while
	 * sniffing: fd is positioned right after them (pipes cannot go back; on
	 * a regular file a format may lseek to 0 and re-read them). Returns the
	 * handle, or NULL with a one-line message in err. */
	void *(*open)(int fd, const char *name, const uint8_t *head, size_t len,
		      const struct source_opts *opts, char *err, size_t errlen);
	const struct source_ops *ops;
};

#define SOURCE_PROBE_MAX 64
/* A gzip input's head is read this far, so a probe can inflate enough of it
 * to see what it holds (.scap or audit JSON). */
#define SOURCE_PROBE_GZIP 4096

struct source;

/* Opens path ("-" = stdin), picking the format by its first bytes. NULL on
 * error with a one-line message naming the file in err. */
struct source *source_open(const char *path, char *err, size_t errlen);
/* The same with options (NULL = defaults). */
struct source *source_open_opts(const char *path, const struct source_opts *opts, char *err,
				size_t errlen);
/* Wraps an already opened implementation (e.g. the live probe consumer);
 * source_close() calls ops->close(impl). NULL when out of memory. */
struct source *source_wrap(const struct source_ops *ops, void *impl, const char *format);

int source_next(struct source *s, struct sk_event *ev);
/* Live sources: waits at most timeout_ms, -EAGAIN when no event came; other
 * sources: source_next. */
int source_next_timeout(struct source *s, struct sk_event *ev, int timeout_ms);
/* The source's metadata: one object for the source's life, which grows as
 * the capture is read (its `changes` tell a caller when to look again). */
const struct sk_meta *source_meta(struct source *s);
/* -ENOTSUP when the source cannot seek. */
int source_seek_time(struct source *s, uint64_t ts);
const char *source_error(struct source *s);
/* The next events without copying them: a run (formats/event.h,
 * sk_event_run_next takes them one by one), valid until the next call on
 * s, with the words source_opts.prepare wrote for each (none for a format
 * without decode workers). A source without runs gives runs of one event.
 * 1 (run->n >= 1), 0 at the end, <0: error (run->n is then 0). The replay
 * loop's. */
int source_next_run(struct source *s, struct sk_event_run *run);
/* "skr", "scap", "live", ... */
const char *source_format_name(const struct source *s);
void source_close(struct source *s);

/* The .skr format entry (sources/skr.c). */
extern const struct source_format source_format_skr;
/* The .scap format entry, plain or gzip (sources/scap.c). */
extern const struct source_format source_format_scap;
/* Packets of a .pcap or .pcapng file, read with libpcap, no events (sources/pcap.c). */
extern const struct source_format source_format_pcap;
/* Kubernetes audit events as JSON lines, plain or gzip (sources/k8saudit_file.c). */
extern const struct source_format source_format_k8saudit;

#endif
