/* json/read.c: a small read-only JSON walker (no allocation) for container metadata records. */
#include "json/json.h"

#include <string.h>

int json_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* End of the value starting at p (bounded by e), or NULL if malformed. */
static const char *value_end(const char *p, const char *e, int depth)
{
	if (p >= e || depth > 64)
		return NULL;
	if (*p == '"') {
		for (p++; p < e; p++) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				return p + 1;
		}
		return NULL;
	}
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = skip_ws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = value_end(p, e, depth + 1); /* key */
				if (!p)
					return NULL;
				p = skip_ws(p, e);
				if (p >= e || *p != ':')
					return NULL;
				p = skip_ws(p + 1, e);
			}
			p = value_end(p, e, depth + 1);
			if (!p)
				return NULL;
			p = skip_ws(p, e);
			if (p < e && *p == ',') {
				p = skip_ws(p + 1, e);
				continue;
			}
			if (p < e && *p == close)
				return p + 1;
			return NULL;
		}
	}
	while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t')
		p++;
	return p;
}

struct json_span json_from_text(const char *text)
{
	struct json_span s = { text, text ? strlen(text) : 0 };
	const char *e = s.p + s.n;
	s.p = skip_ws(s.p, e);
	const char *end = value_end(s.p, e, 0);
	s.n = end ? (size_t)(end - s.p) : 0;
	return s;
}

int json_next_member(struct json_span v, size_t *cursor, struct json_span *key, struct json_span *val)
{
	const char *e = v.p + v.n;
	if (v.n < 2 || v.p[0] != '{')
		return -1;
	const char *p = *cursor ? v.p + *cursor : skip_ws(v.p + 1, e);
	p = skip_ws(p, e);
	if (p < e && *p == ',')
		p = skip_ws(p + 1, e);
	if (p >= e || *p != '"')
		return -1;
	const char *ke = value_end(p, e, 0);
	if (!ke)
		return -1;
	key->p = p + 1;
	key->n = (size_t)(ke - p - 2);
	p = skip_ws(ke, e);
	if (p >= e || *p != ':')
		return -1;
	p = skip_ws(p + 1, e);
	const char *ve = value_end(p, e, 0);
	if (!ve)
		return -1;
	val->p = p;
	val->n = (size_t)(ve - p);
	*cursor = (size_t)(ve - v.p);
	return 0;
}

int json_get(struct json_span v, const char *key, struct json_span *out)
{
	size_t cursor = 0, kl = strlen(key);
	struct json_span k, val;
	while (json_next_member(v, &cursor, &k, &val) == 0)
		if (k.n == kl && memcmp(k.p, key, kl) == 0) {
			*out = val;
			return 0;
		}
	return -1;
}

int json_index(struct json_span v, size_t i, struct json_span *out)
{
	const char *e = v.p + v.n;
	if (v.n < 2 || v.p[0] != '[')
		return -1;
	const char *p = skip_ws(v.p + 1, e);
	for (size_t k = 0; p < e && *p != ']'; k++) {
		const char *ve = value_end(p, e, 0);
		if (!ve)
			return -1;
		if (k == i) {
			out->p = p;
			out->n = (size_t)(ve - p);
			return 0;
		}
		p = skip_ws(ve, e);
		if (p < e && *p == ',')
			p = skip_ws(p + 1, e);
	}
	return -1;
}

long json_text(struct json_span v, char *buf, size_t cap)
{
	if (cap == 0 || v.n == 0)
		return -1;
	size_t n = 0;
	if (v.p[0] != '"') {
		if (v.n == 4 && memcmp(v.p, "null", 4) == 0)
			return -1;
		n = v.n < cap - 1 ? v.n : cap - 1;
		memcpy(buf, v.p, n);
		buf[n] = '\0';
		return (long)n;
	}
	for (size_t i = 1; i + 1 < v.n && n + 1 < cap; i++) {
		char ch = v.p[i];
		if (ch == '\\' && i + 2 < v.n) {
			char esc = v.p[++i];
			switch (esc) {
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case 'r': ch = '\r'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'u': {
				int cp = 0;
				for (int k = 0; k < 4 && i + 1 < v.n - 1; k++) {
					int h = json_hex_digit(v.p[++i]);
					cp = cp * 16 + (h < 0 ? 0 : h);
				}
				/* BMP code points as UTF-8; enough for names and labels */
				if (cp < 0x80) {
					ch = (char)cp;
				} else if (cp < 0x800) {
					if (n + 2 >= cap)
						goto done;
					buf[n++] = (char)(0xC0 | (cp >> 6));
					ch = (char)(0x80 | (cp & 0x3f));
				} else {
					if (n + 3 >= cap)
						goto done;
					buf[n++] = (char)(0xE0 | (cp >> 12));
					buf[n++] = (char)(0x80 | ((cp >> 6) & 0x3f));
					ch = (char)(0x80 | (cp & 0x3f));
				}
				break;
			}
			default: ch = esc; break;
			}
		}
		buf[n++] = ch;
	}
done:
	buf[n] = '\0';
	return (long)n;
}

int json_bool(struct json_span v)
{
	if (v.n == 4 && memcmp(v.p, "true", 4) == 0)
		return 1;
	if (v.n == 5 && memcmp(v.p, "false", 5) == 0)
		return 0;
	if (v.n > 0 && v.p[0] >= '0' && v.p[0] <= '9')
		return v.p[0] != '0';
	return -1;
}
