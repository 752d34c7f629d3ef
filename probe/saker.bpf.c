/* probe/saker.bpf.c: the CO-RE probe: saves syscall args at enter, emits exit records and process lifecycle records. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "probe/saker_event.h"

char LICENSE[] SEC("license") = "GPL";

#define SCR_SIZE (2 * SKP_SCRATCH_HALF)
#define SCR_MASK (SKP_SCRATCH_HALF - 1)
#define STR_MAX 4096
#define FMODE_CREATED_BIT (1u << 20)
#define X86_NR_CLONE 56
#define X86_NR_FORK 57
#define X86_NR_VFORK 58
#define X86_NR_CLONE3 435
#define X86_NR_EXECVE 59
#define X86_NR_EXECVEAT 322
#define LNX_CLONE_VM 0x100
#define LNX_CLONE_VFORK 0x4000
#define LNX_SIGCHLD 17
#define LNX_PF_KTHREAD 0x00200000

/* Set by the loader before load. */
const volatile __u32 snaplen = 80;
const volatile __u32 argmax = 4096;
const volatile __u32 wakeup_bytes = 1 << 20;
const volatile __u32 self_tgid = 0;
/* Optional process filters (-p / --comm): only listed tgids (and the
 * children they fork), only threads whose comm matches. */
const volatile __u32 filter_pids = 0;
const volatile __u32 filter_comm = 0;
const volatile char comm_want[16] = {};
/* Entries in the excluded map, kept by the loader: the common case (none)
 * skips the hash lookup. */
__u32 n_excluded = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SKP_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, struct skp_spec);
} specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} excluded SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKP_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct scratch {
	__u8 b[SCR_SIZE];
};

/* One scratch slot per CPU (per-CPU maps cap values at 32 KiB); the loader
 * sizes it to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Per-thread mark between a successful exec's sched_process_exec and its
 * sys_exit. Task storage dies with the task, so nothing leaks. */
struct sk_saved {
	__u32 live;   /* SAVED_* */
	__u32 pad;
};

#define SAVED_EXEC_DONE 2  /* exec succeeded: its sys_exit must not emit */

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sk_saved);
} saved_args SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);
	if (c)
		*c += 1;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

static __always_inline int comm_mismatch(struct task_struct *t)
{
	char c[16] = {};
	int i;

	BPF_CORE_READ_STR_INTO(&c, t, comm);
	for (i = 0; i < 16; i++) {
		if (c[i] != comm_want[i])
			return 1;
		if (!c[i])
			break;
	}
	return 0;
}

/* Whether task t (of thread group tgid) is outside the capture. */
static __always_inline int is_excluded_task(struct task_struct *t, __u32 tgid)
{
	if (tgid == self_tgid)
		return 1;
	if (n_excluded && bpf_map_lookup_elem(&excluded, &tgid))
		return 1;
	if (filter_pids && !bpf_map_lookup_elem(&targets, &tgid))
		return 1;
	if (filter_comm && comm_mismatch(t))
		return 1;
	return 0;
}

