/* kycd face detect IMG... | kycd face compare [--threshold T] A B (docs/face.md).
 *   detect:  one JSON line per image: {"file","faces":[...],"ms"}, faces as
 *            kyc_face_json, or {"file","error":{"code","message"},"ms"}.
 *   compare: {"similarity","distance","match","threshold","ms"}, or
 *            {"error":{"code","file","message"}} with code no_face,
 *            several_faces or the image's decode reason. The threshold is
 *            the workflow's default face_match_threshold unless --threshold
 *            gives one (0.1 to 0.8, as the tenant setting), so the command
 *            and the server call the same pair a match.
 * Exit 0 when every image was read, 1 otherwise, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/err.h"
#include "document/image.h"
#include "face/face.h"
#include "flows/face_checks.h"

/* Photos are decoded at no more than about this longer side (JPEG scaling):
 * detection runs at 416 and a selfie's face stays well above 150 px. */
#define FACE_DECODE_SIDE 1600

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static json_t *file_name(const char *path)
{
	json_t *s = json_string(path);
	return s ? s : json_string("(file name is not UTF-8)");
}

static void print_line(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10));
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

/* Decodes and analyses one image; *code is set (static) on failure. */
static int analyze_file(const struct kyc_face_engine *e, const char *path,
                        struct kyc_face_list *faces, const char **code)
{
	struct kyc_image img;
	struct kyc_image_opts opts = {.want_rgb = 1, .target_side = FACE_DECODE_SIDE};
	const char *why = NULL;
	memset(faces, 0, sizeof *faces);
	int rc = kyc_image_load(path, &opts, &img, &why);
	if (rc) {
		*code = why ? why : kyc_err_name(rc);
		return rc;
	}
	rc = kyc_face_analyze(e, &img, faces);
	kyc_image_free(&img);
	if (rc)
		*code = kyc_err_name(rc);
	return rc;
}

static int open_engine(struct kyc_face_engine **e)
{
	char err[512];
	if (kyc_face_engine_open(NULL, e, err, sizeof err) != 0) {
		fprintf(stderr, "kycd face: %s\n", err);
		return -1;
	}
	return 0;
}

static int face_detect(int argc, char **argv)
{
	struct kyc_face_engine *e;
	if (open_engine(&e))
		return 1;
	int failed = 0;
	for (int i = 0; i < argc; i++) {
		double t0 = mono_ms();
		struct kyc_face_list faces;
		const char *code = NULL;
		json_t *o = json_object();
		json_object_set_new(o, "file", file_name(argv[i]));
		if (analyze_file(e, argv[i], &faces, &code) != 0) {
			failed = 1;
			json_object_set_new(o, "error",
			                    json_pack("{s:s, s:s}", "code", code, "message",
			                              "cannot read the image"));
		} else {
			json_t *arr = json_array();
			for (size_t k = 0; k < faces.count; k++)
				json_array_append_new(arr, kyc_face_json(&faces.faces[k]));
			json_object_set_new(o, "faces", arr);
			kyc_face_list_free(&faces);
		}
		json_object_set_new(o, "ms", json_real((double)(long)((mono_ms() - t0) * 10) / 10));
		print_line(o);
	}
	kyc_face_engine_free(e);
	return failed;
}

static int face_compare(const char *a, const char *b, double threshold)
{
	struct kyc_face_engine *e;
	if (open_engine(&e))
		return 1;
	double t0 = mono_ms();
	struct kyc_face_list fa = {0}, fb = {0};
	const char *code = NULL, *bad = NULL;
	const struct kyc_face *pa = NULL, *pb = NULL;
	if (analyze_file(e, a, &fa, &code))
		bad = a;
	else if (!(pa = kyc_face_pick(&fa, &code)))
		bad = a;
	else if (analyze_file(e, b, &fb, &code))
		bad = b;
	else if (!(pb = kyc_face_pick(&fb, &code)))
		bad = b;
	json_t *o;
	if (bad) {
		const char *msg = !strcmp(code, "no_face") ? "no face was found in the image"
		                  : !strcmp(code, "several_faces") ? "the image shows several faces"
		                                                   : "cannot read the image";
		o = json_pack("{s:{s:s, s:o, s:s}}", "error", "code", code, "file", file_name(bad),
		              "message", msg);
	} else {
		struct kyc_face_match m;
		kyc_face_compare(pa->embedding, pb->embedding, threshold, &m);
		o = json_pack("{s:f, s:f, s:b, s:f}", "similarity",
		              (double)(long)(m.similarity * 1e4) / 1e4, "distance",
		              (double)(long)(m.distance * 1e4) / 1e4, "match", m.match, "threshold",
		              m.threshold);
	}
	json_object_set_new(o, "ms", json_real((double)(long)((mono_ms() - t0) * 10) / 10));
	print_line(o);
	kyc_face_list_free(&fa);
	kyc_face_list_free(&fb);
	kyc_face_engine_free(e);
	return bad ? 1 : 0;
}

int cmd_face(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "detect"))
		return face_detect(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "compare"))
		return face_compare(argv[2], argv[3], KYC_FACE_WORKFLOW_THRESHOLD);
	if (argc == 6 && !strcmp(argv[1], "compare") && !strcmp(argv[2], "--threshold")) {
		char *end;
		double t = strtod(argv[3], &end);
		/* the tenant setting's range (src/flows/settings.c) */
		if (end != argv[3] && !*end && t >= KYC_FACE_THRESHOLD_MIN &&
		    t <= KYC_FACE_THRESHOLD_MAX)
			return face_compare(argv[4], argv[5], t);
		fprintf(stderr, "kycd face compare: --threshold must be a number from 0.1 to 0.8\n");
		return 2;
	}
	fprintf(stderr, "usage: kycd face detect IMG...\n"
	                "       kycd face compare [--threshold T] A B\n"
	                "  models: $KYCD_MODELS or build/models/face-api (docs/face.md)\n");
	return 2;
}
