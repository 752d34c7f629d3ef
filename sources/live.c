/* sources/live.c: wraps the probe's pull interface and the /proc snapshot as an event source. */
#include "sources/live.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/snapshot.h"

struct live {
	struct sk_probe *probe;
	struct sk_meta *meta;
	volatile sig_atomic_t *stop;
	char err[256];
};

static int live_next(void *impl, struct sk_event *ev)
{
	struct live *l = impl;

	while (!l->stop || !*l->stop) {
		int rc = sk_probe_next(l->probe, 100, ev);

		if (rc == 1)
			return 1;
		if (rc < 0 && rc != -EINTR) {
			snprintf(l->err, sizeof(l->err), "live: reading the ring: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static const struct sk_meta *live_meta(void *impl)
{
	return ((struct live *)impl)->meta;
}

static const char *live_error(void *impl)
{
	return ((struct live *)impl)->err;
}

static void live_close(void *impl)
{
	struct live *l = impl;

	sk_probe_close(l->probe);
	sk_meta_free(l->meta);
	free(l);
}

static const struct source_ops live_ops = {
	.next = live_next,
	.meta = live_meta,
	.seek_time = NULL,
	.error = live_error,
	.close = live_close,
};

struct source *source_live_open(const struct source_live_opts *o, char *err, size_t errlen)
{
	struct live *l = calloc(1, sizeof(*l));
	struct host_opts ho = { .snaplen = o->probe.snaplen ? o->probe.snaplen : 80,
				    .argv_limit = 4096, .version = "saker live" };
	struct source *s;
	int rc;

	if (!l) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->stop = o->stop;
	rc = sk_probe_open(&l->probe, &o->probe, err, errlen);
	if (rc < 0)
		goto fail;
	rc = o->types ? sk_probe_set_event_types(l->probe, o->types, o->ntypes)
		      : sk_probe_set_syscalls(l->probe, NULL, 0, err, errlen);
	if (rc < 0) {
		snprintf(err, errlen, "cannot set the syscall map: %s", strerror(-rc));
		goto fail;
	}
	/* attach first: events during the snapshot wait in the ring */
	if (sk_probe_attach(l->probe, err, errlen) < 0)
		goto fail;
	l->meta = sk_meta_new();
	if (!l->meta || host_snapshot_all(l->meta, &ho, err, errlen) < 0)
		goto fail;
	s = source_wrap(&live_ops, l, "live");
	if (!s) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return s;
fail:
	sk_probe_close(l->probe);
	sk_meta_free(l->meta);
	free(l);
	return NULL;
}
