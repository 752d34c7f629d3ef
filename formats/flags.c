/* formats/flags.c: flag/enum name tables (PPM values, libs rendering order) and errno names. */
#include "formats/flags.h"

#include <stddef.h>

#define END { NULL, 0 }

/* Order from libs' file_flags table: it decides how O_RDWR|O_CREAT renders. */
const struct sk_name_value sk_file_flags[] = {
	{ "O_LARGEFILE", 1u << 11 }, { "O_DIRECTORY", 1u << 10 }, { "O_DIRECT", 1u << 9 },
	{ "O_TRUNC", 1u << 8 }, { "O_SYNC", 1u << 7 }, { "O_NONBLOCK", 1u << 6 },
	{ "O_EXCL", 1u << 5 }, { "O_DSYNC", 1u << 4 }, { "O_APPEND", 1u << 3 },
	{ "O_CREAT", 1u << 2 }, { "O_RDWR", 3 }, { "O_WRONLY", 1u << 1 },
	{ "O_RDONLY", 1u << 0 }, { "O_CLOEXEC", 1u << 12 }, { "O_NONE", 0 },
	{ "O_TMPFILE", 1u << 13 }, { "O_F_CREATED", 1u << 14 },
	{ "FD_UPPER_LAYER", 1u << 15 }, { "FD_LOWER_LAYER", 1u << 16 },
	END
};

const struct sk_name_value sk_clone_flags[] = {
	{ "CLONE_FILES", 1u << 0 }, { "CLONE_FS", 1u << 1 }, { "CLONE_IO", 1u << 2 },
	{ "CLONE_NEWIPC", 1u << 3 }, { "CLONE_NEWNET", 1u << 4 }, { "CLONE_NEWNS", 1u << 5 },
	{ "CLONE_NEWPID", 1u << 6 }, { "CLONE_NEWUTS", 1u << 7 }, { "CLONE_PARENT", 1u << 8 },
	{ "CLONE_PARENT_SETTID", 1u << 9 }, { "CLONE_PTRACE", 1u << 10 },
	{ "CLONE_SIGHAND", 1u << 11 }, { "CLONE_SYSVSEM", 1u << 12 },
	{ "CLONE_THREAD", 1u << 13 }, { "CLONE_UNTRACED", 1u << 14 }, { "CLONE_VM", 1u << 15 },
	{ "CLONE_NEWUSER", 1u << 20 }, { "CLONE_CHILD_CLEARTID", 1u << 23 },
	{ "CLONE_CHILD_SETTID", 1u << 24 }, { "CLONE_SETTLS", 1u << 25 },
	{ "CLONE_STOPPED", 1u << 26 }, { "CLONE_VFORK", 1u << 27 },
	{ "CLONE_NEWCGROUP", 1u << 28 }, { "CLONE_CHILD_IN_PIDNS", 1u << 29 },
	END
};

const struct sk_name_value sk_socket_families[] = {
	{ "AF_UNSPEC", 0 }, { "AF_LOCAL", 1 }, { "AF_UNIX", 1 }, { "AF_INET", 2 },
	{ "AF_AX25", 3 }, { "AF_IPX", 4 }, { "AF_APPLETALK", 5 }, { "AF_NETROM", 6 },
	{ "AF_BRIDGE", 7 }, { "AF_ATMPVC", 8 }, { "AF_X25", 9 }, { "AF_INET6", 10 },
	{ "AF_ROSE", 11 }, { "AF_DECnet", 12 }, { "AF_NETBEUI", 13 }, { "AF_SECURITY", 14 },
	{ "AF_KEY", 15 }, { "AF_NETLINK", 16 }, { "AF_PACKET", 17 }, { "AF_ASH", 18 },
	{ "AF_ECONET", 19 }, { "AF_ATMSVC", 20 }, { "AF_RDS", 21 }, { "AF_SNA", 22 },
	{ "AF_IRDA", 23 }, { "AF_PPPOX", 24 }, { "AF_WANPIPE", 25 }, { "AF_LLC", 26 },
	{ "AF_CAN", 29 }, { "AF_TIPC", 30 }, { "AF_BLUETOOTH", 31 }, { "AF_IUCV", 32 },
	{ "AF_RXRPC", 33 }, { "AF_ISDN", 34 }, { "AF_PHONET", 35 }, { "AF_IEEE802154", 36 },
	{ "AF_CAIF", 37 }, { "AF_ALG", 38 }, { "AF_NFC", 39 },
	END
};

