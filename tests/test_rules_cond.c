/* tests/test_rules_cond.c: condition language: parsing, errors, compilation, evaluation semantics, event-type sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rules/cond.h"
#include "rules/cond_int.h"
#include "tests/helpers/rules_fake.h"

static void ev_init(struct fake_ev *e)
{
	memset(e, 0, sizeof(*e));
	e->type = 0; /* open */
	e->str[F_PROC_NAME] = "cat";
	e->str[F_PROC_PNAME] = "bash";
	e->str[F_FD_NAME] = "/etc/shadow";
	e->str[F_PROC_CMDLINE] = "cat /etc/shadow";
	e->has_num[F_PROC_PID] = 1;
	e->num[F_PROC_PID] = 1234;
	e->has_num[F_FD_SPORT] = 1;
	e->num[F_FD_SPORT] = 80;
	e->has_num[F_USER_UID] = 1;
	e->num[F_USER_UID] = 0;
	e->has_num[F_IS_OPEN_READ] = 1;
	e->num[F_IS_OPEN_READ] = 1;
	e->anc[0] = "bash";
	e->anc[1] = "sshd";
	e->anc[2] = "systemd";
}

/* Compiles cond, which must succeed. */
static struct cond_compiled *compile_ok(const char *cond)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	if (!n)
		fail_msg("parse of '%s' failed: %s at %d", cond, err.msg, err.offset);
	struct cond_warnings w;
	int unknown;
	struct cond_compiled *c = cond_compile(n, &fake_reg, &w, &unknown, &err);
	cond_free(n);
	if (!c)
		fail_msg("compile of '%s' failed: %s", cond, err.msg);
	return c;
}

/* Compiles cond (must succeed) and evaluates it on e. */
static int run(const char *cond, struct fake_ev *e)
{
	struct cond_compiled *c = compile_ok(cond);
	int r = cond_eval(c, e->type, fake_extract, e);
	cond_compiled_free(c);
	return r;
}

static int run_default(const char *cond)
{
	struct fake_ev e;
	ev_init(&e);
	return run(cond, &e);
}

/* Expects a parse error with exactly msg at offset (offset -2 = don't care). */
static void parse_err(const char *cond, const char *msg, int offset)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	if (n) {
		cond_free(n);
		fail_msg("'%s' parsed but should not", cond);
	}
	if (strcmp(err.msg, msg) != 0)
		fail_msg("'%s': got error '%s', expected '%s'", cond, err.msg, msg);
	if (offset != -2)
		assert_int_equal(err.offset, offset);
}

/* Expects a compile error whose message starts with msg. */
static void compile_err(const char *cond, const char *msg, int want_unknown)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	if (!n)
		fail_msg("parse of '%s' failed: %s", cond, err.msg);
	int unknown = 0;
	struct cond_compiled *c = cond_compile(n, &fake_reg, NULL, &unknown, &err);
	cond_free(n);
	if (c) {
		cond_compiled_free(c);
		fail_msg("'%s' compiled but should not", cond);
	}
	if (strncmp(err.msg, msg, strlen(msg)) != 0)
		fail_msg("'%s': got '%s', expected '%s'", cond, err.msg, msg);
	assert_int_equal(unknown, want_unknown);
}

static int warnings_of(const char *cond, struct cond_warnings *w)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	assert_non_null(n);
	int unknown;
	struct cond_compiled *c = cond_compile(n, &fake_reg, w, &unknown, &err);
	cond_free(n);
	assert_non_null(c);
	cond_compiled_free(c);
	return w->n;
}

static void test_parse_errors(void **state)
{
	(void)state;
	parse_err("", "filter input string is empty", 0);
	parse_err("proc.name = bash foo", "unexpected token after 'bash', expecting 'or', 'and'", 17);
	parse_err("ash, bash, sh", "unexpected token after 'ash', expecting 'or', 'and'", 3);
	parse_err("proc.name",
		  "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', '==', '=', '!=', 'glob', "
		  "'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'regex', "
		  "'intersects', 'in', 'pmatch'", 9);
	parse_err("a andb", "expected blank or '(' after 'and'", 5);
	parse_err("a orb", "expected blank or '(' after 'or'", 4);
	parse_err("(proc.name = a", "expected a ')' token", 14);
	parse_err("proc.name in (a,,b)", "expected a string value", 16);
	parse_err("proc.name in (a,b,)", "expected a string value", 18);
	parse_err("fd.sport >= \"1024\"",
		  "expected a number value or a field with a valid transformer: 'val', 'tolower', 'toupper', 'b64', "
		  "'basename', 'len'", 12);
	parse_err("proc.cmdline contains a=b", "unexpected token after 'a', expecting 'or', 'and'", 23);
	parse_err("proc.name = o'neil", "unexpected token after 'o', expecting 'or', 'and'", 13);
	parse_err("proc.name = \"a\\\\\"", "expected a string value or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len'", 12);
	parse_err("proc.name = 'a\\\"b'", "invalid \\\" escape in '-quoted string", -2);
	parse_err("proc.name = \"a\\'b\"", "invalid \\' escape in \"-quoted string", -2);
	parse_err("proc.name = \"a\\qb\"", "unsupported string escape sequence: \\q", -2);
	parse_err("proc.name = \"\\x4\"", "unsupported string escape sequence: \\x", -2);
	parse_err("= a", "expected a '(' token, a field check, or an identifier", 0);
	parse_err("proc.env[ = a", "expected a valid field argument: a quoted string or a bare string", 9);
	parse_err("proc.env[a = a", "expected a ']' token", 10);
	parse_err("proc.name = val(x)", "expected a field within 'val' transformer", 16);
	parse_err("tolower(x) = a",
		  "expected a field or a nested valid transformer: 'val', 'tolower', 'toupper', 'b64', 'basename', 'len'", 8);
	parse_err("proc.name in", "expected a list, an identifier, or a field with a valid transformer: 'val', "
		  "'tolower', 'toupper', 'b64', 'basename', 'len'", 12);
	/* keywords are lower case and need a blank or '(' */
	parse_err("a AND b", "unexpected token after 'a', expecting 'or', 'and'", 2);
	parse_err("proc.name containsx", "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', "
		  "'==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', "
		  "'endswith', 'regex', 'intersects', 'in', 'pmatch'", 10);
}

