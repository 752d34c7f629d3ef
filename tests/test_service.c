/* tests/test_service.c: Prometheus durations, outputs.aggregate windows (first alert, then one counted "N more" line), outputs.rate drops counted, and the sd_notify datagram. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "replay/config/config.h"
#include "replay/outputs/outputs.h"
#include "replay/service/service.h"

static void test_duration(void **state)
{
	(void)state;
	uint64_t ns;
	assert_int_equal(config_parse_duration("15m", &ns), 0);
	assert_true(ns == 900000000000ull);
	assert_int_equal(config_parse_duration("1h30m", &ns), 0);
	assert_true(ns == 5400000000000ull);
	assert_int_equal(config_parse_duration("500ms", &ns), 0);
	assert_true(ns == 500000000ull);
	assert_int_equal(config_parse_duration("10", &ns), -1);
	assert_int_equal(config_parse_duration("5x", &ns), -1);
	assert_int_equal(config_parse_duration("", &ns), -1);
}

struct sent {
	int n;
	char last[1024];
};

static void on_send(void *ctx, const struct output_alert *a)
{
	struct sent *s = ctx;
	s->n++;
	snprintf(s->last, sizeof(s->last), "%.*s", (int)a->len, a->line);
}

static struct output_aggregator *agg(const char *window, const char *by)
{
	struct config *c = config_new();
	char o[128];
	snprintf(o, sizeof(o), "outputs.aggregate.window=%s", window);
	assert_int_equal(config_override(c, o), 0);
	if (by) {
		snprintf(o, sizeof(o), "outputs.aggregate.by=%s", by);
		assert_int_equal(config_override(c, o), 0);
	}
	int bad = 0;
	struct output_aggregator *g = output_aggregator_new(c, &bad);
	assert_int_equal(bad, 0);
	config_free(c);
	return g;
}

static void test_aggregate(void **state)
{
	(void)state;
	struct output_aggregator *g = agg("10s", NULL);
	assert_non_null(g);
	struct sent s = { 0 };
	struct output_alert a = { .priority = 4, .line = "x", .len = 1, .rule = "R", .msg = "m1", .msg_len = 2 };
	uint64_t t0 = 1000000000000ull;
	int admitted = 0;
	for (int i = 0; i < 20; i++) {
		a.ts = t0 + (uint64_t)i * 100000000ull;  /* 20 alerts in 2 s */
		admitted += output_aggregator_admit(g, &a, 0, on_send, &s);
	}
	/* another output text is another window */
	a.msg = "m2";
	admitted += output_aggregator_admit(g, &a, 0, on_send, &s);
	assert_int_equal(admitted, 2);
	assert_true(output_aggregator_folded(g) == 19);
	assert_int_equal(s.n, 0);
	/* a window ends: its line says how many */
	a.msg = "m1";
	a.ts = t0 + 11000000000ull;
	assert_int_equal(output_aggregator_admit(g, &a, 0, on_send, &s), 1);
	assert_int_equal(s.n, 1);  /* the sweep closed m1's window and m2's (m2 folded nothing: no line) */
	assert_non_null(strstr(s.last, "R: 19 more in the last 10 s (outputs.aggregate)"));
	assert_true(output_aggregator_lines(g) == 1);
	output_aggregator_expire(g, UINT64_MAX, 0, on_send, &s);
	assert_true(output_aggregator_lines(g) == 1);  /* the new window folded nothing */
	output_aggregator_free(g);

	/* by: rule ignores the text */
	g = agg("1m", "rule");
	memset(&s, 0, sizeof(s));
	a.ts = t0;
	a.msg = "a";
	assert_int_equal(output_aggregator_admit(g, &a, 1, on_send, &s), 1);
	a.msg = "b";
	assert_int_equal(output_aggregator_admit(g, &a, 1, on_send, &s), 0);
	output_aggregator_expire(g, UINT64_MAX, 1, on_send, &s);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(s.last, "\"saker.aggregated\":1"));
	assert_non_null(strstr(s.last, "\"rule\":\"R\""));
	output_aggregator_free(g);

	/* internal alerts (metrics snapshots) are never folded */
	g = agg("1m", NULL);
	a.internal = 1;
	assert_int_equal(output_aggregator_admit(g, &a, 0, on_send, &s), 1);
	assert_int_equal(output_aggregator_admit(g, &a, 0, on_send, &s), 1);
	output_aggregator_free(g);
}

static void test_aggregate_bad(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(config_override(c, "outputs.aggregate.window=soon"), 0);
	int bad = 0;
	assert_null(output_aggregator_new(c, &bad));
	assert_int_equal(bad, 1);
	config_free(c);
}

static void test_set_counts(void **state)
{
	(void)state;
	struct config *c = config_new();
	assert_int_equal(config_override(c, "outputs.aggregate.window=60"), 0);
	assert_int_equal(config_override(c, "outputs.rate=1"), 0);
	assert_int_equal(config_override(c, "outputs.max_burst=2"), 0);
	FILE *f = tmpfile();
	struct output_set *o = output_set_open(c, f, 0);
	assert_non_null(o);
	struct output_alert a = { .priority = 4, .line = "x", .len = 1, .rule = "R", .msg_len = 1 };
	char msg[8];
	for (int i = 0; i < 5; i++) {
		snprintf(msg, sizeof(msg), "%d", i);  /* five windows: five alerts reach the rate limiter */
		a.msg = msg;
		a.ts = 1000000000000ull;
		output_set_emit(o, &a);
	}
	a.msg = "0";
	output_set_emit(o, &a);  /* folded */
	struct output_set_stats st;
	output_set_stats(o, &st);
	assert_true(st.aggregated == 1);
	assert_true(st.throttled == 3);  /* burst 2 of 5 */
	output_set_close(o);
	fclose(f);
	config_free(c);
}

static void test_sd_notify(void **state)
{
	(void)state;
	char path[] = "/tmp/saker-test-notify.XXXXXX";
	int tfd = mkstemp(path);
	assert_true(tfd >= 0);
	close(tfd);
	unlink(path);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(service_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(service_sd_notify("READY=1"), 1);
	char buf[64] = "";
	ssize_t n = recv(s, buf, sizeof(buf) - 1, 0);
	assert_int_equal(n, 7);
	assert_string_equal(buf, "READY=1");
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(service_sd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
	close(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),      cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_aggregate_bad), cmocka_unit_test(test_set_counts),
		cmocka_unit_test(test_sd_notify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
