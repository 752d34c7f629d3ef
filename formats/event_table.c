/* formats/event_table.c: the event layout table and typed parameter access. */
#include "formats/event.h"

#include <errno.h>
#include <string.h>

#include "formats/flags.h"

/*
 * Layouts follow current falcosecurity/libs (docs scap.md §15), names and
 * order included, so evt.arg.NAME and evt.args match Falco. Parameters after
 * the ones sysdig 0.29 knew were appended upstream; old captures simply lack
 * them (formats/scap/codes.c records the 0.29 counts for export).
 */

#define P(n, t, f) { n, SK_PT_##t, SK_PF_##f, -1, NULL }
#define PF(n, t, f, tab) { n, SK_PT_##t, SK_PF_##f, -1, tab }
#define PR(n, dirfd) { n, SK_PT_FSRELPATH, SK_PF_NA, dirfd, NULL }

#define NOP 0, NULL
#define PA(a) (uint8_t)(sizeof(a) / sizeof((a)[0])), a

/* A syscall kind: enter and exit entries, exit code = enter code + 1. */
#define SYS(k, nm, cat, fl, code, ep, xp) \
	[SK_EV_##k##_E] = { nm, SK_DIR_ENTER, SK_CAT_##cat, fl, code, ep }, \
	[SK_EV_##k##_X] = { nm, SK_DIR_EXIT, SK_CAT_##cat, fl, (code) ? (code) + 1 : 0, xp }
/* A meta kind: enter id only; the exit id exists but is unused. */
#define META(k, nm, cat, fl, code, ep) \
	[SK_EV_##k##_E] = { nm, SK_DIR_ENTER, SK_CAT_##cat, (fl) | SK_EF_META, code, ep }, \
	[SK_EV_##k##_X] = { nm, SK_DIR_EXIT, SK_CAT_##cat, SK_EF_META | SK_EF_UNUSED, 0, NOP }

#define CFD SK_EF_CREATES_FD
#define DFD SK_EF_DESTROYS_FD
#define UFD SK_EF_USES_FD
#define RFD SK_EF_READS_FROM_FD
#define WFD SK_EF_WRITES_TO_FD
#define MST SK_EF_MODIFIES_STATE
#define WAI SK_EF_WAITS

static const struct sk_param_info generic_e[] = { P("ID", SYSCALLID, DEC), P("nativeID", UINT16, DEC) };
static const struct sk_param_info generic_x[] = { P("ID", SYSCALLID, DEC), P("nativeID", UINT16, DEC) };

static const struct sk_param_info open_e[] = {
	P("name", FSPATH, NA), PF("flags", FLAGS32, HEX, sk_file_flags), P("mode", UINT32, OCT) };
static const struct sk_param_info open_x[] = {
	P("fd", FD, DEC), P("name", FSPATH, NA), PF("flags", FLAGS32, HEX, sk_file_flags),
	P("mode", UINT32, OCT), P("dev", UINT32, HEX), P("ino", UINT64, DEC) };
static const struct sk_param_info openat_e[] = {
	P("dirfd", FD, DEC), PR("name", 0), PF("flags", FLAGS32, HEX, sk_file_flags), P("mode", UINT32, OCT) };
static const struct sk_param_info openat_x[] = {
	P("fd", FD, DEC), P("dirfd", FD, DEC), PR("name", 1), PF("flags", FLAGS32, HEX, sk_file_flags),
	P("mode", UINT32, OCT), P("dev", UINT32, HEX), P("ino", UINT64, DEC) };
static const struct sk_param_info openat2_e[] = {
	P("dirfd", FD, DEC), PR("name", 0), PF("flags", FLAGS32, HEX, sk_file_flags), P("mode", UINT32, OCT),
	PF("resolve", FLAGS32, HEX, sk_openat2_flags) };
static const struct sk_param_info openat2_x[] = {
	P("fd", FD, DEC), P("dirfd", FD, DEC), PR("name", 1), PF("flags", FLAGS32, HEX, sk_file_flags),
	P("mode", UINT32, OCT), PF("resolve", FLAGS32, HEX, sk_openat2_flags), P("dev", UINT32, HEX),
	P("ino", UINT64, DEC) };
static const struct sk_param_info creat_e[] = { P("name", FSPATH, NA), P("mode", UINT32, OCT) };
static const struct sk_param_info creat_x[] = {
	P("fd", FD, DEC), P("name", FSPATH, NA), P("mode", UINT32, OCT), P("dev", UINT32, HEX),
	P("ino", UINT64, DEC), PF("creat_flags", FLAGS16, HEX, sk_file_flags) };
static const struct sk_param_info obha_x[] = {
	P("fd", FD, DEC), P("mountfd", FD, DEC), PF("flags", FLAGS32, HEX, sk_file_flags), P("path", FSPATH, NA) };

static const struct sk_param_info fd_only[] = { P("fd", FD, DEC) };
static const struct sk_param_info res_only[] = { P("res", ERRNO, DEC) };
static const struct sk_param_info res_fd[] = { P("res", ERRNO, DEC), P("fd", FD, DEC) };

static const struct sk_param_info io_e[] = { P("fd", FD, DEC), P("size", UINT32, DEC) };
static const struct sk_param_info io_x[] = {
	P("res", ERRNO, DEC), P("data", BYTEBUF, NA), P("fd", FD, DEC), P("size", UINT32, DEC) };
static const struct sk_param_info pio_e[] = { P("fd", FD, DEC), P("size", UINT32, DEC), P("pos", UINT64, DEC) };
static const struct sk_param_info pio_x[] = {
	P("res", ERRNO, DEC), P("data", BYTEBUF, NA), P("fd", FD, DEC), P("size", UINT32, DEC),
	P("pos", UINT64, DEC) };
static const struct sk_param_info readv_x[] = {
	P("res", ERRNO, DEC), P("size", UINT32, DEC), P("data", BYTEBUF, NA), P("fd", FD, DEC) };
static const struct sk_param_info preadv_e[] = { P("fd", FD, DEC), P("pos", UINT64, DEC) };
static const struct sk_param_info preadv_x[] = {
	P("res", ERRNO, DEC), P("size", UINT32, DEC), P("data", BYTEBUF, NA), P("fd", FD, DEC),
	P("pos", UINT64, DEC) };

static const struct sk_param_info socket_e[] = {
	PF("domain", ENUMFLAGS32, DEC, sk_socket_families), P("type", UINT32, DEC), P("proto", UINT32, DEC) };
static const struct sk_param_info socket_x[] = {
	P("fd", FD, DEC), PF("domain", ENUMFLAGS32, DEC, sk_socket_families), P("type", UINT32, DEC),
	P("proto", UINT32, DEC), PF("flags", FLAGS32, HEX, sk_file_flags) };
static const struct sk_param_info bind_x[] = { P("res", ERRNO, DEC), P("addr", SOCKADDR, NA), P("fd", FD, DEC) };
static const struct sk_param_info connect_e[] = { P("fd", FD, DEC), P("addr", SOCKADDR, NA) };
static const struct sk_param_info connect_x[] = {
	P("res", ERRNO, DEC), P("tuple", SOCKTUPLE, NA), P("fd", FD, DEC), P("addr", SOCKADDR, NA) };
static const struct sk_param_info listen_e[] = { P("fd", FD, DEC), P("backlog", INT32, DEC) };
static const struct sk_param_info listen_x[] = { P("res", ERRNO, DEC), P("fd", FD, DEC), P("backlog", INT32, DEC) };
static const struct sk_param_info accept_x[] = {
	P("fd", FD, DEC), P("tuple", SOCKTUPLE, NA), P("queuepct", UINT8, DEC), P("queuelen", UINT32, DEC),
	P("queuemax", UINT32, DEC) };
static const struct sk_param_info accept4_e[] = { P("flags", INT32, HEX) };
static const struct sk_param_info accept4_x[] = {
	P("fd", FD, DEC), P("tuple", SOCKTUPLE, NA), P("queuepct", UINT8, DEC), P("queuelen", UINT32, DEC),
	P("queuemax", UINT32, DEC), P("flags", INT32, HEX) };
static const struct sk_param_info sendto_e[] = { P("fd", FD, DEC), P("size", UINT32, DEC), P("tuple", SOCKTUPLE, NA) };
static const struct sk_param_info sendto_x[] = {
	P("res", ERRNO, DEC), P("data", BYTEBUF, NA), P("fd", FD, DEC), P("size", UINT32, DEC),
	P("tuple", SOCKTUPLE, NA) };
static const struct sk_param_info recvfrom_x[] = {
	P("res", ERRNO, DEC), P("data", BYTEBUF, NA), P("tuple", SOCKTUPLE, NA), P("fd", FD, DEC),
	P("size", UINT32, DEC) };
static const struct sk_param_info recvmsg_x[] = {
	P("res", ERRNO, DEC), P("size", UINT32, DEC), P("data", BYTEBUF, NA), P("tuple", SOCKTUPLE, NA),
	P("msgcontrol", BYTEBUF, NA), P("fd", FD, DEC) };
static const struct sk_param_info shutdown_e[] = { P("fd", FD, DEC), PF("how", ENUMFLAGS8, HEX, sk_shutdown_how) };
static const struct sk_param_info shutdown_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), PF("how", ENUMFLAGS8, HEX, sk_shutdown_how) };
static const struct sk_param_info socketpair_x[] = {
	P("res", ERRNO, DEC), P("fd1", FD, DEC), P("fd2", FD, DEC), P("source", UINT64, HEX),
	P("peer", UINT64, HEX), PF("domain", ENUMFLAGS32, DEC, sk_socket_families), P("type", UINT32, DEC),
	P("proto", UINT32, DEC) };
static const struct sk_param_info sockopt_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("level", ENUMFLAGS8, DEC), P("optname", ENUMFLAGS8, DEC),
	P("val", DYN, DEC), P("optlen", UINT32, DEC) };

static const struct sk_param_info pipe_x[] = {
	P("res", ERRNO, DEC), P("fd1", FD, DEC), P("fd2", FD, DEC), P("ino", UINT64, DEC) };
static const struct sk_param_info pipe2_x[] = {
	P("res", ERRNO, DEC), P("fd1", FD, DEC), P("fd2", FD, DEC), P("ino", UINT64, DEC),
	PF("flags", FLAGS32, HEX, sk_file_flags) };
static const struct sk_param_info eventfd_e[] = { P("initval", UINT64, DEC), P("flags", FLAGS32, HEX) };
static const struct sk_param_info eventfd_x[] = { P("res", FD, DEC), P("initval", UINT64, DEC), P("flags", FLAGS32, HEX) };
static const struct sk_param_info eventfd2_e[] = { P("initval", UINT64, DEC) };
static const struct sk_param_info eventfd2_x[] = {
	P("res", FD, DEC), PF("flags", FLAGS16, HEX, sk_file_flags), P("initval", UINT64, DEC) };
static const struct sk_param_info futex_e[] = {
	P("addr", UINT64, HEX), PF("op", FLAGS16, HEX, sk_futex_operations), P("val", UINT64, DEC) };
static const struct sk_param_info futex_x[] = {
	P("res", ERRNO, DEC), P("addr", UINT64, HEX), PF("op", FLAGS16, HEX, sk_futex_operations),
	P("val", UINT64, DEC) };
static const struct sk_param_info stat_x[] = { P("res", ERRNO, DEC), P("path", FSPATH, NA) };
static const struct sk_param_info epollwait_e[] = { P("maxevents", ERRNO, DEC) };
static const struct sk_param_info epollwait_x[] = { P("res", ERRNO, DEC), P("maxevents", ERRNO, DEC) };
static const struct sk_param_info poll_e[] = { P("fds", FDLIST, DEC), P("timeout", INT64, DEC) };
static const struct sk_param_info poll_x[] = { P("res", ERRNO, DEC), P("fds", FDLIST, DEC), P("timeout", INT64, DEC) };
static const struct sk_param_info ppoll_e[] = { P("fds", FDLIST, DEC), P("timeout", RELTIME, DEC), P("sigmask", SIGSET, DEC) };
static const struct sk_param_info ppoll_x[] = {
	P("res", ERRNO, DEC), P("fds", FDLIST, DEC), P("timeout", RELTIME, DEC), P("sigmask", SIGSET, DEC) };
static const struct sk_param_info lseek_e[] = {
	P("fd", FD, DEC), P("offset", UINT64, DEC), PF("whence", ENUMFLAGS8, DEC, sk_lseek_whence) };
static const struct sk_param_info lseek_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("offset", UINT64, DEC), PF("whence", ENUMFLAGS8, DEC, sk_lseek_whence) };
static const struct sk_param_info ioctl_e[] = { P("fd", FD, DEC), P("request", UINT64, HEX), P("argument", UINT64, HEX) };
static const struct sk_param_info ioctl_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("request", UINT64, HEX), P("argument", UINT64, HEX) };
static const struct sk_param_info path_str_x[] = { P("res", ERRNO, DEC), P("path", CHARBUF, NA) };
static const struct sk_param_info path_x[] = { P("res", ERRNO, DEC), P("path", FSPATH, NA) };
static const struct sk_param_info mkdir_e[] = { P("mode", UINT32, HEX) };
static const struct sk_param_info mkdir_x[] = { P("res", ERRNO, DEC), P("path", FSPATH, NA), P("mode", UINT32, HEX) };
static const struct sk_param_info mkdirat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("path", 1), P("mode", UINT32, HEX) };
static const struct sk_param_info twopath_x[] = {
	P("res", ERRNO, DEC), P("oldpath", FSPATH, NA), P("newpath", FSPATH, NA) };
