/* probe/bpf/dispatch.bpf.c: the sys_exit dispatcher (one tail call per syscall) and the definitions of the shared maps and settings. */
#define SKB_DEFINE
#include "probe/bpf/common.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * Every syscall on the host runs this program, so it stays trivial: the
 * x86_64 number (an ia32 call's translated), then a tail call into the
 * program that records that syscall. A syscall not recorded has no
 * program in its slot: the tail call fails and that is the whole cost.
 * It calls no subprogram (a program that tail-calls and calls subprograms
 * is limited to 256-byte stack frames).
 *
 * A tail call through a variable index is an indirect jump, a retpoline
 * on a kernel with that mitigation; one through a constant index the JIT
 * patches into a direct jump (a no-op while the slot is empty, falling
 * through to the general call). The most frequent recorded calls take
 * such a call of their own.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(sk_sys_exit, struct pt_regs *regs, long ret)
{
	__u32 nr = (__u32)regs->orig_ax;

	if (in_ia32(bpf_get_current_task_btf()))
		nr = ia32_nr(regs);
	switch (nr) {
	case X86_NR_READ:
		bpf_tail_call_static(ctx, &exit_progs, X86_NR_READ);
		break;
	case X86_NR_WRITE:
		bpf_tail_call_static(ctx, &exit_progs, X86_NR_WRITE);
		break;
	case X86_NR_CLOSE:
		bpf_tail_call_static(ctx, &exit_progs, X86_NR_CLOSE);
		break;
	case X86_NR_OPENAT:
		bpf_tail_call_static(ctx, &exit_progs, X86_NR_OPENAT);
		break;
	}
	bpf_tail_call(ctx, &exit_progs, nr);
	return 0;
}
