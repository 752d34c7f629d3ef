/* record/output.h: capture files: the .skr writer, rotation by size/time and the kept-file ring. */
#ifndef SAKER_RECORD_OUTPUT_H
#define SAKER_RECORD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/event.h"
#include "formats/meta.h"

/* Fills m with the state to put at the start of a file (the first file gets
 * the snapshot taken before capture; later files a fresh one). */
typedef int (*rec_meta_fn)(void *ctx, struct sk_meta *m, int first);
/* Appends the current drop counters to m (SK_META_DROPS items). */
typedef void (*rec_drops_fn)(void *ctx, struct sk_meta *m);

struct rec_out_opts {
	const char *path;       /* "-" = stdout (no rotation) */
	int force;              /* overwrite existing files */
	int level;              /* zstd level (0 = writer default) */
	uint64_t rotate_bytes;  /* -C: start a new file past this size (0 = never) */
	uint64_t rotate_ns;     /* -G: start a new file after this long (0 = never) */
	unsigned keep;          /* -W: keep this many files, reusing names (0 = unlimited) */
	const struct sk_meta_host *host;
	rec_meta_fn meta;
	rec_drops_fn drops;
	void *ctx;
};

struct rec_out;

/* Opens the first file and writes its metadata. NULL with a message in err. */
struct rec_out *rec_out_open(const struct rec_out_opts *o, char *err, size_t errlen);
/* Appends one event, rotating first when due. 0 or -errno (message in rec_out_error). */
int rec_out_event(struct rec_out *out, const struct sk_event *ev);
/* Periodic: flushes events older than the writer's interval. */
int rec_out_tick(struct rec_out *out);
/* Writes the drop counters and the footer, closes. 0 or -errno with err. */
int rec_out_close(struct rec_out *out, char *err, size_t errlen);
const char *rec_out_error(const struct rec_out *out);
uint64_t rec_out_bytes(const struct rec_out *out);   /* all files so far */
unsigned rec_out_files(const struct rec_out *out);

/* Name of file number idx for a rotating capture: path + idx, zero-padded
 * to the width of keep-1 when keep is set (tcpdump's -C/-W convention). */
void rec_out_name(char *buf, size_t cap, const char *path, unsigned idx, unsigned keep);

#endif
