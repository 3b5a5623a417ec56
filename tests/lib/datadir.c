#include "datadir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* nftw's callback takes no argument of ours: the search lives here, one at a
 * time per thread. */
static _Thread_local const void *needle;
static _Thread_local size_t needle_len;
static _Thread_local int found;

static int search_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || st->st_size == 0)
		return 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return 0;
	char *buf = malloc((size_t)st->st_size);
	size_t n = buf ? fread(buf, 1, (size_t)st->st_size, fp) : 0;
	fclose(fp);
	if (n && memmem(buf, n, needle, needle_len))
		found++;
	free(buf);
	return 0;
}

int datadir_files_holding(const char *dir, const void *p, size_t n)
{
	needle = p;
	needle_len = n;
	found = 0;
	nftw(dir, search_file, 16, FTW_PHYS);
	return found;
}

int datadir_files_holding_str(const char *dir, const char *s)
{
	return datadir_files_holding(dir, s, strlen(s));
}

int datadir_blob_exists(const char *dir, const char *file_id)
{
	char path[512];
	struct stat st;
	snprintf(path, sizeof path, "%s/files/%.2s/%s", dir, file_id, file_id);
	return stat(path, &st) == 0;
}
