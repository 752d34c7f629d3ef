/* replay/summary/summary.c: collecting a summary: one row per process, file, connection, syscall, user, container or exec, counted per event. */
#include "replay/summary/summary.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "formats/syscalls.h"
#include "replay/state/state.h"

#include <stdlib.h>
#include <string.h>

/* Rows beyond this many are folded into one "(other)" row: a capture with
 * millions of distinct files or connections cannot exhaust memory. */
#define MAX_ROWS (1u << 20)

static const char *const by_names[SUMMARY_BY__COUNT] = {
	"procs", "files", "connections", "syscalls", "users", "containers", "execs" };
static const char *const sort_names[SUMMARY_SORT__COUNT] = {
	"default", "events", "bytes", "read", "write", "errors", "time", "duration", "name", "first" };

int summary_by_parse(const char *s)
{
	for (int i = 0; i < SUMMARY_BY__COUNT; i++)
		if (!strcmp(s, by_names[i]))
			return i;
	/* the singular reads as naturally */
	if (!strcmp(s, "proc") || !strcmp(s, "process") || !strcmp(s, "processes"))
		return SUMMARY_PROCS;
	if (!strcmp(s, "file"))
		return SUMMARY_FILES;
	if (!strcmp(s, "connection") || !strcmp(s, "conns"))
		return SUMMARY_CONNECTIONS;
	if (!strcmp(s, "syscall"))
		return SUMMARY_SYSCALLS;
	if (!strcmp(s, "user"))
		return SUMMARY_USERS;
	if (!strcmp(s, "container"))
		return SUMMARY_CONTAINERS;
	if (!strcmp(s, "exec"))
		return SUMMARY_EXECS;
	return -1;
}

const char *summary_by_name(int by)
{
	return by >= 0 && by < SUMMARY_BY__COUNT ? by_names[by] : "?";
}

int summary_sort_parse(const char *s)
{
	for (int i = 1; i < SUMMARY_SORT__COUNT; i++)
		if (!strcmp(s, sort_names[i]))
			return i;
	return -1;
}

const char *summary_sort_name(int sort)
{
	return sort >= 0 && sort < SUMMARY_SORT__COUNT ? sort_names[sort] : "?";
}

/* Open addressing: 64-bit key hash -> row index (hash 0 = empty slot). */
struct sindex {
	uint64_t *h;
	uint32_t *row;
	size_t cap, n;
};

/* The enter event a thread is inside (captures with enter events). */
struct inflight {
	int64_t tid;
	uint64_t ts;
	uint16_t kind;
	uint8_t used;
};

struct summary {
	struct summary_opts o;
	struct summary_row *rows;
	size_t nrows, caprows;
	int64_t other;                 /* the "(other)" row, -1 until needed */
	uint64_t folded;
	struct sindex idx;             /* key -> row */
	struct sindex pids;            /* execs: pid -> its current exec row */
	int32_t kind_row[SK_EK__COUNT];
	int32_t generic_row[SK_SYSCALL__COUNT + 1]; /* generic events by syscall id (last: unknown) */
	struct inflight *fl;
	size_t flcap, fln;
	int has_enter;
	/* files, connections: the last fd's row (reads and writes come in runs) */
	const struct state_fd *last_fd;
	int64_t last_fd_row;
	/* procs: the last thread's row (events come in runs per thread) */
	const struct state_thread *last_t;
	int64_t last_pid;
	uint64_t last_start;
	uint32_t last_row;
	struct rule_format *f_cmdline, *f_pname, *f_exepath, *f_cname, *f_cimage, *f_l4, *f_fdname;
	const struct summary_row **sorted;
	struct engine_observer obs;
	char buf[4096];
};

static void observe_event(void *ctx, struct engine *e)
{
	summary_event(ctx, e);
}

static void observe_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	(void)ctx, (void)e, (void)rule_index, (void)text, (void)len;
}

