/* tests/helpers/field_render.h: renders an output format against the current event of an extract context, for field tests. */
#ifndef SAKER_TESTS_HELPERS_FIELD_RENDER_H
#define SAKER_TESTS_HELPERS_FIELD_RENDER_H

#include <stddef.h>

struct extract_ctx;

/* fmt rendered as Falco prints it into out (cap bytes); returns out. A
 * format that does not compile aborts the test with its message. */
const char *field_render(struct extract_ctx *fc, const char *fmt, char *out, size_t cap);

#endif
