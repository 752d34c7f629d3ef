/* host/hostinfo.c: host, interface, user and group metadata for the capture header. */
#include "host/snapshot.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

int host_snapshot_users(struct sk_meta *m, const char *root)
{
	char path[1024], line[2048];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	f = fopen(path, "re");
	if (f) {
		while (!rc && fgets(line, sizeof(line), f)) {
			char *fld[7], *save = NULL, *p = line;
			int n = 0;

			line[strcspn(line, "\n")] = 0;
			/* strsep keeps empty fields (strtok would merge them) */
			while (n < 7 && (fld[n] = strsep(&p, ":")))
				n++;
			(void)save;
			if (n < 7)
				continue;
			struct sk_meta_user u = { .uid = (uint32_t)strtoul(fld[2], NULL, 10),
						  .gid = (uint32_t)strtoul(fld[3], NULL, 10),
						  .name = fld[0], .home = fld[5], .shell = fld[6],
						  .container_id = "" };
			rc = sk_meta_add_user(m, &u);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/etc/group", root);
	f = fopen(path, "re");
	if (f) {
		while (!rc && fgets(line, sizeof(line), f)) {
			char *fld[4], *p = line;
			int n = 0;

			line[strcspn(line, "\n")] = 0;
			while (n < 4 && (fld[n] = strsep(&p, ":")))
				n++;
			if (n < 3)
				continue;
			struct sk_meta_group g = { .gid = (uint32_t)strtoul(fld[2], NULL, 10), .name = fld[0],
						   .container_id = "" };
			rc = sk_meta_add_group(m, &g);
		}
		fclose(f);
	}
	return rc;
}

int host_snapshot_ifaces(struct sk_meta *m)
{
	struct ifaddrs *ifs, *i;
	int rc = 0;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (i = ifs; i && !rc; i = i->ifa_next) {
		struct sk_meta_iface it;

		if (!i->ifa_addr)
			continue;
		memset(&it, 0, sizeof(it));
		it.name = i->ifa_name;
		if (i->ifa_addr->sa_family == AF_INET) {
			it.family = 2;
			memcpy(it.addr, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
			if (i->ifa_netmask)
				memcpy(it.netmask, &((struct sockaddr_in *)i->ifa_netmask)->sin_addr, 4);
			if ((i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr)
				memcpy(it.bcast, &((struct sockaddr_in *)i->ifa_broadaddr)->sin_addr, 4);
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			it.family = 10;
			memcpy(it.addr, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
			if (i->ifa_netmask)
				memcpy(it.netmask, &((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr, 16);
		} else {
			continue;
		}
		rc = sk_meta_add_iface(m, &it);
	}
	freeifaddrs(ifs);
	return rc;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int host_snapshot_host(struct sk_meta *m, const struct host_opts *o)
{
	struct sk_meta_host h;
	struct utsname u;
	char host[256] = "", tzname_buf[256] = "UTC";
	const char *env;
	uint64_t rt = clock_ns(CLOCK_REALTIME), mono = clock_ns(CLOCK_MONOTONIC), boot = clock_ns(CLOCK_BOOTTIME);
	time_t now = time(NULL);
	struct tm lt;
	ssize_t n;

	memset(&h, 0, sizeof(h));
	if ((env = getenv("SAKER_HOSTNAME")) && *env)
		snprintf(host, sizeof(host), "%s", env);
	else if ((env = getenv("FALCO_HOSTNAME")) && *env)
		snprintf(host, sizeof(host), "%s", env);
	else
		gethostname(host, sizeof(host) - 1);
	h.hostname = host;
	h.kernel_release = uname(&u) == 0 ? u.release : "";
	/* the zone name: TZ if set, else /etc/timezone, else the /etc/localtime link */
	if ((env = getenv("TZ")) && *env) {
		snprintf(tzname_buf, sizeof(tzname_buf), "%s", env[0] == ':' ? env + 1 : env);
	} else {
		FILE *f = fopen("/etc/timezone", "re");
		if (f && fgets(tzname_buf, sizeof(tzname_buf), f)) {
			tzname_buf[strcspn(tzname_buf, "\n")] = 0;
		} else if ((n = readlink("/etc/localtime", tzname_buf, sizeof(tzname_buf) - 1)) > 0) {
			char *z;
			tzname_buf[n] = 0;
			z = strstr(tzname_buf, "zoneinfo/");
			if (z)
				memmove(tzname_buf, z + 9, strlen(z + 9) + 1);
		}
		if (f)
			fclose(f);
	}
	h.tz_name = tzname_buf;
	localtime_r(&now, &lt);
	h.tz_offset_s = (int32_t)lt.tm_gmtoff;
	h.recorder_version = o && o->version ? o->version : "saker-record";
	h.boot_ts = rt - boot;
	h.start_ts = rt;
	h.memory_bytes = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE);
	h.num_cpus = (uint32_t)sysconf(_SC_NPROCESSORS_ONLN);
	h.realtime_minus_monotonic_ns = (int64_t)(rt - mono);
	h.realtime_minus_boottime_ns = (int64_t)(rt - boot);
	h.snaplen = o ? o->snaplen : 80;
	h.argv_limit = o ? o->argv_limit : 4096;
	return sk_meta_set_host(m, &h);
}

int host_snapshot_all(struct sk_meta *m, const struct host_opts *o, char *err, size_t errlen)
{
	int rc = host_snapshot_host(m, o);

	if (!rc)
		rc = host_snapshot_ifaces(m);
	if (!rc)
		rc = host_snapshot_users(m, "");
	if (rc) {
		snprintf(err, errlen, "host metadata: %s", strerror(-rc));
		return rc;
	}
	return host_snapshot_procs(m, "/proc", err, errlen);
}
