/* Submissions of the workflow: identity documents (attempts, retry codes,
 * checks), supporting documents and the selfie. */
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
#include "face/liveness.h"
#include "flows/checks.h"
#include "flows/deferred.h"
#include "flows/extraction.h"
#include "flows/face_checks.h"
#include "flows/render.h"
#include "flows/settings.h"
#include "flows/vstate.h"
#include "store/blob.h"


/* ---- submissions ---- */

/* One image after decoding and reading, before the transaction. */
struct prepared {
	const struct kyc_flow_image *in;
	json_t *file;       /* file record */
	json_t *doc;        /* document record (without attempt) */
	json_t *extraction; /* NULL for proofs and selfies */
	char relpath[128];
	int stored;
	struct flow_face_prep face; /* the face engine's reading (workflow_face.c) */
};

void flow__sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char h[32];
	unsigned hl = 0;
	EVP_Digest(p, n, h, &hl, EVP_sha256(), NULL);
	kyc_hex_encode(out, h, 32);
}

static int image_error(struct kyc_jerr *e, int rc, const char *field, const char *why)
{
	switch (rc) {
	case KYC_ERR_UNSUPPORTED:
		return kyc_jerr_set(e, 415, "unsupported_media_type", field,
		                    "the image must be JPEG or PNG (%s)", why);
	case KYC_ERR_TOOBIG:
		return kyc_jerr_set(e, 422, "image_too_many_pixels", field,
		                    "the image is too large: %s", why);
	default:
		return kyc_jerr_set(e, 422, "image_invalid", field,
		                    "the image could not be decoded: %s", why);
	}
}

/* A licence whose PDF417 came out too small (barcode_too_small) in a JPEG
 * decoded at a reduced scale is decoded again larger, each scale up to the
 * full one, and read again until it decodes: a phone's 12 Mpx photo is
 * decoded at a quarter of its size for the MRZ reader, where a module of
 * 0.25 mm on a card filling 60 % of the frame is under 2 px (docs/dl.md).
 * Each scale is tried, not the one the module asks for: a scale can read
 * where the next does not. *x is replaced when the barcode decodes. */
static void licence_relook(const struct kyc_flow_image *im, const struct kyc_image_opts *io,
                           const struct kyc_image *img, json_t **x)
{
	const char *why = json_string_value(json_object_get(*x, "reason"));
	if (!why || strcmp(why, "barcode_too_small") || img->scale_denom < 2)
		return;
	long longer = (long)(img->w > img->h ? img->w : img->h) * img->scale_denom;
	for (int d = img->scale_denom / 2; d >= 1; d /= 2) {
		struct kyc_image_opts o = *io;
		o.want_rgb = 0;
		o.target_side = d > 1 ? (int)((longer + d - 1) / d) : 0;
		struct kyc_image big = {0};
		if (kyc_image_decode(im->bytes, im->len, &o, &big, NULL))
			return;
		json_t *again = kyc_document_licence_again(*x, &big);
		kyc_image_free(&big);
		if (again) {
			json_object_set_new(again, "decoded_scale", json_integer(d));
			json_decref(*x);
			*x = again;
			return;
		}
	}
}

/* The national number an id_card's other side accepted, when it is an
 * Egyptian ID whose sides come as uploads of their own: from an extraction
 * of other_side (a document record's or a fresh one), NULL when it has none. */
static const char *accepted_number(const json_t *x, const char *other_side)
{
	const json_t *n = json_object_get(
	    json_object_get(json_object_get(x, "card"), "fields"),
	    strcmp(other_side, "back") ? "national_number" : "national_number_back");
	return json_is_true(json_object_get(n, "accepted")) ? flow__str(n, "value") : NULL;
}

/* The number the other side of this id_card image gave (kyc_document_extract_card),
 * copied into buf: from an earlier image of this submission, else, for a
 * back sent while the verification awaits it, from the front stored in the
 * current attempt. NULL when there is none. */
