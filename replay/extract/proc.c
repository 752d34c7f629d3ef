/* replay/extract/proc.c: proc.* and thread.* fields (fields.md §3). */
#include "replay/extract/extract.h"
#include "replay/state/state.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static int s_out(struct extract_ctx *c, struct rule_value *out, const char *s, size_t n)
{
	return extract_val_str(c, out, RF_STRING, s, n);
}

static int cs_out(struct extract_ctx *c, struct rule_value *out, const char *s)
{
	return extract_val_str(c, out, RF_STRING, s, strlen(s));
}

static int str_field(struct extract_ctx *c, struct rule_value *out, const struct state_str *s)
{
	return s_out(c, out, state_str_c(s), state_str_len(s));
}

/* NUL-separated list -> space-separated text in scratch. */
static const char *join_list(struct extract_ctx *c, const struct state_str *s, size_t *len)
{
	size_t n = state_str_len(s);
	char *b = extract_ctx_scratch(c, n + 1);
	if (!b) {
		*len = 0;
		return "";
	}
	memcpy(b, state_str_c(s), n);
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\0')
			b[i] = ' ';
	/* The list's terminating NUL is already gone (state_str_from_param,
	 * meta_list); the remaining empty arguments are real ones (nginx
	 * blanks its argv) and libs show each as a space. */
	b[n] = '\0';
	*len = n;
	return b;
}

static int cmdline(struct extract_ctx *c, struct rule_value *out, const struct state_thread *t, int use_exe)
{
	size_t alen;
	const char *head = use_exe ? state_str_c(t->exe) : t->comm;
	size_t hlen = strlen(head);
	const char *args = join_list(c, t->args, &alen);
	char *b = extract_ctx_scratch(c, hlen + alen + 2);
	if (!b)
		return 0;
	memcpy(b, head, hlen);
	size_t n = hlen;
	if (alen) {
		b[n++] = ' ';
		memcpy(b + n, args, alen);
		n += alen;
	}
	b[n] = '\0';
	return s_out(c, out, b, n);
}

static int env_value(struct extract_ctx *c, struct rule_value *out, const struct state_thread *t, const char *name)
{
	const char *p = state_str_c(t->env), *end = p + state_str_len(t->env);
	size_t nl = strlen(name);
	while (p < end) {
		const char *e = memchr(p, '\0', (size_t)(end - p));
		if (!e)
			e = end;
		if ((size_t)(e - p) > nl && memcmp(p, name, nl) == 0 && p[nl] == '=') {
			const char *v = p + nl + 1, *ve = e;
			while (v < ve && *v == ' ')
				v++;
			while (ve > v && ve[-1] == ' ')
				ve--;
			return s_out(c, out, v, (size_t)(ve - v));
		}
		p = e + 1;
	}
	return 0;
}

static int caps_text(struct extract_ctx *c, struct rule_value *out, uint64_t caps)
{
	char *b = extract_ctx_scratch(c, 1024);
	if (!b)
		return 0;
	size_t n = 0;
	for (unsigned i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++) {
		if (!(caps & (1ull << i)))
			continue;
		n += (size_t)snprintf(b + n, 1024 - n, "%s%s", n ? " " : "", cap_names[i]);
	}
	b[n] = '\0';
	return s_out(c, out, b, n);
}

static unsigned anc_level(const struct rule_field_ref *ref)
{
	return ref->has_arg && ref->arg_index > 0 ? (unsigned)ref->arg_index : 0;
}

/* The ancestor a proc.p* field (the parent) or proc.a*[N] field reads. */
static const struct state_thread *field_ancestor(struct state *st, struct state_thread *t,
						 const struct rule_field_ref *ref)
{
	int parent = ref->id == F_PROC_PNAME || ref->id == F_PROC_PEXE || ref->id == F_PROC_PEXEPATH ||
		     ref->id == F_PROC_PCMDLINE;
	return state_ancestor(st, t, parent ? 1 : anc_level(ref));
}

/* Session / group leader: the entry with that tid, else the oldest
 * consecutive ancestor sharing the id (fields.md §3.2). */
