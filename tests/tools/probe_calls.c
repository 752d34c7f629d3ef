/* tests/tools/probe_calls.c: issues the calls whose recorded parameters tests/e2e_probe.sh checks (64-bit and ia32). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* i386 numbers (asm/unistd_32.h) and socketcall calls (linux/net.h) */
#define IA32_WRITE 4
#define IA32_OPEN 5
#define IA32_CLOSE 6
#define IA32_SOCKETCALL 102
#define IA32_WRITEV 146
#define IA32_SOCKET 359
#define IA32_SYS_SOCKET 1

static long int80(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return r;
}

/* Whether this kernel runs 32-bit syscalls (IA32_EMULATION): probed in a
 * child, which dies of SIGSEGV when it does not. */
static int have_ia32(void)
{
	int st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(int80(20 /* getpid */, 0, 0, 0) > 0 ? 0 : 1);
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* 32-bit syscalls from this 64-bit process: buffers below 4 GiB. */
static int ia32_calls(const char *dir)
{
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	uint32_t *iov, *args;
	long fd, s;

	if (m == MAP_FAILED)
		return 1;
	snprintf(m, 1024, "%s/ia32-file", dir);
	strcpy(m + 1024, "ia32-one,");
	strcpy(m + 1100, "ia32-two");
	iov = (uint32_t *)(m + 2048); /* struct compat_iovec[2] */
	iov[0] = (uint32_t)(uintptr_t)(m + 1024);
	iov[1] = 9;
	iov[2] = (uint32_t)(uintptr_t)(m + 1100);
	iov[3] = 8;
	fd = int80(IA32_OPEN, (long)(uintptr_t)m, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0)
		return 1;
	int80(IA32_WRITE, fd, (long)(uintptr_t)(m + 1024), 9);
	int80(IA32_WRITEV, fd, (long)(uintptr_t)iov, 2);
	int80(IA32_CLOSE, fd, 0, 0);
	/* socket(AF_INET6, SOCK_DGRAM, 0) directly, then AF_UNIX through socketcall */
	s = int80(IA32_SOCKET, AF_INET6, SOCK_DGRAM, 0);
	if (s >= 0)
		close((int)s);
	args = (uint32_t *)(m + 3072);
	args[0] = AF_UNIX;
	args[1] = SOCK_STREAM;
	args[2] = 0;
	s = int80(IA32_SOCKETCALL, IA32_SYS_SOCKET, (long)(uintptr_t)args, 0);
	if (s >= 0)
		close((int)s);
	return 0;
}

/* accept with a queue: two clients wait, the first accept leaves one. */
static void accept_queue(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0), s;

	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 7) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &al) < 0)
		return;
	connect(c1, (struct sockaddr *)&a, sizeof(a));
	connect(c2, (struct sockaddr *)&a, sizeof(a));
	usleep(100000);
	s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(s);
	close(c1);
	close(c2);
	close(l);
}

/* A subreaper whose grandchild is orphaned: the middle process's exit
 * names us as its children's reaper. */
static void reaper(void)
{
	pid_t mid;
	int st;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_GET_CHILD_SUBREAPER, &st);
	mid = fork();
	if (mid == 0) {
		if (fork() == 0) {
			usleep(300000);
			_exit(0);
		}
		prctl(PR_SET_NAME, "saker-mid");
		_exit(0);
	}
	waitpid(mid, &st, 0);
	while (wait(&st) > 0)
		;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char *const targv[] = { "saker-execveat", NULL };
	char *const tenv[] = { NULL };
	sigset_t mask;
	int sfd, st;
	pid_t pid;

	prctl(PR_SET_NAME, "saker-pr-name");
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGTERM);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd >= 0)
		close(sfd);
	accept_queue();
	reaper();
	/* execveat relative to the current directory: the same exec as execve, but recorded as execveat */
	pid = fork();
	if (pid == 0) {
		syscall(SYS_execveat, AT_FDCWD, "/bin/true", targv, tenv, 0);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (argc > 2 && !strcmp(argv[2], "ia32")) {
		if (!have_ia32()) {
			printf("no-ia32\n");
			return 0;
		}
		return ia32_calls(dir);
	}
	return 0;
}
