#!/bin/sh
# bench/gen_rules.sh: writes N generated rules in the upstream style (lists, macros, exceptions, string operators on shared fields) to stdout.
N=${1:?usage: gen_rules.sh N}
awk -v n="$N" 'BEGIN {
	print "- list: gen_shells\n  items: [bash, sh, zsh, dash, ksh]"
	print "- macro: gen_spawned\n  condition: (evt.type in (execve, execveat) and evt.dir = <)"
	print "- macro: gen_open_read\n  condition: (evt.type in (open, openat, openat2) and evt.is_open_read = true and fd.typechar = f)"
	for (i = 1; i <= n; i++) {
		printf("- list: gen_bins_%d\n  items: [tool%da, tool%db, tool%dc]\n", i, i, i, i)
		printf("- macro: gen_dir_%d\n  condition: (fd.name startswith /srv/app%d/ or fd.name endswith .conf%d or fd.directory = /var/lib/x%d)\n", i, i, i, i)
		printf("- rule: Generated rule %d\n  desc: generated\n", i)
		if (i % 2)
			printf("  condition: gen_open_read and gen_dir_%d and not proc.name in (gen_bins_%d) and not fd.name contains secret%d\n", i, i, i)
		else
			printf("  condition: gen_spawned and (proc.cmdline contains \"--flag%d\" or proc.pname in (gen_bins_%d) or proc.exe endswith /bin%d) and not proc.name in (gen_shells)\n", i, i, i)
		printf("  exceptions:\n  - name: known\n    fields: [proc.name, fd.name]\n    comps: [=, startswith]\n    values:\n    - [trusted%d, /srv/ok%d]\n", i, i)
		printf("  output: generated %d (proc=%%proc.name file=%%fd.name)\n  priority: WARNING\n", i)
	}
}'
