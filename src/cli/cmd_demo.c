/* kycd demo [--data DIR]: makes sure a tenant named "demo" exists. The first
 * time it creates it and prints its API key (the only time the key is shown);
 * afterwards it says where to get a new key. Used by `make run`. */
#include <stdio.h>

#include "cli/cli.h"
#include "core/err.h"
#include "flows/apikey.h"
#include "store/store.h"

int cmd_demo(int argc, char **argv)
{
	const char *data = kyc_default_data_dir();
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (m <= 0) {
			fprintf(stderr, "usage: kycd demo [--data DIR]\n");
			return 2;
		}
	}
	kyc_store *s;
	char tid[37], key[KYC_APIKEY_MAX];
	if (!(s = kyc_cli_store_open(data)))
		return 1;
	int rc = kyc_store_tenant_find(s, "demo", tid);
	if (rc == 0) {
		kyc_store_close(s);
		printf("kycd: demo tenant %s exists; its key was printed when it was created.\n"
		       "      A new one: kycd key create %s --data %s\n",
		       tid, tid, data);
		return 0;
	}
	rc = kyc_tenant_create_with_key(s, "demo", tid, key);
	kyc_store_close(s);
	if (rc) {
		fprintf(stderr, "kycd: cannot create the demo tenant (%s)\n", kyc_err_name(rc));
		return 1;
	}
	printf("kycd: created the demo tenant %s\n"
	       "      API key (shown only now, keep it): %s\n"
	       "      try: curl -H 'Authorization: Bearer %s' http://127.0.0.1:8080/v1/applicants\n",
	       tid, key, key);
	return 0;
}
