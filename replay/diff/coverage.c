/* replay/diff/coverage.c: rule coverage summed by name over rule sets (test cases, diff), written as text or the JSON of docs/coverage.md. */
#include "replay/diff/diff.h"
#include "json/json.h"
#include "rules/rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct cov_exc {
	char *exception, *values;
	uint64_t suppressed;
};

struct cov_rule_sum {
	char *name;
	int enabled;
	uint64_t reached, passed, base_passed;
	struct cov_exc *exc;
	size_t nexc;
};

struct cov_entry {
	char *name;
	uint64_t made_difference;
};

struct cov_item_sum {
	char *name;
	int used;
	uint64_t made_difference;
	struct cov_entry *items;
	size_t nitems;
};

struct diff_coverage {
	struct cov_rule_sum *rules;
	size_t nrules;
	struct cov_item_sum *macros, *lists;
	size_t nmacros, nlists;
	int oom;
};

struct diff_coverage *diff_coverage_new(void)
{
	return calloc(1, sizeof(struct diff_coverage));
}

static void item_sums_free(struct cov_item_sum *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		for (size_t k = 0; k < v[i].nitems; k++)
			free(v[i].items[k].name);
		free(v[i].items);
	}
	free(v);
}

void diff_coverage_free(struct diff_coverage *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++) {
		free(s->rules[i].name);
		for (size_t k = 0; k < s->rules[i].nexc; k++) {
			free(s->rules[i].exc[k].exception);
			free(s->rules[i].exc[k].values);
		}
		free(s->rules[i].exc);
	}
	free(s->rules);
	item_sums_free(s->macros, s->nmacros);
	item_sums_free(s->lists, s->nlists);
	free(s);
}

/* Grows *v by one zeroed element of size sz; NULL when out of memory. */
static void *grow(void *pv, size_t *n, size_t sz)
{
	void **v = pv;
	char *nv = realloc(*v, (*n + 1) * sz);
	if (!nv)
		return NULL;
	*v = nv;
	memset(nv + *n * sz, 0, sz);
	return nv + (*n)++ * sz;
}

static struct cov_rule_sum *rule_sum(struct diff_coverage *s, const char *name)
{
	for (size_t i = 0; i < s->nrules; i++)
		if (!strcmp(s->rules[i].name, name))
			return &s->rules[i];
	struct cov_rule_sum *r = grow(&s->rules, &s->nrules, sizeof(*r));
	if (r && !(r->name = strdup(name)))
		s->nrules--, r = NULL;
	return r;
}

static struct cov_item_sum *item_sum(struct cov_item_sum **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return &(*v)[i];
	struct cov_item_sum *r = grow(v, n, sizeof(*r));
	if (r && !(r->name = strdup(name)))
		(*n)--, r = NULL;
	return r;
}

static int add_items(struct diff_coverage *s, struct cov_item_sum **v, size_t *n, const struct rule_coverage_item *src,
		     size_t nsrc)
{
	for (size_t i = 0; i < nsrc; i++) {
		struct cov_item_sum *it = item_sum(v, n, src[i].name);
		if (!it)
			return -1;
		it->used |= src[i].used;
		it->made_difference += src[i].made_difference;
		for (size_t k = 0; k < src[i].nitems; k++) {
			struct cov_entry *e = NULL;
			for (size_t j = 0; j < it->nitems && !e; j++)
				if (!strcmp(it->items[j].name, src[i].items[k].item))
					e = &it->items[j];
			if (!e) {
				e = grow(&it->items, &it->nitems, sizeof(*e));
				if (!e || !(e->name = strdup(src[i].items[k].item))) {
					if (e)
						it->nitems--;
					return -1;
				}
			}
			e->made_difference += src[i].items[k].made_difference;
		}
	}
	(void)s;
	return 0;
}

