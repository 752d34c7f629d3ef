/* bench/gen_workload.c: the synthetic host of bench_gen_capture: tasks (shell, make, compilers, tests, curl, nginx...) running scripts of syscalls, and the matching start-of-capture metadata. */
#include "bench/gen_workload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/gen_builder.h"

/*
 * The model: a host with an init, sshd, a login shell running `make -j` and
 * a test runner. Tasks (processes) are spawned by clone + execve from their
 * parent, run a script of syscalls typical of their kind, interleaved with
 * each other, and exit. The mix (per million events, roughly): 30% read,
 * 20% openat, 20% close, 10% write, the rest fstat-less fd plumbing (fcntl,
 * dup2, pipe2), network (socket/connect/sendto/recvfrom/accept4), process
 * lifecycle (clone/execve/procexit ~0.5%) and a trickle of suspicious actions
 * (shadow reads, shells from servers, /etc writes) so rules do fire.
 * Everything derives from one xorshift seed: the same arguments always give
 * the same bytes.
 */

#define MAX_TASKS 64
#define MAX_FDS 64

/* The generator: its randomness, clock, the event being built and where events go. */
struct gen {
	struct bench_rng r;
	uint64_t ts;
	uint64_t emitted;
	struct bench_evb b;
	int failed;
	bench_sink_fn sink;
	void *ctx;
};

static void emit(struct gen *g)
{
	if (!g->failed && g->sink(g->ctx, &g->b.ev) < 0)
		g->failed = 1;
	g->emitted++;
}

enum task_kind { TK_SHELL, TK_MAKE, TK_CC, TK_LD, TK_TEST, TK_PY, TK_CURL, TK_NGINX, TK_GIT, TK_CAT, TK__COUNT };

struct kind_info {
	const char *comm, *exe, *args; /* args: NUL-separated, double-NUL ended */
	const char *cwd;
	uint32_t uid;
	uint32_t steps_min, steps_span;  /* script length in events */
};

static const struct kind_info kinds[TK__COUNT] = {
	[TK_SHELL] = { "bash", "/usr/bin/bash", "-c\0make -j2 test\0", "/home/dev/proj", 1000, 200, 400 },
	[TK_MAKE] = { "make", "/usr/bin/make", "-j2\0all\0", "/home/dev/proj", 1000, 300, 600 },
	[TK_CC] = { "cc1", "/usr/lib/gcc/x86_64-linux-gnu/12/cc1",
		    "-quiet\0-I.\0-D_GNU_SOURCE\0src/engine.c\0-O2\0-o\0/tmp/ccA1b2C3.s\0", "/home/dev/proj", 1000, 800, 1600 },
	[TK_LD] = { "ld", "/usr/bin/x86_64-linux-gnu-ld.bfd", "-o\0build/app\0build/obj/main.o\0-lz\0",
		    "/home/dev/proj", 1000, 300, 300 },
	[TK_TEST] = { "test_runner", "/home/dev/proj/build/tests/test_runner", "--verbose\0", "/home/dev/proj", 1000, 600, 1200 },
	[TK_PY] = { "python3", "/usr/bin/python3.11", "-m\0pytest\0tests/\0", "/home/dev/proj", 1000, 800, 1600 },
	[TK_CURL] = { "curl", "/usr/bin/curl", "-sSf\0https://deb.debian.org/debian/dists/bookworm/Release\0",
		      "/home/dev", 1000, 60, 120 },
	[TK_NGINX] = { "nginx", "/usr/sbin/nginx", "-g\0daemon off;\0", "/", 33, 400, 800 },
	[TK_GIT] = { "git", "/usr/bin/git", "status\0--short\0", "/home/dev/proj", 1000, 200, 400 },
	[TK_CAT] = { "cat", "/usr/bin/cat", "/etc/shadow\0", "/home/dev", 0, 8, 4 },
};