const struct sk_name_value sk_ptrace_requests[] = {
	{ "PTRACE_UNKNOWN", 0 }, { "PTRACE_TRACEME", 1 }, { "PTRACE_PEEKTEXT", 2 },
	{ "PTRACE_PEEKDATA", 3 }, { "PTRACE_PEEKUSR", 4 }, { "PTRACE_POKETEXT", 5 },
	{ "PTRACE_POKEDATA", 6 }, { "PTRACE_POKEUSR", 7 }, { "PTRACE_CONT", 8 },
	{ "PTRACE_KILL", 9 }, { "PTRACE_SINGLESTEP", 10 }, { "PTRACE_ATTACH", 11 },
	{ "PTRACE_DETACH", 12 }, { "PTRACE_SYSCALL", 13 }, { "PTRACE_SETOPTIONS", 14 },
	{ "PTRACE_GETEVENTMSG", 15 }, { "PTRACE_GETSIGINFO", 16 }, { "PTRACE_SETSIGINFO", 17 },
	{ "PTRACE_GETREGSET", 18 }, { "PTRACE_SETREGSET", 19 }, { "PTRACE_SEIZE", 20 },
	{ "PTRACE_INTERRUPT", 21 }, { "PTRACE_LISTEN", 22 }, { "PTRACE_PEEKSIGINFO", 23 },
	{ "PTRACE_GETSIGMASK", 24 }, { "PTRACE_SETSIGMASK", 25 }, { "PTRACE_GETREGS", 26 },
	{ "PTRACE_SETREGS", 27 }, { "PTRACE_GETFPREGS", 28 }, { "PTRACE_SETFPREGS", 29 },
	{ "PTRACE_GETFPXREGS", 30 }, { "PTRACE_SETFPXREGS", 31 }, { "PTRACE_OLDSETOPTIONS", 32 },
	{ "PTRACE_GET_THREAD_AREA", 33 }, { "PTRACE_SET_THREAD_AREA", 34 },
	{ "PTRACE_ARCH_PRCTL", 35 }, { "PTRACE_SYSEMU", 36 }, { "PTRACE_SYSEMU_SINGLESTEP", 37 },
	{ "PTRACE_SINGLEBLOCK", 38 },
	END
};

const struct sk_name_value sk_bpf_commands[] = {
	{ "BPF_MAP_CREATE", 0 }, { "BPF_MAP_LOOKUP_ELEM", 1 }, { "BPF_MAP_UPDATE_ELEM", 2 },
	{ "BPF_MAP_DELETE_ELEM", 3 }, { "BPF_MAP_GET_NEXT_KEY", 4 }, { "BPF_PROG_LOAD", 5 },
	{ "BPF_OBJ_PIN", 6 }, { "BPF_OBJ_GET", 7 }, { "BPF_PROG_ATTACH", 8 },
	{ "BPF_PROG_DETACH", 9 }, { "BPF_PROG_TEST_RUN", 10 }, { "BPF_PROG_GET_NEXT_ID", 11 },
	{ "BPF_MAP_GET_NEXT_ID", 12 }, { "BPF_PROG_GET_FD_BY_ID", 13 },
	{ "BPF_MAP_GET_FD_BY_ID", 14 }, { "BPF_OBJ_GET_INFO_BY_FD", 15 },
	{ "BPF_PROG_QUERY", 16 }, { "BPF_RAW_TRACEPOINT_OPEN", 17 }, { "BPF_BTF_LOAD", 18 },
	{ "BPF_BTF_GET_FD_BY_ID", 19 }, { "BPF_TASK_FD_QUERY", 20 },
	{ "BPF_MAP_LOOKUP_AND_DELETE_ELEM", 21 }, { "BPF_MAP_FREEZE", 22 },
	{ "BPF_BTF_GET_NEXT_ID", 23 }, { "BPF_MAP_LOOKUP_BATCH", 24 },
	{ "BPF_MAP_LOOKUP_AND_DELETE_BATCH", 25 }, { "BPF_MAP_UPDATE_BATCH", 26 },
	{ "BPF_MAP_DELETE_BATCH", 27 }, { "BPF_LINK_CREATE", 28 }, { "BPF_LINK_UPDATE", 29 },
	{ "BPF_LINK_GET_FD_BY_ID", 30 }, { "BPF_LINK_GET_NEXT_ID", 31 },
	{ "BPF_ENABLE_STATS", 32 }, { "BPF_ITER_CREATE", 33 }, { "BPF_LINK_DETACH", 34 },
	{ "BPF_PROG_BIND_MAP", 35 },
	END
};

