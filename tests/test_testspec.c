/* tests/test_testspec.c: `saker-replay test` runner: spec parsing, expectations, decode-once cache, JUnit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "replay/regress/regress.h"
#include "tests/helpers/skr_synth.h"

struct fixture {
	char dir[64];
	char path[256];
};

static const char *in_dir(struct fixture *f, const char *name)
{
	snprintf(f->path, sizeof(f->path), "%s/%s", f->dir, name);
	return f->path;
}

static void write_file(struct fixture *f, const char *name, const char *text)
{
	FILE *o = fopen(in_dir(f, name), "w");
	assert_non_null(o);
	fputs(text, o);
	fclose(o);
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static const char *RULES =
	"- rule: shadow read\n"
	"  desc: a process opened /etc/shadow\n"
	"  condition: evt.type=openat and fd.name=/etc/shadow\n"
	"  output: shadow opened by %proc.name (file=%fd.name)\n"
	"  priority: WARNING\n"
	"  tags: [t1]\n"
	"- rule: tmp write\n"
	"  desc: a process opened something below /tmp\n"
	"  condition: evt.type=openat and fd.name startswith /tmp/\n"
	"  output: tmp file %fd.name opened by %proc.name\n"
	"  priority: NOTICE\n";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/saker-testspec.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	static const struct skr_synth_open opens[] = {
		{ 1700000000000000000ull, 100, "cat", 3, "/etc/shadow" },
		{ 1700000000000001000ull, 101, "sh", 4, "/tmp/a" },
		{ 1700000000000002000ull, 101, "sh", 5, "/tmp/b" },
		{ 1700000000000003000ull, 100, "cat", 6, "/etc/hosts" },
	};
	char err[256];
	if (skr_synth_opens(in_dir(f, "c.skr"), opens, 4, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	write_file(f, "rules.yaml", RULES);
	write_file(f, "bad_rules.yaml", "- rule: broken\n  desc: x\n  condition: evt.type=openat and\n"
					 "  output: x\n  priority: INFO\n");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	const char *names[] = {"c.skr", "rules.yaml", "bad_rules.yaml", "spec.yaml", "junit.xml"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(in_dir(f, names[i]));
	rmdir(f->dir);
	free(f);
	return 0;
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Loads spec text (paths relative to the fixture directory), runs every
 * case; runs each again with one rules cache shared by all of them (as a
 * worker of `saker-replay test` does) and checks that it gives the same
 * result, output and differences: cases that change options, selections
 * or files must not get another case's rules. */
static void run_spec(struct fixture *f, const char *spec, struct regress_suite *s, struct regress_result **res)
{
	write_file(f, "spec.yaml", spec);
	char err[512];
	memset(s, 0, sizeof(*s));
	int rc = regress_suite_load(s, in_dir(f, "spec.yaml"), err, sizeof(err));
	if (rc < 0)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(rc, 0);
	struct regress_cache *c = regress_cache_new();
	regress_cache_fill(c, s, 2);
	*res = calloc(s->n + 1, sizeof(**res));
	struct regress_rules_cache *rules = regress_rules_cache_new();
	assert_non_null(rules);
	for (size_t i = 0; i < s->n; i++) {
		regress_case_run(&s->cases[i], c, &(*res)[i]);
		struct regress_result again;
		regress_case_run_cached(&s->cases[i], c, rules, &again, NULL);
		const struct regress_result *a = &(*res)[i];
		if (again.status != a->status || !same_text(again.first, a->first) ||
		    !same_text(again.details, a->details) || !same_text(again.output, a->output))
			fail_msg("case '%s': with the rules cache: status %d '%s', without: %d '%s'", s->cases[i].name,
				 again.status, again.first ? again.first : "", a->status, a->first ? a->first : "");
		regress_result_free(&again);
	}
	regress_rules_cache_free(rules);
	regress_cache_free(c);
}

static void free_run(struct regress_suite *s, struct regress_result *res)
{
	for (size_t i = 0; i < s->n; i++)
		regress_result_free(&res[i]);
	free(res);
	regress_suite_free(s);
}

