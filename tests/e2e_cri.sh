#!/bin/sh
# tests/e2e_cri.sh: container and pod metadata from a real CRI runtime (containerd's CRI plugin, a private instance): upstream container rules fire with the container's name, image, privileges and pod, live and from the recording.
. tests/lib.sh
RULES=$SHARED/peers/rules
if ! need_root; then
	skip "CRI metadata test needs root and kernel BTF (the probe)"
	exit 0
fi
for tool in containerd ctr runc busybox; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip "CRI metadata test needs $tool (make deps installs containerd, runc, busybox-static)"
		exit 0
	fi
done
d=$(tmpdir)
S="$d/ctrd.sock"
CTR="ctr --address $S -n k8s.io"
ctrd=""
cleanup() {
	[ -n "$SAKER_TEST_KEEP" ] && mkdir -p "$SAKER_TEST_KEEP" && cp "$d"/*.out "$d"/*.err "$d"/*.log "$SAKER_TEST_KEEP"/ 2>/dev/null
	for p in $(cat "$d"/pods 2>/dev/null); do "$d/cri_run" "$S" rmpod "$p" >/dev/null 2>&1; done
	if [ -n "$ctrd" ]; then
		kill "$ctrd" 2>/dev/null && wait "$ctrd" 2>/dev/null
	fi
	# the overlay snapshots of a killed containerd may still be mounted
	grep -o " $d/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
	rm -rf "$d"
}
trap cleanup EXIT
# linked with host/'s gRPC and protobuf code, sanitized like it under SANITIZE=1
SAN=""
nm "$B/libhost.a" 2>/dev/null | grep -q __asan && SAN="-fsanitize=address,undefined"
if ! ${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE $SAN -I. -o "$d/cri_run" tests/tools/cri_run.c "$B/libhost.a" "$B/libformats.a" \
	"$B/libjson.a" -lnghttp2 -lpthread 2>"$d/cc.err"; then
	fail "e2e_cri: building tests/tools/cri_run.c: $(head -3 "$d/cc.err")"
	exit 0
fi
# a private containerd: its own root, state and socket; the sandbox ("pause")
# image is the offline busybox one; this VM refuses a negative
# oom_score_adj, which restrict_oom_score_adj avoids
containerd config default >"$d/config.toml" 2>/dev/null
sed -i -e 's#sandbox_image = .*#sandbox_image = "docker.io/library/saker-busybox:1"#' \
	-e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' "$d/config.toml"
containerd --config "$d/config.toml" --root "$d/root" --state "$d/state" --address "$S" >"$d/containerd.log" 2>&1 &
ctrd=$!
i=0
while [ $i -lt 100 ] && ! $CTR version >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
if ! $CTR version >/dev/null 2>&1; then
	tail -5 "$d/containerd.log"
	skip "containerd did not start (see above)"
	exit 0
fi
# an offline image: busybox-static and a shadow file, as a docker archive
mkdir -p "$d/rootfs/bin" "$d/rootfs/etc" "$d/arch"
cp "$(command -v busybox)" "$d/rootfs/bin/busybox"
for a in sh cat sleep; do ln -s busybox "$d/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$d/rootfs/etc/passwd"
echo 'root:*:19000:0:99999:7:::' >"$d/rootfs/etc/shadow"
tar -C "$d/rootfs" -cf "$d/arch/layer.tar" .
layer=$(sha256sum "$d/arch/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/bin/sleep"],"Cmd":["1000000"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
	"$layer" >"$d/arch/config.json"
cfg=$(sha256sum "$d/arch/config.json" | cut -d' ' -f1)
mv "$d/arch/config.json" "$d/arch/$cfg.json"
printf '[{"Config":"%s.json","RepoTags":["docker.io/library/saker-busybox:1"],"Layers":["layer.tar"]}]' "$cfg" >"$d/arch/manifest.json"
tar -C "$d/arch" -cf "$d/image.tar" .
if ! $CTR images import "$d/image.tar" >"$d/import.log" 2>&1; then
	cat "$d/import.log"
	skip "containerd cannot import an image here (see above)"
	exit 0
fi
IMG=docker.io/library/saker-busybox:1
if ! "$d/cri_run" "$S" run sk-probe $IMG 0 - sh -c : >"$d/probe.ids" 2>"$d/probe.log"; then
	cat "$d/probe.log"
	skip "containerd's CRI plugin cannot run a pod here (see above)"
	exit 0
fi
cut -d' ' -f1 "$d/probe.ids" >>"$d/pods"

cat >"$d/saker.yaml" <<YAML
container_engines:
  docker: {enabled: false}
  podman: {enabled: false}
  containerd: {enabled: false}
  cri:
    enabled: true
    sockets: [$S]
YAML
R="-r $RULES/falco_rules.yaml -r $RULES/falco-incubating_rules.yaml -r $RULES/falco-sandbox_rules.yaml"
FMT='priv=%container.privileged type=%container.type app=%k8s.pod.label.app'

# the three pods: the first command of each is pid 1 (container_started); the later exec keeps pid 1
containers() {
	"$d/cri_run" "$S" run "sk-priv-$1" $IMG 1 - sh -c 'sleep 2; exec sleep 1' >>"$d/ids"
	"$d/cri_run" "$S" run "sk-mount-$1" $IMG 0 /etc:/host-etc sh -c 'sleep 2; exec sleep 1' >>"$d/ids"
	"$d/cri_run" "$S" run "sk-shell-$1" $IMG 0 - sh -c 'sleep 2; cat /etc/shadow >/dev/null' >>"$d/ids"
	sleep 4
	cut -d' ' -f1 "$d/ids" >>"$d/pods"
}

$REPLAY -c "$d/saker.yaml" $R -p "$FMT" --live -M 120 -w "$d/live.skr" >"$d/live.out" 2>"$d/live.err" &
rp=$!
wait_for "$d/live.err" '^saker-replay: --live: detecting'
containers live 2>>"$d/cri.err"
sleep 1
kill -INT $rp
wait $rp
check "live replay exits 0" [ $? -eq 0 ]
cat "$d/live.err"
check "the lookup names the CRI socket and runtime it uses" \
	grep -q "^saker-replay: containers: using cri (CRI, containerd) at $S\$" "$d/live.err"
POD='k8s_pod_name=sk-priv-live-pod k8s_ns_name=saker-e2e'
check "live: Launch Privileged Container fires for sk-priv-live: image, privileged, type containerd, pod, namespace, pod label" \
	grep -q "Privileged container started .*priv=true type=containerd app=sk-priv-live-pod container_id=[0-9a-f]\{12\} container_name=sk-priv-live container_image_repository=docker.io/library/saker-busybox container_image_tag=1 $POD" "$d/live.out"
check "live: Launch Sensitive Mount Container fires for sk-mount-live (mount /etc, from CRI's mounts)" \
	grep -q "Container with sensitive mount started .*/etc:/host-etc.*priv=false type=containerd .*container_name=sk-mount-live container_image_repository=docker.io/library/saker-busybox" "$d/live.out"
check "live: the shell's read of /etc/shadow is named with its container and pod" \
	grep -q "Sensitive file opened for reading by non-trusted program .*file=/etc/shadow.*container_name=sk-shell-live .*k8s_pod_name=sk-shell-live-pod k8s_ns_name=saker-e2e" "$d/live.out"

# the recording gives the same alerts offline (the runtime is not asked)
$REPLAY $R -p "$FMT" -e "$d/live.skr" >"$d/replay.out" 2>"$d/replay.err"
check "replay of the -w capture exits 0" [ $? -eq 0 ]
for rule in "Privileged container started" "Container with sensitive mount started" "Sensitive file opened for reading by non-trusted program"; do
	grep "$rule" "$d/live.out" | grep -o 'container_id=.*' | sort >"$d/a"
	grep "$rule" "$d/replay.out" | grep -o 'container_id=.*' | sort >"$d/b"
	check "'$rule': the recording's alerts name the same containers and pods as live ($(wc -l <"$d/a") alerts)" \
		sh -c "[ -s '$d/a' ] && cmp -s '$d/a' '$d/b'"
done

# saker-record: the lookup lists the running containers (every second) and records them as they come
$RECORD -f -w "$d/rec.skr" -M 120 --container-socket "cri=$S" --container-socket "docker=$d/absent.sock" \
	--container-socket "podman=$d/absent.sock" 2>"$d/rec.err" &
rec=$!
wait_for "$d/rec.err" "recording to"
containers rec 2>>"$d/cri.err"
sleep 1
kill -INT $rec
wait $rec
check "saker-record exits 0" [ $? -eq 0 ]
cat "$d/rec.err"
$REPLAY $R -p "$FMT" -e "$d/rec.skr" >"$d/rec.out" 2>"$d/recrep.err"
check "saker-record capture: Launch Privileged Container names sk-priv-rec, its image and pod" \
	grep -q "Privileged container started .*priv=true type=containerd app=sk-priv-rec-pod container_id=[0-9a-f]\{12\} container_name=sk-priv-rec container_image_repository=docker.io/library/saker-busybox container_image_tag=1 k8s_pod_name=sk-priv-rec-pod" "$d/rec.out"
check "saker-record capture: the read of /etc/shadow names sk-shell-rec" \
	grep -q "Sensitive file opened for reading by non-trusted program .*file=/etc/shadow.*container_name=sk-shell-rec " "$d/rec.out"

# .scap export: the container events sysdig reads carry the records
$REPLAY -e "$d/live.skr" -w "$d/live.scap" 2>"$d/conv.err"
check "the .scap export holds the CRI records as container events" \
	sh -c "$REPLAY -e '$d/live.scap' --print '%evt.type %evt.arg.json' | grep -q '^container .*\"name\":\"sk-priv-live\".*\"pod_sandbox_labels\"'"
check "the pods' sandbox containers have records too (is_pod_sandbox, named after the pod)" \
	sh -c "$REPLAY -e '$d/live.scap' --print '%evt.type %evt.arg.json' | grep -q '^container .*\"name\":\"sk-priv-live-pod\".*\"is_pod_sandbox\":true'"
