/* bench/bench_size.c: rewrites a capture as .skr at zstd levels 1/3/9, as the recorder cuts it (level 3, a chunk a second, with and without key-chunk dictionaries) and as .scap, printing bytes/event of each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/scap/scap.h"
#include "formats/skr/skr.h"
#include "sources/source.h"

/*
 * bench_size CAPTURE OUTDIR
 * The metadata is taken as it stands after the source's first event (a .skr
 * or .scap header carries its snapshot up front). Prints
 *   size: events N skr1 B skr3 B skr9 B rec3 B rec3i B scap B   (bytes/event)
 * and leaves OUTDIR/c.scap for the caller to gzip. skrL: level L in chunks
 * of the writer's default size (65536 events or 2 MiB); rec3: level 3 in
 * chunks of one second of event time, as saker-record flushes them; rec3i:
 * the same with independent chunks (no key-chunk dictionaries).
 */

#define NW 5
static const int levels[NW] = { 1, 3, 9, 3, 3 };
static const char *const names[NW] = { "l1", "l3", "l9", "rec3", "rec3i" };
#define REC_FIRST 3 /* writers from here cut a chunk every second */
#define REC_CHUNK_NS 1000000000ull

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
	char err[512], paths[NW + 1][4096];
	struct source *src = source_open(argv[1], err, sizeof(err));
	if (!src) {
		fprintf(stderr, "bench_size: %s\n", err);
		return 1;
	}
	struct sk_event ev;
	int rc = source_next(src, &ev);
	if (rc <= 0) {
		fprintf(stderr, "bench_size: %s: %s\n", argv[1], rc < 0 ? source_error(src) : "no events");
		source_close(src);
		return 1;
	}
	const struct sk_meta *m = source_meta(src);
	struct skr_writer *w[NW] = { NULL };
	struct scap_writer *sw = NULL;
	int status = 0;
	for (int i = 0; i < NW && !status; i++) {
		snprintf(paths[i], sizeof(paths[i]), "%s/%s.skr", argv[2], names[i]);
		struct skr_writer_opts o = { .level = levels[i], .force = 1, .host = m->have_host ? &m->host : NULL,
					     .independent = i == NW - 1 };
		w[i] = skr_writer_open_path(paths[i], &o, err, sizeof(err));
		if (!w[i] || skr_writer_put_meta_all(w[i], m) < 0) {
			fprintf(stderr, "bench_size: %s: %s\n", paths[i], w[i] ? skr_writer_error(w[i]) : err);
			status = 1;
		}
	}
	snprintf(paths[NW], sizeof(paths[NW]), "%s/c.scap", argv[2]);
	struct scap_write_opts so = { .synth_enter = 1 };
	if (!status && scap_writer_open(paths[NW], m, &so, &sw, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_size: %s\n", err);
		status = 1;
	}
	unsigned long long n = 0;
	uint64_t chunk_ts = ev.ts;
	while (!status && rc == 1) {
		/* the recorder flushes a chunk a second (wall clock); event time
		 * stands in for it */
		int cut = ev.ts - chunk_ts >= REC_CHUNK_NS;
		if (cut)
			chunk_ts = ev.ts;
		for (int i = 0; i < NW && !status; i++)
			if ((cut && i >= REC_FIRST && skr_writer_flush(w[i]) < 0) || skr_writer_append(w[i], &ev) < 0) {
				fprintf(stderr, "bench_size: %s: %s\n", paths[i], skr_writer_error(w[i]));
				status = 1;
			}
		if (!status && scap_writer_write(sw, &ev) < 0) {
			fprintf(stderr, "bench_size: %s: write error\n", paths[NW]);
			status = 1;
		}
		n++;
		rc = source_next(src, &ev);
	}
	if (rc < 0) {
		fprintf(stderr, "bench_size: %s\n", source_error(src));
		status = 1;
	}
	for (int i = 0; i < NW; i++)
		if (w[i] && skr_writer_close(w[i], err, sizeof(err)) < 0 && !status) {
			fprintf(stderr, "bench_size: %s\n", err);
			status = 1;
		}
	if (sw && scap_writer_close(sw) < 0 && !status) {
		fprintf(stderr, "bench_size: %s: close failed\n", paths[NW]);
		status = 1;
	}
	source_close(src);
	if (!status)
		printf("size: events %llu skr1 %.2f skr3 %.2f skr9 %.2f rec3 %.2f rec3i %.2f scap %.2f\n", n,
		       file_size(paths[0]) / (double)n, file_size(paths[1]) / (double)n,
		       file_size(paths[2]) / (double)n, file_size(paths[3]) / (double)n,
		       file_size(paths[4]) / (double)n, file_size(paths[5]) / (double)n);
	return status;
}
