/* rules/strset.h: constant sets for `in`/`intersects` (hash set of byte strings) and `pmatch` (path-component trie). */
#ifndef SAKER_RULES_STRSET_H
#define SAKER_RULES_STRSET_H

#include <stddef.h>
#include <stdint.h>

#include "rules/rules.h"

/* Open-addressing hash set of byte strings; built at load time, read-only after. */
struct strset;
struct strset *strset_new(size_t expected);
int strset_add(struct strset *s, const void *key, size_t len);  /* 0, or -1 on ENOMEM */
int strset_has(const struct strset *s, const void *key, size_t len);
size_t strset_count(const struct strset *s);
/* Sets as maps to a number (rules/group.c: value -> its list of checks).
 * strset_put_val: 0 added, 1 present (*existing = its number), -1 ENOMEM.
 * strset_get_val: 1 and *val when present, else 0. */
int strset_put_val(struct strset *s, const void *key, size_t len, uint32_t val, uint32_t *existing);
int strset_get_val(const struct strset *s, const void *key, size_t len, uint32_t *val);
/* Calls fn for every key, in no particular order; stops at a non-zero return
 * and passes it back. */
int strset_each(const struct strset *s, int (*fn)(void *ctx, const char *key, size_t len), void *ctx);
void strset_free(struct strset *s);

/* Trie of path components. A lookup walks the value's components and is true
 * as soon as it passes a node where an item ended. Components containing
 * `* ? [` are kept apart and fnmatch'ed against one component. */
struct pmatch_trie;
struct pmatch_trie *pmatch_trie_new(void);
int pmatch_trie_add(struct pmatch_trie *t, const char *path, size_t len);
int pmatch_trie_match(const struct pmatch_trie *t, const char *path, size_t len);
void pmatch_trie_free(struct pmatch_trie *t);

#endif
