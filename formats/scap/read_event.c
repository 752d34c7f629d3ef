/* formats/scap/read_event.c: .scap block walk and event decoding, with enter parameters merged into their exits. */
#include "formats/scap/read_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/syscalls.h"

static int is_event_block(uint32_t bt)
{
	return bt == BT_EV || bt == 0x8010ABCDu || bt == BT_EVF || bt == BT_EV_V2 || bt == BT_EVF_V2 ||
	       bt == BT_EV_V2_LARGE || bt == BT_EVF_V2_LARGE;
}

static int parse_shb(struct scap_reader *r, const uint8_t *body, size_t blen, size_t off)
{
	if (blen < 16)
		return scap_read_fail(r, -EINVAL, off, "section header too short");
	if (rd32(body) != 0x1A2B3C4Du)
		return scap_read_fail(r, -EINVAL, off, "invalid byte-order magic 0x%08x", rd32(body));
	if (rd16(body + 4) > 1)
		return scap_read_fail(r, -EINVAL, off, "unsupported major version %u", rd16(body + 4));
	r->stats.sections++;
	r->in_events = 0;
	return 0;
}

/* Walks blocks until an event block is found (body and blen set, returns 1),
 * the clean end (0) or an error (<0). */
int scap_read_next_block(struct scap_reader *r, uint32_t *bt_out, const uint8_t **body, size_t *blen, size_t *off)
{
	for (;;) {
		size_t pos = r->pos;
		if (pos == r->len) {
			if (r->gz_trunc)
				return scap_read_truncated(r, pos);
			return 0;
		}
		if (r->len - pos < 12)
			return scap_read_truncated(r, pos);
		uint32_t bt = rd32(r->buf + pos);
		uint32_t total = rd32(r->buf + pos + 4);
		if (total < 12 || (total & 3))
			return scap_read_fail(r, -EINVAL, pos, "bad block length %u (type 0x%x)", total, bt);
		if (total > r->len - pos)
			return scap_read_truncated(r, pos);
		if (rd32(r->buf + pos + total - 4) != total)
			return scap_read_fail(r, -EINVAL, pos, "block trailer length %u differs from header %u",
				    rd32(r->buf + pos + total - 4), total);
		r->pos = pos + total;
		r->stats.blocks++;
		const uint8_t *b = r->buf + pos + 8;
		size_t bl = total - 12;
		int rc;
		if (bt == BT_SHB) {
			if ((rc = parse_shb(r, b, bl, pos)) < 0)
				return rc;
			continue;
		}
		if (is_event_block(bt)) {
			r->in_events = 1;
			*bt_out = bt; *body = b; *blen = bl; *off = pos;
			return 1;
		}
		/* Metadata between events without a new section header: libscap
		 * would stop; saker skips it. */
		if (r->in_events)
			continue;
		if ((rc = scap_read_meta_block(r, bt, b, bl, pos)) < 0)
			return rc;
	}
}

static size_t slot_hash(int64_t tid, size_t n)
{
	return (size_t)(((uint64_t)tid * 0x9E3779B97F4A7C15ull) >> 20) & (n - 1);
}

static int slots_grow(struct scap_reader *r)
{
	size_t n = r->nslots ? r->nslots * 2 : 256;
	struct enter_slot *s = calloc(n, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < r->nslots; i++) {
		const struct enter_slot *o = &r->slots[i];
		if (!o->used)
			continue;
		size_t h = slot_hash(o->tid, n);
		while (s[h].used)
			h = (h + 1) & (n - 1);
		s[h] = *o;
		/* A converted generic id lives in the slot itself: follow it. */
		for (int k = 0; k < s[h].n; k++)
			if (o->p[k].val == (const uint8_t *)&o->scid)
				s[h].p[k].val = (const uint8_t *)&s[h].scid;
	}
	free(r->slots);
	r->slots = s;
	r->nslots = n;
	return 0;
}

static struct enter_slot *slot_find(struct scap_reader *r, int64_t tid, int create)
{
	if (create && (r->used_slots + 1) * 2 > r->nslots && slots_grow(r) < 0)
		return NULL;
	if (!r->nslots)
		return NULL;
	size_t h = slot_hash(tid, r->nslots);
	while (r->slots[h].used) {
		if (r->slots[h].tid == tid)
			return &r->slots[h];
		h = (h + 1) & (r->nslots - 1);
	}
	if (!create)
		return NULL;
	r->used_slots++;
	r->slots[h].used = 1;
	r->slots[h].tid = tid;
	r->slots[h].type = SK_EV__COUNT;
	r->slots[h].n = 0;
	return &r->slots[h];
}

