/* bench/bench_json.c: JSON parse speed on the Kubernetes audit events of Falco's former suite: json/ against jansson and json-c. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_util.h"
#include "bench/json_libs.h"
#include "json/json.h"

/*
 * Why saker parses audit events with json/doc.c rather than a library
 * (docs/k8s-audit.md): on the same events, in the same process, this prints
 * per parser the events/s and MB/s of
 *   parse:   the document alone (jansson json_loadb + json_decref, json-c
 *            json_tokener_parse_ex + json_object_put, json_doc_parse);
 *   extract: the document plus the lookups the k8s_audit rules do per event
 *            (user, verb, objectRef, stage, the first container's image and
 *            securityContext, annotations), as an extractor would.
 * The summary line the bench scripts read:
 *   json PARSER: events N parse R ev/s M MB/s extract R2 ev/s
 * Usage: bench_json [DIR with *.json audit files] (default: the suite's)
 */

#define MAX_EVENTS 4096

struct corpus {
	char *line[MAX_EVENTS];
	size_t len[MAX_EVENTS];
	size_t n, bytes;
};

static void load_dir(struct corpus *c, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) && c->n < MAX_EVENTS) {
		size_t nl = strlen(de->d_name);
		if (nl < 5 || strcmp(de->d_name + nl - 5, ".json"))
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		char *buf = NULL;
		size_t cap = 0;
		ssize_t k;
		while ((k = getline(&buf, &cap, f)) > 0 && c->n < MAX_EVENTS) {
			while (k && (buf[k - 1] == '\n' || buf[k - 1] == '\r'))
				k--;
			/* only audit events: the suite's one deliberately broken line is no event */
			if (k < 2 || !strstr(buf, "\"auditID\""))
				continue;
			c->line[c->n] = strndup(buf, (size_t)k);
			c->len[c->n] = (size_t)k;
			c->bytes += (size_t)k;
			c->n++;
		}
		free(buf);
		fclose(f);
	}
	closedir(d);
}

/* The lookups an event's evaluation does, as paths of keys. */
static const char *const paths[][5] = {
	{"user", "username"}, {"verb"}, {"objectRef", "resource"}, {"objectRef", "subresource"},
	{"objectRef", "namespace"}, {"objectRef", "name"}, {"stage"}, {"requestURI"},
	{"responseStatus", "code"}, {"annotations", "authorization.k8s.io/decision"},
	{"requestObject", "spec", "hostNetwork"}, {"responseObject", "metadata", "name"},
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static size_t path_len(const char *const *p)
{
	size_t n = 0;
	while (n < 5 && p[n])
		n++;
	return n;
}

/* ---- one function per parser: parse (and look up when extract); returns a checksum ---- */

static size_t run_doc(struct json_doc *d, const char *s, size_t n, int extract)
{
	if (json_doc_parse(d, s, n) < 0)
		return 0;
	size_t sum = d->n;
	if (!extract)
		return sum;
	for (size_t i = 0; i < NPATHS; i++)
		sum += json_doc_path(d, 0, paths[i], path_len(paths[i])) != JSON_NONE;
	uint32_t c = json_doc_path(d, 0, (const char *const[]){"requestObject", "spec", "containers"}, 3);
	uint32_t c0 = json_doc_index(d, c, 0);
	sum += json_doc_get(d, c0, "image") != JSON_NONE;
	sum += json_doc_path(d, c0, (const char *const[]){"securityContext", "privileged"}, 2) != JSON_NONE;
	return sum;
}

static size_t run_walker(const char *s, size_t n, int extract)
{
	/* json/read.c validates nothing and builds nothing: "parse" is finding
	 * the end of the document, every lookup scans the text again */
	struct json_span root = { s, n }, v;
	size_t sum = json_index(root, 0, &v) == 0;
	size_t cur = 0;
	struct json_span k;
	while (json_next_member(root, &cur, &k, &v) == 0)
		sum++;
	if (!extract)
		return sum;
	for (size_t i = 0; i < NPATHS; i++) {
		struct json_span x = root;
		size_t j = 0;
		for (; j < path_len(paths[i]); j++)
			if (json_get(x, paths[i][j], &x) < 0)
				break;
		sum += j == path_len(paths[i]);
	}
	struct json_span c, c0, img;
	if (json_get(root, "requestObject", &c) == 0 && json_get(c, "spec", &c) == 0 &&
	    json_get(c, "containers", &c) == 0 && json_index(c, 0, &c0) == 0) {
		sum += json_get(c0, "image", &img) == 0;
		sum += json_get(c0, "securityContext", &img) == 0 && json_get(img, "privileged", &img) == 0;
	}
	return sum;
}

enum parser { P_DOC, P_WALKER, P_JANSSON, P_JSONC, P__N };
static const char *const names[P__N] = {"json/doc.c", "json/read.c-walker", "jansson-2.14", "json-c-0.16"};

/* Events per second of parser p over the corpus, best of 5 runs of >= 0.2 s. */
static double measure(const struct corpus *c, int p, int extract, struct json_doc *d, size_t *check)
{
	const struct bench_json_paths bp = { paths, NPATHS };
	double best = 0;
	for (int run = 0; run < 5; run++) {
		size_t events = 0, sum = 0;
		double t0 = bench_now(), dt;
		do {
			for (size_t i = 0; i < c->n; i++) {
				switch (p) {
				case P_DOC: sum += run_doc(d, c->line[i], c->len[i], extract); break;
				case P_WALKER: sum += run_walker(c->line[i], c->len[i], extract); break;
				case P_JANSSON: sum += bench_jansson_run(c->line[i], c->len[i], extract, &bp); break;
				default: sum += bench_jsonc_run(c->line[i], c->len[i], extract, &bp); break;
				}
			}
			events += c->n;
			dt = bench_now() - t0;
		} while (dt < 0.2);
		if (events / dt > best)
			best = (double)events / dt;
		*check = sum;
	}
	return best;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "../shared/peers/falco-tests/trace_files/k8s_audit";
	struct corpus c = {0};
	load_dir(&c, dir);
	if (!c.n) {
		fprintf(stderr, "bench_json: no audit events in %s\n", dir);
		return 1;
	}
	printf("bench_json: %zu audit events, %zu bytes (mean %zu bytes/event) from %s\n", c.n, c.bytes,
	       c.bytes / c.n, dir);
	struct json_doc d;
	json_doc_init(&d);
	for (int p = 0; p < P__N; p++) {
		size_t chk;
		double parse = measure(&c, p, 0, &d, &chk);
		double extract = measure(&c, p, 1, &d, &chk);
		printf("json %s: events %zu parse %.0f ev/s %.1f MB/s extract %.0f ev/s\n", names[p], c.n, parse,
		       parse * (double)c.bytes / (double)c.n / 1e6, extract);
	}
	bench_jsonc_done();
	json_doc_free(&d);
	for (size_t i = 0; i < c.n; i++)
		free(c.line[i]);
	return 0;
}
