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
#include "formats/syscalls.h"
#include "probe/probe.h"
#include "record/dump_int.h"
#include "record/record.h"
#include "host/containers.h"
#include "host/snapshot.h"
#include "fields/fields.h"
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
"  -s, --snaplen BYTES   I/O data bytes kept per event (default 80); with -i\n"
"                        also the bytes kept per packet (as tcpdump -s)\n"
"      --ring-kb KB      kernel ring buffer size (default 8192)\n"
"      --no-execveat-mark  do not mark execveat at its entry: saves ~10-16 ns\n"
"                        every syscall of the host, but a successful execveat\n"
"                        not relative to a descriptor is then recorded as execve\n"
"Packets (docs/packets.md):\n"
"  -i, --interface IFACE also capture the packets of IFACE with libpcap into the\n"
"                        same capture (repeatable, up to 16); saker-replay ties\n"
"                        them to processes (--pcap-out, fd.bytes.in/out)\n"
"      --pcap-filter EXPR  capture only packets matching EXPR (tcpdump syntax)\n"
"      --pcap-snaplen BYTES  bytes kept per packet (default 262144)\n"
"Containers (docs/containers.md):\n"
"      --container-socket ENGINE=PATH  ask this runtime socket for container\n"
"                        metadata (ENGINE docker or podman: Docker Engine API;\n"
"                        containerd or cri: CRI gRPC, containerd and cri-o;\n"
"                        repeatable; replaces that engine's default sockets:\n"
"                        docker /var/run/docker.sock, podman /run/podman/podman.sock\n"
"                        and /run/user/UID/podman/podman.sock, containerd\n"
"                        /run/host-containerd/containerd.sock, cri\n"
"                        /run/containerd/containerd.sock, /run/crio/crio.sock,\n"
"                        /run/k3s/containerd/containerd.sock); records go into\n"
"                        the capture as they arrive (running containers at start)\n"
"      --no-containers   no runtime lookup (container.id only, from cgroups)\n"
"Other:\n"
"  -u, --user NAME       after attaching, run as this user (name or uid); the\n"
"                        capture file is opened before the switch, rotated\n"
"                        files (-C/-G) are created as NAME in the file's directory\n"
"  -q, --quiet           no summary line, no container runtime notices\n"
"  -v, --verbose         print the probe's programs (verified instructions,\n"
"                        sizes, load times) and where the start-up time went\n"
"      --probe-stats     load and attach the probe, print that table, exit\n"
"      --dump FILE       print a capture as text (one event per line) and exit\n"
"  -h, --help            this help\n"
"\n"
"Examples:\n"
"  saker-record -w /var/log/saker/host.skr -M 3600\n"
"  saker-record -w cap.skr -C 100 -W 10          # 10 rotating 100 MB files\n"
"  saker-record -w - --syscalls execve,connect | ssh box 'cat > cap.skr'\n"
"  saker-record -w web.skr -p 1234\n"
"  saker-record -w min.skr -r /etc/falco/falco_rules.yaml\n"
"  saker-record -w net.skr -i eth0 --pcap-filter 'tcp port 443'\n"
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
	struct host_opts host;
	uint64_t events;
	uint64_t limit;
	uint64_t pipe_drops;
	struct rec_pcap *pcap;  /* -i, or NULL */
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
	int rc = host_snapshot_all(m, &r->host, err, sizeof(err));
	return rc < 0 ? rc : rec_pcap_meta(r->pcap, m);
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
	struct rec_pcap *pcap;
	struct host_ctr *ctr;     /* container metadata lookup, or NULL */
	struct sk_meta *ctr_got;
};

static int w_event(void *ctx, const struct sk_event *ev)
{
	return rec_out_event(((struct writer_ctx *)ctx)->out, ev);
}

static int w_tick(void *ctx)
{
	struct writer_ctx *wc = ctx;
	int rc = rec_pcap_drain(wc->pcap, wc->out);
	if (rc < 0)
		return rc;
	/* container records that arrived: written after the events so far */
	if (wc->ctr) {
		sk_meta_reset(wc->ctr_got);
		if (host_ctr_take(wc->ctr, wc->ctr_got)) {
			rc = rec_out_containers(wc->out, wc->ctr_got->containers, wc->ctr_got->n_containers);
			if (rc < 0)
				return rc;
		}
	}
	return rec_out_tick(wc->out);
}

