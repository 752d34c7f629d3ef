/* probe/probe_info.c: what loading the probe cost: each program's verified instructions and sizes, load and attach times. */
#include "probe/probe_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

void sk_probe_get_times(const struct sk_probe *p, struct sk_probe_times *out)
{
	*out = p->times;
}

static int by_load_time(const void *a, const void *b)
{
	const struct sk_probe_prog *x = a, *y = b;

	return x->load_ns < y->load_ns ? -1 : x->load_ns > y->load_ns;
}

static int by_insns_desc(const void *a, const void *b)
{
	const struct sk_probe_prog *x = a, *y = b;

	if (x->verified_insns != y->verified_insns)
		return x->verified_insns > y->verified_insns ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Also the time from the start of the object load to the first program's
 * (vmlinux BTF parse, feature probes, maps, CO-RE relocation) in *first_ns. */
static int list_programs(const struct sk_probe *p, struct sk_probe_prog *out, size_t max, uint64_t *first_ns)
{
	struct bpf_program *prog;
	size_t n = 0;
	uint64_t end;

	bpf_object__for_each_program(prog, p->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (n == max)
			break;
		memset(&out[n], 0, sizeof(out[n]));
		snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
		out[n].attached = strncmp(out[n].name, "sk_x_", 5) != 0;
		memset(&info, 0, sizeof(info));
		if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			out[n].verified_insns = info.verified_insns;
			out[n].xlated_bytes = info.xlated_prog_len;
			out[n].jited_bytes = info.jited_prog_len;
			out[n].load_ns = info.load_time; /* boot ns at the start of its load, for now */
		}
		n++;
	}
	/* Programs are loaded one after the other and the kernel stamps the
	 * start of each load: a program's load time runs to the next one's
	 * start (its verification and JIT, and libbpf's preparation of the
	 * next); the last one's to the end of the object load. */
	qsort(out, n, sizeof(*out), by_load_time);
	if (first_ns)
		*first_ns = n && out[0].load_ns > p->load_start_boot_ns ? out[0].load_ns - p->load_start_boot_ns : 0;
	end = p->load_start_boot_ns + p->times.load_ns;
	for (size_t i = 0; i < n; i++) {
		uint64_t next = i + 1 < n ? out[i + 1].load_ns : end;

		out[i].load_ns = out[i].load_ns && next > out[i].load_ns ? next - out[i].load_ns : 0;
	}
	qsort(out, n, sizeof(*out), by_insns_desc);
	return (int)n;
}

int sk_probe_programs(const struct sk_probe *p, struct sk_probe_prog *out, size_t max)
{
	return list_programs(p, out, max, NULL);
}

void sk_probe_report(const struct sk_probe *p, FILE *f, const char *who)
{
	struct sk_probe_prog progs[64];
	uint64_t total = 0, xl = 0, first = 0;
	int n = list_programs(p, progs, sizeof(progs) / sizeof(progs[0]), &first);

	for (int i = 0; i < n; i++) {
		total += progs[i].verified_insns;
		xl += progs[i].xlated_bytes;
	}
	fprintf(f, "%s: probe: %d programs, %llu instructions verified, %llu bytes translated; "
		   "open %.1f ms, load %.1f ms (%.1f before the first program: BTF, maps, CO-RE), setup %.1f ms, "
		   "attach %.1f ms\n",
		who, n, (unsigned long long)total, (unsigned long long)xl, p->times.open_ns / 1e6,
		p->times.load_ns / 1e6, first / 1e6, p->times.setup_ns / 1e6, p->times.attach_ns / 1e6);
	fprintf(f, "%-22s %8s %9s %8s %8s %8s  %s\n", "program", "verified", "% of 1M", "xlated", "jited", "load ms",
		"runs");
	for (int i = 0; i < n; i++)
		fprintf(f, "%-22s %8u %8.2f%% %8u %8u %8.2f  %s\n", progs[i].name, progs[i].verified_insns,
			progs[i].verified_insns / 1e4, progs[i].xlated_bytes, progs[i].jited_bytes,
			progs[i].load_ns / 1e6, progs[i].attached ? "attached" : "tail call");
	if (p->note[0])
		fprintf(f, "%s: probe: %s\n", who, p->note);
}
