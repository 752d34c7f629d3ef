/* replay/extract/ka.c: ka.* (the k8saudit plugin's fields) and json.* / jevt.* (the json plugin's) from a Kubernetes audit event's JSON. */
#include "replay/extract/extract.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

/*
 * The event's JSON (compact, as sources/ stores it: every non-string value
 * is its own compact text, so values are spans of the event, no copy) is
 * parsed once, on the first field asked of the event, into a token array
 * kept from event to event. Strings with escapes or bytes Falco strips, and
 * values the plugin builds (joined commands, query parameters), go into an
 * arena of chunks that is rewound for every event: after warm-up nothing is
 * allocated per event.
 *
 * Value formats are the plugins' (k8saudit 0.18.0, json 0.7.4): strings
 * unquoted, other JSON values as compact JSON text, lists element by
 * element; a missing key, or a value of the wrong type, is no value. The
 * plugin's quirks are kept (docs/compat.md): ka.sourceips reads the rules of
 * the request object, eff_run_as_user/group read runAsUser/runAsGroup next
 * to the containers, ka.req.service.ports is one item holding the ports.
 */

#define KA_VALS 256   /* values one walk collects (lists stop at RULE_LIST_MAX) */

struct ka_chunk {
	struct ka_chunk *next;
	size_t cap, used;
	char data[];
};

struct extract_ka {
	struct json_doc doc;
	uint64_t gen;          /* event the document belongs to */
	int json_ok;           /* the event is a k8saudit plugin event whose JSON parsed */
	int audit;             /* ... and an audit event (it has an auditID) */
	struct ka_chunk *chunks, *cur;
	uint32_t vals[KA_VALS];
};

void extract_ka_free(struct extract_ka *k)
{
	if (!k)
		return;
	json_doc_free(&k->doc);
	for (struct ka_chunk *c = k->chunks, *n; c; c = n) {
		n = c->next;
		free(c);
	}
	free(k);
}

static char *arena(struct extract_ka *k, size_t n)
{
	struct ka_chunk *c = k->cur;
	while (c && c->cap - c->used < n) {
		c = c->next;
		if (c)
			c->used = 0;
	}
	if (!c) {
		size_t cap = n > 16384 ? n : 16384;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		/* after the current chunk, so the rewind reaches it again */
		if (k->cur) {
			c->next = k->cur->next;
			k->cur->next = c;
		} else {
			c->next = k->chunks;
			k->chunks = c;
		}
	}
	k->cur = c;
	char *p = c->data + c->used;
	c->used += n;
	return p;
}

/* The event's document, parsed once per event; NULL when it has none. */
static struct extract_ka *ka_doc(struct extract_ctx *c, int need_audit)
{
	struct extract_ka *k = c->ka;
	if (!k) {
		k = c->ka = calloc(1, sizeof(*k));
		if (!k)
			return NULL;
		json_doc_init(&k->doc);
		k->gen = c->gen - 1;
	}
	if (k->gen != c->gen) {
		k->gen = c->gen;
		k->json_ok = k->audit = 0;
		k->cur = k->chunks;
		if (k->cur)
			k->cur->used = 0;
		const struct sk_event *ev = c->ev;
		if (sk_event_plugin_id(ev) == SK_PLUGIN_ID_K8SAUDIT && ev->nparams > SK_PLUGINEVENT_DATA) {
			const struct sk_param *p = &ev->params[SK_PLUGINEVENT_DATA];
			k->json_ok = p->len && json_doc_parse(&k->doc, (const char *)p->val, p->len) == 0;
			k->audit = k->json_ok && json_doc_get(&k->doc, 0, "auditID") != JSON_NONE;
		}
	}
	return (need_audit ? k->audit : k->json_ok) ? k : NULL;
}

static int printable(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

/* A string value (bytes Falco does not print stripped, as for every field). */
static int put_str(struct extract_ka *k, struct rule_value *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && printable((unsigned char)s[i]))
		i++;
	if (i < n) {
		char *b = arena(k, n);
		if (!b)
			return 0;
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (printable((unsigned char)s[j]))
				b[m++] = s[j];
		s = b;
		n = m;
	}
	out->type = RF_STRING;
	out->ipv6 = 0;
	out->nul_free = 1;
	out->v.s = s;
	out->len = (uint32_t)n;
	return 1;
}

