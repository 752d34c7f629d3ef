/* formats/skr_read.c: the .skr reader: sequential frame parsing, zero-copy event decoding, footer index, seeking. */
#include "formats/skr.h"
#include "formats/skr_wire.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_d_forceIgnoreChecksum */
#endif
#include <zstd.h>

#define IN_CHUNK (256u << 10)

struct index_entry {
	uint64_t offset, min_ts, max_ts;
	uint32_t kind;
};

/* A batch header body, decoded and checked. */
struct batch {
	uint32_t nevents, raw_len, zlen, nstreams;
	uint64_t first_num, base_ts, min_ts, max_ts;
	uint32_t stream_len[SKR_NSTREAMS];
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
	struct sk_meta *meta;
	uint64_t meta_hw;       /* every metadata frame before this offset is loaded */

	/* Current chunk. */
	uint32_t nstreams;      /* streams this version defines */
	const uint8_t *cur[SKR_NSTREAMS], *end[SKR_NSTREAMS];
	int64_t prev_tid;       /* 1.0 chunks: tids are deltas */
	uint32_t left, nevents;
	uint64_t chunk_off;
	uint64_t prev_ts, num;
	struct rshape *shapes;
	uint32_t *shape_count;   /* events per shape in the chunk */
	uint32_t nshapes, cap_shapes;
	uint32_t *pool;          /* parameter lengths of the shapes */
	const uint8_t **colcur;  /* per pool entry: next value of its column */
	size_t pool_len, cap_pool;
	struct sk_param *lits;  /* big literals of the chunk, by number - 1 */
	uint32_t nlits, cap_lits;
	struct skr_buf cols;    /* the FIXED stream's columns joined back from planar form */
	int skip_pending, skip_active;
	uint64_t skip_ts;

	struct index_entry *index;
	size_t n_index;
	int has_index;
	uint64_t index_end;     /* offset of the footer */
};

static int set_error(struct skr_reader *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(struct skr_reader *r, int rc, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->status = rc;
	return rc;
}

static int corrupt(struct skr_reader *r, uint64_t off, const char *what)
{
	return set_error(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": %s", off, what);
}

/* Buffers n bytes at in_pos when the input has them. Returns how many are
 * buffered (fewer than n only at the end of the input) or -errno. */
static ssize_t in_fill(struct skr_reader *r, size_t n)
{
	size_t avail = r->in_len - r->in_pos;
	if (avail >= n || r->in_eof)
		return (ssize_t)(avail < n ? avail : n);
	if (r->in_cap - r->in_pos < n || r->in_pos > r->in_cap / 2) {
		memmove(r->in, r->in + r->in_pos, avail);
		r->in_len = avail;
		r->in_pos = 0;
	}
	if (r->in_cap < n) {
		size_t cap = r->in_cap ? r->in_cap : IN_CHUNK;
		while (cap < n)
			cap *= 2;
		uint8_t *p = realloc(r->in, cap);
		if (!p)
			return -ENOMEM;
		r->in = p;
		r->in_cap = cap;
	}
	while (r->in_len - r->in_pos < n) {
		ssize_t k = read(r->fd, r->in + r->in_len, r->in_cap - r->in_len);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0) {
			r->in_eof = 1;
			break;
		}
		r->in_len += (size_t)k;
	}
	avail = r->in_len - r->in_pos;
	return (ssize_t)(avail < n ? avail : n);
}

static void in_consume(struct skr_reader *r, size_t n)
{
	r->in_pos += n;
	r->in_off += n;
}

static int truncated(struct skr_reader *r, uint64_t frame_off, size_t avail)
{
	return set_error(r, SKR_ETRUNCATED,
			 "truncated at byte %" PRIu64 " (the frame at byte %" PRIu64 " is incomplete)",
			 r->in_off + avail, frame_off);
}

static int io_error(struct skr_reader *r, ssize_t rc)
{
	return set_error(r, (int)rc, "read failed at byte %" PRIu64 ": %s", r->in_off,
			 strerror((int)-rc));
}

/* Checks the CRC of a saker frame's content; returns its tag or 0 when bad. */
static uint32_t frame_tag(const uint8_t *content, uint32_t size)
{
	if (size < 8)
		return 0;
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	/* Fuzz builds skip it so mutations reach the decoders behind it. */
	if (skr_get_u32(content + 4) != skr_frame_crc(content, size))
		return 0;
#endif
	return skr_get_u32(content);
}

