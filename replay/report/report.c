/* replay/report/report.c: collecting the incident report: processes, their actions, alerts, capture facts. */
#include "replay/report/report.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"
#include "replay/state/state.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Bounds: the report keeps at most this many processes, facts per process
 * and alerts, so a long capture cannot exhaust memory. */
#define MAX_PROCS 200000
#define MAX_FACTS_PER_PROC 64
#define MAX_ALERTS 20000
#define MAX_ANCESTRY 64
/* Lead-up rings are allocated when a process is first seen, never per
 * event; past this many bytes of rings, new processes get none. */
#define MAX_LEAD_BYTES (64u << 20)

struct report {
	struct report_model m;
	/* the current event's lead-up entry, added to its process's ring when
	 * the next event arrives: an alert's lead-up ends before its event */
	struct report_lead pending;
	int have_pending;
	size_t lead_bytes;
	/* the last event's thread and record (events come in runs per thread) */
	const struct state_thread *last_t;
	uint64_t last_clone;
	int64_t last_idx;
	/* pid -> newest record index (open addressing, power-of-two size) */
	int64_t *hkeys, *hvals;
	size_t hcap, hcount;
	struct rule_format *f_cmdline, *f_fdname, *f_user, *f_cname;
	struct rule_filter *f_openw;
	struct engine_observer observer;
	char buf[4096];
};

static void observe_event(void *ctx, struct engine *e)
{
	report_event(ctx, e);
}

static void observe_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	report_alert(ctx, e, rule_index, text, len);
}

const struct engine_observer *report_observer(struct report *r)
{
	r->observer.ctx = r;
	r->observer.event = observe_event;
	r->observer.alert = observe_alert;
	return &r->observer;
}

int report_kind(const char *path)
{
	size_t n = strlen(path);
	if (n > 5 && !strcasecmp(path + n - 5, ".html"))
		return REPORT_HTML;
	if (n > 4 && !strcasecmp(path + n - 4, ".htm"))
		return REPORT_HTML;
	if (n > 5 && !strcasecmp(path + n - 5, ".json"))
		return REPORT_JSON;
	return 0;
}

void report_time(uint64_t ts, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%09lluZ", (unsigned long long)(ts % 1000000000ull));
}

struct report *report_new(const struct rule_set *rs, const struct report_opts *o)
{
	struct report *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->m.rs = rs;
	r->m.lead_n = o ? (o->lead_n > REPORT_LEAD_MAX ? REPORT_LEAD_MAX : o->lead_n) : REPORT_LEAD_DEFAULT;
	r->m.gap_ns = o && o->gap_ns ? o->gap_ns : REPORT_GAP_DEFAULT_NS;
	r->last_idx = -1;
	const struct rule_field_registry *reg = field_registry();
	char err[256];
	struct rule_diag_list diags = {0};
	r->f_cmdline = rule_format_compile(reg, "%proc.cmdline", err, sizeof(err));
	r->f_fdname = rule_format_compile(reg, "%fd.name", err, sizeof(err));
	r->f_user = rule_format_compile(reg, "%user.name", err, sizeof(err));
	r->f_cname = rule_format_compile(reg, "%container.name", err, sizeof(err));
	r->f_openw = rule_filter_compile(reg, "evt.is_open_write=true and fd.typechar=f", &diags);
	for (size_t i = 0; i < diags.n; i++)
		free(diags.v[i].message);
	free(diags.v);
	r->hcap = 1024;
	r->hkeys = malloc(r->hcap * sizeof(*r->hkeys));
	r->hvals = malloc(r->hcap * sizeof(*r->hvals));
	if (!r->f_cmdline || !r->f_fdname || !r->f_user || !r->f_cname || !r->f_openw || !r->hkeys || !r->hvals) {
		report_free(r);
		return NULL;
	}
	memset(r->hkeys, 0xff, r->hcap * sizeof(*r->hkeys));
	return r;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->m.nprocs; i++) {
		struct report_proc *p = &r->m.procs[i];
		for (size_t k = 0; k < p->nfacts; k++)
			free(p->facts[k].text);
		free(p->facts);
		free(p->exe);
		free(p->cmdline);
		free(p->ring);
	}
	free(r->m.procs);
	for (size_t i = 0; i < r->m.nalerts; i++) {
		free(r->m.alerts[i].text);
		free(r->m.alerts[i].lead);
	}
	free(r->m.alerts);
	report_free_incidents(&r->m);
	for (size_t i = 0; i < r->m.nsources; i++) {
		free(r->m.sources[i].path);
		free(r->m.sources[i].hostname);
		free(r->m.sources[i].kernel);
	}
	free(r->m.sources);
	free(r->hkeys);
	free(r->hvals);
	rule_format_free(r->f_cmdline);
	rule_format_free(r->f_fdname);
	rule_format_free(r->f_user);
	rule_format_free(r->f_cname);
	rule_filter_free(r->f_openw);
	free(r);
}

