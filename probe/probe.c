/* probe/probe.c: opens, loads, attaches and drains the saker eBPF probe. */
#include "probe/probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "probe/decode.h"
#include "saker.skel.h"

struct sk_probe {
	struct saker_bpf *skel;
	struct ring_buffer *rb;
	sk_probe_cb cb;
	void *cb_ctx;
	int stop;
	int one;        /* sk_probe_next: stop after one event */
	int got;
	uint64_t decode_err;
	struct sk_event ev;
	struct skp_decoder dec;
};

/* libbpf's warnings carry the verifier log when a load fails: pass them on,
 * drop its info/debug chatter. */
static int probe_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	fputs("saker: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static int ring_cb(void *ctx, void *data, size_t size)
{
	struct sk_probe *p = ctx;
	int rc = skp_decode(&p->dec, data, size, &p->ev);

	if (rc < 0) {
		p->decode_err++;
		return 0;
	}
	if (rc > 0)
		return 0;
	if (p->one) {
		p->got = 1;
		return -ECANCELED; /* the sample is consumed; stop here */
	}
	if (p->cb && p->cb(&p->ev, p->cb_ctx)) {
		p->stop = 1;
		return -ECANCELED; /* a negative return stops ring_buffer__consume */
	}
	return 0;
}

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t r = 4096;

	while (r < v && r < (1u << 30))
		r <<= 1;
	return r;
}

int sk_probe_open(struct sk_probe **out, const struct sk_probe_opts *opts, char *err, size_t errlen)
{
	struct sk_probe *p;
	uint32_t ring = opts && opts->ring_bytes ? pow2_at_least(opts->ring_bytes) : 8u << 20;
	int rc;

	*out = NULL;
	if (geteuid() != 0) {
		snprintf(err, errlen, "must run as root (loading eBPF programs needs CAP_BPF and CAP_PERFMON)");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		snprintf(err, errlen, "kernel BTF not found (/sys/kernel/btf/vmlinux): a kernel built with CONFIG_DEBUG_INFO_BTF is required");
		return -ENOTSUP;
	}
	libbpf_set_print(probe_libbpf_print);
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	skp_decoder_init(&p->dec);
	p->skel = saker_bpf__open();
	if (!p->skel) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(-rc));
		free(p);
		return rc;
	}
	p->skel->rodata->snaplen = opts && opts->snaplen ? opts->snaplen : 80;
	if (p->skel->rodata->snaplen > SKP_MAX_CHUNK)
		p->skel->rodata->snaplen = SKP_MAX_CHUNK;
	p->skel->rodata->argmax = opts && opts->argmax ? opts->argmax : 4096;
	if (p->skel->rodata->argmax > 4096)
		p->skel->rodata->argmax = 4096;
	p->skel->rodata->wakeup_bytes = opts && opts->wakeup_bytes ? opts->wakeup_bytes : ring / 8;
	p->skel->rodata->self_tgid = (uint32_t)getpid();
	if (opts && opts->npids)
		p->skel->rodata->filter_pids = 1;
	if (opts && opts->comm && *opts->comm) {
		p->skel->rodata->filter_comm = 1;
		strncpy((char *)p->skel->rodata->comm_want, opts->comm, sizeof(p->skel->rodata->comm_want) - 1);
	}
	bpf_map__set_max_entries(p->skel->maps.rb, ring);
	bpf_map__set_max_entries(p->skel->maps.scratch_map, (uint32_t)libbpf_num_possible_cpus());
	rc = saker_bpf__load(p->skel);
	if (rc) {
		snprintf(err, errlen, "the kernel rejected the BPF program (%s); the verifier's reason is printed above",
			 strerror(-rc));
		saker_bpf__destroy(p->skel);
		free(p);
		return rc;
	}
	for (size_t i = 0; opts && i < opts->npids; i++) {
		uint8_t one = 1;
		bpf_map__update_elem(p->skel->maps.targets, &opts->pids[i], sizeof(uint32_t), &one, 1, BPF_ANY);
	}
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.rb), ring_cb, p, NULL);
	if (!p->rb) {
		rc = -errno;
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(-rc));
		saker_bpf__destroy(p->skel);
		free(p);
		return rc;
	}
	*out = p;
	return 0;
}

