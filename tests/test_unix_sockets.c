/* tests/test_unix_sockets.c: unix socket names in fd.name and evt.args (connect, accept, socketpair, send/recv, snapshot), as Falco prints them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/meta.h"
#include "formats/skr/skr.h"
#include "replay/extract/extract.h"
#include "fields/fields.h"
#include "tests/helpers/event_builder.h"
#include "tests/helpers/field_render.h"

/*
 * The scenario (also written as a .skr by `test_unix_sockets --write FILE`
 * for tests/e2e_unix_sockets.sh, which compares it with sysdig): a server
 * srv(100) listens on /run/x.sock (fd 3, from the start-up snapshot); a
 * client cli(200) connects to it (fd 4), the server accepts (fd 5), they
 * exchange a message; cli makes a socketpair (fds 6, 7) and sends on it.
 *
 * Kernel socket pointers: the accepted socket A, the client's socket C,
 * the socketpair's ends P and Q. The tuples are in the drivers' order:
 * outbound calls (connect, send*) put the peer first, inbound ones (accept,
 * recv*) the local socket first; the path is the server's.
 */
#define SK_A 0xffff9a3c01a2b000ull
#define SK_C 0xffff9a3c01a2c400ull
#define SK_L 0xffff9a3c01a20800ull
#define SK_P 0xffff9a3c01a2d800ull
#define SK_Q 0xffff9a3c01a2dc00ull
#define PATH "/run/x.sock"

static const uint64_t T0 = 1700000000000000000ull;

static struct sk_meta *scenario_meta(void)
{
	struct sk_meta *m = sk_meta_new();
	struct sk_meta_host h = { .hostname = "unix-host", .boot_ts = T0 - 1000000000ull };
	sk_meta_set_host(m, &h);
	struct sk_meta_user root = { 0, 0, "root", "/root", "/bin/sh", "" };
	sk_meta_add_user(m, &root);
	struct sk_meta_proc p = { 0 };
	p.tid = p.pid = 1; p.ptid = 0; p.vtid = p.vpid = 1;
	p.comm = "init"; p.exe = "/sbin/init"; p.exepath = "/sbin/init"; p.cwd = "/"; p.root = "/";
	p.loginuid = UINT32_MAX; p.fdlimit = 1024;
	sk_meta_add_proc(m, &p);
	p.tid = p.pid = 100; p.ptid = 1; p.vtid = p.vpid = 100;
	p.comm = "srv"; p.exe = "/usr/bin/srv"; p.exepath = "/usr/bin/srv";
	sk_meta_add_proc(m, &p);
	p.tid = p.pid = 200; p.ptid = 1; p.vtid = p.vpid = 200;
	p.comm = "cli"; p.exe = "/usr/bin/cli"; p.exepath = "/usr/bin/cli";
	sk_meta_add_proc(m, &p);
	/* the listening socket, as /proc/net/unix shows it: its own address, the path */
	struct sk_meta_fd fd = { .pid = 100, .fd = 3, .type = SK_FDT_UNIX, .l4proto = 1, .name = PATH,
				 .unix_source = SK_L };
	sk_meta_add_fd(m, &fd);
	return m;
}

/* Calls fn for each event of the scenario, in order. */
typedef void (*scenario_fn)(void *ctx, struct evb *b, int step);

static void scenario(struct evb *b, scenario_fn fn, void *ctx)
{
	int step = 0;
	uint64_t t = T0;
	evb_start(b, SK_EV_SOCKET_X, t += 1000, 200);
	evb_int(b, "fd", 4); evb_int(b, "domain", 1); evb_int(b, "type", 1); evb_int(b, "proto", 0);
	evb_int(b, "flags", 0);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_CONNECT_X, t += 1000, 200);
	evb_int(b, "res", 0); evb_tuple_unix(b, "tuple", SK_A, SK_C, PATH); evb_int(b, "fd", 4);
	evb_addr_unix(b, "addr", PATH);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_ACCEPT4_X, t += 1000, 100);
	evb_int(b, "fd", 5); evb_tuple_unix(b, "tuple", SK_A, SK_C, PATH); evb_int(b, "queuepct", 0);
	evb_int(b, "queuelen", 0); evb_int(b, "queuemax", 128); evb_int(b, "flags", 0);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_SENDMSG_X, t += 1000, 200);
	evb_int(b, "res", 5); evb_bytes(b, "data", "hello", 5); evb_int(b, "fd", 4); evb_int(b, "size", 5);
	evb_tuple_unix(b, "tuple", SK_A, SK_C, PATH);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_RECVMSG_X, t += 1000, 100);
	evb_int(b, "res", 5); evb_int(b, "size", 5); evb_bytes(b, "data", "hello", 5);
	evb_tuple_unix(b, "tuple", SK_A, SK_C, PATH); evb_int(b, "fd", 5);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_SOCKETPAIR_X, t += 1000, 200);
	evb_int(b, "res", 0); evb_int(b, "fd1", 6); evb_int(b, "fd2", 7); evb_int(b, "source", (int64_t)SK_P);
	evb_int(b, "peer", (int64_t)SK_Q); evb_int(b, "domain", 1); evb_int(b, "type", 1); evb_int(b, "proto", 0);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_WRITE_X, t += 1000, 200);
	evb_int(b, "res", 2); evb_bytes(b, "data", "hi", 2); evb_int(b, "fd", 6); evb_int(b, "size", 2);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_SENDTO_X, t += 1000, 200);
	evb_int(b, "res", 2); evb_bytes(b, "data", "hi", 2); evb_int(b, "fd", 7); evb_int(b, "size", 2);
	evb_tuple_unix(b, "tuple", SK_P, SK_Q, "");
	fn(ctx, b, step++);
	evb_start(b, SK_EV_READ_X, t += 1000, 100);
	evb_int(b, "res", 0); evb_bytes(b, "data", "", 0); evb_int(b, "fd", 3); evb_int(b, "size", 16);
	fn(ctx, b, step++);
	evb_start(b, SK_EV_CLOSE_X, t += 1000, 100);
	evb_int(b, "res", 0); evb_int(b, "fd", 5);
	fn(ctx, b, step++);
}

