/* probe/decode_proc.c: exit layouts of process calls: exec, clone family, procexit, credentials, signals, ptrace, prctl. */
#include "probe/decode_int.h"

/* exe (argv[0]) and args (argv[1..]) from the raw argv area. */
static void exe_args(struct skp_pw *w, const struct skp_view *v)
{
	const uint8_t *a = v->data[SKP_C_ARGS];
	size_t n = v->have[SKP_C_ARGS] ? v->len[SKP_C_ARGS] : 0;
	const uint8_t *z = n ? memchr(a, 0, n) : NULL;
	size_t l0 = z ? (size_t)(z - a) : n;

	skp_pw_strn(w, a, l0);
	if (l0 < n)
		skp_pw_bytes(w, a + l0 + 1, n - l0 - 1);
	else
		skp_pw_bytes(w, "", 0);
}

/* The shared prefix of execve and clone exits: exe .. comm, cgroups. */
static void proc_common(struct skp_pw *w, const struct skp_view *v, const struct skp_proc *p)
{
	exe_args(w, v);
	skp_pw_i64(w, p->tid);
	skp_pw_i64(w, p->pid);
	skp_pw_i64(w, p->ptid);
	if (v->have[SKP_C_CWD])
		skp_pw_path_components(w, v, SKP_C_CWD, NULL);
	else
		skp_pw_str(w, "");
	skp_pw_i64(w, (int64_t)p->fdlimit);
	skp_pw_u64(w, p->pgft_maj);
	skp_pw_u64(w, p->pgft_min);
	skp_pw_u32(w, p->vm_size);
	skp_pw_u32(w, p->vm_rss);
	skp_pw_u32(w, p->vm_swap);
	skp_pw_strn(w, p->comm, sizeof(p->comm));
	skp_pw_cgroups(w, v);
}

void skp_build_exec(struct skp_pw *w, const struct skp_view *v, int64_t res, int with_filename, int filename_chunk)
{
	const struct skp_proc *p = skp_view_proc(v);

	skp_pw_i64(w, res);
	if (!p)
		return;
	proc_common(w, v, p);
	skp_pw_chunk_buf(w, v, SKP_C_ENV);
	skp_pw_u32(w, p->tty);
	skp_pw_i64(w, p->vpgid);
	skp_pw_u32(w, p->loginuid);
	skp_pw_u32(w, p->exe_flags);
	skp_pw_u64(w, p->cap_inh);
	skp_pw_u64(w, p->cap_prm);
	skp_pw_u64(w, p->cap_eff);
	skp_pw_u64(w, p->exe_ino);
	skp_pw_u64(w, p->exe_ctime);
	skp_pw_u64(w, p->exe_mtime);
	skp_pw_u32(w, p->uid);
	/* memfds are always unlinked: /proc/PID/exe (and Falco) say "/memfd:x (deleted)" */
	skp_pw_path_components(w, v, SKP_C_EXEPATH, (p->exe_flags & 4) ? " (deleted)" : NULL);
	skp_pw_i64(w, p->pgid);
	skp_pw_u32(w, p->gid);
	if (with_filename)
		skp_pw_chunk_str(w, v, filename_chunk);
}

void skp_build_clone(struct skp_pw *w, const struct skp_view *v, int64_t res)
{
	const struct skp_proc *p = skp_view_proc(v);
	uint32_t fl;

	skp_pw_i64(w, res);
	if (!p)
		return;
	proc_common(w, v, p);
	fl = skp_clone_flags_to_ppm(p->clone_flags);
	if (p->pidns_level > 0)
		fl |= 1u << 29; /* CHILD_IN_PIDNS */
	skp_pw_u32(w, fl);
	skp_pw_u32(w, p->uid);
	skp_pw_u32(w, p->gid);
	skp_pw_i64(w, p->vtid);
	skp_pw_i64(w, p->vpid);
	/* child side only, as libs: CLOCK_MONOTONIC ns (replay adds the boot time) */
	skp_pw_u64(w, p->pidns_init_start);
}

