/* replay/report_json.c: the incident report as one JSON document. */
#include "rules/json.h"
#include "replay/report.h"
#include "replay/engine.h"

#include <inttypes.h>


static void jtime(FILE *f, uint64_t ts)
{
	char b[64];
	if (!ts) {
		fputs("null", f);
		return;
	}
	sk_report_time(ts, b, sizeof(b));
	json_fput_string(f, b);
}

static const char *act_name(uint8_t k)
{
	switch (k) {
	case SK_ACT_EXEC: return "exec";
	case SK_ACT_WRITE: return "write";
	case SK_ACT_CONNECT: return "connect";
	default: return "accept";
	}
}

static void write_capture(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
{
	fputs("\"capture\":{\"sources\":[", f);
	uint64_t drops = 0;
	for (size_t i = 0; i < m->nsources; i++) {
		const struct sk_report_source *s = &m->sources[i];
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

static void write_summary(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
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

static void write_alerts(const struct sk_report_model *m, FILE *f)
{
	fputs(",\"alerts\":[", f);
	for (size_t i = 0; i < m->nalerts; i++) {
		const struct sk_report_alert *a = &m->alerts[i];
		fprintf(f, "%s{\"id\":%zu,\"time\":", i ? "," : "", i);
		jtime(f, a->ts);
		fputs(",\"rule\":", f);
		json_fput_string(f, rule_set_rule(m->rs, a->rule_index)->name);
		fputs(",\"priority\":", f);
		json_fput_string(f, rule_priority_name(a->priority));
		fputs(",\"output\":", f);
		json_fput_string(f, a->text);
		if (a->proc >= 0)
			fprintf(f, ",\"process\":%" PRId64 ",\"pid\":%" PRId64 "}", a->proc, m->procs[a->proc].pid);
		else
			fputs(",\"process\":null,\"pid\":null}", f);
	}
	fputc(']', f);
}

static void write_proc(const struct sk_report_model *m, size_t i, FILE *f)
{
	const struct sk_report_proc *p = &m->procs[i];
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

int sk_report_write_json(const struct sk_report_model *m, const struct sk_engine *e, FILE *f)
{
	fputs("{\"generator\":\"saker-replay\",", f);
	write_capture(m, e, f);
	write_summary(m, e, f);
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
