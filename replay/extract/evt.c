/* replay/extract/evt.c: evt.* and syscall.* fields (fields.md §2). */
#include "replay/extract/extract.h"
#include "replay/state/paths.h"
#include "replay/state/ppm.h"
#include "replay/extract/render_int.h"
#include "formats/flags.h"
#include "formats/syscalls.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define PPM_S_IXANY 0111u

static int str_out(struct extract_ctx *c, struct rule_value *out, const char *s)
{
	return extract_val_str(c, out, RF_STRING, s, strlen(s));
}

/* The name evt.type shows: the syscall name for generic events. */
static const char *event_type_name(const struct sk_event *ev)
{
	if (sk_event_kind(ev->type) == SK_EK_GENERIC && ev->nparams > 0) {
		uint64_t id;
		if (sk_param_u64(ev, 0, &id) == 0) {
			const char *n = sk_syscall_name((uint16_t)id);
			return n ? n : "<unknown>";
		}
	}
	const char *n = sk_event_name(ev->type);
	return n ? n : "<unknown>";
}

/* Return value of an exit event: param 0 when it is a result. */
static int event_res(const struct sk_event *ev, int64_t *res)
{
	if (!sk_event_is_exit(ev->type) || ev->nparams == 0)
		return 0;
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (!info || info->nparams == 0 || (info->flags & SK_EF_META))
		return 0;
	uint8_t t = info->params[0].type;
	if (t != SK_PT_ERRNO && t != SK_PT_FD && t != SK_PT_PID && t != SK_PT_INT64 && t != SK_PT_UINT64)
		return 0;
	return sk_param_s64(ev, 0, res) == 0;
}

const char *extract_event_type_name(const struct sk_event *ev)
{
	return event_type_name(ev);
}

int extract_event_res(const struct sk_event *ev, int64_t *res)
{
	return event_res(ev, res);
}

static int format_time(struct extract_ctx *c, struct rule_value *out, uint64_t ts, int local, int date, int ns, int iso)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	if (local)
		localtime_r(&sec, &tm);
	else
		gmtime_r(&sec, &tm);
	char *b = extract_ctx_scratch(c, 64);
	if (!b)
		return 0;
	size_t n = 0;
	if (date)
		n += strftime(b, 64, iso ? "%Y-%m-%dT" : "%Y-%m-%d ", &tm);
	n += strftime(b + n, 64 - n, "%H:%M:%S", &tm);
	if (ns)
		n += (size_t)snprintf(b + n, 64 - n, ".%09" PRIu64, (uint64_t)(ts % 1000000000ull));
	if (iso)
		n += (size_t)snprintf(b + n, 64 - n, "+0000");
	return extract_val_str(c, out, RF_STRING, b, n);
}

static int param_index_for(const struct sk_event *ev, const struct rule_field_ref *ref)
{
	if (!ref->has_arg)
		return -1;
	if (ref->arg && ref->arg[0] >= '0' && ref->arg[0] <= '9')
		return (int)ref->arg_index;
	return ref->arg ? sk_event_param_index(ev->type, ref->arg) : -1;
}

/* Like param_index_for, with the name lookup done once per name and type. */
static int cached_param_index(struct extract_ctx *c, const struct sk_event *ev, const struct rule_field_ref *ref)
{
	if (!ref->has_arg || !ref->arg || (ref->arg[0] >= '0' && ref->arg[0] <= '9'))
		return param_index_for(ev, ref);
	struct extract_argidx *a = NULL;
	for (unsigned i = 0; i < c->nargidx; i++)
		if (c->argidx[i].arg == ref->arg) {
			a = &c->argidx[i];
			break;
		}
	if (!a) {
		if (c->nargidx == sizeof(c->argidx) / sizeof(c->argidx[0]))
			return param_index_for(ev, ref);
		a = &c->argidx[c->nargidx++];
		a->arg = ref->arg;
		memset(a->idx, -2, sizeof(a->idx));
	}
	if (a->idx[ev->type] == -2)
		a->idx[ev->type] = (int8_t)sk_event_param_index(ev->type, ref->arg);
	return a->idx[ev->type];
}