const struct engine_observer *summary_observer(struct summary *s)
{
	s->obs.ctx = s;
	s->obs.event = observe_event;
	s->obs.alert = observe_alert;
	return &s->obs;
}

struct summary *summary_new(const struct summary_opts *o)
{
	struct summary *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->o = *o;
	s->other = -1;
	s->last_fd_row = -1;
	for (size_t i = 0; i < SK_EK__COUNT; i++)
		s->kind_row[i] = -1;
	for (size_t i = 0; i <= SK_SYSCALL__COUNT; i++)
		s->generic_row[i] = -1;
	const struct rule_field_registry *reg = field_registry();
	char err[256];
	s->f_cmdline = rule_format_compile(reg, "%proc.cmdline", err, sizeof(err));
	s->f_pname = rule_format_compile(reg, "%proc.pname", err, sizeof(err));
	s->f_exepath = rule_format_compile(reg, "%proc.exepath", err, sizeof(err));
	s->f_cname = rule_format_compile(reg, "%container.name", err, sizeof(err));
	s->f_cimage = rule_format_compile(reg, "%container.image", err, sizeof(err));
	s->f_l4 = rule_format_compile(reg, "%fd.l4proto", err, sizeof(err));
	s->f_fdname = rule_format_compile(reg, "%fd.name", err, sizeof(err));
	if (!s->f_cmdline || !s->f_pname || !s->f_exepath || !s->f_cname || !s->f_cimage || !s->f_l4 ||
	    !s->f_fdname) {
		summary_free(s);
		return NULL;
	}
	return s;
}

void summary_free(struct summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrows; i++) {
		free(s->rows[i].name);
		free(s->rows[i].detail);
		free(s->rows[i].detail2);
	}
	free(s->rows);
	free(s->idx.h);
	free(s->idx.row);
	free(s->pids.h);
	free(s->pids.row);
	free(s->fl);
	free(s->sorted);
	rule_format_free(s->f_cmdline);
	rule_format_free(s->f_pname);
	rule_format_free(s->f_exepath);
	rule_format_free(s->f_cname);
	rule_format_free(s->f_cimage);
	rule_format_free(s->f_l4);
	rule_format_free(s->f_fdname);
	free(s);
}

int summary_by(const struct summary *s)
{
	return s->o.by;
}

int summary_has_time(const struct summary *s)
{
	return s->has_enter;
}

uint64_t summary_folded(const struct summary *s)
{
	return s->folded;
}

/* ---- keys and the index ---- */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	x ^= x >> 33;
	return x | 1;   /* never 0: 0 marks an empty slot */
}

static uint64_t hash_str(const char *p, size_t n, uint64_t seed)
{
	/* 8 bytes a step: paths and tuples are hashed on every I/O event */
	uint64_t h = 0x9e3779b97f4a7c15ull ^ seed ^ n;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	uint64_t t = 0;
	memcpy(&t, p + i, n - i);
	return mix(h ^ t);
}

static int sindex_grow(struct sindex *x)
{
	size_t nc = x->cap ? x->cap * 2 : 1024;
	uint64_t *h = calloc(nc, sizeof(*h));
	uint32_t *r = malloc(nc * sizeof(*r));
	if (!h || !r) {
		free(h);
		free(r);
		return -1;
	}
	for (size_t i = 0; i < x->cap; i++) {
		if (!x->h[i])
			continue;
		size_t k = x->h[i] & (nc - 1);
		while (h[k])
			k = (k + 1) & (nc - 1);
		h[k] = x->h[i];
		r[k] = x->row[i];
	}
	free(x->h);
	free(x->row);
	x->h = h;
	x->row = r;
	x->cap = nc;
	return 0;
}

/* What identifies a row, compared against a candidate. */
struct key {
	uint64_t hash;
	const char *str;      /* files, connections, containers */
	size_t len;
	int64_t pid;          /* procs, execs (pids index) */
	uint64_t start;       /* procs */
	uint32_t uid;         /* users (with str = container) */
};

