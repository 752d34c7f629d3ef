/* bench/bench_startup.c: time from exec to a program's ready line on stderr (saker-record, saker-replay --live), then stops it with SIGINT; its stdout is discarded. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_util.h"

int main(int argc, char **argv)
{
	int pfd[2], st;
	pid_t pid;
	double t0, t1 = 0;
	FILE *f;
	char line[4096];

	if (argc < 3) {
		fprintf(stderr, "usage: bench_startup READY-TEXT COMMAND [ARGS...]\n"
				"  prints the ms from exec to the first stderr line containing READY-TEXT\n");
		return 2;
	}
	if (pipe(pfd) < 0) {
		perror("bench_startup: pipe");
		return 1;
	}
	t0 = bench_now();
	pid = fork();
	if (pid < 0) {
		perror("bench_startup: fork");
		return 1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* the command's stdout (alerts, summaries) is not ours to print */
		if (null >= 0)
			dup2(null, 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	close(pfd[1]);
	f = fdopen(pfd[0], "r");
	while (f && fgets(line, sizeof(line), f)) {
		if (strstr(line, argv[1])) {
			t1 = bench_now();
			break;
		}
		fputs(line, stderr); /* -v breakdown and errors, for the log */
	}
	kill(pid, SIGINT);
	/* drain: the summary line on exit must not block the child */
	while (f && fgets(line, sizeof(line), f))
		;
	waitpid(pid, &st, 0);
	if (!t1) {
		fprintf(stderr, "bench_startup: '%s' never printed '%s'\n", argv[2], argv[1]);
		return 1;
	}
	printf("%.1f\n", (t1 - t0) * 1e3);
	return 0;
}
