/* tests/test_live.c: the live probe as an source (root + BTF; skipped otherwise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "formats/event.h"
#include "sources/source.h"
#include "sources/live.h"

static int have_probe_env(void)
{
	return geteuid() == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0;
}

static uint64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void test_live_source_delivers_events(void **state)
{
	static volatile sig_atomic_t stop;
	struct source_live_opts o;
	struct source *s;
	struct sk_event ev;
	char err[512], path[64];
	int found = 0, fd;
	uint64_t t0;

	(void)state;
	if (!have_probe_env()) {
		printf("SKIPPED: test_live needs root and /sys/kernel/btf/vmlinux\n");
		skip();
	}
	memset(&o, 0, sizeof(o));
	o.stop = &stop;
	s = source_live_open(&o, err, sizeof(err));
	if (!s)
		fail_msg("source_live_open: %s", err);
	assert_string_equal(source_format_name(s), "live");
	assert_true(source_meta(s)->n_procs > 0);
	assert_true(source_meta(s)->have_host);

	/* our own pid is excluded: a child opens the marker file */
	snprintf(path, sizeof(path), "/tmp/saker-live-%d", (int)getpid());
	if (fork() == 0) {
		fd = open(path, O_CREAT | O_WRONLY, 0600);
		if (fd >= 0)
			close(fd);
		_exit(0);
	}
	t0 = mono_ms();
	while (!found && mono_ms() - t0 < 10000) {
		const char *name;
		int rc = source_next(s, &ev);

		assert_int_equal(rc, 1);
		if (ev.type == SK_EV_OPENAT_X && sk_param_str(&ev, 2, &name) == 0 && !strcmp(name, path))
			found = 1;
	}
	assert_true(found);
	stop = 1;
	assert_int_equal(source_next(s, &ev), 0);
	source_close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_source_delivers_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
