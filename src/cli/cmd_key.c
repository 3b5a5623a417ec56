#include <stdio.h>

#include "cli/cli.h"

int cmd_key_create(int argc, char **argv)
{
	fprintf(stderr, "kycd: not built yet\n");
	return 1;
}
int cmd_key_revoke(int argc, char **argv)
{
	fprintf(stderr, "kycd: not built yet\n");
	return 1;
}