static const char *other_side_number(struct kyc_flow *f, const json_t *ver,
                                     const struct kyc_flow_image *im, const struct prepared *earlier,
                                     int nearlier, char buf[15])
{
	const char *side = im->side && !strcmp(im->side, "back") ? "back" : "front";
	const char *other = strcmp(side, "back") ? "back" : "front", *num = NULL;
	if (strcmp(im->type, "id_card"))
		return NULL;
	for (int i = 0; i < nearlier && !num; i++) {
		const struct kyc_flow_image *o = earlier[i].in;
		if (!strcmp(o->type, "id_card") && !strcmp(o->side ? o->side : "front", other))
			num = accepted_number(earlier[i].extraction, other);
	}
	json_t *docs = NULL;
	if (!num && !strcmp(side, "back") && flow__pending_has(ver, "document_back")) {
		json_t *none = json_array();
		docs = flow__attempt_documents(f, flow__str(ver, "id"),
		                               json_integer_value(json_object_get(ver, "attempts")), none);
		json_decref(none);
		size_t i;
		json_t *d;
		json_array_foreach(docs, i, d)
		{
			if (!num && !strcmp(flow__str(d, "type"), "id_card") &&
			    !strcmp(flow__str(d, "side"), "front"))
				num = accepted_number(json_object_get(d, "extraction"), "front");
		}
	}
	if (num)
		snprintf(buf, 15, "%.14s", num);
	json_decref(docs);
	return num ? buf : NULL;
}

/* Decodes, reads (identity documents only) and stores the bytes of one image.
 * earlier: the images of this submission prepared before it. */
static int prepare(struct kyc_flow *f, const json_t *ver, const struct kyc_flow_image *im,
                   const char *kind, int faces, const struct prepared *earlier, int nearlier,
                   struct prepared *p, struct kyc_jerr *e)
{
	const char *field = im->source_url ? "image_url" : "image";
	struct kyc_image img = {0};
	const char *why = NULL;
	memset(p, 0, sizeof *p);
	p->in = im;
	if (im->len > f->max_image_bytes)
		return kyc_jerr_set(e, 413, "image_too_large", field,
		                    "the image is larger than %zu bytes", f->max_image_bytes);
	/* Decoded as the reader wants it (large JPEGs at a DCT-scaled size, as
	 * `kycd scan` does); sizes are reported at full scale. */
	int selfie = !strcmp(kind, "selfie");
	int identity = !strcmp(kind, "document") && flow__in_list(im->type, kyc_document_types);
	int front = !im->side || strcmp(im->side, "back");
	/* Colour too where the face engine looks: selfies, and identity fronts
	 * when faces are wanted. */
	struct kyc_image_opts io = {.max_bytes = f->max_image_bytes,
	                            .max_pixels = (long)f->max_image_pixels,
	                            .target_side = KYC_READER_DECODE_SIDE,
	                            .keep_bytes = identity, /* the reader's colour */
	                            .want_rgb = f->face && (selfie || (faces && identity && front))};
	int rc = kyc_image_decode(im->bytes, im->len, &io, &img, &why);
	if (rc)
		return image_error(e, rc, field, why ? why : "invalid");
	char other[15];
	if (identity)
		p->extraction =
		    kyc_document_extract_card(&img, kyc_now_ms(), im->type, im->side,
		                              other_side_number(f, ver, im, earlier, nearlier, other));
	if (p->extraction && !strcmp(im->type, "drivers_license"))
		licence_relook(im, &io, &img, &p->extraction);
	if (io.want_rgb &&
	    flow__face_prepare(f, json_string_value(json_object_get(ver, "applicant_id")), &img,
	                       selfie, &p->face, e)) {
		kyc_image_free(&img);
		return -1;
	}
	char fid[37], did[37], sha[65];
	kyc_uuid_new(fid);
	kyc_uuid_new(did);
	flow__sha256_hex(im->bytes, im->len, sha);
	p->file = json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "id", fid, "kind", kind, "content_type",
	    img.format == KYC_IMAGE_PNG ? "image/png" : "image/jpeg", "size", (json_int_t)im->len,
	    "sha256", sha, "width", (json_int_t)img.w * img.scale_denom, "height",
	    (json_int_t)img.h * img.scale_denom);
	kyc_image_free(&img);
	if (im->source_url)
		json_object_set_new(p->file, "source_url", json_string(im->source_url));
	int found = p->extraction && (json_is_true(json_object_get(p->extraction, "mrz_found")) ||
	                              json_is_true(json_object_get(p->extraction, "card_found")) ||
	                              json_is_true(json_object_get(p->extraction, "barcode_found")));
	p->doc = json_pack("{s:s, s:O, s:O, s:s, s:s, s:s, s:s}", "id", did, "verification_id",
	                   json_object_get(ver, "id"), "applicant_id",
	                   json_object_get(ver, "applicant_id"), "type", im->type, "side",
	                   im->side ? im->side : "front", "file_id", fid, "status",
	                   p->face.issue  ? "unusable"
	                   : !p->extraction ? "stored"
	                   : found          ? "processed"
	                                    : "unreadable");
	if (p->extraction)
		json_object_set(p->doc, "extraction", p->extraction);
	if (im->issuing_country && *im->issuing_country)
		json_object_set_new(p->doc, "issuing_country", json_string(im->issuing_country));
	const char *num = kyc_checks_field(p->extraction, "document_number");
	if (num)
		json_object_set_new(p->doc, "document_number", json_string(num));
	/* sealed under the applicant's key: erasing it shreds the image */
	rc = kyc_blob_write(f->store, f->data_dir, f->tenant_id,
	                    json_string_value(json_object_get(ver, "applicant_id")), fid, im->bytes,
	                    im->len, p->relpath, sizeof p->relpath);
	if (rc)
		return kyc_jerr_set(e, 500, "store_error", "", "the image could not be stored");
	p->stored = 1;
	json_object_set_new(p->file, "path", json_string(p->relpath));
	return 0;
}

