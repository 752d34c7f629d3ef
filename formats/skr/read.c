/* formats/skr/read.c: the .skr reader: opening, buffered input, the frame walk, the header and metadata frames. */
#include "formats/skr/read_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IN_CHUNK (256u << 10)

int skr_read_fail(struct skr_reader *r, int rc, const char *fmt, ...)
{
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->status = rc;
	return rc;
}

int skr_read_corrupt(struct skr_reader *r, uint64_t off, const char *what)
{
	return skr_read_fail(r, SKR_ECORRUPT, "corrupt frame at byte %" PRIu64 ": %s", off, what);
}

/* Buffers n bytes at in_pos when the input has them. Returns how many are
 * buffered (fewer than n only at the end of the input) or -errno. */
static ssize_t in_fill(struct skr_reader *r, size_t n)
{
	size_t avail = r->in_len - r->in_pos;
	if (avail >= n || r->in_eof)
		return (ssize_t)(avail < n ? avail : n);
	if (r->in_cap - r->in_pos < n || r->in_pos > r->in_cap / 2) {
		if (avail) /* in is NULL in a decode pipeline's fresh input */
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
	return skr_read_fail(r, SKR_ETRUNCATED,
			 "truncated at byte %" PRIu64 " (the frame at byte %" PRIu64 " is incomplete)",
			 r->in_off + avail, frame_off);
}

static int io_error(struct skr_reader *r, ssize_t rc)
{
	return skr_read_fail(r, (int)rc, "read failed at byte %" PRIu64 ": %s", r->in_off,
			 strerror((int)-rc));
}

/* Checks the CRC of a saker frame's content; returns its tag or 0 when bad. */
uint32_t skr_read_frame_tag(const uint8_t *content, uint32_t size)
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

int skr_read_meta_frame(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen)
{
	if (blen < 16)
		return skr_read_corrupt(r, off, "metadata frame too short");
	uint32_t kind = skr_get_u32(b), count = skr_get_u32(b + 4), raw_len = skr_get_u32(b + 8);
	uint8_t comp = b[12];
	const uint8_t *pay = b + 16;
	size_t plen = blen - 16;
	if (raw_len > SKR_MAX_META_RAW)
		return skr_read_corrupt(r, off, "metadata size too large");
	if (kind == 0 || kind >= SK_META__COUNT)
		return 0; /* a later minor version's kind */
	if (comp == 1) {
		r->mraw.len = 0;
		if (skr_buf_reserve(&r->mraw, raw_len + 1))
			return skr_read_fail(r, -ENOMEM, "out of memory");
		size_t got = ZSTD_decompressDCtx(r->dctx, r->mraw.p, raw_len, pay, plen);
		if (ZSTD_isError(got) || got != raw_len)
			return skr_read_corrupt(r, off, "metadata payload does not decompress to its size");
		pay = r->mraw.p;
		plen = raw_len;
	} else if (comp != 0 || plen != raw_len) {
		return skr_read_corrupt(r, off, "bad metadata compression or size");
	}
	char why[256];
	int rc = skr_meta_decode_records(r->meta, kind, pay, plen, count, why, sizeof(why));
	if (rc == -ENOMEM)
		return skr_read_fail(r, rc, "out of memory");
	if (rc)
		return skr_read_corrupt(r, off, why);
	if (kind == SK_META_END)
		r->complete = 1;
	return 0;
}

int skr_read_batch_header(struct skr_reader *r, uint64_t off, const uint8_t *b, size_t blen,
		       struct batch *bt)
{
	if (blen < SKR_BATCH_FIXED)
		return skr_read_corrupt(r, off, "batch header too short");
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
		return skr_read_corrupt(r, off, "bad stream count");
	if (bt->nevents == 0 || bt->raw_len > SKR_MAX_RAW || bt->zlen < 9 ||
	    bt->zlen > ZSTD_compressBound(bt->raw_len) || bt->min_ts > bt->max_ts)
		return skr_read_corrupt(r, off, "bad batch sizes");
	uint64_t sum = 0;
	for (uint32_t i = 0; i < bt->nstreams; i++) {
		uint32_t len = skr_get_u32(b + SKR_BATCH_FIXED + 4 * i);
		if (i < SKR_NSTREAMS_CODED)
			bt->stream_len[i] = len;
		sum += len;
	}
	if (sum != bt->raw_len)
		return skr_read_corrupt(r, off, "stream lengths do not add up to the chunk size");
	bt->chunk_flags = 0;
	bt->dict_off = 0;
	if (r->coded) {
		size_t tail = SKR_BATCH_FIXED + 4 * (size_t)bt->nstreams;
		if (blen < tail + SKR_BATCH_CODED_TAIL)
			return skr_read_corrupt(r, off, "batch header too short");
		bt->chunk_flags = skr_get_u32(b + tail);
		bt->dict_off = skr_get_u64(b + tail + 4);
		/* a key chunk has no dictionary itself: no chains to follow */
		if (bt->dict_off >= off || (bt->dict_off && (bt->chunk_flags & SKR_CHUNK_KEY)) ||
		    (bt->dict_off && bt->dict_off < r->data_start))
			return skr_read_corrupt(r, off, "bad dictionary chunk offset");
	}
	return 0;
}

int skr_read_frame_fetch(struct skr_reader *r, struct frame *f)
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
		return skr_read_corrupt(r, off, "zstd frame without a batch header");
	/* Other skippable magics are refused too: in a saker file they can only
	 * come from a damaged byte, and skipping them would hide the damage. */
	if (magic != SKR_SKIPPABLE_MAGIC)
		return skr_read_corrupt(r, off, "bad frame magic");
	if (size > SKR_MAX_FRAME || size < 8)
		return skr_read_corrupt(r, off, "bad frame size");
	n = in_fill(r, 8 + (size_t)size);
	if (n < 0)
		return io_error(r, n);
	if ((size_t)n < 8 + (size_t)size)
		return truncated(r, off, (size_t)n);
	const uint8_t *c = r->in + r->in_pos + 8;
	f->off = off;
	f->tag = skr_read_frame_tag(c, size);
	f->body = c + 8;
	f->blen = size - 8;
	f->consume = 8 + (size_t)size;
	f->z = NULL;
	if (f->tag == 0)
		return skr_read_corrupt(r, off, "CRC mismatch");
	if (f->tag == SKR_TAG_HEADER)
		return skr_read_corrupt(r, off, "a second file header");
	/* in open(), a chunk is left unread (skr_read_frame) */
	if (f->tag != SKR_TAG_BATCH || r->opening)
		return 1;
	int rc = skr_read_batch_header(r, off, f->body, f->blen, &f->bt);
	if (rc)
		return rc;
	in_consume(r, f->consume);
	n = in_fill(r, f->bt.zlen);
	if (n < 0)
		return io_error(r, n);
	if ((size_t)n < f->bt.zlen)
		return truncated(r, off, (size_t)n);
	f->body = NULL;
	f->z = r->in + r->in_pos;
	f->consume = f->bt.zlen;
	return 1;
}

