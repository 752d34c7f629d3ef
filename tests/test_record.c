/* tests/test_record.c: the recorder's batch pipe, /proc snapshot and file naming (no root needed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "formats/meta.h"
#include "record/record.h"
#include "host/snapshot.h"

struct sink {
	uint64_t seen;
	uint64_t bad;
	int slow_first;
	int fail_at;
};

static int sink_event(void *ctx, const struct sk_event *ev)
{
	struct sink *s = ctx;
	uint64_t v;

	if (s->slow_first && s->seen == 0)
		nanosleep(&(struct timespec){ 0, 300000000 }, NULL);
	if (s->fail_at && (int)s->seen == s->fail_at)
		return -EIO;
	/* every event carries its own number in param 0 and a string in param 1 */
	if (ev->nparams != 2 || ev->params[0].len != 8)
		s->bad++;
	else {
		memcpy(&v, ev->params[0].val, 8);
		if (v != ev->num || ev->params[1].len != 6 || memcmp(ev->params[1].val, "hello", 6))
			s->bad++;
	}
	s->seen++;
	return 0;
}

static int sink_tick(void *ctx)
{
	(void)ctx;
	return 0;
}

static const struct rec_pipe_ops sink_ops = { sink_event, sink_tick };

static void make_event(struct sk_event *ev, uint64_t *num)
{
	memset(ev, 0, sizeof(*ev));
	ev->num = *num;
	ev->ts = *num * 10;
	ev->tid = 7;
	ev->type = SK_EV_OPEN_X;
	ev->nparams = 2;
	ev->params[0].val = (const uint8_t *)num;
	ev->params[0].len = 8;
	ev->params[1].val = (const uint8_t *)"hello";
	ev->params[1].len = 6;
}

static void test_pipe_delivers_in_order(void **state)
{
	struct sink s = { 0 };
	struct rec_pipe *p = rec_pipe_start(&sink_ops, &s, 4096, 4);
	struct rec_pipe_stats st;
	struct sk_event ev;

	(void)state;
	assert_non_null(p);
	for (uint64_t i = 1; i <= 20000; i++) {
		make_event(&ev, &i);
		/* a fast producer may outrun the writer: retry after a flush */
		while (rec_pipe_push(p, &ev) == -ENOBUFS) {
			rec_pipe_flush(p);
			nanosleep(&(struct timespec){ 0, 100000 }, NULL);
		}
	}
	assert_int_equal(rec_pipe_stop(p, &st), 0);
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.seen, 20000);
	assert_int_equal(st.pushed, 20000);
}

static void test_pipe_drops_when_writer_is_behind(void **state)
{
	struct sink s = { .slow_first = 1 };
	struct rec_pipe *p = rec_pipe_start(&sink_ops, &s, 1024, 2);
	struct rec_pipe_stats st;
	struct sk_event ev;
	uint64_t ok = 0;

	(void)state;
	assert_non_null(p);
	for (uint64_t i = 1; i <= 5000; i++) {
		make_event(&ev, &i);
		if (rec_pipe_push(p, &ev) == 0)
			ok++;
	}
	assert_int_equal(rec_pipe_stop(p, &st), 0);
	assert_true(st.dropped > 0);
	assert_int_equal(st.pushed, ok);
	assert_int_equal(st.pushed + st.dropped, 5000);
	assert_int_equal(s.seen, ok);
}

static void test_pipe_reports_writer_errors(void **state)
{
	struct sink s = { .fail_at = 10 };
	struct rec_pipe *p = rec_pipe_start(&sink_ops, &s, 4096, 4);
	struct sk_event ev;

	(void)state;
	assert_non_null(p);
	for (uint64_t i = 1; i <= 100; i++) {
		make_event(&ev, &i);
		rec_pipe_push(p, &ev);
	}
	rec_pipe_flush(p);
	for (int i = 0; i < 200 && !rec_pipe_error(p); i++)
		nanosleep(&(struct timespec){ 0, 5000000 }, NULL);
	assert_int_equal(rec_pipe_error(p), -EIO);
	assert_int_equal(rec_pipe_stop(p, NULL), -EIO);
}