static void prepared_release(struct kyc_flow *f, struct prepared *p, int n, int keep_files)
{
	for (int i = 0; i < n; i++) {
		if (p[i].stored && !keep_files)
			kyc_blob_remove(f->data_dir, p[i].relpath);
		json_decref(p[i].file);
		json_decref(p[i].doc);
		json_decref(p[i].extraction);
		flow__face_prep_release(f, &p[i].face, keep_files);
	}
}

/* Refusals of a submission in the verification's current state. Messages
 * of the 409s are seed 003's. */
static int state_refusal(const json_t *ver, struct kyc_jerr *e)
{
	enum kyc_vstate st;
	if (kyc_vstate_parse(flow__str(ver, "status"), &st))
		return kyc_jerr_set(e, 500, "internal", "", "unknown status");
	if (st == KYC_VS_PENDING_REVIEW)
		return kyc_jerr_set(e, 409, "verification_pending_review", "",
		                    "A document submission is already under review. Re-upload is "
		                    "only permitted after current review completes.");
	if (st == KYC_VS_APPROVED)
		return kyc_jerr_set(e, 409, "verification_approved", "",
		                    "This verification has already been approved. No further "
		                    "submission is required.");
	if (!kyc_vstate_accepts_input(st))
		return kyc_jerr_set(e, 409, "verification_closed", "",
		                    "the verification is %s and takes no more documents",
		                    kyc_vstate_name(st));
	return 0;
}

static json_t *render_docs(struct prepared *p, int n, kyc_store *s, const char *tenant)
{
	json_t *out = json_array();
	for (int i = 0; i < n; i++) {
		json_t *d = NULL;
		if (!kyc_store_get(s, KYC_R_DOCUMENT, tenant, flow__str(p[i].doc, "id"), &d)) {
			json_array_append_new(out, kyc_render_document(d));
			json_decref(d);
		}
	}
	return out;
}

/* The live challenge of ver (attributes.liveness_challenge), or NULL when
 * there is none or it expired. */
static const json_t *live_challenge(const json_t *ver)
{
	const json_t *ch = json_object_get(json_object_get(ver, "attributes"), "liveness_challenge");
	json_int_t at = json_integer_value(json_object_get(ch, "issued_at"));
	int64_t now = kyc_now_ms();
	return ch && now >= at && now - at <= KYC_FLOW_CHALLENGE_MS ? ch : NULL;
}

