/* replay/summary/text.c: a summary as an aligned text table, the variable-width column last, and a totals line. */
#include "replay/summary/summary.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

static const char *bytes(char *b, size_t cap, uint64_t v)
{
	static const char *const unit[] = { "KB", "MB", "GB", "TB" };
	if (v < 1024) {
		snprintf(b, cap, "%" PRIu64 "B", v);
		return b;
	}
	double d = (double)v / 1024.0;
	int u = 0;
	while (d >= 1024.0 && u < 3) {
		d /= 1024.0;
		u++;
	}
	snprintf(b, cap, d < 10.0 ? "%.2f%s" : d < 100.0 ? "%.1f%s" : "%.0f%s", d, unit[u]);
	return b;
}

static const char *dur(char *b, size_t cap, uint64_t ns)
{
	if (ns >= 1000000000ull)
		snprintf(b, cap, "%.3fs", (double)ns / 1e9);
	else if (ns >= 1000000ull)
		snprintf(b, cap, "%.2fms", (double)ns / 1e6);
	else if (ns >= 1000ull)
		snprintf(b, cap, "%.1fus", (double)ns / 1e3);
	else
		snprintf(b, cap, "%" PRIu64 "ns", ns);
	return b;
}

/* Local time of day with milliseconds, as sysdig's spy_users prints it. */
static const char *clock_time(char *b, size_t cap, uint64_t ts)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	localtime_r(&sec, &tm);
	size_t n = strftime(b, cap, "%H:%M:%S", &tm);
	snprintf(b + n, cap - n, ".%03u", (unsigned)(ts % 1000000000ull / 1000000ull));
	return b;
}

struct cells {
	char ev[24], err[24], in[24], out[24], time[24], span[24], avg[24];
};

static void cells_of(const struct summary_stats *s, int has_time, struct cells *c)
{
	snprintf(c->ev, sizeof(c->ev), "%" PRIu64, s->events);
	snprintf(c->err, sizeof(c->err), "%" PRIu64, s->errors);
	bytes(c->in, sizeof(c->in), s->bytes_in);
	bytes(c->out, sizeof(c->out), s->bytes_out);
	if (has_time) {
		dur(c->time, sizeof(c->time), s->time_ns);
		dur(c->avg, sizeof(c->avg), s->events ? s->time_ns / s->events : 0);
	} else {
		strcpy(c->time, "-");
		strcpy(c->avg, "-");
	}
	dur(c->span, sizeof(c->span), s->last_ts > s->first_ts ? s->last_ts - s->first_ts : 0);
}

/* Names as Falco prints values: without their non-printable bytes (the
 * trailing newline of old /proc/net/unix paths). The rows keep them raw. */
static const char *printable(char *b, size_t cap, const char *s)
{
	size_t n = 0;
	for (; s && *s && n + 1 < cap; s++)
		if ((unsigned char)*s >= 0x20 && *s != 0x7f)
			b[n++] = *s;
	b[n] = '\0';
	return b;
}

static void header(int by, FILE *f)
{
	switch (by) {
	case SUMMARY_PROCS:
		fprintf(f, "%-8s %-16s %-10s %-12s %9s %7s %9s %9s %9s %9s  %s\n", "PID", "NAME", "USER", "CONTAINER",
			"EVENTS", "ERRORS", "READ", "WRITTEN", "TIME", "DURATION", "CMDLINE");
		break;
	case SUMMARY_FILES:
		fprintf(f, "%9s %7s %6s %9s %9s %9s %9s  %s\n", "EVENTS", "ERRORS", "OPENS", "READ", "WRITTEN", "TIME",
			"DURATION", "FILE");
		break;
	case SUMMARY_CONNECTIONS:
		fprintf(f, "%-5s %-16s %8s %9s %7s %9s %9s %9s %9s  %s\n", "PROTO", "PROCESS", "PID", "EVENTS", "ERRORS",
			"IN", "OUT", "TIME", "DURATION", "CONNECTION");
		break;
	case SUMMARY_SYSCALLS:
		fprintf(f, "%-20s %9s %7s %9s %9s %9s %9s\n", "SYSCALL", "EVENTS", "ERRORS", "READ", "WRITTEN", "TIME",
			"AVG");
		break;
	case SUMMARY_USERS:
		fprintf(f, "%-16s %10s %-12s %9s %6s %7s %9s %9s %9s %9s\n", "USER", "UID", "CONTAINER", "EVENTS",
			"EXECS", "ERRORS", "READ", "WRITTEN", "TIME", "DURATION");
		break;
	case SUMMARY_CONTAINERS:
		fprintf(f, "%-12s %-20s %9s %7s %9s %9s %9s %9s  %s\n", "CONTAINER", "NAME", "EVENTS", "ERRORS", "READ",
			"WRITTEN", "TIME", "DURATION", "IMAGE");
		break;
	default:
		fprintf(f, "%-12s %-10s %-8s %-16s %9s %7s %9s %9s %9s  %s\n", "TIME", "USER", "PID", "PARENT", "EVENTS",
			"ERRORS", "READ", "WRITTEN", "DURATION", "CMDLINE");
		break;
	}
}

