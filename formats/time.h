/* formats/time.h: event times as text: RFC 3339 to ns since the epoch (audit stageTimestamp, --from/--to). */
#ifndef SAKER_FORMATS_TIME_H
#define SAKER_FORMATS_TIME_H

#include <stddef.h>
#include <stdint.h>

/* "2018-10-25T14:09:12.581541Z", "...+02:00": ns since the epoch. The
 * fraction may have any number of digits (past 9 they are dropped); 't', 'z'
 * and a space for 'T' are taken too; a leap second (:60) counts as the next
 * minute's first. 0, or -1 when s[0..n) is not such a time or lies before
 * 1970. */
int sk_time_parse_rfc3339(const char *s, size_t n, uint64_t *ns);

#endif
