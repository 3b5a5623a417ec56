/* Internals of the SQLite backend shared by its two files. */
#ifndef KYC_STORE_SQLITE_INT_H
#define KYC_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "store/store_int.h"

sqlite3 *kyc__store_db(kyc_store *s);
/* The cached "get by id" statement slot of a type. */
sqlite3_stmt **kyc__store_get_stmt(kyc_store *s, enum kyc_rtype t);
/* SQLite result code -> kyc_err, recording the message on s. */
int kyc__store_map(kyc_store *s, int rc);

#endif
