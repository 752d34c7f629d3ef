/* formats/skr/write.c: the .skr writer: event chunks, metadata frames, footer index. */
#include "formats/skr/skr.h"
#include "formats/skr/wire.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>

struct index_entry {
	uint64_t offset, min_ts, max_ts, first_num;
	uint32_t nevents, kind;
};

/* An event shape: type, parameter count and lengths (lengths in the pool). */
struct shape {
	uint32_t hash;
	uint32_t pool_off;
	uint32_t fx_off;       /* at a flush: its fixed-size parameters' columns in fx_col */
	uint16_t type;
	uint8_t np;
	uint8_t fx_n;
};

#define SHAPE_SLOTS (1u << 17) /* hash slots, twice SKR_MAX_SHAPES */

/* A big parameter value already stored in the pending chunk. */
struct bigval {
	uint64_t hash;
	uint32_t off, len;
	uint32_t id;           /* 1-based literal number in the chunk */
};

#define BIG_SLOTS (1u << 16)
#define BIG_MAX (BIG_SLOTS / 2) /* indexed values per chunk; later ones are stored, not indexed */

struct skr_writer {
	int fd;
	int own_fd;
	skr_sink_fn sink;        /* instead of fd: the frames go to sink */
	void *sink_ctx;
	char name[256];
	char err[512];
	int failed;              /* first error code, sticky */
	int level;
	int independent;         /* chunks never use a dictionary */
	uint32_t frame_events, frame_bytes;
	uint64_t flush_interval_ns;

	ZSTD_CCtx *cctx;
	struct skr_buf streams[SKR_NSTREAMS_CODED]; /* TS holds u64 zigzag deltas until the flush */
	struct skr_buf frame;    /* saker frame under construction */
	struct skr_buf zout;     /* compressed output */
	struct skr_buf meta;     /* metadata records */

	/* The key chunk later chunks use as their zstd dictionary: chunks of a
	 * recorder (one a second) repeat each other's paths, inodes and
	 * environments far more than their own (docs/skr-format.md 6.2). */
	ZSTD_CDict *dict;
	uint64_t dict_off;       /* offset of the key chunk's batch header */
	size_t dict_raw;         /* its decompressed size */
	uint32_t dict_uses;      /* chunks that used it so far */
	struct skr_buf keyraw;   /* a key chunk's content while its dictionary is made */

	/* Shapes of the pending chunk; slot_gen != gen marks a free slot, so a
	 * new chunk empties the table without clearing it. */
	struct shape *shapes;
	uint32_t nshapes;
	uint32_t *pool;
	size_t pool_len;
	uint32_t *slot_id, *slot_gen;
	uint32_t gen;
	/* Big values of the pending chunk (same generation scheme). */
	struct bigval *bigs;
	uint32_t nbigs;        /* indexed */
	uint32_t nlits;        /* literals written */
	uint32_t *big_slot, *big_gen;
	uint32_t *shape_count; /* events per shape in the pending chunk */
	/* FIXED columns of the pending chunk, numbered by the column map. */
	struct skr_colmap colmap;
	uint32_t *col_start;   /* per column: offset in the FIXED stream */
	uint32_t *col_idx;     /* per column: values placed so far */
	uint32_t *col_count;   /* per column: values */
	uint8_t *col_len;      /* per column: value length */
	struct col_cost {      /* per column: what each coding would cost, and the choice */
		uint64_t prev, prev_code, raw, delta;
		int seen, delta_mode;
	} *col_cost;
	uint32_t *fx_col;      /* per shape (from fx_off, fx_n entries): columns of its fixed-size parameters */
	uint32_t ncols;
	struct skr_buf planar; /* the FIXED stream as planar columns */
	struct skr_buf tsplanar; /* the TS stream as planar columns */
	uint64_t ts_or;        /* every TS code of the chunk or-ed: gives its width */

	/* Pending chunk. */
	uint32_t nevents;
	uint64_t base_ts, min_ts, max_ts;
	uint64_t prev_ts;
	uint64_t chunk_start_ns; /* CLOCK_MONOTONIC when its first event came */

	int end_written;
	uint64_t offset;         /* bytes written */
	uint64_t unit_start;     /* offset where the frame being written began */
	uint64_t total_events;
	struct index_entry *index;
	size_t n_index, cap_index;
};

static int fail(struct skr_writer *w, int rc, const char *fmt, const char *detail)
{
	if (!w->failed) {
		w->failed = rc;
		snprintf(w->err, sizeof(w->err), "%s: %s%s%s", w->name, fmt, detail ? ": " : "",
			 detail ? detail : "");
	}
	return rc;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int write_all(struct skr_writer *w, const uint8_t *p, size_t n)
{
	if (w->sink) {
		int rc = w->sink(w->sink_ctx, p, n);
		if (rc < 0)
			return fail(w, rc, "cannot store frame", strerror(-rc));
		w->offset += n;
		return 0;
	}
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			struct stat st;
			/* Disk full or I/O error: cut the partial frame so the file
			 * ends on its last complete frame (readers then see only a
			 * missing footer). Pipes cannot be cut. */
			if (fstat(w->fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(w->fd, (off_t)w->unit_start) == 0)
				w->offset = w->unit_start;
			return fail(w, -e, "write failed", strerror(e));
		}
		p += k;
		n -= (size_t)k;
		w->offset += (uint64_t)k;
	}
	return 0;
}

