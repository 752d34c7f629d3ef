/* tests/test_config.c: the configuration tree: YAML loading, -o overrides (dotted paths, indexes, flow values), validation; the outputs' rate limiter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "replay/config/config.h"
#include "replay/outputs/outputs.h"
#include "replay/report/report.h"

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/saker-test-config.XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static const char yaml[] =
	"rules_files:\n"
	"  - /etc/saker/rules.d\n"
	"  - /etc/saker/saker_rules.local.yaml\n"
	"json_output: false\n"
	"file_output:\n"
	"  enabled: true\n"
	"  filename: /tmp/alerts.txt\n"
	"outputs:\n"
	"  rate: 0.5\n"
	"  max_burst: 10\n";

static void test_load_and_find(void **state)
{
	(void)state;
	char *path = write_tmp(yaml);
	struct config *c = config_new();
	assert_int_equal(config_load_file(c, path), 0);
	assert_int_equal(config_validate(c), 0);
	assert_string_equal(config_str(c, "file_output.filename"), "/tmp/alerts.txt");
	assert_int_equal(config_bool(c, "file_output.enabled", 0), 1);
	assert_int_equal(config_bool(c, "json_output", 1), 0);
	assert_int_equal(config_bool(c, "stdout_output.enabled", 1), 1); /* absent: default */
	assert_true(config_num(c, "outputs.rate", 0) == 0.5);
	assert_string_equal(config_str(c, "rules_files[1]"), "/etc/saker/saker_rules.local.yaml");
	assert_null(config_str(c, "rules_files[2]"));
	assert_null(config_str(c, "rules_files")); /* a list, not a scalar */
	const struct config_node *n = config_find(c, "file_output.enabled");
	assert_non_null(n);
	assert_int_equal(n->line, 6);
	assert_int_equal(n->col, 12);
	assert_string_equal(n->origin, path);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_overrides(void **state)
{
	(void)state;
	struct config *c = config_new();
	char *path = write_tmp(yaml);
	assert_int_equal(config_load_file(c, path), 0);
	assert_int_equal(config_override(c, "file_output.keep_alive=true"), 0);
	assert_int_equal(config_override(c, "file_output.filename=/var/log/x"), 0);
	assert_string_equal(config_str(c, "file_output.filename"), "/var/log/x");
	assert_int_equal(config_bool(c, "file_output.keep_alive", 0), 1);
	assert_int_equal(config_bool(c, "file_output.enabled", 0), 1); /* siblings kept */
	/* list: replace an item, append at the end, but no holes */
	assert_int_equal(config_override(c, "rules_files[0]=/a.yaml"), 0);
	assert_int_equal(config_override(c, "rules_files[2]=/c.yaml"), 0);
	assert_int_equal(config_override(c, "rules_files[9]=/z.yaml"), -1);
	assert_string_equal(config_str(c, "rules_files[0]"), "/a.yaml");
	assert_string_equal(config_str(c, "rules_files[2]"), "/c.yaml");
	/* a flow YAML value replaces the subtree */
	assert_int_equal(config_override(c, "program_output={enabled: true, program: 'cat >> /tmp/x'}"), 0);
	assert_string_equal(config_str(c, "program_output.program"), "cat >> /tmp/x");
	assert_int_equal(config_override(c, "rules_files=[/one.yaml, /two.yaml]"), 0);
	assert_string_equal(config_str(c, "rules_files[1]"), "/two.yaml");
	assert_null(config_str(c, "rules_files[2]"));
	/* new nested paths are created; \. is a literal dot */
	assert_int_equal(config_override(c, "http_output.url=http://127.0.0.1:2801/"), 0);
	assert_string_equal(config_str(c, "http_output.url"), "http://127.0.0.1:2801/");
	assert_int_equal(config_override(c, "a\\.b.c=1"), 0);
	assert_non_null(config_find(c, "a\\.b"));
	assert_null(config_find(c, "a"));
	assert_int_equal(config_override(c, "noequals"), -1);
	assert_int_equal(config_override(c, "=x"), -1);
	assert_int_equal(config_override(c, "x..y=1"), -1);
	config_free(c);
	unlink(path);
	free(path);
}

