/* replay/outputs/log.h: saker-replay's own messages (not alerts): log_level, log_stderr, log_syslog. */
#ifndef SAKER_REPLAY_OUTPUTS_LOG_H
#define SAKER_REPLAY_OUTPUTS_LOG_H

struct config;

/* Levels are syslog's (and Falco's): emergency 0 ... debug 7. */
enum output_log_level {
	OUTPUT_LOG_EMERG = 0, OUTPUT_LOG_ALERT, OUTPUT_LOG_CRIT, OUTPUT_LOG_ERR, OUTPUT_LOG_WARNING, OUTPUT_LOG_NOTICE, OUTPUT_LOG_INFO, OUTPUT_LOG_DEBUG
};

struct output_logger {
	int level;        /* messages above this level are dropped */
	int to_stderr;
	int to_syslog;
	int iso8601;      /* time_format_iso_8601 */
};

/* From log_level (info), log_stderr (true), log_syslog (false), time_format_iso_8601. */
void output_logger_from_config(struct output_logger *lg, const struct config *cfg);
/* Falco's format on stderr: "Www Mmm dd HH:MM:SS YYYY: msg" or
 * "YYYY-MM-DDTHH:MM:SS+0000: msg"; syslog gets the bare message. */
void output_log(const struct output_logger *lg, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