static void test_expectations_pass(void **state)
{
	struct fixture *f = *state;
	struct regress_suite s;
	struct regress_result *r;
	run_spec(f,
		 "defaults:\n  rules: rules.yaml\n  capture: c.skr\n  options: {suggested_output: false}\n"
		 "cases:\n"
		 "  - name: counts\n"
		 "    expect:\n"
		 "      alerts: 3\n"
		 "      rules: {shadow read: 1, tmp write: {min: 2, max: 2}}\n"
		 "      priorities: {warning: 1, notice: 2}\n"
		 "      output_contains: shadow opened by cat (file=/etc/shadow)\n"
		 "      output_not_contains: /etc/hosts\n"
		 "      output_matches: ['tmp file /tmp/[ab] opened by sh$']\n"
		 "      output_lines_in_order: [tmp file /tmp/a, tmp file /tmp/b]\n"
		 "  - name: min priority drops notice rules\n"
		 "    min_priority: warning\n"
		 "    expect: {fire: [shadow read], not_fire: [tmp write]}\n"
		 "  - name: tag selection\n"
		 "    run_tags: [t1]\n"
		 "    expect: {alerts: 1, rules: {tmp write: 0}}\n"
		 "  - name: disable by glob\n"
		 "    disable_rules: ['shadow*']\n"
		 "    expect: {rules: {shadow read: 0, tmp write: 2}}\n"
		 "  - name: json\n"
		 "    options: {json_output: true}\n"
		 "    expect: {json_keys: [time, rule, priority, output, tags], output_contains: '\"rule\":\"tmp write\"'}\n"
		 "  - name: load failure expected\n"
		 "    rules: bad_rules.yaml\n"
		 "    expect:\n"
		 "      errors: [{code: LOAD_ERR_COMPILE_CONDITION, item_type: rule, item_name: broken}]\n"
		 "  - name: skipped\n"
		 "    skip: not today\n",
		 &s, &r);
	assert_int_equal(s.n, 7);
	for (size_t i = 0; i < 6; i++) {
		if (r[i].status != REGRESS_PASS)
			fprintf(stderr, "%s: %s\n", s.cases[i].name, r[i].details);
		assert_int_equal(r[i].status, REGRESS_PASS);
	}
	assert_int_equal(r[6].status, REGRESS_SKIP);
	assert_string_equal(r[6].first, "not today");
	free_run(&s, r);
}

static void test_expectations_fail(void **state)
{
	struct fixture *f = *state;
	struct regress_suite s;
	struct regress_result *r;
	run_spec(f,
		 "cases:\n"
		 "  - {name: exact, rules: rules.yaml, capture: c.skr, expect: {rules: {shadow read: 2}}}\n"
		 "  - {name: must not fire, rules: rules.yaml, capture: c.skr, expect: {not_fire: [tmp write]}}\n"
		 "  - {name: unknown rule, rules: rules.yaml, capture: c.skr, expect: {fire: [no such]}}\n"
		 "  - {name: priority, rules: rules.yaml, capture: c.skr, expect: {priorities: [error]}}\n"
		 "  - {name: text, rules: rules.yaml, capture: c.skr, expect: {output_contains: [nothing like it]}}\n"
		 "  - {name: order, rules: rules.yaml, capture: c.skr,\n"
		 "     expect: {output_lines_in_order: [tmp file /tmp/b, tmp file /tmp/a]}}\n"
		 "  - {name: load ok expected, rules: bad_rules.yaml, capture: c.skr, expect: {alerts: 0}}\n"
		 "  - {name: load fail expected, rules: rules.yaml, expect: {load: fail}}\n"
		 "  - {name: conflict, rules: rules.yaml, disable_tags: [a], run_tags: [b], capture: c.skr,\n"
		 "     expect: {alerts: 0}}\n"
		 "  - {name: missing capture, rules: rules.yaml, capture: nope.skr, expect: {alerts: 0}}\n",
		 &s, &r);
	static const char *const first[] = {
		"rule 'shadow read': expected 2, got 1",
		"rule 'tmp write': expected 0, got 2",
		"rule 'no such': expected at least 1, got 0 (no such rule)",
		"priority ERROR: expected at least 1, got 0",
		"output: expected to contain 'nothing like it'",
		"output: line 2 of 2 not found in order: 'tmp file /tmp/a'",
		NULL, /* the loader's message */
		"load: expected failure, got ok",
		"load: expected ok, got error 'Error: You can not specify both disabled (-D/-T) and enabled (-t) rules'",
		NULL, /* the source's message */
	};
	assert_int_equal(s.n, 10);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(r[i].status, REGRESS_FAIL);
		if (first[i])
			assert_string_equal(r[i].first, first[i]);
	}
	assert_non_null(strstr(r[6].first, "load: expected ok, got error"));
	assert_non_null(strstr(r[9].first, "nope.skr"));
	free_run(&s, r);
}

