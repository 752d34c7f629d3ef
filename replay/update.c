/* replay/update.c: the per-event state update entry point, deferred deletions and metadata seeding. */
#include "replay/update_int.h"
#include "replay/ppm.h"
#include "replay/state_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sk_updater_init(struct sk_updater *u, struct sk_state *st)
{
	memset(u, 0, sizeof(*u));
	u->st = st;
	u->pi = malloc(sizeof(*u->pi));
	if (!u->pi)
		return -1;
	sk_param_index_init(u->pi);
	u->pending_close_fd = -1;
	u->pending_exit_tid = -1;
	return 0;
}

void sk_updater_fini(struct sk_updater *u)
{
	for (size_t i = 0; i < u->ncontainers; i++)
		free(u->containers[i].json);
	free(u->containers);
	free(u->pi);
	memset(u, 0, sizeof(*u));
}

int64_t sk_update_res(const struct sk_event *ev)
{
	int64_t r = 0;
	if (ev->nparams > 0 && sk_param_s64(ev, 0, &r) == 0)
		return r;
	return 0;
}

struct sk_str *sk_str_from_param(const struct sk_param *p)
{
	if (!p || p->len == 0)
		return sk_str_new("", 0);
	uint32_t n = p->len;
	if (p->val[n - 1] == '\0')
		n--;
	return sk_str_new((const char *)p->val, n);
}

const char *sk_update_dirfd_base(struct sk_updater *u, struct sk_thread *t, int64_t dirfd)
{
	if (dirfd == SK_AT_FDCWD)
		return sk_str_c(t->proc ? t->proc->cwd : NULL);
	struct sk_fd *f = t->proc ? sk_fdtable_get(t->proc->fdt, dirfd) : NULL;
	(void)u;
	if (!f || !f->name || !f->name[0])
		return "<UNKNOWN>";
	return f->name;
}

/* Children of an exited process move to its reaper (fields.md §9.3). */
static void reparent_children(struct sk_updater *u, int64_t dead_tid, int64_t reaper)
{
	uint32_t cursor = 0;
	struct sk_thread *t;
	while ((t = sk_state_thread_next(u->st, &cursor)) != NULL)
		if (t->ptid == dead_tid && t->tid != dead_tid)
			t->ptid = reaper;
}

static int64_t find_reaper(struct sk_updater *u, struct sk_thread *dead)
{
	if (u->pending_exit_reaper > 0 && sk_state_thread(u->st, u->pending_exit_reaper))
		return u->pending_exit_reaper;
	/* Another live thread of the same group takes over. */
	uint32_t cursor = 0;
	struct sk_thread *t;
	while ((t = sk_state_thread_next(u->st, &cursor)) != NULL)
		if (t != dead && t->pid == dead->pid && !(t->tflags & SK_TH_DEAD))
			return t->tid;
	for (unsigned n = 1; n < 64; n++) {
		struct sk_thread *a = sk_state_ancestor(u->st, dead, n);
		if (!a)
			break;
		if ((a->tflags & SK_TH_REAPER) || a->vpid == 1 || a->pid == 1)
			return a->tid;
	}
	return 0;
}

static void flush_exit(struct sk_updater *u)
{
	int64_t tid = u->pending_exit_tid;
	u->pending_exit_tid = -1;
	struct sk_thread *t = sk_state_thread(u->st, tid);
	if (!t)
		return;
	int64_t reaper = find_reaper(u, t);
	reparent_children(u, tid, reaper);
	/* The main thread (and with it the process's fd table) is kept until
	 * the last thread of its group is gone. */
	int is_main = t->pid == t->tid;
	if (is_main && t->proc && t->proc->refs > 1) {
		t->tflags |= SK_TH_DEAD;
		return;
	}
	int64_t pid = t->pid;
	sk_state_thread_remove(u->st, tid);
	if (!is_main) {
		struct sk_thread *m = sk_state_thread(u->st, pid);
		if (m && (m->tflags & SK_TH_DEAD) && m->proc && m->proc->refs == 1)
			sk_state_thread_remove(u->st, pid);
	}
}

void sk_update_flush(struct sk_updater *u)
{
	if (u->pending_close_fdt) {
		struct sk_fdtable *fdt = u->pending_close_fdt;
		if (u->pending_close_fd >= 0) {
			sk_fdtable_del(fdt, u->pending_close_fd);
		} else {
			for (int64_t fd = u->pending_close_first; fd <= u->pending_close_last && fd < (int64_t)fdt->cap; fd++)
				sk_fdtable_del(fdt, fd);
		}
		u->pending_close_fdt = NULL;
		u->pending_close_fd = -1;
		sk_fdtable_unref(fdt); /* referenced for the deferral */
	}
	if (u->pending_exit_tid >= 0)
		flush_exit(u);
	if (u->cur.fd)
		u->cur.fd->state &= ~SK_FDF_NAME_CHANGED;
}

