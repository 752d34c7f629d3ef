/* replay/report/json.c: the incident report as one JSON document. */
#include "json/json.h"
#include "replay/report/report.h"
#include "replay/engine/engine.h"
#include "formats/flags.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


static void jtime(FILE *f, uint64_t ts)
{
	char b[64];
	if (!ts) {
		fputs("null", f);
		return;
	}
	report_time(ts, b, sizeof(b));
	json_fput_string(f, b);
}

static const char *act_name(uint8_t k)
{
	switch (k) {
	case REPORT_ACT_EXEC: return "exec";
	case REPORT_ACT_WRITE: return "write";
	case REPORT_ACT_CONNECT: return "connect";
	default: return "accept";
	}
}

static void write_capture(const struct report_model *m, const struct engine *e, FILE *f)
{
	fputs("\"capture\":{\"sources\":[", f);
	uint64_t drops = 0;
	for (size_t i = 0; i < m->nsources; i++) {
		const struct report_source *s = &m->sources[i];
		fprintf(f, "%s{\"path\":", i ? "," : "");
		json_fput_string(f, s->path);
		fputs(",\"hostname\":", f);
		json_fput_string(f, s->hostname);
		fputs(",\"kernel\":", f);
		json_fput_string(f, s->kernel);
		fprintf(f, ",\"drops\":%" PRIu64 "}", s->drops);
		drops += s->drops;
	}
	fputs("],\"hostname\":", f);
	json_fput_string(f, m->nsources ? m->sources[0].hostname : "");
	fputs(",\"kernel\":", f);
	json_fput_string(f, m->nsources ? m->sources[0].kernel : "");
	fputs(",\"first_event\":", f);
	jtime(f, m->first_ts);
	fputs(",\"last_event\":", f);
	jtime(f, m->last_ts);
	fprintf(f, ",\"events\":%" PRIu64 ",\"drops\":%" PRIu64 "}", e->stats.events, drops);
}

static void write_summary(const struct report_model *m, const struct engine *e, FILE *f)
{
	fprintf(f, ",\"summary\":{\"alerts\":%" PRIu64 ",\"by_priority\":{", e->stats.alerts);
	int first = 1;
	for (int p = 0; p < 8; p++)
		if (e->stats.by_priority[p]) {
			fprintf(f, "%s", first ? "" : ",");
			json_fput_string(f, rule_priority_name(p));
			fprintf(f, ":%" PRIu64, e->stats.by_priority[p]);
			first = 0;
		}
	fputs("},\"by_rule\":{", f);
	first = 1;
	for (size_t i = 0; m->rs && e->stats.by_rule && i < rule_set_count(m->rs); i++)
		if (e->stats.by_rule[i]) {
			fprintf(f, "%s", first ? "" : ",");
			json_fput_string(f, rule_set_rule(m->rs, i)->name);
			fprintf(f, ":%" PRIu64, e->stats.by_rule[i]);
			first = 0;
		}
	fprintf(f, "},\"alerts_not_listed\":%zu,\"processes_not_tracked\":%zu}", m->dropped_alerts,
		m->untracked_procs);
}

static void write_lead(const struct report_model *m, const struct report_alert *a, FILE *f)
{
	fputs(",\"lead_up\":[", f);
	for (uint32_t i = 0; i < a->nlead; i++) {
		const struct report_lead *l = &a->lead[i];
		fprintf(f, "%s{\"time\":", i ? "," : "");
		jtime(f, l->ts);
		if (l->proc >= 0) {
			fprintf(f, ",\"process\":%" PRId64 ",\"pid\":%" PRId64 ",\"name\":", l->proc, m->procs[l->proc].pid);
			json_fput_string(f, m->procs[l->proc].name);
		}
		fprintf(f, ",\"tid\":%" PRId64 ",\"event\":", l->tid);
		json_fput_string(f, l->name);
		fprintf(f, ",\"dir\":\"%s\"", sk_event_is_exit(l->type) ? "<" : ">");
		if (l->has_res) {
			fprintf(f, ",\"res\":%" PRId64 ",\"errno\":", l->res);
			const char *en = l->res < 0 ? sk_errno_name(l->res) : NULL;
			if (en)
				json_fput_string(f, en);
			else
				fputs("null", f);
		} else {
			fputs(",\"res\":null,\"errno\":null", f);
		}
		fputs(",\"detail\":", f);
		json_fput_string(f, l->detail);
		fputc('}', f);
	}
	fputc(']', f);
}

