/* replay/outputs/log.c: writing saker-replay's own messages to stderr and/or syslog, filtered by level. */
#include "replay/outputs/log.h"
#include "replay/config/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

void output_logger_from_config(struct output_logger *lg, const struct config *cfg)
{
	static const char *const names[] = {"emergency", "alert", "critical", "error",
					    "warning",   "notice", "info",     "debug"};
	lg->level = OUTPUT_LOG_INFO;
	const char *l = cfg ? config_str(cfg, "log_level") : NULL;
	for (int i = 0; l && i < 8; i++)
		if (!strcmp(l, names[i]))
			lg->level = i;
	lg->to_stderr = cfg ? config_bool(cfg, "log_stderr", 1) : 1;
	lg->to_syslog = cfg ? config_bool(cfg, "log_syslog", 0) : 0;
	lg->iso8601 = cfg ? config_bool(cfg, "time_format_iso_8601", 0) : 0;
}

void output_log(const struct output_logger *lg, int level, const char *fmt, ...)
{
	if (level > lg->level)
		return;
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (lg->to_stderr) {
		char stamp[64];
		time_t now = time(NULL);
		struct tm tm;
		if (lg->iso8601) {
			gmtime_r(&now, &tm);
			strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S+0000", &tm);
		} else {
			localtime_r(&now, &tm);
			strftime(stamp, sizeof(stamp), "%a %b %e %H:%M:%S %Y", &tm);
		}
		fprintf(stderr, "%s: %s\n", stamp, msg);
	}
	if (lg->to_syslog)
		syslog(level, "%s", msg);
}