static int add_index(struct skr_writer *w, const struct index_entry *e)
{
	if (w->n_index == w->cap_index) {
		size_t cap = w->cap_index ? w->cap_index * 2 : 64;
		void *p = realloc(w->index, cap * sizeof(*w->index));
		if (!p)
			return fail(w, -ENOMEM, "out of memory", NULL);
		w->index = p;
		w->cap_index = cap;
	}
	w->index[w->n_index++] = *e;
	return 0;
}

/* Starts a saker frame in w->frame: magic, size placeholder, tag, crc placeholder. */
static int frame_begin(struct skr_writer *w, uint32_t tag)
{
	w->unit_start = w->offset;
	w->frame.len = 0;
	if (skr_buf_reserve(&w->frame, 16))
		return fail(w, -ENOMEM, "out of memory", NULL);
	skr_put_u32(w->frame.p, SKR_SKIPPABLE_MAGIC);
	skr_put_u32(w->frame.p + 8, tag);
	w->frame.len = 16;
	return 0;
}

/* Fills in size and CRC, then writes the frame. */
static int frame_end(struct skr_writer *w)
{
	size_t content = w->frame.len - 8;
	if (content > SKR_MAX_FRAME)
		return fail(w, -EFBIG, "metadata frame too large", NULL);
	skr_put_u32(w->frame.p + 4, (uint32_t)content);
	skr_put_u32(w->frame.p + 12, skr_frame_crc(w->frame.p + 8, content));
	return write_all(w, w->frame.p, w->frame.len);
}

static int put_le(struct skr_writer *w, uint64_t v, unsigned width)
{
	if (skr_buf_reserve(&w->frame, 8))
		return fail(w, -ENOMEM, "out of memory", NULL);
	if (width == 2)
		skr_put_u16(w->frame.p + w->frame.len, (uint16_t)v);
	else if (width == 4)
		skr_put_u32(w->frame.p + w->frame.len, (uint32_t)v);
	else
		skr_put_u64(w->frame.p + w->frame.len, v);
	w->frame.len += width;
	return 0;
}

static int write_header(struct skr_writer *w, const struct sk_meta_host *host)
{
	struct sk_meta_host empty = { 0 };
	struct skr_buf rec = { 0 };
	int rc = skr_meta_encode_record(&rec, SK_META_HOST, host ? host : &empty);
	if (rc) {
		skr_buf_free(&rec);
		return fail(w, rc, "out of memory", NULL);
	}
	/* The record length varint is not part of the header (section 4). */
	const uint8_t *p = rec.p;
	uint64_t len = 0;
	skr_get_varint(&p, rec.p + rec.len, &len);
	rc = frame_begin(w, SKR_TAG_HEADER);
	rc = rc ? rc : put_le(w, SKR_VERSION_MAJOR, 2);
	rc = rc ? rc : put_le(w, SKR_VERSION_MINOR, 2);
	rc = rc ? rc : put_le(w, SKR_FLAG_CODED, 4);
	rc = rc ? rc : put_le(w, len, 4);
	if (!rc && skr_buf_put(&w->frame, p, len))
		rc = fail(w, -ENOMEM, "out of memory", NULL);
	skr_buf_free(&rec);
	return rc ? rc : frame_end(w);
}

static void apply_opts(struct skr_writer *w, const struct skr_writer_opts *o)
{
	w->level = o && o->level ? o->level : 3;
	w->frame_events = o && o->frame_events ? o->frame_events : 65536;
	w->frame_bytes = o && o->frame_bytes ? o->frame_bytes : (2u << 20);
	if (w->frame_bytes > SKR_MAX_RAW / 2)
		w->frame_bytes = SKR_MAX_RAW / 2;
	w->flush_interval_ns = o && o->flush_interval_ns ? o->flush_interval_ns : 1000000000u;
	if (o && o->sink) {
		w->sink = o->sink;
		w->sink_ctx = o->sink_ctx;
	}
	w->independent = (o && o->independent) || w->sink;
}

struct skr_writer *skr_writer_open_fd(int fd, const char *name, const struct skr_writer_opts *opts,
				      char *err, size_t errlen)
{
	struct skr_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	w->fd = fd;
	snprintf(w->name, sizeof(w->name), "%s", name);
	apply_opts(w, opts);
	w->cctx = ZSTD_createCCtx();
	w->shapes = malloc(SKR_MAX_SHAPES * sizeof(*w->shapes));
	w->pool = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->pool));
	w->slot_id = malloc(SHAPE_SLOTS * sizeof(*w->slot_id));
	w->slot_gen = calloc(SHAPE_SLOTS, sizeof(*w->slot_gen));
	w->gen = 1;
	w->shape_count = malloc(SKR_MAX_SHAPES * sizeof(*w->shape_count));
	w->col_start = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->col_start));
	w->col_idx = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->col_idx));
	w->col_count = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->col_count));
	w->col_len = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->col_len));
	w->col_cost = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->col_cost));
	w->fx_col = malloc((size_t)SKR_MAX_SHAPES * SK_MAX_PARAMS * sizeof(*w->fx_col));
	w->bigs = malloc(BIG_MAX * sizeof(*w->bigs));
	w->big_slot = malloc(BIG_SLOTS * sizeof(*w->big_slot));
	w->big_gen = calloc(BIG_SLOTS, sizeof(*w->big_gen));
	if (!w->cctx || !w->shapes || !w->pool || !w->slot_id || !w->slot_gen || !w->bigs ||
	    !w->big_slot || !w->big_gen || !w->shape_count || !w->col_start || !w->col_idx ||
	    !w->col_count || !w->col_len || !w->col_cost || !w->fx_col ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, w->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1))) {
		snprintf(err, errlen, "%s: cannot set up zstd (level %d)", name, w->level);
		skr_writer_abandon(w);
		return NULL;
	}
	if (write_header(w, opts ? opts->host : NULL)) {
		snprintf(err, errlen, "%s", w->err);
		skr_writer_abandon(w);
		return NULL;
	}
	return w;
}