static __always_inline __u64 wake_flag(void)
{
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ?
		BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* ---- record building in the per-CPU scratch buffer ---- */

/* The empty asm keeps clang from dropping masks it can prove redundant
 * but the verifier cannot (values reloaded from the stack lose bounds). */
static __always_inline __u32 bounded(__u32 v)
{
	asm volatile("" : "+r"(v));
	return v & SCR_MASK;
}

static __always_inline __u32 idx8(__u32 v)
{
	asm volatile("" : "+r"(v));
	return v & 7;
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

static __always_inline void put_user_str(struct builder *w, __u8 id, const void *p, __u32 max)
{
	struct skp_chunk *c = chunk_start(w, STR_MAX);
	long n;

	if (!c)
		return;
	n = bpf_probe_read_user_str(chunk_data(w), max & (STR_MAX * 2 - 1), p);
	if (n < 0) {
		count(SKP_CNT_COPY_FAIL);
		chunk_end(w, c, id, SKP_CF_FAULT, 0);
		return;
	}
	chunk_end(w, c, id, n >= max ? SKP_CF_TRUNC : 0, n);
}

static __always_inline void put_kernel_str(struct builder *w, __u8 id, const void *p)
{
	struct skp_chunk *c = chunk_start(w, STR_MAX);
	long n;

	if (!c)
		return;
	n = bpf_probe_read_kernel_str(chunk_data(w), STR_MAX, p);
	chunk_end(w, c, id, n < 0 ? SKP_CF_FAULT : 0, n);
}

#define SKP_MAX_IOV 64 /* iovec entries gathered per call; the snaplen usually ends sooner */

/* I/O data spread over an iovec array, gathered one entry per bpf_loop
 * iteration (the verifier checks one entry, not every prefix). */
struct iovwalk {
	__u8 *b;
	__u32 base;
	__u32 len;
	__u32 want;
	__u8 fault;
	const struct iovec *iov;
	__u64 cnt;
};

static long iov_step(__u32 i, void *ctx)
{
	struct iovwalk *k = ctx;
	struct iovec v = {};
	__u32 n;

	if (i >= k->cnt || k->len >= k->want)
		return 1;
	if (bpf_probe_read_user(&v, sizeof(v), &k->iov[i]) < 0) {
		k->fault = 1;
		return 1;
	}
	n = k->want - k->len;
	if (v.iov_len < n)
		n = (__u32)v.iov_len;
	asm volatile("" : "+r"(n));
	n &= SKP_MAX_CHUNK * 2 - 1;
	if (!n)
		return 0;
	if (!v.iov_base || bpf_probe_read_user(&k->b[bounded(k->base + k->len)], n, v.iov_base) < 0) {
		k->fault = 1;
		return 1;
	}
	k->len += n;
	return 0;
}

/* The first total bytes (at most snaplen) of the data behind an iovec
 * array (readv/writev, sendmsg/recvmsg), across entries, in one chunk. */
static __always_inline void put_user_iov(struct builder *w, const struct iovec *iov, __u64 cnt, __u64 total)
{
	struct skp_chunk *c = chunk_start(w, SKP_MAX_CHUNK);
	struct iovwalk k = {};
	__u8 fl = 0;

	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.iov = iov;
	k.cnt = cnt;
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

static __always_inline void put_user_buf(struct builder *w, __u8 id, const void *p, __u64 len)
{
	struct skp_chunk *c = chunk_start(w, SKP_MAX_CHUNK);
	__u8 fl = 0;
	__u32 n;

	if (!c)
		return;
	if (len > SKP_MAX_CHUNK) {
		len = SKP_MAX_CHUNK;
		fl = SKP_CF_TRUNC;
	}
	n = (__u32)len;
	asm volatile("" : "+r"(n));
	n &= SKP_MAX_CHUNK * 2 - 1;
	if (n && bpf_probe_read_user(chunk_data(w), n, p) < 0) {
		count(SKP_CNT_COPY_FAIL);
		chunk_end(w, c, id, SKP_CF_FAULT, 0);
		return;
	}
	chunk_end(w, c, id, fl, n);
}

/* Dentry walk: names leaf first, NUL-separated; user space reverses them.
 * Mount points are crossed through struct mount. The walk runs under
 * bpf_loop so the verifier checks one step, not every combination. */
struct walk {
	__u8 *b;
	__u32 base;
	__u32 len;
	struct dentry *d;
	struct vfsmount *vm;
	struct mount *mnt;
	struct kernfs_node *kn;
	struct task_struct *task;
};

static long path_step(__u32 i, void *ctx)
{
	struct walk *k = ctx;
	struct dentry *d = k->d;
	struct vfsmount *vm = k->vm;
	struct mount *mnt = k->mnt;
	struct dentry *root = BPF_CORE_READ(vm, mnt_root);
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	long n;

	if (d == root || d == parent) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);

		/* The lone dentry of a pseudo file system (a memfd, an anonymous
		 * inode) is its own parent: d_path names it "/<name>". */
		if (d == parent && d != root && k->len == 0) {
			n = bpf_probe_read_kernel_str(&k->b[bounded(k->base)], 256, BPF_CORE_READ(d, d_name.name));
			if (n > 0)
				k->len = n;
			return 1;
		}
		if (d != root || mp == mnt)
			return 1;
		k->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		k->mnt = mp;
		k->vm = (struct vfsmount *)((void *)mp + bpf_core_field_offset(struct mount, mnt));
		return 0;
	}
	if (k->len > SKP_PATH_DEPTH * 256)
		return 1;
	n = bpf_probe_read_kernel_str(&k->b[bounded(k->base + k->len)], 256, BPF_CORE_READ(d, d_name.name));
	if (n > 0)
		k->len += n;
	k->d = parent;
	return 0;
}

static __always_inline void put_path(struct builder *w, __u8 id, struct dentry *d, struct vfsmount *vm)
{
	struct skp_chunk *c = chunk_start(w, SKP_PATH_DEPTH * 256 + 256);
	struct walk k = {};

	if (!c || !d || !vm)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.d = d;
	k.vm = vm;
	k.mnt = (struct mount *)((void *)vm - bpf_core_field_offset(struct mount, mnt));
	/* mount crossings take steps too: allow a few more than the depth */
	bpf_loop(SKP_PATH_DEPTH + 8, path_step, &k, 0);
	chunk_end(w, c, id, 0, k.len);
}

static long cgroup_step(__u32 i, void *ctx)
{
	struct walk *k = ctx;
	struct kernfs_node *kn = k->kn;
	struct kernfs_node *parent = BPF_CORE_READ(kn, __parent);
	long n;

	if (!parent || k->len > SKP_CGROUP_MAX - 256)
		return 1;
	n = bpf_probe_read_kernel_str(&k->b[bounded(k->base + k->len)], 256, BPF_CORE_READ(kn, name));
	if (n > 0)
		k->len += n;
	k->kn = parent;
	return 0;
}

/* One controller: its name, its cgroup's path components leaf first, then
 * an empty string. Both cgroup v1 hierarchies and v2 come out the same way. */
static long subsys_step(__u32 i, void *ctx)
{
	struct walk *k = ctx;
	struct task_struct *t = k->task;
	struct cgroup_subsys_state *css;
	struct cgroup_subsys *ss;
	long n;

	if (i >= CGROUP_SUBSYS_COUNT || k->len > SKP_CGROUP_MAX - 512)
		return 1;
	css = BPF_CORE_READ(t, cgroups, subsys[i & 15]);
	if (!css)
		return 0;
	ss = BPF_CORE_READ(css, ss);
	n = bpf_probe_read_kernel_str(&k->b[bounded(k->base + k->len)], 64, BPF_CORE_READ(ss, name));
	if (n <= 0)
		return 0;
	k->len += n;
	k->kn = BPF_CORE_READ(css, cgroup, kn);
	if (k->kn)
		bpf_loop(16, cgroup_step, k, 0);
	k->b[bounded(k->base + k->len)] = 0;
	k->len++;
	return 0;
}

static __always_inline void put_cgroup(struct builder *w, struct task_struct *t)
{
	struct skp_chunk *c = chunk_start(w, SKP_CGROUP_MAX);
	struct walk k = {};

	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.task = t;
	bpf_loop(CGROUP_SUBSYS_COUNT, subsys_step, &k, 0);
	chunk_end(w, c, SKP_C_CGROUP, 0, k.len);
}

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

static __always_inline void put_file(struct builder *w, struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	struct skp_chunk *c = chunk_start(w, sizeof(struct skp_file));
	struct skp_file *sf;
	dev_t dev;

	if (!c || !f)
		return;
	sf = chunk_data(w);
	sf->ino = BPF_CORE_READ(f, f_inode, i_ino);
	dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	/* new_encode_dev, as the upstream drivers report it */
	sf->dev = (dev & 0xff) | ((dev >> 20) << 8) | ((dev & 0xfff00) << 12);
	sf->fmode = BPF_CORE_READ(f, f_mode);
	sf->fflags = BPF_CORE_READ(f, f_flags);
	sf->pad = 0;
	chunk_end(w, c, SKP_C_FILE, 0, sizeof(*sf));
}

/* Socket tuple in the event-table encoding, local end first. */
static __always_inline void put_tuple(struct builder *w, struct task_struct *t, __s64 fd)
{
	struct file *f = fd_file(t, fd);
	struct skp_chunk *c = chunk_start(w, 128);
	struct socket *so;
	struct sock *sk;
	__u16 fam, lport, rport;
	__u8 *o;

	if (!c || !f)
		return;
	so = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(so, sk);
	if (!sk)
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
		struct unix_address *ua = peer ? BPF_CORE_READ((struct unix_sock *)peer, addr) :
						BPF_CORE_READ(us, addr);
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

static __always_inline __u32 pid_vnr(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * sizeof(struct upid));
	return up.nr;
}

static __always_inline __u64 ts_ns(__s64 sec, __u32 nsec)
{
	return (__u64)sec * 1000000000ull + nsec;
}

static __always_inline void put_proc(struct builder *w, struct task_struct *t, __u64 clone_flags)
{
	struct skp_chunk *c = chunk_start(w, sizeof(struct skp_proc));
	struct skp_proc *p;
	struct mm_struct *mm;
	struct inode *ino;
	struct tty_struct *tty;
	struct pid *tp;
	__s64 cnt;

	if (!c)
		return;
	p = chunk_data(w);
	__builtin_memset(p, 0, sizeof(*p));
	p->tid = BPF_CORE_READ(t, pid);
	p->pid = BPF_CORE_READ(t, tgid);
	p->ptid = BPF_CORE_READ(t, real_parent, tgid);
	tp = BPF_CORE_READ(t, thread_pid);
	p->vtid = pid_vnr(tp);
	p->pidns_level = BPF_CORE_READ(tp, level);
	p->vpid = pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid));
	p->pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	p->vpgid = pid_vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]));
	p->sid = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID], numbers[0].nr);
	p->uid = BPF_CORE_READ(t, cred, euid.val);
	p->gid = BPF_CORE_READ(t, cred, egid.val);
	p->loginuid = BPF_CORE_READ(t, loginuid.val);
	p->cap_inh = BPF_CORE_READ(t, cred, cap_inheritable.val);
	p->cap_prm = BPF_CORE_READ(t, cred, cap_permitted.val);
	p->cap_eff = BPF_CORE_READ(t, cred, cap_effective.val);
	p->fdlimit = BPF_CORE_READ(t, signal, rlim[7].rlim_cur); /* RLIMIT_NOFILE */
	p->pgft_maj = BPF_CORE_READ(t, maj_flt);
	p->pgft_min = BPF_CORE_READ(t, min_flt);
	p->clone_flags = clone_flags;
	tty = BPF_CORE_READ(t, signal, tty);
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		p->tty = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
	}
	mm = BPF_CORE_READ(t, mm);
	if (mm) {
		p->vm_size = BPF_CORE_READ(mm, total_vm) << 2;
		cnt = BPF_CORE_READ(mm, rss_stat[0].count) + BPF_CORE_READ(mm, rss_stat[1].count) +
		      BPF_CORE_READ(mm, rss_stat[3].count);
		p->vm_rss = cnt > 0 ? (__u32)(cnt << 2) : 0;
		cnt = BPF_CORE_READ(mm, rss_stat[2].count);
		p->vm_swap = cnt > 0 ? (__u32)(cnt << 2) : 0;
		ino = BPF_CORE_READ(mm, exe_file, f_inode);
		if (ino) {
			char nm[8] = {};
			__u16 mode = BPF_CORE_READ(ino, i_mode);
			__u32 iuid = BPF_CORE_READ(ino, i_uid.val), igid = BPF_CORE_READ(ino, i_gid.val);

			p->exe_ino = BPF_CORE_READ(ino, i_ino);
			/* bit 31 of the nsec fields is the multigrain "queried" flag */
			p->exe_ctime = ts_ns(BPF_CORE_READ(ino, i_ctime_sec), BPF_CORE_READ(ino, i_ctime_nsec) & 0x3fffffff);
			p->exe_mtime = ts_ns(BPF_CORE_READ(ino, i_mtime_sec), BPF_CORE_READ(ino, i_mtime_nsec) & 0x3fffffff);
			/* PPM_EXE_WRITABLE: a write bit that applies to the task, or
			 * CAP_DAC_OVERRIDE (the kernel's permission check, simplified) */
			if ((mode & 0002) || (iuid == p->uid && (mode & 0200)) || (igid == p->gid && (mode & 0020)) ||
			    (p->cap_eff & (1ull << 1)))
				p->exe_flags |= 1;
			/* PPM_EXE_FROM_MEMFD: memfd files are named "memfd:..." */
			bpf_probe_read_kernel_str(nm, sizeof(nm), BPF_CORE_READ(mm, exe_file, f_path.dentry, d_name.name));
			if (nm[0] == 'm' && nm[1] == 'e' && nm[2] == 'm' && nm[3] == 'f' && nm[4] == 'd' && nm[5] == ':')
				p->exe_flags |= 4;
		}
	}
	BPF_CORE_READ_STR_INTO(&p->comm, t, comm);
	chunk_end(w, c, SKP_C_PROC, 0, sizeof(*p));
}

