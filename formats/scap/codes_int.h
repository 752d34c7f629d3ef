/* formats/scap/codes_int.h: .scap event codes <-> saker event types (internal to the scap reader/writer). */
#ifndef SAKER_FORMATS_SCAP_CODES_INT_H
#define SAKER_FORMATS_SCAP_CODES_INT_H

#include <stdint.h>

/* Codes current libs know; higher codes are skipped without a number. */
#define SCAP_CODE_LIMIT 454
/* Codes sysdig 0.29 knows. */
#define SCAP_CODE_LIMIT_029 336

/* How one .scap code decodes. remap, when set, gives the saker parameter
 * index of each file parameter (old layouts that are not prefixes). */
struct scap_code_info {
	uint16_t sk_type;
	uint8_t nparams;              /* layout size for v1 inference */
	const char *const *names;     /* parameter names for enter merging */
	const int8_t *remap;
	uint8_t dyn_fd;               /* 1: param 0 is old bpf's res_or_fd DYN */
};

/* Fills *out for code; 0, or -1 if saker has no kind for it. */
int scap_code_lookup(uint16_t code, struct scap_code_info *out);
/* Parameters sysdig 0.29 knows for a code < SCAP_CODE_LIMIT_029; -1 if unknown. */
int scap_code_nparams_029(uint16_t code);
/* Code used to export type to sysdig 0.29, or -1 (then: generic or skip). */
int scap_code_export_029(uint16_t sk_type);
int scap_code_is_large(uint16_t code);

#endif
