/* A throwaway PostgreSQL server for a whole test pass (tests/run runs the
 * end-to-end, compatibility and browser suites a second time on it):
 *
 *   pgtmp start      starts one (tests/lib/pgtmp.h) and prints its libpq
 *                    connection string, then its folder, one a line
 *   pgtmp stop DIR   stops it and removes the folder
 *
 * The test library (tests/lib/e2e.c) makes a database on it per server it
 * starts when KYCD_TEST_PG holds the connection string. */
#include <stdio.h>
#include <string.h>

#include "pgtmp.h"

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "start")) {
		struct pgtmp p;
		if (pgtmp_start(&p) != 0) {
			pgtmp_stop(&p);
			return 1;
		}
		printf("%s\n%s\n", p.conninfo, p.dir);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "stop"))
		return pgtmp_stop_dir(argv[2]) == 0 ? 0 : 1;
	fprintf(stderr, "usage: pgtmp start | pgtmp stop DIR\n");
	return 2;
}