static __always_inline void put_mm_area(struct builder *w, __u8 id, __u64 start, __u64 end)
{
	__u64 len = end > start ? end - start : 0;
	struct skp_chunk *c;
	__u8 fl = 0;
	__u32 n;

	if (len > argmax) {
		len = argmax;
		fl = SKP_CF_TRUNC;
	}
	c = chunk_start(w, STR_MAX);
	if (!c)
		return;
	n = (__u32)len;
	asm volatile("" : "+r"(n));
	n &= STR_MAX * 2 - 1;
	if (n && bpf_probe_read_user(chunk_data(w), n, (void *)start) < 0) {
		count(SKP_CNT_COPY_FAIL);
		chunk_end(w, c, id, SKP_CF_FAULT, 0);
		return;
	}
	chunk_end(w, c, id, fl, n);
}

static __always_inline struct builder begin(struct task_struct *t, __u16 kind, __u16 nr, __s64 ret,
					    const __u64 *args)
{
	__u32 cpu = bpf_get_smp_processor_id();
	struct builder w = { .b = bpf_map_lookup_elem(&scratch_map, &cpu), .off = sizeof(struct skp_hdr) };
	struct skp_hdr *h;
	int i;

	if (!w.b)
		return w;
	h = (struct skp_hdr *)w.b;
	h->ts = bpf_ktime_get_boot_ns();
	h->tid = BPF_CORE_READ(t, pid);
	h->pid = BPF_CORE_READ(t, tgid);
	h->kind = kind;
	h->nr = nr;
	h->cpu = bpf_get_smp_processor_id();
	h->pad = 0;
	h->ret = ret;
	for (i = 0; i < SKP_NARGS; i++)
		h->args[i] = args ? args[i] : 0;
	return w;
}

