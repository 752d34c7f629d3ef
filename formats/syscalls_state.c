/* formats/syscalls_state.c: the syscalls replay's state tracking needs, whatever the rules ask for. */
#include "formats/syscalls.h"

/* The process and fd tables of replay follow these (fields.md 9.3, 9.4):
 * a recorder that filters by rules (saker-record -r) records them too, so
 * fd.name, proc.* and user.* stay right on the events the rules do see. */
static const char *const state_syscalls[] = {
	"open", "openat", "openat2", "creat", "close", "close_range", "socket", "socketpair", "bind",
	"connect", "accept", "accept4", "sendto", "sendmsg", "recvfrom", "recvmsg", "dup", "dup2", "dup3",
	"fcntl", "pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
	"inotify_init", "inotify_init1", "epoll_create", "epoll_create1", "io_uring_setup", "userfaultfd",
	"memfd_create", "pidfd_open", "pidfd_getfd", "bpf", "chdir", "fchdir", "chroot", "setuid", "setgid",
	"setresuid", "setresgid", "setreuid", "setregid", "setsid", "setpgid", "capset", "unshare", "setns",
	"prctl", "setrlimit", "prlimit64",
};

const char *const *sk_syscalls_for_state(size_t *n)
{
	*n = sizeof(state_syscalls) / sizeof(state_syscalls[0]);
	return state_syscalls;
}