int diff_coverage_add(struct diff_coverage *s, const struct rule_coverage *c)
{
	struct rule_coverage_view v;
	rule_coverage_get(c, &v);
	for (size_t i = 0; i < v.nrules; i++) {
		const struct rule_coverage_rule *r = &v.rules[i];
		struct cov_rule_sum *t = rule_sum(s, r->name);
		if (!t)
			goto oom;
		t->enabled |= r->enabled;
		t->reached += r->reached;
		t->passed += r->passed;
		t->base_passed += r->base_passed;
		for (size_t k = 0; k < r->nexc; k++) {
			struct cov_exc *e = NULL;
			for (size_t j = 0; j < t->nexc && !e; j++)
				if (!strcmp(t->exc[j].exception, r->exc[k].exception) &&
				    !strcmp(t->exc[j].values, r->exc[k].values))
					e = &t->exc[j];
			if (!e) {
				e = grow(&t->exc, &t->nexc, sizeof(*e));
				if (!e)
					goto oom;
				e->exception = strdup(r->exc[k].exception);
				e->values = strdup(r->exc[k].values);
				if (!e->exception || !e->values)
					goto oom;
			}
			e->suppressed += r->exc[k].suppressed;
		}
	}
	if (add_items(s, &s->macros, &s->nmacros, v.macros, v.nmacros) < 0 ||
	    add_items(s, &s->lists, &s->nlists, v.lists, v.nlists) < 0)
		goto oom;
	return 0;
oom:
	s->oom = 1;
	return -1;
}

/* Report order: enabled rules that never fired, rules that fired, rules
 * not enabled; definition (first seen) order within each group. */
static int group(const struct cov_rule_sum *r)
{
	return !r->enabled ? 2 : r->passed ? 1 : 0;
}

static void write_text(FILE *f, const struct diff_coverage *s, uint64_t events, size_t ncaptures)
{
	size_t enabled = 0, never = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		enabled += s->rules[i].enabled != 0;
		never += group(&s->rules[i]) == 0;
	}
	fprintf(f, "Rule coverage: %zu rules (%zu enabled), %zu never fired; %" PRIu64 " events from %zu capture%s\n",
		s->nrules, enabled, never, events, ncaptures, ncaptures == 1 ? "" : "s");
	static const char *const titles[] = {"Rules that never fired:", "Rules that fired:", "Rules not enabled:"};
	for (int g = 0; g < 3; g++) {
		int title = 0;
		for (size_t i = 0; i < s->nrules; i++) {
			const struct cov_rule_sum *r = &s->rules[i];
			if (group(r) != g)
				continue;
			if (!title++)
				fprintf(f, "%s\n", titles[g]);
			if (g == 2) {
				fprintf(f, "  %s\n", r->name);
				continue;
			}
			fprintf(f, "  %s: %" PRIu64 " events reached it, condition passed %" PRIu64, r->name, r->reached,
				r->passed);
			if (r->nexc)
				fprintf(f, " (%" PRIu64 " before exceptions)", r->base_passed);
			fputc('\n', f);
			for (size_t k = 0; k < r->nexc; k++)
				fprintf(f, "    exception %s %s: suppressed %" PRIu64 "\n", r->exc[k].exception,
					r->exc[k].values, r->exc[k].suppressed);
		}
	}
	int title = 0;
	for (size_t i = 0; i < s->nmacros; i++)
		if (s->macros[i].used && !s->macros[i].made_difference)
			fprintf(f, "%s  %s\n", title++ ? "" : "Macros that never made a difference:\n", s->macros[i].name);
	title = 0;
	for (size_t i = 0; i < s->nlists; i++) {
		const struct cov_item_sum *l = &s->lists[i];
		if (!l->used)
			continue;
		int first = 1;
		for (size_t k = 0; k < l->nitems; k++) {
			if (l->items[k].made_difference)
				continue;
			if (!title++)
				fputs("List items that never made a difference:\n", f);
			fprintf(f, first ? "  %s: %s" : ", %s", first ? l->name : l->items[k].name, l->items[k].name);
			first = 0;
		}
		if (!first)
			fputc('\n', f);
	}
	title = 0;
	for (size_t i = 0; i < s->nmacros; i++)
		if (!s->macros[i].used)
			fprintf(f, "%s  %s\n", title++ ? "" : "Macros no enabled rule uses:\n", s->macros[i].name);
	title = 0;
	for (size_t i = 0; i < s->nlists; i++)
		if (!s->lists[i].used)
			fprintf(f, "%s  %s\n", title++ ? "" : "Lists no enabled rule uses:\n", s->lists[i].name);
}

