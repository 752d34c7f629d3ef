/* tests/test_engine_prep.c: the open rules' answers given ahead (engine_prep's fd.name groups, engine_pname's proc.name group) give the same alerts as the rules working them out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "formats/meta.h"
#include "replay/engine/engine.h"
#include "replay/extract/extract.h"
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/state/state.h"
#include "tests/helpers/event_builder.h"

static const uint64_t T0 = 1700000000000000000ull;

/* Paths over a small alphabet, most absolute and normal (prepared), the
 * rest relative, not normal or not printable (left to the engine). */
static void random_path(char *buf, size_t cap, unsigned *seed)
{
	static const char *const parts[] = {"a", "b", "ab", ".ssh", "etc", "x.log", "..", ".", "", "c\x01"};
	int kind = rand_r(seed) % 10;
	size_t n = 0;
	if (kind > 0)
		buf[n++] = '/';
	int depth = rand_r(seed) % 4;
	for (int i = 0; i < depth && n + 8 < cap; i++) {
		/* ".", "..", "" (a "//") and a control byte only in a tenth of the paths */
		const char *p = parts[rand_r(seed) % (kind == 9 ? 10 : 6)];
		n += (size_t)snprintf(buf + n, cap - n, "%s%s", i ? "/" : "", p);
	}
	/* a tenth end in one of thousands of names, some long: more paths
	 * than a decode worker keeps answers for, some too long to keep */
	if (kind == 8 && n + 150 < cap) {
		int len = rand_r(seed) % 3 ? 1 : 60 + rand_r(seed) % 60;
		n += (size_t)snprintf(buf + n, cap - n, "/n%u%.*s", (unsigned)rand_r(seed) % 5000, len,
				      "........................................................................"
				      "..........................................................................");
	}
	buf[n] = '\0';
}

static void strip_control(char *s)
{
	char *o = s;
	for (; *s; s++)
		if ((unsigned char)*s >= 0x20)
			*o++ = *s;
	*o = '\0';
}

/* Rules on fd.name, fd.directory and fd.filename of every grouped kind,
 * enough for the open types' index to read their groups before the rules. */
static char *gen_rules(unsigned seed)
{
	static const char *const ops[] = {"=", "startswith", "endswith", "contains", "glob", "in"};
	size_t cap = 1 << 16, n = 0;
	char *y = malloc(cap);
	for (int r = 0; r < 40; r++) {
		char v[64], w[64];
		random_path(v, sizeof(v), &seed);
		random_path(w, sizeof(w), &seed);
		/* as Falco keeps them: without the control bytes */
		strip_control(v);
		strip_control(w);
		static const char *const fields[] = {"fd.name", "fd.directory", "fd.filename"};
		const char *f1 = fields[r % 3], *f2 = fields[(r / 3 + 1) % 3];
		if (!strcmp(f1, "fd.filename") && strrchr(v, '/')) /* a base name */
			memmove(v, strrchr(v, '/') + 1, strlen(strrchr(v, '/')));
		const char *o1 = ops[rand_r(&seed) % 6], *o2 = ops[rand_r(&seed) % 6];
		char c1[160], c2[160];
		if (!strcmp(o1, "in"))
			snprintf(c1, sizeof(c1), "%s in (\"%s\", \"%s\")", f1, v, w);
		else if (!strcmp(o1, "glob"))
			snprintf(c1, sizeof(c1), "%s glob \"/%c*\"", f1, v[1] ? v[1] : 'a');
		else
			snprintf(c1, sizeof(c1), "%s %s \"%s\"", f1, o1, v);
		if (!strcmp(o2, "in"))
			snprintf(c2, sizeof(c2), "%s in (\"%s\")", f2, w);
		else if (!strcmp(o2, "glob"))
			snprintf(c2, sizeof(c2), "%s glob \"%s*\"", f2, w);
		else
			snprintf(c2, sizeof(c2), "%s %s \"%s\"", f2, o2, w);
		const char *join = r % 3 == 0 ? "and" : r % 3 == 1 ? "or" : "and not";
		n += (size_t)snprintf(y + n, cap - n,
				      "- rule: r%d\n  desc: d\n  output: r%d %%fd.name %%fd.directory %%evt.res\n"
				      "  priority: WARNING\n  condition: evt.type in (open, openat, openat2, creat) and "
				      "(%s %s %s)\n",
				      r, r, c1, join, c2);
	}
	/* true of a path whose control byte is dropped, not of it as it came */
	static const char *const stripped[] = {"fd.name contains \"c/\"", "fd.name endswith \"/c\"",
					       "fd.directory endswith \"/c\""};
	for (int r = 0; r < 3; r++)
		n += (size_t)snprintf(y + n, cap - n,
				      "- rule: s%d\n  desc: d\n  output: s%d %%fd.name\n  priority: WARNING\n"
				      "  condition: evt.type in (open, openat) and %s\n",
				      r, r, stripped[r]);
	return y;
}

