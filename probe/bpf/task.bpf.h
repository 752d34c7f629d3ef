/* probe/bpf/task.bpf.h: chunk writers about a task: process info, argv/env areas, dentry paths, cgroups, the reaper. */
#ifndef SAKER_PROBE_BPF_TASK_H
#define SAKER_PROBE_BPF_TASK_H

#include "probe/bpf/fill.bpf.h"
#include "probe/bpf/core_compat.bpf.h"

static __always_inline __u32 pid_vnr(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * sizeof(struct upid));
	return up.nr;
}

/* The pid namespace a pid lives in (its deepest level). */
static __always_inline struct pid_namespace *pid_ns_of(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up), (void *)p + bpf_core_field_offset(struct pid, numbers) +
			      (level & 31) * sizeof(struct upid));
	return up.ns;
}

#define PROC_CHILD 1u /* the record is a fork child's: pidns_init_start is wanted */

/* struct skp_proc of task t. */
SKB_SUBPROG void put_proc(struct builder *w, struct task_struct *t, __u64 clone_flags, __u32 how)
{
	struct skp_chunk *c = chunk_start(w, sizeof(struct skp_proc));
	struct skp_proc *p;
	const struct cred *cred;
	struct mm_struct *mm;
	struct inode *ino;
	struct tty_struct *tty;
	struct pid *tp;
	__s64 cnt;

	if (!c)
		return;
	p = chunk_data(w);
	__builtin_memset(p, 0, sizeof(*p));
	p->tid = t->pid;
	p->pid = t->tgid;
	p->ptid = BPF_CORE_READ(t, real_parent, tgid);
	tp = BPF_CORE_READ(t, thread_pid);
	p->vtid = pid_vnr(tp);
	p->pidns_level = BPF_CORE_READ(tp, level);
	if (how & PROC_CHILD) {
		/* as libs: CLOCK_MONOTONIC start of the namespace's init task */
		struct pid_namespace *ns = pid_ns_of(tp);

		p->pidns_init_start = BPF_CORE_READ(ns, child_reaper, start_time);
	}
	p->vpid = pid_vnr(BPF_CORE_READ(t, group_leader, thread_pid));
	p->pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID], numbers[0].nr);
	p->vpgid = pid_vnr(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]));
	p->sid = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID], numbers[0].nr);
	p->uid = BPF_CORE_READ(t, cred, euid.val);
	p->gid = BPF_CORE_READ(t, cred, egid.val);
	p->loginuid = BPF_CORE_READ(t, loginuid.val);
	cred = BPF_CORE_READ(t, cred);
	p->cap_inh = SKC_CRED_CAP(cred, cap_inheritable);
	p->cap_prm = SKC_CRED_CAP(cred, cap_permitted);
	p->cap_eff = SKC_CRED_CAP(cred, cap_effective);
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
		cnt = SKC_MM_RSS(mm, 0) + SKC_MM_RSS(mm, 1) + SKC_MM_RSS(mm, 3);
		p->vm_rss = cnt > 0 ? (__u32)(cnt << 2) : 0;
		cnt = SKC_MM_RSS(mm, 2);
		p->vm_swap = cnt > 0 ? (__u32)(cnt << 2) : 0;
		ino = BPF_CORE_READ(mm, exe_file, f_inode);
		if (ino) {
			char nm[8] = {};
			__u16 mode = BPF_CORE_READ(ino, i_mode);
			__u32 iuid = BPF_CORE_READ(ino, i_uid.val), igid = BPF_CORE_READ(ino, i_gid.val);

			p->exe_ino = BPF_CORE_READ(ino, i_ino);
			p->exe_ctime = skc_inode_ctime_ns(ino);
			p->exe_mtime = skc_inode_mtime_ns(ino);
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

/* The raw argv or env area of an mm (NUL-separated), up to argmax bytes. */
SKB_SUBPROG void put_mm_area(struct builder *w, __u8 id, __u64 start, __u64 end)
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

/* Argv (and env) of task t, read from its mm. */
static __always_inline void put_args(struct builder *w, struct task_struct *t, int env)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);

	if (!mm)
		return;
	put_mm_area(w, SKP_C_ARGS, BPF_CORE_READ(mm, arg_start), BPF_CORE_READ(mm, arg_end));
	if (env)
		put_mm_area(w, SKP_C_ENV, BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end));
}

