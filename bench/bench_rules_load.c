/* bench/bench_rules_load.c: load time of the upstream rulesets, and rule evaluations per second over a synthetic mixed event stream. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields/fields.h"
#include "rules/rules.h"
#include "bench/bench_util.h"

#define RULES_DIR "../shared/peers/rules"
static const char *const files[] = {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"};
#define NFILES (sizeof(files) / sizeof(files[0]))

static struct rule_set *load_all(int match_all)
{
	struct rule_load_opts o = {.registry = field_registry(), .min_priority = RULE_PRIO_DEBUG,
				   .rule_matching_all = match_all};
	struct rule_loader *l = rule_loader_new(&o);
	if (!l)
		return NULL;
	struct rule_set *rs = NULL;
	int ok = 1;
	for (size_t i = 0; i < NFILES && ok; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", RULES_DIR, files[i]);
		ok = rule_loader_add_path(l, path) == 0;
	}
	if (ok)
		rs = rule_loader_build(l);
	if (!rs) {
		const struct rule_diag_list *d = rule_loader_diags(l);
		for (size_t k = 0; k < d->n; k++)
			if (rule_diag_is_error(d->v[k].code))
				rule_diag_print(stderr, &d->v[k]);
	}
	rule_loader_free(l);
	return rs;
}

/* ---- synthetic events ---------------------------------------------------- */

/* One event: a type name and "field=value" pairs; fields not given have no value. */
struct ev_spec {
	const char *type;
	const char *kv[24];
};

static const char *const common[] = {
	"user.name=root", "user.uid=0", "user.loginuid=-1", "proc.tty=0", "container.id=host", "evt.res=SUCCESS",
	"evt.rawres=0", "proc.vpid=1", "proc.cwd=/root/", "evt.hostname=bench", "group.gid=0", NULL};

static const struct ev_spec specs[] = {
	{"openat", {"proc.name=cat", "proc.exe=/usr/bin/cat", "proc.exepath=/usr/bin/cat", "proc.cmdline=cat /etc/passwd",
		    "proc.pname=bash", "proc.pcmdline=bash", "proc.aname=bash", "fd.name=/etc/passwd",
		    "fd.directory=/etc", "fd.filename=passwd", "fd.typechar=f", "fd.type=file", "evt.arg.flags=O_RDONLY",
		    "evt.is_open_read=true", "evt.is_open_write=false", "fd.num=3", NULL}},
	{"openat", {"proc.name=nginx", "proc.exe=/usr/sbin/nginx", "proc.exepath=/usr/sbin/nginx",
		    "proc.cmdline=nginx -g daemon off;", "proc.pname=nginx", "proc.aname=containerd-shim",
		    "fd.name=/var/log/nginx/access.log", "fd.directory=/var/log/nginx", "fd.filename=access.log",
		    "fd.typechar=f", "fd.type=file", "evt.arg.flags=O_WRONLY|O_APPEND", "evt.is_open_read=false",
		    "evt.is_open_write=true", "fd.num=5", NULL}},
	{"open", {"proc.name=python3", "proc.exe=/usr/bin/python3", "proc.cmdline=python3 app.py", "proc.pname=sh",
		  "fd.name=/etc/shadow", "fd.directory=/etc", "fd.filename=shadow", "fd.typechar=f", "fd.type=file",
		  "evt.arg.flags=O_RDONLY", "evt.is_open_read=true", "evt.is_open_write=false", NULL}},
	{"execve", {"proc.name=bash", "proc.exe=/bin/bash", "proc.exepath=/usr/bin/bash", "proc.cmdline=bash -c id",
		    "proc.args=-c id", "proc.pname=sshd", "proc.pcmdline=sshd: root@pts/0", "proc.aname=sshd",
		    "proc.pexe=/usr/sbin/sshd", "evt.arg.filename=/bin/bash", "proc.tty=34816", NULL}},
	{"execve", {"proc.name=curl", "proc.exe=/usr/bin/curl", "proc.exepath=/usr/bin/curl",
		    "proc.cmdline=curl -s http://example.com/x.sh", "proc.args=-s http://example.com/x.sh",
		    "proc.pname=sh", "proc.aname=sh", "proc.pexe=/bin/sh", NULL}},
	{"connect", {"proc.name=curl", "proc.exe=/usr/bin/curl", "proc.cmdline=curl -s http://example.com/x.sh",
		     "fd.name=10.0.0.5:51234->93.184.216.34:80", "fd.typechar=4", "fd.type=ipv4", "fd.l4proto=tcp",
		     "fd.rport=80", "fd.lport=51234", "fd.sport=80", "fd.sip=93.184.216.34", "fd.rip=93.184.216.34",
		     "fd.ip=93.184.216.34", "fd.connected=true", NULL}},
	{"accept", {"proc.name=sshd", "proc.exe=/usr/sbin/sshd", "proc.cmdline=sshd -D", "fd.typechar=4",
		    "fd.type=ipv4", "fd.l4proto=tcp", "fd.lport=22", "fd.sport=22", "fd.cip=10.0.0.9", NULL}},
	{"socket", {"proc.name=ping", "proc.exe=/usr/bin/ping", "evt.arg.domain=AF_INET", NULL}},
	{"close", {"proc.name=cat", "fd.name=/etc/passwd", "fd.typechar=f", "fd.type=file", NULL}},
	{"read", {"proc.name=cat", "fd.name=/etc/passwd", "fd.typechar=f", "fd.type=file", NULL}},
	{"write", {"proc.name=bash", "fd.name=/dev/pts/0", "fd.typechar=f", "fd.type=file", NULL}},
	{"unlinkat", {"proc.name=rm", "proc.cmdline=rm -f /var/log/syslog", "evt.arg.name=/var/log/syslog",
		      "fd.name=/var/log/syslog", NULL}},
	{"renameat2", {"proc.name=mv", "evt.arg.oldpath=/tmp/a", "evt.arg.newpath=/usr/bin/a", NULL}},
	{"mkdirat", {"proc.name=mkdir", "evt.arg.path=/tmp/x", NULL}},
	{"setuid", {"proc.name=sudo", "evt.arg.uid=0", "proc.pname=bash", NULL}},
	{"ptrace", {"proc.name=gdb", "evt.arg.request=PTRACE_ATTACH", NULL}},
	{"clone", {"proc.name=bash", "proc.pname=sshd", NULL}},
	{"chmod", {"proc.name=chmod", "evt.arg.mode=S_ISUID|S_IXUSR", "evt.arg.filename=/tmp/x", NULL}},
};
#define NSPECS (sizeof(specs) / sizeof(specs[0]))

