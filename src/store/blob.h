/* File bytes on local disk under DATA_DIR/files/, named by the file's random
 * id. Writes are atomic (temp file, fsync, rename, fsync of the directory), so
 * a reader sees a whole file or none. The database row that points to a blob
 * is written only after kyc_blob_write returned 0; a crash in between leaves
 * an unreferenced blob, which is never served (only rows are) and which
 * kyc_blob_sweep removes. */
#ifndef KYC_BLOB_H
#define KYC_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* Writes n bytes as the blob of file id (a UUID). Stores the path relative to
 * the data directory ("files/ab/ab12...") in relpath. 0 or KYC_ERR_IO/INVALID. */
int kyc_blob_write(const char *data_dir, const char *id, const void *p, size_t n, char *relpath,
		   size_t relsz);
/* Reads a blob into out (whose max caps the size). KYC_ERR_NOTFOUND if absent. */
int kyc_blob_read(const char *data_dir, const char *relpath, kyc_buf *out);
/* Removes a blob; a missing one is not an error. */
int kyc_blob_remove(const char *data_dir, const char *relpath);
/* Removes leftover temp files older than max_age_ms (crash debris). Returns
 * the number removed. */
int kyc_blob_sweep_tmp(const char *data_dir, int64_t max_age_ms);

#endif