/* The common path of documents, proofs and selfies. kind: "document" |
 * "selfie"; a selfie may come with the head-turn challenge's turn frames
 * (turns, nturns > 0). */
/* 1 when imgs are a card's front sent after its back decided the attempt:
 * the verification awaits the level's other steps, the attempt was decided
 * on a back whose MRZ verified, and every image is a front of that type. The
 * front then joins that attempt, which is decided again with it, so its
 * printed lines are compared with the back's MRZ as if the two had come
 * together (docs/flows.md, "A front after its back"). */
static int late_front(struct kyc_flow *f, const json_t *ver, const char *vid, const char *kind,
                      const char *type, const struct kyc_flow_image *imgs, int n)
{
	const json_t *attrs = json_object_get(ver, "attributes");
	const char *decided = flow__str(attrs, "document_type");
	if (strcmp(kind, "document") || (strcmp(type, "id_card") && strcmp(type, "residence_permit")) ||
	    !decided || strcmp(decided, type) || !flow__str(attrs, "document_id") ||
	    strcmp(flow__str(ver, "status"), "awaiting_input") || flow__pending_has(ver, "document") ||
	    flow__pending_has(ver, "document_back"))
		return 0;
	for (int i = 0; i < n; i++)
		if (!imgs[i].side || strcmp(imgs[i].side, "front"))
			return 0;
	json_t *none = json_array();
	json_t *docs = flow__attempt_documents(
	    f, vid, json_integer_value(json_object_get(ver, "attempts")), none);
	json_decref(none);
	int back = 0;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		back |= !strcmp(flow__str(d, "side"), "back") &&
		        json_is_true(json_object_get(json_object_get(d, "extraction"), "mrz_verified"));
	}
	json_decref(docs);
	return back;
}

