/* replay/state/update_proc.c: thread table updates: clone family, execve, credentials, cwd, sessions. */
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/state/state_int.h"
#include "replay/state/update_int.h"

#include <stdio.h>
#include <string.h>

#define ALL_CAPS ((1ull << 41) - 1)
#define RLIMIT_NOFILE_VALUE 7

static void set_str(struct state_str **dst, struct state_str *v)
{
	if (!v)
		return;
	state_str_unref(*dst);
	*dst = v;
}

static void set_str_param(struct state_updater *u, const struct sk_event *ev, int role, struct state_str **dst)
{
	const struct sk_param *p = state_get_param(u->pi, ev, role);
	if (p)
		set_str(dst, state_str_from_param(p));
}

/* argv/env lists: an empty list is a zero-length parameter, which must
 * replace the inherited value (a program run without arguments). */
static void set_list_param(struct state_updater *u, const struct sk_event *ev, int role, struct state_str **dst)
{
	int i = u->pi->p[ev->type][role].idx;
	if (i >= 0 && (uint32_t)i < ev->nparams)
		set_str(dst, state_str_from_param(&ev->params[i]));
}

static void set_comm_param(struct state_updater *u, const struct sk_event *ev, struct state_thread *t)
{
	const char *c = state_get_str(u->pi, ev, PR_comm);
	if (c)
		snprintf(t->comm, sizeof(t->comm), "%s", c);
}

static void get_i64(struct state_updater *u, const struct sk_event *ev, int role, int64_t *dst)
{
	int64_t v;
	if (state_get_s64(u->pi, ev, role, &v) == 0)
		*dst = v;
}

static void get_u32(struct state_updater *u, const struct sk_event *ev, int role, uint32_t *dst)
{
	uint64_t v;
	if (state_get_u64(u->pi, ev, role, &v) == 0)
		*dst = (uint32_t)v;
}

static void get_u64(struct state_updater *u, const struct sk_event *ev, int role, uint64_t *dst)
{
	uint64_t v;
	if (state_get_u64(u->pi, ev, role, &v) == 0)
		*dst = v;
}

/* Fields every clone/execve exit carries about the task itself. */
static void take_task_params(struct state_updater *u, const struct sk_event *ev, struct state_thread *t)
{
	set_str_param(u, ev, PR_exe, &t->exe);
	set_list_param(u, ev, PR_args, &t->args);
	set_comm_param(u, ev, t);
	get_i64(u, ev, PR_fdlimit, &t->fdlimit);
	get_u32(u, ev, PR_vm_size, &t->vmsize);
	get_u32(u, ev, PR_vm_rss, &t->vmrss);
	get_u32(u, ev, PR_vm_swap, &t->vmswap);
	get_u64(u, ev, PR_pgft_maj, &t->pfmajor);
	get_u64(u, ev, PR_pgft_min, &t->pfminor);
	get_u32(u, ev, PR_uid, &t->uid);
	get_u32(u, ev, PR_gid, &t->gid);
	const struct sk_param *cg = state_get_param(u->pi, ev, PR_cgroups);
	/* The container id depends on the cgroups alone: most clones and execs
	 * keep the ones the thread has, and matching them again is costly. */
	uint32_t cgn = cg ? cg->len - (cg->val[cg->len - 1] == '\0') : 0;
	int same = cg && t->cgroups && t->cgroups->len == cgn && memcmp(t->cgroups->data, cg->val, cgn) == 0;
	if (cg && !same) {
		set_str(&t->cgroups, state_str_from_param(cg));
		state_thread_update_container(t);
	}
}

/* What a new process inherits from its creator (fields.md §9.3). */
static void inherit_process(struct state_thread *child, const struct state_thread *from)
{
	child->exepath = state_str_ref(from->exepath);
	child->exe = state_str_ref(from->exe);
	child->args = state_str_ref(from->args);
	child->env = state_str_ref(from->env);
	child->cgroups = state_str_ref(from->cgroups);
	child->root = state_str_ref(from->root);
	memcpy(child->comm, from->comm, sizeof(child->comm));
	memcpy(child->container_id, from->container_id, sizeof(child->container_id));
	child->exe_flags = from->exe_flags;
	child->sid = from->sid;
	child->vpgid = from->vpgid;
	child->pgid = from->pgid;
	child->tty = from->tty;
	child->loginuid = from->loginuid;
	child->cap_inh = from->cap_inh;
	child->cap_prm = from->cap_prm;
	child->cap_eff = from->cap_eff;
	child->exe_ino = from->exe_ino;
	child->exe_ino_ctime = from->exe_ino_ctime;
	child->exe_ino_mtime = from->exe_ino_mtime;
	child->uid = from->uid;
	child->gid = from->gid;
	child->fdlimit = from->fdlimit;
	child->pidns_init_start_ts = from->pidns_init_start_ts;
}

