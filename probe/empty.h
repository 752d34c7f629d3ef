/* probe/empty.h: loads the empty probe (benchmark baseline). */
#ifndef SAKER_PROBE_EMPTY_H
#define SAKER_PROBE_EMPTY_H

#include <stddef.h>

struct sk_empty_probe;

/* Loads and attaches; NULL with a message in err. */
struct sk_empty_probe *sk_empty_probe_open(char *err, size_t errlen);
void sk_empty_probe_close(struct sk_empty_probe *p);

#endif
