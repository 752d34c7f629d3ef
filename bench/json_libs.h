/* bench/json_libs.h: the Debian JSON libraries (jansson, json-c) behind one call each, for bench_json (their headers clash with json/json.h and with each other). */
#ifndef SAKER_BENCH_JSON_LIBS_H
#define SAKER_BENCH_JSON_LIBS_H

#include <stddef.h>

/* Lookups of one event: paths of up to 5 keys, unused ones NULL. */
struct bench_json_paths {
	const char *const (*keys)[5];
	size_t n;
};

/* Parses s[0..n) and, when extract, looks up every path plus the first
 * container's image and securityContext.privileged; frees the document.
 * Returns a checksum (0 when the text does not parse). */
size_t bench_jansson_run(const char *s, size_t n, int extract, const struct bench_json_paths *p);
/* The same with json-c; the tokener is created on first use and kept. */
size_t bench_jsonc_run(const char *s, size_t n, int extract, const struct bench_json_paths *p);
void bench_jsonc_done(void);

#endif