const struct sk_name_value sk_fcntl_commands[] = {
	{ "F_DUPFD", 1 }, { "F_GETFD", 2 }, { "F_SETFD", 3 }, { "F_GETFL", 4 },
	{ "F_SETFL", 5 }, { "F_GETLK", 6 }, { "F_SETLK", 8 }, { "F_SETLKW", 9 },
	{ "F_SETOWN", 10 }, { "F_GETOWN", 12 }, { "F_SETSIG", 13 }, { "F_GETSIG", 15 },
	{ "F_SETOWN_EX", 16 }, { "F_GETOWN_EX", 17 }, { "F_SETLEASE", 18 },
	{ "F_GETLEASE", 19 }, { "F_CANCELLK", 20 }, { "F_DUPFD_CLOEXEC", 21 },
	{ "F_NOTIFY", 22 }, { "F_SETPIPE_SZ", 23 }, { "F_GETPIPE_SZ", 24 },
	{ "F_OFD_GETLK", 25 }, { "F_OFD_SETLK", 26 }, { "F_OFD_SETLKW", 27 },
	{ "UNKNOWN", 0 },
	END
};

const struct sk_name_value sk_prot_flags[] = {
	{ "PROT_READ", 1 }, { "PROT_WRITE", 2 }, { "PROT_EXEC", 4 }, { "PROT_SEM", 8 },
	{ "PROT_GROWSDOWN", 16 }, { "PROT_GROWSUP", 32 }, { "PROT_SAO", 64 },
	{ "PROT_NONE", 0 },
	END
};

const struct sk_name_value sk_mmap_flags[] = {
	{ "MAP_SHARED", 1 }, { "MAP_PRIVATE", 2 }, { "MAP_FIXED", 4 },
	{ "MAP_ANONYMOUS", 8 }, { "MAP_32BIT", 16 }, { "MAP_RENAME", 32 },
	{ "MAP_NORESERVE", 64 }, { "MAP_POPULATE", 128 }, { "MAP_NONBLOCK", 256 },
	{ "MAP_GROWSDOWN", 512 }, { "MAP_DENYWRITE", 1024 }, { "MAP_EXECUTABLE", 2048 },
	{ "MAP_INHERIT", 4096 }, { "MAP_FILE", 8192 }, { "MAP_LOCKED", 16384 },
	END
};

const struct sk_name_value sk_unlinkat_flags[] = { { "AT_REMOVEDIR", 0x200 }, END };

const struct sk_name_value sk_linkat_flags[] = {
	{ "AT_SYMLINK_FOLLOW", 0x400 }, { "AT_EMPTY_PATH", 0x1000 }, END
};

const struct sk_name_value sk_renameat2_flags[] = {
	{ "RENAME_NOREPLACE", 1 }, { "RENAME_EXCHANGE", 2 }, { "RENAME_WHITEOUT", 4 }, END
};

const struct sk_name_value sk_memfd_create_flags[] = {
	{ "MFD_CLOEXEC", 1 }, { "MFD_ALLOW_SEALING", 2 }, { "MFD_HUGETLB", 4 }, END
};