void skr_read_consume(struct skr_reader *r, size_t n)
{
	in_consume(r, n);
}

int skr_read_frame_apply(struct skr_reader *r, const struct frame *f)
{
	int rc = 0;
	if (f->tag == SKR_TAG_META) {
		uint64_t frame_end = f->off + 16 + f->blen;
		if (f->off >= r->meta_hw) {
			rc = skr_read_meta_frame(r, f->off, f->body, f->blen);
			r->meta_hw = frame_end;
		}
		return rc ? rc : 2;
	}
	if (f->tag == SKR_TAG_FOOTER) {
		r->status = 1;
		return 0;
	}
	if (f->tag == SKR_TAG_PACKETS && r->psink)
		rc = skr_read_packet_frame(r, f->off, f->body, f->blen);
	return rc ? rc : 2;
}

int skr_read_frame(struct skr_reader *r)
{
	struct frame f;
	int rc = skr_read_frame_fetch(r, &f);
	if (rc <= 0)
		return rc;
	/* open() stops before the first packet frame so a sink set right
	 * after it still sees every packet, and before the first event chunk,
	 * which decode workers then take like every other (set up after
	 * open: skr_reader_set_decode_threads) */
	if ((f.tag == SKR_TAG_PACKETS || f.tag == SKR_TAG_BATCH) && r->opening)
		return 3;
	if (f.tag != SKR_TAG_BATCH) {
		rc = skr_read_frame_apply(r, &f);
		in_consume(r, f.consume);
		return rc;
	}
	rc = skr_read_load_chunk(r, f.off, &f.bt, f.z);
	if (rc)
		return rc;
	in_consume(r, f.consume);
	if (r->in_off > r->meta_hw)
		r->meta_hw = r->in_off;
	return 1;
}

