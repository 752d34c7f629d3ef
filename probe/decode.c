/* probe/decode.c: builds event-table exit layouts from probe records (one copy into the decoder buffer). */
#include "probe/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NCHUNK 24

struct view {
	const struct skp_hdr *h;
	/* aligned copies: chunks are only 4-byte aligned */
	struct skp_proc proc;
	struct skp_file file;
	const uint8_t *data[NCHUNK];
	uint16_t len[NCHUNK];
	uint8_t flags[NCHUNK];
	uint8_t have[NCHUNK];
};

/* Parameter writer into the decoder buffer. */
struct pw {
	struct sk_event *ev;
	uint8_t *buf;
	size_t off, cap;
};

static uint8_t *pw_reserve(struct pw *w, size_t n)
{
	struct sk_event *ev = w->ev;
	uint8_t *p;

	if (ev->nparams >= SK_MAX_PARAMS || w->off + n > w->cap) {
		if (ev->nparams < SK_MAX_PARAMS) {
			ev->params[ev->nparams].val = NULL;
			ev->params[ev->nparams].len = 0;
			ev->nparams++;
		}
		return NULL;
	}
	p = w->buf + w->off;
	ev->params[ev->nparams].val = p;
	ev->params[ev->nparams].len = (uint32_t)n;
	ev->nparams++;
	w->off += n;
	return p;
}

static void pw_bytes(struct pw *w, const void *src, size_t n)
{
	uint8_t *p = pw_reserve(w, n);

	if (p && n)
		memcpy(p, src, n);
}

static void pw_u64(struct pw *w, uint64_t v) { pw_bytes(w, &v, 8); }
static void pw_i64(struct pw *w, int64_t v) { pw_bytes(w, &v, 8); }
static void pw_u32(struct pw *w, uint32_t v) { pw_bytes(w, &v, 4); }
static void pw_u16(struct pw *w, uint16_t v) { pw_bytes(w, &v, 2); }
static void pw_u8(struct pw *w, uint8_t v) { pw_bytes(w, &v, 1); }
static void pw_absent(struct pw *w) { pw_reserve(w, 0); }

/* A NUL-terminated string from (s, n) where s may or may not carry the NUL. */
static void pw_strn(struct pw *w, const void *s, size_t n)
{
	const uint8_t *c = s;
	uint8_t *p;

	if (c) {
		const uint8_t *z = memchr(c, 0, n);
		if (z)
			n = (size_t)(z - c);
	} else {
		n = 0;
	}
	p = pw_reserve(w, n + 1);
	if (!p)
		return;
	if (n)
		memcpy(p, c, n);
	p[n] = 0;
}

static void pw_str(struct pw *w, const char *s) { pw_strn(w, s, strlen(s)); }

/* A copied user string; absent when it could not be read. */
static void pw_chunk_str(struct pw *w, const struct view *v, int id)
{
	if (!v->have[id] || (v->flags[id] & SKP_CF_FAULT))
		pw_absent(w);
	else
		pw_strn(w, v->data[id], v->len[id]);
}

static void pw_chunk_buf(struct pw *w, const struct view *v, int id)
{
	if (!v->have[id])
		pw_absent(w);
	else
		pw_bytes(w, v->data[id], v->len[id]);
}

/* Leaf-first components to an absolute path. */
/* suffix: appended text (d_path's " (deleted)"), or NULL. */
static void pw_path_components(struct pw *w, const struct view *v, int id, const char *suffix)
{
	const uint8_t *d = v->data[id];
	size_t n = v->len[id], total = 0, ends[SKP_PATH_DEPTH + 1], k = 0;
	size_t sl = suffix ? strlen(suffix) : 0;
	uint8_t *p;

	if (!v->have[id]) {
		pw_absent(w);
		return;
	}
	for (size_t i = 0; i < n && k < SKP_PATH_DEPTH; i++)
		if (d[i] == 0)
			ends[k++] = i;
	for (size_t j = 0; j < k; j++) {
		size_t start = j ? ends[j - 1] + 1 : 0;
		total += 1 + (ends[j] - start);
	}
	p = pw_reserve(w, (total ? total : 1) + sl + 1);
	if (!p)
		return;
	if (!k) {
		*p++ = '/';
	}
	for (size_t j = k; j-- > 0;) {
		size_t start = j ? ends[j - 1] + 1 : 0, l = ends[j] - start;
		*p++ = '/';
		memcpy(p, d + start, l);
		p += l;
	}
	memcpy(p, suffix ? suffix : "", sl);
	p[sl] = 0;
}