static struct state_proc *copy_proc(const struct state_proc *from)
{
	struct state_proc *p = state_proc_new();
	if (!p)
		return NULL;
	state_fdtable_unref(p->fdt);
	p->fdt = state_fdtable_clone(from ? from->fdt : NULL);
	if (from) {
		state_str_unref(p->cwd);
		p->cwd = state_str_ref(from->cwd);
	}
	return p;
}

static void make_child(struct state_updater *u, const struct sk_event *ev, struct state_thread *child,
		       struct state_thread *parent, uint32_t flags, int from_child)
{
	struct state_thread *leader = state_main_thread(u->st, parent);
	int is_thread = (flags & PPM_CL_CLONE_THREAD) != 0;
	inherit_process(child, is_thread ? leader : parent);
	child->clone_flags = flags;
	child->clone_ts = ev->ts;
	if (is_thread) {
		child->pid = parent->pid;
		child->ptid = parent->ptid;
		child->proc = state_proc_ref(leader->proc);
	} else {
		child->pid = child->tid;
		child->ptid = parent->tid;
		child->proc = copy_proc(parent->proc);
	}
	child->vtid = child->tid;
	child->vpid = child->pid;
	if (from_child) {
		/* The child's own event knows its ids, also inside a pid namespace. */
		get_i64(u, ev, PR_pid, &child->pid);
		get_i64(u, ev, PR_ptid, &child->ptid);
		get_i64(u, ev, PR_vtid, &child->vtid);
		get_i64(u, ev, PR_vpid, &child->vpid);
		uint64_t pidns;
		/* CLOCK_MONOTONIC ns of the namespace's init start (the drivers'
		 * encoding), made epoch as sinsp does with the boot time */
		if (state_get_u64(u->pi, ev, PR_pidns_init_start_ts, &pidns) == 0 && pidns)
			child->pidns_init_start_ts = pidns + u->boot_ts;
		child->tflags |= STATE_TH_FROM_CHILD;
	}
	take_task_params(u, ev, child);
}

static void clone_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	uint64_t f = 0;
	state_get_u64(u->pi, ev, PR_flags, &f);
	uint32_t flags = (uint32_t)f;
	if (kind == SK_EK_VFORK)
		flags |= PPM_CL_CLONE_VFORK;
	if (res > 0) {
		struct state_thread *caller = state_thread_or_placeholder(u->st, ev->tid);
		if (!caller)
			return;
		int in_ns = (flags & (PPM_CL_CHILD_IN_PIDNS | PPM_CL_CLONE_NEWPID | PPM_CL_CLONE_PARENT)) ||
			    (caller->vtid > 0 && caller->vtid != caller->tid);
		if (in_ns || (flags & PPM_CL_CLONE_VFORK))
			return; /* the child's own event will describe it */
		struct state_thread *existing = state_thread_get(u->st, res);
		if (existing && (existing->tflags & STATE_TH_FROM_CHILD))
			return;
		struct state_thread *child = state_thread_add(u->st, res);
		if (child)
			make_child(u, ev, child, caller, flags, 0);
		return;
	}
	if (res != 0)
		return;
	/* Child side. */
	struct state_thread *existing = state_thread_get(u->st, ev->tid);
	if (existing && !(existing->tflags & STATE_TH_PLACEHOLDER) && existing->clone_ts &&
	    ev->ts >= existing->clone_ts && ev->ts - existing->clone_ts < 2000000000ull)
		return;
	int64_t ptid = -1, pid = -1;
	get_i64(u, ev, PR_ptid, &ptid);
	get_i64(u, ev, PR_pid, &pid);
	struct state_thread *parent = NULL;
	if (flags & PPM_CL_CLONE_THREAD)
		parent = state_thread_get(u->st, pid);
	if (!parent)
		parent = state_thread_get(u->st, ptid);
	struct state_thread *child = state_thread_add(u->st, ev->tid);
	if (!child)
		return;
	if (parent) {
		make_child(u, ev, child, parent, flags, 1);
	} else {
		/* Parent unknown: build the entry from the event alone. */
		child->proc = state_proc_new();
		child->clone_flags = flags;
		child->clone_ts = ev->ts;
		child->exepath = state_str_new("", 0);
		get_i64(u, ev, PR_pid, &child->pid);
		get_i64(u, ev, PR_ptid, &child->ptid);
		get_i64(u, ev, PR_vtid, &child->vtid);
		get_i64(u, ev, PR_vpid, &child->vpid);
		child->tflags |= STATE_TH_FROM_CHILD;
		take_task_params(u, ev, child);
		const char *cwd = state_get_str(u->pi, ev, PR_cwd);
		if (cwd && child->proc) {
			char buf[4200];
			size_t n = state_path_resolve("/", cwd, buf, sizeof(buf) - 1);
			if (n < sizeof(buf) - 2 && buf[n - 1] != '/') {
				buf[n++] = '/';
				buf[n] = '\0';
			}
			set_str(&child->proc->cwd, state_str_new(buf, n));
		}
	}
}