const struct report_model *report_model(const struct report *r)
{
	return &r->m;
}

static size_t hslot(const struct report *r, int64_t pid)
{
	size_t h = (size_t)((uint64_t)pid * 0x9e3779b97f4a7c15ull) & (r->hcap - 1);
	while (r->hkeys[h] != -1 && r->hkeys[h] != pid)
		h = (h + 1) & (r->hcap - 1);
	return h;
}

static int64_t hget(const struct report *r, int64_t pid)
{
	size_t h = hslot(r, pid);
	return r->hkeys[h] == pid ? r->hvals[h] : -1;
}

static int hput(struct report *r, int64_t pid, int64_t idx)
{
	if ((r->hcount + 1) * 2 > r->hcap) {
		size_t oc = r->hcap;
		int64_t *ok = r->hkeys, *ov = r->hvals;
		int64_t *nk = malloc(oc * 2 * sizeof(*nk)), *nv = malloc(oc * 2 * sizeof(*nv));
		if (!nk || !nv) {
			free(nk);
			free(nv);
			return -1;
		}
		memset(nk, 0xff, oc * 2 * sizeof(*nk));
		r->hkeys = nk;
		r->hvals = nv;
		r->hcap = oc * 2;
		for (size_t i = 0; i < oc; i++)
			if (ok[i] != -1) {
				size_t h = hslot(r, ok[i]);
				r->hkeys[h] = ok[i];
				r->hvals[h] = ov[i];
			}
		free(ok);
		free(ov);
	}
	size_t h = hslot(r, pid);
	if (r->hkeys[h] != pid)
		r->hcount++;
	r->hkeys[h] = pid;
	r->hvals[h] = idx;
	return 0;
}

static char *render(struct report *r, struct engine *e, const struct rule_format *f)
{
	size_t n = rule_format_render(f, extract_field, &e->fc, r->buf, sizeof(r->buf) - 1);
	r->buf[n] = '\0';
	return r->buf;
}

/* Refreshes what a record shows about its process from the thread state (at
 * creation and after exec). */
static void proc_refresh(struct report *r, struct engine *e, struct report_proc *p, const struct state_thread *t,
			 int current)
{
	snprintf(p->name, sizeof(p->name), "%.31s", t->comm);
	snprintf(p->container_id, sizeof(p->container_id), "%.15s", t->container_id);
	p->uid = t->uid;
	free(p->exe);
	p->exe = strdup(state_str_c(t->exepath)[0] ? state_str_c(t->exepath) : state_str_c(t->exe));
	const struct state_user *u = state_user_get(e->st, t->uid, t->container_id);
	if (u && u->name)
		snprintf(p->user, sizeof(p->user), "%.31s", u->name);
	else if (current)
		snprintf(p->user, sizeof(p->user), "%.31s", render(r, e, r->f_user));
	/* The cmdline field is defined on the event's thread; for others
	 * (ancestors) it is rebuilt the same way: comm, then the args. */
	free(p->cmdline);
	if (current) {
		p->cmdline = strdup(render(r, e, r->f_cmdline));
		if (t->container_id[0])
			snprintf(p->container_name, sizeof(p->container_name), "%.63s", render(r, e, r->f_cname));
	} else {
		size_t al = state_str_len(t->args), n = strlen(t->comm);
		char *s = malloc(n + al + 2);
		if (s) {
			memcpy(s, t->comm, n);
			const char *a = state_str_c(t->args);
			for (size_t i = 0; i < al;) {
				size_t l = strlen(a + i);
				if (l) {
					s[n++] = ' ';
					memcpy(s + n, a + i, l);
					n += l;
				}
				i += l + 1;
			}
			s[n] = '\0';
		}
		p->cmdline = s;
	}
}