static struct rule_set *load(const char *yaml, int all)
{
	struct engine_rules_setup su;
	assert_int_equal(engine_rule_opts(NULL, NULL, &su), 0);
	su.lo.rule_matching_all = all;
	struct rule_loader *l = rule_loader_new(&su.lo);
	assert_non_null(l);
	assert_true(rule_loader_add_text(l, "gen.yaml", yaml, strlen(yaml)) >= 0);
	struct rule_set *rs = rule_loader_build(l);
	assert_non_null(rs);
	rule_loader_free(l);
	return rs;
}

/* One process with an fd table, one thread the capture never introduced. */
static void seed(struct engine *e)
{
	struct sk_meta *m = sk_meta_new();
	struct sk_meta_proc p = {0};
	p.tid = p.pid = 300;
	p.ptid = 1;
	p.comm = "python3";
	p.exe = "python3";
	p.exepath = "/usr/bin/python3";
	p.cwd = "/srv";
	p.loginuid = UINT32_MAX;
	sk_meta_add_proc(m, &p);
	engine_seed(e, m);
	sk_meta_free(m);
}

static uint16_t exit_type(const char *name)
{
	uint16_t t[8];
	size_t n = sk_event_types_by_name(name, t, 8);
	uint16_t best = 0;
	for (size_t i = 0; i < n; i++)
		if (sk_event_is_exit(t[i]) && (!best || sk_event_info(t[i])->nparams > sk_event_info(best)->nparams))
			best = t[i];
	assert_true(best != 0);
	return best;
}

struct run {
	struct engine e;
	char *out;
	size_t len;
	FILE *f;
};

static void run_start(struct run *r, const struct rule_set *rs, const struct engine_prep *prep)
{
	r->f = open_memstream(&r->out, &r->len);
	assert_non_null(r->f);
	struct engine_opts eo;
	engine_opts_from_config(NULL, &eo);
	eo.rules = rs;
	eo.out = r->f;
	eo.prep = prep;
	assert_int_equal(engine_init(&r->e, &eo), 0);
	seed(&r->e);
}

static void run_end(struct run *r)
{
	engine_fini(&r->e);
	fclose(r->f);
}

static void same_alerts(const struct run *plain, const struct run *other, int all, const char *what)
{
	if (plain->len == other->len && !memcmp(plain->out, other->out, plain->len))
		return;
	size_t k = 0;
	while (k < plain->len && k < other->len && plain->out[k] == other->out[k])
		k++;
	while (k > 0 && plain->out[k - 1] != '\n')
		k--;
	fail_msg("rule_matching %s: alerts differ from byte %zu:\nengine: %.200s\n%s: %.200s", all ? "all" : "first", k,
		 plain->out + k, what, other->out + k);
}

/* Opens (succeeding and failing, files and directories) and closes on
 * random paths, through an engine without answers prepared, one whose
 * answers come from the decode workers' hook (called here) and one that
 * works them out from the names the state resolved: the same alerts. */