const struct sk_name_value sk_execve_flags[] = {
	{ "EXE_WRITABLE", 1 }, { "EXE_UPPER_LAYER", 2 }, { "EXE_FROM_MEMFD", 4 },
	{ "EXE_LOWER_LAYER", 8 },
	END
};

const struct sk_name_value sk_execveat_flags[] = {
	{ "AT_EMPTY_PATH", 1 }, { "AT_SYMLINK_NOFOLLOW", 2 }, END
};

const struct sk_name_value sk_prctl_options[] = {
	{ "PR_SET_PDEATHSIG", 1 }, { "PR_GET_PDEATHSIG", 2 }, { "PR_GET_DUMPABLE", 3 },
	{ "PR_SET_DUMPABLE", 4 }, { "PR_GET_UNALIGN", 5 }, { "PR_SET_UNALIGN", 6 },
	{ "PR_GET_KEEPCAPS", 7 }, { "PR_SET_KEEPCAPS", 8 }, { "PR_GET_FPEMU", 9 },
	{ "PR_SET_FPEMU", 10 }, { "PR_GET_FPEXC", 11 }, { "PR_SET_FPEXC", 12 },
	{ "PR_GET_TIMING", 13 }, { "PR_SET_TIMING", 14 }, { "PR_SET_NAME", 15 },
	{ "PR_GET_NAME", 16 }, { "PR_GET_ENDIAN", 19 }, { "PR_SET_ENDIAN", 20 },
	{ "PR_GET_SECCOMP", 21 }, { "PR_SET_SECCOMP", 22 }, { "PR_CAPBSET_READ", 23 },
	{ "PR_CAPBSET_DROP", 24 }, { "PR_GET_TSC", 25 }, { "PR_SET_TSC", 26 },
	{ "PR_GET_SECUREBITS", 27 }, { "PR_SET_SECUREBITS", 28 }, { "PR_SET_TIMERSLACK", 29 },
	{ "PR_GET_TIMERSLACK", 30 }, { "PR_TASK_PERF_EVENTS_DISABLE", 31 },
	{ "PR_TASK_PERF_EVENTS_ENABLE", 32 }, { "PR_MCE_KILL", 33 }, { "PR_MCE_KILL_GET", 34 },
	{ "PR_SET_MM", 35 }, { "PR_SET_CHILD_SUBREAPER", 36 }, { "PR_GET_CHILD_SUBREAPER", 37 },
	{ "PR_SET_NO_NEW_PRIVS", 38 }, { "PR_GET_NO_NEW_PRIVS", 39 },
	{ "PR_GET_TID_ADDRESS", 40 }, { "PR_SET_THP_DISABLE", 41 }, { "PR_GET_THP_DISABLE", 42 },
	{ "PR_MPX_ENABLE_MANAGEMENT", 43 }, { "PR_MPX_DISABLE_MANAGEMENT", 44 },
	{ "PR_SET_FP_MODE", 45 }, { "PR_GET_FP_MODE", 46 }, { "PR_CAP_AMBIENT", 47 },
	{ "PR_SVE_SET_VL", 50 }, { "PR_SVE_GET_VL", 51 }, { "PR_GET_SPECULATION_CTRL", 52 },
	{ "PR_SET_SPECULATION_CTRL", 53 }, { "PR_PAC_RESET_KEYS", 54 },
	{ "PR_SET_TAGGED_ADDR_CTRL", 55 }, { "PR_GET_TAGGED_ADDR_CTRL", 56 },
	{ "PR_SET_IO_FLUSHER", 57 }, { "PR_GET_IO_FLUSHER", 58 },
	END
};

