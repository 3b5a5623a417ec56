/* Seed 002: hosted identity verification (docs/compat/002.md).
 *   POST /v1/identity-verifications            {externalReferenceId, registration, setupId} -> {id}
 *   GET  /v1/identity-verifications/{id}       the IDV: status, times, setup, steps
 *   GET  /v1/identifications/{id}              the KYC identification: document data, files
 *   GET  /v1/identifications/{id}/files/{fileId}
 * The end user finishes it on kycd's hosted page at /?id=<IDV id>.
 *
 * An identity verification is a kycd verification of the applicant named
 * by externalReferenceId; its IDV id (compat_ref) is what the end user's URL
 * carries, and its KYC identification id is the verification's own id. A
 * setup is the tenant's verification configuration (its settings): setupId
 * is kept, versionId names the settings in force when it was created. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "core/clock.h"
#include "core/country.h"
#include "core/err.h"
#include "core/log.h"
#include "core/rand.h"
#include "flows/settings.h"
#include "flows/workflow.h"
#include "store/blob.h"
#include "web/hosted_token.h"

/* ASP.NET-style problem details, as the vendor's API answers errors. */
static void shape002(struct api_call *c, int status, const char *code, const char *field,
                     const char *detail)
{
	static const struct {
		int status;
		const char *type, *title;
	} kinds[] = {
	    {400, "https://tools.ietf.org/html/rfc7231#section-6.5.1",
	     "One or more validation errors occurred."},
	    {401, "https://tools.ietf.org/html/rfc7235#section-3.1", "Unauthorized"},
	    {403, "https://tools.ietf.org/html/rfc7231#section-6.5.3", "Forbidden"},
	    {404, "https://tools.ietf.org/html/rfc7231#section-6.5.4", "Not Found"},
	    {409, "https://tools.ietf.org/html/rfc7231#section-6.5.8", "Conflict"},
	    {415, "https://tools.ietf.org/html/rfc7231#section-6.5.13", "Unsupported Media Type"},
	    {500, "https://tools.ietf.org/html/rfc7231#section-6.6.1",
	     "An error occurred while processing your request."},
	};
	kyc__compat_error_headers(c, code, field);
	/* field-level problems are validation errors (400), as the vendor's are */
	int st = status == 422 ? 400 : status;
	const char *type = kinds[0].type, *title = kinds[0].title;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (kinds[i].status == (st >= 500 ? 500 : st)) {
			type = kinds[i].type;
			title = kinds[i].title;
		}
	json_t *p = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title", title, "status", st,
	                      "traceId", kyc_req_id(c->req));
	if (st == 400)
		json_object_set_new(p, "errors",
		                    json_pack("{s:[s]}", field && *field ? field : "$", detail));
	else if (st < 500)
		json_object_set_new(p, "detail", json_string(detail));
	api_json(c, st, p);
}

/* ---- create ---- */

static const char *const create_fields[] = {"externalReferenceId", "registration", "setupId", NULL};
static const char *const reg_fields[] = {"dateOfBirth", "email",       "firstName",
                                         "lastName",    "middleName",  "personalCode",
                                         "phoneNumber", "countryCode", NULL};

static int in_registration(struct kyc_jerr *e)
{
	char f[sizeof e->field];
	snprintf(f, sizeof f, "registration.%.60s", e->field);
	memcpy(e->field, f, sizeof f);
	return -1;
}

