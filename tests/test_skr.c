/* tests/test_skr.c: .skr writer/reader: round trips, frames, pipes, truncation, corruption, seeking, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <cmocka.h>

#include "formats/skr/skr.h"
#include "tests/helpers/event_assert.h"
#include "tests/helpers/test_files.h"
#include "formats/skr/wire.h"

/* ---- helpers ---- */


/* The whole file; the test fails when it cannot be read. */
static uint8_t *slurp_file(const char *path, size_t *len)
{
	uint8_t *p = test_load_inflated(path, len);
	assert_non_null(p);
	return p;
}
static char tmpdir[] = "/tmp/saker-test-skr.XXXXXX";

static int setup_dir(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	if (getenv("SAKER_KEEP_TMP"))
		return 0;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void tmp_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmpdir, name);
}

/* Deterministic synthetic event i: types, tids, timestamps and parameters
 * that vary, with some absent parameters. bytes must hold 256 bytes. */
static void make_event(uint64_t i, struct sk_event *ev, uint8_t *bytes)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = (uint16_t)(1 + (i * 7) % (SK_EV__COUNT - 1));
	ev->tid = (int64_t)(1000 + (i * 13) % 50) * ((i % 97) == 0 ? -1 : 1);
	ev->ts = 1700000000000000000ull + i * 1000 - (i % 5) * 300; /* not monotonic */
	ev->cpu = (uint16_t)(i % 4);
	ev->flags = (i % 11 == 0) ? SK_EVF_STATE_ONLY : 0;
	ev->nparams = (uint32_t)(i % 5);
	size_t off = 0;
	for (uint32_t k = 0; k < ev->nparams; k++) {
		uint32_t len = (uint32_t)((i + k) % 3 == 0 ? 0 : (i * 31 + k * 17) % 60);
		for (uint32_t b = 0; b < len; b++)
			bytes[off + b] = (uint8_t)(i + k + b);
		ev->params[k].val = bytes + off;
		ev->params[k].len = len;
		off += len;
	}
}

static int event_equal(const struct sk_event *a, const struct sk_event *b)
{
	if (a->type != b->type || a->tid != b->tid || a->ts != b->ts || a->cpu != b->cpu ||
	    a->flags != b->flags || a->nparams != b->nparams)
		return 0;
	for (uint32_t k = 0; k < a->nparams; k++)
		if (a->params[k].len != b->params[k].len ||
		    memcmp(a->params[k].val, b->params[k].val, a->params[k].len) != 0)
			return 0;
	return 1;
}

/* Writes n synthetic events to path in chunks of frame_events (independent:
 * none uses a key chunk as its dictionary); returns the file offset where the
 * last chunk starts. */
static uint64_t write_synthetic_opts(const char *path, uint64_t n, uint32_t frame_events, int close_it,
				     int independent)
{
	char err[512];
	struct skr_writer_opts o = { .frame_events = frame_events, .force = 1, .independent = independent };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	uint8_t bytes[256];
	struct sk_event ev;
	uint64_t last = 0;
	for (uint64_t i = 0; i < n; i++) {
		if (i % frame_events == 0)
			last = skr_writer_bytes(w);
		make_event(i, &ev, bytes);
		assert_int_equal(skr_writer_append(w, &ev), 0);
	}
	if (close_it)
		assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	else {
		assert_int_equal(skr_writer_flush(w), 0);
		skr_writer_abandon(w);
	}
	return last;
}

static uint64_t write_synthetic(const char *path, uint64_t n, uint32_t frame_events, int close_it)
{
	return write_synthetic_opts(path, n, frame_events, close_it, 0);
}

/* Reads path to the end; checks every event against make_event. Returns the
 * final return code of skr_reader_next and the count in *count. */
/* An in-memory file holding len bytes of p, positioned at 0: the damaged
 * file tests open thousands of variants, so they stay off the disk. */
static int mem_file(int fd, const uint8_t *p, size_t len)
{
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, p, len, 0), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int read_synthetic_reader(struct skr_reader *r, uint64_t *count, char *err,
				 size_t errlen);

static int read_synthetic(const char *path, uint64_t *count, char *err, size_t errlen)
{
	struct skr_reader *r = skr_reader_open_path(path, err, errlen);
	if (!r)
		return -1000;
	return read_synthetic_reader(r, count, err, errlen);
}

/* The same on fd; the caller closes it. */
static int read_synthetic_fd(int fd, const char *name, uint64_t *count, char *err, size_t errlen)
{
	struct skr_reader *r = skr_reader_open_fd(fd, name, NULL, 0, err, errlen);
	if (!r)
		return -1000;
	return read_synthetic_reader(r, count, err, errlen);
}

static int read_synthetic_reader(struct skr_reader *r, uint64_t *count, char *err,
				 size_t errlen)
{
	struct sk_event ev, want;
	uint8_t bytes[256];
	uint64_t i = 0;
	int rc;
	while ((rc = skr_reader_next(r, &ev)) == 1) {
		make_event(i, &want, bytes);
		test_assert_event_equal(&ev, &want);
		assert_int_equal(ev.num, i + 1);
		i++;
	}
	snprintf(err, errlen, "%s", skr_reader_error(r));
	*count = i;
	skr_reader_close(r);
	return rc;
}

/* ---- round trips ---- */

