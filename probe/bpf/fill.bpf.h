/* probe/bpf/fill.bpf.h: records built in the per-CPU scratch slot: header, chunk writers (user memory, sockets, files), finish. */
#ifndef SAKER_PROBE_BPF_FILL_H
#define SAKER_PROBE_BPF_FILL_H

#include "probe/bpf/common.bpf.h"

/*
 * The chunk writers are BPF subprograms (__noinline): a program calls the
 * few it needs, and the verifier checks each call once. Loops (iovec
 * entries, dentry walks, argv) run under bpf_loop, so the verifier checks
 * one iteration, not every prefix.
 */

/* The empty asm keeps clang from dropping masks it can prove redundant
 * but the verifier cannot (values reloaded from the stack lose bounds). */
static __always_inline __u32 bounded(__u32 v)
{
	asm volatile("" : "+r"(v));
	return v & SCR_MASK;
}

struct builder {
	__u8 *b;
	__u32 off;
	__u16 n;
};

static __always_inline struct skp_chunk *chunk_start(struct builder *w, __u32 room)
{
	if (w->off > SKP_SCRATCH_HALF - sizeof(struct skp_chunk) - room) {
		count(SKP_CNT_TRUNC);
		return NULL;
	}
	return (struct skp_chunk *)&w->b[bounded(w->off)];
}

static __always_inline void chunk_end(struct builder *w, struct skp_chunk *c, __u8 id, __u8 flags, long n)
{
	if (n < 0)
		n = 0;
	c->id = id;
	c->flags = flags;
	c->len = (__u16)n;
	w->off += sizeof(*c) + (((__u32)n + 3) & ~3u);
	w->n++;
}

static __always_inline void *chunk_data(struct builder *w)
{
	return &w->b[bounded(w->off + sizeof(struct skp_chunk))];
}

/* Starts a record in this CPU's scratch slot; w->b is NULL when there is none. */
static __always_inline void begin(struct builder *w, struct task_struct *t, __u16 kind, __u16 nr, __s64 ret,
				  const __u64 *args)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct skp_hdr *h;
	int i;

	w->b = bpf_map_lookup_elem(&scratch_map, &cpu);
	w->off = sizeof(struct skp_hdr);
	w->n = 0;
	if (!w->b)
		return;
	h = (struct skp_hdr *)w->b;
	h->ts = bpf_ktime_get_boot_ns();
	/* t is a trusted BTF pointer: plain loads, no helper call */
	h->tid = t->pid;
	h->pid = t->tgid;
	h->kind = kind;
	h->nr = nr;
	h->cpu = cpu;
	h->pad = 0;
	h->ret = ret;
	for (i = 0; i < SKP_NARGS; i++)
		h->args[i] = args ? args[i] : 0;
}

static __always_inline void finish(struct builder *w)
{
	struct skp_hdr *h = (struct skp_hdr *)w->b;
	__u32 len = w->off;
	__u64 fl, *c;

	h->len = len;
	h->nchunks = w->n;
	if (len > SKP_SCRATCH_HALF)
		len = SKP_SCRATCH_HALF;
	/* keep the mask: the verifier needs it even though the clamp implies it */
	asm volatile("" : "+r"(len));
	len &= SCR_SIZE - 1;
	fl = count_commit(&c);
	if (bpf_ringbuf_output(&rb, w->b, len, fl) < 0) {
		if (c)
			*c -= 1;
		count(SKP_CNT_RING_FULL);
	}
}

/* A record with no chunk, reserved and committed in place (no scratch copy). */
static __always_inline void emit_header(struct task_struct *t, __u16 kind, __u16 nr, __s64 ret, const __u64 *a)
{
	struct skp_hdr *h = bpf_ringbuf_reserve(&rb, sizeof(*h), 0);
	__u64 *c;
	int i;

	if (!h) {
		count(SKP_CNT_RING_FULL);
		return;
	}
	h->ts = bpf_ktime_get_boot_ns();
	h->tid = t->pid;
	h->pid = t->tgid;
	h->kind = kind;
	h->nr = nr;
	h->len = sizeof(*h);
	h->cpu = bpf_get_smp_processor_id();
	h->nchunks = 0;
	h->pad = 0;
	h->ret = ret;
	for (i = 0; i < SKP_NARGS; i++)
		h->args[i] = a ? a[i] : 0;
	bpf_ringbuf_submit(h, count_commit(&c));
}

/* The usual start of a syscall program: who, which call, its arguments, a
 * started record. Non-zero: record nothing (excluded task, no scratch). */
