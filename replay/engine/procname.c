/* replay/engine/procname.c: the answers of the proc.name group an open's rules read first, kept by the thread name they were worked out for. */
#include "replay/engine/engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields/fields.h"

/*
 * Every open the upstream rules evaluate reads proc.name for the group of
 * its proc.name checks (rules.h, rule_set_ahead_group): through the field
 * memo, the extractor and the group's value cache, some 450 instructions,
 * a sixth of the open's rule work, for a name that changes only at execve
 * (and prctl). The answer is a function of the thread's comm bytes alone
 * (extract_proc reads proc.name from them), so it is kept here by those
 * bytes, looked up with a hash of them and handed to the rules as a given
 * answer (rule_set_eval_given), as engine_prep does for fd.name. A miss
 * (a new name, rare) reads the field as the rules would and works the
 * answer out.
 */
#define PN_SLOTS 256u     /* default: a busy host runs a few dozen names at once */
#define PN_MAX_WORDS 8u   /* groups wider than this are left to the rules */
#define PN_KEY_WORDS (sizeof(((struct state_thread *)0)->comm) / sizeof(uint64_t))

struct pn_entry {
	uint64_t key[PN_KEY_WORDS]; /* the comm bytes answered for */
	uint16_t type;              /* for this event type's group (0: empty) */
	uint64_t words[PN_MAX_WORDS];
};

struct pn_type {
	uint8_t has;
	uint32_t group;
};

struct engine_pname {
	const struct rule_set *rs;
	struct pn_type t[SK_EV__COUNT];
	uint32_t mask;             /* slots - 1 */
	struct pn_entry slot[];
};

struct engine_pname *engine_pname_new(const struct rule_set *rs, uint32_t slots)
{
	if (!slots)
		slots = PN_SLOTS;
	if (!rs || (slots & (slots - 1)))
		return NULL;
	struct engine_pname *p = calloc(1, sizeof(*p) + slots * sizeof(p->slot[0]));
	if (!p)
		return NULL;
	p->rs = rs;
	p->mask = slots - 1;
	int any = 0;
	/* type 0 is no exit and never evaluated: an entry's type 0 means empty */
	for (uint16_t t = 1; t < SK_EV__COUNT; t++) {
		uint32_t group, nwords;
		if (rule_set_ahead_group(rs, t, F_PROC_NAME, &group, &nwords) == 0 && nwords <= PN_MAX_WORDS) {
			p->t[t] = (struct pn_type){1, group};
			any = 1;
		}
	}
	if (!any) {
		free(p);
		return NULL;
	}
	return p;
}

void engine_pname_free(struct engine_pname *p)
{
	free(p);
}

size_t engine_pname_given(struct engine_pname *p, struct engine *e, const struct sk_event *ev,
			  struct rule_given *given)
{
	const struct state_thread *t = e->u.cur.thread;
	if (!p || !t || ev->type >= SK_EV__COUNT || !p->t[ev->type].has)
		return 0;
	uint64_t key[PN_KEY_WORDS], h = 0;
	memcpy(key, t->comm, sizeof(key));
	for (size_t i = 0; i < PN_KEY_WORDS; i++)
		h = (h ^ key[i]) * 0x9E3779B97F4A7C15ull;
	struct pn_entry *en = &p->slot[(h >> 32) & p->mask];
	uint32_t group = p->t[ev->type].group;
	uint64_t diff = en->type ^ ev->type;
	for (size_t i = 0; i < PN_KEY_WORDS; i++)
		diff |= en->key[i] ^ key[i];
	if (diff) {
		/* the value the group's fill would read */
		const struct rule_field_def *def = field_def(F_PROC_NAME);
		struct rule_field_ref ref = {.id = F_PROC_NAME, .type = def->type, .text = def->name};
		struct rule_value v;
		if (extract_field(&e->fc, &ref, &v) <= 0)
			return 0; /* no value: the rules' own fill answers it */
		rule_set_group_answer(p->rs, ev->type, group, v.v.s ? v.v.s : "", rule_value_str_len(&v), en->words,
				      NULL);
		memcpy(en->key, key, sizeof(key));
		en->type = ev->type;
	}
	*given = (struct rule_given){group, en->words};
	return 1;
}
