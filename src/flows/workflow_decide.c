/* The decision on an identity-document attempt (split from workflow_submit.c,
 * which prepares and stores the submission): the retry codes of a failed
 * attempt, and the checks and outcome of a read document, card or licence. */
#include "flows/workflow_int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "flows/checks.h"
#include "flows/extraction.h"
#include "flows/face_checks.h"
#include "flows/render.h"
#include "flows/settings.h"
#include "flows/vstate.h"

/* ---- retry codes (docs/errors.md) ---- */

static const struct {
	const char *code, *message;
} retry_codes[] = {
    {"document_not_found", "No document was found in the photo. Place the whole document on a "
                           "plain surface and try again."},
    {"mrz_unreadable",
     "The machine-readable zone could not be read. Retake the photo in good light, without glare."},
    {"mrz_check_failed",
     "The machine-readable zone was not read reliably. Retake the photo closer and in focus."},
    {"mrz_cut_off", "The machine-readable zone is cut off. Fit the whole document in the photo."},
    {"image_too_small",
     "The document is too small in the photo. Move closer so it fills the frame."},
    {"image_too_blurry", "The photo is blurry. Hold still and make sure the document is in focus."},
    {"image_too_dark", "The photo is too dark. Retake it in better light."},
    {"back_side_required", "Now send the back of the document."},
    /* a licence's back (docs/dl.md) */
    {"barcode_too_small", "The barcode on the back is too small in the photo. Move closer so the "
                          "card fills the frame, and hold still."},
    {"barcode_unreadable", "The barcode on the back could not be read. Retake the photo in focus "
                           "and in good light, without glare on the barcode."},
    {"wrong_document_type", "This is not the document type that was chosen. Choose the right type "
                            "or send the right document."},
    /* the selfie's (docs/face.md#workflow-checks) */
    {"selfie_no_face", "No face was found in the selfie. Look straight at the camera and try "
                       "again."},
    {"selfie_several_faces", "More than one face is in the selfie. Take it alone."},
    {"selfie_face_too_small", "Your face is too small in the selfie. Hold the camera closer."},
    {"selfie_face_cut_off", "Your face is cut off. Fit your whole face in the frame."},
    {"selfie_too_dark", "The selfie is too dark. Take it facing a light."},
    {"selfie_too_bright", "The selfie is too bright. Move out of direct light."},
    {"selfie_too_blurry", "The selfie is blurry. Hold still and try again."},
    {"selfie_not_frontal", "Look straight at the camera, with your head upright."},
};

/* The reader's reason -> a retry code. */
static const char *retry_for_reason(const char *reason)
{
	if (!reason)
		return "mrz_unreadable";
	if (!strcmp(reason, "too_blurry"))
		return "image_too_blurry";
	if (!strcmp(reason, "too_dark"))
		return "image_too_dark";
	if (!strcmp(reason, "image_too_small") || !strcmp(reason, "mrz_cut_off") ||
	    !strcmp(reason, "mrz_unreadable") || !strcmp(reason, "barcode_too_small") ||
	    !strcmp(reason, "barcode_unreadable"))
		return reason;
	return "document_not_found";
}

static const char *retry_message(const char *code)
{
	for (size_t i = 0; i < sizeof retry_codes / sizeof retry_codes[0]; i++)
		if (!strcmp(retry_codes[i].code, code))
			return retry_codes[i].message;
	return "The document could not be used. Please try again.";
}

/* The best MRZ reading among docs: verified before merely found. */
static const json_t *best_reading(const json_t *docs, const json_t **doc_out)
{
	const json_t *best = NULL;
	*doc_out = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const json_t *x = json_object_get(d, "extraction");
		if (!json_is_true(json_object_get(x, "mrz_found")))
			continue;
		if (!best || (json_is_true(json_object_get(x, "mrz_verified")) &&
		              !json_is_true(json_object_get(best, "mrz_verified")))) {
			best = x;
			*doc_out = d;
		}
	}
	return best;
}

