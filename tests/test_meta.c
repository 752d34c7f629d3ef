/* tests/test_meta.c: the metadata model: deep copies, growth, merge, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "formats/meta.h"

static void test_strings_are_copied(void **state)
{
	(void)state;
	struct sk_meta *m = sk_meta_new();
	assert_non_null(m);
	char name[32], args[] = "-l\0/tmp\0";
	strcpy(name, "bash");
	struct sk_meta_proc p = { .tid = 10, .pid = 10, .comm = name, .exe = "-bash",
				  .args = args, .args_len = sizeof(args) - 1 };
	assert_int_equal(sk_meta_add_proc(m, &p), 0);
	strcpy(name, "XXXX");
	args[0] = 'Z';
	assert_int_equal(m->n_procs, 1);
	assert_string_equal(m->procs[0].comm, "bash");
	assert_int_equal(m->procs[0].args_len, 8);
	assert_memory_equal(m->procs[0].args, "-l\0/tmp\0", 8);
	assert_null(m->procs[0].cwd);
	sk_meta_free(m);
}

static void test_many_entries_and_big_strings(void **state)
{
	(void)state;
	struct sk_meta *m = sk_meta_new();
	static char big[200000];
	memset(big, 'a', sizeof(big) - 1);
	for (int i = 0; i < 5000; i++) {
		char n[32];
		snprintf(n, sizeof(n), "user%d", i);
		struct sk_meta_user u = { .uid = (uint32_t)i, .gid = 7, .name = n,
					  .home = i == 100 ? big : "/home", .shell = "/bin/sh" };
		assert_int_equal(sk_meta_add_user(m, &u), 0);
	}
	assert_int_equal(m->n_users, 5000);
	assert_string_equal(m->users[4321].name, "user4321");
	assert_int_equal(strlen(m->users[100].home), sizeof(big) - 1);
	assert_string_equal(m->users[101].home, "/home");

	struct sk_meta *m2 = sk_meta_new();
	struct sk_meta_host h = { .hostname = "box", .num_cpus = 2 };
	assert_int_equal(sk_meta_set_host(m, &h), 0);
	struct sk_meta_end e = { .ts = 5, .nevents = 9 };
	assert_int_equal(sk_meta_add(m, SK_META_END, &e, 1), 0);
	assert_int_equal(sk_meta_merge(m2, m), 0);
	assert_int_equal(m2->n_users, 5000);
	assert_true(m2->have_host && m2->have_end);
	assert_string_equal(m2->host.hostname, "box");
	assert_int_equal(m2->end.nevents, 9);
	assert_int_equal(sk_meta_add(m2, 99, NULL, 0), -EINVAL);
	sk_meta_reset(m2);
	assert_int_equal(m2->n_users, 0);
	assert_false(m2->have_host);
	struct sk_meta_container c = { .id = "abcdef123456", .json = "{\"container\":{}}" };
	assert_int_equal(sk_meta_add_container(m2, &c), 0);
	assert_string_equal(m2->containers[0].json, "{\"container\":{}}");
	assert_string_equal(sk_meta_kind_name(SK_META_FD), "fds");
	assert_string_equal(sk_meta_kind_name(77), "unknown");
	sk_meta_free(m);
	sk_meta_free(m2);
}

/* Every change bumps `changes` (the replay loops' test for new entries),
 * through each adder, the owned appends and a reset; a failed add does not. */
static void test_changes_counted(void **state)
{
	(void)state;
	struct sk_meta *m = sk_meta_new();
	assert_non_null(m);
	assert_int_equal(m->changes, 0);
	/* one zeroed item serves every kind: no string to copy */
	union {
		struct sk_meta_host host;
		struct sk_meta_iface iface;
		struct sk_meta_user user;
		struct sk_meta_group group;
		struct sk_meta_proc proc;
		struct sk_meta_fd fd;
		struct sk_meta_container container;
		struct sk_meta_drops drops;
		struct sk_meta_end end;
		struct sk_meta_capif capif;
		struct sk_meta_alert alert;
	} item;
	memset(&item, 0, sizeof(item));
	uint64_t before = m->changes;
	for (uint32_t kind = SK_META_HOST; kind <= SK_META_ALERT; kind++) {
		assert_int_equal(sk_meta_add(m, kind, &item, 1), 0);
		assert_true(m->changes > before);
		before = m->changes;
		assert_int_equal(sk_meta_append_owned(m, kind, &item), 0);
		assert_true(m->changes > before);
		before = m->changes;
	}
	assert_int_equal(sk_meta_add(m, 99, &item, 1), -EINVAL);
	assert_int_equal(sk_meta_append_owned(m, 99, &item), -EINVAL);
	assert_int_equal(m->changes, before);
	sk_meta_reset(m);
	assert_true(m->changes > before);
	sk_meta_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_are_copied),
		cmocka_unit_test(test_changes_counted),
		cmocka_unit_test(test_many_entries_and_big_strings),
	};
	return cmocka_run_group_tests_name("meta", tests, NULL, NULL);
}