static __always_inline void finish(struct builder *w)
{
	struct skp_hdr *h = (struct skp_hdr *)w->b;
	__u32 len = w->off;

	h->len = len;
	h->nchunks = w->n;
	if (len > SKP_SCRATCH_HALF)
		len = SKP_SCRATCH_HALF;
	/* keep the mask: the verifier needs it even though the clamp implies it */
	asm volatile("" : "+r"(len));
	len &= SCR_SIZE - 1;
	if (bpf_ringbuf_output(&rb, w->b, len, wake_flag()) < 0)
		count(SKP_CNT_RING_FULL);
	else
		count(SKP_CNT_EVENTS);
}

/* ---- syscalls ---- */

/*
 * x86_64 leaves the argument registers of the saved user context untouched
 * for the whole call, so every record reads its call's arguments from them
 * (as libs' modern probe does) and no sys_enter program is attached: each
 * syscall on the host pays for one program, not two. The clone family is
 * reported from sched_process_fork, in the parent's context in the middle
 * of its call, so the parent's registers still hold the arguments there.
 * A successful exec has replaced them when sched_process_exec reports it;
 * only the syscall number survives (orig_ax), and the record needs no
 * other argument.
 */
static __always_inline void args_from_regs(const struct pt_regs *regs, __u64 *a)
{
	a[0] = regs->di;
	a[1] = regs->si;
	a[2] = regs->dx;
	a[3] = regs->r10;
	a[4] = regs->r8;
	a[5] = regs->r9;
}