struct task {
	int used;
	int kind;
	int64_t tid, ptid;
	uint32_t steps_left;
	uint8_t fd_used[MAX_FDS];
	int listen_fd;     /* nginx */
	int cur_fd;        /* the file being worked on, -1 none */
	uint32_t cur_reads;
	int cur_net;
	uint16_t sport;
	uint32_t dip;
	uint16_t dport;
};

struct world {
	struct task t[MAX_TASKS];
	size_t ntasks;
	int64_t next_tid;
	int64_t shell_tid, nginx_tid;
};

static const char *const headers[] = {
	"/usr/include/stdio.h", "/usr/include/stdlib.h", "/usr/include/string.h", "/usr/include/errno.h",
	"/usr/include/x86_64-linux-gnu/bits/types.h", "/usr/include/features.h",
	"/usr/include/x86_64-linux-gnu/sys/cdefs.h", "/usr/include/x86_64-linux-gnu/bits/wordsize.h",
	"/usr/lib/gcc/x86_64-linux-gnu/12/include/stddef.h", "/usr/lib/gcc/x86_64-linux-gnu/12/include/stdint.h",
	"/usr/include/stdint.h", "/usr/include/time.h", "/usr/include/unistd.h", "/usr/include/fcntl.h",
	"/usr/include/zstd.h", "/usr/include/yaml.h", "formats/event.h", "formats/meta.h", "rules/rules.h",
	"replay/engine.h", "replay/state.h", "/usr/include/x86_64-linux-gnu/bits/stdio_lim.h",
};
static const char *const missing[] = {
	"/usr/local/include/stdio.h", "/usr/include/x86_64-linux-gnu/stdio.h", "./formats/event.h.gch",
	"/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libz.so.1", "/etc/ld.so.preload",
};
static const char *const libs[] = {
	"/etc/ld.so.cache", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
	"/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libpthread.so.0",
};
static const char *const test_files[] = {
	"/home/dev/proj/tests/data/input.txt", "/home/dev/proj/tests/golden/out.txt",
	"/home/dev/proj/tests/data/rules.yaml", "/tmp/pytest-of-dev/pytest-12/test_ok0/result.json",
	"/home/dev/proj/.pytest_cache/v/cache/nodeids", "/usr/lib/python3.11/json/__init__.py",
	"/usr/lib/python3.11/__pycache__/os.cpython-311.pyc", "/home/dev/proj/tests/conftest.py",
};
static const char *const www[] = {
	"/var/www/html/index.html", "/var/www/html/static/app.js", "/var/www/html/static/style.css",
	"/var/log/nginx/access.log",
};
static const char *const git_files[] = {
	"/home/dev/proj/.git/HEAD", "/home/dev/proj/.git/index", "/home/dev/proj/.git/config",
	"/home/dev/proj/.git/refs/heads/main", "/home/dev/proj/.git/objects/pack/pack-3f2a.idx",
};

static const char text_pool[] =
	"#include <stdio.h>\nint main(void) { printf(\"hello\\n\"); return 0; }\n"
	"GET /static/app.js HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
	"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html\r\nContent-Length: 615\r\n\r\n"
	"test_engine.c:42: PASS test_replay_rate\ntest_rules.c:17: PASS test_cond_eval\n"
	"\x7f" "ELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00\x01\x00\x00\x00";

static const char cgroups[] = "cpuset=/\0cpu=/user.slice\0cpuacct=/user.slice\0memory=/user.slice/user-1000.slice\0"
			      "pids=/user.slice/user-1000.slice\0";
static const char env_dev[] = "HOME=/home/dev\0PATH=/usr/local/bin:/usr/bin:/bin\0LANG=C.UTF-8\0TERM=xterm-256color\0"
			      "USER=dev\0SHELL=/bin/bash\0PWD=/home/dev/proj\0";

static uint64_t adv(struct gen *g)
{
	/* ~100k events/s of wall time, bursty */
	g->ts += 1000 + bench_rng_below(&g->r, 19000);
	return g->ts;
}

static uint16_t cpu_of(struct gen *g)
{
	return (uint16_t)bench_rng_below(&g->r, 2);
}

