/* Opening the store in the unit tests of its contract (teststore.h). */
#include "teststore.h"

#include <stdio.h>

kyc_store *teststore_open(const char *dir)
{
	kyc_store *s = NULL;
	char err[256];
	if (kyc_store_open(dir, &s, err, sizeof err))
		fprintf(stderr, "open: %s\n", err);
	return s;
}

kyc_store *teststore_open_tenant(const char *dir, const char *name, char t[37])
{
	kyc_store *s = teststore_open(dir);
	if (s && kyc_store_tenant_create(s, name, t)) {
		fprintf(stderr, "tenant %s: not created\n", name);
		kyc_store_close(s);
		s = NULL;
	}
	return s;
}