struct skr_writer *skr_writer_open_sink(const char *name, const struct skr_writer_opts *opts, char *err,
					size_t errlen)
{
	if (!opts || !opts->sink) {
		snprintf(err, errlen, "%s: no sink", name);
		return NULL;
	}
	return skr_writer_open_fd(-1, name, opts, err, errlen);
}

struct skr_writer *skr_writer_open_path(const char *path, const struct skr_writer_opts *opts,
					char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return skr_writer_open_fd(STDOUT_FILENO, "<stdout>", opts, err, errlen);
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
	flags |= opts && opts->force ? O_TRUNC : O_EXCL;
	int fd = open(path, flags, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot create: %s%s", path, strerror(e),
			 e == EEXIST ? " (use the force option to overwrite)" : "");
		return NULL;
	}
	struct skr_writer *w = skr_writer_open_fd(fd, path, opts, err, errlen);
	if (!w) {
		close(fd);
		return NULL;
	}
	w->own_fd = 1;
	return w;
}

/* Bytes of a value of up to 8 bytes without its zero high bytes (at least 1). */
static unsigned value_width(uint64_t v)
{
	return v ? (skr_bit_length(v) + 7) / 8 : 1;
}

/* Raw size of the pending chunk (COLMODE, a byte per column, is left out). */
static uint64_t pending_bytes(const struct skr_writer *w)
{
	uint64_t n = 0;
	for (int i = 0; i < SKR_NSTREAMS; i++)
		if (i != SKR_S_TS)
			n += w->streams[i].len;
	return n + (uint64_t)w->nevents * value_width(w->ts_or);
}

/* The TS stream of a coded chunk: the zigzag deltas as one planar column
 * whose width is that of the largest (docs/skr-format.md section 6.1). */
static int build_ts(struct skr_writer *w)
{
	unsigned width = value_width(w->ts_or);
	size_t n = w->nevents;
	w->tsplanar.len = 0;
	if (skr_buf_reserve(&w->tsplanar, n * width))
		return -ENOMEM;
	const uint8_t *src = w->streams[SKR_S_TS].p;
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		memcpy(&v, src + 8 * i, 8);
		skr_planar_set(w->tsplanar.p, n, i, width, v);
	}
	w->tsplanar.len = n * width;
	return 0;
}

/* The values of the first events of a chunk tell each column's best coding
 * as well as all of them. */
#define COST_EVENTS 1024

static inline uint64_t load_le(const uint8_t *p, unsigned len)
{
	switch (len) { /* the widths of nearly every column, as single loads */
	case 8: return skr_get_u64(p);
	case 4: return skr_get_u32(p);
	case 2: return skr_get_u16(p);
	}
	uint64_t v = 0;
	for (unsigned b = 0; b < len; b++)
		v |= (uint64_t)p[b] << (8 * b);
	return v;
}

/* Adds a value of column c to a rough cost of each coding: the bytes of
 * every value (or delta code) that differs from the one before it. zstd
 * makes repeats nearly free, and of the rest the zero high bytes are what
 * it compresses best. */
static inline void column_cost_add(struct col_cost *k, uint64_t v, unsigned len)
{
	uint64_t code = skr_delta_code(v, k->prev, len);
	if (!k->seen || v != k->prev)
		k->raw += value_width(v);
	if (!k->seen || code != k->prev_code)
		k->delta += value_width(code);
	k->seen = 1;
	k->prev = v;
	k->prev_code = code;
}

/* Numbers the pending chunk's FIXED columns, one per (type, parameter index,
 * length) in order of first use by the shapes (docs/skr-format.md section
 * 6.1), counts their values, and lists each shape's fixed-size parameters. */
static int map_columns(struct skr_writer *w)
{
	if (skr_colmap_reset(&w->colmap, w->pool_len))
		return -ENOMEM;
	w->ncols = 0;
	uint32_t nfx = 0;
	for (uint32_t id = 0; id < w->nshapes; id++) {
		struct shape *sh = &w->shapes[id];
		sh->fx_off = nfx;
		for (uint32_t i = 0; i < sh->np; i++) {
			uint32_t len = w->pool[sh->pool_off + i];
			if (len == 0 || len > SKR_FIXED_MAX)
				continue;
			uint32_t before = w->ncols;
			uint32_t c = skr_colmap_get(&w->colmap, skr_colmap_key(sh->type, i, len), &w->ncols);
			if (c == before) {
				w->col_count[c] = 0;
				w->col_len[c] = (uint8_t)len;
				memset(&w->col_cost[c], 0, sizeof(w->col_cost[c]));
			}
			w->col_count[c] += w->shape_count[id];
			w->fx_col[nfx++] = c;
		}
		sh->fx_n = (uint8_t)(nfx - sh->fx_off);
	}
	return 0;
}

