/* The verification workflow (src/flows/workflow.h, docs/flows.md).
 *
 * Every mutation follows the same shape: validate and do the slow, pure work
 * (decoding and reading images) outside any transaction; then BEGIN
 * IMMEDIATE, read the verification again, check its state, write records,
 * the status (only through kyc_vstate_next), the audit trail and the events,
 * and COMMIT. Files are written before the transaction and removed if it
 * fails, so a crash can leave an unreferenced file but never a row without
 * its file. */
#include "flows/workflow.h"

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

const char *const kyc_document_types[] = {
	"passport", "id_card", "residence_permit", "visa", "drivers_license", NULL,
};

/* Supporting documents a level may ask for: stored, not read. */
static const char *const proof_types[] = {"proof_of_address", "proof_of_income", NULL};

static int in_list(const char *s, const char *const *l)
{
	for (; s && *l; l++)
		if (!strcmp(s, *l))
			return 1;
	return 0;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int store_err(struct kyc_jerr *e, int rc, const char *what)
{
	if (rc == KYC_ERR_NOTFOUND)
		return kyc_jerr_set(e, 404, "not_found", "", "no such %s", what);
	if (rc == KYC_ERR_CONFLICT || rc == KYC_ERR_TIMEOUT)
		return kyc_jerr_set(e, 409, "conflict", "",
				    "the %s changed meanwhile; try again", what);
	return kyc_jerr_set(e, 500, "store_error", "", "the %s could not be stored", what);
}

/* ---- retry codes (docs/errors.md) ---- */

static const struct {
	const char *code, *message;
} retry_codes[] = {
	{"document_not_found", "No document was found in the photo. Place the whole document on a plain surface and try again."},
	{"mrz_unreadable", "The machine-readable zone could not be read. Retake the photo in good light, without glare."},
	{"mrz_check_failed", "The machine-readable zone was not read reliably. Retake the photo closer and in focus."},
	{"mrz_cut_off", "The machine-readable zone is cut off. Fit the whole document in the photo."},
	{"image_too_small", "The document is too small in the photo. Move closer so it fills the frame."},
	{"image_too_blurry", "The photo is blurry. Hold still and make sure the document is in focus."},
	{"image_too_dark", "The photo is too dark. Retake it in better light."},
	{"back_side_required", "Now send the back of the document."},
	{"wrong_document_type", "This is not the document type that was chosen. Choose the right type or send the right document."},
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
	    !strcmp(reason, "mrz_unreadable"))
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

/* ---- state changes ---- */

/* A pending change of one verification inside a transaction. */
struct change {
	struct kyc_flow *f;
	json_t *ver;      /* as read inside the transaction */
	json_t *patch;    /* fields to write */
	enum kyc_vstate from, cur;
	int moved;
};

static int change_begin(struct kyc_flow *f, const char *id, struct change *c, struct kyc_jerr *e)
{
	memset(c, 0, sizeof *c);
	c->f = f;
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store); /* leave a read snapshot before writing */
	int rc = kyc_store_begin(f->store);
	if (rc)
		return store_err(e, rc, "verification");
	rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, &c->ver);
	if (rc) {
		kyc_store_rollback(f->store);
		return store_err(e, rc, "verification");
	}
	if (kyc_vstate_parse(str(c->ver, "status"), &c->from)) {
		kyc_store_rollback(f->store);
		json_decref(c->ver);
		c->ver = NULL;
		return kyc_jerr_set(e, 500, "internal", "", "the stored status is unknown");
	}
	c->cur = c->from;
	c->patch = json_object();
	return 0;
}

static void change_abort(struct change *c)
{
	if (c->ver)
		kyc_store_rollback(c->f->store);
	json_decref(c->ver);
	json_decref(c->patch);
	c->ver = c->patch = NULL;
}

/* Moves the pending status by ev, with an audit row. KYC_ERR_STATE when the
 * machine does not allow it. */
static int change_move(struct change *c, enum kyc_vevent ev, const char *reason,
		       const json_t *details)
{
	enum kyc_vstate to;
	int rc = kyc_vstate_next(c->cur, ev, &to);
	if (rc)
		return rc;
	rc = kyc_history_append(c->f->store, c->f->tenant_id, str(c->ver, "id"), c->f->actor,
				kyc_vevent_name(ev), kyc_vstate_name(c->cur), kyc_vstate_name(to),
				reason, details);
	if (rc)
		return rc;
	c->cur = to;
	c->moved = 1;
	json_object_set_new(c->patch, "status", json_string(kyc_vstate_name(to)));
	if (kyc_vstate_final(to) && to != KYC_VS_EXPIRED && to != KYC_VS_CANCELLED)
		json_object_set_new(c->patch, "decided_at", json_integer(kyc_now_ms()));
	return 0;
}

/* Writes the patch, emits verification.status_changed when the status moved
 * (and extra_event when given), commits. *out: the stored record. */
