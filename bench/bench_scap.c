/* bench/bench_scap.c: .scap import throughput (events/s) on the largest peer capture, looped. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "formats/scap/scap.h"
#include "bench/bench_util.h"

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "../shared/peers/scap/run_as_user_0_container.scap";
	int loops = argc > 2 ? atoi(argv[2]) : 200;
	FILE *f = fopen(path, "rb");
	if (!f) {
		printf("SKIPPED: %s not found\n", path);
		return 0;
	}
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *data = malloc((size_t)len);
	if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "bench_scap: %s: read error\n", path);
		return 1;
	}
	fclose(f);
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: default (exit-only, merged); pass 1: enters delivered too */
		struct scap_read_opts o = { .deliver_enter = pass };
		unsigned long long events = 0, delivered = 0;
		double t0 = bench_now();
		for (int i = 0; i < loops; i++) {
			struct scap_reader *r;
			char err[400];
			struct sk_event ev;
			int rc;
			if (scap_open_mem(data, (size_t)len, path, &o, &r, err, sizeof(err)) < 0) {
				fprintf(stderr, "bench_scap: %s\n", err);
				return 1;
			}
			while ((rc = scap_next(r, &ev)) == 1)
				delivered++;
			if (rc < 0) {
				fprintf(stderr, "bench_scap: %s\n", scap_error(r));
				return 1;
			}
			events += scap_get_stats(r)->numbered;
			scap_close(r);
		}
		double dt = bench_now() - t0;
		printf("scap import (%s, gzip, open+inflate+metadata+decode): %.2f M file events/s, %.2f M delivered/s (%llu events in %.3f s)\n",
		       pass ? "enter events delivered" : "exit-only default", events / dt / 1e6, delivered / dt / 1e6,
		       events, dt);
	}
	free(data);
	return 0;
}