/* Picks each column's coding from the chunk's first events and writes the
 * COLMODE stream, one byte per column. */
static int choose_codings(struct skr_writer *w)
{
	const uint8_t *sp = w->streams[SKR_S_SHAPE].p;
	const uint8_t *se = sp + w->streams[SKR_S_SHAPE].len;
	const uint8_t *row = w->streams[SKR_S_FIXED].p;
	for (uint32_t k = 0; k < COST_EVENTS && sp < se; k++) {
		uint64_t id = 0;
		skr_get_varint(&sp, se, &id);
		const struct shape *sh = &w->shapes[id];
		for (uint32_t f = 0; f < sh->fx_n; f++) {
			uint32_t c = w->fx_col[sh->fx_off + f];
			unsigned len = w->col_len[c];
			if (len >= 2 && len <= 8)
				column_cost_add(&w->col_cost[c], load_le(row, len), len);
			row += len;
		}
	}
	struct skr_buf *modes = &w->streams[SKR_S_COLMODE];
	modes->len = 0;
	if (skr_buf_reserve(modes, w->ncols))
		return -ENOMEM;
	for (uint32_t c = 0; c < w->ncols; c++) {
		struct col_cost *k = &w->col_cost[c];
		/* deltas of values that are noise cost about what the values
		 * do, or more once zstd is done: only a clear win counts */
		k->delta_mode = w->col_count[c] > 1 && k->delta * 3 < k->raw * 2;
		modes->p[modes->len++] = k->delta_mode ? SKR_COL_DELTA : SKR_COL_RAW;
		k->prev = 0;
	}
	return 0;
}

/* Turns the FIXED rows of the pending chunk into planar columns in their
 * chosen coding. */
static int build_columns(struct skr_writer *w)
{
	if (map_columns(w) || choose_codings(w))
		return -ENOMEM;
	size_t pos = 0;
	for (uint32_t c = 0; c < w->ncols; c++) {
		w->col_start[c] = (uint32_t)pos;
		w->col_idx[c] = 0;
		pos += (size_t)w->col_count[c] * w->col_len[c];
	}
	w->planar.len = 0;
	if (skr_buf_reserve(&w->planar, pos + 1))
		return -ENOMEM;
	w->planar.len = pos;
	const uint8_t *sp = w->streams[SKR_S_SHAPE].p;
	const uint8_t *se = sp + w->streams[SKR_S_SHAPE].len;
	const uint8_t *row = w->streams[SKR_S_FIXED].p;
	while (sp < se) {
		uint64_t id = 0;
		skr_get_varint(&sp, se, &id);
		const struct shape *sh = &w->shapes[id];
		for (uint32_t f = 0; f < sh->fx_n; f++) {
			uint32_t c = w->fx_col[sh->fx_off + f];
			unsigned len = w->col_len[c];
			size_t n = w->col_count[c];
			uint8_t *dst = w->planar.p + w->col_start[c] + w->col_idx[c]++;
			struct col_cost *k = &w->col_cost[c];
			if (k->delta_mode) {
				uint64_t v = load_le(row, len);
				uint64_t code = skr_delta_code(v, k->prev, len);
				k->prev = v;
				for (unsigned b = 0; b < len; b++)
					dst[b * n] = (uint8_t)(code >> (8 * b));
			} else {
				for (unsigned b = 0; b < len; b++)
					dst[b * n] = row[b];
			}
			row += len;
		}
	}
	return 0;
}

/* A stream (or TS plane) at least this long ends its zstd block, so that it
 * gets entropy tables of its own rather than ones shared with its
 * neighbours; shorter ones are not worth a block's table header. */
#define BLOCK_SPLIT_MIN 4096

/* Feeds p[0..n) to the chunk's zstd frame; end closes the frame. */
static int compress_part(struct skr_writer *w, ZSTD_outBuffer *out, const uint8_t *p, size_t n, int end)
{
	ZSTD_inBuffer in = { p, n, 0 };
	ZSTD_EndDirective mode = end ? ZSTD_e_end : n >= BLOCK_SPLIT_MIN ? ZSTD_e_flush : ZSTD_e_continue;
	size_t left;
	do {
		left = ZSTD_compressStream2(w->cctx, out, &in, mode);
		if (ZSTD_isError(left))
			return fail(w, -EIO, "zstd compression failed", ZSTD_getErrorName(left));
	} while (mode != ZSTD_e_continue ? left != 0 : in.pos < in.size);
	return 0;
}

/* Key chunks are used by at most this many later chunks: a minute of a
 * recorder's chunks, so a dictionary follows a changing workload and a
 * reader that seeks decodes at most one key chunk more. */
#define KEY_MAX_USES 60

/* Makes the key chunk's content (its streams back to back, as a reader
 * decompresses it) the dictionary of the chunks to come. */