static int fd_alloc(struct task *t)
{
	for (int i = 3; i < MAX_FDS; i++)
		if (!t->fd_used[i]) {
			t->fd_used[i] = 1;
			return i;
		}
	return -1;
}

static void ev_openat(struct gen *g, struct task *t, const char *path, int want_fd, uint32_t flags)
{
	int fd = want_fd ? fd_alloc(t) : -2;
	bench_evb_start(&g->b, SK_EV_OPENAT_X, adv(g), t->tid, cpu_of(g));
	bench_evb_int(&g->b, "fd", fd < 0 ? -2 : fd);
	bench_evb_int(&g->b, "dirfd", -100);
	bench_evb_str(&g->b, "name", path);
	bench_evb_int(&g->b, "flags", flags);
	bench_evb_int(&g->b, "mode", (flags & 4) ? 0644 : 0);
	if (fd >= 0) {
		bench_evb_int(&g->b, "dev", 0xfe00);
		bench_evb_int(&g->b, "ino", 400000 + (int64_t)(strlen(path) * 977 % 100000));
	}
	emit(g);
	t->cur_fd = fd;
	t->cur_reads = 0;
}

static void ev_io(struct gen *g, struct task *t, uint16_t type, int fd, uint32_t size)
{
	uint32_t off = bench_rng_below(&g->r, sizeof(text_pool) - 81);
	uint32_t n = size < 80 ? size : 80;
	bench_evb_start(&g->b, type, adv(g), t->tid, cpu_of(g));
	bench_evb_int(&g->b, "res", size);
	bench_evb_raw(&g->b, "data", text_pool + off, n);
	bench_evb_int(&g->b, "fd", fd);
	bench_evb_int(&g->b, "size", size);
	emit(g);
}

static void ev_close(struct gen *g, struct task *t, int fd)
{
	bench_evb_start(&g->b, SK_EV_CLOSE_X, adv(g), t->tid, cpu_of(g));
	bench_evb_int(&g->b, "res", 0);
	bench_evb_int(&g->b, "fd", fd);
	emit(g);
	if (fd >= 0 && fd < MAX_FDS)
		t->fd_used[fd] = 0;
}

static void ev_clone_side(struct gen *g, const struct task *parent, int64_t tid, int64_t ptid, int64_t res)
{
	const struct kind_info *k = &kinds[parent->kind];
	size_t alen = 0;
	while (k->args[alen] || k->args[alen + 1])
		alen++;
	bench_evb_start(&g->b, SK_EV_CLONE_X, adv(g), tid, cpu_of(g));
	bench_evb_int(&g->b, "res", res);
	bench_evb_str(&g->b, "exe", k->exe);
	bench_evb_raw(&g->b, "args", k->args, alen + 2);
	bench_evb_int(&g->b, "tid", tid);
	bench_evb_int(&g->b, "pid", tid);
	bench_evb_int(&g->b, "ptid", ptid);
	bench_evb_str(&g->b, "cwd", k->cwd);
	bench_evb_int(&g->b, "fdlimit", 1024);
	bench_evb_int(&g->b, "pgft_maj", 0);
	bench_evb_int(&g->b, "pgft_min", 12);
	bench_evb_int(&g->b, "vm_size", 4360);
	bench_evb_int(&g->b, "vm_rss", 188);
	bench_evb_int(&g->b, "vm_swap", 0);
	bench_evb_str(&g->b, "comm", k->comm);
	bench_evb_raw(&g->b, "cgroups", cgroups, sizeof(cgroups) - 1);
	bench_evb_int(&g->b, "flags", 0x1800000);
	bench_evb_int(&g->b, "uid", k->uid);
	bench_evb_int(&g->b, "gid", k->uid);
	bench_evb_int(&g->b, "vtid", tid);
	bench_evb_int(&g->b, "vpid", tid);
	bench_evb_int(&g->b, "pidns_init_start_ts", 0);
	emit(g);
}

