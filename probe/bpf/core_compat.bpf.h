/* probe/bpf/core_compat.bpf.h: CO-RE reads of kernel fields whose layout changed between 6.1 and today (include after vmlinux.h). */
#ifndef SAKER_PROBE_CORE_COMPAT_H
#define SAKER_PROBE_CORE_COMPAT_H

#include <bpf/bpf_core_read.h>

/*
 * vmlinux.h comes from the build host's kernel, which may have either
 * layout, so both are spelled out here as "___flavor" structs and the code
 * never relies on vmlinux.h's own version of these fields. libbpf resolves
 * every bpf_core_field_exists() to a constant at load time and the
 * verifier drops the other branch, so a read that cannot relocate on this
 * kernel is never executed. make kernel-test boots 6.1 and 6.12 to keep
 * these honest.
 */

/* kernel_cap_t was two u32 words until 6.3, one u64 since. */
struct kernel_cap___old {
	__u32 cap[2];
};
struct kernel_cap___new {
	__u64 val;
};
struct cred___old {
	struct kernel_cap___old cap_inheritable;
	struct kernel_cap___old cap_permitted;
	struct kernel_cap___old cap_effective;
} __attribute__((preserve_access_index));
struct cred___new {
	struct kernel_cap___new cap_inheritable;
	struct kernel_cap___new cap_permitted;
	struct kernel_cap___new cap_effective;
} __attribute__((preserve_access_index));

#define SKC_CRED_CAP(cred, set)                                                                       \
	(bpf_core_field_exists(struct cred___new, set.val) ?                                          \
		 BPF_CORE_READ((struct cred___new *)(cred), set.val) :                                \
		 ((__u64)BPF_CORE_READ((struct cred___old *)(cred), set.cap[1]) << 32 |              \
		  BPF_CORE_READ((struct cred___old *)(cred), set.cap[0])))

/* mm->rss_stat: one struct of atomic counters until 6.1, an array of
 * percpu_counters since 6.2 (their count field is the folded total). */
struct mm_rss_stat___old {
	struct { __s64 counter; } count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));
struct percpu_counter___new {
	__s64 count;
} __attribute__((preserve_access_index));
struct mm_struct___new {
	struct percpu_counter___new rss_stat[4];
} __attribute__((preserve_access_index));

/* A literal index keeps the whole access one relocation, so the target's
 * own element size is used (percpu_counter's size depends on the config). */
#define SKC_MM_RSS(mm, i)                                                                             \
	(bpf_core_field_exists(struct mm_struct___old, rss_stat.count) ?                              \
		 BPF_CORE_READ((struct mm_struct___old *)(mm), rss_stat.count[i].counter) :           \
		 BPF_CORE_READ((struct mm_struct___new *)(mm), rss_stat[i].count))

/* inode times: i_ctime/i_mtime (timespec64) until 6.5, __i_ctime from 6.6,
 * __i_mtime from 6.7, i_{c,m}time_sec + _nsec from 6.11. */
struct timespec64___kc {
	__s64 tv_sec;
	long tv_nsec;
};
struct inode___old {
	struct timespec64___kc i_ctime;
	struct timespec64___kc i_mtime;
	struct timespec64___kc __i_ctime;
	struct timespec64___kc __i_mtime;
} __attribute__((preserve_access_index));
struct inode___new {
	__s64 i_ctime_sec;
	__s64 i_mtime_sec;
	__u32 i_ctime_nsec;
	__u32 i_mtime_nsec;
} __attribute__((preserve_access_index));

static __always_inline __u64 skc_ts_ns(__s64 sec, __u64 nsec)
{
	return (__u64)sec * 1000000000ull + nsec;
}

/* skc_inode_ctime_ns(), skc_inode_mtime_ns(): bit 31 of the 6.11+ nsec
 * fields is the multigrain "queried" flag (6.13+), not part of the time. */
#define SKC_INODE_TIME_NS(t)                                                                          \
	static __always_inline __u64 skc_inode_##t##_ns(struct inode *ino)                            \
	{                                                                                             \
		struct inode___new *n = (void *)ino;                                                  \
		struct inode___old *o = (void *)ino;                                                  \
                                                                                                      \
		if (bpf_core_field_exists(struct inode___new, i_##t##_sec))                           \
			return skc_ts_ns(BPF_CORE_READ(n, i_##t##_sec),                               \
					 BPF_CORE_READ(n, i_##t##_nsec) & 0x3fffffff);                \
		if (bpf_core_field_exists(struct inode___old, __i_##t))                               \
			return skc_ts_ns(BPF_CORE_READ(o, __i_##t.tv_sec), BPF_CORE_READ(o, __i_##t.tv_nsec)); \
		return skc_ts_ns(BPF_CORE_READ(o, i_##t.tv_sec), BPF_CORE_READ(o, i_##t.tv_nsec));    \
	}
SKC_INODE_TIME_NS(ctime)
SKC_INODE_TIME_NS(mtime)

/* kernfs_node->parent became __parent (RCU-protected) in 6.15. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *skc_kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* The number of cgroup subsystems depends on the kernel's configuration. */
#define SKC_CGROUP_SUBSYS_COUNT bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT)

#endif
