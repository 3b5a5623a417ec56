/* kycd scan [--debug DIR] FILE...: finds and reads the MRZ in each photo and
 * prints one JSON object per file, {"file","mrz","error","ms"}, where mrz is
 * what `kycd mrz` prints for the lines read (or null), and "viz", the
 * printed page compared with a verified MRZ (viz.h), as uploads have it.
 * With --debug, also writes DIR/<file name>.png showing what the reader saw
 * (scan_debug.h) and names it in "debug", and DIR/<file name>.viz.png, the
 * page the visual zone was read from. Exit 1 when some file could not be read or decoded at
 * all, 2 on usage errors, else 0. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/clock.h"
#include "core/err.h"
#include "document/image.h"
#include "document/card_dl_aamva.h"
#include "document/doc_read.h"
#include "document/scan_debug.h"
#include "document/viz.h"

#define DEBUG_PNG_MAX (64u << 20)

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

/* Writes the debug picture of img and rd to DIR/<base name of path>.png
 * (with viz, the visual zone's page to DIR/<base name>.viz.png) and returns
 * that path (malloc()ed), or NULL when it could not be written. */
static char *write_debug(const char *dir, const char *path, const struct kyc_image *img,
                         const struct kyc_doc_read *rd, int viz)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	kyc_buf png, name;
	kyc_buf_init(&png, DEBUG_PNG_MAX);
	kyc_buf_init(&name, 4096);
	char *res = NULL;
	FILE *f = NULL;
	if ((viz ? kyc_viz_page_png(img, &rd->reader, &png)
	         : kyc_scan_debug_png(img, &rd->reader, &png)) ||
	    kyc_buf_printf(&name, "%s/%s%s.png", dir, base, viz ? ".viz" : ""))
		goto out;
	f = fopen(name.data, "wb");
	if (!f)
		goto out;
	int ok = fwrite(png.data, 1, png.len, f) == png.len;
	if (fclose(f) == 0 && ok)
		res = strdup(name.data);
out:
	kyc_buf_release(&png);
	kyc_buf_release(&name);
	return res;
}

/* Reads one file into *mrz / *err (exactly one of them non-NULL on return)
 * and, with debug_dir, writes its debug picture into *debug (else NULL).
 * *viz: the visual zone's object when the MRZ verified, else NULL.
 * Returns 0 when the file was decoded (whether or not an MRZ was read). */
static int scan_one(const char *path, int64_t today, const char *debug_dir, json_t **mrz,
                    json_t **err, char **debug, json_t **barcode, json_t **viz)
{
	struct kyc_image img;
	const char *why = NULL;
	struct kyc_image_opts opts = {.target_side = KYC_READER_DECODE_SIDE,
	                              .keep_bytes = 1,
	                              .want_rgb = debug_dir != NULL};
	*mrz = NULL;
	*err = NULL;
	*debug = NULL;
	*barcode = NULL;
	*viz = NULL;
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
	if (!rc && debug_dir)
		*debug = write_debug(debug_dir, path, &img, &rd, 0);
	/* The printed page against a verified MRZ, as uploads read it
	 * (src/flows/extraction.c). */
	if (!rc && json_is_true(json_object_get(rd.mrz, "valid"))) {
		if (kyc_viz_read(&img, &rd.reader, rd.mrz, viz))
			*viz = NULL;
		if (debug_dir)
			free(write_debug(debug_dir, path, &img, &rd, 1));
	}
	/* A picture without an MRZ may be a driving licence's back (docs/dl.md). */
	if (!rc && !rd.mrz) {
		int derr = 0;
		json_t *dl = kyc_dl_read(NULL, &img, &derr);
		if (dl && (json_is_true(json_object_get(dl, "barcode_found")) ||
		           json_array_size(json_object_get(dl, "qr"))))
			*barcode = dl;
		else
			json_decref(dl);
	}
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
	const char *debug_dir = NULL;
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "--debug"))
		debug_dir = argc > 2 ? argv[2] : NULL, first = 3;
	if (argc <= first || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fprintf(stderr, "usage: kycd scan [--debug DIR] FILE...\n"
		                "  one JSON object per file: {\"file\",\"mrz\",\"error\",\"ms\"}\n"
		                "  and \"barcode\" (kycd card --kind dl-aamva's object) when a picture\n"
		                "  without an MRZ has an AAMVA PDF417 or a QR code\n"
		                "  --debug DIR: also DIR/<file>.png showing what the reader saw\n");
		return 2;
	}
	if (debug_dir && mkdir(debug_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "kycd scan: cannot create %s: %s\n", debug_dir, strerror(errno));
		return 1;
	}
	int64_t today = kyc_now_ms() / 86400000;
	int failed = 0;
	for (int i = first; i < argc; i++) {
		double t0 = mono_ms();
		json_t *mrz, *err, *barcode, *viz;
		char *debug;
		if (scan_one(argv[i], today, debug_dir, &mrz, &err, &debug, &barcode, &viz) != 0)
			failed = 1;
		double ms = mono_ms() - t0;
		json_t *o = json_object(), *name = json_string(argv[i]);
		if (!name) /* not UTF-8: JSON cannot carry it verbatim */
			name = json_string("(file name is not UTF-8)");
		json_t *dbg = debug ? json_string(debug) : NULL;
		free(debug);
		if (!o || json_object_set_new(o, "file", name) ||
		    json_object_set_new(o, "mrz", mrz ? mrz : json_null()) ||
		    json_object_set_new(o, "error", err ? err : json_null()) ||
		    (barcode && json_object_set_new(o, "barcode", barcode)) ||
		    (viz && json_object_set_new(o, "viz", viz)) ||
		    json_object_set_new(o, "ms", json_real((double)(long)(ms * 10 + 0.5) / 10)) ||
		    (debug_dir && json_object_set_new(o, "debug", dbg ? dbg : json_null()))) {
			json_decref(o);
			fprintf(stderr, "kycd scan: out of memory\n");
			return 1;
		}
		char *s =
		    json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
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
