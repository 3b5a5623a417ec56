/* Seed 001: two-step KYC submission (docs/compat/001.md).
 *   POST /v3/submission/step1  multipart: the ID's front (and back), what it
 *        is, the applicant's e-mail; answers what was read, per field, with
 *        the submission's state and a submissionId valid for 4 hours;
 *   POST /v3/submission/step2  multipart: the selfie for that submission.
 * (Also without the /v3 prefix.)
 *
 * A submission is a kycd verification (submissionId is its id) of an
 * applicant found by userid (external_ref) or made from the e-mail; a retry
 * of step 1 with submissionId is another attempt on the same verification,
 * and the third failed attempt rejects it (the workflow counts). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat/compat.h"
#include "core/country.h"
#include "core/err.h"
#include "core/rand.h"
#include "flows/settings.h"
#include "flows/workflow.h"
#include "http/multipart.h"

/* The vendor's messages (its "Retry & Error Codes" page). */
#define MSG_PARSE "failed to parse the input data"
#define MSG_MISSING "missing required parameters"
#define MSG_EMAIL "invalid email address format"
#define MSG_IDTYPE                                                                                 \
	"invalid id type : id type must be passport, government_id, drivers_license, "             \
	"residence_permit, visa, vehicle_registration_certificate, aadhaar, pancard or universal"
#define MSG_COUNTRY                                                                                \
	"invalid issuing country : issuingCountry must be an ISO 3166-1 alpha-2 or alpha-3 code"
#define MSG_IMAGE "invalid id image"
#define MSG_FACE "invalid face image"
#define MSG_SUBMISSION "invalid submission id"
#define MSG_PROCESSED "this submission is already processed"
#define MSG_OPTIONS "invalid customOptions"

/* idType -> kycd document type. Types without an MRZ are read as ID cards:
 * nothing is found and the attempt asks for a retry or goes to review. */
static const struct {
	const char *name, *kyc_type;
} id_types[] = {
    {"passport", "passport"},
    {"government_id", "id_card"},
    {"drivers_license", "drivers_license"},
    {"residence_permit", "residence_permit"},
    {"visa", "visa"},
    {"vehicle_registration_certificate", "id_card"},
    {"aadhaar", "id_card"},
    {"pancard", "id_card"},
    {"universal", "id_card"},
};

static const char *const text_fields[] = {"issuingCountry", "email", "idType", "submissionId",
                                          "userid",         "cf1",   "cf2",    "cf3",
                                          "customOptions",  NULL};

const char *kyc_compat001_kyc_type(const char *id_type)
{
	for (size_t i = 0; id_type && i < sizeof id_types / sizeof id_types[0]; i++)
		if (!strcmp(id_type, id_types[i].name))
			return id_types[i].kyc_type;
	return NULL;
}

int kyc_compat001_options(const char *text, size_t len, json_t **out, struct kyc_jerr *e)
{
	json_error_t je;
	*out = NULL;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!json_is_object(o)) {
		json_decref(o);
		return kyc_jerr_set(e, 400, "invalid_json", "customOptions", MSG_PARSE);
	}
	/* Booleans only, as the document lists; kyc_settings_effective names the
	 * options it knows. */
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!json_is_boolean(v)) {
			json_decref(o);
			return kyc_jerr_set(e, 400, "invalid_type", "customOptions", MSG_OPTIONS);
		}
	}
	*out = o;
	return 0;
}

static void shape001(struct api_call *c, int status, const char *code, const char *field,
                     const char *detail)
{
	kyc__compat_error_headers(c, code, field);
	/* The document says nothing of keys: no or a bad key is 401, as HTTP
	 * has it, in the set's envelope. */
	if (status == 401) {
		api_json(c, 401, json_pack("{s:s, s:s}", "errorCode", code, "message",
		                           "a valid x-api-key is required"));
		return;
	}
	if (status == 413 && !field) {
		api_json(c, 413, json_pack("{s:s}", "message", "Request Entity Too Large"));
		return;
	}
	/* The vendor answers what the client sent wrong with 400. */
	if (status == 415 || status == 422)
		status = 400;
	api_json(c, status, json_pack("{s:s, s:s}", "errorCode", code, "message", detail));
}

