/* replay/outputs/program.c: program_output: alerts piped to `sh -c PROGRAM`, one process or one per alert. */
#include "replay/outputs/outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How long a program may take to read an alert, and to exit once its input is closed. */
#define PROGRAM_TIMEOUT_MS 5000

struct out_program {
	struct output base;
	char *cmd;
	int keep_alive;
	int fd;        /* write end of the program's stdin, -1 when not running */
	pid_t pid;
};

static int spawn(struct out_program *p, char *err, size_t errcap)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(err, errcap, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errcap, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(fds[0], 0);
		execl("/bin/sh", "sh", "-c", p->cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	p->fd = fds[1];
	p->pid = pid;
	return 0;
}

/* Closes the program's input and waits for it, killing it after the timeout. */
static int reap(struct out_program *p, char *err, size_t errcap)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid <= 0)
		return 0;
	int status = 0;
	for (int waited = 0;; waited++) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);
		if (r == p->pid || (r < 0 && errno != EINTR))
			break;
		if (waited == PROGRAM_TIMEOUT_MS) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
			snprintf(err, errcap, "'%s' did not exit within %d ms; killed", p->cmd, PROGRAM_TIMEOUT_MS);
			p->pid = 0;
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	p->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		snprintf(err, errcap, "'%s' could not be run (exit status 127)", p->cmd);
		return -1;
	}
	return 0;
}

static int program_write(struct output *out, const struct output_alert *a, char *err, size_t errcap)
{
	struct out_program *p = (struct out_program *)out;
	if (p->fd < 0 && spawn(p, err, errcap) < 0)
		return -1;
	int rc = output_write_all_timeout(p->fd, a->line, a->len, PROGRAM_TIMEOUT_MS);
	if (rc == 0)
		rc = output_write_all_timeout(p->fd, "\n", 1, PROGRAM_TIMEOUT_MS);
	if (rc < 0) {
		snprintf(err, errcap, "'%s': %s", p->cmd, strerror(errno));
		char ignored[64];
		reap(p, ignored, sizeof(ignored));
		return -1;
	}
	if (!p->keep_alive)
		return reap(p, err, errcap);
	return 0;
}

static void program_close(struct output *out)
{
	struct out_program *p = (struct out_program *)out;
	char err[256];
	if (reap(p, err, sizeof(err)) < 0)
		fprintf(stderr, "saker-replay: program output: %s\n", err);
	free(p->cmd);
	free(p);
}

struct output *output_program_new(const char *cmd, int keep_alive, char *err, size_t errcap)
{
	struct out_program *p = calloc(1, sizeof(*p));
	if (!p || !(p->cmd = strdup(cmd))) {
		free(p);
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	p->base = (struct output){.name = "program", .write = program_write, .close = program_close};
	p->keep_alive = keep_alive;
	p->fd = -1;
	return &p->base;
}