static void test_validation(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(config_override(c, "json_output=yes"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(config_override(c, "unknown_thing=1"), 0);
	assert_int_equal(config_validate(c), 0); /* warned, not an error */
	assert_int_equal(config_override(c, "json_output=perhaps"), 0);
	assert_int_equal(config_validate(c), -1);
	assert_int_equal(config_override(c, "json_output=true"), 0);
	assert_int_equal(config_override(c, "priority=loud"), 0);
	assert_int_equal(config_validate(c), -1);
	assert_int_equal(config_override(c, "priority=notice"), 0);
	assert_int_equal(config_override(c, "outputs.rate=fast"), 0);
	assert_int_equal(config_validate(c), -1);
	assert_int_equal(config_override(c, "outputs.rate=2"), 0);
	assert_int_equal(config_override(c, "file_output=[a]"), 0);
	assert_int_equal(config_validate(c), -1);
	assert_int_equal(config_override(c, "file_output.enabled=false"), 0);
	assert_int_equal(config_validate(c), 0);
	assert_int_equal(config_override(c, "http_output.url=https://x/"), 0);
	assert_int_equal(config_validate(c), -1); /* no TLS */
	assert_int_equal(config_override(c, "http_output.url=http://x/"), 0);
	assert_int_equal(config_override(c, "rules_file=/x.yaml"), 0);
	assert_int_equal(config_override(c, "rules_files=[/y.yaml]"), 0);
	assert_int_equal(config_validate(c), -1); /* both spellings */
	config_free(c);
}

static void test_bad_yaml(void **state)
{
	(void)state;
	char *path = write_tmp("json_output: [\n");
	struct config *c = config_new();
	assert_int_equal(config_load_file(c, path), -1);
	unlink(path);
	free(path);
	path = write_tmp("- a\n- b\n");
	assert_int_equal(config_load_file(c, path), -1);
	unlink(path);
	free(path);
	assert_int_equal(config_load_file(c, "/nonexistent/saker.yaml"), -1);
	config_free(c);
}

static void test_rate_limit(void **state)
{
	(void)state;
	char path[] = "/tmp/saker-test-out.XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	struct config *c = config_new();
	char kv[128];
	snprintf(kv, sizeof(kv), "file_output={enabled: true, filename: %s}", path);
	assert_int_equal(config_override(c, kv), 0);
	assert_int_equal(config_override(c, "stdout_output.enabled=false"), 0);
	assert_int_equal(config_override(c, "outputs.rate=1"), 0);
	assert_int_equal(config_override(c, "outputs.max_burst=2"), 0);
	struct output_set *o = output_set_open(c, stdout, 0);
	assert_non_null(o);
	/* 5 alerts in the same second: the burst of 2 passes; 1 s later one more token */
	for (int i = 0; i < 5; i++) {
		struct output_alert a = {.ts = 1000000000ull + (uint64_t)i, .priority = 4, .line = "x", .len = 1};
		output_set_emit(o, &a);
	}
	struct output_alert late = {.ts = 2000000010ull, .priority = 4, .line = "y", .len = 1};
	output_set_emit(o, &late);
	assert_int_equal(output_set_throttled(o), 3);
	output_set_close(o);
	FILE *f = fopen(path, "r");
	char buf[64] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, "x\nx\ny\n");
	unlink(path);
	config_free(c);
}

static void test_report_kind(void **state)
{
	(void)state;
	assert_int_equal(report_kind("/tmp/r.html"), REPORT_HTML);
	assert_int_equal(report_kind("R.HTM"), REPORT_HTML);
	assert_int_equal(report_kind("r.json"), REPORT_JSON);
	assert_int_equal(report_kind("r.txt"), 0);
	assert_int_equal(report_kind(".json"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_find), cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_validation),    cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_rate_limit),    cmocka_unit_test(test_report_kind),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
