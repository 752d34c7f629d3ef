/* replay/packets/collect.c: the packet collector: spools packets, learns flow owners from socket events and alerts, joins and writes --pcap-out. */
#include "replay/packets/packets_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay/engine/engine.h"
#include "replay/state/state.h"

#define MAX_IFNAMES 64

/* A spooled packet's header; its bytes follow it in the spool. */
struct spool_rec {
	uint64_t ts;
	uint32_t caplen, origlen, linktype;
	uint32_t ifname;      /* index into ifnames */
};

struct packets {
	struct packets_opts o;
	struct pcapng_out out;
	FILE *spool;
	int spool_failed;
	char ifnames[MAX_IFNAMES][64];
	uint32_t nifnames;
	struct flow_table flows;
	int64_t *alert_pids;  /* processes that fired an alert (unsorted until the end) */
	size_t nalert, cap_alert;
	int oom;
	uint64_t packets;
	struct engine_observer obs;
	const struct engine_observer *inner;
};

struct packets *packets_new(const struct packets_opts *o, char *err, size_t errlen)
{
	struct packets *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->o = *o;
	p->spool = tmpfile();
	if (!p->spool) {
		snprintf(err, errlen, "--pcap-out: cannot create a temporary file: %s", strerror(errno));
		free(p);
		return NULL;
	}
	if (pcapng_open(&p->out, o->out_path, o->force, err, errlen) < 0) {
		fclose(p->spool);
		free(p);
		return NULL;
	}
	return p;
}

static uint32_t ifname_index(struct packets *p, const char *name)
{
	if (!name)
		name = "";
	for (uint32_t i = 0; i < p->nifnames; i++)
		if (!strcmp(p->ifnames[i], name))
			return i;
	if (p->nifnames == MAX_IFNAMES)
		return MAX_IFNAMES - 1; /* a pathological number of inputs: share the last name */
	snprintf(p->ifnames[p->nifnames], sizeof(p->ifnames[0]), "%s", name);
	return p->nifnames++;
}

void packets_sink(void *ctx, const struct sk_packet *pk)
{
	struct packets *p = ctx;
	struct spool_rec r = { pk->ts, pk->caplen, pk->origlen, pk->linktype, ifname_index(p, pk->ifname) };
	if (fwrite(&r, sizeof(r), 1, p->spool) != 1 || fwrite(pk->data, 1, pk->caplen, p->spool) != pk->caplen)
		p->spool_failed = 1;
	p->packets++;
}

static uint8_t l4_ipproto(uint8_t l4)
{
	return l4 == STATE_L4_TCP ? 6 : l4 == STATE_L4_UDP ? 17 : 0;
}

/* Every event on an inet socket says which thread uses its flow now. */
static void on_event(void *ctx, struct engine *e)
{
	struct packets *p = ctx;
	const struct state_cur *cur = &e->u.cur;
	const struct state_fd *fd = cur->fd;
	if (fd && cur->thread) {
		uint8_t proto = l4_ipproto(fd->l4proto);
		int server = fd->type == SK_FDT_IPV4_SERVER || fd->type == SK_FDT_IPV6_SERVER;
		int inet = fd->type == SK_FDT_IPV4 || fd->type == SK_FDT_IPV6 || server;
		if (inet && proto && fd->sport) {
			struct flow_key k;
			uint8_t family = fd->v6 ? 10 : 2;
			struct flow_owner o = { .first_ts = e->ev->ts, .tid = cur->thread->tid, .pid = cur->thread->pid };
			/* connected entries hold client -> server: a server's end is d */
			int local_is_d = fd->role == STATE_ROLE_SERVER && !server && fd->dport;
			memcpy(o.local, local_is_d ? fd->dip : fd->sip, fd->v6 ? 16 : 4);
			o.lport = local_is_d ? fd->dport : fd->sport;
			static const uint8_t any[16];
			/* an unconnected UDP socket's tuple has no local address: its
			 * packets are found by its port, as a bound socket's */
			if (server || !fd->dport || !memcmp(o.local, any, 16))
				flow_key_make(&k, proto, family, o.local, o.lport, NULL, 0);
			else
				flow_key_make(&k, proto, family, fd->sip, fd->sport, fd->dip, fd->dport);
			snprintf(o.comm, sizeof(o.comm), "%s", cur->thread->comm);
			snprintf(o.container, sizeof(o.container), "%s", cur->thread->container_id);
			if (p->o.cond)
				o.matched = rule_filter_eval(p->o.cond, e->ev->type, extract_field, &e->fc) == 1;
			if (flow_table_note(&p->flows, &k, &o))
				p->oom = 1;
		}
	}
	if (p->inner && p->inner->event)
		p->inner->event(p->inner->ctx, e);
}

static void on_alert(void *ctx, struct engine *e, size_t rule_index, const char *text, size_t len)
{
	struct packets *p = ctx;
	const struct state_thread *t = e->u.cur.thread;
	if (p->o.alerts && t) {
		if (p->nalert == p->cap_alert) {
			size_t cap = p->cap_alert ? p->cap_alert * 2 : 64;
			int64_t *v = realloc(p->alert_pids, cap * sizeof(*v));
			if (v) {
				p->alert_pids = v;
				p->cap_alert = cap;
			}
		}
		if (p->nalert < p->cap_alert)
			p->alert_pids[p->nalert++] = t->pid;
		else
			p->oom = 1;
	}
	if (p->inner && p->inner->alert)
		p->inner->alert(p->inner->ctx, e, rule_index, text, len);
}

