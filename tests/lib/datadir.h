/* What a data directory holds on disk, read from the outside (the erasure
 * and retention tests): whether any file still holds some bytes, whether a
 * file's blob is there. */
#ifndef KYC_TEST_DATADIR_H
#define KYC_TEST_DATADIR_H

#include <stddef.h>

/* How many files under dir (the database, its log, every blob) hold the
 * bytes p[0..n); a single file may be given as dir. */
int datadir_files_holding(const char *dir, const void *p, size_t n);
int datadir_files_holding_str(const char *dir, const char *s);

/* 1 when the blob of file_id is on disk (DIR/files/<2>/<id>). */
int datadir_blob_exists(const char *dir, const char *file_id);

#endif