/* The record of t's process, created (with its ancestors) when first seen. */
static int64_t proc_of(struct report *r, struct engine *e, struct state_thread *t, int current, int depth)
{
	struct state_thread *mt = state_main_thread(e->st, t);
	if (mt)
		t = mt;
	int64_t pid = t->pid > 0 ? t->pid : t->tid;
	int64_t idx = hget(r, pid);
	if (idx >= 0) {
		struct report_proc *p = &r->m.procs[idx];
		/* a reused pid is a new process */
		if (!(t->clone_ts && p->start_ts && t->clone_ts != p->start_ts))
			return idx;
	}
	if (r->m.nprocs >= MAX_PROCS) {
		r->m.untracked_procs++;
		return -1;
	}
	if (r->m.nprocs == r->m.capprocs) {
		size_t nc = r->m.capprocs ? r->m.capprocs * 2 : 256;
		struct report_proc *np = realloc(r->m.procs, nc * sizeof(*np));
		if (!np)
			return -1;
		r->m.procs = np;
		r->m.capprocs = nc;
	}
	int64_t ni = (int64_t)r->m.nprocs++;
	struct report_proc *p = &r->m.procs[ni];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ts = t->clone_ts;
	p->parent = -1;
	p->next_same_pid = idx;
	hput(r, pid, ni);
	proc_refresh(r, e, p, t, current);
	struct state_thread *pt = t->ptid > 0 ? state_thread_get(e->st, t->ptid) : NULL;
	if (pt) {
		struct state_thread *pm = state_main_thread(e->st, pt);
		p->ppid = pm ? (pm->pid > 0 ? pm->pid : pm->tid) : t->ptid;
		if (depth < MAX_ANCESTRY && p->ppid != pid) {
			int64_t pi = proc_of(r, e, pt, 0, depth + 1);
			r->m.procs[ni].parent = pi;   /* procs may have moved */
		}
	} else {
		p->ppid = t->ptid;
	}
	return ni;
}

static void fact_add(struct report_proc *p, uint64_t ts, uint8_t kind, const char *text)
{
	if (!text || !*text)
		return;
	/* writes and connections are listed once per target */
	if (kind != REPORT_ACT_EXEC)
		for (size_t i = 0; i < p->nfacts; i++)
			if (p->facts[i].kind == kind && !strcmp(p->facts[i].text, text))
				return;
	if (p->nfacts >= MAX_FACTS_PER_PROC) {
		p->dropped_facts++;
		return;
	}
	if (p->nfacts == p->capfacts) {
		size_t nc = p->capfacts ? p->capfacts * 2 : 8;
		struct report_fact *nf = realloc(p->facts, nc * sizeof(*nf));
		if (!nf)
			return;
		p->facts = nf;
		p->capfacts = nc;
	}
	char *s = strdup(text);
	if (!s)
		return;
	p->facts[p->nfacts++] = (struct report_fact){.ts = ts, .kind = kind, .text = s};
}

/* The syscall succeeded; a non-blocking connect in progress counts as made. */
static int exit_ok(struct engine *e, int in_progress_ok)
{
	static const struct rule_field_ref ref = {.id = F_EVT_RAWRES, .type = RF_INT64};
	struct rule_value v;
	if (extract_field(&e->fc, &ref, &v) != 1)
		return 0;
	return v.v.i >= 0 || (in_progress_ok && v.v.i == -EINPROGRESS);
}

/* Where a lead-up entry goes: its process's ring, allocated on the
 * process's first entry within the memory bound. */
