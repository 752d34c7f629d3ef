/* probe/translate.c: Linux flag values to the PPM values the event table uses. */
#include "probe/decode.h"

#include <fcntl.h>

#define FMODE_CREATED_BIT (1u << 20)

uint32_t skp_open_flags_to_ppm(uint64_t f, uint32_t fmode)
{
	uint32_t r = 0;

	switch (f & O_ACCMODE) {
	case O_RDONLY: r |= 1u; break;
	case O_WRONLY: r |= 2u; break;
	case O_RDWR: r |= 3u; break;
	}
	if (f & O_CREAT) r |= 1u << 2;
	if (f & O_APPEND) r |= 1u << 3;
	if (f & O_DSYNC) r |= 1u << 4;
	if (f & O_EXCL) r |= 1u << 5;
	if (f & O_NONBLOCK) r |= 1u << 6;
	if ((f & O_SYNC) == O_SYNC) r |= 1u << 7;
	if (f & O_TRUNC) r |= 1u << 8;
	if (f & O_DIRECT) r |= 1u << 9;
	if ((f & O_TMPFILE) == O_TMPFILE) r |= 1u << 13;
	else if (f & O_DIRECTORY) r |= 1u << 10;
	if (f & 0100000) r |= 1u << 11; /* O_LARGEFILE (0 in the x86_64 headers) */
	if (f & O_CLOEXEC) r |= 1u << 12;
	if (fmode & FMODE_CREATED_BIT) r |= 1u << 14;
	return r;
}

/* SOCK_NONBLOCK and SOCK_CLOEXEC (socket type, accept4, signalfd4 flags:
 * the O_ values) to PPM_O_NONBLOCK and PPM_O_CLOEXEC, as libs report them. */
uint32_t skp_socket_flags_to_ppm(uint64_t f)
{
	return ((f & O_NONBLOCK) ? 1u << 6 : 0) | ((f & O_CLOEXEC) ? 1u << 12 : 0);
}

uint32_t skp_clone_flags_to_ppm(uint64_t f)
{
	static const struct { uint64_t lnx; uint32_t ppm; } map[] = {
		{ 0x00000400, 1u << 0 },  /* FILES */
		{ 0x00000200, 1u << 1 },  /* FS */
		{ 0x80000000, 1u << 2 },  /* IO */
		{ 0x08000000, 1u << 3 },  /* NEWIPC */
		{ 0x40000000, 1u << 4 },  /* NEWNET */
		{ 0x00020000, 1u << 5 },  /* NEWNS */
		{ 0x20000000, 1u << 6 },  /* NEWPID */
		{ 0x04000000, 1u << 7 },  /* NEWUTS */
		{ 0x00008000, 1u << 8 },  /* PARENT */
		{ 0x00100000, 1u << 9 },  /* PARENT_SETTID */
		{ 0x00002000, 1u << 10 }, /* PTRACE */
		{ 0x00000800, 1u << 11 }, /* SIGHAND */
		{ 0x00040000, 1u << 12 }, /* SYSVSEM */
		{ 0x00010000, 1u << 13 }, /* THREAD */
		{ 0x00800000, 1u << 14 }, /* UNTRACED */
		{ 0x00000100, 1u << 15 }, /* VM */
		{ 0x10000000, 1u << 20 }, /* NEWUSER */
		{ 0x00200000, 1u << 23 }, /* CHILD_CLEARTID */
		{ 0x01000000, 1u << 24 }, /* CHILD_SETTID */
		{ 0x00080000, 1u << 25 }, /* SETTLS */
		{ 0x00004000, 1u << 27 }, /* VFORK */
		{ 0x02000000, 1u << 28 }, /* NEWCGROUP (the old STOPPED bit) */
	};
	uint32_t r = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (f & map[i].lnx)
			r |= map[i].ppm;
	return r;
}

uint16_t skp_ptrace_req_to_ppm(uint64_t req)
{
	static const struct { uint64_t lnx; uint16_t ppm; } map[] = {
		{ 0, 1 }, { 1, 2 }, { 2, 3 }, { 3, 4 }, { 4, 5 }, { 5, 6 }, { 6, 7 }, { 7, 8 },
		{ 8, 9 }, { 9, 10 }, { 16, 11 }, { 17, 12 }, { 24, 13 }, { 0x4200, 14 },
		{ 0x4201, 15 }, { 0x4202, 16 }, { 0x4203, 17 }, { 0x4204, 18 }, { 0x4205, 19 },
		{ 0x4206, 20 }, { 0x4207, 21 }, { 0x4208, 22 }, { 0x4209, 23 }, { 0x420a, 24 },
		{ 0x420b, 25 }, { 12, 26 }, { 13, 27 }, { 14, 28 }, { 15, 29 }, { 18, 30 },
		{ 19, 31 }, { 21, 32 }, { 25, 33 }, { 26, 34 }, { 30, 35 }, { 31, 36 },
		{ 32, 37 }, { 33, 38 },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].lnx == req)
			return map[i].ppm;
	return 0;
}
