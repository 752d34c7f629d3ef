/* replay/state/update.c: the per-event state update entry point, deferred deletions and metadata seeding. */
#include "replay/state/update_int.h"
#include "replay/state/ppm.h"
#include "replay/state/state_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the update does for an event type, looked up once per event in
 * place of a chain of tests on its kind. */
enum state_plan {
	PLAN_KNOWN = 1u << 0,     /* the event table names it */
	PLAN_EXIT = 1u << 1,
	PLAN_CLONE = 1u << 2,     /* an exit of a clone kind: makes its own thread */
	PLAN_CONTAINER = 1u << 3,
	PLAN_PROCEXIT = 1u << 4,
	PLAN_NO_INVENT = 1u << 5, /* procexit, switch, internal: no placeholder thread */
	PLAN_IO = 1u << 6,        /* an I/O exit (state_update_io_event) */
	PLAN_FD_OWN = 1u << 7,    /* resolve_cur_fd's own rules: pipes, dups, fcntl */
};

static int is_clone_kind(uint16_t kind)
{
	return kind == SK_EK_CLONE || kind == SK_EK_FORK || kind == SK_EK_VFORK || kind == SK_EK_CLONE3;
}

static uint8_t plan_of(uint16_t type)
{
	const struct sk_event_info *info = sk_event_info(type);
	if (!info || !info->name)
		return 0;
	uint16_t kind = sk_event_kind(type);
	int is_exit = sk_event_is_exit(type);
	unsigned p = PLAN_KNOWN;
	if (is_exit)
		p |= PLAN_EXIT;
	if (is_exit && is_clone_kind(kind))
		p |= PLAN_CLONE;
	if (kind == SK_EK_CONTAINER)
		p |= PLAN_CONTAINER;
	if (kind == SK_EK_PROCEXIT)
		p |= PLAN_PROCEXIT;
	if (kind == SK_EK_PROCEXIT || kind == SK_EK_SWITCH || info->category == SK_CAT_INTERNAL)
		p |= PLAN_NO_INVENT;
	if (is_exit && state_update_is_io(kind))
		p |= PLAN_IO;
	if (kind == SK_EK_PIPE || kind == SK_EK_PIPE2 || kind == SK_EK_SOCKETPAIR || kind == SK_EK_DUP ||
	    kind == SK_EK_DUP2 || kind == SK_EK_DUP3 || kind == SK_EK_FCNTL)
		p |= PLAN_FD_OWN;
	return (uint8_t)p;
}

int state_updater_init(struct state_updater *u, struct state *st)
{
	memset(u, 0, sizeof(*u));
	u->st = st;
	for (uint16_t t = 0; t < SK_EV__COUNT; t++)
		u->plan[t] = plan_of(t);
	u->pi = malloc(sizeof(*u->pi));
	if (!u->pi)
		return -1;
	state_param_index_init(u->pi);
	u->pending_close_fd = -1;
	u->pending_exit_tid = -1;
	return 0;
}

void state_updater_fini(struct state_updater *u)
{
	for (size_t i = 0; i < u->ncontainers; i++)
		free(u->containers[i].json);
	free(u->containers);
	free(u->pi);
	state_thread_release(&u->container_thread);
	memset(u, 0, sizeof(*u));
}

struct state_str *state_str_from_param(const struct sk_param *p)
{
	if (!p || p->len == 0)
		return state_str_new("", 0);
	uint32_t n = p->len;
	if (p->val[n - 1] == '\0')
		n--;
	return state_str_new((const char *)p->val, n);
}

const char *state_update_dirfd_base(struct state_updater *u, struct state_thread *t, int64_t dirfd)
{
	if (dirfd == STATE_AT_FDCWD)
		return state_str_c(t->proc ? t->proc->cwd : NULL);
	struct state_fd *f = t->proc ? state_fdtable_get(t->proc->fdt, dirfd) : NULL;
	(void)u;
	if (!f || !f->name || !f->name[0])
		return "<UNKNOWN>";
	return f->name;
}

/* Children of an exited process move to its reaper (fields.md §9.3). */
static void reparent_children(struct state_updater *u, int64_t dead_tid, int64_t reaper)
{
	uint32_t cursor = 0;
	struct state_thread *t;
	while ((t = state_thread_next(u->st, &cursor)) != NULL)
		if (t->ptid == dead_tid && t->tid != dead_tid)
			t->ptid = reaper;
}

