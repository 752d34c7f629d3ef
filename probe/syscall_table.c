/* probe/syscall_table.c: the syscalls the probe supports and what it copies for each (x86_64). */
#include "probe/decode.h"

#include <string.h>
#include <sys/syscall.h>

#define S SKP_A_STR
#define SA SKP_A_SADDR_NEXT
#define BR SKP_A_BUF_RET
#define _ SKP_A_NONE
#define SC(nm, ev, x, a0, a1, a2, a3, a4, a5) \
	{ SYS_##nm, #nm, SK_EV_##ev##_X, { 1, (x), { a0, a1, a2, a3, a4, a5 } } }

const struct skp_syscall skp_syscalls[] = {
	SC(open, OPEN, SKP_X_FILE_RET, S, _, _, _, _, _),
	SC(openat, OPENAT, SKP_X_FILE_RET, _, S, _, _, _, _),
	SC(openat2, OPENAT2, SKP_X_FILE_RET, _, S, SKP_A_RAW24, _, _, _),
	SC(creat, CREAT, SKP_X_FILE_RET, S, _, _, _, _, _),
	SC(close, CLOSE, 0, _, _, _, _, _, _),
	SC(close_range, CLOSE_RANGE, 0, _, _, _, _, _, _),
	SC(socket, SOCKET, 0, _, _, _, _, _, _),
	SC(socketpair, SOCKETPAIR, SKP_X_SOCKPAIR, _, _, _, SKP_A_INT2, _, _),
	SC(bind, BIND, 0, _, SA, _, _, _, _),
	SC(connect, CONNECT, SKP_X_TUPLE_ARG0, _, SA, _, _, _, _),
	SC(listen, LISTEN, 0, _, _, _, _, _, _),
	SC(accept, ACCEPT, SKP_X_TUPLE_RET, _, _, _, _, _, _),
	SC(accept4, ACCEPT4, SKP_X_TUPLE_RET, _, _, _, _, _, _),
	SC(sendto, SENDTO, SKP_X_TUPLE_ARG0, _, BR, _, _, SA, _),
	SC(recvfrom, RECVFROM, SKP_X_TUPLE_ARG0, _, BR, _, _, SKP_A_SADDR_PTRLEN, _),
	SC(sendmsg, SENDMSG, SKP_X_TUPLE_ARG0, _, SKP_A_MSGHDR, _, _, _, _),
	SC(recvmsg, RECVMSG, SKP_X_TUPLE_ARG0, _, SKP_A_MSGHDR, _, _, _, _),
	SC(shutdown, SHUTDOWN, 0, _, _, _, _, _, _),
	SC(read, READ, 0, _, BR, _, _, _, _),
	SC(write, WRITE, 0, _, BR, _, _, _, _),
	SC(pread64, PREAD, 0, _, BR, _, _, _, _),
	SC(pwrite64, PWRITE, 0, _, BR, _, _, _, _),
	SC(readv, READV, 0, _, SKP_A_IOV_RET, _, _, _, _),
	SC(writev, WRITEV, 0, _, SKP_A_IOV_RET, _, _, _, _),
	SC(unlink, UNLINK, 0, S, _, _, _, _, _),
	SC(unlinkat, UNLINKAT, 0, _, S, _, _, _, _),
	SC(rename, RENAME, 0, S, S, _, _, _, _),
	SC(renameat, RENAMEAT, 0, _, S, _, S, _, _),
	SC(renameat2, RENAMEAT2, 0, _, S, _, S, _, _),
	SC(mkdir, MKDIR, 0, S, _, _, _, _, _),
	SC(mkdirat, MKDIRAT, 0, _, S, _, _, _, _),
	SC(rmdir, RMDIR, 0, S, _, _, _, _, _),
	SC(symlink, SYMLINK, 0, S, S, _, _, _, _),
	SC(symlinkat, SYMLINKAT, 0, S, _, S, _, _, _),
	SC(link, LINK, 0, S, S, _, _, _, _),
	SC(linkat, LINKAT, 0, _, S, _, S, _, _),
	SC(chmod, CHMOD, 0, S, _, _, _, _, _),
	SC(fchmod, FCHMOD, 0, _, _, _, _, _, _),
	SC(fchmodat, FCHMODAT, 0, _, S, _, _, _, _),
	SC(chown, CHOWN, 0, S, _, _, _, _, _),
	SC(lchown, LCHOWN, 0, S, _, _, _, _, _),
	SC(fchown, FCHOWN, 0, _, _, _, _, _, _),
	SC(fchownat, FCHOWNAT, 0, _, S, _, _, _, _),
	SC(setuid, SETUID, 0, _, _, _, _, _, _),
	SC(setgid, SETGID, 0, _, _, _, _, _, _),
	SC(setresuid, SETRESUID, 0, _, _, _, _, _, _),
	SC(setresgid, SETRESGID, 0, _, _, _, _, _, _),
	SC(setreuid, SETREUID, 0, _, _, _, _, _, _),
	SC(setregid, SETREGID, 0, _, _, _, _, _, _),
	SC(setsid, SETSID, 0, _, _, _, _, _, _),
	SC(setpgid, SETPGID, 0, _, _, _, _, _, _),
	SC(capset, CAPSET, SKP_X_PROC, _, _, _, _, _, _),
	SC(ptrace, PTRACE, 0, _, _, _, _, _, _),
	SC(memfd_create, MEMFD_CREATE, 0, S, _, _, _, _, _),
	SC(init_module, INIT_MODULE, 0, SKP_A_BUF_NEXT, _, S, _, _, _),
	SC(finit_module, FINIT_MODULE, 0, _, S, _, _, _, _),
	SC(bpf, BPF, 0, _, _, _, _, _, _),
	SC(unshare, UNSHARE, 0, _, _, _, _, _, _),
	SC(setns, SETNS, 0, _, _, _, _, _, _),
	SC(mount, MOUNT, 0, S, S, S, _, _, _),
	SC(umount2, UMOUNT2, 0, S, _, _, _, _, _),
	SC(kill, KILL, 0, _, _, _, _, _, _),
	SC(tkill, TKILL, 0, _, _, _, _, _, _),
	SC(tgkill, TGKILL, 0, _, _, _, _, _, _),
	SC(dup, DUP, 0, _, _, _, _, _, _),
	SC(dup2, DUP2, 0, _, _, _, _, _, _),
	SC(dup3, DUP3, 0, _, _, _, _, _, _),
	SC(fcntl, FCNTL, 0, _, _, _, _, _, _),
	SC(pipe, PIPE, SKP_X_PIPE, SKP_A_INT2, _, _, _, _, _),
	SC(pipe2, PIPE2, SKP_X_PIPE, SKP_A_INT2, _, _, _, _, _),
	SC(eventfd, EVENTFD, 0, _, _, _, _, _, _),
	SC(eventfd2, EVENTFD2, 0, _, _, _, _, _, _),
	SC(signalfd, SIGNALFD, 0, _, _, _, _, _, _),
	SC(signalfd4, SIGNALFD4, 0, _, _, _, _, _, _),
	SC(timerfd_create, TIMERFD_CREATE, 0, _, _, _, _, _, _),
	SC(inotify_init, INOTIFY_INIT, 0, _, _, _, _, _, _),
	SC(inotify_init1, INOTIFY_INIT1, 0, _, _, _, _, _, _),
	SC(epoll_create, EPOLL_CREATE, 0, _, _, _, _, _, _),
	SC(epoll_create1, EPOLL_CREATE1, 0, _, _, _, _, _, _),
	SC(io_uring_setup, IO_URING_SETUP, 0, _, SKP_A_RAW24, _, _, _, _),
	SC(userfaultfd, USERFAULTFD, 0, _, _, _, _, _, _),
	SC(pidfd_open, PIDFD_OPEN, 0, _, _, _, _, _, _),
	SC(pidfd_getfd, PIDFD_GETFD, 0, _, _, _, _, _, _),
	SC(chdir, CHDIR, 0, S, _, _, _, _, _),
	SC(fchdir, FCHDIR, 0, _, _, _, _, _, _),
	SC(getcwd, GETCWD, 0, S, _, _, _, _, _),
	SC(chroot, CHROOT, 0, S, _, _, _, _, _),
	SC(prctl, PRCTL, 0, _, _, _, _, _, _),
	SC(setrlimit, SETRLIMIT, 0, _, SKP_A_RAW16, _, _, _, _),
	SC(prlimit64, PRLIMIT, 0, _, _, SKP_A_RAW16, SKP_A_RAW16, _, _),
	SC(execve, EXECVE, SKP_X_PROC, S, _, _, _, _, _),
	SC(execveat, EXECVEAT, SKP_X_PROC, _, S, _, _, _, _),
	SC(clone, CLONE, SKP_X_PROC, _, _, _, _, _, _),
	SC(clone3, CLONE3, SKP_X_PROC, _, _, _, _, _, _),
	SC(fork, FORK, SKP_X_PROC, _, _, _, _, _, _),
	SC(vfork, VFORK, SKP_X_PROC, _, _, _, _, _, _),
};

const size_t skp_nsyscalls = sizeof(skp_syscalls) / sizeof(skp_syscalls[0]);

const struct skp_syscall *skp_syscall_by_nr(uint32_t nr)
{
	/* a direct index would be faster; the decoder caches per nr instead */
	for (size_t i = 0; i < skp_nsyscalls; i++)
		if (skp_syscalls[i].nr == nr)
			return &skp_syscalls[i];
	return NULL;
}

const struct skp_syscall *skp_syscall_by_name(const char *name)
{
	for (size_t i = 0; i < skp_nsyscalls; i++) {
		const char *n = skp_syscalls[i].name;

		if (!strcmp(n, name))
			return &skp_syscalls[i];
	}
	/* event-type spellings that differ from the x86_64 syscall names */
	if (!strcmp(name, "pread"))
		return skp_syscall_by_name("pread64");
	if (!strcmp(name, "pwrite"))
		return skp_syscall_by_name("pwrite64");
	if (!strcmp(name, "prlimit"))
		return skp_syscall_by_name("prlimit64");
	return NULL;
}
