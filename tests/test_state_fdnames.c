/* tests/test_state_fdnames.c: an fd entry's name and raw name (replay/state/fdtable.c), stored once when an open's path is both, through renames, copies, table clones and reuse of the entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay/state/state.h"

static void assert_names(const struct state_fd *f, const char *name, const char *raw)
{
	uint32_t rlen;
	const char *r = state_fd_nameraw(f, &rlen);
	assert_string_equal(f->name, name);
	assert_int_equal(f->name_len, strlen(name));
	assert_int_equal(rlen, strlen(raw));
	assert_memory_equal(r, raw, rlen);
}

static struct state_fdtable *table_new(void)
{
	/* a clone of no table is an empty one with one reference */
	struct state_fdtable *t = state_fdtable_clone(NULL);
	assert_non_null(t);
	return t;
}

/* One copy for both, and each name its own once one of them changes. */
static void test_shared_then_apart(void **state)
{
	(void)state;
	struct state_fdtable *t = table_new();
	struct state_fd *f = state_fdtable_put(t, 3);
	assert_non_null(f);
	state_fd_set_name_and_raw(f, "/etc/passwd", 11);
	assert_true(f->state & STATE_FDF_RAW_IS_NAME);
	assert_names(f, "/etc/passwd", "/etc/passwd");

	/* the name changes (a socket named by its first I/O...): the raw
	 * name keeps the open's path */
	state_fd_set_name(f, "renamed", 7);
	assert_false(f->state & STATE_FDF_RAW_IS_NAME);
	assert_names(f, "renamed", "/etc/passwd");

	state_fd_set_name_and_raw(f, "/tmp/x", 6);
	state_fd_set_nameraw(f, "x", 1);
	assert_names(f, "/tmp/x", "x");

	/* the entry reused for a new fd has neither */
	state_fd_set_name_and_raw(f, "/tmp/y", 6);
	f = state_fdtable_put(t, 3);
	assert_names(f, "", "");
	state_fdtable_unref(t);
}

/* dup and fork copy both names, shared or not. */
static void test_copies(void **state)
{
	(void)state;
	struct state_fdtable *t = table_new();
	struct state_fd *a = state_fdtable_put(t, 4);
	state_fd_set_name_and_raw(a, "/var/log/syslog", 15);
	struct state_fd *b = state_fdtable_put(t, 5);
	state_fd_set_name(b, "/home/u/a/../b", 14);
	state_fd_set_nameraw(b, "a/../b", 6);
	/* copies into entries that held other names before */
	struct state_fd *c = state_fdtable_put(t, 6);
	state_fd_set_name(c, "some longer name that was here before", 37);
	state_fd_set_nameraw(c, "and its raw name", 16);
	state_fd_copy(c, a);
	struct state_fd *d = state_fdtable_put(t, 7);
	state_fd_set_name_and_raw(d, "/old", 4);
	state_fd_copy(d, b);
	a = state_fdtable_get(t, 4);
	b = state_fdtable_get(t, 5);
	c = state_fdtable_get(t, 6);
	d = state_fdtable_get(t, 7);
	assert_names(c, "/var/log/syslog", "/var/log/syslog");
	assert_names(d, "/home/u/a/../b", "a/../b");

	struct state_fdtable *n = state_fdtable_clone(t);
	assert_non_null(n);
	assert_names(state_fdtable_get(n, 4), "/var/log/syslog", "/var/log/syslog");
	assert_names(state_fdtable_get(n, 5), "/home/u/a/../b", "a/../b");
	/* the clone's entries are its own: renaming one leaves the other */
	state_fd_set_name(state_fdtable_get(n, 4), "x", 1);
	assert_names(state_fdtable_get(n, 4), "x", "/var/log/syslog");
	assert_names(a, "/var/log/syslog", "/var/log/syslog");
	state_fdtable_unref(n);
	state_fdtable_unref(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_then_apart),
		cmocka_unit_test(test_copies),
	};
	return cmocka_run_group_tests_name("state_fdnames", tests, NULL, NULL);
}