int kyc_compat002_parse(const json_t *body, json_t *applicant, struct kyc_jerr *e)
{
	const char *s = NULL;
	if (kyc_jv_known_fields(body, create_fields, e) ||
	    kyc_jv_string(body, "externalReferenceId", 0, 128, &s, e))
		return -1;
	if (s)
		json_object_set_new(applicant, "external_ref", json_string(s));
	s = kyc__compat_str(body, "setupId");
	if (!s)
		return kyc_jerr_set(e, 422, "field_required", "setupId",
		                    "The SetupId field is required.");
	if (!kyc_uuid_valid(s, strlen(s)))
		return kyc_jerr_set(e, 422, "invalid_value", "setupId",
		                    "The SetupId must be a GUID.");
	const json_t *reg = json_object_get(body, "registration");
	if (!reg || json_is_null(reg))
		return 0;
	if (!json_is_object(reg))
		return kyc_jerr_set(e, 422, "invalid_type", "registration",
		                    "registration must be an object");
	if (kyc_jv_known_fields(reg, reg_fields, e))
		return in_registration(e);
	static const struct {
		const char *name, *col;
		size_t max;
	} texts[] = {{"firstName", "first_name", 100},
	             {"lastName", "last_name", 100},
	             {"middleName", "middle_name", 100},
	             {"personalCode", "personal_code", 64}};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		s = NULL;
		if (kyc_jv_string(reg, texts[i].name, 0, texts[i].max, &s, e))
			return in_registration(e);
		if (s)
			json_object_set_new(applicant, texts[i].col, json_string(s));
	}
	s = NULL;
	if (kyc_jv_email(reg, "email", 0, &s, e))
		return in_registration(e);
	if (s)
		json_object_set_new(applicant, "email", json_string(s));
	s = NULL;
	if (kyc_jv_date(reg, "dateOfBirth", 0, &s, e))
		return in_registration(e);
	if (s)
		json_object_set_new(applicant, "birth_date", json_string(s));
	/* The document's example sends the phone number as a JSON number. */
	const json_t *ph = json_object_get(reg, "phoneNumber");
	if (ph && !json_is_null(ph)) {
		char buf[40];
		if (json_is_integer(ph) && json_integer_value(ph) > 0)
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(ph));
		else if (json_is_string(ph) && json_string_length(ph) < sizeof buf)
			snprintf(buf, sizeof buf, "%s", json_string_value(ph));
		else
			return kyc_jerr_set(e, 422, "invalid_phone", "registration.phoneNumber",
			                    "phoneNumber must be a phone number");
		size_t digits = strspn(buf[0] == '+' ? buf + 1 : buf, "0123456789");
		if (digits < 5 || digits > 17 || digits != strlen(buf[0] == '+' ? buf + 1 : buf))
			return kyc_jerr_set(e, 422, "invalid_phone", "registration.phoneNumber",
			                    "phoneNumber must be 5 to 17 digits");
		json_object_set_new(applicant, "phone", json_string(buf));
	}
	s = NULL;
	if (kyc_jv_string(reg, "countryCode", 0, 3, &s, e))
		return in_registration(e);
	if (s) {
		/* alpha-2 as the example sends it; alpha-3 (kycd's form) too */
		const char *a3 = strlen(s) == 3 && kyc_country_alpha3_valid(s, 3)
		                     ? s
		                     : kyc_country_alpha2_to_3(s, strlen(s));
		if (!a3)
			return kyc_jerr_set(e, 422, "invalid_country", "registration.countryCode",
			                    "countryCode must be an ISO 3166-1 alpha-2 or alpha-3 code");
		json_object_set_new(applicant, "country", json_string(a3));
	}
	return 0;
}

/* The setup's version: a UUID-shaped digest of the tenant's settings, so it
 * changes exactly when the configuration does. */
static void settings_version(const json_t *settings, char out[37])
{
	char *txt = json_dumps(settings, JSON_COMPACT | JSON_SORT_KEYS);
	unsigned char h[32];
	unsigned int hl = 0;
	EVP_Digest(txt ? txt : "", txt ? strlen(txt) : 0, h, &hl, EVP_sha256(), NULL);
	free(txt);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x50); /* version 5-like: name-based */
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	char hex[65];
	kyc_hex_encode(hex, h, 16);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* The IDV id is the hosted page's token (src/web/hosted_token.h), made
 * before the verification so that it is written with the row (compat_ref)
 * and named by the verification.created event; its token row is stored in
 * the creation's transaction, to expire with the verification. Unlike other
 * tokens it is also kept in the clear: this API names the IDV by it in every
 * read and webhook (docs/compat/002.md, "The IDV id"). */