static int make_dict(struct skr_writer *w, const uint8_t *const *sp, const size_t *slen, uint64_t raw)
{
	w->keyraw.len = 0;
	for (int i = 0; i < SKR_NSTREAMS_CODED; i++)
		if (skr_buf_put(&w->keyraw, sp[i], slen[i]))
			return -ENOMEM;
	ZSTD_freeCDict(w->dict);
	/* Raw content: it starts with shape id 0, never with the zstd
	 * dictionary magic, so zstd takes it as plain bytes. */
	w->dict = ZSTD_createCDict(w->keyraw.p, w->keyraw.len, w->level);
	/* the dictionary holds its own copy; a key comes once a minute at most */
	skr_buf_free(&w->keyraw);
	w->dict_raw = raw;
	w->dict_uses = 0;
	return w->dict ? 0 : -ENOMEM;
}

int skr_writer_flush(struct skr_writer *w)
{
	if (w->failed)
		return w->failed;
	if (!w->nevents)
		return 0;
	if (build_columns(w) || build_ts(w))
		return fail(w, -ENOMEM, "out of memory", NULL);
	/* The streams as stored: TS and FIXED are in their planar buffers. */
	const uint8_t *sp[SKR_NSTREAMS_CODED];
	size_t slen[SKR_NSTREAMS_CODED];
	uint64_t raw = 0;
	for (int i = 0; i < SKR_NSTREAMS_CODED; i++) {
		sp[i] = i == SKR_S_TS ? w->tsplanar.p : i == SKR_S_FIXED ? w->planar.p : w->streams[i].p;
		slen[i] = i == SKR_S_TS ? w->tsplanar.len : i == SKR_S_FIXED ? w->planar.len : w->streams[i].len;
		raw += slen[i];
	}
	size_t bound = ZSTD_compressBound(raw);
	w->zout.len = 0;
	if (skr_buf_reserve(&w->zout, bound))
		return fail(w, -ENOMEM, "out of memory", NULL);
	ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_only);
	ZSTD_CCtx_setPledgedSrcSize(w->cctx, raw);
	/* A dictionary that is old, or small next to the chunk (the first
	 * chunk of a recording is often a handful of events), is replaced by
	 * making this chunk the key. */
	int use_dict = w->dict && w->dict_uses < KEY_MAX_USES && w->dict_raw >= raw / 4;
	int key = !w->independent && !use_dict;
	if (ZSTD_isError(ZSTD_CCtx_refCDict(w->cctx, use_dict ? w->dict : NULL)))
		return fail(w, -EIO, "zstd compression failed", "cannot use the key chunk");
	ZSTD_outBuffer out = { w->zout.p, bound, 0 };
	for (int i = 0; i < SKR_NSTREAMS_CODED; i++) {
		int end = i == SKR_NSTREAMS_CODED - 1;
		if (i == SKR_S_TS) {
			/* each byte plane apart: the low ones are near random, the
			 * high ones near constant */
			size_t plane = w->nevents;
			for (size_t off = 0; off < slen[i]; off += plane)
				if (compress_part(w, &out, sp[i] + off, plane, 0))
					return w->failed;
		} else if (compress_part(w, &out, sp[i], slen[i], end)) {
			return w->failed;
		}
	}

	struct index_entry e = { w->offset, w->min_ts, w->max_ts, w->total_events - w->nevents + 1,
				 w->nevents, 0 };
	int rc = frame_begin(w, SKR_TAG_BATCH);
	rc = rc ? rc : put_le(w, w->nevents, 4);
	rc = rc ? rc : put_le(w, raw, 4);
	rc = rc ? rc : put_le(w, out.pos, 4);
	/* metadata frames use no dictionary */
	if (ZSTD_isError(ZSTD_CCtx_refCDict(w->cctx, NULL)))
		return fail(w, -EIO, "zstd compression failed", "cannot drop the key chunk");
	if (key && make_dict(w, sp, slen, raw))
		return fail(w, -ENOMEM, "out of memory", NULL);
	uint64_t dict_off = use_dict ? w->dict_off : 0;
	if (use_dict)
		w->dict_uses++;
	if (key)
		w->dict_off = e.offset;
	rc = rc ? rc : put_le(w, SKR_NSTREAMS_CODED, 4);
	rc = rc ? rc : put_le(w, e.first_num, 8);
	rc = rc ? rc : put_le(w, w->base_ts, 8);
	rc = rc ? rc : put_le(w, w->min_ts, 8);
	rc = rc ? rc : put_le(w, w->max_ts, 8);
	for (int i = 0; i < SKR_NSTREAMS_CODED && !rc; i++)
		rc = put_le(w, slen[i], 4);
	rc = rc ? rc : put_le(w, key ? SKR_CHUNK_KEY : 0, 4);
	rc = rc ? rc : put_le(w, dict_off, 8);
	rc = rc ? rc : frame_end(w);
	rc = rc ? rc : write_all(w, w->zout.p, out.pos);
	rc = rc ? rc : add_index(w, &e);
	for (int i = 0; i < SKR_NSTREAMS_CODED; i++)
		w->streams[i].len = 0;
	w->nevents = 0;
	w->ts_or = 0;
	w->nshapes = 0;
	w->pool_len = 0;
	w->nbigs = 0;
	w->nlits = 0;
	if (++w->gen == 0) {
		memset(w->slot_gen, 0, SHAPE_SLOTS * sizeof(*w->slot_gen));
		memset(w->big_gen, 0, BIG_SLOTS * sizeof(*w->big_gen));
		w->gen = 1;
	}
	return rc;
}