static int change_commit(struct change *c, const char *extra_event, json_t **out,
			 struct kyc_jerr *e)
{
	struct kyc_flow *f = c->f;
	const char *id = str(c->ver, "id");
	json_t *now = NULL;
	int rc = kyc_store_update(f->store, KYC_R_VERIFICATION, f->tenant_id, id, c->patch,
				  json_integer_value(json_object_get(c->ver, "version")));
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, &now);
	if (!rc) {
		json_t *snap = kyc_render_verification(now);
		int64_t version = json_integer_value(json_object_get(now, "version"));
		if (c->moved && c->cur != c->from)
			rc = kyc_event_emit(f->store, f->tenant_id, "verification.status_changed",
					    "verification", id, version, snap);
		if (!rc && extra_event)
			rc = kyc_event_emit(f->store, f->tenant_id, extra_event, "verification", id,
					    version, snap);
		json_decref(snap);
	}
	rc = rc ? rc : kyc_store_commit(f->store);
	if (rc) {
		json_decref(now);
		change_abort(c);
		return store_err(e, rc, "verification");
	}
	json_decref(c->ver);
	json_decref(c->patch);
	c->ver = c->patch = NULL;
	if (out)
		*out = now;
	else
		json_decref(now);
	return 0;
}

/* ---- create, load, expire ---- */

static int https_url_ok(const char *u)
{
	if (strncmp(u, "https://", 8) != 0 || strlen(u) > 2048 || strlen(u) < 10)
		return 0;
	const char *host = u + 8;
	const char *end = host + strcspn(host, "/?#");
	for (const char *p = host; p < end; p++)
		if (*p == '@' || *p == ' ')
			return 0;
	return end > host;
}

static int create(struct kyc_flow *f, const json_t *req, const json_t *compat, json_t **out,
		  struct kyc_jerr *e);

int kyc_flow_verification_create(struct kyc_flow *f, const json_t *req, json_t **out,
				 struct kyc_jerr *e)
{
	return create(f, req, NULL, out, e);
}

int kyc_flow_verification_create_compat(struct kyc_flow *f, const json_t *req,
					const json_t *compat, json_t **out, struct kyc_jerr *e)
{
	return create(f, req, compat, out, e);
}

static int create(struct kyc_flow *f, const json_t *req, const json_t *compat, json_t **out,
		  struct kyc_jerr *e)
{
	static const char *const known[] = {"applicant_id", "document_types", "expires_in",
					    "callback_url", "metadata", "level", "options", NULL};
	const char *applicant_id = NULL, *callback = NULL, *level = NULL;
	int64_t expires_in = f->default_ttl_ms / 1000;
	json_t *settings = NULL, *eff = NULL, *app = NULL, *rec = NULL, *types = NULL;
	int ret = -1;
	*out = NULL;
	if (kyc_jv_known_fields(req, known, e) ||
	    kyc_jv_string(req, "applicant_id", KYC_JV_REQUIRED, 64, &applicant_id, e) ||
	    kyc_jv_int(req, "expires_in", 0, 60, 30 * 86400, &expires_in, e) ||
	    kyc_jv_string(req, "callback_url", 0, 2048, &callback, e) ||
	    kyc_jv_string(req, "level", 0, 32, &level, e))
		return -1;
	if (callback && !https_url_ok(callback))
		return kyc_jerr_set(e, 422, "invalid_url", "callback_url",
				    "'callback_url' must be an https:// URL without credentials");
	json_t *meta = json_object_get(req, "metadata");
	if (meta && !json_is_null(meta) && kyc_render_metadata_check(meta, e))
		return -1;
	int rc = kyc_settings_get(f->store, f->tenant_id, &settings);
	if (rc) {
		store_err(e, rc, "settings");
		goto out;
	}
	const json_t *opts = json_object_get(req, "options");
	eff = kyc_settings_effective(settings, opts, e);
	if (!eff) {
		if (!strcmp(e->field, "options") || !*e->field)
			snprintf(e->field, sizeof e->field, "options");
		goto out;
	}
	if (!level)
		level = str(settings, "default_level");
	json_t *lv = json_object_get(json_object_get(settings, "levels"), level);
	if (!lv) {
		kyc_jerr_set(e, 422, "invalid_value", "level", "no level '%s' in the settings", level);
		goto out;
	}
	json_t *allowed = json_object_get(settings, "document_types");
	json_t *asked = json_object_get(req, "document_types");
	types = json_array();
	if (asked && !json_is_null(asked)) {
		size_t i;
		json_t *t;
		if (!json_is_array(asked) || json_array_size(asked) == 0) {
			kyc_jerr_set(e, 422, "invalid_type", "document_types",
				     "'document_types' must be a non-empty array");
			goto out;
		}
		json_array_foreach(asked, i, t)
		{
			if (!json_is_string(t) || !in_list(json_string_value(t), kyc_document_types)) {
				kyc_jerr_set(e, 422, "invalid_value", "document_types",
					     "document types are: passport, id_card, residence_permit, visa, drivers_license");
				goto out;
			}
			size_t j;
			json_t *a;
			int ok = 0;
			json_array_foreach(allowed, j, a) ok |= json_equal(a, t);
			if (!ok) {
				kyc_jerr_set(e, 422, "document_type_not_allowed", "document_types",
					     "the tenant does not accept %s documents",
					     json_string_value(t));
				goto out;
			}
			json_array_append(types, t);
		}
	} else {
		json_array_extend(types, allowed);
	}
	rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, applicant_id, &app);
	if (rc == KYC_ERR_NOTFOUND) {
		kyc_jerr_set(e, 404, "applicant_not_found", "applicant_id", "no such applicant");
		goto out;
	}
	if (rc) {
		store_err(e, rc, "applicant");
		goto out;
	}
	char id[37];
	kyc_uuid_new(id);
	rec = json_pack("{s:s, s:s, s:s, s:O, s:i, s:i, s:I, s:s, s:O}", "id", id, "applicant_id",
			applicant_id, "status", "awaiting_input", "document_types", types,
			"attempts", 0, "failed_attempts", 0, "expires_at",
			(json_int_t)(kyc_now_ms() + expires_in * 1000), "level", level,
			"pending_steps", json_object_get(lv, "steps"));
	json_object_set_new(rec, "attributes",
			    json_pack("{s:O}", "metadata", json_is_object(meta) ? meta : json_object()));
	if (callback)
		json_object_set_new(rec, "callback_url", json_string(callback));
	if (json_is_object(opts))
		json_object_set(rec, "options", (json_t *)opts);
	/* a compatibility route set's marks, written with the row (src/compat) */
	const char *cseed = json_string_value(json_object_get(compat, "seed"));
	if (cseed) {
		char key[16];
		json_t *data = json_object_get(compat, "data");
		json_object_set_new(rec, "compat_seed", json_string(cseed));
		json_object_set(rec, "compat_ref", json_object_get(compat, "ref")
							   ? json_object_get(compat, "ref")
							   : json_null());
		snprintf(key, sizeof key, "compat%.3s", cseed);
		if (json_is_object(data))
			json_object_set(json_object_get(rec, "attributes"), key, data);
	}
	if (kyc_store_in_transaction(f->store))
		kyc_store_commit(f->store);
	rc = kyc_store_begin(f->store);
	rc = rc ? rc : kyc_store_insert(f->store, KYC_R_VERIFICATION, f->tenant_id, rec);
	rc = rc ? rc : kyc_history_append(f->store, f->tenant_id, id, f->actor, "create", NULL,
					  "awaiting_input", NULL, NULL);
	rc = rc ? rc : kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
	if (!rc) {
		json_t *snap = kyc_render_verification(*out);
		rc = kyc_event_emit(f->store, f->tenant_id, "verification.created", "verification",
				    id, 1, snap);
		json_decref(snap);
	}
	rc = rc ? rc : kyc_store_commit(f->store);
	if (rc) {
		kyc_store_rollback(f->store);
		json_decref(*out);
		*out = NULL;
		store_err(e, rc, "verification");
		goto out;
	}
	ret = 0;