static void ev_execve(struct gen *g, const struct task *t)
{
	const struct kind_info *k = &kinds[t->kind];
	size_t alen = 0;
	while (k->args[alen] || k->args[alen + 1])
		alen++;
	bench_evb_start(&g->b, SK_EV_EXECVE_X, adv(g), t->tid, cpu_of(g));
	bench_evb_int(&g->b, "res", 0);
	bench_evb_str(&g->b, "exe", k->exe);
	bench_evb_raw(&g->b, "args", k->args, alen + 2);
	bench_evb_int(&g->b, "tid", t->tid);
	bench_evb_int(&g->b, "pid", t->tid);
	bench_evb_int(&g->b, "ptid", t->ptid);
	bench_evb_str(&g->b, "cwd", k->cwd);
	bench_evb_int(&g->b, "fdlimit", 1024);
	bench_evb_int(&g->b, "pgft_maj", 0);
	bench_evb_int(&g->b, "pgft_min", 4);
	bench_evb_int(&g->b, "vm_size", 512);
	bench_evb_int(&g->b, "vm_rss", 0);
	bench_evb_int(&g->b, "vm_swap", 0);
	bench_evb_str(&g->b, "comm", k->comm);
	bench_evb_raw(&g->b, "cgroups", cgroups, sizeof(cgroups) - 1);
	bench_evb_raw(&g->b, "env", env_dev, sizeof(env_dev) - 1);
	bench_evb_int(&g->b, "tty", t->kind == TK_SHELL || t->kind == TK_CAT ? 34816 : 0);
	bench_evb_int(&g->b, "vpgid", t->ptid);
	bench_evb_int(&g->b, "loginuid", 1000);
	bench_evb_int(&g->b, "flags", 0);
	bench_evb_int(&g->b, "cap_inheritable", 0);
	bench_evb_int(&g->b, "cap_permitted", k->uid ? 0 : 0x1ffffffffffLL);
	bench_evb_int(&g->b, "cap_effective", k->uid ? 0 : 0x1ffffffffffLL);
	bench_evb_int(&g->b, "exe_ino", 1200000 + t->kind);
	bench_evb_int(&g->b, "exe_ino_ctime", 1700000000000000000LL);
	bench_evb_int(&g->b, "exe_ino_mtime", 1700000000000000000LL);
	bench_evb_int(&g->b, "uid", k->uid);
	bench_evb_str(&g->b, "trusted_exepath", k->exe);
	bench_evb_int(&g->b, "pgid", t->ptid);
	bench_evb_int(&g->b, "gid", k->uid);
	bench_evb_str(&g->b, "filename", k->exe);
	emit(g);
}

static struct task *task_new(struct world *w, int kind, int64_t ptid)
{
	for (size_t i = 0; i < MAX_TASKS; i++)
		if (!w->t[i].used) {
			struct task *t = &w->t[i];
			memset(t, 0, sizeof(*t));
			t->used = 1;
			t->kind = kind;
			t->tid = w->next_tid++;
			t->ptid = ptid;
			t->fd_used[0] = t->fd_used[1] = t->fd_used[2] = 1;
			t->cur_fd = -1;
			t->listen_fd = -1;
			w->ntasks++;
			return t;
		}
	return NULL;
}

/* parent clones a child of kind: both clone sides, the exec, the loader's opens. */
static void spawn(struct gen *g, struct world *w, struct task *parent, int kind)
{
	struct task *c = task_new(w, kind, parent->tid);
	if (!c)
		return;
	/* the child first runs as a copy of the parent */
	ev_clone_side(g, parent, c->tid, parent->tid, 0);
	ev_clone_side(g, parent, parent->tid, parent->ptid, c->tid);
	ev_execve(g, c);
	for (size_t i = 0; i < 2 + bench_rng_below(&g->r, 3); i++) {
		ev_openat(g, c, libs[i], 1, 0x80001);
		int fd = c->cur_fd;
		ev_io(g, c, SK_EV_READ_X, fd, 832);
		ev_close(g, c, fd);
	}
	c->steps_left = kinds[kind].steps_min + bench_rng_below(&g->r, kinds[kind].steps_span);
}