static int evt_arg(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out, int raw)
{
	const struct sk_event *ev = c->ev;
	int i = cached_param_index(c, ev, ref);
	if (i < 0 || (uint32_t)i >= ev->nparams || ev->params[i].len == 0)
		return 0;
	size_t cap = 4200 + ev->params[i].len * 2;
	char *b = extract_ctx_scratch(c, cap);
	if (!b)
		return 0;
	size_t n = extract_render_param(c->u, ev, (uint32_t)i, raw ? EXTRACT_RENDER_RAW : EXTRACT_RENDER_RESOLVED, b,
					cap);
	return extract_val_str(c, out, RF_STRING, b, n);
}

/* The open flags of an open-like exit, and its mode when mode is not NULL
 * (evt.is_open_read and _write, on every open, need the flags only). */
static int open_flags(const struct extract_ctx *c, uint64_t *flags, uint64_t *mode)
{
	const struct sk_event *ev = c->ev;
	uint16_t k = sk_event_kind(ev->type);
	if (!sk_event_is_exit(ev->type))
		return 0;
	if (k == SK_EK_CREAT) {
		*flags = PPM_O_CREAT | PPM_O_WRONLY | PPM_O_TRUNC;
	} else if (k == SK_EK_OPEN || k == SK_EK_OPENAT || k == SK_EK_OPENAT2 || k == SK_EK_OPEN_BY_HANDLE_AT) {
		if (state_get_u64(c->u->pi, ev, PR_flags, flags) < 0)
			return 0;
	} else {
		return 0;
	}
	if (mode) {
		*mode = 0; /* kept when the event has none */
		state_get_u64(c->u->pi, ev, PR_mode, mode);
	}
	return 1;
}

int extract_evt_is_open_rw(struct extract_ctx *c, uint16_t id, struct rule_value *out)
{
	uint64_t flags;
	return extract_val_bool(out, open_flags(c, &flags, NULL) &&
					     (flags & (id == F_EVT_IS_OPEN_READ ? PPM_O_RDONLY : PPM_O_WRONLY)));
}

static int fd_is_file(const struct extract_ctx *c)
{
	const struct state_fd *f = c->u->cur.fd;
	return f && (f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY);
}

static int evt_abspath(struct extract_ctx *c, struct rule_value *out, int which)
{
	const struct sk_event *ev = c->ev;
	const struct state_param_index *pi = c->u->pi;
	uint16_t k = sk_event_kind(ev->type);
	int dir_role = -1, path_role = -1;
	switch (k) {
	case SK_EK_RENAMEAT: case SK_EK_RENAMEAT2:
		dir_role = which == 2 ? PR_newdirfd : PR_olddirfd;
		path_role = which == 2 ? PR_newpath : PR_oldpath;
		break;
	case SK_EK_LINKAT:
		dir_role = which == 2 ? PR_newdir : PR_olddir;
		path_role = which == 2 ? PR_newpath : PR_oldpath;
		break;
	case SK_EK_SYMLINKAT:
		if (which == 1)
			return 0;
		dir_role = PR_linkdirfd;
		path_role = PR_linkpath;
		break;
	case SK_EK_OPENAT: case SK_EK_OPENAT2: case SK_EK_UNLINKAT:
		if (which != 0) return 0;
		dir_role = PR_dirfd; path_role = PR_name;
		break;
	case SK_EK_MKDIRAT:
		if (which != 0) return 0;
		dir_role = PR_dirfd; path_role = PR_path;
		break;
	case SK_EK_FCHMODAT:
		if (which != 0) return 0;
		dir_role = PR_dirfd; path_role = PR_filename;
		break;
	case SK_EK_FCHOWNAT:
		if (which != 0) return 0;
		dir_role = PR_dirfd; path_role = PR_pathname;
		break;
	default:
		return 0;
	}
	const char *path = state_get_str(pi, ev, path_role);
	int64_t dirfd = STATE_AT_FDCWD;
	if (!path || state_get_s64(pi, ev, dir_role, &dirfd) < 0 || !c->u->cur.thread)
		return 0;
	const char *base = state_update_dirfd_base(c->u, c->u->cur.thread, dirfd);
	char *b = extract_ctx_scratch(c, 8400);
	if (!b)
		return 0;
	size_t n = state_path_resolve(base, path, b, 8400);
	return extract_val_str(c, out, RF_STRING, b, n < 8400 ? n : strlen(b));
}

