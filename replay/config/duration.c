/* replay/config/duration.c: Prometheus durations ("15m", "1h30m", "500ms") as configuration values (metrics.interval, outputs.aggregate.window). */
#include "replay/config/config.h"

#include <string.h>

int config_parse_duration(const char *s, uint64_t *ns)
{
	static const struct { const char *u; uint64_t ns; } units[] = {
		{ "ms", 1000000ull }, { "s", 1000000000ull }, { "m", 60000000000ull }, { "h", 3600000000000ull },
		{ "d", 86400000000000ull }, { "w", 604800000000000ull }, { "y", 31536000000000000ull },
	};
	uint64_t total = 0;
	if (!s || !*s)
		return -1;
	while (*s) {
		if (*s < '0' || *s > '9')
			return -1;
		uint64_t n = 0;
		while (*s >= '0' && *s <= '9') {
			n = n * 10 + (uint64_t)(*s++ - '0');
			if (n > 1000000000ull)
				return -1;
		}
		size_t best = 0, blen = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t l = strlen(units[i].u);
			if (!strncmp(s, units[i].u, l) && l > blen) {
				best = i;
				blen = l;
			}
		}
		if (!blen)
			return -1;
		total += n * units[best].ns;
		s += blen;
	}
	*ns = total;
	return 0;
}
