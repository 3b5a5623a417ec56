#include <stdio.h>

#include "cli/cli.h"

int cmd_scan(int argc, char **argv)
{
	fprintf(stderr, "kycd: not built yet\n");
	return 1;
}