static void write_json(FILE *f, const struct diff_coverage *s, uint64_t events, size_t ncaptures)
{
	fprintf(f, "{\"version\":1,\"events\":%" PRIu64 ",\"captures\":%zu,\"rules\":[", events, ncaptures);
	int first = 1;
	for (int g = 0; g < 3; g++)
		for (size_t i = 0; i < s->nrules; i++) {
			const struct cov_rule_sum *r = &s->rules[i];
			if (group(r) != g)
				continue;
			fputs(first ? "{\"rule\":" : ",{\"rule\":", f);
			first = 0;
			json_fput_string(f, r->name);
			fprintf(f,
				",\"enabled\":%s,\"fired\":%s,\"events_reached\":%" PRIu64 ",\"condition_passed\":%" PRIu64
				",\"passed_before_exceptions\":%" PRIu64 ",\"exceptions\":[",
				r->enabled ? "true" : "false", r->passed ? "true" : "false", r->reached, r->passed,
				r->base_passed);
			for (size_t k = 0; k < r->nexc; k++) {
				fputs(k ? ",{\"exception\":" : "{\"exception\":", f);
				json_fput_string(f, r->exc[k].exception);
				fputs(",\"values\":", f);
				json_fput_string(f, r->exc[k].values);
				fprintf(f, ",\"suppressed\":%" PRIu64 "}", r->exc[k].suppressed);
			}
			fputs("]}", f);
		}
	fputs("],\"macros\":[", f);
	for (size_t i = 0; i < s->nmacros; i++) {
		fputs(i ? ",{\"macro\":" : "{\"macro\":", f);
		json_fput_string(f, s->macros[i].name);
		fprintf(f, ",\"used\":%s,\"made_a_difference\":%" PRIu64 "}", s->macros[i].used ? "true" : "false",
			s->macros[i].made_difference);
	}
	fputs("],\"lists\":[", f);
	for (size_t i = 0; i < s->nlists; i++) {
		const struct cov_item_sum *l = &s->lists[i];
		fputs(i ? ",{\"list\":" : "{\"list\":", f);
		json_fput_string(f, l->name);
		fprintf(f, ",\"used\":%s,\"made_a_difference\":%" PRIu64 ",\"items\":[", l->used ? "true" : "false",
			l->made_difference);
		for (size_t k = 0; k < l->nitems; k++) {
			fputs(k ? ",{\"item\":" : "{\"item\":", f);
			json_fput_string(f, l->items[k].name);
			fprintf(f, ",\"made_a_difference\":%" PRIu64 "}", l->items[k].made_difference);
		}
		fputs("]}", f);
	}
	fputs("],\"never_fired\":[", f);
	first = 1;
	for (size_t i = 0; i < s->nrules; i++)
		if (group(&s->rules[i]) == 0) {
			if (!first)
				fputc(',', f);
			first = 0;
			json_fput_string(f, s->rules[i].name);
		}
	fputs("],\"never_made_a_difference\":{\"macros\":[", f);
	first = 1;
	for (size_t i = 0; i < s->nmacros; i++)
		if (s->macros[i].used && !s->macros[i].made_difference) {
			if (!first)
				fputc(',', f);
			first = 0;
			json_fput_string(f, s->macros[i].name);
		}
	fputs("],\"list_items\":[", f);
	first = 1;
	for (size_t i = 0; i < s->nlists; i++)
		for (size_t k = 0; s->lists[i].used && k < s->lists[i].nitems; k++)
			if (!s->lists[i].items[k].made_difference) {
				fputs(first ? "{\"list\":" : ",{\"list\":", f);
				first = 0;
				json_fput_string(f, s->lists[i].name);
				fputs(",\"item\":", f);
				json_fput_string(f, s->lists[i].items[k].name);
				fputc('}', f);
			}
	fputs("]}}\n", f);
}

int diff_coverage_write(const char *path, const struct diff_coverage *s, int json, uint64_t events, size_t ncaptures)
{
	if (s->oom) {
		fprintf(stderr, "saker-replay: coverage: out of memory\n");
		return -1;
	}
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f) {
		fprintf(stderr, "saker-replay: coverage: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (json)
		write_json(f, s, events, ncaptures);
	else
		write_text(f, s, events, ncaptures);
	int bad = ferror(f);
	if (f != stdout ? fclose(f) != 0 : fflush(f) != 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "saker-replay: coverage: %s: write error\n", path);
		return -1;
	}
	return 0;
}

int diff_coverage_is_json(const char *path)
{
	size_t n = strlen(path);
	return n >= 5 && !strcmp(path + n - 5, ".json");
}