static int key_matches(const struct summary *s, const struct summary_row *r, const struct key *k)
{
	switch (s->o.by) {
	case SUMMARY_PROCS:
		return r->pid == k->pid && r->start_ts == k->start;
	case SUMMARY_USERS:
		return r->uid == k->uid && !strncmp(r->container, k->str, sizeof(r->container));
	case SUMMARY_CONTAINERS:
		return !strncmp(r->container, k->str, sizeof(r->container));
	default:
		return r->name_len == k->len && !memcmp(r->name, k->str, k->len);
	}
}

/* Row index for k, or -1 (*slot: where to insert it). */
static int64_t sindex_find(const struct summary *s, const struct sindex *x, const struct key *k, size_t *slot)
{
	if (!x->cap)
		return -1;
	size_t i = k->hash & (x->cap - 1);
	for (; x->h[i]; i = (i + 1) & (x->cap - 1))
		if (x->h[i] == k->hash && (x == &s->pids ? s->rows[x->row[i]].pid == k->pid
							 : key_matches(s, &s->rows[x->row[i]], k)))
			return x->row[i];
	*slot = i;
	return -1;
}

/* Adds a key known to be absent. */
static int sindex_insert(struct sindex *x, uint64_t hash, uint32_t row)
{
	if ((x->n + 1) * 2 > x->cap && sindex_grow(x) < 0)
		return -1;
	size_t i = hash & (x->cap - 1);
	while (x->h[i])
		i = (i + 1) & (x->cap - 1);
	x->h[i] = hash;
	x->row[i] = row;
	x->n++;
	return 0;
}

/* A fresh row (or the "(other)" row once the bound is reached): its index, -1 when out of memory. */
static int64_t row_new(struct summary *s, const char *name, size_t len, int *folded)
{
	*folded = 0;
	if (s->nrows >= MAX_ROWS - 1) {
		*folded = 1;
		s->folded++;
		if (s->other >= 0)
			return s->other;
		name = "(other)";
		len = strlen(name);
	}
	if (s->nrows == s->caprows) {
		size_t nc = s->caprows ? s->caprows * 2 : 256;
		struct summary_row *nr = realloc(s->rows, nc * sizeof(*nr));
		if (!nr)
			return -1;
		s->rows = nr;
		s->caprows = nc;
		s->last_t = NULL;    /* cached pointers into rows are gone */
	}
	struct summary_row *r = &s->rows[s->nrows];
	memset(r, 0, sizeof(*r));
	r->name = strndup(name ? name : "", len);
	if (!r->name)
		return -1;
	r->name_len = strlen(r->name);
	r->pid = -1;
	if (*folded)
		s->other = (int64_t)s->nrows;
	return (int64_t)s->nrows++;
}

static int64_t row_for_key(struct summary *s, const struct key *k, const char *name, size_t len, int *created)
{
	size_t slot = 0;
	*created = 0;
	int64_t r = sindex_find(s, &s->idx, k, &slot);
	if (r >= 0)
		return r;
	int folded;
	r = row_new(s, name, len, &folded);
	if (r < 0 || folded)
		return r;
	if (sindex_insert(&s->idx, k->hash, (uint32_t)r) < 0)
		return -1;
	*created = 1;
	return r;
}

static const char *render(struct summary *s, struct engine *e, const struct rule_format *f)
{
	size_t n = rule_format_render(f, extract_field, &e->fc, s->buf, sizeof(s->buf) - 1);
	s->buf[n] = '\0';
	return s->buf;
}

static void set_name(struct summary_row *r, const char *v)
{
	char *c = strdup(v);
	if (c) {
		free(r->name);
		r->name = c;
		r->name_len = strlen(c);
	}
}

static void set_str(char **dst, const char *v)
{
	char *c = strdup(v);
	if (c) {
		free(*dst);
		*dst = c;
	}
}