/* "controller=/path" items, NUL-separated, from the per-controller chunk. */
static void pw_cgroups(struct pw *w, const struct view *v)
{
	const uint8_t *c = v->data[SKP_C_CGROUP];
	size_t n = v->len[SKP_C_CGROUP], i = 0, o = 0;
	uint8_t *p;

	if (!v->have[SKP_C_CGROUP]) {
		pw_absent(w);
		return;
	}
	/* the rendering is never longer than the chunk plus one '/' and '=' per string */
	p = pw_reserve(w, 2 * n + 2);
	if (!p)
		return;
	while (i < n) {
		const uint8_t *name = c + i;
		size_t nl = strnlen((const char *)name, n - i), ends[17], k = 0, start;

		i += nl + 1;
		if (!nl)
			break;
		start = i;
		while (i < n && c[i] && k < 16) {
			size_t l = strnlen((const char *)c + i, n - i);
			ends[k++] = i + l;
			i += l + 1;
		}
		while (i < n && c[i])
			i += strnlen((const char *)c + i, n - i) + 1; /* deeper than we keep */
		i++; /* the empty terminator */
		memcpy(p + o, name, nl);
		o += nl;
		p[o++] = '=';
		if (!k)
			p[o++] = '/';
		for (size_t j = k; j-- > 0;) {
			size_t s = j ? ends[j - 1] + 1 : start;
			p[o++] = '/';
			memcpy(p + o, c + s, ends[j] - s);
			o += ends[j] - s;
		}
		p[o++] = 0;
	}
	w->ev->params[w->ev->nparams - 1].len = (uint32_t)o;
	w->off -= (2 * n + 2) - o;
}

/* User sockaddr -> event-table SOCKADDR. */
static void pw_sockaddr(struct pw *w, const uint8_t *sa, size_t n)
{
	uint8_t out[128];
	uint16_t fam;

	if (!sa || n < 2) {
		pw_absent(w);
		return;
	}
	memcpy(&fam, sa, 2);
	if (fam == 2 && n >= 8) {
		out[0] = 2;
		memcpy(out + 1, sa + 4, 4);
		out[5] = sa[3];
		out[6] = sa[2];
		pw_bytes(w, out, 7);
	} else if (fam == 10 && n >= 24) {
		out[0] = 10;
		memcpy(out + 1, sa + 8, 16);
		out[17] = sa[3];
		out[18] = sa[2];
		pw_bytes(w, out, 19);
	} else if (fam == 1) {
		const uint8_t *path = sa + 2;
		size_t pl = n - 2;
		uint8_t *p;

		if (pl && path[0] == 0) {
			path++;
			pl--;
		}
		const uint8_t *z = memchr(path, 0, pl);
		if (z)
			pl = (size_t)(z - path);
		p = pw_reserve(w, 1 + pl + 1);
		if (p) {
			p[0] = 1;
			memcpy(p + 1, path, pl);
			p[1 + pl] = 0;
		}
	} else {
		pw_u8(w, (uint8_t)fam);
	}
}

/* Kernel tuple (local first); inbound calls put the peer first. An
 * unconnected datagram socket takes the remote end from the user address. */
