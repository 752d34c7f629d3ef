/* probe/bpf/io.bpf.c: sys_exit programs of the data calls: read/write and their positional and vector forms. */
#include "probe/bpf/fill.bpf.h"

/* read, write, pread64, pwrite64: the first min(ret, snaplen) bytes of the buffer in arg 1. */
SYSCALL_RECORD(sk_x_rw)
{
	if (ret > 0)
		put_user_data(w, SKP_C_ARG0 + 1, c->a[1], (__u64)ret);
	/* an ia32 caller passes the 64-bit position in two registers */
	if (c->compat && (c->nr == X86_NR_PREAD64 || c->nr == X86_NR_PWRITE64))
		((struct skp_hdr *)w->b)->args[3] = c->a[3] | (c->a[4] << 32);
}

/* readv, writev: the data behind the iovec array in arg 1 (count in arg 2). */
SYSCALL_RECORD(sk_x_rwv)
{
	if (ret > 0)
		put_user_iov(w, c->a[1], c->a[2], (__u64)ret, c->compat);
}
