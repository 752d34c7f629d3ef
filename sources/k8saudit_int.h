/* sources/k8saudit_int.h: what the Kubernetes audit file source and the webhook listener share: payloads into events (private to sources/). */
#ifndef SAKER_SOURCES_K8SAUDIT_INT_H
#define SAKER_SOURCES_K8SAUDIT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "json/json.h"

/* The k8saudit plugin's defaults (its init_config). */
#define SOURCE_KA_MAX_EVENT_DEFAULT 262144u        /* maxEventSize */
#define SOURCE_KA_MAX_BATCH_DEFAULT 12582912u      /* webhookMaxBatchSize */

/* One audit event of a payload: compact JSON in the splitter's buffer. */
struct source_ka_event {
	uint64_t ts;          /* stageTimestamp, ns since the epoch */
	size_t off, len;      /* in source_ka_split.buf */
};

/*
 * A payload (a line of a file, the body of a webhook request) holds one
 * audit Event, an EventList (its items), or an array of either, as the
 * k8saudit plugin reads them. Splitting keeps every event as compact JSON
 * (what the plugin stores as event data; json.* and ka.* values are spans of
 * it) in one buffer reused from payload to payload.
 */
struct source_ka_split {
	struct json_doc doc;
	char *buf;
	size_t cap, used;
	struct source_ka_event *ev;
	size_t nev, capev;
	size_t max_event;     /* events larger than this (compact) are skipped */
	/* events of the last payload that were skipped, and why the first was */
	size_t skipped;
	char first_problem[160];
};

void source_ka_split_init(struct source_ka_split *s, size_t max_event);
void source_ka_split_fini(struct source_ka_split *s);
/* Splits text into events (s->ev[0..nev)). 0 when the payload is audit
 * data, even if some of its events were skipped (s->skipped, with the
 * reason of the first in s->first_problem); -1 when it is not JSON or not
 * audit data, with a message naming the byte offset in err; -ENOMEM. */
int source_ka_split_payload(struct source_ka_split *s, const char *text, size_t len, char *err, size_t errlen);

/* The pluginevent carrying event e of s: plugin id k8saudit, the JSON as
 * event data. id holds the 4 little-endian bytes of the id; ev points into
 * it and into s->buf. */
void source_ka_make_event(const struct source_ka_split *s, const struct source_ka_event *e, uint8_t id[4],
			  struct sk_event *ev);

#endif