static const struct state_thread *leader_of(struct extract_ctx *c, struct state_thread *t, int64_t id, int by_vpgid)
{
	struct state *st = c->u->st;
	int in_ns = t->vtid > 0 && t->vtid != t->tid;
	if (!in_ns) {
		struct state_thread *l = state_thread_get(st, id);
		if (l)
			return l;
	}
	const struct state_thread *best = NULL;
	for (unsigned n = 1; n < 64; n++) {
		struct state_thread *a = state_ancestor(st, t, n);
		if (!a || (by_vpgid ? a->vpgid : a->sid) != id)
			break;
		best = a;
	}
	return best;
}

static int leader_field(struct extract_ctx *c, struct rule_value *out, const struct state_thread *l, int what)
{
	if (!l)
		return cs_out(c, out, "");
	switch (what) {
	case 0: return cs_out(c, out, l->comm);
	case 1: return str_field(c, out, l->exe);
	default: return str_field(c, out, l->exepath);
	}
}

static const struct state_thread *pgid_leader(struct extract_ctx *c, int64_t pgid)
{
	return pgid > 0 ? state_thread_get(c->u->st, pgid) : NULL;
}

static size_t group_thread_count(struct extract_ctx *c, const struct state_thread *t)
{
	size_t n = 0;
	uint32_t cursor = 0;
	struct state_thread *o;
	while ((o = state_thread_next(c->u->st, &cursor)) != NULL)
		if (o->pid == t->pid && !(o->tflags & STATE_TH_DEAD))
			n++;
	return n;
}

static int std_fd(struct extract_ctx *c, struct rule_value *out, const struct state_thread *t, int64_t fd, int name)
{
	struct state_fd *f = t->proc ? state_fdtable_get(t->proc->fdt, fd) : NULL;
	if (!f)
		return 0;
	if (name)
		return s_out(c, out, f->name ? f->name : "", f->name_len);
	return cs_out(c, out, state_fd_type_name(f->type));
}

static const char *cgroup_alias(const char *s)
{
	if (strcmp(s, "perf") == 0)
		return "perf_event";
	if (strcmp(s, "mem") == 0)
		return "memory";
	if (strcmp(s, "io") == 0)
		return "blkio";
	return s;
}

static int cgroup_field(struct extract_ctx *c, struct rule_value *out, const struct state_thread *t, const char *subsys)
{
	const char *p = state_str_c(t->cgroups), *end = p + state_str_len(t->cgroups);
	if (p == end)
		return 0;
	if (!subsys) {
		size_t n;
		const char *j = join_list(c, t->cgroups, &n);
		return s_out(c, out, j, n);
	}
	subsys = cgroup_alias(subsys);
	size_t sl = strlen(subsys);
	while (p < end) {
		const char *e = memchr(p, '\0', (size_t)(end - p));
		if (!e)
			e = end;
		if ((size_t)(e - p) > sl && memcmp(p, subsys, sl) == 0 && p[sl] == '=')
			return s_out(c, out, p + sl + 1, (size_t)(e - p - (ptrdiff_t)sl - 1));
		p = e + 1;
	}
	return 0;
}

