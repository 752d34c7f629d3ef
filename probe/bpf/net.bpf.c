/* probe/bpf/net.bpf.c: sys_exit programs of the socket calls: addresses, kernel socket tuples, message data. */
#include "probe/bpf/fill.bpf.h"

/* socketpair: the two descriptors (arg 3) and the sockets' kernel addresses. */
SYSCALL_RECORD(sk_x_socketpair)
{
	int fds[2] = {};
	struct {
		__u64 src, peer;
	} pr = {};

	if (ret == 0 && c->a[3]) {
		struct sock *sk;

		put_user_buf(w, SKP_C_ARG0 + 3, c->a[3], 8);
		bpf_probe_read_user(fds, sizeof(fds), (void *)c->a[3]);
		sk = fd_sock(t, fds[0]);
		if (sk) {
			pr.src = (__u64)sk;
			pr.peer = (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
		}
		put_bytes(w, SKP_C_PEER, &pr, sizeof(pr));
	}
}

/* bind: the user sockaddr in arg 1 (length in arg 2). */
SYSCALL_RECORD(sk_x_bind)
{
	put_user_sockaddr(w, SKP_C_ARG0 + 1, c->a[1], c->a[2]);
}

/* connect: the user sockaddr and the kernel tuple of the socket in arg 0. */
SYSCALL_RECORD(sk_x_connect)
{
	put_user_sockaddr(w, SKP_C_ARG0 + 1, c->a[1], c->a[2]);
	put_tuple(w, t, (__s32)c->a[0]);
}

/* accept, accept4: the new socket's tuple and the listening socket's
 * accept queue (length and limit, as libs report them). */
SYSCALL_RECORD(sk_x_accept)
{
	struct sock *sk;
	__u32 q[2];

	if (ret >= 0) {
		put_tuple(w, t, ret);
		sk = fd_sock(t, (__s32)c->a[0]);
		if (sk) {
			q[0] = BPF_CORE_READ(sk, sk_ack_backlog);
			q[1] = BPF_CORE_READ(sk, sk_max_ack_backlog);
			put_bytes(w, SKP_C_QUEUE, q, sizeof(q));
		}
	}
}

/* sendto: data in arg 1, destination sockaddr in arg 4 (length in arg 5). */
SYSCALL_RECORD(sk_x_sendto)
{
	if (ret > 0)
		put_user_data(w, SKP_C_ARG0 + 1, c->a[1], (__u64)ret);
	put_user_sockaddr(w, SKP_C_ARG0 + 4, c->a[4], c->a[5]);
	put_tuple(w, t, (__s32)c->a[0]);
}

/* recvfrom: data in arg 1, source sockaddr in arg 4 (its length behind
 * the pointer in arg 5, written by the call). */
SYSCALL_RECORD(sk_x_recvfrom)
{
	int alen = 0;

	if (ret > 0)
		put_user_data(w, SKP_C_ARG0 + 1, c->a[1], (__u64)ret);
	if (ret >= 0 && c->a[4] && c->a[5]) {
		bpf_probe_read_user(&alen, sizeof(alen), (void *)c->a[5]);
		if (alen > 0)
			put_user_sockaddr(w, SKP_C_ARG0 + 4, c->a[4], alen);
	}
	put_tuple(w, t, (__s32)c->a[0]);
}

/* sendmsg, recvmsg: the msghdr in arg 1: address, data, control data. */
SYSCALL_RECORD(sk_x_msg)
{
	__u64 name = 0, namelen = 0, iov = 0, iovlen = 0, ctl = 0, ctllen = 0;

	if (c->a[1] && c->compat) {
		/* struct compat_msghdr: 32-bit pointers and sizes */
		__u32 m[7] = {};

		if (bpf_probe_read_user(m, sizeof(m), (void *)c->a[1]) == 0) {
			name = m[0], namelen = m[1], iov = m[2], iovlen = m[3], ctl = m[4], ctllen = m[5];
		}
	} else if (c->a[1]) {
		struct user_msghdr m = {};

		if (bpf_probe_read_user(&m, sizeof(m), (void *)c->a[1]) == 0) {
			name = (__u64)m.msg_name, namelen = m.msg_namelen, iov = (__u64)m.msg_iov;
			iovlen = m.msg_iovlen, ctl = (__u64)m.msg_control, ctllen = m.msg_controllen;
		}
	}
	if (name)
		put_user_sockaddr(w, SKP_C_SADDR, name, namelen);
	if (ret > 0)
		put_user_iov(w, iov, iovlen, (__u64)ret, c->compat);
	if (ctl && ctllen)
		put_user_buf(w, SKP_C_MSGCTL, ctl, ctllen > 256 ? 256 : ctllen);
	put_tuple(w, t, (__s32)c->a[0]);
}
