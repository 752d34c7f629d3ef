/* replay/packets/packets.h: packets joined to the processes that own their flows, and --pcap-out. */
#ifndef SAKER_REPLAY_PACKETS_PACKETS_H
#define SAKER_REPLAY_PACKETS_PACKETS_H

/*
 * replay/packets/ owns what saker-replay does with captured packets
 * (docs/packets.md): it spools the packets the sources hand over, learns
 * from the socket events (through an engine observer) which thread,
 * process and container owned each flow and when, joins the two by
 * 5-tuple and time at the end, and writes the selected packets as pcapng
 * with the owner in each packet's comment. It may call replay/engine/ and
 * the layers below it.
 */

#include <stddef.h>
#include <stdint.h>

#include "formats/packet.h"

struct engine_observer;
struct rule_filter;

struct packets_opts {
	const char *out_path;              /* --pcap-out FILE.pcapng */
	int force;                         /* overwrite out_path (else it must not exist) */
	const struct rule_filter *cond;    /* trailing CONDITION, or NULL */
	int alerts;                        /* --pcap-out-alerts: flows of processes that fired an alert */
};

struct packets;

/* Opens the output and the spool. NULL with one line in err. */
struct packets *packets_new(const struct packets_opts *o, char *err, size_t errlen);
/* The source's packet sink (source_opts.packet, ctx = the collector). */
void packets_sink(void *ctx, const struct sk_packet *p);
/* An observer that learns flow owners and alerting processes, then calls
 * inner (may be NULL: the report's observer when there is one). */
const struct engine_observer *packets_observer(struct packets *p, const struct engine_observer *inner);

struct packets_result {
	uint64_t packets;      /* handed over by the sources */
	uint64_t written;      /* selected and written */
	uint64_t owned;        /* joined to an owner */
	uint64_t flows;        /* flow owners learnt */
};
/* Joins, writes the pcapng file and closes it. 0, or -1 with err. */
int packets_finish(struct packets *p, struct packets_result *res, char *err, size_t errlen);
void packets_free(struct packets *p);

#endif
