/* record/snapshot.h: the start-of-capture state read from /proc and /etc (fields.md 9.5). */
#ifndef SAKER_RECORD_SNAPSHOT_H
#define SAKER_RECORD_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/meta.h"

struct rec_host_opts {
	uint32_t snaplen, argv_limit;
	const char *version;
};

/* Every thread of every user-space process under procfs ("/proc") and the
 * fds of each process. Sockets are resolved through the process's network
 * namespace tables (/proc/PID/net/...). IPv4/IPv6 connected sockets are
 * stored client first: sip/sport is the client end, dip/dport the server
 * end (an end whose port is a listening port on the host is the server).
 * Processes that vanish during the scan are skipped. 0 or -errno. */
int rec_snapshot_procs(struct sk_meta *m, const char *procfs, char *err, size_t errlen);

/* Users and groups of root's /etc/passwd and /etc/group ("" = host). */
int rec_snapshot_users(struct sk_meta *m, const char *root);

/* Interfaces with IPv4/IPv6 addresses (getifaddrs). */
int rec_snapshot_ifaces(struct sk_meta *m);

/* Host record: hostname (SAKER_HOSTNAME, then FALCO_HOSTNAME, then
 * gethostname), kernel release, boot time, clocks, time zone, CPUs. */
int rec_snapshot_host(struct sk_meta *m, const struct rec_host_opts *o);

/* All of the above. */
int rec_snapshot_all(struct sk_meta *m, const struct rec_host_opts *o, char *err, size_t errlen);

#endif
