/* sources/skr.c: the .skr reader behind the event-source interface. */
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/skr/skr.h"
#include "sources/source.h"

struct skr_src {
	struct skr_reader *r;
	char name[256];
	char err[512];   /* set when the input ended without the END record */
};

/* The reader ends quietly at a frame boundary (docs/skr-format.md section 9);
 * a capture without the END record was cut there (a killed recorder, a
 * truncated copy), which replay must report after the events it had. */
static int skr_src_end(struct skr_src *s, int rc)
{
	if (rc == 0 && !skr_reader_complete(s->r)) {
		snprintf(s->err, sizeof(s->err),
			 "%s: truncated at byte %" PRIu64 ": no end record after the last complete frame "
			 "(the capture was not closed)", s->name, skr_reader_offset(s->r));
		return SKR_ETRUNCATED;
	}
	return rc;
}

static int skr_src_next(void *impl, struct sk_event *ev)
{
	struct skr_src *s = impl;
	if (s->err[0])
		return SKR_ETRUNCATED;
	return skr_src_end(s, skr_reader_next(s->r, ev));
}

static int skr_src_next_run(void *impl, struct sk_event_run *run)
{
	struct skr_src *s = impl;
	if (s->err[0]) {
		run->n = 0;
		return SKR_ETRUNCATED;
	}
	return skr_src_end(s, skr_reader_next_run(s->r, run));
}

static const struct sk_meta *skr_src_meta(void *impl)
{
	return skr_reader_meta(((struct skr_src *)impl)->r);
}

static int skr_src_seek(void *impl, uint64_t ts)
{
	return skr_reader_seek_time(((struct skr_src *)impl)->r, ts);
}

static const char *skr_src_error(void *impl)
{
	struct skr_src *s = impl;
	return s->err[0] ? s->err : skr_reader_error(s->r);
}

static void skr_src_close(void *impl)
{
	struct skr_src *s = impl;
	skr_reader_close(s->r);
	free(s);
}

/* Decode threads when the options leave it to the source: one worker when
 * another CPU can run it and the capture is big enough to gain from it. */
static unsigned auto_decode_threads(int fd)
{
	cpu_set_t cpus;
	struct stat st;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) || CPU_COUNT(&cpus) < 2)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < (off_t)SOURCE_DECODE_AUTO_MIN)
		return 0;
	return 1;
}

static void *skr_src_open(int fd, const char *name, const uint8_t *head, size_t len,
			  const struct source_opts *opts, char *err, size_t errlen)
{
	struct skr_src *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->r = skr_reader_open_fd(fd, name, head, len, err, errlen);
	if (!s->r) {
		free(s);
		return NULL;
	}
	if (opts && opts->packet)
		skr_reader_set_packet_sink(s->r, opts->packet, opts->packet_ctx);
	if (opts && opts->prepare)
		skr_reader_set_prepare(s->r, opts->prepare);
	unsigned threads = opts && opts->decode_threads_set ? opts->decode_threads : auto_decode_threads(fd);
	int rc = skr_reader_set_decode_threads(s->r, threads);
	if (rc) {
		snprintf(err, errlen, "%s: %u decode threads: %s", name, threads, strerror(-rc));
		skr_reader_close(s->r);
		free(s);
		return NULL;
	}
	return s;
}

static const struct source_ops skr_src_ops = {
	.next = skr_src_next,
	.next_run = skr_src_next_run,
	.meta = skr_src_meta,
	.seek_time = skr_src_seek,
	.error = skr_src_error,
	.close = skr_src_close,
};

const struct source_format source_format_skr = {
	.name = "skr",
	.probe_len = 12,
	.probe = skr_probe,
	.open = skr_src_open,
	.ops = &skr_src_ops,
};
