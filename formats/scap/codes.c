/* formats/scap/codes.c: .scap event codes (current and superseded) <-> saker event types, and sysdig 0.29 layouts. */
#include "formats/scap/codes_int.h"

#include <stddef.h>

#include "formats/event.h"

/* Parameter names of superseded enter layouts that are not prefixes of the
 * current ones: kept only so their exits can be completed by name. */
static const char *const n_path[] = { "path" };
static const char *const n_path_mode[] = { "path", "mode" };
static const char *const n_twopath[] = { "oldpath", "newpath" };
static const char *const n_linkat[] = { "olddir", "oldpath", "newdir", "newpath" };
static const char *const n_unlinkat[] = { "dirfd", "name" };
static const char *const n_flags[] = { "flags" };

static const int8_t r_drop1[] = { -1 };
static const int8_t r_drop2[] = { -1, -1 };
static const int8_t r_drop4[] = { -1, -1, -1, -1 };
static const int8_t r_mkdir_e[] = { -1, 0 };
/* Old clone exits: the 13-field prefix, then flags/uid/gid moved to 15..17. */
static const int8_t r_clone11[] = { 0, 1, 2, 3, 4, 5, 6, 7, 15, 16, 17 };
static const int8_t r_clone16[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17 };
static const int8_t r_clone17[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17 };
/* Old execve exits: env sat where comm/cgroups are now. */
static const int8_t r_exec14[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15 };
static const int8_t r_exec15[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15 };

struct old_code {
	uint16_t code;
	uint16_t sk_type;
	uint8_t nparams;
	const char *const *names;
	const int8_t *remap;
	uint8_t dyn_fd;
};

static const struct old_code old_codes[] = {
	{ 12, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 13, SK_EV_EXECVE_X, 8, NULL, NULL, 0 },
	{ 14, SK_EV_CLONE_E, 0, NULL, NULL, 0 }, { 15, SK_EV_CLONE_X, 11, NULL, r_clone11, 0 },
	{ 16, SK_EV_PROCEXIT_E, 0, NULL, NULL, 0 },
	{ 26, SK_EV_ACCEPT_E, 0, NULL, NULL, 0 }, { 27, SK_EV_ACCEPT_X, 3, NULL, NULL, 0 },
	{ 56, SK_EV_ACCEPT4_E, 1, NULL, NULL, 0 }, { 57, SK_EV_ACCEPT4_X, 3, NULL, NULL, 0 },
	{ 90, SK_EV_IOCTL_E, 2, NULL, NULL, 0 }, { 91, SK_EV_IOCTL_X, 1, NULL, NULL, 0 },
	{ 98, SK_EV_MKDIR_E, 2, n_path_mode, r_mkdir_e, 0 }, { 99, SK_EV_MKDIR_X, 1, NULL, NULL, 0 },
	{ 100, SK_EV_RMDIR_E, 1, n_path, r_drop1, 0 }, { 101, SK_EV_RMDIR_X, 1, NULL, NULL, 0 },
	{ 102, SK_EV_OPENAT_E, 4, NULL, NULL, 0 }, { 103, SK_EV_OPENAT_X, 1, NULL, NULL, 0 },
	{ 104, SK_EV_LINK_E, 2, n_twopath, r_drop2, 0 }, { 105, SK_EV_LINK_X, 1, NULL, NULL, 0 },
	{ 106, SK_EV_LINKAT_E, 4, n_linkat, r_drop4, 0 }, { 107, SK_EV_LINKAT_X, 1, NULL, NULL, 0 },
	{ 108, SK_EV_UNLINK_E, 1, n_path, r_drop1, 0 }, { 109, SK_EV_UNLINK_X, 1, NULL, NULL, 0 },
	{ 110, SK_EV_UNLINKAT_E, 2, n_unlinkat, r_drop2, 0 }, { 111, SK_EV_UNLINKAT_X, 1, NULL, NULL, 0 },
	{ 124, SK_EV_DUP_E, 1, NULL, NULL, 0 }, { 125, SK_EV_DUP_X, 1, NULL, NULL, 0 },
	{ 146, SK_EV_SWITCH_E, 1, NULL, NULL, 0 },
	{ 149, SK_EV_DROP_E, 1, NULL, NULL, 0 },
	{ 154, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 155, SK_EV_EXECVE_X, 13, NULL, NULL, 0 },
	{ 156, SK_EV_CLONE_E, 0, NULL, NULL, 0 }, { 157, SK_EV_CLONE_X, 16, NULL, r_clone16, 0 },
	{ 172, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 173, SK_EV_EXECVE_X, 14, NULL, r_exec14, 0 },
	{ 182, SK_EV_FORK_E, 0, NULL, NULL, 0 }, { 183, SK_EV_FORK_X, 16, NULL, r_clone16, 0 },
	{ 184, SK_EV_VFORK_E, 0, NULL, NULL, 0 }, { 185, SK_EV_VFORK_X, 16, NULL, r_clone16, 0 },
	{ 214, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 215, SK_EV_EXECVE_X, 15, NULL, r_exec15, 0 },
	{ 216, SK_EV_CLONE_E, 0, NULL, NULL, 0 }, { 217, SK_EV_CLONE_X, 17, NULL, r_clone17, 0 },
	{ 218, SK_EV_FORK_E, 0, NULL, NULL, 0 }, { 219, SK_EV_FORK_X, 17, NULL, r_clone17, 0 },
	{ 220, SK_EV_VFORK_E, 0, NULL, NULL, 0 }, { 221, SK_EV_VFORK_X, 17, NULL, r_clone17, 0 },
	{ 230, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 231, SK_EV_EXECVE_X, 16, NULL, NULL, 0 },
	{ 248, SK_EV_ACCEPT4_E, 1, NULL, NULL, 0 }, { 249, SK_EV_ACCEPT4_X, 5, NULL, NULL, 0 },
	{ 258, SK_EV_UMOUNT_E, 1, n_flags, r_drop1, 0 }, { 259, SK_EV_UMOUNT_X, 2, NULL, NULL, 0 },
	{ 272, SK_EV_CONTAINER_E, 1, NULL, NULL, 0 },
	{ 282, SK_EV_EXECVE_E, 0, NULL, NULL, 0 }, { 283, SK_EV_EXECVE_X, 17, NULL, NULL, 0 },
	{ 288, SK_EV_EXECVE_E, 1, NULL, NULL, 0 }, { 289, SK_EV_EXECVE_X, 17, NULL, NULL, 0 },
	{ 296, SK_EV_BPF_E, 1, NULL, NULL, 0 }, { 297, SK_EV_BPF_X, 1, NULL, NULL, 1 },
};

