/* kycd tenant create NAME [--data DIR]: prints {"tenant_id":..., "api_key":...}.
 * The key is shown only here; the store keeps its hash. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "flows/apikey.h"
#include "store/store.h"

int cmd_tenant_create(int argc, char **argv)
{
	const char *data = kyc_default_data_dir(), *name = NULL;
	if (kyc_opt_data_and_arg(argc, argv, &data, &name) != 0)
		name = NULL;
	if (!name || !*name || strlen(name) > 200) {
		fprintf(stderr, "usage: kycd tenant create NAME [--data DIR]  (NAME: 1-200 bytes)\n");
		return 2;
	}
	kyc_store *s;
	char tid[37], key[KYC_APIKEY_MAX];
	if (!(s = kyc_cli_store_open(data)))
		return 1;
	int rc = kyc_tenant_create_with_key(s, name, tid, key);
	if (rc) {
		fprintf(stderr, "kycd: cannot create tenant: %s\n", kyc_store_errmsg(s));
		kyc_store_close(s);
		return 1;
	}
	kyc_store_close(s);
	json_t *o = json_pack("{s:s, s:s}", "tenant_id", tid, "api_key", key);
	char *txt = json_dumps(o, JSON_COMPACT);
	printf("%s\n", txt);
	free(txt);
	json_decref(o);
	return 0;
}
