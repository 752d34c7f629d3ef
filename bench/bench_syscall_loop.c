/* bench/bench_syscall_loop.c: a tight syscall loop (getppid, open/read/close of a small file, or a small compile) timing ns per iteration; optionally under the empty probe. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe/empty.h"
#include "bench/bench_util.h"

/* A small C file: the open loop reads it, the compile loop compiles it. */
static int make_input(char *path)
{
	static const char text[] = "#include <stdio.h>\n#include <string.h>\n"
				   "int f(const char *s) { return (int)strlen(s) * 3; }\n"
				   "int main(void) { printf(\"%d\\n\", f(\"saker\")); return 0; }\n";
	int fd = mkstemps(path, 2);
	if (fd < 0 || write(fd, text, sizeof(text) - 1) != (ssize_t)(sizeof(text) - 1)) {
		perror("bench_syscall_loop: input file");
		return -1;
	}
	close(fd);
	return 0;
}

static int compile(const char *src)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("cc", "cc", "-O1", "-c", "-o", "/dev/null", src, (char *)NULL);
		_exit(127);
	}
	int st;
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench_syscall_loop: cc failed\n");
		return -1;
	}
	return 0;
}

/* CPU time (user + system) of this process and its waited-for children:
 * unlike wall time it does not grow when other work on the machine takes
 * the CPU away, and probe programs run in the traced task's context. */
static double cpu_s(void)
{
	struct rusage self, kids;
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return (double)(self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec + kids.ru_stime.tv_sec) +
	       (double)(self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
		       1e6;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "getppid";
	long n = argc > 2 ? atol(argv[2]) : 2000000;
	int empty = argc > 3 && !strcmp(argv[3], "empty");
	struct sk_empty_probe *ep = NULL;
	char err[256];
	double t0, t1, c0, c1;

	if (n <= 0 || (strcmp(mode, "getppid") && strcmp(mode, "open") && strcmp(mode, "compile"))) {
		fprintf(stderr, "usage: bench_syscall_loop getppid|open|compile [ITERATIONS] [empty]\n"
				"  open: open/read/close of a small file; compile: `cc -c` of a small C file\n");
		return 2;
	}
	char src[] = "/tmp/saker-bench-loop-XXXXXX.c";
	if (strcmp(mode, "getppid") && make_input(src) < 0)
		return 1;
	if (empty) {
		ep = sk_empty_probe_open(err, sizeof(err));
		if (!ep) {
			fprintf(stderr, "bench_syscall_loop: %s\n", err);
			return 1;
		}
	}
	t0 = bench_now();
	c0 = cpu_s();
	if (!strcmp(mode, "getppid")) {
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (!strcmp(mode, "open")) {
		char buf[256];
		for (long i = 0; i < n; i++) {
			int fd = open(src, O_RDONLY);
			if (fd >= 0) {
				if (read(fd, buf, sizeof(buf)) < 0)
					break;
				close(fd);
			}
		}
	} else {
		for (long i = 0; i < n; i++)
			if (compile(src) < 0)
				break;
	}
	t1 = bench_now();
	c1 = cpu_s();
	sk_empty_probe_close(ep);
	if (strcmp(mode, "getppid"))
		unlink(src);
	/* iterations, wall seconds, wall ns per iteration, CPU ns per iteration */
	printf("%ld %.6f %.1f %.1f\n", n, t1 - t0, (t1 - t0) * 1e9 / (double)n, (c1 - c0) * 1e9 / (double)n);
	return 0;
}