/* The multipart body as text fields (in an object, for the validators) and
 * the file parts. */
struct form {
	struct kyc_multipart mp;
	json_t *text;
};

static int read_form(struct api_call *c, struct form *f)
{
	kyc_str ct = kyc_req_header(c->req, "content-type");
	f->text = json_object();
	if (!ct.ptr || ct.len < 19 || strncasecmp(ct.ptr, "multipart/form-data", 19)) {
		api_problem(c, 400, "unsupported_media_type", NULL, MSG_PARSE);
		return -1;
	}
	kyc_str body = kyc_req_body(c->req);
	char err[256];
	struct kyc_multipart_limits lim = {
	    .max_parts = 32, .max_header_bytes = 4096, .max_name_len = 256};
	if (kyc_multipart_parse(kyc_req_strdup(c->req, ct.ptr, ct.len), body.ptr, body.len, &lim,
	                        &f->mp, err, sizeof err)) {
		api_problem(c, 400, f->mp.code ? f->mp.code : "multipart_malformed", NULL,
		            MSG_PARSE);
		return -1;
	}
	for (size_t i = 0; i < f->mp.nparts; i++) {
		const struct kyc_multipart_part *p = &f->mp.parts[i];
		if (p->filename || json_object_get(f->text, p->name))
			continue; /* files, and the first of repeated fields */
		json_t *s = json_stringn(p->data, p->len);
		if (!s) {
			api_problem(c, 400, "invalid_value", p->name, MSG_PARSE);
			return -1;
		}
		json_object_set_new(f->text, p->name, s);
	}
	return 0;
}

static void form_release(struct form *f)
{
	kyc_multipart_release(&f->mp);
	json_decref(f->text);
}

/* A file part: present with a filename and some bytes. */
static const struct kyc_multipart_part *file_part(const struct form *f, const char *name)
{
	const struct kyc_multipart_part *p = kyc_multipart_find(&f->mp, name);
	return p && p->filename && p->len ? p : NULL;
}

/* The workflow's image and state refusals in the vendor's words. */
static void flow_error(struct api_call *c, const struct kyc_jerr *e, const char *image_msg)
{
	if (!strncmp(e->code, "image_", 6) || !strcmp(e->code, "unsupported_media_type")) {
		api_problem(c, e->status == 413 ? 413 : 400, e->code, e->field, "%s", image_msg);
		return;
	}
	if (!strcmp(e->code, "verification_closed") || !strcmp(e->code, "verification_approved") ||
	    !strcmp(e->code, "verification_pending_review")) {
		api_problem(c, 400, e->code, NULL, MSG_PROCESSED);
		return;
	}
	api_jerr(c, e);
}

/* The seed's kycStatus of a verification status. */
static const char *kyc_status(const char *st)
{
	if (!st)
		return "pending";
	if (!strcmp(st, "approved") || !strcmp(st, "rejected") || !strcmp(st, "incomplete"))
		return st;
	if (!strcmp(st, "expired") || !strcmp(st, "cancelled"))
		return "rejected";
	return "pending"; /* created, awaiting_input, processing, pending_review */
}

/* Why a submission was rejected, in words, by the decision's reason code. */
static const char *rejection_message(const char *reason)
{
	static const struct {
		const char *code, *msg;
	} why[] = {
	    {"document_expired", "rejected: the ID has expired"},
	    {"minimum_age", "rejected: the applicant is under the age limit"},
	    {"blocked_country", "rejected: IDs of this country are not accepted"},
	    {"duplicate_document", "rejected: this ID is already used by another user"},
	    {"duplicate_applicant", "rejected: this person is already registered as another user"},
	    {"reject_period",
	     "rejected: this ID was rejected recently; it can be submitted again after the "
	     "rejected duplicate submission prevention period"},
	    {"too_many_attempts", "rejected: the third attempt failed"},
	};
	for (size_t i = 0; reason && i < sizeof why / sizeof why[0]; i++)
		if (!strcmp(why[i].code, reason))
			return why[i].msg;
	return "rejected";
}