struct idv_token {
	char token[37];
	int64_t fallback_expiry_ms;
};

static int idv_token_store(kyc_store *s, const char *tenant_id, const json_t *ver, void *arg)
{
	const struct idv_token *t = arg;
	int64_t exp = kyc__compat_time_ms(ver, "expires_at");
	return kyc_hosted_token_store(s, tenant_id, kyc__compat_str(ver, "id"),
	                              exp > 0 ? exp : t->fallback_expiry_ms, t->token);
}

/* The applicant of externalReferenceId (filled from the registration when
 * new), or a new one when there is no reference. */
static int idv_applicant(struct api_call *c, json_t *fields, char id[37])
{
	const char *ref = kyc__compat_str(fields, "external_ref");
	if (ref) {
		int found;
		int rc = kyc__compat_applicant_by_ref(c, ref, id, &found);
		if (rc || found)
			return rc;
	}
	kyc_uuid_new(id);
	json_object_set_new(fields, "id", json_string(id));
	json_object_set_new(fields, "level", json_string("L0"));
	json_object_set_new(fields, "tier", json_integer(0));
	json_object_set_new(fields, "attributes", json_pack("{s:{}}", "metadata"));
	return kyc_store_insert(c->store, KYC_R_APPLICANT, c->tenant_id, fields);
}

COMPAT_HANDLER(s002_create, KYC_COMPAT_002, API_WRITE, shape002)
{
	json_t *body = api_body_object(c), *fields = json_object(), *settings = NULL, *ver = NULL;
	struct kyc_jerr e;
	if (!body)
		goto out;
	if (kyc_compat002_parse(body, fields, &e)) {
		api_jerr(c, &e);
		goto out;
	}
	char aid[37], version[37];
	int rc = idv_applicant(c, fields, aid);
	if (!rc)
		rc = kyc_settings_get(c->store, c->tenant_id, &settings);
	if (rc) {
		api_store_error(c, rc, "identity verification");
		goto out;
	}
	settings_version(settings, version);
	struct idv_token tok = {.fallback_expiry_ms = kyc_now_ms() + c->app->verification_ttl_ms};
	if ((rc = kyc_hosted_token_generate(tok.token))) {
		api_store_error(c, rc, "identity verification");
		goto out;
	}
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_002, &fl, actor);
	fl.on_create = idv_token_store;
	fl.on_create_arg = &tok;
	json_t *req = json_pack("{s:s}", "applicant_id", aid);
	json_t *compat = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}}", "seed", "002", "ref", tok.token,
	                           "data", "setup_id", kyc__compat_str(body, "setupId"),
	                           "setup_version_id", version, "application_id", c->tenant_id);
	rc = kyc_flow_verification_create_compat(&fl, req, compat, &ver, &e);
	json_decref(compat);
	json_decref(req);
	if (rc) {
		api_jerr(c, &e);
		goto out;
	}
	api_json(c, 201, json_pack("{s:s}", "id", tok.token));
out:
	json_decref(ver);
	json_decref(settings);
	json_decref(fields);
	json_decref(body);
}

/* ---- reads ---- */

static json_t *utc(const json_t *rec, const char *key)
{
	json_t *v = json_object_get(rec, key);
	return json_is_string(v) ? json_incref(v) : json_null();
}

const char *kyc_compat002_idv_status(const char *st, int started)
{
	if (!st)
		return "Created";
	if (!strcmp(st, "expired"))
		return "Expired";
	if (!strcmp(st, "cancelled"))
		return "Cancelled";
	if (!strcmp(st, "approved") || !strcmp(st, "rejected") || !strcmp(st, "pending_review"))
		return "Completed";
	if (!strcmp(st, "created") || (!strcmp(st, "awaiting_input") && !started))
		return "Created";
	return "InProgress";
}