static int handle_meta(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen)
{
	if (blen < 16)
		return corrupt(r, off, "metadata frame too short");
	uint32_t kind = skr_get_u32(b), count = skr_get_u32(b + 4), raw_len = skr_get_u32(b + 8);
	uint8_t comp = b[12];
	const uint8_t *pay = b + 16;
	size_t plen = blen - 16;
	if (raw_len > SKR_MAX_META_RAW)
		return corrupt(r, off, "metadata size too large");
	if (kind == 0 || kind >= SK_META__COUNT)
		return 0; /* a later minor version's kind */
	if (comp == 1) {
		r->mraw.len = 0;
		if (skr_buf_reserve(&r->mraw, raw_len + 1))
			return set_error(r, -ENOMEM, "out of memory");
		size_t got = ZSTD_decompressDCtx(r->dctx, r->mraw.p, raw_len, pay, plen);
		if (ZSTD_isError(got) || got != raw_len)
			return corrupt(r, off, "metadata payload does not decompress to its size");
		pay = r->mraw.p;
		plen = raw_len;
	} else if (comp != 0 || plen != raw_len) {
		return corrupt(r, off, "bad metadata compression or size");
	}
	char why[256];
	int rc = skr_meta_decode_records(r->meta, kind, pay, plen, count, why, sizeof(why));
	if (rc == -ENOMEM)
		return set_error(r, rc, "out of memory");
	if (rc)
		return corrupt(r, off, why);
	if (kind == SK_META_END)
		r->complete = 1;
	return 0;
}

static int parse_batch(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen,
		       struct batch *bt)
{
	if (blen < SKR_BATCH_FIXED)
		return corrupt(r, off, "batch header too short");
	bt->nevents = skr_get_u32(b);
	bt->raw_len = skr_get_u32(b + 4);
	bt->zlen = skr_get_u32(b + 8);
	bt->nstreams = skr_get_u32(b + 12);
	bt->first_num = skr_get_u64(b + 16);
	bt->base_ts = skr_get_u64(b + 24);
	bt->min_ts = skr_get_u64(b + 32);
	bt->max_ts = skr_get_u64(b + 40);
	if (bt->nstreams < r->nstreams || bt->nstreams > 1024 ||
	    blen < SKR_BATCH_FIXED + 4 * (size_t)bt->nstreams)
		return corrupt(r, off, "bad stream count");
	if (bt->nevents == 0 || bt->raw_len > SKR_MAX_RAW || bt->zlen < 9 ||
	    bt->zlen > ZSTD_compressBound(bt->raw_len) || bt->min_ts > bt->max_ts)
		return corrupt(r, off, "bad batch sizes");
	uint64_t sum = 0;
	for (uint32_t i = 0; i < bt->nstreams; i++) {
		uint32_t len = skr_get_u32(b + SKR_BATCH_FIXED + 4 * i);
		if (i < SKR_NSTREAMS)
			bt->stream_len[i] = len;
		sum += len;
	}
	if (sum != bt->raw_len)
		return corrupt(r, off, "stream lengths do not add up to the chunk size");
	return 0;
}

static int scan_shapes(struct skr_reader *r);
static int setup_columns(struct skr_reader *r);

static int load_chunk(struct skr_reader *r, uint64_t off, const struct batch *bt,
		      const uint8_t *z)
{
	if (ZSTD_findFrameCompressedSize(z, bt->zlen) != bt->zlen)
		return corrupt(r, off, "zstd frame size differs from the batch header");
	r->raw.len = 0;
	if (skr_buf_reserve(&r->raw, bt->raw_len + 1))
		return set_error(r, -ENOMEM, "out of memory");
	size_t got = ZSTD_decompressDCtx(r->dctx, r->raw.p, bt->raw_len, z, bt->zlen);
	if (ZSTD_isError(got))
		return set_error(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": zstd: %s", off,
				 ZSTD_getErrorName(got));
	if (got != bt->raw_len)
		return corrupt(r, off, "event chunk decompresses to the wrong size");
	const uint8_t *p = r->raw.p;
	for (uint32_t i = 0; i < r->nstreams; i++) {
		r->cur[i] = p;
		p += bt->stream_len[i];
		r->end[i] = p;
	}
	r->left = r->nevents = bt->nevents;
	r->chunk_off = off;
	r->nlits = 0;
	r->prev_tid = 0;
	if (r->vmajor >= 2) {
		int rc = scan_shapes(r);
		if (rc)
			return rc;
		rc = setup_columns(r);
		if (rc)
			return rc;
	}
	r->prev_ts = bt->base_ts;
	r->num = bt->first_num;
	r->skip_active = r->skip_pending;
	r->skip_pending = 0;
	return 0;
}

