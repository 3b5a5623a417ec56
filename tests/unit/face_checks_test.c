/* The workflow's face checks on real faces: the specimen portraits of
 * realdocs (ERIKSSON ANNA MARIA, born 1974-08-12 by the MRZ, on several
 * documents; the UK specimen another person), a face-api demo face made
 * dark, and a demo selfie whose anti-spoof cues are set by hand (the score
 * itself is tests/unit/spoof_test.c's). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "document/image.h"
#include "face/face.h"
#include "flows/face_checks.h"
#include "faces.h"
#include "test.h"

static struct kyc_face_engine *engine;

static int analyze(const char *path, int dark, struct kyc_face_list *l)
{
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	if (kyc_image_load(path, &o, &im, NULL))
		return -1;
	for (size_t i = 0; dark && i < (size_t)im.w * im.h * 3; i++)
		im.rgb[i] = (unsigned char)(im.rgb[i] / 6);
	int rc = kyc_face_analyze(engine, &im, l);
	kyc_image_free(&im);
	return rc;
}

static const json_t *named(const json_t *checks, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(checks, i, c) if (!strcmp(json_string_value(json_object_get(c, "name")),
	                                             name)) return c;
	return NULL;
}

static const char *result(const json_t *checks, const char *name)
{
	return json_string_value(json_object_get(named(checks, name), "result"));
}

TEST(specimens)
{
	const char *shared = getenv("KYCD_SHARED");
	if (!shared) {
		printf("  (KYCD_SHARED not set; realdocs skipped)\n");
		return;
	}
	char p1[1024], p2[1024], p3[1024];
	snprintf(p1, sizeof p1, "%s/realdocs/td1.jpg", shared);
	snprintf(p2, sizeof p2, "%s/realdocs/td3.jpg", shared);
	snprintf(p3, sizeof p3, "%s/realdocs/passport_uk.jpg", shared);
	struct kyc_face_list selfie, same, other;
	REQUIRE(analyze(p1, 0, &selfie) == 0);
	REQUIRE(analyze(p2, 0, &same) == 0);
	REQUIRE(analyze(p3, 0, &other) == 0);
	REQUIRE(selfie.count >= 1 && same.count >= 1 && other.count >= 1);
	int64_t today = kyc_days_from_civil(2026, 12, 2);
	struct kyc_face_check_input in = {.selfie = &selfie,
	                                  .portrait = &same.faces[0],
	                                  .birth_date = "1974-08-12",
	                                  .today = today,
	                                  .threshold = KYC_FACE_DEFAULT_THRESHOLD};
	const char *retry;
	int close;
	json_t *c = kyc_face_checks(&in, &retry, &close);
	REQUIRE(c != NULL);
	CHECK_INT(json_array_size(c), 5);
	CHECK_STR(result(c, "selfie_quality"), "pass");
	CHECK_STR(result(c, "face_match"), "pass");
	CHECK(retry == NULL);
	/* The specimen photo shows someone far younger than 52: the age check
	 * must flag the gap (it sends to review, not to rejection). */
	CHECK_STR(result(c, "age_consistency"), "fail");
	CHECK_INT(json_integer_value(json_object_get(
	              json_object_get(named(c, "age_consistency"), "details"), "document_age")),
	          52);
	CHECK(close == 1);
	CHECK_STR(result(c, "liveness"), "not_applicable");
	json_decref(c);

	/* A birth date that fits the photo's apparent age passes. */
	char young[16];
	kyc_date_format(today - (int64_t)(selfie.faces[0].age * 365.25), young);
	in.birth_date = young;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "age_consistency"), "pass");
	json_decref(c);

	in.portrait = &other.faces[0];
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "face_match"), "fail");
	CHECK_STR(json_string_value(json_object_get(named(c, "face_match"), "reason")),
	          "faces_differ");
	json_decref(c);

	in.portrait = NULL;
	in.birth_date = NULL;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "face_match"), "not_applicable");
	CHECK_STR(result(c, "age_consistency"), "not_applicable");
	json_decref(c);
	kyc_face_list_free(&selfie);
	kyc_face_list_free(&same);
	kyc_face_list_free(&other);
}

