/* The workflow's changes by people: the applicant's name confirmation, a
 * reviewer's decision, cancellation. */
#include "flows/workflow_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "document/image.h"
#include "document/reader.h"
#include "flows/checks.h"
#include "flows/extraction.h"
#include "flows/render.h"
#include "flows/settings.h"
#include "flows/vstate.h"
#include "store/blob.h"

/* ---- corrections, decisions, cancellation ---- */

int kyc_flow_correct_names(struct kyc_flow *f, const char *vid, const json_t *names, json_t **out,
                           struct kyc_jerr *e)
{
	static const char *const known[] = {"first_name", "middle_name", "last_name", NULL};
	const char *first = NULL, *middle = NULL, *last = NULL;
	json_t *settings = NULL, *applicant = NULL, *doc = NULL;
	struct change c;
	int ret = -1;
	*out = NULL;
	if (!json_is_object(names))
		return kyc_jerr_set(e, 400, "invalid_json", "", "the body must be a JSON object");
	if (kyc_jv_known_fields(names, known, e) ||
	    kyc_jv_string(names, "first_name", 0, 200, &first, e) ||
	    kyc_jv_string(names, "middle_name", 0, 200, &middle, e) ||
	    kyc_jv_string(names, "last_name", 0, 200, &last, e))
		return -1;
	/* the confirmation may conclude a selfie level: faces kept by the
	 * former network are recomputed first, outside the transaction */
	if (flow__face_refresh(f, vid))
		kyc_logf(KYC_LOG_WARN, "verification %s: kept faces not looked at", vid);
	if (flow__change_begin(f, vid, &c, e))
		return -1;
	enum kyc_vstate st = c.from;
	if (kyc_vstate_final(st)) {
		kyc_jerr_set(e, 409, "verification_closed", "",
		             "the verification is %s; its data can no longer be changed",
		             kyc_vstate_name(st));
		goto abort;
	}
	json_t *corr = json_object_get(c.ver, "corrections");
	if (json_is_object(corr)) {
		kyc_jerr_set(e, 409, "names_already_confirmed", "",
		             "the names were already confirmed or corrected once");
		goto abort;
	}
	const char *doc_id = flow__str(json_object_get(c.ver, "attributes"), "document_id");
	if (!doc_id || kyc_store_get(f->store, KYC_R_DOCUMENT, f->tenant_id, doc_id, &doc)) {
		kyc_jerr_set(e, 422, "no_document_read", "",
		             "no document has been read for this verification yet");
		goto abort;
	}
	const json_t *x = json_object_get(doc, "extraction");
	/* an MRZ's names, else a card's English names (the Egyptian card's
	 * transliteration, docs/card.md) */
	const char *given = kyc_checks_field(x, "given_names");
	const char *surname = kyc_checks_field(x, "surname");
	if (!given && !surname) {
		given = kyc_checks_field(x, "first_name_en");
		surname = kyc_checks_field(x, "family_name_en");
	}
	char at[32];
	kyc_time_iso(kyc_now_ms(), at);
	json_t *nc =
	    json_pack("{s:s?, s:s?, s:s?, s:{s:s?, s:s?}, s:s, s:s, s:b}", "first_name",
	              first ? first : given, "middle_name", middle, "last_name",
	              last ? last : surname, "original", "given_names", given, "surname", surname,
	              "actor", f->actor, "at", at, "changed", (first || middle || last));
	json_object_set_new(c.patch, "corrections", nc);
	int rc = kyc_history_append(f->store, f->tenant_id, vid, f->actor,
	                            (first || middle || last) ? "correct_names" : "confirm_names",
	                            kyc_vstate_name(st), kyc_vstate_name(st), NULL, nc);
	if (rc) {
		flow__store_err(e, rc, "verification");
		goto abort;
	}
	/* Checks run again with the confirmed names. */
	settings = flow__effective_settings(f, c.ver, &rc);
	if (!rc)
		rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id,
		                   flow__str(c.ver, "applicant_id"), &applicant);
	if (rc) {
		flow__store_err(e, rc, "settings");
		goto abort;
	}
	/* the attempt's front read apart (a card's printed lines) is compared
	 * again too, or its contradiction would be lost */
	json_t *none = json_array();
	json_t *docs = flow__attempt_documents(
	    f, vid, json_integer_value(json_object_get(c.ver, "attempts")), none);
	json_decref(none);
	const json_t *decided = NULL;
	size_t di;
	json_t *dd;
	json_array_foreach(docs, di, dd)
	{
		const char *id = flow__str(dd, "id");
		if (id && !strcmp(id, doc_id))
			decided = dd;
	}
	struct kyc_check_input in = {
	    .front = decided ? flow__front_apart(docs, decided) : NULL,
	    .store = f->store,
	    .tenant_id = f->tenant_id,
	    .settings = settings,
	    .verification = c.ver,
	    .applicant = applicant,
	    .declared_type = flow__str(doc, "type"),
	    .extraction = x,
	    .corrections = nc,
	    .now_ms = kyc_now_ms(),
	};
	const char *hard;
	json_t *checks = kyc_checks_run(&in, &hard);
	json_decref(docs);
	/* the face checks stay beside the document's (read from the documents) */
	json_t *merged = NULL;
	int close;
	if (checks && flow__face_apply(&c, settings, checks, &merged, &close) == 0) {
		json_decref(checks);
		checks = merged;
	}
	json_object_set_new(c.patch, "checks", checks);
	char ikey[65];
	kyc_checks_identity_key(x, nc, ikey);
	json_object_set_new(c.patch, "identity_key", *ikey ? json_string(ikey) : json_null());
	/* The confirmation may be the last thing the level waits for. */
	if (flow__pending_has(c.ver, "confirmation")) {
		static const char *const drop[] = {"confirmation", NULL};
		json_t *steps = flow__steps_without(json_object_get(c.ver, "pending_steps"), drop);
		json_object_set_new(c.patch, "pending_steps", steps);
		if (st == KYC_VS_AWAITING_INPUT && !flow__steps_left(steps) &&
		    !flow__pending_has(c.ver, "document") &&
		    !flow__pending_has(c.ver, "document_back")) {
			rc = flow__change_move(&c, KYC_VE_SUBMIT, "names_confirmed", NULL);
			rc = rc     ? rc
			     : hard ? flow__reject(&c, hard, NULL)
			            : flow__conclude(&c, settings, checks);
			if (rc) {
				flow__store_err(e, rc, "verification");
				goto abort;
			}
		}
	}
	if (flow__change_commit(&c, "verification.updated", out, e))
		goto out;
	ret = 0;
	goto out;