out:
	json_decref(settings);
	json_decref(eff);
	json_decref(app);
	json_decref(rec);
	json_decref(types);
	return ret;
}

static int past_expiry(const json_t *v, int64_t now_ms)
{
	enum kyc_vstate st;
	const char *exp = str(v, "expires_at");
	if (kyc_vstate_parse(str(v, "status"), &st) || !kyc_vstate_accepts_input(st) || !exp)
		return 0;
	char now[32];
	kyc_time_iso(now_ms, now);
	return strcmp(now, exp) >= 0; /* same fixed-width UTC form: text order is time order */
}

static int expire_one(struct kyc_flow *f, const char *id)
{
	struct change c;
	struct kyc_jerr e;
	if (change_begin(f, id, &c, &e))
		return e.status == 404 ? KYC_ERR_NOTFOUND : KYC_ERR_CONFLICT;
	if (!past_expiry(c.ver, kyc_now_ms())) { /* someone else got there first */
		change_abort(&c);
		return 0;
	}
	if (change_move(&c, KYC_VE_EXPIRE, "expires_at_passed", NULL)) {
		change_abort(&c);
		return KYC_ERR_STATE;
	}
	return change_commit(&c, NULL, NULL, &e) ? KYC_ERR_IO : 0;
}

int kyc_flow_verification_load(struct kyc_flow *f, const char *id, json_t **out)
{
	int rc = kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
	if (rc || !past_expiry(*out, kyc_now_ms()))
		return rc;
	json_decref(*out);
	*out = NULL;
	rc = expire_one(f, id);
	if (rc && rc != KYC_ERR_CONFLICT)
		return rc;
	return kyc_store_get(f->store, KYC_R_VERIFICATION, f->tenant_id, id, out);
}

int kyc_flow_expire_sweep(kyc_store *s, int64_t now_ms, int *count)
{
	/* Tenants are few; verifications waiting past expiry are found through
	 * the status index, oldest first, a page at a time. */
	static const char *const waiting[] = {"created", "awaiting_input", "incomplete"};
	*count = 0;
	json_t *tenants = NULL;
	int rc = kyc_store_tenant_ids(s, &tenants);
	if (rc)
		return rc;
	size_t ti;
	json_t *t;
	json_array_foreach(tenants, ti, t)
	{
		const char *tid = json_string_value(t);
		struct kyc_flow f = {.store = s, .tenant_id = tid, .actor = "system"};
		for (int w = 0; w < 3; w++) {
			char cursor[128] = "";
			do {
				struct kyc_store_page pg;
				json_t *filter = json_pack("{s:s}", "status", waiting[w]);
				rc = kyc_store_list_asc(s, KYC_R_VERIFICATION, tid, filter, cursor, 100,
							&pg);
				json_decref(filter);
				if (rc)
					goto out;
				size_t i;
				json_t *v;
				json_array_foreach(pg.items, i, v)
				{
					if (past_expiry(v, now_ms) && !expire_one(&f, str(v, "id")))
						(*count)++;
				}
				json_decref(pg.items);
				snprintf(cursor, sizeof cursor, "%s", pg.next_cursor);
			} while (*cursor);
		}
	}
out:
	json_decref(tenants);
	return rc;
}

