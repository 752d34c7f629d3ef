/* formats/flags.h: name tables for flag and enum parameters (evt.arg rendering) and errno names. */
#ifndef SAKER_FORMATS_FLAGS_H
#define SAKER_FORMATS_FLAGS_H

#include <stdint.h>

#include "formats/event.h"

/*
 * Every table is NULL-terminated and kept in the order libs renders it: a
 * FLAGS value is rendered by walking the table and emitting each name whose
 * bits are all still set (then clearing them), so the order is observable in
 * evt.arg output (fields.md §2.4). Values are the PPM_* wire values of .scap
 * (scap.md §13), which .skr stores unchanged.
 */
extern const struct sk_name_value sk_file_flags[];      /* PPM_O_* */
extern const struct sk_name_value sk_clone_flags[];     /* PPM_CL_*: clone, unshare, setns */
extern const struct sk_name_value sk_socket_families[]; /* AF_* (AF_LOCAL and AF_UNIX share 1) */
extern const struct sk_name_value sk_ptrace_requests[]; /* PPM_PTRACE_* (dense enumeration) */
extern const struct sk_name_value sk_bpf_commands[];    /* BPF_* */
extern const struct sk_name_value sk_fcntl_commands[];  /* PPM_FCNTL_* */
extern const struct sk_name_value sk_prot_flags[];      /* PROT_* */
extern const struct sk_name_value sk_mmap_flags[];      /* PPM_MAP_* */
extern const struct sk_name_value sk_unlinkat_flags[];
extern const struct sk_name_value sk_linkat_flags[];
extern const struct sk_name_value sk_renameat2_flags[];
extern const struct sk_name_value sk_memfd_create_flags[];
extern const struct sk_name_value sk_execve_flags[];    /* PPM_EXE_* */
extern const struct sk_name_value sk_execveat_flags[];
extern const struct sk_name_value sk_prctl_options[];
extern const struct sk_name_value sk_mount_flags[];     /* PPM_MS_* */
extern const struct sk_name_value sk_umount_flags[];
extern const struct sk_name_value sk_shutdown_how[];
extern const struct sk_name_value sk_access_flags[];
extern const struct sk_name_value sk_signal_names[];    /* SIGTYPE values */
extern const struct sk_name_value sk_mode_names[];      /* PT_MODE bits, S_IXOTH .. S_ISUID */
extern const struct sk_name_value sk_lseek_whence[];
extern const struct sk_name_value sk_futex_operations[];
extern const struct sk_name_value sk_rlimit_resources[];
extern const struct sk_name_value sk_flock_flags[];
extern const struct sk_name_value sk_openat2_flags[];   /* RESOLVE_* */
extern const struct sk_name_value sk_splice_flags[];
extern const struct sk_name_value sk_epoll_create1_flags[];
extern const struct sk_name_value sk_fchownat_flags[];
extern const struct sk_name_value sk_newfstatat_flags[];
extern const struct sk_name_value sk_mlockall_flags[];
extern const struct sk_name_value sk_poll_flags[];      /* PPM_POLL* (FDLIST entries) */

/* Name of a (positive or negative) errno value, e.g. 2 and -2 -> "ENOENT";
 * NULL if it has none. */
const char *sk_errno_name(int64_t err);

/* Name for an exact value in an enum table, or NULL. */
const char *sk_name_lookup(const struct sk_name_value *table, uint64_t value);

#endif