static int read_header(struct skr_reader *r)
{
	ssize_t n = in_fill(r, 12);
	if (n < 0)
		return io_error(r, n);
	const uint8_t *h = r->in + r->in_pos;
	if (n < 12 || !skr_probe(h, (size_t)n))
		return skr_read_fail(r, -EINVAL, "not a .skr capture (bad magic)");
	uint32_t size = skr_get_u32(h + 4);
	if (size < 20 || size > SKR_MAX_FRAME)
		return skr_read_corrupt(r, 0, "bad header size");
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
		return skr_read_fail(r, SKR_EVERSION,
				 ".skr version %u.%u is newer than this reader (%u.x); upgrade saker",
				 r->vmajor, r->vminor, SKR_VERSION_MAJOR);
	if (skr_read_frame_tag(c, size) != SKR_TAG_HEADER)
		return skr_read_corrupt(r, 0, "header CRC mismatch");
	if (r->vmajor == 0)
		return skr_read_corrupt(r, 0, "version 0");
	r->nstreams = r->vmajor == 1 ? SKR_V1_NSTREAMS : SKR_NSTREAMS;
	uint32_t flags = skr_get_u32(c + 12), host_len = skr_get_u32(c + 16);
	if (flags & SKR_FLAGS_MUST_UNDERSTAND & ~SKR_FLAG_CODED)
		return skr_read_fail(r, SKR_EVERSION, "header flags 0x%x are not supported; upgrade saker",
				 flags & SKR_FLAGS_MUST_UNDERSTAND & ~SKR_FLAG_CODED);
	if (flags & SKR_FLAG_CODED) {
		if (r->vmajor < 2)
			return skr_read_corrupt(r, 0, "coded chunks in a version 1 file");
		r->coded = 1;
		r->nstreams = SKR_NSTREAMS_CODED;
	}
	if (host_len > size - 20)
		return skr_read_corrupt(r, 0, "host record does not fit in the header");
	char why[256];
	int rc = skr_meta_decode_record(r->meta, SK_META_HOST, c + 20, host_len, why, sizeof(why));
	if (rc == -ENOMEM)
		return skr_read_fail(r, rc, "out of memory");
	if (rc)
		return skr_read_corrupt(r, 0, why);
	in_consume(r, 8 + (size_t)size);
	r->data_start = r->meta_hw = r->in_off;
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
	r->chunk = r;
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
		skr_read_footer(r, (uint64_t)st.st_size);
	/* Load the metadata that precedes the first event chunk. */
	r->opening = 1;
	while (r->status == 0 && r->left == 0 && skr_read_frame(r) == 2)
		;
	r->opening = 0;
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
	skr_pipe_free(r);
	if (r->own_fd)
		close(r->fd);
	free(r->in);
	ZSTD_freeDCtx(r->dctx);
	skr_buf_free(&r->raw);
	skr_buf_free(&r->mraw);
	skr_buf_free(&r->tmp);
	skr_buf_free(&r->praw);
	sk_meta_free(r->meta);
	free(r->index);
	free(r->shapes);
	free(r->pool);
	free(r->lits);
	free(r->shape_count);
	free(r->colcur);
	free(r->colof);
	free(r->col_n);
	free(r->col_w);
	skr_colmap_free(&r->colmap);
	skr_buf_free(&r->cols);
	free(r->tsv);
	free(r->pre_rec);
	free(r->pre_nprep);
	free(r->pre_prep);
	skr_buf_free(&r->key);
	skr_buf_free(&r->ktmp);
	free(r);
}
