/* replay/summary/json.c: a summary as one JSON document: totals and the rows, exact numbers and ISO 8601 times. */
#include "json/json.h"
#include "replay/summary/summary.h"

#include <inttypes.h>
#include <time.h>

static void jtime(FILE *f, uint64_t ts)
{
	if (!ts) {
		fputs("null", f);
		return;
	}
	char b[64];
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	size_t n = strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(b + n, sizeof(b) - n, ".%09" PRIu64 "Z", (uint64_t)(ts % 1000000000ull));
	json_fput_string(f, b);
}

static void stats(const struct summary_stats *s, int has_time, FILE *f)
{
	fprintf(f, "\"events\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes_read\":%" PRIu64 ",\"bytes_written\":%" PRIu64,
		s->events, s->errors, s->bytes_in, s->bytes_out);
	if (has_time)
		fprintf(f, ",\"syscall_time_ns\":%" PRIu64, s->time_ns);
	else
		fputs(",\"syscall_time_ns\":null", f);
	fputs(",\"first\":", f);
	jtime(f, s->first_ts);
	fputs(",\"last\":", f);
	jtime(f, s->last_ts);
	fprintf(f, ",\"duration_ns\":%" PRIu64, s->last_ts > s->first_ts ? s->last_ts - s->first_ts : 0);
}

static void key(FILE *f, const char *k, const char *v)
{
	fprintf(f, ",\"%s\":", k);
	json_fput_string(f, v ? v : "");
}

static void row(int by, const struct summary_row *r, int has_time, FILE *f)
{
	fputc('{', f);
	stats(&r->s, has_time, f);
	switch (by) {
	case SUMMARY_PROCS:
		fprintf(f, ",\"pid\":%" PRId64, r->pid);
		key(f, "name", r->name);
		key(f, "cmdline", r->detail);
		key(f, "user", r->user);
		fprintf(f, ",\"uid\":%u", r->uid);
		key(f, "container_id", r->container[0] ? r->container : "host");
		fputs(",\"start\":", f);
		jtime(f, r->start_ts);
		break;
	case SUMMARY_FILES:
		key(f, "file", r->name);
		fprintf(f, ",\"opens\":%" PRIu64, r->s.opens);
		break;
	case SUMMARY_CONNECTIONS:
		key(f, "connection", r->name);
		key(f, "proto", r->detail);
		key(f, "process", r->detail2);
		if (r->pid >= 0)
			fprintf(f, ",\"pid\":%" PRId64, r->pid);
		else
			fputs(",\"pid\":null", f);
		break;
	case SUMMARY_SYSCALLS:
		key(f, "syscall", r->name);
		break;
	case SUMMARY_USERS:
		key(f, "user", r->name);
		fprintf(f, ",\"uid\":%u", r->uid);
		key(f, "container_id", r->container[0] ? r->container : "host");
		fprintf(f, ",\"execs\":%" PRIu64, r->s.opens);
		break;
	case SUMMARY_CONTAINERS:
		key(f, "container_id", r->name);
		key(f, "name", r->detail);
		key(f, "image", r->detail2);
		break;
	default:
		fputs(",\"time\":", f);
		jtime(f, r->start_ts);
		fprintf(f, ",\"pid\":%" PRId64, r->pid);
		key(f, "user", r->user);
		fprintf(f, ",\"uid\":%u", r->uid);
		key(f, "container_id", r->container[0] ? r->container : "host");
		key(f, "cmdline", r->name);
		key(f, "exepath", r->detail);
		key(f, "parent", r->detail2);
		break;
	}
	fputc('}', f);
}

int summary_write_json(struct summary *s, int sort, size_t top, FILE *f)
{
	const struct summary_row **rows;
	size_t n = summary_rows(s, sort, top, &rows);
	int by = summary_by(s), has_time = summary_has_time(s);
	struct summary_stats t;
	size_t total;
	summary_totals(s, &t, &total);
	fputs("{\"by\":", f);
	json_fput_string(f, summary_by_name(by));
	fputs(",\"sort\":", f);
	json_fput_string(f, summary_sort_name(summary_sort_key(s, sort)));
	fprintf(f, ",\"rows_total\":%zu,\"rows_shown\":%zu,\"events_folded\":%" PRIu64 ",\"has_syscall_time\":%s,"
		   "\"totals\":{",
		total, n, summary_folded(s), has_time ? "true" : "false");
	stats(&t, has_time, f);
	fputs("},\"rows\":[", f);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		row(by, rows[i], has_time, f);
	}
	fputs("]}\n", f);
	return ferror(f) ? -1 : 0;
}
