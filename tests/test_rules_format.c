/* tests/test_rules_format.c: output formats (tokens, widths, <NA>, lists), output_fields JSON, value text, standalone filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tests/helpers/rules_fake.h"

static void ev_init(struct fake_ev *e)
{
	memset(e, 0, sizeof(*e));
	e->str[F_PROC_NAME] = "cat";
	e->str[F_PROC_PNAME] = "bash";
	e->str[F_FD_NAME] = "/etc/shadow";
	e->has_num[F_USER_UID] = 1;
	e->num[F_USER_UID] = 0;
	e->anc[0] = "bash";
}

static void render(const char *fmt, struct fake_ev *e, const char *want, const char *want_json)
{
	char err[256], buf[512];
	struct rule_format *f = rule_format_compile(&fake_reg, fmt, err, sizeof(err));
	if (!f)
		fail_msg("format '%s' failed: %s", fmt, err);
	size_t n = rule_format_render(f, fake_extract, e, buf, sizeof(buf));
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	if (want_json) {
		rule_format_render_json_fields(f, fake_extract, e, buf, sizeof(buf));
		assert_string_equal(buf, want_json);
	}
	rule_format_free(f);
}

static void format_err(const char *fmt, const char *want)
{
	char err[256];
	struct rule_format *f = rule_format_compile(&fake_reg, fmt, err, sizeof(err));
	if (f) {
		rule_format_free(f);
		fail_msg("format '%s' compiled but should not", fmt);
	}
	if (strncmp(err, want, strlen(want)) != 0)
		fail_msg("format '%s': got '%s', expected '%s'", fmt, err, want);
}

static void test_format_basic(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	render("Shadow read (file=%fd.name proc=%proc.name uid=%user.uid parent=%proc.aname[1] gp=%proc.aname[2])", &e,
	       "Shadow read (file=/etc/shadow proc=cat uid=0 parent=bash gp=<NA>)",
	       "{\"fd.name\":\"/etc/shadow\",\"proc.aname[1]\":\"bash\",\"proc.aname[2]\":null,\"proc.name\":\"cat\","
	       "\"user.uid\":0}");
	/* longest match: ')' and a trailing '.' are not part of the token */
	render("x %proc.name) %proc.name. %proc.name.x", &e, "x cat) cat. cat.x", "{\"proc.name\":\"cat\"}");
	/* widths pad on the right and truncate */
	render("[%6proc.name][%2fd.name]", &e, "[cat   ][/e]", NULL);
	/* missing value */
	e.str[F_PROC_PNAME] = NULL;
	render("p=%proc.pname", &e, "p=<NA>", "{\"proc.pname\":null}");
	/* leading '*' is the allow-partial flag, eaten */
	render("*a %proc.name", &e, "a cat", NULL);
	render("no fields", &e, "no fields", "{}");
	render("", &e, "", "{}");
	/* unindexed ancestor field prints the process's own value */
	render("%proc.aname", &e, "cat", "{\"proc.aname\":\"cat\"}");
	/* quotes and other text are literal */
	render("'%proc.name' \"x\"", &e, "'cat' \"x\"", NULL);
}

static void test_format_errors(void **state)
{
	(void)state;
	format_err("usage 100%", "unknown filter:");
	format_err("%%", "unknown filter:");
	format_err("%d", "unknown filter:");
	format_err("a %proc.nobody", "unknown filter:");
	format_err("%fd.net", "field 'fd.net' can only be used in conditions");
	format_err("%evt.arg.nosuch", "unknown filter:");
}

static void test_format_types(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.types[0] = "ipv4";
	e.types[1] = "file";
	e.ntypes = 2;
	e.has_ip = 1;
	e.ip[0] = 192; e.ip[1] = 168; e.ip[2] = 0; e.ip[3] = 1;
	e.has_num[F_IS_OPEN_READ] = 1;
	e.num[F_IS_OPEN_READ] = 1;
	e.has_num[F_PROC_PID] = 1;
	e.num[F_PROC_PID] = -5;
	e.args[0] = "O_RDONLY";
	e.str[F_PROC_CMDLINE] = "say \"hi\"\\\n\x01/";
	render("%fd.types %fd.ip %evt.is_open_read %proc.pid %evt.arg.flags", &e,
	       "(ipv4,file) 192.168.0.1 true -5 O_RDONLY",
	       "{\"evt.arg.flags\":\"O_RDONLY\",\"evt.is_open_read\":true,\"fd.ip\":\"192.168.0.1\","
	       "\"fd.types\":[\"ipv4\",\"file\"],\"proc.pid\":-5}");
	render("%proc.cmdline", &e, "say \"hi\"\\\n\x01/", "{\"proc.cmdline\":\"say \\\"hi\\\"\\\\\\n\\u0001/\"}");
	/* transformers render but are left out of output_fields */
	render("%toupper(proc.name) %proc.name %len(fd.name)", &e, "CAT cat 11", "{\"proc.name\":\"cat\"}");
	e.ntypes = 0;
	render("%fd.types", &e, "<NA>", "{\"fd.types\":null}");
}

