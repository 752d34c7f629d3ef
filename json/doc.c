/* json/doc.c: a validating JSON parser that builds a flat token array (values point into the text) and lookups over it. */
#include "json/json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * One pass over the text, no recursion: containers open on an explicit
 * stack and their `end` is patched when they close. Every token is 16 bytes
 * and the array is kept between documents, so parsing allocates only when a
 * document has more values than any before it.
 */

/* Bytes that end the fast scan of a string: quote, backslash, controls, non-ASCII. */
static const uint8_t str_special[256] = {
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,
	0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
	1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
};

void json_doc_init(struct json_doc *d)
{
	memset(d, 0, sizeof(*d));
}

void json_doc_free(struct json_doc *d)
{
	free(d->tok);
	memset(d, 0, sizeof(*d));
}

static int fail(struct json_doc *d, const char *p, const char *msg)
{
	d->err = msg;
	d->err_off = (size_t)(p - d->text);
	d->n = 0;
	return -1;
}

static uint32_t push_tok(struct json_doc *d, uint8_t kind, const char *p)
{
	if (d->n == d->cap) {
		uint32_t cap = d->cap ? 2 * d->cap : 256;
		struct json_tok *t = realloc(d->tok, (size_t)cap * sizeof(*t));
		if (!t)
			return JSON_NONE;
		d->tok = t;
		d->cap = cap;
	}
	struct json_tok *t = &d->tok[d->n];
	t->off = (uint32_t)(p - d->text);
	t->len = 0;
	t->end = d->n + 1;
	t->kind = kind;
	t->escaped = 0;
	t->pad = 0;
	return d->n++;
}

