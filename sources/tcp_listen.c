/* sources/tcp_listen.c: one listening TCP socket for the HTTP servers (the audit webhook, the webserver). */
#include "sources/k8saudit.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int source_tcp_listen(const char *host, unsigned port, int backlog, unsigned *bound_port, char *err, size_t errlen)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	/* no host: IPv6's wildcard, which takes IPv4 too, else IPv4's */
	hints.ai_family = host[0] ? AF_UNSPEC : AF_INET6;
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	int rc = getaddrinfo(host[0] ? host : NULL, ps, &hints, &res);
	if (rc && !host[0]) {
		hints.ai_family = AF_INET;
		rc = getaddrinfo(NULL, ps, &hints, &res);
	}
	if (rc) {
		snprintf(err, errlen, "'%s': %s", host, gai_strerror(rc));
		return -1;
	}
	int last = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			last = errno;
			continue;
		}
		int one = 1, zero = 0;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a->ai_family == AF_INET6 && !host[0])
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, backlog) == 0) {
			struct sockaddr_storage sa;
			socklen_t sl = sizeof(sa);
			getsockname(fd, (struct sockaddr *)&sa, &sl);
			*bound_port = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
								    : ((struct sockaddr_in6 *)&sa)->sin6_port);
			freeaddrinfo(res);
			return fd;
		}
		last = errno;
		close(fd);
	}
	freeaddrinfo(res);
	const char *v6 = strchr(host, ':') ? "[" : "";
	snprintf(err, errlen, "cannot listen on %s%s%s:%u: %s", v6, host[0] ? host : "*", v6[0] ? "]" : "", port,
		 strerror(last));
	return -1;
}
