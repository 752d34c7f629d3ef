/* sources/source.c: opening a capture by its magic and dispatching to the matching format. */
#include "sources/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every file format, tried in order. The .scap probe accepts any gzip
 * input, so the audit probe, which inflates gzip to look inside, comes first. */
static const struct source_format *const formats[] = {
	&source_format_skr,
	&source_format_pcap,
	&source_format_k8saudit,
	&source_format_scap,
	NULL,
};

struct source {
	const struct source_ops *ops;
	void *impl;
	const char *format;
	int fd;                 /* owned, or -1 */
	struct sk_event own;    /* source_next_run's, for formats without runs */
};

struct source *source_wrap(const struct source_ops *ops, void *impl, const char *format)
{
	struct source *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->ops = ops;
	s->impl = impl;
	s->format = format;
	s->fd = -1;
	return s;
}

/* Reads up to n bytes (fewer only at the end of the input). */
static ssize_t read_head(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = read(fd, buf + got, n - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static size_t probe_len(void)
{
	size_t n = 0;
	for (size_t i = 0; formats[i]; i++)
		if (formats[i]->probe_len > n)
			n = formats[i]->probe_len;
	return n > SOURCE_PROBE_MAX ? SOURCE_PROBE_MAX : n;
}

struct source *source_open(const char *path, char *err, size_t errlen)
{
	return source_open_opts(path, NULL, err, errlen);
}

struct source *source_open_opts(const char *path, const struct source_opts *opts, char *err,
				size_t errlen)
{
	static const struct source_opts defaults;
	if (!opts)
		opts = &defaults;
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", name, strerror(errno));
		return NULL;
	}
	uint8_t head[SOURCE_PROBE_GZIP];
	ssize_t n = read_head(fd, head, probe_len());
	if (n >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
		ssize_t more = read_head(fd, head + n, sizeof(head) - (size_t)n);
		n = more < 0 ? more : n + more;
	}
	const struct source_format *fmt = NULL;
	if (n < 0)
		snprintf(err, errlen, "%s: cannot read: %s", name, strerror((int)-n));
	else if (n == 0)
		snprintf(err, errlen, "%s: empty input, not a capture", name);
	for (size_t i = 0; n > 0 && formats[i] && !fmt; i++)
		if (formats[i]->probe(head, (size_t)n))
			fmt = formats[i];
	if (n > 0 && !fmt)
		snprintf(err, errlen,
			 "%s: unknown capture format (first bytes %02x %02x %02x %02x); expected .skr, .scap or "
			 "Kubernetes audit JSON lines",
			 name, head[0], n > 1 ? head[1] : 0, n > 2 ? head[2] : 0, n > 3 ? head[3] : 0);
	void *impl = fmt ? fmt->open(fd, name, head, (size_t)n, opts, err, errlen) : NULL;
	struct source *s = impl ? source_wrap(fmt->ops, impl, fmt->name) : NULL;
	if (!s) {
		if (impl) {
			fmt->ops->close(impl);
			snprintf(err, errlen, "%s: out of memory", name);
		}
		if (!is_stdin)
			close(fd);
		return NULL;
	}
	s->fd = is_stdin ? -1 : fd;
	return s;
}

int source_next(struct source *s, struct sk_event *ev)
{
	return s->ops->next(s->impl, ev);
}

int source_next_timeout(struct source *s, struct sk_event *ev, int timeout_ms)
{
	if (s->ops->next_timeout)
		return s->ops->next_timeout(s->impl, ev, timeout_ms);
	return s->ops->next(s->impl, ev);
}

const struct sk_meta *source_meta(struct source *s)
{
	return s->ops->meta(s->impl);
}

int source_seek_time(struct source *s, uint64_t ts)
{
	return s->ops->seek_time ? s->ops->seek_time(s->impl, ts) : -ENOTSUP;
}

const char *source_error(struct source *s)
{
	return s->ops->error(s->impl);
}

int source_next_run(struct source *s, struct sk_event_run *run)
{
	if (s->ops->next_run)
		return s->ops->next_run(s->impl, run);
	static const uint16_t none;
	int rc = s->ops->next(s->impl, &s->own);
	run->rec = (const uint8_t *)&s->own;
	run->n = rc == 1;
	run->nprep = &none;
	run->prep = NULL;
	return rc;
}

const char *source_format_name(const struct source *s)
{
	return s->format;
}

void source_close(struct source *s)
{
	if (!s)
		return;
	s->ops->close(s->impl);
	if (s->fd >= 0)
		close(s->fd);
	free(s);
}
