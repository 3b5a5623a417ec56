/* kycd blobs migrate: copies the files of a data directory to the bucket
 * named by --blobs (docs/deploy.md, "Blob storage"). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/err.h"
#include "store/blob.h"

int cmd_blobs_migrate(int argc, char **argv)
{
	const char *data = kyc_default_data_dir();
	for (int i = 1; i < argc;) {
		if (kyc_opt_value(argc, argv, &i, "--data", &data) != 1) {
			fprintf(stderr, "usage: kycd blobs migrate --blobs s3://BUCKET?endpoint=URL&region=R "
					"[--data DIR]\n");
			return 2;
		}
	}
	if (strcmp(kyc_blob_backend(), "s3")) {
		fprintf(stderr, "kycd: blobs migrate: name the bucket with --blobs s3://... (or "
				"KYCD_BLOBS)\n");
		return 2;
	}
	long n = 0;
	char err[512];
	int rc = kyc_blob_push_all(data, &n, err, sizeof err);
	if (rc) {
		fprintf(stderr, "kycd: blobs migrate: %s (%ld copied before it)\n", err, n);
		return 1;
	}
	printf("{\"copied\":%ld}\n", n);
	return 0;
}
