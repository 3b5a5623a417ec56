/* kycd scan FILE...: finds and reads the MRZ in each photo and prints one JSON
 * object per file, {"file","mrz","error","ms"}, where mrz is what `kycd mrz`
 * prints for the lines read (or null). Exit 1 when some file could not be
 * read or decoded at all, 2 on usage errors, else 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/err.h"
#include "document/image.h"
#include "document/doc_read.h"

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static json_t *error_obj(const char *code, const char *message)
{
	return json_pack("{s:s, s:s}", "code", code, "message", message);
}

/* Reads one file into *mrz / *err (exactly one of them non-NULL on return).
 * Returns 0 when the file was decoded (whether or not an MRZ was read). */
static int scan_one(const char *path, int64_t today, json_t **mrz, json_t **err)
{
	struct kyc_image img;
	const char *why = NULL;
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE};
	*mrz = NULL;
	*err = NULL;
	int rc = kyc_image_load(path, &opts, &img, &why);
	if (rc) {
		char msg[160];
		snprintf(msg, sizeof msg, "cannot decode the image (%s)", kyc_err_name(rc));
		*err = error_obj(why ? why : "unreadable", msg);
		return -1;
	}
	/* The same path as document uploads (src/document/doc_read.c). */
	struct kyc_doc_read rd;
	rc = kyc_doc_read(&img, today, &rd);
	kyc_image_free(&img);
	if (rc) {
		*err = error_obj("nomem", "out of memory");
		return -1;
	}
	if (!rd.mrz) {
		*err = error_obj(rd.reason, rd.message);
		return 0;
	}
	*mrz = rd.mrz;
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(stderr, "usage: kycd scan FILE...\n"
				"  one JSON object per file: {\"file\",\"mrz\",\"error\",\"ms\"}\n");
		return 2;
	}
	int64_t today = kyc_now_ms() / 86400000;
	int failed = 0;
	for (int i = 1; i < argc; i++) {
		double t0 = mono_ms();
		json_t *mrz, *err;
		if (scan_one(argv[i], today, &mrz, &err) != 0)
			failed = 1;
		double ms = mono_ms() - t0;
		json_t *o = json_object(), *name = json_string(argv[i]);
		if (!name) /* not UTF-8: JSON cannot carry it verbatim */
			name = json_string("(file name is not UTF-8)");
		if (!o || json_object_set_new(o, "file", name) ||
		    json_object_set_new(o, "mrz", mrz ? mrz : json_null()) ||
		    json_object_set_new(o, "error", err ? err : json_null()) ||
		    json_object_set_new(o, "ms", json_real((double)(long)(ms * 10 + 0.5) / 10))) {
			json_decref(o);
			fprintf(stderr, "kycd scan: out of memory\n");
			return 1;
		}
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
		json_decref(o);
		if (!s) {
			fprintf(stderr, "kycd scan: out of memory\n");
			return 1;
		}
		printf("%s\n", s);
		free(s);
		fflush(stdout);
	}
	return failed;
}