/* [{retryCode, retryMsg}]: why the submission is incomplete (the retry
 * code), or why it was rejected (the decision's reason code). */
static json_t *retry_list(const json_t *v)
{
	json_t *r = json_array();
	const char *code, *message;
	kyc__compat_retry(v, &code, &message);
	const char *st = kyc__compat_str(v, "status");
	if (!code && st && !strcmp(st, "rejected")) {
		code = kyc__compat_str(json_object_get(v, "decision"), "reason");
		message = rejection_message(code);
	}
	if (code)
		json_array_append_new(r, json_pack("{s:s, s:s}", "retryCode", code, "retryMsg",
		                                   message ? message : ""));
	return r;
}

/* Loads the submission named by submissionId: one of this route set's, still
 * open. 0, or -1 with the answer sent. */
static int load_submission(struct api_call *c, struct kyc_flow *fl, const char *id, json_t **v)
{
	*v = NULL;
	if (!kyc_uuid_valid(id, strlen(id)) || kyc_flow_verification_load(fl, id, v) ||
	    strcmp(kyc__compat_str(*v, "compat_seed") ? kyc__compat_str(*v, "compat_seed") : "",
	           "001")) {
		api_problem(c, 400, "submission_not_found", "submissionId", MSG_SUBMISSION);
		return -1;
	}
	const char *st = kyc__compat_str(*v, "status");
	if (st && !strcmp(st, "expired")) {
		api_problem(c, 400, "verification_expired", "submissionId", MSG_SUBMISSION);
		return -1;
	}
	return 0;
}

/* Finds the applicant of userid, or makes one. */
static int applicant_for(struct api_call *c, const json_t *text, char id[37])
{
	const char *userid = kyc__compat_str(text, "userid");
	const char *email = kyc__compat_str(text, "email");
	if (userid) {
		int found;
		int rc = kyc__compat_applicant_by_ref(c, userid, id, &found);
		if (rc || found)
			return rc;
	}
	kyc_uuid_new(id);
	json_t *rec = json_pack("{s:s, s:s, s:s, s:i, s:{s:{}}}", "id", id, "email", email, "level",
	                        "L0", "tier", 0, "attributes", "metadata");
	if (userid)
		json_object_set_new(rec, "external_ref", json_string(userid));
	int rc = kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, rec);
	json_decref(rec);
	return rc;
}

/* ---- the step 1 answer ---- */

static const json_t *field_of(const json_t *x, const char *name)
{
	return json_object_get(json_object_get(x, "fields"), name);
}

/* "ocr_<name>" and "accepted_ocr_<name>" from one extraction field. */
static void ocr_pair(json_t *o, const char *name, const json_t *fld, json_t *value)
{
	char k[64];
	snprintf(k, sizeof k, "ocr_%s", name);
	json_object_set_new(o, k, value ? value : json_null());
	snprintf(k, sizeof k, "accepted_ocr_%s", name);
	json_object_set_new(o, k,
	                    json_boolean(value && json_is_true(json_object_get(fld, "accepted"))));
}

static json_t *value_of(const json_t *fld)
{
	json_t *v = json_object_get(fld, "value");
	return json_is_true(json_object_get(fld, "read")) && json_is_string(v) &&
	               json_string_length(v)
	           ? json_incref(v)
	           : NULL;
}

