/* record/privs.c: least privilege after attach: capability sets via capset/prctl, user switch, no_new_privs. */
#include "record/record.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int rec_privs_lookup_user(const char *name, struct rec_privs_user *u, char *err, size_t errlen)
{
	struct passwd *pw;
	char *end;
	unsigned long id;

	memset(u, 0, sizeof(*u));
	errno = 0;
	pw = getpwnam(name);
	if (!pw && name[0] >= '0' && name[0] <= '9') {
		id = strtoul(name, &end, 10);
		if (!*end && id < 0xffffffffu)
			pw = getpwuid((uid_t)id);
		if (!pw && !*end && id < 0xffffffffu) {
			/* a bare uid without a passwd entry: its own gid */
			u->set = 1;
			u->uid = (uid_t)id;
			u->gid = (gid_t)id;
			snprintf(u->name, sizeof(u->name), "%lu", id);
			return 0;
		}
	}
	if (!pw) {
		snprintf(err, errlen, "--user: no such user '%s'", name);
		return -1;
	}
	u->set = 1;
	u->uid = pw->pw_uid;
	u->gid = pw->pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
	return 0;
}

static int cap_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capget, &h, d);
}

static int cap_set(uint64_t eff, uint64_t perm)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)perm;
	d[1].permitted = (uint32_t)(perm >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

int rec_privs_effective(uint64_t *mask)
{
	struct __user_cap_data_struct d[2];

	if (cap_get(d) < 0)
		return -1;
	*mask = (uint64_t)d[0].effective | ((uint64_t)d[1].effective << 32);
	return 0;
}

/* Highest capability the kernel knows, from /proc (CAP_LAST_CAP of the
 * headers may be older than the running kernel). */
static int last_cap(void)
{
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "r");
	int n = CAP_LAST_CAP;

	if (f) {
		if (fscanf(f, "%d", &n) != 1 || n < 0 || n > 63)
			n = CAP_LAST_CAP;
		fclose(f);
	}
	return n;
}

int rec_privs_drop(uint64_t keep, const struct rec_privs_user *u, char *err, size_t errlen)
{
	struct __user_cap_data_struct d[2];
	uint64_t perm;
	int top = last_cap();

	if (cap_get(d) < 0) {
		snprintf(err, errlen, "cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	perm = (uint64_t)d[0].permitted | ((uint64_t)d[1].permitted << 32);
	keep &= perm;
	/* the bounding set first: dropping from it needs CAP_SETPCAP, which goes next */
	if (perm & (1ull << CAP_SETPCAP)) {
		for (int c = 0; c <= top; c++)
			if (!(keep & (1ull << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
				snprintf(err, errlen, "cannot drop capability %d from the bounding set: %s", c, strerror(errno));
				return -1;
			}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "cannot clear the ambient capabilities: %s", strerror(errno));
		return -1;
	}
	if (u && u->set) {
		gid_t g = u->gid;

		/* keep the permitted set across setuid; trimmed to keep below */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
			snprintf(err, errlen, "--user %s: PR_SET_KEEPCAPS: %s", u->name, strerror(errno));
			return -1;
		}
		if (setgroups(1, &g) < 0 || setresgid(g, g, g) < 0 || setresuid(u->uid, u->uid, u->uid) < 0) {
			snprintf(err, errlen, "--user %s: cannot switch to uid %u gid %u: %s", u->name,
				 (unsigned)u->uid, (unsigned)u->gid, strerror(errno));
			return -1;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (cap_set(keep, keep) < 0) {
		snprintf(err, errlen, "cannot drop capabilities: %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* belt and braces: the switch must not be reversible */
	if (u && u->set && u->uid != 0 && setuid(0) == 0) {
		snprintf(err, errlen, "--user %s: could switch back to root after dropping privileges", u->name);
		return -1;
	}
	return 0;
}
