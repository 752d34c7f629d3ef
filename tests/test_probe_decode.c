/* tests/test_probe_decode.c: probe records decode into the exact event-table exit layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/event.h"
#include "probe/decode.h"

struct rec {
	_Alignas(8) uint8_t b[8192];
	size_t off;
	uint16_t n;
};

static void rec_begin(struct rec *r, uint16_t kind, uint16_t nr, int64_t ret)
{
	struct skp_hdr *h = (struct skp_hdr *)r->b;

	memset(r, 0, sizeof(*r));
	h->ts = 1000;
	h->tid = 42;
	h->pid = 42;
	h->kind = kind;
	h->nr = nr;
	h->ret = ret;
	r->off = sizeof(*h);
}

static void rec_chunk(struct rec *r, uint8_t id, const void *data, uint16_t len)
{
	struct skp_chunk c = { .id = id, .flags = 0, .len = len };

	memcpy(r->b + r->off, &c, sizeof(c));
	memcpy(r->b + r->off + sizeof(c), data, len);
	r->off += sizeof(c) + ((len + 3u) & ~3u);
	r->n++;
}

static size_t rec_end(struct rec *r)
{
	struct skp_hdr *h = (struct skp_hdr *)r->b;

	h->len = (uint32_t)r->off;
	h->nchunks = r->n;
	return r->off;
}

/* Every parameter present must have the table's fixed size. */
static void check_layout(const struct sk_event *ev)
{
	const struct sk_event_info *info = sk_event_info(ev->type);

	assert_non_null(info);
	if (ev->nparams != info->nparams)
		fail_msg("%s: %u params, table has %u", info->name, ev->nparams, info->nparams);
	for (uint32_t i = 0; i < ev->nparams; i++) {
		uint32_t want = sk_ptype_size(info->params[i].type);

		if (want && ev->params[i].len && ev->params[i].len != want)
			fail_msg("%s param %u (%s): %u bytes, table type %s wants %u", info->name, i,
				 info->params[i].name, ev->params[i].len, sk_ptype_name(info->params[i].type), want);
	}
}

static struct skp_decoder *new_decoder(void)
{
	struct skp_decoder *d = malloc(sizeof(*d));

	assert_non_null(d);
	skp_decoder_init(d);
	return d;
}

static void test_every_syscall_layout(void **state)
{
	struct skp_decoder *d = new_decoder();
	struct sk_event ev;
	struct rec r;
	struct skp_proc p;

	(void)state;
	memset(&p, 0, sizeof(p));
	strcpy(p.comm, "x");
	for (size_t i = 0; i < skp_nsyscalls; i++) {
		rec_begin(&r, SKP_REC_SYSCALL, skp_syscalls[i].nr, 3);
		/* the process chunk lets execve/clone build their full layouts (other calls ignore it) */
		rec_chunk(&r, SKP_C_PROC, &p, sizeof(p));
		assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
		assert_int_equal(ev.type, skp_syscalls[i].type);
		check_layout(&ev);
	}
	free(d);
}

static void test_open_flags_and_path(void **state)
{
	struct skp_decoder *d = new_decoder();
	struct sk_event ev;
	struct rec r;
	struct skp_hdr *h;
	struct skp_file f = { .ino = 77, .dev = 0x801, .fmode = 1u << 20 };
	const char *s;
	uint64_t v;

	(void)state;
	rec_begin(&r, SKP_REC_SYSCALL, 257 /* openat */, 5);
	h = (struct skp_hdr *)r.b;
	h->args[0] = (uint64_t)-100;
	h->args[2] = 01101; /* O_WRONLY|O_CREAT|O_TRUNC */
	h->args[3] = 0644;
	rec_chunk(&r, SKP_C_ARG0 + 1, "/tmp/x", 7);
	rec_chunk(&r, SKP_C_FILE, &f, sizeof(f));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	assert_int_equal(ev.type, SK_EV_OPENAT_X);
	check_layout(&ev);
	assert_int_equal(sk_param_str(&ev, 2, &s), 0);
	assert_string_equal(s, "/tmp/x");
	assert_int_equal(sk_param_u64(&ev, 3, &v), 0);
	assert_int_equal(v, 2 | 4 | 256 | (1u << 14)); /* WRONLY|CREAT|TRUNC|F_CREATED */
	assert_int_equal(sk_param_u64(&ev, 6, &v), 0);
	assert_int_equal(v, 77);
	assert_int_equal(ev.ts, 1000 + d->boot_to_epoch);
	free(d);
}

