#include <stdio.h>

#include "cli/cli.h"

int cmd_help(int argc, char **argv)
{
	printf("usage: kycd COMMAND [ARGS]\n\ncommands:\n");
	for (const struct kyc_cmd *c = kyc_commands; c->name; c++)
		printf("  %s\n", c->usage);
	printf("\nEnvironment: KYCD_DATA, KYCD_LISTEN, KYCD_THREADS and the others in docs/config.md.\n");
	return 0;
}