static void row(int by, const struct summary_row *r, int has_time, FILE *f)
{
	struct cells c;
	cells_of(&r->s, has_time, &c);
	char t[32], pid[24], name[4096];
	printable(name, sizeof(name), r->name);
	snprintf(pid, sizeof(pid), "%" PRId64, r->pid);
	switch (by) {
	case SUMMARY_PROCS:
		fprintf(f, "%-8s %-16.16s %-10.10s %-12.12s %9s %7s %9s %9s %9s %9s  %s\n", pid, name, r->user,
			r->container[0] ? r->container : "host", c.ev, c.err, c.in, c.out, c.time, c.span,
			r->detail ? r->detail : "");
		break;
	case SUMMARY_FILES: {
		char opens[24];
		snprintf(opens, sizeof(opens), "%" PRIu64, r->s.opens);
		fprintf(f, "%9s %7s %6s %9s %9s %9s %9s  %s\n", c.ev, c.err, opens, c.in, c.out, c.time, c.span, name);
		break;
	}
	case SUMMARY_CONNECTIONS:
		fprintf(f, "%-5.5s %-16.16s %8s %9s %7s %9s %9s %9s %9s  %s\n", r->detail ? r->detail : "",
			r->detail2 ? r->detail2 : "", r->pid >= 0 ? pid : "-", c.ev, c.err, c.in, c.out, c.time, c.span,
			name);
		break;
	case SUMMARY_SYSCALLS:
		fprintf(f, "%-20s %9s %7s %9s %9s %9s %9s\n", name, c.ev, c.err, c.in, c.out, c.time, c.avg);
		break;
	case SUMMARY_USERS: {
		char uid[24], execs[24];
		snprintf(uid, sizeof(uid), "%u", r->uid);
		snprintf(execs, sizeof(execs), "%" PRIu64, r->s.opens);
		fprintf(f, "%-16.16s %10s %-12.12s %9s %6s %7s %9s %9s %9s %9s\n", name, uid,
			r->container[0] ? r->container : "host", c.ev, execs, c.err, c.in, c.out, c.time, c.span);
		break;
	}
	case SUMMARY_CONTAINERS:
		fprintf(f, "%-12.12s %-20.20s %9s %7s %9s %9s %9s %9s  %s\n", name, r->detail ? r->detail : "", c.ev,
			c.err, c.in, c.out, c.time, c.span, r->detail2 ? r->detail2 : "");
		break;
	default:
		fprintf(f, "%-12s %-10.10s %-8s %-16.16s %9s %7s %9s %9s %9s  %s\n", clock_time(t, sizeof(t), r->start_ts),
			r->user, pid, r->detail2 ? r->detail2 : "", c.ev, c.err, c.in, c.out, c.span, name);
		break;
	}
}

static const char *const what[SUMMARY_BY__COUNT] = {
	"processes", "files", "connections", "syscalls", "users", "containers", "execs" };

int summary_write_text(struct summary *s, int sort, size_t top, FILE *f)
{
	const struct summary_row **rows;
	size_t n = summary_rows(s, sort, top, &rows);
	int by = summary_by(s), has_time = summary_has_time(s);
	header(by, f);
	for (size_t i = 0; i < n; i++)
		row(by, rows[i], has_time, f);
	struct summary_stats t;
	size_t total;
	summary_totals(s, &t, &total);
	char in[24], out[24], tm[24], span[24];
	fprintf(f, "-- %zu %s", total, what[by]);
	if (n < total)
		fprintf(f, " (top %zu shown)", n);
	fprintf(f, ", %" PRIu64 " events, %" PRIu64 " errors, %s read, %s written", t.events, t.errors,
		bytes(in, sizeof(in), t.bytes_in), bytes(out, sizeof(out), t.bytes_out));
	if (has_time)
		fprintf(f, ", %s in syscalls", dur(tm, sizeof(tm), t.time_ns));
	fprintf(f, " over %s", dur(span, sizeof(span), t.last_ts > t.first_ts ? t.last_ts - t.first_ts : 0));
	if (summary_folded(s))
		fprintf(f, "; %" PRIu64 " events of rows beyond the bound counted in (other)", summary_folded(s));
	fputs("\n", f);
	if (!has_time)
		fputs("-- TIME (time inside syscalls) needs enter events: only old .scap captures have them\n", f);
	return ferror(f) ? -1 : 0;
}