int extract_evt(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct sk_event *ev = c->ev;
	const struct sk_event_info *info = sk_event_info(ev->type);
	int64_t res;
	uint64_t flags, mode;
	switch (ref->id) {
	case F_EVT_NUM:
		return extract_val_int(out, ref->type, (int64_t)ev->num);
	case F_EVT_TIME:
	case F_EVT_OUTPUTTIME:
		return format_time(c, out, ev->ts, 1, 0, 1, 0);
	case F_EVT_TIME_S:
		return format_time(c, out, ev->ts, 1, 0, 0, 0);
	case F_EVT_TIME_ISO8601:
		return format_time(c, out, ev->ts, 0, 1, 1, 1);
	case F_EVT_DATETIME:
		return format_time(c, out, ev->ts, 1, 1, 1, 0);
	case F_EVT_DATETIME_S:
		return format_time(c, out, ev->ts, 1, 1, 0, 0);
	case F_EVT_RAWTIME:
		return extract_val_int(out, ref->type, (int64_t)ev->ts);
	case F_EVT_RAWTIME_S:
		return extract_val_int(out, ref->type, (int64_t)(ev->ts / 1000000000ull));
	case F_EVT_RAWTIME_NS:
		return extract_val_int(out, ref->type, (int64_t)(ev->ts % 1000000000ull));
	case F_EVT_RELTIME:
		return extract_val_int(out, ref->type, (int64_t)(ev->ts - c->first_ts));
	case F_EVT_RELTIME_S:
		return extract_val_int(out, ref->type, (int64_t)((ev->ts - c->first_ts) / 1000000000ull));
	case F_EVT_RELTIME_NS:
		return extract_val_int(out, ref->type, (int64_t)((ev->ts - c->first_ts) % 1000000000ull));
	case F_EVT_DELTATIME:
		return extract_val_int(out, ref->type, c->prev_ts ? (int64_t)(ev->ts - c->prev_ts) : 0);
	case F_EVT_DELTATIME_S:
		return extract_val_int(out, ref->type,
				       c->prev_ts ? (int64_t)((ev->ts - c->prev_ts) / 1000000000ull) : 0);
	case F_EVT_DELTATIME_NS:
		return extract_val_int(out, ref->type,
				       c->prev_ts ? (int64_t)((ev->ts - c->prev_ts) % 1000000000ull) : 0);
	case F_EVT_SOURCE: {
		const char *src = sk_event_source(ev);
		return src ? str_out(c, out, src) : 0;
	}
	case F_EVT_PLUGINNAME:
		return sk_event_plugin_id(ev) == SK_PLUGIN_ID_K8SAUDIT ? str_out(c, out, "k8saudit") : 0;
	case F_EVT_PLUGININFO:
		/* the k8saudit plugin's summary of an event is its JSON */
		if (sk_event_plugin_id(ev) != SK_PLUGIN_ID_K8SAUDIT || ev->nparams <= SK_PLUGINEVENT_DATA)
			return 0;
		return extract_val_str(c, out, ref->type, (const char *)ev->params[SK_PLUGINEVENT_DATA].val,
				       ev->params[SK_PLUGINEVENT_DATA].len);
	case F_EVT_IS_ASYNC:
		return extract_val_bool(out, sk_event_kind(ev->type) == SK_EK_CONTAINER || sk_event_kind(ev->type) == SK_EK_ASYNCEVENT);
	case F_EVT_ASYNCTYPE:
		if (sk_event_kind(ev->type) == SK_EK_CONTAINER)
			return str_out(c, out, "container");
		return 0;
	case F_EVT_HOSTNAME:
		return str_out(c, out, c->hostname);
	case F_EVT_TYPE:
		return extract_val_str(c, out, ref->type, event_type_name(ev), strlen(event_type_name(ev)));
	case F_SYSCALL_TYPE:
		if (info->flags & SK_EF_META)
			return 0;
		return extract_val_str(c, out, ref->type, event_type_name(ev), strlen(event_type_name(ev)));
	case F_EVT_TYPE_IS:
		return extract_val_int(out, ref->type, ref->arg && strcmp(ref->arg, event_type_name(ev)) == 0);
	case F_EVT_DIR:
		return str_out(c, out, info->dir == SK_DIR_EXIT ? "<" : ">");
	case F_EVT_CATEGORY: {
		if (info->flags & (SK_EF_READS_FROM_FD | SK_EF_WRITES_TO_FD)) {
			const struct state_fd *f = c->u->cur.fd;
			if (f && (f->type == SK_FDT_FILE || f->type == SK_FDT_DIRECTORY))
				return str_out(c, out, "file");
			if (f && (f->type == SK_FDT_IPV4 || f->type == SK_FDT_IPV6))
				return str_out(c, out, "net");
			if (f)
				return str_out(c, out, "ipc");
		}
		return str_out(c, out, sk_category_name(info->category));
	}
	case F_EVT_CPU:
		return extract_val_int(out, ref->type, ev->cpu);
	case F_EVT_ARGS:
	case F_EVT_INFO: {
		size_t cap = 16384;
		char *b = extract_ctx_scratch(c, cap);
		if (!b)
			return 0;
		size_t n = extract_render_args(c->u, ev, b, cap);
		return extract_val_str(c, out, RF_STRING, b, n);
	}
	case F_EVT_ARG:
		return evt_arg(c, ref, out, 0);
	case F_EVT_RAWARG:
		return evt_arg(c, ref, out, 1);
	case F_EVT_RES:
		if (!event_res(ev, &res))
			return 0;
		if (res >= 0)
			return str_out(c, out, "SUCCESS");
		{
			const char *n = sk_errno_name(res);
			if (n)
				return str_out(c, out, n);
			char *b = extract_ctx_scratch(c, 32);
			int k = snprintf(b, 32, "%" PRId64, res);
			return extract_val_str(c, out, RF_STRING, b, (size_t)k);
		}
	case F_EVT_RAWRES:
		return event_res(ev, &res) ? extract_val_int(out, ref->type, res) : 0;
	case F_EVT_FAILED:
		return event_res(ev, &res) ? extract_val_bool(out, res < 0) : 0;
	case F_EVT_BUFFER: {
		const struct sk_param *p = state_get_param(c->u->pi, ev, PR_data);
		if (!p)
			return 0;
		return extract_val_str(c, out, RF_BYTEBUF, (const char *)p->val, p->len);
	}
	case F_EVT_BUFLEN:
		if ((info->flags & (SK_EF_READS_FROM_FD | SK_EF_WRITES_TO_FD)) && c->u->cur.fd && event_res(ev, &res) && res >= 0)
			return extract_val_int(out, ref->type, res);
		return 0;
	case F_EVT_IS_OPEN_EXEC:
		if (!open_flags(c, &flags, &mode))
			return extract_val_bool(out, 0);
		if (sk_event_kind(ev->type) == SK_EK_CREAT)
			return extract_val_bool(out, (mode & PPM_S_IXANY) != 0);
		return extract_val_bool(out, (flags & (PPM_O_CREAT | PPM_O_TMPFILE)) && (mode & PPM_S_IXANY));
	case F_EVT_IS_OPEN_CREATE:
		if (!open_flags(c, &flags, NULL))
			return extract_val_bool(out, 0);
		return extract_val_bool(out, (flags & PPM_O_F_CREATED) ||
					     ((flags & PPM_O_TMPFILE) && event_res(ev, &res) && res >= 0));
	case F_EVT_IS_IO:
		return extract_val_bool(out, (info->flags & (SK_EF_READS_FROM_FD | SK_EF_WRITES_TO_FD)) != 0);
	case F_EVT_IS_IO_READ:
		return extract_val_bool(out, (info->flags & SK_EF_READS_FROM_FD) != 0);
	case F_EVT_IS_IO_WRITE:
		return extract_val_bool(out, (info->flags & SK_EF_WRITES_TO_FD) != 0);
	case F_EVT_IO_DIR:
		if (info->flags & SK_EF_READS_FROM_FD)
			return str_out(c, out, "read");
		if (info->flags & SK_EF_WRITES_TO_FD)
			return str_out(c, out, "write");
		return 0;
	case F_EVT_IS_WAIT:
		return extract_val_bool(out, (info->flags & SK_EF_WAITS) != 0);
	case F_EVT_IS_SYSLOG: {
		const struct state_fd *f = c->u->cur.fd;
		return extract_val_bool(out, (info->flags & SK_EF_WRITES_TO_FD) && f && f->name && strstr(f->name, "/dev/log"));
	}
	case F_EVT_COUNT:
		return extract_val_int(out, ref->type, 1);
	case F_EVT_COUNT_EXIT:
		return extract_val_int(out, ref->type, sk_event_is_exit(ev->type));
	case F_EVT_COUNT_ERROR:
		return extract_val_int(out, ref->type, event_res(ev, &res) && res < 0);
	case F_EVT_COUNT_ERROR_FILE:
		return extract_val_int(out, ref->type, event_res(ev, &res) && res < 0 && info->category == SK_CAT_FILE);
	case F_EVT_COUNT_ERROR_NET:
		return extract_val_int(out, ref->type, event_res(ev, &res) && res < 0 && info->category == SK_CAT_NET);
	case F_EVT_COUNT_ERROR_MEMORY:
		return extract_val_int(out, ref->type, event_res(ev,
								 &res) && res < 0 && info->category == SK_CAT_MEMORY);
	case F_EVT_COUNT_ERROR_OTHER:
		return extract_val_int(out, ref->type, event_res(ev,
								 &res) && res < 0 && info->category != SK_CAT_FILE &&
							  info->category != SK_CAT_NET && info->category != SK_CAT_MEMORY);
	case F_EVT_COUNT_PROCINFO:
		return extract_val_int(out, ref->type, sk_event_kind(ev->type) == SK_EK_PROCINFO);
	case F_EVT_COUNT_THREADINFO:
		return extract_val_int(out, ref->type, 0);
	case F_EVT_ABSPATH:
		return evt_abspath(c, out, 0);
	case F_EVT_ABSPATH_SRC:
		return evt_abspath(c, out, 1);
	case F_EVT_ABSPATH_DST:
		return evt_abspath(c, out, 2);
	case F_EVT_LATENCY:
	case F_EVT_LATENCY_S:
	case F_EVT_LATENCY_NS:
	case F_EVT_WAIT_LATENCY:
		return extract_val_int(out, ref->type, 0);
	case F_EVT_LATENCY_HUMAN:
		return str_out(c, out, "0ns");
	case F_EVT_BUFLEN_IN: case F_EVT_BUFLEN_OUT: case F_EVT_BUFLEN_FILE: case F_EVT_BUFLEN_FILE_IN:
	case F_EVT_BUFLEN_FILE_OUT: case F_EVT_BUFLEN_NET: case F_EVT_BUFLEN_NET_IN: case F_EVT_BUFLEN_NET_OUT: {
		if (!(info->flags & (SK_EF_READS_FROM_FD | SK_EF_WRITES_TO_FD)) || !c->u->cur.fd || !event_res(ev, &res) || res < 0)
			return 0;
		int in = (info->flags & SK_EF_READS_FROM_FD) != 0;
		int file = fd_is_file(c);
		switch (ref->id) {
		case F_EVT_BUFLEN_IN: return in ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_OUT: return !in ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_FILE: return file ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_FILE_IN: return file && in ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_FILE_OUT: return file && !in ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_NET: return !file ? extract_val_int(out, ref->type, res) : 0;
		case F_EVT_BUFLEN_NET_IN: return !file && in ? extract_val_int(out, ref->type, res) : 0;
		default: return !file && !in ? extract_val_int(out, ref->type, res) : 0;
		}
	}
	default:
		/* evt.pluginname/plugininfo (no plugins), evt.around (filter-only helper). */
		return 0;
	}
}