/* ---- submissions ---- */

/* One image after decoding and reading, before the transaction. */
struct prepared {
	const struct kyc_flow_image *in;
	json_t *file;       /* file record */
	json_t *doc;        /* document record (without attempt) */
	json_t *extraction; /* NULL for proofs and selfies */
	char relpath[128];
	int stored;
};

static void sha256_hex(const void *p, size_t n, char out[65])
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

/* Decodes, reads (identity documents only) and stores the bytes of one image. */
static int prepare(struct kyc_flow *f, const json_t *ver, const struct kyc_flow_image *im,
		   const char *kind, struct prepared *p, struct kyc_jerr *e)
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
	struct kyc_image_opts io = {.max_bytes = f->max_image_bytes,
				    .max_pixels = (long)f->max_image_pixels,
				    .target_side = KYC_READER_DECODE_SIDE};
	int rc = kyc_image_decode(im->bytes, im->len, &io, &img, &why);
	if (rc)
		return image_error(e, rc, field, why ? why : "invalid");
	if (!strcmp(kind, "document") && in_list(im->type, kyc_document_types))
		p->extraction = kyc_document_extract(&img, kyc_now_ms());
	char fid[37], did[37], sha[65];
	kyc_uuid_new(fid);
	kyc_uuid_new(did);
	sha256_hex(im->bytes, im->len, sha);
	p->file = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:I}", "id", fid, "kind", kind,
			    "content_type", img.format == KYC_IMAGE_PNG ? "image/png" : "image/jpeg",
			    "size", (json_int_t)im->len, "sha256", sha, "width",
			    (json_int_t)img.w * img.scale_denom, "height",
			    (json_int_t)img.h * img.scale_denom);
	kyc_image_free(&img);
	if (im->source_url)
		json_object_set_new(p->file, "source_url", json_string(im->source_url));
	int found = p->extraction && json_is_true(json_object_get(p->extraction, "mrz_found"));
	p->doc = json_pack("{s:s, s:O, s:O, s:s, s:s, s:s, s:s}", "id", did, "verification_id",
			   json_object_get(ver, "id"), "applicant_id",
			   json_object_get(ver, "applicant_id"), "type", im->type, "side",
			   im->side ? im->side : "front", "file_id", fid, "status",
			   !p->extraction ? "stored" : found ? "processed" : "unreadable");
	if (p->extraction)
		json_object_set(p->doc, "extraction", p->extraction);
	if (im->issuing_country && *im->issuing_country)
		json_object_set_new(p->doc, "issuing_country", json_string(im->issuing_country));
	const char *num = kyc_checks_field(p->extraction, "document_number");
	if (num)
		json_object_set_new(p->doc, "document_number", json_string(num));
	rc = kyc_blob_write(f->data_dir, fid, im->bytes, im->len, p->relpath, sizeof p->relpath);
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
	}
}

/* Refusals of a submission in the verification's current state. Messages
 * of the 409s are seed 003's. */
static int state_refusal(const json_t *ver, struct kyc_jerr *e)
{
	enum kyc_vstate st;
	if (kyc_vstate_parse(str(ver, "status"), &st))
		return kyc_jerr_set(e, 500, "internal", "", "unknown status");
	if (st == KYC_VS_PENDING_REVIEW)
		return kyc_jerr_set(e, 409, "verification_pending_review", "",
				    "A document submission is already under review. Re-upload is only permitted after current review completes.");
	if (st == KYC_VS_APPROVED)
		return kyc_jerr_set(e, 409, "verification_approved", "",
				    "This verification has already been approved. No further submission is required.");
	if (!kyc_vstate_accepts_input(st))
		return kyc_jerr_set(e, 409, "verification_closed", "",
				    "the verification is %s and takes no more documents",
				    kyc_vstate_name(st));
	return 0;
}

static int pending_has(const json_t *ver_or_patch, const char *step)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(ver_or_patch, "pending_steps"), i, s)
	{
		if (!strcmp(json_string_value(s), step))
			return 1;
	}
	return 0;
}

/* pending_steps without the named steps (NULL-terminated). */
static json_t *steps_without(const json_t *steps, const char *const *drop)
{
	json_t *out = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(steps, i, s)
	{
		if (!in_list(json_string_value(s), drop))
			json_array_append(out, s);
	}
	return out;
}

/* Steps only a person can judge while face comparison and liveness are not
 * built: a level that asks for any of them is decided in review. */
static int level_needs_person(const json_t *settings, const char *level)
{
	static const char *const human[] = {"selfie", "liveness", "proof_of_address",
					    "proof_of_income", NULL};
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(json_object_get(json_object_get(settings, "levels"),
							   level),
					   "steps"),
			   i, s)
	{
		if (in_list(json_string_value(s), human))
			return 1;
	}
	return 0;
}

/* What is left for the applicant, ignoring liveness (no capture exists for it). */
static int steps_left(const json_t *steps)
{
	static const char *const ignore[] = {"liveness", NULL};
	json_t *left = steps_without(steps, ignore);
	int n = (int)json_array_size(left);
	json_decref(left);
	return n;
}

