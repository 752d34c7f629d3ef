#!/bin/sh
# samples/attack_session.sh: the scripted attack-like session recorded in samples/captures/attack.skr.
# Usage: sh samples/attack_session.sh PORT WORKDIR   (PORT: a 127.0.0.1 listener; root for some steps)
# Harmless: writes only throwaway names (removed by the caller), connects only to 127.0.0.1.
port=$1
work=$2
# 1. A "web server" (python3) runs a shell: command injection.
python3 -c 'import os; os.system("id >/dev/null; cat /etc/shadow >/dev/null; uname -a >/dev/null")'
# 2. The intruder looks for keys.
find /etc /root -maxdepth 2 -name 'id_rsa*' >/dev/null 2>&1 || true
grep -rs --include='*.conf' -l password /etc/security >/dev/null 2>&1 || true
# 3. Drops a binary below /usr/local/bin and one in /dev/shm, runs the latter.
cp /bin/true /usr/local/bin/saker-sample-dropper
cp /bin/true /dev/shm/saker-sample-tool
/dev/shm/saker-sample-tool
# 4. A shell connects back out.
bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; echo hello >&3; exec 3>&-"
# 5. Covers tracks: truncates a log, links a credential file.
: > /var/log/saker-sample.log
ln -sf /etc/shadow "$work/innocent-looking-link"
# 6. Fileless execution from a memfd.
python3 -c '
import os
fd = os.memfd_create("x", 0)
os.write(fd, open("/bin/true", "rb").read())
pid = os.fork()
if pid == 0:
    os.execv("/proc/self/fd/%d" % fd, ["kworker"])
os.waitpid(pid, 0)
'
# 7. Anti-debugging: PTRACE_TRACEME on itself.
python3 -c 'import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)'
exit 0