static int spec_set(struct sk_probe *p, const struct skp_syscall *s, int on)
{
	uint32_t key = s->nr;
	struct skp_spec v = s->spec;

	v.enabled = on ? 1 : 0;
	return bpf_map__update_elem(p->skel->maps.specs, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

static int set_lifecycle(struct sk_probe *p)
{
	static const char *const always[] = { "clone", "clone3", "fork", "vfork", "execve", "execveat" };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		int rc = spec_set(p, skp_syscall_by_name(always[i]), 1);
		if (rc)
			return rc;
	}
	return 0;
}

static int clear_all(struct sk_probe *p)
{
	for (size_t i = 0; i < skp_nsyscalls; i++) {
		int rc = spec_set(p, &skp_syscalls[i], 0);
		if (rc)
			return rc;
	}
	return 0;
}

int sk_probe_set_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen)
{
	int rc;

	if (names) {
		for (size_t i = 0; i < n; i++)
			if (!skp_syscall_by_name(names[i])) {
				snprintf(err, errlen, "unknown or unsupported syscall '%s'", names[i]);
				return -ENOENT;
			}
	}
	rc = clear_all(p);
	for (size_t i = 0; !rc && i < (names ? n : skp_nsyscalls); i++)
		rc = spec_set(p, names ? skp_syscall_by_name(names[i]) : &skp_syscalls[i], 1);
	if (!rc)
		rc = set_lifecycle(p);
	if (rc)
		snprintf(err, errlen, "cannot update the syscall map: %s", strerror(-rc));
	return rc;
}

int sk_probe_add_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct skp_syscall *s = skp_syscall_by_name(names[i]);
		int rc;

		if (!s) {
			snprintf(err, errlen, "unknown or unsupported syscall '%s'", names[i]);
			return -ENOENT;
		}
		rc = spec_set(p, s, 1);
		if (rc) {
			snprintf(err, errlen, "cannot update the syscall map: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int sk_probe_set_event_types(struct sk_probe *p, const uint16_t *types, size_t n)
{
	int rc = clear_all(p);

	for (size_t i = 0; !rc && i < n; i++) {
		uint16_t kind = sk_event_kind(types[i]);
		for (size_t j = 0; !rc && j < skp_nsyscalls; j++)
			if (sk_event_kind(skp_syscalls[j].type) == kind)
				rc = spec_set(p, &skp_syscalls[j], 1);
	}
	return rc ? rc : set_lifecycle(p);
}

int sk_probe_exclude_pid(struct sk_probe *p, uint32_t pid)
{
	uint8_t one = 1;

	int rc = bpf_map__update_elem(p->skel->maps.excluded, &pid, sizeof(pid), &one, sizeof(one), BPF_NOEXIST);

	if (rc == -EEXIST)
		return 0;
	if (!rc)
		__atomic_add_fetch(&p->skel->bss->n_excluded, 1, __ATOMIC_RELAXED);
	return rc;
}

int sk_probe_attach(struct sk_probe *p, char *err, size_t errlen)
{
	int rc = saker_bpf__attach(p->skel);

	if (rc)
		snprintf(err, errlen, "cannot attach the tracepoint programs: %s", strerror(-rc));
	return rc;
}

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

const char *const *sk_probe_syscall_names(void)
{
	/* built from the table on first use would be hidden state: keep a constant list */
	static const char *const names[] = {
#define N(s) #s,
		N(open) N(openat) N(openat2) N(creat) N(close) N(close_range) N(socket) N(socketpair)
		N(bind) N(connect) N(listen) N(accept) N(accept4) N(sendto) N(recvfrom) N(sendmsg)
		N(recvmsg) N(shutdown) N(read) N(write) N(pread64) N(pwrite64) N(readv) N(writev)
		N(unlink) N(unlinkat) N(rename) N(renameat) N(renameat2) N(mkdir) N(mkdirat) N(rmdir)
		N(symlink) N(symlinkat) N(link) N(linkat) N(chmod) N(fchmod) N(fchmodat) N(chown)
		N(lchown) N(fchown) N(fchownat) N(setuid) N(setgid) N(setresuid) N(setresgid)
		N(setreuid) N(setregid) N(setsid) N(setpgid) N(capset) N(ptrace) N(memfd_create)
		N(init_module) N(finit_module) N(bpf) N(unshare) N(setns) N(mount) N(umount2) N(kill)
		N(tkill) N(tgkill) N(dup) N(dup2) N(dup3) N(fcntl) N(pipe) N(pipe2) N(eventfd)
		N(eventfd2) N(signalfd) N(signalfd4) N(timerfd_create) N(inotify_init) N(inotify_init1)
		N(epoll_create) N(epoll_create1) N(io_uring_setup) N(userfaultfd) N(pidfd_open)
		N(pidfd_getfd) N(chdir) N(fchdir) N(getcwd) N(chroot) N(prctl) N(setrlimit) N(prlimit64)
		N(execve) N(execveat) N(clone) N(clone3) N(fork) N(vfork)
#undef N
		NULL
	};
	return names;
}

void sk_probe_close(struct sk_probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	saker_bpf__destroy(p->skel);
	free(p);
}