static int is_clone_kind(uint16_t kind)
{
	return kind == SK_EK_CLONE || kind == SK_EK_FORK || kind == SK_EK_VFORK || kind == SK_EK_CLONE3;
}

/* The fd the event refers to (fields.md §5.1), looked up after the update. */
static void resolve_cur_fd(struct sk_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res)
{
	struct sk_cur *c = &u->cur;
	int idx = u->pi->fd_idx[ev->type];
	if (idx < 0 || !c->thread)
		return;
	int64_t fd = -1;
	if (idx == 0) {
		fd = res;
		/* pipe/socketpair return 0 and name their fds: refer to the second. */
		if (kind == SK_EK_PIPE || kind == SK_EK_PIPE2 || kind == SK_EK_SOCKETPAIR) {
			int64_t fd2;
			fd = (res >= 0 && sk_get_s64(u->pi, ev, PR_fd2, &fd2) == 0) ? fd2 : -1;
		}
	} else if ((uint32_t)idx < ev->nparams) {
		if (sk_param_s64(ev, (uint32_t)idx, &fd) < 0)
			return;
	} else {
		return;
	}
	/* After a successful dup the event refers to the new fd. */
	if ((kind == SK_EK_DUP || kind == SK_EK_DUP2 || kind == SK_EK_DUP3) && res >= 0)
		fd = res;
	if (kind == SK_EK_FCNTL && res >= 0 && u->cur.cmd_fd_created)
		fd = res;
	c->has_fd = 1;
	c->fd_num = fd;
	c->fd = c->thread->proc ? sk_fdtable_get(c->thread->proc->fdt, fd) : NULL;
	if (c->fd && (c->fd->state & SK_FDF_NAME_CHANGED))
		c->fd_name_changed = 1;
}

/* Enter events (seen with --legacy-enter-events) refer to the fd they
 * name, as in libs before enter events were dropped: sysdig 0.29 shows
 * fd.* on "> read" etc.; fd-creating enters have fd.num -1. */
static void resolve_enter_fd(struct sk_updater *u, const struct sk_event *ev, const struct sk_event_info *info)
{
	struct sk_cur *c = &u->cur;
	if (!c->thread)
		return;
	if (!(info->flags & (SK_EF_USES_FD | SK_EF_DESTROYS_FD))) {
		if (info->flags & SK_EF_CREATES_FD)
			c->has_fd = 1;
		return;
	}
	for (uint32_t i = 0; i < info->nparams && i < ev->nparams; i++) {
		uint8_t t = info->params[i].type;
		int64_t fd;
		if ((t != SK_PT_FD && t != SK_PT_FD32) || sk_param_s64(ev, i, &fd) < 0)
			continue;
		c->has_fd = 1;
		c->fd_num = fd;
		c->fd = c->thread->proc ? sk_fdtable_get(c->thread->proc->fdt, fd) : NULL;
		return;
	}
}

void sk_update_apply(struct sk_updater *u, const struct sk_event *ev)
{
	sk_update_flush(u);
	memset(&u->cur, 0, sizeof(u->cur));
	u->cur.ev = ev;
	u->cur.fd_num = -1;
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info || !info->name)
		return;
	uint16_t kind = sk_event_kind(ev->type);
	int is_exit = sk_event_is_exit(ev->type);
	int64_t res = is_exit ? sk_update_res(ev) : 0;

	if (kind == SK_EK_CONTAINER) {
		sk_update_container_event(u, ev);
		if (ev->tid <= 0)
			return;
	}
	/* Clone events create their thread themselves; procexit and switch of
	 * an unknown thread must not invent one. */
	if (is_exit && is_clone_kind(kind)) {
		sk_update_proc_event(u, ev, kind, res);
		u->cur.thread = sk_state_thread(u->st, ev->tid);
		if (!u->cur.thread)
			u->cur.thread = sk_state_thread_or_placeholder(u->st, ev->tid);
		return;
	}
	if (kind == SK_EK_PROCEXIT || kind == SK_EK_SWITCH || ev->tid < 0)
		u->cur.thread = sk_state_thread(u->st, ev->tid);
	else
		u->cur.thread = sk_state_thread_or_placeholder(u->st, ev->tid);
	if (!u->cur.thread)
		return;
	if (kind == SK_EK_PROCEXIT) {
		int64_t reaper = 0;
		sk_get_s64(u->pi, ev, PR_reaper_tid, &reaper);
		u->pending_exit_tid = ev->tid;
		u->pending_exit_reaper = reaper;
		return;
	}
	if (!is_exit) {
		/* enter events carry no state change in the exit-only model */
		resolve_enter_fd(u, ev, info);
		return;
	}
	sk_update_proc_event(u, ev, kind, res);
	sk_update_fd_event(u, ev, kind, res);
	resolve_cur_fd(u, ev, kind, res);
}

