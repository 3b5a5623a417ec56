/* Subcommands of the kycd binary, git-style: one file per command
 * (src/cli/cmd_<name>.c), all registered in the table in main.c.
 * Each takes the arguments after its own name (argv[0] is the command name)
 * and returns the process exit status. */
#ifndef KYC_CLI_H
#define KYC_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kyc_cmd {
	const char *name;   /* "serve", or "tenant create" for two-word commands */
	int (*run)(int argc, char **argv);
	const char *usage;  /* one line, shown by `kycd help` */
};

/* The table (defined in main.c), terminated by a NULL name. */
extern const struct kyc_cmd kyc_commands[];

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_tenant_create(int argc, char **argv);
int cmd_key_create(int argc, char **argv);
int cmd_key_revoke(int argc, char **argv);
int cmd_operator_create(int argc, char **argv);
int cmd_operator_disable(int argc, char **argv);
int cmd_operator_enable(int argc, char **argv);
int cmd_operator_reset_password(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_keys_init(int argc, char **argv);
int cmd_keys_rotate(int argc, char **argv);
int cmd_blobs_migrate(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_mrz(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_face(int argc, char **argv);
int cmd_card(int argc, char **argv);
/* `kycd synth --kind eg-nid` (cmd_synth_card.c): count Egyptian ID cards into
 * dir, front and back, with truth.jsonl; contradictions makes each card's
 * printed birth date or gender disagree with its number; sheet lays a share
 * of the photos on a flush white sheet (KYC_SYNTH_SHEET_RATE). 0 or a KYC_ERR_*. */
int kyc_synth_cards(const char *dir, uint64_t count, uint64_t seed, int level, int contradictions,
		    int sheet);
/* `kycd synth --kind dl-aamva` (cmd_synth_dl.c): count driving licences into
 * dir, front and back, with truth.jsonl. 0 or a KYC_ERR_*. */
int kyc_synth_dl_cards(const char *dir, uint64_t count, uint64_t seed, int level);

/* Option parsing shared by the commands: recognises "--name VALUE" and
 * "--name=VALUE" at argv[*i]. On a match stores VALUE in *out, advances *i past
 * what it consumed and returns 1; returns 0 when argv[*i] is another option and
 * -1 (after printing an error) when the value is missing. */
int kyc_opt_value(int argc, char **argv, int *i, const char *name, const char **out);

/* The common shape "CMD ARG [--data DIR]": sets *data (left as is when the
 * option is absent) and *arg. 0, or -1 when the arguments have another shape
 * (the caller prints its usage). */
int kyc_opt_data_and_arg(int argc, char **argv, const char **data, const char **arg);

/* A file that appears whole or not at all: tf was written aside at tmp.
 * Closes it, then renames it to dst when rc is 0 and the close held, else
 * removes tmp. Returns rc, or KYC_ERR_IO when the close or rename failed. */
int kyc_cli_file_finish(FILE *tf, const char *tmp, const char *dst, int rc);

struct kyc_store;
/* Opens the store for a command: the database KYCD_DB names, else SQLite in
 * data_dir (which keeps the files either way); prints the reason and
 * returns NULL when it cannot. */
struct kyc_store *kyc_cli_store_open(const char *data_dir);

/* The data directory: --data, else the folder of KYCD_DB=sqlite:DIR, else
 * $KYCD_DATA, else "./data". */
const char *kyc_default_data_dir(void);
/* Checks KYCD_DB (set by the global --db, main.c): 0 when it is a locator
 * kyc_store_locate reads (SQLite or PostgreSQL); else prints why and
 * returns -1. */
int kyc_cli_db_check(void);

#endif
