/* host/sockets_int.h: the socket table of the /proc snapshot, shared by host/snapshot.c and host/sockets.c (not a public header). */
#ifndef SAKER_HOST_SOCKETS_INT_H
#define SAKER_HOST_SOCKETS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/meta.h"

/* One socket from a /proc/PID/net table. Socket inodes are unique host-wide,
 * so one sorted table serves every network namespace. */
struct host_socket {
	uint64_t ino;
	uint64_t uaddr;      /* unix: kernel address (0 when hidden) */
	uint8_t type;        /* enum sk_fd_type */
	uint8_t l4proto;
	uint8_t listening;
	uint8_t sip[16], dip[16];
	uint16_t sport, dport;
	char *path;          /* unix path, or NULL */
};

struct host_sockets {
	struct host_socket *v;    /* sorted by ino once a namespace is loaded */
	size_t n, cap;
	uint64_t *netns;          /* namespaces already loaded */
	size_t nnetns, capnetns;
};

/* Adds the tables of pid's network namespace (procfs/PID/net/...), once per namespace. */
void host_sockets_load_netns(struct host_sockets *s, const char *procfs, const char *pid);
const struct host_socket *host_sockets_find(const struct host_sockets *s, uint64_t ino);
/* Some socket of protocol l4 listens on port. */
int host_sockets_listening(const struct host_sockets *s, uint16_t port, uint8_t l4);
void host_sockets_free(struct host_sockets *s);

#endif