static __always_inline int is_clone_nr(__u32 nr)
{
	return nr == X86_NR_CLONE || nr == X86_NR_CLONE3 || nr == X86_NR_FORK || nr == X86_NR_VFORK;
}

static __always_inline void put_arg(struct builder *w, __u8 kind, __u32 i,
				    const __u64 *a, __s64 ret)
{
	__u64 next = a[idx8(i + 1)];
	__u32 snap = snaplen;
	const void *p = (const void *)a[idx8(i)];

	switch (kind) {
	case SKP_A_STR:
		if (p)
			put_user_str(w, SKP_C_ARG0 + i, p, STR_MAX);
		break;
	case SKP_A_SADDR_NEXT:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, next > 128 ? 128 : next);
		break;
	case SKP_A_SADDR_PTRLEN: {
		int alen = 0;

		if (p && next && ret >= 0) {
			bpf_probe_read_user(&alen, sizeof(alen), (void *)next);
			if (alen > 0)
				put_user_buf(w, SKP_C_ARG0 + i, p, alen > 128 ? 128 : alen);
		}
		break;
	}
	case SKP_A_BUF_RET:
		if (p && ret > 0)
			put_user_buf(w, SKP_C_ARG0 + i, p, (__u64)ret < snap ? (__u64)ret : snap);
		break;
	case SKP_A_BUF_NEXT:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, next < snap ? next : snap);
		break;
	case SKP_A_IOV_RET:
		if (p && ret > 0 && next > 0)
			put_user_iov(w, p, next, (__u64)ret);
		break;
	case SKP_A_MSGHDR:
		if (p) {
			struct user_msghdr m = {};

			if (bpf_probe_read_user(&m, sizeof(m), p) < 0)
				break;
			if (m.msg_name && m.msg_namelen)
				put_user_buf(w, SKP_C_SADDR, m.msg_name, m.msg_namelen > 128 ? 128 : m.msg_namelen);
			if (m.msg_iov && m.msg_iovlen && ret > 0)
				put_user_iov(w, m.msg_iov, m.msg_iovlen, (__u64)ret);
			if (m.msg_control && m.msg_controllen)
				put_user_buf(w, SKP_C_MSGCTL, m.msg_control,
					     m.msg_controllen > 256 ? 256 : m.msg_controllen);
		}
		break;
	case SKP_A_INT2:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, 8);
		break;
	case SKP_A_RAW8:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, 8);
		break;
	case SKP_A_RAW16:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, 16);
		break;
	case SKP_A_RAW24:
		if (p)
			put_user_buf(w, SKP_C_ARG0 + i, p, 24);
		break;
	}
}

