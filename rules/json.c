/* rules/json.c: bounded output buffer and JSON string escaping. */
#include "rules/json.h"

#include <stdio.h>
#include <string.h>

void obuf_init(struct obuf *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	if (cap)
		buf[0] = 0;
}

void obuf_put(struct obuf *o, const char *s, size_t len)
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

void obuf_puts(struct obuf *o, const char *s)
{
	obuf_put(o, s, strlen(s));
}

void obuf_json_string(struct obuf *o, const char *s, size_t len)
{
	obuf_put(o, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *esc = NULL;
		char u[8];
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			if (c < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", c);
				esc = u;
			}
		}
		if (!esc)
			continue;
		obuf_put(o, s + run, i - run);
		obuf_puts(o, esc);
		run = i + 1;
	}
	obuf_put(o, s + run, len - run);
	obuf_put(o, "\"", 1);
}
