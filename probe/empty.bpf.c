/* probe/empty.bpf.c: an empty sys_enter/sys_exit probe: the benchmark's baseline for attach cost. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(sk_empty_enter, struct pt_regs *regs, long id)
{
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sk_empty_exit, struct pt_regs *regs, long ret)
{
	return 0;
}
