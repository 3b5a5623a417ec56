/* Moving a single-node install to PostgreSQL (`kycd migrate`, docs/deploy.md):
 * every table of a SQLite store copied row for row into an empty PostgreSQL
 * store of the same schema version, in one transaction, with a count check
 * per table. Files are not touched: they stay in the data directory (or
 * move to a bucket with `kycd blobs migrate`). */
#ifndef KYC_STORE_MIGRATE_H
#define KYC_STORE_MIGRATE_H

#include <jansson.h>
#include <stddef.h>

/* Copies the SQLite store of data directory dir into the PostgreSQL
 * database pg (a libpq string). Both are brought to the current schema
 * first (kyc_store_open_at). The copy reads one SQLite snapshot, so a
 * server still writing to dir loses nothing it had committed before the
 * copy began, and nothing after it is copied. Refuses (KYC_ERR_CONFLICT)
 * a target holding any row. Rolls back unless every table holds as many
 * rows in PostgreSQL as in SQLite. On success *counts is {"table": rows}
 * (the caller decrefs). 0 or a kyc_err, with the reason in err. */
int kyc_store_migrate(const char *dir, const char *pg, json_t **counts, char *err, size_t errsz);

#endif