int skr_writer_tick(struct skr_writer *w)
{
	if (w->nevents && now_ns() - w->chunk_start_ns >= w->flush_interval_ns)
		return skr_writer_flush(w);
	return w->failed;
}

/* The id of ev's shape in the pending chunk, adding it (*is_new) if needed.
 * The caller guarantees room for one more shape. */
static uint32_t shape_id(struct skr_writer *w, const struct sk_event *ev, int *is_new)
{
	uint32_t np = ev->nparams;
	uint32_t h = 2166136261u ^ ev->type;
	h = (h ^ np) * 16777619u;
	for (uint32_t i = 0; i < np; i++)
		h = (h ^ ev->params[i].len) * 16777619u;
	uint32_t slot = (h ^ (h >> 15)) & (SHAPE_SLOTS - 1);
	for (;; slot = (slot + 1) & (SHAPE_SLOTS - 1)) {
		if (w->slot_gen[slot] != w->gen)
			break;
		const struct shape *sh = &w->shapes[w->slot_id[slot]];
		if (sh->hash != h || sh->type != ev->type || sh->np != np)
			continue;
		const uint32_t *lens = w->pool + sh->pool_off;
		uint32_t i = 0;
		while (i < np && lens[i] == ev->params[i].len)
			i++;
		if (i == np) {
			*is_new = 0;
			return w->slot_id[slot];
		}
	}
	uint32_t id = w->nshapes++;
	struct shape *sh = &w->shapes[id];
	sh->hash = h;
	sh->type = ev->type;
	sh->np = (uint8_t)np;
	sh->pool_off = (uint32_t)w->pool_len;
	for (uint32_t i = 0; i < np; i++)
		w->pool[w->pool_len++] = ev->params[i].len;
	w->slot_gen[slot] = w->gen;
	w->slot_id[slot] = id;
	w->shape_count[id] = 0;
	*is_new = 1;
	return id;
}

static inline void put_v(struct skr_buf *b, uint64_t v)
{
	b->len += skr_put_varint(b->p + b->len, v);
}

