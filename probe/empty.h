/* probe/empty.h: loads the empty probe (benchmark baseline). */
#ifndef SAKER_PROBE_EMPTY_H
#define SAKER_PROBE_EMPTY_H

#include <stddef.h>

struct sk_empty_probe;

/* Loads and attaches; NULL with a message in err. */
struct sk_empty_probe *sk_empty_probe_open(char *err, size_t errlen);
/* Average run time per invocation (ns) of the enter and exit programs,
 * when kernel.bpf_stats_enabled is on (0 otherwise). */
int sk_empty_probe_runtime(struct sk_empty_probe *p, double *enter_ns, double *exit_ns);
void sk_empty_probe_close(struct sk_empty_probe *p);

#endif