/* A record's value at key, or JSON null (json_pack's O takes no NULL). */
static json_t *or_null(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return v ? v : json_null();
}

json_t *kyc_compat002_idv(const json_t *v, const char *tenant_id, const char *consented_at)
{
	const json_t *mine = json_object_get(json_object_get(v, "attributes"), "compat002");
	int consented = consented_at != NULL;
	int started = consented || json_integer_value(json_object_get(v, "attempts")) > 0;
	json_t *o = json_pack("{s:O, s:s, s:s?, s:o, s:o}", "id", or_null(v, "compat_ref"), "status",
	                      kyc_compat002_idv_status(kyc__compat_str(v, "status"), started),
	                      "applicationId", tenant_id, "createdUtc",
	              utc(v, "created_at"), "modifiedUtc", utc(v, "updated_at"));
	if (!o)
		return NULL;
	json_object_set_new(o, "setup",
	                    json_pack("{s:O, s:O}", "id", or_null(mine, "setup_id"), "versionId",
	                              or_null(mine, "setup_version_id")));
	json_object_set_new(o, "step",
	                    json_pack("{s:{s:O}, s:{s:b, s:s?}}", "kycIdentification", "id",
	                              or_null(v, "id"), "consent", "isConsented", consented,
	                              "consentedUtc", consented_at));
	return o;
}

/* When the end user consented on the hosted page: its audit-trail row
 * (action "consent", src/web/web_hosted.c). *at is NULL when not yet. */
static int consent_time(struct api_call *c, const char *vid, char at[32], const char **out)
{
	json_t *filter = json_pack("{s:s, s:s}", "verification_id", vid, "action", "consent");
	struct kyc_store_page pg;
	*out = NULL;
	int rc = kyc_store_list_asc(c->store, KYC_R_HISTORY, c->tenant_id, filter, "", 1, &pg);
	json_decref(filter);
	if (rc)
		return rc;
	const char *t = kyc__compat_str(json_array_get(pg.items, 0), "created_at");
	if (t) {
		snprintf(at, 32, "%s", t);
		*out = at;
	}
	json_decref(pg.items);
	return 0;
}

/* Finds a verification by its IDV id. */
static int by_idv(struct api_call *c, const char *idv, json_t **out)
{
	char low[37];
	*out = NULL;
	if (!kyc_uuid_valid(idv, strlen(idv)))
		return KYC_ERR_NOTFOUND;
	for (int i = 0; i < 37; i++)
		low[i] = (char)(idv[i] >= 'A' && idv[i] <= 'F' ? idv[i] + 32 : idv[i]);
	json_t *v = NULL;
	int rc = kyc__compat_newest(
	    c, KYC_R_VERIFICATION, json_pack("{s:s, s:s}", "compat_seed", "002", "compat_ref", low),
	    &v);
	if (!rc && !v)
		rc = KYC_ERR_NOTFOUND;
	if (!rc) {
		/* through the workflow, which stores an expiry that is due */
		struct kyc_flow fl;
		char actor[64];
		kyc__compat_flow(c, KYC_COMPAT_002, &fl, actor);
		rc = kyc_flow_verification_load(&fl, kyc__compat_str(v, "id"), out);
	}
	json_decref(v);
	return rc;
}

COMPAT_HANDLER(s002_idv_get, KYC_COMPAT_002, API_READ, shape002)
{
	json_t *v;
	char at[32];
	const char *consented;
	int rc = by_idv(c, api_param(c, 0), &v);
	if (!rc && (rc = consent_time(c, kyc__compat_str(v, "id"), at, &consented)))
		json_decref(v);
	if (rc) {
		api_store_error(c, rc, "identity verification");
		return;
	}
	api_json(c, 200, kyc_compat002_idv(v, c->tenant_id, consented));
	json_decref(v);
}

