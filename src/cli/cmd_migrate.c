/* kycd migrate --from sqlite:DIR --to postgres://...: moves a single-node
 * install's database to PostgreSQL (docs/deploy.md, "Moving to PostgreSQL"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "store/store.h"
#include "store/store_migrate.h"

static int usage(void)
{
	fprintf(stderr, "usage: kycd migrate --from sqlite:DIR --to postgres://...\n");
	return 2;
}

int cmd_migrate(int argc, char **argv)
{
	const char *from = NULL, *to = NULL, *dir = NULL;
	for (int i = 1; i < argc;) {
		if (kyc_opt_value(argc, argv, &i, "--from", &from) != 1 &&
		    kyc_opt_value(argc, argv, &i, "--to", &to) != 1)
			return usage();
	}
	if (!from || !to)
		return usage();
	char err[1024];
	enum kyc_store_backend bf, bt;
	const char *unused;
	if (kyc_store_locate(from, &bf, &dir, err, sizeof err) ||
	    kyc_store_locate(to, &bt, &unused, err, sizeof err)) {
		fprintf(stderr, "kycd: migrate: %s\n", err);
		return 2;
	}
	if (bf != KYC_STORE_SQLITE || strncmp(from, "sqlite:", 7) || bt != KYC_STORE_POSTGRES) {
		fprintf(stderr, "kycd: migrate: copies from sqlite:DIR to a PostgreSQL database\n");
		return 2;
	}
	json_t *counts = NULL;
	int rc = kyc_store_migrate(dir, to, &counts, err, sizeof err);
	if (rc) {
		fprintf(stderr, "kycd: migrate: %s (nothing copied)\n", err);
		return 1;
	}
	long long rows = 0;
	const char *k;
	json_t *v;
	json_object_foreach(counts, k, v) rows += json_integer_value(v);
	json_t *o = json_pack("{s:o,s:I}", "tables", counts, "rows", (json_int_t)rows);
	char *txt = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (txt)
		printf("%s\n", txt);
	free(txt);
	json_decref(o);
	return txt ? 0 : 1;
}
