/* bench/bench_skr.c: .skr size and speed on a synthetic syscall stream (bytes/event, write and decode events/s). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/skr/skr.h"
#include "bench/bench_util.h"

#define NEVENTS 1000000u

/* A small deterministic PRNG (xorshift64*), so runs are comparable. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static const char *const paths[] = {
	"/etc/passwd", "/etc/group", "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf",
	"/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6",
	"/usr/lib/locale/locale-archive", "/proc/self/status", "/proc/meminfo", "/proc/stat",
	"/proc/loadavg", "/sys/fs/cgroup/cpu.max", "/var/log/nginx/access.log",
	"/var/lib/postgresql/15/main/base/16384/2619", "/var/lib/postgresql/15/main/pg_wal/0001",
	"/home/alice/.bashrc", "/home/alice/project/src/main.c", "/tmp/tmp.XyZ12/out.o",
	"/usr/share/zoneinfo/UTC", "/dev/null", "/dev/urandom", "/run/systemd/journal/socket",
	"/usr/bin/python3.11", "/usr/lib/python3.11/os.py", "/usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
	"/srv/www/index.html", "/srv/www/static/app.js", "/srv/www/static/style.css",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

/* Buffers that programs typically read and write: log lines, HTTP, config. */
static const char *const texts[] = {
	"GET /api/v1/items?page=2 HTTP/1.1\r\nHost: shop.example.com\r\nUser-Agent: curl/7.88\r\n",
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1432\r\nConnection: k",
	"10.0.3.17 - - [23/Nov/2026:13:01:44 +0000] \"GET /static/app.js HTTP/1.1\" 200 5123 \"-\"",
	"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:",
	"{\"ts\":\"2026-11-23T13:01:44Z\",\"level\":\"info\",\"msg\":\"request done\",\"status\":200,",
	"nameserver 10.0.0.2\nsearch svc.cluster.local cluster.local\noptions ndots:5\n\0\0\0\0\0",
	"Nov 23 13:01:44 web-1 sshd[4242]: Accepted publickey for alice from 10.0.3.9 port 5",
	"SELECT id, name, price FROM items WHERE category_id = $1 ORDER BY name LIMIT 50 OFFSET",
};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

struct scratch {
	uint8_t buf[8192];
	size_t len;
};

static void p_raw(struct sk_event *ev, struct scratch *s, const void *v, size_t n)
{
	memcpy(s->buf + s->len, v, n);
	ev->params[ev->nparams].val = s->buf + s->len;
	ev->params[ev->nparams].len = (uint32_t)n;
	ev->nparams++;
	s->len += n;
}
static void p_i64(struct sk_event *ev, struct scratch *s, int64_t v) { p_raw(ev, s, &v, 8); }
static void p_u32(struct sk_event *ev, struct scratch *s, uint32_t v) { p_raw(ev, s, &v, 4); }
static void p_str(struct sk_event *ev, struct scratch *s, const char *v) { p_raw(ev, s, v, strlen(v) + 1); }

struct proc {
	int64_t tid;
	const char *comm;
	int64_t next_fd;
};

static struct proc procs[24];

