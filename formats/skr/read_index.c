/* formats/skr/read_index.c: the .skr reader's footer index and seeking by time (indexed, or by walking frame headers). */
#include "formats/skr/read_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Reads the saker frame at off into buf; returns its tag (0 when it is not a
 * complete, valid saker frame), the content at buf->p. */
static uint32_t pread_frame_in(int fd, struct skr_buf *buf, uint64_t off, uint32_t *size)
{
	uint8_t h[8];
	if (pread_full(fd, h, 8, off) || skr_get_u32(h) != SKR_SKIPPABLE_MAGIC)
		return 0;
	*size = skr_get_u32(h + 4);
	if (*size < 8 || *size > SKR_MAX_FRAME)
		return 0;
	buf->len = 0;
	if (skr_buf_reserve(buf, *size) || pread_full(fd, buf->p, *size, off + 8))
		return 0;
	return skr_read_frame_tag(buf->p, *size);
}

/* pread_frame_in into r->tmp. */
static uint32_t pread_frame(struct skr_reader *r, uint64_t off, uint32_t *size)
{
	return pread_frame_in(r->fd, &r->tmp, off, size);
}

/* Why the key chunk at off cannot be a chunk's dictionary. */
static int key_corrupt(struct skr_reader *r, uint64_t off, uint64_t user_off)
{
	char why[160];
	snprintf(why, sizeof(why), "its dictionary, the chunk at byte %llu, %s", (unsigned long long)off,
		 r->seekable ? "is not a valid key chunk" : "was not read (the input is not seekable)");
	return skr_read_corrupt(r, user_off, why);
}

int skr_read_key_from(struct skr_reader *r, uint64_t off, const struct batch *bt, const uint8_t *z,
		      uint64_t user_off)
{
	r->key.len = 0;
	r->key_off = 0;
	if (skr_buf_reserve(&r->key, bt->raw_len + 1))
		return skr_read_fail(r, -ENOMEM, "out of memory");
	size_t got = ZSTD_decompressDCtx(r->dctx, r->key.p, bt->raw_len, z, bt->zlen);
	if (ZSTD_isError(got) || got != bt->raw_len)
		return key_corrupt(r, off, user_off);
	r->key.len = got;
	r->key_off = off;
	return 0;
}

int skr_read_key_chunk(struct skr_reader *r, uint64_t off, uint64_t user_off)
{
	uint32_t size;
	if (!r->seekable || pread_frame_in(r->fd, &r->ktmp, off, &size) != SKR_TAG_BATCH)
		return key_corrupt(r, off, user_off);
	struct batch bt;
	int rc = skr_read_batch_header(r, off, r->ktmp.p + 8, size - 8, &bt);
	if (rc)
		return rc;
	if (!(bt.chunk_flags & SKR_CHUNK_KEY))
		return key_corrupt(r, off, user_off);
	/* the compressed bytes follow the header frame in r->ktmp */
	size_t hsize = size;
	if (skr_buf_reserve(&r->ktmp, hsize + bt.zlen) ||
	    pread_full(r->fd, r->ktmp.p + hsize, bt.zlen, off + 8 + hsize))
		return key_corrupt(r, off, user_off);
	return skr_read_key_from(r, off, &bt, r->ktmp.p + hsize, user_off);
}

void skr_read_footer(struct skr_reader *r, uint64_t file_size)
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
		return skr_read_corrupt(r, off, "metadata frame listed in the index is unreadable");
	int rc = skr_read_meta_frame(r, off, r->tmp.p + 8, size - 8);
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
				int rc = skr_read_meta_frame(r, off, r->tmp.p + 8, size - 8);
				if (rc)
					return rc;
				r->meta_hw = off + 8 + size;
			}
		} else if (tag == SKR_TAG_BATCH) {
			struct batch bt;
			char keep[sizeof(r->err)];
			memcpy(keep, r->err, sizeof(keep));
			int st = r->status;
			if (skr_read_batch_header(r, off, r->tmp.p + 8, size - 8, &bt)) {
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
	skr_pipe_stop(r); /* the frames it decoded ahead are not the seek's */
	r->status = 0;
	uint64_t target;
	int rc = r->has_index ? seek_indexed(r, ts, &target) : seek_scan(r, ts, &target);
	if (rc)
		return rc;
	if (target > r->meta_hw)
		r->meta_hw = target;
	if (lseek(r->fd, (off_t)target, SEEK_SET) < 0)
		return skr_read_fail(r, -errno, "cannot seek: %s", strerror(errno));
	r->in_pos = r->in_len = 0;
	r->in_eof = 0;
	r->in_off = target;
	r->left = 0;
	r->skip_pending = 1;
	r->skip_active = 0;
	r->skip_ts = ts;
	return 0;
}