static void write_alerts(const struct report_model *m, FILE *f)
{
	fputs(",\"alerts\":[", f);
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct report_alert *a = &m->alerts[i];
		const struct rule_info *r = rule_set_rule(m->rs, a->rule_index);
		fprintf(f, "%s{\"id\":%zu,\"time\":", i ? "," : "", i);
		jtime(f, a->ts);
		fputs(",\"rule\":", f);
		json_fput_string(f, r->name);
		fputs(",\"priority\":", f);
		json_fput_string(f, rule_priority_name(a->priority));
		fputs(",\"output\":", f);
		json_fput_string(f, a->text);
		fputs(",\"tags\":[", f);
		for (size_t k = 0; k < r->ntags; k++) {
			fputs(k ? "," : "", f);
			json_fput_string(f, r->tags[k]);
		}
		fputc(']', f);
		if (a->incident >= 0)
			fprintf(f, ",\"incident\":%" PRId64, a->incident);
		else
			fputs(",\"incident\":null", f);
		if (a->proc >= 0) {
			const struct report_proc *p = &m->procs[a->proc];
			fprintf(f, ",\"process\":%" PRId64 ",\"pid\":%" PRId64 ",\"container_id\":", a->proc, p->pid);
			json_fput_string(f, p->container_id[0] ? p->container_id : "host");
		} else {
			fputs(",\"process\":null,\"pid\":null,\"container_id\":null", f);
		}
		write_lead(m, a, f);
		fputc('}', f);
	}
	fputc(']', f);
}

static void write_incidents(const struct report_model *m, FILE *f)
{
	fputs(",\"incidents\":[", f);
	for (size_t k = 0; k < m->nincidents; k++) {
		const struct report_incident *c = &m->incidents[k];
		fprintf(f, "%s{\"id\":%zu,\"first\":", k ? "," : "", k);
		jtime(f, c->first_ts);
		fputs(",\"last\":", f);
		jtime(f, c->last_ts);
		fputs(",\"priority\":", f);
		json_fput_string(f, rule_priority_name(c->priority));
		fprintf(f, ",\"rules\":%zu,\"root\":", c->nrules);
		if (c->root >= 0) {
			const struct report_proc *p = &m->procs[c->root];
			fprintf(f, "%" PRId64 ",\"root_pid\":%" PRId64 ",\"root_name\":", c->root, p->pid);
			json_fput_string(f, p->name);
			fputs(",\"root_cmdline\":", f);
			json_fput_string(f, p->cmdline);
			fputs(",\"container_id\":", f);
			json_fput_string(f, p->container_id[0] ? p->container_id : "host");
		} else {
			fputs("null,\"root_pid\":null,\"root_name\":null,\"root_cmdline\":null,\"container_id\":null", f);
		}
		fputs(",\"alerts\":[", f);
		int first = 1;
		for (size_t i = (size_t)c->first_alert; i < m->nalerts; i++)
			if (m->alerts[i].incident == (int64_t)k) {
				fprintf(f, "%s%zu", first ? "" : ",", i);
				first = 0;
			}
		fputs("]}", f);
	}
	fputc(']', f);
}

