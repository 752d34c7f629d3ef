/* replay/service/metrics.c: Falco's metrics from the engine's and the probe's counters: Prometheus text 0.0.4, the snapshot's JSON and text; the process's CPU and memory. */
#include "replay/service/service_int.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "json/json.h"
#include "replay/engine/engine.h"
#include "replay/outputs/outputs.h"
#include "rules/rules.h"

void service_buf_printf(struct service_buf *b, const char *fmt, ...)
{
	if (b->full)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->full = 1;
		b->p[b->len] = '\0';
		return;
	}
	b->len += (size_t)n;
}

void service_proc_read(struct service_proc *p)
{
	memset(p, 0, sizeof(*p));
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	double uptime = 0;
	FILE *f = fopen("/proc/uptime", "r");
	if (f) {
		if (fscanf(f, "%lf", &uptime) != 1)
			uptime = 0;
		fclose(f);
	}
	f = fopen("/proc/stat", "r");
	if (f) {
		char line[256];
		unsigned long long bt;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "btime %llu", &bt) == 1)
				p->boot_ns = bt * 1000000000ull;
		fclose(f);
	}
	char buf[1024];
	f = fopen("/proc/self/stat", "r");
	if (!f)
		return;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the command name may hold spaces and parentheses: fields follow the last ')' */
	char *q = strrchr(buf, ')');
	unsigned long long utime, stime, start, vsz;
	long long rss;
	if (!q || sscanf(q + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d %llu %llu %lld",
			 &utime, &stime, &start, &vsz, &rss) != 5 || hz <= 0)
		return;
	double elapsed = uptime - (double)start / (double)hz;
	p->cpu_ratio = elapsed > 0 ? (double)(utime + stime) / (double)hz / elapsed : 0;
	p->rss_bytes = rss > 0 ? (uint64_t)rss * (uint64_t)page : 0;
	p->vsz_bytes = vsz;
	p->ok = 1;
}

/* One metric: its Prometheus name, its snapshot (JSON) name, its kind. */
enum { M_COUNTER, M_GAUGE };
struct metric {
	const char *prom, *json, *help;
	int kind;
	double v;
	int integer;
};

#define MAX_METRICS 32

static size_t collect(const struct engine *e, const struct service_counters *c, const struct service_versions *v,
		      uint64_t start_ns, uint64_t now_ns, struct metric *m)
{
	(void)v;
	struct service_proc p;
	service_proc_read(&p);
	size_t n = 0;
#define ADD(P, J, H, K, V, I) m[n++] = (struct metric){ P, J, H, K, (double)(V), I }
	ADD("falcosecurity_falco_start_timestamp_nanoseconds", "falco.start_ts", "Start of the process, ns since the epoch",
	    M_GAUGE, start_ns, 1);
	ADD("falcosecurity_falco_host_boot_timestamp_nanoseconds", "falco.host_boot_ts", "Host boot time, ns since the epoch",
	    M_GAUGE, p.boot_ns, 1);
	ADD("falcosecurity_falco_duration_seconds_total", "falco.duration_sec", "Seconds since the start", M_COUNTER,
	    (now_ns - start_ns) / 1000000000ull, 1);
	if (c->resource_utilization) {
		ADD("falcosecurity_falco_cpu_usage_ratio", "falco.cpu_usage_perc",
		    "CPU time over wall time since the start (ps %cpu / 100)", M_GAUGE, p.cpu_ratio, 0);
		ADD("falcosecurity_falco_memory_rss_bytes", "falco.memory_rss_bytes", "Resident set size", M_GAUGE,
		    p.rss_bytes, 1);
		ADD("falcosecurity_falco_memory_vsz_bytes", "falco.memory_vsz_bytes", "Virtual memory size", M_GAUGE,
		    p.vsz_bytes, 1);
	}
	if (c->have_probe && c->kernel_counters) {
		ADD("falcosecurity_scap_n_evts_total", "scap.n_evts", "Events the probe delivered", M_COUNTER, c->n_evts, 1);
		ADD("falcosecurity_scap_n_drops_buffer_total", "scap.n_drops_buffer_total", "Events lost to a full ring buffer",
		    M_COUNTER, c->n_drops_buffer, 1);
		ADD("falcosecurity_scap_n_drops_total", "scap.n_drops", "Events lost (saker: only to a full ring buffer)", M_COUNTER,
		    c->n_drops_buffer, 1);
		ADD("saker_probe_copy_failures_total", "saker.probe_copy_failures", "Memory copies in the probe that faulted",
		    M_COUNTER, c->probe_copy_fail, 1);
		ADD("saker_probe_truncated_total", "saker.probe_truncated", "Records cut at the record size limit", M_COUNTER,
		    c->probe_trunc, 1);
		ADD("saker_probe_decode_errors_total", "saker.probe_decode_errors", "Records user space could not decode",
		    M_COUNTER, c->probe_decode_err, 1);
	}
	ADD("saker_events_read_total", "saker.events_read", "Events that reached the engine", M_COUNTER, e->stats.events, 1);
	ADD("saker_events_evaluated_total", "saker.events_evaluated", "Events evaluated against the rules", M_COUNTER,
	    e->stats.evaluated, 1);
	ADD("saker_alerts_total", "falco.rules.matches_total", "Rule matches", M_COUNTER, e->stats.alerts, 1);
	struct output_set *outs = e->o.outputs;
	struct output_set_stats os = { 0 };
	if (outs)
		output_set_stats(outs, &os);
	ADD("saker_outputs_rate_dropped_total", "saker.outputs_rate_dropped", "Alerts outputs.rate did not send", M_COUNTER,
	    os.throttled, 1);
	ADD("saker_outputs_aggregated_total", "saker.outputs_aggregated",
	    "Alerts outputs.aggregate folded into a 'N more' line", M_COUNTER, os.aggregated, 1);
	ADD("saker_outputs_aggregate_lines_total", "saker.outputs_aggregate_lines", "'N more' lines outputs.aggregate sent",
	    M_COUNTER, os.aggregate_lines, 1);
	if (c->have_capture) {
		ADD("saker_capture_bytes_written_total", "saker.capture_bytes_written", "Bytes of -w capture files written",
		    M_COUNTER, c->capture_bytes, 1);
		ADD("saker_capture_files_total", "saker.capture_files", "-w capture files written", M_COUNTER, c->capture_files,
		    1);
	}
	ADD("saker_reloads_total", "saker.reloads", "SIGHUP reloads that took effect", M_COUNTER, c->reloads, 1);
	ADD("saker_reload_failures_total", "saker.reload_failures", "SIGHUP reloads refused (the previous rules stayed)",
	    M_COUNTER, c->reload_failures, 1);
	if (c->have_k8s_audit) {
		ADD("saker_k8s_audit_events_total", "saker.k8s_audit_events", "Audit events the webhook queued", M_COUNTER,
		    c->k8s_audit_events, 1);
		ADD("saker_k8s_audit_requests_refused_total", "saker.k8s_audit_requests_refused",
		    "Webhook requests answered 4xx/5xx", M_COUNTER, c->k8s_audit_refused, 1);
	}
#undef ADD
	return n;
}