static void lead_flush(struct report *r)
{
	if (!r->have_pending)
		return;
	r->have_pending = 0;
	struct report_proc *p = &r->m.procs[r->pending.proc];
	if (!p->ring) {
		size_t bytes = r->m.lead_n * sizeof(*p->ring);
		if (p->no_ring)
			return;
		if (r->lead_bytes + bytes > MAX_LEAD_BYTES || !(p->ring = malloc(bytes))) {
			p->no_ring = 1;
			r->m.procs_without_lead++;
			return;
		}
		r->lead_bytes += bytes;
	}
	p->ring[p->ring_next] = r->pending;
	p->ring_next = (p->ring_next + 1) % r->m.lead_n;
	if (p->ring_len < r->m.lead_n)
		p->ring_len++;
}

/* Copies s into d (cap bytes) without its non-printable bytes, as outputs show values. */
static void copy_printable(char *d, size_t cap, const char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n && s[i] && k + 1 < cap; i++)
		if ((unsigned char)s[i] >= 0x20 && s[i] != 0x7f)
			d[k++] = s[i];
	d[k] = '\0';
}

/* The current event as a lead-up entry: its type and result, and what it
 * was about: the command line of an exec, the fd's name, or its first path. */
static void lead_stage(struct report *r, struct engine *e, int64_t idx, const struct sk_event_info *info)
{
	const struct sk_event *ev = e->ev;
	struct report_lead *l = &r->pending;
	l->ts = ev->ts;
	l->tid = ev->tid;
	l->proc = idx;
	l->type = ev->type;
	l->name = extract_event_type_name(ev);
	l->has_res = (uint8_t)extract_event_res(ev, &l->res);
	l->detail[0] = '\0';
	uint16_t kind = sk_event_kind(ev->type);
	const struct state_fd *f = e->u.cur.fd;
	if ((kind == SK_EK_EXECVE || kind == SK_EK_EXECVEAT) && l->has_res && l->res == 0) {
		const char *c = render(r, e, r->f_cmdline);
		copy_printable(l->detail, sizeof(l->detail), c, strlen(c));
	} else if (f && f->name_len) {
		copy_printable(l->detail, sizeof(l->detail), f->name, f->name_len);
	} else {
		for (uint32_t i = 0; i < info->nparams && i < ev->nparams; i++) {
			uint8_t t = info->params[i].type;
			const struct sk_param *p = &ev->params[i];
			if ((t == SK_PT_FSPATH || t == SK_PT_FSRELPATH || t == SK_PT_CHARBUF) && p->len > 1) {
				copy_printable(l->detail, sizeof(l->detail), (const char *)p->val, p->len);
				break;
			}
		}
	}
	r->have_pending = 1;
}

