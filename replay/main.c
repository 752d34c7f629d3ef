/* replay/main.c: saker-replay entry point: parse the command line and run it. */
#include "replay/cli.h"

int main(int argc, char **argv)
{
	struct cli_opts o;
	int status = cli_parse(argc, argv, &o) < 0 ? 1 : cli_run(&o);
	cli_opts_free(&o);
	return status;
}
