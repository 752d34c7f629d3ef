/* replay/strref.c: refcounted immutable strings shared between forked processes. */
#include "replay/state.h"

#include <stdlib.h>
#include <string.h>

struct sk_str *sk_str_new(const char *p, size_t len)
{
	struct sk_str *s = malloc(sizeof(*s) + len + 1);
	if (!s)
		return NULL;
	s->refs = 1;
	s->len = (uint32_t)len;
	if (len)
		memcpy(s->data, p, len);
	s->data[len] = '\0';
	return s;
}

void sk_str_unref(struct sk_str *s)
{
	if (s && --s->refs == 0)
		free(s);
}