static void test_spec_errors(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "cases:\n  - name: x\n    rules: rules.yaml\n    colour: blue\n", "spec.yaml:4:5: unknown case key 'colour'" },
		{ "cases:\n  - name: x\n    expect: {alerts: 1}\n", "spec.yaml:2:5: case 'x' names no rules files" },
		{ "cases:\n  - {name: x, rules: r, expect: {alerts: many}}\n", "expected a non-negative number, got 'many'" },
		{ "cases:\n  - {name: x, rules: r, expect: {priorities: [loud]}}\n", "unknown priority 'loud'" },
		{ "cases: [\n", "spec.yaml:" },
		{ "hello: 1\n", "unknown top-level key 'hello'" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(f, "spec.yaml", bad[i].text);
		struct regress_suite s = { 0 };
		char err[512];
		assert_int_equal(regress_suite_load(&s, in_dir(f, "spec.yaml"), err, sizeof(err)), -1);
		if (!strstr(err, bad[i].msg))
			fprintf(stderr, "got: %s\n", err);
		assert_non_null(strstr(err, bad[i].msg));
		regress_suite_free(&s);
	}
}

/* Writes and loads spec text into s; its captures decoded on one thread. */
static struct regress_cache *load_decoded(struct fixture *f, const char *spec, struct regress_suite *s)
{
	char err[512];
	write_file(f, "spec.yaml", spec);
	memset(s, 0, sizeof(*s));
	if (regress_suite_load(s, in_dir(f, "spec.yaml"), err, sizeof(err)) < 0)
		fail_msg("%s", err);
	struct regress_cache *c = regress_cache_new();
	assert_non_null(c);
	regress_cache_fill(c, s, 1);
	return c;
}

/* Cases sharing a capture decode it once: the run still works after the file is gone. */
static void test_decode_once(void **state)
{
	struct fixture *f = *state;
	static const struct skr_synth_open opens[] = { { 1700000000000000000ull, 7, "cat", 3, "/etc/shadow" } };
	char err[256];
	assert_int_equal(skr_synth_opens(in_dir(f, "once.skr"), opens, 1, err, sizeof(err)), 0);
	struct regress_suite s;
	struct regress_cache *c = load_decoded(f,
		"defaults: {rules: rules.yaml, captures: [once.skr, c.skr]}\n"
		"cases:\n  - {name: a, expect: {rules: {shadow read: 2}}}\n"
		"  - {name: b, expect: {alerts: 4}}\n  - {name: c, legacy_enter_events: true, expect: {alerts: 4}}\n",
		&s);
	/* two files x two enter-event modes */
	assert_int_equal(regress_cache_count(c), 4);
	unlink(in_dir(f, "once.skr"));
	for (size_t i = 0; i < s.n; i++) {
		struct regress_result r;
		regress_case_run(&s.cases[i], c, &r);
		if (r.status != REGRESS_PASS)
			fprintf(stderr, "%s: %s\n", s.cases[i].name, r.details);
		assert_int_equal(r.status, REGRESS_PASS);
		regress_result_free(&r);
	}
	regress_cache_free(c);
	regress_suite_free(&s);
}

/* A rules file rewritten between two cases is loaded again, also when
 * only its bytes changed: the cache keys on each file's size, time and
 * CRC (a directory's on its entries'). */
