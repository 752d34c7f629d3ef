/* bench/bench_run.c: runs a command several times, printing wall seconds (best/median) and the child's peak RSS. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench/bench_util.h"

/*
 * bench_run [-n RUNS] [-o FILE] -- CMD ARGS...
 * stdout of CMD goes to FILE (default /dev/null); stderr is kept. Prints
 *   run: best S median S maxrss KB status N cpu S
 * wait4() gives each child's own rusage, so the RSS is the command's, not a
 * shell's or an earlier run's; cpu is the least user+system time of a run,
 * which other processes on a busy machine do not inflate as they do wall time.
 */

int main(int argc, char **argv)
{
	int runs = 1, i = 1;
	const char *out = "/dev/null";
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			runs = atoi(argv[++i]);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else
			break;
	}
	if (i >= argc || runs < 1 || runs > 100) {
		fprintf(stderr, "usage: bench_run [-n RUNS] [-o FILE] -- CMD ARGS...\n");
		return 2;
	}
	double secs[100];
	long maxrss = 0;
	int worst = 0;
	double cpu_best = -1;
	for (int r = 0; r < runs; r++) {
		double t0 = bench_now();
		pid_t pid = fork();
		if (pid < 0) {
			perror("bench_run: fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0 || dup2(fd, 1) < 0) {
				perror(out);
				_exit(127);
			}
			execvp(argv[i], argv + i);
			perror(argv[i]);
			_exit(127);
		}
		int st;
		struct rusage ru;
		if (wait4(pid, &st, 0, &ru) < 0) {
			perror("bench_run: wait4");
			return 1;
		}
		secs[r] = bench_now() - t0;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
		double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
			     (double)ru.ru_stime.tv_usec / 1e6;
		if (cpu_best < 0 || cpu < cpu_best)
			cpu_best = cpu;
		int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (code > worst)
			worst = code;
	}
	qsort(secs, (size_t)runs, sizeof(double), bench_cmp_double);
	printf("run: best %.4f median %.4f maxrss %ld KB status %d cpu %.4f\n", secs[0], secs[runs / 2], maxrss, worst,
	       cpu_best);
	return 0;
}
