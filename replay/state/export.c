/* replay/state/export.c: the rebuilt host state written back as snapshot metadata (threads and fds), so a file cut mid-stream starts from it. */
#include "replay/state/state.h"

#include <string.h>

static void export_thread(const struct state_thread *t, struct sk_meta_proc *p)
{
	memset(p, 0, sizeof(*p));
	p->tid = t->tid;
	p->pid = t->pid;
	p->ptid = t->ptid;
	p->sid = t->sid;
	p->vpgid = t->vpgid;
	p->pgid = t->pgid;
	p->vtid = t->vtid;
	p->vpid = t->vpid;
	p->comm = t->comm;
	p->exe = state_str_c(t->exe);
	p->exepath = state_str_c(t->exepath);
	p->cwd = t->proc ? state_str_c(t->proc->cwd) : "";
	p->root = state_str_c(t->root);
	p->args = state_str_c(t->args);
	p->args_len = state_str_len(t->args);
	p->env = state_str_c(t->env);
	p->env_len = state_str_len(t->env);
	p->cgroups = state_str_c(t->cgroups);
	p->cgroups_len = state_str_len(t->cgroups);
	p->fdlimit = t->fdlimit;
	p->flags = t->clone_flags;
	p->uid = t->uid;
	p->gid = t->gid;
	p->loginuid = t->loginuid;
	p->tty = t->tty;
	p->cap_inheritable = t->cap_inh;
	p->cap_permitted = t->cap_prm;
	p->cap_effective = t->cap_eff;
	p->vmsize_kb = t->vmsize;
	p->vmrss_kb = t->vmrss;
	p->vmswap_kb = t->vmswap;
	p->pfmajor = t->pfmajor;
	p->pfminor = t->pfminor;
	p->clone_ts = t->clone_ts;
	p->pidns_init_start_ts = t->pidns_init_start_ts;
	p->exe_ino = t->exe_ino;
	p->exe_ino_ctime = t->exe_ino_ctime;
	p->exe_ino_mtime = t->exe_ino_mtime;
	p->exe_flags = t->exe_flags;
}

/* Snapshots hold sockets local -> remote; the state holds the client
 * first, so the server side of a connection is turned around (seeding
 * turns it back when some process listens on the local port). */
static void export_fd(int64_t pid, const struct state_fd *f, struct sk_meta_fd *m)
{
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->fd = f->num;
	m->ino = f->ino;
	m->type = f->type;
	m->l4proto = f->l4proto;
	m->open_flags = f->open_flags;
	m->dev = f->dev;
	m->name = f->name ? f->name : "";
	int swap = f->role == STATE_ROLE_SERVER && (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6);
	memcpy(m->sip, swap ? f->dip : f->sip, 16);
	memcpy(m->dip, swap ? f->sip : f->dip, 16);
	m->sport = swap ? f->dport : f->sport;
	m->dport = swap ? f->sport : f->dport;
	m->unix_source = f->unix_src;
	m->unix_dest = f->unix_dst;
}

int state_export_meta(struct state *st, struct sk_meta *m)
{
	uint32_t cursor = 0;
	struct state_thread *t;
	struct sk_meta_proc p;
	struct sk_meta_fd fd;
	while ((t = state_thread_next(st, &cursor)) != NULL) {
		if (t->tflags & (STATE_TH_PLACEHOLDER | STATE_TH_DEAD))
			continue;
		export_thread(t, &p);
		if (sk_meta_add_proc(m, &p))
			return -1;
		/* a process's fds once, with its main thread */
		if (!t->proc || t->pid != t->tid || !t->proc->fdt)
			continue;
		const struct state_fdtable *ft = t->proc->fdt;
		for (uint32_t i = 0; i < ft->cap; i++) {
			if (ft->fds[i].num < 0)
				continue;
			export_fd(t->pid, &ft->fds[i], &fd);
			if (sk_meta_add_fd(m, &fd))
				return -1;
		}
	}
	return 0;
}
