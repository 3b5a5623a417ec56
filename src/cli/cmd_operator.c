/* kycd operator create TENANT_ID USERNAME [--role viewer|reviewer|admin]
 *                     [--password-stdin] [--data DIR]
 * kycd operator disable|enable USERNAME [--data DIR]
 * kycd operator reset-password USERNAME [--password-stdin] [--data DIR]
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
#include "core/clock.h"
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

/* Prints o (reference stolen) as one JSON line; the exit status. */
static int print_json(json_t *o)
{
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!txt)
		return 1;
	printf("%s\n", txt);
	free(txt);
	return 0;
}

/* The password: the first line of stdin, or 128 random bits in hex. 0, or
 * the exit status after a message. */
static int obtain_password(int from_stdin, char *pw, size_t pwsz, size_t *pwlen)
{
	if (from_stdin) {
		if (read_password(pw, pwsz, pwlen) || *pwlen < KYC_PASSWORD_MIN ||
		    *pwlen > KYC_PASSWORD_MAX) {
			fprintf(stderr, "kycd: the password must be %d-%d bytes on one line\n",
				KYC_PASSWORD_MIN, KYC_PASSWORD_MAX);
			sodium_memzero(pw, pwsz);
			return 2;
		}
		return 0;
	}
	if (kyc_rand_hex(pw, 16) != 0) {
		fprintf(stderr, "kycd: no randomness for a password\n");
		return 1;
	}
	*pwlen = strlen(pw);
	return 0;
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
	int status = obtain_password(from_stdin, pw, sizeof pw, &pwlen);
	if (status)
		return status;
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
	return print_json(o);
}

/* ---- disable, enable, reset-password ---- */

static int manage_usage(const char *cmd)
{
	fprintf(stderr, "usage: kycd operator %s USERNAME%s [--data DIR]\n", cmd,
		strcmp(cmd, "reset-password") ? "" : " [--password-stdin]");
	return 2;
}

/* Prints the result line, or the error; returns the exit status. */
static int manage_report(kyc_store *s, int rc, const char *user, const char *what,
			 const struct kyc_operator_row *op, int ended, const char *password)
{
	if (rc) {
		if (rc == KYC_ERR_NOTFOUND)
			fprintf(stderr, "kycd: no operator %s\n", user);
		else
			fprintf(stderr, "kycd: cannot %s the operator (%s): %s\n", what,
				kyc_err_name(rc), kyc_store_errmsg(s));
		return 1;
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:b, s:i}", "operator_id", op->id, "tenant_id",
			      op->tenant_id, "username", op->username, "disabled",
			      op->disabled_at != 0, "sessions_ended", ended);
	if (password)
		json_object_set_new(o, "password", json_string(password));
	return print_json(o);
}

static int set_disabled(int argc, char **argv, int disabled)
{
	const char *cmd = disabled ? "disable" : "enable", *user, *data = kyc_default_data_dir();
	if (kyc_opt_data_and_arg(argc, argv, &data, &user))
		return manage_usage(cmd);
	kyc_store *s = kyc_cli_store_open(data);
	if (!s)
		return 1;
	struct kyc_operator_row op;
	int ended = 0;
	int rc = kyc_operator_set_disabled(s, user, disabled, "cli", kyc_now_ms(), &op, &ended);
	int status = manage_report(s, rc, user, cmd, &op, ended, NULL);
	kyc_store_close(s);
	return status;
}

int cmd_operator_disable(int argc, char **argv)
{
	return set_disabled(argc, argv, 1);
}

int cmd_operator_enable(int argc, char **argv)
{
	return set_disabled(argc, argv, 0);
}

int cmd_operator_reset_password(int argc, char **argv)
{
	const char *user, *data = kyc_default_data_dir();
	/* --password-stdin anywhere; the rest is USERNAME [--data DIR] */
	char *rest[16];
	int nrest = 0, from_stdin = 0;
	for (int i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--password-stdin"))
			from_stdin = 1;
		else if (nrest < 16)
			rest[nrest++] = argv[i];
		else
			return manage_usage("reset-password");
	}
	if (kyc_opt_data_and_arg(nrest, rest, &data, &user))
		return manage_usage("reset-password");
	char pw[KYC_PASSWORD_MAX + 2];
	size_t pwlen = 0;
	int status = obtain_password(from_stdin, pw, sizeof pw, &pwlen);
	if (status)
		return status;
	kyc_store *s = kyc_cli_store_open(data);
	status = 1;
	if (s) {
		struct kyc_operator_row op;
		int ended = 0;
		int rc = kyc_operator_reset_password(s, user, pw, pwlen, "cli", &op, &ended);
		status = manage_report(s, rc, user, "reset the password of", &op, ended,
				       from_stdin ? NULL : pw);
		kyc_store_close(s);
	}
	sodium_memzero(pw, sizeof pw);
	return status;
}