static void task_exit(struct gen *g, struct world *w, struct task *t)
{
	bench_evb_start(&g->b, SK_EV_PROCEXIT, adv(g), t->tid, cpu_of(g));
	bench_evb_int(&g->b, "status", 0);
	bench_evb_int(&g->b, "ret", 0);
	bench_evb_int(&g->b, "sig", 0);
	bench_evb_int(&g->b, "core", 0);
	bench_evb_int(&g->b, "reaper_tid", 0);
	emit(g);
	t->used = 0;
	w->ntasks--;
}

/* A file worked through: open, a few reads (or writes), close. */
static void file_step(struct gen *g, struct task *t, const char *const *paths, size_t npaths, int writing,
		      uint32_t max_io)
{
	if (t->cur_fd < 0) {
		if (!writing && bench_rng_below(&g->r, 6) == 0) {
			ev_openat(g, t, missing[bench_rng_below(&g->r, sizeof(missing) / sizeof(missing[0]))], 0, 0x80001);
			t->cur_fd = -1;
			return;
		}
		ev_openat(g, t, paths[bench_rng_below(&g->r, (uint32_t)npaths)], 1, writing ? 0x80046 : 0x80001);
		return;
	}
	if (t->cur_reads < 1 + bench_rng_below(&g->r, max_io)) {
		ev_io(g, t, writing ? SK_EV_WRITE_X : SK_EV_READ_X, t->cur_fd, 64 + bench_rng_below(&g->r, 4032));
		t->cur_reads++;
		return;
	}
	ev_close(g, t, t->cur_fd);
	t->cur_fd = -1;
}

static void net_step(struct gen *g, struct task *t, uint32_t dip, uint16_t dport, int udp)
{
	if (!t->cur_net) {
		int fd = fd_alloc(t);
		bench_evb_start(&g->b, SK_EV_SOCKET_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "fd", fd);
		bench_evb_int(&g->b, "domain", 2);
		bench_evb_int(&g->b, "type", udp ? 2 : 1);
		bench_evb_int(&g->b, "proto", 0);
		bench_evb_int(&g->b, "flags", 0);
		emit(g);
		t->cur_fd = fd;
		t->cur_net = 1;
		t->sport = (uint16_t)(32768 + bench_rng_below(&g->r, 28000));
		t->dip = dip;
		t->dport = dport;
		return;
	}
	if (t->cur_net == 1) {
		bench_evb_start(&g->b, SK_EV_CONNECT_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "res", 0);
		bench_evb_tuple4(&g->b, "tuple", bench_ip4(192, 168, 1, 23), t->sport, t->dip, t->dport);
		bench_evb_int(&g->b, "fd", t->cur_fd);
		bench_evb_addr4(&g->b, "addr", t->dip, t->dport);
		emit(g);
		t->cur_net = 2;
		t->cur_reads = 0;
		return;
	}
	if (t->cur_reads < 2 + bench_rng_below(&g->r, 6)) {
		uint32_t size = 40 + bench_rng_below(&g->r, 1400);
		if (t->cur_reads == 0) {
			bench_evb_start(&g->b, SK_EV_SENDTO_X, adv(g), t->tid, cpu_of(g));
			bench_evb_int(&g->b, "res", size);
			bench_evb_raw(&g->b, "data", text_pool + 60, 80);
			bench_evb_int(&g->b, "fd", t->cur_fd);
			bench_evb_int(&g->b, "size", size);
			bench_evb_tuple4(&g->b, "tuple", bench_ip4(192, 168, 1, 23), t->sport, t->dip, t->dport);
			emit(g);
		} else if (udp) {
			bench_evb_start(&g->b, SK_EV_RECVFROM_X, adv(g), t->tid, cpu_of(g));
			bench_evb_int(&g->b, "res", size);
			bench_evb_raw(&g->b, "data", text_pool + 150, 80);
			bench_evb_tuple4(&g->b, "tuple", t->dip, t->dport, bench_ip4(192, 168, 1, 23), t->sport);
			bench_evb_int(&g->b, "fd", t->cur_fd);
			bench_evb_int(&g->b, "size", size);
			emit(g);
		} else {
			ev_io(g, t, SK_EV_READ_X, t->cur_fd, size);
		}
		t->cur_reads++;
		return;
	}
	ev_close(g, t, t->cur_fd);
	t->cur_fd = -1;
	t->cur_net = 0;
}

