/* rules/operand.c: field references (lookup, [arg] rules, evt.arg.NAME) and transformers, at compile time and per event. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/cond_int.h"

static void set_err(struct cond_error *err, int pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(struct cond_error *err, int pos, const char *fmt, ...)
{
	if (!err)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err->offset = pos;
}

int cond_transformer_lookup(const char *name, size_t len)
{
	static const struct { const char *n; int id; } tab[] = {
		{"val", TR_VAL}, {"tolower", TR_TOLOWER}, {"toupper", TR_TOUPPER},
		{"b64", TR_B64}, {"basename", TR_BASENAME}, {"len", TR_LEN},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strlen(tab[i].n) == len && memcmp(tab[i].n, name, len) == 0)
			return tab[i].id;
	return 0;
}

int cc_class_of(int ftype)
{
	switch (ftype) {
	case RF_STRING: case RF_PATH: case RF_EVTTYPE: return CLS_STRING;
	case RF_BYTEBUF: return CLS_BYTES;
	case RF_INT64: case RF_INT32: case RF_INT16: return CLS_SIGNED;
	case RF_DOUBLE: return CLS_DOUBLE;
	case RF_BOOL: return CLS_BOOL;
	case RF_IPADDR: return CLS_IP;
	case RF_IPNET: return CLS_IPNET;
	default: return CLS_UNSIGNED;
	}
}

/* Exact name first; then the dotted-argument form (evt.arg.NAME). */
static const struct rule_field_def *field_lookup(const struct rule_field_registry *reg, const char *name,
						 const char **dotted)
{
	*dotted = NULL;
	for (size_t i = 0; i < reg->ndefs; i++)
		if (strcmp(reg->defs[i].name, name) == 0 && rule_registry_has(reg, &reg->defs[i]))
			return &reg->defs[i];
	const struct rule_field_def *best = NULL;
	size_t bestlen = 0;
	for (size_t i = 0; i < reg->ndefs; i++) {
		const struct rule_field_def *d = &reg->defs[i];
		if (!rule_registry_has(reg, d))
			continue;
		size_t l = strlen(d->name);
		if ((d->flags & RFF_ARG_DOTTED) && strncmp(name, d->name, l) == 0 && name[l] == '.' && name[l + 1] &&
		    l > bestlen) {
			best = d;
			bestlen = l;
		}
	}
	if (best)
		*dotted = name + bestlen + 1;
	return best;
}

int cc_operand_resolve(struct cc_operand *op, const struct rule_field_registry *reg, const char *name,
		       const char *arg, int pos, int *unknown, struct cond_error *err)
{
	memset(op, 0, sizeof(*op));
	char text[600];
	if (arg)
		snprintf(text, sizeof(text), "%s[%s]", name, arg);
	else
		snprintf(text, sizeof(text), "%s", name);
	const char *dotted;
	const struct rule_field_def *def = field_lookup(reg, name, &dotted);
	int arg_ok = def && (def->flags & (RFF_ARG_REQUIRED | RFF_ARG_ALLOWED | RFF_ANY_ANCESTOR));
	if (!def || (arg && (dotted || !arg_ok))) {
		if (unknown)
			*unknown = 1;
		set_err(err, pos, "filter_check called with nonexistent field %s", text);
		return -1;
	}
	if (dotted)
		arg = dotted;
	if (!arg && (def->flags & RFF_ARG_REQUIRED) && !(def->flags & RFF_ANY_ANCESTOR)) {
		set_err(err, pos, "filter_check called with nonexistent field %s: the field requires an argument", text);
		return -1;
	}
	op->def = def;
	op->ref.id = def->id;
	op->ref.type = def->type;
	op->type = def->type;
	op->is_list = (def->flags & RFF_LIST) != 0;
	op->ref.text = strdup(text);
	if (!op->ref.text)
		goto oom;
	if (arg) {
		op->ref.has_arg = 1;
		op->ref.arg = strdup(arg);
		if (!op->ref.arg)
			goto oom;
		if (def->flags & (RFF_ARG_INDEX | RFF_ANY_ANCESTOR)) {
			int64_t idx;
			if (cond_parse_decimal(arg, &idx) < 0 || idx < 0) {
				set_err(err, pos, "invalid argument '%s' for field %s: expected a non-negative integer",
					arg, def->name);
				cc_operand_fini(op);
				return -1;
			}
			op->ref.arg_index = idx;
		}
		if (reg->validate_arg) {
			char msg[256] = "";
			if (reg->validate_arg(def, &op->ref, msg, sizeof(msg)) < 0) {
				set_err(err, pos, "%s", msg[0] ? msg : "invalid field argument");
				cc_operand_fini(op);
				return -1;
			}
		}
	}
	if (op->is_list || (def->flags & RFF_EITHER)) {
		op->listbuf = calloc(RULE_LIST_MAX, sizeof(*op->listbuf));
		if (!op->listbuf)
			goto oom;
	}
	return 0;
oom:
	cc_operand_fini(op);
	set_err(err, pos, "out of memory");
	return -1;
}

static const char *tr_name(int tr)
{
	static const char *const names[] = {"", "val", "tolower", "toupper", "b64", "basename", "len"};
	return tr > 0 && tr <= TR_LEN ? names[tr] : "?";
}

/* Input/output types of one transformer stage; -1 if the input is refused. */
static int tr_result(int tr, int type, int is_list, uint8_t *out_list)
{
	*out_list = (uint8_t)is_list;
	switch (tr) {
	case TR_VAL:
		return type;
	case TR_TOLOWER: case TR_TOUPPER: case TR_BASENAME:
		return !is_list && (type == RF_STRING || type == RF_PATH) ? type : -1;
	case TR_B64:
		return !is_list && (type == RF_STRING || type == RF_BYTEBUF) ? type : -1;
	case TR_LEN:
		*out_list = 0;
		return is_list || type == RF_STRING || type == RF_PATH || type == RF_BYTEBUF ? RF_UINT64 : -1;
	}
	return -1;
}

