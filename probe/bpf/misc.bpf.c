/* probe/bpf/misc.bpf.c: sys_exit programs of the calls whose record is the header alone, or the header and one small copy. */
#include "probe/bpf/fill.bpf.h"

/* Return value and argument registers are all the exit layout needs
 * (close, dup, setuid, kill, socket, listen, ...): the record is reserved
 * and committed in place in the ring. */
SYSCALL_PROG(sk_x_plain)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct call c = {};

	if (is_excluded_task(t, t->tgid))
		return 0;
	call_load(&c, regs, t);
	emit_header(t, SKP_REC_SYSCALL, c.nr, ret, c.a);
	return 0;
}

/* pipe, pipe2: the two descriptors (arg 0) and the pipe's inode. */
SYSCALL_RECORD(sk_x_pipe)
{
	int fds[2] = {};

	if (ret == 0 && c->a[0]) {
		put_user_buf(w, SKP_C_ARG0, c->a[0], 8);
		bpf_probe_read_user(fds, sizeof(fds), (void *)c->a[0]);
		put_file(w, t, fds[0]);
	}
}

/* signalfd, signalfd4: the signal mask behind arg 1. */
SYSCALL_RECORD(sk_x_signalfd)
{
	put_user_buf(w, SKP_C_ARG0 + 1, c->a[1], 8);
}

/* setrlimit: struct rlimit in arg 1 (two 32-bit words from an ia32
 * caller, widened here as the kernel widens them). */
SYSCALL_RECORD(sk_x_setrlimit)
{
	if (c->compat && c->a[1]) {
		__u32 r32[2] = {};
		__u64 r[2];

		if (bpf_probe_read_user(r32, sizeof(r32), (void *)c->a[1]) == 0) {
			r[0] = r32[0] == 0xffffffffu ? ~0ull : r32[0];
			r[1] = r32[1] == 0xffffffffu ? ~0ull : r32[1];
			put_bytes(w, SKP_C_ARG0 + 1, r, sizeof(r));
		}
	} else {
		put_user_buf(w, SKP_C_ARG0 + 1, c->a[1], 16);
	}
}

/* prlimit64: new and old struct rlimit64 in args 2 and 3. */
SYSCALL_RECORD(sk_x_prlimit)
{
	put_user_buf(w, SKP_C_ARG0 + 2, c->a[2], 16);
	put_user_buf(w, SKP_C_ARG0 + 3, c->a[3], 16);
}

/* io_uring_setup: the first 24 bytes of struct io_uring_params (arg 1). */
SYSCALL_RECORD(sk_x_io_uring_setup)
{
	put_user_buf(w, SKP_C_ARG0 + 1, c->a[1], 24);
}

/* init_module: the start of the image (arg 0, length arg 1, up to the
 * snaplen) and the parameter string (arg 2). */
SYSCALL_RECORD(sk_x_init_module)
{
	put_user_data(w, SKP_C_ARG0, c->a[0], c->a[1]);
	put_user_str(w, SKP_C_ARG0 + 2, c->a[2]);
}
