/* replay/convert.c: saker-replay -w: copy a capture (metadata, then filtered and time-windowed events) into .skr or .scap. */
#include "replay/convert.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "formats/scap/scap.h"
#include "formats/skr/skr.h"
#include "formats/time.h"
#include "sources/source.h"
#include "replay/replay.h"
#include "replay/engine/engine.h"
#include "fields/fields.h"

/* ---- --from / --to ---- */

int replay_parse_time(const char *s, uint64_t *ns)
{
	size_t len = strlen(s);
	if (len && strspn(s, "0123456789") == len) {
		errno = 0;
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (errno || *end)
			return -1;
		*ns = v;
		return 0;
	}
	return sk_time_parse_rfc3339(s, len, ns);
}

/* ---- the output file ---- */

enum out_kind { OUT_SKR, OUT_SCAP };

/* Entries of each metadata table already written to a .skr, so tables that
 * grow mid-stream (a new .scap section, container records) are appended. */
struct meta_mark {
	size_t ifaces, users, groups, procs, fds, containers, drops;
	int host;
};

struct out {
	enum out_kind kind;
	const char *path;
	struct skr_writer *skr;
	struct scap_writer *scap;
	struct meta_mark mark;
	uint64_t written, state_only;
	char err[512];
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Refuses to truncate the input through -f (same file under another name). */
static int same_file(const char *in, const char *out)
{
	struct stat a, b;
	if (strcmp(in, "-") == 0 || stat(in, &a) < 0 || stat(out, &b) < 0)
		return 0;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int skr_put_new_meta(struct out *o, const struct sk_meta *m)
{
	struct meta_mark *k = &o->mark;
	int rc = 0;
#define PUT(kind, arr, n, seen)                                                              \
	do {                                                                                 \
		if (rc == 0 && (n) > (seen)) {                                               \
			rc = skr_writer_put_meta(o->skr, kind, (arr) + (seen), (n) - (seen)); \
			(seen) = (n);                                                        \
		}                                                                            \
	} while (0)
	if (m->have_host && !k->host) {
		rc = skr_writer_put_meta(o->skr, SK_META_HOST, &m->host, 1);
		k->host = 1;
	}
	PUT(SK_META_IFACE, m->ifaces, m->n_ifaces, k->ifaces);
	PUT(SK_META_USER, m->users, m->n_users, k->users);
	PUT(SK_META_GROUP, m->groups, m->n_groups, k->groups);
	PUT(SK_META_PROC, m->procs, m->n_procs, k->procs);
	PUT(SK_META_FD, m->fds, m->n_fds, k->fds);
	PUT(SK_META_CONTAINER, m->containers, m->n_containers, k->containers);
	PUT(SK_META_DROPS, m->drops, m->n_drops, k->drops);
#undef PUT
	if (rc < 0)
		snprintf(o->err, sizeof(o->err), "%s", skr_writer_error(o->skr));
	return rc;
}

/* sysdig 0.29 learns containers from container events, not from metadata:
 * a capture that keeps them as metadata (.skr) gets one event each. */
static int scap_put_containers(struct out *o, const struct sk_meta *m, uint64_t ts)
{
	/* the ones read so far: at the head of the capture, then each where it arrived */
	size_t from = o->mark.containers;
	o->mark.containers = m->n_containers;
	for (size_t i = from; i < m->n_containers; i++) {
		const struct sk_meta_container *c = &m->containers[i];
		/* no id: learned from a container event of the input, which is
		 * converted as itself; synthesizing it again would duplicate it */
		if (!c->json || !c->id || !c->id[0])
			continue;
		struct sk_event ev = { .ts = c->ts ? c->ts : ts, .tid = -1, .type = SK_EV_CONTAINER_E, .nparams = 1 };
		ev.params[0].val = (const uint8_t *)c->json;
		ev.params[0].len = (uint32_t)strlen(c->json) + 1;
		int rc = scap_writer_write(o->scap, &ev);
		if (rc < 0) {
			snprintf(o->err, sizeof(o->err), "%s: write error: %s", o->path, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int out_open(struct out *o, const char *path, const char *in_path, int force, const struct sk_meta *m,
		    int synth_enter)
{
	memset(o, 0, sizeof(*o));
	o->path = path;
	if (strcmp(path, "-") == 0 || ends_with(path, ".skr")) {
		o->kind = OUT_SKR;
	} else if (ends_with(path, ".scap")) {
		o->kind = OUT_SCAP;
	} else {
		snprintf(o->err, sizeof(o->err), "%s: unknown output format (name it .skr or .scap)", path);
		return -EINVAL;
	}
	if (strcmp(path, "-") != 0 && same_file(in_path, path)) {
		snprintf(o->err, sizeof(o->err), "%s: is the input capture; write to another file", path);
		return -EINVAL;
	}
	if (o->kind == OUT_SKR) {
		struct skr_writer_opts wo = { .force = force, .host = m->have_host ? &m->host : NULL };
		o->skr = skr_writer_open_path(path, &wo, o->err, sizeof(o->err));
		if (!o->skr)
			return -EIO;
		o->mark.host = m->have_host; /* the header carries it */
		return skr_put_new_meta(o, m);
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(o->err, sizeof(o->err), "%s: cannot create: %s%s", path, strerror(e),
			 e == EEXIST ? " (-f overwrites)" : "");
		return -e;
	}
	/* sysdig 0.29 needs enter events: added when the source has none. */
	struct scap_write_opts so = { .synth_enter = synth_enter };
	return scap_writer_open_fd(fd, path, m, &so, &o->scap, o->err, sizeof(o->err));
}

static int out_write(struct out *o, const struct sk_event *ev)
{
	int rc;
	if (o->kind == OUT_SKR) {
		rc = skr_writer_append(o->skr, ev);
		if (rc < 0)
			snprintf(o->err, sizeof(o->err), "%s", skr_writer_error(o->skr));
	} else {
		rc = scap_writer_write(o->scap, ev);
		if (rc < 0)
			snprintf(o->err, sizeof(o->err), "%s: write error: %s", o->path, strerror(-rc));
	}
	if (rc == 0) {
		o->written++;
		if (ev->flags & SK_EVF_STATE_ONLY)
			o->state_only++;
	}
	return rc;
}

/* Closes properly even after an error, so a partial .skr keeps its END
 * record and index. Returns the first error (message in o->err). */
static int out_close(struct out *o, int prior)
{
	int rc = 0;
	if (o->skr) {
		char err[512];
		rc = skr_writer_close(o->skr, err, sizeof(err));
		if (rc < 0 && !prior)
			snprintf(o->err, sizeof(o->err), "%s", err);
		o->skr = NULL;
	}
	if (o->scap) {
		uint64_t skipped = scap_writer_stats(o->scap)->skipped;
		if (skipped)
			fprintf(stderr, "saker-replay: %s: %" PRIu64 " events have no sysdig 0.29 equivalent and were left out\n",
				o->path, skipped);
		rc = scap_writer_close(o->scap);
		if (rc < 0 && !prior)
			snprintf(o->err, sizeof(o->err), "%s: %s", o->path, strerror(-rc));
		o->scap = NULL;
	}
	return prior ? prior : rc;
}

/* ---- held enter events ---- */

/*
 * Without --legacy-enter-events an enter event shares the fate of its exit,
 * which comes later: each thread's last enter is held (copied) until then.
 * Slots are never freed, only reused, so the steady state allocates nothing.
 */
struct held {
	int64_t tid;
	int used, full;
	struct sk_event ev;
	uint8_t *buf;
	size_t cap;
};

struct held_table {
	struct held *v;
	size_t cap, n; /* cap: power of two */
};

static size_t held_hash(int64_t tid, size_t cap)
{
	return (size_t)(((uint64_t)tid * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

static struct held *held_slot(struct held_table *t, int64_t tid, int create)
{
	if (create && (t->n + 1) * 2 > t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 64;
		struct held *nv = calloc(ncap, sizeof(*nv));
		if (!nv)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i].used)
				continue;
			size_t k = held_hash(t->v[i].tid, ncap);
			while (nv[k].used)
				k = (k + 1) & (ncap - 1);
			nv[k] = t->v[i];
		}
		free(t->v);
		t->v = nv;
		t->cap = ncap;
	}
	if (!t->cap)
		return NULL;
	size_t k = held_hash(tid, t->cap);
	while (t->v[k].used) {
		if (t->v[k].tid == tid)
			return &t->v[k];
		k = (k + 1) & (t->cap - 1);
	}
	if (!create)
		return NULL;
	t->v[k].used = 1;
	t->v[k].tid = tid;
	t->n++;
	return &t->v[k];
}

static int held_put(struct held_table *t, const struct sk_event *ev)
{
	struct held *h = held_slot(t, ev->tid, 1);
	if (!h)
		return -ENOMEM;
	size_t need = 0;
	for (uint32_t i = 0; i < ev->nparams; i++)
		need += ev->params[i].len;
	if (need > h->cap) {
		uint8_t *nb = realloc(h->buf, need);
		if (!nb)
			return -ENOMEM;
		h->buf = nb;
		h->cap = need;
	}
	h->ev = *ev;
	size_t at = 0;
	for (uint32_t i = 0; i < ev->nparams; i++) {
		if (ev->params[i].len) {
			memcpy(h->buf + at, ev->params[i].val, ev->params[i].len);
			h->ev.params[i].val = h->buf + at;
			at += ev->params[i].len;
		}
	}
	h->full = 1;
	return 0;
}

static void held_free(struct held_table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].buf);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* ---- the conversion ---- */

struct conv {
	const struct replay_opts *o;
	struct out out;
	struct held_table held;
	struct engine eng;     /* state for the filter; only with a filter */
	int have_engine;
	struct engine_meta_seen seen;
	const struct rule_filter *filter;
	int selective;            /* a filter or a time window */
	uint64_t read;
};

static int in_window(const struct conv *c, uint64_t ts)
{
	return (!c->o->have_from || ts >= c->o->from_ns) && (!c->o->have_to || ts <= c->o->to_ns);
}

/* Applies ev to the filter's state and evaluates the filter when asked. */
static int filter_step(struct conv *c, const struct sk_event *ev, int eval)
{
	if (!c->have_engine)
		return 1;
	struct engine *e = &c->eng;
	state_update_apply(&e->u, ev);
	extract_ctx_set_event(&e->fc, ev);
	int m = eval ? rule_filter_eval(c->filter, ev->type, extract_field, &e->fc) : 0;
	extract_ctx_done_event(&e->fc);
	return m;
}

static int write_flagged(struct conv *c, const struct sk_event *ev, int state_only)
{
	if (!state_only || (ev->flags & SK_EVF_STATE_ONLY))
		return out_write(&c->out, ev);
	struct sk_event copy = *ev;
	copy.flags |= SK_EVF_STATE_ONLY;
	return out_write(&c->out, &copy);
}

/*
 * A selective conversion keeps the events that pass the window and the
 * filter. Events that fail but change process or fd state (clone, execve,
 * open, close, ...) are kept too, flagged STATE_ONLY (sysdig's dump flag):
 * readers apply them to their thread and fd tables but never show or
 * evaluate them, so the kept events keep their process and fd context.
 */
static int conv_event(struct conv *c, const struct sk_event *ev)
{
	if (!c->selective)
		return out_write(&c->out, ev);
	const struct sk_event_info *info = sk_event_info(ev->type);
	int meta = info && (info->flags & SK_EF_META);
	int exit = sk_event_is_exit(ev->type);
	int enter = !exit && !meta && ev->type != SK_EV_SCAP_UNKNOWN_E;
	if (c->o->have_to && ev->ts > c->o->to_ns) {
		filter_step(c, ev, 0);
		return 0;
	}
	if (enter && !c->o->legacy_enter_events) {
		filter_step(c, ev, 0);
		return held_put(&c->held, ev) < 0 ? -ENOMEM : 0;
	}
	int win = in_window(c, ev->ts);
	int keep = filter_step(c, ev, win) && win;
	int state = !keep && info && (info->flags & (SK_EF_MODIFIES_STATE | SK_EF_CREATES_FD | SK_EF_DESTROYS_FD));
	struct held *h = exit ? held_slot(&c->held, ev->tid, 0) : NULL;
	int rc = 0;
	if (h && h->full) {
		h->full = 0;
		if ((keep || state) && sk_event_kind(h->ev.type) == sk_event_kind(ev->type))
			rc = write_flagged(c, &h->ev, !keep);
	}
	if (rc == 0 && (keep || state))
		rc = write_flagged(c, ev, !keep);
	return rc;
}

/*
 * A .skr from saker-record holds exit events only, while one converted from
 * a .scap keeps the enters: scan for the first enter (a second pass over the
 * input, only for .skr -> .scap, stopping at the first enter).
 */
static void no_warning(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static int has_enter_events(const char *path)
{
	char err[512];
	/* the conversion pass itself reports the input's problems */
	struct source_opts so = { .warn = no_warning };
	struct source *s = strcmp(path, "-") ? source_open_opts(path, &so, err, sizeof(err)) : NULL;
	struct sk_event ev;
	int found = 0;
	while (s && !found && source_next(s, &ev) == 1) {
		const struct sk_event_info *info = sk_event_info(ev.type);
		found = !sk_event_is_exit(ev.type) && info && !(info->flags & SK_EF_META) &&
			ev.type != SK_EV_SCAP_UNKNOWN_E;
	}
	if (s)
		source_close(s);
	return found;
}

static size_t meta_count(const struct sk_meta *m)
{
	return m->n_procs + m->n_fds + m->n_users + m->n_groups + m->n_ifaces + m->n_containers + m->n_drops +
	       (size_t)m->have_host;
}

int replay_convert(const struct replay_opts *o)
{
	struct conv c;
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.selective = o->nfilter_args || o->have_from || o->have_to;
	struct rule_filter *filter = NULL;
	if (o->nfilter_args && !(filter = replay_filter_compile(o)))
		return 1;
	c.filter = filter;

	char err[512];
	int status = 0, rc = 0;
	const char *in_path = o->captures[0];
	/* Every event is copied, enter events included. */
	struct source_opts so = { .deliver_enter = 1, .warn = replay_print_warning,
				  .decode_threads_set = o->decode_threads_set, .decode_threads = o->decode_threads };
	struct source *src = source_open_opts(in_path, &so, err, sizeof(err));
	if (!src) {
		fprintf(stderr, "saker-replay: %s\n", err);
		rule_filter_free(filter);
		return 2;
	}
	const struct sk_meta *m = source_meta(src);
	if (filter) {
		struct engine_opts eo = { .out = stdout, .filter = filter,
					     .legacy_enter_events = o->legacy_enter_events };
		if (engine_init(&c.eng, &eo) < 0) {
			fprintf(stderr, "saker-replay: out of memory\n");
			status = 2;
			goto done;
		}
		c.have_engine = 1;
		engine_seed_new(&c.eng, m, &c.seen);
	}
	int scap_src = strcmp(source_format_name(src), "scap") == 0;
	int synth = !scap_src && ends_with(o->write_path, ".scap") && !has_enter_events(in_path);
	if ((rc = out_open(&c.out, o->write_path, in_path, o->force, m, synth)) < 0) {
		fprintf(stderr, "saker-replay: %s\n", c.out.err);
		out_close(&c.out, rc);
		status = 2;
		goto done;
	}
	size_t seen = meta_count(m);
	struct sk_event ev;
	int first = 1;
	while ((rc = source_next(src, &ev)) == 1) {
		c.read++;
		if (first && c.out.kind == OUT_SCAP && !scap_src && (rc = scap_put_containers(&c.out, m, ev.ts)) < 0)
			break;
		first = 0;
		/* metadata read with this event precedes it in the input */
		if (meta_count(m) != seen) {
			seen = meta_count(m);
			if (c.have_engine)
				engine_seed_new(&c.eng, m, &c.seen);
			if (c.out.kind == OUT_SKR && (rc = skr_put_new_meta(&c.out, m)) < 0)
				break;
			if (c.out.kind == OUT_SCAP && !scap_src && (rc = scap_put_containers(&c.out, m, ev.ts)) < 0)
				break;
		}
		if ((rc = conv_event(&c, &ev)) < 0) {
			if (rc == -ENOMEM)
				snprintf(c.out.err, sizeof(c.out.err), "out of memory");
			break;
		}
	}
	if (rc < 0) {
		if (c.out.err[0])
			fprintf(stderr, "saker-replay: %s\n", c.out.err);
		else
			fprintf(stderr, "saker-replay: %s\n", source_error(src));
		status = 2;
	}
	c.out.err[0] = '\0';
	if (out_close(&c.out, 0) < 0) {
		fprintf(stderr, "saker-replay: %s\n", c.out.err);
		status = 2;
	}
	if (o->verbose)
		fprintf(stderr, "saker-replay: %s: %" PRIu64 " events read, %" PRIu64 " written to %s (%" PRIu64
				" of them state-only)\n",
			in_path, c.read, c.out.written, o->write_path, c.out.state_only);
done:
	if (c.have_engine)
		engine_fini(&c.eng);
	held_free(&c.held);
	source_close(src);
	rule_filter_free(filter);
	return status;
}
