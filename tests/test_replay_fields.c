/* tests/test_replay_fields.c: state tracking and field values for each field class, from hand-built events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/meta.h"
#include "replay/extract/extract.h"
#include "fields/fields.h"
#include "tests/helpers/event_builder.h"
#include "tests/helpers/field_render.h"

struct fx {
	struct state *st;
	struct state_updater u;
	struct extract_ctx fc;
	struct evb b;
	char out[8192];
};

static const uint64_t T0 = 1700000000000000000ull;

/* A small host: init(1) -> sshd(100) -> bash(200) -> python3(300, cwd /srv). */
static void seed(struct fx *f)
{
	struct sk_meta *m = sk_meta_new();
	struct sk_meta_host h = { .hostname = "demo-host", .boot_ts = T0 - 1000000000ull };
	sk_meta_set_host(m, &h);
	struct sk_meta_user root = { 0, 0, "root", "/root", "/bin/bash", "" };
	struct sk_meta_user alice = { 1000, 1000, "alice", "/home/alice", "/bin/bash", "" };
	sk_meta_add_user(m, &root);
	sk_meta_add_user(m, &alice);
	struct sk_meta_group g = { 1000, "staff", "" };
	sk_meta_add_group(m, &g);
	struct sk_meta_proc p = { 0 };
	p.tid = p.pid = 1; p.ptid = 0; p.sid = 1; p.vtid = p.vpid = 1;
	p.comm = "systemd"; p.exe = "/sbin/init"; p.exepath = "/usr/lib/systemd/systemd"; p.cwd = "/";
	p.loginuid = UINT32_MAX;
	sk_meta_add_proc(m, &p);
	p.tid = p.pid = 100; p.ptid = 1; p.sid = 100; p.vtid = p.vpid = 100;
	p.comm = "sshd"; p.exe = "/usr/sbin/sshd"; p.exepath = "/usr/sbin/sshd";
	sk_meta_add_proc(m, &p);
	p.tid = p.pid = 200; p.ptid = 100; p.sid = 200; p.vtid = p.vpid = 200; p.uid = p.gid = 1000;
	p.comm = "bash"; p.exe = "-bash"; p.exepath = "/usr/bin/bash"; p.cwd = "/home/alice";
	p.tty = 34816; p.loginuid = 1000;
	static const char env[] = "HOME=/home/alice\0LANG=C\0";
	p.env = env; p.env_len = sizeof(env) - 1;
	sk_meta_add_proc(m, &p);
	p.tid = p.pid = 300; p.ptid = 200; p.vtid = p.vpid = 300;
	p.comm = "python3"; p.exe = "python3"; p.exepath = "/usr/bin/python3.11"; p.cwd = "/srv";
	static const char args[] = "-m\0http.server\0";
	p.args = args; p.args_len = sizeof(args) - 1;
	static const char cg[] = "cpu=/\0memory=/docker/3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e\0";
	p.cgroups = cg; p.cgroups_len = sizeof(cg) - 1;
	p.clone_ts = T0 - 5000000000ull;
	sk_meta_add_proc(m, &p);
	struct sk_meta_fd fd = { .pid = 300, .fd = 3, .type = SK_FDT_IPV4_SERVER, .l4proto = 2, .name = "0.0.0.0:8000" };
	fd.sport = 8000;
	sk_meta_add_fd(m, &fd);
	state_updater_seed(&f->u, m);
	sk_meta_free(m);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->st = state_new();
	state_updater_init(&f->u, f->st);
	extract_ctx_init(&f->fc, &f->u);
	f->fc.hostname = "demo-host";
	seed(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	extract_ctx_fini(&f->fc);
	state_updater_fini(&f->u);
	state_free(f->st);
	free(f);
	return 0;
}

static void apply(struct fx *f)
{
	const struct sk_event *ev = evb_done(&f->b);
	state_update_apply(&f->u, ev);
	extract_ctx_set_event(&f->fc, ev);
}

/* Renders an output format against the current event, as Falco prints it. */
static const char *render(struct fx *f, const char *fmt)
{
	return field_render(&f->fc, fmt, f->out, sizeof(f->out));
}

static int matches(struct fx *f, const char *cond)
{
	struct rule_diag_list dl = { 0 };
	struct rule_filter *flt = rule_filter_compile(field_registry(), cond, &dl);
	if (!flt)
		fail_msg("filter %s: %s", cond, dl.n ? dl.v[0].message : "?");
	int r = rule_filter_eval(flt, f->b.ev.type, extract_field, &f->fc);
	rule_filter_free(flt);
	return r;
}

static void test_proc_fields_from_snapshot_and_exec(void **state)
{
	struct fx *f = *state;
	/* python3 (300) forks 301 which execs sh -c 'cat x' */
	evb_start(&f->b, SK_EV_CLONE_X, T0, 300);
	evb_int(&f->b, "res", 301);
	evb_int(&f->b, "tid", 300);
	evb_int(&f->b, "pid", 300);
	evb_int(&f->b, "ptid", 200);
	evb_str(&f->b, "exe", "python3");
	evb_str(&f->b, "comm", "python3");
	evb_int(&f->b, "flags", 0);
	evb_int(&f->b, "uid", 1000);
	evb_int(&f->b, "gid", 1000);
	apply(f);
	assert_string_equal(render(f, "%proc.name %proc.pid %evt.type %evt.res"), "python3 300 clone SUCCESS");

	evb_start(&f->b, SK_EV_EXECVE_X, T0 + 1000, 301);
	evb_int(&f->b, "res", 0);
	evb_str(&f->b, "exe", "sh");
	evb_bytes(&f->b, "args", "-c\0cat /etc/shadow\0", 19);
	evb_int(&f->b, "tid", 301);
	evb_int(&f->b, "pid", 301);
	evb_int(&f->b, "ptid", 300);
	evb_str(&f->b, "comm", "sh");
	evb_bytes(&f->b, "env", "HOME=/home/alice\0TERM=xterm\0", 29);
	evb_str(&f->b, "trusted_exepath", "/usr/bin/dash");
	evb_int(&f->b, "uid", 1000);
	evb_int(&f->b, "gid", 1000);
	evb_int(&f->b, "loginuid", 1000);
	evb_int(&f->b, "tty", 34816);
	apply(f);
	assert_string_equal(render(f, "%proc.name|%proc.exe|%proc.exepath|%proc.cmdline|%proc.args"),
			    "sh|sh|/usr/bin/dash|sh -c cat /etc/shadow|-c cat /etc/shadow");
	assert_string_equal(render(f, "%proc.pname|%proc.aname[2]|%proc.aname[3]|%proc.aname[4]|%proc.aname[5]"),
			    "python3|bash|sshd|systemd|<NA>");
	assert_string_equal(render(f, "%proc.ppid|%proc.apid[2]|%proc.pcmdline|%proc.pexepath"),
			    "300|200|python3 -m http.server|/usr/bin/python3.11");
	assert_string_equal(render(f, "%proc.cwd|%proc.tty|%user.name|%user.uid|%group.name|%user.loginname"),
			    "/srv/|34816|alice|1000|staff|alice");
	assert_string_equal(render(f, "%proc.env[HOME]|%proc.sname"), "/home/alice|bash");
	assert_true(matches(f, "proc.aname in (sshd)"));        /* any ancestor */
	assert_false(matches(f, "proc.aname in (sh)"));         /* self excluded */
	assert_true(matches(f, "proc.aname[0] = sh"));
	assert_true(matches(f, "proc.duration >= 0"));
	/* The process inherited the container of its parent through cgroups. */
	assert_string_equal(render(f, "%container.id"), "3ad7b26ded6d");
	assert_string_equal(render(f, "%container.name"), "<NA>");   /* no metadata recorded: no value */
}

static void test_file_fields_relative_openat(void **state)
{
	struct fx *f = *state;
	/* python3 in /srv opens ../etc//passwd relative to cwd, then a dir fd. */
	evb_start(&f->b, SK_EV_OPENAT_X, T0, 300);
	evb_int(&f->b, "fd", 5);
	evb_int(&f->b, "dirfd", -100);
	evb_str(&f->b, "name", "../etc//passwd");
	evb_int(&f->b, "flags", 4097);
	evb_int(&f->b, "mode", 0);
	apply(f);
	assert_string_equal(render(f, "%fd.num|%fd.name|%fd.nameraw|%fd.directory|%fd.filename|%fd.type|%fd.typechar"),
			    "5|/etc/passwd|../etc/passwd|/etc|passwd|file|f");
	assert_string_equal(render(f, "%evt.arg.flags|%evt.arg.name|%evt.arg.fd"),
			    "O_RDONLY|O_CLOEXEC|/etc/passwd|<f>/etc/passwd");
	assert_true(matches(f, "evt.is_open_read=true and evt.is_open_write=false"));
	assert_string_equal(render(f, "%evt.args"),
			    "fd=5(<f>/etc/passwd) dirfd=-100(AT_FDCWD) name=../etc//passwd(/etc/passwd) "
			    "flags=4097(O_RDONLY|O_CLOEXEC) mode=0 dev=<NA> ino=<NA>");
	/* A failed open: no entry; fd.num -1, the path still resolves. */
	evb_start(&f->b, SK_EV_OPENAT_X, T0 + 1, 300);
	evb_int(&f->b, "fd", -2);
	evb_int(&f->b, "dirfd", -100);
	evb_str(&f->b, "name", "missing.txt");
	evb_int(&f->b, "flags", 1);
	apply(f);
	assert_string_equal(render(f, "%fd.num|%fd.name|%evt.res|%evt.rawres|%fd.typechar"), "-1|/srv/missing.txt|ENOENT|-2|f");
	/* close keeps the entry visible for its own event only */
	evb_start(&f->b, SK_EV_CLOSE_X, T0 + 2, 300);
	evb_int(&f->b, "res", 0);
	evb_int(&f->b, "fd", 5);
	apply(f);
	assert_string_equal(render(f, "%fd.name"), "/etc/passwd");
	evb_start(&f->b, SK_EV_CLOSE_X, T0 + 3, 300);
	evb_int(&f->b, "res", -9);
	evb_int(&f->b, "fd", 5);
	apply(f);
	assert_string_equal(render(f, "%fd.name|%evt.res"), "|EBADF");
	/* chmod is not an fd event: every fd field is NA */
	evb_start(&f->b, SK_EV_CHMOD_X, T0 + 4, 300);
	evb_int(&f->b, "res", 0);
	evb_str(&f->b, "filename", "run.sh");
	evb_int(&f->b, "mode", 04755);
	apply(f);
	assert_string_equal(render(f, "%fd.num|%fd.name|%evt.arg.mode|%fs.path.name"),
			    "<NA>|<NA>|S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID|/srv/run.sh");
}

static void test_network_fields(void **state)
{
	struct fx *f = *state;
	evb_start(&f->b, SK_EV_SOCKET_X, T0, 300);
	evb_int(&f->b, "fd", 7);
	evb_int(&f->b, "domain", 2);
	evb_int(&f->b, "type", 1);
	evb_int(&f->b, "proto", 0);
	apply(f);
	assert_string_equal(render(f, "%fd.type|%fd.l4proto|%fd.name|%fd.sip"), "ipv4|<NA>||<NA>");
	evb_start(&f->b, SK_EV_CONNECT_X, T0 + 1, 300);
	evb_int(&f->b, "res", -115);
	evb_tuple4(&f->b, "tuple", "10.0.0.5", 43210, "93.184.216.34", 443);
	evb_int(&f->b, "fd", 7);
	apply(f);
	assert_string_equal(render(f, "%fd.name|%fd.cip|%fd.cport|%fd.sip|%fd.sport|%fd.l4proto|%evt.res"),
			    "10.0.0.5:43210->93.184.216.34:443|10.0.0.5|43210|93.184.216.34|443|tcp|EINPROGRESS");
	assert_string_equal(render(f, "%fd.lip|%fd.rip|%fd.lport|%fd.rport|%fd.connected|%fd.sockfamily"),
			    "10.0.0.5|93.184.216.34|43210|443|true|ip");
	assert_true(matches(f, "fd.snet = \"93.184.216.0/24\""));
	assert_true(matches(f, "fd.net != \"127.0.0.0/8\""));
	assert_true(matches(f, "fd.ip = 93.184.216.34"));
	assert_false(matches(f, "fd.ip != 93.184.216.34"));
	assert_true(matches(f, "fd.port = 443 and fd.port = 43210"));
	/* the snapshot's listening socket of python3 */
	evb_start(&f->b, SK_EV_LISTEN_X, T0 + 2, 300);
	evb_int(&f->b, "res", 0);
	evb_int(&f->b, "fd", 3);
	apply(f);
	assert_string_equal(render(f, "%fd.name|%fd.sport|%fd.is_server|%fd.typechar"), "0.0.0.0:8000|8000|true|4");
}

static void test_unknown_thread_is_placeholder(void **state)
{
	struct fx *f = *state;
	evb_start(&f->b, SK_EV_OPENAT_X, T0, 4242);
	evb_int(&f->b, "fd", 3);
	evb_int(&f->b, "dirfd", -100);
	evb_str(&f->b, "name", "/tmp/x");
	evb_int(&f->b, "flags", 2);
	apply(f);
	assert_string_equal(render(f, "%proc.name|%proc.pid|%user.uid|%thread.tid|%proc.pname"), "<NA>|-1|4294967295|4242|<NA>");
	assert_true(matches(f, "proc.name exists"));
	assert_false(matches(f, "not proc.name in (\"<NA>\", \"N/A\")"));
}

static void test_procexit_reparents_children(void **state)
{
	struct fx *f = *state;
	evb_start(&f->b, SK_EV_PROCEXIT_E, T0, 200); /* bash exits */
	evb_int(&f->b, "status", 0);
	apply(f);
	assert_string_equal(render(f, "%proc.name|%evt.dir"), "bash|>");
	/* next event: bash is gone, python3 moved to init (the reaper) */
	evb_start(&f->b, SK_EV_GETUID_X, T0 + 1, 300);
	apply(f);
	assert_string_equal(render(f, "%proc.pname|%proc.ppid"), "systemd|1");
}

static void test_nonprintable_bytes_are_stripped(void **state)
{
	struct fx *f = *state;
	evb_start(&f->b, SK_EV_OPENAT_X, T0, 300);
	evb_int(&f->b, "fd", 9);
	evb_int(&f->b, "dirfd", -100);
	evb_str(&f->b, "name", "/tmp/a\tb\x01\xc3\xa9.txt");
	evb_int(&f->b, "flags", 1);
	apply(f);
	assert_string_equal(render(f, "%fd.name"), "/tmp/ab.txt");
	assert_true(matches(f, "fd.name = /tmp/ab.txt"));
}

/* extract_val_str checks eight bytes a step: every byte value just inside
 * and just outside the printable range, at every offset of strings around
 * the word size, is stripped as the byte-by-byte rule strips it. */
static void test_nonprintable_at_every_offset(void **state)
{
	(void)state;
	static const unsigned char edge[] = {0x00, 0x01, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xa0, 0xff};
	struct extract_ctx c;
	extract_ctx_init(&c, NULL);
	char s[40], want[41];
	for (size_t len = 1; len <= sizeof(s); len++)
		for (size_t at = 0; at < len; at++)
			for (size_t k = 0; k < sizeof(edge); k++) {
				size_t n = 0;
				for (size_t i = 0; i < len; i++) {
					s[i] = i == at ? (char)edge[k] : (char)('a' + i % 26);
					if ((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f)
						want[n++] = s[i];
				}
				struct rule_value v;
				assert_int_equal(extract_val_str(&c, &v, RF_STRING, s, len), 1);
				if (v.len != n || memcmp(v.v.s, want, n))
					fail_msg("length %zu, byte 0x%02x at %zu: got %u bytes", len, edge[k], at, v.len);
			}
	extract_ctx_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_proc_fields_from_snapshot_and_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_fields_relative_openat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_thread_is_placeholder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_procexit_reparents_children, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nonprintable_bytes_are_stripped, setup, teardown),
		cmocka_unit_test(test_nonprintable_at_every_offset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
