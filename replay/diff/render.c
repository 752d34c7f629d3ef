/* replay/diff/render.c: a diff's result as text, JSON (docs/ci.md) and Markdown for a pull-request comment. */
#include "replay/diff/diff.h"
#include "json/json.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

/* 2024-05-01T10:00:00.123456789Z */
static void format_time(uint64_t ts, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, cap - n, ".%09" PRIu64 "Z", (uint64_t)(ts % 1000000000ull));
}

static const char *change_word(const struct diff_rule_count *c)
{
	if (!c->in_old)
		return "new rule";
	if (!c->in_new)
		return "rule removed";
	return c->old_count == c->new_count ? "same" : (c->new_count > c->old_count ? "more" : "fewer");
}

void diff_render_text(FILE *f, const struct diff_result *res)
{
	char t[64];
	fprintf(f, "saker-replay diff: %zu capture%s, %" PRIu64 " events, %zu alert%s only in new, %zu only in old\n",
		res->ncaptures, res->ncaptures == 1 ? "" : "s", res->events, res->added, res->added == 1 ? "" : "s",
		res->removed);
	for (size_t i = 0; i < res->nalerts; i++) {
		const struct diff_alert *a = &res->alerts[i];
		format_time(a->ts, t, sizeof(t));
		fprintf(f, "%c %s %s [%s] process %s (%s)\n    %s\n", a->added ? '+' : '-', t, a->rule, a->priority,
			a->process, a->capture, a->output);
	}
	fprintf(f, "Alerts by rule (old -> new):\n");
	if (!res->nrules)
		fprintf(f, "   (no rule fired on either side)\n");
	for (size_t i = 0; i < res->nrules; i++) {
		const struct diff_rule_count *c = &res->rules[i];
		int64_t d = (int64_t)c->new_count - (int64_t)c->old_count;
		fprintf(f, "   %s: %" PRIu64 " -> %" PRIu64, c->rule, c->old_count, c->new_count);
		if (d)
			fprintf(f, " (%+" PRId64 ")", d);
		if (!c->in_old || !c->in_new)
			fprintf(f, " (%s)", change_word(c));
		fputc('\n', f);
	}
}

static void json_alerts(FILE *f, const struct diff_result *res, int added)
{
	char t[64];
	int first = 1;
	for (size_t i = 0; i < res->nalerts; i++) {
		const struct diff_alert *a = &res->alerts[i];
		if (a->added != added)
			continue;
		format_time(a->ts, t, sizeof(t));
		fputs(first ? "{\"rule\":" : ",{\"rule\":", f);
		first = 0;
		json_fput_string(f, a->rule);
		fputs(",\"priority\":", f);
		json_fput_string(f, a->priority);
		fputs(",\"time\":", f);
		json_fput_string(f, t);
		fprintf(f, ",\"ts\":%" PRIu64 ",\"process\":", a->ts);
		json_fput_string(f, a->process);
		fputs(",\"capture\":", f);
		json_fput_string(f, a->capture);
		fputs(",\"output\":", f);
		json_fput_string(f, a->output);
		fputc('}', f);
	}
}

void diff_render_json(FILE *f, const struct diff_result *res)
{
	fprintf(f, "{\"differs\":%s,\"captures\":[", diff_result_differs(res) ? "true" : "false");
	for (size_t i = 0; i < res->ncaptures; i++) {
		if (i)
			fputc(',', f);
		json_fput_string(f, res->captures[i]);
	}
	fprintf(f, "],\"events\":%" PRIu64 ",\"evaluated\":%" PRIu64 ",\"added\":[", res->events, res->evaluated);
	json_alerts(f, res, 1);
	fputs("],\"removed\":[", f);
	json_alerts(f, res, 0);
	fputs("],\"rules\":[", f);
	for (size_t i = 0; i < res->nrules; i++) {
		const struct diff_rule_count *c = &res->rules[i];
		fputs(i ? ",{\"rule\":" : "{\"rule\":", f);
		json_fput_string(f, c->rule);
		fprintf(f, ",\"old\":%" PRIu64 ",\"new\":%" PRIu64 ",\"in_old\":%s,\"in_new\":%s}", c->old_count,
			c->new_count, c->in_old ? "true" : "false", c->in_new ? "true" : "false");
	}
	fputs("]}\n", f);
}

/* A table cell: '|' escaped, line breaks as spaces, long text cut. */
static void md_cell(FILE *f, const char *s, size_t max)
{
	size_t n = 0;
	for (; *s && n < max; s++, n++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else if (*s == '`')
			fputc('\'', f);
		else
			fputc(*s, f);
	}
	if (*s)
		fputs("...", f);
}

void diff_render_markdown(FILE *f, const struct diff_result *res)
{
	char t[64];
	fprintf(f, "### saker-replay diff: %zu alert%s added, %zu removed\n\n", res->added, res->added == 1 ? "" : "s",
		res->removed);
	fprintf(f, "%zu capture%s, %" PRIu64 " events.\n\n", res->ncaptures, res->ncaptures == 1 ? "" : "s",
		res->events);
	if (res->nalerts) {
		fputs("| | Rule | Time | Process | Capture | Output |\n|---|---|---|---|---|---|\n", f);
		for (size_t i = 0; i < res->nalerts; i++) {
			const struct diff_alert *a = &res->alerts[i];
			format_time(a->ts, t, sizeof(t));
			fputs(a->added ? "| + | " : "| - | ", f);
			md_cell(f, a->rule, 200);
			fprintf(f, " | %s | `", t);
			md_cell(f, a->process, 100);
			fputs("` | ", f);
			md_cell(f, a->capture, 200);
			fputs(" | ", f);
			md_cell(f, a->output, 400);
			fputs(" |\n", f);
		}
		fputc('\n', f);
	} else {
		fputs("No alert differs.\n\n", f);
	}
	if (res->nrules) {
		fputs("| Rule | Old | New | Change |\n|---|---:|---:|---|\n", f);
		for (size_t i = 0; i < res->nrules; i++) {
			const struct diff_rule_count *c = &res->rules[i];
			fputs("| ", f);
			md_cell(f, c->rule, 200);
			int64_t d = (int64_t)c->new_count - (int64_t)c->old_count;
			fprintf(f, " | %" PRIu64 " | %" PRIu64 " | ", c->old_count, c->new_count);
			if (d)
				fprintf(f, "%+" PRId64, d);
			if (!c->in_old || !c->in_new)
				fprintf(f, "%s%s", d ? ", " : "", change_word(c));
			fputs(" |\n", f);
		}
	}
}