static __always_inline __u64 clone_flags_of(__u32 nr, const __u64 *a)
{
	__u64 f = 0;

	if (nr == X86_NR_CLONE)
		return a[0];
	if (nr == X86_NR_FORK)
		return LNX_SIGCHLD;
	if (nr == X86_NR_VFORK)
		return LNX_CLONE_VM | LNX_CLONE_VFORK | LNX_SIGCHLD;
	if (nr == X86_NR_CLONE3 && a[0])
		bpf_probe_read_user(&f, sizeof(f), (void *)a[0]);
	return f;
}

/* Everything a record may carry, built one step per bpf_loop iteration:
 * the verifier checks each step once instead of every combination of
 * present and absent chunks. */
struct stepctx {
	struct builder w;
	struct task_struct *t;
	struct linux_binprm *bprm;
	__s64 ret;
	__u64 a[8]; /* args[6] + 2 zero slots so masked indexes stay in bounds */
	__u64 clone_flags;
	__u64 argv;   /* failed exec: the user argv array */
	__u8 arg[8];
	__u8 extra;
	__u8 env;
};

/* argv of a failed exec, read through the user pointer array. */
struct argvwalk {
	__u8 *b;
	__u32 base;
	__u32 len;
	__u64 argv;
};

static long argv_step(__u32 i, void *ctx)
{
	struct argvwalk *k = ctx;
	const char *arg = NULL;
	__u32 room;
	long n;

	if (k->len >= argmax || k->len >= STR_MAX)
		return 1;
	if (bpf_probe_read_user(&arg, sizeof(arg), (void *)(k->argv + (__u64)i * 8)) < 0 || !arg)
		return 1;
	room = argmax - k->len;
	asm volatile("" : "+r"(room));
	room &= STR_MAX * 2 - 1;
	if (!room)
		return 1;
	n = bpf_probe_read_user_str(&k->b[bounded(k->base + k->len)], room, arg);
	if (n <= 0)
		return 1;
	k->len += n;
	return 0;
}

static __always_inline void put_argv(struct builder *w, __u64 argv)
{
	struct skp_chunk *c = chunk_start(w, STR_MAX);
	struct argvwalk k = {};

	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.argv = argv;
	bpf_loop(64, argv_step, &k, 0);
	chunk_end(w, c, SKP_C_ARGS, 0, k.len);
}

enum { STEP_TUPLE_ARG0 = SKP_NARGS, STEP_TUPLE_RET, STEP_FILE_RET, STEP_PIPE, STEP_SOCKPAIR,
       STEP_PROC, STEP_ARGS, STEP_ENV, STEP_EXEPATH, STEP_CWD, STEP_CGROUP, STEP_FILENAME, STEP__COUNT };

static __always_inline void put_sockpair(struct builder *w, struct task_struct *t, __u64 uaddr)
{
	int fds[2] = {};
	struct { __u64 src, peer; } pr = {};
	struct file *f;
	struct skp_chunk *c;

	bpf_probe_read_user(fds, sizeof(fds), (void *)uaddr);
	f = fd_file(t, fds[0]);
	if (f) {
		struct socket *so = BPF_CORE_READ(f, private_data);
		struct sock *sk = BPF_CORE_READ(so, sk);

		pr.src = (__u64)sk;
		pr.peer = (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
	}
	c = chunk_start(w, sizeof(pr));
	if (c) {
		__builtin_memcpy(chunk_data(w), &pr, sizeof(pr));
		chunk_end(w, c, SKP_C_PEER, 0, sizeof(pr));
	}
}

static long step(__u32 i, void *ctx)
{
	struct stepctx *c = ctx;
	struct task_struct *t = c->t;
	struct mm_struct *mm;
	struct file *exe;
	__s64 ret = c->ret;
	__u8 x = c->extra;

	if (i < SKP_NARGS) {
		__u8 kind = c->arg[idx8(i)];

		if (kind)
			put_arg(&c->w, kind, i, c->a, ret);
		return 0;
	}
	switch (i) {
	case STEP_TUPLE_ARG0:
		if (x & SKP_X_TUPLE_ARG0)
			put_tuple(&c->w, t, (__s64)c->a[0]);
		break;
	case STEP_TUPLE_RET:
		if ((x & SKP_X_TUPLE_RET) && ret >= 0)
			put_tuple(&c->w, t, ret);
		break;
	case STEP_FILE_RET:
		if ((x & SKP_X_FILE_RET) && ret >= 0)
			put_file(&c->w, t, ret);
		break;
	case STEP_PIPE:
		if ((x & SKP_X_PIPE) && ret == 0 && c->a[0]) {
			int fds[2] = {};

			bpf_probe_read_user(fds, sizeof(fds), (void *)c->a[0]);
			put_file(&c->w, t, fds[0]);
		}
		break;
	case STEP_SOCKPAIR:
		if ((x & SKP_X_SOCKPAIR) && ret == 0 && c->a[3])
			put_sockpair(&c->w, t, c->a[3]);
		break;
	case STEP_PROC:
		if (x & SKP_X_PROC)
			put_proc(&c->w, t, c->clone_flags);
		break;
	case STEP_ARGS:
		if (c->argv) {
			put_argv(&c->w, c->argv);
			break;
		}
		mm = BPF_CORE_READ(t, mm);
		if ((x & SKP_X_PROC) && mm)
			put_mm_area(&c->w, SKP_C_ARGS, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end));
		break;
	case STEP_ENV:
		mm = BPF_CORE_READ(t, mm);
		if ((x & SKP_X_PROC) && c->env && mm)
			put_mm_area(&c->w, SKP_C_ENV, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end));
		break;
	case STEP_EXEPATH:
		mm = BPF_CORE_READ(t, mm);
		exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
		if ((x & SKP_X_PROC) && exe)
			put_path(&c->w, SKP_C_EXEPATH, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt));
		break;
	case STEP_CWD:
		if (x & SKP_X_PROC)
			put_path(&c->w, SKP_C_CWD, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
		break;
	case STEP_CGROUP:
		if (x & SKP_X_PROC)
			put_cgroup(&c->w, t);
		break;
	case STEP_FILENAME:
		if (c->bprm) {
			struct linux_binprm *b = c->bprm;

			put_kernel_str(&c->w, SKP_C_FILENAME, BPF_CORE_READ(b, filename));
		}
		break;
	default:
		return 1;
	}
	return 0;
}

