/* replay/state/ppm.h: the PPM flag values (scap.md §13) that state tracking tests directly. */
#ifndef SAKER_REPLAY_STATE_PPM_H
#define SAKER_REPLAY_STATE_PPM_H

/* open flags */
#define PPM_O_RDONLY (1u << 0)
#define PPM_O_WRONLY (1u << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1u << 2)
#define PPM_O_TRUNC (1u << 8)
#define PPM_O_DIRECTORY (1u << 10)
#define PPM_O_CLOEXEC (1u << 12)
#define PPM_O_TMPFILE (1u << 13)
#define PPM_O_F_CREATED (1u << 14)
#define PPM_FD_UPPER_LAYER (1u << 15)
#define PPM_FD_LOWER_LAYER (1u << 16)

/* clone flags */
#define PPM_CL_CLONE_FILES (1u << 0)
#define PPM_CL_CLONE_FS (1u << 1)
#define PPM_CL_CLONE_NEWPID (1u << 6)
#define PPM_CL_CLONE_PARENT (1u << 8)
#define PPM_CL_CLONE_THREAD (1u << 13)
#define PPM_CL_CLONE_VFORK (1u << 27)
#define PPM_CL_CLONE_NEWUSER (1u << 20)
#define PPM_CL_CHILD_IN_PIDNS (1u << 29)

/* address families (Linux values) */
#define PPM_AF_UNIX 1
#define PPM_AF_INET 2
#define PPM_AF_INET6 10
#define PPM_AF_NETLINK 16

/* socket types / protocols (Linux values) */
#define STATE_SOCK_STREAM 1
#define STATE_SOCK_DGRAM 2
#define STATE_SOCK_RAW 3
#define STATE_IPPROTO_ICMP 1
#define STATE_IPPROTO_ICMPV6 58

/* memfd / dup3 / accept4 close-on-exec bits */
#define STATE_SOCK_CLOEXEC 02000000
#define STATE_CLOSE_RANGE_CLOEXEC (1u << 2)

#define STATE_EINPROGRESS 115
#define STATE_AT_FDCWD (-100)
#define STATE_PR_SET_CHILD_SUBREAPER 36

#endif
