/* tests/test_scap.c: .scap reader on the peer captures, malformed input, writer round trip and sysdig 0.29 oracle. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "formats/meta.h"
#include "formats/scap/scap.h"
#include "tests/helpers/event_builder.h"
#include "tests/helpers/test_files.h"

#define PEERS "../shared/peers/scap"

struct sample {
	const char *file;
	uint64_t events;     /* scap.md §20 "file" column = evt.num of the last event */
	uint32_t threads;    /* PL entries */
	uint64_t first_ts, last_ts;
};

/* scap.md §20, times converted to ns since the epoch (UTC). */
static const struct sample samples[] = {
	{ "cat_write.scap", 345, 73, 1470327475999999999ull, 1470327478999999999ull },
	{ "connect_localhost.scap", 374, 184, 1522704422999999999ull, 1522704423999999999ull },
	{ "empty.scap", 143, 218, 1564595787999999999ull, 1564595787999999999ull },
	{ "open-multiple-files.scap", 1272, 128, 1486171323999999999ull, 1486171335999999999ull },
	{ "ping_sendto.scap", 1526, 136, 1553620426999999999ull, 1553620436999999999ull },
	{ "privileged.scap", 2059, 100, 1562621720999999999ull, 1562621738999999999ull },
	{ "run_as_user_0_container.scap", 4143, 124, 1562711470509982263ull, 1562711473348813132ull },
	{ "syscall.scap", 368, 229, 1523545099999999999ull, 1523545100999999999ull },
	{ "write_tmp_test.scap", 229, 124, 1562710429510510000ull, 1562710430999999999ull },
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static int have_peers(void)
{
	if (access(PEERS "/cat_write.scap", R_OK) == 0)
		return 1;
	printf("SKIPPED: %s not found (shared test data sits beside the repository)\n", PEERS);
	return 0;
}

static char *path_of(const char *file)
{
	static char buf[512];
	snprintf(buf, sizeof(buf), "%s/%s", PEERS, file);
	return buf;
}

/* Whole file, inflated if gzip; a test failure when it cannot be read. */
static uint8_t *load_plain(const char *path, size_t *len)
{
	uint8_t *b = test_load_inflated(path, len);
	assert_non_null(b);
	return b;
}

static uint8_t *load_raw(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Reads everything; returns the final rc of scap_next. */
static int drain(struct scap_reader *r, uint64_t *count, uint64_t *last_num)
{
	struct sk_event ev;
	int rc;
	*count = 0;
	while ((rc = scap_next(r, &ev)) == 1) {
		(*count)++;
		*last_num = ev.num;
		assert_true(ev.nparams <= SK_MAX_PARAMS);
	}
	return rc;
}

static void test_peer_counts(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	for (size_t i = 0; i < NSAMPLES; i++) {
		struct scap_reader *r;
		char err[400];
		struct scap_read_opts o = { .deliver_enter = 1 };
		assert_int_equal(scap_open(path_of(samples[i].file), &o, &r, err, sizeof(err)), 0);
		uint64_t n, last = 0;
		assert_int_equal(drain(r, &n, &last), 0);
		const struct scap_stats *s = scap_get_stats(r);
		assert_int_equal(n, samples[i].events);
		assert_int_equal(last, samples[i].events);
		assert_int_equal(s->numbered, samples[i].events);
		assert_int_equal(s->pl_threads, samples[i].threads);
		assert_int_equal(s->fdl_blocks, samples[i].threads);
		assert_int_equal(s->first_ts, samples[i].first_ts);
		assert_int_equal(s->last_ts, samples[i].last_ts);
		const struct sk_meta *m = scap_meta(r);
		assert_int_equal(m->n_procs, samples[i].threads);
		assert_string_equal(m->host.hostname, "ubuntu");
		assert_true(m->n_users >= 32 && m->n_users <= 45);
		assert_true(m->n_groups >= 61 && m->n_groups <= 77);
		assert_true(m->n_ifaces >= 5 && m->n_ifaces <= 11);
		scap_close(r);
	}
}

/* Default mode: enter events are consumed but still numbered. */
static void test_exit_only_and_merge(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	struct scap_reader *r;
	char err[400];
	assert_int_equal(scap_open(path_of("cat_write.scap"), NULL, &r, err, sizeof(err)), 0);
	struct sk_event ev;
	int rc, seen_open = 0, seen_close = 0;
	uint64_t n = 0, prev = 0;
	while ((rc = scap_next(r, &ev)) == 1) {
		n++;
		assert_true(ev.num > prev);
		prev = ev.num;
		const struct sk_event_info *info = sk_event_info(ev.type);
		assert_true(sk_event_is_exit(ev.type) || (info->flags & SK_EF_META));
		if (ev.type == SK_EV_OPEN_X && !seen_open) {
			/* v1 record with 4 params (no dev): completed to the full layout. */
			const char *name;
			assert_int_equal(ev.nparams, sk_event_info(SK_EV_OPEN_X)->nparams);
			assert_int_equal(sk_param_str(&ev, 1, &name), 0);
			assert_true(name[0] == '/');
			assert_int_equal(ev.params[4].len, 0);
			seen_open = 1;
		}
		if (ev.type == SK_EV_CLOSE_X && !seen_close) {
			/* close exit has only res in the file; fd comes from the enter. */
			int64_t fd;
			assert_int_equal(sk_param_s64(&ev, 1, &fd), 0);
			assert_true(fd >= 0);
			seen_close = 1;
		}
	}
	assert_int_equal(rc, 0);
	assert_true(seen_open && seen_close);
	assert_true(n < 345);
	assert_int_equal(prev, 345); /* procexit/meta last; numbering counts enters */
	scap_close(r);
}

static void test_gzip_and_plain(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	size_t len;
	uint8_t *plain = load_plain(path_of("syscall.scap"), &len);
	assert_int_equal(plain[0], 0x0a);
	struct scap_reader *r;
	char err[400];
	struct scap_read_opts o = { .deliver_enter = 1 };
	assert_int_equal(scap_open_mem(plain, len, "plain", &o, &r, err, sizeof(err)), 0);
	uint64_t n, last;
	assert_int_equal(drain(r, &n, &last), 0);
	assert_int_equal(n, 368);
	scap_close(r);
	/* Two concatenated gzip members: two sections, twice the events. */
	size_t glen;
	uint8_t *gz = load_raw(path_of("syscall.scap"), &glen);
	uint8_t *two = malloc(2 * glen);
	assert_non_null(two);
	memcpy(two, gz, glen);
	memcpy(two + glen, gz, glen);
	assert_int_equal(scap_open_mem(two, 2 * glen, "two", &o, &r, err, sizeof(err)), 0);
	assert_int_equal(drain(r, &n, &last), 0);
	assert_int_equal(n, 2 * 368);
	assert_int_equal(scap_get_stats(r)->sections, 2);
	scap_close(r);
	free(two);
	free(gz);
	free(plain);
}

static int is_boundary(const uint8_t *b, size_t len, size_t cut)
{
	size_t pos = 0;
	while (pos < cut && pos + 8 <= len)
		pos += b[pos + 4] | b[pos + 5] << 8 | b[pos + 6] << 16 | (uint32_t)b[pos + 7] << 24;
	return pos == cut;
}

static void test_truncated(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	size_t len;
	uint8_t *plain = load_plain(path_of("cat_write.scap"), &len);
	char err[400];
	struct scap_read_opts o = { .deliver_enter = 1 };
	for (size_t cut = 0; cut < len; cut += (cut < 4096 ? 13 : 1531)) {
		struct scap_reader *r;
		uint8_t *copy = malloc(cut ? cut : 1);
		assert_non_null(copy);
		memcpy(copy, plain, cut);
		int rc = scap_open_mem(copy, cut, "cut", &o, &r, err, sizeof(err));
		if (rc == 0) {
			uint64_t n, last;
			rc = drain(r, &n, &last);
			assert_true(n <= 345);
			if (is_boundary(plain, len, cut)) {
				/* A plain file cut between blocks is a valid shorter file. */
				assert_int_equal(rc, 0);
			} else {
				assert_true(rc < 0);
				assert_non_null(strstr(scap_error(r), "truncated at byte"));
			}
			scap_close(r);
		} else {
			assert_true(strstr(err, "truncated") || strstr(err, "not a .scap"));
		}
		free(copy);
	}
	/* A cut gzip stream: every complete event, then the error. */
	size_t glen;
	uint8_t *gz = load_raw(path_of("run_as_user_0_container.scap"), &glen);
	struct scap_reader *r;
	assert_int_equal(scap_open_mem(gz, glen * 9 / 10, "gzcut", &o, &r, err, sizeof(err)), 0);
	uint64_t n, last;
	assert_true(drain(r, &n, &last) < 0);
	assert_true(n > 0 && n < 4143);
	scap_close(r);
	/* Cut inside the metadata: the open itself reports it. */
	assert_true(scap_open_mem(gz, glen / 4, "gzcut", &o, &r, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "gzcut: truncated at byte"));
	assert_int_equal(scap_open_mem(gz, glen * 9 / 10, "gzcut", &o, &r, err, sizeof(err)), 0);
	assert_true(drain(r, &n, &last) < 0);
	assert_non_null(strstr(scap_error(r), "gzcut: truncated at byte"));
	scap_close(r);
	free(gz);
	free(plain);
}

/* Offset of the first block of the given type in a plain image. */
static size_t find_block(const uint8_t *b, size_t len, uint32_t type)
{
	size_t pos = 0;
	while (pos + 12 <= len) {
		uint32_t t = b[pos] | b[pos + 1] << 8 | b[pos + 2] << 16 | (uint32_t)b[pos + 3] << 24;
		uint32_t tot = b[pos + 4] | b[pos + 5] << 8 | b[pos + 6] << 16 | (uint32_t)b[pos + 7] << 24;
		if (t == type)
			return pos;
		pos += tot;
	}
	return 0;
}

static void test_corrupt(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	size_t len;
	uint8_t *plain = load_plain(path_of("empty.scap"), &len);
	size_t ev = find_block(plain, len, 0x216);
	assert_true(ev > 0);
	char err[400], want[64];
	struct scap_reader *r;
	uint64_t n, last;

	/* Event length field far beyond the block. */
	plain[ev + 8 + 2 + 16] = 0xff;
	plain[ev + 8 + 2 + 17] = 0xff;
	assert_int_equal(scap_open_mem(plain, len, "bad", NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(drain(r, &n, &last), -EINVAL);
	snprintf(want, sizeof(want), "bad: byte %zu:", ev);
	assert_non_null(strstr(scap_error(r), want));
	scap_close(r);
	free(plain);

	/* Block trailer that disagrees with the header. */
	plain = load_plain(path_of("empty.scap"), &len);
	size_t pl = find_block(plain, len, 0x215);
	uint32_t tot = plain[pl + 4] | plain[pl + 5] << 8 | plain[pl + 6] << 16 | (uint32_t)plain[pl + 7] << 24;
	plain[pl + tot - 4] ^= 0x10;
	assert_int_equal(scap_open_mem(plain, len, "bad2", NULL, &r, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "bad2: byte %zu:", pl);
	assert_non_null(strstr(err, want));
	free(plain);

	/* Not a capture at all. */
	assert_int_equal(scap_open_mem("hello world!", 12, "txt", NULL, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "txt: "));
}

static int params_equal(const struct sk_event *a, const struct sk_event *b)
{
	uint32_t n = a->nparams < b->nparams ? a->nparams : b->nparams;
	for (uint32_t i = 0; i < n; i++) {
		if (a->params[i].len != b->params[i].len)
			return 0;
		if (a->params[i].len && memcmp(a->params[i].val, b->params[i].val, a->params[i].len))
			return 0;
	}
	return 1;
}

static void roundtrip(const char *file, const char *out, int check_sysdig)
{
	struct scap_reader *a, *b;
	struct scap_writer *w;
	char err[400];
	struct scap_read_opts o = { .deliver_enter = 1 };
	struct scap_write_opts wo = { .synth_enter = 0 };
	struct sk_event ev, ev2;
	int rc;

	assert_int_equal(scap_open(path_of(file), &o, &a, err, sizeof(err)), 0);
	assert_int_equal(scap_writer_open(out, scap_meta(a), &wo, &w, err, sizeof(err)), 0);
	while ((rc = scap_next(a, &ev)) == 1)
		assert_int_equal(scap_writer_write(w, &ev), 0);
	assert_int_equal(rc, 0);
	assert_int_equal(scap_writer_stats(w)->skipped, 0);
	assert_int_equal(scap_writer_close(w), 0);
	scap_close(a);

	assert_int_equal(scap_open(path_of(file), &o, &a, err, sizeof(err)), 0);
	assert_int_equal(scap_open(out, &o, &b, err, sizeof(err)), 0);
	assert_int_equal(scap_meta(a)->n_procs, scap_meta(b)->n_procs);
	assert_int_equal(scap_meta(a)->n_users, scap_meta(b)->n_users);
	for (;;) {
		int r1 = scap_next(a, &ev);
		int r2 = scap_next(b, &ev2);
		assert_int_equal(r1, r2);
		if (r1 != 1)
			break;
		assert_int_equal(ev.num, ev2.num);
		assert_int_equal(ev.type, ev2.type);
		assert_int_equal(ev.ts, ev2.ts);
		assert_int_equal(ev.tid, ev2.tid);
		assert_int_equal(ev.cpu, ev2.cpu);
		assert_true(params_equal(&ev, &ev2));
	}
	scap_close(a);
	scap_close(b);

	if (!check_sysdig)
		return;
	/* The oracle: sysdig 0.29 prints the same events for both files. */
	char cmd[1024], l1[512], l2[512];
	const char *fmt = "'*%evt.num %evt.type %evt.dir %thread.tid %evt.rawtime'";
	snprintf(cmd, sizeof(cmd), "TZ=UTC sysdig -r %s -p %s 2>/dev/null", path_of(file), fmt);
	FILE *p1 = popen(cmd, "r");
	snprintf(cmd, sizeof(cmd), "TZ=UTC sysdig -r %s -p %s 2>/dev/null", out, fmt);
	FILE *p2 = popen(cmd, "r");
	assert_non_null(p1);
	assert_non_null(p2);
	size_t lines = 0;
	for (;;) {
		char *g1 = fgets(l1, sizeof(l1), p1);
		char *g2 = fgets(l2, sizeof(l2), p2);
		assert_true((g1 == NULL) == (g2 == NULL));
		if (!g1)
			break;
		assert_string_equal(l1, l2);
		lines++;
	}
	pclose(p1);
	pclose(p2);
	printf("sysdig: %s: %zu identical lines\n", file, lines);
}

static void test_writer_roundtrip(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	int sysdig = system("sysdig --version >/dev/null 2>&1") == 0;
	if (!sysdig)
		printf("SKIPPED: sysdig not installed, oracle comparison not run\n");
	char out[] = "/tmp/saker_test_scap_XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	for (size_t i = 0; i < NSAMPLES; i++)
		roundtrip(samples[i].file, out, sysdig);
	unlink(out);
}

/* Synthesised enters: exit-only input becomes enter+exit pairs. */
static void test_writer_synth_enter(void **state)
{
	(void)state;
	if (!have_peers())
		skip();
	char out[] = "/tmp/saker_test_scap_XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	struct scap_reader *a;
	struct scap_writer *w;
	char err[400];
	struct scap_write_opts wo = { .synth_enter = 1 };
	struct sk_event ev;
	uint64_t exits = 0, metas = 0, children = 0;
	assert_int_equal(scap_open(path_of("run_as_user_0_container.scap"), NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(scap_writer_open(out, scap_meta(a), &wo, &w, err, sizeof(err)), 0);
	while (scap_next(a, &ev) == 1) {
		if (sk_event_is_exit(ev.type))
			exits++;
		else
			metas++;
		/* the child's return from a clone has no enter */
		if (sk_event_is_exit(ev.type) && !scap_exit_gets_enter(&ev))
			children++;
		assert_int_equal(scap_writer_write(w, &ev), 0);
	}
	assert_true(children > 0);
	assert_int_equal(scap_writer_stats(w)->events, 2 * exits - children + metas);
	assert_int_equal(scap_writer_close(w), 0);
	scap_close(a);
	struct scap_read_opts o = { .deliver_enter = 1 };
	assert_int_equal(scap_open(out, &o, &a, err, sizeof(err)), 0);
	uint64_t n, last;
	assert_int_equal(drain(a, &n, &last), 0);
	assert_int_equal(n, 2 * exits - children + metas);
	scap_close(a);
	unlink(out);
}

/*
 * A live host's metadata can exceed libscap's fixed buffers (a 25 KB command
 * line made sysdig reject a whole export): the writer cuts each string to
 * what sysdig 0.29 accepts, and sysdig then reads the file.
 */
static void test_writer_long_metadata(void **state)
{
	(void)state;
	static char args[25505], env[9000], path[3000], name[600];
	memset(args, 'a', sizeof(args));
	for (size_t i = 99; i < sizeof(args); i += 100)
		args[i] = '\0';
	args[sizeof(args) - 1] = '\0';
	memset(env, 'e', sizeof(env));
	env[sizeof(env) - 1] = '\0';
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	memset(name, 'n', sizeof(name));
	name[sizeof(name) - 1] = '\0';

	struct sk_meta *m = sk_meta_new();
	assert_non_null(m);
	struct sk_meta_host h = { .num_cpus = 2, .hostname = "longmeta" };
	struct sk_meta_user u = { .uid = 4242, .gid = 4242, .name = name, .home = path, .shell = path };
	struct sk_meta_group g = { .gid = 4242, .name = name };
	struct sk_meta_proc p = { .tid = 77, .pid = 77, .ptid = 1, .comm = "longargs", .exe = path,
				  .exepath = path, .cwd = path, .root = path, .args = args,
				  .args_len = sizeof(args), .env = env, .env_len = sizeof(env),
				  .cgroups = env, .cgroups_len = sizeof(env), .fdlimit = 1024,
				  .loginuid = 0xffffffffu };
	struct sk_meta_fd f = { .pid = 77, .fd = 3, .type = SK_FDT_FILE, .name = path };
	assert_int_equal(sk_meta_set_host(m, &h), 0);
	assert_int_equal(sk_meta_add_user(m, &u), 0);
	assert_int_equal(sk_meta_add_group(m, &g), 0);
	assert_int_equal(sk_meta_add_proc(m, &p), 0);
	assert_int_equal(sk_meta_add_fd(m, &f), 0);

	char out[] = "/tmp/saker_test_scap_XXXXXX";
	int fd = mkstemp(out);
	assert_true(fd >= 0);
	close(fd);
	struct scap_writer *w;
	char err[400];
	struct scap_write_opts wo = { 0 };
	assert_int_equal(scap_writer_open(out, m, &wo, &w, err, sizeof(err)), 0);
	static struct evb eb; /* sysdig refuses a file with no events */
	evb_start(&eb, SK_EV_CLOSE_X, 1700000000000000000ull, 77);
	evb_int(&eb, "res", 0);
	assert_int_equal(scap_writer_write(w, evb_done(&eb)), 0);
	assert_int_equal(scap_writer_close(w), 0);
	sk_meta_free(m);

	struct scap_reader *r;
	assert_int_equal(scap_open(out, NULL, &r, err, sizeof(err)), 0);
	const struct sk_meta *back = scap_meta(r);
	assert_int_equal(back->n_procs, 1);
	const struct sk_meta_proc *bp = &back->procs[0];
	assert_int_equal(bp->args_len, 4095);
	assert_int_equal(bp->args[4094], '\0');
	assert_memory_equal(bp->args, args, 4094);
	assert_int_equal(bp->env_len, 4095);
	assert_int_equal(bp->cgroups_len, 4095);
	assert_int_equal(strlen(bp->exe), 1023);
	assert_int_equal(strlen(bp->exepath), 1023);
	assert_int_equal(strlen(bp->cwd), 1023);
	assert_int_equal(strlen(bp->root), 1023);
	assert_int_equal(back->n_users, 1);
	assert_int_equal(strlen(back->users[0].name), 255);
	assert_int_equal(strlen(back->users[0].home), 255);
	assert_int_equal(back->n_groups, 1);
	assert_int_equal(strlen(back->groups[0].name), 255);
	assert_int_equal(back->n_fds, 1);
	assert_int_equal(strlen(back->fds[0].name), 1023);
	scap_close(r);

	if (system("sysdig --version >/dev/null 2>&1") != 0) {
		printf("SKIPPED: sysdig not installed, oracle read of long metadata not run\n");
	} else {
		char cmd[600];
		snprintf(cmd, sizeof(cmd), "sysdig -r %s >/dev/null 2>&1", out);
		assert_int_equal(system(cmd), 0);
	}
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_counts),
		cmocka_unit_test(test_exit_only_and_merge),
		cmocka_unit_test(test_gzip_and_plain),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupt),
		cmocka_unit_test(test_writer_roundtrip),
		cmocka_unit_test(test_writer_synth_enter),
		cmocka_unit_test(test_writer_long_metadata),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
