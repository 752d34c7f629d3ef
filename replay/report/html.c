/* replay/report/html.c: the incident report as one self-contained HTML page (inline CSS and a few lines of script for the filters, no network). */
#include "replay/report/report.h"
#include "replay/engine/engine.h"
#include "formats/flags.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0 2em 3em;color:#222;background:#fafafa}"
	"h1{margin:.6em 0 .2em}h2{border-bottom:2px solid #ccc;padding-bottom:.2em;margin-top:1.6em}"
	"dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dl.meta dt{font-weight:600}"
	"table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:.25em .5em;"
	"text-align:left;vertical-align:top}th{background:#eee}"
	"code,.mono{font-family:ui-monospace,monospace;font-size:12.5px}"
	".strip{position:relative;height:28px;background:#fff;border:1px solid #ccc;margin:.5em 0 1em}"
	".tick{position:absolute;top:3px;width:4px;height:20px;margin-left:-2px;border-radius:1px}"
	".p0,.p1,.p2{background:#b00020;color:#fff}.p3{background:#e65100;color:#fff}.p4{background:#f9a825}"
	".p5{background:#1565c0;color:#fff}.p6,.p7{background:#90a4ae}"
	"tr.alert:target,li.proc:target>.node{outline:3px solid #1565c0}"
	".prio{padding:0 .4em;border-radius:3px;font-weight:600;white-space:nowrap}"
	"ul.tree,ul.tree ul{list-style:none;padding-left:1.4em;border-left:1px dashed #bbb;margin:.2em 0}"
	"ul.tree{border-left:none;padding-left:0}"
	".node{display:inline-block;background:#fff;border:1px solid #ccc;border-radius:4px;padding:.3em .6em;"
	"margin:.2em 0}.node.alerting{border:2px solid #b00020;background:#fff5f5}"
	".node .name{font-weight:700}.muted{color:#666}.acts{margin:.2em 0 0 0;padding-left:1.2em}"
	"details>summary{cursor:pointer;color:#1565c0}td.when{white-space:nowrap}code.cmdline{word-break:break-all}"
	".axis{display:flex;justify-content:space-between;font-size:12px;color:#666;margin-top:-.8em}"
	"[hidden]{display:none!important}form#filters{position:sticky;top:0;background:#fafafa;padding:.5em 0;"
	"border-bottom:1px solid #ccc;z-index:2}form#filters label{margin-right:1em}"
	"details.lead table{margin:.3em 0;font-size:12px}details.lead td{border-color:#eee}"
	"td.inc a,td.inc{white-space:nowrap}";

/* The filters: a few lines of plain script, no library, no network. Rows and
 * ticks carry data-priority/rule/proc/container; an incident row is shown
 * while one of its alerts is. */
static const char script[] =
	"(function(){var f=document.getElementById('filters');"
	"function apply(){var p=+f.priority.value,r=f.rule.value,n=f.proc.value,c=f.container.value,"
	"shown=0,inc={};"
	"document.querySelectorAll('[data-priority]').forEach(function(e){var d=e.dataset,"
	"ok=+d.priority<=p&&(!r||d.rule===r)&&(!n||d.proc===n)&&(!c||d.container===c);e.hidden=!ok;"
	"if(ok&&e.tagName==='TR'){shown++;inc[d.incident]=1;}});"
	"document.querySelectorAll('tr.incident').forEach(function(e){e.hidden=!inc[e.dataset.incident];});"
	"document.getElementById('shown').textContent=shown;}"
	"f.addEventListener('change',apply);f.addEventListener('reset',function(){setTimeout(apply,0);});"
	"apply();})();";

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

static void htime(FILE *f, uint64_t ts)
{
	char b[64];
	if (!ts) {
		fputs("<span class=\"muted\">unknown</span>", f);
		return;
	}
	report_time(ts, b, sizeof(b));
	fputs(b, f);
}

static void prio_badge(FILE *f, int prio)
{
	fprintf(f, "<span class=\"prio p%d\">%s</span>", prio >= 0 && prio < 8 ? prio : 7, rule_priority_name(prio));
}