/* Everything the applicant owes is in: decide (auto-approve, or review). */
static int conclude(struct change *c, const json_t *settings, const json_t *checks)
{
	json_t *why = json_array();
	size_t i;
	json_t *ck;
	json_array_foreach(checks, i, ck)
	{
		if (!strcmp(str(ck, "result"), "fail"))
			json_array_append_new(why, json_pack("{s:s, s:s}", "check", str(ck, "name"),
							     "reason", str(ck, "reason")));
	}
	if (level_needs_person(settings, str(c->ver, "level")))
		json_array_append_new(why, json_pack("{s:s}", "reason", "level_needs_review"));
	if (!json_is_true(json_object_get(settings, "auto_approve")))
		json_array_append_new(why, json_pack("{s:s}", "reason", "auto_approve_off"));
	if (!checks)
		json_array_append_new(why, json_pack("{s:s}", "reason", "no_machine_readable_data"));
	int rc;
	if (json_array_size(why) == 0) {
		rc = change_move(c, KYC_VE_AUTO_APPROVE, "all_checks_passed", NULL);
		json_object_set_new(c->patch, "decision",
				    json_pack("{s:s, s:s, s:s, s:b}", "outcome", "approved", "reason",
					      "all_checks_passed", "actor", "system", "automatic", 1));
	} else {
		json_t *d = json_pack("{s:O}", "causes", why);
		rc = change_move(c, KYC_VE_NEEDS_REVIEW, "needs_review", d);
		json_decref(d);
	}
	json_decref(why);
	return rc;
}

static int reject(struct change *c, const char *reason, const json_t *details)
{
	int rc = change_move(c, KYC_VE_AUTO_REJECT, reason, details);
	json_object_set_new(c->patch, "decision",
			    json_pack("{s:s, s:s, s:s, s:b}", "outcome", "rejected", "reason", reason,
				      "actor", "system", "automatic", 1));
	return rc;
}

/* The documents of this attempt (stored ones and the new ones). */
static json_t *attempt_documents(struct kyc_flow *f, const char *vid, int64_t attempt,
				 json_t *fresh)
{
	json_t *docs = json_array();
	struct kyc_store_page pg;
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	if (!kyc_store_list(f->store, KYC_R_DOCUMENT, f->tenant_id, filter, "", 100, &pg)) {
		size_t i;
		json_t *d;
		json_array_foreach(pg.items, i, d)
		{
			json_t *a = json_object_get(json_object_get(d, "attributes"), "attempt");
			if (json_integer_value(a) == attempt)
				json_array_append(docs, d);
		}
		json_decref(pg.items);
	}
	json_decref(filter);
	json_array_extend(docs, fresh);
	return docs;
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

static json_t *effective_settings(struct kyc_flow *f, const json_t *ver, int *rc)
{
	json_t *s = NULL;
	struct kyc_jerr e;
	*rc = kyc_settings_get(f->store, f->tenant_id, &s);
	if (*rc)
		return NULL;
	json_t *eff = kyc_settings_effective(s, json_object_get(ver, "options"), &e);
	json_decref(s);
	if (!eff)
		*rc = KYC_ERR_INVALID;
	return eff;
}

/* Counts a failed attempt: incomplete with a retry code, or rejected when
 * it was the last one allowed. */
static int fail_attempt(struct change *c, const json_t *settings, const char *code)
{
	int64_t failed = json_integer_value(json_object_get(c->ver, "failed_attempts")) + 1;
	int64_t max = json_integer_value(json_object_get(settings, "max_attempts"));
	json_object_set_new(c->patch, "failed_attempts", json_integer(failed));
	json_t *d = json_pack("{s:s, s:I, s:I}", "retry_code", code, "failed_attempts",
			      (json_int_t)failed, "max_attempts", (json_int_t)max);
	int rc;
	if (failed >= max) {
		rc = reject(c, "too_many_attempts", d);
	} else {
		rc = change_move(c, KYC_VE_RETRY, code, d);
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
			    steps_without(json_object_get(c->ver, "pending_steps"), drop));
	json_object_set_new(c->patch, "retry_code", json_null());
	json_object_set_new(c->patch, "retry_message", json_null());
	json_t *d = json_pack("{s:[{s:s}]}", "causes", "reason", "manual_review");
	int rc = change_move(c, KYC_VE_NEEDS_REVIEW, "needs_review", d);
	json_decref(d);
	return rc;
}

/* Evaluates an identity-document attempt inside the transaction. */
static int evaluate_document(struct change *c, const json_t *settings, const json_t *applicant,
			     const char *type, const json_t *docs)
{
	struct kyc_flow *f = c->f;
	const json_t *doc;
	const json_t *x = best_reading(docs, &doc);
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
			has_back |= !strcmp(str(d, "side"), "back");
			const char *r = str(json_object_get(d, "extraction"), "reason");
			if (r && (!reason || !strcmp(reason, "no_mrz_found")))
				reason = r;
		}
		int two_sided = !strcmp(type, "id_card") || !strcmp(type, "residence_permit");
		if (!strcmp(type, "drivers_license")) {
			/* No MRZ is expected: the data is for a person to read. */
			static const char *const drop[] = {"document", "document_back", NULL};
			json_t *steps = steps_without(json_object_get(c->ver, "pending_steps"), drop);
			json_object_set_new(c->patch, "pending_steps", steps);
			json_object_set_new(c->patch, "checks", json_array());
			if (steps_left(steps))
				return change_move(c, KYC_VE_AWAIT, "more_steps", NULL);
			return conclude(c, settings, NULL);
		}
		if (two_sided && !has_back) {
			static const char *const drop[] = {"document_back", NULL};
			json_t *steps = steps_without(json_object_get(c->ver, "pending_steps"), drop);
			json_array_insert_new(steps, 0, json_string("document_back"));
			json_object_set_new(c->patch, "pending_steps", steps);
			json_object_set_new(c->patch, "retry_code", json_string("back_side_required"));
			json_object_set_new(c->patch, "retry_message",
					    json_string(retry_message("back_side_required")));
			return change_move(c, KYC_VE_AWAIT, "back_side_required", NULL);
		}
		return fail_attempt(c, settings, retry_for_reason(reason));
	}
	struct kyc_check_input in = {
		.store = f->store, .tenant_id = f->tenant_id, .settings = settings,
		.verification = c->ver, .applicant = applicant, .declared_type = type,
		.extraction = x, .corrections = json_object_get(c->ver, "corrections"),
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
	json_t *attrs = json_deep_copy(json_object_get(c->ver, "attributes"));
	if (!json_is_object(attrs)) {
		json_decref(attrs);
		attrs = json_object();
	}
	json_object_set(attrs, "document_id", json_object_get(doc, "id"));
	json_object_set_new(attrs, "document_type", json_string(type));
	json_object_set_new(c->patch, "attributes", attrs);

	const json_t *ck;
	size_t i;
	const char *retry = NULL;
	json_array_foreach(checks, i, ck)
	{
		if (strcmp(str(ck, "result"), "fail"))
			continue;
		if (!strcmp(str(ck, "name"), "mrz_integrity"))
			retry = retry ? retry : "mrz_check_failed";
		if (!strcmp(str(ck, "reason"), "wrong_document_type"))
			retry = "wrong_document_type";
	}
	if (manual) {
		rc = review_only(c);
	} else if (hard) {
		json_t *d = json_pack("{s:s}", "check", hard);
		rc = reject(c, hard, d);
		json_decref(d);
	} else if (retry) {
		rc = fail_attempt(c, settings, retry);
	} else {
		static const char *const drop[] = {"document", "document_back", NULL};
		json_t *steps = steps_without(json_object_get(c->ver, "pending_steps"), drop);
		json_object_set_new(c->patch, "pending_steps", steps);
		rc = steps_left(steps) ? change_move(c, KYC_VE_AWAIT, "more_steps", NULL)
				       : conclude(c, settings, checks);
	}
	json_decref(checks);
	return rc;
}