void report_event(struct report *r, struct engine *e)
{
	const struct sk_event *ev = e->ev;
	if (!r->m.first_ts || ev->ts < r->m.first_ts)
		r->m.first_ts = ev->ts;
	if (ev->ts > r->m.last_ts)
		r->m.last_ts = ev->ts;
	r->m.events++;
	lead_flush(r);
	if (ev->tid < 0 || ev->type >= SK_EV__COUNT)
		return;
	const struct sk_event_info *info = sk_event_info(ev->type);
	uint16_t kind = ev->type / 2;
	int is_exit = ev->type & 1;
	/* lead-ups: exits and one-shot events, not the scheduler's or internal ones */
	int lead = r->m.lead_n && info && (is_exit || (info->flags & SK_EF_META)) &&
		   info->category != SK_CAT_INTERNAL && info->category != SK_CAT_SCHEDULER;
	/* the events that change what the process trees show */
	int facts;
	switch (kind) {
	case SK_EK_EXECVE: case SK_EK_EXECVEAT: case SK_EK_CLONE: case SK_EK_CLONE3: case SK_EK_FORK:
	case SK_EK_VFORK: case SK_EK_OPEN: case SK_EK_OPENAT: case SK_EK_OPENAT2: case SK_EK_CREAT:
	case SK_EK_OPEN_BY_HANDLE_AT: case SK_EK_CONNECT: case SK_EK_ACCEPT: case SK_EK_ACCEPT4:
		facts = is_exit;
		break;
	case SK_EK_PROCEXIT:
		facts = 1;
		break;
	default:
		facts = 0;
	}
	if (!lead && !facts)
		return;
	struct state_thread *t = state_thread_get(e->st, ev->tid);
	if (!t || (t->tflags & STATE_TH_PLACEHOLDER))
		return;
	int64_t idx;
	if (t == r->last_t && t->clone_ts == r->last_clone && r->last_idx >= 0 && !facts) {
		idx = r->last_idx;
	} else {
		idx = proc_of(r, e, t, 1, 0);
		if (idx < 0)
			return;
		r->last_t = t;
		r->last_clone = t->clone_ts;
		r->last_idx = idx;
	}
	if (lead)
		lead_stage(r, e, idx, info);
	if (!facts)
		return;
	struct report_proc *p = &r->m.procs[idx];
	switch (kind) {
	case SK_EK_EXECVE: case SK_EK_EXECVEAT:
		if (exit_ok(e, 0)) {
			proc_refresh(r, e, p, t, 1);
			fact_add(p, ev->ts, REPORT_ACT_EXEC, p->cmdline);
			/* the exec's lead-up entry shows the new command line */
			if (r->have_pending)
				copy_printable(r->pending.detail, sizeof(r->pending.detail), p->cmdline, strlen(p->cmdline));
		}
		break;
	case SK_EK_PROCEXIT:
		if (t->tid == t->pid || t->pid <= 0)
			p->exit_ts = ev->ts;
		break;
	case SK_EK_CONNECT: case SK_EK_ACCEPT: case SK_EK_ACCEPT4:
		if (exit_ok(e, kind == SK_EK_CONNECT))
			fact_add(p, ev->ts, kind == SK_EK_CONNECT ? REPORT_ACT_CONNECT : REPORT_ACT_ACCEPT,
				 render(r, e, r->f_fdname));
		break;
	case SK_EK_CLONE: case SK_EK_CLONE3: case SK_EK_FORK: case SK_EK_VFORK:
		break; /* the record itself is what matters (created above) */
	default:
		if (exit_ok(e, 0) && rule_filter_eval(r->f_openw, ev->type, extract_field, &e->fc))
			fact_add(p, ev->ts, REPORT_ACT_WRITE, render(r, e, r->f_fdname));
		break;
	}
}

/* The last lead_n events of the alert's process and the last lead_n of its
 * parent (their rings), merged oldest first. */
static void lead_collect(struct report *r, struct report_alert *a)
{
	uint32_t n = r->m.lead_n;
	if (!n || a->proc < 0)
		return;
	const struct report_proc *who[2] = { &r->m.procs[a->proc], NULL };
	if (who[0]->parent >= 0 && who[0]->parent != a->proc)
		who[1] = &r->m.procs[who[0]->parent];
	uint32_t left[2], pos[2];
	for (int k = 0; k < 2; k++) {
		left[k] = who[k] && who[k]->ring ? who[k]->ring_len : 0;
		/* the oldest entry of a ring */
		pos[k] = left[k] ? (who[k]->ring_next + n - left[k]) % n : 0;
	}
	if (!left[0] && !left[1])
		return;
	a->lead = malloc((left[0] + left[1]) * sizeof(*a->lead));
	if (!a->lead)
		return;
	while (left[0] || left[1]) {
		int k = !left[0] ? 1 : !left[1] ? 0 : who[0]->ring[pos[0]].ts <= who[1]->ring[pos[1]].ts ? 0 : 1;
		a->lead[a->nlead++] = who[k]->ring[pos[k]];
		pos[k] = (pos[k] + 1) % n;
		left[k]--;
	}
}