static const char *slot_param_name(const struct enter_slot *s, int i)
{
	if (s->names)
		return s->names[i];
	const struct sk_event_info *info = sk_event_info(s->type);
	return (info && i < info->nparams) ? info->params[i].name : NULL;
}

/* v1 blocks lack nparams: find n whose lengths add up to the record. */
static int infer_nparams(const uint8_t *rec, uint32_t len, uint32_t maxn, uint32_t lsz)
{
	for (int64_t n = maxn; n >= 0; n--) {
		uint64_t hdr = 22 + (uint64_t)n * lsz;
		if (hdr > len)
			continue;
		uint64_t sum = hdr;
		for (int64_t i = 0; i < n; i++)
			sum += lsz == 4 ? rd32(rec + 22 + i * 4) : rd16(rec + 22 + i * 2);
		if (sum == len)
			return (int)n;
	}
	return -1;
}

static int decode_event(struct scap_reader *r, uint32_t bt, const uint8_t *b, size_t bl, size_t off,
			struct sk_event *ev, int *deliver)
{
	int has_flags = bt == BT_EVF || bt == BT_EVF_V2 || bt == BT_EVF_V2_LARGE;
	int v1 = bt == BT_EV || bt == BT_EVF || bt == 0x8010ABCDu;
	size_t pre = 2 + (has_flags ? 4 : 0);
	uint32_t hlen = v1 ? 22 : 26;

	*deliver = 0;
	if (bl < pre + hlen)
		return scap_read_fail(r, -EINVAL, off, "event block too short (%zu bytes)", bl);
	if (!(bt == BT_EV_V2_LARGE || bt == BT_EVF_V2_LARGE) && bl + 12 - 8 > 65536 + 12)
		return scap_read_fail(r, -EINVAL, off, "event block of %zu bytes exceeds 64 KiB", bl);
	uint16_t cpu = rd16(b);
	uint32_t dflags = has_flags ? rd32(b + 2) : 0;
	const uint8_t *rec = b + pre;
	size_t avail = bl - pre;
	uint64_t ts = rd64(rec);
	int64_t tid = (int64_t)rd64(rec + 8);
	uint32_t len = rd32(rec + 16);
	uint16_t code = rd16(rec + 20);
	r->stats.event_blocks++;
	if (code >= SCAP_CODE_LIMIT) {
		r->stats.skipped_unknown++;
		return 0;
	}
	if (v1 && (code == 280 || code == 286) && len >= hlen + 3)
		len -= 3; /* libscap quirk: these old records claim 3 extra bytes */
	if (len < hlen || len > avail)
		return scap_read_fail(r, -EINVAL, off, "event length %u outside 26..%zu", len, avail);
	uint32_t lsz = scap_code_is_large(code) ? 4 : 2;
	struct scap_code_info ci;
	int known = scap_code_lookup(code, &ci) == 0;
	int64_t np;
	if (v1) {
		np = infer_nparams(rec, len, known ? ci.nparams : SK_MAX_PARAMS, lsz);
		if (np < 0)
			return scap_read_fail(r, -EINVAL, off, "cannot infer the parameters of event code %u", code);
	} else {
		np = rd32(rec + 22);
		if ((uint64_t)np * lsz > len - hlen)
			return scap_read_fail(r, -EINVAL, off, "%lld parameter lengths overrun the event", (long long)np);
	}
	r->stats.numbered++;
	ev->num = r->stats.numbered;
	ev->ts = ts;
	ev->tid = tid;
	ev->cpu = cpu;
	ev->flags = (dflags & 1) ? SK_EVF_STATE_ONLY : 0;
	if (ts) {
		if (!r->stats.first_ts || ts < r->stats.first_ts)
			r->stats.first_ts = ts;
		if (ts > r->stats.last_ts)
			r->stats.last_ts = ts;
	}
	const uint8_t *lens = rec + hlen;
	uint64_t vpos = hlen + (uint64_t)np * lsz;
	struct sk_param raw[SK_MAX_PARAMS];
	uint32_t nraw = 0;
	for (int64_t i = 0; i < np; i++) {
		uint32_t l = lsz == 4 ? rd32(lens + i * 4) : rd16(lens + i * 2);
		if (vpos + l > len)
			return scap_read_fail(r, -EINVAL, off, "parameter %lld of event code %u overruns the event",
				    (long long)i, code);
		if (nraw < SK_MAX_PARAMS) {
			raw[nraw].val = l ? rec + vpos : NULL;
			raw[nraw].len = l;
			nraw++;
		}
		vpos += l;
	}
	if (!known) {
		/* Lossless carrier: code first, then the raw parameters. */
		ev->type = SK_EV_SCAP_UNKNOWN_E;
		ev->params[0].val = rec + 20; /* the u16 code inside the header */
		ev->params[0].len = 2;
		uint32_t n = nraw < SK_MAX_PARAMS - 1 ? nraw : SK_MAX_PARAMS - 1;
		memcpy(&ev->params[1], raw, n * sizeof(raw[0]));
		ev->nparams = n + 1;
		*deliver = 1;
		return 0;
	}
	ev->type = ci.sk_type;
	const struct sk_event_info *info = &sk_event_table[ci.sk_type];
	uint32_t n = 0;
	memset(ev->params, 0, sizeof(ev->params[0]) * (info->nparams > nraw ? info->nparams : nraw));
	for (uint32_t i = 0; i < nraw; i++) {
		int dst = ci.remap ? (i < ci.nparams ? ci.remap[i] : -1) : (int)i;
		if (dst < 0 || dst >= SK_MAX_PARAMS)
			continue;
		ev->params[dst] = raw[i];
		if ((uint32_t)dst + 1 > n)
			n = dst + 1;
	}
	if (ci.dyn_fd && ev->params[0].len == 9) {
		ev->params[0].val++;
		ev->params[0].len = 8;
	}
	if (ci.sk_type == SK_EV_GENERIC_E || ci.sk_type == SK_EV_GENERIC_X) {
		if (ev->params[0].len == 2) {
			uint16_t id = sk_syscall_from_ppm_sc(rd16(ev->params[0].val));
			if (id != rd16(ev->params[0].val)) {
				r->scid_scratch = id;
				ev->params[0].val = (const uint8_t *)&r->scid_scratch;
			}
		}
	}
	ev->nparams = n;