static const struct sk_param_info linkat_x[] = {
	P("res", ERRNO, DEC), P("olddir", FD, DEC), PR("oldpath", 1), P("newdir", FD, DEC), PR("newpath", 3),
	PF("flags", FLAGS32, HEX, sk_linkat_flags) };
static const struct sk_param_info unlinkat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("name", 1), PF("flags", FLAGS32, HEX, sk_unlinkat_flags) };
static const struct sk_param_info renameat_x[] = {
	P("res", ERRNO, DEC), P("olddirfd", FD, DEC), PR("oldpath", 1), P("newdirfd", FD, DEC), PR("newpath", 3) };
static const struct sk_param_info renameat2_x[] = {
	P("res", ERRNO, DEC), P("olddirfd", FD, DEC), PR("oldpath", 1), P("newdirfd", FD, DEC), PR("newpath", 3),
	PF("flags", FLAGS32, HEX, sk_renameat2_flags) };
static const struct sk_param_info symlink_x[] = {
	P("res", ERRNO, DEC), P("target", CHARBUF, NA), P("linkpath", FSPATH, NA) };
static const struct sk_param_info symlinkat_x[] = {
	P("res", ERRNO, DEC), P("target", CHARBUF, NA), P("linkdirfd", FD, DEC), PR("linkpath", 2) };
static const struct sk_param_info readlinkat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("path", 1) };

static const struct sk_param_info dup_x[] = { P("res", FD, DEC), P("oldfd", FD, DEC) };
static const struct sk_param_info dup2_x[] = { P("res", FD, DEC), P("oldfd", FD, DEC), P("newfd", FD, DEC) };
static const struct sk_param_info dup3_x[] = {
	P("res", FD, DEC), P("oldfd", FD, DEC), P("newfd", FD, DEC), PF("flags", FLAGS32, HEX, sk_file_flags) };
static const struct sk_param_info signalfd_e[] = { P("fd", FD, DEC), P("mask", UINT32, HEX), P("flags", FLAGS8, HEX) };
static const struct sk_param_info signalfd_x[] = {
	P("res", FD, DEC), P("fd", FD, DEC), P("mask", UINT32, HEX), P("flags", FLAGS8, HEX) };
static const struct sk_param_info signalfd4_e[] = { P("fd", FD, DEC), P("mask", UINT32, HEX) };
static const struct sk_param_info signalfd4_x[] = {
	P("res", FD, DEC), P("flags", FLAGS16, HEX), P("fd", FD, DEC), P("mask", UINT32, HEX) };