static int submit(struct kyc_flow *f, const char *vid, const struct kyc_flow_image *imgs, int n,
                  const char *kind, const struct kyc_flow_image *turns, int nturns,
                  json_t **out, struct kyc_jerr *e)
{
	json_t *ver = NULL, *settings = NULL, *applicant = NULL, *now = NULL, *live = NULL;
	json_int_t challenge_at = 0;
	struct prepared p[4];
	int np = 0, ret = -1, rc;
	struct change c = {0};
	*out = NULL;
	if (n < 1 || n > 4)
		return kyc_jerr_set(e, 422, "field_required", "image", "send 1 to 4 images");
	rc = kyc_flow_verification_load(f, vid, &ver);
	if (rc)
		return flow__store_err(e, rc, "verification");
	if (state_refusal(ver, e))
		goto out;
	settings = flow__effective_settings(f, ver, &rc);
	if (!settings) {
		flow__store_err(e, rc, "settings");
		goto out;
	}
	rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, flow__str(ver, "applicant_id"),
	                   &applicant);
	if (rc) {
		flow__store_err(e, rc, "applicant");
		goto out;
	}
	const char *type = imgs[0].type;
	for (int i = 0; i < n; i++) {
		const struct kyc_flow_image *im = &imgs[i];
		int identity = flow__in_list(im->type, kyc_document_types);
		if (!strcmp(kind, "document")) {
			if (!im->type || !*im->type) {
				kyc_jerr_set(e, 422, "field_required", "type",
				             "'type' is required");
				goto out;
			}
			if (!identity && !flow__in_list(im->type, flow__proof_types)) {
				kyc_jerr_set(
				    e, 422, "invalid_value", "type",
				    "'type' must be one of: passport, id_card, residence_permit, "
				    "visa, drivers_license, proof_of_address, proof_of_income");
				goto out;
			}
			if (strcmp(im->type, type)) {
				kyc_jerr_set(e, 422, "invalid_value", "type",
				             "the images of one submission are of one document");
				goto out;
			}
			if (!im->side || (strcmp(im->side, "front") && strcmp(im->side, "back"))) {
				kyc_jerr_set(e, 422, im->side ? "invalid_value" : "field_required",
				             "side", "'side' must be front or back");
				goto out;
			}
			if (identity) {
				int allowed = 0;
				size_t j;
				json_t *t;
				json_array_foreach(json_object_get(ver, "document_types"), j, t)
				    allowed |= !strcmp(json_string_value(t), im->type);
				if (!allowed) {
					kyc_jerr_set(
					    e, 422, "document_type_not_allowed", "type",
					    "this verification does not accept %s documents",
					    im->type);
					goto out;
				}
			}
		}
		if (im->issuing_country && *im->issuing_country &&
		    !kyc_country_icao_valid(im->issuing_country, strlen(im->issuing_country))) {
			kyc_jerr_set(
			    e, 422, "invalid_country", "issuing_country",
			    "'issuing_country' must be an ISO 3166-1 alpha-3 (or ICAO 9303) code");
			goto out;
		}
	}
	if (!strcmp(kind, "document") && kyc_requirements_check(settings, applicant, type, e))
		goto out;
	/* Faces only where they are compared or shown (struct kyc_flow). */
	int faces = f->want_portrait || flow__level_has(settings, flow__str(ver, "level"), "selfie");
	for (np = 0; np < n; np++) {
		if (prepare(f, ver, &imgs[np], kind, faces, p, np, &p[np], e)) {
			np++;
			goto out;
		}
	}

	if (nturns > 0) {
		const json_t *ch = live_challenge(ver);
		if (!ch) {
			kyc_jerr_set(e, 409, "liveness_challenge_missing", "",
			             "ask for a challenge first, or it expired");
			goto out;
		}
		challenge_at = json_integer_value(json_object_get(ch, "issued_at"));
		/* The frames are judged only beside a usable selfie: an unusable
		 * one is a failed attempt whatever they show. */
		struct kyc_image_opts io = {.max_bytes = f->max_image_bytes,
		                            .max_pixels = (long)f->max_image_pixels,
		                            .target_side = KYC_READER_DECODE_SIDE,
		                            .want_rgb = 1};
		if (p[0].face.face &&
		    flow__liveness_judge(
		        f, p[0].face.face, turns, nturns, json_object_get(ch, "moves"), &io,
		        json_number_value(json_object_get(settings, "face_match_threshold")), &live,
		        e))
			goto out;
	}

	/* Faces kept by the former network, recomputed from their images
	 * before the transaction (the engine's work holds no lock). */
	if (faces && flow__face_refresh(f, vid))
		kyc_logf(KYC_LOG_WARN, "verification %s: kept faces not looked at", vid);

	/* ---- one transaction from here ---- */
	if (flow__change_begin(f, vid, &c, e))
		goto out;
	if (state_refusal(c.ver, e))
		goto abort;
	if (f->deferred_urls)
		json_object_set_new(c.patch, "attributes",
		                    kyc_deferred_attrs_without(json_object_get(c.ver, "attributes"),
		                                               f->deferred_urls, kind));
	if (nturns > 0) {
		/* The challenge is used once: by this submission, and only if
		 * no other took or replaced it meanwhile. */
		const json_t *ch = live_challenge(c.ver);
		if (!ch || json_integer_value(json_object_get(ch, "issued_at")) != challenge_at) {
			kyc_jerr_set(e, 409, "liveness_challenge_missing", "",
			             "the challenge was used or replaced; ask for a new one");
			goto abort;
		}
		json_t *attrs = json_deep_copy(json_object_get(
		    json_object_get(c.patch, "attributes") ? c.patch : c.ver, "attributes"));
		json_object_del(attrs, "liveness_challenge");
		json_object_set_new(c.patch, "attributes", attrs);
	}
	int continuing =
	    flow__pending_has(c.ver, "document_back") && !strcmp(kind, "document") &&
	    flow__in_list(type, kyc_document_types) &&
	    !strcmp(flow__str(json_object_get(c.ver, "attributes"), "document_type")
	                ? flow__str(json_object_get(c.ver, "attributes"), "document_type")
	                : type,
	            type);
	int late = !continuing && late_front(f, c.ver, vid, kind, type, imgs, n);
	int64_t attempt = json_integer_value(json_object_get(c.ver, "attempts"));
	if (!continuing && !late && !strcmp(kind, "document") &&
	    flow__in_list(type, kyc_document_types)) {
		attempt++;
		json_object_set_new(c.patch, "attempts", json_integer(attempt));
	}
	json_t *fresh = json_array();
	rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		json_t *attrs = json_pack("{s:I}", "attempt", (json_int_t)attempt);
		if (p[i].face.face)
			json_object_set(attrs, "face", p[i].face.face);
		if (p[i].face.issue)
			json_object_set_new(attrs, "face_issue", json_string(p[i].face.issue));
		if (i == 0 && live)
			json_object_set(attrs, "liveness", live);
		json_object_set_new(p[i].doc, "attributes", attrs);
		if (p[i].face.portrait_file)
			rc = kyc_store_insert(f->store, KYC_R_FILE, f->tenant_id,
			                      p[i].face.portrait_file);
		rc = rc ? rc : kyc_store_insert(f->store, KYC_R_FILE, f->tenant_id, p[i].file);
		rc = rc ? rc : kyc_store_insert(f->store, KYC_R_DOCUMENT, f->tenant_id, p[i].doc);
		json_array_append(fresh, p[i].doc);
	}
	if (rc) {
		json_decref(fresh);
		flow__store_err(e, rc, "document");
		goto abort;
	}
	if (!json_is_string(json_object_get(c.ver, "submitted_at")))
		json_object_set_new(c.patch, "submitted_at", json_integer(kyc_now_ms()));
	json_t *d = json_pack("{s:s, s:I, s:i}", "kind", strcmp(kind, "selfie") ? type : "selfie",
	                      "attempt", (json_int_t)attempt, "images", n);
	if (late)
		json_object_set_new(d, "late_front", json_true());
	rc = flow__change_move(&c, KYC_VE_SUBMIT,
	                       strcmp(kind, "selfie") ? "document_submitted" : "selfie_submitted",
	                       d);
	json_decref(d);
	if (!rc) {
		if (!strcmp(kind, "selfie") && p[0].face.issue) {
			/* An unusable selfie is a failed attempt, as an unusable
			 * document photo is: the step stays owed. */
			rc = flow__fail_attempt(&c, settings, kyc_face_retry_code(p[0].face.issue));
		} else if (!strcmp(kind, "selfie")) {
			static const char *const drop[] = {"selfie", "liveness", NULL};
			json_object_set_new(c.patch, "retry_code", json_null());
			json_object_set_new(c.patch, "retry_message", json_null());
			json_t *steps =
			    flow__steps_without(json_object_get(c.ver, "pending_steps"), drop);
			json_object_set_new(c.patch, "pending_steps", steps);
			rc = flow__steps_left(steps)
			         ? flow__change_move(&c, KYC_VE_AWAIT, "more_steps", NULL)
			         : flow__conclude(&c, settings, json_object_get(c.ver, "checks"));
		} else if (flow__in_list(type, flow__proof_types)) {
			const char *drop[] = {type, NULL};
			json_t *steps =
			    flow__steps_without(json_object_get(c.ver, "pending_steps"), drop);
			json_object_set_new(c.patch, "pending_steps", steps);
			rc = flow__steps_left(steps)
			         ? flow__change_move(&c, KYC_VE_AWAIT, "more_steps", NULL)
			         : flow__conclude(&c, settings, json_object_get(c.ver, "checks"));
		} else {
			json_t *docs = flow__attempt_documents(f, vid, attempt, fresh);
			rc = flow__evaluate_document(&c, settings, applicant, type, docs);
			json_decref(docs);
		}
	}
	json_decref(fresh);
	/* A portrait or selfie in while steps are still owed: the face result
	 * shows what is in so far (the checks come with the conclusion). */
	if (!rc && (c.cur == KYC_VS_AWAITING_INPUT || c.cur == KYC_VS_INCOMPLETE)) {
		json_t *unused = NULL;
		int close;
		rc = flow__face_apply(&c, settings, NULL, &unused, &close);
		json_decref(unused);
	}
	for (int i = 0; i < n && !rc; i++) {
		json_t *dr = kyc_render_document(p[i].doc);
		rc = kyc_event_emit(f->store, f->tenant_id, "document.processed", "document",
		                    flow__str(p[i].doc, "id"), 1, dr);
		json_decref(dr);
	}
	if (rc) {
		if (rc == KYC_ERR_STATE)
			kyc_jerr_set(e, 409, "invalid_transition", "",
			             "the verification cannot take this now");
		else
			flow__store_err(e, rc, "verification");
		goto abort;
	}
	if (flow__change_commit(&c, NULL, &now, e))
		goto out;
	json_t *o = json_object();
	json_object_set_new(o, "verification", kyc_render_verification(now));
	json_object_set_new(o, "documents", render_docs(p, n, f->store, f->tenant_id));
	*out = o;
	ret = 0;
	goto out;
