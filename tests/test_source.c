/* tests/test_source.c: the event-source interface: sniffing, .skr dispatch, stdin, errors, wrapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "formats/skr/skr.h"
#include "sources/source.h"

static char tmpdir[] = "/tmp/saker-test-source.XXXXXX";
static char capture[256];

#define NEV 3000

static void make_event(uint64_t i, struct sk_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = SK_EV_OPENAT_X;
	ev->tid = 100 + (int64_t)(i % 3);
	ev->ts = 1000000 + i * 10;
	ev->nparams = 1;
	ev->params[0].val = (const uint8_t *)"/etc/shadow";
	ev->params[0].len = 12;
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(capture, sizeof(capture), "%s/cap.skr", tmpdir);
	char err[256];
	struct sk_meta_host host = { .hostname = "box-7" };
	struct skr_writer_opts o = { .frame_events = 100, .host = &host };
	struct skr_writer *w = skr_writer_open_path(capture, &o, err, sizeof(err));
	if (!w)
		return -1;
	struct sk_event ev;
	for (uint64_t i = 0; i < NEV; i++) {
		make_event(i, &ev);
		if (skr_writer_append(w, &ev))
			return -1;
	}
	return skr_writer_close(w, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static uint64_t drain(struct source *s, uint64_t first)
{
	struct sk_event ev, want;
	uint64_t i = first;
	int rc;
	while ((rc = source_next(s, &ev)) == 1) {
		make_event(i, &want);
		assert_int_equal(ev.ts, want.ts);
		assert_int_equal(ev.tid, want.tid);
		assert_int_equal(ev.num, i + 1);
		assert_string_equal((const char *)ev.params[0].val, "/etc/shadow");
		i++;
	}
	assert_int_equal(rc, 0);
	return i - first;
}

static void test_open_skr_file(void **state)
{
	(void)state;
	char err[256];
	struct source *s = source_open(capture, err, sizeof(err));
	assert_non_null(s);
	assert_string_equal(source_format_name(s), "skr");
	assert_string_equal(source_meta(s)->host.hostname, "box-7");
	assert_int_equal(drain(s, 0), NEV);
	assert_int_equal(source_seek_time(s, 1000000 + 2500 * 10), 0);
	assert_int_equal(drain(s, 2500), NEV - 2500);
	source_close(s);
}

static void test_open_stdin_pipe(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		FILE *f = fopen(capture, "rb");
		char buf[4096];
		size_t n;
		while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (write(fds[1], buf, n) != (ssize_t)n)
				_exit(1);
		_exit(f ? 0 : 1);
	}
	close(fds[1]);
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	char err[256];
	struct source *s = source_open("-", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(source_seek_time(s, 5), -ESPIPE);
	assert_int_equal(drain(s, 0), NEV);
	source_close(s);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_errors_name_the_file(void **state)
{
	(void)state;
	char err[256], path[256];
	assert_null(source_open("/nonexistent/x.skr", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/x.skr: cannot open"));
	snprintf(path, sizeof(path), "%s/text.txt", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("GIF89a not a capture", f);
	fclose(f);
	assert_null(source_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown capture format (first bytes 47 49 46 38)"));
	f = fopen(path, "w");
	fclose(f);
	assert_null(source_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "empty input"));
	/* A damaged .skr: the error comes through with file and byte offset. */
	snprintf(path, sizeof(path), "%s/cut.skr", tmpdir);
	char cmd[640];
	snprintf(cmd, sizeof(cmd), "head -c 700 %s > %s", capture, path);
	assert_int_equal(system(cmd), 0);
	struct source *s = source_open(path, err, sizeof(err));
	assert_non_null(s);
	struct sk_event ev;
	int rc;
	while ((rc = source_next(s, &ev)) == 1)
		;
	assert_int_equal(rc, SKR_ETRUNCATED);
	assert_non_null(strstr(source_error(s), "cut.skr: truncated at byte 700"));
	source_close(s);
}

/* A fake live source: counts down. */
struct fake { int left; struct sk_meta *meta; };
static int fake_next(void *impl, struct sk_event *ev)
{
	struct fake *f = impl;
	if (!f->left)
		return 0;
	memset(ev, 0, sizeof(*ev));
	ev->num = (uint64_t)f->left--;
	return 1;
}
static const struct sk_meta *fake_meta(void *impl) { return ((struct fake *)impl)->meta; }
static const char *fake_error(void *impl) { (void)impl; return "live: no error"; }
static void fake_close(void *impl) { sk_meta_free(((struct fake *)impl)->meta); }

static void test_wrap(void **state)
{
	(void)state;
	static const struct source_ops ops = { .next = fake_next, .meta = fake_meta, .error = fake_error, .close = fake_close };
	struct fake f = { 2, sk_meta_new() };
	struct source *s = source_wrap(&ops, &f, "live");
	assert_non_null(s);
	struct sk_event ev;
	assert_int_equal(source_next(s, &ev), 1);
	assert_int_equal(ev.num, 2);
	assert_int_equal(source_seek_time(s, 1), -ENOTSUP);
	assert_string_equal(source_format_name(s), "live");
	assert_int_equal(source_next(s, &ev), 1);
	assert_int_equal(source_next(s, &ev), 0);
	assert_string_equal(source_error(s), "live: no error");
	source_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_skr_file),
		cmocka_unit_test(test_open_stdin_pipe),
		cmocka_unit_test(test_errors_name_the_file),
		cmocka_unit_test(test_wrap),
	};
	return cmocka_run_group_tests_name("source", tests, setup, teardown);
}
