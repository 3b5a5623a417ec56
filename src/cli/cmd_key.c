/* kycd key create TENANT_ID [--role admin|reviewer|viewer] [--data DIR]
 * kycd key revoke KEY_ID [--data DIR] */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/err.h"
#include "flows/apikey.h"
#include "store/store.h"

int cmd_key_create(int argc, char **argv)
{
	const char *data = kyc_default_data_dir(), *role = "admin", *tenant = NULL;
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--role", &role);
		if (m < 0)
			return 2;
		if (m)
			continue;
		if (argv[i][0] == '-' || tenant)
			goto usage;
		tenant = argv[i++];
	}
	if (!tenant)
		goto usage;
	if (!kyc_apikey_role_valid(role)) {
		fprintf(stderr, "kycd: role must be admin, reviewer or viewer\n");
		return 2;
	}
	kyc_store *s;
	char key[KYC_APIKEY_MAX], key_id[40];
	if (!(s = kyc_cli_store_open(data)))
		return 1;
	if (!kyc_store_tenant_exists(s, tenant)) {
		fprintf(stderr, "kycd: no tenant %s\n", tenant);
		kyc_store_close(s);
		return 1;
	}
	int rc = kyc_apikey_create(s, tenant, role, key, key_id);
	kyc_store_close(s);
	if (rc) {
		fprintf(stderr, "kycd: cannot create key (%s)\n", kyc_err_name(rc));
		return 1;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "key_id", key_id, "tenant_id", tenant, "role",
			      role, "api_key", key);
	char *txt = json_dumps(o, JSON_COMPACT);
	printf("%s\n", txt);
	free(txt);
	json_decref(o);
	return 0;
usage:
	fprintf(stderr, "usage: kycd key create TENANT_ID [--role admin|reviewer|viewer] [--data DIR]\n");
	return 2;
}

int cmd_key_revoke(int argc, char **argv)
{
	const char *data = kyc_default_data_dir(), *key_id = NULL;
	if (kyc_opt_data_and_arg(argc, argv, &data, &key_id) != 0)
		goto usage;
	/* Accept the full key too: take its id part. */
	char idbuf[40];
	if (!strncmp(key_id, "kyc_", 4)) {
		snprintf(idbuf, sizeof idbuf, "%.12s", key_id + 4);
		key_id = idbuf;
	}
	kyc_store *s;
	if (!(s = kyc_cli_store_open(data)))
		return 1;
	int rc = kyc_store_key_revoke(s, key_id, kyc_now_ms());
	kyc_store_close(s);
	if (rc == KYC_ERR_NOTFOUND) {
		fprintf(stderr, "kycd: no active key %s\n", key_id);
		return 1;
	}
	if (rc) {
		fprintf(stderr, "kycd: cannot revoke (%s)\n", kyc_err_name(rc));
		return 1;
	}
	printf("{\"key_id\":\"%s\",\"revoked\":true}\n", key_id);
	return 0;
usage:
	fprintf(stderr, "usage: kycd key revoke KEY_ID [--data DIR]\n");
	return 2;
}
