#include "cli/cli.h"
#include "core/err.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kyc_opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	const char *a = argv[*i];
	size_t n = strlen(name);
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*out = a + n + 1;
		*i += 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		fprintf(stderr, "kycd: option %s needs a value\n", name);
		return -1;
	}
	*out = argv[*i + 1];
	*i += 2;
	return 1;
}

int kyc_opt_data_and_arg(int argc, char **argv, const char **data, const char **arg)
{
	*arg = NULL;
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", data);
		if (m < 0)
			return -1;
		if (m)
			continue;
		if (argv[i][0] == '-' || *arg)
			return -1;
		*arg = argv[i++];
	}
	return *arg ? 0 : -1;
}

const char *kyc_default_data_dir(void)
{
	enum kyc_store_backend backend;
	const char *dir = NULL, *d = getenv("KYCD_DATA");
	char err[160];
	if (kyc_store_locate(getenv("KYCD_DB"), &backend, &dir, err, sizeof err) == 0 && dir)
		return dir; /* sqlite:DIR: records and files both in DIR */
	return d && *d ? d : "./data";
}

int kyc_cli_db_check(void)
{
	enum kyc_store_backend backend;
	const char *dir;
	char err[256];
	if (kyc_store_locate(getenv("KYCD_DB"), &backend, &dir, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: --db: %s\n", err);
		return -1;
	}
	return 0;
}

struct kyc_store *kyc_cli_store_open(const char *data_dir)
{
	kyc_store *s;
	char err[512];
	if (kyc_cli_db_check() != 0)
		return NULL;
	if (kyc_store_open(data_dir, &s, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: %s\n", err);
		return NULL;
	}
	return s;
}

int kyc_cli_file_finish(FILE *tf, const char *tmp, const char *dst, int rc)
{
	if (fclose(tf) != 0 && !rc)
		rc = KYC_ERR_IO;
	if (!rc && rename(tmp, dst) != 0)
		rc = KYC_ERR_IO;
	if (rc)
		remove(tmp);
	return rc;
}
