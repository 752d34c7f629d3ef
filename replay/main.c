/* replay/main.c: saker-replay command line (placeholder until the replayer lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "saker-replay: not built yet\n");
	return 1;
}
