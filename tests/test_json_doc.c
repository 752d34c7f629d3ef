/* tests/test_json_doc.c: json/doc.c and json/text.c: RFC 8259 acceptance, token layout, lookups, pointers, and agreement with jansson on the suite's audit events and mutations of them. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "json/json.h"

#define AUDIT_DIR "../shared/peers/falco-tests/trace_files/k8s_audit"

static int parses(const char *s)
{
	struct json_doc d;
	json_doc_init(&d);
	int rc = json_doc_parse(&d, s, strlen(s));
	json_doc_free(&d);
	return rc == 0;
}

static void test_accepts(void **state)
{
	(void)state;
	static const char *const ok[] = {
		"{}", "[]", "0", "-0", "1.5e10", "-1.25E-3", "0.0", "1e+2", "\"\"", "true", "false", "null",
		" \t\r\n{ \"a\" : [ 1 , 2 ] } \n", "[[[[]]]]", "{\"\":\"\"}", "\"\\u0000\"", "\"\\ud83d\\ude00\"",
		"\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\x7f\"",
		"{\"a\":1,\"a\":2}", "[1,{\"b\":[true,false,null]},\"x\"]", "123456789012345678901234567890",
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!parses(ok[i]))
			fail_msg("rejected valid JSON %s", ok[i]);
}

static void test_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", " ", "{", "}", "[", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "[1 2]",
		"01", "-", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "tru", "nul", "True",
		"\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
		"\"a\tb\"", "\"a\nb\"", "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf5\x80\x80\x80\"", "\"\x80\"",
		"\"\xe2\x82\"", "{} {}", "[] x", "{\"a\":1}}", "[1]]", "\"a\" \"b\"", "/* c */ 1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parses(bad[i]))
			fail_msg("accepted invalid JSON '%s'", bad[i]);
}

