/* json/json.h: JSON text: a bounded writer with Falco's string escaping, a zero-copy walker, and a validating token-array parser. */
#ifndef SAKER_JSON_JSON_H
#define SAKER_JSON_JSON_H

/*
 * json/ owns: writing JSON into caller-owned buffers (alert lines,
 * output_fields, reports) and walking JSON text in place (container
 * metadata records, test expectations) and parsing whole documents into
 * a flat token array (Kubernetes audit events, json.* fields).
 * It calls nothing else of saker: every layer may use it.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- writing (json/write.c) ---- */

/* A bounded output buffer: appends silently truncate; buf stays NUL-terminated. */
struct json_buf {
	char *buf;
	size_t cap, len;
};

void json_buf_init(struct json_buf *o, char *buf, size_t cap);
void json_buf_put(struct json_buf *o, const char *s, size_t len);
void json_buf_puts(struct json_buf *o, const char *s);
/* A JSON string literal (with quotes), rules.md 4.4: '"' and '\' escaped,
 * control bytes as \n \t ... or \u00XX, everything else raw ('/' too). */
void json_buf_string(struct json_buf *o, const char *s, size_t len);
/* The same escaping, written to f (s NUL-terminated; NULL prints ""). */
void json_fput_string(FILE *f, const char *s);

/* ---- reading (json/read.c): no allocation, values point into the text ---- */

/* A span of JSON text: one value (object, array, string with quotes, number, literal). */
struct json_span {
	const char *p;
	size_t n;
};

/* Member `key` of object v. Returns 0 and fills *out, or -1. */
int json_get(struct json_span v, const char *key, struct json_span *out);
/* Element i of array v. */
int json_index(struct json_span v, size_t i, struct json_span *out);
/* Iterate an object: *cursor starts at 0; returns 0 with key/value, -1 at the end. */
int json_next_member(struct json_span v, size_t *cursor, struct json_span *key, struct json_span *val);
/* A string value unescaped into buf (cap bytes, NUL-terminated); numbers and
 * literals are copied as text. Returns the length, or -1. */
long json_text(struct json_span v, char *buf, size_t cap);

/* The value of one hexadecimal digit, or -1: shared by every parser of
 * escapes and hex text (JSON, rule strings, HTTP chunk sizes). */
int json_hex_digit(int c);
/* true/false/number as an integer; -1 if not one. */
int json_bool(struct json_span v);
/* Whole text as a span (skips leading blanks). */
struct json_span json_from_text(const char *text);

/* ---- parsed documents (json/doc.c) ----
 *
 * json_doc_parse validates a document (RFC 8259: UTF-8, strict numbers and
 * escapes, no trailing commas, no surrogate halves, nesting up to
 * JSON_MAX_DEPTH) in one pass and lists its values in document order, each
 * as a token pointing into the text (nothing is copied). An object's token is
 * followed by its members as (key, value) token pairs, an array's by its
 * elements; `end` is the index just past a value and everything inside it,
 * so siblings are one step apart:
 *
 *   for (uint32_t i = arr + 1; i < d->tok[arr].end; i = d->tok[i].end)      elements
 *   for (uint32_t k = obj + 1; k < d->tok[obj].end; k = d->tok[k + 1].end)  keys (value: k + 1)
 *
 * The token array is kept between documents: parsing allocates only when a
 * document has more values than every earlier one. Lookups allocate nothing.
 * Duplicate keys are kept; lookups find the first (as fastjson, which
 * Falco's plugins use, does). */

enum json_kind { JSON_K_NULL = 1, JSON_K_FALSE, JSON_K_TRUE, JSON_K_NUMBER, JSON_K_STRING, JSON_K_ARRAY, JSON_K_OBJECT };

#define JSON_MAX_DEPTH 512
#define JSON_NONE UINT32_MAX

struct json_tok {
	uint32_t off, len;   /* the value's text (strings with their quotes) */
	uint32_t end;        /* index past this value's subtree */
	uint8_t kind;        /* enum json_kind */
	uint8_t escaped;     /* strings: holds a backslash escape */
	uint16_t pad;
};

struct json_doc {
	const char *text;
	size_t len;
	struct json_tok *tok;
	uint32_t n, cap;
	const char *err;     /* after a failed parse: what is wrong ... */
	size_t err_off;      /* ... at this byte offset */
};

void json_doc_init(struct json_doc *d);
void json_doc_free(struct json_doc *d);
/* 0, or -1 with d->err and d->err_off set (and no tokens). The root is token 0. */
int json_doc_parse(struct json_doc *d, const char *text, size_t len);
/* Member `key` of object obj (its value's token), or JSON_NONE. */
uint32_t json_doc_get(const struct json_doc *d, uint32_t obj, const char *key);
uint32_t json_doc_getn(const struct json_doc *d, uint32_t obj, const char *key, size_t klen);
/* Members along keys[0..n) from v. */
uint32_t json_doc_path(const struct json_doc *d, uint32_t v, const char *const *keys, size_t n);
/* Element i of array arr, or JSON_NONE. */
uint32_t json_doc_index(const struct json_doc *d, uint32_t arr, size_t i);
/* Elements of an array or members of an object; 0 for other values. */
size_t json_doc_count(const struct json_doc *d, uint32_t v);
/* Whether string token v, unescaped, is s[0..n). */
int json_doc_str_eq(const struct json_doc *d, uint32_t v, const char *s, size_t n);
/* The value an RFC 6901 pointer ("/a/b~1c/0") names from the root, or
 * JSON_NONE; "" is the root. A leading '/' may be left out, as Falco's json
 * plugin allows; array elements are named by their decimal index. */
uint32_t json_doc_pointer(const struct json_doc *d, const char *ptr, size_t len);

static inline struct json_span json_doc_span(const struct json_doc *d, uint32_t v)
{
	struct json_span s = { d->text + d->tok[v].off, d->tok[v].len };
	return s;
}

/* ---- transforms of valid JSON text (json/text.c) ---- */

/* The UTF-8 bytes of code point cp into out (1 to 4); their count. */
size_t json_utf8_put(unsigned cp, char *out);
/* The raw text between a string's quotes, escapes decoded, into out (at
 * least n bytes; out may be s). Returns the length. */
size_t json_unescape(const char *s, size_t n, char *out);
/* Valid JSON text without the blanks between tokens, into out (at least n
 * bytes). Returns the length. */
size_t json_compact(const char *s, size_t n, char *out);
/* Valid JSON text as Go's json.Indent(dst, src, "", "  ") lays it out (Falco's
 * json.obj), into out (cap bytes, NUL-terminated, truncated). Returns the
 * full length, like snprintf. */
size_t json_indent(const char *s, size_t n, char *out, size_t cap);

#endif