static void fill_user(struct engine *e, const struct state_thread *t, struct summary_row *r)
{
	const struct state_user *u = state_user_get(e->st, t->uid, t->container_id);
	r->uid = t->uid;
	if (u && u->name)
		snprintf(r->user, sizeof(r->user), "%.31s", u->name);
	else
		snprintf(r->user, sizeof(r->user), "%u", t->uid);
	snprintf(r->container, sizeof(r->container), "%.15s", t->container_id);
}

static int is_exec_kind(uint16_t kind)
{
	return kind == SK_EK_EXECVE || kind == SK_EK_EXECVEAT;
}

static int is_open_kind(uint16_t kind)
{
	return kind == SK_EK_OPEN || kind == SK_EK_OPENAT || kind == SK_EK_OPENAT2 || kind == SK_EK_CREAT ||
	       kind == SK_EK_OPEN_BY_HANDLE_AT;
}

static int64_t pid_of(struct engine *e, const struct state_thread *t, const struct state_thread **main)
{
	const struct state_thread *m = state_main_thread(e->st, (struct state_thread *)t);
	*main = m;
	return m->pid > 0 ? m->pid : m->tid;
}

/* ---- the row an event counts for, per kind of summary ---- */

static int64_t proc_row(struct summary *s, struct engine *e, uint16_t kind, int64_t res, int has_res)
{
	const struct state_thread *t = e->u.cur.thread, *m;
	if (!t)
		return -1;
	int exec_ok = is_exec_kind(kind) && has_res && res == 0;
	if (t == s->last_t && t->pid == s->last_pid && t->clone_ts == s->last_start && !exec_ok)
		return s->last_row;
	int64_t pid = pid_of(e, t, &m);
	struct key k = { .hash = mix((uint64_t)pid * 0x9e3779b97f4a7c15ull ^ m->clone_ts), .pid = pid,
			 .start = m->clone_ts };
	int created;
	int64_t r = row_for_key(s, &k, m->comm, strlen(m->comm), &created);
	if (r < 0)
		return -1;
	struct summary_row *row = &s->rows[r];
	if (created) {
		row->pid = pid;
		row->start_ts = m->clone_ts;
		fill_user(e, t, row);
	}
	if (created || exec_ok) {
		/* a process is named after its latest program */
		if (exec_ok)
			set_name(row, t->comm);
		set_str(&row->detail, render(s, e, s->f_cmdline));
	}
	if (r != s->other) {
		s->last_t = t;
		s->last_pid = t->pid;
		s->last_start = t->clone_ts;
		s->last_row = (uint32_t)r;
	}
	return r;
}

static int64_t fd_row(struct summary *s, struct engine *e, uint16_t kind, int want_files)
{
	const struct state_fd *f = e->u.cur.fd;
	const char *name;
	size_t len;
	if (f) {
		int file = f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY;
		int sock = f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6 || f->type == SK_FDT_UNIX ||
			   f->type == SK_FDT_IPV4_SERVER || f->type == SK_FDT_IPV6_SERVER;
		if (want_files ? !file : !sock)
			return -1;
		name = f->name;
		len = f->name_len;
	} else if (want_files && is_open_kind(kind)) {
		/* a failed open: the path it asked for (topfiles_errors) */
		name = render(s, e, s->f_fdname);
		len = strlen(name);
		if (!strcmp(name, "<NA>"))
			return -1;
	} else {
		return -1;
	}
	if (!len)
		return -1;
	if (f && f == s->last_fd && s->last_fd_row >= 0) {
		const struct summary_row *c = &s->rows[s->last_fd_row];
		if (c->name_len == len && !memcmp(c->name, name, len))
			return s->last_fd_row;
	}
	struct key k = { .hash = hash_str(name, len, 0), .str = name, .len = len };
	int created;
	int64_t r = row_for_key(s, &k, name, len, &created);
	if (f && r != s->other) {
		s->last_fd = f;
		s->last_fd_row = r;
	}
	if (r >= 0 && created && !want_files) {
		const struct state_thread *t = e->u.cur.thread, *m;
		struct summary_row *row = &s->rows[r];
		set_str(&row->detail, f->type == SK_FDT_UNIX ? "unix" : render(s, e, s->f_l4));
		if (t) {
			row->pid = pid_of(e, t, &m);
			snprintf(s->buf, sizeof(s->buf), "%s", m->comm);
			set_str(&row->detail2, s->buf);
		}
	}
	return r;
}

