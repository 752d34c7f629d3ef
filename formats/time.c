/* formats/time.c: RFC 3339 times to ns since the epoch, without the C library's time zone machinery. */
#include "formats/time.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (the civil-from-days
 * algorithm run backwards): no tm, no TZ. */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int sk_time_parse_rfc3339(const char *s, size_t n, uint64_t *ns)
{
	int y, mo, d, h, mi, sec;
	if (n < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
	    digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
	    s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap(y)) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	size_t i = 19;
	uint64_t frac = 0;
	if (i < n && s[i] == '.') {
		int k = 0;
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++)
			if (k < 9)
				frac = frac * 10 + (uint64_t)(s[i] - '0');
		if (k == 0)
			return -1;
		for (; k < 9; k++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh, om;
		if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
			return -1;
		off = (s[i] == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
		i += 6;
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	if (secs < 0 || secs > (int64_t)(UINT64_MAX / 1000000000ull) - 1)
		return -1;
	*ns = (uint64_t)secs * 1000000000ull + frac;
	return 0;
}