/* Token v as the plugin's jsonValueAsString: a string unescaped, any other
 * value as its JSON text. */
static int put_tok(struct extract_ka *k, struct rule_value *out, uint32_t v)
{
	const struct json_doc *d = &k->doc;
	if (v == JSON_NONE)
		return 0;
	const struct json_tok *t = &d->tok[v];
	const char *s = d->text + t->off;
	size_t n = t->len;
	if (t->kind == JSON_K_STRING) {
		s++;
		n -= 2;
		if (t->escaped) {
			char *b = arena(k, n);
			if (!b)
				return 0;
			n = json_unescape(s, n, b);
			s = b;
		}
	}
	return put_str(k, out, s, n);
}

static uint32_t path(const struct extract_ka *k, const char *const *keys, size_t n)
{
	return json_doc_path(&k->doc, 0, keys, n);
}
#define PATH(k, ...) path(k, (const char *const[]){__VA_ARGS__}, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* The plugin's extractFromKeys: one value, or (lists) the elements of an array. */
static int from_keys(struct extract_ka *k, const struct rule_field_ref *ref, struct rule_value *out, uint32_t v)
{
	if (v == JSON_NONE)
		return 0;
	const struct rule_field_def *def = field_def(ref->id);
	if (!(def->flags & RFF_LIST))
		return put_tok(k, out, v);
	const struct json_doc *d = &k->doc;
	if (d->tok[v].kind != JSON_K_ARRAY)
		return 0;
	int n = 0;
	for (uint32_t e = v + 1; e < d->tok[v].end && n < RULE_LIST_MAX; e = d->tok[e].end)
		n += put_tok(k, &out[n], e);
	return n;
}

/*
 * The plugin's getValuesRecursive: follows keys from v; an array met before
 * a key is expanded (every element, or element idx). Elements lacking the
 * rest of the path give JSON_NONE (its nil). Collected values go to
 * k->vals[*n]. 0, or -1 when the path is not there at all.
 */
static int walk(struct extract_ka *k, uint32_t v, const char *const *keys, int nkeys, int64_t idx, int *n)
{
	const struct json_doc *d = &k->doc;
	for (int i = 0; i < nkeys; i++) {
		if (d->tok[v].kind == JSON_K_ARRAY) {
			if (idx < 0) {
				for (uint32_t e = v + 1; e < d->tok[v].end; e = d->tok[e].end) {
					int before = *n;
					if (walk(k, e, keys + i, nkeys - i, idx, n) < 0) {
						*n = before;
						if (*n < KA_VALS)
							k->vals[(*n)++] = JSON_NONE;
					}
				}
				return 0;
			}
			v = json_doc_index(d, v, (size_t)idx);
			if (v == JSON_NONE)
				return -1;
		}
		/* "" is the plugin's Get() without a key: the value itself */
		if (keys[i][0])
			v = json_doc_get(d, v, keys[i]);
		if (v == JSON_NONE)
			return -1;
	}
	if (*n < KA_VALS)
		k->vals[(*n)++] = v;
	return 0;
}

static int64_t index_arg(const struct rule_field_ref *ref)
{
	return ref->has_arg ? ref->arg_index : -1;
}

/* vals as strings, nil entries left out (arrayAsStringsSkipNil). */
static int strings_skip_nil(struct extract_ka *k, struct rule_value *out, int nv)
{
	int n = 0;
	for (int i = 0; i < nv && n < RULE_LIST_MAX; i++)
		if (k->vals[i] != JSON_NONE)
			n += put_tok(k, &out[n], k->vals[i]);
	return n;
}

/* vals as strings; a nil entry makes the whole field unavailable (arrayAsStrings). */
static int strings_all(struct extract_ka *k, struct rule_value *out, int nv)
{
	for (int i = 0; i < nv; i++)
		if (k->vals[i] == JSON_NONE)
			return 0;
	return strings_skip_nil(k, out, nv);
}

/* ---- pod containers: containers, initContainers, ephemeralContainers ---- */

enum csub {
	C_IMAGE, C_IMAGE_REPO, C_PRIVILEGED, C_NAME, C_COMMAND, C_ARGS, C_HOST_PORT, C_ALLOW_PRIV_ESC,
	C_READ_ONLY_FS, C_RUN_AS_USER, C_RUN_AS_GROUP, C_PROC_MOUNT, C_ADD_CAPS, C_EFF_USER, C_EFF_GROUP,
};

