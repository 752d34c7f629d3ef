/* probe/empty.c: loader for the empty baseline probe. */
#include "probe/empty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "empty.skel.h"

struct sk_empty_probe {
	struct empty_bpf *skel;
};

struct sk_empty_probe *sk_empty_probe_open(char *err, size_t errlen)
{
	struct sk_empty_probe *p = calloc(1, sizeof(*p));
	int rc;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->skel = empty_bpf__open_and_load();
	if (!p->skel) {
		snprintf(err, errlen, "cannot load the empty probe: %s", strerror(errno));
		free(p);
		return NULL;
	}
	rc = empty_bpf__attach(p->skel);
	if (rc) {
		snprintf(err, errlen, "cannot attach the empty probe: %s", strerror(-rc));
		empty_bpf__destroy(p->skel);
		free(p);
		return NULL;
	}
	return p;
}

void sk_empty_probe_close(struct sk_empty_probe *p)
{
	if (!p)
		return;
	empty_bpf__destroy(p->skel);
	free(p);
}
