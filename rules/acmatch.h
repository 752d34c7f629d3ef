/* rules/acmatch.h: Aho-Corasick multi-pattern automaton over bytes (built at load time, scanned per event). */
#ifndef SAKER_RULES_ACMATCH_H
#define SAKER_RULES_ACMATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Patterns are added with an id; after acm_build, acm_scan walks a subject
 * once and reports every (pattern id, end offset) occurrence, overlapping
 * ones included, so one pass answers contains/startswith/endswith of all
 * patterns together. The automaton is a full transition table over byte
 * classes (bytes no pattern uses share class 0), so a step is one load.
 */
struct acm;

/* SUBSTRING finds patterns anywhere (failure links); PREFIX only at the
 * start and SUFFIX only at the end of the subject, walking a plain trie from
 * that end and stopping at the first byte no pattern continues with. */
enum acm_mode { ACM_SUBSTRING = 0, ACM_PREFIX, ACM_SUFFIX };

struct acm *acm_new(enum acm_mode mode);
/* id: caller's pattern number (several patterns may share one). len >= 1.
 * Returns 0, or -1 on ENOMEM. */
int acm_add(struct acm *a, const char *pat, size_t len, uint32_t id);
/* Builds the transition table and output lists; 0, or -1 on ENOMEM. */
int acm_build(struct acm *a);
void acm_free(struct acm *a);

/* Called for each occurrence: end = offset just past the match (SUFFIX:
 * the subject's length). */
typedef void (*acm_hit_fn)(void *ctx, uint32_t id, size_t end);
void acm_scan(const struct acm *a, const char *s, size_t len, acm_hit_fn hit, void *ctx);

/* Bytes of the built tables (for the bench and --list diagnostics). */
size_t acm_size(const struct acm *a);

#endif
