/* record/main.c: saker-record command line (placeholder until the recorder lands). */
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "saker-record: not built yet\n");
	return 1;
}
