/* libFuzzer target for what encryption at rest reads back from disk, which
 * an attacker with the files may have changed (src/store/store_seal.h): a
 * sealed column value (kyc__unseal_record on a record holding the input as
 * a last_name and as an attributes JSON string) and sealed bytes
 * (kyc__unseal_bytes). One store on a scratch data directory, made on the
 * first call, with one tenant. Input: one byte choosing the path, then the
 * text or bytes. Checks that a value either opens to what was sealed (the
 * input is sealed once and must come back) or is refused with a code, and
 * that a refused record is untouched by half-opened values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "store/store_seal.h"

static kyc_store *store;
static char tenant[37], dir[] = "/tmp/kycd-fuzz-seal-XXXXXX";

static void teardown(void)
{
	char cmd[64];
	kyc_store_close(store);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz/seal: %s left behind\n", dir);
}

static void setup(void)
{
	char err[512];
	if (!mkdtemp(dir) || kyc_store_open(dir, &store, err, sizeof err) ||
	    kyc_store_tenant_create(store, "fuzz", tenant))
		abort();
	atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!store)
		setup();
	if (size < 1)
		return 0;
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	if (data[0] & 1) {
		kyc_buf out;
		kyc_buf_init(&out, 1 << 20);
		int rc = kyc__unseal_bytes(store, tenant, "ad", p, n, &out);
		if (rc && (rc > 0 || out.len))
			abort();
		/* the input sealed, then opened, is the input */
		kyc_buf sealed;
		kyc_buf_init(&sealed, (1 << 20) + 256);
		kyc_buf_reset(&out);
		if (!kyc__seal_bytes(store, tenant, NULL, "ad", p, n, &sealed) &&
		    (kyc__unseal_bytes(store, tenant, "ad", sealed.data, sealed.len, &out) ||
		     out.len != n || (n && memcmp(out.data, p, n))))
			abort();
		kyc_buf_release(&sealed);
		kyc_buf_release(&out);
		return 0;
	}
	json_t *rec = json_pack("{s:s, s:s%, s:s%}", "id", "fuzz-record", "last_name", p, n,
				"attributes", p, n);
	if (!rec)
		return 0; /* not UTF-8: never a stored text */
	int rc = kyc__unseal_record(store, KYC_R_APPLICANT, tenant, rec);
	if (rc > 0)
		abort();
	json_decref(rec);
	/* a sealed copy opens to the input */
	json_t *plain = json_pack("{s:s, s:s%}", "id", "fuzz-record", "last_name", p, n), *sealed;
	if (plain && !kyc__seal_record(store, KYC_R_APPLICANT, tenant, "fuzz-record", plain, 1,
				       &sealed)) {
		if (kyc__unseal_record(store, KYC_R_APPLICANT, tenant, sealed) ||
		    !json_equal(json_object_get(sealed, "last_name"),
				json_object_get(plain, "last_name")))
			abort();
		json_decref(sealed);
	}
	json_decref(plain);
	return 0;
}
