/* kycd operator create TENANT_ID USERNAME [--role viewer|reviewer|admin]
 *                     [--password-stdin] [--data DIR]
 * Creates a review-console operator (docs/web.md). With --password-stdin
 * the password is the first line of standard input; otherwise kycd makes
 * one (128 random bits) and prints it once. Prints
 * {"operator_id":...,"tenant_id":...,"username":...,"role":...[,"password":...]}. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "core/rand.h"
#include "store/store.h"
#include "web/operator.h"

static int usage(void)
{
	fprintf(stderr, "usage: kycd operator create TENANT_ID USERNAME [--role viewer|reviewer|admin] "
			"[--password-stdin] [--data DIR]\n"
			"  USERNAME: 1-64 of a-z 0-9 . _ @ -; a password read from stdin is %d-%d "
			"bytes\n",
		KYC_PASSWORD_MIN, KYC_PASSWORD_MAX);
	return 2;
}

/* The first line of stdin without its line end; -1 when too long or empty. */
static int read_password(char *out, size_t outsz, size_t *len)
{
	if (!fgets(out, (int)outsz, stdin))
		return -1;
	size_t n = strlen(out);
	if (n && out[n - 1] == '\n')
		out[--n] = '\0';
	else if (n == outsz - 1)
		return -1; /* longer than the buffer */
	if (n && out[n - 1] == '\r')
		out[--n] = '\0';
	*len = n;
	return n ? 0 : -1;
}

int cmd_operator_create(int argc, char **argv)
{
	const char *data = kyc_default_data_dir(), *role = "reviewer";
	const char *args[2] = {NULL, NULL};
	int nargs = 0, from_stdin = 0;
	for (int i = 1; i < argc;) {
		int m = kyc_opt_value(argc, argv, &i, "--data", &data);
		if (!m)
			m = kyc_opt_value(argc, argv, &i, "--role", &role);
		if (m < 0)
			return usage();
		if (m)
			continue;
		if (!strcmp(argv[i], "--password-stdin")) {
			from_stdin = 1;
			i++;
			continue;
		}
		if (argv[i][0] == '-' || nargs == 2)
			return usage();
		args[nargs++] = argv[i++];
	}
	if (nargs != 2)
		return usage();
	if (!kyc_operator_role_valid(role)) {
		fprintf(stderr, "kycd: role must be viewer, reviewer or admin\n");
		return 2;
	}
	char pw[KYC_PASSWORD_MAX + 2];
	size_t pwlen = 0;
	if (from_stdin) {
		if (read_password(pw, sizeof pw, &pwlen) || pwlen < KYC_PASSWORD_MIN ||
		    pwlen > KYC_PASSWORD_MAX) {
			fprintf(stderr, "kycd: the password must be %d-%d bytes on one line\n",
				KYC_PASSWORD_MIN, KYC_PASSWORD_MAX);
			sodium_memzero(pw, sizeof pw);
			return 2;
		}
	} else if (kyc_rand_hex(pw, 16) != 0) {
		fprintf(stderr, "kycd: no randomness for a password\n");
		return 1;
	} else {
		pwlen = strlen(pw);
	}
	kyc_store *s = kyc_cli_store_open(data);
	if (!s) {
		sodium_memzero(pw, sizeof pw);
		return 1;
	}
	char id[37];
	int rc = kyc_operator_create(s, args[0], args[1], role, pw, pwlen, id);
	if (rc) {
		if (rc == KYC_ERR_NOTFOUND)
			fprintf(stderr, "kycd: no tenant %s\n", args[0]);
		else if (rc == KYC_ERR_CONFLICT)
			fprintf(stderr, "kycd: the username %s is taken\n", args[1]);
		else if (rc == KYC_ERR_INVALID)
			usage();
		else
			fprintf(stderr, "kycd: cannot create the operator (%s): %s\n",
				kyc_err_name(rc), kyc_store_errmsg(s));
		kyc_store_close(s);
		sodium_memzero(pw, sizeof pw);
		return rc == KYC_ERR_INVALID ? 2 : 1;
	}
	kyc_store_close(s);
	char name[65];
	for (size_t i = 0; i < sizeof name; i++) {
		char ch = args[1][i];
		name[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		if (!ch)
			break;
	}
	name[64] = '\0';
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "operator_id", id, "tenant_id", args[0],
			      "username", name, "role", role);
	if (!from_stdin)
		json_object_set_new(o, "password", json_string(pw));
	sodium_memzero(pw, sizeof pw);
	char *txt = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!txt)
		return 1;
	printf("%s\n", txt);
	free(txt);
	return 0;
}