static void test_parse_depth(void **state)
{
	(void)state;
	size_t n = 2000;
	char *s = malloc(n * 2 + 32);
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		s[o++] = '(';
	o += (size_t)sprintf(s + o, "proc.name = a");
	for (size_t i = 0; i < n; i++)
		s[o++] = ')';
	s[o] = 0;
	parse_err(s, "exceeded max depth limit of 1000", -2);
	/* moderate nesting is fine */
	strcpy(s, "((((((((((proc.name = cat))))))))))");
	assert_int_equal(run_default(s), 1);
	free(s);
}

static void test_parse_accepts(void **state)
{
	(void)state;
	const char *ok[] = {
		"not(proc.name = a)", "a and(b)", "a or(b)", "not not a", "proc.name=a", "proc.name in(a,b)",
		"proc.name in ()", "proc.name pmatch(/a)", "proc.name intersects (a)", "x", "a\tand\nb\ror\bc",
		"proc.aname[2] = a", "proc.env[\"HOME\"] = x",
		"proc.name = runc:[0:PARENT]", "proc.name = -c", "proc.name = \\", "evt.arg.flags contains O_CREAT",
		"proc.name contains anyof (a, b)", "fd.sport >= 1024", "fd.sport >= 0x10", "fd.sport > 1.5e+3",
		"toupper(basename(proc.name)) = CAT", "proc.name = val(proc.pname)", "len(proc.name) > 2",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct cond_error err;
		struct cond_node *n = cond_parse(ok[i], 1000, &err);
		if (!n)
			fail_msg("'%s' should parse: %s at %d", ok[i], err.msg, err.offset);
		cond_free(n);
	}
}

static void test_precedence(void **state)
{
	(void)state;
	/* a or b and not c = a or (b and (not c)) */
	assert_int_equal(run_default("proc.name = cat or proc.name = x and not proc.name = cat"), 1);
	assert_int_equal(run_default("proc.name = x or proc.name = cat and not proc.name = cat"), 0);
	/* not a = 1 and b = (not a = 1) and b */
	assert_int_equal(run_default("not proc.name = x and proc.pname = bash"), 1);
	assert_int_equal(run_default("not not proc.name = cat"), 1);
	assert_int_equal(run_default("not not not proc.name = cat"), 0);
	assert_int_equal(run_default("not(proc.name = cat or proc.name = x)"), 0);
	assert_int_equal(run_default("not (proc.name = x) and (proc.pname = bash)"), 1);
}

static void test_missing_values(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_PNAME] = NULL;
	assert_int_equal(run("proc.pname = bash", &e), 0);
	assert_int_equal(run("proc.pname != bash", &e), 0);
	assert_int_equal(run("not proc.pname = bash", &e), 1);
	assert_int_equal(run("proc.pname exists", &e), 0);
	assert_int_equal(run("not proc.pname exists", &e), 1);
	assert_int_equal(run("proc.pname in (a, b)", &e), 0);
	assert_int_equal(run("not proc.pname in (a, b)", &e), 1);
	assert_int_equal(run("proc.pname contains \"\"", &e), 0);
	assert_int_equal(run("proc.pname glob *", &e), 0);
	/* tricky case 1: fd.cport missing */
	assert_int_equal(run("fd.cport != 80", &e), 0);
	assert_int_equal(run("not fd.cport = 80", &e), 1);
	e.str[F_FD_NAME] = NULL;
	assert_int_equal(run("fd.name endswith .log", &e), 0);
	assert_int_equal(run("not fd.name endswith .log", &e), 1);
	/* proc_name_exists: true when proc.name is missing, false for the literal "<NA>" */
	e.str[F_PROC_NAME] = NULL;
	assert_int_equal(run("not proc.name in (\"<NA>\",\"N/A\")", &e), 1);
	e.str[F_PROC_NAME] = "<NA>";
	assert_int_equal(run("not proc.name in (\"<NA>\",\"N/A\")", &e), 0);
	assert_int_equal(run("proc.name exists", &e), 1);
	/* a missing val() RHS is false too */
	ev_init(&e);
	e.str[F_PROC_PNAME] = NULL;
	assert_int_equal(run("proc.name != val(proc.pname)", &e), 0);
	assert_int_equal(run("not proc.name = val(proc.pname)", &e), 1);
}

