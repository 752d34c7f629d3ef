/* replay/convert.h: saker-replay -w: writing a capture's events to a .skr or .scap file. */
#ifndef SAKER_REPLAY_CONVERT_H
#define SAKER_REPLAY_CONVERT_H

#include <stdint.h>

struct replay_opts;

/* Parses a --from/--to time: nanoseconds since the epoch (digits only) or
 * RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)". 0 or -1. */
int replay_parse_time(const char *s, uint64_t *ns);

/* Converts the single -e capture to o->write_path (format by extension:
 * .skr or .scap), keeping the events that pass the trailing filter and the
 * --from/--to window. Exit status: 0, 1 for a usage error, 2 for a file
 * error (message printed, output closed so a .skr stays readable). */
int replay_convert(const struct replay_opts *o);

#endif
