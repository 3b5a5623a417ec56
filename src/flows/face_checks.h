/* The face checks of a verification (docs/face.md#workflow-checks): what the
 * face engine found on the selfie and on the document's portrait, turned
 * into the named checks the workflow stores beside the document's
 * ({"name","result","reason","details"}, as checks.h), with the selfie's
 * retry code and whether a result lies close to its threshold (a person
 * should look). Pure: no store, no HTTP; the workflow decides from them. */
#ifndef KYC_FACE_CHECKS_H
#define KYC_FACE_CHECKS_H

#include <jansson.h>
#include <stdint.h>

#include "face/face.h"

/* Defaults of the tenant settings the checks read (docs/settings.md). */
/* A distance within this of the threshold is close. Kept at 0.05 for the
 * cosine distance: the gap between FaceRes's FMR 1 % and 0.1 % points is
 * 0.061 on LFW and 0.055 among East Asian adults (dlib's was 0.068 on LFW),
 * so the band spans most of it on both (docs/face.md). */
#define KYC_FACE_MATCH_MARGIN 0.05
#define KYC_FACE_MAX_AGE_GAP 15.0  /* years between estimated and documented age */
/* The default of face_match_threshold: the cosine distance that holds a
 * false-match rate of 0.1 % on every population measured, LFW and East
 * Asian adults (docs/face.md#workflow-checks). */
#define KYC_FACE_WORKFLOW_THRESHOLD KYC_FACE_DEFAULT_THRESHOLD
/* The range a tenant (and `kycd face compare --threshold`) may set: cosine
 * distances from well inside LFW's genuine pairs (median 0.29) to past its
 * impostors' median (0.62). */
#define KYC_FACE_THRESHOLD_MIN 0.1
#define KYC_FACE_THRESHOLD_MAX 0.8

struct kyc_face_check_input {
	const struct kyc_face_list *selfie; /* the selfie's faces; NULL when none was sent */
	const struct kyc_face *portrait;    /* the document's portrait; NULL when none was found */
	const char *birth_date;             /* "YYYY-MM-DD" read from the document, or NULL */
	int64_t today;                      /* days since the epoch */
	double threshold;                   /* face_match distance threshold */
	/* The two embeddings are of different networks (one kept before the
	 * switch to FaceRes): face_match is "review", embedding_model_changed. */
	int unmeasured;
	/* One of the two was recomputed from its image by today's network
	 * (it had been kept by another): face_match's details say so. */
	int recomputed;
	double max_age_gap;                 /* years; 0 takes KYC_FACE_MAX_AGE_GAP */
	/* The head-turn challenge's verdict kept with the selfie
	 * (attributes.liveness: {"result","reason","frame","moves","frames"}),
	 * or NULL when the selfie came without it. */
	const json_t *liveness;
	int liveness_step; /* the level asks for liveness */
};

/* The five checks, in this order: selfie_quality, face_match, age_consistency,
 * liveness, anti_spoof. face_match is "review" when in->unmeasured. liveness is the challenge's verdict (pass or fail) when the
 * selfie came with one; else "review" (not_performed) on a level that asks
 * for liveness, "not_applicable" (not_requested) on one that does not.
 * anti_spoof is "pass", or "review" (recapture_suspected) when the selfie's
 * passive score is under KYC_FACE_SPOOF_SUSPICIOUS, or "not_applicable". A
 * new array, or NULL on NOMEM. *retry: the selfie's retry code
 * (kyc_face_retry_code) when selfie_quality failed, else NULL. *close: 1 when
 * face_match passed or failed within KYC_FACE_MATCH_MARGIN of the threshold,
 * or age_consistency failed (both go to review rather than decide). */
json_t *kyc_face_checks(const struct kyc_face_check_input *in, const char **retry, int *close);

/* The retry code of an engine reason (kyc_face_selfie): "selfie_" + reason,
 * e.g. selfie_no_face, selfie_too_dark (docs/errors.md); NULL for NULL. */
const char *kyc_face_retry_code(const char *reason);

#endif