static uint64_t hash_bytes(const uint8_t *p, uint32_t len)
{
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
	uint32_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* The 1-based number of an identical literal earlier in the chunk, or 0
 * when val must be stored (it then becomes the next literal). Repeated
 * paths, command lines and environments cost a small reference. */
static uint32_t big_ref(struct skr_writer *w, const uint8_t *val, uint32_t len)
{
	uint64_t h = hash_bytes(val, len);
	uint32_t slot = (uint32_t)h & (BIG_SLOTS - 1);
	const uint8_t *big = w->streams[SKR_S_BIG].p;
	for (; w->big_gen[slot] == w->gen; slot = (slot + 1) & (BIG_SLOTS - 1)) {
		const struct bigval *b = &w->bigs[w->big_slot[slot]];
		if (b->hash == h && b->len == len && memcmp(big + b->off, val, len) == 0)
			return b->id;
	}
	uint32_t id = ++w->nlits;
	if (w->nbigs < BIG_MAX) {
		struct bigval *b = &w->bigs[w->nbigs];
		b->hash = h;
		b->off = (uint32_t)w->streams[SKR_S_BIG].len;
		b->len = len;
		b->id = id;
		w->big_gen[slot] = w->gen;
		w->big_slot[slot] = w->nbigs++;
	}
	return 0;
}

int skr_writer_append(struct skr_writer *w, const struct sk_event *ev)
{
	if (w->failed)
		return w->failed;
	uint32_t np = ev->nparams;
	if (np > SK_MAX_PARAMS)
		return -EINVAL;
	size_t need[SKR_NSTREAMS] = { 0 };
	size_t data = 0;
	for (uint32_t i = 0; i < np; i++) {
		uint32_t len = ev->params[i].len;
		if (len)
			need[len <= SKR_FIXED_MAX ? SKR_S_FIXED : SKR_S_BIG] += len;
		data += len;
	}
	if (data > SKR_MAX_RAW / 2)
		return -E2BIG;
	if (w->nevents && (pending_bytes(w) + data + 64 + 20 * np > w->frame_bytes ||
			   w->nshapes == SKR_MAX_SHAPES)) {
		int rc = skr_writer_flush(w);
		if (rc)
			return rc;
	}
	struct skr_buf *s = w->streams;
	need[SKR_S_SHAPE] = need[SKR_S_TID] = need[SKR_S_TS] = 10; /* TS: 8 */
	need[SKR_S_CPU] = need[SKR_S_FLAGS] = 10;
	need[SKR_S_SHAPEDEF] = 10 * (np + 2);
	need[SKR_S_BIGREF] = 10 * np;
	for (int i = 0; i < SKR_NSTREAMS; i++)
		if (skr_buf_reserve(&s[i], need[i]))
			return fail(w, -ENOMEM, "out of memory", NULL);

	if (!w->nevents) {
		w->base_ts = w->min_ts = w->max_ts = w->prev_ts = ev->ts;
		w->chunk_start_ns = now_ns();
	}
	int is_new;
	uint32_t id = shape_id(w, ev, &is_new);
	w->shape_count[id]++;
	put_v(&s[SKR_S_SHAPE], id);
	if (is_new) {
		put_v(&s[SKR_S_SHAPEDEF], ev->type);
		put_v(&s[SKR_S_SHAPEDEF], np);
		for (uint32_t i = 0; i < np; i++)
			put_v(&s[SKR_S_SHAPEDEF], ev->params[i].len);
	}
	put_v(&s[SKR_S_TID], skr_zigzag(ev->tid));
	uint64_t dts = skr_zigzag((int64_t)(ev->ts - w->prev_ts));
	memcpy(s[SKR_S_TS].p + s[SKR_S_TS].len, &dts, 8);
	s[SKR_S_TS].len += 8;
	w->ts_or |= dts;
	put_v(&s[SKR_S_CPU], ev->cpu);
	put_v(&s[SKR_S_FLAGS], ev->flags);
	for (uint32_t i = 0; i < np; i++) {
		uint32_t len = ev->params[i].len;
		if (!len)
			continue;
		int st = len <= SKR_FIXED_MAX ? SKR_S_FIXED : SKR_S_BIG;
		if (st == SKR_S_BIG) {
			uint32_t ref = big_ref(w, ev->params[i].val, len);
			put_v(&s[SKR_S_BIGREF], ref);
			if (ref)
				continue;
		}
		memcpy(s[st].p + s[st].len, ev->params[i].val, len);
		s[st].len += len;
	}
	w->prev_ts = ev->ts;
	if (ev->ts < w->min_ts)
		w->min_ts = ev->ts;
	if (ev->ts > w->max_ts)
		w->max_ts = ev->ts;
	w->nevents++;
	w->total_events++;
	if (w->nevents >= w->frame_events)
		return skr_writer_flush(w);
	/* A clock read costs ~20 ns: check the interval every 1024 events. */
	if ((w->nevents & 1023) == 0)
		return skr_writer_tick(w);
	return 0;
}

int skr_writer_put_meta(struct skr_writer *w, uint32_t kind, const void *items, size_t n)
{
	if (kind == 0 || kind >= SK_META__COUNT)
		return -EINVAL;
	if (kind == SK_META_HOST || kind == SK_META_END)
		n = 1;
	int rc = skr_writer_flush(w);
	if (rc)
		return rc;
	if (n == 0)
		return 0;
	if (n > UINT32_MAX)
		return -E2BIG;
	size_t sz = skr_meta_item_size(kind);
	w->meta.len = 0;
	for (size_t i = 0; i < n; i++) {
		rc = skr_meta_encode_record(&w->meta, kind, (const uint8_t *)items + i * sz);
		if (rc)
			return fail(w, rc, "out of memory", NULL);
	}
	if (w->meta.len > SKR_MAX_META_RAW)
		return fail(w, -EFBIG, "metadata table too large", sk_meta_kind_name(kind));
	size_t bound = ZSTD_compressBound(w->meta.len);
	w->zout.len = 0;
	if (skr_buf_reserve(&w->zout, bound))
		return fail(w, -ENOMEM, "out of memory", NULL);
	size_t z = ZSTD_compress2(w->cctx, w->zout.p, bound, w->meta.p, w->meta.len);
	if (ZSTD_isError(z))
		return fail(w, -EIO, "zstd compression failed", ZSTD_getErrorName(z));
	int compressed = z < w->meta.len;

	struct index_entry e = { w->offset, 0, 0, 0, 0, kind };
	rc = frame_begin(w, SKR_TAG_META);
	rc = rc ? rc : put_le(w, kind, 4);
	rc = rc ? rc : put_le(w, n, 4);
	rc = rc ? rc : put_le(w, w->meta.len, 4);
	rc = rc ? rc : put_le(w, compressed ? 1 : 0, 4); /* compression byte + 3 reserved */
	if (!rc && skr_buf_put(&w->frame, compressed ? w->zout.p : w->meta.p,
			       compressed ? z : w->meta.len))
		rc = fail(w, -ENOMEM, "out of memory", NULL);
	rc = rc ? rc : frame_end(w);
	if (kind == SK_META_END)
		w->end_written = 1;
	return rc ? rc : add_index(w, &e);
}

int skr_writer_put_frame(struct skr_writer *w, const uint8_t *frame, size_t len)
{
	if (w->failed)
		return w->failed;
	if (len < 16 || skr_get_u32(frame) != SKR_SKIPPABLE_MAGIC || skr_get_u32(frame + 4) != len - 8)
		return -EINVAL;
	w->unit_start = w->offset;
	return write_all(w, frame, len);
}

int skr_writer_put_meta_all(struct skr_writer *w, const struct sk_meta *m)
{
	int rc = 0;
	if (m->have_host)
		rc = skr_writer_put_meta(w, SK_META_HOST, &m->host, 1);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_IFACE, m->ifaces, m->n_ifaces);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_USER, m->users, m->n_users);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_GROUP, m->groups, m->n_groups);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_PROC, m->procs, m->n_procs);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_FD, m->fds, m->n_fds);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_CONTAINER, m->containers, m->n_containers);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_DROPS, m->drops, m->n_drops);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_CAPIF, m->capifs, m->n_capifs);
	rc = rc ? rc : skr_writer_put_meta(w, SK_META_ALERT, m->alerts, m->n_alerts);
	return rc;
}

