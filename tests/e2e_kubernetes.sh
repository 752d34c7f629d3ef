#!/bin/sh
# tests/e2e_kubernetes.sh: the DaemonSet manifests and the Helm chart hold what a node sensor needs (schema check with python3-yaml; Debian has no helm; untested on a live cluster).
. tests/lib.sh
if ! python3 -c 'import yaml' 2>/dev/null; then
	skip "python3-yaml is absent"
	exit 0
fi
if command -v helm >/dev/null; then
	check "helm lint" helm lint deploy/kubernetes/helm/saker
else
	skip "helm is absent (no Debian package): the chart is rendered by this test's own substitution, not by helm"
fi
python3 - <<'PY'
import re, sys, yaml

def out(ok, name):
    print(("PASS: " if ok else "FAIL: ") + name)

def check_ds(docs, where):
    kinds = {d["kind"]: d for d in docs if d}
    ds = kinds.get("DaemonSet")
    out(ds is not None and ds.get("apiVersion") == "apps/v1", f"{where}: a DaemonSet of apps/v1")
    if not ds:
        return
    spec = ds["spec"]
    tpl = spec["template"]
    out(spec["selector"]["matchLabels"].items() <= tpl["metadata"]["labels"].items(),
        f"{where}: the selector matches the pod's labels")
    pod = tpl["spec"]
    out(pod.get("hostPID") is True, f"{where}: hostPID")
    c = pod["containers"][0]
    caps = set(c["securityContext"]["capabilities"]["add"])
    out({"BPF", "PERFMON", "SYS_RESOURCE"} <= caps and "ALL" in c["securityContext"]["capabilities"]["drop"],
        f"{where}: exact capabilities (BPF, PERFMON, SYS_RESOURCE...), all others dropped")
    out("--live" in c["args"], f"{where}: runs --live")
    vols = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m for m in c["volumeMounts"]}
    for name, path in (("btf", "/sys/kernel/btf"), ("proc", "/proc")):
        out(vols.get(name, {}).get("hostPath", {}).get("path") == path and mounts.get(name, {}).get("readOnly") is True,
            f"{where}: {path} mounted read-only")
    out(any("sock" in m["mountPath"] and m.get("readOnly") for m in c["volumeMounts"]),
        f"{where}: a runtime socket mounted read-only")
    out(all(m["name"] in vols for m in c["volumeMounts"]), f"{where}: every mount has its volume")
    probe = c.get("livenessProbe", {}).get("httpGet", {})
    out(probe.get("path") == "/healthz" and probe.get("port") == 8765, f"{where}: liveness on /healthz:8765")
    cfg = yaml.safe_load(kinds["ConfigMap"]["data"]["saker.yaml"])
    out(cfg["webserver"]["enabled"] is True and cfg["webserver"]["listen_port"] == 8765,
        f"{where}: the configuration turns Falco's webserver on")

check_ds(list(yaml.safe_load_all(open("deploy/kubernetes/daemonset.yaml"))), "daemonset.yaml")

# the chart, rendered with values.yaml by substitution ({{ .Values.x.y }},
# {{ toJson .Values.x }}, {{ .Release.Name }})
values = yaml.safe_load(open("deploy/kubernetes/helm/saker/values.yaml"))
chart = yaml.safe_load(open("deploy/kubernetes/helm/saker/Chart.yaml"))
out(chart.get("apiVersion") == "v2" and chart.get("name") == "saker" and chart.get("version"), "Chart.yaml: v2, name, version")
def val(path):
    v = values
    for k in path.split("."):
        v = v[k]
    return v
def render(text):
    def sub(m):
        expr = m.group(1).strip()
        if expr == ".Release.Name":
            return "test"
        if expr.startswith("toJson .Values."):
            import json
            return json.dumps(val(expr[len("toJson .Values."):]))
        if expr.startswith(".Values."):
            v = val(expr[len(".Values."):])
            return str(v).lower() if isinstance(v, bool) else str(v)
        raise ValueError("unknown template expression: " + expr)
    return re.sub(r"{{(.*?)}}", sub, text)
docs = []
for t in ("configmap.yaml", "daemonset.yaml"):
    docs += list(yaml.safe_load_all(render(open("deploy/kubernetes/helm/saker/templates/" + t).read())))
check_ds(docs, "helm chart (rendered)")
PY
