/* bench/bench_gen_capture.c: writes the deterministic synthetic capture of bench/gen_workload.c (.skr and .scap) for the benchmarks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_workload.h"
#include "formats/event.h"
#include "formats/meta.h"
#include "formats/scap/scap.h"
#include "formats/skr/skr.h"

struct out {
	int is_scap;
	int level;
	const char *path;
	struct skr_writer *skr;
	struct scap_writer *scap;
};

struct outs {
	struct out *v;
	size_t n;
};

/* The workload's sink: every event to every output. */
static int write_all(void *ctx, const struct sk_event *ev)
{
	struct outs *os = ctx;
	for (size_t i = 0; i < os->n; i++) {
		struct out *o = &os->v[i];
		int rc = o->is_scap ? scap_writer_write(o->scap, ev) : skr_writer_append(o->skr, ev);
		if (rc < 0) {
			fprintf(stderr, "bench_gen_capture: %s: write error: %s\n", o->path, strerror(-rc));
			return -1;
		}
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_gen_capture -n EVENTS [-s SEED] OUTPUT...\n"
			"  OUTPUT: skr:LEVEL:FILE.skr or scap:FILE.scap (enter events synthesised for sysdig)\n");
}

int main(int argc, char **argv)
{
	uint64_t n = 0, seed = 0x5a4e52u;
	struct out outs[8];
	size_t nouts = 0;
	char err[512];
	int status = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			n = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 0);
		} else if (!strncmp(argv[i], "skr:", 4) && nouts < 8) {
			char *colon = strchr(argv[i] + 4, ':');
			if (!colon) {
				usage();
				return 2;
			}
			outs[nouts++] = (struct out){ .level = atoi(argv[i] + 4), .path = colon + 1 };
		} else if (!strncmp(argv[i], "scap:", 5) && nouts < 8) {
			outs[nouts++] = (struct out){ .is_scap = 1, .path = argv[i] + 5 };
		} else {
			usage();
			return 2;
		}
	}
	if (!n || !nouts) {
		usage();
		return 2;
	}
	const uint64_t start_ts = 1700000000000000000ull;
	struct outs os = { outs, nouts };
	struct sk_meta *meta = bench_workload_meta(start_ts);
	if (!meta) {
		fprintf(stderr, "bench_gen_capture: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < nouts; i++) {
		struct out *o = &outs[i];
		if (o->is_scap) {
			struct scap_write_opts so = { .synth_enter = 1 };
			int rc = scap_writer_open(o->path, meta, &so, &o->scap, err, sizeof(err));
			if (rc < 0) {
				fprintf(stderr, "bench_gen_capture: %s\n", err);
				status = 1;
				break;
			}
		} else {
			struct skr_writer_opts so = { .level = o->level, .force = 1, .host = &meta->host };
			o->skr = skr_writer_open_path(o->path, &so, err, sizeof(err));
			if (!o->skr || skr_writer_put_meta_all(o->skr, meta) < 0) {
				fprintf(stderr, "bench_gen_capture: %s: %s\n", o->path, o->skr ? skr_writer_error(o->skr) : err);
				status = 1;
				break;
			}
		}
	}
	struct bench_workload *wl = status ? NULL : bench_workload_new(seed, start_ts, write_all, &os);
	if (!status && !wl) {
		fprintf(stderr, "bench_gen_capture: out of memory\n");
		status = 1;
	}
	while (!status && bench_workload_emitted(wl) < n)
		if (bench_workload_step(wl) < 0)
			status = 1;
	uint64_t emitted = wl ? bench_workload_emitted(wl) : 0;
	bench_workload_free(wl);
	for (size_t i = 0; i < nouts; i++) {
		struct out *o = &outs[i];
		if (o->scap && scap_writer_close(o->scap) < 0 && !status) {
			fprintf(stderr, "bench_gen_capture: %s: close failed\n", o->path);
			status = 1;
		}
		if (o->skr && skr_writer_close(o->skr, err, sizeof(err)) < 0 && !status) {
			fprintf(stderr, "bench_gen_capture: %s\n", err);
			status = 1;
		}
	}
	sk_meta_free(meta);
	if (!status)
		printf("%llu events\n", (unsigned long long)emitted);
	return status;
}
