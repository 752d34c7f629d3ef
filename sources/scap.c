/* sources/scap.c: the .scap (plain or gzip) entry of the event-source dispatch. */
#include "formats/scap/scap.h"
#include "sources/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The .scap reader decodes from one in-memory image (zero-copy parameters
 * into the inflated blocks), so the input is read whole; this also makes
 * .scap readable from a pipe, which sysdig cannot do. */
static void *scap_src_open(int fd, const char *name, const uint8_t *head, size_t len,
			   const struct source_opts *opts, char *err, size_t errlen)
{
	size_t cap = 1 << 20, n = len;
	uint8_t *buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	memcpy(buf, head, len);
	for (;;) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				snprintf(err, errlen, "%s: out of memory", name);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", name, strerror(errno));
			free(buf);
			return NULL;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	struct scap_read_opts ro = { .deliver_enter = opts ? opts->deliver_enter : 0 };
	struct scap_reader *r = NULL;
	int rc = scap_open_mem(buf, n, name, &ro, &r, err, errlen);
	free(buf);
	return rc < 0 ? NULL : r;
}

static int scap_src_next(void *impl, struct sk_event *ev)
{
	int rc = scap_next(impl, ev);
	return rc < 0 ? -1 : rc;
}

static const struct sk_meta *scap_src_meta(void *impl)
{
	return scap_meta(impl);
}

static const char *scap_src_error(void *impl)
{
	return scap_error(impl);
}

static void scap_src_close(void *impl)
{
	scap_close(impl);
}

static const struct source_ops scap_ops = {
	.next = scap_src_next,
	.meta = scap_src_meta,
	.seek_time = NULL,
	.error = scap_src_error,
	.close = scap_src_close,
};

const struct source_format source_format_scap = {
	.name = "scap",
	.probe_len = 4,
	.probe = scap_probe,
	.open = scap_src_open,
	.ops = &scap_ops,
};