static void nginx_step(struct gen *g, struct task *t)
{
	if (t->cur_fd < 0) {
		int fd = fd_alloc(t);
		bench_evb_start(&g->b, SK_EV_ACCEPT4_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "fd", fd);
		t->sport = (uint16_t)(40000 + bench_rng_below(&g->r, 20000));
		bench_evb_tuple4(&g->b, "tuple", bench_ip4(10, 0, 0, (int)(2 + bench_rng_below(&g->r, 200))), t->sport, bench_ip4(10, 0, 0, 1),
			  80);
		bench_evb_int(&g->b, "queuepct", 0);
		bench_evb_int(&g->b, "queuelen", 0);
		bench_evb_int(&g->b, "queuemax", 511);
		emit(g);
		t->cur_fd = fd;
		t->cur_reads = 0;
		return;
	}
	switch (t->cur_reads++) {
	case 0:
		ev_io(g, t, SK_EV_READ_X, t->cur_fd, 78);
		break;
	case 1: {
		int sock = t->cur_fd;
		ev_openat(g, t, www[bench_rng_below(&g->r, 3)], 1, 0x80801);
		int f = t->cur_fd;
		ev_io(g, t, SK_EV_READ_X, f, 615);
		ev_close(g, t, f);
		t->cur_fd = sock;
		t->cur_reads = 2;
		break;
	}
	case 2:
		ev_io(g, t, SK_EV_WRITE_X, t->cur_fd, 853);
		break;
	default:
		ev_close(g, t, t->cur_fd);
		t->cur_fd = -1;
		break;
	}
}

static void misc_step(struct gen *g, struct task *t)
{
	switch (bench_rng_below(&g->r, 3)) {
	case 0: {
		bench_evb_start(&g->b, SK_EV_FCNTL_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "res", 0);
		bench_evb_int(&g->b, "fd", 1);
		bench_evb_int(&g->b, "cmd", 2);
		emit(g);
		break;
	}
	case 1: {
		int a = fd_alloc(t), b = fd_alloc(t);
		bench_evb_start(&g->b, SK_EV_PIPE2_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "res", 0);
		bench_evb_int(&g->b, "fd1", a);
		bench_evb_int(&g->b, "fd2", b);
		bench_evb_int(&g->b, "ino", 140000 + bench_rng_below(&g->r, 9000));
		bench_evb_int(&g->b, "flags", 0x80000);
		emit(g);
		ev_close(g, t, a);
		ev_close(g, t, b);
		break;
	}
	default: {
		bench_evb_start(&g->b, SK_EV_DUP2_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "res", 10);
		bench_evb_int(&g->b, "oldfd", 1);
		bench_evb_int(&g->b, "newfd", 10);
		emit(g);
		bench_evb_start(&g->b, SK_EV_DUP2_X, adv(g), t->tid, cpu_of(g));
		bench_evb_int(&g->b, "res", 1);
		bench_evb_int(&g->b, "oldfd", 10);
		bench_evb_int(&g->b, "newfd", 1);
		emit(g);
		break;
	}
	}
}