const struct sk_name_value sk_mount_flags[] = {
	{ "RDONLY", 1u << 0 }, { "NOSUID", 1u << 1 }, { "NODEV", 1u << 2 },
	{ "NOEXEC", 1u << 3 }, { "SYNCHRONOUS", 1u << 4 }, { "REMOUNT", 1u << 5 },
	{ "MANDLOCK", 1u << 6 }, { "DIRSYNC", 1u << 7 }, { "NOATIME", 1u << 10 },
	{ "NODIRATIME", 1u << 11 }, { "BIND", 1u << 12 }, { "MOVE", 1u << 13 },
	{ "REC", 1u << 14 }, { "SILENT", 1u << 15 }, { "POSIXACL", 1u << 16 },
	{ "UNBINDABLE", 1u << 17 }, { "PRIVATE", 1u << 18 }, { "SLAVE", 1u << 19 },
	{ "SHARED", 1u << 20 }, { "RELATIME", 1u << 21 }, { "KERNMOUNT", 1u << 22 },
	{ "I_VERSION", 1u << 23 }, { "STRICTATIME", 1u << 24 }, { "LAZYTIME", 1u << 25 },
	{ "NOSEC", 1u << 28 }, { "BORN", 1u << 29 }, { "ACTIVE", 1u << 30 },
	{ "NOUSER", 1u << 31 },
	END
};

const struct sk_name_value sk_umount_flags[] = {
	{ "FORCE", 1 }, { "DETACH", 2 }, { "EXPIRE", 4 }, { "NOFOLLOW", 8 }, END
};

const struct sk_name_value sk_shutdown_how[] = {
	{ "SHUT_RD", 0 }, { "SHUT_WR", 1 }, { "SHUT_RDWR", 2 }, END
};

const struct sk_name_value sk_access_flags[] = {
	{ "F_OK", 0 }, { "R_OK", 4 }, { "W_OK", 2 }, { "X_OK", 1 }, END
};

