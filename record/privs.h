/* record/privs.h: dropping capabilities and switching user once the probe is attached. */
#ifndef RECORD_PRIVS_H
#define RECORD_PRIVS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Capabilities kept when the later work re-reads other processes' /proc
 * (a fresh snapshot per rotated file): fds, environ, cwd of every user. */
#define REC_PRIVS_KEEP_PROC ((1ull << 2) | (1ull << 19)) /* CAP_DAC_READ_SEARCH, CAP_SYS_PTRACE */

struct rec_privs_user {
	int set;
	uid_t uid;
	gid_t gid;
	char name[64];
};

/* Resolves NAME (a user name or a numeric uid) into *u before anything is
 * dropped. Returns 0 or -1 with a message in err. */
int rec_privs_lookup_user(const char *name, struct rec_privs_user *u, char *err, size_t errlen);

/* Drops every capability not in keep_mask (bits by CAP_ number) from the
 * effective, permitted, inheritable, ambient and bounding sets, switches to
 * *u when u && u->set (keeping keep_mask), and sets PR_SET_NO_NEW_PRIVS.
 * Must run before any thread is started: capabilities are per thread.
 * Returns 0 or -1 with one line in err. */
int rec_privs_drop(uint64_t keep_mask, const struct rec_privs_user *u, char *err, size_t errlen);

/* The calling thread's effective capability mask (from capget); -1 on error. */
int rec_privs_effective(uint64_t *mask);

#endif