	int is_exit = sk_event_is_exit(ci.sk_type);
	int meta = (info->flags & SK_EF_META) != 0;
	if (meta) {
		*deliver = 1;
		if (ci.sk_type == SK_EV_CONTAINER_E && ev->params[0].len > 1) {
			struct sk_meta_container mc = { .id = "", .ts = ts };
			mc.json = sk_meta_strndup(r->meta, (const char *)ev->params[0].val,
						  strnlen((const char *)ev->params[0].val, ev->params[0].len));
			if (!mc.json || sk_meta_add_container(r->meta, &mc))
				return scap_read_fail(r, -ENOMEM, off, "out of memory");
		}
		return 0;
	}
	if (!is_exit) {
		struct enter_slot *s = slot_find(r, tid, 1);
		if (!s)
			return scap_read_fail(r, -ENOMEM, off, "out of memory");
		s->type = ci.sk_type;
		s->code = code;
		s->names = ci.names;
		s->n = (uint8_t)(nraw < SK_MAX_PARAMS ? nraw : SK_MAX_PARAMS);
		memcpy(s->p, raw, s->n * sizeof(raw[0]));
		if (ev->type == SK_EV_GENERIC_E && ev->params[0].val == (const uint8_t *)&r->scid_scratch) {
			s->scid = r->scid_scratch;
			s->p[0].val = (const uint8_t *)&s->scid;
		}
		*deliver = r->opts.deliver_enter;
		return 0;
	}
	/* Exit: complete missing tail parameters by name from this thread's
	 * last enter of the same kind (scap.md §16.1). */
	*deliver = 1;
	if (n < info->nparams) {
		struct enter_slot *s = slot_find(r, tid, 0);
		int match = s && s->type < SK_EV__COUNT && sk_event_kind(s->type) == sk_event_kind(ci.sk_type);
		for (uint32_t i = n; i < info->nparams; i++) {
			ev->params[i].val = NULL;
			ev->params[i].len = 0;
			if (!match)
				continue;
			for (int k = 0; k < s->n; k++) {
				const char *nm = slot_param_name(s, k);
				if (nm && strcmp(nm, info->params[i].name) == 0) {
					ev->params[i] = s->p[k];
					break;
				}
			}
		}
		ev->nparams = info->nparams;
	}
	return 0;
}

int scap_next(struct scap_reader *r, struct sk_event *ev)
{
	while (!r->done) {
		uint32_t bt;
		const uint8_t *b;
		size_t bl, off;
		int rc = scap_read_next_block(r, &bt, &b, &bl, &off);
		if (rc <= 0) {
			r->done = 1;
			return rc;
		}
		int deliver;
		if ((rc = decode_event(r, bt, b, bl, off, ev, &deliver)) < 0)
			return rc;
		if (deliver) {
			r->stats.delivered++;
			return 1;
		}
	}
	return r->err[0] ? -EIO : 0;
}