static const struct sk_param_info kill_e[] = { P("pid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info kill_x[] = {
	P("res", ERRNO, DEC), P("pid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info tkill_e[] = { P("tid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info tkill_x[] = {
	P("res", ERRNO, DEC), P("tid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info tgkill_e[] = {
	P("pid", PID, DEC), P("tid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info tgkill_x[] = {
	P("res", ERRNO, DEC), P("pid", PID, DEC), P("tid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info nanosleep_e[] = { P("interval", RELTIME, DEC) };
static const struct sk_param_info nanosleep_x[] = { P("res", ERRNO, DEC), P("interval", RELTIME, DEC) };
static const struct sk_param_info timerfd_e[] = { P("clockid", UINT8, DEC), P("flags", FLAGS8, HEX) };
static const struct sk_param_info timerfd_x[] = { P("res", FD, DEC), P("clockid", UINT8, DEC), P("flags", FLAGS8, HEX) };
static const struct sk_param_info inotify_e[] = { P("flags", FLAGS8, HEX) };
static const struct sk_param_info inotify_x[] = { P("res", FD, DEC), P("flags", FLAGS8, HEX) };
static const struct sk_param_info inotify1_x[] = { P("res", FD, DEC), PF("flags", FLAGS16, HEX, sk_file_flags) };
static const struct sk_param_info rlimit_e[] = { PF("resource", ENUMFLAGS8, DEC, sk_rlimit_resources) };
static const struct sk_param_info rlimit_x[] = {
	P("res", ERRNO, DEC), P("cur", INT64, DEC), P("max", INT64, DEC),
	PF("resource", ENUMFLAGS8, DEC, sk_rlimit_resources) };
static const struct sk_param_info prlimit_e[] = { P("pid", PID, DEC), PF("resource", ENUMFLAGS8, DEC, sk_rlimit_resources) };
static const struct sk_param_info prlimit_x[] = {
	P("res", ERRNO, DEC), P("newcur", INT64, DEC), P("newmax", INT64, DEC), P("oldcur", INT64, DEC),
	P("oldmax", INT64, DEC), P("pid", INT64, DEC), PF("resource", ENUMFLAGS8, DEC, sk_rlimit_resources) };
static const struct sk_param_info fcntl_e[] = { P("fd", FD, DEC), PF("cmd", ENUMFLAGS8, DEC, sk_fcntl_commands) };
static const struct sk_param_info fcntl_x[] = {
	P("res", FD, DEC), P("fd", FD, DEC), PF("cmd", ENUMFLAGS8, DEC, sk_fcntl_commands) };

static const struct sk_param_info brk_e[] = { P("addr", UINT64, HEX) };
static const struct sk_param_info brk_x[] = {
	P("res", UINT64, HEX), P("vm_size", UINT32, DEC), P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC),
	P("addr", UINT64, HEX) };
static const struct sk_param_info mmap_e[] = {
	P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags),
	PF("flags", FLAGS32, HEX, sk_mmap_flags), P("fd", FD, DEC), P("offset", UINT64, DEC) };
static const struct sk_param_info mmap_x[] = {
	P("res", ERRNO, HEX), P("vm_size", UINT32, DEC), P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC),
	P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags),
	PF("flags", FLAGS32, HEX, sk_mmap_flags), P("fd", FD, DEC), P("offset", UINT64, DEC) };
static const struct sk_param_info mmap2_e[] = {
	P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags),
	PF("flags", FLAGS32, HEX, sk_mmap_flags), P("fd", FD, DEC), P("pgoffset", UINT64, DEC) };
static const struct sk_param_info mmap2_x[] = {
	P("res", ERRNO, HEX), P("vm_size", UINT32, DEC), P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC),
	P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags),
	PF("flags", FLAGS32, HEX, sk_mmap_flags), P("fd", FD, DEC), P("pgoffset", UINT64, DEC) };
static const struct sk_param_info munmap_e[] = { P("addr", UINT64, HEX), P("length", UINT64, DEC) };
static const struct sk_param_info munmap_x[] = {
	P("res", ERRNO, DEC), P("vm_size", UINT32, DEC), P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC),
	P("addr", UINT64, HEX), P("length", UINT64, DEC) };
static const struct sk_param_info mprotect_e[] = {
	P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags) };
static const struct sk_param_info mprotect_x[] = {
	P("res", ERRNO, DEC), P("addr", UINT64, HEX), P("length", UINT64, DEC), PF("prot", FLAGS32, HEX, sk_prot_flags) };
static const struct sk_param_info splice_e[] = {
	P("fd_in", FD, DEC), P("fd_out", FD, DEC), P("size", UINT64, DEC), PF("flags", FLAGS32, HEX, sk_splice_flags) };
static const struct sk_param_info splice_x[] = {
	P("res", ERRNO, DEC), P("fd_in", FD, DEC), P("fd_out", FD, DEC), P("size", UINT64, DEC),
	PF("flags", FLAGS32, HEX, sk_splice_flags) };
static const struct sk_param_info ptrace_e[] = {
	PF("request", ENUMFLAGS16, DEC, sk_ptrace_requests), P("pid", PID, DEC) };
static const struct sk_param_info ptrace_x[] = {
	P("res", ERRNO, DEC), P("addr", DYN, HEX), P("data", DYN, HEX),
	PF("request", ENUMFLAGS16, DEC, sk_ptrace_requests), P("pid", PID, DEC) };

/* clone, fork, vfork and clone3 share one exit layout. */
static const struct sk_param_info clone_x[] = {
	P("res", PID, DEC), P("exe", CHARBUF, NA), P("args", BYTEBUF, NA), P("tid", PID, DEC),
	P("pid", PID, DEC), P("ptid", PID, DEC), P("cwd", CHARBUF, NA), P("fdlimit", INT64, DEC),
	P("pgft_maj", UINT64, DEC), P("pgft_min", UINT64, DEC), P("vm_size", UINT32, DEC),
	P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC), P("comm", CHARBUF, NA),
	P("cgroups", BYTEBUF, NA), PF("flags", FLAGS32, HEX, sk_clone_flags), P("uid", UINT32, DEC),
	P("gid", UINT32, DEC), P("vtid", PID, DEC), P("vpid", PID, DEC),
	P("pidns_init_start_ts", UINT64, DEC) };

#define EXEC_X_COMMON \
	P("res", ERRNO, DEC), P("exe", CHARBUF, NA), P("args", BYTEBUF, NA), P("tid", PID, DEC), \
	P("pid", PID, DEC), P("ptid", PID, DEC), P("cwd", CHARBUF, NA), P("fdlimit", UINT64, DEC), \
	P("pgft_maj", UINT64, DEC), P("pgft_min", UINT64, DEC), P("vm_size", UINT32, DEC), \
	P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC), P("comm", CHARBUF, NA), \
	P("cgroups", BYTEBUF, NA), P("env", BYTEBUF, NA), P("tty", UINT32, DEC), P("vpgid", PID, DEC), \
	P("loginuid", UID, DEC), PF("flags", FLAGS32, HEX, sk_execve_flags), \
	P("cap_inheritable", UINT64, HEX), P("cap_permitted", UINT64, HEX), \
	P("cap_effective", UINT64, HEX), P("exe_ino", UINT64, DEC), P("exe_ino_ctime", ABSTIME, DEC), \
	P("exe_ino_mtime", ABSTIME, DEC), P("uid", UID, DEC), P("trusted_exepath", FSPATH, NA), \
	P("pgid", PID, DEC), P("gid", GID, DEC)
static const struct sk_param_info execve_e[] = { P("filename", FSPATH, NA) };
static const struct sk_param_info execve_x[] = { EXEC_X_COMMON, P("filename", FSPATH, NA) };
static const struct sk_param_info execveat_e[] = {
	P("dirfd", FD, DEC), PR("pathname", 0), PF("flags", FLAGS32, HEX, sk_execveat_flags) };
static const struct sk_param_info execveat_x[] = { EXEC_X_COMMON };

static const struct sk_param_info procexit_e[] = {
	P("status", ERRNO, DEC), P("ret", ERRNO, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names),
	P("core", UINT8, DEC), P("reaper_tid", PID, DEC) };
static const struct sk_param_info sendfile_e[] = {
	P("out_fd", FD, DEC), P("in_fd", FD, DEC), P("offset", UINT64, DEC), P("size", UINT64, DEC) };
static const struct sk_param_info sendfile_x[] = {
	P("res", ERRNO, DEC), P("offset", UINT64, DEC), P("out_fd", FD, DEC), P("in_fd", FD, DEC),
	P("size", UINT64, DEC) };
static const struct sk_param_info quotactl_e[] = {
	P("cmd", FLAGS16, DEC), P("type", FLAGS8, DEC), P("id", UINT32, DEC), P("quota_fmt", FLAGS8, DEC) };
static const struct sk_param_info quotactl_x[] = {
	P("res", ERRNO, DEC), P("special", CHARBUF, NA), P("quotafilepath", CHARBUF, NA),
	P("dqb_bhardlimit", UINT64, DEC), P("dqb_bsoftlimit", UINT64, DEC), P("dqb_curspace", UINT64, DEC),
	P("dqb_ihardlimit", UINT64, DEC), P("dqb_isoftlimit", UINT64, DEC), P("dqb_btime", RELTIME, DEC),
	P("dqb_itime", RELTIME, DEC), P("dqi_bgrace", RELTIME, DEC), P("dqi_igrace", RELTIME, DEC),
	P("dqi_flags", FLAGS8, DEC), P("quota_fmt_out", FLAGS8, DEC), P("cmd", FLAGS16, DEC),
	P("type", FLAGS8, DEC), P("id", UINT32, DEC), P("quota_fmt", FLAGS8, DEC) };

static const struct sk_param_info resuid_e[] = { P("ruid", UID, DEC), P("euid", UID, DEC), P("suid", UID, DEC) };
static const struct sk_param_info resuid_x[] = {
	P("res", ERRNO, DEC), P("ruid", UID, DEC), P("euid", UID, DEC), P("suid", UID, DEC) };
static const struct sk_param_info resgid_e[] = { P("rgid", GID, DEC), P("egid", GID, DEC), P("sgid", GID, DEC) };
static const struct sk_param_info resgid_x[] = {
	P("res", ERRNO, DEC), P("rgid", GID, DEC), P("egid", GID, DEC), P("sgid", GID, DEC) };
