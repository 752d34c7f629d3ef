/* replay/report.c: collecting the incident report: processes, their actions, alerts, capture facts. */
#include "replay/report.h"
#include "replay/engine.h"
#include "replay/fields.h"
#include "replay/state.h"

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

struct sk_report {
	struct sk_report_model m;
	/* pid -> newest record index (open addressing, power-of-two size) */
	int64_t *hkeys, *hvals;
	size_t hcap, hcount;
	struct rule_format *f_cmdline, *f_fdname, *f_user, *f_cname;
	struct rule_filter *f_openw;
	char buf[4096];
};

int sk_report_kind(const char *path)
{
	size_t n = strlen(path);
	if (n > 5 && !strcasecmp(path + n - 5, ".html"))
		return SK_REPORT_HTML;
	if (n > 4 && !strcasecmp(path + n - 4, ".htm"))
		return SK_REPORT_HTML;
	if (n > 5 && !strcasecmp(path + n - 5, ".json"))
		return SK_REPORT_JSON;
	return 0;
}

void sk_report_time(uint64_t ts, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%09lluZ", (unsigned long long)(ts % 1000000000ull));
}

struct sk_report *sk_report_new(const struct rule_set *rs)
{
	struct sk_report *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->m.rs = rs;
	const struct rule_field_registry *reg = replay_field_registry();
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
		sk_report_free(r);
		return NULL;
	}
	memset(r->hkeys, 0xff, r->hcap * sizeof(*r->hkeys));
	return r;
}

void sk_report_free(struct sk_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->m.nprocs; i++) {
		struct sk_report_proc *p = &r->m.procs[i];
		for (size_t k = 0; k < p->nfacts; k++)
			free(p->facts[k].text);
		free(p->facts);
		free(p->exe);
		free(p->cmdline);
	}
	free(r->m.procs);
	for (size_t i = 0; i < r->m.nalerts; i++)
		free(r->m.alerts[i].text);
	free(r->m.alerts);
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

const struct sk_report_model *sk_report_model(const struct sk_report *r)
{
	return &r->m;
}

static size_t hslot(const struct sk_report *r, int64_t pid)
{
	size_t h = (size_t)((uint64_t)pid * 0x9e3779b97f4a7c15ull) & (r->hcap - 1);
	while (r->hkeys[h] != -1 && r->hkeys[h] != pid)
		h = (h + 1) & (r->hcap - 1);
	return h;
}

static int64_t hget(const struct sk_report *r, int64_t pid)
{
	size_t h = hslot(r, pid);
	return r->hkeys[h] == pid ? r->hvals[h] : -1;
}

static int hput(struct sk_report *r, int64_t pid, int64_t idx)
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

static char *render(struct sk_report *r, struct sk_engine *e, const struct rule_format *f)
{
	size_t n = rule_format_render(f, sk_extract, &e->fc, r->buf, sizeof(r->buf) - 1);
	r->buf[n] = '\0';
	return r->buf;
}

/* Refreshes what a record shows about its process from the thread state (at
 * creation and after exec). */
