/* probe/ia32_table.c: the i386 numbers of the supported syscalls and socketcall's call numbers, for the ia32 translation map. */
#include "probe/decode.h"

/* The i386 numbers only: <sys/syscall.h> (x86_64) must not be included here. */
#include <asm/unistd_32.h>
#include <linux/net.h>

/* i386 number -> x86_64 syscall name (the 16-bit uid calls map to the same syscalls as their 32-bit forms) */
#define I(nr, name) { __NR_##nr, #name }

const struct skp_ia32 skp_ia32_syscalls[] = {
	I(open, open), I(openat, openat), I(openat2, openat2), I(creat, creat), I(close, close),
	I(close_range, close_range), I(socket, socket), I(socketpair, socketpair), I(bind, bind),
	I(connect, connect), I(listen, listen), I(accept4, accept4), I(sendto, sendto),
	I(recvfrom, recvfrom), I(sendmsg, sendmsg), I(recvmsg, recvmsg), I(shutdown, shutdown),
	I(read, read), I(write, write), I(pread64, pread64), I(pwrite64, pwrite64), I(readv, readv),
	I(writev, writev), I(unlink, unlink), I(unlinkat, unlinkat), I(rename, rename),
	I(renameat, renameat), I(renameat2, renameat2), I(mkdir, mkdir), I(mkdirat, mkdirat),
	I(rmdir, rmdir), I(symlink, symlink), I(symlinkat, symlinkat), I(link, link), I(linkat, linkat),
	I(chmod, chmod), I(fchmod, fchmod), I(fchmodat, fchmodat), I(chown, chown), I(chown32, chown),
	I(lchown, lchown), I(lchown32, lchown), I(fchown, fchown), I(fchown32, fchown),
	I(fchownat, fchownat), I(setuid, setuid), I(setuid32, setuid), I(setgid, setgid),
	I(setgid32, setgid), I(setresuid, setresuid), I(setresuid32, setresuid), I(setresgid, setresgid),
	I(setresgid32, setresgid), I(setreuid, setreuid), I(setreuid32, setreuid), I(setregid, setregid),
	I(setregid32, setregid), I(setsid, setsid), I(setpgid, setpgid), I(capset, capset),
	I(ptrace, ptrace), I(memfd_create, memfd_create), I(init_module, init_module),
	I(finit_module, finit_module), I(bpf, bpf), I(unshare, unshare), I(setns, setns), I(mount, mount),
	I(umount2, umount2), I(kill, kill), I(tkill, tkill), I(tgkill, tgkill), I(dup, dup), I(dup2, dup2),
	I(dup3, dup3), I(fcntl, fcntl), I(fcntl64, fcntl), I(pipe, pipe), I(pipe2, pipe2),
	I(eventfd, eventfd), I(eventfd2, eventfd2), I(signalfd, signalfd), I(signalfd4, signalfd4),
	I(timerfd_create, timerfd_create), I(inotify_init, inotify_init), I(inotify_init1, inotify_init1),
	I(epoll_create, epoll_create), I(epoll_create1, epoll_create1), I(io_uring_setup, io_uring_setup),
	I(userfaultfd, userfaultfd), I(pidfd_open, pidfd_open), I(pidfd_getfd, pidfd_getfd), I(chdir, chdir),
	I(fchdir, fchdir), I(getcwd, getcwd), I(chroot, chroot), I(prctl, prctl), I(setrlimit, setrlimit),
	I(prlimit64, prlimit64), I(execve, execve), I(execveat, execveat), I(clone, clone), I(clone3, clone3),
	I(fork, fork), I(vfork, vfork),
};
const size_t skp_ia32_nsyscalls = sizeof(skp_ia32_syscalls) / sizeof(skp_ia32_syscalls[0]);

/* socketcall(call, args): call -> the x86_64 syscall it stands for; send
 * and recv are sendto and recvfrom without an address. */
const struct skp_ia32 skp_socketcalls[] = {
	{ SYS_SOCKET, "socket" }, { SYS_BIND, "bind" }, { SYS_CONNECT, "connect" },
	{ SYS_LISTEN, "listen" }, { SYS_ACCEPT, "accept" }, { SYS_SOCKETPAIR, "socketpair" },
	{ SYS_SEND, "sendto" }, { SYS_RECV, "recvfrom" }, { SYS_SENDTO, "sendto" },
	{ SYS_RECVFROM, "recvfrom" }, { SYS_SHUTDOWN, "shutdown" }, { SYS_SENDMSG, "sendmsg" },
	{ SYS_RECVMSG, "recvmsg" }, { SYS_ACCEPT4, "accept4" },
};
const size_t skp_nsocketcalls = sizeof(skp_socketcalls) / sizeof(skp_socketcalls[0]);