static const struct sk_param_info reuid_x[] = { P("res", ERRNO, DEC), P("ruid", UID, DEC), P("euid", UID, DEC) };
static const struct sk_param_info regid_x[] = { P("res", ERRNO, DEC), P("rgid", GID, DEC), P("egid", GID, DEC) };
static const struct sk_param_info setuid_e[] = { P("uid", UID, DEC) };
static const struct sk_param_info setuid_x[] = { P("res", ERRNO, DEC), P("uid", UID, DEC) };
static const struct sk_param_info setgid_e[] = { P("gid", GID, DEC) };
static const struct sk_param_info setgid_x[] = { P("res", ERRNO, DEC), P("gid", GID, DEC) };
static const struct sk_param_info getuid_x[] = { P("uid", UID, DEC) };
static const struct sk_param_info geteuid_x[] = { P("euid", UID, DEC) };
static const struct sk_param_info getgid_x[] = { P("gid", GID, DEC) };
static const struct sk_param_info getegid_x[] = { P("egid", GID, DEC) };
static const struct sk_param_info pidres_x[] = { P("res", PID, DEC) };
static const struct sk_param_info setpgid_e[] = { P("pid", PID, DEC), P("pgid", PID, DEC) };
static const struct sk_param_info setpgid_x[] = { P("res", ERRNO, DEC), P("pid", PID, DEC), P("pgid", PID, DEC) };

static const struct sk_param_info mount_e[] = { PF("flags", FLAGS32, HEX, sk_mount_flags) };
static const struct sk_param_info mount_x[] = {
	P("res", ERRNO, DEC), P("dev", CHARBUF, NA), P("dir", FSPATH, NA), P("type", CHARBUF, NA),
	PF("flags", FLAGS32, HEX, sk_mount_flags) };
static const struct sk_param_info umount_x[] = { P("res", ERRNO, DEC), P("name", FSPATH, NA) };
static const struct sk_param_info umount2_e[] = { PF("flags", FLAGS32, HEX, sk_umount_flags) };
static const struct sk_param_info umount2_x[] = {
	P("res", ERRNO, DEC), P("name", FSPATH, NA), PF("flags", FLAGS32, HEX, sk_umount_flags) };
static const struct sk_param_info access_e[] = { PF("mode", FLAGS32, HEX, sk_access_flags) };
static const struct sk_param_info access_x[] = {
	P("res", ERRNO, DEC), P("name", FSPATH, NA), PF("mode", FLAGS32, HEX, sk_access_flags) };
static const struct sk_param_info faccessat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("pathname", 1), PF("mode", FLAGS32, HEX, sk_access_flags),
	P("flags", FLAGS32, HEX) };
static const struct sk_param_info chmod_x[] = {
	P("res", ERRNO, DEC), P("filename", FSPATH, NA), PF("mode", MODE, OCT, sk_mode_names) };
static const struct sk_param_info fchmod_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), PF("mode", MODE, OCT, sk_mode_names) };
static const struct sk_param_info fchmodat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("filename", 1), PF("mode", MODE, OCT, sk_mode_names) };
static const struct sk_param_info chown_x[] = {
	P("res", ERRNO, DEC), P("path", FSPATH, NA), P("uid", UINT32, DEC), P("gid", UINT32, DEC) };
static const struct sk_param_info fchown_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("uid", UINT32, DEC), P("gid", UINT32, DEC) };
static const struct sk_param_info fchownat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("pathname", 1), P("uid", UINT32, DEC), P("gid", UINT32, DEC),
	PF("flags", FLAGS32, HEX, sk_fchownat_flags) };
static const struct sk_param_info unshare_e[] = { PF("flags", FLAGS32, HEX, sk_clone_flags) };
static const struct sk_param_info unshare_x[] = { P("res", ERRNO, DEC), PF("flags", FLAGS32, HEX, sk_clone_flags) };
static const struct sk_param_info setns_e[] = { P("fd", FD, NA), PF("nstype", FLAGS32, HEX, sk_clone_flags) };
static const struct sk_param_info setns_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, NA), PF("nstype", FLAGS32, HEX, sk_clone_flags) };
static const struct sk_param_info capset_x[] = {
	P("res", ERRNO, DEC), P("cap_inheritable", UINT64, HEX), P("cap_permitted", UINT64, HEX),
	P("cap_effective", UINT64, HEX) };
static const struct sk_param_info prctl_x[] = {
	P("res", ERRNO, DEC), PF("option", ENUMFLAGS32, DEC, sk_prctl_options), P("arg2_str", CHARBUF, NA),
	P("arg2_int", INT64, DEC) };
static const struct sk_param_info userfaultfd_x[] = { P("res", ERRNO, DEC), PF("flags", FLAGS32, HEX, sk_file_flags) };
static const struct sk_param_info memfd_x[] = {
	P("fd", FD, DEC), P("name", CHARBUF, NA), PF("flags", FLAGS32, HEX, sk_memfd_create_flags) };
static const struct sk_param_info pidfd_open_x[] = { P("fd", FD, DEC), P("pid", PID, DEC), P("flags", FLAGS32, HEX) };
static const struct sk_param_info pidfd_getfd_x[] = {
	P("fd", FD, DEC), P("pid_fd", FD, DEC), P("target_fd", FD, DEC), P("flags", FLAGS32, HEX) };
static const struct sk_param_info bpf_e[] = { P("cmd", INT64, DEC) };
static const struct sk_param_info bpf_x[] = { P("fd", FD, DEC), PF("cmd", ENUMFLAGS32, DEC, sk_bpf_commands) };
static const struct sk_param_info init_module_x[] = {
	P("res", ERRNO, DEC), P("img", BYTEBUF, NA), P("length", UINT64, DEC), P("uargs", CHARBUF, NA) };
static const struct sk_param_info finit_module_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("uargs", CHARBUF, NA), P("flags", FLAGS32, DEC) };
static const struct sk_param_info delete_module_x[] = {
	P("res", ERRNO, DEC), P("name", CHARBUF, NA), P("flags", FLAGS32, HEX) };
static const struct sk_param_info seccomp_e[] = { P("op", UINT64, DEC), P("flags", UINT64, HEX) };
static const struct sk_param_info seccomp_x[] = { P("res", ERRNO, DEC), P("op", UINT64, DEC), P("flags", UINT64, HEX) };
static const struct sk_param_info epoll_create_e[] = { P("size", INT32, DEC) };
static const struct sk_param_info epoll_create_x[] = { P("res", ERRNO, DEC), P("size", INT32, DEC) };
static const struct sk_param_info epoll_create1_e[] = { PF("flags", FLAGS32, HEX, sk_epoll_create1_flags) };
static const struct sk_param_info epoll_create1_x[] = {
	P("res", ERRNO, DEC), PF("flags", FLAGS32, HEX, sk_epoll_create1_flags) };
static const struct sk_param_info uring_setup_x[] = {
	P("res", ERRNO, DEC), P("entries", UINT32, DEC), P("sq_entries", UINT32, DEC), P("cq_entries", UINT32, DEC),
	P("flags", FLAGS32, HEX), P("sq_thread_cpu", UINT32, DEC), P("sq_thread_idle", UINT32, DEC),
	P("features", FLAGS32, HEX) };
static const struct sk_param_info uring_enter_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("to_submit", UINT32, DEC), P("min_complete", UINT32, DEC),
	P("flags", FLAGS32, HEX), P("sig", SIGSET, DEC) };
static const struct sk_param_info uring_register_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("opcode", ENUMFLAGS16, DEC), P("arg", UINT64, HEX),
	P("nr_args", UINT32, DEC) };
static const struct sk_param_info close_range_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, DEC), P("max_fd", UINT32, DEC), P("flags", FLAGS32, HEX) };
static const struct sk_param_info flock_e[] = { P("fd", FD, NA), PF("operation", FLAGS32, HEX, sk_flock_flags) };
static const struct sk_param_info flock_x[] = {
	P("res", ERRNO, DEC), P("fd", FD, NA), PF("operation", FLAGS32, HEX, sk_flock_flags) };
static const struct sk_param_info mlock_x[] = { P("res", ERRNO, DEC), P("addr", UINT64, HEX), P("len", UINT64, DEC) };
static const struct sk_param_info mlockall_x[] = { P("res", ERRNO, DEC), PF("flags", FLAGS32, HEX, sk_mlockall_flags) };
static const struct sk_param_info mlock2_x[] = {
	P("res", ERRNO, DEC), P("addr", UINT64, HEX), P("len", UINT64, DEC), P("flags", UINT32, HEX) };
static const struct sk_param_info semop_e[] = { P("semid", INT32, DEC) };
static const struct sk_param_info semop_x[] = {
	P("res", ERRNO, DEC), P("nsops", UINT32, DEC), P("sem_num_0", UINT16, DEC), P("sem_op_0", INT16, DEC),
	P("sem_flg_0", FLAGS16, HEX), P("sem_num_1", UINT16, DEC), P("sem_op_1", INT16, DEC),
	P("sem_flg_1", FLAGS16, HEX), P("semid", INT32, DEC) };
