/* A throwaway S3-protocol server for the blob-storage tests: s3rver (npm,
 * pinned in tests/s3/package-lock.json, installed there with `npm ci` when
 * missing) under node, on 127.0.0.1 and a port the kernel chose, keeping its
 * objects in a temporary folder; stopped and removed afterwards. It checks
 * every request's AWS Signature Version 4 (tests/s3/serve.mjs: s3rver itself does not). */
#ifndef KYC_TEST_S3TMP_H
#define KYC_TEST_S3TMP_H

#include <sys/types.h>

struct s3tmp {
	pid_t pid;
	int port;
	char dir[64];         /* where s3rver keeps the objects */
	char locator[192];    /* s3://BUCKET?endpoint=http://127.0.0.1:PORT&region=us-east-1 */
	char env_locator[220]; /* "KYCD_BLOBS=..." */
};

/* The credentials tests/s3/serve.mjs accepts, as "K=V" strings for a server's environment. */
#define S3TMP_ENV_KEY "AWS_ACCESS_KEY_ID=S3RVER"
#define S3TMP_ENV_SECRET "AWS_SECRET_ACCESS_KEY=kycd-test-secret"

/* Starts it with bucket made, and waits for the line it prints once it
 * accepts requests (no fixed wait). 0, or -1 with the reason on stderr. */
int s3tmp_start(struct s3tmp *s, const char *bucket);
/* The path s3rver keeps key of bucket's object at, when it has one: 1. */
int s3tmp_has_object(const struct s3tmp *s, const char *bucket, const char *key);
/* SIGTERM, wait, remove the folder. Safe on a failed start. */
void s3tmp_stop(struct s3tmp *s);

#endif