const struct engine_observer *packets_observer(struct packets *p, const struct engine_observer *inner)
{
	p->inner = inner;
	p->obs.ctx = p;
	p->obs.event = on_event;
	p->obs.alert = on_alert;
	return &p->obs;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* The owner of one end (addr, port) of a packet's flow: the socket of that
 * 5-tuple, else a socket bound to that port (on that address or any). */
static const struct flow_owner *end_owner(const struct packets *p, const struct sk_flow *f, const uint8_t *addr,
					  uint16_t port, uint64_t ts)
{
	static const uint8_t any[16];
	struct flow_key k;
	flow_key_make(&k, f->l4proto, f->family, f->src, f->sport, f->dst, f->dport);
	const struct flow_owner *o = flow_table_owner_at(&p->flows, &k, addr, port, ts);
	if (!o) {
		flow_key_make(&k, f->l4proto, f->family, addr, port, NULL, 0);
		o = flow_table_owner_at(&p->flows, &k, addr, port, ts);
	}
	if (!o) {
		flow_key_make(&k, f->l4proto, f->family, any, port, NULL, 0);
		o = flow_table_owner_at(&p->flows, &k, any, port, ts);
	}
	return o;
}

static int owner_selected(const struct packets *p, const struct flow_owner *o)
{
	if (!o)
		return 0;
	if (p->o.cond && o->matched)
		return 1;
	return p->o.alerts && p->nalert &&
	       bsearch(&o->pid, p->alert_pids, p->nalert, sizeof(int64_t), cmp_i64) != NULL;
}

static size_t owner_text(char *buf, size_t cap, const char *prefix, const struct flow_owner *o)
{
	int n = snprintf(buf, cap, "%sproc.name=%s %sproc.pid=%" PRId64 " %sthread.tid=%" PRId64 " %scontainer.id=%s",
			 prefix, o->comm, prefix, o->pid, prefix, o->tid, prefix, o->container[0] ? o->container : "host");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* Whether pk is written, and its comment: the owner it was selected for
 * (else its sender, else its receiver), then the other end's owner when
 * it is another local process. */
static int packet_verdict(const struct packets *p, const struct sk_packet *pk, char *comment, size_t cap,
			  int *owned)
{
	struct sk_flow f;
	const struct flow_owner *src = NULL, *dst = NULL;
	if (sk_packet_flow(pk->linktype, pk->data, pk->caplen, &f) == 0) {
		src = end_owner(p, &f, f.src, f.sport, pk->ts);
		dst = end_owner(p, &f, f.dst, f.dport, pk->ts);
	}
	*owned = src || dst;
	int filtering = p->o.cond || p->o.alerts;
	int sel_src = owner_selected(p, src), sel_dst = owner_selected(p, dst);
	if (filtering && !sel_src && !sel_dst)
		return 0;
	const struct flow_owner *first = sel_src || !filtering ? (src ? src : dst) : dst;
	const struct flow_owner *other = first == src ? dst : src;
	comment[0] = '\0';
	if (first) {
		size_t n = owner_text(comment, cap, "", first);
		if (other && other->pid != first->pid && n + 2 < cap) {
			comment[n++] = ' ';
			owner_text(comment + n, cap - n, "peer.", other);
		}
	}
	return 1;
}

int packets_finish(struct packets *p, struct packets_result *res, char *err, size_t errlen)
{
	memset(res, 0, sizeof(*res));
	res->packets = p->packets;
	res->flows = p->flows.n;
	if (p->spool_failed || p->oom || fflush(p->spool) != 0) {
		snprintf(err, errlen, "--pcap-out: %s", p->oom ? "out of memory" : "cannot spool the packets");
		return -1;
	}
	if (p->nalert) /* alert_pids is NULL until the first alert */
		qsort(p->alert_pids, p->nalert, sizeof(int64_t), cmp_i64);
	rewind(p->spool);
	uint8_t *buf = malloc(262144);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct spool_rec r;
	int rc = 0;
	while (fread(&r, sizeof(r), 1, p->spool) == 1) {
		if (r.caplen > 262144 || fread(buf, 1, r.caplen, p->spool) != r.caplen) {
			snprintf(err, errlen, "--pcap-out: the packet spool is damaged");
			rc = -1;
			break;
		}
		struct sk_packet pk = { .ts = r.ts, .caplen = r.caplen, .origlen = r.origlen, .data = buf,
					.linktype = r.linktype, .ifname = p->ifnames[r.ifname] };
		char comment[400];
		int owned;
		int keep = packet_verdict(p, &pk, comment, sizeof(comment), &owned);
		res->owned += owned;
		if (!keep)
			continue;
		if (pcapng_write(&p->out, &pk, comment[0] ? comment : NULL) < 0)
			break;
		res->written++;
	}
	free(buf);
	if (pcapng_close(&p->out, err, errlen) < 0)
		rc = -1;
	return rc;
}

void packets_free(struct packets *p)
{
	if (!p)
		return;
	if (p->out.f)
		fclose(p->out.f);
	if (p->spool)
		fclose(p->spool);
	flow_table_free(&p->flows);
	free(p->alert_pids);
	free(p);
}