static int64_t find_reaper(struct state_updater *u, struct state_thread *dead)
{
	if (u->pending_exit_reaper > 0 && state_thread_get(u->st, u->pending_exit_reaper))
		return u->pending_exit_reaper;
	/* Another live thread of the same group takes over. */
	uint32_t cursor = 0;
	struct state_thread *t;
	while ((t = state_thread_next(u->st, &cursor)) != NULL)
		if (t != dead && t->pid == dead->pid && !(t->tflags & STATE_TH_DEAD))
			return t->tid;
	for (unsigned n = 1; n < 64; n++) {
		struct state_thread *a = state_ancestor(u->st, dead, n);
		if (!a)
			break;
		if ((a->tflags & STATE_TH_REAPER) || a->vpid == 1 || a->pid == 1)
			return a->tid;
	}
	return 0;
}

static void flush_exit(struct state_updater *u)
{
	int64_t tid = u->pending_exit_tid;
	u->pending_exit_tid = -1;
	struct state_thread *t = state_thread_get(u->st, tid);
	if (!t)
		return;
	int64_t reaper = find_reaper(u, t);
	reparent_children(u, tid, reaper);
	/* The main thread (and with it the process's fd table) is kept until
	 * the last thread of its group is gone. */
	int is_main = t->pid == t->tid;
	if (is_main && t->proc && t->proc->refs > 1) {
		t->tflags |= STATE_TH_DEAD;
		return;
	}
	int64_t pid = t->pid;
	state_thread_remove(u->st, tid);
	if (!is_main) {
		struct state_thread *m = state_thread_get(u->st, pid);
		if (m && (m->tflags & STATE_TH_DEAD) && m->proc && m->proc->refs == 1)
			state_thread_remove(u->st, pid);
	}
}

/* The deletions deferred by the last event, when there are some. */
static void flush_pending(struct state_updater *u)
{
	if (u->pending_close_fdt) {
		struct state_fdtable *fdt = u->pending_close_fdt;
		if (u->pending_close_fd >= 0) {
			state_fdtable_del(fdt, u->pending_close_fd);
		} else {
			for (int64_t fd = u->pending_close_first; fd <= u->pending_close_last && fd < (int64_t)fdt->cap; fd++)
				state_fdtable_del(fdt, fd);
		}
		u->pending_close_fdt = NULL;
		u->pending_close_fd = -1;
		/* The last reference frees the table, and the entry the current
		 * event points at with it (a close as its process exits). */
		uintptr_t cur = (uintptr_t)u->cur.fd, lo = (uintptr_t)fdt->fds;
		if (fdt->refs == 1 && cur >= lo && cur < lo + (uintptr_t)fdt->cap * sizeof(*fdt->fds))
			u->cur.fd = NULL;
		state_fdtable_unref(fdt); /* referenced for the deferral */
	}
	if (u->pending_exit_tid >= 0)
		flush_exit(u);
}

/* Inline into the per-event update: most events leave nothing pending. */
static inline void flush(struct state_updater *u)
{
	if (u->pending_close_fdt || u->pending_exit_tid >= 0)
		flush_pending(u);
	if (u->cur.fd)
		u->cur.fd->state &= ~STATE_FDF_NAME_CHANGED;
}

void state_update_flush(struct state_updater *u)
{
	flush(u);
}

/* The fd the event refers to (fields.md §5.1), looked up after the update. */
static void resolve_cur_fd(struct state_updater *u, const struct sk_event *ev, uint16_t kind, int64_t res,
			   unsigned plan)
{
	struct state_cur *c = &u->cur;
	int idx = u->pi->fd_idx[ev->type];
	if (idx < 0 || !c->thread)
		return;
	int64_t fd = -1;
	if (idx == 0)
		fd = res;
	else if (state_get_fd_param(u->pi, ev, &fd) < 0)
		return;
	if (plan & PLAN_FD_OWN) {
		/* pipe/socketpair return 0 and name their fds: refer to the second. */
		if (idx == 0 && (kind == SK_EK_PIPE || kind == SK_EK_PIPE2 || kind == SK_EK_SOCKETPAIR)) {
			int64_t fd2;
			fd = (res >= 0 && state_get_s64(u->pi, ev, PR_fd2, &fd2) == 0) ? fd2 : -1;
		}
		/* After a successful dup the event refers to the new fd. */
		if ((kind == SK_EK_DUP || kind == SK_EK_DUP2 || kind == SK_EK_DUP3) && res >= 0)
			fd = res;
		if (kind == SK_EK_FCNTL && res >= 0 && u->cur.cmd_fd_created)
			fd = res;
	}
	c->has_fd = 1;
	c->fd_num = fd;
	c->fd = c->thread->proc ? state_fdtable_get(c->thread->proc->fdt, fd) : NULL;
	if (c->fd && (c->fd->state & STATE_FDF_NAME_CHANGED))
		c->fd_name_changed = 1;
}

/* Enter events (seen with --legacy-enter-events) refer to the fd they
 * name, as in libs before enter events were dropped: sysdig 0.29 shows
 * fd.* on "> read" etc.; fd-creating enters have fd.num -1. */
