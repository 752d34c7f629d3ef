/* probe/empty.c: loader for the empty baseline probe. */
#include "probe/empty.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

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

static double avg_ns(const struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) < 0 || !info.run_cnt)
		return 0;
	return (double)info.run_time_ns / (double)info.run_cnt;
}

int sk_empty_probe_runtime(struct sk_empty_probe *p, double *enter_ns, double *exit_ns)
{
	*enter_ns = avg_ns(p->skel->progs.sk_empty_enter);
	*exit_ns = avg_ns(p->skel->progs.sk_empty_exit);
	return 0;
}

void sk_empty_probe_close(struct sk_empty_probe *p)
{
	if (!p)
		return;
	empty_bpf__destroy(p->skel);
	free(p);
}