static json_t *review_ocr(const json_t *x)
{
	json_t *o = json_object();
	const json_t *sur = field_of(x, "surname"), *giv = field_of(x, "given_names");
	json_t *vs = value_of(sur), *vg = value_of(giv);
	ocr_pair(o, "birthDate", field_of(x, "birth_date"), value_of(field_of(x, "birth_date")));
	/* an MRZ has no issue date; a licence's barcode has (docs/dl.md) */
	ocr_pair(o, "issueDate", field_of(x, "issue_date"), value_of(field_of(x, "issue_date")));
	ocr_pair(o, "expireDate", field_of(x, "expiry_date"), value_of(field_of(x, "expiry_date")));
	ocr_pair(o, "lastName", sur, vs ? json_incref(vs) : NULL);
	ocr_pair(o, "firstName", giv, vg ? json_incref(vg) : NULL);
	json_t *full = NULL;
	if (vs || vg) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s%s%s", vg ? json_string_value(vg) : "",
		         vg && vs ? " " : "", vs ? json_string_value(vs) : "");
		full = json_string(buf);
	}
	/* the full name is accepted when both parts are */
	json_t *both = json_pack("{s:b}", "accepted",
	                         json_is_true(json_object_get(sur, "accepted")) &&
	                             json_is_true(json_object_get(giv, "accepted")));
	ocr_pair(o, "name", both, full);
	json_decref(both);
	json_decref(vs);
	json_decref(vg);
	const json_t *sex = field_of(x, "sex");
	json_t *vsex = value_of(sex);
	const char *sx = json_string_value(vsex);
	ocr_pair(o, "gender", sex,
	         !sx                ? NULL
	         : !strcmp(sx, "M") ? json_string("male")
	         : !strcmp(sx, "F") ? json_string("female")
	                            : NULL);
	json_decref(vsex);
	ocr_pair(o, "nationality", field_of(x, "nationality"),
	         value_of(field_of(x, "nationality")));
	ocr_pair(o, "identityNumber", field_of(x, "personal_number"),
	         value_of(field_of(x, "personal_number")));
	/* Korean licences only (docs/dl.md): the front's number */
	const json_t *lic = field_of(x, "licence_number");
	ocr_pair(o, "licenseNumber", lic, value_of(lic));
	return o;
}

static int listed(const json_t *arr, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (json_is_string(v) && !strcmp(json_string_value(v), name))
			return 1;
	}
	return 0;
}

/* Seed field names of kycd's extraction fields (docs/compat/001.md). */
static const struct {
	const char *seed, *kyc, *kyc2;
} doc_fields[] = {
    {"expireDate", "expiry_date", NULL},
    {"idNumber", "personal_number", NULL},
    {"identityNumber", "personal_number", NULL},
    {"gender", "sex", NULL},
    {"issueDate", "issue_date", NULL},
    {"nationality", "nationality", NULL},
    {"number", "document_number", NULL},
    {"name", "surname", "given_names"},
    {"birthDate", "birth_date", NULL},
    {"serialNumber", NULL, NULL},
    {"documentNumber", "document_number", NULL},
};

static json_t *document_fields(const json_t *x)
{
	json_t *o = json_object();
	const json_t *have = json_object_get(x, "document_fields");
	for (size_t i = 0; i < sizeof doc_fields / sizeof doc_fields[0]; i++) {
		int on = (doc_fields[i].kyc && listed(have, doc_fields[i].kyc)) ||
		         (doc_fields[i].kyc2 && listed(have, doc_fields[i].kyc2));
		json_object_set_new(o, doc_fields[i].seed, json_boolean(on));
	}
	return o;
}

static json_t *missing_fields(const json_t *x)
{
	static const struct {
		const char *kyc, *seed;
	} names[] = {
	    {"document_number", "documentNumber"},
	    {"personal_number", "identityNumber"},
	    {"birth_date", "birthDate"},
	    {"expiry_date", "expireDate"},
	    {"issue_date", "issueDate"},
	    {"sex", "gender"},
	    {"nationality", "nationality"},
	    {"surname", "name"},
	    {"given_names", "name"},
	};
	json_t *out = json_array();
	const json_t *miss = json_object_get(x, "missing_fields");
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (listed(miss, names[i].kyc) && !listed(out, names[i].seed))
			json_array_append_new(out, json_string(names[i].seed));
	return out;
}

