#include <stdio.h>

#include "cli/cli.h"

int cmd_mrz(int argc, char **argv)
{
	fprintf(stderr, "kycd: not built yet\n");
	return 1;
}
