#include <stdio.h>

#include "cli/cli.h"
#include "core/version.h"

int cmd_version(int argc, char **argv)
{
	printf("kycd %s\n", KYC_VERSION);
	return 0;
}
