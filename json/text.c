/* json/text.c: transforms of valid JSON text: string unescaping, compact form, Go-style indentation. */
#include "json/json.h"

#include <string.h>

size_t json_utf8_put(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static unsigned hex4u(const char *p)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return v;
}

size_t json_unescape(const char *s, size_t n, char *out)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const char *bs = memchr(s + i, '\\', n - i);
		size_t plain = bs ? (size_t)(bs - (s + i)) : n - i;
		memmove(out + k, s + i, plain);
		k += plain;
		i += plain;
		if (i >= n || i + 1 >= n)
			break;
		char c = s[++i];
		switch (c) {
		case 'b': out[k++] = '\b'; break;
		case 'f': out[k++] = '\f'; break;
		case 'n': out[k++] = '\n'; break;
		case 'r': out[k++] = '\r'; break;
		case 't': out[k++] = '\t'; break;
		case 'u': {
			if (i + 4 >= n)
				return k;
			unsigned cp = hex4u(s + i + 1);
			i += 4;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < n && s[i + 1] == '\\' && s[i + 2] == 'u') {
				unsigned lo = hex4u(s + i + 3);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			k += json_utf8_put(cp, out + k);
			break;
		}
		default: out[k++] = c; break;
		}
	}
	return k;
}

size_t json_compact(const char *s, size_t n, char *out)
{
	size_t k = 0;
	int in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			out[k++] = c;
			if (c == '\\' && i + 1 < n)
				out[k++] = s[++i];
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '"')
			in_str = 1;
		out[k++] = c;
	}
	return k;
}

/* Appends c to out while counting every byte, like snprintf. */
static void put(char *out, size_t cap, size_t *k, char c)
{
	if (*k + 1 < cap)
		out[*k] = c;
	(*k)++;
}

static void newline(char *out, size_t cap, size_t *k, int depth)
{
	put(out, cap, k, '\n');
	for (int i = 0; i < depth; i++) {
		put(out, cap, k, ' ');
		put(out, cap, k, ' ');
	}
}

/* The layout of Go's json.Indent(dst, src, "", "  "), which Falco's json
 * plugin uses for json.obj: one member or element per line, "key": value,
 * empty containers kept as {} and []. */
size_t json_indent(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	int depth = 0, in_str = 0, need_indent = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			put(out, cap, &k, c);
			if (c == '\\' && i + 1 < n)
				put(out, cap, &k, s[++i]);
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (need_indent && c != '}' && c != ']') {
			need_indent = 0;
			newline(out, cap, &k, ++depth);
		}
		switch (c) {
		case '{':
		case '[':
			need_indent = 1;
			put(out, cap, &k, c);
			break;
		case ',':
			put(out, cap, &k, c);
			newline(out, cap, &k, depth);
			break;
		case ':':
			put(out, cap, &k, c);
			put(out, cap, &k, ' ');
			break;
		case '}':
		case ']':
			if (need_indent)
				need_indent = 0;
			else
				newline(out, cap, &k, --depth);
			put(out, cap, &k, c);
			break;
		case '"':
			in_str = 1;
			put(out, cap, &k, c);
			break;
		default:
			put(out, cap, &k, c);
			break;
		}
	}
	if (cap)
		out[k < cap ? k : cap - 1] = '\0';
	return k;
}
