/* probe/bpf/fs.bpf.c: sys_exit programs of the file-system calls: the open family and the calls on paths. */
#include "probe/bpf/fill.bpf.h"

/* open, creat: path in arg 0; dev/ino/mode of the new descriptor. */
SYSCALL_RECORD(sk_x_open)
{
	put_user_str(w, SKP_C_ARG0, c->a[0]);
	if (ret >= 0)
		put_file(w, t, ret);
}

/* openat: path in arg 1. */
SYSCALL_RECORD(sk_x_openat)
{
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
	if (ret >= 0)
		put_file(w, t, ret);
}

/* openat2: path in arg 1, struct open_how (flags, mode, resolve) in arg 2. */
SYSCALL_RECORD(sk_x_openat2)
{
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
	put_user_buf(w, SKP_C_ARG0 + 2, c->a[2], 24);
	if (ret >= 0)
		put_file(w, t, ret);
}

/* One path in arg 0: unlink, rmdir, mkdir, chmod, chown, lchown, chdir,
 * chroot, umount2, memfd_create (its name), getcwd (filled at exit). */
SYSCALL_RECORD(sk_x_path0)
{
	put_user_str(w, SKP_C_ARG0, c->a[0]);
}

/* One path in arg 1, after a directory fd: unlinkat, mkdirat, fchmodat,
 * fchownat; finit_module's parameter string. */
SYSCALL_RECORD(sk_x_path1)
{
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
}

/* Two paths in args 0 and 1: rename, link, symlink. */
SYSCALL_RECORD(sk_x_path01)
{
	put_user_str(w, SKP_C_ARG0, c->a[0]);
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
}

/* Two paths in args 1 and 3, each after a directory fd: renameat,
 * renameat2, linkat. */
SYSCALL_RECORD(sk_x_path13)
{
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
	put_user_str(w, SKP_C_ARG0 + 3, c->a[3]);
}

/* symlinkat: target in arg 0, link path in arg 2. */
SYSCALL_RECORD(sk_x_symlinkat)
{
	put_user_str(w, SKP_C_ARG0, c->a[0]);
	put_user_str(w, SKP_C_ARG0 + 2, c->a[2]);
}

/* mount: source, target and file system type in args 0-2. */
SYSCALL_RECORD(sk_x_mount)
{
	put_user_str(w, SKP_C_ARG0, c->a[0]);
	put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
	put_user_str(w, SKP_C_ARG0 + 2, c->a[2]);
}
