# tests/kernel/normalize.awk: turns one kernel's saker-replay --print listing of the workload into a kernel-independent one.
#
# usage: awk -v root=PID -v workdir=DIR -v outdir=DIR -f normalize.awk LISTING LISTING
# (the listing twice: the first pass learns the process tree).
# Input lines: "%proc.pid %proc.ppid %proc.name %evt.type %evt.args".
#
# What differs between runs for reasons that are not the probe's, and how:
# - pids: each process is named by its place in the workload's tree: "w" is
#   the workload, "w.3" the third child it made (in the order its own
#   clone/fork/vfork/clone3 calls returned), "w.5.1" that one's first child.
#   Pids outside the tree read "<ext>"; 0 and 1 stay (pid 1 in a new PID
#   namespace is the point of the unshare step). Resolved names are dropped.
# - interleaving: processes run concurrently, so events are grouped per
#   process (tree order), each process's own events in their order.
# - the work and output directories read <W> and <OUT>.
# - inode and device numbers, kernel addresses, port numbers (numbered by
#   first appearance per protocol: <tcp1>, <udp1>, ...), the PID
#   namespace's start time, and
#   getcwd's return value when it is the length of the path (+1).
# - parameters that describe the machine, not the syscall, keep their name
#   with the value "*": page faults and memory sizes, cgroups, loginuid,
#   exe inode times.

function lit_replace(s, from, to,    i, out) {
	if (from == "")
		return s
	out = ""
	while ((i = index(s, from)) > 0) {
		out = out substr(s, 1, i - 1) to
		s = substr(s, i + length(from))
	}
	return out s
}

function is_clone(t) {
	return t == "clone" || t == "clone3" || t == "fork" || t == "vfork"
}

# pid_name("123(name)") -> "w.2". The resolved name is dropped: it depends
# on whether replay still knew the process when it read the event (a vfork
# child has exited, or not yet, when its parent's vfork returns), and
# outside the tree it is whatever the machine runs there (pid 1 of a new
# namespace is even resolved against the host's pid 1).
function pid_name(v,    n) {
	n = v
	sub(/\(.*$/, "", n)
	if (n !~ /^-?[0-9]+$/)
		return v
	if (n in role)
		return role[n]
	if (n + 0 <= 1)
		return n
	return "<ext>"
}

function value_of(tok) {
	return substr(tok, index(tok, "=") + 1)
}

function nonzero(v) {
	return v != "0" && v != ""
}

# getcwd returns the length of the path it wrote, with its NUL
function getcwd_len(raw,    p) {
	if (!match(raw, / path=[^ ]*/))
		return -1
	p = substr(raw, RSTART + 6, RLENGTH - 6)
	return length(p) + 1 ""
}

# Ports are numbered per protocol: TCP and UDP have separate port spaces,
# and a kernel may well hand out the same number to both.
function port_name(proto, p) {
	if (!((proto, p) in port))
		port[proto, p] = "<" proto (++nports[proto]) ">"
	return port[proto, p]
}

# IPv4 endpoints a.b.c.d:PORT, anywhere in a line; the line's socket type
# (<4u> in an fd name) says whether they are UDP ports.
function norm_ports(s,    out, hit, p, proto) {
	proto = (s ~ /<[46]u>/) ? "udp" : "tcp"
	out = ""
	while (match(s, /[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+/)) {
		hit = substr(s, RSTART, RLENGTH)
		p = substr(hit, index(hit, ":") + 1)
		out = out substr(s, 1, RSTART - 1) substr(hit, 1, index(hit, ":")) (p == "0" ? "0" : port_name(proto, p))
		s = substr(s, RSTART + RLENGTH)
	}
	return out s
}

function add_names(set, names,    a, i, n) {
	n = split(names, a, " ")
	for (i = 1; i <= n; i++)
		set[a[i]] = 1
}

BEGIN {
	add_names(pidparam, "tid pid ptid vtid vpid pgid vpgid sid vsid reaper_tid")
	add_names(machparam, "pgft_maj pgft_min vm_size vm_rss vm_swap cgroups loginuid exe_ino_ctime exe_ino_mtime")
	add_names(inoparam, "ino exe_ino")
	add_names(addrparam, "source peer")
}

# Pass 1: the children each process made, in the order its calls returned.
NR == FNR {
	if (is_clone($4) && match($0, / res=[0-9]+/)) {
		child = substr($0, RSTART + 5, RLENGTH - 5)
		if (child + 0 > 0)
			kids[$1, ++nkids[$1]] = child
	}
	next
}

FNR == 1 {
	# roles in tree order (depth first, children in creation order)
	norder = 0
	stack[1] = root
	role[root] = "w"
	depth = 1
	while (depth > 0) {
		p = stack[depth--]
		order[++norder] = p
		for (k = nkids[p]; k >= 1; k--) {
			c = kids[p, k]
			role[c] = role[p] "." k
			stack[++depth] = c
		}
	}
}

{
	line = lit_replace(lit_replace($0, workdir, "<W>"), outdir, "<OUT>")
	nt = split(line, tok, " ")
	who = ($1 in role) ? $1 : "?" $1
	out = pid_name($2) " " tok[3] " " tok[4]
	for (i = 5; i <= nt; i++) {
		t = tok[i]
		name = substr(t, 1, index(t, "=") - 1)
		v = value_of(t)
		if (name in machparam)
			t = name "=*"
		else if ((name in pidparam) || (name == "res" && is_clone($4)))
			t = name "=" pid_name(v)
		else if ((name in inoparam) && nonzero(v))
			t = name "=<ino>"
		else if (name == "dev" && nonzero(v))
			t = name "=<dev>"
		else if ((name in addrparam) && nonzero(v))
			t = name "=<addr>"
		else if (name == "pidns_init_start_ts" && nonzero(v))
			t = name "=<ts>"
		else if (name == "res" && $4 == "getcwd" && v == getcwd_len($0))
			t = name "=<len(path)+1>"
		out = out " " t
	}
	ev[who, ++nev[who]] = out
	if (!(who in role))
		stray[++nstray] = who
}

END {
	for (i = 1; i <= norder; i++) {
		p = order[i]
		for (j = 1; j <= nev[p]; j++)
			print role[p] " " norm_ports(ev[p, j])
	}
	# events of processes outside the tree (should not happen): shown, so they differ
	for (i = 1; i <= nstray; i++) {
		p = stray[i]
		if (seen[p]++)
			continue
		for (j = 1; j <= nev[p]; j++)
			print p " " norm_ports(ev[p, j])
	}
}
