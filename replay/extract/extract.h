/* replay/extract/extract.h: the field provider: values of filter fields for the current event. */
#ifndef SAKER_REPLAY_EXTRACT_EXTRACT_H
#define SAKER_REPLAY_EXTRACT_EXTRACT_H

/*
 * replay/extract/ owns field values: for the current event and state, the
 * value of any field of fields/ (one file per field class: evt, proc, fd,
 * user, container, ka for Kubernetes audit and JSON fields), with
 * per-event memoisation, and the text forms of
 * parameters. It may call replay/state/, fields/, rules/, formats/, json/.
 */

#include <stdint.h>
#include <string.h>

#include "replay/state/update.h"
#include "fields/fields.h"
#include "rules/rules.h"

#define EXTRACT_SCRATCH_SLOTS 16

struct extract_scratch {
	char *buf;
	size_t cap;
};

/* Everything field extraction reads besides the state. */
struct extract_ctx {
	struct state_updater *u;
	const struct sk_event *ev;
	const char *hostname;       /* of the recorded host */
	uint64_t first_ts;          /* evt.reltime base */
	uint64_t prev_ts;           /* evt.deltatime base */
	int legacy_enter;           /* evaluate enter events too (evt.dir '>' exists) */
	unsigned scratch_next;
	struct extract_scratch scratch[EXTRACT_SCRATCH_SLOTS];
	uint8_t cls[F__COUNT];      /* field id -> extractor class */
	uint8_t memo_ok[F__COUNT];  /* field id -> single-valued, so memoisable */
	/* evt.arg.NAME: parameter index per event type, found once per name
	 * (keyed by the compiled reference's argument pointer). */
	struct extract_argidx {
		const char *arg;
		int8_t idx[SK_EV__COUNT];
	} argidx[32];
	unsigned nargidx;
	/* Per-event memo of argument-less fields: many rules test the same
	 * fields (proc.name, fd.name, evt.is_open_read...) on one event. Values
	 * built in scratch buffers are copied into the memo's own buffer (the
	 * scratch ring is reused). */
	uint64_t gen;               /* current event generation */
	struct extract_ka *ka;      /* ka.*, json.*: the event's parsed JSON (ka.c), made on first use */
	int scratch_used;
	struct extract_memo {
		uint64_t gen;
		int has;
		struct rule_value v;
		char *buf;          /* owned copy of a value built in scratch */
		size_t cap;
	} memo[F__COUNT];
};

void extract_ctx_init(struct extract_ctx *c, struct state_updater *u);
void extract_ctx_fini(struct extract_ctx *c);
/* Call after state_update_apply for each event, before evaluating rules.
 * Inline, as the next one: two stores per event. */
static inline void extract_ctx_set_event(struct extract_ctx *c, const struct sk_event *ev)
{
	c->ev = ev;
	c->gen++;
	if (!c->first_ts)
		c->first_ts = ev->ts;
}

/* Call after the event was evaluated (keeps deltatime's previous timestamp). */
static inline void extract_ctx_done_event(struct extract_ctx *c)
{
	if (c->ev)
		c->prev_ts = c->ev->ts;
}

/* rule_extract_fn: ctx is a struct extract_ctx. */
int extract_field(void *ctx, const struct rule_field_ref *ref, struct rule_value *out);

/* Scratch buffer of at least n bytes that stays valid for the next
 * EXTRACT_SCRATCH_SLOTS - 1 scratch requests. */
char *extract_ctx_scratch(struct extract_ctx *c, size_t n);

/* Internal: per-class extractors (return 1 value, 0 NA, >1 list count). */
int extract_evt(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
/* evt.is_open_read (id F_EVT_IS_OPEN_READ) or evt.is_open_write, which
 * extract_field reads with this, not through extract_evt: every open's
 * rules read one (the open_read and open_write macros). */
int extract_evt_is_open_rw(struct extract_ctx *c, uint16_t id, struct rule_value *out);
int extract_proc(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int extract_fd(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int extract_user(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int extract_container(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int extract_ka(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out);
struct extract_ka;
void extract_ka_free(struct extract_ka *k);

/* evt.type: the event's name, the syscall's for generic events. */
const char *extract_event_type_name(const struct sk_event *ev);
/* The return value of an exit event whose first parameter is one (evt.res,
 * evt.failed): 1 with *res set, or 0 (enter, meta, no result). */
int extract_event_res(const struct sk_event *ev, int64_t *res);

/* Value helpers shared by the extractors. */
int extract_val_str(struct extract_ctx *c, struct rule_value *out, uint8_t type, const char *s, size_t len);
/* Bytes string values keep: printable ASCII (Falco drops the others,
 * decisions.md). */
static inline int extract_printable(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

/* Length of s's leading run of kept bytes, eight at a time: every string a
 * rule reads passes here (inline: it is most of extract_val_str). A word
 * holding a byte below 0x20, 0x7f or a byte from 0x80 up (the classic "has
 * less than" and "has zero" word tests, exact for the word) is finished
 * byte by byte. */
static inline size_t extract_printable_prefix(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t w, del;
		memcpy(&w, s + i, 8);
		del = w ^ (ones * 0x7f);
		if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del) | w) & highs)
			break;
	}
	while (i < len && extract_printable((unsigned char)s[i]))
		i++;
	return i;
}
int extract_val_int(struct rule_value *out, uint8_t type, int64_t v);
int extract_val_bool(struct rule_value *out, int v);

#endif