/* Runs steps 0 .. nsteps-1 (0: a header-only record, no loop at all). */
static __always_inline void run_steps(struct stepctx *c, __u32 nsteps)
{
	if (nsteps)
		bpf_loop(nsteps, step, c, 0);
	finish(&c->w);
}

/* The last step a syscall's spec needs, plus one. */
static __always_inline __u32 steps_needed(const struct skp_spec *sp)
{
	__u32 n = 0;
	int i;

	if (sp->extra & SKP_X_PROC)
		return STEP__COUNT;
	if (sp->extra & SKP_X_SOCKPAIR)
		return STEP_SOCKPAIR + 1;
	if (sp->extra & SKP_X_PIPE)
		return STEP_PIPE + 1;
	if (sp->extra & SKP_X_FILE_RET)
		return STEP_FILE_RET + 1;
	if (sp->extra & SKP_X_TUPLE_RET)
		return STEP_TUPLE_RET + 1;
	if (sp->extra & SKP_X_TUPLE_ARG0)
		return STEP_TUPLE_ARG0 + 1;
	for (i = 0; i < SKP_NARGS; i++)
		if (sp->arg[i])
			n = i + 1;
	return n;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sk_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	struct stepctx c = {};
	struct sk_saved *s;
	struct skp_spec *sp;
	__u32 nr = (__u32)regs->orig_ax;
	__u32 nsteps;
	int i;

	/* uninteresting syscalls stop here: one array lookup */
	sp = bpf_map_lookup_elem(&specs, &nr);
	if (!sp || !sp->enabled)
		return 0;
	t = bpf_get_current_task_btf();
	if (nr == X86_NR_EXECVE || nr == X86_NR_EXECVEAT) {
		s = bpf_task_storage_get(&saved_args, t, 0, 0);
		if (s && s->live == SAVED_EXEC_DONE) {
			/* a successful exec already emitted its record */
			s->live = 0;
			return 0;
		}
	}
	/* the child side of a clone is emitted by sched_process_fork */
	if (ret == 0 && is_clone_nr(nr))
		return 0;
	if (is_excluded_task(t, bpf_get_current_pid_tgid() >> 32))
		return 0;
	args_from_regs(regs, c.a);
	asm volatile("" ::: "memory");
	nsteps = steps_needed(sp);
	if (!nsteps) {
		/* header only: reserved and committed in place, no scratch copy */
		struct skp_hdr *h = bpf_ringbuf_reserve(&rb, sizeof(*h), 0);

		if (!h) {
			count(SKP_CNT_RING_FULL);
			return 0;
		}
		h->ts = bpf_ktime_get_boot_ns();
		h->tid = BPF_CORE_READ(t, pid);
		h->pid = BPF_CORE_READ(t, tgid);
		h->kind = SKP_REC_SYSCALL;
		h->nr = nr;
		h->len = sizeof(*h);
		h->cpu = bpf_get_smp_processor_id();
		h->nchunks = 0;
		h->pad = 0;
		h->ret = ret;
		for (i = 0; i < SKP_NARGS; i++)
			h->args[i] = c.a[i];
		bpf_ringbuf_submit(h, wake_flag());
		count(SKP_CNT_EVENTS);
		return 0;
	}
	for (i = 0; i < SKP_NARGS; i++)
		c.arg[i] = sp->arg[i];
	c.w = begin(t, SKP_REC_SYSCALL, nr, ret, c.a);
	if (!c.w.b)
		return 0;
	c.t = t;
	c.ret = ret;
	c.extra = sp->extra;
	c.clone_flags = clone_flags_of(nr, c.a);
	/* a failed exec reports the argv it was given */
	if (ret < 0 && nr == X86_NR_EXECVE)
		c.argv = c.a[1];
	else if (ret < 0 && nr == X86_NR_EXECVEAT)
		c.argv = c.a[2];
	run_steps(&c, nsteps);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sk_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(p);
	struct stepctx c = {};
	struct sk_saved *s;
	struct skp_spec *sp;
	__u32 nr;

	/* The registers now belong to the new image. execveat relative to a
	 * descriptor leaves its mark in bprm->fdpath ("/dev/fd/N[/path]");
	 * orig_ax is checked too, but this kernel reports 59 there for both
	 * calls. execveat(AT_FDCWD or an absolute path) reads as execve: the
	 * two are the same exec (docs/recorder.md). */
	nr = X86_NR_EXECVE;
	if ((regs && regs->orig_ax == X86_NR_EXECVEAT) ||
	    (bpf_core_field_exists(bprm->fdpath) && BPF_CORE_READ(bprm, fdpath)))
		nr = X86_NR_EXECVEAT;
	/* created if missing: the sys_exit that follows must not emit */
	s = bpf_task_storage_get(&saved_args, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s)
		s->live = SAVED_EXEC_DONE;
	if (is_excluded_task(p, BPF_CORE_READ(p, tgid)))
		return 0;
	sp = bpf_map_lookup_elem(&specs, &nr);
	if (!sp || !sp->enabled)
		return 0;
	c.w = begin(p, SKP_REC_EXEC, nr, 0, c.a);
	if (!c.w.b)
		return 0;
	c.t = p;
	c.bprm = bprm;
	c.extra = SKP_X_PROC;
	c.env = 1;
	run_steps(&c, STEP__COUNT);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sk_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct stepctx c = {};
	struct skp_spec *sp;
	__u32 nr;

	/* kernel threads fork outside any syscall */
	if (BPF_CORE_READ(cur, flags) & LNX_PF_KTHREAD)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	if (!regs)
		return 0;
	nr = (__u32)regs->orig_ax;
	if (!is_clone_nr(nr))
		return 0;
	sp = bpf_map_lookup_elem(&specs, &nr);
	if (!sp || !sp->enabled)
		return 0;
	if (filter_pids) {
		__u32 ptgid = BPF_CORE_READ(parent, tgid), ctgid = BPF_CORE_READ(child, tgid);
		__u8 one = 1;

		/* descendants of a filtered process are filtered in too */
		if (bpf_map_lookup_elem(&targets, &ptgid))
			bpf_map_update_elem(&targets, &ctgid, &one, BPF_ANY);
	}
	if (is_excluded_task(child, BPF_CORE_READ(child, tgid)))
		return 0;
	args_from_regs(regs, c.a);
	asm volatile("" ::: "memory");
	c.w = begin(child, SKP_REC_FORK, nr, 0, c.a);
	if (!c.w.b)
		return 0;
	/* the child's mm is a copy of the parent's, so its argv area reads the same */
	c.t = child;
	c.extra = SKP_X_PROC;
	c.clone_flags = clone_flags_of(nr, c.a);
	run_steps(&c, STEP__COUNT);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sk_exit, struct task_struct *p)
{
	struct skp_hdr *h;
	__u32 tgid = BPF_CORE_READ(p, tgid);

	if (is_excluded_task(p, tgid))
		return 0;
	/* fixed size: reserved and committed in place */
	h = bpf_ringbuf_reserve(&rb, sizeof(*h), 0);
	if (!h) {
		count(SKP_CNT_RING_FULL);
		return 0;
	}
	__builtin_memset(h, 0, sizeof(*h));
	h->ts = bpf_ktime_get_boot_ns();
	h->tid = BPF_CORE_READ(p, pid);
	h->pid = tgid;
	h->kind = SKP_REC_EXIT;
	h->len = sizeof(*h);
	h->cpu = bpf_get_smp_processor_id();
	h->ret = BPF_CORE_READ(p, exit_code);
	h->args[0] = BPF_CORE_READ(p, signal, group_exit_code);
	h->args[1] = (__u64)BPF_CORE_READ(p, real_parent, pid);
	bpf_ringbuf_submit(h, wake_flag());
	count(SKP_CNT_EVENTS);
	return 0;
}