static void test_connect_tuple_and_exec_paths(void **state)
{
	struct skp_decoder *d = new_decoder();
	struct sk_event ev;
	struct rec r;
	const uint8_t tuple[13] = { 2, 127, 0, 0, 1, 0x39, 0x30, 127, 0, 0, 1, 0x50, 0 };
	const uint8_t sa[16] = { 2, 0, 0, 80, 127, 0, 0, 1 };
	struct skp_proc p;
	const char comps[] = "bin\0usr"; /* leaf first: /usr/bin */
	const char argv[] = "sh\0-c\0true";
	const char *s;

	(void)state;
	rec_begin(&r, SKP_REC_SYSCALL, 42 /* connect */, 0);
	rec_chunk(&r, SKP_C_ARG0 + 1, sa, sizeof(sa));
	rec_chunk(&r, SKP_C_TUPLE, tuple, sizeof(tuple));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	assert_int_equal(ev.type, SK_EV_CONNECT_X);
	check_layout(&ev);
	assert_int_equal(ev.params[1].len, 13);
	assert_memory_equal(ev.params[1].val, tuple, 13);
	assert_int_equal(ev.params[3].len, 7); /* sockaddr: family, ip, port */
	assert_int_equal(ev.params[3].val[5], 80);

	memset(&p, 0, sizeof(p));
	p.tid = p.pid = 9;
	strcpy(p.comm, "sh");
	rec_begin(&r, SKP_REC_EXEC, 59, 0);
	rec_chunk(&r, SKP_C_PROC, &p, sizeof(p));
	rec_chunk(&r, SKP_C_ARGS, argv, sizeof(argv));
	rec_chunk(&r, SKP_C_EXEPATH, comps, sizeof(comps));
	rec_chunk(&r, SKP_C_FILENAME, "/bin/sh", 8);
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	assert_int_equal(ev.type, SK_EV_EXECVE_X);
	check_layout(&ev);
	assert_int_equal(sk_param_str(&ev, 1, &s), 0);
	assert_string_equal(s, "sh");
	assert_int_equal(ev.params[2].len, 8);
	assert_memory_equal(ev.params[2].val, "-c\0true", 8);
	assert_int_equal(sk_param_str(&ev, sk_event_param_index(ev.type, "trusted_exepath"), &s), 0);
	assert_string_equal(s, "/usr/bin");
	assert_int_equal(sk_param_str(&ev, sk_event_param_index(ev.type, "filename"), &s), 0);
	assert_string_equal(s, "/bin/sh");
	free(d);
}

/* Parameters the kernel side fills from chunks or header slots beyond the
 * raw arguments: flags, accept queue, prctl, signal masks, reaper, pid ns start. */
