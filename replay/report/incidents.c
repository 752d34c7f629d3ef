/* replay/report/incidents.c: grouping alerts into incidents by shared process ancestry and time. */
#include "replay/report/report.h"

#include <stdlib.h>
#include <string.h>

/*
 * Two alerts belong to one incident when their processes descend from a
 * common ancestor that is not one of the top two levels of the known tree
 * (init and the services it started: every process shares those), and the
 * alert comes less than gap_ns after the incident's latest one. The
 * incident's root is the lineage's common ancestor, the entry point a
 * responder looks at first: the shell under a web server, the ssh session,
 * the container's shim. Alerts without a process group by time alone.
 */

#define MAX_DEPTH 64
/* Common ancestors at depth 0 (the tree's top) and 1 (its direct children) do not join alerts. */
#define MIN_ROOT_DEPTH 2u

/* The records from p up to the top of its known tree, p first; returns how many. */
static size_t lineage(const struct report_model *m, int64_t p, int64_t *out)
{
	size_t n = 0;
	for (; p >= 0 && n < MAX_DEPTH; p = m->procs[p].parent) {
		for (size_t i = 0; i < n; i++)
			if (out[i] == p)
				return n;   /* a loop in bad data */
		out[n++] = p;
	}
	return n;
}

/* The deepest common ancestor of a and b and its depth (its count of
 * known ancestors), or -1. */
static int64_t common_ancestor(const struct report_model *m, int64_t a, int64_t b, size_t *depth)
{
	int64_t la[MAX_DEPTH], lb[MAX_DEPTH];
	size_t na = lineage(m, a, la), nb = lineage(m, b, lb);
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nb; k++)
			if (la[i] == lb[k]) {
				*depth = na - 1 - i;
				return la[i];
			}
	return -1;
}

/* Priorities: lower is more severe (Emergency 0 ... Debug 7). */
static int more_severe(int a, int b)
{
	return a < b;
}

/* Open incidents examined per alert: bounds the grouping's cost when
 * thousands of unrelated alerts fall within one gap. */
#define MAX_OPEN_SCAN 512

struct pair {
	int64_t incident;
	size_t rule;
};

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;
	if (a->incident != b->incident)
		return a->incident < b->incident ? -1 : 1;
	return a->rule < b->rule ? -1 : a->rule > b->rule;
}

void report_free_incidents(struct report_model *m)
{
	for (size_t k = 0; k < m->nincidents; k++)
		free(m->incidents[k].rules);
	free(m->incidents);
	m->incidents = NULL;
	m->nincidents = 0;
}

int report_group_incidents(struct report_model *m)
{
	report_free_incidents(m);
	if (!m->nalerts)
		return 0;
	m->incidents = calloc(m->nalerts, sizeof(*m->incidents));
	struct pair *pairs = malloc(m->nalerts * sizeof(*pairs));
	if (!m->incidents || !pairs) {
		free(pairs);
		return -1;
	}
	for (size_t i = 0; i < m->nalerts; i++) {
		struct report_alert *a = &m->alerts[i];
		int64_t join = -1, root = -1;
		size_t scanned = 0;
		/* the most recent open incident that shares the alert's lineage */
		for (size_t k = m->nincidents; k-- > 0 && scanned < MAX_OPEN_SCAN;) {
			struct report_incident *c = &m->incidents[k];
			if (a->ts > c->last_ts + m->gap_ns)
				continue;
			scanned++;
			if (a->proc < 0 || c->root < 0) {
				if (a->proc < 0 && c->root < 0) {
					join = (int64_t)k;
					break;
				}
				continue;
			}
			size_t depth = 0;
			int64_t r = common_ancestor(m, a->proc, c->root, &depth);
			/* below the tree's top two levels, or one process descends from the other */
			if (r >= 0 && (depth >= MIN_ROOT_DEPTH || r == a->proc || r == c->root)) {
				join = (int64_t)k;
				root = r;
				break;
			}
		}
		if (join < 0) {
			join = (int64_t)m->nincidents++;
			struct report_incident *c = &m->incidents[join];
			c->first_ts = a->ts;
			c->first_alert = (int64_t)i;
			c->priority = a->priority;
			c->root = a->proc;
		} else if (root >= 0) {
			m->incidents[join].root = root;
		}
		struct report_incident *c = &m->incidents[join];
		a->incident = join;
		c->nalerts++;
		if (a->ts > c->last_ts)
			c->last_ts = a->ts;
		if (more_severe(a->priority, c->priority))
			c->priority = a->priority;
		pairs[i] = (struct pair){ join, a->rule_index };
	}
	/* distinct rules per incident, in rule order */
	qsort(pairs, m->nalerts, sizeof(*pairs), cmp_pair);
	size_t *ids = malloc(m->nalerts * sizeof(*ids));
	int rc = ids ? 0 : -1;
	for (size_t i = 0, start = 0; ids && i <= m->nalerts; i++) {
		if (i < m->nalerts && i > start && pairs[i].incident == pairs[start].incident) {
			if (pairs[i].rule != pairs[i - 1].rule)
				ids[m->incidents[pairs[i].incident].nrules++] = pairs[i].rule;
			continue;
		}
		if (i > start) {
			struct report_incident *c = &m->incidents[pairs[start].incident];
			c->rules = malloc(c->nrules * sizeof(*c->rules));
			if (c->rules)
				memcpy(c->rules, ids, c->nrules * sizeof(*c->rules));
			else
				rc = -1;
		}
		if (i < m->nalerts) {
			start = i;
			m->incidents[pairs[i].incident].nrules = 1;
			ids[0] = pairs[i].rule;
		}
	}
	free(ids);
	free(pairs);
	return rc;
}
