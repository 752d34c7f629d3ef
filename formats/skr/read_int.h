/* formats/skr/read_int.h: the .skr reader's state shared by read.c (frames), read_event.c (chunks, events) and read_index.c (footer, seeking). */
#ifndef SAKER_FORMATS_SKR_READ_INT_H
#define SAKER_FORMATS_SKR_READ_INT_H

#include <stddef.h>
#include <stdint.h>

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_d_forceIgnoreChecksum */
#endif
#include <zstd.h>

#include "formats/skr/skr.h"
#include "formats/skr/wire.h"

/* Decoded frames a pipeline holds at least (read_pipe.c). */
#define SKR_PIPE_SLOTS 3

struct index_entry {
	uint64_t offset, min_ts, max_ts;
	uint32_t kind;
};

/* A batch header body, decoded and checked. */
struct batch {
	uint32_t nevents, raw_len, zlen, nstreams;
	uint64_t first_num, base_ts, min_ts, max_ts;
	uint32_t stream_len[SKR_NSTREAMS_CODED];
	uint32_t chunk_flags;   /* 2.2: SKR_CHUNK_KEY */
	uint64_t dict_off;      /* 2.2: the key chunk that is this one's dictionary, 0 for none */
};

/* A frame read and checked by skr_read_frame_fetch, its bytes still in the
 * input buffer (or, in the decode pipeline, in a slot's copy). */
struct frame {
	uint64_t off;           /* its first byte in the input */
	uint32_t tag;           /* SKR_TAG_* */
	const uint8_t *body;    /* other than batches: the body after tag and CRC */
	size_t blen;
	size_t consume;         /* its bytes still to consume from the input */
	struct batch bt;        /* SKR_TAG_BATCH: the header (already consumed) */
	const uint8_t *z;       /* ... and its zstd frame, bt.zlen bytes */
};

/* A shape of the current chunk: its lengths are in the reader's pool. */
struct rshape {
	uint32_t pool_off;
	uint16_t type;
	uint8_t np;
};

struct skr_reader {
	int fd;
	int own_fd;
	char name[256];
	char err[640];
	int status;             /* 0 reading, 1 ended, <0 sticky error */
	int seekable;
	int complete;
	uint16_t vmajor, vminor;
	uint64_t data_start;    /* first frame after the header */

	/* Buffered input: in[in_pos] is the byte at offset in_off. */
	uint8_t *in;
	size_t in_cap, in_pos, in_len;
	uint64_t in_off;
	int in_eof;

	ZSTD_DCtx *dctx;
	struct skr_buf raw;     /* decompressed event chunk */
	struct skr_buf mraw;    /* decompressed metadata payload */
	struct skr_buf tmp;     /* frames read with pread */
	struct skr_buf praw;    /* decompressed packet frame */
	sk_packet_sink_fn psink; /* packets go here (NULL: packet frames are skipped) */
	void *psink_ctx;
	uint64_t npackets;      /* packets decoded so far */
	int opening;            /* in open(): stop at a packet frame or an event chunk (skr_read_frame returns 3) */
	struct sk_meta *meta;
	uint64_t meta_hw;       /* every metadata frame before this offset is loaded */

	/* Current chunk. With decode threads, chunks are loaded and decoded in
	 * a pipeline slot's own struct skr_reader (read_pipe.c), made by
	 * shadow_reader(): whatever else of the reader a chunk's decoding reads
	 * (the version, the stream count, the name for messages) is copied
	 * there, and new such state must be too. */
	uint32_t nstreams;      /* streams this version defines */
	int coded;              /* 2.2 coded chunks (header flag SKR_FLAG_CODED) */
	const uint8_t *cur[SKR_NSTREAMS_CODED], *end[SKR_NSTREAMS_CODED];
	int64_t prev_tid;       /* 1.0 chunks: tids are deltas */
	uint32_t left, nevents;
	uint64_t chunk_off;
	uint64_t prev_ts, num;
	struct rshape *shapes;
	uint32_t cur_shape;     /* the shape of the event decode_event read last */
	uint32_t *shape_count;   /* events per shape in the chunk */
	uint32_t nshapes, cap_shapes;
	uint32_t *pool;          /* parameter lengths of the shapes */
	uint32_t *colof;         /* per pool entry: its FIXED column */
	const uint8_t **colcur;  /* per column: its next value */
	uint32_t *col_n;         /* per column: values */
	uint8_t *col_w;          /* per column: value length */
	struct skr_colmap colmap; /* coded chunks: columns by (type, index, length) */
	size_t pool_len, cap_pool;
	struct sk_param *lits;  /* big literals of the chunk, by number - 1 */
	uint32_t nlits, cap_lits;
	struct skr_buf cols;    /* the FIXED stream's columns joined back from planar form */
	struct skr_buf key;     /* the content of the last key chunk decoded... */
	uint64_t key_off;       /* ...at this offset (0: none) */
	struct skr_buf ktmp;    /* a key chunk read with pread (not tmp: seeking and
				 * metadata use that; pipeline workers lend their own) */
	uint64_t *tsv;          /* coded chunks: every event's timestamp */
	uint32_t cap_tsv;
	int skip_pending, skip_active;
	uint64_t skip_ts;
	/* A pipeline slot's chunk taken apart by its worker (read_pipe.c):
	 * events pre_i .. pre_n still to be handed out, as records from
	 * pre_rec + pre_at on (sk_event_rec_size), then pre_rc (the error that
	 * stopped the walk, or 0). pre_n is 0 on a reader that walks its
	 * chunk itself. */
	uint8_t *pre_rec;           /* cap_pre_rec + sizeof(struct sk_event) bytes */
	size_t cap_pre_rec, pre_at;
	uint16_t *pre_nprep;        /* per event: the words prepared for it */
	uint32_t pre_i, pre_n, cap_pre;
	uint64_t *pre_prep;      /* the words prepared for them (skr_prepare), in order */
	size_t n_pre_prep, cap_pre_prep, prep_i;
	size_t cur_prep_at;       /* those of the event handed out last, at pre_prep + this... */
	uint32_t cur_nprep;       /* ...and how many */
	/* the event skr_reader_next_run hands out alone when none was walked
	 * (the reader's own: a pipeline slot's is unused), and its words' count */
	struct sk_event own;
	uint16_t own_nprep;
	int pre_rc;