static void test_prepared_equals_engine(void **state)
{
	(void)state;
	const uint16_t types[] = {exit_type("openat"), exit_type("open"), exit_type("creat"), exit_type("openat2")};
	const uint16_t close_t = exit_type("close");
	unsigned long opens = 0, given = 0, alerts = 0, resolved = 0, relative = 0;
	for (int all = 0; all <= 1; all++) {
		char *yaml = gen_rules(1234u + (unsigned)all);
		struct rule_set *rs = load(yaml, all);
		struct engine_prep *prep = engine_prep_new(rs);
		assert_non_null(prep); /* the open types read fd.name, fd.directory, fd.filename ahead */
		const struct skr_prepare *hook = engine_prep_hook(prep);
		void *w = hook->worker_new(hook->ctx);
		assert_non_null(w);
		/* own: no worker's words at all (a .scap), every answer worked
		 * out from the entry's resolved name */
		struct run plain, ahead, own;
		run_start(&plain, rs, NULL);
		run_start(&ahead, rs, prep);
		run_start(&own, rs, prep);
		unsigned seed = 77u + (unsigned)all;
		struct evb b;
		for (int i = 0; i < 8000; i++) {
			char path[256];
			random_path(path, sizeof(path), &seed);
			int fd = 3 + rand_r(&seed) % 20;
			int64_t tid = rand_r(&seed) % 8 ? 300 : 301;
			uint16_t t = types[rand_r(&seed) % 4];
			if (i % 3 == 2) {
				evb_start(&b, close_t, T0 + (uint64_t)i, tid);
				evb_int(&b, "res", 0);
				if (sk_event_param_index(close_t, "fd") >= 0)
					evb_int(&b, "fd", fd);
			} else {
				/* the return value is the first parameter, "fd" */
				evb_start(&b, t, T0 + (uint64_t)i, tid);
				evb_int(&b, "fd", rand_r(&seed) % 5 ? fd : -2);
				if (sk_event_param_index(t, "dirfd") >= 0)
					evb_int(&b, "dirfd", -100);
				evb_str(&b, "name", path);
				uint64_t flags = PPM_O_RDONLY | (rand_r(&seed) % 4 ? 0 : PPM_O_DIRECTORY);
				if (sk_event_param_index(t, "flags") >= 0)
					evb_int(&b, "flags", (int64_t)flags);
				evb_int(&b, "mode", 0);
				evb_int(&b, "dev", 0);
				evb_int(&b, "ino", 0);
				opens++;
			}
			const struct sk_event *ev = evb_done(&b);
			uint64_t words[SKR_PREP_MAX];
			uint32_t n = hook->event(w, ev, words);
			assert_true(n <= SKR_PREP_MAX);
			engine_process(&plain.e, ev);
			engine_process_prepared(&ahead.e, ev, words, n);
			engine_process(&own.e, ev);
			struct rule_given g[3];
			given += engine_prep_given(prep, &ahead.e, ev, words, n, g) > 0;
			uint64_t rw[SKR_PREP_MAX];
			if (engine_prep_resolved(prep, own.e.prep_own, &own.e, ev, rw, g) > 0) {
				resolved++;
				relative += path[0] != '/';
			}
		}
		alerts += plain.e.stats.alerts;
		run_end(&plain);
		run_end(&ahead);
		run_end(&own);
		same_alerts(&plain, &ahead, all, "prepared");
		same_alerts(&plain, &own, all, "resolved");
		free(plain.out);
		free(ahead.out);
		free(own.out);
		hook->worker_free(w);
		engine_prep_free(prep);
		rule_set_free(rs);
		free(yaml);
	}
	print_message("%lu opens, %lu with answers given, %lu resolved (%lu relative), %lu alerts\n", opens, given,
		      resolved, relative, alerts);
	/* most opens are on normal absolute paths, and the rules fire */
	assert_true(given > opens / 2);
	assert_true(resolved > given / 2);
	assert_true(relative > opens / 20);
	assert_true(alerts > opens / 10);
}

/* Rules that read neither field ahead: nothing to prepare. */
static void test_nothing_to_prepare(void **state)
{
	(void)state;
	struct rule_set *rs = load("- rule: x\n  desc: d\n  output: o\n  priority: WARNING\n"
				   "  condition: evt.type = openat and proc.name = foo\n",
				   0);
	assert_null(engine_prep_new(rs));
	assert_null(engine_prep_hook(NULL));
	rule_set_free(rs);
}

/* The worker's one-pass path test against the functions it stands for:
 * state_path_normal_len (open_exit), extract_printable_prefix (the fields)
 * and the directory part fd.directory takes, on every string of up to 5
 * bytes over an alphabet of the bytes that matter, and on long random ones
 * (the 8-byte word loop, and its slashes at every position of a word). */
