/* kycd: the one binary. Finds the subcommand in the table and runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/blob.h"
#include "tensor/tensor.h"

/* Two-word commands ("tenant create") come before any one-word prefix. */
const struct kyc_cmd kyc_commands[] = {
	{"serve", cmd_serve, "serve [--data DIR] [--listen HOST:PORT]   run the API server"},
	{"demo", cmd_demo, "demo [--data DIR]   create the demo tenant once and print its key"},
	{"tenant create", cmd_tenant_create, "tenant create NAME [--data DIR]   new tenant and its first API key"},
	{"key create", cmd_key_create, "key create TENANT_ID [--role ROLE] [--data DIR]   new API key"},
	{"key revoke", cmd_key_revoke, "key revoke KEY_ID [--data DIR]   revoke an API key"},
	{"operator create", cmd_operator_create, "operator create TENANT_ID USERNAME [--role viewer|reviewer|admin] [--password-stdin] [--data DIR]   review-console operator"},
	{"operator disable", cmd_operator_disable, "operator disable USERNAME [--data DIR]   lock an operator out and end its sessions"},
	{"operator enable", cmd_operator_enable, "operator enable USERNAME [--data DIR]   let a disabled operator log in again"},
	{"operator reset-password", cmd_operator_reset_password, "operator reset-password USERNAME [--password-stdin] [--data DIR]   new password, sessions ended"},
	{"keys init", cmd_keys_init, "keys init [--out FILE]   create the master key file (0600; never overwrites)"},
	{"keys rotate", cmd_keys_rotate, "keys rotate [--data DIR]   new master key, tenant keys re-wrapped while serving"},
	{"blobs migrate", cmd_blobs_migrate, "blobs migrate --blobs s3://BUCKET?endpoint=URL [--data DIR]   copy local files to a bucket"},
	{"migrate", cmd_migrate, "migrate --from sqlite:DIR --to postgres://...   copy a SQLite database into an empty PostgreSQL one"},
	{"backup", cmd_backup, "backup DEST [--data DIR]   consistent copy of the database and files, while serving"},
	{"mrz", cmd_mrz, "mrz   parse MRZ text on stdin, one JSON object per document"},
	{"scan", cmd_scan, "scan [--debug DIR] FILE...   find and read the MRZ in images"},
	{"face", cmd_face, "face detect IMG... | face compare A B   find, describe and compare faces"},
	{"synth", cmd_synth, "synth --out DIR --count N --seed S [--level 0|1|2]   specimen images"},
	{"card", cmd_card, "card [--kind eg-nid|dl-aamva] [--front FILE] [--back FILE]   read an Egyptian national ID card or a driving licence"},
	{"version", cmd_version, "version   print the version"},
	{"help", cmd_help, "help   this list"},
	{NULL, NULL, NULL},
};

/* The global options, anywhere on the line, taken out of argv and handed
 * on as environment variables: --db LOCATOR (KYCD_DB; every command that
 * opens the store uses it), --blobs LOCATOR (KYCD_BLOBS: where files go),
 * docs/deploy.md, and --master-key FILE (KYCD_MASTER_KEY_FILE: the master key
 * of encryption at rest, docs/security.md). Either as "--opt VALUE" or
 * "--opt=VALUE". 0, or -1 when a value is missing. */
static int take_global_options(int *argc, char **argv)
{
	static const struct {
		const char *opt, *env;
	} globals[] = {{"--db", "KYCD_DB"},
		       {"--blobs", "KYCD_BLOBS"},
		       {"--master-key", "KYCD_MASTER_KEY_FILE"}};
	for (int i = 1; i < *argc; i++) {
		const char *v = NULL, *env = NULL;
		int n = 0;
		for (size_t g = 0; g < sizeof globals / sizeof *globals && !env; g++) {
			size_t ol = strlen(globals[g].opt);
			if (!strcmp(argv[i], globals[g].opt)) {
				if (i + 1 >= *argc) {
					fprintf(stderr, "kycd: option %s needs a value\n",
						globals[g].opt);
					return -1;
				}
				v = argv[i + 1];
				n = 2;
				env = globals[g].env;
			} else if (!strncmp(argv[i], globals[g].opt, ol) && argv[i][ol] == '=') {
				v = argv[i] + ol + 1;
				n = 1;
				env = globals[g].env;
			}
		}
		if (!env)
			continue;
		if (setenv(env, v, 1) != 0)
			return -1;
		memmove(&argv[i], &argv[i + n], sizeof *argv * (size_t)(*argc - i - n + 1));
		*argc -= n;
		i--;
	}
	return 0;
}

int main(int argc, char **argv)
{
	kyc_tensor_pick_blas_kernels(argv); /* the face engine's speed (docs/face.md) */
	if (take_global_options(&argc, argv) != 0)
		return 2;
	const char *blobs = getenv("KYCD_BLOBS");
	char err[256];
	if (blobs && *blobs && kyc_blob_configure(blobs, err, sizeof err) != 0) {
		fprintf(stderr, "kycd: --blobs: %s\n", err);
		return 2;
	}
	if (argc < 2)
		return cmd_help(argc - 1, argv + 1) == 0 ? 2 : 2;
	for (const struct kyc_cmd *c = kyc_commands; c->name; c++) {
		const char *sp = strchr(c->name, ' ');
		if (sp) {
			size_t n = (size_t)(sp - c->name);
			if (argc >= 3 && strlen(argv[1]) == n && !strncmp(argv[1], c->name, n) &&
			    !strcmp(argv[2], sp + 1))
				return c->run(argc - 2, argv + 2);
		} else if (!strcmp(argv[1], c->name)) {
			return c->run(argc - 1, argv + 1);
		}
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	fprintf(stderr, "kycd: '%s' is not a command. See 'kycd help'.\n", argv[1]);
	return 2;
}
