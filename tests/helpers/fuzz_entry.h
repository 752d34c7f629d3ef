/* tests/helpers/fuzz_entry.h: entry points of the fuzz targets, shared by fuzz/fuzz_*.c (libFuzzer) and tests/test_fuzz_regressions.c. */
#ifndef SAKER_TESTS_HELPERS_FUZZ_ENTRY_H
#define SAKER_TESTS_HELPERS_FUZZ_ENTRY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Each entry point feeds one untrusted input through a reader or parser the
 * way saker-replay does, and returns 0. Rejecting the input is a normal
 * outcome; only a crash, a hang or a sanitizer report is a finding.
 */
int fuzz_one_skr(const uint8_t *data, size_t len);        /* .skr reader -> replay engine */
int fuzz_one_scap(const uint8_t *data, size_t len);       /* .scap reader -> replay engine */
int fuzz_one_skr_decode(const uint8_t *data, size_t len); /* .skr reader alone (faster) */
int fuzz_one_scap_decode(const uint8_t *data, size_t len);/* .scap reader alone */
int fuzz_one_rules_yaml(const uint8_t *data, size_t len); /* rules file loader */
int fuzz_one_cond(const uint8_t *data, size_t len);       /* condition parse/compile/eval */
int fuzz_one_format(const uint8_t *data, size_t len);     /* output format compile/render */
int fuzz_one_config(const uint8_t *data, size_t len);     /* falco.yaml-style configuration */
int fuzz_one_probe(const uint8_t *data, size_t len);      /* probe ring records -> replay engine */
/* first byte < 0x80: an audit log -> source -> every ka.* and json.* field;
 * else: webhook request bytes -> HTTP head and chunked body parsing
 * (tests/helpers/fuzz_k8saudit.c) */
int fuzz_one_k8saudit(const uint8_t *data, size_t len);
/* CRI answers (protobuf) -> container and sandbox records (host/ctr_cri.c) */
int fuzz_one_cri(const uint8_t *data, size_t len);

struct fuzz_target {
	const char *name;  /* fuzz/fuzz_<name>.c, tests/fuzz_regressions/<name>/ */
	int (*one)(const uint8_t *data, size_t len);
};

extern const struct fuzz_target fuzz_targets[];
extern const size_t fuzz_ntargets;

#endif