int extract_proc(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	struct state *st = c->u->st;
	struct state_thread *t = c->u->cur.thread;
	if (ref->id == F_THREAD_TID)
		return extract_val_int(out, ref->type, c->ev->tid);
	if (!t)
		return 0;
	struct state_thread *m = state_main_thread(st, t);
	const struct state_thread *a;
	switch (ref->id) {
	case F_PROC_PID:
		return extract_val_int(out, ref->type, t->pid);
	case F_PROC_PPID:
		a = state_ancestor(st, t, 1);
		return a ? extract_val_int(out, ref->type, a->pid) : 0;
	case F_PROC_APID:
		a = state_ancestor(st, t, anc_level(ref));
		return a ? extract_val_int(out, ref->type, a->pid) : 0;
	case F_PROC_VPID:
		return t->vpid >= 0 ? extract_val_int(out, ref->type, t->vpid) : 0;
	case F_PROC_PVPID: {
		struct state_thread *p = m->ptid > 0 ? state_thread_get(st, m->ptid) : NULL;
		return p && p->vpid >= 0 ? extract_val_int(out, ref->type, p->vpid) : 0;
	}
	case F_THREAD_VTID:
		return t->vtid >= 0 ? extract_val_int(out, ref->type, t->vtid) : 0;
	case F_THREAD_ISMAIN:
		return extract_val_bool(out, t->tid == t->pid);
	case F_PROC_NAME:
		return cs_out(c, out, t->comm);
	case F_PROC_PNAME:
	case F_PROC_ANAME:
		a = field_ancestor(st, t, ref);
		return a ? cs_out(c, out, a->comm) : 0;
	case F_PROC_EXE:
		return str_field(c, out, t->exe);
	case F_PROC_PEXE:
	case F_PROC_AEXE:
		a = field_ancestor(st, t, ref);
		return a ? str_field(c, out, a->exe) : 0;
	case F_PROC_EXEPATH:
		return str_field(c, out, t->exepath);
	case F_PROC_PEXEPATH:
	case F_PROC_AEXEPATH:
		a = field_ancestor(st, t, ref);
		return a ? str_field(c, out, a->exepath) : 0;
	case F_PROC_ARGS: {
		size_t n;
		const char *j = join_list(c, t->args, &n);
		return s_out(c, out, j, n);
	}
	case F_PROC_AARGS: {
		a = state_ancestor(st, t, anc_level(ref));
		if (!a)
			return 0;
		size_t n;
		const char *j = join_list(c, a->args, &n);
		return s_out(c, out, j, n);
	}
	case F_PROC_CMDLINE:
		return cmdline(c, out, t, 0);
	case F_PROC_PCMDLINE:
	case F_PROC_ACMDLINE:
		a = field_ancestor(st, t, ref);
		return a ? cmdline(c, out, a, 0) : 0;
	case F_PROC_EXELINE:
		return cmdline(c, out, t, 1);
	case F_PROC_CMDNARGS: {
		uint64_t n = 0;
		const char *p = state_str_c(t->args);
		for (uint32_t i = 0, start = 0; i <= state_str_len(t->args); i++)
			if (i == state_str_len(t->args) || p[i] == '\0') {
				if (i > start || i < state_str_len(t->args))
					n++;
				start = i + 1;
			}
		return extract_val_int(out, ref->type, state_str_len(t->args) ? (int64_t)n : 0);
	}
	case F_PROC_CMDLENARGS: {
		int64_t n = 0;
		const char *p = state_str_c(t->args);
		for (uint32_t i = 0; i < state_str_len(t->args); i++)
			n += p[i] != '\0';
		return extract_val_int(out, ref->type, n);
	}
	case F_PROC_ENV:
		if (ref->has_arg && ref->arg)
			return env_value(c, out, t, ref->arg) ? 1 : cs_out(c, out, "");
		{
			size_t n;
			const char *j = join_list(c, t->env, &n);
			return s_out(c, out, j, n);
		}
	case F_PROC_AENV:
		if (ref->has_arg && ref->arg && !(ref->arg[0] >= '0' && ref->arg[0] <= '9')) {
			for (unsigned n = 1; n < 64; n++) {
				a = state_ancestor(st, t, n);
				if (!a)
					break;
				if (env_value(c, out, a, ref->arg))
					return 1;
			}
			return cs_out(c, out, "");
		}
		a = state_ancestor(st, t, anc_level(ref));
		if (!a)
			return 0;
		{
			size_t n;
			const char *j = join_list(c, a->env, &n);
			return s_out(c, out, j, n);
		}
	case F_PROC_CWD:
		if (!t->proc)
			return cs_out(c, out, "./");
		return str_field(c, out, t->proc->cwd);
	case F_PROC_TTY:
		return extract_val_int(out, ref->type, t->tty);
	case F_PROC_LOGINSHELLID: {
		int64_t id = -1;
		for (unsigned n = 0; n < 64; n++) {
			a = state_ancestor(st, t, n);
			if (!a)
				break;
			size_t l = strlen(a->comm);
			if (l >= 2 && strcmp(a->comm + l - 2, "sh") == 0)
				id = a->pid;
		}
		return id >= 0 ? extract_val_int(out, ref->type, id) : 0;
	}
	case F_PROC_SID:
		return extract_val_int(out, ref->type, t->sid);
	case F_PROC_SNAME:
		return leader_field(c, out, leader_of(c, t, t->sid, 0), 0);
	case F_PROC_SID_EXE:
		return leader_field(c, out, leader_of(c, t, t->sid, 0), 1);
	case F_PROC_SID_EXEPATH:
		return leader_field(c, out, leader_of(c, t, t->sid, 0), 2);
	case F_PROC_IS_SID_LEADER:
		return extract_val_bool(out, t->sid == t->vpid);
	case F_PROC_VPGID:
		return extract_val_int(out, ref->type, t->vpgid);
	case F_PROC_VPGID_NAME:
		return leader_field(c, out, leader_of(c, t, t->vpgid, 1), 0);
	case F_PROC_VPGID_EXE:
		return leader_field(c, out, leader_of(c, t, t->vpgid, 1), 1);
	case F_PROC_VPGID_EXEPATH:
		return leader_field(c, out, leader_of(c, t, t->vpgid, 1), 2);
	case F_PROC_IS_VPGID_LEADER:
		return extract_val_bool(out, t->vpgid == t->vpid);
	case F_PROC_PGID:
		return extract_val_int(out, ref->type, t->pgid);
	case F_PROC_PGID_NAME:
		return leader_field(c, out, pgid_leader(c, t->pgid), 0);
	case F_PROC_PGID_EXE:
		return leader_field(c, out, pgid_leader(c, t->pgid), 1);
	case F_PROC_PGID_EXEPATH:
		return leader_field(c, out, pgid_leader(c, t->pgid), 2);
	case F_PROC_IS_PGID_LEADER:
		return extract_val_bool(out, t->pgid == t->pid);
	case F_PROC_IS_EXE_UPPER_LAYER:
		return extract_val_bool(out, t->exe_flags & SK_EXE_UPPER_LAYER);
	case F_PROC_IS_EXE_LOWER_LAYER:
		return extract_val_bool(out, t->exe_flags & SK_EXE_LOWER_LAYER);
	case F_PROC_IS_EXE_FROM_MEMFD:
		return extract_val_bool(out, t->exe_flags & SK_EXE_FROM_MEMFD);
	case F_PROC_IS_EXE_WRITABLE:
		return extract_val_bool(out, t->exe_flags & SK_EXE_WRITABLE);
	case F_PROC_EXE_INO:
		return t->exe_ino ? extract_val_int(out, ref->type, (int64_t)t->exe_ino) : 0;
	case F_PROC_EXE_INO_CTIME:
		return t->exe_ino_ctime ? extract_val_int(out, ref->type, (int64_t)t->exe_ino_ctime) : 0;
	case F_PROC_EXE_INO_MTIME:
		return t->exe_ino_mtime ? extract_val_int(out, ref->type, (int64_t)t->exe_ino_mtime) : 0;
	case F_PROC_EXE_INO_CTIME_DURATION_PROC_START:
		if (!t->exe_ino_ctime || !t->clone_ts || t->clone_ts < t->exe_ino_ctime)
			return 0;
		return extract_val_int(out, ref->type, (int64_t)(t->clone_ts - t->exe_ino_ctime));
	case F_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
		if (!t->exe_ino_ctime || !t->pidns_init_start_ts || t->exe_ino_ctime <= t->pidns_init_start_ts)
			return 0;
		return extract_val_int(out, ref->type, (int64_t)(t->exe_ino_ctime - t->pidns_init_start_ts));
	case F_PROC_PIDNS_INIT_START_TS:
		return t->pidns_init_start_ts ? extract_val_int(out, ref->type, (int64_t)t->pidns_init_start_ts) : 0;
	case F_PROC_DURATION:
		if (!t->clone_ts || c->ev->ts < t->clone_ts)
			return 0;
		return extract_val_int(out, ref->type, (int64_t)(c->ev->ts - t->clone_ts));
	case F_PROC_PID_TS:
		return t->clone_ts ? extract_val_int(out, ref->type, (int64_t)t->clone_ts) : 0;
	case F_PROC_PPID_TS:
		a = state_ancestor(st, t, 1);
		return a && a->clone_ts ? extract_val_int(out, ref->type, (int64_t)a->clone_ts) : 0;
	case F_PROC_PPID_DURATION:
		a = state_ancestor(st, t, 1);
		if (!a)
			return 0;
		if (!a->clone_ts) /* upstream falls through to the fd count here (reproduced) */
			return extract_val_int(out, ref->type, m->proc ? m->proc->fdt->count : 0);
		return extract_val_int(out, ref->type, (int64_t)(c->ev->ts - a->clone_ts));
	case F_THREAD_CAP_EFFECTIVE:
		return caps_text(c, out, t->cap_eff);
	case F_THREAD_CAP_PERMITTED:
		return caps_text(c, out, t->cap_prm);
	case F_THREAD_CAP_INHERITABLE:
		return caps_text(c, out, t->cap_inh);
	case F_PROC_FDLIMIT:
		return extract_val_int(out, ref->type, m->fdlimit);
	case F_PROC_FDOPENCOUNT:
		return extract_val_int(out, ref->type, t->proc ? t->proc->fdt->count : 0);
	case F_PROC_FDUSAGE: {
		out->type = RF_DOUBLE;
		out->v.d = (m->fdlimit > 0 && t->proc) ? 100.0 * t->proc->fdt->count / (double)m->fdlimit : 0.0;
		return 1;
	}
	case F_PROC_VMSIZE:
		return extract_val_int(out, ref->type, m->vmsize);
	case F_PROC_VMRSS:
		return extract_val_int(out, ref->type, m->vmrss);
	case F_PROC_VMSWAP:
		return extract_val_int(out, ref->type, m->vmswap);
	case F_THREAD_VMSIZE:
		return extract_val_int(out, ref->type, t == m ? t->vmsize : 0);
	case F_THREAD_VMRSS:
		return extract_val_int(out, ref->type, t == m ? t->vmrss : 0);
	case F_THREAD_VMSIZE_B:
		return extract_val_int(out, ref->type, t == m ? (int64_t)t->vmsize * 1024 : 0);
	case F_THREAD_VMRSS_B:
		return extract_val_int(out, ref->type, t == m ? (int64_t)t->vmrss * 1024 : 0);
	case F_THREAD_PFMAJOR:
		return extract_val_int(out, ref->type, (int64_t)t->pfmajor);
	case F_THREAD_PFMINOR:
		return extract_val_int(out, ref->type, (int64_t)t->pfminor);
	case F_PROC_NTHREADS:
		return extract_val_int(out, ref->type, (int64_t)group_thread_count(c, t));
	case F_PROC_NCHILDS: {
		size_t n = group_thread_count(c, t);
		return extract_val_int(out, ref->type, n ? (int64_t)n - 1 : 0);
	}
	case F_THREAD_CGROUPS:
		return cgroup_field(c, out, t, NULL);
	case F_THREAD_CGROUP:
		return ref->arg ? cgroup_field(c, out, t, ref->arg) : 0;
	case F_PROC_STDIN_TYPE: return std_fd(c, out, t, 0, 0);
	case F_PROC_STDIN_NAME: return std_fd(c, out, t, 0, 1);
	case F_PROC_STDOUT_TYPE: return std_fd(c, out, t, 1, 0);
	case F_PROC_STDOUT_NAME: return std_fd(c, out, t, 1, 1);
	case F_PROC_STDERR_TYPE: return std_fd(c, out, t, 2, 0);
	case F_PROC_STDERR_NAME: return std_fd(c, out, t, 2, 1);
	case F_THREAD_NAMETID: {
		char *b = extract_ctx_scratch(c, 64);
		int n = snprintf(b, 64, "%s%" PRId64, t->comm, t->tid);
		return s_out(c, out, b, (size_t)n);
	}
	case F_THREAD_EXECTIME:
	case F_THREAD_TOTEXECTIME:
		return extract_val_int(out, ref->type, 0);
	default:
		/* thread.cpu* exist only on procinfo events */
		return 0;
	}
}