struct val {
	int set;
	struct rule_value v;
};

struct synth {
	uint16_t type;
	const char *type_name;
	struct val *vals; /* indexed by field id */
};

static const struct rule_field_def *find_def(const char *name, size_t namelen, const char **arg)
{
	const struct rule_field_registry *reg = field_registry();
	*arg = NULL;
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		size_t dl = strlen(d->name);
		if (dl == namelen && !memcmp(d->name, name, dl))
			return d;
		if ((d->flags & RFF_ARG_DOTTED) && dl < namelen && !memcmp(d->name, name, dl) && name[dl] == '.') {
			*arg = name + dl + 1;
			return d;
		}
	}
	return NULL;
}

static void set_value(struct val *v, uint8_t type, const char *text)
{
	v->set = 1;
	v->v.type = type;
	switch (type) {
	case RF_INT64: case RF_INT32: case RF_INT16: case RF_RELTIME: case RF_ABSTIME:
		v->v.v.i = strtoll(text, NULL, 10);
		break;
	case RF_UINT64: case RF_UINT32: case RF_UINT16: case RF_PORT:
		v->v.v.u = strtoull(text, NULL, 10);
		break;
	case RF_BOOL:
		v->v.v.u = !strcmp(text, "true");
		break;
	case RF_DOUBLE:
		v->v.v.d = strtod(text, NULL);
		break;
	case RF_IPADDR: case RF_IPNET:
		v->v.type = RF_IPADDR;
		if (inet_pton(AF_INET, text, v->v.v.ip) != 1)
			v->set = 0;
		break;
	default:
		v->v.v.s = text;
		v->v.len = (uint32_t)strlen(text);
	}
}

struct ctx {
	const struct synth *ev;
	const struct ev_spec *spec;
};