static void test_error_position(void **state)
{
	(void)state;
	struct json_doc d;
	json_doc_init(&d);
	const char *s = "{\"a\": [1, 2,, 3]}";
	assert_int_equal(json_doc_parse(&d, s, strlen(s)), -1);
	assert_int_equal(d.err_off, 12);
	assert_string_equal(d.err, "unexpected character, expecting a value");
	s = "{\"kind\": \"Event\"";
	assert_int_equal(json_doc_parse(&d, s, strlen(s)), -1);
	assert_int_equal(d.err_off, strlen(s));
	assert_string_equal(d.err, "unexpected end of input in an object");
	/* nesting is bounded: no stack exhaustion on hostile input */
	char deep[2 * JSON_MAX_DEPTH + 8];
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	memset(deep + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	assert_int_equal(json_doc_parse(&d, deep, 2 * JSON_MAX_DEPTH + 2), -1);
	assert_string_equal(d.err, "nesting too deep");
	assert_int_equal(json_doc_parse(&d, deep + 1, 2 * JSON_MAX_DEPTH), 0);
	json_doc_free(&d);
}

static void test_layout_and_lookups(void **state)
{
	(void)state;
	struct json_doc d;
	json_doc_init(&d);
	const char *s = "{\"kind\":\"Event\",\"user\":{\"username\":\"admin\",\"groups\":[\"a\",\"b\",\"c\"]},"
			"\"esc\\u0061ped\":\"x\\/y\",\"n\":-1.5e3,\"list\":[[],{},null],\"a\":1,\"a\":2}";
	assert_int_equal(json_doc_parse(&d, s, strlen(s)), 0);
	assert_int_equal(d.tok[0].kind, JSON_K_OBJECT);
	assert_int_equal(d.tok[0].end, d.n);
	assert_int_equal(json_doc_count(&d, 0), 7);
	uint32_t u = json_doc_get(&d, 0, "user");
	assert_int_equal(d.tok[u].kind, JSON_K_OBJECT);
	uint32_t name = json_doc_path(&d, 0, (const char *const[]){"user", "username"}, 2);
	struct json_span sp = json_doc_span(&d, name);
	assert_int_equal(sp.n, 7);
	assert_memory_equal(sp.p, "\"admin\"", 7);
	uint32_t g = json_doc_get(&d, u, "groups");
	assert_int_equal(json_doc_count(&d, g), 3);
	assert_true(json_doc_str_eq(&d, json_doc_index(&d, g, 2), "c", 1));
	assert_int_equal(json_doc_index(&d, g, 3), JSON_NONE);
	/* escaped keys and values compare unescaped */
	uint32_t e = json_doc_get(&d, 0, "escaped");
	assert_int_not_equal(e, JSON_NONE);
	assert_true(d.tok[e].escaped);
	assert_true(json_doc_str_eq(&d, e, "x/y", 3));
	assert_false(json_doc_str_eq(&d, e, "x\\/y", 4));
	uint32_t n = json_doc_get(&d, 0, "n");
	assert_int_equal(d.tok[n].kind, JSON_K_NUMBER);
	assert_int_equal(json_doc_span(&d, n).n, 6);
	uint32_t l = json_doc_get(&d, 0, "list");
	assert_int_equal(json_doc_count(&d, l), 3);
	assert_int_equal(d.tok[json_doc_index(&d, l, 2)].kind, JSON_K_NULL);
	/* duplicate keys: the first wins, as with fastjson */
	uint32_t a = json_doc_get(&d, 0, "a");
	assert_memory_equal(json_doc_span(&d, a).p, "1", 1);
	assert_int_equal(json_doc_get(&d, 0, "missing"), JSON_NONE);
	assert_int_equal(json_doc_get(&d, g, "x"), JSON_NONE);   /* not an object */
	assert_int_equal(json_doc_index(&d, u, 0), JSON_NONE);   /* not an array */
	json_doc_free(&d);
}

static void test_pointer(void **state)
{
	(void)state;
	struct json_doc d;
	json_doc_init(&d);
	const char *s = "{\"annotations\":{\"authorization.k8s.io/decision\":\"allow\"},\"a/~b\":1,"
			"\"items\":[{\"x\":\"first\"},{\"x\":\"second\"}],\"\":\"empty key\"}";
	assert_int_equal(json_doc_parse(&d, s, strlen(s)), 0);
#define PTR(p) json_doc_pointer(&d, p, strlen(p))
	assert_true(json_doc_str_eq(&d, PTR("/annotations/authorization.k8s.io~1decision"), "allow", 5));
	assert_int_equal(PTR("/annotations/authorization.k8s.io/decision"), JSON_NONE);
	assert_memory_equal(json_doc_span(&d, PTR("/a~1~0b")).p, "1", 1);
	assert_int_equal(PTR("/a~1b"), JSON_NONE);
	assert_true(json_doc_str_eq(&d, PTR("/items/1/x"), "second", 6));
	assert_true(json_doc_str_eq(&d, PTR("items/0/x"), "first", 5)); /* leading '/' optional */
	assert_int_equal(PTR("/items/2/x"), JSON_NONE);
	assert_int_equal(PTR("/items/-"), JSON_NONE);
	assert_int_equal(PTR("/items/01x"), JSON_NONE);
	assert_int_equal(PTR(""), 0);
	assert_true(json_doc_str_eq(&d, PTR("/"), "empty key", 9));
#undef PTR
	json_doc_free(&d);
}

static void test_text_transforms(void **state)
{
	(void)state;
	char out[256];
	const char *esc = "a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\\u0041";
	size_t n = json_unescape(esc, strlen(esc), out);
	assert_int_equal(n, 15);
	assert_memory_equal(out, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80" "A", 15);
	const char *spaced = " { \"a b\" : [ 1 , \"x , y\" ] ,\n\"c\":{ } } ";
	n = json_compact(spaced, strlen(spaced), out);
	out[n] = 0;
	assert_string_equal(out, "{\"a b\":[1,\"x , y\"],\"c\":{}}");
	/* Go's json.Indent(dst, src, "", "  ") */
	const char *src = "{\"a\":[1,{\"b\":\"x:{,}\"}],\"e\":{},\"f\":[]}";
	const char *want = "{\n  \"a\": [\n    1,\n    {\n      \"b\": \"x:{,}\"\n    }\n  ],\n  \"e\": {},\n  \"f\": []\n}";
	size_t need = json_indent(src, strlen(src), NULL, 0);
	assert_int_equal(need, strlen(want));
	assert_int_equal(json_indent(src, strlen(src), out, sizeof(out)), strlen(want));
	assert_string_equal(out, want);
	/* truncation keeps a terminated prefix and reports the full length */
	assert_int_equal(json_indent(src, strlen(src), out, 5), strlen(want));
	assert_string_equal(out, "{\n  ");
}

/* ---- agreement with jansson ---- */

/* Compares our token subtree at v with jansson's value j; 1 when equal. */
static int same(const struct json_doc *d, uint32_t v, json_t *j)
{
	const struct json_tok *t = &d->tok[v];
	switch (t->kind) {
	case JSON_K_NULL: return json_is_null(j);
	case JSON_K_TRUE: return json_is_true(j);
	case JSON_K_FALSE: return json_is_false(j);
	case JSON_K_NUMBER: {
		if (!json_is_number(j))
			return 0;
		char buf[64];
		snprintf(buf, sizeof(buf), "%.*s", (int)t->len, d->text + t->off);
		double a = strtod(buf, NULL), b = json_number_value(j);
		return a == b || (a != a && b != b);
	}
	case JSON_K_STRING: {
		if (!json_is_string(j))
			return 0;
		char *buf = malloc(t->len);
		size_t n = json_unescape(d->text + t->off + 1, t->len - 2, buf);
		int eq = n == json_string_length(j) && !memcmp(buf, json_string_value(j), n);
		free(buf);
		return eq;
	}
	case JSON_K_ARRAY: {
		if (!json_is_array(j) || json_doc_count(d, v) != json_array_size(j))
			return 0;
		size_t i = 0;
		for (uint32_t k = v + 1; k < t->end; k = d->tok[k].end, i++)
			if (!same(d, k, json_array_get(j, i)))
				return 0;
		return 1;
	}
	case JSON_K_OBJECT: {
		if (!json_is_object(j))
			return 0;
		size_t members = 0;
		for (uint32_t k = v + 1; k < t->end; k = d->tok[k + 1].end, members++) {
			const struct json_tok *kt = &d->tok[k];
			char *key = malloc(kt->len);
			size_t kn = json_unescape(d->text + kt->off + 1, kt->len - 2, key);
			json_t *jv = json_object_getn(j, key, kn);
			free(key);
			/* duplicate keys: jansson keeps the last, we look up the first */
			if (!jv)
				return 0;
			if (json_object_size(j) == json_doc_count(d, v) && !same(d, k + 1, jv))
				return 0;
		}
		return members >= json_object_size(j);
	}
	}
	return 0;
}

static int jansson_refuses_valid_json(const json_error_t *e)
{
	/* numbers out of its range are valid JSON that jansson cannot hold */
	return strstr(e->text, "too big") || strstr(e->text, "overflow") || strstr(e->text, "underflow");
}

/* Parses s with both; fails the test when they disagree. Returns 1 if valid. */
static int agree(struct json_doc *d, const char *s, size_t n)
{
	json_error_t e;
	json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
	int ours = json_doc_parse(d, s, n) == 0;
	if (!j && jansson_refuses_valid_json(&e))
		return ours;
	if (ours != (j != NULL))
		fail_msg("json_doc %s what jansson %s (%s at %d): %.*s", ours ? "accepts" : "refuses",
			 j ? "accepts" : "refuses", j ? "" : e.text, j ? 0 : e.position, (int)(n > 200 ? 200 : n), s);
	if (j && !same(d, 0, j))
		fail_msg("json_doc and jansson read different values: %.*s", (int)(n > 200 ? 200 : n), s);
	json_decref(j);
	return ours;
}

static size_t load_events(char ***out)
{
	DIR *dir = opendir(AUDIT_DIR);
	if (!dir)
		return 0;
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (!strstr(de->d_name, ".json"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", AUDIT_DIR, de->d_name);
		FILE *f = fopen(path, "r");
		char *line = NULL;
		size_t cap = 0;
		ssize_t k;
		while (f && (k = getline(&line, &cap, f)) > 0) {
			if (line[0] == '\n')
				continue;
			v = realloc(v, (n + 1) * sizeof(*v));
			v[n++] = strndup(line, (size_t)k);
		}
		free(line);
		if (f)
			fclose(f);
	}
	closedir(dir);
	*out = v;
	return n;
}

static void test_agrees_with_jansson(void **state)
{
	(void)state;
	char **ev;
	size_t n = load_events(&ev);
	if (!n)
		skip();   /* ../shared is not beside the repository */
	struct json_doc d;
	json_doc_init(&d);
	size_t valid = 0, total = 0;
	unsigned seed = 12345;
	/* mutations that hit the grammar: delimiters, digits, escapes, bytes of UTF-8 */
	static const char subst[] = "{}[],:\"\\ -+.eE0123456789tfnu\x80\xc3\xa9\xff\t\n";
	char *buf = malloc(1 << 20);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(ev[i]);
		if (!agree(&d, ev[i], len))
			fail_msg("a suite event does not parse: %s at %zu: %.80s", d.err, d.err_off, ev[i]);
		for (int m = 0; m < 400; m++) {
			memcpy(buf, ev[i], len);
			size_t ml = len;
			int edits = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 3;
			for (int k = 0; k < edits; k++) {
				seed = seed * 1103515245 + 12345;
				size_t pos = (seed >> 8) % ml;
				seed = seed * 1103515245 + 12345;
				if ((seed >> 16) % 7 == 0)
					ml = pos + 1;   /* truncate */
				else
					buf[pos] = subst[(seed >> 16) % (sizeof(subst) - 1)];
			}
			valid += agree(&d, buf, ml);
			total++;
		}
	}
	/* the mutations must exercise both outcomes */
	assert_true(valid > 0 && valid < total);
	free(buf);
	json_doc_free(&d);
	for (size_t i = 0; i < n; i++)
		free(ev[i]);
	free(ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_layout_and_lookups),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_text_transforms),
		cmocka_unit_test(test_agrees_with_jansson),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
