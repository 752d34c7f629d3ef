/* rules/json.h: bounded output buffer and JSON string escaping used by the output formats. */
#ifndef SAKER_RULES_JSON_H
#define SAKER_RULES_JSON_H

#include <stddef.h>
#include <stdio.h>

/* Appends silently truncate; buf stays NUL-terminated. */
struct obuf {
	char *buf;
	size_t cap, len;
};

void obuf_init(struct obuf *o, char *buf, size_t cap);
void obuf_put(struct obuf *o, const char *s, size_t len);
void obuf_puts(struct obuf *o, const char *s);
/* A JSON string literal (with quotes), rules.md 4.4: '"' and '\' escaped,
 * control bytes as \n \t ... or \u00XX, everything else raw ('/' too). */
void obuf_json_string(struct obuf *o, const char *s, size_t len);
/* The same escaping, written to f (s NUL-terminated; NULL prints ""). */
void json_fput_string(FILE *f, const char *s);

#endif
