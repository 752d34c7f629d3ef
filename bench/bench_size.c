/* bench/bench_size.c: rewrites a capture as .skr at zstd levels 1/3/9 and as .scap, printing bytes/event of each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/scap.h"
#include "formats/skr.h"
#include "formats/source.h"

/*
 * bench_size CAPTURE OUTDIR
 * The metadata is taken as it stands after the source's first event (a .skr
 * or .scap header carries its snapshot up front). Prints
 *   size: events N skr1 B skr3 B skr9 B scap B   (bytes/event)
 * and leaves OUTDIR/c.scap for the caller to gzip.
 */

static const int levels[3] = { 1, 3, 9 };

static double file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (double)st.st_size : 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_size CAPTURE OUTDIR\n");
		return 2;
	}
	char err[512], paths[4][4096];
	struct sk_source *src = sk_source_open(argv[1], err, sizeof(err));
	if (!src) {
		fprintf(stderr, "bench_size: %s\n", err);
		return 1;
	}
	struct sk_event ev;
	int rc = sk_source_next(src, &ev);
	if (rc <= 0) {
		fprintf(stderr, "bench_size: %s: %s\n", argv[1], rc < 0 ? sk_source_error(src) : "no events");
		sk_source_close(src);
		return 1;
	}
	const struct sk_meta *m = sk_source_meta(src);
	struct skr_writer *w[3] = { NULL, NULL, NULL };
	struct sk_scap_writer *sw = NULL;
	int status = 0;
	for (int i = 0; i < 3 && !status; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/l%d.skr", argv[2], levels[i]);
		struct skr_writer_opts o = { .level = levels[i], .force = 1, .host = m->have_host ? &m->host : NULL };
		w[i] = skr_writer_open_path(paths[i], &o, err, sizeof(err));
		if (!w[i] || skr_writer_put_meta_all(w[i], m) < 0) {
			fprintf(stderr, "bench_size: %s: %s\n", paths[i], w[i] ? skr_writer_error(w[i]) : err);
			status = 1;
		}
	}
	snprintf(paths[3], sizeof(paths[3]), "%s/c.scap", argv[2]);
	struct sk_scap_write_opts so = { .synth_enter = 1 };
	if (!status && sk_scap_writer_open(paths[3], m, &so, &sw, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_size: %s\n", err);
		status = 1;
	}
	unsigned long long n = 0;
	while (!status && rc == 1) {
		for (int i = 0; i < 3 && !status; i++)
			if (skr_writer_append(w[i], &ev) < 0) {
				fprintf(stderr, "bench_size: %s: %s\n", paths[i], skr_writer_error(w[i]));
				status = 1;
			}
		if (!status && sk_scap_writer_write(sw, &ev) < 0) {
			fprintf(stderr, "bench_size: %s: write error\n", paths[3]);
			status = 1;
		}
		n++;
		rc = sk_source_next(src, &ev);
	}
	if (rc < 0) {
		fprintf(stderr, "bench_size: %s\n", sk_source_error(src));
		status = 1;
	}
	for (int i = 0; i < 3; i++)
		if (w[i] && skr_writer_close(w[i], err, sizeof(err)) < 0 && !status) {
			fprintf(stderr, "bench_size: %s\n", err);
			status = 1;
		}
	if (sw && sk_scap_writer_close(sw) < 0 && !status) {
		fprintf(stderr, "bench_size: %s: close failed\n", paths[3]);
		status = 1;
	}
	sk_source_close(src);
	if (!status)
		printf("size: events %llu skr1 %.2f skr3 %.2f skr9 %.2f scap %.2f\n", n, file_size(paths[0]) / (double)n,
		       file_size(paths[1]) / (double)n, file_size(paths[2]) / (double)n,
		       file_size(paths[3]) / (double)n);
	return status;
}