static void pw_tuple(struct pw *w, const struct view *v, int inbound, const uint8_t *sa, size_t salen)
{
	uint8_t t[160];
	size_t n = v->len[SKP_C_TUPLE];

	if (!v->have[SKP_C_TUPLE] || n > sizeof(t) || n < 1) {
		pw_absent(w);
		return;
	}
	memcpy(t, v->data[SKP_C_TUPLE], n);
	if (t[0] == 2 && n == 13) {
		static const uint8_t zero[6];
		if (sa && salen >= 8 && !memcmp(t + 7, zero, 6)) {
			memcpy(t + 7, sa + 4, 4);
			t[11] = sa[3];
			t[12] = sa[2];
		}
		if (inbound) {
			uint8_t tmp[6];
			memcpy(tmp, t + 1, 6);
			memmove(t + 1, t + 7, 6);
			memcpy(t + 7, tmp, 6);
		}
	} else if (t[0] == 10 && n == 37) {
		static const uint8_t zero[18];
		if (sa && salen >= 24 && !memcmp(t + 19, zero, 18)) {
			memcpy(t + 19, sa + 8, 16);
			t[35] = sa[3];
			t[36] = sa[2];
		}
		if (inbound) {
			uint8_t tmp[18];
			memcpy(tmp, t + 1, 18);
			memmove(t + 1, t + 19, 18);
			memcpy(t + 19, tmp, 18);
		}
	}
	pw_bytes(w, t, n);
}

static const struct skp_file *file_of(const struct view *v)
{
	return v->have[SKP_C_FILE] && v->len[SKP_C_FILE] == sizeof(struct skp_file) ? &v->file : NULL;
}

static const struct skp_proc *proc_of(const struct view *v)
{
	return v->have[SKP_C_PROC] && v->len[SKP_C_PROC] == sizeof(struct skp_proc) ? &v->proc : NULL;
}

/* exe (argv[0]) and args (argv[1..]) from the raw argv area. */
static void pw_exe_args(struct pw *w, const struct view *v)
{
	const uint8_t *a = v->data[SKP_C_ARGS];
	size_t n = v->have[SKP_C_ARGS] ? v->len[SKP_C_ARGS] : 0;
	const uint8_t *z = n ? memchr(a, 0, n) : NULL;
	size_t l0 = z ? (size_t)(z - a) : n;

	pw_strn(w, a, l0);
	if (l0 < n)
		pw_bytes(w, a + l0 + 1, n - l0 - 1);
	else
		pw_bytes(w, "", 0);
}

/* The shared prefix of execve and clone exits: exe .. comm, cgroups. */
static void pw_proc_common(struct pw *w, const struct view *v, const struct skp_proc *p)
{
	pw_exe_args(w, v);
	pw_i64(w, p->tid);
	pw_i64(w, p->pid);
	pw_i64(w, p->ptid);
	if (v->have[SKP_C_CWD])
		pw_path_components(w, v, SKP_C_CWD, NULL);
	else
		pw_str(w, "");
	pw_i64(w, (int64_t)p->fdlimit);
	pw_u64(w, p->pgft_maj);
	pw_u64(w, p->pgft_min);
	pw_u32(w, p->vm_size);
	pw_u32(w, p->vm_rss);
	pw_u32(w, p->vm_swap);
	pw_strn(w, p->comm, sizeof(p->comm));
	pw_cgroups(w, v);
}

static void build_exec(struct pw *w, const struct view *v, int64_t res,
		       int with_filename, int filename_chunk)
{
	const struct skp_proc *p = proc_of(v);

	pw_i64(w, res);
	if (!p)
		return;
	pw_proc_common(w, v, p);
	pw_chunk_buf(w, v, SKP_C_ENV);
	pw_u32(w, p->tty);
	pw_i64(w, p->vpgid);
	pw_u32(w, p->loginuid);
	pw_u32(w, p->exe_flags);
	pw_u64(w, p->cap_inh);
	pw_u64(w, p->cap_prm);
	pw_u64(w, p->cap_eff);
	pw_u64(w, p->exe_ino);
	pw_u64(w, p->exe_ctime);
	pw_u64(w, p->exe_mtime);
	pw_u32(w, p->uid);
	/* memfds are always unlinked: /proc/PID/exe (and Falco) say "/memfd:x (deleted)" */
	pw_path_components(w, v, SKP_C_EXEPATH, (p->exe_flags & 4) ? " (deleted)" : NULL);
	pw_i64(w, p->pgid);
	pw_u32(w, p->gid);
	if (with_filename)
		pw_chunk_str(w, v, filename_chunk);
}