void report_alert(struct report *r, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	const struct sk_event *ev = e->ev;
	int64_t idx = -1;
	struct state_thread *t = ev->tid >= 0 ? state_thread_get(e->st, ev->tid) : NULL;
	if (t && !(t->tflags & STATE_TH_PLACEHOLDER))
		idx = proc_of(r, e, t, 1, 0);
	if (idx >= 0)
		r->m.procs[idx].nalerts++;
	if (r->m.nalerts >= MAX_ALERTS) {
		r->m.dropped_alerts++;
		return;
	}
	if (r->m.nalerts == r->m.capalerts) {
		size_t nc = r->m.capalerts ? r->m.capalerts * 2 : 64;
		struct report_alert *na = realloc(r->m.alerts, nc * sizeof(*na));
		if (!na)
			return;
		r->m.alerts = na;
		r->m.capalerts = nc;
	}
	char *s = strndup(text, len);
	if (!s)
		return;
	const struct rule_info *ri = rule_set_rule(r->m.rs, rule_index);
	struct report_alert *a = &r->m.alerts[r->m.nalerts++];
	*a = (struct report_alert){
		.ts = ev->ts, .priority = ri->priority, .rule_index = rule_index, .proc = idx, .text = s, .incident = -1};
	lead_collect(r, a);
}

void report_source(struct report *r, const char *path, const struct sk_meta *m)
{
	struct report_source *s = NULL;
	for (size_t i = 0; i < r->m.nsources; i++)
		if (!strcmp(r->m.sources[i].path, path))
			s = &r->m.sources[i];
	if (!s) {
		struct report_source *ns = realloc(r->m.sources, (r->m.nsources + 1) * sizeof(*ns));
		if (!ns)
			return;
		r->m.sources = ns;
		s = &ns[r->m.nsources++];
		memset(s, 0, sizeof(*s));
		s->path = strdup(path);
	}
	if (m->have_host) {
		free(s->hostname);
		free(s->kernel);
		s->hostname = strdup(m->host.hostname ? m->host.hostname : "");
		s->kernel = strdup(m->host.kernel_release ? m->host.kernel_release : "");
		s->capture_start = m->host.start_ts;
	}
	/* drop counters are cumulative per CPU: keep the latest of each */
	uint64_t drops = 0, seen = 0;
	for (size_t i = 0; i < m->n_drops; i++) {
		int newest = 1;
		for (size_t k = i + 1; k < m->n_drops; k++)
			if (m->drops[k].cpu == m->drops[i].cpu)
				newest = 0;
		if (newest) {
			drops += m->drops[i].ring_full + m->drops[i].copy_fail;
			seen += m->drops[i].events;
		}
	}
	if (m->have_end && m->end.ndrops > drops)
		drops = m->end.ndrops;
	s->drops = drops;
	s->events_seen = seen;
}

size_t report_select(struct report *r)
{
	struct report_model *m = &r->m;
	size_t n = 0;
	for (size_t i = 0; i < m->nprocs; i++)
		m->procs[i].included = 0;
	/* alerting processes and their ancestors */
	for (size_t i = 0; i < m->nprocs; i++) {
		if (!m->procs[i].nalerts)
			continue;
		for (int64_t k = (int64_t)i, d = 0; k >= 0 && d < MAX_ANCESTRY; k = m->procs[k].parent, d++)
			m->procs[k].included |= 1;
	}
	/* descendants of alerting processes (a parent may be recorded after
	 * its child, hence the passes) */
	for (int changed = 1, pass = 0; changed && pass < MAX_ANCESTRY; pass++) {
		changed = 0;
		for (size_t i = 0; i < m->nprocs; i++) {
			int64_t par = m->procs[i].parent;
			if (!(m->procs[i].included & 2) && par >= 0 &&
			    (m->procs[par].nalerts || (m->procs[par].included & 2))) {
				m->procs[i].included |= 2;
				changed = 1;
			}
		}
	}
	for (size_t i = 0; i < m->nprocs; i++)
		n += m->procs[i].included != 0;
	report_group_incidents(m);
	return n;
}

int report_write(struct report *r, const struct engine *e, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "saker-replay: --report %s: cannot create: %m\n", path);
		return -1;
	}
	report_select(r);
	int rc = report_kind(path) == REPORT_JSON ? report_write_json(&r->m, e, f)
							 : report_write_html(&r->m, e, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "saker-replay: --report %s: write failed\n", path);
		return -1;
	}
	return 0;
}