abort:
	flow__change_abort(&c);
out:
	prepared_release(f, p, np, ret == 0);
	json_decref(live);
	json_decref(now);
	json_decref(ver);
	json_decref(settings);
	json_decref(applicant);
	return ret;
}

int kyc_flow_submit(struct kyc_flow *f, const char *verification_id,
                    const struct kyc_flow_image *imgs, int nimgs, json_t **out, struct kyc_jerr *e)
{
	return submit(f, verification_id, imgs, nimgs, "document", NULL, 0, out, e);
}

int kyc_flow_selfie(struct kyc_flow *f, const char *verification_id,
                    const struct kyc_flow_image *img, json_t **out, struct kyc_jerr *e)
{
	struct kyc_flow_image im = *img;
	im.type = "selfie";
	im.side = "front";
	return submit(f, verification_id, &im, 1, "selfie", NULL, 0, out, e);
}

int kyc_flow_selfie_liveness(struct kyc_flow *f, const char *verification_id,
                             const struct kyc_flow_image *frames, int n, json_t **out,
                             struct kyc_jerr *e)
{
	if (n < 2 || n > 1 + KYC_LIVENESS_MAX_TURNS)
		return kyc_jerr_set(e, 422, "frames_mismatch", "frame",
		                    "send the front frame and one frame per turn");
	struct kyc_flow_image im = frames[0];
	im.type = "selfie";
	im.side = "front";
	return submit(f, verification_id, &im, 1, "selfie", frames + 1, n - 1, out, e);
}