static void make_stream_event(uint64_t i, uint64_t *ts, struct sk_event *ev, struct scratch *s)
{
	memset(ev, 0, offsetof(struct sk_event, params));
	s->len = 0;
	/* A few busy processes dominate, as on real hosts. */
	uint64_t r = rnd();
	struct proc *p = &procs[(r & 0xff) < 200 ? (r >> 8) % 4 : (r >> 8) % 24];
	*ts += 200 + (rnd() % 4000);
	ev->ts = *ts;
	ev->tid = p->tid;
	ev->cpu = (uint16_t)(p->tid & 1);
	int64_t fd = 3 + (int64_t)((r >> 16) % 8);
	unsigned pick = (unsigned)((r >> 24) % 100);
	const char *text = texts[(r >> 32) % NTEXTS];
	if (pick < 28) {
		ev->type = SK_EV_READ_X;
		p_i64(ev, s, 80);
		p_raw(ev, s, text, 80);
		p_i64(ev, s, fd);
		p_u32(ev, s, 80);
	} else if (pick < 50) {
		ev->type = SK_EV_WRITE_X;
		p_i64(ev, s, 80);
		p_raw(ev, s, text, 80);
		p_i64(ev, s, fd);
		p_u32(ev, s, 80);
	} else if (pick < 68) {
		ev->type = SK_EV_OPENAT_X;
		p_i64(ev, s, p->next_fd);
		p_i64(ev, s, -100);
		p_str(ev, s, paths[(r >> 40) % NPATHS]);
		p_u32(ev, s, 4097);
		p_u32(ev, s, 0);
		p_u32(ev, s, 0x803);
		p_i64(ev, s, (int64_t)(100000 + (r >> 40) % NPATHS));
	} else if (pick < 86) {
		ev->type = SK_EV_CLOSE_X;
		p_i64(ev, s, 0);
		p_i64(ev, s, fd);
	} else if (pick < 92) {
		/* fstat-like calls with a small result. */
		ev->type = SK_EV_FSTAT_X;
		p_i64(ev, s, 0);
		p_i64(ev, s, fd);
	} else if (pick < 96) {
		static const uint8_t tuple[13] = { 2, 10, 0, 3, 17, 0, 0, 10, 0, 0, 5, 0x1f, 0x90 };
		uint8_t t[13];
		memcpy(t, tuple, 13);
		t[5] = (uint8_t)(r >> 48);
		t[6] = (uint8_t)(0x80 | (r >> 56));
		ev->type = SK_EV_CONNECT_X;
		p_i64(ev, s, 0);
		p_raw(ev, s, t, 13);
		p_i64(ev, s, fd);
	} else if (pick < 98) {
		ev->type = SK_EV_CLONE_X;
		p_i64(ev, s, (int64_t)(30000 + i % 30000));
		p_str(ev, s, "/bin/sh");
		p_raw(ev, s, "-c\0make -j2\0", 12);
		p_i64(ev, s, p->tid);
		p_i64(ev, s, p->tid);
		p_i64(ev, s, 1);
		p_str(ev, s, "/home/alice/project");
		p_i64(ev, s, 1024);
		p_i64(ev, s, 0);
		p_i64(ev, s, 120);
		p_u32(ev, s, 2300);
		p_u32(ev, s, 1200);
		p_u32(ev, s, 0);
		p_str(ev, s, p->comm);
		p_raw(ev, s, "cpu=/user.slice\0memory=/user.slice\0pids=/user.slice\0", 51);
		p_u32(ev, s, 0x1200011);
		p_u32(ev, s, 1000);
		p_u32(ev, s, 1000);
	} else if (pick < 99) {
		static const char env[] = "PATH=/usr/local/bin:/usr/bin:/bin\0HOME=/home/alice\0"
					  "LANG=C.UTF-8\0TERM=xterm-256color\0SHELL=/bin/bash\0"
					  "USER=alice\0PWD=/home/alice/project\0SHLVL=2\0";
		ev->type = SK_EV_EXECVE_X;
		p_i64(ev, s, 0);
		p_str(ev, s, "/usr/bin/gcc");
		p_raw(ev, s, "-O2\0-c\0src/main.c\0-o\0build/main.o\0", 34);
		p_i64(ev, s, p->tid);
		p_i64(ev, s, p->tid);
		p_i64(ev, s, 1);
		p_str(ev, s, "/home/alice/project");
		p_i64(ev, s, 1024);
		p_i64(ev, s, 0);
		p_i64(ev, s, 95);
		p_u32(ev, s, 8800);
		p_u32(ev, s, 2100);
		p_u32(ev, s, 0);
		p_str(ev, s, "gcc");
		p_raw(ev, s, "cpu=/user.slice\0memory=/user.slice\0pids=/user.slice\0", 51);
		p_raw(ev, s, env, sizeof(env) - 1);
		p_u32(ev, s, 34816);
		p_i64(ev, s, p->tid);
		p_u32(ev, s, 1000);
		p_u32(ev, s, 0);
		p_u32(ev, s, 1000);
		p_u32(ev, s, 1000);
	} else {
		ev->type = SK_EV_PROCEXIT;
		p_i64(ev, s, 0);
		p_i64(ev, s, 0);
		p_raw(ev, s, "\0", 1);
		p_raw(ev, s, "\0", 1);
	}
	if (ev->type == SK_EV_OPENAT_X && ++p->next_fd > 40)
		p->next_fd = 3;
}

/* Builds the stream once, so generation does not count in the write time. */
struct stream {
	struct sk_event *evs;
	uint8_t *bytes;
};