static void test_every_param_type(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "ptypes.skr");
	static const uint8_t sockaddr4[] = { 2, 127, 0, 0, 1, 0x50, 0 };
	static const uint8_t tuple4[] = { 2, 10, 0, 0, 1, 0xb8, 0x58, 10, 0, 0, 2, 0x50, 0 };
	static const uint8_t fdlist[] = { 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
	static const uint8_t dyn[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	static const uint8_t ipv6[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t bytebuf[] = { 0, 1, 2, 255, 'a', 0 };
	struct sk_event in[SK_PT__COUNT];
	uint64_t big = 0x0102030405060708ull;
	for (int t = 0; t < SK_PT__COUNT; t++) {
		struct sk_event *e = &in[t];
		memset(e, 0, sizeof(*e));
		e->type = (uint16_t)(SK_EV__COUNT - 1 - t);
		e->tid = t * 1000 - 5;
		e->ts = 1000000ull * (uint64_t)t;
		e->cpu = (uint16_t)(t * 3);
		e->nparams = 2;
		const void *v = &big;
		uint32_t len;
		switch (t) {
		case SK_PT_NONE: len = 0; break;
		case SK_PT_CHARBUF: case SK_PT_FSPATH: case SK_PT_FSRELPATH:
			v = "/etc/passwd"; len = 12; break;
		case SK_PT_BYTEBUF: case SK_PT_CHARBUFARRAY: v = bytebuf; len = sizeof(bytebuf); break;
		case SK_PT_SOCKADDR: v = sockaddr4; len = sizeof(sockaddr4); break;
		case SK_PT_SOCKTUPLE: v = tuple4; len = sizeof(tuple4); break;
		case SK_PT_FDLIST: v = fdlist; len = sizeof(fdlist); break;
		case SK_PT_DYN: v = dyn; len = sizeof(dyn); break;
		case SK_PT_IPV6ADDR: v = ipv6; len = 16; break;
		default:
			len = (uint32_t)(1 + t % 8); /* fixed-size: 1 to 8 bytes */
			break;
		}
		e->params[0].val = v;
		e->params[0].len = len;
		e->params[1].val = (const uint8_t *)"x";
		e->params[1].len = 0; /* absent */
	}
	/* One event with the maximum number of parameters. */
	struct sk_event maxp = { .type = SK_EV_EXECVE_X, .tid = 1, .ts = 99, .nparams = SK_MAX_PARAMS };
	for (int k = 0; k < SK_MAX_PARAMS; k++) {
		maxp.params[k].val = (const uint8_t *)"abcdefghijklmnopqrstuvwxyz0123456789";
		maxp.params[k].len = (uint32_t)k;
	}
	struct skr_writer_opts o = { .force = 1 };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	for (int t = 0; t < SK_PT__COUNT; t++)
		assert_int_equal(skr_writer_append(w, &in[t]), 0);
	assert_int_equal(skr_writer_append(w, &maxp), 0);
	struct sk_event toomany = maxp;
	toomany.nparams = SK_MAX_PARAMS + 1;
	assert_int_equal(skr_writer_append(w, &toomany), -EINVAL);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);

	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	struct sk_event ev;
	for (int t = 0; t < SK_PT__COUNT; t++) {
		assert_int_equal(skr_reader_next(r, &ev), 1);
		test_assert_event_equal(&ev, &in[t]);
		assert_int_equal(ev.num, (uint64_t)t + 1);
	}
	assert_int_equal(skr_reader_next(r, &ev), 1);
	test_assert_event_equal(&ev, &maxp);
	assert_int_equal(skr_reader_next(r, &ev), 0);
	assert_int_equal(skr_reader_next(r, &ev), 0);
	assert_true(skr_reader_complete(r));
	assert_true(skr_reader_has_index(r));
	assert_int_equal(skr_reader_meta(r)->end.nevents, SK_PT__COUNT + 1);
	skr_reader_close(r);
}

static void fill_meta(struct sk_meta *m)
{
	struct sk_meta_host h = {
		.hostname = "web-1", .kernel_release = "6.18.0", .tz_name = "Europe/Paris",
		.recorder_version = "saker-record 0.1", .boot_ts = 1699990000000000000ull,
		.start_ts = 1700000000000000000ull, .memory_bytes = 8ull << 30, .num_cpus = 2,
		.tz_offset_s = 3600, .realtime_minus_monotonic_ns = 1699990000123456789ll,
		.realtime_minus_boottime_ns = -5, .snaplen = 80, .argv_limit = 4096,
	};
	assert_int_equal(sk_meta_set_host(m, &h), 0);
	struct sk_meta_iface i4 = { .name = "eth0", .family = 2, .addr = { 10, 0, 0, 5 },
				    .netmask = { 255, 255, 255, 0 }, .bcast = { 10, 0, 0, 255 },
				    .linkspeed = 1000 };
	struct sk_meta_iface i6 = { .name = "eth0", .family = 10, .addr = { 0xfe, 0x80, [15] = 7 },
				    .netmask = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	assert_int_equal(sk_meta_add_iface(m, &i4), 0);
	assert_int_equal(sk_meta_add_iface(m, &i6), 0);
	struct sk_meta_user u = { 1000, 1000, "alice", "/home/alice", "/bin/bash", NULL };
	struct sk_meta_user u2 = { 0, 0, "root", "/root", "/bin/sh", "0123456789ab" };
	assert_int_equal(sk_meta_add_user(m, &u), 0);
	assert_int_equal(sk_meta_add_user(m, &u2), 0);
	struct sk_meta_group g = { 27, "sudo", "" };
	assert_int_equal(sk_meta_add_group(m, &g), 0);
	static const char args[] = "-c\0echo hi\0";
	static const char env[] = "PATH=/bin\0HOME=/root\0";
	static const char cg[] = "cpu=/docker/0123456789ab\0memory=/\0";
	struct sk_meta_proc p = {
		.tid = 4242, .pid = 4241, .ptid = 1, .sid = 4000, .vpgid = 4241, .pgid = 4241,
		.vtid = 7, .vpid = 6, .comm = "bash", .exe = "-bash", .exepath = "/usr/bin/bash",
		.cwd = "/root", .root = "/", .args = args, .args_len = sizeof(args) - 1,
		.env = env, .env_len = sizeof(env) - 1, .cgroups = cg, .cgroups_len = sizeof(cg) - 1,
		.fdlimit = 1024, .flags = 8193, .uid = 0, .gid = 0, .loginuid = 1000, .tty = 34816,
		.cap_inheritable = 0, .cap_permitted = 0x1ffffffffffull, .cap_effective = 0x1ffffffffffull,
		.vmsize_kb = 12000, .vmrss_kb = 5000, .vmswap_kb = 0, .pfmajor = 3, .pfminor = 700,
		.clone_ts = 1700000000000000001ull, .pidns_init_start_ts = 1699990000000000001ull,
		.exe_ino = 1234567, .exe_ino_ctime = 1, .exe_ino_mtime = 2,
		.exe_flags = SK_EXE_WRITABLE | SK_EXE_UPPER_LAYER,
	};
	assert_int_equal(sk_meta_add_proc(m, &p), 0);
	struct sk_meta_proc p2 = { .tid = -1, .pid = -1, .ptid = -1, .fdlimit = -1,
				   .loginuid = 0xffffffff, .comm = "<NA>" };
	assert_int_equal(sk_meta_add_proc(m, &p2), 0);
	struct sk_meta_fd f1 = { .pid = 4241, .fd = 3, .ino = 99, .type = SK_FDT_FILE,
				 .open_flags = 4097, .dev = 0x803, .mnt_id = 29, .name = "/etc/hosts" };
	struct sk_meta_fd f2 = { .pid = 4241, .fd = 4, .ino = 100, .type = SK_FDT_IPV4,
				 .l4proto = 2, .name = "10.0.0.5:443->10.0.0.9:50000",
				 .sip = { 10, 0, 0, 5 }, .dip = { 10, 0, 0, 9 }, .sport = 443,
				 .dport = 50000 };
	struct sk_meta_fd f3 = { .pid = 4241, .fd = 5, .type = SK_FDT_UNIX, .name = "/run/x.sock",
				 .unix_source = 0xffff888012345678ull, .unix_dest = 1 };
	struct sk_meta_fd f4 = { .pid = 4241, .fd = 6, .type = SK_FDT_IPV6_SERVER, .l4proto = 2,
				 .sip = { [15] = 1 }, .sport = 22, .mnt_id = -1 };
	assert_int_equal(sk_meta_add_fd(m, &f1), 0);
	assert_int_equal(sk_meta_add_fd(m, &f2), 0);
	assert_int_equal(sk_meta_add_fd(m, &f3), 0);
	assert_int_equal(sk_meta_add_fd(m, &f4), 0);
	struct sk_meta_container c = { "0123456789ab",
				       "{\"container\":{\"id\":\"0123456789ab\",\"name\":\"web\"}}", 5 };
	assert_int_equal(sk_meta_add_container(m, &c), 0);
	struct sk_meta_drops d = { 77, 1, 1000, 2, 3 };
	assert_int_equal(sk_meta_add_drops(m, &d), 0);
}

#define STR_EQ(a, b) assert_string_equal((a) ? (a) : "", (b) ? (b) : "")

static void assert_meta_equal(const struct sk_meta *a, const struct sk_meta *b)
{
	assert_int_equal(a->have_host, b->have_host);
	STR_EQ(a->host.hostname, b->host.hostname);
	STR_EQ(a->host.kernel_release, b->host.kernel_release);
	STR_EQ(a->host.tz_name, b->host.tz_name);
	STR_EQ(a->host.recorder_version, b->host.recorder_version);
	assert_int_equal(a->host.boot_ts, b->host.boot_ts);
	assert_int_equal(a->host.start_ts, b->host.start_ts);
	assert_int_equal(a->host.memory_bytes, b->host.memory_bytes);
	assert_int_equal(a->host.num_cpus, b->host.num_cpus);
	assert_int_equal(a->host.tz_offset_s, b->host.tz_offset_s);
	assert_int_equal(a->host.realtime_minus_monotonic_ns, b->host.realtime_minus_monotonic_ns);
	assert_int_equal(a->host.realtime_minus_boottime_ns, b->host.realtime_minus_boottime_ns);
	assert_int_equal(a->host.snaplen, b->host.snaplen);
	assert_int_equal(a->host.argv_limit, b->host.argv_limit);
	assert_int_equal(a->n_ifaces, b->n_ifaces);
	for (size_t i = 0; i < a->n_ifaces; i++) {
		STR_EQ(a->ifaces[i].name, b->ifaces[i].name);
		assert_int_equal(a->ifaces[i].family, b->ifaces[i].family);
		assert_memory_equal(a->ifaces[i].addr, b->ifaces[i].addr, 16);
		assert_memory_equal(a->ifaces[i].netmask, b->ifaces[i].netmask, 16);
		assert_memory_equal(a->ifaces[i].bcast, b->ifaces[i].bcast, 16);
		assert_int_equal(a->ifaces[i].linkspeed, b->ifaces[i].linkspeed);
	}
	assert_int_equal(a->n_users, b->n_users);
	for (size_t i = 0; i < a->n_users; i++) {
		assert_int_equal(a->users[i].uid, b->users[i].uid);
		assert_int_equal(a->users[i].gid, b->users[i].gid);
		STR_EQ(a->users[i].name, b->users[i].name);
		STR_EQ(a->users[i].home, b->users[i].home);
		STR_EQ(a->users[i].shell, b->users[i].shell);
		STR_EQ(a->users[i].container_id, b->users[i].container_id);
	}
	assert_int_equal(a->n_groups, b->n_groups);
	for (size_t i = 0; i < a->n_groups; i++) {
		assert_int_equal(a->groups[i].gid, b->groups[i].gid);
		STR_EQ(a->groups[i].name, b->groups[i].name);
		STR_EQ(a->groups[i].container_id, b->groups[i].container_id);
	}
	assert_int_equal(a->n_procs, b->n_procs);
	for (size_t i = 0; i < a->n_procs; i++) {
		const struct sk_meta_proc *x = &a->procs[i], *y = &b->procs[i];
		assert_int_equal(x->tid, y->tid);
		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->ptid, y->ptid);
		assert_int_equal(x->sid, y->sid);
		assert_int_equal(x->vpgid, y->vpgid);
		assert_int_equal(x->pgid, y->pgid);
		assert_int_equal(x->vtid, y->vtid);
		assert_int_equal(x->vpid, y->vpid);
		STR_EQ(x->comm, y->comm);
		STR_EQ(x->exe, y->exe);
		STR_EQ(x->exepath, y->exepath);
		STR_EQ(x->cwd, y->cwd);
		STR_EQ(x->root, y->root);
		assert_int_equal(x->args_len, y->args_len);
		assert_int_equal(x->env_len, y->env_len);
		assert_int_equal(x->cgroups_len, y->cgroups_len);
		if (x->args_len)
			assert_memory_equal(x->args, y->args, x->args_len);
		if (x->env_len)
			assert_memory_equal(x->env, y->env, x->env_len);
		if (x->cgroups_len)
			assert_memory_equal(x->cgroups, y->cgroups, x->cgroups_len);
		assert_int_equal(x->fdlimit, y->fdlimit);
		assert_int_equal(x->flags, y->flags);
		assert_int_equal(x->uid, y->uid);
		assert_int_equal(x->gid, y->gid);
		assert_int_equal(x->loginuid, y->loginuid);
		assert_int_equal(x->tty, y->tty);
		assert_int_equal(x->cap_inheritable, y->cap_inheritable);
		assert_int_equal(x->cap_permitted, y->cap_permitted);
		assert_int_equal(x->cap_effective, y->cap_effective);
		assert_int_equal(x->vmsize_kb, y->vmsize_kb);
		assert_int_equal(x->vmrss_kb, y->vmrss_kb);
		assert_int_equal(x->vmswap_kb, y->vmswap_kb);
		assert_int_equal(x->pfmajor, y->pfmajor);
		assert_int_equal(x->pfminor, y->pfminor);
		assert_int_equal(x->clone_ts, y->clone_ts);
		assert_int_equal(x->pidns_init_start_ts, y->pidns_init_start_ts);
		assert_int_equal(x->exe_ino, y->exe_ino);
		assert_int_equal(x->exe_ino_ctime, y->exe_ino_ctime);
		assert_int_equal(x->exe_ino_mtime, y->exe_ino_mtime);
		assert_int_equal(x->exe_flags, y->exe_flags);
	}
	assert_int_equal(a->n_fds, b->n_fds);
	for (size_t i = 0; i < a->n_fds; i++) {
		const struct sk_meta_fd *x = &a->fds[i], *y = &b->fds[i];
		assert_int_equal(x->pid, y->pid);
		assert_int_equal(x->fd, y->fd);
		assert_int_equal(x->ino, y->ino);
		assert_int_equal(x->type, y->type);
		assert_int_equal(x->l4proto, y->l4proto);
		assert_int_equal(x->open_flags, y->open_flags);
		assert_int_equal(x->dev, y->dev);
		assert_int_equal(x->mnt_id, y->mnt_id);
		STR_EQ(x->name, y->name);
		assert_memory_equal(x->sip, y->sip, 16);
		assert_memory_equal(x->dip, y->dip, 16);
		assert_int_equal(x->sport, y->sport);
		assert_int_equal(x->dport, y->dport);
		assert_int_equal(x->unix_source, y->unix_source);
		assert_int_equal(x->unix_dest, y->unix_dest);
	}
	assert_int_equal(a->n_containers, b->n_containers);
	for (size_t i = 0; i < a->n_containers; i++) {
		STR_EQ(a->containers[i].id, b->containers[i].id);
		STR_EQ(a->containers[i].json, b->containers[i].json);
		assert_int_equal(a->containers[i].ts, b->containers[i].ts);
	}
	assert_int_equal(a->n_drops, b->n_drops);
	for (size_t i = 0; i < a->n_drops; i++) {
		assert_int_equal(a->drops[i].ts, b->drops[i].ts);
		assert_int_equal(a->drops[i].cpu, b->drops[i].cpu);
		assert_int_equal(a->drops[i].events, b->drops[i].events);
		assert_int_equal(a->drops[i].ring_full, b->drops[i].ring_full);
		assert_int_equal(a->drops[i].copy_fail, b->drops[i].copy_fail);
	}
}

static void test_every_meta_kind(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "meta.skr");
	struct sk_meta *m = sk_meta_new();
	fill_meta(m);
	struct skr_writer_opts o = { .force = 1, .host = &m->host };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	/* Everything but the host (already in the header). */
	struct sk_meta_host keep = m->host;
	m->have_host = 0;
	assert_int_equal(skr_writer_put_meta_all(w, m), 0);
	m->have_host = 1;
	m->host = keep;
	uint8_t bytes[256];
	struct sk_event ev;
	make_event(1, &ev, bytes);
	assert_int_equal(skr_writer_append(w, &ev), 0);
	struct sk_meta_end end = { 123, 1, 0 };
	assert_int_equal(skr_writer_put_meta(w, SK_META_END, &end, 1), 0);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);

	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	/* Metadata written before the first event is there right after open. */
	assert_meta_equal(skr_reader_meta(r), m);
	assert_false(skr_reader_complete(r));
	struct sk_event got;
	assert_int_equal(skr_reader_next(r, &got), 1);
	assert_int_equal(skr_reader_next(r, &got), 0);
	assert_true(skr_reader_complete(r));
	assert_int_equal(skr_reader_meta(r)->end.ts, 123); /* no second END from close */
	skr_reader_close(r);
	sk_meta_free(m);
}