int cc_operand_from_node(struct cc_operand *op, const struct cond_node *n, const struct rule_field_registry *reg,
			 int *unknown, struct cond_error *err)
{
	uint8_t chain[COND_MAX_TRANSFORMS];
	size_t nchain = 0;
	while (n->kind == CN_TRANSFORM) {
		if (nchain == COND_MAX_TRANSFORMS) {
			set_err(err, n->pos, "too many nested transformers");
			return -1;
		}
		chain[nchain++] = (uint8_t)cond_transformer_lookup(n->str, strlen(n->str));
		n = n->kids[0];
	}
	if (n->kind != CN_FIELD) {
		set_err(err, n->pos, "expected a field");
		return -1;
	}
	if (cc_operand_resolve(op, reg, n->str, n->arg, n->pos, unknown, err) < 0)
		return -1;
	/* chain is outermost first; apply innermost first */
	for (size_t i = nchain; i-- > 0;) {
		int tr = chain[i];
		if (tr == TR_VAL)
			continue;
		uint8_t nl;
		int nt = (op->def->flags & RFF_NO_RHS) ? -1 : tr_result(tr, op->type, op->is_list, &nl);
		if (nt < 0) {
			set_err(err, n->pos, "field '%s' does not support the '%s' transformer", op->ref.text, tr_name(tr));
			cc_operand_fini(op);
			return -1;
		}
		size_t k = op->ntr++;
		op->tr[k] = (uint8_t)tr;
		if (tr == TR_TOLOWER || tr == TR_TOUPPER || tr == TR_B64) {
			op->scratch[k] = malloc(COND_TRANSFORM_BUF);
			if (!op->scratch[k]) {
				cc_operand_fini(op);
				set_err(err, n->pos, "out of memory");
				return -1;
			}
		}
		op->type = (uint8_t)nt;
		op->is_list = nl;
	}
	return 0;
}

void cc_operand_fini(struct cc_operand *op)
{
	free((char *)op->ref.text);
	free((char *)op->ref.arg);
	for (size_t i = 0; i < COND_MAX_TRANSFORMS; i++)
		free(op->scratch[i]);
	free(op->listbuf);
	memset(op, 0, sizeof(*op));
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard alphabet, '=' padding; anything else counts as a failed transform. */
static int b64_decode(const char *s, size_t len, char *out, size_t cap, size_t *outlen)
{
	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return -1;
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64val((unsigned char)s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < cap)
				out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	*outlen = o;
	return 0;
}

static size_t str_len(const struct rule_value *v)
{
	if (v->type == RF_BYTEBUF)
		return v->len;
	const char *nul = memchr(v->v.s, 0, v->len);
	return nul ? (size_t)(nul - v->v.s) : v->len;
}

static int tr_apply(const struct cc_operand *op, size_t k, struct rule_value *v)
{
	char *buf = op->scratch[k];
	size_t len = v->v.s ? str_len(v) : 0;
	switch (op->tr[k]) {
	case TR_TOLOWER:
	case TR_TOUPPER: {
		if (len > COND_TRANSFORM_BUF)
			len = COND_TRANSFORM_BUF;
		for (size_t i = 0; i < len; i++) {
			char c = v->v.s[i];
			if (op->tr[k] == TR_TOLOWER && c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			else if (op->tr[k] == TR_TOUPPER && c >= 'a' && c <= 'z')
				c = (char)(c - 32);
			buf[i] = c;
		}
		v->v.s = buf;
		v->len = (uint32_t)len;
		return 1;
	}
	case TR_B64: {
		size_t ol;
		if (b64_decode(v->v.s ? v->v.s : "", len, buf, COND_TRANSFORM_BUF, &ol) < 0)
			return 0;
		v->v.s = buf;
		v->len = (uint32_t)ol;
		return 1;
	}
	case TR_BASENAME: {
		const char *s = v->v.s ? v->v.s : "";
		const char *slash = len ? memrchr(s, '/', len) : NULL;
		if (slash) {
			v->len = (uint32_t)(len - (size_t)(slash + 1 - s));
			v->v.s = slash + 1;
		} else {
			v->len = (uint32_t)len;
		}
		return 1;
	}
	case TR_LEN:
		v->type = RF_UINT64;
		v->v.u = len;
		return 1;
	}
	return 1;
}

int cc_operand_get(const struct cc_operand *op, const struct rule_field_ref *ref, rule_extract_fn ex, void *ectx,
		   struct rule_value *out, const struct rule_value **list)
{
	*list = NULL;
	if (op->def->flags & (RFF_LIST | RFF_EITHER)) {
		for (size_t i = 0; i < RULE_LIST_MAX; i++)
			op->listbuf[i].type = op->def->type;
		int n = ex(ectx, ref, op->listbuf);
		if (n <= 0)
			return 0;
		if (n > RULE_LIST_MAX)
			n = RULE_LIST_MAX;
		if (op->ntr && op->tr[op->ntr - 1] == TR_LEN) {
			out->type = RF_UINT64;
			out->v.u = (uint64_t)n;
			return 1;
		}
		*list = op->listbuf;
		return n;
	}
	out->type = op->def->type;
	if (ex(ectx, ref, out) <= 0)
		return 0;
	for (size_t k = 0; k < op->ntr; k++)
		if (!tr_apply(op, k, out))
			return 0;
	return 1;
}
