#!/bin/sh
# tests/e2e_containers.sh: container metadata from a real runtime (podman's Docker-compatible API): upstream container rules fire with the container's name, image and privileges, live and from the recording.
. tests/lib.sh
RULES=$SHARED/peers/rules
if ! need_root; then
	skip "container metadata test needs root and kernel BTF (the probe)"
	exit 0
fi
for tool in podman runc busybox; do
	if ! command -v $tool >/dev/null 2>&1; then
		skip "container metadata test needs $tool (make deps installs podman, runc, busybox-static)"
		exit 0
	fi
done
d=$(tmpdir)
# a private store and API socket: nothing of the machine's own podman is touched
P="podman --root $d/store --runroot $d/run --runtime runc --cgroup-manager cgroupfs --events-backend file"
RUN="--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"
svc=""
cleanup() {
	[ -n "$SAKER_TEST_KEEP" ] && mkdir -p "$SAKER_TEST_KEEP" && cp "$d"/*.out "$d"/*.err "$d"/*.skr "$SAKER_TEST_KEEP"/ 2>/dev/null
	$P rm -f -a >/dev/null 2>&1
	[ -n "$svc" ] && kill "$svc" 2>/dev/null && wait "$svc" 2>/dev/null
	$P system reset -f >/dev/null 2>&1
	rm -rf "$d"
}
trap cleanup EXIT
# an offline image: busybox-static and a shadow file, imported from a tarball
mkdir -p "$d/rootfs/bin" "$d/rootfs/etc"
cp "$(command -v busybox)" "$d/rootfs/bin/busybox"
for a in sh cat sleep; do ln -s busybox "$d/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$d/rootfs/etc/passwd"
echo 'root:*:19000:0:99999:7:::' >"$d/rootfs/etc/shadow"
tar -C "$d/rootfs" -cf "$d/rootfs.tar" .
if ! $P import "$d/rootfs.tar" localhost/sakerbox:1.0 >"$d/import.log" 2>&1; then
	cat "$d/import.log"
	skip "podman cannot import an image here (see above)"
	exit 0
fi
if ! $P run --rm $RUN localhost/sakerbox:1.0 sh -c : >"$d/probe.log" 2>&1; then
	cat "$d/probe.log"
	skip "podman cannot run a container here (see above)"
	exit 0
fi
$P system service --time=0 "unix://$d/podman.sock" >"$d/service.log" 2>&1 &
svc=$!
i=0
while [ $i -lt 100 ] && [ ! -S "$d/podman.sock" ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -S "$d/podman.sock" ]; then
	cat "$d/service.log"
	skip "podman system service did not create its socket"
	exit 0
fi
cat >"$d/saker.yaml" <<YAML
container_engines:
  docker:
    enabled: false
  podman:
    enabled: true
    sockets: [$d/podman.sock]
YAML
R="-r $RULES/falco_rules.yaml -r $RULES/falco-incubating_rules.yaml -r $RULES/falco-sandbox_rules.yaml"
FMT='priv=%container.privileged'

# the three containers: the first command of each is pid 1 (container_started); the later exec keeps pid 1
containers() {
	$P run --rm $RUN --privileged --name "sk-priv-$1" localhost/sakerbox:1.0 sh -c 'sleep 2; exec sleep 1'
	$P run --rm $RUN -v /etc:/host-etc:ro --name "sk-mount-$1" localhost/sakerbox:1.0 sh -c 'sleep 2; exec sleep 1'
	$P run --rm $RUN --name "sk-shell-$1" localhost/sakerbox:1.0 sh -c 'sleep 2; cat /etc/shadow >/dev/null'
}

$REPLAY -c "$d/saker.yaml" $R -p "$FMT" --live -M 120 -w "$d/live.skr" >"$d/live.out" 2>"$d/live.err" &
rp=$!
wait_for "$d/live.err" '^saker-replay: --live: detecting'
containers live 2>>"$d/podman.err"
sleep 1
kill -INT $rp
wait $rp
check "live replay exits 0" [ $? -eq 0 ]
cat "$d/live.err"
check "the lookup names the podman socket it uses" grep -q "^saker-replay: containers: using podman at $d/podman.sock\$" "$d/live.err"
check "live: Launch Privileged Container fires for sk-priv-live, image localhost/sakerbox, privileged" \
	grep -q "Privileged container started .*priv=true container_id=[0-9a-f]\{12\} container_name=sk-priv-live container_image_repository=localhost/sakerbox container_image_tag=1.0" "$d/live.out"
check "live: Launch Sensitive Mount Container fires for sk-mount-live (mount /etc)" \
	grep -q "Container with sensitive mount started .*/etc:/host-etc.*priv=false container_id=[0-9a-f]\{12\} container_name=sk-mount-live container_image_repository=localhost/sakerbox" "$d/live.out"
check "live: the shell's read of /etc/shadow is named with its container" \
	grep -q "Sensitive file opened for reading by non-trusted program .*file=/etc/shadow.*priv=false container_id=[0-9a-f]\{12\} container_name=sk-shell-live container_image_repository=localhost/sakerbox" "$d/live.out"
check "live: no other container is named sk-priv-live privileged=false" \
	sh -c "! grep -q 'priv=false container_id=[0-9a-f]* container_name=sk-priv-live' '$d/live.out'"

# the recording gives the same alerts offline (the runtime is not asked)
$REPLAY $R -p "$FMT" -e "$d/live.skr" >"$d/replay.out" 2>"$d/replay.err"
check "replay of the -w capture exits 0" [ $? -eq 0 ]
for rule in "Privileged container started" "Container with sensitive mount started" "Sensitive file opened for reading by non-trusted program"; do
	grep "$rule" "$d/live.out" | grep -o 'container_id=.*' | sort >"$d/a"
	grep "$rule" "$d/replay.out" | grep -o 'container_id=.*' | sort >"$d/b"
	check "'$rule': the recording's alerts name the same containers as live ($(wc -l <"$d/a") alerts)" \
		sh -c "[ -s '$d/a' ] && cmp -s '$d/a' '$d/b'"
done

# saker-record: the lookup lists the running containers (every second) and records them as they come
$RECORD -f -w "$d/rec.skr" -M 120 --container-socket "podman=$d/podman.sock" --container-socket "docker=$d/absent.sock" 2>"$d/rec.err" &
rec=$!
wait_for "$d/rec.err" "recording to"
containers rec 2>>"$d/podman.err"
sleep 1
kill -INT $rec
wait $rec
check "saker-record exits 0" [ $? -eq 0 ]
cat "$d/rec.err"
$REPLAY $R -p "$FMT" -e "$d/rec.skr" >"$d/rec.out" 2>"$d/recrep.err"
check "saker-record capture: Launch Privileged Container names sk-priv-rec, localhost/sakerbox, privileged" \
	grep -q "Privileged container started .*priv=true container_id=[0-9a-f]\{12\} container_name=sk-priv-rec container_image_repository=localhost/sakerbox container_image_tag=1.0" "$d/rec.out"
check "saker-record capture: Launch Sensitive Mount Container names sk-mount-rec" \
	grep -q "Container with sensitive mount started .*/etc:/host-etc.*container_name=sk-mount-rec container_image_repository=localhost/sakerbox" "$d/rec.out"
check "saker-record capture: the read of /etc/shadow names sk-shell-rec" \
	grep -q "Sensitive file opened for reading by non-trusted program .*file=/etc/shadow.*container_name=sk-shell-rec container_image_repository=localhost/sakerbox" "$d/rec.out"

# .scap export: the container events sysdig reads carry the records
$REPLAY -e "$d/live.skr" -w "$d/live.scap" 2>"$d/conv.err"
check "the .scap export holds the containers' records as container events" \
	sh -c "$REPLAY -e '$d/live.scap' --print '%evt.type %evt.arg.json' | grep -q '^container .*\"name\":\"sk-priv-live\"'"

# without a runtime: one notice, fields empty
cat >"$d/none.yaml" <<YAML
container_engines:
  docker:
    sockets: [$d/absent.sock]
  podman:
    sockets: [$d/absent2.sock]
YAML
$REPLAY -c "$d/none.yaml" $R --live -M 2 >/dev/null 2>"$d/none.err"
check "without a runtime: one start-up notice naming the sockets" \
	sh -c "[ \$(grep -c 'containers: no container runtime answers (docker $d/absent.sock: no such socket, podman $d/absent2.sock: no such socket' '$d/none.err') -eq 1 ]"
