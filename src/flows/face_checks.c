/* Face checks from the engine's results (face_checks.h). */
#include "flows/face_checks.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"

static const char *const RETRY[][2] = {
    {"no_face", "selfie_no_face"},
    {"several_faces", "selfie_several_faces"},
    {"face_too_small", "selfie_face_too_small"},
    {"face_cut_off", "selfie_face_cut_off"},
    {"too_dark", "selfie_too_dark"},
    {"too_bright", "selfie_too_bright"},
    {"too_blurry", "selfie_too_blurry"},
    {"not_frontal", "selfie_not_frontal"},
};

const char *kyc_face_retry_code(const char *reason)
{
	if (!reason)
		return NULL;
	for (size_t i = 0; i < sizeof RETRY / sizeof RETRY[0]; i++)
		if (!strcmp(RETRY[i][0], reason))
			return RETRY[i][1];
	return "selfie_unusable";
}

static json_t *check(const char *name, const char *result, const char *reason, json_t *details)
{
	json_t *c = json_pack("{s:s, s:s}", "name", name, "result", result);
	if (c && reason)
		json_object_set_new(c, "reason", json_string(reason));
	if (c && details)
		json_object_set_new(c, "details", details);
	else
		json_decref(details);
	return c;
}

static double round4(double v)
{
	return round(v * 1e4) / 1e4;
}

/* Whole years from birth (days) to today, by the calendar. */
static int years_between(int64_t birth, int64_t today)
{
	char b[16], t[16];
	int by, bm, bd, ty, tm, td;
	kyc_date_format(birth, b);
	kyc_date_format(today, t);
	if (sscanf(b, "%d-%d-%d", &by, &bm, &bd) != 3 || sscanf(t, "%d-%d-%d", &ty, &tm, &td) != 3)
		return -1;
	return ty - by - ((tm < bm || (tm == bm && td < bd)) ? 1 : 0);
}

json_t *kyc_face_checks(const struct kyc_face_check_input *in, const char **retry, int *close)
{
	json_t *out = json_array();
	const struct kyc_face *self = NULL;
	*retry = NULL;
	*close = 0;
	if (!out)
		return NULL;

	/* selfie_quality */
	if (!in->selfie) {
		json_array_append_new(out,
		                      check("selfie_quality", "not_applicable", "no_selfie", NULL));
	} else {
		const char *issue = kyc_face_selfie(in->selfie);
		if (issue) {
			*retry = kyc_face_retry_code(issue);
			json_array_append_new(out, check("selfie_quality", "fail", *retry,
			                                 json_pack("{s:s}", "issue", issue)));
		} else {
			self = &in->selfie->faces[0];
			const struct kyc_face_quality *q = &self->quality;
			json_array_append_new(
			    out,
			    check("selfie_quality", "pass", NULL,
			          json_pack("{s:f, s:f, s:f, s:f, s:f}", "sharpness",
			                    round4(q->sharpness), "brightness",
			                    round4(q->brightness), "yaw", round4(q->yaw), "pitch",
			                    round4(q->pitch), "roll", round4(q->roll))));
		}
	}

	/* face_match */
	if (!self || !in->portrait) {
		json_array_append_new(out, check("face_match", "not_applicable",
		                                 !self ? "no_usable_selfie" : "no_portrait", NULL));
	} else if (in->unmeasured) {
		json_array_append_new(
		    out, check("face_match", "review", "embedding_model_changed", NULL));
	} else {
		struct kyc_face_match m;
		kyc_face_compare(self->embedding, in->portrait->embedding, in->threshold, &m);
		if (fabs(m.distance - m.threshold) < KYC_FACE_MATCH_MARGIN)
			*close = 1;
		json_t *d = json_pack("{s:f, s:f, s:f, s:b}", "distance", round4(m.distance),
		                      "similarity", round4(m.similarity), "threshold", m.threshold,
		                      "close", fabs(m.distance - m.threshold) < KYC_FACE_MATCH_MARGIN);
		if (d && in->recomputed)
			json_object_set_new(d, "recomputed", json_true());
		json_array_append_new(out, check("face_match", m.match ? "pass" : "fail",
		                                 m.match ? NULL : "faces_differ", d));
	}

	/* age_consistency: the estimated age of the selfie (or else the
	 * portrait) against the document's birth date. */
	const struct kyc_face *aged = self ? self : in->portrait;
	int64_t birth;
	if (!aged || !in->birth_date ||
	    kyc_date_parse(in->birth_date, strlen(in->birth_date), &birth) != 0 ||
	    years_between(birth, in->today) < 0) {
		json_array_append_new(out, check("age_consistency", "not_applicable",
		                                 aged ? "no_birth_date" : "no_face", NULL));
	} else {
		int doc_age = years_between(birth, in->today);
		double gap = fabs(aged->age - doc_age);
		double max = in->max_age_gap > 0 ? in->max_age_gap : KYC_FACE_MAX_AGE_GAP;
		if (gap > max)
			*close = 1;
		json_array_append_new(
		    out,
		    check("age_consistency", gap > max ? "fail" : "pass",
		          gap > max ? "age_gap" : NULL,
		          json_pack("{s:f, s:i, s:f, s:f}", "estimated_age", round4(aged->age),
		                    "document_age", doc_age, "gap", round4(gap), "max_gap", max)));
	}

	/* liveness: the head-turn challenge (docs/face.md#liveness); there is
	 * no passive model. Without the challenge, a level that asks for
	 * liveness goes to a person. */
	const char *lr = json_string_value(json_object_get(in->liveness, "result"));
	if (lr && (!strcmp(lr, "pass") || !strcmp(lr, "fail"))) {
		json_t *d = json_pack("{s:O, s:O, s:O}", "moves",
		                      json_object_get(in->liveness, "moves"), "frames",
		                      json_object_get(in->liveness, "frames"), "frame",
		                      json_object_get(in->liveness, "frame"));
		json_array_append_new(
		    out, check("liveness", lr,
		               json_string_value(json_object_get(in->liveness, "reason")), d));
	} else if (in->liveness_step) {
		json_array_append_new(out, check("liveness", "review", "not_performed", NULL));
	} else {
		json_array_append_new(out,
		                      check("liveness", "not_applicable", "not_requested", NULL));
	}

	/* anti_spoof: the passive score of the selfie (docs/face.md). A
	 * suspicious one is for a person to look at, never a rejection: the
	 * cues are not a certified detector and a real photo can show them. */
	if (!self || !self->spoof.measured) {
		json_array_append_new(out, check("anti_spoof", "not_applicable",
		                                 !self ? "no_usable_selfie" : "not_measured", NULL));
	} else {
		const struct kyc_face_spoof *sp = &self->spoof;
		int bad = sp->score < KYC_FACE_SPOOF_SUSPICIOUS;
		json_t *d = json_pack("{s:f, s:f, s:f, s:f}", "score", round4(sp->score), "moire_db",
		                      round4(sp->moire), "glare", round4(sp->glare), "threshold",
		                      KYC_FACE_SPOOF_SUSPICIOUS);
		if (d && sp->cue)
			json_object_set_new(d, "cue", json_string(sp->cue));
		json_array_append_new(out, check("anti_spoof", bad ? "review" : "pass",
		                                 bad ? "recapture_suspected" : NULL, d));
	}
	return out;
}
