/* tests/helpers/event_assert.c: cmocka assertion that two decoded events are equal, header and every parameter. */
#include "tests/helpers/event_assert.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

void test_assert_event_equal(const struct sk_event *a, const struct sk_event *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->tid, b->tid);
	assert_int_equal(a->ts, b->ts);
	assert_int_equal(a->cpu, b->cpu);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->nparams, b->nparams);
	for (uint32_t i = 0; i < a->nparams; i++) {
		assert_int_equal(a->params[i].len, b->params[i].len);
		if (a->params[i].len)
			assert_memory_equal(a->params[i].val, b->params[i].val, a->params[i].len);
	}
}