	/* Frames decoded ahead on worker threads (read_pipe.c); NULL: none.
	 * chunk is the reader whose chunk fields hold the current chunk: this
	 * one, or the pipeline slot that decoded it. */
	struct skr_pipe *pipe;
	struct skr_reader *chunk;
	enum skr_walk_ahead walk; /* skr_reader_set_walk_ahead, for the pipe */
	struct skr_prepare prepare; /* skr_reader_set_prepare (event NULL: none) */

	struct index_entry *index;
	size_t n_index;
	int has_index;
	uint64_t index_end;     /* offset of the footer */
};

/* read.c: errors (sticky; the message names the file and the byte). */
int skr_read_fail(struct skr_reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int skr_read_corrupt(struct skr_reader *r, uint64_t off, const char *what);
/* read.c: a saker frame's tag once its CRC checks, else 0. */
uint32_t skr_read_frame_tag(const uint8_t *content, uint32_t size);
/* read.c: decodes a metadata frame's body into r->meta. */
int skr_read_meta_frame(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen);
/* read.c: decodes and checks a batch header body. */
int skr_read_batch_header(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen, struct batch *bt);
/* read.c: reads and checks the next frame (a batch's header is consumed and
 * its zstd frame buffered) into *f. 1, 0 at the end, <0: error (sticky). */
int skr_read_frame_fetch(struct skr_reader *r, struct frame *f);
/* read.c: consumes n bytes of the input (the rest of a fetched frame). */
void skr_read_consume(struct skr_reader *r, size_t n);
/* read.c: acts on a fetched frame other than a batch (metadata, packets,
 * footer, unknown tags), as skr_read_frame does. */
int skr_read_frame_apply(struct skr_reader *r, const struct frame *f);
/* read.c: the next frame. 1: a chunk is loaded; 2: something else was
 * handled; 0: the end; <0: error (sticky). */
int skr_read_frame(struct skr_reader *r);
/* packets.c: decodes a packet frame's body, handing each packet to r->psink. */
int skr_read_packet_frame(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen);
/* read_event.c: decompresses the chunk z of batch bt and prepares its streams. */
int skr_read_load_chunk(struct skr_reader *r, uint64_t off, const struct batch *bt, const uint8_t *z);
/* An event of a chunk walked ahead is a record of a struct sk_event_run
 * (formats/event.h): the caller's thread takes the events where they lie,
 * without copying them. Each parameter points into the chunk's raw bytes
 * or its joined FIXED columns (which stay put while the chunk is handed
 * out), or, for a FIXED value of up to 8 bytes, at its copy among the
 * record's 8 bytes per parameter: they spare the caller's thread reading
 * the columns, which the worker wrote on another core, a column per
 * parameter kind, each a cache miss every few events. */
/* read_event.c, on a pipeline worker: walks every event of the chunk just
 * loaded into r->pre_rec, so that the caller's thread only takes them,
 * and with prep (w: the worker's state) prepares each. Stops at the first
 * bad event (r->pre_rc; r->err says it). 0, or -ENOMEM (nothing walked:
 * the caller's thread walks the chunk as usual). */
int skr_read_predecode(struct skr_reader *r, const struct skr_prepare *prep, void *w);
/* read_index.c: decompresses the key chunk at off (a seekable file's, read
 * with pread into r->ktmp) into r->key: the dictionary of a chunk reached by
 * seeking. Errors name user_off, the chunk that needs it. */
int skr_read_key_chunk(struct skr_reader *r, uint64_t off, uint64_t user_off);
/* read_index.c: decompresses the key chunk at off, its checked header bt and
 * zstd frame z, into r->key. Errors name user_off. */
int skr_read_key_from(struct skr_reader *r, uint64_t off, const struct batch *bt, const uint8_t *z,
		      uint64_t user_off);
/* read_pipe.c: the next frame from the decode pipeline (started on first
 * use): as skr_read_frame, a chunk being r->chunk. */
int skr_pipe_frame(struct skr_reader *r);
/* read_pipe.c: copies the error another reader met (a worker's input, a
 * pipeline slot's chunk) into r, sticky. Returns rc. */
int skr_pipe_fail(struct skr_reader *r, const struct skr_reader *from, int rc);
/* read_pipe.c: stops the workers and drops the frames decoded ahead (before
 * a seek); the next skr_pipe_frame restarts them at r's input offset. */
void skr_pipe_stop(struct skr_reader *r);
/* read_pipe.c: stops the workers and frees the pipeline. */
void skr_pipe_free(struct skr_reader *r);
/* read_index.c: loads the footer index of a seekable file (quietly absent when damaged). */
void skr_read_footer(struct skr_reader *r, uint64_t file_size);

#endif
