/* tests/kernel/workload.c: the fixed syscall workload that make kernel-test records on every kernel and compares. */
/*
 * Run as `skwork` in its work directory (it holds this binary and a FIFO
 * named "go"). It first makes its environment the same everywhere (session,
 * fd limit, capabilities, fds), blocks on "go" until the recorder is
 * attached, then does a fixed sequence of syscalls. Each step checks its
 * own results: a non-zero exit means the kernel (or the harness) broke the
 * workload, not the probe. Everything after "go" is deterministic per
 * process; only the interleaving of processes varies, which the comparison
 * removes by grouping events per process.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <unistd.h>

#define DATA_LINE "kernel-matrix-data\n"

static const char *step = "setup";

static void die(const char *what)
{
	fprintf(stderr, "skwork: %s: %s failed: %s\n", step, what, strerror(errno));
	exit(1);
}

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "skwork: %s: unexpected result of %s\n", step, what);
		exit(1);
	}
}

/* Waits for pid and checks it exited with code (or was killed by -code). */
static void reap(pid_t pid, int code)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		die("waitpid");
	if (code >= 0)
		expect(WIFEXITED(st) && WEXITSTATUS(st) == code, "child exit status");
	else
		expect(WIFSIGNALED(st) && WTERMSIG(st) == -code, "child termination signal");
}

/* The same capability sets on every machine: CI hosts often lack a
 * bounding-set bit or two, which the execve events would show. Root's
 * execve recomputes permitted from the bounding set, so that shrinks too. */
static void fix_capabilities(void)
{
	static const int keep[] = { CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_KILL,
				    CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_NET_ADMIN,
				    CAP_NET_RAW, CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_ADMIN };
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t mask = 0;
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		mask |= 1ull << keep[i];
	for (i = 0; i < 64; i++)
		if (!(mask & (1ull << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) != 0 && errno != EINVAL)
			die("PR_CAPBSET_DROP");
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)mask;
	data[1].effective = data[1].permitted = (uint32_t)(mask >> 32);
	if (syscall(SYS_capset, &hdr, data) != 0)
		die("capset");
}

static void normalise_environment(void)
{
	struct rlimit files = { 1024, 1024 }, stack = { 8 << 20, 8 << 20 };

	setsid(); /* no controlling tty; fails harmlessly if already a leader */
	umask(022);
	/* glibc's start-up reads RLIMIT_STACK with prlimit64, which is recorded */
	if (setrlimit(RLIMIT_NOFILE, &files) != 0 || setrlimit(RLIMIT_STACK, &stack) != 0)
		die("setrlimit");
	fix_capabilities();
	/* only 0, 1, 2 stay open, whatever the shell that started us held */
	if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
		die("close_range");
}