static __always_inline int syscall_begin(struct builder *w, struct call *c, struct task_struct **tp,
					 const struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (is_excluded_task(t, t->tgid))
		return 1;
	call_load(c, regs, t);
	begin(w, t, SKP_REC_SYSCALL, c->nr, ret, c->a);
	*tp = t;
	return w->b ? 0 : 1;
}

/*
 * A syscall program that records the call's header and what its body adds:
 *     SYSCALL_RECORD(sk_x_foo) { put_user_str(w, SKP_C_ARG0, c->a[0]); }
 * The body sees w (the record), c (number and arguments), t (the task) and
 * ret; the record is finished after it. Excluded tasks record nothing.
 */
#define SYSCALL_RECORD(name)                                                                                \
	static __always_inline void name##_body(struct builder *w, const struct call *c, struct task_struct *t,  \
						long ret);                                                      \
	SYSCALL_PROG(name)                                                                                  \
	{                                                                                                   \
		struct task_struct *t;                                                                      \
		struct builder w;                                                                           \
		struct call c = {};                                                                         \
                                                                                                            \
		if (syscall_begin(&w, &c, &t, regs, ret))                                                   \
			return 0;                                                                           \
		name##_body(&w, &c, t, ret);                                                                \
		finish(&w);                                                                                 \
		return 0;                                                                                   \
	}                                                                                                   \
	static __always_inline void name##_body(struct builder *w, const struct call *c, struct task_struct *t,  \
						long ret)

/* ---- chunk writers ---- */

/* NUL-terminated user string (a path), up to 4096 bytes. */
SKB_SUBPROG void put_user_str(struct builder *w, __u8 id, __u64 p)
{
	struct skp_chunk *c;
	long n;

	if (!p)
		return;
	c = chunk_start(w, STR_MAX);
	if (!c)
		return;
	n = bpf_probe_read_user_str(chunk_data(w), STR_MAX, (const void *)p);
	if (n < 0) {
		count(SKP_CNT_COPY_FAIL);
		chunk_end(w, c, id, SKP_CF_FAULT, 0);
		return;
	}
	chunk_end(w, c, id, n >= STR_MAX ? SKP_CF_TRUNC : 0, n);
}

SKB_SUBPROG void put_kernel_str(struct builder *w, __u8 id, const void *p)
{
	struct skp_chunk *c = chunk_start(w, STR_MAX);
	long n;

	if (!c)
		return;
	n = bpf_probe_read_kernel_str(chunk_data(w), STR_MAX, p);
	chunk_end(w, c, id, n < 0 ? SKP_CF_FAULT : 0, n);
}

/* len bytes of user memory (cut at SKP_MAX_CHUNK, flagged truncated). */
SKB_SUBPROG void put_user_buf(struct builder *w, __u8 id, __u64 p, __u64 len)
{
	struct skp_chunk *c;
	__u8 fl = 0;
	__u32 n;

	if (!p)
		return;
	c = chunk_start(w, SKP_MAX_CHUNK);
	if (!c)
		return;
	if (len > SKP_MAX_CHUNK) {
		len = SKP_MAX_CHUNK;
		fl = SKP_CF_TRUNC;
	}
	n = (__u32)len;
	asm volatile("" : "+r"(n));
	n &= SKP_MAX_CHUNK * 2 - 1;
	if (n && bpf_probe_read_user(chunk_data(w), n, (const void *)p) < 0) {
		count(SKP_CNT_COPY_FAIL);
		chunk_end(w, c, id, SKP_CF_FAULT, 0);
		return;
	}
	chunk_end(w, c, id, fl, n);
}

/* I/O data: the first min(len, snaplen) bytes of a buffer. */
static __always_inline void put_user_data(struct builder *w, __u8 id, __u64 p, __u64 len)
{
	__u32 snap = snaplen;

	put_user_buf(w, id, p, len < snap ? len : snap);
}

/* A user sockaddr, at most 128 bytes. */
static __always_inline void put_user_sockaddr(struct builder *w, __u8 id, __u64 p, __u64 len)
{
	if (len)
		put_user_buf(w, id, p, len > 128 ? 128 : len);
}

#define SKP_MAX_IOV 64 /* iovec entries gathered per call; the snaplen usually ends sooner */

/* I/O data spread over an iovec array, gathered one entry per bpf_loop
 * iteration. A 32-bit caller's entries are two 32-bit words. */
struct iovwalk {
	__u8 *b;
	__u32 base;
	__u32 len;
	__u32 want;
	__u8 fault;
	__u8 compat;
	__u64 iov;
	__u64 cnt;
};