static const struct sk_param_info semget_e[] = { P("key", INT32, HEX), P("nsems", INT32, DEC), P("semflg", FLAGS32, HEX) };
static const struct sk_param_info semget_x[] = {
	P("res", ERRNO, DEC), P("key", INT32, HEX), P("nsems", INT32, DEC), P("semflg", FLAGS32, HEX) };
static const struct sk_param_info semctl_e[] = {
	P("semid", INT32, DEC), P("semnum", INT32, DEC), P("cmd", FLAGS16, HEX), P("val", INT32, DEC) };
static const struct sk_param_info semctl_x[] = {
	P("res", ERRNO, DEC), P("semid", INT32, DEC), P("semnum", INT32, DEC), P("cmd", FLAGS16, HEX),
	P("val", INT32, DEC) };
static const struct sk_param_info cfr_e[] = { P("fdin", FD, DEC), P("offin", UINT64, DEC), P("len", UINT64, DEC) };
static const struct sk_param_info cfr_x[] = {
	P("res", ERRNO, DEC), P("fdout", FD, DEC), P("offout", UINT64, DEC), P("fdin", FD, DEC),
	P("offin", UINT64, DEC), P("len", UINT64, DEC) };
static const struct sk_param_info mknod_x[] = {
	P("res", ERRNO, DEC), P("path", FSPATH, NA), PF("mode", MODE, OCT, sk_mode_names), P("dev", UINT32, DEC) };
static const struct sk_param_info mknodat_x[] = {
	P("res", ERRNO, DEC), P("dirfd", FD, DEC), PR("path", 1), PF("mode", MODE, OCT, sk_mode_names),
	P("dev", UINT32, DEC) };

/* Meta events. */
static const struct sk_param_info switch_e[] = {
	P("next", PID, DEC), P("pgft_maj", UINT64, DEC), P("pgft_min", UINT64, DEC), P("vm_size", UINT32, DEC),
	P("vm_rss", UINT32, DEC), P("vm_swap", UINT32, DEC) };
static const struct sk_param_info procinfo_e[] = { P("cpu_usr", UINT64, DEC), P("cpu_sys", UINT64, DEC) };
static const struct sk_param_info signaldeliver_e[] = {
	P("spid", PID, DEC), P("dpid", PID, DEC), PF("sig", SIGTYPE, DEC, sk_signal_names) };
static const struct sk_param_info container_e[] = { P("json", CHARBUF, NA) };
static const struct sk_param_info drop_e[] = { P("ratio", UINT32, DEC) };
static const struct sk_param_info notification_e[] = { P("id", CHARBUF, DEC), P("desc", CHARBUF, NA) };
static const struct sk_param_info infra_e[] = {
	P("source", CHARBUF, DEC), P("name", CHARBUF, NA), P("description", CHARBUF, NA), P("scope", CHARBUF, NA) };
static const struct sk_param_info cpu_hotplug_e[] = { P("cpu", UINT32, DEC), P("action", UINT32, DEC) };
static const struct sk_param_info page_fault_e[] = {
	P("addr", UINT64, HEX), P("ip", UINT64, HEX), P("error", FLAGS32, HEX) };
static const struct sk_param_info pluginevent_e[] = { P("plugin_id", UINT32, DEC), P("event_data", BYTEBUF, NA) };
static const struct sk_param_info asyncevent_e[] = {
	P("plugin_id", UINT32, DEC), P("name", CHARBUF, NA), P("data", BYTEBUF, NA) };
static const struct sk_param_info user_e[] = {
	P("uid", UINT32, DEC), P("gid", UINT32, DEC), P("name", CHARBUF, NA), P("home", CHARBUF, NA),
	P("shell", CHARBUF, NA), P("container_id", CHARBUF, NA) };
static const struct sk_param_info group_e[] = {
	P("gid", UINT32, DEC), P("name", CHARBUF, NA), P("container_id", CHARBUF, NA) };
/* Lossless carrier for .scap events saker has no kind for: the original
 * code, then the original parameters as raw bytes. */
static const struct sk_param_info scap_unknown_e[] = {
	P("code", UINT16, DEC),
	P("p0", BYTEBUF, NA), P("p1", BYTEBUF, NA), P("p2", BYTEBUF, NA), P("p3", BYTEBUF, NA),
	P("p4", BYTEBUF, NA), P("p5", BYTEBUF, NA), P("p6", BYTEBUF, NA), P("p7", BYTEBUF, NA),
	P("p8", BYTEBUF, NA), P("p9", BYTEBUF, NA), P("p10", BYTEBUF, NA), P("p11", BYTEBUF, NA),
	P("p12", BYTEBUF, NA), P("p13", BYTEBUF, NA), P("p14", BYTEBUF, NA), P("p15", BYTEBUF, NA),
	P("p16", BYTEBUF, NA), P("p17", BYTEBUF, NA), P("p18", BYTEBUF, NA), P("p19", BYTEBUF, NA),
	P("p20", BYTEBUF, NA), P("p21", BYTEBUF, NA), P("p22", BYTEBUF, NA), P("p23", BYTEBUF, NA),
	P("p24", BYTEBUF, NA), P("p25", BYTEBUF, NA), P("p26", BYTEBUF, NA), P("p27", BYTEBUF, NA),
	P("p28", BYTEBUF, NA), P("p29", BYTEBUF, NA), P("p30", BYTEBUF, NA) };

/* I/O syscalls are EC_IO_* upstream: evt.category resolves them by fd type,
 * so the table says FILE and the flags say I/O. */
