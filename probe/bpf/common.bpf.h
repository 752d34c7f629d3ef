/* probe/bpf/common.bpf.h: what every probe unit shares: maps, the loader's settings, syscall arguments, task filters. */
#ifndef SAKER_PROBE_BPF_COMMON_H
#define SAKER_PROBE_BPF_COMMON_H

/*
 * The probe is several compilation units (one per syscall family) linked
 * into one object by `bpftool gen object`. Maps and settings are defined
 * once, in dispatch.bpf.c (which defines SKB_DEFINE), and declared extern
 * everywhere else; the static linker resolves them by name.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "probe/saker_event.h"

#ifdef SKB_DEFINE
#define SKB_MAP
#else
#define SKB_MAP extern
#endif

#define SCR_SIZE (2 * SKP_SCRATCH_HALF)
#define SCR_MASK (SKP_SCRATCH_HALF - 1)
#define STR_MAX 4096
#define LNX_CLONE_VM 0x100
#define LNX_CLONE_VFORK 0x4000
#define LNX_SIGCHLD 17
#define LNX_PF_KTHREAD 0x00200000
#define LNX_PF_EXITING 0x00000004
#define LNX_TS_COMPAT 0x0002      /* thread_info.status: a 32-bit syscall is running */
#define IA32_NR_SOCKETCALL 102    /* i386 multiplexer of the socket calls */
#define IA32_SOCKETCALL_BASE 512  /* ia32_to_64[512 + call]: socketcall call numbers */

/* x86_64 numbers the BPF side must know (the loader maps every other one). */
#define X86_NR_READ 0
#define X86_NR_WRITE 1
#define X86_NR_CLOSE 3
#define X86_NR_OPENAT 257
#define X86_NR_CLONE 56
#define X86_NR_FORK 57
#define X86_NR_VFORK 58
#define X86_NR_EXECVE 59
#define X86_NR_PREAD64 17
#define X86_NR_PWRITE64 18
#define X86_NR_EXECVEAT 322
#define X86_NR_CLONE3 435

#ifdef SKB_DEFINE
#define SKB_SETTING(decl, init) decl = init
#else
#define SKB_SETTING(decl, init) extern decl
#endif

/* Set by the loader before load (read-only: the verifier prunes on them). */
SKB_SETTING(const volatile __u32 snaplen, 80);
SKB_SETTING(const volatile __u32 argmax, 4096);
SKB_SETTING(const volatile __u32 wakeup_bytes, 1 << 20);
SKB_SETTING(const volatile __u32 self_tgid, 0);
/* Optional process filters (-p / --comm): only listed tgids (and the
 * children they fork), only threads whose comm matches. */
SKB_SETTING(const volatile __u32 filter_pids, 0);
SKB_SETTING(const volatile __u32 filter_comm, 0);
SKB_SETTING(const volatile char comm_want[16], {});
/* Entries in the excluded map, kept by the loader: the common case (none)
 * skips the hash lookup. */
SKB_SETTING(__u32 n_excluded, 0);

/* A BPF subprogram shared by the units (each unit keeps the ones it calls). */
#define SKB_SUBPROG static __noinline __attribute__((unused))

SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} rb SEC(".maps");

/* sys_exit dispatch: slot nr holds the program recording x86_64 syscall
 * nr, filled by the loader for the selected syscalls only. */
SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, SKP_MAX_SYSCALLS);
	__type(key, __u32);
	__type(value, __u32);
} exit_progs SEC(".maps");

/* ia32 syscall number (and IA32_SOCKETCALL_BASE + socketcall call) ->
 * x86_64 number + 1; 0: not recorded. Filled by the loader. */
SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IA32_SOCKETCALL_BASE + 32);
	__type(key, __u32);
	__type(value, __u32);
} ia32_to_64 SEC(".maps");

SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} excluded SEC(".maps");

SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SKP_CNT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct scratch {
	__u8 b[SCR_SIZE];
};

/* One scratch slot per CPU (per-CPU maps cap values at 32 KiB); the loader
 * sizes it to the number of possible CPUs. */
SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* Per-thread mark from execveat's entry to its exec: the kernel reports a
 * successful execveat as execve (orig_ax reads 59 from the exec on), so
 * only the entry knows. Task storage dies with the task. */
#define MARK_EXECVEAT 1u
struct task_mark {
	__u32 mark;
	__u32 pad;
};

SKB_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_mark);
} task_marks SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		*c += 1;
}

/* Counts a record about to be committed and says whether to wake the
 * consumer: only once the ring holds wakeup_bytes (it polls with a timeout
 * anyway), and the fill level is looked at on every 16th record of a CPU
 * only. *c is left for the caller to take back if the commit fails. */