/* The reading of a licence: the first document whose AAMVA barcode decoded. */
static const json_t *licence_reading(const json_t *docs, const json_t **doc_out)
{
	size_t i;
	json_t *d;
	*doc_out = NULL;
	json_array_foreach(docs, i, d)
	{
		const json_t *x = json_object_get(d, "extraction");
		if (json_is_true(json_object_get(x, "barcode_found"))) {
			*doc_out = d;
			return x;
		}
	}
	return NULL;
}

/* Counts a failed attempt: incomplete with a retry code, or rejected when
 * it was the last one allowed. */
int flow__fail_attempt(struct change *c, const json_t *settings, const char *code)
{
	int64_t failed = json_integer_value(json_object_get(c->ver, "failed_attempts")) + 1;
	int64_t max = json_integer_value(json_object_get(settings, "max_attempts"));
	json_object_set_new(c->patch, "failed_attempts", json_integer(failed));
	json_t *d = json_pack("{s:s, s:I, s:I}", "retry_code", code, "failed_attempts",
	                      (json_int_t)failed, "max_attempts", (json_int_t)max);
	int rc;
	if (failed >= max) {
		rc = flow__reject(c, "too_many_attempts", d);
	} else {
		rc = flow__change_move(c, KYC_VE_RETRY, code, d);
	}
	json_object_set_new(c->patch, "retry_code", json_string(code));
	json_object_set_new(c->patch, "retry_message", json_string(retry_message(code)));
	json_decref(d);
	return rc;
}

/* Option manual_review (seed 003): the attempt waits for a person whatever
 * was read; the checks, when there was something to check, are kept for them. */
static int review_only(struct change *c)
{
	static const char *const drop[] = {"document", "document_back", NULL};
	json_object_set_new(c->patch, "pending_steps",
	                    flow__steps_without(json_object_get(c->ver, "pending_steps"), drop));
	json_object_set_new(c->patch, "retry_code", json_null());
	json_object_set_new(c->patch, "retry_message", json_null());
	json_t *d = json_pack("{s:[{s:s}]}", "causes", "reason", "manual_review");
	int rc = flow__change_move(c, KYC_VE_NEEDS_REVIEW, "needs_review", d);
	json_decref(d);
	return rc;
}

/* Names the document an attempt was decided on in the verification's
 * attributes. */
static void set_document_attrs(struct change *c, const json_t *doc, const char *type)
{
	/* over what this change writes already (a deferred download's removal) */
	json_t *attrs = json_deep_copy(json_object_get(
	    json_object_get(c->patch, "attributes") ? c->patch : c->ver, "attributes"));
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	json_object_set(attrs, "document_id", json_object_get(doc, "id"));
	json_object_set_new(attrs, "document_type", json_string(type));
	json_object_set_new(c->patch, "attributes", attrs);
}

/* How many sides of a card without an MRZ were read from their face
 * (an Egyptian national ID, docs/card.md): 0, 1 or 2 (front and back). */
static int card_face(const json_t *docs)
{
	int front = 0, back = 0;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		if (!json_is_true(json_object_get(json_object_get(d, "extraction"), "card_found")))
			continue;
		if (!strcmp(flow__side(d), "back"))
			back = 1;
		else
			front = 1;
	}
	return front + back;
}

/* The attempt of a card read from its face: one check, the card's own
 * consistency (its number against its printed birth date and gender, front
 * against back), then the steps left or the conclusion. */