const struct sk_event_info sk_event_table[SK_EV__COUNT] = {
	/* The one kind whose enter code really is 0. */
	[SK_EV_GENERIC_E] = { "syscall", SK_DIR_ENTER, SK_CAT_OTHER, SK_EF_NONE, 0, PA(generic_e) },
	[SK_EV_GENERIC_X] = { "syscall", SK_DIR_EXIT, SK_CAT_OTHER, SK_EF_NONE, 1, PA(generic_x) },
	SYS(OPEN, "open", FILE, CFD | MST, 2, PA(open_e), PA(open_x)),
	SYS(CLOSE, "close", FILE, DFD | UFD | MST, 4, PA(fd_only), PA(res_fd)),
	SYS(READ, "read", FILE, UFD | RFD, 6, PA(io_e), PA(io_x)),
	SYS(WRITE, "write", FILE, UFD | WFD, 8, PA(io_e), PA(io_x)),
	SYS(SOCKET, "socket", NET, CFD | MST, 18, PA(socket_e), PA(socket_x)),
	SYS(BIND, "bind", NET, UFD | MST, 20, PA(fd_only), PA(bind_x)),
	SYS(CONNECT, "connect", NET, UFD | MST, 22, PA(connect_e), PA(connect_x)),
	SYS(LISTEN, "listen", NET, UFD, 24, PA(listen_e), PA(listen_x)),
	SYS(ACCEPT, "accept", NET, CFD | MST, 246, NOP, PA(accept_x)),
	SYS(SEND, "send", NET, UFD | WFD, 28, PA(io_e), PA(io_x)),
	SYS(SENDTO, "sendto", NET, UFD | WFD | MST, 30, PA(sendto_e), PA(sendto_x)),
	SYS(RECV, "recv", NET, UFD | RFD, 32, PA(io_e), PA(io_x)),
	SYS(RECVFROM, "recvfrom", NET, UFD | RFD | MST, 34, PA(io_e), PA(recvfrom_x)),
	SYS(SHUTDOWN, "shutdown", NET, UFD | MST, 36, PA(shutdown_e), PA(shutdown_x)),
	SYS(GETSOCKNAME, "getsockname", NET, SK_EF_NONE, 38, NOP, NOP),
	SYS(GETPEERNAME, "getpeername", NET, SK_EF_NONE, 40, NOP, NOP),
	SYS(SOCKETPAIR, "socketpair", IPC, CFD | MST, 42, PA(socket_e), PA(socketpair_x)),
	SYS(SETSOCKOPT, "setsockopt", NET, UFD, 44, NOP, PA(sockopt_x)),
	SYS(GETSOCKOPT, "getsockopt", NET, UFD | MST, 46, NOP, PA(sockopt_x)),
	SYS(SENDMSG, "sendmsg", NET, UFD | WFD | MST, 48, PA(sendto_e), PA(sendto_x)),
	SYS(SENDMMSG, "sendmmsg", NET, SK_EF_NONE, 50, NOP, NOP),
	SYS(RECVMSG, "recvmsg", NET, UFD | RFD | MST, 52, PA(fd_only), PA(recvmsg_x)),
	SYS(RECVMMSG, "recvmmsg", NET, SK_EF_NONE, 54, NOP, NOP),
	SYS(ACCEPT4, "accept4", NET, CFD | MST, 388, PA(accept4_e), PA(accept4_x)),
	SYS(CREAT, "creat", FILE, CFD | MST, 58, PA(creat_e), PA(creat_x)),
	SYS(PIPE, "pipe", IPC, CFD | MST, 60, NOP, PA(pipe_x)),
	SYS(PIPE2, "pipe2", IPC, CFD | MST, 392, NOP, PA(pipe2_x)),
	SYS(EVENTFD, "eventfd", IPC, CFD | MST, 62, PA(eventfd_e), PA(eventfd_x)),
	SYS(EVENTFD2, "eventfd2", IPC, CFD | MST, 396, PA(eventfd2_e), PA(eventfd2_x)),
	SYS(FUTEX, "futex", IPC, SK_EF_NONE, 64, PA(futex_e), PA(futex_x)),
	SYS(STAT, "stat", FILE, SK_EF_NONE, 66, NOP, PA(stat_x)),
	SYS(LSTAT, "lstat", FILE, SK_EF_NONE, 68, NOP, PA(stat_x)),
	SYS(FSTAT, "fstat", FILE, UFD, 70, PA(fd_only), PA(res_fd)),
	SYS(STAT64, "stat64", FILE, SK_EF_NONE, 72, NOP, PA(stat_x)),
	SYS(LSTAT64, "lstat64", FILE, SK_EF_NONE, 74, NOP, PA(stat_x)),
	SYS(FSTAT64, "fstat64", FILE, UFD, 76, PA(fd_only), PA(res_fd)),
	SYS(EPOLLWAIT, "epoll_wait", WAIT, WAI, 78, PA(epollwait_e), PA(epollwait_x)),
	SYS(POLL, "poll", WAIT, WAI, 80, PA(poll_e), PA(poll_x)),
	SYS(PPOLL, "ppoll", WAIT, WAI, 254, PA(ppoll_e), PA(ppoll_x)),
	SYS(SELECT, "select", WAIT, WAI, 82, NOP, PA(res_only)),
	SYS(PSELECT6, "pselect6", WAIT, WAI, 0, NOP, PA(res_only)),
	SYS(LSEEK, "lseek", FILE, UFD, 86, PA(lseek_e), PA(lseek_x)),
	SYS(LLSEEK, "llseek", FILE, UFD, 88, PA(lseek_e), PA(lseek_x)),
	SYS(IOCTL, "ioctl", FILE, UFD, 170, PA(ioctl_e), PA(ioctl_x)),
	SYS(GETCWD, "getcwd", FILE, SK_EF_NONE, 92, NOP, PA(path_str_x)),
	SYS(CHDIR, "chdir", FILE, MST, 94, NOP, PA(path_str_x)),
	SYS(FCHDIR, "fchdir", FILE, UFD | MST, 96, PA(fd_only), PA(res_fd)),
	SYS(MKDIR, "mkdir", FILE, SK_EF_NONE, 276, PA(mkdir_e), PA(mkdir_x)),
	SYS(MKDIRAT, "mkdirat", FILE, SK_EF_NONE, 304, NOP, PA(mkdirat_x)),
	SYS(RMDIR, "rmdir", FILE, SK_EF_NONE, 278, NOP, PA(path_x)),
	SYS(OPENAT, "openat", FILE, CFD | MST, 306, PA(openat_e), PA(openat_x)),
	SYS(OPENAT2, "openat2", FILE, CFD | MST, 326, PA(openat2_e), PA(openat2_x)),
	SYS(LINK, "link", FILE, SK_EF_NONE, 308, NOP, PA(twopath_x)),
	SYS(LINKAT, "linkat", FILE, SK_EF_NONE, 310, NOP, PA(linkat_x)),
	SYS(UNLINK, "unlink", FILE, SK_EF_NONE, 300, NOP, PA(path_x)),
	SYS(UNLINKAT, "unlinkat", FILE, SK_EF_NONE, 302, NOP, PA(unlinkat_x)),
	SYS(PREAD, "pread", FILE, UFD | RFD, 112, PA(pio_e), PA(pio_x)),
	SYS(PWRITE, "pwrite", FILE, UFD | WFD, 114, PA(pio_e), PA(pio_x)),
	SYS(READV, "readv", FILE, UFD | RFD, 116, PA(fd_only), PA(readv_x)),
	SYS(WRITEV, "writev", FILE, UFD | WFD, 118, PA(io_e), PA(io_x)),
	SYS(PREADV, "preadv", FILE, UFD | RFD, 120, PA(preadv_e), PA(preadv_x)),
	SYS(PWRITEV, "pwritev", FILE, UFD | WFD, 122, PA(pio_e), PA(pio_x)),
	SYS(DUP, "dup", FILE, CFD | UFD | MST, 366, PA(fd_only), PA(dup_x)),
	SYS(DUP2, "dup2", FILE, CFD | UFD | MST, 362, PA(fd_only), PA(dup2_x)),
	SYS(DUP3, "dup3", FILE, CFD | UFD | MST, 364, PA(fd_only), PA(dup3_x)),
	SYS(SIGNALFD, "signalfd", SIGNAL, CFD | MST, 126, PA(signalfd_e), PA(signalfd_x)),
	SYS(SIGNALFD4, "signalfd4", SIGNAL, CFD | MST, 398, PA(signalfd4_e), PA(signalfd4_x)),
	SYS(KILL, "kill", SIGNAL, SK_EF_NONE, 128, PA(kill_e), PA(kill_x)),
	SYS(TKILL, "tkill", SIGNAL, SK_EF_NONE, 130, PA(tkill_e), PA(tkill_x)),
	SYS(TGKILL, "tgkill", SIGNAL, SK_EF_NONE, 132, PA(tgkill_e), PA(tgkill_x)),
	SYS(NANOSLEEP, "nanosleep", SLEEP, WAI, 134, PA(nanosleep_e), PA(nanosleep_x)),
	SYS(TIMERFD_CREATE, "timerfd_create", TIME, CFD | MST, 136, PA(timerfd_e), PA(timerfd_x)),
	SYS(INOTIFY_INIT, "inotify_init", IPC, CFD | MST, 138, PA(inotify_e), PA(inotify_x)),
	SYS(INOTIFY_INIT1, "inotify_init1", IPC, CFD | MST, 394, NOP, PA(inotify1_x)),
	SYS(GETRLIMIT, "getrlimit", PROCESS, SK_EF_NONE, 140, PA(rlimit_e), PA(rlimit_x)),
	SYS(SETRLIMIT, "setrlimit", PROCESS, SK_EF_NONE, 142, PA(rlimit_e), PA(rlimit_x)),
	SYS(PRLIMIT, "prlimit", PROCESS, SK_EF_NONE, 144, PA(prlimit_e), PA(prlimit_x)),
	SYS(FCNTL, "fcntl", FILE, UFD | MST, 150, PA(fcntl_e), PA(fcntl_x)),
	SYS(BRK, "brk", MEMORY, SK_EF_NONE, 158, PA(brk_e), PA(brk_x)),
	SYS(MMAP, "mmap", MEMORY, SK_EF_NONE, 160, PA(mmap_e), PA(mmap_x)),
	SYS(MMAP2, "mmap2", MEMORY, SK_EF_NONE, 162, PA(mmap2_e), PA(mmap2_x)),
	SYS(MUNMAP, "munmap", MEMORY, SK_EF_NONE, 164, PA(munmap_e), PA(munmap_x)),
	SYS(MPROTECT, "mprotect", MEMORY, SK_EF_NONE, 328, PA(mprotect_e), PA(mprotect_x)),
	SYS(SPLICE, "splice", FILE, UFD, 166, PA(splice_e), PA(splice_x)),
	SYS(PTRACE, "ptrace", PROCESS, SK_EF_NONE, 168, PA(ptrace_e), PA(ptrace_x)),
	SYS(RENAME, "rename", FILE, SK_EF_NONE, 174, NOP, PA(twopath_x)),
	SYS(RENAMEAT, "renameat", FILE, SK_EF_NONE, 176, NOP, PA(renameat_x)),
	SYS(RENAMEAT2, "renameat2", FILE, SK_EF_NONE, 318, NOP, PA(renameat2_x)),
	SYS(SYMLINK, "symlink", FILE, SK_EF_NONE, 178, NOP, PA(symlink_x)),
	SYS(SYMLINKAT, "symlinkat", FILE, SK_EF_NONE, 180, NOP, PA(symlinkat_x)),
	SYS(FORK, "fork", PROCESS, MST, 224, NOP, PA(clone_x)),
	SYS(VFORK, "vfork", PROCESS, MST, 226, NOP, PA(clone_x)),
	SYS(CLONE, "clone", PROCESS, MST, 222, NOP, PA(clone_x)),
	SYS(CLONE3, "clone3", PROCESS, MST, 334, NOP, PA(clone_x)),
	SYS(EXECVE, "execve", PROCESS, MST, 292, PA(execve_e), PA(execve_x)),
	SYS(EXECVEAT, "execveat", PROCESS, MST, 330, PA(execveat_e), PA(execveat_x)),
	META(PROCEXIT, "procexit", PROCESS, MST, 186, PA(procexit_e)),
	SYS(SENDFILE, "sendfile", FILE, UFD, 188, PA(sendfile_e), PA(sendfile_x)),
	SYS(QUOTACTL, "quotactl", USER, SK_EF_NONE, 190, PA(quotactl_e), PA(quotactl_x)),
	SYS(SETRESUID, "setresuid", USER, MST, 192, PA(resuid_e), PA(resuid_x)),
	SYS(SETRESGID, "setresgid", USER, MST, 194, PA(resgid_e), PA(resgid_x)),
	SYS(SETREUID, "setreuid", USER, MST, 426, NOP, PA(reuid_x)),
	SYS(SETREGID, "setregid", USER, MST, 428, NOP, PA(regid_x)),
	SYS(SETUID, "setuid", USER, MST, 198, PA(setuid_e), PA(setuid_x)),
	SYS(SETGID, "setgid", USER, MST, 200, PA(setgid_e), PA(setgid_x)),
	SYS(GETUID, "getuid", USER, SK_EF_NONE, 202, NOP, PA(getuid_x)),
	SYS(GETEUID, "geteuid", USER, SK_EF_NONE, 204, NOP, PA(geteuid_x)),
	SYS(GETGID, "getgid", USER, SK_EF_NONE, 206, NOP, PA(getgid_x)),
	SYS(GETEGID, "getegid", USER, SK_EF_NONE, 208, NOP, PA(getegid_x)),
	SYS(GETRESUID, "getresuid", USER, SK_EF_NONE, 210, NOP, PA(resuid_x)),
	SYS(GETRESGID, "getresgid", USER, SK_EF_NONE, 212, NOP, PA(resgid_x)),
	SYS(SETSID, "setsid", PROCESS, MST, 274, NOP, PA(pidres_x)),
	SYS(SETPGID, "setpgid", PROCESS, MST, 294, PA(setpgid_e), PA(setpgid_x)),
	SYS(CHROOT, "chroot", PROCESS, MST, 266, NOP, PA(path_x)),
	SYS(MOUNT, "mount", FILE, MST, 256, PA(mount_e), PA(mount_x)),
	SYS(UMOUNT, "umount", FILE, MST, 386, NOP, PA(umount_x)),
	SYS(UMOUNT2, "umount2", FILE, MST, 390, PA(umount2_e), PA(umount2_x)),
	SYS(ACCESS, "access", FILE, SK_EF_NONE, 264, PA(access_e), PA(access_x)),
	SYS(FACCESSAT, "faccessat", FILE, SK_EF_NONE, 0, NOP, PA(faccessat_x)),
	SYS(FACCESSAT2, "faccessat2", FILE, SK_EF_NONE, 0, NOP, PA(faccessat_x)),
	SYS(CHMOD, "chmod", FILE, SK_EF_NONE, 314, NOP, PA(chmod_x)),
	SYS(FCHMOD, "fchmod", FILE, SK_EF_NONE, 316, NOP, PA(fchmod_x)),
	SYS(FCHMODAT, "fchmodat", FILE, SK_EF_NONE, 312, NOP, PA(fchmodat_x)),
	SYS(CHOWN, "chown", FILE, SK_EF_NONE, 378, NOP, PA(chown_x)),
	SYS(LCHOWN, "lchown", FILE, SK_EF_NONE, 380, NOP, PA(chown_x)),
	SYS(FCHOWN, "fchown", FILE, UFD, 382, NOP, PA(fchown_x)),
	SYS(FCHOWNAT, "fchownat", FILE, SK_EF_NONE, 384, NOP, PA(fchownat_x)),
	SYS(UNSHARE, "unshare", PROCESS, SK_EF_NONE, 284, PA(unshare_e), PA(unshare_x)),
	SYS(SETNS, "setns", PROCESS, UFD, 240, PA(setns_e), PA(setns_x)),
	SYS(CAPSET, "capset", PROCESS, MST, 352, NOP, PA(capset_x)),
	SYS(PRCTL, "prctl", PROCESS, MST, 400, NOP, PA(prctl_x)),
	SYS(USERFAULTFD, "userfaultfd", FILE, CFD | MST, 320, NOP, PA(userfaultfd_x)),
	SYS(MEMFD_CREATE, "memfd_create", MEMORY, CFD | MST, 404, NOP, PA(memfd_x)),
	SYS(PIDFD_OPEN, "pidfd_open", PROCESS, CFD | MST, 408, NOP, PA(pidfd_open_x)),
	SYS(PIDFD_GETFD, "pidfd_getfd", PROCESS, CFD | MST, 406, NOP, PA(pidfd_getfd_x)),
	SYS(BPF, "bpf", OTHER, CFD, 368, PA(bpf_e), PA(bpf_x)),
	SYS(INIT_MODULE, "init_module", OTHER, SK_EF_NONE, 410, NOP, PA(init_module_x)),
	SYS(FINIT_MODULE, "finit_module", OTHER, UFD | RFD, 412, NOP, PA(finit_module_x)),
	SYS(DELETE_MODULE, "delete_module", OTHER, SK_EF_NONE, 424, NOP, PA(delete_module_x)),
	SYS(SECCOMP, "seccomp", OTHER, SK_EF_NONE, 298, PA(seccomp_e), PA(seccomp_x)),
	SYS(EPOLL_CREATE, "epoll_create", WAIT, CFD | MST, 374, PA(epoll_create_e), PA(epoll_create_x)),
	SYS(EPOLL_CREATE1, "epoll_create1", WAIT, CFD | MST, 376, PA(epoll_create1_e), PA(epoll_create1_x)),
	SYS(IO_URING_SETUP, "io_uring_setup", FILE, CFD | MST, 338, NOP, PA(uring_setup_x)),
	SYS(IO_URING_ENTER, "io_uring_enter", FILE, UFD, 340, NOP, PA(uring_enter_x)),
	SYS(IO_URING_REGISTER, "io_uring_register", FILE, UFD, 342, NOP, PA(uring_register_x)),
	SYS(OPEN_BY_HANDLE_AT, "open_by_handle_at", FILE, CFD | MST, 336, NOP, PA(obha_x)),
	SYS(CLOSE_RANGE, "close_range", FILE, DFD | MST, 0, NOP, PA(close_range_x)),
	SYS(FLOCK, "flock", FILE, UFD, 242, PA(flock_e), PA(flock_x)),
	SYS(MLOCK, "mlock", MEMORY, SK_EF_NONE, 344, NOP, PA(mlock_x)),
	SYS(MUNLOCK, "munlock", MEMORY, SK_EF_NONE, 346, NOP, PA(mlock_x)),
	SYS(MLOCKALL, "mlockall", MEMORY, SK_EF_NONE, 348, NOP, PA(mlockall_x)),
	SYS(MUNLOCKALL, "munlockall", MEMORY, SK_EF_NONE, 350, NOP, PA(res_only)),
	SYS(MLOCK2, "mlock2", MEMORY, SK_EF_NONE, 370, NOP, PA(mlock2_x)),
	SYS(SEMOP, "semop", PROCESS, SK_EF_NONE, 250, PA(semop_e), PA(semop_x)),
	SYS(SEMGET, "semget", PROCESS, SK_EF_NONE, 262, PA(semget_e), PA(semget_x)),
	SYS(SEMCTL, "semctl", PROCESS, SK_EF_NONE, 252, PA(semctl_e), PA(semctl_x)),
	SYS(GETDENTS, "getdents", FILE, UFD, 236, PA(fd_only), PA(res_fd)),
	SYS(GETDENTS64, "getdents64", FILE, UFD, 238, PA(fd_only), PA(res_fd)),
	SYS(COPY_FILE_RANGE, "copy_file_range", FILE, UFD | RFD | WFD, 332, PA(cfr_e), PA(cfr_x)),
	SYS(MKNOD, "mknod", OTHER, SK_EF_NONE, 414, NOP, PA(mknod_x)),
	SYS(MKNODAT, "mknodat", OTHER, UFD, 416, NOP, PA(mknodat_x)),
	SYS(READLINK, "readlink", FILE, SK_EF_NONE, 0, NOP, PA(path_x)),
	SYS(READLINKAT, "readlinkat", FILE, SK_EF_NONE, 0, NOP, PA(readlinkat_x)),
	META(SWITCH, "switch", SCHEDULER, SK_EF_NONE, 152, PA(switch_e)),
	META(PROCINFO, "procinfo", INTERNAL, SK_EF_NONE, 234, PA(procinfo_e)),
	META(SIGNALDELIVER, "signaldeliver", SIGNAL, SK_EF_NONE, 232, PA(signaldeliver_e)),
	META(CONTAINER, "container", PROCESS, MST | SK_EF_LARGE_PAYLOAD, 324, PA(container_e)),
	META(DROP, "drop", INTERNAL, SK_EF_NONE, 148, PA(drop_e)),
	META(NOTIFICATION, "notification", OTHER, SK_EF_NONE, 280, PA(notification_e)),
	META(INFRA, "infra", INTERNAL, SK_EF_NONE, 286, PA(infra_e)),
	META(CPU_HOTPLUG, "cpu_hotplug", SYSTEM, MST, 244, PA(cpu_hotplug_e)),
	META(PAGE_FAULT, "page_fault", OTHER, SK_EF_NONE, 290, PA(page_fault_e)),
	META(PLUGINEVENT, "pluginevent", OTHER, SK_EF_LARGE_PAYLOAD, 322, PA(pluginevent_e)),
	META(ASYNCEVENT, "asyncevent", OTHER, SK_EF_LARGE_PAYLOAD, 402, PA(asyncevent_e)),
	META(USERADDED, "useradded", PROCESS, MST, 354, PA(user_e)),
	META(USERDELETED, "userdeleted", PROCESS, MST, 356, PA(user_e)),
	META(GROUPADDED, "groupadded", PROCESS, MST, 358, PA(group_e)),
	META(GROUPDELETED, "groupdeleted", PROCESS, MST, 360, PA(group_e)),
	META(SCAP_UNKNOWN, "unknown", UNKNOWN, SK_EF_NONE, 0, PA(scap_unknown_e)),
};