/* argv of a failed exec, read through the user pointer array (32-bit
 * pointers for an ia32 caller). */
struct argvwalk {
	__u8 *b;
	__u32 base;
	__u32 len;
	__u32 compat;
	__u64 argv;
};

static long argv_step(__u32 i, void *ctx)
{
	struct argvwalk *k = ctx;
	__u64 arg = 0;
	__u32 room;
	long n;

	if (k->len >= argmax || k->len >= STR_MAX)
		return 1;
	if (k->compat) {
		__u32 a32 = 0;

		if (bpf_probe_read_user(&a32, 4, (void *)(k->argv + (__u64)i * 4)) < 0)
			return 1;
		arg = a32;
	} else if (bpf_probe_read_user(&arg, 8, (void *)(k->argv + (__u64)i * 8)) < 0) {
		return 1;
	}
	if (!arg)
		return 1;
	room = argmax - k->len;
	asm volatile("" : "+r"(room));
	room &= STR_MAX * 2 - 1;
	if (!room)
		return 1;
	n = bpf_probe_read_user_str(&k->b[bounded(k->base + k->len)], room, (const void *)arg);
	if (n <= 0)
		return 1;
	k->len += n;
	return 0;
}

SKB_SUBPROG void put_argv(struct builder *w, __u64 argv, __u32 compat)
{
	struct skp_chunk *c = chunk_start(w, STR_MAX);
	struct argvwalk k = {};

	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.argv = argv;
	k.compat = compat;
	if (argv)
		bpf_loop(64, argv_step, &k, 0);
	chunk_end(w, c, SKP_C_ARGS, 0, k.len);
}

/* Dentry walk: names leaf first, NUL-separated; user space reverses them.
 * Mount points are crossed through struct mount. */
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

SKB_SUBPROG void put_path(struct builder *w, __u8 id, struct dentry *d, struct vfsmount *vm)
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

/* exe path and cwd of task t. */
static __always_inline void put_task_paths(struct builder *w, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	struct file *exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;

	if (exe)
		put_path(w, SKP_C_EXEPATH, BPF_CORE_READ(exe, f_path.dentry), BPF_CORE_READ(exe, f_path.mnt));
	put_path(w, SKP_C_CWD, BPF_CORE_READ(t, fs, pwd.dentry), BPF_CORE_READ(t, fs, pwd.mnt));
}

static long cgroup_step(__u32 i, void *ctx)
{
	struct walk *k = ctx;
	struct kernfs_node *kn = k->kn;
	struct kernfs_node *parent = skc_kernfs_parent(kn);
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

	if (i >= SKC_CGROUP_SUBSYS_COUNT || k->len > SKP_CGROUP_MAX - 512)
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

SKB_SUBPROG void put_cgroup(struct builder *w, struct task_struct *t)
{
	struct skp_chunk *c = chunk_start(w, SKP_CGROUP_MAX);
	struct walk k = {};

	if (!c)
		return;
	k.b = w->b;
	k.base = w->off + sizeof(*c);
	k.task = t;
	bpf_loop(SKC_CGROUP_SUBSYS_COUNT, subsys_step, &k, 0);
	chunk_end(w, c, SKP_C_CGROUP, 0, k.len);
}

/* Everything a process record (exec, clone, fork) carries about task t
 * after its process info: argv (env), exe path, cwd, cgroups. */
static __always_inline void put_task_tail(struct builder *w, struct task_struct *t, int env)
{
	put_args(w, t, env);
	put_task_paths(w, t);
	put_cgroup(w, t);
}

#endif