static void wait_for_go(void)
{
	char c;
	int fd = open("go", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open go");
	expect(read(fd, &c, 1) == 1, "read go");
	close(fd);
}

static void files(void)
{
	struct iov_out { const char *s; } parts[] = { { "iov-one," }, { "" }, { "iov-two\n" } };
	struct iovec iov[3];
	char a[8], b[8], buf[64];
	int fd, i;

	step = "files";
	fd = openat(AT_FDCWD, "data.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		die("openat data.txt");
	expect(write(fd, DATA_LINE, strlen(DATA_LINE)) == (ssize_t)strlen(DATA_LINE), "write");
	for (i = 0; i < 3; i++) {
		iov[i].iov_base = (void *)parts[i].s;
		iov[i].iov_len = strlen(parts[i].s);
	}
	expect(writev(fd, iov, 3) == 16, "writev");
	expect(pwrite(fd, "KM", 2, 0) == 2, "pwrite64");
	close(fd);

	fd = (int)syscall(SYS_open, "data.txt", O_RDONLY, 0);
	if (fd < 0)
		die("open data.txt");
	iov[0].iov_base = a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = b;
	iov[1].iov_len = sizeof(b);
	expect(readv(fd, iov, 2) == 16, "readv");
	expect(read(fd, buf, sizeof(buf)) == 19, "read");
	expect(pread(fd, buf, 4, 2) == 4 && memcmp(buf, "rnel", 4) == 0, "pread64");
	expect(dup2(fd, 10) == 10, "dup2");
	expect(fcntl(10, F_DUPFD_CLOEXEC, 20) == 20, "fcntl F_DUPFD_CLOEXEC");
	close(20);
	close(10);
	close(fd);

	expect(openat(AT_FDCWD, "missing/none.txt", O_RDONLY) == -1 && errno == ENOENT, "failed openat");
	expect(syscall(SYS_open, "data.txt", O_RDONLY | O_DIRECTORY, 0) == -1 && errno == ENOTDIR, "failed open");

	fd = creat("created.txt", 0600);
	if (fd < 0)
		die("creat");
	close(fd);
	if (mkdir("sub", 0750) != 0 || rename("created.txt", "sub/renamed.txt") != 0 ||
	    symlink("sub/renamed.txt", "link") != 0 || chmod("sub/renamed.txt", 0644) != 0 ||
	    unlink("link") != 0 || unlink("sub/renamed.txt") != 0)
		die("file tree changes");
	if (chdir("sub") != 0 || !getcwd(buf, sizeof(buf)) || chdir("..") != 0 || rmdir("sub") != 0)
		die("chdir/getcwd");
}

static void pipes(void)
{
	char buf[16];
	int p[2];

	step = "pipes";
	if (pipe2(p, O_CLOEXEC) != 0)
		die("pipe2");
	expect(write(p[1], "pipe-data", 9) == 9, "pipe write");
	expect(read(p[0], buf, sizeof(buf)) == 9, "pipe read");
	close(p[0]);
	close(p[1]);
	if (syscall(SYS_pipe, p) != 0)
		die("pipe");
	close(p[1]);
	close(p[0]);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0)
		die("socketpair");
	expect(write(p[0], "unix-data", 9) == 9, "socketpair write");
	expect(read(p[1], buf, sizeof(buf)) == 9, "socketpair read");
	close(p[0]);
	close(p[1]);
}

static void exec_self(void)
{
	char *argv[] = { "skwork", "exec-child", NULL };
	char *envp[] = { "SKW=exec", NULL };
	pid_t pid;

	step = "execve";
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve("./skwork", argv, envp);
		_exit(127);
	}
	reap(pid, 3);
}

static int exec_child(void)
{
	char buf[64];
	int fd = open("data.txt", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || read(fd, buf, sizeof(buf)) != 35)
		return 1;
	close(fd);
	return 3;
}

static struct sockaddr_in loopback(void)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* Binds a loopback socket to a free port; the address is returned in *a. */
static int bound_socket(int type, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int one = 1;
	int s = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	*a = loopback();
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(s, (struct sockaddr *)a, sizeof(*a)) != 0 || getsockname(s, (struct sockaddr *)a, &len) != 0)
		die("bound socket");
	return s;
}

static void tcp(void)
{
	struct sockaddr_in la, peer;
	socklen_t plen = sizeof(peer);
	char buf[16];
	pid_t pid;
	int ls, s, c;

	step = "tcp";
	ls = bound_socket(SOCK_STREAM, &la);
	if (listen(ls, 4) != 0)
		die("listen");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		c = accept4(ls, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (c < 0 || read(c, buf, sizeof(buf)) != 5 || write(c, "pong", 4) != 4)
			_exit(1);
		close(c);
		close(ls);
		_exit(0);
	}
	close(ls);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&la, sizeof(la)) != 0)
		die("connect");
	expect(write(s, "ping!", 5) == 5, "tcp write");
	expect(read(s, buf, sizeof(buf)) == 4, "tcp read");
	reap(pid, 0);
	shutdown(s, SHUT_RDWR);
	close(s);
}