static void test_json_extra_key(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	char err[128], buf[256];
	struct rule_format *f = rule_format_compile(&fake_reg, "%proc.name %fd.name %user.uid", err, sizeof(err));
	assert_non_null(f);
	rule_format_render_json_fields_with(f, fake_extract, &e, "evt.time", "1700000000123456789", buf, sizeof(buf));
	assert_string_equal(buf, "{\"evt.time\":1700000000123456789,\"fd.name\":\"/etc/shadow\",\"proc.name\":\"cat\","
				 "\"user.uid\":0}");
	rule_format_render_json_fields_with(f, fake_extract, &e, "zz", "1", buf, sizeof(buf));
	assert_string_equal(buf, "{\"fd.name\":\"/etc/shadow\",\"proc.name\":\"cat\",\"user.uid\":0,\"zz\":1}");
	/* truncation keeps the buffer terminated */
	size_t n = rule_format_render(f, fake_extract, &e, buf, 5);
	assert_int_equal(n, 4);
	assert_string_equal(buf, "cat ");
	rule_format_free(f);
}

static void test_value_text(void **state)
{
	(void)state;
	char buf[64];
	struct rule_value v = {0};
	v.type = RF_UINT64;
	v.v.u = 18446744073709551615ull;
	rule_value_to_text(&v, buf, sizeof(buf));
	assert_string_equal(buf, "18446744073709551615");
	v.type = RF_BOOL;
	v.v.i = 0;
	rule_value_to_text(&v, buf, sizeof(buf));
	assert_string_equal(buf, "false");
	v.type = RF_IPADDR;
	v.ipv6 = 1;
	memset(v.v.ip, 0, 16);
	v.v.ip[15] = 1;
	rule_value_to_text(&v, buf, sizeof(buf));
	assert_string_equal(buf, "::1");
	v.type = RF_DOUBLE;
	v.ipv6 = 0;
	v.v.d = 2.25;
	rule_value_to_text(&v, buf, sizeof(buf));
	assert_string_equal(buf, "2.2");
	v.type = RF_STRING;
	v.v.s = "abcdef";
	v.len = 6;
	assert_int_equal(rule_value_to_text(&v, buf, 4), 6);
	assert_string_equal(buf, "abc");
}

static void free_diags(struct rule_diag_list *dl)
{
	for (size_t i = 0; i < dl->n; i++)
		free(dl->v[i].message);
	free(dl->v);
	memset(dl, 0, sizeof(*dl));
}

static void test_filter(void **state)
{
	(void)state;
	struct rule_diag_list dl = {0};
	struct fake_ev e;
	ev_init(&e);
	struct rule_filter *f = rule_filter_compile(&fake_reg, "evt.type = open and proc.name = cat", &dl);
	assert_non_null(f);
	assert_int_equal(dl.n, 0);
	assert_int_equal(rule_filter_eval(f, 0, fake_extract, &e), 1);
	assert_int_equal(rule_filter_eval(f, 1, fake_extract, &e), 0);
	rule_filter_free(f);
	assert_null(rule_filter_compile(&fake_reg, "proc.name = cat and", &dl));
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, LOAD_ERR_COMPILE_CONDITION);
	free_diags(&dl);
	assert_null(rule_filter_compile(&fake_reg, "some_macro", &dl));
	assert_int_equal(dl.n, 1);
	assert_string_equal(dl.v[0].message, "Undefined macro 'some_macro' used in filter.");
	free_diags(&dl);
	f = rule_filter_compile(&fake_reg, "proc.name = proc.pname", &dl);
	assert_non_null(f);
	assert_int_equal(dl.n, 1);
	assert_int_equal(dl.v[0].code, LOAD_COMPILE_CONDITION);
	rule_filter_free(f);
	free_diags(&dl);
}

/* sysdig -p semantics: the missing values are counted; '*' is remembered. */
static void test_missing_values(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	char err[256], buf[256];
	size_t missing = 99;
	struct rule_format *f = rule_format_compile(&fake_reg, "%proc.name %proc.aname[2] %fd.name %proc.aname[3]",
						    err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(rule_format_partial(f), 0);
	rule_format_render_counted(f, fake_extract, &e, buf, sizeof(buf), &missing);
	assert_string_equal(buf, "cat <NA> /etc/shadow <NA>");
	assert_int_equal(missing, 2);
	rule_format_free(f);
	f = rule_format_compile(&fake_reg, "*%proc.name %fd.name", err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(rule_format_partial(f), 1);
	rule_format_render_counted(f, fake_extract, &e, buf, sizeof(buf), &missing);
	assert_string_equal(buf, "cat /etc/shadow");
	assert_int_equal(missing, 0);
	rule_format_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_format_basic),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_format_types),
		cmocka_unit_test(test_json_extra_key),
		cmocka_unit_test(test_value_text),
		cmocka_unit_test(test_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
