/* tests/test_event_table.c: the event layout table, syscall ids, flag tables and typed parameter access. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "formats/event.h"
#include "formats/flags.h"
#include "formats/syscalls.h"

static void test_every_id_named(void **state)
{
	(void)state;
	for (uint16_t t = 0; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *info = sk_event_info(t);
		assert_non_null(info);
		assert_non_null(info->name);
		assert_true(strlen(info->name) > 0);
		assert_int_equal(info->dir, sk_event_is_exit(t) ? SK_DIR_EXIT : SK_DIR_ENTER);
		assert_true(info->nparams <= SK_MAX_PARAMS);
		for (int i = 0; i < info->nparams; i++) {
			assert_non_null(info->params[i].name);
			assert_true(info->params[i].type > SK_PT_NONE && info->params[i].type < SK_PT__COUNT);
			if (info->params[i].type == SK_PT_FSRELPATH) {
				int d = info->params[i].dirfd;
				assert_true(d >= 0 && d < info->nparams);
				assert_int_equal(info->params[d].type, SK_PT_FD);
			}
		}
		assert_non_null(sk_category_name(info->category));
	}
	assert_null(sk_event_info(SK_EV__COUNT));
	assert_string_equal(sk_event_name(SK_EV_GENERIC_E), "syscall");
	assert_string_equal(sk_event_name(SK_EV_OPENAT_X), "openat");
}

/* A syscall exit without parameters would lose the return value; the few
 * upstream exits with none are the sockets calls libs never filled. */
static void test_exits_carry_params(void **state)
{
	(void)state;
	for (uint16_t k = 0; k < SK_EK__COUNT; k++) {
		const struct sk_event_info *x = sk_event_info(2 * k + 1);
		if (x->flags & SK_EF_UNUSED) {
			assert_true(x->flags & SK_EF_META);
			continue;
		}
		if (k == SK_EK_GETSOCKNAME || k == SK_EK_GETPEERNAME || k == SK_EK_SENDMMSG ||
		    k == SK_EK_RECVMMSG)
			continue;
		assert_true(x->nparams > 0);
		/* Exit codes are the enter code + 1 in .scap. */
		const struct sk_event_info *e = sk_event_info(2 * k);
		if (e->scap_code)
			assert_int_equal(x->scap_code, e->scap_code + 1);
	}
	assert_int_equal(sk_event_info(SK_EV_EXECVE_X)->scap_code, 293);
	assert_int_equal(sk_event_info(SK_EV_OPEN_X)->nparams, 6);
	assert_true(sk_event_info(SK_EV_PROCEXIT_X)->flags & SK_EF_UNUSED);
	assert_true(sk_event_info(SK_EV_CONTAINER_E)->flags & SK_EF_LARGE_PAYLOAD);
}

static void test_types_by_name(void **state)
{
	uint16_t out[8];
	(void)state;
	size_t n = sk_event_types_by_name("open", out, 8);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], SK_EV_OPEN_E);
	assert_int_equal(out[1], SK_EV_OPEN_X);
	assert_int_equal(sk_event_types_by_name("procexit", out, 8), 1);
	assert_int_equal(out[0], SK_EV_PROCEXIT_E);
	assert_int_equal(sk_event_types_by_name("no_such_event", out, 8), 0);
	assert_int_equal(sk_event_types_by_name("open", out, 1), 1);
	assert_int_equal(sk_event_types_by_name("syscall", out, 8), 2);
}

static void test_param_index(void **state)
{
	(void)state;
	assert_int_equal(sk_event_param_index(SK_EV_OPENAT_X, "fd"), 0);
	assert_int_equal(sk_event_param_index(SK_EV_OPENAT_X, "name"), 2);
	assert_int_equal(sk_event_param_index(SK_EV_OPENAT_X, "flags"), 3);
	assert_int_equal(sk_event_param_index(SK_EV_OPENAT_X, "ino"), 6);
	assert_int_equal(sk_event_param_index(SK_EV_OPENAT_X, "nope"), -1);
	assert_int_equal(sk_event_param_index(SK_EV_EXECVE_X, "filename"), 30);
	assert_int_equal(sk_event_param_index(SK_EV_EXECVE_X, "loginuid"), 18);
	assert_int_equal(sk_event_param_index(SK_EV_CLONE_X, "vpid"), 19);
	assert_int_equal(sk_event_param_index(SK_EV__COUNT, "fd"), -1);
	assert_int_equal(sk_event_param_index(SK_EV_READ_X, "fd"), 2);
	assert_int_equal(sk_event_param_index(SK_EV_CHMOD_X, "mode"), 2);
	assert_int_equal(sk_event_info(SK_EV_CHMOD_X)->params[2].type, SK_PT_MODE);
	assert_ptr_equal(sk_event_info(SK_EV_OPEN_X)->params[2].names, sk_file_flags);
}

