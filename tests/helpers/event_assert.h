/* tests/helpers/event_assert.h: cmocka assertion that two decoded events are equal, header and every parameter. */
#ifndef SAKER_TESTS_HELPERS_EVENT_ASSERT_H
#define SAKER_TESTS_HELPERS_EVENT_ASSERT_H

#include "formats/event.h"

/* Fails the running test at the first difference (type, tid, ts, cpu,
 * flags, parameter count, a parameter's length or bytes). */
void test_assert_event_equal(const struct sk_event *a, const struct sk_event *b);

#endif
