/* probe/probe.c: opens, loads, attaches and closes the saker eBPF probe. */
#include "probe/probe_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

uint64_t skp_mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static uint64_t boot_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

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

static void set_rodata(struct sk_probe *p, const struct sk_probe_opts *opts, uint32_t ring)
{
	struct saker_bpf__rodata *ro = p->skel->rodata;

	ro->snaplen = opts && opts->snaplen ? opts->snaplen : 80;
	if (ro->snaplen > SKP_MAX_CHUNK)
		ro->snaplen = SKP_MAX_CHUNK;
	ro->argmax = opts && opts->argmax ? opts->argmax : 4096;
	if (ro->argmax > 4096)
		ro->argmax = 4096;
	ro->wakeup_bytes = opts && opts->wakeup_bytes ? opts->wakeup_bytes : ring / 8;
	ro->self_tgid = (uint32_t)getpid();
	if (opts && opts->npids)
		ro->filter_pids = 1;
	if (opts && opts->comm && *opts->comm) {
		ro->filter_comm = 1;
		strncpy((char *)ro->comm_want, opts->comm, sizeof(ro->comm_want) - 1);
	}
}

/* The syscall programs are reached by tail call from sk_sys_exit only, and
 * the execveat entry mark is attached by hand (it needs tracefs). */
static void set_autoattach(struct sk_probe *p)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, p->skel->obj) {
		const char *n = bpf_program__name(prog);

		if (!strncmp(n, "sk_x_", 5) || !strcmp(n, "sk_enter_execveat"))
			bpf_program__set_autoattach(prog, false);
	}
}

static void probe_free(struct sk_probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	bpf_link__destroy(p->execveat_link);
	saker_bpf__destroy(p->skel);
	free(p);
}

int sk_probe_open(struct sk_probe **out, const struct sk_probe_opts *opts, char *err, size_t errlen)
{
	struct sk_probe *p;
	uint32_t ring = opts && opts->ring_bytes ? pow2_at_least(opts->ring_bytes) : 8u << 20;
	uint64_t t0 = skp_mono_ns(), t1;
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
	set_rodata(p, opts, ring);
	set_autoattach(p);
	bpf_map__set_max_entries(p->skel->maps.rb, ring);
	bpf_map__set_max_entries(p->skel->maps.scratch_map, (uint32_t)libbpf_num_possible_cpus());
	t1 = skp_mono_ns();
	p->times.open_ns = t1 - t0;
	p->load_start_boot_ns = boot_ns();
	rc = saker_bpf__load(p->skel);
	p->times.load_ns = skp_mono_ns() - t1;
	if (rc) {
		snprintf(err, errlen, "the kernel rejected the BPF program (%s); the verifier's reason is printed above",
			 strerror(-rc));
		probe_free(p);
		return rc;
	}
	t1 = skp_mono_ns();
	for (size_t i = 0; opts && i < opts->npids; i++) {
		uint8_t one = 1;
		bpf_map__update_elem(p->skel->maps.targets, &opts->pids[i], sizeof(uint32_t), &one, 1, BPF_ANY);
	}
	rc = skp_fill_ia32_map(p);
	if (rc) {
		snprintf(err, errlen, "cannot fill the ia32 syscall map: %s", strerror(-rc));
		probe_free(p);
		return rc;
	}
	/* found before attaching: a child may mount tracefs privately, and it
	 * must not be recorded */
	p->execveat_event = opts && opts->no_execveat_mark ? 0 : skp_trace_event_id("syscalls", "sys_enter_execveat");
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.rb), ring_cb, p, NULL);
	if (!p->rb) {
		rc = -errno;
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(-rc));
		probe_free(p);
		return rc;
	}
	p->times.setup_ns = skp_mono_ns() - t1;
	*out = p;
	return 0;
}

int sk_probe_attach(struct sk_probe *p, char *err, size_t errlen)
{
	uint64_t t0 = skp_mono_ns();
	char why[200];
	int rc = saker_bpf__attach(p->skel);

	if (rc) {
		snprintf(err, errlen, "cannot attach the tracepoint programs: %s", strerror(-rc));
		return rc;
	}
	/* optional: without it a successful execveat(AT_FDCWD, path) reads as execve */
	if (!p->execveat_event)
		snprintf(p->note, sizeof(p->note),
			 "execveat entry mark off (--no-execveat-mark): a successful execveat that is not "
			 "relative to a descriptor is recorded as execve");
	else if (p->execveat_event > 0)
		p->execveat_link = skp_attach_trace_event(p->skel->progs.sk_enter_execveat, p->execveat_event, why,
							  sizeof(why));
	else
		snprintf(why, sizeof(why), "no trace event syscalls:sys_enter_execveat: %s",
			 strerror((int)-p->execveat_event));
	if (!p->execveat_link && p->execveat_event)
		snprintf(p->note, sizeof(p->note),
			 "execveat entry mark not attached (%s): a successful execveat that is not "
			 "relative to a descriptor is recorded as execve", why);
	p->times.attach_ns = skp_mono_ns() - t0;
	return 0;
}

const char *sk_probe_note(const struct sk_probe *p)
{
	return p->note[0] ? p->note : NULL;
}

void sk_probe_close(struct sk_probe *p)
{
	probe_free(p);
}
