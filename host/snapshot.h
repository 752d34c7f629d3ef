/* host/snapshot.h: the start-of-capture state read from /proc and /etc (fields.md 9.5). */
#ifndef SAKER_HOST_SNAPSHOT_H
#define SAKER_HOST_SNAPSHOT_H

/*
 * host/ owns reading the running host: processes, threads, fds and sockets
 * from /proc, users and groups from /etc, interfaces and the host record,
 * into capture metadata. It may call formats/ and probe/ (flag translation),
 * and json/ (the container runtimes, host/containers.h).
 */

#include <stddef.h>
#include <stdint.h>

#include "formats/meta.h"

struct host_opts {
	uint32_t snaplen, argv_limit;
	const char *version;
};

/* Every thread of every user-space process under procfs ("/proc") and the
 * fds of each process. Sockets are resolved through the process's network
 * namespace tables (/proc/PID/net/...). IPv4/IPv6 connected sockets are
 * stored client first: sip/sport is the client end, dip/dport the server
 * end (an end whose port is a listening port on the host is the server).
 * Processes that vanish during the scan are skipped. 0 or -errno. */
int host_snapshot_procs(struct sk_meta *m, const char *procfs, char *err, size_t errlen);

/* Users and groups of root's /etc/passwd and /etc/group ("" = host). */
int host_snapshot_users(struct sk_meta *m, const char *root);

/* Interfaces with IPv4/IPv6 addresses (getifaddrs). */
int host_snapshot_ifaces(struct sk_meta *m);

/* Host record: hostname (SAKER_HOSTNAME, then FALCO_HOSTNAME, then
 * gethostname), kernel release, boot time, clocks, time zone, CPUs. */
int host_snapshot_host(struct sk_meta *m, const struct host_opts *o);

/* All of the above. */
int host_snapshot_all(struct sk_meta *m, const struct host_opts *o, char *err, size_t errlen);

#endif