/* A label value: backslash, double quote and newline escaped (text format 0.0.4). */
static void label(struct service_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			service_buf_printf(b, "\\\\");
		else if (*s == '"')
			service_buf_printf(b, "\\\"");
		else if (*s == '\n')
			service_buf_printf(b, "\\n");
		else
			service_buf_printf(b, "%c", *s);
	}
}

static void value(struct service_buf *b, const struct metric *m)
{
	if (m->integer)
		service_buf_printf(b, "%.0f\n", m->v);
	else
		service_buf_printf(b, "%.6f\n", m->v);
}

static void family(struct service_buf *b, const char *name, const char *help, const char *type)
{
	service_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void info(struct service_buf *b, const char *name, const char *help, const char *lname, const char *lvalue)
{
	family(b, name, help, "gauge");
	service_buf_printf(b, "%s{%s=\"", name, lname);
	label(b, lvalue);
	service_buf_printf(b, "\"} 1\n");
}

size_t service_metrics_prometheus(const struct engine *e, const struct service_counters *c,
				  const struct service_versions *v, uint64_t start_ns, char *buf, size_t cap)
{
	struct service_buf b = { buf, cap, 0, 0 };
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	struct utsname u;
	if (uname(&u) < 0)
		u.release[0] = '\0';
	info(&b, "falcosecurity_falco_version_info", "saker's version", "version", v->saker);
	info(&b, "falcosecurity_scap_engine_name_info", "The event source", "engine_name",
	     c->have_probe ? "saker_ebpf" : "none");
	info(&b, "falcosecurity_falco_kernel_release_info", "The running kernel", "kernel_release", u.release);
	info(&b, "falcosecurity_evt_hostname_info", "The host name in alerts", "hostname", e->hostname);
	family(&b, "falcosecurity_falco_evt_source_info", "Event sources with rules", "gauge");
	if (c->have_probe)
		service_buf_printf(&b, "falcosecurity_falco_evt_source_info{evt_source=\"syscall\"} 1\n");
	if (c->have_k8s_audit)
		service_buf_printf(&b, "falcosecurity_falco_evt_source_info{evt_source=\"k8s_audit\"} 1\n");
	struct metric m[MAX_METRICS];
	size_t n = collect(e, c, v, start_ns, now, m);
	for (size_t i = 0; i < n; i++) {
		family(&b, m[i].prom, m[i].help, m[i].kind == M_COUNTER ? "counter" : "gauge");
		service_buf_printf(&b, "%s ", m[i].prom);
		value(&b, &m[i]);
	}
	const struct rule_set *rs = e->o.rules;
	if (rs && e->stats.by_rule && c->rules_counters) {
		family(&b, "falcosecurity_falco_rules_matches_total", "Matches per rule", "counter");
		for (size_t i = 0; i < rule_set_count(rs); i++) {
			if (!e->stats.by_rule[i])
				continue;
			const struct rule_info *r = rule_set_rule(rs, i);
			service_buf_printf(&b, "falcosecurity_falco_rules_matches_total{priority=\"%d\",rule_name=\"", r->priority);
			label(&b, r->name);
			service_buf_printf(&b, "\",source=\"");
			label(&b, r->source ? r->source : "syscall");
			service_buf_printf(&b, "\",tags=\"");
			for (size_t t = 0; t < r->ntags; t++) {
				if (t)
					service_buf_printf(&b, ", ");
				label(&b, r->tags[t]);
			}
			service_buf_printf(&b, "\"} %" PRIu64 "\n", e->stats.by_rule[i]);
		}
	}
	return b.full ? cap : b.len;
}

/* Falco's snapshot names a rule's counter falco.rules.NAME with spaces as '_'. */
static void rule_key(char *out, size_t cap, const char *name)
{
	size_t n = (size_t)snprintf(out, cap, "falco.rules.");
	for (; *name && n + 1 < cap; name++)
		out[n++] = *name == ' ' ? '_' : *name;
	out[n] = '\0';
}

static void time_text(char *out, size_t cap, uint64_t ns, int iso)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;
	gmtime_r(&s, &tm);
	if (iso)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09" PRIu64 "Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, (uint64_t)(ns % 1000000000ull));
	else
		snprintf(out, cap, "%02d:%02d:%02d.%09" PRIu64, tm.tm_hour, tm.tm_min, tm.tm_sec, (uint64_t)(ns % 1000000000ull));
}

