/* tests/helpers/rules_fake.h: a fake field registry and event provider for the condition and format tests/bench. */
#ifndef SAKER_TESTS_HELPERS_RULES_FAKE_H
#define SAKER_TESTS_HELPERS_RULES_FAKE_H

#include <stdint.h>
#include <string.h>

#include "rules/rules.h"

enum {
	F_EVT_TYPE = 1, F_PROC_NAME, F_PROC_PNAME, F_PROC_ANAME, F_FD_NAME, F_FD_CPORT, F_FD_SPORT, F_PROC_PID,
	F_FD_TYPES, F_EVT_BUFFER, F_FD_IP, F_FD_NET, F_EVT_ARG, F_EVT_DIR, F_PROC_ENV, F_IS_OPEN_READ,
	F_USER_UID, F_PROC_CMDLINE, F_EVT_NUM, F_FD_NAMERAW, F_PROC_CWD, F_KA_USER, F_SYSCALL_TYPE, F_MAX
};

static const struct rule_field_def fake_defs[] = {
	{"evt.type", F_EVT_TYPE, RF_EVTTYPE, 0, ""},
	{"proc.name", F_PROC_NAME, RF_STRING, 0, ""},
	{"proc.pname", F_PROC_PNAME, RF_STRING, 0, ""},
	{"proc.aname", F_PROC_ANAME, RF_STRING, RFF_ARG_ALLOWED | RFF_ARG_INDEX | RFF_ANY_ANCESTOR | RFF_NO_RHS, ""},
	{"fd.name", F_FD_NAME, RF_PATH, 0, ""},
	{"fd.cport", F_FD_CPORT, RF_PORT, 0, ""},
	{"fd.sport", F_FD_SPORT, RF_PORT, 0, ""},
	{"proc.pid", F_PROC_PID, RF_INT64, 0, ""},
	{"fd.types", F_FD_TYPES, RF_STRING, RFF_LIST, ""},
	{"evt.buffer", F_EVT_BUFFER, RF_BYTEBUF, 0, ""},
	{"fd.ip", F_FD_IP, RF_IPADDR, 0, ""},
	{"fd.net", F_FD_NET, RF_IPNET, RFF_FILTER_ONLY | RFF_NO_RHS, ""},
	{"evt.arg", F_EVT_ARG, RF_STRING, RFF_ARG_DOTTED | RFF_ARG_REQUIRED, ""},
	{"evt.dir", F_EVT_DIR, RF_STRING, RFF_DEPRECATED, ""},
	{"proc.env", F_PROC_ENV, RF_STRING, RFF_ARG_ALLOWED, ""},
	{"evt.is_open_read", F_IS_OPEN_READ, RF_BOOL, 0, ""},
	{"user.uid", F_USER_UID, RF_UINT32, 0, ""},
	{"proc.cmdline", F_PROC_CMDLINE, RF_STRING, 0, ""},
	{"evt.num", F_EVT_NUM, RF_UINT64, 0, ""},
	{"fd.nameraw", F_FD_NAMERAW, RF_PATH, 0, ""},
	{"proc.cwd", F_PROC_CWD, RF_STRING, 0, ""},
	{"ka.user.name", F_KA_USER, RF_STRING, 0, ""},
	{"syscall.type", F_SYSCALL_TYPE, RF_EVTTYPE, 0, ""},
};

static const char *const fake_types[] = {"open", "openat", "execve", "connect", "close", "read", "write",
					 "procexit", "openat2", "socket"};
#define FAKE_NTYPES 10

static size_t fake_evttype_lookup(const char *name, uint16_t *out, size_t cap)
{
	for (uint16_t i = 0; i < FAKE_NTYPES; i++)
		if (strcmp(fake_types[i], name) == 0 && cap) {
			out[0] = i;
			return 1;
		}
	return 0;
}

/* evt.arg.NAME: known parameter names map to a slot. */
static int fake_validate_arg(const struct rule_field_def *def, struct rule_field_ref *ref, char *err, size_t errlen)
{
	if (def->id != F_EVT_ARG)
		return 0;
	static const char *const names[] = {"flags", "name", "fd"};
	for (int i = 0; i < 3; i++)
		if (strcmp(ref->arg, names[i]) == 0) {
			ref->arg_param = i;
			return 0;
		}
	snprintf(err, errlen, "unknown event argument %s", ref->arg);
	return -1;
}

static const struct rule_field_registry fake_reg = {
	.defs = fake_defs, .ndefs = sizeof(fake_defs) / sizeof(fake_defs[0]), .validate_arg = fake_validate_arg,
	.evttype_lookup = fake_evttype_lookup, .n_evttypes = FAKE_NTYPES,
};

struct fake_ev {
	uint16_t type;
	const char *str[F_MAX];     /* NULL = missing */
	int has_num[F_MAX];
	int64_t num[F_MAX];
	const char *anc[8];         /* ancestors: [0] = parent */
	const char *types[8];
	int ntypes;
	uint8_t ip[16];
	int has_ip, ipv6;
	const char *buf;
	size_t buflen;
	const char *args[3];
	int calls;
};

static int fake_extract(void *ctx, const struct rule_field_ref *ref, struct rule_value *out)
{
	struct fake_ev *e = ctx;
	e->calls++;
	const char *s = NULL;
	out->type = ref->type;
	switch (ref->id) {
	case F_EVT_TYPE:
		s = e->type < FAKE_NTYPES ? fake_types[e->type] : NULL;
		break;
	case F_PROC_ANAME:
		if (!ref->has_arg || ref->arg_index == 0)
			s = e->str[F_PROC_NAME];
		else if (ref->arg_index <= 8)
			s = e->anc[ref->arg_index - 1];
		break;
	case F_FD_TYPES:
		for (int i = 0; i < e->ntypes; i++) {
			out[i].type = RF_STRING;
			out[i].v.s = e->types[i];
			out[i].len = (uint32_t)strlen(e->types[i]);
		}
		return e->ntypes;
	case F_EVT_BUFFER:
		if (!e->buf)
			return 0;
		out->v.s = e->buf;
		out->len = (uint32_t)e->buflen;
		return 1;
	case F_FD_IP:
	case F_FD_NET:
		if (!e->has_ip)
			return 0;
		out->type = RF_IPADDR;
		out->ipv6 = (uint8_t)e->ipv6;
		memcpy(out->v.ip, e->ip, 16);
		return 1;
	case F_EVT_ARG:
		s = e->args[ref->arg_param];
		break;
	default:
		if (e->has_num[ref->id]) {
			out->v.i = e->num[ref->id];
			return 1;
		}
		s = e->str[ref->id];
	}
	if (!s)
		return 0;
	out->v.s = s;
	out->len = (uint32_t)strlen(s);
	return 1;
}

#endif