const struct sk_name_value sk_signal_names[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", 5 }, { "SIGABRT", 6 }, { "SIGBUS", 7 }, { "SIGFPE", 8 },
	{ "SIGKILL", 9 }, { "SIGUSR1", 10 }, { "SIGSEGV", 11 }, { "SIGUSR2", 12 },
	{ "SIGPIPE", 13 }, { "SIGALRM", 14 }, { "SIGTERM", 15 }, { "SIGSTKFLT", 16 },
	{ "SIGCHLD", 17 }, { "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	{ "SIGTTIN", 21 }, { "SIGTTOU", 22 }, { "SIGURG", 23 }, { "SIGXCPU", 24 },
	{ "SIGXFSZ", 25 }, { "SIGVTALRM", 26 }, { "SIGPROF", 27 }, { "SIGWINCH", 28 },
	{ "SIGIO", 29 }, { "SIGPWR", 30 }, { "SIGSYS", 31 },
	END
};

/* Low to high, as libs renders PT_MODE values. */
const struct sk_name_value sk_mode_names[] = {
	{ "S_IXOTH", 01 }, { "S_IWOTH", 02 }, { "S_IROTH", 04 },
	{ "S_IXGRP", 010 }, { "S_IWGRP", 020 }, { "S_IRGRP", 040 },
	{ "S_IXUSR", 0100 }, { "S_IWUSR", 0200 }, { "S_IRUSR", 0400 },
	{ "S_ISVTX", 01000 }, { "S_ISGID", 02000 }, { "S_ISUID", 04000 },
	END
};

const struct sk_name_value sk_lseek_whence[] = {
	{ "SEEK_END", 2 }, { "SEEK_CUR", 1 }, { "SEEK_SET", 0 }, END
};

const struct sk_name_value sk_futex_operations[] = {
	{ "FUTEX_CLOCK_REALTIME", 256 }, { "FUTEX_PRIVATE_FLAG", 128 },
	{ "FUTEX_CMP_REQUEUE_PI", 12 }, { "FUTEX_WAIT_REQUEUE_PI", 11 },
	{ "FUTEX_WAKE_BITSET", 10 }, { "FUTEX_WAIT_BITSET", 9 }, { "FUTEX_TRYLOCK_PI", 8 },
	{ "FUTEX_UNLOCK_PI", 7 }, { "FUTEX_LOCK_PI", 6 }, { "FUTEX_WAKE_OP", 5 },
	{ "FUTEX_CMP_REQUEUE", 4 }, { "FUTEX_REQUEUE", 3 }, { "FUTEX_FD", 2 },
	{ "FUTEX_WAKE", 1 }, { "FUTEX_WAIT", 0 },
	END
};

const struct sk_name_value sk_rlimit_resources[] = {
	{ "RLIMIT_UNKNOWN", 255 }, { "RLIMIT_RTTIME", 15 }, { "RLIMIT_RTPRIO", 14 },
	{ "RLIMIT_NICE", 13 }, { "RLIMIT_MSGQUEUE", 12 }, { "RLIMIT_SIGPENDING", 11 },
	{ "RLIMIT_LOCKS", 10 }, { "RLIMIT_AS", 9 }, { "RLIMIT_MEMLOCK", 8 },
	{ "RLIMIT_NOFILE", 7 }, { "RLIMIT_NPROC", 6 }, { "RLIMIT_RSS", 5 },
	{ "RLIMIT_CORE", 4 }, { "RLIMIT_STACK", 3 }, { "RLIMIT_DATA", 2 },
	{ "RLIMIT_FSIZE", 1 }, { "RLIMIT_CPU", 0 },
	END
};

const struct sk_name_value sk_flock_flags[] = {
	{ "LOCK_SH", 1 }, { "LOCK_EX", 2 }, { "LOCK_NB", 4 }, { "LOCK_UN", 8 },
	{ "LOCK_NONE", 0 },
	END
};

const struct sk_name_value sk_openat2_flags[] = {
	{ "RESOLVE_BENEATH", 1 }, { "RESOLVE_IN_ROOT", 2 }, { "RESOLVE_NO_MAGICLINKS", 4 },
	{ "RESOLVE_NO_SYMLINKS", 8 }, { "RESOLVE_NO_XDEV", 16 }, { "RESOLVE_CACHED", 32 },
	END
};

const struct sk_name_value sk_splice_flags[] = {
	{ "SPLICE_F_MOVE", 1 }, { "SPLICE_F_NONBLOCK", 2 }, { "SPLICE_F_MORE", 4 },
	{ "SPLICE_F_GIFT", 8 },
	END
};

const struct sk_name_value sk_epoll_create1_flags[] = { { "EPOLL_CLOEXEC", 1 }, END };

const struct sk_name_value sk_fchownat_flags[] = {
	{ "AT_SYMLINK_NOFOLLOW", 1 }, { "AT_EMPTY_PATH", 2 }, END
};

const struct sk_name_value sk_newfstatat_flags[] = {
	{ "AT_NO_AUTOMOUNT", 1 }, { "AT_SYMLINK_NOFOLLOW", 2 }, { "AT_EMPTY_PATH", 4 }, END
};

const struct sk_name_value sk_mlockall_flags[] = {
	{ "MCL_CURRENT", 1 }, { "MCL_FUTURE", 2 }, { "MCL_ONFAULT", 4 }, END
};

const struct sk_name_value sk_poll_flags[] = {
	{ "POLLIN", 1 }, { "POLLPRI", 2 }, { "POLLOUT", 4 }, { "POLLRDHUP", 8 },
	{ "POLLERR", 16 }, { "POLLHUP", 32 }, { "POLLNVAL", 64 }, { "POLLRDNORM", 128 },
	{ "POLLRDBAND", 256 }, { "POLLWRNORM", 512 }, { "POLLWRBAND", 1024 },
	END
};

/* Linux errno names (asm-generic; x86_64 uses the generic numbering). */
static const char *const errno_names[] = {
	[1] = "EPERM",
	[2] = "ENOENT",
	[3] = "ESRCH",
	[4] = "EINTR",
	[5] = "EIO",
	[6] = "ENXIO",
	[7] = "E2BIG",
	[8] = "ENOEXEC",
	[9] = "EBADF",
	[10] = "ECHILD",
	[11] = "EAGAIN",
	[12] = "ENOMEM",
	[13] = "EACCES",
	[14] = "EFAULT",
	[15] = "ENOTBLK",
	[16] = "EBUSY",
	[17] = "EEXIST",
	[18] = "EXDEV",
	[19] = "ENODEV",
	[20] = "ENOTDIR",
	[21] = "EISDIR",
	[22] = "EINVAL",
	[23] = "ENFILE",
	[24] = "EMFILE",
	[25] = "ENOTTY",
	[26] = "ETXTBSY",
	[27] = "EFBIG",
	[28] = "ENOSPC",
	[29] = "ESPIPE",
	[30] = "EROFS",
	[31] = "EMLINK",
	[32] = "EPIPE",
	[33] = "EDOM",
	[34] = "ERANGE",
	[35] = "EDEADLK",
	[36] = "ENAMETOOLONG",
	[37] = "ENOLCK",
	[38] = "ENOSYS",
	[39] = "ENOTEMPTY",
	[40] = "ELOOP",
	[42] = "ENOMSG",
	[43] = "EIDRM",
	[44] = "ECHRNG",
	[45] = "EL2NSYNC",
	[46] = "EL3HLT",
	[47] = "EL3RST",
	[48] = "ELNRNG",
	[49] = "EUNATCH",
	[50] = "ENOCSI",
	[51] = "EL2HLT",
	[52] = "EBADE",
	[53] = "EBADR",
	[54] = "EXFULL",
	[55] = "ENOANO",
	[56] = "EBADRQC",
	[57] = "EBADSLT",
	[59] = "EBFONT",
	[60] = "ENOSTR",
	[61] = "ENODATA",
	[62] = "ETIME",
	[63] = "ENOSR",
	[64] = "ENONET",
	[65] = "ENOPKG",
	[66] = "EREMOTE",
	[67] = "ENOLINK",
	[68] = "EADV",
	[69] = "ESRMNT",
	[70] = "ECOMM",
	[71] = "EPROTO",
	[72] = "EMULTIHOP",
	[73] = "EDOTDOT",
	[74] = "EBADMSG",
	[75] = "EOVERFLOW",
	[76] = "ENOTUNIQ",
	[77] = "EBADFD",
	[78] = "EREMCHG",
	[79] = "ELIBACC",
	[80] = "ELIBBAD",
	[81] = "ELIBSCN",
	[82] = "ELIBMAX",
	[83] = "ELIBEXEC",
	[84] = "EILSEQ",
	[85] = "ERESTART",
	[86] = "ESTRPIPE",
	[87] = "EUSERS",
	[88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",
	[91] = "EPROTOTYPE",
	[92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",
	[94] = "ESOCKTNOSUPPORT",
	[95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",
	[97] = "EAFNOSUPPORT",
	[98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN",
	[101] = "ENETUNREACH",
	[102] = "ENETRESET",
	[103] = "ECONNABORTED",
	[104] = "ECONNRESET",
	[105] = "ENOBUFS",
	[106] = "EISCONN",
	[107] = "ENOTCONN",
	[108] = "ESHUTDOWN",
	[109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH",
	[114] = "EALREADY",
	[115] = "EINPROGRESS",
	[116] = "ESTALE",
	[117] = "EUCLEAN",
	[118] = "ENOTNAM",
	[119] = "ENAVAIL",
	[120] = "EISNAM",
	[121] = "EREMOTEIO",
	[122] = "EDQUOT",
	[123] = "ENOMEDIUM",
	[124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	[126] = "ENOKEY",
	[127] = "EKEYEXPIRED",
	[128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",
	[130] = "EOWNERDEAD",
	[131] = "ENOTRECOVERABLE",
	[132] = "ERFKILL",
	[133] = "EHWPOISON",
	[512] = "ERESTARTSYS",
	[513] = "ERESTARTNOINTR",
	[514] = "ERESTARTNOHAND",
	[515] = "ENOIOCTLCMD",
	[516] = "ERESTART_RESTARTBLOCK",
};

const char *sk_errno_name(int64_t err)
{
	uint64_t e = err < 0 ? (uint64_t)0 - (uint64_t)err : (uint64_t)err;

	if (e >= sizeof(errno_names) / sizeof(errno_names[0]))
		return NULL;
	return errno_names[e];
}

const char *sk_name_lookup(const struct sk_name_value *table, uint64_t value)
{
	for (; table && table->name; table++)
		if (table->value == value)
			return table->name;
	return NULL;
}