static int evaluate_card(struct change *c, const json_t *settings, const char *type,
                         const json_t *docs)
{
	const json_t *fx = NULL, *bx = NULL, *fdoc = NULL;
	int mismatch = 0; /* a side sent as the other (reported, not held against the card) */
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const json_t *x = json_object_get(d, "extraction");
		if (!json_is_true(json_object_get(x, "card_found")))
			continue;
		if (!strcmp(flow__side(d), "back"))
			bx = x;
		else
			fx = x, fdoc = d;
		mismatch |= json_is_true(json_object_get(x, "side_mismatch"));
	}
	json_t *contra = kyc_extraction_card_contradictions(fx, bx);
	int bad = json_array_size(contra) > 0;
	json_t *check =
	    json_pack("{s:s, s:s, s:s, s:s, s:{s:o}}", "name", "data_consistency", "source", "card",
	              "result", bad ? "fail" : "pass", "reason",
	              bad ? json_string_value(json_array_get(contra, 0)) : "card_consistent",
	              "details", "contradictions", contra);
	if (mismatch)
		json_object_set_new(json_object_get(check, "details"), "side_mismatch", json_true());
	json_t *checks = json_pack("[o]", check);
	json_object_set(c->patch, "checks", checks);
	set_document_attrs(c, fdoc, type);
	static const char *const drop[] = {"document", "document_back", NULL};
	json_t *steps = flow__steps_without(json_object_get(c->ver, "pending_steps"), drop);
	json_object_set_new(c->patch, "pending_steps", steps);
	int rc = flow__steps_left(steps) ? flow__change_move(c, KYC_VE_AWAIT, "more_steps", NULL)
	                                 : flow__conclude(c, settings, checks);
	json_decref(checks);
	return rc;
}

/* A front read apart: a card's without an MRZ (its printed lines), a
 * licence's (its printed fields). */
const json_t *flow__front_apart(const json_t *docs, const json_t *doc)
{
	const json_t *front = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const json_t *x = json_object_get(d, "extraction");
		const json_t *lf = json_object_get(json_object_get(x, "licence"), "front");
		if (d != doc && strcmp(flow__str(d, "side"), "back") &&
		    (json_object_get(x, "viz_front") || json_is_true(json_object_get(lf, "found"))))
			front = x;
	}
	return front;
}

