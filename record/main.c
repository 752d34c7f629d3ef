/* record/main.c: saker-record command line: load the probe, snapshot /proc, write .skr captures. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/meta.h"
#include "probe/probe.h"
#include "record/dump.h"
#include "record/output.h"
#include "record/pipe.h"
#include "record/privs.h"
#include "record/snapshot.h"
#include "replay/fields.h"
#include "rules/rules.h"

#define VERSION "saker-record 0.1"

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: saker-record -w FILE [options]\n"
"       saker-record --dump FILE\n"
"Records the syscalls Falco rules need with an eBPF probe into a compressed\n"
".skr capture that saker-replay evaluates later. Needs root and kernel BTF.\n"
"\n"
"Output:\n"
"  -w, --write FILE      capture file ('-' = stdout); created 0600, never\n"
"                        through a symlink, never over an existing file without -f\n"
"  -f, --force           overwrite existing capture files\n"
"  -z, --compress LEVEL  zstd level (1-19, default 3)\n"
"  -C, --file-size MB    start a new file when this one reaches MB megabytes\n"
"                        (10^6 bytes; fractions allowed, checked at each flush)\n"
"  -G, --seconds SECS    start a new file every SECS seconds\n"
"  -W, --file-count N    with -C/-G: keep N files, then reuse the oldest name\n"
"                        (files are FILE0, FILE1, ...)\n"
"Stopping:\n"
"  -M, --duration SECS   stop after SECS seconds\n"
"  -c, --count N         stop after N events\n"
"  (SIGINT/SIGTERM stop cleanly: everything is flushed and the footer written)\n"
"Selection:\n"
"      --syscalls LIST   comma-separated syscalls to record (default: all\n"
"                        supported); process lifecycle is always recorded\n"
"  -r, --rules PATH      record what these Falco rules files (or directories)\n"
"                        need: their evt.type values plus the syscalls that\n"
"                        keep process and fd state (repeatable; adds to --syscalls)\n"
"      --list-syscalls   print the supported syscalls and exit\n"
"  -p, --pid PID         only this process and the children it forks (repeatable)\n"
"      --comm NAME       only threads whose comm is NAME\n"
"  -s, --snaplen BYTES   I/O data bytes kept per event (default 80)\n"
"      --ring-kb KB      kernel ring buffer size (default 8192)\n"
"Other:\n"
"  -u, --user NAME       after attaching, run as this user (name or uid); the\n"
"                        capture file is opened before the switch, rotated\n"
"                        files (-C/-G) are created as NAME in the file's directory\n"
"  -q, --quiet           no summary line\n"
"      --dump FILE       print a capture as text (one event per line) and exit\n"
"  -h, --help            this help\n"
"\n"
"Examples:\n"
"  saker-record -w /var/log/saker/host.skr -M 3600\n"
"  saker-record -w cap.skr -C 100 -W 10          # 10 rotating 100 MB files\n"
"  saker-record -w - --syscalls execve,connect | ssh box 'cat > cap.skr'\n"
"  saker-record -w web.skr -p 1234\n"
"  saker-record -w min.skr -r /etc/falco/falco_rules.yaml\n"
"\n"
"The /proc snapshot is taken after the probe is attached: events that\n"
"happen during the snapshot wait in the ring, so nothing falls in a gap\n"
"(a few may describe changes the snapshot already shows).\n"
"\n"
"Once the probe is attached and the first file is open, every capability\n"
"is dropped (all sets, bounding set included) and no_new_privs is set;\n"
"with -C/-G CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE stay, for the /proc\n"
"snapshot of each new file. A write error (disk full) stops the recorder;\n"
"the file keeps every frame already flushed (at least once a second).\n");
}

struct run {
	struct sk_probe *probe;
	struct rec_pipe *pipe;
	struct sk_meta *first_meta;
	struct rec_host_opts host;
	uint64_t events;
	uint64_t limit;
	uint64_t pipe_drops;
};

static int consume(const struct sk_event *ev, void *ctx)
{
	struct run *r = ctx;

	if (rec_pipe_push(r->pipe, ev) == 0)
		r->events++;
	return r->limit && r->events >= r->limit;
}

/* Writer-thread callbacks. */
static int meta_cb(void *ctx, struct sk_meta *m, int first)
{
	struct run *r = ctx;
	char err[256];

	if (first && r->first_meta)
		return sk_meta_merge(m, r->first_meta);
	return rec_snapshot_all(m, &r->host, err, sizeof(err));
}

