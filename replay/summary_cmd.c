/* replay/summary_cmd.c: `saker-replay summary`: its options and help, one replay of the captures with the summary collecting, then the table or JSON. */
#include "replay/replay.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay/convert.h"
#include "replay/summary/summary.h"
#include "rules/rules.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: saker-replay summary -e CAPTURE [-e CAPTURE...] [--by KIND] [--top N] [--sort KEY]\n"
		"                            [--json] [--from TIME] [--to TIME] [FILTER]\n"
		"Replays the captures and prints one row per process, file, connection, syscall, user,\n"
		"container or program executed, with its events, errors, bytes read and written, time\n"
		"inside syscalls (captures with enter events: old .scap) and how long it was active.\n\n"
		"  -e FILE            capture (.skr, .scap, .scap.gz, '-' = stdin); repeatable, merged in time order\n"
		"  --by KIND          procs (default), files, connections, syscalls, users, containers, execs\n"
		"  --top N            print the first N rows (default 20; 0 = all)\n"
		"  --sort KEY         events, bytes, read, write, errors, time, duration, name, first (execs: in time\n"
		"                     order); default: bytes for files and connections, first for execs, else events\n"
		"  --json             one JSON document (totals and rows, exact numbers, ISO 8601 UTC times)\n"
		"  --from, --to TIME  only events in [from, to]: ns since the epoch or 2019-07-09T22:31:11.5Z\n"
		"  --progress, --no-progress   force or disable the progress bar on stderr\n"
		"  FILTER             count only the events matching this condition (Falco/sysdig syntax)\n\n"
		"Columns: EVENTS (an enter/exit pair counts once), ERRORS (failed syscalls), READ/IN and\n"
		"WRITTEN/OUT (bytes of successful I/O), TIME (inside syscalls; '-' without enter events), DURATION\n"
		"(first to last event of the row), OPENS (files), EXECS (users).\n\n"
		"sysdig chisels and their equivalents:\n"
		"  topprocs_cpu, topprocs_file   saker-replay summary -e cap.skr --by procs --sort bytes fd.type=file\n"
		"  topprocs_net                  saker-replay summary -e cap.skr --by procs --sort bytes 'fd.type in (ipv4, ipv6)'\n"
		"  topprocs_errors               saker-replay summary -e cap.skr --by procs --sort errors\n"
		"  topfiles_bytes                saker-replay summary -e cap.skr --by files\n"
		"  topfiles_errors               saker-replay summary -e cap.skr --by files --sort errors\n"
		"  topfiles_time                 saker-replay summary -e old.scap --by files --sort time\n"
		"  topconns                      saker-replay summary -e cap.skr --by connections\n"
		"  topscalls, topscalls_time     saker-replay summary -e old.scap --by syscalls [--sort time]\n"
		"  topcontainers_cpu/file/net    saker-replay summary -e cap.skr --by containers --sort bytes\n"
		"  spy_users                     saker-replay summary -e cap.skr --by execs --top 0 'user.name != root'\n"
		"  (per user)                    saker-replay summary -e cap.skr --by users\n"
		"  (one process)                 saker-replay summary -e cap.skr --by files proc.pid=1234 --json\n");
}

struct summary_args {
	int by, sort, json, help;
	size_t top;
};

static int need(int argc, char **argv, int i)
{
	if (i + 1 >= argc) {
		fprintf(stderr, "saker-replay summary: option %s needs a value\n", argv[i]);
		return -1;
	}
	return 0;
}

