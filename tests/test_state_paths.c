/* tests/test_state_paths.c: path resolution for fd names (replay/state/paths.c): every short path over a small alphabet against a reference resolver, the normal-form test and slash collapsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "replay/state/paths.h"

/* Reference: split base (when path is relative) and path into components
 * and apply them to a stack, the definition of the normal form. */
static size_t ref_resolve(const char *base, const char *path, char *out, size_t cap)
{
	char comps[64][64];
	size_t n = 0;
	const char *parts[2] = { path[0] != '/' && base ? base : "", path };
	for (int k = 0; k < 2; k++) {
		const char *p = parts[k];
		while (*p) {
			while (*p == '/')
				p++;
			size_t len = strcspn(p, "/");
			if (len == 0)
				break;
			if (len == 1 && p[0] == '.') {
			} else if (len == 2 && p[0] == '.' && p[1] == '.') {
				if (n)
					n--;
			} else {
				assert_true(n < 64 && len < 64);
				memcpy(comps[n], p, len);
				comps[n++][len] = '\0';
			}
			p += len;
		}
	}
	char buf[8192];
	size_t len = 0;
	buf[len++] = '/';
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf[len++] = '/';
		size_t cl = strlen(comps[i]);
		memcpy(buf + len, comps[i], cl);
		len += cl;
	}
	buf[len] = '\0';
	if (len + 1 > cap)
		return cap;
	memcpy(out, buf, len + 1);
	return len;
}

/* Every string of up to maxlen characters over "a./" (and the empty one). */
static size_t gen_paths(char (*out)[8], size_t cap, size_t maxlen)
{
	static const char alpha[] = "a./";
	size_t n = 0;
	out[n++][0] = '\0';
	for (size_t len = 1; len <= maxlen; len++) {
		size_t total = 1;
		for (size_t i = 0; i < len; i++)
			total *= 3;
		for (size_t v = 0; v < total && n < cap; v++) {
			size_t x = v;
			for (size_t i = 0; i < len; i++, x /= 3)
				out[n][i] = alpha[x % 3];
			out[n][len] = '\0';
			n++;
		}
	}
	return n;
}

static char paths[4000][8];

static void test_resolve_matches_reference(void **state)
{
	(void)state;
	size_t np = gen_paths(paths, 4000, 6);
	const char *bases[] = { NULL, "", "/", "/x/", "/x", "/x//y/", "/x/./", "/x/../y/", "rel", "<UNKNOWN>",
				"//", "/x/y/", "/..", "/x/.y/", "/x/..y" };
	char out[4160], ref[4160];
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		for (size_t i = 0; i < np; i++) {
			size_t n = state_path_resolve(bases[b], paths[i], out, sizeof(out));
			size_t rn = ref_resolve(bases[b], paths[i], ref, sizeof(ref));
			if (n != rn || strcmp(out, ref) != 0)
				fail_msg("base \"%s\" path \"%s\": got \"%s\" (%zu), want \"%s\" (%zu)",
					 bases[b] ? bases[b] : "(null)", paths[i], out, n, ref, rn);
		}
	}
}

/* A path that does not fit: the length returned is the capacity (paths
 * without ".." never get longer than their result on the way). */
static void test_resolve_truncation(void **state)
{
	(void)state;
	char out[16], ref[64];
	const char *cases[][2] = { { "/", "/aaaa/bbbb/cccc/dddd" }, { "/aaaa/bbbb/", "cccc/dddd" },
				   { "/aaaa/", "bbbbbbbbb" }, { "/aaaa/", "bbbbbbbbbb" }, { NULL, "/aaaaaaaaaaaaaa" },
				   { NULL, "/aaaaaaaaaaaaa" }, { "/aaaa//b/", "cccccccc" } };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t rn = ref_resolve(cases[i][0], cases[i][1], ref, sizeof(ref));
		size_t n = state_path_resolve(cases[i][0], cases[i][1], out, sizeof(out));
		if (rn + 1 > sizeof(out)) {
			assert_int_equal(n, sizeof(out));
			assert_true(strlen(out) < sizeof(out));
		} else {
			assert_int_equal(n, rn);
			assert_string_equal(out, ref);
		}
	}
}

static void test_normal_len(void **state)
{
	(void)state;
	size_t np = gen_paths(paths, 4000, 6);
	char ref[64];
	for (size_t i = 0; i < np; i++) {
		const char *p = paths[i];
		size_t len = strlen(p);
		/* normal: resolving it (relative ones against "/") changes nothing */
		ref_resolve("/", p, ref, sizeof(ref));
		int normal = len && strcmp(p[0] == '/' ? ref : ref + 1, p) == 0;
		assert_int_equal(state_path_normal_len(p, 0), normal ? len : SIZE_MAX);
		/* dir: one trailing slash after a component is accepted */
		int dnormal = normal || (len > 1 && p[len - 1] == '/' && p[len - 2] != '/' &&
					 state_path_normal_len(p, 0) == SIZE_MAX && strncmp(p[0] == '/' ? ref : ref + 1, p, len - 1) == 0 &&
					 strlen(p[0] == '/' ? ref : ref + 1) == len - 1);
		assert_int_equal(state_path_normal_len(p, 1), dnormal ? len : SIZE_MAX);
	}
}

static void test_collapse_slashes(void **state)
{
	(void)state;
	size_t np = gen_paths(paths, 4000, 6);
	for (size_t i = 0; i < np; i++) {
		char got[16], want[16];
		size_t w = 0;
		for (size_t r = 0; paths[i][r]; r++)
			if (!(paths[i][r] == '/' && w && want[w - 1] == '/'))
				want[w++] = paths[i][r];
		want[w] = '\0';
		strcpy(got, paths[i]);
		assert_int_equal(state_path_collapse_slashes(got), w);
		assert_string_equal(got, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_matches_reference),
		cmocka_unit_test(test_resolve_truncation),
		cmocka_unit_test(test_normal_len),
		cmocka_unit_test(test_collapse_slashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
