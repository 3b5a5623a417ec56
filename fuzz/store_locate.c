/* libFuzzer target for the database locator (kyc_store_locate: --db and
 * KYCD_DB). Input: the locator text. Checks that it is accepted or refused
 * with KYC_ERR_INVALID and a message, never anything else, and that a
 * SQLite folder it names lies inside the input, after "sqlite:". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *db = malloc(size + 1);
	if (!db)
		abort();
	memcpy(db, data, size);
	db[size] = 0;
	enum kyc_store_backend backend;
	const char *dir = NULL;
	char err[160] = "";
	int rc = kyc_store_locate(db, &backend, &dir, err, sizeof err);
	if (rc != 0 && (rc != KYC_ERR_INVALID || !err[0]))
		abort();
	if (rc == 0 && dir &&
	    (backend != KYC_STORE_SQLITE || dir != db + 7 || strncmp(db, "sqlite:", 7) || !*dir))
		abort();
	if (rc == 0 && backend == KYC_STORE_POSTGRES && dir)
		abort();
	free(db);
	return 0;
}
