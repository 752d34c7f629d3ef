#!/bin/busybox sh
# tests/kernel/init.sh: the guest's /init: mounts, records the workload, sends the results over the second serial port, powers off.
# Results travel as one base64 tar between KT-BEGIN <md5> and KT-END lines
# on /dev/ttyS1 (a file on the host): no disk image, no kernel module.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mkdir -p /sys/fs/bpf && mount -t bpf bpf /sys/fs/bpf
ip link set lo up

echo "kt: kernel $(uname -r), $(nproc) CPUs"
mkdir -p /tmp/work /tmp/out
cp /skwork /tmp/work/
uname -r >/tmp/out/kernel
if [ -r /sys/kernel/btf/vmlinux ]; then
	# A child shell, not pid 1 itself, starts the workload: the workload's
	# parent is then an ordinary process, as on the host.
	sh /record-workload.sh /saker-record /tmp/work /tmp/out
	echo $? >/tmp/out/harness.status
else
	echo "kernel has no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)" >>/tmp/out/harness.log
	echo 1 >/tmp/out/harness.status
fi
echo "kt: harness status $(cat /tmp/out/harness.status)"
cat /tmp/out/harness.log 2>/dev/null

tar -C /tmp/out -cf /tmp/result.tar .
stty -F /dev/ttyS1 raw -echo 2>/dev/null
{
	echo "KT-BEGIN $(md5sum </tmp/result.tar | cut -d' ' -f1)"
	base64 /tmp/result.tar
	echo "KT-END"
} >/dev/ttyS1
echo "kt: results sent"
sync
poweroff -f
echo o >/proc/sysrq-trigger
sleep 60
