/* formats/source_skr.c: the .skr reader behind the event-source interface. */
#include "formats/skr.h"
#include "formats/source.h"

static int skr_src_next(void *impl, struct sk_event *ev)
{
	return skr_reader_next(impl, ev);
}

static const struct sk_meta *skr_src_meta(void *impl)
{
	return skr_reader_meta(impl);
}

static int skr_src_seek(void *impl, uint64_t ts)
{
	return skr_reader_seek_time(impl, ts);
}

static const char *skr_src_error(void *impl)
{
	return skr_reader_error(impl);
}

static void skr_src_close(void *impl)
{
	skr_reader_close(impl);
}

static void *skr_src_open(int fd, const char *name, const uint8_t *head, size_t len,
			  const struct sk_source_opts *opts, char *err, size_t errlen)
{
	(void)opts;
	return skr_reader_open_fd(fd, name, head, len, err, errlen);
}

static const struct sk_source_ops skr_src_ops = {
	.next = skr_src_next,
	.meta = skr_src_meta,
	.seek_time = skr_src_seek,
	.error = skr_src_error,
	.close = skr_src_close,
};

const struct sk_source_format sk_source_format_skr = {
	.name = "skr",
	.probe_len = 12,
	.probe = skr_probe,
	.open = skr_src_open,
	.ops = &skr_src_ops,
};
