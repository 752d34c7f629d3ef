/* record/pcap.c: saker-record -i: libpcap capture on its own thread, packets encoded into .skr packet frames handed to the writer thread. */
#include "record/record.h"

#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "formats/skr/skr.h"

#define PCAP_FRAME_BYTES (1u << 20)       /* finish a frame at this many raw bytes */
#define PCAP_FRAME_NS 1000000000ull       /* ... or when its first packet is this old */
#define PCAP_QUEUE_MAX (64u << 20)        /* frames waiting for the writer, bytes */

/* A finished frame waiting for the writer thread. */
struct frame {
	struct frame *next;
	size_t len;
	uint8_t bytes[];
};

struct rec_pcap {
	struct rec_pcap_opts o;
	pcap_t *h[REC_PCAP_MAX_IFACES];
	uint32_t linktype[REC_PCAP_MAX_IFACES];
	size_t n;
	struct skr_packet_encoder *enc;   /* capture thread only */
	uint64_t frame_start_ns;          /* CLOCK_MONOTONIC of the pending frame's first packet */
	int enc_error;

	pthread_t thread;
	int started;
	volatile int stop;
	pthread_mutex_t mu;               /* guards the queue and the counters below */
	struct frame *head, *tail;
	size_t queued;
	uint64_t packets, frames_dropped, packets_dropped;
	int error;
	char err[512];
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* pcap_datalink gives DLT_ values; files carry LINKTYPE_ values, which are
 * the same except for a few historical ones. */
static uint32_t linktype_of(int dlt)
{
#ifdef DLT_RAW
	if (dlt == DLT_RAW)
		return 101;
#endif
	return (uint32_t)dlt;
}

static int open_iface(struct rec_pcap *p, const char *name, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	pcap_t *h = pcap_create(name, perr);
	if (!h) {
		snprintf(err, errlen, "-i %s: %s", name, perr);
		return -1;
	}
	pcap_set_snaplen(h, (int)p->o.snaplen);
	pcap_set_promisc(h, 0);
	pcap_set_timeout(h, 100);
	pcap_set_buffer_size(h, 16 << 20);
	pcap_set_tstamp_precision(h, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(h);
	if (rc < 0) {
		snprintf(err, errlen, "-i %s: %s", name, rc == PCAP_ERROR ? pcap_geterr(h) : pcap_statustostr(rc));
		pcap_close(h);
		return -1;
	}
	if (p->o.filter && *p->o.filter) {
		struct bpf_program prog;
		if (pcap_compile(h, &prog, p->o.filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(h, &prog) < 0) {
			snprintf(err, errlen, "--pcap-filter '%s' on %s: %s", p->o.filter, name, pcap_geterr(h));
			pcap_freecode(&prog);
			pcap_close(h);
			return -1;
		}
		pcap_freecode(&prog);
	}
	if (pcap_setnonblock(h, 1, perr) < 0 || pcap_get_selectable_fd(h) < 0) {
		snprintf(err, errlen, "-i %s: cannot poll the capture", name);
		pcap_close(h);
		return -1;
	}
	p->linktype[p->n] = linktype_of(pcap_datalink(h));
	p->h[p->n++] = h;
	return 0;
}

struct rec_pcap *rec_pcap_open(const struct rec_pcap_opts *o, char *err, size_t errlen)
{
	if (o->n_ifaces == 0 || o->n_ifaces > REC_PCAP_MAX_IFACES) {
		snprintf(err, errlen, "-i: between 1 and %d interfaces", REC_PCAP_MAX_IFACES);
		return NULL;
	}
	struct rec_pcap *p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->o = *o;
	if (!p->o.snaplen)
		p->o.snaplen = 262144;
	pthread_mutex_init(&p->mu, NULL);
	p->enc = skr_packet_encoder_new(o->level);
	if (!p->enc) {
		snprintf(err, errlen, "out of memory");
		rec_pcap_free(p);
		return NULL;
	}
	for (size_t i = 0; i < o->n_ifaces; i++)
		if (open_iface(p, o->ifaces[i], err, errlen) < 0) {
			rec_pcap_free(p);
			return NULL;
		}
	return p;
}

int rec_pcap_meta(const struct rec_pcap *p, struct sk_meta *m)
{
	for (size_t i = 0; p && i < p->n; i++) {
		struct sk_meta_capif c = { p->o.ifaces[i], p->linktype[i], p->o.snaplen,
					   p->o.filter ? p->o.filter : "" };
		int rc = sk_meta_add_capif(m, &c);
		if (rc)
			return rc;
	}
	return 0;
}

static void set_error(struct rec_pcap *p, int rc, const char *what)
{
	pthread_mutex_lock(&p->mu);
	if (!p->error) {
		p->error = rc;
		snprintf(p->err, sizeof(p->err), "packet capture: %s: %s", what, strerror(-rc));
	}
	pthread_mutex_unlock(&p->mu);
}

/* Moves the pending packets to the queue as one frame. */
static void finish_frame(struct rec_pcap *p)
{
	uint32_t n = skr_packet_encoder_count(p->enc);
	const uint8_t *f;
	size_t len;
	if (!n)
		return;
	int rc = skr_packet_encoder_finish(p->enc, &f, &len);
	if (rc) {
		set_error(p, rc, "encoding a frame");
		return;
	}
	pthread_mutex_lock(&p->mu);
	struct frame *fr = p->queued + len <= PCAP_QUEUE_MAX ? malloc(sizeof(*fr) + len) : NULL;
	if (fr) {
		memcpy(fr->bytes, f, len);
		fr->len = len;
		fr->next = NULL;
		if (p->tail)
			p->tail->next = fr;
		else
			p->head = fr;
		p->tail = fr;
		p->queued += len;
		p->packets += n;
	} else {
		/* the writer is behind (or memory is short): lose this frame, not the capture */
		p->frames_dropped++;
		p->packets_dropped += n;
	}
	pthread_mutex_unlock(&p->mu);
}

struct cb_ctx {
	struct rec_pcap *p;
	uint32_t iface;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cb_ctx *c = (struct cb_ctx *)user;
	struct rec_pcap *p = c->p;
	/* nanosecond precision: tv_usec holds nanoseconds */
	struct sk_packet pk = {
		.ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec,
		.iface = c->iface,
		.caplen = h->caplen,
		.origlen = h->len < h->caplen ? h->caplen : h->len,
		.data = bytes,
	};
	if (!skr_packet_encoder_count(p->enc))
		p->frame_start_ns = mono_ns();
	int rc = skr_packet_encoder_add(p->enc, &pk);
	if (rc && !p->enc_error) {
		p->enc_error = rc;
		set_error(p, rc, "buffering a packet");
	}
	if (skr_packet_encoder_bytes(p->enc) >= PCAP_FRAME_BYTES)
		finish_frame(p);
}

static void *capture_main(void *arg)
{
	struct rec_pcap *p = arg;
	struct pollfd pfd[REC_PCAP_MAX_IFACES];
	struct cb_ctx ctx[REC_PCAP_MAX_IFACES];
	for (size_t i = 0; i < p->n; i++) {
		pfd[i].fd = pcap_get_selectable_fd(p->h[i]);
		pfd[i].events = POLLIN;
		ctx[i].p = p;
		ctx[i].iface = (uint32_t)i;
	}
	for (;;) {
		int stopping = p->stop;
		int rc = poll(pfd, p->n, 100);
		if (rc < 0 && errno != EINTR) {
			set_error(p, -errno, "poll");
			break;
		}
		/* TPACKET_V3 blocks are handed over on their timeout even when poll
		 * says nothing: dispatch every handle each round */
		for (size_t i = 0; i < p->n; i++)
			if (pcap_dispatch(p->h[i], -1, on_packet, (u_char *)&ctx[i]) == PCAP_ERROR) {
				set_error(p, -EIO, pcap_geterr(p->h[i]));
				stopping = 1;
			}
		if (skr_packet_encoder_count(p->enc) && mono_ns() - p->frame_start_ns >= PCAP_FRAME_NS)
			finish_frame(p);
		if (stopping)
			break;
	}
	finish_frame(p);
	return NULL;
}

int rec_pcap_start(struct rec_pcap *p)
{
	if (pthread_create(&p->thread, NULL, capture_main, p) != 0)
		return -errno;
	p->started = 1;
	return 0;
}

void rec_pcap_stop(struct rec_pcap *p)
{
	if (!p || !p->started)
		return;
	p->stop = 1;
	pthread_join(p->thread, NULL);
	p->started = 0;
}

int rec_pcap_drain(struct rec_pcap *p, struct rec_out *out)
{
	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	struct frame *f = p->head;
	p->head = p->tail = NULL;
	p->queued = 0;
	int err = p->error;
	pthread_mutex_unlock(&p->mu);
	int rc = 0;
	while (f) {
		struct frame *next = f->next;
		if (!rc)
			rc = rec_out_frame(out, f->bytes, f->len);
		free(f);
		f = next;
	}
	return rc ? rc : err;
}

void rec_pcap_stats(struct rec_pcap *p, struct rec_pcap_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	st->packets = p->packets;
	st->dropped = p->packets_dropped;
	pthread_mutex_unlock(&p->mu);
	for (size_t i = 0; i < p->n; i++) {
		struct pcap_stat ps;
		if (pcap_stats(p->h[i], &ps) == 0)
			st->kernel_dropped += ps.ps_drop + ps.ps_ifdrop;
	}
}

const char *rec_pcap_error(struct rec_pcap *p)
{
	return p->err;
}

void rec_pcap_free(struct rec_pcap *p)
{
	if (!p)
		return;
	rec_pcap_stop(p);
	for (size_t i = 0; i < p->n; i++)
		pcap_close(p->h[i]);
	for (struct frame *f = p->head; f;) {
		struct frame *next = f->next;
		free(f);
		f = next;
	}
	skr_packet_encoder_free(p->enc);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