/* By evt.type: generic events under their syscall's name. */
static int64_t syscall_row(struct summary *s, const struct sk_event *ev)
{
	uint16_t kind = sk_event_kind(ev->type);
	int32_t *slot = &s->kind_row[kind];
	if (kind == SK_EK_GENERIC) {
		uint64_t id = SK_SYSCALL__COUNT;
		if (ev->nparams == 0 || sk_param_u64(ev, 0, &id) < 0 || id > SK_SYSCALL__COUNT)
			id = SK_SYSCALL__COUNT;
		slot = &s->generic_row[id];
	}
	if (*slot >= 0)
		return *slot;
	const char *n = extract_event_type_name(ev);
	int folded;
	int64_t r = row_new(s, n, strlen(n), &folded);
	if (r >= 0 && !folded) {
		s->rows[r].kind = kind;
		*slot = (int32_t)r;
	}
	return r;
}

static int64_t user_row(struct summary *s, struct engine *e)
{
	const struct state_thread *t = e->u.cur.thread;
	if (!t)
		return -1;
	struct key k = { .hash = hash_str(t->container_id, strlen(t->container_id), t->uid), .uid = t->uid,
			 .str = t->container_id };
	int created;
	int64_t r = row_for_key(s, &k, "", 0, &created);
	if (r >= 0 && created) {
		struct summary_row *row = &s->rows[r];
		fill_user(e, t, row);
		set_name(row, row->user);
	}
	return r;
}

static int64_t container_row(struct summary *s, struct engine *e)
{
	const struct state_thread *t = e->u.cur.thread;
	if (!t)
		return -1;
	const char *id = t->container_id;
	struct key k = { .hash = hash_str(id, strlen(id), 7), .str = id };
	int created;
	int64_t r = row_for_key(s, &k, id[0] ? id : "host", strlen(id[0] ? id : "host"), &created);
	/* a container event may complete what an earlier one left "incomplete" */
	if (r >= 0 && (created || sk_event_kind(e->ev->type) == SK_EK_CONTAINER)) {
		struct summary_row *row = &s->rows[r];
		snprintf(row->container, sizeof(row->container), "%s", id);
		set_str(&row->detail, id[0] ? render(s, e, s->f_cname) : "host");
		set_str(&row->detail2, id[0] ? render(s, e, s->f_cimage) : "");
	}
	return r;
}

/* execs: a row per successful exec; the process's later events count for it. */
static int64_t exec_row(struct summary *s, struct engine *e, uint16_t kind, int64_t res, int has_res)
{
	const struct state_thread *t = e->u.cur.thread, *m;
	if (!t)
		return -1;
	int64_t pid = pid_of(e, t, &m);
	struct key k = { .hash = mix((uint64_t)pid), .pid = pid };
	if (!(is_exec_kind(kind) && has_res && res == 0)) {
		size_t slot;
		return sindex_find(s, &s->pids, &k, &slot);
	}
	const char *cmd = render(s, e, s->f_cmdline);
	int folded;
	int64_t r = row_new(s, cmd, strlen(cmd), &folded);
	if (r < 0 || folded)
		return r;
	struct summary_row *row = &s->rows[r];
	row->pid = pid;
	row->start_ts = e->ev->ts;
	fill_user(e, t, row);
	set_str(&row->detail, render(s, e, s->f_exepath));
	set_str(&row->detail2, render(s, e, s->f_pname));
	/* the process's exec row is now this one */
	size_t slot;
	if (sindex_find(s, &s->pids, &k, &slot) >= 0) {
		for (size_t i = k.hash & (s->pids.cap - 1);; i = (i + 1) & (s->pids.cap - 1))
			if (s->pids.h[i] == k.hash && s->rows[s->pids.row[i]].pid == pid) {
				s->pids.row[i] = (uint32_t)r;
				break;
			}
	} else if (sindex_insert(&s->pids, k.hash, (uint32_t)r) < 0) {
		return -1;
	}
	return r;
}