const char *sk_event_name(uint16_t type)
{
	return type < SK_EV__COUNT ? sk_event_table[type].name : NULL;
}

int sk_event_param_index(uint16_t type, const char *name)
{
	const struct sk_event_info *info = sk_event_info(type);

	if (!info || !name)
		return -1;
	for (int i = 0; i < info->nparams; i++)
		if (strcmp(info->params[i].name, name) == 0)
			return i;
	return -1;
}

size_t sk_event_types_by_name(const char *name, uint16_t *out, size_t cap)
{
	size_t n = 0;

	if (!name)
		return 0;
	for (uint16_t t = 0; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *info = &sk_event_table[t];

		if ((info->flags & SK_EF_UNUSED) || strcmp(info->name, name) != 0)
			continue;
		if (n < cap)
			out[n] = t;
		n++;
	}
	return n < cap ? n : cap;
}

#define W(size, sign) ((size) | ((sign) ? SK_PW_SIGNED : 0u))
const uint8_t sk_ptype_wire[SK_PT__COUNT] = {
	[SK_PT_INT8] = W(1, 1), [SK_PT_UINT8] = W(1, 0), [SK_PT_FLAGS8] = W(1, 0), [SK_PT_ENUMFLAGS8] = W(1, 0),
	[SK_PT_SIGTYPE] = W(1, 0),
	[SK_PT_INT16] = W(2, 1), [SK_PT_UINT16] = W(2, 0), [SK_PT_FLAGS16] = W(2, 0), [SK_PT_ENUMFLAGS16] = W(2, 0),
	[SK_PT_SYSCALLID] = W(2, 0), [SK_PT_PORT] = W(2, 0),
	[SK_PT_INT32] = W(4, 1), [SK_PT_UINT32] = W(4, 0), [SK_PT_FLAGS32] = W(4, 0), [SK_PT_ENUMFLAGS32] = W(4, 0),
	[SK_PT_UID] = W(4, 0), [SK_PT_GID] = W(4, 0), [SK_PT_MODE] = W(4, 0), [SK_PT_SIGSET] = W(4, 0),
	[SK_PT_FD32] = W(4, 1), [SK_PT_PID32] = W(4, 1), [SK_PT_IPV4ADDR] = W(4, 0), [SK_PT_BOOL] = W(4, 0),
	[SK_PT_INT64] = W(8, 1), [SK_PT_UINT64] = W(8, 0), [SK_PT_ERRNO] = W(8, 1), [SK_PT_FD] = W(8, 1),
	[SK_PT_PID] = W(8, 1), [SK_PT_RELTIME] = W(8, 0), [SK_PT_ABSTIME] = W(8, 0),
	/* IPv6 addresses (16 bytes) are fixed-size but no integer: 0 */
};
#undef W