/* The identification's documents (oldest first) and files. */
static int docs_of(struct api_call *c, const char *vid, json_t **docs)
{
	json_t *filter = json_pack("{s:s}", "verification_id", vid);
	struct kyc_store_page pg;
	int rc = kyc_store_list_asc(c->store, KYC_R_DOCUMENT, c->tenant_id, filter, "", 100, &pg);
	json_decref(filter);
	*docs = rc ? NULL : pg.items;
	return rc;
}

static const char *doc_type_name(const char *t)
{
	static const char *const map[][2] = {{"passport", "Passport"},
	                                     {"id_card", "IdCard"},
	                                     {"drivers_license", "DriverLicense"},
	                                     {"residence_permit", "ResidencePermit"},
	                                     {"visa", "Visa"}};
	for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(map[i][0], t))
			return map[i][1];
	return NULL;
}

/* KYC identification statuses: Approved, Rejected, or Awaiting with the
 * reason kycd waits (a person's review, or a document to come). */
static void ident_status(const json_t *v, const char **status, const char **reason)
{
	const char *st = kyc__compat_str(v, "status");
	*reason = NULL;
	if (st && !strcmp(st, "approved")) {
		*status = "Approved";
	} else if (st && (!strcmp(st, "rejected") || !strcmp(st, "expired") ||
	                  !strcmp(st, "cancelled"))) {
		*status = "Rejected";
		*reason = !strcmp(st, "rejected")
		              ? kyc__compat_str(json_object_get(v, "decision"), "reason")
		          : st[0] == 'e' ? "Expired"
		                         : "Cancelled";
	} else {
		*status = "Awaiting";
		*reason = st && !strcmp(st, "pending_review") ? "ManualReview"
		          : st && !strcmp(st, "processing")   ? "Processing"
		                                              : "MissingDocumentPhoto";
	}
}

/* The portrait the face engine cut from a document, or NULL. */
static const char *portrait_of(const json_t *doc)
{
	return kyc__compat_str(json_object_get(json_object_get(doc, "attributes"), "face"),
	                       "portrait_file_id");
}

/* The face a document's portrait is: a FacePhoto whose part says it came
 * from the document (the selfie's part is null). */
static json_t *portrait_entry(const json_t *doc)
{
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "createdUtc", utc(doc, "created_at"),
	                 "fileId", portrait_of(doc), "fileName", "portrait.png", "fileExtension",
	                 "png", "part", "Document", "fileType", "FacePhoto");
}

static json_t *file_entry(const json_t *doc, const char *ctype)
{
	const char *side = kyc__compat_str(doc, "side"), *type = kyc__compat_str(doc, "type");
	const char *ext = ctype && !strcmp(ctype, "image/png") ? "png" : "jpeg";
	int identity = doc_type_name(type) != NULL;
	const char *file_type = identity                                    ? "DocumentPhoto"
	                        : type && !strcmp(type, "selfie")           ? "FacePhoto"
	                        : type && !strcmp(type, "proof_of_address") ? "ProofOfAddress"
	                                                                    : "ProofOfIncome";
	char name[64];
	snprintf(name, sizeof name, "%s_%s.%s",
	         identity ? "document"
	         : type   ? type
	                  : "file",
	         side ? side : "front", ext);
	json_t *part = !identity                       ? json_null()
	               : side && !strcmp(side, "back") ? json_string("Back")
	                                               : json_string("Front");
	return json_pack("{s:o, s:O, s:s, s:s, s:o, s:s}", "createdUtc", utc(doc, "created_at"),
	                 "fileId", json_object_get(doc, "file_id"), "fileName", name,
	                 "fileExtension", ext, "part", part, "fileType", file_type);
}