/* 0, or -1 after printing an error. */
static int parse(int argc, char **argv, struct replay_opts *o, struct summary_args *a)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (!strcmp(w, "-h") || !strcmp(w, "--help")) {
			a->help = 1;
		} else if (!strcmp(w, "--json")) {
			a->json = 1;
		} else if (!strcmp(w, "--progress") || !strcmp(w, "--no-progress")) {
			o->progress = w[2] == 'p' ? 1 : -1;
		} else if (!strcmp(w, "-e")) {
			if (need(argc, argv, i) < 0)
				return -1;
			o->captures = realloc(o->captures, (o->ncaptures + 1) * sizeof(*o->captures));
			o->captures[o->ncaptures++] = argv[++i];
		} else if (!strcmp(w, "--by")) {
			if (need(argc, argv, i) < 0)
				return -1;
			if ((a->by = summary_by_parse(argv[++i])) < 0) {
				fprintf(stderr, "saker-replay summary: --by %s: expected procs, files, connections, syscalls, "
						"users, containers or execs\n", argv[i]);
				return -1;
			}
		} else if (!strcmp(w, "--sort")) {
			if (need(argc, argv, i) < 0)
				return -1;
			if ((a->sort = summary_sort_parse(argv[++i])) < 0) {
				fprintf(stderr, "saker-replay summary: --sort %s: expected events, bytes, read, write, errors, "
						"time, duration, name or first\n", argv[i]);
				return -1;
			}
		} else if (!strcmp(w, "--top")) {
			if (need(argc, argv, i) < 0)
				return -1;
			char *end;
			errno = 0;
			long long n = strtoll(argv[++i], &end, 10);
			if (*end || n < 0 || errno) {
				fprintf(stderr, "saker-replay summary: --top expects a number of rows, got '%s'\n", argv[i]);
				return -1;
			}
			a->top = (size_t)n;
		} else if (!strcmp(w, "--from") || !strcmp(w, "--to")) {
			if (need(argc, argv, i) < 0)
				return -1;
			int from = w[2] == 'f';
			if (replay_parse_time(argv[++i], from ? &o->from_ns : &o->to_ns) < 0) {
				fprintf(stderr, "saker-replay summary: %s expects ns since the epoch or "
						"YYYY-MM-DDTHH:MM:SS[.nnn]Z, got '%s'\n", w, argv[i]);
				return -1;
			}
			*(from ? &o->have_from : &o->have_to) = 1;
		} else if (w[0] == '-' && w[1]) {
			fprintf(stderr, "saker-replay summary: unknown option '%s' (see saker-replay summary --help)\n", w);
			return -1;
		} else {
			o->filter_args = realloc(o->filter_args, (o->nfilter_args + 1) * sizeof(*o->filter_args));
			o->filter_args[o->nfilter_args++] = w;
		}
	}
	if (a->help)
		return 0;
	if (!o->ncaptures) {
		fprintf(stderr, "saker-replay summary: no capture (-e FILE)\n");
		return -1;
	}
	if (o->have_from && o->have_to && o->from_ns > o->to_ns) {
		fprintf(stderr, "saker-replay summary: --from is after --to\n");
		return -1;
	}
	return 0;
}

int replay_summary_main(int argc, char **argv)
{
	struct replay_opts o;
	struct summary_args a = { .by = SUMMARY_PROCS, .sort = SUMMARY_SORT_DEFAULT, .top = 20 };
	memset(&o, 0, sizeof(o));
	int status = 0;
	struct rule_filter *filter = NULL;
	struct summary *s = NULL;
	if (parse(argc, argv, &o, &a) < 0) {
		status = 1;
		goto out;
	}
	if (a.help) {
		usage(stdout);
		goto out;
	}
	if (o.nfilter_args && !(filter = replay_filter_compile(&o))) {
		status = 1;
		goto out;
	}
	struct summary_opts so = { .by = a.by, .filter = filter, .from_ns = o.have_from ? o.from_ns : 0,
				   .to_ns = o.have_to ? o.to_ns : 0 };
	s = summary_new(&so);
	if (!s) {
		fprintf(stderr, "saker-replay summary: out of memory\n");
		status = 2;
		goto out;
	}
	o.observer = summary_observer(s);
	o.deliver_enter = 1;          /* time inside syscalls, where the capture has it */
	o.quiet_summary = 1;
	status = replay_run(&o, NULL);
	/* what was read before a capture error is still worth showing */
	int wr = a.json ? summary_write_json(s, a.sort, a.top, stdout) : summary_write_text(s, a.sort, a.top, stdout);
	if (fflush(stdout) != 0 || wr < 0) {
		fprintf(stderr, "saker-replay summary: writing the summary failed\n");
		if (!status)
			status = 2;
	}
out:
	summary_free(s);
	rule_filter_free(filter);
	free(o.captures);
	free(o.filter_args);
	return status;
}
