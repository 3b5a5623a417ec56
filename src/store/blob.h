/* File bytes on local disk under DATA_DIR/files/, named by the file's random
 * id. Writes are atomic (temp file, fsync, rename, fsync of the directory), so
 * a reader sees a whole file or none. The database row that points to a blob
 * is written only after kyc_blob_write returned 0; a crash in between leaves
 * an unreferenced blob, which is never served (only rows are) and which the
 * orphan sweep removes (src/flows/orphans.h, through kyc_blob_each). */
#ifndef KYC_BLOB_H
#define KYC_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

/* Chooses where blobs go, for the whole process, before any is read or
 * written: NULL, "" or "local" for DATA_DIR/files (the default), or
 * "s3://BUCKET?endpoint=URL&region=R" for an S3-compatible bucket
 * (blob_s3.h; credentials from the AWS_* environment). The calls below then
 * go to the bucket under the same keys ("files/ab/ab12..."), sealed
 * as on disk, data_dir unused; kyc_blob_copy_all and kyc_blob_sweep_tmp stay local. 0 or
 * KYC_ERR_INVALID with the reason in err. */
int kyc_blob_configure(const char *locator, char *err, size_t errsz);
/* "local" or "s3". */
const char *kyc_blob_backend(void);

/* Writes n bytes, sealed (docs/security.md: XChaCha20-Poly1305 under the data
 * key of owner_id, the applicant the file belongs to, or of the tenant when
 * NULL; bound to the tenant and the file id), as the blob of file id (a
 * UUID). s is any store of the data directory, for the data keys. Stores the
 * path relative to the data directory ("files/ab/ab12...") in relpath.
 * 0 or KYC_ERR_IO/INVALID. */
int kyc_blob_write(kyc_store *s, const char *data_dir, const char *tenant_id,
		   const char *owner_id, const char *id, const void *p, size_t n, char *relpath,
		   size_t relsz);
/* Reads a blob of tenant_id and opens it into out (whose max caps the
 * size). KYC_ERR_NOTFOUND if absent or its key was forgotten (erased),
 * KYC_ERR_DENIED when it does not open (another tenant's, changed),
 * KYC_ERR_INVALID when it was never sealed. */
int kyc_blob_read(kyc_store *s, const char *data_dir, const char *tenant_id, const char *relpath,
		  kyc_buf *out);
/* The bytes as they are on disk (the store's own use: sealing blobs written
 * before encryption, backups). */
int kyc__blob_write_raw(const char *data_dir, const char *id, const void *p, size_t n,
			char *relpath, size_t relsz);
int kyc__blob_read_raw(const char *data_dir, const char *relpath, kyc_buf *out);
/* Removes a blob; a missing one is not an error. */
int kyc_blob_remove(const char *data_dir, const char *relpath);
/* 0 when blobs can be written: DATA_DIR/files/tmp exists (made as a write
 * would make it) and a file can be created in it (it is removed at once, not
 * synced: a probe for /readyz, cheap enough for every few seconds).
 * KYC_ERR_IO otherwise. */
int kyc_blob_ready(const char *data_dir);
/* Copies every blob of src_dir into dest_dir (the same layout,
 * DEST/files/ab/ab12...; temp files are left out), each written whole then
 * renamed, and syncs them. Blobs are never changed once written, so a copy
 * made after a database snapshot holds every blob the snapshot points to
 * (but one erased meanwhile). *count: blobs copied. 0 or KYC_ERR_IO with the
 * reason in err. */
int kyc_blob_copy_all(const char *src_dir, const char *dest_dir, long *count, char *err,
		      size_t errsz);
/* Copies every local blob of data_dir (as kyc_blob_copy_all finds them) to
 * the bucket kyc_blob_configure named, under the same keys, and leaves the
 * local files in place. *count: blobs copied. 0, or an error with the
 * blob and the reason in err (those before it are copied: running it again
 * copies them again, harmlessly). */
int kyc_blob_push_all(const char *data_dir, long *count, char *err, size_t errsz);
/* Called for each blob by kyc_blob_each: its path relative to the data
 * directory (the bucket key), its file id, and when it was written (ms
 * since the epoch: the file's mtime, or the object's LastModified).
 * Non-zero stops the walk and is returned. */
typedef int (*kyc_blob_each_fn)(void *ctx, const char *relpath, const char *id,
				int64_t written_ms);
/* Calls fn for every blob where kyc_blob_configure puts them (DATA_DIR/files
 * or the bucket), in no particular order; temp files and keys of other
 * shapes are left out. 0, fn's non-zero, or KYC_ERR_IO when the walk or the
 * listing failed. */
int kyc_blob_each(const char *data_dir, kyc_blob_each_fn fn, void *ctx);
/* Removes leftover temp files older than max_age_ms (crash debris). Returns
 * the number removed. */
int kyc_blob_sweep_tmp(const char *data_dir, int64_t max_age_ms);

#endif