static long iov_step(__u32 i, void *ctx)
{
	struct iovwalk *k = ctx;
	__u64 base, len;
	__u32 n;

	if (i >= k->cnt || k->len >= k->want)
		return 1;
	if (k->compat) {
		__u32 v[2] = {};

		if (bpf_probe_read_user(v, sizeof(v), (const void *)(k->iov + (__u64)i * 8)) < 0) {
			k->fault = 1;
			return 1;
		}
		base = v[0];
		len = v[1];
	} else {
		struct iovec v = {};

		if (bpf_probe_read_user(&v, sizeof(v), (const void *)(k->iov + (__u64)i * sizeof(v))) < 0) {
			k->fault = 1;
			return 1;
		}
		base = (__u64)v.iov_base;
		len = v.iov_len;
	}
	n = k->want - k->len;
	if (len < n)
		n = (__u32)len;
	asm volatile("" : "+r"(n));
	n &= SKP_MAX_CHUNK * 2 - 1;
	if (!n)
		return 0;
	if (!base || bpf_probe_read_user(&k->b[bounded(k->base + k->len)], n, (const void *)base) < 0) {
		k->fault = 1;
		return 1;
	}
	k->len += n;
	return 0;
}

/* The first total bytes (at most snaplen) of the data behind an iovec
 * array (readv/writev, sendmsg/recvmsg), across entries, in one chunk. */
SKB_SUBPROG void put_user_iov(struct builder *w, __u64 iov, __u64 cnt, __u64 total, __u32 compat)
{
	struct skp_chunk *c;
	struct iovwalk k = {};
	__u8 fl = 0;

	if (!iov || !cnt || !total)
		return;
	c = chunk_start(w, SKP_MAX_CHUNK);
	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.iov = iov;
	k.cnt = cnt;
	k.compat = compat;
	k.want = total < snaplen ? (__u32)total : snaplen;
	if (k.want > SKP_MAX_CHUNK)
		k.want = SKP_MAX_CHUNK;
	bpf_loop(SKP_MAX_IOV, iov_step, &k, 0);
	if (k.fault) {
		count(SKP_CNT_COPY_FAIL);
		fl = SKP_CF_FAULT;
	} else if (k.len < k.want) {
		fl = SKP_CF_TRUNC; /* more entries than SKP_MAX_IOV */
	}
	chunk_end(w, c, SKP_C_DATA, fl, k.len);
}

/* ---- kernel objects behind a descriptor ---- */

static __always_inline struct file *fd_file(struct task_struct *t, __s64 fd)
{
	struct files_struct *files;
	struct fdtable *fdt;
	struct file *f = NULL;

	if (fd < 0)
		return NULL;
	/* t is a trusted BTF pointer: direct loads, no helper calls */
	files = t->files;
	if (!files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || (__u64)fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]);
	return f;
}

static __always_inline struct sock *fd_sock(struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	struct socket *so;

	if (!f)
		return NULL;
	so = BPF_CORE_READ(f, private_data);
	return so ? BPF_CORE_READ(so, sk) : NULL;
}

#define SPAN_MAX 128 /* bytes of one kernel object read with one copy */

/* Offsets of two or three fields of one kernel object (CO-RE relocated
 * constants) and the 8-aligned byte range covering them. */
struct span {
	__u32 lo, hi;
};

static __always_inline void span_add(struct span *s, __u32 off, __u32 size)
{
	if ((off & ~7u) < s->lo)
		s->lo = off & ~7u;
	if (off + size > s->hi)
		s->hi = off + size;
}

/* The fields of an object that lie close together are copied with one
 * helper call instead of one each (each is ~15-20 ns); buf then holds
 * bytes lo..hi of the object. Non-zero if the range is too wide or the
 * copy failed. */
static __always_inline int span_read(__u64 *buf, const struct span *s, const void *obj)
{
	__u32 n = s->hi - s->lo;

	if (n > SPAN_MAX || !n)
		return -1;
	return bpf_probe_read_kernel(buf, n, obj + s->lo);
}

#define SPAN_U32(buf, s, off) (*(__u32 *)((__u8 *)(buf) + ((off) - (s).lo)))
#define SPAN_U64(buf, s, off) (*(__u64 *)((__u8 *)(buf) + ((off) - (s).lo)))

/* dev, ino, f_mode and f_flags of descriptor fd: struct file's fields in
 * one copy, the inode's in another, then the super block's device. */