static json_t *file_path(const json_t *doc)
{
	const char *fid = kyc__compat_str(doc, "file_id");
	if (!fid)
		return json_null();
	char p[64];
	snprintf(p, sizeof p, "/v1/files/%s", fid);
	return json_string(p);
}

/* The step 1 answer from the workflow's result: documents[0] the front,
 * documents[1] the back when sent. */
static json_t *step1_answer(const json_t *res, const char *id_type)
{
	const json_t *v = json_object_get(res, "verification");
	const json_t *docs = json_object_get(res, "documents");
	const json_t *front = json_array_get(docs, 0), *back = json_array_get(docs, 1);
	/* the side whose MRZ was read carries the data (an ID card's back), or
	 * the side whose licence barcode was (a driving licence's back) */
	const json_t *fx = json_object_get(front, "extraction");
	const json_t *bx = json_object_get(back, "extraction");
	const json_t *x = json_is_true(json_object_get(fx, "mrz_found"))       ? fx
	                  : json_is_true(json_object_get(bx, "mrz_found"))     ? bx
	                  : json_is_true(json_object_get(bx, "barcode_found")) ? bx
	                  : json_is_true(json_object_get(fx, "barcode_found")) ? fx
	                  : json_object_get(fx, "kr_licence")                  ? fx
	                                                                       : NULL;
	json_t *o = json_object();
	json_object_set(o, "submissionId", json_object_get(v, "id"));
	if (x)
		json_object_set_new(o, "reviewOCRData", review_ocr(x));
	json_object_set_new(o, "document_fields",
	                    !x && !strcmp(id_type, "universal") ? json_array()
	                                                        : document_fields(x ? x : fx));
	json_object_set_new(o, "missing_fields", missing_fields(x ? x : fx));
	json_object_set_new(o, "idImage", file_path(front));
	json_object_set_new(o, "idBackImage", back ? file_path(back) : json_null());
	json_object_set_new(o, "file_upload", json_string(front ? "true" : "false"));
	json_object_set_new(o, "file_back_upload", json_string(back ? "true" : "false"));
	json_object_set_new(o, "kycStatus", json_string(kyc_status(kyc__compat_str(v, "status"))));
	json_object_set_new(o, "retry", retry_list(v));
	json_object_set_new(
	    o, "retryCount",
	    json_integer(json_integer_value(json_object_get(v, "failed_attempts"))));
	return o;
}

/* issuingCountry as kycd keeps it (alpha-3, or an ICAO code such as D):
 * the document fixes no format, so alpha-2 and either case are taken too.
 * NULL when it is no country. */
static const char *issuing_country(const char *in, char buf[4])
{
	size_t n = strlen(in);
	if (n < 1 || n > 3)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)(in[i] >= 'a' && in[i] <= 'z' ? in[i] - 32 : in[i]);
	if (kyc_country_icao_valid(buf, n))
		return buf;
	return n == 2 ? kyc_country_alpha2_to_3(buf, n) : NULL;
}

