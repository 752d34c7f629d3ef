/* sources/k8saudit_events.c: Kubernetes audit payloads (Event, EventList, arrays) into events: compact JSON and stageTimestamp. */
#include "sources/k8saudit_int.h"

#include "formats/time.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void source_ka_split_init(struct source_ka_split *s, size_t max_event)
{
	memset(s, 0, sizeof(*s));
	json_doc_init(&s->doc);
	s->max_event = max_event ? max_event : SOURCE_KA_MAX_EVENT_DEFAULT;
}

void source_ka_split_fini(struct source_ka_split *s)
{
	json_doc_free(&s->doc);
	free(s->buf);
	free(s->ev);
	memset(s, 0, sizeof(*s));
}

static void problem(struct source_ka_split *s, const char *fmt, size_t item, const char *what)
{
	if (!s->skipped++)
		snprintf(s->first_problem, sizeof(s->first_problem), fmt, item, what);
}

/* One audit event at token v (item-th of the payload): its timestamp, then
 * its compact text appended to buf. 0, or -ENOMEM. */
static int add_event(struct source_ka_split *s, uint32_t v, size_t item)
{
	const struct json_doc *d = &s->doc;
	uint32_t st = json_doc_get(d, v, "stageTimestamp");
	if (st == JSON_NONE || d->tok[st].kind != JSON_K_STRING) {
		problem(s, "event %zu: %s", item, "can't read stageTimestamp");
		return 0;
	}
	uint64_t ts;
	const struct json_tok *t = &d->tok[st];
	if (sk_time_parse_rfc3339(d->text + t->off + 1, t->len - 2, &ts) < 0) {
		problem(s, "event %zu: %s", item, "stageTimestamp is not an RFC 3339 time");
		return 0;
	}
	size_t len = d->tok[v].len;
	if (s->used + len > s->cap) {
		size_t cap = s->cap ? s->cap : 64 * 1024;
		while (cap < s->used + len)
			cap *= 2;
		char *b = realloc(s->buf, cap);
		if (!b)
			return -ENOMEM;
		s->buf = b;
		s->cap = cap;
	}
	size_t clen = json_compact(d->text + d->tok[v].off, len, s->buf + s->used);
	if (clen > s->max_event) {
		char what[64];
		snprintf(what, sizeof(what), "event larger than maxEventSize: size=%zu", clen);
		problem(s, "event %zu: %s", item, what);
		return 0;
	}
	if (s->nev == s->capev) {
		size_t cap = s->capev ? 2 * s->capev : 64;
		struct source_ka_event *e = realloc(s->ev, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		s->ev = e;
		s->capev = cap;
	}
	s->ev[s->nev++] = (struct source_ka_event){ .ts = ts, .off = s->used, .len = clen };
	s->used += clen;
	return 0;
}

static int kind_is(const struct json_doc *d, uint32_t v, const char *kind)
{
	uint32_t k = json_doc_get(d, v, "kind");
	return k != JSON_NONE && json_doc_str_eq(d, k, kind, strlen(kind));
}

/* The events of value v: an Event, the items of an EventList, or (arrays)
 * those of each element. 1 when v was audit data, 0 when not, -ENOMEM. */
static int split_value(struct source_ka_split *s, uint32_t v, size_t *item, int depth)
{
	const struct json_doc *d = &s->doc;
	if (d->tok[v].kind == JSON_K_ARRAY && depth < 8) {
		int any = 0;
		for (uint32_t i = v + 1; i < d->tok[v].end; i = d->tok[i].end) {
			int rc = split_value(s, i, item, depth + 1);
			if (rc < 0)
				return rc;
			if (!rc)
				problem(s, "element %zu: %s", *item + 1, "data not recognized as a k8s audit event");
			any |= rc;
		}
		return any || d->tok[v].end == v + 1;
	}
	if (kind_is(d, v, "Event")) {
		int rc = add_event(s, v, ++*item);
		return rc < 0 ? rc : 1;
	}
	if (kind_is(d, v, "EventList")) {
		uint32_t items = json_doc_get(d, v, "items");
		if (items == JSON_NONE || d->tok[items].kind != JSON_K_ARRAY)
			return 0;
		for (uint32_t i = items + 1; i < d->tok[items].end; i = d->tok[i].end) {
			++*item;
			if (d->tok[i].kind != JSON_K_OBJECT) {
				problem(s, "event %zu: %s", *item, "not a JSON object");
				continue;
			}
			int rc = add_event(s, i, *item);
			if (rc < 0)
				return rc;
		}
		return 1;
	}
	return 0;
}

int source_ka_split_payload(struct source_ka_split *s, const char *text, size_t len, char *err, size_t errlen)
{
	s->nev = 0;
	s->used = 0;
	s->skipped = 0;
	s->first_problem[0] = '\0';
	if (json_doc_parse(&s->doc, text, len) < 0) {
		if (!strcmp(s->doc.err, "out of memory"))
			return -ENOMEM;
		snprintf(err, errlen, "malformed JSON at byte %zu: %s", s->doc.err_off + 1, s->doc.err);
		return -1;
	}
	size_t item = 0;
	int rc = split_value(s, 0, &item, 0);
	if (rc < 0)
		return rc;
	if (!rc) {
		/* the k8saudit plugin's words, which Falco's former suite checks */
		snprintf(err, errlen, "data not recognized as a k8s audit event");
		return -1;
	}
	return 0;
}

void source_ka_make_event(const struct source_ka_split *s, const struct source_ka_event *e, uint8_t id[4],
			  struct sk_event *ev)
{
	uint32_t pid = SK_PLUGIN_ID_K8SAUDIT;
	id[0] = (uint8_t)pid;
	id[1] = (uint8_t)(pid >> 8);
	id[2] = (uint8_t)(pid >> 16);
	id[3] = (uint8_t)(pid >> 24);
	ev->ts = e->ts;
	ev->tid = -1;
	ev->type = SK_EV_PLUGINEVENT_E;
	ev->cpu = 0;
	ev->flags = 0;
	ev->nparams = 2;
	ev->params[SK_PLUGINEVENT_ID].val = id;
	ev->params[SK_PLUGINEVENT_ID].len = 4;
	ev->params[SK_PLUGINEVENT_DATA].val = (const uint8_t *)s->buf + e->off;
	ev->params[SK_PLUGINEVENT_DATA].len = (uint32_t)e->len;
}