static void build_clone(struct pw *w, const struct view *v, int64_t res)
{
	const struct skp_proc *p = proc_of(v);
	uint32_t fl;

	pw_i64(w, res);
	if (!p)
		return;
	pw_proc_common(w, v, p);
	fl = skp_clone_flags_to_ppm(p->clone_flags);
	if (p->pidns_level > 0)
		fl |= 1u << 29; /* CHILD_IN_PIDNS */
	pw_u32(w, fl);
	pw_u32(w, p->uid);
	pw_u32(w, p->gid);
	pw_i64(w, p->vtid);
	pw_i64(w, p->vpid);
	pw_u64(w, p->pidns_init_start);
}

static void build_open_tail(struct pw *w, const struct view *v, uint64_t flags, uint64_t mode, int resolve,
			    uint64_t res_val)
{
	const struct skp_file *f = file_of(v);

	pw_u32(w, skp_open_flags_to_ppm(flags, f ? f->fmode : 0));
	pw_u32(w, (uint32_t)mode);
	if (resolve >= 0)
		pw_u32(w, (uint32_t)res_val);
	pw_u32(w, f ? f->dev : 0);
	pw_u64(w, f ? f->ino : 0);
}

static void build_syscall(struct pw *w, const struct view *v, uint16_t type)
{
	const struct skp_hdr *h = v->h;
	const uint64_t *a = (const uint64_t *)h->args;
	int64_t r = h->ret;
	const struct skp_file *f;

	switch (type) {
	case SK_EV_OPEN_X:
		pw_i64(w, r);
		pw_chunk_str(w, v, SKP_C_ARG0);
		build_open_tail(w, v, a[1], a[2], -1, 0);
		break;
	case SK_EV_OPENAT_X:
		pw_i64(w, r);
		pw_i64(w, (int32_t)a[0]);
		pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		build_open_tail(w, v, a[2], a[3], -1, 0);
		break;
	case SK_EV_OPENAT2_X: {
		uint64_t how[3] = { 0, 0, 0 };
		if (v->have[SKP_C_ARG0 + 2] && v->len[SKP_C_ARG0 + 2] == 24)
			memcpy(how, v->data[SKP_C_ARG0 + 2], 24);
		pw_i64(w, r);
		pw_i64(w, (int32_t)a[0]);
		pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		/* resolve flags RESOLVE_* have the same values as PPM_RESOLVE_* */
		build_open_tail(w, v, how[0], how[1], 1, how[2]);
		break;
	}
	case SK_EV_CREAT_X:
		f = file_of(v);
		pw_i64(w, r);
		pw_chunk_str(w, v, SKP_C_ARG0);
		pw_u32(w, (uint32_t)a[1]);
		pw_u32(w, f ? f->dev : 0);
		pw_u64(w, f ? f->ino : 0);
		pw_u16(w, f && (f->fmode & (1u << 20)) ? 1 : 0); /* creat_flags: F_CREATED */
		break;
	case SK_EV_CLOSE_X: case SK_EV_FCHDIR_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_CLOSE_RANGE_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SOCKET_X:
		pw_i64(w, r);
		pw_u32(w, (uint32_t)a[0]);
		pw_u32(w, (uint32_t)a[1]);
		pw_u32(w, (uint32_t)a[2]);
		pw_u32(w, 0);
		break;
	case SK_EV_SOCKETPAIR_X: {
		int32_t fds[2] = { -1, -1 };
		uint64_t pr[2] = { 0, 0 };
		if (v->have[SKP_C_ARG0 + 3] && v->len[SKP_C_ARG0 + 3] == 8)
			memcpy(fds, v->data[SKP_C_ARG0 + 3], 8);
		if (v->have[SKP_C_PEER] && v->len[SKP_C_PEER] == 16)
			memcpy(pr, v->data[SKP_C_PEER], 16);
		pw_i64(w, r); pw_i64(w, fds[0]); pw_i64(w, fds[1]); pw_u64(w, pr[0]); pw_u64(w, pr[1]);
		pw_u32(w, (uint32_t)a[0]); pw_u32(w, (uint32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	}
	case SK_EV_BIND_X:
		pw_i64(w, r);
		pw_sockaddr(w, v->data[SKP_C_ARG0 + 1], v->have[SKP_C_ARG0 + 1] ? v->len[SKP_C_ARG0 + 1] : 0);
		pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_CONNECT_X:
		pw_i64(w, r);
		pw_tuple(w, v, 0, v->data[SKP_C_ARG0 + 1], v->have[SKP_C_ARG0 + 1] ? v->len[SKP_C_ARG0 + 1] : 0);
		pw_i64(w, (int32_t)a[0]);
		pw_sockaddr(w, v->data[SKP_C_ARG0 + 1], v->have[SKP_C_ARG0 + 1] ? v->len[SKP_C_ARG0 + 1] : 0);
		break;
	case SK_EV_LISTEN_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_ACCEPT_X: case SK_EV_ACCEPT4_X:
		pw_i64(w, r);
		if (r >= 0)
			pw_tuple(w, v, 1, NULL, 0);
		else
			pw_absent(w);
		pw_u8(w, 0); pw_u32(w, 0); pw_u32(w, 0);
		if (type == SK_EV_ACCEPT4_X)
			pw_u32(w, (uint32_t)a[3]);
		break;
	case SK_EV_SENDTO_X:
		pw_i64(w, r);
		pw_chunk_buf(w, v, SKP_C_ARG0 + 1);
		pw_i64(w, (int32_t)a[0]);
		pw_u32(w, (uint32_t)a[2]);
		pw_tuple(w, v, 0, v->data[SKP_C_ARG0 + 4], v->have[SKP_C_ARG0 + 4] ? v->len[SKP_C_ARG0 + 4] : 0);
		break;
	case SK_EV_RECVFROM_X:
		pw_i64(w, r);
		pw_chunk_buf(w, v, SKP_C_ARG0 + 1);
		pw_tuple(w, v, 1, v->data[SKP_C_ARG0 + 4], v->have[SKP_C_ARG0 + 4] ? v->len[SKP_C_ARG0 + 4] : 0);
		pw_i64(w, (int32_t)a[0]);
		pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SENDMSG_X:
		pw_i64(w, r);
		pw_chunk_buf(w, v, SKP_C_DATA);
		pw_i64(w, (int32_t)a[0]);
		pw_u32(w, r > 0 ? (uint32_t)r : 0);
		pw_tuple(w, v, 0, v->data[SKP_C_SADDR], v->have[SKP_C_SADDR] ? v->len[SKP_C_SADDR] : 0);
		break;
	case SK_EV_RECVMSG_X:
		pw_i64(w, r);
		pw_u32(w, r > 0 ? (uint32_t)r : 0);
		pw_chunk_buf(w, v, SKP_C_DATA);
		pw_tuple(w, v, 1, v->data[SKP_C_SADDR], v->have[SKP_C_SADDR] ? v->len[SKP_C_SADDR] : 0);
		pw_chunk_buf(w, v, SKP_C_MSGCTL);
		pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_SHUTDOWN_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_READ_X: case SK_EV_WRITE_X:
		pw_i64(w, r); pw_chunk_buf(w, v, SKP_C_ARG0 + 1); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_PREAD_X: case SK_EV_PWRITE_X:
		pw_i64(w, r); pw_chunk_buf(w, v, SKP_C_ARG0 + 1); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[2]);
		pw_u64(w, a[3]);
		break;
	case SK_EV_READV_X:
		pw_i64(w, r); pw_u32(w, r > 0 ? (uint32_t)r : 0); pw_chunk_buf(w, v, SKP_C_DATA); pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_WRITEV_X:
		pw_i64(w, r); pw_chunk_buf(w, v, SKP_C_DATA); pw_i64(w, (int32_t)a[0]); pw_u32(w, r > 0 ? (uint32_t)r : 0);
		break;
	case SK_EV_UNLINK_X: case SK_EV_RMDIR_X: case SK_EV_CHDIR_X: case SK_EV_GETCWD_X: case SK_EV_CHROOT_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0);
		break;
	case SK_EV_UNLINKAT_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_RENAME_X: case SK_EV_LINK_X: case SK_EV_SYMLINK_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		break;
	case SK_EV_RENAMEAT_X: case SK_EV_RENAMEAT2_X: case SK_EV_LINKAT_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		pw_i64(w, (int32_t)a[2]); pw_chunk_str(w, v, SKP_C_ARG0 + 3);
		if (type != SK_EV_RENAMEAT_X)
			pw_u32(w, (uint32_t)a[4]);
		break;
	case SK_EV_MKDIR_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_MKDIRAT_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SYMLINKAT_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_i64(w, (int32_t)a[1]); pw_chunk_str(w, v, SKP_C_ARG0 + 2);
		break;
	case SK_EV_CHMOD_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_u32(w, (uint32_t)a[1] & 07777);
		break;
	case SK_EV_FCHMOD_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[1] & 07777);
		break;
	case SK_EV_FCHMODAT_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1); pw_u32(w, (uint32_t)a[2] & 07777);
		break;
	case SK_EV_CHOWN_X: case SK_EV_LCHOWN_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_u32(w, (uint32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_FCHOWN_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_FCHOWNAT_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		pw_u32(w, (uint32_t)a[2]); pw_u32(w, (uint32_t)a[3]); pw_u32(w, (uint32_t)a[4]);
		break;
	case SK_EV_SETUID_X: case SK_EV_SETGID_X: case SK_EV_USERFAULTFD_X: case SK_EV_UNSHARE_X:
		pw_i64(w, r);
		pw_u32(w, type == SK_EV_UNSHARE_X ? skp_clone_flags_to_ppm(a[0]) : (uint32_t)a[0]);
		break;
	case SK_EV_SETRESUID_X: case SK_EV_SETRESGID_X:
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]); pw_u32(w, (uint32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SETREUID_X: case SK_EV_SETREGID_X:
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_SETSID_X:
		pw_i64(w, r);
		break;
	case SK_EV_SETPGID_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_i64(w, (int32_t)a[1]);
		break;
	case SK_EV_CAPSET_X: {
		const struct skp_proc *p = proc_of(v);
		pw_i64(w, r);
		pw_u64(w, p ? p->cap_inh : 0); pw_u64(w, p ? p->cap_prm : 0); pw_u64(w, p ? p->cap_eff : 0);
		break;
	}
	case SK_EV_PTRACE_X: {
		uint8_t dyn[9] = { 0 };
		pw_i64(w, r);
		memcpy(dyn + 1, &a[2], 8);
		pw_bytes(w, dyn, 9);
		memcpy(dyn + 1, &a[3], 8);
		pw_bytes(w, dyn, 9);
		pw_u16(w, skp_ptrace_req_to_ppm(a[0]));
		pw_i64(w, (int32_t)a[1]);
		break;
	}
	case SK_EV_MEMFD_CREATE_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_INIT_MODULE_X:
		pw_i64(w, r); pw_chunk_buf(w, v, SKP_C_ARG0); pw_u64(w, a[1]); pw_chunk_str(w, v, SKP_C_ARG0 + 2);
		break;
	case SK_EV_FINIT_MODULE_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_chunk_str(w, v, SKP_C_ARG0 + 1); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_BPF_X:
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]);
		break;
	case SK_EV_SETNS_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, skp_clone_flags_to_ppm(a[1]));
		break;
	case SK_EV_MOUNT_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		pw_chunk_str(w, v, SKP_C_ARG0 + 2); pw_u32(w, (uint32_t)a[3]);
		break;
	case SK_EV_UMOUNT2_X:
		pw_i64(w, r); pw_chunk_str(w, v, SKP_C_ARG0); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_KILL_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_TKILL_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_TGKILL_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_i64(w, (int32_t)a[1]); pw_u8(w, (uint8_t)a[2]);
		break;
	case SK_EV_DUP_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_DUP2_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_i64(w, (int32_t)a[1]);
		break;
	case SK_EV_DUP3_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_i64(w, (int32_t)a[1]);
		pw_u32(w, skp_open_flags_to_ppm(a[2] & O_CLOEXEC, 0) & (1u << 12));
		break;
	case SK_EV_FCNTL_X:
		/* cmd as the PPM enumeration numbers it for the values rules use */
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]);
		pw_u8(w, a[1] == F_DUPFD ? 1 : a[1] == F_GETFD ? 2 : a[1] == F_SETFD ? 3 : a[1] == F_GETFL ? 4 :
			 a[1] == F_SETFL ? 5 : a[1] == F_DUPFD_CLOEXEC ? 14 : 0);
		break;
	case SK_EV_PIPE_X: case SK_EV_PIPE2_X: {
		int32_t fds[2] = { -1, -1 };
		f = file_of(v);
		if (v->have[SKP_C_ARG0] && v->len[SKP_C_ARG0] == 8)
			memcpy(fds, v->data[SKP_C_ARG0], 8);
		pw_i64(w, r); pw_i64(w, fds[0]); pw_i64(w, fds[1]); pw_u64(w, f ? f->ino : 0);
		if (type == SK_EV_PIPE2_X)
			pw_u32(w, skp_open_flags_to_ppm(a[1] & ~(uint64_t)O_ACCMODE, 0) & ~3u);
		break;
	}
	case SK_EV_EVENTFD_X:
		pw_i64(w, r); pw_u64(w, a[0]); pw_u32(w, 0);
		break;
	case SK_EV_EVENTFD2_X:
		pw_i64(w, r); pw_u16(w, (uint16_t)a[1]); pw_u64(w, a[0]);
		break;
	case SK_EV_SIGNALFD_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, 0); pw_u8(w, 0);
		break;
	case SK_EV_SIGNALFD4_X:
		pw_i64(w, r); pw_u16(w, (uint16_t)a[3]); pw_i64(w, (int32_t)a[0]); pw_u32(w, 0);
		break;
	case SK_EV_INOTIFY_INIT_X:
		pw_i64(w, r); pw_u8(w, 0);
		break;
	case SK_EV_INOTIFY_INIT1_X:
		pw_i64(w, r); pw_u16(w, (uint16_t)a[0]);
		break;
	case SK_EV_EPOLL_CREATE_X: case SK_EV_EPOLL_CREATE1_X:
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]);
		break;
	case SK_EV_TIMERFD_CREATE_X:
		pw_i64(w, r); pw_u8(w, (uint8_t)a[0]); pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_IO_URING_SETUP_X: {
		uint32_t pr[6] = { 0, 0, 0, 0, 0, 0 };
		if (v->have[SKP_C_ARG0 + 1] && v->len[SKP_C_ARG0 + 1] == 24)
			memcpy(pr, v->data[SKP_C_ARG0 + 1], 24);
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]);
		for (int k = 0; k < 6; k++)
			pw_u32(w, pr[k]);
		break;
	}
	case SK_EV_PIDFD_OPEN_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_PIDFD_GETFD_X:
		pw_i64(w, r); pw_i64(w, (int32_t)a[0]); pw_i64(w, (int32_t)a[1]); pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_PRCTL_X:
		pw_i64(w, r); pw_u32(w, (uint32_t)a[0]); pw_absent(w); pw_i64(w, (int64_t)a[1]);
		break;
	case SK_EV_SETRLIMIT_X: {
		uint64_t rl[2] = { 0, 0 };
		if (v->have[SKP_C_ARG0 + 1] && v->len[SKP_C_ARG0 + 1] == 16)
			memcpy(rl, v->data[SKP_C_ARG0 + 1], 16);
		pw_i64(w, r); pw_i64(w, (int64_t)rl[0]); pw_i64(w, (int64_t)rl[1]); pw_u8(w, (uint8_t)a[0]);
		break;
	}
	case SK_EV_PRLIMIT_X: {
		uint64_t nl[2] = { 0, 0 }, ol[2] = { 0, 0 };
		if (v->have[SKP_C_ARG0 + 2] && v->len[SKP_C_ARG0 + 2] == 16)
			memcpy(nl, v->data[SKP_C_ARG0 + 2], 16);
		if (v->have[SKP_C_ARG0 + 3] && v->len[SKP_C_ARG0 + 3] == 16)
			memcpy(ol, v->data[SKP_C_ARG0 + 3], 16);
		pw_i64(w, r); pw_i64(w, (int64_t)nl[0]); pw_i64(w, (int64_t)nl[1]);
		pw_i64(w, (int64_t)ol[0]); pw_i64(w, (int64_t)ol[1]); pw_i64(w, (int32_t)a[0]); pw_u8(w, (uint8_t)a[1]);
		break;
	}
	case SK_EV_EXECVE_X:
		build_exec(w, v, r, 1, SKP_C_ARG0);
		break;
	case SK_EV_EXECVEAT_X:
		build_exec(w, v, r, 0, 0);
		break;
	case SK_EV_CLONE_X: case SK_EV_CLONE3_X: case SK_EV_FORK_X: case SK_EV_VFORK_X:
		build_clone(w, v, r);
		break;
	default:
		pw_i64(w, r);
		break;
	}
}

