/* replay/service/service.c: the service's configuration (webserver.*, metrics.*), the webserver's start, and the metrics refreshed and snapshotted from the detection loop. */
#include "replay/service/service_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "replay/config/config.h"
#include "replay/engine/engine.h"
#include "replay/outputs/outputs.h"

#define METRICS_REFRESH_NS 1000000000ull
#define METRICS_BUF_MAX (16u << 20)
#define SNAPSHOT_CAP (256u << 10)

struct service {
	struct service_versions v;
	struct service_http *http;
	char address[300];
	int metrics_enabled, prom, output_rule;
	int rules_counters, resource_utilization, kernel_counters;
	uint64_t interval_ns;
	FILE *output_file;
	char output_path[4096];
	uint64_t start_ns;           /* CLOCK_REALTIME */
	uint64_t last_refresh, last_snapshot;  /* CLOCK_MONOTONIC */
	char *buf;                   /* /metrics text and snapshot lines */
	size_t cap;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *str_or(const struct config *cfg, const char *key, const char *dflt)
{
	const char *v = config_str(cfg, key);
	return v && *v ? v : dflt;
}

struct service *service_start(const struct config *cfg, const struct service_versions *v, int *none, char *err,
			      size_t errlen)
{
	*none = 0;
	int web = config_bool(cfg, "webserver.enabled", 0);
	int metrics = config_bool(cfg, "metrics.enabled", 0);
	if (!web && !metrics) {
		*none = 1;
		return NULL;
	}
	struct service *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->v = *v;
	s->start_ns = real_ns();
	s->metrics_enabled = metrics;
	s->prom = web && metrics && config_bool(cfg, "webserver.prometheus_metrics_enabled", 0);
	s->output_rule = metrics && config_bool(cfg, "metrics.output_rule", 0);
	s->rules_counters = config_bool(cfg, "metrics.rules_counters_enabled", 1);
	s->resource_utilization = config_bool(cfg, "metrics.resource_utilization_enabled", 1);
	s->kernel_counters = config_bool(cfg, "metrics.kernel_event_counters_enabled", 1) ||
			     config_bool(cfg, "metrics.kernel_event_counters_per_cpu_enabled", 0);
	s->interval_ns = 3600000000000ull;  /* Falco's default: 1h */
	const char *iv = config_str(cfg, "metrics.interval");
	if (metrics && iv && (config_parse_duration(iv, &s->interval_ns) < 0 || s->interval_ns < 100000000ull)) {
		snprintf(err, errlen, "metrics.interval '%s': expected a Prometheus duration of at least 100ms (15m, 1h, 30s)",
			 iv);
		goto fail;
	}
	const char *of = config_str(cfg, "metrics.output_file");
	if (metrics && of && *of) {
		snprintf(s->output_path, sizeof(s->output_path), "%s", of);
		s->output_file = fopen(of, "ae");
		if (!s->output_file) {
			snprintf(err, errlen, "metrics.output_file %s: %s", of, strerror(errno));
			goto fail;
		}
	}
	s->cap = 1u << 20;
	s->buf = malloc(s->cap);
	if (!s->buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (web) {
		struct service_http_opts ho = { 0 };
		snprintf(ho.address, sizeof(ho.address), "%s", str_or(cfg, "webserver.listen_address", "0.0.0.0"));
		double port = config_num(cfg, "webserver.listen_port", 8765);
		double th = config_num(cfg, "webserver.threadiness", 0);
		if (port < 0 || port > 65535 || port != (double)(long)port) {
			snprintf(err, errlen, "webserver.listen_port: expected a port number (0-65535)");
			goto fail;
		}
		ho.port = (uint16_t)port;
		ho.threads = th > 0 ? (unsigned)th : 0;
		ho.tls = config_bool(cfg, "webserver.ssl_enabled", 0);
		ho.cert = str_or(cfg, "webserver.ssl_certificate", "/etc/saker/saker.pem");
		ho.healthz = str_or(cfg, "webserver.k8s_healthz_endpoint", "/healthz");
		ho.metrics = s->prom;
		/* engine_version is Falco's minor number: "57" of "0.57.0" */
		char minor[16] = "0";
		const char *d1 = strchr(v->engine_semver, '.');
		if (d1)
			snprintf(minor, sizeof(minor), "%.*s", (int)strcspn(d1 + 1, "."), d1 + 1);
		char versions[1024];
		/* Falco's keys (falcoctl reads engine_version_semver and
		 * plugin_api_version), saker's values */
		snprintf(versions, sizeof(versions),
			 "{\"default_driver_version\":\"saker-ebpf-%s\",\"driver_api_version\":\"0.0.0\","
			 "\"driver_schema_version\":\"0.0.0\",\"engine_version\":\"%s\",\"engine_version_semver\":\"%s\","
			 "\"falco_version\":\"%s\",\"libs_version\":\"saker-%s\",\"plugin_api_version\":\"0.0.0\"}",
			 v->saker, minor, v->engine_semver, v->saker, v->saker);
		ho.versions_json = versions;
		s->http = service_http_start(&ho, err, errlen);
		if (!s->http)
			goto fail;
		snprintf(s->address, sizeof(s->address), "%s%s:%u", ho.tls ? "https://" : "http://",
			 ho.address[0] ? ho.address : "0.0.0.0", service_http_port(s->http));
	}
	s->last_snapshot = mono_ns();
	return s;
fail:
	service_stop(s);
	return NULL;
}

static void refresh_prometheus(struct service *s, const struct engine *e, const struct service_counters *c)
{
	for (;;) {
		size_t n = service_metrics_prometheus(e, c, &s->v, s->start_ns, s->buf, s->cap);
		if (n < s->cap) {
			service_http_set_metrics(s->http, s->buf, n);
			return;
		}
		if (s->cap >= METRICS_BUF_MAX)
			return;  /* the last text that fitted stays */
		char *nb = realloc(s->buf, s->cap * 2);
		if (!nb)
			return;
		s->buf = nb;
		s->cap *= 2;
	}
}

static void snapshot(struct service *s, const struct engine *e, const struct service_counters *c,
		     struct output_set *outs)
{
	uint64_t now = real_ns();
	struct service_buf b = { s->buf, s->cap < SNAPSHOT_CAP ? s->cap : SNAPSHOT_CAP, 0, 0 };
	if (s->output_file) {
		service_metrics_json(e, c, &s->v, s->start_ns, now, &b);
		if (!b.full) {
			fprintf(s->output_file, "%s\n", b.p);
			fflush(s->output_file);
		}
	}
	if (s->output_rule && outs) {
		b.len = 0;
		b.full = 0;
		if (e->o.json_output)
			service_metrics_json(e, c, &s->v, s->start_ns, now, &b);
		else
			service_metrics_text(e, c, &s->v, s->start_ns, now, &b);
		struct output_alert a = { .ts = now, .priority = 6, .json = e->o.json_output, .line = b.p, .len = b.len,
					  .internal = 1 };
		if (!b.full)
			output_set_emit(outs, &a);
	}
}

int service_due(const struct service *s)
{
	if (!s)
		return 0;
	uint64_t now = mono_ns();
	return (s->prom && now - s->last_refresh >= METRICS_REFRESH_NS) ||
	       (s->metrics_enabled && (s->output_file || s->output_rule) && now - s->last_snapshot >= s->interval_ns);
}

void service_tick(struct service *s, const struct engine *e, const struct service_counters *counters,
		  struct output_set *outs)
{
	if (!s)
		return;
	struct service_counters cc = *counters;
	const struct service_counters *c = &cc;
	cc.rules_counters = s->rules_counters;
	cc.resource_utilization = s->resource_utilization;
	cc.kernel_counters = s->kernel_counters;
	uint64_t now = mono_ns();
	if (s->prom && now - s->last_refresh >= METRICS_REFRESH_NS) {
		refresh_prometheus(s, e, c);
		s->last_refresh = now;
	}
	if (s->metrics_enabled && (s->output_file || s->output_rule) && now - s->last_snapshot >= s->interval_ns) {
		snapshot(s, e, c, outs);
		s->last_snapshot = now;
	}
}

const char *service_address(const struct service *s)
{
	return s && s->http ? s->address : "";
}

uint16_t service_port(const struct service *s)
{
	return s && s->http ? service_http_port(s->http) : 0;
}

void service_stop(struct service *s)
{
	if (!s)
		return;
	service_http_stop(s->http);
	if (s->output_file)
		fclose(s->output_file);
	free(s->buf);
	free(s);
}
