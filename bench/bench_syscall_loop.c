/* bench/bench_syscall_loop.c: a tight syscall loop (getppid or open/close) timing ns per iteration; optionally under the empty probe. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "probe/empty.h"

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
	double t0, t1;

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
	t1 = now_s();
	sk_empty_probe_close(ep);
	/* iterations, seconds, ns per iteration */
	printf("%ld %.6f %.1f\n", n, t1 - t0, (t1 - t0) * 1e9 / (double)n);
	return 0;
}