int scap_code_lookup(uint16_t code, struct scap_code_info *out)
{
	for (size_t i = 0; i < sizeof(old_codes) / sizeof(old_codes[0]); i++) {
		if (old_codes[i].code != code)
			continue;
		out->sk_type = old_codes[i].sk_type;
		out->nparams = old_codes[i].nparams;
		out->names = old_codes[i].names;
		out->remap = old_codes[i].remap;
		out->dyn_fd = old_codes[i].dyn_fd;
		return 0;
	}
	if (code == 0 || code == 1) {
		*out = (struct scap_code_info){ code ? SK_EV_GENERIC_X : SK_EV_GENERIC_E,
						sk_event_table[code].nparams, NULL, NULL, 0 };
		return 0;
	}
	for (uint16_t t = 2; t < SK_EV__COUNT; t++) {
		const struct sk_event_info *info = &sk_event_table[t];
		if (info->scap_code != code || (info->flags & SK_EF_UNUSED))
			continue;
		*out = (struct scap_code_info){ t, info->nparams, NULL, NULL, 0 };
		return 0;
	}
	return -1;
}

int scap_code_is_large(uint16_t code)
{
	return code == 322 || code == 324 || code == 402;
}

/* Parameter counts of the sysdig 0.29 table (the part before "‖" in
 * scap.md §15), for the codes saker exports. */
