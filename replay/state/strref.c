/* replay/state/strref.c: refcounted immutable strings shared between forked processes. */
#include "replay/state/state.h"

#include <stdlib.h>
#include <string.h>

struct state_str *state_str_new(const char *p, size_t len)
{
	struct state_str *s = malloc(sizeof(*s) + len + 1);
	if (!s)
		return NULL;
	s->refs = 1;
	s->len = (uint32_t)len;
	if (len)
		memcpy(s->data, p, len);
	s->data[len] = '\0';
	return s;
}

void state_str_unref(struct state_str *s)
{
	if (s && --s->refs == 0)
		free(s);
}