static void write_mitre(const struct report_model *m, FILE *f)
{
	size_t n;
	struct report_mitre *rows = report_mitre_table(m, &n);
	fputs(",\"mitre\":[", f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"tactic_id\":" : "{\"tactic_id\":", f);
		if (strcmp(rows[i].tactic_id, "-"))
			json_fput_string(f, rows[i].tactic_id);
		else
			fputs("null", f);
		fputs(",\"tactic\":", f);
		json_fput_string(f, rows[i].tactic);
		fputs(",\"technique\":", f);
		if (strcmp(rows[i].technique, "-"))
			json_fput_string(f, rows[i].technique);
		else
			fputs("null", f);
		fputs(",\"technique_name\":", f);
		json_fput_string(f, rows[i].technique_name);
		fprintf(f, ",\"alerts\":%zu,\"rules\":%zu}", rows[i].alerts, rows[i].rules);
	}
	fputc(']', f);
	free(rows);
}

static void write_proc(const struct report_model *m, size_t i, FILE *f)
{
	const struct report_proc *p = &m->procs[i];
	fprintf(f, "{\"id\":%zu,\"pid\":%" PRId64 ",\"ppid\":%" PRId64 ",\"parent\":", i, p->pid, p->ppid);
	if (p->parent >= 0)
		fprintf(f, "%" PRId64, p->parent);
	else
		fputs("null", f);
	fputs(",\"children\":[", f);
	int first = 1;
	for (size_t k = 0; k < m->nprocs; k++)
		if (m->procs[k].parent == (int64_t)i && m->procs[k].included) {
			fprintf(f, "%s%zu", first ? "" : ",", k);
			first = 0;
		}
	fputs("],\"name\":", f);
	json_fput_string(f, p->name);
	fputs(",\"exe\":", f);
	json_fput_string(f, p->exe);
	fputs(",\"cmdline\":", f);
	json_fput_string(f, p->cmdline);
	fprintf(f, ",\"uid\":%u,\"user\":", p->uid);
	json_fput_string(f, p->user);
	fputs(",\"container_id\":", f);
	json_fput_string(f, p->container_id[0] ? p->container_id : "host");
	fputs(",\"container_name\":", f);
	json_fput_string(f, p->container_id[0] ? p->container_name : "host");
	fputs(",\"start\":", f);
	jtime(f, p->start_ts);
	fputs(",\"exit\":", f);
	jtime(f, p->exit_ts);
	fputs(",\"alerts\":[", f);
	first = 1;
	for (size_t k = 0; k < m->nalerts; k++)
		if (m->alerts[k].proc == (int64_t)i) {
			fprintf(f, "%s%zu", first ? "" : ",", k);
			first = 0;
		}
	fputs("],\"activity\":[", f);
	for (size_t k = 0; k < p->nfacts; k++) {
		fprintf(f, "%s{\"time\":", k ? "," : "");
		jtime(f, p->facts[k].ts);
		fprintf(f, ",\"kind\":\"%s\",\"what\":", act_name(p->facts[k].kind));
		json_fput_string(f, p->facts[k].text);
		fputc('}', f);
	}
	fprintf(f, "],\"activity_not_listed\":%zu}", p->dropped_facts);
}

int report_write_json(const struct report_model *m, const struct engine *e, FILE *f)
{
	fputs("{\"generator\":\"saker-replay\",", f);
	write_capture(m, e, f);
	write_summary(m, e, f);
	fprintf(f, ",\"settings\":{\"lead_up_events\":%u,\"incident_gap_s\":%.3f,\"processes_without_lead_up\":%zu}",
		m->lead_n, (double)m->gap_ns / 1e9, m->procs_without_lead);
	write_incidents(m, f);
	write_mitre(m, f);
	write_alerts(m, f);
	fputs(",\"processes\":[", f);
	int first = 1;
	for (size_t i = 0; i < m->nprocs; i++)
		if (m->procs[i].included) {
			if (!first)
				fputc(',', f);
			write_proc(m, i, f);
			first = 0;
		}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}
