/* formats/skr/read_event.c: the .skr reader's event chunks: decompression, shapes, planar columns, literals, and zero-copy event decoding (versions 1 and 2). */
#include "formats/skr/read_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static int scan_shapes(struct skr_reader *r);
static int setup_columns(struct skr_reader *r);
static int decode_ts(struct skr_reader *r, uint64_t base_ts);

int skr_read_load_chunk(struct skr_reader *r, uint64_t off, const struct batch *bt,
		      const uint8_t *z)
{
	if (ZSTD_findFrameCompressedSize(z, bt->zlen) != bt->zlen)
		return skr_read_corrupt(r, off, "zstd frame size differs from the batch header");
	if (bt->dict_off && bt->dict_off != r->key_off) {
		int rc = skr_read_key_chunk(r, bt->dict_off, off);
		if (rc)
			return rc;
	}
	r->raw.len = 0;
	if (skr_buf_reserve(&r->raw, bt->raw_len + 1))
		return skr_read_fail(r, -ENOMEM, "out of memory");
	if (bt->dict_off && ZSTD_isError(ZSTD_DCtx_refPrefix(r->dctx, r->key.p, r->key.len)))
		return skr_read_fail(r, -ENOMEM, "out of memory");
	size_t got = ZSTD_decompressDCtx(r->dctx, r->raw.p, bt->raw_len, z, bt->zlen);
	if (ZSTD_isError(got))
		return skr_read_fail(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": zstd: %s", off,
				 ZSTD_getErrorName(got));
	if (got != bt->raw_len)
		return skr_read_corrupt(r, off, "event chunk decompresses to the wrong size");
	if (bt->chunk_flags & SKR_CHUNK_KEY) {
		r->key.len = 0;
		if (skr_buf_put(&r->key, r->raw.p, got))
			return skr_read_fail(r, -ENOMEM, "out of memory");
		r->key_off = off;
	}
	const uint8_t *p = r->raw.p;
	for (uint32_t i = 0; i < r->nstreams; i++) {
		r->cur[i] = p;
		p += bt->stream_len[i];
		r->end[i] = p;
	}
	r->left = r->nevents = bt->nevents;
	r->pre_i = r->pre_n = 0;
	r->pre_at = 0;
	r->n_pre_prep = r->prep_i = 0;
	r->pre_rc = 0;
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
		if (r->coded && (rc = decode_ts(r, bt->base_ts)))
			return rc;
	}
	r->prev_ts = bt->base_ts;
	r->num = bt->first_num;
	r->skip_active = r->skip_pending;
	r->skip_pending = 0;
	return 0;
}

