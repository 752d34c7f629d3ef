/* probe/decode_fs.c: exit layouts of the file-system calls: the open family, data I/O, paths, permissions, mounts. */
#include "probe/decode_int.h"

static void open_tail(struct skp_pw *w, const struct skp_view *v, uint64_t flags, uint64_t mode, int resolve,
		      uint64_t res_val)
{
	const struct skp_file *f = skp_view_file(v);

	skp_pw_u32(w, skp_open_flags_to_ppm(flags, f ? f->fmode : 0));
	skp_pw_u32(w, (uint32_t)mode);
	if (resolve >= 0)
		skp_pw_u32(w, (uint32_t)res_val);
	skp_pw_u32(w, f ? f->dev : 0);
	skp_pw_u64(w, f ? f->ino : 0);
}

int skp_build_fs(struct skp_pw *w, const struct skp_view *v, uint16_t type)
{
	const uint64_t *a = (const uint64_t *)v->h->args;
	int64_t r = v->h->ret;
	const struct skp_file *f;

	switch (type) {
	case SK_EV_OPEN_X:
		skp_pw_i64(w, r);
		skp_pw_chunk_str(w, v, SKP_C_ARG0);
		open_tail(w, v, a[1], a[2], -1, 0);
		break;
	case SK_EV_OPENAT_X:
		skp_pw_i64(w, r);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		open_tail(w, v, a[2], a[3], -1, 0);
		break;
	case SK_EV_OPENAT2_X: {
		uint64_t how[3] = { 0, 0, 0 };

		skp_view_copy(v, SKP_C_ARG0 + 2, how, sizeof(how));
		skp_pw_i64(w, r);
		skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		/* resolve flags RESOLVE_* have the same values as PPM_RESOLVE_* */
		open_tail(w, v, how[0], how[1], 1, how[2]);
		break;
	}
	case SK_EV_CREAT_X:
		f = skp_view_file(v);
		skp_pw_i64(w, r);
		skp_pw_chunk_str(w, v, SKP_C_ARG0);
		skp_pw_u32(w, (uint32_t)a[1]);
		skp_pw_u32(w, f ? f->dev : 0);
		skp_pw_u64(w, f ? f->ino : 0);
		skp_pw_u16(w, f && (f->fmode & (1u << 20)) ? 1 : 0); /* creat_flags: F_CREATED */
		break;
	case SK_EV_READ_X: case SK_EV_WRITE_X:
		skp_pw_i64(w, r); skp_pw_chunk_buf(w, v, SKP_C_ARG0 + 1); skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_PREAD_X: case SK_EV_PWRITE_X:
		skp_pw_i64(w, r); skp_pw_chunk_buf(w, v, SKP_C_ARG0 + 1); skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, (uint32_t)a[2]); skp_pw_u64(w, a[3]);
		break;
	case SK_EV_READV_X:
		skp_pw_i64(w, r); skp_pw_u32(w, r > 0 ? (uint32_t)r : 0); skp_pw_chunk_buf(w, v, SKP_C_DATA);
		skp_pw_i64(w, (int32_t)a[0]);
		break;
	case SK_EV_WRITEV_X:
		skp_pw_i64(w, r); skp_pw_chunk_buf(w, v, SKP_C_DATA); skp_pw_i64(w, (int32_t)a[0]);
		skp_pw_u32(w, r > 0 ? (uint32_t)r : 0);
		break;
	case SK_EV_UNLINK_X: case SK_EV_RMDIR_X: case SK_EV_CHDIR_X: case SK_EV_GETCWD_X: case SK_EV_CHROOT_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0);
		break;
	case SK_EV_UNLINKAT_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_RENAME_X: case SK_EV_LINK_X: case SK_EV_SYMLINK_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		break;
	case SK_EV_RENAMEAT_X: case SK_EV_RENAMEAT2_X: case SK_EV_LINKAT_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_i64(w, (int32_t)a[2]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 3);
		if (type != SK_EV_RENAMEAT_X)
			skp_pw_u32(w, (uint32_t)a[4]);
		break;
	case SK_EV_MKDIR_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	case SK_EV_MKDIRAT_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_SYMLINKAT_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_i64(w, (int32_t)a[1]);
		skp_pw_chunk_str(w, v, SKP_C_ARG0 + 2);
		break;
	case SK_EV_CHMOD_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_u32(w, (uint32_t)a[1] & 07777);
		break;
	case SK_EV_FCHMOD_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1] & 07777);
		break;
	case SK_EV_FCHMODAT_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_u32(w, (uint32_t)a[2] & 07777);
		break;
	case SK_EV_CHOWN_X: case SK_EV_LCHOWN_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_u32(w, (uint32_t)a[1]);
		skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_FCHOWN_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_u32(w, (uint32_t)a[1]); skp_pw_u32(w, (uint32_t)a[2]);
		break;
	case SK_EV_FCHOWNAT_X:
		skp_pw_i64(w, r); skp_pw_i64(w, (int32_t)a[0]); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_u32(w, (uint32_t)a[2]); skp_pw_u32(w, (uint32_t)a[3]); skp_pw_u32(w, (uint32_t)a[4]);
		break;
	case SK_EV_MOUNT_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_chunk_str(w, v, SKP_C_ARG0 + 1);
		skp_pw_chunk_str(w, v, SKP_C_ARG0 + 2); skp_pw_u32(w, (uint32_t)a[3]);
		break;
	case SK_EV_UMOUNT2_X:
		skp_pw_i64(w, r); skp_pw_chunk_str(w, v, SKP_C_ARG0); skp_pw_u32(w, (uint32_t)a[1]);
		break;
	default:
		return 0;
	}
	return 1;
}
