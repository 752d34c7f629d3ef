/* replay/main.c: saker-replay entry point: parse the command line and run it. */
#include <string.h>

#include "replay/cli.h"
#include "replay/testspec.h"

int main(int argc, char **argv)
{
	/* `saker-replay test SPEC...` is its own command with its own options. */
	if (argc > 1 && !strcmp(argv[1], "test"))
		return ts_main(argc - 1, argv + 1);
	struct cli_opts o;
	int status = cli_parse(argc, argv, &o) < 0 ? 1 : cli_run(&o);
	cli_opts_free(&o);
	return status;
}