SKB_SUBPROG void put_file(struct builder *w, struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	struct skp_chunk *c = chunk_start(w, sizeof(struct skp_file));
	__u32 o_mode = bpf_core_field_offset(struct file, f_mode), o_flags = bpf_core_field_offset(struct file, f_flags);
	__u32 o_inode = bpf_core_field_offset(struct file, f_inode);
	__u32 o_sb = bpf_core_field_offset(struct inode, i_sb), o_ino = bpf_core_field_offset(struct inode, i_ino);
	struct span fs = { o_mode & ~7u, o_mode + 4 }, is = { o_sb & ~7u, o_sb + 8 };
	__u64 fb[SPAN_MAX / 8], ib[SPAN_MAX / 8]; /* filled by span_read before any use */
	struct skp_file *sf;
	struct inode *inode;
	struct super_block *sb;
	dev_t dev = 0;

	if (!c || !f)
		return;
	sf = chunk_data(w);
	span_add(&fs, o_flags, 4);
	span_add(&fs, o_inode, 8);
	span_add(&is, o_ino, 8);
	if (span_read(fb, &fs, f) == 0) {
		sf->fmode = SPAN_U32(fb, fs, o_mode);
		sf->fflags = SPAN_U32(fb, fs, o_flags);
		inode = (struct inode *)SPAN_U64(fb, fs, o_inode);
	} else {
		sf->fmode = BPF_CORE_READ(f, f_mode);
		sf->fflags = BPF_CORE_READ(f, f_flags);
		inode = BPF_CORE_READ(f, f_inode);
	}
	if (span_read(ib, &is, inode) == 0) {
		sf->ino = SPAN_U64(ib, is, o_ino);
		sb = (struct super_block *)SPAN_U64(ib, is, o_sb);
	} else {
		sf->ino = BPF_CORE_READ(inode, i_ino);
		sb = BPF_CORE_READ(inode, i_sb);
	}
	bpf_probe_read_kernel(&dev, sizeof(dev), (void *)sb + bpf_core_field_offset(struct super_block, s_dev));
	/* new_encode_dev, as the upstream drivers report it */
	sf->dev = (dev & 0xff) | ((dev >> 20) << 8) | ((dev & 0xfff00) << 12);
	sf->pad = 0;
	chunk_end(w, c, SKP_C_FILE, 0, sizeof(*sf));
}

/* Socket tuple of descriptor fd in the event-table encoding, local end first. */
SKB_SUBPROG void put_tuple(struct builder *w, struct task_struct *t, __s64 fd)
{
	struct sock *sk = fd_sock(t, fd);
	struct skp_chunk *c = chunk_start(w, 128);
	__u16 fam, lport, rport;
	__u8 *o;

	if (!c || !sk)
		return;
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	rport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	o = chunk_data(w);
	if (fam == 2) {
		__u32 la = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		__u32 ra = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		o[0] = 2;
		__builtin_memcpy(o + 1, &la, 4);
		__builtin_memcpy(o + 5, &lport, 2);
		__builtin_memcpy(o + 7, &ra, 4);
		__builtin_memcpy(o + 11, &rport, 2);
		chunk_end(w, c, SKP_C_TUPLE, 0, 13);
	} else if (fam == 10) {
		o[0] = 10;
		BPF_CORE_READ_INTO(o + 1, sk, __sk_common.skc_v6_rcv_saddr);
		__builtin_memcpy(o + 17, &lport, 2);
		BPF_CORE_READ_INTO(o + 19, sk, __sk_common.skc_v6_daddr);
		__builtin_memcpy(o + 35, &rport, 2);
		chunk_end(w, c, SKP_C_TUPLE, 0, 37);
	} else if (fam == 1) {
		struct unix_sock *us = (struct unix_sock *)sk;
		struct sock *peer = BPF_CORE_READ(us, peer);
		__u64 src = (__u64)sk, dst = (__u64)peer;
		struct unix_address *ua = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) : BPF_CORE_READ(us, addr);
		__u32 alen = 0;
		long n = 0;

		o[0] = 1;
		__builtin_memcpy(o + 1, &src, 8);
		__builtin_memcpy(o + 9, &dst, 8);
		if (ua)
			alen = BPF_CORE_READ(ua, len);
		if (alen > 2) {
			/* sun_path after sun_family; abstract names lose the leading NUL */
			char *p = (char *)ua + bpf_core_field_offset(struct unix_address, name) + 2;
			char first = 0;

			bpf_probe_read_kernel(&first, 1, p);
			if (!first)
				p++;
			n = bpf_probe_read_kernel_str(o + 17, 108, p);
		}
		if (n <= 0) {
			o[17] = 0;
			n = 1;
		}
		chunk_end(w, c, SKP_C_TUPLE, 0, 17 + n);
	}
}

/* A small fixed-size chunk from the stack. */
static __always_inline void put_bytes(struct builder *w, __u8 id, const void *src, __u32 len)
{
	struct skp_chunk *c = chunk_start(w, 64);

	if (!c)
		return;
	__builtin_memcpy(chunk_data(w), src, len);
	chunk_end(w, c, id, 0, len);
}

#endif