/* ---- in process: the values Falco shows ---- */

struct fx {
	struct state *st;
	struct state_updater u;
	struct extract_ctx fc;
	struct evb b;
	char out[8192];
	int failures;
};

static const char *render(struct fx *f, const char *fmt)
{
	return field_render(&f->fc, fmt, f->out, sizeof(f->out));
}

#define TUP_AC "ffff9a3c01a2b000->ffff9a3c01a2c400 /run/x.sock"

/* Per step: fd.name (with its type, typechar and sockfamily) and evt.args. */
static const char *const want[][2] = {
	{ "4 unix u unix ", "fd=4(<u>) domain=1(AF_LOCAL|AF_UNIX) type=1 proto=0 flags=0(O_NONE)" },
	{ "4 unix u unix " TUP_AC, "res=0 tuple=" TUP_AC " fd=4(<u>" TUP_AC ") addr=/run/x.sock" },
	{ "5 unix u unix " TUP_AC,
	  "fd=5(<u>" TUP_AC ") tuple=" TUP_AC " queuepct=0 queuelen=0 queuemax=128 flags=0" },
	{ "4 unix u unix " TUP_AC, "res=5 data=hello fd=4(<u>" TUP_AC ") size=5 tuple=" TUP_AC },
	{ "5 unix u unix " TUP_AC, "res=5 size=5 data=hello tuple=" TUP_AC " msgcontrol=NULL fd=5(<u>" TUP_AC ")" },
	{ "7 unix u unix ",
	  "res=0 fd1=6(<u>) fd2=7(<u>) source=FFFF9A3C01A2D800 peer=FFFF9A3C01A2DC00 domain=1(AF_LOCAL|AF_UNIX) "
	  "type=1 proto=0" },
	{ "6 unix u unix ", "res=2 data=hi fd=6(<u>) size=2" },
	{ "7 unix u unix ffff9a3c01a2d800->ffff9a3c01a2dc00 ",
	  "res=2 data=hi fd=7(<u>ffff9a3c01a2d800->ffff9a3c01a2dc00 ) size=2 tuple=ffff9a3c01a2d800->ffff9a3c01a2dc00 " },
	{ "3 unix u unix /run/x.sock", "res=0 data=NULL fd=3(<u>/run/x.sock) size=16" },
	{ "5 unix u unix " TUP_AC, "res=0 fd=5(<u>" TUP_AC ")" },
};

static void check_step(void *ctx, struct evb *b, int step)
{
	struct fx *f = ctx;
	const struct sk_event *ev = evb_done(b);
	state_update_apply(&f->u, ev);
	extract_ctx_set_event(&f->fc, ev);
	const char *got = render(f, "%fd.num %fd.type %fd.typechar %fd.sockfamily %fd.name");
	if (strcmp(got, want[step][0]) != 0) {
		print_error("step %d (%s) fd: got '%s', want '%s'\n", step, sk_event_name(ev->type), got, want[step][0]);
		f->failures++;
	}
	got = render(f, "%evt.args");
	if (strcmp(got, want[step][1]) != 0) {
		print_error("step %d (%s) evt.args: got '%s', want '%s'\n", step, sk_event_name(ev->type), got,
			    want[step][1]);
		f->failures++;
	}
	extract_ctx_done_event(&f->fc);
}

static void test_unix_names(void **state)
{
	(void)state;
	struct fx *f = calloc(1, sizeof(*f));
	f->st = state_new();
	state_updater_init(&f->u, f->st);
	extract_ctx_init(&f->fc, &f->u);
	struct sk_meta *m = scenario_meta();
	state_updater_seed(&f->u, m);
	sk_meta_free(m);
	scenario(&f->b, check_step, f);
	int failures = f->failures;
	state_update_flush(&f->u);   /* the last event's deferred close */
	extract_ctx_fini(&f->fc);
	state_updater_fini(&f->u);
	state_free(f->st);
	free(f);
	assert_int_equal(failures, 0);
}

/* ---- --write FILE: the scenario as a .skr ---- */

struct wctx {
	struct skr_writer *w;
	uint64_t num;
	int err;
};

static void write_step(void *ctx, struct evb *b, int step)
{
	(void)step;
	struct wctx *c = ctx;
	struct sk_event ev = *evb_done(b);
	ev.num = ++c->num;
	if (skr_writer_append(c->w, &ev) < 0)
		c->err = 1;
}

static int write_capture(const char *path)
{
	char err[256];
	struct skr_writer_opts o = { .force = 1 };
	struct sk_meta *m = scenario_meta();
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "test_unix_sockets: %s\n", err);
		sk_meta_free(m);
		return 1;
	}
	struct wctx c = { .w = w };
	struct evb *b = calloc(1, sizeof(*b));
	if (!b || skr_writer_put_meta_all(w, m) < 0) {
		fprintf(stderr, "test_unix_sockets: %s: cannot write metadata\n", path);
		free(b);
		skr_writer_abandon(w);
		sk_meta_free(m);
		return 1;
	}
	scenario(b, write_step, &c);
	free(b);
	sk_meta_free(m);
	if (c.err || skr_writer_close(w, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_unix_sockets: %s: write failed\n", path);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--write"))
		return write_capture(argv[2]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unix_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