static void check_scan(const char *p, size_t n)
{
	size_t dir = 0, got = engine_prep_path_scan(p, n, &dir);
	size_t normal = p[0] == '/' ? state_path_normal_len(p, 0) : SIZE_MAX;
	int want = normal == n && extract_printable_prefix(p, n) == n;
	if (!want) {
		if (got != SIZE_MAX)
			fail_msg("'%s' (%zu bytes) taken", p, n);
		return;
	}
	if (got != n)
		fail_msg("'%s' (%zu bytes) refused", p, n);
	size_t d = n;
	while (d > 0 && p[d - 1] != '/')
		d--;
	d = d > 1 ? d - 1 : 1;
	assert_int_equal(dir, d);
}

static void test_path_scan(void **state)
{
	(void)state;
	static const char alpha[] = {'/', '.', 'a', '\x01', '\x7f', (char)0x80, ' '};
	char p[80];
	size_t na = sizeof(alpha);
	for (size_t len = 1; len <= 5; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= na;
		for (size_t code = 0; code < total; code++) {
			size_t c = code;
			for (size_t i = 0; i < len; i++, c /= na)
				p[i] = alpha[c % na];
			p[len] = '\0';
			check_scan(p, len);
		}
	}
	unsigned seed = 7;
	static const char *const parts[] = {"a", "bc", "..", ".", "", "etc", "x.log", ".ssh", "d\x01", "..."};
	for (int round = 0; round < 200000; round++) {
		size_t n = 0;
		p[n++] = '/';
		int depth = rand_r(&seed) % 10;
		for (int i = 0; i < depth && n + 8 < sizeof(p); i++) {
			int k = rand_r(&seed) % (round % 4 ? 8 : 10);
			n += (size_t)snprintf(p + n, sizeof(p) - n, "%s%s", i ? "/" : "", parts[k]);
		}
		if (rand_r(&seed) % 8 == 0 && n + 1 < sizeof(p))
			p[n++] = '/';
		p[n] = '\0';
		check_scan(p, n);
	}
}

/* Rules on proc.name of every grouped kind (and on fd.name beside it), so
 * that the open types' index reads the proc.name group first; half of them
 * on openat only, so that the two types' groups answer differently. */
static const char *const pnames[] = {"python3", "sh", "bash", "sshd", "py\x01thon3", "cat", "make", "<NA>",
				     "kworker/0:1", "ba", "kworker/1:2"};
#define NPNAMES (sizeof(pnames) / sizeof(pnames[0]))

static char *gen_pname_rules(unsigned seed)
{
	static const char *const ops[] = {"=", "startswith", "endswith", "contains", "glob", "in", "pmatch"};
	size_t cap = 1 << 16, n = 0;
	char *y = malloc(cap);
	assert_non_null(y);
	for (int r = 0; r < 30; r++) {
		const char *v = pnames[rand_r(&seed) % NPNAMES], *w = pnames[rand_r(&seed) % NPNAMES];
		char vs[32], ws[32];
		snprintf(vs, sizeof(vs), "%s", v);
		snprintf(ws, sizeof(ws), "%s", w);
		strip_control(vs); /* as Falco keeps them */
		strip_control(ws);
		const char *op = ops[rand_r(&seed) % 7];
		char c[200];
		if (!strcmp(op, "in"))
			snprintf(c, sizeof(c), "proc.name in (%s, \"%s\")", vs, ws);
		else if (!strcmp(op, "pmatch"))
			snprintf(c, sizeof(c), "fd.name pmatch (/%s)", vs);
		else if (!strcmp(op, "glob"))
			snprintf(c, sizeof(c), "proc.name glob \"%c*\"", vs[0]);
		else
			snprintf(c, sizeof(c), "proc.name %s \"%.*s\"", op, (int)(strlen(vs) > 2 && r % 2 ? 2 : strlen(vs)),
				 r % 4 == 3 ? vs + strlen(vs) - 2 : vs);
		n += (size_t)snprintf(y + n, cap - n,
				      "- rule: p%d\n  desc: d\n  output: p%d %%proc.name %%fd.name\n"
				      "  priority: WARNING\n  condition: evt.type %s and %s%s%s\n",
				      r, r, r % 2 ? "in (open, openat)" : "= openat", r % 3 == 2 ? "not " : "", c,
				      r % 5 == 0 ? " and fd.name startswith /a" : "");
	}
	return y;
}