static void test_string_ops(void **state)
{
	(void)state;
	assert_int_equal(run_default("proc.name = cat"), 1);
	assert_int_equal(run_default("proc.name == cat"), 1);
	assert_int_equal(run_default("proc.name = Cat"), 0);
	assert_int_equal(run_default("proc.name != cat"), 0);
	assert_int_equal(run_default("proc.name != dog"), 1);
	/* strcmp order; the grammar wants a number token after < */
	assert_int_equal(run_default("proc.name > 5"), 1);
	assert_int_equal(run_default("proc.name < 5"), 0);
	assert_int_equal(run_default("proc.name >= 99"), 1);
	assert_int_equal(run_default("proc.name <= 1"), 0);
	assert_int_equal(run_default("proc.cmdline contains shadow"), 1);
	assert_int_equal(run_default("proc.cmdline contains SHADOW"), 0);
	assert_int_equal(run_default("proc.cmdline icontains SHADOW"), 1);
	assert_int_equal(run_default("proc.cmdline contains \"\""), 1);
	assert_int_equal(run_default("proc.cmdline startswith \"cat \""), 1);
	assert_int_equal(run_default("proc.cmdline startswith \"\""), 1);
	assert_int_equal(run_default("proc.cmdline startswith Cat"), 0);
	assert_int_equal(run_default("proc.cmdline endswith shadow"), 1);
	assert_int_equal(run_default("proc.cmdline endswith \"\""), 1);
	assert_int_equal(run_default("proc.cmdline endswith shado"), 0);
	assert_int_equal(run_default("proc.name in (bash, cat)"), 1);
	assert_int_equal(run_default("proc.name in (bash, dog)"), 0);
	assert_int_equal(run_default("proc.name in ()"), 0);
	assert_int_equal(run_default("not proc.name in ()"), 1);
	assert_int_equal(run_default("proc.name intersects (cat)"), 1);
	assert_int_equal(run_default("proc.name in cat"), 1);
	assert_int_equal(run_default("proc.name in (\"cat\")"), 1);
	assert_int_equal(run_default("proc.name contains anyof (x, at)"), 1);
	assert_int_equal(run_default("proc.name contains anyof (x, y)"), 0);
	assert_int_equal(run_default("proc.name contains allof (c, at)"), 1);
	assert_int_equal(run_default("proc.name contains allof (c, x)"), 0);
	assert_int_equal(run_default("proc.name contains oneof (c, x)"), 1);
	assert_int_equal(run_default("proc.name contains oneof (c, at)"), 0);
	assert_int_equal(run_default("proc.name startswith anyof(x, ca)"), 1);
}

static void test_strings_up_to_nul(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	/* the provider's length includes bytes after a NUL: only the part before counts */
	static const char raw[] = "cat\0junk";
	e.str[F_PROC_NAME] = raw;
	assert_int_equal(run("proc.name = cat", &e), 1);
	assert_int_equal(run("proc.name = \"cat\\x00zz\"", &e), 1);
	assert_int_equal(run("proc.name = \"ca\\x74\"", &e), 1);
}

static void test_escapes(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_CMDLINE] = "sh -c echo \\";
	/* "\ " is one backslash; bare strings are never unescaped */
	assert_int_equal(run("proc.cmdline contains \"\\ \"", &e), 1);
	assert_int_equal(run("proc.cmdline endswith \\", &e), 1);
	e.str[F_PROC_CMDLINE] = "a\tb\nc'd\"e/f";
	assert_int_equal(run("proc.cmdline = \"a\\tb\\nc'd\\\"e\\/f\"", &e), 1);
	assert_int_equal(run("proc.cmdline = 'a\\tb\\nc\\'d\"e/f'", &e), 1);
	e.str[F_PROC_CMDLINE] = "x\\y";
	assert_int_equal(run("proc.cmdline = 'x\\\\y'", &e), 1);
	assert_int_equal(run("proc.cmdline = x\\y", &e), 1);
}

static void test_glob_regex_pmatch(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.str[F_FD_NAME] = "/home/u/x/.ssh/k";
	assert_int_equal(run("fd.name glob '/home/*/.ssh/*'", &e), 1);
	assert_int_equal(run("fd.name glob '/home/?/x/.ssh/k'", &e), 1);
	assert_int_equal(run("fd.name glob '/home/[a-t]/*'", &e), 0);
	assert_int_equal(run("fd.name glob '/home/[!a-t]/*'", &e), 1);
	assert_int_equal(run("fd.name glob '/home/[^u]/*'", &e), 0);
	assert_int_equal(run("fd.name glob '/HOME/*'", &e), 0);
	assert_int_equal(run("fd.name iglob '/HOME/*/.SSH/K'", &e), 1);
	assert_int_equal(run("fd.name glob '*k'", &e), 1);
	assert_int_equal(run("fd.name glob '*x'", &e), 0);
	assert_int_equal(run("fd.name glob /home/u/x/.ssh/\\k", &e), 1);
	assert_int_equal(run("fd.name glob '/home/u/x/.ssh/k/'", &e), 0);
	e.str[F_FD_NAMERAW] = "/a/../b/../etc";
	assert_int_equal(run("fd.nameraw glob '*../*../*'", &e), 1);
	e.str[F_FD_NAMERAW] = "/a/../etc";
	assert_int_equal(run("fd.nameraw glob '*../*../*'", &e), 0);
	/* regex is anchored at both ends */
	e.str[F_PROC_NAME] = "bash";
	assert_int_equal(run("proc.name regex ba", &e), 0);
	assert_int_equal(run("proc.name regex \"ba.*\"", &e), 1);
	assert_int_equal(run("proc.name regex \"(ba|z)sh\"", &e), 1);
	assert_int_equal(run("proc.name regex \"[[:alpha:]]+\"", &e), 1);
	assert_int_equal(run("proc.name regex \"[[:digit:]]+\"", &e), 0);
	assert_int_equal(run("proc.name regex \"ash\"", &e), 0);
	/* pmatch works on components */
	e.str[F_FD_NAME] = "/opt/dir/f";
	assert_int_equal(run("fd.name pmatch (/opt/dir)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/opt/dir/f)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/opt/dir/f/g)", &e), 0);
	assert_int_equal(run("fd.name pmatch (/opt/di)", &e), 0);
	assert_int_equal(run("fd.name pmatch (/)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/usr, /opt//dir/)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/opt/*/f)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/opt/d?r)", &e), 1);
	assert_int_equal(run("fd.name pmatch (/opt/x*)", &e), 0);
	e.str[F_FD_NAME] = "/opt/dirx";
	assert_int_equal(run("fd.name pmatch (/opt/dir)", &e), 0);
}

