/* replay/audit_config.c: the k8saudit plugin's entry of a falco.yaml (init_config, open_params) read as saker's audit options. */
#include "replay/replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "replay/config/config.h"

/*
 * A Falco configuration that loads the k8saudit plugin keeps working:
 *
 *   plugins:
 *     - name: k8saudit
 *       init_config: {sslCertificate: /etc/falco/falco.pem, maxEventSize: 262144,
 *                     webhookMaxBatchSize: 12582912}      (a map, or the same as JSON text)
 *       open_params: "http://:9765/k8s-audit"             (or https://..., or an audit log file)
 *   load_plugins: [k8saudit, json]
 *
 * init_config gives the defaults of --k8s-audit-cert and the size limits;
 * open_params, when load_plugins names k8saudit and the command line names
 * no input of its own, is the webhook to open or the audit log to replay.
 */

static const struct config_node *member(const struct config_node *map, const char *key)
{
	for (size_t i = 0; map && map->kind == CONFIG_MAP && i < map->n; i++)
		if (map->kids[i]->key && !strcmp(map->kids[i]->key, key))
			return map->kids[i];
	return NULL;
}

static int size_value(const char *text, const char *what, const struct config_node *at, size_t *out)
{
	char *end;
	unsigned long long v = strtoull(text, &end, 10);
	if (!*text || *end || v == 0 || v > (1ull << 32)) {
		if (at)
			fprintf(stderr, "%s:%d:%d: ", at->origin, at->line, at->col);
		fprintf(stderr, "saker-replay: k8saudit init_config: %s expects a positive number of bytes, got '%s'\n",
			what, text);
		return -1;
	}
	*out = (size_t)v;
	return 0;
}

/* init_config as a YAML map. */
static int init_from_map(struct replay_opts *o, const struct config_node *ic)
{
	const struct config_node *n;
	if ((n = member(ic, "sslCertificate")) && n->kind == CONFIG_SCALAR && !o->k8s_audit_cert)
		o->k8s_audit_cert = n->value;
	if ((n = member(ic, "maxEventSize")) && n->kind == CONFIG_SCALAR &&
	    size_value(n->value, "maxEventSize", n, &o->k8s_audit_max_event) < 0)
		return -1;
	if ((n = member(ic, "webhookMaxBatchSize")) && n->kind == CONFIG_SCALAR &&
	    size_value(n->value, "webhookMaxBatchSize", n, &o->k8s_audit_max_batch) < 0)
		return -1;
	return 0;
}

/* init_config as JSON text (Falco accepts both). The certificate path is
 * kept in a buffer the options point to: they live as long as the process. */
static int init_from_json(struct replay_opts *o, const struct config_node *ic)
{
	static char cert[4096];
	struct json_doc d;
	json_doc_init(&d);
	int rc = 0;
	if (json_doc_parse(&d, ic->value, strlen(ic->value)) < 0 || d.tok[0].kind != JSON_K_OBJECT) {
		fprintf(stderr, "%s:%d:%d: saker-replay: k8saudit init_config is neither a map nor a JSON object\n",
			ic->origin, ic->line, ic->col);
		json_doc_free(&d);
		return -1;
	}
	uint32_t v = json_doc_get(&d, 0, "sslCertificate");
	if (v != JSON_NONE && d.tok[v].kind == JSON_K_STRING && !o->k8s_audit_cert) {
		size_t n = d.tok[v].len - 2 < sizeof(cert) - 1 ? d.tok[v].len - 2 : sizeof(cert) - 1;
		n = json_unescape(d.text + d.tok[v].off + 1, n, cert);
		cert[n] = '\0';
		o->k8s_audit_cert = cert;
	}
	static const char *const sizes[] = {"maxEventSize", "webhookMaxBatchSize"};
	for (int i = 0; i < 2 && rc == 0; i++) {
		v = json_doc_get(&d, 0, sizes[i]);
		if (v == JSON_NONE)
			continue;
		char num[32];
		snprintf(num, sizeof(num), "%.*s", (int)d.tok[v].len, d.text + d.tok[v].off);
		rc = size_value(num, sizes[i], ic, i ? &o->k8s_audit_max_batch : &o->k8s_audit_max_event);
	}
	json_doc_free(&d);
	return rc;
}

static int loads_k8saudit(const struct config *c)
{
	const struct config_node *lp = config_find(c, "load_plugins");
	for (size_t i = 0; lp && lp->kind == CONFIG_SEQ && i < lp->n; i++)
		if (lp->kids[i]->kind == CONFIG_SCALAR && !strcmp(lp->kids[i]->value, "k8saudit"))
			return 1;
	return 0;
}

int replay_k8saudit_config(struct replay_opts *o)
{
	const struct config_node *plugins = config_find(o->config.cfg, "plugins");
	const struct config_node *entry = NULL;
	for (size_t i = 0; plugins && plugins->kind == CONFIG_SEQ && i < plugins->n && !entry; i++) {
		const struct config_node *name = member(plugins->kids[i], "name");
		if (name && name->kind == CONFIG_SCALAR && !strcmp(name->value, "k8saudit"))
			entry = plugins->kids[i];
	}
	if (!entry)
		return 0;
	const struct config_node *ic = member(entry, "init_config");
	if (ic && ic->kind == CONFIG_MAP && init_from_map(o, ic) < 0)
		return -1;
	if (ic && ic->kind == CONFIG_SCALAR && ic->value[0] == '{' && init_from_json(o, ic) < 0)
		return -1;
	const struct config_node *op = member(entry, "open_params");
	const char *p = op && op->kind == CONFIG_SCALAR ? op->value : NULL;
	if (!p || !*p || !loads_k8saudit(o->config.cfg) || o->ncaptures || o->k8s_audit_listen)
		return 0;
	if (!strncmp(p, "http://", 7) || !strncmp(p, "https://", 8)) {
		o->k8s_audit_listen = p;
		return 0;
	}
	if (o->live)
		return 0;
	/* an audit log: replayed once (file:// does not follow the file as it grows) */
	if (!strncmp(p, "file://", 7))
		p += 7;
	const char **v = realloc(o->captures, (o->ncaptures + 1) * sizeof(*v));
	if (!v)
		return -1;
	o->captures = v;
	o->captures[o->ncaptures++] = p;
	return 0;
}