/* Opens by threads whose names change in place (as execve and prctl write
 * them: a shorter name leaves the longer one's bytes after its NUL), one
 * with a control byte and one the capture never introduced ("<NA>"),
 * through an engine whose proc.name answers come from engine_pname and
 * one whose rules fill the group: the same alerts. */
static void test_pname_equals_rules(void **state)
{
	(void)state;
	const uint16_t types[] = {exit_type("openat"), exit_type("open")};
	unsigned long alerts = 0;
	for (int all = 0; all <= 1; all++) {
		char *yaml = gen_pname_rules(99u + (unsigned)all);
		struct rule_set *rs = load(yaml, all);
		struct run given, filled;
		run_start(&given, rs, NULL);
		run_start(&filled, rs, NULL);
		assert_non_null(given.e.pname); /* the open types read proc.name ahead */
		/* one entry, which every name shares: the key decides each time */
		engine_pname_free(given.e.pname);
		given.e.pname = engine_pname_new(rs, 1u << (all * 2));
		assert_non_null(given.e.pname);
		engine_pname_free(filled.e.pname);
		filled.e.pname = NULL;
		struct sk_meta *m = sk_meta_new();
		for (int i = 0; i < 8; i++) {
			struct sk_meta_proc p = {0};
			p.tid = p.pid = 400 + i;
			p.ptid = 1;
			p.comm = pnames[i];
			p.exe = pnames[i];
			p.exepath = "/usr/bin/x";
			p.cwd = "/";
			p.loginuid = UINT32_MAX;
			sk_meta_add_proc(m, &p);
		}
		engine_seed(&given.e, m);
		engine_seed(&filled.e, m);
		sk_meta_free(m);
		unsigned seed = 5u + (unsigned)all;
		struct evb b;
		for (int i = 0; i < 6000; i++) {
			int64_t tid = rand_r(&seed) % 10 ? 400 + rand_r(&seed) % 8 : 999;
			if (i % 40 == 39) {
				/* a thread takes another name, in both states alike */
				int64_t who = 400 + rand_r(&seed) % 8;
				const char *nm = pnames[rand_r(&seed) % NPNAMES];
				struct state_thread *t1 = state_thread_get(given.e.st, who);
				struct state_thread *t2 = state_thread_get(filled.e.st, who);
				assert_non_null(t1);
				assert_non_null(t2);
				snprintf(t1->comm, sizeof(t1->comm), "%s", nm);
				snprintf(t2->comm, sizeof(t2->comm), "%s", nm);
			}
			char path[64];
			snprintf(path, sizeof(path), "/%s/%d", rand_r(&seed) % 2 ? "a" : "b", rand_r(&seed) % 4);
			uint16_t t = types[rand_r(&seed) % 2];
			evb_start(&b, t, T0 + (uint64_t)i, tid);
			evb_int(&b, "fd", 3 + rand_r(&seed) % 9);
			if (sk_event_param_index(t, "dirfd") >= 0)
				evb_int(&b, "dirfd", -100);
			evb_str(&b, "name", path);
			if (sk_event_param_index(t, "flags") >= 0)
				evb_int(&b, "flags", PPM_O_RDONLY);
			evb_int(&b, "mode", 0);
			evb_int(&b, "dev", 0);
			evb_int(&b, "ino", 0);
			const struct sk_event *ev = evb_done(&b);
			engine_process(&given.e, ev);
			engine_process(&filled.e, ev);
		}
		alerts += given.e.stats.alerts;
		run_end(&given);
		run_end(&filled);
		if (given.len != filled.len || memcmp(given.out, filled.out, given.len))
			fail_msg("rule_matching %s: the alerts differ", all ? "all" : "first");
		free(given.out);
		free(filled.out);
		rule_set_free(rs);
		free(yaml);
	}
	print_message("%lu alerts\n", alerts);
	assert_true(alerts > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pname_equals_rules),
		cmocka_unit_test(test_path_scan),
		cmocka_unit_test(test_prepared_equals_engine),
		cmocka_unit_test(test_nothing_to_prepare),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