static void resolve_enter_fd(struct state_updater *u, const struct sk_event *ev, const struct sk_event_info *info)
{
	struct state_cur *c = &u->cur;
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
		c->fd = c->thread->proc ? state_fdtable_get(c->thread->proc->fdt, fd) : NULL;
		return;
	}
}

/* The made-up thread of a container event (libs sinsp_container_info::get_tinfo). */
static struct state_thread *container_thread(struct state_updater *u, const char *id)
{
	struct state_thread *t = &u->container_thread;
	if (t->proc && !strcmp(t->container_id, id))
		return t;
	state_thread_release(t);
	state_thread_init(t, -1);
	t->pid = -1;
	t->vtid = -2;
	t->vpid = -2;
	t->uid = 0;
	t->gid = 0;
	snprintf(t->comm, sizeof(t->comm), "container:%s", id);
	snprintf(t->container_id, sizeof(t->container_id), "%s", id);
	t->exe = state_str_new(t->comm, strlen(t->comm));
	t->exepath = state_str_new("", 0);
	t->proc = state_proc_new();
	return t->proc ? t : NULL;
}

void state_update_apply(struct state_updater *u, const struct sk_event *ev)
{
	flush(u);
	u->cur = (struct state_cur){ .ev = ev, .fd_num = -1 };
	unsigned plan = ev->type < SK_EV__COUNT ? u->plan[ev->type] : 0;
	if (!plan)
		return;
	uint16_t kind = sk_event_kind(ev->type);
	int64_t res = (plan & PLAN_EXIT) ? state_get_res(u->pi, ev) : 0;

	if (plan & PLAN_CONTAINER) {
		char id[16];
		state_update_container_event(u, ev, id);
		if (ev->tid <= 0) {
			if (id[0])
				u->cur.thread = container_thread(u, id);
			return;
		}
	}
	/* Clone events create their thread themselves; procexit, switch and the
	 * events libs do not reset its parser for (procinfo, internal events)
	 * must not invent one for an unknown thread. */
	if (plan & PLAN_CLONE) {
		state_update_proc_event(u, ev, kind, res);
		u->cur.thread = state_thread_get(u->st, ev->tid);
		if (!u->cur.thread)
			u->cur.thread = state_thread_or_placeholder(u->st, ev->tid);
		return;
	}
	if ((plan & PLAN_NO_INVENT) || ev->tid < 0)
		u->cur.thread = state_thread_get(u->st, ev->tid);
	else
		u->cur.thread = state_thread_or_placeholder(u->st, ev->tid);
	if (!u->cur.thread)
		return;
	if (plan & PLAN_PROCEXIT) {
		int64_t reaper = 0;
		state_get_s64(u->pi, ev, PR_reaper_tid, &reaper);
		u->pending_exit_tid = ev->tid;
		u->pending_exit_reaper = reaper;
		return;
	}
	if (!(plan & PLAN_EXIT)) {
		/* enter events carry no state change in the exit-only model */
		resolve_enter_fd(u, ev, sk_event_info(ev->type));
		return;
	}
	if (plan & PLAN_IO)
		state_update_io_event(u, ev, kind, res);
	else if (!state_update_fd_event(u, ev, kind, res))
		state_update_proc_event(u, ev, kind, res);
	/* the flush clears a changed name's mark through cur.fd */
	if (!u->quiet || u->cur.name_marked)
		resolve_cur_fd(u, ev, kind, res, plan);
}

/* ---- seeding from capture metadata ---- */

static struct state_str *meta_str(const char *s)
{
	return state_str_new(s ? s : "", s ? strlen(s) : 0);
}

static struct state_str *meta_list(const char *s, uint32_t len)
{
	/* NUL-separated lists keep their separators; drop the final NUL. */
	if (s && len && s[len - 1] == '\0')
		len--;
	return state_str_new(s ? s : "", s ? len : 0);
}

static struct state_str *cwd_with_slash(const char *cwd)
{
	size_t n = cwd ? strlen(cwd) : 0;
	if (n && cwd[n - 1] == '/')
		return state_str_new(cwd, n);
	struct state_str *s = state_str_new(cwd ? cwd : "", n + 1);
	if (s) {
		s->data[n] = '/';
		s->data[n + 1] = '\0';
	}
	return s;
}

static void seed_thread(struct state_updater *u, const struct sk_meta_proc *p)
{
	struct state_thread *t = state_thread_add(u->st, p->tid);
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
	state_thread_update_container(t);
	if (p->pid == p->tid || p->pid <= 0) {
		t->proc = state_proc_new();
		if (t->proc) {
			state_str_unref(t->proc->cwd);
			t->proc->cwd = cwd_with_slash(p->cwd && p->cwd[0] ? p->cwd : "/");
		}
	}
}