static void write_header(const struct report_model *m, const struct engine *e, FILE *f)
{
	const char *host = m->nsources && m->sources[0].hostname ? m->sources[0].hostname : "";
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\"><title>saker incident report ",
	      f);
	esc(f, host);
	fprintf(f, "</title><style>%s</style></head><body>\n<h1>Incident report</h1>\n", css);
	fputs("<dl class=\"meta\" id=\"capture\"><dt>Host</dt><dd id=\"host\">", f);
	esc(f, host[0] ? host : "unknown");
	fputs("</dd><dt>Kernel</dt><dd>", f);
	esc(f, m->nsources && m->sources[0].kernel && m->sources[0].kernel[0] ? m->sources[0].kernel : "unknown");
	fputs("</dd><dt>Captures</dt><dd>", f);
	uint64_t drops = 0;
	for (size_t i = 0; i < m->nsources; i++) {
		fputs(i ? "<br><code>" : "<code>", f);
		esc(f, m->sources[i].path);
		fputs("</code>", f);
		drops += m->sources[i].drops;
	}
	fputs("</dd><dt>Time range</dt><dd>", f);
	htime(f, m->first_ts);
	fputs(" &ndash; ", f);
	htime(f, m->last_ts);
	fprintf(f, " (%.3f s)</dd><dt>Events</dt><dd>%" PRIu64 "</dd><dt>Dropped events</dt><dd id=\"drops\">%" PRIu64
		   "</dd><dt>Alerts</dt><dd id=\"alert-count\">%" PRIu64 "</dd></dl>\n",
		m->last_ts > m->first_ts ? (double)(m->last_ts - m->first_ts) / 1e9 : 0.0, e->stats.events, drops,
		e->stats.alerts);
}

static void write_counts(const struct report_model *m, const struct engine *e, FILE *f)
{
	fputs("<h2 id=\"summary\">Counts</h2>\n<table id=\"by-priority\"><tr><th>Priority</th><th>Alerts</th></tr>", f);
	for (int p = 0; p < 8; p++)
		if (e->stats.by_priority[p]) {
			fputs("<tr><td>", f);
			prio_badge(f, p);
			fprintf(f, "</td><td>%" PRIu64 "</td></tr>", e->stats.by_priority[p]);
		}
	fputs("</table>\n<p></p><table id=\"by-rule\"><tr><th>Rule</th><th>Alerts</th></tr>", f);
	for (size_t i = 0; m->rs && e->stats.by_rule && i < rule_set_count(m->rs); i++)
		if (e->stats.by_rule[i]) {
			fputs("<tr><td>", f);
			esc(f, rule_set_rule(m->rs, i)->name);
			fprintf(f, "</td><td>%" PRIu64 "</td></tr>", e->stats.by_rule[i]);
		}
	fputs("</table>\n", f);
}

/* "name (pid)" linked to the process's node in the trees. */
static void proc_link(const struct report_model *m, int64_t i, FILE *f)
{
	fprintf(f, "<a class=\"proc-link\" href=\"#proc-%" PRId64 "\">", i);
	esc(f, m->procs[i].name);
	fprintf(f, " (%" PRId64 ")</a>", m->procs[i].pid);
}

static const char *alert_container(const struct report_model *m, const struct report_alert *a)
{
	return a->proc >= 0 && m->procs[a->proc].container_id[0] ? m->procs[a->proc].container_id : "host";
}

static const char *alert_proc(const struct report_model *m, const struct report_alert *a)
{
	return a->proc >= 0 ? m->procs[a->proc].name : "";
}