/* ---- seeding from capture metadata ---- */

static struct sk_str *meta_str(const char *s)
{
	return sk_str_new(s ? s : "", s ? strlen(s) : 0);
}

static struct sk_str *meta_list(const char *s, uint32_t len)
{
	/* NUL-separated lists keep their separators; drop the final NUL. */
	if (s && len && s[len - 1] == '\0')
		len--;
	return sk_str_new(s ? s : "", s ? len : 0);
}

static struct sk_str *cwd_with_slash(const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	if (n && cwd[n - 1] == '/')
		return sk_str_new(cwd, n);
	struct sk_str *s = sk_str_new(cwd ? cwd : "", n + 1);
	if (s) {
		s->data[n] = '/';
		s->data[n + 1] = '\0';
	}
	return s;
}

static void seed_thread(struct sk_updater *u, const struct sk_meta_proc *p)
{
	struct sk_thread *t = sk_state_thread_add(u->st, p->tid);
	if (!t)
		return;
	t->pid = p->pid;
	t->ptid = p->ptid;
	t->sid = p->sid;
	t->vpgid = p->vpgid;
	t->pgid = p->pgid;
	t->vtid = p->vtid;
	t->vpid = p->vpid;
	t->uid = p->uid;
	t->gid = p->gid;
	t->loginuid = p->loginuid;
	t->clone_flags = p->flags;
	t->tty = p->tty;
	t->exe_flags = p->exe_flags;
	t->vmsize = p->vmsize_kb;
	t->vmrss = p->vmrss_kb;
	t->vmswap = p->vmswap_kb;
	t->pfmajor = p->pfmajor;
	t->pfminor = p->pfminor;
	t->cap_inh = p->cap_inheritable;
	t->cap_prm = p->cap_permitted;
	t->cap_eff = p->cap_effective;
	t->clone_ts = p->clone_ts;
	t->pidns_init_start_ts = p->pidns_init_start_ts;
	t->exe_ino = p->exe_ino;
	t->exe_ino_ctime = p->exe_ino_ctime;
	t->exe_ino_mtime = p->exe_ino_mtime;
	t->fdlimit = p->fdlimit;
	snprintf(t->comm, sizeof(t->comm), "%s", p->comm ? p->comm : "");
	t->exe = meta_str(p->exe);
	t->exepath = meta_str(p->exepath);
	t->args = meta_list(p->args, p->args_len);
	t->env = meta_list(p->env, p->env_len);
	t->cgroups = meta_list(p->cgroups, p->cgroups_len);
	t->root = meta_str(p->root && p->root[0] ? p->root : "/");
	sk_thread_update_container(t);
	if (p->pid == p->tid || p->pid <= 0) {
		t->proc = sk_proc_new();
		if (t->proc) {
			sk_str_unref(t->proc->cwd);
			t->proc->cwd = cwd_with_slash(p->cwd && p->cwd[0] ? p->cwd : "/");
		}
	}
}

/* Threads share their main thread's process data; resolved after all
 * threads of the snapshot exist, whatever their order. */
static void link_thread_groups(struct sk_updater *u)
{
	uint32_t cursor = 0;
	struct sk_thread *t;
	while ((t = sk_state_thread_next(u->st, &cursor)) != NULL) {
		if (t->proc)
			continue;
		struct sk_thread *m = sk_state_thread(u->st, t->pid);
		if (m && m->proc)
			t->proc = sk_proc_ref(m->proc);
		else
			t->proc = sk_proc_new();
	}
}

/* Snapshot sockets hold local -> remote addresses; libs show the client
 * first, so the local end of a connection to a port some process listens
 * on is the server side. */
static void seed_fd_server_side(struct sk_fd *f)
{
	uint8_t tmp[16];
	memcpy(tmp, f->sip, 16);
	memcpy(f->sip, f->dip, 16);
	memcpy(f->dip, tmp, 16);
	uint16_t p = f->sport;
	f->sport = f->dport;
	f->dport = p;
	f->role = SK_ROLE_SERVER;
}

