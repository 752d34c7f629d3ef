/* probe/decode_misc.c: exit layouts of descriptor-creating calls, fcntl, limits, modules, bpf, namespaces. */
#include "probe/decode_int.h"

#include <fcntl.h>

int skp_build_misc(struct skp_pw *w, const struct skp_view *v, uint16_t type)
{
	const uint64_t *a = (const uint64_t *)v->h->args;
	int64_t r = v->h->ret;

	switch (type) {
	case SK_EV_CLOSE_X: case SK_EV_FCHDIR_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_CLOSE_RANGE_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]); skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_MEMFD_CREATE_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_INIT_MODULE_X:
		skp_pw_i64(w, r); skp_pw_chunk_buf(w, v, SKP_C_ARG0); skp_pw_u64(w, a[1]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 2);
		break;
	case SK_EV_FINIT_MODULE_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_BPF_X:
		skp_pw_i64(w, r); skp_pw_u32(w, (uint32_t)a[0]);
		break;
	case SK_EV_SETNS_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, skp_clone_flags_to_ppm(a[1]));
		break;
	case SK_EV_DUP_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_DUP2_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_i64(w, (int32_t)a[1]);
		break;
	case SK_EV_DUP3_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_i64(w, (int32_t)a[1]);
		skp_pw_u32(w, skp_open_flags_to_ppm(a[2] & O_CLOEXEC, 0) & (1u << 12));
		break;
	case SK_EV_FCNTL_X:
		/* cmd as the PPM enumeration numbers it for the values rules use */
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u8(w, a[1] == F_DUPFD ? 1 : a[1] == F_GETFD ? 2 : a[1] == F_SETFD ? 3 : a[1] == F_GETFL ? 4 :
			  a[1] == F_SETFL ? 5 : a[1] == F_DUPFD_CLOEXEC ? 14 : 0);
		break;
	case SK_EV_PIPE_X: case SK_EV_PIPE2_X: {
		int32_t fds[2] = { -1, -1 };
		const struct skp_file *f = skp_view_file(v);

		skp_view_copy(v, SKP_C_ARG0, fds, sizeof(fds));
		skp_pw_i64(w, r); skp_pw_i64(w, fds[0]); skp_pw_i64(w, fds[1]); skp_pw_u64(w, f ? f->ino : 0);
		if (type == SK_EV_PIPE2_X)
			skp_pw_u32(w, skp_open_flags_to_ppm(a[1] & ~(uint64_t)O_ACCMODE, 0) & ~3u);
		break;
	}
	case SK_EV_EVENTFD_X:
		skp_pw_i64(w, r); skp_pw_u64(w, a[0]); skp_pw_u32(w, 0);
		break;
	case SK_EV_EVENTFD2_X:
		skp_pw_i64(w, r); skp_pw_u16(w, (uint16_t)a[1]); skp_pw_u64(w, a[0]);
		break;
	case SK_EV_SIGNALFD_X: case SK_EV_SIGNALFD4_X: {
		/* the first 32 signals of the mask, as the layout's UINT32 holds them */
		uint64_t mask = 0;

		skp_view_copy(v, SKP_C_ARG0 + 1, &mask, sizeof(mask));
		skp_pw_i64(w, r);
		if (type == SK_EV_SIGNALFD_X) {
			skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)mask); skp_pw_u8(w, 0);
		} else {
			skp_pw_u16(w, (uint16_t)skp_socket_flags_to_ppm(a[3])); skp_pw_i64(w, (int32_t)a[0]);
			skp_pw_u32(w, (uint32_t)mask);
		}
		break;
	}
	case SK_EV_INOTIFY_INIT_X:
		skp_pw_i64(w, r); skp_pw_u8(w, 0);
		break;
	case SK_EV_INOTIFY_INIT1_X:
		skp_pw_i64(w, r); skp_pw_u16(w, (uint16_t)a[0]);
		break;
	case SK_EV_EPOLL_CREATE_X: case SK_EV_EPOLL_CREATE1_X:
		skp_pw_i64(w, r); skp_pw_u32(w, (uint32_t)a[0]);
		break;
	case SK_EV_TIMERFD_CREATE_X:
		skp_pw_i64(w, r); skp_pw_u8(w, (uint8_t)a[0]); skp_pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_IO_URING_SETUP_X: {
		uint32_t pr[6] = { 0, 0, 0, 0, 0, 0 };

		skp_view_copy(v, SKP_C_ARG0 + 1, pr, sizeof(pr));
		skp_pw_i64(w, r); skp_pw_u32(w, (uint32_t)a[0]);
		for (int k = 0; k < 6; k++)
			skp_pw_u32(w, pr[k]);
		break;
	}
	case SK_EV_PIDFD_OPEN_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_PIDFD_GETFD_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_i64(w, (int32_t)a[1]); skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SETRLIMIT_X: {
		uint64_t rl[2] = { 0, 0 };

		skp_view_copy(v, SKP_C_ARG0 + 1, rl, sizeof(rl));
		skp_pw_i64(w, r); skp_pw_i64(w, (int64_t)rl[0]); skp_pw_i64(w, (int64_t)rl[1]); skp_pw_u8(w, (uint8_t)a[0]);
		break;
	}
	case SK_EV_PRLIMIT_X: {
		uint64_t nl[2] = { 0, 0 }, ol[2] = { 0, 0 };

		skp_view_copy(v, SKP_C_ARG0 + 2, nl, sizeof(nl));
		skp_view_copy(v, SKP_C_ARG0 + 3, ol, sizeof(ol));
		skp_pw_i64(w, r); skp_pw_i64(w, (int64_t)nl[0]); skp_pw_i64(w, (int64_t)nl[1]);
		skp_pw_i64(w, (int64_t)ol[0]); skp_pw_i64(w, (int64_t)ol[1]); skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u8(w, (uint8_t)a[1]);
		break;
	}
	default:
		return 0;
	}
	return 1;
}