/* What the filters match on (the script reads them). */
static void data_attrs(const struct report_model *m, const struct report_alert *a, FILE *f)
{
	fprintf(f, " data-priority=\"%d\" data-incident=\"%" PRId64 "\" data-rule=\"", a->priority, a->incident);
	esc(f, rule_set_rule(m->rs, a->rule_index)->name);
	fputs("\" data-proc=\"", f);
	esc(f, alert_proc(m, a));
	fputs("\" data-container=\"", f);
	esc(f, alert_container(m, a));
	fputc('"', f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One <select> of the distinct values of the listed alerts. */
static void select_of(const struct report_model *m, const char *name, const char *label,
		      const char *(*value)(const struct report_model *, const struct report_alert *), FILE *f)
{
	const char **v = malloc((m->nalerts ? m->nalerts : 1) * sizeof(*v));
	fprintf(f, "<label>%s <select name=\"%s\"><option value=\"\">all</option>", label, name);
	if (v) {
		for (size_t i = 0; i < m->nalerts; i++)
			v[i] = value(m, &m->alerts[i]);
		qsort(v, m->nalerts, sizeof(*v), cmp_str);
		for (size_t i = 0; i < m->nalerts; i++) {
			if ((i && !strcmp(v[i], v[i - 1])) || !v[i][0])
				continue;
			fputs("<option value=\"", f);
			esc(f, v[i]);
			fputs("\">", f);
			esc(f, v[i]);
			fputs("</option>", f);
		}
		free(v);
	}
	fputs("</select></label>", f);
}

static const char *alert_rule(const struct report_model *m, const struct report_alert *a)
{
	return rule_set_rule(m->rs, a->rule_index)->name;
}

static void write_filters(const struct report_model *m, FILE *f)
{
	fputs("<form id=\"filters\" onsubmit=\"return false\"><label>Priority <select name=\"priority\">"
	      "<option value=\"7\">any</option>", f);
	for (int p = 6; p >= 0; p--)
		fprintf(f, "<option value=\"%d\">%s%s</option>", p, rule_priority_name(p), p ? " or more severe" : "");
	fputs("</select></label>", f);
	select_of(m, "rule", "Rule", alert_rule, f);
	select_of(m, "proc", "Process", alert_proc, f);
	select_of(m, "container", "Container", alert_container, f);
	fprintf(f, "<button type=\"reset\">reset</button> <span class=\"muted\"><span id=\"shown\">%zu</span> of %zu "
		   "listed alerts shown</span></form>\n", m->nalerts, m->nalerts);
}

/* The tactics of a rule's tags, appended to list (distinct, at most cap). */
static size_t rule_tactics(const struct rule_info *r, const char **list, size_t n, size_t cap)
{
	for (size_t k = 0; k < r->ntags; k++) {
		const char *t = report_mitre_tactic(r->tags[k], NULL);
		int seen = 0;
		for (size_t i = 0; t && i < n; i++)
			seen |= list[i] == t;
		if (t && !seen && n < cap)
			list[n++] = t;
	}
	return n;
}

static void write_incidents(const struct report_model *m, FILE *f)
{
	fprintf(f, "<h2 id=\"incidents\">Incidents</h2>\n<p class=\"muted\">Alerts whose processes share a lineage (a "
		   "common ancestor below the top two levels of the process tree, or one process descending from the "
		   "other) less than %.0f s apart. The entry process is the lineage's common ancestor.</p>\n",
		(double)m->gap_ns / 1e9);
	fputs("<table id=\"incident-table\"><tr><th>#</th><th>Time (UTC)</th><th>Priority</th><th>Alerts</th>"
	      "<th>Rules</th><th>Entry process</th><th>Container</th><th>ATT&amp;CK tactics</th></tr>\n", f);
	for (size_t k = 0; k < m->nincidents; k++) {
		const struct report_incident *c = &m->incidents[k];
		fprintf(f, "<tr class=\"incident\" id=\"incident-%zu\" data-incident=\"%zu\"><td>%zu</td><td class=\"mono when\">",
			k, k, k + 1);
		htime(f, c->first_ts);
		if (c->last_ts != c->first_ts) {
			fputs("<br>", f);
			htime(f, c->last_ts);
		}
		fputs("</td><td>", f);
		prio_badge(f, c->priority);
		fprintf(f, "</td><td>%zu</td><td class=\"rules\">", c->nalerts);
		const char *tactics[16];
		size_t nt = 0;
		for (size_t i = 0; c->rules && i < c->nrules; i++) {
			const struct rule_info *r = rule_set_rule(m->rs, c->rules[i]);
			fputs(i ? "<br>" : "", f);
			esc(f, r->name);
			nt = rule_tactics(r, tactics, nt, 16);
		}
		fputs("</td><td>", f);
		if (c->root >= 0) {
			const struct report_proc *p = &m->procs[c->root];
			proc_link(m, c->root, f);
			fputs(" <code class=\"cmdline\">", f);
			esc(f, p->cmdline);
			fputs("</code></td><td>", f);
			esc(f, p->container_id[0] ? (p->container_name[0] ? p->container_name : p->container_id) : "host");
		} else {
			fputs("<span class=\"muted\">no process</span></td><td>", f);
		}
		fputs("</td><td>", f);
		for (size_t i = 0; i < nt; i++) {
			fputs(i ? ", " : "", f);
			esc(f, tactics[i]);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void write_mitre(const struct report_model *m, FILE *f)
{
	size_t n;
	struct report_mitre *rows = report_mitre_table(m, &n);
	fputs("<h2 id=\"mitre\">MITRE ATT&amp;CK</h2>\n<p class=\"muted\">Tactics (<code>mitre_*</code> tags) and "
	      "techniques (<code>T1234</code> tags) of the rules that fired.</p>\n", f);
	if (!n) {
		fputs("<p id=\"mitre-none\">No rule that fired carries ATT&amp;CK tags.</p>\n", f);
		free(rows);
		return;
	}
	fputs("<table id=\"mitre-table\"><tr><th>Tactic</th><th>Technique</th><th>Alerts</th><th>Rules</th></tr>\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr class=\"mitre\"><td>", f);
		if (strcmp(rows[i].tactic_id, "-")) {
			esc(f, rows[i].tactic_id);
			fputs(" ", f);
		}
		esc(f, rows[i].tactic);
		fputs("</td><td>", f);
		esc(f, rows[i].technique);
		if (rows[i].technique_name[0]) {
			fputs(" ", f);
			esc(f, rows[i].technique_name);
		}
		fprintf(f, "</td><td>%zu</td><td>%zu</td></tr>\n", rows[i].alerts, rows[i].rules);
	}
	fputs("</table>\n", f);
	free(rows);
}

static void write_lead(const struct report_model *m, const struct report_alert *a, FILE *f)
{
	if (!a->nlead)
		return;
	fprintf(f, "<details class=\"lead\"><summary>lead-up (%u events)</summary><table><tr><th>Time (UTC)</th>"
		   "<th>Process</th><th>Event</th><th>Result</th><th>Detail</th></tr>", a->nlead);
	for (uint32_t i = 0; i < a->nlead; i++) {
		const struct report_lead *l = &a->lead[i];
		fputs("<tr><td class=\"mono when\">", f);
		htime(f, l->ts);
		fputs("</td><td>", f);
		if (l->proc >= 0) {
			esc(f, m->procs[l->proc].name);
			fprintf(f, " (%" PRId64 ")", m->procs[l->proc].pid);
		}
		fprintf(f, "</td><td class=\"mono\">%s ", sk_event_is_exit(l->type) ? "&lt;" : "&gt;");
		esc(f, l->name);
		fputs("</td><td class=\"mono\">", f);
		if (l->has_res) {
			fprintf(f, "%" PRId64, l->res);
			const char *en = l->res < 0 ? sk_errno_name(l->res) : NULL;
			if (en) {
				fputs(" ", f);
				esc(f, en);
			}
		}
		fputs("</td><td class=\"mono\">", f);
		esc(f, l->detail);
		fputs("</td></tr>", f);
	}
	fputs("</table></details>", f);
}

static void write_timeline(const struct report_model *m, FILE *f)
{
	fputs("<h2 id=\"timeline\">Timeline</h2>\n<div class=\"strip\" title=\"alerts over the capture\">", f);
	double span = m->last_ts > m->first_ts ? (double)(m->last_ts - m->first_ts) : 1.0;
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct report_alert *a = &m->alerts[i];
		double x = a->ts > m->first_ts ? (double)(a->ts - m->first_ts) * 100.0 / span : 0.0;
		fprintf(f, "<a class=\"tick p%d\" style=\"left:%.2f%%\" href=\"#alert-%zu\"", a->priority, x, i);
		data_attrs(m, a, f);
		fputs(" title=\"", f);
		esc(f, rule_set_rule(m->rs, a->rule_index)->name);
		fputs("\"></a>", f);
	}
	fputs("</div>\n<div class=\"axis\"><span>", f);
	htime(f, m->first_ts);
	fputs("</span><span>", f);
	htime(f, m->last_ts);
	fputs("</span></div>\n<table id=\"alerts\"><tr><th>Time (UTC)</th><th>Priority</th><th>Rule</th><th>Process</th>"
	      "<th>Incident</th><th>Output</th></tr>\n",
	      f);
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct report_alert *a = &m->alerts[i];
		fprintf(f, "<tr class=\"alert\" id=\"alert-%zu\"", i);
		data_attrs(m, a, f);
		fputs("><td class=\"mono when\">", f);
		htime(f, a->ts);
		fputs("</td><td>", f);
		prio_badge(f, a->priority);
		fputs("</td><td class=\"rule\">", f);
		esc(f, rule_set_rule(m->rs, a->rule_index)->name);
		fputs("</td><td>", f);
		if (a->proc >= 0)
			proc_link(m, a->proc, f);
		fputs("</td><td class=\"inc\">", f);
		if (a->incident >= 0)
			fprintf(f, "<a href=\"#incident-%" PRId64 "\">#%" PRId64 "</a>", a->incident, a->incident + 1);
		fputs("</td><td class=\"mono\">", f);
		esc(f, a->text);
		write_lead(m, a, f);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (m->dropped_alerts)
		fprintf(f, "<p class=\"muted\">%zu more alerts are counted above but not listed.</p>\n", m->dropped_alerts);
}

static const char *act_label(uint8_t k)
{
	switch (k) {
	case REPORT_ACT_EXEC: return "exec";
	case REPORT_ACT_WRITE: return "wrote";
	case REPORT_ACT_CONNECT: return "connect";
	default: return "accept";
	}
}

static void write_node(const struct report_model *m, size_t i, int depth, FILE *f)
{
	const struct report_proc *p = &m->procs[i];
	fprintf(f, "<li class=\"proc\" id=\"proc-%zu\" data-pid=\"%" PRId64 "\"><div class=\"node%s\">", i, p->pid,
		p->nalerts ? " alerting" : "");
	fputs("<span class=\"name\">", f);
	esc(f, p->name);
	fprintf(f, "</span> <span class=\"muted\">pid %" PRId64 "</span> <code class=\"cmdline\">", p->pid);
	esc(f, p->cmdline);
	fputs("</code><br><span class=\"muted\">user</span> ", f);
	esc(f, p->user[0] ? p->user : "?");
	fprintf(f, " (uid %u) <span class=\"muted\">container</span> ", p->uid);
	if (p->container_id[0]) {
		esc(f, p->container_name[0] ? p->container_name : p->container_id);
		fputs(" <code>", f);
		esc(f, p->container_id);
		fputs("</code>", f);
	} else {
		fputs("host", f);
	}
	fputs(" <span class=\"muted\">started</span> ", f);
	htime(f, p->start_ts);
	fputs(" <span class=\"muted\">exited</span> ", f);
	if (p->exit_ts)
		htime(f, p->exit_ts);
	else
		fputs("&ndash;", f);
	if (p->nalerts) {
		fputs("<br><span class=\"muted\">alerts</span>", f);
		for (size_t k = 0; k < m->nalerts; k++)
			if (m->alerts[k].proc == (int64_t)i) {
				fprintf(f, " <a class=\"alert-link prio p%d\" href=\"#alert-%zu\">", m->alerts[k].priority, k);
				esc(f, rule_set_rule(m->rs, m->alerts[k].rule_index)->name);
				fputs("</a>", f);
			}
	}
	if (p->nfacts) {
		fprintf(f, "<details%s><summary>activity (%zu)</summary><ul class=\"acts\">", p->nalerts ? " open" : "",
			p->nfacts);
		for (size_t k = 0; k < p->nfacts; k++) {
			fprintf(f, "<li class=\"act-%s\"><span class=\"muted mono\">", act_label(p->facts[k].kind));
			htime(f, p->facts[k].ts);
			fprintf(f, "</span> %s <code>", act_label(p->facts[k].kind));
			esc(f, p->facts[k].text);
			fputs("</code></li>", f);
		}
		if (p->dropped_facts)
			fprintf(f, "<li class=\"muted\">%zu more not listed</li>", p->dropped_facts);
		fputs("</ul></details>", f);
	}
	fputs("</div>", f);
	int open = 0;
	for (size_t k = 0; k < m->nprocs && depth < 64; k++)
		if (m->procs[k].included && m->procs[k].parent == (int64_t)i) {
			if (!open)
				fputs("<ul>", f);
			open = 1;
			write_node(m, k, depth + 1, f);
		}
	if (open)
		fputs("</ul>", f);
	fputs("</li>\n", f);
}

int report_write_html(const struct report_model *m, const struct engine *e, FILE *f)
{
	write_header(m, e, f);
	write_filters(m, f);
	write_incidents(m, f);
	write_counts(m, e, f);
	write_mitre(m, f);
	write_timeline(m, f);
	fputs("<h2 id=\"processes\">Process trees</h2>\n<p class=\"muted\">Alerting processes (red), their "
	      "ancestry and their descendants, with the programs they ran, the files they opened for writing and "
	      "the connections they made.</p>\n<ul class=\"tree\">\n",
	      f);
	for (size_t i = 0; i < m->nprocs; i++) {
		int64_t par = m->procs[i].parent;
		if (m->procs[i].included && (par < 0 || !m->procs[par].included))
			write_node(m, i, 0, f);
	}
	fputs("</ul>\n", f);
	if (m->untracked_procs)
		fprintf(f, "<p class=\"muted\">%zu processes were not tracked (report bound).</p>\n", m->untracked_procs);
	if (m->procs_without_lead)
		fprintf(f, "<p class=\"muted\">%zu processes beyond the lead-up memory bound have no lead-up.</p>\n",
			m->procs_without_lead);
	fprintf(f, "<footer class=\"muted\"><p>Generated by saker-replay (lead-ups of %u events, incident gap %.0f s)."
		   "</p></footer>\n<script>%s</script>\n</body></html>\n", m->lead_n, (double)m->gap_ns / 1e9, script);
	return ferror(f) ? -1 : 0;
}