/* Reads the next frame. 1: a chunk is loaded; 2: something else was handled;
 * 0: the end; <0: error (sticky). */
static int read_frame(struct skr_reader *r)
{
	uint64_t off = r->in_off;
	ssize_t n = in_fill(r, 8);
	if (n < 0)
		return io_error(r, n);
	if (n == 0) {
		r->status = 1;
		return 0;
	}
	if (n < 8)
		return truncated(r, off, (size_t)n);
	const uint8_t *h = r->in + r->in_pos;
	uint32_t magic = skr_get_u32(h), size = skr_get_u32(h + 4);
	if (magic == SKR_ZSTD_MAGIC)
		return corrupt(r, off, "zstd frame without a batch header");
	/* Other skippable magics are refused too: in a saker file they can only
	 * come from a damaged byte, and skipping them would hide the damage. */
	if (magic != SKR_SKIPPABLE_MAGIC)
		return corrupt(r, off, "bad frame magic");
	if (size > SKR_MAX_FRAME || size < 8)
		return corrupt(r, off, "bad frame size");
	n = in_fill(r, 8 + (size_t)size);
	if (n < 0)
		return io_error(r, n);
	if ((size_t)n < 8 + (size_t)size)
		return truncated(r, off, (size_t)n);
	const uint8_t *c = r->in + r->in_pos + 8;
	uint32_t tag = frame_tag(c, size);
	const uint8_t *body = c + 8;
	size_t blen = size - 8;
	uint64_t frame_end = off + 8 + size;
	int rc = 0;
	if (tag == 0)
		return corrupt(r, off, "CRC mismatch");
	if (tag == SKR_TAG_META) {
		if (off >= r->meta_hw) {
			rc = handle_meta(r, off, body, blen);
			r->meta_hw = frame_end;
		}
		in_consume(r, 8 + (size_t)size);
		return rc ? rc : 2;
	}
	if (tag == SKR_TAG_FOOTER) {
		in_consume(r, 8 + (size_t)size);
		r->status = 1;
		return 0;
	}
	if (tag == SKR_TAG_HEADER)
		return corrupt(r, off, "a second file header");
	if (tag != SKR_TAG_BATCH) {
		in_consume(r, 8 + (size_t)size);
		return 2;
	}
	struct batch bt;
	rc = parse_batch(r, off, body, blen, &bt);
	if (rc)
		return rc;
	in_consume(r, 8 + (size_t)size);
	n = in_fill(r, bt.zlen);
	if (n < 0)
		return io_error(r, n);
	if ((size_t)n < bt.zlen)
		return truncated(r, off, (size_t)n);
	rc = load_chunk(r, off, &bt, r->in + r->in_pos);
	if (rc)
		return rc;
	in_consume(r, bt.zlen);
	if (r->in_off > r->meta_hw)
		r->meta_hw = r->in_off;
	return 1;
}

static int chunk_error(struct skr_reader *r, const char *what)
{
	return set_error(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": event %u: %s",
			 r->chunk_off, r->nevents - r->left + 1, what);
}

/* Grows the literal table; amortised, it stops once chunks reach their size. */
static int grow_lits(struct skr_reader *r)
{
	uint32_t cap = r->cap_lits ? r->cap_lits * 2 : 1024;
	void *q = realloc(r->lits, cap * sizeof(*r->lits));
	if (!q)
		return -ENOMEM;
	r->lits = q;
	r->cap_lits = cap;
	return 0;
}