static int chunk_error(struct skr_reader *r, const char *what)
{
	return skr_read_fail(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": event %u: %s",
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

/* Doubles the per pool entry (and per column: there are no more columns
 * than entries) arrays. */
static int grow_pool(struct skr_reader *r)
{
	size_t cap = r->cap_pool ? r->cap_pool * 2 : 4096;
	void *p;
	if (!(p = realloc(r->pool, cap * sizeof(*r->pool))))
		return -ENOMEM;
	r->pool = p;
	if (!(p = realloc(r->colof, cap * sizeof(*r->colof))))
		return -ENOMEM;
	r->colof = p;
	if (!(p = realloc(r->colcur, cap * sizeof(*r->colcur))))
		return -ENOMEM;
	r->colcur = p;
	if (!(p = realloc(r->col_n, cap * sizeof(*r->col_n))))
		return -ENOMEM;
	r->col_n = p;
	if (!(p = realloc(r->col_w, cap * sizeof(*r->col_w))))
		return -ENOMEM;
	r->col_w = p;
	r->cap_pool = cap;
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
			return skr_read_fail(r, -ENOMEM, "out of memory");
		r->shape_count = c;
		r->cap_shapes = cap;
	}
	if (r->cap_pool - r->pool_len < SK_MAX_PARAMS && grow_pool(r))
		return skr_read_fail(r, -ENOMEM, "out of memory");
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

/* Coded chunks: the TS stream is one planar column of zigzag deltas whose
 * width is its length over the event count; this turns it into every
 * event's timestamp, so events read it by index. */
#ifdef SKR_PLANAR_BLOCK16
/* 16 codes of a planar column at a time while they last, joined and each
 * decoded against the value before (*prev): with ts, zigzag deltas summed
 * into timestamps in tsv; without, SKR_COL_DELTA codes decoded in place in
 * out. Returns where the rest starts. Call with constant w and ts:
 * inlined, each caller keeps only its own branch. */
static inline __attribute__((always_inline)) size_t decode_delta16(uint8_t *out, uint64_t *tsv, const uint8_t *in,
								   size_t n, unsigned w, int ts, uint64_t *prev)
{
	size_t i = 0;
	uint64_t p = *prev;
	for (; i + 16 <= n; i += 16) {
		uint8_t codes[128];
		uint8_t *v = ts ? codes : out + i * w;
		skr_planar_block16(v, in, n, i, w);
		for (unsigned k = 0; k < 16; k++) {
			uint64_t code = 0;
			memcpy(&code, v + k * w, w); /* little-endian, as the stores below */
			if (ts) {
				p += (uint64_t)skr_unzigzag(code);
				tsv[i + k] = p;
			} else {
				p = skr_delta_decode(code, p, w);
				memcpy(v + k * w, &p, w);
			}
		}
	}
	*prev = p;
	return i;
}
#endif

static int decode_ts(struct skr_reader *r, uint64_t base_ts)
{
	size_t len = (size_t)(r->end[SKR_S_TS] - r->cur[SKR_S_TS]), n = r->nevents;
	if (len % n || len / n < 1 || len / n > 8)
		return chunk_error(r, "timestamp stream of a bad width");
	unsigned w = (unsigned)(len / n);
	/* Grows only while chunks grow, never per event. */
	if (r->cap_tsv < n) {
		void *q = realloc(r->tsv, n * sizeof(*r->tsv));
		if (!q)
			return skr_read_fail(r, -ENOMEM, "out of memory");
		r->tsv = q;
		r->cap_tsv = (uint32_t)n;
	}
	uint64_t ts = base_ts;
	const uint8_t *col = r->cur[SKR_S_TS];
	size_t i = 0;
#ifdef SKR_PLANAR_BLOCK16
	if (w == 2)
		i = decode_delta16(NULL, r->tsv, col, n, 2, 1, &ts);
	else if (w == 4)
		i = decode_delta16(NULL, r->tsv, col, n, 4, 1, &ts);
	else if (w == 8)
		i = decode_delta16(NULL, r->tsv, col, n, 8, 1, &ts);
#endif
	for (; i + 8 <= n; i += 8) {
		uint64_t y[8];
		skr_planar_block8(col, n, i, w, y);
		for (unsigned k = 0; k < 8; k++) {
			ts += (uint64_t)skr_unzigzag(y[k]);
			r->tsv[i + k] = ts;
		}
	}
	for (; i < n; i++) {
		ts += (uint64_t)skr_unzigzag(skr_planar_get(col, n, i, w));
		r->tsv[i] = ts;
	}
	r->cur[SKR_S_TS] = r->end[SKR_S_TS];
	return 0;
}

/* Joins a planar column of n SKR_COL_DELTA codes of w bytes into values. */
static void join_delta_column(uint8_t *out, const uint8_t *in, size_t n, unsigned w)
{
	uint64_t prev = 0;
	size_t i = 0;
#ifdef SKR_PLANAR_BLOCK16
	if (w == 8)
		i = decode_delta16(out, NULL, in, n, 8, 0, &prev);
	else if (w == 4)
		i = decode_delta16(out, NULL, in, n, 4, 0, &prev);
#endif
	/* 8 codes at a time (skr_planar_join's blocks); a value has no bits
	 * past its w bytes, so its 8-byte store is as skr_planar_join's */
	for (; skr_planar_block_fits(i, n, w); i += 8) {
		uint64_t y[8];
		skr_planar_block8(in, n, i, w, y);
		for (unsigned k = 0; k < 8; k++) {
			prev = skr_delta_decode(y[k], prev, w);
			memcpy(out + (i + k) * w, &prev, 8);
		}
	}
	for (; i < n; i++) {
		prev = skr_delta_decode(skr_planar_get(in, n, i, w), prev, w);
		for (unsigned j = 0; j < w; j++)
			out[i * w + j] = (uint8_t)(prev >> (8 * j));
	}
}

/* Joins the planar columns of the FIXED stream (one per shape and fixed-size
 * parameter, in shape order), undoes their coding (coded chunks: one COLMODE
 * byte each) and points each column cursor at its first value. */
static int setup_columns(struct skr_reader *r)
{
	size_t total = (size_t)(r->end[SKR_S_FIXED] - r->cur[SKR_S_FIXED]), pos = 0;
	uint32_t ncols = 0;
	r->cols.len = 0;
	/* 8 spare bytes: the walk copies a value of up to 8 bytes as 8 */
	if (skr_buf_reserve(&r->cols, total + 8) || (r->coded && skr_colmap_reset(&r->colmap, r->pool_len)))
		return skr_read_fail(r, -ENOMEM, "out of memory");
	/* 2.0: a column per (shape, parameter); coded: per (type, index, length) */
	for (uint32_t id = 0; id < r->nshapes; id++) {
		const struct rshape *sh = &r->shapes[id];
		for (uint32_t i = 0; i < sh->np; i++) {
			uint32_t len = r->pool[sh->pool_off + i];
			if (len == 0 || len > SKR_FIXED_MAX)
				continue;
			uint32_t before = ncols, c = ncols;
			if (r->coded)
				c = skr_colmap_get(&r->colmap, skr_colmap_key(sh->type, i, len), &ncols);
			else
				ncols++;
			if (c == before) {
				r->col_n[c] = 0;
				r->col_w[c] = (uint8_t)len;
			}
			r->colof[sh->pool_off + i] = c;
			r->col_n[c] += r->shape_count[id];
		}
	}
	for (uint32_t c = 0; c < ncols; c++) {
		size_t n = r->col_n[c], len = r->col_w[c], size = n * len;
		if (size > total - pos)
			return chunk_error(r, "fixed-size values do not fit their stream");
		uint8_t mode = SKR_COL_RAW;
		if (r->coded) {
			if (r->cur[SKR_S_COLMODE] == r->end[SKR_S_COLMODE])
				return chunk_error(r, "fewer column modes than columns");
			mode = *r->cur[SKR_S_COLMODE]++;
			if (mode != SKR_COL_RAW && (mode != SKR_COL_DELTA || len > 8))
				return chunk_error(r, "bad column mode");
		}
		if (mode == SKR_COL_DELTA)
			join_delta_column(r->cols.p + pos, r->cur[SKR_S_FIXED] + pos, n, (unsigned)len);
		else
			skr_planar_join(r->cols.p + pos, r->cur[SKR_S_FIXED] + pos, n, (unsigned)len);
		r->colcur[c] = r->cols.p + pos;
		pos += size;
	}
	if (pos != total)
		return chunk_error(r, "fixed-size stream longer than its values");
	r->cur[SKR_S_FIXED] = r->end[SKR_S_FIXED];
	return 0;
}

static int end_event(struct skr_reader *r);

/* Decodes the next event of a 2.x chunk into ev. For the walk (walk set),
 * FIXED values of up to 8 bytes are copied as 8 bytes right after the
 * parameters (the walked record: sk_event_rec_size) and pointed at, so
 * that the caller's thread reads them with the event, not from the
 * columns. Inlined into its two callers, which pass walk as a constant. */
static inline __attribute__((always_inline)) int decode_event_to(struct skr_reader *r, struct sk_event *ev, int walk)
{
	uint64_t id, tid, dts = 0, cpu, flags;
	/* scan_shapes() checked every id of the chunk. */
	if (skr_get_varint(&r->cur[SKR_S_SHAPE], r->end[SKR_S_SHAPE], &id) || id >= r->nshapes)
		return chunk_error(r, "bad shape");
	if (skr_get_varint(&r->cur[SKR_S_TID], r->end[SKR_S_TID], &tid))
		return chunk_error(r, "bad tid");
	if (!r->coded && skr_get_varint(&r->cur[SKR_S_TS], r->end[SKR_S_TS], &dts))
		return chunk_error(r, "bad timestamp");
	if (skr_get_varint(&r->cur[SKR_S_CPU], r->end[SKR_S_CPU], &cpu) || cpu > 0xffff)
		return chunk_error(r, "bad cpu");
	if (skr_get_varint(&r->cur[SKR_S_FLAGS], r->end[SKR_S_FLAGS], &flags) || flags > UINT32_MAX)
		return chunk_error(r, "bad flags");
	const struct rshape *sh = &r->shapes[id];
	r->cur_shape = (uint32_t)id;
	/* Locals: the stores below go through byte pointers, which may alias
	 * anything, so fields read in the loop would be reloaded every time. */
	const uint32_t np = sh->np, pool_off = sh->pool_off;
	const uint32_t *lens = r->pool + pool_off, *colof = r->colof + pool_off;
	const uint8_t **colcur = r->colcur;
	const uint8_t *raw = r->raw.p;
	struct sk_param *out = ev->params;
	uint64_t *inl = walk ? (uint64_t *)(void *)(out + np) : NULL;
	for (uint32_t i = 0; i < np; i++) {
		uint32_t len = lens[i];
		out[i].len = len;
		if (len == 0) {
			out[i].val = raw;
			continue;
		}
		if (len <= SKR_FIXED_MAX) {
			/* Columns hold exactly shape_count values: no bound to check. */
			uint32_t c = colof[i];
			const uint8_t *v = colcur[c];
			out[i].val = v;
			if (inl && len <= 8) {
				/* 8 bytes whatever its length (the column buffer has
				 * 8 spare): the bytes past it are never read */
				memcpy(&inl[i], v, 8);
				out[i].val = (const uint8_t *)&inl[i];
			}
			colcur[c] = v + len;
			/* Columns are read as hundreds of interleaved streams,
			 * more than the hardware prefetcher follows: fetch each
			 * one's next line ahead of its use. */
			__builtin_prefetch(v + len + 64);
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
				out[i].val = r->lits[ref - 1].val;
				continue;
			}
		}
		if (len > (size_t)(r->end[SKR_S_BIG] - r->cur[SKR_S_BIG]))
			return chunk_error(r, "parameter length does not fit");
		out[i].val = r->cur[SKR_S_BIG];
		r->cur[SKR_S_BIG] += len;
		if (r->nlits == r->cap_lits && grow_lits(r))
			return skr_read_fail(r, -ENOMEM, "out of memory");
		r->lits[r->nlits++] = out[i];
	}
	if (r->coded)
		r->prev_ts = r->tsv[r->nevents - r->left];
	else
		r->prev_ts += (uint64_t)skr_unzigzag(dts);
	ev->type = sh->type;
	ev->tid = skr_unzigzag(tid);
	ev->ts = r->prev_ts;
	ev->cpu = (uint16_t)cpu;
	ev->flags = (uint32_t)flags;
	ev->nparams = np;
	ev->num = r->num++;
	return end_event(r);
}

/* Out of line: skr_reader_next, which calls it on chunks not walked ahead,
 * would otherwise save and restore its registers for every event. */
static __attribute__((noinline)) int decode_event(struct skr_reader *r, struct sk_event *ev)
{
	return decode_event_to(r, ev, 0);
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

/* Grows the walked-ahead records to bytes and their count to nev (a
 * worker, once per chunk size). The first `at` bytes of records are kept,
 * and their parameters that point at their own inline values follow them
 * when the buffer moves. */
static int grow_pre(struct skr_reader *r, uint32_t nev, size_t bytes, size_t at)
{
	if (nev > r->cap_pre) {
		void *q = realloc(r->pre_nprep, (size_t)nev * sizeof(*r->pre_nprep));
		if (!q)
			return -ENOMEM;
		r->pre_nprep = q;
		r->cap_pre = nev;
	}
	if (bytes > r->cap_pre_rec || !r->pre_rec) {
		size_t cap = r->cap_pre_rec ? r->cap_pre_rec : 65536;
		while (cap < bytes)
			cap += cap / 2;
		uintptr_t old = (uintptr_t)r->pre_rec;
		uint8_t *q = realloc(r->pre_rec, cap + sizeof(struct sk_event));
		if (!q)
			return -ENOMEM;
		r->pre_rec = q;
		/* the parameters past the last record's are never read; the
		 * room past the end is at least defined */
		memset(q + cap, 0, sizeof(struct sk_event));
		r->cap_pre_rec = cap;
		if ((uintptr_t)q != old)
			for (size_t off = 0; off < at;) {
				struct sk_event *e = (struct sk_event *)(void *)(q + off);
				size_t size = sk_event_rec_size(e->nparams);
				for (uint32_t i = 0; i < e->nparams; i++) {
					uintptr_t d = (uintptr_t)e->params[i].val - old;
					if (d >= off && d < off + size)
						e->params[i].val = q + d;
				}
				off += size;
			}
	}
	return 0;
}

/* Room for one more event's prepared words (a worker). */
static int grow_prep(struct skr_reader *r)
{
	if (r->n_pre_prep + SKR_PREP_MAX <= r->cap_pre_prep)
		return 0;
	size_t cap = r->cap_pre_prep ? r->cap_pre_prep : 4096;
	while (cap < r->n_pre_prep + SKR_PREP_MAX)
		cap += cap / 2;
	void *q = realloc(r->pre_prep, cap * sizeof(*r->pre_prep));
	if (!q)
		return -ENOMEM;
	r->pre_prep = q;
	r->cap_pre_prep = cap;
	return 0;
}

int skr_read_predecode(struct skr_reader *r, const struct skr_prepare *prep, void *w)
{
	uint32_t n = r->left;
	/* 2.x: the shapes give the exact size, and room for one more event
	 * (decoded in place before its size is known); 1.0: a guess that
	 * grows */
	size_t want = (size_t)n * sk_event_rec_size(4);
	if (r->vmajor >= 2) {
		want = sk_event_rec_size(SK_MAX_PARAMS);
		for (uint32_t id = 0; id < r->nshapes; id++)
			want += (size_t)r->shape_count[id] * sk_event_rec_size(r->shapes[id].np);
	}
	if (grow_pre(r, n, want, 0))
		return -ENOMEM;
	r->pre_rc = 0;
	r->pre_at = 0;
	r->n_pre_prep = r->prep_i = 0;
	if (!prep || !prep->event)
		w = NULL;
	size_t at = 0;
	uint32_t k = 0;
	while (r->left) {
		int rc;
		if (at + sk_event_rec_size(SK_MAX_PARAMS) > r->cap_pre_rec &&
		    grow_pre(r, n, at + sk_event_rec_size(SK_MAX_PARAMS), at)) {
			r->pre_rc = skr_read_fail(r, -ENOMEM, "out of memory");
			break;
		}
		struct sk_event *e = (struct sk_event *)(void *)(r->pre_rec + at);
		if (r->vmajor >= 2) {
			rc = decode_event_to(r, e, 1);
		} else {
			/* 1.0: no inline values */
			rc = decode_event_v1(r, e);
		}
		if (rc) {
			r->pre_rc = rc;
			break;
		}
		r->pre_nprep[k] = 0;
		/* out of memory for them, the words are left out: they only
		 * spare the caller work, which it then does itself */
		if (w && (!prep->types || (e->type < SK_EV__COUNT && prep->types[e->type])) && !grow_prep(r)) {
			uint32_t np = prep->event(w, e, r->pre_prep + r->n_pre_prep);
			r->pre_nprep[k] = (uint16_t)(np <= SKR_PREP_MAX ? np : 0);
			r->n_pre_prep += r->pre_nprep[k];
		}
		k++;
		at += sk_event_rec_size(e->nparams);
	}
	r->pre_i = 0;
	r->pre_n = k;
	return 0;
}

/* The next walked-ahead event of chunk c, where it lies. */
static inline const struct sk_event *take_pre(struct skr_reader *c)
{
	const struct sk_event *e = (const struct sk_event *)(const void *)(c->pre_rec + c->pre_at);
	/* The worker wrote these on another core: ask for the lines a few
	 * events ahead before they are needed (the walk is sequential, but
	 * too short per event for the hardware prefetcher to run ahead). */
	__builtin_prefetch(c->pre_rec + c->pre_at + 2048);
	__builtin_prefetch(c->pre_nprep + c->pre_i + 32);
	c->pre_at += sk_event_rec_size(e->nparams);
	c->cur_prep_at = c->prep_i; /* an index: pre_prep is NULL without a hook */
	c->cur_nprep = c->pre_nprep[c->pre_i++];
	c->prep_i += c->cur_nprep;
	return e;
}

int skr_reader_next(struct skr_reader *r, struct sk_event *ev)
{
	for (;;) {
		if (r->status < 0)
			return r->status;
		struct skr_reader *c = r->chunk; /* r, or the pipeline slot holding the chunk */
		if (c->pre_i < c->pre_n) {
			const struct sk_event *e = take_pre(c);
			if (c->skip_active && e->ts < c->skip_ts)
				continue;
			/* the inline values stay where they are, with the chunk */
			memcpy(ev, e, offsetof(struct sk_event, params) + e->nparams * sizeof(e->params[0]));
			return 1;
		}
		if (c->pre_rc) {
			/* the events before the bad one went out first, as when walked here */
			int rc = c->pre_rc;
			c->pre_rc = 0;
			if (c == r)
				return r->status = rc;
			return skr_pipe_fail(r, c, rc);
		}
		if (c->left) {
			int skip = c->skip_active;
			c->cur_nprep = 0;
			int rc = r->vmajor >= 2 ? decode_event(c, ev) : decode_event_v1(c, ev);
			if (rc)
				return c == r ? rc : skr_pipe_fail(r, c, rc);
			if (skip && ev->ts < c->skip_ts)
				continue;
			return 1;
		}
		if (r->status == 1)
			return 0;
		int rc = r->pipe ? skr_pipe_frame(r) : skr_read_frame(r);
		if (rc <= 0)
			return rc;
	}
}

/* Walks chunk c, which no worker walked, on the caller's thread, so that
 * it too goes out as a run: 1, or 0 when it cannot (not at its start,
 * skipping to a time, out of memory: event by event then). An error stops
 * the walk after the events before it (c->pre_rc), delivered after them
 * as a worker's is: on the reader itself the status waits until then. */
static int walk_here(struct skr_reader *r, struct skr_reader *c)
{
	if (!c->left || c->left != c->nevents || c->skip_active || c->pre_rc)
		return 0;
	int status = r->status;
	if (skr_read_predecode(c, NULL, NULL) < 0)
		return 0; /* out of memory before the first event: nothing consumed */
	if (c == r && c->pre_rc)
		r->status = status;
	return 1;
}

int skr_reader_next_run(struct skr_reader *r, struct sk_event_run *run)
{
	run->n = 0;
	while (r->status >= 0) {
		struct skr_reader *c = r->chunk;
		if (c->pre_i < c->pre_n && !c->skip_active) {
			/* the rest of the walked chunk at once, where it lies */
			run->rec = c->pre_rec + c->pre_at;
			run->n = c->pre_n - c->pre_i;
			run->nprep = c->pre_nprep + c->pre_i;
			run->prep = c->pre_prep ? c->pre_prep + c->prep_i : NULL;
			c->pre_i = c->pre_n;
			c->prep_i = c->n_pre_prep;
			c->cur_nprep = 0;
			return 1;
		}
		if (c->pre_i < c->pre_n || c->pre_rc || c->left) {
			if (c->left && walk_here(r, c))
				continue;
			break; /* event by event below */
		}
		if (r->status == 1)
			return 0;
		int rc = r->pipe ? skr_pipe_frame(r) : skr_read_frame(r);
		if (rc <= 0)
			return rc;
	}
	int rc = skr_reader_next(r, &r->own);
	if (rc != 1)
		return rc;
	/* one event: taken apart on this thread, or a walked one copied out
	 * (while skipping to a time) */
	r->own_nprep = (uint16_t)r->chunk->cur_nprep;
	run->rec = (const uint8_t *)&r->own;
	run->n = 1;
	run->nprep = &r->own_nprep;
	run->prep = r->own_nprep ? r->chunk->pre_prep + r->chunk->cur_prep_at : NULL;
	return 1;
}

uint32_t skr_reader_prep(const struct skr_reader *r, const uint64_t **words)
{
	const struct skr_reader *c = r->chunk;
	*words = c->cur_nprep ? c->pre_prep + c->cur_prep_at : NULL;
	return c->cur_nprep;
}
