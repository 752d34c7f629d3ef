/* sources/k8saudit_file.c: Kubernetes audit logs as an event source: JSON lines (an Event or EventList per line), plain or gzip. */
#include "sources/source.h"
#include "sources/k8saudit_int.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

/*
 * The k8saudit plugin's file form (an API server's audit log backend writes
 * it): one JSON payload per line. A line that is not JSON or not audit data
 * is skipped and reported with its line number, as the plugin logs and goes
 * on; so is an event without a readable stageTimestamp (the event's time).
 * Reports go through source_opts.warn; after the first SOURCE_KA_WARN_MAX
 * only a count is kept, printed at the end.
 */

#define READ_CHUNK (64 * 1024)
#define LINE_MAX_BYTES (64u << 20)
#define SOURCE_KA_WARN_MAX 20

struct ka_file {
	char name[256];
	int fd;
	/* gzip: raw input is inflated into buf */
	int gz, gz_end;
	z_stream z;
	uint8_t *in;
	const uint8_t *head;      /* bytes sniffed before open, fed first */
	size_t head_len;
	uint8_t *in_head;         /* our copy of them */
	/* decoded text: lines are cut from buf[off..len) */
	char *buf;
	size_t cap, len, off;
	int eof;
	uint64_t lineno;
	int skipping;             /* inside a line longer than LINE_MAX_BYTES */
	struct source_ka_split split;
	size_t next;              /* next event of split to deliver */
	uint8_t id[4];
	uint64_t num;
	struct sk_meta *meta;
	/* problems */
	void (*warn)(void *ctx, const char *msg);
	void *warn_ctx;
	uint64_t bad_lines, skipped_events, warned;
	int summary_done;
	char err[512];
};

static void default_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

