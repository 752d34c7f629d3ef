/* tests/helpers/test_files.h: whole-file loading (plain or gzip, inflated) and writing for unit tests. */
#ifndef SAKER_TESTS_HELPERS_TEST_FILES_H
#define SAKER_TESTS_HELPERS_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/* The whole file, inflated when it is gzip (malloc'd), or NULL on any error. */
uint8_t *test_load_inflated(const char *path, size_t *len);
/* Writes len bytes to path (created or truncated): 0, or -1 on any error. */
int test_write_file(const char *path, const uint8_t *p, size_t len);

#endif
