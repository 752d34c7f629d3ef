/* record/record.h: the parts of saker-record: capture files with rotation, the batch pipe to the writer thread, least privilege. */
#ifndef SAKER_RECORD_RECORD_H
#define SAKER_RECORD_RECORD_H

/*
 * record/ owns saker-record: the writer thread and its batch pipe, .skr
 * capture files (rotation by size or time, the kept-file ring), dropping
 * privileges once the probe is attached, and --dump. It may call probe/
 * (loading, the ring), host/ (the /proc snapshot), fields/ and rules/ (-r:
 * what the rules can match), formats/ and formats/skr/ (the event model,
 * the writer). saker-replay --live uses the capture files and privileges.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "formats/event.h"
#include "formats/meta.h"

/* ---- capture files (record/output.c) ---- */

/* Fills m with the state to put at the start of a file (the first file gets
 * the snapshot taken before capture; later files a fresh one). */
typedef int (*rec_meta_fn)(void *ctx, struct sk_meta *m, int first);
/* Appends the current drop counters to m (SK_META_DROPS items). */
typedef void (*rec_drops_fn)(void *ctx, struct sk_meta *m);

struct rec_out_opts {
	const char *path;       /* "-" = stdout (no rotation) */
	int force;              /* overwrite existing files */
	int level;              /* zstd level (0 = writer default) */
	uint64_t rotate_bytes;  /* -C: start a new file past this size (0 = never) */
	uint64_t rotate_ns;     /* -G: start a new file after this long (0 = never) */
	unsigned keep;          /* -W: keep this many files, reusing names (0 = unlimited) */
	const struct sk_meta_host *host;
	rec_meta_fn meta;
	rec_drops_fn drops;
	void *ctx;
};

struct rec_out;

/* Opens the first file and writes its metadata. NULL with a message in err. */
struct rec_out *rec_out_open(const struct rec_out_opts *o, char *err, size_t errlen);
/* Appends one event, rotating first when due. 0 or -errno (message in rec_out_error). */
int rec_out_event(struct rec_out *out, const struct sk_event *ev);
/* Writes container records (host/containers.h) after the events so far, as
 * a metadata frame; later rotated files start with every record written so
 * far. 0 or -errno (message in rec_out_error). */
int rec_out_containers(struct rec_out *out, const struct sk_meta_container *recs, size_t n);
/* Periodic: flushes events older than the writer's interval. */
int rec_out_tick(struct rec_out *out);
/* Writes the drop counters and the footer, closes. 0 or -errno with err. */
int rec_out_close(struct rec_out *out, char *err, size_t errlen);
const char *rec_out_error(const struct rec_out *out);
uint64_t rec_out_bytes(const struct rec_out *out);   /* all files so far */
/* Writes the pending events as a chunk now (before a final rec_out_bytes:
 * the summary line counts them). 0 or -errno. */
int rec_out_flush(struct rec_out *out);
unsigned rec_out_files(const struct rec_out *out);

/* Name of file number idx for a rotating capture: path + idx, zero-padded
 * to the width of keep-1 when keep is set (tcpdump's -C/-W convention). */
void rec_out_name(char *buf, size_t cap, const char *path, unsigned idx, unsigned keep);

/* Writes a complete saker frame (a packet frame) into the current file. */
int rec_out_frame(struct rec_out *out, const uint8_t *frame, size_t len);

/* ---- packet capture (record/pcap.c): -i IFACE, a libpcap thread ---- */

#define REC_PCAP_MAX_IFACES 16

struct rec_pcap_opts {
	const char *const *ifaces;  /* -i, in order: packet interface numbers */
	size_t n_ifaces;
	uint32_t snaplen;           /* bytes kept per packet; 0 = 262144 */
	const char *filter;         /* --pcap-filter (tcpdump syntax), or NULL */
	int level;                  /* zstd level of packet frames (0 = 3) */
};

struct rec_pcap_stats {
	uint64_t packets;           /* packets handed to the writer */
	uint64_t dropped;           /* lost because the writer was behind */
	uint64_t kernel_dropped;    /* libpcap's ps_drop + ps_ifdrop */
};

struct rec_pcap;

/* Opens and activates every interface (needs CAP_NET_RAW: call before
 * privileges are dropped). NULL with one line in err. */
struct rec_pcap *rec_pcap_open(const struct rec_pcap_opts *o, char *err, size_t errlen);
/* Adds the interfaces as SK_META_CAPIF records (p may be NULL). */
int rec_pcap_meta(const struct rec_pcap *p, struct sk_meta *m);
/* Starts the capture thread. 0 or -errno. */
int rec_pcap_start(struct rec_pcap *p);
/* Stops the capture thread; its last packets wait for rec_pcap_drain. */
void rec_pcap_stop(struct rec_pcap *p);
/* Writer thread (or after the thread stopped): writes the finished frames
 * to out. 0, or the first write or capture error (p may be NULL). */
int rec_pcap_drain(struct rec_pcap *p, struct rec_out *out);
void rec_pcap_stats(struct rec_pcap *p, struct rec_pcap_stats *st);
const char *rec_pcap_error(struct rec_pcap *p);
void rec_pcap_free(struct rec_pcap *p);

/* ---- the batch pipe (record/pipe.c): ring consumer -> writer thread ---- */

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

/* ---- least privilege after attach (record/privs.c) ---- */

/* Capabilities kept when the later work re-reads other processes' /proc
 * (a fresh snapshot per rotated file): fds, environ, cwd of every user. */
#define REC_PRIVS_KEEP_PROC ((1ull << 2) | (1ull << 19)) /* CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE */

struct rec_privs_user {
	int set;
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Resolves NAME (a user name or a numeric uid) into *u before anything is
 * dropped. Returns 0 or -1 with a message in err. */
int rec_privs_lookup_user(const char *name, struct rec_privs_user *u, char *err, size_t errlen);

/* Drops every capability not in keep_mask (bits by CAP_ number) from the
 * effective, permitted, inheritable, ambient and bounding sets, switches to
 * *u when u && u->set (keeping keep_mask), and sets PR_SET_NO_NEW_PRIVS.
 * Must run before any thread is started: capabilities are per thread.
 * Returns 0 or -1 with one line in err. */
int rec_privs_drop(uint64_t keep_mask, const struct rec_privs_user *u, char *err, size_t errlen);

/* The calling thread's effective capability mask (from capget); -1 on error. */
int rec_privs_effective(uint64_t *mask);

#endif
