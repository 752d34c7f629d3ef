/* formats/scap/read.c: .scap reader: opening (file or memory, plain or gzip), errors, accessors. */
#include "formats/scap/read_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int scap_read_fail(struct scap_reader *r, int rc, size_t off, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(r->err, sizeof(r->err), "%s: byte %zu: %s", r->name, off, msg);
	r->done = 1;
	return rc;
}

/* off: where the incomplete block starts; the input itself ended at r->len
 * (of the decompressed data for gzip input). */
int scap_read_truncated(struct scap_reader *r, size_t off)
{
	const char *gz = r->gz_trunc ? " of the decompressed data (the gzip stream is cut or corrupt)" : "";
	if (off < r->len)
		snprintf(r->err, sizeof(r->err), "%s: truncated at byte %zu%s: the block at byte %zu is incomplete",
			 r->name, r->len, gz, off);
	else
		snprintf(r->err, sizeof(r->err), "%s: truncated at byte %zu%s", r->name, r->len, gz);
	r->done = 1;
	return -EIO;
}

int scap_probe(const uint8_t *head, size_t len)
{
	if (len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
		return 1;
	return len >= 4 && rd32(head) == BT_SHB;
}

/* Inflates every concatenated gzip member; a cut stream keeps what was
 * decoded and sets gz_trunc so the block walk reports where it stopped. */
static int inflate_all(struct scap_reader *r, const uint8_t *in, size_t inlen)
{
	size_t cap = inlen * 8 + 4096, used = 0;
	uint8_t *out = malloc(cap);
	z_stream zs;
	if (!out)
		return -ENOMEM;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		free(out);
		return -ENOMEM;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		if (cap - used < 65536) {
			uint8_t *n = realloc(out, cap * 2);
			if (!n) {
				inflateEnd(&zs);
				free(out);
				return -ENOMEM;
			}
			out = n;
			cap *= 2;
		}
		zs.next_out = out + used;
		zs.avail_out = (uInt)(cap - used);
		int rc = inflate(&zs, Z_NO_FLUSH);
		used = cap - zs.avail_out;
		if (rc == Z_STREAM_END) {
			if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
				inflateReset(&zs);
				continue;
			}
			break;
		}
		if (rc == Z_OK)
			continue;
		if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
			r->gz_trunc = 1;
			break;
		}
		r->gz_trunc = 1; /* corrupt: keep what decoded */
		break;
	}
	inflateEnd(&zs);
	r->buf = out;
	r->len = used;
	return 0;
}

const char *scap_error(const struct scap_reader *r)
{
	return r->err;
}

const struct sk_meta *scap_meta(const struct scap_reader *r)
{
	return r->meta;
}

const struct scap_stats *scap_get_stats(const struct scap_reader *r)
{
	return &r->stats;
}

void scap_close(struct scap_reader *r)
{
	if (!r)
		return;
	sk_meta_free(r->meta);
	free(r->slots);
	free(r->buf);
	free(r->name);
	free(r);
}

static int open_common(struct scap_reader *r, const uint8_t *data, size_t len, char *err, size_t errlen)
{
	int rc;
	if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
		if ((rc = inflate_all(r, data, len)) < 0)
			goto out;
	} else {
		r->buf = malloc(len ? len : 1);
		if (!r->buf) {
			rc = -ENOMEM;
			goto out;
		}
		memcpy(r->buf, data, len);
		r->len = len;
	}
	if (r->len < 4 || rd32(r->buf) != BT_SHB) {
		rc = r->len < 4 && r->gz_trunc ? scap_read_truncated(r, r->len)
					      : scap_read_fail(r, -EINVAL, 0, "not a .scap file (no section header)");
		goto out;
	}
	/* Read the metadata of the first section now, so scap_meta() is
	 * complete before the first event; the first event block is left
	 * for scap_next(). */
	for (;;) {
		uint32_t bt;
		const uint8_t *b;
		size_t bl, off;
		rc = scap_read_next_block(r, &bt, &b, &bl, &off);
		if (rc < 0)
			goto out;
		if (rc == 1) {
			r->pos = off;
			r->stats.blocks--;
		}
		r->done = 0;
		rc = 0;
		break;
	}
	if (r->stats.sections == 0)
		rc = scap_read_fail(r, -EINVAL, 0, "not a .scap file (no section header)");
out:
	if (rc < 0) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err), "%s: %s", r->name, strerror(-rc));
		snprintf(err, errlen, "%s", r->err);
	}
	return rc;
}

int scap_open_mem(const void *data, size_t len, const char *name, const struct scap_read_opts *opts,
		  struct scap_reader **out, char *err, size_t errlen)
{
	struct scap_reader *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r || !(r->name = strdup(name ? name : "<memory>")) || !(r->meta = sk_meta_new())) {
		scap_close(r);
		snprintf(err, errlen, "%s: out of memory", name ? name : "<memory>");
		return -ENOMEM;
	}
	if (opts)
		r->opts = *opts;
	int rc = open_common(r, data, len, err, errlen);
	if (rc < 0) {
		scap_close(r);
		return rc;
	}
	*out = r;
	return 0;
}

int scap_open(const char *path, const struct scap_read_opts *opts, struct scap_reader **out,
	      char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t len = 0, cap = 0;
	*out = NULL;
	if (!f) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	for (;;) {
		if (cap - len < 65536) {
			size_t ncap = cap ? cap * 2 : 1 << 20;
			uint8_t *n = realloc(data, ncap);
			if (!n) {
				free(data);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return -ENOMEM;
			}
			data = n;
			cap = ncap;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	int rerr = ferror(f);
	fclose(f);
	if (rerr) {
		free(data);
		snprintf(err, errlen, "%s: read error", path);
		return -EIO;
	}
	int rc = scap_open_mem(data, len, path, opts, out, err, errlen);
	free(data);
	return rc;
}