uint32_t sk_ptype_size(uint8_t type)
{
	if (type == SK_PT_IPV6ADDR)
		return 16;
	return type < SK_PT__COUNT ? sk_ptype_wire[type] & SK_PW_SIZE : 0;
}

static const char *const ptype_names[SK_PT__COUNT] = {
	[SK_PT_NONE] = "NONE", [SK_PT_INT8] = "INT8", [SK_PT_INT16] = "INT16", [SK_PT_INT32] = "INT32",
	[SK_PT_INT64] = "INT64", [SK_PT_UINT8] = "UINT8", [SK_PT_UINT16] = "UINT16",
	[SK_PT_UINT32] = "UINT32", [SK_PT_UINT64] = "UINT64", [SK_PT_CHARBUF] = "CHARBUF",
	[SK_PT_BYTEBUF] = "BYTEBUF", [SK_PT_ERRNO] = "ERRNO", [SK_PT_SOCKADDR] = "SOCKADDR",
	[SK_PT_SOCKTUPLE] = "SOCKTUPLE", [SK_PT_FD] = "FD", [SK_PT_PID] = "PID",
	[SK_PT_FDLIST] = "FDLIST", [SK_PT_FSPATH] = "FSPATH", [SK_PT_SYSCALLID] = "SYSCALLID",
	[SK_PT_SIGTYPE] = "SIGTYPE", [SK_PT_RELTIME] = "RELTIME", [SK_PT_ABSTIME] = "ABSTIME",
	[SK_PT_PORT] = "PORT", [SK_PT_BOOL] = "BOOL", [SK_PT_IPV4ADDR] = "IPV4ADDR",
	[SK_PT_IPV6ADDR] = "IPV6ADDR", [SK_PT_DYN] = "DYN", [SK_PT_FLAGS8] = "FLAGS8",
	[SK_PT_FLAGS16] = "FLAGS16", [SK_PT_FLAGS32] = "FLAGS32", [SK_PT_ENUMFLAGS8] = "ENUMFLAGS8",
	[SK_PT_ENUMFLAGS16] = "ENUMFLAGS16", [SK_PT_ENUMFLAGS32] = "ENUMFLAGS32", [SK_PT_UID] = "UID",
	[SK_PT_GID] = "GID", [SK_PT_MODE] = "MODE", [SK_PT_SIGSET] = "SIGSET",
	[SK_PT_FSRELPATH] = "FSRELPATH", [SK_PT_FD32] = "FD32", [SK_PT_PID32] = "PID32",
	[SK_PT_CHARBUFARRAY] = "CHARBUFARRAY",
};

const char *sk_ptype_name(uint8_t type)
{
	return type < SK_PT__COUNT ? ptype_names[type] : NULL;
}

static const char *const category_names[SK_CAT__COUNT] = {
	[SK_CAT_UNKNOWN] = "unknown", [SK_CAT_OTHER] = "other", [SK_CAT_FILE] = "file",
	[SK_CAT_NET] = "net", [SK_CAT_IPC] = "IPC", [SK_CAT_MEMORY] = "memory",
	[SK_CAT_PROCESS] = "process", [SK_CAT_SLEEP] = "sleep", [SK_CAT_SYSTEM] = "system",
	[SK_CAT_SIGNAL] = "signal", [SK_CAT_USER] = "user", [SK_CAT_TIME] = "time",
	[SK_CAT_WAIT] = "wait", [SK_CAT_SCHEDULER] = "scheduler", [SK_CAT_INTERNAL] = "internal",
};

const char *sk_category_name(uint8_t category)
{
	return category < SK_CAT__COUNT ? category_names[category] : NULL;
}

int sk_param_str(const struct sk_event *ev, uint32_t i, const char **out)
{
	if (i >= ev->nparams || i >= SK_MAX_PARAMS || ev->params[i].len == 0 || !ev->params[i].val)
		return -ENOENT;
	const struct sk_event_info *info = sk_event_info(ev->type);
	if (info && i < info->nparams) {
		uint8_t t = info->params[i].type;
		if (t != SK_PT_CHARBUF && t != SK_PT_FSPATH && t != SK_PT_FSRELPATH && t != SK_PT_BYTEBUF &&
		    t != SK_PT_CHARBUFARRAY)
			return -EINVAL;
	}
	const struct sk_param *p = &ev->params[i];
	if (p->val[p->len - 1] != '\0')
		return -EINVAL;
	*out = (const char *)p->val;
	return 0;
}

uint32_t sk_event_plugin_id(const struct sk_event *ev)
{
	uint64_t id = 0;
	if (ev->type != SK_EV_PLUGINEVENT_E || sk_param_u64(ev, SK_PLUGINEVENT_ID, &id) < 0)
		return 0;
	return (uint32_t)id;
}

const char *sk_event_source(const struct sk_event *ev)
{
	if (ev->type != SK_EV_PLUGINEVENT_E)
		return "syscall";
	return sk_event_plugin_id(ev) == SK_PLUGIN_ID_K8SAUDIT ? "k8s_audit" : NULL;
}
