/* probe/probe_ring.c: draining the probe's ring into decoded events, and its per-CPU counters. */
#include "probe/probe_int.h"

#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

int sk_probe_poll(struct sk_probe *p, int timeout_ms, sk_probe_cb cb, void *ctx)
{
	uint64_t before = p->dec.num;
	int rc;

	p->cb = cb;
	p->cb_ctx = ctx;
	p->stop = 0;
	/* wakeups are batched in the kernel: after the wait, drain regardless */
	rc = ring_buffer__poll(p->rb, timeout_ms);
	if (rc >= 0 && !p->stop)
		rc = ring_buffer__consume(p->rb);
	if (p->stop)
		return -ECANCELED;
	if (rc < 0)
		return rc;
	return (int)(p->dec.num - before);
}

int sk_probe_next(struct sk_probe *p, int timeout_ms, struct sk_event *ev)
{
	int rc;

	p->one = 1;
	p->got = 0;
	rc = ring_buffer__consume(p->rb);
	if (!p->got && (rc >= 0 || rc == -ECANCELED)) {
		rc = ring_buffer__poll(p->rb, timeout_ms);
		/* batched wakeups: records may be queued without a wakeup */
		if (!p->got && rc >= 0)
			rc = ring_buffer__consume(p->rb);
	}
	p->one = 0;
	if (p->got) {
		*ev = p->ev;
		return 1;
	}
	return rc < 0 && rc != -ECANCELED ? rc : 0;
}

int sk_probe_ncpus(void)
{
	return libbpf_num_possible_cpus();
}

/* Sums the counters of cpu (or of every CPU when cpu < 0). */
static int read_counters(struct sk_probe *p, int cpu, struct sk_probe_stats *out)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	uint64_t sum[SKP_CNT__COUNT] = { 0 };

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	if (cpu >= ncpu)
		return -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (uint32_t k = 0; k < SKP_CNT__COUNT; k++) {
		if (bpf_map__lookup_elem(p->skel->maps.counters, &k, sizeof(k), vals,
					 sizeof(*vals) * (size_t)ncpu, 0) == 0)
			for (int c = 0; c < ncpu; c++)
				if (cpu < 0 || c == cpu)
					sum[k] += vals[c];
	}
	free(vals);
	out->events = sum[SKP_CNT_EVENTS];
	out->ring_full = sum[SKP_CNT_RING_FULL];
	out->copy_fail = sum[SKP_CNT_COPY_FAIL];
	out->trunc = sum[SKP_CNT_TRUNC];
	out->decode_err = cpu < 0 ? p->decode_err : 0;
	return 0;
}

int sk_probe_stats(struct sk_probe *p, struct sk_probe_stats *out)
{
	return read_counters(p, -1, out);
}

int sk_probe_stats_cpu(struct sk_probe *p, uint32_t cpu, struct sk_probe_stats *out)
{
	return read_counters(p, (int)cpu, out);
}
