/* host/snapshot.c: reads processes, threads and fds from /proc into the capture metadata (sockets: host/sockets.c). */
#include "host/snapshot.h"
#include "host/sockets_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "probe/decode.h"

struct snap {
	struct sk_meta *m;
	const char *procfs;
	struct host_sockets sockets;
	char cgctl[512];
	size_t cgctl_len;
	/* scratch buffers for one thread */
	char args[65536], env[65536], cg[8192], path[4096];
};

static ssize_t read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd < 0)
		return -1;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	return (ssize_t)n;
}

/* Reads a text file NUL-terminated; returns its length or -1. */
static ssize_t read_text(const char *path, char *buf, size_t cap)
{
	ssize_t n = read_file(path, buf, cap - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

static int read_link(const char *path, char *buf, size_t cap)
{
	ssize_t n = readlink(path, buf, cap - 1);

	if (n < 0) {
		buf[0] = 0;
		return -1;
	}
	buf[n] = 0;
	return 0;
}

static uint32_t encode_dev(dev_t d)
{
	uint32_t ma = major(d), mi = minor(d);

	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}

static uint64_t ts_of(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

static void addr_str(char *out, size_t cap, int v6, const uint8_t *a, uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];

	inet_ntop(v6 ? AF_INET6 : AF_INET, a, ip, sizeof(ip));
	snprintf(out, cap, "%s:%u", ip, port);
}

/* ---- fds ---- */

static void fd_from_socket(struct snap *s, struct sk_meta_fd *fd, uint64_t ino, char *name, size_t cap)
{
	const struct host_socket *e = host_sockets_find(&s->sockets, ino);
	int v6;

	fd->ino = ino;
	if (!e) {
		fd->type = SK_FDT_UNKNOWN;
		return;
	}
	fd->l4proto = e->l4proto;
	v6 = e->type == SK_FDT_IPV6;
	if (e->type == SK_FDT_IPV4 || e->type == SK_FDT_IPV6) {
		static const uint8_t zero[16];
		if (e->listening || (!memcmp(e->dip, zero, 16) && e->dport == 0)) {
			fd->type = v6 ? SK_FDT_IPV6_SERVER : SK_FDT_IPV4_SERVER;
			memcpy(fd->sip, e->sip, 16);
			fd->sport = e->sport;
			addr_str(name, cap, v6, e->sip, e->sport);
		} else {
			char a[64], b[64];
			int server_end_local = host_sockets_listening(&s->sockets, e->sport, e->l4proto);

			fd->type = e->type;
			if (server_end_local) {
				memcpy(fd->sip, e->dip, 16);
				fd->sport = e->dport;
				memcpy(fd->dip, e->sip, 16);
				fd->dport = e->sport;
			} else {
				memcpy(fd->sip, e->sip, 16);
				fd->sport = e->sport;
				memcpy(fd->dip, e->dip, 16);
				fd->dport = e->dport;
			}
			addr_str(a, sizeof(a), v6, fd->sip, fd->sport);
			addr_str(b, sizeof(b), v6, fd->dip, fd->dport);
			snprintf(name, cap, "%s->%s", a, b);
		}
	} else if (e->type == SK_FDT_UNIX) {
		fd->type = SK_FDT_UNIX;
		fd->unix_source = e->uaddr;
		snprintf(name, cap, "%s", e->path ? e->path : "");
	} else {
		fd->type = e->type;
		name[0] = 0;
	}
}

static uint8_t anon_type(const char *what)
{
	static const struct { const char *n; uint8_t t; } map[] = {
		{ "[eventfd]", SK_FDT_EVENT }, { "[eventpoll]", SK_FDT_EVENTPOLL },
		{ "inotify", SK_FDT_INOTIFY }, { "[signalfd]", SK_FDT_SIGNALFD },
		{ "[timerfd]", SK_FDT_TIMERFD }, { "[io_uring]", SK_FDT_IO_URING },
		{ "[userfaultfd]", SK_FDT_USERFAULTFD }, { "[pidfd]", SK_FDT_PIDFD },
		{ "bpf-map", SK_FDT_BPF }, { "bpf-prog", SK_FDT_BPF }, { "bpf-link", SK_FDT_BPF },
		{ "bpf_iter", SK_FDT_BPF },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(what, map[i].n))
			return map[i].t;
	return SK_FDT_UNSUPPORTED;
}

static void snap_fds(struct snap *s, const char *pid)
{
	char dirp[512], p[1024], link[4096], info[512], name[4200];
	DIR *d;
	struct dirent *de;

	snprintf(dirp, sizeof(dirp), "%s/%s/fd", s->procfs, pid);
	d = opendir(dirp);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct sk_meta_fd fd;
		struct stat st;
		unsigned long long ino;
		char *fl;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		memset(&fd, 0, sizeof(fd));
		fd.pid = atoll(pid);
		fd.fd = atoll(de->d_name);
		fd.mnt_id = -1;
		snprintf(p, sizeof(p), "%s/%s", dirp, de->d_name);
		if (read_link(p, link, sizeof(link)) < 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s/fdinfo/%s", s->procfs, pid, de->d_name);
		if (read_text(p, info, sizeof(info)) > 0) {
			fl = strstr(info, "flags:");
			if (fl)
				fd.open_flags = skp_open_flags_to_ppm(strtoull(fl + 6, NULL, 8), 0);
			fl = strstr(info, "mnt_id:");
			if (fl)
				fd.mnt_id = (int32_t)strtol(fl + 7, NULL, 10);
		}
		snprintf(p, sizeof(p), "%s/%s", dirp, de->d_name);
		name[0] = 0;
		if (sscanf(link, "socket:[%llu]", &ino) == 1) {
			fd_from_socket(s, &fd, ino, name, sizeof(name));
		} else if (sscanf(link, "pipe:[%llu]", &ino) == 1) {
			fd.type = SK_FDT_PIPE;
			fd.ino = ino;
			snprintf(name, sizeof(name), "%s", link);
		} else if (!strncmp(link, "anon_inode:", 11)) {
			fd.type = anon_type(link + 11);
			snprintf(name, sizeof(name), "%s", link);
		} else if (!strncmp(link, "/memfd:", 7)) {
			fd.type = SK_FDT_MEMFD;
			snprintf(name, sizeof(name), "%s", link);
		} else {
			fd.type = SK_FDT_FILE;
			snprintf(name, sizeof(name), "%s", link);
			if (stat(p, &st) == 0) {
				fd.dev = encode_dev(st.st_dev);
				fd.ino = st.st_ino;
				if (S_ISDIR(st.st_mode))
					fd.type = SK_FDT_DIRECTORY;
			}
		}
		fd.name = name;
		sk_meta_add_fd(s->m, &fd);
	}
	closedir(d);
}

/* ---- threads ---- */

static int64_t status_num(const char *st, const char *key, int last)
{
	const char *p = strstr(st, key);
	int64_t v = -1;

	if (!p)
		return -1;
	p += strlen(key);
	while (*p && *p != '\n') {
		char *end;
		long long x;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\n' || !*p)
			break;
		x = strtoll(p, &end, 10);
		if (end == p)
			break;
		v = x;
		if (!last)
			break;
		p = end;
	}
	return v;
}

static uint64_t status_hex(const char *st, const char *key)
{
	const char *p = strstr(st, key);

	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/* The 2nd value of a "Uid:"/"Gid:" line: the effective id. */
static uint32_t status_eid(const char *st, const char *key)
{
	const char *p = strstr(st, key);
	unsigned long r, e;

	if (!p || sscanf(p + strlen(key), "%lu %lu", &r, &e) != 2)
		return 0xffffffffu;
	return (uint32_t)e;
}

static size_t cgroups_of(struct snap *s, const char *text)
{
	size_t n = 0;
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', ll);
		const char *c2 = c1 ? memchr(c1 + 1, ':', ll - (size_t)(c1 + 1 - line)) : NULL;

		if (c2) {
			const char *ctl = c1 + 1, *path = c2 + 1;
			size_t cl = (size_t)(c2 - ctl), pl = ll - (size_t)(path - line);
			const char *list = ctl;
			size_t listlen = cl;

			if (!cl) {
				/* cgroup v2: every enabled controller shares the path */
				list = s->cgctl;
				listlen = s->cgctl_len;
			}
			for (size_t i = 0; i < listlen;) {
				size_t tl = 0;
				while (i + tl < listlen && list[i + tl] != ',' && list[i + tl] != 0)
					tl++;
				if (tl && n + tl + pl + 2 < sizeof(s->cg)) {
					memcpy(s->cg + n, list + i, tl);
					n += tl;
					s->cg[n++] = '=';
					memcpy(s->cg + n, path, pl);
					n += pl;
					s->cg[n++] = 0;
				}
				i += tl + 1;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

static void snap_thread(struct snap *s, const char *pid, const char *tid, int64_t ppid_fallback)
{
	char p[512], st[4096], stat_line[1024], comm[64], exepath[4096], cwd[4096], root[4096], tmp[4096];
	struct sk_meta_proc pr;
	struct stat sb;
	struct rlimit rl;
	ssize_t alen, elen, n;
	const char *exe = "";
	size_t exe_len = 0;
	char *rp;

	memset(&pr, 0, sizeof(pr));
	snprintf(p, sizeof(p), "%s/%s/cmdline", s->procfs, pid);
	alen = read_file(p, s->args, sizeof(s->args) - 1);
	snprintf(p, sizeof(p), "%s/%s/exe", s->procfs, pid);
	if (read_link(p, exepath, sizeof(exepath)) < 0 && alen <= 0)
		return; /* kernel thread */
	if (alen < 0)
		alen = 0;
	s->args[alen] = 0;
	snprintf(p, sizeof(p), "%s/%s/task/%s/status", s->procfs, pid, tid);
	if (read_text(p, st, sizeof(st)) <= 0)
		return;
	pr.tid = atoll(tid);
	pr.pid = status_num(st, "Tgid:", 0);
	pr.ptid = status_num(st, "PPid:", 0);
	if (pr.ptid < 0)
		pr.ptid = ppid_fallback;
	pr.uid = status_eid(st, "Uid:");
	pr.gid = status_eid(st, "Gid:");
	pr.cap_inheritable = status_hex(st, "CapInh:");
	pr.cap_permitted = status_hex(st, "CapPrm:");
	pr.cap_effective = status_hex(st, "CapEff:");
	n = status_num(st, "VmSize:", 0);
	pr.vmsize_kb = n > 0 ? (uint32_t)n : 0;
	n = status_num(st, "VmRSS:", 0);
	pr.vmrss_kb = n > 0 ? (uint32_t)n : 0;
	n = status_num(st, "VmSwap:", 0);
	pr.vmswap_kb = n > 0 ? (uint32_t)n : 0;
	pr.vtid = status_num(st, "NSpid:", 1);
	pr.vpid = status_num(st, "NStgid:", 1);
	pr.vpgid = status_num(st, "NSpgid:", 1);
	if (pr.vtid < 0)
		pr.vtid = pr.tid;
	if (pr.vpid < 0)
		pr.vpid = pr.pid;

	snprintf(p, sizeof(p), "%s/%s/task/%s/stat", s->procfs, pid, tid);
	if (read_text(p, stat_line, sizeof(stat_line)) > 0 && (rp = strrchr(stat_line, ')'))) {
		long long pgid = 0, sid = 0, tty = 0;
		unsigned long long minflt = 0, majflt = 0;

		if (sscanf(rp + 2, "%*c %*d %lld %lld %lld %*d %*u %llu %*u %llu", &pgid, &sid, &tty, &minflt,
			   &majflt) == 5) {
			pr.pgid = pgid;
			pr.sid = sid;
			pr.tty = (uint32_t)tty;
			pr.pfminor = minflt;
			pr.pfmajor = majflt;
		}
	}
	if (pr.vpgid < 0)
		pr.vpgid = pr.pgid;

	snprintf(p, sizeof(p), "%s/%s/task/%s/comm", s->procfs, pid, tid);
	n = read_text(p, comm, sizeof(comm));
	if (n > 0 && comm[n - 1] == '\n')
		comm[n - 1] = 0;
	if (n < 0)
		comm[0] = 0;
	pr.comm = comm;

	exe_len = strnlen(s->args, (size_t)alen);
	exe = s->args;
	pr.exe = exe_len ? exe : comm;
	pr.args = (size_t)alen > exe_len ? s->args + exe_len + 1 : "";
	pr.args_len = (size_t)alen > exe_len + 1 ? (uint32_t)((size_t)alen - exe_len - 1) : 0;
	pr.exepath = exepath;

	snprintf(p, sizeof(p), "%s/%s/environ", s->procfs, pid);
	elen = read_file(p, s->env, 4096);
	pr.env = s->env;
	pr.env_len = elen > 0 ? (uint32_t)elen : 0;

	snprintf(p, sizeof(p), "%s/%s/cwd", s->procfs, pid);
	read_link(p, cwd, sizeof(cwd));
	pr.cwd = cwd;
	snprintf(p, sizeof(p), "%s/%s/root", s->procfs, pid);
	read_link(p, root, sizeof(root));
	pr.root = root;

	snprintf(p, sizeof(p), "%s/%s/task/%s/cgroup", s->procfs, pid, tid);
	if (read_text(p, tmp, sizeof(tmp)) > 0) {
		pr.cgroups_len = (uint32_t)cgroups_of(s, tmp);
		pr.cgroups = s->cg;
	}
	snprintf(p, sizeof(p), "%s/%s/task/%s/loginuid", s->procfs, pid, tid);
	pr.loginuid = read_text(p, tmp, sizeof(tmp)) > 0 ? (uint32_t)strtoul(tmp, NULL, 10) : 0xffffffffu;

	pr.fdlimit = prlimit((pid_t)pr.tid, RLIMIT_NOFILE, NULL, &rl) == 0 ? (int64_t)rl.rlim_cur : -1;
	snprintf(p, sizeof(p), "%s/%s/task/%s/cmdline", s->procfs, pid, tid);
	if (stat(p, &sb) == 0)
		pr.clone_ts = ts_of(&sb.st_ctim);
	snprintf(p, sizeof(p), "%s/%s/root/proc/1/cmdline", s->procfs, pid);
	if (stat(p, &sb) == 0)
		pr.pidns_init_start_ts = ts_of(&sb.st_ctim);
	snprintf(p, sizeof(p), "%s/%s/exe", s->procfs, pid);
	if (stat(p, &sb) == 0) {
		pr.exe_ino = sb.st_ino;
		pr.exe_ino_ctime = ts_of(&sb.st_ctim);
		pr.exe_ino_mtime = ts_of(&sb.st_mtim);
		/* root writes anything; others need a write bit that applies to them */
		if (pr.uid == 0 || (sb.st_mode & S_IWOTH) || (sb.st_uid == pr.uid && (sb.st_mode & S_IWUSR)) ||
		    (sb.st_gid == pr.gid && (sb.st_mode & S_IWGRP)))
			pr.exe_flags |= SK_EXE_WRITABLE;
	}
	if (!strncmp(exepath, "/memfd:", 7))
		pr.exe_flags |= SK_EXE_FROM_MEMFD;
	if (pr.tid != pr.pid)
		pr.flags = (1u << 13) | (1u << 0); /* PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES */
	sk_meta_add_proc(s->m, &pr);
}

static void snap_process(struct snap *s, const char *pid)
{
	char p[1024];
	DIR *d;
	struct dirent *de;

	snprintf(p, sizeof(p), "%s/%s/task", s->procfs, pid);
	d = opendir(p);
	if (!d)
		return;
	/* the leader first, so a reader meets the group before its threads */
	snap_thread(s, pid, pid, 0);
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) && strcmp(de->d_name, pid))
			snap_thread(s, pid, de->d_name, 0);
	closedir(d);
	host_sockets_load_netns(&s->sockets, s->procfs, pid);
	snap_fds(s, pid);
}

int host_snapshot_procs(struct sk_meta *m, const char *procfs, char *err, size_t errlen)
{
	struct snap *s = calloc(1, sizeof(*s));
	DIR *d;
	struct dirent *de;
	FILE *f;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->m = m;
	s->procfs = procfs;
	f = fopen("/sys/fs/cgroup/cgroup.controllers", "re");
	if (f) {
		char line[512];
		if (fgets(line, sizeof(line), f)) {
			size_t l = strcspn(line, "\n");
			/* space-separated -> comma-separated, as v1 lines are */
			for (size_t i = 0; i < l && i < sizeof(s->cgctl) - 1; i++)
				s->cgctl[i] = line[i] == ' ' ? ',' : line[i];
			s->cgctl_len = l < sizeof(s->cgctl) - 1 ? l : sizeof(s->cgctl) - 1;
		}
		fclose(f);
	}
	d = opendir(procfs);
	if (!d) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", procfs, strerror(errno));
		free(s);
		return rc;
	}
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			snap_process(s, de->d_name);
	closedir(d);
	host_sockets_free(&s->sockets);
	free(s);
	return 0;
}
