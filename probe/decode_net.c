/* probe/decode_net.c: exit layouts of the socket calls: addresses, kernel tuples, message data, accept queues. */
#include "probe/decode_int.h"

/* A user sockaddr chunk: pointer and length, (NULL, 0) when absent. */
static const uint8_t *sa_of(const struct skp_view *v, int id, size_t *n)
{
	*n = v->have[id] ? v->len[id] : 0;
	return v->data[id];
}

/* accept's queuepct, queuelen, queuemax: the listening socket's backlog. */
static void accept_queue(struct skp_pw *w, const struct skp_view *v)
{
	uint32_t q[2] = { 0, 0 };

	skp_view_copy(v, SKP_C_QUEUE, q, sizeof(q));
	skp_pw_u8(w, q[0] && q[1] ? (uint8_t)((uint64_t)q[0] * 100 / q[1]) : 0);
	skp_pw_u32(w, q[0]);
	skp_pw_u32(w, q[1]);
}

int skp_build_net(struct skp_pw *w, const struct skp_view *v, uint16_t type)
{
	const uint64_t *a = (const uint64_t *)v->h->args;
	int64_t r = v->h->ret;
	const uint8_t *sa;
	size_t n;

	switch (type) {
	case SK_EV_SOCKET_X:
		skp_pw_i64(w, r);
		skp_pw_u32(w, (uint32_t)a[0]);
		skp_pw_u32(w, (uint32_t)a[1]);
		skp_pw_u32(w, (uint32_t)a[2]);
		/* SOCK_NONBLOCK / SOCK_CLOEXEC ride in the type argument */
		skp_pw_u32(w, skp_socket_flags_to_ppm(a[1]));
		break;
	case SK_EV_SOCKETPAIR_X: {
		int32_t fds[2] = { -1, -1 };
		uint64_t pr[2] = { 0, 0 };

		skp_view_copy(v, SKP_C_ARG0 + 3, fds, sizeof(fds));
		skp_view_copy(v, SKP_C_PEER, pr, sizeof(pr));
		skp_pw_i64(w, r); skp_pw_i64(w, fds[0]); skp_pw_i64(w, fds[1]); skp_pw_u64(w, pr[0]); skp_pw_u64(w, pr[1]);
		skp_pw_u32(w, (uint32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]); skp_pw_u32(w, (uint32_t)a[2]);
		break;
	}
	case SK_EV_BIND_X:
		sa = sa_of(v, SKP_C_ARG0 + 1, &n);
		skp_pw_i64(w, r);
		skp_pw_sockaddr(w, sa, n);
		skp_pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_CONNECT_X:
		sa = sa_of(v, SKP_C_ARG0 + 1, &n);
		skp_pw_i64(w, r);
		skp_pw_tuple(w, v, 0, sa, n);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_sockaddr(w, sa, n);
		break;
	case SK_EV_LISTEN_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_ACCEPT_X: case SK_EV_ACCEPT4_X:
		skp_pw_i64(w, r);
		if (r >= 0)
			skp_pw_tuple(w, v, 1, NULL, 0);
		else
			skp_pw_absent(w);
		accept_queue(w, v);
		if (type == SK_EV_ACCEPT4_X)
			skp_pw_u32(w, skp_socket_flags_to_ppm(a[3]));
		break;
	case SK_EV_SENDTO_X:
		sa = sa_of(v, SKP_C_ARG0 + 4, &n);
		skp_pw_i64(w, r);
		skp_pw_chunk_buf(w, v, SKP_C_ARG0 + 1);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, (uint32_t)a[2]);
		skp_pw_tuple(w, v, 0, sa, n);
		break;
	case SK_EV_RECVFROM_X:
		sa = sa_of(v, SKP_C_ARG0 + 4, &n);
		skp_pw_i64(w, r);
		skp_pw_chunk_buf(w, v, SKP_C_ARG0 + 1);
		skp_pw_tuple(w, v, 1, sa, n);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SENDMSG_X:
		sa = sa_of(v, SKP_C_SADDR, &n);
		skp_pw_i64(w, r);
		skp_pw_chunk_buf(w, v, SKP_C_DATA);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, r > 0 ? (uint32_t)r : 0);
		skp_pw_tuple(w, v, 0, sa, n);
		break;
	case SK_EV_RECVMSG_X:
		sa = sa_of(v, SKP_C_SADDR, &n);
		skp_pw_i64(w, r);
		skp_pw_u32(w, r > 0 ? (uint32_t)r : 0);
		skp_pw_chunk_buf(w, v, SKP_C_DATA);
		skp_pw_tuple(w, v, 1, sa, n);
		skp_pw_chunk_buf(w, v, SKP_C_MSGCTL);
		skp_pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_SHUTDOWN_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u8(w, (uint8_t)a[1]);
		break;
	default:
		return 0;
	}
	return 1;
}