/* Reads the definition of shape number r->nshapes from SHAPEDEF. */
static int define_shape(struct skr_reader *r)
{
	uint64_t type, np, len;
	const uint8_t **p = &r->cur[SKR_S_SHAPEDEF], *end = r->end[SKR_S_SHAPEDEF];
	if (r->nshapes == SKR_MAX_SHAPES)
		return chunk_error(r, "too many shapes");
	if (skr_get_varint(p, end, &type) || type > 0xffff)
		return chunk_error(r, "bad type");
	if (skr_get_varint(p, end, &np) || np > SK_MAX_PARAMS)
		return chunk_error(r, "bad parameter count");
	/* Grows only while a chunk introduces new shapes, never per event. */
	if (r->nshapes == r->cap_shapes) {
		uint32_t cap = r->cap_shapes ? r->cap_shapes * 2 : 256;
		void *q = realloc(r->shapes, cap * sizeof(*r->shapes));
		if (q)
			r->shapes = q;
		void *c = q ? realloc(r->shape_count, cap * sizeof(*r->shape_count)) : NULL;
		if (!c)
			return set_error(r, -ENOMEM, "out of memory");
		r->shape_count = c;
		r->cap_shapes = cap;
	}
	if (r->cap_pool - r->pool_len < SK_MAX_PARAMS) {
		size_t cap = r->cap_pool ? r->cap_pool * 2 : 4096;
		void *q = realloc(r->pool, cap * sizeof(*r->pool));
		if (q)
			r->pool = q;
		void *c = q ? realloc(r->colcur, cap * sizeof(*r->colcur)) : NULL;
		if (!c)
			return set_error(r, -ENOMEM, "out of memory");
		r->colcur = c;
		r->cap_pool = cap;
	}
	struct rshape *sh = &r->shapes[r->nshapes];
	sh->type = (uint16_t)type;
	sh->np = (uint8_t)np;
	sh->pool_off = (uint32_t)r->pool_len;
	for (uint32_t i = 0; i < np; i++) {
		if (skr_get_varint(p, end, &len) || len > UINT32_MAX)
			return chunk_error(r, "bad parameter length");
		r->pool[r->pool_len++] = (uint32_t)len;
	}
	r->shape_count[r->nshapes++] = 0;
	return 0;
}

/* First pass over a chunk: defines its shapes and counts their events, which
 * gives the size of every column of the FIXED stream. */
static int scan_shapes(struct skr_reader *r)
{
	r->nshapes = 0;
	r->pool_len = 0;
	const uint8_t *sp = r->cur[SKR_S_SHAPE], *se = r->end[SKR_S_SHAPE];
	for (uint32_t k = 0; k < r->nevents; k++) {
		uint64_t id;
		r->left = r->nevents - k; /* names event k + 1 in messages */
		if (skr_get_varint(&sp, se, &id) || id > r->nshapes)
			return chunk_error(r, "bad shape");
		if (id == r->nshapes) {
			int rc = define_shape(r);
			if (rc)
				return rc;
		}
		r->shape_count[id]++;
	}
	r->left = r->nevents;
	if (r->cur[SKR_S_SHAPEDEF] != r->end[SKR_S_SHAPEDEF])
		return chunk_error(r, "shape definitions longer than their shapes");
	return 0;
}

/* Joins the planar columns of the FIXED stream (one per shape and fixed-size
 * parameter, in shape order) and points each column cursor at its first value. */
static int setup_columns(struct skr_reader *r)
{
	size_t total = (size_t)(r->end[SKR_S_FIXED] - r->cur[SKR_S_FIXED]), pos = 0;
	r->cols.len = 0;
	if (skr_buf_reserve(&r->cols, total + 1))
		return set_error(r, -ENOMEM, "out of memory");
	for (uint32_t id = 0; id < r->nshapes; id++) {
		const struct rshape *sh = &r->shapes[id];
		size_t n = r->shape_count[id];
		for (uint32_t i = 0; i < sh->np; i++) {
			uint32_t len = r->pool[sh->pool_off + i];
			if (len == 0 || len > SKR_FIXED_MAX)
				continue;
			size_t size = n * len;
			if (size > total - pos)
				return chunk_error(r, "fixed-size values do not fit their stream");
			skr_planar_join(r->cols.p + pos, r->cur[SKR_S_FIXED] + pos, n, len);
			r->colcur[sh->pool_off + i] = r->cols.p + pos;
			pos += size;
		}
	}
	if (pos != total)
		return chunk_error(r, "fixed-size stream longer than its values");
	r->cur[SKR_S_FIXED] = r->end[SKR_S_FIXED];
	return 0;
}

static int end_event(struct skr_reader *r);