/* ---- per event ---- */

static struct inflight *inflight_slot(struct summary *s, int64_t tid, int add)
{
	if (add && (s->fln + 1) * 2 > s->flcap) {
		size_t nc = s->flcap ? s->flcap * 2 : 1024;
		struct inflight *n = calloc(nc, sizeof(*n));
		if (!n)
			return NULL;
		for (size_t i = 0; i < s->flcap; i++) {
			if (!s->fl[i].used)
				continue;
			size_t k = mix((uint64_t)s->fl[i].tid) & (nc - 1);
			while (n[k].used)
				k = (k + 1) & (nc - 1);
			n[k] = s->fl[i];
		}
		free(s->fl);
		s->fl = n;
		s->flcap = nc;
	}
	if (!s->flcap)
		return NULL;
	size_t i = mix((uint64_t)tid) & (s->flcap - 1);
	for (; s->fl[i].used; i = (i + 1) & (s->flcap - 1))
		if (s->fl[i].tid == tid)
			return &s->fl[i];
	if (!add)
		return NULL;
	s->fl[i].used = 1;
	s->fl[i].tid = tid;
	s->fln++;
	return &s->fl[i];
}

void summary_event(struct summary *s, struct engine *e)
{
	const struct sk_event *ev = e->ev;
	if (ev->ts < s->o.from_ns || (s->o.to_ns && ev->ts > s->o.to_ns))
		return;
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info || !info->name)
		return;
	uint16_t kind = sk_event_kind(ev->type);
	if (!(info->flags & SK_EF_META) && !sk_event_is_exit(ev->type)) {
		/* an enter: remembered to time the syscall at its exit */
		struct inflight *fl = inflight_slot(s, ev->tid, 1);
		s->has_enter = 1;
		if (fl) {
			fl->ts = ev->ts;
			fl->kind = kind;
		}
		return;
	}
	if ((info->flags & SK_EF_META) && info->category == SK_CAT_INTERNAL)
		return;
	uint64_t lat = 0;
	if (s->has_enter && !(info->flags & SK_EF_META)) {
		struct inflight *fl = inflight_slot(s, ev->tid, 0);
		if (fl && fl->kind == kind && fl->ts && fl->ts <= ev->ts)
			lat = ev->ts - fl->ts;
		if (fl)
			fl->ts = 0;
	}
	if (s->o.filter && !rule_filter_eval(s->o.filter, ev->type, extract_field, &e->fc))
		return;
	int64_t res = 0;
	int has_res = extract_event_res(ev, &res);
	int64_t r;
	switch (s->o.by) {
	case SUMMARY_PROCS: r = proc_row(s, e, kind, res, has_res); break;
	case SUMMARY_FILES: r = fd_row(s, e, kind, 1); break;
	case SUMMARY_CONNECTIONS: r = fd_row(s, e, kind, 0); break;
	case SUMMARY_SYSCALLS: r = syscall_row(s, ev); break;
	case SUMMARY_USERS: r = user_row(s, e); break;
	case SUMMARY_CONTAINERS: r = container_row(s, e); break;
	default: r = exec_row(s, e, kind, res, has_res); break;
	}
	if (r < 0)
		return;
	struct summary_stats *st = &s->rows[r].s;
	st->events++;
	if (has_res && res < 0)
		st->errors++;
	if (has_res && res > 0) {
		if (info->flags & SK_EF_READS_FROM_FD)
			st->bytes_in += (uint64_t)res;
		else if (info->flags & SK_EF_WRITES_TO_FD)
			st->bytes_out += (uint64_t)res;
	}
	if (has_res && res >= 0 && (s->o.by == SUMMARY_USERS ? is_exec_kind(kind) && res == 0 : is_open_kind(kind)))
		st->opens++;
	st->time_ns += lat;
	if (!st->first_ts || ev->ts < st->first_ts)
		st->first_ts = ev->ts;
	if (ev->ts > st->last_ts)
		st->last_ts = ev->ts;
}