static void test_many_frames(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "many.skr");
	write_synthetic(path, 100000, 777, 1);
	uint64_t n = 0;
	assert_int_equal(read_synthetic(path, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 100000);
	/* Chunks split by size rather than count. */
	struct skr_writer_opts o = { .frame_bytes = 4096, .force = 1 };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	uint8_t bytes[256];
	struct sk_event ev;
	for (uint64_t i = 0; i < 20000; i++) {
		make_event(i, &ev, bytes);
		assert_int_equal(skr_writer_append(w, &ev), 0);
	}
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	assert_int_equal(read_synthetic(path, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 20000);
	/* More distinct shapes than a chunk may hold (every length pair differs). */
	o.frame_bytes = 0;
	w = skr_writer_open_path(path, &o, err, sizeof(err));
	static uint8_t zeros[128];
	for (uint32_t i = 0; i < 10000; i++) {
		struct sk_event e = { .type = SK_EV_OPEN_X, .ts = i, .tid = 1, .nparams = 2 };
		e.params[0].val = zeros;
		e.params[0].len = i % 100;
		e.params[1].val = zeros;
		e.params[1].len = i / 100;
		assert_int_equal(skr_writer_append(w, &e), 0);
	}
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	for (uint32_t i = 0; i < 10000; i++) {
		assert_int_equal(skr_reader_next(r, &ev), 1);
		assert_int_equal(ev.params[0].len, i % 100);
		assert_int_equal(ev.params[1].len, i / 100);
		assert_int_equal(ev.ts, i);
	}
	assert_int_equal(skr_reader_next(r, &ev), 0);
	skr_reader_close(r);
}

static void test_flush_interval(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "tick.skr");
	struct skr_writer_opts o = { .flush_interval_ns = 1, .force = 1 };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	uint8_t bytes[256];
	struct sk_event ev;
	make_event(0, &ev, bytes);
	assert_int_equal(skr_writer_append(w, &ev), 0);
	uint64_t before = skr_writer_bytes(w);
	usleep(1000);
	assert_int_equal(skr_writer_tick(w), 0);
	assert_true(skr_writer_bytes(w) > before); /* the chunk went out without close */
	skr_writer_abandon(w);
	uint64_t n = 0;
	assert_int_equal(read_synthetic(path, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
}

static void test_empty_files(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "empty.skr");
	struct skr_writer_opts o = { .force = 1 };
	/* Header only (killed right after open). */
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	skr_writer_abandon(w);
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	struct sk_event ev;
	assert_int_equal(skr_reader_next(r, &ev), 0);
	assert_false(skr_reader_complete(r));
	assert_false(skr_reader_has_index(r));
	skr_reader_close(r);
	/* Header and footer. */
	w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	assert_true(skr_reader_has_index(r));
	assert_int_equal(skr_reader_seek_time(r, 5), 0);
	assert_int_equal(skr_reader_next(r, &ev), 0);
	assert_true(skr_reader_complete(r));
	skr_reader_close(r);
	/* Zero-byte and foreign files are refused with a reason. */
	assert_int_equal(test_write_file(path, (const uint8_t *)"", 0), 0);
	assert_null(skr_reader_open_path(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not a .skr capture"));
	assert_int_equal(test_write_file(path, (const uint8_t *)"hello world, this is text", 25), 0);
	assert_null(skr_reader_open_path(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not a .skr capture"));
}

static void test_create_flags(void **state)
{
	(void)state;
	char path[256], link[256], err[512];
	tmp_path(path, sizeof(path), "excl.skr");
	tmp_path(link, sizeof(link), "link.skr");
	unlink(path);
	struct skr_writer *w = skr_writer_open_path(path, NULL, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Exists: refused without force. */
	assert_null(skr_writer_open_path(path, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "File exists"));
	/* Symlinks are never followed, even with force. */
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	struct skr_writer_opts o = { .force = 1 };
	assert_null(skr_writer_open_path(link, &o, err, sizeof(err)));
	w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
}

/* ---- streaming ---- */

static void test_pipe(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		char err[512];
		struct skr_writer_opts o = { .frame_events = 1000 };
		struct skr_writer *w = skr_writer_open_fd(fds[1], "<pipe>", &o, err, sizeof(err));
		if (!w)
			_exit(2);
		uint8_t bytes[256];
		struct sk_event ev;
		for (uint64_t i = 0; i < 50000; i++) {
			make_event(i, &ev, bytes);
			if (skr_writer_append(w, &ev))
				_exit(3);
		}
		int rc = skr_writer_close(w, err, sizeof(err));
		close(fds[1]);
		_exit(rc ? 4 : 0);
	}
	close(fds[1]);
	char err[512];
	struct skr_reader *r = skr_reader_open_fd(fds[0], "<pipe>", NULL, 0, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(skr_reader_seek_time(r, 0), -ESPIPE);
	struct sk_event ev, want;
	uint8_t bytes[256];
	uint64_t i = 0;
	int rc;
	while ((rc = skr_reader_next(r, &ev)) == 1) {
		make_event(i, &want, bytes);
		test_assert_event_equal(&ev, &want);
		i++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, 50000);
	assert_true(skr_reader_complete(r));
	skr_reader_close(r);
	close(fds[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- damaged files ---- */

static void test_truncated_everywhere(void **state)
{
	(void)state;
	char path[256], cut[256], err[512];
	tmp_path(path, sizeof(path), "trunc.skr");
	tmp_path(cut, sizeof(cut), "cut.skr");
	const uint64_t total = 2100;
	uint64_t last = write_synthetic(path, total, 1000, 1);
	size_t len;
	uint8_t *data = slurp_file(path, &len);
	const uint64_t before = 2000; /* events in the chunks before the last one */
	/* Frame boundaries after the last chunk start: a cut there is a clean end. */
	uint64_t bounds[8];
	int nb = 0;
	for (uint64_t off = last; off < len && nb < 8;) {
		uint32_t size = (uint32_t)data[off + 4] | (uint32_t)data[off + 5] << 8 |
				(uint32_t)data[off + 6] << 16 | (uint32_t)data[off + 7] << 24;
		uint64_t next = off + 8 + size;
		if (memcmp(data + off + 8, "SKRB", 4) == 0)
			next += ZSTD_findFrameCompressedSize(data + next, len - next);
		bounds[nb++] = next;
		off = next;
	}
	assert_int_equal(bounds[nb - 1], len);
	uint64_t last_chunk_end = bounds[0];
	int fd = memfd_create("cut.skr", 0);
	assert_true(fd >= 0);
	for (uint64_t c = last; c < len; c++) {
		mem_file(fd, data, c);
		uint64_t n = 0;
		int rc = read_synthetic_fd(fd, cut, &n, err, sizeof(err));
		int at_bound = c == last;
		for (int b = 0; b < nb; b++)
			at_bound |= bounds[b] == c;
		if (at_bound) {
			assert_int_equal(rc, 0);
		} else {
			if (rc != SKR_ETRUNCATED)
				fail_msg("cut at %llu: rc %d: %s", (unsigned long long)c, rc, err);
			char want[64];
			snprintf(want, sizeof(want), "truncated at byte %llu ", (unsigned long long)c);
			if (!strstr(err, want))
				fail_msg("cut at %llu: message '%s'", (unsigned long long)c, err);
		}
		assert_int_equal(n, c >= last_chunk_end ? total : before);
	}
	close(fd);
	free(data);
}

static void test_flipped_bytes(void **state)
{
	(void)state;
	char path[256], bad[256], err[512];
	tmp_path(path, sizeof(path), "flip.skr");
	tmp_path(bad, sizeof(bad), "flipped.skr");
	struct sk_meta *m = sk_meta_new();
	fill_meta(m);
	struct skr_writer_opts o = { .force = 1, .frame_events = 40, .host = &m->host };
	struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
	assert_int_equal(skr_writer_put_meta_all(w, m), 0);
	uint8_t bytes[256];
	struct sk_event ev;
	for (uint64_t i = 0; i < 100; i++) {
		make_event(i, &ev, bytes);
		assert_int_equal(skr_writer_append(w, &ev), 0);
	}
	assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
	sk_meta_free(m);
	size_t len;
	uint8_t *data = slurp_file(path, &len);
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	size_t harmless = 0;
	int fd = memfd_create("flipped.skr", 0);
	assert_true(fd >= 0);
	for (size_t at = 0; at < len; at++) {
		for (size_t k = 0; k < sizeof(masks); k++) {
			data[at] ^= masks[k];
			mem_file(fd, data, len);
			data[at] ^= masks[k];
			struct skr_reader *r = skr_reader_open_fd(fd, bad, NULL, 0, err, sizeof(err));
			if (!r)
				continue; /* rejected at open: fine */
			uint64_t n = 0;
			int rc;
			int same = 1;
			struct sk_event want;
			while ((rc = skr_reader_next(r, &ev)) == 1) {
				make_event(n, &want, bytes);
				if (n >= 100 || !event_equal(&ev, &want))
					same = 0;
				n++;
			}
			const struct sk_meta *got = skr_reader_meta(r);
			same = same && n == 100 && skr_reader_complete(r) && got->n_procs == 2 &&
			       got->n_fds == 4 && got->n_users == 2 && got->n_ifaces == 2 &&
			       got->n_groups == 1 && got->n_containers == 1 && got->n_drops == 1 &&
			       got->have_host && strcmp(got->procs[0].comm, "bash") == 0;
			/* Either an error or exactly the original content (a few
			 * compressed bits are don't-care for zstd): never silent damage. */
			if (rc == 0 && !same)
				fail_msg("byte %zu ^ 0x%02x went unnoticed", at, masks[k]);
			if (rc == 0)
				harmless++;
			if (rc < 0)
				assert_non_null(strstr(skr_reader_error(r), "byte"));
			skr_reader_close(r);
		}
	}
	assert_true(harmless * 100 < len * sizeof(masks));
	close(fd);
	free(data);
}

/* Builds a file by hand: header, one chunk whose streams are given. */
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static size_t saker_frame(uint8_t *out, const char *tag, const uint8_t *body, size_t blen)
{
	put32(out, 0x184D2A55u);
	put32(out + 4, (uint32_t)(blen + 8));
	memcpy(out + 8, tag, 4);
	memcpy(out + 16, body, blen);
	put32(out + 12, (uint32_t)crc32(crc32(0, (const uint8_t *)tag, 4), body, (uInt)blen));
	return 16 + blen;
}

static size_t make_header(uint8_t *out, uint16_t major)
{
	uint8_t body[12] = { 0 };
	body[0] = (uint8_t)major;
	put32(body + 8, 0); /* empty host record */
	return saker_frame(out, "SKRH", body, sizeof(body));
}

#define NS SKR_NSTREAMS

/* A batch frame and its zstd frame holding the given streams. */
static size_t put_chunk(uint8_t *out, int ns, const uint8_t *const *streams, const size_t *lens, uint32_t nevents,
			uint64_t first_num)
{
	uint8_t raw[4096], body[256];
	size_t raw_len = 0;
	for (int i = 0; i < ns; i++) {
		memcpy(raw + raw_len, streams[i], lens[i]);
		raw_len += lens[i];
	}
	uint8_t z[8192];
	size_t zlen = ZSTD_compress(z, sizeof(z), raw, raw_len, 3);
	assert_false(ZSTD_isError(zlen));
	put32(body, nevents);
	put32(body + 4, (uint32_t)raw_len);
	put32(body + 8, (uint32_t)zlen);
	put32(body + 12, (uint32_t)ns);
	put64(body + 16, first_num);
	put64(body + 24, 1000);
	put64(body + 32, 0);
	put64(body + 40, UINT64_MAX);
	for (int i = 0; i < ns; i++)
		put32(body + 48 + 4 * i, (uint32_t)lens[i]);
	size_t n = saker_frame(out, "SKRB", body, 48 + 4 * (size_t)ns);
	memcpy(out + n, z, zlen);
	return n + zlen;
}

struct handmade_read {
	int rc;
	uint64_t count, last_num;
	char err[512];
};

/* Reads path with threads decode workers, event by event or by run (which
 * walks the chunks no worker walked on this thread). */
static void read_file_with(const char *path, unsigned threads, int runs, struct handmade_read *h)
{
	struct skr_reader *r = skr_reader_open_path(path, h->err, sizeof(h->err));
	assert_non_null(r);
	/* the worker walks the events: a reader this fast would not wait for it */
	skr_reader_set_walk_ahead(r, SKR_WALK_ALWAYS);
	assert_int_equal(skr_reader_set_decode_threads(r, threads), 0);
	struct sk_event ev;
	struct sk_event_run run = {0};
	h->count = h->last_num = 0;
	for (;;) {
		const struct sk_event *e = &ev;
		if (runs) {
			const uint64_t *words;
			uint32_t nw;
			if (!sk_event_run_next(&run, &e, &words, &nw)) {
				if ((h->rc = skr_reader_next_run(r, &run)) != 1)
					break;
				continue;
			}
		} else if ((h->rc = skr_reader_next(r, &ev)) != 1) {
			break;
		}
		h->count++;
		h->last_num = e->num;
	}
	snprintf(h->err, sizeof(h->err), "%s", skr_reader_error(r));
	skr_reader_close(r);
}

/* The chunk behind a good one, read sequentially and with a worker (which
 * walks its events ahead of the caller: skr_read_predecode), event by
 * event and by run: the events before a bad one and the error must be the
 * same. */
static void compare_in_worker(const uint8_t *const *streams, const size_t *lens, uint32_t nevents)
{
	static uint8_t file[1 << 16];
	static const uint8_t shape[] = {0}, def[] = {5, 1, 2}, tid[] = {6}, zero[] = {0}, hi[] = {'h', 'i'};
	const uint8_t *good[NS];
	size_t gl[NS] = {0};
	for (int i = 0; i < NS; i++)
		good[i] = zero;
	good[SKR_S_SHAPE] = shape, gl[SKR_S_SHAPE] = 1;
	good[SKR_S_SHAPEDEF] = def, gl[SKR_S_SHAPEDEF] = 3;
	good[SKR_S_TID] = tid, gl[SKR_S_TID] = 1;
	gl[SKR_S_TS] = gl[SKR_S_CPU] = gl[SKR_S_FLAGS] = 1;
	good[SKR_S_FIXED] = hi, gl[SKR_S_FIXED] = 2;
	size_t n = make_header(file, SKR_VERSION_MAJOR);
	n += put_chunk(file + n, NS, good, gl, 1, 1);
	n += put_chunk(file + n, NS, streams, lens, nevents, 2);
	char path[256];
	tmp_path(path, sizeof(path), "hand2.skr");
	assert_int_equal(test_write_file(path, file, n), 0);
	struct handmade_read seq, par;
	read_file_with(path, 0, 0, &seq);
	for (int k = 1; k < 4; k++) {
		read_file_with(path, (unsigned)(k & 1), k >> 1, &par);
		if (seq.rc != par.rc || seq.count != par.count || seq.last_num != par.last_num ||
		    strcmp(seq.err, par.err))
			fail_msg("sequential %d, %llu events (last %llu) '%s'; with %d workers, by %s: %d, %llu "
				 "events (last %llu) '%s'",
				 seq.rc, (unsigned long long)seq.count, (unsigned long long)seq.last_num, seq.err,
				 k & 1, k >> 1 ? "run" : "event", par.rc, (unsigned long long)par.count,
				 (unsigned long long)par.last_num, par.err);
	}
}

/* A file with one chunk of the given streams (9 for version 2, 7 for 1);
 * version 2 chunks are also read behind a good chunk, sequentially and with
 * a decode worker, which must agree. */
static int read_handmade_v(uint16_t major, int ns, const uint8_t *const *streams,
			   const size_t *lens, uint32_t nevents, char *err, size_t errlen,
			   uint64_t *count, struct sk_event *last)
{
	static uint8_t file[1 << 16];
	if (major == SKR_VERSION_MAJOR && ns == NS)
		compare_in_worker(streams, lens, nevents);
	size_t n = make_header(file, major);
	n += put_chunk(file + n, ns, streams, lens, nevents, 1);
	char path[256];
	tmp_path(path, sizeof(path), "hand.skr");
	assert_int_equal(test_write_file(path, file, n), 0);
	struct skr_reader *r = skr_reader_open_path(path, err, errlen);
	assert_non_null(r);
	struct sk_event ev;
	int rc;
	*count = 0;
	while ((rc = skr_reader_next(r, &ev)) == 1) {
		(*count)++;
		if (last)
			*last = ev; /* only its scalar fields are used after close */
	}
	snprintf(err, errlen, "%s", skr_reader_error(r));
	skr_reader_close(r);
	return rc;
}

static int read_handmade(const uint8_t *streams[NS], const size_t lens[NS], uint32_t nevents,
			 char *err, size_t errlen, uint64_t *count)
{
	return read_handmade_v(SKR_VERSION_MAJOR, NS, streams, lens, nevents, err, errlen, count,
			       NULL);
}

/* Expects the hand-made chunk to be rejected with a message containing why. */
static void expect_corrupt(const uint8_t *s[NS], const size_t l[NS], uint32_t nevents,
			   const char *why, uint64_t want_events)
{
	char err[512];
	uint64_t n;
	int rc = read_handmade(s, l, nevents, err, sizeof(err), &n);
	if (rc != SKR_ECORRUPT || !strstr(err, why) || !strstr(err, "byte 28"))
		fail_msg("expected '%s', got %d '%s'", why, rc, err);
	assert_int_equal(n, want_events);
}

#define SET(k, ...) do { static const uint8_t v_[] = { __VA_ARGS__ }; s[k] = v_; l[k] = sizeof(v_); } while (0)

static void test_lengths_never_trusted(void **state)
{
	(void)state;
	char err[512];
	uint64_t n;
	/* A good event: new shape (type 5, one 2-byte param), tid 3, "hi". */
	const uint8_t *s[NS];
	size_t l[NS];
	static const uint8_t zero[1] = { 0 };
	for (int i = 0; i < NS; i++) {
		s[i] = zero;
		l[i] = 0;
	}
	SET(SKR_S_SHAPE, 0);
	SET(SKR_S_SHAPEDEF, 5, 1, 2);
	SET(SKR_S_TID, 6);
	SET(SKR_S_TS, 0);
	SET(SKR_S_CPU, 0);
	SET(SKR_S_FLAGS, 0);
	SET(SKR_S_FIXED, 'h', 'i');
	assert_int_equal(read_handmade(s, l, 1, err, sizeof(err), &n), 0);
	assert_int_equal(n, 1);
	/* A column longer than its stream. */
	SET(SKR_S_SHAPEDEF, 5, 1, 3);
	expect_corrupt(s, l, 1, "fixed-size values do not fit", 0);
	/* A stream longer than its columns. */
	SET(SKR_S_SHAPEDEF, 5, 1, 1);
	expect_corrupt(s, l, 1, "fixed-size stream longer than its values", 0);
	/* Shape definitions left over. */
	SET(SKR_S_SHAPEDEF, 5, 1, 2, 9);
	expect_corrupt(s, l, 1, "shape definitions longer", 0);
	/* Huge length (a big parameter with no bytes). */
	l[SKR_S_FIXED] = 0;
	SET(SKR_S_SHAPEDEF, 5, 1, 0xff, 0xff, 0xff, 0xff, 0x0f);
	SET(SKR_S_BIGREF, 0);
	expect_corrupt(s, l, 1, "parameter length does not fit", 0);
	/* Length above 32 bits. */
	SET(SKR_S_SHAPEDEF, 5, 1, 0xff, 0xff, 0xff, 0xff, 0x1f);
	expect_corrupt(s, l, 1, "bad parameter length", 0);
	l[SKR_S_BIGREF] = 0;
	SET(SKR_S_FIXED, 'h', 'i');
	/* Unterminated varint. */
	SET(SKR_S_SHAPEDEF, 5, 1, 0x80);
	expect_corrupt(s, l, 1, "bad parameter length", 0);
	/* Too many parameters. */
	SET(SKR_S_SHAPEDEF, 5, 33, 2);
	expect_corrupt(s, l, 1, "bad parameter count", 0);
	/* Type out of range. */
	SET(SKR_S_SHAPEDEF, 0x80, 0x80, 0x04, 1, 2);
	expect_corrupt(s, l, 1, "bad type", 0);
	/* Reference to a shape not defined yet. */
	SET(SKR_S_SHAPEDEF, 5, 1, 2);
	SET(SKR_S_SHAPE, 1);
	expect_corrupt(s, l, 1, "bad shape", 0);
	SET(SKR_S_SHAPE, 0);
	/* More events declared than the streams hold. */
	expect_corrupt(s, l, 2, "event 2: bad shape", 0);
	/* A per-event stream with leftovers. */
	SET(SKR_S_TID, 6, 6);
	expect_corrupt(s, l, 1, "streams longer", 0);
	SET(SKR_S_TID, 6);
	/* A big value referring to a literal that does not exist. */
	SET(SKR_S_SHAPEDEF, 5, 1, 20);
	SET(SKR_S_BIGREF, 1);
	l[SKR_S_FIXED] = 0;
	expect_corrupt(s, l, 1, "bad value reference", 0);
	/* Two events: a 20-byte literal, then a reference to it with another length. */
	SET(SKR_S_SHAPE, 0, 1);
	SET(SKR_S_SHAPEDEF, 5, 1, 20, 5, 1, 17);
	SET(SKR_S_TID, 6, 6);
	SET(SKR_S_TS, 0, 0);
	SET(SKR_S_CPU, 0, 0);
	SET(SKR_S_FLAGS, 0, 0);
	SET(SKR_S_BIGREF, 0, 1);
	SET(SKR_S_BIG, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p',
	    'q', 'r', 's', 't');
	expect_corrupt(s, l, 2, "wrong length", 1);
	/* The same with the right length is fine: both events share the bytes. */
	SET(SKR_S_SHAPE, 0, 0);
	SET(SKR_S_SHAPEDEF, 5, 1, 20);
	assert_int_equal(read_handmade(s, l, 2, err, sizeof(err), &n), 0);
	assert_int_equal(n, 2);
	/* Planar columns: two events of one shape with a 4-byte and a 2-byte param. */
	SET(SKR_S_SHAPEDEF, 5, 2, 4, 2);
	l[SKR_S_BIGREF] = l[SKR_S_BIG] = 0;
	SET(SKR_S_FIXED, 1, 5, 2, 6, 3, 7, 4, 8, 'a', 'c', 'b', 'd');
	struct skr_reader *r;
	char path[256];
	read_handmade(s, l, 2, err, sizeof(err), &n);
	tmp_path(path, sizeof(path), "hand.skr");
	r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	struct sk_event ev;
	assert_int_equal(skr_reader_next(r, &ev), 1);
	assert_memory_equal(ev.params[0].val, "\x01\x02\x03\x04", 4);
	assert_memory_equal(ev.params[1].val, "ab", 2);
	assert_int_equal(skr_reader_next(r, &ev), 1);
	assert_memory_equal(ev.params[0].val, "\x05\x06\x07\x08", 4);
	assert_memory_equal(ev.params[1].val, "cd", 2);
	assert_int_equal(skr_reader_next(r, &ev), 0);
	skr_reader_close(r);
}

static void test_newer_major_version(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "v2.skr");
	uint8_t file[64];
	size_t n = make_header(file, SKR_VERSION_MAJOR + 1);
	assert_int_equal(test_write_file(path, file, n), 0);
	assert_null(skr_reader_open_path(path, err, sizeof(err)));
	assert_non_null(strstr(err, "version 3.0 is newer than this reader (2.x)"));
	/* Same major, newer minor: accepted. */
	n = make_header(file, SKR_VERSION_MAJOR);
	file[18] = 7; /* minor */
	put32(file + 12, (uint32_t)crc32(crc32(0, file + 8, 4), file + 16, (uInt)(n - 16)));
	assert_int_equal(test_write_file(path, file, n), 0);
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	uint16_t maj, min;
	skr_reader_version(r, &maj, &min);
	assert_int_equal(maj, SKR_VERSION_MAJOR);
	assert_int_equal(min, 7);
	skr_reader_close(r);
}

/* Version 1.0 chunks (rows: type, tid delta, ts delta, cpu, flags, lengths,
 * data) are still read, as captures recorded before 2.0 use them. */
static void test_reads_version_1(void **state)
{
	(void)state;
	char err[512];
	uint64_t n;
	struct sk_event last;
	static const uint8_t type[] = { 5, 7 }, tid[] = { 6, 3 }, ts[] = { 4, 2 }, cpu[] = { 1, 0 };
	static const uint8_t flags[] = { 0, 1 }, lens[] = { 1, 2, 2, 3, 0 };
	static const uint8_t data[] = { 'h', 'i', 'y', 'o', '!' };
	const uint8_t *s[7] = { type, tid, ts, cpu, flags, lens, data };
	size_t l[7] = { 2, 2, 2, 2, 2, 5, 5 };
	assert_int_equal(read_handmade_v(1, 7, s, l, 2, err, sizeof(err), &n, &last), 0);
	assert_int_equal(n, 2);
	assert_int_equal(last.type, 7);
	assert_int_equal(last.tid, 3 - 2);       /* +3 then -2 */
	assert_int_equal(last.ts, 1000 + 2 + 1); /* +2 then +1 */
	assert_int_equal(last.flags, 1);
	assert_int_equal(last.nparams, 2);
	assert_int_equal(last.params[0].len, 3);
	assert_int_equal(last.params[1].len, 0);
	assert_int_equal(last.num, 2);
	/* Its lengths are checked just the same. */
	static const uint8_t bad_lens[] = { 1, 2, 2, 9, 0 };
	s[5] = bad_lens;
	assert_int_equal(read_handmade_v(1, 7, s, l, 2, err, sizeof(err), &n, NULL), SKR_ECORRUPT);
	assert_non_null(strstr(err, "event 2: parameter length does not fit"));
	assert_int_equal(n, 1);
	/* A 1.0 chunk cannot be read with the 2.0 layout's stream count. */
	s[5] = lens;
	assert_int_equal(read_handmade_v(1, 6, s, l, 2, err, sizeof(err), &n, NULL), SKR_ECORRUPT);
	assert_non_null(strstr(err, "bad stream count"));
}

/* ---- seeking ---- */

static void check_seek(const char *path, int want_index)
{
	char err[512];
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	assert_int_equal(skr_reader_has_index(r), want_index);
	assert_int_equal(skr_reader_meta(r)->n_containers, 0);
	/* Events are 1 us apart (give or take 1.2 us of jitter); chunks of 500. */
	uint64_t base = 1700000000000000000ull;
	uint64_t targets[] = { base + 7654321, base + 123456, base + 9990000, base + 500000 };
	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++) {
		assert_int_equal(skr_reader_seek_time(r, targets[t]), 0);
		struct sk_event ev, want;
		uint8_t bytes[256];
		assert_int_equal(skr_reader_next(r, &ev), 1);
		assert_true(ev.ts >= targets[t]);
		/* It is the first event of its chunk at or after the target. */
		uint64_t i = ev.num - 1;
		make_event(i, &want, bytes);
		test_assert_event_equal(&ev, &want);
		for (uint64_t j = i - i % 500; j < i; j++) {
			make_event(j, &want, bytes);
			assert_true(want.ts < targets[t]);
		}
		/* And nothing in earlier chunks reaches the target. */
		uint64_t first = i - i % 500;
		if (first) {
			make_event(first - 1, &want, bytes);
			assert_true(want.ts < targets[t]);
		}
		/* Sequential reading resumes from there. */
		assert_int_equal(skr_reader_next(r, &ev), 1);
		assert_int_equal(ev.num, i + 2);
	}
	/* The container record written after chunk 8 was loaded once. */
	assert_int_equal(skr_reader_meta(r)->n_containers, 1);
	assert_int_equal(skr_reader_seek_time(r, base + 20000000), 0);
	struct sk_event ev;
	assert_int_equal(skr_reader_next(r, &ev), 0);
	assert_int_equal(skr_reader_meta(r)->n_containers, 1);
	skr_reader_close(r);
}

static void test_seek_time(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "seek.skr");
	for (int killed = 0; killed < 2; killed++) {
		struct skr_writer_opts o = { .frame_events = 500, .force = 1 };
		struct skr_writer *w = skr_writer_open_path(path, &o, err, sizeof(err));
		uint8_t bytes[256];
		struct sk_event ev;
		for (uint64_t i = 0; i < 10000; i++) {
			if (i == 4000) {
				struct sk_meta_container c = { "abc", "{}", 1 };
				assert_int_equal(skr_writer_put_meta(w, SK_META_CONTAINER, &c, 1), 0);
			}
			make_event(i, &ev, bytes);
			assert_int_equal(skr_writer_append(w, &ev), 0);
		}
		if (killed) {
			assert_int_equal(skr_writer_flush(w), 0);
			skr_writer_abandon(w);
		} else {
			assert_int_equal(skr_writer_close(w, err, sizeof(err)), 0);
		}
		check_seek(path, !killed);
	}
}

/* A prepare hook (skr_prepare) that counts its workers and writes, for
 * each event, ts % 3 words: the timestamp, then the number of parameters. */
struct prep_count {
	int made, freed;
};

static void *prep_worker_new(void *ctx)
{
	struct prep_count *c = ctx;
	c->made++;
	return ctx;
}

static void prep_worker_free(void *w)
{
	struct prep_count *c = w;
	c->freed++;
}

static uint32_t prep_event(void *w, const struct sk_event *ev, uint64_t *out)
{
	(void)w;
	uint32_t n = (uint32_t)(ev->ts % 3);
	if (n > 0)
		out[0] = ev->ts;
	if (n > 1)
		out[1] = ev->nparams;
	return n;
}

/* What the decode workers prepare reaches the caller with its own event,
 * across chunks, a seek and each walking mode; without workers, nothing. */
static void test_prepare(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "prep.skr");
	write_synthetic(path, 5000, 300, 1);
	for (unsigned threads = 0; threads <= 2; threads++) {
		for (int walk = SKR_WALK_AUTO; walk <= SKR_WALK_NEVER; walk++) {
			struct prep_count c = {0, 0};
			struct skr_prepare p = {prep_worker_new, prep_worker_free, prep_event, &c, NULL};
			struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
			assert_non_null(r);
			skr_reader_set_prepare(r, &p);
			skr_reader_set_walk_ahead(r, (enum skr_walk_ahead)walk);
			assert_int_equal(skr_reader_set_decode_threads(r, threads), 0);
			struct sk_event ev;
			uint64_t events = 0, prepared = 0;
			for (int pass = 0; pass < 2; pass++) {
				if (pass == 1)
					assert_int_equal(skr_reader_seek_time(r, 0), 0);
				while (skr_reader_next(r, &ev) == 1) {
					const uint64_t *words;
					uint32_t n = skr_reader_prep(r, &words);
					events++;
					if (!n)
						continue;
					prepared++;
					assert_int_equal(n, ev.ts % 3);
					assert_int_equal(words[0], ev.ts);
					if (n > 1)
						assert_int_equal(words[1], ev.nparams);
				}
			}
			assert_int_equal(events, 10000);
			skr_reader_close(r);
			assert_int_equal(c.made, c.freed);
			if (threads == 0 || walk == SKR_WALK_NEVER)
				assert_int_equal(prepared, 0);
			if (threads > 0 && walk == SKR_WALK_ALWAYS) {
				/* every chunk but the one decoded at open and after the seek */
				assert_int_equal(c.made, (int)threads);
				assert_true(prepared > events * 2 / 3 * 8 / 10);
			}
		}
	}
}

/* A hook with a type filter is called for those types only: the others
 * get no words, and the wanted ones theirs. */
static void test_prepare_types(void **state)
{
	(void)state;
	char path[256], err[512];
	tmp_path(path, sizeof(path), "prep_types.skr");
	write_synthetic(path, 5000, 300, 1);
	static uint8_t odd[SK_EV__COUNT];
	for (unsigned t = 0; t < SK_EV__COUNT; t++)
		odd[t] = t % 2;
	struct prep_count c = {0, 0};
	struct skr_prepare p = {prep_worker_new, prep_worker_free, prep_event, &c, odd};
	struct skr_reader *r = skr_reader_open_path(path, err, sizeof(err));
	assert_non_null(r);
	skr_reader_set_prepare(r, &p);
	skr_reader_set_walk_ahead(r, SKR_WALK_ALWAYS);
	assert_int_equal(skr_reader_set_decode_threads(r, 1), 0);
	struct sk_event ev;
	uint64_t odd_events = 0, odd_prepared = 0;
	while (skr_reader_next(r, &ev) == 1) {
		const uint64_t *words;
		uint32_t n = skr_reader_prep(r, &words);
		if (ev.type % 2 == 0) {
			assert_int_equal(n, 0);
			continue;
		}
		odd_events++;
		if (ev.ts % 3 == 0)
			continue;
		if (n) {
			odd_prepared++;
			assert_int_equal(n, ev.ts % 3);
			assert_int_equal(words[0], ev.ts);
		}
	}
	skr_reader_close(r);
	assert_true(odd_events > 0);
	/* all but the chunk decoded at open, and a third with no words */
	assert_true(odd_prepared > odd_events * 2 / 3 * 8 / 10);
}

static void test_zstd_cli(void **state)
{
	(void)state;
	if (system("zstd --version >/dev/null 2>&1") != 0) {
		printf("SKIPPED: zstd command not installed (Debian package zstd)\n");
		skip();
	}
	char path[256], cmd[768];
	tmp_path(path, sizeof(path), "cli.skr");
	/* chunks that use a key chunk as their dictionary need saker's reader */
	write_synthetic_opts(path, 5000, 1000, 1, 1);
	snprintf(cmd, sizeof(cmd), "zstd -q -d -c %s > %s.raw", path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.raw", path);
	struct stat st;
	assert_int_equal(stat(cmd, &st), 0);
	assert_true(st.st_size > 5000 * 5); /* the raw event streams */
	/* And through a pipe, as `cat capture.skr | zstd -d` would. */
	snprintf(cmd, sizeof(cmd), "cat %s | zstd -q -d -c | wc -c | grep -qx %lld", path,
		 (long long)st.st_size);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_param_type),
		cmocka_unit_test(test_every_meta_kind),
		cmocka_unit_test(test_many_frames),
		cmocka_unit_test(test_flush_interval),
		cmocka_unit_test(test_empty_files),
		cmocka_unit_test(test_create_flags),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_flipped_bytes),
		cmocka_unit_test(test_lengths_never_trusted),
		cmocka_unit_test(test_newer_major_version),
		cmocka_unit_test(test_reads_version_1),
		cmocka_unit_test(test_seek_time),
		cmocka_unit_test(test_prepare),
		cmocka_unit_test(test_prepare_types),
		cmocka_unit_test(test_zstd_cli),
	};
	return cmocka_run_group_tests_name("skr", tests, setup_dir, teardown_dir);
}