static int decode_event(struct skr_reader *r, struct sk_event *ev)
{
	uint64_t id, tid, dts, cpu, flags;
	/* scan_shapes() checked every id of the chunk. */
	if (skr_get_varint(&r->cur[SKR_S_SHAPE], r->end[SKR_S_SHAPE], &id) || id >= r->nshapes)
		return chunk_error(r, "bad shape");
	if (skr_get_varint(&r->cur[SKR_S_TID], r->end[SKR_S_TID], &tid))
		return chunk_error(r, "bad tid");
	if (skr_get_varint(&r->cur[SKR_S_TS], r->end[SKR_S_TS], &dts))
		return chunk_error(r, "bad timestamp");
	if (skr_get_varint(&r->cur[SKR_S_CPU], r->end[SKR_S_CPU], &cpu) || cpu > 0xffff)
		return chunk_error(r, "bad cpu");
	if (skr_get_varint(&r->cur[SKR_S_FLAGS], r->end[SKR_S_FLAGS], &flags) || flags > UINT32_MAX)
		return chunk_error(r, "bad flags");
	const struct rshape *sh = &r->shapes[id];
	const uint32_t *lens = r->pool + sh->pool_off;
	for (uint32_t i = 0; i < sh->np; i++) {
		uint32_t len = lens[i];
		ev->params[i].len = len;
		if (len == 0) {
			ev->params[i].val = r->raw.p;
			continue;
		}
		if (len <= SKR_FIXED_MAX) {
			/* Columns hold exactly shape_count values: no bound to check. */
			ev->params[i].val = r->colcur[sh->pool_off + i];
			r->colcur[sh->pool_off + i] += len;
			/* Columns are read as hundreds of interleaved streams,
			 * more than the hardware prefetcher follows: fetch each
			 * one's next line ahead of its use. */
			__builtin_prefetch(r->colcur[sh->pool_off + i] + 64);
			continue;
		}
		{
			uint64_t ref;
			if (skr_get_varint(&r->cur[SKR_S_BIGREF], r->end[SKR_S_BIGREF], &ref) ||
			    ref > r->nlits)
				return chunk_error(r, "bad value reference");
			if (ref) {
				if (r->lits[ref - 1].len != len)
					return chunk_error(r, "value reference of the wrong length");
				ev->params[i].val = r->lits[ref - 1].val;
				continue;
			}
		}
		if (len > (size_t)(r->end[SKR_S_BIG] - r->cur[SKR_S_BIG]))
			return chunk_error(r, "parameter length does not fit");
		ev->params[i].val = r->cur[SKR_S_BIG];
		r->cur[SKR_S_BIG] += len;
		if (r->nlits == r->cap_lits && grow_lits(r))
			return set_error(r, -ENOMEM, "out of memory");
		r->lits[r->nlits++] = ev->params[i];
	}
	r->prev_ts += (uint64_t)skr_unzigzag(dts);
	ev->type = sh->type;
	ev->tid = skr_unzigzag(tid);
	ev->ts = r->prev_ts;
	ev->cpu = (uint16_t)cpu;
	ev->flags = (uint32_t)flags;
	ev->nparams = sh->np;
	ev->num = r->num++;
	return end_event(r);
}

/* Counts the event off; after the last one, every stream must be used up. */
static int end_event(struct skr_reader *r)
{
	if (--r->left == 0) {
		for (uint32_t i = 0; i < r->nstreams; i++)
			if (r->cur[i] != r->end[i])
				return chunk_error(r, "streams longer than their events");
		r->skip_active = 0;
	}
	return 0;
}

/* A 1.0 chunk: one row per event (type, tid delta, ts delta, cpu, flags,
 * lengths) and the parameter bytes in one stream. */
