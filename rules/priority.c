/* rules/priority.c: rule priorities: parsing (case-insensitive, "info" alias) and canonical names. */
#include "rules/rules.h"

#include <strings.h>

static const char *const prio_names[] = {"Emergency", "Alert", "Critical", "Error",
					  "Warning", "Notice", "Informational", "Debug"};
static const char *const prio_summary[] = {"EMERGENCY", "ALERT", "CRITICAL", "ERROR",
					    "WARNING", "NOTICE", "INFO", "DEBUG"};

const char *rule_priority_name(int prio)
{
	return prio >= 0 && prio <= RULE_PRIO_DEBUG ? prio_names[prio] : "Unknown";
}

const char *rule_priority_summary_name(int prio)
{
	return prio >= 0 && prio <= RULE_PRIO_DEBUG ? prio_summary[prio] : "UNKNOWN";
}

int rule_priority_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i <= RULE_PRIO_DEBUG; i++)
		if (!strcasecmp(s, prio_names[i]))
			return i;
	if (!strcasecmp(s, "info"))
		return RULE_PRIO_INFORMATIONAL;
	return -1;
}
