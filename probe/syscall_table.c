/* probe/syscall_table.c: the syscalls the probe supports, their exit events and the BPF program recording each (x86_64). */
#include "probe/decode.h"

#include <string.h>
#include <sys/syscall.h>

/* syscall, its exit event, the BPF program that records it (probe/bpf/: sk_x_PROG) */
#define SC(nm, ev, prog) { SYS_##nm, #nm, SK_EV_##ev##_X, "sk_x_" #prog }

const struct skp_syscall skp_syscalls[] = {
	SC(open, OPEN, open),
	SC(openat, OPENAT, openat),
	SC(openat2, OPENAT2, openat2),
	SC(creat, CREAT, open),
	SC(close, CLOSE, plain),
	SC(close_range, CLOSE_RANGE, plain),
	SC(socket, SOCKET, plain),
	SC(socketpair, SOCKETPAIR, socketpair),
	SC(bind, BIND, bind),
	SC(connect, CONNECT, connect),
	SC(listen, LISTEN, plain),
	SC(accept, ACCEPT, accept),
	SC(accept4, ACCEPT4, accept),
	SC(sendto, SENDTO, sendto),
	SC(recvfrom, RECVFROM, recvfrom),
	SC(sendmsg, SENDMSG, msg),
	SC(recvmsg, RECVMSG, msg),
	SC(shutdown, SHUTDOWN, plain),
	SC(read, READ, rw),
	SC(write, WRITE, rw),
	SC(pread64, PREAD, rw),
	SC(pwrite64, PWRITE, rw),
	SC(readv, READV, rwv),
	SC(writev, WRITEV, rwv),
	SC(unlink, UNLINK, path0),
	SC(unlinkat, UNLINKAT, path1),
	SC(rename, RENAME, path01),
	SC(renameat, RENAMEAT, path13),
	SC(renameat2, RENAMEAT2, path13),
	SC(mkdir, MKDIR, path0),
	SC(mkdirat, MKDIRAT, path1),
	SC(rmdir, RMDIR, path0),
	SC(symlink, SYMLINK, path01),
	SC(symlinkat, SYMLINKAT, symlinkat),
	SC(link, LINK, path01),
	SC(linkat, LINKAT, path13),
	SC(chmod, CHMOD, path0),
	SC(fchmod, FCHMOD, plain),
	SC(fchmodat, FCHMODAT, path1),
	SC(chown, CHOWN, path0),
	SC(lchown, LCHOWN, path0),
	SC(fchown, FCHOWN, plain),
	SC(fchownat, FCHOWNAT, path1),
	SC(setuid, SETUID, plain),
	SC(setgid, SETGID, plain),
	SC(setresuid, SETRESUID, plain),
	SC(setresgid, SETRESGID, plain),
	SC(setreuid, SETREUID, plain),
	SC(setregid, SETREGID, plain),
	SC(setsid, SETSID, plain),
	SC(setpgid, SETPGID, plain),
	SC(capset, CAPSET, capset),
	SC(ptrace, PTRACE, plain),
	SC(memfd_create, MEMFD_CREATE, path0),
	SC(init_module, INIT_MODULE, init_module),
	SC(finit_module, FINIT_MODULE, path1),
	SC(bpf, BPF, plain),
	SC(unshare, UNSHARE, plain),
	SC(setns, SETNS, plain),
	SC(mount, MOUNT, mount),
	SC(umount2, UMOUNT2, path0),
	SC(kill, KILL, plain),
	SC(tkill, TKILL, plain),
	SC(tgkill, TGKILL, plain),
	SC(dup, DUP, plain),
	SC(dup2, DUP2, plain),
	SC(dup3, DUP3, plain),
	SC(fcntl, FCNTL, plain),
	SC(pipe, PIPE, pipe),
	SC(pipe2, PIPE2, pipe),
	SC(eventfd, EVENTFD, plain),
	SC(eventfd2, EVENTFD2, plain),
	SC(signalfd, SIGNALFD, signalfd),
	SC(signalfd4, SIGNALFD4, signalfd),
	SC(timerfd_create, TIMERFD_CREATE, plain),
	SC(inotify_init, INOTIFY_INIT, plain),
	SC(inotify_init1, INOTIFY_INIT1, plain),
	SC(epoll_create, EPOLL_CREATE, plain),
	SC(epoll_create1, EPOLL_CREATE1, plain),
	SC(io_uring_setup, IO_URING_SETUP, io_uring_setup),
	SC(userfaultfd, USERFAULTFD, plain),
	SC(pidfd_open, PIDFD_OPEN, plain),
	SC(pidfd_getfd, PIDFD_GETFD, plain),
	SC(chdir, CHDIR, path0),
	SC(fchdir, FCHDIR, plain),
	SC(getcwd, GETCWD, path0),
	SC(chroot, CHROOT, path0),
	SC(prctl, PRCTL, prctl),
	SC(setrlimit, SETRLIMIT, setrlimit),
	SC(prlimit64, PRLIMIT, prlimit),
	SC(execve, EXECVE, execve),
	SC(execveat, EXECVEAT, execveat),
	SC(clone, CLONE, clone),
	SC(clone3, CLONE3, clone),
	SC(fork, FORK, clone),
	SC(vfork, VFORK, clone),
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