static json_t *identification(struct api_call *c, const json_t *v, const json_t *docs)
{
	const json_t *x = NULL, *first = NULL;
	json_t *files = json_array();
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const json_t *dx = json_object_get(d, "extraction");
		if (json_is_true(json_object_get(dx, "mrz_found")))
			x = dx; /* the newest read wins */
		if (!first && doc_type_name(kyc__compat_str(d, "type")))
			first = d; /* the identity document's type */
		json_t *f = NULL;
		const char *fid = kyc__compat_str(d, "file_id");
		if (fid && kyc_store_get(c->store, KYC_R_FILE, c->tenant_id, fid, &f) == 0) {
			json_array_append_new(files,
			                      file_entry(d, kyc__compat_str(f, "content_type")));
			json_decref(f);
		}
		if (portrait_of(d))
			json_array_append_new(files, portrait_entry(d));
	}
	json_t *given = kyc__compat_field(x, "given_names"), *sur = kyc__compat_field(x, "surname");
	/* kycd reads one given-names field; the first word is the first name
	 * and the rest the middle names (the document's example splits so). */
	json_t *firstn = json_null(), *middle = json_null(), *full = json_null();
	if (json_is_string(given)) {
		const char *g = json_string_value(given);
		const char *sp = strchr(g, ' ');
		firstn = sp ? json_stringn(g, (size_t)(sp - g)) : json_incref(given);
		if (sp)
			middle = json_string(sp + 1);
	}
	if (json_is_string(given) || json_is_string(sur)) {
		char buf[256];
		snprintf(buf, sizeof buf, "%s%s%s",
		         json_is_string(given) ? json_string_value(given) : "",
		         json_is_string(given) && json_is_string(sur) ? " " : "",
		         json_is_string(sur) ? json_string_value(sur) : "");
		full = json_string(buf);
	}
	json_t *gender = kyc__compat_gender(x);
	const char *t = doc_type_name(kyc__compat_str(first, "type"));
	json_t *doc = json_object();
	json_object_set_new(doc, "fullName", full);
	json_object_set_new(doc, "firstName", firstn);
	json_object_set_new(doc, "middleName", middle);
	json_object_set_new(doc, "lastName", sur);
	json_object_set_new(doc, "documentNumber", kyc__compat_field(x, "document_number"));
	json_object_set_new(doc, "dateOfIssue", json_null()); /* not in an MRZ */
	json_object_set_new(doc, "dateOfExpiration", kyc__compat_field(x, "expiry_date"));
	json_object_set_new(doc, "dateOfBirth", kyc__compat_field(x, "birth_date"));
	json_object_set_new(doc, "personalCode", kyc__compat_field(x, "personal_number"));
	json_object_set_new(doc, "address", json_null());
	json_object_set_new(doc, "nationalityIso3", kyc__compat_field(x, "nationality"));
	json_object_set_new(doc, "countryIso3", kyc__compat_field(x, "issuing_country"));
	json_object_set_new(doc, "countryStateIso2", json_null());
	json_object_set_new(doc, "gender", gender);
	json_object_set_new(doc, "type", t ? json_string(t) : json_null());
	json_object_set_new(doc, "mrzVerified",
	                    json_boolean(json_is_true(json_object_get(x, "mrz_verified"))));
	json_object_set_new(doc, "category", json_null()); /* licence categories: not read */
	json_object_set_new(doc, "files", files);
	json_decref(given);

	return kyc_compat002_identification(v, c->tenant_id, doc);
}