static void test_numbers(void **state)
{
	(void)state;
	assert_int_equal(run_default("proc.pid = 1234"), 1);
	assert_int_equal(run_default("proc.pid = +1234"), 1);
	assert_int_equal(run_default("proc.pid != 1234"), 0);
	assert_int_equal(run_default("proc.pid < 1235"), 1);
	assert_int_equal(run_default("proc.pid <= 1233"), 0);
	assert_int_equal(run_default("proc.pid > -1"), 1);
	assert_int_equal(run_default("proc.pid >= 1234"), 1);
	assert_int_equal(run_default("proc.pid in (1, 1234)"), 1);
	assert_int_equal(run_default("proc.pid in (1, 12340)"), 0);
	/* numeric, not string, comparison: 80 < 1024 although "80" > "1024" */
	assert_int_equal(run_default("fd.sport < 1024"), 1);
	assert_int_equal(run_default("fd.sport = \"80\""), 1);
	assert_int_equal(run_default("fd.sport = 080"), 1);
	assert_int_equal(run_default("fd.sport = http"), 1);
	assert_int_equal(run_default("fd.sport in (https, http)"), 1);
	assert_int_equal(run_default("user.uid = 0"), 1);
	assert_int_equal(run_default("evt.is_open_read = true"), 1);
	assert_int_equal(run_default("evt.is_open_read != true"), 0);
	assert_int_equal(run_default("evt.is_open_read in (false)"), 0);
	compile_err("proc.pid = 0x10", "'0x10' is not a valid number", 0);
	compile_err("proc.pid > 1.5", "'1.5' is not a valid number", 0);
	compile_err("proc.pid = abc", "'abc' is not a valid number", 0);
	compile_err("fd.sport = nosuchservice", "'nosuchservice' is not a valid number", 0);
	compile_err("evt.is_open_read = 1", "'1' is not a valid boolean", 0);
}

static void test_ip(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.has_ip = 1;
	e.ip[0] = 10; e.ip[1] = 1; e.ip[2] = 2; e.ip[3] = 3;
	memset(e.ip + 4, 0xee, 12); /* garbage after a v4 address must not matter */
	assert_int_equal(run("fd.ip = 10.1.2.3", &e), 1);
	assert_int_equal(run("fd.ip != 10.1.2.3", &e), 0);
	assert_int_equal(run("fd.ip in (1.1.1.1, 10.1.2.3)", &e), 1);
	assert_int_equal(run("fd.ip = \"::1\"", &e), 0);
	assert_int_equal(run("fd.net = \"10.0.0.0/8\"", &e), 1);
	assert_int_equal(run("fd.net = \"10.1.2.0/25\"", &e), 1);
	assert_int_equal(run("fd.net = \"10.1.2.128/25\"", &e), 0);
	assert_int_equal(run("fd.net in (\"192.168.0.0/16\", \"10.0.0.0/8\")", &e), 1);
	assert_int_equal(run("fd.net != \"11.0.0.0/8\"", &e), 1);
	compile_err("fd.ip = 10.0.0.0/8", "'10.0.0.0/8' is not a valid IP address", 0);
	compile_err("fd.net = 10.0.0.1", "'10.0.0.1' is not a valid IP network", 0);
	compile_err("fd.ip contains 10", "operator 'contains' not supported", 0);
	e.ipv6 = 1;
	memset(e.ip, 0, 16);
	e.ip[15] = 1;
	assert_int_equal(run("fd.ip = \"::1\"", &e), 1);
	assert_int_equal(run("fd.net = \"::/64\"", &e), 1);
}

static void test_bytes(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	static const char buf[] = "\xca\xfe\xba\xbe\x00rest";
	e.buf = buf;
	e.buflen = sizeof(buf) - 1;
	assert_int_equal(run("evt.buffer bcontains cafebabe", &e), 1);
	assert_int_equal(run("evt.buffer bcontains BABE", &e), 1);
	assert_int_equal(run("evt.buffer bcontains 00726573", &e), 1);
	assert_int_equal(run("evt.buffer bstartswith cafe", &e), 1);
	assert_int_equal(run("evt.buffer bstartswith babe", &e), 0);
	assert_int_equal(run("evt.buffer contains rest", &e), 1);
	assert_int_equal(run("evt.buffer endswith rest", &e), 1);
	compile_err("evt.buffer bcontains abc", "bcontains: 'abc' is not a valid hex string", 0);
	compile_err("evt.buffer bcontains zz", "bcontains: 'zz' is not a valid hex string", 0);
	compile_err("evt.buffer glob x", "operator 'glob' not supported", 0);
	compile_err("proc.name bcontains 00", "operator 'bcontains' not supported", 0);
}