/* \uXXXX at p (p at the 'u'); the code unit, or -1. */
static int hex4(const char *p, const char *e)
{
	if (e - p < 5)
		return -1;
	int v = 0;
	for (int i = 1; i <= 4; i++) {
		int h = json_hex_digit((unsigned char)p[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0 (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
	unsigned c = p[0];
	size_t n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)(e - p) < n)
		return 0;
	unsigned cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* The string starting at *pp (the opening quote); on success *pp is past the
 * closing quote. */
static int scan_string(struct json_doc *d, const char **pp, uint8_t *escaped)
{
	const unsigned char *p = (const unsigned char *)*pp + 1;
	const unsigned char *e = (const unsigned char *)d->text + d->len;
	for (;;) {
		while (p < e && !str_special[*p])
			p++;
		if (p >= e)
			return fail(d, (const char *)p, "unterminated string");
		unsigned c = *p;
		if (c == '"') {
			*pp = (const char *)p + 1;
			return 0;
		}
		if (c < 0x20)
			return fail(d, (const char *)p, "control character in string");
		if (c >= 0x80) {
			size_t n = utf8_len(p, e);
			if (!n)
				return fail(d, (const char *)p, "invalid UTF-8 in string");
			p += n;
			continue;
		}
		/* backslash */
		*escaped = 1;
		if (p + 1 >= e)
			return fail(d, (const char *)p, "unterminated string");
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
			p += 2;
			continue;
		case 'u':
			break;
		default:
			return fail(d, (const char *)p, "invalid escape in string");
		}
		int u = hex4((const char *)p + 1, (const char *)e);
		if (u < 0)
			return fail(d, (const char *)p, "invalid \\u escape in string");
		p += 6;
		if (u >= 0xdc00 && u <= 0xdfff)
			return fail(d, (const char *)p - 6, "lone low surrogate in string");
		if (u >= 0xd800 && u <= 0xdbff) {
			int lo = p + 1 < e && p[0] == '\\' ? hex4((const char *)p + 1, (const char *)e) : -1;
			if (p + 1 >= e || p[1] != 'u' || lo < 0xdc00 || lo > 0xdfff)
				return fail(d, (const char *)p - 6, "lone high surrogate in string");
			p += 6;
		}
	}
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(struct json_doc *d, const char **pp)
{
	const char *p = *pp, *e = d->text + d->len;
	if (*p == '-')
		p++;
	if (p >= e || !is_digit(*p))
		return fail(d, p, "invalid number");
	if (*p == '0')
		p++;
	else
		while (p < e && is_digit(*p))
			p++;
	if (p < e && *p == '.') {
		p++;
		if (p >= e || !is_digit(*p))
			return fail(d, p, "invalid number");
		while (p < e && is_digit(*p))
			p++;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p >= e || !is_digit(*p))
			return fail(d, p, "invalid number");
		while (p < e && is_digit(*p))
			p++;
	}
	*pp = p;
	return 0;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	return p;
}

/* One scalar or the opening of a container at p; *pp moves past it. */
static int parse_value(struct json_doc *d, const char **pp, uint32_t *stack, int *sp)
{
	const char *p = *pp, *e = d->text + d->len;
	if (p >= e)
		return fail(d, p, "unexpected end of input, expecting a value");
	uint8_t kind;
	const char *start = p;
	uint8_t escaped = 0;
	switch (*p) {
	case '{':
	case '[':
		if (*sp >= JSON_MAX_DEPTH)
			return fail(d, p, "nesting too deep");
		kind = *p == '{' ? JSON_K_OBJECT : JSON_K_ARRAY;
		break;
	case '"':
		if (scan_string(d, &p, &escaped) < 0)
			return -1;
		kind = JSON_K_STRING;
		break;
	case 't':
		if (e - p < 4 || memcmp(p, "true", 4))
			return fail(d, p, "invalid literal");
		p += 4;
		kind = JSON_K_TRUE;
		break;
	case 'f':
		if (e - p < 5 || memcmp(p, "false", 5))
			return fail(d, p, "invalid literal");
		p += 5;
		kind = JSON_K_FALSE;
		break;
	case 'n':
		if (e - p < 4 || memcmp(p, "null", 4))
			return fail(d, p, "invalid literal");
		p += 4;
		kind = JSON_K_NULL;
		break;
	default:
		if (*p != '-' && !is_digit(*p))
			return fail(d, p, "unexpected character, expecting a value");
		if (scan_number(d, &p) < 0)
			return -1;
		kind = JSON_K_NUMBER;
		break;
	}
	uint32_t t = push_tok(d, kind, start);
	if (t == JSON_NONE)
		return fail(d, start, "out of memory");
	if (kind == JSON_K_OBJECT || kind == JSON_K_ARRAY) {
		stack[(*sp)++] = t;
		p++;
	} else {
		d->tok[t].len = (uint32_t)(p - start);
		d->tok[t].escaped = escaped;
	}
	*pp = p;
	return 0;
}

int json_doc_parse(struct json_doc *d, const char *text, size_t len)
{
	uint32_t stack[JSON_MAX_DEPTH];
	int sp = 0;
	d->text = text;
	d->len = len;
	d->n = 0;
	d->err = NULL;
	d->err_off = 0;
	if (len >= UINT32_MAX)
		return fail(d, text, "document larger than 4 GiB");
	const char *p = text, *e = text + len;
	p = skip_ws(p, e);
	if (parse_value(d, &p, stack, &sp) < 0)
		return -1;
	while (sp > 0) {
		struct json_tok *c = &d->tok[stack[sp - 1]];
		int is_obj = c->kind == JSON_K_OBJECT;
		char close = is_obj ? '}' : ']';
		p = skip_ws(p, e);
		if (p >= e)
			return fail(d, p, is_obj ? "unexpected end of input in an object" :
					       "unexpected end of input in an array");
		if (*p == close) {
			/* empty container, or the end after a member */
			c->len = (uint32_t)(p + 1 - (text + c->off));
			c->end = d->n;
			sp--;
			p++;
			continue;
		}
		if (stack[sp - 1] + 1 != d->n) {
			/* not the first member: a comma comes first */
			if (*p != ',')
				return fail(d, p, is_obj ? "expecting ',' or '}'" : "expecting ',' or ']'");
			p = skip_ws(p + 1, e);
		}
		if (is_obj) {
			if (p >= e)
				return fail(d, p, "unexpected end of input in an object");
			if (*p != '"')
				return fail(d, p, "expecting a string key");
			if (parse_value(d, &p, stack, &sp) < 0)
				return -1;
			p = skip_ws(p, e);
			if (p >= e || *p != ':')
				return fail(d, p, "expecting ':' after a key");
			p = skip_ws(p + 1, e);
		}
		if (parse_value(d, &p, stack, &sp) < 0)
			return -1;
	}
	p = skip_ws(p, e);
	if (p != e)
		return fail(d, p, "unexpected text after the value");
	return 0;
}

uint32_t json_doc_getn(const struct json_doc *d, uint32_t obj, const char *key, size_t klen)
{
	if (obj >= d->n || d->tok[obj].kind != JSON_K_OBJECT)
		return JSON_NONE;
	uint32_t end = d->tok[obj].end;
	for (uint32_t k = obj + 1; k < end; k = d->tok[k + 1].end) {
		const struct json_tok *t = &d->tok[k];
		if (t->escaped ? json_doc_str_eq(d, k, key, klen)
			       : t->len - 2 == klen && !memcmp(d->text + t->off + 1, key, klen))
			return k + 1;
	}
	return JSON_NONE;
}

uint32_t json_doc_get(const struct json_doc *d, uint32_t obj, const char *key)
{
	return json_doc_getn(d, obj, key, strlen(key));
}

uint32_t json_doc_path(const struct json_doc *d, uint32_t v, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n && v != JSON_NONE; i++)
		v = json_doc_get(d, v, keys[i]);
	return v;
}

uint32_t json_doc_index(const struct json_doc *d, uint32_t arr, size_t i)
{
	if (arr >= d->n || d->tok[arr].kind != JSON_K_ARRAY)
		return JSON_NONE;
	uint32_t end = d->tok[arr].end;
	for (uint32_t k = arr + 1; k < end; k = d->tok[k].end)
		if (i-- == 0)
			return k;
	return JSON_NONE;
}

size_t json_doc_count(const struct json_doc *d, uint32_t v)
{
	if (v >= d->n || (d->tok[v].kind != JSON_K_ARRAY && d->tok[v].kind != JSON_K_OBJECT))
		return 0;
	size_t n = 0;
	int obj = d->tok[v].kind == JSON_K_OBJECT;
	for (uint32_t k = v + 1; k < d->tok[v].end; k = d->tok[k + obj].end)
		n++;
	return n;
}

/* Bytes of a JSON string's raw text (between the quotes), escapes decoded,
 * one at a time: comparisons need no buffer. */
struct ustr_it {
	const char *p, *e;
	unsigned char pend[4];
	int npend, ipend;
};

static int ustr_next(struct ustr_it *it)
{
	if (it->ipend < it->npend)
		return it->pend[it->ipend++];
	if (it->p >= it->e)
		return -1;
	if (*it->p != '\\')
		return (unsigned char)*it->p++;
	char c = it->p[1];
	it->p += 2;
	switch (c) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: return (unsigned char)c;
	}
	unsigned cp = (unsigned)hex4(it->p - 1, it->e);
	it->p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && it->e - it->p >= 6) {
		unsigned lo = (unsigned)hex4(it->p + 1, it->e);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		it->p += 6;
	}
	it->npend = (int)json_utf8_put(cp, (char *)it->pend);
	it->ipend = 1;
	return it->pend[0];
}

