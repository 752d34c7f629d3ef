/* tests/test_cli.c: saker-replay's option table: values, lists, flags, overrides, trailing filters and refused combinations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/config/config.h"
#include "replay/replay.h"

/* Parses the words after "saker-replay" with an empty configuration file. */
static int parse(struct replay_opts *o, const char *words[], size_t n)
{
	char *argv[64];
	int argc = 0;
	argv[argc++] = "saker-replay";
	argv[argc++] = "-c";
	argv[argc++] = "/dev/null";
	for (size_t i = 0; i < n; i++)
		argv[argc++] = (char *)words[i];
	argv[argc] = NULL;
	return replay_cli_parse(argc, argv, o);
}

#define PARSE(o, ...) parse(o, (const char *[]){__VA_ARGS__}, sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *))

static void test_values_lists_flags(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "-r", "a.yaml", "-r", "b.yaml", "-e", "x.skr", "-e", "-", "-L", "-U", "-v",
			       "--no-progress", "--print", "%evt.num", "--print-internal", "-p", "extra", "-M", "2.5", "-A", "-pc",
			       "--legacy-enter-events", "-T", "net", "-D", "Shell", "--no-summary"), 0);
	assert_int_equal(o.nrules, 2);
	assert_string_equal(o.rules[0], "a.yaml");
	assert_string_equal(o.rules[1], "b.yaml");
	assert_int_equal(o.ncaptures, 2);
	assert_string_equal(o.captures[1], "-");
	assert_true(o.list_rules && o.unbuffered && o.verbose && o.quiet_summary && o.legacy_enter_events);
	assert_int_equal(o.progress, -1);
	assert_string_equal(o.print_format, "%evt.num");
	assert_true(o.print_internal);
	assert_string_equal(o.append_format, "extra");
	assert_true(o.max_seconds > 2.4 && o.max_seconds < 2.6);
	assert_int_equal(o.ndisable_tag, 1);
	assert_string_equal(o.disable_substr[0], "Shell");
	replay_opts_free(&o);
}

static void test_decode_threads(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "-e", "x.skr"), 0);
	assert_false(o.decode_threads_set); /* automatic */
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--decode-threads", "0"), 0);
	assert_true(o.decode_threads_set);
	assert_int_equal(o.decode_threads, 0);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--decode-threads", "3"), 0);
	assert_int_equal(o.decode_threads, 3);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--decode-threads", "9"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--decode-threads", "two"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--decode-threads", ""), -1);
	replay_opts_free(&o);
}

static void test_overrides_and_filter_words(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "-e", "x.skr", "--json", "--min-priority", "warning", "-o", "json_output_layout=legacy",
			       "proc.name=sh", "and", "evt.type=execve"), 0);
	assert_int_equal(o.noverrides, 3);
	assert_string_equal(o.overrides[0], "json_output=true");
	assert_string_equal(o.overrides[1], "priority=warning");
	assert_string_equal(o.overrides[2], "json_output_layout=legacy");
	assert_string_equal(config_str(o.config.cfg, "priority"), "warning");
	assert_int_equal(o.nfilter_args, 3);
	assert_string_equal(o.filter_args[2], "evt.type=execve");
	replay_opts_free(&o);
}

static void test_list_optional_value(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "--list", "syscall"), 0);
	assert_true(o.list_fields);
	assert_string_equal(o.list_source, "syscall");
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "--list", "-r", "x.yaml"), 0);
	assert_null(o.list_source);
	assert_int_equal(o.nrules, 1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-N"), 0);
	assert_true(o.list_fields && o.names_only);
	replay_opts_free(&o);
}

static void test_conversion_window(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "-e", "in.scap", "-w", "out.skr", "-f", "--from", "1000", "--to",
			       "1970-01-01T00:00:02Z"), 0);
	assert_true(o.force && o.have_from && o.have_to);
	assert_int_equal(o.from_ns, 1000);
	assert_int_equal(o.to_ns, 2000000000ull);
	replay_opts_free(&o);
}

static void test_refused(void **state)
{
	(void)state;
	struct replay_opts o;
	assert_int_equal(PARSE(&o, "-r"), -1);                         /* needs a value */
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "--bogus"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-o", "=x"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-M", "-1"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "--from", "yesterday", "-w", "x.skr", "-e", "y.skr"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "--live", "-e", "x.skr"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "--user", "nobody", "-e", "x.skr"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.skr", "-f"), -1);          /* -f only with -w */
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "a.skr", "-e", "b.skr", "-w", "c.skr"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "a.skr", "-w", "c.skr", "--from", "2", "--to", "1"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-r", "a.yaml", "-T", "x", "-t", "y"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-r", "a.yaml", "-e", "x.skr", "--report", "r.txt"), -1);
	replay_opts_free(&o);
	assert_int_equal(PARSE(&o, "-e", "x.scap", "--print-internal"), -1); /* only with --print */
	replay_opts_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_lists_flags),
		cmocka_unit_test(test_decode_threads),
		cmocka_unit_test(test_overrides_and_filter_words),
		cmocka_unit_test(test_list_optional_value),
		cmocka_unit_test(test_conversion_window),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