static void test_list_fields(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.types[0] = "ipv4";
	e.types[1] = "file";
	e.ntypes = 2;
	assert_int_equal(run("fd.types in (ipv4)", &e), 0);
	assert_int_equal(run("fd.types in (ipv4, file, unix)", &e), 1);
	assert_int_equal(run("fd.types intersects (ipv4)", &e), 1);
	assert_int_equal(run("fd.types intersects (unix)", &e), 0);
	assert_int_equal(run("fd.types exists", &e), 1);
	assert_int_equal(run("len(fd.types) = 2", &e), 1);
	e.ntypes = 0;
	assert_int_equal(run("fd.types intersects (ipv4)", &e), 0);
	assert_int_equal(run("not fd.types in (ipv4)", &e), 1);
	assert_int_equal(run("fd.types exists", &e), 0);
	compile_err("fd.types = ipv4", "operator '=' not supported by field 'fd.types'", 0);
	compile_err("fd.types contains ipv4", "operator 'contains' not supported", 0);
}

static void test_ancestors(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	assert_int_equal(run("proc.aname = sshd", &e), 1);
	assert_int_equal(run("proc.aname = systemd", &e), 1);
	assert_int_equal(run("proc.aname = cat", &e), 0);  /* the process itself is not an ancestor */
	assert_int_equal(run("proc.aname in (init, sshd)", &e), 1);
	assert_int_equal(run("not proc.aname in (a, b)", &e), 1);
	assert_int_equal(run("not proc.aname in (a, sshd)", &e), 0);
	assert_int_equal(run("proc.aname[1] = bash", &e), 1);
	assert_int_equal(run("proc.aname[2] = bash", &e), 0);
	assert_int_equal(run("proc.aname[0] = cat", &e), 1);
	assert_int_equal(run("proc.aname[5] = x", &e), 0);
	assert_int_equal(run("not proc.aname[5] exists", &e), 1);
	assert_int_equal(run("proc.aname exists", &e), 1);
	compile_err("proc.aname[x] = a", "invalid argument 'x' for field proc.aname", 0);
	compile_err("proc.name = val(proc.aname)", "field 'proc.aname' cannot be used in a field-to-field", 0);
	compile_err("tolower(proc.aname) = a", "field 'proc.aname' does not support the 'tolower' transformer", 0);
}

static void test_fields_and_args(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.args[0] = "O_RDONLY|O_CREAT";
	e.args[1] = "/tmp/x";
	assert_int_equal(run("evt.arg.flags contains O_CREAT", &e), 1);
	assert_int_equal(run("evt.arg.name = /tmp/x", &e), 1);
	assert_int_equal(run("evt.arg.fd exists", &e), 0);
	compile_err("evt.arg.nosuch = 1", "unknown event argument nosuch", 0);
	compile_err("proc.nobody = 1", "filter_check called with nonexistent field proc.nobody", 1);
	compile_err("proc.name[1] = 1", "filter_check called with nonexistent field proc.name[1]", 1);
	compile_err("evt.arg = 1", "filter_check called with nonexistent field evt.arg", 0);
	compile_err("undefined_macro", "Undefined macro 'undefined_macro' used in filter.", 0);
	e.str[F_PROC_ENV] = "/root";
	assert_int_equal(run("proc.env[HOME] = /root", &e), 1);
}

static void test_transformers_val(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_NAME] = "Bash";
	e.str[F_PROC_PNAME] = "bash";
	assert_int_equal(run("tolower(proc.name) = bash", &e), 1);
	assert_int_equal(run("toupper(proc.name) = BASH", &e), 1);
	assert_int_equal(run("proc.name = val(proc.pname)", &e), 0);
	assert_int_equal(run("tolower(proc.name) = val(proc.pname)", &e), 1);
	assert_int_equal(run("proc.pname = tolower(proc.name)", &e), 1);
	assert_int_equal(run("toupper(proc.pname) = toupper(proc.name)", &e), 1);
	e.str[F_FD_NAME] = "/usr/bin/bash";
	e.str[F_PROC_CWD] = "/usr/";
	assert_int_equal(run("basename(fd.name) = bash", &e), 1);
	assert_int_equal(run("toupper(basename(fd.name)) = BASH", &e), 1);
	assert_int_equal(run("fd.name startswith val(proc.cwd)", &e), 1);
	assert_int_equal(run("len(fd.name) = 13", &e), 1);
	assert_int_equal(run("len(fd.name) > 20", &e), 0);
	e.str[F_FD_NAME] = "/usr/";
	assert_int_equal(run("basename(fd.name) = \"\"", &e), 1);
	e.str[F_FD_NAME] = "noslash";
	assert_int_equal(run("basename(fd.name) = noslash", &e), 1);
	e.str[F_PROC_CMDLINE] = "aGVsbG8=";
	assert_int_equal(run("b64(proc.cmdline) = hello", &e), 1);
	e.str[F_PROC_CMDLINE] = "!!notb64";
	assert_int_equal(run("b64(proc.cmdline) = hello", &e), 0);
	assert_int_equal(run("not b64(proc.cmdline) = hello", &e), 1);
	e.has_num[F_FD_CPORT] = 1;
	e.num[F_FD_CPORT] = 80;
	assert_int_equal(run("fd.sport = val(fd.cport)", &e), 1);
	assert_int_equal(run("fd.sport < val(fd.cport)", &e), 0);
	compile_err("proc.name = val(proc.pid)", "field 'proc.name' of type string cannot be compared", 0);
	compile_err("proc.name regex val(proc.pname)", "operator 'regex' does not support field-to-field", 0);
	compile_err("proc.name pmatch val(proc.pname)", "operator 'pmatch' does not support field-to-field", 0);
	compile_err("tolower(proc.pid) = 1", "field 'proc.pid' does not support the 'tolower' transformer", 0);
}