static int build_stream(struct stream *st)
{
	static const char *const comms[] = { "nginx", "postgres", "python3", "sshd", "bash",
					     "make", "gcc", "systemd", "containerd", "node" };
	for (int k = 0; k < 24; k++) {
		procs[k].tid = 1200 + k * 37;
		procs[k].comm = comms[k % 10];
		procs[k].next_fd = 3;
	}
	st->evs = malloc(sizeof(*st->evs) * NEVENTS);
	st->bytes = malloc((size_t)NEVENTS * 160 + 8192);
	if (!st->evs || !st->bytes)
		return -1;
	struct scratch s;
	size_t off = 0;
	uint64_t ts = 1763902800000000000ull;
	for (uint64_t i = 0; i < NEVENTS; i++) {
		struct sk_event *ev = &st->evs[i];
		make_stream_event(i, &ts, ev, &s);
		if (off + s.len > (size_t)NEVENTS * 160)
			return -1;
		memcpy(st->bytes + off, s.buf, s.len);
		for (uint32_t k = 0; k < ev->nparams; k++)
			ev->params[k].val = st->bytes + off + (ev->params[k].val - s.buf);
		off += s.len;
	}
	return 0;
}

static int run_level(const struct stream *st, int level, const char *path)
{
	char err[512];
	struct skr_writer_opts o = { .level = level, .force = 1 };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "bench_skr: %s\n", err);
		return -1;
	}
	double t0 = bench_now();
	for (uint32_t i = 0; i < NEVENTS; i++)
		if (skr_writer_append(w, &st->evs[i])) {
			fprintf(stderr, "bench_skr: %s\n", skr_writer_error(w));
			skr_writer_abandon(w);
			return -1;
		}
	uint64_t bytes;
	if (skr_writer_flush(w) || (bytes = skr_writer_bytes(w), skr_writer_close(w, err, sizeof(err)))) {
		fprintf(stderr, "bench_skr: %s\n", err);
		return -1;
	}
	double t1 = bench_now();

	/* Decode: best of 3 runs, touching every event. */
	double best = 1e9;
	uint64_t sum = 0, n = 0;
	for (int rep = 0; rep < 3; rep++) {
		struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
		if (!r) {
			fprintf(stderr, "bench_skr: %s\n", err);
			return -1;
		}
		struct sk_event ev;
		double r0 = bench_now();
		n = 0;
		while (skr_reader_next(r, &ev) == 1) {
			sum += ev.ts + ev.nparams + (ev.nparams ? ev.params[0].len : 0);
			n++;
		}
		double r1 = bench_now();
		skr_reader_close(r);
		if (r1 - r0 < best)
			best = r1 - r0;
	}
	if (n != NEVENTS) {
		fprintf(stderr, "bench_skr: read back %llu events, wrote %u\n", (unsigned long long)n,
			NEVENTS);
		return -1;
	}
	printf("| %d | %.2f | %.2f | %.2f |%s\n",
	       level, (double)bytes / NEVENTS, NEVENTS / (t1 - t0) / 1e6, NEVENTS / best / 1e6,
	       sum == 0 ? " checksum 0" : "");
	return 0;
}

int main(void)
{
	struct stream st;
	if (build_stream(&st)) {
		fprintf(stderr, "bench_skr: out of memory\n");
		return 1;
	}
	uint64_t raw = 0;
	for (uint32_t i = 0; i < NEVENTS; i++)
		for (uint32_t k = 0; k < st.evs[i].nparams; k++)
			raw += st.evs[i].params[k].len;
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[512];
	snprintf(path, sizeof(path), "%s/bench_skr.%d.skr", dir, (int)getpid());
	printf("bench_skr: %u synthetic events (read/write with 80-byte buffers, openat, close, "
	       "fstat, connect, clone, execve, procexit), %.1f parameter bytes/event raw\n",
	       NEVENTS, (double)raw / NEVENTS);
	printf("\n| zstd level | bytes/event | write M events/s | decode M events/s |\n"
	       "|---|---|---|---|\n");
	int rc = 0;
	static const int levels[] = { 3, 1, 9 };
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]) && !rc; l++)
		rc = run_level(&st, levels[l], path);
	unlink(path);
	free(st.evs);
	free(st.bytes);
	return rc ? 1 : 0;
}
