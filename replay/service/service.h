/* replay/service/service.h: saker-replay as a service: Falco's webserver (/healthz, /versions, /metrics), metrics snapshots, systemd readiness. */
#ifndef SAKER_REPLAY_SERVICE_SERVICE_H
#define SAKER_REPLAY_SERVICE_SERVICE_H

/*
 * replay/service/ owns what an operator's tools talk to while --live runs:
 * Falco's webserver (webserver.* keys: /healthz, /versions, /metrics),
 * Falco's metrics (metrics.* keys) as Prometheus text 0.0.4, as the
 * "Falco internal: metrics snapshot" alert and as JSON lines, and the
 * sd_notify datagram of systemd's Type=notify. It may call replay/engine/,
 * replay/outputs/, replay/config/, rules/, sources/ (the webhook's HTTP
 * parser, reused for requests), json/.
 *
 * Threads: the webserver's threads only copy the last rendered text under
 * a lock; the caller's loop renders it (service_tick), so no counter of the
 * engine is read from another thread.
 */

#include <stddef.h>
#include <stdint.h>

struct config;
struct engine;
struct output_set;
struct service;

/* What saker reports as Falco's versions (/versions, falco.version). */
struct service_versions {
	const char *saker;            /* falco_version */
	const char *engine_semver;    /* engine_version_semver, e.g. "0.57.0" */
};

/* Counters the caller measures besides the engine's. */
struct service_counters {
	uint64_t n_evts;              /* events the probe delivered */
	uint64_t n_drops_buffer;      /* events lost to a full ring */
	uint64_t probe_copy_fail, probe_trunc, probe_decode_err;
	uint64_t capture_bytes;       /* -w: bytes written */
	unsigned capture_files;
	uint64_t reloads, reload_failures;
	uint64_t k8s_audit_events, k8s_audit_refused;
	int have_probe, have_capture, have_k8s_audit;
	/* metrics.*_enabled, set by the service from the configuration */
	int rules_counters, resource_utilization, kernel_counters;
};

/* Reads webserver.* and metrics.* and starts the webserver when enabled.
 * NULL with a one-line reason in err (a port in use, a certificate that
 * does not load, a bad interval). *none is set when nothing is enabled (no
 * webserver and no metrics): then NULL is not an error. */
struct service *service_start(const struct config *cfg, const struct service_versions *v, int *none, char *err,
			      size_t errlen);
/* Whether service_tick has work now (the caller then gathers counters). */
int service_due(const struct service *s);
/* Called from the detection loop (about every 10 ms): refreshes the
 * /metrics text about once a second and emits the metrics snapshot every
 * metrics.interval (alert through outs, JSON line to metrics.output_file). */
void service_tick(struct service *s, const struct engine *e, const struct service_counters *c,
		  struct output_set *outs);
/* The address the webserver listens on ("0.0.0.0:8765"), "" when off. */
const char *service_address(const struct service *s);
uint16_t service_port(const struct service *s);
void service_stop(struct service *s);

/* Prometheus text 0.0.4 of the counters into buf (cap bytes): the length,
 * or cap when it did not fit. Exposed for tests. */
size_t service_metrics_prometheus(const struct engine *e, const struct service_counters *c,
				  const struct service_versions *v, uint64_t start_ns, char *buf, size_t cap);

/* systemd's notification protocol: one datagram to $NOTIFY_SOCKET ("READY=1",
 * "STOPPING=1", "RELOADING=1\nMONOTONIC_USEC=..."). 1 sent, 0 no socket
 * set (not started by systemd), -1 failed (errno set). */
int service_sd_notify(const char *state);

#endif
