/* probe/bpf/proc.bpf.c: process lifecycle: exec, fork, exit tracepoints, clone and failed-exec exits, capset, prctl. */
#include "probe/bpf/task.bpf.h"

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

static __always_inline int is_clone_nr(__u32 nr)
{
	return nr == X86_NR_CLONE || nr == X86_NR_CLONE3 || nr == X86_NR_FORK || nr == X86_NR_VFORK;
}

/* clone, clone3, fork, vfork: the parent side (the child's comes from
 * sched_process_fork, built from the child task). */
SYSCALL_PROG(sk_x_clone)
{
	struct task_struct *t;
	struct builder w;
	struct call c = {};

	if (ret == 0)
		return 0;
	if (syscall_begin(&w, &c, &t, regs, ret))
		return 0;
	put_proc(&w, t, clone_flags_of(c.nr, c.a), 0);
	put_task_tail(&w, t, 0);
	finish(&w);
	return 0;
}

/* A failed exec: the argv it was given, the caller's process info and the
 * path argument. A successful one is recorded by sched_process_exec. */
static __always_inline void failed_exec(const struct pt_regs *regs, long ret, __u32 path_arg, __u32 argv_arg)
{
	struct task_struct *t;
	struct builder w;
	struct call c = {};

	if (syscall_begin(&w, &c, &t, regs, ret))
		return;
	put_user_str(&w, SKP_C_ARG0 + path_arg, c.a[path_arg & 7]);
	put_proc(&w, t, 0, 0);
	put_argv(&w, c.a[argv_arg & 7], c.compat);
	put_task_paths(&w, t);
	put_cgroup(&w, t);
	finish(&w);
}

SYSCALL_PROG(sk_x_execve)
{
	if (ret == 0)
		return 0;
	failed_exec(regs, ret, 0, 1);
	return 0;
}

SYSCALL_PROG(sk_x_execveat)
{
	struct task_mark *m;

	/* a successful execveat exits as execve: here it failed */
	m = bpf_task_storage_get(&task_marks, bpf_get_current_task_btf(), 0, 0);
	if (m)
		m->mark = 0;
	if (ret == 0)
		return 0;
	failed_exec(regs, ret, 1, 2);
	return 0;
}

/* execveat's entry, the only place that tells it from execve once the
 * exec succeeded. A syscalls:sys_enter_execveat trace event runs for
 * execveat only (the loader attaches it when tracefs can be found). */