int skr_writer_copy_frames(struct skr_writer *w, const uint8_t *p, size_t n)
{
	int rc = skr_writer_flush(w);
	if (rc)
		return rc;
	const uint8_t *end = p + n;
	while (p < end) {
		/* only frames this writer's own code made reach here: a check
		 * of the framing is enough */
		if (end - p < 16 || skr_get_u32(p) != SKR_SKIPPABLE_MAGIC || skr_get_u32(p + 4) < 8 ||
		    (size_t)(end - p) - 8 < skr_get_u32(p + 4))
			return fail(w, -EINVAL, "copy of malformed frames", NULL);
		size_t len = 8 + (size_t)skr_get_u32(p + 4);
		uint32_t tag = skr_get_u32(p + 8);
		const uint8_t *body = p + 16;
		struct index_entry e = { w->offset, 0, 0, 0, 0, 0 };
		if (tag == SKR_TAG_BATCH && len >= 16 + SKR_BATCH_FIXED) {
			size_t zlen = skr_get_u32(body + 8);
			if ((size_t)(end - p) - len < zlen)
				return fail(w, -EINVAL, "copy of a cut event chunk", NULL);
			e.nevents = skr_get_u32(body);
			e.first_num = skr_get_u64(body + 16);
			e.min_ts = skr_get_u64(body + 32);
			e.max_ts = skr_get_u64(body + 40);
			len += zlen;
			w->total_events += e.nevents;
		} else if (tag == SKR_TAG_META && len >= 20) {
			e.kind = skr_get_u32(body);
			if (e.kind == SK_META_END)
				w->end_written = 1;
		} else {
			p += len; /* header or footer frames of the source: not copied */
			continue;
		}
		w->unit_start = w->offset;
		if ((rc = write_all(w, p, len)) || (rc = add_index(w, &e)))
			return rc;
		p += len;
	}
	return 0;
}

static int write_footer(struct skr_writer *w)
{
	int rc = frame_begin(w, SKR_TAG_FOOTER);
	if (w->n_index > (SKR_MAX_FRAME - 64) / SKR_FOOTER_ENTRY)
		return fail(w, -EFBIG, "footer index too large", NULL);
	rc = rc ? rc : put_le(w, w->n_index, 4);
	rc = rc ? rc : put_le(w, 0, 4);
	rc = rc ? rc : put_le(w, w->total_events, 8);
	for (size_t i = 0; i < w->n_index && !rc; i++) {
		const struct index_entry *e = &w->index[i];
		rc = put_le(w, e->offset, 8);
		rc = rc ? rc : put_le(w, e->min_ts, 8);
		rc = rc ? rc : put_le(w, e->max_ts, 8);
		rc = rc ? rc : put_le(w, e->first_num, 8);
		rc = rc ? rc : put_le(w, e->nevents, 4);
		rc = rc ? rc : put_le(w, e->kind, 4);
	}
	rc = rc ? rc : put_le(w, w->frame.len + 8, 4);
	rc = rc ? rc : put_le(w, SKR_TAG_END, 4);
	return rc ? rc : frame_end(w);
}

int skr_writer_close(struct skr_writer *w, char *err, size_t errlen)
{
	if (!w)
		return 0;
	int rc = skr_writer_flush(w);
	if (!rc && !w->end_written) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		struct sk_meta_end end = { (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
					   w->total_events, 0 };
		rc = skr_writer_put_meta(w, SK_META_END, &end, 1);
	}
	rc = rc ? rc : write_footer(w);
	if (w->own_fd && close(w->fd) && !rc) {
		int e = errno;
		rc = fail(w, -e, "close failed", strerror(e));
	}
	w->own_fd = 0;
	if (rc && err)
		snprintf(err, errlen, "%s", w->err);
	skr_writer_abandon(w);
	return rc;
}

void skr_writer_abandon(struct skr_writer *w)
{
	if (!w)
		return;
	if (w->own_fd)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	ZSTD_freeCDict(w->dict);
	skr_buf_free(&w->keyraw);
	for (int i = 0; i < SKR_NSTREAMS_CODED; i++)
		skr_buf_free(&w->streams[i]);
	skr_buf_free(&w->tsplanar);
	skr_buf_free(&w->frame);
	skr_buf_free(&w->zout);
	skr_buf_free(&w->meta);
	free(w->index);
	free(w->shapes);
	free(w->pool);
	free(w->slot_id);
	free(w->slot_gen);
	free(w->bigs);
	free(w->shape_count);
	free(w->col_start);
	free(w->col_idx);
	free(w->col_count);
	free(w->col_len);
	free(w->col_cost);
	free(w->fx_col);
	skr_colmap_free(&w->colmap);
	free(w->big_slot);
	free(w->big_gen);
	skr_buf_free(&w->planar);
	free(w);
}

const char *skr_writer_error(const struct skr_writer *w)
{
	return w->err[0] ? w->err : "no error";
}

uint64_t skr_writer_bytes(const struct skr_writer *w)
{
	return w->offset;
}

uint64_t skr_writer_events(const struct skr_writer *w)
{
	return w->total_events;
}
