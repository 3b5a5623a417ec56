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
#define KYC_FACE_MATCH_MARGIN 0.05 /* a distance within this of the threshold is close */
#define KYC_FACE_MAX_AGE_GAP 15.0  /* years between estimated and documented age */
/* The default of face_match_threshold: the distance that holds a false-match
 * rate of 0.1 % on LFW's held-out identities (docs/face.md#workflow-checks). */
#define KYC_FACE_WORKFLOW_THRESHOLD 0.52

struct kyc_face_check_input {
	const struct kyc_face_list *selfie; /* the selfie's faces; NULL when none was sent */
	const struct kyc_face *portrait;    /* the document's portrait; NULL when none was found */
	const char *birth_date;             /* "YYYY-MM-DD" read from the document, or NULL */
	int64_t today;                      /* days since the epoch */
	double threshold;                   /* face_match distance threshold */
	double max_age_gap;                 /* years; 0 takes KYC_FACE_MAX_AGE_GAP */
	/* The head-turn challenge's verdict kept with the selfie
	 * (attributes.liveness: {"result","reason","frame","moves","frames"}),
	 * or NULL when the selfie came without it. */
	const json_t *liveness;
	int liveness_step; /* the level asks for liveness */
};

/* The five checks, in this order: selfie_quality, face_match, age_consistency,
 * liveness, anti_spoof. liveness is the challenge's verdict (pass or fail) when the
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
