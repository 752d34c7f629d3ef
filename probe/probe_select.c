/* probe/probe_select.c: which syscalls the probe records: the sys_exit dispatch slots, the ia32 map, excluded processes. */
#include "probe/probe_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

/* Puts the program recording syscall s into (or out of) its dispatch slot. */
static int slot_set(struct sk_probe *p, const struct skp_syscall *s, int on)
{
	uint32_t key = s->nr;
	struct bpf_program *prog;
	int fd, rc;

	if (!on) {
		rc = bpf_map__delete_elem(p->skel->maps.exit_progs, &key, sizeof(key), 0);
		return rc == -ENOENT ? 0 : rc;
	}
	prog = bpf_object__find_program_by_name(p->skel->obj, s->prog);
	fd = prog ? bpf_program__fd(prog) : -ENOENT;
	if (fd < 0)
		return fd;
	return bpf_map__update_elem(p->skel->maps.exit_progs, &key, sizeof(key), &fd, sizeof(fd), BPF_ANY);
}

static int set_lifecycle(struct sk_probe *p)
{
	static const char *const always[] = { "clone", "clone3", "fork", "vfork", "execve", "execveat" };

	for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
		int rc = slot_set(p, skp_syscall_by_name(always[i]), 1);
		if (rc)
			return rc;
	}
	return 0;
}

static int clear_all(struct sk_probe *p)
{
	for (size_t i = 0; i < skp_nsyscalls; i++) {
		int rc = slot_set(p, &skp_syscalls[i], 0);
		if (rc)
			return rc;
	}
	return 0;
}

int sk_probe_set_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen)
{
	int rc;

	if (names) {
		for (size_t i = 0; i < n; i++)
			if (!skp_syscall_by_name(names[i])) {
				snprintf(err, errlen, "unknown or unsupported syscall '%s'", names[i]);
				return -ENOENT;
			}
	}
	rc = clear_all(p);
	for (size_t i = 0; !rc && i < (names ? n : skp_nsyscalls); i++)
		rc = slot_set(p, names ? skp_syscall_by_name(names[i]) : &skp_syscalls[i], 1);
	if (!rc)
		rc = set_lifecycle(p);
	if (rc)
		snprintf(err, errlen, "cannot update the syscall map: %s", strerror(-rc));
	return rc;
}

int sk_probe_add_syscalls(struct sk_probe *p, const char *const *names, size_t n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n; i++) {
		const struct skp_syscall *s = skp_syscall_by_name(names[i]);
		int rc;

		if (!s) {
			snprintf(err, errlen, "unknown or unsupported syscall '%s'", names[i]);
			return -ENOENT;
		}
		rc = slot_set(p, s, 1);
		if (rc) {
			snprintf(err, errlen, "cannot update the syscall map: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int sk_probe_set_event_types(struct sk_probe *p, const uint16_t *types, size_t n)
{
	int rc = clear_all(p);

	for (size_t i = 0; !rc && i < n; i++) {
		uint16_t kind = sk_event_kind(types[i]);
		for (size_t j = 0; !rc && j < skp_nsyscalls; j++)
			if (sk_event_kind(skp_syscalls[j].type) == kind)
				rc = slot_set(p, &skp_syscalls[j], 1);
	}
	return rc ? rc : set_lifecycle(p);
}

/* ia32_to_64[i386 number] and [512 + socketcall call] = x86_64 number + 1,
 * for every supported syscall: the dispatch slot then decides. */
static int map_ia32(struct sk_probe *p, uint32_t key, const char *name)
{
	const struct skp_syscall *s = skp_syscall_by_name(name);
	uint32_t v;

	if (!s)
		return -ENOENT;
	v = (uint32_t)s->nr + 1;
	return bpf_map__update_elem(p->skel->maps.ia32_to_64, &key, sizeof(key), &v, sizeof(v), BPF_ANY);
}

int skp_fill_ia32_map(struct sk_probe *p)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < skp_ia32_nsyscalls; i++)
		rc = map_ia32(p, skp_ia32_syscalls[i].nr, skp_ia32_syscalls[i].name);
	for (size_t i = 0; !rc && i < skp_nsocketcalls; i++)
		rc = map_ia32(p, 512 + skp_socketcalls[i].nr, skp_socketcalls[i].name);
	return rc;
}

int sk_probe_exclude_pid(struct sk_probe *p, uint32_t pid)
{
	uint8_t one = 1;
	int rc = bpf_map__update_elem(p->skel->maps.excluded, &pid, sizeof(pid), &one, sizeof(one), BPF_NOEXIST);

	if (rc == -EEXIST)
		return 0;
	if (!rc)
		__atomic_add_fetch(&p->skel->bss->n_excluded, 1, __ATOMIC_RELAXED);
	return rc;
}

const char *const *sk_probe_syscall_names(void)
{
	/* built from the table on first use would be hidden state: keep a constant list */
	static const char *const names[] = {
#define N(s) #s,
		N(open) N(openat) N(openat2) N(creat) N(close) N(close_range) N(socket) N(socketpair)
		N(bind) N(connect) N(listen) N(accept) N(accept4) N(sendto) N(recvfrom) N(sendmsg)
		N(recvmsg) N(shutdown) N(read) N(write) N(pread64) N(pwrite64) N(readv) N(writev)
		N(unlink) N(unlinkat) N(rename) N(renameat) N(renameat2) N(mkdir) N(mkdirat) N(rmdir)
		N(symlink) N(symlinkat) N(link) N(linkat) N(chmod) N(fchmod) N(fchmodat) N(chown)
		N(lchown) N(fchown) N(fchownat) N(setuid) N(setgid) N(setresuid) N(setresgid)
		N(setreuid) N(setregid) N(setsid) N(setpgid) N(capset) N(ptrace) N(memfd_create)
		N(init_module) N(finit_module) N(bpf) N(unshare) N(setns) N(mount) N(umount2) N(kill)
		N(tkill) N(tgkill) N(dup) N(dup2) N(dup3) N(fcntl) N(pipe) N(pipe2) N(eventfd)
		N(eventfd2) N(signalfd) N(signalfd4) N(timerfd_create) N(inotify_init) N(inotify_init1)
		N(epoll_create) N(epoll_create1) N(io_uring_setup) N(userfaultfd) N(pidfd_open)
		N(pidfd_getfd) N(chdir) N(fchdir) N(getcwd) N(chroot) N(prctl) N(setrlimit) N(prlimit64)
		N(execve) N(execveat) N(clone) N(clone3) N(fork) N(vfork)
#undef N
		NULL
	};
	return names;
}
