/* host/sockets.c: the sockets of /proc/PID/net tables (inet, unix, netlink), one table sorted by inode for every network namespace. */
#include "host/sockets_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int sock_add(struct host_sockets *s, const struct host_socket *e)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct host_socket *n = realloc(s->v, nc * sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->v = n;
		s->cap = nc;
	}
	s->v[s->n++] = *e;
	return 0;
}

/* Address words as /proc/net prints them: each 32-bit group in host order. */
static void parse_addr(const char *hex, size_t nwords, uint8_t *out)
{
	for (size_t i = 0; i < nwords; i++) {
		char w[9];
		uint32_t v;

		memcpy(w, hex + i * 8, 8);
		w[8] = 0;
		v = (uint32_t)strtoul(w, NULL, 16);
		memcpy(out + i * 4, &v, 4);
	}
}

/* A /proc/net table past its header line, or NULL (absent, unreadable or empty). */
static FILE *open_table(const char *path)
{
	FILE *f = fopen(path, "re");
	char header[512];

	if (f && !fgets(header, sizeof(header), f)) {
		fclose(f);
		f = NULL;
	}
	return f;
}

static void load_inet(struct host_sockets *s, const char *path, int v6, uint8_t l4)
{
	FILE *f = open_table(path);
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char la[40], ra[40];
		unsigned lp, rp, st;
		unsigned long long ino;
		struct host_socket e;

		memset(&e, 0, sizeof(e));
		if (sscanf(line, " %*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %*s %*s %llu",
			   la, &lp, ra, &rp, &st, &ino) != 6)
			continue;
		if (strlen(la) != (v6 ? 32u : 8u) || strlen(ra) != (v6 ? 32u : 8u))
			continue;
		e.ino = ino;
		e.type = v6 ? SK_FDT_IPV6 : SK_FDT_IPV4;
		e.l4proto = l4;
		parse_addr(la, v6 ? 4 : 1, e.sip);
		parse_addr(ra, v6 ? 4 : 1, e.dip);
		e.sport = (uint16_t)lp;
		e.dport = (uint16_t)rp;
		/* TCP LISTEN (0x0A), or an unconnected datagram socket bound to a port */
		e.listening = (l4 == 2 && st == 0x0A) || (l4 != 2 && rp == 0 && lp != 0);
		if (ino && sock_add(s, &e) < 0)
			break;
	}
	fclose(f);
}

static void load_unix(struct host_sockets *s, const char *path)
{
	FILE *f = open_table(path);
	char line[4096 + 128];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long addr, ino;
		int pos = 0;
		struct host_socket e;

		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%llx: %*x %*x %*x %*x %*x %llu%n", &addr, &ino, &pos) != 2)
			continue;
		e.ino = ino;
		e.uaddr = addr;
		e.type = SK_FDT_UNIX;
		e.l4proto = 0;
		{
			char *p = line + pos;
			size_t l;

			while (*p == ' ')
				p++;
			l = strcspn(p, "\n");
			if (l) {
				/* abstract names print with a leading '@' */
				e.path = strndup(p, l);
			}
		}
		if (sock_add(s, &e) < 0) {
			free(e.path);
			break;
		}
	}
	fclose(f);
}

static void load_netlink(struct host_sockets *s, const char *path)
{
	FILE *f = open_table(path);
	char line[512];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long ino;
		struct host_socket e;

		memset(&e, 0, sizeof(e));
		if (sscanf(line, "%*s %*d %*u %*x %*d %*d %*d %*d %*d %llu", &ino) != 1)
			continue;
		e.ino = ino;
		e.type = SK_FDT_NETLINK;
		if (sock_add(s, &e) < 0)
			break;
	}
	fclose(f);
}

static int sock_cmp(const void *a, const void *b)
{
	const struct host_socket *x = a, *y = b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

void host_sockets_load_netns(struct host_sockets *s, const char *procfs, const char *pid)
{
	char p[1024], link[64];
	struct stat st;
	static const struct { const char *name; int v6; uint8_t l4; } inet[] = {
		{ "tcp", 0, 2 }, { "tcp6", 1, 2 }, { "udp", 0, 3 }, { "udp6", 1, 3 },
		{ "raw", 0, 5 }, { "raw6", 1, 5 },
	};

	snprintf(p, sizeof(p), "%s/%s/ns/net", procfs, pid);
	if (stat(p, &st) < 0)
		return;
	for (size_t i = 0; i < s->nnetns; i++)
		if (s->netns[i] == (uint64_t)st.st_ino)
			return;
	if (s->nnetns == s->capnetns) {
		size_t nc = s->capnetns ? s->capnetns * 2 : 8;
		uint64_t *n = realloc(s->netns, nc * sizeof(*n));
		if (!n)
			return;
		s->netns = n;
		s->capnetns = nc;
	}
	s->netns[s->nnetns++] = (uint64_t)st.st_ino;
	(void)link;
	for (size_t i = 0; i < sizeof(inet) / sizeof(inet[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s/net/%s", procfs, pid, inet[i].name);
		load_inet(s, p, inet[i].v6, inet[i].l4);
	}
	snprintf(p, sizeof(p), "%s/%s/net/unix", procfs, pid);
	load_unix(s, p);
	snprintf(p, sizeof(p), "%s/%s/net/netlink", procfs, pid);
	load_netlink(s, p);
	qsort(s->v, s->n, sizeof(*s->v), sock_cmp);
}

const struct host_socket *host_sockets_find(const struct host_sockets *s, uint64_t ino)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->v[mid].ino == ino)
			return &s->v[mid];
		if (s->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int host_sockets_listening(const struct host_sockets *s, uint16_t port, uint8_t l4)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].listening && s->v[i].l4proto == l4 && s->v[i].sport == port)
			return 1;
	return 0;
}

void host_sockets_free(struct host_sockets *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	free(s->netns);
	memset(s, 0, sizeof(*s));
}