/* One step of task t (one to a few events). */
static void task_step(struct gen *g, struct world *w, struct task *t)
{
	uint32_t x = bench_rng_below(&g->r, 1000);
	switch (t->kind) {
	case TK_SHELL:
		if (x < 6 && w->ntasks < MAX_TASKS - 8)
			spawn(g, w, t, x < 3 ? TK_MAKE : (x < 5 ? TK_PY : TK_GIT));
		else if (x < 300)
			ev_io(g, t, SK_EV_READ_X, 0, 1);
		else if (x < 600)
			ev_io(g, t, SK_EV_WRITE_X, 1, 1 + bench_rng_below(&g->r, 80));
		else if (x < 650)
			misc_step(g, t);
		else
			file_step(g, t, test_files, 8, 0, 2);
		break;
	case TK_MAKE:
		if (x < 25 && w->ntasks < MAX_TASKS - 4)
			spawn(g, w, t, x < 20 ? TK_CC : TK_LD);
		else if (x < 40)
			misc_step(g, t);
		else if (x < 60 && w->ntasks < MAX_TASKS - 4 && bench_rng_below(&g->r, 40) == 0)
			spawn(g, w, t, TK_TEST);
		else
			file_step(g, t, headers, sizeof(headers) / sizeof(headers[0]), 0, 1);
		break;
	case TK_CC:
		if (x < 120)
			file_step(g, t, (const char *const[]){ "/tmp/ccA1b2C3.s" }, 1, 1, 8);
		else
			file_step(g, t, headers, sizeof(headers) / sizeof(headers[0]), 0, 4);
		break;
	case TK_LD:
		if (x < 300)
			file_step(g, t, (const char *const[]){ "/home/dev/proj/build/app" }, 1, 1, 6);
		else
			file_step(g, t, libs, sizeof(libs) / sizeof(libs[0]), 0, 6);
		break;
	case TK_TEST:
		if (x < 3 && w->ntasks < MAX_TASKS - 4)
			spawn(g, w, t, TK_CURL);
		else if (x < 200)
			file_step(g, t, (const char *const[]){ "/tmp/test_runner.log" }, 1, 1, 4);
		else if (x < 250)
			misc_step(g, t);
		else if (x < 300 && t->cur_fd < 0)
			net_step(g, t, bench_ip4(127, 0, 0, 1), 8080, 0);
		else
			file_step(g, t, test_files, 8, 0, 3);
		break;
	case TK_PY:
		if (x < 2 && w->ntasks < MAX_TASKS - 4)
			spawn(g, w, t, TK_CAT);   /* os.system("cat /etc/shadow"): a rule fires */
		else if (x < 150)
			file_step(g, t, (const char *const[]){ "/tmp/pytest-of-dev/pytest-12/test_ok0/result.json" }, 1, 1, 3);
		else
			file_step(g, t, test_files, 8, 0, 5);
		break;
	case TK_CURL:
		if (x < 100 && !t->cur_net)
			net_step(g, t, bench_ip4(127, 0, 0, 53), 53, 1);
		else
			net_step(g, t, bench_ip4(151, 101, (int)bench_rng_below(&g->r, 4), 132), 443, 0);
		break;
	case TK_NGINX:
		if (x == 0 && w->ntasks < MAX_TASKS - 4)
			spawn(g, w, t, TK_SHELL); /* a shell from a web server: rules fire */
		else
			nginx_step(g, t);
		break;
	case TK_GIT:
		file_step(g, t, git_files, sizeof(git_files) / sizeof(git_files[0]), 0, 3);
		break;
	case TK_CAT:
		file_step(g, t, (const char *const[]){ "/etc/shadow" }, 1, 0, 2);
		break;
	}
	if (t->steps_left)
		t->steps_left--;
	/* persistent tasks (the login shell, nginx) never end */
	if (t->steps_left == 0 && t->tid != w->shell_tid && t->tid != w->nginx_tid && t->cur_fd < 0)
		task_exit(g, w, t);
}

static int add_proc(struct sk_meta *m, int64_t tid, int64_t ptid, int kind, uint64_t ts)
{
	const struct kind_info *k = &kinds[kind];
	size_t alen = 0;
	while (k->args[alen] || k->args[alen + 1])
		alen++;
	struct sk_meta_proc p = {
		.tid = tid, .pid = tid, .ptid = ptid, .sid = tid, .vpgid = tid, .pgid = tid, .vtid = tid, .vpid = tid,
		.comm = k->comm, .exe = k->exe, .exepath = k->exe, .cwd = k->cwd, .root = "/",
		.args = k->args, .args_len = (uint32_t)alen + 2, .env = env_dev, .env_len = sizeof(env_dev) - 1,
		.cgroups = cgroups, .cgroups_len = sizeof(cgroups) - 1, .fdlimit = 1024, .uid = k->uid,
		.gid = k->uid, .loginuid = k->uid ? k->uid : 0xffffffffu, .clone_ts = ts - 3600000000000ull,
	};
	if (sk_meta_add_proc(m, &p) < 0)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		struct sk_meta_fd f = { .pid = tid, .fd = fd, .type = SK_FDT_FILE, .open_flags = 3, .name = "/dev/pts/0",
					.ino = 3 };
		if (sk_meta_add_fd(m, &f) < 0)
			return -ENOMEM;
	}
	return 0;
}