static int decode_event_v1(struct skr_reader *r, struct sk_event *ev)
{
	uint64_t type, dtid, dts, cpu, flags, np, len;
	if (skr_get_varint(&r->cur[SKR_V1_TYPE], r->end[SKR_V1_TYPE], &type) || type > 0xffff)
		return chunk_error(r, "bad type");
	if (skr_get_varint(&r->cur[SKR_V1_TID], r->end[SKR_V1_TID], &dtid))
		return chunk_error(r, "bad tid");
	if (skr_get_varint(&r->cur[SKR_V1_TS], r->end[SKR_V1_TS], &dts))
		return chunk_error(r, "bad timestamp");
	if (skr_get_varint(&r->cur[SKR_V1_CPU], r->end[SKR_V1_CPU], &cpu) || cpu > 0xffff)
		return chunk_error(r, "bad cpu");
	if (skr_get_varint(&r->cur[SKR_V1_FLAGS], r->end[SKR_V1_FLAGS], &flags) || flags > UINT32_MAX)
		return chunk_error(r, "bad flags");
	if (skr_get_varint(&r->cur[SKR_V1_LEN], r->end[SKR_V1_LEN], &np) || np > SK_MAX_PARAMS)
		return chunk_error(r, "bad parameter count");
	const uint8_t *d = r->cur[SKR_V1_DATA], *dend = r->end[SKR_V1_DATA];
	for (uint32_t i = 0; i < np; i++) {
		if (skr_get_varint(&r->cur[SKR_V1_LEN], r->end[SKR_V1_LEN], &len) ||
		    len > (uint64_t)(dend - d))
			return chunk_error(r, "parameter length does not fit");
		ev->params[i].val = d;
		ev->params[i].len = (uint32_t)len;
		d += len;
	}
	r->cur[SKR_V1_DATA] = d;
	r->prev_tid = (int64_t)((uint64_t)r->prev_tid + (uint64_t)skr_unzigzag(dtid));
	r->prev_ts += (uint64_t)skr_unzigzag(dts);
	ev->type = (uint16_t)type;
	ev->tid = r->prev_tid;
	ev->ts = r->prev_ts;
	ev->cpu = (uint16_t)cpu;
	ev->flags = (uint32_t)flags;
	ev->nparams = (uint32_t)np;
	ev->num = r->num++;
	return end_event(r);
}

int skr_reader_next(struct skr_reader *r, struct sk_event *ev)
{
	for (;;) {
		if (r->status < 0)
			return r->status;
		if (r->left) {
			int skip = r->skip_active;
			int rc = r->vmajor >= 2 ? decode_event(r, ev) : decode_event_v1(r, ev);
			if (rc)
				return rc;
			if (skip && ev->ts < r->skip_ts)
				continue;
			return 1;
		}
		if (r->status == 1)
			return 0;
		int rc = read_frame(r);
		if (rc <= 0)
			return rc;
	}
}

static int read_header(struct skr_reader *r)
{
	ssize_t n = in_fill(r, 12);
	if (n < 0)
		return io_error(r, n);
	const uint8_t *h = r->in + r->in_pos;
	if (n < 12 || !skr_probe(h, (size_t)n))
		return set_error(r, -EINVAL, "not a .skr capture (bad magic)");
	uint32_t size = skr_get_u32(h + 4);
	if (size < 20 || size > SKR_MAX_FRAME)
		return corrupt(r, 0, "bad header size");
	n = in_fill(r, 8 + (size_t)size);
	if (n < 0)
		return io_error(r, n);
	if ((size_t)n < 8 + (size_t)size)
		return truncated(r, 0, (size_t)n);
	const uint8_t *c = r->in + r->in_pos + 8;
	/* The version is checked before the CRC so that a newer layout gets the
	 * clear message rather than a checksum complaint. */
	r->vmajor = skr_get_u16(c + 8);
	r->vminor = skr_get_u16(c + 10);
	if (r->vmajor > SKR_VERSION_MAJOR)
		return set_error(r, SKR_EVERSION,
				 ".skr version %u.%u is newer than this reader (%u.x); upgrade saker",
				 r->vmajor, r->vminor, SKR_VERSION_MAJOR);
	if (frame_tag(c, size) != SKR_TAG_HEADER)
		return corrupt(r, 0, "header CRC mismatch");
	if (r->vmajor == 0)
		return corrupt(r, 0, "version 0");
	r->nstreams = r->vmajor == 1 ? SKR_V1_NSTREAMS : SKR_NSTREAMS;
	uint32_t flags = skr_get_u32(c + 12), host_len = skr_get_u32(c + 16);
	if (flags & SKR_FLAGS_MUST_UNDERSTAND)
		return set_error(r, SKR_EVERSION, "header flags 0x%x are not supported; upgrade saker",
				 flags & SKR_FLAGS_MUST_UNDERSTAND);
	if (host_len > size - 20)
		return corrupt(r, 0, "host record does not fit in the header");
	char why[256];
	int rc = skr_meta_decode_record(r->meta, SK_META_HOST, c + 20, host_len, why, sizeof(why));
	if (rc == -ENOMEM)
		return set_error(r, rc, "out of memory");
	if (rc)
		return corrupt(r, 0, why);
	in_consume(r, 8 + (size_t)size);
	r->data_start = r->meta_hw = r->in_off;
	return 0;
}