void skp_build_procexit(struct skp_pw *w, const struct skp_view *v)
{
	int64_t st = v->h->ret;

	skp_pw_i64(w, st);
	skp_pw_i64(w, (st >> 8) & 0xff);
	skp_pw_u8(w, (st & 0x7f) && (st & 0x7f) != 0x7f ? (uint8_t)(st & 0x7f) : 0);
	skp_pw_u8(w, (st & 0x80) ? 1 : 0);
	skp_pw_i64(w, (int64_t)v->h->args[2]); /* reaper_tid: 0 none, -1 unknown */
}

#define LNX_PR_SET_NAME 15
#define LNX_PR_GET_NAME 16
#define LNX_PR_GET_CHILD_SUBREAPER 37

static void prctl_x(struct skp_pw *w, const struct skp_view *v)
{
	const uint64_t *a = (const uint64_t *)v->h->args;
	int32_t reaper = 0;

	skp_pw_i64(w, v->h->ret);
	skp_pw_u32(w, (uint32_t)a[0]);
	switch (a[0]) {
	case LNX_PR_SET_NAME: case LNX_PR_GET_NAME:
		skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_i64(w, 0);
		break;
	case LNX_PR_GET_CHILD_SUBREAPER:
		/* the int the call wrote behind arg2 */
		skp_pw_absent(w);
		skp_view_copy(v, SKP_C_ARG0 + 1, &reaper, sizeof(reaper));
		skp_pw_i64(w, reaper);
		break;
	default:
		skp_pw_absent(w);
		skp_pw_i64(w, (int64_t)a[1]);
		break;
	}
}

int skp_build_proc(struct skp_pw *w, const struct skp_view *v, uint16_t type)
{
	const uint64_t *a = (const uint64_t *)v->h->args;
	int64_t r = v->h->ret;

	switch (type) {
	case SK_EV_EXECVE_X:
		skp_build_exec(w, v, r, 1, SKP_C_ARG0);
		break;
	case SK_EV_EXECVEAT_X:
		skp_build_exec(w, v, r, 0, 0);
		break;
	case SK_EV_CLONE_X: case SK_EV_CLONE3_X: case SK_EV_FORK_X: case SK_EV_VFORK_X:
		skp_build_clone(w, v, r);
		break;
	case SK_EV_SETUID_X: case SK_EV_SETGID_X: case SK_EV_USERFAULTFD_X: case SK_EV_UNSHARE_X:
		skp_pw_i64(w, r);
		skp_pw_u32(w, type == SK_EV_UNSHARE_X ? skp_clone_flags_to_ppm(a[0]) : (uint32_t)a[0]);
		break;
	case SK_EV_SETRESUID_X: case SK_EV_SETRESGID_X:
		skp_pw_i64(w, r); skp_pw_u32(w, (uint32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]); skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SETREUID_X: case SK_EV_SETREGID_X:
		skp_pw_i64(w, r); skp_pw_u32(w, (uint32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_SETSID_X:
		skp_pw_i64(w, r);
		break;
	case SK_EV_SETPGID_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_i64(w, (int32_t)a[1]);
		break;
	case SK_EV_CAPSET_X: {
		const struct skp_proc *p = skp_view_proc(v);

		skp_pw_i64(w, r);
		skp_pw_u64(w, p ? p->cap_inh : 0); skp_pw_u64(w, p ? p->cap_prm : 0); skp_pw_u64(w, p ? p->cap_eff : 0);
		break;
	}
	case SK_EV_PTRACE_X: {
		uint8_t dyn[9] = { 0 };

		skp_pw_i64(w, r);
		memcpy(dyn + 1, &a[2], 8);
		skp_pw_bytes(w, dyn, 9);
		memcpy(dyn + 1, &a[3], 8);
		skp_pw_bytes(w, dyn, 9);
		skp_pw_u16(w, skp_ptrace_req_to_ppm(a[0]));
		skp_pw_i64(w, (int32_t)a[1]);
		break;
	}
	case SK_EV_KILL_X: case SK_EV_TKILL_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u8(w, (uint8_t)a[1]);
		break;
	case SK_EV_TGKILL_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_i64(w, (int32_t)a[1]); skp_pw_u8(w, (uint8_t)a[2]);
		break;
	case SK_EV_PRCTL_X:
		prctl_x(w, v);
		break;
	default:
		return 0;
	}
	return 1;
}