static void test_snapshot_sees_own_process_and_fds(void **state)
{
	struct sk_meta *m = sk_meta_new();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int ls = socket(AF_INET, SOCK_STREAM, 0), pfd[2], ffd;
	char err[256], tmpl[] = "/tmp/saker-test-snap.XXXXXX";
	int found_proc = 0, found_sock = 0, found_pipe = 0, found_file = 0;

	(void)state;
	assert_non_null(m);
	assert_true(ls >= 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &al), 0);
	assert_int_equal(pipe(pfd), 0);
	ffd = mkstemp(tmpl);
	assert_true(ffd >= 0);

	assert_int_equal(host_snapshot_procs(m, "/proc", err, sizeof(err)), 0);
	for (size_t i = 0; i < m->n_procs; i++)
		if (m->procs[i].tid == getpid()) {
			found_proc = 1;
			assert_int_equal(m->procs[i].pid, getpid());
			assert_int_equal(m->procs[i].ptid, getppid());
			assert_string_equal(m->procs[i].comm, "test_record");
			assert_non_null(strstr(m->procs[i].exepath, "test_record"));
		}
	for (size_t i = 0; i < m->n_fds; i++) {
		const struct sk_meta_fd *f = &m->fds[i];

		if (f->pid != getpid())
			continue;
		if (f->fd == ls) {
			found_sock = 1;
			assert_int_equal(f->type, SK_FDT_IPV4_SERVER);
			assert_int_equal(f->l4proto, 2);
			assert_int_equal(f->sport, ntohs(a.sin_port));
		} else if (f->fd == pfd[0]) {
			found_pipe = 1;
			assert_int_equal(f->type, SK_FDT_PIPE);
		} else if (f->fd == ffd) {
			found_file = 1;
			assert_int_equal(f->type, SK_FDT_FILE);
			assert_string_equal(f->name, tmpl);
			assert_int_equal(f->open_flags & 3, 3); /* PPM RDWR */
		}
	}
	assert_true(found_proc);
	assert_true(found_sock);
	assert_true(found_pipe);
	assert_true(found_file);
	unlink(tmpl);
	close(ffd);
	close(pfd[0]);
	close(pfd[1]);
	close(ls);
	sk_meta_free(m);
}

static void test_snapshot_users_host_ifaces(void **state)
{
	struct sk_meta *m = sk_meta_new();
	struct host_opts o = { .snaplen = 80, .argv_limit = 4096, .version = "test" };
	int root = 0;

	(void)state;
	assert_non_null(m);
	assert_int_equal(host_snapshot_users(m, ""), 0);
	for (size_t i = 0; i < m->n_users; i++)
		if (m->users[i].uid == 0 && !strcmp(m->users[i].name, "root"))
			root = 1;
	assert_true(root);
	assert_true(m->n_groups > 0);
	setenv("SAKER_HOSTNAME", "unit-host", 1);
	assert_int_equal(host_snapshot_host(m, &o), 0);
	unsetenv("SAKER_HOSTNAME");
	assert_string_equal(m->host.hostname, "unit-host");
	assert_true(m->host.boot_ts > 0 && m->host.boot_ts < m->host.start_ts);
	assert_int_equal(m->host.snaplen, 80);
	assert_int_equal(host_snapshot_ifaces(m), 0);
	sk_meta_free(m);
}

static void test_rotation_names(void **state)
{
	char b[64];

	(void)state;
	rec_out_name(b, sizeof(b), "cap.skr", 3, 0);
	assert_string_equal(b, "cap.skr3");
	rec_out_name(b, sizeof(b), "cap.skr", 3, 12);
	assert_string_equal(b, "cap.skr03");
	rec_out_name(b, sizeof(b), "cap.skr", 0, 2);
	assert_string_equal(b, "cap.skr0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_delivers_in_order),
		cmocka_unit_test(test_pipe_drops_when_writer_is_behind),
		cmocka_unit_test(test_pipe_reports_writer_errors),
		cmocka_unit_test(test_snapshot_sees_own_process_and_fds),
		cmocka_unit_test(test_snapshot_users_host_ifaces),
		cmocka_unit_test(test_rotation_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