static void drops_cb(void *ctx, struct sk_meta *m)
{
	struct run *r = ctx;
	int n = sk_probe_ncpus();
	struct timespec t;
	uint64_t now;

	clock_gettime(CLOCK_REALTIME, &t);
	now = (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
	for (int c = 0; c < n; c++) {
		struct sk_probe_stats st;
		struct sk_meta_drops d;

		if (sk_probe_stats_cpu(r->probe, (uint32_t)c, &st) < 0)
			continue;
		memset(&d, 0, sizeof(d));
		d.ts = now;
		d.cpu = (uint32_t)c;
		d.events = st.events;
		d.ring_full = st.ring_full;
		d.copy_fail = st.copy_fail;
		sk_meta_add_drops(m, &d);
	}
}

struct writer_ctx {
	struct rec_out *out;
};

static int w_event(void *ctx, const struct sk_event *ev)
{
	return rec_out_event(((struct writer_ctx *)ctx)->out, ev);
}

static int w_tick(void *ctx)
{
	return rec_out_tick(((struct writer_ctx *)ctx)->out);
}

/* Syscalls the replayer's process and fd tables need (fields.md 9.3, 9.4),
 * recorded with -r whatever the rules name. */
static const char *const state_syscalls[] = {
	"open", "openat", "openat2", "creat", "close", "close_range", "socket", "socketpair", "bind",
	"connect", "accept", "accept4", "sendto", "sendmsg", "recvfrom", "recvmsg", "dup", "dup2", "dup3",
	"fcntl", "pipe", "pipe2", "eventfd", "eventfd2", "signalfd", "signalfd4", "timerfd_create",
	"inotify_init", "inotify_init1", "epoll_create", "epoll_create1", "io_uring_setup", "userfaultfd",
	"memfd_create", "pidfd_open", "pidfd_getfd", "bpf", "chdir", "fchdir", "chroot", "setuid", "setgid",
	"setresuid", "setresgid", "setreuid", "setregid", "setsid", "setpgid", "capset", "unshare", "setns",
	"prctl", "setrlimit", "prlimit64",
};

/* Event types the rules in paths can match, into *out (malloc'd). Prints
 * the loader's diagnostics on failure. Returns the count or -1. */
static long rules_evttypes(char **paths, size_t n, uint16_t **out)
{
	struct rule_load_opts lo;
	struct rule_loader *l;
	struct rule_set *rs = NULL;
	long rc = -1;

	memset(&lo, 0, sizeof(lo));
	lo.registry = replay_field_registry();
	lo.min_priority = RULE_PRIO_DEBUG;
	l = rule_loader_new(&lo);
	if (!l) {
		fprintf(stderr, "saker-record: out of memory\n");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (rule_loader_add_path(l, paths[i]) < 0)
			goto out;
	rs = rule_loader_build(l);
	if (!rs)
		goto out;
	{
		size_t cnt = rule_set_evttypes(rs, NULL, 0);
		*out = calloc(cnt ? cnt : 1, sizeof(**out));
		if (!*out) {
			fprintf(stderr, "saker-record: out of memory\n");
			goto out;
		}
		rc = (long)rule_set_evttypes(rs, *out, cnt);
	}
out:
	if (rc < 0) {
		const struct rule_diag_list *dl = rule_loader_diags(l);
		for (size_t k = 0; k < dl->n; k++)
			if (rule_diag_is_error(dl->v[k].code))
				rule_diag_print(stderr, &dl->v[k]);
		fprintf(stderr, "saker-record: cannot load the rules given with -r\n");
	}
	rule_set_free(rs);
	rule_loader_free(l);
	return rc;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int parse_u64(const char *s, const char *what, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "saker-record: invalid %s '%s'\n", what, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* After attach and the first file: keep only what rotation's /proc
 * snapshots need, switch user, and check that the user can create the
 * rotated files. */
static int drop_privileges(int rotating, const struct rec_privs_user *pu, const char *path, char *err, size_t errlen)
{
	if (rec_privs_drop(rotating ? REC_PRIVS_KEEP_PROC : 0, pu, err, errlen) < 0)
		return -1;
	if (rotating && pu->set) {
		char dir[4096];
		const char *slash = strrchr(path, '/');

		if (!slash)
			snprintf(dir, sizeof(dir), ".");
		else if (slash == path)
			snprintf(dir, sizeof(dir), "/");
		else
			snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (access(dir, W_OK | X_OK) < 0) {
			snprintf(err, errlen, "--user %s cannot create the rotated files in %.400s: %s",
				 pu->name, dir, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_SYSCALLS = 256, O_COMM, O_DUMP, O_LIST, O_RING };
	static const struct option lopts[] = {
		{ "write", required_argument, 0, 'w' }, { "force", no_argument, 0, 'f' },
		{ "compress", required_argument, 0, 'z' }, { "file-size", required_argument, 0, 'C' },
		{ "seconds", required_argument, 0, 'G' }, { "file-count", required_argument, 0, 'W' },
		{ "duration", required_argument, 0, 'M' }, { "count", required_argument, 0, 'c' },
		{ "syscalls", required_argument, 0, O_SYSCALLS }, { "rules", required_argument, 0, 'r' }, { "list-syscalls", no_argument, 0, O_LIST },
		{ "pid", required_argument, 0, 'p' }, { "comm", required_argument, 0, O_COMM },
		{ "snaplen", required_argument, 0, 's' }, { "ring-kb", required_argument, 0, O_RING },
		{ "quiet", no_argument, 0, 'q' }, { "dump", required_argument, 0, O_DUMP },
		{ "user", required_argument, 0, 'u' },
		{ "help", no_argument, 0, 'h' }, { 0, 0, 0, 0 },
	};
	const char *path = NULL, *comm = NULL, *dump = NULL, *user = NULL;
	struct rec_privs_user pu = { 0 };
	char *syscalls = NULL;
	char *rules[64];
	size_t nrules = 0;
	uint16_t *types = NULL;
	long ntypes = 0;
	double mb = 0;
	uint64_t level = 0, gsecs = 0, keep = 0, dur = 0, count = 0, snaplen = 80, ringkb = 0, v;
	uint32_t pids[64];
	size_t npids = 0;
	int force = 0, quiet = 0, opt, rc = 1;
	const char *names[512];
	size_t nnames = 0;
	char err[1024];
	struct sk_probe_opts po;
	struct run run;
	struct writer_ctx wc = { 0 };
	struct rec_out_opts oo;
	struct rec_pipe_stats ps;
	struct sk_probe_stats st;
	struct sigaction sa;
	uint64_t t0, last_flush;

	while ((opt = getopt_long(argc, argv, "w:fz:C:G:W:M:c:p:s:r:u:qh", lopts, NULL)) != -1) {
		switch (opt) {
		case 'w': path = optarg; break;
		case 'f': force = 1; break;
		case 'z': if (parse_u64(optarg, "zstd level", &level) || level > 22) return 2; break;
		case 'C': {
			char *end;
			mb = strtod(optarg, &end);
			if (end == optarg || *end || !(mb > 0) || mb > 1e7) {
				fprintf(stderr, "saker-record: invalid file size '%s' (megabytes, e.g. 100 or 0.5)\n", optarg);
				return 2;
			}
			break;
		}
		case 'G': if (parse_u64(optarg, "rotation seconds", &gsecs) || !gsecs) return 2; break;
		case 'W': if (parse_u64(optarg, "file count", &keep) || !keep) return 2; break;
		case 'M': if (parse_u64(optarg, "duration", &dur)) return 2; break;
		case 'c': if (parse_u64(optarg, "count", &count)) return 2; break;
		case 's': if (parse_u64(optarg, "snaplen", &snaplen) || snaplen > 16384) return 2; break;
		case O_RING: if (parse_u64(optarg, "ring size", &ringkb) || ringkb < 4 || ringkb > (1u << 20)) return 2; break;
		case 'p':
			if (parse_u64(optarg, "pid", &v) || !v || v > 0x7fffffff)
				return 2;
			if (npids == sizeof(pids) / sizeof(pids[0])) {
				fprintf(stderr, "saker-record: too many -p options (max 64)\n");
				return 2;
			}
			pids[npids++] = (uint32_t)v;
			break;
		case O_COMM:
			if (strlen(optarg) > 15) {
				fprintf(stderr, "saker-record: --comm '%s' is longer than 15 characters\n", optarg);
				return 2;
			}
			comm = optarg;
			break;
		case O_SYSCALLS: syscalls = optarg; break;
		case 'r':
			if (nrules == sizeof(rules) / sizeof(rules[0])) {
				fprintf(stderr, "saker-record: too many -r options (max 64)\n");
				return 2;
			}
			rules[nrules++] = optarg;
			break;
		case O_DUMP: dump = optarg; break;
		case O_LIST:
			for (const char *const *n = sk_probe_syscall_names(); *n; n++)
				printf("%s\n", *n);
			return 0;
		case 'u': user = optarg; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "saker-record: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (dump)
		return rec_dump_file(dump, stdout) ? 1 : 0;
	if (!path) {
		fprintf(stderr, "saker-record: no output file: use -w FILE or -w - (see --help)\n");
		return 2;
	}
	if (keep && !mb && !gsecs) {
		fprintf(stderr, "saker-record: -W needs -C or -G\n");
		return 2;
	}
	if (!strcmp(path, "-") && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "saker-record: refusing to write a binary capture to a terminal (redirect -w - or name a file)\n");
		return 2;
	}
	if (!strcmp(path, "-") && (mb || gsecs)) {
		fprintf(stderr, "saker-record: -C/-G cannot rotate stdout\n");
		return 2;
	}
	if (syscalls) {
		char *save = NULL;
		for (char *t = strtok_r(syscalls, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (*t && nnames < sizeof(names) / sizeof(names[0]))
				names[nnames++] = t;
	}

	if (user && rec_privs_lookup_user(user, &pu, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: %s\n", err);
		return 2;
	}
	if (nrules) {
		ntypes = rules_evttypes(rules, nrules, &types);
		if (ntypes < 0)
			return 2;
	}

	memset(&po, 0, sizeof(po));
	po.snaplen = (uint32_t)snaplen;
	po.ring_bytes = (uint32_t)(ringkb * 1024);
	po.pids = pids;
	po.npids = npids;
	po.comm = comm;
	memset(&run, 0, sizeof(run));
	run.limit = count;
	run.host.snaplen = (uint32_t)snaplen;
	run.host.argv_limit = 4096;
	run.host.version = VERSION;
	if (sk_probe_open(&run.probe, &po, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: %s\n", err);
		return 1;
	}
	if (nrules) {
		int r2 = sk_probe_set_event_types(run.probe, types, (size_t)ntypes);

		if (!r2)
			r2 = sk_probe_add_syscalls(run.probe, state_syscalls,
						   sizeof(state_syscalls) / sizeof(state_syscalls[0]), err, sizeof(err));
		if (!r2 && syscalls)
			r2 = sk_probe_add_syscalls(run.probe, names, nnames, err, sizeof(err));
		if (r2 < 0) {
			fprintf(stderr, "saker-record: %s\n", err);
			goto out_probe;
		}
	} else if (sk_probe_set_syscalls(run.probe, syscalls ? names : NULL, nnames, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: --syscalls: %s\n", err);
		goto out_probe;
	}
	/* attach before the snapshot: events during the scan wait in the ring */
	if (sk_probe_attach(run.probe, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: %s\n", err);
		goto out_probe;
	}
	run.first_meta = sk_meta_new();
	if (!run.first_meta || rec_snapshot_all(run.first_meta, &run.host, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: snapshot: %s\n", run.first_meta ? err : "out of memory");
		goto out_meta;
	}

	memset(&oo, 0, sizeof(oo));
	oo.path = path;
	oo.force = force;
	oo.level = (int)level;
	oo.rotate_bytes = (uint64_t)(mb * 1e6);
	oo.rotate_ns = gsecs * 1000000000ull;
	oo.keep = (unsigned)keep;
	oo.host = &run.first_meta->host;
	oo.meta = meta_cb;
	oo.drops = drops_cb;
	oo.ctx = &run;
	wc.out = rec_out_open(&oo, err, sizeof(err));
	if (!wc.out) {
		fprintf(stderr, "saker-record: %s\n", err);
		goto out_meta;
	}
	/* Before the writer thread starts: capabilities are per thread. */
	if (drop_privileges(oo.rotate_bytes || oo.rotate_ns, &pu, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: %s\n", err);
		rec_out_close(wc.out, NULL, 0);
		goto out_meta;
	}
	{
		static const struct rec_pipe_ops ops = { w_event, w_tick };
		run.pipe = rec_pipe_start(&ops, &wc, 1u << 20, 32);
	}
	if (!run.pipe) {
		fprintf(stderr, "saker-record: cannot start the writer thread: %s\n", strerror(errno));
		rec_out_close(wc.out, NULL, 0);
		goto out_meta;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!quiet)
		fprintf(stderr, "saker-record: recording to %s (snapshot: %zu threads, %zu fds)\n", path,
			run.first_meta->n_procs, run.first_meta->n_fds);
	t0 = last_flush = mono_ns();
	rc = 0;
	while (!g_stop) {
		int n = sk_probe_poll(run.probe, 100, consume, &run);
		uint64_t now = mono_ns();

		if (n == -ECANCELED)
			break; /* -c reached */
		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "saker-record: reading the ring: %s\n", strerror(-n));
			rc = 1;
			break;
		}
		if (now - last_flush >= 250000000ull) {
			rec_pipe_flush(run.pipe);
			last_flush = now;
		}
		if (rec_pipe_error(run.pipe)) {
			rc = 1;
			break;
		}
		if (dur && now - t0 >= dur * 1000000000ull)
			break;
	}
	/* drain what the kernel already queued, then stop the writer */
	if (!rc && !(count && run.events >= count))
		sk_probe_poll(run.probe, 0, consume, &run);
	{
		int perr = rec_pipe_stop(run.pipe, &ps);
		int cerr;

		if (perr < 0) {
			fprintf(stderr, "saker-record: %s\n", rec_out_error(wc.out));
			rc = 1;
		}
		sk_probe_stats(run.probe, &st);
		{
			uint64_t bytes = 0;
			double secs = (double)(mono_ns() - t0) / 1e9;
			unsigned files = rec_out_files(wc.out);

			/* bytes before close: the footer is small */
			bytes = rec_out_bytes(wc.out);
			cerr = rec_out_close(wc.out, err, sizeof(err));
			/* after a write error the close fails the same way: say it once */
			if (cerr < 0 && perr >= 0) {
				fprintf(stderr, "saker-record: %s\n", err);
				rc = 1;
			}
			if (!quiet)
				fprintf(stderr,
					"saker-record: %" PRIu64 " events, %" PRIu64 " bytes (%.1f bytes/event) in %u file%s, "
					"%" PRIu64 " drops (ring full %" PRIu64 ", copy failures %" PRIu64 ", writer behind %" PRIu64 "), "
					"%.1f s\n",
					run.events, bytes, run.events ? (double)bytes / (double)run.events : 0.0, files,
					files == 1 ? "" : "s", st.ring_full + ps.dropped, st.ring_full, st.copy_fail,
					ps.dropped, secs);
		}
	}
out_meta:
	sk_meta_free(run.first_meta);
out_probe:
	sk_probe_close(run.probe);
	free(types);
	return rc;
}