COMPAT_HANDLER(s001_step1, KYC_COMPAT_001, API_WRITE | API_IDEMPOTENT, shape001)
{
	struct form f = {0};
	char cbuf[4];
	json_t *opts = NULL, *ver = NULL, *res = NULL, *req = NULL;
	struct kyc_jerr e;
	const char *s;
	if (read_form(c, &f))
		goto out;
	static const char *const required[] = {"issuingCountry", "email", "idType", NULL};
	for (const char *const *r = required; *r; r++) {
		s = kyc__compat_str(f.text, *r);
		if (!s || !*s) {
			api_problem(c, 400, "field_required", *r, MSG_MISSING);
			goto out;
		}
	}
	const struct kyc_multipart_part *front = file_part(&f, "idImage");
	const struct kyc_multipart_part *back = file_part(&f, "idBackImage");
	if (!front) {
		api_problem(c, 400, "field_required", "idImage", MSG_MISSING);
		goto out;
	}
	if (kyc_jv_email(f.text, "email", 0, &s, &e)) {
		api_problem(c, 400, e.code, "email", MSG_EMAIL);
		goto out;
	}
	const char *id_type = kyc__compat_str(f.text, "idType");
	const char *kyc_type = kyc_compat001_kyc_type(id_type);
	if (!kyc_type) {
		api_problem(c, 400, "invalid_value", "idType", MSG_IDTYPE);
		goto out;
	}
	const char *country = issuing_country(kyc__compat_str(f.text, "issuingCountry"), cbuf);
	if (!country) {
		api_problem(c, 400, "invalid_country", "issuingCountry", MSG_COUNTRY);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		const struct kyc_multipart_part *p = i ? back : front;
		if (p && p->len > c->app->max_image_bytes) {
			api_problem(c, 413, "image_too_large", i ? "idBackImage" : "idImage",
			            "%s: larger than the %zu-byte limit", MSG_IMAGE,
			            c->app->max_image_bytes);
			goto out;
		}
	}
	for (const char *const *k = text_fields; *k; k++)
		if (kyc_jv_string(f.text, *k, 0, !strcmp(*k, "customOptions") ? 4096 : 200, &s,
		                  &e)) {
			api_problem(c, 400, e.code, *k, MSG_PARSE);
			goto out;
		}
	s = kyc__compat_str(f.text, "customOptions");
	if (s && kyc_compat001_options(s, strlen(s), &opts, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	if (kyc__compat_image_check(c, front->data, front->len, "idImage", MSG_IMAGE) ||
	    (back && kyc__compat_image_check(c, back->data, back->len, "idBackImage", MSG_IMAGE)))
		goto out;

	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_001, &fl, actor);
	const char *sub = kyc__compat_str(f.text, "submissionId");
	if (sub) {
		if (load_submission(c, &fl, sub, &ver))
			goto out;
	} else {
		char aid[37];
		int rc = applicant_for(c, f.text, aid);
		if (rc) {
			api_store_error(c, rc, "applicant");
			goto out;
		}
		json_t *meta = json_object();
		static const char *const keep[] = {"userid", "cf1", "cf2", "cf3"};
		for (int i = 0; i < 4; i++)
			if ((s = kyc__compat_str(f.text, keep[i])))
				json_object_set_new(meta, keep[i], json_string(s));
		req = json_pack("{s:s, s:o, s:[s]}", "applicant_id", aid, "metadata", meta,
		                "document_types", kyc_type);
		if (opts)
			json_object_set(req, "options", opts);
		/* Step 2 brings a selfie: the level that asks for one (L1 of the
		 * default settings) when the tenant has it. */
		json_t *settings = NULL;
		if ((rc = kyc_settings_get(c->store, c->tenant_id, &settings))) {
			api_store_error(c, rc, "settings");
			goto out;
		}
		if (json_object_get(json_object_get(settings, "levels"), "L1"))
			json_object_set_new(req, "level", json_string("L1"));
		json_decref(settings);
		json_t *compat = json_pack("{s:s}", "seed", "001");
		rc = kyc_flow_verification_create_compat(&fl, req, compat, &ver, &e);
		json_decref(compat);
		if (rc) {
			if (!strcmp(e.field, "options"))
				api_problem(c, 400, e.code, "customOptions", MSG_OPTIONS);
			else
				api_jerr(c, &e);
			goto out;
		}
	}
	struct kyc_flow_image imgs[2] = {
	    {.type = kyc_type,
	     .side = "front",
	     .issuing_country = country,
	     .bytes = (const unsigned char *)front->data,
	     .len = front->len},
	    {.type = kyc_type,
	     .side = "back",
	     .issuing_country = country,
	     .bytes = back ? (const unsigned char *)back->data : NULL,
	     .len = back ? back->len : 0},
	};
	if (kyc_flow_submit(&fl, kyc__compat_str(ver, "id"), imgs, back ? 2 : 1, &res, &e)) {
		flow_error(c, &e, MSG_IMAGE);
		goto out;
	}
	api_json(c, 200, step1_answer(res, id_type));
out:
	json_decref(req);
	json_decref(res);
	json_decref(ver);
	json_decref(opts);
	form_release(&f);
}

/* Step 2's comparison of the selfie with the document's portrait (the seed
 * names no field for it): {"match","similarity","distance","threshold",
 * "portraitImage"}, or null when the faces could not be compared. */
static json_t *face_match(const json_t *face)
{
	if (!json_is_boolean(json_object_get(face, "match")))
		return json_null();
	char path[64];
	snprintf(path, sizeof path, "/v1/files/%s",
	         kyc__compat_str(face, "portrait_file_id") ? kyc__compat_str(face, "portrait_file_id")
	                                                   : "");
	return json_pack("{s:O, s:O, s:O, s:O, s:s}", "match", json_object_get(face, "match"),
	                 "similarity", json_object_get(face, "similarity"), "distance",
	                 json_object_get(face, "distance"), "threshold",
	                 json_object_get(face, "threshold"), "portraitImage", path);
}

COMPAT_HANDLER(s001_step2, KYC_COMPAT_001, API_WRITE | API_IDEMPOTENT, shape001)
{
	struct form f = {0};
	json_t *ver = NULL, *res = NULL;
	struct kyc_jerr e;
	if (read_form(c, &f))
		goto out;
	const char *sub = kyc__compat_str(f.text, "submissionId");
	const struct kyc_multipart_part *face = file_part(&f, "faceImage");
	if (!sub || !*sub) {
		api_problem(c, 400, "field_required", "submissionId", MSG_MISSING);
		goto out;
	}
	if (!face) {
		api_problem(c, 400, "field_required", "faceImage", MSG_FACE);
		goto out;
	}
	if (face->len > c->app->max_image_bytes) {
		api_problem(c, 413, "image_too_large", "faceImage",
		            "%s: larger than the %zu-byte limit", MSG_FACE,
		            c->app->max_image_bytes);
		goto out;
	}
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_001, &fl, actor);
	if (load_submission(c, &fl, sub, &ver))
		goto out;
	json_t *types = json_object_get(ver, "document_types");
	struct kyc_flow_image img = {.type = json_string_value(json_array_get(types, 0)),
	                             .side = "front",
	                             .bytes = (const unsigned char *)face->data,
	                             .len = face->len};
	if (kyc_flow_selfie(&fl, sub, &img, &res, &e)) {
		flow_error(c, &e, MSG_FACE);
		goto out;
	}
	const json_t *v = json_object_get(res, "verification");
	if (!v)
		v = res;
	api_json(c, 200,
	         json_pack("{s:s, s:s, s:o, s:I, s:o}", "submissionId", sub, "kycStatus",
	                   kyc_status(kyc__compat_str(v, "status")), "retry", retry_list(v),
	                   "retryCount", json_integer_value(json_object_get(v, "failed_attempts")),
	                   "faceMatch", face_match(json_object_get(v, "face"))));
out:
	json_decref(res);
	json_decref(ver);
	form_release(&f);
}

void kyc__compat001_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v3/submission/step1", s001_step1);
	kyc_server_route(s, "POST", "/v3/submission/step2", s001_step2);
	kyc_server_route(s, "POST", "/submission/step1", s001_step1);
	kyc_server_route(s, "POST", "/submission/step2", s001_step2);
}
