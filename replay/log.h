/* replay/log.h: saker-replay's own messages (not alerts): log_level, log_stderr, log_syslog. */
#ifndef SAKER_REPLAY_LOG_H
#define SAKER_REPLAY_LOG_H

struct sk_config;

/* Levels are syslog's (and Falco's): emergency 0 ... debug 7. */
enum sk_log_level {
	SK_LOG_EMERG = 0, SK_LOG_ALERT, SK_LOG_CRIT, SK_LOG_ERR, SK_LOG_WARNING, SK_LOG_NOTICE, SK_LOG_INFO, SK_LOG_DEBUG
};

struct sk_logger {
	int level;        /* messages above this level are dropped */
	int to_stderr;
	int to_syslog;
	int iso8601;      /* time_format_iso_8601 */
};

/* From log_level (info), log_stderr (true), log_syslog (false), time_format_iso_8601. */
void sk_logger_from_config(struct sk_logger *lg, const struct sk_config *cfg);
/* Falco's format on stderr: "Www Mmm dd HH:MM:SS YYYY: msg" or
 * "YYYY-MM-DDTHH:MM:SS+0000: msg"; syslog gets the bare message. */
void sk_log(const struct sk_logger *lg, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