void skp_decoder_init(struct skp_decoder *d)
{
	struct timespec rt, bt;

	memset(d, 0, offsetof(struct skp_decoder, buf));
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	d->boot_to_epoch = ((uint64_t)rt.tv_sec * 1000000000ull + (uint64_t)rt.tv_nsec) -
			   ((uint64_t)bt.tv_sec * 1000000000ull + (uint64_t)bt.tv_nsec);
}

static uint16_t type_of_nr(uint32_t nr)
{
	const struct skp_syscall *s = skp_syscall_by_nr(nr);
	return s ? s->type : 0;
}

int skp_decode(struct skp_decoder *d, const void *rec, size_t len, struct sk_event *ev)
{
	const struct skp_hdr *h = rec;
	struct view v;
	struct pw w = { .ev = ev, .buf = d->buf, .off = 0, .cap = sizeof(d->buf) };
	size_t off = sizeof(*h);
	uint16_t type;

	if (len < sizeof(*h) || h->len > len)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	v.h = h;
	for (unsigned i = 0; i < h->nchunks; i++) {
		const struct skp_chunk *c = (const void *)((const uint8_t *)rec + off);

		if (off + sizeof(*c) > h->len || off + sizeof(*c) + c->len > h->len)
			return -EINVAL;
		if (c->id < NCHUNK) {
			v.data[c->id] = (const uint8_t *)(c + 1);
			v.len[c->id] = c->len;
			v.flags[c->id] = c->flags;
			v.have[c->id] = 1;
			if (c->id == SKP_C_PROC && c->len == sizeof(v.proc))
				memcpy(&v.proc, c + 1, sizeof(v.proc));
			else if (c->id == SKP_C_FILE && c->len == sizeof(v.file))
				memcpy(&v.file, c + 1, sizeof(v.file));
		}
		off += sizeof(*c) + ((c->len + 3u) & ~3u);
	}
	ev->ts = h->ts + d->boot_to_epoch;
	ev->tid = h->tid;
	ev->cpu = h->cpu;
	ev->flags = 0;
	ev->nparams = 0;
	switch (h->kind) {
	case SKP_REC_SYSCALL:
		type = type_of_nr(h->nr);
		if (!type)
			return 1;
		ev->type = type;
		build_syscall(&w, &v, type);
		break;
	case SKP_REC_EXEC:
		type = h->nr == SYS_execveat ? SK_EV_EXECVEAT_X : SK_EV_EXECVE_X;
		ev->type = type;
		/* the filename as the kernel saw it: SKP_C_FILENAME */
		build_exec(&w, &v, 0, type == SK_EV_EXECVE_X, SKP_C_FILENAME);
		break;
	case SKP_REC_FORK:
		type = type_of_nr(h->nr);
		if (!type)
			return 1;
		ev->type = type;
		build_clone(&w, &v, 0);
		break;
	case SKP_REC_EXIT: {
		int64_t st = h->ret;
		ev->type = SK_EV_PROCEXIT_E;
		pw_i64(&w, st);
		pw_i64(&w, (st >> 8) & 0xff);
		pw_u8(&w, (st & 0x7f) && (st & 0x7f) != 0x7f ? (uint8_t)(st & 0x7f) : 0);
		pw_u8(&w, (st & 0x80) ? 1 : 0);
		pw_i64(&w, 0);
		break;
	}
	default:
		return -EINVAL;
	}
	ev->num = ++d->num;
	return 0;
}