static int pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t k = pread(fd, (uint8_t *)buf + done, n - done, (off_t)(off + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

/* Reads the saker frame at off into r->tmp; returns its tag (0 when it is not
 * a complete, valid saker frame), the content at r->tmp.p. */
static uint32_t pread_frame(struct skr_reader *r, uint64_t off, uint32_t *size)
{
	uint8_t h[8];
	if (pread_full(r->fd, h, 8, off) || skr_get_u32(h) != SKR_SKIPPABLE_MAGIC)
		return 0;
	*size = skr_get_u32(h + 4);
	if (*size < 8 || *size > SKR_MAX_FRAME)
		return 0;
	r->tmp.len = 0;
	if (skr_buf_reserve(&r->tmp, *size) || pread_full(r->fd, r->tmp.p, *size, off + 8))
		return 0;
	return frame_tag(r->tmp.p, *size);
}

static void load_footer(struct skr_reader *r, uint64_t file_size)
{
	uint8_t t[8];
	if (file_size < r->data_start + 8 || pread_full(r->fd, t, 8, file_size - 8) ||
	    skr_get_u32(t + 4) != SKR_TAG_END)
		return;
	uint64_t fsize = skr_get_u32(t);
	if (fsize < 40 || fsize > file_size - r->data_start)
		return;
	uint64_t foff = file_size - fsize;
	uint32_t size;
	if (pread_frame(r, foff, &size) != SKR_TAG_FOOTER || size != fsize - 8)
		return;
	const uint8_t *b = r->tmp.p + 8;
	size_t blen = size - 8;
	uint32_t n = skr_get_u32(b);
	if ((uint64_t)n * SKR_FOOTER_ENTRY + 24 != blen)
		return;
	r->index = calloc(n ? n : 1, sizeof(*r->index));
	if (!r->index)
		return;
	uint64_t prev = r->data_start;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = b + 16 + (size_t)i * SKR_FOOTER_ENTRY;
		struct index_entry *x = &r->index[i];
		x->offset = skr_get_u64(e);
		x->min_ts = skr_get_u64(e + 8);
		x->max_ts = skr_get_u64(e + 16);
		x->kind = skr_get_u32(e + 36);
		if (x->offset < prev || x->offset >= foff) {
			free(r->index);
			r->index = NULL;
			return;
		}
		prev = x->offset + 8;
	}
	r->n_index = n;
	r->has_index = 1;
	r->index_end = foff;
}

/* Loads the metadata frame at off (found by the index or a scan). */
static int load_meta_at(struct skr_reader *r, uint64_t off)
{
	uint32_t size;
	if (pread_frame(r, off, &size) != SKR_TAG_META)
		return corrupt(r, off, "metadata frame listed in the index is unreadable");
	int rc = handle_meta(r, off, r->tmp.p + 8, size - 8);
	if (!rc && off + 8 + size > r->meta_hw)
		r->meta_hw = off + 8 + size;
	return rc;
}

/* Finds the seek target with the footer index. */
static int seek_indexed(struct skr_reader *r, uint64_t ts, uint64_t *target)
{
	*target = r->index_end;
	for (size_t i = 0; i < r->n_index; i++) {
		const struct index_entry *e = &r->index[i];
		if (e->kind == 0 && e->max_ts >= ts) {
			*target = e->offset;
			return 0;
		}
		if (e->kind != 0 && e->offset >= r->meta_hw) {
			int rc = load_meta_at(r, e->offset);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Finds the seek target by walking frame headers from the start. Anything
 * odd stops the walk there: sequential reading then reports it. */
static int seek_scan(struct skr_reader *r, uint64_t ts, uint64_t *target)
{
	uint64_t off = r->data_start;
	for (;;) {
		*target = off;
		uint32_t size;
		uint32_t tag = pread_frame(r, off, &size);
		if (tag == SKR_TAG_META) {
			if (off >= r->meta_hw) {
				int rc = handle_meta(r, off, r->tmp.p + 8, size - 8);
				if (rc)
					return rc;
				r->meta_hw = off + 8 + size;
			}
		} else if (tag == SKR_TAG_BATCH) {
			struct batch bt;
			char keep[sizeof(r->err)];
			memcpy(keep, r->err, sizeof(keep));
			int st = r->status;
			if (parse_batch(r, off, r->tmp.p + 8, size - 8, &bt)) {
				/* Not ours to report here. */
				memcpy(r->err, keep, sizeof(keep));
				r->status = st;
				return 0;
			}
			if (bt.max_ts >= ts)
				return 0;
			off += bt.zlen;
		} else if (tag == 0 || tag == SKR_TAG_FOOTER || tag == SKR_TAG_HEADER) {
			return 0;
		}
		off += 8 + (uint64_t)size;
	}
}

int skr_reader_seek_time(struct skr_reader *r, uint64_t ts)
{
	if (!r->seekable) {
		snprintf(r->err, sizeof(r->err), "%s: cannot seek: the input is not a regular file",
			 r->name);
		return -ESPIPE;
	}
	r->status = 0;
	uint64_t target;
	int rc = r->has_index ? seek_indexed(r, ts, &target) : seek_scan(r, ts, &target);
	if (rc)
		return rc;
	if (target > r->meta_hw)
		r->meta_hw = target;
	if (lseek(r->fd, (off_t)target, SEEK_SET) < 0)
		return set_error(r, -errno, "cannot seek: %s", strerror(errno));
	r->in_pos = r->in_len = 0;
	r->in_eof = 0;
	r->in_off = target;
	r->left = 0;
	r->skip_pending = 1;
	r->skip_active = 0;
	r->skip_ts = ts;
	return 0;
}

int skr_probe(const uint8_t *head, size_t len)
{
	return len >= 12 && skr_get_u32(head) == SKR_SKIPPABLE_MAGIC &&
	       skr_get_u32(head + 8) == SKR_TAG_HEADER;
}

struct skr_reader *skr_reader_open_fd(int fd, const char *name, const uint8_t *prefix,
				      size_t prefix_len, char *err, size_t errlen)
{
	struct skr_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	r->fd = fd;
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->in_cap = prefix_len > IN_CHUNK ? prefix_len : IN_CHUNK;
	r->in = malloc(r->in_cap);
	r->meta = sk_meta_new();
	r->dctx = ZSTD_createDCtx();
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	if (r->dctx)
		ZSTD_DCtx_setParameter(r->dctx, ZSTD_d_forceIgnoreChecksum, ZSTD_d_ignoreChecksum);
#endif
	if (!r->in || !r->meta || !r->dctx) {
		snprintf(err, errlen, "%s: out of memory", name);
		skr_reader_close(r);
		return NULL;
	}
	if (prefix_len)
		memcpy(r->in, prefix, prefix_len);
	r->in_len = prefix_len;
	struct stat st;
	r->seekable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		      lseek(fd, 0, SEEK_CUR) == (off_t)prefix_len;
	if (read_header(r)) {
		snprintf(err, errlen, "%s", r->err);
		skr_reader_close(r);
		return NULL;
	}
	if (r->seekable)
		load_footer(r, (uint64_t)st.st_size);
	/* Load the metadata that precedes the first event chunk. */
	while (r->status == 0 && r->left == 0 && read_frame(r) == 2)
		;
	return r;
}

struct skr_reader *skr_reader_open_path(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return skr_reader_open_fd(STDIN_FILENO, "<stdin>", NULL, 0, err, errlen);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	struct skr_reader *r = skr_reader_open_fd(fd, path, NULL, 0, err, errlen);
	if (!r) {
		close(fd);
		return NULL;
	}
	r->own_fd = 1;
	return r;
}

const struct sk_meta *skr_reader_meta(const struct skr_reader *r)
{
	return r->meta;
}

int skr_reader_complete(const struct skr_reader *r)
{
	return r->complete;
}

uint64_t skr_reader_offset(const struct skr_reader *r)
{
	return r->in_off;
}

int skr_reader_has_index(const struct skr_reader *r)
{
	return r->has_index;
}

const char *skr_reader_error(const struct skr_reader *r)
{
	return r->err[0] ? r->err : "no error";
}

void skr_reader_version(const struct skr_reader *r, uint16_t *major, uint16_t *minor)
{
	*major = r->vmajor;
	*minor = r->vminor;
}

void skr_reader_close(struct skr_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->in);
	ZSTD_freeDCtx(r->dctx);
	skr_buf_free(&r->raw);
	skr_buf_free(&r->mraw);
	skr_buf_free(&r->tmp);
	sk_meta_free(r->meta);
	free(r->index);
	free(r->shapes);
	free(r->pool);
	free(r->lits);
	free(r->shape_count);
	free(r->colcur);
	skr_buf_free(&r->cols);
	free(r);
}
