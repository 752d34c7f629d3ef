/* replay/report/mitre.c: the MITRE ATT&CK summary of a report: tactics (mitre_* tags) and techniques (T1234 tags) of the rules that fired. */
#include "replay/report/report.h"
#include "rules/rules.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Falco's tactic tags, in the order of the ATT&CK enterprise matrix. */
static const struct { const char *tag, *id, *name; } tactics[] = {
	{ "mitre_reconnaissance", "TA0043", "Reconnaissance" },
	{ "mitre_resource_development", "TA0042", "Resource Development" },
	{ "mitre_initial_access", "TA0001", "Initial Access" },
	{ "mitre_execution", "TA0002", "Execution" },
	{ "mitre_persistence", "TA0003", "Persistence" },
	{ "mitre_privilege_escalation", "TA0004", "Privilege Escalation" },
	{ "mitre_defense_evasion", "TA0005", "Defense Evasion" },
	{ "mitre_credential_access", "TA0006", "Credential Access" },
	{ "mitre_discovery", "TA0007", "Discovery" },
	{ "mitre_lateral_movement", "TA0008", "Lateral Movement" },
	{ "mitre_collection", "TA0009", "Collection" },
	{ "mitre_command_and_control", "TA0011", "Command and Control" },
	{ "mitre_exfiltration", "TA0010", "Exfiltration" },
	{ "mitre_impact", "TA0040", "Impact" },
};
#define NTACTICS (sizeof(tactics) / sizeof(tactics[0]))

/* Names of the techniques the upstream Falco rules and saker's rules tag. */
static const struct { const char *id, *name; } techniques[] = {
	{ "T1003", "OS Credential Dumping" },
	{ "T1005", "Data from Local System" },
	{ "T1020", "Automated Exfiltration" },
	{ "T1027", "Obfuscated Files or Information" },
	{ "T1036", "Masquerading" },
	{ "T1046", "Network Service Discovery" },
	{ "T1048", "Exfiltration Over Alternative Protocol" },
	{ "T1053", "Scheduled Task/Job" },
	{ "T1053.003", "Scheduled Task/Job: Cron" },
	{ "T1055", "Process Injection" },
	{ "T1055.008", "Process Injection: Ptrace System Calls" },
	{ "T1057", "Process Discovery" },
	{ "T1059", "Command and Scripting Interpreter" },
	{ "T1059.004", "Command and Scripting Interpreter: Unix Shell" },
	{ "T1068", "Exploitation for Privilege Escalation" },
	{ "T1070", "Indicator Removal" },
	{ "T1071", "Application Layer Protocol" },
	{ "T1072", "Software Deployment Tools" },
	{ "T1082", "System Information Discovery" },
	{ "T1083", "File and Directory Discovery" },
	{ "T1098", "Account Manipulation" },
	{ "T1098.004", "Account Manipulation: SSH Authorized Keys" },
	{ "T1105", "Ingress Tool Transfer" },
	{ "T1132", "Data Encoding" },
	{ "T1136", "Create Account" },
	{ "T1190", "Exploit Public-Facing Application" },
	{ "T1195.002", "Supply Chain Compromise: Compromise Software Supply Chain" },
	{ "T1204", "User Execution" },
	{ "T1205.001", "Traffic Signaling: Port Knocking" },
	{ "T1222.002", "File and Directory Permissions Modification: Linux and Mac" },
	{ "T1485", "Data Destruction" },
	{ "T1496", "Resource Hijacking" },
	{ "T1505", "Server Software Component" },
	{ "T1505.003", "Server Software Component: Web Shell" },
	{ "T1543", "Create or Modify System Process" },
	{ "T1546.004", "Event Triggered Execution: Unix Shell Configuration Modification" },
	{ "T1547", "Boot or Logon Autostart Execution" },
	{ "T1548.001", "Abuse Elevation Control Mechanism: Setuid and Setgid" },
	{ "T1548.003", "Abuse Elevation Control Mechanism: Sudo and Sudo Caching" },
	{ "T1552", "Unsecured Credentials" },
	{ "T1552.001", "Unsecured Credentials: Credentials In Files" },
	{ "T1552.005", "Unsecured Credentials: Cloud Instance Metadata API" },
	{ "T1554", "Compromise Host Software Binary" },
	{ "T1555", "Credentials from Password Stores" },
	{ "T1556", "Modify Authentication Process" },
	{ "T1557.002", "Adversary-in-the-Middle: ARP Cache Poisoning" },
	{ "T1562", "Impair Defenses" },
	{ "T1564.001", "Hide Artifacts: Hidden Files and Directories" },
	{ "T1565", "Data Manipulation" },
	{ "T1574", "Hijack Execution Flow" },
	{ "T1610", "Deploy Container" },
	{ "T1611", "Escape to Host" },
	{ "T1620", "Reflective Code Loading" },
	{ "T1622", "Debugger Evasion" },
};