/* Threads share their main thread's process data; resolved after all
 * threads of the snapshot exist, whatever their order. */
static void link_thread_groups(struct state_updater *u)
{
	uint32_t cursor = 0;
	struct state_thread *t;
	while ((t = state_thread_next(u->st, &cursor)) != NULL) {
		if (t->proc)
			continue;
		struct state_thread *m = state_thread_get(u->st, t->pid);
		if (m && m->proc)
			t->proc = state_proc_ref(m->proc);
		else
			t->proc = state_proc_new();
	}
}

/* Snapshot sockets hold local -> remote addresses; libs show the client
 * first, so the local end of a connection to a port some process listens
 * on is the server side. */
static void seed_fd_server_side(struct state_fd *f)
{
	uint8_t tmp[16];
	memcpy(tmp, f->sip, 16);
	memcpy(f->sip, f->dip, 16);
	memcpy(f->dip, tmp, 16);
	uint16_t p = f->sport;
	f->sport = f->dport;
	f->dport = p;
	f->role = STATE_ROLE_SERVER;
}

static void seed_fd(struct state_updater *u, const struct sk_meta_fd *mf, const uint8_t *listening)
{
	struct state_thread *t = state_thread_get(u->st, mf->pid);
	if (!t || !t->proc)
		return;
	struct state_fd *f = state_fdtable_put(t->proc->fdt, mf->fd);
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
		f->role = STATE_ROLE_SERVER;
	else if (mf->type == SK_FDT_IPV4 || mf->type == SK_FDT_IPV6)
		f->role = STATE_ROLE_CLIENT;
	if ((mf->type == SK_FDT_IPV4 || mf->type == SK_FDT_IPV6) && mf->l4proto == STATE_L4_TCP)
		f->state |= STATE_FDF_CONNECTED;
	if (mf->open_flags & PPM_O_CLOEXEC)
		f->state |= STATE_FDF_CLOEXEC;
	const char *name = mf->name ? mf->name : "";
	state_fd_set_name(f, name, strlen(name));
	if (f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY)
		state_fd_set_nameraw(f, name, strlen(name));
	if ((f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6) && (listening[mf->sport >> 3] >> (mf->sport & 7)) & 1)
		seed_fd_server_side(f);
	/* .scap fd lists carry socket addresses, not names (libs name them) */
	if (!name[0] && (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6 || f->type == SK_FDT_IPV4_SERVER ||
			 f->type == SK_FDT_IPV6_SERVER))
		state_update_fd_ip_name(f);
}

static void seed_container(struct state_updater *u, const char *id, const char *json)
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
		struct state_container *n = realloc(u->containers, ncap * sizeof(*n));
		if (!n)
			return;
		u->containers = n;
		u->containers_cap = ncap;
	}
	struct state_container *c = &u->containers[u->ncontainers];
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->json = strdup(json ? json : "");
	if (c->json)
		u->ncontainers++;
}

void state_updater_add_container(struct state_updater *u, const char *id, const char *json)
{
	seed_container(u, id, json);
}

void state_updater_seed(struct state_updater *u, const struct sk_meta *m)
{
	/* the last event's deferred close/exit and its current fd point into
	 * threads and fd tables that seeding may replace: finish them first */
	state_update_flush(u);
	memset(&u->cur, 0, sizeof(u->cur));
	u->cur.fd_num = -1;
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
		state_add_user(u->st, us->uid, us->gid, us->name, us->home, us->shell, us->container_id);
	}
	for (size_t i = 0; i < m->n_groups; i++)
		state_add_group(u->st, m->groups[i].gid, m->groups[i].name, m->groups[i].container_id);
	for (size_t i = 0; i < m->n_ifaces; i++) {
		const struct sk_meta_iface *mi = &m->ifaces[i];
		struct state_iface ifc;
		memset(&ifc, 0, sizeof(ifc));
		ifc.v6 = mi->family == PPM_AF_INET6;
		memcpy(ifc.addr, mi->addr, 16);
		memcpy(ifc.mask, mi->netmask, 16);
		snprintf(ifc.name, sizeof(ifc.name), "%s", mi->name ? mi->name : "");
		state_add_iface(u->st, &ifc);
	}
	for (size_t i = 0; i < m->n_containers; i++)
		seed_container(u, m->containers[i].id ? m->containers[i].id : "", m->containers[i].json);
}

const struct state_container *state_updater_container(const struct state_updater *u, const char *id)
{
	for (size_t i = 0; i < u->ncontainers; i++)
		if (strcmp(u->containers[i].id, id) == 0)
			return &u->containers[i];
	return NULL;
}