static int extract(void *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct ctx *x = c;
	if (ref->type == RF_EVTTYPE) {
		out->type = RF_EVTTYPE;
		out->v.s = x->ev->type_name;
		out->len = (uint32_t)strlen(x->ev->type_name);
		return 1;
	}
	const struct val *v = &x->ev->vals[ref->id];
	if (!v->set)
		return 0;
	*out = v->v;
	return 1;
}

static int build_events(struct synth *ev)
{
	const struct rule_field_registry *reg = field_registry();
	for (size_t i = 0; i < NSPECS; i++) {
		uint16_t ids[8];
		if (!reg->evttype_lookup(specs[i].type, ids, 8)) {
			fprintf(stderr, "bench_rules_load: unknown event type %s\n", specs[i].type);
			return -1;
		}
		ev[i].type = ids[0];
		ev[i].type_name = specs[i].type;
		ev[i].vals = calloc(F__COUNT, sizeof(*ev[i].vals));
		if (!ev[i].vals)
			return -1;
		for (int pass = 0; pass < 2; pass++) {
			const char *const *kv = pass ? specs[i].kv : common;
			for (size_t k = 0; kv[k]; k++) {
				const char *eq = strchr(kv[k], '=');
				const char *arg;
				const struct rule_field_def *d = find_def(kv[k], (size_t)(eq - kv[k]), &arg);
				if (!d || d->id >= F__COUNT)
					continue;
				/* evt.arg.NAME: every name shares one id, the last one given wins (one per event here) */
				set_value(&ev[i].vals[d->id], d->type, eq + 1);
			}
		}
	}
	return 0;
}

struct counts {
	size_t matches;
};

static void on_match(void *c, const struct rule_match *m)
{
	(void)m;
	((struct counts *)c)->matches++;
}

static int run_stream(struct rule_set *rs, const struct synth *ev, const char *label)
{
	const long n = 200000;
	struct counts cnt = {0};
	double t0 = bench_now();
	for (long i = 0; i < n; i++) {
		struct ctx c = {&ev[i % NSPECS], &specs[i % NSPECS]};
		rule_set_eval(rs, c.ev->type, extract, &c, on_match, &cnt);
	}
	double dt = bench_now() - t0;
	printf("%-34s %10.0f events/s  (%ld events, %zu matches)\n", label, (double)n / dt, n, cnt.matches);
	return 0;
}

int main(void)
{
	FILE *probe = fopen(RULES_DIR "/falco_rules.yaml", "r");
	if (!probe) {
		printf("SKIPPED: %s absent\n", RULES_DIR);
		return 0;
	}
	fclose(probe);
	double t[5];
	for (int i = 0; i < 5; i++) {
		double t0 = bench_now();
		struct rule_set *rs = load_all(0);
		t[i] = (bench_now() - t0) * 1000.0;
		if (!rs)
			return 1;
		if (i == 0)
			printf("upstream rules: %zu rules, %zu macros, %zu lists\n", rule_set_count(rs),
			       rule_set_macro_count(rs), rule_set_list_count(rs));
		rule_set_free(rs);
	}
	qsort(t, 5, sizeof(t[0]), bench_cmp_double);
	printf("%-34s %10.1f ms (median of 5; min %.1f, max %.1f)\n", "load+build 3 upstream files", t[2], t[0], t[4]);

	struct synth ev[NSPECS];
	memset(ev, 0, sizeof(ev));
	int rc = build_events(ev);
	for (int all = 0; rc == 0 && all < 2; all++) {
		struct rule_set *rs = load_all(all);
		if (!rs) {
			rc = 1;
			break;
		}
		size_t per_event = 0;
		for (size_t i = 0; i < NSPECS; i++) {
			struct ctx c = {&ev[i], &specs[i]};
			size_t m = rule_set_eval(rs, ev[i].type, extract, &c, NULL, NULL);
			per_event += m;
		}
		printf("%s: %zu matches over one pass of the %zu synthetic event kinds\n",
		       all ? "rule_matching all" : "rule_matching first", per_event, NSPECS);
		rc = run_stream(rs, ev, all ? "eval, rule_matching all" : "eval, rule_matching first");
		rule_set_free(rs);
	}
	for (size_t i = 0; i < NSPECS; i++)
		free(ev[i].vals);
	return rc;
}
