/* kycd backup DEST [--data DIR]: a consistent copy of a data directory
 * while `kycd serve` keeps running on it. DEST (new, or an empty folder)
 * gets kycd.db, a snapshot of the database as of one moment (the store's
 * online backup, kyc_store_backup), then files/, the blobs (written once and
 * never changed, so copying them after the snapshot brings every blob the
 * snapshot points to). DEST is itself a data directory: `kycd serve --data
 * DEST` runs on it. Prints {"database":…,"schema_version":…,"files":…}. */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "flows/erasure_log.h"
#include "store/blob.h"
#include "store/store.h"

/* 1 when path is a folder with nothing in it. */
static int empty_dir(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	struct dirent *e;
	int empty = 1;
	while (empty && (e = readdir(d)) != NULL)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

int cmd_backup(int argc, char **argv)
{
	const char *data = kyc_default_data_dir(), *dest = NULL;
	if (kyc_opt_data_and_arg(argc, argv, &data, &dest) != 0 || !*dest) {
		fprintf(stderr, "usage: kycd backup DEST [--data DIR]  (DEST: a new or empty folder)\n");
		return 2;
	}
	enum kyc_store_backend backend;
	const char *located;
	char err[512];
	if (kyc_store_locate(getenv("KYCD_DB"), &backend, &located, err, sizeof err) == 0 &&
	    backend == KYC_STORE_POSTGRES) {
		/* the same answer kyc_store_backup gives, before DEST is made */
		fprintf(stderr, "kycd: backup: kycd copies SQLite databases only; back PostgreSQL up "
				"with pg_dump (or base backups and WAL archiving for point-in-time "
				"recovery), and the files folder with any copy tool: docs/deploy.md\n");
		return 1;
	}
	if (mkdir(dest, 0700) != 0 && !(errno == EEXIST && empty_dir(dest))) {
		fprintf(stderr, "kycd: backup: %s must be a new or empty folder (%s)\n", dest,
			errno == EEXIST ? "it has something in it" : strerror(errno));
		return 1;
	}
	char db[4200];
	if ((size_t)snprintf(db, sizeof db, "%s/kycd.db", dest) >= sizeof db) {
		fprintf(stderr, "kycd: backup: path too long\n");
		return 1;
	}
	kyc_store *s = kyc_cli_store_open(data);
	if (!s)
		return 1;
	int version = kyc_store_schema_version(s);
	int rc = kyc_store_backup(s, db, err, sizeof err);
	kyc_store_close(s);
	long files = 0;
	/* Files in a bucket stay there: the bucket's versioning protects them
	 * (docs/deploy.md, Backups); the snapshot still points to them. */
	int local = !strcmp(kyc_blob_backend(), "local");
	if (!rc && local)
		rc = kyc_blob_copy_all(data, dest, &files, err, sizeof err);
	if (rc) {
		fprintf(stderr, "kycd: %s\n", err);
		return 1;
	}
	json_t *o = json_pack("{s:s, s:i, s:o, s:s}", "database", db, "schema_version", version,
			      "files", local ? json_integer(files) : json_null(), "blobs",
			      kyc_blob_backend());
	char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (txt)
		printf("%s\n", txt);
	/* the copy is sealed: without the master key it is unreadable (the
	 * answer above first, for scripts that read one line) */
	fflush(stdout);
	const char *key = getenv("KYCD_MASTER_KEY_FILE");
	fprintf(stderr,
		"kycd: backup: the master key (%s%s) is not in the backup; keep a copy of it "
		"elsewhere: the backup cannot be read without it (docs/deploy.md)\n",
		key && *key ? key : data, key && *key ? "" : "/master.key");
	/* nor is the erasure log: a restore is erased again from the live one */
	char elog[4096];
	if (kyc_erasure_log_path(data, elog, sizeof elog) == 0)
		fprintf(stderr,
			"kycd: backup: the erasure log (%s) is not in the backup either; a restored "
			"backup is erased again from it at start (docs/security.md)\n",
			elog);
	free(txt);
	json_decref(o);
	return txt ? 0 : 1;
}