static void report(struct ka_file *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(struct ka_file *f, const char *fmt, ...)
{
	if (f->warned++ >= SOURCE_KA_WARN_MAX)
		return;
	char msg[768];
	int n = snprintf(msg, sizeof(msg), "%s:", f->name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	f->warn(f->warn_ctx, msg);
	if (f->warned == SOURCE_KA_WARN_MAX)
		f->warn(f->warn_ctx, "(further problems of this file are only counted)");
}

/* Reads raw bytes: the sniffed head first, then the fd. */
static ssize_t raw_read(struct ka_file *f, uint8_t *dst, size_t n)
{
	if (f->head_len) {
		size_t k = f->head_len < n ? f->head_len : n;
		memcpy(dst, f->head, k);
		f->head += k;
		f->head_len -= k;
		return (ssize_t)k;
	}
	for (;;) {
		ssize_t k = read(f->fd, dst, n);
		if (k < 0 && errno == EINTR)
			continue;
		return k < 0 ? -errno : k;
	}
}

/* Appends decoded text to buf: 1 when some was added, 0 at the end, <0 on error. */
static int fill(struct ka_file *f)
{
	if (f->off > 0 && f->off >= f->len / 2) {
		memmove(f->buf, f->buf + f->off, f->len - f->off);
		f->len -= f->off;
		f->off = 0;
	}
	if (f->cap - f->len < READ_CHUNK) {
		size_t cap = f->cap ? f->cap * 2 : 4 * READ_CHUNK;
		char *b = realloc(f->buf, cap);
		if (!b)
			return -ENOMEM;
		f->buf = b;
		f->cap = cap;
	}
	if (!f->gz) {
		/* bounded reads keep an overlong line from growing the buffer far past the limit */
		size_t room = f->cap - f->len < 16 * READ_CHUNK ? f->cap - f->len : 16 * READ_CHUNK;
		ssize_t k = raw_read(f, (uint8_t *)f->buf + f->len, room);
		if (k < 0) {
			snprintf(f->err, sizeof(f->err), "%s: cannot read: %s", f->name, strerror((int)-k));
			return (int)k;
		}
		f->len += (size_t)k;
		return k > 0;
	}
	for (;;) {
		if (f->z.avail_in == 0 && !f->eof) {
			ssize_t k = raw_read(f, f->in, READ_CHUNK);
			if (k < 0) {
				snprintf(f->err, sizeof(f->err), "%s: cannot read: %s", f->name, strerror((int)-k));
				return (int)k;
			}
			f->eof = k == 0;
			f->z.next_in = f->in;
			f->z.avail_in = (uInt)k;
		}
		if (f->z.avail_in == 0 && f->eof) {
			if (!f->gz_end) {
				snprintf(f->err, sizeof(f->err),
					 "%s: the gzip stream is cut after %" PRIu64 " lines (incomplete last member)",
					 f->name, f->lineno);
				return -EIO;
			}
			return 0;
		}
		if (f->gz_end) {
			/* another gzip member follows (concatenated files, zcat-style) */
			inflateReset(&f->z);
			f->gz_end = 0;
		}
		size_t room = f->cap - f->len < 16 * READ_CHUNK ? f->cap - f->len : 16 * READ_CHUNK;
		f->z.next_out = (Bytef *)f->buf + f->len;
		f->z.avail_out = (uInt)room;
		int zr = inflate(&f->z, Z_NO_FLUSH);
		size_t got = room - f->z.avail_out;
		f->len += got;
		if (zr == Z_STREAM_END)
			f->gz_end = 1;
		else if (zr != Z_OK && zr != Z_BUF_ERROR) {
			snprintf(f->err, sizeof(f->err), "%s: corrupt gzip data after %" PRIu64 " lines: %s", f->name,
				 f->lineno, f->z.msg ? f->z.msg : "inflate failed");
			return -EIO;
		}
		if (got)
			return 1;
	}
}

/* The next line, without its newline, in line and n: 1, 0 at the end, <0 on error. */
static int next_line(struct ka_file *f, const char **line, size_t *n)
{
	size_t scanned = 0; /* bytes after off known to hold no newline */
	for (;;) {
		char *start = f->buf ? f->buf + f->off : NULL;
		char *nl = start && f->len > f->off + scanned ? memchr(start + scanned, '\n', f->len - f->off - scanned)
							       : NULL;
		if (nl) {
			size_t k = (size_t)(nl - start);
			f->off += k + 1;
			f->lineno++;
			if (!f->skipping && k > LINE_MAX_BYTES) {
				f->bad_lines++;
				report(f, "%" PRIu64 ": line longer than %u MiB, skipped", f->lineno, LINE_MAX_BYTES >> 20);
				scanned = 0;
				continue;
			}
			if (f->skipping) {
				/* the end of an overlong line: drop it */
				f->skipping = 0;
				scanned = 0;
				continue;
			}
			*line = start;
			*n = k;
			return 1;
		}
		scanned = f->len - f->off;
		if (scanned > LINE_MAX_BYTES) {
			if (!f->skipping) {
				f->bad_lines++;
				report(f, "%" PRIu64 ": line longer than %u MiB, skipped", f->lineno + 1,
				       LINE_MAX_BYTES >> 20);
			}
			f->skipping = 1;
			f->off = f->len = 0;
			scanned = 0;
		}
		int rc = fill(f);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (f->len == f->off)
				return 0;
			/* a last line without newline */
			*line = f->buf + f->off;
			*n = f->len - f->off;
			f->off = f->len;
			f->lineno++;
			if (f->skipping)
				return 0;
			return 1;
		}
	}
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Once the input is exhausted: how much was skipped, in one line. */
static void summary(struct ka_file *f)
{
	if (f->summary_done)
		return;
	f->summary_done = 1;
	if (!f->bad_lines && !f->skipped_events)
		return;
	char msg[512];
	snprintf(msg, sizeof(msg),
		 "%s: %" PRIu64 " of %" PRIu64 " lines skipped (not JSON or not Kubernetes audit data), %" PRIu64
		 " events skipped; %" PRIu64 " events read",
		 f->name, f->bad_lines, f->lineno, f->skipped_events, f->num);
	f->warn(f->warn_ctx, msg);
}

static int ka_file_next(void *impl, struct sk_event *ev)
{
	struct ka_file *f = impl;
	if (f->err[0])
		return -1;
	while (f->next >= f->split.nev) {
		const char *line;
		size_t n;
		int rc = next_line(f, &line, &n);
		if (rc < 0) {
			if (!f->err[0])
				snprintf(f->err, sizeof(f->err), "%s: out of memory", f->name);
			summary(f);
			return -1;
		}
		if (rc == 0) {
			summary(f);
			return 0;
		}
		f->next = 0;
		f->split.nev = 0;
		if (blank(line, n))
			continue;
		char err[256];
		rc = source_ka_split_payload(&f->split, line, n, err, sizeof(err));
		if (rc == -ENOMEM) {
			snprintf(f->err, sizeof(f->err), "%s:%" PRIu64 ": out of memory", f->name, f->lineno);
			return -1;
		}
		if (rc < 0) {
			f->bad_lines++;
			report(f, "%" PRIu64 ": %s", f->lineno, err);
			continue;
		}
		if (f->split.skipped) {
			f->skipped_events += f->split.skipped;
			report(f, "%" PRIu64 ": %s%s", f->lineno, f->split.first_problem,
			       f->split.skipped > 1 ? " (and more events of the line)" : "");
		}
	}
	source_ka_make_event(&f->split, &f->split.ev[f->next++], f->id, ev);
	ev->num = ++f->num;
	return 1;
}

static const struct sk_meta *ka_file_meta(void *impl)
{
	return ((struct ka_file *)impl)->meta;
}

static const char *ka_file_error(void *impl)
{
	return ((struct ka_file *)impl)->err;
}

static void ka_file_close(void *impl)
{
	struct ka_file *f = impl;
	if (f->gz)
		inflateEnd(&f->z);
	source_ka_split_fini(&f->split);
	sk_meta_free(f->meta);
	free(f->in);
	free(f->in_head);
	free(f->buf);
	free(f);
}

static int is_gzip(const uint8_t *h, size_t n)
{
	return n >= 2 && h[0] == 0x1f && h[1] == 0x8b;
}

/* JSON text starts with an object or an array (after blanks or a UTF-8 BOM). */
static int json_start(const uint8_t *h, size_t n)
{
	size_t i = 0;
	if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf)
		i = 3;
	while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
		i++;
	return i < n && (h[i] == '{' || h[i] == '[');
}

/* Told apart from captures by content: JSON text, or gzip whose first
 * inflated bytes are JSON text (source.c reads more of a gzip head). */
static int ka_probe(const uint8_t *head, size_t len)
{
	if (!is_gzip(head, len))
		return json_start(head, len);
	z_stream z;
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return 0;
	uint8_t out[256];
	z.next_in = (Bytef *)head;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = sizeof(out);
	inflate(&z, Z_SYNC_FLUSH);
	size_t got = sizeof(out) - z.avail_out;
	inflateEnd(&z);
	return json_start(out, got);
}

static void *ka_file_open(int fd, const char *name, const uint8_t *head, size_t len, const struct source_opts *opts,
			  char *err, size_t errlen)
{
	struct ka_file *f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->fd = fd;
	f->head = head;
	f->head_len = len;
	f->warn = opts && opts->warn ? opts->warn : default_warn;
	f->warn_ctx = opts ? opts->warn_ctx : NULL;
	source_ka_split_init(&f->split, opts ? opts->k8saudit_max_event : 0);
	f->meta = sk_meta_new();
	if (!f->meta)
		goto oom;
	if (is_gzip(head, len)) {
		f->gz = 1;
		f->in = malloc(READ_CHUNK);
		if (!f->in || inflateInit2(&f->z, 16 + MAX_WBITS) != Z_OK) {
			f->gz = 0;
			goto oom;
		}
	}
	/* the head bytes belong to the caller: copy them before returning */
	if (len) {
		uint8_t *copy = malloc(len);
		if (!copy)
			goto oom;
		memcpy(copy, head, len);
		f->head = copy;
		f->in_head = copy;
	}
	return f;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
	ka_file_close(f);
	return NULL;
}

static const struct source_ops ka_file_ops = {
	.next = ka_file_next,
	.meta = ka_file_meta,
	.seek_time = NULL,
	.error = ka_file_error,
	.close = ka_file_close,
};

const struct source_format source_format_k8saudit = {
	.name = "k8s_audit",
	.probe_len = 64,
	.probe = ka_probe,
	.open = ka_file_open,
	.ops = &ka_file_ops,
};