static const struct {
	uint16_t id;
	uint8_t list;   /* 0 containers, 1 initContainers, 2 ephemeralContainers */
	uint8_t sub;
} container_fields[] = {
#define CF(l, L, S) \
	{F_KA_REQ_POD_##L##_IMAGE, l, C_IMAGE}, {F_KA_REQ_POD_##L##_IMAGE_REPOSITORY, l, C_IMAGE_REPO}, \
	{F_KA_REQ_POD_##L##_PRIVILEGED, l, C_PRIVILEGED}, {F_KA_REQ_POD_##L##_NAME, l, C_NAME}, \
	{F_KA_REQ_POD_##L##_COMMAND, l, C_COMMAND}, {F_KA_REQ_POD_##L##_ARGS, l, C_ARGS}, \
	{F_KA_REQ_POD_##L##_ALLOW_PRIVILEGE_ESCALATION, l, C_ALLOW_PRIV_ESC}, \
	{F_KA_REQ_POD_##L##_READ_ONLY_FS, l, C_READ_ONLY_FS}, {F_KA_REQ_POD_##L##_RUN_AS_USER, l, C_RUN_AS_USER}, \
	{F_KA_REQ_POD_##L##_RUN_AS_GROUP, l, C_RUN_AS_GROUP}, {F_KA_REQ_POD_##L##_PROC_MOUNT, l, C_PROC_MOUNT}, \
	{F_KA_REQ_POD_##L##_ADD_CAPABILITIES, l, C_ADD_CAPS}, {F_KA_REQ_POD_##L##_EFF_RUN_AS_USER, l, C_EFF_USER}, \
	{F_KA_REQ_POD_##L##_EFF_RUN_AS_GROUP, l, C_EFF_GROUP}
	CF(0, CONTAINERS, containers), CF(1, INITCONTAINERS, initContainers),
	CF(2, EPHEMERALCONTAINERS, ephemeralContainers),
#undef CF
	{F_KA_REQ_POD_CONTAINERS_HOST_PORT, 0, C_HOST_PORT},
	{F_KA_REQ_POD_INITCONTAINERS_HOST_PORT, 1, C_HOST_PORT},
};

static const char *const list_key[] = {"containers", "initContainers", "ephemeralContainers"};

/* getContainerValues: sub-keys under each container of the list. */
static int container_values(struct extract_ka *k, int list, int64_t idx, const char *k1, const char *k2,
			    const char *k3, int *n)
{
	const char *keys[6] = {"requestObject", "spec", list_key[list], k1, k2, k3};
	int nk = 3 + (k1 != NULL) + (k2 != NULL) + (k3 != NULL);
	*n = 0;
	return walk(k, 0, keys, nk, idx, n);
}

/* The images of the list, or 0 (any container without one: unavailable). */
static int images(struct extract_ka *k, int list, int64_t idx, struct rule_value *out)
{
	int nv;
	if (container_values(k, list, idx, "image", NULL, NULL, &nv) < 0)
		return 0;
	return strings_all(k, out, nv);
}

/* The repository of an image: before the first ':', then before the first
 * '@' (so "registry:5000/x" gives "registry", as the plugin does). */
static void to_repository(struct rule_value *v)
{
	const char *colon = memchr(v->v.s, ':', v->len);
	if (colon)
		v->len = (uint32_t)(colon - v->v.s);
	const char *at = memchr(v->v.s, '@', v->len);
	if (at)
		v->len = (uint32_t)(at - v->v.s);
}

/* command / args: each container's strings joined with spaces. */
static int joined(struct extract_ka *k, int list, int64_t idx, const char *key, struct rule_value *out)
{
	const struct json_doc *d = &k->doc;
	int nv;
	if (container_values(k, list, idx, key, NULL, NULL, &nv) < 0)
		return 0;
	int n = 0;
	for (int i = 0; i < nv && n < RULE_LIST_MAX; i++) {
		uint32_t a = k->vals[i];
		if (a == JSON_NONE)
			continue;
		if (d->tok[a].kind != JSON_K_ARRAY)
			return 0;
		size_t len = 0;
		for (uint32_t e = a + 1; e < d->tok[a].end; e = d->tok[e].end) {
			if (d->tok[e].kind != JSON_K_STRING)
				return 0;
			len += d->tok[e].len + 1;
		}
		char *b = arena(k, len + 1);
		if (!b)
			return 0;
		size_t m = 0;
		for (uint32_t e = a + 1; e < d->tok[a].end; e = d->tok[e].end) {
			if (m)
				b[m++] = ' ';
			m += json_unescape(d->text + d->tok[e].off + 1, d->tok[e].len - 2, b + m);
		}
		n += put_str(k, &out[n], b, m);
	}
	return n;
}

/* hostPort of each port, or its containerPort (equal with hostNetwork). */
static int host_ports(struct extract_ka *k, int list, int64_t idx, struct rule_value *out)
{
	const struct json_doc *d = &k->doc;
	int nv;
	if (container_values(k, list, idx, "ports", NULL, NULL, &nv) < 0)
		return 0;
	uint32_t ports[KA_VALS];
	memcpy(ports, k->vals, (size_t)nv * sizeof(*ports));
	int n = 0;
	for (int i = 0; i < nv; i++) {
		uint32_t a = ports[i];
		if (a == JSON_NONE)
			continue;
		if (d->tok[a].kind != JSON_K_ARRAY)
			return 0;
		for (uint32_t e = a + 1; e < d->tok[a].end && n < RULE_LIST_MAX; e = d->tok[e].end) {
			uint32_t p = json_doc_get(d, e, "hostPort");
			if (p == JSON_NONE)
				p = json_doc_get(d, e, "containerPort");
			if (p != JSON_NONE)
				n += put_tok(k, &out[n], p);
		}
	}
	return n;
}

/* eff_run_as_user/group: the plugin reads requestObject.spec.<key> as the
 * pod's value (default "0") and <key> directly under each container. */
static int effective(struct extract_ka *k, int list, int64_t idx, const char *key, struct rule_value *out)
{
	struct rule_value pod;
	uint32_t pv = PATH(k, "requestObject", "spec", key);
	if (!(pv != JSON_NONE ? put_tok(k, &pod, pv) : put_str(k, &pod, "0", 1)))
		return 0;
	int nv;
	if (container_values(k, list, idx, key, NULL, NULL, &nv) < 0)
		return 0;
	int n = 0;
	for (int i = 0; i < nv && n < RULE_LIST_MAX; i++) {
		if (k->vals[i] == JSON_NONE)
			out[n++] = pod;
		else
			n += put_tok(k, &out[n], k->vals[i]);
	}
	return n;
}

static int container_field(struct extract_ka *k, const struct rule_field_ref *ref, int list, int sub,
			   struct rule_value *out)
{
	int64_t idx = index_arg(ref);
	int nv, n;
	const char *sc = "securityContext";
	switch (sub) {
	case C_IMAGE:
		return images(k, list, idx, out);
	case C_IMAGE_REPO:
		n = images(k, list, idx, out);
		for (int i = 0; i < n; i++)
			to_repository(&out[i]);
		return n;
	case C_NAME:
		if (container_values(k, list, idx, "name", NULL, NULL, &nv) < 0)
			return 0;
		return strings_all(k, out, nv);
	case C_COMMAND:
		return joined(k, list, idx, "command", out);
	case C_ARGS:
		return joined(k, list, idx, "args", out);
	case C_HOST_PORT:
		return host_ports(k, list, idx, out);
	case C_EFF_USER:
		return effective(k, list, idx, "runAsUser", out);
	case C_EFF_GROUP:
		return effective(k, list, idx, "runAsGroup", out);
	}
	static const char *const sec_key[] = {
		[C_PRIVILEGED] = "privileged", [C_ALLOW_PRIV_ESC] = "allowPrivilegeEscalation",
		[C_READ_ONLY_FS] = "readOnlyRootFilesystem", [C_RUN_AS_USER] = "runAsUser",
		[C_RUN_AS_GROUP] = "runAsGroup", [C_PROC_MOUNT] = "procMount", [C_ADD_CAPS] = "capabilities",
	};
	if (container_values(k, list, idx, sc, sec_key[sub], sub == C_ADD_CAPS ? "add" : NULL, &nv) < 0)
		return 0;
	return strings_skip_nil(k, out, nv);
}

/* ---- other fields built from several values ---- */

/* Names of the binding's subjects of one kind (ServiceAccount with ns:
 * namespace:name). */
static int subject_names(struct extract_ka *k, const char *kind, int with_ns, struct rule_value *out)
{
	const struct json_doc *d = &k->doc;
	uint32_t subj = PATH(k, "requestObject", "subjects");
	if (subj == JSON_NONE || d->tok[subj].kind != JSON_K_ARRAY)
		return 0;
	int n = 0;
	for (uint32_t e = subj + 1; e < d->tok[subj].end && n < RULE_LIST_MAX; e = d->tok[e].end) {
		uint32_t kd = json_doc_get(d, e, "kind"), nm = json_doc_get(d, e, "name");
		struct rule_value kv, nv, ns;
		if (kd == JSON_NONE || nm == JSON_NONE || !put_tok(k, &kv, kd) || kv.len != strlen(kind) ||
		    memcmp(kv.v.s, kind, kv.len) || !put_tok(k, &nv, nm))
			continue;
		if (!with_ns) {
			out[n++] = nv;
			continue;
		}
		if (!put_tok(k, &ns, json_doc_get(d, e, "namespace")))
			continue;
		char *b = arena(k, ns.len + 1 + nv.len);
		if (!b)
			return n;
		memcpy(b, ns.v.s, ns.len);
		b[ns.len] = ':';
		memcpy(b + ns.len + 1, nv.v.s, nv.len);
		n += put_str(k, &out[n], b, ns.len + 1 + nv.len);
	}
	return n;
}

/* extractRulesField: one key of the request object's rules, flattened. */
static int rules_field(struct extract_ka *k, const struct rule_field_ref *ref, const char *key, struct rule_value *out)
{
	const struct json_doc *d = &k->doc;
	const char *keys[] = {"requestObject", "rules", key};
	int nv = 0;
	if (walk(k, 0, keys, 3, index_arg(ref), &nv) < 0)
		return 0;
	uint32_t arrays[KA_VALS];
	memcpy(arrays, k->vals, (size_t)nv * sizeof(*arrays));
	int n = 0;
	for (int i = 0; i < nv; i++) {
		uint32_t a = arrays[i];
		if (a == JSON_NONE || d->tok[a].kind != JSON_K_ARRAY)
			continue;
		for (uint32_t e = a + 1; e < d->tok[a].end && n < RULE_LIST_MAX; e = d->tok[e].end)
			n += put_tok(k, &out[n], e);
	}
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Go's url.QueryUnescape of s[0..n) into out: '+' is a space; -1 on a bad escape. */
static long query_unescape(const char *s, size_t n, char *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[m++] = ' ';
		} else if (s[i] == '%') {
			int h = i + 2 < n ? hexval(s[i + 1]) : -1, l = i + 2 < n ? hexval(s[i + 2]) : -1;
			if (h < 0 || l < 0)
				return -1;
			out[m++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[m++] = s[i];
		}
	}
	return (long)m;
}

/* ka.uri.param[key]: the first value of key in the request URI's query, as
 * Go's url.ParseQuery reads it (a malformed query gives no value at all). */
static int uri_param(struct extract_ka *k, const char *key, struct rule_value *out)
{
	struct rule_value uri;
	if (!key || !put_tok(k, &uri, json_doc_get(&k->doc, 0, "requestURI")))
		return 0;
	const char *q = memchr(uri.v.s, '?', uri.len);
	if (!q)
		return 0;
	const char *end = uri.v.s + uri.len;
	const char *hash = memchr(q, '#', (size_t)(end - q));
	if (hash)
		end = hash;
	q++;
	char *kb = arena(k, (size_t)(end - q) + 1), *vb = arena(k, (size_t)(end - q) + 1);
	if (!kb || !vb)
		return 0;
	size_t klen = strlen(key);
	int found = 0;
	struct rule_value v = {0};
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		const char *pe = amp ? amp : end;
		if (memchr(q, ';', (size_t)(pe - q)))
			return 0; /* Go refuses semicolon separators */
		if (pe > q) {
			const char *eq = memchr(q, '=', (size_t)(pe - q));
			const char *ke = eq ? eq : pe;
			long kn = query_unescape(q, (size_t)(ke - q), kb);
			long vn = eq ? query_unescape(eq + 1, (size_t)(pe - eq - 1), vb) : 0;
			if (kn < 0 || vn < 0)
				return 0;
			if (!found && (size_t)kn == klen && !memcmp(kb, key, klen)) {
				found = put_str(k, &v, vb, (size_t)vn);
				/* keep the value: the next pair reuses vb */
				vb = arena(k, (size_t)(end - q) + 1);
				if (!vb)
					return 0;
			}
		}
		q = amp ? amp + 1 : end;
	}
	if (found)
		*out = v;
	return found;
}

/* ka.req.volume.hostpath[path]: "true" when a hostPath volume has path
 * (path ending in '*': as a prefix), else "false". */
static int volume_hostpath(struct extract_ka *k, const char *arg, struct rule_value *out)
{
	const char *keys[] = {"requestObject", "spec", "volumes", "hostPath", "path"};
	int nv = 0;
	if (!arg || walk(k, 0, keys, 5, -1, &nv) < 0)
		return 0;
	size_t al = strlen(arg);
	int prefix = al && arg[al - 1] == '*';
	struct rule_value p;
	for (int i = 0; i < nv; i++) {
		if (k->vals[i] == JSON_NONE || !put_tok(k, &p, k->vals[i]))
			continue;
		if (prefix ? p.len >= al - 1 && !memcmp(p.v.s, arg, al - 1) : p.len == al && !memcmp(p.v.s, arg, al))
			return put_str(k, out, "true", 4);
	}
	return put_str(k, out, "false", 5);
}

/* volume_type: every key but name of each volume. */
static int volume_types(struct extract_ka *k, const struct rule_field_ref *ref, struct rule_value *out)
{
	const struct json_doc *d = &k->doc;
	const char *keys[] = {"requestObject", "spec", "volumes", ""};
	int nv = 0;
	if (walk(k, 0, keys, 4, index_arg(ref), &nv) < 0)
		return 0;
	int n = 0;
	for (int i = 0; i < nv; i++) {
		uint32_t o = k->vals[i];
		if (o == JSON_NONE || d->tok[o].kind != JSON_K_OBJECT)
			continue;
		for (uint32_t key = o + 1; key < d->tok[o].end && n < RULE_LIST_MAX; key = d->tok[key + 1].end)
			if (!json_doc_str_eq(d, key, "name", 4))
				n += put_tok(k, &out[n], key);
	}
	return n;
}

static int extract_audit(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	struct extract_ka *k = ka_doc(c, 1);
	if (!k)
		return 0;
	int nv = 0;
	struct rule_value tmp[RULE_LIST_MAX];
	switch (ref->id) {
	case F_KA_AUDITID: return from_keys(k, ref, out, PATH(k, "auditID"));
	case F_KA_STAGE: return from_keys(k, ref, out, PATH(k, "stage"));
	case F_KA_AUTH_DECISION: return from_keys(k, ref, out, PATH(k, "annotations", "authorization.k8s.io/decision"));
	case F_KA_AUTH_REASON: return from_keys(k, ref, out, PATH(k, "annotations", "authorization.k8s.io/reason"));
	case F_KA_AUTH_OPENSHIFT_DECISION:
		return from_keys(k, ref, out, PATH(k, "annotations", "authentication.openshift.io/decision"));
	case F_KA_AUTH_OPENSHIFT_USERNAME:
		return from_keys(k, ref, out, PATH(k, "annotations", "authentication.openshift.io/username"));
	case F_KA_VALIDATIONS_ADMISSION_POLICY_FAILURE:
		return from_keys(k, ref, out,
				 PATH(k, "annotations", "validation.policy.admission.k8s.io/validation_failure"));
	case F_KA_SECURITY_POD_VIOLATIONS:
		return from_keys(k, ref, out, PATH(k, "annotations", "pod-security.kubernetes.io/audit-violations"));
	case F_KA_USER_NAME: return from_keys(k, ref, out, PATH(k, "user", "username"));
	case F_KA_USER_GROUPS: return from_keys(k, ref, out, PATH(k, "user", "groups"));
	case F_KA_IMPUSER_NAME: return from_keys(k, ref, out, PATH(k, "impersonatedUser", "username"));
	case F_KA_VERB: return from_keys(k, ref, out, PATH(k, "verb"));
	case F_KA_URI: return from_keys(k, ref, out, PATH(k, "requestURI"));
	case F_KA_URI_PARAM: return uri_param(k, ref->arg, out);
	case F_KA_TARGET_NAME: return from_keys(k, ref, out, PATH(k, "objectRef", "name"));
	case F_KA_TARGET_NAMESPACE: return from_keys(k, ref, out, PATH(k, "objectRef", "namespace"));
	case F_KA_TARGET_RESOURCE: return from_keys(k, ref, out, PATH(k, "objectRef", "resource"));
	case F_KA_TARGET_SUBRESOURCE: return from_keys(k, ref, out, PATH(k, "objectRef", "subresource"));
	case F_KA_TARGET_POD_NAME: {
		uint32_t r = PATH(k, "objectRef", "resource"), s = PATH(k, "objectRef", "subresource");
		int sub_empty = s == JSON_NONE || k->doc.tok[s].kind != JSON_K_STRING || k->doc.tok[s].len == 2;
		if (!json_doc_str_eq(&k->doc, r, "pods", 4) || !sub_empty)
			return 0;
		return from_keys(k, ref, out, PATH(k, "responseObject", "metadata", "name"));
	}
	case F_KA_REQ_BINDING_SUBJECTS: return from_keys(k, ref, out, PATH(k, "requestObject", "subjects"));
	case F_KA_REQ_BINDING_SUBJECTS_USER_NAMES: return subject_names(k, "User", 0, out);
	case F_KA_REQ_BINDING_SUBJECTS_SERVICEACCOUNT_NAMES: return subject_names(k, "ServiceAccount", 0, out);
	case F_KA_REQ_BINDING_SUBJECTS_SERVICEACCOUNT_NS_NAMES: return subject_names(k, "ServiceAccount", 1, out);
	case F_KA_REQ_BINDING_SUBJECTS_GROUP_NAMES: return subject_names(k, "Group", 0, out);
	case F_KA_REQ_BINDING_ROLE: return from_keys(k, ref, out, PATH(k, "requestObject", "roleRef", "name"));
	case F_KA_REQ_BINDING_SUBJECT_HAS_NAME: return put_str(k, out, "true", 4);
	case F_KA_REQ_CONFIGMAP_NAME: return from_keys(k, ref, out, PATH(k, "objectRef", "name"));
	case F_KA_REQ_CONFIGMAP_OBJ: return from_keys(k, ref, out, PATH(k, "requestObject", "data"));
	case F_KA_REQ_CONTAINER_IMAGE:
		if (!images(k, 0, -1, tmp))
			return 0;
		*out = tmp[0];
		return 1;
	case F_KA_REQ_CONTAINER_IMAGE_REPOSITORY:
		if (!images(k, 0, -1, tmp))
			return 0;
		*out = tmp[0];
		to_repository(out);
		return 1;
	case F_KA_REQ_CONTAINER_PRIVILEGED:
		if (container_values(k, 0, -1, "securityContext", "privileged", NULL, &nv) < 0)
			return 0;
		for (int i = 0; i < nv; i++)
			if (k->vals[i] != JSON_NONE && k->doc.tok[k->vals[i]].kind == JSON_K_TRUE)
				return put_str(k, out, "true", 4);
		return put_str(k, out, "false", 5);
	case F_KA_REQ_POD_HOST_IPC: return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "hostIPC"));
	case F_KA_REQ_POD_HOST_NETWORK:
	case F_KA_REQ_CONTAINER_HOST_NETWORK:
		return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "hostNetwork"));
	case F_KA_REQ_POD_HOST_PID: return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "hostPID"));
	case F_KA_REQ_POD_RUN_AS_USER:
		return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "securityContext", "runAsUser"));
	case F_KA_REQ_POD_RUN_AS_GROUP:
		return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "securityContext", "runAsGroup"));
	case F_KA_REQ_POD_FS_GROUP:
		return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "securityContext", "fsGroup"));
	case F_KA_REQ_POD_SUPPLEMENTAL_GROUPS:
		return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "securityContext", "supplementalGroups"));
	case F_KA_REQ_ROLE_RULES: return from_keys(k, ref, out, PATH(k, "requestObject", "rules"));
	case F_KA_REQ_ROLE_RULES_APIGROUPS: return rules_field(k, ref, "apiGroups", out);
	case F_KA_REQ_ROLE_RULES_RESOURCES: return rules_field(k, ref, "resources", out);
	case F_KA_REQ_ROLE_RULES_VERBS: return rules_field(k, ref, "verbs", out);
	case F_KA_REQ_ROLE_RULES_NONRESOURCEURLS: return rules_field(k, ref, "nonResourceURLs", out);
	case F_KA_SOURCEIPS: return rules_field(k, ref, "sourceIPs", out);
	case F_KA_REQ_SERVICE_TYPE: return from_keys(k, ref, out, PATH(k, "requestObject", "spec", "type"));
	case F_KA_REQ_SERVICE_PORTS: {
		const char *keys[] = {"requestObject", "spec", "ports"};
		if (walk(k, 0, keys, 3, index_arg(ref), &nv) < 0)
			return 0;
		return strings_skip_nil(k, out, nv);
	}
	case F_KA_REQ_POD_VOLUMES_HOSTPATH:
	case F_KA_REQ_POD_VOLUMES_FLEXVOLUME_DRIVER: {
		int hp = ref->id == F_KA_REQ_POD_VOLUMES_HOSTPATH;
		const char *keys[] = {"requestObject", "spec", "volumes", hp ? "hostPath" : "flexVolume",
				      hp ? "path" : "driver"};
		if (walk(k, 0, keys, 5, index_arg(ref), &nv) < 0)
			return 0;
		return strings_skip_nil(k, out, nv);
	}
	case F_KA_REQ_POD_VOLUMES_VOLUME_TYPE: return volume_types(k, ref, out);
	case F_KA_REQ_VOLUME_HOSTPATH: return volume_hostpath(k, ref->arg, out);
	case F_KA_RESP_NAME: return from_keys(k, ref, out, PATH(k, "responseObject", "metadata", "name"));
	case F_KA_RESPONSE_CODE: return from_keys(k, ref, out, PATH(k, "responseStatus", "code"));
	case F_KA_RESPONSE_REASON: return from_keys(k, ref, out, PATH(k, "responseStatus", "reason"));
	case F_KA_USERAGENT: return from_keys(k, ref, out, PATH(k, "userAgent"));
	case F_KA_CLUSTER_NAME: return from_keys(k, ref, out, PATH(k, "annotations", "cluster_name"));
	}
	for (size_t i = 0; i < sizeof(container_fields) / sizeof(container_fields[0]); i++)
		if (container_fields[i].id == ref->id)
			return container_field(k, ref, container_fields[i].list, container_fields[i].sub, out);
	return 0;
}