abort:
	flow__change_abort(&c);
out:
	json_decref(settings);
	json_decref(applicant);
	json_decref(doc);
	return ret;
}

int kyc_flow_decide(struct kyc_flow *f, const char *vid, const char *decision, const char *reason,
                    const char *note, json_t **out, struct kyc_jerr *e)
{
	struct change c;
	enum kyc_vevent ev;
	*out = NULL;
	if (!decision)
		return kyc_jerr_set(e, 422, "field_required", "decision",
		                    "'decision' is required (approve or reject)");
	if (!strcmp(decision, "approve"))
		ev = KYC_VE_APPROVE;
	else if (!strcmp(decision, "reject"))
		ev = KYC_VE_REJECT;
	else
		return kyc_jerr_set(e, 422, "invalid_value", "decision",
		                    "'decision' must be approve or reject");
	if (ev == KYC_VE_REJECT && (!reason || !*reason))
		return kyc_jerr_set(e, 422, "field_required", "reason",
		                    "a rejection needs a reason code");
	if (flow__change_begin(f, vid, &c, e))
		return -1;
	if (c.from != KYC_VS_PENDING_REVIEW) {
		kyc_jerr_set(e, 409, "verification_not_pending", "",
		             "only a verification pending review can be decided (it is %s)",
		             kyc_vstate_name(c.from));
		flow__change_abort(&c);
		return -1;
	}
	json_t *d = json_pack("{s:s?}", "note", note);
	int rc = flow__change_move(&c, ev, reason ? reason : "approved_by_reviewer", d);
	json_decref(d);
	char at[32];
	kyc_time_iso(kyc_now_ms(), at);
	json_object_set_new(c.patch, "decision",
	                    json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:b}", "outcome",
	                              ev == KYC_VE_APPROVE ? "approved" : "rejected", "reason",
	                              reason, "note", note, "actor", f->actor, "at", at,
	                              "automatic", 0));
	if (rc) {
		flow__change_abort(&c);
		return flow__store_err(e, rc, "verification");
	}
	return flow__change_commit(&c, "review.decided", out, e);
}

int kyc_flow_cancel(struct kyc_flow *f, const char *vid, json_t **out, struct kyc_jerr *e)
{
	struct change c;
	*out = NULL;
	if (flow__change_begin(f, vid, &c, e))
		return -1;
	int rc = flow__change_move(&c, KYC_VE_CANCEL, "cancelled", NULL);
	if (rc == KYC_ERR_STATE) {
		kyc_jerr_set(e, 409, "verification_closed", "",
		             "a verification that is %s cannot be cancelled",
		             kyc_vstate_name(c.from));
		flow__change_abort(&c);
		return -1;
	}
	if (rc) {
		flow__change_abort(&c);
		return flow__store_err(e, rc, "verification");
	}
	return flow__change_commit(&c, NULL, out, e);
}