static void drop_cloexec_fds(struct state_thread *t)
{
	struct state_fdtable *fdt = t->proc ? t->proc->fdt : NULL;
	if (!fdt)
		return;
	for (uint32_t i = 0; i < fdt->cap; i++)
		if (fdt->fds[i].num >= 0 && (fdt->fds[i].state & STATE_FDF_CLOEXEC))
			state_fdtable_del(fdt, fdt->fds[i].num);
}

/* exec replaces every other thread of the group. */
static void drop_other_threads(struct state_updater *u, struct state_thread *t)
{
	uint32_t cursor = 0;
	struct state_thread *o;
	while ((o = state_thread_next(u->st, &cursor)) != NULL)
		if (o != t && o->pid == t->pid && o->tid != t->tid)
			state_thread_remove(u->st, o->tid);
}

static void execve_exit(struct state_updater *u, const struct sk_event *ev, struct state_thread *t)
{
	int was_placeholder = t->tflags & STATE_TH_PLACEHOLDER;
	t->tflags &= ~STATE_TH_PLACEHOLDER;
	get_i64(u, ev, PR_pid, &t->pid);
	if (was_placeholder || t->ptid < 0)
		get_i64(u, ev, PR_ptid, &t->ptid);
	if (!t->proc || was_placeholder) {
		if (!t->proc)
			t->proc = state_proc_new();
	}
	take_task_params(u, ev, t);
	if (!state_get_str(u->pi, ev, PR_comm)) {
		/* Old layouts have no comm: the kernel derives it from the exe. */
		const char *e = state_str_c(t->exe);
		const char *b = strrchr(e, '/');
		snprintf(t->comm, 16, "%s", b ? b + 1 : e);
	}
	set_list_param(u, ev, PR_env, &t->env);
	get_u32(u, ev, PR_tty, &t->tty);
	get_i64(u, ev, PR_vpgid, &t->vpgid);
	get_i64(u, ev, PR_pgid, &t->pgid);
	get_u32(u, ev, PR_loginuid, &t->loginuid);
	get_u32(u, ev, PR_flags, &t->exe_flags);
	get_u64(u, ev, PR_cap_inheritable, &t->cap_inh);
	get_u64(u, ev, PR_cap_permitted, &t->cap_prm);
	get_u64(u, ev, PR_cap_effective, &t->cap_eff);
	get_u64(u, ev, PR_exe_ino, &t->exe_ino);
	get_u64(u, ev, PR_exe_ino_ctime, &t->exe_ino_ctime);
	get_u64(u, ev, PR_exe_ino_mtime, &t->exe_ino_mtime);
	const char *tp = state_get_str(u->pi, ev, PR_trusted_exepath);
	if (tp && tp[0]) {
		set_str(&t->exepath, state_str_new(tp, strlen(tp)));
	} else {
		const char *fn = state_get_str(u->pi, ev, PR_filename);
		if (!fn || !fn[0])
			fn = state_str_c(t->exe);
		size_t n = state_path_resolve(state_str_c(t->proc ? t->proc->cwd : NULL), fn, u->path, sizeof(u->path));
		if (n < sizeof(u->path))
			set_str(&t->exepath, state_str_new(u->path, n));
	}
	if (was_placeholder && t->proc) {
		const char *cwd = state_get_str(u->pi, ev, PR_cwd);
		if (cwd && cwd[0]) {
			size_t n = strlen(cwd);
			struct state_str *s = state_str_new(cwd, n + (cwd[n - 1] != '/'));
			if (s && cwd[n - 1] != '/') {
				s->data[n] = '/';
				s->data[n + 1] = '\0';
			}
			set_str(&t->proc->cwd, s);
		}
	}
	drop_cloexec_fds(t);
	drop_other_threads(u, t);
}

static void set_cwd(struct state_thread *t, const char *dir, size_t n)
{
	if (!t->proc)
		return;
	struct state_str *s = state_str_new(dir, n + 1);
	if (!s)
		return;
	if (n == 0 || dir[n - 1] != '/') {
		s->data[n] = '/';
		s->data[n + 1] = '\0';
	} else {
		s->len = (uint32_t)n;
	}
	state_str_unref(t->proc->cwd);
	t->proc->cwd = s;
}

