/* tests/helpers/test_files.h: whole-file loading for unit tests (plain or gzip, inflated). */
#ifndef SAKER_TESTS_TEST_FILES_H
#define SAKER_TESTS_TEST_FILES_H

#include <stddef.h>
#include <stdint.h>

/* The whole file, inflated when it is gzip (malloc'd), or NULL on any error. */
uint8_t *test_load_inflated(const char *path, size_t *len);

#endif