static const uint8_t nparams_029[SCAP_CODE_LIMIT_029] = {
	[0] = 2, [1] = 1, [2] = 3, [3] = 5, [4] = 1, [5] = 1, [6] = 2, [7] = 2, [8] = 2, [9] = 2,
	[18] = 3, [19] = 1, [20] = 1, [21] = 2, [22] = 2, [23] = 2, [24] = 2, [25] = 1,
	[28] = 2, [29] = 2, [30] = 3, [31] = 2, [32] = 2, [33] = 2, [34] = 2, [35] = 3,
	[36] = 2, [37] = 1, [42] = 3, [43] = 5, [44] = 0, [45] = 6, [46] = 0, [47] = 6,
	[48] = 3, [49] = 2, [52] = 1, [53] = 4, [58] = 2, [59] = 4, [60] = 0, [61] = 4,
	[62] = 2, [63] = 1, [64] = 3, [65] = 1, [66] = 0, [67] = 2, [68] = 0, [69] = 2,
	[70] = 1, [71] = 1, [72] = 0, [73] = 2, [74] = 0, [75] = 2, [76] = 1, [77] = 1,
	[78] = 1, [79] = 1, [80] = 2, [81] = 2, [82] = 0, [83] = 1, [86] = 3, [87] = 1,
	[88] = 3, [89] = 1, [92] = 0, [93] = 2, [94] = 0, [95] = 2, [96] = 1, [97] = 1,
	[112] = 3, [113] = 2, [114] = 3, [115] = 2, [116] = 1, [117] = 3, [118] = 2, [119] = 2,
	[120] = 2, [121] = 3, [122] = 3, [123] = 2, [124] = 1, [125] = 1, [126] = 3, [127] = 1,
	[128] = 2, [129] = 1, [130] = 2, [131] = 1, [132] = 3, [133] = 1, [134] = 1, [135] = 1,
	[136] = 2, [137] = 1, [138] = 1, [139] = 1, [140] = 1, [141] = 3, [142] = 1, [143] = 3,
	[144] = 2, [145] = 5, [148] = 1, [150] = 2, [151] = 1, [152] = 6, [158] = 1, [159] = 4,
	[160] = 6, [161] = 4, [162] = 6, [163] = 4, [164] = 2, [165] = 4, [166] = 4, [167] = 1,
	[168] = 2, [169] = 3, [170] = 3, [171] = 1, [174] = 0, [175] = 3, [176] = 0, [177] = 5,
	[178] = 0, [179] = 3, [180] = 0, [181] = 4, [186] = 4, [188] = 4, [189] = 2,
	[190] = 4, [191] = 14, [192] = 3, [193] = 1, [194] = 3, [195] = 1, [198] = 1, [199] = 1,
	[200] = 1, [201] = 1, [202] = 0, [203] = 1, [204] = 0, [205] = 1, [206] = 0, [207] = 1,
	[208] = 0, [209] = 1, [210] = 0, [211] = 4, [212] = 0, [213] = 4, [222] = 0, [223] = 20,
	[224] = 0, [225] = 20, [226] = 0, [227] = 20, [232] = 3, [234] = 2, [236] = 1, [237] = 1,
	[238] = 1, [239] = 1, [240] = 2, [241] = 1, [242] = 2, [243] = 1, [244] = 2, [246] = 0,
	[247] = 5, [248] = 1, [249] = 5, [250] = 1, [251] = 8, [252] = 4, [253] = 1, [254] = 3,
	[255] = 2, [256] = 1, [257] = 4, [258] = 1, [259] = 2, [262] = 3, [263] = 1, [264] = 1,
	[265] = 2, [266] = 0, [267] = 2, [274] = 0, [275] = 1, [276] = 1, [277] = 2, [278] = 0,
	[279] = 2, [280] = 2, [284] = 1, [285] = 1, [286] = 4, [290] = 3, [292] = 1, [293] = 20,
	[294] = 2, [295] = 1, [298] = 1, [299] = 1, [300] = 0, [301] = 2, [302] = 0, [303] = 4,
	[304] = 0, [305] = 4, [306] = 4, [307] = 6, [308] = 0, [309] = 3, [310] = 0, [311] = 6,
	[312] = 0, [313] = 4, [314] = 0, [315] = 3, [316] = 0, [317] = 3, [318] = 0, [319] = 6,
	[320] = 0, [321] = 2, [322] = 2, [324] = 1, [326] = 5, [327] = 6, [328] = 3, [329] = 1,
	[330] = 3, [331] = 20, [332] = 3, [333] = 3, [334] = 0, [335] = 20,
};

/* Codes whose 0.29 layout has no parameters (so 0 in the table is real). */
static int zero_is_real(uint16_t code)
{
	static const uint16_t z[] = { 44, 46, 60, 66, 68, 72, 74, 82, 92, 94, 174, 176, 178, 180,
				      202, 204, 206, 208, 210, 212, 222, 224, 226, 246, 266, 274,
				      278, 300, 302, 304, 308, 310, 312, 314, 316, 318, 320, 334 };
	for (size_t i = 0; i < sizeof(z) / sizeof(z[0]); i++)
		if (z[i] == code)
			return 1;
	return 0;
}

int scap_code_nparams_029(uint16_t code)
{
	if (code >= SCAP_CODE_LIMIT_029)
		return -1;
	if (nparams_029[code] == 0 && !zero_is_real(code))
		return -1;
	return nparams_029[code];
}

int scap_code_export_029(uint16_t sk_type)
{
	uint16_t kind = sk_event_kind(sk_type);
	int exit = sk_event_is_exit(sk_type);

	switch (kind) {
	case SK_EK_ACCEPT4: return 248 + exit;
	case SK_EK_UMOUNT: return 258 + exit;
	case SK_EK_DUP: return 124 + exit;
	default: break;
	}
	if (sk_type >= SK_EV__COUNT)
		return -1;
	if (kind == SK_EK_GENERIC)
		return exit;
	uint16_t code = sk_event_table[sk_type].scap_code;
	if ((code == 0 && kind != SK_EK_GENERIC) || code >= SCAP_CODE_LIMIT_029)
		return -1;
	if (scap_code_nparams_029(code) < 0)
		return -1;
	return code;
}
