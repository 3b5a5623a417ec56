/* The verification workflow (docs/flows.md): every change to a verification
 * goes through here, whichever surface asked for it (the native API, a
 * compatibility route set, the hosted page, the review console). Each call
 * is one store transaction that writes the change, its audit-trail rows
 * (verification_history) and its event rows (events, the webhook outbox)
 * together, so a crash leaves all of them or none.
 *
 * Knows nothing of HTTP: errors come back as a struct kyc_jerr (status, stable
 * code, field, message) that any surface can render in its own envelope. */
#ifndef KYC_WORKFLOW_H
#define KYC_WORKFLOW_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "face/face.h"
#include "json/jv.h"
#include "store/store.h"
#include "webhooks/endpoint.h"

/* Who acts, for which tenant, with which limits. Filled by the caller for
 * one call; nothing in it is kept. */
struct kyc_flow {
	kyc_store *store;
	const char *tenant_id;
	/* The audit-trail actor: "key:<key id>", "operator:<id>",
	 * "applicant" (hosted page), "system" (expiry sweep), "compat:<seed>". */
	const char *actor;
	const char *data_dir;       /* where files go (src/store/blob.h) */
	size_t max_image_bytes;     /* per image */
	int64_t max_image_pixels;   /* decoded width * height */
	int64_t default_ttl_ms;     /* verification lifetime when none is asked for */
	/* What a callback_url may be (the webhook endpoints' policy); zero:
	 * https and no internal address. */
	struct kyc_webhook_policy callback_policy;
	/* Optional: called by the creation calls inside their transaction,
	 * once the new verification (ver) is written and before its event, for
	 * a record that refers to it (seed 002's hosted-page token). 0, or a
	 * store error that undoes the whole creation. */
	int (*on_create)(kyc_store *s, const char *tenant_id, const json_t *ver, void *arg);
	void *on_create_arg;
	/* Set by the deferred-download sweep (src/flows/deferred.h): the
	 * submission takes these URLs' entries (of its own role: document or
	 * selfie) off the verification in its own transaction, so a crash
	 * neither loses a download nor submits it twice. NULL-terminated. */
	const char *const *deferred_urls;
	/* The face engine (docs/face.md), shared read-only; NULL when its models
	 * are not installed: no portrait is cut, selfies are stored unread, and
	 * a level that asks for a selfie goes to review. */
	const struct kyc_face_engine *face;
	/* Cut the portrait of identity documents even when the level asks for
	 * no selfie (a surface that shows it: seed 000's customerData.photo).
	 * Otherwise faces are read only where a selfie will be compared: no
	 * biometric processing, and no CPU, that the verification does not need. */
	int want_portrait;
};

/* The identity document types a verification may accept (NULL-terminated):
 * passport, id_card, residence_permit, visa, drivers_license. */
extern const char *const kyc_document_types[];

/* ---- verifications ---- */

/* Creates a verification for an applicant. req holds the native API's
 * fields, already shape-checked or not (this validates them):
 *   applicant_id (required), document_types, expires_in (s), callback_url,
 *   metadata, level, options (per-request check switches, seed 001's
 *   customOptions semantics: see kyc_settings_effective).
 * *out: the stored record (new reference). Events: verification.created. */
int kyc_flow_verification_create(struct kyc_flow *f, const json_t *req, json_t **out,
				 struct kyc_jerr *e);
/* The same for a compatibility route set (src/compat), whose marks are
 * written with the row: compat {"seed": "000".."004", "ref": its handle or
 * null, "data": an object kept as attributes.compat<seed>}. Not reachable
 * from a request body, so a client cannot pose as a route set. */
int kyc_flow_verification_create_compat(struct kyc_flow *f, const json_t *req,
					const json_t *compat, json_t **out, struct kyc_jerr *e);

/* Reads a verification, applying expiry first (a verification waiting for
 * input past expires_at is stored as expired, with its history and event).
 * KYC_ERR_NOTFOUND for a missing or another tenant's verification. */
int kyc_flow_verification_load(struct kyc_flow *f, const char *id, json_t **out);
/* Until when (ms, exclusive) a loaded verification stays as it reads
 * without anyone writing it: its expires_at while it waits for input (the
 * next load then expires it), else INT64_MAX. An expires_at that does not
 * parse gives 0: nothing kept. */
int64_t kyc_flow_verification_fresh_until(const json_t *v);

/* One image of a document attempt, as received. */
struct kyc_flow_image {
	const char *type;            /* passport, id_card, residence_permit, visa, drivers_license */
	const char *side;            /* front, back */
	const char *issuing_country; /* optional alpha-3 as declared by the caller */
	const unsigned char *bytes;  /* the encoded JPEG/PNG */
	size_t len;
	const char *source_url;      /* when it was downloaded */
};

