/* The erasure log: which applicants were erased, kept outside the database
 * and its backups, so that restoring an old backup does not bring an erased
 * person back (docs/security.md, "Erasure and backups").
 *
 * Crypto-shredding deletes an applicant's data key in the live database; a
 * backup taken before still holds the key wrapped, and restoring it would
 * make the applicant readable again. Every erasure appends one line to this
 * file (synced) before it commits, and at start-up `kycd serve` erases
 * again every logged applicant the database holds unerased. `kycd backup`
 * copies the database and the files, never this log.
 *
 * A line is "e1 <tenant id> <applicant id> <erased at, ms since 1970>\n":
 * ids only, which the erased applicant's audit skeleton keeps anyway. */
#ifndef KYC_ERASURE_LOG_H
#define KYC_ERASURE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

struct kyc_erasure_entry {
	char tenant_id[37];
	char applicant_id[37];
	int64_t at_ms;
};

/* Room for the longest line kyc_erasure_log_format writes: "e1 ", two
 * UUIDs, up to 18 digits, the spaces, the newline and a NUL (97). */
#define KYC_ERASURE_LOG_LINE_MAX 128

/* The log's file: KYCD_ERASURE_LOG, else DATA_DIR/erasures.log. 0, or
 * KYC_ERR_INVALID when it does not fit out. */
int kyc_erasure_log_path(const char *data_dir, char *out, size_t outsz);

/* One entry as its line, newline included: its length, or KYC_ERR_INVALID
 * when an id is not a UUID or the time is negative or over 18 digits (what
 * the reader takes). */
int kyc_erasure_log_format(const struct kyc_erasure_entry *e, char out[KYC_ERASURE_LOG_LINE_MAX]);

/* Appends one entry to the file at path (created 0600 when missing) with
 * one write, then syncs it (and its folder when it was created). 0, or
 * KYC_ERR_IO / KYC_ERR_INVALID with the reason in err. */
int kyc_erasure_log_append(const char *path, const struct kyc_erasure_entry *e, char *err,
                           size_t errsz);

/* Reads log text (n bytes, not NUL-terminated): calls fn for each
 * well-formed line, in order, and counts in *bad the lines that are not (a
 * last line cut by a crash, or damage). A non-zero return of fn stops the
 * read and is returned. */
int kyc_erasure_log_parse(const char *p, size_t n,
                          int (*fn)(const struct kyc_erasure_entry *e, void *arg), void *arg,
                          long *bad);

/* Starts the log at path when there is no file there: writes, in one
 * renamed file, a line for every applicant store s holds erased (time 0:
 * erased before the log began), so that erasures made before this log
 * (an upgrade, or a lost log) are in it. *created is 1 when the file was
 * made, with *entries lines; 0 when it was there (and nothing is read).
 * 0, or a negative code with the reason in err. */
int kyc_erasure_log_seed(kyc_store *s, const char *path, int *created, long *entries, char *err,
                         size_t errsz);

struct kyc_erasure_replay {
	long entries;   /* well-formed lines read */
	long bad;       /* lines skipped */
	long reapplied; /* applicants erased again */
};

/* Erases again, in store s, every applicant of the log at path (see
 * kyc_erasure_log_path) that s holds and that is not erased (a database
 * restored from a backup older than the erasure), each as
 * DELETE /v1/applicants/{id} does, with the actor "erasure-log" and without
 * adding to the log. A missing file is an empty log. data_dir: where the
 * files are (src/store/blob.h). 0, or a negative code with the reason in
 * err (an unreadable log, an erasure that failed): the caller should not
 * serve then. */
int kyc_erasure_log_replay(kyc_store *s, const char *data_dir, const char *path,
                           struct kyc_erasure_replay *out, char *err, size_t errsz);

#endif
