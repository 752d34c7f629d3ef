/* tests/test_fuzz_regressions.c: replays every saved fuzzer finding and seed-like inputs through the fuzz entry points. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "rules/rules.h"
#include "tests/helpers/fuzz_entry.h"

#define REGRESSIONS "tests/fuzz_regressions"
#define PEERS "../shared/peers"

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
		n += k;
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Feeds every regular file of dir to fn; returns how many. */
static int replay_dir(const char *dir, int (*fn)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		size_t len = 0;
		uint8_t *data = read_all(path, &len);
		assert_non_null(data);
		printf("[ replay   ] %s (%zu bytes)\n", path, len);
		assert_int_equal(fn(data, len), 0);
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

/* Every saved finding of every target runs through the same entry point
 * that found it; a regression shows up as a crash or sanitizer report. */
static void test_saved_findings(void **state)
{
	(void)state;
	int total = 0;
	for (size_t i = 0; i < fuzz_ntargets; i++) {
		char dir[256];
		snprintf(dir, sizeof(dir), REGRESSIONS "/%s", fuzz_targets[i].name);
		total += replay_dir(dir, fuzz_targets[i].one);
	}
	printf("[ info     ] %d saved fuzzer findings replayed\n", total);
}

/* Degenerate inputs every target must take: empty, one byte, NULs, 0xff. */
static void test_degenerate_inputs(void **state)
{
	(void)state;
	static uint8_t zeros[4096], ones[4096];
	memset(ones, 0xff, sizeof(ones));
	const uint8_t one = 'a';
	for (size_t i = 0; i < fuzz_ntargets; i++) {
		assert_int_equal(fuzz_targets[i].one((const uint8_t *)"", 0), 0);
		assert_int_equal(fuzz_targets[i].one(&one, 1), 0);
		assert_int_equal(fuzz_targets[i].one(zeros, sizeof(zeros)), 0);
		assert_int_equal(fuzz_targets[i].one(ones, sizeof(ones)), 0);
	}
}

/* The capture targets on every peer capture (whole and cut in half), so
 * the harness's own rule set is known to load: it aborts otherwise.
 * connect_localhost.scap found the either-side overflow below. */
static void test_peer_captures(void **state)
{
	(void)state;
	DIR *d = opendir(PEERS "/scap");
	if (!d) {
		printf("SKIPPED: " PEERS "/scap is absent\n");
		skip();
	}
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)) != NULL) {
		if (!strstr(de->d_name, ".scap"))
			continue;
		char path[512];
		snprintf(path, sizeof(path), PEERS "/scap/%s", de->d_name);
		size_t len = 0;
		uint8_t *data = read_all(path, &len);
		assert_non_null(data);
		assert_int_equal(fuzz_one_scap(data, len), 0);
		assert_int_equal(fuzz_one_scap(data, len / 2), 0);
		free(data);
		n++;
	}
	closedir(d);
	assert_true(n > 0);
}

/*
 * Found by fuzz_scap on the first run: fd.ip/fd.net/fd.port/fd.proto return
 * both ends of a connection (two values) and the evaluator gave them room
 * for one (stack-buffer-overflow in check_once). They are RFF_EITHER now:
 * '=' and 'in' hold when one end matches, '!=' when both differ.
 */
enum { E_IP = 1, E_PORT };

static const struct rule_field_def either_defs[] = {
	{ "fd.ip", E_IP, RF_IPADDR, RFF_FILTER_ONLY | RFF_NO_RHS | RFF_EITHER, "" },
	{ "fd.port", E_PORT, RF_PORT, RFF_FILTER_ONLY | RFF_NO_RHS | RFF_EITHER, "" },
};

static size_t either_evttype(const char *name, uint16_t *out, size_t cap)
{
	if (strcmp(name, "connect") == 0 && cap) {
		out[0] = 0;
		return 1;
	}
	return 0;
}

static const struct rule_field_registry either_reg = {
	.defs = either_defs, .ndefs = 2, .evttype_lookup = either_evttype, .n_evttypes = 1,
};

static int either_extract(void *ctx, const struct rule_field_ref *ref, struct rule_value *out)
{
	(void)ctx;
	static const uint8_t a[4] = { 10, 0, 0, 1 }, b[4] = { 192, 168, 1, 2 };
	for (int i = 0; i < 2; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		if (ref->id == E_IP) {
			out[i].type = RF_IPADDR;
			memcpy(out[i].v.ip, i ? b : a, 4);
		} else {
			out[i].type = RF_PORT;
			out[i].v.u = i ? 443 : 51000;
		}
	}
	return 2;
}

static void test_either_side_fields(void **state)
{
	(void)state;
	static const struct {
		const char *cond;
		int want;
	} cases[] = {
		{ "fd.ip = 10.0.0.1", 1 },        { "fd.ip = 192.168.1.2", 1 },
		{ "fd.ip = 1.2.3.4", 0 },         { "fd.ip != 10.0.0.1", 0 },
		{ "fd.ip != 1.2.3.4", 1 },        { "fd.port = 443", 1 },
		{ "fd.port in (22, 443)", 1 },    { "fd.port in (22, 80)", 0 },
		{ "fd.port > 50000", 1 },         { "fd.port < 100", 0 },
		{ "fd.port != 443", 0 },          { "fd.ip exists", 1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rule_diag_list dl = { 0 };
		struct rule_filter *f = rule_filter_compile(&either_reg, cases[i].cond, &dl);
		for (size_t k = 0; k < dl.n; k++) {
			printf("[ diag     ] %s: %s\n", cases[i].cond, dl.v[k].message);
			free(dl.v[k].message);
		}
		free(dl.v);
		assert_non_null(f);
		int got = rule_filter_eval(f, 0, either_extract, NULL);
		if (got != cases[i].want)
			printf("[ mismatch ] %s: got %d, want %d\n", cases[i].cond, got, cases[i].want);
		assert_int_equal(got, cases[i].want);
		rule_filter_free(f);
	}
}

static void test_text_targets(void **state)
{
	(void)state;
	static const char *const conds[] = {
		"evt.type in (open, openat) and fd.name startswith /etc and not proc.name in (a, b)",
		"proc.aname[2] glob '*sh' or fd.net = 10.0.0.0/8 or evt.arg.flags contains O_RDWR",
		"((((((((evt.num > 1))))))))", "fd.name pmatch (/a, /b) and proc.env[HOME] exists",
		"tolower(proc.name) = val(proc.pname)", "evt.buffer bcontains 414243",
	};
	for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
		assert_int_equal(fuzz_one_cond((const uint8_t *)conds[i], strlen(conds[i])), 0);
	static const char *const fmts[] = {
		"%evt.time %proc.name %fd.name %proc.aname[3] %evt.arg.fd %%", "%12proc.name %-x %", "*%evt.args",
	};
	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		assert_int_equal(fuzz_one_format((const uint8_t *)fmts[i], strlen(fmts[i])), 0);
	static const char yaml[] = "- rule: r\n  desc: d\n  condition: evt.type = open\n"
				   "  output: \"%proc.name\"\n  priority: INFO\n";
	assert_int_equal(fuzz_one_rules_yaml((const uint8_t *)yaml, sizeof(yaml) - 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_saved_findings),
		cmocka_unit_test(test_degenerate_inputs),
		cmocka_unit_test(test_peer_captures),
		cmocka_unit_test(test_text_targets),
		cmocka_unit_test(test_either_side_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
