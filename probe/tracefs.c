/* probe/tracefs.c: attaching a program to a trace event (syscalls:sys_enter_*), with tracefs mounted or not. */
#include "probe/probe_int.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

static long read_id(const char *root, const char *category, const char *name)
{
	char path[256], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, category, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* The event's id from a tracefs mounted in a child's private mount
 * namespace: the host's mount table is left as it was. */
static long read_id_private_mount(const char *category, const char *name)
{
	int pfd[2];
	long id = -ENOENT;
	pid_t pid;
	int st;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		id = -errno;
		close(pfd[0]);
		close(pfd[1]);
		return id;
	}
	if (pid == 0) {
		long v = -EPERM;

		/* only syscalls here: the parent may have threads */
		if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
		    mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
			v = read_id("/sys/kernel/tracing", category, name);
		if (write(pfd[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &id, sizeof(id)) != sizeof(id))
		id = -EIO;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return id;
}

long skp_trace_event_id(const char *category, const char *name)
{
	long id = read_id("/sys/kernel/tracing", category, name);

	if (id < 0)
		id = read_id("/sys/kernel/debug/tracing", category, name);
	if (id < 0)
		id = read_id_private_mount(category, name);
	return id;
}

struct bpf_link *skp_attach_trace_event(struct bpf_program *prog, long id, char *err, size_t errlen)
{
	struct perf_event_attr attr;
	struct bpf_link *link;
	int pfd, rc;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (uint64_t)id;
	/* one event (cpu 0, every task): the program runs on every CPU */
	pfd = (int)syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		snprintf(err, errlen, "perf_event_open: %s", strerror(errno));
		return NULL;
	}
	link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		rc = -errno;
		close(pfd);
		snprintf(err, errlen, "attach: %s", strerror(-rc));
		return NULL;
	}
	return link;
}
