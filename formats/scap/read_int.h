/* formats/scap/read_int.h: the .scap reader's state shared by read.c (input, opening), read_meta.c (metadata blocks) and read_event.c (block walk, events). */
#ifndef SAKER_FORMATS_SCAP_READ_INT_H
#define SAKER_FORMATS_SCAP_READ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/scap/codes_int.h"
#include "formats/scap/scap.h"

#define BT_SHB 0x0A0D0D0Au
#define BT_MI 0x201u
#define BT_PL_V1 0x202u
#define BT_FDL 0x203u
#define BT_EV 0x204u
#define BT_IL 0x205u
#define BT_UL 0x206u
#define BT_PL_V2 0x207u
#define BT_EVF 0x208u
#define BT_PL_V3 0x209u
#define BT_PL_V4 0x210u
#define BT_PL_V9 0x215u
#define BT_EV_V2 0x216u
#define BT_EVF_V2 0x217u
#define BT_FDL_V2 0x218u
#define BT_IL_V2 0x219u
#define BT_UL_V2 0x220u
#define BT_EV_V2_LARGE 0x221u
#define BT_EVF_V2_LARGE 0x222u

/* The last enter event of one thread, kept to complete its exit. */
struct enter_slot {
	int64_t tid;
	uint8_t used;         /* hash entry occupied */
	uint16_t type;        /* saker type of the enter, SK_EV__COUNT if none */
	uint16_t code;
	uint8_t n;
	const char *const *names; /* old layout names, or NULL: the table's */
	uint16_t scid;        /* converted generic syscall id */
	struct sk_param p[SK_MAX_PARAMS];
};

struct scap_reader {
	char *name;
	uint8_t *buf;
	size_t len;
	size_t pos;
	size_t data_end;      /* bytes of valid decompressed data */
	int gz_trunc;         /* the gzip stream itself was cut or corrupt */
	int done;
	int in_events;        /* event blocks have started in this section */
	struct scap_read_opts opts;
	struct sk_meta *meta;
	struct scap_stats stats;
	uint16_t code_type[SCAP_CODE_LIMIT];  /* sk type + 1; 0 = no kind */
	struct enter_slot *slots;
	size_t nslots;        /* power of two */
	size_t used_slots;
	uint16_t scid_scratch;
	char err[320];
};

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* read.c: sets the error "NAME: byte OFF: message", ends the reader, returns rc. */
int scap_read_fail(struct scap_reader *r, int rc, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* read.c: the input ended inside the block at off (or at its end). -EIO. */
int scap_read_truncated(struct scap_reader *r, size_t off);
/* read_meta.c: a metadata block (machine, interfaces, users, processes, fds) into r->meta; unknown blocks are skipped. */
int scap_read_meta_block(struct scap_reader *r, uint32_t bt, const uint8_t *body, size_t blen, size_t off);
/* read_event.c: walks blocks until an event block (1, body/blen/off set), the clean end (0) or an error (<0). */
int scap_read_next_block(struct scap_reader *r, uint32_t *bt_out, const uint8_t **body, size_t *blen, size_t *off);

#endif