static void json_str(struct service_buf *b, const char *s)
{
	char tmp[1024];
	struct json_buf j;
	json_buf_init(&j, tmp, sizeof(tmp));
	json_buf_string(&j, s ? s : "", s ? strlen(s) : 0);
	service_buf_printf(b, "%s", tmp);
}

void service_metrics_json(const struct engine *e, const struct service_counters *c, const struct service_versions *v,
			  uint64_t start_ns, uint64_t now_ns, struct service_buf *b)
{
	struct metric m[MAX_METRICS];
	size_t n = collect(e, c, v, start_ns, now_ns, m);
	struct utsname u;
	if (uname(&u) < 0)
		u.release[0] = '\0';
	service_buf_printf(b, "{\"hostname\":");
	json_str(b, e->hostname);
	service_buf_printf(b, ",\"output\":\"Falco metrics snapshot\",\"output_fields\":{\"evt.hostname\":");
	json_str(b, e->hostname);
	service_buf_printf(b, ",\"evt.source\":\"syscall\",\"evt.time\":%" PRIu64 ",\"falco.kernel_release\":", now_ns);
	json_str(b, u.release);
	service_buf_printf(b, ",\"falco.version\":");
	json_str(b, v->saker);
	service_buf_printf(b, ",\"scap.engine_name\":\"%s\"", c->have_probe ? "saker_ebpf" : "none");
	for (size_t i = 0; i < n; i++) {
		service_buf_printf(b, ",\"%s\":", m[i].json);
		if (m[i].integer)
			service_buf_printf(b, "%.0f", m[i].v);
		else if (!strcmp(m[i].json, "falco.cpu_usage_perc"))
			service_buf_printf(b, "%.1f", m[i].v * 100.0);
		else
			service_buf_printf(b, "%.6f", m[i].v);
	}
	const struct rule_set *rs = e->o.rules;
	for (size_t i = 0; rs && e->stats.by_rule && c->rules_counters && i < rule_set_count(rs); i++) {
		char key[512];
		rule_key(key, sizeof(key), rule_set_rule(rs, i)->name);
		service_buf_printf(b, ",");
		json_str(b, key);
		service_buf_printf(b, ":%" PRIu64, e->stats.by_rule[i]);
	}
	char t[64];
	time_text(t, sizeof(t), now_ns, 1);
	service_buf_printf(b, "},\"priority\":\"Informational\",\"rule\":\"Falco internal: metrics snapshot\","
			      "\"source\":\"internal\",\"time\":\"%s\"}", t);
}

void service_metrics_text(const struct engine *e, const struct service_counters *c, const struct service_versions *v,
			  uint64_t start_ns, uint64_t now_ns, struct service_buf *b)
{
	struct metric m[MAX_METRICS];
	size_t n = collect(e, c, v, start_ns, now_ns, m);
	char t[64];
	time_text(t, sizeof(t), now_ns, e->o.time_iso8601);
	service_buf_printf(b, "%s: Informational Falco metrics snapshot falco.version=%s", t, v->saker);
	for (size_t i = 0; i < n; i++) {
		if (m[i].integer)
			service_buf_printf(b, " %s=%.0f", m[i].json, m[i].v);
		else
			service_buf_printf(b, " %s=%.6f", m[i].json, m[i].v);
	}
}