/* Submits one document attempt of one or more images (seed 001 sends front
 * and back together; the native API one image per call). Decodes and reads
 * every image, stores files and documents, counts the attempt, runs the
 * checks, and moves the verification:
 *   - no usable MRZ where one is expected -> incomplete with a retry code
 *     (docs/errors.md), or rejected on the third failed attempt;
 *   - an ID card's front alone, MRZ on the back -> awaiting_input
 *     (pending_steps ["document_back"]), not a failed attempt;
 *   - otherwise checks -> approved | rejected | pending_review, or
 *     awaiting_input when the level still needs a selfie.
 * Refused with 409 verification_pending_review / verification_approved /
 * verification_closed, 422 on tier requirements (kyc_requirements), 413/415/422
 * on images. *out: {"verification":{...},"documents":[{...},...]} (new
 * reference). Events: document.processed per image, verification.status_changed. */
int kyc_flow_submit(struct kyc_flow *f, const char *verification_id,
		    const struct kyc_flow_image *imgs, int nimgs, json_t **out, struct kyc_jerr *e);

/* Stores the applicant's selfie (an image, kind "selfie"), read by the face
 * engine before the transaction (docs/face.md#workflow-checks). A selfie the
 * engine finds unusable (no face, several, too small, cut off, dark, bright,
 * blurred, turned away) is a failed attempt like an unusable document photo:
 * incomplete with retry code selfie_<reason>, or rejected on the last
 * attempt allowed. Otherwise the face checks (selfie_quality, face_match
 * against the document's portrait, age_consistency, liveness) are stored
 * with the verification's checks and the owed steps decide: approved when
 * every check passed, pending_review when one failed or lies close to its
 * threshold. */
int kyc_flow_selfie(struct kyc_flow *f, const char *verification_id,
		    const struct kyc_flow_image *img, json_t **out, struct kyc_jerr *e);

/* The head-turn challenge (docs/face.md#liveness): picks the order of the
 * turns at random, keeps it in the verification (attributes.
 * liveness_challenge, one use, valid KYC_FLOW_CHALLENGE_MS) and gives *out
 * {"moves":["left","right"],"expires_at"}. 409 in the states that take no
 * submission (as kyc_flow_selfie). */
#define KYC_FLOW_CHALLENGE_MS (10 * 60 * 1000)
int kyc_flow_liveness_challenge(struct kyc_flow *f, const char *verification_id, json_t **out,
				struct kyc_jerr *e);

/* The selfie taken with the challenge: frames[0] looking at the camera
 * (stored and judged as kyc_flow_selfie's image), frames[1..n-1] the turns
 * in the order the challenge asked (read and judged, not kept). The verdict
 * (kyc_liveness_check) is kept with the selfie (attributes.liveness) and is
 * the verification's liveness check. The challenge is used up. 409
 * liveness_challenge_missing without a live challenge; 422 frames_mismatch
 * when n - 1 is not its number of turns. */
int kyc_flow_selfie_liveness(struct kyc_flow *f, const char *verification_id,
			     const struct kyc_flow_image *frames, int n, json_t **out,
			     struct kyc_jerr *e);

/* The applicant confirms or corrects the Latin-script names read from the
 * document, once (seed 000's approve step). names: {"first_name","last_name",
 * "middle_name"} (any subset). The reading is kept; the correction is
 * recorded with actor and time, and the checks run again. */
int kyc_flow_correct_names(struct kyc_flow *f, const char *verification_id,
			   const json_t *names, json_t **out, struct kyc_jerr *e);

/* A reviewer's decision on a pending_review verification. decision:
 * "approve" | "reject"; reason: a code (required for reject); note: free text.
 * 409 verification_not_pending otherwise. Events: review.decided,
 * verification.status_changed. */
int kyc_flow_decide(struct kyc_flow *f, const char *verification_id, const char *decision,
		    const char *reason, const char *note, json_t **out, struct kyc_jerr *e);

/* Cancels a verification that is not final. */
int kyc_flow_cancel(struct kyc_flow *f, const char *verification_id, json_t **out,
		    struct kyc_jerr *e);

/* Expires every verification of every tenant waiting past expires_at
 * (the periodic sweep of kycd serve). *count: how many. */
int kyc_flow_expire_sweep(kyc_store *s, int64_t now_ms, int *count);

/* ---- events and history (inside the caller's transaction) ---- */

/* Writes an event row: type ("verification.status_changed"), the resource
 * (type, id, version) and a snapshot of it (rendered as the native API shows
 * it). The webhook worker delivers it (src/webhooks). */
int kyc_event_emit(kyc_store *s, const char *tenant_id, const char *type,
		   const char *resource_type, const char *resource_id, int64_t resource_version,
		   const json_t *snapshot);

/* The verification.status_changed event of a verification that moved from
 * from_status (kept as the event's attributes.from_status) to the status in
 * snapshot. */
int kyc_event_emit_status_change(kyc_store *s, const char *tenant_id, const char *verification_id,
				 int64_t version, const json_t *snapshot, const char *from_status);

/* Appends an audit-trail row for a verification (verification_id NULL: a
 * row of the tenant's own, such as operator management's). */
int kyc_history_append(kyc_store *s, const char *tenant_id, const char *verification_id,
		       const char *actor, const char *action, const char *from_status,
		       const char *to_status, const char *reason, const json_t *details);

#endif