static void test_ptype_sizes(void **state)
{
	(void)state;
	assert_int_equal(sk_ptype_size(SK_PT_FD), 8);
	assert_int_equal(sk_ptype_size(SK_PT_UID), 4);
	assert_int_equal(sk_ptype_size(SK_PT_SYSCALLID), 2);
	assert_int_equal(sk_ptype_size(SK_PT_SIGTYPE), 1);
	assert_int_equal(sk_ptype_size(SK_PT_CHARBUF), 0);
	assert_int_equal(sk_ptype_size(SK_PT_IPV6ADDR), 16);
	for (uint8_t t = 0; t < SK_PT__COUNT; t++)
		assert_non_null(sk_ptype_name(t));
	assert_string_equal(sk_ptype_name(SK_PT_FSRELPATH), "FSRELPATH");
	assert_string_equal(sk_category_name(SK_CAT_IPC), "IPC");
}

static void set_param(struct sk_event *ev, uint32_t i, const void *val, uint32_t len)
{
	ev->params[i].val = val;
	ev->params[i].len = len;
	if (ev->nparams <= i)
		ev->nparams = i + 1;
}

static void test_param_access(void **state)
{
	(void)state;
	struct sk_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.type = SK_EV_OPENAT_X;
	const uint8_t fd_neg[8] = { 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const uint8_t dirfd[8] = { 0x9c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const char name[] = "/etc/passwd";
	const uint8_t flags[4] = { 0x01, 0x10, 0, 0 };
	const uint8_t bad[3] = { 1, 2, 3 };
	set_param(&ev, 0, fd_neg, 8);
	set_param(&ev, 1, dirfd, 8);
	set_param(&ev, 2, name, sizeof(name));
	set_param(&ev, 3, flags, 4);
	set_param(&ev, 4, bad, 3);

	int64_t s;
	uint64_t u;
	const char *str;
	assert_int_equal(sk_param_s64(&ev, 0, &s), 0);
	assert_int_equal(s, -2);
	assert_int_equal(sk_param_s64(&ev, 1, &s), 0);
	assert_int_equal(s, -100);
	assert_int_equal(sk_param_u64(&ev, 3, &u), 0);
	assert_int_equal(u, 4097);
	assert_int_equal(sk_param_s64(&ev, 3, &s), 0);
	assert_int_equal(s, 4097);
	assert_int_equal(sk_param_str(&ev, 2, &str), 0);
	assert_string_equal(str, "/etc/passwd");
	/* Wrong size for the type, string without NUL, absent, out of range. */
	assert_int_equal(sk_param_u64(&ev, 4, &u), -EINVAL);
	assert_int_equal(sk_param_str(&ev, 3, &str), -EINVAL);
	assert_int_equal(sk_param_u64(&ev, 2, &u), -EINVAL);
	set_param(&ev, 2, name, 4); /* "/etc" without its NUL */
	assert_int_equal(sk_param_str(&ev, 2, &str), -EINVAL);
	assert_int_equal(sk_param_u64(&ev, 5, &u), -ENOENT);
	set_param(&ev, 5, NULL, 0);
	assert_int_equal(sk_param_u64(&ev, 5, &u), -ENOENT);
	assert_int_equal(sk_param_str(&ev, 5, &str), -ENOENT);
	assert_int_equal(sk_param_u64(&ev, SK_MAX_PARAMS + 3, &u), -ENOENT);

	/* Sign extension follows the type: INT32 extends, UINT32 does not. */
	const uint8_t m1[4] = { 0xff, 0xff, 0xff, 0xff };
	memset(&ev, 0, sizeof(ev));
	ev.type = SK_EV_LISTEN_E; /* fd, backlog:int32 */
	set_param(&ev, 1, m1, 4);
	assert_int_equal(sk_param_s64(&ev, 1, &s), 0);
	assert_int_equal(s, -1);
	ev.type = SK_EV_OPEN_E; /* name, flags:u32 */
	assert_int_equal(sk_param_s64(&ev, 1, &s), 0);
	assert_int_equal(s, 4294967295LL);
	/* SIGTYPE: one byte. */
	const uint8_t sig = 9;
	memset(&ev, 0, sizeof(ev));
	ev.type = SK_EV_KILL_E;
	set_param(&ev, 1, &sig, 1);
	assert_int_equal(sk_param_u64(&ev, 1, &u), 0);
	assert_int_equal(u, 9);
	assert_string_equal(sk_name_lookup(sk_signal_names, u), "SIGKILL");
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(sk_errno_name(2), "ENOENT");
	assert_string_equal(sk_errno_name(-2), "ENOENT");
	assert_string_equal(sk_errno_name(-115), "EINPROGRESS");
	assert_string_equal(sk_errno_name(13), "EACCES");
	assert_string_equal(sk_errno_name(11), "EAGAIN");
	assert_string_equal(sk_errno_name(512), "ERESTARTSYS");
	assert_null(sk_errno_name(0));
	assert_null(sk_errno_name(4000));
	assert_null(sk_errno_name(INT64_MIN));
}

static void test_name_tables(void **state)
{
	(void)state;
	/* Table order decides rendering: O_CREAT precedes O_RDWR. */
	int creat = -1, rdwr = -1, n = 0;
	for (const struct sk_name_value *v = sk_file_flags; v->name; v++, n++) {
		if (strcmp(v->name, "O_CREAT") == 0)
			creat = n;
		if (strcmp(v->name, "O_RDWR") == 0)
			rdwr = n;
	}
	assert_true(creat >= 0 && rdwr > creat);
	assert_string_equal(sk_file_flags[0].name, "O_LARGEFILE");
	assert_string_equal(sk_name_lookup(sk_ptrace_requests, 27), "PTRACE_SETREGS");
	assert_string_equal(sk_name_lookup(sk_ptrace_requests, 20), "PTRACE_SEIZE");
	assert_string_equal(sk_name_lookup(sk_bpf_commands, 5), "BPF_PROG_LOAD");
	assert_string_equal(sk_name_lookup(sk_socket_families, 1), "AF_LOCAL");
	assert_string_equal(sk_socket_families[2].name, "AF_UNIX");
	assert_string_equal(sk_name_lookup(sk_socket_families, 10), "AF_INET6");
	assert_string_equal(sk_mode_names[0].name, "S_IXOTH");
	assert_int_equal(sk_name_lookup(sk_mode_names, 04000) != NULL, 1);
	assert_string_equal(sk_name_lookup(sk_clone_flags, 1u << 13), "CLONE_THREAD");
	assert_null(sk_name_lookup(sk_clone_flags, 1u << 30));
}

static void test_syscalls(void **state)
{
	(void)state;
	assert_string_equal(sk_syscall_name(0), "<unknown>");
	assert_string_equal(sk_syscall_name(75), "mprotect");
	assert_string_equal(sk_syscall_name(296), "arch_prctl");
	assert_string_equal(sk_syscall_name(164), "exit_group");
	assert_string_equal(sk_syscall_name(139), "madvise");
	assert_string_equal(sk_syscall_name(328), "clone3");
	assert_null(sk_syscall_name(SK_SYSCALL__COUNT));
	assert_int_equal(sk_syscall_by_name("openat"), 197);
	assert_int_equal(sk_syscall_by_name("memfd_create"), 334);
	assert_int_equal(sk_syscall_by_name("bogus"), -1);
	/* x86_64: mprotect 10, openat 257, exit_group 231, rt_sigreturn 15. */
	assert_int_equal(sk_syscall_from_native(10), 75);
	assert_int_equal(sk_syscall_from_native(257), 197);
	assert_int_equal(sk_syscall_from_native(231), 164);
	assert_int_equal(sk_syscall_from_native(15), 298);
	assert_int_equal(sk_syscall_from_native(-1), 0);
	assert_int_equal(sk_syscall_from_native(100000), 0);
	assert_int_equal(sk_syscall_to_native(75), 10);
	assert_int_equal(sk_syscall_to_native(305), -1);
	assert_int_equal(sk_syscall_from_ppm_sc(342), sk_syscall_by_name("memfd_create"));
	assert_int_equal(sk_syscall_from_ppm_sc(9999), 0);
	assert_int_equal(sk_syscall_to_ppm_sc(sk_syscall_by_name("memfd_create")), 342);
	/* Every native number maps back to an id that names it. */
	for (int i = 0; i < SK_SYSCALL__COUNT; i++) {
		int nr = sk_syscall_to_native((uint16_t)i);
		if (nr >= 0)
			assert_int_equal(sk_syscall_from_native(nr), i);
	}
}

/* What saker-record -r adds for state tracking: real syscalls the probe can
 * name, including the fd-creating and credential-changing ones. */
static void test_syscalls_for_state(void **state)
{
	(void)state;
	size_t n = 0;
	const char *const *names = sk_syscalls_for_state(&n);
	assert_true(n > 40);
	int have_openat = 0, have_setuid = 0;
	for (size_t i = 0; i < n; i++) {
		int id = sk_syscall_by_name(names[i]);
		assert_true(id > 0);
		assert_true(sk_syscall_to_native((uint16_t)id) >= 0);
		have_openat |= !strcmp(names[i], "openat");
		have_setuid |= !strcmp(names[i], "setuid");
	}
	assert_true(have_openat && have_setuid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_id_named),
		cmocka_unit_test(test_exits_carry_params),
		cmocka_unit_test(test_types_by_name),
		cmocka_unit_test(test_param_index),
		cmocka_unit_test(test_ptype_sizes),
		cmocka_unit_test(test_param_access),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_name_tables),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_syscalls_for_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