SEC("tracepoint/syscalls/sys_enter_execveat")
int sk_enter_execveat(void *ctx)
{
	struct task_mark *m = bpf_task_storage_get(&task_marks, bpf_get_current_task_btf(), 0,
						   BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (m)
		m->mark = MARK_EXECVEAT;
	return 0;
}

/* capset: the credentials after the call (process info). */
SYSCALL_RECORD(sk_x_capset)
{
	put_proc(w, t, 0, 0);
}

#define LNX_PR_SET_NAME 15
#define LNX_PR_GET_NAME 16
#define LNX_PR_GET_CHILD_SUBREAPER 37

/* prctl: the name of PR_SET_NAME/PR_GET_NAME (arg 1 points to it), the
 * int PR_GET_CHILD_SUBREAPER wrote behind arg 1. */
SYSCALL_RECORD(sk_x_prctl)
{
	__u64 opt;

	opt = c->a[0];
	if (opt == LNX_PR_SET_NAME || opt == LNX_PR_GET_NAME)
		put_user_str(w, SKP_C_ARG0 + 1, c->a[1]);
	else if (opt == LNX_PR_GET_CHILD_SUBREAPER && ret == 0)
		put_user_buf(w, SKP_C_ARG0 + 1, c->a[1], 4);
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sk_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_mark *m;
	struct builder w;
	__u32 nr = X86_NR_EXECVE;

	/* execveat marked at its entry; without the mark, one relative to a
	 * descriptor still shows in bprm->fdpath ("/dev/fd/N[/path]") */
	m = bpf_task_storage_get(&task_marks, p, 0, 0);
	if (m && m->mark == MARK_EXECVEAT) {
		nr = X86_NR_EXECVEAT;
		m->mark = 0;
	} else if (bpf_core_field_exists(bprm->fdpath) && BPF_CORE_READ(bprm, fdpath)) {
		nr = X86_NR_EXECVEAT;
	}
	if (is_excluded_task(p, p->tgid))
		return 0;
	begin(&w, p, SKP_REC_EXEC, nr, 0, NULL);
	if (!w.b)
		return 0;
	put_proc(&w, p, 0, 0);
	put_task_tail(&w, p, 1);
	put_kernel_str(&w, SKP_C_FILENAME, BPF_CORE_READ(bprm, filename));
	finish(&w);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sk_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct builder w;
	struct call c = {};

	/* kernel threads fork outside any syscall */
	if (BPF_CORE_READ(cur, flags) & LNX_PF_KTHREAD)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	if (!regs)
		return 0;
	/* in the parent's context, in the middle of its call: its registers
	 * still hold the arguments */
	call_load(&c, regs, cur);
	if (!is_clone_nr(c.nr))
		return 0;
	if (filter_pids) {
		__u32 ptgid = parent->tgid, ctgid = child->tgid;
		__u8 one = 1;

		/* descendants of a filtered process are filtered in too */
		if (bpf_map_lookup_elem(&targets, &ptgid))
			bpf_map_update_elem(&targets, &ctgid, &one, BPF_ANY);
	}
	if (is_excluded_task(child, child->tgid))
		return 0;
	begin(&w, child, SKP_REC_FORK, c.nr, 0, c.a);
	if (!w.b)
		return 0;
	/* the child's mm is a copy of the parent's, so its argv area reads the same */
	put_proc(&w, child, clone_flags_of(c.nr, c.a), PROC_CHILD);
	put_task_tail(&w, child, 0);
	finish(&w);
	return 0;
}

/* ---- the reaper of an exiting task's children (libs' find_new_reaper) ---- */

#define REAPER_THREADS 30
#define REAPER_ANCESTORS 60

struct threadwalk {
	struct list_head *head;
	struct list_head *next;
	__s32 found;
};

static long thread_step(__u32 i, void *ctx)
{
	struct threadwalk *k = ctx;
	struct task_struct *t;

	if (k->next == k->head)
		return 1;
	t = (struct task_struct *)((void *)k->next - bpf_core_field_offset(struct task_struct, thread_node));
	if (!(BPF_CORE_READ(t, flags) & LNX_PF_EXITING)) {
		k->found = BPF_CORE_READ(t, pid);
		return 1;
	}
	k->next = BPF_CORE_READ(t, thread_node.next);
	return 0;
}

/* A live thread of t's group: its tid, 0 if none, -1 if there were too many to look at. */
static __noinline __s32 alive_thread(struct task_struct *t)
{
	struct threadwalk k = {};
	struct signal_struct *sig = BPF_CORE_READ(t, signal);
	long n;

	k.head = (struct list_head *)((void *)sig + bpf_core_field_offset(struct signal_struct, thread_head));
	k.next = BPF_CORE_READ(sig, thread_head.next);
	n = bpf_loop(REAPER_THREADS, thread_step, &k, 0);
	if (!k.found && n >= REAPER_THREADS && k.next != k.head)
		return -1;
	return k.found;
}

struct ancestorwalk {
	struct task_struct *t;
	struct task_struct *ns_reaper;
	__u32 level;
	__s32 found;
	__u8 done;
};

static long ancestor_step(__u32 i, void *ctx)
{
	struct ancestorwalk *k = ctx;
	struct task_struct *t = k->t;
	struct signal_struct *sig;
	__s32 r;

	/* a subreaper is looked for in our pid namespace only */
	if (!t || BPF_CORE_READ(t, thread_pid, level) != k->level || t == k->ns_reaper) {
		k->done = 1;
		return 1;
	}
	sig = BPF_CORE_READ(t, signal);
	if (BPF_CORE_READ_BITFIELD_PROBED(sig, is_child_subreaper)) {
		r = alive_thread(t);
		if (r) {
			k->found = r;
			k->done = 1;
			return 1;
		}
	}
	k->t = BPF_CORE_READ(t, real_parent);
	return 0;
}

/* The tid the kernel reparents the children of exiting task t to: another
 * thread of its group, the nearest subreaper ancestor, or its pid
 * namespace's init. 0 when t has no children (or is that init), -1 when
 * the walk had to stop early. */
static __noinline __s32 exit_reaper(struct task_struct *t)
{
	struct ancestorwalk k = {};
	struct list_head *kids = (struct list_head *)((void *)t + bpf_core_field_offset(struct task_struct, children));
	struct task_struct *ns_reaper;
	struct signal_struct *sig;
	struct pid *tp;
	__s32 r;

	if (BPF_CORE_READ(t, children.next) == kids)
		return 0;
	r = alive_thread(t);
	if (r)
		return r;
	tp = BPF_CORE_READ(t, thread_pid);
	ns_reaper = BPF_CORE_READ(pid_ns_of(tp), child_reaper);
	if (ns_reaper == t)
		return 0;
	sig = BPF_CORE_READ(t, signal);
	if (!BPF_CORE_READ_BITFIELD_PROBED(sig, has_child_subreaper))
		return BPF_CORE_READ(ns_reaper, pid);
	k.t = BPF_CORE_READ(t, real_parent);
	k.ns_reaper = ns_reaper;
	k.level = BPF_CORE_READ(tp, level);
	bpf_loop(REAPER_ANCESTORS, ancestor_step, &k, 0);
	if (k.found)
		return k.found;
	return k.done ? BPF_CORE_READ(ns_reaper, pid) : -1;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sk_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	__u64 a[SKP_NARGS] = {};

	if (is_excluded_task(p, tgid))
		return 0;
	a[0] = BPF_CORE_READ(p, signal, group_exit_code);
	a[1] = (__u64)BPF_CORE_READ(p, real_parent, pid);
	a[2] = (__u64)(__s64)exit_reaper(p);
	emit_header(p, SKP_REC_EXIT, 0, BPF_CORE_READ(p, exit_code), a);
	return 0;
}