/* Evaluates an identity-document attempt inside the transaction. */
int flow__evaluate_document(struct change *c, const json_t *settings, const json_t *applicant,
                            const char *type, const json_t *docs)
{
	struct kyc_flow *f = c->f;
	const json_t *doc;
	const json_t *x = best_reading(docs, &doc);
	/* a licence without an MRZ is checked on its barcode (docs/dl.md) */
	if (!x && !strcmp(type, "drivers_license"))
		x = licence_reading(docs, &doc);
	int rc;
	int manual = json_is_true(json_object_get(settings, "manual_review"));
	json_object_set_new(c->patch, "retry_code", json_null());
	json_object_set_new(c->patch, "retry_message", json_null());
	if (!x && manual) {
		json_object_set_new(c->patch, "checks", json_array());
		return review_only(c);
	}
	if (!x) {
		int has_back = 0;
		const char *reason = NULL;
		size_t i;
		json_t *d;
		json_array_foreach(docs, i, d)
		{
			has_back |= !strcmp(flow__str(d, "side"), "back");
			const char *r = flow__str(json_object_get(d, "extraction"), "reason");
			if (r && (!reason || !strcmp(reason, "no_mrz_found")))
				reason = r;
		}
		int two_sided = !strcmp(type, "id_card") || !strcmp(type, "residence_permit");
		const char *asked = flow__str(c->ver, "retry_code");
		int waiting = asked && !strcmp(asked, "back_side_required");
		if (card_face(docs) == 2)
			return evaluate_card(c, settings, type, docs);
		int licence = !strcmp(type, "drivers_license");
		/* A licence's data is in its back's barcode: a front alone waits
		 * for the back once, as a card's does (below). */
		if (licence && !has_back && !waiting &&
		    (!reason || !strcmp(reason, "no_mrz_found")))
			two_sided = 1;
		else if (licence && reason && !strncmp(reason, "barcode_", 8))
			/* A PDF417 seen and not decoded: a closer, sharper photo
			 * of the back is asked for, as an unreadable MRZ's. */
			return flow__fail_attempt(c, settings, reason);
		else if (licence) {
			/* No barcode read: the data is for a person to read. */
			static const char *const drop[] = {"document", "document_back", NULL};
			json_t *steps =
			    flow__steps_without(json_object_get(c->ver, "pending_steps"), drop);
			json_object_set_new(c->patch, "pending_steps", steps);
			json_object_set_new(c->patch, "checks", json_array());
			if (flow__steps_left(steps))
				return flow__change_move(c, KYC_VE_AWAIT, "more_steps", NULL);
			return flow__conclude(c, settings, NULL);
		}
		/* Only a front that is no worse than MRZ-less waits for the back:
		 * an unusable photo (too dark, blurry, small, an MRZ cut off or
		 * unreadable) is a failed attempt whatever the type, and so is a
		 * front sent again while the back is what was asked for — else a
		 * client that never sends a back would retry for ever. */
		if (two_sided && !has_back && waiting &&
		    (!reason || !strcmp(reason, "no_mrz_found")))
			return flow__fail_attempt(c, settings, "back_side_required");
		if (two_sided && !has_back && (!reason || !strcmp(reason, "no_mrz_found"))) {
			static const char *const drop[] = {"document_back", NULL};
			json_t *steps =
			    flow__steps_without(json_object_get(c->ver, "pending_steps"), drop);
			json_array_insert_new(steps, 0, json_string("document_back"));
			json_object_set_new(c->patch, "pending_steps", steps);
			json_object_set_new(c->patch, "retry_code",
			                    json_string("back_side_required"));
			json_object_set_new(c->patch, "retry_message",
			                    json_string(retry_message("back_side_required")));
			return flow__change_move(c, KYC_VE_AWAIT, "back_side_required", NULL);
		}
		return flow__fail_attempt(c, settings, retry_for_reason(reason));
	}
	struct kyc_check_input in = {
	    .front = flow__front_apart(docs, doc),
	    .store = f->store,
	    .tenant_id = f->tenant_id,
	    .settings = settings,
	    .verification = c->ver,
	    .applicant = applicant,
	    .declared_type = type,
	    .extraction = x,
	    .corrections = json_object_get(c->ver, "corrections"),
	    .now_ms = kyc_now_ms(),
	};
	const char *hard;
	json_t *checks = kyc_checks_run(&in, &hard);
	json_object_set(c->patch, "checks", checks);
	char dkey[64], ikey[65];
	kyc_checks_document_key(x, dkey);
	kyc_checks_identity_key(x, in.corrections, ikey);
	json_object_set_new(c->patch, "document_key", *dkey ? json_string(dkey) : json_null());
	json_object_set_new(c->patch, "identity_key", *ikey ? json_string(ikey) : json_null());
	set_document_attrs(c, doc, type);

	const json_t *ck;
	size_t i;
	const char *retry = NULL;
	json_array_foreach(checks, i, ck)
	{
		if (strcmp(flow__str(ck, "result"), "fail"))
			continue;
		if (!strcmp(flow__str(ck, "name"), "mrz_integrity"))
			retry = retry ? retry : "mrz_check_failed";
		if (!strcmp(flow__str(ck, "reason"), "wrong_document_type"))
			retry = "wrong_document_type";
	}
	if (manual) {
		rc = review_only(c);
	} else if (hard) {
		json_t *d = json_pack("{s:s}", "check", hard);
		rc = flow__reject(c, hard, d);
		json_decref(d);
	} else if (retry) {
		rc = flow__fail_attempt(c, settings, retry);
	} else {
		static const char *const drop[] = {"document", "document_back", NULL};
		json_t *steps = flow__steps_without(json_object_get(c->ver, "pending_steps"), drop);
		json_object_set_new(c->patch, "pending_steps", steps);
		rc = flow__steps_left(steps)
		         ? flow__change_move(c, KYC_VE_AWAIT, "more_steps", NULL)
		         : flow__conclude(c, settings, checks);
	}
	json_decref(checks);
	return rc;
}