TEST(a_dark_selfie_gives_its_retry_code)
{
	struct kyc_face_list dark;
	REQUIRE(analyze("tests/data/face/face150_3.png", 1, &dark) == 0);
	struct kyc_face_check_input in = {.selfie = &dark, .threshold = 0.6};
	const char *retry;
	int close;
	json_t *c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "selfie_quality"), "fail");
	CHECK_STR(retry, "selfie_too_dark");
	CHECK_STR(result(c, "face_match"), "not_applicable");
	json_decref(c);
	kyc_face_list_free(&dark);
	in.selfie = NULL;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "selfie_quality"), "not_applicable");
	CHECK(retry == NULL && close == 0);
	json_decref(c);
	CHECK_STR(kyc_face_retry_code("several_faces"), "selfie_several_faces");
	CHECK(kyc_face_retry_code(NULL) == NULL);
}

TEST(the_liveness_check_says_the_challenge)
{
	/* No selfie is needed for it: the verdict kept with the selfie decides,
	 * and the level says what its absence means. */
	struct kyc_face_check_input in = {.threshold = 0.6};
	const char *retry;
	int close;
	json_t *c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "liveness"), "not_applicable");
	CHECK_STR(json_string_value(json_object_get(named(c, "liveness"), "reason")),
	          "not_requested");
	json_decref(c);
	in.liveness_step = 1;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "liveness"), "review");
	CHECK_STR(json_string_value(json_object_get(named(c, "liveness"), "reason")),
	          "not_performed");
	json_decref(c);
	json_t *lv = json_pack("{s:s, s:s, s:i, s:[s,s], s:[]}", "result", "fail", "reason",
	                       "no_head_turn", "frame", 1, "moves", "left", "right", "frames");
	in.liveness = lv;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "liveness"), "fail");
	CHECK_STR(json_string_value(json_object_get(named(c, "liveness"), "reason")),
	          "no_head_turn");
	CHECK_STR(json_string_value(json_array_get(
	              json_object_get(json_object_get(named(c, "liveness"), "details"), "moves"),
	              1)),
	          "right");
	json_decref(c);
	json_object_set_new(lv, "result", json_string("pass"));
	json_object_del(lv, "reason");
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "liveness"), "pass");
	CHECK(json_object_get(named(c, "liveness"), "reason") == NULL);
	json_decref(c);
	json_decref(lv);
}

TEST(a_suspicious_selfie_goes_to_review)
{
	/* The passive score decides nothing alone: under the line the check
	 * asks for a person (review), never fails. */
	struct kyc_face_list l;
	struct kyc_synth_image img;
	REQUIRE(tface_photo(TFACE_A, &img) == 0);
	struct kyc_image im = {.w = img.w, .h = img.h, .rgb = img.px};
	int rc = kyc_face_analyze(engine, &im, &l);
	free(img.px);
	REQUIRE(rc == 0);
	REQUIRE(l.count == 1 && kyc_face_selfie(&l) == NULL);
	struct kyc_face_check_input in = {.selfie = &l, .threshold = 0.6};
	const char *retry;
	int close;
	struct kyc_face_spoof *sp = &l.faces[0].spoof;
	sp->measured = 1;
	sp->score = 0.2;
	sp->moire = 22;
	sp->glare = 0;
	kyc_face_spoof_judge(sp);
	json_t *c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "anti_spoof"), "review");
	CHECK_STR(json_string_value(json_object_get(named(c, "anti_spoof"), "reason")),
	          "recapture_suspected");
	CHECK_STR(json_string_value(json_object_get(
	              json_object_get(named(c, "anti_spoof"), "details"), "cue")),
	          "moire");
	json_decref(c);
	sp->score = 0.9;
	sp->moire = 10;
	kyc_face_spoof_judge(sp);
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "anti_spoof"), "pass");
	json_decref(c);
	sp->measured = 0;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(result(c, "anti_spoof"), "not_applicable");
	CHECK_STR(json_string_value(json_object_get(named(c, "anti_spoof"), "reason")),
	          "not_measured");
	json_decref(c);
	in.selfie = NULL;
	c = kyc_face_checks(&in, &retry, &close);
	CHECK_STR(json_string_value(json_object_get(named(c, "anti_spoof"), "reason")),
	          "no_usable_selfie");
	json_decref(c);
	kyc_face_list_free(&l);
}

int main(void)
{
	char err[512];
	if (kyc_face_engine_open(NULL, &engine, err, sizeof err) != 0) {
		fprintf(stderr, "face_checks: %s\n", err);
		test_fail(__FILE__, __LINE__, "engine");
		return test_done("face_checks");
	}
	RUN(specimens);
	RUN(a_dark_selfie_gives_its_retry_code);
	RUN(the_liveness_check_says_the_challenge);
	RUN(a_suspicious_selfie_goes_to_review);
	kyc_face_engine_free(engine);
	return test_done("face_checks");
}