const char *report_mitre_tactic(const char *tag, const char **id)
{
	for (size_t i = 0; i < NTACTICS; i++)
		if (!strcmp(tag, tactics[i].tag)) {
			if (id)
				*id = tactics[i].id;
			return tactics[i].name;
		}
	return NULL;
}

int report_mitre_is_technique(const char *t)
{
	if (t[0] != 'T' || !isdigit((unsigned char)t[1]) || !isdigit((unsigned char)t[2]) ||
	    !isdigit((unsigned char)t[3]) || !isdigit((unsigned char)t[4]))
		return 0;
	if (!t[5])
		return 1;
	return t[5] == '.' && isdigit((unsigned char)t[6]) && isdigit((unsigned char)t[7]) &&
	       isdigit((unsigned char)t[8]) && !t[9];
}

/* A technique's name, or its parent technique's for an unknown sub-technique, or "". */
static const char *technique_name(const char *id)
{
	for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++)
		if (!strcmp(id, techniques[i].id))
			return techniques[i].name;
	if (strlen(id) == 9)
		for (size_t i = 0; i < sizeof(techniques) / sizeof(techniques[0]); i++)
			if (!strncmp(id, techniques[i].id, 5) && !techniques[i].id[5])
				return techniques[i].name;
	return "";
}

static int tactic_rank(const char *id)
{
	for (size_t i = 0; i < NTACTICS; i++)
		if (!strcmp(id, tactics[i].id))
			return (int)i;
	return (int)NTACTICS;
}

static int cmp_rows(const void *x, const void *y)
{
	const struct report_mitre *a = x, *b = y;
	int ta = tactic_rank(a->tactic_id), tb = tactic_rank(b->tactic_id);
	if (ta != tb)
		return ta - tb;
	if (a->alerts != b->alerts)
		return a->alerts > b->alerts ? -1 : 1;
	return strcmp(a->technique, b->technique);
}

/* The row for (tactic, technique), added if new. */
static struct report_mitre *row_of(struct report_mitre *rows, size_t *n, const char *tid, const char *tname,
				   const char *tech)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(rows[i].tactic_id, tid) && !strcmp(rows[i].technique, tech))
			return &rows[i];
	struct report_mitre *r = &rows[(*n)++];
	*r = (struct report_mitre){ .tactic_id = tid, .tactic = tname, .technique = tech,
				    .technique_name = strcmp(tech, "-") ? technique_name(tech) : "" };
	return r;
}

struct report_mitre *report_mitre_table(const struct report_model *m, size_t *n)
{
	*n = 0;
	if (!m->rs)
		return NULL;
	size_t nr = rule_set_count(m->rs);
	size_t *per_rule = calloc(nr ? nr : 1, sizeof(*per_rule));
	if (!per_rule)
		return NULL;
	for (size_t i = 0; i < m->nalerts; i++)
		if (m->alerts[i].rule_index < nr)
			per_rule[m->alerts[i].rule_index]++;
	/* at most (tactics + 1) x (techniques + 1) rows per rule; allocate per tag pair */
	size_t cap = 16, cnt = 0;
	struct report_mitre *rows = malloc(cap * sizeof(*rows));
	for (size_t ri = 0; rows && ri < nr; ri++) {
		if (!per_rule[ri])
			continue;
		const struct rule_info *r = rule_set_rule(m->rs, ri);
		const char *tids[NTACTICS + 1], *tnames[NTACTICS + 1], *techs[32];
		size_t nt = 0, nq = 0;
		for (size_t k = 0; k < r->ntags; k++) {
			const char *id, *name = report_mitre_tactic(r->tags[k], &id);
			if (name && nt < NTACTICS) {
				tids[nt] = id;
				tnames[nt++] = name;
			} else if (report_mitre_is_technique(r->tags[k]) && nq < 32) {
				techs[nq++] = r->tags[k];
			}
		}
		if (!nt && !nq)
			continue;
		if (!nt) {
			tids[nt] = "-";
			tnames[nt++] = "(no tactic tag)";
		}
		if (!nq)
			techs[nq++] = "-";
		for (size_t a = 0; a < nt; a++)
			for (size_t b = 0; b < nq; b++) {
				if (cnt + 1 > cap) {
					struct report_mitre *g = realloc(rows, cap * 2 * sizeof(*rows));
					if (!g) {
						free(rows);
						free(per_rule);
						return NULL;
					}
					rows = g;
					cap *= 2;
				}
				struct report_mitre *x = row_of(rows, &cnt, tids[a], tnames[a], techs[b]);
				x->alerts += per_rule[ri];
				x->rules++;
			}
	}
	free(per_rule);
	if (!rows)
		return NULL;
	qsort(rows, cnt, sizeof(*rows), cmp_rows);
	*n = cnt;
	return rows;
}