static json_t *render_docs(struct prepared *p, int n, kyc_store *s, const char *tenant)
{
	json_t *out = json_array();
	for (int i = 0; i < n; i++) {
		json_t *d = NULL;
		if (!kyc_store_get(s, KYC_R_DOCUMENT, tenant, str(p[i].doc, "id"), &d)) {
			json_array_append_new(out, kyc_render_document(d));
			json_decref(d);
		}
	}
	return out;
}

/* The common path of documents, proofs and selfies. kind: "document" | "selfie". */
static int submit(struct kyc_flow *f, const char *vid, const struct kyc_flow_image *imgs,
		  int n, const char *kind, json_t **out, struct kyc_jerr *e)
{
	json_t *ver = NULL, *settings = NULL, *applicant = NULL, *now = NULL;
	struct prepared p[4];
	int np = 0, ret = -1, rc;
	struct change c = {0};
	*out = NULL;
	if (n < 1 || n > 4)
		return kyc_jerr_set(e, 422, "field_required", "image", "send 1 to 4 images");
	rc = kyc_flow_verification_load(f, vid, &ver);
	if (rc)
		return store_err(e, rc, "verification");
	if (state_refusal(ver, e))
		goto out;
	settings = effective_settings(f, ver, &rc);
	if (!settings) {
		store_err(e, rc, "settings");
		goto out;
	}
	rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id, str(ver, "applicant_id"),
			   &applicant);
	if (rc) {
		store_err(e, rc, "applicant");
		goto out;
	}
	const char *type = imgs[0].type;
	for (int i = 0; i < n; i++) {
		const struct kyc_flow_image *im = &imgs[i];
		int identity = in_list(im->type, kyc_document_types);
		if (!strcmp(kind, "document")) {
			if (!im->type || !*im->type) {
				kyc_jerr_set(e, 422, "field_required", "type", "'type' is required");
				goto out;
			}
			if (!identity && !in_list(im->type, proof_types)) {
				kyc_jerr_set(e, 422, "invalid_value", "type",
					     "'type' must be one of: passport, id_card, residence_permit, visa, drivers_license, proof_of_address, proof_of_income");
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
					kyc_jerr_set(e, 422, "document_type_not_allowed", "type",
						     "this verification does not accept %s documents",
						     im->type);
					goto out;
				}
			}
		}
		if (im->issuing_country && *im->issuing_country &&
		    !kyc_country_icao_valid(im->issuing_country, strlen(im->issuing_country))) {
			kyc_jerr_set(e, 422, "invalid_country", "issuing_country",
				     "'issuing_country' must be an ISO 3166-1 alpha-3 (or ICAO 9303) code");
			goto out;
		}
	}
	if (!strcmp(kind, "document") && kyc_requirements_check(settings, applicant, type, e))
		goto out;
	for (np = 0; np < n; np++) {
		if (prepare(f, ver, &imgs[np], kind, &p[np], e)) {
			np++;
			goto out;
		}
	}

	/* ---- one transaction from here ---- */
	if (change_begin(f, vid, &c, e))
		goto out;
	if (state_refusal(c.ver, e))
		goto abort;
	int continuing = pending_has(c.ver, "document_back") && !strcmp(kind, "document") &&
			 in_list(type, kyc_document_types) &&
			 !strcmp(str(json_object_get(c.ver, "attributes"), "document_type")
					 ? str(json_object_get(c.ver, "attributes"), "document_type")
					 : type,
				 type);
	int64_t attempt = json_integer_value(json_object_get(c.ver, "attempts"));
	if (!continuing && !strcmp(kind, "document") && in_list(type, kyc_document_types)) {
		attempt++;
		json_object_set_new(c.patch, "attempts", json_integer(attempt));
	}
	json_t *fresh = json_array();
	rc = 0;
	for (int i = 0; i < n && !rc; i++) {
		json_t *attrs = json_pack("{s:I}", "attempt", (json_int_t)attempt);
		json_object_set_new(p[i].doc, "attributes", attrs);
		rc = kyc_store_insert(f->store, KYC_R_FILE, f->tenant_id, p[i].file);
		rc = rc ? rc : kyc_store_insert(f->store, KYC_R_DOCUMENT, f->tenant_id, p[i].doc);
		json_array_append(fresh, p[i].doc);
	}
	if (rc) {
		json_decref(fresh);
		store_err(e, rc, "document");
		goto abort;
	}
	if (!json_is_string(json_object_get(c.ver, "submitted_at")))
		json_object_set_new(c.patch, "submitted_at", json_integer(kyc_now_ms()));
	json_t *d = json_pack("{s:s, s:I, s:i}", "kind", strcmp(kind, "selfie") ? type : "selfie",
			      "attempt", (json_int_t)attempt, "images", n);
	rc = change_move(&c, KYC_VE_SUBMIT, strcmp(kind, "selfie") ? "document_submitted"
								    : "selfie_submitted",
			 d);
	json_decref(d);
	if (!rc) {
		if (!strcmp(kind, "selfie")) {
			static const char *const drop[] = {"selfie", "liveness", NULL};
			json_t *steps = steps_without(json_object_get(c.ver, "pending_steps"), drop);
			json_object_set_new(c.patch, "pending_steps", steps);
			rc = steps_left(steps)
				     ? change_move(&c, KYC_VE_AWAIT, "more_steps", NULL)
				     : conclude(&c, settings, json_object_get(c.ver, "checks"));
		} else if (in_list(type, proof_types)) {
			const char *drop[] = {type, NULL};
			json_t *steps = steps_without(json_object_get(c.ver, "pending_steps"), drop);
			json_object_set_new(c.patch, "pending_steps", steps);
			rc = steps_left(steps)
				     ? change_move(&c, KYC_VE_AWAIT, "more_steps", NULL)
				     : conclude(&c, settings, json_object_get(c.ver, "checks"));
		} else {
			json_t *docs = attempt_documents(f, vid, attempt, fresh);
			rc = evaluate_document(&c, settings, applicant, type, docs);
			json_decref(docs);
		}
	}
	json_decref(fresh);
	for (int i = 0; i < n && !rc; i++) {
		json_t *dr = kyc_render_document(p[i].doc);
		rc = kyc_event_emit(f->store, f->tenant_id, "document.processed", "document",
				    str(p[i].doc, "id"), 1, dr);
		json_decref(dr);
	}
	if (rc) {
		if (rc == KYC_ERR_STATE)
			kyc_jerr_set(e, 409, "invalid_transition", "", "the verification cannot take this now");
		else
			store_err(e, rc, "verification");
		goto abort;
	}
	if (change_commit(&c, NULL, &now, e))
		goto out;
	json_t *o = json_object();
	json_object_set_new(o, "verification", kyc_render_verification(now));
	json_object_set_new(o, "documents", render_docs(p, n, f->store, f->tenant_id));
	*out = o;
	ret = 0;
	goto out;