/* ---- results ---- */

static uint64_t sort_value(const struct summary_row *r, int sort)
{
	switch (sort) {
	case SUMMARY_SORT_BYTES: return r->s.bytes_in + r->s.bytes_out;
	case SUMMARY_SORT_READ: return r->s.bytes_in;
	case SUMMARY_SORT_WRITE: return r->s.bytes_out;
	case SUMMARY_SORT_ERRORS: return r->s.errors;
	case SUMMARY_SORT_TIME: return r->s.time_ns;
	case SUMMARY_SORT_DURATION: return r->s.last_ts - r->s.first_ts;
	default: return r->s.events;
	}
}

static int cmp_rows(const void *a, const void *b, void *ctx)
{
	int sort = *(const int *)ctx;
	const struct summary_row *x = *(const struct summary_row *const *)a, *y = *(const struct summary_row *const *)b;
	if (sort == SUMMARY_SORT_NAME) {
		int c = strcmp(x->name, y->name);
		if (c)
			return c;
	} else if (sort == SUMMARY_SORT_FIRST) {
		uint64_t tx = x->start_ts ? x->start_ts : x->s.first_ts, ty = y->start_ts ? y->start_ts : y->s.first_ts;
		if (tx != ty)
			return tx < ty ? -1 : 1;
	} else {
		uint64_t vx = sort_value(x, sort), vy = sort_value(y, sort);
		if (vx != vy)
			return vx > vy ? -1 : 1;
		if (x->s.events != y->s.events)
			return x->s.events > y->s.events ? -1 : 1;
	}
	/* stable across runs: creation order */
	return x < y ? -1 : x > y;
}

static int default_sort(int by)
{
	switch (by) {
	case SUMMARY_FILES: case SUMMARY_CONNECTIONS: return SUMMARY_SORT_BYTES;
	case SUMMARY_EXECS: return SUMMARY_SORT_FIRST;
	default: return SUMMARY_SORT_EVENTS;
	}
}

int summary_sort_key(const struct summary *s, int sort)
{
	return sort == SUMMARY_SORT_DEFAULT ? default_sort(s->o.by) : sort;
}

size_t summary_rows(struct summary *s, int sort, size_t top, const struct summary_row ***rows)
{
	free(s->sorted);
	s->sorted = malloc((s->nrows ? s->nrows : 1) * sizeof(*s->sorted));
	if (!s->sorted) {
		*rows = NULL;
		return 0;
	}
	for (size_t i = 0; i < s->nrows; i++)
		s->sorted[i] = &s->rows[i];
	int key = summary_sort_key(s, sort);
	qsort_r(s->sorted, s->nrows, sizeof(*s->sorted), cmp_rows, &key);
	*rows = s->sorted;
	return top && top < s->nrows ? top : s->nrows;
}

void summary_totals(const struct summary *s, struct summary_stats *t, size_t *nrows)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < s->nrows; i++) {
		const struct summary_stats *x = &s->rows[i].s;
		t->events += x->events;
		t->errors += x->errors;
		t->bytes_in += x->bytes_in;
		t->bytes_out += x->bytes_out;
		t->time_ns += x->time_ns;
		t->opens += x->opens;
		if (x->first_ts && (!t->first_ts || x->first_ts < t->first_ts))
			t->first_ts = x->first_ts;
		if (x->last_ts > t->last_ts)
			t->last_ts = x->last_ts;
	}
	*nrows = s->nrows;
}