static void ctr_notice(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "saker-record: %s\n", line);
}

/* --container-socket ENGINE=PATH: the first one of an engine replaces its
 * default sockets, later ones add to them. */
static int ctr_socket_opt(struct host_ctr_opts *o, const char *arg, int set[HOST_CTR__ENGINES])
{
	const char *eq = strchr(arg, '=');
	char name[32];
	int e = -1;
	if (eq && (size_t)(eq - arg) < sizeof(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
		e = host_ctr_engine_by_name(name);
	}
	if (e < 0 || !eq[1]) {
		fprintf(stderr, "saker-record: --container-socket %s: expected ENGINE=PATH with ENGINE docker, podman, "
				"containerd or cri\n", arg);
		return -1;
	}
	struct host_ctr_engine_cfg *c = &o->engine[e];
	if (!set[e])
		c->nsockets = 0;
	set[e] = 1;
	if (c->nsockets >= HOST_CTR_MAX_SOCKETS || strlen(eq + 1) >= HOST_CTR_PATH_MAX) {
		fprintf(stderr, "saker-record: --container-socket %s: at most %d sockets per engine, paths under %d bytes\n",
			arg, HOST_CTR_MAX_SOCKETS, HOST_CTR_PATH_MAX);
		return -1;
	}
	snprintf(c->sockets[c->nsockets++], HOST_CTR_PATH_MAX, "%s", eq + 1);
	return 0;
}

/* Event types the rules in paths can match, into *out (malloc'd). Prints
 * the loader's diagnostics on failure. Returns the count or -1. */
static long rules_evttypes(char **paths, size_t n, uint16_t **out)
{
	struct rule_load_opts lo;
	struct rule_loader *l;
	struct rule_set *rs = NULL;
	long rc = -1;

	field_load_opts(&lo);
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

/* --probe-stats: load and attach the probe, print what each program cost. */
static int print_probe_stats(void)
{
	struct sk_probe *p;
	char err[1024];
	int rc;

	if (sk_probe_open(&p, NULL, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: %s\n", err);
		return 1;
	}
	rc = sk_probe_set_syscalls(p, NULL, 0, err, sizeof(err));
	if (!rc)
		rc = sk_probe_attach(p, err, sizeof(err));
	if (rc)
		fprintf(stderr, "saker-record: %s\n", err);
	else
		sk_probe_report(p, stdout, "saker-record");
	sk_probe_close(p);
	return rc ? 1 : 0;
}

/* -v: where the start-up went, from main() to ready. */
static void print_startup(const struct sk_probe *p, uint64_t t_start, uint64_t snap_ns)
{
	struct sk_probe_times t;

	sk_probe_get_times(p, &t);
	fprintf(stderr,
		"saker-record: start-up %.1f ms: probe open %.1f, load %.1f, setup %.1f, attach %.1f; snapshot %.1f ms\n",
		(mono_ns() - t_start) / 1e6, t.open_ns / 1e6, t.load_ns / 1e6, t.setup_ns / 1e6, t.attach_ns / 1e6,
		snap_ns / 1e6);
}

int main(int argc, char **argv)
{
	enum { O_SYSCALLS = 256, O_COMM, O_DUMP, O_LIST, O_RING, O_PROBE_STATS, O_NO_EXECVEAT_MARK,
	       O_PCAP_FILTER, O_PCAP_SNAPLEN, O_CTR_SOCKET, O_NO_CONTAINERS };
	static const struct option lopts[] = {
		{ "write", required_argument, 0, 'w' }, { "force", no_argument, 0, 'f' },
		{ "compress", required_argument, 0, 'z' }, { "file-size", required_argument, 0, 'C' },
		{ "seconds", required_argument, 0, 'G' }, { "file-count", required_argument, 0, 'W' },
		{ "duration", required_argument, 0, 'M' }, { "count", required_argument, 0, 'c' },
		{ "syscalls", required_argument, 0, O_SYSCALLS }, { "rules", required_argument, 0, 'r' }, { "list-syscalls", no_argument, 0, O_LIST },
		{ "pid", required_argument, 0, 'p' }, { "comm", required_argument, 0, O_COMM },
		{ "snaplen", required_argument, 0, 's' }, { "ring-kb", required_argument, 0, O_RING },
		{ "quiet", no_argument, 0, 'q' }, { "dump", required_argument, 0, O_DUMP },
		{ "user", required_argument, 0, 'u' }, { "verbose", no_argument, 0, 'v' },
		{ "probe-stats", no_argument, 0, O_PROBE_STATS }, { "no-execveat-mark", no_argument, 0, O_NO_EXECVEAT_MARK },
		{ "interface", required_argument, 0, 'i' }, { "pcap-filter", required_argument, 0, O_PCAP_FILTER },
		{ "pcap-snaplen", required_argument, 0, O_PCAP_SNAPLEN },
		{ "container-socket", required_argument, 0, O_CTR_SOCKET }, { "no-containers", no_argument, 0, O_NO_CONTAINERS },
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
	int force = 0, quiet = 0, verbose = 0, probe_stats = 0, no_mark = 0, opt, rc = 1;
	uint64_t t_start = mono_ns(), t_snap;
	const char *names[512];
	size_t nnames = 0;
	char err[1024];
	struct sk_probe_opts po;
	struct run run;
	struct writer_ctx wc = { 0 };
	struct host_ctr_opts ctr_opts;
	int ctr_set[HOST_CTR__ENGINES] = { 0 }, no_containers = 0;
	struct rec_out_opts oo;
	struct rec_pipe_stats ps;
	struct sk_probe_stats st;
	struct sigaction sa;
	uint64_t t0, last_flush;
	const char *ifaces[REC_PCAP_MAX_IFACES];
	struct rec_pcap_opts pco = { .ifaces = ifaces };
	uint64_t pkt_snaplen = 0;
	int snaplen_set = 0;

	host_ctr_opts_default(&ctr_opts);

	while ((opt = getopt_long(argc, argv, "w:fz:C:G:W:M:c:p:s:r:u:i:qvh", lopts, NULL)) != -1) {
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
		case 's': if (parse_u64(optarg, "snaplen", &snaplen) || snaplen > 16384) return 2; snaplen_set = 1; break;
		case 'i':
			if (pco.n_ifaces == REC_PCAP_MAX_IFACES) {
				fprintf(stderr, "saker-record: too many -i options (max %d)\n", REC_PCAP_MAX_IFACES);
				return 2;
			}
			ifaces[pco.n_ifaces++] = optarg;
			break;
		case O_PCAP_FILTER: pco.filter = optarg; break;
		case O_PCAP_SNAPLEN:
			if (parse_u64(optarg, "packet snaplen", &pkt_snaplen) || !pkt_snaplen || pkt_snaplen > 262144)
				return 2;
			break;
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
		case 'v': verbose = 1; break;
		case O_PROBE_STATS: probe_stats = 1; break;
		case O_NO_EXECVEAT_MARK: no_mark = 1; break;
		case O_NO_CONTAINERS: no_containers = 1; break;
		case O_CTR_SOCKET:
			if (ctr_socket_opt(&ctr_opts, optarg, ctr_set) < 0)
				return 2;
			break;
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
	if (probe_stats)
		return print_probe_stats();
	if (pco.filter && !pco.n_ifaces) {
		fprintf(stderr, "saker-record: --pcap-filter needs -i IFACE\n");
		return 2;
	}
	pco.snaplen = (uint32_t)(pkt_snaplen ? pkt_snaplen : snaplen_set ? snaplen : 0);
	pco.level = (int)level;
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

	/* From here on a stop request ends the recording cleanly, also one sent
	 * during start-up (a background job of a script ignores SIGINT until a
	 * handler is set). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&po, 0, sizeof(po));
	po.snaplen = (uint32_t)snaplen;
	po.ring_bytes = (uint32_t)(ringkb * 1024);
	po.pids = pids;
	po.npids = npids;
	po.comm = comm;
	po.no_execveat_mark = no_mark;
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

		if (!r2) {
			size_t nstate;
			const char *const *state = sk_syscalls_for_state(&nstate);
			r2 = sk_probe_add_syscalls(run.probe, state, nstate, err, sizeof(err));
		}
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
	if (verbose)
		sk_probe_report(run.probe, stderr, "saker-record");
	t_snap = mono_ns();
	run.first_meta = sk_meta_new();
	if (!run.first_meta || host_snapshot_all(run.first_meta, &run.host, err, sizeof(err)) < 0) {
		fprintf(stderr, "saker-record: snapshot: %s\n", run.first_meta ? err : "out of memory");
		goto out_meta;
	}
	t_snap = mono_ns() - t_snap;
	/* packet capture needs CAP_NET_RAW: open before privileges go */
	if (pco.n_ifaces) {
		run.pcap = rec_pcap_open(&pco, err, sizeof(err));
		if (!run.pcap || rec_pcap_meta(run.pcap, run.first_meta) < 0) {
			fprintf(stderr, "saker-record: %s\n", run.pcap ? "out of memory" : err);
			goto out_meta;
		}
	}
	wc.pcap = run.pcap;

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
	/* after the drop: capabilities are per thread, and the lookup's is one */
	if (!no_containers) {
		ctr_opts.notice = quiet ? NULL : ctr_notice; /* -q: no start-up notices either */
		wc.ctr_got = sk_meta_new();
		wc.ctr = wc.ctr_got ? host_ctr_start(&ctr_opts, err, sizeof(err)) : NULL;
		if (!wc.ctr)
			fprintf(stderr, "saker-record: %s; the capture gets no container metadata\n",
				wc.ctr_got ? err : "containers: out of memory");
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
	if (run.pcap && rec_pcap_start(run.pcap) < 0) {
		fprintf(stderr, "saker-record: cannot start the packet capture thread: %s\n", strerror(errno));
		rc = 1;
		g_stop = 1;
	}

	if (verbose)
		print_startup(run.probe, t_start, t_snap);
	if (!quiet)
		fprintf(stderr, "saker-record: recording to %s (snapshot: %zu threads, %zu fds)\n", path,
			run.first_meta->n_procs, run.first_meta->n_fds);
	t0 = last_flush = mono_ns();
	rc = g_stop && run.pcap ? 1 : 0;
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
	rec_pcap_stop(run.pcap);
	{
		int perr = rec_pipe_stop(run.pipe, &ps);
		host_ctr_stop(wc.ctr);
		sk_meta_free(wc.ctr_got);
		int cerr;

		/* the capture thread's last frames (the writer thread is gone) */
		if (perr >= 0 && rec_pcap_drain(run.pcap, wc.out) < 0) {
			fprintf(stderr, "saker-record: %s\n", rec_out_error(wc.out)[0] ? rec_out_error(wc.out)
									: rec_pcap_error(run.pcap));
			rc = 1;
		}
		if (perr < 0) {
			fprintf(stderr, "saker-record: %s\n", rec_out_error(wc.out));
			rc = 1;
		}
		sk_probe_stats(run.probe, &st);
		{
			uint64_t bytes = 0;
			double secs = (double)(mono_ns() - t0) / 1e9;
			unsigned files = rec_out_files(wc.out);

			/* bytes before close, the last chunk in them: only the footer is left out */
			rec_out_flush(wc.out);
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
			if (!quiet && run.pcap) {
				struct rec_pcap_stats pst;
				rec_pcap_stats(run.pcap, &pst);
				fprintf(stderr, "saker-record: %" PRIu64 " packets on %zu interface%s, %" PRIu64
					" dropped (kernel %" PRIu64 ", writer behind %" PRIu64 ")\n",
					pst.packets, pco.n_ifaces, pco.n_ifaces == 1 ? "" : "s",
					pst.kernel_dropped + pst.dropped, pst.kernel_dropped, pst.dropped);
			}
		}
	}
out_meta:
	rec_pcap_free(run.pcap);
	sk_meta_free(run.first_meta);
out_probe:
	sk_probe_close(run.probe);
	free(types);
	return rc;
}