static __always_inline __u64 count_commit(__u64 **c)
{
	__u32 k = SKP_CNT_EVENTS;

	*c = bpf_map_lookup_elem(&counters, &k);
	if (!*c || (++**c & 15))
		return BPF_RB_NO_WAKEUP;
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/* ---- the running syscall ---- */

/* Whether task t is in a 32-bit (ia32) syscall: TS_COMPAT, as the kernel's
 * in_ia32_syscall() tests it. */
static __always_inline int in_ia32(struct task_struct *t)
{
	if (!bpf_core_field_exists(t->thread_info.status))
		return 0;
	return (t->thread_info.status & LNX_TS_COMPAT) != 0;
}

/* The x86_64 number of an ia32 syscall (socketcall resolved by its call
 * number), or (u32)-1 when it is not recorded. */
static __always_inline __u32 ia32_nr(const struct pt_regs *regs)
{
	__u32 key = (__u32)regs->orig_ax, *v;

	if (key == IA32_NR_SOCKETCALL) {
		key = (__u32)regs->bx;
		if (key >= 32)
			return (__u32)-1;
		key += IA32_SOCKETCALL_BASE;
	}
	v = bpf_map_lookup_elem(&ia32_to_64, &key);
	return v && *v ? *v - 1 : (__u32)-1;
}

/* A syscall's x86_64 number and six arguments, whatever ABI it came by. */
struct call {
	__u64 a[8];  /* args[6] + 2 zero slots so masked indexes stay in bounds */
	__u32 nr;
	__u32 compat;
};

/* Arguments are read at exit from the saved user registers, which x86_64
 * leaves untouched for the whole call (as libs' modern probe reads them);
 * an ia32 call passes them in ebx, ecx, edx, esi, edi, ebp, and a
 * socketcall in a user array of 32-bit words. */
SKB_SUBPROG void call_load(struct call *c, const struct pt_regs *regs, struct task_struct *t)
{
	__u32 words[6] = {};
	__u32 n;

	if (!in_ia32(t)) {
		c->nr = (__u32)regs->orig_ax;
		c->a[0] = regs->di;
		c->a[1] = regs->si;
		c->a[2] = regs->dx;
		c->a[3] = regs->r10;
		c->a[4] = regs->r8;
		c->a[5] = regs->r9;
		return;
	}
	c->compat = 1;
	c->nr = ia32_nr(regs);
	if ((__u32)regs->orig_ax != IA32_NR_SOCKETCALL) {
		c->a[0] = (__u32)regs->bx;
		c->a[1] = (__u32)regs->cx;
		c->a[2] = (__u32)regs->dx;
		c->a[3] = (__u32)regs->si;
		c->a[4] = (__u32)regs->di;
		c->a[5] = (__u32)regs->bp;
		return;
	}
	/* sendto/recvfrom take 6 words; fewer may end at the last mapped page */
	n = (__u32)regs->bx == 11 || (__u32)regs->bx == 12 ? 24 : 16;
	if (bpf_probe_read_user(words, n, (void *)(__u64)(__u32)regs->cx) < 0)
		return;
	c->a[0] = words[0];
	c->a[1] = words[1];
	c->a[2] = words[2];
	c->a[3] = words[3];
	c->a[4] = words[4];
	c->a[5] = words[5];
	/* send/recv are sendto/recvfrom without an address */
	if ((__u32)regs->bx == 9 || (__u32)regs->bx == 10) {
		c->a[4] = 0;
		c->a[5] = 0;
	}
}

/* ---- which tasks are recorded ---- */

static __always_inline int comm_mismatch(struct task_struct *t)
{
	char c[16] = {};
	int i;

	BPF_CORE_READ_STR_INTO(&c, t, comm);
	for (i = 0; i < 16; i++) {
		if (c[i] != comm_want[i])
			return 1;
		if (!c[i])
			break;
	}
	return 0;
}

/* Whether task t (of thread group tgid) is outside the capture. */
static __always_inline int is_excluded_task(struct task_struct *t, __u32 tgid)
{
	if (tgid == self_tgid)
		return 1;
	if (n_excluded && bpf_map_lookup_elem(&excluded, &tgid))
		return 1;
	if (filter_pids && !bpf_map_lookup_elem(&targets, &tgid))
		return 1;
	if (filter_comm && comm_mismatch(t))
		return 1;
	return 0;
}

/* Every syscall program is attached where the dispatcher is: a tail call
 * needs the caller's type and attach target. The loader turns their
 * auto-attach off. */
#define SYSCALL_PROG(name) \
	SEC("tp_btf/sys_exit") int BPF_PROG(name, struct pt_regs *regs, long ret)

#endif
