/* replay/report_html.c: the incident report as one self-contained HTML page (inline CSS, no scripts, no network). */
#include "replay/report.h"
#include "replay/engine.h"

#include <inttypes.h>
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
	".axis{display:flex;justify-content:space-between;font-size:12px;color:#666;margin-top:-.8em}";

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
	sk_report_time(ts, b, sizeof(b));
	fputs(b, f);
}

static void prio_badge(FILE *f, int prio)
{
	fprintf(f, "<span class=\"prio p%d\">%s</span>", prio >= 0 && prio < 8 ? prio : 7, rule_priority_name(prio));
}

static void write_header(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
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

static void write_counts(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
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

static void write_timeline(const struct sk_report_model *m, FILE *f)
{
	fputs("<h2 id=\"timeline\">Timeline</h2>\n<div class=\"strip\" title=\"alerts over the capture\">", f);
	double span = m->last_ts > m->first_ts ? (double)(m->last_ts - m->first_ts) : 1.0;
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct sk_report_alert *a = &m->alerts[i];
		double x = a->ts > m->first_ts ? (double)(a->ts - m->first_ts) * 100.0 / span : 0.0;
		fprintf(f, "<a class=\"tick p%d\" style=\"left:%.2f%%\" href=\"#alert-%zu\" title=\"", a->priority, x, i);
		esc(f, rule_set_rule(m->rs, a->rule_index)->name);
		fputs("\"></a>", f);
	}
	fputs("</div>\n<div class=\"axis\"><span>", f);
	htime(f, m->first_ts);
	fputs("</span><span>", f);
	htime(f, m->last_ts);
	fputs("</span></div>\n<table id=\"alerts\"><tr><th>Time (UTC)</th><th>Priority</th><th>Rule</th><th>Process</th>"
	      "<th>Output</th></tr>\n",
	      f);
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct sk_report_alert *a = &m->alerts[i];
		fprintf(f, "<tr class=\"alert\" id=\"alert-%zu\"><td class=\"mono when\">", i);
		htime(f, a->ts);
		fputs("</td><td>", f);
		prio_badge(f, a->priority);
		fputs("</td><td class=\"rule\">", f);
		esc(f, rule_set_rule(m->rs, a->rule_index)->name);
		fputs("</td><td>", f);
		if (a->proc >= 0) {
			const struct sk_report_proc *p = &m->procs[a->proc];
			fprintf(f, "<a class=\"proc-link\" href=\"#proc-%" PRId64 "\">", a->proc);
			esc(f, p->name);
			fprintf(f, " (%" PRId64 ")</a>", p->pid);
		}
		fputs("</td><td class=\"mono\">", f);
		esc(f, a->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (m->dropped_alerts)
		fprintf(f, "<p class=\"muted\">%zu more alerts are counted above but not listed.</p>\n", m->dropped_alerts);
}

static const char *act_label(uint8_t k)
{
	switch (k) {
	case SK_ACT_EXEC: return "exec";
	case SK_ACT_WRITE: return "wrote";
	case SK_ACT_CONNECT: return "connect";
	default: return "accept";
	}
}

static void write_node(const struct sk_report_model *m, size_t i, int depth, FILE *f)
{
	const struct sk_report_proc *p = &m->procs[i];
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

int sk_report_write_html(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
{
	write_header(m, e, f);
	write_counts(m, e, f);
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
	fputs("<footer class=\"muted\"><p>Generated by saker-replay.</p></footer>\n</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}