static void test_warnings(void **state)
{
	(void)state;
	struct cond_warnings w;
	assert_int_equal(warnings_of("proc.name = proc.pname", &w), 1);
	assert_int_equal(w.code[0], LOAD_COMPILE_CONDITION);
	assert_string_equal(w.msg[0], "string 'proc.pname' may be a valid field wrongly interpreted as a string value");
	/* and it compares with the text */
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_NAME] = "proc.pname";
	assert_int_equal(run("proc.name = proc.pname", &e), 1);
	assert_int_equal(warnings_of("proc.name in (a, evt.arg.flags)", &w), 1);
	assert_int_equal(warnings_of("proc.name = \"tolower(proc.name)\"", &w), 1);
	assert_int_equal(warnings_of("proc.name = cat.dog", &w), 0);
	assert_int_equal(warnings_of("proc.name = val(proc.pname)", &w), 0);
	assert_int_equal(warnings_of("evt.dir = <", &w), 1);
	assert_int_equal(w.code[0], LOAD_DEPRECATED_ITEM);
	assert_int_equal(warnings_of("ka.user.name = \"<NA>\"", &w), 1);
	assert_int_equal(w.code[0], LOAD_UNSAFE_NA_CHECK);
}

static void test_evttype_check(void **state)
{
	(void)state;
	struct fake_ev e;
	ev_init(&e);
	e.type = 2; /* execve */
	e.calls = 0;
	assert_int_equal(run("evt.type = execve", &e), 1);
	assert_int_equal(run("evt.type in (open, execve)", &e), 1);
	assert_int_equal(run("evt.type != execve", &e), 0);
	assert_int_equal(run("evt.type = open", &e), 0);
	assert_int_equal(run("not evt.type in (open, openat)", &e), 1);
	assert_int_equal(e.calls, 0);   /* a bitmap test, not a provider call */
	assert_int_equal(run("evt.type startswith exec", &e), 1);
	assert_true(e.calls > 0);
	assert_int_equal(run("syscall.type = execve", &e), 0); /* missing in the fake */
	compile_err("evt.type = nosuch", "unknown event type nosuch", 1);
	compile_err("evt.type in (open, nosuch)", "unknown event type nosuch", 1);
	compile_err("syscall.type = nosuch", "unknown event type nosuch", 1);
}

static size_t evttypes_of(const char *cond, uint8_t *map)
{
	struct cond_error err;
	struct cond_node *n = cond_parse(cond, 1000, &err);
	assert_non_null(n);
	size_t k = cond_evttypes(n, &fake_reg, map);
	cond_free(n);
	return k;
}

static void test_evttypes(void **state)
{
	(void)state;
	uint8_t m[FAKE_NTYPES];
	assert_int_equal(evttypes_of("evt.type = open", m), 1);
	assert_int_equal(m[0], 1);
	assert_int_equal(evttypes_of("evt.type in (open, openat, openat2) and fd.name = x", m), 3);
	assert_int_equal(m[8], 1);
	assert_int_equal(evttypes_of("evt.type != open", m), FAKE_NTYPES - 1);
	assert_int_equal(m[0], 0);
	assert_int_equal(evttypes_of("not evt.type in (open, openat)", m), FAKE_NTYPES - 2);
	assert_int_equal(evttypes_of("proc.name = cat", m), FAKE_NTYPES);
	assert_int_equal(evttypes_of("evt.type exists", m), FAKE_NTYPES);
	assert_int_equal(evttypes_of("evt.type = open or evt.type = execve", m), 2);
	assert_int_equal(evttypes_of("evt.type = open and evt.type = execve", m), 0);
	assert_int_equal(evttypes_of("evt.type = open or proc.name = x", m), FAKE_NTYPES);
	/* De Morgan: not (open or execve) = all but those two */
	assert_int_equal(evttypes_of("not (evt.type = open or evt.type = execve)", m), FAKE_NTYPES - 2);
	/* not (open and name) = not open or not name = all */
	assert_int_equal(evttypes_of("not (evt.type = open and proc.name = x)", m), FAKE_NTYPES);
	assert_int_equal(evttypes_of("not evt.type != open", m), 1);
	assert_int_equal(evttypes_of("syscall.type = connect", m), 1);
	assert_int_equal(m[3], 1);
	assert_int_equal(evttypes_of("evt.type in (open) and not evt.type = open", m), 0);
}

static const struct cond_node *resolver(void *ctx, const char *name, struct cond_error *err)
{
	struct cond_node **macros = ctx;
	if (strcmp(name, "m_open") == 0)
		return macros[0];
	if (strcmp(name, "m_shell") == 0)
		return macros[1];
	snprintf(err->msg, sizeof(err->msg), "Undefined macro '%s' used in filter.", name);
	return NULL;
}

static void count_macro(void *ctx, const char *name)
{
	char *acc = ctx;
	strcat(acc, name);
	strcat(acc, ";");
}

