/* bench/bench_syscall_loop.c: a tight syscall loop (getppid or open/close) timing ns per iteration; optionally under the empty probe. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probe/empty.h"

/* CPU time (user + system) of this process: the probe runs in the
 * syscall's context, so its cost lands here, and other load on the machine
 * does not (unlike wall time). */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "getppid";
	long n = argc > 2 ? atol(argv[2]) : 2000000;
	int empty = argc > 3 && !strcmp(argv[3], "empty");
	struct sk_empty_probe *ep = NULL;
	char err[256];
	double t0, t1, c0, c1;

	if (n <= 0 || (strcmp(mode, "getppid") && strcmp(mode, "open"))) {
		fprintf(stderr, "usage: bench_syscall_loop getppid|open [ITERATIONS] [empty]\n");
		return 2;
	}
	if (empty) {
		ep = sk_empty_probe_open(err, sizeof(err));
		if (!ep) {
			fprintf(stderr, "bench_syscall_loop: %s\n", err);
			return 1;
		}
	}
	t0 = now_s();
	c0 = cpu_s();
	if (!strcmp(mode, "getppid")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else {
		for (long i = 0; i < n; i++) {
			int fd = open("/dev/null", O_RDONLY);
			if (fd >= 0)
				close(fd);
		}
	}
	c1 = cpu_s();
	t1 = now_s();
	if (ep) {
		double en, ex;

		sk_empty_probe_runtime(ep, &en, &ex);
		/* in-kernel cost of the empty programs (needs kernel.bpf_stats_enabled) */
		fprintf(stderr, "empty-probe-ns %.1f %.1f\n", en, ex);
	}
	sk_empty_probe_close(ep);
	/* iterations, wall seconds, wall ns per iteration, CPU ns per iteration */
	printf("%ld %.6f %.1f %.1f\n", n, t1 - t0, (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n);
	return 0;
}