json_t *kyc_compat002_identification(const json_t *v, const char *tenant_id, json_t *document)
{
	const json_t *mine = json_object_get(json_object_get(v, "attributes"), "compat002");
	const char *status, *reason;
	ident_status(v, &status, &reason);
	/* cross-checked: the registration data was compared with the document
	 * and agreed (the workflow's data_consistency check passed) */
	const char *dcs = NULL;
	size_t k;
	json_t *ck;
	json_array_foreach(json_object_get(v, "checks"), k, ck)
	{
		const char *n = kyc__compat_str(ck, "name"), *src = kyc__compat_str(ck, "source");
		if (n && !strcmp(n, "data_consistency") && (!src || !strcmp(src, "registration")))
			dcs = kyc__compat_str(ck, "result");
	}
	/* the face engine's result (docs/compat/002.md): the selfie against the
	 * document's portrait, and the head-turn challenge of the hosted page
	 * (docs/face.md#liveness) */
	const json_t *face = json_object_get(json_object_get(v, "attributes"), "face");
	json_t *fm = json_is_boolean(json_object_get(face, "match"))
	                 ? json_pack("{s:O, s:O, s:O, s:O}", "isMatch", json_object_get(face, "match"),
	                             "similarity", json_object_get(face, "similarity"), "distance",
	                             json_object_get(face, "distance"), "threshold",
	                             json_object_get(face, "threshold"))
	                 : json_null();
	json_t *o = json_pack("{s:O, s:s, s:o, s:{s:O, s:O}, s:O, s:s, s:o, s:b, s:o}", "id",
	                      or_null(v, "id"), "applicationId", tenant_id, "createdUtc",
	                      utc(v, "created_at"), "setup", "id", or_null(mine, "setup_id"),
	                      "versionId", or_null(mine, "setup_version_id"),
	                      "identityVerificationId", or_null(v, "compat_ref"), "status", status,
	                      "statusReason", reason ? json_string(reason) : json_null(),
	                      "isCrossChecked", dcs && !strcmp(dcs, "pass"), "document",
	                      document ? document : json_null());
	json_object_set_new(o, "faceMatch", fm);
	const char *lv = kyc__compat_str(face, "liveness");
	json_object_set_new(o, "liveness",
	                    json_string(lv && !strcmp(lv, "passed")   ? "Passed"
	                                : lv && !strcmp(lv, "failed") ? "Failed"
	                                                              : "NotPerformed"));
	return o;
}

COMPAT_HANDLER(s002_ident_get, KYC_COMPAT_002, API_READ, shape002)
{
	json_t *v = NULL, *docs = NULL;
	struct kyc_flow fl;
	char actor[64];
	kyc__compat_flow(c, KYC_COMPAT_002, &fl, actor);
	int rc = kyc_flow_verification_load(&fl, api_param(c, 0), &v);
	if (!rc)
		rc = docs_of(c, api_param(c, 0), &docs);
	if (rc) {
		api_store_error(c, rc, "identification");
		goto out;
	}
	api_json(c, 200, identification(c, v, docs));
out:
	json_decref(docs);
	json_decref(v);
}

COMPAT_HANDLER(s002_file_get, KYC_COMPAT_002, API_READ, shape002)
{
	json_t *docs = NULL, *f = NULL;
	const char *vid = api_param(c, 0), *fid = api_param(c, 1);
	/* only a file of this identification */
	int rc = docs_of(c, vid, &docs), found = 0;
	size_t i;
	json_t *d;
	json_array_foreach(docs, i, d)
	{
		const char *df = kyc__compat_str(d, "file_id");
		const char *pf = portrait_of(d);
		found |= (df && !strcmp(df, fid)) || (pf && !strcmp(pf, fid));
	}
	if (!rc && !found)
		rc = KYC_ERR_NOTFOUND;
	if (!rc)
		rc = kyc_store_get(c->store, KYC_R_FILE, c->tenant_id, fid, &f);
	if (rc) {
		api_store_error(c, rc, "file");
		goto out;
	}
	api_send_file(c, f);
out:
	json_decref(f);
	json_decref(docs);
}

void kyc__compat002_routes(kyc_server *s)
{
	kyc_server_route(s, "POST", "/v1/identity-verifications", s002_create);
	kyc_server_route(s, "GET", "/v1/identity-verifications/{id}", s002_idv_get);
	kyc_server_route(s, "GET", "/v1/identifications/{id}", s002_ident_get);
	kyc_server_route(s, "GET", "/v1/identifications/{id}/files/{fileId}", s002_file_get);
}