abort:
	change_abort(&c);
out:
	prepared_release(f, p, np, ret == 0);
	json_decref(now);
	json_decref(ver);
	json_decref(settings);
	json_decref(applicant);
	return ret;
}

int kyc_flow_submit(struct kyc_flow *f, const char *verification_id,
		    const struct kyc_flow_image *imgs, int nimgs, json_t **out, struct kyc_jerr *e)
{
	return submit(f, verification_id, imgs, nimgs, "document", out, e);
}

int kyc_flow_selfie(struct kyc_flow *f, const char *verification_id,
		    const struct kyc_flow_image *img, json_t **out, struct kyc_jerr *e)
{
	struct kyc_flow_image im = *img;
	im.type = "selfie";
	im.side = "front";
	return submit(f, verification_id, &im, 1, "selfie", out, e);
}

/* ---- corrections, decisions, cancellation ---- */

int kyc_flow_correct_names(struct kyc_flow *f, const char *vid, const json_t *names,
			   json_t **out, struct kyc_jerr *e)
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
	if (change_begin(f, vid, &c, e))
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
	const char *doc_id = str(json_object_get(c.ver, "attributes"), "document_id");
	if (!doc_id || kyc_store_get(f->store, KYC_R_DOCUMENT, f->tenant_id, doc_id, &doc)) {
		kyc_jerr_set(e, 422, "no_document_read", "",
			     "no document has been read for this verification yet");
		goto abort;
	}
	const json_t *x = json_object_get(doc, "extraction");
	const char *given = kyc_checks_field(x, "given_names");
	const char *surname = kyc_checks_field(x, "surname");
	char at[32];
	kyc_time_iso(kyc_now_ms(), at);
	json_t *nc = json_pack("{s:s?, s:s?, s:s?, s:{s:s?, s:s?}, s:s, s:s, s:b}", "first_name",
			       first ? first : given, "middle_name", middle, "last_name",
			       last ? last : surname, "original", "given_names", given, "surname",
			       surname, "actor", f->actor, "at", at, "changed",
			       (first || middle || last));
	json_object_set_new(c.patch, "corrections", nc);
	int rc = kyc_history_append(f->store, f->tenant_id, vid, f->actor,
				    (first || middle || last) ? "correct_names" : "confirm_names",
				    kyc_vstate_name(st), kyc_vstate_name(st), NULL, nc);
	if (rc) {
		store_err(e, rc, "verification");
		goto abort;
	}
	/* Checks run again with the confirmed names. */
	settings = effective_settings(f, c.ver, &rc);
	if (!rc)
		rc = kyc_store_get(f->store, KYC_R_APPLICANT, f->tenant_id,
				   str(c.ver, "applicant_id"), &applicant);
	if (rc) {
		store_err(e, rc, "settings");
		goto abort;
	}
	struct kyc_check_input in = {
		.store = f->store, .tenant_id = f->tenant_id, .settings = settings,
		.verification = c.ver, .applicant = applicant, .declared_type = str(doc, "type"),
		.extraction = x, .corrections = nc, .now_ms = kyc_now_ms(),
	};
	const char *hard;
	json_t *checks = kyc_checks_run(&in, &hard);
	json_object_set_new(c.patch, "checks", checks);
	char ikey[65];
	kyc_checks_identity_key(x, nc, ikey);
	json_object_set_new(c.patch, "identity_key", *ikey ? json_string(ikey) : json_null());
	/* The confirmation may be the last thing the level waits for. */
	if (pending_has(c.ver, "confirmation")) {
		static const char *const drop[] = {"confirmation", NULL};
		json_t *steps = steps_without(json_object_get(c.ver, "pending_steps"), drop);
		json_object_set_new(c.patch, "pending_steps", steps);
		if (st == KYC_VS_AWAITING_INPUT && !steps_left(steps) &&
		    !pending_has(c.ver, "document") && !pending_has(c.ver, "document_back")) {
			rc = change_move(&c, KYC_VE_SUBMIT, "names_confirmed", NULL);
			rc = rc ? rc : hard ? reject(&c, hard, NULL) : conclude(&c, settings, checks);
			if (rc) {
				store_err(e, rc, "verification");
				goto abort;
			}
		}
	}
	if (change_commit(&c, "verification.updated", out, e))
		goto out;
	ret = 0;
	goto out;