static void udp(void)
{
	struct sockaddr_in ra, from;
	socklen_t flen = sizeof(from);
	struct iovec iov[2] = { { "msg-a,", 6 }, { "msg-b", 5 } };
	struct msghdr mh;
	char buf[64];
	int r, s;

	step = "udp";
	r = bound_socket(SOCK_DGRAM, &ra);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket");
	expect(sendto(s, "udp-datagram", 12, 0, (struct sockaddr *)&ra, sizeof(ra)) == 12, "sendto");
	expect(recvfrom(r, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) == 12, "recvfrom");
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &ra;
	mh.msg_namelen = sizeof(ra);
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	expect(sendmsg(s, &mh, 0) == 11, "sendmsg");
	iov[0].iov_base = buf;
	iov[0].iov_len = sizeof(buf);
	mh.msg_name = &from;
	mh.msg_namelen = sizeof(from);
	mh.msg_iovlen = 1;
	expect(recvmsg(r, &mh, 0) == 11, "recvmsg");
	close(s);
	close(r);
}

/* A child that enters new UTS, IPC and PID namespaces; its own child is
 * pid 1 of the new PID namespace. */
static void namespaces(void)
{
	pid_t pid, inner;

	step = "unshare";
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) != 0 || unshare(CLONE_NEWPID) != 0)
			_exit(1);
		inner = fork();
		if (inner == 0)
			_exit(getpid() == 1 ? 0 : 1);
		if (inner < 0 || waitpid(inner, &(int){ 0 }, 0) != inner)
			_exit(1);
		_exit(0);
	}
	reap(pid, 0);
}

/* Copies this binary into a memfd and runs it from there. */
static void memfd_exec(void)
{
	char *argv[] = { "skwork", "memfd-child", NULL };
	char *envp[] = { "SKW=memfd", NULL };
	ssize_t n;
	pid_t pid;
	int mfd, src;

	step = "memfd exec";
	mfd = (int)syscall(SYS_memfd_create, "skw-memfd", 0u);
	src = open("skwork", O_RDONLY | O_CLOEXEC);
	if (mfd < 0 || src < 0)
		die("memfd_create/open");
	/* sendfile is not recorded: the copy adds no events */
	while ((n = sendfile(mfd, src, NULL, 1 << 20)) > 0)
		;
	if (n < 0)
		die("sendfile");
	close(src);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		syscall(SYS_execveat, mfd, "", argv, envp, AT_EMPTY_PATH);
		_exit(127);
	}
	close(mfd);
	reap(pid, 5);
}

static int memfd_child(void)
{
	return write(1, "memfd-child\n", 12) == 12 ? 5 : 1;
}

/* Every way to make a process: fork (as a syscall), vfork, clone, clone3;
 * then one child renamed and killed. */
static void process_family(void)
{
	struct clone_args ca;
	int ready[2];
	pid_t pid;
	char c;

	step = "clone family";
	pid = (pid_t)syscall(SYS_fork);
	if (pid == 0)
		_exit(11);
	expect(pid > 0, "fork");
	reap(pid, 11);

	pid = vfork();
	if (pid == 0)
		_exit(12);
	expect(pid > 0, "vfork");
	reap(pid, 12);

	pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, 0ul, 0ul, 0ul, 0ul);
	if (pid == 0)
		_exit(13);
	expect(pid > 0, "clone");
	reap(pid, 13);

	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0)
		_exit(14);
	expect(pid > 0, "clone3");
	reap(pid, 14);

	/* the victim says it is renamed before the kill, so its events never
	 * depend on how fast it ran */
	if (pipe2(ready, O_CLOEXEC) != 0)
		die("pipe2");
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "skw-victim", 0, 0, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	expect(pid > 0, "fork");
	close(ready[1]);
	expect(read(ready[0], &c, 1) == 1, "read ready");
	close(ready[0]);
	if (kill(pid, SIGTERM) != 0)
		die("kill");
	reap(pid, -SIGTERM);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
		return exec_child();
	if (argc > 1 && strcmp(argv[1], "memfd-child") == 0)
		return memfd_child();
	if (argc > 1) {
		fprintf(stderr, "usage: skwork (in a directory holding the FIFO \"go\")\n");
		return 2;
	}
	normalise_environment();
	wait_for_go();
	files();
	pipes();
	exec_self();
	tcp();
	udp();
	namespaces();
	memfd_exec();
	process_family();
	return 0;
}