/* json.* / jevt.*: the json plugin's fields, for any JSON event. */
static int extract_json(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	struct extract_ka *k = ka_doc(c, 0);
	if (!k)
		return 0;
	switch (ref->id) {
	case F_JSON_VALUE:
	case F_JEVT_VALUE:
		if (!ref->arg)
			return put_str(k, out, k->doc.text, k->doc.len);
		return put_tok(k, out, json_doc_pointer(&k->doc, ref->arg, strlen(ref->arg)));
	case F_JSON_OBJ:
	case F_JEVT_OBJ: {
		size_t n = json_indent(k->doc.text, k->doc.len, NULL, 0);
		char *b = arena(k, n + 1);
		if (!b)
			return 0;
		json_indent(k->doc.text, k->doc.len, b, n + 1);
		/* the plugin's indented text; its newlines go the way of every
		 * non-printable byte (decisions.md) */
		return put_str(k, out, b, n);
	}
	case F_JSON_RAWTIME:
	case F_JEVT_RAWTIME: {
		char *b = arena(k, 24);
		if (!b)
			return 0;
		int n = snprintf(b, 24, "%" PRIu64, c->ev->ts);
		return put_str(k, out, b, (size_t)n);
	}
	}
	return 0;
}

int extract_ka(struct extract_ctx *c, const struct rule_field_ref *ref, struct rule_value *out)
{
	const char *name = field_def(ref->id)->name;
	if (name[0] == 'k')
		return extract_audit(c, ref, out);
	return extract_json(c, ref, out);
}
