/* replay/json_lite.h: a small read-only JSON walker for container metadata records. */
#ifndef SAKER_REPLAY_JSON_LITE_H
#define SAKER_REPLAY_JSON_LITE_H

#include <stddef.h>

/* A span of JSON text: one value (object, array, string with quotes, number, literal). */
struct jspan {
	const char *p;
	size_t n;
};

/* Member `key` of object v. Returns 0 and fills *out, or -1. */
int json_get(struct jspan v, const char *key, struct jspan *out);
/* Element i of array v. */
int json_index(struct jspan v, size_t i, struct jspan *out);
/* Iterate an object: *cursor starts at 0; returns 0 with key/value, -1 at the end. */
int json_next_member(struct jspan v, size_t *cursor, struct jspan *key, struct jspan *val);
/* A string value unescaped into buf (cap bytes, NUL-terminated); numbers and
 * literals are copied as text. Returns the length, or -1. */
long json_text(struct jspan v, char *buf, size_t cap);
/* true/false/number as an integer; -1 if not one. */
int json_bool(struct jspan v);
/* Whole text as a span (skips leading blanks). */
struct jspan json_span(const char *text);

#endif
