/* kycd keys init [--out FILE] / kycd keys rotate [--data DIR]: the master
 * key of encryption at rest (docs/security.md, "Keys"). init creates the
 * file (mode 0600, never over an existing one); rotate puts a new key in
 * front of the file's, re-wraps every tenant key under it while servers keep
 * running (they re-read the file when it changes), then drops from the file
 * the keys no tenant key needs any more. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "crypto/keyring.h"
#include "store/store.h"

/* The file the store would use: KYCD_MASTER_KEY_FILE, else DATA/master.key. */
static void key_path(const char *data, char *out, size_t outsz)
{
	const char *named = getenv("KYCD_MASTER_KEY_FILE");
	if (named && *named)
		snprintf(out, outsz, "%s", named);
	else
		snprintf(out, outsz, "%s/master.key", data);
}

int cmd_keys_init(int argc, char **argv)
{
	const char *out = getenv("KYCD_MASTER_KEY_FILE"), *data = NULL;
	for (int i = 1; i < argc;) {
		/* --data is taken (and unused) so that every command accepts it */
		int m = kyc_opt_value(argc, argv, &i, "--out", &out);
		if (m == 0)
			m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (m <= 0) {
			fprintf(stderr, "usage: kycd keys init [--out FILE]  (default: "
					"$KYCD_MASTER_KEY_FILE)\n");
			return 2;
		}
	}
	if (!out || !*out) {
		fprintf(stderr, "kycd: keys init: name the file with --out FILE or "
				"KYCD_MASTER_KEY_FILE\n");
		return 2;
	}
	char err[512], id[KYC_KEYRING_ID_LEN + 1];
	unsigned char key[KYC_SEAL_KEY_BYTES];
	kyc_keyring *k = NULL;
	int rc = kyc_keyring_create(out, err, sizeof err);
	rc = rc ? rc : kyc_keyring_open(out, &k, err, sizeof err);
	rc = rc ? rc : kyc_keyring_current(k, key, id);
	kyc_seal_wipe(key, sizeof key);
	if (rc) {
		fprintf(stderr, "kycd: keys init: %s\n", err);
		return 1;
	}
	printf("{\"master_key_file\":\"%s\",\"id\":\"%s\"}\n", out, id);
	return 0;
}

int cmd_keys_rotate(int argc, char **argv)
{
	const char *data = kyc_default_data_dir();
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (m <= 0) {
			fprintf(stderr, "usage: kycd keys rotate [--data DIR]\n");
			return 2;
		}
	}
	char path[4096], err[512], id[KYC_KEYRING_ID_LEN + 1];
	key_path(data, path, sizeof path);
	/* opened first: the current file must open the database before a new
	 * key goes in front of it */
	struct kyc_store *s = kyc_cli_store_open(data);
	if (!s)
		return 1;
	long rewrapped = 0;
	int dropped = 0;
	json_t *in_use = NULL;
	int rc = kyc_keyring_add(path, id, err, sizeof err);
	rc = rc ? rc : kyc_store_keys_rewrap(s, &rewrapped, err, sizeof err);
	if (!rc && kyc_store_master_ids(s, &in_use)) {
		snprintf(err, sizeof err, "cannot list the master keys in use");
		rc = KYC_ERR_IO;
	}
	if (!rc) {
		const char *keep[KYC_KEYRING_MAX];
		int n = 0;
		size_t i;
		json_t *v;
		json_array_foreach(in_use, i, v)
		{
			if (n < KYC_KEYRING_MAX)
				keep[n++] = json_string_value(v);
		}
		rc = kyc_keyring_prune(path, keep, n, &dropped, err, sizeof err);
	}
	json_decref(in_use);
	kyc_store_close(s);
	if (rc) {
		fprintf(stderr, "kycd: keys rotate: %s\n", err);
		return 1;
	}
	printf("{\"master_key_file\":\"%s\",\"id\":\"%s\",\"tenant_keys_rewrapped\":%ld,"
	       "\"old_keys_dropped\":%d}\n",
	       path, id, rewrapped, dropped);
	return 0;
}
