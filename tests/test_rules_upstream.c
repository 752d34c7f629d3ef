/* tests/test_rules_upstream.c: the upstream Falco rulesets (../shared/peers/rules, syscall and k8s_audit) load together, unchanged, with every item counted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fields/fields.h"
#include "formats/event.h"
#include "rules/rules.h"

#define RULES_DIR "../shared/peers/rules"

/* Dependency order: incubating and sandbox use falco_rules.yaml's macros,
 * the Kubernetes audit rules its lists (falco_privileged_images...). */
static const char *const files[] = {"falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml",
				    "k8s_audit_rules.yaml"};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				free(buf);
			buf = nb;
		}
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

/* Distinct names of one item kind, counted from the raw text, not through the
 * YAML parser: an item starts with "- " at column 0 and its keys are that line
 * and the lines indented by exactly two spaces. The kind is the first of list,
 * macro, rule present (upstream has an item written "- condition: ..." with
 * "  macro: NAME" below). Redefinitions and appends reuse a name. */
struct names {
	char **v;
	size_t n;
};

static void names_add(struct names *ns, const char *s, size_t len)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\r'))
		len--;
	if (len >= 2 && (s[0] == '"' || s[0] == '\'') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
	}
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == len && !memcmp(ns->v[i], s, len))
			return;
	ns->v = realloc(ns->v, (ns->n + 1) * sizeof(*ns->v));
	assert_non_null(ns->v);
	ns->v[ns->n] = strndup(s, len);
	ns->n++;
}

enum { K_LIST, K_MACRO, K_RULE, K_N };
static const char *const kinds[K_N] = {"list", "macro", "rule"};

struct item {
	const char *name[K_N];
	size_t len[K_N];
};

static void item_flush(struct item *it, struct names *out)
{
	for (int k = 0; k < K_N; k++) {
		if (it->name[k]) {
			names_add(&out[k], it->name[k], it->len[k]);
			break;
		}
	}
	memset(it, 0, sizeof(*it));
}

static void scan(const char *text, struct names *out)
{
	struct item it = {0};
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *key;
		if (!strncmp(p, "- ", 2)) {
			item_flush(&it, out);
			key = p + 2;
		} else if (!strncmp(p, "  ", 2) && p[2] != ' ' && p[2] != '-') {
			key = p + 2;
		} else {
			if (*p != ' ' && *p != '\n' && *p != '#')
				item_flush(&it, out);
			continue;
		}
		for (int k = 0; k < K_N; k++) {
			size_t kl = strlen(kinds[k]);
			if (strncmp(key, kinds[k], kl) || key[kl] != ':' || key[kl + 1] != ' ')
				continue;
			const char *s = key + kl + 2, *e = strchr(s, '\n');
			it.name[k] = s;
			it.len[k] = e ? (size_t)(e - s) : strlen(s);
		}
	}
	item_flush(&it, out);
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static void test_upstream_load_and_count(void **state)
{
	(void)state;
	char *text[NFILES];
	for (size_t i = 0; i < NFILES; i++) {
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", RULES_DIR, files[i]);
		text[i] = read_all(path);
		if (!text[i]) {
			for (size_t j = 0; j < i; j++)
				free(text[j]);
			printf("SKIPPED: %s not readable (../shared absent?)\n", path);
			skip();
		}
	}
	struct names found[K_N] = {{0}};
	struct rule_load_opts o;
	field_load_opts(&o);
	struct rule_loader *l = rule_loader_new(&o);
	for (size_t i = 0; i < NFILES; i++) {
		scan(text[i], found);
		char path[256];
		snprintf(path, sizeof(path), "%s/%s", RULES_DIR, files[i]);
		int rc = rule_loader_add_path(l, path);
		if (rc != 0) {
			const struct rule_diag_list *d = rule_loader_diags(l);
			for (size_t k = 0; k < d->n; k++)
				if (rule_diag_is_error(d->v[k].code))
					rule_diag_print(stderr, &d->v[k]);
			fail_msg("%s failed to load", files[i]);
		}
	}
	const struct rule_diag_list *d = rule_loader_diags(l);
	size_t errors = 0, warnings = 0;
	for (size_t k = 0; k < d->n; k++) {
		if (rule_diag_is_error(d->v[k].code))
			errors++;
		else
			warnings++;
		/* both sources are known and saker stands in for container, k8saudit and json */
		if (d->v[k].code == LOAD_UNKNOWN_SOURCE || d->v[k].code == LOAD_UNKNOWN_ITEM)
			rule_diag_print(stderr, &d->v[k]);
		assert_int_not_equal(d->v[k].code, LOAD_UNKNOWN_SOURCE);
		assert_int_not_equal(d->v[k].code, LOAD_UNKNOWN_ITEM);
	}
	assert_int_equal(errors, 0);
	struct rule_set *rs = rule_loader_build(l);
	assert_non_null(rs);
	printf("upstream rules: %zu rules, %zu macros, %zu lists loaded; %zu warnings\n", rule_set_count(rs),
	       rule_set_macro_count(rs), rule_set_list_count(rs), warnings);
	assert_int_equal(rule_set_count(rs), found[K_RULE].n);
	assert_int_equal(rule_set_macro_count(rs), found[K_MACRO].n);
	assert_int_equal(rule_set_list_count(rs), found[K_LIST].n);
	/* every rule kept its name, in file order */
	for (size_t i = 0; i < found[K_RULE].n; i++)
		assert_string_equal(rule_set_rule(rs, i)->name, found[K_RULE].v[i]);
	/* stable rules are on by default and indexed */
	size_t enabled = 0;
	for (size_t i = 0; i < rule_set_count(rs); i++)
		enabled += rule_set_rule(rs, i)->enabled != 0;
	assert_true(enabled > 0);
	assert_true(rule_set_evttypes(rs, NULL, 0) > 0);
	/* the audit rules are indexed under the plugin event, and only they are */
	size_t audit = 0;
	for (size_t i = 0; i < rule_set_count(rs); i++)
		audit += !strcmp(rule_set_rule(rs, i)->source, "k8s_audit");
	assert_int_equal(audit, 48);
	assert_true(rule_set_wants(rs, SK_EV_PLUGINEVENT_E));
	rule_set_free(rs);
	rule_loader_free(l);
	for (int k = 0; k < K_N; k++)
		names_free(&found[k]);
	for (size_t i = 0; i < NFILES; i++)
		free(text[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upstream_load_and_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