int json_doc_str_eq(const struct json_doc *d, uint32_t v, const char *s, size_t n)
{
	if (v >= d->n || d->tok[v].kind != JSON_K_STRING)
		return 0;
	const struct json_tok *t = &d->tok[v];
	const char *q = d->text + t->off + 1;
	size_t qn = t->len - 2;
	if (!t->escaped)
		return qn == n && !memcmp(q, s, n);
	struct ustr_it it = { .p = q, .e = q + qn };
	for (size_t i = 0; i < n; i++)
		if (ustr_next(&it) != (unsigned char)s[i])
			return 0;
	return ustr_next(&it) < 0;
}

/* Whether key token k equals the RFC 6901 reference token seg (~1 = '/', ~0 = '~'). */
static int key_eq_pointer(const struct json_doc *d, uint32_t k, const char *seg, size_t n)
{
	const struct json_tok *t = &d->tok[k];
	struct ustr_it it = { .p = d->text + t->off + 1, .e = d->text + t->off + t->len - 1 };
	for (size_t i = 0; i < n; i++) {
		int want = (unsigned char)seg[i];
		if (seg[i] == '~' && i + 1 < n && (seg[i + 1] == '0' || seg[i + 1] == '1'))
			want = seg[++i] == '1' ? '/' : '~';
		if (ustr_next(&it) != want)
			return 0;
	}
	return ustr_next(&it) < 0;
}

/* Member of obj named by the pointer token seg. */
static uint32_t get_pointer_token(const struct json_doc *d, uint32_t obj, const char *seg, size_t n)
{
	if (d->tok[obj].kind != JSON_K_OBJECT)
		return JSON_NONE;
	for (uint32_t k = obj + 1; k < d->tok[obj].end; k = d->tok[k + 1].end)
		if (key_eq_pointer(d, k, seg, n))
			return k + 1;
	return JSON_NONE;
}

uint32_t json_doc_pointer(const struct json_doc *d, const char *ptr, size_t len)
{
	if (!d->n)
		return JSON_NONE;
	uint32_t v = 0;
	/* Falco's json plugin takes the leading '/' as optional */
	if (len && ptr[0] == '/') {
		ptr++;
		len--;
	} else if (!len) {
		return v;
	}
	for (;;) {
		const char *slash = memchr(ptr, '/', len);
		size_t seg = slash ? (size_t)(slash - ptr) : len;
		if (d->tok[v].kind == JSON_K_ARRAY) {
			/* an array element by its decimal index */
			size_t idx = 0;
			int ok = seg > 0 && seg < 10;
			for (size_t i = 0; ok && i < seg; i++) {
				ok = is_digit(ptr[i]);
				idx = idx * 10 + (size_t)(ptr[i] - '0');
			}
			v = ok ? json_doc_index(d, v, idx) : JSON_NONE;
		} else {
			v = get_pointer_token(d, v, ptr, seg);
		}
		if (v == JSON_NONE || !slash)
			return v;
		ptr = slash + 1;
		len -= seg + 1;
	}
}