static void test_macros(void **state)
{
	(void)state;
	struct cond_error err;
	struct cond_node *macros[2];
	macros[0] = cond_parse("evt.type = open or evt.type = openat", 1000, &err);
	macros[1] = cond_parse("proc.name in (bash, sh) and m_open", 1000, &err);
	assert_non_null(macros[0]);
	assert_non_null(macros[1]);
	struct cond_node *rule = cond_parse("m_shell and not m_open or m_shell", 1000, &err);
	assert_non_null(rule);
	char names[128] = "";
	cond_for_each_macro(rule, count_macro, names);
	assert_string_equal(names, "m_shell;m_open;");
	struct cond_node *x = cond_expand_macros(rule, resolver, macros, &err);
	assert_non_null(x);
	names[0] = 0;
	cond_for_each_macro(x, count_macro, names);
	assert_string_equal(names, "");
	struct cond_warnings w;
	int unknown;
	struct cond_compiled *c = cond_compile(x, &fake_reg, &w, &unknown, &err);
	assert_non_null(c);
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_NAME] = "bash";
	assert_int_equal(cond_eval(c, 0, fake_extract, &e), 1);
	assert_int_equal(cond_eval(c, 2, fake_extract, &e), 0);
	cond_compiled_free(c);
	/* macro substitution is parenthesised: not m negates all of m */
	struct cond_node *neg = cond_parse("not m_open", 1000, &err);
	struct cond_node *nx = cond_expand_macros(neg, resolver, macros, &err);
	uint8_t m[FAKE_NTYPES];
	assert_int_equal(cond_evttypes(nx, &fake_reg, m), FAKE_NTYPES - 2);
	cond_free(neg);
	cond_free(nx);
	struct cond_node *bad = cond_parse("m_open and m_nope", 1000, &err);
	assert_null(cond_expand_macros(bad, resolver, macros, &err));
	assert_string_equal(err.msg, "Undefined macro 'm_nope' used in filter.");
	assert_int_equal(err.offset, 11);
	cond_free(bad);
	cond_free(x);
	cond_free(rule);
	cond_free(macros[0]);
	cond_free(macros[1]);
}

static void test_big_list(void **state)
{
	(void)state;
	char *s = malloc(200000);
	size_t o = (size_t)sprintf(s, "proc.name in (");
	for (int i = 0; i < 5000; i++)
		o += (size_t)sprintf(s + o, "%sbin%d", i ? ", " : "", i);
	strcpy(s + o, ")");
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_NAME] = "bin4999";
	assert_int_equal(run(s, &e), 1);
	e.str[F_PROC_NAME] = "bin5000";
	assert_int_equal(run(s, &e), 0);
	e.str[F_PROC_NAME] = "bin0";
	assert_int_equal(run(s, &e), 1);
	free(s);
}

/* contains: repeated first bytes, matches at either end, long subjects
 * (searched differently from short ones), needles longer than the subject. */
static void test_contains_search(void **state)
{
	(void)state;
	static char longname[1200];
	struct fake_ev e;
	ev_init(&e);
	e.str[F_PROC_CMDLINE] = "aaab xyx /etc/passwd";
	assert_int_equal(run("proc.cmdline contains aab", &e), 1);
	assert_int_equal(run("proc.cmdline contains aaab", &e), 1);
	assert_int_equal(run("proc.cmdline contains aaaab", &e), 0);
	assert_int_equal(run("proc.cmdline contains yx", &e), 1);
	assert_int_equal(run("proc.cmdline contains passwd", &e), 1);
	assert_int_equal(run("proc.cmdline contains passwdx", &e), 0);
	assert_int_equal(run("proc.cmdline contains a", &e), 1);
	assert_int_equal(run("proc.cmdline contains z", &e), 0);
	assert_int_equal(run("proc.cmdline contains \"aaab xyx /etc/passwd and more\"", &e), 0);
	memset(longname, 'a', sizeof(longname) - 1);
	memcpy(longname + sizeof(longname) - 5, "/bin", 4);
	e.str[F_PROC_CMDLINE] = longname;
	assert_int_equal(run("proc.cmdline contains a/bin", &e), 1);
	assert_int_equal(run("proc.cmdline contains aa/bin", &e), 1);
	assert_int_equal(run("proc.cmdline contains b/bin", &e), 0);
	longname[200] = '\0';
	assert_int_equal(run("proc.cmdline contains a/bin", &e), 0);
	memcpy(longname + 196, "/bin", 4);
	assert_int_equal(run("proc.cmdline contains a/bin", &e), 1);
}

