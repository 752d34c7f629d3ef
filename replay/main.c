/* replay/main.c: saker-replay entry point: the subcommands (test, diff, summary), or parse the command line and run it. */
#include <string.h>

#include "replay/replay.h"
#include "replay/diff/diff.h"
#include "replay/regress/regress.h"

int main(int argc, char **argv)
{
	/* `saker-replay test SPEC...` is its own command with its own options. */
	if (argc > 1 && !strcmp(argv[1], "test"))
		return regress_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "diff"))
		return diff_main(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "summary"))
		return replay_summary_main(argc - 1, argv + 1);
	struct replay_opts o;
	int status = replay_cli_parse(argc, argv, &o) < 0 ? 1 : replay_dispatch(&o);
	replay_opts_free(&o);
	return status;
}