static void proc_refresh(struct sk_report *r, struct sk_engine *e, struct sk_report_proc *p, const struct sk_thread *t,
			 int current)
{
	snprintf(p->name, sizeof(p->name), "%.31s", t->comm);
	snprintf(p->container_id, sizeof(p->container_id), "%.15s", t->container_id);
	p->uid = t->uid;
	free(p->exe);
	p->exe = strdup(sk_str_c(t->exepath)[0] ? sk_str_c(t->exepath) : sk_str_c(t->exe));
	const struct sk_user *u = sk_state_user(e->st, t->uid, t->container_id);
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
		size_t al = sk_str_len(t->args), n = strlen(t->comm);
		char *s = malloc(n + al + 2);
		if (s) {
			memcpy(s, t->comm, n);
			const char *a = sk_str_c(t->args);
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
static int64_t proc_of(struct sk_report *r, struct sk_engine *e, struct sk_thread *t, int current, int depth)
{
	struct sk_thread *mt = sk_state_main_thread(e->st, t);
	if (mt)
		t = mt;
	int64_t pid = t->pid > 0 ? t->pid : t->tid;
	int64_t idx = hget(r, pid);
	if (idx >= 0) {
		struct sk_report_proc *p = &r->m.procs[idx];
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
		struct sk_report_proc *np = realloc(r->m.procs, nc * sizeof(*np));
		if (!np)
			return -1;
		r->m.procs = np;
		r->m.capprocs = nc;
	}
	int64_t ni = (int64_t)r->m.nprocs++;
	struct sk_report_proc *p = &r->m.procs[ni];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->start_ts = t->clone_ts;
	p->parent = -1;
	p->next_same_pid = idx;
	hput(r, pid, ni);
	proc_refresh(r, e, p, t, current);
	struct sk_thread *pt = t->ptid > 0 ? sk_state_thread(e->st, t->ptid) : NULL;
	if (pt) {
		struct sk_thread *pm = sk_state_main_thread(e->st, pt);
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

static void fact_add(struct sk_report_proc *p, uint64_t ts, uint8_t kind, const char *text)
{
	if (!text || !*text)
		return;
	/* writes and connections are listed once per target */
	if (kind != SK_ACT_EXEC)
		for (size_t i = 0; i < p->nfacts; i++)
			if (p->facts[i].kind == kind && !strcmp(p->facts[i].text, text))
				return;
	if (p->nfacts >= MAX_FACTS_PER_PROC) {
		p->dropped_facts++;
		return;
	}
	if (p->nfacts == p->capfacts) {
		size_t nc = p->capfacts ? p->capfacts * 2 : 8;
		struct sk_report_fact *nf = realloc(p->facts, nc * sizeof(*nf));
		if (!nf)
			return;
		p->facts = nf;
		p->capfacts = nc;
	}
	char *s = strdup(text);
	if (!s)
		return;
	p->facts[p->nfacts++] = (struct sk_report_fact){.ts = ts, .kind = kind, .text = s};
}

/* The syscall succeeded; a non-blocking connect in progress counts as made. */
static int exit_ok(struct sk_engine *e, int in_progress_ok)
{
	static const struct rule_field_ref ref = {.id = F_EVT_RAWRES, .type = RF_INT64};
	struct rule_value v;
	if (sk_extract(&e->fc, &ref, &v) != 1)
		return 0;
	return v.v.i >= 0 || (in_progress_ok && v.v.i == -EINPROGRESS);
}

void sk_report_event(struct sk_report *r, struct sk_engine *e)
{
	const struct sk_event *ev = e->ev;
	if (!r->m.first_ts || ev->ts < r->m.first_ts)
		r->m.first_ts = ev->ts;
	if (ev->ts > r->m.last_ts)
		r->m.last_ts = ev->ts;
	r->m.events++;
	if (ev->tid < 0 || ev->type >= SK_EV__COUNT)
		return;
	uint16_t kind = ev->type / 2;
	int is_exit = ev->type & 1;
	/* only events that change what the report shows */
	switch (kind) {
	case SK_EK_EXECVE: case SK_EK_EXECVEAT: case SK_EK_CLONE: case SK_EK_CLONE3: case SK_EK_FORK:
	case SK_EK_VFORK: case SK_EK_OPEN: case SK_EK_OPENAT: case SK_EK_OPENAT2: case SK_EK_CREAT:
	case SK_EK_OPEN_BY_HANDLE_AT: case SK_EK_CONNECT: case SK_EK_ACCEPT: case SK_EK_ACCEPT4:
		if (!is_exit)
			return;
		break;
	case SK_EK_PROCEXIT:
		break;
	default:
		return;
	}
	struct sk_thread *t = sk_state_thread(e->st, ev->tid);
	if (!t || (t->tflags & SK_TH_PLACEHOLDER))
		return;
	int64_t idx = proc_of(r, e, t, 1, 0);
	if (idx < 0)
		return;
	struct sk_report_proc *p = &r->m.procs[idx];
	switch (kind) {
	case SK_EK_EXECVE: case SK_EK_EXECVEAT:
		if (exit_ok(e, 0)) {
			proc_refresh(r, e, p, t, 1);
			fact_add(p, ev->ts, SK_ACT_EXEC, p->cmdline);
		}
		break;
	case SK_EK_PROCEXIT:
		if (t->tid == t->pid || t->pid <= 0)
			p->exit_ts = ev->ts;
		break;
	case SK_EK_CONNECT: case SK_EK_ACCEPT: case SK_EK_ACCEPT4:
		if (exit_ok(e, kind == SK_EK_CONNECT))
			fact_add(p, ev->ts, kind == SK_EK_CONNECT ? SK_ACT_CONNECT : SK_ACT_ACCEPT,
				 render(r, e, r->f_fdname));
		break;
	case SK_EK_CLONE: case SK_EK_CLONE3: case SK_EK_FORK: case SK_EK_VFORK:
		break; /* the record itself is what matters (created above) */
	default:
		if (exit_ok(e, 0) && rule_filter_eval(r->f_openw, ev->type, sk_extract, &e->fc))
			fact_add(p, ev->ts, SK_ACT_WRITE, render(r, e, r->f_fdname));
		break;
	}
}

void sk_report_alert(struct sk_report *r, struct sk_engine *e, size_t rule_index, const char *text, size_t len)
{
	const struct sk_event *ev = e->ev;
	int64_t idx = -1;
	struct sk_thread *t = ev->tid >= 0 ? sk_state_thread(e->st, ev->tid) : NULL;
	if (t && !(t->tflags & SK_TH_PLACEHOLDER))
		idx = proc_of(r, e, t, 1, 0);
	if (idx >= 0)
		r->m.procs[idx].nalerts++;
	if (r->m.nalerts >= MAX_ALERTS) {
		r->m.dropped_alerts++;
		return;
	}
	if (r->m.nalerts == r->m.capalerts) {
		size_t nc = r->m.capalerts ? r->m.capalerts * 2 : 64;
		struct sk_report_alert *na = realloc(r->m.alerts, nc * sizeof(*na));
		if (!na)
			return;
		r->m.alerts = na;
		r->m.capalerts = nc;
	}
	char *s = strndup(text, len);
	if (!s)
		return;
	const struct rule_info *ri = rule_set_rule(r->m.rs, rule_index);
	r->m.alerts[r->m.nalerts++] = (struct sk_report_alert){
		.ts = ev->ts, .priority = ri->priority, .rule_index = rule_index, .proc = idx, .text = s};
}

void sk_report_source(struct sk_report *r, const char *path, const struct sk_meta *m)
{
	struct sk_report_source *s = NULL;
	for (size_t i = 0; i < r->m.nsources; i++)
		if (!strcmp(r->m.sources[i].path, path))
			s = &r->m.sources[i];
	if (!s) {
		struct sk_report_source *ns = realloc(r->m.sources, (r->m.nsources + 1) * sizeof(*ns));
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

size_t sk_report_select(struct sk_report *r)
{
	struct sk_report_model *m = &r->m;
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
	return n;
}

int sk_report_write(struct sk_report *r, const struct sk_engine *e, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "saker-replay: --report %s: cannot create: %m\n", path);
		return -1;
	}
	sk_report_select(r);
	int rc = sk_report_kind(path) == SK_REPORT_JSON ? sk_report_write_json(&r->m, e, f)
							 : sk_report_write_html(&r->m, e, f);
	if (fclose(f) != 0 || rc < 0) {
		fprintf(stderr, "saker-replay: --report %s: write failed\n", path);
		return -1;
	}
	return 0;
}
