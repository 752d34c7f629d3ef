/* replay/extract.h: the field provider: values of filter fields for the current event. */
#ifndef SAKER_REPLAY_EXTRACT_H
#define SAKER_REPLAY_EXTRACT_H

#include "replay/update.h"
#include "replay/fields.h"
#include "rules/rules.h"

#define SK_SCRATCH_SLOTS 16

struct sk_scratch {
	char *buf;
	size_t cap;
};

/* Everything field extraction reads besides the state. */
struct sk_fctx {
	struct sk_updater *u;
	const struct sk_event *ev;
	const char *hostname;       /* of the recorded host */
	uint64_t first_ts;          /* evt.reltime base */
	uint64_t prev_ts;           /* evt.deltatime base */
	int legacy_enter;           /* evaluate enter events too (evt.dir '>' exists) */
	unsigned scratch_next;
	struct sk_scratch scratch[SK_SCRATCH_SLOTS];
	uint8_t cls[F__COUNT];      /* field id -> extractor class */
	uint8_t memo_ok[F__COUNT];  /* field id -> single-valued, so memoisable */
	/* evt.arg.NAME: parameter index per event type, found once per name
	 * (keyed by the compiled reference's argument pointer). */
	struct sk_argidx {
		const char *arg;
		int8_t idx[SK_EV__COUNT];
	} argidx[32];
	unsigned nargidx;
	/* Per-event memo of argument-less fields: many rules test the same
	 * fields (proc.name, fd.name, evt.is_open_read...) on one event. Values
	 * built in scratch buffers are copied into the memo's own buffer (the
	 * scratch ring is reused). */
	uint64_t gen;               /* current event generation */
	int scratch_used;
	struct sk_memo {
		uint64_t gen;
		int has;
		struct rule_value v;
		char *buf;          /* owned copy of a value built in scratch */
		size_t cap;
	} memo[F__COUNT];
};

void sk_fctx_init(struct sk_fctx *c, struct sk_updater *u);
void sk_fctx_fini(struct sk_fctx *c);
/* Call after sk_update_apply for each event, before evaluating rules. */
void sk_fctx_set_event(struct sk_fctx *c, const struct sk_event *ev);
/* Call after the event was evaluated (keeps deltatime's previous timestamp). */
void sk_fctx_done_event(struct sk_fctx *c);

/* rule_extract_fn: ctx is a struct sk_fctx. */
int sk_extract(void *ctx, const struct rule_field_ref *ref, struct rule_value *out);

/* Scratch buffer of at least n bytes that stays valid for the next
 * SK_SCRATCH_SLOTS - 1 scratch requests. */
char *sk_fctx_scratch(struct sk_fctx *c, size_t n);

/* Internal: per-class extractors (return 1 value, 0 NA, >1 list count). */
int sk_extract_evt(struct sk_fctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int sk_extract_proc(struct sk_fctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int sk_extract_fd(struct sk_fctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int sk_extract_user(struct sk_fctx *c, const struct rule_field_ref *ref, struct rule_value *out);
int sk_extract_container(struct sk_fctx *c, const struct rule_field_ref *ref, struct rule_value *out);

/* Value helpers shared by the extractors. */
int sk_val_str(struct sk_fctx *c, struct rule_value *out, uint8_t type, const char *s, size_t len);
int sk_val_int(struct rule_value *out, uint8_t type, int64_t v);
int sk_val_bool(struct rule_value *out, int v);

#endif