static void test_rules_cache_reloads_changed_files(void **state)
{
	struct fixture *f = *state;
	char err[512];
	struct regress_suite s;
	struct regress_cache *c = load_decoded(f,
		"defaults: {rules: rules.yaml, capture: c.skr}\n"
		"cases:\n  - {name: before, expect: {rules: {shadow read: 1}}}\n"
		"  - {name: after, expect: {rules: {shadow read: 0, shadow opened: 1}}}\n",
		&s);
	struct regress_rules_cache *rc = regress_rules_cache_new();
	struct regress_result r;
	regress_case_run_cached(&s.cases[0], c, rc, &r, NULL);
	assert_int_equal(r.status, REGRESS_PASS);
	regress_result_free(&r);
	/* the same length, so only the inode or the time tells */
	char *text = strdup(RULES);
	memcpy(strstr(text, "shadow read"), "shadow opnd", 11);
	write_file(f, "rules.yaml", text);
	regress_case_run_cached(&s.cases[1], c, rc, &r, NULL);
	/* "shadow opnd" does not match "shadow opened": the new file loaded */
	assert_int_equal(r.status, REGRESS_FAIL);
	assert_string_equal(r.first, "rule 'shadow opened': expected 1, got 0 (no such rule)");
	regress_result_free(&r);
	regress_case_run_cached(&s.cases[0], c, rc, &r, NULL);
	assert_int_equal(r.status, REGRESS_FAIL);
	assert_string_equal(r.first, "rule 'shadow read': expected 1, got 0 (no such rule)");
	regress_result_free(&r);
	write_file(f, "rules.yaml", RULES);
	regress_case_run_cached(&s.cases[0], c, rc, &r, NULL);
	assert_int_equal(r.status, REGRESS_PASS);
	regress_result_free(&r);
	regress_suite_free(&s);

	/* a rules directory: a file in it rewritten */
	assert_int_equal(mkdir(in_dir(f, "rd"), 0700), 0);
	write_file(f, "rd/r.yaml", RULES);
	write_file(f, "spec.yaml", "cases:\n  - {name: dir, rules: rd, capture: c.skr, expect: {rules: {shadow read: 1}}}\n");
	memset(&s, 0, sizeof(s));
	assert_int_equal(regress_suite_load(&s, in_dir(f, "spec.yaml"), err, sizeof(err)), 0);
	regress_case_run_cached(&s.cases[0], c, rc, &r, NULL);
	assert_int_equal(r.status, REGRESS_PASS);
	regress_result_free(&r);
	write_file(f, "rd/r.yaml", text);
	regress_case_run_cached(&s.cases[0], c, rc, &r, NULL);
	assert_int_equal(r.status, REGRESS_FAIL);
	regress_result_free(&r);
	unlink(in_dir(f, "rd/r.yaml"));
	rmdir(in_dir(f, "rd"));
	free(text);
	regress_rules_cache_free(rc);
	regress_cache_free(c);
	regress_suite_free(&s);
}

static void test_junit(void **state)
{
	struct fixture *f = *state;
	struct regress_suite s;
	struct regress_result *r;
	run_spec(f,
		 "defaults: {rules: rules.yaml, capture: c.skr}\n"
		 "cases:\n  - {name: 'a <b> & \"c\"', expect: {alerts: 3}}\n"
		 "  - {name: fails, expect: {output_contains: '<&>'}}\n  - {name: s, skip: 'why <not>'}\n",
		 &s, &r);
	assert_int_equal(regress_junit_write(in_dir(f, "junit.xml"), &s, r, 0.5), 0);
	char *x = read_file(f->path);
	assert_non_null(x);
	assert_non_null(strstr(x, "<testsuite name=\"saker-replay test\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\""));
	assert_non_null(strstr(x, "name=\"a &lt;b&gt; &amp; &quot;c&quot;\""));
	assert_non_null(strstr(x, "<failure message=\"output: expected to contain &apos;&lt;&amp;&gt;&apos;\""));
	assert_non_null(strstr(x, "<skipped message=\"why &lt;not&gt;\"/>"));
	assert_null(strstr(x, "<&>"));
	free(x);
	free_run(&s, r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expectations_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expectations_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spec_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_decode_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_cache_reloads_changed_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