static int fold_ref(char c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* The folded compare at every offset, as icontains was before it searched
 * first bytes with memchr. */
static int icontains_ref(const char *h, const char *n)
{
	size_t hl = strlen(h), nl = strlen(n);
	for (size_t i = 0; i + nl <= hl; i++) {
		size_t j = 0;
		while (j < nl && fold_ref(h[i + j]) == fold_ref(n[j]))
			j++;
		if (j == nl)
			return 1;
	}
	return 0;
}

/* icontains against the reference on random subjects over a small alphabet
 * (both cases of two letters and bytes that differ from a letter only in
 * bit 5, '_' and DEL): matches at the start, the end, overlapping
 * candidates, and subjects shorter than the needle. */
static void test_icontains_random(void **state)
{
	(void)state;
	static const char alpha[] = "aAbB_@`\x7f";
	uint32_t seed = 12345;
	char h[301], n[6], cond[64];
	struct fake_ev e;
	for (int it = 0; it < 3000; it++) {
		seed = seed * 1103515245u + 12345u;
		size_t hl = (seed >> 8) % (it < 1500 ? 12 : 300), nl = 1 + (seed >> 20) % 4;
		for (size_t i = 0; i < hl; i++) {
			seed = seed * 1103515245u + 12345u;
			h[i] = alpha[(seed >> 16) % (sizeof(alpha) - 1)];
		}
		h[hl] = 0;
		for (size_t i = 0; i < nl; i++) {
			seed = seed * 1103515245u + 12345u;
			n[i] = "aAbB_@"[(seed >> 16) % 6];
		}
		n[nl] = 0;
		ev_init(&e);
		e.str[F_PROC_CMDLINE] = h;
		snprintf(cond, sizeof(cond), "proc.cmdline icontains \"%s\"", n);
		if (run(cond, &e) != icontains_ref(h, n))
			fail_msg("'%s' icontains '%s': expected %d", h, n, icontains_ref(h, n));
	}
}


/* The compiler marks plain checks for cc_check_eval's shortcut; each such
 * check must answer as the general path does, on random values and on
 * missing ones. */
static void test_fast_checks(void **state)
{
	(void)state;
	static const struct {
		const char *cond;
		int fast;
	} cases[] = {
		{"proc.name = ab", CCF_STR_EQ},
		{"proc.name != ab", CCF_STR_NE},
		{"proc.name = \"\"", CCF_STR_EQ},
		{"fd.name = /a", CCF_STR_EQ},
		{"proc.name contains b", CCF_VALUE},
		{"proc.name startswith a", CCF_VALUE},
		{"proc.name endswith b", CCF_VALUE},
		{"proc.name in (a, ab, ba)", CCF_VALUE},
		{"proc.name glob 'a*'", CCF_VALUE},
		{"proc.name pmatch (/a)", CCF_VALUE},
		{"proc.pid > 3", CCF_SIGNED},
		{"proc.pid = -1", CCF_SIGNED},
		{"proc.pid < 0", CCF_SIGNED},
		{"proc.pid >= 2", CCF_SIGNED},
		{"proc.pid != 2", CCF_SIGNED},
		{"proc.pid <= -1", CCF_SIGNED},
		{"proc.pid in (1, 2, 3)", CCF_VALUE},
		{"fd.sport <= 2", CCF_UNSIGNED},
		{"fd.sport > 1", CCF_UNSIGNED},
		{"fd.sport = 3", CCF_UNSIGNED},
		{"user.uid != 0", CCF_UNSIGNED},
		{"evt.is_open_read = true", CCF_BOOL},
		{"evt.is_open_read != true", CCF_BOOL},
		{"evt.is_open_read = false", CCF_BOOL},
		{"proc.name exists", CCF_NONE},
		{"proc.aname = ab", CCF_NONE},
		{"tolower(proc.name) = ab", CCF_NONE},
		{"fd.types intersects (ab, b)", CCF_NONE},
		{"proc.name = val(proc.pname)", CCF_NONE},
		{"proc.name in (a, b) and proc.name != ab", -1},
	};
	static const char *const vals[] = {NULL, "", "a", "ab", "ba", "abb", "/a", "/ab", "b"};
	const size_t nv = sizeof(vals) / sizeof(vals[0]);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cond_compiled *c = compile_ok(cases[i].cond);
		struct cc_check *chk = c->root->kind == CC_CHECK ? c->root->chk : NULL;
		if (cases[i].fast >= 0) {
			assert_non_null(chk);
			if (chk->fast != cases[i].fast)
				fail_msg("'%s': shortcut %d, expected %d", cases[i].cond, chk->fast, cases[i].fast);
		}
		for (size_t a = 0; a < nv; a++)
			for (int num = -2; num <= 4; num++) {
				struct fake_ev e;
				ev_init(&e);
				e.str[F_PROC_NAME] = vals[a];
				e.str[F_FD_NAME] = vals[(a + 3) % nv];
				e.str[F_PROC_PNAME] = vals[(a + num + 2) % nv];
				e.has_num[F_PROC_PID] = num != -2;
				e.num[F_PROC_PID] = num;
				e.num[F_FD_SPORT] = num;
				e.num[F_USER_UID] = num < 0 ? 0 : num;
				e.num[F_IS_OPEN_READ] = num == 3 ? 2 : num & 1;
				int fast = cond_eval(c, e.type, fake_extract, &e);
				uint8_t keep = chk ? chk->fast : 0;
				if (chk)
					chk->fast = CCF_NONE;
				int slow = cond_eval(c, e.type, fake_extract, &e);
				if (chk)
					chk->fast = keep;
				if (fast != slow)
					fail_msg("'%s' on proc.name %s, pid %d: shortcut %d, general %d", cases[i].cond,
						 vals[a] ? vals[a] : "(missing)", num, fast, slow);
			}
		cond_compiled_free(c);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_icontains_random),
		cmocka_unit_test(test_fast_checks),
		cmocka_unit_test(test_parse_depth),
		cmocka_unit_test(test_parse_accepts),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_missing_values),
		cmocka_unit_test(test_string_ops),
		cmocka_unit_test(test_contains_search),
		cmocka_unit_test(test_strings_up_to_nul),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_glob_regex_pmatch),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_list_fields),
		cmocka_unit_test(test_ancestors),
		cmocka_unit_test(test_fields_and_args),
		cmocka_unit_test(test_transformers_val),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_evttype_check),
		cmocka_unit_test(test_evttypes),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_big_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