static void test_derived_params(void **state)
{
	struct skp_decoder *d = new_decoder();
	struct sk_event ev;
	struct rec r;
	struct skp_hdr *h;
	const uint32_t q[2] = { 1, 7 };
	const uint64_t mask = (1u << 9) | (1u << 14) | (1ull << 40);
	const int32_t one = 1;
	const char *s;
	uint64_t v;
	struct skp_proc p;

	(void)state;
	rec_begin(&r, SKP_REC_SYSCALL, 41 /* socket */, 3);
	h = (struct skp_hdr *)r.b;
	h->args[0] = 2;
	h->args[1] = 1 | 04000 | 02000000; /* SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC */
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(sk_param_u64(&ev, 4, &v), 0);
	assert_int_equal(v, (1u << 6) | (1u << 12));

	rec_begin(&r, SKP_REC_SYSCALL, 288 /* accept4 */, 5);
	h = (struct skp_hdr *)r.b;
	h->args[3] = 02000000;
	rec_chunk(&r, SKP_C_QUEUE, q, sizeof(q));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(sk_param_u64(&ev, 2, &v), 0);
	assert_int_equal(v, 14); /* queuepct */
	assert_int_equal(sk_param_u64(&ev, 3, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(sk_param_u64(&ev, 4, &v), 0);
	assert_int_equal(v, 7);
	assert_int_equal(sk_param_u64(&ev, 5, &v), 0);
	assert_int_equal(v, 1u << 12);

	rec_begin(&r, SKP_REC_SYSCALL, 157 /* prctl */, 0);
	h = (struct skp_hdr *)r.b;
	h->args[0] = 15; /* PR_SET_NAME */
	rec_chunk(&r, SKP_C_ARG0 + 1, "worker", 7);
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(sk_param_str(&ev, 2, &s), 0);
	assert_string_equal(s, "worker");
	rec_begin(&r, SKP_REC_SYSCALL, 157, 0);
	h = (struct skp_hdr *)r.b;
	h->args[0] = 37; /* PR_GET_CHILD_SUBREAPER: the int written behind arg2 */
	rec_chunk(&r, SKP_C_ARG0 + 1, &one, sizeof(one));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(ev.params[2].len, 0);
	assert_int_equal(sk_param_u64(&ev, 3, &v), 0);
	assert_int_equal(v, 1);

	rec_begin(&r, SKP_REC_SYSCALL, 289 /* signalfd4 */, 4);
	h = (struct skp_hdr *)r.b;
	h->args[3] = 04000; /* SFD_NONBLOCK */
	rec_chunk(&r, SKP_C_ARG0 + 1, &mask, sizeof(mask));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(sk_param_u64(&ev, 1, &v), 0);
	assert_int_equal(v, 1u << 6);
	assert_int_equal(sk_param_u64(&ev, 3, &v), 0);
	assert_int_equal(v, (1u << 9) | (1u << 14)); /* the first 32 signals */

	rec_begin(&r, SKP_REC_EXIT, 0, 0);
	((struct skp_hdr *)r.b)->args[2] = 77;
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	assert_int_equal(ev.type, SK_EV_PROCEXIT_E);
	check_layout(&ev);
	assert_int_equal(sk_param_u64(&ev, 4, &v), 0);
	assert_int_equal(v, 77);

	memset(&p, 0, sizeof(p));
	p.pidns_init_start = 123456789;
	rec_begin(&r, SKP_REC_FORK, 56 /* clone */, 0);
	rec_chunk(&r, SKP_C_PROC, &p, sizeof(p));
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), 0);
	check_layout(&ev);
	assert_int_equal(sk_param_u64(&ev, sk_event_param_index(ev.type, "pidns_init_start_ts"), &v), 0);
	assert_int_equal(v, 123456789);
	free(d);
}

static void test_malformed_record(void **state)
{
	struct skp_decoder *d = new_decoder();
	struct sk_event ev;
	struct rec r;
	struct skp_chunk c = { .id = 1, .len = 5000 };

	(void)state;
	rec_begin(&r, SKP_REC_SYSCALL, 2, 0);
	memcpy(r.b + r.off, &c, sizeof(c));
	r.off += sizeof(c);
	r.n = 1;
	assert_int_equal(skp_decode(d, r.b, rec_end(&r), &ev), -22);
	assert_int_equal(skp_decode(d, r.b, 10, &ev), -22);
	free(d);
}

static void test_flag_translation(void **state)
{
	(void)state;
	assert_int_equal(skp_open_flags_to_ppm(0, 0), 1);           /* O_RDONLY is a bit */
	assert_int_equal(skp_open_flags_to_ppm(02000000, 0), 4097); /* RDONLY|CLOEXEC */
	assert_int_equal(skp_clone_flags_to_ppm(0x10000 | 0x400 | 0x100), (1u << 13) | 1u | (1u << 15));
	assert_int_equal(skp_ptrace_req_to_ppm(16), 11);            /* PTRACE_ATTACH */
	assert_int_equal(skp_ptrace_req_to_ppm(0x4206), 20);        /* PTRACE_SEIZE */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_syscall_layout),
		cmocka_unit_test(test_open_flags_and_path),
		cmocka_unit_test(test_connect_tuple_and_exec_paths),
		cmocka_unit_test(test_derived_params),
		cmocka_unit_test(test_malformed_record),
		cmocka_unit_test(test_flag_translation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
