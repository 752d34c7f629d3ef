/* json/write.c: bounded output buffer and JSON string escaping. */
#include "json/json.h"

#include <stdio.h>
#include <string.h>

void json_buf_init(struct json_buf *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	if (cap)
		buf[0] = 0;
}

void json_buf_put(struct json_buf *o, const char *s, size_t len)
{
	if (!o->cap || o->len >= o->cap - 1)
		return;
	size_t room = o->cap - 1 - o->len;
	if (len > room)
		len = room;
	memcpy(o->buf + o->len, s, len);
	o->len += len;
	o->buf[o->len] = 0;
}

void json_buf_puts(struct json_buf *o, const char *s)
{
	json_buf_put(o, s, strlen(s));
}

/* The escape sequence of byte c in a JSON string, or NULL if it stands as is. */
static const char *json_escape(unsigned char c, char u[8])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	default:
		if (c >= 0x20)
			return NULL;
		snprintf(u, 8, "\\u%04x", c);
		return u;
	}
}

void json_buf_string(struct json_buf *o, const char *s, size_t len)
{
	json_buf_put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		char u[8];
		const char *esc = json_escape((unsigned char)s[i], u);
		if (!esc)
			continue;
		json_buf_put(o, s + run, i - run);
		json_buf_puts(o, esc);
		run = i + 1;
	}
	json_buf_put(o, s + run, len - run);
	json_buf_put(o, "\"", 1);
}

void json_fput_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		char u[8];
		const char *esc = json_escape((unsigned char)*s, u);
		if (esc)
			fputs(esc, f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}