int kyc_flow_liveness_challenge(struct kyc_flow *f, const char *verification_id, json_t **out,
                                struct kyc_jerr *e)
{
	struct change c = {0};
	unsigned char coin = 0;
	*out = NULL;
	if (flow__change_begin(f, verification_id, &c, e))
		return -1;
	if (state_refusal(c.ver, e))
		goto abort;
	if (kyc_rand_bytes(&coin, 1)) {
		kyc_jerr_set(e, 500, "internal", "", "no randomness");
		goto abort;
	}
	/* Both turns, in an order the applicant cannot know in advance. */
	int64_t at = kyc_now_ms();
	json_t *moves = (coin & 1) ? json_pack("[s,s]", "left", "right")
	                           : json_pack("[s,s]", "right", "left");
	json_t *attrs = json_deep_copy(json_object_get(c.ver, "attributes"));
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	json_object_set_new(attrs, "liveness_challenge",
	                    json_pack("{s:O, s:I}", "moves", moves, "issued_at", (json_int_t)at));
	json_object_set_new(c.patch, "attributes", attrs);
	if (flow__change_commit(&c, NULL, NULL, e)) {
		json_decref(moves);
		return -1;
	}
	*out = json_pack("{s:o, s:I}", "moves", moves, "expires_at",
	                 (json_int_t)(at + KYC_FLOW_CHALLENGE_MS));
	return 0;
abort:
	flow__change_abort(&c);
	return -1;
}