abort:
	change_abort(&c);
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
	if (change_begin(f, vid, &c, e))
		return -1;
	if (c.from != KYC_VS_PENDING_REVIEW) {
		kyc_jerr_set(e, 409, "verification_not_pending", "",
			     "only a verification pending review can be decided (it is %s)",
			     kyc_vstate_name(c.from));
		change_abort(&c);
		return -1;
	}
	json_t *d = json_pack("{s:s?}", "note", note);
	int rc = change_move(&c, ev, reason ? reason : "approved_by_reviewer", d);
	json_decref(d);
	char at[32];
	kyc_time_iso(kyc_now_ms(), at);
	json_object_set_new(c.patch, "decision",
			    json_pack("{s:s, s:s?, s:s?, s:s, s:s, s:b}", "outcome",
				      ev == KYC_VE_APPROVE ? "approved" : "rejected", "reason", reason,
				      "note", note, "actor", f->actor, "at", at, "automatic", 0));
	if (rc) {
		change_abort(&c);
		return store_err(e, rc, "verification");
	}
	return change_commit(&c, "review.decided", out, e);
}

int kyc_flow_cancel(struct kyc_flow *f, const char *vid, json_t **out, struct kyc_jerr *e)
{
	struct change c;
	*out = NULL;
	if (change_begin(f, vid, &c, e))
		return -1;
	int rc = change_move(&c, KYC_VE_CANCEL, "cancelled", NULL);
	if (rc == KYC_ERR_STATE) {
		kyc_jerr_set(e, 409, "verification_closed", "",
			     "a verification that is %s cannot be cancelled",
			     kyc_vstate_name(c.from));
		change_abort(&c);
		return -1;
	}
	if (rc) {
		change_abort(&c);
		return store_err(e, rc, "verification");
	}
	return change_commit(&c, NULL, out, e);
}