static void creds_exit(struct state_updater *u, const struct sk_event *ev, uint16_t kind, struct state_thread *t)
{
	uint64_t v;
	switch (kind) {
	case SK_EK_SETUID:
		if (state_get_u64(u->pi, ev, PR_uid, &v) == 0)
			t->uid = (uint32_t)v;
		break;
	case SK_EK_SETRESUID:
	case SK_EK_SETREUID:
		if (state_get_u64(u->pi, ev, PR_euid, &v) == 0 && (uint32_t)v != UINT32_MAX)
			t->uid = (uint32_t)v;
		break;
	case SK_EK_SETGID:
		if (state_get_u64(u->pi, ev, PR_gid, &v) == 0)
			t->gid = (uint32_t)v;
		break;
	case SK_EK_SETRESGID:
	case SK_EK_SETREGID:
		if (state_get_u64(u->pi, ev, PR_egid, &v) == 0 && (uint32_t)v != UINT32_MAX)
			t->gid = (uint32_t)v;
		break;
	case SK_EK_CAPSET:
		get_u64(u, ev, PR_cap_inheritable, &t->cap_inh);
		get_u64(u, ev, PR_cap_permitted, &t->cap_prm);
		get_u64(u, ev, PR_cap_effective, &t->cap_eff);
		break;
	case SK_EK_UNSHARE:
	case SK_EK_SETNS: {
		uint64_t f = 0;
		if (state_get_u64(u->pi, ev, kind == SK_EK_UNSHARE ? PR_flags : PR_nstype, &f) == 0 &&
		    (f & PPM_CL_CLONE_NEWUSER))
			t->cap_inh = t->cap_prm = t->cap_eff = ALL_CAPS;
		break;
	}
	default:
		break;
	}
}

void state_update_proc_event(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	if (kind == SK_EK_CLONE || kind == SK_EK_FORK || kind == SK_EK_VFORK || kind == SK_EK_CLONE3) {
		clone_exit(u, ev, kind, res);
		return;
	}
	struct state_thread *t = u->cur.thread;
	if (!t)
		return;
	switch (kind) {
	case SK_EK_EXECVE:
	case SK_EK_EXECVEAT:
		if (res == 0)
			execve_exit(u, ev, t);
		break;
	case SK_EK_SETSID:
		if (res >= 0)
			t->sid = res;
		break;
	case SK_EK_CHDIR:
		if (res == 0) {
			const char *p = state_get_str(u->pi, ev, PR_path);
			if (p) {
				size_t n = state_path_resolve(state_str_c(t->proc ? t->proc->cwd : NULL), p, u->path, sizeof(u->path));
				if (n < sizeof(u->path) - 1)
					set_cwd(t, u->path, n);
			}
		}
		break;
	case SK_EK_FCHDIR:
		if (res == 0) {
			int64_t fd;
			if (state_get_s64(u->pi, ev, PR_fd, &fd) == 0) {
				struct state_fd *f = t->proc ? state_fdtable_get(t->proc->fdt, fd) : NULL;
				if (f && f->name && f->name[0])
					set_cwd(t, f->name, f->name_len);
			}
		}
		break;
	case SK_EK_GETCWD:
		if (res >= 0) {
			const char *p = state_get_str(u->pi, ev, PR_path);
			if (p && p[0] == '/')
				set_cwd(t, p, strlen(p));
		}
		break;
	case SK_EK_CHROOT:
		if (res == 0) {
			const char *p = state_get_str(u->pi, ev, PR_path);
			if (p) {
				size_t n = state_path_resolve(state_str_c(t->proc ? t->proc->cwd : NULL), p, u->path, sizeof(u->path));
				if (n < sizeof(u->path))
					set_str(&t->root, state_str_new(u->path, n));
			}
			state_thread_update_container(t);
		}
		break;
	case SK_EK_PRCTL: {
		int64_t opt = 0, arg = 0;
		if (res == 0 && state_get_s64(u->pi, ev, PR_option, &opt) == 0 && opt == STATE_PR_SET_CHILD_SUBREAPER &&
		    state_get_s64(u->pi, ev, PR_arg2_int, &arg) == 0) {
			struct state_thread *m = state_main_thread(u->st, t);
			if (arg)
				m->tflags |= STATE_TH_REAPER;
			else
				m->tflags &= ~STATE_TH_REAPER;
		}
		break;
	}
	case SK_EK_SETRLIMIT:
	case SK_EK_PRLIMIT: {
		int64_t resource = -1, cur;
		if (res == 0 && state_get_s64(u->pi, ev, PR_resource,
					      &resource) == 0 && resource == RLIMIT_NOFILE_VALUE &&
		    state_get_s64(u->pi, ev, kind == SK_EK_PRLIMIT ? PR_newcur : PR_cur, &cur) == 0 && cur >= 0)
			state_main_thread(u->st, t)->fdlimit = cur;
		break;
	}
	default:
		if (res == 0)
			creds_exit(u, ev, kind, t);
		break;
	}
}
