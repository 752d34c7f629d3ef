/* replay/regress/regress_int.h: what case.c and rules_cache.c share: a case's loaded rules and the cache keeping them. */
#ifndef SAKER_REPLAY_REGRESS_REGRESS_INT_H
#define SAKER_REPLAY_REGRESS_REGRESS_INT_H

#include "replay/regress/regress.h"

struct rule_loader;
struct rule_set;

/* What loading a case's rules gave: the loader (its diagnostics), the rule
 * set when it loaded, which files loaded, or the option conflict Falco
 * refuses before loading. */
struct load_result {
	struct rule_loader *l;
	struct rule_set *rs;
	int ok;
	const char *cli_error;
	unsigned char *file_ok;   /* per rules file */
};

void load_result_free(struct load_result *lr);

/* The key of what a case loads: each rules file's path, size,
 * modification time and CRC of its bytes (a directory: its entries and
 * theirs), the options and the rule selections, in order. NULL when a file
 * cannot be read (the load reports it) or out of memory: such a case is not
 * cached. */
char *regress_rules_key(const struct regress_case *tc);

/* The load kept under key, or NULL. */
const struct load_result *regress_rules_cache_get(struct regress_rules_cache *c, const char *key);
/* Keeps lr under key (both owned by the cache from now on, the least
 * recently used entry evicted) and returns the kept load; without a cache
 * or a key, frees them and returns NULL. */
const struct load_result *regress_rules_cache_put(struct regress_rules_cache *c, char *key, struct load_result *lr);

#endif
