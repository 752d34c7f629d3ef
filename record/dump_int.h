/* record/dump_int.h: prints a capture's metadata and events as text (saker-record --dump). */
#ifndef SAKER_RECORD_DUMP_INT_H
#define SAKER_RECORD_DUMP_INT_H

#include <stdio.h>

#include "formats/event.h"
#include "formats/meta.h"

/* One line per event: "num ts cpu tid name param=value ...". */
void rec_dump_event(FILE *out, const struct sk_event *ev);
/* One line per snapshot process ("proc ...") and fd ("fd ..."), plus host and drops. */
void rec_dump_meta(FILE *out, const struct sk_meta *m);
/* Reads path ("-" = stdin) and prints everything. 0, or -errno with a message on stderr. */
int rec_dump_file(const char *path, FILE *out);

#endif