static void seed_fd(struct sk_updater *u, const struct sk_meta_fd *mf, const uint8_t *listening)
{
	struct sk_thread *t = sk_state_thread(u->st, mf->pid);
	if (!t || !t->proc)
		return;
	struct sk_fd *f = sk_fdtable_put(t->proc->fdt, mf->fd);
	if (!f)
		return;
	f->type = mf->type;
	f->l4proto = mf->l4proto;
	f->open_flags = mf->open_flags;
	f->dev = mf->dev;
	f->ino = mf->ino;
	memcpy(f->sip, mf->sip, 16);
	memcpy(f->dip, mf->dip, 16);
	f->sport = mf->sport;
	f->dport = mf->dport;
	f->unix_src = mf->unix_source;
	f->unix_dst = mf->unix_dest;
	f->v6 = mf->type == SK_FDT_IPV6 || mf->type == SK_FDT_IPV6_SERVER;
	if (mf->type == SK_FDT_IPV4_SERVER || mf->type == SK_FDT_IPV6_SERVER)
		f->role = SK_ROLE_SERVER;
	else if (mf->type == SK_FDT_IPV4 || mf->type == SK_FDT_IPV6)
		f->role = SK_ROLE_CLIENT;
	if ((mf->type == SK_FDT_IPV4 || mf->type == SK_FDT_IPV6) && mf->l4proto == SK_L4_TCP)
		f->state |= SK_FDF_CONNECTED;
	if (mf->open_flags & PPM_O_CLOEXEC)
		f->state |= SK_FDF_CLOEXEC;
	const char *name = mf->name ? mf->name : "";
	sk_fd_set_name(f, name, strlen(name));
	if (f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY)
		sk_fd_set_nameraw(f, name, strlen(name));
	if ((f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6) && (listening[mf->sport >> 3] >> (mf->sport & 7)) & 1)
		seed_fd_server_side(f);
	/* .scap fd lists carry socket addresses, not names (libs name them) */
	if (!name[0] && (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6 || f->type == SK_FDT_IPV4_SERVER ||
			 f->type == SK_FDT_IPV6_SERVER))
		sk_update_fd_ip_name(f);
}

static void seed_container(struct sk_updater *u, const char *id, const char *json)
{
	for (size_t i = 0; i < u->ncontainers; i++) {
		if (strcmp(u->containers[i].id, id) == 0) {
			char *j = strdup(json ? json : "");
			if (j) {
				free(u->containers[i].json);
				u->containers[i].json = j;
			}
			return;
		}
	}
	if (u->ncontainers == u->containers_cap) {
		size_t ncap = u->containers_cap ? u->containers_cap * 2 : 8;
		struct sk_container *n = realloc(u->containers, ncap * sizeof(*n));
		if (!n)
			return;
		u->containers = n;
		u->containers_cap = ncap;
	}
	struct sk_container *c = &u->containers[u->ncontainers];
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->json = strdup(json ? json : "");
	if (c->json)
		u->ncontainers++;
}

void sk_updater_add_container(struct sk_updater *u, const char *id, const char *json)
{
	seed_container(u, id, json);
}

void sk_updater_seed(struct sk_updater *u, const struct sk_meta *m)
{
	if (m->have_host)
		u->boot_ts = m->host.boot_ts;
	for (size_t i = 0; i < m->n_procs; i++)
		seed_thread(u, &m->procs[i]);
	link_thread_groups(u);
	uint8_t listening[65536 / 8];
	memset(listening, 0, sizeof(listening));
	for (size_t i = 0; i < m->n_fds; i++)
		if (m->fds[i].type == SK_FDT_IPV4_SERVER || m->fds[i].type == SK_FDT_IPV6_SERVER)
			listening[m->fds[i].sport >> 3] |= (uint8_t)(1u << (m->fds[i].sport & 7));
	for (size_t i = 0; i < m->n_fds; i++)
		seed_fd(u, &m->fds[i], listening);
	for (size_t i = 0; i < m->n_users; i++) {
		const struct sk_meta_user *us = &m->users[i];
		sk_state_add_user(u->st, us->uid, us->gid, us->name, us->home, us->shell, us->container_id);
	}
	for (size_t i = 0; i < m->n_groups; i++)
		sk_state_add_group(u->st, m->groups[i].gid, m->groups[i].name, m->groups[i].container_id);
	for (size_t i = 0; i < m->n_ifaces; i++) {
		const struct sk_meta_iface *mi = &m->ifaces[i];
		struct sk_iface ifc;
		memset(&ifc, 0, sizeof(ifc));
		ifc.v6 = mi->family == PPM_AF_INET6;
		memcpy(ifc.addr, mi->addr, 16);
		memcpy(ifc.mask, mi->netmask, 16);
		snprintf(ifc.name, sizeof(ifc.name), "%s", mi->name ? mi->name : "");
		sk_state_add_iface(u->st, &ifc);
	}
	for (size_t i = 0; i < m->n_containers; i++)
		seed_container(u, m->containers[i].id ? m->containers[i].id : "", m->containers[i].json);
}

const struct sk_container *sk_updater_container(const struct sk_updater *u, const char *id)
{
	for (size_t i = 0; i < u->ncontainers; i++)
		if (strcmp(u->containers[i].id, id) == 0)
			return &u->containers[i];
	return NULL;
}