struct sk_meta *bench_workload_meta(uint64_t ts)
{
	struct sk_meta *m = sk_meta_new();
	if (!m)
		return NULL;
	struct sk_meta_host h = {
		.hostname = "bench-host", .kernel_release = "6.1.0-18-amd64", .tz_name = "UTC",
		.recorder_version = "bench_gen_capture", .boot_ts = ts - 86400000000000ull, .start_ts = ts,
		.memory_bytes = 8ull << 30, .num_cpus = 2, .snaplen = 80, .argv_limit = 4096,
	};
	struct sk_meta_user users[] = {
		{ 0, 0, "root", "/root", "/bin/bash", "" },
		{ 33, 33, "www-data", "/var/www", "/usr/sbin/nologin", "" },
		{ 1000, 1000, "dev", "/home/dev", "/bin/bash", "" },
	};
	struct sk_meta_group groups[] = { { 0, "root", "" }, { 33, "www-data", "" }, { 1000, "dev", "" } };
	struct sk_meta_iface ifc = { .name = "eth0", .family = 2, .addr = { 192, 168, 1, 23 },
				     .netmask = { 255, 255, 255, 0 }, .bcast = { 192, 168, 1, 255 } };
	int rc = sk_meta_set_host(m, &h) | sk_meta_add_iface(m, &ifc);
	for (size_t i = 0; i < 3; i++)
		rc |= sk_meta_add_user(m, &users[i]) | sk_meta_add_group(m, &groups[i]);
	rc |= add_proc(m, 1000, 1, TK_SHELL, ts) | add_proc(m, 1001, 1, TK_NGINX, ts);
	if (rc) {
		sk_meta_free(m);
		return NULL;
	}
	return m;
}

struct bench_workload {
	struct gen g;
	struct world w;
};

struct bench_workload *bench_workload_new(uint64_t seed, uint64_t start_ts, bench_sink_fn sink, void *ctx)
{
	struct bench_workload *wl = calloc(1, sizeof(*wl));
	if (!wl)
		return NULL;
	wl->g.r.s = seed ? seed : 1;
	wl->g.ts = start_ts;
	wl->g.sink = sink;
	wl->g.ctx = ctx;
	struct world *w = &wl->w;
	w->next_tid = 2000;
	struct task *shell = task_new(w, TK_SHELL, 1);
	struct task *nginx = task_new(w, TK_NGINX, 1);
	shell->tid = 1000;
	nginx->tid = 1001;
	w->shell_tid = 1000;
	w->nginx_tid = 1001;
	nginx->fd_used[3] = 1;  /* the listening socket */
	return wl;
}

int bench_workload_step(struct bench_workload *wl)
{
	struct world *w = &wl->w;
	/* pick a live task; the two persistent ones run less than the workers */
	struct task *t = NULL;
	while (!t) {
		struct task *c = &w->t[bench_rng_below(&wl->g.r, MAX_TASKS)];
		if (c->used && (c->tid > 1001 || bench_rng_below(&wl->g.r, 8) == 0 || w->ntasks <= 2))
			t = c;
	}
	task_step(&wl->g, w, t);
	return wl->g.failed ? -1 : 0;
}

uint64_t bench_workload_emitted(const struct bench_workload *wl)
{
	return wl->g.emitted;
}

void bench_workload_free(struct bench_workload *wl)
{
	free(wl);
}
